/* A growable vector of pointers. */

#include <stdint.h>
#include <stdlib.h>
#include "secex/vec.h"
#include "secex/banned.h"

int secex_vec_push(secex_vec *vec, void *item)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 8;
		void **items = realloc(vec->items, cap * sizeof(*items));

		SECEX_ERROR_CHECK_ALLOC(items);
		vec->items = items;
		vec->cap = cap;
	}
	vec->items[vec->n++] = item;
	return 0;
}

void secex_vec_release(secex_vec *vec)
{
	free(vec->items);
	vec->items = NULL;
	vec->n = vec->cap = 0;
}
