/*
 * fuzz_filterexpr.c - the filter expression parser on any bytes, as a
 * plain scalar and as a quoted one (positions are mapped differently).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_out.h"
#include "core/node.h"
#include "providers/personalize/filterexpr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pz_diags d;
	struct pz_filter_info *info = NULL;
	struct pz_node n;
	char *text;
	int quoted;

	pz_json_init();
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	for (quoted = 0; quoted < 2; quoted++) {
		size_t i;

		memset(&n, 0, sizeof(n));
		n.kind = PZ_NODE_STR;
		n.str = text;
		n.len = strlen(text);
		n.quoted = quoted;
		n.pos.line = 3;
		n.pos.col = 5;
		pz_diags_init(&d);
		if (pz_filter_expr_check(&info, "f.yaml", &n, &d) == 0) {
			if (!info)
				abort();
			for (i = 0; i < info->nrefs; i++)
				if (!info->refs[i].dataset ||
				    !info->refs[i].field)
					abort();
		}
		for (i = 0; i < d.n; i++)
			if (d.items[i].pos.line < 3)
				abort(); /* never before the string */
		pz_filter_info_free(info);
		info = NULL;
		pz_diags_release(&d);
	}
	free(text);
	return 0;
}
