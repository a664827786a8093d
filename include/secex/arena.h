#ifndef SECEX_ARENA_H
#define SECEX_ARENA_H

/* An arena: many small allocations freed at once. */

#include <stddef.h>

/* An arena: many small allocations freed at once. */
typedef struct secex_arena_block secex_arena_block;
typedef struct {
	secex_arena_block *head;
} secex_arena;

#define SECEX_ARENA_INIT { NULL }

void *secex_arena_alloc(secex_arena *arena, size_t size); /* zeroed, 16-byte aligned; NULL if out of memory */
char *secex_arena_strndup(secex_arena *arena, const char *str, size_t len);
void secex_arena_release(secex_arena *arena);

#endif
