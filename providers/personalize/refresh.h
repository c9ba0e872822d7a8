/*
 * refresh.h - reading what exists in Amazon Personalize now, for the
 * planner (core/plan.h's struct pz_live), and finding resources that
 * exist under a spec's names but not in the state.
 *
 * Every read is submitted at once on the client's event loop, so a
 * refresh of hundreds of resources costs about one round trip per
 * connection (docs/aws-client.md).
 */
#ifndef PZ_PERSONALIZE_REFRESH_H
#define PZ_PERSONALIZE_REFRESH_H

#include "core/plan.h"

struct pz_aws_client;

/*
 * Fills live[i] for spec->resources[i] and live_state[j] for the state's
 * resources that the spec no longer declares: one Describe per resource
 * that has an ARN in the state (a "not found" answer means it is gone:
 * exists false), and for import jobs a listing of the objects under
 * their data location. Both arrays must be zeroed by the caller. Returns
 * 0, or the first error that is not "not found" (the message says which
 * resource); live entries not read stay refreshed = false.
 */
int pz_personalize_refresh(struct pz_aws_client *c, const struct pz_spec *spec,
			   const struct pz_state *state, struct pz_live *live,
			   struct pz_live *live_state);

/* One Describe of the resource of type t at arn, projected into *out
 * (zeroed by the caller): for pz import. */
int pz_personalize_describe(struct pz_aws_client *c, const struct pz_rtype *t,
			    const char *arn, struct pz_live *out);

/* Records r in st as pz import does: its ARN, status, the attributes of
 * live (taken from it) and r's dependencies in the spec. */
void pz_personalize_record(struct pz_state *st, const struct pz_spec *spec,
			   const struct pz_resource *r, const char *arn,
			   struct pz_live *live);

/*
 * After pz import recorded r (at arn; live is what Describe said), what
 * makes adopting a running stack cost nothing: an import job holds the
 * data under its location now (its listing is recorded); a solution
 * version was trained on what the service holds; and, unless the state
 * has them, a dataset's newest ACTIVE import job, a solution's newest
 * ACTIVE version and the version a campaign serves are recorded as the
 * resources pz derives for them. Appends their addresses to *added.
 */
int pz_personalize_adopt(struct pz_aws_client *c, const struct pz_spec *spec,
			 const struct pz_resource *r, const char *arn,
			 const struct pz_live *live, struct pz_state *st,
			 char ***added, size_t *nadded);

/* Projects a Describe answer onto the type's create-request members. */
void pz_personalize_project(const struct pz_rtype *t, const cJSON *answer,
			    struct pz_live *out);

/*
 * For each resource the plan would create under a name of its own,
 * looks for one that already exists with that name (made outside pz, or
 * by an apply whose state was lost) and reports an error for each, with
 * the `pz import` command that adopts it. pz never adopts silently. A
 * replacement under a new name (a renamed filter, a schema's create-
 * first name) is checked the same way: an error names the resource in
 * the way, since the old one's deletion would leave it uncreatable.
 * Returns 0 (errors go to diags) or a transport error.
 */
int pz_personalize_find_unmanaged(struct pz_aws_client *c,
				  const struct pz_spec *spec,
				  const struct pz_plan *plan,
				  struct pz_diags *diags);

#endif
