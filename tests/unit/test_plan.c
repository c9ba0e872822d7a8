/*
 * test_plan.c - planner properties the golden cases do not show: the
 * markdown size limit, saved plans surviving a round trip, -target,
 * deletes after what depends on them, the recorded state planning clean.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/json_out.h"
#include "core/error.h"
#include "core/plan.h"
#include "providers/personalize/personalize.h"
#include "fixtures.h"

static const char head[] = "datasetGroup: {name: demo}\n"
			   "datasets:\n" PZ_TEST_INTERACTIONS("inter");

static struct pz_spec *load(const char *text)
{
	struct pz_spec *spec = NULL;
	struct pz_diags d;

	pz_personalize_register();
	pz_diags_init(&d);
	if (pz_spec_load_text(&spec, "t.yaml", text, strlen(text), NULL, 0, &d))
		fail_msg("spec: %s", d.n ? d.items[0].message : "?");
	pz_diags_release(&d);
	return spec;
}

static struct pz_spec *big_spec(size_t solutions)
{
	struct pz_buf b;
	struct pz_spec *spec;
	size_t i;

	pz_buf_init(&b, 0);
	assert_int_equal(pz_buf_adds(&b, head), 0);
	assert_int_equal(pz_buf_adds(&b, "solutions:\n"), 0);
	for (i = 0; i < solutions; i++)
		assert_int_equal(
		    pz_buf_printf(&b,
				  "  s%zu: {name: solution-%zu, recipeArn: "
				  "'arn:aws:personalize:::recipe/aws-sims', "
				  "performAutoTraining: false}\n",
				  i, i),
		    0);
	spec = load(b.ptr);
	pz_buf_release(&b);
	return spec;
}

static struct pz_plan *plan_of(const struct pz_spec *spec,
			       const struct pz_state *st,
			       const struct pz_plan_opts *o)
{
	struct pz_plan *plan = NULL;
	struct pz_diags d;
	struct pz_plan_opts none;

	memset(&none, 0, sizeof(none));
	pz_diags_init(&d);
	assert_int_equal(
	    pz_plan_make(&plan, spec, st, NULL, NULL, o ? o : &none, &d), 0);
	pz_diags_release(&d);
	return plan;
}

static void test_markdown_limit(void **state)
{
	struct pz_spec *spec = big_spec(400);
	struct pz_plan *plan = plan_of(spec, NULL, NULL);
	struct pz_render_opts ro = {false, false, 0, false};
	struct pz_buf md;

	(void)state;
	pz_buf_init(&md, 0);
	assert_int_equal(pz_plan_render_markdown(plan, &md, &ro), 0);
	assert_true(md.len <= 65536);
	/* Too long for the full diff: the summary and the addresses. */
	assert_null(strstr(md.ptr, "<details>"));
	assert_non_null(strstr(md.ptr, "| add | 403 |"));
	assert_non_null(strstr(md.ptr, "- `solution.s0`: create"));
	pz_buf_reset(&md);
	ro.max_bytes = 1000;
	assert_int_equal(pz_plan_render_markdown(plan, &md, &ro), 0);
	assert_true(md.len <= 1000);
	assert_non_null(strstr(md.ptr, "- … and "));
	assert_non_null(strstr(md.ptr, " more\n"));
	pz_buf_release(&md);
	pz_plan_free(plan);
	pz_spec_free(spec);
}

static void test_saved_plan_round_trip(void **state)
{
	struct pz_spec *spec = big_spec(3);
	struct pz_plan *plan = plan_of(spec, NULL, NULL), *back = NULL;
	char path[] = "/tmp/pz-test-plan-XXXXXX";
	struct pz_render_opts ro = {false, false, 0, false};
	struct pz_buf a, b;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(pz_spec_digest(spec, NULL, 0, plan->spec_digest), 0);
	plan->state_serial = 42;
	assert_int_equal(pz_plan_save(plan, path), 0);
	assert_int_equal(pz_plan_load(&back, path), 0);
	assert_string_equal(back->spec_digest, plan->spec_digest);
	assert_int_equal(back->state_serial, 42);
	assert_int_equal(back->nadd, plan->nadd);
	{
		struct pz_state *st = NULL;

		assert_int_equal(pz_state_new(&st), 0);
		st->serial = 42;
		memcpy(back->state_lineage, st->lineage, 37);
		assert_int_equal(
		    pz_plan_check_fresh(back, plan->spec_digest, st), 0);
		st->serial = 43;
		assert_int_equal(
		    pz_plan_check_fresh(back, plan->spec_digest, st),
		    PZ_ESTALE);
		assert_non_null(strstr(pz_error_last(), "serial 42, now 43"));
		st->serial = 42;
		assert_int_equal(pz_plan_check_fresh(back, "0000", st),
				 PZ_ESTALE);
		assert_non_null(strstr(pz_error_last(), "the spec"));
		memcpy(st->lineage, "00000000-0000-4000-8000-000000000000", 37);
		assert_int_equal(
		    pz_plan_check_fresh(back, plan->spec_digest, st),
		    PZ_ESTALE);
		assert_non_null(strstr(pz_error_last(), "another state"));
		pz_state_free(st);
	}
	pz_buf_init(&a, 0);
	pz_buf_init(&b, 0);
	assert_int_equal(pz_plan_render_text(plan, &a, &ro), 0);
	assert_int_equal(pz_plan_render_text(back, &b, &ro), 0);
	assert_string_equal(a.ptr, b.ptr);
	pz_buf_reset(&a);
	pz_buf_reset(&b);
	assert_int_equal(pz_plan_render_json(plan, &a), 0);
	assert_int_equal(pz_plan_render_json(back, &b), 0);
	assert_string_equal(a.ptr, b.ptr);
	pz_buf_release(&a);
	pz_buf_release(&b);
	pz_plan_free(back);
	back = NULL;
	unlink(path);
	assert_int_equal(pz_plan_load(&back, path) == PZ_ENOTFOUND, 1);
	pz_plan_free(plan);
	pz_spec_free(spec);
}

static const char *fake(void *ud, const char *address)
{
	static char buf[256];

	(void)ud;
	snprintf(buf, sizeof(buf), "arn:aws:personalize:::%s", address);
	return buf;
}

/* What apply records plans clean, and removing an entry deletes it
 * after everything that depends on it. */
static void test_record_then_delete(void **state)
{
	static const char sol[] =
	    "solutions:\n  s: {name: s, recipeArn: "
	    "'arn:aws:personalize:::recipe/aws-sims', "
	    "performAutoTraining: false}\n"
	    "filters:\n  - {name: f, filterExpression: 'EXCLUDE ItemID "
	    "WHERE Interactions.EVENT_TYPE IN (\"x\")'}\n";
	char text[2048];
	struct pz_spec *spec, *smaller;
	struct pz_state *st = NULL;
	struct pz_plan *plan;
	size_t i, pos_group = 0, pos_sol = 0;

	(void)state;
	snprintf(text, sizeof(text), "%s%s", head, sol);
	spec = load(text);
	assert_int_equal(pz_state_new(&st), 0);
	plan = plan_of(spec, st, NULL);
	for (i = 0; i < plan->n; i++)
		if (plan->changes[i].action == PZ_ACTION_CREATE)
			pz_plan_record(st, &plan->changes[i],
				       fake(NULL, plan->changes[i].address),
				       "ACTIVE", fake, NULL, 1000);
	pz_plan_free(plan);
	plan = plan_of(spec, st, NULL);
	assert_false(pz_plan_has_changes(plan));
	pz_plan_free(plan);

	/* Without the datasets' consumers and the group: the deletes run
	 * in reverse dependency order. */
	smaller = load("datasetGroup: {name: other}\n");
	plan = plan_of(smaller, st, NULL);
	for (i = 0; i < plan->n; i++) {
		if (!strcmp(plan->changes[i].address, "dataset_group.demo"))
			pos_group = i;
		if (!strcmp(plan->changes[i].address, "solution.s"))
			pos_sol = i;
	}
	assert_true(pos_sol < pos_group);
	assert_int_equal(plan->changes[pos_group].action, PZ_ACTION_DELETE);
	pz_plan_free(plan);
	pz_spec_free(smaller);
	pz_state_free(st);
	pz_spec_free(spec);
}

static void test_target(void **state)
{
	struct pz_spec *spec = big_spec(3);
	const char *targets[] = {"solution.s1"};
	struct pz_plan_opts o;
	struct pz_plan *plan;
	size_t i;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.targets = targets;
	o.ntargets = 1;
	plan = plan_of(spec, NULL, &o);
	for (i = 0; i < plan->n; i++) {
		assert_null(strstr(plan->changes[i].address, "s0"));
		assert_null(strstr(plan->changes[i].address, "s2"));
	}
	/* s1 and what it needs: group, schema, dataset. */
	assert_int_equal(plan->nadd, 4);
	pz_plan_free(plan);
	pz_spec_free(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_markdown_limit),
	    cmocka_unit_test(test_saved_plan_round_trip),
	    cmocka_unit_test(test_record_then_delete),
	    cmocka_unit_test(test_target),
	};

	pz_json_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
