/*
 * test_usage.c - core/usage: prices files (and their errors at
 * file:line:col), the monthly delta, pricing, the saved form, and the
 * training start apply records (pz_plan_record's *_started_at).
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
#include "core/plan.h"
#include "core/state.h"
#include "core/usage.h"

static char dir[] = "/tmp/pz-test-usage-XXXXXX";

static char *write_file(const char *name, const char *text)
{
	char *path = pz_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int setup(void **st)
{
	(void)st;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st)
{
	char *cmd = pz_xasprintf("rm -rf '%s'", dir);
	int r;

	(void)st;
	r = system(cmd);
	free(cmd);
	return r == 0 ? 0 : -1;
}

static void test_prices_yaml_and_json(void **st)
{
	char *y = write_file("p.yaml", "# example\nregion: eu-west-1\n"
				       "TPS-hour: 0.2\ntraining-hour: 1\n");
	char *j = write_file("p.json",
			     "{\"GB-ingested\": 0.05, \"request-hour\": 2.5}");
	struct pz_prices *p = NULL;
	struct pz_diags d;

	(void)st;
	pz_diags_init(&d);
	assert_int_equal(pz_prices_load(&p, y, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(p->region, "eu-west-1");
	assert_true(p->has[PZ_UNIT_TPS_HOUR]);
	assert_true(p->usd[PZ_UNIT_TPS_HOUR] == 0.2);
	assert_true(p->has[PZ_UNIT_TRAINING_HOUR]);
	assert_true(p->usd[PZ_UNIT_TRAINING_HOUR] == 1.0);
	assert_false(p->has[PZ_UNIT_GB_INGESTED]);
	pz_prices_free(p);
	assert_int_equal(pz_prices_load(&p, j, &d), 0);
	assert_null(p->region);
	assert_true(p->usd[PZ_UNIT_GB_INGESTED] == 0.05);
	assert_true(p->usd[PZ_UNIT_REQUEST_HOUR] == 2.5);
	assert_false(p->has[PZ_UNIT_TPS_HOUR]);
	pz_prices_free(p);
	pz_diags_release(&d);
	free(y);
	free(j);
}

/* Every problem, each at its line and column, all in one load. */
static void test_prices_errors(void **st)
{
	char *y = write_file("bad.yaml", "region: us-east-1\n"
					 "TPS-hour: \"0.2\"\n"
					 "TPS-hours: 0.2\n"
					 "GB-ingested: cheap\n"
					 "training-hour: -1\n"
					 "request-hour: 1\n");
	char *j = write_file("bad.json", "{\"TPS-hour\": \"0.2\"}");
	char *list = write_file("list.yaml", "- TPS-hour: 0.2\n");
	char *dup = write_file("dup.yaml", "TPS-hour: 1\nTPS-hour: 2\n");
	struct pz_prices *p = (struct pz_prices *)&p;
	struct pz_diags d;
	size_t i;
	static const struct {
		unsigned line, col;
		const char *text;
	} want[] = {
	    {2, 11, "not a number"},
	    {3, 1, "did you mean 'TPS-hour'?"},
	    {4, 14, "'cheap', not a number"},
	    {5, 16, "zero or more"},
	};

	(void)st;
	pz_diags_init(&d);
	assert_int_equal(pz_prices_load(&p, y, &d), PZ_ESPEC);
	assert_null(p);
	pz_diags_sort(&d);
	for (i = 0; i < d.n; i++)
		printf("# %u:%u %s\n", d.items[i].pos.line, d.items[i].pos.col,
		       d.items[i].message);
	assert_int_equal(d.nerrors, PZ_ARRAY_LEN(want));
	for (i = 0; i < PZ_ARRAY_LEN(want); i++) {
		assert_string_equal(d.items[i].file, y);
		assert_int_equal(d.items[i].pos.line, want[i].line);
		assert_int_equal(d.items[i].pos.col, want[i].col);
		assert_non_null(strstr(d.items[i].message, want[i].text));
	}
	pz_diags_release(&d);
	/* JSON: a quoted number is a string, so not a price. */
	pz_diags_init(&d);
	assert_int_equal(pz_prices_load(&p, j, &d), PZ_ESPEC);
	assert_int_equal(d.nerrors, 1);
	assert_int_equal(d.items[0].pos.line, 1);
	assert_int_equal(d.items[0].pos.col, 14);
	pz_diags_release(&d);
	pz_diags_init(&d);
	assert_int_equal(pz_prices_load(&p, list, &d), PZ_ESPEC);
	assert_non_null(strstr(d.items[0].message, "a map of unit"));
	pz_diags_release(&d);
	pz_diags_init(&d);
	assert_int_equal(pz_prices_load(&p, dup, &d), PZ_ESPEC);
	assert_int_equal(d.items[0].pos.line, 2);
	assert_non_null(strstr(d.items[0].message, "duplicate"));
	pz_diags_release(&d);
	pz_diags_init(&d);
	assert_int_equal(pz_prices_load(&p, "/nonexistent/p.yaml", &d),
			 PZ_ENOTFOUND);
	pz_diags_release(&d);
	pz_error_clear();
	free(y);
	free(j);
	free(list);
	free(dup);
}

/* The prices are for the plan's region: another is an error at the
 * file's region line; the batch input is shown, never priced. */
static void test_prices_region_and_batch_input(void **st)
{
	char *y = write_file("r.yaml", "# example\nTPS-hour: 0.2\n"
				       "region: eu-west-1\n");
	char *b = write_file("b.yaml", "GB-batch-input: 0.01\n"
				       "GB-batch-inpt: 1\n");
	struct pz_prices *p = NULL;
	struct pz_diags d;

	(void)st;
	pz_diags_init(&d);
	assert_int_equal(pz_prices_load(&p, y, &d), 0);
	assert_int_equal(
	    pz_prices_check_region(p, "eu-west-1", "AWS_REGION", &d), 0);
	assert_int_equal(pz_prices_check_region(p, NULL, "none", &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(
	    pz_prices_check_region(p, "us-east-1", "AWS_REGION", &d), PZ_ESPEC);
	assert_int_equal(d.nerrors, 1);
	assert_string_equal(d.items[0].file, y);
	assert_int_equal(d.items[0].pos.line, 3);
	assert_int_equal(d.items[0].pos.col, 9);
	assert_non_null(strstr(d.items[0].message,
			       "these prices are for eu-west-1, but the plan "
			       "is for us-east-1 (AWS_REGION)"));
	pz_prices_free(p);
	pz_diags_release(&d);
	pz_diags_init(&d);
	assert_int_equal(pz_prices_load(&p, b, &d), PZ_ESPEC);
	assert_int_equal(d.nerrors, 2);
	assert_int_equal(d.items[0].pos.line, 1);
	assert_non_null(
	    strstr(d.items[0].message, "GB-batch-input has no price"));
	/* No suggestion of a unit that cannot be priced. */
	assert_null(strstr(d.items[1].message, "did you mean"));
	pz_diags_release(&d);
	assert_false(pz_unit_priceable(PZ_UNIT_GB_BATCH_INPUT));
	assert_true(pz_unit_priceable(PZ_UNIT_GB_INGESTED));
	assert_int_equal(pz_unit_find("GB-batch-input"),
			 PZ_UNIT_GB_BATCH_INPUT);
	free(y);
	free(b);
}

static const struct pz_usage_item *
item(const struct pz_usage *u, enum pz_usage_set set, const char *address)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (u->items[i].set == set &&
		    !strcmp(u->items[i].address, address))
			return &u->items[i];
	return NULL;
}

static size_t count(const struct pz_usage *u, enum pz_usage_set set)
{
	size_t i, n = 0;

	for (i = 0; i < u->n; i++)
		n += u->items[i].set == set;
	return n;
}

static void test_delta(void **st)
{
	struct pz_usage *u = pz_usage_new();
	const struct pz_usage_item *it;

	(void)st;
	/* Unchanged: no delta. */
	pz_usage_add(u, PZ_USAGE_BEFORE, "campaign.same", PZ_UNIT_TPS_HOUR, 730,
		     "b");
	pz_usage_add(u, PZ_USAGE_MONTHLY, "campaign.same", PZ_UNIT_TPS_HOUR,
		     730, "a");
	/* Raised, new, destroyed. */
	pz_usage_add(u, PZ_USAGE_BEFORE, "campaign.up", PZ_UNIT_TPS_HOUR, 730,
		     "b");
	pz_usage_add(u, PZ_USAGE_MONTHLY, "campaign.up", PZ_UNIT_TPS_HOUR, 3650,
		     "a");
	pz_usage_add(u, PZ_USAGE_MONTHLY, "campaign.new", PZ_UNIT_TPS_HOUR, 730,
		     "a");
	pz_usage_add(u, PZ_USAGE_BEFORE, "recommender.gone",
		     PZ_UNIT_REQUEST_HOUR, 1460, "b");
	/* Unknown on both sides, said the same way: no delta; said
	 * differently: an unknown one. */
	pz_usage_add(u, PZ_USAGE_BEFORE, "solution.a", PZ_UNIT_TRAINING_HOUR,
		     -1, "weekly");
	pz_usage_add(u, PZ_USAGE_MONTHLY, "solution.a", PZ_UNIT_TRAINING_HOUR,
		     -1, "weekly");
	pz_usage_add(u, PZ_USAGE_BEFORE, "solution.b", PZ_UNIT_TRAINING_HOUR,
		     -1, "weekly");
	pz_usage_add(u, PZ_USAGE_MONTHLY, "solution.b", PZ_UNIT_TRAINING_HOUR,
		     -1, "daily");
	pz_usage_finish(u);
	assert_int_equal(count(u, PZ_USAGE_DELTA), 4);
	assert_null(item(u, PZ_USAGE_DELTA, "campaign.same"));
	assert_null(item(u, PZ_USAGE_DELTA, "solution.a"));
	it = item(u, PZ_USAGE_DELTA, "campaign.up");
	assert_true(it->known && it->quantity == 2920);
	assert_string_equal(it->basis, "730 -> 3650 TPS-hour/month");
	it = item(u, PZ_USAGE_DELTA, "campaign.new");
	assert_true(it->known && it->quantity == 730);
	it = item(u, PZ_USAGE_DELTA, "recommender.gone");
	assert_true(it->known && it->quantity == -1460);
	assert_int_equal(it->unit, PZ_UNIT_REQUEST_HOUR);
	it = item(u, PZ_USAGE_DELTA, "solution.b");
	assert_false(it->known);
	pz_usage_free(u);
}

static void test_price_and_render(void **st)
{
	struct pz_usage *u = pz_usage_new(), *back;
	struct pz_prices p;
	char path[] = "prices.yaml", region[] = "us-east-1";
	struct pz_buf a, b;
	cJSON *j, *saved, *e;

	(void)st;
	memset(&p, 0, sizeof(p));
	p.path = path;
	p.region = region;
	p.has[PZ_UNIT_TPS_HOUR] = true;
	p.usd[PZ_UNIT_TPS_HOUR] = 0.2;
	pz_usage_add(u, PZ_USAGE_MONTHLY, "campaign.c", PZ_UNIT_TPS_HOUR, 730,
		     "minProvisionedTPS 1 x 730 hours");
	pz_usage_add(u, PZ_USAGE_ONCE, "solution_version.s",
		     PZ_UNIT_TRAINING_HOUR, -1,
		     "unknown until the first "
		     "training");
	pz_usage_hint(u, "campaign.c", "a hint with a \033[31m colour");
	pz_usage_finish(u);
	pz_usage_price(u, &p);
	assert_true(item(u, PZ_USAGE_MONTHLY, "campaign.c")->priced);
	assert_true(item(u, PZ_USAGE_MONTHLY, "campaign.c")->usd == 146);
	assert_true(item(u, PZ_USAGE_DELTA, "campaign.c")->usd == 146);
	assert_false(item(u, PZ_USAGE_ONCE, "solution_version.s")->priced);

	/* The plan JSON's member: exactly the three lists. */
	j = pz_usage_to_json(u);
	assert_int_equal(cJSON_GetArraySize(j), 3);
	e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "once"), 0);
	assert_true(
	    cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "quantity")));
	assert_null(cJSON_GetObjectItemCaseSensitive(e, "usd"));
	e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "monthly"),
			       0);
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(e, "unit")->valuestring,
	    "TPS-hour");
	assert_true(cJSON_GetObjectItemCaseSensitive(e, "usd")->valuedouble ==
		    146);
	cJSON_Delete(j);

	/* A saved plan renders the same after loading. */
	pz_buf_init(&a, 0);
	pz_buf_init(&b, 0);
	assert_int_equal(pz_usage_render_text(u, &a, false), 0);
	assert_non_null(strstr(pz_buf_cstr(&a), "$146.00"));
	assert_non_null(strstr(pz_buf_cstr(&a), "each month: $146.00\n"));
	assert_null(strchr(pz_buf_cstr(&a), '\033')); /* escaped */
	saved = pz_usage_save_json(u);
	back = pz_usage_from_json(saved);
	assert_non_null(back);
	assert_int_equal(pz_usage_render_text(back, &b, false), 0);
	assert_string_equal(pz_buf_cstr(&a), pz_buf_cstr(&b));
	pz_buf_reset(&a);
	pz_buf_reset(&b);
	assert_int_equal(pz_usage_render_markdown(u, &a, 65536), 0);
	assert_int_equal(pz_usage_render_markdown(back, &b, 65536), 0);
	assert_string_equal(pz_buf_cstr(&a), pz_buf_cstr(&b));
	assert_non_null(strstr(pz_buf_cstr(&a), "### Cost"));
	/* No room for the table: the totals per unit. */
	pz_buf_reset(&b);
	assert_int_equal(pz_usage_render_markdown(u, &b, 100), 0);
	assert_non_null(strstr(pz_buf_cstr(&b), "Too many figures"));
	assert_non_null(strstr(pz_buf_cstr(&b),
			       "| monthly | 730 | TPS-hour | 0 | $146.00 |"));
	assert_non_null(
	    strstr(pz_buf_cstr(&b), "| once | 0 | training-hour | 1 |  |"));
	assert_null(strstr(pz_buf_cstr(&b), "campaign.c"));
	/* Malformed: refused, not half loaded. */
	cJSON_ReplaceItemInObjectCaseSensitive(saved, "once",
					       cJSON_CreateString("x"));
	assert_null(pz_usage_from_json(saved));
	cJSON_Delete(saved);
	pz_usage_free(back);
	pz_usage_free(u);
	pz_buf_release(&a);
	pz_buf_release(&b);
	/* No usage, no output. */
	pz_buf_init(&a, 0);
	assert_int_equal(pz_usage_render_text(NULL, &a, false), 0);
	assert_int_equal(pz_usage_render_markdown(NULL, &a, 65536), 0);
	assert_int_equal(a.len, 0);
	assert_null(pz_usage_to_json(NULL));
	pz_buf_release(&a);
}

/* apply records a new version twice (created, done): the start stays
 * from the first, the end moves; a new ARN starts again. */
static void test_record_started_at(void **st)
{
	struct pz_state *s = NULL;
	struct pz_change c;
	char address[] = "solution_version.s", type[] = "solution_version";
	const struct pz_state_resource *r;

	(void)st;
	assert_int_equal(pz_state_new(&s), 0);
	memset(&c, 0, sizeof(c));
	c.address = address;
	c.type = type;
	c.action = PZ_ACTION_CREATE;
	c.after = cJSON_CreateObject();
	c.meta = cJSON_CreateObject();
	cJSON_AddNullToObject(c.meta, "training_started_at");
	cJSON_AddNullToObject(c.meta, "trained_at");
	pz_plan_record(s, &c, "arn:a", "CREATE PENDING", NULL, NULL, 100);
	pz_plan_record(s, &c, "arn:a", "ACTIVE", NULL, NULL, 9100);
	r = pz_state_find(s, "solution_version.s");
	assert_true(
	    cJSON_GetObjectItemCaseSensitive(r->meta, "training_started_at")
		->valuedouble == 100);
	assert_true(cJSON_GetObjectItemCaseSensitive(r->meta, "trained_at")
			->valuedouble == 9100);
	pz_plan_record(s, &c, "arn:b", "CREATE PENDING", NULL, NULL, 20000);
	r = pz_state_find(s, "solution_version.s");
	assert_true(
	    cJSON_GetObjectItemCaseSensitive(r->meta, "training_started_at")
		->valuedouble == 20000);
	cJSON_Delete(c.after);
	cJSON_Delete(c.meta);
	pz_state_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prices_yaml_and_json),
	    cmocka_unit_test(test_prices_errors),
	    cmocka_unit_test(test_prices_region_and_batch_input),
	    cmocka_unit_test(test_delta),
	    cmocka_unit_test(test_price_and_render),
	    cmocka_unit_test(test_record_started_at),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
