/*
 * sts.c - STS over the Query protocol.
 */
#include "sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "creds.h"
#include "http.h"
#include "internal.h"
#include "query.h"
#include "xml.h"

void pz_sts_identity_release(struct pz_sts_identity *id)
{
	free(id->account);
	free(id->arn);
	free(id->user_id);
	memset(id, 0, sizeof(*id));
}

static char *text_or_null(const struct pz_xml_node *doc, const char *path)
{
	const char *v = pz_xml_path_text(doc, path);

	return v ? pz_xstrdup(v) : NULL;
}

/* The identity in doc, or an error. */
static int identity_of(const struct pz_xml_node *doc,
		       struct pz_sts_identity *id)
{
	id->account = text_or_null(doc, "GetCallerIdentityResult/Account");
	id->arn = text_or_null(doc, "GetCallerIdentityResult/Arn");
	id->user_id = text_or_null(doc, "GetCallerIdentityResult/UserId");
	if (!id->account || !id->arn) {
		pz_sts_identity_release(id);
		return pz_error_set(PZ_EAWS,
				    "sts GetCallerIdentity: the answer has no "
				    "Account or Arn");
	}
	return 0;
}

static void on_prefetch(void *ud, int rc, struct pz_aws_response *resp)
{
	struct pz_aws_client *c = ud;
	struct pz_xml_node *doc = NULL;
	struct pz_sts_identity id = {0};

	c->identity_settled = true;
	if (rc || !resp || !resp->body.ptr ||
	    pz_xml_parse(resp->body.ptr, resp->body.len, &doc))
		return;
	if (!identity_of(doc, &id)) {
		c->identity = pz_xmalloc(sizeof(*c->identity));
		*c->identity = id;
	}
	pz_xml_free(doc);
}

void pz_sts_identity_prefetch(struct pz_aws_client *c)
{
	if (c->identity_asked)
		return;
	c->identity_asked = true;
	if (pz_aws_submit(
		c, pz_aws_query_request(PZ_AWS_STS, "GetCallerIdentity", NULL),
		on_prefetch, c))
		c->identity_settled = true;
}

void pz_sts__identity_free(struct pz_aws_client *c)
{
	if (c->identity)
		pz_sts_identity_release(c->identity);
	free(c->identity);
	c->identity = NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? pz_xstrdup(s) : NULL;
}

int pz_sts_get_caller_identity(struct pz_aws_client *c,
			       struct pz_sts_identity *id,
			       struct pz_aws_error *err)
{
	struct pz_xml_node *doc = NULL;
	int r;

	memset(id, 0, sizeof(*id));
	if (err)
		memset(err, 0, sizeof(*err));
	/* Asked ahead: its answer, once it comes (an interrupted wait
	 * leaves it to the next call). */
	if (c->identity_asked && !c->identity_settled &&
	    (r = pz_aws_run_until(c, &c->identity_settled)))
		return r;
	if (c->identity) {
		id->account = dup_or_null(c->identity->account);
		id->arn = dup_or_null(c->identity->arn);
		id->user_id = dup_or_null(c->identity->user_id);
		return 0;
	}
	r = pz_aws_query_call(c, PZ_AWS_STS, "GetCallerIdentity", NULL, &doc,
			      err);
	if (r)
		return r;
	r = identity_of(doc, id);
	pz_xml_free(doc);
	return r;
}

int pz_sts_assume_role(struct pz_aws_client *c,
		       const struct pz_sts_assume_role *p,
		       struct pz_aws_creds **out, struct pz_aws_error *err)
{
	bool web = p->web_identity_token != NULL;
	const char *action = web ? "AssumeRoleWithWebIdentity" : "AssumeRole";
	struct pz_aws_headers params = {0};
	struct pz_aws_request *req;
	struct pz_xml_node *doc = NULL;
	const struct pz_xml_node *cr;
	char session[64], *result, *source;
	const char *akid, *secret, *token, *exp;
	time_t expiration = 0;
	int r;

	*out = NULL;
	if (p->session_name)
		snprintf(session, sizeof(session), "%s", p->session_name);
	else
		snprintf(session, sizeof(session), "pz-%lld",
			 (long long)time(NULL));
	pz_aws_headers_add(&params, "RoleArn", p->role_arn);
	pz_aws_headers_add(&params, "RoleSessionName", session);
	if (web)
		pz_aws_headers_add(&params, "WebIdentityToken",
				   p->web_identity_token);
	if (p->external_id && !web)
		pz_aws_headers_add(&params, "ExternalId", p->external_id);
	if (p->duration_seconds > 0) {
		char d[16];

		snprintf(d, sizeof(d), "%d", p->duration_seconds);
		pz_aws_headers_add(&params, "DurationSeconds", d);
	}
	req = pz_aws_query_request(PZ_AWS_STS, action, &params);
	pz_aws_headers_release(&params);
	pz_aws_request_set_flags(req,
				 PZ_AWS_REQ_BLOCKING | PZ_AWS_REQ_SECRET_BODY);
	if (web)
		pz_aws_request_set_flags(req, PZ_AWS_REQ_UNSIGNED);
	else if (p->source)
		pz_aws_request_set_credentials(req, p->source);
	r = pz_aws_query_perform(c, req, &doc, err);
	if (r)
		return r;
	result = pz_xasprintf("%sResult/Credentials", action);
	cr = pz_xml_path(doc, result);
	free(result);
	akid = pz_xml_path_text(cr, "AccessKeyId");
	secret = pz_xml_path_text(cr, "SecretAccessKey");
	token = pz_xml_path_text(cr, "SessionToken");
	exp = pz_xml_path_text(cr, "Expiration");
	if (!akid || !*akid || !secret || !*secret || !token) {
		r = pz_error_set(
		    PZ_EAWS, "sts %s: the answer has no credentials", action);
		goto out;
	}
	if (exp && pz_aws_time_parse(exp, &expiration)) {
		r = pz_error_set(PZ_EAWS, "sts %s: bad Expiration '%s'", action,
				 exp);
		goto out;
	}
	source = pz_xasprintf("%s %s", action, p->role_arn);
	*out = pz_aws_creds_new(akid, secret, token, expiration,
				web ? "web-identity" : "assume-role", source);
	free(source);
out:
	pz_xml_free(doc);
	return r;
}
