#ifndef SECEX_COMMIT_H
#define SECEX_COMMIT_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_SIGN)
#error "a layer below sign/ may not use it: see Hacking in the README"
#endif

/*
 * A raw commit object split into its gpgsig signature and the signed payload.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "util.h"

/* What secex_commit_split found in a commit object. */
typedef enum {
	SECEX_COMMIT_UNSIGNED = 0, /* no gpgsig header (a signature in the message does not count) */
	SECEX_COMMIT_SIGNED,       /* one gpgsig header: signature and payload are filled */
	SECEX_COMMIT_MALFORMED     /* see message: cannot be trusted either way */
} secex_commit_state;

typedef struct {
	secex_commit_state state;
	secex_buf signature; /* the gpgsig value, continuation lines joined, ending in "\n" */
	secex_buf payload;   /* the object without its gpgsig header: the signed bytes */
	secex_buf message;   /* why the commit is malformed; "" otherwise */
	int64_t time;        /* committer time, seconds since the epoch: a claim of the signer */
	int tz_offset;       /* committer time zone, minutes east of UTC */
} secex_signed_commit;

#define SECEX_SIGNED_COMMIT_INIT \
	{ SECEX_COMMIT_UNSIGNED, SECEX_BUF_INIT, SECEX_BUF_INIT, SECEX_BUF_INIT, 0, 0 }

void secex_commit_init(secex_signed_commit *commit);
void secex_commit_release(secex_signed_commit *commit);

/*
 * Parses the headers of a raw commit object (data need not be NUL-terminated) the way git's
 * parse_buffer_signed_by_header does, but stricter: more than one gpgsig header, any other
 * gpgsig* header (gpgsig-sha256), a NUL in the headers, headers not ended by an empty line,
 * or a missing or unreadable committer line make the commit MALFORMED. The payload is filled
 * only for SIGNED commits. `out` may be reused: it is cleared first. Returns 0, or
 * SECEX_ENOMEM.
 */
int secex_commit_split(secex_signed_commit *out, const char *data, size_t len);

#endif
