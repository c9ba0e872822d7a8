/*
 * dataset_group.c - the dataset group: the container of everything else.
 */
#include "pers.h"

/* gs-cleanup.html: everything in the group goes first. */
static const struct pz_delete_blocker blockers[] = {
    {"dataset", PZ_BLOCK_GROUP, NULL},
    {"solution", PZ_BLOCK_GROUP, NULL},
    {"campaign", PZ_BLOCK_GROUP, NULL},
    {"filter", PZ_BLOCK_GROUP, NULL},
    {"event_tracker", PZ_BLOCK_GROUP, NULL},
    {"recommender", PZ_BLOCK_GROUP, NULL},
    {"metric_attribution", PZ_BLOCK_GROUP, NULL},
    {NULL, PZ_BLOCK_GROUP, NULL},
};

const struct pz_rtype pz_rtype_dataset_group = {
    .is_group = true,
    .loss_note = "every dataset in it, its imported data and every trained "
		 "model go with it",
    .delete_blockers = blockers,
    .name = "dataset_group",
    .label = "dataset group",
    .section = "datasetGroup",
    .create_op = "CreateDatasetGroup",
    .describe_op = "DescribeDatasetGroup",
    .delete_op = "DeleteDatasetGroup",
    .arn_member = "datasetGroupArn",
    .response_key = "datasetGroup",
    .arn_path = "dataset-group/",
    .order = 10,
};
