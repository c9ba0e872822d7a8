/*
 * state.c - the state document: parse, check, migrate, write.
 */
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "error.h"
#include "facts.h"
#include "json_out.h"
#include "random.h"

int pz_uuid4(char out[37])
{
	unsigned char b[16];
	int r;

	if ((r = pz_random_bytes(b, sizeof(b))))
		return r;
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

bool pz_state_key_valid(const char *key)
{
	const struct pz_shape *k = pz_facts_shape_named("PzKey");
	size_t n = strlen(key);

	return n >= 1 && (!k->has_max || n <= (size_t)k->max) &&
	       pz_check_pattern(k, key);
}

static bool valid_type(const char *t, size_t n)
{
	size_t i;

	if (n < 1 || n > 64 || !(t[0] >= 'a' && t[0] <= 'z'))
		return false;
	for (i = 0; i < n; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '_'))
			return false;
	return true;
}

int pz_state_check_address(const char *address, const char *type)
{
	const char *dot = strchr(address, '.');
	size_t tl = dot ? (size_t)(dot - address) : 0;

	size_t n = strlen(address);

	if (dot && valid_type(address, tl) && pz_state_key_valid(dot + 1) &&
	    (!type || (strlen(type) == tl && !strncmp(address, type, tl))))
		return 0;
	/* A 5,000-character key is named by its start and its length. */
	if (n > 80)
		return pz_error_set(PZ_EINVAL,
				    "'%.60s...' (%zu characters) is not a "
				    "resource address: %s.KEY, the key 1 to "
				    "128 letters, digits, '-' and '_', as in "
				    "the spec",
				    address, n, type ? type : "TYPE");
	return pz_error_set(PZ_EINVAL,
			    "'%s' is not a resource address: %s.KEY, the key "
			    "1 to 128 letters, digits, '-' and '_', as in the "
			    "spec",
			    address, type ? type : "TYPE");
}

static bool is_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
			return false;
	}
	return true;
}

int pz_state_new(struct pz_state **out)
{
	struct pz_state *st = pz_xcalloc(1, sizeof(*st));
	int r;

	*out = NULL;
	st->format_version = PZ_STATE_FORMAT;
	st->pz_version = pz_xstrdup(PZ_VERSION);
	if ((r = pz_uuid4(st->lineage))) {
		pz_state_free(st);
		return r;
	}
	*out = st;
	return 0;
}

static void resource_release(struct pz_state_resource *r)
{
	size_t i;

	free(r->address);
	free(r->type);
	free(r->arn);
	free(r->status);
	cJSON_Delete(r->attributes);
	cJSON_Delete(r->meta);
	for (i = 0; i < r->ndeps; i++)
		free(r->deps[i]);
	free(r->deps);
	memset(r, 0, sizeof(*r));
}

void pz_state_free(struct pz_state *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->n; i++)
		resource_release(&st->resources[i]);
	free(st->resources);
	free(st->pz_version);
	free(st->git_commit);
	free(st);
}

static size_t lower_bound(const struct pz_state *st, const char *address)
{
	size_t lo = 0, hi = st->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(st->resources[mid].address, address) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct pz_state_resource *pz_state_find(const struct pz_state *st,
					const char *address)
{
	size_t i = lower_bound(st, address);

	if (i < st->n && strcmp(st->resources[i].address, address) == 0)
		return &st->resources[i];
	return NULL;
}

struct pz_state_resource *pz_state_put(struct pz_state *st, const char *address,
				       const char *type)
{
	size_t i = lower_bound(st, address);
	struct pz_state_resource *r;

	if (i < st->n && strcmp(st->resources[i].address, address) == 0)
		return &st->resources[i];
	PZ_GROW(st->resources, st->n, st->cap);
	memmove(&st->resources[i + 1], &st->resources[i],
		(st->n - i) * sizeof(*st->resources));
	st->n++;
	r = &st->resources[i];
	memset(r, 0, sizeof(*r));
	r->address = pz_xstrdup(address);
	r->type = pz_xstrdup(type);
	r->attributes = cJSON_CreateObject();
	r->meta = cJSON_CreateObject();
	return r;
}

struct pz_state_resource *pz_state_record(struct pz_state *st,
					  const char *address, const char *type,
					  const char *arn, const char *status,
					  cJSON *attributes,
					  const char *const *deps, size_t ndeps)
{
	struct pz_state_resource *r = pz_state_put(st, address, type);

	free(r->arn);
	r->arn = arn ? pz_xstrdup(arn) : NULL;
	free(r->status);
	r->status = status ? pz_xstrdup(status) : NULL;
	r->tainted = false;
	cJSON_Delete(r->attributes);
	r->attributes = attributes ? attributes : cJSON_CreateObject();
	pz_state_resource_set_deps(r, deps, ndeps);
	return r;
}

struct pz_state_resource *pz_state_put_copy(struct pz_state *st,
					    const struct pz_state_resource *src)
{
	struct pz_state_resource *r =
	    pz_state_record(st, src->address, src->type, src->arn, src->status,
			    cJSON_Duplicate(src->attributes, 1),
			    (const char *const *)src->deps, src->ndeps);

	r->tainted = src->tainted;
	cJSON_Delete(r->meta);
	r->meta = cJSON_Duplicate(src->meta, 1);
	return r;
}

int pz_state_remove(struct pz_state *st, const char *address)
{
	struct pz_state_resource *r = pz_state_find(st, address);
	size_t i;

	if (!r)
		return pz_error_set(PZ_ENOTFOUND, "no resource %s in the state",
				    address);
	i = (size_t)(r - st->resources);
	resource_release(r);
	memmove(&st->resources[i], &st->resources[i + 1],
		(st->n - i - 1) * sizeof(*st->resources));
	st->n--;
	return 0;
}

void pz_state_resource_set_deps(struct pz_state_resource *r,
				const char *const *deps, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < r->ndeps; i++)
		free(r->deps[i]);
	free(r->deps);
	r->deps = pz_xcalloc(n + 1, sizeof(*r->deps));
	for (i = 0; i < n; i++)
		r->deps[i] = pz_xstrdup(deps[i]);
	qsort(r->deps, n, sizeof(*r->deps), pz_strcmp_p);
	/* No duplicates. */
	for (i = 0; i < n; i++) {
		if (k && !strcmp(r->deps[k - 1], r->deps[i])) {
			free(r->deps[i]);
			continue;
		}
		r->deps[k++] = r->deps[i];
	}
	r->ndeps = k;
}

int pz_state_move(struct pz_state *st, const char *from, const char *to)
{
	struct pz_state_resource *r = pz_state_find(st, from), moved, *dst;
	size_t i, j;

	if (!r)
		return pz_error_set(PZ_ENOTFOUND, "no resource %s in the state",
				    from);
	if (pz_state_find(st, to))
		return pz_error_set(PZ_EEXISTS,
				    "%s is already in the state; remove it "
				    "first",
				    to);
	if (strncmp(to, r->type, strlen(r->type)) || to[strlen(r->type)] != '.')
		return pz_error_set(PZ_EINVAL,
				    "cannot move %s to %s: the address must "
				    "be %s.<key> (a move keeps the type)",
				    from, to, r->type);
	if (pz_state_check_address(to, r->type)) {
		char *why = pz_xstrdup(pz_error_last());
		int rc =
		    pz_error_set(PZ_EINVAL, "cannot move %s: %s", from, why);

		free(why);
		return rc;
	}
	moved = *r;
	i = (size_t)(r - st->resources);
	memmove(&st->resources[i], &st->resources[i + 1],
		(st->n - i - 1) * sizeof(*st->resources));
	st->n--;
	free(moved.address);
	moved.address = pz_xstrdup(to);
	i = lower_bound(st, to);
	PZ_GROW(st->resources, st->n, st->cap);
	memmove(&st->resources[i + 1], &st->resources[i],
		(st->n - i) * sizeof(*st->resources));
	st->resources[i] = moved;
	st->n++;
	for (i = 0; i < st->n; i++) {
		dst = &st->resources[i];
		for (j = 0; j < dst->ndeps; j++)
			if (!strcmp(dst->deps[j], from)) {
				free(dst->deps[j]);
				dst->deps[j] = pz_xstrdup(to);
				qsort(dst->deps, dst->ndeps, sizeof(*dst->deps),
				      pz_strcmp_p);
				break;
			}
	}
	return 0;
}

/* --- parsing ------------------------------------------------------------ */

static int bad(const char *origin, const char *fmt, ...) PZ_PRINTF(2, 3);

static int bad(const char *origin, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pz_error_set(PZ_EINVAL, "%s: invalid state: %s", origin, msg);
}

static const char *opt_str(const cJSON *o, const char *key, bool *ok)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v || cJSON_IsNull(v))
		return NULL;
	if (!cJSON_IsString(v)) {
		*ok = false;
		return NULL;
	}
	return v->valuestring;
}

/* The first key that appears twice in one object anywhere in v, or
 * NULL. JSON allows them, cJSON keeps both, and the state's meaning
 * would then depend on which one a reader picks: refused. */
static const char *duplicate_key(const cJSON *v)
{
	const cJSON *a, *b;
	const char *d;

	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return NULL;
	for (a = v->child; a; a = a->next) {
		if (cJSON_IsObject(v))
			for (b = a->next; b; b = b->next)
				if (!strcmp(a->string, b->string))
					return a->string;
		if ((d = duplicate_key(a)))
			return d;
	}
	return NULL;
}

/* Format 0 (development snapshots before 0.1) kept resources in an
 * object keyed by address; format 1 uses a sorted array. */
static int migrate_0_to_1(cJSON *root, const char *origin)
{
	cJSON *res = cJSON_GetObjectItemCaseSensitive(root, "resources");
	cJSON *arr, *c;

	if (!res)
		return 0;
	if (!cJSON_IsObject(res))
		return bad(origin, "format 0 'resources' must be an object");
	arr = cJSON_CreateArray();
	while ((c = res->child)) {
		cJSON_DetachItemViaPointer(res, c);
		if (!cJSON_IsObject(c)) {
			cJSON_Delete(c);
			cJSON_Delete(arr);
			return bad(origin,
				   "format 0 resource is not an object");
		}
		cJSON_DeleteItemFromObjectCaseSensitive(c, "address");
		cJSON_AddStringToObject(c, "address", c->string);
		cJSON_AddItemToArray(arr, c);
	}
	cJSON_ReplaceItemInObjectCaseSensitive(root, "resources", arr);
	return 0;
}

static const struct {
	int from;
	int (*migrate)(cJSON *root, const char *origin);
} migrations[] = {
    {0, migrate_0_to_1},
};

static int parse_resource(struct pz_state *st, const cJSON *o, size_t i,
			  const char *origin)
{
	bool ok = true;
	const char *address = opt_str(o, "address", &ok);
	const char *type = opt_str(o, "type", &ok);
	const char *arn = opt_str(o, "arn", &ok);
	const char *status = opt_str(o, "status", &ok);
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(o, "attributes");
	const cJSON *deps = cJSON_GetObjectItemCaseSensitive(o, "dependencies");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(o, "pz");
	const cJSON *tainted = cJSON_GetObjectItemCaseSensitive(o, "tainted");
	const cJSON *d;
	struct pz_state_resource *r;
	size_t before = st->n, n = 0;
	const char **list;

	if (!cJSON_IsObject(o))
		return bad(origin, "resources[%zu] is not an object", i);
	if (!ok || !address || !type)
		return bad(origin,
			   "resources[%zu] needs string 'address' and 'type' "
			   "('arn' and 'status' are strings or null)",
			   i);
	if (pz_state_check_address(address, type)) {
		char *why = pz_xstrdup(pz_error_last());
		int rc = bad(origin, "resources[%zu]: %s", i, why);

		free(why);
		return rc;
	}
	if (attrs && !cJSON_IsObject(attrs))
		return bad(origin, "%s: 'attributes' must be an object",
			   address);
	if (meta && !cJSON_IsObject(meta))
		return bad(origin, "%s: 'pz' must be an object", address);
	if (tainted && !cJSON_IsBool(tainted))
		return bad(origin, "%s: 'tainted' must be true or false",
			   address);
	if (deps && !cJSON_IsArray(deps))
		return bad(origin, "%s: 'dependencies' must be a list",
			   address);
	cJSON_ArrayForEach(d, deps)
	{
		if (!cJSON_IsString(d) ||
		    pz_state_check_address(d->valuestring, NULL)) {
			pz_error_clear();
			return bad(origin,
				   "%s: 'dependencies' must hold addresses",
				   address);
		}
		n++;
	}
	r = pz_state_put(st, address, type);
	if (st->n == before)
		return bad(origin, "%s appears twice", address);
	r->arn = arn ? pz_xstrdup(arn) : NULL;
	r->status = status ? pz_xstrdup(status) : NULL;
	r->tainted = tainted && cJSON_IsTrue(tainted);
	if (attrs) {
		cJSON_Delete(r->attributes);
		r->attributes = cJSON_Duplicate(attrs, 1);
	}
	if (meta) {
		cJSON_Delete(r->meta);
		r->meta = cJSON_Duplicate(meta, 1);
	}
	list = pz_xcalloc(n + 1, sizeof(*list));
	n = 0;
	cJSON_ArrayForEach(d, deps) list[n++] = d->valuestring;
	pz_state_resource_set_deps(r, list, n);
	free(list);
	return 0;
}

int pz_state_parse(struct pz_state **out, const char *text, size_t len,
		   const char *origin)
{
	cJSON *root = cJSON_ParseWithLength(text, len);
	const cJSON *fv, *serial, *res, *o;
	int64_t whole = 0;
	struct pz_state *st = NULL;
	const char *lineage, *ver, *commit, *dup;
	bool ok = true;
	size_t i, k;
	int r = 0, format;

	*out = NULL;
	if (!root) {
		/* Where the JSON stops making sense: a truncated state says
		 * so, not "not an object". */
		const char *ep = cJSON_GetErrorPtr();
		size_t off = ep && ep >= text && ep <= text + len
				 ? (size_t)(ep - text)
				 : 0,
		       j, line = 1, col = 1;

		for (j = 0; j < off; j++) {
			if (text[j] == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)text[j] & 0xC0) != 0x80) {
				col++;
			}
		}
		while (j < len && strchr(" \t\r\n", text[j]))
			j++;
		r = bad(origin, "%s at line %zu, column %zu",
			j >= len ? "the JSON ends early (truncated?)"
				 : "not valid JSON",
			line, col);
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		r = bad(origin, "not a JSON object");
		goto out;
	}
	if ((dup = duplicate_key(root))) {
		r = bad(origin, "the key '%s' appears twice in one object",
			dup);
		goto out;
	}
	fv = cJSON_GetObjectItemCaseSensitive(root, "format_version");
	if (!cJSON_IsNumber(fv) || fv->valuedouble != (double)fv->valueint ||
	    fv->valueint < 0) {
		r = bad(origin, "'format_version' must be a whole number");
		goto out;
	}
	format = fv->valueint;
	if (format > PZ_STATE_FORMAT) {
		r = pz_error_set(
		    PZ_EINVAL,
		    "%s: the state has format %d, written by a "
		    "newer pz; this pz (%s) reads up to format %d: "
		    "upgrade pz",
		    origin, format, PZ_VERSION, PZ_STATE_FORMAT);
		goto out;
	}
	for (k = 0; k < PZ_ARRAY_LEN(migrations); k++)
		if (migrations[k].from >= format &&
		    (r = migrations[k].migrate(root, origin)))
			goto out;
	serial = cJSON_GetObjectItemCaseSensitive(root, "serial");
	if (!cJSON_IsNumber(serial) ||
	    !pz_double_to_i64(serial->valuedouble, 0, PZ_MAX_SAFE_INT,
			      &whole)) {
		r = bad(origin, "'serial' must be a whole number >= 0");
		goto out;
	}
	lineage = opt_str(root, "lineage", &ok);
	ver = opt_str(root, "pz_version", &ok);
	commit = opt_str(root, "git_commit", &ok);
	if (!ok || !lineage || !is_uuid(lineage)) {
		r = bad(origin, "'lineage' must be a lowercase UUID");
		goto out;
	}
	res = cJSON_GetObjectItemCaseSensitive(root, "resources");
	if (res && !cJSON_IsArray(res)) {
		r = bad(origin, "'resources' must be a list");
		goto out;
	}
	st = pz_xcalloc(1, sizeof(*st));
	st->format_version = PZ_STATE_FORMAT;
	st->pz_version = pz_xstrdup(ver ? ver : "unknown");
	st->serial = (uint64_t)whole;
	memcpy(st->lineage, lineage, 37);
	st->git_commit = commit ? pz_xstrdup(commit) : NULL;
	i = 0;
	cJSON_ArrayForEach(o, res)
	{
		if ((r = parse_resource(st, o, i++, origin)))
			goto out;
	}
	*out = st;
	st = NULL;
out:
	pz_state_free(st);
	cJSON_Delete(root);
	return r;
}

/* --- writing ---------------------------------------------------------------
 */

static cJSON *resource_json(const struct pz_state_resource *r)
{
	cJSON *o = cJSON_CreateObject(), *deps = cJSON_CreateArray();
	size_t i;

	cJSON_AddStringToObject(o, "address", r->address);
	cJSON_AddStringToObject(o, "type", r->type);
	pz_json_add_str_or_null(o, "arn", r->arn);
	if (r->status)
		cJSON_AddStringToObject(o, "status", r->status);
	if (r->tainted)
		cJSON_AddTrueToObject(o, "tainted");
	cJSON_AddItemToObject(o, "attributes",
			      r->attributes ? cJSON_Duplicate(r->attributes, 1)
					    : cJSON_CreateObject());
	for (i = 0; i < r->ndeps; i++)
		cJSON_AddItemToArray(deps, cJSON_CreateString(r->deps[i]));
	cJSON_AddItemToObject(o, "dependencies", deps);
	if (r->meta && r->meta->child)
		cJSON_AddItemToObject(o, "pz", cJSON_Duplicate(r->meta, 1));
	return o;
}

int pz_state_serialize(const struct pz_state *st, struct pz_buf *out)
{
	cJSON *root = cJSON_CreateObject(), *res = cJSON_CreateArray();
	size_t i;
	int r;

	cJSON_AddNumberToObject(root, "format_version", PZ_STATE_FORMAT);
	cJSON_AddStringToObject(root, "pz_version",
				st->pz_version ? st->pz_version : PZ_VERSION);
	cJSON_AddNumberToObject(root, "serial", (double)st->serial);
	cJSON_AddStringToObject(root, "lineage", st->lineage);
	pz_json_add_str_or_null(root, "git_commit", st->git_commit);
	for (i = 0; i < st->n; i++)
		cJSON_AddItemToArray(res, resource_json(&st->resources[i]));
	cJSON_AddItemToObject(root, "resources", res);
	r = pz_json_write(root, out, 2);
	if (!r)
		r = pz_buf_addc(out, '\n');
	cJSON_Delete(root);
	return r;
}

struct pz_state *pz_state_dup(const struct pz_state *st)
{
	struct pz_buf b;
	struct pz_state *copy = NULL;

	pz_buf_init(&b, 0);
	if (pz_state_serialize(st, &b) ||
	    pz_state_parse(&copy, b.ptr, b.len, "copy"))
		PZ_BUG("state does not survive its own round trip: %s",
		       pz_error_last());
	pz_buf_release(&b);
	/* Keep what serialisation normalises away. */
	free(copy->pz_version);
	copy->pz_version =
	    pz_xstrdup(st->pz_version ? st->pz_version : PZ_VERSION);
	return copy;
}

static bool same_resource(const struct pz_state_resource *a,
			  const struct pz_state_resource *b)
{
	size_t i;

	if (strcmp(a->address, b->address) || strcmp(a->type, b->type) ||
	    a->tainted != b->tainted || a->ndeps != b->ndeps)
		return false;
	if ((a->arn == NULL) != (b->arn == NULL) ||
	    (a->arn && strcmp(a->arn, b->arn)))
		return false;
	if ((a->status == NULL) != (b->status == NULL) ||
	    (a->status && strcmp(a->status, b->status)))
		return false;
	for (i = 0; i < a->ndeps; i++)
		if (strcmp(a->deps[i], b->deps[i]))
			return false;
	return pz_json_equal(a->attributes, b->attributes) &&
	       pz_json_equal(a->meta, b->meta);
}

bool pz_state_same_content(const struct pz_state *a, const struct pz_state *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (!same_resource(&a->resources[i], &b->resources[i]))
			return false;
	return true;
}

int pz_state_next_serial(struct pz_state *next, const struct pz_state *prev)
{
	if (!prev) {
		/* The first write: serial 1 (0 is "never written"). */
		if (next->serial == 0)
			next->serial = 1;
		return 1;
	}
	memcpy(next->lineage, prev->lineage, sizeof(next->lineage));
	if (pz_state_same_content(next, prev)) {
		next->serial = prev->serial;
		return 0;
	}
	next->serial = prev->serial + 1;
	return 1;
}

int pz_state_check_push(const struct pz_state *remote,
			const struct pz_state *local, bool force)
{
	if (!remote || force)
		return 0;
	if (strcmp(remote->lineage, local->lineage))
		return pz_error_set(PZ_ECONFLICT,
				    "the state being pushed has lineage %s, "
				    "the stored one %s: they are different "
				    "states (use -force to replace anyway)",
				    local->lineage, remote->lineage);
	if (local->serial < remote->serial)
		return pz_error_set(PZ_ECONFLICT,
				    "the state being pushed has serial %llu, "
				    "older than the stored one (%llu): pull "
				    "first (or -force to replace anyway)",
				    (unsigned long long)local->serial,
				    (unsigned long long)remote->serial);
	if (local->serial == remote->serial &&
	    !pz_state_same_content(local, remote))
		return pz_error_set(PZ_ECONFLICT,
				    "the state being pushed has the same "
				    "serial (%llu) as the stored one but "
				    "different content: pull first (or -force "
				    "to replace anyway)",
				    (unsigned long long)local->serial);
	return 0;
}
