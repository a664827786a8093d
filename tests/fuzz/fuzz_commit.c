/* libFuzzer target: the split of a raw commit object into signature and signed payload. */

#include <secex.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	secex_signed_commit commit = SECEX_SIGNED_COMMIT_INIT;

	if (secex_commit_split(&commit, (const char *)data, size) == 0 &&
	    commit.state == SECEX_COMMIT_SIGNED)
		(void)secex_signature_detect(commit.signature.ptr, commit.signature.size);
	secex_commit_release(&commit);
	return 0;
}
