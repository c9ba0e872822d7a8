/*
 * cmd_plan.c - pz plan: refresh, diff, print; -out saves the plan.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "core/plan.h"

static const char *opt_out, *opt_format;
static const char *opt_data_check, *opt_prices;
static const char *opt_git_base, *opt_git_head;
static bool opt_usage = true;
static bool opt_json, opt_detailed, opt_refresh = true;
static bool opt_destroy;
static long opt_parallelism = 50;
static struct pz_strlist opt_targets;

static const struct pz_opt plan_opts[] = {
    PZ_OPT_ROWS_SPEC(PZ_HELP_SPEC),
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
    PZ_OPT_ROW_STATE("use the local state file at PATH"),
    PZ_OPT_ROW_LOCK("hold the state lock while planning (default true)"),
    PZ_OPT_ROW_LOCK_TIMEOUT("wait this long for the state lock (e.g. 30s; "
			    "default 0s)"),
    {"data-check", PZ_OPT_STRING, &opt_data_check, "off|header|sample|full",
     "check the data each import would read against its schema "
     "(default sample)"},
    {"git-base", PZ_OPT_STRING, &opt_git_base, "REF",
     "review the change since this commit: the spec files it touches "
     "and the resources it declares differently (docs/gitops.md)"},
    {"git-head", PZ_OPT_STRING, &opt_git_head, "REF",
     "plan the spec as this commit has it (default: the work tree)"},
    PZ_OPT_ROWS_USAGE(&opt_usage, &opt_prices),
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

static int run_plan(struct pz_setup *s, int argc, char **argv)
{
	struct pz_cmd_plan_args a;
	struct pz_cmd_planned p;
	struct pz_render_opts ro;
	struct pz_buf out;
	struct pz_diags errors;
	enum format fmt;
	bool printed = false;
	int status = 1, r;

	(void)argc;
	(void)argv;
	pz_buf_init(&out, 0);
	pz_diags_init(&errors);
	memset(&p, 0, sizeof(p));
	if (pick_format(&fmt))
		return 1;
	/* A CI that posts stdout as a comment gets the errors, not nothing:
	 * in the document's own format. */
	if (fmt != FMT_TEXT)
		pz_cmd_capture_errors(&errors);
	if (opt_out && check_out_path(opt_out))
		goto out;
	a = s->plan;
	a.data_check = opt_data_check;
	a.targets = &opt_targets;
	a.parallelism = opt_parallelism;
	a.destroy = opt_destroy;
	a.refresh = opt_refresh;
	a.usage_off = !opt_usage;
	a.prices = opt_prices;
	a.quiet = fmt != FMT_TEXT;
	a.git_base = opt_git_base;
	a.git_head = opt_git_head;
	if (pz_cmd_plan_make(&p, &a))
		goto out;
	memset(&ro, 0, sizeof(ro));
	ro.color = fmt == FMT_TEXT && pz_cmd_color(stdout);
	ro.marker = pz_cmd_git_marker(p.plan);
	ro.artifact = opt_out;
	r = fmt == FMT_JSON	  ? pz_plan_render_json(p.plan, &out)
	    : fmt == FMT_MARKDOWN ? pz_plan_render_markdown(p.plan, &out, &ro)
				  : pz_plan_render_text(p.plan, &out, &ro);
	if (r) {
		pz_cmd_fail();
		goto out;
	}
	fputs(pz_buf_cstr(&out), stdout);
	printed = true;
	if (opt_out) {
		if (pz_plan_save(p.plan, opt_out)) {
			pz_cmd_fail();
			goto out;
		}
		if (fmt == FMT_TEXT)
			printf("\nSaved the plan to: %s\n\nTo perform exactly "
			       "these actions, run the following command to "
			       "apply:\n    pz apply \"%s\"\n",
			       opt_out, opt_out);
	}
	status = opt_detailed && pz_plan_has_changes(p.plan) ? 2 : 0;
out:
	if (pz_cmd_planned_release(&p))
		status = 1;
	pz_cmd_capture_errors(NULL);
	if (status == 1 && fmt != FMT_TEXT && !printed &&
	    pz_cmd_print_failure(&errors, fmt == FMT_JSON, "plan"))
		status = 1;
	pz_diags_release(&errors);
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
	"the plan fail. In a git work tree the plan records the commit\n"
	"its spec is from; -git-base reviews a change: the spec files\n"
	"it touches and the resources it declares differently\n"
	"(docs/gitops.md). Every plan ends with what it bills in AWS's\n"
	"units (each month, once, and the change per month), in USD\n"
	"with -prices=FILE (docs/usage-cost.md); it never fails a\n"
	"plan. Exit status: 0, or 1 on error; with\n"
	"-detailed-exitcode 2 when the plan has changes.",
    .opts = plan_opts,
    .max_args = 0,
    .setup = PZ_SETUP_PLAN | PZ_SETUP_SPEC_WARNINGS,
    .run = run_plan,
};
