/*
 * common.h - what every pz source file includes first.
 *
 * Allocation never fails from the caller's point of view: the pz_x*
 * wrappers abort on out-of-memory (STYLE.md: "Out-of-memory aborts"), so
 * callers never test for NULL. Invariant violations abort through PZ_BUG
 * with the location, they are never reported as user errors.
 */
#ifndef PZ_COMMON_H
#define PZ_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define PZ_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define PZ_NORETURN	     __attribute__((noreturn))
#define PZ_UNUSED	     __attribute__((unused))
#define PZ_MUST_USE	     __attribute__((warn_unused_result))
/* An error path: kept out of line, so a hot caller stays small. */
#define PZ_COLD __attribute__((noinline, cold))
/* A small hot helper, inlined even where the compiler would not. */
#define PZ_INLINE inline __attribute__((always_inline))
#else
#define PZ_PRINTF(fmt, args)
#define PZ_NORETURN
#define PZ_UNUSED
#define PZ_MUST_USE
#define PZ_COLD
#define PZ_INLINE inline
#endif

#define PZ_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

PZ_NORETURN void pz_bug_at(const char *file, int line, const char *fmt, ...)
    PZ_PRINTF(3, 4);
/* PZ_BUG("...") aborts: the caller found a state that cannot happen. */
#define PZ_BUG(...) pz_bug_at(__FILE__, __LINE__, __VA_ARGS__)
#define PZ_ASSERT(cond)                                        \
	do {                                                   \
		if (!(cond))                                   \
			PZ_BUG("assertion failed: %s", #cond); \
	} while (0)

void *pz_xmalloc(size_t n);
void *pz_xcalloc(size_t nmemb, size_t size);
void *pz_xrealloc(void *p, size_t n);
/* Grows an array of nmemb elements of size bytes to hold at least want. */
void *pz_xreallocarray(void *p, size_t nmemb, size_t size);
char *pz_xstrdup(const char *s);
char *pz_xstrndup(const char *s, size_t n);
/* The directory part of path ("." when it has none, "/" for the root's
 * files); allocated. */
char *pz_path_dir(const char *path);
char *pz_xasprintf(const char *fmt, ...) PZ_PRINTF(1, 2);
char *pz_xvasprintf(const char *fmt, va_list ap) PZ_PRINTF(1, 0);

/* Overwrites n bytes at p in a way the compiler cannot elide, then frees. */
void pz_free_secret(void *p, size_t n);
void pz_wipe(void *p, size_t n);

/* Grows *items (capacity *cap) to hold at least need elements of size. */
#define PZ_GROW(items, count, cap)                                    \
	do {                                                          \
		if ((count) >= (cap)) {                               \
			(cap) = (cap) ? (cap)*2 : 8;                  \
			(items) = pz_xreallocarray((items), (cap),    \
						   sizeof(*(items))); \
		}                                                     \
	} while (0)

/* FNV-1a of n bytes at p: for hash tables, not for security. */
uint64_t pz_hash_bytes(const void *p, size_t n);

bool pz_str_has_prefix(const char *s, const char *prefix);
bool pz_str_has_suffix(const char *s, const char *suffix);
/* Case-sensitive Levenshtein distance, capped at max + 1 for speed. */
size_t pz_str_distance(const char *a, const char *b, size_t max);
/*
 * The candidate closest to word within a distance that scales with its
 * length, or NULL: "did you mean" suggestions.
 */
const char *pz_str_suggest(const char *word, const char *const *candidates,
			   size_t n);

/*
 * A number read from a file or the network as an integer: true and *out
 * set when d is a whole number in [min, max] (bounds within +-2^53);
 * false for fractions, NaN, infinities and what is out of range, whose
 * plain cast would be undefined behaviour.
 */
#define PZ_MAX_SAFE_INT 9007199254740991LL /* 2^53 - 1 */
bool pz_double_to_i64(double d, int64_t min, int64_t max, int64_t *out);

/*
 * The wall clock in seconds since the epoch, as the plan's time-driven
 * decisions (pz.retrain.maxAge) and apply's records (trained_at) read
 * it. PZ_NOW=SECONDS, a test hook, stands in for the clock, so a test
 * makes a version "older than maxAge" without waiting; a PZ_NOW that
 * is not a whole number of seconds from 1 to 2^53 - 1 is said on
 * stderr (once) and ignored.
 */
long long pz_now(void);

/* Seconds on the monotonic clock, for measuring how long things take. */
double pz_mono(void);

/* qsort and bsearch comparator of strings (elements are char *). */
int pz_strcmp_p(const void *a, const void *b);

#include "banned.h"

/* A min-heap of indices in h[0..*n): push v; pop the smallest (*n > 0).
 * The caller sizes h. */
void pz_heap_push(size_t *h, size_t *n, size_t v);
size_t pz_heap_pop(size_t *h, size_t *n);

#endif
