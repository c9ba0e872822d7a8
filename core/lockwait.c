/*
 * lockwait.c - the lock-wait loop (lockwait.h).
 */
#include "lockwait.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "duration.h"
#include "error.h"
#include "random.h"

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

static int check(const struct pz_lock_wait *w)
{
	if (w->interrupted && *w->interrupted)
		return pz_error_set(PZ_EINTR, "interrupted while waiting for "
					      "the state lock");
	return 0;
}

/* Sleeps ms in steps of at most 100 ms, watching *interrupted. */
static int nap(const struct pz_lock_wait *w, long ms)
{
	int r;

	while (ms > 0) {
		long step = ms > 100 ? 100 : ms;
		struct timespec ts = {0, step * 1000000L};

		if ((r = check(w)))
			return r;
		nanosleep(&ts, NULL); /* EINTR: the flag says why */
		ms -= step;
	}
	return check(w);
}

int pz_backend_lock_wait(struct pz_backend *b, const struct pz_lock_info *info,
			 const struct pz_lock_wait *w)
{
	struct timespec start;
	long delay = 100;
	bool told = false;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		long waited, d;

		if ((r = check(w)))
			return r;
		r = b->ops->lock(b, info);
		if (r != PZ_ELOCKED)
			return r;
		waited = ms_since(&start);
		if (waited >= w->timeout_ms) {
			if (w->timeout_ms > 0) {
				char t[32];

				pz_duration_format(w->timeout_ms, t, sizeof(t));
				r = pz_error_wrap(PZ_ELOCKED,
						  "gave up after %s", t);
			}
			return r;
		}
		d = pz_jitter(delay);
		if (d > w->timeout_ms - waited)
			d = w->timeout_ms - waited;
		if (!told && waited + d >= 1000 && w->waiting) {
			struct pz_lock_info holder;
			bool held = false;

			told = true;
			if (!b->ops->lock_info(b, &holder, &held) && held)
				w->waiting(w->ud, &holder, w->timeout_ms);
			pz_error_clear();
		}
		if ((r = nap(w, d)))
			return r;
		delay = delay * 2 > 2000 ? 2000 : delay * 2;
	}
}
