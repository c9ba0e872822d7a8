/*
 * backend.h - where the state lives, and the lock that serialises runs.
 *
 * A backend stores one state document and one lock. Every command that
 * writes state takes the lock first, reads, writes (each write replaces
 * the document atomically, never partially) and releases the lock on
 * every path out, including SIGINT/SIGTERM (pz_backend_unlock is called
 * by cmd/ from its cleanup). Two implementations: the local file
 * (backend_local.c) and S3 with conditional writes (providers/aws).
 */
#ifndef PZ_BACKEND_H
#define PZ_BACKEND_H

#include "buf.h"
#include "state.h"

/* Who holds a lock (Terraform's lock info, so tools read it). */
struct pz_lock_info {
	char id[37];	    /* the lock's UUID, for force-unlock */
	char operation[32]; /* "apply", "state rm", ... */
	char who[256];	    /* user@host */
	char version[32];   /* pz version */
	char created[40];   /* RFC 3339 UTC */
	char path[1024];    /* the state's location */
	long pid;	    /* the holder's process (0 when unknown) */
};

struct pz_backend;

struct pz_backend_ops {
	const char *name;
	/* Reads the stored document into out; *exists false (out empty)
	 * when there is none yet. Remembers what it read (an ETag) so a
	 * later write can detect a concurrent writer. */
	int (*read)(struct pz_backend *b, struct pz_buf *out, bool *exists);
	/* Replaces the document atomically. PZ_ECONFLICT when someone else
	 * wrote it since our read. */
	int (*write)(struct pz_backend *b, const char *data, size_t len);
	/* Takes the lock, trying once; PZ_ELOCKED (message naming the
	 * holder) when it is taken. Waiting is pz_backend_lock_wait's
	 * (lockwait.h). */
	int (*lock)(struct pz_backend *b, const struct pz_lock_info *info);
	/* Releases our lock; 0 when we hold none. */
	int (*unlock)(struct pz_backend *b);
	/* Reads the current lock: *held false when there is none. */
	int (*lock_info)(struct pz_backend *b, struct pz_lock_info *out,
			 bool *held);
	/* Removes the lock if its ID is id (pz force-unlock). */
	int (*force_unlock)(struct pz_backend *b, const char *id);
	void (*free)(struct pz_backend *b);
};

struct pz_backend {
	const struct pz_backend_ops *ops;
	char *location; /* for messages: a path or s3://bucket/key */
	bool locked;
	/* Set by a lock that replaced a stale lock (a local one whose
	 * holder, a process of this machine, is no longer running), which
	 * stale describes: the command says so. */
	bool took_over;
	struct pz_lock_info stale;
};

/* The local file backend: state at path, lock at path + ".lock",
 * backup at path + ".backup". */
int pz_backend_local_new(struct pz_backend **out, const char *path);
/* The lock file of a local backend (NULL for others): cmd/'s signal
 * handler removes it with unlink(2), which is async-signal-safe. */
const char *pz_backend_local_lock_path(const struct pz_backend *b);

/* Fills info for this process: a new ID, user@host, pid, now. */
int pz_lock_info_init(struct pz_lock_info *info, const char *operation,
		      const char *path);
/* One line for messages: "ID (operation by who, since created)". */
void pz_lock_info_describe(const struct pz_lock_info *info, char *out,
			   size_t n);
int pz_lock_info_to_json(const struct pz_lock_info *info,
			 struct pz_buf *out) PZ_MUST_USE;
int pz_lock_info_from_json(struct pz_lock_info *info, const char *text,
			   size_t len);

/*
 * The state in b, parsed (a new empty one with a fresh lineage when
 * none is stored). *stored tells which.
 */
int pz_backend_load(struct pz_backend *b, struct pz_state **out, bool *stored);
/*
 * Writes st as it is (serial included), after reading the bytes back:
 * pz never stores a state its own reader refuses (PZ_EINVAL, nothing
 * written).
 */
int pz_backend_write_state(struct pz_backend *b, const struct pz_state *st);
/*
 * Writes next over prev (what pz_backend_load returned, or NULL): sets
 * the serial by pz_state_next_serial and writes only when the content
 * changed. The caller holds the lock.
 */
int pz_backend_save(struct pz_backend *b, struct pz_state *next,
		    const struct pz_state *prev);
void pz_backend_free(struct pz_backend *b);

#endif
