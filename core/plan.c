/*
 * plan.c - the planner: spec + state + live -> changes.
 */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "error.h"
#include "gitops.h"
#include "hash.h"
#include "json_out.h"
#include "tojson.h"
#include "unknown.h"
#include "usage.h"

struct pz_plan_ctx {
	const struct pz_spec *spec;
	const struct pz_state *state;
	const struct pz_live *live;
	const struct pz_live *live_state;
	const struct pz_plan_opts *opts;
	struct pz_plan *plan;
	struct pz_diags *diags;
	/* decided changes by spec resource index (NULL: not planned) */
	struct pz_change **by_index;
	bool *in_target;
};

const char *pz_action_name(enum pz_action a)
{
	switch (a) {
	case PZ_ACTION_NOOP: return "no-op";
	case PZ_ACTION_CREATE: return "create";
	case PZ_ACTION_UPDATE: return "update";
	case PZ_ACTION_REPLACE: return "replace";
	case PZ_ACTION_DELETE: return "delete";
	case PZ_ACTION_WAIT: return "wait";
	}
	return "?";
}

void pz_live_release(struct pz_live *l)
{
	if (!l)
		return;
	free(l->arn);
	free(l->status);
	free(l->failure_reason);
	free(l->data_digest);
	free(l->data_error);
	free(l->created);
	cJSON_Delete(l->attrs);
	cJSON_Delete(l->data_list);
	memset(l, 0, sizeof(*l));
}

static void change_release(struct pz_change *c)
{
	size_t i;

	free(c->address);
	free(c->type);
	free(c->trigger);
	free(c->note);
	free(c->condition);
	free(c->arn);
	free(c->cause);
	cJSON_Delete(c->before);
	cJSON_Delete(c->after);
	cJSON_Delete(c->meta);
	for (i = 0; i < c->nreplace; i++)
		free(c->replace_paths[i]);
	free(c->replace_paths);
	for (i = 0; i < c->nupdate; i++)
		free(c->update_paths[i]);
	free(c->update_paths);
	for (i = 0; i < c->ndeps; i++)
		free(c->deps[i]);
	free(c->deps);
}

void pz_plan_free(struct pz_plan *plan)
{
	size_t i;

	if (!plan)
		return;
	for (i = 0; i < plan->n; i++)
		change_release(&plan->changes[i]);
	free(plan->changes);
	for (i = 0; i < plan->ndrift; i++) {
		free(plan->drift[i].address);
		free(plan->drift[i].type);
		cJSON_Delete(plan->drift[i].before);
		cJSON_Delete(plan->drift[i].after);
	}
	free(plan->drift);
	for (i = 0; i < plan->nnotes; i++)
		free(plan->notes[i]);
	free(plan->notes);
	for (i = 0; i < plan->nops; i++)
		free(plan->ops[i].after);
	free(plan->ops);
	free(plan->spec_path);
	pz_plan_git_free(plan->git);
	pz_usage_free(plan->usage);
	free(plan);
}

bool pz_plan_has_changes(const struct pz_plan *plan)
{
	return plan->nadd || plan->nchange || plan->ndestroy;
}

/* --- context accessors for the types' hooks ------------------------------- */

const struct pz_change *pz_plan_ctx_change(const struct pz_plan_ctx *ctx,
					   const char *address)
{
	const struct pz_resource *r = pz_spec_find(ctx->spec, address);
	size_t i;

	if (r && ctx->by_index)
		return ctx->by_index[r->index];
	/* Once the operations are built (the usage hooks). */
	for (i = 0; r && i < ctx->plan->n; i++)
		if (!strcmp(ctx->plan->changes[i].address, address))
			return &ctx->plan->changes[i];
	return NULL;
}

const struct pz_state_resource *pz_plan_ctx_state(const struct pz_plan_ctx *ctx,
						  const char *address)
{
	return ctx->state ? pz_state_find(ctx->state, address) : NULL;
}

const struct pz_live *pz_plan_ctx_live(const struct pz_plan_ctx *ctx,
				       const struct pz_resource *r)
{
	return ctx->live ? &ctx->live[r->index] : NULL;
}

const struct pz_spec *pz_plan_ctx_spec(const struct pz_plan_ctx *ctx)
{
	return ctx->spec;
}

long long pz_plan_ctx_now(const struct pz_plan_ctx *ctx)
{
	return ctx->opts->now ? ctx->opts->now : pz_now();
}

bool pz_plan_ctx_refreshed(const struct pz_plan_ctx *ctx)
{
	return ctx->opts->refreshed;
}

/* --- building changes ----------------------------------------------------- */

static struct pz_change *add_change(struct pz_plan *plan, const char *address,
				    const char *type)
{
	struct pz_change *c;

	PZ_GROW(plan->changes, plan->n, plan->cap);
	c = &plan->changes[plan->n++];
	memset(c, 0, sizeof(*c));
	c->address = pz_xstrdup(address);
	c->type = pz_xstrdup(type);
	return c;
}

static void add_path(char ***list, size_t *n, const char *path)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*list)[i], path))
			return;
	*list = pz_xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = pz_xstrdup(path);
}

static void note(struct pz_plan *plan, const char *fmt, ...) PZ_PRINTF(2, 3);

static void note(struct pz_plan *plan, const char *fmt, ...)
{
	va_list ap;
	char *s;
	size_t i;

	va_start(ap, fmt);
	s = pz_xvasprintf(fmt, ap);
	va_end(ap);
	for (i = 0; i < plan->nnotes; i++)
		if (!strcmp(plan->notes[i], s)) {
			free(s);
			return;
		}
	plan->notes = pz_xreallocarray(plan->notes, plan->nnotes + 1,
				       sizeof(*plan->notes));
	plan->notes[plan->nnotes++] = s;
}

/* The ARN a resource has now, if any. */
static const char *current_arn(const struct pz_plan_ctx *ctx,
			       const struct pz_resource *r)
{
	const struct pz_live *lv = ctx->live ? &ctx->live[r->index] : NULL;
	const struct pz_state_resource *st = pz_plan_ctx_state(ctx, r->address);

	if (lv && lv->refreshed)
		return lv->exists ? lv->arn : NULL;
	return st ? st->arn : NULL;
}

/* The ARN of a resource that keeps it through this plan (no change,
 * an update, or waited for); NULL for the rest: known after apply. */
static const char *kept_arn(void *ud, const char *address)
{
	struct pz_plan_ctx *ctx = ud;
	const struct pz_resource *r = pz_spec_find(ctx->spec, address);
	const struct pz_change *ch = r ? ctx->by_index[r->index] : NULL;

	if (!ch ||
	    (ch->action != PZ_ACTION_NOOP && ch->action != PZ_ACTION_UPDATE &&
	     ch->action != PZ_ACTION_WAIT))
		return NULL;
	return current_arn(ctx, r);
}

static cJSON *desired(struct pz_plan_ctx *ctx, const struct pz_resource *r)
{
	const struct pz_operation *op = pz_facts_operation(r->type->create_op);
	const struct pz_shape *input = op ? pz_facts_shape(op->input) : NULL;
	cJSON *body = NULL;

	if (r->section && input)
		body = pz_node_to_api(r->body, input);
	if (!body)
		body = cJSON_CreateObject();
	if (r->section && input && pz_facts_member(input, "tags") &&
	    (ctx->spec->tags ||
	     cJSON_GetObjectItemCaseSensitive(body, "tags"))) {
		cJSON *tags = cJSON_CreateArray();

		pz_tags_merge(tags, ctx->spec->tags);
		pz_tags_merge(tags, pz_node_get(r->body, "tags"));
		cJSON_DeleteItemFromObjectCaseSensitive(body, "tags");
		if (cJSON_GetArraySize(tags))
			cJSON_AddItemToObject(body, "tags", tags);
		else
			cJSON_Delete(tags);
	}
	if (r->type->supply)
		r->type->supply(ctx->spec, r, body);
	(void)pz_unknown_resolve_known(body, kept_arn, ctx);
	return body;
}

/* --- diff -------------------------------------------------------------------
 */

static bool json_text_equal(const cJSON *a, const cJSON *b)
{
	cJSON *x, *y;
	bool eq;

	/* Members holding JSON documents (schemas): compare as JSON. */
	if (!cJSON_IsString(a) || !cJSON_IsString(b) ||
	    a->valuestring[0] != '{' || b->valuestring[0] != '{')
		return false;
	x = cJSON_Parse(a->valuestring);
	y = cJSON_Parse(b->valuestring);
	eq = x && y && pz_json_equal(x, y);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return eq;
}

static int cmp_tag(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a,
		    *y = *(const cJSON *const *)b;
	const cJSON *kx = cJSON_GetObjectItemCaseSensitive(x, "tagKey");
	const cJSON *ky = cJSON_GetObjectItemCaseSensitive(y, "tagKey");

	return strcmp(cJSON_IsString(kx) ? kx->valuestring : "",
		      cJSON_IsString(ky) ? ky->valuestring : "");
}

/* Tags compare as a set of key/value pairs. */
static bool tags_equal(const cJSON *a, const cJSON *b)
{
	size_t na = (size_t)cJSON_GetArraySize(a);
	size_t nb = (size_t)cJSON_GetArraySize(b), i;
	const cJSON **xa, **xb, *c;
	bool eq = na == nb;

	if (!cJSON_IsArray(a) || !cJSON_IsArray(b))
		return pz_json_equal(a, b);
	xa = pz_xcalloc(na + 1, sizeof(*xa));
	xb = pz_xcalloc(nb + 1, sizeof(*xb));
	i = 0;
	cJSON_ArrayForEach(c, a) xa[i++] = c;
	i = 0;
	cJSON_ArrayForEach(c, b) xb[i++] = c;
	qsort(xa, na, sizeof(*xa), cmp_tag);
	qsort(xb, nb, sizeof(*xb), cmp_tag);
	for (i = 0; eq && i < na; i++)
		eq = pz_json_equal(xa[i], xb[i]);
	free(xa);
	free(xb);
	return eq;
}

/* Values the service takes in any case (facts: caseInsensitive). */
static bool nocase_equal(const struct pz_operation *op, const char *path,
			 const cJSON *a, const cJSON *b)
{
	return cJSON_IsString(a) && cJSON_IsString(b) &&
	       pz_facts_nocase(op, path) &&
	       !strcasecmp(a->valuestring, b->valuestring);
}

static bool ignored(const struct pz_resource *r, const char *path)
{
	const struct pz_node *list =
	    pz_node_get(pz_node_get(r->pz, "lifecycle"), "ignoreChanges");
	size_t i;

	for (i = 0; list && list->kind == PZ_NODE_SEQ && i < list->nitems;
	     i++) {
		const char *p = pz_node_str(list->items[i]);
		size_t n = p ? strlen(p) : 0;

		if (p && !strncmp(path, p, n) &&
		    (path[n] == '\0' || path[n] == '.'))
			return true;
	}
	return false;
}

static void mark(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		 struct pz_change *c, const struct pz_operation *op,
		 const char *path)
{
	(void)ctx;
	if (ignored(r, path))
		return;
	if (pz_facts_updatable(op, path))
		add_path(&c->update_paths, &c->nupdate, path);
	else
		add_path(&c->replace_paths, &c->nreplace, path);
}

static void diff_value(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		       struct pz_change *c, const struct pz_operation *op,
		       const cJSON *want, const cJSON *have,
		       const struct pz_shape *shape, char *path, size_t plen,
		       size_t cap)
{
	const cJSON *m;

	if (pz_unknown_is(want)) {
		/* Known after apply: a change unless both are the same
		 * unknown. */
		if (!have || !pz_json_equal(want, have))
			mark(ctx, r, c, op, path);
		return;
	}
	if (!have) {
		mark(ctx, r, c, op, path);
		return;
	}
	if (shape && shape->type == PZ_SHAPE_STRUCTURE &&
	    cJSON_IsObject(want) && cJSON_IsObject(have)) {
		/* Members the spec leaves out keep the service's value. */
		cJSON_ArrayForEach(m, want)
		{
			const struct pz_member *mem =
			    pz_facts_member(shape, m->string);
			int k = snprintf(path + plen, cap - plen, "%s%s",
					 plen ? "." : "", m->string);

			if (k < 0 || (size_t)k >= cap - plen)
				continue;
			diff_value(
			    ctx, r, c, op, m,
			    cJSON_GetObjectItemCaseSensitive(have, m->string),
			    mem ? pz_facts_shape(mem->shape) : NULL, path,
			    plen + (size_t)k, cap);
			path[plen] = '\0';
		}
		return;
	}
	if (shape && shape->type == PZ_SHAPE_LIST && plen == 4 &&
	    !strncmp(path, "tags", 4)) {
		if (!tags_equal(want, have))
			mark(ctx, r, c, op, path);
		return;
	}
	if (!pz_json_equal(want, have) && !json_text_equal(want, have) &&
	    !nocase_equal(op, path, want, have))
		mark(ctx, r, c, op, path);
}

/* Whether the resource's update operation takes member as it is, so
 * that an update sends it whole (UpdateCampaign's campaignConfig; not
 * a solutionConfig, of which UpdateSolution takes only a part). */
static bool sent_whole(const struct pz_resource *r, const char *member)
{
	const struct pz_operation *op = pz_facts_operation(r->type->create_op);
	const struct pz_operation *uop =
	    op && op->update_op ? pz_facts_operation(op->update_op) : NULL;

	return uop && pz_facts_member(pz_facts_shape(uop->input), member);
}

/*
 * Members the spec leaves out keep the service's value (diff_value), so
 * one the last apply set (the state records it) and the spec no longer
 * has stays as it was in the service: the plan says so, once per
 * member, rather than let the reader believe it went back to its
 * default.
 */
static void warn_removed(struct pz_plan_ctx *ctx, const struct pz_resource *r,
			 const cJSON *recorded, const cJSON *want,
			 const cJSON *have, bool updated, char *path,
			 size_t plen, size_t cap)
{
	const cJSON *m;
	bool sends = updated; /* below the top: the caller's answer */

	cJSON_ArrayForEach(m, recorded)
	{
		const cJSON *w, *h;
		int k;

		if (!m->string)
			continue;
		w = cJSON_GetObjectItemCaseSensitive(want, m->string);
		h = cJSON_GetObjectItemCaseSensitive(have, m->string);
		if (!h)
			continue; /* gone from the service too */
		k = snprintf(path + plen, cap - plen, "%s%s", plen ? "." : "",
			     m->string);
		if (k < 0 || (size_t)k >= cap - plen)
			continue;
		if (!plen)
			sends = updated && sent_whole(r, m->string);
		if (!w) {
			char *v = cJSON_PrintUnformatted(h);

			if (ignored(r, path))
				; /* the spec says to ignore it */
			else if (plen && sends)
				/* The update sends the member it is in,
				 * without it: whether the service merges or
				 * replaces is not settled
				 * (personalize-rules.md §9.3). */
				pz_diag_add(
				    ctx->diags, PZ_SEV_WARNING, ctx->spec->path,
				    r->pos,
				    "%s: %s is no longer in the spec, and this "
				    "plan updates the resource, sending %.*s "
				    "without it: whether the service then "
				    "keeps it (%s) or resets it is not settled "
				    "by AWS's documentation; to be sure of its "
				    "value, write it in the spec",
				    r->address, path, (int)strcspn(path, "."),
				    path, v ? v : "?");
			else
				pz_diag_add(
				    ctx->diags, PZ_SEV_WARNING, ctx->spec->path,
				    r->pos,
				    "%s: %s is no longer in the spec, but the "
				    "service keeps it (%s): pz changes only "
				    "what the spec says; to go back to the "
				    "service's default, write the default in "
				    "the spec",
				    r->address, path, v ? v : "?");
			free(v);
		} else if (cJSON_IsObject(m) && cJSON_IsObject(w) &&
			   cJSON_IsObject(h)) {
			warn_removed(ctx, r, m, w, h, sends, path,
				     plen + (size_t)k, cap);
		}
		path[plen] = '\0';
	}
}

void pz_plan_diff(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		  struct pz_change *c)
{
	const struct pz_operation *op = pz_facts_operation(r->type->create_op);
	const struct pz_shape *input = op ? pz_facts_shape(op->input) : NULL;
	char path[512] = "";

	diff_value(ctx, r, c, op, c->after, c->before, input, path, 0,
		   sizeof(path));
	if (c->nreplace)
		c->action = PZ_ACTION_REPLACE;
	else if (c->nupdate)
		c->action = PZ_ACTION_UPDATE;
	else
		c->action = PZ_ACTION_NOOP;
	if (c->action == PZ_ACTION_REPLACE)
		c->reason = "replace_because_cannot_update";
}

/*
 * The members the service keeps (warn_removed), once every change's
 * action is final (after the types' own rules and the cascade): for
 * what is updated or left as it is. Not for a replacement, which starts
 * from the defaults, nor for the defaults a pz import recorded.
 */
static void warn_kept(struct pz_plan_ctx *ctx, const size_t *order)
{
	char path[512];
	size_t i;

	for (i = 0; i < ctx->spec->nresources; i++) {
		const struct pz_resource *r = ctx->spec->resources[order[i]];
		const struct pz_change *c = ctx->by_index[r->index];
		const struct pz_state_resource *st =
		    pz_plan_ctx_state(ctx, r->address);

		if (!c ||
		    (c->action != PZ_ACTION_UPDATE &&
		     c->action != PZ_ACTION_NOOP) ||
		    !st || !cJSON_IsObject(st->attributes) ||
		    !cJSON_IsObject(c->after) ||
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			st->meta, PZ_META_DESCRIBED)))
			continue;
		path[0] = '\0';
		warn_removed(ctx, r, st->attributes, c->after, c->before,
			     c->action == PZ_ACTION_UPDATE, path, 0,
			     sizeof(path));
	}
}

/* State attributes overlaid with what refresh saw. */
static cJSON *current_attrs(const struct pz_state_resource *st,
			    const struct pz_live *lv)
{
	cJSON *cur = st && st->attributes ? cJSON_Duplicate(st->attributes, 1)
					  : cJSON_CreateObject();
	const cJSON *m;

	if (lv && lv->refreshed && lv->exists && lv->attrs) {
		cJSON_ArrayForEach(m, lv->attrs)
		{
			cJSON_DeleteItemFromObjectCaseSensitive(cur, m->string);
			cJSON_AddItemToObject(cur, m->string,
					      cJSON_Duplicate(m, 1));
		}
	}
	return cur;
}

static void record_drift(struct pz_plan *plan,
			 const struct pz_state_resource *st,
			 const struct pz_live *lv)
{
	struct pz_drift *d;
	const cJSON *m;
	bool changed = false;

	if (!st || !st->arn || !lv || !lv->refreshed)
		return;
	if (lv->exists && lv->arn && strcmp(lv->arn, st->arn))
		return; /* another one now (a newer solution version) */
	if (lv->exists) {
		const struct pz_rtype *t = pz_rtype_find(st->type);
		const struct pz_operation *op =
		    t ? pz_facts_operation(t->create_op) : NULL;

		cJSON_ArrayForEach(m, st->attributes)
		{
			const cJSON *now = cJSON_GetObjectItemCaseSensitive(
			    lv->attrs, m->string);

			if (now && !pz_json_equal(m, now) &&
			    !json_text_equal(m, now) &&
			    !nocase_equal(op, m->string, m, now) &&
			    !(cJSON_IsArray(m) && !strcmp(m->string, "tags") &&
			      tags_equal(m, now)))
				changed = true;
		}
		if (!changed)
			return;
	}
	PZ_GROW(plan->drift, plan->ndrift, plan->drift_cap);
	d = &plan->drift[plan->ndrift++];
	memset(d, 0, sizeof(*d));
	d->address = pz_xstrdup(st->address);
	d->type = pz_xstrdup(st->type);
	d->deleted = !lv->exists;
	d->before = cJSON_Duplicate(st->attributes, 1);
	d->after = lv->exists ? current_attrs(st, lv) : NULL;
}

static bool prevent_destroy(const struct pz_resource *r)
{
	const struct pz_node *p = pz_node_get(
	    pz_node_get(r ? r->pz : NULL, "lifecycle"), "preventDestroy");

	return p && p->kind == PZ_NODE_BOOL && p->b;
}

static void set_deps(struct pz_change *c, const struct pz_spec *spec,
		     const struct pz_resource *r)
{
	size_t i;

	c->deps = pz_xcalloc(r->ndeps + 1, sizeof(*c->deps));
	for (i = 0; i < r->ndeps; i++)
		c->deps[i] = pz_xstrdup(spec->resources[r->deps[i]]->address);
	c->ndeps = r->ndeps;
}

bool pz_live_in_progress(const struct pz_live *lv)
{
	return lv && lv->refreshed && lv->exists && lv->status &&
	       (pz_str_has_suffix(lv->status, "PENDING") ||
		pz_str_has_suffix(lv->status, "IN_PROGRESS") ||
		pz_str_has_suffix(lv->status, "STOPPING"));
}

bool pz_plan_awaitable(const struct pz_plan_ctx *ctx,
		       const struct pz_resource *r, const struct pz_live *lv)
{
	const struct pz_state_resource *st = pz_plan_ctx_state(ctx, r->address);

	/* What apply writes while it creates: "CREATE REQUESTED" before
	 * the call, "CREATE PENDING" once it answered. */
	return pz_live_in_progress(lv) && st && st->status && lv->arn &&
	       st->arn && !strcmp(st->arn, lv->arn) &&
	       (!strcmp(st->status, "CREATE REQUESTED") ||
		!strcmp(st->status, "CREATE PENDING"));
}

void pz_plan_decide(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		    struct pz_change *c)
{
	const struct pz_state_resource *st = pz_plan_ctx_state(ctx, r->address);
	const struct pz_live *lv = ctx->live ? &ctx->live[r->index] : NULL;

	if (!c->arn) {
		c->action = PZ_ACTION_CREATE;
	} else if (pz_live_in_progress(lv)) {
		/* Creating or updating: its attributes are not settled. */
		c->action = PZ_ACTION_WAIT;
		c->awaits = pz_plan_awaitable(ctx, r, lv);
		c->note =
		    c->awaits
			? pz_xasprintf("%s, started by an earlier apply: apply "
				       "waits for it to finish",
				       lv->status)
			: pz_xasprintf("%s: the plan waits until it is done",
				       lv->status);
	} else if ((st && st->tainted) ||
		   (lv && lv->refreshed && lv->status &&
		    pz_str_has_suffix(lv->status, "CREATE FAILED"))) {
		/* Its creation failed (recorded, or seen now): replace it. */
		c->action = PZ_ACTION_REPLACE;
		c->reason = "replace_because_tainted";
		if (lv && lv->failure_reason)
			c->note =
			    pz_xasprintf("it failed: %s", lv->failure_reason);
	} else {
		pz_plan_diff(ctx, r, c);
		if (lv && lv->refreshed && lv->status &&
		    !strcmp(lv->status, "UPDATE FAILED")) {
			/* The service kept the old settings, or reports the
			 * new ones it failed to apply: update again. */
			if (c->action == PZ_ACTION_NOOP)
				c->action = PZ_ACTION_UPDATE;
			c->retry = c->action == PZ_ACTION_UPDATE;
			c->note = pz_xasprintf(
			    "its last update failed%s%s; planned again",
			    lv->failure_reason ? ": " : "",
			    lv->failure_reason ? lv->failure_reason : "");
		}
	}
}

/*
 * A resource is not made on one the plan waits for while that one is
 * still being made (an import, a training an earlier apply started) or
 * does not exist yet: the service refuses it (not ACTIVE), or worse,
 * accepts it and fails later (a training on an import in progress has
 * no data). The next plan, once that one is done, makes it. Changes
 * are planned in dependency order, so the wait carries down a chain.
 */
static void waits_for_deps(struct pz_plan_ctx *ctx, const struct pz_resource *r,
			   struct pz_change *c)
{
	size_t i;

	if (c->action != PZ_ACTION_CREATE && c->action != PZ_ACTION_REPLACE)
		return;
	for (i = 0; i < r->ndeps; i++) {
		const struct pz_resource *d = ctx->spec->resources[r->deps[i]];
		const struct pz_change *dc = ctx->by_index[d->index];

		/* An awaited one (an earlier apply's, recorded) is waited
		 * for by this apply: what depends on it follows it. */
		if (!dc || dc->action != PZ_ACTION_WAIT || dc->awaits ||
		    (dc->arn && !pz_live_in_progress(pz_plan_ctx_live(ctx, d))))
			continue;
		c->action = PZ_ACTION_WAIT;
		c->reason = NULL;
		free(c->trigger);
		c->trigger = NULL;
		free(c->note);
		c->note = pz_xasprintf("waits for %s", dc->address);
		return;
	}
}

static void plan_resource(struct pz_plan_ctx *ctx, const struct pz_resource *r)
{
	const struct pz_state_resource *st = pz_plan_ctx_state(ctx, r->address);
	const struct pz_live *lv = ctx->live ? &ctx->live[r->index] : NULL;
	struct pz_change *c = add_change(ctx->plan, r->address, r->type->name);
	const char *arn = current_arn(ctx, r);
	bool exists = arn != NULL;

	set_deps(c, ctx->spec, r);
	c->prevent_destroy = prevent_destroy(r);
	c->requested = st && !st->arn && st->status &&
		       !strcmp(st->status, "CREATE REQUESTED");
	c->after = desired(ctx, r);
	if (exists) {
		c->arn = pz_xstrdup(arn);
		c->before = current_attrs(st, lv);
	}
	(void)exists;
	record_drift(ctx->plan, st, lv);
	if (r->type->plan)
		r->type->plan(ctx, r, c);
	else
		pz_plan_decide(ctx, r, c);
	waits_for_deps(ctx, r, c);
	ctx->by_index[r->index] = c;
}

/* The -target closure: the targets and everything they depend on. */
static int mark_targets(struct pz_plan_ctx *ctx)
{
	const struct pz_spec *spec = ctx->spec;
	size_t i, k, *stack, top = 0;
	int r = 0;

	ctx->in_target =
	    pz_xcalloc(spec->nresources + 1, sizeof(*ctx->in_target));
	if (!ctx->opts->ntargets) {
		for (i = 0; i < spec->nresources; i++)
			ctx->in_target[i] = true;
		return 0;
	}
	stack = pz_xcalloc(spec->nresources + 1, sizeof(*stack));
	for (k = 0; k < ctx->opts->ntargets; k++) {
		const struct pz_resource *t =
		    pz_spec_find(spec, ctx->opts->targets[k]);

		if (!t) {
			if (!ctx->state ||
			    !pz_state_find(ctx->state, ctx->opts->targets[k])) {
				struct pz_pos none = {0, 0, 0};

				pz_diag_add(ctx->diags, PZ_SEV_ERROR,
					    spec->path, none,
					    "-target=%s: no such resource in "
					    "the spec or the state",
					    ctx->opts->targets[k]);
				r = PZ_ESPEC;
			}
			continue;
		}
		if (!ctx->in_target[t->index]) {
			ctx->in_target[t->index] = true;
			stack[top++] = t->index;
		}
	}
	while (top) {
		const struct pz_resource *res = spec->resources[stack[--top]];

		for (i = 0; i < res->ndeps; i++)
			if (!ctx->in_target[res->deps[i]]) {
				ctx->in_target[res->deps[i]] = true;
				stack[top++] = res->deps[i];
			}
	}
	free(stack);
	return r;
}

/* Deletes in reverse dependency order: a resource after everything in
 * the state that depends on it. Under -target, a target takes with it
 * what depends on it and what the service refuses to delete it before
 * (pz_plan_destroy_closure). */
static void delete_one(struct pz_plan_ctx *ctx, size_t i, bool all)
{
	const struct pz_state_resource *sr = &ctx->state->resources[i];
	const struct pz_resource *res = pz_spec_find(ctx->spec, sr->address);
	const struct pz_rtype *t = pz_rtype_find(sr->type);
	const struct pz_live *lv = ctx->live_state ? &ctx->live_state[i] : NULL;
	struct pz_change *c = add_change(ctx->plan, sr->address, sr->type);

	c->action = PZ_ACTION_DELETE;
	c->reason = all ? NULL : "delete_because_no_resource_config";
	c->before = current_attrs(sr, lv);
	c->arn = sr->arn ? pz_xstrdup(sr->arn) : NULL;
	c->prevent_destroy = prevent_destroy(res);
	c->implicit = t && t->implicit_delete;
	record_drift(ctx->plan, sr, lv);
	if (lv && lv->refreshed && !lv->exists) {
		/* Already gone: only the record. */
		c->implicit = true;
		free(c->note);
		c->note = pz_xstrdup("already deleted outside pz; "
				     "only its record goes");
	}
}

/*
 * The deletes, each after what needs it (in the state) is deleted: in
 * passes over the state in its order, each placing every resource
 * that nothing left needs. Kept as counts and heaps, linear but for
 * the log: a resource becomes free when its last user is placed, in
 * this pass when it comes later, else in the next.
 */
static void plan_deletes(struct pz_plan_ctx *ctx, bool all)
{
	const struct pz_state *st = ctx->state;
	size_t n = st ? st->n : 0, i, k, placed = 0, ncur = 0, nnext = 0;
	size_t *users, *cur, *next, **dep_at, *ndep_at, *tmp;
	bool *want, *done, *targeted;

	if (!n)
		return;
	want = pz_xcalloc(n, sizeof(*want));
	done = pz_xcalloc(n, sizeof(*done));
	targeted = pz_xcalloc(n, sizeof(*targeted));
	users = pz_xcalloc(n, sizeof(*users));
	cur = pz_xcalloc(n, sizeof(*cur));
	next = pz_xcalloc(n, sizeof(*next));
	dep_at = pz_xcalloc(n, sizeof(*dep_at));
	ndep_at = pz_xcalloc(n, sizeof(*ndep_at));
	if (ctx->opts->ntargets)
		pz_plan_destroy_closure(st, ctx->opts->targets,
					ctx->opts->ntargets, targeted);
	for (i = 0; i < n; i++) {
		const char *a = st->resources[i].address;

		want[i] = (all || !pz_spec_find(ctx->spec, a)) &&
			  (!ctx->opts->ntargets || targeted[i]);
		if (!want[i])
			done[i] = true, placed++;
	}
	free(targeted);
	/* What each resource still to delete needs (each once), and how
	 * many such users each has. */
	for (i = 0; i < n; i++) {
		const struct pz_state_resource *sr = &st->resources[i];

		if (done[i])
			continue;
		dep_at[i] = pz_xcalloc(sr->ndeps + 1, sizeof(**dep_at));
		for (k = 0; k < sr->ndeps; k++) {
			const struct pz_state_resource *d =
			    pz_state_find(st, sr->deps[k]);
			size_t at = d ? (size_t)(d - st->resources) : i, m;

			if (at == i)
				continue;
			for (m = 0; m < ndep_at[i]; m++)
				if (dep_at[i][m] == at)
					break;
			if (m < ndep_at[i])
				continue;
			dep_at[i][ndep_at[i]++] = at;
			users[at]++;
		}
	}
	for (i = 0; i < n; i++)
		if (!done[i] && !users[i])
			pz_heap_push(cur, &ncur, i);
	while (placed < n) {
		bool progress = false;

		while (ncur) {
			i = pz_heap_pop(cur, &ncur);
			delete_one(ctx, i, all);
			done[i] = true;
			placed++;
			progress = true;
			for (k = 0; k < ndep_at[i]; k++) {
				size_t d = dep_at[i][k];

				if (!done[d] && !--users[d]) {
					if (d > i)
						pz_heap_push(cur, &ncur, d);
					else
						pz_heap_push(next, &nnext, d);
				}
			}
		}
		if (!progress) { /* a cycle in a hand-edited state */
			for (i = 0; i < n; i++)
				if (!done[i])
					done[i] = true, placed++;
			break;
		}
		tmp = cur;
		cur = next;
		next = tmp;
		ncur = nnext;
		nnext = 0;
	}
	for (i = 0; i < n; i++)
		free(dep_at[i]);
	free(dep_at);
	free(ndep_at);
	free(users);
	free(cur);
	free(next);
	free(want);
	free(done);
}

void pz_plan_count(struct pz_plan *plan)
{
	size_t i;

	plan->nadd = plan->nchange = plan->ndestroy = plan->nwait = 0;
	for (i = 0; i < plan->n; i++) {
		switch (plan->changes[i].action) {
		case PZ_ACTION_CREATE: plan->nadd++; break;
		case PZ_ACTION_UPDATE: plan->nchange++; break;
		case PZ_ACTION_REPLACE:
			plan->nadd++;
			plan->ndestroy++;
			break;
		case PZ_ACTION_DELETE: plan->ndestroy++; break;
		case PZ_ACTION_WAIT: plan->nwait++; break;
		case PZ_ACTION_NOOP: break;
		}
	}
}

static void check_prevent_destroy(struct pz_plan_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->plan->n; i++) {
		const struct pz_change *c = &ctx->plan->changes[i];
		const struct pz_resource *r;
		const struct pz_pair *p;
		struct pz_pos at = {0, 0, 0};
		char because[300] = "";

		if (!c->prevent_destroy || (c->action != PZ_ACTION_DELETE &&
					    c->action != PZ_ACTION_REPLACE))
			continue;
		r = pz_spec_find(ctx->spec, c->address);
		p = r ? pz_node_get_pair(pz_node_get(r->pz, "lifecycle"),
					 "preventDestroy")
		      : NULL;
		if (p)
			at = p->key_pos;
		if (c->cause)
			snprintf(because, sizeof(because),
				 " (because %s is %s)", c->cause,
				 c->cause_deleted ? "destroyed" : "replaced");
		else if (c->nreplace)
			snprintf(because, sizeof(because), " (because of %s)",
				 c->replace_paths[0]);
		pz_diag_add(ctx->diags, PZ_SEV_ERROR, ctx->spec->path, at,
			    "%s has lifecycle.preventDestroy, but this plan "
			    "would %s it%s; change the spec so it stays, or "
			    "set preventDestroy: false first",
			    c->address,
			    c->action == PZ_ACTION_DELETE ? "destroy"
							  : "replace",
			    because);
	}
}

/* What the plan bills, from each type's usage hook, in the order the
 * changes run. */
static void plan_usage(struct pz_plan_ctx *ctx)
{
	struct pz_plan *plan = ctx->plan;
	size_t i;

	plan->usage = pz_usage_new();
	for (i = 0; i < plan->n; i++) {
		const struct pz_rtype *t = pz_rtype_find(plan->changes[i].type);

		if (t && t->usage)
			t->usage(ctx, &plan->changes[i], plan->usage);
	}
	pz_usage_finish(plan->usage);
}

int pz_plan_make(struct pz_plan **out, const struct pz_spec *spec,
		 const struct pz_state *state, const struct pz_live *live,
		 const struct pz_live *live_state,
		 const struct pz_plan_opts *opts, struct pz_diags *diags)
{
	struct pz_plan_ctx ctx;
	struct pz_plan *plan = pz_xcalloc(1, sizeof(*plan));
	size_t *order = pz_xcalloc(spec->nresources + 1, sizeof(*order));
	size_t i, errors = diags->nerrors;
	struct pz_change **by_index;
	int r = 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.spec = spec;
	ctx.state = state;
	ctx.live = live;
	ctx.live_state = live_state;
	ctx.opts = opts;
	ctx.plan = plan;
	ctx.diags = diags;
	plan->refreshed = opts->refreshed;
	plan->destroy = opts->destroy;
	plan->spec_path = pz_xstrdup(spec->path);
	if (state) {
		plan->state_serial = state->serial;
		memcpy(plan->state_lineage, state->lineage, 37);
	}
	*out = plan;
	/* by_index points into plan->changes, which is allocated once
	 * with room for every change, so the pointers stay valid. */
	by_index = pz_xcalloc(spec->nresources + 1, sizeof(*by_index));
	ctx.by_index = by_index;
	if (mark_targets(&ctx))
		r = PZ_ESPEC;
	if (!opts->destroy) {
		pz_spec_toposort(spec, order, diags);
		/* Reserve room so pointers in by_index stay valid. */
		plan->cap = spec->nresources + (state ? state->n : 0) + 1;
		plan->changes = pz_xcalloc(plan->cap, sizeof(*plan->changes));
		for (i = 0; i < spec->nresources; i++) {
			const struct pz_resource *res =
			    spec->resources[order[i]];

			if (ctx.in_target[res->index])
				plan_resource(&ctx, res);
		}
	} else {
		plan->cap = (state ? state->n : 0) + 1;
		plan->changes = pz_xcalloc(plan->cap, sizeof(*plan->changes));
	}
	plan_deletes(&ctx, opts->destroy);
	if (pz_plan_cascade(plan, state, spec, diags))
		r = PZ_ESPEC;
	if (!opts->destroy)
		warn_kept(&ctx, order);
	if (pz_plan_check_quotas(plan, spec, diags))
		r = PZ_ESPEC;
	check_prevent_destroy(&ctx);
	pz_plan_count(plan);
	/* by_index points into plan->changes: unused from here on, as
	 * building the operations reorders the changes. */
	ctx.by_index = NULL;
	if (pz_plan_build_ops(plan, state, diags, spec->path))
		r = PZ_ESPEC;
	{
		size_t k, nawait = 0, later;

		for (k = 0; k < plan->n; k++)
			nawait += plan->changes[k].action == PZ_ACTION_WAIT &&
				  plan->changes[k].awaits;
		later = plan->nwait - nawait;
		if (later)
			note(plan,
			     "%zu resource%s wait%s (each says for what): a "
			     "later plan picks %s up",
			     later, later == 1 ? "" : "s",
			     later == 1 ? "s" : "", later == 1 ? "it" : "them");
		if (nawait)
			note(plan,
			     "%zu resource%s an earlier apply started %s "
			     "still being created: apply waits for %s",
			     nawait, nawait == 1 ? "" : "s",
			     nawait == 1 ? "is" : "are",
			     nawait == 1 ? "it" : "them");
	}
	if (!opts->no_usage)
		plan_usage(&ctx);
	if (opts->ntargets)
		note(plan,
		     "-target is in effect: this plan covers only the "
		     "named resources and %s, so the rest may differ "
		     "from the spec",
		     opts->destroy ? "what depends on them or must be "
				     "deleted before them"
				   : "what they depend on");
	free(order);
	free(by_index);
	free(ctx.in_target);
	if (diags->nerrors > errors)
		r = PZ_ESPEC;
	return r;
}

int pz_plan_record(struct pz_state *st, const struct pz_change *c,
		   const char *arn, const char *status,
		   pz_unknown_resolve_fn resolve, void *ud, long long now)
{
	struct pz_state_resource *r;
	const cJSON *m;
	cJSON *attrs;
	bool new_arn;

	if (c->action == PZ_ACTION_DELETE) {
		pz_state_remove(st, c->address);
		pz_error_clear();
		return 0;
	}
	/* Never a null where an ARN belongs: the record stays as it was. */
	if (pz_unknown_resolved(&attrs, c->after, resolve, ud))
		return pz_error_wrap(0, "%s", c->address);
	{
		const struct pz_state_resource *was =
		    pz_state_find(st, c->address);

		new_arn = !arn || !was || !was->arn || strcmp(was->arn, arn);
	}
	r = pz_state_record(st, c->address, c->type, arn, status, attrs,
			    (const char *const *)c->deps, c->ndeps);
	/* The attributes are now what this apply sent. */
	cJSON_DeleteItemFromObjectCaseSensitive(r->meta, PZ_META_DESCRIBED);
	/* A meta member the plan left null and named *_at is a time stamp
	 * of this apply ("trained_at", "imported_at"), of when it was last
	 * recorded: for a create, when it ended. One named *_started_at
	 * is stamped when the record first holds this ARN (apply records
	 * a new resource before it waits for it), so it says when the
	 * work began: the two give how long a training took. */
	cJSON_ArrayForEach(m, c->meta)
	{
		bool started = pz_str_has_suffix(m->string, "_started_at");
		cJSON *v;

		if (started && cJSON_IsNull(m) && !new_arn) {
			const cJSON *was = cJSON_GetObjectItemCaseSensitive(
			    r->meta, m->string);

			if (was)
				continue; /* stamped when it began */
		}
		v = cJSON_IsNull(m) && pz_str_has_suffix(m->string, "_at")
			? cJSON_CreateNumber((double)now)
			: cJSON_Duplicate(m, 1);

		cJSON_DeleteItemFromObjectCaseSensitive(r->meta, m->string);
		cJSON_AddItemToObject(r->meta, m->string, v);
	}
	return 0;
}

int pz_spec_digest(const struct pz_spec *spec, const struct pz_spec_var *vars,
		   size_t nvars, char out[65])
{
	struct pz_sha256 md;
	size_t i;

	pz_sha256_init(&md);
	/* The interpolated tree: a comment edit changes nothing, a value
	 * from -var or the environment does. */
	pz_sha256_update(&md, "pz-spec-tree-1", 15);
	pz_sha256_node(&md, spec->doc->root);
	for (i = 0; i < nvars; i++) {
		pz_sha256_update(&md, "\0", 1);
		pz_sha256_update(&md, vars[i].name, strlen(vars[i].name));
		pz_sha256_update(&md, "=", 1);
		pz_sha256_update(&md, vars[i].value, strlen(vars[i].value));
	}
	pz_sha256_final_hex(&md, out);
	return 0;
}
