#ifndef SECEX_TRACKER_H
#define SECEX_TRACKER_H

/*
 * The tracker spreadsheet that export writes and import reads: its columns, its words for
 * statuses and types, its dates, and CSV (RFC 4180) in both directions. Private to the
 * export and import modules.
 */

#include <stdbool.h>
#include <stdint.h>
#include "secex/util.h"

enum {
	TRACKER_PRIORITY,
	TRACKER_STATUS,
	TRACKER_DECISION_DATE,
	TRACKER_TYPE,
	TRACKER_DESCRIPTION,
	TRACKER_RISK_OWNER,
	TRACKER_APPROVERS,
	TRACKER_LINK,
	TRACKER_NOTES,
	TRACKER_NCOLUMNS
};

/* The column headings, in the tracker's order. */
extern const char *const secex_tracker_columns[TRACKER_NCOLUMNS];

/* How the stakeholders entry for an approver named while no decision exists begins. */
#define TRACKER_APPROVER_INVOLVEMENT "risk approver named in the tracker"

/* The tracker's word for a secex status ("Pending" for requested, in-review, needs-info). */
const char *secex_tracker_status_name(const char *status);
/* The secex status for a tracker word or a secex status name (any case), or NULL. */
const char *secex_tracker_status_parse(const char *word);
/* "Risk extension" or "Accept risk without fix" for a secex type, and back (any case). */
const char *secex_tracker_type_name(const char *type);
const char *secex_tracker_type_parse(const char *word);

/* Parses YYYY-MM-DD or the tracker's M/D/YYYY into days since 1970-01-01. */
bool secex_tracker_date_parse(int64_t *out_days, const char *str);

#include "csv.h"

#endif
