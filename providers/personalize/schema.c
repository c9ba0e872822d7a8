/*
 * schema.c - dataset schemas. Derived from each dataset's Avro schema;
 * account-wide and immutable, so pz names them <datasetGroup>-<Type>
 * unless the dataset says pz.schemaName (DESIGN.md §5). A changed
 * schema is a new schema (named <base>-<8 hex of its content>) that the
 * dataset moves to with UpdateDataset: created first, the old one
 * deleted after, the dataset and its data kept.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "avro.h"
#include "core/hash.h"
#include "core/plan.h"
#include "pers.h"

static void supply(const struct pz_spec *spec, const struct pz_resource *r,
		   cJSON *body)
{
	const struct pz_avro_schema *avro = r->origin ? r->origin->data : NULL;
	const char *domain = pz_pers_domain(spec);

	if (r->name)
		cJSON_AddStringToObject(body, "name", r->name);
	if (avro && avro->json)
		cJSON_AddStringToObject(body, "schema", avro->json);
	if (domain)
		cJSON_AddStringToObject(body, "domain", domain);
}

static void short_digest(const char *text, char out[9])
{
	char hex[65];

	pz_sha256_hex(text, strlen(text), hex);
	memcpy(out, hex, 8);
	out[8] = '\0';
}

static bool is_hex8(const char *s)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (!s[i] || !strchr("0123456789abcdef", s[i]))
			return false;
	return s[8] == '\0';
}

/* name without the -XXXXXXXX suffix pz adds when it replaces a schema. */
static void family_of(const char *name, char *out, size_t n)
{
	size_t l = strlen(name);

	snprintf(out, n, "%s", name);
	if (l > 9 && l - 9 < n && name[l - 9] == '-' && is_hex8(name + l - 8))
		out[l - 9] = '\0';
}

static const cJSON *field_named(const cJSON *fields, const char *name)
{
	const cJSON *f;

	cJSON_ArrayForEach(f, fields)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(f, "name");

		if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
			return f;
	}
	return NULL;
}

static bool accepts_null(const cJSON *field)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(field, "type"), *m;

	if (cJSON_IsString(t))
		return !strcmp(t->valuestring, "null");
	cJSON_ArrayForEach(m, t)
	{
		if (cJSON_IsString(m) && !strcmp(m->valuestring, "null"))
			return true;
	}
	return false;
}

bool pz_pers_schema_in_place(const char *old_json, const char *new_json,
			     const char *dataset_type, char *why, size_t n,
			     char *added, size_t nadded)
{
	cJSON *a = cJSON_Parse(old_json), *b = cJSON_Parse(new_json);
	const cJSON *fa = cJSON_GetObjectItemCaseSensitive(a, "fields");
	const cJSON *fb = cJSON_GetObjectItemCaseSensitive(b, "fields");
	const cJSON *f;
	bool ok = true;
	size_t used = 0;

	why[0] = '\0';
	if (nadded)
		added[0] = '\0';
	if (strcasecmp(dataset_type, "Items") &&
	    strcasecmp(dataset_type, "Users")) {
		snprintf(why, n,
			 "only Items and Users datasets can change their "
			 "schema in place");
		ok = false;
	} else if (!cJSON_IsArray(fa) || !cJSON_IsArray(fb)) {
		snprintf(why, n, "the recorded schema cannot be read");
		ok = false;
	}
	if (!ok)
		fa = fb = NULL;
	cJSON_ArrayForEach(f, fa)
	{
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(f, "name");
		const cJSON *g = cJSON_IsString(nm)
				     ? field_named(fb, nm->valuestring)
				     : NULL;

		if (!g) {
			snprintf(why, n, "field %s is removed",
				 cJSON_IsString(nm) ? nm->valuestring : "?");
			ok = false;
			break;
		}
		if (!cJSON_Compare(f, g, 1)) {
			snprintf(why, n,
				 "field %s changes its type or attributes",
				 nm->valuestring);
			ok = false;
			break;
		}
	}
	if (!ok)
		fb = NULL;
	cJSON_ArrayForEach(f, fb)
	{
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(f, "name");

		if (!cJSON_IsString(nm) || field_named(fa, nm->valuestring))
			continue;
		if (!accepts_null(f)) {
			snprintf(why, n,
				 "added field %s does not accept null (give "
				 "it a type like [\"null\", \"string\"])",
				 nm->valuestring);
			ok = false;
			break;
		}
		if (used < nadded) {
			int k = snprintf(added + used, nadded - used, "%s%s",
					 used ? ", " : "", nm->valuestring);

			used += k > 0 ? (size_t)k : 0;
		}
	}
	cJSON_Delete(a);
	cJSON_Delete(b);
	return ok;
}

static void plan(struct pz_plan_ctx *ctx, const struct pz_resource *r,
		 struct pz_change *c)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->after, "name");
	const cJSON *have =
	    c->before ? cJSON_GetObjectItemCaseSensitive(c->before, "name")
		      : NULL;
	const cJSON *want =
	    cJSON_GetObjectItemCaseSensitive(c->after, "schema");
	char family[128], hex[9], name[128], wanted[128];

	if (!c->before) {
		c->action = PZ_ACTION_CREATE;
		return;
	}
	snprintf(wanted, sizeof(wanted), "%s",
		 cJSON_IsString(v) ? v->valuestring : "schema");
	/* A schema pz renamed on an earlier change is still this one. */
	if (cJSON_IsString(have)) {
		family_of(have->valuestring, family, sizeof(family));
		if (!strcmp(family, wanted))
			cJSON_ReplaceItemInObjectCaseSensitive(
			    c->after, "name",
			    cJSON_CreateString(have->valuestring));
	}
	pz_plan_diff(ctx, r, c);
	if (c->action != PZ_ACTION_REPLACE || !cJSON_IsString(want))
		return;
	/* The old schema stays in use until the dataset moves: the new one
	 * exists first, under a name of its own. */
	family_of(wanted, family, sizeof(family));
	short_digest(want->valuestring, hex);
	snprintf(name, sizeof(name), "%.54s-%s", family, hex);
	cJSON_ReplaceItemInObjectCaseSensitive(c->after, "name",
					       cJSON_CreateString(name));
	/* Shown as a change of its own; it is not what forces it. */
	c->update_paths = pz_xreallocarray(c->update_paths, c->nupdate + 1,
					   sizeof(*c->update_paths));
	c->update_paths[c->nupdate++] = pz_xstrdup("name");
}

/* A schema in use by a dataset cannot be deleted. */
static const struct pz_delete_blocker blockers[] = {
    {"dataset", PZ_BLOCK_DEPENDENT, NULL},
    {NULL, PZ_BLOCK_GROUP, NULL},
};

const struct pz_rtype pz_rtype_schema = {
    .replace = PZ_REPLACE_CREATE_FIRST,
    .delete_blockers = blockers,
    .name = "schema",
    .label = "schema",
    .create_op = "CreateSchema",
    .describe_op = "DescribeSchema",
    .delete_op = "DeleteSchema",
    .arn_member = "schemaArn",
    .response_key = "schema",
    PZ_PERS_ARN_OF_NAME("schema"),
    .order = 5,
    .supply = supply,
    .plan = plan,
};
