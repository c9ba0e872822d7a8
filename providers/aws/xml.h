/*
 * xml.h - a small XML tree over expat, for the REST-XML (S3) and Query
 * (STS, SNS) protocols' responses.
 *
 * Namespaces are not interpreted: a name is the element's name as
 * written ("ListBucketResult"). Text is the concatenated character data
 * directly inside an element, entities decoded. Documents are limited in
 * size by the caller's buffer cap and in depth (PZ_XML_MAX_DEPTH);
 * DTDs and entity declarations are refused (no billion laughs).
 */
#ifndef PZ_AWS_XML_H
#define PZ_AWS_XML_H

#include "core/common.h"

#define PZ_XML_MAX_DEPTH 64

struct pz_xml_node {
	char *name;
	char *text; /* never NULL */
	size_t text_len;
	struct pz_xml_node *parent;
	struct pz_xml_node **children;
	size_t n_children;
	size_t cap;
};

/* Parses doc[0..len); *out is owned by the caller (pz_xml_free).
 * Fails with PZ_EINVAL naming the line. */
int pz_xml_parse(const char *doc, size_t len, struct pz_xml_node **out);
/* Frees the tree, wiping texts (responses may carry credentials). */
void pz_xml_free(struct pz_xml_node *root);

/* The first child named name, or NULL. Borrowed. */
struct pz_xml_node *pz_xml_child(const struct pz_xml_node *n, const char *name);
/*
 * Follows a '/'-separated path of child names from n ("a/b/c") and
 * returns the text of the node reached, or NULL. Borrowed.
 */
const char *pz_xml_path_text(const struct pz_xml_node *n, const char *path);
/* Like pz_xml_path_text, but returns the node. */
struct pz_xml_node *pz_xml_path(const struct pz_xml_node *n, const char *path);

#endif
