/*
 * node.h - the in-memory tree of a spec document, whichever the syntax.
 *
 * YAML (libyaml) and JSON (cJSON) load into the same tree; every node and
 * every map key keeps the line and column it came from, so checks far
 * from the parser still point at the right place. A document owns all its
 * nodes and strings (one arena); nodes are borrowed from it.
 */
#ifndef PZ_NODE_H
#define PZ_NODE_H

#include <signal.h>

#include "arena.h"
#include "diag.h"

enum pz_node_kind {
	PZ_NODE_NULL,
	PZ_NODE_BOOL,
	PZ_NODE_INT,
	PZ_NODE_FLOAT,
	PZ_NODE_STR,
	PZ_NODE_MAP,
	PZ_NODE_SEQ,
};

struct pz_node;

struct pz_pair {
	const char *key;
	size_t key_len;
	struct pz_pos key_pos;
	struct pz_node *value;
};

struct pz_node {
	enum pz_node_kind kind;
	struct pz_pos pos;
	/* Scalars: the text as written (after interpolation), NUL-terminated;
	 * for JSON numbers the literal, for JSON strings the decoded value. */
	const char *str;
	size_t len;
	bool quoted;	   /* a quoted YAML scalar or a JSON string */
	bool interpolated; /* ${...} was replaced in it */
	bool sensitive;	   /* holds a value from ${env:} that the spec did
			      not declare public (pz.publicEnv) */
	bool invalid;	   /* an error was reported on it: checks skip it */
	bool b;
	int64_t i;
	double d;
	struct pz_pair *pairs; /* PZ_NODE_MAP, in document order */
	size_t npairs;
	struct pz_node **items; /* PZ_NODE_SEQ */
	size_t nitems;
};

enum pz_doc_format {
	PZ_FORMAT_YAML,
	PZ_FORMAT_JSON,
};

struct pz_doc {
	char *path; /* owned; as given, for diagnostics */
	enum pz_doc_format format;
	struct pz_node *root; /* NULL when the file is empty */
	char *text;	      /* owned copy of the source */
	size_t text_len;
	struct pz_arena arena;
};

/*
 * Loads path (or, with text non-NULL, text as if read from path) into a
 * new document. The format follows the extension (.json, .yaml, .yml),
 * else the first non-blank character. Syntax errors go to diags and the
 * function returns PZ_ESPEC; I/O errors return PZ_EIO/PZ_ENOTFOUND with
 * the message set. On success *out is the caller's, freed with
 * pz_doc_free.
 */
int pz_doc_load(struct pz_doc **out, const char *path, const char *text,
		size_t text_len, struct pz_diags *diags);
void pz_doc_free(struct pz_doc *doc);

/*
 * Loaders stop early, with an error diagnostic, once *flag is non-zero
 * (cmd/ passes its SIGINT/SIGTERM flag): a huge spec never holds a run
 * that was asked to stop. NULL (the default) never stops.
 */
void pz_doc_set_stop_flag(const volatile sig_atomic_t *flag);
/* True once the stop flag is set. */
bool pz_doc_stopped(void);

/* The most nodes one document may hold (anchors' expansions counted);
 * a loader refuses more while parsing, before the tree grows further. */
#define PZ_DOC_MAX_NODES ((size_t)8 << 20)

/*
 * Duplicate keys of one map in linear time: an open-addressing set of
 * indices into the map's pairs, hashed by key bytes.
 */
struct pz_keyset {
	size_t *slots; /* index + 1, 0 for empty */
	size_t cap, n;
};

/* Adds pairs[i]; returns the index of an earlier pair with the same key
 * (then i is not added), or SIZE_MAX. pairs may move between calls. */
size_t pz_keyset_add(struct pz_keyset *ks, const struct pz_pair *pairs,
		     size_t i);
/* The index of the pair with key (key_len bytes), or SIZE_MAX. */
size_t pz_keyset_find(const struct pz_keyset *ks, const struct pz_pair *pairs,
		      const char *key, size_t key_len);
void pz_keyset_release(struct pz_keyset *ks);

/* Loader back ends (yaml.c, json.c): fill doc->root from doc->text. */
int pz_yaml_parse(struct pz_doc *doc, struct pz_diags *diags);
int pz_json_parse(struct pz_doc *doc, struct pz_diags *diags);

/* Allocates a node in doc's arena. */
struct pz_node *pz_node_new(struct pz_doc *doc, enum pz_node_kind kind,
			    struct pz_pos pos);
/*
 * Sets a plain (unquoted YAML) scalar's kind from its text, by the YAML
 * 1.2 core schema: null, true/false, integers, floats; otherwise a
 * string. ("yes", "no", "on", "off" stay strings.)
 */
void pz_node_resolve_plain(struct pz_node *n);

/* The value of key in map n, or NULL (also when n is not a map). */
struct pz_node *pz_node_get(const struct pz_node *n, const char *key);
const struct pz_pair *pz_node_get_pair(const struct pz_node *n,
				       const char *key);
/* The string of a scalar node, or NULL for maps, sequences and null. */
const char *pz_node_str(const struct pz_node *n);
/* The scalar's text for a message: "(sensitive)" when it holds a value
 * from the environment (see sensitive). */
const char *pz_node_shown(const struct pz_node *n);
bool pz_node_is_scalar(const struct pz_node *n);
/* "a string", "a map", ... for messages. */
const char *pz_node_kind_name(enum pz_node_kind kind);

/* Appends n as JSON (compact, keys in document order). */
int pz_node_to_json(const struct pz_node *n, struct pz_buf *out) PZ_MUST_USE;

#endif
