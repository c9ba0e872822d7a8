/*
 * datacheck_s3.c - reading the data the checker checks: the objects
 * under each import's location, by ranged GETs on the client's event
 * loop, a few objects at once, one chunk per object in flight (so
 * memory is the chunks in flight, whatever the objects' sizes), each
 * object stopped as soon as its level needs no more of it. Results are
 * cached per object in a local directory (pz_dc_cache_dir), one file
 * per object named by pz_dc_obj_cache_key, each written atomically: a
 * plan writes nothing shared, so a plan made for a pull request leaves
 * the state (and its serial) as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "core/tempfile.h"
#include "core/spec.h"
#include "datacheck.h"
#include "pers.h"
#include "providers/aws/client.h"
#include "providers/aws/http.h"
#include "providers/aws/s3.h"

#define CHUNK	     ((uint64_t)1 << 20)
#define HEADER_CHUNK ((uint64_t)64 << 10)

struct job;

struct run;

struct reader {
	struct run *run;
	struct job *job;
	struct pz_dc_obj *o;
	char *key, *etag;
	uint64_t size, off;
	bool started, finished;
	bool cached; /* its result came from the cache */
};

struct job {
	const struct pz_resource *r; /* the dataset_import_job */
	const cJSON *fresh;	     /* INCREMENTAL: the new or changed keys */
	char *bucket, *prefix, *location;
	struct pz_dc *dc;
	struct reader *readers;
	size_t nreaders;
};

struct run {
	struct pz_aws_client *c;
	const struct pz_dc_run_opts *opts;
	struct reader **queue; /* every reader, in order */
	size_t nqueue, next, inflight, done;
	uint64_t bytes;
	int err;   /* the first transport error */
	char *msg; /* its message (copied: later errors overwrite it) */
};

/* Keeps the first error and its message. */
static void run_fail(struct run *run, int rc)
{
	if (run->err)
		return;
	run->err = rc;
	run->msg = pz_xstrdup(pz_error_last());
}

static void start_next(struct run *run);

static void progress(struct run *run)
{
	if (run->opts->progress)
		run->opts->progress(run->opts->progress_ud, run->done,
				    run->nqueue, run->bytes);
}

static void reader_end(struct reader *rd, bool eof)
{
	struct run *run = rd->run;

	rd->finished = true;
	pz_dc_obj_finish(rd->o, eof);
	run->inflight--;
	run->done++;
	progress(run);
	start_next(run);
}

static int submit(struct reader *rd);

static void chunk_done(void *ud, int rc, struct pz_aws_response *resp)
{
	struct reader *rd = ud;
	struct run *run = rd->run;
	size_t n = resp ? resp->body.len : 0;

	if (rc) {
		char *msg =
		    pz_xasprintf("reading the object: %s", pz_error_last());

		pz_dc_obj_failed(rd->o, msg);
		free(msg);
		if (rc != PZ_ECONFLICT && rc != PZ_ENOTFOUND && rc != PZ_EAWS)
			run_fail(run, rc);
		reader_end(rd, false);
		return;
	}
	rd->off += n;
	run->bytes += n;
	if (pz_dc_obj_feed(rd->o, n ? resp->body.ptr : "", n)) {
		reader_end(rd, false);
		return;
	}
	if (n == 0 || rd->off >= rd->size) {
		reader_end(rd, true);
		return;
	}
	if (run->err || submit(rd))
		reader_end(rd, false);
}

static int submit(struct reader *rd)
{
	struct run *run = rd->run;
	uint64_t len = run->opts->level == PZ_DC_HEADER && rd->off == 0
			   ? HEADER_CHUNK
			   : CHUNK;
	int r;

	r = pz_s3_get_range_submit(run->c, rd->job->bucket, rd->key, rd->off,
				   len, rd->etag, chunk_done, rd);
	if (r)
		run_fail(run, r);
	return r;
}

static void start_next(struct run *run)
{
	int max = run->opts->max_objects > 0 ? run->opts->max_objects : 8;

	while (run->next < run->nqueue && run->inflight < (size_t)max &&
	       !run->err) {
		struct reader *rd = run->queue[run->next++];

		if (rd->finished)
			continue;
		rd->started = true;
		run->inflight++;
		if (rd->size == 0) {
			/* Nothing to GET: an empty object. */
			run->inflight--;
			rd->finished = true;
			pz_dc_obj_finish(rd->o, true);
			run->done++;
			continue;
		}
		if (submit(rd)) {
			run->inflight--;
			rd->finished = true;
			pz_dc_obj_finish(rd->o, false);
			run->done++;
		}
	}
}

/* Reads every reader of jobs that is not finished (from the cache). */
static int read_all(struct pz_aws_client *c, struct job *jobs, size_t njobs,
		    const struct pz_dc_run_opts *opts)
{
	struct run run;
	size_t i, k;
	int r;

	memset(&run, 0, sizeof(run));
	run.c = c;
	run.opts = opts;
	for (i = 0; i < njobs; i++)
		run.nqueue += jobs[i].nreaders;
	run.queue = pz_xcalloc(run.nqueue + 1, sizeof(*run.queue));
	run.nqueue = 0;
	for (i = 0; i < njobs; i++)
		for (k = 0; k < jobs[i].nreaders; k++) {
			struct reader *rd = &jobs[i].readers[k];

			rd->run = &run;
			if (rd->finished)
				run.done++;
			run.queue[run.nqueue++] = rd;
		}
	start_next(&run);
	r = pz_aws_run(c);
	if (r)
		run_fail(&run, r);
	if (run.err)
		r = pz_error_set(run.err, "checking the data: %s", run.msg);
	free(run.msg);
	free(run.queue);
	return r;
}

static void job_release(struct job *j)
{
	size_t i;

	for (i = 0; i < j->nreaders; i++) {
		free(j->readers[i].key);
		free(j->readers[i].etag);
	}
	free(j->readers);
	pz_dc_free(j->dc);
	free(j->bucket);
	free(j->prefix);
	free(j->location);
	memset(j, 0, sizeof(*j));
}

static const char *import_mode(const struct pz_resource *r)
{
	const char *m = pz_node_str(
	    pz_node_get(pz_node_get(r->pz, "import"), "importMode"));

	return m ? m : "FULL";
}

/* ---- the cache: one small JSON file per object ---- */

/* An entry larger than this is not ours: ignored. */
#define CACHE_ENTRY_MAX ((size_t)1 << 20)

char *pz_dc_cache_dir(void)
{
	const char *x = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	/* The specification: a relative path is invalid and ignored. */
	if (x && x[0] == '/')
		return pz_xasprintf("%s/pz/data-check", x);
	if (home && home[0] == '/')
		return pz_xasprintf("%s/.cache/pz/data-check", home);
	return NULL;
}

static char *cache_path(const struct reader *rd, const char *dir)
{
	char key[65];

	pz_dc_obj_cache_key(rd->o, key);
	return pz_xasprintf("%s/%s.json", dir, key);
}

/* Reads rd's entry, if there is one that fits; rd is then finished. */
static void cache_load(struct reader *rd, const char *dir)
{
	char *path = cache_path(rd, dir);
	struct pz_buf b;
	cJSON *e = NULL;

	pz_buf_init(&b, CACHE_ENTRY_MAX);
	if (access(path, F_OK) == 0 && pz_buf_read_file(&b, path) == 0) {
		e = cJSON_ParseWithLength(pz_buf_cstr(&b), b.len);
		if (e && pz_dc_obj_from_cache(rd->o, e))
			rd->finished = rd->cached = true;
		else
			PZ_DEBUG("data check: ignoring the cache entry %s",
				 path);
	}
	cJSON_Delete(e);
	pz_buf_release(&b);
	free(path);
}

/* Makes dir and its parents (mode 0700 less the umask: the results name
 * the user's objects). 0 or -1 with errno. */
static int make_dirs(const char *dir)
{
	char *p = pz_xstrdup(dir), *s;
	int r = 0;

	for (s = p + 1; r == 0; s++) {
		bool end = *s == '\0';

		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			r = -1;
		if (end)
			break;
		*s = '/';
	}
	free(p);
	return r;
}

/* Writes the results of the objects that were read (not those taken
 * from the cache). A cache that cannot be written costs a re-read next
 * time, nothing more: it is logged, not an error. */
static void cache_store(const struct job *j, const char *dir)
{
	bool made = false;
	size_t i;

	for (i = 0; i < j->nreaders; i++) {
		const struct reader *rd = &j->readers[i];
		cJSON *e;
		char *text, *path, *url;

		if (rd->cached || !rd->started)
			continue;
		if (!(e = pz_dc_obj_to_cache(rd->o)))
			continue;
		url = pz_xasprintf("s3://%s/%s", j->bucket, rd->key);
		cJSON_AddStringToObject(e, "url", url);
		free(url);
		text = cJSON_PrintUnformatted(e);
		cJSON_Delete(e);
		path = cache_path(rd, dir);
		if (!made && make_dirs(dir) != 0)
			PZ_DEBUG("data check: cannot make %s: %s", dir,
				 strerror(errno));
		made = true;
		if (pz_write_file_atomic(path, text, strlen(text), 0600))
			PZ_DEBUG("data check: cannot write %s: %s", path,
				 pz_error_last());
		free(text);
		free(path);
	}
}

/* The strings of the array keys, sorted for bsearch (borrowed from
 * keys); *n their number. */
static const char **sorted_keys(const cJSON *keys, size_t *n)
{
	const char **out =
	    pz_xcalloc((size_t)cJSON_GetArraySize(keys) + 1, sizeof(*out));
	const cJSON *k;

	*n = 0;
	cJSON_ArrayForEach(k, keys)
	{
		if (cJSON_IsString(k))
			out[(*n)++] = k->valuestring;
	}
	qsort(out, *n, sizeof(*out), pz_strcmp_p);
	return out;
}

/* Makes the job's checker and its readers from the listed objects;
 * the cache (when use_cache and opts->cache_dir) fills what it can. */
static void job_setup(struct job *j, const struct pz_spec *spec,
		      const struct pz_dc_run_opts *opts,
		      const struct pz_s3_object *objs, size_t n, bool use_cache,
		      bool stats)
{
	const struct pz_resource *ds = j->r->origin;
	size_t i, nfresh;
	const char **fresh = sorted_keys(j->fresh, &nfresh);

	j->dc =
	    pz_dc_new(ds->data, spec->path, ds->key, j->location, opts->level,
		      !strcmp(import_mode(j->r), "FULL"), opts->now);
	if (stats)
		pz_dc_want_stats(j->dc);
	/* Every solution trains on the group's interactions. */
	for (i = 0; i < spec->nresources && !strcmp(ds->key, "Interactions");
	     i++) {
		const struct pz_resource *s = spec->resources[i];
		const struct pz_node *ev;

		if (strcmp(s->type->name, "solution"))
			continue;
		ev = pz_node_get(s->body, "eventType");
		pz_dc_add_solution(j->dc, s->address, pz_node_str(ev),
				   ev ? ev->pos : s->pos);
	}
	j->readers = pz_xcalloc(n + 1, sizeof(*j->readers));
	for (i = 0; i < n; i++) {
		struct reader *rd;
		char *url;

		if (pz_str_has_suffix(objs[i].key, "/"))
			continue; /* a folder marker */
		rd = &j->readers[j->nreaders++];
		rd->job = j;
		rd->key = pz_xstrdup(objs[i].key);
		rd->etag = objs[i].etag ? pz_xstrdup(objs[i].etag) : NULL;
		rd->size = objs[i].size;
		url = pz_xasprintf("s3://%s/%s", j->bucket, objs[i].key);
		rd->o = pz_dc_obj_add(j->dc, url, rd->etag, rd->size);
		free(url);
		if (bsearch(&objs[i].key, fresh, nfresh, sizeof(*fresh),
			    pz_strcmp_p))
			pz_dc_obj_mark_fresh(rd->o);
		if (use_cache && opts->cache_dir)
			cache_load(rd, opts->cache_dir);
	}
	free(fresh);
}

/* Lists the job's objects and sets it up (pass: with the cache). */
static int job_list(struct pz_aws_client *c, struct job *j,
		    const struct pz_spec *spec,
		    const struct pz_dc_run_opts *opts, bool use_cache,
		    bool stats)
{
	struct pz_s3_object *objs = NULL;
	size_t n = 0;
	int r;

	j->location = pz_xstrdup(j->r->data);
	if ((r = pz_s3_split_url(j->location, &j->bucket, &j->prefix)))
		return r;
	r = pz_s3_list_objects(c, j->bucket, j->prefix, &objs, &n, NULL);
	if (r) {
		char *msg = pz_xstrdup(pz_error_last());

		r = pz_error_set(r, "listing the data under %s: %s",
				 j->location, msg);
		free(msg);
		return r;
	}
	job_setup(j, spec, opts, objs, n, use_cache, stats);
	pz_s3_objects_free(objs, n);
	return 0;
}

int pz_personalize_data_check(struct pz_aws_client *c,
			      const struct pz_spec *spec,
			      const struct pz_plan *plan,
			      const struct pz_dc_run_opts *opts,
			      struct pz_diags *diags)
{
	struct job *jobs = NULL;
	size_t njobs = 0, i;
	bool *redo = NULL;
	int r = 0;

	if (opts->level == PZ_DC_OFF)
		return 0;
	jobs = pz_xcalloc(plan->n + 1, sizeof(*jobs));
	for (i = 0; i < plan->n; i++) {
		const struct pz_change *ch = &plan->changes[i];
		const struct pz_resource *res;

		if (ch->action != PZ_ACTION_CREATE ||
		    strcmp(ch->type, "dataset_import_job"))
			continue;
		res = pz_spec_find(spec, ch->address);
		if (!res || !res->data || !res->origin || !res->origin->data)
			continue; /* no location, or a schema by ARN */
		jobs[njobs].r = res;
		jobs[njobs].fresh =
		    cJSON_GetObjectItemCaseSensitive(ch->meta, "new_objects");
		if ((r = job_list(c, &jobs[njobs++], spec, opts, true, false)))
			goto out;
	}
	if ((r = read_all(c, jobs, njobs, opts)))
		goto out;
	/* Cached user counts are a lower bound: a minimum that fails with
	 * them is checked again from the data itself. */
	redo = pz_xcalloc(njobs + 1, sizeof(*redo));
	for (i = 0; i < njobs; i++) {
		struct pz_diags scratch;
		bool failed = false;

		if (!pz_dc_used_cache(jobs[i].dc))
			continue;
		pz_diags_init(&scratch);
		pz_dc_finish(jobs[i].dc, &scratch, &failed);
		pz_diags_release(&scratch);
		if (failed) {
			const struct pz_resource *res = jobs[i].r;
			const cJSON *fresh = jobs[i].fresh;

			redo[i] = true;
			job_release(&jobs[i]);
			jobs[i].r = res;
			jobs[i].fresh = fresh;
			if ((r = job_list(c, &jobs[i], spec, opts, false,
					  false)))
				goto out;
		}
	}
	/* Only the jobs checked again have readers left to read. */
	if ((r = read_all(c, jobs, njobs, opts)))
		goto out;
	for (i = 0; i < njobs; i++) {
		pz_dc_finish(jobs[i].dc, diags, NULL);
		if (opts->cache_dir)
			cache_store(&jobs[i], opts->cache_dir);
	}
out:
	for (i = 0; i < njobs; i++)
		job_release(&jobs[i]);
	free(jobs);
	free(redo);
	return r;
}

int pz_personalize_data_stats(struct pz_aws_client *c,
			      const struct pz_spec *spec,
			      const struct pz_resource *ds,
			      const struct pz_dc_run_opts *opts,
			      struct pz_dc_stats *out, struct pz_diags *diags)
{
	struct pz_dc_run_opts full = *opts;
	struct job j;
	const struct pz_resource *imp =
	    pz_spec_find_type(spec, "dataset_import_job", ds->key);
	int r;

	memset(out, 0, sizeof(*out));
	memset(&j, 0, sizeof(j));
	if (!imp || !imp->data)
		return pz_error_set(PZ_EINVAL,
				    "%s has no data location (pz.dataLocation "
				    "or pz.import.dataLocation)",
				    ds->address);
	if (!ds->data)
		return pz_error_set(PZ_EINVAL,
				    "%s names its schema by ARN; pz data stats "
				    "needs the schema in the spec",
				    ds->address);
	full.level = PZ_DC_FULL;
	j.r = imp;
	if (!(r = job_list(c, &j, spec, &full, false, true)))
		r = read_all(c, &j, 1, &full);
	if (!r) {
		pz_dc_finish(j.dc, diags, NULL);
		pz_dc_take_stats(j.dc, out);
	}
	job_release(&j);
	return r;
}
