/*
 * log.c - levelled logging to stderr.
 */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "escape.h"

static enum pz_log_level current = PZ_LOG_WARN;
static char trace_topics[256];

static const char *const level_names[] = {"error", "warn", "info", "debug",
					  "trace"};

/* The topics pz traces (pz_trace_enabled callers), and "all". */
static const char *const trace_names[] = {"http", "all"};

/* A PZ_TRACE topic pz does not know is said, as a PZ_LOG level is: a
 * typo would otherwise trace nothing, silently. */
static void warn_trace_topics(const char *t)
{
	while (t && *t) {
		size_t n = strcspn(t, ","), i;

		for (i = 0; n && i < PZ_ARRAY_LEN(trace_names); i++)
			if (strlen(trace_names[i]) == n &&
			    !strncmp(t, trace_names[i], n))
				break;
		if (n && i == PZ_ARRAY_LEN(trace_names)) {
			char *name = pz_xstrndup(t, n);

			fprintf(stderr,
				"pz: ignoring PZ_TRACE topic '%s' (use http "
				"or all)\n",
				pz_esc(name));
			free(name);
		}
		t += n + (t[n] == ',');
	}
}

void pz_log_init(void)
{
	const char *v = getenv("PZ_LOG");
	const char *t = getenv("PZ_TRACE");
	size_t i;

	if (v && *v) {
		for (i = 0; i < PZ_ARRAY_LEN(level_names); i++) {
			if (strcasecmp(v, level_names[i]) == 0) {
				current = (enum pz_log_level)i;
				break;
			}
		}
		if (i == PZ_ARRAY_LEN(level_names))
			fprintf(stderr,
				"pz: ignoring PZ_LOG='%s' (use error, warn, "
				"info, debug or trace)\n",
				pz_esc(v));
	}
	if (t)
		snprintf(trace_topics, sizeof(trace_topics), ",%s,", t);
	else
		trace_topics[0] = '\0';
	warn_trace_topics(t);
}

void pz_log_set_level(enum pz_log_level level)
{
	current = level;
}

enum pz_log_level pz_log_level(void)
{
	return current;
}

bool pz_log_enabled(enum pz_log_level level)
{
	return level <= current;
}

bool pz_trace_enabled(const char *topic)
{
	char pat[64];

	if (!trace_topics[0])
		return false;
	if (strstr(trace_topics, ",all,"))
		return true;
	snprintf(pat, sizeof(pat), ",%s,", topic);
	return strstr(trace_topics, pat) != NULL;
}

void pz_log_at(enum pz_log_level level, const char *fmt, ...)
{
	char stamp[64], msg[4096];
	struct pz_buf line;
	struct timespec ts;
	struct tm tm;
	size_t n, off = 0;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + n, sizeof(stamp) - n, ".%03ldZ [%s] ",
		 ts.tv_nsec / 1000000L,
		 level_names[level < PZ_ARRAY_LEN(level_names) ? level : 0]);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* What is logged quotes responses and files: escaped, so a log
	 * line is one line and cannot drive a terminal. */
	pz_buf_init(&line, 0);
	if (pz_buf_adds(&line, stamp) ||
	    pz_buf_add_escaped(&line, msg, strlen(msg)) ||
	    pz_buf_addc(&line, '\n')) {
		pz_buf_release(&line);
		return;
	}
	n = line.len;
	/* One write(2), so concurrent threads never interleave a line;
	 * more only when a signal cut it short or interrupted it. */
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, line.ptr + off, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* nowhere left to report it */
		off += (size_t)w;
		n -= (size_t)w;
	}
	pz_buf_release(&line);
}
