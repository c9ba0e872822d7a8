/*
 * error.c - per-thread last error message.
 */
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define PZ_ERROR_MAX 1024

static _Thread_local char last_msg[PZ_ERROR_MAX];
static _Thread_local int last_code;

static void set_va(int code, const char *fmt, va_list ap, const char *suffix)
    PZ_PRINTF(2, 0);

static void set_va(int code, const char *fmt, va_list ap, const char *suffix)
{
	int n = vsnprintf(last_msg, sizeof(last_msg), fmt, ap);

	if (n < 0)
		last_msg[0] = '\0';
	else if (suffix && (size_t)n < sizeof(last_msg))
		snprintf(last_msg + n, sizeof(last_msg) - (size_t)n, ": %s",
			 suffix);
	last_code = code;
}

int pz_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_va(code, fmt, ap, NULL);
	va_end(ap);
	return code;
}

int pz_error_set_errno(int code, const char *fmt, ...)
{
	int saved = errno;
	char ebuf[256];
	const char *s;
	va_list ap;

	s = strerror_r(saved, ebuf, sizeof(ebuf)) == 0 ? ebuf : "unknown error";
	va_start(ap, fmt);
	set_va(code, fmt, ap, s);
	va_end(ap);
	errno = saved;
	return code;
}

const char *pz_error_last(void)
{
	return last_msg[0] ? last_msg : "unknown error";
}

int pz_error_last_code(void)
{
	return last_code;
}

void pz_error_clear(void)
{
	last_msg[0] = '\0';
	last_code = 0;
}

const char *pz_error_name(int code)
{
	switch (code) {
	case PZ_OK: return "ok";
	case PZ_ERR: return "error";
	case PZ_EINVAL: return "invalid";
	case PZ_ENOTFOUND: return "not-found";
	case PZ_EIO: return "io";
	case PZ_EEXISTS: return "exists";
	case PZ_ELOCKED: return "locked";
	case PZ_ECONFLICT: return "conflict";
	case PZ_EAUTH: return "auth";
	case PZ_ENET: return "network";
	case PZ_EAWS: return "aws";
	case PZ_ETIMEOUT: return "timeout";
	case PZ_ESPEC: return "spec";
	case PZ_EINTR: return "interrupted";
	case PZ_EUSAGE: return "usage";
	case PZ_ESTALE: return "stale";
	}
	return "unknown";
}
