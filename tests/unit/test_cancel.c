/*
 * test_cancel.c - the cancellation flag and its wake-up pipe (what the
 * signal handlers call; the event loop's use is in test_aws_protocol.c).
 */
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/cancel.h"
#include "core/error.h"

static void test_cancel(void **state)
{
	struct pollfd p;

	(void)state;
	assert_int_equal(pz_cancel_init(), 0);
	assert_int_equal(pz_cancel_init(), 0); /* idempotent */
	assert_true(pz_cancel_fd() >= 0);
	assert_int_equal(pz_cancelled(), 0);
	assert_int_equal(pz_cancel_check(), 0);
	p.fd = pz_cancel_fd();
	p.events = POLLIN;
	assert_int_equal(poll(&p, 1, 0), 0);
	/* What the signal handler does. */
	pz_cancel_request(SIGTERM);
	pz_cancel_request(SIGINT); /* the first reason is kept */
	assert_int_equal(pz_cancelled(), SIGTERM);
	assert_int_equal(pz_cancel_check(), PZ_EINTR);
	assert_string_equal(pz_error_last(), "interrupted by SIGTERM");
	/* Readable, and stays so for every poll after. */
	assert_int_equal(poll(&p, 1, 0), 1);
	assert_int_equal(poll(&p, 1, 0), 1);
	pz_cancel_reset();
	assert_int_equal(pz_cancelled(), 0);
	assert_int_equal(poll(&p, 1, 0), 0);
	pz_error_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
