/*
 * s3.h - the S3 calls the state backend and the import planner need,
 * over REST-XML with S3's SigV4 rules (x-amz-content-sha256, no path
 * normalisation).
 *
 * Buckets are addressed virtual-host style on AWS's own endpoints when
 * the name allows it, path style on custom endpoints (simulators,
 * AWS_ENDPOINT_URL). ETags are kept exactly as S3 gives them, quotes
 * included, so they can be sent back in If-Match.
 *
 * Outcomes as in http.h, plus: a missing key or bucket is PZ_ENOTFOUND;
 * a failed condition is PZ_ECONFLICT, with err->status telling 412
 * PreconditionFailed (the object exists / its ETag differs) from 409
 * ConditionalRequestConflict (a concurrent conditional write; retry).
 */
#ifndef PZ_AWS_S3_H
#define PZ_AWS_S3_H

#include <stdint.h>

#include "core/buf.h"

struct pz_aws_client;
struct pz_aws_error;
struct pz_aws_response;

struct pz_s3_put_opts {
	const char *content_type; /* NULL: application/octet-stream */
	bool if_none_match;	  /* If-None-Match: * (create only) */
	const char *if_match;	  /* If-Match: ETAG (replace that version) */
	const char *sse;	  /* "aws:kms", "AES256" or NULL */
	const char *kms_key_id;	  /* with sse "aws:kms"; may be NULL */
};

struct pz_s3_object {
	char *key;
	char *etag;
	uint64_t size;
	char *last_modified; /* as S3 gives it; may be NULL */
};

void pz_s3_object_release(struct pz_s3_object *o);
/* s3://bucket/prefix -> bucket, prefix (allocated; prefix may be ""). */
int pz_s3_split_url(const char *url, char **bucket, char **prefix);
/*
 * An S3 key (or prefix) pz composes a path from: no control characters,
 * and no "." or ".." segment (HTTP clients resolve them: "../../x" would
 * address another object). Checked where the key is used, so a value
 * that came from -var is held to it too. 0, or PZ_EINVAL with a message
 * naming what ("pz.backend.s3.key").
 */
int pz_s3_check_key(const char *what, const char *key);
/*
 * A location as a spec gives it, "s3://BUCKET/PREFIX": the scheme, a
 * bucket name as S3 allows it (3 to 63 lowercase letters, digits, '.'
 * and '-', a letter or digit at each end) and a key as
 * pz_s3_check_key. 0, or PZ_EINVAL with a message naming what.
 */
int pz_s3_check_location(const char *what, const char *url);
void pz_s3_objects_free(struct pz_s3_object *objs, size_t n);

/* True for err from a 412 / a 409 conditional-write conflict. */
bool pz_s3_precondition_failed(const struct pz_aws_error *err);
bool pz_s3_conditional_conflict(const struct pz_aws_error *err);

/* PutObject. *etag (may be NULL) receives the new ETag, owned by the
 * caller. err may be NULL. */
int pz_s3_put_object(struct pz_aws_client *c, const char *bucket,
		     const char *key, const void *data, size_t len,
		     const struct pz_s3_put_opts *opts, char **etag,
		     struct pz_aws_error *err);
/* GetObject: the body is appended to body (its cap applies), *etag (may
 * be NULL) owned by the caller. */
int pz_s3_get_object(struct pz_aws_client *c, const char *bucket,
		     const char *key, struct pz_buf *body, char **etag,
		     struct pz_aws_error *err);
/*
 * GetObject of bytes [offset, offset + len) on the client's event loop
 * (Range: bytes=A-B, If-Match: if_match when not NULL, so an object
 * replaced while it is read fails with PZ_ECONFLICT instead of mixing
 * two versions). done gets the outcome code and the response (borrowed;
 * body: the bytes, at most len), as pz_aws_submit's callbacks do. A
 * range that starts at or past the end is answered 416: done then gets
 * 0 with an empty body. Returns 0, or an error without calling done.
 */
int pz_s3_get_range_submit(
    struct pz_aws_client *c, const char *bucket, const char *key,
    uint64_t offset, uint64_t len, const char *if_match,
    void (*done)(void *ud, int rc, struct pz_aws_response *resp), void *ud);
/* HeadObject: out (key, ETag, size) owned by the caller. */
int pz_s3_head_object(struct pz_aws_client *c, const char *bucket,
		      const char *key, struct pz_s3_object *out,
		      struct pz_aws_error *err);
/* DeleteObject, with If-Match when if_match is not NULL. Deleting a
 * missing key succeeds, as in S3. */
int pz_s3_delete_object(struct pz_aws_client *c, const char *bucket,
			const char *key, const char *if_match,
			struct pz_aws_error *err);
/*
 * ListObjectsV2 over every page: the objects under prefix (may be NULL)
 * in key order. *objs (pz_s3_objects_free) and *n are the caller's.
 */
int pz_s3_list_objects(struct pz_aws_client *c, const char *bucket,
		       const char *prefix, struct pz_s3_object **objs,
		       size_t *n, struct pz_aws_error *err);
/* The same with page_size keys per request (0: S3's default, 1000). */
int pz_s3_list_objects_paged(struct pz_aws_client *c, const char *bucket,
			     const char *prefix, int page_size,
			     struct pz_s3_object **objs, size_t *n,
			     struct pz_aws_error *err);

#endif
