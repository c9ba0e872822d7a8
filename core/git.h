/*
 * git.h - the repository a spec lives in, read through libgit2 (issue 15).
 *
 * pz never runs git: it opens the repository that holds the spec, names
 * commits by their full ids, reads a file as a commit has it, says
 * whether the work tree has uncommitted changes, and lists the files two
 * trees differ in (renames detected). Paths given to and returned by
 * these functions are relative to the repository's work tree, with '/'.
 *
 * Errors: 0 or a negative PZ_E* code with the message set, as everywhere
 * in core/; libgit2's own message is kept in it.
 */
#ifndef PZ_GIT_H
#define PZ_GIT_H

#include "buf.h"

/* A commit id in hexadecimal, with its NUL. */
#define PZ_GIT_ID_SIZE 41

struct pz_git; /* an open repository */

/*
 * Opens the repository whose work tree holds path (a file, which need
 * not exist, or a directory), searching upward as git does. PZ_ENOTFOUND
 * "... is not in a git repository" when there is none; PZ_EINVAL for a
 * bare repository (no work tree to compare). Free with pz_git_free.
 */
int pz_git_open(struct pz_git **out, const char *path);
void pz_git_free(struct pz_git *g);
/* The work tree's absolute path, ending in '/'. Borrowed from g. */
const char *pz_git_workdir(const struct pz_git *g);
/*
 * path (absolute, or relative to the working directory; the file need
 * not exist, its directory must) relative to g's work tree. *out is the
 * caller's. PZ_EINVAL when path is outside the work tree.
 */
int pz_git_relpath(const struct pz_git *g, const char *path, char **out);

/* The commit ref names (a branch, tag, "HEAD~1", an id or a prefix of
 * one), as its full id. PZ_ENOTFOUND naming ref when there is none. */
int pz_git_resolve(struct pz_git *g, const char *ref, char out[PZ_GIT_ID_SIZE]);
/* The commit checked out (HEAD). PZ_ENOTFOUND when the repository has
 * no commit yet. */
int pz_git_head(struct pz_git *g, char out[PZ_GIT_ID_SIZE]);
/*
 * The file at relpath as commit (a full id) has it, into out (appended).
 * PZ_ENOTFOUND when the commit has no file there.
 */
int pz_git_read(struct pz_git *g, const char *commit, const char *relpath,
		struct pz_buf *out);

/*
 * Tracked files whose work tree or index content differs from HEAD
 * (modified, staged, deleted, renamed; untracked and ignored files do
 * not count: a saved plan or a local state beside the spec is no
 * change). *paths (sorted, each and the array the caller's: see
 * pz_git_paths_free) and *n; n 0 is a clean work tree.
 */
int pz_git_dirty(struct pz_git *g, char ***paths, size_t *n);
void pz_git_paths_free(char **paths, size_t n);

enum pz_git_status {
	PZ_GIT_ADDED,
	PZ_GIT_DELETED,
	PZ_GIT_MODIFIED,
	PZ_GIT_RENAMED,
};

struct pz_git_change {
	enum pz_git_status status;
	char *path;	/* as the head has it (the old path when deleted) */
	char *old_path; /* as the base has it; NULL when added */
};

/*
 * What differs between commit base and head (a full id, or NULL: the
 * index and work tree, tracked files only) under the directory under
 * ("" or NULL: everywhere), renames detected. *out in path order, the
 * caller's (pz_git_changes_free).
 */
int pz_git_diff(struct pz_git *g, const char *base, const char *head,
		const char *under, struct pz_git_change **out, size_t *n);
void pz_git_changes_free(struct pz_git_change *c, size_t n);
const char *pz_git_status_name(enum pz_git_status s);

/* 1 when commit a is an ancestor of commit b (b descends from it), 0
 * when not (or a equals b), negative on error (a commit the repository
 * does not have: PZ_ENOTFOUND). */
int pz_git_is_ancestor(struct pz_git *g, const char *a, const char *b);

/* libgit2's version as loaded ("1.5.1"), for pz version. Static. */
const char *pz_git_library_version(void);

/* True for a full commit id (40 lowercase hexadecimal digits). */
bool pz_git_id_valid(const char *s);

#endif
