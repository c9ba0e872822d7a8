/*
 * promote.h - offline metrics of solution versions (GetSolutionMetrics,
 * ListSolutionVersions) and the promotion gate built on them
 * (pz.promote: {metric, minDelta} on a campaign, DESIGN.md §5).
 *
 * A campaign with a gate moves to a new solution version only when the
 * new version's metric is at least the current version's plus
 * minDelta. pz_promote_decide() reads both versions' metrics and says
 * which way it goes, with one line for people:
 *
 *   campaign.x kept on version 3f2a…: normalized_discounted_cumulative_
 *   gain_at_25 0.2810 < 0.2905 + 0.005
 *
 * The decision is recorded in the campaign's state (pz_promote_record)
 * so that the next plan does not try the same version again
 * (pz_promote_kept).
 */
#ifndef PZ_PERSONALIZE_PROMOTE_H
#define PZ_PERSONALIZE_PROMOTE_H

#include <cjson/cJSON.h>

#include "core/common.h"
#include "core/provider_ops.h"

struct pz_aws_client;
struct pz_aws_error;
struct pz_state_resource;

/* The metric names GetSolutionMetrics reports (for the spec's checks
 * and suggestions), n entries. */
extern const char *const pz_promote_metrics[];
extern const size_t pz_promote_nmetrics;
bool pz_promote_metric_known(const char *name);

/*
 * GetSolutionMetrics for one version: *out is its "metrics" object
 * ({name: number}), owned by the caller. err (may be NULL) receives a
 * service error (ResourceInUseException while it trains).
 */
int pz_pers_solution_metrics(struct pz_aws_client *c, const char *version_arn,
			     cJSON **out, struct pz_aws_error *err);
/*
 * ListSolutionVersions, every page: *out is an array of
 * SolutionVersionSummary objects sorted oldest first (by
 * creationDateTime, then ARN), owned by the caller.
 */
int pz_pers_list_solution_versions(struct pz_aws_client *c,
				   const char *solution_arn, cJSON **out);

/* The last part of a version's ARN ("…/solution/name/<id>"). */
const char *pz_promote_version_id(const char *version_arn);

struct pz_promote_gate {
	const char *metric;
	double min_delta;
	const char *min_delta_text; /* as the spec wrote it ("0.005"), or
				     * NULL: printed with %g */
	/* Its recipe's latest version gets new items about every two
	 * hours, a version kept in the campaign does not
	 * (personalize-rules.md §5): a "kept" decision says so. */
	bool item_updates;
};

/* The gate of a campaign's pz settings (pz.promote); false when none. */
struct pz_node;
bool pz_promote_gate_of(const struct pz_node *campaign_pz,
			struct pz_promote_gate *out);

/* struct pz_promote_decision: core/provider_ops.h */
void pz_promote_decision_release(struct pz_promote_decision *d);

/*
 * The decision from both versions' metrics objects (pure: no network).
 * address names the campaign in the message. Fails with PZ_EINVAL when
 * either object lacks the gate's metric (message says which); d is
 * then left empty.
 */
int pz_promote_compare(const char *address, const struct pz_promote_gate *g,
		       const char *old_arn, const cJSON *old_metrics,
		       const char *new_arn, const cJSON *new_metrics,
		       struct pz_promote_decision *d);

/*
 * Reads both versions' metrics (two GetSolutionMetrics in flight at
 * once) and calls done exactly once from the client's loop, with rc 0
 * and the decision (borrowed for the call), or an error code, its
 * message in msg. The campaign moves when current_arn is NULL (nothing
 * to compare with). Returns 0, or an error without calling back.
 */
typedef void (*pz_promote_done)(void *ud, int rc, const char *msg,
				const struct pz_promote_decision *d);
int pz_promote_decide_submit(struct pz_aws_client *c, const char *address,
			     const struct pz_promote_gate *g,
			     const char *current_arn, const char *new_arn,
			     pz_promote_done done, void *ud);
/* The same, waiting: d owned by the caller (release it). */
int pz_promote_decide(struct pz_aws_client *c, const char *address,
		      const struct pz_promote_gate *g, const char *current_arn,
		      const char *new_arn, struct pz_promote_decision *d);

/*
 * The state side: pz_promote_record() stores d in r's pz facts
 * ("promotion": {decision, metric, newVersion, newValue, oldVersion,
 * oldValue, message}); pz_promote_kept() says whether r's record holds
 * a decision that kept the campaign off version_arn, so the plan does
 * not try it again (a newer version is tried).
 */
void pz_promote_record(struct pz_state_resource *r,
		       const struct pz_promote_gate *g,
		       const struct pz_promote_decision *d);
bool pz_promote_kept(const struct pz_state_resource *r,
		     const char *version_arn);

/*
 * During apply: the gates of a plan's campaign updates (the campaign
 * plan hook puts each in the change's meta, "promote": {metric,
 * minDelta}), consulted by the runtime's update (runtime.c) before a
 * campaign moves to another version.
 *
 * pz_promote_gates_new() reads them from plan; st (borrowed, the state
 * the run changes) receives each decision. The runtime asks
 * pz_promote_gates_applies() and, when true, pz_promote_gates_decide(),
 * which reads both versions' metrics and calls go exactly once from
 * the loop: rc 0 with the update to make (after, or after with the
 * current version when the gate keeps it; borrowed for the call), or an
 * error with its message. pz_promote_gates_settle() puts back, after
 * the run, the version the executor recorded for a kept campaign.
 */
struct pz_plan;
struct pz_state;
struct pz_promote_gates;
struct pz_promote_gates *pz_promote_gates_new(const struct pz_plan *plan,
					      struct pz_state *st);
void pz_promote_gates_free(struct pz_promote_gates *g);
bool pz_promote_gates_applies(const struct pz_promote_gates *g,
			      const char *campaign_arn, const cJSON *before,
			      const cJSON *after);
typedef void (*pz_promote_go)(void *ud, int rc, const char *msg,
			      const cJSON *after);
int pz_promote_gates_decide(struct pz_promote_gates *g, struct pz_aws_client *c,
			    const char *campaign_arn, const cJSON *before,
			    const cJSON *after, pz_promote_go go, void *ud);
void pz_promote_gates_settle(struct pz_promote_gates *g, struct pz_state *st);
/* The decisions made so far, in order (address and decision). */
size_t pz_promote_gates_count(const struct pz_promote_gates *g);
const struct pz_promote_decision *
pz_promote_gates_get(const struct pz_promote_gates *g, size_t i,
		     const char **address);

#endif
