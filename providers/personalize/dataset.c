/*
 * dataset.c - datasets, keyed by dataset type; each brings its schema
 * and, when it has a data location, its import job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro.h"
#include "pers.h"

static void free_schema(void *p)
{
	pz_avro_schema_free(p);
}

/* Where the dataset's data is: pz.import.dataLocation, else
 * <pz.dataLocation><Type>/, else NULL. */
static const char *data_location(struct pz_spec *spec,
				 const struct pz_resource *r)
{
	const char *own = pz_node_str(
	    pz_node_get(pz_node_get(r->pz, "import"), "dataLocation"));
	const char *base = spec->settings.data_location;

	if (own)
		return own;
	if (!base)
		return NULL;
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
	cJSON_AddStringToObject(body, "datasetType", r->key);
	if (!cJSON_GetObjectItemCaseSensitive(body, "schemaArn")) {
		char addr[128];

		snprintf(addr, sizeof(addr), "schema.%s", r->key);
		pz_pers_ref(body, "schemaArn", addr);
	}
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

const struct pz_rtype pz_rtype_dataset = {
    .name = "dataset",
    .label = "dataset",
    .section = "datasets",
    .create_op = "CreateDataset",
    .describe_op = "DescribeDataset",
    .delete_op = "DeleteDataset",
    .arn_member = "datasetArn",
    .response_key = "dataset",
    .order = 20,
    .expand = expand,
    .link = link,
    .supply = supply,
};
