/*
 * s3.c - S3 over REST-XML.
 */
#include "s3.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "core/error.h"
#include "http.h"
#include "xml.h"

void pz_s3_object_release(struct pz_s3_object *o)
{
	free(o->key);
	free(o->etag);
	free(o->last_modified);
	memset(o, 0, sizeof(*o));
}

void pz_s3_objects_free(struct pz_s3_object *objs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pz_s3_object_release(&objs[i]);
	free(objs);
}

bool pz_s3_precondition_failed(const struct pz_aws_error *err)
{
	return err && err->status == 412;
}

bool pz_s3_conditional_conflict(const struct pz_aws_error *err)
{
	return err && err->status == 409 && err->code &&
	       strcmp(err->code, "ConditionalRequestConflict") == 0;
}

/* Names usable as a host label: 3-63 of [a-z0-9-], no dots (TLS). */
static bool virtual_host_ok(const char *bucket)
{
	size_t n = strlen(bucket), i;

	if (n < 3 || n > 63 || bucket[0] == '-' || bucket[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)bucket[i]) &&
		    !isdigit((unsigned char)bucket[i]) && bucket[i] != '-')
			return false;
	return true;
}

/* A request for bucket/key (key may be NULL: the bucket itself). */
static int s3_request(struct pz_aws_client *c, const char *op,
		      const char *method, const char *bucket, const char *key,
		      struct pz_aws_request **out)
{
	const struct pz_aws_endpoint *ep;
	struct pz_buf path;
	bool vhost;
	int r;

	*out = NULL;
	if (!bucket || !*bucket)
		return pz_error_set(PZ_EINVAL, "s3 %s: no bucket", op);
	if (key && !*key)
		return pz_error_set(PZ_EINVAL, "s3 %s: empty key", op);
	if ((r = pz_aws_client_endpoint(c, PZ_AWS_S3, &ep)))
		return r;
	vhost = !ep->custom && virtual_host_ok(bucket);
	pz_buf_init(&path, 0);
	r = pz_buf_addc(&path, '/');
	if (!r && !vhost) {
		r = pz_aws_uri_encode(&path, bucket, strlen(bucket), false);
		if (!r && key)
			r = pz_buf_addc(&path, '/');
	}
	if (!r && key)
		r = pz_aws_uri_encode(&path, key, strlen(key), true);
	if (r) {
		pz_buf_release(&path);
		return r;
	}
	*out = pz_aws_request_new(PZ_AWS_S3, op, method, pz_buf_cstr(&path));
	pz_buf_release(&path);
	if (vhost) {
		char *prefix = pz_xasprintf("%s.", bucket);

		pz_aws_request_set_host_prefix(*out, prefix);
		free(prefix);
	}
	return 0;
}

/* Performs req; maps condition failures and fills err. */
static int s3_perform(struct pz_aws_client *c, struct pz_aws_request *req,
		      struct pz_aws_response **resp, struct pz_aws_error *err)
{
	int r;

	if (err)
		memset(err, 0, sizeof(*err));
	r = pz_aws_perform(c, req, resp);
	if (r && *resp) {
		struct pz_aws_error *e = &(*resp)->error;
		const char *region = pz_aws_headers_get(&(*resp)->headers,
							"x-amz-bucket-region");

		if (e->status == 412 || e->status == 409)
			r = pz_error_set(PZ_ECONFLICT, "%s", pz_error_last());
		else if (e->status == 301 && region)
			r = pz_error_set(PZ_EAWS,
					 "%s (the bucket is in region %s)",
					 pz_error_last(), region);
		if (err)
			pz_aws_error_copy(err, e);
	}
	return r;
}

static char *header_dup(const struct pz_aws_response *resp, const char *name)
{
	const char *v = pz_aws_headers_get(&resp->headers, name);

	return v ? pz_xstrdup(v) : NULL;
}

int pz_s3_put_object(struct pz_aws_client *c, const char *bucket,
		     const char *key, const void *data, size_t len,
		     const struct pz_s3_put_opts *opts, char **etag,
		     struct pz_aws_error *err)
{
	static const struct pz_s3_put_opts none;
	struct pz_aws_request *req;
	struct pz_aws_response *resp = NULL;
	int r;

	if (etag)
		*etag = NULL;
	if (!opts)
		opts = &none;
	if ((r = s3_request(c, "PutObject", "PUT", bucket, key, &req)))
		return r;
	pz_aws_request_set_body(req, data, len,
				opts->content_type
				    ? opts->content_type
				    : "application/octet-stream");
	if (opts->if_none_match)
		pz_aws_request_set_header(req, "If-None-Match", "*");
	if (opts->if_match)
		pz_aws_request_set_header(req, "If-Match", opts->if_match);
	if (opts->sse)
		pz_aws_request_set_header(req, "x-amz-server-side-encryption",
					  opts->sse);
	if (opts->kms_key_id)
		pz_aws_request_set_header(
		    req, "x-amz-server-side-encryption-aws-kms-key-id",
		    opts->kms_key_id);
	r = s3_perform(c, req, &resp, err);
	if (!r && etag)
		*etag = header_dup(resp, "ETag");
	pz_aws_response_free(resp);
	return r;
}

int pz_s3_get_object(struct pz_aws_client *c, const char *bucket,
		     const char *key, struct pz_buf *body, char **etag,
		     struct pz_aws_error *err)
{
	struct pz_aws_request *req;
	struct pz_aws_response *resp = NULL;
	int r;

	if (etag)
		*etag = NULL;
	if ((r = s3_request(c, "GetObject", "GET", bucket, key, &req)))
		return r;
	pz_aws_request_set_max_body(req, body->max);
	r = s3_perform(c, req, &resp, err);
	if (!r) {
		r = pz_buf_add(body, resp->body.ptr ? resp->body.ptr : "",
			       resp->body.len);
		if (!r && etag)
			*etag = header_dup(resp, "ETag");
	}
	pz_aws_response_free(resp);
	return r;
}

struct range_call {
	void (*done)(void *ud, int rc, struct pz_aws_response *resp);
	void *ud;
};

static void range_done(void *ud, int rc, struct pz_aws_response *resp)
{
	struct range_call rc_ = *(struct range_call *)ud;

	free(ud);
	if (rc && resp && resp->status == 416) {
		/* Past the end (an empty object, or a size that shrank):
		 * no bytes, not an error. */
		pz_error_clear();
		pz_buf_reset(&resp->body);
		rc = 0;
	} else if (rc && resp && resp->status == 412) {
		char *msg = pz_xstrdup(pz_error_last());

		rc = pz_error_set(PZ_ECONFLICT,
				  "%s (the object changed while it was read)",
				  msg);
		free(msg);
	}
	rc_.done(rc_.ud, rc, resp);
}

int pz_s3_get_range_submit(
    struct pz_aws_client *c, const char *bucket, const char *key,
    uint64_t offset, uint64_t len, const char *if_match,
    void (*done)(void *ud, int rc, struct pz_aws_response *resp), void *ud)
{
	struct pz_aws_request *req;
	struct range_call *call;
	char range[64];
	int r;

	if (!len)
		return pz_error_set(PZ_EINVAL, "s3 GetObject: empty range");
	if ((r = s3_request(c, "GetObject", "GET", bucket, key, &req)))
		return r;
	snprintf(range, sizeof(range), "bytes=%llu-%llu",
		 (unsigned long long)offset,
		 (unsigned long long)(offset + len - 1));
	pz_aws_request_set_header(req, "Range", range);
	if (if_match)
		pz_aws_request_set_header(req, "If-Match", if_match);
	pz_aws_request_set_max_body(req, (size_t)len + 1);
	call = pz_xcalloc(1, sizeof(*call));
	call->done = done;
	call->ud = ud;
	r = pz_aws_submit(c, req, range_done, call);
	if (r)
		free(call);
	return r;
}

int pz_s3_head_object(struct pz_aws_client *c, const char *bucket,
		      const char *key, struct pz_s3_object *out,
		      struct pz_aws_error *err)
{
	struct pz_aws_request *req;
	struct pz_aws_response *resp = NULL;
	const char *len;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = s3_request(c, "HeadObject", "HEAD", bucket, key, &req)))
		return r;
	r = s3_perform(c, req, &resp, err);
	if (!r) {
		out->key = pz_xstrdup(key);
		out->etag = header_dup(resp, "ETag");
		out->last_modified = header_dup(resp, "Last-Modified");
		len = pz_aws_headers_get(&resp->headers, "Content-Length");
		out->size = len ? strtoull(len, NULL, 10) : 0;
	}
	pz_aws_response_free(resp);
	return r;
}

int pz_s3_delete_object(struct pz_aws_client *c, const char *bucket,
			const char *key, const char *if_match,
			struct pz_aws_error *err)
{
	struct pz_aws_request *req;
	struct pz_aws_response *resp = NULL;
	int r;

	if ((r = s3_request(c, "DeleteObject", "DELETE", bucket, key, &req)))
		return r;
	if (if_match)
		pz_aws_request_set_header(req, "If-Match", if_match);
	r = s3_perform(c, req, &resp, err);
	pz_aws_response_free(resp);
	return r;
}

int pz_s3_list_objects(struct pz_aws_client *c, const char *bucket,
		       const char *prefix, struct pz_s3_object **objs,
		       size_t *n, struct pz_aws_error *err)
{
	return pz_s3_list_objects_paged(c, bucket, prefix, 0, objs, n, err);
}

int pz_s3_list_objects_paged(struct pz_aws_client *c, const char *bucket,
			     const char *prefix, int page_size,
			     struct pz_s3_object **objs, size_t *n,
			     struct pz_aws_error *err)
{
	struct pz_s3_object *v = NULL;
	size_t count = 0, cap = 0, i;
	char *token = NULL;
	int r = 0, pages = 0;

	*objs = NULL;
	*n = 0;
	do {
		struct pz_aws_request *req;
		struct pz_aws_response *resp = NULL;
		struct pz_xml_node *doc = NULL;
		const char *next;

		if ((r = s3_request(c, "ListObjectsV2", "GET", bucket, NULL,
				    &req)))
			break;
		pz_aws_request_add_query(req, "list-type", "2");
		if (page_size > 0) {
			char mk[16];

			snprintf(mk, sizeof(mk), "%d", page_size);
			pz_aws_request_add_query(req, "max-keys", mk);
		}
		if (prefix && *prefix)
			pz_aws_request_add_query(req, "prefix", prefix);
		if (token)
			pz_aws_request_add_query(req, "continuation-token",
						 token);
		r = s3_perform(c, req, &resp, err);
		if (!r && pz_xml_parse(resp->body.ptr ? resp->body.ptr : "",
				       resp->body.len, &doc)) {
			r = pz_error_wrap(
			    PZ_EAWS, "s3 ListObjectsV2: unreadable answer");
		}
		pz_aws_response_free(resp);
		if (r)
			break;
		for (i = 0; i < doc->n_children; i++) {
			const struct pz_xml_node *o = doc->children[i];
			const char *k, *sz;

			if (strcmp(o->name, "Contents") != 0)
				continue;
			k = pz_xml_path_text(o, "Key");
			if (!k)
				continue;
			PZ_GROW(v, count, cap);
			memset(&v[count], 0, sizeof(v[count]));
			v[count].key = pz_xstrdup(k);
			if (pz_xml_path_text(o, "ETag"))
				v[count].etag =
				    pz_xstrdup(pz_xml_path_text(o, "ETag"));
			if (pz_xml_path_text(o, "LastModified"))
				v[count].last_modified = pz_xstrdup(
				    pz_xml_path_text(o, "LastModified"));
			sz = pz_xml_path_text(o, "Size");
			v[count].size = sz ? strtoull(sz, NULL, 10) : 0;
			count++;
		}
		free(token);
		token = NULL;
		next = pz_xml_path_text(doc, "NextContinuationToken");
		if (next && *next && pz_xml_path_text(doc, "IsTruncated") &&
		    strcmp(pz_xml_path_text(doc, "IsTruncated"), "true") == 0)
			token = pz_xstrdup(next);
		pz_xml_free(doc);
		if (++pages > 100000) {
			r = pz_error_set(PZ_EAWS,
					 "s3 ListObjectsV2: too many pages");
			break;
		}
	} while (token);
	free(token);
	if (r) {
		pz_s3_objects_free(v, count);
		return r;
	}
	*objs = v;
	*n = count;
	return 0;
}

int pz_s3_check_key(const char *what, const char *key)
{
	const char *seg = key, *p;

	for (p = key; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return pz_error_set(PZ_EINVAL,
					    "%s '%s' holds a control character",
					    what, key);
	for (;;) {
		size_t n = strcspn(seg, "/");

		if ((n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return pz_error_set(PZ_EINVAL,
					    "%s '%s' has a '.' or '..' part: "
					    "name the object without them",
					    what, key);
		if (!seg[n])
			return 0;
		seg += n + 1;
	}
}

/* S3's bucket naming rules (bucketnamingrules.html), those that a name
 * of any age must follow. */
static bool bucket_name_ok(const char *b, size_t n)
{
	size_t i;

	if (n < 3 || n > 63 || !isalnum((unsigned char)b[0]) ||
	    !isalnum((unsigned char)b[n - 1]))
		return false;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)b[i]) ||
		      isdigit((unsigned char)b[i]) || b[i] == '.' ||
		      b[i] == '-') ||
		    (b[i] == '.' && b[i + 1] == '.'))
			return false;
	return true;
}

int pz_s3_check_location(const char *what, const char *url)
{
	const char *b = url + 5, *slash;
	size_t n;

	if (!pz_str_has_prefix(url, "s3://"))
		return pz_error_set(PZ_EINVAL,
				    "%s '%s' is not an S3 location: write "
				    "s3://BUCKET/PREFIX/",
				    what, url);
	slash = strchr(b, '/');
	n = slash ? (size_t)(slash - b) : strlen(b);
	if (!bucket_name_ok(b, n))
		return pz_error_set(
		    PZ_EINVAL,
		    "%s '%s': '%.*s' is not an S3 bucket name (3 to 63 "
		    "lowercase letters, digits, '.' and '-', starting and "
		    "ending with a letter or digit)",
		    what, url, (int)n, b);
	return pz_s3_check_key(what, url);
}

int pz_s3_split_url(const char *url, char **bucket, char **prefix)
{
	const char *b, *slash;

	if (!pz_str_has_prefix(url, "s3://"))
		return pz_error_set(
		    PZ_EINVAL, "data location '%s' is not an s3:// URL", url);
	b = url + 5;
	slash = strchr(b, '/');
	*bucket = slash ? pz_xstrndup(b, (size_t)(slash - b)) : pz_xstrdup(b);
	*prefix = pz_xstrdup(slash ? slash + 1 : "");
	return 0;
}
