/*
 * cmd_version.c - pz version: the version and the libraries it runs with.
 */
#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <yaml.h>

#include "cmd.h"
#include "providers/aws/curl_api.h"

static int run_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("pz v%s\n", PZ_VERSION);
	/* libcurl is loaded only when needed; version is a reason to. */
	printf("  libcurl %s, %s, libyaml %s, cJSON %s\n",
	       pz_curl_load() == 0 ? curl_version_info(CURLVERSION_NOW)->version
				   : "(not loadable)",
	       OpenSSL_version(OPENSSL_VERSION), yaml_get_version_string(),
	       cJSON_Version());
	return 0;
}

static const struct pz_opt version_opts[] = {{NULL}};

const struct pz_cmd pz_cmd_version = {
    .name = "version",
    .summary = "Show pz's version and the libraries it uses",
    .opts = version_opts,
    .max_args = 0,
    .run = run_version,
};
