#ifndef SECEX_MAP_H
#define SECEX_MAP_H

/* A hash map from byte-string keys to pointers. */

#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "arena.h"

/* The 64-bit FNV-1a hash of len bytes. */
uint64_t secex_map_hash(const void *data, size_t len);

/* A hash map from byte-string keys (copied) to pointers. Iterate over slots[0..cap) whose
 * key is not NULL. */
typedef struct {
	const void *key;
	size_t len;
	void *value;
} secex_map_slot;

typedef struct {
	secex_map_slot *slots;
	size_t cap;
	size_t n;
	secex_arena keys;
} secex_map;

#define SECEX_MAP_INIT { NULL, 0, 0, SECEX_ARENA_INIT }
/* The value for key; NULL when absent (so store non-NULL values). */
void *secex_map_get(const secex_map *map, const void *key, size_t len);
/* Sets the value for key, replacing any. Returns 0 or SECEX_ENOMEM. */
int secex_map_put(secex_map *map, const void *key, size_t len, void *value);
/* The same, with key not copied: it must stay as it is for as long as the map (a key that is
 * part of the value, as a commit's id in its record). */
int secex_map_put_kept(secex_map *map, const void *key, size_t len, void *value);
void secex_map_release(secex_map *map);

#endif
