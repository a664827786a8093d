#ifndef SECEX_NEW_H
#define SECEX_NEW_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_MODEL)
#error "a layer below model/ may not use it: see Hacking in the README"
#endif

/*
 * Creating an exception (secex new, SPEC §6): the next free id, the defaults of a new
 * request, its file's text, and the checks it must pass before it is written.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "diag.h"
#include "snapshot.h"
#include "util.h"

/* Hands out the ids after the highest in use, in the form of the policy's id_pattern. */
typedef struct {
	const secex_snapshot *snap;
	secex_buf prefix;        /* "EXC-" */
	int width;               /* digits, zero-padded: the pattern's minimum */
	unsigned long long last; /* the highest number in use or handed out */
	bool form_known;         /* the pattern gives the form; else the highest id's */
} secex_new_ids;

/*
 * Reads the ids in use (each exception's id and file name). With a pattern of the form
 * ^PREFIX[0-9]{N,}$ (or \d, +, {N}, {N,M}) the ids are PREFIX and the number zero-padded to
 * N digits; with any other pattern they take the form of the highest id in use. Fails with
 * SECEX_EINVALID when the policy has no usable id_pattern.
 */
int secex_new_ids_init(secex_new_ids *ids, const secex_snapshot *snap);
/* The next id that matches the pattern and names no file (ID.yaml, .yml, .json) in dir
 * (NULL: do not look). SECEX_EINVALID when it would not match the pattern. */
int secex_new_ids_next(secex_buf *out, secex_new_ids *ids, const char *dir);
/* Counts a file name (path or base, extension ignored) as an id in use: one seen on
 * another branch, say. */
int secex_new_ids_consider(secex_new_ids *ids, const char *name);
void secex_new_ids_release(secex_new_ids *ids);

/* One scanner finding: "ID" or "ID,PACKAGE" on the command line. */
typedef struct {
	const char *id;
	const char *package; /* or NULL */
	const char *const *paths; /* where it was found (secex new --from-scan), or NULL */
	size_t npaths;
} secex_new_finding;

/* The fields of a new exception; NULL (or n 0) for what is not given. */
typedef struct {
	unsigned int version;
	const char *id, *title, *type, *priority;
	const char *requestor, *risk_owner, *assignee;
	const char *created, *original_due_date, *due_date; /* dates or RFC 3339 date-times */
	const char *summary, *justification, *remediation_plan;
	const char *const *pros;
	size_t npros;
	const char *const *cons;
	size_t ncons;
	const char *const *tickets;
	size_t ntickets;
	const secex_new_finding *findings;
	size_t nfindings;
} secex_new_fields;

#define SECEX_NEW_FIELDS_VERSION 1
#define SECEX_NEW_FIELDS_INIT { SECEX_NEW_FIELDS_VERSION }

/*
 * The default due date of a request of that priority created on day `created` (days since
 * the epoch): created plus the level's SLA (at most its max_duration), as YYYY-MM-DD, or as
 * an RFC 3339 date-time when the SLA is not whole days. out holds at least 24 bytes.
 * SECEX_ENOTFOUND when the priority is not a level of the policy.
 */
int secex_new_default_due(char *out, const secex_policy *policy, const char *priority, int64_t created);

/* Splits "ID,PACKAGE" at its first comma (a package URL may hold more); the parts point
 * into text, which is modified. */
void secex_new_finding_parse(secex_new_finding *out, char *text);

/*
 * Checks one field's value as the validator will, with the other fields as they stand (the
 * dates are checked against each other): "title", "type", "priority", "requestor",
 * "risk_owner", "assignee", "original_due_date", "due_date", "summary", "justification",
 * "pros", "cons", "remediation_plan", "tickets" or "findings" (a finding's id). Problems are
 * findings on `path` with the validator's codes (SX110, SX121, SX122, SX123, SX124), and
 * warnings for a departed risk owner or assignee (SX503, SX502); one a problem, so each
 * message can stand alone as the reason to ask again.
 */
int secex_new_check_field(secex_diags *diags, const secex_snapshot *snap, const secex_new_fields *f,
			  const char *field, const char *value, const char *path);

/* The file's text: block YAML in the order of hand-written exceptions, status requested,
 * strings quoted only where needed, long text folded. */
int secex_new_text(secex_buf *out, const secex_new_fields *f);

/*
 * Validates text as the exception file `path` (relative to the snapshot's root) as
 * `secex validate` would with that file added: YAML, the schema (with the policy's
 * extension) and the semantic checks, duplicate ids included. Findings about the new file
 * go to diags; findings about the files already there are left out.
 */
int secex_new_check(secex_diags *diags, const secex_snapshot *snap, const char *path, const char *text,
		    size_t len);

#endif
