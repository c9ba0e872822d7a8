#include "cmd.h"
static int run_graph(int argc, char **argv) { (void)argc; (void)argv; return 0; }
static const struct pz_opt graph_opts[] = {{NULL}};
const struct pz_cmd pz_cmd_graph = { .name = "graph", .summary = "Check the spec", .opts = graph_opts, .max_args = 0, .run = run_graph };
