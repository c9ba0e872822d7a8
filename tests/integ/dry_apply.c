/*
 * dry_apply.c - the test executor: runs a saved plan's operation graph
 * (core/exec.h) against the service at AWS_ENDPOINT_URL (the simulator)
 * with the real API calls, recording into a local state as apply does.
 * It proves plans executable as printed; pz apply is built on the same
 * executor.
 *
 *   dry_apply PLANFILE STATEFILE
 *
 * The state must be the one the plan was made against (serial and
 * lineage). PZ_POLL_MIN_MS / PZ_POLL_MAX_MS set the polling schedule.
 * Prints one line per event; exits 0 when every operation completed,
 * 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backend.h"
#include "core/error.h"
#include "core/exec.h"
#include "core/plan.h"
#include "providers/aws/client.h"
#include "providers/personalize/personalize.h"
#include "providers/personalize/runtime.h"

struct ctx {
	struct pz_backend *b;
	struct pz_state *prev;
};

/* Writes the state when it changed, as apply does after each step. */
static int save(void *ud, struct pz_state *st)
{
	struct ctx *c = ud;
	int r = pz_backend_save(c->b, st, c->prev);

	if (r) {
		fprintf(stderr, "dry_apply: saving the state: %s\n",
			pz_error_last());
		return r;
	}
	pz_state_free(c->prev);
	c->prev = pz_state_dup(st);
	return 0;
}

static void event(void *ud, const struct pz_exec_event *ev)
{
	const struct pz_op *op = &ev->plan->ops[ev->op];
	const char *addr = ev->plan->changes[op->change].address;
	static const char *const kinds[] = {"start", "still", "done", "failed",
					    "skipped"};

	(void)ud;
	printf("%s %s %s%s%s\n", kinds[ev->kind], pz_op_kind_name(op->kind),
	       addr, ev->message ? ": " : "", ev->message ? ev->message : "");
	fflush(stdout);
}

static long env_ms(const char *name)
{
	const char *v = getenv(name);

	return v ? strtol(v, NULL, 10) : 0;
}

int main(int argc, char **argv)
{
	struct pz_aws_client_options o;
	struct pz_aws_client *client = NULL;
	struct pz_plan *plan = NULL;
	struct pz_state *st = NULL;
	struct pz_exec_summary sum;
	struct pz_exec_opts eo;
	struct pz_runtime rt;
	struct ctx c = {NULL, NULL};
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: dry_apply PLANFILE STATEFILE\n");
		return 2;
	}
	pz_personalize_register();
	if (pz_plan_load(&plan, argv[1]) ||
	    pz_backend_local_new(&c.b, argv[2]) ||
	    pz_backend_load(c.b, &st, NULL) ||
	    pz_plan_check_fresh(plan, plan->spec_digest, st)) {
		fprintf(stderr, "dry_apply: %s\n", pz_error_last());
		return 2;
	}
	c.prev = pz_state_dup(st);
	memset(&o, 0, sizeof(o));
	if (pz_aws_client_new(&client, &o)) {
		fprintf(stderr, "dry_apply: %s\n", pz_error_last());
		return 2;
	}
	pz_personalize_runtime(&rt, client);
	if (pz_personalize_runtime_identify(&rt))
		fprintf(stderr, "dry_apply: %s\n", pz_error_last());
	memset(&eo, 0, sizeof(eo));
	eo.poll_min_ms = env_ms("PZ_POLL_MIN_MS");
	eo.poll_max_ms = env_ms("PZ_POLL_MAX_MS");
	eo.save = save;
	eo.event = event;
	eo.ud = &c;
	r = pz_exec_run(plan, st, &rt, &eo, &sum);
	printf("summary: %zu added, %zu changed, %zu destroyed, %zu failed, "
	       "%zu skipped\n",
	       sum.added, sum.changed, sum.destroyed, sum.failed, sum.skipped);
	if (r)
		fprintf(stderr, "dry_apply: %s\n", pz_error_last());
	pz_personalize_runtime_release(&rt);
	pz_aws_client_free(client);
	pz_state_free(st);
	pz_state_free(c.prev);
	pz_plan_free(plan);
	pz_backend_free(c.b);
	return r ? 1 : 0;
}
