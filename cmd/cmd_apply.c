/*
 * cmd_apply.c - pz apply and pz destroy: the plan's operation graph
 * executed (core/exec.h) against the service, in parallel, with the
 * state saved after every step (DESIGN.md §5-§8).
 *
 * Without a plan file, apply plans (as pz plan does), prints the plan
 * and asks for "yes" (-auto-approve skips the question; a stdin that is
 * not a terminal without it is an error, never a hang). With a plan
 * file it runs exactly that plan's operations, after checking that the
 * spec and the state are still what it was made against.
 *
 * Output follows Terraform: "ADDR: Creating...", "ADDR: Still
 * creating... [01m10s elapsed]", "ADDR: Creation complete after 12m3s
 * [id=ARN]", "Apply complete! Resources: ...". -json prints one UI
 * message per line instead (Terraform's machine-readable UI).
 *
 * Interrupts: the first SIGINT/SIGTERM starts nothing new and stops
 * waiting once the calls in flight have answered (what they started is
 * recorded and goes on in AWS); the second abandons the calls in flight;
 * either way the state is written and the lock released. A third exits
 * at once (signals.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "core/backend.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/escape.h"
#include "core/exec.h"
#include "core/json_out.h"
#include "core/plan.h"
#include "core/plan_check.h"
#include "core/provider.h"
#include "core/provider_ops.h"
#include "core/runtime.h"
#include "core/spec.h"
#include "providers/aws/client.h"

static const char *opt_data_check;
static const char *opt_prices;
static bool opt_auto_approve, opt_json, opt_refresh = true;
static bool opt_usage = true;
static bool opt_destroy;
static long opt_parallelism = 10;
static struct pz_strlist opt_targets;

/* apply's own options first: destroy takes the rest (destroy_opts). */
static const struct pz_opt apply_opts[] = {
    {"destroy", PZ_OPT_BOOL, &opt_destroy, NULL,
     "destroy everything in the state (as pz destroy)"},
    {"data-check", PZ_OPT_STRING, &opt_data_check, "off|header|sample|full",
     "check the data each import would read (default sample)"},
    PZ_OPT_ROWS_SPEC(PZ_HELP_SPEC),
    {"auto-approve", PZ_OPT_BOOL, &opt_auto_approve, NULL,
     "do not ask for confirmation"},
    {"target", PZ_OPT_LIST, &opt_targets, "ADDR",
     "only this resource and what it needs; repeatable"},
    {"parallelism", PZ_OPT_INT, &opt_parallelism, "N",
     "at most N operations at once (default 10)"},
    {"json", PZ_OPT_BOOL, &opt_json, NULL,
     "one JSON UI message per line (Terraform's machine-readable UI); "
     "needs -auto-approve or a plan file"},
    {"refresh", PZ_OPT_BOOL, &opt_refresh, NULL,
     "read the live resources before planning (default true)"},
    PZ_OPT_ROW_STATE("use the local state file at PATH"),
    PZ_OPT_ROW_LOCK("hold the state lock (default true; never turn it off "
		    "while another run may write the state)"),
    PZ_OPT_ROW_LOCK_TIMEOUT("wait this long for the state lock (e.g. 30s; "
			    "default 0s)"),
    PZ_OPT_ROWS_USAGE(&opt_usage, &opt_prices),
    {NULL},
};

#define destroy_opts (apply_opts + 2)

/* --- time --------------------------------------------------------------- */

/* "12m3s", "5s", "1h2m3s": Terraform's "complete after" form. */
static void fmt_took(double s, char *out, size_t n)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(out, n, "%ldh%ldm%lds", t / 3600, t / 60 % 60, t % 60);
	else if (t >= 60)
		snprintf(out, n, "%ldm%lds", t / 60, t % 60);
	else
		snprintf(out, n, "%lds", t);
}

/* "01m10s", "1h02m10s": the "elapsed" form of DESIGN.md §7. */
static void fmt_elapsed(double s, char *out, size_t n)
{
	long t = (long)s;

	if (t >= 3600)
		snprintf(out, n, "%ldh%02ldm%02lds", t / 3600, t / 60 % 60,
			 t % 60);
	else
		snprintf(out, n, "%02ldm%02lds", t / 60, t % 60);
}

static void iso_now(char *out, size_t n)
{
	struct timespec ts;
	struct tm tm;
	size_t k;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	k = strftime(out, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + k, n - k, ".%06ldZ", ts.tv_nsec / 1000);
}

/* --- the run ----------------------------------------------------------------
 */

struct run {
	struct pz_backend *backend;
	struct pz_state *saved; /* what the backend holds now */
	const struct pz_plan *plan;
	bool json, destroy;
	size_t *failed; /* ops that failed, in order */
	size_t nfailed, failed_cap;
	char **reasons;
	size_t *skipped;
	size_t nskipped, skipped_cap;
	size_t *left; /* ops still going on in AWS after a stop */
	size_t nleft, left_cap;
	bool save_failed;
	unsigned char *results; /* per op, for the notification */
	/* The live line (a terminal only): what runs now. */
	bool live, live_shown;
	struct running {
		size_t op;
		double since; /* monotonic seconds */
		bool queued;
	} * running;
	size_t nrunning, running_cap;
};

static int save_state(void *ud, struct pz_state *st)
{
	struct run *rn = ud;
	int r = pz_backend_save(rn->backend, st, rn->saved);

	if (r) {
		if (!rn->save_failed)
			fprintf(stderr, "pz: writing the state: %s\n",
				pz_esc(pz_error_last()));
		rn->save_failed = true;
		return r;
	}
	pz_state_free(rn->saved);
	rn->saved = pz_state_dup(st);
	return 0;
}

static const char *verb(enum pz_op_kind k, int form)
{
	/* form 0: "Creating", 1: "creating", 2: "Creation", 3: Terraform's
	 * action name */
	static const char *const v[][4] = {
	    [PZ_OP_CREATE] = {"Creating", "creating", "Creation", "create"},
	    [PZ_OP_UPDATE] = {"Modifying", "modifying", "Modifications",
			      "update"},
	    [PZ_OP_DELETE] = {"Destroying", "destroying", "Destruction",
			      "delete"},
	    [PZ_OP_FORGET] = {"Forgetting", "forgetting", "Forgetting",
			      "delete"},
	    [PZ_OP_AWAIT] = {"Waiting", "creating", "Creation", "create"},
	};
	return v[k][form];
}

/* The "resource" object of Terraform's UI hooks. */
static cJSON *ui_resource(const struct pz_change *c)
{
	cJSON *o = cJSON_CreateObject();
	const char *dot = strchr(c->address, '.');

	cJSON_AddStringToObject(o, "addr", c->address);
	cJSON_AddStringToObject(o, "module", "");
	cJSON_AddStringToObject(o, "resource", c->address);
	cJSON_AddStringToObject(o, "implied_provider", "personalize");
	cJSON_AddStringToObject(o, "resource_type", c->type);
	cJSON_AddStringToObject(o, "resource_name", dot ? dot + 1 : c->address);
	cJSON_AddStringToObject(o, "resource_key", "");
	return o;
}

/* Prints one UI message: {"@level", "@message", "@module", "@timestamp",
 * "type", extra...}; takes extra's members. */
static void ui_emit(const char *level, const char *type, const char *message,
		    cJSON *extra)
{
	cJSON *o = cJSON_CreateObject(), *m;
	struct pz_buf b;
	char ts[64];

	iso_now(ts, sizeof(ts));
	cJSON_AddStringToObject(o, "@level", level);
	cJSON_AddStringToObject(o, "@message", message);
	cJSON_AddStringToObject(o, "@module", "pz.ui");
	cJSON_AddStringToObject(o, "@timestamp", ts);
	cJSON_AddStringToObject(o, "type", type);
	while (extra && (m = extra->child)) {
		cJSON_DetachItemViaPointer(extra, m);
		cJSON_AddItemToObject(o, m->string, m);
	}
	cJSON_Delete(extra);
	pz_buf_init(&b, 0);
	if (!pz_json_write(o, &b, -1))
		printf("%s\n", pz_buf_cstr(&b));
	fflush(stdout);
	pz_buf_release(&b);
	cJSON_Delete(o);
}

static void push(size_t **v, size_t *n, size_t *cap, size_t x)
{
	PZ_GROW(*v, *n, *cap);
	(*v)[(*n)++] = x;
}

/*
 * The live line: on a terminal, under the progress lines, one line
 * says what is running now ("3 creating 00m12s, 1 training 42m10s":
 * how many, and the longest wait), redrawn on every event (a wait has
 * one every 10 s). Each progress line erases it first. Not with -json,
 * -no-color, NO_COLOR or TERM=dumb, nor when stdout is not a terminal.
 */
static void live_clear(struct run *rn)
{
	if (!rn->live_shown)
		return;
	fputs("\r\033[K", stdout);
	rn->live_shown = false;
}

static void live_track(struct run *rn, const struct pz_exec_event *ev)
{
	size_t i;

	for (i = 0; i < rn->nrunning && rn->running[i].op != ev->op; i++)
		;
	switch (ev->kind) {
	case PZ_EXEC_START:
		if (i == rn->nrunning) {
			PZ_GROW(rn->running, rn->nrunning, rn->running_cap);
			rn->running[rn->nrunning++] = (struct running){
			    ev->op, pz_mono() - ev->elapsed, false};
		} else {
			rn->running[i].queued = false;
		}
		break;
	case PZ_EXEC_QUEUED:
		if (i < rn->nrunning)
			rn->running[i].queued = true;
		break;
	case PZ_EXEC_STILL: break;
	default:
		if (i < rn->nrunning)
			rn->running[i] = rn->running[--rn->nrunning];
		break;
	}
}

static const char *live_word(const struct run *rn, const struct running *r)
{
	const struct pz_op *op = &rn->plan->ops[r->op];
	const struct pz_rtype *t =
	    pz_rtype_find(rn->plan->changes[op->change].type);

	if (r->queued)
		return "queued";
	if ((op->kind == PZ_OP_CREATE || op->kind == PZ_OP_AWAIT) && t &&
	    t->creating)
		return t->creating;
	return verb(op->kind, 1);
}

struct live_group {
	const char *word;
	size_t n;
	double oldest;
};

static void live_draw(struct run *rn)
{
	struct live_group g[8];
	size_t ng = 0, i, j;
	double now = pz_mono();
	char line[160], t[32];
	int len = 0;

	if (!rn->live || !rn->nrunning)
		return;
	for (i = 0; i < rn->nrunning; i++) {
		const char *w = live_word(rn, &rn->running[i]);

		for (j = 0; j < ng && strcmp(g[j].word, w); j++)
			;
		if (j == ng) {
			if (ng == sizeof(g) / sizeof(g[0]))
				continue;
			g[ng++] = (struct live_group){w, 0, now};
		}
		g[j].n++;
		if (rn->running[i].since < g[j].oldest)
			g[j].oldest = rn->running[i].since;
	}
	for (j = 0; j < ng && len < (int)sizeof(line); j++) {
		fmt_elapsed(now - g[j].oldest, t, sizeof(t));
		len += snprintf(line + len, sizeof(line) - (size_t)len,
				"%s%zu %s %s", j ? ", " : "", g[j].n, g[j].word,
				t);
	}
	/* One line, whatever the terminal's width: at most 79 columns. */
	if (len > 79)
		memcpy(line + 76, "...", 4);
	printf("\033[2m%s\033[0m", line);
	fflush(stdout);
	rn->live_shown = true;
}

static void on_event(void *ud, const struct pz_exec_event *ev)
{
	struct run *rn = ud;
	const struct pz_op *op = &ev->plan->ops[ev->op];
	const struct pz_change *c = &ev->plan->changes[op->change];
	const char *addr = pz_esc(c->address);
	char t[32], msg[2048];
	cJSON *hook;

	pz_cmd_notify_track(rn->results, ev);
	switch (ev->kind) {
	case PZ_EXEC_START:
		if (op->kind == PZ_OP_AWAIT)
			snprintf(msg, sizeof(msg),
				 "%s: Waiting for its creation, started by an "
				 "earlier apply... [id=%s]",
				 addr, pz_esc(c->arn));
		else if (op->kind == PZ_OP_CREATE || !c->arn)
			snprintf(msg, sizeof(msg), "%s: %s...", addr,
				 verb(op->kind, 0));
		else
			snprintf(msg, sizeof(msg), "%s: %s... [id=%s]", addr,
				 verb(op->kind, 0), pz_esc(c->arn));
		break;
	case PZ_EXEC_STILL:
		fmt_elapsed(ev->elapsed, t, sizeof(t));
		snprintf(msg, sizeof(msg), "%s: Still %s... [%s elapsed]", addr,
			 verb(op->kind, 1), t);
		break;
	case PZ_EXEC_DONE:
		fmt_took(ev->elapsed, t, sizeof(t));
		if (op->kind == PZ_OP_FORGET)
			snprintf(msg, sizeof(msg),
				 "%s: Removed from the state (no delete call: "
				 "%s)",
				 addr,
				 pz_rtype_find(c->type) &&
					 pz_rtype_find(c->type)->implicit_note
				     ? pz_rtype_find(c->type)->implicit_note
				     : "a record only");
		else if (ev->arn && op->kind != PZ_OP_DELETE)
			snprintf(msg, sizeof(msg),
				 "%s: %s complete after %s [id=%s]", addr,
				 verb(op->kind, 2), t, pz_esc(ev->arn));
		else
			snprintf(msg, sizeof(msg), "%s: %s complete after %s",
				 addr, verb(op->kind, 2), t);
		break;
	case PZ_EXEC_FAILED:
		fmt_took(ev->elapsed, t, sizeof(t));
		snprintf(msg, sizeof(msg), "%s: %s failed after %s: %s", addr,
			 verb(op->kind, 2), t, pz_esc(ev->message));
		push(&rn->failed, &rn->nfailed, &rn->failed_cap, ev->op);
		rn->reasons = pz_xreallocarray(rn->reasons, rn->nfailed,
					       sizeof(*rn->reasons));
		rn->reasons[rn->nfailed - 1] =
		    pz_xstrdup(ev->message ? ev->message : "failed");
		break;
	case PZ_EXEC_SKIPPED:
		snprintf(msg, sizeof(msg),
			 "%s: Skipped: an operation it waits for failed", addr);
		push(&rn->skipped, &rn->nskipped, &rn->skipped_cap, ev->op);
		break;
	case PZ_EXEC_LEFT:
		fmt_took(ev->elapsed, t, sizeof(t));
		snprintf(msg, sizeof(msg),
			 "%s: Stopped waiting after %s: still %s in AWS "
			 "[id=%s]",
			 addr, t, verb(op->kind, 1),
			 ev->arn ? pz_esc(ev->arn) : "?");
		push(&rn->left, &rn->nleft, &rn->left_cap, ev->op);
		break;
	case PZ_EXEC_QUEUED:
		snprintf(msg, sizeof(msg), "%s: Queued: %s", addr,
			 pz_esc(ev->message));
		break;
	default: return;
	}
	if (!rn->json) {
		live_clear(rn);
		printf("%s\n", msg);
		live_track(rn, ev);
		live_draw(rn);
		fflush(stdout);
		return;
	}
	hook = cJSON_CreateObject();
	cJSON_AddItemToObject(hook, "resource", ui_resource(c));
	cJSON_AddStringToObject(hook, "action", verb(op->kind, 3));
	if (ev->kind != PZ_EXEC_START)
		cJSON_AddNumberToObject(hook, "elapsed_seconds",
					(double)(long)ev->elapsed);
	if (ev->kind == PZ_EXEC_DONE && ev->arn) {
		cJSON_AddStringToObject(hook, "id_key", "arn");
		cJSON_AddStringToObject(hook, "id_value", ev->arn);
	}
	if (ev->message)
		cJSON_AddStringToObject(hook, "message", ev->message);
	{
		cJSON *extra = cJSON_CreateObject();
		const char *type = ev->kind == PZ_EXEC_START  ? "apply_start"
				   : ev->kind == PZ_EXEC_DONE ? "apply_complete"
				   : ev->kind == PZ_EXEC_FAILED
				       ? "apply_errored"
				       : "apply_progress";

		if (ev->kind == PZ_EXEC_SKIPPED)
			cJSON_AddStringToObject(hook, "status", "skipped");
		else if (ev->kind == PZ_EXEC_LEFT)
			cJSON_AddStringToObject(hook, "status", "in_progress");
		else if (ev->kind == PZ_EXEC_QUEUED)
			cJSON_AddStringToObject(hook, "status", "queued");
		cJSON_AddItemToObject(extra, "hook", hook);
		ui_emit(ev->kind == PZ_EXEC_FAILED ? "error" : "info", type,
			msg, extra);
	}
}

static long env_ms(const char *name)
{
	const char *v = getenv(name);
	char *end;
	long ms;

	if (!v || !*v)
		return 0;
	errno = 0;
	ms = strtol(v, &end, 10);
	if (errno || *end || ms <= 0 || ms > 3600000L) {
		pz_cmd_error("%s='%s' is not a number of milliseconds from 1 "
			     "to 3600000; using the default",
			     name, pz_esc(v));
		return 0;
	}
	return ms;
}

/*
 * Asks for "yes" on the terminal. 0 when given; 1 after printing why not
 * (another answer, no terminal, end of input, an interrupt).
 */
static int confirm(bool destroy)
{
	char line[64];

	if (isatty(STDIN_FILENO) != 1) {
		pz_cmd_error("stdin is not a terminal, so pz cannot ask for "
			     "confirmation: pass -auto-approve, or save a plan "
			     "with `pz plan -out=FILE` and apply that file");
		return 1;
	}
	if (destroy)
		printf("\nDo you really want to destroy all resources?\n"
		       "  pz will destroy everything shown above. There is no "
		       "undo: data in\n  the datasets is lost.\n"
		       "  Only 'yes' will be accepted to confirm.\n\n"
		       "  Enter a value: ");
	else
		printf("\nDo you want to perform these actions?\n"
		       "  pz will perform the actions described above.\n"
		       "  Only 'yes' will be accepted to approve.\n\n"
		       "  Enter a value: ");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin) || pz_cmd_interrupted) {
		printf("\n");
		pz_cmd_error("%s cancelled: no answer",
			     destroy ? "destroy" : "apply");
		return 1;
	}
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, "yes")) {
		printf("\n%s cancelled.\n", destroy ? "Destroy" : "Apply");
		return 1;
	}
	printf("\n");
	return 0;
}

static void print_plan(const struct pz_plan *plan, bool json)
{
	struct pz_render_opts ro;
	struct pz_buf out;
	size_t i;

	if (json) {
		for (i = 0; i < plan->n; i++) {
			const struct pz_change *c = &plan->changes[i];
			cJSON *extra, *ch;
			const char *a =
			    c->action == PZ_ACTION_CREATE    ? "create"
			    : c->action == PZ_ACTION_UPDATE  ? "update"
			    : c->action == PZ_ACTION_REPLACE ? "replace"
			    : c->action == PZ_ACTION_DELETE  ? "delete"
							     : NULL;
			char msg[1024];

			if (!a)
				continue;
			snprintf(msg, sizeof(msg), "%s: Plan to %s",
				 pz_esc(c->address), a);
			extra = cJSON_CreateObject();
			ch = cJSON_AddObjectToObject(extra, "change");
			cJSON_AddItemToObject(ch, "resource", ui_resource(c));
			cJSON_AddStringToObject(ch, "action", a);
			if (c->reason)
				cJSON_AddStringToObject(ch, "reason",
							c->reason);
			ui_emit("info", "planned_change", msg, extra);
		}
		return;
	}
	memset(&ro, 0, sizeof(ro));
	ro.color = pz_cmd_color(stdout);
	pz_buf_init(&out, 0);
	if (pz_plan_render_text(plan, &out, &ro) == 0)
		fputs(pz_buf_cstr(&out), stdout);
	pz_buf_release(&out);
	fflush(stdout);
}

static void change_summary(const struct run *rn,
			   const struct pz_exec_summary *s, const char *message)
{
	cJSON *extra, *ch;

	if (!rn->json) {
		printf("\n%s\n", message);
		return;
	}
	extra = cJSON_CreateObject();
	ch = cJSON_AddObjectToObject(extra, "changes");
	cJSON_AddNumberToObject(ch, "add", (double)s->added);
	cJSON_AddNumberToObject(ch, "change", (double)s->changed);
	cJSON_AddNumberToObject(ch, "remove", (double)s->destroyed);
	cJSON_AddStringToObject(ch, "operation",
				rn->destroy ? "destroy" : "apply");
	ui_emit("info", "change_summary", message, extra);
}

/* What failed and why, what was skipped, what still runs in AWS. */
static void report(const struct run *rn, const struct pz_exec_summary *s, int r)
{
	const struct pz_plan *plan = rn->plan;
	char msg[512];
	size_t i;

	for (i = 0; i < rn->nfailed; i++) {
		const struct pz_change *c =
		    &plan->changes[plan->ops[rn->failed[i]].change];

		fprintf(stderr, "\nError: %s: %s\n", pz_esc(c->address),
			pz_esc(rn->reasons[i]));
	}
	if (rn->nskipped) {
		fprintf(stderr, "\nSkipped, because an operation they wait for "
				"failed:\n");
		for (i = 0; i < rn->nskipped; i++)
			fprintf(
			    stderr, "  %s\n",
			    pz_esc(
				plan->changes[plan->ops[rn->skipped[i]].change]
				    .address));
	}
	if (rn->nleft) {
		fprintf(stderr,
			"\nStill going on in AWS (recorded in the state; "
			"the next apply waits for them):\n");
		for (i = 0; i < rn->nleft; i++) {
			const struct pz_op *op = &plan->ops[rn->left[i]];

			fprintf(stderr, "  %s (%s)\n",
				pz_esc(plan->changes[op->change].address),
				verb(op->kind, 1));
		}
	}
	if (r == PZ_EINTR && s->not_started)
		fprintf(stderr,
			"\n%zu operation%s not started: run pz apply again to "
			"finish.\n",
			s->not_started, s->not_started == 1 ? "" : "s");
	snprintf(msg, sizeof(msg),
		 "%s %s! Resources: %zu added, %zu changed, %zu destroyed%s",
		 rn->destroy ? "Destroy" : "Apply",
		 r == PZ_EINTR ? "interrupted"
		 : r	       ? "failed"
			       : "complete",
		 s->added, s->changed, s->destroyed, s->failed ? "" : ".");
	if (s->failed) {
		size_t n = strlen(msg);

		snprintf(msg + n, sizeof(msg) - n, ", %zu failed.", s->failed);
	}
	if (rn->destroy && !r)
		snprintf(msg, sizeof(msg),
			 "Destroy complete! Resources: %zu destroyed.",
			 s->destroyed);
	change_summary(rn, s, msg);
}

/* What the promotion gates decided, after the run. */
static void print_decisions(const struct run *rn,
			    const struct pz_promote_gates *g)
{
	size_t i;

	for (i = 0; i < pz_provider_ops()->gates_count(g); i++) {
		const char *addr;
		const struct pz_promote_decision *d =
		    pz_provider_ops()->gates_get(g, i, &addr);
		cJSON *extra, *o;

		if (!rn->json) {
			printf("%s%s\n", i ? "" : "\n", pz_esc(d->message));
			continue;
		}
		extra = cJSON_CreateObject();
		o = cJSON_AddObjectToObject(extra, "promotion");
		cJSON_AddStringToObject(o, "address", addr);
		cJSON_AddStringToObject(o, "decision",
					d->promote ? "promoted" : "kept");
		pz_json_add_str_or_null(o, "new_version", d->new_arn);
		pz_json_add_str_or_null(o, "old_version", d->old_arn);
		ui_emit("info", "promotion", d->message, extra);
	}
}

/* The summary for pz.notify (notify.c), sent whatever the outcome, once
 * the lock is released (pz_cmd_notify_flush). */
static void notify(const struct pz_spec *spec, const struct run *rn,
		   const struct pz_exec_summary *sum, int r,
		   const struct pz_promote_gates *g, const struct pz_state *st,
		   double started)
{
	struct pz_notify_summary ns;
	const char **reasons;
	size_t i;

	if (!spec ||
	    (!spec->settings.sns_topic_arn && !spec->settings.webhook_url))
		return;
	reasons = pz_xcalloc(rn->plan->nops + 1, sizeof(*reasons));
	for (i = 0; i < rn->nfailed; i++)
		reasons[rn->failed[i]] = rn->reasons[i];
	memset(&ns, 0, sizeof(ns));
	ns.operation = rn->destroy ? "destroy" : "apply";
	ns.status = r == PZ_EINTR ? "interrupted" : r ? "failed" : "succeeded";
	ns.started = started;
	ns.finished = (double)time(NULL);
	ns.added = sum->added;
	ns.changed = sum->changed;
	ns.destroyed = sum->destroyed;
	ns.failed = sum->failed;
	ns.skipped = sum->skipped;
	ns.not_started = sum->not_started;
	ns.in_progress = sum->left;
	ns.plan = rn->plan;
	ns.results = rn->results;
	ns.reasons = reasons;
	ns.gates = g;
	ns.git_commit = st ? st->git_commit : NULL;
	pz_cmd_notify(spec, &ns);
	free(reasons);
}

/*
 * Runs plan on the state st (the backend holds it, locked). Returns the
 * exit status.
 */
static int execute(const struct pz_spec *spec, struct pz_backend *b,
		   struct pz_state *st, struct pz_aws_client *client,
		   const struct pz_plan *plan, bool destroy)
{
	struct pz_exec_summary sum;
	struct pz_exec_opts eo;
	struct pz_runtime rt;
	struct pz_promote_gates *gates;
	struct run rn;
	double started = (double)time(NULL);
	size_t i;
	int r;

	memset(&rn, 0, sizeof(rn));
	rn.backend = b;
	rn.saved = pz_state_dup(st);
	rn.plan = plan;
	rn.json = opt_json;
	rn.destroy = destroy;
	rn.results = pz_xcalloc(plan->nops + 1, sizeof(*rn.results));
	rn.live = !opt_json && pz_cmd_color(stdout);
	pz_provider_ops()->runtime(&rt, client);
	gates = pz_provider_ops()->gates_new(plan, st, &rt);
	if (pz_provider_ops()->runtime_identify(&rt))
		fprintf(stderr,
			"pz: warning: who am I? %s: without the account, an "
			"interrupted create is found again only by its name\n",
			pz_esc(pz_error_last()));
	memset(&eo, 0, sizeof(eo));
	eo.parallelism = (size_t)opt_parallelism;
	eo.poll_min_ms = env_ms("PZ_POLL_MIN_MS");
	eo.poll_max_ms = env_ms("PZ_POLL_MAX_MS");
	eo.save = save_state;
	eo.event = on_event;
	eo.ud = &rn;
	eo.stop = (const volatile int *)&pz_cmd_interrupted;
	/* From here on, the first interrupt lets the calls in flight
	 * answer, so that what they started is recorded. */
	pz_cmd_signals_graceful(true);
	r = pz_exec_run(plan, st, &rt, &eo, &sum);
	pz_cmd_signals_graceful(false);
	live_clear(&rn);
	free(rn.running);
	pz_provider_ops()->runtime_release(&rt);
	/* A kept campaign stays recorded on its version. */
	pz_provider_ops()->gates_settle(gates, st);
	/* A last write, whatever happened: nothing the run learned is
	 * lost (a no-op when nothing changed since the last save). */
	if (save_state(&rn, st) && !r)
		r = PZ_EIO;
	print_decisions(&rn, gates);
	report(&rn, &sum, r);
	notify(spec, &rn, &sum, r, gates, st, started);
	pz_provider_ops()->gates_free(gates);
	free(rn.results);
	for (i = 0; i < rn.nfailed; i++)
		free(rn.reasons[i]);
	free(rn.reasons);
	free(rn.failed);
	free(rn.skipped);
	free(rn.left);
	pz_state_free(rn.saved);
	if (rn.save_failed) {
		fprintf(stderr,
			"pz: the state could not be written: what this run "
			"created may be missing from it; fix the cause, then "
			"run pz plan to see what exists\n");
		return 1;
	}
	return r ? 1 : 0;
}

/* apply PLANFILE: the saved plan, if the spec and the state are still
 * what it was made against. */
static int apply_saved(const char *path)
{
	struct pz_plan *plan = NULL;
	struct pz_spec *spec = NULL;
	struct pz_spec_var *vars = NULL;
	struct pz_backend *b = NULL;
	struct pz_state *st = NULL;
	struct pz_aws_client *client = NULL;
	char digest[65], commit[41];
	int status = 1;

	if (opt_targets.n || opt_destroy || opt_prices || !opt_usage) {
		pz_cmd_error("a saved plan is applied as it is: -target, "
			     "-destroy, -prices and -usage belong to pz plan");
		return 1;
	}
	if (pz_plan_load_checked(&plan, path, NULL))
		return pz_cmd_fail();
	if (pz_cmd_load_spec(&spec,
			     pz_opts.file ? pz_opts.file
					  : (plan->spec_path && *plan->spec_path
						 ? plan->spec_path
						 : NULL),
			     &pz_opts.vars, false))
		goto out;
	if (pz_plan_check_consistent(plan, spec, path)) {
		pz_cmd_fail();
		goto out;
	}
	if (pz_cmd_parse_vars(&pz_opts.vars, &vars))
		goto out;
	pz_spec_digest(spec, vars, pz_opts.vars.n, digest);
	if (pz_cmd_backend_open(&b, spec, pz_opts.state,
				pz_opts.lock ? "apply" : NULL,
				pz_opts.lock_timeout))
		goto out;
	if (pz_backend_load(b, &st, NULL)) {
		pz_cmd_fail();
		goto out;
	}
	if (pz_plan_check_fresh(plan, digest, st)) {
		pz_cmd_error("%s: %s", path, pz_esc(pz_error_last()));
		fprintf(stderr,
			"pz: make a new plan with pz plan -out=%s "
			"(pass the same -var values as before)\n",
			path);
		goto out;
	}
	/* At the commit it was made at, in a clean tree (docs/gitops.md). */
	if (pz_cmd_git_apply_check(plan, spec->path, st, path, commit))
		goto out;
	if (!pz_plan_has_changes(plan) && !plan->nops) {
		printf("No changes. Your infrastructure matches the "
		       "configuration.\n");
		status = 0;
		goto out;
	}
	if (pz_cmd_client_new(&client, spec, 50))
		goto out;
	pz_cmd_git_record(st, commit);
	status = execute(spec, b, st, client, plan, plan->destroy);
out:
	if (pz_cmd_backend_close(b))
		status = 1;
	pz_cmd_notify_flush(); /* the lock released first */
	pz_aws_client_free(client);
	pz_state_free(st);
	free(vars);
	pz_spec_free(spec);
	pz_plan_free(plan);
	return status;
}

static int run(const struct pz_setup *s, int argc, char **argv, bool destroy)
{
	struct pz_cmd_plan_args a;
	struct pz_cmd_planned p;
	char commit[41];
	int status = 1;

	if (opt_parallelism < 1 || opt_parallelism > 100) {
		pz_cmd_error("-parallelism takes 1 to 100, not %ld",
			     opt_parallelism);
		return 1;
	}
	if (opt_json && !opt_auto_approve && !argc) {
		pz_cmd_error("-json needs -auto-approve (or a saved plan): pz "
			     "cannot ask for confirmation in JSON");
		return 1;
	}
	if (argc)
		return apply_saved(argv[0]);
	a = s->plan;
	a.data_check = opt_data_check;
	a.targets = &opt_targets;
	a.parallelism = 50;
	a.destroy = destroy;
	a.refresh = opt_refresh;
	a.usage_off = !opt_usage;
	a.prices = opt_prices;
	a.quiet = opt_json;
	if (pz_cmd_plan_make(&p, &a))
		goto out;
	/* Nothing to change, and nothing an earlier run left to wait for. */
	if (!pz_plan_has_changes(p.plan) && !p.plan->nops) {
		if (opt_json)
			change_summary(
			    &(struct run){.json = true, .destroy = destroy},
			    &(struct pz_exec_summary){0},
			    "No changes. Your infrastructure matches the "
			    "configuration.");
		else
			printf("No changes. Your infrastructure matches the "
			       "configuration.\n");
		status = 0;
		goto out;
	}
	print_plan(p.plan, opt_json);
	if (pz_cmd_git_apply_check(p.plan, p.spec->path, p.state, NULL, commit))
		goto out;
	if (!opt_auto_approve && confirm(destroy))
		goto out;
	if (!p.client && pz_cmd_client_new(&p.client, p.spec, 50))
		goto out;
	pz_cmd_git_record(p.state, commit);
	status = execute(p.spec, p.backend, p.state, p.client, p.plan, destroy);
out:
	if (pz_cmd_planned_release(&p))
		status = 1;
	pz_cmd_notify_flush(); /* the lock released first */
	return status;
}

/* The plan's setup (cmd.h), locked as "destroy" with -destroy. */
static int prepare_apply(struct pz_setup *s, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (opt_destroy)
		s->lock_op = "destroy";
	return 0;
}

static int run_apply(struct pz_setup *s, int argc, char **argv)
{
	return run(s, argc, argv, opt_destroy);
}

static int run_destroy(struct pz_setup *s, int argc, char **argv)
{
	return run(s, argc, argv, true);
}

const struct pz_cmd pz_cmd_apply = {
    .name = "apply",
    .summary = "Make the resources match the spec",
    .usage = "[PLANFILE]",
    .description =
	"Plans as pz plan does, prints the plan and asks for 'yes'\n"
	"(-auto-approve does not ask), then runs its operations: each\n"
	"as soon as those it waits for are done, at most -parallelism\n"
	"at once, waiting for asynchronous resources by polling. With\n"
	"PLANFILE (from pz plan -out), runs exactly that plan, if the\n"
	"spec and the state are still what it was made against. The\n"
	"state is written as soon as a create returns its ARN and after\n"
	"every operation. A failed operation is reported with the\n"
	"service's reason and its resource marked tainted; independent\n"
	"operations go on, dependent ones are skipped. The first\n"
	"interrupt starts nothing new and stops once the calls in flight\n"
	"have answered (what they started goes on in AWS and the next\n"
	"apply waits for it); the second abandons them. Either way the\n"
	"state is written and the lock released. Exit status: 0, or 1\n"
	"when anything failed or was interrupted.",
    .opts = apply_opts,
    .max_args = 1,
    .setup = PZ_SETUP_PLAN | PZ_SETUP_SPEC_WARNINGS,
    .prepare = prepare_apply,
    .run = run_apply,
};

const struct pz_cmd pz_cmd_destroy = {
    .name = "destroy",
    .summary = "Delete everything pz manages in this state",
    .description =
	"Plans the deletion of every resource in the state (with\n"
	"-target: that resource, what depends on it and what must go\n"
	"before it), prints it and asks for 'yes', then deletes in the\n"
	"order the service allows. preventDestroy is honoured. Import\n"
	"and batch job records are removed from the state without a\n"
	"call: the service never deletes them. Exit status: 0, or 1.",
    .opts = destroy_opts,
    .max_args = 0,
    .setup = PZ_SETUP_PLAN | PZ_SETUP_SPEC_WARNINGS,
    .run = run_destroy,
};
