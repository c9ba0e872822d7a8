/*
 * spec_load.c - what every spec-reading command does first: find the
 * file, parse -var, load and check the spec, print the diagnostics.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "core/spec.h"
#include "core/buf.h"
#include "core/error.h"

int pz_cmd_parse_vars(const struct pz_strlist *list, struct pz_spec_var **out)
{
	struct pz_spec_var *vars;
	size_t i, names = 0;
	char *tail;

	*out = NULL;
	for (i = 0; i < list->n; i++) {
		const char *eq = strchr(list->items[i], '=');

		if (!eq || eq == list->items[i]) {
			pz_cmd_error("-var takes NAME=VALUE, not '%s'",
				     list->items[i]);
			return 1;
		}
		names += (size_t)(eq - list->items[i]) + 1;
	}
	/* One block: the array, then the names it points at. */
	vars = pz_xcalloc(1, (list->n + 1) * sizeof(*vars) + names);
	tail = (char *)(vars + list->n + 1);
	for (i = 0; i < list->n; i++) {
		const char *eq = strchr(list->items[i], '=');
		size_t len = (size_t)(eq - list->items[i]);

		memcpy(tail, list->items[i], len);
		tail[len] = '\0';
		vars[i].name = tail;
		vars[i].value = eq + 1;
		tail += len + 1;
	}
	*out = vars;
	return 0;
}

void pz_cmd_print_diags(const struct pz_diags *diags, bool json)
{
	struct pz_buf b;

	pz_buf_init(&b, 0);
	if (json) {
		if (pz_diags_render_json(diags, &b) == 0)
			fputs(pz_buf_cstr(&b), stdout);
	} else if (pz_diags_render_text(diags, &b, pz_cmd_color(stderr)) == 0) {
		fputs(pz_buf_cstr(&b), stderr);
	}
	pz_buf_release(&b);
}

static bool spec_warnings;

void pz_cmd_spec_warnings(bool on)
{
	spec_warnings = on;
}

/* Drops the warnings about the spec's content (validate and plan show
 * them; other commands would repeat them on every run). What the command
 * line got wrong (-var) stays. */
static void drop_spec_warnings(struct pz_diags *d)
{
	size_t i, k = 0;

	for (i = 0; i < d->n; i++) {
		struct pz_diag *g = &d->items[i];

		if (g->severity == PZ_SEV_WARNING &&
		    !pz_str_has_prefix(g->message, "-var ")) {
			free(g->file);
			free(g->message);
			d->nwarnings--;
			continue;
		}
		d->items[k++] = *g;
	}
	d->n = k;
}

/* The spec from path, or from text (len bytes) shown as path. */
static int load_spec(struct pz_spec **out, const char *path, const char *text,
		     size_t len, const struct pz_strlist *var_args,
		     bool json_diags)
{
	struct pz_spec_var *vars = NULL;
	struct pz_diags diags;
	int r;

	*out = NULL;
	if (pz_cmd_parse_vars(var_args, &vars))
		return 1;
	pz_diags_init(&diags);
	/* A signal stops a long parse, not only the waits after it. */
	pz_doc_set_stop_flag(&pz_cmd_interrupted);
	if (text)
		r = pz_spec_load_text(out, path, text, len, vars, var_args->n,
				      &diags);
	else
		r = pz_spec_load(out, path, vars, var_args->n, &diags);
	free(vars);
	if (r && r != PZ_ESPEC) {
		pz_diags_release(&diags);
		return pz_cmd_fail();
	}
	if (!spec_warnings)
		drop_spec_warnings(&diags);
	pz_diags_sort(&diags);
	if (diags.n || json_diags)
		pz_cmd_print_diags(&diags, json_diags);
	if (diags.nerrors) {
		if (!json_diags)
			pz_cmd_error("%zu error%s in %s", diags.nerrors,
				     diags.nerrors == 1 ? "" : "s", path);
		pz_diags_release(&diags);
		pz_spec_free(*out);
		*out = NULL;
		return 1;
	}
	pz_diags_release(&diags);
	return 0;
}

int pz_cmd_load_spec(struct pz_spec **out, const char *file,
		     const struct pz_strlist *var_args, bool json_diags)
{
	const char *path;
	struct pz_buf text;
	int r;

	*out = NULL;
	path = pz_cmd_spec_path(file);
	if (!path)
		return 1;
	if (strcmp(path, "-"))
		return load_spec(out, path, NULL, 0, var_args, json_diags);
	/* -f - reads the spec from stdin, as state push - does. */
	pz_buf_init(&text, (size_t)16 << 20);
	if (pz_buf_read_file(&text, "/dev/stdin")) {
		pz_buf_release(&text);
		return pz_cmd_fail();
	}
	r = load_spec(out, "<stdin>", text.ptr ? text.ptr : "", text.len,
		      var_args, json_diags);
	pz_buf_release(&text);
	return r;
}

int pz_cmd_load_spec_text(struct pz_spec **out, const char *path,
			  const char *text, size_t len,
			  const struct pz_strlist *var_args, bool json_diags)
{
	return load_spec(out, path, text, len, var_args, json_diags);
}
