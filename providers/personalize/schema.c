/*
 * schema.c - dataset schemas. Derived from each dataset's Avro schema;
 * account-wide and immutable, so pz names them <datasetGroup>-<Type>
 * unless the dataset says pz.schemaName (DESIGN.md §5).
 */
#include "pers.h"

const struct pz_rtype pz_rtype_schema = {
	.name = "schema",
	.label = "schema",
	.create_op = "CreateSchema",
	.order = 5,
};
