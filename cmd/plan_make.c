/*
 * plan_make.c - the plan as pz plan and pz apply make it: the spec and
 * its -var values, the state under its lock, the refresh, the diff, the
 * unmanaged-name probe and the data pre-flight, with the diagnostics
 * printed (cmd.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "core/backend.h"
#include "core/error.h"
#include "core/gitops.h"
#include "core/plan.h"
#include "core/provider_ops.h"
#include "core/spec.h"
#include "core/usage.h"
#include "providers/aws/client.h"

struct progress {
	double t0;
	bool shown, tty;
};

/* The data check's progress line, on a terminal, once it has taken a
 * second. */
static void data_progress(void *ud, size_t done, size_t n, uint64_t bytes)
{
	struct progress *p = ud;

	if (!p->tty || pz_mono() - p->t0 < 1.0)
		return;
	fprintf(stderr, "\rpz: checking data: %zu/%zu object%s, %.1f MiB", done,
		n, n == 1 ? "" : "s", (double)bytes / (1 << 20));
	p->shown = true;
}

/*
 * The data pre-flight: each import the plan would run has its data
 * checked against its schema; findings go to diags. Results are cached
 * in a local directory, never in the state: a plan writes nothing
 * shared (docs/data-check.md). 0, or 1 after printing why.
 */
static int check_data(struct pz_cmd_planned *p,
		      const struct pz_cmd_plan_args *a, long long now,
		      struct pz_diags *diags)
{
	struct pz_dc_run_opts o;
	struct progress pr;
	char *cache_dir = pz_provider_ops()->data_cache_dir();
	int level = pz_dc_level_parse(a->data_check ? a->data_check : "sample");
	int r;

	if (level < 0) {
		free(cache_dir);
		pz_cmd_error("-data-check takes off, header, sample or full, "
			     "not '%s'",
			     a->data_check);
		return 1;
	}
	memset(&o, 0, sizeof(o));
	memset(&pr, 0, sizeof(pr));
	pr.t0 = pz_mono();
	pr.tty = isatty(STDERR_FILENO) == 1;
	o.level = (enum pz_dc_level)level;
	o.now = now;
	o.progress = data_progress;
	o.progress_ud = &pr;
	o.cache_dir = cache_dir;
	r = pz_provider_ops()->data_check(p->client, p->spec, p->plan, &o,
					  diags);
	if (pr.shown)
		fputs("\r\033[K", stderr);
	free(cache_dir);
	if (r)
		return pz_cmd_fail();
	return 0;
}

int pz_cmd_plan_make(struct pz_cmd_planned *p, const struct pz_cmd_plan_args *a)
{
	struct pz_plan_opts po;
	struct pz_diags diags;
	struct pz_prices *prices = NULL;
	int r, status = 1;

	memset(p, 0, sizeof(*p));
	pz_diags_init(&diags);
	pz_cmd_spec_warnings(a->spec_warnings);
	if (pz_cmd_git_load_spec(&p->spec, &p->git, a->file, a->vars,
				 a->git_base, a->git_head))
		return 1;
	if (pz_cmd_parse_vars(a->vars, &p->vars))
		goto out;
	/* A prices file with mistakes is said before any AWS call. */
	if (!a->usage_off && pz_cmd_load_prices(&prices, p->spec, a->prices))
		goto out;
	if (pz_cmd_backend_open(&p->backend, p->spec, a->state_flag, a->lock_op,
				a->lock_timeout))
		goto out;
	if (pz_backend_load(p->backend, &p->state, NULL)) {
		pz_cmd_fail();
		goto out;
	}
	p->nstate = p->state->n;
	p->live = pz_xcalloc(p->spec->nresources + 1, sizeof(*p->live));
	p->live_state = pz_xcalloc(p->nstate + 1, sizeof(*p->live_state));
	memset(&po, 0, sizeof(po));
	po.destroy = a->destroy;
	po.targets = a->targets ? a->targets->items : NULL;
	po.ntargets = a->targets ? a->targets->n : 0;
	po.no_usage = a->usage_off;
	if (a->refresh) {
		double t0 = pz_mono();
		size_t n = 0, i;

		if (pz_cmd_client_new(&p->client, p->spec, a->parallelism))
			goto out;
		if (pz_provider_ops()->refresh(p->client, p->spec, p->state,
					       p->live, p->live_state)) {
			pz_cmd_fail();
			goto out;
		}
		po.refreshed = true;
		for (i = 0; i < p->spec->nresources; i++)
			n += p->live[i].refreshed;
		for (i = 0; i < p->nstate; i++)
			n += p->live_state[i].refreshed;
		if (!a->quiet)
			fprintf(stderr,
				"pz: refreshed %zu resource%s in %.1fs\n", n,
				n == 1 ? "" : "s", pz_mono() - t0);
	}
	r = pz_plan_make(&p->plan, p->spec, p->state, p->live, p->live_state,
			 &po, &diags);
	if (p->plan) {
		p->plan->git = p->git;
		p->git = NULL; /* transferred */
		pz_usage_price(p->plan->usage, prices);
	}
	if (!r && p->client && !a->destroy &&
	    pz_provider_ops()->find_unmanaged(p->client, p->spec, p->plan,
					      &diags)) {
		pz_cmd_fail();
		goto out;
	}
	if (!r && p->client && !a->destroy &&
	    check_data(p, a, po.now ? po.now : time(NULL), &diags))
		goto out;
	if (a->targets && a->targets->n)
		pz_diag_add(&diags, PZ_SEV_WARNING, p->spec->path,
			    (struct pz_pos){0, 0, 0},
			    "-target is for exceptional cases (recovering "
			    "from a mistake, working around a limitation): "
			    "the rest of the spec is not planned");
	pz_diags_sort(&diags);
	if (diags.n)
		pz_cmd_print_diags(&diags, false);
	if (diags.nerrors) {
		fprintf(stderr, "pz: the plan has %zu error%s; nothing to %s\n",
			diags.nerrors, diags.nerrors == 1 ? "" : "s",
			a->destroy ? "destroy" : "apply");
		goto out;
	}
	/* The last safe point: an interrupted plan prints and saves
	 * nothing, not even what it finished reading. */
	if (pz_cmd_check_interrupted()) {
		pz_cmd_fail();
		goto out;
	}
	pz_spec_digest(p->spec, p->vars, a->vars ? a->vars->n : 0,
		       p->plan->spec_digest);
	status = 0;
out:
	pz_prices_free(prices);
	pz_diags_release(&diags);
	return status;
}

int pz_cmd_planned_release(struct pz_cmd_planned *p)
{
	size_t i;
	int status = pz_cmd_backend_close(p->backend);

	for (i = 0; p->live && p->spec && i < p->spec->nresources; i++)
		pz_live_release(&p->live[i]);
	for (i = 0; p->live_state && i < p->nstate; i++)
		pz_live_release(&p->live_state[i]);
	free(p->live);
	free(p->live_state);
	free(p->vars);
	pz_plan_free(p->plan);
	pz_plan_git_free(p->git);
	pz_state_free(p->state);
	pz_aws_client_free(p->client);
	pz_spec_free(p->spec);
	memset(p, 0, sizeof(*p));
	return status;
}
