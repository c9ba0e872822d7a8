/*
 * config.h - the AWS shared config and credentials files.
 *
 * Reads ~/.aws/config (AWS_CONFIG_FILE) and ~/.aws/credentials
 * (AWS_SHARED_CREDENTIALS_FILE) as the SDKs do: sections "[default]" and
 * "[profile NAME]" in the config file, "[NAME]" in the credentials file,
 * "[services NAME]" and "[sso-session NAME]" kept by kind; keys are
 * case-insensitive (stored lower-case); '#' and ';' start comment lines;
 * an indented line continues the value above, and under a key with an
 * empty value it is a sub-property, stored as "parent.key" (so a services
 * section's "s3 =\n  endpoint_url = URL" is key "s3.endpoint_url").
 *
 * A profile's value is looked up in the credentials file first, then in
 * the config file, as the SDKs merge them. A missing file is an empty
 * one. Values may be secrets: everything is wiped when freed.
 */
#ifndef PZ_AWS_CONFIG_H
#define PZ_AWS_CONFIG_H

#include "core/common.h"

struct pz_aws_config;

/*
 * Loads both files; NULL paths mean the environment's or the defaults
 * under $HOME/.aws. Fails with PZ_EIO when a file exists but cannot be
 * read, PZ_EINVAL when it cannot be parsed (message names file and line).
 * *out is owned by the caller (pz_aws_config_free).
 */
int pz_aws_config_load(struct pz_aws_config **out, const char *config_path,
		       const char *credentials_path);
/* Parses config and credentials text directly (tests, fuzzing); either
 * may be NULL. */
int pz_aws_config_parse(struct pz_aws_config **out, const char *config_text,
			const char *credentials_text);
void pz_aws_config_free(struct pz_aws_config *c);

/* True when either file has the profile. */
bool pz_aws_config_has_profile(const struct pz_aws_config *c,
			       const char *profile);
/*
 * The value of key in profile (credentials file first), or NULL.
 * *from_credentials (may be NULL) tells which file it came from.
 * Borrowed from c.
 */
const char *pz_aws_config_get(const struct pz_aws_config *c,
			      const char *profile, const char *key,
			      bool *from_credentials);
/* The value of key in the config file's "[KIND NAME]" section, or NULL.
 * Borrowed from c. */
const char *pz_aws_config_section_get(const struct pz_aws_config *c,
				      const char *kind, const char *name,
				      const char *key);
/* The paths the files were read from (NULL when parsed from text). */
const char *pz_aws_config_path(const struct pz_aws_config *c);
const char *pz_aws_config_credentials_path(const struct pz_aws_config *c);

#endif
