/*
 * dataset_import_job.c - imports, derived from a dataset with a data
 * location. Change-driven: a new job runs when the objects under the
 * location (key, ETag, size) differ from those of the last import
 * (DESIGN.md §5), or the last import failed. Each run has a name of its
 * own (group, dataset, a sequence in the state): names of import jobs are
 * taken for ever, in the whole account; a retried apply finds its own
 * earlier attempt through the ARN recorded before waiting. INCREMENTAL
 * imports send only what is new since the last import (the state keeps
 * the list of objects imported).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/json_out.h"

#include "core/plan.h"
#include "pers.h"

static void link(struct pz_spec *spec, struct pz_resource *r,
		 struct pz_diags *diags)
{
	(void)diags;
	pz_spec_add_dep(spec, r, pz_spec_index(spec, r->origin));
}

static void supply(const struct pz_spec *spec, const struct pz_resource *r,
		   cJSON *body)
{
	const char *location = r->data;
	const char *role =
	    pz_node_str(pz_node_get(pz_node_get(r->pz, "import"), "roleArn"));
	const char *mode = pz_node_str(
	    pz_node_get(pz_node_get(r->pz, "import"), "importMode"));
	cJSON *src = cJSON_CreateObject();

	pz_pers_ref(body, "jobName", r->address); /* named by plan() */
	pz_pers_ref(body, "datasetArn", r->origin->address);
	cJSON_AddStringToObject(src, "dataLocation", location ? location : "");
	cJSON_AddItemToObject(body, "dataSource", src);
	if (!role)
		role = spec->settings.role_arn;
	if (role)
		cJSON_AddStringToObject(body, "roleArn", role);
	cJSON_AddStringToObject(body, "importMode", mode ? mode : "FULL");
}

#define GIB (1024.0 * 1024.0 * 1024.0)

static bool same_object(const cJSON *a, const cJSON *b)
{
	return pz_json_equal(cJSON_GetObjectItemCaseSensitive(a, "etag"),
			     cJSON_GetObjectItemCaseSensitive(b, "etag")) &&
	       pz_json_equal(cJSON_GetObjectItemCaseSensitive(a, "size"),
			     cJSON_GetObjectItemCaseSensitive(b, "size"));
}

static const cJSON *find_object(const cJSON *list, const char *key)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, list)
	{
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "key");

		if (cJSON_IsString(k) && !strcmp(k->valuestring, key))
			return o;
	}
	return NULL;
}

static const char *key_of(const cJSON *o)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "key");

	return cJSON_IsString(k) ? k->valuestring : "";
}

/*
 * An INCREMENTAL import after the first: only the objects that are new
 * or changed since the last import (recorded in the state), under one
 * location: the object itself when there is one, else the longest
 * prefix they share that holds nothing already imported, else the whole
 * location (INCREMENTAL replaces records by ID, so sending old objects
 * again costs time, not correctness). Adds the warnings to *note.
 */
static void incremental(const struct pz_live *lv, const cJSON *last,
			const char *location, struct pz_change *c, char **note)
{
	const cJSON *o, *first = NULL;
	cJSON *fresh = cJSON_CreateArray();
	size_t nnew = 0, ngone = 0, plen = 0;
	double bytes = 0;
	char *where = NULL, *bucket_end;
	const char *bucket = location + 5; /* after s3:// */
	struct pz_buf b;
	int rc = 0;

	pz_buf_init(&b, 0);
	cJSON_ArrayForEach(o, lv->data_list)
	{
		const cJSON *was = find_object(last, key_of(o));
		const cJSON *size = cJSON_GetObjectItemCaseSensitive(o, "size");

		if (was && same_object(o, was))
			continue;
		if (!first) {
			first = o;
			plen = strlen(key_of(o));
		} else {
			size_t k = 0;

			while (k < plen && key_of(o)[k] == key_of(first)[k])
				k++;
			plen = k;
		}
		nnew++;
		bytes += cJSON_IsNumber(size) ? size->valuedouble : 0;
		cJSON_AddItemToArray(fresh, cJSON_CreateString(key_of(o)));
	}
	cJSON_ArrayForEach(o, last) if (!find_object(lv->data_list, key_of(o)))
	    ngone++;
	bucket_end = strchr(bucket, '/');
	if (nnew == 1) {
		where = pz_xasprintf("s3://%.*s/%s",
				     (int)(bucket_end ? bucket_end - bucket
						      : (long)strlen(bucket)),
				     bucket, key_of(first));
	} else if (nnew > 1) {
		bool clean = true;

		while (plen && key_of(first)[plen - 1] != '/')
			plen--; /* a prefix ends at a folder */
		cJSON_ArrayForEach(o, lv->data_list)
		{
			const cJSON *was = find_object(last, key_of(o));

			if (was && same_object(o, was) &&
			    !strncmp(key_of(o), key_of(first), plen))
				clean = false;
		}
		if (plen && clean)
			where = pz_xasprintf("s3://%.*s/%.*s",
					     (int)(bucket_end
						       ? bucket_end - bucket
						       : (long)strlen(bucket)),
					     bucket, (int)plen, key_of(first));
	}
	if (where) {
		cJSON *src =
		    cJSON_GetObjectItemCaseSensitive(c->after, "dataSource");

		cJSON_ReplaceItemInObjectCaseSensitive(
		    src, "dataLocation", cJSON_CreateString(where));
		rc |= pz_buf_printf(&b,
				    "INCREMENTAL: the %zu new or changed "
				    "object%s, under %s",
				    nnew, nnew == 1 ? "" : "s", where);
	} else {
		rc |=
		    pz_buf_printf(&b,
				  "INCREMENTAL: all of %s (the %zu new or "
				  "changed objects share no prefix of their "
				  "own); records with the same ID are replaced",
				  location, nnew);
		bytes = 0;
		cJSON_ArrayForEach(o, lv->data_list)
		{
			const cJSON *size =
			    cJSON_GetObjectItemCaseSensitive(o, "size");

			bytes += cJSON_IsNumber(size) ? size->valuedouble : 0;
		}
	}
	if (bytes > GIB)
		rc |= pz_buf_printf(&b,
				    "; warning: %.1f GB to read, but an "
				    "INCREMENTAL job reads at most 1 GB: split "
				    "the data or import it FULL",
				    bytes / GIB);
	if (ngone)
		rc |= pz_buf_printf(&b,
				    "; warning: %zu object%s imported before "
				    "%s gone, but an INCREMENTAL import keeps "
				    "%s records: only a FULL import removes "
				    "them",
				    ngone, ngone == 1 ? "" : "s",
				    ngone == 1 ? "is" : "are",
				    ngone == 1 ? "its" : "their");
	cJSON_AddItemToObject(c->meta, "new_objects", fresh);
	*note = pz_xstrdup(rc ? "INCREMENTAL" : pz_buf_cstr(&b));
	pz_buf_release(&b);
	free(where);
}

/*
 * Whether an import reads objects in sub-folders of its location, or
 * ones not named .csv, is not documented (personalize-rules.md §9.5):
 * the plan warns of any, with note (freed) as the start of the note it
 * returns.
 */
static char *skipped_note(const struct pz_live *lv, const struct pz_change *c,
			  char *note)
{
	const cJSON *src =
	    cJSON_GetObjectItemCaseSensitive(c->after, "dataSource");
	const cJSON *loc =
	    cJSON_GetObjectItemCaseSensitive(src, "dataLocation");
	const char *prefix, *key;
	const cJSON *o;
	size_t plen, len, odd = 0;
	char *out;

	if (!lv || !lv->data_list || !cJSON_IsString(loc) ||
	    !pz_str_has_suffix(loc->valuestring, "/") ||
	    strncmp(loc->valuestring, "s3://", 5) ||
	    !(prefix = strchr(loc->valuestring + 5, '/')))
		return note;
	prefix++;
	plen = strlen(prefix);
	cJSON_ArrayForEach(o, lv->data_list)
	{
		key = key_of(o);
		if (!key || strncmp(key, prefix, plen))
			continue;
		len = strlen(key);
		if (strchr(key + plen, '/') || len < 4 ||
		    strcasecmp(key + len - 4, ".csv"))
			odd++;
	}
	if (!odd)
		return note;
	out = pz_xasprintf(
	    "%s%swarning: %zu of the objects under %s %s in a sub-folder or "
	    "not named .csv; whether Personalize imports such objects is not "
	    "documented: keep the data in .csv objects directly under it",
	    note ? note : "", note ? "; " : "", odd, loc->valuestring,
	    odd == 1 ? "is" : "are");
	free(note);
	return out;
}

static void plan(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		 struct pz_change *c)
{
	const struct pz_spec *spec = pz_plan_ctx_spec(ctx);
	const struct pz_live *lv = pz_plan_ctx_live(ctx, r);
	const struct pz_state_resource *st = pz_plan_ctx_state(ctx, r->address);
	const struct pz_change *ds =
	    pz_plan_ctx_change(ctx, r->origin->address);
	const cJSON *last =
	    st ? cJSON_GetObjectItemCaseSensitive(st->meta, "data_digest")
	       : NULL;
	const cJSON *seq =
	    st ? cJSON_GetObjectItemCaseSensitive(st->meta, "import_seq")
	       : NULL;
	const char *mode = pz_node_str(
	    pz_node_get(pz_node_get(r->pz, "import"), "importMode"));
	const char *location = r->data;
	bool new_dataset = ds && (ds->action == PZ_ACTION_CREATE ||
				  ds->action == PZ_ACTION_REPLACE);
	bool job_failed = lv && lv->refreshed && lv->exists && lv->status &&
			  pz_str_has_suffix(lv->status, "CREATE FAILED");
	int64_t n = 0;
	char *name, *note = NULL;

	/* The state is read from a file: a number out of range is none. */
	if (!cJSON_IsNumber(seq) ||
	    !pz_double_to_i64(seq->valuedouble, 0, PZ_MAX_SAFE_INT, &n))
		n = 0;
	c->meta = cJSON_CreateObject();
	cJSON_AddStringToObject(c->meta, "data_location", location);
	/* Each run its own name: names of import jobs stay taken for ever,
	 * in the whole account (DESIGN.md §5). */
	name = pz_pers_run_name(spec, r->key, n + 1);
	cJSON_ReplaceItemInObjectCaseSensitive(c->after, "jobName",
					       cJSON_CreateString(name));
	free(name);
	if (pz_live_in_progress(lv)) {
		c->action = PZ_ACTION_WAIT;
		c->awaits = pz_plan_awaitable(ctx, r, lv);
		if (c->awaits && !c->arn)
			c->arn = pz_xstrdup(lv->arn);
		c->note =
		    pz_xasprintf("%s is still importing (%s): %s",
				 lv->arn ? lv->arn : r->address, lv->status,
				 c->awaits ? "started by an earlier apply, "
					     "apply waits for it to finish"
					   : "the plan waits for it");
		return;
	}
	if (!lv || !lv->data_listed) {
		/* Not looked at (-refresh=false): only a new dataset is
		 * known to need its data. */
		if (new_dataset) {
			c->action = PZ_ACTION_CREATE;
			c->trigger = pz_xasprintf("%s is new: import its data "
						  "from %s",
						  r->origin->address, location);
		} else {
			c->action = PZ_ACTION_NOOP;
			c->note = pz_xstrdup("data not checked (refresh is "
					     "off)");
		}
		goto mode;
	}
	if (lv->data_objects == 0) {
		c->action = PZ_ACTION_WAIT;
		c->note = pz_xasprintf("no objects under %s yet", location);
		return;
	}
	cJSON_AddStringToObject(c->meta, "data_digest", lv->data_digest);
	cJSON_AddNumberToObject(c->meta, "data_objects",
				(double)lv->data_objects);
	if (lv->data_list)
		cJSON_AddItemToObject(c->meta, "objects",
				      cJSON_Duplicate(lv->data_list, 1));
	if (new_dataset) {
		c->action = PZ_ACTION_CREATE;
		c->trigger =
		    pz_xasprintf("%s is new: import %zu object%s "
				 "from %s",
				 r->origin->address, lv->data_objects,
				 lv->data_objects == 1 ? "" : "s", location);
	} else if (st && st->arn && lv->refreshed && !lv->exists) {
		/* Recorded before its call (exec.c), then never made: an
		 * apply stopped in between. Its digest was not imported. */
		c->action = PZ_ACTION_CREATE;
		c->trigger = pz_xasprintf(
		    "the last import, %s, does not exist (the apply that "
		    "recorded it stopped before creating it): import %zu "
		    "object%s from %s",
		    st->arn, lv->data_objects, lv->data_objects == 1 ? "" : "s",
		    location);
	} else if (!cJSON_IsString(last)) {
		c->action = PZ_ACTION_CREATE;
		c->trigger = pz_xasprintf(
		    "first import: %zu object%s under %s", lv->data_objects,
		    lv->data_objects == 1 ? "" : "s", location);
	} else if (job_failed) {
		c->action = PZ_ACTION_CREATE;
		c->trigger =
		    pz_xasprintf("the last import failed%s%s",
				 lv->failure_reason ? ": " : "",
				 lv->failure_reason ? lv->failure_reason : "");
	} else if (strcmp(last->valuestring, lv->data_digest)) {
		const cJSON *k =
		    cJSON_GetObjectItemCaseSensitive(st->meta, "data_objects");

		c->action = PZ_ACTION_CREATE;
		c->trigger = pz_xasprintf(
		    "data changed: the %zu object%s under %s differ from "
		    "the %d of the last import",
		    lv->data_objects, lv->data_objects == 1 ? "" : "s",
		    location, cJSON_IsNumber(k) ? k->valueint : 0);
		if (mode && !strcmp(mode, "INCREMENTAL") && lv->data_list)
			incremental(lv,
				    cJSON_GetObjectItemCaseSensitive(st->meta,
								     "objects"),
				    location, c, &note);
	} else {
		c->action = PZ_ACTION_NOOP;
	}
mode:
	if (c->action != PZ_ACTION_CREATE) {
		free(note);
		return;
	}
	if (mode && !strcmp(mode, "INCREMENTAL") && !note) {
		/* The service refuses INCREMENTAL into an empty dataset;
		 * a failed import or an unlisted change sends all. */
		cJSON_ReplaceItemInObjectCaseSensitive(
		    c->after, "importMode", cJSON_CreateString("FULL"));
		if (new_dataset || !cJSON_IsString(last))
			note = pz_xstrdup("FULL, not INCREMENTAL: the first "
					  "import into a dataset is FULL");
	}
	note = skipped_note(lv, c, note);
	c->note = note;
	cJSON_AddNumberToObject(c->meta, "import_seq", (double)(n + 1));
	cJSON_AddStringToObject(c->meta, "trigger", c->trigger);
	cJSON_AddNullToObject(c->meta, "imported_at"); /* by apply */
}

const struct pz_rtype pz_rtype_dataset_import_job = {
    .usage = pz_pers_usage_import,
    .wait_timeout_s = 86400,
    .busy_waits = PZ_BUSY_CREATE,
    .creating = "importing",
    .name = "dataset_import_job",
    .label = "dataset import job",
    .create_op = "CreateDatasetImportJob",
    .describe_op = "DescribeDatasetImportJob",
    .arn_member = "datasetImportJobArn",
    .response_key = "datasetImportJob",
    PZ_PERS_ARN_OF_NAME("dataset-import-job"),
    .order = 30,
    .link = link,
    .supply = supply,
    .plan = plan,
    .implicit_delete = true,
};
