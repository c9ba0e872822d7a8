/*
 * duration.c - parsing and printing durations (duration.h).
 */
#include "duration.h"

#include <stdio.h>
#include <string.h>

#include "common.h"
#include "error.h"

static const struct {
	const char *unit;
	long long ms;
} units[] = {
    {"ms", 1},	      {"s", 1000},	 {"m", 60000},
    {"h", 3600000LL}, {"d", 86400000LL}, {"w", 604800000LL},
};

int pz_duration_parse(const char *text, long long max_ms, long long *ms)
{
	const char *p = text;
	double total = 0;

	if (!text || !*text)
		return pz_error_set(PZ_EINVAL,
				    "an empty string is not a duration");
	if (!strcmp(text, "0")) {
		*ms = 0;
		return 0;
	}
	while (*p) {
		double n = 0, scale = 1, best = -1;
		size_t i, len = 0, digits = 0;

		for (; *p >= '0' && *p <= '9'; p++, digits++)
			n = n * 10 + (*p - '0');
		if (*p == '.' && digits)
			for (p++; *p >= '0' && *p <= '9'; p++)
				n += (*p - '0') * (scale /= 10);
		if (!digits)
			return pz_error_set(PZ_EINVAL, "'%s' is not a duration",
					    text);
		for (i = 0; i < PZ_ARRAY_LEN(units); i++) {
			size_t ul = strlen(units[i].unit);

			/* The longest unit that matches: "ms" before "m". */
			if (!strncmp(p, units[i].unit, ul) && ul > len) {
				len = ul;
				best = (double)units[i].ms;
			}
		}
		if (best < 0)
			return pz_error_set(PZ_EINVAL,
					    "'%s' is not a duration (units: "
					    "ms, s, m, h, d, w)",
					    text);
		total += n * best;
		p += len;
	}
	if (total > (double)max_ms) {
		char limit[32];

		pz_duration_format(max_ms, limit, sizeof(limit));
		return pz_error_set(PZ_EINVAL,
				    "'%s' is too long: the limit is %s", text,
				    limit);
	}
	*ms = (long long)(total + 0.5);
	return 0;
}

void pz_duration_format(long long ms, char *out, unsigned long n)
{
	size_t i;

	for (i = PZ_ARRAY_LEN(units); i-- > 1;)
		if (ms >= units[i].ms && ms % units[i].ms == 0) {
			snprintf(out, n, "%lld%s", ms / units[i].ms,
				 units[i].unit);
			return;
		}
	snprintf(out, n, "%lldms", ms);
}
