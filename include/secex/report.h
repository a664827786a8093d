#ifndef SECEX_REPORT_H
#define SECEX_REPORT_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_REPORT)
#error "a layer below report/ may not use it: see Hacking in the README"
#endif

/*
 * The weekly digest (SPEC §6): per risk owner, the open exceptions that have expired, that
 * expire within the policy's window, and that await approval, and (given scanner reports)
 * the findings their exceptions no longer cover, each with the one thing the owner must do. Rendered as Markdown, one HTML page, JSON, one e-mail message (RFC 5322)
 * or one Slack message per owner, and delivered over HTTP(S) or SMTP: the only place secex
 * uses the network (libcurl).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "history.h"
#include "policy.h"
#include "scan.h"
#include "snapshot.h"
#include "util.h"

typedef enum {
	SECEX_REPORT_EXPIRED,  /* open and past its due date */
	SECEX_REPORT_EXPIRING, /* approved and due within the policy's expiring_within */
	SECEX_REPORT_AWAITING, /* requested, in-review or needs-info */
	SECEX_REPORT_UNCOVERED, /* a scanner finding its exception no longer covers (SX602) */
	SECEX_REPORT_KINDS
} secex_report_kind;

/* A required approval that is still missing. */
typedef struct {
	const char *label;        /* "group 1", "SME approval", "risk owner" */
	const char *roles;        /* "vp-security, ciso"; NULL for the risk owner */
	const secex_person **who; /* who can give it (active, not the requestor), roster order */
	size_t nwho;              /* at most SECEX_REPORT_MAX_WHO of them */
	size_t more;              /* how many more could */
} secex_report_need;

#define SECEX_REPORT_MAX_WHO 5

/* A finding of a scanner report that only a lapsed exception covers (SECEX_REPORT_UNCOVERED). */
typedef struct {
	const char *scanner;  /* "trivy", "grype", ... */
	const char *id;       /* the scanner's id for it */
	const char *package;  /* a Package URL, or name@version; NULL when the report names none */
	const char *path;     /* the first place it was found, or NULL */
	const char *severity; /* "critical", "high", "medium", "low" or "unknown" */
	const char *report;   /* the report's file, and the finding's place in it */
	uint32_t line, column;
	const char *why;      /* why the exception no longer covers it: "it expired on 2026-11-06" */
} secex_report_finding;

typedef struct {
	secex_report_kind kind;
	const char *id, *title, *type, *priority, *status, *due_date, *file;
	secex_report_need *needs; /* SECEX_REPORT_AWAITING only */
	size_t nneeds;
	const char *action;       /* what the owner must do: one sentence, lowercase, no period */
	bool approval_invalid;    /* says approved, but history does not prove it: awaiting */
	int64_t overdue_days;     /* whole days past the due date (SECEX_REPORT_EXPIRED), else 0 */
	const char *branch;       /* a request that exists only on this other branch, or NULL */
	const secex_report_finding *finding; /* SECEX_REPORT_UNCOVERED: the finding; the rest is its exception */
} secex_report_item;

typedef struct {
	const char *id;            /* the risk owner's roster id */
	const secex_person *owner; /* NULL when not in the roster */
	const secex_person *to;    /* who receives it: the owner, or the nearest active manager of
				      a departed owner; NULL when there is nobody */
	bool departed;
	const char *note;          /* for a departed owner: who receives it and why; else NULL */
	secex_report_item *items;  /* by exception id */
	size_t n;
	size_t count[SECEX_REPORT_KINDS];
} secex_report_owner;

typedef struct secex_report {
	char today[11];            /* YYYY-MM-DD */
	int64_t now;
	int64_t expiring_within;   /* seconds, from the policy */
	const char *organization;  /* the policy's, or NULL: names the e-mails' Message-ID domain */
	uint64_t nonce;            /* random, once per build: the e-mails' Message-IDs */
	bool judged;               /* approvals were judged against the signed history */
	bool scanned;              /* scanner reports were given: findings no longer covered are listed */
	const char *unjudged;      /* why not, when not */
	secex_report_owner *owners; /* by owner id; owners with nothing to do are left out */
	size_t n;
	secex_arena arena;
} secex_report;

/* A request that exists only on another branch: shown as awaiting approval, marked with its
 * branch, with the approvals it lacks here (where none of its approvals is in history). */
typedef struct {
	const char *branch;
	const secex_exception *exc;
} secex_report_extra;

typedef struct {
	unsigned int version;
	int64_t now;              /* seconds */
	const char *owner;        /* only this risk owner, or the owners whose report goes to them */
	secex_history *history;   /* the history at the snapshot's commit; NULL: not judged */
	const char *unjudged;     /* without history: why, said in the report */
	const secex_report_extra *extra; /* requests of other branches (--branches) */
	size_t nextra;
	secex_scan_report *const *scans; /* scanner reports (--scan): their findings no longer covered */
	size_t nscans;
} secex_report_options;

#define SECEX_REPORT_OPTIONS_VERSION 1
#define SECEX_REPORT_OPTIONS_INIT { SECEX_REPORT_OPTIONS_VERSION, 0, NULL, NULL, NULL, NULL, 0, NULL, 0 }

/*
 * Builds the digest of snap at opts->now. Awaiting approvals are judged with
 * secex_approvals_judge over opts->history; without history the approvals written in the
 * files are taken as they are, unverified. Files that did not load or validate are left out.
 * With scanner reports, every finding is matched as secex_scan_judge matches it, against the
 * register secex_scan_register_judged makes at opts->now; each one covered only by a lapsed
 * exception (SX602) is an item of that exception's owner, once per exception and distinct
 * finding (secex_scan_finding_key). That needs history: without it, SECEX_EREPO.
 * The report points into snap (and history): free it first.
 */
int secex_report_build(secex_report **out, const secex_snapshot *snap, const secex_report_options *opts);
void secex_report_free(secex_report *report);

/* The whole digest as Markdown, as one self-contained HTML5 page, or as JSON
 * {"version":1,"today":...,"owners":[...]}. */
int secex_report_markdown(secex_buf *out, const secex_report *report);
int secex_report_html(secex_buf *out, const secex_report *report);
int secex_report_json(secex_buf *out, const secex_report *report);

/* One Slack message (JSON with text and blocks) for owner i. */
int secex_report_slack(secex_buf *out, const secex_report *report, size_t i);

/*
 * One RFC 5322 message for owner i, addressed to its recipient: CRLF line ends, UTF-8 text
 * in quoted-printable, a Date from report->now and a Message-ID unique to this message
 * (date, owner, 64 random bits) in the domain of from, else of the policy organization's
 * address, else secex.invalid. from: "addr" or "Name <addr>" (NULL: secex@localhost).
 * SECEX_EINVALID when the owner has nobody to send to.
 */
int secex_report_email(secex_buf *out, const secex_report *report, size_t i, const char *from);

/* The bare address of "addr" or "Name <addr>"; SECEX_EINVALID when it has no '@'. */
int secex_report_address(secex_buf *out, const char *from);

/*
 * Delivery. Each fails with SECEX_EIO and a message that names the server's answer, after
 * at most timeout seconds. POSTs a JSON body to an http(s):// URL (a Slack incoming
 * webhook), failing on any status but 2xx; sends one message over smtps:// or smtp://
 * with STARTTLS required (credentials from the URL or ~/.netrc); allow_plain lets smtp://
 * go on in clear when the server offers no STARTTLS. The program runs curl_global_init
 * once before the first (the library changes no process-wide state).
 */
int secex_report_post_json(const char *url, const char *body, size_t len, long timeout);
int secex_report_send_mail(const char *url, const char *from_addr, const char *to_addr,
			   const char *message, size_t len, long timeout, bool allow_plain);

#endif
