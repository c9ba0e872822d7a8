/*
 * redact.c - hiding secrets from traces.
 */
#include "redact.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static const char *const secret_headers[] = {
    "authorization",
    "proxy-authorization",
    "x-amz-security-token",
    "x-aws-ec2-metadata-token",
    "cookie",
    "set-cookie",
    "x-amz-server-side-encryption-customer-key",
    "x-amz-copy-source-server-side-encryption-customer-key",
};

bool pz_aws_redact_header(const char *name)
{
	size_t i;

	for (i = 0; i < PZ_ARRAY_LEN(secret_headers); i++)
		if (strcasecmp(name, secret_headers[i]) == 0)
			return true;
	return false;
}

static bool contains_ci(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(s + i, needle, n) == 0)
			return true;
	return false;
}

bool pz_aws_redact_field(const char *name, size_t len)
{
	static const char *const parts[] = {
	    "secret",		"password",	  "sessiontoken",
	    "securitytoken",	"security-token", "webidentitytoken",
	    "accesstoken",	"authorization",  "x-amz-signature",
	    "x-amz-credential", "privatekey",
	};
	size_t i;

	if ((len == 5 && strncasecmp(name, "token", 5) == 0) ||
	    (len == 9 && strncasecmp(name, "tokencode", 9) == 0))
		return true;
	for (i = 0; i < PZ_ARRAY_LEN(parts); i++)
		if (contains_ci(name, len, parts[i]))
			return true;
	return false;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' ||
	       c == ':';
}

/* Appends s[0..n) with control bytes escaped. */
static int add_printable(struct pz_buf *out, const char *s, size_t n)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && !r; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f))
			r = pz_buf_addc(out, (char)c);
		else
			r = pz_buf_printf(out, "\\x%02x", c);
	}
	return r;
}

/* At a JSON string "name" : "value" with a secret name: returns the
 * length of the prefix up to the value's opening quote and of the value
 * string token, or 0. */
static size_t json_field(const char *b, size_t len, size_t i, size_t *vlen)
{
	size_t j = i + 1, k;

	while (j < len && b[j] != '"' && b[j] != '\\')
		j++;
	if (j >= len || b[j] != '"')
		return 0;
	if (!pz_aws_redact_field(b + i + 1, j - i - 1))
		return 0;
	k = j + 1;
	while (k < len && isspace((unsigned char)b[k]))
		k++;
	if (k >= len || b[k] != ':')
		return 0;
	k++;
	while (k < len && isspace((unsigned char)b[k]))
		k++;
	if (k >= len || b[k] != '"')
		return 0;
	/* value string: up to the closing unescaped quote */
	j = k + 1;
	while (j < len && b[j] != '"') {
		if (b[j] == '\\')
			j++;
		j++;
	}
	*vlen = (j < len ? j + 1 : len) - k;
	return k - i;
}

/* Does a header line ("name:value") start at i? After a newline, a
 * JSON-escaped one ("\\n") or a quote, as where an AWS error message
 * quotes the canonical request it expected. */
static bool line_start(const char *b, size_t i)
{
	return i == 0 || b[i - 1] == '\n' || b[i - 1] == '\'' ||
	       (i >= 2 && b[i - 2] == '\\' && b[i - 1] == 'n');
}

/* At a header line with a secret name: the length of "name:", with
 * *vlen the value's (to the end of the line), else 0. */
static size_t header_line(const char *b, size_t n, size_t i, size_t *vlen)
{
	char name[64];
	size_t j = i, k;

	while (j < n && j - i < sizeof(name) - 1 &&
	       (isalnum((unsigned char)b[j]) || b[j] == '-'))
		j++;
	if (j == i || j >= n || b[j] != ':')
		return 0;
	memcpy(name, b + i, j - i);
	name[j - i] = '\0';
	if (!pz_aws_redact_header(name))
		return 0;
	for (k = j + 1; k < n && !strchr("\n\\'\"<&", b[k]); k++)
		;
	*vlen = k - j - 1;
	return j + 1 - i;
}

int pz_aws_redact_body(struct pz_buf *out, const char *b, size_t len,
		       size_t max)
{
	size_t i = 0, run = 0, n = len < max ? len : max;
	int r = 0;

	while (i < n && !r) {
		size_t pre, vlen = 0, j;

		if (line_start(b, i) && (pre = header_line(b, n, i, &vlen))) {
			r = add_printable(out, b + i - run, run + pre);
			if (!r)
				r = pz_buf_adds(out, PZ_REDACTED);
			i += pre + vlen;
			run = 0;
			continue;
		}
		if (b[i] == '"' && (pre = json_field(b, n, i, &vlen))) {
			r = add_printable(out, b + i - run, run + pre);
			if (!r)
				r = pz_buf_adds(out, "\"" PZ_REDACTED "\"");
			i += pre + vlen;
			run = 0;
			continue;
		}
		if (b[i] == '<' && i + 1 < n && name_char(b[i + 1])) {
			for (j = i + 1; j < n && name_char(b[j]); j++)
				;
			if (pz_aws_redact_field(b + i + 1, j - i - 1)) {
				while (j < n && b[j] != '>')
					j++;
				if (j < n && b[j - 1] != '/') {
					r = add_printable(out, b + i - run,
							  run + j + 1 - i);
					if (!r)
						r = pz_buf_adds(out,
								PZ_REDACTED);
					i = j + 1;
					while (i < n && b[i] != '<')
						i++;
					run = 0;
					continue;
				}
			}
		}
		/* A form body's first field, a URL's first query
		 * parameter, and every later one. */
		if ((i == 0 || b[i - 1] == '&' || b[i - 1] == '?') &&
		    name_char(b[i])) {
			for (j = i; j < n && name_char(b[j]); j++)
				;
			if (j < n && b[j] == '=' &&
			    pz_aws_redact_field(b + i, j - i)) {
				r = add_printable(out, b + i - run,
						  run + j + 1 - i);
				if (!r)
					r = pz_buf_adds(out, PZ_REDACTED);
				i = j + 1;
				while (i < n && b[i] != '&')
					i++;
				run = 0;
				continue;
			}
		}
		i++;
		run++;
	}
	if (!r && run)
		r = add_printable(out, b + i - run, run);
	if (!r && len > max)
		r = pz_buf_printf(out, "... (%zu more bytes)", len - max);
	return r;
}
