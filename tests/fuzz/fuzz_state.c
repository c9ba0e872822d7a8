/*
 * fuzz_state.c - the state parser: any bytes either parse into a state
 * that survives its own round trip byte for byte, or are refused with a
 * message. Never a crash, a leak or a different second serialisation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_out.h"
#include "core/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pz_state *st = NULL, *again = NULL;
	struct pz_buf a, b;

	pz_json_init();
	if (pz_state_parse(&st, (const char *)data, size, "fuzz"))
		return 0;
	pz_buf_init(&a, 0);
	pz_buf_init(&b, 0);
	if (pz_state_serialize(st, &a) ||
	    pz_state_parse(&again, a.ptr, a.len, "again") ||
	    pz_state_serialize(again, &b) || a.len != b.len ||
	    memcmp(a.ptr, b.ptr, a.len) || !pz_state_same_content(st, again))
		abort();
	pz_buf_release(&a);
	pz_buf_release(&b);
	pz_state_free(st);
	pz_state_free(again);
	return 0;
}
