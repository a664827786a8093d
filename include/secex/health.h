#ifndef SECEX_HEALTH_H
#define SECEX_HEALTH_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_MODEL)
#error "a layer below model/ may not use it: see Hacking in the README"
#endif

/* Ticket health of the exceptions in a snapshot at a given time (SX501 to SX507). */

#include <stdbool.h>
#include <stdint.h>
#include "common.h"
#include "diag.h"
#include "snapshot.h"

/*
 * Adds one finding per health problem of every open exception at time `now` (seconds):
 * unassigned (SX501), assignee departed (SX502, naming their manager), risk owner departed
 * (SX503), no due date (SX504), expired (SX505), expiring within the policy's
 * expiring_within (SX506), still `requested` past the policy's initial_review_sla (SX507).
 */
int secex_health_check(const secex_snapshot *snap, int64_t now, secex_diags *diags);

/* The exception's due date in seconds, or false when it has none that parses. */
bool secex_health_due(int64_t *out, const secex_exception *exc);

#endif
