/*
 * plan_graph.c - the plan as an executable graph of operations
 * (DESIGN.md §5).
 *
 * The planner decides per resource what changes; this file decides in
 * which order the service can be asked to do it. Two kinds of facts
 * drive it, both declared by the resource types (core/provider.h), none
 * named here:
 *
 *  - dependencies: a create or update runs after what it depends on is
 *    created or updated; a delete runs after what depends on it (in the
 *    spec or as recorded in the state) is deleted, or has moved away;
 *  - delete blockers: what the service refuses to delete a resource
 *    before (every campaign before its solution, every filter before
 *    any dataset). Whatever would have to survive such a delete is
 *    replaced too, and the plan names the cause.
 *
 * A replacement is delete-then-create for types whose names are unique
 * (the new one cannot exist beside the old), create-then-delete for
 * types that take a new name (schemas).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "plan.h"
#include "provider.h"

const char *pz_op_kind_name(enum pz_op_kind k)
{
	switch (k) {
	case PZ_OP_CREATE: return "create";
	case PZ_OP_UPDATE: return "update";
	case PZ_OP_DELETE: return "delete";
	case PZ_OP_FORGET: return "forget";
	case PZ_OP_AWAIT: return "await";
	}
	return "?";
}

static const char *key_of(const char *address)
{
	const char *dot = strchr(address, '.');

	return dot ? dot + 1 : address;
}

/* --- an address index over the changes and the state ---------------------- */

struct node {
	const char *address;
	size_t change; /* index in plan->changes, or SIZE_MAX */
	const struct pz_state_resource *st;
	const char *type;
	/* what it depends on: spec deps (the change) and recorded ones */
	size_t *deps;
	size_t ndeps;
	size_t *users; /* reverse: what depends on it */
	size_t nusers, users_cap;
};

struct index {
	struct node *nodes;
	size_t n, cap;
	size_t *sorted; /* node indices sorted by address */
	size_t *bytype; /* node indices sorted by type, then index */
	/* scratch for walks: mark[i] == gen when node i was reached */
	unsigned *mark;
	unsigned gen;
	size_t *stack, *found;
};

static struct index *idx_cur; /* for the qsort comparators */

static int cmp_node(const void *a, const void *b)
{
	return strcmp(idx_cur->nodes[*(const size_t *)a].address,
		      idx_cur->nodes[*(const size_t *)b].address);
}

static int cmp_type(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(idx_cur->nodes[x].type, idx_cur->nodes[y].type);

	return c ? c : (x < y ? -1 : x > y);
}

/* The nodes of a type: bytype[*lo .. *hi). */
static void idx_type_range(const struct index *ix, const char *type, size_t *lo,
			   size_t *hi)
{
	size_t a = 0, b = ix->n;

	while (a < b) { /* first >= type */
		size_t mid = a + (b - a) / 2;

		if (strcmp(ix->nodes[ix->bytype[mid]].type, type) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a;
	b = ix->n;
	while (a < b) { /* first > type */
		size_t mid = a + (b - a) / 2;

		if (strcmp(ix->nodes[ix->bytype[mid]].type, type) <= 0)
			a = mid + 1;
		else
			b = mid;
	}
	*hi = a;
}

/* A new walk: no node is marked. */
static void idx_unmark(struct index *ix)
{
	if (++ix->gen == 0) { /* wrapped: clear for real */
		memset(ix->mark, 0, (ix->n + 1) * sizeof(*ix->mark));
		ix->gen = 1;
	}
}

static size_t idx_find(const struct index *ix, const char *address)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ix->nodes[ix->sorted[mid]].address, address);

		if (!c)
			return ix->sorted[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

static void add_dep(struct node *n, size_t to)
{
	size_t i;

	for (i = 0; i < n->ndeps; i++)
		if (n->deps[i] == to)
			return;
	n->deps = pz_xreallocarray(n->deps, n->ndeps + 1, sizeof(*n->deps));
	n->deps[n->ndeps++] = to;
}

/* Nodes: every change, then every state resource without one. */
static void idx_build(struct index *ix, const struct pz_plan *plan,
		      const struct pz_state *state)
{
	size_t i, j, k, nchanges, nst = state ? state->n : 0;

	memset(ix, 0, sizeof(*ix));
	ix->cap = plan->n + nst + 1;
	ix->nodes = pz_xcalloc(ix->cap, sizeof(*ix->nodes));
	ix->sorted = pz_xcalloc(ix->cap, sizeof(*ix->sorted));
	for (i = 0; i < plan->n; i++) {
		struct node *n = &ix->nodes[ix->n++];

		n->address = plan->changes[i].address;
		n->type = plan->changes[i].type;
		n->change = i;
	}
	for (i = 0; i < ix->n; i++)
		ix->sorted[i] = i;
	idx_cur = ix;
	qsort(ix->sorted, ix->n, sizeof(*ix->sorted), cmp_node);
	/* State resources: on their change, or a node of their own;
	 * addresses are unique in each, so one sort at the end. */
	nchanges = ix->n;
	for (i = 0; i < nst; i++) {
		const struct pz_state_resource *sr = &state->resources[i];
		size_t at, nall = ix->n;

		ix->n = nchanges; /* search the changes alone */
		at = idx_find(ix, sr->address);
		ix->n = nall;
		if (at != SIZE_MAX) {
			ix->nodes[at].st = sr;
			continue;
		}
		ix->nodes[ix->n].address = sr->address;
		ix->nodes[ix->n].type = sr->type;
		ix->nodes[ix->n].change = SIZE_MAX;
		ix->nodes[ix->n].st = sr;
		ix->sorted[ix->n] = ix->n;
		ix->n++;
	}
	qsort(ix->sorted, ix->n, sizeof(*ix->sorted), cmp_node);
	/* Dependencies from the spec (on the changes) and the state. */
	for (i = 0; i < ix->n; i++) {
		struct node *n = &ix->nodes[i];
		const struct pz_change *c =
		    n->change != SIZE_MAX ? &plan->changes[n->change] : NULL;

		for (k = 0; c && k < c->ndeps; k++)
			if ((j = idx_find(ix, c->deps[k])) != SIZE_MAX)
				add_dep(n, j);
		for (k = 0; n->st && k < n->st->ndeps; k++)
			if ((j = idx_find(ix, n->st->deps[k])) != SIZE_MAX)
				add_dep(n, j);
	}
	for (i = 0; i < ix->n; i++)
		for (k = 0; k < ix->nodes[i].ndeps; k++) {
			struct node *u = &ix->nodes[ix->nodes[i].deps[k]];

			PZ_GROW(u->users, u->nusers, u->users_cap);
			u->users[u->nusers++] = i;
		}
	ix->bytype = pz_xcalloc(ix->n + 1, sizeof(*ix->bytype));
	for (i = 0; i < ix->n; i++)
		ix->bytype[i] = i;
	qsort(ix->bytype, ix->n, sizeof(*ix->bytype), cmp_type);
	ix->mark = pz_xcalloc(ix->n + 1, sizeof(*ix->mark));
	ix->stack = pz_xcalloc(ix->n + 1, sizeof(*ix->stack));
	ix->found = pz_xcalloc(ix->n + 1, sizeof(*ix->found));
}

static void idx_free(struct index *ix)
{
	size_t i;

	for (i = 0; i < ix->n; i++) {
		free(ix->nodes[i].deps);
		free(ix->nodes[i].users);
	}
	free(ix->nodes);
	free(ix->sorted);
	free(ix->bytype);
	free(ix->mark);
	free(ix->stack);
	free(ix->found);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The nodes depending on `from` at any depth (direct ones only when
 * direct) whose type is type, ascending, into ix->found; their count.
 * Linear in what the walk reaches.
 */
static size_t idx_dependents(struct index *ix, size_t from, const char *type,
			     bool direct)
{
	size_t top = 0, nfound = 0, k;

	idx_unmark(ix);
	ix->mark[from] = ix->gen;
	ix->stack[top++] = from;
	while (top) {
		const struct node *n = &ix->nodes[ix->stack[--top]];

		for (k = 0; k < n->nusers; k++) {
			size_t u = n->users[k];

			if (ix->mark[u] == ix->gen)
				continue;
			ix->mark[u] = ix->gen;
			if (!strcmp(ix->nodes[u].type, type))
				ix->found[nfound++] = u;
			if (!direct)
				ix->stack[top++] = u;
		}
	}
	if (nfound > 1)
		qsort(ix->found, nfound, sizeof(*ix->found), cmp_size);
	return nfound;
}

/*
 * Calls fn for every node that blocks deleting node `of` under its
 * type's facts, in node order per blocker. Returns the number of calls.
 */
static size_t for_blockers(struct index *ix, size_t of,
			   void (*fn)(void *ud, size_t of, size_t blocker),
			   void *ud)
{
	const struct node *n = &ix->nodes[of];
	const struct pz_rtype *t = pz_rtype_find(n->type);
	const struct pz_delete_blocker *b;
	size_t i, lo, hi, calls = 0;

	if (!t || !t->delete_blockers)
		return 0;
	for (b = t->delete_blockers; b->type; b++) {
		if (b->only_key && strcmp(key_of(n->address), b->only_key))
			continue;
		if (b->scope == PZ_BLOCK_GROUP) {
			idx_type_range(ix, b->type, &lo, &hi);
			for (i = lo; i < hi; i++)
				if (ix->bytype[i] != of) {
					fn(ud, of, ix->bytype[i]);
					calls++;
				}
			continue;
		}
		hi = idx_dependents(ix, of, b->type,
				    b->scope == PZ_BLOCK_REFERENCES);
		for (i = 0; i < hi; i++) {
			fn(ud, of, ix->found[i]);
			calls++;
		}
	}
	return calls;
}

/* --- cascades ------------------------------------------------------------- */

static bool goes_away(const struct pz_change *c)
{
	return c->action == PZ_ACTION_DELETE ||
	       (c->action == PZ_ACTION_REPLACE && !c->create_first);
}

struct cascade {
	struct index *ix;
	struct pz_plan *plan;
	struct pz_diags *diags;
	const char *spec_path;
	bool changed;
	int r;
};

static void cascade_one(void *ud, size_t of, size_t blocker)
{
	struct cascade *cx = ud;
	const struct node *bn = &cx->ix->nodes[blocker];
	const struct pz_change *cause =
	    &cx->plan->changes[cx->ix->nodes[of].change];
	struct pz_change *c;

	if (bn->change == SIZE_MAX) {
		/* Exists, and this plan (under -target) leaves it alone. */
		struct pz_pos none = {0, 0, 0};

		if (!bn->st || !bn->st->arn)
			return;
		pz_diag_add(cx->diags, PZ_SEV_ERROR, cx->spec_path, none,
			    "%s must be %s before %s is %s, but -target "
			    "leaves it out; add -target=%s",
			    bn->address,
			    cause->action == PZ_ACTION_DELETE ? "destroyed"
							      : "replaced",
			    cause->address,
			    cause->action == PZ_ACTION_DELETE ? "destroyed"
							      : "replaced",
			    bn->address);
		cx->r = PZ_ESPEC;
		return;
	}
	c = &cx->plan->changes[bn->change];
	if (!c->arn || c->implicit ||
	    (c->action != PZ_ACTION_NOOP && c->action != PZ_ACTION_UPDATE))
		return;
	c->action = PZ_ACTION_REPLACE;
	c->reason = "replace_by_triggers";
	c->cause = pz_xstrdup(cause->address);
	c->cause_deleted = cause->action == PZ_ACTION_DELETE;
	if (!c->before && c->after)
		c->before = cJSON_Duplicate(c->after, 1);
	cx->changed = true;
}

int pz_plan_cascade(struct pz_plan *plan, const struct pz_state *state,
		    const struct pz_spec *spec, struct pz_diags *diags)
{
	struct index ix;
	struct cascade cx = {&ix, plan, diags, spec ? spec->path : "", true, 0};
	size_t i;

	for (i = 0; i < plan->n; i++) {
		const struct pz_rtype *t = pz_rtype_find(plan->changes[i].type);

		if (plan->changes[i].action == PZ_ACTION_REPLACE && t)
			plan->changes[i].create_first =
			    t->replace == PZ_REPLACE_CREATE_FIRST;
	}
	idx_build(&ix, plan, state);
	while (cx.changed) {
		cx.changed = false;
		for (i = 0; i < ix.n; i++) {
			const struct node *n = &ix.nodes[i];

			if (n->change == SIZE_MAX ||
			    !goes_away(&plan->changes[n->change]) ||
			    plan->changes[n->change].implicit)
				continue;
			for_blockers(&ix, i, cascade_one, &cx);
		}
	}
	idx_free(&ix);
	return cx.r;
}

/* --- the destroy closure -------------------------------------------------- */

struct closure {
	struct index *ix;
	bool *seen;
	size_t *work, nwork;
};

static void mark_blocker(void *ud, size_t of, size_t blocker)
{
	struct closure *cl = ud;

	(void)of;
	if (!cl->seen[blocker]) {
		cl->seen[blocker] = true;
		cl->work[cl->nwork++] = blocker;
	}
}

void pz_plan_destroy_closure(const struct pz_state *state,
			     const char *const *targets, size_t ntargets,
			     bool *want)
{
	struct pz_plan none;
	struct index ix;
	struct closure cl;
	size_t i, k;

	if (!state || !state->n)
		return;
	memset(&none, 0, sizeof(none));
	idx_build(&ix, &none, state);
	cl.ix = &ix;
	cl.seen = pz_xcalloc(ix.n + 1, sizeof(*cl.seen));
	cl.work = pz_xcalloc(ix.n + 1, sizeof(*cl.work));
	cl.nwork = 0;
	for (k = 0; k < ntargets; k++)
		if ((i = idx_find(&ix, targets[k])) != SIZE_MAX &&
		    !cl.seen[i]) {
			cl.seen[i] = true;
			cl.work[cl.nwork++] = i;
		}
	/* Each node enters the work list once: what depends on it (its
	 * direct users, whose own users follow) and its blockers. */
	while (cl.nwork) {
		const struct node *n = &ix.nodes[cl.work[--cl.nwork]];
		size_t at = (size_t)(n - ix.nodes);

		for (k = 0; k < n->nusers; k++)
			mark_blocker(&cl, at, n->users[k]);
		for_blockers(&ix, at, mark_blocker, &cl);
	}
	for (i = 0; i < ix.n; i++)
		if (cl.seen[i] && ix.nodes[i].st)
			want[ix.nodes[i].st - state->resources] = true;
	free(cl.seen);
	free(cl.work);
	idx_free(&ix);
}

/* --- operations ----------------------------------------------------------- */

struct opset {
	/* per change: its operations (SIZE_MAX: none) */
	size_t *create, *update, *del;
	struct pz_op *ops;
	size_t n, cap;
	size_t *after_cap; /* per operation: room in ops[i].after */
};

static size_t add_op(struct opset *os, size_t change, enum pz_op_kind kind)
{
	struct pz_op *op;

	if (os->n >= os->cap) {
		size_t was = os->cap;

		PZ_GROW(os->ops, os->n, os->cap);
		os->after_cap = pz_xreallocarray(os->after_cap, os->cap,
						 sizeof(*os->after_cap));
		memset(os->after_cap + was, 0,
		       (os->cap - was) * sizeof(*os->after_cap));
	}
	op = &os->ops[os->n];
	memset(op, 0, sizeof(*op));
	op->change = change;
	op->kind = kind;
	return os->n++;
}

static void op_after(struct opset *os, size_t op, size_t before)
{
	struct pz_op *o;

	if (op == SIZE_MAX || before == SIZE_MAX || op == before)
		return;
	o = &os->ops[op];
	/* Appended; duplicates go once ordering is done (dedupe_after):
	 * a scan here would make a delete after every child quadratic. */
	if (o->nafter == os->after_cap[op]) {
		os->after_cap[op] = o->nafter ? 2 * o->nafter : 4;
		o->after = pz_xreallocarray(o->after, os->after_cap[op],
					    sizeof(*o->after));
	}
	o->after[o->nafter++] = before;
}

/* Sorts each operation's waits and drops repeats. */
static void dedupe_after(struct opset *os)
{
	size_t i, k, kept;

	for (i = 0; i < os->n; i++) {
		struct pz_op *o = &os->ops[i];

		if (o->nafter < 2)
			continue;
		qsort(o->after, o->nafter, sizeof(*o->after), cmp_size);
		for (k = 1, kept = 1; k < o->nafter; k++)
			if (o->after[k] != o->after[kept - 1])
				o->after[kept++] = o->after[k];
		o->nafter = kept;
	}
}

static size_t change_of(const struct index *ix, size_t node)
{
	return node == SIZE_MAX ? SIZE_MAX : ix->nodes[node].change;
}

struct blk {
	struct index *ix;
	struct opset *os;
	const struct pz_plan *plan;
};

/* A delete waits for its blockers to go; one being created waits for
 * the delete (and for the re-created resource, when it is replaced),
 * unless the new one exists first: then new blockers use the new one. */
static void order_blocker(void *ud, size_t of, size_t blocker)
{
	struct blk *b = ud;
	size_t rc = change_of(b->ix, of), bc = change_of(b->ix, blocker);

	if (rc == SIZE_MAX || bc == SIZE_MAX)
		return;
	op_after(b->os, b->os->del[rc], b->os->del[bc]);
	if (b->plan->changes[rc].create_first)
		return;
	op_after(b->os, b->os->create[bc], b->os->del[rc]);
	op_after(b->os, b->os->create[bc], b->os->create[rc]);
}

static void make_ops(struct opset *os, const struct pz_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n; i++) {
		const struct pz_change *c = &plan->changes[i];
		enum pz_op_kind del = c->implicit ? PZ_OP_FORGET : PZ_OP_DELETE;
		const struct pz_rtype *t = pz_rtype_find(c->type);

		if (t && t->implicit_delete)
			del = PZ_OP_FORGET;
		os->create[i] = os->update[i] = os->del[i] = SIZE_MAX;
		switch (c->action) {
		case PZ_ACTION_CREATE:
			os->create[i] = add_op(os, i, PZ_OP_CREATE);
			break;
		case PZ_ACTION_UPDATE:
			os->update[i] = add_op(os, i, PZ_OP_UPDATE);
			break;
		case PZ_ACTION_DELETE: os->del[i] = add_op(os, i, del); break;
		case PZ_ACTION_REPLACE:
			os->del[i] = add_op(os, i, del);
			os->create[i] = add_op(os, i, PZ_OP_CREATE);
			if (c->create_first)
				op_after(os, os->del[i], os->create[i]);
			else
				op_after(os, os->create[i], os->del[i]);
			break;
		case PZ_ACTION_WAIT:
			/* In the update slot: what depends on it is ordered
			 * after it as after an update. */
			if (c->awaits)
				os->update[i] = add_op(os, i, PZ_OP_AWAIT);
			break;
		case PZ_ACTION_NOOP: break;
		}
	}
}

static void order_ops(struct opset *os, struct index *ix,
		      const struct pz_plan *plan)
{
	struct blk b = {ix, os, plan};
	size_t i, k;

	for (i = 0; i < ix->n; i++) {
		const struct node *n = &ix->nodes[i];
		size_t c = n->change;

		if (c == SIZE_MAX)
			continue;
		/* Creates and updates after what they depend on. */
		for (k = 0; k < n->ndeps; k++) {
			size_t d = change_of(ix, n->deps[k]);

			if (d == SIZE_MAX)
				continue;
			op_after(os, os->create[c], os->create[d]);
			op_after(os, os->create[c], os->update[d]);
			op_after(os, os->update[c], os->create[d]);
			op_after(os, os->update[c], os->update[d]);
		}
		if (os->del[c] == SIZE_MAX)
			continue;
		/* A delete after what depends on it is deleted, or has
		 * moved to the replacement. */
		for (k = 0; k < n->nusers; k++) {
			size_t u = change_of(ix, n->users[k]);

			if (u == SIZE_MAX)
				continue;
			op_after(os, os->del[c], os->del[u]);
			op_after(os, os->del[c], os->update[u]);
		}
		for_blockers(ix, i, order_blocker, &b);
	}
	/* Under a per-group quota, a new one waits for the old ones to go
	 * (one event tracker per group: a renamed one is created after the
	 * old one is deleted). */
	for (i = 0; i < ix->n; i = k) {
		const struct pz_rtype *t =
		    pz_rtype_find(ix->nodes[ix->bytype[i]].type);
		size_t lo, hi, j, nd = 0;

		idx_type_range(ix, ix->nodes[ix->bytype[i]].type, &lo, &hi);
		k = hi;
		if (!t || !t->group_quota)
			continue;
		for (j = lo; j < hi; j++) { /* the deletes of the type */
			size_t d = ix->nodes[ix->bytype[j]].change;

			if (d != SIZE_MAX && os->del[d] != SIZE_MAX)
				ix->found[nd++] = d;
		}
		for (j = lo; j < hi && nd; j++) {
			size_t c = ix->nodes[ix->bytype[j]].change, m;

			if (c == SIZE_MAX || os->create[c] == SIZE_MAX)
				continue;
			for (m = 0; m < nd; m++)
				if (ix->found[m] != c)
					op_after(os, os->create[c],
						 os->del[ix->found[m]]);
		}
	}
}

/* A plan that would leave more of a type than its per-group quota
 * cannot be applied (LimitExceededException): said before anything
 * runs. */
int pz_plan_check_quotas(const struct pz_plan *plan, const struct pz_spec *spec,
			 struct pz_diags *diags)
{
	size_t ntypes = pz_rtype_count(), i, k;
	/* per registered type: its first change and how many it leaves */
	size_t *first = pz_xcalloc(ntypes + 1, sizeof(*first));
	size_t *left = pz_xcalloc(ntypes + 1, sizeof(*left));
	int r = 0;

	for (k = 0; k < ntypes; k++)
		first[k] = SIZE_MAX;
	for (i = 0; i < plan->n; i++) {
		const struct pz_rtype *t = pz_rtype_find(plan->changes[i].type);

		for (k = 0; t && t->group_quota && k < ntypes; k++)
			if (pz_rtype_at(k) == t) {
				if (first[k] == SIZE_MAX)
					first[k] = i;
				left[k] +=
				    plan->changes[i].action != PZ_ACTION_DELETE;
				break;
			}
	}
	/* In the order of each type's first change, as the plan lists. */
	for (;;) {
		const struct pz_rtype *t;
		const struct pz_resource *res;
		struct pz_pos at = {0, 0, 0};
		size_t m = SIZE_MAX;

		for (i = 0; i < ntypes; i++)
			if (first[i] != SIZE_MAX &&
			    (m == SIZE_MAX || first[i] < first[m]))
				m = i;
		if (m == SIZE_MAX)
			break;
		k = m;
		t = pz_rtype_at(k);
		if (left[k] <= (size_t)t->group_quota) {
			first[k] = SIZE_MAX;
			continue;
		}
		res = pz_spec_find(spec, plan->changes[first[k]].address);
		if (res)
			at = res->pos;
		if (t->quota_adjustable) {
			pz_diag_add(diags, PZ_SEV_WARNING, spec->path, at,
				    "this plan leaves %zu %ss in the dataset "
				    "group; Personalize allows %d unless the "
				    "account's quota was raised (else "
				    "LimitExceededException; limits.html)",
				    left[k], t->label, t->group_quota);
		} else {
			pz_diag_add(diags, PZ_SEV_ERROR, spec->path, at,
				    "this plan leaves %zu %ss in the dataset "
				    "group; Personalize allows %d "
				    "(LimitExceededException; limits.html)",
				    left[k], t->label, t->group_quota);
			r = PZ_ESPEC;
		}
		first[k] = SIZE_MAX;
	}
	free(first);
	free(left);
	return r;
}

/* Kahn's algorithm, taking the ready operation made first (so output
 * follows the planner's dependency order where the graph allows):
 * O((operations + waits) log operations). */
static size_t *topo(const struct opset *os, size_t *ndone)
{
	size_t *indeg = pz_xcalloc(os->n + 1, sizeof(*indeg));
	size_t *out = pz_xcalloc(os->n + 1, sizeof(*out));
	size_t *start = pz_xcalloc(os->n + 2, sizeof(*start));
	size_t *next, *heap = pz_xcalloc(os->n + 1, sizeof(*heap));
	bool *done = pz_xcalloc(os->n + 1, sizeof(*done));
	size_t i, k, n = 0, nheap = 0, nedges = 0;

	/* What waits for each operation (the reverse of after), as one
	 * array: next[start[i] .. start[i+1]). */
	for (i = 0; i < os->n; i++) {
		indeg[i] = os->ops[i].nafter;
		nedges += os->ops[i].nafter;
		for (k = 0; k < os->ops[i].nafter; k++)
			start[os->ops[i].after[k] + 1]++;
	}
	for (i = 0; i < os->n; i++)
		start[i + 1] += start[i];
	next = pz_xcalloc(nedges + 1, sizeof(*next));
	{
		size_t *fill = pz_xcalloc(os->n + 1, sizeof(*fill));

		for (i = 0; i < os->n; i++)
			for (k = 0; k < os->ops[i].nafter; k++) {
				size_t p = os->ops[i].after[k];

				next[start[p] + fill[p]++] = i;
			}
		free(fill);
	}
	for (i = 0; i < os->n; i++)
		if (!indeg[i])
			pz_heap_push(heap, &nheap, i);
	while (nheap) {
		i = pz_heap_pop(heap, &nheap);
		done[i] = true;
		out[n++] = i;
		for (k = start[i]; k < start[i + 1]; k++)
			if (!--indeg[next[k]])
				pz_heap_push(heap, &nheap, next[k]);
	}
	*ndone = n;
	/* What a cycle left: appended so nothing is lost (an error). */
	for (i = 0; i < os->n; i++)
		if (!done[i])
			out[n++] = i;
	free(indeg);
	free(start);
	free(next);
	free(heap);
	free(done);
	return out;
}

/* out = the union of the sorted sets a and b (no repeats). */
static size_t merge_sets(const size_t *a, size_t na, const size_t *b, size_t nb,
			 size_t *out)
{
	size_t i = 0, j = 0, n = 0;

	while (i < na || j < nb) {
		size_t v;

		if (j == nb || (i < na && a[i] < b[j]))
			v = a[i++];
		else if (i == na || b[j] < a[i])
			v = b[j++];
		else {
			v = a[i++];
			j++;
		}
		out[n++] = v;
	}
	return n;
}

static bool in_set(const size_t *a, size_t n, size_t v)
{
	return n && bsearch(&v, a, n, sizeof(*a), cmp_size);
}

/*
 * Drops each wait that another wait of the same operation implies
 * (transitive reduction): the graph means the same, and reads better.
 * ops are in executable order. Each operation's ancestors are kept as
 * a sorted set, built from its waits' sets: the work is in the size of
 * those sets (a few per operation in a plan, where the graph is
 * shallow), not the square of the operations.
 */
static void reduce(struct pz_op *ops, size_t n)
{
	size_t **anc = pz_xcalloc(n + 1, sizeof(*anc));
	size_t *nanc = pz_xcalloc(n + 1, sizeof(*nanc));
	size_t *a = NULL, *b = NULL, cap = 0, i, k;

	for (i = 0; i < n; i++) {
		size_t na = 0, kept = 0, need = ops[i].nafter;

		for (k = 0; k < ops[i].nafter; k++)
			need += nanc[ops[i].after[k]];
		if (need + 1 > cap) {
			cap = 2 * (need + 1);
			a = pz_xreallocarray(a, cap, sizeof(*a));
			b = pz_xreallocarray(b, cap, sizeof(*b));
		}
		/* a: what the waits wait for, at any depth; merged pairwise
		 * for a few waits, else gathered and sorted once (pairwise
		 * merges into a growing set would be quadratic for a delete
		 * waiting for every child of a group) */
		for (k = 0; k < ops[i].nafter && ops[i].nafter <= 4; k++) {
			size_t p = ops[i].after[k], *t;

			na = merge_sets(a, na, anc[p], nanc[p], b);
			t = a;
			a = b;
			b = t;
		}
		if (ops[i].nafter > 4) {
			for (k = 0; k < ops[i].nafter; k++) {
				size_t p = ops[i].after[k];

				memcpy(a + na, anc[p], nanc[p] * sizeof(*a));
				na += nanc[p];
			}
			if (na > 1)
				qsort(a, na, sizeof(*a), cmp_size);
			for (k = 1, kept = na ? 1 : 0; k < na; k++)
				if (a[k] != a[kept - 1])
					a[kept++] = a[k];
			na = kept;
			kept = 0;
		}
		/* those are implied; the rest stay */
		for (k = 0; k < ops[i].nafter; k++)
			if (!in_set(a, na, ops[i].after[k]))
				ops[i].after[kept++] = ops[i].after[k];
		ops[i].nafter = kept;
		/* after is sorted: one more merge gives the ancestors */
		nanc[i] = merge_sets(a, na, ops[i].after, kept, b);
		anc[i] = pz_xcalloc(nanc[i] + 1, sizeof(**anc));
		memcpy(anc[i], b, nanc[i] * sizeof(**anc));
	}
	for (i = 0; i < n; i++)
		free(anc[i]);
	free(anc);
	free(nanc);
	free(a);
	free(b);
}

int pz_plan_build_ops(struct pz_plan *plan, const struct pz_state *state,
		      struct pz_diags *diags, const char *spec_path)
{
	struct opset os;
	struct index ix;
	size_t *order, *newpos, *chg_new, *chg_old, nsorted, i, k, nc = 0;
	struct pz_change *changes;
	int r = 0;

	memset(&os, 0, sizeof(os));
	os.create = pz_xcalloc(plan->n + 1, sizeof(size_t));
	os.update = pz_xcalloc(plan->n + 1, sizeof(size_t));
	os.del = pz_xcalloc(plan->n + 1, sizeof(size_t));
	make_ops(&os, plan);
	idx_build(&ix, plan, state);
	order_ops(&os, &ix, plan);
	idx_free(&ix);
	dedupe_after(&os);
	order = topo(&os, &nsorted);
	if (nsorted < os.n) {
		struct pz_pos none = {0, 0, 0};

		pz_diag_add(
		    diags, PZ_SEV_ERROR, spec_path, none,
		    "the operations of this plan depend on each other "
		    "in a cycle (starting at %s %s); this is a bug in "
		    "pz's facts, please report it",
		    pz_op_kind_name(os.ops[order[nsorted]].kind),
		    plan->changes[os.ops[order[nsorted]].change].address);
		r = PZ_ESPEC;
	}
	/* Changes in the order their first operation runs; those without
	 * operations (no-op, wait) after them, as they were. */
	newpos = pz_xcalloc(os.n + 1, sizeof(*newpos));
	chg_new = pz_xcalloc(plan->n + 1, sizeof(*chg_new));
	chg_old = pz_xcalloc(plan->n + 1, sizeof(*chg_old));
	for (i = 0; i < plan->n; i++)
		chg_new[i] = SIZE_MAX;
	for (i = 0; i < os.n; i++) {
		size_t c = os.ops[order[i]].change;

		newpos[order[i]] = i;
		if (chg_new[c] == SIZE_MAX) {
			chg_new[c] = nc;
			chg_old[nc++] = c;
		}
	}
	for (i = 0; i < plan->n; i++)
		if (chg_new[i] == SIZE_MAX) {
			chg_new[i] = nc;
			chg_old[nc++] = i;
		}
	changes =
	    pz_xcalloc(plan->cap ? plan->cap : plan->n + 1, sizeof(*changes));
	for (i = 0; i < plan->n; i++)
		changes[i] = plan->changes[chg_old[i]];
	free(plan->changes);
	plan->changes = changes;
	plan->ops = pz_xcalloc(os.n + 1, sizeof(*plan->ops));
	plan->nops = os.n;
	for (i = 0; i < os.n; i++) {
		struct pz_op *o = &plan->ops[i];

		*o = os.ops[order[i]];
		o->change = chg_new[o->change];
		for (k = 0; k < o->nafter; k++)
			o->after[k] = newpos[o->after[k]];
		if (o->nafter > 1) /* qsort(NULL, 0) is undefined */
			qsort(o->after, o->nafter, sizeof(*o->after), cmp_size);
	}
	if (nsorted == os.n)
		reduce(plan->ops, plan->nops);
	free(os.ops);
	free(os.after_cap);
	free(os.create);
	free(os.update);
	free(os.del);
	free(order);
	free(newpos);
	free(chg_new);
	free(chg_old);
	return r;
}

static bool op_fits(enum pz_action a, enum pz_op_kind k)
{
	bool del = k == PZ_OP_DELETE || k == PZ_OP_FORGET;

	switch (a) {
	case PZ_ACTION_CREATE: return k == PZ_OP_CREATE;
	case PZ_ACTION_UPDATE: return k == PZ_OP_UPDATE;
	case PZ_ACTION_DELETE: return del;
	case PZ_ACTION_REPLACE: return del || k == PZ_OP_CREATE;
	case PZ_ACTION_WAIT: return k == PZ_OP_AWAIT;
	case PZ_ACTION_NOOP: return false;
	}
	return false;
}

int pz_plan_check_ops(const struct pz_plan *plan)
{
	size_t i, k, *seen = pz_xcalloc(plan->n + 1, sizeof(*seen));
	int r = 0;

	for (i = 0; i < plan->nops && !r; i++) {
		const struct pz_op *o = &plan->ops[i];

		if (o->change >= plan->n) {
			r = pz_error_set(
			    PZ_EINVAL, "operation %zu names no change", i + 1);
			break;
		}
		for (k = 0; k < o->nafter; k++)
			if (o->after[k] >= i)
				r = pz_error_set(
				    PZ_EINVAL,
				    "operation %zu waits for operation %zu, "
				    "which does not run before it",
				    i + 1, o->after[k] + 1);
		if (!op_fits(plan->changes[o->change].action, o->kind))
			r = pz_error_set(
			    PZ_EINVAL,
			    "operation %zu would %s %s, which "
			    "the plan says to %s",
			    i + 1, pz_op_kind_name(o->kind),
			    plan->changes[o->change].address,
			    pz_action_name(plan->changes[o->change].action));
		seen[o->change]++;
	}
	for (i = 0; i < plan->n && !r; i++) {
		const struct pz_change *c = &plan->changes[i];
		size_t want = c->action == PZ_ACTION_REPLACE ? 2
			      : c->action == PZ_ACTION_WAIT
				  ? (c->awaits ? 1 : 0)
			      : c->action == PZ_ACTION_NOOP ? 0
							    : 1;

		if (seen[i] != want)
			r = pz_error_set(PZ_EINVAL,
					 "%s (%s) has %zu operations, not %zu",
					 c->address, pz_action_name(c->action),
					 seen[i], want);
	}
	free(seen);
	return r;
}
