/*
 * arena.c - bump allocator in growing chunks.
 */
#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pz_arena_chunk {
	struct pz_arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define CHUNK_MIN ((size_t)32 * 1024)

void pz_arena_init(struct pz_arena *a)
{
	a->head = NULL;
	a->total = 0;
}

void pz_arena_release(struct pz_arena *a)
{
	struct pz_arena_chunk *c = a->head, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	pz_arena_init(a);
}

void *pz_arena_alloc(struct pz_arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	struct pz_arena_chunk *c = a->head;
	void *p;

	n = (n + align - 1) / align * align;
	if (!n)
		n = align;
	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_MIN ? n : CHUNK_MIN;

		if (c && c->size * 2 > size && c->size < 16 * CHUNK_MIN)
			size = c->size * 2 > n ? c->size * 2 : n;
		c = pz_xmalloc(sizeof(*c) + size);
		c->used = 0;
		c->size = size;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	a->total += n;
	memset(p, 0, n);
	return p;
}

char *pz_arena_strndup(struct pz_arena *a, const char *s, size_t n)
{
	char *p = pz_arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pz_arena_strdup(struct pz_arena *a, const char *s)
{
	return pz_arena_strndup(a, s, strlen(s));
}

char *pz_arena_printf(struct pz_arena *a, const char *fmt, ...)
{
	va_list ap, cp;
	int n;
	char *p;

	va_start(ap, fmt);
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		PZ_BUG("bad format '%s'", fmt);
	p = pz_arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
