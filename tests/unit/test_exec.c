/*
 * test_exec.c - the executor (core/exec.h) on a scripted runtime, with
 * no network and no clock: operations start only after those they wait
 * for, at most `parallelism` at once; a failure taints its resource
 * and skips what waits for it while independent work finishes; a stop
 * starts nothing new, and one while waiting leaves the wait (the
 * resource goes on, recorded); a full quota queues the operation until
 * it is accepted; the state holds each ARN before its wait, and a
 * derivable ARN before the create call itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/exec.h"
#include "core/plan.h"
#include "core/provider.h"
#include "providers/personalize/personalize.h"
#include "fixtures.h"

/* clang-format off */
static const char spec_text[] =
    "datasetGroup: {name: demo}\n"
    "datasets:\n"
    PZ_TEST_INTERACTIONS("inter")
    "eventTracker: {name: tracker}\n"
    "filters:\n"
    "  - {name: f, filterExpression: 'EXCLUDE ItemID WHERE "
    "Interactions.EVENT_TYPE IN (\"x\")'}\n";
/* clang-format on */

/* The scripted service: every call completes on the next turn of run(),
 * resources are ACTIVE on their first read, except those of fail_type,
 * which are CREATE FAILED. */
struct fake {
	struct job {
		void (*fn)(void *);
		void *ud;
	} q[256];
	size_t head, tail;
	size_t in_flight, max_in_flight;
	const char *fail_type;
	int arns;
	char log[4096];
	struct pz_state *st; /* to check what was recorded before waits */
	char removed[4096];  /* ARNs deleted, each followed by ';' */
	bool arn_recorded_before_read;
	volatile int *stop_on_create; /* set to 1 by the first create */
	int full_quota;		      /* creates refused as over quota */
	bool quota_maybe_made;	      /* after an attempt that got no answer */
	const char *quota_type;	      /* only its creates, when set */
	bool derive;		      /* arn_of says the ARN beforehand */
	int creates_with_intent;      /* creates whose ARN was recorded */
	const char *refuse_type;      /* creates of it refused by the service */
	const char *busy_type; /* its creates and deletes: ResourceInUse */
	int busy;	       /* that many times */
	const char *lost_type; /* its creates end with no answer: */
	bool lost_unsent;      /* never sent (no connection), or lost */
	const char *unsubmitted_type; /* its creates fail before the call */
};

struct pending {
	struct fake *f;
	pz_rt_done done;
	void *ud;
	struct pz_rt_result res;
};

static void push(struct fake *f, void (*fn)(void *), void *ud)
{
	assert_true(f->tail - f->head < 256);
	f->q[f->tail++ % 256] = (struct job){fn, ud};
}

static void deliver(void *p)
{
	struct pending *pe = p;

	pe->f->in_flight--;
	pe->done(pe->ud, &pe->res);
	pz_rt_result_release(&pe->res);
	free(pe);
}

static struct pending *call(struct fake *f, pz_rt_done done, void *ud)
{
	struct pending *pe = calloc(1, sizeof(*pe));

	pe->f = f;
	pe->done = done;
	pe->ud = ud;
	if (++f->in_flight > f->max_in_flight)
		f->max_in_flight = f->in_flight;
	push(f, deliver, pe);
	return pe;
}

static uint64_t f_timer(void *impl, long ms, void (*fn)(void *), void *ud)
{
	(void)ms;
	push(impl, fn, ud);
	return 1;
}

static int f_run(void *impl)
{
	struct fake *f = impl;

	while (f->head < f->tail) {
		struct job j = f->q[f->head++ % 256];

		j.fn(j.ud);
	}
	return 0;
}

static void logf_(struct fake *f, const char *what, const struct pz_rtype *t)
{
	size_t n = strlen(f->log);

	snprintf(f->log + n, sizeof(f->log) - n, "%s %s;", what, t->name);
}

/* The service busy with something else (ResourceInUseException). */
static bool busy(struct fake *f, const struct pz_rtype *t, struct pending *pe)
{
	if (!f->busy_type || strcmp(t->name, f->busy_type) || f->busy <= 0)
		return false;
	f->busy--;
	pe->res.rc = PZ_EAWS;
	pe->res.code = pz_xstrdup("ResourceInUseException");
	pe->res.message = pz_xstrdup("an import job is running");
	return true;
}

static int f_create(void *impl, const struct pz_rtype *t, const cJSON *body,
		    pz_rt_done done, void *ud)
{
	struct fake *f = impl;
	struct pending *pe;
	size_t i;

	(void)body;
	if (f->unsubmitted_type && !strcmp(t->name, f->unsubmitted_type))
		return pz_error_set(PZ_EAUTH, "no credentials");
	pe = call(f, done, ud);
	logf_(f, "create", t);
	if (f->lost_type && !strcmp(t->name, f->lost_type)) {
		pe->res.rc = PZ_ENET;
		pe->res.unsent = f->lost_unsent;
		pe->res.message = pz_xstrdup("cannot reach the service");
		return 0;
	}
	if (f->stop_on_create)
		*f->stop_on_create = 1;
	if (f->full_quota > 0 &&
	    (!f->quota_type || !strcmp(t->name, f->quota_type))) {
		f->full_quota--;
		pe->res.rc = PZ_EAWS;
		pe->res.maybe_made = f->quota_maybe_made;
		pe->res.code = pz_xstrdup("LimitExceededException");
		pe->res.message = pz_xstrdup("5 imports at most");
		return 0;
	}
	if (busy(f, t, pe))
		return 0;
	if (f->refuse_type && !strcmp(t->name, f->refuse_type)) {
		pe->res.rc = PZ_EINVAL;
		pe->res.code = pz_xstrdup("InvalidInputException");
		pe->res.message = pz_xstrdup("refused");
		return 0;
	}
	if (f->derive) {
		char *want = pz_xasprintf("arn:derived:%s", t->name);

		for (i = 0; i < f->st->n; i++)
			if (f->st->resources[i].arn &&
			    !strcmp(f->st->resources[i].arn, want) &&
			    !strcmp(f->st->resources[i].status,
				    "CREATE REQUESTED"))
				f->creates_with_intent++;
		pe->res.arn = want;
		return 0;
	}
	pe->res.arn = pz_xasprintf("arn:test:%s/%d", t->name, ++f->arns);
	return 0;
}

static char *f_arn_of(void *impl, const struct pz_rtype *t, const cJSON *body)
{
	struct fake *f = impl;

	(void)body;
	return f->derive ? pz_xasprintf("arn:derived:%s", t->name) : NULL;
}

static int f_update(void *impl, const struct pz_rtype *t, const char *arn,
		    const cJSON *before, const cJSON *after, unsigned flags,
		    pz_rt_done done, void *ud)
{
	(void)arn;
	(void)before;
	(void)after;
	(void)flags;
	logf_(impl, "update", t);
	call(impl, done, ud);
	return 0;
}

static int f_remove(void *impl, const struct pz_rtype *t, const char *arn,
		    pz_rt_done done, void *ud)
{
	struct fake *f = impl;
	size_t n = strlen(f->removed);

	struct pending *pe;

	logf_(impl, "delete", t);
	pe = call(impl, done, ud);
	if (busy(f, t, pe))
		return 0;
	snprintf(f->removed + n, sizeof(f->removed) - n, "%s;", arn);
	return 0;
}

static int f_read(void *impl, const struct pz_rtype *t, const char *arn,
		  pz_rt_done done, void *ud)
{
	struct fake *f = impl;
	struct pending *pe = call(f, done, ud);
	char key[256];
	size_t i;

	/* What apply reads must already be in the state. */
	for (i = 0; i < f->st->n; i++)
		if (f->st->resources[i].arn &&
		    !strcmp(f->st->resources[i].arn, arn))
			f->arn_recorded_before_read = true;
	pe->res.status = PZ_RT_DONE;
	snprintf(key, sizeof(key), "%s;", arn);
	if (strstr(f->removed, key))
		pe->res.status = PZ_RT_GONE;
	else if (f->fail_type && !strcmp(t->name, f->fail_type)) {
		pe->res.status = PZ_RT_FAILED;
		pe->res.status_text = pz_xstrdup("CREATE FAILED");
		pe->res.reason = pz_xstrdup("scripted failure");
	}
	return 0;
}

static void runtime(struct pz_runtime *rt, struct fake *f)
{
	memset(rt, 0, sizeof(*rt));
	rt->impl = f;
	rt->timer = f_timer;
	rt->run = f_run;
	rt->create = f_create;
	rt->update = f_update;
	rt->remove = f_remove;
	rt->read = f_read;
	rt->arn_of = f_arn_of;
}

static struct pz_plan *plan_text(struct pz_spec **spec, const char *text,
				 struct pz_state *st, bool destroy)
{
	struct pz_plan *plan = NULL;
	struct pz_plan_opts o;
	struct pz_diags d;

	pz_personalize_register();
	pz_diags_init(&d);
	if (!*spec &&
	    pz_spec_load_text(spec, "t.yaml", text, strlen(text), NULL, 0, &d))
		fail_msg("spec: %s", d.n ? d.items[0].message : "?");
	memset(&o, 0, sizeof(o));
	o.destroy = destroy;
	assert_int_equal(pz_plan_make(&plan, *spec, st, NULL, NULL, &o, &d), 0);
	pz_diags_release(&d);
	return plan;
}

static struct pz_plan *plan_for(struct pz_spec **spec, struct pz_state *st,
				bool destroy)
{
	return plan_text(spec, spec_text, st, destroy);
}

struct seen {
	size_t done, failed, skipped, left, queued;
	char order[2048];
	char failure[256]; /* the last failure's message */
};

static void on_event(void *ud, const struct pz_exec_event *ev)
{
	struct seen *s = ud;
	const struct pz_op *op = &ev->plan->ops[ev->op];
	size_t n = strlen(s->order);

	if (ev->kind == PZ_EXEC_DONE) {
		s->done++;
		snprintf(s->order + n, sizeof(s->order) - n, "%s;",
			 ev->plan->changes[op->change].address);
	}
	s->failed += ev->kind == PZ_EXEC_FAILED;
	if (ev->kind == PZ_EXEC_FAILED && ev->message)
		snprintf(s->failure, sizeof(s->failure), "%s", ev->message);
	s->skipped += ev->kind == PZ_EXEC_SKIPPED;
	s->left += ev->kind == PZ_EXEC_LEFT;
	s->queued += ev->kind == PZ_EXEC_QUEUED;
}

static size_t pos(const char *order, const char *addr)
{
	const char *p = strstr(order, addr);

	assert_non_null(p);
	return (size_t)(p - order);
}

/* One executor run's fixtures: the scripted service wired to the
 * runtime, and the options reporting to seen. */
struct rig {
	struct fake f;
	struct seen s;
	struct pz_runtime rt;
	struct pz_exec_opts o;
};

static void rig_init(struct rig *g, struct pz_state *st)
{
	memset(g, 0, sizeof(*g));
	g->f.st = st;
	runtime(&g->rt, &g->f);
	g->o.event = on_event;
	g->o.ud = &g->s;
}

static void test_creates_in_order_then_destroys(void **state)
{
	struct pz_spec *spec = NULL;
	struct pz_state *st = NULL;
	struct pz_plan *plan;
	struct rig g;
	struct pz_exec_summary sum;

	(void)state;
	assert_int_equal(pz_state_new(&st), 0);
	plan = plan_for(&spec, st, false);
	rig_init(&g, st);
	g.o.parallelism = 2;
	assert_int_equal(pz_exec_run(plan, st, &g.rt, &g.o, &sum), 0);
	assert_int_equal(sum.added, plan->nops);
	assert_true(g.f.max_in_flight <= 2);
	assert_true(g.f.arn_recorded_before_read);
	/* Each after what it waits for. */
	assert_true(pos(g.s.order, "dataset_group.demo") <
		    pos(g.s.order, "dataset.Interactions"));
	assert_true(pos(g.s.order, "schema.Interactions") <
		    pos(g.s.order, "dataset.Interactions"));
	assert_true(pos(g.s.order, "dataset.Interactions") <
		    pos(g.s.order, "filter.f"));
	assert_non_null(pz_state_find(st, "event_tracker.tracker"));
	assert_string_equal(pz_state_find(st, "filter.f")->status, "ACTIVE");
	pz_plan_free(plan);

	/* The recorded state plans clean; destroying it empties it, the
	 * group last. */
	plan = plan_for(&spec, st, false);
	assert_false(pz_plan_has_changes(plan));
	pz_plan_free(plan);
	plan = plan_for(&spec, st, true);
	memset(&g.s, 0, sizeof(g.s));
	g.f.log[0] = '\0';
	assert_int_equal(pz_exec_run(plan, st, &g.rt, &g.o, &sum), 0);
	assert_int_equal(sum.destroyed, plan->nops);
	assert_int_equal(st->n, 0);
	assert_true(pos(g.s.order, "filter.f") < pos(g.s.order, "dataset."));
	assert_true(pos(g.s.order, "event_tracker.tracker") <
		    pos(g.s.order, "dataset.Interactions"));
	assert_true(pos(g.s.order, "dataset.Interactions") <
		    pos(g.s.order, "dataset_group.demo"));
	pz_plan_free(plan);
	pz_state_free(st);
	pz_spec_free(spec);
}

static void test_failure_taints_and_skips_dependents(void **state)
{
	struct pz_spec *spec = NULL;
	struct pz_state *st = NULL;
	struct pz_plan *plan;
	struct rig g;
	struct pz_exec_summary sum;

	(void)state;
	assert_int_equal(pz_state_new(&st), 0);
	plan = plan_for(&spec, st, false);
	rig_init(&g, st);
	g.f.fail_type = "dataset";
	assert_int_equal(pz_exec_run(plan, st, &g.rt, &g.o, &sum), PZ_ERR);
	assert_int_equal(sum.failed, 1);
	/* The filter needs the dataset; the schema, the group and the
	 * event tracker are done. */
	assert_int_equal(sum.skipped, 1);
	assert_non_null(pz_state_find(st, "event_tracker.tracker"));
	assert_int_equal(g.s.failed, 1);
	assert_int_equal(g.s.skipped, sum.skipped);
	assert_true(pz_state_find(st, "dataset.Interactions")->tainted);
	assert_null(pz_state_find(st, "filter.f"));
	assert_non_null(pz_state_find(st, "dataset_group.demo"));
	assert_non_null(strstr(pz_error_last(), "1 operation failed"));
	pz_plan_free(plan);
	/* The next plan replaces the tainted dataset. */
	plan = plan_for(&spec, st, false);
	{
		size_t i;
		bool replaced = false;

		for (i = 0; i < plan->n; i++)
			if (!strcmp(plan->changes[i].address,
				    "dataset.Interactions"))
				replaced = plan->changes[i].action ==
					   PZ_ACTION_REPLACE;
		assert_true(replaced);
	}
	pz_plan_free(plan);
	pz_state_free(st);
	pz_spec_free(spec);
}

static void test_stop_starts_nothing_new(void **state)
{
	struct pz_spec *spec = NULL;
	struct pz_state *st = NULL;
	struct pz_plan *plan;
	struct rig g;
	struct pz_exec_summary sum;
	volatile int stop = 1;

	(void)state;
	assert_int_equal(pz_state_new(&st), 0);
	plan = plan_for(&spec, st, false);
	rig_init(&g, st);
	g.o.stop = &stop;
	assert_int_equal(pz_exec_run(plan, st, &g.rt, &g.o, &sum), PZ_EINTR);
	assert_int_equal(sum.not_started, plan->nops);
	assert_int_equal(g.f.log[0], '\0');
	assert_int_equal(st->n, 0);
	pz_plan_free(plan);
	pz_state_free(st);
	pz_spec_free(spec);
}

/* A stop while a create waits: the wait ends at once, the resource is
 * recorded as it stands (it goes on in AWS), nothing else starts. */
static void test_stop_while_waiting_leaves_it_recorded(void **state)
{
	struct pz_spec *spec = NULL;
	struct pz_state *st = NULL;
	struct pz_plan *plan;
	struct rig g;
	struct pz_exec_summary sum;
	volatile int stop = 0;
	size_t i, pending = 0;

	(void)state;
	assert_int_equal(pz_state_new(&st), 0);
	plan = plan_for(&spec, st, false);
	rig_init(&g, st);
	g.f.stop_on_create = &stop;
	g.o.parallelism = 1;
	g.o.stop = &stop;
	assert_int_equal(pz_exec_run(plan, st, &g.rt, &g.o, &sum), PZ_EINTR);
	assert_int_equal(sum.left, 1);
	assert_int_equal(g.s.left, 1);
	assert_int_equal(sum.added, 0);
	assert_int_equal(sum.not_started, plan->nops - 1);
	/* Exactly one create was made, and it is in the state. */
	assert_int_equal(st->n, 1);
	for (i = 0; i < st->n; i++)
		pending += !strcmp(st->resources[i].status, "CREATE PENDING");
	assert_int_equal(pending, 1);
	pz_plan_free(plan);
	pz_state_free(st);
	pz_spec_free(spec);
}

/* LimitExceededException: the operation is queued, said once, and runs
 * when the quota lets it. */
static void test_full_quota_queues_then_runs(void **state)
{
	struct pz_spec *spec = NULL;
	struct pz_state *st = NULL;
	struct pz_plan *plan;
	struct rig g;
	struct pz_exec_summary sum;

	(void)state;
	assert_int_equal(pz_state_new(&st), 0);
	plan = plan_for(&spec, st, false);
	rig_init(&g, st);
	g.f.full_quota = 3;
	g.o.parallelism = 1;
	g.o.poll_min_ms = 1;
	g.o.poll_max_ms = 1;
	assert_int_equal(pz_exec_run(plan, st, &g.rt, &g.o, &sum), 0);
	assert_int_equal(sum.added, plan->nops);
	assert_int_equal(sum.failed, 0);
	/* Three refusals: the two creates ready at the start (the schema
	 * and the group) are queued, the first of them refused twice, and
	 * each is said once. */
	assert_int_equal(g.f.full_quota, 0);
	assert_int_equal(g.s.queued, 2);
	pz_plan_free(plan);
	pz_state_free(st);
	pz_spec_free(spec);
}

/* One LimitExceededException on a create of a type with a count per
 * dataset group; returns the run's status, *sum and *s filled. */
static int group_quota_run(const char *text, const char *type,
			   struct pz_exec_summary *sum, struct seen *s)
{
	struct pz_spec *spec = NULL;
	struct pz_state *st = NULL;
	struct pz_plan *plan;
	struct rig g;
	int r;

	assert_int_equal(pz_state_new(&st), 0);
	plan = plan_text(&spec, text, st, false);
	rig_init(&g, st);
	memset(s, 0, sizeof(*s));
	g.f.full_quota = 1;
	g.f.quota_type = type;
	g.o.poll_min_ms = 1;
	g.o.poll_max_ms = 1;
	g.o.ud = s;
	r = pz_exec_run(plan, st, &g.rt, &g.o, sum);
	assert_int_equal(g.f.full_quota, 0); /* it was refused once */
	pz_plan_free(plan);
	pz_state_free(st);
	pz_spec_free(spec);
	return r;
}

/* A count per dataset group (ten filters) frees only by a delete: a
 * failure, not a queue. A recommender's create also counts against the
 * region's trainings, which free by themselves (its type says
 * quota_frees): queued, then it runs. */
static void test_group_quota_fails_unless_it_frees(void **state)
{
	/* clang-format off */
	static const char vod[] =
	    "datasetGroup: {name: vod, domain: VIDEO_ON_DEMAND}\n"
	    "datasets:\n"
	    PZ_TEST_INTERACTIONS("inter")
	    "recommenders:\n"
	    "  top:\n"
	    "    name: top\n"
	    "    recipeArn: arn:aws:personalize:::recipe/aws-vod-top-picks\n";
	/* clang-format on */
	struct pz_exec_summary sum;
	struct seen s;

	(void)state;
	assert_int_not_equal(group_quota_run(spec_text, "filter", &sum, &s), 0);
	assert_int_equal(sum.failed, 1);
	assert_int_equal(s.queued, 0);
	assert_int_equal(group_quota_run(vod, "recommender", &sum, &s), 0);
	assert_int_equal(sum.failed, 0);
	assert_int_equal(s.queued, 1);
	assert_non_null(strstr(s.order, "recommender.top;"));
}

/* An ARN known before the call is in the state before the call: a run
 * killed before the answer leaves nothing untracked. */
static void test_derivable_arn_recorded_before_create(void **state)
{
	struct pz_spec *spec = NULL;
	struct pz_state *st = NULL;
	struct pz_plan *plan;
	struct rig g;
	struct pz_exec_summary sum;

	(void)state;
	assert_int_equal(pz_state_new(&st), 0);
	plan = plan_for(&spec, st, false);
	rig_init(&g, st);
	g.f.derive = true;
	assert_int_equal(pz_exec_run(plan, st, &g.rt, &g.o, &sum), 0);
	assert_int_equal(g.f.creates_with_intent, (int)plan->nops);
	assert_string_equal(pz_state_find(st, "filter.f")->arn,
			    "arn:derived:filter");
	assert_string_equal(pz_state_find(st, "filter.f")->status, "ACTIVE");
	pz_plan_free(plan);
	pz_state_free(st);
	pz_spec_free(spec);
}

/* A create the service refuses leaves no record: the one written before
 * the call is taken back. */
static void test_refused_create_takes_its_record_back(void **state)
{
	struct pz_spec *spec = NULL;
	struct pz_state *st = NULL;
	struct pz_plan *plan;
	struct rig g;
	struct pz_exec_summary sum;

	(void)state;
	assert_int_equal(pz_state_new(&st), 0);
	plan = plan_for(&spec, st, false);
	rig_init(&g, st);
	g.f.derive = true;
	g.f.refuse_type = "event_tracker";
	assert_int_equal(pz_exec_run(plan, st, &g.rt, &g.o, &sum), PZ_ERR);
	assert_int_equal(sum.failed, 1);
	assert_null(pz_state_find(st, "event_tracker.tracker"));
	assert_non_null(pz_state_find(st, "filter.f"));
	pz_plan_free(plan);
	pz_state_free(st);
	pz_spec_free(spec);
}

/* A create that failed without an answer keeps its record for the
 * next refresh to settle, unless it never reached the service: then
 * nothing was made, and the record is taken back, as it is when the call
 * could not even be made. */
static void test_create_never_sent_takes_its_record_back(void **state)
{
	static const struct {
		bool derive, unsent, unsubmitted, kept;
	} cases[] = {
	    {true, false, false, true},	 /* the answer lost: kept */
	    {false, false, false, true}, /* same, ARN not known yet */
	    {true, true, false, false},	 /* no connection: taken back */
	    {false, true, false, false},
	    {true, false, true, false}, /* the call not made */
	    {false, false, true, false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pz_spec *spec = NULL;
		struct pz_state *st = NULL;
		struct pz_plan *plan;
		struct rig g;
		struct pz_exec_summary sum;
		const struct pz_state_resource *r;

		assert_int_equal(pz_state_new(&st), 0);
		plan = plan_for(&spec, st, false);
		rig_init(&g, st);
		g.f.derive = cases[i].derive;
		if (cases[i].unsubmitted)
			g.f.unsubmitted_type = "event_tracker";
		else
			g.f.lost_type = "event_tracker";
		g.f.lost_unsent = cases[i].unsent;
		assert_int_equal(pz_exec_run(plan, st, &g.rt, &g.o, &sum),
				 PZ_ERR);
		assert_int_equal(sum.failed, 1);
		assert_int_equal(g.s.failed, 1);
		/* Its own message, whatever taking the record back did. */
		assert_string_equal(g.s.failure,
				    cases[i].unsubmitted
					? "no credentials"
					: "cannot reach the service");
		r = pz_state_find(st, "event_tracker.tracker");
		if (cases[i].kept) {
			assert_non_null(r);
			assert_string_equal(r->status, "CREATE REQUESTED");
		} else {
			assert_null(r);
		}
		/* The rest of the graph is done. */
		assert_non_null(pz_state_find(st, "filter.f"));
		pz_plan_free(plan);
		pz_state_free(st);
		pz_spec_free(spec);
	}
}

/* A refusal after an attempt that may have made the resource (its
 * answer lost, or a server error) proves nothing: the record stays, and
 * the create is not tried again in this run (a second training, for
 * one whose ARN pz cannot know beforehand). */
static void test_refusal_after_a_lost_attempt_keeps_the_record(void **state)
{
	struct pz_spec *spec = NULL;
	struct pz_state *st = NULL;
	struct pz_plan *plan;
	struct rig g;
	struct pz_exec_summary sum;
	const struct pz_state_resource *r;

	(void)state;
	assert_int_equal(pz_state_new(&st), 0);
	plan = plan_for(&spec, st, false);
	rig_init(&g, st);
	g.f.derive = true;
	g.f.full_quota = 1;
	g.f.quota_type = "schema"; /* a quota that frees */
	g.f.quota_maybe_made = true;
	g.o.poll_min_ms = 1;
	g.o.poll_max_ms = 1;
	assert_int_equal(pz_exec_run(plan, st, &g.rt, &g.o, &sum), PZ_ERR);
	assert_int_equal(sum.failed, 1);
	assert_int_equal(g.s.queued, 0);
	assert_int_equal(g.f.full_quota, 0);
	r = pz_state_find(st, "schema.Interactions");
	assert_non_null(r);
	assert_string_equal(r->status, "CREATE REQUESTED");
	assert_non_null(strstr(g.s.failure, "may have made it"));
	pz_plan_free(plan);
	pz_state_free(st);
	pz_spec_free(spec);
}

/* ResourceInUse waits and tries again only where the type says the
 * service is busy with something outside the plan (a dataset's delete
 * while an import runs); elsewhere it means the plan is wrong. */
static void test_busy_waits_only_where_the_type_says(void **state)
{
	struct pz_spec *spec = NULL;
	struct pz_state *st = NULL;
	struct pz_plan *plan;
	struct rig g;
	struct pz_exec_summary sum;

	(void)state;
	assert_int_equal(pz_state_new(&st), 0);
	plan = plan_for(&spec, st, false);
	rig_init(&g, st);
	g.o.poll_min_ms = 1;
	g.o.poll_max_ms = 1;
	assert_int_equal(pz_exec_run(plan, st, &g.rt, &g.o, &sum), 0);
	pz_plan_free(plan);

	plan = plan_for(&spec, st, true);
	g.f.busy_type = "dataset";
	g.f.busy = 2;
	assert_int_equal(pz_exec_run(plan, st, &g.rt, &g.o, &sum), 0);
	assert_int_equal(g.f.busy, 0);
	assert_int_equal(g.s.queued, 1);
	assert_int_equal(sum.failed, 0);
	assert_int_equal(sum.destroyed, plan->nops);
	assert_int_equal(st->n, 0);
	pz_plan_free(plan);

	plan = plan_for(&spec, st, false);
	memset(&g.s, 0, sizeof(g.s));
	g.f.busy_type = "event_tracker";
	g.f.busy = 1;
	assert_int_equal(pz_exec_run(plan, st, &g.rt, &g.o, &sum), PZ_ERR);
	assert_int_equal(sum.failed, 1);
	assert_int_equal(g.s.queued, 0);
	assert_null(pz_state_find(st, "event_tracker.tracker"));
	pz_plan_free(plan);
	pz_state_free(st);
	pz_spec_free(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_creates_in_order_then_destroys),
	    cmocka_unit_test(test_failure_taints_and_skips_dependents),
	    cmocka_unit_test(test_stop_starts_nothing_new),
	    cmocka_unit_test(test_stop_while_waiting_leaves_it_recorded),
	    cmocka_unit_test(test_full_quota_queues_then_runs),
	    cmocka_unit_test(test_group_quota_fails_unless_it_frees),
	    cmocka_unit_test(test_derivable_arn_recorded_before_create),
	    cmocka_unit_test(test_refused_create_takes_its_record_back),
	    cmocka_unit_test(test_create_never_sent_takes_its_record_back),
	    cmocka_unit_test(
		test_refusal_after_a_lost_attempt_keeps_the_record),
	    cmocka_unit_test(test_busy_waits_only_where_the_type_says),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
