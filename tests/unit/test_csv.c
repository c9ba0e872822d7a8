/*
 * test_csv.c - the streaming CSV reader (core/csv.c): records, quoting,
 * line ends, places, errors, and the same answer whatever the chunks.
 * Each case renders what the reader reported as text, one line per
 * record ("L:C[q]=value|...") or error ("! L:C message"), and compares
 * it with the expected text, fed in one piece, byte by byte and in
 * chunks of 3.
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
#include "core/csv.h"

static void render(struct pz_buf *b, const struct pz_csv_record *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct pz_csv_field *f = &r->fields[i];
		uint64_t line;
		uint32_t col;

		pz_csv_where(r, i, &line, &col);
		if (!i)
			assert_int_equal(line, r->line);
		assert_int_equal(pz_buf_printf(b, "%s%llu:%u%s=", i ? "|" : "",
					       (unsigned long long)line, col,
					       f->quoted ? "q" : ""),
				 0);
		assert_int_equal(pz_buf_add(b, f->p, f->len), 0);
	}
	/* A record that is not ASCII says so. */
	assert_int_equal(pz_buf_adds(b, r->ascii ? "\n" : " (not ascii)\n"), 0);
}

static int on_rec(void *ud, const struct pz_csv_record *r, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		render(ud, &r[k]);
	return 0;
}

static int on_err(void *ud, uint64_t line, uint32_t col, const char *msg)
{
	assert_int_equal(pz_buf_printf(ud, "! %llu:%u %s\n",
				       (unsigned long long)line, col, msg),
			 0);
	return 0;
}

static char *read_in(const char *text, size_t chunk)
{
	struct pz_csv c;
	struct pz_buf b;
	size_t n = strlen(text), off = 0;

	pz_buf_init(&b, 0);
	pz_csv_init(&c, on_rec, on_err, &b);
	while (off < n) {
		size_t k = n - off < chunk ? n - off : chunk;

		assert_int_equal(pz_csv_feed(&c, text + off, k), 0);
		off += k;
	}
	assert_int_equal(pz_csv_finish(&c), 0);
	pz_csv_release(&c);
	if (!b.len)
		return strdup("");
	return pz_buf_detach(&b, NULL);
}

/* text in two feeds, cut at k. */
static char *read_cut(const char *text, size_t k)
{
	struct pz_csv c;
	struct pz_buf b;
	size_t n = strlen(text);

	pz_buf_init(&b, 0);
	pz_csv_init(&c, on_rec, on_err, &b);
	assert_int_equal(pz_csv_feed(&c, text, k), 0);
	assert_int_equal(pz_csv_feed(&c, text + k, n - k), 0);
	assert_int_equal(pz_csv_finish(&c), 0);
	pz_csv_release(&c);
	if (!b.len)
		return strdup("");
	return pz_buf_detach(&b, NULL);
}

/* As check, and cut in two at every byte from..to. */
static void check_cuts(const char *text, const char *want, size_t from,
		       size_t to)
{
	size_t k;

	for (k = from; k <= to && k <= strlen(text); k++) {
		char *got = read_cut(text, k);

		if (strcmp(got, want))
			fail_msg("cut at %zu:\n--- got\n%s--- want\n%s", k, got,
				 want);
		free(got);
	}
}

static void check(const char *text, const char *want)
{
	static const size_t chunks[] = {1 << 20, 1, 3};
	size_t i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		char *got = read_in(text, chunks[i]);

		if (strcmp(got, want))
			fail_msg("chunks of %zu:\n--- got\n%s--- want\n%s",
				 chunks[i], got, want);
		free(got);
	}
}

static void test_plain(void **state)
{
	(void)state;
	check("a,b,c\n1,,3\n", "1:1=a|1:3=b|1:5=c\n2:1=1|2:3=|2:4=3\n");
	/* No line end at the end; CRLF; blank lines are no records. */
	check("a,b\r\n\r\n1,2", "1:1=a|1:3=b\n3:1=1|3:3=2\n");
	check("a\rb\n", "1:1=a\n2:1=b\n");
	check("", "");
}

static void test_quoted(void **state)
{
	(void)state;
	check("\"a,b\",\"say \"\"hi\"\"\"\n", "1:1q=a,b|1:7q=say \"hi\"\n");
	/* A quoted field may hold line ends; the next field's line
	 * follows. */
	check("\"x\ny\",z\n", "1:1q=x\ny|2:4=z\n");
	check("\"\",a\n", "1:1q=|1:4=a\n");
}

static void test_errors(void **state)
{
	(void)state;
	check("a,b\"c\n",
	      "! 1:4 a quote inside an unquoted field; quote the whole field "
	      "and double the quote (\"\")\n1:1=a|1:3=b\"c\n");
	check("\"a\"b,c\n",
	      "! 1:4 text after a closing quote; quote the whole field\n"
	      "1:1q=ab|1:6=c\n");
	check("a,\"b\n",
	      "! 1:3 a quoted field is never closed; add the closing quote\n");
}

/* The limits hold on the copy-free path too: 1,024 fields pass, 1,025
 * are an error; a record over 1 MiB is an error; the next record is
 * read either way. */
static void test_limits(void **state)
{
	struct pz_buf in, want;
	size_t i;

	(void)state;
	pz_buf_init(&in, 0);
	pz_buf_init(&want, 0);
	for (i = 0; i < 1024; i++) {
		assert_int_equal(pz_buf_adds(&in, i ? ",a" : "a"), 0);
		assert_int_equal(
		    pz_buf_printf(&want, "%s1:%zu=a", i ? "|" : "", 2 * i + 1),
		    0);
	}
	assert_int_equal(pz_buf_adds(&in, "\nz\n"), 0);
	assert_int_equal(pz_buf_adds(&want, "\n2:1=z\n"), 0);
	check(pz_buf_cstr(&in), pz_buf_cstr(&want));
	pz_buf_truncate(&in, in.len - 4);
	assert_int_equal(pz_buf_adds(&in, ",a\nz\n"), 0);
	check(pz_buf_cstr(&in), "! 1:2048 more than 1024 fields in a record; "
				"the record is skipped\n2:1=z\n");
	pz_buf_release(&in);
	pz_buf_release(&want);

	pz_buf_init(&in, (size_t)4 << 20);
	for (i = 0; i < PZ_CSV_MAX_RECORD / 8 + 1; i++)
		assert_int_equal(pz_buf_adds(&in, "xxxxxxxx"), 0);
	assert_int_equal(pz_buf_adds(&in, "\nz\n"), 0);
	check(pz_buf_cstr(&in), "! 1:1048577 record longer than 1 MiB; the "
				"record is skipped\n2:1=z\n");
	pz_buf_release(&in);
}

/* Many short records, CRLF and LF, across the 64-byte blocks of the
 * copy-free path and the chunk ends: every place exact. */
static void test_many_records(void **state)
{
	struct pz_buf in, want;
	size_t i;

	(void)state;
	pz_buf_init(&in, 0);
	pz_buf_init(&want, 0);
	for (i = 0; i < 300; i++) {
		assert_int_equal(pz_buf_printf(&in, "r%zu,%.*s%s", i,
					       (int)(i % 13), "yyyyyyyyyyyyy",
					       i % 3 ? "\r\n" : "\n"),
				 0);
		assert_int_equal(
		    pz_buf_printf(&want, "%zu:1=r%zu|%zu:%d=%.*s\n", i + 1, i,
				  i + 1, snprintf(NULL, 0, "r%zu,", i) + 1,
				  (int)(i % 13), "yyyyyyyyyyyyy"),
		    0);
	}
	check(pz_buf_cstr(&in), pz_buf_cstr(&want));
	pz_buf_release(&in);
	pz_buf_release(&want);
}

/*
 * The edges of the fast path: a quote, a CRLF, a CR and a byte >= 0x80
 * on each side of a 64-byte block's end and of the 4 KiB window's,
 * with every chunk cut around them (a CRLF cut between its CR and LF,
 * a UTF-8 sequence cut inside it): the same records, places and ASCII
 * flags everywhere.
 */
static void test_block_edges(void **state)
{
	static const struct {
		const char *tail; /* after "a,xxx" on line 1 */
		const char *rest; /* what the record shows after "xxx" (NULL:
				   * a quoted third field at the tail + 2) */
	} cases[] = {
	    {",\"q,\"\"x\"\"\"\n", NULL},
	    {"\r\n", "\n"},
	    {"\r", "\n"},
	    {"\xc3\xa9\n", "\xc3\xa9 (not ascii)\n"},
	    {"\xe2\x82\xac\n", "\xe2\x82\xac (not ascii)\n"},
	};
	static const size_t edges[] = {64, 4096};
	size_t t, e, at;

	(void)state;
	for (t = 0; t < PZ_ARRAY_LEN(cases); t++) {
		for (e = 0; e < PZ_ARRAY_LEN(edges); e++) {
			/* The tail starts at byte `at`, around the edge. */
			for (at = edges[e] - 3; at <= edges[e] + 1; at++) {
				struct pz_buf in, want;
				size_t filler = at - 2;

				pz_buf_init(&in, 0);
				pz_buf_init(&want, 0);
				assert_int_equal(pz_buf_adds(&in, "a,"), 0);
				while (in.len < at)
					assert_int_equal(pz_buf_addc(&in, 'x'),
							 0);
				assert_int_equal(
				    pz_buf_adds(&in, cases[t].tail), 0);
				assert_int_equal(pz_buf_adds(&in, "b,c\n"), 0);
				assert_int_equal(
				    pz_buf_printf(&want, "1:1=a|1:3=%.*s",
						  (int)filler, in.ptr + 2),
				    0);
				if (cases[t].rest)
					assert_int_equal(
					    pz_buf_adds(&want, cases[t].rest),
					    0);
				else
					assert_int_equal(
					    pz_buf_printf(&want,
							  "|1:%zuq=q,\"x\"\n",
							  at + 2),
					    0);
				assert_int_equal(
				    pz_buf_adds(&want, "2:1=b|2:3=c\n"), 0);
				check(pz_buf_cstr(&in), pz_buf_cstr(&want));
				check_cuts(pz_buf_cstr(&in), pz_buf_cstr(&want),
					   at - 2, at + 4);
				pz_buf_release(&in);
				pz_buf_release(&want);
			}
		}
	}
}

/* A record is ASCII or not by its own bytes only, wherever the bytes
 * >= 0x80 of its neighbours lie in the blocks. */
static void test_ascii_flag(void **state)
{
	struct pz_buf in, want;
	size_t i;

	(void)state;
	pz_buf_init(&in, 0);
	pz_buf_init(&want, 0);
	for (i = 0; i < 600; i++) {
		bool high = i % 7 == 0 || i % 11 == 3;
		const char *v = high ? "\xc3\xa9" : "e";

		assert_int_equal(pz_buf_printf(&in, "r%zu,%.*s%s\n", i,
					       (int)(i % 17),
					       "zzzzzzzzzzzzzzzzz", v),
				 0);
		assert_int_equal(
		    pz_buf_printf(&want, "%zu:1=r%zu|%zu:%d=%.*s%s%s\n", i + 1,
				  i, i + 1, snprintf(NULL, 0, "r%zu,", i) + 1,
				  (int)(i % 17), "zzzzzzzzzzzzzzzzz", v,
				  high ? " (not ascii)" : ""),
		    0);
	}
	check(pz_buf_cstr(&in), pz_buf_cstr(&want));
	pz_buf_release(&in);
	pz_buf_release(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain),
	    cmocka_unit_test(test_quoted),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_many_records),
	    cmocka_unit_test(test_block_edges),
	    cmocka_unit_test(test_ascii_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
