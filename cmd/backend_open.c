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
#include "core/error.h"
#include "core/random.h"
#include "core/spec.h"
#include "providers/aws/backend_s3.h"
#include "providers/aws/client.h"

/* Go-like durations: "0", or number-unit pairs ("1m30s", "1.5s"). */
long pz_cmd_parse_duration(const char *text)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {
	    {"ms", 1},
	    {"s", 1000},
	    {"m", 60000},
	    {"h", 3600000},
	};
	const double max = 7.0 * 24 * 3600000; /* a week */
	const char *p = text;
	double total = 0;

	if (!text || !*text)
		return -1;
	if (!strcmp(text, "0"))
		return 0;
	while (*p) {
		double n = 0, scale = 1, best = -1;
		size_t i, len = 0, digits = 0;

		for (; *p >= '0' && *p <= '9' && digits < 12; p++, digits++)
			n = n * 10 + (*p - '0');
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9' && digits < 12;
			     p++, digits++)
				n += (*p - '0') * (scale /= 10);
		if (!digits)
			return -1;
		for (i = 0; i < PZ_ARRAY_LEN(units); i++) {
			size_t ul = strlen(units[i].unit);

			/* The longest unit that matches: "ms" before "m". */
			if (!strncmp(p, units[i].unit, ul) && ul > len) {
				len = ul;
				best = units[i].ms;
			}
		}
		if (best < 0)
			return -1;
		total += n * best;
		if (total > max)
			return -1;
		p += len;
	}
	return (long)(total + 0.5);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return pz_xstrdup(".");
	if (slash == path)
		return pz_xstrdup("/");
	return pz_xstrndup(path, (size_t)(slash - path));
}

/* A named workspace from PZ_WORKSPACE, or NULL for the default one. */
static const char *workspace(void)
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
	const char *ws = workspace();
	char *key;
	int r;

	if (ws && strchr(ws, '/'))
		return pz_error_set(PZ_EINVAL,
				    "PZ_WORKSPACE='%s': a workspace name "
				    "cannot hold '/'",
				    ws);
	memset(&o, 0, sizeof(o));
	o.region = s->s3_region;
	o.default_region = s->region;
	o.profile = s->profile;
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
	if (state_flag)
		return pz_backend_local_new(out, state_flag);
	if (!spec)
		return pz_error_set(PZ_EINVAL,
				    "no spec to say where the state is: pass "
				    "-f FILE or -state=PATH");
	if (spec->settings.backend == PZ_BACKEND_S3)
		return open_s3(out, &spec->settings);
	if (workspace())
		return pz_error_set(PZ_EINVAL,
				    "PZ_WORKSPACE is set, but workspaces need "
				    "the S3 backend; for another local state "
				    "pass -state=PATH");
	/* Relative paths are relative to the spec, like the spec's own
	 * references: the state stays beside it wherever pz runs. */
	name = spec->settings.state_path ? spec->settings.state_path
					 : "pz.state.json";
	dir = dir_of(spec->path);
	path = name[0] == '/' ? pz_xstrdup(name)
			      : pz_xasprintf("%s/%s", dir, name);
	r = pz_backend_local_new(out, path);
	free(dir);
	free(path);
	return r;
}

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Sleeps up to ms, in short steps; PZ_EINTR once a signal came. */
static int nap(long ms)
{
	int r;

	while (ms > 0) {
		long step = ms > 100 ? 100 : ms;
		struct timespec ts = {0, step * 1000000L};

		if ((r = pz_cmd_check_interrupted()))
			return r;
		nanosleep(&ts, NULL);
		ms -= step;
	}
	return pz_cmd_check_interrupted();
}

static void format_duration(long ms, char *out, size_t n)
{
	if (ms % 60000 == 0 && ms >= 60000)
		snprintf(out, n, "%ldm", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(out, n, "%lds", ms / 1000);
	else
		snprintf(out, n, "%ldms", ms);
}

int pz_cmd_backend_lock(struct pz_backend *b, const char *operation,
			long timeout_ms)
{
	struct pz_lock_info info;
	struct timespec start;
	long delay = 100;
	bool told = false;
	int r;

	if ((r = pz_lock_info_init(&info, operation, b->location)))
		return r;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		long waited, d;

		if ((r = pz_cmd_check_interrupted()))
			return r;
		r = b->ops->lock(b, &info, 0);
		if (r != PZ_ELOCKED)
			break;
		waited = ms_since(&start);
		if (waited >= timeout_ms) {
			if (timeout_ms > 0) {
				char *msg = pz_xstrdup(pz_error_last());
				char t[32];

				format_duration(timeout_ms, t, sizeof(t));
				r = pz_error_set(
				    PZ_ELOCKED, "gave up after %s: %s", t, msg);
				free(msg);
			}
			return r;
		}
		/* Jittered, so waiting runs do not retry in step. */
		d = pz_jitter(delay);
		if (d > timeout_ms - waited)
			d = timeout_ms - waited;
		/* Say whom we wait for once the wait passes a second. */
		if (!told && waited + d >= 1000) {
			struct pz_lock_info holder;
			char desc[512], t[32];
			bool held = false;

			told = true;
			format_duration(timeout_ms, t, sizeof(t));
			if (!b->ops->lock_info(b, &holder, &held) && held) {
				pz_lock_info_describe(&holder, desc,
						      sizeof(desc));
				fprintf(stderr,
					"pz: waiting up to %s for the state "
					"lock held by %s\n",
					t, desc);
			}
			pz_error_clear();
		}
		if ((r = nap(d)))
			return r;
		delay = delay * 2 > 2000 ? 2000 : delay * 2;
	}
	if (r)
		return r;
	pz_cmd_signals_hold_lock(b, info.id);
	return 0;
}

int pz_cmd_backend_open(struct pz_backend **out, const struct pz_spec *spec,
			const char *state_flag, const char *operation,
			const char *lock_timeout)
{
	struct pz_backend *b = NULL;
	long timeout = 0;

	*out = NULL;
	if (lock_timeout &&
	    (timeout = pz_cmd_parse_duration(lock_timeout)) < 0) {
		pz_cmd_error("-lock-timeout takes a duration like 0s, 30s, 5m "
			     "or 1m30s, not '%s'",
			     lock_timeout);
		return 1;
	}
	pz_cmd_signals_init();
	if (open_backend(&b, spec, state_flag))
		return pz_cmd_fail();
	if (operation && pz_cmd_backend_lock(b, operation, timeout)) {
		pz_cmd_fail();
		pz_backend_free(b);
		return 1;
	}
	*out = b;
	return 0;
}

int pz_cmd_backend_close(struct pz_backend *b)
{
	int status = 0;

	if (!b)
		return 0;
	if (b->locked) {
		pz_cmd_signals_drop_lock();
		if (b->ops->unlock(b))
			status = pz_cmd_fail();
	}
	pz_backend_free(b);
	return status;
}

/* Whether a spec file is there to be found without -f. */
static bool default_spec_exists(void)
{
	return access("pz.yaml", F_OK) == 0 || access("pz.yml", F_OK) == 0 ||
	       access("pz.json", F_OK) == 0;
}

int pz_cmd_state_open(struct pz_backend **out, struct pz_spec **spec,
		      const char *file, const struct pz_strlist *vars,
		      const char *state_flag, bool need_spec,
		      const char *operation, const char *lock_timeout)
{
	*out = NULL;
	*spec = NULL;
	if (need_spec || !state_flag) {
		if (!file && !default_spec_exists()) {
			pz_cmd_error(
			    "no spec here (pz.yaml, pz.yml or pz.json) "
			    "to say where the state is: pass -f FILE%s",
			    need_spec ? "" : " or -state=PATH");
			return 1;
		}
		if (pz_cmd_load_spec(spec, file, vars, false))
			return 1;
	}
	if (pz_cmd_backend_open(out, *spec, state_flag, operation,
				lock_timeout)) {
		pz_spec_free(*spec);
		*spec = NULL;
		return 1;
	}
	return 0;
}
