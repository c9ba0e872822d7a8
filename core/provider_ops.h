/*
 * provider_ops.h - what cmd/ asks of the provider beyond its types'
 * descriptors (core/provider.h): reading the live service (refresh, one
 * describe, the search for unmanaged resources under the spec's names),
 * adopting resources (pz import), the data pre-flight and pz data stats,
 * and the runtime apply executes on (core/runtime.h).
 *
 * The provider registers one table (pz_personalize_register); cmd/ calls
 * through it and includes no provider header beyond registration. The
 * client is the provider's connection (cmd/client.c makes it), opaque
 * here; every function borrows it.
 */
#ifndef PZ_PROVIDER_OPS_H
#define PZ_PROVIDER_OPS_H

#include <stdint.h>

#include "diag.h"

struct cJSON;
struct pz_live;
struct pz_plan;
struct pz_promote_gates;

/* What a promotion gate decided for a campaign. */
struct pz_promote_decision {
	bool promote;	  /* move the campaign to the new version */
	double new_value; /* the metric of each version */
	double old_value;
	char *new_arn, *old_arn;
	char *message; /* one line: "ADDR kept on version …: m 0.2810 <
			* 0.2905 + 0.005" or "ADDR moves to version …: m
			* 0.3120 >= 0.2905 + 0.005" */
};
struct pz_resource;
struct pz_rtype;
struct pz_runtime;
struct pz_spec;
struct pz_state;

/* How much of the data to import is read before a plan (-data-check). */
enum pz_dc_level {
	PZ_DC_OFF,
	PZ_DC_HEADER, /* the header of every object */
	PZ_DC_SAMPLE, /* + the first rows of each, and counts until the
		       * minimums are met */
	PZ_DC_FULL,   /* every row of every object */
};

/* "off", "header", "sample", "full" -> level; -1 when none of them. */
int pz_dc_level_parse(const char *text);
const char *pz_dc_level_name(enum pz_dc_level level);

/* What pz data stats reports (collected when asked for). */
struct pz_dc_stats {
	uint64_t rows;
	uint64_t users, items; /* distinct */
	uint64_t per_user[5];  /* interactions per user: min, p50, p90,
				* p99, max */
	struct pz_dc_event {
		char *name;
		uint64_t count;
	} * events;
	size_t nevents;
	long long ts_min, ts_max; /* 0 when no TIMESTAMP */
	uint64_t objects, bytes;
};

void pz_dc_stats_release(struct pz_dc_stats *s);

struct pz_dc_run_opts {
	enum pz_dc_level level;
	long long now;
	int max_objects; /* objects read at once (0: 8) */
	/* Called from the loop about every 100 ms while reading. */
	void (*progress)(void *ud, size_t objects_done, size_t objects,
			 uint64_t bytes);
	void *progress_ud;
	/* The cache directory (data_cache_dir), or NULL for none. */
	const char *cache_dir;
};

/* The parts of a provider's ARN that pz import checks:
 * arn:PARTITION:SERVICE:REGION:ACCOUNT:TYPE/NAME[/...]. */
struct pz_arn {
	char region[64];  /* "" when the ARN has none */
	char account[64]; /* "" when the ARN has none */
	char type[64];	  /* the resource type: "solution" */
	int parts;	  /* names after it: solution/NAME/ID is 2 */
};

struct pz_provider_ops {
	/* What the service holds for every resource of the spec (live,
	 * indexed like spec->resources) and of the state that the spec
	 * no longer has (live_state, indexed like state->resources). 0, or
	 * the error (one line per resource that failed). */
	int (*refresh)(void *client, const struct pz_spec *spec,
		       const struct pz_state *state, struct pz_live *live,
		       struct pz_live *live_state);
	/* Errors in diags for resources the plan would create, or
	 * replace under a new name, whose name is taken by one pz does not
	 * manage. 0, or a transport error. */
	int (*find_unmanaged)(void *client, const struct pz_spec *spec,
			      const struct pz_plan *plan,
			      struct pz_diags *diags);
	/* One resource of type t at arn, as refresh would see it. */
	int (*describe)(void *client, const struct pz_rtype *t, const char *arn,
			struct pz_live *out);
	/* pz import: records r at arn in st (live's attributes taken),
	 * then what comes with it (a dataset's latest import, a
	 * solution's version), whose addresses go to *added. */
	void (*record)(struct pz_state *st, const struct pz_spec *spec,
		       const struct pz_resource *r, const char *arn,
		       struct pz_live *live);
	/* pz import: text as one of the provider's ARNs, to check against
	 * a type's arn_type and arn_parts (core/provider.h). 0, or
	 * PZ_EINVAL saying what an ARN of the service looks like. */
	int (*parse_arn)(const char *text, struct pz_arn *out);
	int (*adopt)(void *client, const struct pz_spec *spec,
		     const struct pz_resource *r, const char *arn,
		     const struct pz_live *live, struct pz_state *st,
		     char ***added, size_t *nadded);
	/* The data pre-flight of a plan's imports, its results cached
	 * in opts->cache_dir (never in the state: a plan writes nothing
	 * shared); data_cache_dir says where that is (malloc'd, or NULL
	 * when there is no home for it). */
	int (*data_check)(void *client, const struct pz_spec *spec,
			  const struct pz_plan *plan,
			  const struct pz_dc_run_opts *opts,
			  struct pz_diags *diags);
	char *(*data_cache_dir)(void);
	/* pz data stats of the dataset resource ds. */
	int (*data_stats)(void *client, const struct pz_spec *spec,
			  const struct pz_resource *ds,
			  const struct pz_dc_run_opts *opts,
			  struct pz_dc_stats *out, struct pz_diags *diags);
	/* The runtime on client (borrowed): fills rt; identify learns the
	 * account; release frees what runtime made. */
	void (*runtime)(struct pz_runtime *rt, void *client);
	int (*runtime_identify)(struct pz_runtime *rt);
	void (*runtime_release)(struct pz_runtime *rt);
	/* Apply's promotion gates (pz.promote): made for plan and
	 * attached to rt before the run (the runtime consults them on the
	 * updates they gate); settled into st after it (a kept campaign
	 * stays recorded on its version); their decisions in order, each
	 * with the address it concerns. */
	struct pz_promote_gates *(*gates_new)(const struct pz_plan *plan,
					      struct pz_state *st,
					      struct pz_runtime *rt);
	void (*gates_settle)(struct pz_promote_gates *g, struct pz_state *st);
	size_t (*gates_count)(const struct pz_promote_gates *g);
	const struct pz_promote_decision *(*gates_get)(
	    const struct pz_promote_gates *g, size_t i, const char **address);
	void (*gates_free)(struct pz_promote_gates *g);
	/* pz metrics: every version of a solution, oldest first (an
	 * array of summaries: solutionVersionArn, status, ...), and one
	 * version's offline metrics ({name: number}); owned by the
	 * caller. */
	int (*list_versions)(void *client, const char *solution_arn,
			     struct cJSON **out);
	int (*version_metrics)(void *client, const char *version_arn,
			       struct cJSON **out);
};

/* Registers the provider's table (static storage, not copied); once.
 * pz_provider_ops() is a bug before it. */
void pz_provider_set_ops(const struct pz_provider_ops *ops);
const struct pz_provider_ops *pz_provider_ops(void);

#endif
