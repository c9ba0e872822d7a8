/*
 * exec.c - runs a plan's operation graph (exec.h).
 */
#include "exec.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "facts.h"
#include "provider.h"
#include "unknown.h"

enum xstate {
	X_WAIT,
	X_RUNNING,
	X_DONE,
	X_FAILED,
	X_SKIPPED,
	X_LEFT,
	X_QUEUED
};

struct exec;

struct xop {
	struct exec *x;
	size_t i;
	enum xstate state;
	double t0;	   /* when it started (monotonic seconds) */
	double next_still; /* when to say "still ..." next */
	char *arn;	   /* the resource it works on */
	bool failed_there; /* the service said its creation failed */
	double due;	   /* the next read (monotonic seconds) */
	double queued_at;  /* when a full quota first refused it, or 0 */
	unsigned queued;   /* how many times */
	/* A create's ARN recorded before the call: what the record was
	 * before (NULL: none), put back if the service refuses it. */
	bool intent;
	struct pz_state *before;
};

struct exec {
	const struct pz_plan *plan;
	struct pz_state *st;
	const struct pz_runtime *rt;
	const struct pz_exec_opts *o;
	struct pz_exec_summary *sum;
	struct xop *ops;
	size_t running, parallelism;
	int save_error;
	bool stopped;
};

void pz_rt_result_release(struct pz_rt_result *r)
{
	free(r->message);
	free(r->code);
	free(r->arn);
	free(r->status_text);
	free(r->reason);
	memset(r, 0, sizeof(*r));
}

static long long wall(const struct exec *x)
{
	return x->o->now ? x->o->now : pz_now();
}

static const struct pz_change *change_of(const struct xop *xo)
{
	return &xo->x->plan->changes[xo->x->plan->ops[xo->i].change];
}

static void emit(struct xop *xo, enum pz_exec_event_kind kind, const char *arn,
		 const char *message)
{
	struct pz_exec_event ev;

	if (!xo->x->o->event)
		return;
	ev.kind = kind;
	ev.plan = xo->x->plan;
	ev.op = xo->i;
	ev.elapsed = xo->t0 ? pz_mono() - xo->t0 : 0;
	ev.arn = arn;
	ev.message = message;
	xo->x->o->event(xo->x->o->ud, &ev);
}

static void save(struct exec *x)
{
	int r;

	if (!x->o->save)
		return;
	if ((r = x->o->save(x->o->ud, x->st)) && !x->save_error)
		x->save_error = r;
}

/* The ARN a resource has now, from what this run and earlier ones
 * recorded. */
static const char *resolve(void *ud, const char *address)
{
	struct exec *x = ud;
	const struct pz_state_resource *r = pz_state_find(x->st, address);

	return r ? r->arn : NULL;
}

/* The create request: the members of its input shape, every value
 * known only after apply resolved (an error naming the member when one
 * is not). */
static int create_body(struct exec *x, const struct pz_rtype *t,
		       const struct pz_change *c, cJSON **out)
{
	const struct pz_operation *op = pz_facts_operation(t->create_op);
	const struct pz_shape *in = op ? pz_facts_shape(op->input) : NULL;
	cJSON *all, *body, *m;
	int r;

	if ((r = pz_unknown_resolved(out, c->after, resolve, x)))
		return r;
	all = *out;
	if (!in || !all)
		return 0;
	body = cJSON_CreateObject();
	while ((m = all->child)) {
		cJSON_DetachItemViaPointer(all, m);
		if (pz_facts_member(in, m->string))
			cJSON_AddItemToObject(body, m->string, m);
		else
			cJSON_Delete(m);
	}
	cJSON_Delete(all);
	*out = body;
	return 0;
}

static void start_ready(struct exec *x);

static void finish(struct xop *xo, const char *arn)
{
	struct exec *x = xo->x;
	const struct pz_op *op = &x->plan->ops[xo->i];

	xo->state = X_DONE;
	x->running--;
	switch (op->kind) {
	case PZ_OP_CREATE: x->sum->added++; break;
	case PZ_OP_UPDATE: x->sum->changed++; break;
	case PZ_OP_DELETE:
	case PZ_OP_FORGET: x->sum->destroyed++; break;
	case PZ_OP_AWAIT: break; /* counted by the run that started it */
	}
	emit(xo, PZ_EXEC_DONE, arn, NULL);
}

static void fail(struct xop *xo, const char *message)
{
	struct exec *x = xo->x;
	const struct pz_change *c = change_of(xo);
	struct pz_state_resource *r = pz_state_find(x->st, c->address);

	xo->state = X_FAILED;
	x->running--;
	x->sum->failed++;
	/* A resource whose creation failed is replaced next time (not one
	 * that is only slow, or whose call was refused). */
	if (r && xo->failed_there &&
	    (x->plan->ops[xo->i].kind == PZ_OP_CREATE ||
	     x->plan->ops[xo->i].kind == PZ_OP_AWAIT)) {
		r->tainted = true;
		save(x);
	}
	emit(xo, PZ_EXEC_FAILED, NULL, message);
}

/* pz_plan_record for the operation, then saved; a value that does not
 * resolve fails the operation (start() resolved them all before the
 * call, so only a bug gets here). */
static bool record(struct xop *xo, const char *arn, const char *status)
{
	struct exec *x = xo->x;

	if (pz_plan_record(x->st, change_of(xo), arn, status, resolve, x,
			   wall(x))) {
		fail(xo, pz_error_last());
		return false;
	}
	save(x);
	return true;
}

#define TICK_MS 250

static void poll_later(struct xop *xo);
static void tick(void *ud);
static void start_ready(struct exec *x);

static bool stopping(const struct exec *x)
{
	return x->o->stop && *x->o->stop;
}

/* A stop while waiting: the operation goes on in AWS, recorded as it
 * is; the next plan sees where it stands. */
static void leave(struct xop *xo)
{
	struct exec *x = xo->x;

	xo->state = X_LEFT;
	x->running--;
	x->sum->left++;
	x->stopped = true;
	emit(xo, PZ_EXEC_LEFT, xo->arn, NULL);
}

/* Gave up waiting: the operation goes on in AWS, and the next plan
 * sees where it stands. */
static bool timed_out(struct xop *xo)
{
	const struct pz_rtype *t = pz_rtype_find(change_of(xo)->type);
	long limit = t && t->wait_timeout_s ? t->wait_timeout_s : 3600;
	double el = pz_mono() - xo->t0;
	char *m;

	if (el < (double)limit)
		return false;
	m = pz_xasprintf("still not settled after %lds, pz's limit for a %s; "
			 "it goes on in AWS, and the next plan shows where "
			 "it stands",
			 limit, t ? t->label : "resource");
	fail(xo, m);
	free(m);
	return true;
}

static void on_read(void *ud, const struct pz_rt_result *res)
{
	struct xop *xo = ud;
	struct exec *x = xo->x;
	const struct pz_change *c = change_of(xo);
	const struct pz_op *op = &x->plan->ops[xo->i];
	bool deleting = op->kind == PZ_OP_DELETE;

	if (res->rc && res->rc != PZ_ENOTFOUND) {
		fail(xo, res->message ? res->message : "reading it failed");
		goto next;
	}
	if (deleting) {
		if (res->rc == PZ_ENOTFOUND || res->status == PZ_RT_GONE) {
			/* A create-first replacement's record already holds
			 * the new resource. */
			if (!(c->action == PZ_ACTION_REPLACE &&
			      c->create_first)) {
				pz_state_remove(x->st, c->address);
				pz_error_clear();
				save(x);
			}
			finish(xo, NULL);
		} else if (res->status == PZ_RT_FAILED) {
			char *m = pz_xasprintf("deleting it failed: %s",
					       res->reason ? res->reason
							   : "no reason given");

			fail(xo, m);
			free(m);
		} else {
			if (timed_out(xo))
				goto next;
			poll_later(xo);
			return;
		}
		goto next;
	}
	if (res->rc == PZ_ENOTFOUND || res->status == PZ_RT_GONE) {
		fail(xo, "it disappeared while pz waited for it");
	} else if (res->status == PZ_RT_FAILED) {
		char *m;

		xo->failed_there = true;
		m = pz_xasprintf(
		    "%s%s%s", res->status_text ? res->status_text : "FAILED",
		    res->reason ? ": " : "", res->reason ? res->reason : "");

		fail(xo, m);
		free(m);
	} else if (res->status == PZ_RT_DONE && op->kind == PZ_OP_AWAIT) {
		/* Recorded in full when it was created: now it is done. */
		struct pz_state_resource *r = pz_state_find(x->st, c->address);

		if (r) {
			free(r->status);
			r->status = pz_xstrdup("ACTIVE");
			save(x);
		}
		finish(xo, xo->arn);
	} else if (res->status == PZ_RT_DONE) {
		if (record(xo, xo->arn, "ACTIVE"))
			finish(xo, xo->arn);
	} else {
		if (timed_out(xo))
			goto next;
		poll_later(xo);
		return;
	}
next:
	start_ready(x);
}

static void poll_now(struct xop *xo)
{
	struct exec *x = xo->x;
	const struct pz_rtype *t = pz_rtype_find(change_of(xo)->type);
	int r = x->rt->read(x->rt->impl, t, xo->arn, on_read, xo);

	if (r) {
		fail(xo, pz_error_last());
		start_ready(x);
	}
}

/* clamp(elapsed / 10, min, max): quick for quick resources, at most
 * one read every max for slow ones (DESIGN.md §8). */
static void poll_later(struct xop *xo)
{
	struct exec *x = xo->x;
	double el = pz_mono() - xo->t0;
	long lo = x->o->poll_min_ms > 0 ? x->o->poll_min_ms : 1000;
	long hi = x->o->poll_max_ms > 0 ? x->o->poll_max_ms : 30000;
	long ms = (long)(el * 1000.0 / 10.0);

	if (ms < lo)
		ms = lo;
	if (ms > hi)
		ms = hi < lo ? lo : hi;
	if (stopping(x)) {
		leave(xo);
		start_ready(x);
		return;
	}
	if (el >= xo->next_still) {
		if (xo->next_still > 0)
			emit(xo, PZ_EXEC_STILL, NULL, NULL);
		while (xo->next_still <= el)
			xo->next_still += 10;
	}
	xo->due = pz_mono() + (double)ms / 1000.0;
	x->rt->timer(x->rt->impl, ms < TICK_MS ? ms : TICK_MS, tick, xo);
}

/* Waits in steps of at most TICK_MS, so that a stop is seen at once
 * (the scheduler has no way to cancel a timer) and a 30 s wait does
 * not keep an interrupted run alive. */
static void tick(void *ud)
{
	struct xop *xo = ud;
	struct exec *x = xo->x;
	double left = xo->due - pz_mono();

	if (stopping(x)) {
		leave(xo);
		start_ready(x);
	} else if (left <= 0.0005) {
		poll_now(xo);
	} else {
		long ms = (long)(left * 1000.0 + 0.5);

		x->rt->timer(x->rt->impl, ms < TICK_MS ? ms : TICK_MS, tick,
			     xo);
	}
}

/* When to try again after a full quota refused the call: as polling,
 * by how long it has waited. */
static void requeue(void *ud)
{
	struct xop *xo = ud;

	if (xo->state != X_QUEUED)
		return;
	xo->state = X_WAIT;
	start_ready(xo->x);
}

/*
 * A quota that frees by itself (5 imports per region, 20 trainings)
 * refused the call, or the service said the resource or its parent is
 * busy with something outside the plan (the type's busy_waits: an
 * automatic training, an import started elsewhere): the operation goes
 * back to waiting and is tried again when it may have freed, up to the
 * type's wait limit. True when queued.
 */
static bool queue_full(struct xop *xo, const struct pz_rt_result *res)
{
	struct exec *x = xo->x;
	const struct pz_rtype *t = pz_rtype_find(change_of(xo)->type);
	long limit = t && t->wait_timeout_s ? t->wait_timeout_s : 3600;
	long lo = x->o->poll_min_ms > 0 ? x->o->poll_min_ms : 1000;
	long hi = x->o->poll_max_ms > 0 ? x->o->poll_max_ms : 30000;
	double now = pz_mono();
	enum pz_op_kind k = x->plan->ops[xo->i].kind;
	bool busy = res->code && !strcmp(res->code, "ResourceInUseException") &&
		    t &&
		    ((t->busy_waits & PZ_BUSY_CREATE && k == PZ_OP_CREATE) ||
		     (t->busy_waits & PZ_BUSY_DELETE && k == PZ_OP_DELETE));
	long ms;
	char *m;

	if (stopping(x) || !res->code)
		return false;
	/* A count per dataset group (one event tracker, ten filters)
	 * frees only when something is deleted: an error, not a queue,
	 * unless the type also counts against a quota that frees by
	 * itself (quota_frees). */
	if (!busy && (strcmp(res->code, "LimitExceededException") ||
		      (t && t->group_quota && !t->quota_frees)))
		return false;
	if (!xo->queued_at)
		xo->queued_at = now;
	if (now - xo->queued_at >= (double)limit)
		return false;
	ms = (long)((now - xo->queued_at) * 1000.0 / 10.0);
	ms = ms < lo ? lo : ms > hi ? (hi < lo ? lo : hi) : ms;
	xo->state = X_QUEUED;
	x->running--;
	if (xo->queued++ == 0) {
		m = pz_xasprintf(
		    busy ? "the service says it is busy (%s): something "
			   "outside this plan runs on it; pz tries again as "
			   "it settles"
			 : "a quota is full (%s); pz tries again as slots free",
		    res->message ? res->message : res->code);
		emit(xo, PZ_EXEC_QUEUED, NULL, m);
		free(m);
	}
	x->rt->timer(x->rt->impl, ms, requeue, xo);
	return true;
}

/* The service refused a create whose ARN was recorded before the
 * call: the record is put back as it was. */
static void undo_intent(struct xop *xo)
{
	struct exec *x = xo->x;
	const struct pz_change *c = change_of(xo);

	if (!xo->intent)
		return;
	xo->intent = false;
	if (xo->before && xo->before->n)
		pz_state_put_copy(x->st, &xo->before->resources[0]);
	else if (pz_state_find(x->st, c->address))
		pz_state_remove(x->st, c->address);
	pz_state_free(xo->before);
	xo->before = NULL;
	free(xo->arn);
	xo->arn = NULL;
	save(x);
}

static void on_created(void *ud, const struct pz_rt_result *res)
{
	struct xop *xo = ud;
	struct exec *x = xo->x;

	/* Refused by the service (it answered with an error code): nothing
	 * was made, or what exists is not ours. Never sent (no connection,
	 * no credentials): nothing was made. Without an answer (a lost
	 * connection, an interrupt), or when an attempt before the refusal
	 * may have made it, the record stays for the next refresh to
	 * settle, and the create is not tried again in this run. */
	if (res->rc && !res->maybe_made && (res->code || res->unsent))
		undo_intent(xo);
	if (!res->maybe_made && queue_full(xo, res)) {
		start_ready(x);
		return;
	}
	if (res->rc) {
		char *m = pz_xasprintf(
		    "%s%s", res->message ? res->message : "the call failed",
		    res->maybe_made && res->code
			? " (an earlier attempt got no answer, or a server "
			  "error, and may have made it: the next plan looks "
			  "for it)"
			: "");

		fail(xo, m);
		free(m);
		start_ready(x);
		return;
	}
	xo->intent = false;
	pz_state_free(xo->before);
	xo->before = NULL;
	free(xo->arn);
	xo->arn = pz_xstrdup(res->arn);
	/* Recorded before waiting: an interrupt leaves nothing untracked. */
	if (record(xo, xo->arn, "CREATE PENDING"))
		poll_later(xo);
	else
		start_ready(x);
}

static void on_changed(void *ud, const struct pz_rt_result *res)
{
	struct xop *xo = ud;
	struct exec *x = xo->x;

	if (res->rc == PZ_ENOTFOUND &&
	    x->plan->ops[xo->i].kind == PZ_OP_DELETE) {
		/* Already gone: the same as deleted. */
		on_read(ud, res);
		return;
	}
	if (queue_full(xo, res)) {
		start_ready(x);
		return;
	}
	if (res->rc) {
		fail(xo, res->message ? res->message : "the call failed");
		start_ready(x);
		return;
	}
	poll_later(xo);
}

static void start(struct exec *x, struct xop *xo)
{
	const struct pz_op *op = &x->plan->ops[xo->i];
	const struct pz_change *c = change_of(xo);
	const struct pz_rtype *t = pz_rtype_find(c->type);
	cJSON *body;
	int r = 0;

	xo->state = X_RUNNING;
	x->running++;
	xo->t0 = pz_mono();
	/* Tried again after a full quota: said once, when queued. */
	if (!xo->queued) {
		xo->next_still = 0;
		emit(xo, PZ_EXEC_START, NULL, NULL);
	}
	if (!t) {
		fail(xo, "pz does not know this resource type");
		return;
	}
	switch (op->kind) {
	case PZ_OP_FORGET:
		if (!(c->action == PZ_ACTION_REPLACE && c->create_first)) {
			pz_state_remove(x->st, c->address);
			pz_error_clear();
		}
		save(x);
		finish(xo, NULL);
		return;
	case PZ_OP_CREATE:
		/* A value still unknown is an error, never a null sent to
		 * the service. */
		if (create_body(x, t, c, &body)) {
			fail(xo, pz_error_last());
			return;
		}
		if (x->rt->arn_of && !xo->arn &&
		    (xo->arn = x->rt->arn_of(x->rt->impl, t, body))) {
			/* Recorded before the call: a run killed before
			 * the answer leaves a record the next refresh
			 * checks, never a resource nobody tracks. */
			const struct pz_state_resource *old =
			    pz_state_find(x->st, c->address);

			pz_state_free(xo->before);
			xo->before = NULL;
			if (old) {
				if (pz_state_new(&xo->before))
					PZ_BUG("%s", pz_error_last());
				pz_state_put_copy(xo->before, old);
			}
			xo->intent = true;
			if (!record(xo, xo->arn, "CREATE REQUESTED")) {
				cJSON_Delete(body);
				return;
			}
		} else if (!xo->arn && !pz_state_find(x->st, c->address)) {
			/* Its ARN comes only with the answer: the record
			 * still says that pz asked, so that what a stopped
			 * run made is adopted, not called someone else's. */
			xo->intent = true;
			if (!record(xo, NULL, "CREATE REQUESTED")) {
				cJSON_Delete(body);
				return;
			}
		}
		r = x->rt->create(x->rt->impl, t, body, on_created, xo);
		cJSON_Delete(body);
		if (r && xo->intent) {
			/* Not sent: nothing was made. */
			struct pz_error e = {0};

			pz_error_save(&e);
			undo_intent(xo);
			pz_error_restore(&e);
			pz_error_release(&e);
		}
		break;
	case PZ_OP_UPDATE:
		free(xo->arn); /* tried again after a queue */
		xo->arn = pz_xstrdup(c->arn ? c->arn : "");
		if (pz_unknown_resolved(&body, c->after, resolve, x)) {
			fail(xo, pz_error_last());
			return;
		}
		r = x->rt->update(x->rt->impl, t, xo->arn, c->before, body,
				  c->retry ? PZ_RT_RESEND : 0, on_changed, xo);
		cJSON_Delete(body);
		break;
	case PZ_OP_DELETE:
		free(xo->arn); /* tried again after a queue */
		xo->arn = pz_xstrdup(c->arn ? c->arn : "");
		r = x->rt->remove(x->rt->impl, t, xo->arn, on_changed, xo);
		break;
	case PZ_OP_AWAIT:
		/* Started by an earlier run: only the wait is left. */
		free(xo->arn); /* tried again after a queue */
		xo->arn = pz_xstrdup(c->arn ? c->arn : "");
		poll_later(xo);
		return;
	}
	if (r)
		fail(xo, pz_error_last());
}

/* Starts what is ready, skips what can no longer run. */
static void start_ready(struct exec *x)
{
	bool progress = true;
	size_t i, k;

	while (progress) {
		progress = false;
		for (i = 0; i < x->plan->nops; i++) {
			struct xop *xo = &x->ops[i];
			const struct pz_op *op = &x->plan->ops[i];
			bool ready = true, doomed = false;

			if (xo->state != X_WAIT)
				continue;
			for (k = 0; k < op->nafter; k++) {
				enum xstate s = x->ops[op->after[k]].state;

				ready &= s == X_DONE;
				doomed |= s == X_FAILED || s == X_SKIPPED;
			}
			if (doomed) {
				xo->state = X_SKIPPED;
				x->sum->skipped++;
				emit(xo, PZ_EXEC_SKIPPED, NULL, NULL);
				progress = true;
				continue;
			}
			if (!ready || x->running >= x->parallelism)
				continue;
			if (x->save_error || (x->o->stop && *x->o->stop)) {
				x->stopped = true;
				continue;
			}
			start(x, xo);
			progress = true;
		}
	}
}

int pz_exec_run(const struct pz_plan *plan, struct pz_state *st,
		const struct pz_runtime *rt, const struct pz_exec_opts *opts,
		struct pz_exec_summary *sum)
{
	struct exec x;
	size_t i;
	int r;

	memset(sum, 0, sizeof(*sum));
	memset(&x, 0, sizeof(x));
	x.plan = plan;
	x.st = st;
	x.rt = rt;
	x.o = opts;
	x.sum = sum;
	x.parallelism = opts->parallelism ? opts->parallelism : 10;
	x.ops = pz_xcalloc(plan->nops + 1, sizeof(*x.ops));
	for (i = 0; i < plan->nops; i++) {
		x.ops[i].x = &x;
		x.ops[i].i = i;
	}
	start_ready(&x);
	r = rt->run(rt->impl);
	for (i = 0; i < plan->nops; i++) {
		if (x.ops[i].state == X_WAIT || x.ops[i].state == X_QUEUED)
			sum->not_started++;
		free(x.ops[i].arn);
		pz_state_free(x.ops[i].before);
	}
	free(x.ops);
	if (x.save_error)
		return x.save_error;
	if (r)
		return r;
	if (x.stopped || (opts->stop && *opts->stop && sum->not_started))
		return pz_error_set(PZ_EINTR,
				    "interrupted: %zu operation%s "
				    "not started",
				    sum->not_started,
				    sum->not_started == 1 ? "" : "s");
	if (sum->failed || sum->skipped)
		return pz_error_set(PZ_ERR,
				    "%zu operation%s failed, %zu "
				    "skipped",
				    sum->failed, sum->failed == 1 ? "" : "s",
				    sum->skipped);
	return 0;
}
