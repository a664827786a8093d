#ifndef SECEX_CSV_H
#define SECEX_CSV_H

/* RFC 4180 CSV for the tracker spreadsheet (private to exchange/). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "secex/util.h"

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
