/*
 * signals.c - SIGINT and SIGTERM: stop cleanly, never leave a lock behind
 * that pz could have removed; SIGPIPE: an ordinary write error.
 *
 * The first signal sets pz_cmd_interrupted and requests cancellation
 * (core/cancel.h), which also wakes the AWS client's event loop: the
 * requests in flight and their retries are abandoned, long waits (lock
 * waits; apply's waits) fail with PZ_EINTR, and the command leaves by
 * its normal error path, which releases the state lock; main() then
 * exits with 128 + the signal (130 for SIGINT, 143 for SIGTERM). A
 * second signal exits at once with the same status: before that, the
 * handler removes a local lock file and the temporary files being
 * written (core/tempfile.h) with unlink(2), which is async-signal-safe;
 * an S3 lock cannot be removed from a handler, so it says which ID to
 * pass to pz force-unlock.
 *
 * SIGPIPE is caught and does nothing: a reader that went away (pz plan
 * | head -1) makes writes fail with EPIPE, so the command still
 * releases its lock and main() reports the failed output (quietly for
 * EPIPE) instead of the process dying with the lock held. A handler
 * rather than SIG_IGN, because an ignored signal stays ignored in the
 * programs pz runs (credential_process), and a handler does not.
 *
 * Apply runs in graceful mode (pz_cmd_signals_graceful): there the
 * first signal only sets pz_cmd_interrupted, so nothing new starts but
 * the calls in flight answer and what they started is recorded; the
 * second requests cancellation; the third exits at once as above.
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
#include "core/cancel.h"
#include "core/error.h"
#include "core/tempfile.h"

volatile sig_atomic_t pz_cmd_interrupted;

static char lock_path[4096];
static volatile sig_atomic_t lock_path_armed;
static char exit_msg[1400];
static volatile sig_atomic_t exit_msg_len;
static bool installed;

static volatile sig_atomic_t graceful, cancelled_late;

static void on_signal(int sig)
{
	static const char first[] = "\npz: interrupted: stopping at the next "
				    "safe point (interrupt again to exit at "
				    "once)\n";
	static const char soft[] =
	    "\npz: interrupted: starting nothing new; waiting for the calls "
	    "in flight to answer, then writing the state (interrupt again to "
	    "stop waiting)\n";
	static const char hard[] =
	    "\npz: interrupted again: abandoning the calls in flight, "
	    "writing the state (interrupt again to exit at once)\n";
	int saved = errno;

	if (pz_cmd_interrupted && graceful && !cancelled_late) {
		/* Apply's second signal: what the first let finish is
		 * abandoned; the state is still written. */
		cancelled_late = 1;
		pz_cancel_request(sig);
		(void)!write(STDERR_FILENO, hard, sizeof(hard) - 1);
		errno = saved;
		return;
	}
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
	if (graceful) {
		(void)!write(STDERR_FILENO, soft, sizeof(soft) - 1);
	} else {
		pz_cancel_request(sig);
		(void)!write(STDERR_FILENO, first, sizeof(first) - 1);
	}
	errno = saved;
}

void pz_cmd_signals_graceful(bool on)
{
	/* After a graceful stop the command only reports and releases
	 * the lock: no cancellation is requested then, and it exits 1. */
	graceful = on;
}

static void on_sigpipe(int sig)
{
	(void)sig; /* the write that raised it fails with EPIPE */
}

void pz_cmd_signals_init(void)
{
	struct sigaction sa;

	if (installed)
		return;
	installed = true;
	/* Without the pipe, the event loop still sees the flag within a
	 * poll timeout; nothing to report. */
	if (pz_cancel_init())
		pz_error_clear();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking sleep or open returns EINTR at once. */
	sa.sa_flags = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_sigpipe;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGPIPE, &sa, NULL);
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
	return pz_cancel_check();
}

int pz_cmd_exit_status(int status)
{
	int sig = pz_cancelled();

	return sig && status ? 128 + sig : status;
}
