/*
 * cmd.h - the command table and option parsing shared by every command.
 *
 * Each command lives in cmd_<name>.c and exports one `const struct pz_cmd`.
 * Its option table is the single source of its usage line, its --help
 * text and its parsing (after libgit2's CLI): adding an option touches
 * one table line. Flags follow Terraform: -flag, --flag, -flag=value and
 * -flag value are all accepted.
 *
 * Only cmd/ prints or exits. Commands return an exit status: 0 success,
 * 1 error, 2 "changes present" where a command documents it.
 */
#ifndef PZ_CMD_H
#define PZ_CMD_H

#include <signal.h>
#include <stdio.h>

#include "core/common.h"

enum pz_opt_kind {
	PZ_OPT_BOOL,   /* -flag, -flag=true|false */
	PZ_OPT_STRING, /* -flag=VALUE; twice with two values: an error */
	PZ_OPT_INT,    /* -flag=N */
	PZ_OPT_LIST,   /* repeatable -flag=VALUE, collected in order */
};

struct pz_strlist {
	const char **items;
	size_t n;
	size_t cap;
};

struct pz_opt {
	const char *name; /* without dashes: "out" */
	enum pz_opt_kind kind;
	void *value;	     /* bool *, const char **, long *, pz_strlist * */
	const char *metavar; /* "FILE" in -out=FILE; NULL for booleans */
	const char *help;
};

/*
 * The options most commands share, one row each (PZ_OPT_ROWS_SPEC and
 * the rows below): the command tables splice the rows in, with the help
 * text that command gives them, and the setup (pz_cmd_setup) reads the
 * values from here.
 */
struct pz_shared_opts {
	const char *file;	  /* -f FILE */
	struct pz_strlist vars;	  /* -var NAME=VALUE */
	const char *state;	  /* -state PATH */
	bool lock;		  /* -lock (default true) */
	const char *lock_timeout; /* -lock-timeout DURATION */
};
extern struct pz_shared_opts pz_opts;

#define PZ_HELP_SPEC "the spec (default: pz.yaml, pz.yml or pz.json here)"
#define PZ_HELP_SPEC_STATE                                                   \
	"the spec, which says where the state is (default: pz.yaml, pz.yml " \
	"or pz.json here)"
/* clang-format off */
#define PZ_OPT_ROWS_SPEC(help)                                               \
	{"f", PZ_OPT_STRING, &pz_opts.file, "FILE", help},                   \
	{"var", PZ_OPT_LIST, &pz_opts.vars, "NAME=VALUE",                    \
	 "set ${var:NAME}; repeatable"}
#define PZ_OPT_ROW_STATE(help)                                               \
	{"state", PZ_OPT_STRING, &pz_opts.state, "PATH", help}
#define PZ_OPT_ROW_LOCK(help)                                                \
	{"lock", PZ_OPT_BOOL, &pz_opts.lock, NULL, help}
#define PZ_OPT_ROW_LOCK_TIMEOUT(help)                                        \
	{"lock-timeout", PZ_OPT_STRING, &pz_opts.lock_timeout, "DURATION",   \
	 help}
/* clang-format on */

/*
 * What a command needs opened before it runs, after git's RUN_SETUP:
 * declared in its table (.setup), opened in this order by
 * pz_cmd_setup and released by pz_cmd_setup_release, so a command's run
 * function starts with them in its struct pz_setup.
 */
enum pz_setup_need {
	/* The spec (-f, -var), its diagnostics printed. */
	PZ_SETUP_SPEC = 1 << 0,
	/* Its warnings about content too (validate, plan). */
	PZ_SETUP_SPEC_WARNINGS = 1 << 1,
	/* The state backend: -state, else the spec's (the spec is then
	 * loaded even without PZ_SETUP_SPEC; with -state it is not). */
	PZ_SETUP_STATE = 1 << 2,
	/* Its lock, for s->lock_op (the command's name unless the prepare
	 * hook says otherwise), unless -lock=false; -lock-timeout waits. */
	PZ_SETUP_LOCK = 1 << 3,
	/* The state read (s->state, s->stored). Without the lock, a
	 * -state that names no file is an error, not an empty state. */
	PZ_SETUP_LOAD = 1 << 4,
	/* An AWS client for the spec's region, s->parallelism requests in
	 * flight (0: the client's default). */
	PZ_SETUP_CLIENT = 1 << 5,
	/* pz_cmd_plan_make does the setup, interleaved with planning (spec
	 * from a commit, prices, the client only with a refresh): the
	 * setup fills s->plan from the shared options, the lock op being
	 * the command's name (none with -lock=false). */
	PZ_SETUP_PLAN = 1 << 6,
};

struct pz_spec;
struct pz_backend;
struct pz_state;
struct pz_aws_client;
struct pz_cmd_plan_args;
struct pz_setup;

struct pz_cmd {
	const char *name;
	const char *summary;	 /* one line for `pz help` */
	const char *usage;	 /* arguments after the options: "[PLANFILE]" */
	const char *description; /* paragraphs for --help */
	const struct pz_opt *opts; /* terminated by an entry with name NULL */
	int min_args, max_args;	   /* positional arguments; max -1: unlimited */
	unsigned setup;		   /* enum pz_setup_need */
	/* Optional, before anything is opened: checks the options and,
	 * where what the command needs depends on them or on a
	 * subcommand, changes s->needs (and s->lock_op, s->parallelism,
	 * s->json_diags). 0, or 1 after printing why. */
	int (*prepare)(struct pz_setup *s, int argc, char **argv);
	/* Optional, once the spec is loaded, before the state is opened
	 * or locked: checks that need the spec but no lock. */
	int (*spec_ready)(struct pz_setup *s, int argc, char **argv);
	int (*run)(struct pz_setup *s, int argc, char **argv);
};

extern const struct pz_cmd *const pz_commands[];
const struct pz_cmd *pz_cmd_find(const char *name);

/*
 * Parses argv (argv[0] is the command name) against cmd's option table.
 * Positional arguments are moved to the front: on return argv[0..*argc)
 * are the positionals. Returns 0, or prints a usage error and returns 1;
 * returns 3 after printing --help (the caller exits 0).
 */
int pz_cmd_parse(const struct pz_cmd *cmd, int *argc, char **argv);
void pz_cmd_print_help(const struct pz_cmd *cmd, FILE *out);
void pz_cmd_print_list(FILE *out);

/* Prints "pz: <fmt>" to stderr; for errors found in cmd/. */
void pz_cmd_error(const char *fmt, ...) PZ_PRINTF(1, 2);
/* Prints "pz: <last error message>" and returns 1. */
int pz_cmd_fail(void);
/* Prints v on stdout as indented JSON and a newline (cmd_help.c).
 * 0, or 1 after printing why not. */
struct cJSON;
int pz_cmd_print_json(const struct cJSON *v);

/* Global settings parsed before the command name. */
struct pz_global {
	bool no_color;
};
extern struct pz_global pz_global;

/* True when stdout should get ANSI colours (a terminal, no NO_COLOR,
 * no -no-color). */
bool pz_cmd_color(FILE *f);

/* Locates the spec file: explicit, else pz.yaml, pz.yml, pz.json in the
 * working directory. Returns NULL (after printing why) when none. */
const char *pz_cmd_spec_path(const char *explicit_path);

/* The spec, loaded and checked, for commands that read one (spec_load.c).
 * Prints diagnostics (as JSON on stdout with json_diags) and returns 0
 * with *out set, or 1 when the spec has errors or cannot be read. */
struct pz_spec;
struct pz_spec_var;
struct pz_diags;
/* Whether pz_cmd_load_spec prints warnings about the spec's content
 * (validate and plan turn them on; off by default). */
void pz_cmd_spec_warnings(bool on);
int pz_cmd_load_spec(struct pz_spec **out, const char *file,
		     const struct pz_strlist *var_args, bool json_diags);
/* The same from text in memory, shown as path (pz plan -git-head reads
 * the spec from a commit). */
int pz_cmd_load_spec_text(struct pz_spec **out, const char *path,
			  const char *text, size_t len,
			  const struct pz_strlist *var_args, bool json_diags);
/* -var NAME=VALUE strings as spec vars; *out is one allocation (free). */
int pz_cmd_parse_vars(const struct pz_strlist *list, struct pz_spec_var **out);
void pz_cmd_print_diags(const struct pz_diags *diags, bool json);
/*
 * While into is set, every error pz_cmd_error prints and every
 * diagnostic pz_cmd_print_diags prints is also kept there (errors of
 * no file as pz_diag "nowhere"), so a command whose output is a
 * document (-json, -format=markdown) can give its failure in that
 * document too. NULL stops.
 */
void pz_cmd_capture_errors(struct pz_diags *into);
/* The capture, or NULL. */
struct pz_diags *pz_cmd_captured(void);
/* A failure as a document on stdout: Terraform's diagnostics JSON
 * (json), or a markdown comment titled "### pz TITLE: failed" with the
 * messages as pz printed them. 0, or 1 after a write error. */
int pz_cmd_print_failure(const struct pz_diags *d, bool json,
			 const char *title);

/* The named workspace from PZ_WORKSPACE, or NULL for the default one
 * (backend_open.c). */
const char *pz_cmd_workspace(void);

/*
 * The spec, loaded as pz_cmd_load_spec does, and what git says about it
 * (git.c, core/gitops.h): the spec comes from the work tree, or from the
 * commit git_head names; *git (the caller's, pz_plan_git_free) is the
 * commit it is from, whether the work tree is dirty and, with git_base,
 * the review of the change since that commit (the base's spec loaded
 * with the same -var values). Without git_base and git_head, a spec
 * outside a repository (or in one with no commit) is no error: *git is
 * NULL then. 0, or 1 after printing why.
 */
struct pz_plan_git;
int pz_cmd_git_load_spec(struct pz_spec **spec, struct pz_plan_git **git,
			 const char *file, const struct pz_strlist *vars,
			 const char *git_base, const char *git_head);
/*
 * For pz apply: may plan be applied from the work tree of spec_path
 * (core/gitops.h: at the commit it was made at, in a clean tree)? 1
 * after printing why not (prefixed with origin, the plan file, when not
 * NULL); else 0 with commit the one the state should record ("" for
 * none), after a warning on stderr when that commit is older than the
 * one st records. pz_cmd_git_record puts commit in st (NULL when "").
 */
struct pz_plan;
struct pz_state;
int pz_cmd_git_apply_check(const struct pz_plan *plan, const char *spec_path,
			   const struct pz_state *st, const char *origin,
			   char commit[41]);
void pz_cmd_git_record(struct pz_state *st, const char *commit);
/* What the markdown plan's marker names: the workspace, else the spec's
 * path in the repository, else as given. Borrowed. */
const char *pz_cmd_git_marker(const struct pz_plan *plan);

struct pz_prices;
/* The prices that turn a plan's usage into money (prices.c): the file
 * flag names (-prices=FILE, relative to here), else the spec's
 * pz.prices (relative to the spec), else none (*out NULL). 0, or 1 after
 * printing each problem at its file:line:col. */
int pz_cmd_load_prices(struct pz_prices **out, const struct pz_spec *spec,
		       const char *flag);
/* The -usage and -prices rows of the commands that plan (plan, apply,
 * destroy): usage a bool * (default true), prices a const char **. */
#define PZ_OPT_ROWS_USAGE(usage, prices)                                  \
	{"usage", PZ_OPT_BOOL, usage, NULL,                               \
	 "end the plan with what it bills in AWS's units (default true; " \
	 "-usage=false leaves it out)"},                                  \
	{                                                                 \
		"prices", PZ_OPT_STRING, prices, "FILE",                  \
		    "turn the usage into USD with the prices in FILE "    \
		    "(default: "                                          \
		    "the spec's pz.prices; docs/usage-cost.md)"           \
	}

struct pz_aws_client;
/* An AWS client for the spec's region and profile (client.c), with at most
 * parallelism requests in flight (0: the client's default); 1 after
 * printing why not. */
int pz_cmd_client_new(struct pz_aws_client **out, const struct pz_spec *spec,
		      long parallelism);

/*
 * SIGINT and SIGTERM (signals.c). The first signal sets
 * pz_cmd_interrupted (to the signal's number) and requests cancellation
 * (core/cancel.h): network waits and long waits stop with PZ_EINTR, so
 * the command leaves by its error path and releases the lock, and pz
 * exits with 128 + the signal (pz_cmd_exit_status); a second one exits
 * at once with the same status, removing a local state lock first.
 * SIGPIPE does nothing: writes to a closed pipe fail with EPIPE.
 */
struct pz_backend;
extern volatile sig_atomic_t pz_cmd_interrupted;
/* Installs the handlers (no SA_RESTART) and defuses SIGPIPE.
 * Idempotent. */
void pz_cmd_signals_init(void);
/* Graceful mode (apply): the first signal only sets
 * pz_cmd_interrupted, so that the calls in flight answer; the second
 * requests cancellation; the third exits at once. */
void pz_cmd_signals_graceful(bool on);
/* Arms the second-signal cleanup for the lock id just taken on b. */
void pz_cmd_signals_hold_lock(const struct pz_backend *b, const char *id);
/* Disarms it: call before releasing the lock. */
void pz_cmd_signals_drop_lock(void);
/* 0, or PZ_EINTR ("interrupted by SIGINT") once a signal came. */
int pz_cmd_check_interrupted(void);
/* A command's exit status after an interrupt: a failure becomes
 * 128 + the signal (130, 143); success and no signal leave it as is. */
int pz_cmd_exit_status(int status);

/*
 * The state backend for a command (backend_open.c): -state=PATH (a local
 * file), else the spec's pz.backend (local, or S3 with its own AWS
 * client: the bucket's region, the spec's profile, PZ_WORKSPACE), else
 * pz.state.json beside the spec. spec may be NULL when state_flag is
 * given. Installs the signal handlers, then locks for operation
 * ("state rm") unless that is NULL, waiting up to lock_timeout ("30s";
 * NULL: 0). Prints why and returns 1 on failure.
 */
int pz_cmd_backend_open(struct pz_backend **out, const struct pz_spec *spec,
			const char *state_flag, const char *operation,
			const char *lock_timeout);
/*
 * Takes b's lock, retrying with backoff for up to timeout_ms and saying
 * on stderr whom it waits for after a second; stops on a signal. 0, or
 * PZ_ELOCKED naming the holder, PZ_EINTR, or another error (message
 * set, nothing printed).
 */
int pz_cmd_backend_lock(struct pz_backend *b, const char *operation,
			long timeout_ms);
/* Releases the lock if held and frees b (NULL is fine): call it on
 * every path out. 0, or 1 after printing why the lock stays. */
int pz_cmd_backend_close(struct pz_backend *b);
/* One state resource for people: address, ARN, status, attributes,
 * dependencies (cmd_show.c; pz state show uses it too). */
struct pz_state_resource;
void pz_cmd_print_resource(FILE *out, const struct pz_state_resource *r);

/*
 * The plan as pz plan and pz apply make it (plan_make.c): loads the spec
 * and the -var values, opens the state (locked for lock_op unless NULL),
 * refreshes (unless !refresh), plans, probes for unmanaged resources
 * with the plan's names and checks the data to import; prints the
 * diagnostics. Returns 0 with *p filled, or 1 after printing why; call
 * pz_cmd_planned_release(p) in both cases.
 */
struct pz_plan;
struct pz_live;
struct pz_state;
struct pz_cmd_plan_args {
	const char *command; /* "plan", "apply", "destroy": for messages */
	const char *file;
	const struct pz_strlist *vars;
	const char *state_flag;
	const char *lock_op; /* lock for this operation; NULL: no lock */
	const char *lock_timeout;
	const char *data_check;
	const struct pz_strlist *targets;
	long parallelism; /* reads in flight during refresh */
	bool destroy, refresh;
	bool quiet;	    /* no "refreshed N resources" line */
	bool spec_warnings; /* print warnings about the spec's content */
	const char *git_base, *git_head; /* pz plan -git-base, -git-head */
	bool usage_off;	    /* no usage in the plan (-usage=false) */
	const char *prices; /* -prices=FILE (else the spec's pz.prices) */
};
struct pz_cmd_planned {
	struct pz_spec *spec;
	struct pz_spec_var *vars;
	struct pz_backend *backend;
	struct pz_state *state; /* as loaded (or as the data check saved it) */
	struct pz_aws_client *client; /* NULL without a refresh */
	struct pz_plan *plan;
	struct pz_live *live, *live_state;
	size_t nstate;
	struct pz_plan_git *git; /* for the plan, until it is made */
};
int pz_cmd_plan_make(struct pz_cmd_planned *p,
		     const struct pz_cmd_plan_args *a);
/* Frees everything and releases the lock: 0, or 1 after printing why
 * the lock stays. */
int pz_cmd_planned_release(struct pz_cmd_planned *p);

/* What pz_cmd_setup opened for a command (cmd->setup). */
struct pz_setup {
	unsigned needs;	      /* cmd->setup, as the prepare hook left it */
	const char *lock_op;  /* default: the command's name */
	long parallelism;     /* for PZ_SETUP_CLIENT; 0: the default */
	bool json_diags;      /* the spec's diagnostics as JSON on stdout */
	struct pz_spec *spec; /* PZ_SETUP_SPEC, or STATE without -state */
	struct pz_backend *backend;   /* PZ_SETUP_STATE */
	struct pz_state *state;	      /* PZ_SETUP_LOAD */
	bool stored;		      /* whether the backend held a state */
	struct pz_aws_client *client; /* PZ_SETUP_CLIENT */
	struct pz_cmd_plan_args plan; /* PZ_SETUP_PLAN */
	void *data; /* what a hook kept for run, freed with data_free */
	void (*data_free)(void *data);
};
/*
 * Runs cmd's prepare hook, then opens what s->needs says, in order:
 * spec, spec_ready hook, backend, lock, state, client. 0, or 1 after
 * printing why (what was opened is released by pz_cmd_setup_release,
 * which the caller calls in both cases).
 */
int pz_cmd_setup(const struct pz_cmd *cmd, struct pz_setup *s, int argc,
		 char **argv);
/* Frees what the setup opened, releasing the lock: 0, or 1 after
 * printing why the lock stays. */
int pz_cmd_setup_release(struct pz_setup *s);

/*
 * Notifications at the end of apply and destroy (notify.c): one JSON
 * summary to the spec's pz.notify.snsTopicArn (SNS Publish) and
 * webhookUrl (POST, 10 s timeout, 3 attempts). results has one entry
 * per plan operation (pz_cmd_notify_track fills it from the
 * executor's events); reasons, per operation, why it failed (or NULL).
 */
enum pz_notify_result {
	PZ_NOTIFY_NOT_STARTED = 0,
	PZ_NOTIFY_STARTED,
	PZ_NOTIFY_DONE,
	PZ_NOTIFY_FAILED,
	PZ_NOTIFY_SKIPPED,
	PZ_NOTIFY_IN_PROGRESS, /* left going on in AWS after a stop */
};
struct pz_plan;
struct pz_promote_gates;
struct pz_exec_event;
struct pz_notify_summary {
	const char *operation;	  /* "apply" or "destroy" */
	const char *status;	  /* "succeeded", "failed", "interrupted" */
	double started, finished; /* epoch seconds */
	size_t added, changed, destroyed, failed, skipped, not_started;
	size_t in_progress;
	const struct pz_plan *plan;
	const unsigned char *results; /* per op: enum pz_notify_result */
	const char *const *reasons;   /* per op, or NULL */
	const struct pz_promote_gates *gates; /* decisions, or NULL */
	const char *git_commit;		      /* or NULL */
};
void pz_cmd_notify_track(unsigned char *results,
			 const struct pz_exec_event *ev);
/* The summary document (docs/notifications.md); owned by the caller. */
struct cJSON *pz_cmd_notify_json(const struct pz_spec *spec,
				 const struct pz_notify_summary *s);
/* Makes it, for where the spec says (0, or 1 after a warning when it
 * cannot be made); pz_cmd_notify_flush sends it, once the state's lock
 * is released: 0, or 1 after a warning on stderr for each destination
 * that failed (never an apply's failure). */
int pz_cmd_notify(const struct pz_spec *spec,
		  const struct pz_notify_summary *s);
int pz_cmd_notify_flush(void);

#endif
