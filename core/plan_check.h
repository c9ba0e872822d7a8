/*
 * plan_check.h - is a saved plan one pz could have made? (issue 17)
 *
 * A saved plan is a file anyone can edit between `pz plan -out` and
 * `pz apply`: a no-op turned into a delete, an address the spec does not
 * declare, a type that is not its address's, a change listed twice.
 * pz_plan_check_consistent() refuses such a plan before it is shown or
 * applied. Check against the spec only a plan made from it (the same
 * spec digest): a plan from an older spec is stale, not forged. It looks only
 * at the changes, never at the file's format, so the format can grow (the
 * operation graph) without touching it.
 */
#ifndef PZ_PLAN_CHECK_H
#define PZ_PLAN_CHECK_H

#include "plan.h"
#include "spec.h"

/*
 * 0 when every change and drift entry of plan has a valid address of its
 * own type, a known resource type, no address twice, and, with spec
 * non-NULL, agrees with it: a create, update, replace, wait or no-op only
 * for a resource the spec declares with that type, a delete of a declared
 * resource only in a destroy plan. Else PZ_EINVAL with a message naming
 * the change (origin: the plan file, for messages).
 */
int pz_plan_check_consistent(const struct pz_plan *plan,
			     const struct pz_spec *spec, const char *origin);

/* pz_plan_load(), then pz_plan_check_consistent(): how show and apply
 * read a saved plan. spec may be NULL (internal checks only). */
int pz_plan_load_checked(struct pz_plan **out, const char *path,
			 const struct pz_spec *spec);

#endif
