/*
 * json_out.h - deterministic JSON text from cJSON values: object keys in
 * byte order, two-space indentation (or compact), integers without a
 * fraction. State files and saved plans use it so that the same content
 * is always the same bytes (diffs in review stay minimal).
 */
#ifndef PZ_JSON_OUT_H
#define PZ_JSON_OUT_H

#include <cjson/cJSON.h>

#include "buf.h"

/* indent < 0: compact; otherwise pretty with that many spaces per level
 * (starting at level 0). */
/* Points cJSON's allocations at pz_xmalloc (which aborts when memory
 * runs out): call once at start-up, before any cJSON call. */
void pz_json_init(void);

int pz_json_write(const cJSON *v, struct pz_buf *out, int indent) PZ_MUST_USE;
/* Adds key: s to o, or key: null when s is NULL. */
void pz_json_add_str_or_null(cJSON *o, const char *key, const char *s);
/* True when a and b are equal as JSON values (object key order ignored,
 * numbers compared as numbers). */
bool pz_json_equal(const cJSON *a, const cJSON *b);

#endif
