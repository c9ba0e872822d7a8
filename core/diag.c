/*
 * diag.c - collecting, ordering and rendering diagnostics.
 */
#include "diag.h"
#include "escape.h"

#include <stdlib.h>
#include <string.h>

void pz_diags_init(struct pz_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void pz_diags_release(struct pz_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].message);
		free(d->items[i].note_file);
		free(d->items[i].note);
	}
	free(d->items);
	pz_diags_init(d);
}

void pz_diag_vadd(struct pz_diags *d, enum pz_severity sev, const char *file,
		  struct pz_pos pos, const char *fmt, va_list ap)
{
	struct pz_diag *g;

	PZ_GROW(d->items, d->n, d->cap);
	g = &d->items[d->n++];
	g->severity = sev;
	g->file = pz_xstrdup(file ? file : "-");
	g->nowhere = !file;
	g->pos = pos;
	g->message = pz_xvasprintf(fmt, ap);
	g->note_file = g->note = NULL;
	g->note_pos = (struct pz_pos){0, 0, 0};
	if (sev == PZ_SEV_ERROR)
		d->nerrors++;
	else
		d->nwarnings++;
}

void pz_diag_add(struct pz_diags *d, enum pz_severity sev, const char *file,
		 struct pz_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pz_diag_vadd(d, sev, file, pos, fmt, ap);
	va_end(ap);
}

void pz_diag_note(struct pz_diags *d, const char *file, struct pz_pos pos,
		  const char *fmt, ...)
{
	struct pz_diag *g;
	va_list ap;

	if (!d->n)
		PZ_BUG("a note with no diagnostic");
	g = &d->items[d->n - 1];
	free(g->note_file);
	free(g->note);
	g->note_file = pz_xstrdup(file ? file : "-");
	g->note_pos = pos;
	va_start(ap, fmt);
	g->note = pz_xvasprintf(fmt, ap);
	va_end(ap);
}

static int cmp_diag(const struct pz_diag *a, const struct pz_diag *b)
{
	int c = strcmp(a->file, b->file);

	if (c)
		return c;
	if (a->pos.line != b->pos.line)
		return a->pos.line < b->pos.line ? -1 : 1;
	if (a->pos.col != b->pos.col)
		return a->pos.col < b->pos.col ? -1 : 1;
	return 0;
}

struct ranked {
	struct pz_diag d;
	size_t rank; /* the order it was added in */
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = cmp_diag(&x->d, &y->d);

	if (c)
		return c;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

void pz_diags_sort(struct pz_diags *d)
{
	struct ranked *tmp;
	size_t i;

	/* qsort made stable by the rank: O(n log n) however the checks
	 * interleave their findings (an insertion sort was quadratic). */
	if (d->n < 2)
		return;
	tmp = pz_xreallocarray(NULL, d->n, sizeof(*tmp));
	for (i = 0; i < d->n; i++) {
		tmp[i].d = d->items[i];
		tmp[i].rank = i;
	}
	qsort(tmp, d->n, sizeof(*tmp), cmp_ranked);
	for (i = 0; i < d->n; i++)
		d->items[i] = tmp[i].d;
	free(tmp);
}

static const char *sev_name(enum pz_severity s)
{
	return s == PZ_SEV_ERROR ? "error" : "warning";
}

int pz_diags_render_text(const struct pz_diags *d, struct pz_buf *out,
			 bool color)
{
	size_t i;
	int r = 0;

	for (i = 0; i < d->n && !r; i++) {
		const struct pz_diag *g = &d->items[i];
		const char *on = "", *off = "";

		if (color) {
			on = g->severity == PZ_SEV_ERROR ? "\033[1;31m"
							 : "\033[1;35m";
			off = "\033[0m";
		}
		if (g->nowhere) {
			r = pz_buf_printf(
			    out, "pz: %s",
			    g->severity == PZ_SEV_ERROR ? "" : "warning: ");
			if (!r)
				r = pz_buf_add_escaped(out, g->message,
						       strlen(g->message));
			if (!r)
				r = pz_buf_addc(out, '\n');
			continue;
		}
		/* The file name and the message can quote spec keys and
		 * values: escaped, so they cannot drive the terminal. */
		r = pz_buf_add_escaped(out, g->file, strlen(g->file));
		if (!r && g->pos.line)
			r = pz_buf_printf(out, ":%u:%u", g->pos.line,
					  g->pos.col);
		if (!r)
			r = pz_buf_printf(out, ": %s%s:%s ", on,
					  sev_name(g->severity), off);
		if (!r)
			r = pz_buf_add_escaped(out, g->message,
					       strlen(g->message));
		if (!r)
			r = pz_buf_addc(out, '\n');
		if (!r && g->note) {
			const char *non = color ? "\033[1;36m" : "";

			if (g->note_pos.line)
				r = pz_buf_printf(
				    out, "%s:%u:%u: %snote:%s %s\n",
				    pz_esc(g->note_file), g->note_pos.line,
				    g->note_pos.col, non, off, pz_esc(g->note));
			else
				r = pz_buf_printf(out, "%s: %snote:%s %s\n",
						  pz_esc(g->note_file), non,
						  off, pz_esc(g->note));
		}
	}
	return r;
}

int pz_diags_render_json(const struct pz_diags *d, struct pz_buf *out)
{
	size_t i;
	int r;

	r = pz_buf_printf(out,
			  "{\"format_version\":\"1.0\",\"valid\":%s,"
			  "\"error_count\":%zu,\"warning_count\":%zu,"
			  "\"diagnostics\":[",
			  d->nerrors ? "false" : "true", d->nerrors,
			  d->nwarnings);
	for (i = 0; i < d->n && !r; i++) {
		const struct pz_diag *g = &d->items[i];

		r = pz_buf_printf(out, "%s{\"severity\":\"%s\",\"summary\":",
				  i ? "," : "", sev_name(g->severity));
		if (!r)
			r = pz_buf_add_json_str(out, g->message,
						strlen(g->message));
		if (!r && g->note) {
			r = pz_buf_adds(out, ",\"detail\":");
			if (!r)
				r = pz_buf_add_json_str(out, g->note,
							strlen(g->note));
		}
		if (!r && g->nowhere) {
			r = pz_buf_addc(out, '}');
			continue;
		}
		if (!r)
			r = pz_buf_adds(out, ",\"range\":{\"filename\":");
		if (!r)
			r = pz_buf_add_json_str(out, g->file, strlen(g->file));
		if (!r)
			r = pz_buf_printf(
			    out,
			    ",\"start\":{\"line\":%u,\"column\":%u,"
			    "\"byte\":%u}}}",
			    g->pos.line, g->pos.col, g->pos.offset);
	}
	if (!r)
		r = pz_buf_adds(out, "]}\n");
	return r;
}
