/*
 * fuzz_lock.c - the lock info reader (a local lock file, an S3 lock
 * object: the same JSON, S3's with an "Owner"): any bytes are refused or
 * read into fields that fit, whose one-line description holds nothing a
 * terminal acts on, and that write back as JSON which reads back the
 * same. Never a crash, a leak or undefined behaviour.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/backend.h"
#include "core/error.h"
#include "core/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pz_lock_info info, again;
	struct pz_buf json;
	char desc[512];

	if (pz_lock_info_from_json(&info, (const char *)data, size)) {
		pz_error_clear();
		return 0;
	}
	if (strnlen(info.id, sizeof(info.id)) == sizeof(info.id) ||
	    strnlen(info.who, sizeof(info.who)) == sizeof(info.who) ||
	    strnlen(info.operation, sizeof(info.operation)) ==
		sizeof(info.operation))
		abort(); /* not terminated */
	pz_lock_info_describe(&info, desc, sizeof(desc));
	if (pz_str_needs_escape(desc, strlen(desc)) && strchr(desc, 0x1b))
		abort();
	if (strchr(desc, '\n') || strchr(desc, 0x1b))
		abort();
	pz_buf_init(&json, 0);
	if (pz_lock_info_to_json(&info, &json) ||
	    pz_lock_info_from_json(&again, json.ptr, json.len) ||
	    strcmp(info.id, again.id) || strcmp(info.who, again.who) ||
	    strcmp(info.operation, again.operation) ||
	    strcmp(info.created, again.created) ||
	    strcmp(info.path, again.path) || info.pid != again.pid)
		abort();
	pz_buf_release(&json);
	return 0;
}
