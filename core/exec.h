/*
 * exec.h - the executor: runs a plan's operation graph against a
 * provider's runtime (runtime.h), each operation the moment those it
 * waits for are done, at most `parallelism` at once, waiting for
 * asynchronous resources by polling on the schedule of DESIGN.md §8.
 *
 * The state is changed, and saved through opts->save, as soon as a
 * create returns its ARN (before waiting) and after every operation
 * that completes, so an interrupted run leaves nothing untracked. A
 * failed operation marks its resource tainted, lets independent
 * operations finish and skips what waits for it.
 */
#ifndef PZ_EXEC_H
#define PZ_EXEC_H

#include "plan.h"
#include "runtime.h"
#include "state.h"

enum pz_exec_event_kind {
	PZ_EXEC_START,	 /* the operation's call is being made */
	PZ_EXEC_STILL,	 /* still waiting (every 10 s of a wait) */
	PZ_EXEC_DONE,	 /* finished */
	PZ_EXEC_FAILED,	 /* failed: message says why */
	PZ_EXEC_SKIPPED, /* not run: something it waits for failed */
	PZ_EXEC_LEFT,	 /* stopped waiting (a stop): it goes on in AWS */
	PZ_EXEC_QUEUED,	 /* a quota is full: retried when a slot frees
			  * (message says which) */
};

struct pz_exec_event {
	enum pz_exec_event_kind kind;
	const struct pz_plan *plan;
	size_t op;	     /* index in plan->ops */
	double elapsed;	     /* seconds since the operation started */
	const char *arn;     /* DONE: the resource's ARN, when known */
	const char *message; /* FAILED: what went wrong */
};

struct pz_exec_opts {
	size_t parallelism; /* operations in flight at most; 0: 10 */
	long poll_min_ms;   /* 0: 1000 */
	long poll_max_ms;   /* 0: 30000 */
	long long now;	    /* epoch seconds for records; 0: the clock */
	/* Saves the state (its serial is the saver's: it counts writes);
	 * called after every change to it. A failure
	 * stops the run from starting anything new. */
	int (*save)(void *ud, struct pz_state *st);
	/* Progress, for the caller to print. May be NULL. */
	void (*event)(void *ud, const struct pz_exec_event *ev);
	void *ud;
	/* When it becomes non-zero, nothing new starts; what is in flight
	 * finishes and is recorded. May be NULL. */
	const volatile int *stop;
};

struct pz_exec_summary {
	size_t added, changed, destroyed; /* as Terraform counts them */
	size_t failed, skipped, not_started;
	size_t left; /* still going on in AWS after a stop */
};

/*
 * Runs plan against rt, changing st. Returns 0 when every operation
 * completed; PZ_ERR when any failed or was skipped (the summary and
 * the events say which), PZ_EINTR when stopped, or the save error.
 */
int pz_exec_run(const struct pz_plan *plan, struct pz_state *st,
		const struct pz_runtime *rt, const struct pz_exec_opts *opts,
		struct pz_exec_summary *sum);

#endif
