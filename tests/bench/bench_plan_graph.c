/*
 * bench_plan_graph.c - what making a plan costs, graph included, at a
 * size (tests/bench/gen-spec.py N): the spec is loaded once, then for
 * each run pz_plan_make (diff, cascades, the operation graph with its
 * sort and transitive reduction) of
 *
 *   create    everything from an empty state,
 *   nochange  the same spec against the state that create leaves,
 *   destroy   -destroy of that state (every delete blocker in play).
 *
 *   bench_plan_graph SPEC [RUNS]
 *
 * Prints the medians (ms) and the destroy plan's operations and waits
 * as one line of key=value pairs for tests/bench/bench_plan_graph.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/plan.h"
#include "core/state.h"
#include "providers/personalize/personalize.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ARNs for the recorded state: made up from the address. */
static const char *fake_arn(void *ud, const char *address)
{
	static char buf[8][256];
	static int k;
	const struct pz_state_resource *r = pz_state_find(ud, address);
	const char *dot = strchr(address, '.');

	if (r && r->arn)
		return r->arn;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]),
		 "arn:aws:personalize:us-east-1:123456789012:%.*s/%s",
		 dot ? (int)(dot - address) : 0, address, dot ? dot + 1 : "");
	return buf[k];
}

/* One pz_plan_make; its wall time in ms, the plan in *keep if asked. */
static double make(const struct pz_spec *spec, const struct pz_state *state,
		   bool destroy, struct pz_plan **keep)
{
	struct pz_plan_opts o;
	struct pz_plan *plan = NULL;
	struct pz_diags d;
	double t0, t;

	memset(&o, 0, sizeof(o));
	o.destroy = destroy;
	o.now = 1800000000;
	pz_diags_init(&d);
	t0 = now_ms();
	if (pz_plan_make(&plan, spec, state, NULL, NULL, &o, &d) && d.nerrors) {
		fprintf(stderr,
			"bench_plan_graph: the plan has %zu errors: %s\n",
			d.nerrors, d.items[0].message);
		exit(1);
	}
	t = now_ms() - t0;
	pz_diags_release(&d);
	if (keep)
		*keep = plan;
	else
		pz_plan_free(plan);
	return t;
}

int main(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[2]) : 9, i;
	double *cr, *nc, *de;
	struct pz_spec *spec = NULL;
	struct pz_state *empty = NULL, *state = NULL;
	struct pz_plan *plan = NULL;
	struct pz_diags d;
	size_t k, waits = 0;

	if (argc < 2 || runs < 1) {
		fprintf(stderr, "usage: bench_plan_graph SPEC [RUNS]\n");
		return 2;
	}
	pz_personalize_register();
	pz_diags_init(&d);
	if (pz_spec_load(&spec, argv[1], NULL, 0, &d)) {
		fprintf(stderr, "bench_plan_graph: %s has %zu errors\n",
			argv[1], d.nerrors);
		return 1;
	}
	pz_diags_release(&d);
	pz_state_new(&empty);
	pz_state_new(&state);
	/* The state a successful apply of the create plan leaves, with
	 * what waits for data (trainings, campaigns) made too: every
	 * resource of the spec. */
	make(spec, empty, false, &plan);
	for (k = 0; k < plan->n; k++) {
		const struct pz_change *c = &plan->changes[k];

		if (c->action == PZ_ACTION_CREATE ||
		    c->action == PZ_ACTION_WAIT)
			pz_plan_record(state, c, fake_arn(state, c->address),
				       "ACTIVE", fake_arn, state, 1800000000);
	}
	pz_plan_free(plan);
	cr = calloc((size_t)runs, sizeof(*cr));
	nc = calloc((size_t)runs, sizeof(*nc));
	de = calloc((size_t)runs, sizeof(*de));
	for (i = 0; i < runs; i++) {
		cr[i] = make(spec, empty, false, NULL);
		nc[i] = make(spec, state, false, NULL);
		de[i] = make(spec, state, true, i ? NULL : &plan);
	}
	for (k = 0; k < plan->nops; k++)
		waits += plan->ops[k].nafter;
	qsort(cr, (size_t)runs, sizeof(*cr), cmp);
	qsort(nc, (size_t)runs, sizeof(*nc), cmp);
	qsort(de, (size_t)runs, sizeof(*de), cmp);
	printf("resources=%zu state=%zu create_ms=%.1f nochange_ms=%.1f "
	       "destroy_ms=%.1f destroy_ops=%zu destroy_waits=%zu runs=%d\n",
	       spec->nresources, state->n, cr[runs / 2], nc[runs / 2],
	       de[runs / 2], plan->nops, waits, runs);
	pz_plan_free(plan);
	pz_state_free(empty);
	pz_state_free(state);
	pz_spec_free(spec);
	free(cr);
	free(nc);
	free(de);
	return 0;
}
