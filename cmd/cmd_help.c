/*
 * cmd_help.c - pz help [COMMAND].
 */
#include <stdio.h>

#include "cmd.h"

static int run_help(int argc, char **argv)
{
	const struct pz_cmd *cmd;

	if (argc == 0) {
		pz_cmd_print_list(stdout);
		return 0;
	}
	cmd = pz_cmd_find(argv[0]);
	if (!cmd) {
		pz_cmd_error("'%s' is not a pz command; see 'pz help'",
			     argv[0]);
		return 1;
	}
	pz_cmd_print_help(cmd, stdout);
	return 0;
}

static const struct pz_opt help_opts[] = {{NULL}};

const struct pz_cmd pz_cmd_help = {
    .name = "help",
    .summary = "Show the commands, or one command's options",
    .usage = "[COMMAND]",
    .opts = help_opts,
    .max_args = 1,
    .run = run_help,
};
