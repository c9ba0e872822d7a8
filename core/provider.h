/*
 * provider.h - the one interface between core/ and providers/.
 *
 * A provider describes each resource type it manages with a struct
 * pz_rtype (designated initialisers, one file per type, after tmux's
 * command entries) and registers it here. core/ finds types by name and
 * calls their hooks; it never includes a provider's headers.
 */
#ifndef PZ_PROVIDER_H
#define PZ_PROVIDER_H

#include "common.h"
#include "diag.h"

#include <cjson/cJSON.h>

struct pz_spec;
struct pz_resource;
struct pz_plan_ctx;
struct pz_change;
struct pz_usage;

/*
 * What must be gone before a resource of a type can be deleted: the
 * service refuses the delete (ResourceInUseException) while any such
 * resource exists (aws/personalize-rules.md §2, §4). These are facts of
 * the type, declared once in its descriptor; the planner orders deletes
 * after them and replaces what would have to survive them.
 */
enum pz_block_scope {
	PZ_BLOCK_GROUP,	     /* any resource of that type in the group */
	PZ_BLOCK_DEPENDENT,  /* only those depending on it, at any depth */
	PZ_BLOCK_REFERENCES, /* only those naming it themselves (a direct
			      * dependency, in the spec or the state) */
};

struct pz_delete_blocker {
	const char *type; /* "campaign"; NULL ends a list */
	enum pz_block_scope scope;
	/* The rule holds only for the resource with this key (the event
	 * tracker blocks the Interactions dataset alone); NULL: all. */
	const char *only_key;
};

/* How a resource that cannot be updated is replaced. */
enum pz_replace_strategy {
	/* Names are unique: the old one goes first, then the new one is
	 * created; what cannot survive the gap is replaced with it. */
	PZ_REPLACE_DELETE_FIRST,
	/* The new one is created first under a name of its own, its
	 * dependents move to it, then the old one goes (schemas). */
	PZ_REPLACE_CREATE_FIRST,
};

struct pz_rtype {
	const char *name;	  /* address prefix: "campaign" */
	const char *label;	  /* for messages: "campaign" */
	const char *section;	  /* the spec section declaring it, or NULL when
				   * it is derived from another resource */
	const char *create_op;	  /* e.g. "CreateCampaign": its facts */
	const char *describe_op;  /* "DescribeCampaign" */
	const char *delete_op;	  /* "DeleteCampaign", or NULL */
	const char *arn_member;	  /* "campaignArn": names it in requests */
	const char *response_key; /* "campaign": Describe's answer holds it */
	/* Its ARN's resource part is this prefix and its name
	 * ("campaign/"), or NULL when the ARN is not made from the name. */
	const char *arn_path;
	/* Its ARN's resource type, the segment before the first "/" of the
	 * resource part ("solution" in arn:aws:personalize:us-east-1:
	 * 123456789012:solution/NAME), and how many names follow it
	 * (solution/NAME/ID, a solution version's, is 2). pz import takes
	 * only an ARN of this form; NULL: the type is not imported. */
	const char *arn_type;
	int arn_parts;
	/* Where the type sits in the dependency order when nothing else
	 * decides (lower first); keeps output stable and readable. */
	int order;
	/*
	 * Called once for each declared resource of the type after the
	 * generic checks: adds the resources it implies (a dataset's
	 * schema and import job) with pz_spec_add_derived().
	 */
	void (*expand)(struct pz_spec *spec, struct pz_resource *r,
		       struct pz_diags *diags);
	/*
	 * Called for every resource, declared or derived, once all exist:
	 * records dependencies with pz_spec_add_dep().
	 */
	void (*link)(struct pz_spec *spec, struct pz_resource *r,
		     struct pz_diags *diags);
	/*
	 * Type-specific checks once every resource exists (references to
	 * other resources, Avro schemas, filter expressions). Reports into
	 * diags; must not stop at the first problem.
	 */
	void (*check)(struct pz_spec *spec, struct pz_resource *r,
		      struct pz_diags *diags);

	/*
	 * Warnings about what a declared resource will bill that the user
	 * may not expect (a service default that trains weekly), with
	 * the provider's warning helper; called once per load.
	 */
	void (*cost_advice)(struct pz_spec *spec, struct pz_resource *r);

	/*
	 * What a change bills (core/usage.h), in the service's billing
	 * units: the resource's monthly usage before the plan
	 * (PZ_USAGE_BEFORE, from c->before, when it exists now) and
	 * after (PZ_USAGE_MONTHLY, from c->after, unless deleted), what
	 * applying it runs once (PZ_USAGE_ONCE), and idle-cost hints.
	 * Called for every change once the plan is made; must not fail:
	 * a missing fact is said in the basis. NULL: bills nothing.
	 */
	void (*usage)(struct pz_plan_ctx *ctx, const struct pz_change *c,
		      struct pz_usage *u);

	/* --- planning (plan.h) --- */
	/*
	 * Adds to body (the entry as its create request, typed by the
	 * facts) what pz supplies: references to other resources' ARNs as
	 * cJSON Raw items holding their address, derived values. For
	 * derived types, body starts empty and the hook builds it all.
	 */
	void (*supply)(const struct pz_spec *spec, const struct pz_resource *r,
		       cJSON *body);
	/*
	 * Change-driven types (import jobs, solution versions) decide here,
	 * instead of by diff, whether a new one is due: set c->action
	 * (CREATE, NOOP or WAIT) and c->trigger or c->note.
	 */
	void (*plan)(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		     struct pz_change *c);
	/* Never deleted by an API call of its own: gone with its parent
	 * (solution versions) or a record only (import jobs). */
	bool implicit_delete;
	/* The container every other resource of a spec belongs to (the
	 * dataset group): one per spec. */
	bool is_group;
	/* How no-delete is said in a plan ("deleted with its solution");
	 * NULL: "only the record is removed". */
	const char *implicit_note;
	/* --- the operation graph (plan_graph.c) --- */
	enum pz_replace_strategy replace;
	/* What deleting or replacing one loses or breaks outside pz, said
	 * plainly in the plan ("its imported data"); NULL: nothing. */
	const char *loss_note;
	const struct pz_delete_blocker *delete_blockers; /* or NULL */
	/* How long apply waits for one to settle after a create, update
	 * or delete before it gives up (it goes on in AWS); 0: an hour. */
	long wait_timeout_s;
	/* At most this many per dataset group (limits.html; 0: no limit
	 * pz knows). A plan exceeding it is an error when the quota is
	 * fixed, a warning when an account may have it raised; creates of
	 * the type wait for its deletes, so a replacement fits. */
	int group_quota;
	bool quota_adjustable;
	/* Its creates also count against a quota that frees by itself
	 * (a recommender against the region's trainings): a
	 * LimitExceededException is queued and tried again even though
	 * the type has a group_quota, which frees only by a delete. */
	bool quota_frees;
	/* What apply's live line calls one being created ("training");
	 * NULL: "creating". */
	const char *creating;
	/* PZ_BUSY_*: ResourceInUseException on its create or its delete
	 * means that something outside the plan runs on it or on its
	 * parent (an automatic training, an import started elsewhere):
	 * apply waits and tries again, as for a full quota, up to
	 * wait_timeout_s. Otherwise it means the plan is wrong, and fails. */
	unsigned busy_waits;
};

enum {
	PZ_BUSY_CREATE = 1 << 0,
	PZ_BUSY_DELETE = 1 << 1,
};

/* Registers t (static storage, not copied). Registering a name twice is
 * a bug. Not thread-safe: providers register before any work starts. */
void pz_provider_register(const struct pz_rtype *t);
const struct pz_rtype *pz_rtype_find(const char *name);
size_t pz_rtype_count(void);
const struct pz_rtype *pz_rtype_at(size_t i);

#endif
