/*
 * provider_ops.c - the provider's table of operations for cmd/, and the
 * provider-agnostic parts of the data check's interface.
 */
#include "provider_ops.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

static const struct pz_provider_ops *registered;

void pz_provider_set_ops(const struct pz_provider_ops *ops)
{
	if (registered && registered != ops)
		PZ_BUG("two providers registered their operations");
	registered = ops;
}

const struct pz_provider_ops *pz_provider_ops(void)
{
	if (!registered)
		PZ_BUG("no provider registered its operations");
	return registered;
}

int pz_dc_level_parse(const char *text)
{
	static const char *const names[] = {"off", "header", "sample", "full"};
	size_t i;

	for (i = 0; i < PZ_ARRAY_LEN(names); i++)
		if (!strcmp(text, names[i]))
			return (int)i;
	return -1;
}

const char *pz_dc_level_name(enum pz_dc_level level)
{
	switch (level) {
	case PZ_DC_OFF: return "off";
	case PZ_DC_HEADER: return "header";
	case PZ_DC_SAMPLE: return "sample";
	case PZ_DC_FULL: return "full";
	}
	return "?";
}

void pz_dc_stats_release(struct pz_dc_stats *s)
{
	size_t i;

	for (i = 0; i < s->nevents; i++)
		free(s->events[i].name);
	free(s->events);
	memset(s, 0, sizeof(*s));
}
