/*
 * tempfile.c - atomic file replacement (tempfile.h).
 */
#include "tempfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "random.h"

int pz_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int pz_fsync_dir_of(const char *path)
{
	char *dir = pz_path_dir(path);
	int fd, r = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	/* Some file systems cannot sync a directory: nothing to do. */
	if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
		r = -1;
	close(fd);
	return r;
}

char *pz_resolve_links(const char *path)
{
	char *cur = pz_xstrdup(path);
	int hops;

	for (hops = 0; hops < 40; hops++) {
		char target[PATH_MAX];
		ssize_t n = readlink(cur, target, sizeof(target) - 1);
		char *next;

		if (n < 0)
			return cur; /* not a link, or missing: this is it */
		target[n] = '\0';
		if (target[0] == '/' || !strchr(cur, '/')) {
			next = pz_xstrdup(target);
		} else {
			char *dir = pz_path_dir(cur);

			next = pz_xasprintf("%s/%s", dir, target);
			free(dir);
		}
		free(cur);
		cur = next;
	}
	free(cur);
	pz_error_set(PZ_EIO, "'%s': too many levels of symbolic links", path);
	return NULL;
}

/* Temporary files to remove on a fatal signal. Slots are claimed and
 * released by the main thread; the handler only reads armed slots. */
#define SLOTS 8
static char slot_path[SLOTS][PATH_MAX];
static volatile sig_atomic_t slot_armed[SLOTS];

static int claim_slot(const char *path)
{
	int i;

	if (strlen(path) >= PATH_MAX)
		return -1;
	for (i = 0; i < SLOTS; i++)
		if (!slot_armed[i]) {
			memcpy(slot_path[i], path, strlen(path) + 1);
			slot_armed[i] = 1;
			return i;
		}
	return -1;
}

static void release_slot(int slot)
{
	if (slot >= 0)
		slot_armed[slot] = 0;
}

void pz_tempfile_remove_all(void)
{
	int i;

	for (i = 0; i < SLOTS; i++)
		if (slot_armed[i])
			unlink(slot_path[i]);
}

int pz_tempfile_create(struct pz_tempfile *t, const char *dest, mode_t mode)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	int tries;

	t->fd = -1;
	t->slot = -1;
	t->path = NULL;
	for (tries = 0; tries < 100; tries++) {
		char suffix[7];
		uint64_t v = pz_random_u64();
		int i;

		for (i = 0; i < 6; i++, v /= sizeof(chars) - 1)
			suffix[i] = chars[v % (sizeof(chars) - 1)];
		suffix[6] = '\0';
		free(t->path);
		t->path = pz_xasprintf("%s.tmp.%s", dest, suffix);
		/* Registered before it exists: a signal between open and
		 * registration would otherwise leave it. */
		t->slot = claim_slot(t->path);
		t->fd =
		    open(t->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (t->fd >= 0)
			return 0;
		release_slot(t->slot);
		t->slot = -1;
		if (errno != EEXIST)
			break;
	}
	pz_error_set_errno(PZ_EIO, "unable to create '%s'", t->path);
	free(t->path);
	t->path = NULL;
	return PZ_EIO;
}

void pz_tempfile_delete(struct pz_tempfile *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->path)
		unlink(t->path);
	release_slot(t->slot);
	t->slot = -1;
	free(t->path);
	t->path = NULL;
}

int pz_tempfile_commit(struct pz_tempfile *t, const char *dest)
{
	int fd = t->fd, r;

	t->fd = -1;
	if (fsync(fd) != 0) {
		r = pz_error_set_errno(PZ_EIO, "unable to write '%s'", t->path);
		close(fd);
		goto fail;
	}
	if (close(fd) != 0) {
		r = pz_error_set_errno(PZ_EIO, "unable to write '%s'", t->path);
		goto fail;
	}
	if (rename(t->path, dest) != 0) {
		r = pz_error_set_errno(PZ_EIO, "unable to replace '%s'", dest);
		goto fail;
	}
	release_slot(t->slot);
	t->slot = -1;
	free(t->path);
	t->path = NULL;
	if (pz_fsync_dir_of(dest) != 0)
		return pz_error_set_errno(PZ_EIO,
					  "unable to sync the directory of "
					  "'%s'",
					  dest);
	return 0;
fail:
	pz_tempfile_delete(t);
	return r;
}

int pz_write_file_atomic(const char *path, const void *data, size_t len,
			 mode_t mode)
{
	struct pz_tempfile t;
	char *real = pz_resolve_links(path);
	int r;

	if (!real)
		return PZ_EIO;
	if ((r = pz_tempfile_create(&t, real, mode)))
		goto out;
	if (pz_write_all(t.fd, data, len) != 0) {
		r = pz_error_set_errno(PZ_EIO, "unable to write '%s'", t.path);
		pz_tempfile_delete(&t);
		goto out;
	}
	r = pz_tempfile_commit(&t, real);
out:
	free(real);
	return r;
}
