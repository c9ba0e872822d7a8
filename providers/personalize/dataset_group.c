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

/* Personalize uses the key through the role: CreateDatasetGroup refuses
 * a kmsKeyArn without a roleArn (API_CreateDatasetGroup). */
static void check(struct pz_spec *spec, struct pz_resource *r,
		  struct pz_diags *diags)
{
	(void)diags;
	if (pz_resource_str(r, "kmsKeyArn") && !pz_resource_str(r, "roleArn"))
		pz_pers_error(spec, pz_pers_pos(r, "kmsKeyArn"),
			      "%s: kmsKeyArn needs a roleArn, the role "
			      "Personalize assumes to use the key; add "
			      "roleArn to the dataset group",
			      r->address);
}

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
    PZ_PERS_ARN_OF_NAME("dataset-group"),
    .order = 10,
    .check = check,
};
