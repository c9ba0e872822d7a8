/*
 * test_arn.c - each type's ARN form is a fact of its descriptor
 * (core/provider.h's arn_type, arn_parts, arn_path), the one source pz
 * import checks an ARN against, and the provider parses ARNs for it
 * (core/provider_ops.h's parse_arn).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/provider.h"
#include "core/provider_ops.h"
#include "providers/personalize/personalize.h"

static void test_every_type_has_its_arn_form(void **state)
{
	size_t i, n;

	(void)state;
	pz_personalize_register();
	n = pz_rtype_count();
	assert_true(n >= 13);
	for (i = 0; i < n; i++) {
		const struct pz_rtype *t = pz_rtype_at(i);
		char path[80];

		/* What pz can describe, it can import. */
		if (!t->describe_op)
			continue;
		if (!t->arn_type)
			fail_msg("%s has no ARN form", t->name);
		assert_true(t->arn_parts == 1 || t->arn_parts == 2);
		/* An ARN made from the name has the same segment. */
		snprintf(path, sizeof(path), "%s/", t->arn_type);
		if (t->arn_path)
			assert_string_equal(t->arn_path, path);
	}
	assert_string_equal(pz_rtype_find("solution_version")->arn_type,
			    "solution");
	assert_int_equal(pz_rtype_find("solution_version")->arn_parts, 2);
	assert_string_equal(pz_rtype_find("dataset_group")->arn_type,
			    "dataset-group");
	assert_null(pz_rtype_find("event_tracker")->arn_path);
}

static void test_parse(void **state)
{
	const struct pz_provider_ops *ops;
	struct pz_arn a;

	(void)state;
	pz_personalize_register();
	ops = pz_provider_ops();
	assert_int_equal(
	    ops->parse_arn("arn:aws:personalize:eu-west-1:123456789012:"
			   "solution/ups/0123abcd",
			   &a),
	    0);
	assert_string_equal(a.region, "eu-west-1");
	assert_string_equal(a.account, "123456789012");
	assert_string_equal(a.type, "solution");
	assert_int_equal(a.parts, 2);
	assert_int_equal(
	    ops->parse_arn("arn:aws:personalize:::recipe/aws-sims", &a), 0);
	assert_string_equal(a.region, "");
	assert_string_equal(a.type, "recipe");
	assert_int_equal(a.parts, 1);
	assert_int_equal(ops->parse_arn("arn:aws:sns:us-east-1:1:topic/x", &a),
			 PZ_EINVAL);
	assert_non_null(strstr(
	    pz_error_last(), "is not an Amazon Personalize ARN "
			     "(arn:aws:personalize:REGION:ACCOUNT:TYPE/NAME)"));
	assert_int_equal(
	    ops->parse_arn("arn:aws:personalize:us-east-1:1:solution", &a),
	    PZ_EINVAL);
	assert_int_equal(
	    ops->parse_arn("arn:aws:personalize:us-east-1:1:solution//x", &a),
	    PZ_EINVAL);
	assert_int_equal(ops->parse_arn("solution/x", &a), PZ_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_type_has_its_arn_form),
	    cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
