/*
 * creds.h - AWS credentials and the chain that finds them.
 *
 * The chain runs in the SDKs' order and stops at the first source that
 * has credentials:
 *   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *      AWS_SESSION_TOKEN;
 *   2. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
 *      (AWS_ROLE_SESSION_NAME) -> STS AssumeRoleWithWebIdentity;
 *      (1 and 2 are skipped when a profile is named explicitly in the
 *      client options, as with the CLI's --profile, and then only that
 *      profile is tried);
 *   3. the profile (option, AWS_PROFILE, AWS_DEFAULT_PROFILE, "default")
 *      in ~/.aws/credentials and ~/.aws/config: role_arn with
 *      source_profile (chains followed, cycles refused) or
 *      credential_source (Environment, Ec2InstanceMetadata, EcsContainer)
 *      or web_identity_token_file -> STS AssumeRole(WithWebIdentity);
 *      static keys; credential_process;
 *   4. container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on
 *      169.254.170.2) or _FULL_URI (https, loopback or the ECS/EKS
 *      agent addresses), with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or
 *      _TOKEN as the Authorization header;
 *   5. EC2 instance metadata, IMDSv2 only (a session token first), 1 s
 *      timeout, unless AWS_EC2_METADATA_DISABLED=true;
 *      AWS_EC2_METADATA_SERVICE_ENDPOINT moves it (tests).
 * Temporary credentials carry their expiry; the client refreshes them
 * (by running the chain again) before they expire.
 *
 * Secrets live only in struct pz_aws_creds and are wiped when it is
 * freed; `source` describes where they came from and is safe to print.
 */
#ifndef PZ_AWS_CREDS_H
#define PZ_AWS_CREDS_H

#include <time.h>

#include "core/common.h"

struct pz_aws_client;

struct pz_aws_creds {
	char *access_key_id;
	char *secret_access_key; /* secret */
	char *session_token;	 /* secret; NULL for long-term keys */
	time_t expiration;	 /* 0: does not expire */
	char *provider;		 /* "env", "web-identity", "assume-role",
				  * "shared-credentials-file", "config-file",
				  * "credential-process", "container", "imds" */
	char *source;		 /* human description, never secret */
};

/* A new set with copies of the strings; token may be NULL. Owned by the
 * caller (pz_aws_creds_free). */
struct pz_aws_creds *pz_aws_creds_new(const char *access_key_id,
				      const char *secret_access_key,
				      const char *session_token,
				      time_t expiration, const char *provider,
				      const char *source);
struct pz_aws_creds *pz_aws_creds_dup(const struct pz_aws_creds *cr);
/* Wipes and frees; NULL is fine. */
void pz_aws_creds_free(struct pz_aws_creds *cr);

/* True when cr expires within window seconds of now. */
bool pz_aws_creds_expiring(const struct pz_aws_creds *cr, time_t now,
			   long window);

/*
 * Runs the chain for client c (its profile, config files and region).
 * *out is owned by the caller. Fails with PZ_EAUTH when no source has
 * credentials (the message lists what was tried) or a source is broken
 * (the message says which and why).
 */
int pz_aws_creds_resolve(struct pz_aws_client *c, struct pz_aws_creds **out);

/* The environment provider alone: PZ_ENOTFOUND when not set. */
int pz_aws_creds_from_env(struct pz_aws_creds **out);

/*
 * Parses the JSON that credential_process, the container endpoint and
 * IMDS return ({AccessKeyId, SecretAccessKey, SessionToken or Token,
 * Expiration}); provider and source label the result. *out is owned by
 * the caller.
 */
int pz_aws_creds_parse_json(const char *json, size_t len, const char *provider,
			    const char *source, struct pz_aws_creds **out);

#endif
