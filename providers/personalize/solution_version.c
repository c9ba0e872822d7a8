/*
 * solution_version.c - trained models. Change-driven: a new version
 * trains when data was imported since the last one (dataChange), when
 * the solution's configuration changed (configChange), or when the
 * active one is older than pz.retrain.maxAge (maxAge); pz.retrain.on
 * picks which of these count (default: all three).
 */
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_out.h"
#include "core/tojson.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/plan.h"
#include "pers.h"

static void link(struct pz_spec *spec, struct pz_resource *r,
		 struct pz_diags *diags)
{
	size_t i;

	(void)diags;
	pz_spec_add_dep(spec, r, pz_spec_index(spec, r->origin));
	for (i = 0; i < pz_pers_ndataset_types; i++) {
		struct pz_resource *j = pz_spec_find_type(
		    spec, "dataset_import_job", pz_pers_dataset_types[i]);

		if (j)
			pz_spec_add_dep(spec, r, j->index);
	}
}

static const struct pz_node *retrain(const struct pz_resource *r)
{
	return pz_node_get(r->pz, "retrain");
}

static void supply(const struct pz_spec *spec, const struct pz_resource *r,
		   cJSON *body)
{
	const char *mode = pz_node_str(pz_node_get(retrain(r), "trainingMode"));

	(void)spec;
	pz_pers_ref(body, "solutionArn", r->origin->address);
	cJSON_AddStringToObject(body, "trainingMode", mode ? mode : "FULL");
}

/* Seconds in a pz duration (core/duration.h); -1 when malformed. */
long long pz_pers_duration(const char *s)
{
	long long ms;

	/* Ten years: longer is a typo. */
	if (!s || pz_duration_parse(s, 3650LL * 86400000LL, &ms)) {
		pz_error_clear();
		return -1;
	}
	return ms / 1000;
}

static bool enabled(const struct pz_resource *r, const char *trigger)
{
	const struct pz_node *on = pz_node_get(retrain(r), "on");
	size_t i;

	if (!on)
		return strcmp(trigger, "maxAge") ||
		       pz_node_get(retrain(r), "maxAge");
	for (i = 0; on->kind == PZ_NODE_SEQ && i < on->nitems; i++)
		if (pz_node_str(on->items[i]) &&
		    !strcmp(pz_node_str(on->items[i]), trigger))
			return true;
	return false;
}

/*
 * sha256 of what shapes the model: the solution's create request as the
 * spec gives it, without what pz supplies (the dataset group's ARN), the
 * tags and the automatic-training settings (performAutoTraining,
 * performIncrementalUpdate, solutionConfig.autoTrainingConfig), which
 * change when the service trains, not what it trains.
 */
static void config_digest(const struct pz_resource *solution, char out[65])
{
	const struct pz_operation *op =
	    pz_facts_operation(solution->type->create_op);
	cJSON *cfg =
	    op ? pz_node_to_api(solution->body, pz_facts_shape(op->input))
	       : NULL;
	cJSON *sc = cJSON_GetObjectItemCaseSensitive(cfg, "solutionConfig");
	struct pz_buf b;

	cJSON_DeleteItemFromObjectCaseSensitive(cfg, "tags");
	cJSON_DeleteItemFromObjectCaseSensitive(cfg, "performAutoTraining");
	cJSON_DeleteItemFromObjectCaseSensitive(cfg,
						"performIncrementalUpdate");
	cJSON_DeleteItemFromObjectCaseSensitive(sc, "autoTrainingConfig");
	if (sc && !sc->child)
		cJSON_DeleteItemFromObjectCaseSensitive(cfg, "solutionConfig");
	pz_buf_init(&b, 0);
	if (cfg && pz_json_write(cfg, &b, -1) == 0)
		pz_sha256_hex(b.ptr, b.len, out);
	else
		snprintf(out, 65, "%064d", 0);
	pz_buf_release(&b);
	cJSON_Delete(cfg);
}

static void set(struct pz_change *c, enum pz_action a, char *trigger)
{
	c->action = a;
	c->trigger = trigger;
	cJSON_AddStringToObject(c->meta, "trigger", trigger);
	/* Stamped by apply: when it began (the ARN is first recorded)
	 * and ended; the plan's usage estimates the next from them. */
	cJSON_AddNullToObject(c->meta, "training_started_at");
	cJSON_AddNullToObject(c->meta, "trained_at");
}

/* Recipes whose versions may train with trainingMode UPDATE. */
bool pz_pers_update_mode_recipe(const char *recipe)
{
	return recipe && (!strcmp(recipe, "aws-user-personalization") ||
			  !strcmp(recipe, "aws-hrnn-coldstart"));
}

/*
 * FULL, except for a dataChange when pz.retrain.trainingMode asks for
 * UPDATE, the recipe allows it and the solution has an ACTIVE version
 * trained FULL (API_CreateSolutionVersion). base is the trainingMode of
 * the ACTIVE version: FULL, or UPDATE (which needed a FULL one before
 * it); a version the service trained itself (AUTOTRAIN) is not one.
 */
static void training_mode(const struct pz_resource *r, struct pz_change *c,
			  bool data_change, bool active, const cJSON *base)
{
	const char *want = pz_node_str(pz_node_get(retrain(r), "trainingMode"));
	const char *mode = "FULL";

	if (want && !strcmp(want, "UPDATE") && data_change && active &&
	    pz_pers_update_mode_recipe(pz_pers_recipe(r->origin))) {
		if (cJSON_IsString(base) &&
		    (!strcmp(base->valuestring, "FULL") ||
		     !strcmp(base->valuestring, "UPDATE")))
			mode = "UPDATE";
		else if (!c->note)
			c->note = pz_xasprintf(
			    "FULL, not UPDATE: trainingMode UPDATE needs an "
			    "ACTIVE version trained FULL, and the active one "
			    "was trained %s",
			    cJSON_IsString(base)
				? base->valuestring
				: "in a mode pz does not know");
	}
	cJSON_ReplaceItemInObjectCaseSensitive(c->after, "trainingMode",
					       cJSON_CreateString(mode));
}

/* A failure that training the same inputs again would repeat. */
static bool repeats(const char *reason)
{
	static const char *const causes[] = {"insufficient", "not enough"};
	size_t i, k, n;

	for (i = 0; reason && i < PZ_ARRAY_LEN(causes); i++) {
		n = strlen(causes[i]);
		for (k = 0; reason[k]; k++)
			if (!strncasecmp(reason + k, causes[i], n))
				return true;
	}
	return false;
}

/*
 * A new (or replaced) solution with automatic training on: the service
 * trains its first version itself within the hour after the solution
 * is created (solution-config-auto-training.html). pz training one too
 * would bill a second training, or be refused while the service's runs
 * (personalize-rules §9.7): pz waits for the service's version, and the
 * next plan follows it.
 */
static void first_by_service(const struct pz_resource *r, struct pz_change *c,
			     const struct pz_change *sol)
{
	bool made = sol && (sol->action == PZ_ACTION_CREATE ||
			    sol->action == PZ_ACTION_REPLACE);

	c->action = PZ_ACTION_WAIT;
	c->note = pz_xasprintf(
	    "automatic training is on: the service trains the first version "
	    "of %s%s itself (billed)%s, so pz does not train one too; a "
	    "later plan follows that version",
	    made ? (sol->action == PZ_ACTION_CREATE ? "the new "
						    : "the replaced ")
		 : "",
	    r->origin->address,
	    made ? " within the hour after it is created" : "");
}

/*
 * The service's newest version is one pz started but never recorded: a
 * manual training created after the recorded one (or with none
 * recorded), by an apply killed before CreateSolutionVersion's answer
 * gave it the ARN (refresh.c lists the versions to find it).
 */
static bool was_interrupted(const struct pz_state_resource *st,
			    const struct pz_live *lv, const cJSON *type)
{
	const cJSON *trained =
	    st ? cJSON_GetObjectItemCaseSensitive(st->meta, "trained_at")
	       : NULL;

	if (!lv || !lv->refreshed || !lv->exists || !lv->arn || !lv->created ||
	    (cJSON_IsString(type) && strcmp(type->valuestring, "MANUAL")))
		return false;
	if (!st || !st->arn)
		return true;
	return strcmp(lv->arn, st->arn) && cJSON_IsNumber(trained) &&
	       strtod(lv->created, NULL) >= trained->valuedouble;
}

/* The import job js finished before `created` (epoch seconds): what it
 * imported was there for a version created then. */
static bool imported_before(const struct pz_state_resource *js,
			    const char *created)
{
	const cJSON *at =
	    js ? cJSON_GetObjectItemCaseSensitive(js->meta, "imported_at")
	       : NULL;

	return created && cJSON_IsNumber(at) &&
	       at->valuedouble <= strtod(created, NULL);
}

static void plan(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		 struct pz_change *c)
{
	const struct pz_spec *spec = pz_plan_ctx_spec(ctx);
	const struct pz_state_resource *st = pz_plan_ctx_state(ctx, r->address);
	const struct pz_live *lv = pz_plan_ctx_live(ctx, r);
	const struct pz_change *sol =
	    pz_plan_ctx_change(ctx, r->origin->address);
	const cJSON *digests =
	    st ? cJSON_GetObjectItemCaseSensitive(st->meta, "data_digests")
	       : NULL;
	const cJSON *cfg =
	    st ? cJSON_GetObjectItemCaseSensitive(st->meta, "config_digest")
	       : NULL;
	int64_t when = 0;
	const cJSON *trained =
	    st ? cJSON_GetObjectItemCaseSensitive(st->meta, "trained_at")
	       : NULL;
	bool adopted =
	    st &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st->meta, "adopted"));
	bool refreshed = lv && lv->refreshed && lv->exists;
	bool auto_training = pz_pers_auto_training(r->origin);
	bool failed = refreshed && lv->status &&
		      pz_str_has_suffix(lv->status, "CREATE FAILED");
	bool active = refreshed
			  ? lv->status && !strcmp(lv->status, "ACTIVE")
			  : st && st->status && !strcmp(st->status, "ACTIVE");
	const cJSON *type =
	    refreshed
		? cJSON_GetObjectItemCaseSensitive(lv->attrs, "trainingType")
		: NULL;
	/* How the version it has was trained: FULL, UPDATE or AUTOTRAIN. */
	const cJSON *base =
	    cJSON_GetObjectItemCaseSensitive(refreshed ? lv->attrs
					     : st      ? st->attributes
						       : NULL,
					     "trainingMode");
	/* A version pz did not train: the service's (automatic training,
	 * refresh.c lists them), or one made by hand. */
	bool outside = refreshed && lv->arn &&
		       (!st || !st->arn || strcmp(lv->arn, st->arn));
	bool unrecorded = was_interrupted(st, lv, type);
	cJSON *data = cJSON_CreateObject();
	char digest[65], *imported = NULL;
	bool have_imports = false, data_waits = false, data_known = true;
	bool config_changed;
	long long max_age =
	    pz_pers_duration(pz_node_str(pz_node_get(retrain(r), "maxAge")));
	size_t i;

	c->meta = cJSON_CreateObject();
	config_digest(r->origin, digest);
	cJSON_AddStringToObject(c->meta, "config_digest", digest);
	/* What the imports hold now (or will after this apply). */
	for (i = 0; i < pz_pers_ndataset_types; i++) {
		const char *t = pz_pers_dataset_types[i];
		const struct pz_resource *j =
		    pz_spec_find_type(spec, "dataset_import_job", t);
		const struct pz_change *jc =
		    j ? pz_plan_ctx_change(ctx, j->address) : NULL;
		const struct pz_state_resource *js =
		    j ? pz_plan_ctx_state(ctx, j->address) : NULL;
		const cJSON *d = NULL, *was;

		if (!j)
			continue;
		have_imports = true;
		if (jc && jc->action == PZ_ACTION_WAIT)
			data_waits = true;
		if (jc && jc->meta)
			d = cJSON_GetObjectItemCaseSensitive(jc->meta,
							     "data_digest");
		if (!d && js)
			d = cJSON_GetObjectItemCaseSensitive(js->meta,
							     "data_digest");
		if (!cJSON_IsString(d)) {
			data_known = false;
			continue;
		}
		cJSON_AddStringToObject(data, t, d->valuestring);
		/* The interrupted apply's version trained on what was
		 * imported before it was created. */
		if (unrecorded && imported_before(js, lv->created))
			continue;
		was = cJSON_GetObjectItemCaseSensitive(digests, t);
		/* An adopted version was trained on the data the service
		 * held when it was adopted: what the import job recorded. */
		if (!cJSON_IsString(was) && adopted && js)
			was = cJSON_GetObjectItemCaseSensitive(js->meta,
							       "data_digest");
		if (!imported && (!cJSON_IsString(was) ||
				  strcmp(was->valuestring, d->valuestring)))
			imported = pz_xstrdup(j->address);
	}
	cJSON_AddItemToObject(c->meta, "data_digests", data);
	config_changed = cJSON_IsString(cfg) &&
			 strcmp(cfg->valuestring, digest) && !unrecorded;
	if (unrecorded)
		outside = false;
	if (adopted && !cJSON_IsString(cfg))
		cJSON_AddTrueToObject(c->meta, "adopted");

	if (!c->before) {
		if (!have_imports) {
			c->action = PZ_ACTION_WAIT;
			c->note = pz_xstrdup(
			    "training waits for data: set pz.dataLocation "
			    "(or a dataset's pz.import.dataLocation)");
		} else if (data_waits && !data_known) {
			c->action = PZ_ACTION_WAIT;
			c->note = pz_xstrdup("training waits for data: no "
					     "objects to import yet");
		} else if (auto_training) {
			first_by_service(r, c, sol);
		} else {
			set(c, PZ_ACTION_CREATE,
			    pz_xstrdup("first training of the solution"));
		}
		training_mode(r, c, false, false, NULL);
		free(imported);
		return;
	}
	if (pz_live_in_progress(lv)) {
		/* Training now (by pz or by the service's schedule): a
		 * second training would only cost; its outcome decides.
		 * One an interrupted apply started is waited for. */
		c->action = PZ_ACTION_WAIT;
		c->awaits = pz_plan_awaitable(ctx, r, lv);
		if (c->awaits && !c->arn)
			c->arn = pz_xstrdup(lv->arn);
		c->note = pz_xasprintf(
		    "%s%s is training (%s): %s", lv->arn ? lv->arn : r->address,
		    cJSON_IsString(type) &&
			    !strcmp(type->valuestring, "AUTOMATIC")
			? ", started by automatic training,"
			: "",
		    lv->status,
		    c->awaits ? "started by an earlier apply, "
				"apply waits for it to finish"
			      : "the plan waits for it");
	} else if (failed && repeats(lv->failure_reason) && !imported &&
		   !config_changed &&
		   !(sol && (sol->action == PZ_ACTION_CREATE ||
			     sol->action == PZ_ACTION_REPLACE))) {
		c->action = PZ_ACTION_WAIT;
		c->note = pz_xasprintf(
		    "the last training failed: %s; training the same data "
		    "again would fail the same way, so pz trains again only "
		    "when the data or the solution changes",
		    lv->failure_reason);
	} else if (failed) {
		set(c, PZ_ACTION_CREATE,
		    pz_xasprintf("the last training failed%s%s%s%s",
				 lv->failure_reason ? ": " : "",
				 lv->failure_reason ? lv->failure_reason : "",
				 !repeats(lv->failure_reason) ? ""
				 : imported ? "; data imported since: "
					    : "; the solution changed since",
				 repeats(lv->failure_reason) && imported
				     ? imported
				     : ""));
	} else if (sol &&
		   (sol->action == PZ_ACTION_CREATE ||
		    sol->action == PZ_ACTION_REPLACE) &&
		   auto_training) {
		first_by_service(r, c, sol);
	} else if (sol && (sol->action == PZ_ACTION_CREATE ||
			   sol->action == PZ_ACTION_REPLACE)) {
		set(c, PZ_ACTION_CREATE,
		    pz_xasprintf("%s is %s: it needs a trained version",
				 r->origin->address,
				 sol->action == PZ_ACTION_CREATE ? "new"
								 : "replaced"));
	} else if (imported && enabled(r, "dataChange") && !auto_training) {
		set(c, PZ_ACTION_CREATE,
		    pz_xasprintf("dataChange: data imported since the last "
				 "training (%s)",
				 imported));
		training_mode(r, c, true, active, base);
		free(imported);
		return;
	} else if (config_changed && enabled(r, "configChange")) {
		set(c, PZ_ACTION_CREATE,
		    pz_xasprintf("configChange: what %s trains changed since "
				 "the last training",
				 r->origin->address));
	} else if (max_age > 0 && cJSON_IsNumber(trained) &&
		   pz_double_to_i64(trained->valuedouble, 0, PZ_MAX_SAFE_INT,
				    &when) &&
		   enabled(r, "maxAge") && !auto_training && !outside &&
		   pz_plan_ctx_now(ctx) - when > max_age) {
		long long age = pz_plan_ctx_now(ctx) - when;

		set(c, PZ_ACTION_CREATE,
		    pz_xasprintf(
			"maxAge: the active version is %lldd%02lldh "
			"old, older than %s",
			age / 86400, age % 86400 / 3600,
			pz_node_str(pz_node_get(retrain(r), "maxAge"))));
	} else {
		c->action = PZ_ACTION_NOOP;
		if (unrecorded)
			c->note = pz_xasprintf(
			    "%s is the training an interrupted apply started "
			    "(killed before it could record it): pz follows it",
			    lv->arn);
		else if (outside)
			c->note = pz_xasprintf(
			    "the service trained %s itself%s: pz follows it",
			    lv->arn,
			    cJSON_IsString(type) &&
				    !strcmp(type->valuestring, "AUTOMATIC")
				? " (automatic training)"
				: "");
		else if (imported && auto_training)
			c->note = pz_xstrdup(
			    "data changed: automatic training "
			    "(performAutoTraining) trains on it at its next "
			    "scheduled run, so pz does not");
		else if (imported)
			c->note = pz_xstrdup("data changed, but pz.retrain.on "
					     "leaves out dataChange");
	}
	if (c->action == PZ_ACTION_CREATE)
		training_mode(r, c, false, active, NULL);
	free(imported);
}

const struct pz_rtype pz_rtype_solution_version = {
    .usage = pz_pers_usage_solution_version,
    .wait_timeout_s = 172800,
    .busy_waits = PZ_BUSY_CREATE,
    .creating = "training",
    .name = "solution_version",
    .label = "solution version",
    .create_op = "CreateSolutionVersion",
    .describe_op = "DescribeSolutionVersion",
    .arn_member = "solutionVersionArn",
    .response_key = "solutionVersion",
    PZ_PERS_ARN("solution", 2), /* solution/NAME/ID */
    .order = 50,
    .link = link,
    .supply = supply,
    .plan = plan,
    .implicit_delete = true,
    .implicit_note = "deleted with its solution",
};
