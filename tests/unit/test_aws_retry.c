/*
 * test_aws_retry.c - retry classification, backoff bounds, the retry
 * quota, retry settings, and adaptive mode's rate limiter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/json_out.h"
#include "core/error.h"
#include "providers/aws/config.h"
#include "providers/aws/retry.h"

static void test_classify(void **state)
{
	(void)state;
	assert_int_equal(pz_retry_classify(200, NULL, false, false),
			 PZ_RETRY_NONE);
	assert_int_equal(
	    pz_retry_classify(400, "ThrottlingException", false, false),
	    PZ_RETRY_THROTTLE);
	assert_int_equal(
	    pz_retry_classify(400, "LimitExceededException", false, false),
	    PZ_RETRY_THROTTLE);
	assert_int_equal(pz_retry_classify(503, "SlowDown", false, false),
			 PZ_RETRY_THROTTLE);
	assert_int_equal(pz_retry_classify(429, NULL, false, false),
			 PZ_RETRY_THROTTLE);
	assert_int_equal(pz_retry_classify(400, "Throttling", false, false),
			 PZ_RETRY_THROTTLE);
	assert_int_equal(
	    pz_retry_classify(500, "InternalFailure", false, false),
	    PZ_RETRY_TRANSIENT);
	assert_int_equal(pz_retry_classify(502, NULL, false, false),
			 PZ_RETRY_TRANSIENT);
	assert_int_equal(pz_retry_classify(503, NULL, false, false),
			 PZ_RETRY_TRANSIENT);
	assert_int_equal(pz_retry_classify(504, NULL, false, false),
			 PZ_RETRY_TRANSIENT);
	assert_int_equal(pz_retry_classify(400, "RequestTimeout", false, false),
			 PZ_RETRY_TRANSIENT);
	assert_int_equal(pz_retry_classify(0, NULL, true, false),
			 PZ_RETRY_TRANSIENT);
	assert_int_equal(pz_retry_classify(0, NULL, true, true),
			 PZ_RETRY_TIMEOUT);
	/* What waiting cannot fix. */
	assert_int_equal(
	    pz_retry_classify(400, "ValidationException", false, false),
	    PZ_RETRY_NONE);
	assert_int_equal(
	    pz_retry_classify(404, "ResourceNotFoundException", false, false),
	    PZ_RETRY_NONE);
	assert_int_equal(
	    pz_retry_classify(403, "SignatureDoesNotMatch", false, false),
	    PZ_RETRY_NONE);
	assert_int_equal(
	    pz_retry_classify(412, "PreconditionFailed", false, false),
	    PZ_RETRY_NONE);
	assert_int_equal(pz_retry_classify(501, NULL, false, false),
			 PZ_RETRY_NONE);
}

static void test_backoff_bounds(void **state)
{
	int attempt;
	double r;

	(void)state;
	/* Full jitter: [0, min(base * 2^(n-1), max)). */
	for (attempt = 1; attempt <= 12; attempt++) {
		double cap = 1.0;
		int i;

		for (i = 1; i < attempt; i++)
			cap *= 2;
		if (cap > 20)
			cap = 20;
		assert_true(pz_retry_backoff(attempt, 0.0, 1.0, 20.0) == 0.0);
		for (r = 0.0; r < 1.0; r += 0.125) {
			double d = pz_retry_backoff(attempt, r, 1.0, 20.0);

			assert_true(d >= 0.0);
			assert_true(d < cap);
			assert_true(d >= r * cap - 1e-9 && d <= r * cap + 1e-9);
		}
		assert_true(pz_retry_backoff(attempt, 0.9999999, 1.0, 20.0) <
			    cap);
		assert_true(pz_retry_backoff(attempt, 0.9999999, 1.0, 20.0) >
			    cap * 0.99);
	}
	assert_true(pz_retry_backoff(1000, 0.5, 1.0, 20.0) == 10.0);
	/* Out-of-range randomness is clamped, not trusted. */
	assert_true(pz_retry_backoff(3, 5.0, 1.0, 20.0) < 4.0);
	assert_true(pz_retry_backoff(3, -1.0, 1.0, 20.0) == 0.0);
	assert_true(pz_retry_backoff(2, 0.5, 0.1, 20.0) == 0.1);
}

static void test_quota(void **state)
{
	struct pz_retry_state st;
	int cost = 0, n = 0;

	(void)state;
	unsetenv("AWS_RETRY_MODE");
	unsetenv("AWS_MAX_ATTEMPTS");
	assert_int_equal(pz_retry_state_init(&st, NULL, NULL, 0), 0);
	assert_int_equal(st.quota, PZ_RETRY_QUOTA_MAX);
	while (pz_retry_quota_acquire(&st, PZ_RETRY_TRANSIENT, &cost))
		n++;
	assert_int_equal(n, PZ_RETRY_QUOTA_MAX / PZ_RETRY_COST);
	assert_int_equal(cost, PZ_RETRY_QUOTA_MAX);
	assert_false(pz_retry_quota_acquire(&st, PZ_RETRY_TIMEOUT, &cost));
	/* A retried success returns its cost; a clean one earns a token. */
	pz_retry_quota_release(&st, 10);
	assert_int_equal(st.quota, 10);
	pz_retry_quota_release(&st, 0);
	assert_int_equal(st.quota, 11);
	cost = 0;
	assert_true(pz_retry_quota_acquire(&st, PZ_RETRY_TIMEOUT, &cost));
	assert_int_equal(cost, PZ_RETRY_TIMEOUT_COST);
	pz_retry_quota_release(&st, 100000);
	assert_int_equal(st.quota, PZ_RETRY_QUOTA_MAX);
}

static void test_settings(void **state)
{
	struct pz_retry_state st;
	struct pz_aws_config *cfg;

	(void)state;
	unsetenv("AWS_RETRY_MODE");
	unsetenv("AWS_MAX_ATTEMPTS");
	assert_int_equal(
	    pz_aws_config_parse(&cfg,
				"[default]\nretry_mode = adaptive\n"
				"max_attempts = 7\n",
				NULL),
	    0);
	assert_int_equal(pz_retry_state_init(&st, NULL, NULL, 0), 0);
	assert_int_equal(st.mode, PZ_RETRY_STANDARD);
	assert_int_equal(st.max_attempts, 3);
	assert_int_equal(pz_retry_state_init(&st, cfg, "default", 0), 0);
	assert_int_equal(st.mode, PZ_RETRY_ADAPTIVE);
	assert_int_equal(st.max_attempts, 7);
	setenv("AWS_RETRY_MODE", "standard", 1);
	setenv("AWS_MAX_ATTEMPTS", "10", 1);
	assert_int_equal(pz_retry_state_init(&st, cfg, "default", 0), 0);
	assert_int_equal(st.mode, PZ_RETRY_STANDARD);
	assert_int_equal(st.max_attempts, 10);
	setenv("AWS_RETRY_MODE", "legacy", 1);
	unsetenv("AWS_MAX_ATTEMPTS");
	assert_int_equal(pz_retry_state_init(&st, NULL, NULL, 0), 0);
	assert_int_equal(st.max_attempts, 5);
	setenv("AWS_RETRY_MODE", "sometimes", 1);
	assert_int_equal(pz_retry_state_init(&st, NULL, NULL, 0), PZ_EINVAL);
	assert_non_null(strstr(pz_error_last(), "AWS_RETRY_MODE"));
	unsetenv("AWS_RETRY_MODE");
	setenv("AWS_MAX_ATTEMPTS", "0", 1);
	assert_int_equal(pz_retry_state_init(&st, NULL, NULL, 0), PZ_EINVAL);
	setenv("AWS_MAX_ATTEMPTS", "3x", 1);
	assert_int_equal(pz_retry_state_init(&st, NULL, NULL, 0), PZ_EINVAL);
	unsetenv("AWS_MAX_ATTEMPTS");
	pz_aws_config_free(cfg);
}

static void test_adaptive(void **state)
{
	struct pz_rate_limiter l;
	double t = 1000.0, rate_after_throttle, wait_total = 0;
	int i;

	(void)state;
	pz_rate_limiter_init(&l, t);
	/* Not limiting until the service throttles. */
	for (i = 0; i < 100; i++)
		assert_true(pz_rate_limiter_acquire(&l, t) == 0.0);
	/* Send at ~20/s for 3 s, all fine. */
	for (i = 0; i < 60; i++) {
		t += 0.05;
		pz_rate_limiter_update(&l, false, t);
	}
	assert_false(l.enabled);
	/* A throttle: the rate drops to 0.7 x what was measured. */
	pz_rate_limiter_update(&l, true, t);
	assert_true(l.enabled);
	rate_after_throttle = l.max_rate;
	assert_true(rate_after_throttle > 5 &&
		    rate_after_throttle < 20 * 0.7 + 1);
	/* Now requests are spaced out: 20 at once wait about 20 / rate. */
	for (i = 0; i < 20; i++)
		wait_total = pz_rate_limiter_acquire(&l, t);
	assert_true(wait_total > 19 / rate_after_throttle - 1.5);
	assert_true(wait_total < 20 / rate_after_throttle + 1.5);
	/* Successes grow the rate back along the cubic. */
	for (i = 0; i < 200; i++) {
		t += 0.1;
		pz_rate_limiter_update(&l, false, t);
	}
	assert_true(l.max_rate > rate_after_throttle);
	/* The rate never drops under the floor. */
	for (i = 0; i < 50; i++) {
		t += 1;
		pz_rate_limiter_update(&l, true, t);
	}
	assert_true(l.max_rate >= 0.5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classify),
	    cmocka_unit_test(test_backoff_bounds),
	    cmocka_unit_test(test_quota),
	    cmocka_unit_test(test_settings),
	    cmocka_unit_test(test_adaptive),
	};

	pz_json_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
