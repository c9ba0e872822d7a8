/*
 * cancel.h - the run's cancellation flag: an interrupt asks every wait
 * to stop.
 *
 * cmd/ installs the SIGINT/SIGTERM handlers; they call
 * pz_cancel_request(), which sets a flag and writes a byte to a pipe,
 * both async-signal-safe. Code that waits checks pz_cancelled() (or
 * pz_cancel_check()) at its safe points and leaves by its error path
 * with PZ_EINTR; an event loop also watches pz_cancel_fd(), which turns
 * readable at the request, so a wait in poll(2) ends at once, even when
 * the signal landed on another thread (libcurl's resolver). A scheduler
 * stops its operations, and their retries, as soon as it sees the flag.
 *
 * The flag is never cleared in a run: after an interrupt, everything
 * that could wait stops. What must finish anyway (releasing the state
 * lock) does so without asking.
 */
#ifndef PZ_CANCEL_H
#define PZ_CANCEL_H

#include "common.h"

/* Creates the wake-up pipe (idempotent). 0, or PZ_EIO. Call before
 * installing the handlers. */
int pz_cancel_init(void);
/* Requests cancellation; why is the signal number (> 0). Only the first
 * request's why is kept. Async-signal-safe. */
void pz_cancel_request(int why);
/* 0, or the why of the first request. */
int pz_cancelled(void);
/* 0, or PZ_EINTR with "interrupted by SIGINT" once cancelled. */
int pz_cancel_check(void);
/* A descriptor that is readable once cancelled (never drained while the
 * flag is set), for poll(2); -1 before pz_cancel_init. */
int pz_cancel_fd(void);
/* Clears the flag and drains the pipe: for tests only. */
void pz_cancel_reset(void);

#endif
