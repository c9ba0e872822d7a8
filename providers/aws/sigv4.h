/*
 * sigv4.h - AWS Signature Version 4 (header signing), as specified by
 * AWS and checked against its test suite (tests/unit/test_aws_sigv4.c).
 *
 * pz_sigv4_sign() adds X-Amz-Date, X-Amz-Security-Token (with a session
 * token), x-amz-content-sha256 (S3) and Authorization to the request's
 * header list. Every header already in the list is signed except
 * Authorization, User-Agent, Expect, X-Amzn-Trace-Id, Content-Length,
 * Transfer-Encoding and Connection, so callers put Host (exactly as it is
 * sent) and anything the service must see signed into the list first.
 *
 * Paths are given as they go on the wire (already percent-encoded).
 * For every service but S3 the canonical URI is that path normalised
 * (dot segments and repeated slashes removed) and encoded once more, as
 * the SDKs do; for S3 (PZ_SIGV4_S3) it is the path exactly as sent.
 */
#ifndef PZ_AWS_SIGV4_H
#define PZ_AWS_SIGV4_H

#include <time.h>

#include "providers/aws/util.h"

enum pz_sigv4_flags {
	/* S3 rules: no path normalisation or second encoding, and the
	 * x-amz-content-sha256 header. */
	PZ_SIGV4_S3 = 1 << 0,
	/* Payload hash "UNSIGNED-PAYLOAD" instead of the body's SHA-256
	 * (S3 over https; streaming uploads). */
	PZ_SIGV4_UNSIGNED_PAYLOAD = 1 << 1,
	/* Add X-Amz-Security-Token after signing instead of signing it
	 * (the few services that want it so). */
	PZ_SIGV4_TOKEN_AFTER = 1 << 2,
};

/* Who signs, for what scope, when. Strings are borrowed. */
struct pz_sigv4_signer {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL for long-term keys */
	const char *region;
	const char *service; /* signing name: "personalize", "s3" */
	time_t when;
	unsigned flags; /* enum pz_sigv4_flags */
};

/* The request to sign. headers is modified; the rest is borrowed. */
struct pz_sigv4_request {
	const char *method;
	const char *path;  /* wire form, "/" at least */
	const char *query; /* wire form without '?', or NULL */
	struct pz_aws_headers *headers;
	const void *body;
	size_t body_len;
	const char *payload_hash; /* hex SHA-256 if already known, or NULL */
};

/* The intermediate strings, for tests and for debugging signatures. */
struct pz_sigv4_result {
	char *canonical_request;
	char *string_to_sign;
	char *authorization;
};

/*
 * Signs req with s, adding the headers above (an existing X-Amz-Date or
 * Authorization is replaced). When out is not NULL it receives the
 * canonical request, string to sign and Authorization value, owned by the
 * caller (pz_sigv4_result_release). Returns 0 or PZ_EINVAL.
 */
int pz_sigv4_sign(const struct pz_sigv4_signer *s, struct pz_sigv4_request *req,
		  struct pz_sigv4_result *out);
void pz_sigv4_result_release(struct pz_sigv4_result *r);

/*
 * The canonical URI of path (see above) appended to out; exposed for the
 * S3 module and tests.
 */
int pz_sigv4_canonical_uri(struct pz_buf *out, const char *path,
			   bool s3) PZ_MUST_USE;
/* The canonical query string of a wire query (NULL or "" gives ""). */
int pz_sigv4_canonical_query(struct pz_buf *out, const char *query) PZ_MUST_USE;

#endif
