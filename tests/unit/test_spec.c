/*
 * test_spec.c - the resource model: facts lookups and patterns, derived
 * resources and names, dependencies, order, the DOT graph.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/json_out.h"
#include "core/check.h"
#include "core/graph.h"
#include "core/spec.h"
#include "providers/personalize/personalize.h"

static const char base[] = "datasetGroup: {name: demo}\n"
			   "datasets:\n"
			   "  Interactions:\n"
			   "    name: inter\n"
			   "    schema:\n"
			   "      type: record\n"
			   "      name: Interactions\n"
			   "      namespace: com.amazonaws.personalize.schema\n"
			   "      fields:\n"
			   "        - {name: USER_ID, type: string}\n"
			   "        - {name: ITEM_ID, type: string}\n"
			   "        - {name: TIMESTAMP, type: long}\n";

static struct pz_spec *load_ok(const char *text)
{
	struct pz_spec *spec = NULL;
	struct pz_diags d;
	int r;

	pz_personalize_register();
	pz_diags_init(&d);
	r = pz_spec_load_text(&spec, "t.yaml", text, strlen(text), NULL, 0, &d);
	if (r || d.nerrors)
		fail_msg("unexpected errors: %s",
			 d.n ? d.items[0].message : "?");
	pz_diags_release(&d);
	return spec;
}

static void test_facts(void **state)
{
	const struct pz_operation *camp = pz_facts_operation("CreateCampaign");
	const struct pz_operation *sol = pz_facts_operation("CreateSolution");
	const struct pz_shape *name = pz_facts_shape_named("Name");
	const struct pz_shape *tag = pz_facts_shape_named("TagKey");

	(void)state;
	assert_non_null(camp);
	assert_true(pz_facts_updatable(camp, "minProvisionedTPS"));
	assert_true(
	    pz_facts_updatable(camp, "campaignConfig.itemExplorationConfig"));
	assert_true(pz_facts_updatable(camp, "tags"));
	assert_false(pz_facts_updatable(camp, "name"));
	assert_true(
	    pz_facts_updatable(sol, "solutionConfig.autoTrainingConfig"));
	assert_false(pz_facts_updatable(sol, "solutionConfig.hpoConfig"));
	assert_false(pz_facts_updatable(sol, "recipeArn"));
	assert_false(pz_facts_updatable(pz_facts_operation("CreateFilter"),
					"filterExpression"));

	assert_true(pz_check_pattern(name, "my-name_1"));
	assert_false(pz_check_pattern(name, "-leading"));
	assert_false(pz_check_pattern(name, "has space"));
	assert_false(pz_check_pattern(name, "ok\n"));
	/* Unicode letters pass a \p{L} pattern; control characters don't. */
	assert_true(pz_check_pattern(tag, "caf\xc3\xa9 team:a/b"));
	assert_false(pz_check_pattern(tag, "tab\there"));
	assert_int_equal(pz_utf8_len("caf\xc3\xa9", 5), 4);
	assert_non_null(pz_facts_section("datasets"));
	assert_null(pz_facts_section("nope"));
}

static void test_derived_and_deps(void **state)
{
	char text[4096];
	struct pz_spec *spec;
	struct pz_resource *camp, *ver, *schema, *job;

	(void)state;
	snprintf(text, sizeof(text),
		 "pz: {dataLocation: 's3://bucket/data'}\n%s"
		 "solutions:\n"
		 "  a: {name: a, recipeArn: "
		 "'arn:aws:personalize:::recipe/aws-sims', "
		 "performAutoTraining: false}\n"
		 "  b: {name: b, recipeArn: "
		 "'arn:aws:personalize:::recipe/aws-sims', "
		 "performAutoTraining: false}\n"
		 "campaigns:\n"
		 "  bCampaign: {name: bc}\n"
		 "  other: {name: oc, pz: {solution: a}}\n",
		 base);
	spec = load_ok(text);
	schema = pz_spec_find(spec, "schema.Interactions");
	assert_non_null(schema);
	assert_string_equal(schema->name, "demo-Interactions");
	job = pz_spec_find(spec, "dataset_import_job.Interactions");
	assert_non_null(job);
	ver = pz_spec_find(spec, "solution_version.b");
	assert_non_null(ver);
	camp = pz_spec_find(spec, "campaign.bCampaign");
	assert_int_equal(camp->ndeps, 1);
	assert_ptr_equal(spec->resources[camp->deps[0]], ver);
	camp = pz_spec_find(spec, "campaign.other");
	assert_ptr_equal(spec->resources[camp->deps[0]],
			 pz_spec_find(spec, "solution_version.a"));
	/* A version waits for the imports. */
	assert_true(ver->ndeps >= 2);
	pz_spec_free(spec);
}

static void test_order_and_dot(void **state)
{
	char text[4096];
	struct pz_spec *spec;
	size_t order[64], i, pos_group = 0, pos_camp = 0, pos_ver = 0;
	struct pz_diags d;
	struct pz_buf a, b;

	(void)state;
	/* Declared in an order opposite to their dependencies. */
	snprintf(text, sizeof(text),
		 "campaigns:\n  sCampaign: {name: c}\n"
		 "solutions:\n  s: {name: s, recipeArn: "
		 "'arn:aws:personalize:::recipe/aws-sims', "
		 "performAutoTraining: false}\n"
		 "%s",
		 base);
	spec = load_ok(text);
	assert_true(spec->nresources < 64);
	pz_diags_init(&d);
	assert_int_equal(pz_spec_toposort(spec, order, &d), 0);
	for (i = 0; i < spec->nresources; i++) {
		const char *addr = spec->resources[order[i]]->address;

		if (!strcmp(addr, "dataset_group.demo"))
			pos_group = i;
		if (!strcmp(addr, "campaign.sCampaign"))
			pos_camp = i;
		if (!strcmp(addr, "solution_version.s"))
			pos_ver = i;
	}
	assert_true(pos_group < pos_ver);
	assert_true(pos_ver < pos_camp);
	pz_buf_init(&a, 0);
	pz_buf_init(&b, 0);
	assert_int_equal(pz_graph_dot(spec, &a), 0);
	assert_int_equal(pz_graph_dot(spec, &b), 0);
	assert_string_equal(pz_buf_cstr(&a), pz_buf_cstr(&b));
	assert_non_null(
	    strstr(pz_buf_cstr(&a),
		   "\"campaign.sCampaign\" -> \"solution_version.s\";"));
	assert_non_null(strstr(pz_buf_cstr(&a),
			       "\"schema.Interactions\" [style = dashed];"));
	pz_buf_release(&a);
	pz_buf_release(&b);
	pz_diags_release(&d);
	pz_spec_free(spec);
}

static void test_vars_override(void **state)
{
	static const char text[] = "pz: {vars: {name: fromspec}}\n"
				   "datasetGroup: {name: '${var:name}'}\n";
	struct pz_spec_var vars[] = {{"name", "fromcli"}};
	struct pz_spec *spec = NULL;
	struct pz_diags d;

	(void)state;
	pz_personalize_register();
	pz_diags_init(&d);
	assert_int_equal(
	    pz_spec_load_text(&spec, "t.yaml", text, strlen(text), vars, 1, &d),
	    0);
	assert_non_null(pz_spec_find(spec, "dataset_group.fromcli"));
	pz_spec_free(spec);
	spec = NULL;
	assert_int_equal(
	    pz_spec_load_text(&spec, "t.yaml", text, strlen(text), NULL, 0, &d),
	    0);
	assert_non_null(pz_spec_find(spec, "dataset_group.fromspec"));
	pz_spec_free(spec);
	pz_diags_release(&d);
}

static void test_settings(void **state)
{
	static const char text[] =
	    "pz:\n"
	    "  region: eu-west-1\n"
	    "  backend: {s3: {bucket: state-bucket, key: a/b.json, encrypt: "
	    "true, kmsKeyId: alias/pz}}\n"
	    "  notify: {snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:pz'}\n"
	    "datasetGroup: {name: demo}\n";
	struct pz_spec *spec = load_ok(text);

	(void)state;
	assert_string_equal(spec->settings.region, "eu-west-1");
	assert_int_equal(spec->settings.backend, PZ_BACKEND_S3);
	assert_string_equal(spec->settings.s3_bucket, "state-bucket");
	assert_string_equal(spec->settings.s3_key, "a/b.json");
	assert_true(spec->settings.s3_encrypt);
	assert_string_equal(spec->settings.s3_kms_key_id, "alias/pz");
	assert_string_equal(spec->settings.sns_topic_arn,
			    "arn:aws:sns:eu-west-1:123456789012:pz");
	pz_spec_free(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_facts),
	    cmocka_unit_test(test_derived_and_deps),
	    cmocka_unit_test(test_order_and_dot),
	    cmocka_unit_test(test_vars_override),
	    cmocka_unit_test(test_settings),
	};

	pz_json_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
