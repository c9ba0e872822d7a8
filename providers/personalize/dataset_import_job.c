/*
 * dataset_import_job.c - imports, derived from a dataset with a data
 * location. Change-driven: a new job runs when the objects under the
 * location (key, ETag, size) differ from those of the last import
 * (DESIGN.md §5). The job's name comes from the data it imports, so a
 * retried apply finds its own earlier attempt instead of importing twice.
 */
#include <stdio.h>
#include <string.h>

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

static void plan(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		 struct pz_change *c)
{
	const struct pz_live *lv = pz_plan_ctx_live(ctx, r);
	const struct pz_state_resource *st = pz_plan_ctx_state(ctx, r->address);
	const struct pz_change *ds =
	    pz_plan_ctx_change(ctx, r->origin->address);
	const cJSON *last =
	    st ? cJSON_GetObjectItemCaseSensitive(st->meta, "data_digest")
	       : NULL;
	const char *location = r->data;
	bool new_dataset = ds && (ds->action == PZ_ACTION_CREATE ||
				  ds->action == PZ_ACTION_REPLACE);
	char name[64];

	c->meta = cJSON_CreateObject();
	cJSON_AddStringToObject(c->meta, "data_location", location);
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
		return;
	}
	if (lv->data_objects == 0) {
		c->action = PZ_ACTION_WAIT;
		c->note = pz_xasprintf("no objects under %s yet", location);
		return;
	}
	/* Import job names are taken for ever, account-wide: the data and
	 * the time of the plan make each run's name its own (the same data
	 * imported again after a replaced dataset is a new job). */
	snprintf(name, sizeof(name), "pz-%s-%.12s-%llx", r->key,
		 lv->data_digest, (unsigned long long)pz_plan_ctx_now(ctx));
	cJSON_ReplaceItemInObjectCaseSensitive(c->after, "jobName",
					       cJSON_CreateString(name));
	cJSON_AddStringToObject(c->meta, "data_digest", lv->data_digest);
	cJSON_AddNumberToObject(c->meta, "data_objects",
				(double)lv->data_objects);
	if (new_dataset) {
		c->action = PZ_ACTION_CREATE;
		c->trigger =
		    pz_xasprintf("%s is new: import %zu object%s "
				 "from %s",
				 r->origin->address, lv->data_objects,
				 lv->data_objects == 1 ? "" : "s", location);
	} else if (!cJSON_IsString(last)) {
		c->action = PZ_ACTION_CREATE;
		c->trigger = pz_xasprintf(
		    "first import: %zu object%s under %s", lv->data_objects,
		    lv->data_objects == 1 ? "" : "s", location);
	} else if (strcmp(last->valuestring, lv->data_digest)) {
		const cJSON *n =
		    cJSON_GetObjectItemCaseSensitive(st->meta, "data_objects");

		c->action = PZ_ACTION_CREATE;
		c->trigger = pz_xasprintf(
		    "data changed: the %zu object%s under %s differ from "
		    "the %d of the last import",
		    lv->data_objects, lv->data_objects == 1 ? "" : "s",
		    location, cJSON_IsNumber(n) ? n->valueint : 0);
	} else {
		c->action = PZ_ACTION_NOOP;
	}
	if (c->action == PZ_ACTION_CREATE) {
		cJSON_AddStringToObject(c->meta, "trigger", c->trigger);
		cJSON_AddNullToObject(c->meta, "imported_at"); /* by apply */
	}
}

const struct pz_rtype pz_rtype_dataset_import_job = {
    .wait_timeout_s = 86400,
    .name = "dataset_import_job",
    .label = "dataset import job",
    .create_op = "CreateDatasetImportJob",
    .describe_op = "DescribeDatasetImportJob",
    .arn_member = "datasetImportJobArn",
    .response_key = "datasetImportJob",
    .arn_path = "dataset-import-job/",
    .order = 30,
    .link = link,
    .supply = supply,
    .plan = plan,
    .implicit_delete = true,
};
