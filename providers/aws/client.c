/*
 * client.c - the client object: configuration, region, endpoints,
 * credentials. The HTTP machinery is in http.c.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "sts.h"
#include "core/error.h"
#include "core/log.h"

/* Refresh temporary credentials this long before they expire; failing
 * that, keep using them until they are this close to expiry. */
#define CREDS_ADVISORY_WINDOW  300
#define CREDS_MANDATORY_WINDOW 60

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static void pick_region(struct pz_aws_client *c,
			const struct pz_aws_client_options *o)
{
	const char *v, *from = NULL;
	char *label = NULL;

	if (o->region && *o->region) {
		v = o->region;
		from = "option";
	} else if ((v = env_nonempty("AWS_REGION"))) {
		from = "AWS_REGION";
	} else if ((v = env_nonempty("AWS_DEFAULT_REGION"))) {
		from = "AWS_DEFAULT_REGION";
	} else if ((v = pz_aws_config_get(c->config, c->profile, "region",
					  NULL)) &&
		   *v) {
		label = pz_xasprintf("profile %s", c->profile);
	} else if (o->default_region && *o->default_region) {
		v = o->default_region;
		from = "spec";
	} else {
		v = NULL;
		from = "none";
	}
	c->region = v ? pz_xstrdup(v) : NULL;
	c->region_source = label ? label : pz_xstrdup(from);
}

int pz_aws_client_new(struct pz_aws_client **out,
		      const struct pz_aws_client_options *opts)
{
	static const struct pz_aws_client_options none;
	const struct pz_aws_client_options *o = opts ? opts : &none;
	struct pz_aws_client *c;
	const char *p;
	size_t i;
	int r;

	*out = NULL;
	if ((r = pz_curl_load()))
		return r;
	c = pz_xcalloc(1, sizeof(*c));
	if (o->profile && *o->profile) {
		c->profile = pz_xstrdup(o->profile);
		c->profile_explicit = true;
	} else if ((p = env_nonempty("AWS_PROFILE")) ||
		   (p = env_nonempty("AWS_DEFAULT_PROFILE"))) {
		c->profile = pz_xstrdup(p);
	} else {
		c->profile = pz_xstrdup("default");
	}
	r = pz_aws_config_load(&c->config, o->config_file, o->credentials_file);
	if (r)
		goto fail;
	if ((o->profile && *o->profile) || env_nonempty("AWS_PROFILE")) {
		if (!pz_aws_config_has_profile(c->config, c->profile)) {
			r = pz_error_set(
			    PZ_EINVAL, "profile '%s' not found in '%s' or '%s'",
			    c->profile,
			    pz_aws_config_path(c->config)
				? pz_aws_config_path(c->config)
				: "~/.aws/config",
			    pz_aws_config_credentials_path(c->config)
				? pz_aws_config_credentials_path(c->config)
				: "~/.aws/credentials");
			goto fail;
		}
	}
	pick_region(c, o);
	r = pz_retry_state_init(&c->retry, c->config, c->profile, pz_mono());
	if (r)
		goto fail;
	c->retry_desc =
	    pz_xasprintf("%s, %d attempts", pz_retry_mode_name(c->retry.mode),
			 c->retry.max_attempts);
	c->endpoint_url = o->endpoint_url && *o->endpoint_url
			      ? pz_xstrdup(o->endpoint_url)
			      : NULL;
	for (i = 0; i < PZ_AWS_SERVICE_COUNT; i++)
		if (o->service_endpoint_urls[i] && *o->service_endpoint_urls[i])
			c->service_endpoint_urls[i] =
			    pz_xstrdup(o->service_endpoint_urls[i]);
	c->max_connections = o->max_connections > 0
				 ? o->max_connections
				 : PZ_AWS_DEFAULT_MAX_CONNECTIONS;
	c->timeout_ms =
	    o->timeout_ms > 0 ? o->timeout_ms : PZ_AWS_DEFAULT_TIMEOUT_MS;
	c->connect_timeout_ms = o->connect_timeout_ms > 0
				    ? o->connect_timeout_ms
				    : PZ_AWS_DEFAULT_CONNECT_TIMEOUT_MS;
	c->uninterruptible = o->uninterruptible;
	c->multi = curl_multi_init();
	if (!c->multi)
		PZ_BUG("curl_multi_init failed");
	if (curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS,
			      (long)c->max_connections) != CURLM_OK ||
	    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
			      (long)c->max_connections) != CURLM_OK ||
	    curl_multi_setopt(c->multi, CURLMOPT_PIPELINING,
			      CURLPIPE_MULTIPLEX) != CURLM_OK) {
		r = pz_error_set(PZ_ENET, "libcurl refused the connection "
					  "limits or multiplexing");
		goto fail;
	}
	c->next_timer_id = 1;
	c->next_call_id = 1;
	PZ_DEBUG("aws: profile %s, region %s (%s), retries %s", c->profile,
		 c->region ? c->region : "-", c->region_source, c->retry_desc);
	*out = c;
	return 0;
fail:
	pz_aws_client_free(c);
	return r;
}

void pz_aws_client_free(struct pz_aws_client *c)
{
	size_t i;

	if (!c)
		return;
	pz_aws__http_shutdown(c);
	pz_sts__identity_free(c);
	if (c->blocking)
		curl_easy_cleanup(c->blocking);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	pz_aws_creds_free(c->creds);
	pz_aws_config_free(c->config);
	for (i = 0; i < PZ_AWS_SERVICE_COUNT; i++) {
		pz_aws_endpoint_release(&c->endpoints[i]);
		free(c->service_endpoint_urls[i]);
	}
	free(c->endpoint_url);
	free(c->region);
	free(c->region_source);
	free(c->profile);
	free(c->retry_desc);
	free(c->timers);
	free(c);
}

const char *pz_aws_client_region(const struct pz_aws_client *c)
{
	return c->region;
}

const char *pz_aws_client_region_source(const struct pz_aws_client *c)
{
	return c->region_source;
}

const char *pz_aws_client_profile(const struct pz_aws_client *c)
{
	return c->profile;
}

const struct pz_aws_config *pz_aws_client_config(const struct pz_aws_client *c)
{
	return c->config;
}

const char *pz_aws_client_retry_desc(struct pz_aws_client *c)
{
	return c->retry_desc;
}

int pz_aws_client_endpoint(struct pz_aws_client *c, enum pz_aws_service svc,
			   const struct pz_aws_endpoint **out)
{
	const char *region = c->region;
	int r;

	*out = NULL;
	if (!c->endpoint_done[svc]) {
		/* STS has a home for callers without a region, as the
		 * SDKs' global endpoint did. */
		if (!region && svc == PZ_AWS_STS)
			region = "us-east-1";
		r = pz_aws_endpoint_resolve(svc, region,
					    c->service_endpoint_urls[svc]
						? c->service_endpoint_urls[svc]
						: c->endpoint_url,
					    c->config, c->profile,
					    &c->endpoints[svc]);
		if (r)
			return r;
		c->endpoint_done[svc] = true;
		if (pz_log_enabled(PZ_LOG_DEBUG)) {
			char *u = pz_aws_endpoint_url(&c->endpoints[svc]);

			PZ_DEBUG("aws: %s endpoint %s (%s)",
				 pz_aws_service_info(svc)->name, u,
				 c->endpoints[svc].source);
			free(u);
		}
	}
	*out = &c->endpoints[svc];
	return 0;
}

int pz_aws__creds_current(struct pz_aws_client *c,
			  const struct pz_aws_creds **out)
{
	struct pz_aws_creds *fresh = NULL;
	time_t now = time(NULL);
	int r;

	*out = NULL;
	if (c->creds &&
	    !pz_aws_creds_expiring(c->creds, now, CREDS_ADVISORY_WINDOW)) {
		*out = c->creds;
		return 0;
	}
	if (c->creds_resolving)
		return pz_error_set(PZ_EAUTH,
				    "credential resolution needs credentials "
				    "itself (a loop in the profile chain?)");
	c->creds_resolving = true;
	r = pz_aws_creds_resolve(c, &fresh);
	c->creds_resolving = false;
	if (r) {
		/* Keep using credentials that are merely close to expiry. */
		if (c->creds && !pz_aws_creds_expiring(
				    c->creds, now, CREDS_MANDATORY_WINDOW)) {
			PZ_WARN("aws: refreshing credentials failed, using the "
				"current ones until they expire: %s",
				pz_error_last());
			*out = c->creds;
			return 0;
		}
		return r;
	}
	if (c->creds)
		PZ_DEBUG("aws: refreshed credentials from %s", fresh->source);
	else
		PZ_DEBUG("aws: credentials from %s", fresh->source);
	pz_aws_creds_free(c->creds);
	c->creds = fresh;
	*out = c->creds;
	return 0;
}

int pz_aws_client_credentials(struct pz_aws_client *c,
			      const struct pz_aws_creds **out)
{
	return pz_aws__creds_current(c, out);
}

void pz_aws_client_set_credentials(struct pz_aws_client *c,
				   struct pz_aws_creds *cr)
{
	pz_aws_creds_free(c->creds);
	c->creds = cr;
}
