/* What the libFuzzer targets share: the entry point and the split of one input in two. */

#ifndef SECEX_FUZZ_H
#define SECEX_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits data at its first NUL into a (before) and b (after); without a NUL both are the
 * whole input, so that a seed of one part still reaches both parsers. */
static inline void fuzz_split(const uint8_t *data, size_t size, const char **a, size_t *alen,
			      const char **b, size_t *blen)
{
	const uint8_t *nul = memchr(data, '\0', size);

	*a = (const char *)data;
	*alen = nul ? (size_t)(nul - data) : size;
	*b = nul ? (const char *)nul + 1 : (const char *)data;
	*blen = nul ? size - *alen - 1 : size;
}

#endif
