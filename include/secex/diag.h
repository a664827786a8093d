#ifndef SECEX_DIAG_H
#define SECEX_DIAG_H

/* Diagnostics: problems found in the user's data, collected and sorted, never printed here. */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include "common.h"

typedef enum {
	SECEX_SEV_NOTE = 0,
	SECEX_SEV_WARNING = 1,
	SECEX_SEV_ERROR = 2
} secex_severity;

typedef struct {
	char code[8];           /* "SX209" */
	secex_severity severity;
	char *file;             /* repository-relative path, or NULL */
	uint32_t line, column;  /* 1-based; 0 when unknown */
	char *exception;        /* exception id, or NULL */
	char *commit;           /* hex object id, or NULL */
	char *message;
} secex_diag;

typedef struct {
	secex_diag *items;
	size_t n;
	size_t cap;
	/* severity overrides from the policy, indexed like secex_diag_codes(); -1 = default */
	signed char *overrides;
} secex_diags;

#define SECEX_DIAGS_INIT { NULL, 0, 0, NULL }

/* One row of the code table. */
typedef struct {
	const char *code;
	secex_severity severity;
	const char *title;
} secex_diag_code;

/* The table of every finding code, terminated by a row with code NULL. */
const secex_diag_code *secex_diag_codes(void);
const secex_diag_code *secex_diag_code_lookup(const char *code);

/* What a code means and how to fix it: one sentence each. */
typedef struct {
	const char *code;
	const char *description;
	const char *help;
} secex_diag_help;

/* The help table, in the order of secex_diag_codes(), terminated by a row with code NULL. */
const secex_diag_help *secex_diag_helps(void);
/* The help of one code, or NULL if the code is unknown. */
const secex_diag_help *secex_diag_help_lookup(const char *code);

void secex_diag_init(secex_diags *diags);
void secex_diag_release(secex_diags *diags);

/* Overrides the severity of one code, for the findings already added and those to come. */
int secex_diag_override(secex_diags *diags, const char *code, secex_severity severity);

/* Adds a finding with the code's (possibly overridden) severity. Strings are copied;
 * file, exception and commit may be NULL. Returns 0 or SECEX_ENOMEM. */
int secex_diag_add(secex_diags *diags, const char *code, const char *file,
		    uint32_t line, uint32_t column, const char *exception,
		    const char *commit, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 8, 9)))
#endif
	;
/* The same with the message's arguments in ap, for functions that take a format of their own. */
int secex_diag_vadd(secex_diags *diags, const char *code, const char *file,
		     uint32_t line, uint32_t column, const char *exception,
		     const char *commit, const char *fmt, va_list ap)
#if defined(__GNUC__)
	__attribute__((format(printf, 8, 0)))
#endif
	;

/* Sorts by file, line, column, code, message; stable and deterministic. */
void secex_diag_sort(secex_diags *diags);

/* Counts findings of each severity. */
void secex_diag_count(const secex_diags *diags, size_t counts[3]);

bool secex_diag_severity_parse(secex_severity *out, const char *str);
const char *secex_diag_severity_name(secex_severity severity);

#endif
