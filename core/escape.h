/*
 * escape.h - strings from files, the network or a lock, made safe for a
 * terminal or a log.
 *
 * A spec key, a plan address, a lock's Who, an AWS error message can hold
 * any bytes; printed raw, "\e[2J\nPlan: 0 to add" clears the screen and
 * forges a line. Everything that did not come from pz itself goes through
 * here on its way out: C0 controls and DEL become \n, \r, \t, \e or \xHH;
 * bytes that are not UTF-8 become \xHH; C1 controls and the Unicode
 * bidirectional overrides (which reorder what a reader sees) become
 * \u{XXXX}. Printable text, UTF-8 letters included, stays as it is, and
 * so do backslashes (messages quote patterns such as "[a-z\-]").
 */
#ifndef PZ_ESCAPE_H
#define PZ_ESCAPE_H

#include "buf.h"

/* Appends s[0..n) escaped. */
int pz_buf_add_escaped(struct pz_buf *out, const char *s, size_t n) PZ_MUST_USE;
/* True when s[0..n) has something to escape. */
bool pz_str_needs_escape(const char *s, size_t n);
/*
 * s escaped, NUL-terminated, for a printf argument: s itself when it
 * needs nothing, else a copy in one of PZ_ESC_SLOTS rotating per-thread
 * buffers (valid until the PZ_ESC_SLOTS-th next call in the thread), cut
 * at PZ_ESC_MAX bytes with "...". NULL stays NULL.
 */
#define PZ_ESC_SLOTS 8
#define PZ_ESC_MAX   1024
const char *pz_esc(const char *s);

#endif
