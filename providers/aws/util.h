/*
 * util.h - small pieces the AWS modules share: ordered header lists, URI
 * encoding as SigV4 defines it, SHA-256/HMAC in hex, and the timestamp
 * formats AWS uses.
 *
 * Header lists keep names as given and compare them case-insensitively;
 * duplicates are allowed (SigV4 joins them). Values that may be secret
 * (x-amz-security-token, Authorization) are wiped when a list is
 * released.
 */
#ifndef PZ_AWS_UTIL_H
#define PZ_AWS_UTIL_H

#include <time.h>

#include "core/buf.h"
#include "core/common.h"

struct pz_aws_header {
	char *name;
	char *value;
};

struct pz_aws_headers {
	struct pz_aws_header *items;
	size_t n;
	size_t cap;
};

/* Appends a copy of name and value (duplicates allowed). */
void pz_aws_headers_add(struct pz_aws_headers *h, const char *name,
			const char *value);
/* Replaces every header called name with one copy of value. */
void pz_aws_headers_set(struct pz_aws_headers *h, const char *name,
			const char *value);
/* Removes every header called name. */
void pz_aws_headers_del(struct pz_aws_headers *h, const char *name);
/* The first value of name, or NULL. Borrowed from h. */
const char *pz_aws_headers_get(const struct pz_aws_headers *h,
			       const char *name);
/* Frees every entry, wiping values; h is left empty and reusable. */
void pz_aws_headers_release(struct pz_aws_headers *h);

/*
 * Appends s[0..len) percent-encoded as SigV4 wants: unreserved characters
 * (A-Z a-z 0-9 - _ . ~) kept, '/' kept when keep_slash, every other byte
 * as %XX with upper-case hex.
 */
int pz_aws_uri_encode(struct pz_buf *out, const char *s, size_t len,
		      bool keep_slash) PZ_MUST_USE;
/* Percent-decodes s[0..len) into out ('+' is kept as is). */
int pz_aws_uri_decode(struct pz_buf *out, const char *s,
		      size_t len) PZ_MUST_USE;

/* HMAC-SHA256 of msg under key into out[32]. */
void pz_aws_hmac_sha256(const void *key, size_t key_len, const void *msg,
			size_t msg_len, unsigned char out[32]);

/* "20150830T123600Z" into out[17]. */
void pz_aws_time_amz(time_t t, char out[17]);
/*
 * Parses an ISO 8601 UTC timestamp as AWS returns it
 * ("2024-01-02T03:04:05Z", fractional seconds and "+00:00" accepted).
 * Returns 0 and sets *out, or PZ_EINVAL.
 */
int pz_aws_time_parse(const char *s, time_t *out);

/* True when s equals "true" or "1", ignoring case (AWS's boolean env). */
bool pz_aws_truthy(const char *s);

#endif
