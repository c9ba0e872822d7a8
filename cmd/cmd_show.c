/*
 * cmd_show.c - pz show [-json]: the state, for people or as JSON.
 *
 * With a PLANFILE argument, the saved plan instead (show_plan()).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "core/backend.h"
#include "core/error.h"
#include "core/escape.h"
#include "core/json_out.h"
#include "core/plan.h"
#include "core/plan_check.h"
#include "core/spec.h"
#include "core/state.h"

static bool opt_json;

static const struct pz_opt show_opts[] = {
    PZ_OPT_ROWS_SPEC(PZ_HELP_SPEC_STATE),
    PZ_OPT_ROW_STATE("read this local state file instead of the spec's "
		     "backend"),
    {"json", PZ_OPT_BOOL, &opt_json, NULL, "print one JSON object"},
    {NULL},
};

/* A value on one line: compact, deterministic JSON. */
static void print_value(FILE *out, const cJSON *v)
{
	struct pz_buf b;

	pz_buf_init(&b, 0);
	if (pz_json_write(v, &b, -1) == 0)
		fputs(pz_buf_cstr(&b), out);
	pz_buf_release(&b);
}

static void print_line(FILE *out, int width, const char *key, const cJSON *v)
{
	fprintf(out, "    %-*s = ", width, pz_esc(key));
	print_value(out, v);
	fputc('\n', out);
}

void pz_cmd_print_resource(FILE *out, const struct pz_state_resource *r)
{
	const cJSON *a;
	cJSON *tmp;
	int width = 10; /* "depends_on" */
	size_t i;

	cJSON_ArrayForEach(a, r->attributes)
	{
		if ((int)strlen(a->string) > width)
			width = (int)strlen(a->string);
	}
	fprintf(out, "# %s:%s\n", pz_esc(r->address),
		r->tainted ? " (tainted)" : "");
	tmp = r->arn ? cJSON_CreateString(r->arn) : cJSON_CreateNull();
	print_line(out, width, "arn", tmp);
	cJSON_Delete(tmp);
	if (r->status) {
		tmp = cJSON_CreateString(r->status);
		print_line(out, width, "status", tmp);
		cJSON_Delete(tmp);
	}
	cJSON_ArrayForEach(a, r->attributes)
	{
		print_line(out, width, a->string, a);
	}
	if (r->ndeps) {
		tmp = cJSON_CreateArray();
		for (i = 0; i < r->ndeps; i++)
			cJSON_AddItemToArray(tmp,
					     cJSON_CreateString(r->deps[i]));
		print_line(out, width, "depends_on", tmp);
		cJSON_Delete(tmp);
	}
	if (r->meta && r->meta->child)
		print_line(out, width, "pz", r->meta);
}

/*
 * The state as `terraform show -json` shapes it, so tools that read
 * values.root_module.resources[] work; pz's own facts (arn, status,
 * tainted, pz) ride along on each resource.
 */
static cJSON *state_json(const struct pz_state *st, bool stored)
{
	cJSON *root = cJSON_CreateObject(), *values, *mod, *list;
	size_t i, j;

	cJSON_AddStringToObject(root, "format_version", "1.0");
	cJSON_AddStringToObject(root, "pz_version", PZ_VERSION);
	if (!stored)
		return root;
	cJSON_AddNumberToObject(root, "serial", (double)st->serial);
	cJSON_AddStringToObject(root, "lineage", st->lineage);
	pz_json_add_str_or_null(root, "git_commit", st->git_commit);
	values = cJSON_AddObjectToObject(root, "values");
	mod = cJSON_AddObjectToObject(values, "root_module");
	list = cJSON_AddArrayToObject(mod, "resources");
	for (i = 0; i < st->n; i++) {
		const struct pz_state_resource *r = &st->resources[i];
		cJSON *o = cJSON_CreateObject(), *v, *deps;

		cJSON_AddStringToObject(o, "address", r->address);
		cJSON_AddStringToObject(o, "mode", "managed");
		cJSON_AddStringToObject(o, "type", r->type);
		cJSON_AddStringToObject(o, "name",
					r->address + strlen(r->type) + 1);
		v = cJSON_Duplicate(r->attributes, 1);
		if (r->arn && !cJSON_HasObjectItem(v, "arn"))
			cJSON_AddStringToObject(v, "arn", r->arn);
		cJSON_AddItemToObject(o, "values", v);
		deps = cJSON_AddArrayToObject(o, "depends_on");
		for (j = 0; j < r->ndeps; j++)
			cJSON_AddItemToArray(deps,
					     cJSON_CreateString(r->deps[j]));
		pz_json_add_str_or_null(o, "arn", r->arn);
		if (r->status)
			cJSON_AddStringToObject(o, "status", r->status);
		cJSON_AddBoolToObject(o, "tainted", r->tainted);
		if (r->meta && r->meta->child)
			cJSON_AddItemToObject(o, "pz",
					      cJSON_Duplicate(r->meta, 1));
		cJSON_AddItemToArray(list, o);
	}
	return root;
}

static int show_state(const struct pz_state *st, bool stored)
{
	int status = 1;
	size_t i;

	if (opt_json) {
		cJSON *root = state_json(st, stored);
		struct pz_buf buf;

		pz_buf_init(&buf, 0);
		if (pz_json_write(root, &buf, 2) || pz_buf_addc(&buf, '\n')) {
			pz_cmd_fail();
		} else {
			fputs(pz_buf_cstr(&buf), stdout);
			status = 0;
		}
		pz_buf_release(&buf);
		cJSON_Delete(root);
		return status;
	}
	if (!stored)
		printf("No state.\n");
	else if (!st->n)
		printf("The state is empty (serial %llu).\n",
		       (unsigned long long)st->serial);
	for (i = 0; i < st->n; i++) {
		if (i)
			putchar('\n');
		pz_cmd_print_resource(stdout, &st->resources[i]);
	}
	if (stored && st->git_commit)
		printf("\nLast applied from git commit %s (serial %llu).\n",
		       pz_esc(st->git_commit), (unsigned long long)st->serial);
	return 0;
}

/*
 * The spec a saved plan is checked against: -f, else the path the plan
 * names, as it is or (a relative path, run from elsewhere) beside the
 * plan file. NULL when none is there: a plan copied away for review is
 * still shown. Its -var values are needed for the digest.
 */
static char *plan_spec_path(const struct pz_plan *plan, const char *plan_path)
{
	const char *slash = strrchr(plan_path, '/');
	char *p;

	if (pz_opts.file)
		return pz_xstrdup(pz_opts.file);
	if (!plan->spec_path[0])
		return NULL;
	if (access(plan->spec_path, R_OK) == 0)
		return pz_xstrdup(plan->spec_path);
	if (plan->spec_path[0] == '/' || !slash)
		return NULL;
	p = pz_xasprintf("%.*s/%s", (int)(slash - plan_path), plan_path,
			 plan->spec_path);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

/*
 * Checks the saved plan against its spec (refused when they disagree:
 * the plan was edited) and warns, before the plan, when the spec or the
 * state moved since it was made. 0, or 1 after printing.
 */
static int check_plan(const struct pz_plan *plan, const char *plan_path)
{
	struct pz_spec *spec = NULL;
	struct pz_spec_var *vars = NULL;
	struct pz_diags d;
	struct pz_backend *b = NULL;
	struct pz_state *st = NULL;
	char digest[65], *spec_path = plan_spec_path(plan, plan_path);
	bool stored = false;
	int status = 0;

	pz_diags_init(&d);
	if (!spec_path)
		goto out;
	if (pz_cmd_parse_vars(&pz_opts.vars, &vars) ||
	    pz_spec_load(&spec, spec_path, vars, pz_opts.vars.n, &d) || !spec) {
		if (pz_opts.file) {
			pz_cmd_error("cannot check the plan against '%s': %s",
				     spec_path,
				     d.nerrors ? "the spec has errors (pz "
						 "validate)"
					       : pz_error_last());
			status = 1;
		}
		goto out;
	}
	pz_spec_digest(spec, vars, pz_opts.vars.n, digest);
	/* Made from this spec (else it is stale, said below): it must be
	 * what pz plans from it. */
	if (!strcmp(plan->spec_digest, digest) &&
	    pz_plan_check_consistent(plan, spec, plan_path)) {
		status = pz_cmd_fail();
		goto out;
	}
	if (pz_cmd_backend_open(&b, spec, pz_opts.state, NULL, NULL) ||
	    pz_backend_load(b, &st, &stored))
		goto out;
	if (pz_plan_check_fresh(plan, digest, stored ? st : NULL))
		pz_cmd_error("warning: %s", pz_error_last());
out:
	pz_state_free(st);
	pz_cmd_backend_close(b);
	pz_spec_free(spec);
	free(vars);
	free(spec_path);
	pz_diags_release(&d);
	pz_error_clear();
	return status;
}

static int show_plan(const char *path)
{
	struct pz_plan *plan = NULL;
	struct pz_render_opts ro;
	struct pz_buf out;
	int r;

	if (pz_plan_load_checked(&plan, path, NULL))
		return pz_cmd_fail();
	if (check_plan(plan, path)) {
		pz_plan_free(plan);
		return 1;
	}
	memset(&ro, 0, sizeof(ro));
	ro.color = !opt_json && pz_cmd_color(stdout);
	pz_buf_init(&out, 0);
	r = opt_json ? pz_plan_render_json(plan, &out)
		     : pz_plan_render_text(plan, &out, &ro);
	if (!r)
		fputs(pz_buf_cstr(&out), stdout);
	pz_buf_release(&out);
	pz_plan_free(plan);
	return r ? pz_cmd_fail() : 0;
}

/* With PLANFILE, the saved plan: check_plan reads the spec and the state
 * it names, as the plan says, or goes without. */
static int prepare_show(struct pz_setup *s, int argc, char **argv)
{
	(void)argv;
	if (argc == 1)
		s->needs = 0;
	return 0;
}

static int run_show(struct pz_setup *s, int argc, char **argv)
{
	if (argc == 1)
		return show_plan(argv[0]);
	return show_state(s->state, s->stored);
}

const struct pz_cmd pz_cmd_show = {
    .name = "show",
    .summary = "Show the state, or a saved plan",
    .usage = "[PLANFILE]",
    .description =
	"Without an argument, prints each resource in the state with its\n"
	"ARN, status, attributes and dependencies. With -json, one object\n"
	"shaped like `terraform show -json` (values.root_module.resources[]),\n"
	"each resource also carrying pz's arn, status and tainted.\n"
	"Reads the state without locking it.\n\n"
	"With PLANFILE (from pz plan -out), prints that plan as pz plan\n"
	"did, or as Terraform's plan JSON with -json, and warns when the\n"
	"spec or the state has changed since it was made.",
    .opts = show_opts,
    .max_args = 1,
    .setup = PZ_SETUP_STATE | PZ_SETUP_LOAD,
    .prepare = prepare_show,
    .run = run_show,
};
