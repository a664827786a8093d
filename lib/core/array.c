/* Growing an array by doubling, with the size checked for overflow. */

#include <stdint.h>
#include <stdlib.h>
#include "secex/array.h"
#include "secex/banned.h"

void *secex_array_grow(void *arr, size_t *cap, size_t n, size_t elem, size_t first)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : (first ? first : 1);
	if (ncap < *cap || !elem || ncap > SIZE_MAX / elem)
		return NULL;
	if ((p = realloc(arr, ncap * elem)))
		*cap = ncap;
	return p;
}
