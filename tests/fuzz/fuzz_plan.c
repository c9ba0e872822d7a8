/*
 * fuzz_plan.c - the saved plan reader and its consistency check: any
 * bytes are either refused with a message or load into a plan whose
 * every address is valid, and which renders as text and JSON with
 * nothing a terminal would act on. Never a crash, a leak or undefined
 * behaviour (a negative serial once was).
 *
 * pz_plan_load() reads a file (its format belongs to plan_file.c), so
 * each input is written to one temporary file first.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/escape.h"
#include "core/plan_check.h"
#include "core/state.h"
#include "providers/personalize/personalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void cleanup(void)
{
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pz_plan *plan = NULL;
	struct pz_buf out;
	FILE *f;
	size_t i;

	if (!path[0]) {
		int fd;

		snprintf(path, sizeof(path), "/tmp/pz-fuzz-plan.XXXXXX");
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		atexit(cleanup);
		pz_personalize_register();
	}
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	if (pz_plan_load_checked(&plan, path, NULL)) {
		if (!*pz_error_last())
			abort(); /* refused without a message */
		pz_error_clear();
		return 0;
	}
	for (i = 0; i < plan->n; i++)
		if (pz_state_check_address(plan->changes[i].address,
					   plan->changes[i].type))
			abort();
	pz_buf_init(&out, 0);
	if (pz_plan_render_text(plan, &out, NULL) == 0) {
		/* Whatever the plan holds, the rendering cannot drive a
		 * terminal: no ESC, no C1 control, no other C0 but \n. */
		for (i = 0; i < out.len; i++)
			if ((unsigned char)out.ptr[i] == 0x1b)
				abort();
	}
	pz_buf_reset(&out);
	if (pz_plan_render_json(plan, &out) == 0 &&
	    memchr(out.ptr, 0x1b, out.len))
		abort(); /* JSON escapes control characters */
	pz_buf_release(&out);
	pz_plan_free(plan);
	pz_error_clear();
	return 0;
}
