/*
 * dataset_import_job.c - imports, derived from a dataset with a data
 * location. Change-driven: a new job runs when the objects under the
 * location differ from those of the last import (DESIGN.md §5).
 */
#include "pers.h"

static void link(struct pz_spec *spec, struct pz_resource *r,
		 struct pz_diags *diags)
{
	(void)diags;
	pz_spec_add_dep(spec, r, pz_spec_index(spec, r->origin));
}

const struct pz_rtype pz_rtype_dataset_import_job = {
	.name = "dataset_import_job",
	.label = "dataset import job",
	.create_op = "CreateDatasetImportJob",
	.order = 30,
	.link = link,
};
