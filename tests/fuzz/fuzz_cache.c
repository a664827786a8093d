/* libFuzzer target: a segment of the history cache, every record looked up and decoded. */

#include <secex.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t valid;

	(void)secex_cache_probe(data, size, &valid);
	return 0;
}
