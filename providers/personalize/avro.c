/*
 * avro.c - Personalize dataset schemas: Avro records held to the rules of
 * Amazon Personalize. docs/spec-checks.md lists each rule and its source.
 *
 * The check walks the record once, collecting what it learns about each
 * field, then applies the dataset type's table (required and reserved
 * fields, metadata counts) and the length limit. It reports and goes on
 * after every problem, so one run shows them all.
 */
#include "avro.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/error.h"
#include "filterexpr.h"

#define PZ_AVRO_NAMESPACE "com.amazonaws.personalize.schema"

enum attr {
	ATTR_NONE,	  /* may not be categorical or textual */
	ATTR_CATEGORICAL, /* must be a categorical string */
	ATTR_TEXTUAL,	  /* must be a textual string */
};

/* A required or reserved field: its one type, and what it must be. */
struct rule {
	const char *name;
	enum pz_avro_type type;
	bool nullable; /* a union with "null" is allowed */
	enum attr attr;
	bool required;
};

struct dataset_rules {
	const char *type;
	const char *domain; /* NULL: custom dataset groups */
	const struct rule *rules;
	size_t nrules;
	size_t min_metadata; /* usable metadata fields required */
	size_t max_metadata; /* 0 when no limit is documented */
};

/* clang-format off */
#define STR   PZ_AVRO_STRING
#define LONG  PZ_AVRO_LONG
#define FLT   PZ_AVRO_FLOAT
#define CATEG .attr = ATTR_CATEGORICAL
#define TEXT  .attr = ATTR_TEXTUAL
#define REQ   .required = true
#define NUL   .nullable = true

static const struct rule custom_interactions[] = {
	{"USER_ID", STR, REQ},
	{"ITEM_ID", STR, REQ},
	{"TIMESTAMP", LONG, REQ},
	{"EVENT_TYPE", STR},
	{"EVENT_VALUE", FLT, NUL},
	{"IMPRESSION", STR, NUL},
	{"RECOMMENDATION_ID", STR, NUL},
	{"EVENT_ATTRIBUTION_SOURCE", STR, NUL},
};

static const struct rule domain_interactions[] = {
	{"USER_ID", STR, REQ},
	{"ITEM_ID", STR, REQ},
	{"TIMESTAMP", LONG, REQ},
	{"EVENT_TYPE", STR, REQ},
	{"EVENT_VALUE", FLT, NUL},
	{"IMPRESSION", STR, NUL},
	{"RECOMMENDATION_ID", STR, NUL},
	{"EVENT_ATTRIBUTION_SOURCE", STR, NUL},
};

static const struct rule custom_users[] = {
	{"USER_ID", STR, REQ},
};

static const struct rule vod_users[] = {
	{"USER_ID", STR, REQ},
	{"SUBSCRIPTION_MODEL", STR, CATEG, NUL},
};

static const struct rule custom_items[] = {
	{"ITEM_ID", STR, REQ},
	{"CREATION_TIMESTAMP", LONG},
};

static const struct rule ecommerce_items[] = {
	{"ITEM_ID", STR, REQ},
	{"PRICE", FLT, REQ},
	{"CATEGORY_L1", STR, CATEG, REQ},
	{"CATEGORY_L2", STR, CATEG, NUL},
	{"CATEGORY_L3", STR, CATEG, NUL},
	{"PRODUCT_DESCRIPTION", STR, TEXT, NUL},
	{"CREATION_TIMESTAMP", LONG},
	{"AGE_GROUP", STR, CATEG, NUL},
	{"ADULT", STR, CATEG, NUL},
	{"GENDER", STR, CATEG, NUL},
};

static const struct rule vod_items[] = {
	{"ITEM_ID", STR, REQ},
	{"CREATION_TIMESTAMP", LONG, REQ},
	{"GENRES", STR, CATEG, REQ},
	{"PRICE", FLT, NUL},
	{"DURATION", FLT, NUL},
	{"GENRE_L2", STR, CATEG, NUL},
	{"GENRE_L3", STR, CATEG, NUL},
	{"AVERAGE_RATING", FLT, NUL},
	{"PRODUCT_DESCRIPTION", STR, TEXT, NUL},
	{"CONTENT_OWNER", STR, CATEG, NUL},
	{"CONTENT_CLASSIFICATION", STR, CATEG, NUL},
};

static const struct rule custom_actions[] = {
	{"ACTION_ID", STR, REQ},
	{"CREATION_TIMESTAMP", LONG},
	{"VALUE", LONG, NUL},
	{"TYPE", STR, NUL},
	{"EXPIRATION_TIMESTAMP", LONG, NUL},
	{"REPEAT_FREQUENCY", LONG, NUL},
};

static const struct rule custom_action_interactions[] = {
	{"USER_ID", STR, REQ},
	{"ACTION_ID", STR, REQ},
	{"EVENT_TYPE", STR, REQ},
	{"TIMESTAMP", LONG, REQ},
	{"IMPRESSION", STR, NUL},
	{"RECOMMENDATION_ID", STR, NUL},
};

#undef STR
#undef LONG
#undef FLT
#undef CATEG
#undef TEXT
#undef REQ
#undef NUL

#define RULES(t) t, PZ_ARRAY_LEN(t)

static const struct dataset_rules dataset_rules[] = {
	{"Interactions", NULL, RULES(custom_interactions), 0, 5},
	{"Users", NULL, RULES(custom_users), 1, 25},
	{"Items", NULL, RULES(custom_items), 1, 100},
	{"Actions", NULL, RULES(custom_actions), 1, 10},
	{"ActionInteractions", NULL, RULES(custom_action_interactions), 0, 0},
	{"Interactions", "ECOMMERCE", RULES(domain_interactions), 0, 5},
	{"Users", "ECOMMERCE", RULES(custom_users), 1, 25},
	{"Items", "ECOMMERCE", RULES(ecommerce_items), 0, 100},
	{"Interactions", "VIDEO_ON_DEMAND", RULES(domain_interactions), 0, 5},
	{"Users", "VIDEO_ON_DEMAND", RULES(vod_users), 1, 25},
	{"Items", "VIDEO_ON_DEMAND", RULES(vod_items), 0, 100},
};
/* clang-format on */

static const char *const schema_keys[] = {
    "type", "name", "namespace", "fields", "version", "doc", "aliases",
};

static const char *const field_keys[] = {
    "name", "type",    "categorical", "textual",
    "doc",  "default", "order",	      "aliases",
};

/* Avro's primitive types, in enum pz_avro_type order, then "null". */
static const char *const type_names[] = {
    "string", "int", "long", "float", "double", "boolean", "null",
};

/* Names people write for Avro's, from other schema languages. */
static const struct {
	const char *alias, *name;
} type_aliases[] = {
    {"integer", "int"},	   {"str", "string"},	 {"text", "string"},
    {"bool", "boolean"},   {"number", "double"}, {"bigint", "long"},
    {"timestamp", "long"},
};

/* Avro types Personalize does not take. */
static const char *const unsupported_types[] = {
    "bytes", "record", "enum", "array", "map", "fixed",
};

/* What the walk learns about one field. */
struct fld {
	struct pz_avro_field f;
	const struct pz_node *map, *name, *type, *categorical, *textual;
	const struct rule *rule;
	bool typed;	/* type parsed into f.type and f.nullable */
	char label[32]; /* "field 3" for messages when it has no name */
};

struct ctx {
	const char *file;
	struct pz_diags *diags;
	const struct pz_node *str; /* the string node the schema came in */
	const char *dataset_type;
	const char *domain;
	const struct dataset_rules *rules; /* NULL: unknown type */
	struct fld *flds;
	size_t nflds;
	const struct fld *textual; /* the first textual field */
};

/* A position of the schema's tree as a position in the spec file. */
static struct pz_pos at(const struct ctx *c, struct pz_pos p)
{
	bool exact;

	if (!c->str)
		return p;
	return pz_filter_scalar_pos(
	    c->file, c->str, p.offset < c->str->len ? p.offset : c->str->len,
	    &exact);
}

static void report(struct ctx *c, enum pz_severity sev, struct pz_pos p,
		   const char *fmt, ...) PZ_PRINTF(4, 5);

static void report(struct ctx *c, enum pz_severity sev, struct pz_pos p,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pz_diag_vadd(c->diags, sev, c->file, at(c, p), fmt, ap);
	va_end(ap);
}

#define ERR(c, p, ...)	report(c, PZ_SEV_ERROR, p, __VA_ARGS__)
#define WARN(c, p, ...) report(c, PZ_SEV_WARNING, p, __VA_ARGS__)

const char *pz_avro_type_name(enum pz_avro_type t)
{
	if ((size_t)t < PZ_ARRAY_LEN(type_names) - 1)
		return type_names[t];
	return "other";
}

static bool is_avro_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
	      *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static const char *lookup(const char *s, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return names[i];
	return NULL;
}

/* "a map", "a list", "a number", ... of a node, for messages. */
static const char *kind_of(const struct pz_node *n)
{
	return pz_node_kind_name(n->kind);
}

static const char *fld_name(const struct fld *d)
{
	return d->f.name ? d->f.name : d->label;
}

/* "field 'X'" or "field 3": the subject of a field's messages. */
#define FLD_FMT	    "field %s%s%s"
#define FLD_ARGS(d) (d)->f.name ? "'" : "", fld_name(d), (d)->f.name ? "'" : ""

static void check_unknown_keys(struct ctx *c, const struct pz_node *map,
			       const char *const *known, size_t nknown,
			       const struct fld *d)
{
	size_t i;

	for (i = 0; i < map->npairs; i++) {
		const struct pz_pair *p = &map->pairs[i];
		const char *best;

		if (lookup(p->key, known, nknown))
			continue;
		best = pz_str_suggest(p->key, known, nknown);
		if (d && best)
			ERR(c, p->key_pos,
			    FLD_FMT ": unknown attribute '%s'; did you mean "
				    "'%s'?",
			    FLD_ARGS(d), p->key, best);
		else if (d)
			ERR(c, p->key_pos,
			    FLD_FMT ": unknown attribute '%s' (a field has "
				    "name and type, and may have categorical, "
				    "textual, doc, default, order and aliases)",
			    FLD_ARGS(d), p->key);
		else if (best)
			ERR(c, p->key_pos,
			    "unknown schema attribute '%s'; did you mean '%s'?",
			    p->key, best);
		else
			ERR(c, p->key_pos,
			    "unknown schema attribute '%s' (a schema has type, "
			    "name, namespace, fields and version, and may have "
			    "doc and aliases)",
			    p->key);
	}
}

/* Parses one type name (a union member when in_union). */
static bool parse_type_name(struct ctx *c, struct fld *d,
			    const struct pz_node *n, enum pz_avro_type *t,
			    bool in_union)
{
	const char *best;
	size_t i;

	if (n->kind == PZ_NODE_NULL) {
		ERR(c, n->pos,
		    FLD_FMT ": write \"null\" in quotes; a bare null is no "
			    "type name",
		    FLD_ARGS(d));
		return false;
	}
	if (n->kind != PZ_NODE_STR) {
		ERR(c, n->pos,
		    FLD_FMT ": a type is a name such as \"string\", not %s",
		    FLD_ARGS(d), kind_of(n));
		return false;
	}
	for (i = 0; i < PZ_ARRAY_LEN(type_names); i++) {
		if (strcmp(n->str, type_names[i]))
			continue;
		if (i == PZ_ARRAY_LEN(type_names) - 1 && !in_union) {
			ERR(c, n->pos,
			    FLD_FMT ": type \"null\" alone holds no data; "
				    "make it a union such as [\"null\", "
				    "\"string\"]",
			    FLD_ARGS(d));
			return false;
		}
		*t = (enum pz_avro_type)i;
		return true;
	}
	if (lookup(n->str, unsupported_types,
		   PZ_ARRAY_LEN(unsupported_types))) {
		ERR(c, n->pos,
		    FLD_FMT ": Personalize does not support the Avro type "
			    "\"%s\"; use string, int, long, float, double or "
			    "boolean",
		    FLD_ARGS(d), n->str);
		return false;
	}
	best = pz_str_suggest(n->str, type_names, PZ_ARRAY_LEN(type_names));
	for (i = 0; i < PZ_ARRAY_LEN(type_aliases); i++)
		if (!strcasecmp(n->str, type_aliases[i].alias))
			best = type_aliases[i].name;
	if (best)
		ERR(c, n->pos,
		    FLD_FMT ": unknown type \"%s\"; did you mean \"%s\"?",
		    FLD_ARGS(d), n->str, best);
	else
		ERR(c, n->pos,
		    FLD_FMT ": unknown type \"%s\"; use string, int, long, "
			    "float, double or boolean",
		    FLD_ARGS(d), n->str);
	return false;
}

static void parse_type(struct ctx *c, struct fld *d)
{
	const struct pz_node *n = d->type;
	enum pz_avro_type t[2];
	size_t i, nulls = 0, good = 0;

	if (n->kind != PZ_NODE_SEQ && n->kind != PZ_NODE_MAP) {
		if (parse_type_name(c, d, n, &t[0], false)) {
			d->f.type = t[0];
			d->typed = true;
		}
		return;
	}
	if (n->kind == PZ_NODE_MAP) {
		ERR(c, n->pos,
		    FLD_FMT ": Personalize schemas are flat; a type is a name "
			    "such as \"string\" or a union such as [\"null\", "
			    "\"string\"], not a map",
		    FLD_ARGS(d));
		return;
	}
	for (i = 0; i < n->nitems; i++) {
		enum pz_avro_type x;

		if (!parse_type_name(c, d, n->items[i], &x, true))
			continue;
		if ((size_t)x == PZ_ARRAY_LEN(type_names) - 1)
			nulls++;
		else if (good < 2)
			t[good++] = x;
		else
			good++;
	}
	if (n->nitems != 2 || nulls != 1 || good != 1) {
		/* Members already reported as bad need no second word. */
		if (nulls + good == n->nitems)
			ERR(c, n->pos,
			    FLD_FMT ": a union must be \"null\" and one other "
				    "type, such as [\"null\", \"string\"]",
			    FLD_ARGS(d));
		return;
	}
	d->f.type = t[0];
	d->f.nullable = true;
	d->typed = true;
}

static void parse_flag(struct ctx *c, struct fld *d, const char *key,
		       const struct pz_node **slot, bool *flag)
{
	const struct pz_node *v = pz_node_get(d->map, key);

	if (!v)
		return;
	*slot = v;
	if (v->kind != PZ_NODE_BOOL) {
		ERR(c, v->pos, FLD_FMT ": \"%s\" must be true or false, not %s",
		    FLD_ARGS(d), key, kind_of(v));
		return;
	}
	*flag = v->b;
}

/* Names that Personalize would take as the same column. */
static bool same_column(const char *a, const char *b)
{
	for (;;) {
		while (*a &&
		       !((*a >= 'A' && *a <= 'Z') || (*a >= 'a' && *a <= 'z') ||
			 (*a >= '0' && *a <= '9')))
			a++;
		while (*b &&
		       !((*b >= 'A' && *b <= 'Z') || (*b >= 'a' && *b <= 'z') ||
			 (*b >= '0' && *b <= '9')))
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if ((*a | 0x20) != (*b | 0x20))
			return false;
		a++;
		b++;
	}
}

static void parse_field(struct ctx *c, struct fld *d, size_t index)
{
	const struct pz_node *n = d->map;
	size_t k;

	snprintf(d->label, sizeof(d->label), "%zu", index + 1);
	d->f.pos = at(c, n->pos);
	d->f.type = PZ_AVRO_OTHER;
	if (n->kind != PZ_NODE_MAP) {
		ERR(c, n->pos,
		    "field %zu: a field is a map with a name and a type, "
		    "not %s",
		    index + 1, kind_of(n));
		return;
	}
	d->name = pz_node_get(n, "name");
	if (!d->name) {
		ERR(c, n->pos, "field %zu has no \"name\"", index + 1);
	} else if (d->name->kind != PZ_NODE_STR) {
		ERR(c, d->name->pos,
		    "field %zu: \"name\" must be a string, not %s", index + 1,
		    kind_of(d->name));
	} else if (!is_avro_name(d->name->str)) {
		ERR(c, d->name->pos,
		    "field name '%s' is not a valid Avro name: use letters, "
		    "digits and '_', and do not start with a digit",
		    d->name->str);
	} else {
		d->f.name = d->name->str;
	}
	check_unknown_keys(c, n, field_keys, PZ_ARRAY_LEN(field_keys), d);
	d->type = pz_node_get(n, "type");
	if (!d->type)
		ERR(c, n->pos, FLD_FMT " has no \"type\"", FLD_ARGS(d));
	else
		parse_type(c, d);
	parse_flag(c, d, "categorical", &d->categorical, &d->f.categorical);
	parse_flag(c, d, "textual", &d->textual, &d->f.textual);
	if (!d->f.name)
		return;
	for (k = 0; k < index; k++) {
		const struct fld *o = &c->flds[k];
		struct pz_pos op;

		if (!o->f.name || !same_column(o->f.name, d->f.name))
			continue;
		op = at(c, o->name->pos);
		if (!strcmp(o->f.name, d->f.name))
			ERR(c, d->name->pos,
			    "duplicate field '%s' (first at line %u, column "
			    "%u)",
			    d->f.name, op.line, op.col);
		else
			ERR(c, d->name->pos,
			    "field '%s' clashes with field '%s' (line %u): "
			    "Personalize needs names that differ in more than "
			    "case and non-alphanumeric characters",
			    d->f.name, o->f.name, op.line);
		break;
	}
}

static const struct rule *find_rule(const struct dataset_rules *r,
				    const char *name)
{
	size_t i;

	for (i = 0; r && i < r->nrules; i++)
		if (!strcmp(r->rules[i].name, name))
			return &r->rules[i];
	return NULL;
}

/* "Interactions" or "ECOMMERCE Items": whose schema a message means. */
static const char *whose(const struct ctx *c, char *buf, size_t n)
{
	if (c->rules && c->rules->domain)
		snprintf(buf, n, "%s %s", c->rules->domain, c->dataset_type);
	else
		snprintf(buf, n, "%s", c->dataset_type);
	return buf;
}

static const char *rule_what(const struct rule *r, char *buf, size_t n)
{
	if (r->attr == ATTR_CATEGORICAL)
		snprintf(buf, n, "a categorical string");
	else if (r->attr == ATTR_TEXTUAL)
		snprintf(buf, n, "a textual string");
	else
		snprintf(buf, n, "type %s", pz_avro_type_name(r->type));
	return buf;
}

/* A required or reserved field against its rule. */
static void check_ruled(struct ctx *c, const struct fld *d)
{
	const struct rule *r = d->rule;
	char who[64];

	whose(c, who, sizeof(who));
	if (d->typed && d->f.type != r->type)
		ERR(c, d->type->pos,
		    "field '%s' must be of type %s%s in %s schemas, not %s",
		    d->f.name, pz_avro_type_name(r->type),
		    r->nullable ? " (optionally with \"null\")" : "", who,
		    pz_avro_type_name(d->f.type));
	else if (d->typed && d->f.nullable && !r->nullable)
		ERR(c, d->type->pos,
		    "field '%s' cannot be null in %s schemas: write \"type\": "
		    "\"%s\"",
		    d->f.name, who, pz_avro_type_name(r->type));
	if (r->attr == ATTR_CATEGORICAL && !d->f.categorical)
		ERR(c, d->categorical ? d->categorical->pos : d->map->pos,
		    "field '%s' is a categorical string in %s schemas: add "
		    "\"categorical\": true",
		    d->f.name, who);
	if (r->attr == ATTR_TEXTUAL && !d->f.textual)
		ERR(c, d->textual ? d->textual->pos : d->map->pos,
		    "field '%s' is a textual string in %s schemas: add "
		    "\"textual\": true",
		    d->f.name, who);
	if (r->attr != ATTR_CATEGORICAL && d->f.categorical)
		ERR(c, d->categorical->pos,
		    "field '%s' is reserved in %s schemas and cannot be "
		    "categorical: remove \"categorical\": true",
		    d->f.name, who);
	if (r->attr != ATTR_TEXTUAL && d->f.textual)
		ERR(c, d->textual->pos,
		    "field '%s' is reserved in %s schemas and cannot be "
		    "textual: remove \"textual\": true",
		    d->f.name, who);
}

/* Checks that do not depend on the dataset type's table. */
static void check_attrs(struct ctx *c, struct fld *d)
{
	bool is_string = d->typed && d->f.type == PZ_AVRO_STRING;
	bool items = !strcmp(c->dataset_type, "Items");

	if (d->rule) {
		/* check_ruled said the rest but for the one textual field. */
		if (!d->f.textual || d->rule->attr != ATTR_TEXTUAL)
			return;
		if (c->textual)
			ERR(c, d->textual->pos,
			    FLD_FMT ": an Items schema can have only one "
				    "textual field ('%s' is textual already)",
			    FLD_ARGS(d), fld_name(c->textual));
		else
			c->textual = d;
		return;
	}
	if (d->f.categorical && d->typed && !is_string)
		ERR(c, d->categorical->pos,
		    FLD_FMT ": \"categorical\": true is only allowed on string "
			    "fields (%s is %s)",
		    FLD_ARGS(d), fld_name(d), pz_avro_type_name(d->f.type));
	if (!d->f.textual)
		return;
	if (d->f.categorical) {
		ERR(c, d->textual->pos,
		    FLD_FMT " cannot be both categorical and textual: keep "
			    "one",
		    FLD_ARGS(d));
	} else if (d->typed && !is_string) {
		ERR(c, d->textual->pos,
		    FLD_FMT ": \"textual\": true is only allowed on string "
			    "fields (%s is %s)",
		    FLD_ARGS(d), fld_name(d), pz_avro_type_name(d->f.type));
	} else if (!items) {
		ERR(c, d->textual->pos,
		    FLD_FMT ": \"textual\": true is only allowed in Items "
			    "schemas",
		    FLD_ARGS(d));
	} else if (c->textual) {
		ERR(c, d->textual->pos,
		    FLD_FMT ": an Items schema can have only one textual field "
			    "('%s' is textual already)",
		    FLD_ARGS(d), fld_name(c->textual));
	} else {
		c->textual = d;
	}
}

/* A field that is neither required nor reserved, and what it is worth. */
static bool usable_metadata(const struct fld *d)
{
	if (!d->typed || d->f.type == PZ_AVRO_BOOLEAN)
		return false;
	if (d->f.type == PZ_AVRO_STRING)
		return d->f.categorical || d->f.textual;
	return true;
}

static void warn_metadata(struct ctx *c, const struct fld *d)
{
	if (!d->typed || !d->f.name)
		return;
	if (d->f.type == PZ_AVRO_BOOLEAN)
		WARN(c, d->type->pos,
		     "field '%s' is boolean: Personalize does not use boolean "
		     "fields for training or filtering; use a categorical "
		     "string (\"True\"/\"False\") or an int (0/1)",
		     d->f.name);
	else if (d->f.type == PZ_AVRO_STRING && !d->f.categorical &&
		 !d->f.textual)
		WARN(c, d->map->pos,
		     "field '%s' is a string without \"categorical\"%s: "
		     "Personalize does not use it for training; add "
		     "\"categorical\": true",
		     d->f.name,
		     !strcmp(c->dataset_type, "Items") ? " or \"textual\""
						       : "");
}

static void check_dataset(struct ctx *c, const struct pz_node *fields)
{
	const struct dataset_rules *rs = c->rules;
	char who[64], what[64];
	const char *names[128];
	size_t i, k, nnames = 0, nmeta = 0, usable = 0;
	bool broken = false; /* a field failed to parse: counts are off */

	whose(c, who, sizeof(who));
	for (i = 0; i < c->nflds; i++) {
		struct fld *d = &c->flds[i];

		broken |= !d->f.name || !d->typed;
		if (!d->f.name)
			continue;
		d->rule = find_rule(rs, d->f.name);
		if (d->rule) {
			check_ruled(c, d);
			continue;
		}
		if (nnames < PZ_ARRAY_LEN(names))
			names[nnames++] = d->f.name;
		if (usable_metadata(d))
			usable++;
		warn_metadata(c, d);
		if (rs && rs->max_metadata && ++nmeta == rs->max_metadata + 1)
			ERR(c, d->map->pos,
			    "field '%s' is metadata field %zu of the %s "
			    "schema; Personalize allows at most %zu besides "
			    "the required and reserved fields",
			    d->f.name, nmeta, who, rs->max_metadata);
	}
	for (i = 0; i < c->nflds; i++)
		check_attrs(c, &c->flds[i]);
	for (k = 0; rs && k < rs->nrules; k++) {
		const struct rule *r = &rs->rules[k];
		const char *best;

		for (i = 0; i < c->nflds; i++)
			if (c->flds[i].rule == r)
				break;
		if (!r->required || i < c->nflds)
			continue;
		best = pz_str_suggest(r->name, names, nnames);
		if (best)
			ERR(c, fields->pos,
			    "%s schema is missing the required field '%s' "
			    "(%s); is '%s' meant to be it?",
			    who, r->name, rule_what(r, what, sizeof(what)),
			    best);
		else
			ERR(c, fields->pos,
			    "%s schema is missing the required field '%s' (%s)",
			    who, r->name, rule_what(r, what, sizeof(what)));
	}
	if (rs && usable < rs->min_metadata && !broken)
		ERR(c, fields->pos,
		    "%s schema needs at least one metadata field besides the "
		    "required and reserved ones: a categorical %sstring or a "
		    "number",
		    who,
		    !strcmp(c->dataset_type, "Items") ? "or textual " : "");
}

/* The record's own attributes; returns its "fields" when they are a list
 * with something in it. */
static const struct pz_node *check_record(struct ctx *c,
					  const struct pz_node *root)
{
	const struct pz_node *v;

	check_unknown_keys(c, root, schema_keys, PZ_ARRAY_LEN(schema_keys),
			   NULL);
	v = pz_node_get(root, "type");
	if (!v)
		ERR(c, root->pos, "the schema needs \"type\": \"record\"");
	else if (v->kind != PZ_NODE_STR)
		ERR(c, v->pos,
		    "the schema's \"type\" must be \"record\", not %s",
		    kind_of(v));
	else if (strcmp(v->str, "record"))
		ERR(c, v->pos,
		    "the schema's \"type\" must be \"record\", not \"%s\"",
		    v->str);
	v = pz_node_get(root, "name");
	if (!v) {
		if (c->rules)
			ERR(c, root->pos,
			    "the schema needs a \"name\": Personalize wants "
			    "the dataset type, \"%s\"",
			    c->dataset_type);
		else
			ERR(c, root->pos, "the schema needs a \"name\"");
	} else if (v->kind != PZ_NODE_STR) {
		ERR(c, v->pos, "the schema's \"name\" must be a string, not %s",
		    kind_of(v));
	} else if (c->rules && strcmp(v->str, c->dataset_type)) {
		ERR(c, v->pos,
		    "the schema's \"name\" is '%s'; Personalize requires the "
		    "dataset type, \"%s\"",
		    v->str, c->dataset_type);
	}
	v = pz_node_get(root, "namespace");
	if (!v)
		WARN(c, root->pos,
		     "the schema has no \"namespace\"; Personalize schemas "
		     "use \"" PZ_AVRO_NAMESPACE "\"");
	else if (v->kind != PZ_NODE_STR || strcmp(v->str, PZ_AVRO_NAMESPACE))
		WARN(c, v->pos,
		     "the schema's \"namespace\" is %s%s%s; Personalize "
		     "schemas use \"" PZ_AVRO_NAMESPACE "\"",
		     v->kind == PZ_NODE_STR ? "'" : "",
		     v->kind == PZ_NODE_STR ? v->str : kind_of(v),
		     v->kind == PZ_NODE_STR ? "'" : "");
	v = pz_node_get(root, "version");
	if (v && v->kind != PZ_NODE_STR)
		ERR(c, v->pos,
		    "the schema's \"version\" must be a string such as "
		    "\"1.0\", not %s%s",
		    kind_of(v), !c->str && !v->quoted ? " (quote it)" : "");
	v = pz_node_get(root, "fields");
	if (!v) {
		ERR(c, root->pos,
		    "the schema needs \"fields\", the list of its fields");
		return NULL;
	}
	if (v->kind != PZ_NODE_SEQ) {
		ERR(c, v->pos, "the schema's \"fields\" must be a list, not %s",
		    kind_of(v));
		return NULL;
	}
	if (!v->nitems) {
		ERR(c, v->pos, "the schema's \"fields\" is empty");
		return NULL;
	}
	return v;
}

static size_t utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static void copy_out(struct pz_avro_schema *s, const struct ctx *c,
		     const struct pz_node *root)
{
	const struct pz_node *name = pz_node_get(root, "name");
	size_t i;

	pz_arena_init(&s->arena);
	s->nfields = c->nflds;
	s->fields = pz_arena_alloc(&s->arena, (c->nflds ? c->nflds : 1) *
						  sizeof(*s->fields));
	for (i = 0; i < c->nflds; i++) {
		s->fields[i] = c->flds[i].f;
		s->fields[i].name =
		    pz_arena_strdup(&s->arena, c->flds[i].f.name);
	}
	s->name = pz_arena_strdup(&s->arena, name ? name->str : "");
	s->dataset_type = pz_arena_strdup(&s->arena, c->dataset_type);
	s->domain = c->domain ? pz_arena_strdup(&s->arena, c->domain) : NULL;
}

/* Loads a schema written as a string; its diagnostics are mapped into
 * the spec file. */
static int load_string(struct pz_doc **doc, struct ctx *c,
		       const struct pz_node *str)
{
	struct pz_diags tmp;
	size_t i;
	int r;

	*doc = NULL;
	if (!str->str[strspn(str->str, " \t\r\n")]) {
		pz_diag_add(c->diags, PZ_SEV_ERROR, c->file, str->pos,
			    "the schema string is empty: give the schema's "
			    "JSON, or write the schema as a map");
		return PZ_ESPEC;
	}
	pz_diags_init(&tmp);
	r = pz_doc_load(doc, "schema.json", str->str, str->len, &tmp);
	for (i = 0; i < tmp.n; i++)
		report(c, tmp.items[i].severity, tmp.items[i].pos,
		       "in the schema string: %s", tmp.items[i].message);
	pz_diags_release(&tmp);
	return r;
}

int pz_avro_check(struct pz_avro_schema **out, const char *file,
		  const struct pz_node *schema, const char *dataset_type,
		  const char *domain, struct pz_diags *diags)
{
	struct pz_avro_schema *s = NULL;
	struct pz_doc *doc = NULL;
	const struct pz_node *root = schema, *fields;
	struct pz_buf json;
	struct ctx c;
	size_t i, errors = diags->nerrors, nchars;
	int r = PZ_ESPEC;

	PZ_ASSERT(schema && dataset_type && diags);
	*out = NULL;
	memset(&c, 0, sizeof(c));
	pz_buf_init(&json, 0);
	c.file = file;
	c.diags = diags;
	c.dataset_type = dataset_type;
	if (domain && (!strcmp(domain, "ECOMMERCE") ||
		       !strcmp(domain, "VIDEO_ON_DEMAND")))
		c.domain = domain;
	for (i = 0; i < PZ_ARRAY_LEN(dataset_rules); i++) {
		const struct dataset_rules *d = &dataset_rules[i];

		if (!strcmp(d->type, dataset_type) &&
		    (d->domain ? c.domain && !strcmp(d->domain, c.domain)
			       : !c.domain))
			c.rules = d;
	}
	/* Actions datasets are custom only: their custom rules apply. */
	for (i = 0; !c.rules && i < PZ_ARRAY_LEN(dataset_rules); i++)
		if (!strcmp(dataset_rules[i].type, dataset_type) &&
		    !dataset_rules[i].domain)
			c.rules = &dataset_rules[i];

	if (schema->kind == PZ_NODE_STR) {
		c.str = schema;
		if (load_string(&doc, &c, schema))
			goto out;
		root = doc->root;
	}
	if (root->kind != PZ_NODE_MAP) {
		ERR(&c, root->pos,
		    "a dataset schema is an Avro record: a map, or a string "
		    "holding its JSON, not %s",
		    kind_of(root));
		goto out;
	}
	fields = check_record(&c, root);
	if (fields) {
		c.nflds = fields->nitems;
		c.flds = pz_xcalloc(c.nflds, sizeof(*c.flds));
		for (i = 0; i < c.nflds; i++) {
			c.flds[i].map = fields->items[i];
			parse_field(&c, &c.flds[i], i);
		}
		check_dataset(&c, fields);
	}
	if (pz_node_to_json(root, &json))
		PZ_BUG("schema JSON over %zu bytes",
		       (size_t)PZ_BUF_MAX_DEFAULT);
	nchars = utf8_chars(json.ptr, json.len);
	if (nchars > PZ_AVRO_SCHEMA_MAX)
		pz_diag_add(
		    diags, PZ_SEV_ERROR, file, schema->pos,
		    "the schema is %zu characters as JSON; CreateSchema "
		    "takes at most 20,000: remove or shorten fields",
		    nchars);
	if (diags->nerrors > errors || !fields)
		goto out;

	s = pz_xcalloc(1, sizeof(*s));
	copy_out(s, &c, root);
	s->json = pz_buf_detach(&json, &s->json_len);
	*out = s;
	r = 0;
out:
	free(c.flds);
	pz_buf_release(&json);
	pz_doc_free(doc);
	return r;
}

void pz_avro_schema_free(struct pz_avro_schema *s)
{
	if (!s)
		return;
	pz_arena_release(&s->arena);
	free(s->json);
	free(s);
}

const struct pz_avro_field *pz_avro_field_find(const struct pz_avro_schema *s,
					       const char *name)
{
	size_t i;

	for (i = 0; s && i < s->nfields; i++)
		if (!strcmp(s->fields[i].name, name))
			return &s->fields[i];
	return NULL;
}
