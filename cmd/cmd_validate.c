#include "cmd.h"
static int run_validate(int argc, char **argv) { (void)argc; (void)argv; return 0; }
static const struct pz_opt validate_opts[] = {{NULL}};
const struct pz_cmd pz_cmd_validate = { .name = "validate", .summary = "Check the spec", .opts = validate_opts, .max_args = 0, .run = run_validate };
