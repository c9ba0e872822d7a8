/*
 * buf.c - growable byte buffers.
 */
#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

void pz_buf_init(struct pz_buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max ? max : PZ_BUF_MAX_DEFAULT;
}

void pz_buf_release(struct pz_buf *b)
{
	size_t max = b->max;

	free(b->ptr);
	pz_buf_init(b, max);
}

void pz_buf_release_secret(struct pz_buf *b)
{
	if (b->ptr)
		pz_wipe(b->ptr, b->alloc);
	pz_buf_release(b);
}

void pz_buf_reset(struct pz_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

static int grow(struct pz_buf *b, size_t extra)
{
	size_t need, a;

	if (extra > b->max || b->len > b->max - extra)
		return pz_error_set(
		    PZ_EINVAL, "buffer would exceed its limit of %zu bytes",
		    b->max);
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	a = b->alloc ? b->alloc : 64;
	while (a < need)
		a = a > SIZE_MAX / 2 ? need : a * 2;
	if (a > b->max + 1)
		a = b->max + 1 > need ? b->max + 1 : need;
	b->ptr = pz_xrealloc(b->ptr, a);
	b->alloc = a;
	return 0;
}

int pz_buf_add(struct pz_buf *b, const void *data, size_t len)
{
	int r = grow(b, len);

	if (r)
		return r;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int pz_buf_adds(struct pz_buf *b, const char *s)
{
	return pz_buf_add(b, s, strlen(s));
}

int pz_buf_addc(struct pz_buf *b, char c)
{
	return pz_buf_add(b, &c, 1);
}

int pz_buf_vprintf(struct pz_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, r;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		PZ_BUG("bad format '%s'", fmt);
	if ((r = grow(b, (size_t)n)))
		return r;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int pz_buf_printf(struct pz_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = pz_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

int pz_buf_add_json_str(struct pz_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	int r;

	if ((r = pz_buf_addc(b, '"')))
		return r;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\') {
			run++;
			continue;
		}
		if (run && (r = pz_buf_add(b, s + i - run, run)))
			return r;
		run = 0;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		if ((r = pz_buf_add(b, esc, n)))
			return r;
	}
	if (run && (r = pz_buf_add(b, s + len - run, run)))
		return r;
	return pz_buf_addc(b, '"');
}

void pz_buf_truncate(struct pz_buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->ptr[len] = '\0';
	}
}

const char *pz_buf_cstr(const struct pz_buf *b)
{
	return b->ptr ? b->ptr : "";
}

char *pz_buf_detach(struct pz_buf *b, size_t *len_out)
{
	char *p = b->ptr ? b->ptr : pz_xstrdup("");

	if (len_out)
		*len_out = b->len;
	b->ptr = NULL;
	b->len = 0;
	b->alloc = 0;
	return p;
}

int pz_buf_read_file(struct pz_buf *b, const char *path)
{
	char chunk[16384];
	int fd, r = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pz_error_set_errno(errno == ENOENT ? PZ_ENOTFOUND
							  : PZ_EIO,
					  "unable to open '%s'", path);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = pz_error_set_errno(PZ_EIO, "unable to read '%s'",
					       path);
			break;
		}
		if (n == 0)
			break;
		if (pz_buf_add(b, chunk, (size_t)n)) {
			r = pz_error_set(PZ_EIO,
					 "'%s' is larger than %zu bytes", path,
					 b->max);
			break;
		}
	}
	close(fd);
	if (!r && !b->ptr)
		r = pz_buf_add(b, "", 0);
	return r;
}
