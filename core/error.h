/*
 * error.h - pz's error codes and the per-thread message of the last error.
 *
 * Functions return 0 on success or a negative PZ_E* code. The function
 * that finds a failure sets the message with pz_error_set(); callers pass
 * the code up unchanged, or add context in front with pz_error_wrap(),
 * and never format a new message from pz_error_last() themselves. cmd/
 * prints it once as "pz: <message>" (a message that reports several
 * failures at once has one line per failure, each printed with "pz: ").
 *
 * Every message is formatted into a fresh buffer before it replaces the
 * last one, so an argument may be pz_error_last() itself.
 *
 * The thread's message is only the last one: work that runs
 * interleaved (requests on an event loop) keeps each outcome in a
 * struct pz_error of its own (pz_error_save), and code that must clean
 * up after a failure, which may fail again, saves the error first and
 * restores it after (after libgit2's git_error_save/git_error_restore).
 */
#ifndef PZ_ERROR_H
#define PZ_ERROR_H

#include "common.h"

enum pz_error_code {
	PZ_OK = 0,
	PZ_ERR = -1,	   /* generic failure, message says what */
	PZ_EINVAL = -2,	   /* bad input from the user */
	PZ_ENOTFOUND = -3, /* a named thing does not exist */
	PZ_EIO = -4,	   /* reading or writing a file failed */
	PZ_EEXISTS = -5,   /* already exists */
	PZ_ELOCKED = -6,   /* held by someone else */
	PZ_ECONFLICT = -7, /* concurrent modification detected */
	PZ_EAUTH = -8,	   /* credentials missing or rejected */
	PZ_ENET = -9,	   /* transport failure */
	PZ_EAWS = -10,	   /* the service answered with an error */
	PZ_ETIMEOUT = -11, /* waited too long */
	PZ_ESPEC = -12,	   /* the spec has errors (diagnostics say which) */
	PZ_EINTR = -13,	   /* interrupted by a signal */
	PZ_EUSAGE = -14,   /* bad command line */
	PZ_ESTALE = -15,   /* a saved plan or state is out of date */
};

/* Sets the calling thread's error message and returns code, so callers
 * can write `return pz_error_set(PZ_EIO, "...")`. */
int pz_error_set(int code, const char *fmt, ...) PZ_PRINTF(2, 3);
/* Like pz_error_set with ": strerror(errno)" appended. */
int pz_error_set_errno(int code, const char *fmt, ...) PZ_PRINTF(2, 3);
/*
 * Puts context in front of the thread's message: "<fmt>: <message>",
 * and sets the code to code (0: keep the current code), except that an
 * interruption stays PZ_EINTR. Returns the code in effect. A message
 * that already starts with the same context is left as it is, so a
 * retried wrap does not stutter.
 */
int pz_error_wrap(int code, const char *fmt, ...) PZ_PRINTF(2, 3);
/* The calling thread's last message; never NULL. Borrowed: valid until
 * the thread's next pz_error_* call. */
const char *pz_error_last(void);
int pz_error_last_code(void);
void pz_error_clear(void);

/* An error kept apart from the thread's: one operation's outcome. */
struct pz_error {
	int code;      /* 0: none */
	char *message; /* owned; NULL when code is 0 */
};

/* Copies the thread's last error into *out (whose old contents are
 * released) and returns its code. */
int pz_error_save(struct pz_error *out);
/* Makes e the thread's last error (e is left as it was) and returns its
 * code; an empty e (code 0) clears the thread's error. */
int pz_error_restore(const struct pz_error *e);
/* Sets e itself, without touching the thread's error; returns code. */
int pz_error_keep(struct pz_error *e, int code, const char *fmt, ...)
    PZ_PRINTF(3, 4);
/*
 * Adds e (when it has a code) to the failures collected in all, as a
 * line of its own; all keeps the first failure's code. Returns all's
 * code. For reporting every failure of a batch, not just the first.
 */
int pz_error_append(struct pz_error *all, const struct pz_error *e);
/* Frees the message; e is left empty. */
void pz_error_release(struct pz_error *e);
/* A short name for a code: "PZ_EIO" -> "io". */
const char *pz_error_name(int code);

#endif
