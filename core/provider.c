/*
 * provider.c - the registry of resource types.
 */
#include "provider.h"

#include <string.h>

#define MAX_TYPES 64

static const struct pz_rtype *types[MAX_TYPES];
static size_t ntypes;

void pz_provider_register(const struct pz_rtype *t)
{
	if (pz_rtype_find(t->name)) {
		/* Registering the same table again is harmless (tests). */
		if (pz_rtype_find(t->name) == t)
			return;
		PZ_BUG("resource type '%s' registered twice", t->name);
	}
	if (ntypes >= MAX_TYPES)
		PZ_BUG("too many resource types");
	types[ntypes++] = t;
}

const struct pz_rtype *pz_rtype_find(const char *name)
{
	size_t i;

	for (i = 0; i < ntypes; i++)
		if (strcmp(types[i]->name, name) == 0)
			return types[i];
	return NULL;
}

size_t pz_rtype_count(void)
{
	return ntypes;
}

const struct pz_rtype *pz_rtype_at(size_t i)
{
	return i < ntypes ? types[i] : NULL;
}
