/*
 * buf.h - growable byte buffers with a mandatory size cap (after curl's
 * dynbuf). The contents are always NUL-terminated so they can be used as
 * C strings. Appending past the cap fails with PZ_EINVAL and leaves the
 * buffer unchanged; allocation failure aborts.
 */
#ifndef PZ_BUF_H
#define PZ_BUF_H

#include "common.h"

struct pz_buf {
	char *ptr;    /* NUL-terminated, or NULL while empty and unallocated */
	size_t len;   /* bytes used, excluding the terminator */
	size_t alloc; /* bytes allocated */
	size_t max;   /* cap on len */
};

#define PZ_BUF_MAX_DEFAULT ((size_t)64 << 20) /* 64 MiB */

/* No allocation; max 0 means PZ_BUF_MAX_DEFAULT. */
void pz_buf_init(struct pz_buf *b, size_t max);
/* Frees the memory and re-initialises with the same cap. */
void pz_buf_release(struct pz_buf *b);
/* Like release, but wipes the bytes first: for buffers that held secrets. */
void pz_buf_release_secret(struct pz_buf *b);
/* Empties the buffer, keeping its memory. */
void pz_buf_reset(struct pz_buf *b);

int pz_buf_add(struct pz_buf *b, const void *data, size_t len) PZ_MUST_USE;
int pz_buf_adds(struct pz_buf *b, const char *s) PZ_MUST_USE;
int pz_buf_addc(struct pz_buf *b, char c) PZ_MUST_USE;
int pz_buf_printf(struct pz_buf *b, const char *fmt, ...)
    PZ_PRINTF(2, 3) PZ_MUST_USE;
int pz_buf_vprintf(struct pz_buf *b, const char *fmt, va_list ap)
    PZ_PRINTF(2, 0) PZ_MUST_USE;
/* Appends s as a JSON string literal, quotes included. */
int pz_buf_add_json_str(struct pz_buf *b, const char *s,
			size_t len) PZ_MUST_USE;
void pz_buf_truncate(struct pz_buf *b, size_t len);

/* The contents as a C string ("" when empty). Borrowed. */
const char *pz_buf_cstr(const struct pz_buf *b);
/* Hands over the contents (NUL-terminated, never NULL); b is left empty. */
char *pz_buf_detach(struct pz_buf *b, size_t *len_out);

/* Reads a whole file into b; fails with PZ_EIO (message names path). */
int pz_buf_read_file(struct pz_buf *b, const char *path) PZ_MUST_USE;

#endif
