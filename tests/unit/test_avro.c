/*
 * test_avro.c - the Avro schema checks of providers/personalize/avro.c.
 *
 * Every rule of docs/spec-checks.md has a schema that keeps it and one
 * that breaks it in the table below; each case asserts the exact
 * diagnostics (severity, line, column, message, in report order) and the
 * return value (an error means PZ_ESPEC and no schema). Lines in the
 * expected positions are those of the case's text, which end at "\n".
 * The seed's schemas, the output (fields, JSON text), the
 * 20,000-character limit and schemas written as strings have their own
 * tests after the table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/node.h"
#include "providers/personalize/avro.h"

#define E PZ_SEV_ERROR
#define W PZ_SEV_WARNING

struct want {
	enum pz_severity sev;
	unsigned line, col;
	const char *msg; /* NULL ends the list */
};

struct avro_case {
	const char *name;
	const char *path; /* "t.yaml" or "t.json" */
	const char *text; /* the schema is the document's "schema" */
	const char *dataset_type;
	const char *domain;
	struct want want[24];
};

static void dump(const struct pz_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		print_message("  got %s %u:%u: %s\n",
			      d->items[i].severity == E ? "E" : "W",
			      d->items[i].pos.line, d->items[i].pos.col,
			      d->items[i].message);
}

/* Asserts that d holds exactly want, in order. */
static void expect_diags(const struct pz_diags *d, const struct want *want)
{
	size_t i, n = 0;

	while (want[n].msg)
		n++;
	if (d->n != n)
		dump(d);
	assert_int_equal(d->n, n);
	for (i = 0; i < n; i++) {
		if (d->items[i].pos.line != want[i].line ||
		    d->items[i].pos.col != want[i].col ||
		    strcmp(d->items[i].message, want[i].msg))
			dump(d);
		assert_string_equal(d->items[i].message, want[i].msg);
		assert_int_equal(d->items[i].severity, want[i].sev);
		assert_int_equal(d->items[i].pos.line, want[i].line);
		assert_int_equal(d->items[i].pos.col, want[i].col);
	}
}

/* Loads text as path and checks its "schema". */
static int check(struct pz_avro_schema **out, struct pz_diags *d,
		 const char *path, const char *text, const char *type,
		 const char *domain)
{
	struct pz_doc *doc;
	int r;

	assert_int_equal(pz_doc_load(&doc, path, text, strlen(text), d), 0);
	r = pz_avro_check(out, path, pz_node_get(doc->root, "schema"), type,
			  domain, d);
	pz_doc_free(doc);
	return r;
}

static void run_case(void **state)
{
	const struct avro_case *c = *state;
	struct pz_avro_schema *s = NULL;
	struct pz_diags d;
	size_t i;
	bool errors = false;
	int r;

	for (i = 0; c->want[i].msg; i++)
		errors |= c->want[i].sev == E;
	pz_diags_init(&d);
	r = check(&s, &d, c->path, c->text, c->dataset_type, c->domain);
	expect_diags(&d, c->want);
	for (i = 0; i < d.n; i++)
		assert_string_equal(d.items[i].file, c->path);
	assert_int_equal(r, errors ? PZ_ESPEC : 0);
	if (errors)
		assert_null(s);
	else
		assert_non_null(s);
	pz_avro_schema_free(s);
	pz_diags_release(&d);
}

static const struct avro_case cases[] = {
    {
	.name = "valid_items",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: GENRE, type: string, categorical: true}\n"
		"    - {name: YEAR, type: int}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
    },
    {
	.name = "valid_users_nullable",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: [\"null\", int]}\n"
		"    - {name: GENDER, type: [string, \"null\"], categorical: "
		"true}\n",
	.dataset_type = "Users",
    },
    {
	.name = "valid_interactions_reserved",
	.path = "t.yaml",
	.text =
	    "schema:\n"
	    "  type: record\n"
	    "  name: Interactions\n"
	    "  namespace: com.amazonaws.personalize.schema\n"
	    "  fields:\n"
	    "    - {name: USER_ID, type: string}\n"
	    "    - {name: ITEM_ID, type: string}\n"
	    "    - {name: TIMESTAMP, type: long}\n"
	    "    - {name: EVENT_TYPE, type: string}\n"
	    "    - {name: EVENT_VALUE, type: [float, \"null\"]}\n"
	    "    - {name: IMPRESSION, type: [\"null\", string]}\n"
	    "    - {name: RECOMMENDATION_ID, type: [\"null\", string]}\n"
	    "    - {name: EVENT_ATTRIBUTION_SOURCE, type: [string, \"null\"]}\n"
	    "    - {name: DEVICE, type: string, categorical: true}\n",
	.dataset_type = "Interactions",
    },
    {
	.name = "valid_items_textual",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: DESCRIPTION, type: string, textual: true}\n"
		"    - {name: CREATION_TIMESTAMP, type: long}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
    },
    {
	.name = "valid_actions",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Actions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ACTION_ID, type: string}\n"
		"    - {name: VALUE, type: [\"null\", long]}\n"
		"    - {name: MEMBERSHIP_LEVEL, type: [\"null\", string], "
		"categorical: true}\n"
		"    - {name: CREATION_TIMESTAMP, type: long}\n"
		"    - {name: REPEAT_FREQUENCY, type: [\"null\", long]}\n",
	.dataset_type = "Actions",
    },
    {
	.name = "valid_action_interactions",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: ActionInteractions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: ACTION_ID, type: string}\n"
		"    - {name: EVENT_TYPE, type: string}\n"
		"    - {name: TIMESTAMP, type: long}\n",
	.dataset_type = "ActionInteractions",
    },
    {
	.name = "valid_ecommerce_items",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: PRICE, type: float}\n"
		"    - {name: CATEGORY_L1, type: string, categorical: true}\n"
		"    - {name: PRODUCT_DESCRIPTION, type: [\"null\", string], "
		"textual: true}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
	.domain = "ECOMMERCE",
    },
    {
	.name = "valid_vod_items",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: CREATION_TIMESTAMP, type: long}\n"
		"    - {name: GENRES, type: string, categorical: true}\n"
		"    - {name: CONTENT_OWNER, type: [\"null\", string], "
		"categorical: true}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
	.domain = "VIDEO_ON_DEMAND",
    },
    {
	.name = "valid_vod_interactions",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Interactions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: TIMESTAMP, type: long}\n"
		"    - {name: EVENT_TYPE, type: string}\n",
	.dataset_type = "Interactions",
	.domain = "VIDEO_ON_DEMAND",
    },
    {
	.name = "valid_json_string",
	.path = "t.json",
	.text =
	    "{\"schema\": \"{\\\"type\\\": \\\"record\\\", \\\"name\\\": "
	    "\\\"Users\\\", \\\"namespace\\\": "
	    "\\\"com.amazonaws.personalize.schema\\\", \\\"fields\\\": "
	    "[{\\\"name\\\": \\\"USER_ID\\\", \\\"type\\\": \\\"string\\\"}, "
	    "{\\\"name\\\": \\\"AGE\\\", \\\"type\\\": \\\"int\\\"}]}\"}\n",
	.dataset_type = "Users",
    },
    {
	.name = "not_a_map",
	.path = "t.yaml",
	.text = "schema: [USER_ID]\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 1, 9,
		 "a dataset schema is an Avro record: a map, or a string "
		 "holding its JSON, not a list"},
	    },
    },
    {
	.name = "type_missing",
	.path = "t.yaml",
	.text = "schema:\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 2, 3, "the schema needs \"type\": \"record\""},
	    },
    },
    {
	.name = "type_wrong",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: map\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 2, 9,
		 "the schema's \"type\" must be \"record\", not \"map\""},
	    },
    },
    {
	.name = "type_not_string",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: [record]\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 2, 9,
		 "the schema's \"type\" must be \"record\", not a list"},
	    },
    },
    {
	.name = "name_missing",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 2, 3,
		 "the schema needs a \"name\": Personalize wants the dataset "
		 "type, \"Users\""},
	    },
    },
    {
	.name = "name_mismatch",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: User\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 3, 9,
		 "the schema's \"name\" is 'User'; Personalize requires the "
		 "dataset type, \"Users\""},
	    },
    },
    {
	.name = "name_not_string",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: {a: b}\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 3, 9, "the schema's \"name\" must be a string, not a map"},
	    },
    },
    {
	.name = "namespace_missing",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n",
	.dataset_type = "Users",
	.want =
	    {
		{W, 2, 3,
		 "the schema has no \"namespace\"; Personalize schemas use "
		 "\"com.amazonaws.personalize.schema\""},
	    },
    },
    {
	.name = "namespace_wrong",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.example\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n",
	.dataset_type = "Users",
	.want =
	    {
		{W, 4, 14,
		 "the schema's \"namespace\" is 'com.example'; Personalize "
		 "schemas use \"com.amazonaws.personalize.schema\""},
	    },
    },
    {
	.name = "version_number",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  version: 1.0\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 5, 12,
		 "the schema's \"version\" must be a string such as \"1.0\", "
		 "not a number (quote it)"},
	    },
    },
    {
	.name = "version_string",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  version: \"1.0\"\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n",
	.dataset_type = "Users",
    },
    {
	.name = "unknown_key_suggest",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fileds: []\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 5, 3,
		 "unknown schema attribute 'fileds'; did you mean 'fields'?"},
	    },
    },
    {
	.name = "unknown_key",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  owner: me\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 5, 3,
		 "unknown schema attribute 'owner' (a schema has type, name, "
		 "namespace, fields and version, and may have doc and "
		 "aliases)"},
	    },
    },
    {
	.name = "fields_missing",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 2, 3,
		 "the schema needs \"fields\", the list of its fields"},
	    },
    },
    {
	.name = "fields_not_list",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields: {USER_ID: string}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 5, 11, "the schema's \"fields\" must be a list, not a map"},
	    },
    },
    {
	.name = "fields_empty",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields: []\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 5, 11, "the schema's \"fields\" is empty"},
	    },
    },
    {
	.name = "field_not_map",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - USER_NAME\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 7,
		 "field 3: a field is a map with a name and a type, not a "
		 "string"},
	    },
    },
    {
	.name = "field_no_name",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {type: int}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 7, "field 3 has no \"name\""},
	    },
    },
    {
	.name = "field_name_not_string",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: 12, type: int}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 14,
		 "field 3: \"name\" must be a string, not an integer"},
	    },
    },
    {
	.name = "field_name_invalid",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: 2ND-AGE, type: int}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 14,
		 "field name '2ND-AGE' is not a valid Avro name: use letters, "
		 "digits and '_', and do not start with a digit"},
	    },
    },
    {
	.name = "field_no_type",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: HEIGHT}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 7, "field 'HEIGHT' has no \"type\""},
	    },
    },
    {
	.name = "type_unknown_suggest",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: integer}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 7, 25,
		 "field 'AGE': unknown type \"integer\"; did you mean "
		 "\"int\"?"},
	    },
    },
    {
	.name = "type_unknown",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: BORN, type: date}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 26,
		 "field 'BORN': unknown type \"date\"; use string, int, long, "
		 "float, double or boolean"},
	    },
    },
    {
	.name = "type_unsupported",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: TAGS, type: array}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 26,
		 "field 'TAGS': Personalize does not support the Avro type "
		 "\"array\"; use string, int, long, float, double or boolean"},
	    },
    },
    {
	.name = "type_map",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: TAGS, type: {type: array, items: string}}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 26,
		 "field 'TAGS': Personalize schemas are flat; a type is a name "
		 "such as \"string\" or a union such as [\"null\", "
		 "\"string\"], not a map"},
	    },
    },
    {
	.name = "type_bare_null",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: NICK, type: [null, string]}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 27,
		 "field 'NICK': write \"null\" in quotes; a bare null is no "
		 "type name"},
	    },
    },
    {
	.name = "type_null_alone",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: NICK, type: \"null\"}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 26,
		 "field 'NICK': type \"null\" alone holds no data; make it a "
		 "union such as [\"null\", \"string\"]"},
	    },
    },
    {
	.name = "type_number",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: NICK, type: 5}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 26,
		 "field 'NICK': a type is a name such as \"string\", not an "
		 "integer"},
	    },
    },
    {
	.name = "union_without_null",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: NICK, type: [int, string]}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 26,
		 "field 'NICK': a union must be \"null\" and one other type, "
		 "such as [\"null\", \"string\"]"},
	    },
    },
    {
	.name = "union_three",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: NICK, type: [\"null\", int, string]}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 26,
		 "field 'NICK': a union must be \"null\" and one other type, "
		 "such as [\"null\", \"string\"]"},
	    },
    },
    {
	.name = "union_bad_member",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: NICK, type: [\"null\", strin]}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 35,
		 "field 'NICK': unknown type \"strin\"; did you mean "
		 "\"string\"?"},
	    },
    },
    {
	.name = "field_unknown_attr_suggest",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: CITY, type: string, categorial: true}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 34,
		 "field 'CITY': unknown attribute 'categorial'; did you mean "
		 "'categorical'?"},
		{W, 8, 7,
		 "field 'CITY' is a string without \"categorical\": "
		 "Personalize does not use it for training; add "
		 "\"categorical\": true"},
	    },
    },
    {
	.name = "field_unknown_attr",
	.path = "t.yaml",
	.text =
	    "schema:\n"
	    "  type: record\n"
	    "  name: Users\n"
	    "  namespace: com.amazonaws.personalize.schema\n"
	    "  fields:\n"
	    "    - {name: USER_ID, type: string}\n"
	    "    - {name: AGE, type: int}\n"
	    "    - {name: CITY, type: string, categorical: true, index: 1}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 53,
		 "field 'CITY': unknown attribute 'index' (a field has name "
		 "and type, and may have categorical, textual, doc, default, "
		 "order and aliases)"},
	    },
    },
    {
	.name = "categorical_not_bool",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: CITY, type: string, categorical: yes}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 47,
		 "field 'CITY': \"categorical\" must be true or false, not a "
		 "string"},
		{W, 8, 7,
		 "field 'CITY' is a string without \"categorical\": "
		 "Personalize does not use it for training; add "
		 "\"categorical\": true"},
	    },
    },
    {
	.name = "textual_not_bool",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: GENRE, type: string, categorical: true}\n"
		"    - {name: DESCRIPTION, type: string, textual: \"true\"}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
	.want =
	    {
		{E, 8, 50,
		 "field 'DESCRIPTION': \"textual\" must be true or false, not "
		 "a string"},
		{W, 8, 7,
		 "field 'DESCRIPTION' is a string without \"categorical\" or "
		 "\"textual\": Personalize does not use it for training; add "
		 "\"categorical\": true"},
	    },
    },
    {
	.name = "duplicate_field",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: AGE, type: long}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8,
		 14, "duplicate field 'AGE' (first at line 7, column 14)"},
	    },
    },
    {
	.name = "clashing_field",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE_GROUP, type: string, categorical: true}\n"
		"    - {name: agegroup, type: string, categorical: true}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 14,
		 "field 'agegroup' clashes with field 'AGE_GROUP' (line 7): "
		 "Personalize needs names that differ in more than case and "
		 "non-alphanumeric characters"},
	    },
    },
    {
	.name = "categorical_on_int",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: GENRE, type: int, categorical: true}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
	.want =
	    {
		{E, 7, 45,
		 "field 'GENRE': \"categorical\": true is only allowed on "
		 "string fields (GENRE is int)"},
	    },
    },
    {
	.name = "textual_on_int",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: GENRE, type: string, categorical: true}\n"
		"    - {name: PAGES, type: long, textual: true}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
	.want =
	    {
		{E, 8, 42,
		 "field 'PAGES': \"textual\": true is only allowed on string "
		 "fields (PAGES is long)"},
	    },
    },
    {
	.name = "textual_in_users",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: BIO, type: string, textual: true}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 8, 42,
		 "field 'BIO': \"textual\": true is only allowed in Items "
		 "schemas"},
	    },
    },
    {
	.name = "two_textual",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: TITLE, type: string, textual: true}\n"
		"    - {name: SUMMARY, type: string, textual: true}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
	.want =
	    {
		{E, 8, 46,
		 "field 'SUMMARY': an Items schema can have only one textual "
		 "field ('TITLE' is textual already)"},
	    },
    },
    {
	.name = "categorical_and_textual",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: TITLE, type: string, categorical: true, textual: "
		"true}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
	.want =
	    {
		{E, 7, 63,
		 "field 'TITLE' cannot be both categorical and textual: keep "
		 "one"},
	    },
    },
    {
	.name = "missing_required",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Interactions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: ITEM_ID, type: string}\n",
	.dataset_type = "Interactions",
	.want =
	    {
		{E, 6, 5,
		 "Interactions schema is missing the required field "
		 "'TIMESTAMP' (type long)"},
	    },
    },
    {
	.name = "missing_required_suggest",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Interactions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: TIMESTMP, type: long}\n",
	.dataset_type = "Interactions",
	.want =
	    {
		{E, 6, 5,
		 "Interactions schema is missing the required field "
		 "'TIMESTAMP' (type long); is 'TIMESTMP' meant to be it?"},
	    },
    },
    {
	.name = "missing_required_case",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Interactions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: timestamp, type: long}\n",
	.dataset_type = "Interactions",
	.want =
	    {
		{E, 6, 5,
		 "Interactions schema is missing the required field "
		 "'TIMESTAMP' (type long); is 'timestamp' meant to be it?"},
	    },
    },
    {
	.name = "required_wrong_type",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Interactions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: TIMESTAMP, type: int}\n",
	.dataset_type = "Interactions",
	.want =
	    {
		{E, 8, 31,
		 "field 'TIMESTAMP' must be of type long in Interactions "
		 "schemas, not int"},
	    },
    },
    {
	.name = "required_nullable",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Interactions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: [\"null\", string]}\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: TIMESTAMP, type: long}\n",
	.dataset_type = "Interactions",
	.want =
	    {
		{E, 6, 29,
		 "field 'USER_ID' cannot be null in Interactions schemas: "
		 "write \"type\": \"string\""},
	    },
    },
    {
	.name = "reserved_wrong_type",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Interactions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: TIMESTAMP, type: long}\n"
		"    - {name: EVENT_VALUE, type: double}\n",
	.dataset_type = "Interactions",
	.want =
	    {
		{E, 9, 33,
		 "field 'EVENT_VALUE' must be of type float (optionally with "
		 "\"null\") in Interactions schemas, not double"},
	    },
    },
    {
	.name = "reserved_not_nullable",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Interactions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: TIMESTAMP, type: long}\n"
		"    - {name: EVENT_TYPE, type: [\"null\", string]}\n",
	.dataset_type = "Interactions",
	.want =
	    {
		{E, 9, 32,
		 "field 'EVENT_TYPE' cannot be null in Interactions schemas: "
		 "write \"type\": \"string\""},
	    },
    },
    {
	.name = "reserved_categorical",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Interactions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: TIMESTAMP, type: long}\n"
		"    - {name: EVENT_TYPE, type: string, categorical: true}\n",
	.dataset_type = "Interactions",
	.want =
	    {
		{E, 9, 53,
		 "field 'EVENT_TYPE' is reserved in Interactions schemas and "
		 "cannot be categorical: remove \"categorical\": true"},
	    },
    },
    {
	.name = "reserved_textual",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: GENRE, type: string, categorical: true}\n"
		"    - {name: CREATION_TIMESTAMP, type: long, textual: true}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
	.want =
	    {
		{E, 8, 55,
		 "field 'CREATION_TIMESTAMP' is reserved in Items schemas and "
		 "cannot be textual: remove \"textual\": true"},
	    },
    },
    {
	.name = "actions_missing_id",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Actions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: VALUE, type: long}\n"
		"    - {name: LEVEL, type: string, categorical: true}\n",
	.dataset_type = "Actions",
	.want =
	    {
		{E, 6, 5,
		 "Actions schema is missing the required field 'ACTION_ID' "
		 "(type string)"},
	    },
    },
    {
	.name = "actions_value_float",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Actions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ACTION_ID, type: string}\n"
		"    - {name: VALUE, type: float}\n"
		"    - {name: LEVEL, type: string, categorical: true}\n",
	.dataset_type = "Actions",
	.want =
	    {
		{E, 7, 27,
		 "field 'VALUE' must be of type long (optionally with "
		 "\"null\") in Actions schemas, not float"},
	    },
    },
    {
	.name = "action_interactions_missing",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: ActionInteractions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: ACTION_ID, type: string}\n"
		"    - {name: TIMESTAMP, type: long}\n",
	.dataset_type = "ActionInteractions",
	.want =
	    {
		{E, 6, 5,
		 "ActionInteractions schema is missing the required field "
		 "'EVENT_TYPE' (type string)"},
	    },
    },
    {
	.name = "users_no_metadata",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 6, 5,
		 "Users schema needs at least one metadata field besides the "
		 "required and reserved ones: a categorical string or a "
		 "number"},
	    },
    },
    {
	.name = "items_no_usable_metadata",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: CREATION_TIMESTAMP, type: long}\n"
		"    - {name: TITLE, type: string}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
	.want =
	    {
		{W, 8, 7,
		 "field 'TITLE' is a string without \"categorical\" or "
		 "\"textual\": Personalize does not use it for training; add "
		 "\"categorical\": true"},
		{E, 6, 5,
		 "Items schema needs at least one metadata field besides the "
		 "required and reserved ones: a categorical or textual string "
		 "or a number"},
	    },
    },
    {
	.name = "actions_no_metadata",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Actions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ACTION_ID, type: string}\n"
		"    - {name: CREATION_TIMESTAMP, type: long}\n",
	.dataset_type = "Actions",
	.want =
	    {
		{E, 6, 5,
		 "Actions schema needs at least one metadata field besides the "
		 "required and reserved ones: a categorical string or a "
		 "number"},
	    },
    },
    {
	.name = "interactions_too_much_metadata",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Interactions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: TIMESTAMP, type: long}\n"
		"    - {name: M1, type: int}\n"
		"    - {name: M2, type: int}\n"
		"    - {name: M3, type: int}\n"
		"    - {name: M4, type: int}\n"
		"    - {name: M5, type: int}\n"
		"    - {name: M6, type: int}\n",
	.dataset_type = "Interactions",
	.want =
	    {
		{E, 14, 7,
		 "field 'M6' is metadata field 6 of the Interactions schema; "
		 "Personalize allows at most 5 besides the required and "
		 "reserved fields"},
	    },
    },
    {
	.name = "string_metadata_warning",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Interactions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: TIMESTAMP, type: long}\n"
		"    - {name: LOCATION, type: string}\n",
	.dataset_type = "Interactions",
	.want =
	    {
		{W, 9, 7,
		 "field 'LOCATION' is a string without \"categorical\": "
		 "Personalize does not use it for training; add "
		 "\"categorical\": true"},
	    },
    },
    {
	.name = "boolean_warning",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: PREMIUM, type: boolean}\n",
	.dataset_type = "Users",
	.want =
	    {
		{W, 8, 29,
		 "field 'PREMIUM' is boolean: Personalize does not use boolean "
		 "fields for training or filtering; use a categorical string "
		 "(\"True\"/\"False\") or an int (0/1)"},
	    },
    },
    {
	.name = "ecommerce_items_missing",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: GENRE, type: string, categorical: true}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
	.domain = "ECOMMERCE",
	.want =
	    {
		{E, 6, 5,
		 "ECOMMERCE Items schema is missing the required field 'PRICE' "
		 "(type float)"},
		{E, 6, 5,
		 "ECOMMERCE Items schema is missing the required field "
		 "'CATEGORY_L1' (a categorical string)"},
	    },
    },
    {
	.name = "ecommerce_category_not_categorical",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: PRICE, type: float}\n"
		"    - {name: CATEGORY_L1, type: string}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
	.domain = "ECOMMERCE",
	.want =
	    {
		{E, 8, 7,
		 "field 'CATEGORY_L1' is a categorical string in ECOMMERCE "
		 "Items schemas: add \"categorical\": true"},
	    },
    },
    {
	.name = "ecommerce_description_not_textual",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: PRICE, type: float}\n"
		"    - {name: CATEGORY_L1, type: string, categorical: true}\n"
		"    - {name: PRODUCT_DESCRIPTION, type: string}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
	.domain = "ECOMMERCE",
	.want =
	    {
		{E, 9, 7,
		 "field 'PRODUCT_DESCRIPTION' is a textual string in ECOMMERCE "
		 "Items schemas: add \"textual\": true"},
	    },
    },
    {
	.name = "ecommerce_interactions_event_type",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Interactions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: TIMESTAMP, type: long}\n",
	.dataset_type = "Interactions",
	.domain = "ECOMMERCE",
	.want =
	    {
		{E, 6, 5,
		 "ECOMMERCE Interactions schema is missing the required field "
		 "'EVENT_TYPE' (type string)"},
	    },
    },
    {
	.name = "vod_items_missing",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Items\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: GENRE, type: string, categorical: true}\n"
		"  version: \"1.0\"\n",
	.dataset_type = "Items",
	.domain = "VIDEO_ON_DEMAND",
	.want =
	    {
		{E, 6, 5,
		 "VIDEO_ON_DEMAND Items schema is missing the required field "
		 "'CREATION_TIMESTAMP' (type long)"},
		{E, 6, 5,
		 "VIDEO_ON_DEMAND Items schema is missing the required field "
		 "'GENRES' (a categorical string); is 'GENRE' meant to be it?"},
	    },
    },
    {
	.name = "vod_users_subscription",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: SUBSCRIPTION_MODEL, type: string}\n",
	.dataset_type = "Users",
	.domain = "VIDEO_ON_DEMAND",
	.want =
	    {
		{E, 8, 7,
		 "field 'SUBSCRIPTION_MODEL' is a categorical string in "
		 "VIDEO_ON_DEMAND Users schemas: add \"categorical\": true"},
	    },
    },
    {
	.name = "json_string_error",
	.path = "t.json",
	.text =
	    "{\"schema\": \"{\\\"type\\\": \\\"record\\\", \\\"name\\\": "
	    "\\\"Users\\\", \\\"namespace\\\": "
	    "\\\"com.amazonaws.personalize.schema\\\", \\\"fields\\\": "
	    "[{\\\"name\\\": \\\"USER_ID\\\", \\\"type\\\": \\\"string\\\"}, "
	    "{\\\"name\\\": \\\"AGE\\\", \\\"type\\\": \\\"in\\\"}]}\"}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 1, 200,
		 "field 'AGE': unknown type \"in\"; did you mean \"int\"?"},
	    },
    },
    {
	.name = "json_string_multiline",
	.path = "t.json",
	.text =
	    "{\"schema\": \"{\\n  \\\"type\\\": \\\"record\\\",\\n  "
	    "\\\"name\\\": \\\"Users\\\",\\n  \\\"fields\\\": [{\\\"name\\\": "
	    "\\\"USER_ID\\\", \\\"type\\\": \\\"string\\\"}, {\\\"name\\\": "
	    "\\\"AGE\\\", \\\"type\\\": \\\"int\\\"}]\\n}\"}\n",
	.dataset_type = "Users",
	.want =
	    {
		{W, 1, 13,
		 "the schema has no \"namespace\"; Personalize schemas use "
		 "\"com.amazonaws.personalize.schema\""},
	    },
    },
    {
	.name = "yaml_string_syntax",
	.path = "t.yaml",
	.text =
	    "schema: '{\"type\": \"record\", \"name\": \"Users\", \"fields\": "
	    "[{\"name\": \"USER_ID\", \"type\": \"string\"},]}'\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 1, 95,
		 "in the schema string: JSON syntax: trailing comma before "
		 "']'"},
	    },
    },
    {
	.name = "yaml_block_string",
	.path = "t.yaml",
	.text =
	    "schema: |\n"
	    "  {\"type\": \"record\", \"name\": \"Users\",\n"
	    "   \"namespace\": \"com.amazonaws.personalize.schema\",\n"
	    "   \"fields\": [{\"name\": \"USER_ID\", \"type\": \"string\"},\n"
	    "              {\"name\": \"AGE\", \"type\": \"integer\"}]}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 1, 9,
		 "field 'AGE': unknown type \"integer\"; did you mean "
		 "\"int\"?"},
	    },
    },
    {
	.name = "empty_string",
	.path = "t.yaml",
	.text = "schema: \"\"\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 1, 9,
		 "the schema string is empty: give the schema's JSON, or write "
		 "the schema as a map"},
	    },
    },
    {
	.name = "string_not_object",
	.path = "t.json",
	.text = "{\"schema\": \"[1, 2]\"}\n",
	.dataset_type = "Users",
	.want =
	    {
		{E, 1, 13,
		 "a dataset schema is an Avro record: a map, or a string "
		 "holding its JSON, not a list"},
	    },
    },
    {
	.name = "unknown_dataset_type",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Whatever\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: X, type: string}\n",
	.dataset_type = "Things",
	.want =
	    {
		{W, 6, 7,
		 "field 'X' is a string without \"categorical\": Personalize "
		 "does not use it for training; add \"categorical\": true"},
	    },
    },
    {
	.name = "many_errors_one_run",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: recrd\n"
		"  name: Interaction\n"
		"  namespce: com.amazonaws.personalize.schema\n"
		"  version: 1.0\n"
		"  fields:\n"
		"    - name: USER_ID\n"
		"      type: [null, string]\n"
		"    - {name: item-id, type: string}\n"
		"    - name: TIMESTMP\n"
		"      type: int\n"
		"    - name: GENRE\n"
		"      type: int\n"
		"      categorical: true\n"
		"    - name: genre\n"
		"      type: strng\n"
		"    - name: EVENT_VALUE\n"
		"      type: double\n"
		"      categorial: true\n"
		"    - name: FLAG\n"
		"      type: boolean\n"
		"    - name: DESC\n"
		"      type: string\n"
		"      textual: true\n"
		"    - name: X1\n"
		"      type: [string, int]\n"
		"    - name: X2\n"
		"      type: {type: string}\n"
		"    - name: X3\n"
		"      type: array\n"
		"    - name: EVENT_TYPE\n"
		"      type: string\n"
		"      categorical: true\n",
	.dataset_type = "Interactions",
	.want =
	    {
		{E, 4, 3,
		 "unknown schema attribute 'namespce'; did you mean "
		 "'namespace'?"},
		{E, 2, 9,
		 "the schema's \"type\" must be \"record\", not \"recrd\""},
		{E, 3, 9,
		 "the schema's \"name\" is 'Interaction'; Personalize requires "
		 "the dataset type, \"Interactions\""},
		{W, 2, 3,
		 "the schema has no \"namespace\"; Personalize schemas use "
		 "\"com.amazonaws.personalize.schema\""},
		{E, 5, 12,
		 "the schema's \"version\" must be a string such as \"1.0\", "
		 "not a number (quote it)"},
		{E, 8, 14,
		 "field 'USER_ID': write \"null\" in quotes; a bare null is no "
		 "type name"},
		{E, 9, 14,
		 "field name 'item-id' is not a valid Avro name: use letters, "
		 "digits and '_', and do not start with a digit"},
		{E, 16, 13,
		 "field 'genre': unknown type \"strng\"; did you mean "
		 "\"string\"?"},
		{E, 15, 13,
		 "field 'genre' clashes with field 'GENRE' (line 12): "
		 "Personalize needs names that differ in more than case and "
		 "non-alphanumeric characters"},
		{E, 19, 7,
		 "field 'EVENT_VALUE': unknown attribute 'categorial'; did you "
		 "mean 'categorical'?"},
		{E, 26, 13,
		 "field 'X1': a union must be \"null\" and one other type, "
		 "such as [\"null\", \"string\"]"},
		{E, 28, 13,
		 "field 'X2': Personalize schemas are flat; a type is a name "
		 "such as \"string\" or a union such as [\"null\", "
		 "\"string\"], not a map"},
		{E, 30, 13,
		 "field 'X3': Personalize does not support the Avro type "
		 "\"array\"; use string, int, long, float, double or boolean"},
		{E, 18, 13,
		 "field 'EVENT_VALUE' must be of type float (optionally with "
		 "\"null\") in Interactions schemas, not double"},
		{W, 21, 13,
		 "field 'FLAG' is boolean: Personalize does not use boolean "
		 "fields for training or filtering; use a categorical string "
		 "(\"True\"/\"False\") or an int (0/1)"},
		{E, 25, 7,
		 "field 'X1' is metadata field 6 of the Interactions schema; "
		 "Personalize allows at most 5 besides the required and "
		 "reserved fields"},
		{E, 33, 20,
		 "field 'EVENT_TYPE' is reserved in Interactions schemas and "
		 "cannot be categorical: remove \"categorical\": true"},
		{E, 14, 20,
		 "field 'GENRE': \"categorical\": true is only allowed on "
		 "string fields (GENRE is int)"},
		{E, 24, 16,
		 "field 'DESC': \"textual\": true is only allowed in Items "
		 "schemas"},
		{E, 7, 5,
		 "Interactions schema is missing the required field 'ITEM_ID' "
		 "(type string)"},
		{E, 7, 5,
		 "Interactions schema is missing the required field "
		 "'TIMESTAMP' (type long); is 'TIMESTMP' meant to be it?"},
	    },
    },
    {
	.name = "interactions_five_metadata",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Interactions\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: ITEM_ID, type: string}\n"
		"    - {name: TIMESTAMP, type: long}\n"
		"    - {name: M1, type: int}\n"
		"    - {name: M2, type: int}\n"
		"    - {name: M3, type: int}\n"
		"    - {name: M4, type: int}\n"
		"    - {name: M5, type: int}\n",
	.dataset_type = "Interactions",
    },
    {
	.name = "attributes_allowed",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  doc: our users\n"
		"  aliases: [People]\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: [\"null\", int], default: null, doc: "
		"years, order: ascending, aliases: [YEARS]}\n",
	.dataset_type = "Users",
    },
    {
	.name = "vod_users_subscription_ok",
	.path = "t.yaml",
	.text = "schema:\n"
		"  type: record\n"
		"  name: Users\n"
		"  namespace: com.amazonaws.personalize.schema\n"
		"  fields:\n"
		"    - {name: USER_ID, type: string}\n"
		"    - {name: AGE, type: int}\n"
		"    - {name: SUBSCRIPTION_MODEL, type: string, categorical: "
		"true}\n",
	.dataset_type = "Users",
	.domain = "VIDEO_ON_DEMAND",
    },
};

/* The seed's datasets, as seed-params.json writes them. */
static const char seed_datasets[] =
    "{\"datasets\": {\n"
    "  \"Interactions\": {\"name\": \"InteractionsDataset\", \"schema\": {\n"
    "    \"type\": \"record\", \"name\": \"Interactions\",\n"
    "    \"namespace\": \"com.amazonaws.personalize.schema\",\n"
    "    \"fields\": [{\"name\": \"USER_ID\", \"type\": \"string\"},\n"
    "               {\"name\": \"ITEM_ID\", \"type\": \"string\"},\n"
    "               {\"name\": \"EVENT_TYPE\", \"type\": \"string\"},\n"
    "               {\"name\": \"TIMESTAMP\", \"type\": \"long\"}],\n"
    "    \"version\": \"1.0\"}},\n"
    "  \"Items\": {\"name\": \"ItemsDataset\", \"schema\": {\n"
    "    \"type\": \"record\", \"name\": \"Items\",\n"
    "    \"namespace\": \"com.amazonaws.personalize.schema\",\n"
    "    \"fields\": [{\"name\": \"ITEM_ID\", \"type\": \"string\"},\n"
    "               {\"name\": \"GENRE\", \"type\": \"string\",\n"
    "                \"categorical\": true},\n"
    "               {\"name\": \"YEAR\", \"type\": \"int\"}],\n"
    "    \"version\": \"1.0\"}}\n"
    "}}\n";

static const char *const seed_json[] = {
    "{\"type\":\"record\",\"name\":\"Interactions\",\"namespace\":"
    "\"com.amazonaws.personalize.schema\",\"fields\":[{\"name\":"
    "\"USER_ID\",\"type\":\"string\"},{\"name\":\"ITEM_ID\",\"type\":"
    "\"string\"},{\"name\":\"EVENT_TYPE\",\"type\":\"string\"},{\"name\":"
    "\"TIMESTAMP\",\"type\":\"long\"}],\"version\":\"1.0\"}",
    "{\"type\":\"record\",\"name\":\"Items\",\"namespace\":"
    "\"com.amazonaws.personalize.schema\",\"fields\":[{\"name\":"
    "\"ITEM_ID\",\"type\":\"string\"},{\"name\":\"GENRE\",\"type\":"
    "\"string\",\"categorical\":true},{\"name\":\"YEAR\",\"type\":"
    "\"int\"}],\"version\":\"1.0\"}",
};

/* Checks every dataset schema of a seed-shaped document: all pass with
 * no diagnostic, and the JSON to send is the compact schema. */
static void check_seed(const char *path, const char *text, size_t len)
{
	const struct pz_node *datasets;
	struct pz_diags d;
	struct pz_doc *doc;
	size_t i;

	pz_diags_init(&d);
	assert_int_equal(pz_doc_load(&doc, path, text, len, &d), 0);
	datasets = pz_node_get(doc->root, "datasets");
	assert_non_null(datasets);
	assert_int_equal(datasets->npairs, 2);
	for (i = 0; i < datasets->npairs; i++) {
		const struct pz_pair *p = &datasets->pairs[i];
		struct pz_avro_schema *s;

		assert_int_equal(pz_avro_check(&s, path,
					       pz_node_get(p->value, "schema"),
					       p->key, NULL, &d),
				 0);
		if (d.n)
			dump(&d);
		assert_int_equal(d.n, 0);
		assert_string_equal(s->json, seed_json[i]);
		assert_int_equal(s->json_len, strlen(seed_json[i]));
		assert_string_equal(s->name, p->key);
		pz_avro_schema_free(s);
	}
	pz_doc_free(doc);
	pz_diags_release(&d);
}

static void test_seed_schemas(void **state)
{
	const char *dir = getenv("PZ_SOURCE_DIR");
	struct pz_buf b;
	char *path;

	(void)state;
	check_seed("seed.json", seed_datasets, strlen(seed_datasets));
	/* The project's own seed, which the tree always has. */
	assert_non_null(dir); /* ctest sets it */
	path = pz_xasprintf("%s/examples/seed/params.json", dir);
	pz_buf_init(&b, 0);
	assert_int_equal(pz_buf_read_file(&b, path), 0);
	check_seed(path, b.ptr, b.len);
	pz_buf_release(&b);
	free(path);
}

static void test_output(void **state)
{
	static const char text[] =
	    "schema:\n"
	    "  type: record\n"
	    "  name: Items\n"
	    "  namespace: com.amazonaws.personalize.schema\n"
	    "  fields:\n"
	    "    - {name: ITEM_ID, type: string}\n"
	    "    - {name: GENRE, type: [\"null\", string], categorical: "
	    "true}\n"
	    "    - name: PRICE\n"
	    "      type: double\n"
	    "    - {name: DESCRIPTION, type: string, textual: true}\n"
	    "    - {name: CREATION_TIMESTAMP, type: long}\n";
	const struct pz_avro_field *f;
	struct pz_avro_schema *s;
	struct pz_diags d;

	(void)state;
	pz_diags_init(&d);
	assert_int_equal(check(&s, &d, "t.yaml", text, "Items", "ECOMMERCE"),
			 PZ_ESPEC); /* ECOMMERCE wants PRICE float and more */
	pz_diags_release(&d);
	pz_diags_init(&d);
	assert_int_equal(check(&s, &d, "t.yaml", text, "Items", NULL), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(s->name, "Items");
	assert_string_equal(s->dataset_type, "Items");
	assert_null(s->domain);
	assert_int_equal(s->nfields, 5);
	f = &s->fields[1];
	assert_string_equal(f->name, "GENRE");
	assert_int_equal(f->type, PZ_AVRO_STRING);
	assert_true(f->nullable && f->categorical && !f->textual);
	assert_int_equal(f->pos.line, 7);
	assert_int_equal(f->pos.col, 7);
	f = &s->fields[2];
	assert_string_equal(f->name, "PRICE");
	assert_int_equal(f->type, PZ_AVRO_DOUBLE);
	assert_true(!f->nullable && !f->categorical && !f->textual);
	assert_int_equal(f->pos.line, 8);
	assert_int_equal(f->pos.col, 7);
	assert_true(s->fields[3].textual);
	assert_int_equal(s->fields[4].type, PZ_AVRO_LONG);
	assert_ptr_equal(pz_avro_field_find(s, "DESCRIPTION"), &s->fields[3]);
	assert_null(pz_avro_field_find(s, "description"));
	assert_null(pz_avro_field_find(s, "NOPE"));
	assert_string_equal(
	    s->json,
	    "{\"type\":\"record\",\"name\":\"Items\",\"namespace\":"
	    "\"com.amazonaws.personalize.schema\",\"fields\":[{\"name\":"
	    "\"ITEM_ID\",\"type\":\"string\"},{\"name\":\"GENRE\",\"type\":"
	    "[\"null\",\"string\"],\"categorical\":true},{\"name\":"
	    "\"PRICE\",\"type\":\"double\"},{\"name\":\"DESCRIPTION\","
	    "\"type\":\"string\",\"textual\":true},{\"name\":"
	    "\"CREATION_TIMESTAMP\",\"type\":\"long\"}]}");
	pz_avro_schema_free(s);
	pz_diags_release(&d);
}

/* A schema written as a string: the JSON to send is the compact form of
 * the string, and the fields point into the spec file. */
static void test_output_from_string(void **state)
{
	static const char text[] =
	    "{\"schema\": \"{\\\"type\\\": \\\"record\\\", \\\"name\\\": "
	    "\\\"Users\\\", \\\"namespace\\\": "
	    "\\\"com.amazonaws.personalize.schema\\\", \\\"fields\\\": "
	    "[{\\\"name\\\": \\\"USER_ID\\\", \\\"type\\\": \\\"string\\\"}, "
	    "{\\\"name\\\": \\\"AGE\\\", \\\"type\\\": \\\"int\\\"}]}\"}\n";
	struct pz_avro_schema *s;
	struct pz_diags d;

	(void)state;
	pz_diags_init(&d);
	assert_int_equal(check(&s, &d, "t.json", text, "Users", NULL), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(
	    s->json,
	    "{\"type\":\"record\",\"name\":\"Users\",\"namespace\":"
	    "\"com.amazonaws.personalize.schema\",\"fields\":[{\"name\":"
	    "\"USER_ID\",\"type\":\"string\"},{\"name\":\"AGE\",\"type\":"
	    "\"int\"}]}");
	assert_int_equal(s->nfields, 2);
	/* {\"name\": \"AGE\"... starts at column 170 of the line */
	assert_int_equal(s->fields[1].pos.line, 1);
	assert_int_equal(s->fields[1].pos.col, 170);
	assert_int_equal(s->fields[1].pos.offset, 169);
	pz_avro_schema_free(s);
	pz_diags_release(&d);
}

/* {"schema": {...,"doc": "<n times pad>",...}} */
static char *padded(size_t n, const char *pad)
{
	struct pz_buf b;
	size_t i;

	pz_buf_init(&b, 0);
	assert_int_equal(
	    pz_buf_adds(&b, "{\"schema\": {\"type\": \"record\", \"name\": "
			    "\"Users\", \"namespace\": "
			    "\"com.amazonaws.personalize.schema\", "
			    "\"doc\": \""),
	    0);
	for (i = 0; i < n; i++)
		assert_int_equal(pz_buf_adds(&b, pad), 0);
	assert_int_equal(
	    pz_buf_adds(&b, "\", \"fields\": [{\"name\": \"USER_ID\", "
			    "\"type\": \"string\"}, {\"name\": \"AGE\", "
			    "\"type\": \"int\"}]}}\n"),
	    0);
	return pz_buf_detach(&b, NULL);
}

static void expect_length(size_t n, const char *pad, size_t chars)
{
	struct pz_avro_schema *s;
	struct pz_diags d;
	char *text = padded(n, pad), *msg;
	int r;

	pz_diags_init(&d);
	r = check(&s, &d, "t.json", text, "Users", NULL);
	if (chars <= PZ_AVRO_SCHEMA_MAX) {
		assert_int_equal(r, 0);
		assert_int_equal(d.n, 0);
		assert_int_equal(s->json_len, chars + (strlen(pad) - 1) * n);
		pz_avro_schema_free(s);
	} else {
		assert_int_equal(r, PZ_ESPEC);
		assert_int_equal(d.n, 1);
		assert_int_equal(d.items[0].pos.line, 1);
		assert_int_equal(d.items[0].pos.col, 12);
		msg = pz_xasprintf("the schema is %zu characters as JSON; "
				   "CreateSchema takes at most 20,000: remove "
				   "or shorten fields",
				   chars);
		assert_string_equal(d.items[0].message, msg);
		free(msg);
	}
	pz_diags_release(&d);
	free(text);
}

static void test_length_limit(void **state)
{
	struct pz_avro_schema *s;
	struct pz_diags d;
	char *text = padded(0, "");
	size_t base;

	(void)state;
	pz_diags_init(&d);
	assert_int_equal(check(&s, &d, "t.json", text, "Users", NULL), 0);
	base = s->json_len;
	pz_avro_schema_free(s);
	pz_diags_release(&d);
	free(text);
	/* Characters count, not bytes: 'é' is two bytes, one character. */
	expect_length(PZ_AVRO_SCHEMA_MAX - base, "x", PZ_AVRO_SCHEMA_MAX);
	expect_length(PZ_AVRO_SCHEMA_MAX - base + 1, "x",
		      PZ_AVRO_SCHEMA_MAX + 1);
	expect_length(PZ_AVRO_SCHEMA_MAX - base, "\xc3\xa9",
		      PZ_AVRO_SCHEMA_MAX);
	expect_length(PZ_AVRO_SCHEMA_MAX - base + 1, "\xc3\xa9",
		      PZ_AVRO_SCHEMA_MAX + 1);
}

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(pz_avro_type_name(PZ_AVRO_STRING), "string");
	assert_string_equal(pz_avro_type_name(PZ_AVRO_INT), "int");
	assert_string_equal(pz_avro_type_name(PZ_AVRO_LONG), "long");
	assert_string_equal(pz_avro_type_name(PZ_AVRO_FLOAT), "float");
	assert_string_equal(pz_avro_type_name(PZ_AVRO_DOUBLE), "double");
	assert_string_equal(pz_avro_type_name(PZ_AVRO_BOOLEAN), "boolean");
	assert_string_equal(pz_avro_type_name(PZ_AVRO_OTHER), "other");
	pz_avro_schema_free(NULL);
	assert_null(pz_avro_field_find(NULL, "X"));
}

/* Diagnostics of one check are added to what diags already holds, and
 * success means no error from this call. */
static void test_diags_accumulate(void **state)
{
	struct pz_avro_schema *s;
	struct pz_diags d;

	(void)state;
	pz_diags_init(&d);
	pz_diag_add(&d, E, "other.yaml", (struct pz_pos){1, 1, 0},
		    "an earlier problem");
	assert_int_equal(check(&s, &d, "t.yaml", cases[0].text, "Items", NULL),
			 0);
	assert_int_equal(d.n, 1);
	pz_avro_schema_free(s);
	pz_diags_release(&d);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_seed_schemas),
	    cmocka_unit_test(test_output),
	    cmocka_unit_test(test_output_from_string),
	    cmocka_unit_test(test_length_limit),
	    cmocka_unit_test(test_type_names),
	    cmocka_unit_test(test_diags_accumulate),
	};
	struct CMUnitTest tests[PZ_ARRAY_LEN(cases) + PZ_ARRAY_LEN(fixed)];
	size_t i;

	for (i = 0; i < PZ_ARRAY_LEN(cases); i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)(uintptr_t)&cases[i];
	}
	for (i = 0; i < PZ_ARRAY_LEN(fixed); i++)
		tests[PZ_ARRAY_LEN(cases) + i] = fixed[i];
	return _cmocka_run_group_tests("avro", tests, PZ_ARRAY_LEN(tests), NULL,
				       NULL);
}
