/*
 * cmd_whoami.c - pz whoami: who pz talks to AWS as (STS
 * GetCallerIdentity), in which region, and which credential source won.
 * Never prints a secret.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cmd.h"
#include "core/json_out.h"
#include "core/error.h"
#include "providers/aws/client.h"
#include "providers/aws/creds.h"
#include "providers/aws/http.h"
#include "providers/aws/sts.h"

static const char *opt_profile;
static const char *opt_region;
static bool opt_json;

static const struct pz_opt whoami_opts[] = {
    {"profile", PZ_OPT_STRING, &opt_profile, "NAME",
     "use this profile from ~/.aws (ignores AWS_ACCESS_KEY_ID)"},
    {"region", PZ_OPT_STRING, &opt_region, "REGION",
     "use this region (overrides AWS_REGION and the profile)"},
    {"json", PZ_OPT_BOOL, &opt_json, NULL, "print one JSON object"},
    {NULL},
};

static void iso_time(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int print_json(const struct pz_aws_client *c,
		      const struct pz_sts_identity *id,
		      const struct pz_aws_creds *cr)
{
	cJSON *o = cJSON_CreateObject();
	const char *region = pz_aws_client_region(c);
	char *text;

	cJSON_AddStringToObject(o, "account", id->account);
	cJSON_AddStringToObject(o, "arn", id->arn);
	if (id->user_id)
		cJSON_AddStringToObject(o, "user_id", id->user_id);
	pz_json_add_str_or_null(o, "region", region);
	cJSON_AddStringToObject(o, "region_source",
				pz_aws_client_region_source(c));
	cJSON_AddStringToObject(o, "profile", pz_aws_client_profile(c));
	cJSON_AddStringToObject(o, "credential_provider", cr->provider);
	cJSON_AddStringToObject(o, "credential_source", cr->source);
	if (cr->expiration) {
		char t[32];

		iso_time(cr->expiration, t);
		cJSON_AddStringToObject(o, "credential_expiration", t);
	} else {
		cJSON_AddNullToObject(o, "credential_expiration");
	}
	text = cJSON_Print(o);
	cJSON_Delete(o);
	if (!text) {
		pz_cmd_error("out of memory");
		return 1;
	}
	printf("%s\n", text);
	free(text);
	return 0;
}

static void print_text(const struct pz_aws_client *c,
		       const struct pz_sts_identity *id,
		       const struct pz_aws_creds *cr)
{
	const char *region = pz_aws_client_region(c);

	printf("Account:      %s\n", id->account);
	printf("Caller ARN:   %s\n", id->arn);
	if (id->user_id)
		printf("User ID:      %s\n", id->user_id);
	printf("Region:       %s (%s)\n", region ? region : "none",
	       pz_aws_client_region_source(c));
	printf("Credentials:  %s: %s\n", cr->provider, cr->source);
	if (cr->expiration) {
		char t[32];

		iso_time(cr->expiration, t);
		printf("Expires:      %s\n", t);
	}
}

static int run_whoami(struct pz_setup *s, int argc, char **argv)
{
	struct pz_aws_client_options o = {0};
	struct pz_aws_client *c = NULL;
	struct pz_sts_identity id = {0};
	const struct pz_aws_creds *cr;
	int status = 1;

	(void)s;
	(void)argc;
	(void)argv;
	o.profile = opt_profile;
	o.region = opt_region;
	if (pz_aws_client_new(&c, &o) || pz_aws_client_credentials(c, &cr) ||
	    pz_sts_get_caller_identity(c, &id, NULL)) {
		status = pz_cmd_fail();
		goto out;
	}
	/* Borrowed pointers may move with a refresh: ask again. */
	if (pz_aws_client_credentials(c, &cr)) {
		status = pz_cmd_fail();
		goto out;
	}
	if (opt_json)
		status = print_json(c, &id, cr);
	else {
		print_text(c, &id, cr);
		status = 0;
	}
	/* Who you are is worth printing; without a region nothing else
	 * pz does can work: an error that says how to set one. */
	if (!status && !pz_aws_client_region(c)) {
		pz_cmd_error("no AWS region: pass -region, set AWS_REGION, or "
			     "set region in the profile (or pz.region in the "
			     "spec)");
		status = 1;
	}
out:
	pz_sts_identity_release(&id);
	pz_aws_client_free(c);
	return status;
}

const struct pz_cmd pz_cmd_whoami = {
    .name = "whoami",
    .summary = "Show the AWS account, caller and credential source in use",
    .usage = NULL,
    .description = "Calls STS GetCallerIdentity with the credentials pz would "
		   "use and prints\nthe account, the caller's ARN, the region "
		   "and which credential source\nwon (environment, web "
		   "identity, profile, assumed role, credential_process,\n"
		   "container or instance metadata). Secrets are never "
		   "printed.\n\nCredentials and region follow the AWS SDKs' "
		   "rules (AWS_PROFILE, AWS_REGION,\n~/.aws/config, "
		   "~/.aws/credentials, ...); AWS_ENDPOINT_URL points pz at "
		   "another\nendpoint such as the simulator.",
    .opts = whoami_opts,
    .min_args = 0,
    .max_args = 0,
    .run = run_whoami,
};
