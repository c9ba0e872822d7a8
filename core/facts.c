/*
 * facts.c - lookups over the generated facts tables.
 */
#include "facts.h"

#include <string.h>

const struct pz_shape *pz_facts_shape(int index)
{
	if (index < 0 || (size_t)index >= pz_nshapes)
		PZ_BUG("shape index %d out of range", index);
	return &pz_shapes[index];
}

const struct pz_shape *pz_facts_shape_named(const char *name)
{
	size_t lo = 0, hi = pz_nshapes;

	/* The generator sorts shapes by name. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, pz_shapes[mid].name);

		if (c == 0)
			return &pz_shapes[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct pz_section *pz_facts_section(const char *key)
{
	size_t i;

	for (i = 0; i < pz_nsections; i++)
		if (strcmp(pz_sections[i].key, key) == 0)
			return &pz_sections[i];
	return NULL;
}

const struct pz_operation *pz_facts_operation(const char *name)
{
	size_t i;

	for (i = 0; i < pz_noperations; i++)
		if (strcmp(pz_operations[i].name, name) == 0)
			return &pz_operations[i];
	return NULL;
}

const struct pz_member *pz_facts_member(const struct pz_shape *s,
					const char *name)
{
	size_t i;

	for (i = 0; i < s->nmembers; i++)
		if (strcmp(s->members[i].name, name) == 0)
			return &s->members[i];
	return NULL;
}

bool pz_facts_updatable(const struct pz_operation *op, const char *path)
{
	size_t i;

	if (!op)
		return false;
	/* Tags change in place through TagResource/UntagResource. */
	if (strcmp(path, "tags") == 0 || pz_str_has_prefix(path, "tags."))
		return true;
	for (i = 0; i < op->nupdatable; i++) {
		const char *u = op->updatable[i];
		size_t n = strlen(u);

		/* The path itself or anything beneath an updatable member. */
		if (strncmp(path, u, n) == 0 &&
		    (path[n] == '\0' || path[n] == '.'))
			return true;
	}
	return false;
}

bool pz_facts_nocase(const struct pz_operation *op, const char *path)
{
	size_t i, k;

	if (!op)
		return false;
	for (i = 0; i < pz_nsections; i++) {
		const struct pz_section *s = &pz_sections[i];

		if (!s->create_op || strcmp(s->create_op, op->name) != 0)
			continue;
		for (k = 0; k < s->nnocase; k++)
			if (strcmp(s->nocase[k], path) == 0)
				return true;
	}
	return false;
}
