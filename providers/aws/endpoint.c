/*
 * endpoint.c - service table and endpoint resolution.
 */
#include "endpoint.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "core/error.h"
#include "util.h"

static const struct pz_aws_service_info services[PZ_AWS_SERVICE_COUNT] = {
    [PZ_AWS_PERSONALIZE] = {"personalize", "personalize", "personalize",
			    "PERSONALIZE", "personalize", "AmazonPersonalize",
			    "2018-05-22"},
    [PZ_AWS_PERSONALIZE_RUNTIME] = {"personalize-runtime",
				    "personalize-runtime", "personalize",
				    "PERSONALIZE_RUNTIME",
				    "personalize_runtime", NULL, "2018-05-22"},
    [PZ_AWS_PERSONALIZE_EVENTS] = {"personalize-events", "personalize-events",
				   "personalize", "PERSONALIZE_EVENTS",
				   "personalize_events", NULL, "2018-03-22"},
    [PZ_AWS_S3] = {"s3", "s3", "s3", "S3", "s3", NULL, "2006-03-01"},
    [PZ_AWS_STS] = {"sts", "sts", "sts", "STS", "sts", NULL, "2011-06-15"},
    [PZ_AWS_SNS] = {"sns", "sns", "sns", "SNS", "sns", NULL, "2010-03-31"},
};

const struct pz_aws_service_info *pz_aws_service_info(enum pz_aws_service s)
{
	if ((unsigned)s >= PZ_AWS_SERVICE_COUNT)
		PZ_BUG("unknown service %d", (int)s);
	return &services[s];
}

void pz_aws_endpoint_release(struct pz_aws_endpoint *e)
{
	free(e->scheme);
	free(e->host);
	free(e->authority);
	free(e->base_path);
	memset(e, 0, sizeof(*e));
}

int pz_aws_endpoint_parse(const char *url, struct pz_aws_endpoint *out)
{
	const char *p, *auth, *auth_end, *host_end;
	size_t slen;
	long port = 0;

	memset(out, 0, sizeof(*out));
	if (pz_str_has_prefix(url, "https://"))
		slen = 5;
	else if (pz_str_has_prefix(url, "http://"))
		slen = 4;
	else
		return pz_error_set(PZ_EINVAL,
				    "endpoint '%s' is not an http(s) URL", url);
	auth = url + slen + 3;
	auth_end = auth + strcspn(auth, "/?#");
	if (*auth_end == '?' || *auth_end == '#' ||
	    memchr(auth, '@', (size_t)(auth_end - auth)))
		return pz_error_set(PZ_EINVAL,
				    "endpoint '%s': only scheme, host, port "
				    "and path are allowed",
				    url);
	if (*auth == '[') {
		host_end = memchr(auth, ']', (size_t)(auth_end - auth));
		if (!host_end)
			return pz_error_set(
			    PZ_EINVAL, "endpoint '%s': bad IPv6 address", url);
		p = host_end + 1;
		out->host =
		    pz_xstrndup(auth + 1, (size_t)(host_end - auth - 1));
	} else {
		host_end = memchr(auth, ':', (size_t)(auth_end - auth));
		if (!host_end)
			host_end = auth_end;
		p = host_end;
		out->host = pz_xstrndup(auth, (size_t)(host_end - auth));
	}
	if (!*out->host)
		goto bad;
	if (p < auth_end) {
		char *end;

		if (*p != ':')
			goto bad;
		port = strtol(p + 1, &end, 10);
		if (end != auth_end || port <= 0 || port > 65535)
			goto bad;
	}
	for (p = out->host; *p; p++)
		if (isspace((unsigned char)*p))
			goto bad;
	out->scheme = pz_xstrndup(url, slen);
	out->port = (int)port;
	out->authority = pz_xstrndup(auth, (size_t)(auth_end - auth));
	for (char *q = out->authority; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	if ((slen == 5 && port == 443) || (slen == 4 && port == 80)) {
		/* The default port is left out of Host, as curl does. */
		char *c = strrchr(out->authority, ':');

		*c = '\0';
		out->port = 0;
	}
	out->base_path = pz_xstrdup(auth_end);
	slen = strlen(out->base_path);
	while (slen && out->base_path[slen - 1] == '/')
		out->base_path[--slen] = '\0';
	return 0;
bad:
	pz_aws_endpoint_release(out);
	return pz_error_set(PZ_EINVAL, "endpoint '%s' is not a valid URL", url);
}

char *pz_aws_endpoint_url(const struct pz_aws_endpoint *e)
{
	return pz_xasprintf("%s://%s%s", e->scheme, e->authority, e->base_path);
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

int pz_aws_endpoint_resolve(enum pz_aws_service svc, const char *region,
			    const char *explicit_url,
			    const struct pz_aws_config *cfg,
			    const char *profile, struct pz_aws_endpoint *out)
{
	const struct pz_aws_service_info *si = pz_aws_service_info(svc);
	const char *url = NULL, *source = NULL, *v;
	bool ignore;
	char *env, *std = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	ignore = pz_aws_truthy(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"));
	if (!ignore && cfg && profile)
		ignore = pz_aws_truthy(pz_aws_config_get(
		    cfg, profile, "ignore_configured_endpoint_urls", NULL));
	env = pz_xasprintf("AWS_ENDPOINT_URL_%s", si->env_suffix);
	if ((url = nonempty(explicit_url))) {
		source = "option";
	} else if (!ignore && (url = nonempty(getenv(env)))) {
		source = "AWS_ENDPOINT_URL_<SERVICE>";
	} else if (!ignore && (url = nonempty(getenv("AWS_ENDPOINT_URL")))) {
		source = "AWS_ENDPOINT_URL";
	} else if (!ignore && cfg && profile &&
		   (v = pz_aws_config_get(cfg, profile, "services", NULL))) {
		char *key = pz_xasprintf("%s.endpoint_url", si->config_key);

		url = nonempty(
		    pz_aws_config_section_get(cfg, "services", v, key));
		free(key);
		source = "services section";
	}
	if (!url && !ignore && cfg && profile &&
	    (url = nonempty(
		 pz_aws_config_get(cfg, profile, "endpoint_url", NULL))))
		source = "profile endpoint_url";
	free(env);
	if (url) {
		r = pz_aws_endpoint_parse(url, out);
		if (r)
			return r;
		out->custom = true;
		out->source = source;
		return 0;
	}
	if (!region || !*region)
		return pz_error_set(PZ_EINVAL,
				    "no region for %s: set AWS_REGION or "
				    "region in the profile",
				    si->name);
	for (v = region; *v; v++)
		if (!isalnum((unsigned char)*v) && *v != '-')
			return pz_error_set(PZ_EINVAL, "bad region '%s'",
					    region);
	std =
	    pz_xasprintf("https://%s.%s.amazonaws.com%s", si->endpoint_prefix,
			 region, pz_str_has_prefix(region, "cn-") ? ".cn" : "");
	r = pz_aws_endpoint_parse(std, out);
	free(std);
	if (!r)
		out->source = "standard";
	return r;
}

bool pz_aws_host_is_loopback(const char *host)
{
	unsigned char a[16];

	if (strcasecmp(host, "localhost") == 0 ||
	    pz_str_has_suffix(host, ".localhost"))
		return true;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, host, a) == 1) {
		static const unsigned char one[16] = {[15] = 1};

		return memcmp(a, one, 16) == 0;
	}
	return false;
}

int pz_aws_endpoint_check_secure(const struct pz_aws_endpoint *e)
{
	if (strcmp(e->scheme, "https") == 0 || pz_aws_host_is_loopback(e->host))
		return 0;
	if (pz_aws_truthy(getenv("PZ_ALLOW_INSECURE_HTTP")))
		return 0;
	return pz_error_set(PZ_EINVAL,
			    "refusing to send credentials over plain http to "
			    "'%s' (not a loopback address); use https, or set "
			    "PZ_ALLOW_INSECURE_HTTP=1 to allow it",
			    e->host);
}
