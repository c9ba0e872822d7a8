/*
 * http.h - requests to AWS over libcurl: many in flight at once over
 * reused connections (one curl multi handle per client), signed with
 * SigV4, retried by the client's retry policy, traced with
 * PZ_TRACE=http (secrets redacted, redact.h).
 *
 * Asynchronous use: build a request, pz_aws_submit() it with a
 * completion callback, then pz_aws_run() the event loop until everything
 * submitted (and every timer) has finished. Callbacks run inside
 * pz_aws_run(), one at a time, and may submit more requests or add
 * timers (a Describe poller re-arms a timer from its callback). Timers
 * are the loop's too, so waiting for a resource never blocks other
 * requests.
 *
 * Synchronous use: pz_aws_perform() sends one request and waits (other
 * requests in flight progress meanwhile; called from inside a callback
 * it runs the request on its own, blocking).
 *
 * Outcome codes: 0 for a 2xx answer; PZ_ENOTFOUND when the service says
 * the thing does not exist (404, *NotFound*, NoSuchKey...); PZ_EAUTH when
 * it rejects the credentials (SignatureDoesNotMatch, InvalidClientTokenId,
 * ExpiredToken...); PZ_EAWS for other service errors; PZ_ENET or
 * PZ_ETIMEOUT when no answer came; PZ_EINTR when the run was
 * interrupted (below). The message reads like "personalize
 * DescribeCampaign: ResourceNotFoundException: <message>"; each
 * response carries its own (resp->failure), so many requests failing
 * at once keep many messages, and the thread's last error is set to it
 * when the completion callback runs. The response's error member holds
 * the service's status, code, message and request id.
 *
 * Cancellation (core/cancel.h): once an interrupt is requested, the
 * loop stops within one poll (it watches pz_cancel_fd()): every request
 * in flight, queued or waiting to retry is abandoned and its callback
 * called with PZ_EINTR, pending timers are disarmed without running,
 * nothing is retried, new submissions fail with PZ_EINTR, and
 * pz_aws_run() returns PZ_EINTR. A synchronous request stops at its
 * next progress check (within about a second). A client made with
 * uninterruptible set ignores the flag.
 */
#ifndef PZ_AWS_HTTP_H
#define PZ_AWS_HTTP_H

#include "core/buf.h"
#include "core/error.h"
#include "providers/aws/endpoint.h"
#include "providers/aws/util.h"

struct pz_aws_client;
struct pz_aws_creds;
struct pz_aws_request;

struct pz_aws_error {
	long status;	  /* HTTP status; 0 when no answer came */
	char *code;	  /* "ResourceNotFoundException", or NULL */
	char *message;	  /* the service's message, or NULL */
	char *request_id; /* x-amzn-RequestId / x-amz-request-id, or NULL */
};

/* Frees the strings; err is left zeroed. */
void pz_aws_error_release(struct pz_aws_error *err);
/* Copies src into dst (dst's old contents are not freed). */
void pz_aws_error_copy(struct pz_aws_error *dst,
		       const struct pz_aws_error *src);

struct pz_aws_response {
	long status;		       /* 0 when no answer came */
	struct pz_aws_headers headers; /* names as received */
	struct pz_buf body;
	struct pz_aws_error error; /* set when the outcome is not 0 */
	/* The outcome's code and whole message ("personalize DescribeX:
	 * AccessDeniedException: ..."), code 0 on success: this request's
	 * own, whatever other requests did since. */
	struct pz_error failure;
	int attempts;
	double seconds; /* from submit to completion */
	/* No attempt reached the server: each failed before a byte of the
	 * request was sent (no connection, no credentials, an interrupt
	 * while queued), so the service cannot have acted on it. False
	 * whenever that is not known. */
	bool unsent;
	/* Some attempt may have been carried out with no answer saying so:
	 * it reached the server and its answer was lost, or the answer was
	 * a server error (5xx). The outcome's error is then the last
	 * attempt's, not the whole story. */
	bool maybe_acted;
};

void pz_aws_response_free(struct pz_aws_response *resp);

enum pz_aws_request_flags {
	PZ_AWS_REQ_UNSIGNED = 1 << 0,	      /* send without credentials */
	PZ_AWS_REQ_UNSIGNED_PAYLOAD = 1 << 1, /* S3: don't hash the body */
	PZ_AWS_REQ_NO_RETRY = 1 << 2,	      /* one attempt only */
	PZ_AWS_REQ_BLOCKING = 1 << 3,	      /* perform off the event loop */
	PZ_AWS_REQ_SECRET_BODY = 1 << 4, /* the answer is a credential: traces
					    show its size, never its bytes */
	PZ_AWS_REQ_SECRET_URL = 1 << 5,	 /* the URL's path and query are a
					    credential (a chat webhook):
					    traces show its origin only */
};

/*
 * A request to svc. operation names it in messages and traces
 * ("DescribeCampaign"); path is the wire path after the endpoint's
 * (percent-encoded, starting with '/'). Owned by the caller until
 * submitted or performed.
 */
struct pz_aws_request *pz_aws_request_new(enum pz_aws_service svc,
					  const char *operation,
					  const char *method, const char *path);
/*
 * A request to a plain URL outside the service table (container and
 * instance metadata endpoints): never signed. Owned by the caller.
 */
struct pz_aws_request *pz_aws_request_new_url(const char *operation,
					      const char *method,
					      const char *url);
void pz_aws_request_free(struct pz_aws_request *req);

/* Appends key=value to the query, percent-encoding both. */
void pz_aws_request_add_query(struct pz_aws_request *req, const char *key,
			      const char *value);
/* Sets (replaces) a header; it is signed (see sigv4.h). */
void pz_aws_request_set_header(struct pz_aws_request *req, const char *name,
			       const char *value);
/* Copies data as the body, with its Content-Type. */
void pz_aws_request_set_body(struct pz_aws_request *req, const void *data,
			     size_t len, const char *content_type);
/* Like set_body, but takes ownership of data (malloc'd). */
void pz_aws_request_take_body(struct pz_aws_request *req, char *data,
			      size_t len, const char *content_type);
void pz_aws_request_set_flags(struct pz_aws_request *req, unsigned flags);
/* Prefixes the endpoint's host ("bucket." for S3 virtual hosting). */
void pz_aws_request_set_host_prefix(struct pz_aws_request *req,
				    const char *prefix);
/* Signs with cr (borrowed, must outlive the request) instead of the
 * client's credentials: the credential chain's own STS calls. */
void pz_aws_request_set_credentials(struct pz_aws_request *req,
				    const struct pz_aws_creds *cr);
/* Overrides the attempts (1: no retries) and the per-attempt timeout. */
void pz_aws_request_set_limits(struct pz_aws_request *req, int max_attempts,
			       long timeout_ms);
/* Caps the response body (default 64 MiB). */
void pz_aws_request_set_max_body(struct pz_aws_request *req, size_t max);

/*
 * Submits req (taken, even on failure) to run on c's event loop. done
 * is called exactly once, from pz_aws_run(), with the outcome code (see
 * above) and the response, which is borrowed for the duration of the
 * call (pz_aws_response_steal keeps it). Returns 0, or an error without
 * calling done.
 */
int pz_aws_submit(struct pz_aws_client *c, struct pz_aws_request *req,
		  void (*done)(void *ud, int rc, struct pz_aws_response *resp),
		  void *ud);
/* Moves resp's contents into a new response owned by the caller. */
struct pz_aws_response *pz_aws_response_steal(struct pz_aws_response *resp);

/*
 * Runs the event loop until no request is in flight and no timer is
 * armed. Returns 0, or PZ_EINTR when pz_aws_stop() was called or the
 * run was interrupted (see above). Must not be called from inside a
 * callback.
 */
int pz_aws_run(struct pz_aws_client *c);
/* Runs the loop until *flag becomes true (or stop, as above). Fails
 * with PZ_ERR when nothing is left that could set it. */
int pz_aws_run_until(struct pz_aws_client *c, const bool *flag);
/* Makes pz_aws_run return PZ_EINTR soon; in-flight requests stay. */
void pz_aws_stop(struct pz_aws_client *c);
/* Requests in flight, queued or waiting to retry. */
size_t pz_aws_pending(const struct pz_aws_client *c);

/*
 * Arms a one-shot timer: fn(ud) runs from the loop after delay_ms.
 * Returns an id for pz_aws_timer_cancel (never 0).
 */
uint64_t pz_aws_timer_add(struct pz_aws_client *c, long delay_ms,
			  void (*fn)(void *ud), void *ud);
/* Disarms a timer; unknown or fired ids are ignored. */
void pz_aws_timer_cancel(struct pz_aws_client *c, uint64_t id);

/*
 * Sends req (taken) and waits for its outcome. *out (may be NULL)
 * receives the response, owned by the caller, on success and on service
 * errors alike. Returns the outcome code.
 */
int pz_aws_perform(struct pz_aws_client *c, struct pz_aws_request *req,
		   struct pz_aws_response **out);

/*
 * Fills resp->error from a failed response's headers and body (JSON
 * "__type"/"code", XML <Error><Code>, x-amzn-ErrorType, the status).
 * Exposed for the protocol modules and tests.
 */
void pz_aws_error_parse(struct pz_aws_response *resp);

#endif
