/*
 * recommender.c - recommenders: domain use cases trained and served by
 * Personalize, only in domain dataset groups.
 */
#include <string.h>

#include "pers.h"

static void link(struct pz_spec *spec, struct pz_resource *r,
		 struct pz_diags *diags)
{
	(void)diags;
	pz_pers_need_group(spec, r);
	pz_pers_need_data(spec, r);
}

static void check(struct pz_spec *spec, struct pz_resource *r,
		  struct pz_diags *diags)
{
	const char *domain = pz_pers_domain(spec);
	const char *arn = pz_resource_str(r, "recipeArn");
	const char *slash = arn ? strrchr(arn, '/') : NULL;

	(void)diags;
	if (!pz_spec_dataset_group(spec))
		return;
	if (!domain) {
		pz_pers_error(spec, r->pos,
			      "%s: recommenders need a domain dataset group; "
			      "set datasetGroup.domain to ECOMMERCE or "
			      "VIDEO_ON_DEMAND",
			      r->address);
		return;
	}
	if (!slash)
		return;
	if ((!strcmp(domain, "ECOMMERCE") &&
	     !pz_str_has_prefix(slash + 1, "aws-ecomm-")) ||
	    (!strcmp(domain, "VIDEO_ON_DEMAND") &&
	     !pz_str_has_prefix(slash + 1, "aws-vod-")))
		pz_pers_error(spec, pz_pers_pos(r, "recipeArn"),
			      "%s: recipe '%s' is not a use case of the %s "
			      "domain (its recipes start with %s)",
			      r->address, slash + 1, domain,
			      !strcmp(domain, "ECOMMERCE") ? "aws-ecomm-"
							   : "aws-vod-");
}

const struct pz_rtype pz_rtype_recommender = {
    .usage = pz_pers_usage_recommender,
    .wait_timeout_s = 172800,
    .group_quota = 5,
    .quota_adjustable = true,
    .loss_note = "recommendation calls to it fail while it does not exist (a "
		 "new one trains again, billed)",
    .name = "recommender",
    .label = "recommender",
    .section = "recommenders",
    .create_op = "CreateRecommender",
    .describe_op = "DescribeRecommender",
    .delete_op = "DeleteRecommender",
    .arn_member = "recommenderArn",
    .response_key = "recommender",
    .arn_path = "recommender/",
    .order = 45,
    .link = link,
    .supply = pz_pers_supply_group,
    .check = check,
};
