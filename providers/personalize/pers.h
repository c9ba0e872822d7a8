/*
 * pers.h - helpers shared by the Personalize resource descriptors.
 * Internal to providers/personalize.
 */
#ifndef PZ_PERS_H
#define PZ_PERS_H

#include "core/provider.h"
#include "core/spec.h"

struct pz_provider_ops;

/* What cmd/ calls through core/provider_ops.h (ops.c). */
extern const struct pz_provider_ops pz_personalize_ops;
extern const struct pz_rtype pz_rtype_schema;
extern const struct pz_rtype pz_rtype_dataset_group;
extern const struct pz_rtype pz_rtype_dataset;
extern const struct pz_rtype pz_rtype_dataset_import_job;
extern const struct pz_rtype pz_rtype_event_tracker;
extern const struct pz_rtype pz_rtype_metric_attribution;
extern const struct pz_rtype pz_rtype_filter;
extern const struct pz_rtype pz_rtype_solution;
extern const struct pz_rtype pz_rtype_solution_version;
extern const struct pz_rtype pz_rtype_recommender;
extern const struct pz_rtype pz_rtype_campaign;
extern const struct pz_rtype pz_rtype_batch_inference_job;
extern const struct pz_rtype pz_rtype_batch_segment_job;

/* The dataset types, in the order pz lists them. */
extern const char *const pz_pers_dataset_types[];
extern const size_t pz_pers_ndataset_types;
/* The API's name of the dataset type keyed key: CreateDataset's
 * datasetType ("Action_Interactions" for ActionInteractions); its upper
 * case ends the dataset's ARN. */
const char *pz_pers_dataset_api_type(const char *key);
/*
 * The ARN of a Personalize resource in region and account whose
 * resource part is path ("campaign/x"), in the region's partition.
 * pz_pers_dataset_path: a dataset's resource part, "dataset/<group>/<TYPE>"
 * from its group's name and its API type ("Action_Interactions").
 */
char *pz_pers_arn(const char *region, const char *account, const char *path);
char *pz_pers_dataset_path(const char *group, const char *api_type);

void pz_pers_error(struct pz_spec *spec, struct pz_pos pos, const char *fmt,
		   ...) PZ_PRINTF(3, 4);
void pz_pers_warning(struct pz_spec *spec, struct pz_pos pos, const char *fmt,
		     ...) PZ_PRINTF(3, 4);

/*
 * Makes r depend on the dataset group. The first resource that needs
 * one when the spec has none reports it (once per spec).
 */
void pz_pers_need_group(struct pz_spec *spec, struct pz_resource *r);
/* Makes r depend on every dataset and every import job. */
void pz_pers_need_data(struct pz_spec *spec, struct pz_resource *r);
/* The position of member in r's entry, else r's own position. */
struct pz_pos pz_pers_pos(const struct pz_resource *r, const char *member);
/* The position of pz.<member> in r's entry, else r's own position. */
struct pz_pos pz_pers_pz_pos(const struct pz_resource *r, const char *member);
/* The value of pz.<member> in r's entry as a string, or NULL. */
const char *pz_pers_pz_str(const struct pz_resource *r, const char *member);
/*
 * Resolves the solution a campaign or batch job uses: pz.solution, else
 * the only solution, else (campaigns) the solution whose key plus
 * "Campaign" is r's key. Reports what is wrong and returns NULL when it
 * cannot tell.
 */
struct pz_resource *pz_pers_solution_of(struct pz_spec *spec,
					struct pz_resource *r,
					bool by_campaign_name);
/* The parsed Avro schema of the dataset of the given type, or NULL. */
const struct pz_avro_schema *pz_pers_dataset_schema(const struct pz_spec *spec,
						    const char *type);
/*
 * Can a dataset of dataset_type move from the schema old_json to
 * new_json with UpdateDataset (updating-dataset-schema.html)? Only
 * Items and Users datasets, only by adding fields that accept null,
 * every old field kept with its type and attributes. When not, says
 * why in why[n]. When it can, added[n] lists the added fields.
 */
bool pz_pers_schema_in_place(const char *old_json, const char *new_json,
			     const char *dataset_type, char *why, size_t n,
			     char *added, size_t nadded);
/* The dataset group's domain ("ECOMMERCE"...), or NULL. */
const char *pz_pers_domain(const struct pz_spec *spec);

/* The recipe's name in a solution's recipeArn ("aws-sims"), or NULL. */
const char *pz_pers_recipe(const struct pz_resource *solution);
/* Whether the service trains the solution by itself: performAutoTraining,
 * which is true unless the spec says false. */
bool pz_pers_auto_training(const struct pz_resource *solution);
/*
 * The name of one run of a job that can never be deleted and whose name
 * stays taken for ever (import jobs): "pz-<group>-<middle>-<seq>", at
 * most 63 characters (the group's name is cut). Unique per dataset group
 * and per run as long as seq grows with each run.
 */
char *pz_pers_run_name(const struct pz_spec *spec, const char *middle,
		       long long seq);

/* aws-user-personalization and aws-hrnn-coldstart: the recipes whose
 * solutions may train a version with trainingMode UPDATE. */
bool pz_pers_update_mode_recipe(const char *recipe);

/* Seconds in a pz duration ("7d", "12h", "1d12h"); -1 when malformed. */
long long pz_pers_duration(const char *s);

/* What the two batch job types share (batch_job.c): their solution's
 * version (r->data is the solution), a filter, the role. */
void pz_pers_batch_link(struct pz_spec *spec, struct pz_resource *r,
			struct pz_diags *diags);
void pz_pers_batch_supply(const struct pz_spec *spec,
			  const struct pz_resource *r, cJSON *body);
/* A changed or failed job runs again under a new name (<jobName>-<run>);
 * the old one is never deleted. */
struct pz_plan_ctx;
struct pz_change;
void pz_pers_batch_plan(struct pz_plan_ctx *ctx, const struct pz_resource *r,
			struct pz_change *c);

/*
 * A type's ARN form (core/provider.h's arn_type, arn_parts, arn_path):
 * ..:SEG/NAME, made from the resource's name; or ..:SEG/A[/B], with n
 * names after SEG, not made from the name alone.
 */
#define PZ_PERS_ARN_OF_NAME(seg) \
	.arn_type = seg, .arn_parts = 1, .arn_path = seg "/"
#define PZ_PERS_ARN(seg, n) .arn_type = seg, .arn_parts = n

struct pz_arn;
/* provider_ops' parse_arn: arn:PARTITION:personalize:REGION:ACCOUNT:
 * TYPE/NAME[/...]. */
int pz_pers_parse_arn(const char *text, struct pz_arn *out);

/* Planning helpers. */
/* Sets body.member to a reference to the ARN of the resource at address
 * (a value known after apply, core/unknown.h, that the planner resolves
 * when the resource keeps its ARN, and apply otherwise). */
void pz_pers_ref(cJSON *body, const char *member, const char *address);
/* body.datasetGroupArn = the dataset group's ARN. */
void pz_pers_supply_group(const struct pz_spec *spec,
			  const struct pz_resource *r, cJSON *body);

/* The types' usage hooks (usage.c; provider.h's pz_rtype.usage). */
struct pz_usage;
void pz_pers_usage_campaign(struct pz_plan_ctx *ctx, const struct pz_change *c,
			    struct pz_usage *u);
void pz_pers_usage_recommender(struct pz_plan_ctx *ctx,
			       const struct pz_change *c, struct pz_usage *u);
void pz_pers_usage_solution(struct pz_plan_ctx *ctx, const struct pz_change *c,
			    struct pz_usage *u);
void pz_pers_usage_solution_version(struct pz_plan_ctx *ctx,
				    const struct pz_change *c,
				    struct pz_usage *u);
void pz_pers_usage_import(struct pz_plan_ctx *ctx, const struct pz_change *c,
			  struct pz_usage *u);
/* Batch inference and batch segment jobs: the size of their input (the
 * refresh lists it for this hook alone). */
void pz_pers_usage_batch(struct pz_plan_ctx *ctx, const struct pz_change *c,
			 struct pz_usage *u);

#endif
