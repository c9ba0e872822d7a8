/*
 * creds.c - the credential chain.
 */
#include "creds.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "config.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/log.h"
#include "endpoint.h"
#include "internal.h"
#include "sts.h"
#include "util.h"

#define MAX_PROFILE_DEPTH 16
#define IMDS_DEFAULT	  "http://169.254.169.254"
#define ECS_HOST	  "http://169.254.170.2"

static char *dup_secret(const char *s)
{
	return s ? pz_xstrdup(s) : NULL;
}

static void free_secret_str(char *s)
{
	if (s)
		pz_free_secret(s, strlen(s));
}

struct pz_aws_creds *pz_aws_creds_new(const char *access_key_id,
				      const char *secret_access_key,
				      const char *session_token,
				      time_t expiration, const char *provider,
				      const char *source)
{
	struct pz_aws_creds *cr = pz_xcalloc(1, sizeof(*cr));

	cr->access_key_id = pz_xstrdup(access_key_id);
	cr->secret_access_key = dup_secret(secret_access_key);
	cr->session_token =
	    session_token && *session_token ? dup_secret(session_token) : NULL;
	cr->expiration = expiration;
	cr->provider = pz_xstrdup(provider ? provider : "unknown");
	cr->source = pz_xstrdup(source ? source : cr->provider);
	return cr;
}

struct pz_aws_creds *pz_aws_creds_dup(const struct pz_aws_creds *cr)
{
	return pz_aws_creds_new(cr->access_key_id, cr->secret_access_key,
				cr->session_token, cr->expiration, cr->provider,
				cr->source);
}

void pz_aws_creds_free(struct pz_aws_creds *cr)
{
	if (!cr)
		return;
	free_secret_str(cr->access_key_id);
	free_secret_str(cr->secret_access_key);
	free_secret_str(cr->session_token);
	free(cr->provider);
	free(cr->source);
	pz_free_secret(cr, sizeof(*cr));
}

bool pz_aws_creds_expiring(const struct pz_aws_creds *cr, time_t now,
			   long window)
{
	return cr->expiration != 0 && cr->expiration - now < window;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* Replaces the provider name and the source description. */
static void relabel(struct pz_aws_creds *cr, const char *provider,
		    char *source_take)
{
	if (provider) {
		free(cr->provider);
		cr->provider = pz_xstrdup(provider);
	}
	free(cr->source);
	cr->source = source_take;
}

int pz_aws_creds_from_env(struct pz_aws_creds **out)
{
	const char *id = env("AWS_ACCESS_KEY_ID");
	const char *secret = env("AWS_SECRET_ACCESS_KEY");
	const char *token = env("AWS_SESSION_TOKEN");
	const char *exp = env("AWS_CREDENTIAL_EXPIRATION");
	time_t expiration = 0;

	*out = NULL;
	if (!token)
		token = env("AWS_SECURITY_TOKEN");
	if (!id && !secret)
		return PZ_ENOTFOUND;
	if (!id || !secret)
		return pz_error_set(
		    PZ_EAUTH, "%s is set but %s is not",
		    id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		    id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	if (exp && pz_aws_time_parse(exp, &expiration))
		return pz_error_set(PZ_EAUTH,
				    "AWS_CREDENTIAL_EXPIRATION: bad timestamp "
				    "'%s'",
				    exp);
	*out = pz_aws_creds_new(id, secret, token, expiration, "env",
				"environment (AWS_ACCESS_KEY_ID)");
	return 0;
}

int pz_aws_creds_parse_json(const char *json, size_t len, const char *provider,
			    const char *source, struct pz_aws_creds **out)
{
	cJSON *j = cJSON_ParseWithLength(json, len), *v;
	const char *id = NULL, *secret = NULL, *token = NULL, *exp = NULL;
	time_t expiration = 0;
	int r = 0;

	*out = NULL;
	if (!j || !cJSON_IsObject(j)) {
		r = pz_error_set(PZ_EAUTH,
				 "%s: the answer is not a JSON object", source);
		goto out;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "Version")) &&
	    cJSON_IsNumber(v) && v->valueint != 1) {
		r = pz_error_set(PZ_EAUTH, "%s: unsupported Version %d", source,
				 v->valueint);
		goto out;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "Code")) &&
	    cJSON_IsString(v) && strcmp(v->valuestring, "Success") != 0) {
		r = pz_error_set(PZ_EAUTH, "%s: %s", source, v->valuestring);
		goto out;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "AccessKeyId")) &&
	    cJSON_IsString(v))
		id = v->valuestring;
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "SecretAccessKey")) &&
	    cJSON_IsString(v))
		secret = v->valuestring;
	if (((v = cJSON_GetObjectItemCaseSensitive(j, "SessionToken")) ||
	     (v = cJSON_GetObjectItemCaseSensitive(j, "Token"))) &&
	    cJSON_IsString(v))
		token = v->valuestring;
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "Expiration")) &&
	    cJSON_IsString(v))
		exp = v->valuestring;
	if (!id || !*id || !secret || !*secret) {
		r = pz_error_set(PZ_EAUTH,
				 "%s: the answer has no AccessKeyId or "
				 "SecretAccessKey",
				 source);
		goto out;
	}
	if (exp && pz_aws_time_parse(exp, &expiration)) {
		r = pz_error_set(PZ_EAUTH, "%s: bad Expiration '%s'", source,
				 exp);
		goto out;
	}
	*out =
	    pz_aws_creds_new(id, secret, token, expiration, provider, source);
out:
	if (j) {
		/* Wipe the strings cJSON holds before freeing them. */
		cJSON *it;

		cJSON_ArrayForEach(it, j)
		{
			if (cJSON_IsString(it) && it->valuestring)
				pz_wipe(it->valuestring,
					strlen(it->valuestring));
		}
		cJSON_Delete(j);
	}
	return r;
}

/* --- web identity */

static int read_token_file(const char *path, char **out)
{
	struct pz_buf b;
	int r;

	*out = NULL;
	pz_buf_init(&b, 1 << 20);
	r = pz_buf_read_file(&b, path);
	if (r) {
		pz_buf_release_secret(&b);
		return pz_error_wrap(PZ_EAUTH, "web identity token");
	}
	while (b.len && isspace((unsigned char)b.ptr[b.len - 1]))
		b.ptr[--b.len] = '\0';
	*out = pz_buf_detach(&b, NULL);
	return 0;
}

static int web_identity(struct pz_aws_client *c, const char *token_file,
			const char *role_arn, const char *session,
			const char *label, struct pz_aws_creds **out)
{
	struct pz_sts_assume_role p = {0};
	char *token = NULL;
	int r;

	r = read_token_file(token_file, &token);
	if (r)
		return r;
	p.role_arn = role_arn;
	p.session_name = session;
	p.web_identity_token = token;
	r = pz_sts_assume_role(c, &p, out, NULL);
	free_secret_str(token);
	if (r)
		return pz_error_wrap(PZ_EAUTH, "%s", label);
	relabel(
	    *out, "web-identity",
	    pz_xasprintf("%s: AssumeRoleWithWebIdentity %s", label, role_arn));
	return 0;
}

static int from_web_identity_env(struct pz_aws_client *c,
				 struct pz_aws_creds **out)
{
	const char *file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *role = env("AWS_ROLE_ARN");

	*out = NULL;
	if (!file && !role)
		return PZ_ENOTFOUND;
	if (!file || !role)
		return pz_error_set(
		    PZ_EAUTH, "web identity: %s is set but %s is not",
		    file ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "AWS_ROLE_ARN",
		    file ? "AWS_ROLE_ARN" : "AWS_WEB_IDENTITY_TOKEN_FILE");
	return web_identity(
	    c, file, role, env("AWS_ROLE_SESSION_NAME"),
	    "web identity token from AWS_WEB_IDENTITY_TOKEN_FILE", out);
}

/* --- credential_process */

static int from_process(const char *profile, const char *cmd,
			struct pz_aws_creds **out)
{
	struct pz_buf b;
	char chunk[4096], *label;
	FILE *f;
	size_t n;
	int status, r = 0;

	*out = NULL;
	label = pz_xasprintf("profile %s credential_process", profile);
	pz_buf_init(&b, 1 << 20);
	fflush(NULL);
	f = popen(cmd, "r");
	if (!f) {
		r = pz_error_set_errno(PZ_EAUTH, "%s: cannot run '%s'", label,
				       cmd);
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (!r && pz_buf_add(&b, chunk, n))
			r = pz_error_set(PZ_EAUTH, "%s: output too large",
					 label);
	}
	pz_wipe(chunk, sizeof(chunk));
	status = pclose(f);
	if (r)
		goto out;
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		r = pz_error_set(
		    PZ_EAUTH, "%s: '%s' failed (exit status %d)", label, cmd,
		    status != -1 && WIFEXITED(status) ? WEXITSTATUS(status)
						      : -1);
		goto out;
	}
	r = pz_aws_creds_parse_json(pz_buf_cstr(&b), b.len,
				    "credential-process", label, out);
out:
	pz_buf_release_secret(&b);
	free(label);
	return r;
}

/* --- container */

static bool container_host_ok(const struct pz_aws_endpoint *e)
{
	if (strcmp(e->scheme, "https") == 0 || pz_aws_host_is_loopback(e->host))
		return true;
	return strcmp(e->host, "169.254.170.2") == 0 ||
	       strcmp(e->host, "169.254.170.23") == 0 ||
	       strcasecmp(e->host, "fd00:ec2::23") == 0;
}

static int from_container(struct pz_aws_client *c, struct pz_aws_creds **out)
{
	const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *tok_file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tok = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	struct pz_aws_request *req;
	struct pz_aws_response *resp = NULL;
	char *url, *token = NULL;
	const char *label;
	int r;

	*out = NULL;
	if (!rel && !full)
		return PZ_ENOTFOUND;
	if (rel) {
		url = pz_xasprintf("%s%s%s", ECS_HOST, *rel == '/' ? "" : "/",
				   rel);
		label = "container (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)";
	} else {
		struct pz_aws_endpoint e;

		label = "container (AWS_CONTAINER_CREDENTIALS_FULL_URI)";
		r = pz_aws_endpoint_parse(full, &e);
		if (r)
			return pz_error_wrap(PZ_EAUTH, "%s", label);
		if (!container_host_ok(&e)) {
			pz_aws_endpoint_release(&e);
			return pz_error_set(
			    PZ_EAUTH,
			    "%s: '%s' must be https, a loopback address "
			    "or the ECS/EKS agent's address",
			    label, e.host);
		}
		pz_aws_endpoint_release(&e);
		url = pz_xstrdup(full);
	}
	if (tok_file) {
		r = read_token_file(tok_file, &token);
		if (r) {
			free(url);
			return r;
		}
	} else if (tok) {
		token = pz_xstrdup(tok);
	}
	if (token && strpbrk(token, "\r\n")) {
		free(url);
		free_secret_str(token);
		return pz_error_set(PZ_EAUTH,
				    "%s: the authorization token has a line "
				    "break",
				    label);
	}
	req = pz_aws_request_new_url("container credentials", "GET", url);
	free(url);
	pz_aws_request_set_flags(req,
				 PZ_AWS_REQ_BLOCKING | PZ_AWS_REQ_SECRET_BODY);
	pz_aws_request_set_limits(req, 3, 2000);
	if (token)
		pz_aws_request_set_header(req, "Authorization", token);
	free_secret_str(token);
	r = pz_aws_perform(c, req, &resp);
	if (r)
		r = pz_error_wrap(PZ_EAUTH, "%s", label);
	else
		r = pz_aws_creds_parse_json(pz_buf_cstr(&resp->body),
					    resp->body.len, "container", label,
					    out);
	pz_aws_response_free(resp);
	return r;
}

/* --- instance metadata (IMDSv2) */

static long env_long(const char *name, long def, long min, long max)
{
	const char *v = env(name);
	char *end;
	double d;

	if (!v)
		return def;
	d = strtod(v, &end);
	if (*end || d < (double)min || d > (double)max)
		return def;
	return (long)d;
}

static int imds_get(struct pz_aws_client *c, const char *base,
		    const char *method, const char *path, const char *token,
		    struct pz_aws_response **resp)
{
	struct pz_aws_request *req;
	char *url = pz_xasprintf("%s%s", base, path);
	long timeout = env_long("AWS_METADATA_SERVICE_TIMEOUT", 1, 1, 60);
	long attempts = env_long("AWS_METADATA_SERVICE_NUM_ATTEMPTS", 1, 1, 10);

	req = pz_aws_request_new_url("instance metadata", method, url);
	free(url);
	/* Every answer is secret or near one: the token, the role name,
	 * the credentials. */
	pz_aws_request_set_flags(req,
				 PZ_AWS_REQ_BLOCKING | PZ_AWS_REQ_SECRET_BODY);
	pz_aws_request_set_limits(req, (int)attempts, timeout * 1000);
	if (token)
		pz_aws_request_set_header(req, "x-aws-ec2-metadata-token",
					  token);
	else
		pz_aws_request_set_header(
		    req, "x-aws-ec2-metadata-token-ttl-seconds", "21600");
	return pz_aws_perform(c, req, resp);
}

static int from_imds(struct pz_aws_client *c, struct pz_aws_creds **out)
{
	const char *label = "instance metadata (IMDSv2)";
	const char *base = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	struct pz_aws_response *resp = NULL;
	char *token = NULL, *role = NULL, *path = NULL, *b = NULL;
	int r;

	*out = NULL;
	if (pz_aws_truthy(env("AWS_EC2_METADATA_DISABLED")))
		return PZ_ENOTFOUND;
	if (!base)
		base = pz_aws_config_get(c->config, c->profile,
					 "ec2_metadata_service_endpoint", NULL);
	b = pz_xstrdup(base ? base : IMDS_DEFAULT);
	while (*b && b[strlen(b) - 1] == '/')
		b[strlen(b) - 1] = '\0';
	r = imds_get(c, b, "PUT", "/latest/api/token", NULL, &resp);
	if (r) {
		/* Not on EC2 (or IMDS unreachable): not configured. */
		PZ_DEBUG("aws: no instance metadata: %s", pz_error_last());
		r = PZ_ENOTFOUND;
		goto out;
	}
	token = pz_buf_detach(&resp->body, NULL);
	pz_aws_response_free(resp);
	resp = NULL;
	r = imds_get(c, b, "GET", "/latest/meta-data/iam/security-credentials/",
		     token, &resp);
	if (r) {
		r = resp && resp->status == 404
			? pz_error_set(PZ_EAUTH,
				       "%s: the instance has no IAM role",
				       label)
			: pz_error_wrap(PZ_EAUTH, "%s", label);
		goto out;
	}
	role = pz_xstrndup(pz_buf_cstr(&resp->body),
			   strcspn(pz_buf_cstr(&resp->body), "\r\n"));
	pz_aws_response_free(resp);
	resp = NULL;
	if (!*role || strchr(role, '/')) {
		r = pz_error_set(PZ_EAUTH, "%s: bad role name", label);
		goto out;
	}
	path =
	    pz_xasprintf("/latest/meta-data/iam/security-credentials/%s", role);
	r = imds_get(c, b, "GET", path, token, &resp);
	if (r) {
		r = pz_error_wrap(PZ_EAUTH, "%s", label);
		goto out;
	}
	{
		char *src = pz_xasprintf("%s, role %s", label, role);

		r = pz_aws_creds_parse_json(pz_buf_cstr(&resp->body),
					    resp->body.len, "imds", src, out);
		free(src);
	}
out:
	pz_aws_response_free(resp);
	free_secret_str(token);
	free(role);
	free(path);
	free(b);
	return r;
}

/* --- profiles */

static int from_profile(struct pz_aws_client *c, const char *name,
			const char **visited, int depth,
			struct pz_aws_creds **out);

static const char *where(const struct pz_aws_client *c, bool creds_file)
{
	const char *p = creds_file ? pz_aws_config_credentials_path(c->config)
				   : pz_aws_config_path(c->config);

	return p ? p : creds_file ? "credentials file" : "config file";
}

/* The profile's static keys, or PZ_ENOTFOUND. */
static int static_keys(struct pz_aws_client *c, const char *name,
		       struct pz_aws_creds **out)
{
	const struct pz_aws_config *cfg = c->config;
	bool in_creds = false, secret_in_creds = false;
	const char *id =
	    pz_aws_config_get(cfg, name, "aws_access_key_id", &in_creds);
	const char *secret = pz_aws_config_get(
	    cfg, name, "aws_secret_access_key", &secret_in_creds);
	const char *token =
	    pz_aws_config_get(cfg, name, "aws_session_token", NULL);
	char *src;

	*out = NULL;
	if (!id && !secret)
		return PZ_ENOTFOUND;
	if (!id || !*id || !secret || !*secret)
		return pz_error_set(PZ_EAUTH,
				    "profile %s: aws_access_key_id and "
				    "aws_secret_access_key must both be set",
				    name);
	src = pz_xasprintf("profile %s in %s", name, where(c, in_creds));
	*out = pz_aws_creds_new(
	    id, secret, token, 0,
	    in_creds ? "shared-credentials-file" : "config-file", src);
	free(src);
	return 0;
}

static int assume_role_profile(struct pz_aws_client *c, const char *name,
			       const char *role_arn, const char **visited,
			       int depth, struct pz_aws_creds **out)
{
	const struct pz_aws_config *cfg = c->config;
	const char *src_profile =
	    pz_aws_config_get(cfg, name, "source_profile", NULL);
	const char *cred_source =
	    pz_aws_config_get(cfg, name, "credential_source", NULL);
	const char *token_file =
	    pz_aws_config_get(cfg, name, "web_identity_token_file", NULL);
	const char *dur =
	    pz_aws_config_get(cfg, name, "duration_seconds", NULL);
	struct pz_sts_assume_role p = {0};
	struct pz_aws_creds *source = NULL;
	int r;

	*out = NULL;
	if (pz_aws_config_get(cfg, name, "mfa_serial", NULL))
		return pz_error_set(PZ_EAUTH,
				    "profile %s: roles that need MFA "
				    "(mfa_serial) are not supported; export "
				    "temporary credentials instead",
				    name);
	if (token_file) {
		char *label = pz_xasprintf("profile %s", name);

		r = web_identity(
		    c, token_file, role_arn,
		    pz_aws_config_get(cfg, name, "role_session_name", NULL),
		    label, out);
		free(label);
		return r;
	}
	if (src_profile && cred_source)
		return pz_error_set(PZ_EAUTH,
				    "profile %s: source_profile and "
				    "credential_source are mutually exclusive",
				    name);
	if (src_profile) {
		if (strcmp(src_profile, name) == 0) {
			/* A profile may be its own source for its keys. */
			r = static_keys(c, name, &source);
			if (r == PZ_ENOTFOUND)
				r = pz_error_set(
				    PZ_EAUTH,
				    "profile %s: is its own "
				    "source_profile but has no keys",
				    name);
		} else {
			if (!pz_aws_config_has_profile(cfg, src_profile))
				return pz_error_set(
				    PZ_EAUTH,
				    "profile %s: source_profile "
				    "'%s' does not exist",
				    name, src_profile);
			r = from_profile(c, src_profile, visited, depth + 1,
					 &source);
			if (r == PZ_ENOTFOUND)
				r = pz_error_set(PZ_EAUTH,
						 "profile %s: source_profile "
						 "'%s' has no credentials",
						 name, src_profile);
		}
	} else if (cred_source) {
		if (!strcmp(cred_source, "Environment"))
			r = pz_aws_creds_from_env(&source);
		else if (!strcmp(cred_source, "Ec2InstanceMetadata"))
			r = from_imds(c, &source);
		else if (!strcmp(cred_source, "EcsContainer"))
			r = from_container(c, &source);
		else
			return pz_error_set(PZ_EAUTH,
					    "profile %s: unknown "
					    "credential_source '%s'",
					    name, cred_source);
		if (r == PZ_ENOTFOUND)
			r = pz_error_set(PZ_EAUTH,
					 "profile %s: credential_source %s has "
					 "no credentials",
					 name, cred_source);
	} else {
		return pz_error_set(
		    PZ_EAUTH,
		    "profile %s: role_arn needs source_profile, "
		    "credential_source or "
		    "web_identity_token_file",
		    name);
	}
	if (r)
		return r;
	p.role_arn = role_arn;
	p.session_name =
	    pz_aws_config_get(cfg, name, "role_session_name", NULL);
	p.external_id = pz_aws_config_get(cfg, name, "external_id", NULL);
	p.duration_seconds = dur ? atoi(dur) : 0;
	p.source = source;
	r = pz_sts_assume_role(c, &p, out, NULL);
	if (r) {
		char *label = pz_xasprintf("profile %s", name);

		r = pz_error_wrap(PZ_EAUTH, "%s", label);
		free(label);
	} else {
		relabel(*out, "assume-role",
			pz_xasprintf("profile %s (AssumeRole %s with %s)", name,
				     role_arn, source->source));
	}
	pz_aws_creds_free(source);
	return r;
}

static int from_profile(struct pz_aws_client *c, const char *name,
			const char **visited, int depth,
			struct pz_aws_creds **out)
{
	const struct pz_aws_config *cfg = c->config;
	const char *role_arn, *process;
	int i, r;

	*out = NULL;
	if (depth >= MAX_PROFILE_DEPTH)
		return pz_error_set(PZ_EAUTH,
				    "profile %s: source_profile chain too long",
				    name);
	for (i = 0; i < depth; i++)
		if (strcmp(visited[i], name) == 0)
			return pz_error_set(PZ_EAUTH,
					    "profile %s: source_profile cycle "
					    "(%s is reached again)",
					    visited[0], name);
	visited[depth] = name;
	if (!pz_aws_config_has_profile(cfg, name))
		return PZ_ENOTFOUND;
	role_arn = pz_aws_config_get(cfg, name, "role_arn", NULL);
	if (role_arn && *role_arn)
		return assume_role_profile(c, name, role_arn, visited, depth,
					   out);
	r = static_keys(c, name, out);
	if (r != PZ_ENOTFOUND)
		return r;
	process = pz_aws_config_get(cfg, name, "credential_process", NULL);
	if (process && *process)
		return from_process(name, process, out);
	if (pz_aws_config_get(cfg, name, "sso_session", NULL) ||
	    pz_aws_config_get(cfg, name, "sso_start_url", NULL))
		return pz_error_set(PZ_EAUTH,
				    "profile %s: SSO profiles are not "
				    "supported; use 'aws configure "
				    "export-credentials --profile %s "
				    "--format env' and export them",
				    name, name);
	return PZ_ENOTFOUND;
}

/* --- the chain */

int pz_aws_creds_resolve(struct pz_aws_client *c, struct pz_aws_creds **out)
{
	const char *visited[MAX_PROFILE_DEPTH];
	int r;

	*out = NULL;
	if (!c->profile_explicit) {
		r = pz_aws_creds_from_env(out);
		if (r != PZ_ENOTFOUND)
			return r;
		r = from_web_identity_env(c, out);
		if (r != PZ_ENOTFOUND)
			return r;
	}
	r = from_profile(c, c->profile, visited, 0, out);
	if (r != PZ_ENOTFOUND)
		return r;
	if (c->profile_explicit)
		return pz_error_set(PZ_EAUTH,
				    "profile %s has no credentials (in %s or "
				    "%s)",
				    c->profile, where(c, true),
				    where(c, false));
	r = from_container(c, out);
	if (r != PZ_ENOTFOUND)
		return r;
	r = from_imds(c, out);
	if (r != PZ_ENOTFOUND)
		return r;
	return pz_error_set(PZ_EAUTH,
			    "no AWS credentials found: tried the environment "
			    "(AWS_ACCESS_KEY_ID), web identity "
			    "(AWS_WEB_IDENTITY_TOKEN_FILE), profile '%s' in "
			    "%s and %s, container credentials and instance "
			    "metadata%s",
			    c->profile, where(c, true), where(c, false),
			    pz_aws_truthy(env("AWS_EC2_METADATA_DISABLED"))
				? " (disabled)"
				: "");
}
