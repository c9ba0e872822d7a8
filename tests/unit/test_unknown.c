/*
 * test_unknown.c - values known only after apply (core/unknown.h): a
 * kind of their own that nothing parsed is ever taken for, never
 * written as JSON, resolved by apply with the ARN's tail kept, an error
 * naming the member when one does not resolve (never a null in the
 * state or in a request), and carried through saved plans, old formats
 * included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/exec.h"
#include "core/json_out.h"
#include "core/plan.h"
#include "core/provider.h"
#include "core/unknown.h"
#include "providers/personalize/personalize.h"

/* What refers to the group (the tracker, the dataset, the solution)
 * holds its ARN as a value known after apply until the group exists. */
static const char spec_text[] =
    "datasetGroup: {name: demo}\n"
    "eventTracker: {name: tracker}\n"
    "datasets: {Interactions: {name: inter, schema: {type: record, name: "
    "Interactions, namespace: com.amazonaws.personalize.schema, fields: "
    "[{name: USER_ID, type: string}, {name: ITEM_ID, type: string}, "
    "{name: TIMESTAMP, type: long}]}}}\n"
    "solutions:\n"
    "  s:\n"
    "    name: s\n"
    "    recipeArn: arn:aws:personalize:::recipe/aws-sims\n"
    "    performAutoTraining: false\n"
    "    solutionConfig:\n"
    "      algorithmHyperParameters:\n"
    /* Map members a spec may name as it likes: never markers. */
    "        $unknown: dataset_group.demo\n"
    "        $sensitive: plain\n"
    "        $$twice: x\n";

static struct pz_spec *load(void)
{
	struct pz_spec *spec = NULL;
	struct pz_diags d;

	pz_personalize_register();
	pz_diags_init(&d);
	if (pz_spec_load_text(&spec, "t.yaml", spec_text, strlen(spec_text),
			      NULL, 0, &d))
		fail_msg("spec: %s", d.n ? d.items[0].message : "?");
	pz_diags_release(&d);
	return spec;
}

static struct pz_plan *plan_of(const struct pz_spec *spec,
			       const struct pz_state *st)
{
	struct pz_plan *plan = NULL;
	struct pz_plan_opts o;
	struct pz_diags d;

	memset(&o, 0, sizeof(o));
	o.no_usage = true;
	pz_diags_init(&d);
	assert_int_equal(pz_plan_make(&plan, spec, st, NULL, NULL, &o, &d), 0);
	pz_diags_release(&d);
	return plan;
}

static struct pz_change *change(struct pz_plan *plan, const char *address)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (!strcmp(plan->changes[i].address, address))
			return &plan->changes[i];
	fail_msg("no change for %s", address);
	return NULL;
}

static const cJSON *member(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* What the tracker's datasetGroupArn refers to (NULL: known). */
static const char *group_ref(struct pz_plan *plan)
{
	return pz_unknown_ref(member(
	    change(plan, "event_tracker.tracker")->after, "datasetGroupArn"));
}

/* The solution's map whose members the spec names. */
static const cJSON *hyper(struct pz_plan *plan)
{
	return member(
	    member(change(plan, "solution.s")->after, "solutionConfig"),
	    "algorithmHyperParameters");
}

/* Known ARNs: "dataset_group.demo" and "solution.s"; no other. */
static const char *known(void *ud, const char *address)
{
	(void)ud;
	if (!strcmp(address, "dataset_group.demo"))
		return "arn:aws:personalize:us-east-1:1:dataset-group/demo";
	if (!strcmp(address, "solution.s"))
		return "arn:aws:personalize:us-east-1:1:solution/s";
	return NULL;
}

static const char *every(void *ud, const char *address)
{
	static char buf[4][256];
	static int k;

	(void)ud;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "arn:test:%s", address);
	return buf[k];
}

static void test_a_kind_of_its_own(void **state)
{
	cJSON *u = pz_unknown_new("solution.s/$LATEST");
	cJSON *o = cJSON_CreateObject(), *parsed;
	struct pz_buf b;
	char *text;

	(void)state;
	assert_true(pz_unknown_is(u));
	assert_string_equal(pz_unknown_ref(u), "solution.s/$LATEST");
	assert_false(cJSON_IsString(u) || cJSON_IsNull(u) || cJSON_IsRaw(u));
	/* Nothing parsed is one, whatever it says. */
	parsed = cJSON_Parse("{\"$unknown\": \"solution.s\", \"a\": "
			     "[\"solution.s\", null, {}]}");
	assert_non_null(parsed);
	assert_false(pz_unknown_any(parsed));
	assert_null(pz_unknown_ref(member(parsed, "$unknown")));
	cJSON_AddItemToObject(o, "solutionVersionArn", u);
	assert_true(pz_unknown_any(o));
	/* Copies keep it; equal only to the same reference. */
	{
		cJSON *copy = cJSON_Duplicate(o, 1);
		cJSON *other = pz_unknown_new("solution.t/$LATEST");

		assert_true(pz_unknown_is(member(copy, "solutionVersionArn")));
		assert_true(pz_json_equal(o, copy));
		assert_false(pz_json_equal(u, other));
		assert_false(pz_json_equal(
		    u, member(parsed, "$unknown"))); /* a string */
		cJSON_Delete(other);
		cJSON_Delete(copy);
	}
	/* Never written as JSON: not valid, not null. */
	pz_buf_init(&b, 0);
	assert_int_equal(pz_json_write(o, &b, -1), PZ_EINVAL);
	assert_non_null(strstr(pz_error_last(), "solution.s/$LATEST"));
	assert_null(strstr(pz_buf_cstr(&b), "null"));
	pz_buf_release(&b);
	text = cJSON_PrintUnformatted(o);
	assert_null(text);
	cJSON_Delete(o);
	cJSON_Delete(parsed);
}

static void test_resolved_or_an_error(void **state)
{
	cJSON *v = cJSON_CreateObject(), *cfg, *tags, *tag, *out = NULL;
	size_t left;

	(void)state;
	cJSON_AddItemToObject(v, "datasetGroupArn",
			      pz_unknown_new("dataset_group.demo"));
	cfg = cJSON_AddObjectToObject(v, "campaignConfig");
	cJSON_AddItemToObject(cfg, "solutionVersionArn",
			      pz_unknown_new("solution.s/$LATEST"));
	tags = cJSON_AddArrayToObject(v, "tags");
	cJSON_AddItemToArray(tags, cJSON_CreateString("first"));
	tag = cJSON_CreateObject();
	cJSON_AddItemToObject(tag, "tagValue", pz_unknown_new("filter.gone"));
	cJSON_AddItemToArray(tags, tag);

	/* One that does not resolve: an error naming the member and what
	 * it refers to; no half-resolved copy. */
	out = (cJSON *)1;
	assert_int_equal(pz_unknown_resolved(&out, v, known, NULL), PZ_EINVAL);
	assert_null(out);
	assert_non_null(strstr(pz_error_last(),
			       "tags[1].tagValue needs the ARN of "
			       "filter.gone"));
	assert_int_equal(pz_unknown_resolved(&out, v, NULL, NULL), PZ_EINVAL);
	assert_non_null(strstr(pz_error_last(), "datasetGroupArn needs the "
						"ARN of dataset_group.demo"));
	/* v itself is left as it was. */
	assert_true(pz_unknown_is(member(v, "datasetGroupArn")));

	/* All resolve: strings, the tail after the address kept. */
	assert_int_equal(pz_unknown_resolved(&out, v, every, NULL), 0);
	assert_false(pz_unknown_any(out));
	assert_string_equal(member(out, "datasetGroupArn")->valuestring,
			    "arn:test:dataset_group.demo");
	assert_string_equal(
	    member(member(out, "campaignConfig"), "solutionVersionArn")
		->valuestring,
	    "arn:test:solution.s/$LATEST");
	cJSON_Delete(out);

	/* The planner's partial form: what it knows, the rest stays. */
	left = pz_unknown_resolve_known(v, known, NULL);
	assert_int_equal(left, 1);
	assert_string_equal(
	    member(member(v, "campaignConfig"), "solutionVersionArn")
		->valuestring,
	    "arn:aws:personalize:us-east-1:1:solution/s/$LATEST");
	assert_true(pz_unknown_is(
	    member(cJSON_GetArrayItem(member(v, "tags"), 1), "tagValue")));
	assert_int_equal(pz_unknown_resolved(&out, NULL, known, NULL), 0);
	assert_null(out);
	cJSON_Delete(v);
}

/* Recording a change whose ARN reference does not resolve is an error
 * naming the address and the member; the state keeps what it had and
 * never gets a null. */
static void test_record_unresolved_is_an_error(void **state)
{
	struct pz_spec *spec = load();
	struct pz_state *st = NULL;
	struct pz_plan *plan = plan_of(spec, NULL);
	struct pz_change *et = change(plan, "event_tracker.tracker");
	struct pz_state_resource *r;
	struct pz_buf b;
	cJSON *saved;

	(void)state;
	assert_int_equal(et->action, PZ_ACTION_CREATE);
	assert_true(pz_unknown_is(member(et->after, "datasetGroupArn")));
	assert_int_equal(pz_state_new(&st), 0);

	assert_int_equal(
	    pz_plan_record(st, et, "arn:test:ds", "ACTIVE", NULL, NULL, 1000),
	    PZ_EINVAL);
	assert_non_null(strstr(pz_error_last(), "event_tracker.tracker"));
	assert_non_null(strstr(pz_error_last(), "datasetGroupArn needs the "
						"ARN of dataset_group.demo"));
	assert_null(pz_state_find(st, "event_tracker.tracker"));

	/* Recorded once with every ARN known ... */
	assert_int_equal(pz_plan_record(st, et, "arn:test:ds", "CREATE PENDING",
					every, NULL, 1000),
			 0);
	r = pz_state_find(st, "event_tracker.tracker");
	assert_non_null(r);
	assert_string_equal(
	    member(r->attributes, "datasetGroupArn")->valuestring,
	    "arn:test:dataset_group.demo");
	/* ... a second one that does not resolve leaves it as it was. */
	assert_int_equal(
	    pz_plan_record(st, et, "arn:test:ds2", "ACTIVE", NULL, NULL, 3000),
	    PZ_EINVAL);
	assert_non_null(strstr(pz_error_last(), "event_tracker.tracker: "
						"datasetGroupArn needs"));
	r = pz_state_find(st, "event_tracker.tracker");
	assert_string_equal(r->arn, "arn:test:ds");
	assert_string_equal(r->status, "CREATE PENDING");
	assert_string_equal(
	    member(r->attributes, "datasetGroupArn")->valuestring,
	    "arn:test:dataset_group.demo");

	/* The state file stays valid JSON with no null where an ARN goes. */
	pz_buf_init(&b, 0);
	assert_int_equal(pz_state_serialize(st, &b), 0);
	saved = cJSON_Parse(pz_buf_cstr(&b));
	assert_non_null(saved);
	assert_null(strstr(pz_buf_cstr(&b), "\"datasetGroupArn\": null"));
	cJSON_Delete(saved);
	pz_buf_release(&b);
	pz_state_free(st);
	pz_plan_free(plan);
	pz_spec_free(spec);
}

static char *tmp_path(void)
{
	char *path = pz_xstrdup("/tmp/pz-test-unknown-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	return path;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Every change's after, with unknowns in it, as it was. */
static void assert_same_changes(const struct pz_plan *a,
				const struct pz_plan *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_string_equal(a->changes[i].address,
				    b->changes[i].address);
		assert_true(
		    pz_json_equal(a->changes[i].after, b->changes[i].after));
		assert_true(
		    pz_json_equal(a->changes[i].before, b->changes[i].before));
	}
}

static void test_saved_plan_round_trip(void **state)
{
	struct pz_spec *spec = load();
	struct pz_plan *plan = plan_of(spec, NULL), *back = NULL;
	char *path = tmp_path();
	struct pz_buf a, b;
	const cJSON *hp;

	(void)state;
	assert_int_equal(pz_plan_save(plan, path), 0);
	assert_int_equal(pz_plan_load(&back, path), 0);
	assert_same_changes(plan, back);
	assert_string_equal(group_ref(back), "dataset_group.demo");
	/* The spec's own "$" members are members again, not markers. */
	hp = hyper(back);
	assert_true(cJSON_IsString(member(hp, "$unknown")));
	assert_string_equal(member(hp, "$unknown")->valuestring,
			    "dataset_group.demo");
	assert_true(cJSON_IsString(member(hp, "$sensitive")));
	assert_false(pz_json_is_sensitive(member(hp, "$sensitive")));
	assert_string_equal(member(hp, "$$twice")->valuestring, "x");
	/* The same bytes again, and the same renderings. */
	pz_buf_init(&a, 0);
	pz_buf_init(&b, 0);
	assert_int_equal(pz_plan_serialize(plan, &a), 0);
	assert_int_equal(pz_plan_serialize(back, &b), 0);
	assert_string_equal(a.ptr, b.ptr);
	assert_non_null(strstr(a.ptr, "\"$unknown\": \"dataset_group.demo\""));
	assert_non_null(strstr(a.ptr, "\"$$unknown\": \"dataset_group.demo\""));
	pz_buf_release(&a);
	pz_buf_release(&b);
	pz_plan_free(back);
	unlink(path);
	free(path);
	pz_plan_free(plan);
	pz_spec_free(spec);
}

/* Terraform's plan JSON: unknowns only in after_unknown. */
static void test_json_after_unknown(void **state)
{
	struct pz_spec *spec = load();
	struct pz_plan *plan = plan_of(spec, NULL);
	struct pz_buf b;
	cJSON *doc;
	const cJSON *rc, *ch = NULL;

	(void)state;
	pz_buf_init(&b, 0);
	assert_int_equal(pz_plan_render_json(plan, &b), 0);
	doc = cJSON_Parse(pz_buf_cstr(&b));
	assert_non_null(doc);
	cJSON_ArrayForEach(rc, member(doc, "resource_changes"))
	{
		if (!strcmp(member(rc, "address")->valuestring,
			    "event_tracker.tracker"))
			ch = member(rc, "change");
	}
	assert_non_null(ch);
	assert_null(member(member(ch, "after"), "datasetGroupArn"));
	assert_true(cJSON_IsTrue(
	    member(member(ch, "after_unknown"), "datasetGroupArn")));
	assert_string_equal(member(member(ch, "after"), "name")->valuestring,
			    "tracker");
	cJSON_Delete(doc);
	pz_buf_reset(&b);
	{
		struct pz_render_opts ro;

		memset(&ro, 0, sizeof(ro));
		ro.omit_usage = true;
		assert_int_equal(pz_plan_render_text(plan, &b, &ro), 0);
		assert_non_null(strstr(pz_buf_cstr(&b),
				       "datasetGroupArn = (known after "
				       "apply)"));
	}
	pz_buf_release(&b);
	pz_plan_free(plan);
	pz_spec_free(spec);
}

/* The plan's saved form, changed by edit(doc), loaded: its result. */
static int load_edited(struct pz_plan **out, const struct pz_plan *plan,
		       void (*edit)(cJSON *doc))
{
	struct pz_buf b;
	cJSON *doc;
	char *path = tmp_path(), *text;
	int r;

	pz_buf_init(&b, 0);
	assert_int_equal(pz_plan_serialize(plan, &b), 0);
	doc = cJSON_Parse(pz_buf_cstr(&b));
	assert_non_null(doc);
	edit(doc);
	text = cJSON_Print(doc);
	write_text(path, text);
	r = pz_plan_load(out, path);
	free(text);
	cJSON_Delete(doc);
	pz_buf_release(&b);
	unlink(path);
	free(path);
	return r;
}

static cJSON *first_change(cJSON *doc, const char *address)
{
	cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(doc, "changes"))
	{
		if (!strcmp(member(c, "address")->valuestring, address))
			return c;
	}
	fail_msg("no change for %s", address);
	return NULL;
}

/* A format 3 plan, from before "$" keys were escaped: the same markers. */
static void as_format_3(cJSON *doc)
{
	cJSON *s = first_change(doc, "solution.s");

	cJSON_ReplaceItemInObjectCaseSensitive(doc, "pz_plan_format",
					       cJSON_CreateNumber(3));
	/* Format 3 wrote the spec's map members as they were. */
	cJSON_DeleteItemFromObjectCaseSensitive(s, "after");
	cJSON_AddItemToObject(
	    s, "after",
	    cJSON_Parse("{\"name\": \"s\", \"solutionConfig\": "
			"{\"algorithmHyperParameters\": {\"$$twice\": \"x\", "
			"\"a\": \"b\"}}}"));
}

static void unknown_before(cJSON *doc)
{
	cJSON *c = first_change(doc, "event_tracker.tracker");

	cJSON_ReplaceItemInObjectCaseSensitive(
	    c, "before",
	    cJSON_Parse("{\"datasetGroupArn\": {\"$unknown\": "
			"\"dataset_group.demo\"}}"));
}

static void test_older_and_bad_plan_files(void **state)
{
	struct pz_spec *spec = load();
	struct pz_plan *plan = plan_of(spec, NULL), *back = NULL;
	const cJSON *hp;

	(void)state;
	assert_int_equal(load_edited(&back, plan, as_format_3), 0);
	assert_string_equal(group_ref(back), "dataset_group.demo");
	/* Read as format 3 wrote it: no unescaping. */
	hp = hyper(back);
	assert_string_equal(member(hp, "$$twice")->valuestring, "x");
	pz_plan_free(back);
	back = NULL;

	/* Only what a change will be can be unknown. */
	assert_int_equal(load_edited(&back, plan, unknown_before), PZ_EINVAL);
	assert_null(back);
	assert_non_null(strstr(pz_error_last(),
			       "the before of event_tracker.tracker holds a "
			       "value known only after apply"));
	pz_plan_free(plan);
	pz_spec_free(spec);
}

/* --- apply: a runtime that keeps each create's body and refuses it,
 * so that no operation goes further than its request --- */

struct seen {
	char body[1024]; /* the last create request, as JSON */
	size_t creates;
	size_t failed;
	char message[512];
};

static int f_create(void *impl, const struct pz_rtype *t, const cJSON *body,
		    pz_rt_done done, void *ud)
{
	struct seen *s = impl;
	struct pz_buf b;

	(void)t;
	(void)done;
	(void)ud;
	s->creates++;
	pz_buf_init(&b, 0);
	/* Fails on a value left unknown. */
	assert_int_equal(pz_json_write(body, &b, -1), 0);
	snprintf(s->body, sizeof(s->body), "%s", pz_buf_cstr(&b));
	pz_buf_release(&b);
	return pz_error_set(PZ_EAWS, "refused by the test");
}

static int f_run(void *impl)
{
	(void)impl;
	return 0;
}

static void on_event(void *ud, const struct pz_exec_event *ev)
{
	struct seen *s = ud;

	if (ev->kind != PZ_EXEC_FAILED)
		return;
	s->failed++;
	snprintf(s->message, sizeof(s->message), "%s: %s",
		 ev->plan->changes[ev->plan->ops[ev->op].change].address,
		 ev->message);
}

/* Applies plan, whose only operation creates the event tracker, with
 * its datasetGroupArn set to an unknown value referring to ref. */
static void apply_with(struct pz_plan *plan, struct pz_state *st,
		       const char *ref, struct seen *s)
{
	struct pz_runtime rt;
	struct pz_exec_opts o;
	struct pz_exec_summary sum;
	struct pz_change *et = change(plan, "event_tracker.tracker");

	assert_int_equal(plan->nops, 1);
	cJSON_ReplaceItemInObjectCaseSensitive(et->after, "datasetGroupArn",
					       pz_unknown_new(ref));
	memset(s, 0, sizeof(*s));
	memset(&rt, 0, sizeof(rt));
	rt.impl = s;
	rt.run = f_run;
	rt.create = f_create;
	memset(&o, 0, sizeof(o));
	o.now = 1000;
	o.event = on_event;
	o.ud = s;
	assert_int_equal(pz_exec_run(plan, st, &rt, &o, &sum), PZ_ERR);
	assert_int_equal(s->failed, 1);
}

static void test_apply_resolves_or_fails(void **state)
{
	static const char text[] = "datasetGroup: {name: demo}\n"
				   "eventTracker: {name: tracker}\n";
	static const char group_arn[] =
	    "arn:aws:personalize:us-east-1:1:dataset-group/demo";
	struct pz_spec *spec = NULL;
	struct pz_state *st = NULL;
	struct pz_plan *plan;
	struct pz_diags d;
	struct seen s;

	(void)state;
	pz_personalize_register();
	pz_diags_init(&d);
	assert_int_equal(
	    pz_spec_load_text(&spec, "t.yaml", text, strlen(text), NULL, 0, &d),
	    0);
	pz_diags_release(&d);
	/* The group exists (recorded): only the tracker is created. */
	assert_int_equal(pz_state_new(&st), 0);
	plan = plan_of(spec, st);
	assert_int_equal(pz_plan_record(st, change(plan, "dataset_group.demo"),
					group_arn, "ACTIVE", NULL, NULL, 1000),
			 0);
	pz_plan_free(plan);
	plan = plan_of(spec, st);

	/* Resolved from the state's ARN, the tail after the address kept
	 * (a syncing campaign's "solution.x/$LATEST"). */
	apply_with(plan, st, "dataset_group.demo/$LATEST", &s);
	assert_int_equal(s.creates, 1);
	assert_non_null(strstr(s.body, "\"datasetGroupArn\":\""
				       "arn:aws:personalize:us-east-1:1:"
				       "dataset-group/demo/$LATEST\""));
	assert_non_null(strstr(s.message, "refused by the test"));

	/* A reference no record resolves: an error naming the member,
	 * before any request; nothing recorded (the record of the
	 * request above goes first). */
	pz_state_remove(st, "event_tracker.tracker");
	apply_with(plan, st, "dataset_group.gone", &s);
	assert_int_equal(s.creates, 0);
	assert_string_equal(s.message,
			    "event_tracker.tracker: datasetGroupArn needs the "
			    "ARN of dataset_group.gone, which is known only "
			    "after apply and no record holds it yet; make a "
			    "new plan");
	assert_null(pz_state_find(st, "event_tracker.tracker"));
	pz_plan_free(plan);
	pz_state_free(st);
	pz_spec_free(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_kind_of_its_own),
	    cmocka_unit_test(test_resolved_or_an_error),
	    cmocka_unit_test(test_record_unresolved_is_an_error),
	    cmocka_unit_test(test_saved_plan_round_trip),
	    cmocka_unit_test(test_json_after_unknown),
	    cmocka_unit_test(test_older_and_bad_plan_files),
	    cmocka_unit_test(test_apply_resolves_or_fails),
	};

	pz_json_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
