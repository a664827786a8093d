/* A growable vector of pointers. */

#include <stdint.h>
#include <stdlib.h>
#include "secex/vec.h"
#include "secex/array.h"
#include "secex/banned.h"

int secex_vec_push(secex_vec *vec, void *item)
{
	void **items = secex_array_grow(vec->items, &vec->cap, vec->n, sizeof(*items), 8);

	SECEX_ERROR_CHECK_ALLOC(items);
	vec->items = items;
	vec->items[vec->n++] = item;
	return 0;
}

void secex_vec_release(secex_vec *vec)
{
	free(vec->items);
	vec->items = NULL;
	vec->n = vec->cap = 0;
}
