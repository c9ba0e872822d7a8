/*
 * test_loader.c - YAML and JSON into the spec tree: values, positions,
 * syntax errors with their line and column, interpolation.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/json_out.h"
#include "core/error.h"
#include "core/node.h"
#include "core/spec.h"

static struct pz_doc *load(const char *path, const char *text,
			   struct pz_diags *d)
{
	struct pz_doc *doc = NULL;

	pz_diags_init(d);
	pz_doc_load(&doc, path, text, strlen(text), d);
	return doc;
}

static void expect_error(const char *path, const char *text, uint32_t line,
			 uint32_t col, const char *needle)
{
	struct pz_diags d;
	struct pz_doc *doc = load(path, text, &d);

	assert_null(doc);
	assert_true(d.nerrors >= 1);
	if (d.items[0].pos.line != line || d.items[0].pos.col != col ||
	    !strstr(d.items[0].message, needle))
		fail_msg("%s: got %u:%u '%s', want %u:%u '%s'", text,
			 d.items[0].pos.line, d.items[0].pos.col,
			 d.items[0].message, line, col, needle);
	pz_diags_release(&d);
}

static void test_yaml_values_and_positions(void **state)
{
	struct pz_diags d;
	struct pz_doc *doc =
	    load("t.yaml",
		 "a: 1\n"
		 "b:\n"
		 "  - x\n"
		 "  - 'y'\n"
		 "c: {d: true, e: 2.5, f: null, g: no, h: \"7\"}\n",
		 &d);
	const struct pz_node *c;

	(void)state;
	assert_non_null(doc);
	assert_int_equal(d.n, 0);
	assert_int_equal(pz_node_get(doc->root, "a")->kind, PZ_NODE_INT);
	assert_int_equal(pz_node_get(doc->root, "a")->i, 1);
	assert_int_equal(doc->root->pairs[1].key_pos.line, 2);
	assert_int_equal(pz_node_get(doc->root, "b")->nitems, 2);
	assert_int_equal(pz_node_get(doc->root, "b")->items[1]->pos.line, 4);
	assert_int_equal(pz_node_get(doc->root, "b")->items[1]->pos.col, 5);
	assert_true(pz_node_get(doc->root, "b")->items[1]->quoted);
	c = pz_node_get(doc->root, "c");
	assert_int_equal(pz_node_get(c, "d")->kind, PZ_NODE_BOOL);
	assert_int_equal(pz_node_get(c, "e")->kind, PZ_NODE_FLOAT);
	assert_int_equal(pz_node_get(c, "f")->kind, PZ_NODE_NULL);
	/* YAML 1.2 core schema: "no" stays a string (no Norway problem) */
	assert_int_equal(pz_node_get(c, "g")->kind, PZ_NODE_STR);
	assert_int_equal(pz_node_get(c, "h")->kind, PZ_NODE_STR);
	assert_int_equal(pz_node_get(c, "e")->pos.col, 17);
	pz_doc_free(doc);
	pz_diags_release(&d);
}

static void test_yaml_anchors_and_merge(void **state)
{
	struct pz_diags d;
	struct pz_doc *doc = load("t.yaml",
				  "base: &b {x: 1, y: 2}\n"
				  "one:\n"
				  "  <<: *b\n"
				  "  y: 3\n"
				  "two: *b\n",
				  &d);
	const struct pz_node *one;

	(void)state;
	assert_non_null(doc);
	one = pz_node_get(doc->root, "one");
	assert_int_equal(one->npairs, 2);
	assert_int_equal(pz_node_get(one, "x")->i, 1);
	assert_int_equal(pz_node_get(one, "y")->i, 3);
	assert_ptr_equal(pz_node_get(doc->root, "two"),
			 pz_node_get(doc->root, "base"));
	pz_doc_free(doc);
	pz_diags_release(&d);
}

static void test_yaml_errors(void **state)
{
	(void)state;
	expect_error("t.yaml", "a: 1\na: 2\n", 2, 1, "duplicate key 'a'");
	expect_error("t.yaml", "a: [1, 2\nb: 3\n", 2, 2, "YAML syntax");
	expect_error("t.yaml", "a:\n\t- b\n", 2, 1, "tabs");
	expect_error("t.yaml", "a: 1\n---\nb: 2\n", 2, 1, "one YAML document");
	expect_error("t.yaml", "a: *nope\n", 1, 4, "unknown anchor");
	expect_error("t.yaml", "? [a]\n: 1\n", 1, 3, "map key must be");
}

static void test_yaml_billion_laughs(void **state)
{
	struct pz_buf b;
	int i, j;

	(void)state;
	pz_buf_init(&b, 0);
	assert_int_equal(
	    pz_buf_adds(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"), 0);
	for (i = 1; i < 9; i++) {
		assert_int_equal(pz_buf_printf(&b, "a%d: &a%d [", i, i), 0);
		for (j = 0; j < 10; j++)
			assert_int_equal(
			    pz_buf_printf(&b, "%s*a%d", j ? ", " : "", i - 1),
			    0);
		assert_int_equal(pz_buf_adds(&b, "]\n"), 0);
	}
	expect_error("t.yaml", pz_buf_cstr(&b), 6, 45, "aliases expand");
	pz_buf_release(&b);
}

static void test_json_values_and_positions(void **state)
{
	struct pz_diags d;
	struct pz_doc *doc = load("t.json",
				  "{\n"
				  "  \"a\": 1,\n"
				  "  \"b\": [\"x\", 2.5e1, true, null],\n"
				  "  \"c\": {\"d\": \"\\u00e9\\n\"}\n"
				  "}\n",
				  &d);
	const struct pz_node *b;

	(void)state;
	assert_non_null(doc);
	assert_int_equal(doc->format, PZ_FORMAT_JSON);
	assert_int_equal(pz_node_get(doc->root, "a")->i, 1);
	assert_int_equal(doc->root->pairs[0].key_pos.line, 2);
	assert_int_equal(doc->root->pairs[0].key_pos.col, 3);
	b = pz_node_get(doc->root, "b");
	assert_int_equal(b->nitems, 4);
	assert_int_equal(b->items[1]->kind, PZ_NODE_FLOAT);
	assert_true(b->items[1]->d == 25.0);
	assert_int_equal(b->items[1]->pos.col, 14);
	assert_int_equal(b->items[3]->kind, PZ_NODE_NULL);
	assert_string_equal(pz_node_get(pz_node_get(doc->root, "c"), "d")->str,
			    "\xc3\xa9\n");
	pz_doc_free(doc);
	pz_diags_release(&d);
}

static void test_nul_position(void **state)
{
	struct pz_diags d;
	struct pz_doc *doc = NULL;
	static const char text[] = "a: 1\nbb\0: 2\n";

	(void)state;
	/* A NUL on line 2 is reported on line 2, not at 1:1 (issue 17). */
	pz_diags_init(&d);
	assert_int_equal(
	    pz_doc_load(&doc, "t.yaml", text, sizeof(text) - 1, &d), PZ_ESPEC);
	assert_int_equal(d.items[0].pos.line, 2);
	assert_int_equal(d.items[0].pos.col, 3);
	pz_diags_release(&d);
}

static void test_json_errors(void **state)
{
	(void)state;
	expect_error("t.json", "{\"a\": 1,}", 1, 9, "trailing comma");
	expect_error("t.json", "{\"a\": 1\n \"b\": 2}", 2, 2,
		     "expected ',' or '}'");
	expect_error("t.json", "{\"a\": 01}", 1, 7, "leading zeros");
	expect_error("t.json", "{\"a\": +1}", 1, 7, "expected a value");
	expect_error("t.json", "{\"a\": 'x'}", 1, 7, "double quotes");
	expect_error("t.json", "{\"a\": \"x}", 1, 7, "unterminated");
	expect_error("t.json", "{\"a\": \"\\q\"}", 1, 8, "invalid escape");
	expect_error("t.json", "{\"a\": 1} x", 1, 10, "after the end");
	expect_error("t.json", "{a: 1}", 1, 2, "key in double quotes");
	expect_error("t.json", "{\"a\": 1, \"a\": 2}", 1, 10,
		     "duplicate key 'a'");
	expect_error("t.json", "{\n  // c\n}", 2, 3, "comments");
	expect_error("t.json", "{\"a\": [1, 2,]}", 1, 13, "trailing comma");
	expect_error("t.json", "", 1, 1, "empty");
	expect_error("t.json", "{\"a\": \"\\u0000\"}", 1, 8, "NUL");
	expect_error("t.json", "{\"a\": tru}", 1, 7, "expected a value");
}

/* A map of n keys "kN", with key dup repeated last: JSON on one line,
 * YAML one key per line. */
static char *big_map(bool json, size_t n, size_t dup)
{
	struct pz_buf b;
	size_t i;

	pz_buf_init(&b, 0);
	assert_int_equal(pz_buf_adds(&b, json ? "{" : ""), 0);
	for (i = 0; i <= n; i++) {
		size_t k = i < n ? i : dup;

		if (json)
			assert_int_equal(pz_buf_printf(&b, "%s\"k%zu\": 1",
						       i ? ", " : "", k),
					 0);
		else
			assert_int_equal(pz_buf_printf(&b, "k%zu: 1\n", k), 0);
	}
	if (json)
		assert_int_equal(pz_buf_adds(&b, "}"), 0);
	return pz_buf_detach(&b, NULL);
}

static void test_duplicates_in_large_maps(void **state)
{
	struct pz_diags d;
	struct pz_doc *doc;
	char *text;

	(void)state;
	/* 100,000 keys: the check is linear (a quadratic one takes
	 * minutes here), and still names both places. */
	text = big_map(false, 100000, 77777);
	doc = load("t.yaml", text, &d);
	assert_null(doc);
	assert_int_equal(d.nerrors, 1);
	assert_string_equal(d.items[0].message,
			    "duplicate key 'k77777' (first at line 77778, "
			    "column 1)");
	assert_int_equal(d.items[0].pos.line, 100001);
	pz_diags_release(&d);
	free(text);

	text = big_map(true, 100000, 3);
	doc = load("t.json", text, &d);
	assert_null(doc);
	assert_int_equal(d.nerrors, 1);
	assert_string_equal(d.items[0].message,
			    "duplicate key 'k3' (first at line 1, column 29)");
	pz_diags_release(&d);
	free(text);
}

static void test_yaml_merge_keeps_first(void **state)
{
	struct pz_diags d;
	struct pz_doc *doc =
	    load("t.yaml",
		 "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\n"
		 "c: {<<: [*a, *b], x: 0}\nd: &a {w: 3}\ne: *a\n",
		 &d);
	const struct pz_node *c;

	(void)state;
	assert_non_null(doc);
	c = pz_node_get(doc->root, "c");
	assert_int_equal(c->npairs, 3);
	assert_string_equal(pz_node_get(c, "x")->str, "0");
	assert_string_equal(pz_node_get(c, "y")->str, "1");
	assert_string_equal(pz_node_get(c, "z")->str, "2");
	/* The latest definition of an anchor wins. */
	assert_non_null(pz_node_get(pz_node_get(doc->root, "e"), "w"));
	pz_doc_free(doc);
	pz_diags_release(&d);
}

static void test_stop_flag(void **state)
{
	static volatile sig_atomic_t flag;
	struct pz_diags d;
	struct pz_doc *doc;
	char *text = big_map(false, 5000, 0);
	int r;

	(void)state;
	flag = SIGTERM;
	pz_doc_set_stop_flag(&flag);
	pz_diags_init(&d);
	r = pz_doc_load(&doc, "t.yaml", text, strlen(text), &d);
	assert_int_equal(r, PZ_EINTR);
	assert_null(doc);
	free(text);
	text = big_map(true, 5000, 0);
	r = pz_doc_load(&doc, "t.json", text, strlen(text), &d);
	assert_int_equal(r, PZ_EINTR);
	pz_doc_set_stop_flag(NULL);
	pz_diags_release(&d);
	free(text);
}

static void test_interpolation(void **state)
{
	struct pz_diags d;
	struct pz_doc *doc;
	struct pz_spec_var vars[] = {{"tps", "3"}, {"who", "cli"}};

	(void)state;
	setenv("PZ_TEST_ENV", "from-env", 1);
	doc = load("t.yaml",
		   "pz: {vars: {who: default, e: \"${env:PZ_TEST_ENV}\"}}\n"
		   "a: ${var:tps}\n"
		   "b: \"x-${var:who}-${var:e}\"\n"
		   "c: $${literal}\n"
		   "d: ${var:missing}\n"
		   "e: ${env:PZ_TEST_UNSET_VAR}\n"
		   "f: ${foo:bar}\n",
		   &d);
	assert_non_null(doc);
	unsetenv("PZ_TEST_UNSET_VAR");
	pz_spec_interpolate(doc, vars, 2, &d);
	assert_int_equal(pz_node_get(doc->root, "a")->kind, PZ_NODE_INT);
	assert_int_equal(pz_node_get(doc->root, "a")->i, 3);
	assert_string_equal(pz_node_get(doc->root, "b")->str, "x-cli-from-env");
	assert_string_equal(pz_node_get(doc->root, "c")->str, "${literal}");
	assert_int_equal(d.nerrors, 3);
	assert_int_equal(d.items[0].pos.line, 5);
	assert_non_null(
	    strstr(d.items[0].message, "undefined variable 'missing'"));
	assert_non_null(strstr(d.items[1].message, "PZ_TEST_UNSET_VAR"));
	assert_non_null(strstr(d.items[2].message, "unknown reference"));
	pz_doc_free(doc);
	pz_diags_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_yaml_values_and_positions),
	    cmocka_unit_test(test_yaml_anchors_and_merge),
	    cmocka_unit_test(test_yaml_errors),
	    cmocka_unit_test(test_yaml_billion_laughs),
	    cmocka_unit_test(test_json_values_and_positions),
	    cmocka_unit_test(test_json_errors),
	    cmocka_unit_test(test_nul_position),
	    cmocka_unit_test(test_duplicates_in_large_maps),
	    cmocka_unit_test(test_yaml_merge_keeps_first),
	    cmocka_unit_test(test_stop_flag),
	    cmocka_unit_test(test_interpolation),
	};

	pz_json_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
