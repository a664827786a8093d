/* A hash map from byte strings to pointers (FNV-1a, open addressing). */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "secex/map.h"
#include "secex/banned.h"

uint64_t secex_map_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t load64(const unsigned char *p, size_t n) /* little-endian, n <= 8 */
{
	uint64_t w = 0;

	while (n--)
		w = w << 8 | p[n];
	return w;
}

/* The slot hash: eight bytes a step, the same on every machine. Not secex_map_hash, which
 * outputs and caches rely on and which reads a byte a step. */
static uint64_t slot_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;

	for (; len >= 8; p += 8, len -= 8) {
		h = (h ^ load64(p, 8)) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	h = (h ^ load64(p, len)) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ h >> 29;
}

static secex_map_slot *map_slot(secex_map_slot *slots, size_t cap, const void *key, size_t len)
{
	size_t i = (size_t)slot_hash(key, len) & (cap - 1);

	while (slots[i].key && (slots[i].len != len || memcmp(slots[i].key, key, len) != 0))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

void *secex_map_get(const secex_map *map, const void *key, size_t len)
{
	secex_map_slot *s;

	if (!map->cap)
		return NULL;
	s = map_slot(map->slots, map->cap, key, len);
	return s->key ? s->value : NULL;
}

static int map_grow(secex_map *map)
{
	size_t cap = map->cap ? map->cap * 2 : 64, i;
	secex_map_slot *slots = calloc(cap, sizeof(*slots));

	SECEX_ERROR_CHECK_ALLOC(slots);
	for (i = 0; i < map->cap; i++)
		if (map->slots[i].key)
			*map_slot(slots, cap, map->slots[i].key, map->slots[i].len) = map->slots[i];
	free(map->slots);
	map->slots = slots;
	map->cap = cap;
	return 0;
}

static int put(secex_map *map, const void *key, size_t len, void *value, bool copy)
{
	secex_map_slot *s;
	void *mine;

	if ((map->n + 1) * 4 > map->cap * 3 && map_grow(map) < 0)
		return SECEX_ENOMEM;
	s = map_slot(map->slots, map->cap, key, len);
	if (!s->key) {
		if (copy && !(mine = secex_arena_alloc(&map->keys, len ? len : 1)))
			return secex_error_nomem();
		s->key = copy ? memcpy(mine, key, len) : key;
		s->len = len;
		map->n++;
	}
	s->value = value;
	return 0;
}

int secex_map_put(secex_map *map, const void *key, size_t len, void *value)
{
	return put(map, key, len, value, true);
}

int secex_map_put_kept(secex_map *map, const void *key, size_t len, void *value)
{
	return put(map, key, len, value, false);
}

void secex_map_release(secex_map *map)
{
	free(map->slots);
	secex_arena_release(&map->keys);
	map->slots = NULL;
	map->cap = map->n = 0;
}
