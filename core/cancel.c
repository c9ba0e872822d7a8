/*
 * cancel.c - the cancellation flag and its self-pipe.
 */
#include "cancel.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "error.h"

static volatile sig_atomic_t cancelled;
static int wake[2] = {-1, -1};

static int set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

int pz_cancel_init(void)
{
	int fds[2];

	if (wake[0] >= 0)
		return 0;
	if (pipe(fds) != 0)
		return pz_error_set_errno(PZ_EIO, "unable to create a pipe");
	if (set_flags(fds[0]) || set_flags(fds[1])) {
		int r = pz_error_set_errno(PZ_EIO, "unable to set up a pipe");

		close(fds[0]);
		close(fds[1]);
		return r;
	}
	wake[1] = fds[1];
	wake[0] = fds[0];
	/* A request that came before the pipe existed still wakes. */
	if (cancelled)
		(void)!write(wake[1], "!", 1);
	return 0;
}

void pz_cancel_request(int why)
{
	int saved = errno;

	if (!cancelled)
		cancelled = why > 0 ? why : SIGINT;
	/* One byte is enough; a full pipe (EAGAIN) is readable already. */
	if (wake[1] >= 0)
		(void)!write(wake[1], "!", 1);
	errno = saved;
}

int pz_cancelled(void)
{
	return cancelled;
}

static const char *why_name(int why)
{
	switch (why) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	case SIGQUIT: return "SIGQUIT";
	}
	return "a signal";
}

int pz_cancel_check(void)
{
	int why = cancelled;

	if (!why)
		return 0;
	return pz_error_set(PZ_EINTR, "interrupted by %s", why_name(why));
}

int pz_cancel_fd(void)
{
	return wake[0];
}

void pz_cancel_reset(void)
{
	char buf[64];

	cancelled = 0;
	if (wake[0] >= 0)
		while (read(wake[0], buf, sizeof(buf)) > 0)
			;
}
