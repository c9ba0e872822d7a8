/*
 * fuzz_spec.c - the spec loader end to end: YAML or JSON syntax, the
 * tree, interpolation, the facts checker, the resource types' checks,
 * the graph. The first byte picks the syntax, so one corpus covers both.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/json_out.h"
#include "core/graph.h"
#include "core/spec.h"
#include "providers/personalize/personalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pz_spec_var vars[] = {{"bucket", "b"},
						  {"tps", "2"}};
	struct pz_spec *spec = NULL;
	struct pz_diags diags;
	struct pz_buf dot;
	const char *path;

	pz_json_init();
	if (size < 1)
		return 0;
	pz_personalize_register();
	path = data[0] & 1 ? "fuzz.json" : "fuzz.yaml";
	pz_diags_init(&diags);
	pz_spec_load_text(&spec, path, (const char *)data + 1, size - 1, vars,
			  PZ_ARRAY_LEN(vars), &diags);
	if (spec) {
		pz_buf_init(&dot, 0);
		if (pz_graph_dot(spec, &dot) == 0 && dot.len == 0)
			abort(); /* a graph is never empty text */
		pz_buf_release(&dot);
	}
	pz_diags_sort(&diags);
	pz_spec_free(spec);
	pz_diags_release(&diags);
	return 0;
}
