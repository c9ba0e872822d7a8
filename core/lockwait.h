/*
 * lockwait.h - waiting for a state lock: the one loop every backend and
 * command uses. A backend's lock op tries once; this retries it with a
 * jittered backoff (100 ms doubling to 2 s, so waiting runs do not retry
 * in step) until the lock is ours, the timeout passes, or *interrupted
 * is set (checked at least every 100 ms).
 */
#ifndef PZ_LOCKWAIT_H
#define PZ_LOCKWAIT_H

#include <signal.h>

#include "backend.h"

struct pz_lock_wait {
	long timeout_ms;			  /* 0: one try */
	const volatile sig_atomic_t *interrupted; /* or NULL */
	/* Called once, when the wait passes a second, with the holder
	 * (when it can be read): commands say whom they wait for. May be
	 * NULL. */
	void (*waiting)(void *ud, const struct pz_lock_info *holder,
			long timeout_ms);
	void *ud;
};

/* 0 with the lock held; PZ_ELOCKED ("gave up after ..." once a timeout
 * passed), PZ_EINTR, or the backend's error. */
int pz_backend_lock_wait(struct pz_backend *b, const struct pz_lock_info *info,
			 const struct pz_lock_wait *w);

#endif
