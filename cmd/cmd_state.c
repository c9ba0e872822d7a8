/*
 * cmd_state.c - pz state list|show|rm|mv|pull|push: inspect and repair
 * the state.
 *
 * list, show and pull only read (no lock: a stored state is replaced
 * whole, never seen half-written). rm, mv and push take the lock, read,
 * change and write under it, so concurrent runs serialise and no update
 * is lost; the serial grows only when the content changes.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "core/backend.h"
#include "core/error.h"
#include "core/escape.h"
#include "core/json_out.h"
#include "core/spec.h"
#include "core/state.h"

static bool opt_json;
static bool opt_dry_run;
static bool opt_force;

static const struct pz_opt state_opts[] = {
    PZ_OPT_ROWS_SPEC(PZ_HELP_SPEC_STATE),
    PZ_OPT_ROW_STATE("use this local state file instead of the spec's "
		     "backend"),
    PZ_OPT_ROW_LOCK_TIMEOUT(
	"rm, mv, push: wait this long for the state lock (default 0s)"),
    {"dry-run", PZ_OPT_BOOL, &opt_dry_run, NULL,
     "rm, mv: say what would change, write nothing"},
    {"force", PZ_OPT_BOOL, &opt_force, NULL,
     "push: replace the stored state even with another lineage or an "
     "older serial"},
    {"json", PZ_OPT_BOOL, &opt_json, NULL, "list, show: print JSON"},
    {NULL},
};

/* --- reading ----------------------------------------------------------- */

/* ADDR matches an address exactly; a bare type ("campaign") matches
 * every resource of that type. */
static bool matches(const struct pz_state_resource *r, int argc, char **argv)
{
	int i;

	if (!argc)
		return true;
	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], r->address) ||
		    (!strchr(argv[i], '.') && !strcmp(argv[i], r->type)))
			return true;
	return false;
}

static int not_in_state(const struct pz_state *st, const char *address)
{
	const char *cands[256];
	const char *best;
	size_t i, n = 0;

	for (i = 0; i < st->n && n < PZ_ARRAY_LEN(cands); i++)
		cands[n++] = st->resources[i].address;
	pz_cmd_error("no resource %s in the state", address);
	best = pz_str_suggest(address, cands, n);
	if (best)
		fprintf(stderr, "pz: did you mean %s?\n", pz_esc(best));
	return 1;
}

static int state_list(struct pz_setup *s, int argc, char **argv)
{
	const struct pz_state *st = s->state;
	cJSON *list = NULL;
	int status = 1;
	size_t i;

	for (i = 0; i < (size_t)argc; i++) {
		size_t k;

		for (k = 0; k < st->n; k++)
			if (matches(&st->resources[k], 1, argv + i))
				break;
		if (k == st->n) {
			/* A typo gives an error, not an empty list. */
			if (strchr(argv[i], '.'))
				not_in_state(st, argv[i]);
			else
				pz_cmd_error("no resource of type '%s' in the "
					     "state",
					     argv[i]);
			goto out;
		}
	}
	if (opt_json)
		list = cJSON_CreateArray();
	for (i = 0; i < st->n; i++) {
		const struct pz_state_resource *r = &st->resources[i];
		cJSON *o;

		if (!matches(r, argc, argv))
			continue;
		if (!list) {
			printf("%s\n", pz_esc(r->address));
			continue;
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "address", r->address);
		cJSON_AddStringToObject(o, "type", r->type);
		pz_json_add_str_or_null(o, "arn", r->arn);
		pz_json_add_str_or_null(o, "status", r->status);
		cJSON_AddBoolToObject(o, "tainted", r->tainted);
		cJSON_AddItemToArray(list, o);
	}
	status = list ? pz_cmd_print_json(list) : 0;
out:
	cJSON_Delete(list);
	return status;
}

/* The resource as the state document writes it. */
static cJSON *resource_doc(const struct pz_state *st, const char *address)
{
	struct pz_buf text;
	cJSON *root = NULL, *found = NULL, *r;

	pz_buf_init(&text, (size_t)256 << 20);
	if (pz_state_serialize(st, &text) == 0)
		root = cJSON_ParseWithLength(text.ptr, text.len);
	cJSON_ArrayForEach(r,
			   cJSON_GetObjectItemCaseSensitive(root, "resources"))
	{
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(r, "address");

		if (cJSON_IsString(a) && !strcmp(a->valuestring, address)) {
			found = cJSON_Duplicate(r, 1);
			break;
		}
	}
	cJSON_Delete(root);
	pz_buf_release(&text);
	return found;
}

static int state_show(struct pz_setup *s, int argc, char **argv)
{
	const struct pz_state *st = s->state;
	const struct pz_state_resource *r;
	int status;

	(void)argc;
	if (!(r = pz_state_find(st, argv[0])))
		return not_in_state(st, argv[0]);
	if (opt_json) {
		cJSON *doc = resource_doc(st, r->address);

		if (!doc)
			PZ_BUG("%s is not in its own state", r->address);
		status = pz_cmd_print_json(doc);
		cJSON_Delete(doc);
	} else {
		pz_cmd_print_resource(stdout, r);
		status = 0;
	}
	return status;
}

static int state_pull(struct pz_setup *s, int argc, char **argv)
{
	struct pz_buf out;
	int status = 0;

	(void)argc;
	(void)argv;
	if (!s->stored) {
		pz_cmd_error("there is no state at '%s' yet",
			     s->backend->location);
		return 0;
	}
	/* Parsed and written again: checked, migrated, canonical. */
	pz_buf_init(&out, (size_t)256 << 20);
	if (pz_state_serialize(s->state, &out))
		status = pz_cmd_fail();
	else
		fputs(pz_buf_cstr(&out), stdout);
	pz_buf_release(&out);
	return status;
}

/* --- changing, under the lock ----------------------------------------- */

/*
 * Writes next over prev (what was loaded; NULL when nothing was
 * stored), unless interrupted meanwhile. 0, or 1 after printing.
 */
static int save(struct pz_backend *b, struct pz_state *next,
		const struct pz_state *prev, bool stored)
{
	if (pz_cmd_check_interrupted() ||
	    pz_backend_save(b, next, stored ? prev : NULL))
		return pz_cmd_fail();
	return 0;
}

static void warn_dependents(const struct pz_state *st, const char *address)
{
	size_t i, j;

	for (i = 0; i < st->n; i++)
		for (j = 0; j < st->resources[i].ndeps; j++)
			if (!strcmp(st->resources[i].deps[j], address))
				fprintf(stderr,
					"pz: note: %s, still in the state, "
					"depends on %s\n",
					pz_esc(st->resources[i].address),
					pz_esc(address));
}

static int state_rm(struct pz_setup *s, int argc, char **argv)
{
	const struct pz_state *st = s->state;
	struct pz_state *next = NULL;
	int status = 1, i;

	next = pz_state_dup(st);
	for (i = 0; i < argc; i++)
		if (pz_state_remove(next, argv[i])) {
			pz_error_clear();
			if (pz_state_find(st, argv[i]))
				pz_cmd_error("%s is named twice", argv[i]);
			else
				not_in_state(st, argv[i]);
			pz_cmd_error("nothing removed");
			goto out;
		}
	for (i = 0; i < argc; i++)
		warn_dependents(next, argv[i]);
	if (!opt_dry_run && save(s->backend, next, st, s->stored))
		goto out;
	for (i = 0; i < argc; i++)
		printf("%s %s\n", opt_dry_run ? "Would remove" : "Removed",
		       pz_esc(argv[i]));
	if (!opt_dry_run)
		printf("Successfully removed %d resource%s (serial %llu).\n",
		       argc, argc == 1 ? "" : "s",
		       (unsigned long long)next->serial);
	status = 0;
out:
	pz_state_free(next);
	return status;
}

static int state_mv(struct pz_setup *s, int argc, char **argv)
{
	const struct pz_state *st = s->state;
	struct pz_state *next = NULL;
	int status = 1;

	(void)argc;
	next = pz_state_dup(st);
	if (!pz_state_find(st, argv[0])) {
		not_in_state(st, argv[0]);
		goto out;
	}
	if (pz_state_move(next, argv[0], argv[1])) {
		pz_cmd_fail();
		goto out;
	}
	if (!opt_dry_run && save(s->backend, next, st, s->stored))
		goto out;
	printf("%s %s to %s", opt_dry_run ? "Would move" : "Moved",
	       pz_esc(argv[0]), pz_esc(argv[1]));
	if (!opt_dry_run)
		printf(" (serial %llu)", (unsigned long long)next->serial);
	printf(".\n");
	status = 0;
out:
	pz_state_free(next);
	return status;
}

/* The state to push: FILE, or stdin for "-". */
static int read_local(const char *path, struct pz_state **out)
{
	struct pz_buf text;
	int r;

	*out = NULL;
	pz_buf_init(&text, (size_t)256 << 20);
	if (!strcmp(path, "-"))
		r = pz_buf_read_file(&text, "/dev/stdin");
	else
		r = pz_buf_read_file(&text, path);
	if (!r)
		r = pz_state_parse(out, text.ptr, text.len,
				   strcmp(path, "-") ? path : "stdin");
	pz_buf_release(&text);
	return r;
}

static void free_state(void *st)
{
	pz_state_free(st);
}

/* Read what is pushed (s->data) before locking: never hold the lock
 * while waiting on a pipe. */
static int prepare_push(struct pz_setup *s, int argc, char **argv)
{
	struct pz_state *local = NULL;

	(void)argc;
	if (read_local(argv[0], &local)) {
		pz_cmd_fail();
		pz_cmd_error("nothing pushed");
		return 1;
	}
	s->data = local;
	s->data_free = free_state;
	return 0;
}

static int state_push(struct pz_setup *s, int argc, char **argv)
{
	struct pz_backend *b = s->backend;
	struct pz_state *remote = NULL, *local = s->data;
	bool stored;
	int status = 1, r;

	(void)argc;
	(void)argv;
	if ((r = pz_backend_load(b, &remote, &stored))) {
		/* The way out of a stored state pz cannot read (a bug, a
		 * hand edit): -force replaces it without reading it. */
		if (!opt_force || r != PZ_EINVAL) {
			pz_cmd_fail();
			if (r == PZ_EINVAL)
				pz_cmd_error("to replace it with a good "
					     "state: pz state push -force "
					     "FILE");
			goto out;
		}
		pz_cmd_error("warning: replacing a stored state pz cannot "
			     "read: %s",
			     pz_error_last());
		pz_error_clear();
		stored = false;
	}
	if (pz_state_check_push(stored ? remote : NULL, local, opt_force)) {
		pz_cmd_fail();
		goto out;
	}
	if (stored && local->serial == remote->serial &&
	    !strcmp(local->lineage, remote->lineage) &&
	    pz_state_same_content(local, remote)) {
		printf("Nothing to push: %s already holds this state (serial "
		       "%llu).\n",
		       b->location, (unsigned long long)local->serial);
		status = 0;
		goto out;
	}
	/*
	 * Written as it is, lineage and serial included; forced over a
	 * newer serial, it goes above it, so plans saved against the
	 * replaced state stay stale.
	 */
	if (stored && local->serial <= remote->serial)
		local->serial = remote->serial + 1;
	if (local->serial == 0)
		local->serial = 1;
	if (pz_cmd_check_interrupted() || pz_backend_write_state(b, local)) {
		pz_cmd_fail();
		goto out;
	}
	printf("Pushed serial %llu (lineage %s) to %s.\n",
	       (unsigned long long)local->serial, local->lineage, b->location);
	status = 0;
out:
	pz_state_free(remote);
	return status;
}

/* --- dispatch ---------------------------------------------------------- */

enum {
	ALLOW_LOCK = 1 << 0,
	ALLOW_DRY_RUN = 1 << 1,
	ALLOW_FORCE = 1 << 2,
	ALLOW_JSON = 1 << 3,
};

#define READ  (PZ_SETUP_STATE | PZ_SETUP_LOAD)
#define WRITE (PZ_SETUP_STATE | PZ_SETUP_LOCK | PZ_SETUP_LOAD)

/* Each subcommand's row, as the command table's: its setup (the lock
 * is dropped for -dry-run) and the lock's operation name. */
static const struct sub {
	const char *name;
	const char *args;
	int min_args, max_args;
	unsigned allow;
	unsigned setup;
	const char *lock_op;
	int (*prepare)(struct pz_setup *s, int argc, char **argv);
	int (*run)(struct pz_setup *s, int argc, char **argv);
} subs[] = {
    {"list", "[ADDR|TYPE...]", 0, -1, ALLOW_JSON, READ, NULL, NULL, state_list},
    {"show", "ADDR", 1, 1, ALLOW_JSON, READ, NULL, NULL, state_show},
    {"rm", "ADDR...", 1, -1, ALLOW_LOCK | ALLOW_DRY_RUN, WRITE, "state rm",
     NULL, state_rm},
    {"mv", "FROM TO", 2, 2, ALLOW_LOCK | ALLOW_DRY_RUN, WRITE, "state mv", NULL,
     state_mv},
    {"pull", NULL, 0, 0, 0, READ, NULL, NULL, state_pull},
    /* It reads the stored state itself: -force replaces one it cannot
     * parse. */
    {"push", "FILE|-", 1, 1, ALLOW_LOCK | ALLOW_FORCE,
     PZ_SETUP_STATE | PZ_SETUP_LOCK, "state push", prepare_push, state_push},
};

/* The subcommand prepare_state chose. */
static const struct sub *chosen;

static int refuse(const struct sub *s, const char *opt)
{
	pz_cmd_error("-%s does not apply to pz state %s (see 'pz state "
		     "-help')",
		     opt, s->name);
	return 1;
}

/* Finds the subcommand, checks its options and arguments, and sets up
 * what its row says. */
static int prepare_state(struct pz_setup *setup, int argc, char **argv)
{
	const struct sub *s = NULL;
	size_t i;
	int n = argc - 1;

	for (i = 0; i < PZ_ARRAY_LEN(subs); i++)
		if (!strcmp(argv[0], subs[i].name))
			s = &subs[i];
	if (!s) {
		const char *names[PZ_ARRAY_LEN(subs)];
		const char *best;

		for (i = 0; i < PZ_ARRAY_LEN(subs); i++)
			names[i] = subs[i].name;
		pz_cmd_error("'%s' is not a state command: list, show, rm, "
			     "mv, pull or push",
			     argv[0]);
		best = pz_str_suggest(argv[0], names, PZ_ARRAY_LEN(subs));
		if (best)
			fprintf(stderr, "pz: did you mean 'pz state %s'?\n",
				best);
		return 1;
	}
	if (pz_opts.lock_timeout && !(s->allow & ALLOW_LOCK))
		return refuse(s, "lock-timeout");
	if (opt_dry_run && !(s->allow & ALLOW_DRY_RUN))
		return refuse(s, "dry-run");
	if (opt_force && !(s->allow & ALLOW_FORCE))
		return refuse(s, "force");
	if (opt_json && !(s->allow & ALLOW_JSON))
		return refuse(s, "json");
	if (n < s->min_args || (s->max_args >= 0 && n > s->max_args)) {
		pz_cmd_error("%s", n < s->min_args ? "missing argument"
						   : "too many arguments");
		fprintf(stderr, "usage: pz state %s [options]%s%s\n", s->name,
			s->args ? " " : "", s->args ? s->args : "");
		return 1;
	}
	if (s->prepare && s->prepare(setup, n, argv + 1))
		return 1;
	chosen = s;
	setup->needs = s->setup;
	if (opt_dry_run)
		setup->needs &= ~(unsigned)PZ_SETUP_LOCK;
	setup->lock_op = s->lock_op;
	return 0;
}

static int run_state(struct pz_setup *s, int argc, char **argv)
{
	return chosen->run(s, argc - 1, argv + 1);
}

const struct pz_cmd pz_cmd_state = {
    .name = "state",
    .summary = "Inspect and repair the state: list, show, rm, mv, pull, "
	       "push",
    .usage = "list|show|rm|mv|pull|push [ARGS]",
    .description =
	"  pz state list [ADDR|TYPE...]  the addresses in the state\n"
	"  pz state show ADDR            one resource\n"
	"  pz state rm ADDR...           forget resources (they stay "
	"in AWS)\n"
	"  pz state mv FROM TO           rename a resource in the "
	"state\n"
	"  pz state pull                 the state document, on "
	"stdout\n"
	"  pz state push FILE|-          replace the stored state\n"
	"\n"
	"The state is where the spec's pz.backend says (local file or "
	"S3),\nor -state=PATH. rm, mv and push take the state lock "
	"(-lock-timeout\nto wait for it) and write only when the "
	"content changes, raising the\nserial by one. push refuses a "
	"state of another lineage, an older\nserial, or the same "
	"serial with other content, unless -force.",
    .opts = state_opts,
    .min_args = 1,
    .max_args = -1,
    .prepare = prepare_state,
    .run = run_state,
};
