/*
 * test_promote.c - the promotion gate's decision (promote.h): the
 * comparison and its one-line message, the metric names, what the
 * state records and how the next plan reads it, the gates a plan
 * carries to apply and the version a kept campaign stays recorded on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/plan.h"
#include "core/state.h"
#include "providers/personalize/promote.h"

#define V1   "arn:aws:personalize:us-east-1:123456789012:solution/ups/aaaa1111"
#define V2   "arn:aws:personalize:us-east-1:123456789012:solution/ups/bbbb2222"
#define CAMP "arn:aws:personalize:us-east-1:123456789012:campaign/ups"
#define NDCG "normalized_discounted_cumulative_gain_at_25"

static cJSON *metrics(double ndcg)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddNumberToObject(m, NDCG, ndcg);
	cJSON_AddNumberToObject(m, "coverage", 0.5);
	return m;
}

static void worse_is_kept(void **unused)
{
	struct pz_promote_gate g = {NDCG, 0.005, "0.005"};
	struct pz_promote_decision d;
	cJSON *old = metrics(0.2905), *now = metrics(0.2810);

	(void)unused;
	assert_int_equal(
	    pz_promote_compare("campaign.x", &g, V1, old, V2, now, &d), 0);
	assert_false(d.promote);
	assert_string_equal(d.message,
			    "campaign.x kept on version aaaa1111: " NDCG
			    " 0.2810 < 0.2905 + 0.005");
	assert_string_equal(d.new_arn, V2);
	assert_string_equal(d.old_arn, V1);
	pz_promote_decision_release(&d);
	/* A recipe whose latest version gets new items: kept, it says
	 * the version it keeps gets none (personalize-rules.md §5). */
	g.item_updates = true;
	assert_int_equal(
	    pz_promote_compare("campaign.x", &g, V1, old, V2, now, &d), 0);
	assert_string_equal(d.message,
			    "campaign.x kept on version aaaa1111: " NDCG
			    " 0.2810 < 0.2905 + 0.005 (warning: Personalize "
			    "adds new items only to the latest version, about "
			    "every two hours: the version kept gets none)");
	pz_promote_decision_release(&d);
	cJSON_Delete(old);
	cJSON_Delete(now);
}

static void better_by_delta_moves(void **unused)
{
	struct pz_promote_gate g = {NDCG, 0.01, NULL};
	struct pz_promote_decision d;
	cJSON *old = metrics(0.30), *now = metrics(0.31);

	(void)unused;
	/* Exactly the old value plus minDelta is enough ("at least"),
	 * whatever binary floating point makes of 0.30 + 0.01. */
	assert_int_equal(
	    pz_promote_compare("campaign.x", &g, V1, old, V2, now, &d), 0);
	assert_true(d.promote);
	assert_string_equal(d.message,
			    "campaign.x moves to version bbbb2222: " NDCG
			    " 0.3100 >= 0.3000 + 0.01");
	pz_promote_decision_release(&d);
	cJSON_Delete(now);
	now = metrics(0.3099);
	assert_int_equal(
	    pz_promote_compare("campaign.x", &g, V1, old, V2, now, &d), 0);
	assert_false(d.promote);
	pz_promote_decision_release(&d);
	cJSON_Delete(old);
	cJSON_Delete(now);
}

static void missing_metric_is_an_error(void **unused)
{
	struct pz_promote_gate g = {"hit_at_1", 0, NULL};
	struct pz_promote_decision d;
	cJSON *old = metrics(0.3), *now = metrics(0.4);

	(void)unused;
	assert_int_equal(
	    pz_promote_compare("campaign.x", &g, V1, old, V2, now, &d),
	    PZ_EINVAL);
	assert_non_null(strstr(pz_error_last(), "reports no hit_at_1"));
	assert_non_null(strstr(pz_error_last(), V2));
	assert_null(d.message);
	cJSON_Delete(old);
	cJSON_Delete(now);
}

static void metric_names(void **unused)
{
	(void)unused;
	assert_true(pz_promote_metric_known(NDCG));
	assert_true(pz_promote_metric_known("coverage"));
	assert_false(pz_promote_metric_known("ndcg"));
	assert_false(pz_promote_metric_known(NULL));
	assert_string_equal(pz_promote_version_id(V1), "aaaa1111");
	assert_string_equal(pz_promote_version_id("plain"), "plain");
}

static void recorded_decision_holds_until_newer(void **unused)
{
	struct pz_state *st = NULL;
	struct pz_state_resource *r;
	struct pz_promote_gate g = {NDCG, 0.005, NULL};
	struct pz_promote_decision d;
	cJSON *old = metrics(0.3), *now = metrics(0.2);
	const cJSON *p;

	(void)unused;
	assert_int_equal(pz_state_new(&st), 0);
	r = pz_state_put(st, "campaign.x", "campaign");
	assert_false(pz_promote_kept(r, V2));
	assert_int_equal(
	    pz_promote_compare("campaign.x", &g, V1, old, V2, now, &d), 0);
	pz_promote_record(r, &g, &d);
	assert_true(pz_promote_kept(r, V2));
	assert_false(pz_promote_kept(r, V1));
	assert_false(pz_promote_kept(r, "a newer one"));
	p = cJSON_GetObjectItemCaseSensitive(r->meta, "promotion");
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(p, "decision")->valuestring,
	    "kept");
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(p, "message")->valuestring,
	    d.message);
	pz_promote_decision_release(&d);
	/* A promotion replaces the record: nothing is kept any more. */
	cJSON_Delete(now);
	now = metrics(0.4);
	assert_int_equal(
	    pz_promote_compare("campaign.x", &g, V1, old, V2, now, &d), 0);
	pz_promote_record(r, &g, &d);
	assert_false(pz_promote_kept(r, V2));
	pz_promote_decision_release(&d);
	cJSON_Delete(old);
	cJSON_Delete(now);
	pz_state_free(st);
}

/* A plan with one gated campaign update, as the campaign hook makes. */
static void plan_with_gate(struct pz_plan *plan, struct pz_change *c)
{
	static char addr[] = "campaign.x", type[] = "campaign", arn[] = CAMP;
	cJSON *g;

	memset(plan, 0, sizeof(*plan));
	memset(c, 0, sizeof(*c));
	c->address = addr;
	c->type = type;
	c->action = PZ_ACTION_UPDATE;
	c->arn = arn;
	c->meta = cJSON_CreateObject();
	g = cJSON_AddObjectToObject(c->meta, "promote");
	cJSON_AddStringToObject(g, "metric", NDCG);
	cJSON_AddNumberToObject(g, "minDelta", 0.01);
	plan->changes = c;
	plan->n = 1;
}

static void gates_apply_to_version_moves_only(void **unused)
{
	struct pz_plan plan;
	struct pz_change c;
	struct pz_promote_gates *g;
	cJSON *before = cJSON_CreateObject(), *after = cJSON_CreateObject();

	(void)unused;
	plan_with_gate(&plan, &c);
	g = pz_promote_gates_new(&plan, NULL);
	cJSON_AddStringToObject(before, "solutionVersionArn", V1);
	cJSON_AddStringToObject(after, "solutionVersionArn", V1);
	/* Same version (a TPS change): no gate. */
	assert_false(pz_promote_gates_applies(g, CAMP, before, after));
	cJSON_DeleteItemFromObject(after, "solutionVersionArn");
	cJSON_AddStringToObject(after, "solutionVersionArn", V2);
	assert_true(pz_promote_gates_applies(g, CAMP, before, after));
	/* Another campaign, or none at all: no gate. */
	assert_false(pz_promote_gates_applies(g, CAMP "2", before, after));
	assert_false(pz_promote_gates_applies(NULL, CAMP, before, after));
	assert_int_equal(pz_promote_gates_count(g), 0);
	assert_null(pz_promote_gates_get(g, 0, NULL));
	pz_promote_gates_free(g);
	cJSON_Delete(c.meta);
	cJSON_Delete(before);
	cJSON_Delete(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(worse_is_kept),
	    cmocka_unit_test(better_by_delta_moves),
	    cmocka_unit_test(missing_metric_is_an_error),
	    cmocka_unit_test(metric_names),
	    cmocka_unit_test(recorded_decision_holds_until_newer),
	    cmocka_unit_test(gates_apply_to_version_moves_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
