/*
 * cmd_version.c - pz version: the version, the commit it was built from
 * and the libraries it runs with (their versions as loaded, not as
 * compiled against).
 */
#include <cjson/cJSON.h>
#include <expat.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <yaml.h>

#include "cmd.h"
#include "core/git.h"
#include "core/json_out.h"
#include "providers/aws/curl_api.h"

/* build/gen/build_info.c, written by tools/build-info.cmake. */
extern const char pz_build_commit[];

static bool opt_json;

/* libcurl is loaded only when needed; version is a reason to. NULL when
 * it cannot be loaded. */
static const char *curl_runtime_version(void)
{
	return pz_curl_load() == 0 ? curl_version_info(CURLVERSION_NOW)->version
				   : NULL;
}

/* "2.5.0", where XML_ExpatVersion() says "expat_2.5.0". */
static void expat_version(char *out, size_t size)
{
	XML_Expat_Version v = XML_ExpatVersionInfo();

	snprintf(out, size, "%d.%d.%d", v.major, v.minor, v.micro);
}

static int print_json(void)
{
	char expat[32];
	cJSON *root = cJSON_CreateObject(), *libs = cJSON_CreateObject();
	int r;

	cJSON_AddStringToObject(root, "version", PZ_VERSION);
	cJSON_AddStringToObject(root, "git_commit", pz_build_commit);
	pz_json_add_str_or_null(libs, "libcurl", curl_runtime_version());
	cJSON_AddStringToObject(libs, "openssl",
				OpenSSL_version(OPENSSL_VERSION_STRING));
	cJSON_AddStringToObject(libs, "libyaml", yaml_get_version_string());
	cJSON_AddStringToObject(libs, "cjson", cJSON_Version());
	expat_version(expat, sizeof(expat));
	cJSON_AddStringToObject(libs, "expat", expat);
	cJSON_AddStringToObject(libs, "libgit2", pz_git_library_version());
	cJSON_AddItemToObject(root, "libraries", libs);
	r = pz_cmd_print_json(root);
	cJSON_Delete(root);
	return r;
}

static int run_version(struct pz_setup *s, int argc, char **argv)
{
	const char *curl;
	char expat[32];

	(void)s;
	(void)argc;
	(void)argv;
	if (opt_json)
		return print_json();
	curl = curl_runtime_version();
	expat_version(expat, sizeof(expat));
	printf("pz v%s (commit %s)\n", PZ_VERSION, pz_build_commit);
	printf("  libcurl %s, OpenSSL %s, libyaml %s, cJSON %s, expat %s, "
	       "libgit2 %s\n",
	       curl ? curl : "(not loadable)",
	       OpenSSL_version(OPENSSL_VERSION_STRING),
	       yaml_get_version_string(), cJSON_Version(), expat,
	       pz_git_library_version());
	return 0;
}

static const struct pz_opt version_opts[] = {
    {"json", PZ_OPT_BOOL, &opt_json, NULL,
     "print one JSON object: version, git_commit, libraries"},
    {NULL},
};

const struct pz_cmd pz_cmd_version = {
    .name = "version",
    .summary = "Show pz's version and the libraries it uses",
    .description = "Prints pz's version, the git commit it was built from "
		   "(\"unknown\" when built\noutside a git checkout; "
		   "\"-dirty\" when the checkout had changes) and\nthe "
		   "versions of the libraries it runs with, as loaded.",
    .opts = version_opts,
    .max_args = 0,
    .run = run_version,
};
