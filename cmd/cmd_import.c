/*
 * cmd_import.c - pz import ADDR ARN: adopt a resource that exists in
 * AWS, so pz manages it from now on.
 *
 * ADDR must be declared in the spec and the ARN's resource type must be
 * ADDR's (its descriptor's arn_type and arn_parts, core/provider.h; the
 * provider parses the ARN). Under the state lock, pz refuses an ADDR or ARN
 * that is already in the state, reads the live resource (Describe<Type>) and
 * records its ARN, status, the members of the Describe answer that are
 * members of the type's create request (the facts), and the
 * dependencies of ADDR in the spec graph. The next plan compares the
 * spec with what was recorded.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/backend.h"
#include "core/error.h"
#include "core/facts.h"
#include "core/plan.h"
#include "core/provider.h"
#include "core/provider_ops.h"
#include "core/spec.h"
#include "core/state.h"
#include "providers/aws/client.h"
#include "providers/aws/sts.h"

static const struct pz_opt import_opts[] = {
    PZ_OPT_ROWS_SPEC("the spec that declares ADDR (default: pz.yaml, "
		     "pz.yml or pz.json here)"),
    PZ_OPT_ROW_STATE("record in this local state file instead of the "
		     "spec's backend"),
    PZ_OPT_ROW_LOCK_TIMEOUT("wait this long for the state lock (default "
			    "0s)"),
    {NULL},
};

/* What check_target found, for run_import. */
static const struct pz_resource *target;
static struct pz_arn target_arn;

/* ADDR in the spec, of a type pz can import, with an ARN of that type. */
static int check_target(const struct pz_spec *spec, const char *addr,
			const char *arn_text, const struct pz_resource **out,
			struct pz_arn *arn)
{
	const struct pz_resource *r = pz_spec_find(spec, addr);

	*out = NULL;
	if (!r) {
		const char **cands =
		    pz_xcalloc(spec->nresources + 1, sizeof(*cands));
		const char *best;
		size_t i;

		for (i = 0; i < spec->nresources; i++)
			cands[i] = spec->resources[i]->address;
		best = pz_str_suggest(addr, cands, spec->nresources);
		pz_cmd_error("%s is not declared in %s: pz imports only what "
			     "the spec declares; add it there first",
			     addr, spec->path);
		if (best)
			pz_cmd_error("did you mean %s?", best);
		free(cands);
		return 1;
	}
	/* The type's ARN form is a fact of its descriptor. */
	if (!r->type->arn_type) {
		pz_cmd_error("pz cannot import %s resources", r->type->name);
		return 1;
	}
	if (pz_provider_ops()->parse_arn(arn_text, arn))
		return pz_cmd_fail();
	if (strcmp(arn->type, r->type->arn_type) ||
	    arn->parts != r->type->arn_parts) {
		pz_cmd_error("%s is a %s, but %s is not a %s ARN (%s/...)",
			     addr,
			     r->type->label ? r->type->label : r->type->name,
			     arn_text, r->type->name, r->type->arn_type);
		return 1;
	}
	*out = r;
	return 0;
}

/* The resource as it is now (refresh.h's Describe and projection). */
static int describe(struct pz_aws_client **c, const struct pz_resource *r,
		    const struct pz_arn *arn, const char *arn_text,
		    const struct pz_spec *spec, struct pz_live *out)
{
	struct pz_aws_client_options o;
	struct pz_sts_identity id = {0};
	const char *region;
	int rc;

	memset(&o, 0, sizeof(o));
	o.default_region = spec->settings.region;
	o.profile = spec->settings.profile;
	if ((rc = pz_aws_client_new(c, &o)))
		goto out;
	/* The ARN must name what this spec manages: its region and the
	 * credentials' account, never silently another. */
	region = pz_aws_client_region(*c);
	if (!region) {
		rc = pz_error_set(PZ_EINVAL, "no AWS region: set pz.region in "
					     "the spec, or AWS_REGION");
		goto out;
	}
	if (arn->region[0] && strcmp(arn->region, region)) {
		rc = pz_error_set(PZ_EINVAL,
				  "the ARN is in region %s, but this spec "
				  "works in %s (from %s): import an ARN of "
				  "%s",
				  arn->region, region,
				  pz_aws_client_region_source(*c), region);
		goto out;
	}
	if ((rc = pz_sts_get_caller_identity(*c, &id, NULL)))
		goto out;
	if (arn->account[0] && id.account && strcmp(arn->account, id.account)) {
		rc = pz_error_set(PZ_EINVAL,
				  "the ARN is in account %s, but the "
				  "credentials are of account %s: import an "
				  "ARN of %s, or use that account's "
				  "credentials",
				  arn->account, id.account, id.account);
		goto out;
	}
	rc = pz_provider_ops()->describe(*c, r->type, arn_text, out);
	if (!rc && !out->exists)
		rc = pz_error_set(PZ_EAWS,
				  "personalize %s: the answer does not "
				  "describe %s",
				  r->type->describe_op, arn_text);
out:
	pz_sts_identity_release(&id);
	return rc;
}

/* Everything that needs no network or lock first. */
static int import_spec_ready(struct pz_setup *s, int argc, char **argv)
{
	(void)argc;
	return check_target(s->spec, argv[0], argv[1], &target, &target_arn);
}

static int run_import(struct pz_setup *s, int argc, char **argv)
{
	const char *addr = argv[0], *arn_text = argv[1];
	const struct pz_resource *r = target;
	const struct pz_state_resource *have;
	struct pz_backend *b = s->backend;
	const struct pz_spec *spec = s->spec;
	const struct pz_state *st = s->state;
	struct pz_state *next = NULL;
	const cJSON *name;
	struct pz_aws_client *client = NULL;
	struct pz_live live;
	char **added = NULL;
	bool stored = s->stored;
	size_t i, nadded = 0;
	int rc = 1;

	(void)argc;
	memset(&live, 0, sizeof(live));
	if ((have = pz_state_find(st, addr))) {
		pz_cmd_error("%s is already in the state (%s); to import it "
			     "again, pz state rm %s first",
			     addr, have->arn ? have->arn : "no ARN yet", addr);
		goto out;
	}
	for (i = 0; i < st->n; i++)
		if (st->resources[i].arn &&
		    !strcmp(st->resources[i].arn, arn_text)) {
			pz_cmd_error("%s is already in the state as %s",
				     arn_text, st->resources[i].address);
			goto out;
		}
	if (describe(&client, r, &target_arn, arn_text, spec, &live)) {
		pz_cmd_fail();
		goto out;
	}
	if (live.status && !strncmp(live.status, "DELETE", 6)) {
		pz_cmd_error("%s is being deleted (%s); nothing imported",
			     arn_text, live.status);
		goto out;
	}
	name = cJSON_GetObjectItemCaseSensitive(live.attrs, "name");
	if (r->name && cJSON_IsString(name) &&
	    strcmp(r->name, name->valuestring))
		pz_cmd_error("warning: %s is named '%s' in AWS but '%s' in "
			     "the spec: the next plan replaces it",
			     addr, name->valuestring, r->name);
	next = pz_state_dup(st);
	pz_provider_ops()->record(next, spec, r, arn_text, &live);
	/* What the service says of its latest import, version, served
	 * version: adopting a running stack plans no import or training. */
	if (pz_provider_ops()->adopt(client, spec, r, arn_text, &live, next,
				     &added, &nadded)) {
		pz_cmd_fail();
		goto out;
	}
	if (pz_cmd_check_interrupted() ||
	    pz_backend_save(b, next, stored ? st : NULL)) {
		pz_cmd_fail();
		goto out;
	}
	printf("Imported %s: %s (%s).\n", addr, arn_text,
	       live.status ? live.status : "no status");
	for (i = 0; i < nadded; i++) {
		const struct pz_state_resource *got =
		    pz_state_find(next, added[i]);

		printf("Imported %s: %s (%s), which %s %s.\n", added[i],
		       got && got->arn ? got->arn : "?",
		       got && got->status ? got->status : "no status",
		       !strcmp(r->type->name, "campaign") ? "it serves"
							  : "is the latest of",
		       addr);
	}
	rc = 0;
out:
	for (i = 0; i < nadded; i++)
		free(added[i]);
	free(added);
	pz_aws_client_free(client);
	pz_live_release(&live);
	pz_state_free(next);
	return rc;
}

const struct pz_cmd pz_cmd_import = {
    .name = "import",
    .summary = "Adopt an existing resource: record it in the state",
    .usage = "ADDR ARN",
    .description =
	"ADDR must be declared in the spec, and ARN must be an ARN of\n"
	"ADDR's type. Under the state lock, pz reads the resource\n"
	"(Describe<Type>) and records its ARN, status, the attributes\n"
	"its create request would set, and ADDR's dependencies from\n"
	"the spec. Refused when ADDR or ARN is already in the state.\n"
	"So that adopting a running stack plans no import or training,\n"
	"an import job records the objects under its data location\n"
	"now, and a dataset, solution or campaign also records its\n"
	"newest ACTIVE import job, newest ACTIVE version or served\n"
	"version when the state does not have it. Tags are read at\n"
	"refresh (ListTagsForResource).",
    .opts = import_opts,
    .min_args = 2,
    .max_args = 2,
    .setup = PZ_SETUP_SPEC | PZ_SETUP_STATE | PZ_SETUP_LOCK | PZ_SETUP_LOAD,
    .spec_ready = import_spec_ready,
    .run = run_import,
};
