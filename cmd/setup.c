/*
 * setup.c - what a command needs before it runs, opened from its table's
 * declaration (cmd.h: enum pz_setup_need), after git's RUN_SETUP: the
 * spec, the state backend and its lock, the state, an AWS client. The
 * shared option rows (-f, -var, -state, -lock, -lock-timeout) feed it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "core/backend.h"
#include "core/spec.h"
#include "core/state.h"
#include "providers/aws/client.h"

struct pz_shared_opts pz_opts = {.lock = true};

/* Whether a spec file is there to be found without -f. */
static bool default_spec_exists(void)
{
	return access("pz.yaml", F_OK) == 0 || access("pz.yml", F_OK) == 0 ||
	       access("pz.json", F_OK) == 0;
}

static int open_spec(struct pz_setup *s)
{
	bool need = s->needs & PZ_SETUP_SPEC;

	/* The state commands take a spec only to find the state: with
	 * -state they need none. */
	if (!need && pz_opts.state)
		return 0;
	if (!need && !pz_opts.file && !default_spec_exists()) {
		pz_cmd_error("no spec here (pz.yaml, pz.yml or pz.json) to say "
			     "where the state is: pass -f FILE or -state=PATH");
		return 1;
	}
	pz_cmd_spec_warnings(s->needs & PZ_SETUP_SPEC_WARNINGS);
	return pz_cmd_load_spec(&s->spec, pz_opts.file, &pz_opts.vars,
				s->json_diags);
}

static int open_state(struct pz_setup *s)
{
	bool lock = (s->needs & PZ_SETUP_LOCK) && pz_opts.lock;

	if (pz_cmd_backend_open(&s->backend, s->spec, pz_opts.state,
				lock ? s->lock_op : NULL, pz_opts.lock_timeout))
		return 1;
	if (!(s->needs & PZ_SETUP_LOAD))
		return 0;
	if (pz_backend_load(s->backend, &s->state, &s->stored))
		return pz_cmd_fail();
	/* Reading a file named by -state that is not there is a typo, not
	 * an empty state (a locked run may start one). */
	if (!lock && pz_opts.state && !s->stored) {
		pz_cmd_error("no state at '%s': -state names a file that does "
			     "not exist",
			     pz_opts.state);
		return 1;
	}
	return 0;
}

int pz_cmd_setup(const struct pz_cmd *cmd, struct pz_setup *s, int argc,
		 char **argv)
{
	memset(s, 0, sizeof(*s));
	s->needs = cmd->setup;
	s->lock_op = cmd->name;
	if (cmd->prepare && cmd->prepare(s, argc, argv))
		return 1;
	if (s->needs & PZ_SETUP_PLAN) {
		s->plan.command = s->lock_op;
		s->plan.file = pz_opts.file;
		s->plan.vars = &pz_opts.vars;
		s->plan.state_flag = pz_opts.state;
		s->plan.lock_op = pz_opts.lock ? s->lock_op : NULL;
		s->plan.lock_timeout = pz_opts.lock_timeout;
		s->plan.spec_warnings = s->needs & PZ_SETUP_SPEC_WARNINGS;
		return 0;
	}
	if ((s->needs & (PZ_SETUP_SPEC | PZ_SETUP_STATE)) && open_spec(s))
		return 1;
	if (cmd->spec_ready && cmd->spec_ready(s, argc, argv))
		return 1;
	if ((s->needs & PZ_SETUP_STATE) && open_state(s))
		return 1;
	if ((s->needs & PZ_SETUP_CLIENT) &&
	    pz_cmd_client_new(&s->client, s->spec,
			      s->parallelism ? s->parallelism
					     : PZ_AWS_DEFAULT_MAX_CONNECTIONS))
		return 1;
	return 0;
}

int pz_cmd_setup_release(struct pz_setup *s)
{
	int status;

	if (s->data_free)
		s->data_free(s->data);
	pz_aws_client_free(s->client);
	pz_state_free(s->state);
	status = pz_cmd_backend_close(s->backend);
	pz_spec_free(s->spec);
	memset(s, 0, sizeof(*s));
	return status;
}
