/*
 * fuzz_csv.c - the CSV reader and the data checker on any bytes. The
 * first byte picks the chunk size the bytes are fed in (the reader must
 * not care where a chunk ends), the level and the import mode; the rest
 * is one object of an Interactions dataset with a categorical and a
 * nullable column. The result also goes through the cache and back.
 * The reader alone is also run on the bytes in one piece (its fast,
 * copy-free path) and byte by byte (its state machine): both must see
 * the same records, fields, places and errors.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/node.h"
#include "providers/personalize/datacheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char schema_json[] =
    "{\"type\":\"record\",\"name\":\"Interactions\",\"namespace\":"
    "\"com.amazonaws.personalize.schema\",\"fields\":["
    "{\"name\":\"USER_ID\",\"type\":\"string\"},"
    "{\"name\":\"ITEM_ID\",\"type\":\"string\"},"
    "{\"name\":\"TIMESTAMP\",\"type\":\"long\"},"
    "{\"name\":\"EVENT_TYPE\",\"type\":\"string\"},"
    "{\"name\":\"EVENT_VALUE\",\"type\":[\"null\",\"float\"]},"
    "{\"name\":\"N\",\"type\":[\"null\",\"int\"]},"
    "{\"name\":\"B\",\"type\":[\"null\",\"boolean\"]},"
    "{\"name\":\"DEVICE\",\"type\":[\"null\",\"string\"],"
    "\"categorical\":true}],\"version\":\"1.0\"}";

static struct pz_avro_schema *schema(void)
{
	static struct pz_avro_schema *s;
	struct pz_diags d;
	struct pz_doc *doc = NULL;

	if (s)
		return s;
	pz_diags_init(&d);
	if (pz_doc_load(&doc, "s.json", schema_json, strlen(schema_json), &d) ||
	    pz_avro_check(&s, "s.json", doc->root, "Interactions", NULL, &d))
		abort();
	pz_doc_free(doc);
	pz_diags_release(&d);
	return s;
}

/* FNV-1a over everything the reader reports. */
static void mix(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ULL;
	}
}

static void record(void *ud, const struct pz_csv_record *r)
{
	bool high = false;
	size_t i, k;

	mix(ud, &r->number, sizeof(r->number));
	mix(ud, &r->line, sizeof(r->line));
	mix(ud, &r->ascii, sizeof(r->ascii));
	for (i = 0; i < r->n; i++) {
		const struct pz_csv_field *f = &r->fields[i];
		uint64_t line;
		uint32_t col;

		pz_csv_where(r, i, &line, &col);
		mix(ud, f->p, f->len);
		mix(ud, &f->len, sizeof(f->len));
		mix(ud, &line, sizeof(line));
		mix(ud, &col, sizeof(col));
		mix(ud, &f->quoted, sizeof(f->quoted));
		for (k = 0; k < f->len; k++)
			high |= (unsigned char)f->p[k] >= 0x80;
	}
	if (high == r->ascii)
		abort(); /* the record's ASCII flag is wrong */
}

/* Batches are the reader's business: the same records either way. */
static int on_rec(void *ud, const struct pz_csv_record *r, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		record(ud, &r[k]);
	return 0;
}

static int on_err(void *ud, uint64_t line, uint32_t col, const char *msg)
{
	mix(ud, &line, sizeof(line));
	mix(ud, &col, sizeof(col));
	mix(ud, msg, strlen(msg));
	return 0;
}

static uint64_t read_all(const uint8_t *p, size_t n, size_t chunk)
{
	struct pz_csv c;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t off = 0;

	pz_csv_init(&c, on_rec, on_err, &h);
	while (off < n) {
		size_t k = n - off < chunk ? n - off : chunk;

		pz_csv_feed(&c, (const char *)p + off, k);
		off += k;
	}
	pz_csv_finish(&c);
	pz_csv_release(&c);
	return h;
}

static struct pz_dc *checker(enum pz_dc_level level, bool full)
{
	struct pz_dc *dc = pz_dc_new(schema(), "s.json", "Interactions",
				     "s3://b/p/", level, full, 1700000000);

	pz_dc_add_solution(dc, "solution.a", NULL, (struct pz_pos){1, 1, 0});
	pz_dc_add_solution(dc, "solution.b", "click", (struct pz_pos){2, 1, 0});
	return dc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t chunks[] = {1, 2, 3, 7, 64, 4096};
	struct pz_dc *dc, *again;
	struct pz_dc_obj *o, *o2;
	struct pz_diags d, d2;
	enum pz_dc_level level;
	size_t chunk, off = 1;
	bool eof = true;
	cJSON *cache;

	if (size < 1)
		return 0;
	if (read_all(data + 1, size - 1, size) !=
	    read_all(data + 1, size - 1, 1))
		abort(); /* the fast path and the state machine disagree */
	chunk = chunks[data[0] % PZ_ARRAY_LEN(chunks)];
	level = (enum pz_dc_level)(1 + (data[0] >> 3) % 3);
	dc = checker(level, !(data[0] & 0x80));
	pz_dc_want_stats(dc);
	o = pz_dc_obj_add(dc, "s3://b/p/a.csv", "\"e\"", size - 1);
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;

		if (pz_dc_obj_feed(o, (const char *)data + off, n)) {
			eof = false;
			break;
		}
		off += n;
	}
	pz_dc_obj_finish(o, eof);
	pz_diags_init(&d);
	pz_dc_finish(dc, &d, NULL);
	/* The cache gives back the same diagnostics. */
	cache = pz_dc_obj_to_cache(o);
	again = checker(level, !(data[0] & 0x80));
	o2 = pz_dc_obj_add(again, "s3://b/p/a.csv", "\"e\"", size - 1);
	if (!cache || !pz_dc_obj_from_cache(o2, cache))
		abort();
	pz_diags_init(&d2);
	pz_dc_finish(again, &d2, NULL);
	if (d2.nerrors != d.nerrors)
		abort();
	cJSON_Delete(cache);
	pz_diags_release(&d);
	pz_diags_release(&d2);
	pz_dc_free(again);
	pz_dc_free(dc);
	return 0;
}
