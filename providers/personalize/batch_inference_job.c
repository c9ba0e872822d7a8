/*
 * batch_inference_job.c - batch inference jobs: recommendations for a
 * file of users or items, computed once by a solution version.
 */
#include <string.h>

#include "pers.h"

/* Batch inference is refused for these recipes (personalize-rules.md
 * §6). */
static void check_inference(struct pz_spec *spec, struct pz_resource *r,
			    struct pz_diags *diags)
{
	const char *recipe = pz_pers_recipe(r->data);

	(void)diags;
	if (recipe && (!strcmp(recipe, "aws-trending-now") ||
		       !strcmp(recipe, "aws-next-best-action")))
		pz_pers_error(spec, pz_pers_pz_pos(r, "solution"),
			      "%s: Amazon Personalize has no batch inference "
			      "for the %s recipe; get these recommendations "
			      "from a campaign instead",
			      r->address, recipe);
}

const struct pz_rtype pz_rtype_batch_inference_job = {
    .wait_timeout_s = 172800,
    .creating = "running",
    .name = "batch_inference_job",
    .label = "batch inference job",
    .section = "batchInferenceJobs",
    .create_op = "CreateBatchInferenceJob",
    .describe_op = "DescribeBatchInferenceJob",
    .arn_member = "batchInferenceJobArn",
    .response_key = "batchInferenceJob",
    PZ_PERS_ARN_OF_NAME("batch-inference-job"),
    .order = 70,
    .link = pz_pers_batch_link,
    .check = check_inference,
    .supply = pz_pers_batch_supply,
    .plan = pz_pers_batch_plan,
    .usage = pz_pers_usage_batch,
    .implicit_delete = true,
};
