/*
 * git.c - the spec's repository through libgit2 (git.h).
 */
#include "git.h"

#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"

struct pz_git {
	git_repository *repo;
	char *workdir; /* resolved, ending in '/' */
};

/* libgit2's message for its last error, or what failed. */
static const char *git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

static int git_fail(int code, const char *what)
{
	return pz_error_set(code, "%s: %s", what, git_msg());
}

int pz_git_open(struct pz_git **out, const char *path)
{
	struct pz_git *g = NULL;
	char *dir = NULL, resolved[PATH_MAX];
	struct stat sb;
	const char *wd;
	int r, e;

	*out = NULL;
	git_libgit2_init();
	g = pz_xcalloc(1, sizeof(*g));
	/* A directory itself; a file's directory. */
	dir = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) ? pz_xstrdup(path)
							  : pz_path_dir(path);
	e = git_repository_open_ext(&g->repo, dir, 0, NULL);
	if (e == GIT_ENOTFOUND) {
		r = pz_error_set(PZ_ENOTFOUND,
				 "'%s' is not in a git repository (nor is any "
				 "directory above it): run pz in a clone of "
				 "the repository",
				 dir);
		goto fail;
	}
	if (e == GIT_EOWNER) {
		/* Git's safe.directory rule (a checkout made by another user,
		 * as in a CI container). */
		r = pz_error_set(
		    PZ_EINVAL,
		    "the git repository of '%s' belongs to another "
		    "user: if it is to be trusted, add it to git's "
		    "safe.directory (git config --global --add "
		    "safe.directory DIR): %s",
		    dir, git_msg());
		goto fail;
	}
	if (e) {
		r = pz_error_set(PZ_EIO,
				 "cannot open the git repository of '%s': %s",
				 dir, git_msg());
		goto fail;
	}
	wd = git_repository_workdir(g->repo);
	if (!wd) {
		r = pz_error_set(PZ_EINVAL,
				 "the git repository of '%s' is bare: pz needs "
				 "a work tree with the spec checked out",
				 path);
		goto fail;
	}
	if (!realpath(wd, resolved)) {
		r = pz_error_set_errno(PZ_EIO, "cannot resolve '%s'", wd);
		goto fail;
	}
	g->workdir = pz_xasprintf(
	    "%s%s", resolved, resolved[strlen(resolved) - 1] == '/' ? "" : "/");
	free(dir);
	*out = g;
	return 0;
fail:
	free(dir);
	pz_git_free(g);
	return r;
}

void pz_git_free(struct pz_git *g)
{
	if (!g)
		return;
	git_repository_free(g->repo);
	free(g->workdir);
	free(g);
	git_libgit2_shutdown();
}

const char *pz_git_workdir(const struct pz_git *g)
{
	return g->workdir;
}

int pz_git_relpath(const struct pz_git *g, const char *path, char **out)
{
	char *dir = pz_path_dir(path), resolved[PATH_MAX], *full;
	const char *base = strrchr(path, '/');
	size_t wl = strlen(g->workdir);
	int r = 0;

	*out = NULL;
	base = base ? base + 1 : path;
	if (!realpath(dir, resolved)) {
		r = pz_error_set_errno(PZ_EIO, "cannot resolve '%s'", dir);
		free(dir);
		return r;
	}
	free(dir);
	full = pz_xasprintf("%s/%s", resolved, base);
	if (strncmp(full, g->workdir, wl)) {
		r = pz_error_set(PZ_EINVAL,
				 "'%s' is outside the git work tree '%s'", path,
				 g->workdir);
		free(full);
		return r;
	}
	*out = pz_xstrdup(full + wl);
	free(full);
	return 0;
}

static int lookup_commit(struct pz_git *g, const char *what, const char *ref,
			 git_commit **out)
{
	git_object *obj = NULL, *peeled = NULL;
	int e;

	*out = NULL;
	e = git_revparse_single(&obj, g->repo, ref);
	if (e == GIT_ENOTFOUND || e == GIT_EINVALIDSPEC)
		return pz_error_set(PZ_ENOTFOUND,
				    "%s '%s' names no commit of the repository "
				    "at '%s' (a shallow clone may lack it: "
				    "fetch it, e.g. with fetch-depth: 0)",
				    what, ref, g->workdir);
	if (e == GIT_EAMBIGUOUS)
		return pz_error_set(PZ_EINVAL,
				    "%s '%s' is ambiguous: give more of the "
				    "commit id or a full ref name",
				    what, ref);
	if (e)
		return git_fail(PZ_EIO, "cannot read the repository");
	e = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (e)
		return pz_error_set(PZ_EINVAL, "%s '%s' is not a commit: %s",
				    what, ref, git_msg());
	*out = (git_commit *)peeled;
	return 0;
}

int pz_git_resolve(struct pz_git *g, const char *ref, char out[PZ_GIT_ID_SIZE])
{
	git_commit *c;
	int r;

	out[0] = '\0';
	if ((r = lookup_commit(g, "the ref", ref, &c)))
		return r;
	git_oid_tostr(out, PZ_GIT_ID_SIZE, git_commit_id(c));
	git_commit_free(c);
	return 0;
}

int pz_git_head(struct pz_git *g, char out[PZ_GIT_ID_SIZE])
{
	out[0] = '\0';
	if (git_repository_head_unborn(g->repo) == 1)
		return pz_error_set(PZ_ENOTFOUND,
				    "the git repository at '%s' has no commit "
				    "yet: commit the spec first",
				    g->workdir);
	return pz_git_resolve(g, "HEAD", out);
}

static int commit_tree(struct pz_git *g, const char *id, git_tree **out)
{
	git_commit *c;
	int r;

	*out = NULL;
	if ((r = lookup_commit(g, "the commit", id, &c)))
		return r;
	if (git_commit_tree(out, c))
		r = git_fail(PZ_EIO, "cannot read a commit's tree");
	git_commit_free(c);
	return r;
}

int pz_git_read(struct pz_git *g, const char *commit, const char *relpath,
		struct pz_buf *out)
{
	git_tree *tree = NULL;
	git_tree_entry *ent = NULL;
	git_blob *blob = NULL;
	int r, e;

	if ((r = commit_tree(g, commit, &tree)))
		return r;
	e = git_tree_entry_bypath(&ent, tree, relpath);
	if (e == GIT_ENOTFOUND) {
		r = pz_error_set(PZ_ENOTFOUND, "commit %.12s has no file '%s'",
				 commit, relpath);
		goto out;
	}
	if (e) {
		r = git_fail(PZ_EIO, "cannot read a commit's tree");
		goto out;
	}
	if (git_tree_entry_type(ent) != GIT_OBJECT_BLOB) {
		r = pz_error_set(PZ_EINVAL,
				 "'%s' is not a file in commit %.12s", relpath,
				 commit);
		goto out;
	}
	if (git_blob_lookup(&blob, g->repo, git_tree_entry_id(ent))) {
		r = git_fail(PZ_EIO, "cannot read a file from the repository");
		goto out;
	}
	r = pz_buf_add(out, git_blob_rawcontent(blob),
		       (size_t)git_blob_rawsize(blob));
out:
	git_blob_free(blob);
	git_tree_entry_free(ent);
	git_tree_free(tree);
	return r;
}

void pz_git_paths_free(char **paths, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

int pz_git_dirty(struct pz_git *g, char ***paths, size_t *n)
{
	git_status_options so = GIT_STATUS_OPTIONS_INIT;
	git_status_list *list = NULL;
	char **out = NULL;
	size_t i, k = 0, count;

	*paths = NULL;
	*n = 0;
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&list, g->repo, &so))
		return git_fail(PZ_EIO, "cannot read the work tree's status");
	count = git_status_list_entrycount(list);
	out = pz_xcalloc(count + 1, sizeof(*out));
	for (i = 0; i < count; i++) {
		const git_status_entry *s = git_status_byindex(list, i);
		const git_diff_delta *d = s->index_to_workdir
					      ? s->index_to_workdir
					      : s->head_to_index;

		if (s->status == GIT_STATUS_CURRENT ||
		    (s->status & (GIT_STATUS_WT_NEW | GIT_STATUS_IGNORED)) ==
			s->status ||
		    !d)
			continue;
		out[k++] = pz_xstrdup(d->new_file.path ? d->new_file.path
						       : d->old_file.path);
	}
	git_status_list_free(list);
	qsort(out, k, sizeof(*out), pz_strcmp_p);
	*paths = out;
	*n = k;
	return 0;
}

const char *pz_git_status_name(enum pz_git_status s)
{
	switch (s) {
	case PZ_GIT_ADDED: return "added";
	case PZ_GIT_DELETED: return "deleted";
	case PZ_GIT_MODIFIED: return "modified";
	case PZ_GIT_RENAMED: return "renamed";
	}
	return "?";
}

void pz_git_changes_free(struct pz_git_change *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(c[i].path);
		free(c[i].old_path);
	}
	free(c);
}

static int cmp_change(const void *a, const void *b)
{
	return strcmp(((const struct pz_git_change *)a)->path,
		      ((const struct pz_git_change *)b)->path);
}

int pz_git_diff(struct pz_git *g, const char *base, const char *head,
		const char *under, struct pz_git_change **out, size_t *n)
{
	git_diff_options dopts = GIT_DIFF_OPTIONS_INIT;
	git_diff_find_options fopts = GIT_DIFF_FIND_OPTIONS_INIT;
	git_tree *old_tree = NULL, *new_tree = NULL;
	git_diff *diff = NULL;
	struct pz_git_change *list = NULL;
	char *prefix = NULL;
	size_t i, k = 0, count;
	int r;

	*out = NULL;
	*n = 0;
	if ((r = commit_tree(g, base, &old_tree)) ||
	    (head && (r = commit_tree(g, head, &new_tree))))
		goto out;
	/* The whole trees, so a file renamed into or out of under is
	 * seen as the rename it is; filtered below. */
	if (under && *under)
		prefix = pz_xasprintf("%s/", under);
	if (head ? git_diff_tree_to_tree(&diff, g->repo, old_tree, new_tree,
					 &dopts)
		 : git_diff_tree_to_workdir_with_index(&diff, g->repo, old_tree,
						       &dopts)) {
		r = git_fail(PZ_EIO, "cannot compare the commits");
		goto out;
	}
	fopts.flags = GIT_DIFF_FIND_RENAMES;
	if (git_diff_find_similar(diff, &fopts)) {
		r = git_fail(PZ_EIO, "cannot find renamed files");
		goto out;
	}
	count = git_diff_num_deltas(diff);
	list = pz_xcalloc(count + 1, sizeof(*list));
	for (i = 0; i < count; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		struct pz_git_change *c = &list[k];

		switch (d->status) {
		case GIT_DELTA_ADDED:
		case GIT_DELTA_COPIED: c->status = PZ_GIT_ADDED; break;
		case GIT_DELTA_DELETED: c->status = PZ_GIT_DELETED; break;
		case GIT_DELTA_RENAMED: c->status = PZ_GIT_RENAMED; break;
		case GIT_DELTA_MODIFIED:
		case GIT_DELTA_TYPECHANGE: c->status = PZ_GIT_MODIFIED; break;
		default: continue; /* unmodified, ignored, untracked */
		}
		if (prefix && !pz_str_has_prefix(d->new_file.path, prefix) &&
		    !pz_str_has_prefix(d->old_file.path, prefix))
			continue;
		c->path =
		    pz_xstrdup(c->status == PZ_GIT_DELETED ? d->old_file.path
							   : d->new_file.path);
		if (c->status != PZ_GIT_ADDED)
			c->old_path = pz_xstrdup(d->old_file.path);
		k++;
	}
	qsort(list, k, sizeof(*list), cmp_change);
	*out = list;
	*n = k;
	list = NULL;
out:
	pz_git_changes_free(list, 0);
	git_diff_free(diff);
	git_tree_free(old_tree);
	git_tree_free(new_tree);
	free(prefix);
	return r;
}

int pz_git_is_ancestor(struct pz_git *g, const char *a, const char *b)
{
	git_oid oa, ob;
	int e;

	if (!pz_git_id_valid(a) || !pz_git_id_valid(b) ||
	    git_oid_fromstr(&oa, a) || git_oid_fromstr(&ob, b))
		return pz_error_set(PZ_EINVAL,
				    "'%s' or '%s' is not a commit id", a, b);
	e = git_graph_descendant_of(g->repo, &ob, &oa);
	if (e < 0)
		return pz_error_set(PZ_ENOTFOUND,
				    "cannot relate commits %.12s and %.12s: %s",
				    a, b, git_msg());
	return e;
}

const char *pz_git_library_version(void)
{
	static char v[32];
	int major = 0, minor = 0, rev = 0;

	git_libgit2_version(&major, &minor, &rev);
	snprintf(v, sizeof(v), "%d.%d.%d", major, minor, rev);
	return v;
}

bool pz_git_id_valid(const char *s)
{
	size_t i;

	if (!s)
		return false;
	for (i = 0; i < 40; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[40] == '\0';
}
