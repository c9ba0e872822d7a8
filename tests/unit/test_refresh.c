/*
 * test_refresh.c - what refresh makes of a Describe answer: update
 * progress and failures (latest*Update) while the top-level status stays
 * ACTIVE become UPDATE <status>, so that the planner waits for an update
 * in progress and plans a failed one again; a campaign that syncs is
 * at <solution ARN>/$LATEST; a solution has the settings of its last
 * finished update (personalize-rules.md §9.1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/plan.h"
#include "core/provider.h"
#include "providers/personalize/personalize.h"
#include "providers/personalize/refresh.h"

static void project(const char *type, const char *json, struct pz_live *out)
{
	cJSON *answer = cJSON_Parse(json);

	assert_non_null(answer);
	pz_personalize_register();
	memset(out, 0, sizeof(*out));
	pz_personalize_project(pz_rtype_find(type), answer, out);
	cJSON_Delete(answer);
}

static void update_in_progress_waits(void **unused)
{
	struct pz_live l;

	(void)unused;
	project("campaign",
		"{\"campaign\": {\"campaignArn\": \"arn:c\", \"status\": "
		"\"ACTIVE\", \"minProvisionedTPS\": 1, "
		"\"latestCampaignUpdate\": {\"status\": \"CREATE "
		"IN_PROGRESS\", \"minProvisionedTPS\": 2}}}",
		&l);
	assert_string_equal(l.status, "UPDATE IN_PROGRESS");
	assert_true(pz_live_in_progress(&l));
	pz_live_release(&l);
}

static void update_failure_is_a_failure(void **unused)
{
	struct pz_live l;

	(void)unused;
	project("solution",
		"{\"solution\": {\"solutionArn\": \"arn:s\", \"status\": "
		"\"ACTIVE\", \"latestSolutionUpdate\": {\"status\": \"CREATE "
		"FAILED\", \"failureReason\": \"bad schedule\"}}}",
		&l);
	assert_string_equal(l.status, "UPDATE FAILED");
	assert_string_equal(l.failure_reason, "bad schedule");
	assert_false(pz_live_in_progress(&l));
	pz_live_release(&l);
}

static void finished_update_is_active(void **unused)
{
	struct pz_live l;

	(void)unused;
	project("recommender",
		"{\"recommender\": {\"recommenderArn\": \"arn:r\", \"status\": "
		"\"ACTIVE\", \"latestRecommenderUpdate\": {\"status\": "
		"\"ACTIVE\"}}}",
		&l);
	assert_string_equal(l.status, "ACTIVE");
	assert_null(l.failure_reason);
	pz_live_release(&l);
	/* A resource still being created is in progress on its own. */
	project("campaign",
		"{\"campaign\": {\"campaignArn\": \"arn:c\", \"status\": "
		"\"CREATE PENDING\"}}",
		&l);
	assert_string_equal(l.status, "CREATE PENDING");
	assert_true(pz_live_in_progress(&l));
	pz_live_release(&l);
}

static void syncing_campaign_is_at_latest(void **unused)
{
	struct pz_live l;
	const cJSON *v;

	(void)unused;
	project("campaign",
		"{\"campaign\": {\"campaignArn\": \"arn:c\", \"status\": "
		"\"ACTIVE\", \"solutionVersionArn\": "
		"\"arn:aws:personalize:us-east-1:1:solution/s/5a1b2c3d\", "
		"\"campaignConfig\": {\"syncWithLatestSolutionVersion\": "
		"true}}}",
		&l);
	v = cJSON_GetObjectItemCaseSensitive(l.attrs, "solutionVersionArn");
	assert_string_equal(
	    v->valuestring,
	    "arn:aws:personalize:us-east-1:1:solution/s/$LATEST");
	pz_live_release(&l);
}

/* personalize-rules.md §9.1: DescribeSolution's solutionConfig may keep
 * the old schedule after an UpdateSolution, with the new one only in
 * latestSolutionUpdate; the finished update is what the solution has. */
static void finished_solution_update_is_its_settings(void **unused)
{
	struct pz_live l;
	const cJSON *sc, *v;

	(void)unused;
	project("solution",
		"{\"solution\": {\"solutionArn\": \"arn:s\", \"status\": "
		"\"ACTIVE\", \"performAutoTraining\": true, "
		"\"solutionConfig\": {\"eventValueThreshold\": \"1\", "
		"\"autoTrainingConfig\": {\"schedulingExpression\": "
		"\"rate(7 days)\"}}, \"latestSolutionUpdate\": {\"status\": "
		"\"ACTIVE\", \"performAutoTraining\": true, "
		"\"solutionUpdateConfig\": {\"autoTrainingConfig\": "
		"{\"schedulingExpression\": \"rate(14 days)\"}}}}}",
		&l);
	assert_string_equal(l.status, "ACTIVE");
	sc = cJSON_GetObjectItemCaseSensitive(l.attrs, "solutionConfig");
	v = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(sc, "autoTrainingConfig"),
	    "schedulingExpression");
	assert_string_equal(v->valuestring, "rate(14 days)");
	/* What the update did not name stays as described. */
	v = cJSON_GetObjectItemCaseSensitive(sc, "eventValueThreshold");
	assert_string_equal(v->valuestring, "1");
	pz_live_release(&l);

	/* A failed update changed nothing: the described settings stand. */
	project("solution",
		"{\"solution\": {\"solutionArn\": \"arn:s\", \"status\": "
		"\"ACTIVE\", \"performAutoTraining\": false, "
		"\"latestSolutionUpdate\": {\"status\": \"CREATE FAILED\", "
		"\"performAutoTraining\": true, \"solutionUpdateConfig\": "
		"{\"autoTrainingConfig\": {\"schedulingExpression\": "
		"\"rate(3 days)\"}}}}}",
		&l);
	assert_string_equal(l.status, "UPDATE FAILED");
	assert_true(cJSON_IsFalse(
	    cJSON_GetObjectItemCaseSensitive(l.attrs, "performAutoTraining")));
	assert_null(
	    cJSON_GetObjectItemCaseSensitive(l.attrs, "solutionConfig"));
	pz_live_release(&l);

	/* A finished update that turned automatic training off. */
	project("solution",
		"{\"solution\": {\"solutionArn\": \"arn:s\", \"status\": "
		"\"ACTIVE\", \"performAutoTraining\": true, "
		"\"latestSolutionUpdate\": {\"status\": \"ACTIVE\", "
		"\"performAutoTraining\": false}}}",
		&l);
	assert_true(cJSON_IsFalse(
	    cJSON_GetObjectItemCaseSensitive(l.attrs, "performAutoTraining")));
	pz_live_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(update_in_progress_waits),
	    cmocka_unit_test(update_failure_is_a_failure),
	    cmocka_unit_test(finished_update_is_active),
	    cmocka_unit_test(syncing_campaign_is_at_latest),
	    cmocka_unit_test(finished_solution_update_is_its_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
