/*
 * endpoint.h - the services pz talks to and where their endpoints are.
 *
 * An endpoint is chosen, first match wins, as the SDKs do:
 *   1. an explicit URL from the caller (pz's options),
 *   2. AWS_ENDPOINT_URL_<SERVICE> (PERSONALIZE, PERSONALIZE_RUNTIME,
 *      PERSONALIZE_EVENTS, S3, STS, SNS),
 *   3. AWS_ENDPOINT_URL,
 *   4. the profile's services section ("services = NAME" and
 *      "[services NAME]" with "<service> =\n  endpoint_url = URL"),
 *   5. the profile's endpoint_url,
 *   6. the standard host, https://<prefix>.<region>.amazonaws.com
 *      (amazonaws.com.cn in China).
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's
 * ignore_configured_endpoint_urls) skips 2-5.
 *
 * Credentials are never sent over plain http to a host outside loopback
 * unless PZ_ALLOW_INSECURE_HTTP=1: pz_aws_endpoint_check_secure().
 */
#ifndef PZ_AWS_ENDPOINT_H
#define PZ_AWS_ENDPOINT_H

#include "core/common.h"

struct pz_aws_config;

enum pz_aws_service {
	PZ_AWS_PERSONALIZE = 0,
	PZ_AWS_PERSONALIZE_RUNTIME,
	PZ_AWS_PERSONALIZE_EVENTS,
	PZ_AWS_S3,
	PZ_AWS_STS,
	PZ_AWS_SNS,
	PZ_AWS_SERVICE_COUNT,
};

struct pz_aws_service_info {
	const char *name;	     /* "personalize-runtime", for messages */
	const char *endpoint_prefix; /* host prefix */
	const char *signing_name;    /* SigV4 service name */
	const char *env_suffix;	     /* AWS_ENDPOINT_URL_<env_suffix> */
	const char *config_key;	     /* key in a [services] section */
	const char *target_prefix;   /* JSON 1.1 X-Amz-Target prefix */
	const char *api_version;     /* Query protocol Version */
};

/* The static description of a service. */
const struct pz_aws_service_info *pz_aws_service_info(enum pz_aws_service s);

struct pz_aws_endpoint {
	char *scheme;	    /* "https" or "http" */
	char *host;	    /* without port; IPv6 without brackets */
	char *authority;    /* host[:port] as the Host header carries it */
	char *base_path;    /* "" or a path prefix without trailing '/' */
	int port;	    /* explicit port, or 0 */
	bool custom;	    /* from an override rather than the standard host */
	const char *source; /* where it came from: "AWS_ENDPOINT_URL", ... */
};

/* Parses an http(s) URL with optional port and path prefix. out is owned
 * by the caller (pz_aws_endpoint_release). */
int pz_aws_endpoint_parse(const char *url, struct pz_aws_endpoint *out);
void pz_aws_endpoint_release(struct pz_aws_endpoint *e);
/* "scheme://authority<base_path>", owned by the caller. */
char *pz_aws_endpoint_url(const struct pz_aws_endpoint *e);

/*
 * Resolves svc's endpoint in region by the rules above. explicit_url,
 * cfg and profile may be NULL. out is owned by the caller.
 */
int pz_aws_endpoint_resolve(enum pz_aws_service svc, const char *region,
			    const char *explicit_url,
			    const struct pz_aws_config *cfg,
			    const char *profile, struct pz_aws_endpoint *out);

/* True for localhost, 127.0.0.0/8 and ::1. */
bool pz_aws_host_is_loopback(const char *host);
/* 0, or PZ_EINVAL when e is plain http to a host outside loopback and
 * PZ_ALLOW_INSECURE_HTTP is not 1/true. */
int pz_aws_endpoint_check_secure(const struct pz_aws_endpoint *e);

#endif
