/*
 * test_common.c - the small shared helpers: numbers from untrusted
 * files (and the readers that use them on hostile plan and lock files,
 * which UBSan watches in the sanitizer build), cJSON's allocator, the
 * jitter, SHA-256 hex.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/backend.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/json_out.h"
#include "core/plan.h"
#include "core/random.h"
#include "core/tempfile.h"

static void test_double_to_i64(void **state)
{
	int64_t v = -7;

	(void)state;
	assert_true(pz_double_to_i64(0, 0, 10, &v));
	assert_int_equal(v, 0);
	assert_true(
	    pz_double_to_i64(9007199254740991.0, 0, PZ_MAX_SAFE_INT, &v));
	assert_int_equal(v, PZ_MAX_SAFE_INT);
	v = 42;
	assert_false(pz_double_to_i64(-1, 0, 10, &v));
	assert_false(pz_double_to_i64(11, 0, 10, &v));
	assert_false(pz_double_to_i64(1.5, 0, 10, &v));
	assert_false(pz_double_to_i64(1e300, 0, PZ_MAX_SAFE_INT, &v));
	assert_false(pz_double_to_i64(-1e300, -10, 10, &v));
	assert_false(pz_double_to_i64(strtod("inf", NULL), 0, 10, &v));
	assert_false(pz_double_to_i64(strtod("nan", NULL), 0, 10, &v));
	assert_int_equal(v, 42); /* untouched when refused */
}

static char *write_temp(const char *text)
{
	char *path = pz_xstrdup("/tmp/pz-test-common-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(pz_write_all(fd, text, strlen(text)), 0);
	close(fd);
	return path;
}

/* A saved plan whose state_serial is out of range, negative or a
 * fraction is refused, never cast (undefined behaviour). The file is a
 * real saved plan with that one number changed. */
static void test_hostile_plan_serial(void **state)
{
	static const char *const bad[] = {"1e300", "-1", "1.5", "1e19",
					  "\"7\""};
	struct pz_plan empty;
	char *good_path = write_temp("");
	struct pz_buf text;
	const char *at;
	size_t i;

	(void)state;
	memset(&empty, 0, sizeof(empty));
	empty.spec_path = pz_xstrdup("pz.yaml");
	assert_int_equal(pz_plan_save(&empty, good_path), 0);
	free(empty.spec_path);
	pz_buf_init(&text, 0);
	assert_int_equal(pz_buf_read_file(&text, good_path), 0);
	at = strstr(pz_buf_cstr(&text), "\"state_serial\": 0");
	assert_non_null(at);
	for (i = 0; i < PZ_ARRAY_LEN(bad); i++) {
		size_t pre =
		    (size_t)(at - text.ptr) + strlen("\"state_serial\": ");
		char *hostile = pz_xasprintf("%.*s%s%s", (int)pre, text.ptr,
					     bad[i], text.ptr + pre + 1);
		char *path = write_temp(hostile);
		struct pz_plan *plan = NULL;

		assert_int_equal(pz_plan_load(&plan, path), PZ_EINVAL);
		assert_non_null(strstr(pz_error_last(), "state_serial"));
		assert_null(plan);
		unlink(path);
		free(path);
		free(hostile);
	}
	pz_buf_release(&text);
	unlink(good_path);
	free(good_path);
}

/* A lock's Pid out of range is no process: 0, never cast. */
static void test_hostile_lock_pid(void **state)
{
	static const char *const bad[] = {"1e300", "-1e300", "-5", "4294967296",
					  "2.5"};
	size_t i;

	(void)state;
	for (i = 0; i < PZ_ARRAY_LEN(bad); i++) {
		char *text =
		    pz_xasprintf("{\"ID\": \"x\", \"Pid\": %s}", bad[i]);
		struct pz_lock_info info;

		assert_int_equal(
		    pz_lock_info_from_json(&info, text, strlen(text)), 0);
		assert_int_equal(info.pid, 0);
		free(text);
	}
}

/* cJSON allocates through pz_xmalloc: out of memory aborts with pz's
 * message instead of a NULL nobody checks. */
static void test_cjson_hooks(void **state)
{
	int fds[2], status = 0;
	pid_t pid;
	char buf[4096] = "";
	ssize_t n;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		void *p;

		dup2(fds[1], 2);
		pz_json_init();
		p = cJSON_malloc((size_t)1 << 62);
		_exit(p ? 2 : 3); /* not reached with the hooks */
	}
	close(fds[1]);
	/* All of it: a sanitizer writes its report in pieces. */
	for (n = 0; (size_t)n < sizeof(buf) - 1;) {
		ssize_t k = read(fds[0], buf + n, sizeof(buf) - 1 - (size_t)n);

		if (k <= 0)
			break;
		n += k;
	}
	buf[n] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(n > 0);
#if defined(__SANITIZE_ADDRESS__)
	/* ASan's allocator reports the size before pz's check can. */
	if (strstr(buf, "AddressSanitizer"))
		return;
#endif
	assert_true(WIFSIGNALED(status));
	assert_non_null(strstr(buf, "out of memory"));
}

static void test_jitter_and_hash(void **state)
{
	char hex[65];
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		long d = pz_jitter(100);
		double u = pz_random_unit();

		assert_true(d >= 50 && d <= 100);
		assert_true(u >= 0 && u < 1);
	}
	assert_int_equal(pz_jitter(0), 0);
	pz_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	pz_sha256_hex(NULL, 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
}

/* The one duration grammar. */
static void test_durations(void **state)
{
	static const struct {
		const char *text;
		long long ms;
	} good[] = {
	    {"0", 0},	       {"1500ms", 1500},  {"30s", 30000},
	    {"1m30s", 90000},  {"1.5s", 1500},	  {"2h", 7200000},
	    {"7d", 604800000}, {"1w", 604800000}, {"1d12h", 129600000},
	};
	static const char *const bad[] = {"",	 "5",	"m",   "1x", "1.5",
					  "-1s", "1 s", ".5s", "1s2"};
	char out[32];
	long long ms;
	size_t i;

	(void)state;
	for (i = 0; i < PZ_ARRAY_LEN(good); i++) {
		assert_int_equal(
		    pz_duration_parse(good[i].text, 1LL << 50, &ms), 0);
		assert_int_equal(ms, good[i].ms);
	}
	for (i = 0; i < PZ_ARRAY_LEN(bad); i++) {
		assert_int_equal(pz_duration_parse(bad[i], 1LL << 50, &ms),
				 PZ_EINVAL);
		assert_non_null(strstr(pz_error_last(), "not a duration"));
	}
	/* Too long is said as such, not "not a duration". */
	assert_int_equal(pz_duration_parse("99999999999h", 604800000, &ms),
			 PZ_EINVAL);
	assert_non_null(strstr(pz_error_last(), "too long"));
	assert_non_null(strstr(pz_error_last(), "1w"));
	pz_duration_format(90000, out, sizeof(out));
	assert_string_equal(out, "90s");
	pz_duration_format(300000, out, sizeof(out));
	assert_string_equal(out, "5m");
	pz_duration_format(1500, out, sizeof(out));
	assert_string_equal(out, "1500ms");
	pz_duration_format(172800000, out, sizeof(out));
	assert_string_equal(out, "2d");
}

/* PZ_NOW stands in for the clock; what is not a time is said and
 * ignored. */
static void test_now_override(void **state)
{
	static const char *const bad[] = {"abc",
					  "-5",
					  "0",
					  "1e9",
					  "12x",
					  " 12",
					  "99999999999999999999",
					  "9007199254740992"};
	long long t0, t;
	size_t i;

	(void)state;
	assert_int_equal(setenv("PZ_NOW", "1800000000", 1), 0);
	assert_int_equal(pz_now(), 1800000000LL);
	assert_int_equal(setenv("PZ_NOW", "9007199254740991", 1), 0);
	assert_int_equal(pz_now(), PZ_MAX_SAFE_INT);
	for (i = 0; i < PZ_ARRAY_LEN(bad); i++) {
		assert_int_equal(setenv("PZ_NOW", bad[i], 1), 0);
		t0 = (long long)time(NULL);
		t = pz_now();
		assert_true(t >= t0 && t <= (long long)time(NULL));
	}
	assert_int_equal(setenv("PZ_NOW", "", 1), 0);
	t0 = (long long)time(NULL);
	t = pz_now();
	assert_true(t >= t0 && t <= (long long)time(NULL));
	assert_int_equal(unsetenv("PZ_NOW"), 0);
	t0 = (long long)time(NULL);
	t = pz_now();
	assert_true(t >= t0 && t <= (long long)time(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_double_to_i64),
	    cmocka_unit_test(test_hostile_plan_serial),
	    cmocka_unit_test(test_hostile_lock_pid),
	    cmocka_unit_test(test_cjson_hooks),
	    cmocka_unit_test(test_jitter_and_hash),
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_now_override),
	};

	pz_json_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
