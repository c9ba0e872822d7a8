/*
 * batch_segment_job.c - batch segment jobs: users likely to interact
 * with items, computed once by an item-affinity solution version.
 */
#include <string.h>

#include "pers.h"

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

const struct pz_rtype pz_rtype_batch_segment_job = {
    .wait_timeout_s = 172800,
    .creating = "running",
    .name = "batch_segment_job",
    .label = "batch segment job",
    .section = "batchSegmentJobs",
    .create_op = "CreateBatchSegmentJob",
    .describe_op = "DescribeBatchSegmentJob",
    .arn_member = "batchSegmentJobArn",
    .response_key = "batchSegmentJob",
    PZ_PERS_ARN_OF_NAME("batch-segment-job"),
    .order = 70,
    .link = pz_pers_batch_link,
    .check = check_segment,
    .supply = pz_pers_batch_supply,
    .plan = pz_pers_batch_plan,
    .usage = pz_pers_usage_batch,
    .implicit_delete = true,
};
