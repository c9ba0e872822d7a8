/*
 * batch_job.c - batch inference and batch segment jobs: one-shot jobs
 * run with a solution's version over S3 input.
 */
#include <stdio.h>
#include <string.h>

#include "pers.h"

static void link(struct pz_spec *spec, struct pz_resource *r,
		 struct pz_diags *diags)
{
	struct pz_resource *sol = pz_pers_solution_of(spec, r, false);
	const char *filter = pz_pers_pz_str(r, "filter");
	struct pz_resource *v, *f;

	(void)diags;
	r->data = sol; /* borrowed: for check_segment */
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

static void check_segment(struct pz_spec *spec, struct pz_resource *r,
			  struct pz_diags *diags)
{
	const struct pz_resource *sol = r->data;
	const char *arn = sol ? pz_resource_str(sol, "recipeArn") : NULL;

	(void)diags;
	if (arn && !pz_str_has_suffix(arn, "/aws-item-affinity") &&
	    !pz_str_has_suffix(arn, "/aws-item-attribute-affinity"))
		pz_pers_error(spec, pz_pers_pz_pos(r, "solution"),
			      "%s: batch segment jobs need a solution with "
			      "the aws-item-affinity or "
			      "aws-item-attribute-affinity recipe",
			      r->address);
}

static void supply(const struct pz_spec *spec, const struct pz_resource *r,
		   cJSON *body)
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

const struct pz_rtype pz_rtype_batch_inference_job = {
	.name = "batch_inference_job",
	.label = "batch inference job",
	.section = "batchInferenceJobs",
	.create_op = "CreateBatchInferenceJob",
	.describe_op = "DescribeBatchInferenceJob",
	.arn_member = "batchInferenceJobArn",
	.response_key = "batchInferenceJob",
	.arn_path = "batch-inference-job/",
	.order = 70,
	.link = link,
	.supply = supply,
};

const struct pz_rtype pz_rtype_batch_segment_job = {
	.name = "batch_segment_job",
	.label = "batch segment job",
	.section = "batchSegmentJobs",
	.create_op = "CreateBatchSegmentJob",
	.describe_op = "DescribeBatchSegmentJob",
	.arn_member = "batchSegmentJobArn",
	.response_key = "batchSegmentJob",
	.arn_path = "batch-segment-job/",
	.order = 70,
	.link = link,
	.check = check_segment,
	.supply = supply,
};
