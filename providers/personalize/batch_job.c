/*
 * batch_job.c - what batch inference and batch segment jobs share: the
 * solution whose version runs them, an optional filter of the spec, and
 * the role that reads and writes their S3 data, and how they are planned:
 * a job runs once, cannot be updated or deleted, and its name stays
 * taken for ever, so a changed job is a new run under a new name and a
 * job removed from the spec is only forgotten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/plan.h"
#include "pers.h"

void pz_pers_batch_link(struct pz_spec *spec, struct pz_resource *r,
			struct pz_diags *diags)
{
	struct pz_resource *sol = pz_pers_solution_of(spec, r, false);
	const char *filter = pz_pers_pz_str(r, "filter");
	struct pz_resource *v, *f;

	(void)diags;
	r->data = sol; /* borrowed: check and supply use it */
	if (sol) {
		v = pz_spec_find_type(spec, "solution_version", sol->key);
		if (v)
			pz_spec_add_dep(spec, r, pz_spec_index(spec, v));
	}
	if (!filter)
		return;
	f = pz_spec_find_type(spec, "filter", filter);
	if (!f)
		pz_pers_error(spec, pz_pers_pz_pos(r, "filter"),
			      "%s uses filter '%s', which the spec does not "
			      "declare",
			      r->address, filter);
	else
		pz_spec_add_dep(spec, r, pz_spec_index(spec, f));
}

void pz_pers_batch_supply(const struct pz_spec *spec,
			  const struct pz_resource *r, cJSON *body)
{
	const struct pz_resource *sol = r->data;
	const char *filter = pz_pers_pz_str(r, "filter");
	char addr[256];

	if (sol) {
		snprintf(addr, sizeof(addr), "solution_version.%s", sol->key);
		pz_pers_ref(body, "solutionVersionArn", addr);
	}
	if (filter) {
		snprintf(addr, sizeof(addr), "filter.%s", filter);
		pz_pers_ref(body, "filterArn", addr);
	}
	if (!cJSON_GetObjectItemCaseSensitive(body, "roleArn") &&
	    spec->settings.role_arn)
		cJSON_AddStringToObject(body, "roleArn",
					spec->settings.role_arn);
}

/* name, or name-<digits>: a run of the job the spec names. */
static bool run_of(const char *run, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(run, name, n))
		return false;
	if (!run[n])
		return true;
	if (run[n] != '-' || !run[n + 1])
		return false;
	for (run += n + 1; *run; run++)
		if (*run < '0' || *run > '9')
			return false;
	return true;
}

void pz_pers_batch_plan(struct pz_plan_ctx *ctx, const struct pz_resource *r,
			struct pz_change *c)
{
	const struct pz_state_resource *st = pz_plan_ctx_state(ctx, r->address);
	const cJSON *want =
	    cJSON_GetObjectItemCaseSensitive(c->after, "jobName");
	const cJSON *have =
	    cJSON_GetObjectItemCaseSensitive(c->before, "jobName");
	const cJSON *seq =
	    st ? cJSON_GetObjectItemCaseSensitive(st->meta, "run") : NULL;
	long long n = cJSON_IsNumber(seq) ? (long long)seq->valuedouble : 1;
	const struct pz_live *lv;
	char *name, *why;

	/* The run pz made under a name of its own is the spec's job. */
	if (cJSON_IsString(want) && cJSON_IsString(have) &&
	    run_of(have->valuestring, want->valuestring))
		cJSON_SetValuestring(
		    cJSON_GetObjectItemCaseSensitive(c->after, "jobName"),
		    have->valuestring);
	pz_plan_decide(ctx, r, c);
	c->meta = cJSON_CreateObject();
	cJSON_AddNumberToObject(c->meta, "run", (double)n);
	if (c->action != PZ_ACTION_REPLACE || !cJSON_IsString(want))
		return;
	/* A new run: the old job stays in AWS (nothing deletes it). */
	name = pz_xasprintf("%.*s-%lld", 50, want->valuestring, n + 1);
	cJSON_ReplaceItemInObjectCaseSensitive(c->after, "jobName",
					       cJSON_CreateString(name));
	cJSON_ReplaceItemInObjectCaseSensitive(
	    c->meta, "run", cJSON_CreateNumber((double)(n + 1)));
	c->action = PZ_ACTION_CREATE;
	c->reason = NULL;
	lv = pz_plan_ctx_live(ctx, r);
	why = c->nreplace ? pz_xstrdup("the job changed")
	      : lv && lv->failure_reason
		  ? pz_xasprintf("the last run failed: %s", lv->failure_reason)
		  : pz_xstrdup("the last run failed");
	c->trigger = pz_xasprintf(
	    "%s; batch jobs cannot be updated or deleted, and their names "
	    "stay taken, so it runs again as %s; %s stays in AWS",
	    why, name, c->arn ? c->arn : "the old run");
	free(why);
	free(c->note); /* the failure is in the trigger */
	c->note = NULL;
	free(name);
	cJSON_Delete(c->before);
	c->before = NULL;
	free(c->arn);
	c->arn = NULL;
}
