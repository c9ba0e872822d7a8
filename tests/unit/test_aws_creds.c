/*
 * test_aws_creds.c - the credential chain's precedence and the shared
 * config files, with a temporary HOME and permutations of the
 * environment. No network: every case here resolves (or fails) before a
 * request would be sent; instance metadata is disabled throughout.
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
#include "core/error.h"
#include "providers/aws/client.h"
#include "providers/aws/config.h"
#include "providers/aws/creds.h"

static char home[256];

static const char *const aws_env[] = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_ENDPOINT_URL",
    "AWS_RETRY_MODE",
    "AWS_MAX_ATTEMPTS",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
};

static void write_file(const char *name, const char *text)
{
	char *path = pz_xasprintf("%s/%s", home, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static int setup(void **state)
{
	size_t i;
	char *aws;

	(void)state;
	for (i = 0; i < PZ_ARRAY_LEN(aws_env); i++)
		unsetenv(aws_env[i]);
	/* Never reach for 169.254.169.254 from a test. */
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	snprintf(home, sizeof(home), "/tmp/pz-test-creds-XXXXXX");
	assert_non_null(mkdtemp(home));
	setenv("HOME", home, 1);
	aws = pz_xasprintf("%s/.aws", home);
	assert_int_equal(mkdir(aws, 0700), 0);
	free(aws);
	return 0;
}

static int teardown(void **state)
{
	char *cmd = pz_xasprintf("rm -rf '%s'", home);

	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

/* Resolves with a fresh client; returns the code, *out the creds. */
static int resolve(const struct pz_aws_client_options *o,
		   struct pz_aws_creds **out)
{
	struct pz_aws_client *c = NULL;
	const struct pz_aws_creds *cr;
	int r;

	*out = NULL;
	r = pz_aws_client_new(&c, o);
	if (r)
		return r;
	r = pz_aws_client_credentials(c, &cr);
	if (!r)
		*out = pz_aws_creds_dup(cr);
	pz_aws_client_free(c);
	return r;
}

static const char creds_file[] = "# comment\n"
				 "[default]\n"
				 "aws_access_key_id = AKIDDEFAULT\n"
				 "aws_secret_access_key = secretdefault\n"
				 "\n"
				 "[dev]\n"
				 "aws_access_key_id=AKIDDEV\n"
				 "aws_secret_access_key=secretdev\n"
				 "aws_session_token = tokendev\n";

static const char config_file[] =
    "[default]\n"
    "region = eu-west-1\n"
    "[profile dev]\n"
    "region = us-west-2\n"
    "aws_access_key_id = AKIDSHADOWED\n"
    "[profile cfgonly]\n"
    "aws_access_key_id = AKIDCFG\n"
    "aws_secret_access_key = secretcfg\n"
    "[profile loop-a]\n"
    "role_arn = arn:aws:iam::123456789012:role/A\n"
    "source_profile = loop-b\n"
    "[profile loop-b]\n"
    "role_arn = arn:aws:iam::123456789012:role/B\n"
    "source_profile = loop-a\n"
    "[profile norole]\n"
    "role_arn = arn:aws:iam::123456789012:role/C\n"
    "[profile dangling]\n"
    "role_arn = arn:aws:iam::123456789012:role/D\n"
    "source_profile = missing\n"
    "[profile sso]\n"
    "sso_session = corp\n";

static void write_both(void)
{
	write_file(".aws/credentials", creds_file);
	write_file(".aws/config", config_file);
}

static void test_env_wins(void **state)
{
	struct pz_aws_creds *cr;

	(void)state;
	write_both();
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secretenv", 1);
	setenv("AWS_SESSION_TOKEN", "tokenenv", 1);
	setenv("AWS_PROFILE", "dev", 1);
	assert_int_equal(resolve(NULL, &cr), 0);
	assert_string_equal(cr->provider, "env");
	assert_string_equal(cr->access_key_id, "AKIDENV");
	assert_string_equal(cr->session_token, "tokenenv");
	assert_int_equal(cr->expiration, 0);
	assert_null(strstr(cr->source, "secretenv"));
	pz_aws_creds_free(cr);
}

static void test_env_partial(void **state)
{
	struct pz_aws_creds *cr;

	(void)state;
	write_both();
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	assert_int_equal(resolve(NULL, &cr), PZ_EAUTH);
	assert_non_null(strstr(pz_error_last(), "AWS_SECRET_ACCESS_KEY"));
}

static void test_env_expiration(void **state)
{
	struct pz_aws_creds *cr;

	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secretenv", 1);
	setenv("AWS_CREDENTIAL_EXPIRATION", "2099-01-02T03:04:05Z", 1);
	assert_int_equal(resolve(NULL, &cr), 0);
	assert_int_equal(cr->expiration, 4071006245);
	pz_aws_creds_free(cr);
}

static void test_default_profile(void **state)
{
	struct pz_aws_creds *cr;

	(void)state;
	write_both();
	assert_int_equal(resolve(NULL, &cr), 0);
	assert_string_equal(cr->provider, "shared-credentials-file");
	assert_string_equal(cr->access_key_id, "AKIDDEFAULT");
	assert_null(cr->session_token);
	assert_non_null(strstr(cr->source, "profile default"));
	pz_aws_creds_free(cr);
}

static void test_aws_profile(void **state)
{
	struct pz_aws_creds *cr;

	(void)state;
	write_both();
	setenv("AWS_PROFILE", "dev", 1);
	/* The credentials file wins over the config file's key. */
	assert_int_equal(resolve(NULL, &cr), 0);
	assert_string_equal(cr->access_key_id, "AKIDDEV");
	assert_string_equal(cr->secret_access_key, "secretdev");
	assert_string_equal(cr->session_token, "tokendev");
	pz_aws_creds_free(cr);
	setenv("AWS_PROFILE", "cfgonly", 1);
	assert_int_equal(resolve(NULL, &cr), 0);
	assert_string_equal(cr->provider, "config-file");
	assert_string_equal(cr->access_key_id, "AKIDCFG");
	pz_aws_creds_free(cr);
}

static void test_explicit_profile_skips_env(void **state)
{
	struct pz_aws_client_options o = {.profile = "dev"};
	struct pz_aws_creds *cr;

	(void)state;
	write_both();
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secretenv", 1);
	assert_int_equal(resolve(&o, &cr), 0);
	assert_string_equal(cr->access_key_id, "AKIDDEV");
	pz_aws_creds_free(cr);
	/* An explicit profile without keys does not fall through. */
	o.profile = "sso";
	assert_int_equal(resolve(&o, &cr), PZ_EAUTH);
	assert_non_null(strstr(pz_error_last(), "SSO"));
}

static void test_missing_profile(void **state)
{
	struct pz_aws_client *c = NULL;

	(void)state;
	write_both();
	setenv("AWS_PROFILE", "nope", 1);
	assert_int_equal(pz_aws_client_new(&c, NULL), PZ_EINVAL);
	assert_null(c);
	assert_non_null(strstr(pz_error_last(), "'nope' not found"));
}

static void test_file_env_vars(void **state)
{
	struct pz_aws_creds *cr;
	char *cp, *kp;

	(void)state;
	write_file("other-config", "[profile x]\nregion = ap-south-1\n");
	write_file("other-creds",
		   "[x]\naws_access_key_id = AKIDX\naws_secret_access_key = "
		   "sx\n");
	cp = pz_xasprintf("%s/other-config", home);
	kp = pz_xasprintf("%s/other-creds", home);
	setenv("AWS_CONFIG_FILE", cp, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", kp, 1);
	setenv("AWS_PROFILE", "x", 1);
	assert_int_equal(resolve(NULL, &cr), 0);
	assert_string_equal(cr->access_key_id, "AKIDX");
	pz_aws_creds_free(cr);
	free(cp);
	free(kp);
}

static void test_credential_process(void **state)
{
	struct pz_aws_creds *cr;
	char *cfg;

	(void)state;
	write_file("proc.sh",
		   "#!/bin/sh\n"
		   "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", "
		   "\"SecretAccessKey\": \"sp\", \"SessionToken\": \"tp\", "
		   "\"Expiration\": \"2099-01-01T00:00:00Z\"}'\n");
	write_file("fail.sh", "#!/bin/sh\necho nope >&2\nexit 3\n");
	cfg =
	    pz_xasprintf("[profile proc]\ncredential_process = sh %s/proc.sh\n"
			 "[profile fail]\ncredential_process = sh "
			 "%s/fail.sh\n",
			 home, home);
	write_file(".aws/config", cfg);
	free(cfg);
	setenv("AWS_PROFILE", "proc", 1);
	assert_int_equal(resolve(NULL, &cr), 0);
	assert_string_equal(cr->provider, "credential-process");
	assert_string_equal(cr->access_key_id, "AKIDPROC");
	assert_string_equal(cr->session_token, "tp");
	assert_int_equal(cr->expiration, 4070908800);
	pz_aws_creds_free(cr);
	setenv("AWS_PROFILE", "fail", 1);
	assert_int_equal(resolve(NULL, &cr), PZ_EAUTH);
	assert_non_null(strstr(pz_error_last(), "exit status 3"));
}

/*
 * Temporary credentials are refreshed before they expire: a
 * credential_process whose keys expire in 2 minutes (inside the 5-minute
 * refresh window) runs again on the next use; one whose keys last a day
 * does not. When a refresh fails, keys still valid for more than a
 * minute keep being used.
 */
static void test_refresh(void **state)
{
	struct pz_aws_client *c;
	const struct pz_aws_creds *cr;
	char *cfg, *cmd;
	int runs;

	(void)state;
	write_file("proc.sh",
		   "#!/bin/sh\n"
		   "d=$(dirname \"$0\")\n"
		   "echo x >>\"$d/count\"\n"
		   "[ -e \"$d/broken\" ] && exit 1\n"
		   "exp=$(date -u -d \"+$(cat \"$d/ttl\") seconds\" "
		   "+%Y-%m-%dT%H:%M:%SZ)\n"
		   "n=$(wc -l <\"$d/count\")\n"
		   "printf '{\"Version\": 1, \"AccessKeyId\": \"AKID%s\", "
		   "\"SecretAccessKey\": \"s\", \"Expiration\": \"%s\"}\\n' "
		   "$n \"$exp\"\n");
	cfg = pz_xasprintf("[default]\ncredential_process = sh %s/proc.sh\n",
			   home);
	write_file(".aws/config", cfg);
	free(cfg);

	write_file("ttl", "120\n");
	assert_int_equal(pz_aws_client_new(&c, NULL), 0);
	assert_int_equal(pz_aws_client_credentials(c, &cr), 0);
	assert_string_equal(cr->access_key_id, "AKID1");
	assert_int_equal(pz_aws_client_credentials(c, &cr), 0);
	assert_string_equal(cr->access_key_id, "AKID2");
	/* The refresh fails: the current keys (2 minutes left) stay. */
	write_file("broken", "");
	assert_int_equal(pz_aws_client_credentials(c, &cr), 0);
	assert_string_equal(cr->access_key_id, "AKID2");
	pz_aws_client_free(c);
	cmd = pz_xasprintf("rm -f %s/broken %s/count", home, home);
	assert_int_equal(system(cmd), 0);
	free(cmd);

	write_file("ttl", "86400\n");
	assert_int_equal(pz_aws_client_new(&c, NULL), 0);
	for (runs = 0; runs < 3; runs++) {
		assert_int_equal(pz_aws_client_credentials(c, &cr), 0);
		assert_string_equal(cr->access_key_id, "AKID1");
	}
	pz_aws_client_free(c);

	/* Keys that expire within the minute cannot be kept. */
	write_file("ttl", "30\n");
	assert_int_equal(pz_aws_client_new(&c, NULL), 0);
	assert_int_equal(pz_aws_client_credentials(c, &cr), 0);
	write_file("broken", "");
	assert_int_equal(pz_aws_client_credentials(c, &cr), PZ_EAUTH);
	pz_aws_client_free(c);
}

static void test_role_errors(void **state)
{
	struct pz_aws_creds *cr;

	(void)state;
	write_both();
	setenv("AWS_PROFILE", "loop-a", 1);
	assert_int_equal(resolve(NULL, &cr), PZ_EAUTH);
	assert_non_null(strstr(pz_error_last(), "cycle"));
	setenv("AWS_PROFILE", "norole", 1);
	assert_int_equal(resolve(NULL, &cr), PZ_EAUTH);
	assert_non_null(strstr(pz_error_last(), "source_profile"));
	setenv("AWS_PROFILE", "dangling", 1);
	assert_int_equal(resolve(NULL, &cr), PZ_EAUTH);
	assert_non_null(strstr(pz_error_last(), "'missing' does not exist"));
}

static void test_nothing(void **state)
{
	struct pz_aws_creds *cr;

	(void)state;
	assert_int_equal(resolve(NULL, &cr), PZ_EAUTH);
	assert_non_null(strstr(pz_error_last(), "no AWS credentials found"));
}

static void test_web_identity_partial(void **state)
{
	struct pz_aws_creds *cr;

	(void)state;
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/W", 1);
	assert_int_equal(resolve(NULL, &cr), PZ_EAUTH);
	assert_non_null(strstr(pz_error_last(), "AWS_WEB_IDENTITY_TOKEN_FILE"));
}

static void test_container_refuses_remote_http(void **state)
{
	struct pz_aws_creds *cr;

	(void)state;
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.1/creds",
	       1);
	assert_int_equal(resolve(NULL, &cr), PZ_EAUTH);
	assert_non_null(strstr(pz_error_last(), "must be https"));
}

static void test_region_precedence(void **state)
{
	struct pz_aws_client_options o = {0};
	struct pz_aws_client *c;

	(void)state;
	write_both();
	o.default_region = "sa-east-1";
	assert_int_equal(pz_aws_client_new(&c, &o), 0);
	assert_string_equal(pz_aws_client_region(c), "eu-west-1");
	assert_string_equal(pz_aws_client_region_source(c), "profile default");
	pz_aws_client_free(c);
	setenv("AWS_DEFAULT_REGION", "ca-central-1", 1);
	assert_int_equal(pz_aws_client_new(&c, &o), 0);
	assert_string_equal(pz_aws_client_region(c), "ca-central-1");
	pz_aws_client_free(c);
	setenv("AWS_REGION", "us-east-2", 1);
	assert_int_equal(pz_aws_client_new(&c, &o), 0);
	assert_string_equal(pz_aws_client_region(c), "us-east-2");
	assert_string_equal(pz_aws_client_region_source(c), "AWS_REGION");
	pz_aws_client_free(c);
	o.region = "ap-northeast-1";
	assert_int_equal(pz_aws_client_new(&c, &o), 0);
	assert_string_equal(pz_aws_client_region(c), "ap-northeast-1");
	pz_aws_client_free(c);
	/* Nothing but the spec's. */
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	write_file(".aws/config", "[default]\n");
	o.region = NULL;
	assert_int_equal(pz_aws_client_new(&c, &o), 0);
	assert_string_equal(pz_aws_client_region(c), "sa-east-1");
	assert_string_equal(pz_aws_client_region_source(c), "spec");
	pz_aws_client_free(c);
}

static void test_parse_json(void **state)
{
	struct pz_aws_creds *cr;
	static const char ok[] =
	    "{\"Code\": \"Success\", \"AccessKeyId\": \"ASIA1\", "
	    "\"SecretAccessKey\": \"s\", \"Token\": \"t\", "
	    "\"Expiration\": \"2030-05-06T07:08:09.123+00:00\"}";

	(void)state;
	assert_int_equal(
	    pz_aws_creds_parse_json(ok, strlen(ok), "imds", "test", &cr), 0);
	assert_string_equal(cr->session_token, "t");
	assert_int_equal(cr->expiration, 1904281689);
	assert_true(pz_aws_creds_expiring(cr, 1904281689 - 100, 300));
	assert_false(pz_aws_creds_expiring(cr, 1904281689 - 1000, 300));
	pz_aws_creds_free(cr);
	assert_int_equal(
	    pz_aws_creds_parse_json("{\"Version\": 2}", 14, "p", "test", &cr),
	    PZ_EAUTH);
	assert_int_equal(pz_aws_creds_parse_json("[1]", 3, "p", "test", &cr),
			 PZ_EAUTH);
	assert_int_equal(pz_aws_creds_parse_json("{\"AccessKeyId\": \"A\"}", 20,
						 "p", "test", &cr),
			 PZ_EAUTH);
}

/* --- the config file parser */

static void test_config_parse(void **state)
{
	struct pz_aws_config *c;
	bool from_creds;
	static const char cfg[] = "; semicolon comment\n"
				  "[default]\n"
				  "Region = us-east-1\n"
				  "services = local\n"
				  "[profile  spaced ]\n"
				  "region=eu-central-1\n"
				  "[services local]\n"
				  "s3 =\n"
				  "  endpoint_url = http://127.0.0.1:9000\n"
				  "personalize_runtime =\n"
				  "\tendpoint_url = http://127.0.0.1:9001\n"
				  "[sso-session corp]\n"
				  "sso_region = us-east-1\n"
				  "[profile multi]\n"
				  "note = first\n"
				  "  second\n"
				  "[nokind]\n"
				  "ignored = yes\n";
	static const char creds[] = "[default]\r\nregion = from-creds\r\n";

	(void)state;
	assert_int_equal(pz_aws_config_parse(&c, cfg, creds), 0);
	assert_string_equal(
	    pz_aws_config_get(c, "default", "region", &from_creds),
	    "from-creds");
	assert_true(from_creds);
	assert_string_equal(pz_aws_config_get(c, "spaced", "region", NULL),
			    "eu-central-1");
	assert_string_equal(pz_aws_config_section_get(c, "services", "local",
						      "s3.endpoint_url"),
			    "http://127.0.0.1:9000");
	assert_string_equal(
	    pz_aws_config_section_get(c, "services", "local",
				      "personalize_runtime.endpoint_url"),
	    "http://127.0.0.1:9001");
	assert_string_equal(
	    pz_aws_config_section_get(c, "sso-session", "corp", "sso_region"),
	    "us-east-1");
	assert_string_equal(pz_aws_config_get(c, "multi", "note", NULL),
			    "first\nsecond");
	assert_false(pz_aws_config_has_profile(c, "nokind"));
	assert_false(pz_aws_config_has_profile(c, "local"));
	assert_true(pz_aws_config_has_profile(c, "spaced"));
	pz_aws_config_free(c);

	assert_int_equal(pz_aws_config_parse(&c, "key = value\n", NULL),
			 PZ_EINVAL);
	assert_non_null(strstr(pz_error_last(), "config:1"));
	assert_int_equal(pz_aws_config_parse(&c, "[default]\nnovalue\n", NULL),
			 PZ_EINVAL);
	assert_non_null(strstr(pz_error_last(), "config:2"));
	assert_int_equal(pz_aws_config_parse(&c, "[default\n", NULL),
			 PZ_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_env_wins, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_env_partial, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_env_expiration, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_default_profile, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_aws_profile, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_explicit_profile_skips_env,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_profile, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_file_env_vars, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_credential_process, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_refresh, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_role_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_web_identity_partial, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_container_refuses_remote_http,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_region_precedence, setup,
					    teardown),
	    cmocka_unit_test(test_parse_json),
	    cmocka_unit_test(test_config_parse),
	};

	pz_json_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
