/*
 * metric_attribution.c - the dataset group's metric attribution.
 */
#include "pers.h"

static void link(struct pz_spec *spec, struct pz_resource *r,
		 struct pz_diags *diags)
{
	struct pz_resource *inter =
	    pz_spec_find_type(spec, "dataset", "Interactions");

	(void)diags;
	pz_pers_need_group(spec, r);
	if (inter)
		pz_spec_add_dep(spec, r, pz_spec_index(spec, inter));
}

static void check(struct pz_spec *spec, struct pz_resource *r,
		  struct pz_diags *diags)
{
	(void)diags;
	if (!pz_spec_find_type(spec, "dataset", "Interactions"))
		pz_pers_error(spec, r->pos,
			      "%s measures interactions: the spec needs an "
			      "Interactions dataset",
			      r->address);
}

const struct pz_rtype pz_rtype_metric_attribution = {
    .group_quota = 1,
    .loss_note = "metrics are not reported while it does not exist",
    .name = "metric_attribution",
    .label = "metric attribution",
    .section = "metricAttribution",
    .create_op = "CreateMetricAttribution",
    .describe_op = "DescribeMetricAttribution",
    .delete_op = "DeleteMetricAttribution",
    .arn_member = "metricAttributionArn",
    .response_key = "metricAttribution",
    .arn_path = "metric-attribution/",
    .order = 28,
    .link = link,
    .supply = pz_pers_supply_group,
    .check = check,
};
