/*
 * test_aws_sigv4.c - SigV4 against AWS's test suite.
 *
 * Every case of the suite under $PZ_SHARED_DIR/aws/sigv4-testsuite is
 * run when it is there (skipped with a message otherwise); a few cases
 * are embedded below so that a fresh checkout tests signing on its own.
 * Each case's .req is parsed, signed at 20150830T123600Z in
 * us-east-1/service with the suite's key, and the canonical request,
 * string to sign and Authorization compared with .creq, .sts and .authz.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "core/json_out.h"
#include "core/buf.h"
#include "core/error.h"
#include "providers/aws/sigv4.h"

#define SUITE_TIME 1440938160 /* 2015-08-30T12:36:00Z */
#define SUITE_TOKEN \
	"6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"

struct parsed_req {
	char *method;
	char *path;
	char *query;
	struct pz_aws_headers headers;
	char *body;
	size_t body_len;
};

static void parsed_release(struct parsed_req *p)
{
	free(p->method);
	free(p->path);
	free(p->query);
	free(p->body);
	pz_aws_headers_release(&p->headers);
	memset(p, 0, sizeof(*p));
}

/* Parses the suite's raw HTTP request format. */
static int parse_req(const char *text, struct parsed_req *p)
{
	const char *nl, *line = text, *sp, *http;
	char *target, *q;
	struct pz_buf val;
	char *name = NULL;

	memset(p, 0, sizeof(*p));
	nl = strchr(line, '\n');
	if (!nl)
		nl = line + strlen(line);
	sp = memchr(line, ' ', (size_t)(nl - line));
	http = NULL;
	for (const char *s = line; s < nl; s++)
		if (strncmp(s, " HTTP/", 6) == 0)
			http = s;
	if (!sp || !http)
		return -1;
	p->method = pz_xstrndup(line, (size_t)(sp - line));
	target = pz_xstrndup(sp + 1, (size_t)(http - sp - 1));
	q = strchr(target, '?');
	if (q) {
		*q = '\0';
		p->query = pz_xstrdup(q + 1);
	}
	p->path = target;
	pz_buf_init(&val, 0);
	line = *nl ? nl + 1 : nl;
	while (*line) {
		size_t len;

		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		if (len && line[len - 1] == '\r')
			len--;
		if (len == 0) { /* blank line: the body follows */
			line = nl ? nl + 1 : line + strlen(line);
			break;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			assert_int_equal(pz_buf_addc(&val, '\n'), 0);
			assert_int_equal(pz_buf_add(&val, line, len), 0);
		} else {
			const char *colon = memchr(line, ':', len);

			if (name) {
				pz_aws_headers_add(&p->headers, name,
						   pz_buf_cstr(&val));
				free(name);
			}
			assert_non_null(colon);
			name = pz_xstrndup(line, (size_t)(colon - line));
			pz_buf_reset(&val);
			assert_int_equal(
			    pz_buf_add(&val, colon + 1,
				       len - (size_t)(colon - line) - 1),
			    0);
		}
		line = nl ? nl + 1 : line + len;
	}
	if (name) {
		pz_aws_headers_add(&p->headers, name, pz_buf_cstr(&val));
		free(name);
	}
	pz_buf_release(&val);
	p->body_len = strlen(line);
	p->body = pz_xstrdup(line);
	return 0;
}

/* Signs one case and compares; returns the number of mismatches. */
static int check_case(const char *name, const char *req_text, const char *creq,
		      const char *sts, const char *authz)
{
	struct parsed_req p;
	struct pz_sigv4_signer s = {
	    .access_key_id = "AKIDEXAMPLE",
	    .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	    .region = "us-east-1",
	    .service = "service",
	    .when = SUITE_TIME,
	};
	struct pz_sigv4_request r;
	struct pz_sigv4_result out;
	int bad = 0;

	if (parse_req(req_text, &p)) {
		print_message("%s: unparsable request\n", name);
		return 1;
	}
	if (strstr(name, "with-session-token"))
		s.session_token = SUITE_TOKEN;
	memset(&r, 0, sizeof(r));
	r.method = p.method;
	r.path = p.path;
	r.query = p.query;
	r.headers = &p.headers;
	r.body = p.body;
	r.body_len = p.body_len;
	assert_int_equal(pz_sigv4_sign(&s, &r, &out), 0);
	if (strcmp(out.canonical_request, creq)) {
		print_message(
		    "%s: canonical request\n--- got\n%s\n--- want\n%s\n", name,
		    out.canonical_request, creq);
		bad++;
	}
	if (strcmp(out.string_to_sign, sts)) {
		print_message("%s: string to sign\n--- got\n%s\n--- want\n%s\n",
			      name, out.string_to_sign, sts);
		bad++;
	}
	if (strcmp(out.authorization, authz)) {
		print_message("%s: authorization\n--- got\n%s\n--- want\n%s\n",
			      name, out.authorization, authz);
		bad++;
	}
	pz_sigv4_result_release(&out);
	parsed_release(&p);
	return bad;
}

/* --- embedded cases (copied from the suite, Apache-2.0, see its NOTICE) */

struct embedded {
	const char *name, *req, *creq, *sts, *authz;
};

#define AUTH_PREFIX                                                   \
	"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/" \
	"service/aws4_request, "
#define STS_PREFIX                                                        \
	"AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/" \
	"aws4_request\n"
#define EMPTY_SHA \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static const struct embedded embedded_cases[] = {
    {"get-vanilla",
     "GET / HTTP/1.1\nHost:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z",
     "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
     "\nhost;x-amz-date\n" EMPTY_SHA,
     STS_PREFIX
     "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
     AUTH_PREFIX "SignedHeaders=host;x-amz-date, "
		 "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a22609"
		 "56d9b8aae1d763fbf31"},
    {"get-vanilla-query-order-key-case",
     "GET /?Param2=value2&Param1=value1 HTTP/1.1\n"
     "Host:example.amazonaws.com\nX-Amz-Date:20150830T123600Z",
     "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_SHA,
     STS_PREFIX
     "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
     AUTH_PREFIX "SignedHeaders=host;x-amz-date, "
		 "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646ef"
		 "d99d3219ec94cdf2500"},
    {"get-header-value-trim",
     "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1: value1\n"
     "My-Header2: \"a   b   c\"\nX-Amz-Date:20150830T123600Z",
     "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\n"
     "my-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\n"
     "host;my-header1;my-header2;x-amz-date\n" EMPTY_SHA,
     STS_PREFIX
     "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
     AUTH_PREFIX "SignedHeaders=host;my-header1;my-header2;x-amz-date, "
		 "Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b36"
		 "7055dee359757a9c736"},
    {"get-slashes (normalize-path)",
     "GET //example// HTTP/1.1\nHost:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z",
     "GET\n/example/\n\nhost:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_SHA,
     NULL,
     AUTH_PREFIX "SignedHeaders=host;x-amz-date, "
		 "Signature=9a624bd73a37c9a373b5312afbebe7a714a789de108f0"
		 "bdfe846570885f57e84"},
    {"get-vanilla-with-session-token",
     "GET / HTTP/1.1\nHost:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z",
     "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
     "x-amz-security-token:" SUITE_TOKEN "\n\n"
     "host;x-amz-date;x-amz-security-token\n" EMPTY_SHA,
     STS_PREFIX
     "067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b",
     AUTH_PREFIX "SignedHeaders=host;x-amz-date;x-amz-security-token, "
		 "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4"
		 "a97044c66dd9f74e7f8"},
    {"post-x-www-form-urlencoded",
     "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\n"
     "Host:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n"
     "Param1=value1",
     "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\n"
     "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
     "content-type;host;x-amz-date\n"
     "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
     NULL,
     AUTH_PREFIX "SignedHeaders=content-type;host;x-amz-date, "
		 "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1"
		 "da7b9d196a0fe09473a"},
    {"get-utf8",
     "GET /\xe1\x88\xb4 HTTP/1.1\nHost:example.amazonaws.com\n"
     "X-Amz-Date:20150830T123600Z",
     "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_SHA,
     NULL,
     AUTH_PREFIX "SignedHeaders=host;x-amz-date, "
		 "Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f2"
		 "55a891fd03141be5d85"},
};

/* Like check_case, but only the parts the entry gives. */
static int check_embedded(const struct embedded *e)
{
	struct parsed_req p;
	struct pz_sigv4_signer s = {
	    .access_key_id = "AKIDEXAMPLE",
	    .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	    .region = "us-east-1",
	    .service = "service",
	    .when = SUITE_TIME,
	};
	struct pz_sigv4_request r;
	struct pz_sigv4_result out;
	int bad = 0;

	assert_int_equal(parse_req(e->req, &p), 0);
	if (strstr(e->name, "with-session-token"))
		s.session_token = SUITE_TOKEN;
	memset(&r, 0, sizeof(r));
	r.method = p.method;
	r.path = p.path;
	r.query = p.query;
	r.headers = &p.headers;
	r.body = p.body;
	r.body_len = p.body_len;
	assert_int_equal(pz_sigv4_sign(&s, &r, &out), 0);
	if (e->creq && strcmp(out.canonical_request, e->creq)) {
		print_message("%s: creq\n%s\n", e->name, out.canonical_request);
		bad++;
	}
	if (e->sts && strcmp(out.string_to_sign, e->sts)) {
		print_message("%s: sts\n%s\n", e->name, out.string_to_sign);
		bad++;
	}
	if (e->authz && strcmp(out.authorization, e->authz)) {
		print_message("%s: authz\n%s\n", e->name, out.authorization);
		bad++;
	}
	/* The header list now carries what goes on the wire. */
	assert_string_equal(pz_aws_headers_get(&p.headers, "Authorization"),
			    out.authorization);
	assert_string_equal(pz_aws_headers_get(&p.headers, "X-Amz-Date"),
			    "20150830T123600Z");
	pz_sigv4_result_release(&out);
	parsed_release(&p);
	return bad;
}

static void test_embedded(void **state)
{
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < PZ_ARRAY_LEN(embedded_cases); i++)
		bad += check_embedded(&embedded_cases[i]);
	assert_int_equal(bad, 0);
}

/* --- the full suite from the shared directory */

static char *slurp(const char *path)
{
	struct pz_buf b;

	pz_buf_init(&b, 0);
	if (pz_buf_read_file(&b, path)) {
		pz_buf_release(&b);
		return NULL;
	}
	return pz_buf_detach(&b, NULL);
}

static void run_dir(const char *dir, int *ncases, int *bad)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	const char *base = strrchr(dir, '/');

	if (!d)
		return;
	base = base ? base + 1 : dir;
	while ((de = readdir(d))) {
		char *sub;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		sub = pz_xasprintf("%s/%s", dir, de->d_name);
		if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			run_dir(sub, ncases, bad);
		free(sub);
	}
	closedir(d);

	{
		char *req_p = pz_xasprintf("%s/%s.req", dir, base);
		char *creq_p = pz_xasprintf("%s/%s.creq", dir, base);
		char *sts_p = pz_xasprintf("%s/%s.sts", dir, base);
		char *authz_p = pz_xasprintf("%s/%s.authz", dir, base);
		char *req = slurp(req_p), *creq = slurp(creq_p);
		char *sts = slurp(sts_p), *authz = slurp(authz_p);

		if (req && creq && sts && authz) {
			(*ncases)++;
			*bad += check_case(base, req, creq, sts, authz) ? 1 : 0;
		}
		free(req);
		free(creq);
		free(sts);
		free(authz);
		free(req_p);
		free(creq_p);
		free(sts_p);
		free(authz_p);
	}
}

static char *suite_dir(void)
{
	const char *shared = getenv("PZ_SHARED_DIR");

	return pz_xasprintf("%s/aws/sigv4-testsuite",
			    shared ? shared : "../shared");
}

static void test_suite(void **state)
{
	char *dir = suite_dir();
	int n = 0, bad = 0;

	(void)state;
	run_dir(dir, &n, &bad);
	print_message("AWS SigV4 suite: %d cases, %d failed\n", n, bad);
	free(dir);
	assert_true(n >= 30);
	assert_int_equal(bad, 0);
}

/* The suite's post-sts-header-after: the token is added unsigned. */
static void test_token_after(void **state)
{
	struct pz_aws_headers h = {0};
	struct pz_sigv4_signer s = {
	    .access_key_id = "AKIDEXAMPLE",
	    .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	    .session_token = "AQoDYXdzEPT//////////wEXAMPLE",
	    .region = "us-east-1",
	    .service = "service",
	    .when = SUITE_TIME,
	    .flags = PZ_SIGV4_TOKEN_AFTER,
	};
	struct pz_sigv4_request r = {
	    .method = "POST", .path = "/", .headers = &h};
	struct pz_sigv4_result out;

	(void)state;
	pz_aws_headers_add(&h, "Host", "example.amazonaws.com");
	assert_int_equal(pz_sigv4_sign(&s, &r, &out), 0);
	assert_string_equal(out.authorization, AUTH_PREFIX
			    "SignedHeaders=host;x-amz-date, "
			    "Signature=5da7c1a2acd57cee7505fc6676e"
			    "4e544621c30862966e37dddb68e92efbe5d6b");
	assert_string_equal(pz_aws_headers_get(&h, "X-Amz-Security-Token"),
			    "AQoDYXdzEPT//////////wEXAMPLE");
	pz_sigv4_result_release(&out);
	pz_aws_headers_release(&h);
}

/*
 * S3: AWS's documented "GET Object" example (examplebucket, a Range
 * header, x-amz-content-sha256 of the empty payload).
 */
static void test_s3_get_object(void **state)
{
	struct pz_aws_headers h = {0};
	struct pz_sigv4_signer s = {
	    .access_key_id = "AKIAIOSFODNN7EXAMPLE",
	    .secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	    .region = "us-east-1",
	    .service = "s3",
	    .when = 1369353600, /* 20130524T000000Z */
	    .flags = PZ_SIGV4_S3,
	};
	struct pz_sigv4_request r = {
	    .method = "GET", .path = "/test.txt", .headers = &h};
	struct pz_sigv4_result out;

	(void)state;
	pz_aws_headers_add(&h, "Host", "examplebucket.s3.amazonaws.com");
	pz_aws_headers_add(&h, "Range", "bytes=0-9");
	assert_int_equal(pz_sigv4_sign(&s, &r, &out), 0);
	assert_string_equal(pz_aws_headers_get(&h, "x-amz-content-sha256"),
			    EMPTY_SHA);
	assert_string_equal(
	    out.authorization,
	    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
	    "us-east-1/s3/aws4_request, SignedHeaders=host;range;"
	    "x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e8"
	    "57bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
	pz_sigv4_result_release(&out);
	pz_aws_headers_release(&h);
}

/* S3 keeps the path as sent: no normalisation, no second encoding. */
static void test_s3_path(void **state)
{
	struct pz_buf b;

	(void)state;
	pz_buf_init(&b, 0);
	assert_int_equal(
	    pz_sigv4_canonical_uri(&b, "/bucket/a//b/../c%20d", true), 0);
	assert_string_equal(b.ptr, "/bucket/a//b/../c%20d");
	pz_buf_reset(&b);
	assert_int_equal(pz_sigv4_canonical_uri(&b, "/a//b/../c%20d", false),
			 0);
	assert_string_equal(b.ptr, "/a/c%2520d");
	pz_buf_release(&b);
}

static void test_unsigned_payload(void **state)
{
	struct pz_aws_headers h = {0};
	struct pz_sigv4_signer s = {
	    .access_key_id = "AKID",
	    .secret_access_key = "SECRET",
	    .region = "us-east-1",
	    .service = "s3",
	    .when = 1369353600,
	    .flags = PZ_SIGV4_S3 | PZ_SIGV4_UNSIGNED_PAYLOAD,
	};
	struct pz_sigv4_request r = {.method = "PUT",
				     .path = "/b/k",
				     .headers = &h,
				     .body = "x",
				     .body_len = 1};
	struct pz_sigv4_result out;

	(void)state;
	pz_aws_headers_add(&h, "Host", "s3.amazonaws.com");
	assert_int_equal(pz_sigv4_sign(&s, &r, &out), 0);
	assert_string_equal(pz_aws_headers_get(&h, "x-amz-content-sha256"),
			    "UNSIGNED-PAYLOAD");
	assert_true(
	    pz_str_has_suffix(out.canonical_request, "\nUNSIGNED-PAYLOAD"));
	pz_sigv4_result_release(&out);
	pz_aws_headers_release(&h);
}

/*
 * "test_aws_sigv4 suite" runs the AWS suite alone (ctest's
 * unit_aws_sigv4_suite) and exits 77, skipped, when it is absent: it is
 * reference data outside the project. Without an argument, the rest.
 */
int main(int argc, char **argv)
{
	const struct CMUnitTest suite[] = {
	    cmocka_unit_test(test_suite),
	};
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_embedded),
	    cmocka_unit_test(test_token_after),
	    cmocka_unit_test(test_s3_get_object),
	    cmocka_unit_test(test_s3_path),
	    cmocka_unit_test(test_unsigned_payload),
	};

	pz_json_init();
	if (argc > 1 && !strcmp(argv[1], "suite")) {
		char *dir = suite_dir();
		struct stat st;
		int found = stat(dir, &st) == 0;

		if (!found)
			printf("skipped: the AWS SigV4 suite is not at %s (set "
			       "PZ_SHARED_DIR)\n",
			       dir);
		free(dir);
		return found ? cmocka_run_group_tests(suite, NULL, NULL) : 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
