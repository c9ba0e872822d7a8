/*
 * graph.c - topological order of a spec's resources, cycles, DOT.
 */
#include "graph.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

struct heap {
	const struct pz_spec *spec;
	size_t *items;
	size_t n;
};

static bool before(const struct pz_spec *spec, size_t a, size_t b)
{
	const struct pz_resource *ra = spec->resources[a];
	const struct pz_resource *rb = spec->resources[b];

	if (ra->type->order != rb->type->order)
		return ra->type->order < rb->type->order;
	return strcmp(ra->address, rb->address) < 0;
}

static void heap_push(struct heap *h, size_t v)
{
	size_t i = h->n++;

	h->items[i] = v;
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!before(h->spec, h->items[i], h->items[parent]))
			break;
		h->items[i] = h->items[parent];
		h->items[parent] = v;
		i = parent;
	}
}

static size_t heap_pop(struct heap *h)
{
	size_t top = h->items[0], i = 0;

	h->items[0] = h->items[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i, t;

		if (l < h->n && before(h->spec, h->items[l], h->items[m]))
			m = l;
		if (r < h->n && before(h->spec, h->items[r], h->items[m]))
			m = r;
		if (m == i)
			break;
		t = h->items[i];
		h->items[i] = h->items[m];
		h->items[m] = t;
		i = m;
	}
	return top;
}

/* Reports one cycle reachable from start among unplaced resources. */
static void report_cycle(const struct pz_spec *spec, size_t start,
			 const bool *placed, bool *reported,
			 struct pz_diags *diags)
{
	size_t n = spec->nresources, len = 0, i, cur = start;
	size_t *path = pz_xcalloc(n + 1, sizeof(*path));
	size_t *seen_at = pz_xcalloc(n, sizeof(*seen_at));
	struct pz_buf msg;

	/* Follow unplaced dependencies until a resource repeats: every
	 * unplaced resource has at least one unplaced dependency. */
	for (i = 0; i < n; i++)
		seen_at[i] = SIZE_MAX;
	while (seen_at[cur] == SIZE_MAX) {
		const struct pz_resource *r = spec->resources[cur];
		size_t d, next = SIZE_MAX;

		seen_at[cur] = len;
		path[len++] = cur;
		for (d = 0; d < r->ndeps; d++)
			if (!placed[r->deps[d]]) {
				next = r->deps[d];
				break;
			}
		PZ_ASSERT(next != SIZE_MAX);
		cur = next;
	}
	for (i = 0; i < len; i++)
		reported[path[i]] = true;
	pz_buf_init(&msg, 0);
	for (i = seen_at[cur]; i < len; i++)
		PZ_ASSERT(!pz_buf_printf(&msg, "%s -> ",
					 spec->resources[path[i]]->address));
	PZ_ASSERT(!pz_buf_adds(&msg, spec->resources[cur]->address));
	pz_diag_add(diags, PZ_SEV_ERROR, spec->path, spec->resources[cur]->pos,
		    "dependency cycle: %s (remove one of these dependsOn "
		    "entries)",
		    pz_buf_cstr(&msg));
	pz_buf_release(&msg);
	free(path);
	free(seen_at);
}

int pz_spec_toposort(const struct pz_spec *spec, size_t *order,
		     struct pz_diags *diags)
{
	size_t n = spec->nresources, i, d, k = 0;
	size_t *pending = pz_xcalloc(n + 1, sizeof(*pending));
	size_t *rdeg_start = pz_xcalloc(n + 1, sizeof(*rdeg_start));
	size_t *rdeps, *fill;
	bool *placed = pz_xcalloc(n + 1, sizeof(*placed));
	bool *reported = pz_xcalloc(n + 1, sizeof(*reported));
	struct heap h;
	int r = 0;

	/* Reverse edges in CSR form: who depends on each resource. */
	for (i = 0; i < n; i++) {
		pending[i] = spec->resources[i]->ndeps;
		for (d = 0; d < spec->resources[i]->ndeps; d++)
			rdeg_start[spec->resources[i]->deps[d] + 1]++;
	}
	for (i = 0; i < n; i++)
		rdeg_start[i + 1] += rdeg_start[i];
	rdeps = pz_xcalloc(rdeg_start[n] + 1, sizeof(*rdeps));
	fill = pz_xcalloc(n + 1, sizeof(*fill));
	for (i = 0; i < n; i++)
		for (d = 0; d < spec->resources[i]->ndeps; d++) {
			size_t t = spec->resources[i]->deps[d];

			rdeps[rdeg_start[t] + fill[t]++] = i;
		}

	h.spec = spec;
	h.items = pz_xcalloc(n + 1, sizeof(*h.items));
	h.n = 0;
	for (i = 0; i < n; i++)
		if (!pending[i])
			heap_push(&h, i);
	while (h.n) {
		size_t v = heap_pop(&h);

		order[k++] = v;
		placed[v] = true;
		for (d = rdeg_start[v]; d < rdeg_start[v + 1]; d++)
			if (--pending[rdeps[d]] == 0)
				heap_push(&h, rdeps[d]);
	}
	if (k < n) {
		r = PZ_ESPEC;
		for (i = 0; i < n; i++)
			if (!placed[i] && !reported[i])
				report_cycle(spec, i, placed, reported, diags);
	}
	free(h.items);
	free(fill);
	free(rdeps);
	free(rdeg_start);
	free(pending);
	free(placed);
	free(reported);
	return r;
}

static int add_id(struct pz_buf *out, const char *s)
{
	return pz_buf_add_json_str(out, s, strlen(s));
}

int pz_graph_dot(const struct pz_spec *spec, struct pz_buf *out)
{
	size_t n = spec->nresources, i, d;
	size_t *order = pz_xcalloc(n + 1, sizeof(*order));
	struct pz_diags ignore;
	int r;

	pz_diags_init(&ignore);
	if (pz_spec_toposort(spec, order, &ignore)) {
		/* A cycle: fall back to declaration order, still stable. */
		for (i = 0; i < n; i++)
			order[i] = i;
	}
	pz_diags_release(&ignore);
	r = pz_buf_adds(out,
			"digraph pz {\n"
			"  rankdir = \"RL\";\n"
			"  node [shape = box, fontname = \"sans-serif\"];\n");
	for (i = 0; i < n && !r; i++) {
		const struct pz_resource *res = spec->resources[order[i]];

		r = pz_buf_adds(out, "  ");
		if (!r)
			r = add_id(out, res->address);
		if (!r && res->origin)
			r = pz_buf_adds(out, " [style = dashed]");
		if (!r)
			r = pz_buf_adds(out, ";\n");
	}
	for (i = 0; i < n && !r; i++) {
		const struct pz_resource *res = spec->resources[order[i]];
		size_t *deps = pz_xcalloc(res->ndeps + 1, sizeof(*deps));
		size_t a, b;

		/* Edges sorted by the dependency's address. */
		if (res->ndeps)
			memcpy(deps, res->deps, res->ndeps * sizeof(*deps));
		for (a = 1; a < res->ndeps; a++)
			for (b = a;
			     b > 0 &&
			     strcmp(spec->resources[deps[b - 1]]->address,
				    spec->resources[deps[b]]->address) > 0;
			     b--) {
				size_t t = deps[b];

				deps[b] = deps[b - 1];
				deps[b - 1] = t;
			}
		for (d = 0; d < res->ndeps && !r; d++) {
			r = pz_buf_adds(out, "  ");
			if (!r)
				r = add_id(out, res->address);
			if (!r)
				r = pz_buf_adds(out, " -> ");
			if (!r)
				r = add_id(out,
					   spec->resources[deps[d]]->address);
			if (!r)
				r = pz_buf_adds(out, ";\n");
		}
		free(deps);
	}
	if (!r)
		r = pz_buf_adds(out, "}\n");
	free(order);
	return r;
}
