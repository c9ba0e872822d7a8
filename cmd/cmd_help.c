/*
 * cmd_help.c - pz help [COMMAND], and pz help -json: the command and
 * option tables as data, which the man page and the shell completions
 * are generated from (tools/gen-man.py, tools/gen-completion.py).
 */
#include <cjson/cJSON.h>
#include <stdio.h>

#include "cmd.h"
#include "core/json_out.h"

static bool opt_json;

/*
 * The options main.c parses before the command name, and the two every
 * command takes (opts.c). They are not in a command's table, so they
 * are listed here for -json; tests/install/tables_test.sh checks them
 * against what the binary accepts and prints.
 */
static const struct pz_opt global_opts[] = {
    {"chdir", PZ_OPT_STRING, NULL, "DIR",
     "change to DIR before doing anything else"},
    {"no-color", PZ_OPT_BOOL, NULL, NULL,
     "no ANSI colours in the output (also NO_COLOR=1)"},
    {"version", PZ_OPT_BOOL, NULL, NULL, "same as pz version"},
    {"help", PZ_OPT_BOOL, NULL, NULL, "same as pz help"},
    {NULL},
};

static const struct pz_opt common_opts[] = {
    {"no-color", PZ_OPT_BOOL, NULL, NULL,
     "no ANSI colours in the output (also NO_COLOR=1)"},
    {"help", PZ_OPT_BOOL, NULL, NULL, "show this help"},
    {NULL},
};

static const char *kind_name(enum pz_opt_kind k)
{
	switch (k) {
	case PZ_OPT_BOOL: return "bool";
	case PZ_OPT_STRING: return "string";
	case PZ_OPT_INT: return "int";
	case PZ_OPT_LIST: return "list";
	}
	PZ_BUG("option kind %d", (int)k);
}

static cJSON *opts_json(const struct pz_opt *opts)
{
	cJSON *arr = cJSON_CreateArray();
	const struct pz_opt *o;

	for (o = opts; o && o->name; o++) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "name", o->name);
		cJSON_AddStringToObject(j, "kind", kind_name(o->kind));
		pz_json_add_str_or_null(j, "metavar", o->metavar);
		cJSON_AddStringToObject(j, "help", o->help);
		cJSON_AddItemToArray(arr, j);
	}
	return arr;
}

int pz_cmd_print_json(const cJSON *v)
{
	struct pz_buf b;
	int r;

	pz_buf_init(&b, 0);
	r = pz_json_write(v, &b, 2);
	if (!r)
		r = pz_buf_addc(&b, '\n');
	if (!r)
		fputs(pz_buf_cstr(&b), stdout);
	pz_buf_release(&b);
	return r ? pz_cmd_fail() : 0;
}

static int print_tables(void)
{
	cJSON *root = cJSON_CreateObject(), *cmds = cJSON_CreateArray();
	size_t i;
	int r;

	cJSON_AddNumberToObject(root, "format_version", 1);
	cJSON_AddStringToObject(root, "version", PZ_VERSION);
	cJSON_AddItemToObject(root, "global_options", opts_json(global_opts));
	cJSON_AddItemToObject(root, "common_options", opts_json(common_opts));
	for (i = 0; pz_commands[i]; i++) {
		const struct pz_cmd *c = pz_commands[i];
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "name", c->name);
		cJSON_AddStringToObject(j, "summary", c->summary);
		pz_json_add_str_or_null(j, "usage", c->usage);
		pz_json_add_str_or_null(j, "description", c->description);
		cJSON_AddNumberToObject(j, "min_args", c->min_args);
		cJSON_AddNumberToObject(j, "max_args", c->max_args);
		cJSON_AddItemToObject(j, "options", opts_json(c->opts));
		cJSON_AddItemToArray(cmds, j);
	}
	cJSON_AddItemToObject(root, "commands", cmds);
	r = pz_cmd_print_json(root);
	cJSON_Delete(root);
	return r;
}

static int run_help(struct pz_setup *s, int argc, char **argv)
{
	const struct pz_cmd *cmd;

	(void)s;
	if (opt_json) {
		if (argc) {
			pz_cmd_error("-json prints every command; "
				     "drop '%s'",
				     argv[0]);
			return 1;
		}
		return print_tables();
	}
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

static const struct pz_opt help_opts[] = {
    {"json", PZ_OPT_BOOL, &opt_json, NULL,
     "print every command and its options as JSON (the man page and the "
     "shell completions are generated from it)"},
    {NULL},
};

const struct pz_cmd pz_cmd_help = {
    .name = "help",
    .summary = "Show the commands, or one command's options",
    .usage = "[COMMAND]",
    .opts = help_opts,
    .max_args = 1,
    .run = run_help,
};
