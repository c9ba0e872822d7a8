/*
 * test_gitops.c - the review of a change (core/gitops.h) compares
 * declarations canonically; the git member of a saved plan goes and
 * comes back whole and refuses what is not a commit; the markdown plan
 * keeps its marker on one safe line and never exceeds its limit, however
 * many resources a plan destroys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/gitops.h"
#include "core/plan.h"
#include "core/spec.h"
#include "providers/personalize/personalize.h"
#include "fixtures.h"

static struct pz_spec *load(const char *text)
{
	struct pz_spec *spec = NULL;
	struct pz_diags d;

	pz_personalize_register();
	pz_diags_init(&d);
	assert_int_equal(
	    pz_spec_load_text(&spec, "t.yaml", text, strlen(text), NULL, 0, &d),
	    0);
	assert_int_equal(d.nerrors, 0);
	pz_diags_release(&d);
	return spec;
}

/* clang-format off */
static const char base[] =
    "datasetGroup: {name: demo}\n"
    "datasets:\n"
    PZ_TEST_INTERACTIONS("interactions")
    "solutions:\n"
    "  ups:\n"
    "    name: ups\n"
    "    performAutoTraining: false\n"
    "    recipeArn: arn:aws:personalize:::recipe/aws-user-personalization\n"
    "campaigns:\n"
    "  upsCampaign:\n"
    "    name: ups\n"
    "    minProvisionedTPS: 1\n"
    "    pz: {solution: ups}\n"
    "filters:\n"
    "  - name: no-clicks\n"
    "    filterExpression: EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN "
    "(\"x\")\n";
/* clang-format on */

static struct pz_plan_git *review(const char *a, const char *b)
{
	struct pz_plan_git *pg = calloc(1, sizeof(*pg));
	struct pz_spec *sa = a ? load(a) : NULL, *sb = load(b);

	assert_non_null(pg);
	pz_gitops_review(pg, sa, sb);
	pz_spec_free(sa);
	pz_spec_free(sb);
	return pg;
}

static void test_layout_is_no_change(void **state)
{
	/* The same declarations: comments, flow vs block style, key order,
	 * quoting. */
	static const char same[] =
	    "# reformatted\n"
	    "datasetGroup:\n"
	    "  name: \"demo\"\n"
	    "datasets:\n"
	    "  Interactions:\n"
	    "    schema: {type: record, name: Interactions, namespace: "
	    "com.amazonaws.personalize.schema, fields: [{type: string, name: "
	    "USER_ID}, {name: ITEM_ID, type: string}, {name: EVENT_TYPE, type: "
	    "string}, {name: TIMESTAMP, type: long}]}\n"
	    "    name: interactions   # the events\n"
	    "solutions:\n"
	    "  ups:\n"
	    "    recipeArn: arn:aws:personalize:::recipe/"
	    "aws-user-personalization\n"
	    "    performAutoTraining: false\n"
	    "    name: ups\n"
	    "campaigns:\n"
	    "  upsCampaign: {pz: {solution: ups}, minProvisionedTPS: 1, name: "
	    "ups}\n"
	    "filters:\n"
	    "  - filterExpression: 'EXCLUDE ItemID WHERE "
	    "Interactions.EVENT_TYPE "
	    "IN (\"x\")'\n"
	    "    name: no-clicks\n";
	struct pz_plan_git *pg = review(base, same);

	(void)state;
	assert_int_equal(pg->nresources, 0);
	pz_plan_git_free(pg);
}

static void test_members_that_differ(void **state)
{
	char *b = strdup(base), *p;
	struct pz_plan_git *pg;
	char text[4096];

	(void)state;
	/* TPS 1 -> 2, a pz setting added, a filter renamed (one removed,
	 * one added). */
	p = strstr(b, "minProvisionedTPS: 1\n    pz: {solution: ups}");
	assert_non_null(p);
	*p = '\0';
	snprintf(text, sizeof(text),
		 "%sminProvisionedTPS: 2\n"
		 "    pz: {solution: ups, lifecycle: {preventDestroy: true}}\n"
		 "filters:\n"
		 "  - name: no-clicks-v2\n"
		 "    filterExpression: EXCLUDE ItemID WHERE "
		 "Interactions.EVENT_TYPE IN (\"x\")\n",
		 b);
	pg = review(base, text);
	assert_int_equal(pg->nresources, 3);
	assert_string_equal(pg->resources[0].address, "campaign.upsCampaign");
	assert_string_equal(pg->resources[0].change, "changed");
	assert_int_equal(pg->resources[0].nmembers, 2);
	assert_string_equal(pg->resources[0].members[0], "minProvisionedTPS");
	assert_string_equal(pg->resources[0].members[1], "pz.lifecycle");
	assert_string_equal(pg->resources[1].address, "filter.no-clicks");
	assert_string_equal(pg->resources[1].change, "removed");
	assert_string_equal(pg->resources[2].address, "filter.no-clicks-v2");
	assert_string_equal(pg->resources[2].change, "added");
	pz_plan_git_free(pg);
	/* No base spec: every declared resource is added, none derived. */
	pg = review(NULL, base);
	assert_int_equal(pg->nresources, 5);
	for (size_t i = 0; i < pg->nresources; i++) {
		assert_string_equal(pg->resources[i].change, "added");
		assert_null(strstr(pg->resources[i].address, "schema."));
	}
	pz_plan_git_free(pg);
	free(b);
}

static void test_json_round_trip(void **state)
{
	struct pz_plan_git *pg = review(base, base), *back = NULL;
	cJSON *j, *bad;

	(void)state;
	memset(pg->head, 'a', 40);
	memset(pg->base, 'b', 40);
	pg->dirty = true;
	pg->spec_path = strdup("x/pz.yaml");
	pg->files = calloc(1, sizeof(*pg->files));
	pg->files[0].path = strdup("x/pz.yaml");
	pg->files[0].old_path = strdup("x/old.yaml");
	pg->files[0].status = "renamed";
	pg->files[0].spec = true;
	pg->nfiles = 1;
	j = pz_plan_git_json(pg);
	assert_int_equal(pz_plan_git_from_json(&back, j), 0);
	assert_string_equal(back->head, pg->head);
	assert_string_equal(back->base, pg->base);
	assert_true(back->dirty);
	assert_string_equal(back->files[0].old_path, "x/old.yaml");
	assert_string_equal(back->files[0].status, "renamed");
	assert_true(back->files[0].spec);
	pz_plan_git_free(back);
	/* Not a commit id, an unknown status: refused. */
	bad = cJSON_Duplicate(j, 1);
	cJSON_ReplaceItemInObject(bad, "head", cJSON_CreateString("HEAD"));
	assert_int_equal(pz_plan_git_from_json(&back, bad), PZ_EINVAL);
	assert_null(back);
	cJSON_Delete(bad);
	bad = cJSON_Duplicate(j, 1);
	cJSON_ReplaceItemInObject(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(bad, "files"), 0), "status",
	    cJSON_CreateString("copied"));
	assert_int_equal(pz_plan_git_from_json(&back, bad), PZ_EINVAL);
	cJSON_Delete(bad);
	cJSON_Delete(j);
	pz_plan_git_free(pg);
	assert_true(
	    pz_git_id_valid("0123456789abcdef0123456789abcdef01234567"));
	assert_false(
	    pz_git_id_valid("0123456789ABCDEF0123456789abcdef01234567"));
	assert_false(pz_git_id_valid("0123456789abcdef"));
}

/* A plan that destroys n filters, each with a long expression. */
static struct pz_plan *big_plan(size_t n)
{
	struct pz_plan *plan = calloc(1, sizeof(*plan));
	size_t i;

	plan->changes = calloc(n, sizeof(*plan->changes));
	plan->n = plan->cap = n;
	plan->spec_path = strdup("pz.yaml");
	for (i = 0; i < n; i++) {
		struct pz_change *c = &plan->changes[i];
		char addr[64], expr[600];

		snprintf(addr, sizeof(addr), "filter.f%05zu", i);
		memset(expr, 'x', sizeof(expr) - 1);
		expr[sizeof(expr) - 1] = '\0';
		c->address = strdup(addr);
		c->type = strdup("filter");
		c->action = PZ_ACTION_DELETE;
		c->before = cJSON_CreateObject();
		cJSON_AddStringToObject(c->before, "filterExpression", expr);
	}
	pz_plan_count(plan);
	return plan;
}

static void test_markdown_limit(void **state)
{
	static const size_t counts[] = {10, 300, 5000};
	struct pz_render_opts ro;
	struct pz_buf out;
	size_t k;

	(void)state;
	memset(&ro, 0, sizeof(ro));
	ro.marker = "evil --> <b>x</b>\nnext";
	ro.artifact = "plan.pzplan";
	for (k = 0; k < 3; k++) {
		struct pz_plan *plan = big_plan(counts[k]);
		const char *s, *nl;

		pz_buf_init(&out, 0);
		assert_int_equal(pz_plan_render_markdown(plan, &out, &ro), 0);
		s = pz_buf_cstr(&out);
		nl = strchr(s, '\n');
		/* One marker line, closed once, at its end. */
		assert_memory_equal(s, "<!-- pz-plan: ", 14);
		assert_true(strstr(s, "-->") == nl - 3);
		for (const char *c = s + 14; c < nl - 4; c++)
			assert_true(*c != '<' && *c != '>' &&
				    !(c[0] == '-' && c[1] == '-'));
		assert_memory_equal(nl - 9, "_next -->", 9);
		assert_true(out.len <= 65536);
		if (counts[k] >= 300) {
			assert_non_null(strstr(s, "too long for a comment: it "
						  "is in `plan.pzplan`"));
			assert_non_null(strstr(s, "plan digest `sha256:"));
		}
		if (counts[k] == 5000)
			assert_non_null(strstr(s, "… and "));
		pz_buf_release(&out);
		/* A limit below the summary itself: still never over. */
		ro.max_bytes = 300;
		pz_buf_init(&out, 0);
		assert_int_equal(pz_plan_render_markdown(plan, &out, &ro), 0);
		assert_true(out.len <= 300);
		pz_buf_release(&out);
		ro.max_bytes = 0;
		pz_plan_free(plan);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layout_is_no_change),
	    cmocka_unit_test(test_members_that_differ),
	    cmocka_unit_test(test_json_round_trip),
	    cmocka_unit_test(test_markdown_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
