/*
 * gitops.h - plans reviewed in pull requests and applied on merge
 * (issue 15, docs/gitops.md).
 *
 * A plan made in a git work tree records the commit its spec is from
 * (struct pz_plan_git, plan.h). With a base commit it also carries the
 * review of the change: the spec files it touches and the resources whose
 * declaration it adds, removes or changes, compared canonically (comments,
 * layout and key order are no change). A saved plan is applied only at
 * the commit it was made at, in a clean work tree; the commit applied is
 * what the state records.
 */
#ifndef PZ_GITOPS_H
#define PZ_GITOPS_H

#include <cjson/cJSON.h>

#include "git.h"
#include "plan.h"
#include "spec.h"

void pz_plan_git_free(struct pz_plan_git *pg);

/*
 * The resources whose declaration differs between base (the spec at the
 * base commit; NULL when it had none) and head: added, removed, or
 * changed with the members that differ. Only declared resources are
 * compared (what derives from them follows them). Fills pg->resources.
 */
void pz_gitops_review(struct pz_plan_git *pg, const struct pz_spec *base,
		      const struct pz_spec *head);

/* pg as JSON: {"base", "head", "dirty", "head_ref", "base_ref",
 * "spec_path", "files", "resources", "note"} (base null without one),
 * and back. pz_plan_git_from_json: PZ_EINVAL when a member has the
 * wrong form or a commit id is not one. */
cJSON *pz_plan_git_json(const struct pz_plan_git *pg);
int pz_plan_git_from_json(struct pz_plan_git **out, const cJSON *v);

/*
 * May the saved plan be applied from the work tree holding spec_path?
 * A plan that records no commit may (0, head_out ""). Else the work tree
 * must be in a repository with the plan's commit checked out and, when
 * the plan was made from a clean tree, no uncommitted change to a
 * tracked file: PZ_ESTALE with a message naming both commits (or the
 * files that differ) otherwise. On 0, head_out is the commit the state
 * should record: the plan's when it was made clean, "" when not.
 */
int pz_gitops_check_plan(const struct pz_plan *plan, const char *spec_path,
			 char head_out[PZ_GIT_ID_SIZE]);

/*
 * For an apply without a saved plan: the commit to record in the state,
 * HEAD of the work tree holding spec_path when it is clean, "" when it is
 * not clean or not in a repository (never an error: the state then
 * records no commit). 0, or an error reading the repository.
 */
int pz_gitops_head_to_record(const char *spec_path,
			     char head_out[PZ_GIT_ID_SIZE]);

/*
 * Before an apply of commit: is it older than state_commit, the commit
 * the state says was applied last? *warning (the caller's) is a message
 * to show before confirming when commit is an ancestor of state_commit,
 * NULL when not (or when either is unknown to the repository). 0, or an
 * error opening the repository.
 */
int pz_gitops_older_warning(const char *spec_path, const char *commit,
			    const char *state_commit, char **warning);

#endif
