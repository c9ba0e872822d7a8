/*
 * random.c - random numbers for names and for jitter (random.h).
 */
#include "random.h"

#include <errno.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

int pz_random_bytes(void *buf, size_t n)
{
	unsigned char *b = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t k = getrandom(b + got, n - got, 0);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return pz_error_set_errno(PZ_EIO,
						  "unable to get random bytes");
		}
		got += (size_t)k;
	}
	return 0;
}

uint64_t pz_random_u64(void)
{
	static uint64_t state;
	uint64_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	/* No entropy yet (early boot): xorshift64* seeded from the clock
	 * and the process ID is enough for names and jitter. */
	if (!state) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		state = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
			((uint64_t)getpid() << 40) ^ 0x9e3779b97f4a7c15ULL;
	}
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 2685821657736338717ULL;
}

double pz_random_unit(void)
{
	return (double)(pz_random_u64() >> 11) / 9007199254740992.0; /* 2^53 */
}

long pz_jitter(long d)
{
	if (d <= 1)
		return d;
	return d / 2 + (long)(pz_random_u64() % (uint64_t)(d / 2 + 1));
}
