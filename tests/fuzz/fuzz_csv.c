/*
 * fuzz_csv.c - the CSV reader and the data checker on any bytes. The
 * first byte picks the chunk size the bytes are fed in (the reader must
 * not care where a chunk ends), the level and the import mode; the rest
 * is one object of an Interactions dataset with a categorical and a
 * nullable column. The result also goes through the cache and back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	if (!pz_dc_obj_from_cache(o2, cache))
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
