/*
 * cmd_plan.c - pz plan: refresh, diff, print; -out saves the plan.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "core/backend.h"
#include "core/error.h"
#include "core/plan.h"
#include "core/spec.h"
#include "core/usage.h"
#include "providers/aws/client.h"
#include "providers/personalize/datacheck.h"
#include "providers/personalize/refresh.h"

static const char *opt_file, *opt_out, *opt_format, *opt_state;
static const char *opt_lock_timeout, *opt_data_check, *opt_prices;
static bool opt_usage = true;
static bool opt_json, opt_detailed, opt_refresh = true, opt_lock = true;
static bool opt_destroy;
static long opt_parallelism = 50;
static struct pz_strlist opt_vars, opt_targets;

static const struct pz_opt plan_opts[] = {
    {"f", PZ_OPT_STRING, &opt_file, "FILE",
     "the spec (default: pz.yaml, pz.yml or pz.json here)"},
    {"var", PZ_OPT_LIST, &opt_vars, "NAME=VALUE",
     "set ${var:NAME}; repeatable"},
    {"out", PZ_OPT_STRING, &opt_out, "FILE",
     "save the plan, for pz apply FILE and pz show FILE"},
    {"json", PZ_OPT_BOOL, &opt_json, NULL,
     "print the plan as JSON (Terraform's plan format); same as "
     "-format=json"},
    {"format", PZ_OPT_STRING, &opt_format, "text|json|markdown",
     "how to print the plan (markdown: for a pull request comment)"},
    {"detailed-exitcode", PZ_OPT_BOOL, &opt_detailed, NULL,
     "exit 0 when nothing changes, 2 when something does, 1 on error"},
    {"target", PZ_OPT_LIST, &opt_targets, "ADDR",
     "plan only this resource and what it depends on; repeatable"},
    {"refresh", PZ_OPT_BOOL, &opt_refresh, NULL,
     "read the live resources first (default true; -refresh=false "
     "plans from the state alone)"},
    {"destroy", PZ_OPT_BOOL, &opt_destroy, NULL,
     "plan to destroy everything in the state"},
    {"parallelism", PZ_OPT_INT, &opt_parallelism, "N",
     "at most N reads in flight during refresh (default 50)"},
    {"state", PZ_OPT_STRING, &opt_state, "PATH",
     "use the local state file at PATH"},
    {"lock", PZ_OPT_BOOL, &opt_lock, NULL,
     "hold the state lock while planning (default true)"},
    {"lock-timeout", PZ_OPT_STRING, &opt_lock_timeout, "DURATION",
     "wait this long for the state lock (e.g. 30s; default 0s)"},
    {"data-check", PZ_OPT_STRING, &opt_data_check, "off|header|sample|full",
     "check the data each import would read against its schema "
     "(default sample)"},
    {"usage", PZ_OPT_BOOL, &opt_usage, NULL,
     "end the plan with what it bills in AWS's units (default true; "
     "-usage=false leaves it out)"},
    {"prices", PZ_OPT_STRING, &opt_prices, "FILE",
     "turn the usage into USD with the prices in FILE (default: the "
     "spec's pz.prices)"},
    {NULL},
};

enum format { FMT_TEXT, FMT_JSON, FMT_MARKDOWN };

static int pick_format(enum format *out)
{
	*out = opt_json ? FMT_JSON : FMT_TEXT;
	if (!opt_format)
		return 0;
	if (opt_json && strcmp(opt_format, "json")) {
		/* Never let the last flag win silently. */
		pz_cmd_error("-json and -format=%s ask for two outputs: pass "
			     "one",
			     opt_format);
		return 1;
	}
	if (!strcmp(opt_format, "text"))
		*out = FMT_TEXT;
	else if (!strcmp(opt_format, "json"))
		*out = FMT_JSON;
	else if (!strcmp(opt_format, "markdown") || !strcmp(opt_format, "md"))
		*out = FMT_MARKDOWN;
	else {
		pz_cmd_error("-format takes text, json or markdown, not '%s'",
			     opt_format);
		return 1;
	}
	return 0;
}

/* Where -out writes must be writable before a plan is made: an error
 * after the whole plan scrolls away. 0, or 1 after printing. */
static int check_out_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir =
	    slash
		? pz_xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
		: pz_xstrdup(".");
	struct stat sb;
	int r = 0;

	if (!*path || (slash && !slash[1]) ||
	    (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))) {
		pz_cmd_error("-out='%s' names a directory: give a file name",
			     path);
		r = 1;
	} else if (access(dir, W_OK) != 0) {
		pz_cmd_error("cannot write the plan to '%s': %s: %s", path, dir,
			     strerror(errno));
		r = 1;
	}
	free(dir);
	return r;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress {
	double t0;
	bool shown, tty;
};

/* The data check's progress line, on a terminal, once it has taken a
 * second. */
static void data_progress(void *ud, size_t done, size_t n, uint64_t bytes)
{
	struct progress *p = ud;

	if (!p->tty || now_s() - p->t0 < 1.0)
		return;
	fprintf(stderr, "\rpz: checking data: %zu/%zu object%s, %.1f MiB", done,
		n, n == 1 ? "" : "s", (double)bytes / (1 << 20));
	p->shown = true;
}

/*
 * The data pre-flight: each import the plan would run has its data
 * checked against its schema; findings go to diags. New results are
 * cached in the state (written when we hold the lock). 0, or 1 after
 * printing why.
 */
static int check_data(struct pz_aws_client *client, struct pz_spec *spec,
		      struct pz_plan *plan, struct pz_backend *backend,
		      struct pz_state *state, long long now,
		      struct pz_diags *diags)
{
	struct pz_dc_run_opts o;
	struct progress p;
	struct pz_state *next = pz_state_dup(state);
	bool changed = false;
	int level =
	    pz_dc_level_parse(opt_data_check ? opt_data_check : "sample");
	int r;

	if (level < 0) {
		pz_state_free(next);
		pz_cmd_error("plan: -data-check takes off, header, sample or "
			     "full, not '%s'",
			     opt_data_check);
		return 1;
	}
	memset(&o, 0, sizeof(o));
	memset(&p, 0, sizeof(p));
	p.t0 = now_s();
	p.tty = isatty(STDERR_FILENO) == 1;
	o.level = (enum pz_dc_level)level;
	o.now = now;
	o.progress = data_progress;
	o.progress_ud = &p;
	r = pz_personalize_data_check(client, spec, plan, next, &o, diags,
				      &changed);
	if (p.shown)
		fputs("\r\033[K", stderr);
	if (!r && changed && opt_lock) {
		r = pz_backend_save(backend, next, state);
		if (!r)
			plan->state_serial = next->serial;
	}
	pz_state_free(next);
	if (r)
		return pz_cmd_fail();
	return 0;
}

static int run_plan(int argc, char **argv)
{
	struct pz_spec *spec = NULL;
	struct pz_state *state = NULL;
	struct pz_backend *backend = NULL;
	struct pz_aws_client *client = NULL;
	struct pz_plan *plan = NULL;
	struct pz_live *live = NULL, *live_state = NULL;
	struct pz_spec_var *vars = NULL;
	struct pz_prices *prices = NULL;
	struct pz_plan_opts po;
	struct pz_render_opts ro;
	struct pz_diags diags;
	struct pz_buf out;
	enum format fmt;
	size_t i, nstate = 0;
	int status = 1, r;

	(void)argc;
	(void)argv;
	pz_diags_init(&diags);
	pz_buf_init(&out, 0);
	if (pick_format(&fmt) || (opt_out && check_out_path(opt_out)))
		return 1;
	pz_cmd_spec_warnings(true);
	if (pz_cmd_load_spec(&spec, opt_file, &opt_vars, false))
		return 1;
	if (pz_cmd_parse_vars(&opt_vars, &vars))
		goto out;
	if (opt_usage && pz_cmd_load_prices(&prices, spec, opt_prices))
		goto out;
	if (pz_cmd_backend_open(&backend, spec, opt_state,
				opt_lock ? "plan" : NULL, opt_lock_timeout))
		goto out;
	if (pz_backend_load(backend, &state, NULL)) {
		pz_cmd_fail();
		goto out;
	}
	nstate = state->n;
	live = pz_xcalloc(spec->nresources + 1, sizeof(*live));
	live_state = pz_xcalloc(nstate + 1, sizeof(*live_state));
	memset(&po, 0, sizeof(po));
	po.destroy = opt_destroy;
	po.targets = opt_targets.items;
	po.ntargets = opt_targets.n;
	po.no_usage = !opt_usage;
	if (opt_refresh) {
		double t0 = now_s();

		if (pz_cmd_client_new(&client, spec, opt_parallelism))
			goto out;
		if (pz_personalize_refresh(client, spec, state, live,
					   live_state)) {
			pz_cmd_fail();
			goto out;
		}
		po.refreshed = true;
		if (fmt == FMT_TEXT)
			fprintf(stderr,
				"pz: refreshed %zu resource%s in %.1fs\n",
				spec->nresources + nstate,
				spec->nresources + nstate == 1 ? "" : "s",
				now_s() - t0);
	}
	r = pz_plan_make(&plan, spec, state, live, live_state, &po, &diags);
	pz_usage_price(plan->usage, prices);
	if (!r && client && !opt_destroy &&
	    pz_personalize_find_unmanaged(client, spec, plan, &diags)) {
		pz_cmd_fail();
		goto out;
	}
	if (!r && client && !opt_destroy &&
	    check_data(client, spec, plan, backend, state,
		       po.now ? po.now : time(NULL), &diags))
		goto out;
	if (opt_targets.n)
		pz_diag_add(&diags, PZ_SEV_WARNING, spec->path,
			    (struct pz_pos){0, 0, 0},
			    "-target is for exceptional cases (recovering "
			    "from a mistake, working around a limitation): "
			    "the rest of the spec is not planned");
	pz_diags_sort(&diags);
	if (diags.n)
		pz_cmd_print_diags(&diags, false);
	if (diags.nerrors) {
		fprintf(stderr,
			"pz: the plan has %zu error%s; nothing to "
			"apply\n",
			diags.nerrors, diags.nerrors == 1 ? "" : "s");
		goto out;
	}
	/* The last safe point: an interrupted plan prints and saves
	 * nothing, not even what it finished reading. */
	if (pz_cmd_check_interrupted()) {
		pz_cmd_fail();
		goto out;
	}
	pz_spec_digest(spec, vars, opt_vars.n, plan->spec_digest);
	memset(&ro, 0, sizeof(ro));
	ro.color = fmt == FMT_TEXT && pz_cmd_color(stdout);
	r = fmt == FMT_JSON	  ? pz_plan_render_json(plan, &out)
	    : fmt == FMT_MARKDOWN ? pz_plan_render_markdown(plan, &out, &ro)
				  : pz_plan_render_text(plan, &out, &ro);
	if (r) {
		pz_cmd_fail();
		goto out;
	}
	fputs(pz_buf_cstr(&out), stdout);
	if (opt_out) {
		if (pz_plan_save(plan, opt_out)) {
			pz_cmd_fail();
			goto out;
		}
		if (fmt == FMT_TEXT)
			printf("\nSaved the plan to: %s\n\nTo perform exactly "
			       "these actions, run the following command to "
			       "apply:\n    pz apply \"%s\"\n",
			       opt_out, opt_out);
	}
	status = opt_detailed && pz_plan_has_changes(plan) ? 2 : 0;
out:
	if (pz_cmd_backend_close(backend))
		status = 1;
	for (i = 0; live && i < spec->nresources; i++)
		pz_live_release(&live[i]);
	for (i = 0; live_state && i < nstate; i++)
		pz_live_release(&live_state[i]);
	free(live);
	free(live_state);
	free(vars);
	pz_plan_free(plan);
	pz_prices_free(prices);
	pz_state_free(state);
	pz_aws_client_free(client);
	pz_spec_free(spec);
	pz_diags_release(&diags);
	pz_buf_release(&out);
	return status;
}

const struct pz_cmd pz_cmd_plan = {
    .name = "plan",
    .summary = "Show what apply would change, and why",
    .description =
	"Reads the live resources (unless -refresh=false), compares\n"
	"them and the state with the spec, and prints what apply would\n"
	"do: create, update in place, replace (naming the attributes\n"
	"that force it) or destroy. Imports run when the data under a\n"
	"location changed since the last import; a solution trains\n"
	"when data was imported since its last training, its\n"
	"configuration changed or its version is older than maxAge:\n"
	"the plan says which trigger fired. Changes made outside pz\n"
	"are shown first. Before an import, its data in S3 is checked\n"
	"against the dataset's schema (-data-check); data errors make\n"
	"the plan fail. Every plan ends with what it bills in AWS's\n"
	"units (each month, once, and the change per month), in USD\n"
	"with -prices=FILE (docs/usage-cost.md); it never fails a\n"
	"plan. Exit status: 0, or 1 on error; with\n"
	"-detailed-exitcode 2 when the plan has changes.",
    .opts = plan_opts,
    .max_args = 0,
    .run = run_plan,
};
