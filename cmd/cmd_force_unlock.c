/*
 * cmd_force_unlock.c - pz force-unlock ID: remove a stale state lock.
 *
 * The ID (printed in every "is locked by" message) is the confirmation:
 * the lock is removed only while it still has that ID, so a lock taken
 * meanwhile by another run is never removed by mistake.
 */
#include <stdio.h>

#include "cmd.h"
#include "core/backend.h"
#include "core/error.h"
#include "core/spec.h"

static const struct pz_opt force_unlock_opts[] = {
    PZ_OPT_ROWS_SPEC(PZ_HELP_SPEC_STATE),
    PZ_OPT_ROW_STATE(
	"the lock of this local state file instead of the spec's backend"),
    {NULL},
};

static int run_force_unlock(struct pz_setup *s, int argc, char **argv)
{
	struct pz_backend *b = s->backend;
	struct pz_lock_info holder;
	char desc[512];
	bool held = false;

	(void)argc;
	if (b->ops->lock_info(b, &holder, &held))
		return pz_cmd_fail();
	if (!held) {
		pz_cmd_error("the state '%s' is not locked; nothing to do",
			     b->location);
		return 1;
	}
	if (b->ops->force_unlock(b, argv[0]))
		return pz_cmd_fail();
	pz_lock_info_describe(&holder, desc, sizeof(desc));
	printf("Removed the lock on '%s': %s.\n", b->location, desc);
	return 0;
}

const struct pz_cmd pz_cmd_force_unlock = {
    .name = "force-unlock",
    .summary = "Remove a stale state lock, by its ID",
    .usage = "ID",
    .description =
	"Removes the state lock whose ID is given, as printed by the\n"
	"\"is locked by ID\" message of a run that could not take it.\n"
	"Use it only when the run holding the lock is gone (killed,\n"
	"crashed, its machine lost): two runs writing the state at\n"
	"once can lose track of resources. A lock with another ID is\n"
	"left alone.",
    .opts = force_unlock_opts,
    .min_args = 1,
    .max_args = 1,
    .setup = PZ_SETUP_STATE,
    .run = run_force_unlock,
};
