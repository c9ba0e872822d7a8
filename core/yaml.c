/*
 * yaml.c - YAML into the spec tree, with libyaml's event parser.
 *
 * Keys are kept as strings. Plain scalars resolve by the YAML 1.2 core
 * schema (so "no" stays a string). Anchors and aliases are shared nodes;
 * "<<" merge keys are supported; the work aliases can cause is bounded
 * (a "billion laughs" document is an error, not a hang). Duplicate keys
 * are errors, as are multiple documents in one file.
 */
#include <string.h>
#include <yaml.h>

#include "error.h"
#include "node.h"

#define MAX_DEPTH	256
#define MAX_ALIAS_NODES 1000000

struct anchor {
	const char *name;
	struct pz_node *node;
	size_t size; /* nodes beneath it, for the alias budget */
};

struct frame {
	struct pz_node *node;
	size_t cap;
	bool have_key;
	bool key_is_merge; /* the pending key is a plain "<<" */
	struct pz_pair key;
	const char *anchor;
	size_t size;
	struct pz_node **merge; /* maps merged in with "<<" */
	size_t nmerge, merge_cap;
	struct pz_keyset keys; /* a map's keys so far */
};

struct builder {
	struct pz_doc *doc;
	struct pz_diags *diags;
	struct frame stack[MAX_DEPTH];
	int depth;
	struct anchor *anchors;
	struct pz_pair *anchor_keys; /* anchors' names, for anchor_set */
	struct pz_keyset anchor_set;
	size_t nanchors, anchors_cap;
	size_t alias_nodes;
	size_t nodes;
	int errors;
};

static struct pz_pos mark_pos(yaml_mark_t m)
{
	struct pz_pos p;

	p.line = (uint32_t)m.line + 1;
	p.col = (uint32_t)m.column + 1;
	p.offset = (uint32_t)m.index;
	return p;
}

static void error_at(struct builder *b, struct pz_pos pos, const char *fmt, ...)
    PZ_PRINTF(3, 4);

static void error_at(struct builder *b, struct pz_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pz_diag_vadd(b->diags, PZ_SEV_ERROR, b->doc->path, pos, fmt, ap);
	va_end(ap);
	b->errors++;
}

static struct anchor *find_anchor(struct builder *b, const char *name)
{
	size_t i =
	    pz_keyset_find(&b->anchor_set, b->anchor_keys, name, strlen(name));

	return i == SIZE_MAX ? NULL : &b->anchors[i];
}

static void add_anchor(struct builder *b, const char *name,
		       struct pz_node *node, size_t size)
{
	struct anchor *a = find_anchor(b, name);
	size_t cap = b->anchors_cap;

	/* The latest definition wins, as YAML says: a redefinition
	 * replaces the entry (aliases already read keep theirs). */
	if (!a) {
		PZ_GROW(b->anchors, b->nanchors, b->anchors_cap);
		if (cap != b->anchors_cap)
			b->anchor_keys =
			    pz_xreallocarray(b->anchor_keys, b->anchors_cap,
					     sizeof(*b->anchor_keys));
		memset(&b->anchor_keys[b->nanchors], 0,
		       sizeof(*b->anchor_keys));
		b->anchor_keys[b->nanchors].key = name;
		b->anchor_keys[b->nanchors].key_len = strlen(name);
		(void)pz_keyset_add(&b->anchor_set, b->anchor_keys,
				    b->nanchors);
		a = &b->anchors[b->nanchors++];
	}
	a->name = name;
	a->node = node;
	a->size = size;
}

static bool add_pair(struct builder *b, struct frame *f, struct pz_pair *kp,
		     struct pz_node *value, bool check_dup)
{
	struct pz_node *m = f->node;
	size_t i = pz_keyset_find(&f->keys, m->pairs, kp->key, kp->key_len);

	if (i != SIZE_MAX) {
		if (check_dup)
			error_at(b, kp->key_pos,
				 "duplicate key '%s' (first at line %u, "
				 "column %u)",
				 kp->key, m->pairs[i].key_pos.line,
				 m->pairs[i].key_pos.col);
		return false;
	}
	if (m->npairs >= f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 4;
		struct pz_pair *np =
		    pz_arena_alloc(&b->doc->arena, ncap * sizeof(*np));

		if (m->npairs)
			memcpy(np, m->pairs, m->npairs * sizeof(*np));
		m->pairs = np;
		f->cap = ncap;
	}
	m->pairs[m->npairs] = *kp;
	m->pairs[m->npairs].value = value;
	(void)pz_keyset_add(&f->keys, m->pairs, m->npairs++);
	return true;
}

static void add_item(struct builder *b, struct frame *f, struct pz_node *v)
{
	struct pz_node *s = f->node;

	if (s->nitems >= f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 4;
		struct pz_node **ni =
		    pz_arena_alloc(&b->doc->arena, ncap * sizeof(*ni));

		if (s->nitems)
			memcpy(ni, s->items, s->nitems * sizeof(*ni));
		s->items = ni;
		f->cap = ncap;
	}
	s->items[s->nitems++] = v;
}

static void queue_merge(struct builder *b, struct frame *f, struct pz_node *src,
			struct pz_pos pos)
{
	size_t i;

	if (src->kind == PZ_NODE_SEQ) {
		for (i = 0; i < src->nitems; i++)
			queue_merge(b, f, src->items[i], src->items[i]->pos);
		return;
	}
	if (src->kind != PZ_NODE_MAP) {
		error_at(b, pos,
			 "a '<<' merge key takes a map or a list of "
			 "maps, not %s",
			 pz_node_kind_name(src->kind));
		return;
	}
	if (f->nmerge >= f->merge_cap) {
		f->merge_cap = f->merge_cap ? f->merge_cap * 2 : 2;
		f->merge =
		    pz_xreallocarray(f->merge, f->merge_cap, sizeof(*f->merge));
	}
	f->merge[f->nmerge++] = src;
}

/* Attaches a finished value (size nodes) to the container on top. */
static void attach(struct builder *b, struct pz_node *v, size_t size,
		   bool is_plain_merge_key)
{
	struct frame *f;

	if (b->depth == 0) {
		b->doc->root = v;
		return;
	}
	f = &b->stack[b->depth - 1];
	f->size += size;
	if (f->node->kind == PZ_NODE_SEQ) {
		add_item(b, f, v);
		return;
	}
	if (!f->have_key) {
		if (!pz_node_is_scalar(v)) {
			error_at(b, v->pos,
				 "a map key must be a plain string, not %s",
				 pz_node_kind_name(v->kind));
			f->key.key = "";
			f->key.key_len = 0;
		} else {
			f->key.key = v->str;
			f->key.key_len = v->len;
		}
		f->key.key_pos = v->pos;
		f->key_is_merge =
		    is_plain_merge_key && strcmp(f->key.key, "<<") == 0;
		f->have_key = true;
		return;
	}
	f->have_key = false;
	if (f->key_is_merge) {
		queue_merge(b, f, v, v->pos);
		return;
	}
	add_pair(b, f, &f->key, v, true);
}

static void push(struct builder *b, struct pz_node *n, const char *anchor)
{
	struct frame *f;

	if (b->depth >= MAX_DEPTH) {
		error_at(b, n->pos, "nesting deeper than %d levels", MAX_DEPTH);
		return;
	}
	f = &b->stack[b->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->anchor = anchor;
	f->size = 1;
}

static void pop(struct builder *b)
{
	struct frame f = b->stack[--b->depth];
	size_t i, j;

	for (i = 0; i < f.nmerge; i++) {
		struct pz_node *src = f.merge[i];

		/* Keys already there win (add_pair keeps the first). */
		for (j = 0; j < src->npairs; j++)
			add_pair(b, &f, &src->pairs[j], src->pairs[j].value,
				 false);
	}
	free(f.merge);
	pz_keyset_release(&f.keys);
	if (f.anchor)
		add_anchor(b, f.anchor, f.node, f.size);
	attach(b, f.node, f.size, false);
}

static const char *dup_anchor(struct builder *b, const yaml_char_t *a)
{
	return a ? pz_arena_strdup(&b->doc->arena, (const char *)a) : NULL;
}

static void on_scalar(struct builder *b, const yaml_event_t *e)
{
	struct pz_node *n =
	    pz_node_new(b->doc, PZ_NODE_STR, mark_pos(e->start_mark));
	const char *tag = (const char *)e->data.scalar.tag;
	bool plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

	n->str =
	    pz_arena_strndup(&b->doc->arena, (const char *)e->data.scalar.value,
			     e->data.scalar.length);
	n->len = e->data.scalar.length;
	if (strlen(n->str) != n->len)
		error_at(b, n->pos, "strings may not contain NUL characters");
	n->quoted = !plain || (tag && strcmp(tag, YAML_STR_TAG) == 0);
	pz_node_resolve_plain(n);
	if (e->data.scalar.anchor)
		add_anchor(b, dup_anchor(b, e->data.scalar.anchor), n, 1);
	attach(b, n, 1, plain && !tag);
}

static void on_alias(struct builder *b, const yaml_event_t *e)
{
	const char *name = (const char *)e->data.alias.anchor;
	struct anchor *a = find_anchor(b, name);
	struct pz_pos pos = mark_pos(e->start_mark);

	if (!a) {
		error_at(b, pos, "unknown anchor '*%s'", name);
		attach(b, pz_node_new(b->doc, PZ_NODE_NULL, pos), 1, false);
		return;
	}
	b->alias_nodes += a->size;
	if (b->alias_nodes > MAX_ALIAS_NODES) {
		if (b->alias_nodes - a->size <= MAX_ALIAS_NODES)
			error_at(b, pos,
				 "aliases expand to more than %d nodes; the "
				 "document is too large or recursive",
				 MAX_ALIAS_NODES);
		attach(b, pz_node_new(b->doc, PZ_NODE_NULL, pos), 1, false);
		return;
	}
	attach(b, a->node, a->size, false);
}

static void syntax_error(struct builder *b, const yaml_parser_t *p)
{
	struct pz_pos pos = mark_pos(p->problem_mark);

	/* A reader error (a NUL, a control character, bad UTF-8) has only
	 * an offset: its line and column are counted here. */
	if (p->error == YAML_READER_ERROR) {
		size_t k, off = p->problem_offset;

		pos.line = 1;
		pos.col = 1;
		pos.offset = (uint32_t)off;
		for (k = 0; k < off && k < b->doc->text_len; k++) {
			if (b->doc->text[k] == '\n') {
				pos.line++;
				pos.col = 1;
			} else if (((unsigned char)b->doc->text[k] & 0xC0) !=
				   0x80) {
				pos.col++;
			}
		}
	}
	const char *text = b->doc->text;
	const char *hint = "";

	if (p->problem_mark.index < b->doc->text_len &&
	    text[p->problem_mark.index] == '\t')
		hint = " (YAML does not allow tabs for indentation; use "
		       "spaces)";
	if (p->context)
		error_at(b, pos, "YAML syntax: %s %s%s",
			 p->problem ? p->problem : "error", p->context, hint);
	else
		error_at(b, pos, "YAML syntax: %s%s",
			 p->problem ? p->problem : "error", hint);
}

int pz_yaml_parse(struct pz_doc *doc, struct pz_diags *diags)
{
	struct builder b;
	yaml_parser_t parser;
	yaml_event_t e;
	int docs = 0;
	bool done = false;

	memset(&b, 0, sizeof(b));
	b.doc = doc;
	b.diags = diags;
	if (!yaml_parser_initialize(&parser))
		PZ_BUG("yaml_parser_initialize failed");
	yaml_parser_set_input_string(&parser, (const unsigned char *)doc->text,
				     doc->text_len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &e)) {
			syntax_error(&b, &parser);
			break;
		}
		switch (e.type) {
		case YAML_STREAM_END_EVENT: done = true; break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				error_at(&b, mark_pos(e.start_mark),
					 "a spec is one YAML document; found "
					 "a second one");
				done = true;
			}
			break;
		case YAML_MAPPING_START_EVENT:
			push(&b,
			     pz_node_new(doc, PZ_NODE_MAP,
					 mark_pos(e.start_mark)),
			     dup_anchor(&b, e.data.mapping_start.anchor));
			break;
		case YAML_SEQUENCE_START_EVENT:
			push(&b,
			     pz_node_new(doc, PZ_NODE_SEQ,
					 mark_pos(e.start_mark)),
			     dup_anchor(&b, e.data.sequence_start.anchor));
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			if (b.depth > 0)
				pop(&b);
			break;
		case YAML_SCALAR_EVENT: on_scalar(&b, &e); break;
		case YAML_ALIAS_EVENT: on_alias(&b, &e); break;
		default: break;
		}
		yaml_event_delete(&e);
		if (b.errors && b.depth >= MAX_DEPTH)
			break;
		if (++b.nodes > PZ_DOC_MAX_NODES) {
			error_at(&b, mark_pos(parser.mark),
				 "more than %zu values; a spec is smaller",
				 PZ_DOC_MAX_NODES);
			break;
		}
		if ((b.nodes & 1023) == 0 && pz_doc_stopped()) {
			error_at(&b, mark_pos(parser.mark),
				 "stopped: pz was interrupted");
			break;
		}
	}
	while (b.depth > 0) {
		free(b.stack[--b.depth].merge);
		pz_keyset_release(&b.stack[b.depth].keys);
	}
	yaml_parser_delete(&parser);
	free(b.anchors);
	free(b.anchor_keys);
	pz_keyset_release(&b.anchor_set);
	return b.errors ? PZ_ESPEC : 0;
}
