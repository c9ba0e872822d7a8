/*
 * retry.c - retry classification, backoff, quota, adaptive rate limiting.
 */
#include "retry.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "core/error.h"

static const char *const throttle_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "Throttled",
    "KMSThrottling",
};

static const char *const transient_codes[] = {
    "RequestTimeout",	  "RequestTimeoutException", "PriorRequestNotComplete",
    "InternalError",	  "InternalFailure",	     "InternalServerError",
    "ServiceUnavailable", "IDPCommunicationError",
};

static bool in_list(const char *code, const char *const *list, size_t n)
{
	size_t i;

	if (!code)
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(code, list[i]) == 0)
			return true;
	return false;
}

bool pz_retry_is_throttle_code(const char *code)
{
	return in_list(code, throttle_codes, PZ_ARRAY_LEN(throttle_codes));
}

enum pz_retry_class pz_retry_classify(long status, const char *code,
				      bool transport, bool timeout)
{
	if (transport)
		return timeout ? PZ_RETRY_TIMEOUT : PZ_RETRY_TRANSIENT;
	if (status >= 200 && status < 300)
		return PZ_RETRY_NONE;
	/*
	 * As in the SDKs, LimitExceededException counts as throttling:
	 * Personalize documents it as "requests per second exceeded". A
	 * genuine resource quota costs a few retries, then reports it.
	 */
	if (status == 429 || pz_retry_is_throttle_code(code))
		return PZ_RETRY_THROTTLE;
	if (status == 500 || status == 502 || status == 503 || status == 504 ||
	    in_list(code, transient_codes, PZ_ARRAY_LEN(transient_codes)))
		return PZ_RETRY_TRANSIENT;
	return PZ_RETRY_NONE;
}

double pz_retry_backoff(int attempt, double rnd, double base, double max)
{
	double cap = base;
	int i;

	for (i = 1; i < attempt && cap < max; i++)
		cap *= 2;
	if (cap > max)
		cap = max;
	if (rnd < 0)
		rnd = 0;
	if (rnd >= 1)
		rnd = 0.999999;
	return rnd * cap;
}

/* --- adaptive mode */

#define MIN_FILL_RATE	0.5
#define CUBIC_SCALE	0.4
#define CUBIC_BETA	0.7
#define SMOOTHING	0.8
#define BUCKET_SCALE	2.0 /* measure in half-second buckets */
#define MAX_RATE_ADJUST 2.0

static void refill(struct pz_rate_limiter *l, double now)
{
	if (l->last_refill < 0) {
		l->last_refill = now;
		return;
	}
	l->tokens += (now - l->last_refill) * l->max_rate;
	if (l->tokens > l->capacity)
		l->tokens = l->capacity;
	l->last_refill = now;
}

static void set_max_rate(struct pz_rate_limiter *l, double rate, double now)
{
	if (rate < MIN_FILL_RATE)
		rate = MIN_FILL_RATE;
	refill(l, now);
	l->max_rate = rate;
	l->capacity = rate > 1 ? rate : 1;
	if (l->tokens > l->capacity)
		l->tokens = l->capacity;
}

static double cubic_k(const struct pz_rate_limiter *l)
{
	return cbrt(l->w_max * (1 - CUBIC_BETA) / CUBIC_SCALE);
}

void pz_rate_limiter_init(struct pz_rate_limiter *l, double now)
{
	memset(l, 0, sizeof(*l));
	l->last_refill = -1;
	l->max_rate = MIN_FILL_RATE;
	l->capacity = 1;
	l->w_max = 0;
	l->k = cubic_k(l);
	l->last_fail = now;
	l->last_bucket = floor(now);
	set_max_rate(l, 1, now);
}

double pz_rate_limiter_acquire(struct pz_rate_limiter *l, double now)
{
	double wait;

	if (!l->enabled)
		return 0;
	refill(l, now);
	wait = l->tokens >= 1 ? 0 : (1 - l->tokens) / l->max_rate;
	l->tokens -= 1; /* reserved: later requests wait behind this one */
	return wait;
}

static double measure(struct pz_rate_limiter *l, double now)
{
	double bucket = floor(now * BUCKET_SCALE) / BUCKET_SCALE;

	l->count += 1;
	if (bucket > l->last_bucket) {
		double rate = l->count / (bucket - l->last_bucket);

		l->measured = rate * SMOOTHING + l->measured * (1 - SMOOTHING);
		l->count = 0;
		l->last_bucket = bucket;
	}
	return l->measured;
}

void pz_rate_limiter_update(struct pz_rate_limiter *l, bool throttled,
			    double now)
{
	double measured = measure(l, now), rate;

	if (throttled) {
		double use = l->enabled && l->max_rate < measured ? l->max_rate
								  : measured;

		l->w_max = use;
		l->k = cubic_k(l);
		l->last_fail = now;
		rate = use * CUBIC_BETA;
		l->enabled = true;
	} else {
		double dt = now - l->last_fail - l->k;

		rate = CUBIC_SCALE * dt * dt * dt + l->w_max;
	}
	if (rate > MAX_RATE_ADJUST * measured)
		rate = MAX_RATE_ADJUST * measured;
	set_max_rate(l, rate, now);
}

/* --- configuration and quota */

const char *pz_retry_mode_name(enum pz_retry_mode mode)
{
	switch (mode) {
	case PZ_RETRY_STANDARD: return "standard";
	case PZ_RETRY_ADAPTIVE: return "adaptive";
	case PZ_RETRY_LEGACY: return "legacy";
	}
	return "?";
}

int pz_retry_state_init(struct pz_retry_state *st,
			const struct pz_aws_config *cfg, const char *profile,
			double now)
{
	const char *mode = getenv("AWS_RETRY_MODE");
	const char *att = getenv("AWS_MAX_ATTEMPTS");
	const char *mode_from = "AWS_RETRY_MODE",
		   *att_from = "AWS_MAX_ATTEMPTS";
	char *end;
	long n;

	memset(st, 0, sizeof(*st));
	if ((!mode || !*mode) && cfg && profile) {
		mode = pz_aws_config_get(cfg, profile, "retry_mode", NULL);
		mode_from = "retry_mode in the profile";
	}
	if ((!att || !*att) && cfg && profile) {
		att = pz_aws_config_get(cfg, profile, "max_attempts", NULL);
		att_from = "max_attempts in the profile";
	}
	st->mode = PZ_RETRY_STANDARD;
	st->max_attempts = 3;
	if (mode && *mode) {
		if (!strcasecmp(mode, "standard")) {
			st->mode = PZ_RETRY_STANDARD;
		} else if (!strcasecmp(mode, "adaptive")) {
			st->mode = PZ_RETRY_ADAPTIVE;
		} else if (!strcasecmp(mode, "legacy")) {
			st->mode = PZ_RETRY_LEGACY;
			st->max_attempts = 5;
		} else {
			return pz_error_set(PZ_EINVAL,
					    "%s: unknown retry mode '%s' (use "
					    "standard, adaptive or legacy)",
					    mode_from, mode);
		}
	}
	if (att && *att) {
		errno = 0;
		n = strtol(att, &end, 10);
		if (errno || *end || end == att || n < 1 || n > 100)
			return pz_error_set(PZ_EINVAL,
					    "%s: '%s' is not a number of "
					    "attempts (1-100)",
					    att_from, att);
		st->max_attempts = (int)n;
	}
	st->base = 1.0;
	st->max_backoff = PZ_RETRY_MAX_BACKOFF;
	st->quota = PZ_RETRY_QUOTA_MAX;
	pz_rate_limiter_init(&st->limiter, now);
	return 0;
}

bool pz_retry_quota_acquire(struct pz_retry_state *st, enum pz_retry_class cls,
			    int *cost)
{
	int c = cls == PZ_RETRY_TIMEOUT ? PZ_RETRY_TIMEOUT_COST : PZ_RETRY_COST;

	if (st->quota < c)
		return false;
	st->quota -= c;
	*cost += c;
	return true;
}

void pz_retry_quota_release(struct pz_retry_state *st, int cost)
{
	st->quota += cost ? cost : 1;
	if (st->quota > PZ_RETRY_QUOTA_MAX)
		st->quota = PZ_RETRY_QUOTA_MAX;
}
