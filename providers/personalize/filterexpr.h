/*
 * filterexpr.h - the filterExpression of a Personalize filter, parsed and
 * checked as `pz validate` needs it.
 *
 * The grammar is the one the Personalize developer guide documents
 * ("Filter expression structure and elements", "Guidelines and
 * requirements" and the examples pages); docs/spec-checks.md has it in
 * full with its sources:
 *
 *     filter := expr ('|' expr)*
 *     expr   := (INCLUDE|EXCLUDE) (ItemID|UserID|ActionID)
 *               WHERE cond ((AND|OR) cond)* [IF cond (AND cond)*]
 *     cond   := Dataset.FIELD (IN|NOT IN) list
 *             | Dataset.FIELD (=|!=|<|<=|>|>=) value
 *
 * A small lexer and a recursive-descent parser report every problem as a
 * diagnostic at the offending token's place in the spec file (see
 * pz_filter_scalar_pos), recovering at the next condition or expression
 * so that one run shows them all. What needs the spec's datasets (does
 * Items have GENRE? is it a string?) is the caller's, from the refs.
 */
#ifndef PZ_PERSONALIZE_FILTEREXPR_H
#define PZ_PERSONALIZE_FILTEREXPR_H

#include "core/arena.h"
#include "core/common.h"
#include "core/diag.h"
#include "core/node.h"

#define PZ_FILTER_EXPR_MAX	 2500 /* CreateFilter's FilterExpression */
#define PZ_FILTER_PARAMS_MAX	 25   /* GetRecommendations' FilterValues */
#define PZ_FILTER_PARAM_NAME_MAX 50   /* FilterAttributeName */
#define PZ_FILTER_FIELDS_MAX	 10   /* distinct dataset fields in a filter */

enum pz_filter_op {
	PZ_FILTER_IN,
	PZ_FILTER_NOT_IN,
	PZ_FILTER_EQ,
	PZ_FILTER_NE,
	PZ_FILTER_LT,
	PZ_FILTER_LE,
	PZ_FILTER_GT,
	PZ_FILTER_GE,
};

/* One Dataset.FIELD the expression uses. */
struct pz_filter_ref {
	/* The dataset type as the spec's datasets section names it:
	 * "Items", "Users", "Interactions", "Actions" or "ActionInteractions"
	 * (written Action_Interactions in expressions); CurrentUser.F is a
	 * Users field and CurrentItem.F an Items field. */
	const char *dataset;
	const char *field;
	struct pz_pos pos;    /* of the reference in the spec file */
	enum pz_filter_op op; /* of the condition it is in */
	bool current;	      /* written CurrentUser.F or CurrentItem.F */
};

struct pz_filter_info {
	struct pz_filter_ref *refs; /* in expression order, repeats kept */
	size_t nrefs;
	char **params; /* $PARAM placeholders, distinct, without the '$' */
	size_t nparams;
	const char *target;    /* "ItemID", "UserID" or "ActionID" */
	size_t nexprs;	       /* expressions chained with '|' */
	struct pz_arena arena; /* owns the strings */
};

/*
 * Checks expr, the filterExpression node of a document whose path is
 * file. Every problem goes to diags. Returns 0 with *out set when this
 * call added no error (the caller frees it with pz_filter_info_free),
 * PZ_ESPEC otherwise with *out NULL. expr and diags are borrowed.
 */
int pz_filter_expr_check(struct pz_filter_info **out, const char *file,
			 const struct pz_node *expr, struct pz_diags *diags);

void pz_filter_info_free(struct pz_filter_info *f);

/* "IN", "NOT IN", "=", ... */
const char *pz_filter_op_name(enum pz_filter_op op);

/*
 * Where byte off of string node n's value lies in file, as far as the
 * node tells: the tree keeps a scalar's start but not its style, so the
 * place is exact for a single-line plain YAML scalar, a single-line
 * quoted YAML scalar that needs no escapes, and a JSON string (escapes
 * counted as JSON writes them, ASCII only escaped); *exact is then true.
 * Otherwise (a block scalar, a folded line, a string changed by ${...},
 * escapes that cannot be told apart) it is n's own position and *exact
 * false. The format follows file's extension (.json, .yaml, .yml). Used
 * for filter expressions and for Avro schemas written as strings.
 */
struct pz_pos pz_filter_scalar_pos(const char *file, const struct pz_node *n,
				   size_t off, bool *exact);

#endif
