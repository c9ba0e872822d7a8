/*
 * solution_version.c - trained models. Change-driven: a new version
 * trains when data was imported since the last one, when the solution's
 * configuration changed, or when the active one is older than maxAge.
 */
#include <string.h>

#include "pers.h"

static void link(struct pz_spec *spec, struct pz_resource *r,
		 struct pz_diags *diags)
{
	size_t i;

	(void)diags;
	pz_spec_add_dep(spec, r, pz_spec_index(spec, r->origin));
	for (i = 0; i < pz_pers_ndataset_types; i++) {
		struct pz_resource *j = pz_spec_find_type(
			spec, "dataset_import_job", pz_pers_dataset_types[i]);

		if (j)
			pz_spec_add_dep(spec, r, j->index);
	}
}

const struct pz_rtype pz_rtype_solution_version = {
	.name = "solution_version",
	.label = "solution version",
	.create_op = "CreateSolutionVersion",
	.order = 50,
	.link = link,
};
