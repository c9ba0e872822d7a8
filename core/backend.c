/*
 * backend.c - what every backend shares: lock info, load and save with
 * the serial rules.
 */
#include "backend.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "escape.h"

int pz_lock_info_init(struct pz_lock_info *info, const char *operation,
		      const char *path)
{
	char host[128] = "unknown-host";
	const char *user = getenv("USER");
	struct passwd *pw;
	struct tm tm;
	time_t now = time(NULL);
	int r;

	memset(info, 0, sizeof(*info));
	if ((r = pz_uuid4(info->id)))
		return r;
	if (!user || !*user) {
		pw = getpwuid(getuid());
		user = pw ? pw->pw_name : "unknown";
	}
	gethostname(host, sizeof(host) - 1);
	snprintf(info->who, sizeof(info->who), "%s@%s", user, host);
	snprintf(info->operation, sizeof(info->operation), "%s", operation);
	snprintf(info->version, sizeof(info->version), "%s", PZ_VERSION);
	snprintf(info->path, sizeof(info->path), "%s", path);
	gmtime_r(&now, &tm);
	strftime(info->created, sizeof(info->created), "%Y-%m-%dT%H:%M:%SZ",
		 &tm);
	info->pid = (long)getpid();
	return 0;
}

void pz_lock_info_describe(const struct pz_lock_info *info, char *out, size_t n)
{
	/* Every field came from a lock file or object anyone could write. */
	snprintf(out, n, "%s (%s by %s, since %s)", pz_esc(info->id),
		 info->operation[0] ? pz_esc(info->operation)
				    : "unknown operation",
		 info->who[0] ? pz_esc(info->who) : "unknown",
		 info->created[0] ? pz_esc(info->created) : "an unknown time");
}

int pz_lock_info_to_json(const struct pz_lock_info *info, struct pz_buf *out)
{
	cJSON *o = cJSON_CreateObject();
	char *text;
	int r;

	cJSON_AddStringToObject(o, "ID", info->id);
	cJSON_AddStringToObject(o, "Operation", info->operation);
	cJSON_AddStringToObject(o, "Who", info->who);
	cJSON_AddStringToObject(o, "Version", info->version);
	cJSON_AddStringToObject(o, "Created", info->created);
	cJSON_AddStringToObject(o, "Path", info->path);
	cJSON_AddNumberToObject(o, "Pid", (double)info->pid);
	text = cJSON_PrintUnformatted(o);
	r = pz_buf_adds(out, text);
	if (!r)
		r = pz_buf_addc(out, '\n');
	free(text);
	cJSON_Delete(o);
	return r;
}

static void copy_field(char *dst, size_t n, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsString(v))
		snprintf(dst, n, "%s", v->valuestring);
}

int pz_lock_info_from_json(struct pz_lock_info *info, const char *text,
			   size_t len)
{
	int64_t whole;
	cJSON *o = cJSON_ParseWithLength(text, len);
	const cJSON *pid;

	memset(info, 0, sizeof(*info));
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return pz_error_set(PZ_EINVAL, "the lock holds no lock info");
	}
	copy_field(info->id, sizeof(info->id), o, "ID");
	copy_field(info->operation, sizeof(info->operation), o, "Operation");
	copy_field(info->who, sizeof(info->who), o, "Who");
	copy_field(info->version, sizeof(info->version), o, "Version");
	copy_field(info->created, sizeof(info->created), o, "Created");
	copy_field(info->path, sizeof(info->path), o, "Path");
	pid = cJSON_GetObjectItemCaseSensitive(o, "Pid");
	/* A pid out of range is no process's: 0, never a liveness probe
	 * of another one. */
	if (cJSON_IsNumber(pid) &&
	    pz_double_to_i64(pid->valuedouble, 1, INT32_MAX, &whole))
		info->pid = (long)whole;
	cJSON_Delete(o);
	return 0;
}

int pz_backend_load(struct pz_backend *b, struct pz_state **out, bool *stored)
{
	struct pz_buf data;
	bool exists = false;
	int r;

	*out = NULL;
	pz_buf_init(&data, (size_t)256 << 20);
	r = b->ops->read(b, &data, &exists);
	if (!r && exists)
		r = pz_state_parse(out, data.ptr, data.len, b->location);
	else if (!r)
		r = pz_state_new(out);
	if (stored)
		*stored = exists;
	pz_buf_release(&data);
	return r;
}

int pz_backend_write_state(struct pz_backend *b, const struct pz_state *st)
{
	struct pz_state *back = NULL;
	struct pz_buf data;
	int r;

	pz_buf_init(&data, (size_t)256 << 20);
	r = pz_state_serialize(st, &data);
	if (!r && (r = pz_state_parse(&back, data.ptr, data.len,
				      "the state to write"))) {
		char *why = pz_xstrdup(pz_error_last());

		r = pz_error_set(PZ_EINVAL,
				 "refusing to write %s: pz could not read it "
				 "back (%s); nothing was written",
				 b->location, why);
		free(why);
	}
	if (!r)
		r = b->ops->write(b, data.ptr, data.len);
	pz_state_free(back);
	pz_buf_release(&data);
	return r;
}

int pz_backend_save(struct pz_backend *b, struct pz_state *next,
		    const struct pz_state *prev)
{
	if (!pz_state_next_serial(next, prev))
		return 0; /* nothing changed: the serial stays */
	free(next->pz_version);
	next->pz_version = pz_xstrdup(PZ_VERSION);
	return pz_backend_write_state(b, next);
}

void pz_backend_free(struct pz_backend *b)
{
	if (b)
		b->ops->free(b);
}
