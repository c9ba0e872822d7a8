/*
 * error.h - pz's error codes and the per-thread message of the last error.
 *
 * Functions return 0 on success or a negative PZ_E* code. The function
 * that finds a failure sets the message with pz_error_set(); callers pass
 * the code up unchanged and do not overwrite the message. cmd/ prints it
 * once as "pz: <message>".
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
/* The calling thread's last message; never NULL. Borrowed. */
const char *pz_error_last(void);
int pz_error_last_code(void);
void pz_error_clear(void);
/* A short name for a code: "PZ_EIO" -> "io". */
const char *pz_error_name(int code);

#endif
