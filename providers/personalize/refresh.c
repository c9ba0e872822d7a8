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

/* s3://bucket/prefix -> bucket, prefix (owned by the caller). */
static int split_s3(const char *url, char **bucket, char **prefix)
{
	const char *b, *slash;

	if (!pz_str_has_prefix(url, "s3://"))
		return pz_error_set(
		    PZ_EINVAL, "data location '%s' is not an s3:// URL", url);
	b = url + 5;
	slash = strchr(b, '/');
	*bucket = slash ? pz_xstrndup(b, (size_t)(slash - b)) : pz_xstrdup(b);
	*prefix = pz_xstrdup(slash ? slash + 1 : "");
	return 0;
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

	if ((r = split_s3(location, &bucket, &prefix)))
		goto out;
	r = pz_s3_list_objects(c, bucket, prefix, &objs, &n, NULL);
	if (r) {
		r = pz_error_wrap(r, "listing the data under %s", location);
		goto out;
	}
	pz_sha256_init(&md);
	for (i = 0; i < n; i++) {
		char *line;

		if (pz_str_has_suffix(objs[i].key, "/"))
			continue; /* a folder marker holds no data */
		line = pz_xasprintf("%s\t%s\t%llu\n", objs[i].key,
				    objs[i].etag ? objs[i].etag : "-",
				    (unsigned long long)objs[i].size);
		pz_sha256_update(&md, line, strlen(line));
		free(line);
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

int pz_personalize_refresh(struct pz_aws_client *c, const struct pz_spec *spec,
			   const struct pz_state *state, struct pz_live *live,
			   struct pz_live *live_state)
{
	size_t n = spec->nresources + (state ? state->n : 0), k = 0, i;
	struct read *reads = pz_xcalloc(n + 1, sizeof(*reads));
	struct pz_error all = {0};
	int r = 0;

	for (i = 0; i < spec->nresources; i++) {
		const struct pz_resource *res = spec->resources[i];
		const struct pz_state_resource *st =
		    state ? pz_state_find(state, res->address) : NULL;

		if (!st || !st->arn || !res->type->describe_op) {
			/* Never made: nothing to read, it does not exist. */
			live[i].refreshed = true;
			continue;
		}
		reads[k] =
		    (struct read){res->type, res->address, &live[i], {0, NULL}};
		if ((r = submit_describe(c, &reads[k++], st->arn)))
			goto out;
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
	/* The data under each import job's location. */
	for (i = 0; i < spec->nresources && !r; i++) {
		const struct pz_resource *res = spec->resources[i];

		if (!strcmp(res->type->name, "dataset_import_job") && res->data)
			r = list_data(c, res->data, &live[i]);
	}
out:
	settle(c);
	for (i = 0; i < k; i++)
		pz_error_release(&reads[i].err);
	pz_error_release(&all);
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
	return r;
}

/* --- unmanaged resources under our names -----------------------------------
 */

struct probe {
	const struct pz_resource *res;
	char *arn;
	bool found;
	struct pz_error err; /* this probe's own */
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

/* The ARN a resource of this spec gets when created, or NULL. */
static char *derive_arn(const struct pz_spec *spec, const struct pz_change *ch,
			const struct pz_resource *res, const char *region,
			const char *account)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(ch->after, "name");
	char path[512], *up;
	size_t i;

	if (!cJSON_IsString(name))
		name = cJSON_GetObjectItemCaseSensitive(ch->after, "jobName");
	if (!cJSON_IsString(name))
		return NULL;
	if (!strcmp(res->type->name, "dataset")) {
		const struct pz_resource *g = pz_spec_dataset_group(spec);

		if (!g || !g->name)
			return NULL;
		/* dataset/<group>/<TYPE> */
		up = pz_xstrdup(pz_pers_dataset_api_type(res->key));
		for (i = 0; up[i]; i++)
			if (up[i] >= 'a' && up[i] <= 'z')
				up[i] = (char)(up[i] - 'a' + 'A');
		snprintf(path, sizeof(path), "dataset/%s/%s", g->name, up);
		free(up);
	} else if (res->type->arn_path) {
		snprintf(path, sizeof(path), "%s%s", res->type->arn_path,
			 name->valuestring);
	} else {
		return NULL;
	}
	return pz_xasprintf("arn:%s:personalize:%s:%s:%s",
			    pz_str_has_prefix(region, "cn-") ? "aws-cn"
			    : pz_str_has_prefix(region, "us-gov-")
				? "aws-us-gov"
				: "aws",
			    region, account, path);
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
		if (plan->changes[i].action == PZ_ACTION_CREATE)
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

		if (ch->action != PZ_ACTION_CREATE || !res ||
		    !res->type->describe_op)
			continue;
		probes[n].res = res;
		probes[n].arn = derive_arn(spec, ch, res, region, id.account);
		if (!probes[n].arn)
			continue;
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
		if (probes[i].found)
			pz_diag_add(
			    diags, PZ_SEV_ERROR, spec->path, probes[i].res->pos,
			    "%s: a %s with this name already exists "
			    "(%s) but is not in the state; pz does "
			    "not adopt it silently: import it with "
			    "`pz import%s%s %s %s`, or rename it",
			    probes[i].res->address, probes[i].res->type->label,
			    probes[i].arn, default_spec ? "" : " -f ",
			    default_spec ? "" : spec->path,
			    probes[i].res->address, probes[i].arn);
		free(probes[i].arn);
	}
	/* Every probe that failed, not the last message of the run. */
	if (!r)
		r = pz_error_restore(&all);
	pz_error_release(&all);
	free(probes);
	pz_sts_identity_release(&id);
	return r;
}
