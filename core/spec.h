/*
 * spec.h - the spec: pz's settings and the typed resources it declares.
 *
 * pz_spec_load() reads a YAML or JSON file, interpolates ${env:NAME} and
 * ${var:NAME}, checks it against the facts (facts.h) and the resource
 * types' own rules (provider.h), derives the resources the spec implies
 * (a dataset's schema and import job, a solution's version) and the
 * dependency graph. Every problem is collected in one pass as a
 * diagnostic. Resources are addressed "<type>.<key>" (DESIGN.md §5).
 */
#ifndef PZ_SPEC_H
#define PZ_SPEC_H

#include "arena.h"
#include "diag.h"
#include "facts.h"
#include "node.h"
#include "provider.h"

struct pz_spec_var {
	const char *name;
	const char *value;
};

enum pz_backend_kind {
	PZ_BACKEND_LOCAL,
	PZ_BACKEND_S3,
};

struct pz_settings {
	const char *region; /* NULL: from the environment */
	const char *profile;
	const char *data_location;
	const char *role_arn;
	const char *sns_topic_arn;
	const char *webhook_url;
	const char *prices; /* pz.prices: a prices file (usage.h) */
	enum pz_backend_kind backend;
	const char *state_path; /* local backend */
	const char *s3_bucket, *s3_key, *s3_region, *s3_kms_key_id;
	const char *s3_workspace_prefix;
	bool s3_encrypt;
	const struct pz_node *node; /* the pz section, or NULL */
};

struct pz_resource {
	const struct pz_rtype *type;
	const struct pz_section *section; /* NULL for derived resources */
	const char *key;		  /* "userPersonalization" */
	const char *address;		  /* "solution.userPersonalization" */
	const char *name;  /* the AWS name, NULL when pz derives it later */
	struct pz_pos pos; /* where it is declared (its key or entry) */
	const struct pz_node *body; /* the entry (API members + extras) */
	const struct pz_node *pz;   /* the entry's pz settings, or NULL */
	struct pz_resource *origin; /* the declared resource it derives from */
	size_t index;		    /* its place in spec->resources */
	size_t *deps;		    /* indices into spec->resources */
	size_t ndeps, deps_cap;
	void *data; /* the type's own parsed facts (type-owned) */
	void (*data_free)(void *);
};

struct pz_spec {
	struct pz_doc *doc;
	const char *path;
	struct pz_settings settings;
	const struct pz_node *tags;	/* top-level tags, or NULL */
	struct pz_resource **resources; /* stable pointers, in load order */
	size_t nresources, resources_cap;
	size_t *by_address; /* open-addressing index: slot -> index + 1 */
	size_t by_address_cap;
	struct pz_arena arena;
	struct pz_diags *diags; /* where loading reports, borrowed */
};

/*
 * Loads and checks the spec at path. vars are -var values (they override
 * pz.vars). Problems go to diags. Returns 0 with *out set when the spec
 * has no errors (warnings allowed), PZ_ESPEC when diags hold errors (then
 * *out is still set when the file could be parsed, so `pz graph` and
 * editors can show what is there), or PZ_EIO/PZ_ENOTFOUND when the file
 * cannot be read. Free with pz_spec_free.
 */
int pz_spec_load(struct pz_spec **out, const char *path,
		 const struct pz_spec_var *vars, size_t nvars,
		 struct pz_diags *diags);
/* Same from text in memory (fuzzing, tests). */
int pz_spec_load_text(struct pz_spec **out, const char *path, const char *text,
		      size_t len, const struct pz_spec_var *vars, size_t nvars,
		      struct pz_diags *diags);
void pz_spec_free(struct pz_spec *spec);

/* For type hooks. */
struct pz_resource *pz_spec_find(const struct pz_spec *spec,
				 const char *address);
struct pz_resource *pz_spec_find_type(const struct pz_spec *spec,
				      const char *type, const char *key);
/* Adds a resource derived from origin (type-owned key); returns it, or
 * NULL with an error diagnostic when the address is taken. */
struct pz_resource *pz_spec_add_derived(struct pz_spec *spec, const char *type,
					const char *key,
					struct pz_resource *origin);
/* Records that r depends on the resource at index dep. */
void pz_spec_add_dep(struct pz_spec *spec, struct pz_resource *r, size_t dep);
size_t pz_spec_index(const struct pz_spec *spec, const struct pz_resource *r);
/* The dataset group resource, or NULL. */
struct pz_resource *pz_spec_dataset_group(const struct pz_spec *spec);

/* A member of r's entry as a string, or NULL. */
const char *pz_resource_str(const struct pz_resource *r, const char *member);

/* Interpolation, exposed for tests: replaces ${env:X} and ${var:X} in
 * every string scalar of doc; "$${" stands for a literal "${". */
/* True for the AWS credential variables (AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN, AWS_ACCESS_KEY_ID, ...), which ${env:} refuses. */
bool pz_env_is_credential(const char *name);
void pz_spec_interpolate(struct pz_doc *doc, const struct pz_spec_var *vars,
			 size_t nvars, struct pz_diags *diags);

/*
 * Orders the resources so that each comes after its dependencies, ties
 * by type order then address. Fills order (nresources entries). Returns
 * 0, or PZ_ESPEC after reporting each cycle to diags.
 */
int pz_spec_toposort(const struct pz_spec *spec, size_t *order,
		     struct pz_diags *diags);

#endif
