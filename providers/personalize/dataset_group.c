/*
 * dataset_group.c - the dataset group: the container of everything else.
 */
#include "pers.h"

const struct pz_rtype pz_rtype_dataset_group = {
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
