/*
 * test_digest.c - the saved plan's freshness digest covers what the spec
 * means after interpolation: a comment or a reordering keeps a plan
 * fresh; a -var or environment value that changes makes it stale.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/json_out.h"
#include "core/plan.h"
#include "core/spec.h"
#include "providers/personalize/personalize.h"

static void digest(const char *text, const char *dg, char out[65])
{
	struct pz_spec_var var = {"DG", dg};
	struct pz_spec *spec = NULL;
	struct pz_diags d;

	pz_personalize_register();
	pz_diags_init(&d);
	assert_int_equal(pz_spec_load_text(&spec, "t.yaml", text, strlen(text),
					   dg ? &var : NULL, dg ? 1 : 0, &d),
			 0);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(
	    pz_spec_digest(spec, dg ? &var : NULL, dg ? 1 : 0, out), 0);
	pz_spec_free(spec);
	pz_diags_release(&d);
}

static const char base[] = "pz:\n"
			   "  vars: {DG: alpha}\n"
			   "tags:\n"
			   "  owner: ${env:PZ_T_DIGEST}\n"
			   "  team: recs\n"
			   "datasetGroup:\n"
			   "  name: ${var:DG}\n";

static void test_comment_keeps_fresh(void **state)
{
	char a[65], b[65];
	static const char commented[] = "# a comment\n"
					"pz:\n"
					"  vars: {DG: alpha}   # default\n"
					"tags:\n"
					"  team: recs\n"
					"  owner: \"${env:PZ_T_DIGEST}\"\n"
					"datasetGroup:\n"
					"  name: ${var:DG}\n";

	(void)state;
	setenv("PZ_T_DIGEST", "one", 1);
	digest(base, NULL, a);
	digest(commented, NULL, b);
	assert_string_equal(a, b);
}

static void test_values_make_stale(void **state)
{
	char a[65], b[65], c[65];

	(void)state;
	setenv("PZ_T_DIGEST", "one", 1);
	digest(base, "alpha", a);
	digest(base, "beta", b);
	assert_string_not_equal(a, b);
	/* An environment value the spec reads. */
	setenv("PZ_T_DIGEST", "two", 1);
	digest(base, "alpha", c);
	assert_string_not_equal(a, c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_comment_keeps_fresh),
	    cmocka_unit_test(test_values_make_stale),
	};

	pz_json_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
