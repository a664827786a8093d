/* An arena: many small allocations freed at once. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "secex/arena.h"
#include "secex/banned.h"

struct secex_arena_block {
	secex_arena_block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

#define ARENA_FIRST_BLOCK (4096 - 64)
#define ARENA_MAX_BLOCK (64 * 1024 - 64)

/* Blocks start small (most documents are a few kilobytes) and double up to 64 KiB. */
void *secex_arena_alloc(secex_arena *arena, size_t size)
{
	secex_arena_block *b = arena->head;
	size_t want = (size + 15) & ~(size_t)15;
	void *p;

	if (size > SIZE_MAX / 2)
		return NULL;
	if (!b || b->size - b->used < want) {
		size_t next = b ? (b->size * 2 > ARENA_MAX_BLOCK ? ARENA_MAX_BLOCK : b->size * 2) : ARENA_FIRST_BLOCK;
		size_t bsize = want > next / 4 ? want : next;

		b = malloc(sizeof(*b) + bsize);
		if (!b)
			return NULL;
		b->size = bsize;
		b->used = 0;
		if (arena->head && bsize == want) {
			/* a large one-off goes behind the current block, which keeps filling */
			b->next = arena->head->next;
			arena->head->next = b;
			b->used = want;
			memset(b->data, 0, want);
			return b->data;
		}
		b->next = arena->head;
		arena->head = b;
	}
	p = b->data + b->used;
	b->used += want;
	memset(p, 0, want);
	return p;
}

char *secex_arena_strndup(secex_arena *arena, const char *str, size_t len)
{
	char *p = secex_arena_alloc(arena, len + 1);

	if (p) {
		memcpy(p, str, len);
		p[len] = '\0';
	}
	return p;
}

void secex_arena_release(secex_arena *arena)
{
	secex_arena_block *b = arena->head, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	arena->head = NULL;
}
