/*
 * util.c - header lists, URI encoding, hashing, timestamps.
 */
#include "util.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"

void pz_aws_headers_add(struct pz_aws_headers *h, const char *name,
			const char *value)
{
	PZ_GROW(h->items, h->n, h->cap);
	h->items[h->n].name = pz_xstrdup(name);
	h->items[h->n].value = pz_xstrdup(value);
	h->n++;
}

static void free_header(struct pz_aws_header *e)
{
	free(e->name);
	if (e->value)
		pz_free_secret(e->value, strlen(e->value));
}

void pz_aws_headers_del(struct pz_aws_headers *h, const char *name)
{
	size_t i, j = 0;

	for (i = 0; i < h->n; i++) {
		if (strcasecmp(h->items[i].name, name) == 0)
			free_header(&h->items[i]);
		else
			h->items[j++] = h->items[i];
	}
	h->n = j;
}

void pz_aws_headers_set(struct pz_aws_headers *h, const char *name,
			const char *value)
{
	pz_aws_headers_del(h, name);
	pz_aws_headers_add(h, name, value);
}

const char *pz_aws_headers_get(const struct pz_aws_headers *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcasecmp(h->items[i].name, name) == 0)
			return h->items[i].value;
	return NULL;
}

void pz_aws_headers_release(struct pz_aws_headers *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free_header(&h->items[i]);
	free(h->items);
	h->items = NULL;
	h->n = 0;
	h->cap = 0;
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '~';
}

int pz_aws_uri_encode(struct pz_buf *out, const char *s, size_t len,
		      bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	int r;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[3];

		if (unreserved(c) || (keep_slash && c == '/')) {
			if ((r = pz_buf_addc(out, (char)c)))
				return r;
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		if ((r = pz_buf_add(out, esc, 3)))
			return r;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int pz_aws_uri_decode(struct pz_buf *out, const char *s, size_t len)
{
	size_t i;
	int r;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		}
		if ((r = pz_buf_addc(out, c)))
			return r;
	}
	return 0;
}

void pz_aws_hmac_sha256(const void *key, size_t key_len, const void *msg,
			size_t msg_len, unsigned char out[32])
{
	unsigned int n = 32;

	if (!HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, out, &n))
		PZ_BUG("HMAC-SHA256 failed");
}

void pz_aws_time_amz(time_t t, char out[17])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int pz_aws_time_parse(const char *s, time_t *out)
{
	int y, mo, d, h, mi, sec, n = 0;
	const char *p;
	long off = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
		   &n) != 6 ||
	    n == 0)
		return pz_error_set(PZ_EINVAL, "bad timestamp '%s'", s);
	p = s + n;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == '+' || *p == '-') {
		int oh, om;

		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return pz_error_set(PZ_EINVAL, "bad timestamp '%s'", s);
		off = (oh * 3600L + om * 60L) * (*p == '+' ? 1 : -1);
	} else if (*p != 'Z' && *p != 'z' && *p != '\0') {
		return pz_error_set(PZ_EINVAL, "bad timestamp '%s'", s);
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return pz_error_set(PZ_EINVAL, "bad timestamp '%s'", s);
	*out = (time_t)(days_from_civil(y, mo, d) * 86400L + h * 3600L +
			mi * 60L + sec - off);
	return 0;
}

bool pz_aws_truthy(const char *s)
{
	return s && (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0);
}
