/*
 * plan.h - what apply would change, and why (DESIGN.md §5, §7).
 *
 * The planner compares three things: the spec (what should exist), the
 * state (what pz made and recorded) and, after a refresh, the live
 * service (what exists now). Per resource it decides: create, update in
 * place (only members an Update operation can change), replace (naming
 * the members that force it), delete (in the state, not in the spec) or
 * nothing. Drift (live differs from the state) is reported separately.
 *
 * Imports and trainings are change-driven: an import runs when the
 * objects under the data location differ from those of the last import;
 * a solution version trains when data was imported since the last one,
 * when the solution's configuration changed, or when the active version
 * is older than maxAge. Each such change says which trigger fired.
 *
 * Values known only after apply (an ARN of a resource being created)
 * are unknown values (unknown.h) referring to the address they come
 * from; the renderers print them as "(known after apply)".
 */
#ifndef PZ_PLAN_H
#define PZ_PLAN_H

#include <cjson/cJSON.h>

#include "diag.h"
#include "spec.h"
#include "state.h"
#include "unknown.h"

enum pz_action {
	PZ_ACTION_NOOP,
	PZ_ACTION_CREATE,
	PZ_ACTION_UPDATE,
	PZ_ACTION_REPLACE, /* delete, then create */
	PZ_ACTION_DELETE,
	PZ_ACTION_WAIT, /* cannot be planned yet (training without data) */
};

/* What refresh learned about one resource. */
struct pz_live {
	bool refreshed; /* false: not read (-refresh=false, or no ARN) */
	bool exists;
	char *arn;
	char *status;
	char *failure_reason;
	cJSON *attrs; /* members of the create request, as the service
		       * reports them now */
	/* Import jobs: the objects under the data location. */
	bool data_listed;
	char *data_digest; /* sha256 over sorted "key etag size" lines */
	size_t data_objects;
	cJSON *data_list; /* [{"key", "etag", "size"}] in key order */
	/* Batch jobs: their input is listed too, for the plan's usage only;
	 * a listing that failed is this message, never the plan's error. */
	char *data_error;
	/* Solution versions: the newest version the service has. */
	char *created; /* RFC 3339, when known */
};

struct pz_change {
	char *address;
	char *type;
	enum pz_action action;
	const char *reason;   /* Terraform's action_reason, or NULL */
	char *trigger;	      /* change-driven: which trigger fired */
	char *note;	      /* one line for people ("waits for data") */
	char *condition;      /* a gate apply checks (promotion) */
	cJSON *before;	      /* current attributes (NULL when creating) */
	cJSON *after;	      /* desired attributes (NULL when deleting) */
	char **replace_paths; /* members that force replacement */
	size_t nreplace;
	char **update_paths; /* members that change in place */
	size_t nupdate;
	char **deps; /* addresses it depends on (for state) */
	size_t ndeps;
	bool prevent_destroy; /* lifecycle.preventDestroy was set */
	bool create_first;    /* replace by creating the new one before
			       * deleting the old (schemas) */
	bool implicit;	      /* deleted with its parent or a record only */
	/* WAIT for a creation an earlier apply started and recorded (it
	 * was interrupted): apply waits for it to finish (an await
	 * operation), and what depends on it is planned as if it were. */
	bool awaits;
	/* The state holds a record of it with no ARN, status "CREATE
	 * REQUESTED": an apply asked the service for it (a type whose ARN
	 * is known only from the answer) and was stopped before the
	 * answer. A resource of its name that exists may be that one: the
	 * create adopts it if it is (runtime), so the plan does not call
	 * it someone else's. */
	bool requested;
	/* UPDATE again after the service failed the last update: apply
	 * sends every member, even when none differs from the state's
	 * (the service kept its old settings, or reports the ones it
	 * failed to apply). */
	bool retry;
	/* Replaced or deleted only because this other resource is (the
	 * service refuses to delete that one while this one exists):
	 * Terraform's replace_triggered_by, action_reason
	 * "replace_by_triggers". */
	char *cause;
	bool cause_deleted; /* the cause is destroyed, not replaced */
	char *arn;	    /* the current ARN, when there is one */
	cJSON *meta;	    /* pz's facts to record in the state when the
			     * change is applied (data digest, trigger) */
};

/*
 * The plan as apply executes it: a graph of operations. A change gives
 * one operation (create, update, delete, or forget: a record dropped
 * with no API call) or, when it is replaced, two: delete then create,
 * or create then delete for types replaced create-first. Each
 * operation may start once every operation in `after` is done.
 * plan->ops is in an order that executes as listed: every index in
 * `after` is smaller than the operation's own.
 */
enum pz_op_kind {
	PZ_OP_CREATE,
	PZ_OP_UPDATE,
	PZ_OP_DELETE,
	PZ_OP_FORGET,
	PZ_OP_AWAIT, /* no call: wait for what an earlier run started */
};

struct pz_op {
	size_t change; /* index in plan->changes */
	enum pz_op_kind kind;
	size_t *after; /* indices in plan->ops */
	size_t nafter;
};

const char *pz_op_kind_name(enum pz_op_kind k);

struct pz_drift {
	char *address;
	char *type;
	bool deleted;  /* gone from the service */
	cJSON *before; /* as recorded */
	cJSON *after;  /* as it is now (NULL when deleted) */
};

/*
 * What git says about a plan (issue 15, core/gitops.h): the commit its
 * spec is from and, with pz plan -git-base, the review of a change: the
 * spec files it touches and the resources whose declaration it adds,
 * removes or changes.
 */
struct pz_plan_git_file {
	char *path;	    /* as the head has it */
	char *old_path;	    /* as the base has it, when renamed */
	const char *status; /* "added", "deleted", "modified", "renamed" */
	bool spec;	    /* the plan's own spec file */
};

struct pz_plan_git_resource {
	char *address;
	const char *change; /* "added", "removed", "changed" */
	char **members;	    /* the members that differ (changed) */
	size_t nmembers;
};

struct pz_plan_git {
	char head[41];		   /* the commit the spec is from */
	char base[41];		   /* -git-base's commit, or "" */
	bool dirty;		   /* the spec is the work tree's, which has
				    * uncommitted changes to tracked files */
	char *head_ref, *base_ref; /* as given on the command line */
	char *spec_path;	   /* the spec, relative to the work tree */
	struct pz_plan_git_file *files;
	size_t nfiles;
	struct pz_plan_git_resource *resources;
	size_t nresources;
	char *note; /* why the review lists no resources, or NULL */
};

struct pz_plan {
	struct pz_change *changes; /* apply order: creates and updates in
				    * dependency order, then deletes in
				    * reverse dependency order */
	size_t n, cap;
	struct pz_drift *drift;
	size_t ndrift, drift_cap;
	size_t nadd, nchange, ndestroy, nwait;
	bool refreshed;
	uint64_t state_serial;
	char state_lineage[37];
	char spec_digest[65];
	char *spec_path;
	bool destroy; /* a plan to destroy everything */
	char **notes; /* plan-wide notes */
	size_t nnotes;
	struct pz_op *ops; /* the operation graph, in executable order */
	size_t nops;
	struct pz_plan_git *git; /* NULL: not made in a git work tree */
	/* What it bills (core/usage.h), from the types' usage hooks;
	 * NULL when not asked for (-usage=false). Renderers end with it. */
	struct pz_usage *usage;
};

struct pz_plan_opts {
	bool destroy;		    /* plan to delete everything in the state */
	const char *const *targets; /* -target addresses (NULL: all) */
	size_t ntargets;
	bool refreshed; /* live holds refreshed data */
	long long now;	/* seconds since the epoch (tests fix it) */
	bool no_usage;	/* leave plan->usage NULL (-usage=false) */
};

/*
 * Makes the plan. live is indexed like spec->resources; live_state
 * holds what refresh learned of resources that are in the state but no
 * longer in the spec (indexed like state->resources); either may be
 * NULL. Problems that make the plan unusable (preventDestroy, unknown
 * -target) go to diags and the function returns PZ_ESPEC; *out is set
 * in both cases.
 */
int pz_plan_make(struct pz_plan **out, const struct pz_spec *spec,
		 const struct pz_state *state, const struct pz_live *live,
		 const struct pz_live *live_state,
		 const struct pz_plan_opts *opts, struct pz_diags *diags);
void pz_plan_free(struct pz_plan *plan);
void pz_live_release(struct pz_live *l);

/*
 * The operation graph (plan_graph.c). pz_plan_cascade replaces what
 * cannot survive another resource's deletion or replacement (each
 * with its cause); pz_plan_build_ops then makes plan->ops and orders
 * plan->changes as the operations run. Both report into diags (a
 * cascade that -target leaves out, a cycle) and return PZ_ESPEC then.
 */
int pz_plan_cascade(struct pz_plan *plan, const struct pz_state *state,
		    const struct pz_spec *spec, struct pz_diags *diags);
int pz_plan_build_ops(struct pz_plan *plan, const struct pz_state *state,
		      struct pz_diags *diags, const char *spec_path);
/*
 * The addresses a destroy of targets takes with it: the targets, what
 * depends on them in the state (at any depth) and what the service
 * refuses to delete them before (their types' delete blockers). Sets
 * want[i] for state->resources[i].
 */
void pz_plan_destroy_closure(const struct pz_state *state,
			     const char *const *targets, size_t ntargets,
			     bool *want);
/* Errors for types the plan leaves more of than their per-group
 * quota allows (pz_rtype.group_quota). */
int pz_plan_check_quotas(const struct pz_plan *plan, const struct pz_spec *spec,
			 struct pz_diags *diags);
/* Checks a loaded graph: indices in range, each op after only earlier
 * ops, each change's ops as its action needs. */
int pz_plan_check_ops(const struct pz_plan *plan);

/* Sets the add/change/destroy/wait counts from the changes. */
void pz_plan_count(struct pz_plan *plan);
/* True when the plan changes anything (for -detailed-exitcode). */
bool pz_plan_has_changes(const struct pz_plan *plan);
const char *pz_action_name(enum pz_action a);

/* sha256 (hex) of the interpolated spec tree (canonical: comments,
 * layout and key order do not count; values from -var and ${env:} do)
 * and the -var values: a saved plan is stale when it changes. */
int pz_spec_digest(const struct pz_spec *spec, const struct pz_spec_var *vars,
		   size_t nvars, char out[65]);

/*
 * Records in st what applying c did: for a delete, the record goes; else
 * the record holds arn, status, c->after with every value known only
 * after apply replaced by the ARN resolve(ud, address) gives (the ARN
 * apply got for that resource), the dependencies and c->meta, whose
 * null members named *_at become now (seconds since the epoch): when a
 * training or an import ran. When a value does not resolve (resolve
 * NULL: none does), the state is left as it was and the error,
 * PZ_EINVAL, names the address, the member and what it refers to.
 */
int pz_plan_record(struct pz_state *st, const struct pz_change *c,
		   const char *arn, const char *status,
		   pz_unknown_resolve_fn resolve, void *ud, long long now);

/* For the types' plan hooks (providers). Borrowed, may be NULL. */
struct pz_plan_ctx;
const struct pz_change *pz_plan_ctx_change(const struct pz_plan_ctx *ctx,
					   const char *address);
const struct pz_state_resource *pz_plan_ctx_state(const struct pz_plan_ctx *ctx,
						  const char *address);
const struct pz_live *pz_plan_ctx_live(const struct pz_plan_ctx *ctx,
				       const struct pz_resource *r);
const struct pz_spec *pz_plan_ctx_spec(const struct pz_plan_ctx *ctx);
long long pz_plan_ctx_now(const struct pz_plan_ctx *ctx);
bool pz_plan_ctx_refreshed(const struct pz_plan_ctx *ctx);
/* What the planner decides for a resource that is not change-driven:
 * create when it does not exist, wait while refresh sees it being
 * created or updated, replace when tainted or its creation failed, else
 * the diff (an update that failed is planned again). For hooks that
 * refine the decision. */
void pz_plan_decide(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		    struct pz_change *c);
/* Refresh saw it PENDING, IN_PROGRESS or STOPPING (creating, updating,
 * deleting): what it will be is not known yet. */
bool pz_live_in_progress(const struct pz_live *lv);
/* In progress, and a creation this pz recorded (an interrupted apply):
 * apply can wait for it. */
bool pz_plan_awaitable(const struct pz_plan_ctx *ctx,
		       const struct pz_resource *r, const struct pz_live *lv);
/* Compares c->after with c->before as a diff does, filling the update
 * and replace paths and the action (NOOP, UPDATE or REPLACE). */
void pz_plan_diff(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		  struct pz_change *c);

/* Renderers (plan_render.c). */
struct pz_render_opts {
	bool color;
	bool omit_notes;  /* text: leave the notes out (markdown adds them) */
	size_t max_bytes; /* markdown: the limit (default 65536) */
	/* markdown: what the hidden first-line marker names (the
	 * workspace or the spec path; NULL: plan->spec_path), and where
	 * the full plan is when the comment must be shortened (the saved
	 * plan, a CI artifact; NULL: none named). */
	const char *marker;
	const char *artifact;
	bool omit_usage; /* text: leave the usage out (markdown adds it) */
};
int pz_plan_render_text(const struct pz_plan *plan, struct pz_buf *out,
			const struct pz_render_opts *o) PZ_MUST_USE;
/* Terraform's plan JSON (format_version 1.2 field set). */
int pz_plan_render_json(const struct pz_plan *plan,
			struct pz_buf *out) PZ_MUST_USE;
int pz_plan_render_markdown(const struct pz_plan *plan, struct pz_buf *out,
			    const struct pz_render_opts *o) PZ_MUST_USE;

/* Saved plans (plan_file.c): the plan with the state serial and lineage
 * and the spec digest it was made against. */
int pz_plan_save(const struct pz_plan *plan, const char *path);
/* The saved form's bytes (what pz_plan_save writes), appended to out. */
int pz_plan_serialize(const struct pz_plan *plan,
		      struct pz_buf *out) PZ_MUST_USE;
/* sha256 (hex) of the saved form: the plan's digest, shown in the
 * markdown for review and by apply, so the plan applied can be matched
 * to the one reviewed. */
int pz_plan_digest(const struct pz_plan *plan, char out[65]);
int pz_plan_load(struct pz_plan **out, const char *path);
/*
 * Is a saved plan still what apply would do? Refused with PZ_ESTALE and
 * a message saying what moved when the spec (its digest with the -var
 * values) or the state (serial or lineage) is not what the plan was
 * made against. state may be NULL (never written).
 */
int pz_plan_check_fresh(const struct pz_plan *plan, const char *spec_digest,
			const struct pz_state *state);

#endif
