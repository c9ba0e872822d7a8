/*
 * git_check.c - the apply side of git-ops on its own (core/gitops.h), for
 * test_gitops.py: may this saved plan be applied from here, and would
 * applying it warn that it is older than the state's commit?
 *
 *   git_check PLANFILE SPEC [STATE_COMMIT]
 *
 * Prints "ok COMMIT" (the commit to record, "-" for none) and exits 0,
 * or "refused: MESSAGE" and exits 1; with STATE_COMMIT, a line
 * "warning: MESSAGE" when the plan's commit is older. Exit 2 on usage
 * or load errors.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/gitops.h"
#include "core/plan_check.h"
#include "providers/personalize/personalize.h"

int main(int argc, char **argv)
{
	struct pz_plan *plan = NULL;
	char head[PZ_GIT_ID_SIZE], *warning = NULL;
	int r;

	if (argc < 3 || argc > 4) {
		fprintf(stderr,
			"usage: git_check PLANFILE SPEC [STATE_COMMIT]\n");
		return 2;
	}
	pz_personalize_register();
	if (pz_plan_load_checked(&plan, argv[1], NULL)) {
		printf("load: %s\n", pz_error_last());
		return 2;
	}
	r = pz_gitops_check_plan(plan, argv[2], head);
	if (r) {
		printf("refused: %s\n", pz_error_last());
		pz_plan_free(plan);
		return 1;
	}
	printf("ok %s\n", head[0] ? head : "-");
	if (argc == 4 && head[0]) {
		if (pz_gitops_older_warning(argv[2], head, argv[3], &warning)) {
			printf("error: %s\n", pz_error_last());
			pz_plan_free(plan);
			return 2;
		}
		if (warning)
			printf("warning: %s\n", warning);
		free(warning);
	}
	pz_plan_free(plan);
	return 0;
}
