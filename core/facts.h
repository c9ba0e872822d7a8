/*
 * facts.h - the attribute facts of every spec section, as C tables.
 *
 * Generated at build time (tools/facts2c.py) from two files under
 * schemas/: personalize-facts.json, extracted from the official Amazon
 * Personalize API model by tools/gen-facts.py, and pz-spec.json, pz's
 * own shapes and the map from spec sections to resource types. The
 * validator, the planner (what updates in place, what forces replacement)
 * and the JSON Schema for editors all read these same facts.
 */
#ifndef PZ_FACTS_H
#define PZ_FACTS_H

#include "common.h"

enum pz_shape_type {
	PZ_SHAPE_STRING,
	PZ_SHAPE_INTEGER,
	PZ_SHAPE_LONG,
	PZ_SHAPE_DOUBLE,
	PZ_SHAPE_FLOAT,
	PZ_SHAPE_BOOLEAN,
	PZ_SHAPE_TIMESTAMP,
	PZ_SHAPE_BLOB,
	PZ_SHAPE_STRUCTURE,
	PZ_SHAPE_LIST,
	PZ_SHAPE_MAP,
	PZ_SHAPE_JSON, /* any value; a type hook checks it (Avro schemas) */
	PZ_SHAPE_TAGS, /* a {key: value} map or a list of {tagKey, tagValue} */
};

struct pz_member {
	const char *name;
	int shape; /* index into pz_shapes */
	bool required;
	const char *default_from; /* a pz settings key that supplies it */
	const char *doc; /* first sentence of the API's docs, or NULL */
};

struct pz_shape {
	const char *name;
	enum pz_shape_type type;
	bool has_min, has_max;
	double min, max;     /* length, count or value bounds */
	const char *pattern; /* as the model writes it (Java syntax) */
	const char *posix;   /* anchored POSIX ERE translation */
	const char *const *enums;
	size_t nenums;
	bool sensitive;
	bool one_of; /* a structure that takes exactly one member */
	const struct pz_member *members;
	size_t nmembers;
	int member;	/* list element shape */
	int key, value; /* map key and value shapes */
};

enum pz_section_form {
	PZ_FORM_SINGLE,	     /* one entry: `datasetGroup: {...}` */
	PZ_FORM_MAP,	     /* entries by key: `solutions: {key: {...}}` */
	PZ_FORM_MAP_OR_LIST, /* a map, or a list of entries keyed by name */
	PZ_FORM_TAGS,	     /* the top-level tags */
	PZ_FORM_SETTINGS,    /* the reserved pz key */
};

struct pz_section {
	const char *key;  /* the top-level spec key */
	const char *type; /* resource type, NULL for tags and pz */
	enum pz_section_form form;
	const char *alias;	 /* singular form of this plural section */
	const char *create_op;	 /* API operation the entry is the input of */
	const char *name_member; /* "name" or "jobName" */
	int shape;		 /* the entry's shape (derived) */
	const char *const *keys; /* the only keys a map may use, or NULL */
	size_t nkeys;
	const char *const *supplied; /* request members pz fills in */
	size_t nsupplied;
	/* Request members the service takes in any case and answers in its
	 * own (datasetType: Interactions in, INTERACTIONS out). */
	const char *const *nocase;
	size_t nnocase;
};

struct pz_operation {
	const char *name;
	int input;		      /* request shape */
	const char *update_op;	      /* in-place update operation, or NULL */
	const char *const *updatable; /* member paths it can change */
	size_t nupdatable;
};

extern const struct pz_shape pz_shapes[];
extern const size_t pz_nshapes;
extern const struct pz_section pz_sections[];
extern const size_t pz_nsections;
extern const struct pz_operation pz_operations[];
extern const size_t pz_noperations;
extern const char pz_facts_source[];

const struct pz_shape *pz_facts_shape(int index);
const struct pz_shape *pz_facts_shape_named(const char *name);
const struct pz_section *pz_facts_section(const char *key);
const struct pz_operation *pz_facts_operation(const char *name);
const struct pz_member *pz_facts_member(const struct pz_shape *s,
					const char *name);
/*
 * True when changing the member at path ("minProvisionedTPS",
 * "solutionConfig.autoTrainingConfig.schedulingExpression") of a resource
 * created by op can be done in place; false when it forces replacement.
 */
bool pz_facts_updatable(const struct pz_operation *op, const char *path);
/*
 * True when the member at path of a resource created by op holds a value
 * the service compares without regard to case (a section's
 * "caseInsensitive" in schemas/pz-spec.json): "Interactions" and
 * "INTERACTIONS" are the same dataset type.
 */
bool pz_facts_nocase(const struct pz_operation *op, const char *path);

#endif
