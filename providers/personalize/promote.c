/*
 * promote.c - solution versions' offline metrics and the promotion gate
 * (promote.h).
 */
#include "promote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json_out.h"
#include "core/node.h"
#include "core/plan.h"
#include "core/state.h"
#include "providers/aws/client.h"
#include "providers/aws/http.h"
#include "providers/aws/json.h"

/* The keys GetSolutionMetrics reports (the developer guide's
 * working-with-training-metrics page, next-best-action's too). */
const char *const pz_promote_metrics[] = {
    "coverage",
    "mean_reciprocal_rank_at_25",
    "normalized_discounted_cumulative_gain_at_5",
    "normalized_discounted_cumulative_gain_at_10",
    "normalized_discounted_cumulative_gain_at_25",
    "precision_at_5",
    "precision_at_10",
    "precision_at_25",
    "average_rewards_at_k",
    "hit_at_1",
    "hit_at_5",
    "hit_at_10",
};
const size_t pz_promote_nmetrics = PZ_ARRAY_LEN(pz_promote_metrics);

bool pz_promote_metric_known(const char *name)
{
	size_t i;

	for (i = 0; name && i < pz_promote_nmetrics; i++)
		if (!strcmp(name, pz_promote_metrics[i]))
			return true;
	return false;
}

/* --- metrics and versions ------------------------------------------------ */

int pz_pers_solution_metrics(struct pz_aws_client *c, const char *version_arn,
			     cJSON **out, struct pz_aws_error *err)
{
	cJSON *in = cJSON_CreateObject(), *answer = NULL, *m;
	int r;

	*out = NULL;
	cJSON_AddStringToObject(in, "solutionVersionArn", version_arn);
	r = pz_aws_json_call(c, PZ_AWS_PERSONALIZE, "GetSolutionMetrics", in,
			     &answer, err);
	cJSON_Delete(in);
	if (r)
		return r;
	m = cJSON_DetachItemFromObjectCaseSensitive(answer, "metrics");
	cJSON_Delete(answer);
	*out = cJSON_IsObject(m) ? m : (cJSON_Delete(m), cJSON_CreateObject());
	return 0;
}

static double created_of(const cJSON *v)
{
	const cJSON *t =
	    cJSON_GetObjectItemCaseSensitive(v, "creationDateTime");

	return cJSON_IsNumber(t) ? t->valuedouble : 0;
}

static const char *arn_of(const cJSON *v)
{
	const cJSON *a =
	    cJSON_GetObjectItemCaseSensitive(v, "solutionVersionArn");

	return cJSON_IsString(a) ? a->valuestring : "";
}

static int cmp_version(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a;
	const cJSON *y = *(const cJSON *const *)b;
	double tx = created_of(x), ty = created_of(y);

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return strcmp(arn_of(x), arn_of(y));
}

int pz_pers_list_solution_versions(struct pz_aws_client *c,
				   const char *solution_arn, cJSON **out)
{
	cJSON *all = cJSON_CreateArray(), *sorted, **v = NULL;
	char *token = NULL;
	size_t n = 0, cap = 0, i;
	int r = 0, pages = 0;

	*out = NULL;
	do {
		cJSON *in = cJSON_CreateObject(), *answer = NULL, *list, *x;
		const cJSON *next;

		cJSON_AddStringToObject(in, "solutionArn", solution_arn);
		cJSON_AddNumberToObject(in, "maxResults", 100);
		if (token)
			cJSON_AddStringToObject(in, "nextToken", token);
		r = pz_aws_json_call(c, PZ_AWS_PERSONALIZE,
				     "ListSolutionVersions", in, &answer, NULL);
		cJSON_Delete(in);
		free(token);
		token = NULL;
		if (r)
			break;
		list = cJSON_DetachItemFromObjectCaseSensitive(
		    answer, "solutionVersions");
		while (list && (x = cJSON_DetachItemFromArray(list, 0)))
			cJSON_AddItemToArray(all, x);
		cJSON_Delete(list);
		next = cJSON_GetObjectItemCaseSensitive(answer, "nextToken");
		if (cJSON_IsString(next) && *next->valuestring)
			token = pz_xstrdup(next->valuestring);
		cJSON_Delete(answer);
		/* A service that keeps answering a token would loop for
		 * ever: 1,000 pages are 100,000 versions. */
		if (++pages > 1000 && token) {
			free(token);
			r = pz_error_set(PZ_EAWS,
					 "personalize ListSolutionVersions: "
					 "more than 1000 pages");
			break;
		}
	} while (token);
	if (r) {
		cJSON_Delete(all);
		return r;
	}
	/* Oldest first, so the newest is the last column. */
	while (all->child) {
		PZ_GROW(v, n, cap);
		v[n++] = cJSON_DetachItemViaPointer(all, all->child);
	}
	qsort(v, n, sizeof(*v), cmp_version);
	sorted = cJSON_CreateArray();
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(sorted, v[i]);
	free(v);
	cJSON_Delete(all);
	*out = sorted;
	return 0;
}

const char *pz_promote_version_id(const char *version_arn)
{
	const char *s = version_arn ? strrchr(version_arn, '/') : NULL;

	return s ? s + 1 : version_arn ? version_arn : "";
}

/* --- the gate ------------------------------------------------------------ */

bool pz_promote_gate_of(const struct pz_node *campaign_pz,
			struct pz_promote_gate *out)
{
	const struct pz_node *p = pz_node_get(campaign_pz, "promote");
	const struct pz_node *m = pz_node_get(p, "metric");
	const struct pz_node *d = pz_node_get(p, "minDelta");

	memset(out, 0, sizeof(*out));
	if (!pz_node_str(m))
		return false;
	out->metric = pz_node_str(m);
	if (d && (d->kind == PZ_NODE_INT || d->kind == PZ_NODE_FLOAT)) {
		out->min_delta = d->kind == PZ_NODE_INT ? (double)d->i : d->d;
		out->min_delta_text = d->str;
	}
	return true;
}

void pz_promote_decision_release(struct pz_promote_decision *d)
{
	free(d->new_arn);
	free(d->old_arn);
	free(d->message);
	memset(d, 0, sizeof(*d));
}

static int metric_value(const cJSON *metrics, const char *name, const char *arn,
			double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(metrics, name);

	if (!cJSON_IsNumber(v))
		return pz_error_set(PZ_EINVAL,
				    "GetSolutionMetrics of %s reports no %s; "
				    "pick a metric it reports (pz metrics "
				    "lists them)",
				    arn, name);
	*out = v->valuedouble;
	return 0;
}

int pz_promote_compare(const char *address, const struct pz_promote_gate *g,
		       const char *old_arn, const cJSON *old_metrics,
		       const char *new_arn, const cJSON *new_metrics,
		       struct pz_promote_decision *d)
{
	char delta[64];
	double nv = 0, ov = 0;

	memset(d, 0, sizeof(*d));
	if (metric_value(new_metrics, g->metric, new_arn, &nv) ||
	    metric_value(old_metrics, g->metric, old_arn, &ov))
		return PZ_EINVAL;
	if (g->min_delta_text)
		snprintf(delta, sizeof(delta), "%s", g->min_delta_text);
	else
		snprintf(delta, sizeof(delta), "%g", g->min_delta);
	d->new_value = nv;
	d->old_value = ov;
	d->new_arn = pz_xstrdup(new_arn);
	d->old_arn = pz_xstrdup(old_arn);
	/* Compared as printed (4 places, as the service reports them),
	 * so the line never says "0.2905 < 0.2905 + 0". */
	d->promote = nv >= ov + g->min_delta - 5e-9;
	d->message = pz_xasprintf(
	    "%s %s version %s: %s %.4f %s %.4f + %s%s", address,
	    d->promote ? "moves to" : "kept on",
	    pz_promote_version_id(d->promote ? new_arn : old_arn), g->metric,
	    nv, d->promote ? ">=" : "<", ov, delta,
	    !d->promote && g->item_updates
		? " (warning: Personalize adds new items only to the latest "
		  "version, about every two hours: the version kept gets "
		  "none)"
		: "");
	return 0;
}

/* Both GetSolutionMetrics in flight; the decision when both are in. */
struct decide {
	char *address, *metric, *delta_text;
	struct pz_promote_gate g;
	char *arn[2]; /* 0: current, 1: new */
	cJSON *metrics[2];
	int pending;
	struct pz_error err;
	pz_promote_done done;
	void *ud;
};

static void decide_free(struct decide *x)
{
	free(x->address);
	free(x->metric);
	free(x->delta_text);
	free(x->arn[0]);
	free(x->arn[1]);
	cJSON_Delete(x->metrics[0]);
	cJSON_Delete(x->metrics[1]);
	pz_error_release(&x->err);
	free(x);
}

static void decide_finish(struct decide *x)
{
	struct pz_promote_decision d;
	struct pz_error e = {0};

	if (x->err.code) {
		x->done(x->ud, x->err.code, x->err.message, NULL);
	} else if (pz_promote_compare(x->address, &x->g, x->arn[0],
				      x->metrics[0], x->arn[1], x->metrics[1],
				      &d)) {
		pz_error_save(&e);
		x->done(x->ud, e.code, e.message, NULL);
		pz_error_release(&e);
	} else {
		x->done(x->ud, 0, NULL, &d);
		pz_promote_decision_release(&d);
	}
	decide_free(x);
}

struct decide_one {
	struct decide *x;
	int which;
};

static void on_metrics(void *ud, int rc, cJSON *out,
		       const struct pz_aws_response *resp)
{
	struct decide_one *o = ud;
	struct decide *x = o->x;
	cJSON *m;

	if (rc) {
		if (!x->err.code)
			pz_error_keep(&x->err, rc,
				      "reading the metrics of %s: %s",
				      x->arn[o->which],
				      resp && resp->failure.message
					  ? resp->failure.message
					  : pz_error_name(rc));
	} else {
		m = cJSON_DetachItemFromObjectCaseSensitive(out, "metrics");
		x->metrics[o->which] = m ? m : cJSON_CreateObject();
	}
	cJSON_Delete(out);
	free(o);
	if (--x->pending == 0)
		decide_finish(x);
}

int pz_promote_decide_submit(struct pz_aws_client *c, const char *address,
			     const struct pz_promote_gate *g,
			     const char *current_arn, const char *new_arn,
			     pz_promote_done done, void *ud)
{
	struct decide *x;
	int i, r = 0;

	if (!current_arn || !strcmp(current_arn, new_arn)) {
		/* Nothing to compare with: the first version goes in. */
		struct pz_promote_decision d;

		memset(&d, 0, sizeof(d));
		d.promote = true;
		d.new_arn = pz_xstrdup(new_arn);
		d.message =
		    pz_xasprintf("%s moves to version %s: no version "
				 "served before",
				 address, pz_promote_version_id(new_arn));
		done(ud, 0, NULL, &d);
		pz_promote_decision_release(&d);
		return 0;
	}
	x = pz_xcalloc(1, sizeof(*x));
	x->address = pz_xstrdup(address);
	x->metric = pz_xstrdup(g->metric);
	x->delta_text =
	    g->min_delta_text ? pz_xstrdup(g->min_delta_text) : NULL;
	x->g.metric = x->metric;
	x->g.min_delta = g->min_delta;
	x->g.min_delta_text = x->delta_text;
	x->g.item_updates = g->item_updates;
	x->arn[0] = pz_xstrdup(current_arn);
	x->arn[1] = pz_xstrdup(new_arn);
	x->done = done;
	x->ud = ud;
	x->pending = 1; /* held until both are submitted */
	for (i = 0; i < 2 && !r; i++) {
		struct decide_one *o = pz_xcalloc(1, sizeof(*o));
		struct pz_aws_json_done d = {on_metrics, o};
		cJSON *in = cJSON_CreateObject();

		o->x = x;
		o->which = i;
		cJSON_AddStringToObject(in, "solutionVersionArn", x->arn[i]);
		x->pending++;
		r = pz_aws_json_submit(c, PZ_AWS_PERSONALIZE,
				       "GetSolutionMetrics", in, d);
		cJSON_Delete(in);
		if (r) {
			free(o);
			x->pending--;
		}
	}
	if (r && x->pending == 1) {
		decide_free(x); /* nothing in flight: no callback */
		return r;
	}
	if (r && !x->err.code)
		pz_error_keep(&x->err, r, "%s", pz_error_last());
	if (--x->pending == 0)
		decide_finish(x);
	return 0;
}

struct wait {
	bool finished;
	int rc;
	struct pz_promote_decision *d;
};

static void on_decided(void *ud, int rc, const char *msg,
		       const struct pz_promote_decision *d)
{
	struct wait *w = ud;

	w->finished = true;
	w->rc = rc;
	if (rc) {
		pz_error_set(rc, "%s", msg ? msg : pz_error_name(rc));
		return;
	}
	w->d->promote = d->promote;
	w->d->new_value = d->new_value;
	w->d->old_value = d->old_value;
	w->d->new_arn = d->new_arn ? pz_xstrdup(d->new_arn) : NULL;
	w->d->old_arn = d->old_arn ? pz_xstrdup(d->old_arn) : NULL;
	w->d->message = pz_xstrdup(d->message);
}

int pz_promote_decide(struct pz_aws_client *c, const char *address,
		      const struct pz_promote_gate *g, const char *current_arn,
		      const char *new_arn, struct pz_promote_decision *d)
{
	struct wait w = {false, 0, d};
	struct pz_error saved = {0};
	int r;

	memset(d, 0, sizeof(*d));
	r = pz_promote_decide_submit(c, address, g, current_arn, new_arn,
				     on_decided, &w);
	if (r)
		return r;
	if (!w.finished) {
		r = pz_aws_run_until(c, &w.finished);
		if (r && !w.finished)
			return r;
	}
	if (w.rc) {
		/* The callback set the thread's error; keep it. */
		pz_error_save(&saved);
		pz_promote_decision_release(d);
		r = pz_error_restore(&saved);
		pz_error_release(&saved);
		return r;
	}
	return 0;
}

/* --- the state ----------------------------------------------------------- */

void pz_promote_record(struct pz_state_resource *r,
		       const struct pz_promote_gate *g,
		       const struct pz_promote_decision *d)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "decision",
				d->promote ? "promoted" : "kept");
	cJSON_AddStringToObject(p, "metric", g->metric);
	cJSON_AddNumberToObject(p, "minDelta", g->min_delta);
	pz_json_add_str_or_null(p, "newVersion", d->new_arn);
	cJSON_AddNumberToObject(p, "newValue", d->new_value);
	pz_json_add_str_or_null(p, "oldVersion", d->old_arn);
	cJSON_AddNumberToObject(p, "oldValue", d->old_value);
	cJSON_AddStringToObject(p, "message", d->message);
	if (!r->meta)
		r->meta = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(r->meta, "promotion");
	cJSON_AddItemToObject(r->meta, "promotion", p);
}

bool pz_promote_kept(const struct pz_state_resource *r, const char *version_arn)
{
	const cJSON *p =
	    r ? cJSON_GetObjectItemCaseSensitive(r->meta, "promotion") : NULL;
	const cJSON *dec = cJSON_GetObjectItemCaseSensitive(p, "decision");
	const cJSON *nv = cJSON_GetObjectItemCaseSensitive(p, "newVersion");

	return version_arn && cJSON_IsString(dec) &&
	       !strcmp(dec->valuestring, "kept") && cJSON_IsString(nv) &&
	       !strcmp(nv->valuestring, version_arn);
}

/* --- during apply --------------------------------------------------------- */

struct gate {
	char *address, *arn; /* the campaign */
	struct pz_promote_gate g;
	char *metric, *delta_text;
};

struct pz_promote_gates {
	struct gate *gates;
	size_t n;
	struct pz_state *st;
	/* decisions, in order */
	struct pz_promote_decision *made;
	char **made_address;
	size_t nmade, made_cap;
};

struct pz_promote_gates *pz_promote_gates_new(const struct pz_plan *plan,
					      struct pz_state *st)
{
	struct pz_promote_gates *g = pz_xcalloc(1, sizeof(*g));
	size_t i;

	g->st = st;
	for (i = 0; plan && i < plan->n; i++) {
		const struct pz_change *c = &plan->changes[i];
		const cJSON *p =
		    cJSON_GetObjectItemCaseSensitive(c->meta, "promote");
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(p, "metric");
		const cJSON *d =
		    cJSON_GetObjectItemCaseSensitive(p, "minDelta");
		struct gate *x;

		if (strcmp(c->type, "campaign") || !c->arn ||
		    !cJSON_IsString(m))
			continue;
		g->gates =
		    pz_xreallocarray(g->gates, g->n + 1, sizeof(*g->gates));
		x = &g->gates[g->n++];
		memset(x, 0, sizeof(*x));
		x->address = pz_xstrdup(c->address);
		x->arn = pz_xstrdup(c->arn);
		x->metric = pz_xstrdup(m->valuestring);
		x->g.metric = x->metric;
		x->g.item_updates = cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(p, "itemUpdates"));
		if (cJSON_IsNumber(d)) {
			x->g.min_delta = d->valuedouble;
			x->delta_text = pz_xasprintf("%g", d->valuedouble);
			x->g.min_delta_text = x->delta_text;
		}
	}
	return g;
}

void pz_promote_gates_free(struct pz_promote_gates *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->n; i++) {
		free(g->gates[i].address);
		free(g->gates[i].arn);
		free(g->gates[i].metric);
		free(g->gates[i].delta_text);
	}
	for (i = 0; i < g->nmade; i++) {
		pz_promote_decision_release(&g->made[i]);
		free(g->made_address[i]);
	}
	free(g->gates);
	free(g->made);
	free(g->made_address);
	free(g);
}

static struct gate *gate_of(const struct pz_promote_gates *g, const char *arn)
{
	size_t i;

	for (i = 0; g && arn && i < g->n; i++)
		if (!strcmp(g->gates[i].arn, arn))
			return &g->gates[i];
	return NULL;
}

static const char *version_of(const cJSON *attrs)
{
	const cJSON *v =
	    cJSON_GetObjectItemCaseSensitive(attrs, "solutionVersionArn");

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool pz_promote_gates_applies(const struct pz_promote_gates *g,
			      const char *campaign_arn, const cJSON *before,
			      const cJSON *after)
{
	const char *was = version_of(before), *now = version_of(after);

	return gate_of(g, campaign_arn) && was && now && strcmp(was, now);
}

struct gated {
	struct pz_promote_gates *gs;
	struct gate *gate;
	cJSON *after;
	pz_promote_go go;
	void *ud;
};

static void on_gate(void *ud, int rc, const char *msg,
		    const struct pz_promote_decision *d)
{
	struct gated *x = ud;
	struct pz_promote_gates *gs = x->gs;
	struct pz_promote_decision *keep;
	struct pz_state_resource *r;

	if (rc) {
		x->go(x->ud, rc, msg, NULL);
		goto out;
	}
	PZ_GROW(gs->made, gs->nmade, gs->made_cap);
	gs->made_address = pz_xreallocarray(gs->made_address, gs->made_cap,
					    sizeof(*gs->made_address));
	keep = &gs->made[gs->nmade];
	memset(keep, 0, sizeof(*keep));
	keep->promote = d->promote;
	keep->new_value = d->new_value;
	keep->old_value = d->old_value;
	keep->new_arn = d->new_arn ? pz_xstrdup(d->new_arn) : NULL;
	keep->old_arn = d->old_arn ? pz_xstrdup(d->old_arn) : NULL;
	keep->message = pz_xstrdup(d->message);
	gs->made_address[gs->nmade++] = pz_xstrdup(x->gate->address);
	r = gs->st ? pz_state_find(gs->st, x->gate->address) : NULL;
	pz_error_clear();
	if (r)
		pz_promote_record(r, &x->gate->g, d);
	if (!d->promote && d->old_arn) {
		cJSON_DeleteItemFromObjectCaseSensitive(x->after,
							"solutionVersionArn");
		cJSON_AddStringToObject(x->after, "solutionVersionArn",
					d->old_arn);
	}
	x->go(x->ud, 0, NULL, x->after);
out:
	cJSON_Delete(x->after);
	free(x);
}

int pz_promote_gates_decide(struct pz_promote_gates *g, struct pz_aws_client *c,
			    const char *campaign_arn, const cJSON *before,
			    const cJSON *after, pz_promote_go go, void *ud)
{
	struct gated *x = pz_xcalloc(1, sizeof(*x));
	int r;

	x->gs = g;
	x->gate = gate_of(g, campaign_arn);
	x->after = cJSON_Duplicate(after, 1);
	x->go = go;
	x->ud = ud;
	if (!x->gate)
		PZ_BUG("no gate for %s", campaign_arn);
	r = pz_promote_decide_submit(c, x->gate->address, &x->gate->g,
				     version_of(before), version_of(after),
				     on_gate, x);
	if (r) {
		cJSON_Delete(x->after);
		free(x);
	}
	return r;
}

void pz_promote_gates_settle(struct pz_promote_gates *g, struct pz_state *st)
{
	size_t i;

	for (i = 0; g && st && i < g->nmade; i++) {
		const struct pz_promote_decision *d = &g->made[i];
		struct pz_state_resource *r =
		    pz_state_find(st, g->made_address[i]);
		const char *v = r ? version_of(r->attributes) : NULL;

		pz_error_clear();
		if (!r || d->promote || !d->old_arn || !v ||
		    strcmp(v, d->new_arn ? d->new_arn : ""))
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(r->attributes,
							"solutionVersionArn");
		cJSON_AddStringToObject(r->attributes, "solutionVersionArn",
					d->old_arn);
	}
}

size_t pz_promote_gates_count(const struct pz_promote_gates *g)
{
	return g ? g->nmade : 0;
}

const struct pz_promote_decision *
pz_promote_gates_get(const struct pz_promote_gates *g, size_t i,
		     const char **address)
{
	if (!g || i >= g->nmade)
		return NULL;
	if (address)
		*address = g->made_address[i];
	return &g->made[i];
}
