/*
 * retry.h - the SDKs' retry behaviour: which failures are retried, how
 * long to wait, the retry quota, and adaptive mode's client-side rate
 * limiter. Pure logic with the clock and randomness passed in, so it is
 * tested without a network.
 *
 * Standard mode (the default): up to max_attempts (3) attempts; retry
 * transient failures (no response, 500/502/503/504, RequestTimeout...)
 * and throttling (429, ThrottlingException, SlowDown...); wait a random
 * time in [0, min(2^(attempt-1) * base, 20 s)) ("full jitter"); each
 * retry costs quota tokens (5, 10 after a timeout) from a budget of 500
 * that successes refill, so a failing service is not hammered.
 *
 * Adaptive mode adds a token bucket that, once the service has
 * throttled, spaces out every request at a rate set by CUBIC: cut to
 * 0.7 x on throttling, then grown back along a cubic curve.
 */
#ifndef PZ_AWS_RETRY_H
#define PZ_AWS_RETRY_H

#include "core/common.h"

struct pz_aws_config;

enum pz_retry_mode {
	PZ_RETRY_STANDARD = 0,
	PZ_RETRY_ADAPTIVE,
	PZ_RETRY_LEGACY, /* accepted; behaves as standard with 5 attempts */
};

enum pz_retry_class {
	PZ_RETRY_NONE = 0,  /* success, or an error retrying cannot fix */
	PZ_RETRY_TRANSIENT, /* 5xx, connection reset, transient code */
	PZ_RETRY_THROTTLE,  /* throttling */
	PZ_RETRY_TIMEOUT,   /* transport timeout (costs more quota) */
};

#define PZ_RETRY_MAX_BACKOFF  20.0 /* seconds */
#define PZ_RETRY_QUOTA_MAX    500
#define PZ_RETRY_COST	      5
#define PZ_RETRY_TIMEOUT_COST 10

/*
 * Classifies one attempt's outcome. status is the HTTP status (0 when no
 * response arrived); code the service's error code or NULL; transport
 * is true when the request failed below HTTP, timeout when that failure
 * was a timeout.
 */
enum pz_retry_class pz_retry_classify(long status, const char *code,
				      bool transport, bool timeout);
/* True for the throttling error codes. */
bool pz_retry_is_throttle_code(const char *code);

/*
 * The wait before the next attempt after attempt number attempt (1 for
 * the first) failed: rnd * min(base * 2^(attempt-1), max), rnd in [0,1).
 */
double pz_retry_backoff(int attempt, double rnd, double base, double max);

/* Adaptive mode's client-side rate limiter (after botocore's). */
struct pz_rate_limiter {
	bool enabled; /* only after the first throttle */
	/* token bucket */
	double max_rate; /* tokens per second */
	double capacity;
	double tokens;
	double last_refill; /* < 0: never */
	/* CUBIC */
	double w_max;
	double k;
	double last_fail;
	/* measured send rate */
	double measured;
	double count;
	double last_bucket;
};

/* Starts the limiter at time now (seconds, monotonic). */
void pz_rate_limiter_init(struct pz_rate_limiter *l, double now);
/*
 * Takes a token for a request about to be sent at now and returns how
 * many seconds it must wait first (0 when not limiting). The token is
 * reserved either way, so later requests queue behind it.
 */
double pz_rate_limiter_acquire(struct pz_rate_limiter *l, double now);
/* Feeds a response back: throttled or not. */
void pz_rate_limiter_update(struct pz_rate_limiter *l, bool throttled,
			    double now);

struct pz_retry_state {
	enum pz_retry_mode mode;
	int max_attempts;
	double base;	    /* seconds; 1 as in the SDKs */
	double max_backoff; /* seconds */
	int quota;	    /* retry budget left */
	struct pz_rate_limiter limiter;
};

/*
 * Resolves mode and attempts, first match wins: AWS_RETRY_MODE and
 * AWS_MAX_ATTEMPTS, then the profile's retry_mode and max_attempts (cfg
 * and profile may be NULL), then standard with 3. Fails with PZ_EINVAL
 * on an unknown mode or an attempts value outside 1..100.
 */
int pz_retry_state_init(struct pz_retry_state *st,
			const struct pz_aws_config *cfg, const char *profile,
			double now);
const char *pz_retry_mode_name(enum pz_retry_mode mode);

/*
 * Asks the budget for a retry of class cls. Returns true and sets *cost
 * (to give back on success) when allowed; false when the budget is spent.
 */
bool pz_retry_quota_acquire(struct pz_retry_state *st, enum pz_retry_class cls,
			    int *cost);
/* A request finished successfully after acquiring cost tokens (0 for
 * a first-attempt success, which earns one token). */
void pz_retry_quota_release(struct pz_retry_state *st, int cost);

#endif
