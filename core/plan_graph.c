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
};

static struct index *idx_cur; /* for the qsort comparator */

static int cmp_node(const void *a, const void *b)
{
	return strcmp(idx_cur->nodes[*(const size_t *)a].address,
		      idx_cur->nodes[*(const size_t *)b].address);
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
}

/* Marks in seen[] every node depending on `from`, at any depth. */
static void dependents(const struct index *ix, size_t from, bool *seen)
{
	size_t *stack = pz_xcalloc(ix->n + 1, sizeof(*stack)), top = 0, k;

	stack[top++] = from;
	while (top) {
		const struct node *n = &ix->nodes[stack[--top]];

		for (k = 0; k < n->nusers; k++)
			if (!seen[n->users[k]]) {
				seen[n->users[k]] = true;
				stack[top++] = n->users[k];
			}
	}
	free(stack);
}

/*
 * Calls fn for every node that blocks deleting node `of` under its
 * type's facts. Returns the number of calls.
 */
static size_t for_blockers(const struct index *ix, size_t of,
			   void (*fn)(void *ud, size_t of, size_t blocker),
			   void *ud)
{
	const struct node *n = &ix->nodes[of];
	const struct pz_rtype *t = pz_rtype_find(n->type);
	const struct pz_delete_blocker *b;
	bool *deps = NULL;
	size_t i, calls = 0;

	if (!t || !t->delete_blockers)
		return 0;
	for (b = t->delete_blockers; b->type; b++) {
		if (b->only_key && strcmp(key_of(n->address), b->only_key))
			continue;
		if (b->scope == PZ_BLOCK_DEPENDENT && !deps) {
			deps = pz_xcalloc(ix->n + 1, sizeof(*deps));
			dependents(ix, of, deps);
		}
		for (i = 0; i < ix->n; i++) {
			if (i == of || strcmp(ix->nodes[i].type, b->type))
				continue;
			if (b->scope == PZ_BLOCK_DEPENDENT && !deps[i])
				continue;
			fn(ud, of, i);
			calls++;
		}
	}
	free(deps);
	return calls;
}

/* --- cascades ------------------------------------------------------------- */

static bool goes_away(const struct pz_change *c)
{
	return c->action == PZ_ACTION_DELETE ||
	       (c->action == PZ_ACTION_REPLACE && !c->create_first);
}

struct cascade {
	const struct index *ix;
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

static void mark_blocker(void *ud, size_t of, size_t blocker)
{
	bool *seen = ud;

	(void)of;
	seen[blocker] = true;
}

void pz_plan_destroy_closure(const struct pz_state *state,
			     const char *const *targets, size_t ntargets,
			     bool *want)
{
	struct pz_plan none;
	struct index ix;
	bool *seen, changed = true;
	size_t i, k;

	if (!state || !state->n)
		return;
	memset(&none, 0, sizeof(none));
	idx_build(&ix, &none, state);
	seen = pz_xcalloc(ix.n + 1, sizeof(*seen));
	for (k = 0; k < ntargets; k++)
		if ((i = idx_find(&ix, targets[k])) != SIZE_MAX)
			seen[i] = true;
	while (changed) {
		bool *before = pz_xcalloc(ix.n + 1, sizeof(*before));

		memcpy(before, seen, ix.n * sizeof(*seen));
		for (i = 0; i < ix.n; i++)
			if (before[i]) {
				dependents(&ix, i, seen);
				for_blockers(&ix, i, mark_blocker, seen);
			}
		changed = memcmp(before, seen, ix.n * sizeof(*seen)) != 0;
		free(before);
	}
	for (i = 0; i < ix.n; i++)
		if (seen[i] && ix.nodes[i].st)
			want[ix.nodes[i].st - state->resources] = true;
	free(seen);
	idx_free(&ix);
}

/* --- operations ----------------------------------------------------------- */

struct opset {
	/* per change: its operations (SIZE_MAX: none) */
	size_t *create, *update, *del;
	struct pz_op *ops;
	size_t n, cap;
};

static size_t add_op(struct opset *os, size_t change, enum pz_op_kind kind)
{
	struct pz_op *op;

	PZ_GROW(os->ops, os->n, os->cap);
	op = &os->ops[os->n];
	memset(op, 0, sizeof(*op));
	op->change = change;
	op->kind = kind;
	return os->n++;
}

static void op_after(struct opset *os, size_t op, size_t before)
{
	struct pz_op *o;
	size_t i;

	if (op == SIZE_MAX || before == SIZE_MAX || op == before)
		return;
	o = &os->ops[op];
	for (i = 0; i < o->nafter; i++)
		if (o->after[i] == before)
			return;
	o->after = pz_xreallocarray(o->after, o->nafter + 1, sizeof(*o->after));
	o->after[o->nafter++] = before;
}

static size_t change_of(const struct index *ix, size_t node)
{
	return node == SIZE_MAX ? SIZE_MAX : ix->nodes[node].change;
}

struct blk {
	const struct index *ix;
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

static void order_ops(struct opset *os, const struct index *ix,
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
	for (i = 0; i < plan->n; i++) {
		const struct pz_rtype *t = pz_rtype_find(plan->changes[i].type);

		if (!t || !t->group_quota || os->create[i] == SIZE_MAX)
			continue;
		for (k = 0; k < plan->n; k++)
			if (k != i && os->del[k] != SIZE_MAX &&
			    !strcmp(plan->changes[k].type, t->name))
				op_after(os, os->create[i], os->del[k]);
	}
}

/* A plan that would leave more of a type than its per-group quota
 * cannot be applied (LimitExceededException): said before anything
 * runs. */
int pz_plan_check_quotas(const struct pz_plan *plan, const struct pz_spec *spec,
			 struct pz_diags *diags)
{
	size_t i, k, n;
	int r = 0;

	for (i = 0; i < plan->n; i++) {
		const struct pz_rtype *t = pz_rtype_find(plan->changes[i].type);
		bool first = true;

		if (!t || !t->group_quota)
			continue;
		for (k = 0, n = 0; k < plan->n; k++) {
			if (strcmp(plan->changes[k].type, t->name))
				continue;
			first &= k >= i;
			n += plan->changes[k].action != PZ_ACTION_DELETE;
		}
		if (first && n > (size_t)t->group_quota) {
			const struct pz_resource *res =
			    pz_spec_find(spec, plan->changes[i].address);
			struct pz_pos at = {0, 0, 0};

			if (res)
				at = res->pos;
			if (t->quota_adjustable) {
				pz_diag_add(
				    diags, PZ_SEV_WARNING, spec->path, at,
				    "this plan leaves %zu %ss in the dataset "
				    "group; Personalize allows %d unless the "
				    "account's quota was raised (else "
				    "LimitExceededException; limits.html)",
				    n, t->label, t->group_quota);
				continue;
			}
			pz_diag_add(diags, PZ_SEV_ERROR, spec->path, at,
				    "this plan leaves %zu %ss in the dataset "
				    "group; Personalize allows %d "
				    "(LimitExceededException; limits.html)",
				    n, t->label, t->group_quota);
			r = PZ_ESPEC;
		}
	}
	return r;
}

/* Kahn's algorithm, taking the ready operation made first (so output
 * follows the planner's dependency order where the graph allows). */
static size_t *topo(const struct opset *os, size_t *ndone)
{
	size_t *indeg = pz_xcalloc(os->n + 1, sizeof(*indeg));
	size_t *out = pz_xcalloc(os->n + 1, sizeof(*out));
	bool *done = pz_xcalloc(os->n + 1, sizeof(*done));
	size_t i, k, n = 0;

	for (i = 0; i < os->n; i++)
		indeg[i] = os->ops[i].nafter;
	for (;;) {
		for (i = 0; i < os->n; i++)
			if (!done[i] && !indeg[i])
				break;
		if (i == os->n)
			break;
		done[i] = true;
		out[n++] = i;
		for (k = 0; k < os->n; k++) {
			size_t j;

			for (j = 0; j < os->ops[k].nafter; j++)
				if (os->ops[k].after[j] == i)
					indeg[k]--;
		}
	}
	*ndone = n;
	/* What a cycle left: appended so nothing is lost (an error). */
	for (i = 0; i < os->n; i++)
		if (!done[i])
			out[n++] = i;
	free(indeg);
	free(done);
	return out;
}

/*
 * Drops each wait that another wait of the same operation implies
 * (transitive reduction): the graph means the same, and reads better.
 * ops are in executable order.
 */
static void reduce(struct pz_op *ops, size_t n)
{
	size_t words = (n + 63) / 64, i, j, k;
	uint64_t *anc = pz_xcalloc(n * words + 1, sizeof(*anc));

	for (i = 0; i < n; i++) {
		uint64_t *a = anc + i * words;
		size_t kept = 0;

		for (k = 0; k < ops[i].nafter; k++) {
			size_t p = ops[i].after[k];

			for (j = 0; j < words; j++)
				a[j] |= anc[p * words + j];
		}
		/* a now holds what the waits wait for: those are implied */
		for (k = 0; k < ops[i].nafter; k++) {
			size_t p = ops[i].after[k];

			if (!(a[p / 64] >> (p % 64) & 1))
				ops[i].after[kept++] = p;
		}
		ops[i].nafter = kept;
		for (k = 0; k < kept; k++)
			a[ops[i].after[k] / 64] |= (uint64_t)1
						   << (ops[i].after[k] % 64);
	}
	free(anc);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
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
