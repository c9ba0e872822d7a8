/*
 * runtime.h - what core/ asks of a provider at apply time: runtime
 * operations per resource type (read, create, update, delete, and the
 * classification of what a read saw), asynchronous, behind an opaque
 * context; and the scheduler (timers, completions) core/ runs them on,
 * which the provider's client implements (DESIGN.md §5, §8).
 *
 * Every operation calls its callback exactly once, from the scheduler's
 * run, with a result that carries its own error message: twenty
 * operations failing at once report twenty messages, each its own.
 */
#ifndef PZ_RUNTIME_H
#define PZ_RUNTIME_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "common.h"

struct pz_rtype;

/* Where a resource stands, as a read classifies it. */
enum pz_rt_status {
	PZ_RT_PENDING, /* being created, updated or deleted */
	PZ_RT_DONE,    /* active: the last operation finished */
	PZ_RT_FAILED,  /* the last operation failed (see reason) */
	PZ_RT_GONE,    /* does not exist (deleted) */
};

struct pz_rt_result {
	int rc;			  /* 0, or a pz error code (PZ_ENOTFOUND...) */
	char *message;		  /* rc's message, owned here */
	char *code;		  /* the service's error code, or NULL */
	char *arn;		  /* create: the new resource's ARN */
	enum pz_rt_status status; /* read */
	char *status_text;	  /* read: the service's own words */
	char *reason;		  /* read: why it failed */
	bool adopted;		  /* create: it existed already, and is the one
				   * this create asked for (an answer lost) */
	bool unsent;		  /* create failed: the call never reached the
				   * service, so nothing was made */
	bool maybe_made;	  /* create failed, but an attempt before the
				   * refusal may have made it (its answer was
				   * lost, or a server error) */
};

void pz_rt_result_release(struct pz_rt_result *r);

typedef void (*pz_rt_done)(void *ud, const struct pz_rt_result *res);

/* update's flags */
enum {
	/* Send every member of after, even when none differs from before:
	 * the service failed the last update (pz_change.retry). */
	PZ_RT_RESEND = 1 << 0,
};

struct pz_runtime {
	void *impl;
	/* --- the scheduler --- */
	/* One-shot timer: fn(ud) runs from run() after delay_ms. */
	uint64_t (*timer)(void *impl, long delay_ms, void (*fn)(void *ud),
			  void *ud);
	/* Runs until nothing is in flight and no timer is armed. */
	int (*run)(void *impl);
	/* --- operations; body: the create request, references resolved;
	 * before/after: as the plan has them; flags: PZ_RT_* --- */
	int (*create)(void *impl, const struct pz_rtype *t, const cJSON *body,
		      pz_rt_done done, void *ud);
	int (*update)(void *impl, const struct pz_rtype *t, const char *arn,
		      const cJSON *before, const cJSON *after, unsigned flags,
		      pz_rt_done done, void *ud);
	int (*remove)(void *impl, const struct pz_rtype *t, const char *arn,
		      pz_rt_done done, void *ud);
	int (*read)(void *impl, const struct pz_rtype *t, const char *arn,
		    pz_rt_done done, void *ud);
	/* The ARN a create with this body will give (malloc'd), when it
	 * can be known before the call; NULL otherwise. May be NULL. */
	char *(*arn_of)(void *impl, const struct pz_rtype *t,
			const cJSON *body);
};

#endif
