#ifndef SECEX_METRICS_H
#define SECEX_METRICS_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_REPORT)
#error "a layer below report/ may not use it: see Hacking in the README"
#endif

/*
 * Program metrics (SPEC §6): how many exceptions are open, expiring and expired, how they
 * split by status, priority and type, how long the first review takes, and each of these
 * as a time series over the first-parent history.
 *
 * One set of exceptions is used throughout. An exception is *open* when its status is open
 * in the sense of secex_list_is_open (requested, in-review, needs-info, approved) and it
 * has not expired: its due_date is absent, or at or after the moment measured. An exception
 * of open status past its due_date is *expired without treatment* instead, and one that is
 * open and due within the policy's expiring_within is also *expiring*. The breakdowns by
 * status, priority and type count open exceptions.
 */

#include <stdbool.h>
#include <stdint.h>
#include "common.h"
#include "history.h"
#include "snapshot.h"
#include "util.h"

/* The open statuses, in workflow order: the columns of by_status. */
#define SECEX_METRICS_NSTATUS 4
const char *secex_metrics_status_name(size_t i);

typedef enum {
	SECEX_METRICS_NONE,  /* no time series */
	SECEX_METRICS_WEEK,  /* weeks start on Monday, 00:00 UTC */
	SECEX_METRICS_MONTH  /* months start on the 1st, 00:00 UTC */
} secex_metrics_interval;

typedef struct {
	unsigned int version;
	int64_t now;                     /* seconds: the moment "now" is measured at */
	secex_metrics_interval interval;
	bool has_since;
	int64_t since;                   /* with has_since: the series starts in the interval
					    holding it; otherwise in the interval holding the
					    first commit that added an exception */
	int64_t open_risks;              /* the organisation's open risks; <= 0: not given */
} secex_metrics_options;

#define SECEX_METRICS_OPTIONS_VERSION 1
#define SECEX_METRICS_OPTIONS_INIT { SECEX_METRICS_OPTIONS_VERSION, 0, SECEX_METRICS_NONE, false, 0, 0 }

/* The metrics at one moment. */
typedef struct {
	int64_t at;              /* seconds */
	size_t open;
	size_t expiring;         /* open and due within expiring_within */
	size_t expired;          /* open status, past due_date */
	size_t awaiting;         /* open status (expired too) and never reviewed yet */
	size_t approval_invalid; /* "now" only: of the approved in by_status, those whose approvals
				    history does not prove */
	size_t by_status[SECEX_METRICS_NSTATUS];
	size_t *by_priority;     /* one per secex_metrics.priorities */
	size_t extension, acceptance;
	/* Time from the commit adding an exception to its first review (a commit setting
	 * in-review, needs-info, approved or denied, or adding an approvals entry). For "now":
	 * every exception of the head reviewed by then; for a point of a series: those first
	 * reviewed in the interval ending at it. */
	size_t reviewed;
	double review_mean_days, review_median_days; /* 0 when reviewed is 0 */
} secex_metrics_point;

typedef struct {
	secex_metrics_options opts;
	char head[41];             /* the commit measured */
	int64_t expiring_within;   /* seconds, from the head's policy */
	const char **priorities;   /* the policy's levels in its order, then "other" when an
				      exception has a priority the policy does not know */
	size_t npriorities;
	secex_metrics_point now;
	secex_metrics_point *series; /* oldest first; the last point is opts.now */
	size_t nseries;
	void *internal;
} secex_metrics;

/*
 * Computes the metrics of snap (the head's exceptions) at opts->now and, with an interval,
 * at every interval boundary from the start of the series to opts->now (and at opts->now
 * itself), reading each point's exceptions through secex_history_each_at. More than 5,000
 * points is SECEX_EINVALID.
 */
int secex_metrics_compute(secex_metrics **out, secex_history *history, const secex_snapshot *snap,
			  const secex_metrics_options *opts);
void secex_metrics_free(secex_metrics *metrics);

typedef enum {
	SECEX_METRICS_TEXT, /* aligned tables */
	SECEX_METRICS_JSON, /* {"version":1,"today":..,"now":{..},"series":[..]} */
	SECEX_METRICS_CSV,  /* RFC 4180: one row per point of the series, or one for now */
	SECEX_METRICS_HTML  /* one self-contained page of inline SVG charts, no scripts */
} secex_metrics_format;

bool secex_metrics_format_parse(secex_metrics_format *out, const char *name);

/* Appends the metrics in the format to out; the same metrics always give the same bytes. */
int secex_metrics_render(secex_buf *out, const secex_metrics *metrics, secex_metrics_format format);

#endif
