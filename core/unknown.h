/*
 * unknown.h - values known only after apply ("(known after apply)").
 *
 * When a plan creates or replaces a resource, what refers to it (a
 * dataset's datasetGroupArn, a campaign's solutionVersionArn) cannot
 * hold its ARN yet. It holds an unknown value instead: a reference to
 * that ARN, the resource's address, optionally followed by "/" and text
 * apply appends to the ARN ("solution.ups/$LATEST").
 *
 * An unknown value is a cJSON item of its own kind: base type
 * cJSON_Invalid, which no parser produces, so nothing read from a spec,
 * a state file or AWS is ever taken for one, plus the PZ_JSON_UNKNOWN
 * bit, with the reference in valuestring. cJSON_Duplicate and
 * cJSON_Delete handle it like any item. It is never written as JSON:
 * cJSON's printers fail on it and pz_json_write refuses it with an
 * error naming the reference. Renderings show it as PZ_UNKNOWN_TEXT
 * (text, markdown) or in Terraform's after_unknown (JSON plan); the
 * saved plan writes it as {"$unknown": REF} (plan_file.c).
 *
 * Apply replaces each one by the ARN it resolves to
 * (pz_unknown_resolved); one that does not resolve is an error naming
 * the member and the reference, never a null.
 *
 * This module is the only place that makes, recognises or reads one.
 */
#ifndef PZ_UNKNOWN_H
#define PZ_UNKNOWN_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "common.h"

#define PZ_JSON_UNKNOWN (1 << 21)
#define PZ_UNKNOWN_TEXT "(known after apply)"

/* A new unknown value referring to ref (copied): an address, or an
 * address, "/" and a tail appended to its ARN. */
cJSON *pz_unknown_new(const char *ref);
/* True when v is an unknown value (not: holds one). */
bool pz_unknown_is(const cJSON *v);
/* v's reference, borrowed from v; NULL when v is not unknown. */
const char *pz_unknown_ref(const cJSON *v);
/* True when v or anything in it is unknown. */
bool pz_unknown_any(const cJSON *v);

/*
 * What a reference resolves to: the ARN of the resource at address, or
 * NULL while it is not known. Borrowed.
 */
typedef const char *(*pz_unknown_resolve_fn)(void *ud, const char *address);

/*
 * Replaces, in place, each unknown value in v whose address resolve()
 * knows by the string ARN + tail; the others stay unknown. Returns how
 * many stay (0: v is fully known). For the planner, which knows some
 * ARNs already (resources the plan keeps).
 */
size_t pz_unknown_resolve_known(cJSON *v, pz_unknown_resolve_fn resolve,
				void *ud);

/*
 * A copy of v (NULL for NULL) with every unknown value replaced by the
 * ARN resolve() gives for it. When one does not resolve, *out is NULL
 * and the error, PZ_EINVAL, names the member and the reference:
 * "solutionVersionArn is known only after apply and does not resolve:
 * pz has no ARN for solution_version.ups". resolve may be NULL (nothing
 * resolves).
 */
int pz_unknown_resolved(cJSON **out, const cJSON *v,
			pz_unknown_resolve_fn resolve, void *ud) PZ_MUST_USE;

#endif
