/* PLACEHOLDER written by the lead so the tree builds; the helper that owns
 * filterexpr.[ch] replaces this file entirely. */
#ifndef PZ_FILTEREXPR_H
#define PZ_FILTEREXPR_H
#include "core/diag.h"
#include "core/node.h"
struct pz_filter_ref { const char *dataset; const char *field; struct pz_pos pos; };
struct pz_filter_info { struct pz_filter_ref *refs; size_t nrefs; char **params; size_t nparams; const char *target; };
int pz_filter_expr_check(struct pz_filter_info **out, const char *file, const struct pz_node *expr, struct pz_diags *diags);
void pz_filter_info_free(struct pz_filter_info *f);
#endif
