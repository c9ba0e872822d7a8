/*
 * signals.c - SIGINT and SIGTERM: stop cleanly, never leave a lock behind
 * that pz could have removed.
 *
 * The first signal only sets pz_cmd_interrupted. Long waits check it
 * (lock waits; apply's waits) and fail with PZ_EINTR, so the command
 * leaves by its normal error path, which releases the state lock. A
 * second signal exits at once with 128 + the signal: before that, the
 * handler removes a local lock file and the temporary files being
 * written (core/tempfile.h) with unlink(2), which is async-signal-safe; an S3
 * lock cannot be removed from a handler, so it says which ID to pass to pz
 * force-unlock.
 *
 * The handler only reads what pz_cmd_signals_hold_lock() prepared; the
 * buffers are written only while the matching flag is clear.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "core/backend.h"
#include "core/error.h"
#include "core/tempfile.h"

volatile sig_atomic_t pz_cmd_interrupted;

static char lock_path[4096];
static volatile sig_atomic_t lock_path_armed;
static char exit_msg[1400];
static volatile sig_atomic_t exit_msg_len;
static bool installed;

static void on_signal(int sig)
{
	static const char first[] = "\npz: interrupted: stopping at the next "
				    "safe point (interrupt again to exit at "
				    "once)\n";
	int saved = errno;

	if (pz_cmd_interrupted) {
		if (lock_path_armed)
			unlink(lock_path);
		pz_tempfile_remove_all();
		if (exit_msg_len > 0)
			(void)!write(STDERR_FILENO, exit_msg,
				     (size_t)exit_msg_len);
		_exit(128 + sig);
	}
	pz_cmd_interrupted = sig;
	(void)!write(STDERR_FILENO, first, sizeof(first) - 1);
	errno = saved;
}

void pz_cmd_signals_init(void)
{
	struct sigaction sa;

	if (installed)
		return;
	installed = true;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking sleep or open returns EINTR at once. */
	sa.sa_flags = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void pz_cmd_signals_hold_lock(const struct pz_backend *b, const char *id)
{
	const char *path = pz_backend_local_lock_path(b);
	int n;

	pz_cmd_signals_drop_lock();
	if (path && strlen(path) < sizeof(lock_path)) {
		snprintf(lock_path, sizeof(lock_path), "%s", path);
		n = snprintf(exit_msg, sizeof(exit_msg),
			     "pz: exiting at once; removed the state lock "
			     "'%s'\n",
			     path);
		lock_path_armed = 1;
	} else {
		n = snprintf(exit_msg, sizeof(exit_msg),
			     "pz: exiting at once; the state lock %s on %s "
			     "stays: once no run uses the state, remove it "
			     "with: pz force-unlock %s\n",
			     id, b->location, id);
	}
	if (n > 0)
		exit_msg_len =
		    n < (int)sizeof(exit_msg) ? n : (int)sizeof(exit_msg) - 1;
}

void pz_cmd_signals_drop_lock(void)
{
	lock_path_armed = 0;
	exit_msg_len = 0;
}

int pz_cmd_check_interrupted(void)
{
	int sig = pz_cmd_interrupted;

	if (!sig)
		return 0;
	return pz_error_set(PZ_EINTR, "interrupted by %s",
			    sig == SIGINT ? "SIGINT" : "SIGTERM");
}
