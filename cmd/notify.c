/*
 * notify.c - the end of every apply and destroy, told to people
 * (pz.notify: {snsTopicArn, webhookUrl}): one JSON summary, published
 * to SNS (Publish, with a Subject) and POSTed to the webhook (JSON, a
 * timeout, three attempts). A notification that cannot be delivered is
 * a warning, never a failed apply. docs/notifications.md has the shape.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "core/error.h"
#include "core/escape.h"
#include "core/exec.h"
#include "core/json_out.h"
#include "core/plan.h"
#include "core/spec.h"
#include "providers/aws/client.h"
#include "providers/aws/endpoint.h"
#include "providers/aws/http.h"
#include "providers/aws/sns.h"
#include "core/provider_ops.h"

#define WEBHOOK_TIMEOUT_MS 10000
#define WEBHOOK_ATTEMPTS   3

void pz_cmd_notify_track(unsigned char *results, const struct pz_exec_event *ev)
{
	static const unsigned char r[] = {
	    [PZ_EXEC_START] = PZ_NOTIFY_STARTED,
	    [PZ_EXEC_STILL] = PZ_NOTIFY_STARTED,
	    [PZ_EXEC_DONE] = PZ_NOTIFY_DONE,
	    [PZ_EXEC_FAILED] = PZ_NOTIFY_FAILED,
	    [PZ_EXEC_SKIPPED] = PZ_NOTIFY_SKIPPED,
	    [PZ_EXEC_LEFT] = PZ_NOTIFY_IN_PROGRESS,
	    [PZ_EXEC_QUEUED] = PZ_NOTIFY_STARTED,
	};

	if (results && (size_t)ev->kind < sizeof(r))
		results[ev->op] = r[ev->kind];
}

static void iso(double t, char *out, size_t n)
{
	time_t s = (time_t)t;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void took(double s, char *out, size_t n)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(out, n, "%ldh%ldm%lds", t / 3600, t / 60 % 60, t % 60);
	else if (t >= 60)
		snprintf(out, n, "%ldm%lds", t / 60, t % 60);
	else
		snprintf(out, n, "%lds", t);
}

static const char *action_name(enum pz_action a)
{
	switch (a) {
	case PZ_ACTION_CREATE: return "create";
	case PZ_ACTION_UPDATE: return "update";
	case PZ_ACTION_REPLACE: return "replace";
	case PZ_ACTION_DELETE: return "delete";
	default: return NULL;
	}
}

static const char *result_name(unsigned char r)
{
	switch (r) {
	case PZ_NOTIFY_DONE: return "done";
	case PZ_NOTIFY_FAILED: return "failed";
	case PZ_NOTIFY_SKIPPED: return "skipped";
	case PZ_NOTIFY_IN_PROGRESS:
	case PZ_NOTIFY_STARTED: return "in_progress";
	default: return "not_started";
	}
}

/* A change's result from its operations': the worst of them. */
static unsigned char change_result(const struct pz_notify_summary *s,
				   size_t change)
{
	static const int rank[] = {
	    [PZ_NOTIFY_DONE] = 0,    [PZ_NOTIFY_NOT_STARTED] = 1,
	    [PZ_NOTIFY_STARTED] = 2, [PZ_NOTIFY_IN_PROGRESS] = 2,
	    [PZ_NOTIFY_SKIPPED] = 3, [PZ_NOTIFY_FAILED] = 4,
	};
	unsigned char worst = PZ_NOTIFY_DONE;
	bool any = false;
	size_t i;

	for (i = 0; i < s->plan->nops; i++) {
		unsigned char r = s->results ? s->results[i] : 0;

		if (s->plan->ops[i].change != change)
			continue;
		if (!any || rank[r] > rank[worst])
			worst = r;
		any = true;
	}
	return any ? worst : PZ_NOTIFY_NOT_STARTED;
}

static cJSON *promotions(const struct pz_notify_summary *s)
{
	cJSON *list = cJSON_CreateArray();
	size_t i, n = pz_provider_ops()->gates_count(s->gates);

	for (i = 0; i < n; i++) {
		const char *addr;
		const struct pz_promote_decision *d =
		    pz_provider_ops()->gates_get(s->gates, i, &addr);
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "address", addr);
		cJSON_AddStringToObject(o, "decision",
					d->promote ? "promoted" : "kept");
		pz_json_add_str_or_null(o, "newVersion", d->new_arn);
		if (d->old_arn) {
			cJSON_AddNumberToObject(o, "newValue", d->new_value);
			cJSON_AddStringToObject(o, "oldVersion", d->old_arn);
			cJSON_AddNumberToObject(o, "oldValue", d->old_value);
		}
		cJSON_AddStringToObject(o, "message", d->message);
		cJSON_AddItemToArray(list, o);
	}
	return list;
}

/* The one line for chat tools: what ran, how it ended, the counts,
 * the first failure and the promotion decisions. */
static char *text_line(const struct pz_notify_summary *s, const char *group,
		       const cJSON *failures, const cJSON *proms)
{
	struct pz_buf b;
	char t[32];
	const cJSON *f = cJSON_GetArrayItem(failures, 0), *p;
	int r;

	took(s->finished - s->started, t, sizeof(t));
	pz_buf_init(&b, 4096);
	r = pz_buf_printf(&b,
			  "pz %s %s%s%s%s: %zu added, %zu changed, %zu "
			  "destroyed",
			  s->operation, s->status, group ? " (" : "",
			  group ? group : "", group ? ")" : "", s->added,
			  s->changed, s->destroyed);
	if (!r && s->failed)
		r = pz_buf_printf(&b, ", %zu failed", s->failed);
	if (!r && s->in_progress)
		r = pz_buf_printf(&b, ", %zu still in progress",
				  s->in_progress);
	if (!r && s->not_started)
		r = pz_buf_printf(&b, ", %zu not started", s->not_started);
	if (!r)
		r = pz_buf_printf(&b, " in %s", t);
	if (!r && f)
		r = pz_buf_printf(
		    &b, "; %s: %s",
		    cJSON_GetObjectItemCaseSensitive(f, "address")->valuestring,
		    cJSON_GetObjectItemCaseSensitive(f, "reason")->valuestring);
	cJSON_ArrayForEach(p, proms)
	{
		if (!r)
			r = pz_buf_printf(
			    &b, "; %s",
			    cJSON_GetObjectItemCaseSensitive(p, "message")
				->valuestring);
	}
	/* Past the cap: what fits, cut. */
	(void)r;
	return pz_buf_detach(&b, NULL);
}

cJSON *pz_cmd_notify_json(const struct pz_spec *spec,
			  const struct pz_notify_summary *s)
{
	const struct pz_resource *dg =
	    spec ? pz_spec_dataset_group(spec) : NULL;
	cJSON *o = cJSON_CreateObject(), *counts, *res, *fails, *proms;
	char ts[32];
	char *text;
	size_t i, k;

	cJSON_AddNumberToObject(o, "version", 1);
	cJSON_AddStringToObject(o, "source", "pz");
	cJSON_AddStringToObject(o, "operation", s->operation);
	cJSON_AddStringToObject(o, "status", s->status);
	pz_json_add_str_or_null(o, "datasetGroup", dg ? dg->name : NULL);
	iso(s->started, ts, sizeof(ts));
	cJSON_AddStringToObject(o, "startedAt", ts);
	iso(s->finished, ts, sizeof(ts));
	cJSON_AddStringToObject(o, "finishedAt", ts);
	cJSON_AddNumberToObject(o, "durationSeconds",
				(double)(long)(s->finished - s->started + 0.5));
	counts = cJSON_AddObjectToObject(o, "counts");
	cJSON_AddNumberToObject(counts, "added", (double)s->added);
	cJSON_AddNumberToObject(counts, "changed", (double)s->changed);
	cJSON_AddNumberToObject(counts, "destroyed", (double)s->destroyed);
	cJSON_AddNumberToObject(counts, "failed", (double)s->failed);
	cJSON_AddNumberToObject(counts, "skipped", (double)s->skipped);
	cJSON_AddNumberToObject(counts, "notStarted", (double)s->not_started);
	cJSON_AddNumberToObject(counts, "inProgress", (double)s->in_progress);
	res = cJSON_AddArrayToObject(o, "resources");
	fails = cJSON_CreateArray();
	for (i = 0; s->plan && i < s->plan->n; i++) {
		const struct pz_change *c = &s->plan->changes[i];
		const char *a = action_name(c->action);
		unsigned char r;
		cJSON *x;

		if (!a)
			continue;
		r = change_result(s, i);
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "address", c->address);
		cJSON_AddStringToObject(x, "type", c->type);
		cJSON_AddStringToObject(x, "action", a);
		cJSON_AddStringToObject(x, "result", result_name(r));
		cJSON_AddItemToArray(res, x);
		if (r != PZ_NOTIFY_FAILED)
			continue;
		for (k = 0; k < s->plan->nops; k++) {
			cJSON *f;

			if (s->plan->ops[k].change != i || !s->reasons ||
			    !s->reasons[k])
				continue;
			f = cJSON_CreateObject();
			cJSON_AddStringToObject(f, "address", c->address);
			cJSON_AddStringToObject(f, "reason", s->reasons[k]);
			cJSON_AddItemToArray(fails, f);
		}
	}
	cJSON_AddItemToObject(o, "failures", fails);
	proms = promotions(s);
	cJSON_AddItemToObject(o, "promotions", proms);
	pz_json_add_str_or_null(o, "gitCommit", s->git_commit);
	text = text_line(s, dg ? dg->name : NULL, fails, proms);
	cJSON_AddStringToObject(o, "text", text);
	free(text);
	return o;
}

/* SNS subjects: ASCII, no line breaks, under 100 characters. */
static void subject(char *out, size_t n, const struct pz_notify_summary *s,
		    const struct pz_spec *spec)
{
	const struct pz_resource *dg =
	    spec ? pz_spec_dataset_group(spec) : NULL;
	size_t i;

	snprintf(out, n, "pz %s %s%s%s", s->operation, s->status,
		 dg && dg->name ? ": " : "", dg && dg->name ? dg->name : "");
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 ||
		    (unsigned char)out[i] > 0x7e)
			out[i] = '?';
}

/* The region of an ARN ("arn:aws:sns:REGION:..."), in out. */
static bool arn_region(const char *arn, char *out, size_t n)
{
	const char *p = arn;
	size_t i, len;

	for (i = 0; i < 3 && p; i++) {
		p = strchr(p, ':');
		p = p ? p + 1 : NULL;
	}
	if (!p || !strchr(p, ':'))
		return false;
	len = (size_t)(strchr(p, ':') - p);
	if (!len || len >= n)
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

/* Where a webhook is, for messages: its scheme and host, never its
 * path or query (chat webhooks carry their secret there). */
static void url_origin(const char *url, char *out, size_t n)
{
	const char *p = strstr(url, "://");
	size_t len;

	if (!p) {
		snprintf(out, n, "(the webhook)");
		return;
	}
	len = strcspn(p + 3, "/?#");
	snprintf(out, n, "%.*s", (int)((size_t)(p + 3 - url) + len), url);
}

/* A notification made at the end of a run, sent once the state's lock
 * is released (pz_cmd_notify_flush): a slow webhook never holds it. */
static struct {
	char *topic, *hook, *subject, *body, *profile, *region;
} pending;

static void pending_clear(void)
{
	free(pending.topic);
	free(pending.hook);
	free(pending.subject);
	free(pending.body);
	free(pending.profile);
	free(pending.region);
	memset(&pending, 0, sizeof(pending));
}

static char *dup_or_null(const char *s)
{
	return s ? pz_xstrdup(s) : NULL;
}

static int publish(const char *topic, const char *subj, const char *body)
{
	struct pz_aws_client_options o;
	struct pz_aws_client *c = NULL;
	char region[64];
	int r;

	memset(&o, 0, sizeof(o));
	o.profile = pending.profile;
	o.default_region = pending.region;
	if (arn_region(topic, region, sizeof(region)))
		o.region = region; /* the topic's, whatever pz.region says */
	/* After an interrupt too: the run is over, this must go out. */
	o.uninterruptible = true;
	o.max_connections = 1;
	r = pz_aws_client_new(&c, &o);
	if (!r)
		r = pz_sns_publish(c, topic, subj, body, NULL, NULL);
	pz_aws_client_free(c);
	return r;
}

static int post(const char *url, const char *body)
{
	struct pz_aws_client_options o;
	struct pz_aws_client *c = NULL;
	struct pz_aws_request *req;
	struct pz_aws_response *resp = NULL;
	int r;

	memset(&o, 0, sizeof(o));
	o.uninterruptible = true;
	o.max_connections = 1;
	r = pz_aws_client_new(&c, &o);
	if (r)
		return r;
	req = pz_aws_request_new_url("webhook", "POST", url);
	pz_aws_request_set_flags(req, PZ_AWS_REQ_SECRET_URL);
	pz_aws_request_set_body(req, body, strlen(body), "application/json");
	pz_aws_request_set_limits(req, WEBHOOK_ATTEMPTS, WEBHOOK_TIMEOUT_MS);
	pz_aws_request_set_max_body(req, 64 * 1024);
	r = pz_aws_perform(c, req, &resp);
	pz_aws_response_free(resp);
	pz_aws_client_free(c);
	return r;
}

int pz_cmd_notify(const struct pz_spec *spec, const struct pz_notify_summary *s)
{
	const char *topic = spec ? spec->settings.sns_topic_arn : NULL;
	const char *hook = spec ? spec->settings.webhook_url : NULL;
	cJSON *doc;
	struct pz_buf body;
	char subj[100];

	pending_clear();
	if (!topic && !hook)
		return 0;
	doc = pz_cmd_notify_json(spec, s);
	pz_buf_init(&body, 0);
	if (pz_json_write(doc, &body, -1)) {
		cJSON_Delete(doc);
		pz_buf_release(&body);
		pz_cmd_error("warning: the notification is too large to send");
		return 1;
	}
	cJSON_Delete(doc);
	subject(subj, sizeof(subj), s, spec);
	pending.topic = dup_or_null(topic);
	pending.hook = dup_or_null(hook);
	pending.subject = pz_xstrdup(subj);
	pending.body = pz_xstrdup(pz_buf_cstr(&body));
	pending.profile = dup_or_null(spec->settings.profile);
	pending.region = dup_or_null(spec->settings.region);
	pz_buf_release(&body);
	return 0;
}

int pz_cmd_notify_flush(void)
{
	char origin[256];
	int failed = 0;

	if (pending.topic &&
	    publish(pending.topic, pending.subject, pending.body)) {
		pz_cmd_error("warning: the notification to SNS topic %s was "
			     "not delivered: %s",
			     pz_esc(pending.topic), pz_esc(pz_error_last()));
		failed = 1;
	}
	if (pending.hook) {
		url_origin(pending.hook, origin, sizeof(origin));
		if (post(pending.hook, pending.body)) {
			pz_cmd_error("warning: the notification to the webhook "
				     "at %s was not delivered: %s",
				     pz_esc(origin), pz_esc(pz_error_last()));
			failed = 1;
		}
	}
	pending_clear();
	pz_error_clear();
	return failed;
}
