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

/* Appends one CSV field: quoted when it holds a comma, quote, CR, LF or outer blanks, and
 * with a leading apostrophe when a spreadsheet would read it as a formula. */
int secex_csv_put_field(secex_buf *out, const char *str, bool first);
/* Ends a record with CRLF. */
int secex_csv_end_record(secex_buf *out);
/* Undoes secex_csv_put_field's formula guard on a field read back. */
const char *secex_csv_unguard(const char *field);

typedef struct {
	const char *data;
	size_t len, pos;
	uint32_t line; /* the line pos is on, 1-based */
} csv_reader;

typedef struct {
	secex_vec fields;     /* char *, owned */
	uint32_t line;        /* the line the record starts on */
	const char *error;    /* why the record is malformed, or NULL */
	uint32_t error_line;  /* where that is */
	size_t error_field;   /* 1-based field number */
} csv_record;

void secex_csv_reader_init(csv_reader *r, const char *data, size_t len);
/* Reads the next record into rec (cleared first): 1 when read, 0 at the end, negative when
 * out of memory. Unquoted fields lose their outer blanks, so ", " separators read as ",". */
int secex_csv_next(csv_record *rec, csv_reader *r);
void secex_csv_record_release(csv_record *rec);

#endif
