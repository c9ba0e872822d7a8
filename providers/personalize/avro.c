/* PLACEHOLDER written by the lead; replaced by the owner of avro.[ch]. */
#include <stdlib.h>
#include <string.h>
#include "avro.h"
int pz_avro_check(struct pz_avro_schema **out, const char *file, const struct pz_node *schema, const char *dataset_type, const char *domain, struct pz_diags *diags)
{ (void)file; (void)schema; (void)dataset_type; (void)domain; (void)diags; *out = pz_xcalloc(1, sizeof(**out)); return 0; }
void pz_avro_schema_free(struct pz_avro_schema *s) { free(s); }
const struct pz_avro_field *pz_avro_field_find(const struct pz_avro_schema *s, const char *name) { (void)s; (void)name; return NULL; }
