/*
 * json.c - JSON into the spec tree: cJSON decodes, a strict scanner
 * walking the same text in step recovers each value's line and column.
 *
 * cJSON keeps no positions and accepts a few things RFC 8259 does not
 * ("+1", "01", trailing garbage with some options). The scanner holds
 * the text to the RFC, reports the first syntax error with a precise
 * message and position, and gives every node its place; cJSON supplies
 * the decoded strings and numbers, so escapes and surrogate pairs are
 * decoded by the library, not by us.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "node.h"

#define MAX_DEPTH 256

struct scanner {
	struct pz_doc *doc;
	struct pz_diags *diags;
	const char *s;
	size_t len, i;
	uint32_t line;
	size_t line_start;
	/* The last column computed: positions only move forward, so a
	 * long line is counted once, not once per key on it. */
	size_t col_line_start, col_off;
	uint32_t col;
	size_t nodes;
	bool failed;
};

static struct pz_pos pos_at(struct scanner *sc, size_t off)
{
	struct pz_pos p;
	uint32_t col = 1;
	size_t k = sc->line_start;

	if (sc->col && sc->col_line_start == sc->line_start &&
	    sc->col_off <= off) {
		k = sc->col_off;
		col = sc->col;
	}
	/* Columns count characters, not bytes, as libyaml's do. */
	for (; k < off && k < sc->len; k++)
		if (((unsigned char)sc->s[k] & 0xC0) != 0x80)
			col++;
	sc->col_line_start = sc->line_start;
	sc->col_off = k;
	sc->col = col;
	p.line = sc->line;
	p.col = col;
	p.offset = (uint32_t)off;
	return p;
}

static void fail_at(struct scanner *sc, size_t off, const char *fmt, ...)
    PZ_PRINTF(3, 4);

static void fail_at(struct scanner *sc, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (sc->failed)
		return;
	sc->failed = true;
	va_start(ap, fmt);
	pz_diag_vadd(sc->diags, PZ_SEV_ERROR, sc->doc->path, pos_at(sc, off),
		     fmt, ap);
	va_end(ap);
}

static void skip_ws(struct scanner *sc)
{
	while (sc->i < sc->len) {
		char c = sc->s[sc->i];

		if (c == '\n') {
			sc->line++;
			sc->line_start = ++sc->i;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			sc->i++;
		} else if (c == '/' && sc->i + 1 < sc->len &&
			   (sc->s[sc->i + 1] == '/' ||
			    sc->s[sc->i + 1] == '*')) {
			fail_at(sc, sc->i,
				"JSON syntax: comments are not allowed in JSON "
				"(write the spec in YAML to use comments)");
			return;
		} else {
			return;
		}
	}
}

static const char *describe(const struct scanner *sc, size_t off, char *tmp,
			    size_t n)
{
	unsigned char c;

	if (off >= sc->len)
		return "the end of the file";
	c = (unsigned char)sc->s[off];
	if (c == '"')
		return "a string";
	if (c >= 0x20 && c < 0x7f)
		snprintf(tmp, n, "'%c'", c);
	else
		snprintf(tmp, n, "byte 0x%02x", c);
	return tmp;
}

/* Scans a string literal starting at sc->i (a '"'); leaves i after it. */
static void scan_string(struct scanner *sc)
{
	size_t start = sc->i++;

	while (sc->i < sc->len) {
		unsigned char c = (unsigned char)sc->s[sc->i];

		if (c == '"') {
			sc->i++;
			return;
		}
		if (c == '\n' || c < 0x20) {
			fail_at(sc, sc->i,
				c == '\n' ? "JSON syntax: unterminated string "
					    "(strings cannot span lines; "
					    "write \\n)"
					  : "JSON syntax: control character "
					    "in a string (escape it)");
			return;
		}
		if (c == '\\') {
			char e = sc->i + 1 < sc->len ? sc->s[sc->i + 1] : '\0';

			if (e == 'u') {
				size_t k;

				for (k = 2; k < 6; k++) {
					char h = sc->i + k < sc->len
						     ? sc->s[sc->i + k]
						     : '\0';
					if (!strchr("0123456789abcdefABCDEF",
						    h) ||
					    !h) {
						fail_at(sc, sc->i,
							"JSON syntax: \\u "
							"needs four hex "
							"digits");
						return;
					}
				}
				if (!strncmp(sc->s + sc->i, "\\u0000", 6)) {
					fail_at(sc, sc->i,
						"strings may not contain NUL "
						"characters");
					return;
				}
				sc->i += 6;
				continue;
			}
			if (!e || !strchr("\"\\/bfnrt", e)) {
				fail_at(sc, sc->i,
					"JSON syntax: invalid escape '\\%c' "
					"(use \\\\ for a backslash)",
					e ? e : ' ');
				return;
			}
			sc->i += 2;
			continue;
		}
		sc->i++;
	}
	fail_at(sc, start, "JSON syntax: unterminated string");
}

static void scan_number(struct scanner *sc)
{
	size_t start = sc->i;
	const char *s = sc->s;

	if (sc->i < sc->len && s[sc->i] == '-')
		sc->i++;
	if (sc->i < sc->len && s[sc->i] == '0') {
		sc->i++;
		if (sc->i < sc->len && s[sc->i] >= '0' && s[sc->i] <= '9') {
			fail_at(sc, start,
				"JSON syntax: numbers may not have "
				"leading zeros");
			return;
		}
	} else if (sc->i < sc->len && s[sc->i] >= '1' && s[sc->i] <= '9') {
		while (sc->i < sc->len && s[sc->i] >= '0' && s[sc->i] <= '9')
			sc->i++;
	} else {
		fail_at(sc, start, "JSON syntax: invalid number");
		return;
	}
	if (sc->i < sc->len && s[sc->i] == '.') {
		sc->i++;
		if (!(sc->i < sc->len && s[sc->i] >= '0' && s[sc->i] <= '9')) {
			fail_at(sc, start,
				"JSON syntax: a digit must follow "
				"the decimal point");
			return;
		}
		while (sc->i < sc->len && s[sc->i] >= '0' && s[sc->i] <= '9')
			sc->i++;
	}
	if (sc->i < sc->len && (s[sc->i] == 'e' || s[sc->i] == 'E')) {
		sc->i++;
		if (sc->i < sc->len && (s[sc->i] == '+' || s[sc->i] == '-'))
			sc->i++;
		if (!(sc->i < sc->len && s[sc->i] >= '0' && s[sc->i] <= '9')) {
			fail_at(sc, start, "JSON syntax: invalid exponent");
			return;
		}
		while (sc->i < sc->len && s[sc->i] >= '0' && s[sc->i] <= '9')
			sc->i++;
	}
}

static struct pz_node *scan_value(struct scanner *sc, const cJSON *item,
				  int depth);

static void scan_members(struct scanner *sc, struct pz_node *n,
			 const cJSON *item, int depth)
{
	const cJSON *child = item ? item->child : NULL;
	struct pz_keyset keys = {0};
	size_t cap = 0;
	char tmp[16];

	sc->i++; /* '{' */
	skip_ws(sc);
	if (sc->i < sc->len && sc->s[sc->i] == '}') {
		sc->i++;
		return;
	}
	for (;;) {
		struct pz_pair p;
		size_t kstart, kend, k;

		skip_ws(sc);
		if (sc->failed)
			break;
		if (sc->i >= sc->len || sc->s[sc->i] != '"') {
			if (sc->i < sc->len && sc->s[sc->i] == '}')
				fail_at(sc, sc->i,
					"JSON syntax: trailing comma "
					"before '}'");
			else
				fail_at(sc, sc->i,
					"JSON syntax: expected a key in double "
					"quotes, found %s",
					describe(sc, sc->i, tmp, sizeof(tmp)));
			break;
		}
		kstart = sc->i;
		p.key_pos = pos_at(sc, kstart);
		scan_string(sc);
		if (sc->failed)
			break;
		kend = sc->i;
		skip_ws(sc);
		if (sc->i >= sc->len || sc->s[sc->i] != ':') {
			fail_at(sc, sc->i,
				"JSON syntax: expected ':' after the key, "
				"found %s",
				describe(sc, sc->i, tmp, sizeof(tmp)));
			break;
		}
		sc->i++;
		if (child && child->string) {
			p.key_len = strlen(child->string);
			p.key = pz_arena_strndup(&sc->doc->arena, child->string,
						 p.key_len);
		} else {
			/* cJSON gave up earlier in the text; the raw key is
			 * good enough to keep scanning for the first error. */
			p.key_len = kend - kstart - 2;
			p.key = pz_arena_strndup(&sc->doc->arena,
						 sc->s + kstart + 1, p.key_len);
		}
		k = pz_keyset_find(&keys, n->pairs, p.key, p.key_len);
		if (k != SIZE_MAX) {
			fail_at(sc, kstart,
				"duplicate key '%s' (first at line %u, "
				"column %u)",
				p.key, n->pairs[k].key_pos.line,
				n->pairs[k].key_pos.col);
			break;
		}
		p.value = scan_value(sc, child, depth + 1);
		if (sc->failed)
			break;
		if (n->npairs >= cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct pz_pair *np =
			    pz_arena_alloc(&sc->doc->arena, ncap * sizeof(*np));

			if (n->npairs)
				memcpy(np, n->pairs, n->npairs * sizeof(*np));
			n->pairs = np;
			cap = ncap;
		}
		n->pairs[n->npairs] = p;
		(void)pz_keyset_add(&keys, n->pairs, n->npairs++);
		child = child ? child->next : NULL;
		skip_ws(sc);
		if (sc->i < sc->len && sc->s[sc->i] == ',') {
			sc->i++;
			continue;
		}
		if (sc->i < sc->len && sc->s[sc->i] == '}') {
			sc->i++;
			break;
		}
		fail_at(sc, sc->i,
			"JSON syntax: expected ',' or '}' after a member, "
			"found %s",
			describe(sc, sc->i, tmp, sizeof(tmp)));
		break;
	}
	pz_keyset_release(&keys);
}

static void scan_items(struct scanner *sc, struct pz_node *n, const cJSON *item,
		       int depth)
{
	const cJSON *child = item ? item->child : NULL;
	size_t cap = 0;
	char tmp[16];

	sc->i++; /* '[' */
	skip_ws(sc);
	if (sc->i < sc->len && sc->s[sc->i] == ']') {
		sc->i++;
		return;
	}
	for (;;) {
		struct pz_node *v;

		skip_ws(sc);
		if (sc->i < sc->len && sc->s[sc->i] == ']') {
			fail_at(sc, sc->i,
				"JSON syntax: trailing comma "
				"before ']'");
			return;
		}
		v = scan_value(sc, child, depth + 1);
		if (sc->failed)
			return;
		if (n->nitems >= cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct pz_node **ni =
			    pz_arena_alloc(&sc->doc->arena, ncap * sizeof(*ni));

			if (n->nitems)
				memcpy(ni, n->items, n->nitems * sizeof(*ni));
			n->items = ni;
			cap = ncap;
		}
		n->items[n->nitems++] = v;
		child = child ? child->next : NULL;
		skip_ws(sc);
		if (sc->i < sc->len && sc->s[sc->i] == ',') {
			sc->i++;
			continue;
		}
		if (sc->i < sc->len && sc->s[sc->i] == ']') {
			sc->i++;
			return;
		}
		fail_at(sc, sc->i,
			"JSON syntax: expected ',' or ']' after a list item, "
			"found %s",
			describe(sc, sc->i, tmp, sizeof(tmp)));
		return;
	}
}

static void set_number(struct pz_node *n)
{
	char *end;
	long long v;

	if (!strpbrk(n->str, ".eE")) {
		errno = 0;
		v = strtoll(n->str, &end, 10);
		if (!errno && !*end) {
			n->kind = PZ_NODE_INT;
			n->i = v;
			n->d = (double)v;
			return;
		}
	}
	n->kind = PZ_NODE_FLOAT;
	n->d = strtod(n->str, NULL);
}

static struct pz_node *scan_value(struct scanner *sc, const cJSON *item,
				  int depth)
{
	struct pz_node *n;
	size_t start;
	char tmp[16];
	char c;

	skip_ws(sc);
	if (sc->failed)
		return NULL;
	start = sc->i;
	n = pz_node_new(sc->doc, PZ_NODE_NULL, pos_at(sc, start));
	if (++sc->nodes > PZ_DOC_MAX_NODES) {
		fail_at(sc, start, "more than %zu values; a spec is smaller",
			PZ_DOC_MAX_NODES);
		return NULL;
	}
	if ((sc->nodes & 1023) == 0 && pz_doc_stopped()) {
		fail_at(sc, start, "stopped: pz was interrupted");
		return NULL;
	}
	if (depth > MAX_DEPTH) {
		fail_at(sc, start, "nesting deeper than %d levels", MAX_DEPTH);
		return NULL;
	}
	if (sc->i >= sc->len) {
		fail_at(sc, sc->i,
			"JSON syntax: expected a value, found the "
			"end of the file");
		return NULL;
	}
	c = sc->s[sc->i];
	if (c == '{') {
		n->kind = PZ_NODE_MAP;
		scan_members(sc, n, item, depth);
	} else if (c == '[') {
		n->kind = PZ_NODE_SEQ;
		scan_items(sc, n, item, depth);
	} else if (c == '"') {
		scan_string(sc);
		n->kind = PZ_NODE_STR;
		n->quoted = true;
		if (item && cJSON_IsString(item) && item->valuestring) {
			n->len = strlen(item->valuestring);
			n->str = pz_arena_strndup(&sc->doc->arena,
						  item->valuestring, n->len);
		}
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		scan_number(sc);
		n->len = sc->i - start;
		n->str =
		    pz_arena_strndup(&sc->doc->arena, sc->s + start, n->len);
		set_number(n);
	} else if (!strncmp(sc->s + sc->i, "true", 4) ||
		   !strncmp(sc->s + sc->i, "false", 5)) {
		n->kind = PZ_NODE_BOOL;
		n->b = c == 't';
		n->len = n->b ? 4 : 5;
		n->str = n->b ? "true" : "false";
		sc->i += n->len;
	} else if (!strncmp(sc->s + sc->i, "null", 4)) {
		n->str = "null";
		n->len = 4;
		sc->i += 4;
	} else if (c == '\'') {
		fail_at(sc, start,
			"JSON syntax: strings take double quotes, "
			"not single quotes");
	} else {
		fail_at(sc, start, "JSON syntax: expected a value, found %s",
			describe(sc, start, tmp, sizeof(tmp)));
	}
	return n;
}

int pz_json_parse(struct pz_doc *doc, struct pz_diags *diags)
{
	struct scanner sc;
	cJSON *root;
	const char *end = NULL;
	char tmp[16];

	memset(&sc, 0, sizeof(sc));
	sc.doc = doc;
	sc.diags = diags;
	sc.s = doc->text;
	sc.len = doc->text_len;
	sc.line = 1;
	if (sc.len >= 3 && !memcmp(sc.s, "\xEF\xBB\xBF", 3))
		sc.i = sc.line_start = 3;

	root = cJSON_ParseWithLengthOpts(doc->text, doc->text_len, &end, 0);
	skip_ws(&sc);
	if (!sc.failed && sc.i >= sc.len) {
		pz_diag_add(diags, PZ_SEV_ERROR, doc->path, pos_at(&sc, sc.i),
			    "the file is empty; a spec is a JSON object");
		cJSON_Delete(root);
		return PZ_ESPEC;
	}
	doc->root = scan_value(&sc, root, 0);
	skip_ws(&sc);
	if (!sc.failed && sc.i < sc.len)
		fail_at(&sc, sc.i,
			"JSON syntax: unexpected %s after the end of the "
			"document",
			describe(&sc, sc.i, tmp, sizeof(tmp)));
	if (!sc.failed && !root) {
		/* cJSON refused what the scanner accepted: report cJSON's
		 * place rather than load a tree without decoded values. */
		const char *ep = cJSON_GetErrorPtr();
		size_t off =
		    ep && ep >= doc->text && ep <= doc->text + doc->text_len
			? (size_t)(ep - doc->text)
			: 0;

		sc.line = 1;
		sc.line_start = 0;
		for (size_t k = 0; k < off; k++)
			if (doc->text[k] == '\n') {
				sc.line++;
				sc.line_start = k + 1;
			}
		fail_at(&sc, off, "JSON syntax: invalid JSON");
	}
	cJSON_Delete(root);
	if (sc.failed) {
		doc->root = NULL;
		return PZ_ESPEC;
	}
	return 0;
}
