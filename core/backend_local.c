/*
 * backend_local.c - the state in a local file.
 *
 * Writes go to a temporary file in the same directory, are fsync'd and
 * renamed over the state, then the directory is fsync'd: a crash leaves
 * the old or the new state, never a torn one. The previous state stays
 * as PATH.backup (a hard link, so the state file itself is never
 * missing). The lock is PATH.lock, holding the lock info as JSON. It is
 * written to a temporary file first and then linked into place with
 * link(2), which fails when the name exists: the lock appears whole or
 * not at all, so a holder killed while taking it never leaves an empty
 * lock. Whoever takes the lock removes the temporary files killed runs
 * left behind.
 *
 * A lock whose holder was a process of this machine that is no longer
 * running is stale: it is taken over, not waited on (the backend says
 * so in took_over). Taking over is serialised by flock(2) on the
 * state's directory, which the kernel releases when its holder dies:
 * under it the lock is read again and, if it is still the dead
 * process's, our lock is renamed over it. Two runs that both found the
 * holder dead cannot both take it; a run that only links never
 * replaces a lock, so it cannot slip in between.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "error.h"
#include "escape.h"
#include "log.h"
#include "tempfile.h"

struct local {
	struct pz_backend base;
	char *path, *lock_path, *backup_path;
	char lock_id[37];
	bool have_read;
	struct stat read_st; /* what we read, to spot another writer */
	bool read_missing;
};

static struct local *L(struct pz_backend *b)
{
	return (struct local *)b;
}

static int read_state(struct pz_backend *b, struct pz_buf *out, bool *exists)
{
	struct local *l = L(b);
	int r;

	*exists = false;
	l->have_read = true;
	if (stat(l->path, &l->read_st) != 0) {
		if (errno != ENOENT)
			return pz_error_set_errno(PZ_EIO, "unable to read '%s'",
						  l->path);
		l->read_missing = true;
		return 0;
	}
	l->read_missing = false;
	r = pz_buf_read_file(out, l->path);
	if (!r)
		*exists = true;
	return r;
}

static int changed_since_read(struct local *l)
{
	struct stat st;

	if (!l->have_read)
		return 0;
	if (stat(l->path, &st) != 0)
		return l->read_missing ? 0 : 1;
	if (l->read_missing)
		return 1;
	return st.st_ino != l->read_st.st_ino ||
	       st.st_size != l->read_st.st_size ||
	       st.st_mtim.tv_sec != l->read_st.st_mtim.tv_sec ||
	       st.st_mtim.tv_nsec != l->read_st.st_mtim.tv_nsec;
}

static int write_state(struct pz_backend *b, const char *data, size_t len)
{
	struct local *l = L(b);
	struct pz_tempfile t;
	int r;

	if (changed_since_read(l))
		return pz_error_set(PZ_ECONFLICT,
				    "'%s' changed since pz read it: another "
				    "process wrote it without the lock; "
				    "nothing was written",
				    l->path);
	/* The state may hold what its user considers private: the umask
	 * decides who else reads it. */
	if ((r = pz_tempfile_create(&t, l->path, 0666)))
		return r;
	if (pz_write_all(t.fd, data, len) != 0) {
		r = pz_error_set_errno(PZ_EIO, "unable to write '%s'", t.path);
		pz_tempfile_delete(&t);
		return r;
	}
	/* Keep one backup: a second name for the current file. */
	if (access(l->path, F_OK) == 0) {
		unlink(l->backup_path);
		if (link(l->path, l->backup_path) != 0)
			PZ_WARN("unable to keep a backup of '%s' as '%s': %s",
				l->path, l->backup_path, strerror(errno));
	}
	if ((r = pz_tempfile_commit(&t, l->path)))
		return r;
	stat(l->path, &l->read_st);
	l->read_missing = false;
	return 0;
}

static int read_lock_file(struct local *l, struct pz_lock_info *info,
			  bool *held)
{
	struct pz_buf b;
	int r;

	*held = false;
	pz_buf_init(&b, 65536);
	r = pz_buf_read_file(&b, l->lock_path);
	if (r == PZ_ENOTFOUND) {
		pz_buf_release(&b);
		pz_error_clear();
		return 0;
	}
	if (!r) {
		*held = true;
		if (pz_lock_info_from_json(info, b.ptr, b.len)) {
			/* A lock file we cannot read is still a lock. */
			memset(info, 0, sizeof(*info));
			snprintf(info->id, sizeof(info->id), "unreadable");
		}
	}
	pz_buf_release(&b);
	return r;
}

static bool holder_dead(const struct pz_lock_info *info)
{
	char host[128] = "";
	const char *at = strrchr(info->who, '@');

	gethostname(host, sizeof(host) - 1);
	if (!at || strcmp(at + 1, host) || info->pid <= 0)
		return false;
	return kill((pid_t)info->pid, 0) != 0 && errno == ESRCH;
}

static int locked_error(struct local *l, const struct pz_lock_info *holder)
{
	char desc[512];

	pz_lock_info_describe(holder, desc, sizeof(desc));
	return pz_error_set(PZ_ELOCKED,
			    "the state '%s' is locked by %s; wait "
			    "(-lock-timeout=30s) or if that run is gone: pz "
			    "force-unlock %s",
			    l->path, desc, pz_esc(holder->id));
}

/* Writes the lock info to a new temporary file beside the lock. A
 * directory we may not write is said plainly, with what a plan can do
 * instead. */
static int write_lock_temp(struct local *l, const struct pz_buf *text,
			   const char *operation, struct pz_tempfile *t)
{
	int r;

	if ((r = pz_tempfile_create(t, l->lock_path, 0666))) {
		if (errno == EACCES || errno == EROFS || errno == EPERM)
			return pz_error_wrap(
			    r,
			    "unable to lock the state '%s': its directory "
			    "is not writable%s",
			    l->path,
			    !strcmp(operation, "plan")
				? " (pz plan -lock=false reads without the "
				  "lock; safe only while no one else "
				  "changes the state)"
				: "");
		return r;
	}
	if (pz_write_all(t->fd, text->ptr, text->len) != 0 ||
	    fsync(t->fd) != 0) {
		r = pz_error_set_errno(PZ_EIO, "unable to write the lock '%s'",
				       l->lock_path);
		pz_tempfile_delete(t);
		return r;
	}
	return 0;
}

/* Removes what killed runs left: PATH.tmp.* and old PATH.lock.tmp.*.
 * Called with the lock held. */
static void remove_leftovers(struct local *l)
{
	char *copy = pz_xstrdup(l->path), *slash = strrchr(copy, '/');
	const char *base = slash ? slash + 1 : copy;
	char *prefix = pz_xasprintf("%s.tmp.", base);
	char *lprefix = pz_xasprintf("%s.lock.tmp.", base);
	const char *dir;
	DIR *d;
	struct dirent *e;

	if (slash == copy)
		dir = "/";
	else if (slash) {
		*slash = '\0';
		dir = copy;
	} else {
		dir = ".";
	}
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		char *full;

		struct stat st;
		bool lock_tmp = pz_str_has_prefix(e->d_name, lprefix);

		if (!pz_str_has_prefix(e->d_name, prefix) && !lock_tmp)
			continue;
		full = pz_xasprintf("%s/%s", dir, e->d_name);
		/* State temporaries are only ever the lock holder's, so any
		 * found now is stale; a lock temporary may belong to a run
		 * about to try for the lock: only an old one is stale. */
		if (lock_tmp &&
		    (stat(full, &st) != 0 || time(NULL) - st.st_mtime < 60)) {
			free(full);
			continue;
		}
		if (unlink(full) == 0)
			PZ_INFO("removed '%s', left by a run that was killed",
				full);
		free(full);
	}
	if (d)
		closedir(d);
	free(prefix);
	free(lprefix);
	free(copy);
}

/*
 * Replaces the lock of stale (a dead process's) with ours (tmp), under
 * an flock of the lock's directory; *done false when the lock changed
 * meanwhile (another run took it over, or released it).
 */
static int take_over(struct local *l, const struct pz_lock_info *stale,
		     struct pz_tempfile *tmp, bool *done)
{
	char *dir = pz_path_dir(l->lock_path);
	struct pz_lock_info now;
	bool held;
	int fd, r;

	*done = false;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		r = pz_error_set_errno(PZ_EIO,
				       "unable to lock the directory "
				       "'%s' to take over a stale lock",
				       dir);
		goto out;
	}
	if ((r = read_lock_file(l, &now, &held)))
		goto out;
	if (held && !strcmp(now.id, stale->id) && holder_dead(&now)) {
		if ((r = pz_tempfile_commit(tmp, l->lock_path)))
			goto out;
		*done = true;
	}
out:
	if (fd >= 0)
		close(fd); /* releases the flock */
	free(dir);
	return r;
}

static int lock(struct pz_backend *b, const struct pz_lock_info *info)
{
	struct local *l = L(b);
	struct pz_buf text;
	struct pz_tempfile tmp = {NULL, -1, -1};
	int r, tries;

	b->took_over = false;
	pz_buf_init(&text, 0);
	if ((r = pz_lock_info_to_json(info, &text)) ||
	    (r = write_lock_temp(l, &text, info->operation, &tmp)))
		goto out;
	for (tries = 0;; tries++) {
		struct pz_lock_info holder;
		bool held, done;

		if (link(tmp.path, l->lock_path) == 0)
			break;
		if (errno != EEXIST) {
			r = pz_error_set_errno(PZ_EIO,
					       "unable to create the lock '%s'",
					       l->lock_path);
			goto out;
		}
		if ((r = read_lock_file(l, &holder, &held)))
			goto out;
		if (held && holder_dead(&holder)) {
			if ((r = take_over(l, &holder, &tmp, &done)))
				goto out;
			if (done) {
				b->took_over = true;
				b->stale = holder;
				break;
			}
		} else if (held) {
			r = locked_error(l, &holder);
			goto out;
		}
		/* Released (or taken over) between our link and our read:
		 * try again, a few times (a busy lock is the waiter's
		 * business). */
		if (tries >= 10) {
			r = pz_error_set(PZ_ELOCKED,
					 "the lock '%s' kept appearing and "
					 "going; try again",
					 l->lock_path);
			goto out;
		}
	}
	pz_fsync_dir_of(l->lock_path);
	memcpy(l->lock_id, info->id, sizeof(l->lock_id));
	b->locked = true;
	remove_leftovers(l);
out:
	pz_tempfile_delete(&tmp);
	pz_buf_release(&text);
	return r;
}

static int unlock(struct pz_backend *b)
{
	struct local *l = L(b);
	struct pz_lock_info holder;
	bool held;
	int r;

	if (!b->locked)
		return 0;
	b->locked = false;
	if ((r = read_lock_file(l, &holder, &held)))
		return r;
	if (!held)
		return pz_error_set(PZ_ELOCKED,
				    "our lock on '%s' was removed by someone "
				    "else (force-unlock?) while we held it",
				    l->path);
	if (strcmp(holder.id, l->lock_id))
		return pz_error_set(PZ_ELOCKED,
				    "the lock on '%s' is now %s's, not ours; "
				    "leaving it",
				    l->path, holder.who);
	if (unlink(l->lock_path) != 0)
		return pz_error_set_errno(PZ_EIO,
					  "unable to remove the lock "
					  "'%s'",
					  l->lock_path);
	return 0;
}

static int lock_info(struct pz_backend *b, struct pz_lock_info *out, bool *held)
{
	return read_lock_file(L(b), out, held);
}

static int force_unlock(struct pz_backend *b, const char *id)
{
	struct local *l = L(b);
	struct pz_lock_info holder;
	bool held;
	int r;

	if ((r = read_lock_file(l, &holder, &held)))
		return r;
	if (!held)
		return pz_error_set(PZ_ENOTFOUND,
				    "the state '%s' is not locked", l->path);
	if (strcmp(holder.id, id))
		return pz_error_set(PZ_EINVAL,
				    "the lock on '%s' has ID %s, not %s; "
				    "nothing removed",
				    l->path, holder.id, id);
	if (unlink(l->lock_path) != 0)
		return pz_error_set_errno(PZ_EIO, "unable to remove '%s'",
					  l->lock_path);
	return 0;
}

static void free_local(struct pz_backend *b)
{
	struct local *l = L(b);

	free(l->path);
	free(l->lock_path);
	free(l->backup_path);
	free(b->location);
	free(l);
}

static const struct pz_backend_ops local_ops = {
    .name = "local",
    .read = read_state,
    .write = write_state,
    .lock = lock,
    .unlock = unlock,
    .lock_info = lock_info,
    .force_unlock = force_unlock,
    .free = free_local,
};

int pz_backend_local_new(struct pz_backend **out, const char *path)
{
	struct local *l;
	/* A state reached through a symbolic link is the link's target:
	 * written through the link (which stays), locked at the target,
	 * so two links to one state share one lock. */
	char *real = pz_resolve_links(path);

	*out = NULL;
	if (!real)
		return PZ_EIO;
	l = pz_xcalloc(1, sizeof(*l));
	l->base.ops = &local_ops;
	l->base.location = pz_xstrdup(path);
	l->path = real;
	l->lock_path = pz_xasprintf("%s.lock", real);
	l->backup_path = pz_xasprintf("%s.backup", real);
	*out = &l->base;
	return 0;
}

const char *pz_backend_local_lock_path(const struct pz_backend *b)
{
	return b->ops == &local_ops ? ((const struct local *)b)->lock_path
				    : NULL;
}
