/*
 * backend_s3.h - the state in an S3 object, locked with S3's conditional
 * writes (DESIGN.md §6). A struct pz_backend (core/backend.h).
 *
 * The state is s3://BUCKET/KEY and the lock s3://BUCKET/KEY.lock, a small
 * JSON object: Terraform's lock info plus "Owner", a random token of this
 * backend instance.
 *
 * - Lock: PutObject with If-None-Match: *, so only one writer can create
 *   the object. A 412 means it exists: pz reads it, and when the owner
 *   token and ID are ours the 412 answered a retry of our own write that
 *   had already landed, so we hold the lock. A 409
 *   ConditionalRequestConflict (another conditional write in flight) and
 *   a 404 after a 412 (the holder released it in between) are retried.
 *   Before its first lock the backend probes the store: it creates a
 *   probe object with If-None-Match: * twice; the second must fail with
 *   412, or the store ignores conditions and locking is refused.
 * - Read remembers the ETag; write sends If-Match on it (If-None-Match: *
 *   when there was no state), so a concurrent writer is detected
 *   (PZ_ECONFLICT), never overwritten. A 412 whose current object is
 *   byte for byte what we wrote is our own retried write.
 * - Unlock and force-unlock read the lock, compare, then DeleteObject
 *   with If-Match on the ETag they read: a lock taken by someone else
 *   in between is never removed.
 * - Every PutObject (state, lock, probe) carries the encryption headers
 *   when asked: AES256, or aws:kms with the key id.
 */
#ifndef PZ_AWS_BACKEND_S3_H
#define PZ_AWS_BACKEND_S3_H

#include <signal.h>

#include "core/backend.h"

struct pz_aws_client;

struct pz_backend_s3_opts {
	const char *bucket;
	const char *key;	/* the state object */
	bool encrypt;		/* SSE-S3 (AES256) on every object */
	const char *kms_key_id; /* SSE-KMS with this key (implies encrypt) */
	/* Non-zero once the run is interrupted (cmd/'s signal handler sets
	 * it): lock waits and retries stop with PZ_EINTR. May be NULL. */
	const volatile sig_atomic_t *interrupted;
};

/*
 * A backend storing the state in S3 through c, which it takes: c is
 * freed with the backend, also when this fails. PZ_EINVAL when bucket
 * or key is missing. No network until the first operation. *out:
 * pz_backend_free().
 */
int pz_backend_s3_new(struct pz_backend **out, struct pz_aws_client *c,
		      const struct pz_backend_s3_opts *opts);
/* The lock object's key of an S3 backend (NULL for others). Borrowed. */
const char *pz_backend_s3_lock_key(const struct pz_backend *b);

#endif
