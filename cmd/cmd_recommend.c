/*
 * cmd_recommend.c - pz recommend and pz rank: ask a deployed campaign or
 * recommender of the spec for recommendations (GetRecommendations) or
 * to rank items for a user (GetPersonalizedRanking), on the
 * personalize-runtime endpoint (AWS_ENDPOINT_URL_PERSONALIZE_RUNTIME).
 *
 * ADDR is resolved through the state: "campaign.KEY", "recommender.KEY",
 * a bare KEY (a campaign first, then a recommender), or an ARN. A
 * filter is named by its name or key in the state, or by its ARN.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/backend.h"
#include "core/error.h"
#include "core/escape.h"
#include "core/spec.h"
#include "core/state.h"
#include "providers/aws/client.h"
#include "providers/aws/http.h"
#include "providers/aws/json.h"

static const char *opt_user;
static const char *opt_item;
static const char *opt_filter;
static long opt_n = -1;
static bool opt_json;

/* The rows recommend and rank share, after their own. */
/* clang-format off */
#define RUNTIME_ROWS                                                         \
	{"filter", PZ_OPT_STRING, &opt_filter, "NAME",                       \
	 "apply this filter of the spec (its name or key), or a filter "     \
	 "ARN"},                                                             \
	{"json", PZ_OPT_BOOL, &opt_json, NULL, "print one JSON object"},     \
	PZ_OPT_ROWS_SPEC(PZ_HELP_SPEC_STATE),                                \
	PZ_OPT_ROW_STATE("read this local state file instead of the "        \
			 "spec's backend")
/* clang-format on */

static const struct pz_opt recommend_opts[] = {
    {"user", PZ_OPT_STRING, &opt_user, "ID",
     "recommend for this user (user-personalization, popularity, "
     "recommenders of the \"for you\" kind)"},
    {"item", PZ_OPT_STRING, &opt_item, "ID",
     "recommend items related to this one (similar-items, SIMS, "
     "\"more like X\" recommenders)"},
    {"n", PZ_OPT_INT, &opt_n, "N",
     "how many items, 1 to 500 (default: the service's, 25)"},
    RUNTIME_ROWS,
    {NULL},
};

static const struct pz_opt rank_opts[] = {
    {"user", PZ_OPT_STRING, &opt_user, "ID", "rank the items for this user"},
    RUNTIME_ROWS,
    {NULL},
};

/* What a recommendation call goes to. */
struct target {
	char *address; /* "campaign.x", or the ARN given */
	char *arn;
	bool recommender;
};

static void target_release(struct target *t)
{
	free(t->address);
	free(t->arn);
}

static bool arn_is(const char *arn, const char *kind)
{
	const char *p = strstr(arn, ":personalize:");
	size_t n = strlen(kind);

	if (!p)
		return false;
	/* arn:aws:personalize:REGION:ACCOUNT:KIND/NAME */
	p = strchr(p + 13, ':');
	p = p ? strchr(p + 1, ':') : NULL;
	return p && !strncmp(p + 1, kind, n) && p[1 + n] == '/';
}

/* The addresses of the types asked for in the state, for a message. */
static char *list_of(const struct pz_state *st, const char *a, const char *b)
{
	struct pz_buf out;
	char *s;
	size_t i;

	pz_buf_init(&out, 0);
	for (i = 0; st && i < st->n; i++) {
		const struct pz_state_resource *r = &st->resources[i];

		if (strcmp(r->type, a) && (!b || strcmp(r->type, b)))
			continue;
		if (pz_buf_printf(&out, "%s%s", out.len ? ", " : "",
				  r->address))
			PZ_BUG("out of buffer");
	}
	s = pz_buf_detach(&out, NULL);
	return s;
}

static int resolve_target(const struct pz_state *st, const char *addr,
			  bool campaign_only, struct target *t)
{
	const struct pz_state_resource *r = NULL;
	const cJSON *paused;
	char *list, buf[300];

	memset(t, 0, sizeof(*t));
	if (pz_str_has_prefix(addr, "arn:")) {
		t->recommender = arn_is(addr, "recommender");
		if (!t->recommender && !arn_is(addr, "campaign")) {
			pz_cmd_error("'%s' is not the ARN of a campaign or a "
				     "recommender",
				     pz_esc(addr));
			return 1;
		}
		t->address = pz_xstrdup(addr);
		t->arn = pz_xstrdup(addr);
		return 0;
	}
	if (strchr(addr, '.')) {
		if (!pz_str_has_prefix(addr, "campaign.") &&
		    !pz_str_has_prefix(addr, "recommender.")) {
			pz_cmd_error("'%s' is not a campaign or a recommender: "
				     "give campaign.KEY or recommender.KEY",
				     pz_esc(addr));
			return 1;
		}
		r = st ? pz_state_find(st, addr) : NULL;
	} else {
		snprintf(buf, sizeof(buf), "campaign.%s", addr);
		r = st ? pz_state_find(st, buf) : NULL;
		snprintf(buf, sizeof(buf), "recommender.%s", addr);
		if (!r && st)
			r = pz_state_find(st, buf);
	}
	pz_error_clear();
	if (!r || !r->arn) {
		list = list_of(st, "campaign", "recommender");
		pz_cmd_error("%s is not deployed: the state has %s%s%s",
			     pz_esc(addr),
			     r ? "it without an ARN"
			       : "no such "
				 "campaign or "
				 "recommender",
			     *list ? "; it has " : " (run pz apply first)",
			     pz_esc(list));
		free(list);
		return 1;
	}
	t->recommender = !strcmp(r->type, "recommender");
	if (campaign_only && t->recommender) {
		pz_cmd_error(
		    "%s: GetPersonalizedRanking takes a campaign, not a "
		    "recommender",
		    pz_esc(r->address));
		return 1;
	}
	/* The status refresh last saw, or the one pz.state asked for
	 * (recommender.c plans it as the "status" attribute). */
	paused = cJSON_GetObjectItemCaseSensitive(r->attributes, "status");
	if ((r->status && !strcmp(r->status, "INACTIVE")) ||
	    (cJSON_IsString(paused) &&
	     !strcmp(paused->valuestring, "INACTIVE")))
		pz_cmd_error("warning: %s was stopped (INACTIVE): it does not "
			     "answer until started again (pz.state: ACTIVE)",
			     pz_esc(r->address));
	t->address = pz_xstrdup(r->address);
	t->arn = pz_xstrdup(r->arn);
	return 0;
}

/* A filter by name or key in the state, or an ARN. */
static int resolve_filter(const struct pz_state *st, const char *name,
			  char **out)
{
	size_t i;
	char *list;

	*out = NULL;
	if (pz_str_has_prefix(name, "arn:")) {
		*out = pz_xstrdup(name);
		return 0;
	}
	for (i = 0; st && i < st->n; i++) {
		const struct pz_state_resource *r = &st->resources[i];
		const cJSON *n =
		    cJSON_GetObjectItemCaseSensitive(r->attributes, "name");
		const char *key = strchr(r->address, '.');

		if (strcmp(r->type, "filter") || !r->arn)
			continue;
		if ((cJSON_IsString(n) && !strcmp(n->valuestring, name)) ||
		    (key && !strcmp(key + 1, name)) ||
		    !strcmp(r->address, name)) {
			*out = pz_xstrdup(r->arn);
			return 0;
		}
	}
	list = list_of(st, "filter", NULL);
	pz_cmd_error("no filter '%s' in the state%s%s", pz_esc(name),
		     *list ? "; it has " : "", pz_esc(list));
	free(list);
	return 1;
}

/* The state (and the spec, when one says where it is: its region and
 * profile are the client's), read by the setup. */
static const struct pz_state *deployed(const struct pz_setup *s)
{
	if (!s->stored) {
		pz_cmd_error("no state yet: run pz apply first");
		return NULL;
	}
	return s->state;
}

/* The score, padded when more follows on the line. */
static void print_score(const cJSON *item, bool more)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(item, "score");

	if (cJSON_IsNumber(s))
		printf("%-*.7f", more ? 9 : 0, s->valuedouble);
	else
		printf("%-*s", more ? 9 : 0, "-");
}

/* The items as a table: rank, item, score, and why when the service
 * says (promotions, reasons). */
static void print_items(const struct target *t, const char *what,
			const cJSON *items, const cJSON *rec_id)
{
	const cJSON *it;
	size_t width = 4, i = 0;

	cJSON_ArrayForEach(it, items)
	{
		const cJSON *id =
		    cJSON_GetObjectItemCaseSensitive(it, "itemId");

		if (cJSON_IsString(id) &&
		    strlen(pz_esc(id->valuestring)) > width)
			width = strlen(pz_esc(id->valuestring));
	}
	if (width > 64)
		width = 64;
	printf("%s from %s", what, pz_esc(t->address));
	if (cJSON_IsString(rec_id))
		printf(" (recommendation %s)", pz_esc(rec_id->valuestring));
	printf(":\n\n");
	if (!cJSON_GetArraySize(items)) {
		printf("  (no items)\n");
		return;
	}
	printf("  %4s  %-*s  %s\n", "#", (int)width, "ITEM", "SCORE");
	cJSON_ArrayForEach(it, items)
	{
		const cJSON *id =
		    cJSON_GetObjectItemCaseSensitive(it, "itemId");
		const cJSON *promo =
		    cJSON_GetObjectItemCaseSensitive(it, "promotionName");
		const cJSON *why =
		    cJSON_GetObjectItemCaseSensitive(it, "reason");

		printf("  %4zu  %-*s  ", ++i, (int)width,
		       pz_esc(cJSON_IsString(id) ? id->valuestring : "?"));
		print_score(
		    it, cJSON_IsString(promo) ||
			    (cJSON_IsArray(why) && cJSON_GetArraySize(why)));
		if (cJSON_IsString(promo))
			printf("  promotion %s", pz_esc(promo->valuestring));
		if (cJSON_IsArray(why) && cJSON_GetArraySize(why)) {
			const cJSON *w;
			const char *sep = "  ";

			cJSON_ArrayForEach(w, why)
			{
				if (cJSON_IsString(w)) {
					printf("%s%s", sep,
					       pz_esc(w->valuestring));
					sep = ", ";
				}
			}
		}
		printf("\n");
	}
}

static int print_answer(const struct target *t, const char *op,
			const char *list_key, cJSON *answer)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(answer, list_key);
	const cJSON *rec_id =
	    cJSON_GetObjectItemCaseSensitive(answer, "recommendationId");
	int r = 0;

	if (opt_json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "address", t->address);
		cJSON_AddStringToObject(
		    o, t->recommender ? "recommenderArn" : "campaignArn",
		    t->arn);
		cJSON_AddStringToObject(o, "operation", op);
		if (cJSON_IsString(rec_id))
			cJSON_AddStringToObject(o, "recommendationId",
						rec_id->valuestring);
		cJSON_AddItemToObject(o, "items",
				      cJSON_IsArray(items)
					  ? cJSON_Duplicate(items, 1)
					  : cJSON_CreateArray());
		r = pz_cmd_print_json(o);
		cJSON_Delete(o);
		return r;
	}
	print_items(t,
		    !strcmp(op, "GetRecommendations") ? "Recommendations"
						      : "Ranking",
		    items, rec_id);
	return 0;
}

static int call_runtime(struct pz_aws_client *c, const char *op,
			const char *path, const cJSON *in,
			const struct target *t, const char *list_key)
{
	cJSON *answer = NULL;
	int status;

	if (pz_aws_restjson_call(c, PZ_AWS_PERSONALIZE_RUNTIME, op, "POST",
				 path, in, &answer, NULL)) {
		pz_error_wrap(0, "%s", pz_esc(t->address));
		status = pz_cmd_fail();
	} else {
		status = print_answer(t, op, list_key, answer);
	}
	cJSON_Delete(answer);
	return status;
}

/* The options, before the state is read. */
static int prepare_recommend(struct pz_setup *s, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	s->parallelism = 4;
	if (!opt_user == !opt_item) {
		pz_cmd_error("give -user ID or -item ID (one of them)");
		return 1;
	}
	if (opt_n != -1 && (opt_n < 1 || opt_n > 500)) {
		pz_cmd_error("-n takes 1 to 500, not %ld", opt_n);
		return 1;
	}
	return 0;
}

static int run_recommend(struct pz_setup *s, int argc, char **argv)
{
	const struct pz_state *st;
	struct target t = {0};
	char *filter = NULL;
	cJSON *in = NULL;
	int status = 1;

	(void)argc;
	if (!(st = deployed(s)) || resolve_target(st, argv[0], false, &t) ||
	    (opt_filter && resolve_filter(st, opt_filter, &filter)))
		goto out;
	in = cJSON_CreateObject();
	cJSON_AddStringToObject(
	    in, t.recommender ? "recommenderArn" : "campaignArn", t.arn);
	if (opt_user)
		cJSON_AddStringToObject(in, "userId", opt_user);
	if (opt_item)
		cJSON_AddStringToObject(in, "itemId", opt_item);
	if (opt_n != -1)
		cJSON_AddNumberToObject(in, "numResults", (double)opt_n);
	if (filter)
		cJSON_AddStringToObject(in, "filterArn", filter);
	status = call_runtime(s->client, "GetRecommendations",
			      "/recommendations", in, &t, "itemList");
out:
	cJSON_Delete(in);
	free(filter);
	target_release(&t);
	return status;
}

static int prepare_rank(struct pz_setup *s, int argc, char **argv)
{
	(void)argv;
	s->parallelism = 4;
	if (!opt_user) {
		pz_cmd_error("give -user ID");
		return 1;
	}
	if (argc - 1 > 500) {
		pz_cmd_error("at most 500 items to rank, not %d", argc - 1);
		return 1;
	}
	return 0;
}

static int run_rank(struct pz_setup *s, int argc, char **argv)
{
	const struct pz_state *st;
	struct target t = {0};
	char *filter = NULL;
	cJSON *in = NULL, *list;
	int status = 1, i;

	if (!(st = deployed(s)) || resolve_target(st, argv[0], true, &t) ||
	    (opt_filter && resolve_filter(st, opt_filter, &filter)))
		goto out;
	in = cJSON_CreateObject();
	cJSON_AddStringToObject(in, "campaignArn", t.arn);
	cJSON_AddStringToObject(in, "userId", opt_user);
	list = cJSON_AddArrayToObject(in, "inputList");
	for (i = 1; i < argc; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(argv[i]));
	if (filter)
		cJSON_AddStringToObject(in, "filterArn", filter);
	status =
	    call_runtime(s->client, "GetPersonalizedRanking",
			 "/personalize-ranking", in, &t, "personalizedRanking");
out:
	cJSON_Delete(in);
	free(filter);
	target_release(&t);
	return status;
}

const struct pz_cmd pz_cmd_recommend = {
    .name = "recommend",
    .summary = "Get recommendations from a deployed campaign or recommender",
    .usage = "ADDR",
    .description =
	"Calls GetRecommendations on a campaign or recommender of the spec,\n"
	"found through the state: ADDR is campaign.KEY, recommender.KEY, a\n"
	"bare KEY (a campaign first), or an ARN. Prints the items with their\n"
	"scores, best first (items the service adds without a score, such\n"
	"as popular placeholders after a filter, show '-'). Give -user for\n"
	"user-personalization recipes, -item for related-items ones.\n\n"
	"The request goes to the personalize-runtime endpoint\n"
	"(AWS_ENDPOINT_URL_PERSONALIZE_RUNTIME, else AWS_ENDPOINT_URL).\n"
	"Reads the state without locking it.",
    .opts = recommend_opts,
    .min_args = 1,
    .max_args = 1,
    .setup = PZ_SETUP_STATE | PZ_SETUP_LOAD | PZ_SETUP_CLIENT,
    .prepare = prepare_recommend,
    .run = run_recommend,
};

const struct pz_cmd pz_cmd_rank = {
    .name = "rank",
    .summary = "Rank items for a user with a deployed campaign",
    .usage = "ADDR ITEM...",
    .description =
	"Calls GetPersonalizedRanking on a campaign of the spec (ADDR as\n"
	"for pz recommend; recommenders do not rank) with the items given\n"
	"and prints them in the order the user is most likely to want them,\n"
	"with their scores. Items the model does not know come last.\n"
	"Reads the state without locking it.",
    .opts = rank_opts,
    .min_args = 2,
    .max_args = 501,
    .setup = PZ_SETUP_STATE | PZ_SETUP_LOAD | PZ_SETUP_CLIENT,
    .prepare = prepare_rank,
    .run = run_rank,
};
