/*
 * hash.c - SHA-256 through OpenSSL's EVP interface (hash.h).
 */
#include "hash.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "node.h"

void pz_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

void pz_sha256_init(struct pz_sha256 *h)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		PZ_BUG("SHA-256 is not available");
	h->ctx = md;
}

void pz_sha256_update(struct pz_sha256 *h, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(h->ctx, data, len) != 1)
		PZ_BUG("SHA-256 update failed");
}

void pz_sha256_final_hex(struct pz_sha256 *h, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
		PZ_BUG("SHA-256 final failed");
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
	pz_hex(md, 32, hex);
}

void pz_sha256_hex(const void *data, size_t len, char hex[65])
{
	struct pz_sha256 h;

	pz_sha256_init(&h);
	pz_sha256_update(&h, data, len);
	pz_sha256_final_hex(&h, hex);
}

static void add_count(struct pz_sha256 *h, size_t n)
{
	uint64_t v = n;

	pz_sha256_update(h, &v, sizeof(v));
}

static void add_bytes(struct pz_sha256 *h, const void *p, size_t n)
{
	add_count(h, n);
	pz_sha256_update(h, p, n);
}

static int cmp_pairs(const void *a, const void *b)
{
	const struct pz_pair *x = *(const struct pz_pair *const *)a;
	const struct pz_pair *y = *(const struct pz_pair *const *)b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

void pz_sha256_node(struct pz_sha256 *h, const struct pz_node *n)
{
	unsigned char kind = n ? (unsigned char)n->kind : 0xff;
	char num[40];
	size_t i;

	pz_sha256_update(h, &kind, 1);
	if (!n)
		return;
	switch (n->kind) {
	case PZ_NODE_NULL: break;
	case PZ_NODE_BOOL: pz_sha256_update(h, n->b ? "1" : "0", 1); break;
	case PZ_NODE_INT:
		snprintf(num, sizeof(num), "%lld", (long long)n->i);
		add_bytes(h, num, strlen(num));
		break;
	case PZ_NODE_FLOAT:
		snprintf(num, sizeof(num), "%.17g", n->d);
		add_bytes(h, num, strlen(num));
		break;
	case PZ_NODE_STR: add_bytes(h, n->str, n->len); break;
	case PZ_NODE_MAP: {
		const struct pz_pair **sorted =
		    pz_xcalloc(n->npairs ? n->npairs : 1, sizeof(*sorted));

		for (i = 0; i < n->npairs; i++)
			sorted[i] = &n->pairs[i];
		qsort(sorted, n->npairs, sizeof(*sorted), cmp_pairs);
		add_count(h, n->npairs);
		for (i = 0; i < n->npairs; i++) {
			add_bytes(h, sorted[i]->key, sorted[i]->key_len);
			pz_sha256_node(h, sorted[i]->value);
		}
		free(sorted);
		break;
	}
	case PZ_NODE_SEQ:
		add_count(h, n->nitems);
		for (i = 0; i < n->nitems; i++)
			pz_sha256_node(h, n->items[i]);
		break;
	}
}
