/*
 * git.c - pz plan -git-base=REF [-git-head=REF]: the spec at two commits,
 * the review of the change between them, the commit the plan is of
 * (core/git.h, core/gitops.h, docs/gitops.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "core/error.h"
#include "core/escape.h"
#include "core/git.h"
#include "core/gitops.h"
#include "core/plan.h"
#include "core/spec.h"
#include "core/state.h"

struct pz_cmd_git {
	struct pz_git *g;
	char *path;    /* the spec as given (or the default name found) */
	char *relpath; /* the spec in the work tree */
	char head[PZ_GIT_ID_SIZE], base[PZ_GIT_ID_SIZE];
	const char *head_ref, *base_ref;
	struct pz_buf text; /* the spec at -git-head */
	bool have_text;
};

static void git_ctx_free(struct pz_cmd_git *cg);

static int fail(struct pz_cmd_git *cg)
{
	git_ctx_free(cg);
	return pz_cmd_fail();
}

/* -f, else the one default name the head commit has. 0, or 1 after
 * printing why. */
static int spec_at_head(struct pz_cmd_git *cg, const char *spec_flag)
{
	static const char *const defaults[] = {"pz.yaml", "pz.yml", "pz.json"};
	const char *found = NULL;
	char *rel;
	size_t i, n = 0;
	int r;

	for (i = 0; !spec_flag && i < PZ_ARRAY_LEN(defaults); i++) {
		if (pz_git_relpath(cg->g, defaults[i], &rel))
			return pz_cmd_fail();
		r = pz_git_read(cg->g, cg->head, rel, &cg->text);
		free(rel);
		if (r == PZ_ENOTFOUND) {
			pz_error_clear();
			continue;
		}
		if (r)
			return pz_cmd_fail();
		found = found ? found : defaults[i];
		n++;
		pz_buf_truncate(&cg->text, 0);
	}
	if (!spec_flag && n != 1) {
		pz_cmd_error("-git-head=%s has %s here: pass -f FILE to say "
			     "which spec to plan",
			     pz_esc(cg->head_ref),
			     n ? "more than one of pz.yaml, pz.yml and pz.json"
			       : "no pz.yaml, pz.yml or pz.json");
		return 1;
	}
	cg->path = pz_xstrdup(spec_flag ? spec_flag : found);
	if (pz_git_relpath(cg->g, cg->path, &cg->relpath))
		return pz_cmd_fail();
	r = pz_git_read(cg->g, cg->head, cg->relpath, &cg->text);
	if (r == PZ_ENOTFOUND) {
		pz_cmd_error(
		    "-git-head=%s has no spec '%s' (deleted or renamed "
		    "there?): pass -f with its path at that commit",
		    pz_esc(cg->head_ref), pz_esc(cg->relpath));
		return 1;
	}
	if (r)
		return pz_cmd_fail();
	cg->have_text = true;
	return 0;
}

/* The work tree has no spec: when the base had it, the change deletes it,
 * which a plan of the spec cannot show. Prints why and frees cg (1), or
 * 0 to let loading the spec say it is missing. */
static int deleted_since_base(struct pz_cmd_git *cg)
{
	struct pz_buf text;
	int r;

	pz_buf_init(&text, (size_t)16 << 20);
	r = pz_git_read(cg->g, cg->base, cg->relpath, &text);
	pz_buf_release(&text);
	if (r == PZ_ENOTFOUND) {
		pz_error_clear();
		return 0;
	}
	if (r)
		return fail(cg);
	pz_cmd_error("the change deletes the spec '%s' (-git-base=%s has it, "
		     "the work tree does not): pz cannot plan a spec that is "
		     "gone; to destroy what it manages, run pz plan -destroy "
		     "with the spec as the base has it (e.g. git show "
		     "%.12s:%s > old.yaml; pz plan -destroy -f old.yaml)",
		     pz_esc(cg->relpath), pz_esc(cg->base_ref), cg->base,
		     pz_esc(cg->relpath));
	git_ctx_free(cg);
	return 1;
}

static int git_open(struct pz_cmd_git **out, const char *spec_flag,
		    const char *base_ref, const char *head_ref)
{
	struct pz_cmd_git *cg = pz_xcalloc(1, sizeof(*cg));
	const char *path;
	bool asked = base_ref || head_ref;
	int r;

	*out = NULL;
	pz_buf_init(&cg->text, (size_t)16 << 20);
	cg->base_ref = base_ref;
	cg->head_ref = head_ref;
	if ((base_ref && !*base_ref) || (head_ref && !*head_ref)) {
		pz_cmd_error("-git-base and -git-head take a commit, branch or "
			     "tag, not an empty value");
		git_ctx_free(cg);
		return 1;
	}
	if (spec_flag && !strcmp(spec_flag, "-")) {
		git_ctx_free(cg);
		if (!asked)
			return 0;
		pz_cmd_error("-git-base and -git-head need the spec in a git "
			     "work tree, not on stdin (-f -)");
		return 1;
	}
	/* Where to look for the repository: the spec's directory. */
	path = spec_flag ? spec_flag : "pz.yaml";
	r = pz_git_open(&cg->g, path);
	if (r && !asked) {
		/* Not in a repository: a plan of no commit. */
		pz_error_clear();
		git_ctx_free(cg);
		return 0;
	}
	if (r) {
		pz_error_wrap(0, "%s", base_ref ? "-git-base" : "-git-head");
		return fail(cg);
	}
	if (head_ref) {
		if (pz_git_resolve(cg->g, head_ref, cg->head)) {
			pz_error_wrap(0, "-git-head");
			return fail(cg);
		}
		if (spec_at_head(cg, spec_flag)) {
			git_ctx_free(cg);
			return 1;
		}
	} else {
		r = pz_git_head(cg->g, cg->head);
		if (r == PZ_ENOTFOUND && !asked) {
			pz_error_clear();
			git_ctx_free(cg);
			return 0;
		}
		if (r)
			return fail(cg);
		if (!(path = pz_cmd_spec_path(spec_flag))) {
			git_ctx_free(cg);
			return 1;
		}
		cg->path = pz_xstrdup(path);
		if (pz_git_relpath(cg->g, cg->path, &cg->relpath))
			return fail(cg);
	}
	if (base_ref && pz_git_resolve(cg->g, base_ref, cg->base)) {
		pz_error_wrap(0, "-git-base");
		return fail(cg);
	}
	if (base_ref && !head_ref && access(cg->path, F_OK) != 0 &&
	    deleted_since_base(cg))
		return 1;
	*out = cg;
	return 0;
}

static const char *git_spec(const struct pz_cmd_git *cg, size_t *len,
			    const char **path)
{
	if (!cg || !cg->have_text)
		return NULL;
	*len = cg->text.len;
	*path = cg->path;
	return cg->text.ptr ? cg->text.ptr : "";
}

static void git_ctx_free(struct pz_cmd_git *cg)
{
	if (!cg)
		return;
	pz_git_free(cg->g);
	free(cg->path);
	free(cg->relpath);
	pz_buf_release(&cg->text);
	free(cg);
}

/* The spec files the change touches: those under the spec's directory
 * whose name says spec (.yaml, .yml, .json). The base's path of the spec
 * (renamed, or as it is) into *base_path. */
static int changed_files(struct pz_cmd_git *cg, struct pz_plan_git *pg,
			 const char **base_path)
{
	struct pz_git_change *ch = NULL;
	char *dir = pz_path_dir(cg->relpath);
	size_t n = 0, i, cap = 0;
	int r;

	*base_path = cg->relpath;
	r = pz_git_diff(cg->g, cg->base, cg->head_ref ? cg->head : NULL,
			strcmp(dir, ".") ? dir : "", &ch, &n);
	free(dir);
	if (r)
		return r;
	for (i = 0; i < n; i++) {
		const struct pz_git_change *c = &ch[i];
		struct pz_plan_git_file *f;

		if (!pz_str_has_suffix(c->path, ".yaml") &&
		    !pz_str_has_suffix(c->path, ".yml") &&
		    !pz_str_has_suffix(c->path, ".json"))
			continue;
		PZ_GROW(pg->files, pg->nfiles, cap);
		f = &pg->files[pg->nfiles++];
		memset(f, 0, sizeof(*f));
		f->path = pz_xstrdup(c->path);
		f->old_path = c->status == PZ_GIT_RENAMED
				  ? pz_xstrdup(c->old_path)
				  : NULL;
		f->status = pz_git_status_name(c->status);
		f->spec = !strcmp(c->path, cg->relpath) &&
			  c->status != PZ_GIT_DELETED;
		if (f->spec && c->status == PZ_GIT_RENAMED)
			*base_path = f->old_path;
	}
	pz_git_changes_free(ch, n);
	return 0;
}

/* The spec as the base has it, or NULL: *comparable says whether the
 * review compares against it (a base without the spec: everything is
 * added) or not (a base whose spec has errors: pg->note says so). */
static int base_spec(struct pz_cmd_git *cg, struct pz_plan_git *pg,
		     const char *base_path, const struct pz_strlist *var_args,
		     struct pz_spec **out, bool *comparable)
{
	struct pz_spec_var *vars = NULL;
	struct pz_diags diags;
	struct pz_buf text;
	char *shown;
	int r;

	*out = NULL;
	*comparable = true;
	pz_buf_init(&text, (size_t)16 << 20);
	r = pz_git_read(cg->g, cg->base, base_path, &text);
	if (r == PZ_ENOTFOUND) {
		pz_error_clear();
		pg->note = pz_xasprintf("the base has no spec at '%s': every "
					"resource of the spec is added",
					base_path);
		pz_buf_release(&text);
		return 0;
	}
	if (r || pz_cmd_parse_vars(var_args, &vars)) {
		pz_buf_release(&text);
		return r ? r : PZ_EUSAGE;
	}
	pz_diags_init(&diags);
	shown = pz_xasprintf("%.12s:%s", cg->base, base_path);
	r = pz_spec_load_text(out, shown, text.ptr ? text.ptr : "", text.len,
			      vars, var_args->n, &diags);
	if (r == PZ_ESPEC || (!r && diags.nerrors)) {
		/* A base that did not load is reviewed as no base. */
		pg->note = pz_xasprintf(
		    "the spec at the base has %zu error%s, so the change "
		    "cannot be compared resource by resource",
		    diags.nerrors, diags.nerrors == 1 ? "" : "s");
		pz_spec_free(*out);
		*out = NULL;
		*comparable = false;
		r = 0;
	}
	free(shown);
	free(vars);
	pz_diags_release(&diags);
	pz_buf_release(&text);
	return r;
}

static int git_review(struct pz_cmd_git *cg, const struct pz_spec *spec,
		      const struct pz_strlist *var_args,
		      struct pz_plan_git **out)
{
	struct pz_plan_git *pg = pz_xcalloc(1, sizeof(*pg));
	struct pz_spec *base = NULL;
	char **dirty = NULL;
	const char *base_path;
	size_t ndirty = 0;
	bool comparable;

	*out = NULL;
	memcpy(pg->head, cg->head, sizeof(pg->head));
	pg->head_ref = cg->head_ref ? pz_xstrdup(cg->head_ref) : NULL;
	pg->base_ref = cg->base_ref ? pz_xstrdup(cg->base_ref) : NULL;
	pg->spec_path = pz_xstrdup(cg->relpath);
	if (!cg->head_ref) {
		if (pz_git_dirty(cg->g, &dirty, &ndirty))
			goto fail;
		pg->dirty = ndirty > 0;
		pz_git_paths_free(dirty, ndirty);
	}
	if (cg->base[0]) {
		memcpy(pg->base, cg->base, sizeof(pg->base));
		if (changed_files(cg, pg, &base_path) ||
		    base_spec(cg, pg, base_path, var_args, &base, &comparable))
			goto fail;
		if (comparable)
			pz_gitops_review(pg, base, spec);
		pz_spec_free(base);
	}
	*out = pg;
	return 0;
fail:
	pz_plan_git_free(pg);
	return pz_cmd_fail();
}

int pz_cmd_git_load_spec(struct pz_spec **spec, struct pz_plan_git **git,
			 const char *file, const struct pz_strlist *vars,
			 const char *git_base, const char *git_head)
{
	struct pz_cmd_git *cg = NULL;
	const char *text, *path;
	size_t len = 0;
	int status = 1;

	*spec = NULL;
	*git = NULL;
	if (git_open(&cg, file, git_base, git_head))
		return 1;
	if ((text = git_spec(cg, &len, &path))
		? pz_cmd_load_spec_text(spec, path, text, len, vars, false)
		: pz_cmd_load_spec(spec, file, vars, false))
		goto out;
	if (cg && git_review(cg, *spec, vars, git)) {
		pz_spec_free(*spec);
		*spec = NULL;
		goto out;
	}
	status = 0;
out:
	git_ctx_free(cg);
	return status;
}

const char *pz_cmd_git_marker(const struct pz_plan *plan)
{
	const char *ws = pz_cmd_workspace();

	if (ws)
		return ws;
	if (plan->git && plan->git->spec_path)
		return plan->git->spec_path;
	return plan->spec_path;
}

int pz_cmd_git_apply_check(const struct pz_plan *plan, const char *spec_path,
			   const struct pz_state *st, const char *origin,
			   char commit[PZ_GIT_ID_SIZE])
{
	char *warning = NULL;

	if (pz_gitops_check_plan(plan, spec_path, commit)) {
		if (origin)
			pz_cmd_error("%s: %s", pz_esc(origin),
				     pz_esc(pz_error_last()));
		else
			pz_cmd_fail();
		return 1;
	}
	if (!commit[0] || plan->destroy || !st || !st->git_commit)
		return 0;
	if (pz_gitops_older_warning(spec_path, commit, st->git_commit,
				    &warning))
		return pz_cmd_fail();
	if (warning)
		fprintf(stderr, "pz: warning: %s\n", pz_esc(warning));
	free(warning);
	return 0;
}

void pz_cmd_git_record(struct pz_state *st, const char *commit)
{
	free(st->git_commit);
	st->git_commit = commit && *commit ? pz_xstrdup(commit) : NULL;
}
