/*
 * hash.c - SHA-256 through OpenSSL's EVP interface (hash.h).
 */
#include "hash.h"

#include <openssl/evp.h>

#include "error.h"

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
