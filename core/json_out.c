/*
 * json_out.c - deterministic JSON writing and comparison.
 */
#include "json_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "unknown.h"

static int cmp_keys(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a;
	const cJSON *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

static int newline(struct pz_buf *out, int indent, int level)
{
	int r, i;

	if (indent < 0)
		return 0;
	r = pz_buf_addc(out, '\n');
	for (i = 0; i < indent * level && !r; i++)
		r = pz_buf_addc(out, ' ');
	return r;
}

static int write_number(struct pz_buf *out, double d)
{
	if (!isfinite(d))
		return pz_buf_adds(out, "null");
	if (d == floor(d) && fabs(d) < 9007199254740992.0)
		return pz_buf_printf(out, "%lld", (long long)d);
	return pz_buf_printf(out, "%.17g", d);
}

static int write_value(const cJSON *v, struct pz_buf *out, int indent,
		       int level)
{
	const cJSON *c;
	const cJSON **kids;
	size_t n = 0, i;
	int r = 0;

	if (pz_unknown_is(v))
		return pz_error_set(PZ_EINVAL,
				    "a value known only after apply (the ARN "
				    "of %s) cannot be written as JSON",
				    pz_unknown_ref(v));
	if (cJSON_IsRaw(v))
		PZ_BUG("a raw JSON item: pz makes none");
	if (cJSON_IsNull(v) || cJSON_IsInvalid(v))
		return pz_buf_adds(out, "null");
	if (cJSON_IsTrue(v))
		return pz_buf_adds(out, "true");
	if (cJSON_IsFalse(v))
		return pz_buf_adds(out, "false");
	if (cJSON_IsNumber(v))
		return write_number(out, v->valuedouble);
	if (cJSON_IsString(v))
		return pz_buf_add_json_str(out, v->valuestring,
					   strlen(v->valuestring));
	for (c = v->child; c; c = c->next)
		n++;
	if (cJSON_IsArray(v)) {
		if (!n)
			return pz_buf_adds(out, "[]");
		r = pz_buf_addc(out, '[');
		for (c = v->child, i = 0; c && !r; c = c->next, i++) {
			if (i)
				r = pz_buf_addc(out, ',');
			if (!r)
				r = newline(out, indent, level + 1);
			if (!r)
				r = write_value(c, out, indent, level + 1);
		}
		if (!r)
			r = newline(out, indent, level);
		return r ? r : pz_buf_addc(out, ']');
	}
	if (!n)
		return pz_buf_adds(out, "{}");
	kids = pz_xcalloc(n, sizeof(*kids));
	for (c = v->child, i = 0; c; c = c->next)
		kids[i++] = c;
	qsort(kids, n, sizeof(*kids), cmp_keys);
	r = pz_buf_addc(out, '{');
	for (i = 0; i < n && !r; i++) {
		if (i)
			r = pz_buf_addc(out, ',');
		if (!r)
			r = newline(out, indent, level + 1);
		if (!r)
			r = pz_buf_add_json_str(out, kids[i]->string,
						strlen(kids[i]->string));
		if (!r)
			r = pz_buf_adds(out, indent < 0 ? ":" : ": ");
		if (!r)
			r = write_value(kids[i], out, indent, level + 1);
	}
	free(kids);
	if (!r)
		r = newline(out, indent, level);
	return r ? r : pz_buf_addc(out, '}');
}

int pz_json_write(const cJSON *v, struct pz_buf *out, int indent)
{
	return write_value(v, out, indent, 0);
}

void pz_json_add_str_or_null(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

bool pz_json_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *c;
	size_t na = 0, nb = 0;

	if (!a || !b)
		return a == b;
	if (pz_unknown_is(a) || pz_unknown_is(b))
		return pz_unknown_is(a) && pz_unknown_is(b) &&
		       !strcmp(pz_unknown_ref(a), pz_unknown_ref(b));
	if ((a->type & 0xFF) != (b->type & 0xFF))
		return false;
	if (cJSON_IsNumber(a))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsString(a))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (cJSON_IsArray(a)) {
		const cJSON *x = a->child, *y = b->child;

		for (; x && y; x = x->next, y = y->next)
			if (!pz_json_equal(x, y))
				return false;
		return !x && !y;
	}
	if (cJSON_IsObject(a)) {
		for (c = a->child; c; c = c->next) {
			na++;
			if (!pz_json_equal(c, cJSON_GetObjectItemCaseSensitive(
						  b, c->string)))
				return false;
		}
		for (c = b->child; c; c = c->next)
			nb++;
		return na == nb;
	}
	return true; /* null, true, false */
}

void pz_json_init(void)
{
	static cJSON_Hooks hooks = {pz_xmalloc, free};

	cJSON_InitHooks(&hooks);
}

cJSON *pz_json_mark_sensitive(cJSON *v)
{
	cJSON *c;

	if (!v)
		return v;
	v->type |= PZ_JSON_SENSITIVE;
	for (c = v->child; c; c = c->next)
		pz_json_mark_sensitive(c);
	return v;
}

/* The counterpart of v's member or item c in peer. */
static const cJSON *peer_of(const cJSON *v, const cJSON *peer, const cJSON *c,
			    int index)
{
	if (!peer)
		return NULL;
	if (cJSON_IsObject(v) && cJSON_IsObject(peer))
		return cJSON_GetObjectItemCaseSensitive(peer, c->string);
	if (cJSON_IsArray(v) && cJSON_IsArray(peer))
		return cJSON_GetArrayItem(peer, index);
	return NULL;
}

cJSON *pz_json_redacted(const cJSON *v, const cJSON *peer, cJSON **mask)
{
	const cJSON *c;
	cJSON *out, *m = NULL;
	int i = 0;

	if (mask)
		*mask = NULL;
	if (!v)
		return NULL;
	if (pz_json_is_sensitive(v) || pz_json_is_sensitive(peer)) {
		if (mask)
			*mask = cJSON_CreateTrue();
		return pz_json_mark_sensitive(
		    cJSON_CreateString(PZ_SENSITIVE_TEXT));
	}
	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return cJSON_Duplicate(v, 1);
	out = cJSON_IsObject(v) ? cJSON_CreateObject() : cJSON_CreateArray();
	for (c = v->child; c; c = c->next, i++) {
		cJSON *cm, *copy = pz_json_redacted(c, peer_of(v, peer, c, i),
						    mask ? &cm : NULL);

		if (cJSON_IsObject(v))
			cJSON_AddItemToObject(out, c->string, copy);
		else
			cJSON_AddItemToArray(out, copy);
		if (!mask)
			continue;
		if (cm && !m) {
			int k;

			m = cJSON_IsObject(v) ? cJSON_CreateObject()
					      : cJSON_CreateArray();
			/* Earlier items of an array hid nothing. */
			for (k = 0; cJSON_IsArray(v) && k < i; k++)
				cJSON_AddItemToArray(m, cJSON_CreateFalse());
		}
		if (m && cJSON_IsObject(v) && cm)
			cJSON_AddItemToObject(m, c->string, cm);
		else if (m && cJSON_IsArray(v))
			cJSON_AddItemToArray(m, cm ? cm : cJSON_CreateFalse());
	}
	if (mask)
		*mask = m;
	return out;
}
