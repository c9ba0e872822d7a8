/*
 * cmd_validate.c - pz validate: load and check the spec; no network.
 */
#include <stdio.h>

#include "cmd.h"
#include "core/spec.h"

static bool opt_json;

static const struct pz_opt validate_opts[] = {
    PZ_OPT_ROWS_SPEC(PZ_HELP_SPEC),
    {"json", PZ_OPT_BOOL, &opt_json, NULL,
     "print the diagnostics as JSON on stdout"},
    {NULL},
};

/* -json: the diagnostics, on stdout. */
static int prepare_validate(struct pz_setup *s, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	s->json_diags = opt_json;
	return 0;
}

static int run_validate(struct pz_setup *s, int argc, char **argv)
{
	size_t n = s->spec->nresources;

	(void)argc;
	(void)argv;
	if (!opt_json)
		printf("The spec is valid: %zu resource%s.\n", n,
		       n == 1 ? "" : "s");
	return 0;
}

const struct pz_cmd pz_cmd_validate = {
    .name = "validate",
    .summary = "Check the spec (syntax, fields, references); no network",
    .description =
	"Reads the spec and reports every problem at once, each as\n"
	"FILE:LINE:COL: error: message. Checks syntax, unknown keys,\n"
	"required members, names, enums, ARNs, lengths, Avro schemas,\n"
	"filter expressions, references between resources, duplicate\n"
	"names and dependency cycles. Warns about costly defaults.\n"
	"Exit status: 0 when the spec is valid, 1 otherwise.",
    .opts = validate_opts,
    .max_args = 0,
    .setup = PZ_SETUP_SPEC | PZ_SETUP_SPEC_WARNINGS,
    .prepare = prepare_validate,
    .run = run_validate,
};
