/*
 * cmd_metrics.c - pz metrics [SOLUTION]: the offline metrics of every
 * version of a solution side by side (ListSolutionVersions, then
 * GetSolutionMetrics for each ACTIVE one), so that a campaign's
 * pz.promote.minDelta can be chosen with evidence.
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "core/backend.h"
#include "core/error.h"
#include "core/escape.h"
#include "core/spec.h"
#include "core/state.h"
#include "providers/aws/client.h"
#include "providers/aws/http.h"
#include "core/provider_ops.h"

static long opt_last = 0;
static bool opt_json;

static const struct pz_opt metrics_opts[] = {
    {"last", PZ_OPT_INT, &opt_last, "N",
     "only the newest N versions of each solution (default: every one)"},
    {"json", PZ_OPT_BOOL, &opt_json, NULL, "print one JSON object"},
    PZ_OPT_ROWS_SPEC(PZ_HELP_SPEC_STATE),
    PZ_OPT_ROW_STATE("read this local state file instead of the spec's "
		     "backend"),
    {NULL},
};

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A version's id: the last part of its ARN ("…/solution/name/<id>"). */
static const char *version_id(const char *arn)
{
	const char *slash = arn ? strrchr(arn, '/') : NULL;

	return slash ? slash + 1 : arn;
}

/* The campaigns of the state that serve version arn. */
static cJSON *served_by(const struct pz_state *st, const char *arn)
{
	cJSON *list = cJSON_CreateArray();
	size_t i;

	for (i = 0; st && i < st->n; i++) {
		const struct pz_state_resource *r = &st->resources[i];
		const char *v = str_of(r->attributes, "solutionVersionArn");

		if (!strcmp(r->type, "campaign") && v && arn && !strcmp(v, arn))
			cJSON_AddItemToArray(list,
					     cJSON_CreateString(r->address));
	}
	return list;
}

/* One solution: its versions (oldest first), each with its metrics
 * (null while it is not ACTIVE) and the campaigns that serve it. */
static int solution_json(struct pz_aws_client *c, const struct pz_state *st,
			 const char *address, const char *arn, cJSON **out)
{
	cJSON *versions = NULL, *o, *v;
	int n, skip;

	*out = NULL;
	if (pz_provider_ops()->list_versions(c, arn, &versions))
		return pz_error_wrap(0, "%s", address);
	n = cJSON_GetArraySize(versions);
	skip = opt_last > 0 && n > opt_last ? n - (int)opt_last : 0;
	while (skip-- > 0)
		cJSON_DeleteItemFromArray(versions, 0);
	cJSON_ArrayForEach(v, versions)
	{
		const char *sv = str_of(v, "solutionVersionArn");
		const char *status = str_of(v, "status");
		cJSON *m = NULL;

		if (sv && status && !strcmp(status, "ACTIVE") &&
		    pz_provider_ops()->version_metrics(c, sv, &m)) {
			cJSON_Delete(versions);
			return pz_error_wrap(0, "%s", address);
		}
		cJSON_AddItemToObject(v, "metrics", m ? m : cJSON_CreateNull());
		cJSON_AddItemToObject(v, "servedBy", served_by(st, sv));
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "address", address);
	cJSON_AddStringToObject(o, "solutionArn", arn);
	cJSON_AddItemToObject(o, "versions", versions);
	*out = o;
	return 0;
}

/* Names in the order people read them: "precision_at_5" before
 * "precision_at_10" (digit runs compare as numbers). */
static int natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			unsigned long x = 0, y = 0;

			for (; isdigit((unsigned char)*a); a++)
				x = x * 10 + (unsigned long)(*a - '0');
			for (; isdigit((unsigned char)*b); b++)
				y = y * 10 + (unsigned long)(*b - '0');
			if (x != y)
				return x < y ? -1 : 1;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

/* Every metric name the versions report, sorted. */
static cJSON *metric_names(const cJSON *versions)
{
	cJSON *names = cJSON_CreateObject(), *list = cJSON_CreateArray();
	const cJSON *v, *m;

	cJSON_ArrayForEach(v, versions)
	{
		cJSON_ArrayForEach(
		    m, cJSON_GetObjectItemCaseSensitive(v, "metrics"))
		{
			if (!cJSON_GetObjectItemCaseSensitive(names, m->string))
				cJSON_AddTrueToObject(names, m->string);
		}
	}
	cJSON_ArrayForEach(m, names)
	{
		cJSON_AddItemToArray(list, cJSON_CreateString(m->string));
	}
	cJSON_Delete(names);
	/* cJSON keeps insertion order: sort by hand (few names). */
	{
		int n = cJSON_GetArraySize(list), a, b;

		for (a = 0; a < n; a++)
			for (b = a + 1; b < n; b++) {
				cJSON *x = cJSON_GetArrayItem(list, a);
				cJSON *y = cJSON_GetArrayItem(list, b);

				if (natural_cmp(x->valuestring,
						y->valuestring) > 0) {
					char *t = x->valuestring;

					x->valuestring = y->valuestring;
					y->valuestring = t;
				}
			}
	}
	return list;
}

#define MAX_COLS 64

struct table {
	const char *cells[MAX_COLS + 2]; /* row label, versions, change */
	char own[MAX_COLS + 2][48];	 /* formatted numbers */
	size_t ncols;
};

static void print_row(const struct table *t, const size_t *width)
{
	size_t i;

	/* Padded to the column's width, but for the last: no trailing
	 * blanks. */
	size_t end = t->ncols;

	while (end > 1 && !*t->cells[end - 1])
		end--;
	printf("  %-*s", end > 1 ? (int)width[0] : 0, pz_esc(t->cells[0]));
	for (i = 1; i < end; i++)
		printf("  %-*s", i + 1 < end ? (int)width[i] : 0,
		       pz_esc(t->cells[i]));
	printf("\n");
}

static void fmt_time(const cJSON *v, char *out, size_t n)
{
	const cJSON *t =
	    cJSON_GetObjectItemCaseSensitive(v, "creationDateTime");
	time_t s;
	struct tm tm;

	if (!cJSON_IsNumber(t)) {
		snprintf(out, n, "-");
		return;
	}
	s = (time_t)t->valuedouble;
	gmtime_r(&s, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%MZ", &tm);
}

/* The rows of one solution's table, each through fn. */
static void rows(const cJSON *sol, size_t *width, bool measure)
{
	const cJSON *versions =
	    cJSON_GetObjectItemCaseSensitive(sol, "versions");
	cJSON *names = metric_names(versions);
	const cJSON *v, *name;
	const char *labels[] = {"version", "status", "created", "training",
				"served by"};
	struct table t;
	size_t r, i, n = (size_t)cJSON_GetArraySize(versions);
	const cJSON *last = NULL, *prev = NULL;

	if (n > MAX_COLS)
		n = MAX_COLS;
	/* The change column compares the two newest ACTIVE versions. */
	cJSON_ArrayForEach(v, versions)
	{
		if (cJSON_IsObject(
			cJSON_GetObjectItemCaseSensitive(v, "metrics"))) {
			prev = last;
			last = v;
		}
	}
	for (r = 0;
	     r < PZ_ARRAY_LEN(labels) + (size_t)cJSON_GetArraySize(names);
	     r++) {
		bool is_metric = r >= PZ_ARRAY_LEN(labels);

		memset(&t, 0, sizeof(t));
		name = is_metric ? cJSON_GetArrayItem(
				       names, (int)(r - PZ_ARRAY_LEN(labels)))
				 : NULL;
		t.cells[0] = is_metric ? name->valuestring : labels[r];
		i = 1;
		cJSON_ArrayForEach(v, versions)
		{
			const char *cell = "-";

			if (i > n)
				break;
			if (is_metric) {
				const cJSON *x =
				    cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(
					    v, "metrics"),
					name->valuestring);

				if (cJSON_IsNumber(x)) {
					snprintf(t.own[i], sizeof(t.own[i]),
						 "%.4f", x->valuedouble);
					cell = t.own[i];
				}
			} else if (r == 0) {
				cell =
				    version_id(str_of(v, "solutionVersionArn"));
			} else if (r == 1) {
				cell = str_of(v, "status") ? str_of(v, "status")
							   : "-";
			} else if (r == 2) {
				fmt_time(v, t.own[i], sizeof(t.own[i]));
				cell = t.own[i];
			} else if (r == 3) {
				snprintf(t.own[i], sizeof(t.own[i]), "%s%s%s",
					 str_of(v, "trainingMode")
					     ? str_of(v, "trainingMode")
					     : "-",
					 str_of(v, "trainingType") ? " " : "",
					 str_of(v, "trainingType")
					     ? str_of(v, "trainingType")
					     : "");
				cell = t.own[i];
			} else {
				const cJSON *by =
				    cJSON_GetObjectItemCaseSensitive(
					v, "servedBy");

				if (cJSON_GetArraySize(by))
					cell = cJSON_GetArrayItem(by, 0)
						   ->valuestring;
			}
			t.cells[i++] = cell;
		}
		if (prev) {
			const char *cell = "";

			if (r == 0) {
				cell = "change";
			} else if (is_metric) {
				const cJSON *a =
				    cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(
					    last, "metrics"),
					name->valuestring);
				const cJSON *b =
				    cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(
					    prev, "metrics"),
					name->valuestring);

				cell = "-";
				if (cJSON_IsNumber(a) && cJSON_IsNumber(b)) {
					snprintf(
					    t.own[i], sizeof(t.own[i]), "%+.4f",
					    a->valuedouble - b->valuedouble);
					cell = t.own[i];
				}
			}
			t.cells[i++] = cell;
		}
		t.ncols = i;
		for (i = 0; i < t.ncols; i++) {
			size_t w = strlen(pz_esc(t.cells[i]));

			if (measure && w > width[i])
				width[i] = w;
		}
		if (!measure)
			print_row(&t, width);
	}
	cJSON_Delete(names);
}

static void print_text(const cJSON *sols)
{
	const cJSON *sol;
	bool first = true;

	cJSON_ArrayForEach(sol, sols)
	{
		const cJSON *versions =
		    cJSON_GetObjectItemCaseSensitive(sol, "versions");
		size_t width[MAX_COLS + 2] = {0};

		if (!first)
			printf("\n");
		first = false;
		printf("%s (%s)\n", pz_esc(str_of(sol, "address")),
		       pz_esc(str_of(sol, "solutionArn")));
		if (!cJSON_GetArraySize(versions)) {
			printf("  no versions yet\n");
			continue;
		}
		if (cJSON_GetArraySize(versions) > MAX_COLS)
			printf("  (the oldest %d of %d versions; -last=N shows "
			       "the newest, -json all)\n",
			       MAX_COLS, cJSON_GetArraySize(versions));
		printf("\n");
		rows(sol, width, true);
		rows(sol, width, false);
	}
}

static int prepare_metrics(struct pz_setup *s, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	s->parallelism = 10;
	if (opt_last < 0) {
		pz_cmd_error("-last takes a positive number, not %ld",
			     opt_last);
		return 1;
	}
	return 0;
}

static int run_metrics(struct pz_setup *s, int argc, char **argv)
{
	const struct pz_state *st = s->state;
	struct pz_aws_client *c = s->client;
	cJSON *root = NULL, *sols;
	bool stored = s->stored;
	int status = 1;
	size_t i, found = 0;

	root = cJSON_CreateObject();
	sols = cJSON_AddArrayToObject(root, "solutions");
	if (argc && pz_str_has_prefix(argv[0], "arn:")) {
		cJSON *o;

		if (solution_json(c, st, argv[0], argv[0], &o)) {
			status = pz_cmd_fail();
			goto out;
		}
		cJSON_AddItemToArray(sols, o);
		found = 1;
	}
	for (i = 0; !found && stored && i < st->n; i++) {
		const struct pz_state_resource *r = &st->resources[i];
		cJSON *o;

		if (strcmp(r->type, "solution") || !r->arn)
			continue;
		if (argc && strcmp(r->address, argv[0]) &&
		    strcmp(r->address + strlen("solution."), argv[0]))
			continue;
		if (solution_json(c, st, r->address, r->arn, &o)) {
			status = pz_cmd_fail();
			goto out;
		}
		cJSON_AddItemToArray(sols, o);
	}
	if (!cJSON_GetArraySize(sols)) {
		if (argc)
			pz_cmd_error("no solution '%s' in the state: give "
				     "solution.KEY, KEY or a solution ARN",
				     pz_esc(argv[0]));
		else
			pz_cmd_error("the state has no solution yet: run pz "
				     "apply first");
		goto out;
	}
	if (opt_json) {
		status = pz_cmd_print_json(root);
	} else {
		print_text(sols);
		status = 0;
	}
out:
	cJSON_Delete(root);
	return status;
}

const struct pz_cmd pz_cmd_metrics = {
    .name = "metrics",
    .summary = "Show the offline metrics of every version of a solution",
    .usage = "[SOLUTION]",
    .description =
	"Lists the versions of each solution in the state (or only SOLUTION:\n"
	"solution.KEY, KEY or a solution ARN), oldest first, and prints the\n"
	"metrics GetSolutionMetrics reports for each ACTIVE one side by\n"
	"side, with the campaign that serves each version and, in a last\n"
	"column, how the newest ACTIVE version differs from the one before:\n"
	"the evidence for a campaign's pz.promote.minDelta.\n"
	"Reads the state without locking it.",
    .opts = metrics_opts,
    .min_args = 0,
    .max_args = 1,
    .setup = PZ_SETUP_STATE | PZ_SETUP_LOAD | PZ_SETUP_CLIENT,
    .prepare = prepare_metrics,
    .run = run_metrics,
};
