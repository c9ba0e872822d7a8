/*
 * dataset.c - datasets, keyed by dataset type; each brings its schema
 * and, when it has a data location, its import job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro.h"
#include "core/error.h"
#include "core/plan.h"
#include "pers.h"
#include "providers/aws/s3.h"

static void free_schema(void *p)
{
	pz_avro_schema_free(p);
}

/* An error at n when its value is not an S3 location pz can read and
 * Personalize can import (checked after interpolation, so a -var value
 * is held to it). */
static void check_location(struct pz_spec *spec, const struct pz_node *n,
			   const char *what)
{
	const char *url = pz_node_str(n);

	if (url && pz_s3_check_location(what, url))
		pz_pers_error(spec, n->pos, "%s", pz_error_last());
}

/* Where the dataset's data is: pz.import.dataLocation, else
 * <pz.dataLocation><Type>/, else NULL. Each is checked (pz.dataLocation
 * once, at the first dataset that uses it). */
static const char *data_location(struct pz_spec *spec,
				 const struct pz_resource *r)
{
	const struct pz_node *own_node =
	    pz_node_get(pz_node_get(r->pz, "import"), "dataLocation");
	const char *own = pz_node_str(own_node);
	const char *base = spec->settings.data_location;
	size_t i;

	if (own) {
		check_location(spec, own_node, "pz.import.dataLocation");
		return own;
	}
	if (!base)
		return NULL;
	for (i = 0; i < spec->nresources; i++) {
		const struct pz_resource *d = spec->resources[i];

		if (strcmp(d->type->name, "dataset") ||
		    pz_node_get(pz_node_get(d->pz, "import"), "dataLocation"))
			continue;
		if (d == r)
			check_location(
			    spec,
			    pz_node_get(spec->settings.node, "dataLocation"),
			    "pz.dataLocation");
		break;
	}
	return pz_arena_printf(
	    &spec->arena, "%s%s%s/", base,
	    base[0] && base[strlen(base) - 1] == '/' ? "" : "/", r->key);
}

static void expand(struct pz_spec *spec, struct pz_resource *r,
		   struct pz_diags *diags)
{
	const struct pz_node *schema = pz_node_get(r->body, "schema");
	const char *arn = pz_resource_str(r, "schemaArn");
	const char *location;
	struct pz_resource *s, *job;

	if (schema && arn) {
		pz_pers_error(spec, pz_pers_pos(r, "schemaArn"),
			      "%s has both schema and schemaArn: give the Avro "
			      "schema, or the ARN of an existing schema",
			      r->address);
	} else if (!schema && !arn) {
		pz_pers_error(spec, r->pos,
			      "%s needs a schema (its Avro schema) or a "
			      "schemaArn (an existing schema)",
			      r->address);
	}
	if (schema) {
		struct pz_avro_schema *avro = NULL;

		if (pz_avro_check(&avro, spec->path, schema, r->key,
				  pz_pers_domain(spec), diags) == 0) {
			r->data = avro;
			r->data_free = free_schema;
		}
		s = pz_spec_add_derived(spec, "schema", r->key, r);
		if (s) {
			const char *name = pz_pers_pz_str(r, "schemaName");
			const struct pz_resource *g =
			    pz_spec_dataset_group(spec);

			s->body = r->body;
			s->pz = r->pz;
			if (name)
				s->name = name;
			else if (g && g->name)
				s->name = pz_arena_printf(&spec->arena, "%s-%s",
							  g->name, r->key);
		}
	}
	location = data_location(spec, r);
	if (location) {
		job =
		    pz_spec_add_derived(spec, "dataset_import_job", r->key, r);
		if (job) {
			job->body = r->body;
			job->pz = r->pz;
			/* The import job's data: its location (arena). */
			job->data = (void *)(uintptr_t)location;
		}
	}
}

static void supply(const struct pz_spec *spec, const struct pz_resource *r,
		   cJSON *body)
{
	pz_pers_supply_group(spec, r, body);
	cJSON_DeleteItemFromObjectCaseSensitive(body, "datasetType");
	cJSON_AddStringToObject(body, "datasetType",
				pz_pers_dataset_api_type(r->key));
	if (!cJSON_GetObjectItemCaseSensitive(body, "schemaArn")) {
		char addr[128];

		snprintf(addr, sizeof(addr), "schema.%s", r->key);
		pz_pers_ref(body, "schemaArn", addr);
	}
}

/* Next best action datasets are custom only (personalize-workflow-full). */
static void check(struct pz_spec *spec, struct pz_resource *r,
		  struct pz_diags *diags)
{
	const char *domain = pz_pers_domain(spec);

	(void)diags;
	if (domain && (!strcmp(r->key, "Actions") ||
		       !strcmp(r->key, "ActionInteractions")))
		pz_pers_error(spec, r->pos,
			      "%s: the dataset group's domain is %s, and "
			      "%s datasets exist only in custom dataset "
			      "groups; remove it, or the group's domain",
			      r->address, domain, r->key);
}

static void link(struct pz_spec *spec, struct pz_resource *r,
		 struct pz_diags *diags)
{
	struct pz_resource *s = pz_spec_find_type(spec, "schema", r->key);

	(void)diags;
	pz_pers_need_group(spec, r);
	if (s)
		pz_spec_add_dep(spec, r, pz_spec_index(spec, s));
}

/*
 * A new schema moves the dataset with UpdateDataset only where the
 * service allows it; otherwise the dataset is replaced, and its data
 * with it (updating-dataset-schema.html).
 */
static void plan(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		 struct pz_change *c)
{
	char addr[128], why[256], added[256];
	const struct pz_change *s;
	const cJSON *was, *now;

	pz_plan_decide(ctx, r, c);
	snprintf(addr, sizeof(addr), "schema.%s", r->key);
	s = pz_plan_ctx_change(ctx, addr);
	if (!s || s->action != PZ_ACTION_REPLACE || !s->before || !s->after ||
	    c->action != PZ_ACTION_UPDATE)
		return;
	was = cJSON_GetObjectItemCaseSensitive(s->before, "schema");
	now = cJSON_GetObjectItemCaseSensitive(s->after, "schema");
	if (!cJSON_IsString(was) || !cJSON_IsString(now))
		return;
	if (pz_pers_schema_in_place(was->valuestring, now->valuestring, r->key,
				    why, sizeof(why), added, sizeof(added))) {
		free(c->note);
		c->note = pz_xasprintf(
		    "its data is kept; existing solutions and recommenders "
		    "do not train on %s until told to (trainingDataConfig)",
		    added[0] ? added : "the new fields");
		return;
	}
	c->action = PZ_ACTION_REPLACE;
	c->reason = "replace_because_cannot_update";
	c->replace_paths = pz_xreallocarray(c->replace_paths, c->nreplace + 1,
					    sizeof(*c->replace_paths));
	c->replace_paths[c->nreplace++] = pz_xstrdup("schemaArn");
	free(c->note);
	c->note = pz_xasprintf("its schema cannot change in place: %s", why);
}

/*
 * delete-dataset.html: every filter of the group (a filter may name any
 * dataset), the event tracker before the Interactions dataset, the
 * metric attribution, and no campaign being created or active.
 */
static const struct pz_delete_blocker blockers[] = {
    {"filter", PZ_BLOCK_GROUP, NULL},
    {"event_tracker", PZ_BLOCK_GROUP, "Interactions"},
    /* delete-dataset.html: "a metric attribution that references the
     * dataset" (metric_attribution.c links the datasets it names). */
    {"metric_attribution", PZ_BLOCK_REFERENCES, NULL},
    {"campaign", PZ_BLOCK_GROUP, NULL},
    {NULL, PZ_BLOCK_GROUP, NULL},
};

const struct pz_rtype pz_rtype_dataset = {
    .loss_note = "its imported data is deleted (a new dataset needs its data "
		 "imported again, billed)",
    .delete_blockers = blockers,
    .plan = plan,
    .name = "dataset",
    .label = "dataset",
    .section = "datasets",
    .create_op = "CreateDataset",
    .describe_op = "DescribeDataset",
    .delete_op = "DeleteDataset",
    .busy_waits = PZ_BUSY_DELETE,
    .arn_member = "datasetArn",
    .response_key = "dataset",
    PZ_PERS_ARN("dataset", 2), /* dataset/GROUP/TYPE */
    .order = 20,
    .expand = expand,
    .link = link,
    .check = check,
    .supply = supply,
};
