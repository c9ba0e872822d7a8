/*
 * main.c - pz's entry point: global flags, the command table, dispatch.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "core/json_out.h"
#include "core/log.h"
#include "providers/personalize/personalize.h"

extern const struct pz_cmd pz_cmd_validate;
extern const struct pz_cmd pz_cmd_graph;
extern const struct pz_cmd pz_cmd_plan;
extern const struct pz_cmd pz_cmd_apply;
extern const struct pz_cmd pz_cmd_destroy;
extern const struct pz_cmd pz_cmd_version;
extern const struct pz_cmd pz_cmd_help;
extern const struct pz_cmd pz_cmd_whoami;
extern const struct pz_cmd pz_cmd_show;
extern const struct pz_cmd pz_cmd_state;
extern const struct pz_cmd pz_cmd_import;
extern const struct pz_cmd pz_cmd_force_unlock;
extern const struct pz_cmd pz_cmd_data;
extern const struct pz_cmd pz_cmd_recommend;
extern const struct pz_cmd pz_cmd_rank;
extern const struct pz_cmd pz_cmd_metrics;

/* Adding a command: its cmd_<name>.c, one extern above, one line here. */
const struct pz_cmd *const pz_commands[] = {
    &pz_cmd_validate,
    &pz_cmd_plan,
    &pz_cmd_apply,
    &pz_cmd_destroy,
    &pz_cmd_graph,
    &pz_cmd_show,
    &pz_cmd_state,
    &pz_cmd_import,
    &pz_cmd_force_unlock,
    &pz_cmd_data,
    &pz_cmd_recommend,
    &pz_cmd_rank,
    &pz_cmd_metrics,
    &pz_cmd_version,
    &pz_cmd_whoami,
    &pz_cmd_help,
    NULL,
};

static int finish(int status)
{
	/* After git: output that could not be written is an error; a
	 * reader that left early (EPIPE: SIGPIPE is defused) is a quiet
	 * one. The command has released its lock by now. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			pz_cmd_error("unable to write output: %s",
				     strerror(errno));
		return pz_cmd_exit_status(1);
	}
	return pz_cmd_exit_status(status);
}

int main(int argc, char **argv)
{
	const struct pz_cmd *cmd;
	struct pz_setup setup;
	int i = 1, r;

	setlocale(LC_ALL, "C");
	pz_json_init();
	pz_log_init();

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i] + 1 + (argv[i][1] == '-');

		if (!strncmp(a, "chdir=", 6)) {
			if (chdir(a + 6) != 0) {
				pz_cmd_error("unable to change directory to "
					     "'%s': %s",
					     a + 6, strerror(errno));
				return 1;
			}
		} else if (!strcmp(a, "version") || !strcmp(a, "v")) {
			return finish(pz_cmd_version.run(NULL, 0, NULL));
		} else if (!strcmp(a, "help") || !strcmp(a, "h")) {
			pz_cmd_print_list(stdout);
			return finish(0);
		} else if (!strcmp(a, "no-color")) {
			pz_global.no_color = true;
		} else {
			pz_cmd_error("unknown global option '%s'", argv[i]);
			pz_cmd_print_list(stderr);
			return 1;
		}
	}
	if (i >= argc) {
		pz_cmd_print_list(stderr);
		return 1;
	}
	cmd = pz_cmd_find(argv[i]);
	if (!cmd) {
		const char *names[64];
		const char *best;
		size_t n;

		for (n = 0; pz_commands[n] && n < PZ_ARRAY_LEN(names); n++)
			names[n] = pz_commands[n]->name;
		pz_cmd_error("'%s' is not a pz command", argv[i]);
		best = pz_str_suggest(argv[i], names, n);
		if (best)
			fprintf(stderr, "pz: did you mean '%s'?\n", best);
		fputs("pz: see 'pz help'\n", stderr);
		return 1;
	}
	/* Every command leaves by its error path on SIGINT/SIGTERM, so the
	 * state lock is always released. */
	pz_cmd_signals_init();
	/* The resource types pz knows: one provider today. */
	pz_personalize_register();
	argc -= i;
	argv += i;
	r = pz_cmd_parse(cmd, &argc, argv);
	if (r == 3)
		return finish(0);
	if (r)
		return 1;
	/* What the command's table says it needs (cmd.h), then the command;
	 * the lock is released on every path out. */
	r = pz_cmd_setup(cmd, &setup, argc, argv);
	if (!r)
		r = cmd->run(&setup, argc, argv);
	if (pz_cmd_setup_release(&setup))
		r = 1;
	return finish(r);
}
