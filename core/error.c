/*
 * error.c - the per-thread last error, and errors kept apart from it.
 *
 * The message lives on the heap: a report of several failures (one line
 * each) is not cut short. Each new message is formatted into a fresh
 * allocation and only then replaces the old one, which is what makes
 * pz_error_last() safe as an argument.
 */
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char *last_msg;
static _Thread_local int last_code;

/* Takes msg (malloc'd) as the thread's message. */
static int take(int code, char *msg)
{
	free(last_msg);
	last_msg = msg;
	last_code = code;
	return code;
}

int pz_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = pz_xvasprintf(fmt, ap);
	va_end(ap);
	return take(code, msg);
}

int pz_error_set_errno(int code, const char *fmt, ...)
{
	int saved = errno;
	char ebuf[256];
	const char *s;
	char *head, *msg;
	va_list ap;

	s = strerror_r(saved, ebuf, sizeof(ebuf)) == 0 ? ebuf : "unknown error";
	va_start(ap, fmt);
	head = pz_xvasprintf(fmt, ap);
	va_end(ap);
	msg = pz_xasprintf("%s: %s", head, s);
	free(head);
	take(code, msg);
	errno = saved;
	return code;
}

int pz_error_wrap(int code, const char *fmt, ...)
{
	const char *cur = pz_error_last();
	va_list ap;
	char *ctx, *msg;
	size_t n;

	va_start(ap, fmt);
	ctx = pz_xvasprintf(fmt, ap);
	va_end(ap);
	if (!code || last_code == PZ_EINTR)
		code = last_code ? last_code : PZ_ERR;
	n = strlen(ctx);
	if (!strncmp(cur, ctx, n) && cur[n] == ':') {
		free(ctx);
		last_code = code;
		return code;
	}
	msg = pz_xasprintf("%s: %s", ctx, cur);
	free(ctx);
	return take(code, msg);
}

const char *pz_error_last(void)
{
	return last_msg && last_msg[0] ? last_msg : "unknown error";
}

int pz_error_last_code(void)
{
	return last_code;
}

void pz_error_clear(void)
{
	free(last_msg);
	last_msg = NULL;
	last_code = 0;
}

int pz_error_save(struct pz_error *out)
{
	pz_error_release(out);
	out->code = last_code ? last_code : (last_msg ? PZ_ERR : 0);
	out->message = out->code ? pz_xstrdup(pz_error_last()) : NULL;
	return out->code;
}

int pz_error_restore(const struct pz_error *e)
{
	if (!e->code) {
		pz_error_clear();
		return 0;
	}
	return take(e->code,
		    pz_xstrdup(e->message ? e->message : "unknown error"));
}

int pz_error_keep(struct pz_error *e, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = pz_xvasprintf(fmt, ap);
	va_end(ap);
	pz_error_release(e);
	e->code = code;
	e->message = msg;
	return code;
}

int pz_error_append(struct pz_error *all, const struct pz_error *e)
{
	const char *m;
	char *joined;

	if (!e->code)
		return all->code;
	m = e->message ? e->message : "unknown error";
	if (!all->code) {
		free(all->message);
		all->code = e->code;
		all->message = pz_xstrdup(m);
		return all->code;
	}
	joined = pz_xasprintf("%s\n%s", all->message, m);
	free(all->message);
	all->message = joined;
	return all->code;
}

void pz_error_release(struct pz_error *e)
{
	free(e->message);
	e->message = NULL;
	e->code = 0;
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
