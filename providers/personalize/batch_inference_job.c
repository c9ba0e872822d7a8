/*
 * batch_inference_job.c - batch inference jobs: recommendations for a
 * file of users or items, computed once by a solution version.
 */
#include "pers.h"

const struct pz_rtype pz_rtype_batch_inference_job = {
    .wait_timeout_s = 172800,
    .name = "batch_inference_job",
    .label = "batch inference job",
    .section = "batchInferenceJobs",
    .create_op = "CreateBatchInferenceJob",
    .describe_op = "DescribeBatchInferenceJob",
    .arn_member = "batchInferenceJobArn",
    .response_key = "batchInferenceJob",
    .arn_path = "batch-inference-job/",
    .order = 70,
    .link = pz_pers_batch_link,
    .supply = pz_pers_batch_supply,
};
