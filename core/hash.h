/*
 * hash.h - SHA-256 and its lower-case hex: digests of specs, data
 * listings, configurations and requests all come from here.
 */
#ifndef PZ_HASH_H
#define PZ_HASH_H

#include <stddef.h>

struct pz_sha256 {
	void *ctx;
};

void pz_sha256_init(struct pz_sha256 *h);
void pz_sha256_update(struct pz_sha256 *h, const void *data, size_t len);
/* Writes the digest's hex into hex[65] and frees the context. */
void pz_sha256_final_hex(struct pz_sha256 *h, char hex[65]);

/* The hex of SHA-256(data) into hex[65]; data may be NULL when len is
 * 0. */
void pz_sha256_hex(const void *data, size_t len, char hex[65]);

struct pz_node;
/*
 * Adds a spec tree to h canonically: what it means, not how it is
 * written. Map keys in byte order, every string with its length, scalars
 * by kind and value (after interpolation): comments, quoting, layout and
 * key order change nothing; a value does.
 */
void pz_sha256_node(struct pz_sha256 *h, const struct pz_node *n);

/* Lower-case hex of in[0..len) into out[2 * len + 1]. */
void pz_hex(const unsigned char *in, size_t len, char *out);

#endif
