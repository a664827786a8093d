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

/* Whether a status still needs attention: requested, in-review, needs-info or approved. */
bool secex_list_is_open(const char *status);

/*
 * Adds one finding per health problem of every open exception at time `now` (seconds):
 * unassigned (SX501), assignee departed (SX502, naming their manager), risk owner departed
 * (SX503), no due date (SX504), expired (SX505), expiring within the policy's
 * expiring_within (SX506), still `requested` past the policy's initial_review_sla (SX507).
 */
int secex_health_check(const secex_snapshot *snap, int64_t now, secex_diags *diags);

/* What `secex list` filters on; NULL or false fields do not filter. */
typedef struct {
	unsigned int version;
	const char *status;
	const char *priority;
	const char *owner;  /* risk owner id */
	bool expired;       /* open and past due_date */
	bool expiring;      /* open and due within the policy's window */
	int64_t now;
} secex_list_filter;

#define SECEX_LIST_FILTER_VERSION 1
#define SECEX_LIST_FILTER_INIT { SECEX_LIST_FILTER_VERSION, NULL, NULL, NULL, false, false, 0 }

bool secex_list_match(const secex_snapshot *snap, const secex_exception *exc,
		      const secex_list_filter *filter);

/* Whether every value the filter names exists: a status of the schema, a level of the
 * policy, a person of the roster. When one does not, *problem says which and what to use
 * (with a did-you-mean when one is close) and false is returned. */
bool secex_list_filter_valid(secex_buf *problem, const secex_snapshot *snap, const secex_list_filter *filter);

/* The exception's due date in seconds, or false when it has none that parses. */
bool secex_health_due(int64_t *out, const secex_exception *exc);

#endif
