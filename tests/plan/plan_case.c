/*
 * plan_case.c - the planner without AWS, for golden tests: a spec, a
 * state and a description of the live service in, a rendered plan out.
 *
 *   plan_case SPEC STATE|- LIVE|- text|json|md [-record OUT_STATE]
 *             [-destroy] [-target=ADDR]... [-git=GIT_JSON]
 *             [-marker=NAME] [-artifact=NAME] [-prices=FILE] [-usage=false]
 *
 * LIVE is JSON: {"refreshed": bool, "now": seconds, "resources":
 * {ADDRESS: {"exists": bool, "arn", "status", "failureReason",
 * "created", "attrs": {...}, "data": {"digest", "objects", "list":
 * [{"key", "etag", "size"}], "error"}}}} ("error": a batch job's input
 * that could not be listed). With "refreshed", a resource not
 * listed does not exist. -record writes the state as apply would leave
 * it if every change succeeded (ARNs made up from type and key), which
 * is how the cases' states are made: each change recorded when created
 * and again when done, RECORD_WAIT_S later. -git attaches what pz plan
 * -git-base would (core/gitops.h's JSON form); -marker and -artifact
 * are the markdown's marker and where it says the full plan is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/gitops.h"
#include "core/json_out.h"
#include "core/plan.h"
#include "core/state.h"
#include "core/usage.h"
#include "providers/personalize/personalize.h"

/* How long each recorded change took (a training: 2.5 hours). */
#define RECORD_WAIT_S 9000

static cJSON *read_json(const char *path)
{
	struct pz_buf b;
	cJSON *v;

	pz_buf_init(&b, 0);
	if (pz_buf_read_file(&b, path)) {
		fprintf(stderr, "plan_case: %s\n", pz_error_last());
		exit(2);
	}
	v = cJSON_ParseWithLength(b.ptr, b.len);
	if (!v) {
		fprintf(stderr, "plan_case: %s is not JSON\n", path);
		exit(2);
	}
	pz_buf_release(&b);
	return v;
}

static void fill_live(struct pz_live *l, const cJSON *all, const char *address,
		      bool refreshed)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(all, address);
	const cJSON *v, *data;

	memset(l, 0, sizeof(*l));
	l->refreshed = refreshed;
	if (!o)
		return;
	v = cJSON_GetObjectItemCaseSensitive(o, "exists");
	l->exists = !v || cJSON_IsTrue(v);
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "arn")) &&
	    cJSON_IsString(v))
		l->arn = pz_xstrdup(v->valuestring);
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "status")) &&
	    cJSON_IsString(v))
		l->status = pz_xstrdup(v->valuestring);
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "failureReason")) &&
	    cJSON_IsString(v))
		l->failure_reason = pz_xstrdup(v->valuestring);
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "created")) &&
	    cJSON_IsNumber(v))
		l->created = pz_xasprintf("%.0f", v->valuedouble);
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "attrs")))
		l->attrs = cJSON_Duplicate(v, 1);
	data = cJSON_GetObjectItemCaseSensitive(o, "data");
	if (data) {
		l->data_listed = true;
		v = cJSON_GetObjectItemCaseSensitive(data, "digest");
		l->data_digest =
		    pz_xstrdup(cJSON_IsString(v) ? v->valuestring : "");
		v = cJSON_GetObjectItemCaseSensitive(data, "objects");
		l->data_objects = cJSON_IsNumber(v) ? (size_t)v->valueint : 0;
		v = cJSON_GetObjectItemCaseSensitive(data, "list");
		if (cJSON_IsArray(v))
			l->data_list = cJSON_Duplicate(v, 1);
		/* A batch job's input that could not be listed. */
		v = cJSON_GetObjectItemCaseSensitive(data, "error");
		if (cJSON_IsString(v)) {
			l->data_listed = false;
			l->data_error = pz_xstrdup(v->valuestring);
		}
		if (!cJSON_GetObjectItemCaseSensitive(o, "exists"))
			l->exists = false;
	}
}

static const char *fake_arn(void *ud, const char *address)
{
	static char buf[8][256];
	static int k;
	const struct pz_state *st = ud;
	const struct pz_state_resource *r = pz_state_find(st, address);
	const char *dot = strchr(address, '.');

	if (r && r->arn)
		return r->arn;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]),
		 "arn:aws:personalize:us-east-1:123456789012:%.*s/%s",
		 dot ? (int)(dot - address) : 0, address, dot ? dot + 1 : "");
	return buf[k];
}

int main(int argc, char **argv)
{
	struct pz_spec *spec = NULL;
	struct pz_state *state = NULL;
	struct pz_plan *plan = NULL;
	struct pz_diags d;
	struct pz_live *live, *live_state = NULL;
	struct pz_plan_opts opts;
	struct pz_prices *prices = NULL;
	struct pz_render_opts ro = {.color = false};
	struct pz_buf out;
	cJSON *lj = NULL, *all = NULL, *git_json = NULL;
	bool refreshed = false;
	const char *targets[8];
	size_t ntargets = 0;
	long long now = 1800000000;
	size_t i, nstate;
	int r;

	if (argc < 5) {
		fprintf(stderr, "usage: plan_case SPEC STATE|- LIVE|- "
				"text|json|md [-record OUT]\n");
		return 2;
	}
	pz_personalize_register();
	pz_diags_init(&d);
	if (pz_spec_load(&spec, argv[1], NULL, 0, &d)) {
		fprintf(stderr, "plan_case: the spec has errors: %s\n",
			d.n ? d.items[0].message : pz_error_last());
		pz_spec_free(spec);
		pz_diags_release(&d);
		return 2;
	}
	if (strcmp(argv[2], "-")) {
		struct pz_buf b;

		pz_buf_init(&b, 0);
		if (pz_buf_read_file(&b, argv[2]) ||
		    pz_state_parse(&state, b.ptr, b.len, argv[2])) {
			fprintf(stderr, "plan_case: %s\n", pz_error_last());
			return 2;
		}
		pz_buf_release(&b);
	} else {
		pz_state_new(&state);
		memcpy(state->lineage, "00000000-0000-4000-8000-000000000000",
		       37);
	}
	if (strcmp(argv[3], "-")) {
		const cJSON *v;

		lj = read_json(argv[3]);
		refreshed = cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(lj, "refreshed"));
		v = cJSON_GetObjectItemCaseSensitive(lj, "now");
		if (cJSON_IsNumber(v))
			now = (long long)v->valuedouble;
		all = cJSON_GetObjectItemCaseSensitive(lj, "resources");
	}
	live = calloc(spec->nresources + 1, sizeof(*live));
	for (i = 0; i < spec->nresources; i++)
		fill_live(&live[i], all, spec->resources[i]->address,
			  refreshed);
	nstate = state->n; /* -record grows the state */
	live_state = calloc(nstate + 1, sizeof(*live_state));
	for (i = 0; i < nstate; i++)
		fill_live(&live_state[i], all, state->resources[i].address,
			  refreshed);
	memset(&opts, 0, sizeof(opts));
	for (i = 5; i < (size_t)argc; i++) {
		if (!strncmp(argv[i], "-git=", 5))
			git_json = read_json(argv[i] + 5);
		else if (!strncmp(argv[i], "-marker=", 8))
			ro.marker = argv[i] + 8;
		else if (!strncmp(argv[i], "-artifact=", 10))
			ro.artifact = argv[i] + 10;
		else if (!strcmp(argv[i], "-destroy"))
			opts.destroy = true;
		else if (!strncmp(argv[i], "-target=", 8))
			targets[ntargets++ % 8] = argv[i] + 8;
		else if (!strcmp(argv[i], "-usage=false"))
			opts.no_usage = true;
		else if (!strncmp(argv[i], "-prices=", 8)) {
			pz_prices_free(prices);
			prices = NULL;
			if (pz_prices_load(&prices, argv[i] + 8, &d) ||
			    pz_prices_check_region(
				prices, spec->settings.region,
				"the spec's pz.region", &d)) {
				/* As pz plan: each problem at its line. */
				pz_buf_init(&out, 0);
				if (pz_diags_render_text(&d, &out, false) == 0)
					fputs(pz_buf_cstr(&out), stdout);
				pz_buf_release(&out);
				pz_prices_free(prices);
				for (i = 0; i < spec->nresources; i++)
					pz_live_release(&live[i]);
				for (i = 0; i < nstate; i++)
					pz_live_release(&live_state[i]);
				free(live);
				free(live_state);
				pz_state_free(state);
				pz_spec_free(spec);
				pz_diags_release(&d);
				cJSON_Delete(lj);
				cJSON_Delete(git_json);
				return 1;
			}
		}
	}
	opts.targets = targets;
	opts.ntargets = ntargets > 8 ? 8 : ntargets;
	opts.refreshed = refreshed;
	opts.now = now;
	r = pz_plan_make(&plan, spec, state, live, live_state, &opts, &d);
	if (git_json && pz_plan_git_from_json(&plan->git, git_json)) {
		fprintf(stderr, "plan_case: %s\n", pz_error_last());
		return 2;
	}
	cJSON_Delete(git_json);
	pz_usage_price(plan->usage, prices);
	pz_prices_free(prices);
	pz_buf_init(&out, 0);
	if (d.n) {
		pz_diags_sort(&d);
		if (pz_diags_render_text(&d, &out, false) == 0)
			fputs(pz_buf_cstr(&out), stdout);
		pz_buf_reset(&out);
	}
	if (!strcmp(argv[4], "text"))
		r |= pz_plan_render_text(plan, &out, &ro);
	else if (!strcmp(argv[4], "json")) {
		/* Pretty, so a golden's diff can be read. */
		struct pz_buf compact;
		cJSON *v;

		pz_buf_init(&compact, 0);
		r |= pz_plan_render_json(plan, &compact);
		v = cJSON_ParseWithLength(compact.ptr, compact.len);
		if (!v || pz_json_write(v, &out, 2) || pz_buf_addc(&out, '\n'))
			r = 1;
		cJSON_Delete(v);
		pz_buf_release(&compact);
	} else if (!strcmp(argv[4], "ops")) {
		for (i = 0; i < plan->nops; i++) {
			const struct pz_op *op = &plan->ops[i];
			size_t k;

			printf("%s %s", pz_op_kind_name(op->kind),
			       plan->changes[op->change].address);
			for (k = 0; k < op->nafter; k++)
				printf("%s%zu", k ? "," : " after ",
				       op->after[k] + 1);
			printf("\n");
		}
	} else
		r |= pz_plan_render_markdown(plan, &out, &ro);
	fputs(pz_buf_cstr(&out), stdout);
	if (argc > 6 && !strcmp(argv[5], "-record")) {
		/* Recorded in the order the operations run. */
		struct pz_buf sb;
		FILE *f;

		for (i = 0; i < plan->n; i++) {
			const struct pz_change *c = &plan->changes[i];

			if (c->action == PZ_ACTION_NOOP ||
			    c->action == PZ_ACTION_WAIT)
				continue;
			const char *arn =
			    c->action == PZ_ACTION_UPDATE && c->arn
				? c->arn
				: fake_arn(state, c->address);
			char *held = pz_xstrdup(arn);

			/* Twice, as apply records: when created and when
			 * done, 2.5 hours later (a training's duration). */
			if (c->action != PZ_ACTION_DELETE)
				pz_plan_record(state, c, held, "CREATE PENDING",
					       fake_arn, state,
					       now - RECORD_WAIT_S);
			pz_plan_record(state, c, held, "ACTIVE", fake_arn,
				       state, now);
			free(held);
		}
		state->serial++;
		pz_buf_init(&sb, 0);
		if (pz_state_serialize(state, &sb) ||
		    !(f = fopen(argv[6], "w"))) {
			fprintf(stderr, "plan_case: cannot write %s\n",
				argv[6]);
			return 2;
		}
		fputs(pz_buf_cstr(&sb), f);
		fclose(f);
		pz_buf_release(&sb);
	}
	pz_buf_release(&out);
	for (i = 0; i < spec->nresources; i++)
		pz_live_release(&live[i]);
	for (i = 0; i < nstate; i++)
		pz_live_release(&live_state[i]);
	free(live);
	free(live_state);
	pz_plan_free(plan);
	pz_state_free(state);
	pz_spec_free(spec);
	pz_diags_release(&d);
	cJSON_Delete(lj);
	return r ? 1 : 0;
}
