/*
 * client.c - the AWS client for commands that read or change resources:
 * the spec's region and profile, the command's parallelism.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/error.h"
#include "core/spec.h"
#include "providers/aws/client.h"

int pz_cmd_client_new(struct pz_aws_client **out, const struct pz_spec *spec,
		      long parallelism)
{
	struct pz_aws_client_options o;

	memset(&o, 0, sizeof(o));
	/* 0 is no parallelism at all, not "the default". */
	if (parallelism < 1 || parallelism > 1000) {
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
