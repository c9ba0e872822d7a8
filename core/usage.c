/*
 * usage.c - adding up, pricing and rendering what a plan bills.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "escape.h"
#include "node.h"
#include "usage.h"

static const char *const unit_names[PZ_UNIT_COUNT] = {
    "TPS-hour",	   "request-hour",   "training-hour",
    "GB-ingested", "GB-batch-input",
};

const char *pz_unit_name(enum pz_unit u)
{
	return (unsigned)u < PZ_UNIT_COUNT ? unit_names[u] : "?";
}

int pz_unit_find(const char *name)
{
	int i;

	for (i = 0; name && i < PZ_UNIT_COUNT; i++)
		if (!strcmp(unit_names[i], name))
			return i;
	return -1;
}

bool pz_unit_priceable(enum pz_unit u)
{
	return (unsigned)u < PZ_UNIT_GB_BATCH_INPUT;
}

struct pz_usage *pz_usage_new(void)
{
	return pz_xcalloc(1, sizeof(struct pz_usage));
}

void pz_usage_free(struct pz_usage *u)
{
	size_t i;

	if (!u)
		return;
	for (i = 0; i < u->n; i++) {
		free(u->items[i].address);
		free(u->items[i].basis);
	}
	free(u->items);
	for (i = 0; i < u->nhints; i++) {
		free(u->hints[i].address);
		free(u->hints[i].text);
	}
	free(u->hints);
	free(u->prices_path);
	free(u->prices_region);
	free(u);
}

/* Six significant digits: stable output, no binary noise. */
static double tidy(double q)
{
	char s[32];

	if (q == 0)
		return 0;
	snprintf(s, sizeof(s), "%.6g", q);
	return strtod(s, NULL);
}

static struct pz_usage_item *add_item(struct pz_usage *u, enum pz_usage_set set,
				      const char *address, enum pz_unit unit,
				      bool known, double quantity, char *basis)
{
	struct pz_usage_item *it;

	if (u->n == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 8;
		u->items =
		    pz_xreallocarray(u->items, u->cap, sizeof(*u->items));
	}
	it = &u->items[u->n++];
	memset(it, 0, sizeof(*it));
	it->set = set;
	it->address = pz_xstrdup(address);
	it->unit = unit;
	it->known = known;
	it->quantity = known ? tidy(quantity) : 0;
	it->basis = basis;
	return it;
}

void pz_usage_add(struct pz_usage *u, enum pz_usage_set set,
		  const char *address, enum pz_unit unit, double quantity,
		  const char *basis_fmt, ...)
{
	va_list ap;
	char *basis;

	if (!u)
		return;
	va_start(ap, basis_fmt);
	basis = pz_xvasprintf(basis_fmt, ap);
	va_end(ap);
	add_item(u, set, address, unit, quantity >= 0 && isfinite(quantity),
		 quantity, basis);
}

void pz_usage_hint(struct pz_usage *u, const char *address, const char *fmt,
		   ...)
{
	va_list ap;

	if (!u)
		return;
	u->hints = pz_xreallocarray(u->hints, u->nhints + 1, sizeof(*u->hints));
	u->hints[u->nhints].address = pz_xstrdup(address);
	va_start(ap, fmt);
	u->hints[u->nhints].text = pz_xvasprintf(fmt, ap);
	va_end(ap);
	u->nhints++;
}

static const struct pz_usage_item *find(const struct pz_usage *u,
					enum pz_usage_set set,
					const char *address, enum pz_unit unit)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (u->items[i].set == set && u->items[i].unit == unit &&
		    !strcmp(u->items[i].address, address))
			return &u->items[i];
	return NULL;
}

/* For people: whole units from 100 up, else three significant
 * digits (the JSON keeps six). */
static char *fmt_qty(double q)
{
	return pz_xasprintf(fabs(q) >= 100 ? "%.0f" : "%.3g", q);
}

/* One delta item for address and unit, from a (after) and b (before),
 * either NULL. */
static void delta_one(struct pz_usage *u, const char *address,
		      enum pz_unit unit, const struct pz_usage_item *a,
		      const struct pz_usage_item *b)
{
	bool known = (!a || a->known) && (!b || b->known);
	double qa = a && a->known ? a->quantity : 0;
	double qb = b && b->known ? b->quantity : 0;
	char *sa, *sb;

	if (known && tidy(qa - qb) == 0)
		return;
	if (!known && a && b && !strcmp(a->basis, b->basis))
		return; /* unknown, but the same as before */
	sa = a ? (a->known ? fmt_qty(qa) : pz_xstrdup("unknown"))
	       : pz_xstrdup("0");
	sb = b ? (b->known ? fmt_qty(qb) : pz_xstrdup("unknown"))
	       : pz_xstrdup("0");
	add_item(u, PZ_USAGE_DELTA, address, unit, known, qa - qb,
		 pz_xasprintf("%s -> %s %s/month", sb, sa, pz_unit_name(unit)));
	free(sa);
	free(sb);
}

void pz_usage_finish(struct pz_usage *u)
{
	size_t i, n;

	if (!u)
		return;
	n = u->n; /* delta_one appends */
	for (i = 0; i < n; i++) {
		const struct pz_usage_item *it = &u->items[i];
		char *address;
		enum pz_unit unit = it->unit;

		if (it->set == PZ_USAGE_MONTHLY) {
			address = pz_xstrdup(it->address);
			delta_one(u, address, unit, &u->items[i],
				  find(u, PZ_USAGE_BEFORE, address, unit));
			free(address);
		} else if (it->set == PZ_USAGE_BEFORE &&
			   !find(u, PZ_USAGE_MONTHLY, it->address, unit)) {
			address = pz_xstrdup(it->address);
			delta_one(u, address, unit, NULL, &u->items[i]);
			free(address);
		}
	}
}

/* --- prices --------------------------------------------------------------- */

void pz_prices_free(struct pz_prices *p)
{
	if (!p)
		return;
	free(p->path);
	free(p->region);
	free(p);
}

int pz_prices_load(struct pz_prices **out, const char *path,
		   struct pz_diags *diags)
{
	struct pz_doc *doc = NULL;
	struct pz_prices *p;
	const struct pz_node *root;
	size_t i, errors = diags->nerrors;
	int r;

	*out = NULL;
	if ((r = pz_doc_load(&doc, path, NULL, 0, diags)))
		return r;
	p = pz_xcalloc(1, sizeof(*p));
	p->path = pz_xstrdup(path);
	root = doc->root;
	if (!root || root->kind != PZ_NODE_MAP) {
		pz_diag_add(diags, PZ_SEV_ERROR, path,
			    root ? root->pos : (struct pz_pos){1, 1, 0},
			    "a prices file is a map of unit to USD price "
			    "(e.g. TPS-hour: 0.2), not %s",
			    root ? pz_node_kind_name(root->kind) : "empty");
	}
	for (i = 0; root && root->kind == PZ_NODE_MAP && i < root->npairs;
	     i++) {
		const struct pz_pair *pr = &root->pairs[i];
		const struct pz_node *v = pr->value;
		int unit;

		/* Duplicate keys are the parser's error already. */
		if (!strcmp(pr->key, "region")) {
			if (v->kind != PZ_NODE_STR || !v->len)
				pz_diag_add(diags, PZ_SEV_ERROR, path, v->pos,
					    "region is a region's name (e.g. "
					    "us-east-1)");
			else if (!p->region) {
				p->region = pz_xstrdup(v->str);
				p->region_pos = v->pos;
			}
			continue;
		}
		unit = pz_unit_find(pr->key);
		if (unit >= 0 && !pz_unit_priceable((enum pz_unit)unit)) {
			pz_diag_add(diags, PZ_SEV_ERROR, path, pr->key_pos,
				    "%s has no price: AWS bills a batch job by "
				    "what it makes, not by the size of its "
				    "input, which pz shows for scale; remove "
				    "this line",
				    unit_names[unit]);
			continue;
		}
		if (unit < 0) {
			const char *near = pz_str_suggest(
			    pr->key, unit_names, PZ_UNIT_GB_BATCH_INPUT);

			if (near)
				pz_diag_add(diags, PZ_SEV_ERROR, path,
					    pr->key_pos,
					    "'%s' is no billing unit pz knows; "
					    "did you mean '%s'?",
					    pz_esc(pr->key), near);
			else
				pz_diag_add(diags, PZ_SEV_ERROR, path,
					    pr->key_pos,
					    "'%s' is no billing unit pz knows: "
					    "use region, TPS-hour, "
					    "request-hour, training-hour or "
					    "GB-ingested",
					    pz_esc(pr->key));
			continue;
		}
		if ((v->kind != PZ_NODE_INT && v->kind != PZ_NODE_FLOAT) ||
		    v->quoted) {
			pz_diag_add(diags, PZ_SEV_ERROR, path, v->pos,
				    "the price of %s is '%s', not a number: "
				    "give USD per %s, e.g. 0.2",
				    unit_names[unit], pz_esc(pz_node_shown(v)),
				    unit_names[unit]);
			continue;
		}
		p->usd[unit] = v->kind == PZ_NODE_INT ? (double)v->i : v->d;
		if (!isfinite(p->usd[unit]) || p->usd[unit] < 0) {
			pz_diag_add(diags, PZ_SEV_ERROR, path, v->pos,
				    "the price of %s must be zero or more "
				    "USD",
				    unit_names[unit]);
			continue;
		}
		p->has[unit] = true;
	}
	pz_doc_free(doc);
	if (diags->nerrors > errors) {
		pz_prices_free(p);
		return PZ_ESPEC;
	}
	*out = p;
	return 0;
}

int pz_prices_check_region(const struct pz_prices *p, const char *region,
			   const char *source, struct pz_diags *diags)
{
	if (!p || !p->region || !region || !strcmp(p->region, region))
		return 0;
	pz_diag_add(diags, PZ_SEV_ERROR, p->path, p->region_pos,
		    "these prices are for %s, but the plan is for %s (%s): "
		    "give the prices of %s (and region: %s), or plan in %s",
		    pz_esc(p->region), pz_esc(region), pz_esc(source),
		    pz_esc(region), pz_esc(region), pz_esc(p->region));
	return PZ_ESPEC;
}

void pz_usage_price(struct pz_usage *u, const struct pz_prices *p)
{
	size_t i;

	if (!u || !p)
		return;
	free(u->prices_path);
	u->prices_path = pz_xstrdup(p->path);
	free(u->prices_region);
	u->prices_region = p->region ? pz_xstrdup(p->region) : NULL;
	for (i = 0; i < u->n; i++) {
		struct pz_usage_item *it = &u->items[i];

		it->priced = it->known && p->has[it->unit];
		it->usd =
		    it->priced ? tidy(it->quantity * p->usd[it->unit]) : 0;
	}
}

/* --- totals --------------------------------------------------------------- */

struct total {
	bool any, priced, unknown; /* unknown: some item has no money */
	double usd;
};

static struct total total_of(const struct pz_usage *u, enum pz_usage_set set)
{
	struct total t = {false, false, false, 0};
	size_t i;

	for (i = 0; i < u->n; i++) {
		const struct pz_usage_item *it = &u->items[i];

		if (it->set != set)
			continue;
		t.any = true;
		if (it->priced) {
			t.priced = true;
			t.usd += it->usd;
		} else {
			t.unknown = true;
		}
	}
	return t;
}

static bool has_set(const struct pz_usage *u, enum pz_usage_set set)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (u->items[i].set == set)
			return true;
	return false;
}

static char *fmt_usd(double usd, bool sign)
{
	/* Cents rounded half away from zero, as a bill rounds. */
	double cents = round(fabs(usd) * 100.0);

	if (usd != 0 && cents == 0)
		return pz_xasprintf("%s<$0.01", usd < 0 ? "-"
						: sign	? "+"
							: "");
	return pz_xasprintf("%s$%.2f",
			    usd < 0 && cents > 0 ? "-"
			    : sign		 ? "+"
						 : "",
			    cents / 100.0);
}

static char *fmt_signed(const struct pz_usage_item *it)
{
	if (!it->known)
		return pz_xstrdup("unknown");
	char *q = fmt_qty(it->quantity);
	char *s = pz_xasprintf("%s%s", it->quantity > 0 ? "+" : "", q);

	free(q);
	return s;
}

static char *fmt_item_qty(const struct pz_usage_item *it)
{
	if (it->set == PZ_USAGE_DELTA)
		return fmt_signed(it);
	return it->known ? fmt_qty(it->quantity) : pz_xstrdup("unknown");
}

/* --- text ----------------------------------------------------------------- */

static const char *set_title(enum pz_usage_set set)
{
	switch (set) {
	case PZ_USAGE_MONTHLY: return "Each month, for what exists after apply";
	case PZ_USAGE_ONCE: return "Once, for what apply runs";
	case PZ_USAGE_DELTA: return "Change per month";
	case PZ_USAGE_BEFORE: break;
	}
	return "";
}

static int text_set(const struct pz_usage *u, enum pz_usage_set set,
		    struct pz_buf *out)
{
	size_t i, aw = 0, qw = 0;
	int r = 0;

	if (!has_set(u, set))
		return 0;
	for (i = 0; i < u->n; i++) {
		const struct pz_usage_item *it = &u->items[i];
		char *q;
		size_t l;

		if (it->set != set)
			continue;
		q = fmt_item_qty(it);
		l = strlen(q) + 1 + strlen(pz_unit_name(it->unit)) +
		    (set == PZ_USAGE_ONCE ? 0 : 6);
		qw = l > qw ? l : qw;
		free(q);
		l = strlen(it->address);
		aw = l > aw ? l : aw;
	}
	r = pz_buf_printf(out, "  %s:\n", set_title(set));
	for (i = 0; i < u->n && !r; i++) {
		const struct pz_usage_item *it = &u->items[i];
		char *q, *qu, *usd = NULL;

		if (it->set != set)
			continue;
		q = fmt_item_qty(it);
		qu = pz_xasprintf("%s %s%s", q, pz_unit_name(it->unit),
				  set == PZ_USAGE_ONCE ? "" : "/month");
		if (it->priced)
			usd = fmt_usd(it->usd, set == PZ_USAGE_DELTA);
		r = pz_buf_printf(out, "    %-*s  %-*s  %s%s%s\n", (int)aw,
				  pz_esc(it->address), (int)qw, qu,
				  usd ? usd : "", usd ? "  " : "",
				  pz_esc(it->basis));
		free(usd);
		free(q);
		free(qu);
	}
	return r;
}

static int text_total(const struct pz_usage *u, enum pz_usage_set set,
		      const char *label, const char *per, struct pz_buf *out)
{
	struct total t = total_of(u, set);
	char *usd;
	int r;

	if (!t.any)
		return 0;
	/* Said, so that no money reads as no cost. */
	if (!t.priced)
		return pz_buf_printf(out, "    %s: nothing priced or known\n",
				     label);
	usd = fmt_usd(t.usd, set == PZ_USAGE_DELTA);
	r = pz_buf_printf(out, "    %s: %s%s%s\n", label, usd, per,
			  t.unknown ? ", plus what is not priced or not "
				      "known"
				    : "");
	free(usd);
	return r;
}

int pz_usage_render_text(const struct pz_usage *u, struct pz_buf *out,
			 bool color)
{
	size_t i;
	int r;

	if (!u)
		return 0;
	r = pz_buf_printf(out,
			  "\n%sUsage%s in AWS's billing units (monthly "
			  "figures are minimums: traffic can raise them):\n",
			  color ? "\033[1m" : "", color ? "\033[0m" : "");
	if (!r && !has_set(u, PZ_USAGE_MONTHLY) && !has_set(u, PZ_USAGE_ONCE))
		r = pz_buf_adds(out, "  nothing that bills by the hour or "
				     "by the job\n");
	if (!r)
		r = text_set(u, PZ_USAGE_MONTHLY, out);
	if (!r)
		r = text_set(u, PZ_USAGE_ONCE, out);
	if (!r)
		r = text_set(u, PZ_USAGE_DELTA, out);
	if (!r && u->prices_path)
		r = pz_buf_printf(
		    out, "  In USD, at the prices in %s%s%s%s:\n",
		    pz_esc(u->prices_path), u->prices_region ? " (" : "",
		    u->prices_region ? pz_esc(u->prices_region) : "",
		    u->prices_region ? ")" : "");
	if (!r && u->prices_path) {
		r = text_total(u, PZ_USAGE_MONTHLY, "each month", "", out);
		if (!r)
			r = text_total(u, PZ_USAGE_ONCE, "once", "", out);
		if (!r)
			r = text_total(u, PZ_USAGE_DELTA, "change per month",
				       "", out);
	}
	for (i = 0; i < u->nhints && !r; i++)
		r = pz_buf_printf(
		    out, "%s  %s: %s\n", i ? "" : "\nCost hints:\n",
		    pz_esc(u->hints[i].address), pz_esc(u->hints[i].text));
	return r;
}

/* --- markdown ------------------------------------------------------------- */

/* A cell: escaped for the terminal and the table. */
static int md_cell(struct pz_buf *out, const char *s)
{
	const char *p;
	int r = 0;

	for (p = pz_esc(s); *p && !r; p++)
		r = *p == '|' ? pz_buf_adds(out, "\\|") : pz_buf_addc(out, *p);
	return r;
}

static int md_total(const struct pz_usage *u, enum pz_usage_set set,
		    const char *label, struct pz_buf *out)
{
	struct total t = total_of(u, set);
	char *usd;
	int r;

	if (!t.any)
		return 0;
	if (!t.priced)
		return pz_buf_printf(out, "| **%s** | | | | | not priced |\n",
				     label);
	usd = fmt_usd(t.usd, set == PZ_USAGE_DELTA);
	r = pz_buf_printf(out, "| **%s** | | | | | **%s**%s |\n", label, usd,
			  t.unknown ? " + not priced" : "");
	free(usd);
	return r;
}

/* The Cost section too long for its room: per set and unit, the sum of
 * the known quantities (and their money), and how many are unknown. */
static int md_brief(const struct pz_usage *u, struct pz_buf *out)
{
	static const enum pz_usage_set sets[] = {PZ_USAGE_MONTHLY,
						 PZ_USAGE_ONCE, PZ_USAGE_DELTA};
	static const char *const when[] = {"monthly", "once", "change/month"};
	size_t i, k, unit;
	int r = pz_buf_adds(out, "\n### Cost\n\nToo many figures for a "
				 "comment: the totals per unit (`pz plan` "
				 "lists each).\n\n| when | quantity | unit | "
				 "unknown | USD |\n|---|---:|---|---:|---:|\n");

	for (k = 0; k < PZ_ARRAY_LEN(sets) && !r; k++) {
		for (unit = 0; unit < PZ_UNIT_COUNT && !r; unit++) {
			double q = 0, usd = 0;
			size_t n = 0, unknown = 0;
			bool priced = false;
			char *qs, *us;

			for (i = 0; i < u->n; i++) {
				const struct pz_usage_item *it = &u->items[i];

				if (it->set != sets[k] || it->unit != unit)
					continue;
				n++;
				if (!it->known)
					unknown++;
				q += it->known ? it->quantity : 0;
				usd += it->priced ? it->usd : 0;
				priced |= it->priced;
			}
			if (!n)
				continue;
			qs = fmt_qty(q);
			us = priced ? fmt_usd(usd, sets[k] == PZ_USAGE_DELTA)
				    : pz_xstrdup("");
			r = pz_buf_printf(
			    out, "| %s | %s%s | %s | %zu | %s |\n", when[k],
			    sets[k] == PZ_USAGE_DELTA && q > 0 ? "+" : "", qs,
			    unit_names[unit], unknown, us);
			free(qs);
			free(us);
		}
	}
	return r;
}

int pz_usage_render_markdown(const struct pz_usage *u, struct pz_buf *out,
			     size_t room)
{
	size_t start = out->len;
	static const enum pz_usage_set sets[] = {PZ_USAGE_MONTHLY,
						 PZ_USAGE_ONCE, PZ_USAGE_DELTA};
	static const char *const when[] = {"monthly", "once", "change/month"};
	size_t i, k;
	int r;

	if (!u)
		return 0;
	r = pz_buf_adds(out, "\n### Cost\n\n");
	if (!r && !u->n)
		r = pz_buf_adds(out, "Nothing that bills by the hour or by "
				     "the job.\n");
	if (!r && u->n)
		r = pz_buf_printf(out,
				  "In AWS's billing units; monthly figures are "
				  "minimums (traffic can raise them)%s%s%s.\n\n"
				  "| resource | when | quantity | unit | basis "
				  "| USD |\n|---|---|---:|---|---|---:|\n",
				  u->prices_path ? "; USD at the prices in `"
						 : "",
				  u->prices_path ? pz_esc(u->prices_path) : "",
				  u->prices_path ? "`" : "");
	for (k = 0; k < PZ_ARRAY_LEN(sets) && !r; k++) {
		for (i = 0; i < u->n && !r; i++) {
			const struct pz_usage_item *it = &u->items[i];
			char *q, *usd;

			if (it->set != sets[k])
				continue;
			q = fmt_item_qty(it);
			usd = it->priced
				  ? fmt_usd(it->usd, sets[k] == PZ_USAGE_DELTA)
				  : pz_xstrdup("");
			r = pz_buf_adds(out, "| `");
			if (!r)
				r = md_cell(out, it->address);
			if (!r)
				r = pz_buf_printf(out, "` | %s | %s | %s | ",
						  when[k], q,
						  pz_unit_name(it->unit));
			if (!r)
				r = md_cell(out, it->basis);
			if (!r)
				r = pz_buf_printf(out, " | %s |\n", usd);
			free(q);
			free(usd);
		}
	}
	if (!r && u->prices_path) {
		r = md_total(u, PZ_USAGE_MONTHLY, "total per month", out);
		if (!r)
			r = md_total(u, PZ_USAGE_ONCE, "total once", out);
		if (!r)
			r = md_total(u, PZ_USAGE_DELTA, "change per month",
				     out);
	}
	for (i = 0; i < u->nhints && !r; i++) {
		r = pz_buf_adds(out, i ? "- `" : "\nHints:\n\n- `");
		if (!r)
			r = md_cell(out, u->hints[i].address);
		if (!r)
			r = pz_buf_adds(out, "`: ");
		if (!r)
			r = md_cell(out, u->hints[i].text);
		if (!r)
			r = pz_buf_addc(out, '\n');
	}
	if (!r && out->len - start > room) {
		pz_buf_truncate(out, start);
		r = md_brief(u, out);
	}
	return r;
}

/* --- JSON ----------------------------------------------------------------- */

static cJSON *item_json(const struct pz_usage_item *it)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "address", it->address);
	cJSON_AddStringToObject(o, "unit", pz_unit_name(it->unit));
	if (it->known)
		cJSON_AddNumberToObject(o, "quantity", it->quantity);
	else
		cJSON_AddNullToObject(o, "quantity");
	cJSON_AddStringToObject(o, "basis", it->basis);
	if (it->priced)
		cJSON_AddNumberToObject(o, "usd", it->usd);
	return o;
}

static cJSON *set_json(const struct pz_usage *u, enum pz_usage_set set)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < u->n; i++)
		if (u->items[i].set == set)
			cJSON_AddItemToArray(a, item_json(&u->items[i]));
	return a;
}

cJSON *pz_usage_to_json(const struct pz_usage *u)
{
	cJSON *o;

	if (!u)
		return NULL;
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "monthly", set_json(u, PZ_USAGE_MONTHLY));
	cJSON_AddItemToObject(o, "once", set_json(u, PZ_USAGE_ONCE));
	cJSON_AddItemToObject(o, "delta_monthly", set_json(u, PZ_USAGE_DELTA));
	return o;
}

cJSON *pz_usage_save_json(const struct pz_usage *u)
{
	cJSON *o, *hints;
	size_t i;

	if (!u)
		return NULL;
	o = pz_usage_to_json(u);
	cJSON_AddItemToObject(o, "before", set_json(u, PZ_USAGE_BEFORE));
	hints = cJSON_AddArrayToObject(o, "hints");
	for (i = 0; i < u->nhints; i++) {
		cJSON *h = cJSON_CreateObject();

		cJSON_AddStringToObject(h, "address", u->hints[i].address);
		cJSON_AddStringToObject(h, "text", u->hints[i].text);
		cJSON_AddItemToArray(hints, h);
	}
	if (u->prices_path)
		cJSON_AddStringToObject(o, "prices", u->prices_path);
	if (u->prices_region)
		cJSON_AddStringToObject(o, "prices_region", u->prices_region);
	return o;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool load_set(struct pz_usage *u, const cJSON *o, const char *key,
		     enum pz_usage_set set)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key), *e;

	if (!cJSON_IsArray(a))
		return false;
	cJSON_ArrayForEach(e, a)
	{
		const cJSON *q =
		    cJSON_GetObjectItemCaseSensitive(e, "quantity");
		const cJSON *usd = cJSON_GetObjectItemCaseSensitive(e, "usd");
		int unit = pz_unit_find(jstr(e, "unit"));
		struct pz_usage_item *it;

		if (unit < 0 || !jstr(e, "address") || !jstr(e, "basis") ||
		    !(cJSON_IsNumber(q) || cJSON_IsNull(q)) ||
		    (usd && !cJSON_IsNumber(usd)))
			return false;
		it = add_item(u, set, jstr(e, "address"), (enum pz_unit)unit,
			      cJSON_IsNumber(q),
			      cJSON_IsNumber(q) ? q->valuedouble : 0,
			      pz_xstrdup(jstr(e, "basis")));
		it->priced = usd != NULL;
		it->usd = usd ? usd->valuedouble : 0;
	}
	return true;
}

struct pz_usage *pz_usage_from_json(const cJSON *v)
{
	struct pz_usage *u;
	const cJSON *hints, *h;

	if (!cJSON_IsObject(v))
		return NULL;
	u = pz_usage_new();
	if (!load_set(u, v, "monthly", PZ_USAGE_MONTHLY) ||
	    !load_set(u, v, "once", PZ_USAGE_ONCE) ||
	    !load_set(u, v, "delta_monthly", PZ_USAGE_DELTA) ||
	    !load_set(u, v, "before", PZ_USAGE_BEFORE))
		goto bad;
	hints = cJSON_GetObjectItemCaseSensitive(v, "hints");
	if (!cJSON_IsArray(hints))
		goto bad;
	cJSON_ArrayForEach(h, hints)
	{
		if (!jstr(h, "address") || !jstr(h, "text"))
			goto bad;
		pz_usage_hint(u, jstr(h, "address"), "%s", jstr(h, "text"));
	}
	if (jstr(v, "prices"))
		u->prices_path = pz_xstrdup(jstr(v, "prices"));
	if (jstr(v, "prices_region"))
		u->prices_region = pz_xstrdup(jstr(v, "prices_region"));
	return u;
bad:
	pz_usage_free(u);
	return NULL;
}
