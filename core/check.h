/*
 * check.h - checks a spec node against a facts shape (facts.h): types,
 * required and unknown members (with a suggestion), lengths, patterns,
 * enums, bounds. Every problem becomes a diagnostic; checking goes on.
 */
#ifndef PZ_CHECK_H
#define PZ_CHECK_H

#include "diag.h"
#include "facts.h"
#include "node.h"

struct pz_settings;

struct pz_check {
	const char *file;
	struct pz_diags *diags;
	/* Members pz supplies in this section (not allowed in the spec). */
	const struct pz_section *section;
	/* Which pz settings are set, for members with a default_from. */
	const struct pz_node *settings;
	char path[512]; /* the dotted path of the node being checked */
	size_t plen;
};

/* Checks n against shape. path is the node's dotted path for messages;
 * at is where "missing member" problems point (the entry's key). */
void pz_check_node(struct pz_check *c, const struct pz_node *n,
		   const struct pz_shape *shape, const char *path,
		   struct pz_pos at);

/* True when s (len bytes) fully matches shape's pattern. */
bool pz_check_pattern(const struct pz_shape *shape, const char *s);
/* Number of characters (UTF-8 code points) in s. */
size_t pz_utf8_len(const char *s, size_t len);
/* A reader's description of what a pattern-checked shape accepts. */
const char *pz_check_pattern_hint(const struct pz_shape *shape);

#endif
