/*
 * plan_check.c - the consistency of a saved plan (plan_check.h).
 */
#include "plan_check.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "provider.h"
#include "state.h"

static int bad(const char *origin, const char *address, const char *what)
{
	return pz_error_set(PZ_EINVAL,
			    "'%s' is not a plan pz made: %s %s; make a new "
			    "plan with pz plan -out",
			    origin, address, what);
}

/* The address and type of one entry: its own, and a known type. */
static int check_entry(const char *origin, const char *address,
		       const char *type)
{
	char *why;
	int r;

	if (!pz_rtype_find(type))
		return bad(origin, address, "has an unknown resource type");
	if (pz_state_check_address(address, type)) {
		why = pz_xstrdup(pz_error_last());
		r = pz_error_set(PZ_EINVAL,
				 "'%s' is not a plan pz made: %s (type %s); "
				 "make a new plan with pz plan -out",
				 origin, why, type);
		free(why);
		return r;
	}
	return 0;
}

static int check_against_spec(const char *origin, const struct pz_plan *plan,
			      const struct pz_change *c,
			      const struct pz_spec *spec)
{
	const struct pz_resource *res = pz_spec_find(spec, c->address);

	if (c->action == PZ_ACTION_DELETE) {
		if (res && !plan->destroy)
			return bad(origin, c->address,
				   "is deleted although the spec declares it");
		return 0;
	}
	if (!res)
		return bad(origin, c->address,
			   "is not declared in the spec, yet the plan "
			   "creates or changes it");
	if (strcmp(res->type->name, c->type))
		return bad(origin, c->address, "has another type in the spec");
	return 0;
}

int pz_plan_check_consistent(const struct pz_plan *plan,
			     const struct pz_spec *spec, const char *origin)
{
	const char **addrs;
	size_t i;
	int r = 0;

	addrs = pz_xcalloc(plan->n + 1, sizeof(*addrs));
	for (i = 0; i < plan->n && !r; i++) {
		const struct pz_change *c = &plan->changes[i];
		size_t k;

		r = check_entry(origin, c->address, c->type);
		for (k = 0; k < c->ndeps && !r; k++)
			if (pz_state_check_address(c->deps[k], NULL)) {
				pz_error_clear();
				r = bad(origin, c->address,
					"depends on something that is not "
					"an address");
			}
		if (!r && spec)
			r = check_against_spec(origin, plan, c, spec);
		addrs[i] = c->address;
	}
	for (i = 0; i < plan->ndrift && !r; i++)
		r = check_entry(origin, plan->drift[i].address,
				plan->drift[i].type);
	if (!r) {
		qsort(addrs, plan->n, sizeof(*addrs), pz_strcmp_p);
		for (i = 1; i < plan->n && !r; i++)
			if (!strcmp(addrs[i - 1], addrs[i]))
				r = bad(origin, addrs[i], "is changed twice");
	}
	free(addrs);
	return r;
}

int pz_plan_load_checked(struct pz_plan **out, const char *path,
			 const struct pz_spec *spec)
{
	struct pz_plan *plan = NULL;
	int r;

	*out = NULL;
	if ((r = pz_plan_load(&plan, path)))
		return r;
	if ((r = pz_plan_check_consistent(plan, spec, path))) {
		pz_plan_free(plan);
		return r;
	}
	*out = plan;
	return 0;
}
