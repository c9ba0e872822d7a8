/*
 * json.c - JSON 1.1 and REST-JSON.
 */
#include "json.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "http.h"

struct json_call {
	struct pz_aws_json_done done;
	char *label;
};

static void json_done(void *ud, int rc, struct pz_aws_response *resp)
{
	struct json_call *jc = ud;
	cJSON *out = NULL;

	if (!rc) {
		if (resp->body.len == 0)
			out = cJSON_CreateObject();
		else
			out = cJSON_ParseWithLength(resp->body.ptr,
						    resp->body.len);
		if (!out) {
			rc = pz_error_set(PZ_EAWS,
					  "%s: the answer is not valid JSON",
					  jc->label);
			pz_error_save(&resp->failure);
		}
	}
	jc->done.fn(jc->done.ud, rc, out, resp);
	free(jc->label);
	free(jc);
}

static struct pz_aws_request *build(enum pz_aws_service svc, const char *op,
				    const char *method, const char *path,
				    const cJSON *body, bool rest)
{
	const struct pz_aws_service_info *si = pz_aws_service_info(svc);
	struct pz_aws_request *req;
	const char *q = strchr(path, '?');
	char *p = q ? pz_xstrndup(path, (size_t)(q - path)) : pz_xstrdup(path);

	req = pz_aws_request_new(svc, op, method, p);
	free(p);
	if (q && q[1]) {
		/* Already encoded: split it into pairs as given. */
		const char *s = q + 1;

		while (*s) {
			size_t n = strcspn(s, "&");
			const char *eq = memchr(s, '=', n);
			struct pz_buf k, v;

			pz_buf_init(&k, 0);
			pz_buf_init(&v, 0);
			if (pz_aws_uri_decode(&k, s,
					      eq ? (size_t)(eq - s) : n) ||
			    (eq && pz_aws_uri_decode(&v, eq + 1,
						     n - (size_t)(eq - s) - 1)))
				PZ_BUG("query over the buffer limit");
			pz_aws_request_add_query(req, pz_buf_cstr(&k),
						 pz_buf_cstr(&v));
			pz_buf_release(&k);
			pz_buf_release(&v);
			s += n + (s[n] == '&');
		}
	}
	if (!rest) {
		char *target = pz_xasprintf("%s.%s", si->target_prefix, op);

		pz_aws_request_set_header(req, "X-Amz-Target", target);
		free(target);
	}
	if (body || !rest) {
		char *text =
		    body ? cJSON_PrintUnformatted(body) : pz_xstrdup("{}");

		if (!text)
			PZ_BUG("cJSON_PrintUnformatted failed");
		pz_aws_request_take_body(req, text, strlen(text),
					 rest ? "application/json"
					      : "application/x-amz-json-1.1");
	}
	return req;
}

static int submit(struct pz_aws_client *c, enum pz_aws_service svc,
		  const char *op, const char *method, const char *path,
		  const cJSON *body, bool rest, struct pz_aws_json_done done)
{
	struct json_call *jc = pz_xcalloc(1, sizeof(*jc));
	int r;

	if (!rest && !pz_aws_service_info(svc)->target_prefix)
		PZ_BUG("%s does not speak JSON 1.1",
		       pz_aws_service_info(svc)->name);
	jc->done = done;
	jc->label = pz_xasprintf("%s %s", pz_aws_service_info(svc)->name, op);
	r = pz_aws_submit(c, build(svc, op, method, path, body, rest),
			  json_done, jc);
	if (r) {
		/* Refused (interrupted): no callback will free it. */
		free(jc->label);
		free(jc);
	}
	return r;
}

int pz_aws_json_submit(struct pz_aws_client *c, enum pz_aws_service svc,
		       const char *op, const cJSON *input,
		       struct pz_aws_json_done done)
{
	return submit(c, svc, op, "POST", "/", input, false, done);
}

int pz_aws_restjson_submit(struct pz_aws_client *c, enum pz_aws_service svc,
			   const char *op, const char *method, const char *path,
			   const cJSON *body, struct pz_aws_json_done done)
{
	return submit(c, svc, op, method, path, body, true, done);
}

static int call(struct pz_aws_client *c, enum pz_aws_service svc,
		const char *op, const char *method, const char *path,
		const cJSON *body, bool rest, cJSON **output,
		struct pz_aws_error *err)
{
	struct pz_aws_response *resp = NULL;
	cJSON *out = NULL;
	int r;

	if (output)
		*output = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	r = pz_aws_perform(c, build(svc, op, method, path, body, rest), &resp);
	if (r) {
		if (err && resp)
			pz_aws_error_copy(err, &resp->error);
		pz_aws_response_free(resp);
		return r;
	}
	out = resp->body.len
		  ? cJSON_ParseWithLength(resp->body.ptr, resp->body.len)
		  : cJSON_CreateObject();
	pz_aws_response_free(resp);
	if (!out)
		return pz_error_set(PZ_EAWS,
				    "%s %s: the answer is not valid JSON",
				    pz_aws_service_info(svc)->name, op);
	if (output)
		*output = out;
	else
		cJSON_Delete(out);
	return 0;
}

int pz_aws_json_call(struct pz_aws_client *c, enum pz_aws_service svc,
		     const char *op, const cJSON *input, cJSON **output,
		     struct pz_aws_error *err)
{
	return call(c, svc, op, "POST", "/", input, false, output, err);
}

int pz_aws_restjson_call(struct pz_aws_client *c, enum pz_aws_service svc,
			 const char *op, const char *method, const char *path,
			 const cJSON *body, cJSON **output,
			 struct pz_aws_error *err)
{
	return call(c, svc, op, method, path, body, true, output, err);
}
