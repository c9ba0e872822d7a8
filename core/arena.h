/*
 * arena.h - a bump allocator for data that lives and dies together (a
 * loaded spec, a plan). Allocation aborts on out-of-memory like pz_x*.
 */
#ifndef PZ_ARENA_H
#define PZ_ARENA_H

#include "common.h"

struct pz_arena_chunk;

struct pz_arena {
	struct pz_arena_chunk *head;
	size_t total; /* bytes handed out, for the memory benchmarks */
};

void pz_arena_init(struct pz_arena *a);
void pz_arena_release(struct pz_arena *a);
/* Zeroed memory, aligned for any type. */
void *pz_arena_alloc(struct pz_arena *a, size_t n);
char *pz_arena_strndup(struct pz_arena *a, const char *s, size_t n);
char *pz_arena_strdup(struct pz_arena *a, const char *s);
char *pz_arena_printf(struct pz_arena *a, const char *fmt, ...) PZ_PRINTF(2, 3);

#endif
