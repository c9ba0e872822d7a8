/*
 * refresh.c - live reads for the planner: Describe calls in parallel,
 * data listings, and the search for unmanaged resources with our names.
 */
#include "refresh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/hash.h"
#include "core/log.h"
#include "pers.h"
#include "providers/aws/client.h"
#include "providers/aws/http.h"
#include "providers/aws/json.h"
#include "providers/aws/s3.h"
#include "providers/aws/sts.h"

/*
 * Updates run while the top-level status stays ACTIVE; their progress
 * and failure are in latestCampaignUpdate, latestRecommenderUpdate or
 * latestSolutionUpdate, with the create statuses ("CREATE IN_PROGRESS",
 * "CREATE FAILED"). pz reports them as UPDATE ..., so that the planner
 * waits for an update in progress and plans a failed one again.
 */
static void latest_update(const cJSON *obj, struct pz_live *out)
{
	static const char *const members[] = {"latestCampaignUpdate",
					      "latestRecommenderUpdate",
					      "latestSolutionUpdate"};
	const cJSON *u = NULL, *st, *why;
	size_t i;

	for (i = 0; i < PZ_ARRAY_LEN(members) && !cJSON_IsObject(u); i++)
		u = cJSON_GetObjectItemCaseSensitive(obj, members[i]);
	st = cJSON_GetObjectItemCaseSensitive(u, "status");
	if (!cJSON_IsString(st) || !out->status ||
	    strcmp(out->status, "ACTIVE") ||
	    !strcmp(st->valuestring, "ACTIVE") ||
	    !pz_str_has_prefix(st->valuestring, "CREATE "))
		return;
	free(out->status);
	out->status = pz_xasprintf("UPDATE %s", st->valuestring + 7);
	why = cJSON_GetObjectItemCaseSensitive(u, "failureReason");
	if (cJSON_IsString(why)) {
		free(out->failure_reason);
		out->failure_reason = pz_xstrdup(why->valuestring);
	}
}

/*
 * A solution's settings are what its last finished UpdateSolution set:
 * whether DescribeSolution's solutionConfig shows an update's
 * autoTrainingConfig and eventsConfig, or only latestSolutionUpdate
 * does, is not settled (personalize-rules.md §9.1). The finished
 * update's values are taken either way, so that a changed schedule is
 * not planned again at every plan.
 */
static void latest_settings(const cJSON *obj, struct pz_live *out)
{
	static const char *const top[] = {"performAutoTraining",
					  "performIncrementalUpdate"};
	static const char *const cfg[] = {"autoTrainingConfig", "eventsConfig"};
	const cJSON *u =
	    cJSON_GetObjectItemCaseSensitive(obj, "latestSolutionUpdate");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(u, "status");
	const cJSON *suc =
	    cJSON_GetObjectItemCaseSensitive(u, "solutionUpdateConfig");
	cJSON *sc;
	size_t i;

	if (!cJSON_IsString(st) || strcmp(st->valuestring, "ACTIVE"))
		return;
	for (i = 0; i < PZ_ARRAY_LEN(top); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(u, top[i]);

		if (!cJSON_IsBool(v))
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(out->attrs, top[i]);
		cJSON_AddItemToObject(out->attrs, top[i],
				      cJSON_Duplicate(v, 1));
	}
	if (!cJSON_IsObject(suc) || !suc->child)
		return;
	sc = cJSON_GetObjectItemCaseSensitive(out->attrs, "solutionConfig");
	if (!cJSON_IsObject(sc)) {
		cJSON_DeleteItemFromObjectCaseSensitive(out->attrs,
							"solutionConfig");
		sc = cJSON_AddObjectToObject(out->attrs, "solutionConfig");
	}
	for (i = 0; i < PZ_ARRAY_LEN(cfg); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(suc, cfg[i]);

		if (!v)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(sc, cfg[i]);
		cJSON_AddItemToObject(sc, cfg[i], cJSON_Duplicate(v, 1));
	}
}

/* A campaign that syncs with its solution's latest version is at
 * "<solution ARN>/$LATEST", whichever version it serves now. */
static void latest_version(const cJSON *obj, struct pz_live *out)
{
	const cJSON *cfg =
	    cJSON_GetObjectItemCaseSensitive(obj, "campaignConfig");
	cJSON *v =
	    cJSON_GetObjectItemCaseSensitive(out->attrs, "solutionVersionArn");
	const char *slash;
	char *latest;

	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		cfg, "syncWithLatestSolutionVersion")) ||
	    !cJSON_IsString(v) ||
	    pz_str_has_suffix(v->valuestring, "/$LATEST") ||
	    !(slash = strrchr(v->valuestring, '/')))
		return;
	latest = pz_xasprintf("%.*s/$LATEST", (int)(slash - v->valuestring),
			      v->valuestring);
	cJSON_SetValuestring(v, latest);
	free(latest);
}

void pz_personalize_project(const struct pz_rtype *t, const cJSON *answer,
			    struct pz_live *out)
{
	const struct pz_operation *op = pz_facts_operation(t->create_op);
	const struct pz_shape *input = op ? pz_facts_shape(op->input) : NULL;
	const cJSON *obj =
	    cJSON_GetObjectItemCaseSensitive(answer, t->response_key);
	const cJSON *v;
	size_t i;

	out->refreshed = true;
	out->exists = cJSON_IsObject(obj);
	if (!out->exists)
		return;
	v = cJSON_GetObjectItemCaseSensitive(obj, t->arn_member);
	if (cJSON_IsString(v))
		out->arn = pz_xstrdup(v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(obj, "status");
	if (cJSON_IsString(v))
		out->status = pz_xstrdup(v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(obj, "failureReason");
	if (cJSON_IsString(v))
		out->failure_reason = pz_xstrdup(v->valuestring);
	latest_update(obj, out);
	v = cJSON_GetObjectItemCaseSensitive(obj, "creationDateTime");
	if (cJSON_IsNumber(v))
		out->created = pz_xasprintf("%.0f", v->valuedouble);
	out->attrs = cJSON_CreateObject();
	/* The members the create request has: what pz compares. */
	for (i = 0; input && i < input->nmembers; i++) {
		const char *m = input->members[i].name;

		v = cJSON_GetObjectItemCaseSensitive(obj, m);
		if (v && !cJSON_IsNull(v))
			cJSON_AddItemToObject(out->attrs, m,
					      cJSON_Duplicate(v, 1));
	}
	if (!strcmp(t->name, "campaign"))
		latest_version(obj, out);
	if (!strcmp(t->name, "solution"))
		latest_settings(obj, out);
}

/* One Describe in flight; each keeps its own error, so twenty
 * failures at once are twenty messages, each on its own resource. */
struct read {
	const struct pz_rtype *t;
	const char *address;
	struct pz_live *out;
	struct pz_error err;
};

static void on_describe(void *ud, int rc, cJSON *output,
			const struct pz_aws_response *resp)
{
	struct read *rd = ud;

	if (rc == PZ_ENOTFOUND) {
		rd->out->refreshed = true;
		rd->out->exists = false;
	} else if (rc == PZ_EINTR) {
		/* The run says so once; nothing per resource. */
	} else if (rc) {
		pz_error_keep(&rd->err, rc, "refreshing %s: %s", rd->address,
			      resp->failure.message ? resp->failure.message
						    : pz_error_last());
	} else {
		pz_personalize_project(rd->t, output, rd->out);
	}
	cJSON_Delete(output);
}

/*
 * Second reads, answered into their own buffer and merged once every
 * answer is in: the tags (Describe returns none) and a solution's
 * versions (the service trains some itself).
 */
enum side_kind { SIDE_TAGS, SIDE_VERSIONS };

struct side {
	enum side_kind kind;
	const char *address;
	struct pz_live *out;
	cJSON *answer;
	int *first_error;
	bool unrecorded; /* versions of a solution whose version pz has
			  * not recorded: the list is all pz knows of them */
};

static void on_side(void *ud, int rc, cJSON *output,
		    const struct pz_aws_response *resp)
{
	struct side *sd = ud;

	(void)resp;
	if (rc && rc != PZ_ENOTFOUND && !*sd->first_error)
		*sd->first_error =
		    pz_error_set(rc, "refreshing %s (%s): %s", sd->address,
				 sd->kind == SIDE_TAGS ? "tags" : "versions",
				 pz_error_last());
	if (!rc)
		sd->answer = output;
	else
		cJSON_Delete(output);
}

static int submit_side(struct pz_aws_client *c, struct side *sd,
		       const char *arn)
{
	cJSON *in = cJSON_CreateObject();
	struct pz_aws_json_done done = {on_side, sd};
	int r;

	cJSON_AddStringToObject(
	    in, sd->kind == SIDE_TAGS ? "resourceArn" : "solutionArn", arn);
	if (sd->kind == SIDE_VERSIONS)
		cJSON_AddNumberToObject(in, "maxResults", 100);
	r = pz_aws_json_submit(c, PZ_AWS_PERSONALIZE,
			       sd->kind == SIDE_TAGS ? "ListTagsForResource"
						     : "ListSolutionVersions",
			       in, done);
	cJSON_Delete(in);
	return r;
}

static bool has_tags(const struct pz_rtype *t)
{
	const struct pz_operation *op = pz_facts_operation(t->create_op);

	return op && pz_facts_member(pz_facts_shape(op->input), "tags");
}

static double created_at(const cJSON *v)
{
	const cJSON *t =
	    cJSON_GetObjectItemCaseSensitive(v, "creationDateTime");

	return cJSON_IsNumber(t) ? t->valuedouble : 0;
}

static bool status_is(const cJSON *v, const char *what)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(v, "status");

	return cJSON_IsString(st) && pz_str_has_suffix(st->valuestring, what);
}

/*
 * What a solution version's live record says when the service trained
 * versions of its own (automatic training): the newest version while
 * it trains (the plan waits for it), else the newest ACTIVE one (what a
 * campaign follows), with the failure of a newer one that failed.
 */
static void merge_versions(const cJSON *list, struct pz_live *out)
{
	static const char *const copied[] = {"trainingMode", "trainingType"};
	const cJSON *v, *newest = NULL, *active = NULL, *pick, *m;
	size_t i;

	cJSON_ArrayForEach(v, list)
	{
		if (!newest || created_at(v) > created_at(newest))
			newest = v;
		if (status_is(v, "ACTIVE") &&
		    (!active || created_at(v) > created_at(active)))
			active = v;
	}
	if (!newest || !out->exists)
		return;
	pick = status_is(newest, "FAILED") && active ? active : newest;
	m = cJSON_GetObjectItemCaseSensitive(pick, "solutionVersionArn");
	if (!cJSON_IsString(m))
		return;
	free(out->arn);
	out->arn = pz_xstrdup(m->valuestring);
	m = cJSON_GetObjectItemCaseSensitive(newest, "status");
	free(out->status);
	out->status = cJSON_IsString(m) ? pz_xstrdup(m->valuestring) : NULL;
	free(out->failure_reason);
	m = cJSON_GetObjectItemCaseSensitive(newest, "failureReason");
	out->failure_reason =
	    cJSON_IsString(m) ? pz_xstrdup(m->valuestring) : NULL;
	free(out->created);
	out->created = pz_xasprintf("%.0f", created_at(pick));
	if (!out->attrs)
		out->attrs = cJSON_CreateObject();
	for (i = 0; i < PZ_ARRAY_LEN(copied); i++) {
		m = cJSON_GetObjectItemCaseSensitive(pick, copied[i]);
		cJSON_DeleteItemFromObjectCaseSensitive(out->attrs, copied[i]);
		if (cJSON_IsString(m))
			cJSON_AddStringToObject(out->attrs, copied[i],
						m->valuestring);
	}
}

static void merge_side(struct side *sd)
{
	const cJSON *v;

	/* Any version: the service's (automatic training) or the one an
	 * interrupted apply started (solution_version.c tells which). */
	if (sd->answer && sd->unrecorded &&
	    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
		sd->answer, "solutionVersions")) > 0)
		sd->out->exists = true;
	if (!sd->answer || !sd->out->exists)
		return;
	if (sd->kind == SIDE_VERSIONS) {
		merge_versions(cJSON_GetObjectItemCaseSensitive(
				   sd->answer, "solutionVersions"),
			       sd->out);
		return;
	}
	v = cJSON_GetObjectItemCaseSensitive(sd->answer, "tags");
	if (!cJSON_IsArray(v) || !sd->out->attrs)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(sd->out->attrs, "tags");
	cJSON_AddItemToObject(sd->out->attrs, "tags", cJSON_Duplicate(v, 1));
}

static int submit_describe(struct pz_aws_client *c, struct read *rd,
			   const char *arn)
{
	cJSON *in = cJSON_CreateObject();
	struct pz_aws_json_done done = {on_describe, rd};
	int r;

	cJSON_AddStringToObject(in, rd->t->arn_member, arn);
	r = pz_aws_json_submit(c, PZ_AWS_PERSONALIZE, rd->t->describe_op, in,
			       done);
	cJSON_Delete(in);
	return r;
}

/* The digest of what is under a location: sha256 over "key\tetag\tsize"
 * lines in key order (S3 lists in key order). */
static int list_data(struct pz_aws_client *c, const char *location,
		     struct pz_live *out)
{
	struct pz_s3_object *objs = NULL;
	char *bucket = NULL, *prefix = NULL;
	struct pz_sha256 md;
	size_t n = 0, i, used = 0;
	int r;

	if ((r = pz_s3_split_url(location, &bucket, &prefix)))
		goto out;
	r = pz_s3_list_objects(c, bucket, prefix, &objs, &n, NULL);
	if (r) {
		r = pz_error_wrap(r, "listing the data under %s", location);
		goto out;
	}
	pz_sha256_init(&md);
	out->data_list = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		cJSON *o;
		char *line;

		if (pz_str_has_suffix(objs[i].key, "/"))
			continue; /* a folder marker holds no data */
		line = pz_xasprintf("%s\t%s\t%llu\n", objs[i].key,
				    objs[i].etag ? objs[i].etag : "-",
				    (unsigned long long)objs[i].size);
		pz_sha256_update(&md, line, strlen(line));
		free(line);
		/* Incremental imports send only what is new. */
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key", objs[i].key);
		cJSON_AddStringToObject(o, "etag",
					objs[i].etag ? objs[i].etag : "-");
		cJSON_AddNumberToObject(o, "size", (double)objs[i].size);
		cJSON_AddItemToArray(out->data_list, o);
		used++;
	}
	out->data_digest = pz_xcalloc(65, 1);
	pz_sha256_final_hex(&md, out->data_digest);
	out->data_listed = true;
	out->data_objects = used;
out:
	pz_s3_objects_free(objs, n);
	free(bucket);
	free(prefix);
	return r;
}

/* The objects a batch job would read (jobInput.s3DataSource.path, a
 * prefix as the service reads it), for the plan's usage alone: a
 * listing that fails is said there, and fails nothing but an interrupt. */
static int list_batch_input(struct pz_aws_client *c,
			    const struct pz_resource *res, struct pz_live *out)
{
	const char *path = pz_node_str(pz_node_get(
	    pz_node_get(pz_node_get(res->body, "jobInput"), "s3DataSource"),
	    "path"));
	int r;

	if (!path)
		return 0;
	r = list_data(c, path, out);
	if (!r || r == PZ_EINTR)
		return r;
	out->data_error = pz_xstrdup(pz_error_last());
	out->data_listed = false;
	cJSON_Delete(out->data_list);
	out->data_list = NULL;
	pz_error_clear();
	return 0;
}

/* After a failed submission: the reads already submitted end (their
 * callbacks run) before their records are freed; the error stays. */
static void settle(struct pz_aws_client *c)
{
	struct pz_error saved = {0};

	if (!pz_aws_pending(c))
		return;
	pz_error_save(&saved);
	(void)pz_aws_run(c);
	pz_error_restore(&saved);
	pz_error_release(&saved);
}

/* A solution version pz has not recorded, of a solution it has: the
 * solution's versions are listed (merge_side). */
static int list_unrecorded(struct pz_aws_client *c,
			   const struct pz_state *state,
			   const struct pz_resource *res, struct pz_live *out,
			   struct side *sd, int *first_error, size_t *nside)
{
	const struct pz_state_resource *so =
	    res->origin && state ? pz_state_find(state, res->origin->address)
				 : NULL;

	if (strcmp(res->type->name, "solution_version") || !so || !so->arn)
		return 0;
	*sd = (struct side){.kind = SIDE_VERSIONS,
			    .address = res->address,
			    .out = out,
			    .first_error = first_error,
			    .unrecorded = true};
	(*nside)++;
	return submit_side(c, sd, so->arn);
}

int pz_personalize_refresh(struct pz_aws_client *c, const struct pz_spec *spec,
			   const struct pz_state *state, struct pz_live *live,
			   struct pz_live *live_state)
{
	size_t n = spec->nresources + (state ? state->n : 0), k = 0, i;
	size_t nside = 0;
	struct read *reads = pz_xcalloc(n + 1, sizeof(*reads));
	struct side *sides = pz_xcalloc(2 * n + 1, sizeof(*sides));
	struct pz_error all = {0};
	int first_error = 0, r = 0;

	for (i = 0; i < spec->nresources; i++) {
		const struct pz_resource *res = spec->resources[i];
		const struct pz_state_resource *st =
		    state ? pz_state_find(state, res->address) : NULL;

		if (!st || !st->arn || !res->type->describe_op) {
			/* Never made: nothing to read, it does not exist.
			 * Whether its name is taken is asked after the
			 * refresh, with the account: ask that now, beside
			 * the reads, not after them. */
			live[i].refreshed = true;
			if (pz_aws_client_region(c))
				pz_sts_identity_prefetch(c);
			if ((r = list_unrecorded(c, state, res, &live[i],
						 &sides[nside], &first_error,
						 &nside)))
				goto out;
			continue;
		}
		reads[k] =
		    (struct read){res->type, res->address, &live[i], {0, NULL}};
		if ((r = submit_describe(c, &reads[k++], st->arn)))
			goto out;
		if (has_tags(res->type)) {
			sides[nside] =
			    (struct side){SIDE_TAGS, res->address, &live[i],
					  NULL, &first_error};
			if ((r = submit_side(c, &sides[nside++], st->arn)))
				goto out;
		}
		if (!strcmp(res->type->name, "solution_version") &&
		    res->origin) {
			const struct pz_state_resource *so =
			    pz_state_find(state, res->origin->address);

			if (so && so->arn) {
				sides[nside] =
				    (struct side){SIDE_VERSIONS, res->address,
						  &live[i], NULL, &first_error};
				if ((r = submit_side(c, &sides[nside++],
						     so->arn)))
					goto out;
			}
		}
	}
	for (i = 0; state && i < state->n; i++) {
		const struct pz_state_resource *st = &state->resources[i];
		const struct pz_rtype *t = pz_rtype_find(st->type);

		if (pz_spec_find(spec, st->address))
			continue;
		if (!t || !st->arn || !t->describe_op) {
			live_state[i].refreshed = true;
			continue;
		}
		reads[k] =
		    (struct read){t, st->address, &live_state[i], {0, NULL}};
		if ((r = submit_describe(c, &reads[k++], st->arn)))
			goto out;
	}
	PZ_DEBUG("refresh: %zu Describe calls in flight", k);
	if ((r = pz_aws_run(c)))
		goto out;
	/* Every failure, in the spec's order, one line each. */
	for (i = 0; i < k; i++)
		pz_error_append(&all, &reads[i].err);
	if ((r = pz_error_restore(&all)))
		goto out;
	if ((r = first_error))
		goto out;
	for (i = 0; i < nside; i++)
		merge_side(&sides[i]);
	/* The data under each import job's location, and what each batch
	 * job would read. */
	for (i = 0; i < spec->nresources && !r; i++) {
		const struct pz_resource *res = spec->resources[i];

		if (!strcmp(res->type->name, "dataset_import_job") && res->data)
			r = list_data(c, res->data, &live[i]);
		else if (res->type->usage == pz_pers_usage_batch)
			r = list_batch_input(c, res, &live[i]);
	}
out:
	settle(c);
	for (i = 0; i < k; i++)
		pz_error_release(&reads[i].err);
	pz_error_release(&all);
	for (i = 0; i < nside; i++)
		cJSON_Delete(sides[i].answer);
	free(sides);
	free(reads);
	return r;
}

int pz_personalize_describe(struct pz_aws_client *c, const struct pz_rtype *t,
			    const char *arn, struct pz_live *out)
{
	cJSON *in = cJSON_CreateObject(), *answer = NULL;
	int r;

	if (!t->describe_op) {
		cJSON_Delete(in);
		return pz_error_set(PZ_EINVAL, "%s resources cannot be read",
				    t->label);
	}
	cJSON_AddStringToObject(in, t->arn_member, arn);
	r = pz_aws_json_call(c, PZ_AWS_PERSONALIZE, t->describe_op, in, &answer,
			     NULL);
	cJSON_Delete(in);
	if (!r)
		pz_personalize_project(t, answer, out);
	cJSON_Delete(answer);
	if (!r && out->exists && has_tags(t)) {
		/* Describe returns no tags. */
		int err = 0;
		struct side sd = {SIDE_TAGS, arn, out, NULL, &err};

		if (!(r = submit_side(c, &sd, arn)) && !(r = pz_aws_run(c)) &&
		    !(r = err))
			merge_side(&sd);
		cJSON_Delete(sd.answer);
		/* None is no attribute (as the create request). */
		if (!cJSON_GetArraySize(
			cJSON_GetObjectItemCaseSensitive(out->attrs, "tags")))
			cJSON_DeleteItemFromObjectCaseSensitive(out->attrs,
								"tags");
	}
	return r;
}

/* --- unmanaged resources under our names -----------------------------------
 */

struct probe {
	const struct pz_resource *res;
	char *arn;
	bool replacing; /* the name a replacement takes */
	bool found;
	struct pz_error err; /* this probe's own */
	/* By listing (an ARN that holds no name: event trackers): what
	 * the plan knows (ARNs it has), the name to look for, and another
	 * of the group's one-per-group resources found instead. */
	const struct pz_plan *plan;
	const char *name;
	char *other, *other_arn;
};

static void on_probe(void *ud, int rc, cJSON *output,
		     const struct pz_aws_response *resp)
{
	struct probe *p = ud;

	p->found = rc == 0;
	if (rc && rc != PZ_ENOTFOUND && rc != PZ_EINTR)
		pz_error_keep(&p->err, rc, "checking whether %s exists: %s",
			      p->res->address,
			      resp->failure.message ? resp->failure.message
						    : pz_error_last());
	cJSON_Delete(output);
}

/* True when the plan knows arn (a resource of the state). */
static bool plan_has_arn(const struct pz_plan *plan, const char *arn)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (plan->changes[i].arn && !strcmp(plan->changes[i].arn, arn))
			return true;
	return false;
}

/* ListEventTrackers' answer: ours by name, or another tracker the
 * plan does not know (a group holds one). */
static void on_list_probe(void *ud, int rc, cJSON *output,
			  const struct pz_aws_response *resp)
{
	struct probe *p = ud;
	const cJSON *v;

	if (rc && rc != PZ_ENOTFOUND && rc != PZ_EINTR)
		pz_error_keep(&p->err, rc, "checking whether %s exists: %s",
			      p->res->address,
			      resp->failure.message ? resp->failure.message
						    : pz_error_last());
	cJSON_ArrayForEach(
	    v, cJSON_GetObjectItemCaseSensitive(output, "eventTrackers"))
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(v, "name");
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(
		    v, p->res->type->arn_member);

		if (!cJSON_IsString(n) || !cJSON_IsString(a) ||
		    plan_has_arn(p->plan, a->valuestring))
			continue;
		if (!strcmp(n->valuestring, p->name)) {
			p->found = true;
			free(p->arn);
			p->arn = pz_xstrdup(a->valuestring);
		} else if (!p->other) {
			p->other = pz_xstrdup(n->valuestring);
			p->other_arn = pz_xstrdup(a->valuestring);
		}
	}
	cJSON_Delete(output);
}

/* Probes an event tracker, whose ARN holds an ID, not its name: the
 * trackers of its group, when the group exists (is not created by this
 * plan). 0 when nothing was sent. */
static int probe_by_list(struct pz_aws_client *c, const struct pz_spec *spec,
			 const struct pz_plan *plan, const struct pz_change *ch,
			 struct probe *p, const char *region,
			 const char *account, bool *sent)
{
	const struct pz_resource *g = pz_spec_dataset_group(spec);
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(ch->after, "name");
	struct pz_aws_json_done done;
	char *path, *group_arn;
	cJSON *in;
	size_t i;
	int r;

	*sent = false;
	if (strcmp(p->res->type->name, "event_tracker") || !g || !g->name ||
	    !cJSON_IsString(name))
		return 0;
	for (i = 0; i < plan->n; i++)
		if (plan->changes[i].action == PZ_ACTION_CREATE &&
		    !strcmp(plan->changes[i].address, g->address))
			return 0; /* a new group has no tracker */
	path = pz_xasprintf("%s%s", pz_rtype_dataset_group.arn_path, g->name);
	group_arn = pz_pers_arn(region, account, path);
	free(path);
	p->plan = plan;
	p->name = name->valuestring;
	in = cJSON_CreateObject();
	cJSON_AddStringToObject(in, "datasetGroupArn", group_arn);
	cJSON_AddNumberToObject(in, "maxResults", 100);
	done.fn = on_list_probe;
	done.ud = p;
	r = pz_aws_json_submit(c, PZ_AWS_PERSONALIZE, "ListEventTrackers", in,
			       done);
	cJSON_Delete(in);
	free(group_arn);
	*sent = r == 0;
	return r;
}

/* The ARN a resource of this spec gets when created, or NULL. */
static char *derive_arn(const struct pz_spec *spec, const struct pz_change *ch,
			const struct pz_resource *res, const char *region,
			const char *account)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(ch->after, "name");
	char *path, *arn;

	if (!cJSON_IsString(name))
		name = cJSON_GetObjectItemCaseSensitive(ch->after, "jobName");
	if (!cJSON_IsString(name))
		return NULL;
	if (!strcmp(res->type->name, "dataset")) {
		const struct pz_resource *g = pz_spec_dataset_group(spec);

		if (!g || !g->name)
			return NULL;
		path = pz_pers_dataset_path(g->name,
					    pz_pers_dataset_api_type(res->key));
	} else if (res->type->arn_path) {
		path = pz_xasprintf("%s%s", res->type->arn_path,
				    name->valuestring);
	} else {
		return NULL;
	}
	arn = pz_pers_arn(region, account, path);
	free(path);
	return arn;
}

/* Is arn one that this plan's resources have now (pz manages it)? */
static bool managed(const struct pz_plan *plan, const char *arn)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (plan->changes[i].arn && !strcmp(plan->changes[i].arn, arn))
			return true;
	return false;
}

/*
 * The state records it with an ARN the refresh found nothing at: most
 * often the intent an apply records before its create call (exec.c),
 * killed before the answer. The call may still reach the service after
 * the refresh; if it made the resource, the create adopts it (it is
 * refused as existing, described and compared with the spec), so the
 * probe must not call it someone else's.
 */
static bool recorded_gone(const struct pz_plan *plan, const char *address)
{
	size_t i;

	for (i = 0; i < plan->ndrift; i++)
		if (plan->drift[i].deleted &&
		    !strcmp(plan->drift[i].address, address))
			return true;
	return false;
}

int pz_personalize_find_unmanaged(struct pz_aws_client *c,
				  const struct pz_spec *spec,
				  const struct pz_plan *plan,
				  struct pz_diags *diags)
{
	struct pz_sts_identity id;
	const char *region = pz_aws_client_region(c);
	struct pz_error all = {0};
	/* The suggested command must work when pasted: -f unless the spec
	 * is the one pz finds by itself. */
	bool default_spec = !strcmp(spec->path, "pz.yaml") ||
			    !strcmp(spec->path, "pz.yml") ||
			    !strcmp(spec->path, "pz.json");
	struct probe *probes;
	size_t n = 0, i;
	int r;

	for (i = 0; i < plan->n; i++)
		if (plan->changes[i].action == PZ_ACTION_CREATE ||
		    plan->changes[i].action == PZ_ACTION_REPLACE)
			n++;
	if (!n || !region)
		return 0;
	memset(&id, 0, sizeof(id));
	if ((r = pz_sts_get_caller_identity(c, &id, NULL)))
		return r;
	probes = pz_xcalloc(n, sizeof(*probes));
	n = 0;
	for (i = 0; i < plan->n && !r; i++) {
		const struct pz_change *ch = &plan->changes[i];
		const struct pz_resource *res = pz_spec_find(spec, ch->address);
		struct pz_aws_json_done done;
		cJSON *in;

		if ((ch->action != PZ_ACTION_CREATE &&
		     ch->action != PZ_ACTION_REPLACE) ||
		    !res || !res->type->describe_op || ch->requested ||
		    recorded_gone(plan, ch->address))
			continue;
		probes[n].res = res;
		probes[n].replacing = ch->action == PZ_ACTION_REPLACE;
		probes[n].arn = derive_arn(spec, ch, res, region, id.account);
		if (!probes[n].arn) {
			bool sent;

			r = probe_by_list(c, spec, plan, ch, &probes[n], region,
					  id.account, &sent);
			n += sent;
			continue;
		}
		if (probes[n].replacing && managed(plan, probes[n].arn)) {
			/* its own name again (or one this plan frees) */
			free(probes[n].arn);
			probes[n].arn = NULL;
			continue;
		}
		in = cJSON_CreateObject();
		cJSON_AddStringToObject(in, res->type->arn_member,
					probes[n].arn);
		done.fn = on_probe;
		done.ud = &probes[n];
		r = pz_aws_json_submit(c, PZ_AWS_PERSONALIZE,
				       res->type->describe_op, in, done);
		cJSON_Delete(in);
		n++;
	}
	if (!r)
		r = pz_aws_run(c);
	else
		settle(c);
	for (i = 0; i < n; i++) {
		pz_error_append(&all, &probes[i].err);
		pz_error_release(&probes[i].err);
		if (probes[i].found && probes[i].replacing)
			pz_diag_add(
			    diags, PZ_SEV_ERROR, spec->path, probes[i].res->pos,
			    "%s: its replacement would be named like a %s that "
			    "already exists (%s) and is not in the state: "
			    "creating it would fail, after the old one is "
			    "deleted; rename it in the spec, or delete that "
			    "%s if nothing uses it",
			    probes[i].res->address, probes[i].res->type->label,
			    probes[i].arn, probes[i].res->type->label);
		else if (probes[i].found)
			pz_diag_add(
			    diags, PZ_SEV_ERROR, spec->path, probes[i].res->pos,
			    "%s: %s %s with this name already exists "
			    "(%s) but is not in the state; pz does "
			    "not adopt it silently: import it with "
			    "`pz import%s%s %s %s`, or rename it",
			    probes[i].res->address,
			    strchr("aeiou", probes[i].res->type->label[0])
				? "an"
				: "a",
			    probes[i].res->type->label, probes[i].arn,
			    default_spec ? "" : " -f ",
			    default_spec ? "" : spec->path,
			    probes[i].res->address, probes[i].arn);
		else if (probes[i].other)
			pz_diag_add(
			    diags, PZ_SEV_ERROR, spec->path, probes[i].res->pos,
			    "%s: the dataset group already has an %s, '%s' "
			    "(%s), which is not in the state, and a group "
			    "holds one: import it with `pz import%s%s %s %s` "
			    "(then name it '%s' in the spec), or delete it",
			    probes[i].res->address, probes[i].res->type->label,
			    probes[i].other, probes[i].other_arn,
			    default_spec ? "" : " -f ",
			    default_spec ? "" : spec->path,
			    probes[i].res->address, probes[i].other_arn,
			    probes[i].other);
		free(probes[i].arn);
		free(probes[i].other);
		free(probes[i].other_arn);
	}
	/* Every probe that failed, not the last message of the run. */
	if (!r)
		r = pz_error_restore(&all);
	pz_error_release(&all);
	free(probes);
	pz_sts_identity_release(&id);
	return r;
}

/* --- adopting resources (pz import) -----------------------------------------
 */

void pz_personalize_record(struct pz_state *st, const struct pz_spec *spec,
			   const struct pz_resource *r, const char *arn,
			   struct pz_live *live)
{
	const char **deps = pz_xcalloc(r->ndeps + 1, sizeof(*deps));
	struct pz_state_resource *rec;
	size_t i;

	for (i = 0; i < r->ndeps; i++)
		deps[i] = spec->resources[r->deps[i]]->address;
	/* What the service says is not pz's to record as attributes. */
	cJSON_DeleteItemFromObjectCaseSensitive(live->attrs, "trainingType");
	rec = pz_state_record(st, r->address, r->type->name, arn, live->status,
			      live->attrs /* taken */, deps, r->ndeps);
	live->attrs = NULL;
	free(deps);
	if (!rec->meta)
		rec->meta = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(rec->meta, PZ_META_DESCRIBED);
	cJSON_AddTrueToObject(rec->meta, PZ_META_DESCRIBED);
}

static void set_meta(struct pz_state *st, const char *address, const char *key,
		     cJSON *v)
{
	struct pz_state_resource *s =
	    (struct pz_state_resource *)pz_state_find(st, address);

	if (!s) {
		cJSON_Delete(v);
		return;
	}
	if (!s->meta)
		s->meta = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(s->meta, key);
	cJSON_AddItemToObject(s->meta, key, v);
}

/* An adopted import holds the data under its location now. */
static int adopt_import(struct pz_aws_client *c, const struct pz_resource *j,
			struct pz_state *st)
{
	struct pz_live data;
	int r;

	if (!j->data)
		return 0;
	memset(&data, 0, sizeof(data));
	if ((r = list_data(c, j->data, &data)))
		goto out;
	set_meta(st, j->address, "adopted", cJSON_CreateTrue());
	set_meta(st, j->address, "data_location", cJSON_CreateString(j->data));
	set_meta(st, j->address, "data_digest",
		 cJSON_CreateString(data.data_digest));
	set_meta(st, j->address, "data_objects",
		 cJSON_CreateNumber((double)data.data_objects));
	set_meta(st, j->address, "objects", data.data_list);
	data.data_list = NULL;
out:
	pz_live_release(&data);
	return r;
}

/* An adopted version: trained when the service says, on what it holds. */
static void adopt_version(const struct pz_live *lv, const char *address,
			  struct pz_state *st)
{
	set_meta(st, address, "adopted", cJSON_CreateTrue());
	if (lv->created)
		set_meta(st, address, "trained_at",
			 cJSON_CreateNumber(strtod(lv->created, NULL)));
}

/* Records the resource at address (of the spec) with its ARN, unless
 * the state has it already. */
static int adopt_more(struct pz_aws_client *c, const struct pz_spec *spec,
		      const char *address, const char *arn, struct pz_state *st,
		      char ***added, size_t *nadded)
{
	const struct pz_resource *r = pz_spec_find(spec, address);
	struct pz_live lv;
	size_t i;
	int rc;

	if (!r || !arn || pz_state_find(st, address))
		return 0;
	for (i = 0; i < st->n; i++)
		if (st->resources[i].arn && !strcmp(st->resources[i].arn, arn))
			return 0; /* in the state under another address */
	memset(&lv, 0, sizeof(lv));
	if ((rc = pz_personalize_describe(c, r->type, arn, &lv)) || !lv.exists)
		goto out;
	pz_personalize_record(st, spec, r, arn, &lv);
	if (!strcmp(r->type->name, "solution_version"))
		adopt_version(&lv, address, st);
	else if (!strcmp(r->type->name, "dataset_import_job"))
		rc = adopt_import(c, r, st);
	*added = pz_xreallocarray(*added, *nadded + 1, sizeof(**added));
	(*added)[(*nadded)++] = pz_xstrdup(address);
out:
	pz_live_release(&lv);
	return rc;
}

/* The newest ACTIVE entry of a List answer's array, its ARN member. */
static char *newest_active(const cJSON *list, const char *arn_member)
{
	const cJSON *v, *best = NULL, *a;

	cJSON_ArrayForEach(
	    v, list) if (status_is(v, "ACTIVE") &&
			 (!best || created_at(v) > created_at(best))) best = v;
	a = cJSON_GetObjectItemCaseSensitive(best, arn_member);
	return cJSON_IsString(a) ? pz_xstrdup(a->valuestring) : NULL;
}

static char *list_newest(struct pz_aws_client *c, const char *op,
			 const char *filter, const char *arn,
			 const char *list_key, const char *arn_member, int *rc)
{
	cJSON *in = cJSON_CreateObject(), *answer = NULL;
	char *out = NULL;

	cJSON_AddStringToObject(in, filter, arn);
	cJSON_AddNumberToObject(in, "maxResults", 100);
	*rc = pz_aws_json_call(c, PZ_AWS_PERSONALIZE, op, in, &answer, NULL);
	if (!*rc)
		out = newest_active(
		    cJSON_GetObjectItemCaseSensitive(answer, list_key),
		    arn_member);
	cJSON_Delete(in);
	cJSON_Delete(answer);
	return out;
}

int pz_personalize_adopt(struct pz_aws_client *c, const struct pz_spec *spec,
			 const struct pz_resource *r, const char *arn,
			 const struct pz_live *live, struct pz_state *st,
			 char ***added, size_t *nadded)
{
	const char *type = r->type->name;
	char addr[300], *other = NULL;
	int rc = 0;

	if (!strcmp(type, "dataset_import_job"))
		return adopt_import(c, r, st);
	if (!strcmp(type, "solution_version")) {
		adopt_version(live, r->address, st);
		return 0;
	}
	if (!strcmp(type, "dataset")) {
		/* Its latest import, as the import job pz derives. */
		snprintf(addr, sizeof(addr), "dataset_import_job.%s", r->key);
		if (pz_spec_find(spec, addr) && !pz_state_find(st, addr))
			other = list_newest(
			    c, "ListDatasetImportJobs", "datasetArn", arn,
			    "datasetImportJobs", "datasetImportJobArn", &rc);
	} else if (!strcmp(type, "solution")) {
		/* Its newest ACTIVE version. */
		snprintf(addr, sizeof(addr), "solution_version.%s", r->key);
		if (pz_spec_find(spec, addr) && !pz_state_find(st, addr))
			other = list_newest(
			    c, "ListSolutionVersions", "solutionArn", arn,
			    "solutionVersions", "solutionVersionArn", &rc);
	} else if (!strcmp(type, "campaign") && r->data) {
		/* The version it serves, as its solution's version. */
		const struct pz_resource *sol = r->data;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(
		    live->attrs, "solutionVersionArn");

		snprintf(addr, sizeof(addr), "solution_version.%s", sol->key);
		if (cJSON_IsString(v) &&
		    !pz_str_has_suffix(v->valuestring, "/$LATEST"))
			other = pz_xstrdup(v->valuestring);
	}
	if (!rc && other)
		rc = adopt_more(c, spec, addr, other, st, added, nadded);
	free(other);
	return rc;
}
