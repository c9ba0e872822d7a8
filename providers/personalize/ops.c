/*
 * ops.c - Personalize's table of operations for cmd/
 * (core/provider_ops.h), on the AWS client: registered with its types
 * by pz_personalize_register().
 */
#include "core/provider_ops.h"
#include "datacheck.h"
#include "pers.h"
#include "promote.h"
#include "providers/aws/client.h"
#include "refresh.h"
#include "runtime.h"

static int refresh(void *client, const struct pz_spec *spec,
		   const struct pz_state *state, struct pz_live *live,
		   struct pz_live *live_state)
{
	return pz_personalize_refresh(client, spec, state, live, live_state);
}

static int find_unmanaged(void *client, const struct pz_spec *spec,
			  const struct pz_plan *plan, struct pz_diags *diags)
{
	return pz_personalize_find_unmanaged(client, spec, plan, diags);
}

static int describe(void *client, const struct pz_rtype *t, const char *arn,
		    struct pz_live *out)
{
	return pz_personalize_describe(client, t, arn, out);
}

static int adopt(void *client, const struct pz_spec *spec,
		 const struct pz_resource *r, const char *arn,
		 const struct pz_live *live, struct pz_state *st, char ***added,
		 size_t *nadded)
{
	return pz_personalize_adopt(client, spec, r, arn, live, st, added,
				    nadded);
}

static int data_check(void *client, const struct pz_spec *spec,
		      const struct pz_plan *plan,
		      const struct pz_dc_run_opts *opts, struct pz_diags *diags)
{
	return pz_personalize_data_check(client, spec, plan, opts, diags);
}

static int data_stats(void *client, const struct pz_spec *spec,
		      const struct pz_resource *ds,
		      const struct pz_dc_run_opts *opts,
		      struct pz_dc_stats *out, struct pz_diags *diags)
{
	return pz_personalize_data_stats(client, spec, ds, opts, out, diags);
}

static void runtime(struct pz_runtime *rt, void *client)
{
	pz_personalize_runtime(rt, client);
}

static struct pz_promote_gates *gates_new(const struct pz_plan *plan,
					  struct pz_state *st,
					  struct pz_runtime *rt)
{
	struct pz_promote_gates *g = pz_promote_gates_new(plan, st);

	pz_personalize_runtime_set_gates(rt, g);
	return g;
}

static int list_versions(void *client, const char *solution_arn, cJSON **out)
{
	return pz_pers_list_solution_versions(client, solution_arn, out);
}

static int version_metrics(void *client, const char *version_arn, cJSON **out)
{
	return pz_pers_solution_metrics(client, version_arn, out, NULL);
}

const struct pz_provider_ops pz_personalize_ops = {
    .refresh = refresh,
    .find_unmanaged = find_unmanaged,
    .describe = describe,
    .record = pz_personalize_record,
    .parse_arn = pz_pers_parse_arn,
    .adopt = adopt,
    .data_check = data_check,
    .data_cache_dir = pz_dc_cache_dir,
    .data_stats = data_stats,
    .runtime = runtime,
    .runtime_identify = pz_personalize_runtime_identify,
    .runtime_release = pz_personalize_runtime_release,
    .gates_new = gates_new,
    .gates_settle = pz_promote_gates_settle,
    .gates_count = pz_promote_gates_count,
    .gates_get = pz_promote_gates_get,
    .gates_free = pz_promote_gates_free,
    .list_versions = list_versions,
    .version_metrics = version_metrics,
};
