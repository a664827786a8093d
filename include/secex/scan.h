#ifndef SECEX_SCAN_H
#define SECEX_SCAN_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_EXCHANGE)
#error "a layer below exchange/ may not use it: see Hacking in the README"
#endif

/*
 * Scanner reports against the exceptions: readers for SARIF 2.1.0, Trivy, Grype, OSV-Scanner,
 * Snyk, npm audit, pip-audit and Checkov JSON into one list of findings, and the matching
 * of those findings with the `findings` of the exceptions (ids and aliases by hash, Package
 * URLs, path globs), which gives every finding exactly one verdict.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "diag.h"
#include "history.h"
#include "snapshot.h"
#include "util.h"
#include "yaml.h"

typedef enum {
	SECEX_SCAN_AUTO = 0, /* detect from the content */
	SECEX_SCAN_SARIF,
	SECEX_SCAN_TRIVY,
	SECEX_SCAN_GRYPE,
	SECEX_SCAN_OSV,
	SECEX_SCAN_SNYK,
	SECEX_SCAN_NPM,
	SECEX_SCAN_PIP_AUDIT,
	SECEX_SCAN_CHECKOV
} secex_scan_format;

/* The scanner's severity mapped onto four levels; UNKNOWN when the report gives none. */
typedef enum {
	SECEX_SCAN_SEV_UNKNOWN = 0,
	SECEX_SCAN_SEV_LOW,
	SECEX_SCAN_SEV_MEDIUM,
	SECEX_SCAN_SEV_HIGH,
	SECEX_SCAN_SEV_CRITICAL
} secex_scan_severity;

/* One finding of a report. Strings live as long as the report. */
typedef struct {
	const char *id;          /* the report's primary id */
	const char **ids;        /* id first, then every alias the report gives */
	size_t nids;
	const char *purl;        /* the package as a Package URL, or NULL */
	const char *ecosystem;   /* without a purl: the report's ecosystem name, or NULL */
	const char *name;        /* package name, or NULL */
	const char *version;     /* installed version, or NULL */
	const char **paths;      /* where it was found, as the report says */
	size_t npaths;
	const char *title;       /* one line, or NULL */
	secex_scan_severity severity;
	const char *scanner;     /* the key of `aliases`: "trivy", "grype", ... */
	uint32_t line, column;   /* position of the finding in the report */
	const secex_node *node;  /* the finding in the report's tree */
	size_t run;              /* SARIF: the index of its run */
} secex_scan_finding;

typedef struct {
	char *file;                /* as given */
	secex_scan_format format;
	secex_doc *doc;            /* the report's tree */
	secex_scan_finding *items; /* in report order */
	size_t n;
	secex_arena arena;
} secex_scan_report;

/* "sarif", "trivy", "grype", "osv", "snyk", "npm", "pip-audit", "checkov" (and "auto"). */
bool secex_scan_format_parse(secex_scan_format *out, const char *name);
const char *secex_scan_format_name(secex_scan_format format);
/* Every format's description, for messages: "SARIF 2.1.0, Trivy JSON, ..." */
const char *secex_scan_format_list(void);
const char *secex_scan_severity_name(secex_scan_severity severity);
bool secex_scan_severity_parse(secex_scan_severity *out, const char *name);

/* The largest report read (bytes). */
#define SECEX_SCAN_MAX_SIZE ((size_t)1 << 31)

/*
 * Reads a report from data (format AUTO: detected from the content). A report that does not
 * parse, is not of the format forced, or of no known format is an SX606 finding naming the
 * file, line and column and what was expected; *out is then NULL and the function returns 0.
 */
int secex_scan_read(secex_scan_report **out, const char *data, size_t len, const char *file,
		    secex_scan_format format, secex_diags *diags);
/* The same from a file on disk; a file that cannot be read is SX606 too. */
int secex_scan_read_file(secex_scan_report **out, const char *path, secex_scan_format format,
			 secex_diags *diags);
void secex_scan_report_free(secex_scan_report *report);
/* Every file of paths read as secex_scan_read_file reads it, into a new array of n reports
 * (an unreadable one NULL, its SX606 in diags); free it with secex_scan_reports_free. */
int secex_scan_read_files(secex_scan_report ***out, const char *const *paths, size_t n, secex_scan_format format,
			  secex_diags *diags);
void secex_scan_reports_free(secex_scan_report **reports, size_t n);

/* ---- matching ---- */

/* What an exception does for the findings it names, as judged from history. */
typedef enum {
	SECEX_SCAN_ACCEPTED, /* approved (verified), not expired */
	SECEX_SCAN_LAPSED,   /* expired, denied, withdrawn, closed, or approvals do not verify */
	SECEX_SCAN_PENDING   /* a request still awaiting approval */
} secex_scan_state;

typedef struct {
	const secex_exception *exception;
	const char *id, *title, *justification, *due_date, *risk_owner;
	secex_scan_state state;
	char why[160];    /* LAPSED: why it no longer covers ("expired on 2026-11-01") */
	bool found;       /* one of its findings is in a report */
} secex_scan_entry;

typedef struct secex_scan_register secex_scan_register;

/*
 * The register of the snapshot's valid exceptions that list findings, indexed by every id
 * and alias (normalised). state_of gives each exception's state; it returns < 0 to stop.
 */
typedef int (*secex_scan_state_fn)(secex_scan_entry *entry, void *payload);
int secex_scan_register_new(secex_scan_register **out, const secex_snapshot *snap,
			    secex_scan_state_fn state_of, void *payload);
/*
 * The register with each exception's state as 'secex scan' and 'secex report --scan' judge
 * it at now: LAPSED once past its due date; ACCEPTED when secex_approvals_claims over history
 * verifies its `status: approved` (the verdict export, list, report and metrics use too);
 * LAPSED when it says approved and that does not verify, or is denied, withdrawn or closed;
 * PENDING while a request is open.
 */
int secex_scan_register_judged(secex_scan_register **out, const secex_snapshot *snap, secex_history *history,
			       int64_t now);
void secex_scan_register_free(secex_scan_register *reg);
size_t secex_scan_register_count(const secex_scan_register *reg);
secex_scan_entry *secex_scan_register_entry(secex_scan_register *reg, size_t i);

typedef enum {
	SECEX_VERDICT_ACCEPTED,  /* SX601 */
	SECEX_VERDICT_LAPSED,    /* SX602 */
	SECEX_VERDICT_PENDING,   /* SX603 */
	SECEX_VERDICT_UNCOVERED  /* SX604, or SX607 below --fail-on-severity */
} secex_scan_verdict_kind;

typedef struct {
	secex_scan_verdict_kind kind;
	secex_scan_entry *entry; /* the exception that decides it; NULL when uncovered */
} secex_scan_verdict;

/* The verdict for one finding: the best of the exceptions that cover it (accepted over
 * pending over lapsed); marks those exceptions found. */
int secex_scan_match(secex_scan_verdict *out, secex_scan_register *reg, const secex_scan_finding *f);

typedef struct {
	unsigned int version;
	bool strict;                        /* a pending request is an error, not a warning */
	secex_scan_severity fail_severity;  /* uncovered below it: SX607 (UNKNOWN: every severity) */
	bool complete;                      /* the reports cover every exception's scope: SX605 */
} secex_scan_options;

#define SECEX_SCAN_OPTIONS_VERSION 1
#define SECEX_SCAN_OPTIONS_INIT { SECEX_SCAN_OPTIONS_VERSION, false, SECEX_SCAN_SEV_UNKNOWN, false }

/*
 * Judges every finding of the reports: one finding each (SX601 accepted, SX602 covered only
 * by a lapsed exception, SX603 only by a pending request, SX604 not covered, SX607 not covered
 * but below fail_severity) on the report's file:line:col, then with opts->complete SX605 for
 * each accepted exception none of whose findings appeared. verdicts (may be NULL) receives one
 * verdict per finding, report after report.
 */
int secex_scan_judge(secex_scan_verdict *verdicts, secex_scan_report *const *reports, size_t nreports,
		     secex_scan_register *reg, const secex_scan_options *opts, secex_diags *diags);

/* The open risks the reports show: their distinct findings (id, package, first path), as
 * `secex metrics --scan` counts them for exceptions as a percentage of open risks. */
int secex_scan_open_risks(size_t *out, secex_scan_report *const *reports, size_t nreports);

/* One key per distinct finding (normalised id, package, version, first path): the same
 * finding reported twice, or by two scanners, has the same key. */
int secex_scan_finding_key(secex_buf *out, const secex_scan_finding *f);

/* The command that starts a request for the finding of report r:
 * "secex new --from-scan REPORT --finding ID[,PURL]", shell-quoted where needed. */
int secex_scan_new_command(secex_buf *out, const secex_scan_report *r, const secex_scan_finding *f);

/* "CVE-2019-1549 in pkg:apk/alpine/libssl1.1@1.1.1c-r0 at lib/apk/db/installed" */
int secex_scan_describe(secex_buf *out, const secex_scan_finding *f);

/* Whether one `findings` entry of an exception (an object node) covers the finding. */
bool secex_scan_entry_covers(const secex_node *entry, const secex_scan_finding *f);

/* Normalised forms, into out (cleared first): an id (case by scheme, Trivy's old and new
 * rule ids made one), and a path (no file://, no leading / or ./, percent-decoded). */
int secex_scan_normalise_id(secex_buf *out, const char *id, size_t len);
int secex_scan_normalise_path(secex_buf *out, const char *path);
/* Glob over normalised paths: '*' within a segment, '**' across, '?' one character. */
bool secex_scan_glob(const char *pattern, const char *path);

/* A Package URL split and normalised (type and name lowercased where the spec says so,
 * percent-decoded, qualifiers and subpath dropped); fields point into buf. */
typedef struct {
	const char *type, *namespace_, *name, *version; /* NULL when absent */
	secex_buf buf;
} secex_purl;

bool secex_scan_purl_parse(secex_purl *out, const char *purl);
void secex_scan_purl_release(secex_purl *purl);

#endif
