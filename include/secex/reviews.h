#ifndef SECEX_REVIEWS_H
#define SECEX_REVIEWS_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_HISTORY)
#error "a layer below history/ may not use it: see Hacking in the README"
#endif

/*
 * Reviews of audit findings (.secex/reviews.yaml): a person holding one of the policy's
 * reviewer_roles records that one finding (code, exception, commit) was looked at and
 * accepted. Applied to the findings after the history walk, which stays as it is.
 */

#include <stdbool.h>
#include "common.h"
#include "diag.h"
#include "history.h"
#include "snapshot.h"

/* Whether findings of this code can be reviewed (SX401, SX402, SX404, SX406, SX407, SX409,
 * SX211); the trust findings cannot. */
bool secex_reviews_code_ok(const char *code);

/*
 * Applies the reviews of snap (loaded with the rules in force at the history's head, see
 * secex_history_use_rules) to diags. A review counts when the commit that added it is
 * validly signed by the person it names, who holds a reviewer role in the roster at that
 * commit's parents (in every parent's rules) and neither authored nor signed the commit
 * of the finding: the finding becomes a note naming the reviewer and why. A review that
 * names a finding present in diags but does not count is SX412, saying why; the finding
 * stays what it was. Call it after secex_policy_apply_severity.
 */
int secex_reviews_apply(secex_history *history, const secex_snapshot *snap, secex_diags *diags);

#endif
