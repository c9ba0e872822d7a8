/*
 * solution.c - solutions (a recipe and its configuration); each implies
 * its solution version, trained when pz sees a reason to.
 */
#include <string.h>

#include "core/plan.h"
#include "pers.h"

/* Recipes Amazon Personalize documents for custom dataset groups. */
static const char *const recipes[] = {
    "aws-user-personalization",
    "aws-user-personalization-v2",
    "aws-personalized-ranking",
    "aws-personalized-ranking-v2",
    "aws-sims",
    "aws-similar-items",
    "aws-semantic-similarity",
    "aws-popularity-count",
    "aws-trending-now",
    "aws-item-affinity",
    "aws-item-attribute-affinity",
    "aws-next-best-action",
    "aws-hrnn",
    "aws-hrnn-metadata",
    "aws-hrnn-coldstart",
};

static void expand(struct pz_spec *spec, struct pz_resource *r,
		   struct pz_diags *diags)
{
	struct pz_resource *v;

	(void)diags;
	v = pz_spec_add_derived(spec, "solution_version", r->key, r);
	if (v) {
		v->body = r->body;
		v->pz = r->pz;
	}
}

static void link(struct pz_spec *spec, struct pz_resource *r,
		 struct pz_diags *diags)
{
	(void)diags;
	pz_pers_need_group(spec, r);
	pz_pers_need_data(spec, r);
}

static void check_recipe(struct pz_spec *spec, struct pz_resource *r)
{
	const char *arn = pz_resource_str(r, "recipeArn");
	const char *slash, *best;
	size_t i;

	if (!arn)
		return;
	slash = strrchr(arn, '/');
	if (!slash || !pz_str_has_prefix(arn, "arn:aws:personalize:::recipe/"))
		return; /* another partition or a custom ARN: trust it */
	for (i = 0; i < PZ_ARRAY_LEN(recipes); i++)
		if (!strcmp(slash + 1, recipes[i]))
			return;
	best = pz_str_suggest(slash + 1, recipes, PZ_ARRAY_LEN(recipes));
	if (best)
		pz_pers_error(spec, pz_pers_pos(r, "recipeArn"),
			      "%s: '%s' is not a Personalize recipe; did you "
			      "mean '%s'?",
			      r->address, slash + 1, best);
	else if (pz_str_has_prefix(slash + 1, "aws-ecomm-") ||
		 pz_str_has_prefix(slash + 1, "aws-vod-"))
		pz_pers_error(spec, pz_pers_pos(r, "recipeArn"),
			      "%s: '%s' is a domain recipe; use it in a "
			      "recommender, not a solution",
			      r->address, slash + 1);
	else
		pz_pers_warning(spec, pz_pers_pos(r, "recipeArn"),
				"%s: recipe '%s' is not one pz knows; check "
				"the name",
				r->address, slash + 1);
}

static bool lists(const struct pz_node *list, const char *word)
{
	size_t i;

	for (i = 0; list && list->kind == PZ_NODE_SEQ && i < list->nitems; i++)
		if (pz_node_str(list->items[i]) &&
		    !strcmp(pz_node_str(list->items[i]), word))
			return true;
	return false;
}

static void check(struct pz_spec *spec, struct pz_resource *r,
		  struct pz_diags *diags)
{
	const struct pz_node *automl = pz_node_get(r->body, "performAutoML");
	const struct pz_node *retrain = pz_node_get(r->pz, "retrain");
	const struct pz_node *on = pz_node_get(retrain, "on");
	const struct pz_node *max_age = pz_node_get(retrain, "maxAge");
	const char *mode = pz_node_str(pz_node_get(retrain, "trainingMode"));

	(void)diags;
	if (!pz_resource_str(r, "recipeArn") &&
	    !(automl && automl->kind == PZ_NODE_BOOL && automl->b))
		pz_pers_error(spec, r->pos,
			      "%s needs a recipeArn (or performAutoML: true)",
			      r->address);
	check_recipe(spec, r);
	if (!pz_spec_find_type(spec, "dataset", "Interactions"))
		pz_pers_error(spec, r->pos,
			      "%s trains on interactions: the spec needs an "
			      "Interactions dataset",
			      r->address);
	if (mode && !strcmp(mode, "AUTOTRAIN"))
		pz_pers_error(spec, pz_node_get(retrain, "trainingMode")->pos,
			      "%s: trainingMode AUTOTRAIN is what the service "
			      "records for versions it trains itself; set "
			      "FULL or UPDATE (or performAutoTraining)",
			      r->address);
	else if (mode && !strcmp(mode, "UPDATE") && pz_pers_recipe(r) &&
		 !pz_pers_update_mode_recipe(pz_pers_recipe(r)))
		pz_pers_error(spec, pz_node_get(retrain, "trainingMode")->pos,
			      "%s: trainingMode UPDATE is only for the "
			      "aws-user-personalization and aws-hrnn-coldstart "
			      "recipes, not %s; use FULL",
			      r->address, pz_pers_recipe(r));
	if (lists(on, "maxAge") && !max_age)
		pz_pers_error(spec, on->pos,
			      "%s retrains on maxAge but sets no "
			      "pz.retrain.maxAge (e.g. maxAge: 7d)",
			      r->address);
	if (on && max_age && !lists(on, "maxAge"))
		pz_pers_warning(spec, max_age->pos,
				"%s sets pz.retrain.maxAge, but pz.retrain.on "
				"leaves out maxAge, so it has no effect",
				r->address);
}

static void cost_advice(struct pz_spec *spec, struct pz_resource *r)
{
	const struct pz_node *hpo = pz_node_get(r->body, "performHPO");

	if (!pz_node_get(r->body, "performAutoTraining"))
		pz_pers_warning(spec, r->pos,
				"%s leaves performAutoTraining to the service "
				"default (true): Personalize then trains a new "
				"version every 7 days and bills each training; "
				"set performAutoTraining: false to train only "
				"when pz sees a change, or true to keep it",
				r->address);
	if (hpo && hpo->kind == PZ_NODE_BOOL && hpo->b)
		pz_pers_warning(spec, hpo->pos,
				"%s sets performHPO: every training then runs "
				"many training jobs and costs several times "
				"more",
				r->address);
}

/* API_DeleteSolution: every campaign based on it goes first. */
static const struct pz_delete_blocker blockers[] = {
    {"campaign", PZ_BLOCK_DEPENDENT, NULL},
    {NULL, PZ_BLOCK_GROUP, NULL},
};

static bool updates(const struct pz_change *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->nupdate; i++)
		if (!strcmp(c->update_paths[i], path))
			return true;
	return false;
}

/*
 * Diffs as any resource, and says when an update costs a training: the
 * service starts one within the hour when automatic training is turned
 * on or its schedule changes (updating-solution.html).
 */
static void plan(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		 struct pz_change *c)
{
	pz_plan_decide(ctx, r, c);
	if (c->action != PZ_ACTION_UPDATE || !pz_pers_auto_training(r) ||
	    c->note)
		return;
	if (updates(c, "performAutoTraining"))
		c->note = pz_xstrdup(
		    "automatic training is turned on: the service starts a "
		    "training (billed) within the hour, then one on each "
		    "scheduled run");
	else if (updates(c, "solutionConfig.autoTrainingConfig") ||
		 updates(c, "solutionConfig.autoTrainingConfig."
			    "schedulingExpression"))
		c->note = pz_xstrdup(
		    "the automatic training schedule changes: the service "
		    "starts a training (billed) within the hour");
}

const struct pz_rtype pz_rtype_solution = {
    .usage = pz_pers_usage_solution,
    .cost_advice = cost_advice,
    .group_quota = 10,
    .quota_adjustable = true,
    .loss_note = "its trained versions are deleted (a new solution must be "
		 "trained again, billed)",
    .delete_blockers = blockers,
    .name = "solution",
    .label = "solution",
    .section = "solutions",
    .create_op = "CreateSolution",
    .describe_op = "DescribeSolution",
    .delete_op = "DeleteSolution",
    .arn_member = "solutionArn",
    .response_key = "solution",
    PZ_PERS_ARN_OF_NAME("solution"),
    .order = 40,
    .expand = expand,
    .link = link,
    .supply = pz_pers_supply_group,
    .check = check,
    .plan = plan,
};
