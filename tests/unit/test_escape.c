/*
 * test_escape.c - what reaches a terminal or a log (core/escape.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/escape.h"

static void expect(const char *in, size_t n, const char *want)
{
	struct pz_buf b;

	pz_buf_init(&b, 0);
	assert_int_equal(pz_buf_add_escaped(&b, in, n), 0);
	assert_string_equal(pz_buf_cstr(&b), want);
	assert_int_equal(pz_str_needs_escape(in, n), strcmp(in, want) != 0);
	pz_buf_release(&b);
	if (strlen(in) == n)
		assert_string_equal(pz_esc(in), want);
}

#define EXPECT(in, want) expect(in, sizeof(in) - 1, want)

static void test_controls(void **state)
{
	(void)state;
	EXPECT("plain text, 100% [a-z\\-]", "plain text, 100% [a-z\\-]");
	EXPECT("\x1b[2J\nPlan: 0 to add", "\\e[2J\\nPlan: 0 to add");
	EXPECT("a\rb\tc\x7f\x01", "a\\rb\\tc\\x7f\\x01");
	expect("a\0b", 3, "a\\x00b");
	EXPECT("", "");
}

static void test_utf8(void **state)
{
	(void)state;
	/* Letters pass; C1 controls, bidi overrides and non-UTF-8 bytes
	 * do not. */
	EXPECT("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	       "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	EXPECT("\xc2\x9b"
	       "31m",
	       "\\u{009b}31m");
	EXPECT("x\xe2\x80\xae"
	       "evil",
	       "x\\u{202e}evil");
	EXPECT("\xe2\x81\xa6", "\\u{2066}");
	EXPECT("\x9b"
	       "31m",
	       "\\x9b31m");
	EXPECT("\xc0\xaf", "\\xc0\\xaf");	   /* overlong '/' */
	EXPECT("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* a surrogate */
	EXPECT("\xe2\x82", "\\xe2\\x82");	   /* cut short */
	EXPECT("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
}

static void test_esc_ring_and_cap(void **state)
{
	const char *seen[PZ_ESC_SLOTS];
	char *big = malloc(5001);
	const char *e;
	size_t i;

	(void)state;
	assert_null(pz_esc(NULL));
	e = "clean";
	assert_ptr_equal(pz_esc(e), e);
	/* The last PZ_ESC_SLOTS results stay valid together. */
	for (i = 0; i < PZ_ESC_SLOTS; i++)
		seen[i] = pz_esc(i % 2 ? "\x1b" : "\n");
	for (i = 0; i < PZ_ESC_SLOTS; i++)
		assert_string_equal(seen[i], i % 2 ? "\\e" : "\\n");
	memset(big, '\x1b', 5000);
	big[5000] = '\0';
	e = pz_esc(big);
	assert_true(strlen(e) <= PZ_ESC_MAX);
	assert_string_equal(e + strlen(e) - 3, "...");
	assert_false(pz_str_needs_escape(e, strlen(e)));
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_controls),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_esc_ring_and_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
