/*
 * internal.h - the client's insides, shared by client.c, http.c and
 * creds.c only. Nothing outside providers/aws includes this.
 */
#ifndef PZ_AWS_INTERNAL_H
#define PZ_AWS_INTERNAL_H

#include "providers/aws/curl_api.h"

#include "client.h"
#include "creds.h"
#include "http.h"
#include "retry.h"

struct pz_aws_call;

struct pz_aws_timer {
	uint64_t id;
	double due; /* pz_mono() seconds */
	void (*fn)(void *ud);
	void *ud;
};

struct pz_aws_request {
	enum pz_aws_service svc;
	bool has_svc; /* false for plain-URL requests */
	char *operation;
	char *method;
	char *path;
	struct pz_buf query;
	char *url; /* plain-URL requests */
	char *host_prefix;
	struct pz_aws_headers headers;
	char *body;
	size_t body_len;
	unsigned flags;
	const struct pz_aws_creds *creds; /* borrowed override */
	int max_attempts;		  /* 0: the client's */
	long timeout_ms;		  /* 0: the client's */
	size_t max_body;
};

struct pz_aws_client {
	char *region;
	char *region_source;
	char *profile;
	bool profile_explicit;
	struct pz_aws_config *config;
	char *endpoint_url;
	char *service_endpoint_urls[PZ_AWS_SERVICE_COUNT];
	struct pz_aws_endpoint endpoints[PZ_AWS_SERVICE_COUNT];
	bool endpoint_done[PZ_AWS_SERVICE_COUNT];

	struct pz_aws_creds *creds;
	bool creds_resolving; /* guards against a chain that loops */

	struct pz_retry_state retry;
	char *retry_desc;

	CURLM *multi;
	CURL *blocking; /* reused for blocking calls */
	int max_connections;
	long timeout_ms;
	long connect_timeout_ms;

	/* calls in any state; the queue holds those waiting for a slot */
	struct pz_aws_call *calls;
	size_t n_calls;
	struct pz_aws_call *queue_head, *queue_tail;
	int active;

	struct pz_aws_timer *timers;
	size_t n_timers, cap_timers;
	uint64_t next_timer_id;
	uint64_t next_call_id;

	int in_callback;
	bool stopped;
	bool uninterruptible; /* ignores core/cancel.h */

	/* GetCallerIdentity asked ahead (sts.c): at most once a client. */
	struct pz_sts_identity *identity; /* the answer, when it came */
	bool identity_asked, identity_settled;
};

/* Drops every call and timer without calling back (http.c). */
void pz_aws__http_shutdown(struct pz_aws_client *c);

/* Resolves credentials if needed (refreshing expiring ones); borrowed. */
int pz_aws__creds_current(struct pz_aws_client *c,
			  const struct pz_aws_creds **out);

#endif
