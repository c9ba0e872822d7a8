/*
 * random.h - random numbers for names and for jitter (not for keys).
 */
#ifndef PZ_RANDOM_H
#define PZ_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Fills buf from getrandom(2). 0, or PZ_EIO with the error set. */
int pz_random_bytes(void *buf, size_t n);
/* A random 64-bit number (getrandom, else a per-process generator). */
uint64_t pz_random_u64(void);
/* A random number in [0, 1). */
double pz_random_unit(void);
/* A delay between half of d and d (ms), so waiters do not act in
 * step. */
long pz_jitter(long d);

#endif
