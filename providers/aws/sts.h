/*
 * sts.h - the STS calls pz needs: GetCallerIdentity (pz whoami),
 * AssumeRole and AssumeRoleWithWebIdentity (the credential chain).
 */
#ifndef PZ_AWS_STS_H
#define PZ_AWS_STS_H

#include "core/common.h"

struct pz_aws_client;
struct pz_aws_creds;
struct pz_aws_error;

struct pz_sts_identity {
	char *account;
	char *arn;
	char *user_id;
};

void pz_sts_identity_release(struct pz_sts_identity *id);

/* Who the client's credentials belong to. id is filled on success and
 * owned by the caller; err (may be NULL) receives a service error. The
 * answer of pz_sts_identity_prefetch is used when it came. */
int pz_sts_get_caller_identity(struct pz_aws_client *c,
			       struct pz_sts_identity *id,
			       struct pz_aws_error *err);
/*
 * Asks GetCallerIdentity now, on c's event loop, so that its answer
 * comes beside other reads (a plan's refresh) instead of after them.
 * Nothing is reported here: a failed or unfinished ask makes
 * pz_sts_get_caller_identity call again, with its own errors.
 */
void pz_sts_identity_prefetch(struct pz_aws_client *c);
/* Frees what the prefetch kept (pz_aws_client_free). */
void pz_sts__identity_free(struct pz_aws_client *c);

struct pz_sts_assume_role {
	const char *role_arn;
	const char *session_name; /* NULL: "pz-<unix time>" */
	const char *external_id;  /* may be NULL */
	int duration_seconds;	  /* 0: the role's default */
	/* AssumeRole: sign with these instead of the client's (the
	 * credential chain's source credentials); may be NULL. */
	const struct pz_aws_creds *source;
	/* AssumeRoleWithWebIdentity: the OIDC token (a secret). */
	const char *web_identity_token;
};

/*
 * STS AssumeRole (AssumeRoleWithWebIdentity when web_identity_token is
 * set, sent unsigned). These calls run off the event loop (blocking), so
 * the credential chain can make them at any time. *out is owned by the
 * caller; its provider is "assume-role" or "web-identity" and its source
 * names the role.
 */
int pz_sts_assume_role(struct pz_aws_client *c,
		       const struct pz_sts_assume_role *p,
		       struct pz_aws_creds **out, struct pz_aws_error *err);

#endif
