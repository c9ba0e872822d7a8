/*
 * graph.h - the resource graph of a spec rendered for people and tools.
 */
#ifndef PZ_GRAPH_H
#define PZ_GRAPH_H

#include "buf.h"
#include "spec.h"

/*
 * Appends the dependency graph as Graphviz DOT: one node per resource,
 * an edge from each resource to each of its dependencies, in dependency
 * order (ties by type, then address), so the output is the same on every
 * run for the same spec.
 */
int pz_graph_dot(const struct pz_spec *spec, struct pz_buf *out) PZ_MUST_USE;

#endif
