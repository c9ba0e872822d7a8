/*
 * avro.h - the Avro schema of a Personalize dataset, checked as `pz
 * validate` needs it.
 *
 * A dataset in the spec carries its schema as a map (the usual case) or
 * as a string holding the JSON text CreateSchema takes. pz_avro_check
 * holds it to the rules of Avro and of Amazon Personalize (the record
 * shape, field names and types, the fields each dataset type and domain
 * requires or reserves, "categorical" and "textual", metadata counts,
 * the 20,000-character limit of the API's AvroSchema) and reports every
 * problem it finds as a diagnostic at the most precise place in the spec
 * file, never stopping at the first. docs/spec-checks.md lists the rules
 * and the AWS documentation they come from.
 *
 * The checker is pure: it reads only the node it is given, prints
 * nothing and keeps no state.
 */
#ifndef PZ_PERSONALIZE_AVRO_H
#define PZ_PERSONALIZE_AVRO_H

#include "core/arena.h"
#include "core/common.h"
#include "core/diag.h"
#include "core/node.h"

/* CreateSchema's schema member (shape AvroSchema): at most this many
 * characters. */
#define PZ_AVRO_SCHEMA_MAX 20000

enum pz_avro_type {
	PZ_AVRO_STRING,
	PZ_AVRO_INT,
	PZ_AVRO_LONG,
	PZ_AVRO_FLOAT,
	PZ_AVRO_DOUBLE,
	PZ_AVRO_BOOLEAN,
	PZ_AVRO_OTHER, /* anything else; never in a schema that passed */
};

struct pz_avro_field {
	const char *name;	/* owned by the schema */
	enum pz_avro_type type; /* the non-null member of a union */
	bool nullable;		/* the type is a union with "null" */
	bool categorical;	/* "categorical": true */
	bool textual;		/* "textual": true */
	struct pz_pos pos;	/* the field's map in the spec file */
};

struct pz_avro_schema {
	struct pz_avro_field *fields; /* in schema order */
	size_t nfields;
	char *json; /* compact JSON text to send as CreateSchema's schema */
	size_t json_len;
	const char *name;	  /* the record's "name" */
	const char *dataset_type; /* as passed to pz_avro_check */
	const char *domain;	  /* as passed, or NULL for custom */
	struct pz_arena arena;	  /* owns the strings above but json */
};

/*
 * Checks schema, a map or a string node of a document whose path is
 * file, as the schema of a dataset of type dataset_type ("Interactions",
 * "Items", "Users", "Actions", "ActionInteractions") in a dataset group
 * of the given domain (NULL for a custom group, or "ECOMMERCE",
 * "VIDEO_ON_DEMAND"). A string is parsed as JSON and its positions are
 * mapped back into file where the string's form allows (see
 * pz_filter_scalar_pos), else they point at the string node.
 *
 * Every problem goes to diags (errors, and warnings for things that are
 * valid but likely mistakes). Returns 0 with *out set when this call
 * added no error; the caller frees *out with pz_avro_schema_free.
 * Returns PZ_ESPEC otherwise, with *out NULL. schema and diags are
 * borrowed; nothing in *out points into the document.
 */
int pz_avro_check(struct pz_avro_schema **out, const char *file,
		  const struct pz_node *schema, const char *dataset_type,
		  const char *domain, struct pz_diags *diags);

void pz_avro_schema_free(struct pz_avro_schema *s);

/* The field called name (exact match), or NULL. Borrowed from s. */
const struct pz_avro_field *pz_avro_field_find(const struct pz_avro_schema *s,
					       const char *name);

/* "string", "int", ... for messages; "other" for PZ_AVRO_OTHER. */
const char *pz_avro_type_name(enum pz_avro_type t);

#endif
