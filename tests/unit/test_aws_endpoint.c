/*
 * test_aws_endpoint.c - endpoint resolution: standard hosts, the
 * AWS_ENDPOINT_URL family, config files, URL parsing, and the refusal to
 * send credentials over plain http outside loopback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/json_out.h"
#include "core/error.h"
#include "providers/aws/config.h"
#include "providers/aws/endpoint.h"

static const char *const env_names[] = {
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_PERSONALIZE",
    "AWS_ENDPOINT_URL_PERSONALIZE_RUNTIME",
    "AWS_ENDPOINT_URL_PERSONALIZE_EVENTS",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_SNS",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "PZ_ALLOW_INSECURE_HTTP",
};

static int setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < PZ_ARRAY_LEN(env_names); i++)
		unsetenv(env_names[i]);
	return 0;
}

/* Resolves and returns the URL (caller frees), or NULL on error. */
static char *resolve(enum pz_aws_service svc, const char *region,
		     const char *explicit_url, const struct pz_aws_config *cfg,
		     const char *profile)
{
	struct pz_aws_endpoint e;
	char *url;

	if (pz_aws_endpoint_resolve(svc, region, explicit_url, cfg, profile,
				    &e))
		return NULL;
	url = pz_aws_endpoint_url(&e);
	pz_aws_endpoint_release(&e);
	return url;
}

static void expect(char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_standard(void **state)
{
	(void)state;
	expect(resolve(PZ_AWS_PERSONALIZE, "us-east-1", NULL, NULL, NULL),
	       "https://personalize.us-east-1.amazonaws.com");
	expect(
	    resolve(PZ_AWS_PERSONALIZE_RUNTIME, "eu-west-1", NULL, NULL, NULL),
	    "https://personalize-runtime.eu-west-1.amazonaws.com");
	expect(
	    resolve(PZ_AWS_PERSONALIZE_EVENTS, "ap-south-1", NULL, NULL, NULL),
	    "https://personalize-events.ap-south-1.amazonaws.com");
	expect(resolve(PZ_AWS_S3, "us-west-2", NULL, NULL, NULL),
	       "https://s3.us-west-2.amazonaws.com");
	expect(resolve(PZ_AWS_STS, "us-east-1", NULL, NULL, NULL),
	       "https://sts.us-east-1.amazonaws.com");
	expect(resolve(PZ_AWS_SNS, "cn-north-1", NULL, NULL, NULL),
	       "https://sns.cn-north-1.amazonaws.com.cn");
	assert_null(resolve(PZ_AWS_SNS, NULL, NULL, NULL, NULL));
	assert_non_null(strstr(pz_error_last(), "no region"));
	assert_null(resolve(PZ_AWS_SNS, "us-east-1/x", NULL, NULL, NULL));
	assert_string_equal(
	    pz_aws_service_info(PZ_AWS_PERSONALIZE_RUNTIME)->signing_name,
	    "personalize");
}

static void test_env_precedence(void **state)
{
	(void)state;
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566", 1);
	expect(resolve(PZ_AWS_S3, "us-east-1", NULL, NULL, NULL),
	       "http://127.0.0.1:4566");
	setenv("AWS_ENDPOINT_URL_S3", "http://localhost:9000/", 1);
	expect(resolve(PZ_AWS_S3, "us-east-1", NULL, NULL, NULL),
	       "http://localhost:9000");
	expect(resolve(PZ_AWS_STS, "us-east-1", NULL, NULL, NULL),
	       "http://127.0.0.1:4566");
	setenv("AWS_ENDPOINT_URL_PERSONALIZE_RUNTIME", "https://rt.example", 1);
	expect(
	    resolve(PZ_AWS_PERSONALIZE_RUNTIME, "us-east-1", NULL, NULL, NULL),
	    "https://rt.example");
	/* The caller's explicit URL beats everything. */
	expect(resolve(PZ_AWS_S3, "us-east-1", "https://explicit:8443/base",
		       NULL, NULL),
	       "https://explicit:8443/base");
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	expect(resolve(PZ_AWS_S3, "us-east-1", NULL, NULL, NULL),
	       "https://s3.us-east-1.amazonaws.com");
}

static void test_config_endpoints(void **state)
{
	struct pz_aws_config *cfg;
	static const char text[] = "[default]\n"
				   "endpoint_url = http://127.0.0.1:1111\n"
				   "services = local\n"
				   "[profile plain]\n"
				   "endpoint_url = http://127.0.0.1:2222\n"
				   "[profile off]\n"
				   "endpoint_url = http://127.0.0.1:3333\n"
				   "ignore_configured_endpoint_urls = true\n"
				   "[services local]\n"
				   "sns =\n"
				   "  endpoint_url = http://127.0.0.1:4444\n";

	(void)state;
	assert_int_equal(pz_aws_config_parse(&cfg, text, NULL), 0);
	expect(resolve(PZ_AWS_SNS, "us-east-1", NULL, cfg, "default"),
	       "http://127.0.0.1:4444");
	expect(resolve(PZ_AWS_STS, "us-east-1", NULL, cfg, "default"),
	       "http://127.0.0.1:1111");
	expect(resolve(PZ_AWS_STS, "us-east-1", NULL, cfg, "plain"),
	       "http://127.0.0.1:2222");
	expect(resolve(PZ_AWS_STS, "us-east-1", NULL, cfg, "off"),
	       "https://sts.us-east-1.amazonaws.com");
	/* Any environment variable beats the config file, even a
	 * service-specific setting there (the SDKs' order). */
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5555", 1);
	expect(resolve(PZ_AWS_STS, "us-east-1", NULL, cfg, "default"),
	       "http://127.0.0.1:5555");
	expect(resolve(PZ_AWS_SNS, "us-east-1", NULL, cfg, "default"),
	       "http://127.0.0.1:5555");
	pz_aws_config_free(cfg);
}

static void test_parse(void **state)
{
	struct pz_aws_endpoint e;

	(void)state;
	assert_int_equal(pz_aws_endpoint_parse("http://127.0.0.1:8080", &e), 0);
	assert_string_equal(e.scheme, "http");
	assert_string_equal(e.host, "127.0.0.1");
	assert_string_equal(e.authority, "127.0.0.1:8080");
	assert_int_equal(e.port, 8080);
	assert_string_equal(e.base_path, "");
	pz_aws_endpoint_release(&e);
	assert_int_equal(
	    pz_aws_endpoint_parse("https://Host.Example:443/a/b/", &e), 0);
	assert_string_equal(e.authority, "host.example");
	assert_string_equal(e.base_path, "/a/b");
	assert_int_equal(e.port, 0);
	pz_aws_endpoint_release(&e);
	assert_int_equal(pz_aws_endpoint_parse("http://[::1]:9000", &e), 0);
	assert_string_equal(e.host, "::1");
	assert_string_equal(e.authority, "[::1]:9000");
	assert_true(pz_aws_host_is_loopback(e.host));
	pz_aws_endpoint_release(&e);
	assert_int_equal(pz_aws_endpoint_parse("ftp://x", &e), PZ_EINVAL);
	assert_int_equal(pz_aws_endpoint_parse("http://u:p@x", &e), PZ_EINVAL);
	assert_int_equal(pz_aws_endpoint_parse("http://x:99999", &e),
			 PZ_EINVAL);
	assert_int_equal(pz_aws_endpoint_parse("http://x?q=1", &e), PZ_EINVAL);
	assert_int_equal(pz_aws_endpoint_parse("http://:80", &e), PZ_EINVAL);
}

static void test_insecure(void **state)
{
	struct pz_aws_endpoint e;
	static const char *const loop[] = {
	    "http://127.0.0.1:1", "http://127.9.8.7", "http://[::1]",
	    "http://localhost:4566", "https://10.0.0.1"};
	size_t i;

	(void)state;
	for (i = 0; i < PZ_ARRAY_LEN(loop); i++) {
		assert_int_equal(pz_aws_endpoint_parse(loop[i], &e), 0);
		assert_int_equal(pz_aws_endpoint_check_secure(&e), 0);
		pz_aws_endpoint_release(&e);
	}
	assert_int_equal(pz_aws_endpoint_parse("http://10.0.0.1:9000", &e), 0);
	assert_int_equal(pz_aws_endpoint_check_secure(&e), PZ_EINVAL);
	assert_non_null(strstr(pz_error_last(), "PZ_ALLOW_INSECURE_HTTP"));
	setenv("PZ_ALLOW_INSECURE_HTTP", "1", 1);
	assert_int_equal(pz_aws_endpoint_check_secure(&e), 0);
	pz_aws_endpoint_release(&e);
	assert_false(pz_aws_host_is_loopback("128.0.0.1"));
	assert_false(pz_aws_host_is_loopback("localhost.evil.com"));
	assert_false(pz_aws_host_is_loopback("::2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_standard, setup),
	    cmocka_unit_test_setup(test_env_precedence, setup),
	    cmocka_unit_test_setup(test_config_endpoints, setup),
	    cmocka_unit_test_setup(test_parse, setup),
	    cmocka_unit_test_setup(test_insecure, setup),
	};

	pz_json_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
