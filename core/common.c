/*
 * common.c - allocation wrappers, PZ_BUG, small string helpers.
 */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "escape.h"

void pz_bug_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pz: BUG at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static PZ_NORETURN void oom(size_t n)
{
	fprintf(stderr, "pz: out of memory (allocating %zu bytes)\n", n);
	abort();
}

void *pz_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *pz_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(nmemb * size);
	return p;
}

void *pz_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return q;
}

void *pz_xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	return pz_xrealloc(p, nmemb * size);
}

uint64_t pz_hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

char *pz_xstrdup(const char *s)
{
	return pz_xstrndup(s, strlen(s));
}

char *pz_xstrndup(const char *s, size_t n)
{
	char *p = pz_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pz_xvasprintf(const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char *p;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		PZ_BUG("bad format '%s'", fmt);
	p = pz_xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *pz_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = pz_xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void pz_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

void pz_free_secret(void *p, size_t n)
{
	if (!p)
		return;
	pz_wipe(p, n);
	free(p);
}

bool pz_str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool pz_str_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

size_t pz_str_distance(const char *a, const char *b, size_t max)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t *row, best, d;

	if ((la > lb ? la - lb : lb - la) > max)
		return max + 1;
	row = pz_xcalloc(lb + 1, sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;

			d = diag + cost;
			if (up + 1 < d)
				d = up + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			row[j] = d;
			diag = up;
			if (d < best)
				best = d;
		}
		if (best > max) {
			free(row);
			return max + 1;
		}
	}
	d = row[lb];
	free(row);
	return d > max ? max + 1 : d;
}

const char *pz_str_suggest(const char *word, const char *const *candidates,
			   size_t n)
{
	size_t len = strlen(word), i, best = SIZE_MAX;
	size_t max = len < 4 ? 1 : len < 8 ? 2 : 3;
	const char *pick = NULL;

	for (i = 0; i < n; i++) {
		size_t d;

		if (!candidates[i])
			continue;
		if (strcasecmp(word, candidates[i]) == 0)
			return candidates[i];
		d = pz_str_distance(word, candidates[i], max);
		if (d <= max && d < best) {
			best = d;
			pick = candidates[i];
		}
	}
	return pick;
}

bool pz_double_to_i64(double d, int64_t min, int64_t max, int64_t *out)
{
	/* The comparisons are false for NaN; the bounds are exact as
	 * doubles, so the cast below is of a value in range. */
	if (!(d >= (double)min && d <= (double)max))
		return false;
	if ((double)(int64_t)d != d)
		return false;
	*out = (int64_t)d;
	return true;
}

long long pz_now(void)
{
	static bool said;
	const char *v = getenv("PZ_NOW");
	char *end;
	long long t;

	if (!v || !*v)
		return (long long)time(NULL);
	errno = 0;
	t = strtoll(v, &end, 10);
	if (!errno && !*end && *v >= '0' && *v <= '9' && t > 0 &&
	    t <= PZ_MAX_SAFE_INT)
		return t;
	if (!said) {
		said = true;
		fprintf(stderr,
			"pz: ignoring PZ_NOW='%s' (use a whole number of "
			"seconds since the epoch, e.g. PZ_NOW=1800000000)\n",
			pz_esc(v));
	}
	return (long long)time(NULL);
}

char *pz_path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return pz_xstrdup(".");
	if (slash == path)
		return pz_xstrdup("/");
	return pz_xstrndup(path, (size_t)(slash - path));
}

void pz_heap_push(size_t *h, size_t *n, size_t v)
{
	size_t i = (*n)++;

	while (i && h[(i - 1) / 2] > v) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = v;
}

size_t pz_heap_pop(size_t *h, size_t *n)
{
	size_t top = h[0], v = h[--*n], i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (v <= h[c])
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = v;
	return top;
}

double pz_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int pz_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}
