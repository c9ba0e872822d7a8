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

static const char *opt_file;
static const char *opt_state;
static struct pz_strlist opt_vars;

static const struct pz_opt force_unlock_opts[] = {
    {"f", PZ_OPT_STRING, &opt_file, "FILE",
     "the spec, which says where the state is (default: pz.yaml, "
     "pz.yml or pz.json here)"},
    {"var", PZ_OPT_LIST, &opt_vars, "NAME=VALUE",
     "set ${var:NAME}; repeatable"},
    {"state", PZ_OPT_STRING, &opt_state, "PATH",
     "the lock of this local state file instead of the spec's backend"},
    {NULL},
};

static int run_force_unlock(int argc, char **argv)
{
	struct pz_backend *b = NULL;
	struct pz_spec *spec = NULL;
	struct pz_lock_info holder;
	char desc[512];
	bool held = false;
	int status = 1;

	(void)argc;
	if (pz_cmd_state_open(&b, &spec, opt_file, &opt_vars, opt_state, false,
			      NULL, NULL))
		return 1;
	if (b->ops->lock_info(b, &holder, &held)) {
		pz_cmd_fail();
		goto out;
	}
	if (!held) {
		pz_cmd_error("the state %s is not locked; nothing to do",
			     b->location);
		goto out;
	}
	if (b->ops->force_unlock(b, argv[0])) {
		pz_cmd_fail();
		goto out;
	}
	pz_lock_info_describe(&holder, desc, sizeof(desc));
	printf("Removed the lock on %s: %s.\n", b->location, desc);
	status = 0;
out:
	if (pz_cmd_backend_close(b))
		status = 1;
	pz_spec_free(spec);
	return status;
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
    .run = run_force_unlock,
};
