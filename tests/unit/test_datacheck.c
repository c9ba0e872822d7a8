/*
 * test_datacheck.c - the data checker's values (providers/personalize/
 * datacheck.c) wherever the chunks cut: invalid UTF-8 reported at its
 * ROW:COL (quoted or not), a valid sequence cut between two reads not
 * reported, the quick tests of the hot path (ASCII IDs by length,
 * ten-digit epochs) passing nothing the whole check refuses. Each case
 * renders the object's diagnostics as "L:C message" lines and compares
 * them with the expected text for the data fed whole, byte by byte, in
 * chunks of 2, 3 and 7 and cut in two at every byte.
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
#include "core/node.h"
#include "providers/personalize/datacheck.h"

static const char schema_json[] =
    "{\"type\":\"record\",\"name\":\"Interactions\",\"namespace\":"
    "\"com.amazonaws.personalize.schema\",\"fields\":["
    "{\"name\":\"USER_ID\",\"type\":\"string\"},"
    "{\"name\":\"ITEM_ID\",\"type\":\"string\"},"
    "{\"name\":\"TIMESTAMP\",\"type\":\"long\"},"
    "{\"name\":\"EVENT_TYPE\",\"type\":\"string\"},"
    "{\"name\":\"EVENT_VALUE\",\"type\":[\"null\",\"float\"]}],"
    "\"version\":\"1.0\"}";

#define URL "s3://b/p/a.csv"

/* Frees what a check used; returns b's text ("" when empty). */
static char *finish(struct pz_dc *dc, struct pz_diags *d,
		    struct pz_avro_schema *s, struct pz_doc *doc,
		    struct pz_buf *b)
{
	pz_dc_free(dc);
	pz_diags_release(d);
	pz_avro_schema_free(s);
	pz_doc_free(doc);
	if (!b->len)
		return strdup("");
	return pz_buf_detach(b, NULL);
}

/* The schema above, checked; *doc holds its text. */
static struct pz_avro_schema *load_schema(struct pz_doc **doc,
					  struct pz_diags *d)
{
	struct pz_avro_schema *s = NULL;

	assert_int_equal(
	    pz_doc_load(doc, "s.json", schema_json, strlen(schema_json), d), 0);
	assert_int_equal(
	    pz_avro_check(&s, "s.json", (*doc)->root, "Interactions", NULL, d),
	    0);
	return s;
}

/* The object's diagnostics for text fed as the cuts say: at most two
 * cuts (0: none), else chunks of `chunk` bytes. */
static char *diagnose(const char *text, size_t chunk, size_t cut)
{
	struct pz_avro_schema *s = NULL;
	struct pz_doc *doc = NULL;
	struct pz_diags d;
	struct pz_dc *dc;
	struct pz_dc_obj *o;
	struct pz_buf b;
	size_t n = strlen(text), off = 0, i;

	pz_diags_init(&d);
	s = load_schema(&doc, &d);
	/* now: 2023-11-14 22:13:20 */
	dc = pz_dc_new(s, "s.json", "Interactions", "s3://b/p/", PZ_DC_FULL,
		       true, 1700000000);
	o = pz_dc_obj_add(dc, URL, "\"e\"", n);
	if (cut) {
		assert_false(pz_dc_obj_feed(o, text, cut));
		assert_false(pz_dc_obj_feed(o, text + cut, n - cut));
	} else {
		while (off < n) {
			size_t k = n - off < chunk ? n - off : chunk;

			assert_false(pz_dc_obj_feed(o, text + off, k));
			off += k;
		}
	}
	pz_dc_obj_finish(o, true);
	pz_dc_finish(dc, &d, NULL);
	pz_buf_init(&b, 0);
	for (i = 0; i < d.n; i++)
		if (!strcmp(d.items[i].file, URL))
			assert_int_equal(pz_buf_printf(&b, "%u:%u %s\n",
						       d.items[i].pos.line,
						       d.items[i].pos.col,
						       d.items[i].message),
					 0);
	return finish(dc, &d, s, doc, &b);
}

static void check(const char *text, const char *want)
{
	static const size_t chunks[] = {1 << 20, 1, 2, 3, 7};
	size_t i, n = strlen(text);

	for (i = 0; i < PZ_ARRAY_LEN(chunks); i++) {
		char *got = diagnose(text, chunks[i], 0);

		if (strcmp(got, want))
			fail_msg("chunks of %zu:\n--- got\n%s--- want\n%s",
				 chunks[i], got, want);
		free(got);
	}
	for (i = 1; i < n; i++) {
		char *got = diagnose(text, 0, i);

		if (strcmp(got, want))
			fail_msg("cut at %zu:\n--- got\n%s--- want\n%s", i, got,
				 want);
		free(got);
	}
}

#define HEADER "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\n"

static void test_utf8(void **state)
{
	(void)state;
	/* Valid sequences of 2, 3 and 4 bytes, wherever a read ends. */
	check(HEADER "u\xc3\xa9,i\xe2\x82\xac,1690000000,c\xf0\x9f\x98\x80,\n",
	      "");
	/* A bad byte at its own column: ITEM_ID starts at 4, its second
	 * byte is 0xff. In quotes, the column counts the quote: the
	 * truncated sequence of EVENT_TYPE starts at 18 + 1 + 2. */
	check(HEADER "u2,i\xff"
		     "2,1690000000,click,\n"
		     "u3,i3,1690000000,\"cl\xe2\x82"
		     "ck\",\n",
	      "2:5 ITEM_ID is not UTF-8 (byte 0xff); save the file as UTF-8\n"
	      "3:21 EVENT_TYPE is not UTF-8 (byte 0xe2); save the file as "
	      "UTF-8\n");
	/* An overlong encoding and a surrogate are not UTF-8 either. */
	check(HEADER "\xc0\xaf,i,1690000000,click,\n"
		     "u,\xed\xa0\x80,1690000000,click,\n",
	      "2:1 USER_ID is not UTF-8 (byte 0xc0); save the file as UTF-8\n"
	      "3:3 ITEM_ID is not UTF-8 (byte 0xed); save the file as UTF-8\n");
}

/* An ID is 1 to 256 characters, not bytes: 256 two-byte characters
 * pass, 257 ASCII ones do not, nor an empty quoted one. */
static void test_id_length(void **state)
{
	struct pz_buf in;
	size_t i;

	(void)state;
	pz_buf_init(&in, 0);
	assert_int_equal(pz_buf_adds(&in, HEADER), 0);
	for (i = 0; i < 256; i++)
		assert_int_equal(pz_buf_adds(&in, "\xc3\xa9"), 0);
	assert_int_equal(pz_buf_adds(&in, ",i,1690000000,click,\nu,"), 0);
	for (i = 0; i < 257; i++)
		assert_int_equal(pz_buf_addc(&in, 'x'), 0);
	assert_int_equal(pz_buf_adds(&in, ",1690000000,click,\n"
					  "u,i,1690000000,\"\",\n"),
			 0);
	check(pz_buf_cstr(&in),
	      "3:3 ITEM_ID is 257 characters long; an ID has 1 to 256\n"
	      "4:16 EVENT_TYPE is 0 characters long; an ID has 1 to 256\n");
	pz_buf_release(&in);
}

/* The ten-digit epoch of the quick test and the others of the whole
 * check: the same verdicts. */
static void test_timestamps(void **state)
{
	(void)state;
	check(HEADER "u,i,1700003600,click,\n" /* an hour from now: fine */
		     "u,i,0000000001,click,\n" /* ten digits, 1970 */
		     "u,i,999999999,click,\n"  /* nine digits, 2001 */
		     "u,i,1,click,1.5\n",
	      "");
	check(HEADER "u,i,1700003601,click,\n",
	      "2:5 TIMESTAMP 1700003601 is in the future (2023-11-14); "
	      "Personalize wants epoch seconds of when the event happened\n");
	check(HEADER "u,i,1699999999123,click,\n",
	      "2:5 TIMESTAMP 1699999999123 looks like milliseconds; "
	      "Personalize wants epoch seconds (1699999999)\n");
	check(HEADER "u,i,169999999x,click,\n",
	      "2:5 TIMESTAMP '169999999x' is not a whole number; Personalize "
	      "wants epoch seconds\n");
	check(HEADER "u,i,-169999999,click,\n",
	      "2:5 TIMESTAMP -169999999 is before 1970; Personalize wants "
	      "epoch seconds\n");
	check(HEADER "u,i,,click,\n",
	      "2:5 TIMESTAMP is empty, and the schema does not allow null for "
	      "it; fill it in every row, or make its type [\"null\", "
	      "\"long\"]\n");
}

/* An INCREMENTAL import into Interactions of an old object (2,000
 * rows) and a new one (fresh_rows rows), read at the sample level: the
 * errors about the import as a whole (at the location). */
static char *incremental(int fresh_rows)
{
	struct pz_avro_schema *s = NULL;
	struct pz_doc *doc = NULL;
	struct pz_diags d;
	struct pz_dc *dc;
	struct pz_buf b, rows[2];
	size_t i, k;

	pz_diags_init(&d);
	s = load_schema(&doc, &d);
	dc = pz_dc_new(s, "s.json", "Interactions", "s3://b/p/", PZ_DC_SAMPLE,
		       false, 1700000000);
	for (k = 0; k < 2; k++) {
		int n = k ? fresh_rows : 2000;
		struct pz_dc_obj *o = pz_dc_obj_add(
		    dc, k ? "s3://b/p/new.csv" : "s3://b/p/old.csv", "\"e\"",
		    0);

		if (k)
			pz_dc_obj_mark_fresh(o);
		pz_buf_init(&rows[k], 0);
		assert_int_equal(pz_buf_adds(&rows[k], HEADER), 0);
		for (i = 0; i < (size_t)n; i++)
			assert_int_equal(pz_buf_printf(&rows[k],
						       "u%zu,i%zu,1600000000,"
						       "click,\n",
						       i % 50, i % 70),
					 0);
		if (!pz_dc_obj_feed(o, rows[k].ptr, rows[k].len))
			pz_dc_obj_finish(o, true);
		else
			pz_dc_obj_finish(o, false);
		pz_buf_release(&rows[k]);
	}
	pz_dc_finish(dc, &d, NULL);
	pz_buf_init(&b, 0);
	for (i = 0; i < d.n; i++)
		if (!strcmp(d.items[i].file, "s3://b/p/"))
			assert_int_equal(
			    pz_buf_printf(&b, "%s\n", d.items[i].message), 0);
	return finish(dc, &d, s, doc, &b);
}

/* personalize-rules.md §3: an INCREMENTAL import into Interactions
 * needs 1,000 new records; the old object's rows do not count. */
static void test_incremental_needs_new_records(void **state)
{
	char *got;

	(void)state;
	got = incremental(500);
	assert_string_equal(
	    got, "the INCREMENTAL import would bring at most 500 new records "
		 "(the rows of the 1 new or changed object); an INCREMENTAL "
		 "import into Interactions needs at least 1,000 new ones "
		 "(Personalize fails it): add data, or import it FULL\n");
	free(got);
	got = incremental(1500);
	assert_string_equal(got, "");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_id_length),
	    cmocka_unit_test(test_timestamps),
	    cmocka_unit_test(test_incremental_needs_new_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
