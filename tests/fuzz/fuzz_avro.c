/*
 * fuzz_avro.c - the Avro schema checker on any JSON text. The first
 * byte picks the dataset type and the domain; the rest is the schema as
 * a document (map form) or, with the first byte's high bit, as the
 * string the API takes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_out.h"
#include "core/node.h"
#include "providers/personalize/avro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {"Interactions", "Items", "Users",
					    "Actions", "ActionInteractions"};
	static const char *const domains[] = {NULL, "ECOMMERCE",
					      "VIDEO_ON_DEMAND"};
	struct pz_diags d;
	struct pz_doc *doc = NULL;
	struct pz_avro_schema *s = NULL;
	struct pz_node str;

	pz_json_init();
	if (size < 1)
		return 0;
	pz_diags_init(&d);
	if (data[0] & 0x80) {
		/* The schema as a JSON string inside a spec document. */
		char *text = malloc(size);

		memcpy(text, data + 1, size - 1);
		text[size - 1] = '\0';
		memset(&str, 0, sizeof(str));
		str.kind = PZ_NODE_STR;
		str.quoted = true;
		str.str = text;
		str.len = strlen(text);
		str.pos.line = 1;
		str.pos.col = 1;
		if (pz_avro_check(&s, "f.yaml", &str, types[data[0] % 5],
				  domains[(data[0] >> 3) % 3], &d) == 0 &&
		    !s)
			abort();
		free(text);
	} else if (pz_doc_load(&doc, "f.json", (const char *)data + 1, size - 1,
			       &d) == 0 &&
		   doc->root) {
		if (pz_avro_check(&s, "f.json", doc->root, types[data[0] % 5],
				  domains[(data[0] >> 3) % 3], &d) == 0 &&
		    (!s || strlen(s->json) > PZ_AVRO_SCHEMA_MAX))
			abort(); /* accepted schemas fit the API's limit */
	}
	pz_avro_schema_free(s);
	pz_doc_free(doc);
	pz_diags_release(&d);
	return 0;
}
