/*
 * batch_job.c - what batch inference and batch segment jobs share: the
 * solution whose version runs them, an optional filter of the spec, and
 * the role that reads and writes their S3 data.
 */
#include <stdio.h>
#include <string.h>

#include "pers.h"

void pz_pers_batch_link(struct pz_spec *spec, struct pz_resource *r,
			struct pz_diags *diags)
{
	struct pz_resource *sol = pz_pers_solution_of(spec, r, false);
	const char *filter = pz_pers_pz_str(r, "filter");
	struct pz_resource *v, *f;

	(void)diags;
	r->data = sol; /* borrowed: check and supply use it */
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

void pz_pers_batch_supply(const struct pz_spec *spec,
			  const struct pz_resource *r, cJSON *body)
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
