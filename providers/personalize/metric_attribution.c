/*
 * metric_attribution.c - the dataset group's metric attribution.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "pers.h"

/* Does a metric expression ("SUM(Items.PRICE)") name dataset type t? */
static bool names_type(const char *expr, const char *t)
{
	size_t n = strlen(t), k;

	for (k = 0; expr && expr[k]; k++)
		if ((k == 0 || (!isalnum((unsigned char)expr[k - 1]) &&
				expr[k - 1] != '_')) &&
		    !strncasecmp(expr + k, t, n) && expr[k + n] == '.')
			return true;
	return false;
}

/*
 * It measures interaction events, and the datasets its metrics' SUM()
 * expressions name: those are the datasets it references, which cannot
 * be deleted before it (delete-dataset.html).
 */
static void link(struct pz_spec *spec, struct pz_resource *r,
		 struct pz_diags *diags)
{
	const struct pz_node *metrics = pz_node_get(r->body, "metrics");
	size_t i, k;

	(void)diags;
	pz_pers_need_group(spec, r);
	for (i = 0; i < pz_pers_ndataset_types; i++) {
		const char *t = pz_pers_dataset_types[i];
		struct pz_resource *d = pz_spec_find_type(spec, "dataset", t);
		bool named = !strcmp(t, "Interactions");

		for (k = 0; !named && metrics && metrics->kind == PZ_NODE_SEQ &&
			    k < metrics->nitems;
		     k++)
			named =
			    names_type(pz_node_str(pz_node_get(
					   metrics->items[k], "expression")),
				       pz_pers_dataset_api_type(t));
		if (d && named)
			pz_spec_add_dep(spec, r, pz_spec_index(spec, d));
	}
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
    PZ_PERS_ARN_OF_NAME("metric-attribution"),
    .order = 28,
    .link = link,
    .supply = pz_pers_supply_group,
    .check = check,
};
