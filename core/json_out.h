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

/* Points cJSON's allocations at pz_xmalloc (which aborts when memory
 * runs out): call once at start-up, before any cJSON call. */
void pz_json_init(void);

/* indent < 0: compact; otherwise pretty with that many spaces per level
 * (starting at level 0). A value known only after apply (unknown.h) is
 * refused: PZ_EINVAL, naming it. */
int pz_json_write(const cJSON *v, struct pz_buf *out, int indent) PZ_MUST_USE;
/* Adds key: s to o, or key: null when s is NULL. */
void pz_json_add_str_or_null(cJSON *o, const char *key, const char *s);
/* True when a and b are equal as JSON values (object key order ignored,
 * numbers compared as numbers); two unknown values are equal when they
 * refer to the same thing. */
bool pz_json_equal(const cJSON *a, const cJSON *b);

/*
 * Sensitive values: a value the spec took from the environment
 * (${env:NAME}, docs/spec.md) carries this bit in its cJSON type, which
 * cJSON keeps through cJSON_Duplicate and ignores otherwise. Every
 * rendering shows such a value as PZ_SENSITIVE_TEXT; requests and the
 * state get the value itself.
 */
#define PZ_JSON_SENSITIVE (1 << 20)
#define PZ_SENSITIVE_TEXT "(sensitive)"

static inline bool pz_json_is_sensitive(const cJSON *v)
{
	return v && (v->type & PZ_JSON_SENSITIVE);
}

/* Marks v and everything in it sensitive; returns v. */
cJSON *pz_json_mark_sensitive(cJSON *v);

/*
 * A copy of v for display: every value that is sensitive, or whose
 * counterpart at the same place in peer (the other side of a change) is,
 * becomes the string PZ_SENSITIVE_TEXT (itself marked sensitive). *mask,
 * when mask is not NULL, is NULL when nothing was hidden, else true for a
 * hidden v or an object/array mirroring v with true where values were
 * hidden (Terraform's before_sensitive/after_sensitive). NULL for NULL.
 */
cJSON *pz_json_redacted(const cJSON *v, const cJSON *peer, cJSON **mask);

#endif
