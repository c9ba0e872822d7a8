/*
 * xml.c - expat into a small tree.
 */
#include "xml.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"

struct builder {
	XML_Parser parser;
	struct pz_xml_node *root;
	struct pz_xml_node *cur;
	struct pz_buf text;
	int depth;
	const char *error;
};

static void node_free(struct pz_xml_node *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n_children; i++)
		node_free(n->children[i]);
	free(n->children);
	free(n->name);
	if (n->text)
		pz_free_secret(n->text, n->text_len + 1);
	free(n);
}

void pz_xml_free(struct pz_xml_node *root)
{
	node_free(root);
}

static void flush_text(struct builder *b)
{
	struct pz_xml_node *n = b->cur;
	size_t len;

	if (!n || !b->text.len)
		return;
	len = n->text_len + b->text.len;
	n->text = pz_xrealloc(n->text, len + 1);
	memcpy(n->text + n->text_len, b->text.ptr, b->text.len);
	n->text[len] = '\0';
	n->text_len = len;
	pz_wipe(b->text.ptr, b->text.len);
	pz_buf_reset(&b->text);
}

static void XMLCALL on_start(void *ud, const XML_Char *name,
			     const XML_Char **attrs)
{
	struct builder *b = ud;
	struct pz_xml_node *n;

	(void)attrs;
	flush_text(b);
	if (++b->depth > PZ_XML_MAX_DEPTH) {
		b->error = "too deeply nested";
		XML_StopParser(b->parser, XML_FALSE);
		return;
	}
	n = pz_xcalloc(1, sizeof(*n));
	n->name = pz_xstrdup(name);
	n->text = pz_xstrdup("");
	n->parent = b->cur;
	if (b->cur) {
		PZ_GROW(b->cur->children, b->cur->n_children, b->cur->cap);
		b->cur->children[b->cur->n_children++] = n;
	} else if (!b->root) {
		b->root = n;
	} else {
		node_free(n);
		b->error = "more than one root element";
		XML_StopParser(b->parser, XML_FALSE);
		return;
	}
	b->cur = n;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct builder *b = ud;

	(void)name;
	flush_text(b);
	b->depth--;
	if (b->cur)
		b->cur = b->cur->parent;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct builder *b = ud;

	if (!b->cur || len <= 0)
		return;
	if (pz_buf_add(&b->text, s, (size_t)len)) {
		b->error = "text too long";
		XML_StopParser(b->parser, XML_FALSE);
	}
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
				   const XML_Char *value, int value_len,
				   const XML_Char *base,
				   const XML_Char *system_id,
				   const XML_Char *public_id,
				   const XML_Char *notation)
{
	struct builder *b = ud;

	(void)name, (void)is_param, (void)value, (void)value_len, (void)base;
	(void)system_id, (void)public_id, (void)notation;
	b->error = "entity declarations are not allowed";
	XML_StopParser(b->parser, XML_FALSE);
}

int pz_xml_parse(const char *doc, size_t len, struct pz_xml_node **out)
{
	struct builder b;
	int r = 0;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	if (len > (size_t)1 << 30)
		return pz_error_set(PZ_EINVAL, "XML document too large");
	b.parser = XML_ParserCreate("UTF-8");
	if (!b.parser)
		PZ_BUG("XML_ParserCreate failed");
	pz_buf_init(&b.text, 16 << 20);
	XML_SetUserData(b.parser, &b);
	XML_SetElementHandler(b.parser, on_start, on_end);
	XML_SetCharacterDataHandler(b.parser, on_text);
	XML_SetEntityDeclHandler(b.parser, on_entity_decl);
	if (XML_Parse(b.parser, doc, (int)len, XML_TRUE) == XML_STATUS_ERROR) {
		r = pz_error_set(
		    PZ_EINVAL, "bad XML at line %lu: %s",
		    (unsigned long)XML_GetCurrentLineNumber(b.parser),
		    b.error ? b.error
			    : XML_ErrorString(XML_GetErrorCode(b.parser)));
	} else if (!b.root) {
		r = pz_error_set(PZ_EINVAL, "empty XML document");
	}
	XML_ParserFree(b.parser);
	pz_buf_release_secret(&b.text);
	if (r) {
		node_free(b.root);
		return r;
	}
	*out = b.root;
	return 0;
}

struct pz_xml_node *pz_xml_child(const struct pz_xml_node *n, const char *name)
{
	size_t i;

	if (!n)
		return NULL;
	for (i = 0; i < n->n_children; i++)
		if (strcmp(n->children[i]->name, name) == 0)
			return n->children[i];
	return NULL;
}

struct pz_xml_node *pz_xml_path(const struct pz_xml_node *n, const char *path)
{
	struct pz_xml_node *cur = (struct pz_xml_node *)(uintptr_t)n;
	const char *p = path;

	while (cur && *p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		char name[128];

		if (len >= sizeof(name))
			return NULL;
		memcpy(name, p, len);
		name[len] = '\0';
		cur = pz_xml_child(cur, name);
		p += len + (slash ? 1 : 0);
	}
	return cur;
}

const char *pz_xml_path_text(const struct pz_xml_node *n, const char *path)
{
	const struct pz_xml_node *x = pz_xml_path(n, path);

	return x ? x->text : NULL;
}
