#ifndef SECEX_LIST_H
#define SECEX_LIST_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_MODEL)
#error "a layer below model/ may not use it: see Hacking in the README"
#endif

/* What `secex list` shows: open statuses and the filters over a snapshot's exceptions. */

#include <stdbool.h>
#include <stdint.h>
#include "common.h"
#include "snapshot.h"

/* Whether a status still needs attention: requested, in-review, needs-info or approved. */
bool secex_list_is_open(const char *status);

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

#endif
