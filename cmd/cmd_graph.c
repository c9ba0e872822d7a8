/*
 * cmd_graph.c - pz graph: the resource graph as Graphviz DOT.
 */
#include <stdio.h>

#include "cmd.h"
#include "core/graph.h"
#include "core/spec.h"

static const struct pz_opt graph_opts[] = {
    PZ_OPT_ROWS_SPEC(PZ_HELP_SPEC),
    {NULL},
};

static int run_graph(struct pz_setup *s, int argc, char **argv)
{
	struct pz_buf out;
	int r;

	(void)argc;
	(void)argv;
	pz_buf_init(&out, 0);
	r = pz_graph_dot(s->spec, &out);
	if (!r)
		fputs(pz_buf_cstr(&out), stdout);
	pz_buf_release(&out);
	return r ? pz_cmd_fail() : 0;
}

const struct pz_cmd pz_cmd_graph = {
    .name = "graph",
    .summary = "Print the resource dependency graph as Graphviz DOT",
    .description = "Each resource is a node, each dependency an edge from the\n"
		   "resource to what it needs; resources pz derives (schemas,\n"
		   "import jobs, solution versions) are dashed. The order is\n"
		   "the same on every run. Render with: pz graph | dot -Tsvg",
    .opts = graph_opts,
    .max_args = 0,
    .setup = PZ_SETUP_SPEC,
    .run = run_graph,
};
