/*
 * filter.c - filters: expressions over the datasets' fields that
 * campaigns, recommenders and batch jobs apply at request time.
 */
#include <string.h>

#include "avro.h"
#include "filterexpr.h"
#include "pers.h"

static void link(struct pz_spec *spec, struct pz_resource *r,
		 struct pz_diags *diags)
{
	const struct pz_filter_info *info = r->data;
	size_t i;

	(void)diags;
	pz_pers_need_group(spec, r);
	for (i = 0; info && i < info->nrefs; i++) {
		struct pz_resource *d =
		    pz_spec_find_type(spec, "dataset", info->refs[i].dataset);

		if (d)
			pz_spec_add_dep(spec, r, pz_spec_index(spec, d));
	}
}

static void free_info(void *p)
{
	pz_filter_info_free(p);
}

static void expand(struct pz_spec *spec, struct pz_resource *r,
		   struct pz_diags *diags)
{
	const struct pz_node *expr = pz_node_get(r->body, "filterExpression");
	struct pz_filter_info *info = NULL;

	if (!expr || !pz_node_str(expr))
		return;
	if (pz_filter_expr_check(&info, spec->path, expr, diags) == 0) {
		r->data = info;
		r->data_free = free_info;
	}
}

static void check(struct pz_spec *spec, struct pz_resource *r,
		  struct pz_diags *diags)
{
	const struct pz_filter_info *info = r->data;
	size_t i, k;

	(void)diags;
	for (i = 0; info && i < info->nrefs; i++) {
		const struct pz_filter_ref *ref = &info->refs[i];
		const struct pz_resource *d =
		    pz_spec_find_type(spec, "dataset", ref->dataset);
		const struct pz_avro_schema *avro;
		const char *names[256];
		const char *best;

		/* Report each dataset or field once per filter. */
		for (k = 0; k < i; k++)
			if (!strcmp(info->refs[k].dataset, ref->dataset) &&
			    (!d || !strcmp(info->refs[k].field, ref->field)))
				break;
		if (k < i)
			continue;
		if (!d) {
			pz_pers_error(spec, ref->pos,
				      "%s refers to %s.%s, but the spec "
				      "declares no %s dataset",
				      r->address, ref->dataset, ref->field,
				      ref->dataset);
			continue;
		}
		avro = d->data;
		if (!avro || pz_avro_field_find(avro, ref->field))
			continue;
		for (k = 0; k < avro->nfields && k < PZ_ARRAY_LEN(names); k++)
			names[k] = avro->fields[k].name;
		best = pz_str_suggest(ref->field, names, k);
		if (best)
			pz_pers_error(spec, ref->pos,
				      "%s refers to %s.%s, which the %s schema "
				      "does not have; did you mean '%s'?",
				      r->address, ref->dataset, ref->field,
				      ref->dataset, best);
		else
			pz_pers_error(spec, ref->pos,
				      "%s refers to %s.%s, which the %s schema "
				      "does not have",
				      r->address, ref->dataset, ref->field,
				      ref->dataset);
	}
}

const struct pz_rtype pz_rtype_filter = {
    .group_quota = 10,
    .quota_adjustable = true,
    .loss_note = "recommendation calls naming it fail while it does not exist",
    .name = "filter",
    .label = "filter",
    .section = "filters",
    .create_op = "CreateFilter",
    .describe_op = "DescribeFilter",
    .delete_op = "DeleteFilter",
    .arn_member = "filterArn",
    .response_key = "filter",
    PZ_PERS_ARN_OF_NAME("filter"),
    .order = 35,
    .expand = expand,
    .link = link,
    .supply = pz_pers_supply_group,
    .check = check,
};
