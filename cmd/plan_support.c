/*
 * plan_support.c - the state and the AWS client for commands that plan.
 * (Local backend; the S3 backend is wired in with cmd/backend_open.c.)
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/backend.h"
#include "core/error.h"
#include "core/spec.h"
#include "providers/aws/client.h"

static long parse_duration_ms(const char *s)
{
	char *end;
	double v;

	if (!s || !*s)
		return 0;
	v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	if (!*end || !strcmp(end, "s"))
		return (long)(v * 1000);
	if (!strcmp(end, "ms"))
		return (long)v;
	if (!strcmp(end, "m"))
		return (long)(v * 60000);
	if (!strcmp(end, "h"))
		return (long)(v * 3600000);
	return -1;
}

int pz_cmd_open_state(struct pz_backend **out, const struct pz_spec *spec,
		      const char *state_flag, const char *operation,
		      const char *lock_timeout)
{
	struct pz_backend *b = NULL;
	struct pz_lock_info info;
	char *path, *dir;
	long timeout = parse_duration_ms(lock_timeout);

	*out = NULL;
	if (timeout < 0) {
		pz_cmd_error("-lock-timeout takes a duration like 30s or 5m, "
			     "not '%s'",
			     lock_timeout);
		return 1;
	}
	if (!state_flag && spec && spec->settings.backend == PZ_BACKEND_S3) {
		pz_cmd_error("the S3 state backend is not wired into this "
			     "command yet; use -state=PATH");
		return 1;
	}
	if (state_flag) {
		path = pz_xstrdup(state_flag);
	} else {
		const char *name = spec && spec->settings.state_path
					   ? spec->settings.state_path
					   : "pz.state.json";
		char *copy = pz_xstrdup(spec ? spec->path : ".");

		dir = dirname(copy);
		path = name[0] == '/' ? pz_xstrdup(name)
				      : pz_xasprintf("%s/%s", dir, name);
		free(copy);
	}
	pz_backend_local_new(&b, path);
	free(path);
	if (operation) {
		if (pz_lock_info_init(&info, operation, b->location) ||
		    b->ops->lock(b, &info, timeout)) {
			pz_backend_free(b);
			return pz_cmd_fail();
		}
	}
	*out = b;
	return 0;
}

int pz_cmd_close_state(struct pz_backend *b)
{
	int r = 0;

	if (b && b->locked && b->ops->unlock(b))
		r = pz_cmd_fail();
	pz_backend_free(b);
	return r;
}

int pz_cmd_client_new(struct pz_aws_client **out, const struct pz_spec *spec,
		      long parallelism)
{
	struct pz_aws_client_options o;

	memset(&o, 0, sizeof(o));
	if (parallelism < 0 || parallelism > 1000) {
		pz_cmd_error("-parallelism takes 1 to 1000, not %ld",
			     parallelism);
		return 1;
	}
	o.max_connections = (int)parallelism;
	if (spec) {
		o.default_region = spec->settings.region;
		o.profile = spec->settings.profile;
	}
	if (pz_aws_client_new(out, &o))
		return pz_cmd_fail();
	if (!pz_aws_client_region(*out)) {
		pz_cmd_error("no AWS region: set pz.region in the spec, or "
			     "AWS_REGION");
		pz_aws_client_free(*out);
		*out = NULL;
		return 1;
	}
	return 0;
}
