/*
 * datacheck.h - the data pre-flight: the CSV objects an import would
 * read, checked against the dataset's Avro schema before the import (or
 * a training on it) is paid for (personalize-rules.md §3,
 * docs/data-check.md).
 *
 * Two layers. The checker (struct pz_dc) is pure: it is fed the bytes
 * of each object (pz_dc_obj_feed, in chunks of any size, objects
 * interleaved as they arrive) and finds, per object: a header that is
 * not the schema's (unknown, quoted, duplicate or missing required
 * names), values that are not of their field's type or null where the
 * schema forbids it, IDs and categorical values over their lengths,
 * text that is not UTF-8, TIMESTAMPs in milliseconds, as dates or in
 * the future, rows with the wrong number of fields, objects that are
 * empty or not CSV. Over the whole import: objects whose headers
 * differ, fewer than 1,000 records, and for Interactions the training
 * minimums (1,000 interactions and 25 users with at least 2) after each
 * solution's event-type filter. Memory is constant: one CSV record per
 * object being read and a capped user table per filter.
 *
 * The reader (pz_personalize_data_check, datacheck_s3.c) lists each
 * import's objects, takes what it can from the cache of earlier checks
 * (a local directory, by object, ETag and schema; never the state, so
 * a plan writes nothing shared), reads the rest with
 * ranged GETs, many objects at once, and stops each object as soon as
 * the level needs no more of it.
 *
 * Diagnostics name the object as the file, "s3://bucket/key:LINE:COL",
 * with a note at the schema field's line in the spec.
 */
#ifndef PZ_PERSONALIZE_DATACHECK_H
#define PZ_PERSONALIZE_DATACHECK_H

#include <cjson/cJSON.h>

#include "avro.h"
#include "core/diag.h"
#include "core/plan.h"
#include "core/provider_ops.h" /* the level, run options and stats */

/* The rows of each object a sample checks in full. */
#define PZ_DC_SAMPLE_ROWS 1000
/* Minimums (personalize-rules.md §3). */
#define PZ_DC_MIN_RECORDS      1000
#define PZ_DC_MIN_INTERACTIONS 1000
#define PZ_DC_MIN_USERS	       25

struct pz_dc;
struct pz_dc_obj;

/*
 * A check of one import's data. schema is the dataset's (borrowed, must
 * outlive dc); spec_file names the spec for notes; dataset_type is the
 * dataset's key ("Interactions"); location is the s3:// prefix; full
 * import: FULL mode (the training minimums apply to it alone); now in
 * seconds since the epoch (future timestamps).
 */
struct pz_dc *pz_dc_new(const struct pz_avro_schema *schema,
			const char *spec_file, const char *dataset_type,
			const char *location, enum pz_dc_level level,
			bool full_import, long long now);
void pz_dc_free(struct pz_dc *dc);
/* A solution that would train on this data: its address, its eventType
 * filter (NULL: every event) and where the spec declares it. */
void pz_dc_add_solution(struct pz_dc *dc, const char *address,
			const char *event_type, struct pz_pos pos);
/* Collect pz data stats' figures too (unique IDs: memory grows with
 * them). */
void pz_dc_want_stats(struct pz_dc *dc);

/* An object to read: url is "s3://bucket/key", etag as listed. The
 * object belongs to dc (freed with it); objects are reported in the
 * order they were added. */
struct pz_dc_obj *pz_dc_obj_add(struct pz_dc *dc, const char *url,
				const char *etag, uint64_t size);
/* o is new or changed since the dataset's last import (before the
 * cache is consulted): an INCREMENTAL import into Interactions needs
 * 1,000 records from such objects, new ones (§3). */
void pz_dc_obj_mark_fresh(struct pz_dc_obj *o);
/* Feeds the next bytes. Returns true when the object needs no more
 * (its level is satisfied): the caller stops reading and calls
 * pz_dc_obj_finish(o, false). */
bool pz_dc_obj_feed(struct pz_dc_obj *o, const char *p, size_t n);
/* The object is done: at its end (eof) or stopped early. */
void pz_dc_obj_finish(struct pz_dc_obj *o, bool eof);
/* The object could not be read at all: an error naming it. */
void pz_dc_obj_failed(struct pz_dc_obj *o, const char *message);
/* True when reading on would change nothing: the sample is taken and
 * every minimum is met (sample), or never (full). */
bool pz_dc_obj_done(const struct pz_dc_obj *o);
uint64_t pz_dc_obj_bytes(const struct pz_dc_obj *o);

/*
 * The cache: an object's result as JSON (etag, level, rows, ...), or
 * NULL when it could not be read (a transport error is not a verdict on
 * the data), and back. pz_dc_obj_from_cache uses entry when it is for the same
 * ETag at the same or a deeper level, and returns true; the object then needs
 * no reading.
 */
cJSON *pz_dc_obj_to_cache(const struct pz_dc_obj *o);
bool pz_dc_obj_from_cache(struct pz_dc_obj *o, const cJSON *entry);
/* The name of o's cache entry: a digest of its URL, its ETag and what
 * the verdict depends on besides the bytes (the schema, the spec file
 * and the lines the notes point at), in lower-case hex. */
void pz_dc_obj_cache_key(const struct pz_dc_obj *o, char hex[65]);
/* True when some object's result came from the cache. */
bool pz_dc_used_cache(const struct pz_dc *dc);

/*
 * Ends the check: per-object diagnostics in object order, then what
 * concerns the import as a whole (headers that differ, minimums), all
 * into diags. Returns the number of errors it added. *minimums_failed
 * (may be NULL) says whether a minimum failed on counts from the cache
 * that are only a lower bound (users; or any count when a cached object
 * was a sample stopped early): the caller then checks again without
 * the cache.
 */
size_t pz_dc_finish(struct pz_dc *dc, struct pz_diags *diags,
		    bool *minimums_failed);
/* After finish, with pz_dc_want_stats: moves the figures into out
 * (pz_dc_stats_release). */
void pz_dc_take_stats(struct pz_dc *dc, struct pz_dc_stats *out);

struct pz_aws_client;
struct pz_spec;

/*
 * Where checked objects' results are kept: $XDG_CACHE_HOME/pz/data-check,
 * else $HOME/.cache/pz/data-check (XDG base directory specification);
 * NULL when neither variable is set to an absolute path. Owned by the
 * caller. The directory is made when the first entry is written.
 */
char *pz_dc_cache_dir(void);

/*
 * The data pre-flight of a plan: for every import the plan would run
 * (dataset_import_job changes that create), lists its objects, checks
 * them (from opts->cache_dir where an entry matches) and adds what it
 * finds to diags. New results are written to the cache (atomically,
 * one file per object; a cache that cannot be written is only logged).
 * Nothing else is written: the state is not touched. Returns 0, or a
 * transport error (message set).
 */
int pz_personalize_data_check(struct pz_aws_client *c,
			      const struct pz_spec *spec,
			      const struct pz_plan *plan,
			      const struct pz_dc_run_opts *opts,
			      struct pz_diags *diags);

/*
 * pz data stats: reads every object of the dataset resource ds's data
 * location in full and fills *out (pz_dc_stats_release). Problems found
 * on the way go to diags.
 */
int pz_personalize_data_stats(struct pz_aws_client *c,
			      const struct pz_spec *spec,
			      const struct pz_resource *ds,
			      const struct pz_dc_run_opts *opts,
			      struct pz_dc_stats *out, struct pz_diags *diags);

#endif
