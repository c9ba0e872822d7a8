/*
 * sigv4.c - AWS Signature Version 4.
 */
#include "sigv4.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/hash.h"

/* Headers that proxies or curl may change, so they are never signed. */
static const char *const unsigned_headers[] = {
    "authorization",  "user-agent",	   "expect",	 "x-amzn-trace-id",
    "content-length", "transfer-encoding", "connection",
};

static bool signable(const char *lname)
{
	size_t i;

	for (i = 0; i < PZ_ARRAY_LEN(unsigned_headers); i++)
		if (strcmp(lname, unsigned_headers[i]) == 0)
			return false;
	return true;
}

int pz_sigv4_canonical_uri(struct pz_buf *out, const char *path, bool s3)
{
	struct pz_buf norm;
	const char **segs = NULL;
	size_t nseg = 0, cap = 0, i, len;
	const char *p, *end;
	int r;

	if (!path || !*path)
		return pz_buf_addc(out, '/');
	if (s3)
		return pz_buf_adds(out, path);
	/* Remove "." and ".." segments and empty ones (repeated slashes). */
	len = strlen(path);
	for (p = path; p < path + len; p = end + 1) {
		size_t n;

		end = strchr(p, '/');
		if (!end)
			end = path + len;
		n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (nseg)
				nseg--;
			continue;
		}
		PZ_GROW(segs, nseg, cap);
		segs[nseg++] = p;
	}
	pz_buf_init(&norm, out->max);
	r = 0;
	for (i = 0; i < nseg && !r; i++) {
		const char *e = strchr(segs[i], '/');
		size_t n = e ? (size_t)(e - segs[i]) : strlen(segs[i]);

		r = pz_buf_addc(&norm, '/');
		if (!r)
			r = pz_buf_add(&norm, segs[i], n);
	}
	if (!r && (nseg == 0 || path[len - 1] == '/'))
		r = pz_buf_addc(&norm, '/');
	if (!r)
		r = pz_aws_uri_encode(out, norm.ptr, norm.len, true);
	pz_buf_release(&norm);
	free(segs);
	return r;
}

struct qparam {
	char *key; /* encoded */
	char *value;
};

static int cmp_qparam(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->value, y->value);
}

/* Decodes then strictly re-encodes one query component. */
static char *requote(const char *s, size_t n)
{
	struct pz_buf dec, enc;

	pz_buf_init(&dec, 0);
	pz_buf_init(&enc, 0);
	if (pz_aws_uri_decode(&dec, s, n) ||
	    pz_aws_uri_encode(&enc, pz_buf_cstr(&dec), dec.len, false))
		PZ_BUG("query component over the buffer limit");
	pz_buf_release(&dec);
	return pz_buf_detach(&enc, NULL);
}

int pz_sigv4_canonical_query(struct pz_buf *out, const char *query)
{
	struct qparam *ps = NULL;
	size_t n = 0, cap = 0, i;
	const char *p, *amp, *eq;
	int r = 0;

	if (!query || !*query)
		return 0;
	for (p = query;; p = amp + 1) {
		size_t len;

		amp = strchr(p, '&');
		len = amp ? (size_t)(amp - p) : strlen(p);
		if (len) {
			eq = memchr(p, '=', len);
			PZ_GROW(ps, n, cap);
			if (eq) {
				ps[n].key = requote(p, (size_t)(eq - p));
				ps[n].value =
				    requote(eq + 1, len - (size_t)(eq - p) - 1);
			} else {
				ps[n].key = requote(p, len);
				ps[n].value = pz_xstrdup("");
			}
			n++;
		}
		if (!amp)
			break;
	}
	qsort(ps, n, sizeof(*ps), cmp_qparam);
	for (i = 0; i < n && !r; i++)
		r = pz_buf_printf(out, "%s%s=%s", i ? "&" : "", ps[i].key,
				  ps[i].value);
	for (i = 0; i < n; i++) {
		free(ps[i].key);
		free(ps[i].value);
	}
	free(ps);
	return r;
}

struct chdr {
	char *lname;
	const char *value;
	size_t order;
};

static int cmp_chdr(const void *a, const void *b)
{
	const struct chdr *x = a, *y = b;
	int c = strcmp(x->lname, y->lname);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Appends value trimmed, with each run of whitespace made one space. */
static int add_trimmed(struct pz_buf *b, const char *v)
{
	bool space = false;
	int r;

	while (isspace((unsigned char)*v))
		v++;
	for (; *v; v++) {
		if (isspace((unsigned char)*v)) {
			space = true;
			continue;
		}
		if (space && (r = pz_buf_addc(b, ' ')))
			return r;
		space = false;
		if ((r = pz_buf_addc(b, *v)))
			return r;
	}
	return 0;
}

/* Canonical headers and the signed header list, from h. */
static int canonical_headers(const struct pz_aws_headers *h,
			     struct pz_buf *canon, struct pz_buf *signed_list)
{
	struct chdr *v = pz_xcalloc(h->n ? h->n : 1, sizeof(*v));
	size_t n = 0, i, j;
	int r = 0;

	for (i = 0; i < h->n; i++) {
		char *l = pz_xstrdup(h->items[i].name);

		for (j = 0; l[j]; j++)
			l[j] = (char)tolower((unsigned char)l[j]);
		if (!signable(l)) {
			free(l);
			continue;
		}
		v[n].lname = l;
		v[n].value = h->items[i].value;
		v[n].order = i;
		n++;
	}
	qsort(v, n, sizeof(*v), cmp_chdr);
	for (i = 0; i < n && !r; i++) {
		bool first = i == 0 || strcmp(v[i].lname, v[i - 1].lname);

		if (first) {
			if (i)
				r = pz_buf_addc(canon, '\n');
			if (!r)
				r = pz_buf_printf(canon, "%s:", v[i].lname);
			if (!r)
				r = pz_buf_printf(signed_list, "%s%s",
						  i ? ";" : "", v[i].lname);
		} else {
			r = pz_buf_addc(canon, ',');
		}
		if (!r)
			r = add_trimmed(canon, v[i].value);
	}
	if (!r && n)
		r = pz_buf_addc(canon, '\n');
	for (i = 0; i < n; i++)
		free(v[i].lname);
	free(v);
	return r;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" secret, date), region), service),
 * "aws4_request") */
static void signing_key(const struct pz_sigv4_signer *s, const char *date,
			unsigned char key[32])
{
	size_t slen = strlen(s->secret_access_key);
	char *k0 = pz_xmalloc(slen + 5);
	unsigned char a[32], b[32];

	memcpy(k0, "AWS4", 4);
	memcpy(k0 + 4, s->secret_access_key, slen + 1);
	pz_aws_hmac_sha256(k0, slen + 4, date, strlen(date), a);
	pz_aws_hmac_sha256(a, 32, s->region, strlen(s->region), b);
	pz_aws_hmac_sha256(b, 32, s->service, strlen(s->service), a);
	pz_aws_hmac_sha256(a, 32, "aws4_request", 12, key);
	pz_free_secret(k0, slen + 5);
	pz_wipe(a, sizeof(a));
	pz_wipe(b, sizeof(b));
}

int pz_sigv4_sign(const struct pz_sigv4_signer *s, struct pz_sigv4_request *req,
		  struct pz_sigv4_result *out)
{
	struct pz_buf creq, canon, signed_list, sts, authz;
	char amzdate[17], date[9], hash[65], creq_hash[65], sig[65];
	unsigned char key[32], mac[32];
	const char *payload;
	bool s3 = s->flags & PZ_SIGV4_S3;
	int r;

	if (out)
		memset(out, 0, sizeof(*out));
	if (!s->access_key_id || !s->secret_access_key || !s->region ||
	    !s->service || !req->method || !req->path)
		return pz_error_set(PZ_EINVAL, "incomplete signing request");
	pz_buf_init(&creq, 0);
	pz_buf_init(&canon, 0);
	pz_buf_init(&signed_list, 0);
	pz_buf_init(&sts, 0);
	pz_buf_init(&authz, 0);

	pz_aws_time_amz(s->when, amzdate);
	memcpy(date, amzdate, 8);
	date[8] = '\0';
	pz_aws_headers_del(req->headers, "Authorization");
	pz_aws_headers_set(req->headers, "X-Amz-Date", amzdate);
	if (s->session_token && *s->session_token &&
	    !(s->flags & PZ_SIGV4_TOKEN_AFTER))
		pz_aws_headers_set(req->headers, "X-Amz-Security-Token",
				   s->session_token);

	if (s->flags & PZ_SIGV4_UNSIGNED_PAYLOAD) {
		payload = "UNSIGNED-PAYLOAD";
	} else if (req->payload_hash) {
		payload = req->payload_hash;
	} else {
		pz_sha256_hex(req->body, req->body_len, hash);
		payload = hash;
	}
	if (s3)
		pz_aws_headers_set(req->headers, "x-amz-content-sha256",
				   payload);

	r = pz_buf_printf(&creq, "%s\n", req->method);
	if (!r)
		r = pz_sigv4_canonical_uri(&creq, req->path, s3);
	if (!r)
		r = pz_buf_addc(&creq, '\n');
	if (!r)
		r = pz_sigv4_canonical_query(&creq, req->query);
	if (!r)
		r = pz_buf_addc(&creq, '\n');
	if (!r)
		r = canonical_headers(req->headers, &canon, &signed_list);
	if (!r)
		r = pz_buf_printf(&creq, "%s\n%s\n%s", pz_buf_cstr(&canon),
				  pz_buf_cstr(&signed_list), payload);
	if (r)
		goto out;

	pz_sha256_hex(creq.ptr, creq.len, creq_hash);
	r = pz_buf_printf(&sts,
			  "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s",
			  amzdate, date, s->region, s->service, creq_hash);
	if (r)
		goto out;
	signing_key(s, date, key);
	pz_aws_hmac_sha256(key, sizeof(key), sts.ptr, sts.len, mac);
	pz_wipe(key, sizeof(key));
	pz_hex(mac, sizeof(mac), sig);
	r = pz_buf_printf(
	    &authz,
	    "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, "
	    "SignedHeaders=%s, Signature=%s",
	    s->access_key_id, date, s->region, s->service,
	    pz_buf_cstr(&signed_list), sig);
	if (r)
		goto out;
	pz_aws_headers_set(req->headers, "Authorization", authz.ptr);
	if (s->session_token && *s->session_token &&
	    (s->flags & PZ_SIGV4_TOKEN_AFTER))
		pz_aws_headers_set(req->headers, "X-Amz-Security-Token",
				   s->session_token);
	if (out) {
		out->canonical_request = pz_buf_detach(&creq, NULL);
		out->string_to_sign = pz_buf_detach(&sts, NULL);
		out->authorization = pz_buf_detach(&authz, NULL);
	}
out:
	pz_buf_release(&creq);
	pz_buf_release(&canon);
	pz_buf_release(&signed_list);
	pz_buf_release(&sts);
	pz_buf_release(&authz);
	return r;
}

void pz_sigv4_result_release(struct pz_sigv4_result *r)
{
	free(r->canonical_request);
	free(r->string_to_sign);
	free(r->authorization);
	memset(r, 0, sizeof(*r));
}
