/*
 * recommender.c - recommenders: domain use cases trained and served by
 * Personalize, only in domain dataset groups. pz.state INACTIVE pauses
 * one (StopRecommender), ACTIVE starts it again (StartRecommender): an
 * update in place of its "status", which only pz's runtime acts on.
 */
#include <stdlib.h>
#include <string.h>

#include "core/json_out.h"
#include "core/plan.h"

#include "pers.h"

static void link(struct pz_spec *spec, struct pz_resource *r,
		 struct pz_diags *diags)
{
	(void)diags;
	pz_pers_need_group(spec, r);
	pz_pers_need_data(spec, r);
}

static void check(struct pz_spec *spec, struct pz_resource *r,
		  struct pz_diags *diags)
{
	const char *domain = pz_pers_domain(spec);
	const char *arn = pz_resource_str(r, "recipeArn");
	const char *slash = arn ? strrchr(arn, '/') : NULL;

	(void)diags;
	if (!pz_spec_dataset_group(spec))
		return;
	if (!domain) {
		pz_pers_error(spec, r->pos,
			      "%s: recommenders need a domain dataset group; "
			      "set datasetGroup.domain to ECOMMERCE or "
			      "VIDEO_ON_DEMAND",
			      r->address);
		return;
	}
	if (!slash)
		return;
	if ((!strcmp(domain, "ECOMMERCE") &&
	     !pz_str_has_prefix(slash + 1, "aws-ecomm-")) ||
	    (!strcmp(domain, "VIDEO_ON_DEMAND") &&
	     !pz_str_has_prefix(slash + 1, "aws-vod-")))
		pz_pers_error(spec, pz_pers_pos(r, "recipeArn"),
			      "%s: recipe '%s' is not a use case of the %s "
			      "domain (its recipes start with %s)",
			      r->address, slash + 1, domain,
			      !strcmp(domain, "ECOMMERCE") ? "aws-ecomm-"
							   : "aws-vod-");
}

static const cJSON *training_data(const cJSON *attrs)
{
	return cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(attrs, "recommenderConfig"),
	    "trainingDataConfig");
}

/*
 * Says when an update costs a training: UpdateRecommender with another
 * recommenderConfig.trainingDataConfig (the columns it trains on)
 * starts a full retraining, billed (API_UpdateRecommender;
 * personalize-rules §5). Only when that member is among the changes
 * this apply makes.
 */
static void note_retraining(struct pz_change *c)
{
	const cJSON *was, *will;
	char *note;
	size_t i;
	bool config = false;

	if (c->action != PZ_ACTION_UPDATE)
		return;
	for (i = 0; i < c->nupdate; i++)
		config |=
		    pz_str_has_prefix(c->update_paths[i], "recommenderConfig");
	if (!config)
		return;
	was = training_data(c->before);
	will = training_data(c->after);
	if ((!was && !will) || (was && will && pz_json_equal(was, will)))
		return;
	note = pz_xasprintf("%s%srecommenderConfig.trainingDataConfig "
			    "changes: the service retrains the recommender "
			    "in full after the update (a billed training)",
			    c->note ? c->note : "", c->note ? "; " : "");
	free(c->note);
	c->note = note;
}

/* The status the spec asks for: pz.state, ACTIVE by default. */
static const char *wanted(const struct pz_resource *r)
{
	const char *s = pz_pers_pz_str(r, "state");

	return s && !strcmp(s, "INACTIVE") ? "INACTIVE" : "ACTIVE";
}

/* Where it stands: what refresh saw, else what the state recorded. */
static const char *current(struct pz_plan_ctx *ctx, const struct pz_resource *r)
{
	const struct pz_live *lv = pz_plan_ctx_live(ctx, r);
	const struct pz_state_resource *st = pz_plan_ctx_state(ctx, r->address);

	if (lv && lv->refreshed && lv->exists && lv->status)
		return lv->status;
	if (st && st->status)
		return st->status;
	return "ACTIVE";
}

static void add_note(struct pz_change *c, const char *text)
{
	char *n =
	    c->note ? pz_xasprintf("%s; %s", c->note, text) : pz_xstrdup(text);

	free(c->note);
	c->note = n;
}

/* The minimum the recommender is billed for while ACTIVE, as it is
 * now (a start goes before any change of its settings). */
static double min_rps(const struct pz_change *c)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(c->before, "recommenderConfig"),
	    "minRecommendationRequestsPerSecond");

	return cJSON_IsNumber(v) ? v->valuedouble : 1;
}

static void plan_state(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		       struct pz_change *c)
{
	const char *want = wanted(r), *have;
	bool stop = !strcmp(want, "INACTIVE");
	char *msg;
	size_t i;

	pz_plan_decide(ctx, r, c);
	if ((c->action == PZ_ACTION_CREATE || c->action == PZ_ACTION_REPLACE) &&
	    stop) {
		add_note(c, "pz.state is INACTIVE: a new recommender starts "
			    "ACTIVE, the next apply stops it");
		return;
	}
	if (c->action != PZ_ACTION_NOOP && c->action != PZ_ACTION_UPDATE)
		return;
	have = current(ctx, r);
	if (!strcmp(have, want) ||
	    (strcmp(have, "ACTIVE") && strcmp(have, "INACTIVE")))
		return;
	/* Stop and Start need the recommender settled, and an update
	 * needs it running: one of the two waits for the next apply. */
	if (c->nupdate && stop) {
		add_note(c, "pz.state is INACTIVE: it stops at the next apply, "
			    "once this update is done");
		return;
	}
	if (c->nupdate) {
		for (i = 0; i < c->nupdate; i++)
			free(c->update_paths[i]);
		c->nupdate = 0;
		add_note(c, "it starts first; its other changes follow at the "
			    "next apply");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(c->before, "status");
	cJSON_AddStringToObject(c->before, "status", have);
	cJSON_DeleteItemFromObjectCaseSensitive(c->after, "status");
	cJSON_AddStringToObject(c->after, "status", want);
	c->update_paths = pz_xreallocarray(c->update_paths, c->nupdate + 1,
					   sizeof(*c->update_paths));
	c->update_paths[c->nupdate++] = pz_xstrdup("status");
	c->action = PZ_ACTION_UPDATE;
	msg = stop ? pz_xasprintf("StopRecommender: it answers nothing until "
				  "started again, and its "
				  "minRecommendationRequestsPerSecond (%g) is "
				  "no longer billed",
				  min_rps(c))
		   : pz_xasprintf("StartRecommender: billed again for at "
				  "least %g request(s) per second",
				  min_rps(c));
	add_note(c, msg);
	free(msg);
}

static void plan(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		 struct pz_change *c)
{
	plan_state(ctx, r, c);
	note_retraining(c);
}

const struct pz_rtype pz_rtype_recommender = {
    .usage = pz_pers_usage_recommender,
    .wait_timeout_s = 172800,
    .group_quota = 5,
    .quota_adjustable = true,
    /* a recommender trains: it counts against the region's 20
     * trainings too, which free as they finish */
    .quota_frees = true,
    .loss_note = "recommendation calls to it fail while it does not exist (a "
		 "new one trains again, billed)",
    .name = "recommender",
    .label = "recommender",
    .section = "recommenders",
    .create_op = "CreateRecommender",
    .describe_op = "DescribeRecommender",
    .delete_op = "DeleteRecommender",
    .arn_member = "recommenderArn",
    .response_key = "recommender",
    PZ_PERS_ARN_OF_NAME("recommender"),
    .order = 45,
    .link = link,
    .supply = pz_pers_supply_group,
    .check = check,
    .plan = plan,
};
