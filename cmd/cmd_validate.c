/*
 * cmd_validate.c - pz validate: load and check the spec; no network.
 */
#include <stdio.h>

#include "cmd.h"
#include "core/spec.h"

static const char *opt_file;
static bool opt_json;
static struct pz_strlist opt_vars;

static const struct pz_opt validate_opts[] = {
    {"f", PZ_OPT_STRING, &opt_file, "FILE",
     "the spec (default: pz.yaml, pz.yml or pz.json here)"},
    {"var", PZ_OPT_LIST, &opt_vars, "NAME=VALUE",
     "set ${var:NAME}; repeatable"},
    {"json", PZ_OPT_BOOL, &opt_json, NULL,
     "print the diagnostics as JSON on stdout"},
    {NULL},
};

static int run_validate(int argc, char **argv)
{
	struct pz_spec *spec = NULL;
	size_t n;

	(void)argc;
	(void)argv;
	pz_cmd_spec_warnings(true);
	if (pz_cmd_load_spec(&spec, opt_file, &opt_vars, opt_json))
		return 1;
	n = spec->nresources;
	if (!opt_json)
		printf("The spec is valid: %zu resource%s.\n", n,
		       n == 1 ? "" : "s");
	pz_spec_free(spec);
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
    .run = run_validate,
};
