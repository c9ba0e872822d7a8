/*
 * log.h - levelled logging to stderr.
 *
 * The level comes from PZ_LOG (error, warn, info, debug, trace; default
 * warn) and can be set by cmd/ with pz_log_set_level(). PZ_TRACE is a
 * comma-separated list of trace topics ("http", ...). Log lines are
 * written whole in one call, so lines from several threads do not mix.
 * Nothing secret may be passed here: callers redact first.
 */
#ifndef PZ_LOG_H
#define PZ_LOG_H

#include "common.h"

enum pz_log_level {
	PZ_LOG_ERROR = 0,
	PZ_LOG_WARN,
	PZ_LOG_INFO,
	PZ_LOG_DEBUG,
	PZ_LOG_TRACE,
};

/* Reads PZ_LOG and PZ_TRACE; an unknown level is reported once and
 * ignored. Safe to call more than once. */
void pz_log_init(void);
void pz_log_set_level(enum pz_log_level level);
enum pz_log_level pz_log_level(void);
bool pz_log_enabled(enum pz_log_level level);
/* True when PZ_TRACE names topic. */
bool pz_trace_enabled(const char *topic);

void pz_log_at(enum pz_log_level level, const char *fmt, ...) PZ_PRINTF(2, 3);

#define PZ_LOG(level, ...)                             \
	do {                                           \
		if (pz_log_enabled(level))             \
			pz_log_at(level, __VA_ARGS__); \
	} while (0)
#define PZ_DEBUG(...) PZ_LOG(PZ_LOG_DEBUG, __VA_ARGS__)
#define PZ_INFO(...)  PZ_LOG(PZ_LOG_INFO, __VA_ARGS__)
#define PZ_WARN(...)  PZ_LOG(PZ_LOG_WARN, __VA_ARGS__)

#endif
