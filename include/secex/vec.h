#ifndef SECEX_VEC_H
#define SECEX_VEC_H

/* A vector of pointers; the vector does not own what they point at. */

#include <stddef.h>
#include "common.h"

/* A vector of pointers; the vector does not own what they point at. */
typedef struct {
	void **items;
	size_t n;
	size_t cap;
} secex_vec;

#define SECEX_VEC_INIT { NULL, 0, 0 }

int secex_vec_push(secex_vec *vec, void *item);
void secex_vec_release(secex_vec *vec);

#endif
