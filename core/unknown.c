/*
 * unknown.c - values known only after apply (see unknown.h).
 */
#include "unknown.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

cJSON *pz_unknown_new(const char *ref)
{
	cJSON *v = cJSON_CreateNull();

	v->type = cJSON_Invalid | PZ_JSON_UNKNOWN;
	v->valuestring = pz_xstrdup(ref);
	return v;
}

bool pz_unknown_is(const cJSON *v)
{
	return v && (v->type & 0xFF) == cJSON_Invalid &&
	       (v->type & PZ_JSON_UNKNOWN) && v->valuestring;
}

const char *pz_unknown_ref(const cJSON *v)
{
	return pz_unknown_is(v) ? v->valuestring : NULL;
}

bool pz_unknown_any(const cJSON *v)
{
	const cJSON *c;

	if (pz_unknown_is(v))
		return true;
	for (c = v ? v->child : NULL; c; c = c->next)
		if (pz_unknown_any(c))
			return true;
	return false;
}

/* The ARN + tail v resolves to (a new string), or NULL. A reference is
 * an address, optionally followed by "/" and text to append. */
static char *arn_of(const cJSON *v, pz_unknown_resolve_fn resolve, void *ud)
{
	const char *ref = v->valuestring, *slash = strchr(ref, '/');
	const char *tail = slash ? slash : ref + strlen(ref);
	char *addr = pz_xstrndup(ref, (size_t)(tail - ref));
	const char *arn = resolve ? resolve(ud, addr) : NULL;

	free(addr);
	return arn ? pz_xasprintf("%s%s", arn, tail) : NULL;
}

/* Turns the unknown v into the string s (taken). */
static void settle(cJSON *v, char *s)
{
	free(v->valuestring);
	v->valuestring = s;
	v->type = cJSON_String;
}

size_t pz_unknown_resolve_known(cJSON *v, pz_unknown_resolve_fn resolve,
				void *ud)
{
	cJSON *c;
	size_t left = 0;
	char *s;

	if (pz_unknown_is(v)) {
		if (!(s = arn_of(v, resolve, ud)))
			return 1;
		settle(v, s);
		return 0;
	}
	for (c = v ? v->child : NULL; c; c = c->next)
		left += pz_unknown_resolve_known(c, resolve, ud);
	return left;
}

/* The member path ("a.b[2]", "" for v itself) of the first unknown in v,
 * a new string, with the unknown in *u; NULL when v holds none. */
static char *first_unknown(const cJSON *v, const cJSON **u)
{
	const cJSON *c;
	const char *dot;
	char *sub, *path;
	int i = 0;

	if (pz_unknown_is(v)) {
		*u = v;
		return pz_xstrdup("");
	}
	for (c = v ? v->child : NULL; c; c = c->next, i++) {
		if (!(sub = first_unknown(c, u)))
			continue;
		dot = *sub && *sub != '[' ? "." : "";
		if (cJSON_IsArray(v))
			path = pz_xasprintf("[%d]%s%s", i, dot, sub);
		else
			path = pz_xasprintf(
			    "%s%s%s", c->string ? c->string : "", dot, sub);
		free(sub);
		return path;
	}
	return NULL;
}

int pz_unknown_resolved(cJSON **out, const cJSON *v,
			pz_unknown_resolve_fn resolve, void *ud)
{
	cJSON *copy;
	const cJSON *u = NULL;
	char *path;
	int r;

	*out = NULL;
	if (!v)
		return 0;
	copy = cJSON_Duplicate(v, 1);
	if (!pz_unknown_resolve_known(copy, resolve, ud)) {
		*out = copy;
		return 0;
	}
	/* What resolved is a string now: the first one left is one that
	 * did not. */
	if (!(path = first_unknown(copy, &u)))
		PZ_BUG("an unknown value went away");
	r = pz_error_set(PZ_EINVAL,
			 "%s needs the ARN of %s, which is known only after "
			 "apply and no record holds it yet; make a new plan",
			 *path ? path : "the value", u->valuestring);
	free(path);
	cJSON_Delete(copy);
	return r;
}
