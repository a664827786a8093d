#ifndef SECEX_ARRAY_H
#define SECEX_ARRAY_H

/* Growing an array of elements of any type by doubling. */

#include <stddef.h>

/*
 * Makes room for element n of arr, which holds *cap elements of elem bytes: returns arr when
 * n < *cap, else the array reallocated to twice the capacity (first when *cap is 0) with *cap
 * updated, or NULL when out of memory or the size would overflow (arr is then still valid
 * and *cap unchanged).
 */
void *secex_array_grow(void *arr, size_t *cap, size_t n, size_t elem, size_t first);

#endif
