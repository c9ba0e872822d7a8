/*
 * cmd_graph.c - pz graph: the resource graph as Graphviz DOT.
 */
#include <stdio.h>

#include "cmd.h"
#include "core/graph.h"
#include "core/spec.h"

static const char *opt_file;
static struct pz_strlist opt_vars;

static const struct pz_opt graph_opts[] = {
    {"f", PZ_OPT_STRING, &opt_file, "FILE",
     "the spec (default: pz.yaml, pz.yml or pz.json here)"},
    {"var", PZ_OPT_LIST, &opt_vars, "NAME=VALUE",
     "set ${var:NAME}; repeatable"},
    {NULL},
};

static int run_graph(int argc, char **argv)
{
	struct pz_spec *spec = NULL;
	struct pz_buf out;
	int r;

	(void)argc;
	(void)argv;
	if (pz_cmd_load_spec(&spec, opt_file, &opt_vars, false))
		return 1;
	pz_buf_init(&out, 0);
	r = pz_graph_dot(spec, &out);
	if (!r)
		fputs(pz_buf_cstr(&out), stdout);
	pz_buf_release(&out);
	pz_spec_free(spec);
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
    .run = run_graph,
};
