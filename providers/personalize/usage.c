/*
 * usage.c - what Personalize bills for each resource type, for the plan's
 * usage block (core/usage.h, docs/usage-cost.md).
 *
 * The facts: a campaign bills its minProvisionedTPS every hour it
 * exists, a recommender its minRecommendationRequestsPerSecond; a
 * training bills its training hours, an import the GB it reads; a
 * solution with automatic training trains on its schedule. Every figure
 * comes from what the plan already holds: the change's attributes
 * before and after, the state (how long the last training took) and
 * the S3 listing refresh made for an import, or of a batch job's input
 * (shown for scale: AWS bills a batch job by what it makes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/plan.h"
#include "core/usage.h"
#include "pers.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

static const cJSON *member(const cJSON *o, const char *path)
{
	char buf[128];
	const char *dot;

	while (o && (dot = strchr(path, '.'))) {
		size_t len = (size_t)(dot - path);

		if (len >= sizeof(buf))
			return NULL;
		memcpy(buf, path, len);
		buf[len] = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, buf);
		path = dot + 1;
	}
	return o ? cJSON_GetObjectItemCaseSensitive(o, path) : NULL;
}

/* A number member, or def when it is missing (the service's default). */
static double number(const cJSON *o, const char *path, double def)
{
	const cJSON *v = member(o, path);

	return cJSON_IsNumber(v) && v->valuedouble >= 0 ? v->valuedouble : def;
}

/* "ups" of "solution.ups" (a state's address may be anything). */
static const char *key_of(const char *address)
{
	const char *dot = strchr(address, '.');

	return dot ? dot + 1 : address;
}

static bool exists_before(const struct pz_change *c)
{
	return c->before && c->action != PZ_ACTION_CREATE;
}

static bool exists_after(const struct pz_change *c)
{
	return c->after && c->action != PZ_ACTION_DELETE;
}

/* One resource billed every hour for a minimum throughput: TPS-hours
 * for campaigns, request-hours for recommenders. */
static void hourly(const struct pz_change *c, struct pz_usage *u,
		   const char *path, const char *shown, enum pz_unit unit,
		   double def)
{
	if (exists_before(c)) {
		double n = number(c->before, path, def);

		pz_usage_add(u, PZ_USAGE_BEFORE, c->address, unit,
			     n * PZ_HOURS_PER_MONTH, "%s %g x 730 hours", shown,
			     n);
	}
	if (exists_after(c)) {
		double n = number(c->after, path, def);

		pz_usage_add(u, PZ_USAGE_MONTHLY, c->address, unit,
			     n * PZ_HOURS_PER_MONTH, "%s %g x 730 hours%s",
			     shown, n,
			     member(c->after, path) ? "" : " (the default)");
	}
}

void pz_pers_usage_campaign(struct pz_plan_ctx *ctx, const struct pz_change *c,
			    struct pz_usage *u)
{
	const struct pz_resource *r =
	    pz_spec_find(pz_plan_ctx_spec(ctx), c->address);
	const struct pz_node *expected =
	    r ? pz_node_get(r->pz, "expectedTPS") : NULL;
	double tps = number(c->after, "minProvisionedTPS", 1);

	hourly(c, u, "minProvisionedTPS", "minProvisionedTPS", PZ_UNIT_TPS_HOUR,
	       1);
	if (!exists_after(c) || !r)
		return;
	if (!expected && tps > 1)
		pz_usage_hint(u, c->address,
			      "minProvisionedTPS %g is billed every hour, "
			      "requests or not (%g TPS-hours a month); the "
			      "campaign scales above its minimum on its own, "
			      "so lower it, or note the traffic it must "
			      "serve in pz.expectedTPS",
			      tps, tps * PZ_HOURS_PER_MONTH);
	else if (expected &&
		 (expected->kind == PZ_NODE_INT ||
		  expected->kind == PZ_NODE_FLOAT) &&
		 (expected->kind == PZ_NODE_INT ? (double)expected->i
						: expected->d) < tps)
		pz_usage_hint(u, c->address,
			      "minProvisionedTPS %g is above pz.expectedTPS "
			      "%s: the difference is billed idle every hour",
			      tps, expected->str);
}

/* A status member saying the recommender is stopped. */
static bool inactive(const cJSON *attrs)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(attrs, "status");

	return cJSON_IsString(st) && !strcmp(st->valuestring, "INACTIVE");
}

void pz_pers_usage_recommender(struct pz_plan_ctx *ctx,
			       const struct pz_change *c, struct pz_usage *u)
{
	static const char path[] =
	    "recommenderConfig.minRecommendationRequestsPerSecond";
	const struct pz_resource *r =
	    pz_spec_find(pz_plan_ctx_spec(ctx), c->address);
	const struct pz_live *lv = r ? pz_plan_ctx_live(ctx, r) : NULL;
	const struct pz_state_resource *st = pz_plan_ctx_state(ctx, c->address);
	/* Stopped now: the planned status change says so, else what the
	 * refresh saw (or the state recorded). */
	bool was_paused =
	    c->before && cJSON_GetObjectItemCaseSensitive(c->before, "status")
		? inactive(c->before)
	    : lv && lv->refreshed && lv->exists && lv->status
		? !strcmp(lv->status, "INACTIVE")
		: st && st->status && !strcmp(st->status, "INACTIVE");
	/* Stopped after apply: a planned stop, or one that stays stopped
	 * (a new one starts ACTIVE; a stop waiting for an update follows
	 * at the next apply). */
	bool paused =
	    c->after && cJSON_GetObjectItemCaseSensitive(c->after, "status")
		? inactive(c->after)
		: was_paused && c->action == PZ_ACTION_NOOP;
	double n;

	if (exists_before(c)) {
		n = number(c->before, path, 1);
		if (was_paused)
			pz_usage_add(u, PZ_USAGE_BEFORE, c->address,
				     PZ_UNIT_REQUEST_HOUR, 0,
				     "stopped: not billed");
		else
			pz_usage_add(u, PZ_USAGE_BEFORE, c->address,
				     PZ_UNIT_REQUEST_HOUR,
				     n * PZ_HOURS_PER_MONTH,
				     "minRecommendationRequestsPerSecond %g x "
				     "730 hours",
				     n);
	}
	if (exists_after(c)) {
		n = paused ? 0 : number(c->after, path, 1);
		if (paused)
			pz_usage_add(u, PZ_USAGE_MONTHLY, c->address,
				     PZ_UNIT_REQUEST_HOUR, 0,
				     "stopped (pz.state INACTIVE): not billed "
				     "while it is");
		else
			pz_usage_add(
			    u, PZ_USAGE_MONTHLY, c->address,
			    PZ_UNIT_REQUEST_HOUR, n * PZ_HOURS_PER_MONTH,
			    "minRecommendationRequestsPerSecond %g x "
			    "730 hours%s",
			    n, member(c->after, path) ? "" : " (the default)");
	}
	if (!paused &&
	    (c->action == PZ_ACTION_CREATE || c->action == PZ_ACTION_UPDATE ||
	     c->action == PZ_ACTION_REPLACE))
		pz_usage_hint(u, c->address,
			      "bills %g request-hours a month while it runs, "
			      "traffic or not: one that serves nothing for a "
			      "while (staging, a test) can be stopped "
			      "(pz: {state: INACTIVE}) and started again",
			      number(c->after, path, 1) * PZ_HOURS_PER_MONTH);
}

/*
 * How long the last training of a solution took, in hours, from what
 * apply recorded (training_started_at, trained_at): -1 when unknown,
 * with *why saying why.
 */
static double last_training(const struct pz_plan_ctx *ctx, const char *key,
			    const char **why)
{
	char *address = pz_xasprintf("solution_version.%s", key);
	const struct pz_state_resource *st = pz_plan_ctx_state(ctx, address);
	const cJSON *start = st ? cJSON_GetObjectItemCaseSensitive(
				      st->meta, "training_started_at")
				: NULL;
	const cJSON *end =
	    st ? cJSON_GetObjectItemCaseSensitive(st->meta, "trained_at")
	       : NULL;

	free(address);
	if (!st) {
		*why = "unknown until the first training";
		return -1;
	}
	if (!cJSON_IsNumber(start) || !cJSON_IsNumber(end) ||
	    end->valuedouble <= start->valuedouble) {
		*why = "the state does not record how long the last training "
		       "took (pz records it for trainings it runs)";
		return -1;
	}
	*why = NULL;
	return (end->valuedouble - start->valuedouble) / 3600.0;
}

/* What makes one training several: HPO runs many training jobs,
 * AutoML trains each candidate recipe. "" when neither. */
static const char *multiple(const cJSON *solution)
{
	const cJSON *hpo = member(solution, "performHPO");
	const cJSON *automl = member(solution, "performAutoML");

	if (cJSON_IsTrue(hpo) && cJSON_IsTrue(automl))
		return "; HPO and AutoML: one training is several training "
		       "jobs, each billed";
	if (cJSON_IsTrue(hpo))
		return "; HPO: one training is several training jobs "
		       "(hpoResourceConfig.maxNumberOfTrainingJobs), each "
		       "billed";
	if (cJSON_IsTrue(automl))
		return "; AutoML: one training trains each candidate recipe, "
		       "each billed";
	return "";
}

/* Trainings a month on an automatic-training schedule ("rate(7 days)",
 * the default); -1 when the expression is not one pz reads. */
static double trainings_per_month(const cJSON *solution, char **shown)
{
	const cJSON *e = member(
	    solution, "solutionConfig.autoTrainingConfig.schedulingExpression");
	int days = 7;
	char tail[8];

	*shown = pz_xstrdup("rate(7 days) (the default)");
	if (!cJSON_IsString(e))
		return PZ_HOURS_PER_MONTH / 24.0 / days;
	free(*shown);
	*shown = pz_xstrdup(e->valuestring);
	if (sscanf(e->valuestring, "rate(%d day%7[s)]", &days, tail) != 2 ||
	    days < 1 || days > 30)
		return -1;
	return PZ_HOURS_PER_MONTH / 24.0 / days;
}

static void auto_training(const struct pz_plan_ctx *ctx,
			  const struct pz_change *c, const char *key,
			  const cJSON *solution, enum pz_usage_set set,
			  struct pz_usage *u)
{
	const char *why = NULL;
	double hours, per;
	char *shown;

	if (cJSON_IsFalse(member(solution, "performAutoTraining")))
		return;
	per = trainings_per_month(solution, &shown);
	hours = last_training(ctx, key, &why);
	if (per < 0)
		pz_usage_add(u, set, c->address, PZ_UNIT_TRAINING_HOUR, -1,
			     "automatic training on %s: a schedule pz does not "
			     "read%s",
			     shown, multiple(solution));
	else if (hours < 0)
		pz_usage_add(u, set, c->address, PZ_UNIT_TRAINING_HOUR, -1,
			     "automatic training on %s: %.2f trainings a "
			     "month, each %s%s",
			     shown, per, why, multiple(solution));
	else
		pz_usage_add(u, set, c->address, PZ_UNIT_TRAINING_HOUR,
			     per * hours,
			     "automatic training on %s: %.2f trainings a "
			     "month x %.2f hours (the last training)%s",
			     shown, per, hours, multiple(solution));
	free(shown);
}

void pz_pers_usage_solution(struct pz_plan_ctx *ctx, const struct pz_change *c,
			    struct pz_usage *u)
{
	const char *key = key_of(c->address);

	if (exists_before(c))
		auto_training(ctx, c, key, c->before, PZ_USAGE_BEFORE, u);
	if (!exists_after(c))
		return;
	auto_training(ctx, c, key, c->after, PZ_USAGE_MONTHLY, u);
	if (!member(c->after, "performAutoTraining") &&
	    c->action != PZ_ACTION_NOOP)
		pz_usage_hint(u, c->address,
			      "automatic training is left to the service's "
			      "default (on, every 7 days, each training "
			      "billed): set performAutoTraining: false to "
			      "train only when pz sees a change");
}

void pz_pers_usage_solution_version(struct pz_plan_ctx *ctx,
				    const struct pz_change *c,
				    struct pz_usage *u)
{
	const char *key = key_of(c->address);
	char *sol = pz_xasprintf("solution.%s", key);
	const struct pz_change *sc = pz_plan_ctx_change(ctx, sol);
	const cJSON *solution = sc ? sc->after : NULL;
	const cJSON *mode = member(c->after, "trainingMode");
	const char *why = NULL;
	double hours;

	free(sol);
	if (c->action != PZ_ACTION_CREATE)
		return;
	hours = last_training(ctx, key, &why);
	if (hours < 0)
		pz_usage_add(u, PZ_USAGE_ONCE, c->address,
			     PZ_UNIT_TRAINING_HOUR, -1, "one training: %s%s",
			     why, multiple(solution));
	else
		pz_usage_add(
		    u, PZ_USAGE_ONCE, c->address, PZ_UNIT_TRAINING_HOUR, hours,
		    "one training, as long as the last one "
		    "(%.2f hours)%s%s",
		    hours,
		    cJSON_IsString(mode) && !strcmp(mode->valuestring, "UPDATE")
			? "; an UPDATE training is usually shorter"
			: "",
		    multiple(solution));
}

/* The bytes of the listed objects (a refresh's listing) under location
 * (s3://bucket/prefix, or one object): false when either is missing. */
static bool listed_bytes(const cJSON *objects, const cJSON *loc, double *bytes,
			 size_t *n)
{
	const char *prefix, *o_key;
	const cJSON *o;

	*bytes = 0;
	*n = 0;
	if (!cJSON_IsArray(objects) || !cJSON_IsString(loc) ||
	    strncmp(loc->valuestring, "s3://", 5))
		return false;
	prefix = strchr(loc->valuestring + 5, '/');
	prefix = prefix ? prefix + 1 : "";
	cJSON_ArrayForEach(o, objects)
	{
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "key");
		const cJSON *size = cJSON_GetObjectItemCaseSensitive(o, "size");

		o_key = cJSON_IsString(k) ? k->valuestring : "";
		if (strncmp(o_key, prefix, strlen(prefix)))
			continue;
		*bytes += cJSON_IsNumber(size) ? size->valuedouble : 0;
		(*n)++;
	}
	return true;
}

void pz_pers_usage_import(struct pz_plan_ctx *ctx, const struct pz_change *c,
			  struct pz_usage *u)
{
	const cJSON *loc = member(c->after, "dataSource.dataLocation");
	const char *where = cJSON_IsString(loc) ? loc->valuestring : "?";
	double bytes;
	size_t n;

	(void)ctx;
	if (c->action != PZ_ACTION_CREATE)
		return;
	if (!listed_bytes(cJSON_GetObjectItemCaseSensitive(c->meta, "objects"),
			  loc, &bytes, &n))
		pz_usage_add(
		    u, PZ_USAGE_ONCE, c->address, PZ_UNIT_GB_INGESTED, -1,
		    "%s %s", where,
		    cJSON_GetObjectItemCaseSensitive(c->meta, "data_digest")
			? "was listed without object sizes"
			: "was not listed (-refresh=false)");
	else
		pz_usage_add(u, PZ_USAGE_ONCE, c->address, PZ_UNIT_GB_INGESTED,
			     bytes / GIB, "%zu object%s, %.0f bytes, under %s",
			     n, n == 1 ? "" : "s", bytes, where);
}

void pz_pers_usage_batch(struct pz_plan_ctx *ctx, const struct pz_change *c,
			 struct pz_usage *u)
{
	const struct pz_resource *r =
	    pz_spec_find(pz_plan_ctx_spec(ctx), c->address);
	const struct pz_live *lv = r ? pz_plan_ctx_live(ctx, r) : NULL;
	const cJSON *loc = member(c->after, "jobInput.s3DataSource.path");
	const char *where = cJSON_IsString(loc) ? loc->valuestring : "?";
	const char *what = !strcmp(c->type, "batch_segment_job")
			       ? "the user segments"
			       : "the recommendations";
	double bytes;
	size_t n;

	if (c->action != PZ_ACTION_CREATE)
		return;
	if (lv && lv->data_error)
		pz_usage_add(u, PZ_USAGE_ONCE, c->address,
			     PZ_UNIT_GB_BATCH_INPUT, -1, "input not listed: %s",
			     lv->data_error);
	else if (!lv || !lv->data_listed ||
		 !listed_bytes(lv->data_list, loc, &bytes, &n))
		pz_usage_add(u, PZ_USAGE_ONCE, c->address,
			     PZ_UNIT_GB_BATCH_INPUT, -1,
			     "input %s was not listed%s", where,
			     lv && lv->refreshed ? "" : " (-refresh=false)");
	else
		pz_usage_add(u, PZ_USAGE_ONCE, c->address,
			     PZ_UNIT_GB_BATCH_INPUT, bytes / GIB,
			     "input: %zu object%s, %.0f bytes, under %s; AWS "
			     "bills %s the job makes, not these bytes",
			     n, n == 1 ? "" : "s", bytes, where, what);
}
