/*
 * plan_render.c - plans for people (text in Terraform's parseable form,
 * markdown for pull requests) and for tools (Terraform's plan JSON).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "gitops.h"
#include "json_out.h"
#include "plan.h"
#include "provider.h"
#include "unknown.h"
#include "usage.h"

#define C_ADD  "\033[32m"
#define C_DEL  "\033[31m"
#define C_CHG  "\033[33m"
#define C_BOLD "\033[1m"
#define C_OFF  "\033[0m"

struct out {
	struct pz_buf *b;
	bool color;
	int r;
};

static void put(struct out *o, const char *fmt, ...) PZ_PRINTF(2, 3);

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->r)
		return;
	va_start(ap, fmt);
	o->r = pz_buf_vprintf(o->b, fmt, ap);
	va_end(ap);
}

static const char *col(const struct out *o, const char *c)
{
	return o->color ? c : "";
}

static void indent(struct out *o, int n)
{
	put(o, "%*s", n, "");
}

/* A scalar value as Terraform prints it; unknown ones as "(known after
 * apply)". Objects and arrays are handled by the caller. */
static void put_scalar(struct out *o, const cJSON *v)
{
	struct pz_buf tmp;

	if (!v || cJSON_IsNull(v)) {
		put(o, "null");
	} else if (pz_json_is_sensitive(v)) {
		put(o, PZ_SENSITIVE_TEXT);
	} else if (pz_unknown_is(v)) {
		put(o, PZ_UNKNOWN_TEXT);
	} else {
		pz_buf_init(&tmp, 0);
		if (pz_json_write(v, &tmp, -1) == 0)
			put(o, "%s", pz_buf_cstr(&tmp));
		pz_buf_release(&tmp);
	}
}

static bool is_container(const cJSON *v)
{
	return v && (cJSON_IsObject(v) || cJSON_IsArray(v));
}

static int cmp_items(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string,
		      (*(const cJSON *const *)b)->string);
}

/* The union of the keys of a and b, sorted; *n set. */
static const char **keys_of(const cJSON *a, const cJSON *b, size_t *n)
{
	const cJSON *c;
	const cJSON **items;
	const char **keys;
	size_t cap = 0, k = 0, i;

	cJSON_ArrayForEach(c, a) cap++;
	cJSON_ArrayForEach(c, b) cap++;
	items = pz_xcalloc(cap + 1, sizeof(*items));
	cJSON_ArrayForEach(c, a) items[k++] = c;
	cJSON_ArrayForEach(c, b)
	{
		if (!cJSON_IsObject(a) ||
		    !cJSON_GetObjectItemCaseSensitive(a, c->string))
			items[k++] = c;
	}
	qsort(items, k, sizeof(*items), cmp_items);
	keys = pz_xcalloc(k + 1, sizeof(*keys));
	for (i = 0; i < k; i++)
		keys[i] = items[i]->string;
	free(items);
	*n = k;
	return keys;
}

static size_t max_width(const char **keys, size_t n, size_t at_least)
{
	size_t k, w = at_least;

	for (k = 0; k < n; k++)
		if (strlen(keys[k]) > w)
			w = strlen(keys[k]);
	return w;
}

static bool in_list(char **list, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i], path))
			return true;
	return false;
}

static void put_value_lines(struct out *o, const cJSON *v, char sym, int depth);

/* A whole value under one symbol (created or destroyed members). */
static void put_block(struct out *o, const cJSON *v, char sym, int depth)
{
	const cJSON *c;
	size_t width = 0;

	if (cJSON_IsArray(v)) {
		put(o, "[\n");
		cJSON_ArrayForEach(c, v)
		{
			indent(o, depth * 4 + 2);
			put(o, "%s%c%s ", col(o, sym == '+' ? C_ADD : C_DEL),
			    sym, col(o, C_OFF));
			put_value_lines(o, c, sym, depth + 1);
			put(o, ",\n");
		}
		indent(o, depth * 4);
		put(o, "]");
		return;
	}
	cJSON_ArrayForEach(c, v)
	{
		size_t l = strlen(c->string);

		if (l > width)
			width = l;
	}
	put(o, "{\n");
	cJSON_ArrayForEach(c, v)
	{
		indent(o, depth * 4 + 2);
		put(o, "%s%c%s %-*s = ", col(o, sym == '+' ? C_ADD : C_DEL),
		    sym, col(o, C_OFF), (int)width, pz_esc(c->string));
		put_value_lines(o, c, sym, depth + 1);
		put(o, "\n");
	}
	indent(o, depth * 4);
	put(o, "}");
}

static void put_value_lines(struct out *o, const cJSON *v, char sym, int depth)
{
	if (is_container(v) && v->child)
		put_block(o, v, sym, depth);
	else if (cJSON_IsObject(v))
		put(o, "{}");
	else if (cJSON_IsArray(v))
		put(o, "[]");
	else
		put_scalar(o, v);
}

/* One attribute line of an update or replace: "~ key = old -> new". */
static void put_attr_diff(struct out *o, const struct pz_change *ch,
			  const char *key, const cJSON *before,
			  const cJSON *after, int depth, size_t width,
			  const char *path, size_t *hidden)
{
	bool forces = in_list(ch->replace_paths, ch->nreplace, path);
	bool changes = forces || in_list(ch->update_paths, ch->nupdate, path);

	if (!changes) {
		/* A change beneath it? Then open the object. */
		size_t plen = strlen(path), i;
		bool below = false;

		for (i = 0; i < ch->nreplace && !below; i++)
			below = !strncmp(ch->replace_paths[i], path, plen) &&
				ch->replace_paths[i][plen] == '.';
		for (i = 0; i < ch->nupdate && !below; i++)
			below = !strncmp(ch->update_paths[i], path, plen) &&
				ch->update_paths[i][plen] == '.';
		if (!below) {
			if (!strcmp(key, "name") || !strcmp(key, "jobName")) {
				indent(o, depth * 4 + 4);
				put(o, "%-*s = ", (int)width, pz_esc(key));
				put_scalar(o, after ? after : before);
				put(o, "\n");
			} else {
				(*hidden)++;
			}
			return;
		}
		indent(o, depth * 4 + 2);
		put(o, "%s~%s %-*s = {\n", col(o, C_CHG), col(o, C_OFF),
		    (int)width, pz_esc(key));
		{
			size_t n, k, w = 0, h = 0;
			const char **keys = keys_of(after, before, &n);

			for (k = 0; k < n; k++)
				if (strlen(keys[k]) > w)
					w = strlen(keys[k]);
			for (k = 0; k < n; k++) {
				char *sub =
				    pz_xasprintf("%s.%s", path, keys[k]);

				put_attr_diff(o, ch, keys[k],
					      cJSON_GetObjectItemCaseSensitive(
						  before, keys[k]),
					      cJSON_GetObjectItemCaseSensitive(
						  after, keys[k]),
					      depth + 1, w, sub, &h);
				free(sub);
			}
			free(keys);
			if (h) {
				indent(o, depth * 4 + 8);
				put(o, "# (%zu unchanged attribute%s hidden)\n",
				    h, h == 1 ? "" : "s");
			}
		}
		indent(o, depth * 4 + 4);
		put(o, "}\n");
		return;
	}
	indent(o, depth * 4 + 2);
	if (!before || cJSON_IsNull(before)) {
		put(o, "%s+%s %-*s = ", col(o, C_ADD), col(o, C_OFF),
		    (int)width, pz_esc(key));
		put_value_lines(o, after, '+', depth + 1);
	} else if (!after) {
		put(o, "%s-%s %-*s = ", col(o, C_DEL), col(o, C_OFF),
		    (int)width, pz_esc(key));
		put_value_lines(o, before, '-', depth + 1);
		put(o, " -> null");
	} else if (is_container(before) || is_container(after)) {
		put(o, "%s~%s %-*s = ", col(o, C_CHG), col(o, C_OFF),
		    (int)width, pz_esc(key));
		put_value_lines(o, before, '-', depth + 1);
		put(o, " -> ");
		put_value_lines(o, after, '+', depth + 1);
	} else {
		put(o, "%s~%s %-*s = ", col(o, C_CHG), col(o, C_OFF),
		    (int)width, pz_esc(key));
		put_scalar(o, before);
		put(o, " -> ");
		put_scalar(o, after);
	}
	if (forces)
		put(o, " %s# forces replacement%s", col(o, C_DEL),
		    col(o, C_OFF));
	put(o, "\n");
}

/*
 * Every attribute of v under one symbol: '+' (created) or '-' (destroyed,
 * each "-> null"). arn, when not NULL, is the first line's value: "(known
 * after apply)" or the ARN being destroyed.
 */
static void put_whole(struct out *o, const cJSON *v, char sym, const char *arn)
{
	const char *c = sym == '+' ? C_ADD : C_DEL;
	size_t n, k, width;
	const char **keys = keys_of(v, NULL, &n);

	width = max_width(keys, n, arn ? 3 : 0);
	if (arn) {
		indent(o, 6);
		put(o, "%s%c%s %-*s = %s%s", col(o, c), sym, col(o, C_OFF),
		    (int)width, "arn", arn, sym == '-' ? " -> null\n" : "\n");
	}
	for (k = 0; k < n; k++) {
		indent(o, 6);
		put(o, "%s%c%s %-*s = ", col(o, c), sym, col(o, C_OFF),
		    (int)width, pz_esc(keys[k]));
		put_value_lines(o, cJSON_GetObjectItemCaseSensitive(v, keys[k]),
				sym, 2);
		put(o, sym == '-' ? " -> null\n" : "\n");
	}
	free(keys);
	put(o, "    }\n\n");
}

static const char *key_of(const char *address)
{
	const char *dot = strchr(address, '.');

	return dot ? dot + 1 : address;
}

/* What a delete or replacement costs outside pz, said plainly. */
static void put_loss(struct out *o, const struct pz_change *c)
{
	const struct pz_rtype *t = pz_rtype_find(c->type);
	size_t i;

	if (c->implicit || !t)
		return;
	if (t->loss_note)
		put(o, "  %s# (warning: %s)%s\n", col(o, C_DEL), t->loss_note,
		    col(o, C_OFF));
	for (i = 0; t->arn_path && i < c->nreplace; i++)
		if (!strcmp(c->replace_paths[i], "name"))
			put(o,
			    "  %s# (warning: its ARN is made from its name, so "
			    "it gets a new ARN: whatever uses the old one must "
			    "change)%s\n",
			    col(o, C_DEL), col(o, C_OFF));
}

static void put_header(struct out *o, const struct pz_change *c)
{
	const char *what = "";

	switch (c->action) {
	case PZ_ACTION_CREATE: what = "will be created"; break;
	case PZ_ACTION_UPDATE: what = "will be updated in-place"; break;
	case PZ_ACTION_REPLACE:
		what =
		    c->cause ? "must be replaced because" : "must be replaced";
		break;
	case PZ_ACTION_DELETE: what = "will be destroyed"; break;
	case PZ_ACTION_WAIT: what = "waits"; break;
	case PZ_ACTION_NOOP: return;
	}
	if (c->cause)
		put(o, "  %s# %s%s %s %s is %s\n", col(o, C_BOLD),
		    pz_esc(c->address), col(o, C_OFF), what, pz_esc(c->cause),
		    c->cause_deleted ? "destroyed" : "replaced");
	else
		put(o, "  %s# %s%s %s\n", col(o, C_BOLD), pz_esc(c->address),
		    col(o, C_OFF), what);
	if (c->cause)
		put(o,
		    "  # (the service refuses to delete %s while this "
		    "exists: it goes first and is created again after, "
		    "unavailable in between)\n",
		    pz_esc(c->cause));
	if (c->reason && !strcmp(c->reason, "replace_because_tainted"))
		put(o, "  # (its creation failed earlier, so it is tainted)\n");
	if (c->reason &&
	    !strcmp(c->reason, "delete_because_no_resource_config"))
		put(o, "  # (because %s is not in the spec)\n",
		    pz_esc(c->address));
	if (c->action == PZ_ACTION_REPLACE || c->action == PZ_ACTION_DELETE)
		put_loss(o, c);
	if (c->trigger)
		put(o, "  # (trigger: %s)\n", pz_esc(c->trigger));
	if (c->condition)
		put(o, "  # (condition: %s)\n", pz_esc(c->condition));
	if (c->note)
		put(o, "  # (%s)\n", pz_esc(c->note));
	if (c->implicit && c->action == PZ_ACTION_DELETE) {
		const struct pz_rtype *t = pz_rtype_find(c->type);

		put(o, "  # (no API call: %s)\n",
		    t && t->implicit_note ? t->implicit_note
					  : "only the record is removed");
	}
}

static void put_change(struct out *o, const struct pz_change *c)
{
	const char *sym = "", *color = C_ADD;
	size_t n, k, width = 0, hidden = 0;
	const char **keys;

	put_header(o, c);
	switch (c->action) {
	case PZ_ACTION_CREATE: sym = "  +"; break;
	case PZ_ACTION_UPDATE:
		sym = "  ~";
		color = C_CHG;
		break;
	case PZ_ACTION_REPLACE:
		sym = c->create_first ? "+/-" : "-/+";
		color = C_CHG;
		break;
	case PZ_ACTION_DELETE:
		sym = "  -";
		color = C_DEL;
		break;
	case PZ_ACTION_WAIT:
	case PZ_ACTION_NOOP: put(o, "\n"); return;
	}
	put(o, "%s%s%s resource \"%s\" \"%s\" {\n", col(o, color), sym,
	    col(o, C_OFF), pz_esc(c->type), pz_esc(key_of(c->address)));
	if (c->action == PZ_ACTION_CREATE) {
		put_whole(o, c->after, '+', PZ_UNKNOWN_TEXT);
		return;
	}
	if (c->action == PZ_ACTION_DELETE) {
		char *arn = c->arn ? pz_xasprintf("\"%s\"", pz_esc(c->arn))
				   : pz_xstrdup("null");

		put_whole(o, c->before, '-', arn);
		free(arn);
		return;
	}
	keys = keys_of(c->after, c->before, &n);
	width = max_width(keys, n, 0);
	if (c->action == PZ_ACTION_REPLACE) {
		indent(o, 6);
		put(o, "%s~%s %-*s = \"%s\" -> " PZ_UNKNOWN_TEXT "\n",
		    col(o, C_CHG), col(o, C_OFF), (int)(width > 3 ? width : 3),
		    "arn", c->arn ? pz_esc(c->arn) : "");
	}
	for (k = 0; k < n; k++)
		put_attr_diff(
		    o, c, keys[k],
		    cJSON_GetObjectItemCaseSensitive(c->before, keys[k]),
		    cJSON_GetObjectItemCaseSensitive(c->after, keys[k]), 1,
		    width, keys[k], &hidden);
	free(keys);
	if (hidden) {
		indent(o, 8);
		put(o, "# (%zu unchanged attribute%s hidden)\n", hidden,
		    hidden == 1 ? "" : "s");
	}
	put(o, "    }\n\n");
}

/* A change with its sensitive values (either side) as "(sensitive)". */
static void put_change_shown(struct out *o, const struct pz_change *c)
{
	struct pz_change shown = *c;

	shown.before = pz_json_redacted(c->before, c->after, NULL);
	shown.after = pz_json_redacted(c->after, c->before, NULL);
	put_change(o, &shown);
	cJSON_Delete(shown.before);
	cJSON_Delete(shown.after);
}

static void put_drift(struct out *o, const struct pz_drift *d)
{
	size_t n, k, width = 0;
	const char **keys;

	if (d->deleted) {
		put(o, "  %s# %s%s has been deleted\n", col(o, C_BOLD),
		    pz_esc(d->address), col(o, C_OFF));
		put(o, "  %s-%s resource \"%s\" \"%s\" {\n", col(o, C_DEL),
		    col(o, C_OFF), pz_esc(d->type), pz_esc(key_of(d->address)));
		put_whole(o, d->before, '-', NULL);
		return;
	}
	put(o, "  %s# %s%s has changed\n", col(o, C_BOLD), pz_esc(d->address),
	    col(o, C_OFF));
	put(o, "  %s~%s resource \"%s\" \"%s\" {\n", col(o, C_CHG),
	    col(o, C_OFF), pz_esc(d->type), pz_esc(key_of(d->address)));
	keys = keys_of(d->before, NULL, &n);
	width = max_width(keys, n, 0);
	for (k = 0; k < n; k++) {
		const cJSON *a =
		    cJSON_GetObjectItemCaseSensitive(d->before, keys[k]);
		const cJSON *b =
		    cJSON_GetObjectItemCaseSensitive(d->after, keys[k]);

		if (!b || pz_json_equal(a, b))
			continue;
		indent(o, 6);
		put(o, "%s~%s %-*s = ", col(o, C_CHG), col(o, C_OFF),
		    (int)width, pz_esc(keys[k]));
		put_value_lines(o, a, '-', 2);
		put(o, " -> ");
		put_value_lines(o, b, '+', 2);
		put(o, "\n");
	}
	free(keys);
	put(o, "    }\n\n");
}

/* The operations in an order that executes as listed, each with the
 * steps it waits for. */
static void put_ops(struct out *o, const struct pz_plan *plan)
{
	size_t i, k, width = 0;

	if (!plan->nops)
		return;
	for (i = 0; i < plan->nops; i++) {
		size_t l = strlen(plan->changes[plan->ops[i].change].address);

		width = l > width ? l : width;
	}
	put(o, "pz will run these operations, each once those it waits for "
	       "are done:\n");
	for (i = 0; i < plan->nops; i++) {
		const struct pz_op *op = &plan->ops[i];

		put(o, "  %3zu. %-6s %-*s", i + 1, pz_op_kind_name(op->kind),
		    (int)(op->nafter ? width : 0),
		    plan->changes[op->change].address);
		for (k = 0; k < op->nafter; k++)
			put(o, "%s%zu", k ? ", " : "  (after ",
			    op->after[k] + 1);
		put(o, "%s\n", op->nafter ? ")" : "");
	}
	put(o, "\n");
}

/* "abcdef123456 (main)": a commit as people read it. */
static void put_commit(struct out *o, const char *id, const char *ref)
{
	put(o, "%.12s", id);
	if (ref && strncmp(ref, id, strlen(ref)))
		put(o, " (%s)", pz_esc(ref));
}

/* Where the spec comes from and, with a base, what the change declares
 * differently (issue 15). */
static void put_git(struct out *o, const struct pz_plan_git *pg)
{
	size_t i, k;

	put(o, "Git: the spec %s is from commit ",
	    pg->spec_path ? pz_esc(pg->spec_path) : "");
	put_commit(o, pg->head, pg->head_ref);
	put(o, "%s\n", pg->dirty ? " plus uncommitted changes" : "");
	if (pg->dirty)
		put(o,
		    "%sWarning: the work tree has uncommitted changes: this "
		    "plan is of them, not of commit %.12s; apply on merge "
		    "needs a plan of a clean checkout.%s\n",
		    col(o, C_DEL), pg->head, col(o, C_OFF));
	if (!pg->base[0]) {
		put(o, "\n");
		return;
	}
	put(o, "Compared with the base, commit ");
	put_commit(o, pg->base, pg->base_ref);
	put(o, ":\n");
	if (!pg->nfiles)
		put(o, "  no spec file changed\n");
	for (i = 0; i < pg->nfiles; i++) {
		const struct pz_plan_git_file *f = &pg->files[i];

		put(o, "  %-8s %s", f->status, pz_esc(f->path));
		if (f->old_path && strcmp(f->old_path, f->path))
			put(o, " (was %s)", pz_esc(f->old_path));
		put(o, "%s\n", f->spec ? "  <- the spec" : "");
	}
	if (pg->note)
		put(o, "  (%s)\n", pz_esc(pg->note));
	else if (!pg->nresources)
		put(o, "  the change declares no resource differently\n");
	for (i = 0; i < pg->nresources; i++) {
		const struct pz_plan_git_resource *gr = &pg->resources[i];

		put(o, "  %s %s %s",
		    !strcmp(gr->change, "added")     ? "+"
		    : !strcmp(gr->change, "removed") ? "-"
						     : "~",
		    pz_esc(gr->address), gr->change);
		for (k = 0; k < gr->nmembers; k++)
			put(o, "%s%s", k ? ", " : ": ", pz_esc(gr->members[k]));
		put(o, "\n");
	}
	put(o, "\n");
}

int pz_plan_render_text(const struct pz_plan *plan, struct pz_buf *out,
			const struct pz_render_opts *ro)
{
	struct out o = {out, ro && ro->color, 0};
	bool sym[6] = {false}, create_first = false;
	size_t i;

	if (plan->git && !(ro && ro->omit_notes))
		put_git(&o, plan->git);

	if (plan->ndrift) {
		put(&o, "%sNote: Objects have changed outside of pz%s\n\n",
		    col(&o, C_BOLD), col(&o, C_OFF));
		put(&o, "pz detected the following changes made outside of pz "
			"since the last \"pz apply\":\n\n");
		for (i = 0; i < plan->ndrift; i++)
			put_drift(&o, &plan->drift[i]);
		put(&o, "Unless you have made equivalent changes to the spec, "
			"the actions below undo or respond to these changes.\n"
			"\n");
	}
	if (!pz_plan_has_changes(plan)) {
		put(&o,
		    "%sNo changes.%s Your infrastructure matches the "
		    "configuration.\n\n",
		    col(&o, C_BOLD), col(&o, C_OFF));
		if (plan->destroy)
			put(&o, "pz found nothing in the state to destroy.\n");
		else
			put(&o,
			    "pz has compared %s against the spec and "
			    "found no differences, so no changes are "
			    "needed.\n",
			    plan->refreshed ? "the live resources"
					    : "the recorded state");
		for (i = 0; i < plan->n; i++)
			if (plan->changes[i].action == PZ_ACTION_WAIT) {
				put(&o, "\n");
				put_header(&o, &plan->changes[i]);
			}
		goto notes;
	}
	for (i = 0; i < plan->n; i++) {
		sym[plan->changes[i].action] = true;
		if (plan->changes[i].action == PZ_ACTION_REPLACE &&
		    plan->changes[i].create_first)
			create_first = true;
	}
	put(&o, "pz will use the spec and the state to perform the "
		"actions below. Resource actions are indicated with the "
		"following symbols:\n");
	if (sym[PZ_ACTION_CREATE])
		put(&o, "  %s+%s create\n", col(&o, C_ADD), col(&o, C_OFF));
	if (sym[PZ_ACTION_UPDATE])
		put(&o, "  %s~%s update in-place\n", col(&o, C_CHG),
		    col(&o, C_OFF));
	if (sym[PZ_ACTION_DELETE])
		put(&o, "  %s-%s destroy\n", col(&o, C_DEL), col(&o, C_OFF));
	if (sym[PZ_ACTION_REPLACE] && !create_first)
		put(&o, "%s-/+%s destroy and then create replacement\n",
		    col(&o, C_CHG), col(&o, C_OFF));
	if (create_first)
		put(&o, "%s+/-%s create replacement and then destroy\n",
		    col(&o, C_CHG), col(&o, C_OFF));
	put(&o, "\npz will perform the following actions:\n\n");
	for (i = 0; i < plan->n; i++)
		if (plan->changes[i].action != PZ_ACTION_NOOP)
			put_change_shown(&o, &plan->changes[i]);
	put_ops(&o, plan);
	put(&o, "%sPlan:%s %zu to add, %zu to change, %zu to destroy.\n",
	    col(&o, C_BOLD), col(&o, C_OFF), plan->nadd, plan->nchange,
	    plan->ndestroy);
notes:
	for (i = 0; i < plan->nnotes && !(ro && ro->omit_notes); i++)
		put(&o, "\nNote: %s\n", pz_esc(plan->notes[i]));
	if (!o.r && !(ro && ro->omit_usage))
		o.r = pz_usage_render_text(plan->usage, out, o.color);
	return o.r;
}

/* --- JSON
 * --------------------------------------------------------------------- */

/* after without unknown values, and the matching after_unknown. */
static cJSON *split_unknown(const cJSON *v, cJSON **unknown)
{
	cJSON *known, *u, *c;

	*unknown = NULL;
	if (!v)
		return cJSON_CreateNull();
	if (pz_unknown_is(v)) {
		*unknown = cJSON_CreateTrue();
		return NULL;
	}
	if (cJSON_IsObject(v)) {
		known = cJSON_CreateObject();
		u = cJSON_CreateObject();
		for (c = v->child; c; c = c->next) {
			cJSON *cu, *ck = split_unknown(c, &cu);

			if (ck)
				cJSON_AddItemToObject(known, c->string, ck);
			if (cu)
				cJSON_AddItemToObject(u, c->string, cu);
		}
		if (u->child)
			*unknown = u;
		else
			cJSON_Delete(u);
		return known;
	}
	if (cJSON_IsArray(v)) {
		bool any = false;

		known = cJSON_CreateArray();
		u = cJSON_CreateArray();
		for (c = v->child; c; c = c->next) {
			cJSON *cu, *ck = split_unknown(c, &cu);

			cJSON_AddItemToArray(known,
					     ck ? ck : cJSON_CreateNull());
			cJSON_AddItemToArray(u, cu ? cu : cJSON_CreateFalse());
			any |= cu != NULL;
		}
		if (any)
			*unknown = u;
		else
			cJSON_Delete(u);
		return known;
	}
	return cJSON_Duplicate(v, 1);
}

static cJSON *paths_json(char **paths, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < n; i++) {
		cJSON *p = cJSON_CreateArray();
		char *copy = pz_xstrdup(paths[i]), *s = copy, *dot;

		while ((dot = strchr(s, '.'))) {
			*dot = '\0';
			cJSON_AddItemToArray(p, cJSON_CreateString(s));
			s = dot + 1;
		}
		cJSON_AddItemToArray(p, cJSON_CreateString(s));
		free(copy);
		cJSON_AddItemToArray(arr, p);
	}
	return arr;
}

static cJSON *actions_json(const struct pz_change *c)
{
	cJSON *a = cJSON_CreateArray();

	switch (c->action) {
	case PZ_ACTION_CREATE:
		cJSON_AddItemToArray(a, cJSON_CreateString("create"));
		break;
	case PZ_ACTION_UPDATE:
		cJSON_AddItemToArray(a, cJSON_CreateString("update"));
		break;
	case PZ_ACTION_REPLACE:
		cJSON_AddItemToArray(
		    a,
		    cJSON_CreateString(c->create_first ? "create" : "delete"));
		cJSON_AddItemToArray(
		    a,
		    cJSON_CreateString(c->create_first ? "delete" : "create"));
		break;
	case PZ_ACTION_DELETE:
		cJSON_AddItemToArray(a, cJSON_CreateString("delete"));
		break;
	case PZ_ACTION_NOOP:
	case PZ_ACTION_WAIT:
		cJSON_AddItemToArray(a, cJSON_CreateString("no-op"));
		break;
	}
	return a;
}

static cJSON *with_arn(const cJSON *attrs, const char *arn)
{
	cJSON *o = attrs ? cJSON_Duplicate(attrs, 1) : cJSON_CreateObject();

	if (arn && !cJSON_GetObjectItemCaseSensitive(o, "arn"))
		cJSON_AddStringToObject(o, "arn", arn);
	return o;
}

static cJSON *change_json(const char *address, const char *type, cJSON *actions,
			  const cJSON *before, const cJSON *after,
			  bool after_has_arn)
{
	cJSON *rc = cJSON_CreateObject(), *ch = cJSON_CreateObject(), *u;
	cJSON *known, *before_mask, *after_mask;
	/* Sensitive values as "(sensitive)", marked in *_sensitive. */
	cJSON *before_shown = pz_json_redacted(before, after, &before_mask);
	cJSON *after_shown = pz_json_redacted(after, before, &after_mask);

	cJSON_AddStringToObject(rc, "address", address);
	cJSON_AddStringToObject(rc, "mode", "managed");
	cJSON_AddStringToObject(rc, "type", type);
	cJSON_AddStringToObject(rc, "name", key_of(address));
	cJSON_AddStringToObject(rc, "provider_name", "pz/personalize");
	cJSON_AddItemToObject(ch, "actions", actions);
	cJSON_AddItemToObject(ch, "before",
			      before_shown ? before_shown : cJSON_CreateNull());
	known = split_unknown(after_shown, &u);
	cJSON_Delete(after_shown);
	if (!known)
		known = cJSON_CreateNull();
	if (after && !after_has_arn) {
		if (!u)
			u = cJSON_CreateObject();
		if (cJSON_IsObject(u))
			cJSON_AddTrueToObject(u, "arn");
	}
	cJSON_AddItemToObject(ch, "after", known);
	cJSON_AddItemToObject(ch, "after_unknown",
			      u ? u : cJSON_CreateObject());
	cJSON_AddItemToObject(ch, "before_sensitive",
			      before_mask ? before_mask : cJSON_CreateFalse());
	cJSON_AddItemToObject(ch, "after_sensitive",
			      after_mask ? after_mask : cJSON_CreateFalse());
	cJSON_AddItemToObject(rc, "change", ch);
	return rc;
}

/* The usage's idle-cost hints for one address, or NULL. */
static cJSON *usage_hints(const struct pz_usage *u, const char *address)
{
	cJSON *a = NULL;
	size_t i;

	for (i = 0; u && i < u->nhints; i++) {
		if (strcmp(u->hints[i].address, address))
			continue;
		if (!a)
			a = cJSON_CreateArray();
		cJSON_AddItemToArray(a, cJSON_CreateString(u->hints[i].text));
	}
	return a;
}

int pz_plan_render_json(const struct pz_plan *plan, struct pz_buf *out)
{
	cJSON *root = cJSON_CreateObject(), *rcs = cJSON_CreateArray();
	cJSON *drift = cJSON_CreateArray(), *notes = cJSON_CreateArray();
	size_t i;
	int r;

	cJSON_AddStringToObject(root, "format_version", "1.2");
	cJSON_AddStringToObject(root, "terraform_version", PZ_VERSION);
	cJSON_AddStringToObject(root, "pz_version", PZ_VERSION);
	cJSON_AddBoolToObject(root, "applyable", pz_plan_has_changes(plan));
	cJSON_AddTrueToObject(root, "complete");
	cJSON_AddFalseToObject(root, "errored");
	for (i = 0; i < plan->n; i++) {
		const struct pz_change *c = &plan->changes[i];
		cJSON *before = c->before ? with_arn(c->before, c->arn) : NULL;
		cJSON *after = NULL, *rc;
		bool keeps_arn = c->action == PZ_ACTION_UPDATE ||
				 c->action == PZ_ACTION_NOOP;
		cJSON *hints;

		if (c->after)
			after = keeps_arn ? with_arn(c->after, c->arn)
					  : cJSON_Duplicate(c->after, 1);
		rc = change_json(c->address, c->type, actions_json(c), before,
				 c->action == PZ_ACTION_DELETE ? NULL : after,
				 keeps_arn && c->arn);
		if (c->nreplace)
			cJSON_AddItemToObject(
			    cJSON_GetObjectItemCaseSensitive(rc, "change"),
			    "replace_paths",
			    paths_json(c->replace_paths, c->nreplace));
		if (c->reason)
			cJSON_AddStringToObject(rc, "action_reason", c->reason);
		hints = usage_hints(plan->usage, c->address);
		if (c->trigger || c->condition || c->note || hints ||
		    c->action == PZ_ACTION_WAIT) {
			cJSON *pz = cJSON_CreateObject();

			if (hints)
				cJSON_AddItemToObject(pz, "cost_hints", hints);

			if (c->trigger)
				cJSON_AddStringToObject(pz, "trigger",
							c->trigger);
			if (c->condition)
				cJSON_AddStringToObject(pz, "condition",
							c->condition);
			if (c->note)
				cJSON_AddStringToObject(pz, "note", c->note);
			if (c->action == PZ_ACTION_WAIT)
				cJSON_AddTrueToObject(pz, "waiting");
			cJSON_AddItemToObject(rc, "pz", pz);
		}
		cJSON_AddItemToArray(rcs, rc);
		cJSON_Delete(before);
		cJSON_Delete(after);
	}
	for (i = 0; i < plan->ndrift; i++) {
		const struct pz_drift *d = &plan->drift[i];
		cJSON *a = cJSON_CreateArray();

		cJSON_AddItemToArray(
		    a, cJSON_CreateString(d->deleted ? "delete" : "update"));
		cJSON_AddItemToArray(drift,
				     change_json(d->address, d->type, a,
						 d->before, d->after, true));
	}
	cJSON_AddItemToObject(root, "resource_changes", rcs);
	cJSON_AddItemToObject(root, "resource_drift", drift);
	cJSON_AddItemToObject(root, "output_changes", cJSON_CreateObject());
	for (i = 0; i < plan->nnotes; i++)
		cJSON_AddItemToArray(notes, cJSON_CreateString(plan->notes[i]));
	cJSON_AddItemToObject(root, "pz_notes", notes);
	if (plan->git)
		cJSON_AddItemToObject(root, "git", pz_plan_git_json(plan->git));
	if (plan->usage)
		cJSON_AddItemToObject(root, "usage",
				      pz_usage_to_json(plan->usage));
	r = pz_json_write(root, out, -1);
	if (!r)
		r = pz_buf_addc(out, '\n');
	cJSON_Delete(root);
	return r;
}

/* --- markdown
 * ------------------------------------------------------------------ */

/* The hidden first line a CI step finds its earlier comment by:
 * "<!-- pz-plan: NAME -->", NAME never ending the comment early. */
static int md_marker(const struct pz_plan *plan,
		     const struct pz_render_opts *ro, struct pz_buf *out)
{
	const char *m = ro && ro->marker  ? ro->marker
			: plan->spec_path ? plan->spec_path
					  : "";
	char prev = 0;
	int r = pz_buf_adds(out, "<!-- pz-plan: ");

	for (; *m && !r; m++) {
		char c = *m;

		if ((unsigned char)c < 0x20 || c == 0x7f || c == '<' ||
		    c == '>' || (c == '-' && prev == '-'))
			c = '_';
		r = pz_buf_addc(out, c);
		prev = c;
	}
	return r ? r : pz_buf_adds(out, " -->\n");
}

/* Inline code that stays inline: backticks in the text become quotes. */
static int md_code(struct pz_buf *out, const char *s)
{
	const char *e = pz_esc(s);
	int r = pz_buf_addc(out, '`');

	for (; *e && !r; e++)
		r = pz_buf_addc(out, *e == '`' ? '\'' : *e);
	return r ? r : pz_buf_addc(out, '`');
}

/* One line of the warning block: what a delete or replacement loses. */
static int md_loss(struct pz_buf *out, const struct pz_change *c)
{
	const struct pz_rtype *t = pz_rtype_find(c->type);
	size_t i;
	int r = pz_buf_adds(out, "> - ");

	if (!r)
		r = md_code(out, c->address);
	if (!r)
		r = pz_buf_adds(out, c->action == PZ_ACTION_DELETE
					 ? " is destroyed"
					 : " is replaced");
	if (!r && c->cause) {
		r = pz_buf_adds(out,
				c->cause_deleted ? " because " : " because ");
		if (!r)
			r = md_code(out, c->cause);
		if (!r)
			r = pz_buf_adds(out, c->cause_deleted ? " is destroyed"
							      : " is replaced");
	}
	for (i = 0; i < c->nreplace && !r; i++) {
		r = pz_buf_adds(out, i ? ", " : " (forced by ");
		if (!r)
			r = md_code(out, c->replace_paths[i]);
		if (!r && i + 1 == c->nreplace)
			r = pz_buf_addc(out, ')');
	}
	if (!r && !c->implicit && t && t->loss_note)
		r = pz_buf_printf(out, ": **%s**", t->loss_note);
	if (!r && c->implicit)
		r = pz_buf_adds(out, " (no API call: only the record)");
	for (i = 0; t && t->arn_path && i < c->nreplace && !r; i++)
		if (!strcmp(c->replace_paths[i], "name"))
			r = pz_buf_adds(out, "; it gets a new ARN, so whatever "
					     "uses the old one must change");
	return r ? r : pz_buf_addc(out, '\n');
}

static int md_summary(const struct pz_plan *plan, struct pz_buf *out,
		      size_t max)
{
	int r = pz_buf_printf(out,
			      "### pz plan: %zu to add, %zu to change, %zu to "
			      "destroy\n\n"
			      "| action | count |\n|---|---:|\n"
			      "| add | %zu |\n| change | %zu |\n"
			      "| destroy | %zu |\n",
			      plan->nadd, plan->nchange, plan->ndestroy,
			      plan->nadd, plan->nchange, plan->ndestroy);
	size_t i, risky = 0, shown;

	if (!r && plan->nwait)
		r = pz_buf_printf(out, "| waiting for data | %zu |\n",
				  plan->nwait);
	for (i = 0; i < plan->n; i++)
		if (plan->changes[i].action == PZ_ACTION_DELETE ||
		    plan->changes[i].action == PZ_ACTION_REPLACE)
			risky++;
	if (!r && risky)
		r = pz_buf_printf(out,
				  "\n> [!WARNING]\n> This plan destroys or "
				  "replaces %zu resource%s; what is lost:\n",
				  risky, risky == 1 ? "" : "s");
	for (i = 0, shown = 0; i < plan->n && !r && shown < max; i++)
		if (plan->changes[i].action == PZ_ACTION_DELETE ||
		    plan->changes[i].action == PZ_ACTION_REPLACE) {
			r = md_loss(out, &plan->changes[i]);
			shown++;
		}
	if (!r && risky > shown)
		r = pz_buf_printf(out, "> - … and %zu more\n", risky - shown);
	if (!r && plan->ndrift)
		r = pz_buf_printf(out,
				  "\n%zu resource%s changed outside pz since "
				  "the last apply.\n",
				  plan->ndrift, plan->ndrift == 1 ? "" : "s");
	return r;
}

/* The "Cost" section: what the plan bills (core/usage.h), in what is
 * left of the comment's room (start: where the comment began). */
static int md_cost(const struct pz_plan *plan, struct pz_buf *out, size_t start,
		   size_t max)
{
	size_t used = out->len - start;

	return pz_usage_render_markdown(plan->usage, out,
					used < max ? max - used : 0);
}

/* The review of the change (pz plan -git-base): what it touches. At most
 * max entries of each list. */
static int md_git(const struct pz_plan_git *pg, struct pz_buf *out, size_t max)
{
	size_t i, k;
	int r;

	if (pg->dirty &&
	    (r = pz_buf_printf(out,
			       "\n> [!CAUTION]\n> Made from a work tree with "
			       "uncommitted changes on `%.12s`: not a plan of "
			       "any commit.\n",
			       pg->head)))
		return r;
	if (!pg->base[0])
		return 0;
	r = pz_buf_printf(
	    out, "\n**The change** (`%.12s`..`%.12s`): ", pg->base, pg->head);
	if (!r && !pg->nfiles)
		r = pz_buf_adds(out, "no spec file changed.\n");
	for (i = 0; i < pg->nfiles && i < max && !r; i++) {
		const struct pz_plan_git_file *f = &pg->files[i];

		r = pz_buf_adds(out, i ? ", " : "");
		if (!r)
			r = md_code(out, f->path);
		if (!r)
			r = pz_buf_printf(out, " %s", f->status);
		if (!r && f->old_path && strcmp(f->old_path, f->path)) {
			r = pz_buf_adds(out, " from ");
			if (!r)
				r = md_code(out, f->old_path);
		}
		if (!r && i + 1 == pg->nfiles)
			r = pz_buf_adds(out, ".\n");
	}
	if (!r && pg->nfiles > max)
		r = pz_buf_printf(out, " and %zu more files.\n",
				  pg->nfiles - max);
	if (!r && pg->note)
		r = pz_buf_printf(out, "\n_%s_\n", pz_esc(pg->note));
	else if (!r && pg->nfiles && !pg->nresources)
		r = pz_buf_adds(out,
				"\nIt declares no resource differently.\n");
	if (!r && pg->nresources)
		r = pz_buf_adds(out,
				"\n| resource | in the spec |\n|---|---|\n");
	for (i = 0; i < pg->nresources && i < max && !r; i++) {
		const struct pz_plan_git_resource *gr = &pg->resources[i];

		r = pz_buf_adds(out, "| ");
		if (!r)
			r = md_code(out, gr->address);
		if (!r)
			r = pz_buf_printf(out, " | %s", gr->change);
		for (k = 0; k < gr->nmembers && !r; k++) {
			r = pz_buf_adds(out, k ? ", " : ": ");
			if (!r)
				r = md_code(out, gr->members[k]);
		}
		if (!r)
			r = pz_buf_adds(out, " |\n");
	}
	if (!r && pg->nresources > max)
		r = pz_buf_printf(out, "| … | and %zu more |\n",
				  pg->nresources - max);
	return r;
}

/* The diff, markers moved to column 0 so GitHub colours the lines. */
static int md_diff(const struct pz_plan *plan, struct pz_buf *out)
{
	struct pz_render_opts plain = {.omit_notes = true, .omit_usage = true};
	static const char ticks[] = "````````````````````````````````";
	struct pz_buf text;
	size_t fence = 3;
	const char *p;
	int r;

	pz_buf_init(&text, 0);
	if ((r = pz_plan_render_text(plan, &text, &plain)))
		goto out;
	/* A fence longer than any run of backticks in the plan, which
	 * would otherwise end the block (CommonMark). */
	for (p = pz_buf_cstr(&text); *p; p++) {
		size_t run = 0;

		while (p[run] == '`')
			run++;
		if (run >= fence)
			fence = run + 1 < sizeof(ticks) - 1 ? run + 1
							    : sizeof(ticks) - 1;
		p += run ? run - 1 : 0;
	}
	if ((r = pz_buf_printf(out,
			       "\n<details><summary>Show the plan</summary>"
			       "\n\n%.*sdiff\n",
			       (int)fence, ticks)))
		goto out;
	for (p = pz_buf_cstr(&text); *p && !r;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p), lead = 0;

		while (lead < len && p[lead] == ' ')
			lead++;
		if (lead < len && strchr("+-~", p[lead]) &&
		    (lead + 1 == len || p[lead + 1] == ' ' ||
		     p[lead + 1] == '/')) {
			size_t sl = 1;

			if (lead + 2 < len && p[lead + 1] == '/')
				sl = 3;
			r = pz_buf_add(out, p + lead, sl);
			if (!r)
				r = pz_buf_printf(out, "%*s", (int)lead, "");
			if (!r)
				r = pz_buf_add(out, p + lead + sl,
					       len - lead - sl);
		} else {
			r = pz_buf_add(out, p, len);
		}
		if (!r)
			r = pz_buf_addc(out, '\n');
		p += len + (nl ? 1 : 0);
	}
	if (!r)
		r = pz_buf_printf(out, "%.*s\n\n</details>\n", (int)fence,
				  ticks);
out:
	pz_buf_release(&text);
	return r;
}

/* What the plan was made against, and its digest: the last lines. */
static int md_footer(const struct pz_plan *plan, struct pz_buf *out)
{
	char digest[65];
	int r = pz_plan_digest(plan, digest);

	if (!r)
		r = pz_buf_adds(out, "\n---\n<sub>");
	if (!r && plan->git)
		r = pz_buf_printf(out, "commit `%s`%s · ", plan->git->head,
				  plan->git->dirty ? " (dirty)" : "");
	if (!r)
		r = pz_buf_printf(out,
				  "state serial %llu, lineage `%s` · plan "
				  "digest `sha256:%s`</sub>\n",
				  (unsigned long long)plan->state_serial,
				  plan->state_lineage[0] ? plan->state_lineage
							 : "(none yet)",
				  digest);
	return r;
}

static int md_notes(const struct pz_plan *plan, struct pz_buf *out)
{
	size_t i;
	int r = 0;

	for (i = 0; i < plan->nnotes && !r; i++)
		r = pz_buf_printf(out, "\n_Note: %s_\n",
				  pz_esc(plan->notes[i]));
	return r;
}

/*
 * The comment when the whole one is over max: the summary, the review,
 * the changes by address while they fit, where the full plan is, the
 * footer. The lists are cut until it fits; never over max.
 */
static int md_short(const struct pz_plan *plan, const struct pz_render_opts *ro,
		    struct pz_buf *out, size_t start, size_t max)
{
	static const size_t caps[] = {1000, 100, 10, 0};
	struct pz_buf tail;
	size_t i, k, shown = 0, listed = 0;
	int r;

	pz_buf_init(&tail, 0);
	/* The end first, to know what it needs. */
	if (ro && ro->artifact) {
		r = pz_buf_adds(&tail, "\nThe full plan is too long for a "
				       "comment: it is in ");
		if (!r)
			r = md_code(&tail, ro->artifact);
		if (!r)
			r = pz_buf_adds(&tail, " (read it with `pz show`).\n");
	} else {
		r = pz_buf_adds(&tail, "\nThe full plan is too long for a "
				       "comment: save it with `pz plan -out` "
				       "and read it with `pz show`.\n");
	}
	if (!r)
		r = md_footer(plan, &tail);
	for (k = 0; k < PZ_ARRAY_LEN(caps) && !r; k++) {
		pz_buf_truncate(out, start);
		r = md_marker(plan, ro, out);
		if (!r)
			r = md_summary(plan, out, caps[k]);
		if (!r && plan->git)
			r = md_git(plan->git, out, caps[k]);
		if (!r && out->len - start + tail.len + 200 <= max)
			break;
	}
	/* The cost, in the room the summary leaves (it shortens itself to
	 * totals per unit when that is small). */
	if (!r)
		r = md_cost(plan, out, start,
			    max > tail.len + 200 ? max - tail.len - 200 : 0);
	if (r)
		goto out;
	if ((r = pz_buf_adds(out, "\nThe changes:\n\n")))
		goto out;
	for (i = 0; i < plan->n; i++)
		if (plan->changes[i].action != PZ_ACTION_NOOP &&
		    plan->changes[i].action != PZ_ACTION_WAIT)
			listed++;
	for (i = 0; i < plan->n && !r; i++) {
		const struct pz_change *c = &plan->changes[i];
		size_t mark = out->len;

		if (c->action == PZ_ACTION_NOOP || c->action == PZ_ACTION_WAIT)
			continue;
		r = pz_buf_adds(out, "- ");
		if (!r)
			r = md_code(out, c->address);
		if (!r)
			r = pz_buf_printf(out, ": %s\n",
					  pz_action_name(c->action));
		/* Room for this line, "and N more" and the end. */
		if (!r && out->len - start + tail.len + 40 > max) {
			pz_buf_truncate(out, mark);
			break;
		}
		shown++;
	}
	if (!r && shown < listed)
		r = pz_buf_printf(out, "- … and %zu more\n", listed - shown);
	if (!r)
		r = pz_buf_add(out, tail.ptr, tail.len);
	if (!r && out->len - start > max) {
		/* A limit smaller than the summary itself: the head of it,
		 * cut at a character boundary. */
		size_t cut = start + max;

		while (cut > start &&
		       ((unsigned char)out->ptr[cut] & 0xc0) == 0x80)
			cut--;
		pz_buf_truncate(out, cut);
	}
out:
	pz_buf_release(&tail);
	return r;
}

int pz_plan_render_markdown(const struct pz_plan *plan, struct pz_buf *out,
			    const struct pz_render_opts *ro)
{
	size_t max = ro && ro->max_bytes ? ro->max_bytes : 65536;
	size_t start = out->len;
	int r;

	if ((r = md_marker(plan, ro, out)))
		return r;
	if (!pz_plan_has_changes(plan) && !plan->ndrift) {
		r = pz_buf_adds(out, "### pz plan: no changes\n\nYour "
				     "infrastructure matches the spec.\n");
	} else {
		r = md_summary(plan, out, (size_t)-1);
	}
	if (!r && plan->git)
		r = md_git(plan->git, out, (size_t)-1);
	/* The usage and cost table, after the review and before the
	 * diff. */
	if (!r)
		r = md_cost(plan, out, start, max);
	if (!r && (pz_plan_has_changes(plan) || plan->ndrift))
		r = md_diff(plan, out);
	if (!r)
		r = md_notes(plan, out);
	if (!r)
		r = md_footer(plan, out);
	if (!r && out->len - start > max) {
		/* Too long for a comment (GitHub takes 65,536 characters). */
		pz_buf_truncate(out, start);
		r = md_short(plan, ro, out, start, max);
	}
	return r;
}
