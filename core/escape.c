/*
 * escape.c - escaping for terminals and logs (escape.h).
 */
#include "escape.h"

#include <stdio.h>
#include <string.h>

/*
 * The length of the valid UTF-8 sequence at s (at most n bytes) and its
 * code point, or 0 when the bytes there are not UTF-8 (overlong forms
 * and surrogates included).
 */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		c = s[0] & 0x1Fu;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		c = s[0] & 0x0Fu;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		c = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3Fu);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* C1 controls, bidirectional marks and overrides, line separators. */
static bool unsafe_cp(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E ||
	       c == 0x200F || (c >= 0x2028 && c <= 0x202E) ||
	       (c >= 0x2066 && c <= 0x2069);
}

/*
 * What to write for the character at s: 0 when its len bytes go out as
 * they are, else the escape in tmp.
 */
static size_t next_char(const char *s, size_t n, size_t *len, char tmp[16])
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;

	*len = utf8_seq(u, n, &cp);
	if (!*len) {
		*len = 1;
		return (size_t)snprintf(tmp, 16, "\\x%02x", u[0]);
	}
	if (cp < 0x20 || cp == 0x7F) {
		switch (cp) {
		case '\n': memcpy(tmp, "\\n", 3); return 2;
		case '\r': memcpy(tmp, "\\r", 3); return 2;
		case '\t': memcpy(tmp, "\\t", 3); return 2;
		case 0x1B: memcpy(tmp, "\\e", 3); return 2;
		default: return (size_t)snprintf(tmp, 16, "\\x%02x", u[0]);
		}
	}
	if (unsafe_cp(cp))
		return (size_t)snprintf(tmp, 16, "\\u{%04x}", (unsigned)cp);
	return 0;
}

bool pz_str_needs_escape(const char *s, size_t n)
{
	size_t i = 0, len;
	char tmp[16];

	while (i < n) {
		if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F) {
			i++;
			continue;
		}
		if (next_char(s + i, n - i, &len, tmp))
			return true;
		i += len;
	}
	return false;
}

int pz_buf_add_escaped(struct pz_buf *out, const char *s, size_t n)
{
	size_t i = 0, run = 0, len, k;
	char tmp[16];
	int r = 0;

	while (i < n && !r) {
		k = next_char(s + i, n - i, &len, tmp);
		if (!k) {
			i += len;
			run += len;
			continue;
		}
		if (run)
			r = pz_buf_add(out, s + i - run, run);
		if (!r)
			r = pz_buf_add(out, tmp, k);
		run = 0;
		i += len;
	}
	if (!r && run)
		r = pz_buf_add(out, s + i - run, run);
	return r;
}

const char *pz_esc(const char *s)
{
	static _Thread_local char ring[PZ_ESC_SLOTS][PZ_ESC_MAX + 1];
	static _Thread_local unsigned next;
	char *slot, tmp[16];
	size_t n, i = 0, o = 0, len, k;

	if (!s)
		return NULL;
	n = strlen(s);
	if (!pz_str_needs_escape(s, n))
		return s;
	slot = ring[next++ % PZ_ESC_SLOTS];
	while (i < n) {
		k = next_char(s + i, n - i, &len, tmp);
		if (o + (k ? k : len) > PZ_ESC_MAX - 3) {
			memcpy(slot + o, "...", 3);
			o += 3;
			break;
		}
		if (k)
			memcpy(slot + o, tmp, k);
		else
			memcpy(slot + o, s + i, len);
		o += k ? k : len;
		i += len;
	}
	slot[o] = '\0';
	return slot;
}
