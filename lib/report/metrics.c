/* Program metrics (SPEC §6): counts at a moment and as a time series over history. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secex/metrics.h"
#include "secex/health.h"
#include "secex/list.h"
#include "secex/banned.h"

#define DAY 86400
#define MAX_POINTS 5000

static const char *const statuses[SECEX_METRICS_NSTATUS] = { "requested", "in-review", "needs-info", "approved" };

const char *secex_metrics_status_name(size_t i)
{
	return i < SECEX_METRICS_NSTATUS ? statuses[i] : NULL;
}

/* One exception's review: when it was added and first reviewed (commit times). */
typedef struct {
	int64_t added, reviewed;
} review;

typedef struct {
	secex_arena arena;
	review *reviews;  /* the head's reviewed exceptions, by reviewed time */
	size_t nreviews;
	size_t nlevels;   /* by_priority has nlevels + 1 slots: the last is "other" */
} metrics_internal;

/* What counting needs from one exception, as the file says it. */
typedef struct {
	const char *id, *status, *priority, *type, *due;
} exc_fields;

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static int alloc_point(secex_metrics *m, secex_metrics_point *p, int64_t at)
{
	metrics_internal *in = m->internal;

	memset(p, 0, sizeof(*p));
	p->at = at;
	if (!(p->by_priority = secex_arena_alloc(&in->arena, (in->nlevels + 1) * sizeof(size_t))))
		return secex_error_nomem();
	return 0;
}

static size_t priority_index(const secex_metrics *m, const char *priority)
{
	const metrics_internal *in = m->internal;
	size_t i;

	for (i = 0; priority && i < in->nlevels; i++)
		if (strcmp(m->priorities[i], priority) == 0)
			return i;
	return in->nlevels;
}

/* Whether the exception with this id had not been reviewed yet at time at. */
static bool awaiting(secex_history *history, const char *id, int64_t at)
{
	int64_t added, reviewed;

	if (!id || !secex_history_review_times(history, id, &added, &reviewed))
		return true;
	return !reviewed || reviewed > at;
}

static void count(secex_metrics *m, secex_metrics_point *p, secex_history *history, const exc_fields *f)
{
	int64_t due;
	bool has_due;
	size_t i;

	if (!secex_list_is_open(f->status))
		return;
	if (awaiting(history, f->id, p->at))
		p->awaiting++;
	has_due = f->due && secex_date_when_parse(&due, f->due, strlen(f->due));
	if (has_due && due < p->at) {
		p->expired++;
		return;
	}
	p->open++;
	if (has_due && due - p->at <= m->expiring_within)
		p->expiring++;
	for (i = 0; i < SECEX_METRICS_NSTATUS; i++)
		if (strcmp(f->status, statuses[i]) == 0)
			p->by_status[i]++;
	p->by_priority[priority_index(m, f->priority)]++;
	if (f->type && strcmp(f->type, "extension") == 0)
		p->extension++;
	else if (f->type && strcmp(f->type, "acceptance") == 0)
		p->acceptance++;
}

static const char *doc_str(const secex_exception *exc, const char *name)
{
	return secex_node_str(secex_node_get(secex_doc_root(exc->doc), name));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmp_review(const void *a, const void *b)
{
	const review *x = a, *y = b;

	if (x->reviewed != y->reviewed)
		return (x->reviewed > y->reviewed) - (x->reviewed < y->reviewed);
	return (x->added > y->added) - (x->added < y->added);
}

/* Mean and median of the reviews whose review time is in (from, to]. */
static int review_stats(secex_metrics_point *p, const metrics_internal *in, int64_t from, int64_t to)
{
	double *days, sum = 0;
	size_t i, n = 0;

	if (!(days = malloc((in->nreviews + 1) * sizeof(*days))))
		return secex_error_nomem();
	for (i = 0; i < in->nreviews; i++)
		if (in->reviews[i].reviewed > from && in->reviews[i].reviewed <= to) {
			days[n] = (double)(in->reviews[i].reviewed - in->reviews[i].added) / DAY;
			sum += days[n++];
		}
	p->reviewed = n;
	if (n) {
		qsort(days, n, sizeof(*days), cmp_double);
		p->review_mean_days = sum / (double)n;
		p->review_median_days = n % 2 ? days[n / 2] : (days[n / 2 - 1] + days[n / 2]) / 2;
	}
	free(days);
	return 0;
}

/* The head's exceptions, each id once, with the review times history knows. */
static int collect_reviews(metrics_internal *in, secex_history *history, const secex_snapshot *snap)
{
	secex_map seen = SECEX_MAP_INIT;
	size_t i;
	int rc = 0;

	if (!(in->reviews = secex_arena_alloc(&in->arena, (snap->n + 1) * sizeof(*in->reviews))))
		return secex_error_nomem();
	for (i = 0; i < snap->n && rc == 0; i++) {
		const char *id = snap->items[i].id;
		int64_t added, reviewed;

		if (!id || secex_map_get(&seen, id, strlen(id)))
			continue;
		if ((rc = secex_map_put(&seen, id, strlen(id), &seen)) < 0)
			break;
		if (secex_history_review_times(history, id, &added, &reviewed) && reviewed) {
			in->reviews[in->nreviews].added = added;
			in->reviews[in->nreviews++].reviewed = reviewed;
		}
	}
	secex_map_release(&seen);
	qsort(in->reviews, in->nreviews, sizeof(*in->reviews), cmp_review);
	return rc < 0 ? secex_error_nomem() : 0;
}

/* The earliest time the history added one of the head's exceptions, or false. */
static bool first_added(int64_t *out, secex_history *history, const secex_snapshot *snap)
{
	bool found = false;
	size_t i;

	for (i = 0; i < snap->n; i++) {
		int64_t added, reviewed;

		if (snap->items[i].id && secex_history_review_times(history, snap->items[i].id, &added, &reviewed) &&
		    (!found || added < *out)) {
			*out = added;
			found = true;
		}
	}
	return found;
}

static int compute_now(secex_metrics *m, secex_history *history, const secex_snapshot *snap)
{
	metrics_internal *in = m->internal;
	size_t i;
	int rc;

	if ((rc = alloc_point(m, &m->now, m->opts.now)) < 0)
		return rc;
	for (i = 0; i < snap->n; i++) {
		const secex_exception *exc = &snap->items[i];
		exc_fields f;

		if (!exc->doc || secex_doc_root(exc->doc)->type != SECEX_NODE_OBJECT)
			continue;
		f.id = exc->id;
		f.status = doc_str(exc, "status");
		f.priority = doc_str(exc, "priority");
		f.type = doc_str(exc, "type");
		f.due = doc_str(exc, "due_date");
		if (f.status && strcmp(f.status, "approved") == 0 && exc->valid) {
			secex_approval_state st;
			bool proven;

			if ((rc = secex_approvals_judge(&st, history, snap, exc, false, NULL)) < 0)
				return rc;
			proven = secex_approvals_verified(&st);
			secex_approvals_state_release(&st);
			if (!proven)
				m->now.approval_invalid++;
		}
		count(m, &m->now, history, &f);
	}
	return review_stats(&m->now, in, INT64_MIN, m->opts.now);
}

/* The start of the interval holding t (seconds), as days since the epoch. */
static int64_t interval_start(int64_t t, secex_metrics_interval interval)
{
	int64_t days = floor_div(t, DAY);
	unsigned month, day;
	int year;

	if (interval == SECEX_METRICS_WEEK)
		return days - (((days + 3) % 7) + 7) % 7; /* 1970-01-01 was a Thursday */
	secex_date_civil_from_days(days, &year, &month, &day);
	return secex_date_days_from_civil(year, month, 1);
}

static int64_t interval_next(int64_t days, secex_metrics_interval interval)
{
	unsigned month, day;
	int year;

	if (interval == SECEX_METRICS_WEEK)
		return days + 7;
	secex_date_civil_from_days(days, &year, &month, &day);
	return month == 12 ? secex_date_days_from_civil(year + 1, 1, 1) : secex_date_days_from_civil(year, month + 1, 1);
}

typedef struct {
	secex_metrics *m;
	secex_metrics_point *p;
	secex_history *history;
} point_ctx;

static int count_facts(const secex_facts *facts, const char *path, void *payload)
{
	point_ctx *ctx = payload;
	exc_fields f;

	(void)path;
	if (!facts->loaded)
		return 0;
	f.id = facts->value[SECEX_F_ID];
	f.status = facts->value[SECEX_F_STATUS];
	f.priority = facts->value[SECEX_F_PRIORITY];
	f.type = facts->value[SECEX_F_TYPE];
	f.due = facts->value[SECEX_F_DUE_DATE];
	count(ctx->m, ctx->p, ctx->history, &f);
	return 0;
}

static int compute_series(secex_metrics *m, secex_history *history, const secex_snapshot *snap)
{
	const secex_metrics_interval iv = m->opts.interval;
	int64_t start = m->opts.now, added = 0, days, first, prev;
	size_t n = 0, cap = 0, i;
	int64_t *at = NULL;
	int rc = 0;

	if (m->opts.has_since)
		start = m->opts.since;
	else if (first_added(&added, history, snap))
		start = added;
	first = interval_start(start, iv);
	for (days = first;; days = interval_next(days, iv)) {
		int64_t t = days * DAY;

		if (t > m->opts.now)
			t = m->opts.now;
		if (n == MAX_POINTS) {
			rc = secex_error_set(SECEX_EINVALID, "more than %d points in the series; use a later --since "
					     "or a longer --interval", MAX_POINTS);
			break;
		}
		if (n == cap) {
			int64_t *grown = realloc(at, (cap = cap ? cap * 2 : 64) * sizeof(*at));

			if (!grown) {
				rc = secex_error_nomem();
				break;
			}
			at = grown;
		}
		at[n++] = t;
		if (t == m->opts.now)
			break;
	}
	if (rc == 0 && n && !(m->series = secex_arena_alloc(&((metrics_internal *)m->internal)->arena,
							   n * sizeof(*m->series))))
		rc = secex_error_nomem();
	prev = (interval_start(first * DAY - 1, iv)) * DAY;
	for (i = 0; rc == 0 && i < n; i++) {
		point_ctx ctx = { m, &m->series[i], history };

		if ((rc = alloc_point(m, &m->series[i], at[i])) == 0 &&
		    (rc = secex_history_each_at(history, at[i], count_facts, &ctx)) == 0)
			rc = review_stats(&m->series[i], m->internal, prev, at[i]);
		prev = at[i];
		m->nseries = i + 1;
	}
	free(at);
	return rc;
}

int secex_metrics_compute(secex_metrics **out, secex_history *history, const secex_snapshot *snap,
			  const secex_metrics_options *opts)
{
	const secex_policy *policy = snap->policy;
	secex_metrics *m = NULL;
	metrics_internal *in = NULL;
	bool other = false;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!(m = calloc(1, sizeof(*m))) || !(in = calloc(1, sizeof(*in)))) {
		rc = secex_error_nomem();
		goto cleanup;
	}
	m->internal = in;
	m->opts = *opts;
	m->expiring_within = policy->expiring_within;
	snprintf(m->head, sizeof(m->head), "%s", secex_history_head(history));
	in->nlevels = policy->nlevels;
	if (!(m->priorities = secex_arena_alloc(&in->arena, (policy->nlevels + 1) * sizeof(*m->priorities)))) {
		rc = secex_error_nomem();
		goto cleanup;
	}
	for (i = 0; i < policy->nlevels; i++)
		m->priorities[i] = policy->levels[i].name;
	m->priorities[policy->nlevels] = "other";
	if ((rc = collect_reviews(in, history, snap)) < 0 || (rc = compute_now(m, history, snap)) < 0 ||
	    (opts->interval != SECEX_METRICS_NONE && (rc = compute_series(m, history, snap)) < 0))
		goto cleanup;
	other = m->now.by_priority[in->nlevels] > 0;
	for (i = 0; i < m->nseries; i++)
		other = other || m->series[i].by_priority[in->nlevels] > 0;
	m->npriorities = in->nlevels + other;
	*out = m;
	m = NULL;
cleanup:
	secex_metrics_free(m);
	return rc;
}

void secex_metrics_free(secex_metrics *m)
{
	metrics_internal *in;

	if (!m)
		return;
	if ((in = m->internal)) {
		secex_arena_release(&in->arena);
		free(in);
	}
	free(m);
}
