/*
 * test_error.c - the error state: a message may be formatted from the
 * one it replaces, wrap, save and restore, errors kept per operation,
 * several failures in one report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"

static void test_set_from_last(void **state)
{
	(void)state;
	pz_error_set(PZ_EAWS, "personalize DescribeFilter: "
			      "AccessDeniedException: not allowed");
	/* The bug this guards: formatting into the buffer being read
	 * printed "...: cessDeniedException". */
	pz_error_set(PZ_EAWS, "refreshing filter.x: %s", pz_error_last());
	assert_string_equal(pz_error_last(),
			    "refreshing filter.x: personalize DescribeFilter: "
			    "AccessDeniedException: not allowed");
	pz_error_set(PZ_EIO, "%s (again: %s)", pz_error_last(),
		     pz_error_last());
	assert_non_null(strstr(pz_error_last(), "(again: refreshing"));
	assert_int_equal(pz_error_last_code(), PZ_EIO);
	pz_error_clear();
	assert_string_equal(pz_error_last(), "unknown error");
	assert_int_equal(pz_error_last_code(), 0);
}

static void test_wrap(void **state)
{
	(void)state;
	pz_error_set(PZ_ENOTFOUND, "s3 ListObjectsV2: NoSuchBucket: gone");
	assert_int_equal(
	    pz_error_wrap(0, "listing the data under %s", "s3://b/p"),
	    PZ_ENOTFOUND);
	assert_string_equal(pz_error_last(),
			    "listing the data under s3://b/p: s3 "
			    "ListObjectsV2: NoSuchBucket: gone");
	/* The same context twice does not stutter. */
	pz_error_wrap(0, "listing the data under %s", "s3://b/p");
	assert_string_equal(pz_error_last(),
			    "listing the data under s3://b/p: s3 "
			    "ListObjectsV2: NoSuchBucket: gone");
	/* A new code replaces the old one... */
	assert_int_equal(pz_error_wrap(PZ_EAUTH, "profile dev"), PZ_EAUTH);
	/* ...but an interruption stays one. */
	pz_error_set(PZ_EINTR, "interrupted by SIGINT");
	assert_int_equal(pz_error_wrap(PZ_EAUTH, "sts AssumeRole"), PZ_EINTR);
	assert_string_equal(pz_error_last(),
			    "sts AssumeRole: interrupted by SIGINT");
	/* Longer than any fixed buffer: kept whole. */
	{
		char big[5000];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		pz_error_set(PZ_ERR, "%s", big);
		pz_error_wrap(0, "ctx");
		assert_int_equal(strlen(pz_error_last()), 5 + sizeof(big) - 1);
	}
	pz_error_clear();
}

static void test_save_restore(void **state)
{
	struct pz_error saved = {0}, kept = {0};

	(void)state;
	pz_error_set(PZ_ELOCKED, "the state is locked");
	assert_int_equal(pz_error_save(&saved), PZ_ELOCKED);
	/* Cleanup that fails on its own... */
	pz_error_set(PZ_ENET, "cannot reach s3");
	/* ...does not lose the first failure. */
	assert_int_equal(pz_error_restore(&saved), PZ_ELOCKED);
	assert_string_equal(pz_error_last(), "the state is locked");
	assert_string_equal(saved.message, "the state is locked");
	/* Saving over a saved error releases it (ASan checks). */
	pz_error_set(PZ_EIO, "disk");
	assert_int_equal(pz_error_save(&saved), PZ_EIO);
	assert_string_equal(saved.message, "disk");
	pz_error_release(&saved);
	assert_int_equal(saved.code, 0);
	assert_null(saved.message);
	/* An empty error restores to none. */
	assert_int_equal(pz_error_restore(&saved), 0);
	assert_int_equal(pz_error_last_code(), 0);
	/* keep sets an operation's own error, not the thread's. */
	pz_error_set(PZ_EIO, "thread's");
	assert_int_equal(pz_error_keep(&kept, PZ_EAWS, "op %d", 7), PZ_EAWS);
	assert_string_equal(kept.message, "op 7");
	assert_string_equal(pz_error_last(), "thread's");
	pz_error_release(&kept);
	pz_error_clear();
}

static void test_append(void **state)
{
	struct pz_error all = {0}, e[3] = {{0, NULL}, {0, NULL}, {0, NULL}};

	(void)state;
	pz_error_keep(&e[0], PZ_EAUTH, "refreshing a: denied");
	pz_error_keep(&e[2], PZ_EAWS, "refreshing c: broken");
	assert_int_equal(pz_error_append(&all, &e[0]), PZ_EAUTH);
	assert_int_equal(pz_error_append(&all, &e[1]), PZ_EAUTH); /* none */
	assert_int_equal(pz_error_append(&all, &e[2]), PZ_EAUTH);
	assert_string_equal(all.message,
			    "refreshing a: denied\nrefreshing c: broken");
	assert_int_equal(pz_error_restore(&all), PZ_EAUTH);
	assert_string_equal(pz_error_last(),
			    "refreshing a: denied\nrefreshing c: broken");
	pz_error_release(&all);
	pz_error_release(&e[0]);
	pz_error_release(&e[2]);
	pz_error_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set_from_last),
	    cmocka_unit_test(test_wrap),
	    cmocka_unit_test(test_save_restore),
	    cmocka_unit_test(test_append),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
