/*
 * backend_open.c - where a command's state lives, and its lock: the
 * backend chosen by -state=PATH, the spec's pz.backend or the default
 * (pz.state.json beside the spec); for S3 the AWS client it talks
 * through; the lock taken with -lock-timeout and released on every path
 * out (cmd.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "core/backend.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/lockwait.h"
#include "core/spec.h"
#include "providers/aws/backend_s3.h"
#include "providers/aws/client.h"
#include "providers/aws/s3.h"

const char *pz_cmd_workspace(void)
{
	const char *ws = getenv("PZ_WORKSPACE");

	if (!ws || !*ws || !strcmp(ws, "default"))
		return NULL;
	return ws;
}

static int open_s3(struct pz_backend **out, const struct pz_settings *s)
{
	struct pz_aws_client_options o;
	struct pz_backend_s3_opts so;
	struct pz_aws_client *c = NULL;
	const char *ws = pz_cmd_workspace();
	char *key;
	int r;

	/* It becomes part of an S3 key: the address key rule (no '/', no
	 * newline, no escape), as for every name pz composes keys from. */
	if (ws && !pz_state_key_valid(ws))
		return pz_error_set(PZ_EINVAL,
				    "PZ_WORKSPACE='%s': a workspace name is 1 "
				    "to 128 letters, digits, '-' and '_'",
				    ws);
	if ((s->s3_key &&
	     (r = pz_s3_check_key("pz.backend.s3.key", s->s3_key))) ||
	    (s->s3_workspace_prefix &&
	     (r = pz_s3_check_key("pz.backend.s3.workspacePrefix",
				  s->s3_workspace_prefix))))
		return r;
	memset(&o, 0, sizeof(o));
	o.region = s->s3_region;
	o.default_region = s->region;
	o.profile = s->profile;
	/* Its writes and the lock's release must finish after Ctrl-C; the
	 * backend stops at its own safe points (so.interrupted). */
	o.uninterruptible = true;
	if ((r = pz_aws_client_new(&c, &o)))
		return r;
	if (!pz_aws_client_region(c)) {
		pz_aws_client_free(c);
		return pz_error_set(PZ_EINVAL,
				    "no region for the state bucket '%s': set "
				    "pz.backend.s3.region or pz.region in the "
				    "spec, or AWS_REGION",
				    s->s3_bucket);
	}
	/* Terraform's layout: <prefix>/<workspace>/<key>. */
	key = ws ? pz_xasprintf("%s/%s/%s",
				s->s3_workspace_prefix ? s->s3_workspace_prefix
						       : "env:",
				ws, s->s3_key)
		 : pz_xstrdup(s->s3_key ? s->s3_key : "");
	memset(&so, 0, sizeof(so));
	so.bucket = s->s3_bucket;
	so.key = key;
	so.encrypt = s->s3_encrypt;
	so.kms_key_id = s->s3_kms_key_id;
	so.interrupted = &pz_cmd_interrupted;
	r = pz_backend_s3_new(out, c, &so); /* takes c */
	free(key);
	return r;
}

static int open_backend(struct pz_backend **out, const struct pz_spec *spec,
			const char *state_flag)
{
	const char *name;
	char *dir, *path;
	int r;

	*out = NULL;
	if (state_flag && !*state_flag)
		return pz_error_set(
		    PZ_EINVAL, "-state= names no file: pass -state=PATH, "
			       "or leave it out to use the spec's backend");
	if (state_flag)
		return pz_backend_local_new(out, state_flag);
	if (!spec)
		return pz_error_set(PZ_EINVAL,
				    "no spec to say where the state is: pass "
				    "-f FILE or -state=PATH");
	if (spec->settings.backend == PZ_BACKEND_S3)
		return open_s3(out, &spec->settings);
	if (pz_cmd_workspace())
		return pz_error_set(PZ_EINVAL,
				    "PZ_WORKSPACE is set, but workspaces need "
				    "the S3 backend; for another local state "
				    "pass -state=PATH");
	/* Relative paths are relative to the spec, like the spec's own
	 * references: the state stays beside it wherever pz runs. */
	name = spec->settings.state_path ? spec->settings.state_path
					 : "pz.state.json";
	dir = pz_path_dir(spec->path);
	path = name[0] == '/' ? pz_xstrdup(name)
			      : pz_xasprintf("%s/%s", dir, name);
	r = pz_backend_local_new(out, path);
	free(dir);
	free(path);
	return r;
}

/* The ID of the lock this process holds, for the message when it
 * cannot be released. */
static char held_lock_id[37];

/* Says whom we wait for, once the wait passes a second. */
static void say_waiting(void *ud, const struct pz_lock_info *holder,
			long timeout_ms)
{
	char desc[512], t[32];

	(void)ud;
	pz_duration_format(timeout_ms, t, sizeof(t));
	pz_lock_info_describe(holder, desc, sizeof(desc));
	fprintf(stderr, "pz: waiting up to %s for the state lock held by %s\n",
		t, desc);
}

int pz_cmd_backend_lock(struct pz_backend *b, const char *operation,
			long timeout_ms)
{
	struct pz_lock_info info;
	struct pz_lock_wait w = {timeout_ms, &pz_cmd_interrupted, say_waiting,
				 NULL};
	int r;

	if ((r = pz_lock_info_init(&info, operation, b->location)))
		return r;
	if ((r = pz_backend_lock_wait(b, &info, &w)))
		return r;
	if (b->took_over) {
		char desc[512];

		pz_lock_info_describe(&b->stale, desc, sizeof(desc));
		fprintf(stderr,
			"pz: took over the state lock held by %s: its "
			"process (%ld) on this machine is no longer "
			"running\n",
			desc, b->stale.pid);
	}
	memcpy(held_lock_id, info.id, sizeof(held_lock_id));
	pz_cmd_signals_hold_lock(b, info.id);
	return 0;
}

int pz_cmd_backend_open(struct pz_backend **out, const struct pz_spec *spec,
			const char *state_flag, const char *operation,
			const char *lock_timeout)
{
	struct pz_backend *b = NULL;
	long long timeout = 0;

	*out = NULL;
	/* Up to a week: a wait longer than that is a typo. */
	if (lock_timeout &&
	    pz_duration_parse(lock_timeout, 7 * 86400000LL, &timeout)) {
		pz_cmd_error("-lock-timeout takes a duration like 0s, 30s, 5m "
			     "or 1m30s: %s",
			     pz_error_last());
		return 1;
	}
	pz_cmd_signals_init();
	if (open_backend(&b, spec, state_flag))
		return pz_cmd_fail();
	if (operation && pz_cmd_backend_lock(b, operation, (long)timeout)) {
		pz_cmd_fail();
		pz_backend_free(b);
		return 1;
	}
	*out = b;
	return 0;
}

int pz_cmd_backend_close(struct pz_backend *b)
{
	int status = 0, r;

	if (!b)
		return 0;
	if (b->locked) {
		pz_cmd_signals_drop_lock();
		r = b->ops->unlock(b);
		if (r == PZ_ELOCKED) {
			/* Removed or taken by someone else: not ours. */
			status = pz_cmd_fail();
		} else if (r) {
			/* One line: what failed, that the lock stays, and the
			 * way out. */
			pz_cmd_error("unable to release the state lock on '%s' "
				     "(%s): the lock %s is still held; once "
				     "no run uses the state, remove it with: "
				     "pz force-unlock %s",
				     b->location, pz_error_last(), held_lock_id,
				     held_lock_id);
			status = 1;
		}
	}
	pz_backend_free(b);
	return status;
}
