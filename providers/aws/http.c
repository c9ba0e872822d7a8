/*
 * http.c - requests over curl: the event loop (curl multi + timers),
 * attempts, signing, retries, error mapping, tracing.
 *
 * A call is one submitted request through all its attempts. Its states:
 * waiting for a timer (backoff, rate limit, or delivery of an early
 * failure), queued for a connection slot, or active in the multi
 * handle. At most max_connections calls are active; the rest queue in
 * order, so per-attempt timeouts never count time spent queued.
 */
#include "internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/cancel.h"
#include "core/error.h"
#include "core/escape.h"
#include "core/log.h"
#include "core/random.h"
#include "redact.h"
#include "sigv4.h"
#include "xml.h"

#define TRACE_BODY_MAX 4096

enum call_state {
	CALL_NEW = 0,
	CALL_WAIT,   /* a timer will move it on */
	CALL_QUEUED, /* waiting for a connection slot */
	CALL_ACTIVE, /* in the multi handle */
};

enum timer_purpose {
	T_SCHEDULE, /* back off over: start the next attempt */
	T_ENQUEUE,  /* rate limiter wait over: take a slot */
	T_DELIVER,  /* report an outcome decided outside the loop */
};

struct pz_aws_call {
	struct pz_aws_client *c;
	uint64_t id;
	struct pz_aws_request *req;
	struct pz_aws_response *resp;
	void (*done)(void *ud, int rc, struct pz_aws_response *resp);
	void *ud;
	enum call_state state;
	enum timer_purpose purpose;
	uint64_t timer;
	int final_rc;
	CURL *easy;
	struct curl_slist *slist;
	char *url;
	char *creds_source; /* for messages: where the keys came from */
	int retry_cost;
	int wired;	 /* attempts handed to curl */
	int unsent;	 /* of those, the ones that sent nothing */
	int maybe_acted; /* those with no answer, or a 5xx, after sending */
	double submitted;
	double attempt_start;
	char errbuf[CURL_ERROR_SIZE];
	struct pz_aws_call *prev, *next; /* every call of the client */
	struct pz_aws_call *qnext;	 /* the slot queue */
};

/* --- requests and responses */

static struct pz_aws_request *request_alloc(const char *operation,
					    const char *method)
{
	struct pz_aws_request *req = pz_xcalloc(1, sizeof(*req));

	req->operation = pz_xstrdup(operation ? operation : "request");
	req->method = pz_xstrdup(method);
	pz_buf_init(&req->query, 0);
	req->max_body = PZ_BUF_MAX_DEFAULT;
	return req;
}

struct pz_aws_request *pz_aws_request_new(enum pz_aws_service svc,
					  const char *operation,
					  const char *method, const char *path)
{
	struct pz_aws_request *req = request_alloc(operation, method);

	(void)pz_aws_service_info(svc); /* checks svc */
	req->svc = svc;
	req->has_svc = true;
	req->path = pz_xstrdup(path && *path ? path : "/");
	return req;
}

struct pz_aws_request *pz_aws_request_new_url(const char *operation,
					      const char *method,
					      const char *url)
{
	struct pz_aws_request *req = request_alloc(operation, method);

	req->url = pz_xstrdup(url);
	req->path = pz_xstrdup("");
	req->flags = PZ_AWS_REQ_UNSIGNED;
	return req;
}

void pz_aws_request_free(struct pz_aws_request *req)
{
	if (!req)
		return;
	free(req->operation);
	free(req->method);
	free(req->path);
	free(req->url);
	free(req->host_prefix);
	pz_buf_release_secret(&req->query);
	pz_aws_headers_release(&req->headers);
	if (req->body)
		pz_free_secret(req->body, req->body_len);
	free(req);
}

void pz_aws_request_add_query(struct pz_aws_request *req, const char *key,
			      const char *value)
{
	if ((req->query.len && pz_buf_addc(&req->query, '&')) ||
	    pz_aws_uri_encode(&req->query, key, strlen(key), false) ||
	    pz_buf_addc(&req->query, '=') ||
	    pz_aws_uri_encode(&req->query, value ? value : "",
			      value ? strlen(value) : 0, false))
		PZ_BUG("query string over the buffer limit");
}

void pz_aws_request_set_header(struct pz_aws_request *req, const char *name,
			       const char *value)
{
	pz_aws_headers_set(&req->headers, name, value);
}

void pz_aws_request_take_body(struct pz_aws_request *req, char *data,
			      size_t len, const char *content_type)
{
	if (req->body)
		pz_free_secret(req->body, req->body_len);
	req->body = data;
	req->body_len = len;
	if (content_type)
		pz_aws_headers_set(&req->headers, "Content-Type", content_type);
}

void pz_aws_request_set_body(struct pz_aws_request *req, const void *data,
			     size_t len, const char *content_type)
{
	char *copy = pz_xmalloc(len + 1);

	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	pz_aws_request_take_body(req, copy, len, content_type);
}

void pz_aws_request_set_flags(struct pz_aws_request *req, unsigned flags)
{
	req->flags |= flags;
}

void pz_aws_request_set_host_prefix(struct pz_aws_request *req,
				    const char *prefix)
{
	free(req->host_prefix);
	req->host_prefix = prefix ? pz_xstrdup(prefix) : NULL;
}

void pz_aws_request_set_credentials(struct pz_aws_request *req,
				    const struct pz_aws_creds *cr)
{
	req->creds = cr;
}

void pz_aws_request_set_limits(struct pz_aws_request *req, int max_attempts,
			       long timeout_ms)
{
	req->max_attempts = max_attempts;
	req->timeout_ms = timeout_ms;
}

void pz_aws_request_set_max_body(struct pz_aws_request *req, size_t max)
{
	req->max_body = max;
}

void pz_aws_error_release(struct pz_aws_error *err)
{
	free(err->code);
	free(err->message);
	free(err->request_id);
	memset(err, 0, sizeof(*err));
}

static char *dup_or_null(const char *s)
{
	return s ? pz_xstrdup(s) : NULL;
}

void pz_aws_error_copy(struct pz_aws_error *dst, const struct pz_aws_error *src)
{
	dst->status = src->status;
	dst->code = dup_or_null(src->code);
	dst->message = dup_or_null(src->message);
	dst->request_id = dup_or_null(src->request_id);
}

static struct pz_aws_response *response_new(size_t max_body)
{
	struct pz_aws_response *resp = pz_xcalloc(1, sizeof(*resp));

	pz_buf_init(&resp->body, max_body);
	return resp;
}

/* Empties resp for the next attempt. */
static void response_reset(struct pz_aws_response *resp)
{
	resp->status = 0;
	pz_aws_headers_release(&resp->headers);
	if (resp->body.ptr)
		pz_wipe(resp->body.ptr, resp->body.len);
	pz_buf_reset(&resp->body);
	pz_aws_error_release(&resp->error);
	pz_error_release(&resp->failure);
}

void pz_aws_response_free(struct pz_aws_response *resp)
{
	if (!resp)
		return;
	pz_aws_headers_release(&resp->headers);
	pz_buf_release_secret(&resp->body);
	pz_aws_error_release(&resp->error);
	pz_error_release(&resp->failure);
	free(resp);
}

struct pz_aws_response *pz_aws_response_steal(struct pz_aws_response *resp)
{
	struct pz_aws_response *n = pz_xmalloc(sizeof(*n));

	*n = *resp;
	memset(resp, 0, sizeof(*resp));
	pz_buf_init(&resp->body, n->body.max);
	return n;
}

/* --- errors */

static const char *strip_code(char *code)
{
	char *hash = strrchr(code, '#'), *colon;

	if (hash)
		memmove(code, hash + 1, strlen(hash + 1) + 1);
	colon = strchr(code, ':');
	if (colon)
		*colon = '\0';
	return code;
}

static void parse_json_error(struct pz_aws_response *resp, const char *body)
{
	cJSON *j = cJSON_ParseWithLength(body, resp->body.len), *v;
	static const char *const code_keys[] = {"__type", "code", "Code"};
	static const char *const msg_keys[] = {"message", "Message",
					       "errorMessage"};
	size_t i;

	if (!j)
		return;
	for (i = 0; i < PZ_ARRAY_LEN(code_keys) && !resp->error.code; i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(j, code_keys[i])) &&
		    cJSON_IsString(v) && *v->valuestring)
			resp->error.code = pz_xstrdup(v->valuestring);
	for (i = 0; i < PZ_ARRAY_LEN(msg_keys); i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(j, msg_keys[i])) &&
		    cJSON_IsString(v)) {
			resp->error.message = pz_xstrdup(v->valuestring);
			break;
		}
	cJSON_Delete(j);
}

static void parse_xml_error(struct pz_aws_response *resp)
{
	struct pz_xml_node *root = NULL, *e;
	const char *v;

	if (pz_xml_parse(resp->body.ptr, resp->body.len, &root)) {
		pz_error_clear();
		return;
	}
	e = strcmp(root->name, "Error") == 0 ? root
					     : pz_xml_child(root, "Error");
	if (e) {
		if (!resp->error.code && (v = pz_xml_path_text(e, "Code")) &&
		    *v)
			resp->error.code = pz_xstrdup(v);
		if ((v = pz_xml_path_text(e, "Message")))
			resp->error.message = pz_xstrdup(v);
		if (!resp->error.request_id &&
		    ((v = pz_xml_path_text(e, "RequestId")) ||
		     (v = pz_xml_path_text(root, "RequestId"))))
			resp->error.request_id = pz_xstrdup(v);
	}
	pz_xml_free(root);
}

void pz_aws_error_parse(struct pz_aws_response *resp)
{
	const char *v, *body = pz_buf_cstr(&resp->body);

	pz_aws_error_release(&resp->error);
	resp->error.status = resp->status;
	if ((v = pz_aws_headers_get(&resp->headers, "x-amzn-RequestId")) ||
	    (v = pz_aws_headers_get(&resp->headers, "x-amz-request-id")))
		resp->error.request_id = pz_xstrdup(v);
	if ((v = pz_aws_headers_get(&resp->headers, "x-amzn-query-error")) &&
	    *v) {
		resp->error.code = pz_xstrndup(v, strcspn(v, ";"));
	} else if ((v = pz_aws_headers_get(&resp->headers,
					   "x-amzn-ErrorType")) &&
		   *v) {
		resp->error.code = pz_xstrdup(v);
	}
	while (*body == ' ' || *body == '\n' || *body == '\r' || *body == '\t')
		body++;
	if (*body == '{')
		parse_json_error(resp, body);
	else if (*body == '<')
		parse_xml_error(resp);
	if (resp->error.code) {
		strip_code(resp->error.code);
	} else {
		switch (resp->status) {
		case 301: v = "PermanentRedirect"; break;
		case 304: v = "NotModified"; break;
		case 400: v = "BadRequest"; break;
		case 403: v = "Forbidden"; break;
		case 404: v = "NotFound"; break;
		case 409: v = "Conflict"; break;
		case 412: v = "PreconditionFailed"; break;
		default: v = NULL;
		}
		if (v)
			resp->error.code = pz_xstrdup(v);
	}
}

static bool code_in(const char *code, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; code && i < n; i++)
		if (strcmp(code, list[i]) == 0)
			return true;
	return false;
}

static const char *const not_found_codes[] = {
    "ResourceNotFoundException",
    "ResourceNotFound",
    "NoSuchKey",
    "NoSuchBucket",
    "NotFound",
    "NotFoundException",
};

static const char *const auth_codes[] = {
    "SignatureDoesNotMatch",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "IncompleteSignature",
    "InvalidSignatureException",
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidAccessKeyId",
    "AuthFailure",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "InvalidToken",
    "RequestTimeTooSkewed",
};

static bool signature_code(const char *code)
{
	return code && (!strcmp(code, "SignatureDoesNotMatch") ||
			!strcmp(code, "InvalidSignatureException"));
}

static bool expired_code(const char *code)
{
	return code && (!strcmp(code, "ExpiredToken") ||
			!strcmp(code, "ExpiredTokenException") ||
			!strcmp(code, "RequestExpired"));
}

/* "personalize DescribeCampaign" or the operation alone. */
static void call_label(const struct pz_aws_call *k, char *out, size_t n)
{
	if (k->req->has_svc)
		snprintf(out, n, "%s %s",
			 pz_aws_service_info(k->req->svc)->name,
			 k->req->operation);
	else
		snprintf(out, n, "%s", k->req->operation);
}

/* Sets the error message for a final service error; returns the code. */
static int service_failure(struct pz_aws_call *k)
{
	struct pz_aws_response *resp = k->resp;
	const struct pz_aws_error *e = &resp->error;
	char label[128], tries[48] = "";
	int rc;

	call_label(k, label, sizeof(label));
	if (resp->status == 404 ||
	    code_in(e->code, not_found_codes, PZ_ARRAY_LEN(not_found_codes)))
		rc = PZ_ENOTFOUND;
	else if (code_in(e->code, auth_codes, PZ_ARRAY_LEN(auth_codes)))
		rc = PZ_EAUTH;
	else
		rc = PZ_EAWS;
	if (resp->attempts > 1)
		snprintf(tries, sizeof(tries), " (after %d attempts)",
			 resp->attempts);
	/* AWS's message quotes the canonical request it expected, session
	 * token included, over twenty lines: one line here, the message
	 * (redacted) only in the trace. */
	if (signature_code(e->code)) {
		const struct pz_aws_creds *cr =
		    k->req->creds ? k->req->creds : k->c->creds;

		if (e->message && pz_trace_enabled("http")) {
			struct pz_buf b;

			pz_buf_init(&b, 0);
			if (!pz_aws_redact_body(&b, e->message,
						strlen(e->message),
						TRACE_BODY_MAX))
				pz_log_at(PZ_LOG_TRACE, "http #%llu < %s: %s",
					  (unsigned long long)k->id, e->code,
					  pz_buf_cstr(&b));
			pz_buf_release_secret(&b);
		}
		return pz_error_set(
		    rc,
		    "%s: %s: the request signature did not match: check "
		    "that the secret access key belongs to the access key "
		    "ID%s (credentials from %s); PZ_TRACE=http shows the "
		    "request%s",
		    label, e->code,
		    cr && cr->session_token
			? " and that the session token came with them"
			: "",
		    k->creds_source ? k->creds_source : "unknown", tries);
	}
	if (rc == PZ_EAUTH && k->creds_source)
		return pz_error_set(
		    rc, "%s: %s: %s (credentials from %s)%s", label, e->code,
		    e->message ? pz_esc(e->message) : "rejected",
		    k->creds_source, tries);
	if (e->code)
		return pz_error_set(rc, "%s: %s: %s%s", label, e->code,
				    e->message && *e->message
					? pz_esc(e->message)
					: "(no message)",
				    tries);
	return pz_error_set(rc, "%s: HTTP %ld%s%s%s", label, resp->status,
			    e->message ? ": " : "",
			    e->message ? pz_esc(e->message) : "", tries);
}

/* The URL for a message or a trace: with PZ_AWS_REQ_SECRET_URL its
 * origin only, "https://host/<redacted>". */
static const char *url_shown(const struct pz_aws_call *k, char *buf, size_t n)
{
	const char *host = strstr(k->url, "://");

	if (!(k->req->flags & PZ_AWS_REQ_SECRET_URL))
		return k->url;
	snprintf(
	    buf, n, "%.*s/%s",
	    host ? (int)((size_t)(host + 3 - k->url) + strcspn(host + 3, "/?#"))
		 : 0,
	    k->url, PZ_REDACTED);
	return buf;
}

/* --- tracing */

static void trace_headers(uint64_t id, const char *dir,
			  const struct pz_aws_headers *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		pz_log_at(PZ_LOG_TRACE, "http #%llu %s %s: %s",
			  (unsigned long long)id, dir, h->items[i].name,
			  pz_aws_redact_header(h->items[i].name)
			      ? PZ_REDACTED
			      : h->items[i].value);
}

static void trace_body(uint64_t id, const char *dir, const char *body,
		       size_t len, bool secret)
{
	struct pz_buf b;

	if (!len)
		return;
	if (secret) {
		pz_log_at(PZ_LOG_TRACE, "http #%llu %s body (%zu bytes): %s",
			  (unsigned long long)id, dir, len, PZ_REDACTED);
		return;
	}
	pz_buf_init(&b, 0);
	if (pz_aws_redact_body(&b, body, len, TRACE_BODY_MAX) == 0)
		pz_log_at(PZ_LOG_TRACE, "http #%llu %s body (%zu bytes): %s",
			  (unsigned long long)id, dir, len, pz_buf_cstr(&b));
	pz_buf_release_secret(&b);
}

static void trace_request(const struct pz_aws_call *k,
			  const struct pz_aws_headers *h)
{
	char label[128];
	struct pz_buf url;

	call_label(k, label, sizeof(label));
	pz_buf_init(&url, 0);
	if (k->req->flags & PZ_AWS_REQ_SECRET_URL) {
		char shown[512];

		pz_log_at(PZ_LOG_TRACE, "http #%llu > %s %s (%s, attempt %d)",
			  (unsigned long long)k->id, k->req->method,
			  url_shown(k, shown, sizeof(shown)), label,
			  k->resp->attempts);
	} else if (pz_aws_redact_body(&url, k->url, strlen(k->url), 2048) == 0)
		pz_log_at(PZ_LOG_TRACE, "http #%llu > %s %s (%s, attempt %d)",
			  (unsigned long long)k->id, k->req->method,
			  pz_buf_cstr(&url), label, k->resp->attempts);
	pz_buf_release(&url);
	trace_headers(k->id, ">", h);
	trace_body(k->id, ">", k->req->body, k->req->body_len, false);
}

static void trace_response(const struct pz_aws_call *k, double ms)
{
	pz_log_at(PZ_LOG_TRACE, "http #%llu < %ld (%.0f ms)",
		  (unsigned long long)k->id, k->resp->status, ms);
	trace_headers(k->id, "<", &k->resp->headers);
	trace_body(k->id, "<", k->resp->body.ptr, k->resp->body.len,
		   k->req->flags & PZ_AWS_REQ_SECRET_BODY);
}

/* --- one attempt */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct pz_aws_call *k = ud;

	if (pz_buf_add(&k->resp->body, data, size * n))
		return 0; /* over the cap: curl fails with a write error */
	return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct pz_aws_call *k = ud;
	size_t len = size * n, vl;
	const char *colon, *v;
	char *name, *value;

	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new status line (after 100 Continue): start afresh. */
		pz_aws_headers_release(&k->resp->headers);
		return len;
	}
	colon = memchr(data, ':', len);
	if (!colon)
		return len;
	v = colon + 1;
	vl = len - (size_t)(v - data);
	while (vl && (*v == ' ' || *v == '\t')) {
		v++;
		vl--;
	}
	while (vl &&
	       (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
		vl--;
	name = pz_xstrndup(data, (size_t)(colon - data));
	value = pz_xstrndup(v, vl);
	pz_aws_headers_add(&k->resp->headers, name, value);
	free(name);
	pz_free_secret(value, vl);
	return len;
}

static struct curl_slist *slist_add(struct curl_slist *l, const char *name,
				    const char *value)
{
	struct curl_slist *n;
	char *line;

	/* "Name;" is curl's way to send a header with an empty value. */
	if (*value)
		line = pz_xasprintf("%s: %s", name, value);
	else
		line = pz_xasprintf("%s;", name);
	n = curl_slist_append(l, line);
	pz_free_secret(line, strlen(line));
	if (!n)
		PZ_BUG("curl_slist_append failed");
	return n;
}

/* Builds the URL and headers, signs, and configures easy. */
static int attempt_setup(struct pz_aws_call *k, CURL *easy)
{
	struct pz_aws_client *c = k->c;
	struct pz_aws_request *req = k->req;
	struct pz_aws_headers h = {0};
	const struct pz_aws_endpoint *ep = NULL;
	const struct pz_aws_creds *cr = NULL;
	char *host = NULL;
	const char *bad_opt = NULL;
	CURLcode cc = CURLE_OK;
	size_t i;
	long timeout;
	int r = 0;

	free(k->url);
	k->url = NULL;
	free(k->creds_source);
	k->creds_source = NULL;
	response_reset(k->resp);
	k->resp->attempts++;
	k->attempt_start = pz_mono();
	for (i = 0; i < req->headers.n; i++)
		pz_aws_headers_add(&h, req->headers.items[i].name,
				   req->headers.items[i].value);
	if (req->has_svc) {
		const struct pz_aws_service_info *si =
		    pz_aws_service_info(req->svc);

		if ((r = pz_aws_client_endpoint(c, req->svc, &ep)))
			goto out;
		host = pz_xasprintf("%s%s",
				    req->host_prefix ? req->host_prefix : "",
				    ep->authority);
		k->url = pz_xasprintf("%s://%s%s%s%s%s", ep->scheme, host,
				      ep->base_path, req->path,
				      req->query.len ? "?" : "",
				      pz_buf_cstr(&req->query));
		pz_aws_headers_set(&h, "Host", host);
		if (!(req->flags & PZ_AWS_REQ_UNSIGNED)) {
			struct pz_sigv4_signer s = {0};
			struct pz_sigv4_request sr = {0};
			char *path =
			    pz_xasprintf("%s%s", ep->base_path, req->path);

			if (req->creds) {
				cr = req->creds;
			} else if ((r = pz_aws__creds_current(c, &cr))) {
				free(path);
				goto out;
			}
			if ((r = pz_aws_endpoint_check_secure(ep))) {
				free(path);
				goto out;
			}
			k->creds_source = pz_xstrdup(cr->source);
			s.access_key_id = cr->access_key_id;
			s.secret_access_key = cr->secret_access_key;
			s.session_token = cr->session_token;
			s.region = c->region ? c->region : "us-east-1";
			s.service = si->signing_name;
			s.when = time(NULL);
			if (req->svc == PZ_AWS_S3)
				s.flags |= PZ_SIGV4_S3;
			if (req->flags & PZ_AWS_REQ_UNSIGNED_PAYLOAD)
				s.flags |= PZ_SIGV4_UNSIGNED_PAYLOAD;
			sr.method = req->method;
			sr.path = path;
			sr.query = pz_buf_cstr(&req->query);
			sr.headers = &h;
			sr.body = req->body;
			sr.body_len = req->body_len;
			r = pz_sigv4_sign(&s, &sr, NULL);
			free(path);
			if (r)
				goto out;
		}
	} else {
		k->url =
		    pz_xasprintf("%s%s%s", req->url, req->query.len ? "?" : "",
				 pz_buf_cstr(&req->query));
	}
	if (pz_trace_enabled("http"))
		trace_request(k, &h);

	if (k->slist) {
		curl_slist_free_all(k->slist);
		k->slist = NULL;
	}
	for (i = 0; i < h.n; i++)
		k->slist =
		    slist_add(k->slist, h.items[i].name, h.items[i].value);
	/* No "Expect: 100-continue" round trip, and no default
	 * form Content-Type on bodies that did not name one. */
	k->slist = curl_slist_append(k->slist, "Expect:");
	if (!pz_aws_headers_get(&h, "Content-Type"))
		k->slist = curl_slist_append(k->slist, "Content-Type:");

		/* Every option checked: the first one libcurl refuses fails the
		 * attempt (an option this libcurl lacks, out of memory). */
#define SETOPT(opt, val)                                        \
	do {                                                    \
		CURLcode e_ = curl_easy_setopt(easy, opt, val); \
		if (e_ != CURLE_OK && cc == CURLE_OK) {         \
			cc = e_;                                \
			bad_opt = #opt;                         \
		}                                               \
	} while (0)
	SETOPT(CURLOPT_URL, k->url);
	SETOPT(CURLOPT_HTTPHEADER, k->slist);
	SETOPT(CURLOPT_PRIVATE, k);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_USERAGENT, "pz/" PZ_VERSION);
	SETOPT(CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(CURLOPT_WRITEDATA, k);
	SETOPT(CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(CURLOPT_HEADERDATA, k);
	SETOPT(CURLOPT_ERRORBUFFER, k->errbuf);
	SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
	/* Over TLS, wait for the first connection's ALPN answer: one
	 * HTTP/2 connection may carry every request. Plain http is
	 * HTTP/1.1 only (curl's default asks HTTP/2 over TLS only), and
	 * waiting there would hold every request behind the first whole
	 * answer. */
	SETOPT(CURLOPT_PIPEWAIT, strncmp(k->url, "https:", 6) ? 0L : 1L);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	timeout = req->timeout_ms > 0 ? req->timeout_ms : c->timeout_ms;
	SETOPT(CURLOPT_TIMEOUT_MS, timeout);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, timeout < c->connect_timeout_ms
					      ? timeout
					      : c->connect_timeout_ms);
	k->errbuf[0] = '\0';
	if (!strcmp(req->method, "GET")) {
		SETOPT(CURLOPT_HTTPGET, 1L);
	} else if (!strcmp(req->method, "HEAD")) {
		SETOPT(CURLOPT_NOBODY, 1L);
	} else {
		if (strcmp(req->method, "POST"))
			SETOPT(CURLOPT_CUSTOMREQUEST, req->method);
		if (req->body || strcmp(req->method, "DELETE")) {
			SETOPT(CURLOPT_POSTFIELDS, req->body ? req->body : "");
			SETOPT(CURLOPT_POSTFIELDSIZE_LARGE,
			       (curl_off_t)req->body_len);
		}
	}
#undef SETOPT
	if (cc != CURLE_OK)
		r = pz_error_set(PZ_ENET, "libcurl refused %s: %s", bad_opt,
				 curl_easy_strerror(cc));
out:
	if (r) {
		char label[128];

		/* Say which call needed what, keeping the cause. */
		call_label(k, label, sizeof(label));
		if (!strstr(pz_error_last(), label))
			pz_error_wrap(r, "%s", label);
	}
	pz_aws_headers_release(&h);
	free(host);
	return r;
}

/* Whether c must stop: an interrupt was requested and c minds it. */
static bool cancelling(const struct pz_aws_client *c)
{
	return !c->uninterruptible && pz_cancelled();
}

/* Ends k's attempts as interrupted: sets the message, returns PZ_EINTR. */
static int call_interrupted(struct pz_aws_call *k)
{
	char label[128];
	int r = pz_cancel_check();

	if (!r)
		r = pz_error_set(PZ_EINTR, "interrupted");
	call_label(k, label, sizeof(label));
	return pz_error_wrap(r, "%s", label);
}

/*
 * Whether a failed attempt may have sent some of its request: false only
 * for failures curl reports before a connection was made (or its TLS
 * handshake done), when no byte of the request has left. Keep the list
 * to such failures: CURLINFO_REQUEST_SIZE counts what curl handed to the
 * socket, and may lag behind a partial write, so a zero alone does not
 * prove that nothing left.
 */
static bool attempt_reached(CURL *easy, CURLcode res)
{
	long sent = 0;
	curl_off_t connect = 0;

	if (curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &sent) != CURLE_OK ||
	    sent > 0)
		return true;
	switch (res) {
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL: return false;
	case CURLE_OPERATION_TIMEDOUT:
		/* Timed out while connecting. */
		return curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T,
					 &connect) != CURLE_OK ||
		       connect > 0;
	default: return true;
	}
}

/*
 * Looks at an attempt's outcome. Returns the seconds to wait before the
 * next attempt, or -1 when the call is over with *rc its outcome (the
 * error message set, and kept in the response).
 */
static double attempt_done(struct pz_aws_call *k, CURL *easy, CURLcode res,
			   int *rc)
{
	struct pz_aws_client *c = k->c;
	struct pz_aws_response *resp = k->resp;
	enum pz_retry_class cls;
	int max = k->req->max_attempts > 0 ? k->req->max_attempts
					   : c->retry.max_attempts;
	double now = pz_mono(), delay;
	char label[128], shown[512];

	call_label(k, label, sizeof(label));
	if (res == CURLE_OK) {
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &resp->status);
		if (resp->status >= 500)
			k->maybe_acted++;
		if (pz_trace_enabled("http"))
			trace_response(k, (now - k->attempt_start) * 1000);
		if (resp->status >= 200 && resp->status < 300) {
			pz_retry_quota_release(&c->retry, k->retry_cost);
			if (c->retry.mode == PZ_RETRY_ADAPTIVE)
				pz_rate_limiter_update(&c->retry.limiter, false,
						       now);
			*rc = 0;
			return -1;
		}
		pz_aws_error_parse(resp);
		cls = pz_retry_classify(resp->status, resp->error.code, false,
					false);
		/* Temporary credentials that expired under us: refresh. */
		if (cls == PZ_RETRY_NONE && expired_code(resp->error.code) &&
		    !k->req->creds && c->creds && c->creds->expiration) {
			c->creds->expiration = 1;
			cls = PZ_RETRY_TRANSIENT;
		}
	} else {
		bool timeout = res == CURLE_OPERATION_TIMEDOUT;

		if (!attempt_reached(easy, res))
			k->unsent++;
		else
			k->maybe_acted++;
		resp->status = 0;
		pz_aws_error_release(&resp->error);
		resp->error.message = pz_xstrdup(
		    k->errbuf[0] ? k->errbuf : curl_easy_strerror(res));
		if (pz_trace_enabled("http"))
			pz_log_at(PZ_LOG_TRACE, "http #%llu < failed: %s",
				  (unsigned long long)k->id,
				  resp->error.message);
		if (res == CURLE_WRITE_ERROR || res == CURLE_URL_MALFORMAT ||
		    res == CURLE_UNSUPPORTED_PROTOCOL ||
		    res == CURLE_PEER_FAILED_VERIFICATION ||
		    res == CURLE_SSL_CACERT_BADFILE ||
		    res == CURLE_SSL_CERTPROBLEM ||
		    res == CURLE_COULDNT_RESOLVE_HOST)
			cls = PZ_RETRY_NONE;
		else
			cls = pz_retry_classify(0, NULL, true, timeout);
	}
	if (c->retry.mode == PZ_RETRY_ADAPTIVE)
		pz_rate_limiter_update(&c->retry.limiter,
				       cls == PZ_RETRY_THROTTLE, now);
	if (res == CURLE_ABORTED_BY_CALLBACK || cancelling(c)) {
		/* Interrupted: no retry, whatever the failure was. */
		*rc = call_interrupted(k);
		pz_error_save(&resp->failure);
		return -1;
	}
	if (cls != PZ_RETRY_NONE && !(k->req->flags & PZ_AWS_REQ_NO_RETRY) &&
	    resp->attempts < max &&
	    pz_retry_quota_acquire(&c->retry, cls, &k->retry_cost)) {
		delay = pz_retry_backoff(resp->attempts, pz_random_unit(),
					 c->retry.base, c->retry.max_backoff);
		PZ_DEBUG("aws: %s: %s, retrying in %.0f ms (attempt %d of %d)",
			 label,
			 resp->status
			     ? (resp->error.code ? resp->error.code : "error")
			     : resp->error.message,
			 delay * 1000, resp->attempts + 1, max);
		return delay;
	}
	if (res == CURLE_OK) {
		*rc = service_failure(k);
	} else if (res == CURLE_OPERATION_TIMEDOUT) {
		long timeout =
		    k->req->timeout_ms > 0 ? k->req->timeout_ms : c->timeout_ms;
		bool connecting =
		    pz_str_has_prefix(resp->error.message,
				      "Connection timed out") ||
		    pz_str_has_prefix(resp->error.message, "Failed to connect");
		char tries[48] = "";

		/* Say the limit pz set, not curl's clock of one attempt. */
		if (connecting && c->connect_timeout_ms < timeout)
			timeout = c->connect_timeout_ms;
		if (resp->attempts > 1)
			snprintf(tries, sizeof(tries),
				 ", on each of %d attempts", resp->attempts);
		*rc = pz_error_set(PZ_ETIMEOUT, "%s: %s %s within %gs%s", label,
				   connecting ? "could not connect to"
					      : "no answer from",
				   url_shown(k, shown, sizeof(shown)),
				   (double)timeout / 1000.0, tries);
	} else if (res == CURLE_WRITE_ERROR) {
		*rc = pz_error_set(PZ_EAWS,
				   "%s: the response is larger than %zu bytes",
				   label, resp->body.max);
	} else {
		*rc = pz_error_set(
		    PZ_ENET, "%s: cannot reach %s: %s%s", label,
		    url_shown(k, shown, sizeof(shown)), resp->error.message,
		    resp->attempts > 1 ? " (after retries)" : "");
	}
	pz_error_save(&resp->failure);
	return -1;
}

/* --- calls on the loop */

static void call_free(struct pz_aws_call *k)
{
	if (k->easy)
		curl_easy_cleanup(k->easy);
	curl_slist_free_all(k->slist);
	pz_aws_request_free(k->req);
	pz_aws_response_free(k->resp);
	free(k->url);
	free(k->creds_source);
	free(k);
}

static void call_unlink(struct pz_aws_call *k)
{
	struct pz_aws_client *c = k->c;

	if (k->prev)
		k->prev->next = k->next;
	else if (c->calls == k)
		c->calls = k->next;
	if (k->next)
		k->next->prev = k->prev;
	k->prev = k->next = NULL;
	c->n_calls--;
}

static void deliver(struct pz_aws_call *k, int rc)
{
	struct pz_aws_client *c = k->c;

	call_unlink(k);
	k->resp->seconds = pz_mono() - k->submitted;
	k->resp->unsent = k->unsent == k->wired;
	k->resp->maybe_acted = k->maybe_acted > 0;
	/* The callback sees this call's error as the thread's last. */
	if (rc && !k->resp->failure.code)
		pz_error_save(&k->resp->failure);
	if (rc)
		pz_error_restore(&k->resp->failure);
	if (k->done) {
		c->in_callback++;
		k->done(k->ud, rc, k->resp);
		c->in_callback--;
	}
	call_free(k);
}

static void call_timer(void *ud);

static void arm(struct pz_aws_call *k, enum timer_purpose p, double seconds)
{
	k->state = CALL_WAIT;
	k->purpose = p;
	k->timer =
	    pz_aws_timer_add(k->c, (long)(seconds * 1000 + 0.5), call_timer, k);
}

static void activate(struct pz_aws_call *k)
{
	struct pz_aws_client *c = k->c;
	int r;

	k->easy = curl_easy_init();
	if (!k->easy)
		PZ_BUG("curl_easy_init failed");
	r = attempt_setup(k, k->easy);
	if (r) {
		curl_easy_cleanup(k->easy);
		k->easy = NULL;
		k->final_rc = r;
		/* Kept with the call until its delivery. */
		pz_error_save(&k->resp->failure);
		pz_aws_error_release(&k->resp->error);
		k->resp->error.message = pz_xstrdup(pz_error_last());
		arm(k, T_DELIVER, 0);
		return;
	}
	if (curl_multi_add_handle(c->multi, k->easy) != CURLM_OK)
		PZ_BUG("curl_multi_add_handle failed");
	k->wired++;
	k->state = CALL_ACTIVE;
	c->active++;
}

static void enqueue(struct pz_aws_call *k)
{
	struct pz_aws_client *c = k->c;

	if (c->active < c->max_connections && !c->queue_head) {
		activate(k);
		return;
	}
	k->state = CALL_QUEUED;
	k->qnext = NULL;
	if (c->queue_tail)
		c->queue_tail->qnext = k;
	else
		c->queue_head = k;
	c->queue_tail = k;
}

static void pump_queue(struct pz_aws_client *c)
{
	while (c->active < c->max_connections && c->queue_head) {
		struct pz_aws_call *k = c->queue_head;

		c->queue_head = k->qnext;
		if (!c->queue_head)
			c->queue_tail = NULL;
		k->qnext = NULL;
		activate(k);
	}
}

/* Starts the next attempt, after the rate limiter allows it. */
static void schedule(struct pz_aws_call *k)
{
	struct pz_aws_client *c = k->c;
	double wait = 0;

	if (c->retry.mode == PZ_RETRY_ADAPTIVE)
		wait = pz_rate_limiter_acquire(&c->retry.limiter, pz_mono());
	if (wait > 0)
		arm(k, T_ENQUEUE, wait);
	else
		enqueue(k);
}

static void call_timer(void *ud)
{
	struct pz_aws_call *k = ud;

	k->timer = 0;
	switch (k->purpose) {
	case T_SCHEDULE: schedule(k); break;
	case T_ENQUEUE: enqueue(k); break;
	case T_DELIVER: deliver(k, k->final_rc); break;
	}
}

int pz_aws_submit(struct pz_aws_client *c, struct pz_aws_request *req,
		  void (*done)(void *ud, int rc, struct pz_aws_response *resp),
		  void *ud)
{
	struct pz_aws_call *k;
	int r;

	if (cancelling(c)) {
		pz_aws_request_free(req);
		return (r = pz_cancel_check()) ? r : PZ_EINTR;
	}
	k = pz_xcalloc(1, sizeof(*k));
	k->c = c;
	k->id = c->next_call_id++;
	k->req = req;
	k->resp = response_new(req->max_body);
	k->done = done;
	k->ud = ud;
	k->submitted = pz_mono();
	k->next = c->calls;
	if (c->calls)
		c->calls->prev = k;
	c->calls = k;
	c->n_calls++;
	schedule(k);
	return 0;
}

static void process_done(struct pz_aws_client *c)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(c->multi, &left))) {
		struct pz_aws_call *k;
		char *priv = NULL;
		double delay;
		int rc = 0;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		k = (struct pz_aws_call *)(void *)priv;
		curl_multi_remove_handle(c->multi, k->easy);
		c->active--;
		delay = attempt_done(k, k->easy, m->data.result, &rc);
		curl_easy_cleanup(k->easy);
		k->easy = NULL;
		if (delay >= 0)
			arm(k, T_SCHEDULE, delay);
		else
			deliver(k, rc);
	}
	pump_queue(c);
}

/* --- timers */

uint64_t pz_aws_timer_add(struct pz_aws_client *c, long delay_ms,
			  void (*fn)(void *ud), void *ud)
{
	struct pz_aws_timer *t;

	PZ_GROW(c->timers, c->n_timers, c->cap_timers);
	t = &c->timers[c->n_timers++];
	t->id = c->next_timer_id++;
	t->due = pz_mono() + (double)(delay_ms > 0 ? delay_ms : 0) / 1000.0;
	t->fn = fn;
	t->ud = ud;
	return t->id;
}

void pz_aws_timer_cancel(struct pz_aws_client *c, uint64_t id)
{
	size_t i;

	for (i = 0; i < c->n_timers; i++) {
		if (c->timers[i].id == id) {
			c->timers[i] = c->timers[--c->n_timers];
			return;
		}
	}
}

/* Fires every due timer (earliest first); returns how many fired. */
static int fire_timers(struct pz_aws_client *c)
{
	int fired = 0;

	for (;;) {
		double now = pz_mono();
		size_t i, best = SIZE_MAX;
		struct pz_aws_timer t;

		for (i = 0; i < c->n_timers; i++)
			if (c->timers[i].due <= now &&
			    (best == SIZE_MAX ||
			     c->timers[i].due < c->timers[best].due ||
			     (c->timers[i].due == c->timers[best].due &&
			      c->timers[i].id < c->timers[best].id)))
				best = i;
		if (best == SIZE_MAX)
			return fired;
		t = c->timers[best];
		c->timers[best] = c->timers[--c->n_timers];
		c->in_callback++;
		t.fn(t.ud);
		c->in_callback--;
		fired++;
	}
}

/* Milliseconds until the next timer, or -1 with none. */
static long next_timer_ms(const struct pz_aws_client *c)
{
	double now = pz_mono(), best = -1;
	size_t i;

	for (i = 0; i < c->n_timers; i++)
		if (best < 0 || c->timers[i].due < best)
			best = c->timers[i].due;
	if (best < 0)
		return -1;
	best -= now;
	return best <= 0 ? 0 : (long)(best * 1000) + 1;
}

/* --- the loop */

/*
 * After an interrupt: every call ends now with PZ_EINTR (its callback
 * runs; whatever it submits is refused), and timers are disarmed
 * without running, so nothing is retried or polled again.
 */
static void cancel_all(struct pz_aws_client *c)
{
	struct pz_aws_call *k;

	c->queue_head = c->queue_tail = NULL;
	for (k = c->calls; k; k = k->next) {
		if (k->state == CALL_ACTIVE && k->easy) {
			curl_multi_remove_handle(c->multi, k->easy);
			curl_easy_cleanup(k->easy);
			k->easy = NULL;
			c->active--;
		}
		k->state = CALL_NEW;
		k->qnext = NULL;
	}
	c->n_timers = 0;
	while ((k = c->calls)) {
		call_interrupted(k);
		pz_error_save(&k->resp->failure);
		deliver(k, PZ_EINTR);
	}
	c->n_timers = 0; /* and those the callbacks armed */
}

/* The interrupt's wake-up descriptor for poll, when c minds it. */
static unsigned int cancel_waitfd(const struct pz_aws_client *c,
				  struct curl_waitfd *w)
{
	int fd = c->uninterruptible ? -1 : pz_cancel_fd();

	if (fd < 0)
		return 0;
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->events = CURL_WAIT_POLLIN;
	return 1;
}

static void loop_once(struct pz_aws_client *c)
{
	struct curl_waitfd wfd;
	unsigned int nwfd;
	int running = 0;
	long wait, curl_wait = -1;

	curl_multi_perform(c->multi, &running);
	process_done(c);
	fire_timers(c);
	if (c->stopped || cancelling(c))
		return;
	wait = next_timer_ms(c);
	curl_multi_timeout(c->multi, &curl_wait);
	if (curl_wait >= 0 && (wait < 0 || curl_wait < wait))
		wait = curl_wait;
	if (wait < 0)
		wait = c->active ? 1000 : 0;
	if (wait == 0)
		return;
	/* A signal may land on another thread, or just before poll: the
	 * interrupt's pipe wakes the poll either way. */
	nwfd = cancel_waitfd(c, &wfd);
	curl_multi_poll(c->multi, nwfd ? &wfd : NULL, nwfd,
			(int)(wait > 60000 ? 60000 : wait), NULL);
}

static bool busy(const struct pz_aws_client *c)
{
	return c->n_calls > 0 || c->n_timers > 0;
}

/* Runs the loop until *flag (NULL: until idle), a stop or an
 * interrupt. */
static int run(struct pz_aws_client *c, const bool *flag)
{
	int r;

	if (c->in_callback)
		PZ_BUG("pz_aws_run called from a callback");
	c->stopped = false;
	for (;;) {
		if (cancelling(c)) {
			cancel_all(c);
			break;
		}
		if ((flag && *flag) || !busy(c) || c->stopped)
			break;
		loop_once(c);
	}
	if (flag && *flag)
		return 0;
	if (cancelling(c))
		return (r = pz_cancel_check()) ? r : PZ_EINTR;
	if (c->stopped) {
		c->stopped = false;
		return pz_error_set(PZ_EINTR, "interrupted");
	}
	if (flag)
		return pz_error_set(PZ_ERR, "nothing left to wait for");
	return 0;
}

int pz_aws_run(struct pz_aws_client *c)
{
	return run(c, NULL);
}

int pz_aws_run_until(struct pz_aws_client *c, const bool *flag)
{
	return run(c, flag);
}

void pz_aws_stop(struct pz_aws_client *c)
{
	c->stopped = true;
	curl_multi_wakeup(c->multi);
}

size_t pz_aws_pending(const struct pz_aws_client *c)
{
	return c->n_calls;
}

void pz_aws__http_shutdown(struct pz_aws_client *c)
{
	while (c->calls) {
		struct pz_aws_call *k = c->calls;

		if (k->easy && k->state == CALL_ACTIVE)
			curl_multi_remove_handle(c->multi, k->easy);
		call_unlink(k);
		call_free(k);
	}
	c->queue_head = c->queue_tail = NULL;
	c->active = 0;
	c->n_timers = 0;
}

/* --- synchronous */

/* Sleeps s seconds, or less when c is interrupted meanwhile. */
static void sleep_seconds(struct pz_aws_client *c, double s)
{
	double end = pz_mono() + s;
	struct pollfd p = {.fd = -1, .events = POLLIN};

	if (!c->uninterruptible)
		p.fd = pz_cancel_fd();
	while (s > 0 && !cancelling(c)) {
		/* poll(2) with no descriptor is a sleep that EINTR ends. */
		(void)poll(&p, p.fd >= 0 ? 1 : 0, (int)(s * 1000) + 1);
		s = end - pz_mono();
	}
}

/* curl's progress callback on the blocking handle: aborts the transfer
 * once the run is interrupted (curl calls it about once a second even
 * while nothing moves). */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return cancelling(ud) ? 1 : 0;
}

/* Runs a call to the end on the client's blocking handle. */
static int perform_blocking(struct pz_aws_call *k)
{
	struct pz_aws_client *c = k->c;
	int rc = 0;

	if (!c->blocking) {
		c->blocking = curl_easy_init();
		if (!c->blocking)
			PZ_BUG("curl_easy_init failed");
	}
	for (;;) {
		double delay;
		CURLcode res;

		if (c->retry.mode == PZ_RETRY_ADAPTIVE)
			sleep_seconds(c, pz_rate_limiter_acquire(
					     &c->retry.limiter, pz_mono()));
		if (cancelling(c)) {
			rc = call_interrupted(k);
			pz_error_save(&k->resp->failure);
			break;
		}
		curl_easy_reset(c->blocking);
		rc = attempt_setup(k, c->blocking);
		if (rc) {
			pz_error_save(&k->resp->failure);
			break;
		}
		curl_easy_setopt(c->blocking, CURLOPT_XFERINFOFUNCTION,
				 on_progress);
		curl_easy_setopt(c->blocking, CURLOPT_XFERINFODATA, c);
		curl_easy_setopt(c->blocking, CURLOPT_NOPROGRESS, 0L);
		k->wired++;
		res = curl_easy_perform(c->blocking);
		delay = attempt_done(k, c->blocking, res, &rc);
		/* The easy handle keeps pointers into k: drop them
		 * (resetting an option to its default cannot fail). */
		if (curl_easy_setopt(c->blocking, CURLOPT_HTTPHEADER, NULL) !=
		    CURLE_OK)
			PZ_BUG("curl_easy_setopt(CURLOPT_HTTPHEADER, NULL)");
		if (delay < 0)
			break;
		sleep_seconds(c, delay);
	}
	k->resp->seconds = pz_mono() - k->submitted;
	k->resp->unsent = k->unsent == k->wired;
	k->resp->maybe_acted = k->maybe_acted > 0;
	return rc;
}

struct sync_wait {
	bool done;
	bool abandoned; /* the waiter was interrupted and left */
	int rc;
	struct pz_aws_response *resp; /* with the call's own error */
};

static void sync_done(void *ud, int rc, struct pz_aws_response *resp)
{
	struct sync_wait *w = ud;

	if (w->abandoned) {
		free(w);
		return;
	}
	w->done = true;
	w->rc = rc;
	w->resp = pz_aws_response_steal(resp);
}

int pz_aws_perform(struct pz_aws_client *c, struct pz_aws_request *req,
		   struct pz_aws_response **out)
{
	struct sync_wait *w;
	int rc;

	if (out)
		*out = NULL;
	if (c->in_callback || (req->flags & PZ_AWS_REQ_BLOCKING)) {
		struct pz_aws_call k;

		memset(&k, 0, sizeof(k));
		k.c = c;
		k.id = c->next_call_id++;
		k.req = req;
		k.resp = response_new(req->max_body);
		k.submitted = pz_mono();
		rc = perform_blocking(&k);
		if (out)
			*out = k.resp;
		else
			pz_aws_response_free(k.resp);
		curl_slist_free_all(k.slist);
		pz_aws_request_free(k.req);
		free(k.url);
		free(k.creds_source);
		return rc;
	}
	w = pz_xcalloc(1, sizeof(*w));
	rc = pz_aws_submit(c, req, sync_done, w);
	if (rc) {
		free(w);
		return rc;
	}
	rc = pz_aws_run_until(c, &w->done);
	if (rc) {
		/* Interrupted: the call ends later and frees w itself. */
		w->abandoned = true;
		return rc;
	}
	rc = w->rc;
	if (rc)
		pz_error_restore(&w->resp->failure);
	if (out)
		*out = w->resp;
	else
		pz_aws_response_free(w->resp);
	free(w);
	return rc;
}
