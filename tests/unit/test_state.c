/*
 * test_state.c - the state document and the local backend: round trips,
 * determinism, migration, serial and lineage rules, atomic writes, the
 * lock file, the umask, symbolic links.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/json_out.h"
#include "core/backend.h"
#include "core/error.h"
#include "core/lockwait.h"
#include "core/state.h"
#include "core/tempfile.h"

static char dir[] = "/tmp/pz-test-state-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct pz_state *sample(void)
{
	struct pz_state *st = NULL;
	struct pz_state_resource *r;
	const char *deps[] = {"solution_version.b", "solution_version.a",
			      "solution_version.b"};

	assert_int_equal(pz_state_new(&st), 0);
	r = pz_state_put(st, "campaign.main", "campaign");
	r->arn = pz_xstrdup(
	    "arn:aws:personalize:us-east-1:123456789012:campaign/main");
	r->status = pz_xstrdup("ACTIVE");
	cJSON_AddNumberToObject(r->attributes, "minProvisionedTPS", 2);
	cJSON_AddStringToObject(r->attributes, "name", "main");
	pz_state_resource_set_deps(r, deps, 3);
	r = pz_state_put(st, "dataset_group.demo", "dataset_group");
	cJSON_AddStringToObject(r->meta, "note", "x");
	return st;
}

static void test_round_trip(void **state)
{
	struct pz_state *st = sample(), *back = NULL;
	struct pz_buf a, b;

	(void)state;
	assert_string_equal(st->resources[0].address, "campaign.main");
	assert_int_equal(st->resources[0].ndeps, 2); /* sorted, deduped */
	assert_string_equal(st->resources[0].deps[0], "solution_version.a");
	pz_buf_init(&a, 0);
	pz_buf_init(&b, 0);
	assert_int_equal(pz_state_serialize(st, &a), 0);
	assert_int_equal(pz_state_parse(&back, a.ptr, a.len, "t"), 0);
	assert_int_equal(pz_state_serialize(back, &b), 0);
	assert_string_equal(a.ptr, b.ptr);
	assert_true(pz_state_same_content(st, back));
	/* Keys are sorted: "address" comes before "arn" before "attributes". */
	assert_true(strstr(a.ptr, "\"address\"") < strstr(a.ptr, "\"arn\""));
	assert_true(strstr(a.ptr, "\"format_version\": 1") != NULL);
	pz_buf_release(&a);
	pz_buf_release(&b);
	pz_state_free(st);
	pz_state_free(back);
}

static void expect_bad(const char *text, const char *needle)
{
	struct pz_state *st = NULL;

	assert_int_equal(pz_state_parse(&st, text, strlen(text), "s.json"),
			 PZ_EINVAL);
	assert_null(st);
	if (!strstr(pz_error_last(), needle))
		fail_msg("'%s': got '%s', want '%s'", text, pz_error_last(),
			 needle);
}

#define LIN "\"lineage\": \"0b6f2a4e-3c1d-4e5f-8a9b-0c1d2e3f4a5b\""

static void test_parse_errors(void **state)
{
	(void)state;
	expect_bad("[]", "not a JSON object");
	/* A truncated state says so, and where (issue 17). */
	expect_bad("{\"format_version\": 1,\n \"serial\": ",
		   "the JSON ends early (truncated?) at line 2, column 11");
	expect_bad("{\"a\": tru}", "not valid JSON at line 1, column 7");
	expect_bad("{\"format_version\": 1.5}", "format_version");
	expect_bad("{\"format_version\": 9, \"serial\": 1, " LIN "}",
		   "newer pz");
	expect_bad("{\"format_version\": 1, \"serial\": -1, " LIN "}",
		   "'serial'");
	expect_bad("{\"format_version\": 1, \"serial\": 1, \"lineage\": \"x\"}",
		   "'lineage'");
	expect_bad(
	    "{\"format_version\": 1, \"serial\": 1, " LIN
	    ", \"resources\": [{\"address\": \"a.b\", \"type\": \"c\"}]}",
	    "'a.b' is not a resource address: c.KEY");
	/* The spec's key rule: every address pz could not have written. */
	static const char *const hostile[] = {
	    "c.a\\nb",	    "c.x.y", "c.a b", "c.../../etc",
	    "c.\\u001b[2J", "c.",    "C.b",   "c.\\u00e9"};
	for (size_t i = 0; i < PZ_ARRAY_LEN(hostile); i++) {
		char *doc = pz_xasprintf(
		    "{\"format_version\": 1, \"serial\": 1, " LIN
		    ", \"resources\": [{\"address\": \"%s\", \"type\": "
		    "\"%.*s\"}]}",
		    hostile[i], (int)strcspn(hostile[i], "."), hostile[i]);

		expect_bad(doc, "is not a resource address");
		free(doc);
	}
	expect_bad("{\"format_version\": 1, \"serial\": 1, " LIN
		   ", \"resources\": [{\"address\": \"c.b\", \"type\": \"c\", "
		   "\"dependencies\": [\"c.x\\n\"]}]}",
		   "dependencies");
	expect_bad("{\"format_version\": 1, \"serial\": 1, " LIN
		   ", \"resources\": [{\"address\": \"c.b\", \"type\": \"c\"},"
		   "{\"address\": \"c.b\", \"type\": \"c\"}]}",
		   "appears twice");
	expect_bad("{\"format_version\": 1, \"serial\": 1, " LIN
		   ", \"resources\": [{\"address\": \"c.b\", \"type\": \"c\", "
		   "\"dependencies\": [1]}]}",
		   "dependencies");
	/* Found by fuzzing: a duplicate key made content comparison
	 * depend on which copy a reader picked. */
	expect_bad("{\"format_version\": 1, \"serial\": 1, " LIN
		   ", \"resources\": [{\"address\": \"c.b\", \"type\": \"c\", "
		   "\"attributes\": {\"x\": 1, \"x\": 2}}]}",
		   "the key 'x' appears twice");
}

static void test_migration_from_0(void **state)
{
	static const char v0[] =
	    "{\"format_version\": 0, \"serial\": 4, " LIN ", \"resources\": "
	    "{\"filter.f\": {\"type\": \"filter\", \"arn\": \"arn:x\"}}}";
	struct pz_state *st = NULL;

	(void)state;
	assert_int_equal(pz_state_parse(&st, v0, strlen(v0), "v0"), 0);
	assert_int_equal(st->format_version, PZ_STATE_FORMAT);
	assert_int_equal(st->serial, 4);
	assert_int_equal(st->n, 1);
	assert_string_equal(st->resources[0].address, "filter.f");
	assert_string_equal(st->resources[0].arn, "arn:x");
	pz_state_free(st);
}

static void test_serial_and_push_rules(void **state)
{
	struct pz_state *prev = sample(), *next, *other = NULL;

	(void)state;
	prev->serial = 7;
	next = pz_state_dup(prev);
	assert_int_equal(pz_state_next_serial(next, prev), 0);
	assert_int_equal(next->serial, 7);
	cJSON_AddStringToObject(
	    pz_state_find(next, "campaign.main")->attributes, "x", "y");
	assert_int_equal(pz_state_next_serial(next, prev), 1);
	assert_int_equal(next->serial, 8);

	assert_int_equal(pz_state_check_push(prev, next, false), 0);
	assert_int_equal(pz_state_check_push(next, prev, false), PZ_ECONFLICT);
	assert_non_null(strstr(pz_error_last(), "older"));
	assert_int_equal(pz_state_check_push(next, prev, true), 0);
	assert_int_equal(pz_state_new(&other), 0);
	other->serial = 100;
	assert_int_equal(pz_state_check_push(prev, other, false), PZ_ECONFLICT);
	assert_non_null(strstr(pz_error_last(), "lineage"));
	pz_state_free(prev);
	pz_state_free(next);
	pz_state_free(other);
}

static void test_move_and_remove(void **state)
{
	struct pz_state *st = sample();
	struct pz_state_resource *r;

	(void)state;
	r = pz_state_put(st, "solution_version.a", "solution_version");
	(void)r;
	assert_int_equal(
	    pz_state_move(st, "solution_version.a", "solution_version.z"), 0);
	assert_null(pz_state_find(st, "solution_version.a"));
	r = pz_state_find(st, "campaign.main");
	assert_string_equal(r->deps[1], "solution_version.z");
	assert_int_equal(pz_state_move(st, "campaign.main", "filter.main"),
			 PZ_EINVAL);
	/* Only addresses the state reader accepts (issue 17). */
	{
		static const char *const bad_to[] = {
		    "campaign.a\nb",	  "campaign.x.y",     "campaign.a b",
		    "campaign.../../etc", "campaign.\x1b[2J", "campaign.",
		    "campaign.\xc3\xa9"};
		char *long_key = pz_xasprintf("campaign.%0*d", 129, 0);

		for (size_t i = 0; i < PZ_ARRAY_LEN(bad_to); i++)
			assert_int_equal(
			    pz_state_move(st, "campaign.main", bad_to[i]),
			    PZ_EINVAL);
		assert_int_equal(pz_state_move(st, "campaign.main", long_key),
				 PZ_EINVAL);
		long_key[strlen(long_key) - 1] = '\0'; /* 128: allowed */
		assert_int_equal(pz_state_move(st, "campaign.main", long_key),
				 0);
		assert_int_equal(pz_state_move(st, long_key, "campaign.main"),
				 0);
		free(long_key);
	}
	assert_int_equal(pz_state_move(st, "campaign.none", "campaign.x"),
			 PZ_ENOTFOUND);
	assert_int_equal(
	    pz_state_move(st, "solution_version.z", "solution_version.z"),
	    PZ_EEXISTS);
	assert_int_equal(pz_state_remove(st, "campaign.main"), 0);
	assert_int_equal(pz_state_remove(st, "campaign.main"), PZ_ENOTFOUND);
	pz_state_free(st);
}

/* The one writer of a record's facts (apply and import use it). */
static void test_record(void **state)
{
	struct pz_state *st = sample();
	struct pz_state_resource *r;
	const char *deps[] = {"dataset_group.g", "schema.s"};
	cJSON *attrs = cJSON_CreateObject();

	(void)state;
	r = pz_state_put(st, "dataset.d", "dataset");
	r->tainted = true;
	r->arn = pz_xstrdup("arn:old");
	cJSON_AddStringToObject(r->attributes, "old", "x");
	cJSON_AddNumberToObject(r->meta, "import_seq", 3);
	cJSON_AddStringToObject(attrs, "name", "d");
	r = pz_state_record(st, "dataset.d", "dataset", "arn:new", "ACTIVE",
			    attrs, deps, 2);
	assert_ptr_equal(r, pz_state_find(st, "dataset.d"));
	assert_string_equal(r->arn, "arn:new");
	assert_string_equal(r->status, "ACTIVE");
	assert_false(r->tainted);
	assert_ptr_equal(r->attributes, attrs); /* taken */
	assert_null(cJSON_GetObjectItemCaseSensitive(r->attributes, "old"));
	assert_int_equal(r->ndeps, 2);
	assert_string_equal(r->deps[1], "schema.s");
	/* The meta is the caller's. */
	assert_int_equal(
	    cJSON_GetObjectItemCaseSensitive(r->meta, "import_seq")->valueint,
	    3);
	/* A new record, no attributes given: an empty object, no ARN. */
	r = pz_state_record(st, "filter.f", "filter", NULL, NULL, NULL, NULL,
			    0);
	assert_null(r->arn);
	assert_true(cJSON_IsObject(r->attributes));
	assert_int_equal(r->ndeps, 0);
	pz_state_free(st);
}

static void test_local_backend(void **state)
{
	char *path = pz_xasprintf("%s/pz.state.json", dir), *bak;
	struct pz_backend *b = NULL, *b2 = NULL;
	struct pz_state *st = NULL, *st2 = NULL, *next;
	struct pz_lock_info info, other, seen;
	bool stored, held;
	struct stat sb;

	(void)state;
	assert_int_equal(pz_backend_local_new(&b, path), 0);
	assert_int_equal(pz_backend_local_new(&b2, path), 0);
	assert_int_equal(pz_lock_info_init(&info, "apply", path), 0);
	assert_int_equal(pz_lock_info_init(&other, "plan", path), 0);
	assert_int_equal(b->ops->lock(b, &info), 0);
	/* A second holder fails at once, naming the first. */
	{
		struct pz_lock_wait w = {120, NULL, NULL, NULL};

		assert_int_equal(pz_backend_lock_wait(b2, &other, &w),
				 PZ_ELOCKED);
	}
	assert_non_null(strstr(pz_error_last(), info.id));
	assert_non_null(strstr(pz_error_last(), "force-unlock"));
	assert_int_equal(b2->ops->lock_info(b2, &seen, &held), 0);
	assert_true(held);
	assert_string_equal(seen.operation, "apply");

	assert_int_equal(pz_backend_load(b, &st, &stored), 0);
	assert_false(stored);
	next = sample();
	memcpy(next->lineage, st->lineage, 37);
	assert_int_equal(pz_backend_save(b, next, NULL), 0);
	assert_int_equal(next->serial, 1);
	assert_int_equal(pz_backend_load(b, &st2, &stored), 0);
	assert_true(stored);
	assert_true(pz_state_same_content(st2, next));
	/* Unchanged: no write, the serial stays. */
	assert_int_equal(pz_backend_save(b, next, st2), 0);
	assert_int_equal(next->serial, 1);
	pz_state_remove(next, "dataset_group.demo");
	assert_int_equal(pz_backend_save(b, next, st2), 0);
	assert_int_equal(next->serial, 2);
	/* A state its reader would refuse is never written. */
	{
		struct pz_state *bad = pz_state_dup(next), *now = NULL;

		pz_state_put(bad, "campaign.a\nb", "campaign");
		assert_int_equal(pz_backend_save(b, bad, next), PZ_EINVAL);
		assert_non_null(strstr(pz_error_last(), "read it back"));
		assert_int_equal(pz_backend_load(b, &now, &stored), 0);
		assert_int_equal(now->serial, 2);
		pz_state_free(now);
		pz_state_free(bad);
	}
	bak = pz_xasprintf("%s.backup", path);
	assert_int_equal(stat(bak, &sb), 0);

	/* force-unlock needs the right ID. */
	assert_int_equal(b2->ops->force_unlock(b2, other.id), PZ_EINVAL);
	assert_int_equal(b2->ops->force_unlock(b2, info.id), 0);
	/* Our unlock notices the lock is gone. */
	assert_int_equal(b->ops->unlock(b), PZ_ELOCKED);
	assert_int_equal(b2->ops->lock(b2, &other), 0);
	assert_int_equal(b2->ops->unlock(b2), 0);
	assert_int_equal(b2->ops->lock_info(b2, &seen, &held), 0);
	assert_false(held);

	pz_state_free(st);
	pz_state_free(st2);
	pz_state_free(next);
	pz_backend_free(b);
	pz_backend_free(b2);
	free(path);
	free(bak);
}

static void test_write_detects_outside_writer(void **state)
{
	char *path = pz_xasprintf("%s/other.json", dir);
	struct pz_backend *b = NULL;
	struct pz_state *st = NULL, *next;
	FILE *f;

	(void)state;
	assert_int_equal(pz_backend_local_new(&b, path), 0);
	assert_int_equal(pz_backend_load(b, &st, NULL), 0);
	next = sample();
	/* Someone writes the file between our read and our write. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{}", f);
	fclose(f);
	assert_int_equal(pz_backend_save(b, next, NULL), PZ_ECONFLICT);
	pz_state_free(st);
	pz_state_free(next);
	pz_backend_free(b);
	free(path);
}

/* The state file's mode is the umask's choice, not a forced 0644. */
static void test_state_mode_follows_umask(void **state)
{
	char *path = pz_xasprintf("%s/umask.json", dir);
	struct pz_backend *b = NULL;
	struct pz_state *st = NULL, *next;
	mode_t old = umask(077);
	struct stat sb;

	(void)state;
	assert_int_equal(pz_backend_local_new(&b, path), 0);
	assert_int_equal(pz_backend_load(b, &st, NULL), 0);
	next = sample();
	memcpy(next->lineage, st->lineage, 37);
	assert_int_equal(pz_backend_save(b, next, NULL), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	umask(022);
	pz_state_remove(next, "dataset_group.demo");
	assert_int_equal(pz_backend_save(b, next, NULL), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	umask(old);
	pz_state_free(st);
	pz_state_free(next);
	pz_backend_free(b);
	free(path);
}

/* A state reached through a symbolic link is written through it (the
 * link stays a link) and locked at the target: two links, one lock. */
static void test_symlinked_state(void **state)
{
	char *sub = pz_xasprintf("%s/real", dir);
	char *target = pz_xasprintf("%s/real/pz.state.json", dir);
	char *link1 = pz_xasprintf("%s/link1.json", dir);
	char *link2 = pz_xasprintf("%s/link2.json", dir);
	struct pz_backend *b1 = NULL, *b2 = NULL;
	struct pz_state *st = NULL, *next, *back = NULL;
	struct pz_lock_info i1, i2;
	bool stored;
	struct stat sb;

	(void)state;
	assert_int_equal(mkdir(sub, 0700), 0);
	/* A relative link, to a state that does not exist yet. */
	assert_int_equal(symlink("real/pz.state.json", link1), 0);
	assert_int_equal(symlink(link1, link2), 0);
	assert_int_equal(pz_backend_local_new(&b1, link1), 0);
	assert_int_equal(pz_backend_local_new(&b2, link2), 0);
	assert_string_equal(b1->location, link1);
	assert_int_equal(pz_lock_info_init(&i1, "apply", link1), 0);
	assert_int_equal(pz_lock_info_init(&i2, "apply", link2), 0);
	assert_int_equal(b1->ops->lock(b1, &i1), 0);
	assert_int_equal(b2->ops->lock(b2, &i2), PZ_ELOCKED);

	assert_int_equal(pz_backend_load(b1, &st, &stored), 0);
	assert_false(stored);
	next = sample();
	memcpy(next->lineage, st->lineage, 37);
	assert_int_equal(pz_backend_save(b1, next, NULL), 0);
	assert_int_equal(lstat(link1, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	assert_int_equal(lstat(target, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(b1->ops->unlock(b1), 0);

	/* Read through the other link: the same state. */
	assert_int_equal(b2->ops->lock(b2, &i2), 0);
	assert_int_equal(pz_backend_load(b2, &back, &stored), 0);
	assert_true(stored);
	assert_true(pz_state_same_content(back, next));
	assert_int_equal(b2->ops->unlock(b2), 0);

	pz_state_free(st);
	pz_state_free(next);
	pz_state_free(back);
	pz_backend_free(b1);
	pz_backend_free(b2);
	free(sub);
	free(target);
	free(link1);
	free(link2);
}

/* Atomic writes: the whole file or none; no temporary left behind, even
 * when a fatal signal comes while it exists. */
static void test_atomic_write(void **state)
{
	char *path = pz_xasprintf("%s/atomic.txt", dir);
	char *tmp_path;
	struct pz_tempfile t;
	struct pz_buf b;
	struct stat sb;

	(void)state;
	assert_int_equal(pz_write_file_atomic(path, "one\n", 4, 0600), 0);
	assert_int_equal(pz_write_file_atomic(path, "two\n", 4, 0600), 0);
	pz_buf_init(&b, 0);
	assert_int_equal(pz_buf_read_file(&b, path), 0);
	assert_string_equal(pz_buf_cstr(&b), "two\n");
	pz_buf_release(&b);

	/* A temporary is registered for the signal handler's cleanup. */
	assert_int_equal(pz_tempfile_create(&t, path, 0600), 0);
	tmp_path = pz_xstrdup(t.path);
	assert_true(pz_str_has_prefix(tmp_path, path));
	assert_int_equal(stat(tmp_path, &sb), 0);
	pz_tempfile_remove_all();
	assert_int_not_equal(stat(tmp_path, &sb), 0);
	pz_tempfile_delete(&t);

	/* A failed commit (the destination is a directory) leaves no
	 * temporary. */
	assert_int_equal(pz_tempfile_create(&t, dir, 0600), 0);
	free(tmp_path);
	tmp_path = pz_xstrdup(t.path);
	assert_int_not_equal(pz_tempfile_commit(&t, dir), 0);
	assert_int_not_equal(stat(tmp_path, &sb), 0);
	assert_null(t.path);

	free(tmp_path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_migration_from_0),
	    cmocka_unit_test(test_serial_and_push_rules),
	    cmocka_unit_test(test_move_and_remove),
	    cmocka_unit_test(test_record),
	    cmocka_unit_test(test_local_backend),
	    cmocka_unit_test(test_write_detects_outside_writer),
	    cmocka_unit_test(test_state_mode_follows_umask),
	    cmocka_unit_test(test_symlinked_state),
	    cmocka_unit_test(test_atomic_write),
	};

	pz_json_init();
	return cmocka_run_group_tests(tests, setup, teardown);
}
