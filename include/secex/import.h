#ifndef SECEX_IMPORT_H
#define SECEX_IMPORT_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_EXCHANGE)
#error "a layer below exchange/ may not use it: see Hacking in the README"
#endif

/*
 * The tracker spreadsheet (CSV with the columns secex export writes) turned into exception
 * files (SPEC §6). Every row becomes one exception with the fields the tracker holds and an
 * explicit TODO placeholder for each required field it lacks; a row or cell that cannot be
 * mapped is a finding on FILE:ROW:COL, and a row is only planned when its file validates.
 */

#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "diag.h"
#include "snapshot.h"

typedef struct {
	unsigned int version;
	const char *source;    /* the CSV's name, in findings and in the files' comments */
	const char *dir;       /* the directory the files go to; names in use there are skipped */
	const char *requestor; /* roster id of the requestor of every row; NULL: each row's risk owner */
	int64_t now;           /* seconds: "created" of rows without a decision date */
} secex_import_options;

#define SECEX_IMPORT_OPTIONS_VERSION 1
#define SECEX_IMPORT_OPTIONS_INIT { SECEX_IMPORT_OPTIONS_VERSION, "tracker.csv", NULL, NULL, 0 }

typedef struct {
	char *name;     /* "EXC-0013.yaml" */
	char *id;       /* "EXC-0013" */
	char *text;     /* the YAML */
	uint32_t row;   /* the line of the CSV the row starts on */
	size_t todo;    /* placeholders the user must replace */
} secex_import_file;

typedef struct {
	secex_import_file *files;
	size_t n;
	size_t rows; /* data rows read, planned or not */
} secex_import_plan;

#define SECEX_IMPORT_PLAN_INIT { NULL, 0, 0 }

/*
 * Plans the files for the rows of csv (len bytes) against the snapshot's policy and roster.
 * Findings: SX106 (invalid UTF-8), SX110 (malformed CSV, unknown status or type, missing
 * column, a generated file that would not validate), SX111 (a cell or row left out: unknown
 * column, row already imported, approved without approvers), SX121 (person not in the
 * roster by id, name or e-mail), SX122 (unknown priority), SX123 (not a date). Fails with
 * SECEX_EINVALID when the snapshot has no usable policy or roster, or ids cannot be chosen.
 */
int secex_import_plan_csv(secex_import_plan *out, const secex_snapshot *snap, const char *csv,
			  size_t len, const secex_import_options *opts, secex_diags *diags);
void secex_import_plan_release(secex_import_plan *plan);

/*
 * Writes each planned file into opts->dir (created when missing), each atomically through a
 * temporary file and never over an existing file: a name taken meanwhile is finding SX120
 * on the row and that file is not written. *written counts the files written.
 */
int secex_import_write(size_t *written, const secex_import_plan *plan, const secex_import_options *opts,
		       secex_diags *diags);

#endif
