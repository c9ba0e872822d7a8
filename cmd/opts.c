/*
 * opts.c - option parsing and help generated from each command's table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "core/diag.h"
#include "core/error.h"
#include "core/escape.h"

struct pz_global pz_global;

void pz_cmd_error(const char *fmt, ...)
{
	struct pz_buf msg, out;
	va_list ap;

	/* Messages quote paths, keys, lock holders and AWS's words: escaped
	 * (core/escape.h), one line whatever they hold. */
	pz_buf_init(&msg, 0);
	pz_buf_init(&out, 0);
	va_start(ap, fmt);
	if (pz_buf_vprintf(&msg, fmt, ap) ||
	    pz_buf_add_escaped(&out, msg.ptr ? msg.ptr : "", msg.len))
		pz_buf_reset(&out);
	va_end(ap);
	fprintf(stderr, "pz: %s\n", pz_buf_cstr(&out));
	if (pz_cmd_captured()) {
		const char *m = pz_buf_cstr(&msg);
		bool warn = pz_str_has_prefix(m, "warning: ");

		pz_diag_add(pz_cmd_captured(),
			    warn ? PZ_SEV_WARNING : PZ_SEV_ERROR, NULL,
			    (struct pz_pos){0, 0, 0}, "%s", warn ? m + 9 : m);
	}
	pz_buf_release(&msg);
	pz_buf_release(&out);
}

int pz_cmd_fail(void)
{
	const char *m = pz_error_last();

	/* A report of several failures has a line for each. */
	for (;;) {
		size_t n = strcspn(m, "\n");

		pz_cmd_error("%.*s", (int)n, m);
		if (!m[n])
			break;
		m += n + 1;
	}
	return 1;
}

bool pz_cmd_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (pz_global.no_color || (nc && *nc))
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(f)) == 1;
}

const struct pz_cmd *pz_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; pz_commands[i]; i++)
		if (strcmp(pz_commands[i]->name, name) == 0)
			return pz_commands[i];
	return NULL;
}

static const struct pz_opt *find_opt(const struct pz_cmd *cmd, const char *name,
				     size_t len)
{
	const struct pz_opt *o;

	for (o = cmd->opts; o && o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static void suggest_opt(const struct pz_cmd *cmd, const char *name)
{
	const char *cands[64];
	const char *best;
	size_t n = 0;
	const struct pz_opt *o;

	for (o = cmd->opts; o && o->name && n < PZ_ARRAY_LEN(cands); o++)
		cands[n++] = o->name;
	best = pz_str_suggest(name, cands, n);
	if (best)
		fprintf(stderr, "pz: did you mean -%s?\n", best);
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes")) {
		*out = true;
		return 0;
	}
	if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no")) {
		*out = false;
		return 0;
	}
	return -1;
}

/* An option given twice with two values is an error, never "the last
 * wins": which one was meant is not for pz to guess. The same value
 * again is fine. */
static int conflict(const struct pz_opt *o, const char *first,
		    const char *value)
{
	pz_cmd_error("-%s is given twice, as '%s' and as '%s': pass one",
		     o->name, first, value);
	return 1;
}

/* seen: whether o was given before on this command line. */
static int set_opt(const struct pz_opt *o, const char *value, bool seen)
{
	char *end;
	long n;
	bool b;
	struct pz_strlist *l;

	switch (o->kind) {
	case PZ_OPT_BOOL:
		if (parse_bool(value, &b)) {
			pz_cmd_error("-%s takes true or false, not '%s'",
				     o->name, value);
			return 1;
		}
		if (seen && *(bool *)o->value != b)
			return conflict(o, b ? "false" : "true", value);
		*(bool *)o->value = b;
		return 0;
	case PZ_OPT_STRING:
		if (seen && strcmp(*(const char **)o->value, value))
			return conflict(o, *(const char **)o->value, value);
		*(const char **)o->value = value;
		return 0;
	case PZ_OPT_INT:
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno || end == value || *end) {
			pz_cmd_error("-%s takes a whole number, not '%s'",
				     o->name, value);
			return 1;
		}
		if (seen && *(long *)o->value != n) {
			char first[32];

			snprintf(first, sizeof(first), "%ld",
				 *(long *)o->value);
			return conflict(o, first, value);
		}
		*(long *)o->value = n;
		return 0;
	case PZ_OPT_LIST:
		l = o->value;
		PZ_GROW(l->items, l->n, l->cap);
		l->items[l->n++] = value;
		return 0;
	}
	PZ_BUG("option kind %d", (int)o->kind);
}

int pz_cmd_parse(const struct pz_cmd *cmd, int *argc, char **argv)
{
	int i, npos = 0, total = *argc;
	bool only_pos = false;
	bool seen[64] = {false};

	for (i = 1; i < total; i++) {
		char *a = argv[i];
		const char *name, *eq, *value = NULL;
		const struct pz_opt *o;
		size_t len;

		if (only_pos || a[0] != '-' || a[1] == '\0') {
			argv[npos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = true;
			continue;
		}
		name = a + 1 + (a[1] == '-');
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		if ((len == 1 && name[0] == 'h') ||
		    (len == 4 && !strncmp(name, "help", 4))) {
			pz_cmd_print_help(cmd, stdout);
			return 3;
		}
		if (len == 8 && !strncmp(name, "no-color", 8)) {
			pz_global.no_color = true;
			continue;
		}
		o = find_opt(cmd, name, len);
		if (!o) {
			char *bad = pz_xstrndup(name, len);

			pz_cmd_error("unknown option '-%s'", bad);
			suggest_opt(cmd, bad);
			fprintf(stderr, "pz: see 'pz %s -help'\n", cmd->name);
			free(bad);
			return 1;
		}
		if (eq) {
			value = eq + 1;
		} else if (o->kind == PZ_OPT_BOOL) {
			value = "true";
		} else if (i + 1 < total) {
			value = argv[++i];
		} else {
			pz_cmd_error("-%s needs a value (-%s=%s)", o->name,
				     o->name,
				     o->metavar ? o->metavar : "VALUE");
			return 1;
		}
		if ((size_t)(o - cmd->opts) >= PZ_ARRAY_LEN(seen))
			PZ_BUG("more than %zu options", PZ_ARRAY_LEN(seen));
		if (set_opt(o, value, seen[o - cmd->opts]))
			return 1;
		seen[o - cmd->opts] = true;
	}
	if (npos < cmd->min_args ||
	    (cmd->max_args >= 0 && npos > cmd->max_args)) {
		if (npos < cmd->min_args)
			pz_cmd_error("missing argument");
		else
			pz_cmd_error("unexpected argument '%s'",
				     argv[cmd->max_args]);
		fprintf(stderr, "usage: pz %s [options]%s%s\n", cmd->name,
			cmd->usage ? " " : "", cmd->usage ? cmd->usage : "");
		return 1;
	}
	argv[npos] = NULL;
	*argc = npos;
	return 0;
}

void pz_cmd_print_help(const struct pz_cmd *cmd, FILE *out)
{
	const struct pz_opt *o;

	fprintf(out, "usage: pz %s%s%s%s\n\n", cmd->name,
		cmd->opts && cmd->opts->name ? " [options]" : "",
		cmd->usage ? " " : "", cmd->usage ? cmd->usage : "");
	fprintf(out, "%s\n", cmd->summary);
	if (cmd->description)
		fprintf(out, "\n%s\n", cmd->description);
	fputs("\noptions:\n", out);
	for (o = cmd->opts; o && o->name; o++) {
		char left[64];

		if (o->metavar)
			snprintf(left, sizeof(left), "-%s=%s", o->name,
				 o->metavar);
		else
			snprintf(left, sizeof(left), "-%s", o->name);
		fprintf(out, "  %-22s %s\n", left, o->help);
	}
	fprintf(out, "  %-22s %s\n", "-no-color",
		"no ANSI colours in the output (also NO_COLOR=1)");
	fprintf(out, "  %-22s %s\n", "-help", "show this help");
}

void pz_cmd_print_list(FILE *out)
{
	size_t i;

	fputs("usage: pz [-chdir=DIR] COMMAND [options] [args]\n\n"
	      "pz plans and applies Amazon Personalize resources from one "
	      "spec.\n\ncommands:\n",
	      out);
	for (i = 0; pz_commands[i]; i++)
		fprintf(out, "  %-14s %s\n", pz_commands[i]->name,
			pz_commands[i]->summary);
	fputs("\n'pz help COMMAND' or 'pz COMMAND -help' shows a command's "
	      "options.\n",
	      out);
}

const char *pz_cmd_spec_path(const char *explicit_path)
{
	static const char *const defaults[] = {"pz.yaml", "pz.yml", "pz.json"};
	size_t i;

	const char *found[PZ_ARRAY_LEN(defaults)];
	size_t n = 0;

	if (explicit_path)
		return explicit_path;
	for (i = 0; i < PZ_ARRAY_LEN(defaults); i++)
		if (access(defaults[i], F_OK) == 0)
			found[n++] = defaults[i];
	if (n == 1)
		return found[0];
	if (n > 1) {
		/* Never pick one silently: the other may be the one meant. */
		pz_cmd_error("%s and %s%s%s are %s here: pass -f FILE to say "
			     "which spec to use",
			     found[0], found[1], n > 2 ? " and " : "",
			     n > 2 ? found[2] : "", n > 2 ? "all" : "both");
		return NULL;
	}
	pz_cmd_error("no spec file: pass -f FILE, or create pz.yaml, pz.yml "
		     "or pz.json in this directory");
	return NULL;
}
