/*
 * check.c - the generic facts-driven checker.
 */
#include "check.h"

#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t regex_lock = PTHREAD_MUTEX_INITIALIZER;
static regex_t *regex_cache;
static bool *regex_ready;

bool pz_check_pattern(const struct pz_shape *shape, const char *s)
{
	size_t idx = (size_t)(shape - pz_shapes);
	bool ok;

	if (!shape->posix)
		return true;
	pthread_mutex_lock(&regex_lock);
	if (!regex_cache) {
		regex_cache = pz_xcalloc(pz_nshapes, sizeof(*regex_cache));
		regex_ready = pz_xcalloc(pz_nshapes, sizeof(*regex_ready));
	}
	if (!regex_ready[idx]) {
		if (regcomp(&regex_cache[idx], shape->posix,
			    REG_EXTENDED | REG_NOSUB))
			PZ_BUG("bad pattern for %s: %s", shape->name,
			       shape->posix);
		regex_ready[idx] = true;
	}
	ok = regexec(&regex_cache[idx], s, 0, NULL, 0) == 0;
	pthread_mutex_unlock(&regex_lock);
	return ok;
}

size_t pz_utf8_len(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static const struct {
	const char *shape;
	const char *hint;
} hints[] = {
    {"Name", "use letters, digits, '-' and '_', starting with a letter "
	     "or digit"},
    {"Arn", "expected an ARN like arn:aws:personalize:REGION:ACCOUNT:"
	    "TYPE/NAME"},
    {"RoleArn", "expected an IAM role ARN like "
		"arn:aws:iam::123456789012:role/NAME"},
    {"KmsKeyArn", "expected a KMS key ARN like "
		  "arn:aws:kms:REGION:ACCOUNT:key/ID"},
    {"S3Location", "expected a location like s3://BUCKET/PREFIX/"},
    {"SchedulingExpression", "expected rate(N days), e.g. rate(7 days)"},
    {"PzDuration", "expected a duration like 30m, 12h, 7d or 1d12h"},
    {"PzRegion", "expected a region like us-east-1"},
    {"PzBucket", "expected an S3 bucket name: lowercase letters, digits, "
		 "'.' and '-'"},
    {"PzSnsTopicArn", "expected an SNS topic ARN like "
		      "arn:aws:sns:REGION:ACCOUNT:TOPIC"},
    {"PzWebhookUrl", "expected an http:// or https:// URL"},
    {"PzKey", "use letters, digits, '-' and '_'"},
    {"PzAddress", "expected an address like solution.NAME"},
    {"PzVarName", "use letters, digits and '_', not starting with a "
		  "digit"},
    {"ColumnName", "use letters, digits and '_', not starting with a "
		   "digit"},
    {"DatasetType", "use letters and '_'"},
};

const char *pz_check_pattern_hint(const struct pz_shape *shape)
{
	size_t i;

	for (i = 0; i < PZ_ARRAY_LEN(hints); i++)
		if (strcmp(hints[i].shape, shape->name) == 0)
			return hints[i].hint;
	return NULL;
}

static void err(struct pz_check *c, struct pz_pos pos, const char *fmt, ...)
    PZ_PRINTF(3, 4);

static void err(struct pz_check *c, struct pz_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pz_diag_vadd(c->diags, PZ_SEV_ERROR, c->file, pos, fmt, ap);
	va_end(ap);
}

static size_t path_push(struct pz_check *c, const char *fmt, ...)
    PZ_PRINTF(2, 3);

static size_t path_push(struct pz_check *c, const char *fmt, ...)
{
	size_t old = c->plen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + c->plen, sizeof(c->path) - c->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->plen += (size_t)n < sizeof(c->path) - c->plen
			       ? (size_t)n
			       : sizeof(c->path) - c->plen - 1;
	return old;
}

static void path_pop(struct pz_check *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

static bool is_supplied(const struct pz_check *c, const char *key)
{
	size_t i;

	if (!c->section || c->plen == 0)
		return false;
	for (i = 0; i < c->section->nsupplied; i++)
		if (strcmp(c->section->supplied[i], key) == 0)
			return true;
	return false;
}

static void check_value(struct pz_check *c, const struct pz_node *n,
			const struct pz_shape *shape, struct pz_pos at,
			int depth);

static void list_members(const struct pz_shape *shape, char *out, size_t n)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < shape->nmembers && used + 1 < n; i++) {
		int k = snprintf(out + used, n - used, "%s%s", i ? ", " : "",
				 shape->members[i].name);

		if (k < 0 || (size_t)k >= n - used)
			break;
		used += (size_t)k;
	}
}

static void check_structure(struct pz_check *c, const struct pz_node *n,
			    const struct pz_shape *shape, struct pz_pos at,
			    int depth)
{
	const char *names[128];
	const char *suggested[16];
	size_t i, nn = 0, present = 0, nsug = 0, k;

	for (i = 0; i < shape->nmembers && nn < PZ_ARRAY_LEN(names); i++)
		names[nn++] = shape->members[i].name;

	for (i = 0; i < n->npairs; i++) {
		const struct pz_pair *p = &n->pairs[i];
		const struct pz_member *m = pz_facts_member(shape, p->key);
		size_t old;

		if (!m) {
			const char *best;
			char all[512];

			if (is_supplied(c, p->key)) {
				err(c, p->key_pos,
				    "'%s' is set by pz; remove it from %s",
				    p->key, c->path);
				continue;
			}
			best = pz_str_suggest(p->key, names, nn);
			if (best && nsug < PZ_ARRAY_LEN(suggested))
				suggested[nsug++] = best;
			if (best) {
				err(c, p->key_pos,
				    "unknown key '%s' in %s; did you mean "
				    "'%s'?",
				    p->key, c->path, best);
			} else {
				list_members(shape, all, sizeof(all));
				err(c, p->key_pos,
				    "unknown key '%s' in %s (expected one of: "
				    "%s)",
				    p->key, c->path, all);
			}
			continue;
		}
		present++;
		old = path_push(c, ".%s", p->key);
		check_value(c, p->value, pz_facts_shape(m->shape), p->key_pos,
			    depth + 1);
		path_pop(c, old);
	}
	for (i = 0; i < shape->nmembers; i++) {
		const struct pz_member *m = &shape->members[i];

		if (pz_node_get_pair(n, m->name))
			continue;
		/* "unknown key 'nmae'; did you mean 'name'?" says it all. */
		for (k = 0; k < nsug && strcmp(suggested[k], m->name); k++)
			;
		if (k < nsug)
			continue;
		if (m->required)
			err(c, at, "%s is missing the required key '%s'",
			    c->path, m->name);
		else if (m->default_from &&
			 !pz_node_get(c->settings, m->default_from))
			err(c, at,
			    "%s is missing '%s': set it here or as pz.%s",
			    c->path, m->name, m->default_from);
	}
	if (shape->one_of && present != 1) {
		char all[512];

		list_members(shape, all, sizeof(all));
		err(c, at, "%s takes exactly one of: %s", c->path, all);
	}
}

static void check_string(struct pz_check *c, const struct pz_node *n,
			 const struct pz_shape *shape)
{
	size_t len = pz_utf8_len(n->str, n->len);
	size_t i;

	if (shape->has_min && (double)len < shape->min) {
		if (shape->min == 1)
			err(c, n->pos, "%s must not be empty", c->path);
		else
			err(c, n->pos,
			    "%s is %zu characters long; the minimum is %.0f",
			    c->path, len, shape->min);
		return;
	}
	if (shape->has_max && (double)len > shape->max) {
		err(c, n->pos, "%s is %zu characters long; the limit is %.0f",
		    c->path, len, shape->max);
		return;
	}
	if (shape->nenums) {
		const char *best;

		for (i = 0; i < shape->nenums; i++)
			if (strcmp(n->str, shape->enums[i]) == 0)
				return;
		/* No suggestion for a secret: it would hint at its value. */
		best = n->sensitive ? NULL
				    : pz_str_suggest(n->str, shape->enums,
						     shape->nenums);
		{
			char all[512];
			size_t used = 0;

			all[0] = '\0';
			for (i = 0; i < shape->nenums; i++) {
				int k = snprintf(all + used, sizeof(all) - used,
						 "%s%s", i ? ", " : "",
						 shape->enums[i]);

				if (k < 0 || (size_t)k >= sizeof(all) - used)
					break;
				used += (size_t)k;
			}
			if (best)
				err(c, n->pos,
				    "%s '%s' is not one of %s; did you mean "
				    "'%s'?",
				    c->path, pz_node_shown(n), all, best);
			else
				err(c, n->pos, "%s '%s' is not one of %s",
				    c->path, pz_node_shown(n), all);
		}
		return;
	}
	if (shape->posix && !pz_check_pattern(shape, n->str)) {
		const char *hint = pz_check_pattern_hint(shape);

		if (hint)
			err(c, n->pos, "%s '%s' is not valid: %s", c->path,
			    pz_node_shown(n), hint);
		else
			err(c, n->pos, "%s '%s' does not match %s", c->path,
			    pz_node_shown(n), shape->pattern);
	}
}

static bool interp_number(const struct pz_node *n, double *out, bool whole)
{
	char *end;
	double d;

	if (n->kind != PZ_NODE_STR || !n->interpolated || !n->len)
		return false;
	d = strtod(n->str, &end);
	if (*end || (whole && d != floor(d)))
		return false;
	*out = d;
	return true;
}

static void check_number(struct pz_check *c, const struct pz_node *n,
			 const struct pz_shape *shape, bool whole)
{
	double v;

	if (n->kind == PZ_NODE_INT) {
		v = (double)n->i;
	} else if (n->kind == PZ_NODE_FLOAT && !whole && isfinite(n->d)) {
		v = n->d;
	} else if (interp_number(n, &v, whole)) {
		/* a string that interpolation made numeric */
	} else if (n->kind == PZ_NODE_FLOAT &&
		   (!isfinite(n->d) || n->d == floor(n->d))) {
		/* Say what is wrong with 1e400, .inf, 1e3, 5.0 or
		 * 99999999999999999999: none of them is "a fraction". */
		if (isnan(n->d))
			err(c, n->pos, "%s must be %s, not %s (not a number)",
			    c->path, whole ? "a whole number" : "a number",
			    n->str);
		else if (!isfinite(n->d))
			err(c, n->pos, "%s must be %s, not %s (%s)", c->path,
			    whole ? "a whole number" : "a number", n->str,
			    strchr(n->str, 'n') || strchr(n->str, 'N')
				? "infinity"
				: "too large for any number");
		else if (fabs(n->d) >= 9223372036854775808.0)
			err(c, n->pos,
			    "%s must be a whole number, not %s (too large "
			    "for a whole number)",
			    c->path, n->str);
		else
			err(c, n->pos,
			    "%s must be a whole number written without a "
			    "fraction or exponent: %.0f, not %s",
			    c->path, n->d, n->str);
		return;
	} else {
		err(c, n->pos, "%s must be %s, not %s", c->path,
		    whole ? "a whole number" : "a number",
		    n->kind == PZ_NODE_FLOAT ? "a fraction"
					     : pz_node_kind_name(n->kind));
		return;
	}
	if (shape->has_min && v < shape->min && n->sensitive)
		err(c, n->pos, "%s must be at least %g, not (sensitive)",
		    c->path, shape->min);
	else if (shape->has_min && v < shape->min)
		err(c, n->pos, "%s must be at least %g, not %g", c->path,
		    shape->min, v);
	else if (shape->has_max && v > shape->max && n->sensitive)
		err(c, n->pos, "%s must be at most %g, not (sensitive)",
		    c->path, shape->max);
	else if (shape->has_max && v > shape->max)
		err(c, n->pos, "%s must be at most %g, not %g", c->path,
		    shape->max, v);
}

static void check_count(struct pz_check *c, const struct pz_node *n,
			const struct pz_shape *shape, size_t count,
			const char *what)
{
	if (shape->has_min && (double)count < shape->min)
		err(c, n->pos, "%s needs at least %.0f %s", c->path, shape->min,
		    what);
	else if (shape->has_max && (double)count > shape->max)
		err(c, n->pos, "%s has %zu %s; the limit is %.0f", c->path,
		    count, what, shape->max);
}

static void check_tags(struct pz_check *c, const struct pz_node *n, int depth)
{
	const struct pz_shape *tags = pz_facts_shape_named("Tags");
	const struct pz_shape *tkey = pz_facts_shape_named("TagKey");
	const struct pz_shape *tval = pz_facts_shape_named("TagValue");
	size_t i;

	PZ_ASSERT(tags && tkey && tval);
	if (n->kind == PZ_NODE_SEQ) {
		check_value(c, n, tags, n->pos, depth);
		return;
	}
	if (n->kind != PZ_NODE_MAP) {
		err(c, n->pos,
		    "%s must be a map of tag keys to values (or a list of "
		    "{tagKey, tagValue}), not %s",
		    c->path, pz_node_kind_name(n->kind));
		return;
	}
	check_count(c, n, tags, n->npairs, "tags");
	for (i = 0; i < n->npairs; i++) {
		const struct pz_pair *p = &n->pairs[i];
		struct pz_node key;
		size_t old = path_push(c, ".%s", p->key);

		memset(&key, 0, sizeof(key));
		key.kind = PZ_NODE_STR;
		key.str = p->key;
		key.len = p->key_len;
		key.pos = p->key_pos;
		check_string(c, &key, tkey);
		check_value(c, p->value, tval, p->key_pos, depth + 1);
		path_pop(c, old);
	}
}

static void check_value(struct pz_check *c, const struct pz_node *n,
			const struct pz_shape *shape, struct pz_pos at,
			int depth)
{
	size_t i, old;

	if (n->invalid)
		return;
	if (depth > 64) {
		err(c, n->pos, "%s is nested too deeply", c->path);
		return;
	}
	if (n->kind == PZ_NODE_NULL && shape->type != PZ_SHAPE_JSON) {
		err(c, n->pos, "%s has no value; give one or remove the key",
		    c->path);
		return;
	}
	switch (shape->type) {
	case PZ_SHAPE_STRUCTURE:
		if (n->kind != PZ_NODE_MAP) {
			err(c, n->pos, "%s must be a map, not %s", c->path,
			    pz_node_kind_name(n->kind));
			return;
		}
		check_structure(c, n, shape, at, depth);
		return;
	case PZ_SHAPE_LIST:
		if (n->kind != PZ_NODE_SEQ) {
			err(c, n->pos, "%s must be a list, not %s", c->path,
			    pz_node_kind_name(n->kind));
			return;
		}
		check_count(c, n, shape, n->nitems, "items");
		for (i = 0; i < n->nitems; i++) {
			old = path_push(c, "[%zu]", i);
			check_value(c, n->items[i],
				    pz_facts_shape(shape->member),
				    n->items[i]->pos, depth + 1);
			path_pop(c, old);
		}
		return;
	case PZ_SHAPE_MAP:
		if (n->kind != PZ_NODE_MAP) {
			err(c, n->pos, "%s must be a map, not %s", c->path,
			    pz_node_kind_name(n->kind));
			return;
		}
		check_count(c, n, shape, n->npairs, "entries");
		for (i = 0; i < n->npairs; i++) {
			const struct pz_pair *p = &n->pairs[i];
			const struct pz_shape *ks = pz_facts_shape(shape->key);
			struct pz_node key;

			memset(&key, 0, sizeof(key));
			key.kind = PZ_NODE_STR;
			key.str = p->key;
			key.len = p->key_len;
			key.pos = p->key_pos;
			old = path_push(c, ".%s", p->key);
			if (ks->type == PZ_SHAPE_STRING)
				check_string(c, &key, ks);
			check_value(c, p->value, pz_facts_shape(shape->value),
				    p->key_pos, depth + 1);
			path_pop(c, old);
		}
		return;
	case PZ_SHAPE_STRING:
	case PZ_SHAPE_TIMESTAMP:
	case PZ_SHAPE_BLOB:
		if (!pz_node_is_scalar(n)) {
			err(c, n->pos, "%s must be a string, not %s", c->path,
			    pz_node_kind_name(n->kind));
			return;
		}
		/* Numbers and booleans are fine where a string is expected:
		 * the API gets their text, as YAML users expect. */
		check_string(c, n, shape);
		return;
	case PZ_SHAPE_INTEGER:
	case PZ_SHAPE_LONG: check_number(c, n, shape, true); return;
	case PZ_SHAPE_DOUBLE:
	case PZ_SHAPE_FLOAT: check_number(c, n, shape, false); return;
	case PZ_SHAPE_BOOLEAN:
		if (n->kind == PZ_NODE_BOOL)
			return;
		if (n->kind == PZ_NODE_STR && n->interpolated &&
		    (!strcmp(n->str, "true") || !strcmp(n->str, "false")))
			return;
		err(c, n->pos, "%s must be true or false, not %s%s%s%s",
		    c->path, pz_node_kind_name(n->kind),
		    pz_node_str(n) ? " '" : "",
		    pz_node_str(n) ? pz_node_str(n) : "",
		    pz_node_str(n) ? "'" : "");
		return;
	case PZ_SHAPE_TAGS: check_tags(c, n, depth); return;
	case PZ_SHAPE_JSON: return; /* the resource type checks it */
	}
	PZ_BUG("shape type %d", (int)shape->type);
}

void pz_check_node(struct pz_check *c, const struct pz_node *n,
		   const struct pz_shape *shape, const char *path,
		   struct pz_pos at)
{
	c->plen = 0;
	c->path[0] = '\0';
	path_push(c, "%s", path);
	check_value(c, n, shape, at, 0);
}
