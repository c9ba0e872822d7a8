/*
 * campaign.c - campaigns: deployed solution versions. A campaign moves
 * to a new version in place (UpdateCampaign), with pz.promote only when
 * the new version's offline metric is good enough.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/plan.h"

#include "pers.h"
#include "promote.h"

static void link(struct pz_spec *spec, struct pz_resource *r,
		 struct pz_diags *diags)
{
	struct pz_resource *sol = pz_pers_solution_of(spec, r, true);
	struct pz_resource *v;

	(void)diags;
	r->data = sol; /* borrowed: supply() needs it */
	if (!sol)
		return;
	v = pz_spec_find_type(spec, "solution_version", sol->key);
	if (v)
		pz_spec_add_dep(spec, r, pz_spec_index(spec, v));
}

/* campaignConfig.syncWithLatestSolutionVersion: the service moves the
 * campaign to each new ACTIVE version of its solution. */
static bool syncs(const struct pz_resource *r)
{
	const struct pz_node *n =
	    pz_node_get(pz_node_get(r->body, "campaignConfig"),
			"syncWithLatestSolutionVersion");

	return n && n->kind == PZ_NODE_BOOL && n->b;
}

static void check(struct pz_spec *spec, struct pz_resource *r,
		  struct pz_diags *diags)
{
	const struct pz_node *promote = pz_node_get(r->pz, "promote");
	const char *metric = pz_node_str(pz_node_get(promote, "metric"));
	const char *best;

	(void)diags;
	if (promote && syncs(r))
		pz_pers_error(spec, pz_pers_pz_pos(r, "promote"),
			      "%s: pz.promote cannot gate a campaign with "
			      "campaignConfig.syncWithLatestSolutionVersion: "
			      "the service moves it to each new version by "
			      "itself; drop one of the two",
			      r->address);
	if (pz_node_get(pz_node_get(r->body, "campaignConfig"),
			"itemExplorationConfig") &&
	    r->data && pz_pers_recipe(r->data) &&
	    !pz_str_has_prefix(pz_pers_recipe(r->data),
			       "aws-user-personalization"))
		pz_pers_error(spec, pz_pers_pos(r, "campaignConfig"),
			      "%s: campaignConfig.itemExplorationConfig is "
			      "only for User-Personalization recipes, and %s "
			      "uses %s; remove it",
			      r->address,
			      ((struct pz_resource *)r->data)->address,
			      pz_pers_recipe(r->data));
	if (!metric)
		return;
	if (pz_promote_metric_known(metric))
		return;
	best = pz_str_suggest(metric, pz_promote_metrics, pz_promote_nmetrics);
	if (best)
		pz_pers_error(spec, pz_node_get(promote, "metric")->pos,
			      "%s: '%s' is not a solution metric; did you mean "
			      "'%s'?",
			      r->address, metric, best);
	else
		pz_pers_warning(
		    spec, pz_node_get(promote, "metric")->pos,
		    "%s: '%s' is not a metric pz knows; promotion "
		    "fails if GetSolutionMetrics does not report it",
		    r->address, metric);
}

static void supply(const struct pz_spec *spec, const struct pz_resource *r,
		   cJSON *body)
{
	const struct pz_resource *sol = r->data;
	char addr[256];

	(void)spec;
	if (!sol)
		return;
	if (syncs(r)) {
		snprintf(addr, sizeof(addr), "%s/$LATEST", sol->address);
		pz_pers_ref(body, "solutionVersionArn", addr);
		return;
	}
	snprintf(addr, sizeof(addr), "solution_version.%s", sol->key);
	pz_pers_ref(body, "solutionVersionArn", addr);
}

/*
 * With sync, the version is "<solution ARN>/$LATEST" (what an update
 * sends); the version the campaign serves at a time is the service's
 * business: once the campaign syncs, solutionVersionArn is no reason to
 * update it.
 */
static void plan_sync(struct pz_change *c)
{
	const cJSON *cfg =
	    cJSON_GetObjectItemCaseSensitive(c->before, "campaignConfig");
	size_t i, k = 0;

	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		cfg, "syncWithLatestSolutionVersion")) ||
	    c->action != PZ_ACTION_UPDATE)
		return;
	for (i = 0; i < c->nupdate; i++) {
		if (!strcmp(c->update_paths[i], "solutionVersionArn"))
			free(c->update_paths[i]);
		else
			c->update_paths[k++] = c->update_paths[i];
	}
	c->nupdate = k;
	if (!c->nupdate && !c->nreplace)
		c->action = PZ_ACTION_NOOP;
}

/*
 * The gate kept the campaign off this very version at an earlier apply
 * (the state's record): not tried again until a newer one exists. True
 * when it drops the move from c.
 */
static bool kept(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		 struct pz_change *c)
{
	const struct pz_state_resource *st = pz_plan_ctx_state(ctx, r->address);
	const cJSON *v =
	    cJSON_GetObjectItemCaseSensitive(c->after, "solutionVersionArn");
	const cJSON *why = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(st ? st->meta : NULL, "promotion"),
	    "message");
	size_t i, k = 0;

	if (!cJSON_IsString(v) || !pz_promote_kept(st, v->valuestring))
		return false;
	for (i = 0; i < c->nupdate; i++) {
		if (!strcmp(c->update_paths[i], "solutionVersionArn"))
			free(c->update_paths[i]);
		else
			c->update_paths[k++] = c->update_paths[i];
	}
	c->nupdate = k;
	if (!c->nupdate && !c->nreplace)
		c->action = PZ_ACTION_NOOP;
	/* The plan shows what it keeps, with the reason recorded. */
	cJSON_DeleteItemFromObjectCaseSensitive(c->after, "solutionVersionArn");
	v = cJSON_GetObjectItemCaseSensitive(c->before, "solutionVersionArn");
	if (v)
		cJSON_AddItemToObject(c->after, "solutionVersionArn",
				      cJSON_Duplicate(v, 1));
	free(c->note);
	c->note = pz_xasprintf("%s; a newer version is tried when one exists",
			       cJSON_IsString(why) ? why->valuestring
						   : "the promotion gate kept "
						     "it on its version");
	return true;
}

/* Does the service add new items to the latest version of sol's
 * recipe about every two hours (User-Personalization, -v2, Next Best
 * Action: personalize-rules.md §5)? */
static bool updates_items(const struct pz_resource *sol)
{
	const char *recipe =
	    sol ? pz_node_str(pz_node_get(sol->body, "recipeArn")) : NULL;

	return recipe &&
	       (pz_str_has_suffix(recipe, "/aws-user-personalization") ||
		pz_str_has_suffix(recipe, "/aws-user-personalization-v2") ||
		pz_str_has_suffix(recipe, "/aws-next-best-action"));
}

/* The gate, for apply (promote.h: the runtime reads it from the
 * change's meta; a saved plan carries it). */
static void gate_meta(const struct pz_resource *r, struct pz_change *c)
{
	struct pz_promote_gate g;
	cJSON *o;

	if (!pz_promote_gate_of(r->pz, &g))
		return;
	if (!c->meta)
		c->meta = cJSON_CreateObject();
	o = cJSON_AddObjectToObject(c->meta, "promote");
	cJSON_AddStringToObject(o, "metric", g.metric);
	cJSON_AddNumberToObject(o, "minDelta", g.min_delta);
	if (updates_items(r->data))
		cJSON_AddTrueToObject(o, "itemUpdates");
}

/*
 * The solution the campaign serves now, when it is another than the
 * spec's sol: the name in its version's ARN ("...:solution/NAME/ID" or
 * ".../$LATEST"), else the solution its state record depends on. NULL
 * when it is sol's, or pz cannot tell. Written to out[n].
 */
static const char *other_solution(struct pz_plan_ctx *ctx,
				  const struct pz_resource *r,
				  const struct pz_resource *sol,
				  const struct pz_change *c, char *out,
				  size_t n)
{
	const struct pz_state_resource *st = pz_plan_ctx_state(ctx, r->address);
	const cJSON *v =
	    cJSON_GetObjectItemCaseSensitive(c->before, "solutionVersionArn");
	const char *p, *end;
	size_t i;

	if (cJSON_IsString(v) && (p = strstr(v->valuestring, ":solution/")) &&
	    (end = strchr(p += strlen(":solution/"), '/')) && sol->name) {
		if ((size_t)(end - p) == strlen(sol->name) &&
		    !strncmp(p, sol->name, (size_t)(end - p)))
			return NULL;
		snprintf(out, n, "solution '%.*s'", (int)(end - p), p);
		return out;
	}
	for (i = 0; st && i < st->ndeps; i++) {
		const char *d = st->deps[i], *key;

		if (pz_str_has_prefix(d, "solution."))
			key = d + strlen("solution.");
		else if (pz_str_has_prefix(d, "solution_version."))
			key = d + strlen("solution_version.");
		else
			continue;
		if (strcmp(key, sol->key)) {
			snprintf(out, n, "solution.%s", key);
			return out;
		}
	}
	return NULL;
}

/*
 * Whether UpdateCampaign may move a campaign to a version of another
 * solution is not settled (personalize-rules.md §9.6): a campaign whose
 * spec names another solution than the one it serves is replaced, which
 * the service allows either way.
 */
static bool moves_solution(struct pz_plan_ctx *ctx, const struct pz_resource *r,
			   struct pz_change *c)
{
	const struct pz_resource *sol = r->data;
	char was[256];
	size_t i, k = 0;
	bool found = false;

	if (!sol || c->action != PZ_ACTION_UPDATE ||
	    !other_solution(ctx, r, sol, c, was, sizeof(was)))
		return false;
	for (i = 0; i < c->nupdate; i++) {
		if (!strcmp(c->update_paths[i], "solutionVersionArn")) {
			found = true;
			free(c->update_paths[i]);
		} else {
			c->update_paths[k++] = c->update_paths[i];
		}
	}
	c->nupdate = k;
	if (!found)
		return false;
	c->replace_paths = pz_xreallocarray(c->replace_paths, c->nreplace + 1,
					    sizeof(*c->replace_paths));
	c->replace_paths[c->nreplace++] = pz_xstrdup("solutionVersionArn");
	c->action = PZ_ACTION_REPLACE;
	c->reason = "replace_because_cannot_update";
	free(c->note);
	c->note = pz_xasprintf(
	    "it moves from %s to %s: whether UpdateCampaign can move a "
	    "campaign to another solution's version is not settled "
	    "(personalize-rules.md 9.6), so pz replaces it",
	    was, sol->address);
	return true;
}

static void plan(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		 struct pz_change *c)
{
	const struct pz_node *promote = pz_node_get(r->pz, "promote");
	const char *metric = pz_node_str(pz_node_get(promote, "metric"));
	const char *delta = pz_node_str(pz_node_get(promote, "minDelta"));
	const struct pz_resource *sol = r->data;
	const struct pz_change *vc = NULL, *solc;
	char addr[256];
	size_t i;

	if (sol) {
		snprintf(addr, sizeof(addr), "solution_version.%s", sol->key);
		vc = pz_plan_ctx_change(ctx, addr);
		/* Recorded as based on the solution itself too, for
		 * API_DeleteSolution's blocker: the version it serves may be
		 * the service's (automatic training), not in the state. */
		for (i = 0; i < c->ndeps; i++)
			if (!strcmp(c->deps[i], sol->address))
				break;
		if (i == c->ndeps) {
			c->deps = pz_xreallocarray(c->deps, c->ndeps + 1,
						   sizeof(*c->deps));
			c->deps[c->ndeps++] = pz_xstrdup(sol->address);
		}
	}
	/* A version training (first, or one the service started) decides
	 * what the campaign serves: wait for it. */
	if (vc && vc->action == PZ_ACTION_WAIT && !vc->awaits &&
	    (!c->before ||
	     (!syncs(r) &&
	      pz_live_in_progress(pz_plan_ctx_live(
		  ctx, pz_spec_find(pz_plan_ctx_spec(ctx), addr)))))) {
		c->action = PZ_ACTION_WAIT;
		c->note = pz_xasprintf("waits for %s", vc->address);
		return;
	}
	/* Its solution is replaced, and the service trains the new one's
	 * first version itself: the campaign cannot outlive the old
	 * solution (API_DeleteSolution) nor be created before that version
	 * exists. */
	if (vc && vc->action == PZ_ACTION_WAIT && c->before &&
	    (solc = pz_plan_ctx_change(ctx, sol->address)) &&
	    solc->action == PZ_ACTION_REPLACE) {
		c->action = PZ_ACTION_DELETE;
		cJSON_Delete(c->after);
		c->after = NULL;
		c->note = pz_xasprintf(
		    "%s is replaced and the service trains its first version "
		    "itself (automatic training): this campaign is deleted "
		    "now and created again by a later plan once that version "
		    "is ACTIVE; recommendation calls to it fail in between",
		    sol->address);
		return;
	}
	pz_plan_decide(ctx, r, c);
	if (moves_solution(ctx, r, c))
		return;
	if (syncs(r))
		plan_sync(c);
	if (c->action == PZ_ACTION_CREATE && vc &&
	    vc->action == PZ_ACTION_NOOP && vc->note && !c->note)
		c->note = pz_xstrdup(vc->note); /* whose version it serves */
	if (c->action != PZ_ACTION_UPDATE)
		return;
	for (i = 0; i < c->nupdate; i++)
		if (!strcmp(c->update_paths[i], "solutionVersionArn"))
			break;
	if (i == c->nupdate)
		return;
	if (vc && vc->action == PZ_ACTION_NOOP && vc->note && !c->note)
		c->note = pz_xstrdup(vc->note); /* whose version it follows */
	if (!metric)
		return;
	if (kept(ctx, r, c))
		return;
	gate_meta(r, c);
	c->condition = pz_xasprintf(
	    "moves to the new version only if its %s is at least the "
	    "current version's%s%s%s",
	    metric, delta ? " plus " : "", delta ? delta : "",
	    updates_items(sol) ? "; a version kept gets no new items (the "
				 "service adds them to the latest version "
				 "only)"
			       : "");
}

const struct pz_rtype pz_rtype_campaign = {
    .usage = pz_pers_usage_campaign,
    .wait_timeout_s = 10800,
    .group_quota = 5,
    .quota_adjustable = true,
    .loss_note = "recommendation calls to it fail while it does not exist",
    .name = "campaign",
    .label = "campaign",
    .section = "campaigns",
    .create_op = "CreateCampaign",
    .describe_op = "DescribeCampaign",
    .delete_op = "DeleteCampaign",
    .arn_member = "campaignArn",
    .response_key = "campaign",
    PZ_PERS_ARN_OF_NAME("campaign"),
    .order = 60,
    .link = link,
    .check = check,
    .supply = supply,
    .plan = plan,
};
