/*
 * cmd_data.c - pz data stats [DATASET]: what the data in S3 holds, the
 * counts a user wants before paying for a training.
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "core/diag.h"
#include "core/provider_ops.h"
#include "core/spec.h"
#include "providers/aws/client.h"

static bool opt_json;

static const struct pz_opt data_opts[] = {
    PZ_OPT_ROWS_SPEC(PZ_HELP_SPEC),
    {"json", PZ_OPT_BOOL, &opt_json, NULL, "print one JSON object"},
    {NULL},
};

static void fmt_time(char *out, size_t n, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm) ||
	    !strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, n, "-");
}

static void print_text(const struct pz_resource *ds,
		       const struct pz_dc_stats *s)
{
	char a[32], b[32];
	size_t i;

	printf("%s (%" PRIu64 " object%s, %.1f MiB)\n", ds->address, s->objects,
	       s->objects == 1 ? "" : "s", (double)s->bytes / (1 << 20));
	printf("  rows          %" PRIu64 "\n", s->rows);
	if (s->users)
		printf("  users         %" PRIu64 "\n", s->users);
	if (s->items)
		printf("  items         %" PRIu64 "\n", s->items);
	if (s->users && !strcmp(ds->key, "Interactions"))
		printf("  interactions per user: min %" PRIu64 ", p50 %" PRIu64
		       ", p90 %" PRIu64 ", p99 %" PRIu64 ", max %" PRIu64 "\n",
		       s->per_user[0], s->per_user[1], s->per_user[2],
		       s->per_user[3], s->per_user[4]);
	if (s->nevents) {
		printf("  event types:\n");
		for (i = 0; i < s->nevents; i++)
			printf("    %-20s %" PRIu64 "\n", s->events[i].name,
			       s->events[i].count);
	}
	if (s->ts_max) {
		fmt_time(a, sizeof(a), s->ts_min);
		fmt_time(b, sizeof(b), s->ts_max);
		printf("  time span     %s .. %s (%.1f days)\n", a, b,
		       (double)(s->ts_max - s->ts_min) / 86400);
	}
}

static cJSON *to_json(const struct pz_resource *ds, const struct pz_dc_stats *s)
{
	static const char *const pn[] = {"min", "p50", "p90", "p99", "max"};
	cJSON *o = cJSON_CreateObject(), *ev, *pu, *span;
	size_t i;

	cJSON_AddStringToObject(o, "address", ds->address);
	cJSON_AddNumberToObject(o, "objects", (double)s->objects);
	cJSON_AddNumberToObject(o, "bytes", (double)s->bytes);
	cJSON_AddNumberToObject(o, "rows", (double)s->rows);
	cJSON_AddNumberToObject(o, "users", (double)s->users);
	cJSON_AddNumberToObject(o, "items", (double)s->items);
	pu = cJSON_AddObjectToObject(o, "interactions_per_user");
	for (i = 0; i < 5; i++)
		cJSON_AddNumberToObject(pu, pn[i], (double)s->per_user[i]);
	ev = cJSON_AddArrayToObject(o, "event_types");
	for (i = 0; i < s->nevents; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "name", s->events[i].name);
		cJSON_AddNumberToObject(e, "count", (double)s->events[i].count);
		cJSON_AddItemToArray(ev, e);
	}
	span = cJSON_AddObjectToObject(o, "time_span");
	if (s->ts_max) {
		cJSON_AddNumberToObject(span, "first", (double)s->ts_min);
		cJSON_AddNumberToObject(span, "last", (double)s->ts_max);
	}
	return o;
}

static int data_stats(const struct pz_spec *spec, int argc, char **argv)
{
	struct pz_aws_client *client = NULL;
	struct pz_diags diags;
	cJSON *all = NULL, *list = NULL;
	size_t i, found = 0;
	int status = 1;

	pz_diags_init(&diags);
	if (opt_json) {
		all = cJSON_CreateObject();
		list = cJSON_AddArrayToObject(all, "datasets");
	}
	for (i = 0; i < spec->nresources; i++) {
		const struct pz_resource *ds = spec->resources[i];
		struct pz_dc_run_opts o;
		struct pz_dc_stats st;

		if (strcmp(ds->type->name, "dataset") ||
		    (argc > 0 && strcmp(argv[0], ds->key) &&
		     strcmp(argv[0], ds->address)))
			continue;
		found++;
		if (argc == 0 &&
		    !pz_spec_find_type(spec, "dataset_import_job", ds->key))
			continue; /* no data location: nothing to read */
		/* Only when there is data to read: a spec without a data
		 * location needs no region. */
		if (!client &&
		    pz_cmd_client_new(&client, spec,
				      PZ_AWS_DEFAULT_MAX_CONNECTIONS))
			goto out;
		memset(&o, 0, sizeof(o));
		o.level = PZ_DC_FULL;
		o.now = (long long)time(NULL);
		if (pz_provider_ops()->data_stats(client, spec, ds, &o, &st,
						  &diags)) {
			pz_cmd_fail();
			goto out;
		}
		if (opt_json)
			cJSON_AddItemToArray(list, to_json(ds, &st));
		else
			print_text(ds, &st);
		pz_dc_stats_release(&st);
	}
	if (argc > 0 && !found) {
		pz_cmd_error("the spec declares no dataset '%s' "
			     "(Interactions, Items, Users, Actions, "
			     "ActionInteractions)",
			     argv[0]);
		goto out;
	}
	if (diags.n)
		pz_cmd_print_diags(&diags, false);
	if (opt_json) {
		char *text = cJSON_PrintUnformatted(all);

		printf("%s\n", text);
		free(text);
	}
	status = 0;
out:
	cJSON_Delete(all);
	pz_diags_release(&diags);
	pz_aws_client_free(client);
	return status;
}

/* The subcommand and its arguments, before the spec is read. */
static int prepare_data(struct pz_setup *s, int argc, char **argv)
{
	(void)s;
	if (strcmp(argv[0], "stats")) {
		pz_cmd_error("'%s' is not a data command: stats", argv[0]);
		return 1;
	}
	if (argc > 2) {
		pz_cmd_error("too many arguments to data stats");
		return 1;
	}
	return 0;
}

static int run_data(struct pz_setup *s, int argc, char **argv)
{
	return data_stats(s->spec, argc - 1, argv + 1);
}

const struct pz_cmd pz_cmd_data = {
    .name = "data",
    .summary = "What the data in S3 holds, before training: data stats",
    .usage = "stats [DATASET]",
    .description =
	"  pz data stats [DATASET]  rows, unique users and items,\n"
	"                           interactions per user, event types,\n"
	"                           time span\n"
	"\n"
	"Reads every object under each dataset's data location (or the\n"
	"one named: Interactions, Items, ...) in full. Problems the data\n"
	"check would report are printed as warnings and errors.",
    .opts = data_opts,
    .min_args = 1,
    .max_args = 2,
    .setup = PZ_SETUP_SPEC,
    .prepare = prepare_data,
    .run = run_data,
};
