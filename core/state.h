/*
 * state.h - what pz manages: the state document (DESIGN.md §6).
 *
 *   {"format_version", "pz_version", "serial", "lineage", "git_commit",
 *    "resources": [{"address", "type", "arn", "status", "tainted",
 *                   "attributes", "dependencies", "pz"}]}
 *
 * Resources are kept sorted by address and written with sorted keys, so
 * the same content is always the same bytes. `serial` grows by one with
 * each write that changes content; `lineage` (a UUID) is fixed at the
 * first write and tells two unrelated states apart. Older formats are
 * migrated on read; a newer format is refused.
 */
#ifndef PZ_STATE_H
#define PZ_STATE_H

#include <cjson/cJSON.h>

#include "buf.h"

#define PZ_STATE_FORMAT 1

struct pz_state_resource {
	char *address;	   /* "campaign.main" */
	char *type;	   /* "campaign" */
	char *arn;	   /* NULL until known */
	char *status;	   /* the last status seen, or NULL */
	bool tainted;	   /* creation failed: replace on the next apply */
	cJSON *attributes; /* object, owned */
	char **deps;	   /* addresses it depends on, sorted */
	size_t ndeps;
	cJSON *meta; /* object, owned: pz's own facts (the "pz" member):
		      * data digest of the last import, trigger of the
		      * last training, ... */
};

/* A meta member, true when the record's attributes are what the service
 * described (pz import), not what an apply sent: they include the
 * service's defaults. An apply that records the resource drops it. */
#define PZ_META_DESCRIBED "described"

struct pz_state {
	int format_version;
	char *pz_version;
	uint64_t serial;
	char lineage[37];
	char *git_commit;		     /* NULL when not known */
	struct pz_state_resource *resources; /* sorted by address */
	size_t n, cap;
};

/*
 * The address rule, the spec's (DESIGN.md §5): "<type>.<key>", the type
 * lowercase letters, digits and '_', the key 1 to 128 letters, digits,
 * '-' and '_' (the PzKey shape). Every address pz stores or accepts
 * follows it, so no state holds one its reader refuses.
 */
bool pz_state_key_valid(const char *key);
/* 0 when address is type.<valid key> (type NULL: any valid type), else
 * PZ_EINVAL with a message saying what an address is. */
int pz_state_check_address(const char *address, const char *type);

/* A new empty state with a fresh random lineage. */
int pz_state_new(struct pz_state **out);
/*
 * Parses and checks a state document (any format this pz can read,
 * migrated to PZ_STATE_FORMAT). origin names it in messages. Returns 0,
 * or PZ_EINVAL with a message saying what is wrong and where.
 */
int pz_state_parse(struct pz_state **out, const char *text, size_t len,
		   const char *origin);
/* The document, pretty-printed, deterministic, ending in a newline. */
int pz_state_serialize(const struct pz_state *st,
		       struct pz_buf *out) PZ_MUST_USE;
void pz_state_free(struct pz_state *st);
/* A deep copy. */
struct pz_state *pz_state_dup(const struct pz_state *st);

struct pz_state_resource *pz_state_find(const struct pz_state *st,
					const char *address);
/* The resource at address, added (empty, with type) when missing.
 * Pointers into st->resources are valid until the next put or remove. */
struct pz_state_resource *pz_state_put(struct pz_state *st, const char *address,
				       const char *type);
/* PZ_ENOTFOUND when absent. */
/* Puts a deep copy of src (from another state) in st, replacing the
 * record at its address. */
struct pz_state_resource *
pz_state_put_copy(struct pz_state *st, const struct pz_state_resource *src);
int pz_state_remove(struct pz_state *st, const char *address);
/* Renames a resource; PZ_ENOTFOUND, or PZ_EEXISTS when to is taken, or
 * PZ_EINVAL when the types differ. Dependencies naming from follow. */
int pz_state_move(struct pz_state *st, const char *from, const char *to);
void pz_state_resource_set_deps(struct pz_state_resource *r,
				const char *const *deps, size_t n);
/*
 * Records a resource as it now is: the one writer of a record's facts
 * (apply's pz_plan_record, import's pz_personalize_record). The record
 * at address (added when missing) gets arn and status (copied, NULL
 * for none), attributes (taken; NULL: none), deps and no taint; its
 * meta is kept, for the caller to update. Returns the record (valid
 * until the next put or remove).
 */
struct pz_state_resource *
pz_state_record(struct pz_state *st, const char *address, const char *type,
		const char *arn, const char *status, cJSON *attributes,
		const char *const *deps, size_t ndeps);

/* Equal resources (the part a serial counts), ignoring serial,
 * pz_version and git_commit. */
bool pz_state_same_content(const struct pz_state *a, const struct pz_state *b);
/*
 * Prepares next for writing over prev (NULL when there is none): keeps
 * prev's lineage and sets serial to prev's, plus one when the content
 * changed. Returns 1 when there is something to write, 0 when not.
 */
int pz_state_next_serial(struct pz_state *next, const struct pz_state *prev);
/*
 * May local replace remote (pz state push)? Refused with PZ_ECONFLICT
 * when the lineages differ or local's serial is lower than remote's,
 * unless force.
 */
int pz_state_check_push(const struct pz_state *remote,
			const struct pz_state *local, bool force);

/* Fills out with a random RFC 4122 version 4 UUID. */
int pz_uuid4(char out[37]);

#endif
