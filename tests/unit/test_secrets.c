/*
 * test_secrets.c - values from the environment are sensitive: marked in
 * the spec tree, "(sensitive)" in diagnostics and in every rendering of a
 * plan (text, JSON, markdown, and a saved plan loaded back), unless
 * pz.publicEnv lists the variable; the AWS credential variables are
 * refused at their line; requests still get the value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/json_out.h"
#include "core/plan.h"
#include "core/spec.h"
#include "core/state.h"
#include "core/tojson.h"
#include "providers/personalize/personalize.h"

#define SECRET "hunter2-very-secret"
#define PUBLIC "prod-stage"

static struct pz_spec *load(const char *text, struct pz_diags *d)
{
	static const struct pz_spec_var vars[] = {{"unused", "x"}};
	struct pz_spec *spec = NULL;

	pz_personalize_register();
	pz_diags_init(d);
	pz_spec_load_text(&spec, "t.yaml", text, strlen(text), vars, 1, d);
	return spec;
}

static char *with_vars(void)
{
	/* pz.vars defaults may use ${env:}: sensitive through the var. */
	return pz_xasprintf("%s", "pz:\n"
				  "  publicEnv: [PZ_T_STAGE]\n"
				  "  vars:\n"
				  "    fromenv: ${env:PZ_T_OWNER}\n"
				  "tags:\n"
				  "  owner: ${env:PZ_T_OWNER}\n"
				  "  stage: ${env:PZ_T_STAGE}\n"
				  "  via: ${var:fromenv}\n"
				  "datasetGroup:\n"
				  "  name: demo\n");
}

static void test_tree_marks(void **state)
{
	struct pz_diags d;
	struct pz_spec *spec;
	const struct pz_node *tags;
	char *text = with_vars();

	(void)state;
	setenv("PZ_T_OWNER", SECRET, 1);
	setenv("PZ_T_STAGE", PUBLIC, 1);
	spec = load(text, &d);
	assert_non_null(spec);
	assert_int_equal(d.nerrors, 0);
	tags = pz_node_get(spec->doc->root, "tags");
	assert_true(pz_node_get(tags, "owner")->sensitive);
	assert_false(pz_node_get(tags, "stage")->sensitive);
	assert_true(pz_node_get(tags, "via")->sensitive);
	/* The request gets the value itself. */
	assert_string_equal(pz_node_str(pz_node_get(tags, "owner")), SECRET);
	pz_spec_free(spec);
	pz_diags_release(&d);
	free(text);
}

static void test_credentials_refused(void **state)
{
	static const char *const names[] = {
	    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID",
	    "AWS_SECURITY_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN"};
	size_t i;

	(void)state;
	for (i = 0; i < PZ_ARRAY_LEN(names); i++) {
		char *text = pz_xasprintf("pz:\n  publicEnv: [%s]\n"
					  "tags:\n  t: \"x${env:%s}\"\n"
					  "datasetGroup:\n  name: demo\n",
					  names[i], names[i]);
		struct pz_diags d;
		struct pz_spec *spec;
		size_t k;
		bool found = false;

		setenv(names[i], SECRET, 1);
		spec = load(text, &d);
		assert_true(d.nerrors > 0);
		for (k = 0; k < d.n; k++) {
			assert_null(strstr(d.items[k].message, SECRET));
			if (strstr(d.items[k].message, names[i]) &&
			    strstr(d.items[k].message, "credential")) {
				found = true;
				assert_int_equal(d.items[k].pos.line, 4);
				/* At the '$' of the reference. */
				assert_int_equal(d.items[k].pos.col, 8);
			}
		}
		assert_true(found);
		unsetenv(names[i]);
		pz_spec_free(spec);
		pz_diags_release(&d);
		free(text);
	}
	assert_false(pz_env_is_credential("AWS_REGION"));
	assert_false(pz_env_is_credential("MY_TOKEN"));
}

/* A wrong value from the environment: the diagnostic says where, not
 * what. */
static void test_diagnostics_hide(void **state)
{
	struct pz_diags d;
	struct pz_spec *spec;
	struct pz_buf b;
	const char *text = "datasetGroup:\n"
			   "  name: demo\n"
			   "  domain: ${env:PZ_T_OWNER}\n";

	(void)state;
	setenv("PZ_T_OWNER", SECRET, 1);
	spec = load(text, &d);
	assert_true(d.nerrors > 0);
	pz_buf_init(&b, 0);
	assert_int_equal(pz_diags_render_text(&d, &b, false), 0);
	assert_null(strstr(pz_buf_cstr(&b), SECRET));
	assert_null(strstr(pz_buf_cstr(&b), "hunter"));
	assert_non_null(strstr(pz_buf_cstr(&b), "(sensitive)"));
	pz_buf_release(&b);
	pz_spec_free(spec);
	pz_diags_release(&d);
}

static void render_all(const struct pz_plan *plan, struct pz_buf *all)
{
	struct pz_render_opts ro = {false, false, 0, false};

	assert_int_equal(pz_plan_render_text(plan, all, &ro), 0);
	assert_int_equal(pz_plan_render_json(plan, all), 0);
	assert_int_equal(pz_plan_render_markdown(plan, all, &ro), 0);
}

static void test_plan_renderings(void **state)
{
	struct pz_diags d;
	struct pz_spec *spec;
	struct pz_state *st = NULL;
	struct pz_plan *plan = NULL, *back = NULL;
	struct pz_plan_opts opts;
	struct pz_live *live;
	struct pz_buf all;
	char path[] = "/tmp/pz-test-secrets-XXXXXX";
	char *text = with_vars();
	const struct pz_change *dg = NULL;
	const cJSON *tag;
	size_t i;
	int fd;

	(void)state;
	setenv("PZ_T_OWNER", SECRET, 1);
	setenv("PZ_T_STAGE", PUBLIC, 1);
	spec = load(text, &d);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(pz_state_new(&st), 0);
	live = pz_xcalloc(spec->nresources + 1, sizeof(*live));
	memset(&opts, 0, sizeof(opts));
	opts.now = 1800000000;
	assert_int_equal(pz_plan_make(&plan, spec, st, live, live, &opts, &d),
			 0);

	/* The change itself holds the value, for the request. */
	for (i = 0; i < plan->n; i++)
		if (!strcmp(plan->changes[i].address, "dataset_group.main") ||
		    !strcmp(plan->changes[i].type, "dataset_group"))
			dg = &plan->changes[i];
	assert_non_null(dg);
	{
		char *body = cJSON_PrintUnformatted(dg->after);

		assert_non_null(strstr(body, SECRET));
		cJSON_free(body);
	}
	tag = cJSON_GetObjectItemCaseSensitive(dg->after, "tags");
	assert_non_null(tag);

	pz_buf_init(&all, 0);
	render_all(plan, &all);
	assert_null(strstr(pz_buf_cstr(&all), SECRET));
	assert_non_null(strstr(pz_buf_cstr(&all), "(sensitive)"));
	assert_non_null(strstr(pz_buf_cstr(&all), PUBLIC));
	assert_non_null(strstr(pz_buf_cstr(&all), "\"after_sensitive\":{"));

	/* Saved and loaded back: still hidden when shown. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(pz_plan_save(plan, path), 0);
	assert_int_equal(pz_plan_load(&back, path), 0);
	pz_buf_reset(&all);
	render_all(back, &all);
	assert_null(strstr(pz_buf_cstr(&all), SECRET));
	assert_non_null(strstr(pz_buf_cstr(&all), "(sensitive)"));
	unlink(path);

	pz_buf_release(&all);
	pz_plan_free(plan);
	pz_plan_free(back);
	pz_state_free(st);
	free(live);
	pz_spec_free(spec);
	pz_diags_release(&d);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tree_marks),
	    cmocka_unit_test(test_credentials_refused),
	    cmocka_unit_test(test_diagnostics_hide),
	    cmocka_unit_test(test_plan_renderings),
	};

	pz_json_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
