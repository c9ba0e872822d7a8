/*
 * node.c - spec tree nodes, scalar resolution, document loading.
 */
#include "node.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

struct pz_node *pz_node_new(struct pz_doc *doc, enum pz_node_kind kind,
			    struct pz_pos pos)
{
	struct pz_node *n = pz_arena_alloc(&doc->arena, sizeof(*n));

	n->kind = kind;
	n->pos = pos;
	n->str = "";
	return n;
}

static bool match_any(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

static bool all_digits(const char *s, const char *set)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(set, *s))
			return false;
	return true;
}

static bool is_float_text(const char *s)
{
	const char *p = s;
	bool digits = false;

	if (*p == '-' || *p == '+')
		p++;
	while (*p >= '0' && *p <= '9') {
		p++;
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

void pz_node_resolve_plain(struct pz_node *n)
{
	static const char *const nulls[] = {"",	    "~",    "null",
					    "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", NULL};
	static const char *const infs[] = {".inf",  ".Inf",  ".INF", "+.inf",
					   "+.Inf", "+.INF", NULL};
	static const char *const ninfs[] = {"-.inf", "-.Inf", "-.INF", NULL};
	static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
	const char *s = n->str;
	const char *digits = s + (*s == '-' || *s == '+');
	char *end;

	n->kind = PZ_NODE_STR;
	if (n->quoted)
		return;
	if (match_any(s, nulls)) {
		n->kind = PZ_NODE_NULL;
	} else if (match_any(s, trues) || match_any(s, falses)) {
		n->kind = PZ_NODE_BOOL;
		n->b = match_any(s, trues);
	} else if (all_digits(digits, "0123456789") ||
		   (pz_str_has_prefix(s, "0x") &&
		    all_digits(s + 2, "0123456789abcdefABCDEF")) ||
		   (pz_str_has_prefix(s, "0o") &&
		    all_digits(s + 2, "01234567"))) {
		long long v;

		errno = 0;
		if (pz_str_has_prefix(s, "0o"))
			v = strtoll(s + 2, &end, 8);
		else
			v = strtoll(s, &end,
				    0 == strncmp(s, "0x", 2) ? 16 : 10);
		if (errno == 0 && *end == '\0') {
			n->kind = PZ_NODE_INT;
			n->i = v;
			n->d = (double)v;
		} else {
			/* Too large for 64 bits: keep it a number, as a float.
			 */
			n->kind = PZ_NODE_FLOAT;
			n->d = strtod(s, NULL);
		}
	} else if (is_float_text(s)) {
		n->kind = PZ_NODE_FLOAT;
		n->d = strtod(s, NULL);
	} else if (match_any(s, infs)) {
		n->kind = PZ_NODE_FLOAT;
		n->d = HUGE_VAL;
	} else if (match_any(s, ninfs)) {
		n->kind = PZ_NODE_FLOAT;
		n->d = -HUGE_VAL;
	} else if (match_any(s, nans)) {
		n->kind = PZ_NODE_FLOAT;
		n->d = NAN;
	}
}

static const volatile sig_atomic_t *stop_flag;

void pz_doc_set_stop_flag(const volatile sig_atomic_t *flag)
{
	stop_flag = flag;
}

bool pz_doc_stopped(void)
{
	return stop_flag && *stop_flag;
}

static bool same_key(const struct pz_pair *p, const char *key, size_t len)
{
	return p->key_len == len && !memcmp(p->key, key, len);
}

size_t pz_keyset_find(const struct pz_keyset *ks, const struct pz_pair *pairs,
		      const char *key, size_t key_len)
{
	size_t mask, slot;

	if (!ks->cap)
		return SIZE_MAX;
	mask = ks->cap - 1;
	slot = (size_t)pz_hash_bytes(key, key_len) & mask;
	for (; ks->slots[slot]; slot = (slot + 1) & mask)
		if (same_key(&pairs[ks->slots[slot] - 1], key, key_len))
			return ks->slots[slot] - 1;
	return SIZE_MAX;
}

static void keyset_put(struct pz_keyset *ks, const struct pz_pair *pairs,
		       size_t i)
{
	size_t mask = ks->cap - 1;
	size_t slot =
	    (size_t)pz_hash_bytes(pairs[i].key, pairs[i].key_len) & mask;

	while (ks->slots[slot])
		slot = (slot + 1) & mask;
	ks->slots[slot] = i + 1;
}

size_t pz_keyset_add(struct pz_keyset *ks, const struct pz_pair *pairs,
		     size_t i)
{
	size_t found =
	    pz_keyset_find(ks, pairs, pairs[i].key, pairs[i].key_len);
	size_t k, old_cap = ks->cap, *old = ks->slots;

	if (found != SIZE_MAX)
		return found;
	/* At most half full, so probes stay short. */
	if ((ks->n + 1) * 2 > ks->cap) {
		ks->cap = ks->cap ? ks->cap * 2 : 16;
		ks->slots = pz_xcalloc(ks->cap, sizeof(*ks->slots));
		for (k = 0; k < old_cap; k++)
			if (old[k])
				keyset_put(ks, pairs, old[k] - 1);
		free(old);
	}
	keyset_put(ks, pairs, i);
	ks->n++;
	return SIZE_MAX;
}

void pz_keyset_release(struct pz_keyset *ks)
{
	free(ks->slots);
	memset(ks, 0, sizeof(*ks));
}

const struct pz_pair *pz_node_get_pair(const struct pz_node *n, const char *key)
{
	size_t i;

	if (!n || n->kind != PZ_NODE_MAP)
		return NULL;
	for (i = 0; i < n->npairs; i++)
		if (strcmp(n->pairs[i].key, key) == 0)
			return &n->pairs[i];
	return NULL;
}

struct pz_node *pz_node_get(const struct pz_node *n, const char *key)
{
	const struct pz_pair *p = pz_node_get_pair(n, key);

	return p ? p->value : NULL;
}

bool pz_node_is_scalar(const struct pz_node *n)
{
	return n && n->kind != PZ_NODE_MAP && n->kind != PZ_NODE_SEQ;
}

const char *pz_node_shown(const struct pz_node *n)
{
	return n->sensitive ? "(sensitive)" : n->str;
}

const char *pz_node_str(const struct pz_node *n)
{
	if (!n || !pz_node_is_scalar(n) || n->kind == PZ_NODE_NULL)
		return NULL;
	return n->str;
}

const char *pz_node_kind_name(enum pz_node_kind kind)
{
	switch (kind) {
	case PZ_NODE_NULL: return "null";
	case PZ_NODE_BOOL: return "a boolean";
	case PZ_NODE_INT: return "an integer";
	case PZ_NODE_FLOAT: return "a number";
	case PZ_NODE_STR: return "a string";
	case PZ_NODE_MAP: return "a map";
	case PZ_NODE_SEQ: return "a list";
	}
	return "a value";
}

/* Is s a number as JSON writes them (RFC 8259 §6)? */
static bool json_number_text(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

int pz_node_to_json(const struct pz_node *n, struct pz_buf *out)
{
	size_t i;
	int r = 0;

	switch (n->kind) {
	case PZ_NODE_NULL: return pz_buf_adds(out, "null");
	case PZ_NODE_BOOL: return pz_buf_adds(out, n->b ? "true" : "false");
	case PZ_NODE_INT:
	case PZ_NODE_FLOAT:
		/* The number as written, when JSON can say it so: a schema
		 * keeps its text (0.1 stays 0.1). */
		if (json_number_text(n->str))
			return pz_buf_adds(out, n->str);
		if (n->kind == PZ_NODE_INT)
			return pz_buf_printf(out, "%lld", (long long)n->i);
		if (!isfinite(n->d))
			return pz_buf_adds(out, "null");
		return pz_buf_printf(out, "%.17g", n->d);
	case PZ_NODE_STR: return pz_buf_add_json_str(out, n->str, n->len);
	case PZ_NODE_MAP:
		r = pz_buf_addc(out, '{');
		for (i = 0; i < n->npairs && !r; i++) {
			if (i)
				r = pz_buf_addc(out, ',');
			if (!r)
				r = pz_buf_add_json_str(out, n->pairs[i].key,
							n->pairs[i].key_len);
			if (!r)
				r = pz_buf_addc(out, ':');
			if (!r)
				r = pz_node_to_json(n->pairs[i].value, out);
		}
		return r ? r : pz_buf_addc(out, '}');
	case PZ_NODE_SEQ:
		r = pz_buf_addc(out, '[');
		for (i = 0; i < n->nitems && !r; i++) {
			if (i)
				r = pz_buf_addc(out, ',');
			if (!r)
				r = pz_node_to_json(n->items[i], out);
		}
		return r ? r : pz_buf_addc(out, ']');
	}
	PZ_BUG("node kind %d", (int)n->kind);
}

static enum pz_doc_format sniff(const char *path, const char *text, size_t len)
{
	size_t i;

	if (pz_str_has_suffix(path, ".json"))
		return PZ_FORMAT_JSON;
	if (pz_str_has_suffix(path, ".yaml") || pz_str_has_suffix(path, ".yml"))
		return PZ_FORMAT_YAML;
	for (i = 0; i < len; i++) {
		if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
		    text[i] == '\r')
			continue;
		return text[i] == '{' ? PZ_FORMAT_JSON : PZ_FORMAT_YAML;
	}
	return PZ_FORMAT_YAML;
}

int pz_doc_load(struct pz_doc **out, const char *path, const char *text,
		size_t text_len, struct pz_diags *diags)
{
	struct pz_doc *doc;
	struct pz_buf b;
	int r;

	*out = NULL;
	doc = pz_xcalloc(1, sizeof(*doc));
	pz_arena_init(&doc->arena);
	doc->path = pz_xstrdup(path);
	if (text) {
		doc->text = pz_xstrndup(text, text_len);
		doc->text_len = text_len;
	} else {
		pz_buf_init(&b, (size_t)16 << 20);
		r = pz_buf_read_file(&b, path);
		if (r) {
			pz_buf_release(&b);
			pz_doc_free(doc);
			return r;
		}
		doc->text = pz_buf_detach(&b, &doc->text_len);
	}
	doc->format = sniff(path, doc->text, doc->text_len);
	r = doc->format == PZ_FORMAT_JSON ? pz_json_parse(doc, diags)
					  : pz_yaml_parse(doc, diags);
	if (pz_doc_stopped())
		r = pz_error_set(PZ_EINTR, "interrupted while reading '%s'",
				 path);
	if (r) {
		pz_doc_free(doc);
		return r;
	}
	*out = doc;
	return 0;
}

void pz_doc_free(struct pz_doc *doc)
{
	if (!doc)
		return;
	pz_arena_release(&doc->arena);
	free(doc->path);
	free(doc->text);
	free(doc);
}
