/*
 * client.h - the AWS client: one per run, made from options, owning the
 * configuration files, the region, the resolved credentials, the retry
 * state and the connection pool (a curl multi handle).
 *
 * Region, first match wins: the region option, AWS_REGION,
 * AWS_DEFAULT_REGION, the profile's region, the default_region option
 * (the spec's pz.region). Credentials are resolved on first use
 * (creds.h) and refreshed before they expire. Requests, the event loop
 * and timers are in http.h; protocol helpers in json.h, query.h, s3.h,
 * sts.h, sns.h.
 *
 * A client is used from one thread.
 */
#ifndef PZ_AWS_CLIENT_H
#define PZ_AWS_CLIENT_H

#include "providers/aws/endpoint.h"

struct pz_aws_client;
struct pz_aws_config;
struct pz_aws_creds;

#define PZ_AWS_DEFAULT_MAX_CONNECTIONS	  50
#define PZ_AWS_DEFAULT_TIMEOUT_MS	  60000
#define PZ_AWS_DEFAULT_CONNECT_TIMEOUT_MS 10000

struct pz_aws_client_options {
	const char *region;	    /* overrides everything */
	const char *default_region; /* used when nothing else names one */
	const char *profile;	    /* explicit profile (skips env keys) */
	const char *endpoint_url;   /* every service (tests, simulators) */
	const char *service_endpoint_urls[PZ_AWS_SERVICE_COUNT];
	int max_connections;	      /* 0: PZ_AWS_DEFAULT_MAX_CONNECTIONS */
	long timeout_ms;	      /* per attempt; 0: default */
	long connect_timeout_ms;      /* 0: default */
	const char *config_file;      /* NULL: AWS_CONFIG_FILE or ~/.aws */
	const char *credentials_file; /* NULL: AWS_SHARED_CREDENTIALS_FILE */
	/* Keep going after an interrupt (core/cancel.h) instead of
	 * abandoning every request: for a client whose requests must
	 * finish (writing the state, releasing its lock). */
	bool uninterruptible;
};

/*
 * Creates a client: reads the config files and the retry settings and
 * picks the region; no network. opts may be NULL. Fails with PZ_EINVAL
 * (bad setting) or PZ_EIO (unreadable config file). *out is owned by
 * the caller (pz_aws_client_free).
 */
int pz_aws_client_new(struct pz_aws_client **out,
		      const struct pz_aws_client_options *opts);
/* Cancels whatever is still in flight (no callbacks), wipes the
 * credentials and frees. NULL is fine. */
void pz_aws_client_free(struct pz_aws_client *c);

/* The region, or NULL when none is configured. Borrowed. */
const char *pz_aws_client_region(const struct pz_aws_client *c);
/* Where the region came from: "AWS_REGION", "profile dev", ... */
const char *pz_aws_client_region_source(const struct pz_aws_client *c);
/* The profile in effect ("default" unless named). Borrowed. */
const char *pz_aws_client_profile(const struct pz_aws_client *c);
/* The parsed config files. Borrowed. */
const struct pz_aws_config *pz_aws_client_config(const struct pz_aws_client *c);

/*
 * Resolves the credentials now if they are not yet (or are about to
 * expire) and returns them borrowed from c, valid until the next call
 * into c. Fails as pz_aws_creds_resolve does.
 */
int pz_aws_client_credentials(struct pz_aws_client *c,
			      const struct pz_aws_creds **out);
/* Replaces the credentials (tests, or a caller with its own source);
 * takes ownership of cr. */
void pz_aws_client_set_credentials(struct pz_aws_client *c,
				   struct pz_aws_creds *cr);

/* The endpoint for svc (resolved once, then cached). Borrowed. */
int pz_aws_client_endpoint(struct pz_aws_client *c, enum pz_aws_service svc,
			   const struct pz_aws_endpoint **out);

/* Retry settings in effect, for messages: "standard, 3 attempts". */
const char *pz_aws_client_retry_desc(struct pz_aws_client *c);

#endif
