/*
 * runtime.c - the Personalize runtime operations (core/runtime.h) on
 * the AWS client: Create*, Update*, Delete* and Describe* of each type,
 * driven by its descriptor and the API facts; the client's event loop
 * and timers are the scheduler.
 */
#include "runtime.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "core/facts.h"
#include "core/json_out.h"
#include "pers.h"
#include "promote.h"
#include "providers/aws/client.h"
#include "providers/aws/http.h"
#include "providers/aws/json.h"
#include "providers/aws/sts.h"

/* The runtime's context: the client, and who it works as (for the
 * ARNs a create will give). */
struct prt {
	struct pz_aws_client *c;
	char *account; /* NULL until pz_personalize_runtime_identify */
	struct pz_promote_gates *gates; /* borrowed, or NULL */
};

#define CLIENT(impl) (((struct prt *)(impl))->c)

/* One call in flight, and what to do with its answer. */
struct call {
	struct pz_aws_client *c;
	const struct pz_rtype *t;
	pz_rt_done done;
	void *ud;
	/* update: the calls still to make after this one */
	cJSON *next_tag, *next_untag;
	char *arn;
	cJSON *body; /* create: the request, to recognise our own */
	struct pz_rt_result refused; /* create: the refusal, while pz
				      * looks for its own by name */
	/* delete of a solution: its trainings stopped first */
	int pending;   /* calls of this round not answered yet */
	bool again;    /* a training is still stopping: look again */
	int rounds;    /* looks so far */
	char *failure; /* a stop the service refused */
};

static void result_error(struct pz_rt_result *res, int rc,
			 const struct pz_aws_response *resp, const char *what)
{
	res->rc = rc;
	/* The message is copied now, before anything else can format an
	 * error: each operation keeps its own. */
	res->message = pz_xasprintf("%s: %s", what, pz_error_last());
	if (resp && resp->error.code)
		res->code = pz_xstrdup(resp->error.code);
}

static void complete(struct call *cl, struct pz_rt_result *res)
{
	cl->done(cl->ud, res);
	pz_rt_result_release(res);
	cJSON_Delete(cl->next_tag);
	cJSON_Delete(cl->next_untag);
	cJSON_Delete(cl->body);
	free(cl->failure);
	free(cl->arn);
	pz_rt_result_release(&cl->refused);
	free(cl);
}

static struct call *call_new(struct pz_aws_client *c, const struct pz_rtype *t,
			     pz_rt_done done, void *ud)
{
	struct call *cl = pz_xcalloc(1, sizeof(*cl));

	cl->c = c;
	cl->t = t;
	cl->done = done;
	cl->ud = ud;
	return cl;
}

static int submit(struct call *cl, const char *op, const cJSON *in,
		  void (*fn)(void *, int, cJSON *,
			     const struct pz_aws_response *))
{
	struct pz_aws_json_done d = {fn, cl};
	int r = pz_aws_json_submit(cl->c, PZ_AWS_PERSONALIZE, op, in, d);

	if (r) {
		cJSON_Delete(cl->next_tag);
		cJSON_Delete(cl->next_untag);
		cJSON_Delete(cl->body);
		free(cl->arn);
		free(cl);
	}
	return r;
}

/* --- scheduler ------------------------------------------------------------ */

static uint64_t rt_timer(void *impl, long delay_ms, void (*fn)(void *ud),
			 void *ud)
{
	return pz_aws_timer_add(CLIENT(impl), delay_ms, fn, ud);
}

static int rt_run(void *impl)
{
	return pz_aws_run(CLIENT(impl));
}

/* --- create --------------------------------------------------------------- */

/* The ARN a create with body will give, when the type's ARN is made
 * from its name and pz knows the account; else NULL. */
static char *rt_arn_of(void *impl, const struct pz_rtype *t, const cJSON *body)
{
	struct prt *p = impl;
	const char *region = pz_aws_client_region(p->c);
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(body, "name");
	char *path, *arn;

	if (!cJSON_IsString(name))
		name = cJSON_GetObjectItemCaseSensitive(body, "jobName");
	if (!p->account || !region || !cJSON_IsString(name))
		return NULL;
	if (!strcmp(t->name, "dataset")) {
		const cJSON *g =
		    cJSON_GetObjectItemCaseSensitive(body, "datasetGroupArn");
		const cJSON *ty =
		    cJSON_GetObjectItemCaseSensitive(body, "datasetType");
		const char *slash;

		if (!cJSON_IsString(g) || !cJSON_IsString(ty) ||
		    !(slash = strstr(g->valuestring, ":dataset-group/")))
			return NULL;
		path = pz_pers_dataset_path(slash + strlen(":dataset-group/"),
					    ty->valuestring);
	} else if (t->arn_path) {
		path = pz_xasprintf("%s%s", t->arn_path, name->valuestring);
	} else {
		return NULL;
	}
	arn = pz_pers_arn(region, p->account, path);
	free(path);
	return arn;
}

/*
 * The first member of want (a create request) that have (its Describe
 * answer) holds with another value, or NULL when none: members the
 * answer leaves out, and tags (never described), are not compared;
 * strings are compared without regard to case (datasetType comes back
 * in upper case).
 */
static const char *differs(const cJSON *want, const cJSON *have)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, want)
	{
		const cJSON *h =
		    cJSON_GetObjectItemCaseSensitive(have, m->string);

		if (!h || !m->string || !strcmp(m->string, "tags"))
			continue;
		if (cJSON_IsString(m) && cJSON_IsString(h)) {
			if (strcasecmp(m->valuestring, h->valuestring))
				return m->string;
		} else if (cJSON_IsObject(m) && cJSON_IsObject(h)) {
			if (differs(m, h))
				return m->string;
		} else if (!pz_json_equal(m, h)) {
			return m->string;
		}
	}
	return NULL;
}

/* The Describe answer for a create the service refused as already
 * done: adopted when it is the resource this plan describes. */
static void on_adopt(void *ud, int rc, cJSON *out,
		     const struct pz_aws_response *resp)
{
	struct call *cl = ud;
	struct pz_rt_result res;
	const cJSON *obj =
	    cJSON_GetObjectItemCaseSensitive(out, cl->t->response_key);
	const cJSON *st =
	    obj ? cJSON_GetObjectItemCaseSensitive(obj, "status") : NULL;
	const char *what;

	memset(&res, 0, sizeof(res));
	(void)resp;
	if (rc) {
		/* Without the Describe's error code: the refusal proved that
		 * the resource exists, and a throttled or denied look at it
		 * must not pass for a refused create (that would take back
		 * its record). */
		result_error(&res, rc, NULL, cl->t->describe_op);
	} else if (!cJSON_IsObject(obj)) {
		result_error(&res, PZ_EAWS, NULL, cl->t->describe_op);
	} else if ((what = differs(cl->body, obj)) ||
		   (cJSON_IsString(st) &&
		    (strstr(st->valuestring, "FAILED") ||
		     strstr(st->valuestring, "DELETE")))) {
		res.rc = PZ_EEXISTS;
		res.code = pz_xstrdup("ResourceAlreadyExistsException");
		res.message = pz_xasprintf(
		    "%s already exists and is not the one this plan makes "
		    "(%s%s): adopt it with `pz import ADDRESS %s` if it is "
		    "yours, or give this one another name",
		    cl->arn, what ? "its " : "it is ",
		    what ? what
			 : (cJSON_IsString(st) ? st->valuestring : "failed"),
		    cl->arn);
	} else {
		res.arn = pz_xstrdup(cl->arn);
		res.adopted = true;
	}
	cJSON_Delete(out);
	complete(cl, &res);
}

/* Describes cl->arn, to adopt it when it is the resource cl creates
 * (on_adopt); false when the call could not be made (res says why). */
static bool describe_to_adopt(struct call *cl, struct pz_rt_result *res)
{
	cJSON *in = cJSON_CreateObject();
	struct pz_aws_json_done d = {on_adopt, cl};
	int r;

	cJSON_AddStringToObject(in, cl->t->arn_member, cl->arn);
	r = pz_aws_json_submit(cl->c, PZ_AWS_PERSONALIZE, cl->t->describe_op,
			       in, d);
	cJSON_Delete(in);
	if (!r)
		return true;
	result_error(res, r, NULL, cl->t->describe_op);
	return false;
}

/*
 * The event trackers of the group, after CreateEventTracker was refused
 * (the name is taken, or the group has its one tracker): an apply
 * killed before it recorded the ARN, which is not made from the name,
 * left ours. The one with our name is described and adopted like any
 * other; with none, the refusal stands.
 */
static void on_trackers(void *ud, int rc, cJSON *out,
			const struct pz_aws_response *resp)
{
	struct call *cl = ud;
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(cl->body, "name");
	const cJSON *v;
	struct pz_rt_result res;

	(void)resp;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(rc ? NULL : out,
							       "eventTrackers"))
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(v, "name");
		const cJSON *a =
		    cJSON_GetObjectItemCaseSensitive(v, "eventTrackerArn");

		if (cJSON_IsString(n) && cJSON_IsString(a) &&
		    cJSON_IsString(name) &&
		    !strcmp(n->valuestring, name->valuestring)) {
			cl->arn = pz_xstrdup(a->valuestring);
			break;
		}
	}
	cJSON_Delete(out);
	memset(&res, 0, sizeof(res));
	if (cl->arn && describe_to_adopt(cl, &res))
		return;
	if (!res.rc) {
		res = cl->refused;
		memset(&cl->refused, 0, sizeof(cl->refused));
	}
	complete(cl, &res);
}

/* A refused CreateEventTracker: looks for ours by name. True when the
 * search is under way. */
static bool find_tracker(struct call *cl, int rc,
			 const struct pz_aws_response *resp)
{
	const cJSON *g =
	    cJSON_GetObjectItemCaseSensitive(cl->body, "datasetGroupArn");
	struct pz_aws_json_done d = {on_trackers, cl};
	cJSON *in;
	int r;

	if (!rc || cl->arn || strcmp(cl->t->name, "event_tracker") ||
	    !cJSON_IsString(g) || !resp || !resp->error.code ||
	    (strcmp(resp->error.code, "ResourceAlreadyExistsException") &&
	     strcmp(resp->error.code, "LimitExceededException")))
		return false;
	in = cJSON_CreateObject();
	cJSON_AddStringToObject(in, "datasetGroupArn", g->valuestring);
	r = pz_aws_json_submit(cl->c, PZ_AWS_PERSONALIZE, "ListEventTrackers",
			       in, d);
	cJSON_Delete(in);
	if (r)
		return false;
	result_error(&cl->refused, rc, resp, cl->t->create_op);
	return true;
}

static void on_create(void *ud, int rc, cJSON *out,
		      const struct pz_aws_response *resp)
{
	struct call *cl = ud;
	struct pz_rt_result res;
	const cJSON *arn =
	    cJSON_GetObjectItemCaseSensitive(out, cl->t->arn_member);

	memset(&res, 0, sizeof(res));
	if (find_tracker(cl, rc, resp)) {
		cJSON_Delete(out);
		return;
	}
	if (rc && cl->arn && cl->t->describe_op && resp && resp->error.code &&
	    !strcmp(resp->error.code, "ResourceAlreadyExistsException")) {
		/* An answer lost on the way (a retried request), or an
		 * apply interrupted before it recorded the ARN: the
		 * resource may be ours. */
		cJSON_Delete(out);
		if (!describe_to_adopt(cl, &res))
			complete(cl, &res);
		return;
	}
	if (rc) {
		result_error(&res, rc, resp, cl->t->create_op);
		res.unsent = resp && resp->unsent;
		res.maybe_made = resp && resp->maybe_acted;
	} else if (!cJSON_IsString(arn))
		result_error(&res, PZ_EAWS, NULL, cl->t->create_op);
	else
		res.arn = pz_xstrdup(arn->valuestring);
	cJSON_Delete(out);
	complete(cl, &res);
}

static int rt_create(void *impl, const struct pz_rtype *t, const cJSON *body,
		     pz_rt_done done, void *ud)
{
	struct call *cl = call_new(CLIENT(impl), t, done, ud);

	cl->arn = rt_arn_of(impl, t, body);
	cl->body = cJSON_Duplicate(body, 1);
	return submit(cl, t->create_op, body, on_create);
}

/* --- update --------------------------------------------------------------- */

static void next_step(struct call *cl);

static void on_step(void *ud, int rc, cJSON *out,
		    const struct pz_aws_response *resp)
{
	struct call *cl = ud;
	struct pz_rt_result res;

	cJSON_Delete(out);
	if (rc) {
		memset(&res, 0, sizeof(res));
		result_error(&res, rc, resp, "updating it");
		complete(cl, &res);
		return;
	}
	next_step(cl);
}

/* After the Update call: TagResource, then UntagResource, as needed. */
static void next_step(struct call *cl)
{
	struct pz_rt_result res;
	cJSON *in;
	const char *op;

	if (cl->next_tag) {
		in = cl->next_tag;
		cl->next_tag = NULL;
		op = "TagResource";
	} else if (cl->next_untag) {
		in = cl->next_untag;
		cl->next_untag = NULL;
		op = "UntagResource";
	} else {
		memset(&res, 0, sizeof(res));
		complete(cl, &res);
		return;
	}
	{
		struct pz_aws_json_done d = {on_step, cl};
		int r =
		    pz_aws_json_submit(cl->c, PZ_AWS_PERSONALIZE, op, in, d);

		cJSON_Delete(in);
		if (r) {
			memset(&res, 0, sizeof(res));
			result_error(&res, r, NULL, op);
			complete(cl, &res);
		}
	}
}

static const char *tag_key(const cJSON *tag)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(tag, "tagKey");

	return cJSON_IsString(k) ? k->valuestring : NULL;
}

static const cJSON *tag_named(const cJSON *tags, const char *key)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, tags)
	{
		if (tag_key(t) && key && !strcmp(tag_key(t), key))
			return t;
	}
	return NULL;
}

/* TagResource for new or changed tags, UntagResource for removed ones. */
static void plan_tags(struct call *cl, const char *arn, const cJSON *before,
		      const cJSON *after)
{
	const cJSON *was = cJSON_GetObjectItemCaseSensitive(before, "tags");
	const cJSON *now = cJSON_GetObjectItemCaseSensitive(after, "tags");
	const cJSON *t;
	cJSON *add = cJSON_CreateArray(), *gone = cJSON_CreateArray();

	cJSON_ArrayForEach(t, now)
	{
		const cJSON *o = tag_named(was, tag_key(t));

		if (!o || !pz_json_equal(o, t))
			cJSON_AddItemToArray(add, cJSON_Duplicate(t, 1));
	}
	cJSON_ArrayForEach(t, was)
	{
		if (tag_key(t) && !tag_named(now, tag_key(t)))
			cJSON_AddItemToArray(gone,
					     cJSON_CreateString(tag_key(t)));
	}
	if (cJSON_GetArraySize(add)) {
		cl->next_tag = cJSON_CreateObject();
		cJSON_AddStringToObject(cl->next_tag, "resourceArn", arn);
		cJSON_AddItemToObject(cl->next_tag, "tags", add);
	} else {
		cJSON_Delete(add);
	}
	if (cJSON_GetArraySize(gone)) {
		cl->next_untag = cJSON_CreateObject();
		cJSON_AddStringToObject(cl->next_untag, "resourceArn", arn);
		cJSON_AddItemToObject(cl->next_untag, "tagKeys", gone);
	} else {
		cJSON_Delete(gone);
	}
}

/* The metrics named in a metric attribution's list, by name. */
static bool has_metric(const cJSON *list, const cJSON *m)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, list)
	{
		if (pz_json_equal(x, m))
			return true;
	}
	return false;
}

/*
 * The Update request from the new attributes: the members its input
 * takes that the create request has too, with what the service names
 * otherwise (UpdateSolution's solutionUpdateConfig takes
 * solutionConfig's autoTrainingConfig and eventsConfig;
 * UpdateMetricAttribution takes the metrics to add and to remove).
 * NULL when only tags change.
 */
static cJSON *update_body(const struct pz_rtype *t, const char *arn,
			  const cJSON *before, const cJSON *after, bool resend)
{
	const struct pz_operation *cop = pz_facts_operation(t->create_op);
	const struct pz_operation *uop =
	    cop && cop->update_op ? pz_facts_operation(cop->update_op) : NULL;
	const struct pz_shape *in = uop ? pz_facts_shape(uop->input) : NULL;
	cJSON *body;
	size_t i, changed = 0;

	if (!in)
		return NULL;
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, t->arn_member, arn);
	for (i = 0; i < in->nmembers; i++) {
		const char *m = in->members[i].name;
		const cJSON *now = cJSON_GetObjectItemCaseSensitive(after, m);
		const cJSON *was = cJSON_GetObjectItemCaseSensitive(before, m);

		if (!strcmp(m, t->arn_member))
			continue;
		if (!strcmp(m, "solutionUpdateConfig")) {
			const cJSON *sc = cJSON_GetObjectItemCaseSensitive(
			    after, "solutionConfig");
			const cJSON *osc = cJSON_GetObjectItemCaseSensitive(
			    before, "solutionConfig");
			cJSON *u = cJSON_CreateObject();
			const char *keep[] = {"autoTrainingConfig",
					      "eventsConfig"};
			size_t k;

			for (k = 0; k < 2; k++) {
				const cJSON *v =
				    cJSON_GetObjectItemCaseSensitive(sc,
								     keep[k]);
				const cJSON *o =
				    cJSON_GetObjectItemCaseSensitive(osc,
								     keep[k]);

				if (v) {
					cJSON_AddItemToObject(
					    u, keep[k], cJSON_Duplicate(v, 1));
					changed += !o || !pz_json_equal(o, v);
				}
			}
			if (u->child)
				cJSON_AddItemToObject(body, m, u);
			else
				cJSON_Delete(u);
			continue;
		}
		if (!strcmp(m, "addMetrics") || !strcmp(m, "removeMetrics")) {
			const cJSON *nm =
			    cJSON_GetObjectItemCaseSensitive(after, "metrics");
			const cJSON *om =
			    cJSON_GetObjectItemCaseSensitive(before, "metrics");
			bool add = !strcmp(m, "addMetrics");
			cJSON *list = cJSON_CreateArray();
			const cJSON *x, *from = add ? nm : om;

			cJSON_ArrayForEach(x, from)
			{
				const cJSON *name =
				    cJSON_GetObjectItemCaseSensitive(
					x, "metricName");

				if (has_metric(add ? om : nm, x))
					continue;
				if (add)
					cJSON_AddItemToArray(
					    list, cJSON_Duplicate(x, 1));
				else if (cJSON_IsString(name))
					cJSON_AddItemToArray(
					    list, cJSON_CreateString(
						      name->valuestring));
			}
			if (cJSON_GetArraySize(list)) {
				cJSON_AddItemToObject(body, m, list);
				changed++;
			} else {
				cJSON_Delete(list);
			}
			continue;
		}
		if (!now)
			continue;
		cJSON_AddItemToObject(body, m, cJSON_Duplicate(now, 1));
		changed += !was || !pz_json_equal(was, now);
	}
	/* resend: the service failed the last update; what the state
	 * holds may not be what it runs. */
	if (!changed && !(resend && body->child && body->child->next)) {
		cJSON_Delete(body);
		return NULL;
	}
	return body;
}

/* A recommender's pz.state: "status" ACTIVE or INACTIVE in the plan's
 * before and after (recommender.c plans it as the only change). */
static const char *status_op(const struct pz_rtype *t, const cJSON *before,
			     const cJSON *after)
{
	const cJSON *was = cJSON_GetObjectItemCaseSensitive(before, "status");
	const cJSON *now = cJSON_GetObjectItemCaseSensitive(after, "status");

	if (strcmp(t->name, "recommender") || !cJSON_IsString(now) ||
	    (cJSON_IsString(was) &&
	     !strcmp(was->valuestring, now->valuestring)))
		return NULL;
	return !strcmp(now->valuestring, "INACTIVE") ? "StopRecommender"
						     : "StartRecommender";
}

static int update_now(void *impl, const struct pz_rtype *t, const char *arn,
		      const cJSON *before, const cJSON *after, unsigned flags,
		      pz_rt_done done, void *ud);

/* A campaign under pz.promote: the gate decides first (promote.h),
 * then the update goes on with the version it chose. */
struct gated_update {
	void *impl;
	const struct pz_rtype *t;
	char *arn;
	const cJSON *before; /* the plan's: lives through the run */
	unsigned flags;
	pz_rt_done done;
	void *ud;
};

static void on_gate_decided(void *ud, int rc, const char *msg,
			    const cJSON *after)
{
	struct gated_update *g = ud;
	struct pz_rt_result res;

	memset(&res, 0, sizeof(res));
	if (!rc)
		rc = update_now(g->impl, g->t, g->arn, g->before, after,
				g->flags, g->done, g->ud);
	else
		pz_error_set(rc, "%s", msg ? msg : pz_error_name(rc));
	if (rc) {
		result_error(&res, rc, NULL, "the promotion gate");
		g->done(g->ud, &res);
		pz_rt_result_release(&res);
	}
	free(g->arn);
	free(g);
}

static int rt_update(void *impl, const struct pz_rtype *t, const char *arn,
		     const cJSON *before, const cJSON *after, unsigned flags,
		     pz_rt_done done, void *ud)
{
	struct prt *p = impl;
	struct gated_update *g;
	int r;

	if (!pz_promote_gates_applies(p->gates, arn, before, after))
		return update_now(impl, t, arn, before, after, flags, done, ud);
	g = pz_xcalloc(1, sizeof(*g));
	g->impl = impl;
	g->t = t;
	g->arn = pz_xstrdup(arn);
	g->before = before;
	g->flags = flags;
	g->done = done;
	g->ud = ud;
	r = pz_promote_gates_decide(p->gates, p->c, arn, before, after,
				    on_gate_decided, g);
	if (r) {
		free(g->arn);
		free(g);
	}
	return r;
}

static int update_now(void *impl, const struct pz_rtype *t, const char *arn,
		      const cJSON *before, const cJSON *after, unsigned flags,
		      pz_rt_done done, void *ud)
{
	struct call *cl = call_new(CLIENT(impl), t, done, ud);
	const struct pz_operation *cop = pz_facts_operation(t->create_op);
	const char *sop = status_op(t, before, after);
	cJSON *body =
	    sop ? NULL
		: update_body(t, arn, before, after, flags & PZ_RT_RESEND);
	int r;

	plan_tags(cl, arn, before, after);
	if (sop) {
		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, t->arn_member, arn);
		r = submit(cl, sop, body, on_step);
		cJSON_Delete(body);
		return r;
	}
	if (!body) {
		next_step(cl);
		return 0;
	}
	r = submit(cl, cop->update_op, body, on_step);
	cJSON_Delete(body);
	return r;
}

/* --- delete --------------------------------------------------------------- */

static void on_delete(void *ud, int rc, cJSON *out,
		      const struct pz_aws_response *resp)
{
	struct call *cl = ud;
	struct pz_rt_result res;

	memset(&res, 0, sizeof(res));
	if (rc)
		result_error(&res, rc, resp, cl->t->delete_op);
	cJSON_Delete(out);
	complete(cl, &res);
}

static bool has(const char *s, const char *part);

static int delete_now(struct call *cl)
{
	cJSON *in = cJSON_CreateObject();
	int r;

	cJSON_AddStringToObject(in, cl->t->arn_member, cl->arn);
	r = submit(cl, cl->t->delete_op, in, on_delete);
	cJSON_Delete(in);
	return r;
}

/*
 * DeleteSolution is refused while a version trains: each training in
 * progress is stopped first (StopSolutionVersionCreation; what it
 * trained until then is billed), and the delete made once none is
 * pending, in progress or stopping, and no update of the solution
 * itself runs (personalize-rules.md §4).
 */
#define STOP_LOOK_MS   2000
#define STOP_LOOKS_MAX 1800 /* an hour of looks */

static void look_versions(struct call *cl, const char *token);
static void classify(const cJSON *obj, struct pz_rt_result *res);

static void fail_call(struct call *cl, int rc, const char *what)
{
	struct pz_rt_result res;

	memset(&res, 0, sizeof(res));
	res.rc = rc;
	res.message = pz_xasprintf("%s", what);
	complete(cl, &res);
}

static void look_again(void *ud)
{
	look_versions(ud, NULL);
}

/* One call of the round answered: when it was the last, delete, or
 * look again after a while. */
static void round_step(struct call *cl)
{
	if (--cl->pending > 0)
		return;
	if (cl->failure) {
		char *m =
		    pz_xasprintf("stopping its training: %s", cl->failure);

		fail_call(cl, PZ_EAWS, m);
		free(m);
	} else if (cl->again) {
		if (++cl->rounds > STOP_LOOKS_MAX) {
			fail_call(cl, PZ_ETIMEOUT,
				  "its trainings and its update did not settle "
				  "within an hour");
			return;
		}
		pz_aws_timer_add(cl->c, STOP_LOOK_MS, look_again, cl);
	} else {
		cJSON *in = cJSON_CreateObject();
		struct pz_aws_json_done d = {on_delete, cl};
		int r;

		cJSON_AddStringToObject(in, cl->t->arn_member, cl->arn);
		r = pz_aws_json_submit(cl->c, PZ_AWS_PERSONALIZE,
				       cl->t->delete_op, in, d);
		cJSON_Delete(in);
		if (r)
			fail_call(cl, r, pz_error_last());
	}
}

static void on_stop(void *ud, int rc, cJSON *out,
		    const struct pz_aws_response *resp)
{
	struct call *cl = ud;

	cJSON_Delete(out);
	/* Already stopped or gone between the look and the stop: fine. */
	if (rc && rc != PZ_ENOTFOUND &&
	    !(resp && resp->error.code && strstr(resp->error.code, "InUse")) &&
	    !cl->failure)
		cl->failure = pz_xstrdup(pz_error_last());
	cl->again = true;
	round_step(cl);
}

static void on_versions(void *ud, int rc, cJSON *out,
			const struct pz_aws_response *resp)
{
	struct call *cl = ud;
	const cJSON *list =
	    cJSON_GetObjectItemCaseSensitive(out, "solutionVersions");
	const cJSON *next = cJSON_GetObjectItemCaseSensitive(out, "nextToken");
	const cJSON *v;

	(void)resp;
	if (rc) {
		if (!cl->failure)
			cl->failure = pz_xstrdup(pz_error_last());
		cJSON_Delete(out);
		round_step(cl);
		return;
	}
	cJSON_ArrayForEach(v, list)
	{
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(v, "status");
		const cJSON *arn =
		    cJSON_GetObjectItemCaseSensitive(v, "solutionVersionArn");
		const char *s = cJSON_IsString(st) ? st->valuestring : "";

		if (has(s, "STOPPING")) {
			cl->again = true;
		} else if ((has(s, "PENDING") || has(s, "IN_PROGRESS")) &&
			   cJSON_IsString(arn)) {
			cJSON *in = cJSON_CreateObject();
			struct pz_aws_json_done d = {on_stop, cl};

			cJSON_AddStringToObject(in, "solutionVersionArn",
						arn->valuestring);
			cl->pending++;
			if (pz_aws_json_submit(cl->c, PZ_AWS_PERSONALIZE,
					       "StopSolutionVersionCreation",
					       in, d)) {
				cl->pending--;
				if (!cl->failure)
					cl->failure =
					    pz_xstrdup(pz_error_last());
			}
			cJSON_Delete(in);
		}
	}
	if (cJSON_IsString(next) && *next->valuestring)
		look_versions(cl, next->valuestring);
	cJSON_Delete(out);
	round_step(cl);
}

/* DeleteSolution is refused while the solution's own update runs
 * (latestSolutionUpdate, an automatic-training change): that is
 * waited for too. */
static void on_solution_look(void *ud, int rc, cJSON *out,
			     const struct pz_aws_response *resp)
{
	struct call *cl = ud;
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(out, "solution");
	struct pz_rt_result res;

	(void)resp;
	memset(&res, 0, sizeof(res));
	if (!rc && cJSON_IsObject(obj)) {
		classify(obj, &res);
		if (res.status == PZ_RT_PENDING)
			cl->again = true;
	} else if (rc && rc != PZ_ENOTFOUND && !cl->failure) {
		cl->failure = pz_xstrdup(pz_error_last());
	}
	pz_rt_result_release(&res);
	cJSON_Delete(out);
	round_step(cl);
}

static void look_versions(struct call *cl, const char *token)
{
	cJSON *in = cJSON_CreateObject();
	struct pz_aws_json_done d = {on_versions, cl};

	if (!token) {
		cJSON *sin = cJSON_CreateObject();
		struct pz_aws_json_done sd = {on_solution_look, cl};

		cl->again = false;
		cl->pending = 1;
		cJSON_AddStringToObject(sin, "solutionArn", cl->arn);
		if (pz_aws_json_submit(cl->c, PZ_AWS_PERSONALIZE,
				       "DescribeSolution", sin, sd)) {
			cl->pending = 0;
			if (!cl->failure)
				cl->failure = pz_xstrdup(pz_error_last());
		}
		cJSON_Delete(sin);
	}
	cJSON_AddStringToObject(in, "solutionArn", cl->arn);
	cJSON_AddNumberToObject(in, "maxResults", 100);
	if (token)
		cJSON_AddStringToObject(in, "nextToken", token);
	cl->pending++;
	if (pz_aws_json_submit(cl->c, PZ_AWS_PERSONALIZE,
			       "ListSolutionVersions", in, d)) {
		if (!cl->failure)
			cl->failure = pz_xstrdup(pz_error_last());
		cJSON_Delete(in);
		round_step(cl);
		return;
	}
	cJSON_Delete(in);
}

static int rt_remove(void *impl, const struct pz_rtype *t, const char *arn,
		     pz_rt_done done, void *ud)
{
	struct call *cl;

	if (!t->delete_op)
		return pz_error_set(PZ_EINVAL, "a %s cannot be deleted",
				    t->label);
	cl = call_new(CLIENT(impl), t, done, ud);
	cl->arn = pz_xstrdup(arn);
	if (!strcmp(t->name, "solution")) {
		look_versions(cl, NULL);
		return 0;
	}
	return delete_now(cl);
}

/* --- read and classify ---------------------------------------------------- */

static bool has(const char *s, const char *part)
{
	return s && strstr(s, part);
}

/* Where a resource stands from its Describe answer: its status, and
 * the progress of its last update (latestCampaignUpdate and its kin),
 * which the top-level status does not show. */
static void classify(const cJSON *obj, struct pz_rt_result *res)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(obj, "status");
	const cJSON *why =
	    cJSON_GetObjectItemCaseSensitive(obj, "failureReason");
	const cJSON *m, *scan;

	res->status = PZ_RT_DONE;
	if (cJSON_IsString(st)) {
		const char *s = st->valuestring;

		res->status_text = pz_xstrdup(s);
		if (has(s, "FAILED") || has(s, "STOPPED"))
			res->status = PZ_RT_FAILED;
		else if (has(s, "PENDING") || has(s, "IN_PROGRESS") ||
			 has(s, "STOPPING"))
			res->status = PZ_RT_PENDING;
		if (res->status == PZ_RT_FAILED && cJSON_IsString(why))
			res->reason = pz_xstrdup(why->valuestring);
	}
	scan = res->status == PZ_RT_DONE ? obj : NULL;
	cJSON_ArrayForEach(m, scan)
	{
		const cJSON *us, *uw;

		if (!m->string || strncmp(m->string, "latest", 6) ||
		    !pz_str_has_suffix(m->string, "Update") ||
		    !cJSON_IsObject(m))
			continue;
		us = cJSON_GetObjectItemCaseSensitive(m, "status");
		uw = cJSON_GetObjectItemCaseSensitive(m, "failureReason");
		if (!cJSON_IsString(us))
			continue;
		if (has(us->valuestring, "PENDING") ||
		    has(us->valuestring, "IN_PROGRESS")) {
			res->status = PZ_RT_PENDING;
		} else if (has(us->valuestring, "FAILED")) {
			res->status = PZ_RT_FAILED;
			free(res->status_text);
			res->status_text =
			    pz_xasprintf("its update is %s", us->valuestring);
			free(res->reason);
			res->reason = cJSON_IsString(uw)
					  ? pz_xstrdup(uw->valuestring)
					  : NULL;
		}
	}
}

static void on_describe(void *ud, int rc, cJSON *out,
			const struct pz_aws_response *resp)
{
	struct call *cl = ud;
	struct pz_rt_result res;
	const cJSON *obj =
	    cJSON_GetObjectItemCaseSensitive(out, cl->t->response_key);

	memset(&res, 0, sizeof(res));
	if (rc == PZ_ENOTFOUND) {
		res.status = PZ_RT_GONE;
	} else if (rc) {
		result_error(&res, rc, resp, cl->t->describe_op);
	} else if (!cJSON_IsObject(obj)) {
		res.status = PZ_RT_GONE;
	} else {
		const cJSON *arn =
		    cJSON_GetObjectItemCaseSensitive(obj, cl->t->arn_member);

		if (cJSON_IsString(arn))
			res.arn = pz_xstrdup(arn->valuestring);
		classify(obj, &res);
	}
	cJSON_Delete(out);
	complete(cl, &res);
}

static int rt_read(void *impl, const struct pz_rtype *t, const char *arn,
		   pz_rt_done done, void *ud)
{
	cJSON *in;
	int r;

	if (!t->describe_op)
		return pz_error_set(PZ_EINVAL, "a %s cannot be read", t->label);
	in = cJSON_CreateObject();
	cJSON_AddStringToObject(in, t->arn_member, arn);
	r = submit(call_new(CLIENT(impl), t, done, ud), t->describe_op, in,
		   on_describe);
	cJSON_Delete(in);
	return r;
}

void pz_personalize_runtime(struct pz_runtime *rt, struct pz_aws_client *c)
{
	struct prt *p = pz_xcalloc(1, sizeof(*p));

	p->c = c;
	memset(rt, 0, sizeof(*rt));
	rt->impl = p;
	rt->timer = rt_timer;
	rt->run = rt_run;
	rt->create = rt_create;
	rt->update = rt_update;
	rt->remove = rt_remove;
	rt->read = rt_read;
	rt->arn_of = rt_arn_of;
}

int pz_personalize_runtime_identify(struct pz_runtime *rt)
{
	struct prt *p = rt->impl;
	struct pz_sts_identity id;
	int r;

	memset(&id, 0, sizeof(id));
	if ((r = pz_sts_get_caller_identity(p->c, &id, NULL)))
		return r;
	free(p->account);
	p->account = pz_xstrdup(id.account);
	pz_sts_identity_release(&id);
	return 0;
}

void pz_personalize_runtime_set_gates(struct pz_runtime *rt,
				      struct pz_promote_gates *gates)
{
	((struct prt *)rt->impl)->gates = gates;
}

void pz_personalize_runtime_release(struct pz_runtime *rt)
{
	struct prt *p = rt->impl;

	if (p) {
		free(p->account);
		free(p);
	}
	memset(rt, 0, sizeof(*rt));
}
