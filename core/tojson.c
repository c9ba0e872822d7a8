/*
 * tojson.c - spec nodes as typed API values.
 */
#include "tojson.h"

#include <stdlib.h>
#include <string.h>

#include "json_out.h"

static cJSON *scalar_string(const struct pz_node *n)
{
	return pz_node_is_scalar(n) && n->kind != PZ_NODE_NULL
		   ? cJSON_CreateString(n->str)
		   : NULL;
}

static void set_tag(cJSON *list, const char *key,
		    const struct pz_node *value_node)
{
	const char *value = pz_node_str(value_node);
	cJSON *t, *v;

	if (!value)
		return;
	v = cJSON_CreateString(value);
	if (value_node->sensitive)
		pz_json_mark_sensitive(v);

	cJSON_ArrayForEach(t, list)
	{
		cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "tagKey");

		if (cJSON_IsString(k) && !strcmp(k->valuestring, key)) {
			cJSON_ReplaceItemInObjectCaseSensitive(t, "tagValue",
							       v);
			return;
		}
	}
	t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "tagKey", key);
	cJSON_AddItemToObject(t, "tagValue", v);
	cJSON_AddItemToArray(list, t);
}

void pz_tags_merge(cJSON *list, const struct pz_node *tags)
{
	size_t i;

	if (!tags)
		return;
	if (tags->kind == PZ_NODE_MAP) {
		for (i = 0; i < tags->npairs; i++)
			set_tag(list, tags->pairs[i].key, tags->pairs[i].value);
	} else if (tags->kind == PZ_NODE_SEQ) {
		for (i = 0; i < tags->nitems; i++) {
			const char *k =
			    pz_node_str(pz_node_get(tags->items[i], "tagKey"));
			const struct pz_node *v =
			    pz_node_get(tags->items[i], "tagValue");

			if (k)
				set_tag(list, k, v);
		}
	}
}

static cJSON *to_api(const struct pz_node *n, const struct pz_shape *shape)
{
	cJSON *out;
	size_t i;

	if (!n || n->invalid || n->kind == PZ_NODE_NULL)
		return NULL;
	switch (shape->type) {
	case PZ_SHAPE_STRING:
	case PZ_SHAPE_TIMESTAMP:
	case PZ_SHAPE_BLOB: return scalar_string(n);
	case PZ_SHAPE_INTEGER:
	case PZ_SHAPE_LONG:
		if (n->kind == PZ_NODE_INT)
			return cJSON_CreateNumber((double)n->i);
		if (n->kind == PZ_NODE_STR && n->interpolated)
			return cJSON_CreateNumber(strtod(n->str, NULL));
		return NULL;
	case PZ_SHAPE_DOUBLE:
	case PZ_SHAPE_FLOAT:
		if (n->kind == PZ_NODE_INT || n->kind == PZ_NODE_FLOAT)
			return cJSON_CreateNumber(n->d);
		if (n->kind == PZ_NODE_STR && n->interpolated)
			return cJSON_CreateNumber(strtod(n->str, NULL));
		return NULL;
	case PZ_SHAPE_BOOLEAN:
		if (n->kind == PZ_NODE_BOOL)
			return cJSON_CreateBool(n->b);
		if (n->kind == PZ_NODE_STR && n->interpolated)
			return cJSON_CreateBool(!strcmp(n->str, "true"));
		return NULL;
	case PZ_SHAPE_STRUCTURE:
		if (n->kind != PZ_NODE_MAP)
			return NULL;
		out = cJSON_CreateObject();
		for (i = 0; i < n->npairs; i++) {
			const struct pz_member *m =
			    pz_facts_member(shape, n->pairs[i].key);
			cJSON *v;

			if (!m)
				continue;
			v = pz_node_to_api(n->pairs[i].value,
					   pz_facts_shape(m->shape));
			if (v)
				cJSON_AddItemToObject(out, m->name, v);
		}
		return out;
	case PZ_SHAPE_LIST:
		if (n->kind != PZ_NODE_SEQ)
			return NULL;
		out = cJSON_CreateArray();
		for (i = 0; i < n->nitems; i++) {
			cJSON *v = pz_node_to_api(
			    n->items[i], pz_facts_shape(shape->member));

			if (v)
				cJSON_AddItemToArray(out, v);
		}
		return out;
	case PZ_SHAPE_MAP:
		if (n->kind != PZ_NODE_MAP)
			return NULL;
		out = cJSON_CreateObject();
		for (i = 0; i < n->npairs; i++) {
			cJSON *v = pz_node_to_api(n->pairs[i].value,
						  pz_facts_shape(shape->value));

			if (v)
				cJSON_AddItemToObject(out, n->pairs[i].key, v);
		}
		return out;
	case PZ_SHAPE_TAGS:
		out = cJSON_CreateArray();
		pz_tags_merge(out, n);
		return out;
	case PZ_SHAPE_JSON:
		return NULL; /* the type turns it into what the API takes */
	}
	return NULL;
}

cJSON *pz_node_to_api(const struct pz_node *n, const struct pz_shape *shape)
{
	cJSON *out = to_api(n, shape);

	return out && n->sensitive ? pz_json_mark_sensitive(out) : out;
}
