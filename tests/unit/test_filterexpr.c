/*
 * test_filterexpr.c - the filter-expression checks of
 * providers/personalize/filterexpr.c.
 *
 * The table has the guide's own examples (they must pass) and, for each
 * rule of docs/spec-checks.md, an expression that breaks it, with the
 * exact diagnostics (line, column, message, in report order). Most are
 * plain YAML scalars, where a token's column is the scalar's column plus
 * its offset; the position cases cover quoted, block and JSON strings.
 * The tests after the table check what a valid expression yields (refs,
 * parameters, target), the 2,500-character limit and the position map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/node.h"
#include "providers/personalize/filterexpr.h"

#define E PZ_SEV_ERROR

struct want {
	enum pz_severity sev;
	unsigned line, col;
	const char *msg; /* NULL ends the list */
};

struct filter_case {
	const char *name;
	const char *path; /* "t.yaml" or "t.json" */
	const char *text; /* the expression is the document's
			     "filterExpression" */
	struct want want[8];
};

static void dump(const struct pz_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		print_message("  got %u:%u: %s\n", d->items[i].pos.line,
			      d->items[i].pos.col, d->items[i].message);
}

/* Loads text as path and checks its "filterExpression". */
static int check(struct pz_filter_info **out, struct pz_diags *d,
		 const char *path, const char *text)
{
	struct pz_doc *doc;
	int r;

	assert_int_equal(pz_doc_load(&doc, path, text, strlen(text), d), 0);
	r = pz_filter_expr_check(out, path,
				 pz_node_get(doc->root, "filterExpression"), d);
	pz_doc_free(doc);
	return r;
}

static void run_case(void **state)
{
	const struct filter_case *c = *state;
	struct pz_filter_info *f = NULL;
	struct pz_diags d;
	size_t i, n = 0;
	int r;

	while (c->want[n].msg)
		n++;
	pz_diags_init(&d);
	r = check(&f, &d, c->path, c->text);
	if (d.n != n)
		dump(&d);
	assert_int_equal(d.n, n);
	for (i = 0; i < n; i++) {
		if (strcmp(d.items[i].message, c->want[i].msg))
			dump(&d);
		assert_string_equal(d.items[i].message, c->want[i].msg);
		assert_int_equal(d.items[i].severity, c->want[i].sev);
		assert_int_equal(d.items[i].pos.line, c->want[i].line);
		assert_int_equal(d.items[i].pos.col, c->want[i].col);
		assert_string_equal(d.items[i].file, c->path);
	}
	assert_int_equal(r, n ? PZ_ESPEC : 0);
	if (n)
		assert_null(f);
	else
		assert_non_null(f);
	pz_filter_info_free(f);
	pz_diags_release(&d);
}

static const struct filter_case cases[] = {
    {
	.name = "seed",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.YEAR >= 1970 AND "
		"Items.YEAR < 1980\n",
    },
    {
	.name = "interactions_in",
	.path = "t.yaml",
	.text = "filterExpression: EXCLUDE ItemID WHERE "
		"Interactions.EVENT_TYPE IN (\"click\", \"stream\")\n",
    },
    {
	.name = "star",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE "
		"Interactions.EVENT_TYPE IN (\"*\")\n",
    },
    {
	.name = "param_list",
	.path = "t.yaml",
	.text =
	    "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN ($GENRES)\n",
    },
    {
	.name = "param_compare",
	.path = "t.yaml",
	.text = "filterExpression: EXCLUDE ItemID WHERE Items.PRICE > $PRICE\n",
    },
    {
	.name = "user_segment",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE UserID WHERE Users.AGE > 25\n",
    },
    {
	.name = "user_segment_interactions",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE UserID WHERE "
		"Interactions.EVENT_TYPE IN (\"click\", \"rating\")\n",
    },
    {
	.name = "action",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ActionID WHERE Actions.VALUE > "
		"($VALUE) IF CurrentUser.MEMBERSHIP = $PREMIUM\n",
    },
    {
	.name = "action_interactions",
	.path = "t.yaml",
	.text = "filterExpression: EXCLUDE ActionID WHERE "
		"Action_Interactions.EVENT_TYPE IN (\"NOT_TAKEN\")\n",
    },
    {
	.name = "chained",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN "
		"(\"drama\") | EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN "
		"(\"click\", \"stream\")\n",
    },
    {
	.name = "not_in",
	.path = "t.yaml",
	.text = "filterExpression: EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN "
		"(\"shoe\") AND Items.CATEGORY_L2 NOT IN (\"boot\")\n",
    },
    {
	.name = "current_item",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.PRICE < "
		"CurrentItem.PRICE AND Items.GENRE IN CurrentItem.GENRE\n",
    },
    {
	.name = "if_and",
	.path = "t.yaml",
	.text =
	    "filterExpression: EXCLUDE ItemID WHERE Items.NUMBER_OF_DOWNLOADS "
	    "< 20 IF CurrentUser.AGE > 18 AND CurrentUser.AGE < 30\n",
    },
    {
	.name = "or",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN (\"a\") "
		"OR Items.YEAR > 2000\n",
    },
    {
	.name = "operators",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.A = 1 AND "
		"Items.B != -2 AND Items.C <= 3.5 AND Items.D >= 0\n",
    },
    {
	.name = "not_string",
	.path = "t.yaml",
	.text = "filterExpression: 5\n",
	.want =
	    {
		{E, 1, 19, "a filter expression is a string, not an integer"},
	    },
    },
    {
	.name = "empty",
	.path = "t.yaml",
	.text = "filterExpression: \"  \"\n",
	.want =
	    {
		{E, 1, 19,
		 "the filter expression is empty; write one such as INCLUDE "
		 "ItemID WHERE Items.GENRE IN ($GENRES)"},
	    },
    },
    {
	.name = "action_missing",
	.path = "t.yaml",
	.text = "filterExpression: ItemID WHERE Items.A > 1\n",
	.want =
	    {
		{E, 1, 19, "expected INCLUDE or EXCLUDE, found 'ItemID'"},
	    },
    },
    {
	.name = "action_lowercase",
	.path = "t.yaml",
	.text = "filterExpression: include ItemID WHERE Items.A > 1\n",
	.want =
	    {
		{E, 1, 19, "write the keyword 'INCLUDE' in upper case"},
	    },
    },
    {
	.name = "target_suggest",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemId WHERE Items.A > 1\n",
	.want =
	    {
		{E, 1, 27,
		 "expected ItemID, UserID or ActionID, found 'ItemId'; did you "
		 "mean 'ItemID'?"},
	    },
    },
    {
	.name = "target_unknown",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE Product WHERE Items.A > 1\n",
	.want =
	    {
		{E, 1, 27,
		 "expected ItemID, UserID or ActionID, found 'Product'"},
	    },
    },
    {
	.name = "target_missing",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE WHERE Items.A > 1\n",
	.want =
	    {
		{E, 1, 27,
		 "expected ItemID, UserID or ActionID, found 'WHERE'"},
	    },
    },
    {
	.name = "where_missing",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID Items.A > 1\n",
	.want =
	    {
		{E, 1, 34, "expected WHERE, found 'Items'"},
	    },
    },
    {
	.name = "where_nothing",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE\n",
	.want =
	    {
		{E, 1, 39,
		 "expected a dataset field such as Items.GENRE, found the end "
		 "of the expression"},
	    },
    },
    {
	.name = "dataset_suggest",
	.path = "t.yaml",
	.text =
	    "filterExpression: INCLUDE ItemID WHERE Item.GENRE IN (\"a\")\n",
	.want =
	    {
		{E, 1, 40, "unknown dataset 'Item'; did you mean 'Items'?"},
	    },
    },
    {
	.name = "dataset_unknown",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Products.GENRE IN "
		"(\"a\")\n",
	.want =
	    {
		{E, 1, 40,
		 "unknown dataset 'Products': use Items, Users, Interactions, "
		 "Actions or Action_Interactions"},
	    },
    },
    {
	.name = "action_interactions_spelling",
	.path = "t.yaml",
	.text = "filterExpression: EXCLUDE ActionID WHERE "
		"ActionInteractions.EVENT_TYPE IN (\"x\")\n",
	.want =
	    {
		{E, 1, 42,
		 "unknown dataset 'ActionInteractions'; did you mean "
		 "'Action_Interactions'?"},
	    },
    },
    {
	.name = "ref_no_dot",
	.path = "t.yaml",
	.text =
	    "filterExpression: INCLUDE ItemID WHERE Items GENRE IN (\"a\")\n",
	.want =
	    {
		{E, 1, 46, "expected '.' and a field name, found 'GENRE'"},
	    },
    },
    {
	.name = "ref_no_field",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.1 > 2\n",
	.want =
	    {
		{E, 1, 46, "expected a field name, found '1'"},
	    },
    },
    {
	.name = "item_filter_on_users",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Users.AGE > 18\n",
	.want =
	    {
		{E, 1, 40,
		 "ItemID filters test Users fields through CurrentUser in an "
		 "IF condition, as in IF CurrentUser.AGE > 18"},
	    },
    },
    {
	.name = "user_filter_on_items",
	.path = "t.yaml",
	.text =
	    "filterExpression: INCLUDE UserID WHERE Items.GENRE IN (\"a\")\n",
	.want =
	    {
		{E, 1, 40,
		 "UserID filters take conditions on Users and Interactions, "
		 "not Items"},
	    },
    },
    {
	.name = "action_filter_on_items",
	.path = "t.yaml",
	.text =
	    "filterExpression: INCLUDE ActionID WHERE Items.GENRE IN (\"a\")\n",
	.want =
	    {
		{E, 1, 42,
		 "ActionID filters take conditions on Actions and "
		 "Action_Interactions, not Items"},
	    },
    },
    {
	.name = "mixed_datasets",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN (\"a\") "
		"AND Interactions.EVENT_TYPE IN (\"click\")\n",
	.want =
	    {
		{E, 1, 65,
		 "conditions joined with AND or OR must use the dataset of the "
		 "first condition (Items); filter on Interactions in another "
		 "expression chained with '|'"},
	    },
    },
    {
	.name = "interactions_field",
	.path = "t.yaml",
	.text = "filterExpression: EXCLUDE ItemID WHERE Interactions.DEVICE IN "
		"(\"mobile\")\n",
	.want =
	    {
		{E, 1, 53,
		 "Interactions conditions can only test EVENT_TYPE, not "
		 "DEVICE"},
	    },
    },
    {
	.name = "interactions_compare",
	.path = "t.yaml",
	.text = "filterExpression: EXCLUDE ItemID WHERE "
		"Interactions.EVENT_TYPE = 1\n",
	.want =
	    {
		{E, 1, 40,
		 "Interactions.EVENT_TYPE takes IN or NOT IN, not '='"},
	    },
    },
    {
	.name = "star_elsewhere",
	.path = "t.yaml",
	.text =
	    "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN (\"*\")\n",
	.want =
	    {
		{E, 1, 56,
		 "\"*\" means every event type: use it only with "
		 "Interactions.EVENT_TYPE or Action_Interactions.EVENT_TYPE"},
	    },
    },
    {
	.name = "star_unquoted",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE "
		"Interactions.EVENT_TYPE IN (*)\n",
	.want =
	    {
		{E, 1, 68,
		 "'*' goes in quotes, as in Interactions.EVENT_TYPE IN "
		 "(\"*\")"},
	    },
    },
    {
	.name = "op_missing",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE \"a\"\n",
	.want =
	    {
		{E, 1, 52,
		 "expected IN, NOT IN or a comparison (=, !=, <, <=, >, >=), "
		 "found \"a\""},
	    },
    },
    {
	.name = "op_double_equals",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.YEAR == 1970\n",
	.want =
	    {
		{E, 1, 51, "unknown operator '==': use '='"},
	    },
    },
    {
	.name = "op_not_alone",
	.path = "t.yaml",
	.text =
	    "filterExpression: INCLUDE ItemID WHERE Items.GENRE NOT (\"a\")\n",
	.want =
	    {
		{E, 1, 56, "expected IN after NOT, found '('"},
	    },
    },
    {
	.name = "list_no_parens",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN \"a\"\n",
	.want =
	    {
		{E, 1, 55,
		 "put the values after IN in parentheses: IN (\"a\")"},
	    },
    },
    {
	.name = "list_empty",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN ()\n",
	.want =
	    {
		{E, 1, 56, "empty list: IN takes one or more values"},
	    },
    },
    {
	.name = "list_missing_comma",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN (\"a\" "
		"\"b\")\n",
	.want =
	    {
		{E, 1, 60,
		 "expected ',' or ')' in the list of values, found \"b\""},
	    },
    },
    {
	.name = "list_trailing_comma",
	.path = "t.yaml",
	.text =
	    "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN (\"a\",)\n",
	.want =
	    {
		{E, 1, 60,
		 "expected a string in double quotes, a $PARAMETER or "
		 "CurrentItem.FIELD, found ')'"},
	    },
    },
    {
	.name = "list_unclosed",
	.path = "t.yaml",
	.text =
	    "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN (\"a\"\n",
	.want =
	    {
		{E, 1, 59,
		 "expected ',' or ')' in the list of values, found the end of "
		 "the expression"},
	    },
    },
    {
	.name = "list_number",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.YEAR IN (1970)\n",
	.want =
	    {
		{E, 1, 55,
		 "IN and NOT IN match strings: write \"1970\", or compare "
		 "numbers with ="},
	    },
    },
    {
	.name = "single_quotes",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN ('a')\n",
	.want =
	    {
		{E, 1, 56, "strings take double quotes: write \"a\""},
	    },
    },
    {
	.name = "unterminated_string",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN (\"a)\n",
	.want =
	    {
		{E, 1, 56, "unterminated string: add the closing \""},
	    },
    },
    {
	.name = "compare_string",
	.path = "t.yaml",
	.text =
	    "filterExpression: INCLUDE ItemID WHERE Items.GENRE = \"drama\"\n",
	.want =
	    {
		{E, 1, 54,
		 "'=' compares numbers, not strings; to match strings use IN "
		 "(\"drama\")"},
	    },
    },
    {
	.name = "compare_nothing",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.YEAR >\n",
	.want =
	    {
		{E, 1, 52,
		 "expected a number, a $PARAMETER or CurrentItem.FIELD after "
		 "'>', found the end of the expression"},
	    },
    },
    {
	.name = "dollar_alone",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN ($)\n",
	.want =
	    {
		{E, 1, 56, "'$' must start a parameter name such as $GENRES"},
	    },
    },
    {
	.name = "param_too_long",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN "
		"($GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG)\n",
	.want =
	    {
		{E, 1, 56,
		 "parameter name "
		 "'$GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG' is "
		 "longer than 50 characters"},
	    },
    },
    {
	.name = "param_not_in",
	.path = "t.yaml",
	.text = "filterExpression: EXCLUDE ItemID WHERE Items.GENRE NOT IN "
		"($GENRES)\n",
	.want =
	    {
		{E, 1, 60,
		 "placeholder parameters cannot be used with NOT IN; use IN "
		 "and swap INCLUDE and EXCLUDE"},
	    },
    },
    {
	.name = "too_many_params",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN ($P1, "
		"$P2, $P3, $P4, $P5, $P6, $P7, $P8, $P9, $P10, $P11, $P12, "
		"$P13, $P14, $P15, $P16, $P17, $P18, $P19, $P20, $P21, $P22, "
		"$P23, $P24, $P25, $P26)\n",
	.want =
	    {
		{E, 1, 197,
		 "'$P26' is parameter 26 of the filter; GetRecommendations "
		 "takes values for at most 25"},
	    },
    },
    {
	.name = "too_many_fields",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.F1 > 1 AND "
		"Items.F2 > 1 AND Items.F3 > 1 AND Items.F4 > 1 AND Items.F5 > "
		"1 AND Items.F6 > 1 AND Items.F7 > 1 AND Items.F8 > 1 AND "
		"Items.F9 > 1 AND Items.F10 > 1 AND Items.F11 > 1\n",
	.want =
	    {
		{E, 1, 211,
		 "Items.F11 is dataset field 11 of the filter; a filter can "
		 "use at most 10 distinct fields"},
	    },
    },
    {
	.name = "expiration",
	.path = "t.yaml",
	.text = "filterExpression: EXCLUDE ActionID WHERE "
		"Actions.EXPIRATION_TIMESTAMP > 5\n",
	.want =
	    {
		{E, 1, 50,
		 "filters cannot use Actions.EXPIRATION_TIMESTAMP: Personalize "
		 "applies it to action recommendations by itself"},
	    },
    },
    {
	.name = "keyword_lowercase",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE in (\"a\") "
		"and Items.YEAR > 1\n",
	.want =
	    {
		{E, 1, 52, "write the keyword 'IN' in upper case"},
		{E, 1, 61, "write the keyword 'AND' in upper case"},
	    },
    },
    {
	.name = "current_user_in_where",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE CurrentUser.AGE > 18\n",
	.want =
	    {
		{E, 1, 40,
		 "CurrentUser.AGE can only be tested in an IF condition at the "
		 "end of the expression"},
	    },
    },
    {
	.name = "current_item_lhs",
	.path = "t.yaml",
	.text =
	    "filterExpression: INCLUDE ItemID WHERE CurrentItem.PRICE > 18\n",
	.want =
	    {
		{E, 1, 40,
		 "CurrentItem.PRICE can only be a value on the right of a "
		 "condition on Items, as in Items.PRICE < CurrentItem.PRICE"},
	    },
    },
    {
	.name = "if_not_current_user",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.A > 1 IF Items.B "
		"> 2\n",
	.want =
	    {
		{E, 1, 55,
		 "IF conditions test the current user: write "
		 "CurrentUser.FIELD, not Items.B"},
	    },
    },
    {
	.name = "if_or",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.A > 1 IF "
		"CurrentUser.AGE > 2 OR CurrentUser.AGE < 9\n",
	.want =
	    {
		{E, 1, 75, "an IF condition can only be extended with AND"},
	    },
    },
    {
	.name = "if_twice",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.A > 1 IF "
		"CurrentUser.AGE > 2 IF CurrentUser.X > 1\n",
	.want =
	    {
		{E, 1,
		 75, "IF can appear only once, at the end of an expression"},
	    },
    },
    {
	.name = "if_user_segment",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE UserID WHERE Users.AGE > 2 IF "
		"CurrentUser.AGE > 2\n",
	.want =
	    {
		{E, 1, 54,
		 "IF conditions on CurrentUser apply to ItemID and ActionID "
		 "filters, not UserID"},
	    },
    },
    {
	.name = "current_item_action",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ActionID WHERE Actions.VALUE < "
		"CurrentItem.PRICE\n",
	.want =
	    {
		{E, 1, 58,
		 "CurrentItem only applies to ItemID filters (for related-item "
		 "recommendations)"},
	    },
    },
    {
	.name = "pipe_targets",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.A > 1 | INCLUDE "
		"UserID WHERE Users.A > 1\n",
	.want =
	    {
		{E, 1, 62,
		 "every expression of a filter must filter the same thing: the "
		 "first one filters ItemID, this one UserID"},
	    },
    },
    {
	.name = "pipe_nothing",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.A > 1 |\n",
	.want =
	    {
		{E, 1, 52,
		 "nothing follows '|': chain another expression or remove the "
		 "'|'"},
	    },
    },
    {
	.name = "trailing_junk",
	.path = "t.yaml",
	.text =
	    "filterExpression: INCLUDE ItemID WHERE Items.A > 1 Items.B > 2\n",
	.want =
	    {
		{E, 1, 52,
		 "expected AND, OR, IF, '|' or the end of the expression, "
		 "found 'Items'"},
	    },
    },
    {
	.name = "bad_char",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.A > 1 & Items.B "
		"> 2\n",
	.want =
	    {
		{E, 1, 52, "unexpected character '&'"},
	    },
    },
    {
	.name = "bang",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.A ! 1\n",
	.want =
	    {
		{E, 1, 48, "unexpected '!': the operator is '!='"},
	    },
    },
    {
	.name = "recovery",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Item.A IN (\"a\") AND "
		"Items.B == 2 AND Items.C IN () | EXCLUDE ItemID WHERE "
		"Interactions.DEVICE IN (\"x\")\n",
	.want =
	    {
		{E, 1, 40, "unknown dataset 'Item'; did you mean 'Items'?"},
		{E, 1, 68, "unknown operator '==': use '='"},
		{E, 1, 89, "empty list: IN takes one or more values"},
		{E, 1, 127,
		 "Interactions conditions can only test EVENT_TYPE, not "
		 "DEVICE"},
	    },
    },
    {
	.name = "yaml_single_quoted",
	.path = "t.yaml",
	.text =
	    "filterExpression: 'INCLUDE ItemID WHERE Item.GENRE IN (\"a\")'\n",
	.want =
	    {
		{E, 1, 41, "unknown dataset 'Item'; did you mean 'Items'?"},
	    },
    },
    {
	.name = "yaml_double_quoted",
	.path = "t.yaml",
	.text = "filterExpression: \"INCLUDE ItemID WHERE Item.YEAR > 1\"\n",
	.want =
	    {
		{E, 1, 41, "unknown dataset 'Item'; did you mean 'Items'?"},
	    },
    },
    {
	.name = "yaml_both_quotes",
	.path = "t.yaml",
	.text = "filterExpression: 'INCLUDE ItemID WHERE Item.GENRE IN "
		"(\"it''s\")'\n",
	.want =
	    {
		{E, 1, 19, "unknown dataset 'Item'; did you mean 'Items'?"},
	    },
    },
    {
	.name = "yaml_literal_block",
	.path = "t.yaml",
	.text = "filterExpression: |\n"
		"  INCLUDE ItemID WHERE Item.GENRE IN (\"a\")\n",
	.want =
	    {
		{E, 1, 19, "unknown dataset 'Item'; did you mean 'Items'?"},
	    },
    },
    {
	.name = "yaml_unicode",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN "
		"(\"café\") AND Item.X > 1\n",
	.want =
	    {
		{E, 1, 68, "unknown dataset 'Item'; did you mean 'Items'?"},
	    },
    },
    {
	.name = "json_plain",
	.path = "t.json",
	.text = "{\"filterExpression\": \"INCLUDE ItemID WHERE Items.YEAR >= "
		"1970 AND Item.YEAR < 1980\"}\n",
	.want =
	    {
		{E, 1, 67, "unknown dataset 'Item'; did you mean 'Items'?"},
	    },
    },
    {
	.name = "json_escapes",
	.path = "t.json",
	.text = "{\"filterExpression\": \"EXCLUDE ItemID WHERE "
		"Interactions.EVENT_TYPE IN (\\\"click\\\", \\\"stream\\\") "
		"AND Interactions.DEVICE IN (\\\"x\\\")\"}\n",
	.want =
	    {
		{E, 1, 112,
		 "Interactions conditions can only test EVENT_TYPE, not "
		 "DEVICE"},
	    },
    },
    {
	.name = "json_pipe_leading",
	.path = "t.json",
	.text =
	    "{\"filterExpression\": \"| INCLUDE ItemID WHERE Items.A > 1\"}\n",
	.want =
	    {
		{E, 1, 23, "expected INCLUDE or EXCLUDE, found '|'"},
	    },
    },
    {
	.name = "twenty_five_params",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN ($P1, "
		"$P2, $P3, $P4, $P5, $P6, $P7, $P8, $P9, $P10, $P11, $P12, "
		"$P13, $P14, $P15, $P16, $P17, $P18, $P19, $P20, $P21, $P22, "
		"$P23, $P24, $P25)\n",
    },
    {
	.name = "ten_fields",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.F1 > 1 AND "
		"Items.F2 > 1 AND Items.F3 > 1 AND Items.F4 > 1 AND Items.F5 > "
		"1 AND Items.F6 > 1 AND Items.F7 > 1 AND Items.F8 > 1 AND "
		"Items.F9 > 1 AND Items.F10 > 1\n",
    },
    {
	.name = "param_50_chars",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.GENRE IN "
		"($GGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG)\n",
    },
    {
	.name = "current_item_parens",
	.path = "t.yaml",
	.text = "filterExpression: INCLUDE ItemID WHERE Items.PRICE < "
		"(CurrentItem.PRICE)\n",
    },
};

struct ref_want {
	const char *dataset, *field;
	enum pz_filter_op op;
	bool current;
	unsigned col;
};

static void expect_refs(const struct pz_filter_info *f,
			const struct ref_want *w, size_t n)
{
	size_t i;

	assert_int_equal(f->nrefs, n);
	for (i = 0; i < n; i++) {
		assert_string_equal(f->refs[i].dataset, w[i].dataset);
		assert_string_equal(f->refs[i].field, w[i].field);
		assert_int_equal(f->refs[i].op, w[i].op);
		assert_int_equal(f->refs[i].current, w[i].current);
		assert_int_equal(f->refs[i].pos.line, 1);
		assert_int_equal(f->refs[i].pos.col, w[i].col);
	}
}

/* What a valid expression yields: the caller checks refs against the
 * spec's datasets and schemas. */
static void test_info(void **state)
{
	static const char text[] =
	    "filterExpression: EXCLUDE ItemID WHERE Items.GENRE IN ($G, "
	    "\"a\") AND Items.PRICE < CurrentItem.PRICE IF "
	    "CurrentUser.AGE >= $AGE | INCLUDE ItemID WHERE "
	    "Interactions.EVENT_TYPE IN ($G, $EV)\n";
	static const struct ref_want want[] = {
	    {"Items", "GENRE", PZ_FILTER_IN, false, 40},
	    {"Items", "PRICE", PZ_FILTER_LT, false, 69},
	    {"Items", "PRICE", PZ_FILTER_LT, true, 83},
	    {"Users", "AGE", PZ_FILTER_GE, true, 104},
	    {"Interactions", "EVENT_TYPE", PZ_FILTER_IN, false, 151},
	};
	struct pz_filter_info *f;
	struct pz_diags d;

	(void)state;
	pz_diags_init(&d);
	assert_int_equal(check(&f, &d, "t.yaml", text), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(f->target, "ItemID");
	assert_int_equal(f->nexprs, 2);
	expect_refs(f, want, PZ_ARRAY_LEN(want));
	assert_int_equal(f->nparams, 3);
	assert_string_equal(f->params[0], "G");
	assert_string_equal(f->params[1], "AGE");
	assert_string_equal(f->params[2], "EV");
	pz_filter_info_free(f);
	pz_diags_release(&d);
}

static void test_info_actions(void **state)
{
	static const char text[] =
	    "{\"filterExpression\": \"INCLUDE ActionID WHERE "
	    "Action_Interactions.EVENT_TYPE IN (\\\"TAKEN\\\")\"}\n";
	static const struct ref_want want[] = {
	    {"ActionInteractions", "EVENT_TYPE", PZ_FILTER_IN, false, 46},
	};
	struct pz_filter_info *f;
	struct pz_diags d;

	(void)state;
	pz_diags_init(&d);
	assert_int_equal(check(&f, &d, "t.json", text), 0);
	assert_string_equal(f->target, "ActionID");
	assert_int_equal(f->nexprs, 1);
	assert_int_equal(f->nparams, 0);
	expect_refs(f, want, PZ_ARRAY_LEN(want));
	pz_filter_info_free(f);
	pz_diags_release(&d);
}

/* The seed's filter, from the project's seed (examples/seed). */
static void test_seed(void **state)
{
	const char *dir = getenv("PZ_SOURCE_DIR");
	const struct pz_node *filters;
	struct pz_filter_info *f;
	struct pz_diags d;
	struct pz_doc *doc;
	struct pz_buf b;
	char *path;

	(void)state;
	assert_non_null(dir); /* ctest sets it */
	path = pz_xasprintf("%s/examples/seed/params.json", dir);
	pz_buf_init(&b, 0);
	assert_int_equal(pz_buf_read_file(&b, path), 0);
	pz_diags_init(&d);
	assert_int_equal(pz_doc_load(&doc, path, b.ptr, b.len, &d), 0);
	filters = pz_node_get(doc->root, "filters");
	assert_non_null(filters);
	assert_int_equal(filters->nitems, 1);
	assert_int_equal(pz_filter_expr_check(
			     &f, path,
			     pz_node_get(filters->items[0], "filterExpression"),
			     &d),
			 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(f->target, "ItemID");
	assert_int_equal(f->nrefs, 2);
	assert_string_equal(f->refs[0].field, "YEAR");
	pz_filter_info_free(f);
	pz_doc_free(doc);
	pz_diags_release(&d);
	pz_buf_release(&b);
	free(path);
}

/* filterExpression: "INCLUDE ItemID WHERE Items.GENRE IN ("xx...")"
 * with n characters in all. */
static void expect_length(size_t n, const char *pad)
{
	static const char head[] = "INCLUDE ItemID WHERE Items.GENRE IN (\"";
	struct pz_filter_info *f;
	struct pz_diags d;
	struct pz_buf b;
	size_t i, fill = n - strlen(head) - 2;
	char *msg;
	int r;

	pz_buf_init(&b, 0);
	assert_int_equal(pz_buf_printf(&b, "filterExpression: '%s", head), 0);
	for (i = 0; i < fill; i++)
		assert_int_equal(pz_buf_adds(&b, pad), 0);
	assert_int_equal(pz_buf_adds(&b, "\")'\n"), 0);
	pz_diags_init(&d);
	r = check(&f, &d, "t.yaml", b.ptr);
	if (n <= PZ_FILTER_EXPR_MAX) {
		assert_int_equal(r, 0);
		assert_int_equal(d.n, 0);
		pz_filter_info_free(f);
	} else {
		assert_int_equal(r, PZ_ESPEC);
		assert_int_equal(d.n, 1);
		assert_int_equal(d.items[0].pos.line, 1);
		assert_int_equal(d.items[0].pos.col, 19);
		msg = pz_xasprintf("the filter expression is %zu characters; "
				   "CreateFilter takes at most 2,500",
				   n);
		assert_string_equal(d.items[0].message, msg);
		free(msg);
	}
	pz_diags_release(&d);
	pz_buf_release(&b);
}

static void test_length_limit(void **state)
{
	(void)state;
	expect_length(PZ_FILTER_EXPR_MAX, "x");
	expect_length(PZ_FILTER_EXPR_MAX + 1, "x");
	/* Characters, not bytes. */
	expect_length(PZ_FILTER_EXPR_MAX, "\xc3\xa9");
	expect_length(PZ_FILTER_EXPR_MAX + 1, "\xc3\xa9");
}

/* Where byte off of the scalar in text lies, and whether that is known. */
static void expect_pos(const char *path, const char *text, size_t off,
		       bool interpolated, bool exact, unsigned line,
		       unsigned col, unsigned offset)
{
	struct pz_node *n;
	struct pz_diags d;
	struct pz_doc *doc;
	struct pz_pos p;
	bool ex;

	pz_diags_init(&d);
	assert_int_equal(pz_doc_load(&doc, path, text, strlen(text), &d), 0);
	n = pz_node_get(doc->root, "x");
	n->interpolated = interpolated;
	p = pz_filter_scalar_pos(path, n, off, &ex);
	assert_int_equal(ex, exact);
	assert_int_equal(p.line, line);
	assert_int_equal(p.col, col);
	assert_int_equal(p.offset, offset);
	pz_doc_free(doc);
	pz_diags_release(&d);
}

static void test_scalar_pos(void **state)
{
	(void)state;
	/* plain YAML: column + offset */
	expect_pos("t.yaml", "x: ab cd\n", 3, false, true, 1, 7, 6);
	/* quoted YAML without escapes: one more for the quote */
	expect_pos("t.yaml", "x: 'a \"b\" c'\n", 7, false, true, 1, 12, 11);
	expect_pos("t.yml", "x: \"it's\"\n", 3, false, true, 1, 8, 7);
	/* multi-byte characters are one column */
	expect_pos("t.yaml", "x: 'é b'\n", 3, false, true, 1, 7, 7);
	/* both quotes: one of them was escaped, which is unknown */
	expect_pos("t.yaml", "x: 'a \"b\" ''c'''\n", 7, false, false, 1, 4, 3);
	/* a backslash: an escape in a double-quoted scalar, or not */
	expect_pos("t.yaml", "x: 'a\\b'\n", 3, false, false, 1, 4, 3);
	/* block scalars: the node */
	expect_pos("t.yaml", "x: |\n  ab cd\n", 3, false, false, 1, 4, 3);
	/* ${...} changed the text */
	expect_pos("t.yaml", "x: ab cd\n", 3, true, false, 1, 4, 3);
	/* JSON: escapes are two characters, control characters six */
	expect_pos("t.json", "{\"x\": \"a\\\"b\\\" c\"}", 5, false, true, 1, 15,
		   14);
	expect_pos("t.json", "{\"x\": \"\\u0001z\"}", 1, false, true, 1, 14,
		   13);
	expect_pos("t.json", "{\"x\": \"a\\nb\"}", 2, false, true, 1, 11, 10);
	/* an unknown extension: quotes could be JSON escapes */
	expect_pos("t.txt", "{\"x\": \"a b\"}", 2, false, true, 1, 10, 9);
	expect_pos("t.txt", "{\"x\": \"a \\\"b\"}", 3, false, false, 1, 7, 6);
	/* off past the end, or not a string: the node */
	expect_pos("t.yaml", "x: ab\n", 3, false, false, 1, 4, 3);
	expect_pos("t.yaml", "x: 12\n", 1, false, false, 1, 4, 3);
}

static void test_misc(void **state)
{
	(void)state;
	assert_string_equal(pz_filter_op_name(PZ_FILTER_IN), "IN");
	assert_string_equal(pz_filter_op_name(PZ_FILTER_NOT_IN), "NOT IN");
	assert_string_equal(pz_filter_op_name(PZ_FILTER_EQ), "=");
	assert_string_equal(pz_filter_op_name(PZ_FILTER_NE), "!=");
	assert_string_equal(pz_filter_op_name(PZ_FILTER_LT), "<");
	assert_string_equal(pz_filter_op_name(PZ_FILTER_LE), "<=");
	assert_string_equal(pz_filter_op_name(PZ_FILTER_GT), ">");
	assert_string_equal(pz_filter_op_name(PZ_FILTER_GE), ">=");
	pz_filter_info_free(NULL);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_info),
	    cmocka_unit_test(test_info_actions),
	    cmocka_unit_test(test_seed),
	    cmocka_unit_test(test_length_limit),
	    cmocka_unit_test(test_scalar_pos),
	    cmocka_unit_test(test_misc),
	};
	struct CMUnitTest tests[PZ_ARRAY_LEN(cases) + PZ_ARRAY_LEN(fixed)];
	size_t i;

	for (i = 0; i < PZ_ARRAY_LEN(cases); i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)(uintptr_t)&cases[i];
	}
	for (i = 0; i < PZ_ARRAY_LEN(fixed); i++)
		tests[PZ_ARRAY_LEN(cases) + i] = fixed[i];
	return _cmocka_run_group_tests("filterexpr", tests, PZ_ARRAY_LEN(tests),
				       NULL, NULL);
}
