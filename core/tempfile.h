/*
 * tempfile.h - writing a file whole or not at all, after git's
 * tempfile/lockfile.
 *
 * pz_write_file_atomic() writes the data to PATH.tmp.XXXXXX beside the
 * file, with a loop that retries short writes and EINTR, fsyncs it,
 * renames it over the file and fsyncs the directory: a crash leaves the
 * old or the new file, never a torn one. A temporary file is removed on
 * every failure, and is registered while it exists, so a fatal signal
 * removes it too (pz_tempfile_remove_all(), async-signal-safe, called
 * from the signal handler). The new file's mode is `mode` less the
 * umask, as open(2) would make it.
 *
 * When PATH is a symbolic link, the file it leads to is replaced and the
 * link kept (pz_resolve_links()), so a state reached through a link
 * stays one file.
 */
#ifndef PZ_TEMPFILE_H
#define PZ_TEMPFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Writes all of data to fd; retries short writes and EINTR. 0 or -1
 * with errno. */
int pz_write_all(int fd, const void *data, size_t len);

/* fsync(2)s the directory holding path. 0 or -1 with errno. */
int pz_fsync_dir_of(const char *path);

/* The path a chain of symbolic links at path leads to (relative link
 * targets taken from the link's directory); a copy of path when it is
 * not a link or does not exist. NULL with the error set on a loop. */
char *pz_resolve_links(const char *path);

/*
 * A temporary file beside dest: created (mode less the umask) by
 * pz_tempfile_create, then either committed over dest or deleted.
 */
struct pz_tempfile {
	char *path;
	int fd;
	int slot; /* in the signal-cleanup table, or -1 */
};

int pz_tempfile_create(struct pz_tempfile *t, const char *dest, mode_t mode);
/* fsyncs and closes the file, renames it over dest, fsyncs dest's
 * directory. The temporary is gone afterwards, on success or not. */
int pz_tempfile_commit(struct pz_tempfile *t, const char *dest);
/* Closes and removes the temporary (if any). */
void pz_tempfile_delete(struct pz_tempfile *t);

/* Replaces the file at path (through symbolic links) with data. */
int pz_write_file_atomic(const char *path, const void *data, size_t len,
			 mode_t mode);

/* Removes every registered temporary file; async-signal-safe. */
void pz_tempfile_remove_all(void);

#endif
