/*
 * backend_s3.c - the state in S3, locked with conditional writes
 * (backend_s3.h says how).
 */
#include "backend_s3.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/escape.h"
#include "core/log.h"
#include "core/random.h"
#include "client.h"
#include "http.h"
#include "s3.h"

/* Retries of transient conditions (409, 404 after 412) per operation. */
#define MAX_TRANSIENT 8

struct s3 {
	struct pz_backend base;
	struct pz_aws_client *c; /* owned */
	char *bucket, *key, *lock_key;
	const char *sse; /* NULL, "AES256" or "aws:kms" */
	char *kms_key_id;
	const volatile sig_atomic_t *interrupted;
	char owner[37];	  /* this instance's token in the lock object */
	char lock_id[37]; /* the ID of the lock we hold */
	bool have_read;
	char *etag; /* of the state we read or wrote; NULL: there was none */
	bool probed;
};

static struct s3 *S(struct pz_backend *b)
{
	return (struct s3 *)b;
}

/* Half of base * 2^attempt (capped), plus up to as much again. */
static long backoff_ms(int attempt, long base, long cap)
{
	long d = base;

	while (attempt-- > 0 && d < cap)
		d *= 2;
	if (d > cap)
		d = cap;
	return pz_jitter(d);
}

static int check_interrupted(struct s3 *s)
{
	if (s->interrupted && *s->interrupted)
		return pz_error_set(PZ_EINTR,
				    "interrupted while working on the "
				    "state lock of '%s'",
				    s->base.location);
	return 0;
}

/* Sleeps ms; for what must finish even when interrupted (writing the
 * state, releasing the lock). */
static void pause_plain(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Sleeps ms in short steps, so an interruption is seen promptly. */
static int pause_ms(struct s3 *s, long ms)
{
	int r;

	while (ms > 0) {
		long step = ms > 100 ? 100 : ms;
		struct timespec ts = {0, step * 1000000L};

		if ((r = check_interrupted(s)))
			return r;
		nanosleep(&ts, NULL); /* EINTR: the flag says why */
		ms -= step;
	}
	return check_interrupted(s);
}

static void put_opts(const struct s3 *s, struct pz_s3_put_opts *o,
		     const char *content_type)
{
	memset(o, 0, sizeof(*o));
	o->content_type = content_type;
	o->sse = s->sse;
	o->kms_key_id = s->kms_key_id;
}

/* A 404 for the key, not for the bucket. */
static bool key_missing(int r, const struct pz_aws_error *err)
{
	return r == PZ_ENOTFOUND &&
	       !(err->code && !strcmp(err->code, "NoSuchBucket"));
}

static int bucket_error(struct s3 *s, int r, const struct pz_aws_error *err)
{
	if (r == PZ_ENOTFOUND && err->code &&
	    !strcmp(err->code, "NoSuchBucket"))
		return pz_error_set(
		    PZ_ENOTFOUND,
		    "the state bucket '%s' does not exist "
		    "(pz does not create it; see docs/state.md)",
		    s->bucket);
	return r;
}

/* --- the lock object ---------------------------------------------------- */

static int lock_json(const struct s3 *s, const struct pz_lock_info *info,
		     struct pz_buf *out)
{
	struct pz_buf base;
	cJSON *o;
	char *text;
	int r;

	pz_buf_init(&base, 0);
	if ((r = pz_lock_info_to_json(info, &base)))
		goto out;
	o = cJSON_ParseWithLength(base.ptr, base.len);
	if (!o)
		PZ_BUG("lock info does not parse: %s", base.ptr);
	cJSON_AddStringToObject(o, "Owner", s->owner);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		PZ_BUG("out of memory");
	r = pz_buf_adds(out, text);
	if (!r)
		r = pz_buf_addc(out, '\n');
	free(text);
out:
	pz_buf_release(&base);
	return r;
}

/*
 * Reads the lock object: *held false when there is none; else info, the
 * owner token (empty when absent) and *etag (owned by the caller).
 */
static int read_lock(struct s3 *s, struct pz_lock_info *info, char owner[37],
		     char **etag, bool *held)
{
	struct pz_aws_error err = {0};
	struct pz_buf body;
	const cJSON *ow;
	cJSON *o;
	int r;

	*held = false;
	*etag = NULL;
	owner[0] = '\0';
	memset(info, 0, sizeof(*info));
	pz_buf_init(&body, 65536);
	r = pz_s3_get_object(s->c, s->bucket, s->lock_key, &body, etag, &err);
	if (key_missing(r, &err)) {
		pz_error_clear();
		r = 0;
		goto out;
	}
	if (r) {
		r = bucket_error(s, r, &err);
		goto out;
	}
	*held = true;
	if (pz_lock_info_from_json(info, body.ptr, body.len) || !info->id[0]) {
		/* A lock we cannot read is still a lock. */
		memset(info, 0, sizeof(*info));
		snprintf(info->id, sizeof(info->id), "unreadable");
	}
	pz_error_clear();
	o = cJSON_ParseWithLength(body.ptr, body.len);
	ow = cJSON_GetObjectItemCaseSensitive(o, "Owner");
	if (cJSON_IsString(ow))
		snprintf(owner, 37, "%s", ow->valuestring);
	cJSON_Delete(o);
out:
	pz_aws_error_release(&err);
	pz_buf_release(&body);
	return r;
}

static bool is_ours(const struct s3 *s, const struct pz_lock_info *info,
		    const char *owner, const char *id)
{
	return !strcmp(owner, s->owner) && !strcmp(info->id, id);
}

static int locked_error(struct s3 *s, const struct pz_lock_info *holder)
{
	char desc[512];

	pz_lock_info_describe(holder, desc, sizeof(desc));
	return pz_error_set(PZ_ELOCKED,
			    "the state '%s' is locked by %s; wait "
			    "(-lock-timeout=30s) or if that run is gone: pz "
			    "force-unlock %s",
			    s->base.location, desc, pz_esc(holder->id));
}

/*
 * Deletes the lock object if it is still the one we read (etag). 0, or
 * PZ_ECONFLICT for a 412/409 (it changed: read again), or an error. A
 * 404 is success: the lock we had just read is gone either way (most
 * likely our own delete, retried after its answer was lost).
 */
static int delete_lock(struct s3 *s, const char *etag)
{
	struct pz_aws_error err = {0};
	int r;

	r = pz_s3_delete_object(s->c, s->bucket, s->lock_key, etag, &err);
	if (key_missing(r, &err)) {
		pz_error_clear();
		r = 0;
	}
	pz_aws_error_release(&err);
	return r;
}

/*
 * After a lock write failed without an answer we trust (transport
 * error, 5xx after retries), the write may still have landed: remove
 * the lock if it is ours, so a failed run leaves no stale lock.
 */
static void forget_failed_lock(struct s3 *s, const char *id)
{
	struct pz_error saved = {0};
	struct pz_lock_info info;
	char owner[37], *etag = NULL;
	bool held;

	pz_error_save(&saved);
	if (!read_lock(s, &info, owner, &etag, &held) && held &&
	    is_ours(s, &info, owner, id))
		delete_lock(s, etag);
	free(etag);
	pz_error_restore(&saved);
	pz_error_release(&saved);
}

/*
 * Creates a probe object twice with If-None-Match: *; the second write
 * must fail with 412. Stores that ignore the condition cannot lock.
 */
static int probe(struct s3 *s)
{
	static const char text[] = "pz conditional-write probe\n";
	struct pz_s3_put_opts o;
	struct pz_aws_error err = {0};
	char id[37], *key = NULL;
	bool ignored = false;
	int r, i, pass;

	if (s->probed)
		return 0;
	if ((r = pz_uuid4(id)))
		return r;
	key = pz_xasprintf("%s.probe-%s", s->lock_key, id);
	put_opts(s, &o, "text/plain");
	o.if_none_match = true;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0;; i++) {
			r = pz_s3_put_object(s->c, s->bucket, key, text,
					     sizeof(text) - 1, &o, NULL, &err);
			if (r && pz_s3_conditional_conflict(&err) &&
			    i < MAX_TRANSIENT) {
				pz_aws_error_release(&err);
				if ((r = pause_ms(s, backoff_ms(i, 50, 800))))
					goto out;
				continue;
			}
			break;
		}
		if (pass == 0) {
			/* A 412 here answers a retry of our own write. */
			if (r && !pz_s3_precondition_failed(&err)) {
				r = bucket_error(s, r, &err);
				pz_aws_error_release(&err);
				goto out;
			}
		} else if (!r) {
			ignored = true;
		} else if (!pz_s3_precondition_failed(&err)) {
			struct pz_error why = {0};

			pz_error_save(&why);
			pz_aws_error_release(&err);
			pz_s3_delete_object(s->c, s->bucket, key, NULL, NULL);
			r = pz_error_set(PZ_EINVAL,
					 "s3://%s does not support conditional "
					 "writes (If-None-Match: * was "
					 "answered: %s), so pz cannot lock the "
					 "state there: refusing to lock",
					 s->bucket, why.message);
			pz_error_release(&why);
			goto out;
		}
		pz_aws_error_release(&err);
	}
	if (pz_s3_delete_object(s->c, s->bucket, key, NULL, &err))
		PZ_WARN("unable to remove the probe object s3://%s/%s: %s",
			s->bucket, key, pz_error_last());
	pz_aws_error_release(&err);
	pz_error_clear();
	if (ignored) {
		r = pz_error_set(PZ_EINVAL,
				 "s3://%s ignores If-None-Match: a second "
				 "create-only write of the same key succeeded, "
				 "so two runs could both take the lock; pz "
				 "refuses to lock the state there (it needs S3 "
				 "conditional writes; see docs/state.md)",
				 s->bucket);
		goto out;
	}
	s->probed = true;
	r = 0;
out:
	free(key);
	return r;
}

/* One attempt to take the lock, retrying only what is transient.
 * PZ_ELOCKED when someone else holds it. */
static int lock_once(struct s3 *s, const struct pz_lock_info *info,
		     const struct pz_buf *body)
{
	struct pz_s3_put_opts o;
	struct pz_aws_error err = {0};
	struct pz_lock_info holder;
	char owner[37], *etag = NULL;
	bool held;
	int r, i;

	put_opts(s, &o, "application/json");
	o.if_none_match = true;
	for (i = 0;; i++) {
		if (i >= MAX_TRANSIENT)
			return pz_error_set(
			    PZ_ECONFLICT,
			    "the lock of '%s' kept changing while "
			    "pz tried to take it; try again",
			    s->base.location);
		if ((r = check_interrupted(s)))
			return r;
		r = pz_s3_put_object(s->c, s->bucket, s->lock_key, body->ptr,
				     body->len, &o, NULL, &err);
		if (!r) {
			pz_aws_error_release(&err);
			return 0;
		}
		if (pz_s3_conditional_conflict(&err)) {
			pz_aws_error_release(&err);
			if ((r = pause_ms(s, backoff_ms(i, 50, 800))))
				return r;
			continue;
		}
		if (!pz_s3_precondition_failed(&err)) {
			r = bucket_error(s, r, &err);
			pz_aws_error_release(&err);
			if (r != PZ_ENOTFOUND && r != PZ_EAUTH)
				forget_failed_lock(s, info->id);
			return r;
		}
		pz_aws_error_release(&err);
		/* 412: a lock exists. Ours, from a retried write? */
		if ((r = read_lock(s, &holder, owner, &etag, &held)))
			return r;
		free(etag);
		etag = NULL;
		if (!held) {
			/* Released in between: try again. */
			if ((r = pause_ms(s, backoff_ms(i, 20, 400))))
				return r;
			continue;
		}
		if (is_ours(s, &holder, owner, info->id))
			return 0;
		return locked_error(s, &holder);
	}
}

static int lock(struct pz_backend *b, const struct pz_lock_info *info)
{
	struct s3 *s = S(b);
	struct pz_buf body;
	int r;

	pz_buf_init(&body, 0);
	if ((r = probe(s)) || (r = lock_json(s, info, &body)))
		goto out;
	r = lock_once(s, info, &body);
	if (!r) {
		memcpy(s->lock_id, info->id, sizeof(s->lock_id));
		b->locked = true;
	}
out:
	pz_buf_release(&body);
	return r;
}

static int unlock(struct pz_backend *b)
{
	struct s3 *s = S(b);
	struct pz_lock_info holder;
	char owner[37], *etag = NULL;
	bool held;
	int r, i;

	if (!b->locked)
		return 0;
	b->locked = false;
	for (i = 0;; i++) {
		if (i >= MAX_TRANSIENT)
			return pz_error_set(
			    PZ_ECONFLICT,
			    "the lock of '%s' kept changing while "
			    "pz released it; check with pz "
			    "state list and pz force-unlock %s",
			    b->location, s->lock_id);
		if ((r = read_lock(s, &holder, owner, &etag, &held)))
			return r;
		if (!held)
			return pz_error_set(
			    PZ_ELOCKED,
			    "our lock on '%s' was removed by "
			    "someone else (force-unlock?) while "
			    "we held it",
			    b->location);
		if (!is_ours(s, &holder, owner, s->lock_id)) {
			free(etag);
			return pz_error_set(
			    PZ_ELOCKED,
			    "the lock on '%s' is now %s's (%s), "
			    "not ours; leaving it",
			    b->location,
			    holder.who[0] ? holder.who : "someone else",
			    holder.id);
		}
		r = delete_lock(s, etag);
		free(etag);
		etag = NULL;
		if (r != PZ_ECONFLICT)
			return r;
		pz_error_clear();
		/* A 409, or it changed: read again. Never without If-Match. */
		pause_plain(backoff_ms(i, 50, 800));
	}
}

static int lock_info(struct pz_backend *b, struct pz_lock_info *out, bool *held)
{
	char owner[37], *etag = NULL;
	int r = read_lock(S(b), out, owner, &etag, held);

	free(etag);
	return r;
}

static int force_unlock(struct pz_backend *b, const char *id)
{
	struct s3 *s = S(b);
	struct pz_lock_info holder;
	char owner[37], *etag = NULL;
	bool held;
	int r, i;

	for (i = 0;; i++) {
		if ((r = read_lock(s, &holder, owner, &etag, &held)))
			return r;
		if (!held)
			return pz_error_set(PZ_ENOTFOUND,
					    "the state '%s' is not locked",
					    b->location);
		if (strcmp(holder.id, id)) {
			free(etag);
			return pz_error_set(
			    PZ_EINVAL,
			    "the lock on '%s' has ID %s, not %s; "
			    "nothing removed",
			    b->location, holder.id, id);
		}
		r = delete_lock(s, etag);
		free(etag);
		etag = NULL;
		if (r != PZ_ECONFLICT)
			break;
		if (i + 1 >= MAX_TRANSIENT)
			return pz_error_set(
			    PZ_ECONFLICT,
			    "the lock on '%s' kept changing while "
			    "pz removed it; nothing removed",
			    b->location);
		pz_error_clear();
		if ((r = pause_ms(s, backoff_ms(i, 50, 800))))
			return r;
	}
	if (!r && b->locked && !strcmp(s->lock_id, id))
		b->locked = false;
	return r;
}

/* --- the state object ----------------------------------------------------- */

static int read_state(struct pz_backend *b, struct pz_buf *out, bool *exists)
{
	struct s3 *s = S(b);
	struct pz_aws_error err = {0};
	char *etag = NULL;
	int r;

	*exists = false;
	free(s->etag);
	s->etag = NULL;
	s->have_read = false;
	r = pz_s3_get_object(s->c, s->bucket, s->key, out, &etag, &err);
	if (key_missing(r, &err)) {
		pz_error_clear();
		s->have_read = true;
		r = 0;
	} else if (r) {
		r = bucket_error(s, r, &err);
	} else if (!etag) {
		r = pz_error_set(PZ_EAWS,
				 "s3 GetObject of %s gave no ETag: pz cannot "
				 "write it back safely",
				 b->location);
	} else {
		s->etag = etag;
		etag = NULL;
		s->have_read = true;
		*exists = true;
	}
	free(etag);
	pz_aws_error_release(&err);
	return r;
}

/*
 * After a failed conditional write: is the stored object exactly what we
 * wrote (our own write, retried after it landed)? Sets s->etag if so.
 */
static bool landed(struct s3 *s, const char *data, size_t len)
{
	struct pz_aws_error err = {0};
	struct pz_buf now;
	char *etag = NULL;
	bool same = false;

	pz_buf_init(&now, len + 1);
	if (!pz_s3_get_object(s->c, s->bucket, s->key, &now, &etag, &err) &&
	    etag && now.len == len && !memcmp(now.ptr, data, len)) {
		free(s->etag);
		s->etag = etag;
		etag = NULL;
		same = true;
	}
	free(etag);
	pz_aws_error_release(&err);
	pz_buf_release(&now);
	return same;
}

static int write_state(struct pz_backend *b, const char *data, size_t len)
{
	struct s3 *s = S(b);
	struct pz_s3_put_opts o;
	struct pz_aws_error err = {0};
	char *etag = NULL;
	int r, i;

	put_opts(s, &o, "application/json");
	if (s->have_read && s->etag)
		o.if_match = s->etag;
	else
		o.if_none_match =
		    true; /* never overwrite what we did not read */
	for (i = 0;; i++) {
		if ((r = pz_s3_put_object(s->c, s->bucket, s->key, data, len,
					  &o, &etag, &err)) == 0)
			break;
		if (pz_s3_conditional_conflict(&err) && i < MAX_TRANSIENT) {
			pz_aws_error_release(&err);
			pause_plain(backoff_ms(i, 50, 800));
			continue;
		}
		if (pz_s3_precondition_failed(&err) ||
		    (o.if_match && key_missing(r, &err))) {
			pz_aws_error_release(&err);
			if (landed(s, data, len)) {
				pz_error_clear();
				return 0;
			}
			return pz_error_set(
			    PZ_ECONFLICT,
			    "the state '%s' %s since pz read it: "
			    "another run wrote it without "
			    "holding the lock; nothing was "
			    "written (run the command again)",
			    b->location,
			    o.if_match ? "changed" : "was created");
		}
		r = bucket_error(s, r, &err);
		pz_aws_error_release(&err);
		return r;
	}
	pz_aws_error_release(&err);
	if (!etag) {
		/* Some stores answer without one: ask. */
		struct pz_s3_object head;

		if ((r = pz_s3_head_object(s->c, s->bucket, s->key, &head,
					   NULL)))
			return r;
		etag = head.etag;
		head.etag = NULL;
		pz_s3_object_release(&head);
	}
	free(s->etag);
	s->etag = etag;
	s->have_read = true;
	return 0;
}

static void free_s3(struct pz_backend *b)
{
	struct s3 *s = S(b);

	free(s->bucket);
	free(s->key);
	free(s->lock_key);
	free(s->kms_key_id);
	free(s->etag);
	free(b->location);
	pz_aws_client_free(s->c);
	free(s);
}

static const struct pz_backend_ops s3_ops = {
    .name = "s3",
    .read = read_state,
    .write = write_state,
    .lock = lock,
    .unlock = unlock,
    .lock_info = lock_info,
    .force_unlock = force_unlock,
    .free = free_s3,
};

int pz_backend_s3_new(struct pz_backend **out, struct pz_aws_client *c,
		      const struct pz_backend_s3_opts *opts)
{
	struct s3 *s;
	int r;

	*out = NULL;
	if (!opts->bucket || !*opts->bucket || !opts->key || !*opts->key) {
		pz_aws_client_free(c);
		return pz_error_set(PZ_EINVAL,
				    "the S3 backend needs a bucket and a key");
	}
	s = pz_xcalloc(1, sizeof(*s));
	if ((r = pz_uuid4(s->owner))) {
		pz_aws_client_free(c);
		free(s);
		return r;
	}
	s->base.ops = &s3_ops;
	s->base.location = pz_xasprintf("s3://%s/%s", opts->bucket, opts->key);
	s->c = c;
	s->bucket = pz_xstrdup(opts->bucket);
	s->key = pz_xstrdup(opts->key);
	s->lock_key = pz_xasprintf("%s.lock", opts->key);
	if (opts->kms_key_id && *opts->kms_key_id) {
		s->sse = "aws:kms";
		s->kms_key_id = pz_xstrdup(opts->kms_key_id);
	} else if (opts->encrypt) {
		s->sse = "AES256";
	}
	s->interrupted = opts->interrupted;
	*out = &s->base;
	return 0;
}

const char *pz_backend_s3_lock_key(const struct pz_backend *b)
{
	return b->ops == &s3_ops ? ((const struct s3 *)b)->lock_key : NULL;
}
