/* The metrics as text tables, JSON, CSV (RFC 4180) and one self-contained HTML page. */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chart.h"
#include "secex/metrics.h"
#include "secex/banned.h"

#define OOM() secex_error_nomem()

/* Colours of the HTML charts (tests look for the bar colours in a screenshot). */
#define COLOR_PRIORITY "#b03a2e"
#define COLOR_STATUS "#2e6fb0"
#define COLOR_TYPE "#6c4f9e"
#define COLOR_OPEN "#1a5276"
#define COLOR_EXPIRING "#d4870f"
#define COLOR_EXPIRED "#922b21"
#define COLOR_REVIEW "#1e8449"

static const char *const format_names[] = { "text", "json", "csv", "html" };

bool secex_metrics_format_parse(secex_metrics_format *out, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(*format_names); i++)
		if (strcmp(name, format_names[i]) == 0) {
			*out = (secex_metrics_format)i;
			return true;
		}
	return false;
}

static void date_of(char out[11], int64_t t)
{
	secex_date_format(out, t / 86400 - (t % 86400 < 0));
}

static const char *interval_name(const secex_metrics *m)
{
	return m->opts.interval == SECEX_METRICS_WEEK ? "week" : m->opts.interval == SECEX_METRICS_MONTH ? "month" : NULL;
}

/* The exceptions the percentage counts: open and expired (both still await treatment). */
static size_t outstanding(const secex_metrics_point *p)
{
	return p->open + p->expired;
}

static double percent(const secex_metrics *m)
{
	return 100.0 * (double)outstanding(&m->now) / (double)m->opts.open_risks;
}

/* The columns every point has, as names and values (text, CSV and the HTML table). */
typedef struct {
	char name[96];
	char value[32];
	bool number; /* right-aligned */
} cell;

static size_t point_cells(cell *out, const secex_metrics *m, const secex_metrics_point *p, bool csv)
{
	size_t n = 0, i;

#define CELL(nm, ...)                                                                     \
	do {                                                                              \
		snprintf(out[n].name, sizeof(out[n].name), "%s", (nm));                   \
		snprintf(out[n].value, sizeof(out[n].value), __VA_ARGS__);                \
		out[n++].number = true;                                                   \
	} while (0)
	date_of(out[n].value, p->at);
	snprintf(out[n].name, sizeof(out[n].name), "date");
	out[n++].number = false;
	CELL("open", "%zu", p->open);
	CELL("expiring", "%zu", p->expiring);
	CELL("expired", "%zu", p->expired);
	CELL(csv ? "awaiting_review" : "awaiting", "%zu", p->awaiting);
	CELL("reviewed", "%zu", p->reviewed);
	if (p->reviewed) {
		if (csv) {
			CELL("review_mean_days", "%.2f", p->review_mean_days);
			CELL("review_median_days", "%.2f", p->review_median_days);
		} else {
			CELL("review-mean", "%.1f", p->review_mean_days);
			CELL("review-median", "%.1f", p->review_median_days);
		}
	} else {
		CELL(csv ? "review_mean_days" : "review-mean", "%s", csv ? "" : "-");
		CELL(csv ? "review_median_days" : "review-median", "%s", csv ? "" : "-");
	}
	for (i = 0; i < SECEX_METRICS_NSTATUS; i++) {
		char nm[64];

		snprintf(nm, sizeof(nm), "%s%s", csv ? "status_" : "", secex_metrics_status_name(i));
		CELL(nm, "%zu", p->by_status[i]);
	}
	for (i = 0; i < m->npriorities; i++) {
		char nm[96];

		snprintf(nm, sizeof(nm), "%s%s", csv ? "priority_" : "", m->priorities[i]);
		CELL(nm, "%zu", p->by_priority[i]);
	}
	CELL("extension", "%zu", p->extension);
	CELL("acceptance", "%zu", p->acceptance);
#undef CELL
	return n;
}

static size_t max_cells(const secex_metrics *m)
{
	return 12 + SECEX_METRICS_NSTATUS + m->npriorities;
}

/* ---- text ---- */

static int text_row(secex_buf *out, const char *label, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int text_row(secex_buf *out, const char *label, const char *fmt, ...)
{
	va_list ap;
	int rc = secex_buf_printf(out, "%-30s ", label);

	va_start(ap, fmt);
	rc |= secex_buf_vprintf(out, fmt, ap);
	va_end(ap);
	rc |= secex_buf_putc(out, '\n');
	return rc;
}

static int text_now(secex_buf *out, const secex_metrics *m)
{
	const secex_metrics_point *p = &m->now;
	char date[11], window[24], label[64];
	size_t i;
	int rc;

	date_of(date, p->at);
	secex_duration_format(window, sizeof(window), m->expiring_within);
	rc = secex_buf_printf(out, "secex metrics on %s, commit %.12s\n\n", date, m->head);
	rc |= text_row(out, "open", "%zu", p->open);
	snprintf(label, sizeof(label), "expiring within %s", window);
	rc |= text_row(out, label, "%zu", p->expiring);
	rc |= text_row(out, "expired without treatment", "%zu", p->expired);
	rc |= text_row(out, "awaiting initial review", "%zu", p->awaiting);
	if (p->approval_invalid)
		rc |= text_row(out, "approval invalid", "%zu of the approved (history does not prove their "
			       "approvals)", p->approval_invalid);
	if (p->reviewed)
		rc |= text_row(out, "time to initial review", "mean %.1f days, median %.1f days, over %zu reviewed",
			       p->review_mean_days, p->review_median_days, p->reviewed);
	else
		rc |= text_row(out, "time to initial review", "none reviewed yet");
	if (m->opts.open_risks > 0)
		rc |= text_row(out, "exceptions per open risk", "%.1f%% (%zu open or expired of %lld open risks)",
			       percent(m), outstanding(p), (long long)m->opts.open_risks);
	rc |= secex_buf_puts(out, "\nopen by status\n");
	for (i = 0; i < SECEX_METRICS_NSTATUS; i++)
		rc |= secex_buf_printf(out, "  %-28s %zu\n", secex_metrics_status_name(i), p->by_status[i]);
	rc |= secex_buf_puts(out, "open by priority\n");
	for (i = 0; i < m->npriorities; i++)
		rc |= secex_buf_printf(out, "  %-28s %zu\n", m->priorities[i], p->by_priority[i]);
	rc |= secex_buf_printf(out, "open by type\n  %-28s %zu\n  %-28s %zu\n", "extension", p->extension,
			       "acceptance", p->acceptance);
	return rc;
}

static int text_series(secex_buf *out, const secex_metrics *m)
{
	size_t nc = max_cells(m), i, c, *width = calloc(nc, sizeof(*width));
	cell *cells = calloc(nc, sizeof(*cells));
	int rc = 0;

	if (!width || !cells) {
		free(width);
		free(cells);
		return OOM();
	}
	rc |= secex_buf_printf(out, "\n%sly series: the state at 00:00 UTC of each date (the last is now); review "
			       "times over the exceptions first reviewed since the previous date\n",
			       interval_name(m));
	for (i = 0; i < m->nseries; i++) {
		nc = point_cells(cells, m, &m->series[i], false);
		for (c = 0; c < nc; c++) {
			size_t w = strlen(cells[c].value) > strlen(cells[c].name) ? strlen(cells[c].value) : strlen(cells[c].name);

			width[c] = w > width[c] ? w : width[c];
		}
	}
	for (i = 0; i <= m->nseries; i++) {
		nc = point_cells(cells, m, i ? &m->series[i - 1] : &m->now, false);
		for (c = 0; c < nc; c++)
			rc |= secex_buf_printf(out, cells[c].number ? "%s%*s" : "%s%-*s", c ? "  " : "", (int)width[c],
					       i ? cells[c].value : cells[c].name);
		rc |= secex_buf_putc(out, '\n');
	}
	free(width);
	free(cells);
	return rc;
}

/* ---- JSON ---- */

static int json_point(secex_buf *out, const secex_metrics *m, const secex_metrics_point *p, bool now)
{
	char date[11];
	size_t i;
	int rc;

	date_of(date, p->at);
	rc = secex_buf_printf(out, "{\"date\":\"%s\",\"open\":%zu,\"expiring\":%zu,\"expired\":%zu,"
			      "\"awaiting_review\":%zu,\"by_status\":{", date, p->open, p->expiring, p->expired, p->awaiting);
	for (i = 0; i < SECEX_METRICS_NSTATUS; i++)
		rc |= secex_buf_printf(out, "%s\"%s\":%zu", i ? "," : "", secex_metrics_status_name(i), p->by_status[i]);
	rc |= secex_buf_puts(out, "},\"by_priority\":{");
	for (i = 0; i < m->npriorities; i++) {
		rc |= secex_buf_puts(out, i ? ",\"" : "\"");
		rc |= secex_buf_put_json_string(out, m->priorities[i], strlen(m->priorities[i]));
		rc |= secex_buf_printf(out, "\":%zu", p->by_priority[i]);
	}
	rc |= secex_buf_printf(out, "},\"by_type\":{\"extension\":%zu,\"acceptance\":%zu},\"reviewed\":%zu,",
			       p->extension, p->acceptance, p->reviewed);
	if (p->reviewed)
		rc |= secex_buf_printf(out, "\"review_mean_days\":%.2f,\"review_median_days\":%.2f", p->review_mean_days,
				       p->review_median_days);
	else
		rc |= secex_buf_puts(out, "\"review_mean_days\":null,\"review_median_days\":null");
	if (now)
		rc |= secex_buf_printf(out, ",\"approval_invalid\":%zu", p->approval_invalid);
	if (now && m->opts.open_risks > 0)
		rc |= secex_buf_printf(out, ",\"open_risks\":%lld,\"percent_of_open_risks\":%.1f",
				       (long long)m->opts.open_risks, percent(m));
	else if (now)
		rc |= secex_buf_puts(out, ",\"open_risks\":null,\"percent_of_open_risks\":null");
	rc |= secex_buf_putc(out, '}');
	return rc;
}

static int render_json(secex_buf *out, const secex_metrics *m)
{
	char date[11], window[24];
	const char *iv = interval_name(m);
	size_t i;
	int rc;

	date_of(date, m->now.at);
	secex_duration_format(window, sizeof(window), m->expiring_within);
	rc = secex_buf_printf(out, "{\"version\":1,\"today\":\"%s\",\"commit\":\"%s\",\"expiring_within\":\"%s\","
			      "\"interval\":%s%s%s,\"now\":", date, m->head, window, iv ? "\"" : "", iv ? iv : "null",
			      iv ? "\"" : "");
	rc |= json_point(out, m, &m->now, true);
	rc |= secex_buf_puts(out, ",\"series\":[");
	for (i = 0; i < m->nseries; i++) {
		rc |= i ? secex_buf_putc(out, ',') : 0;
		rc |= json_point(out, m, &m->series[i], false);
	}
	rc |= secex_buf_puts(out, "]}\n");
	return rc;
}

/* ---- CSV ---- */

static int csv_field(secex_buf *out, const char *s, bool first)
{
	int rc = first ? 0 : secex_buf_putc(out, ',');

	if (!strpbrk(s, ",\"\r\n"))
		return rc | secex_buf_puts(out, s);
	rc |= secex_buf_putc(out, '"');
	for (; *s; s++)
		rc |= *s == '"' ? secex_buf_puts(out, "\"\"") : secex_buf_putc(out, *s);
	return rc | secex_buf_putc(out, '"');
}

static int render_csv(secex_buf *out, const secex_metrics *m)
{
	const bool series = m->opts.interval != SECEX_METRICS_NONE;
	const bool risks = !series && m->opts.open_risks > 0;
	size_t nc, c, i, rows = series ? m->nseries : 1;
	cell *cells = calloc(max_cells(m), sizeof(*cells));
	char pct[32], n[32];
	int rc = 0;

	if (!cells)
		return OOM();
	nc = point_cells(cells, m, &m->now, true);
	for (c = 0; c < nc; c++)
		rc |= csv_field(out, cells[c].name, c == 0);
	rc |= risks ? secex_buf_puts(out, ",open_risks,percent_of_open_risks") : 0;
	rc |= secex_buf_puts(out, "\r\n");
	for (i = 0; i < rows; i++) {
		nc = point_cells(cells, m, series ? &m->series[i] : &m->now, true);
		for (c = 0; c < nc; c++)
			rc |= csv_field(out, cells[c].value, c == 0);
		if (risks) {
			snprintf(n, sizeof(n), "%lld", (long long)m->opts.open_risks);
			snprintf(pct, sizeof(pct), "%.1f", percent(m));
			rc |= csv_field(out, n, false) | csv_field(out, pct, false);
		}
		rc |= secex_buf_puts(out, "\r\n");
	}
	free(cells);
	return rc;
}

/* ---- HTML ---- */

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";

static const char html_style[] =
	"</title>\n<style>\n"
	"body { font-family: sans-serif; color: #222222; background: #ffffff; margin: 24px; }\n"
	"@media (max-width: 40em) { body { margin: 12px; } }\n"
	"h1 { font-size: 22px; margin: 0 0 4px; }\n"
	"h2 { font-size: 17px; margin: 28px 0 8px; }\n"
	"p.note { color: #555555; font-size: 13px; max-width: 70em; }\n"
	"table { border-collapse: collapse; font-size: 13px; }\n"
	"th, td { padding: 3px 6px; border-bottom: 1px solid #dddddd; text-align: right; white-space: nowrap; }\n"
	"th { white-space: normal; vertical-align: bottom; }\n"
	".wide table { font-size: 12px; } .wide th { font-size: 11px; padding: 3px 4px; } .wide td { padding: 3px 4px; }\n"
	"th:first-child, td:first-child { text-align: left; }\n"
	"table.now td:last-child { white-space: normal; }\n"
	".wide { max-width: 100%; overflow-x: auto; }\n"
	".charts { display: flex; flex-wrap: wrap; gap: 16px; }\n"
	".charts svg { border: 1px solid #eeeeee; max-width: 100%; height: auto; }\n"
	"</style>\n</head>\n<body>\n";

static int html_summary_row(secex_buf *out, const char *label, const char *value)
{
	int rc = secex_buf_puts(out, "<tr><td>");

	rc |= secex_buf_put_xml(out, label);
	rc |= secex_buf_puts(out, "</td><td>");
	rc |= secex_buf_put_xml(out, value);
	return rc | secex_buf_puts(out, "</td></tr>\n");
}

static int html_now(secex_buf *out, const secex_metrics *m)
{
	const secex_metrics_point *p = &m->now;
	char v[128], window[24], label[64];
	int rc = secex_buf_puts(out, "<h2>Now</h2>\n<table class=\"now\">\n");

	secex_duration_format(window, sizeof(window), m->expiring_within);
	snprintf(v, sizeof(v), "%zu", p->open);
	rc |= html_summary_row(out, "open", v);
	snprintf(v, sizeof(v), "%zu", p->expiring);
	snprintf(label, sizeof(label), "expiring within %s", window);
	rc |= html_summary_row(out, label, v);
	snprintf(v, sizeof(v), "%zu", p->expired);
	rc |= html_summary_row(out, "expired without treatment", v);
	snprintf(v, sizeof(v), "%zu", p->awaiting);
	rc |= html_summary_row(out, "awaiting initial review", v);
	snprintf(v, sizeof(v), "%zu", p->approval_invalid);
	rc |= html_summary_row(out, "approval invalid (says approved, not proven)", v);
	if (p->reviewed)
		snprintf(v, sizeof(v), "mean %.1f days, median %.1f days, over %zu reviewed", p->review_mean_days,
			 p->review_median_days, p->reviewed);
	else
		snprintf(v, sizeof(v), "none reviewed yet");
	rc |= html_summary_row(out, "time to initial review", v);
	if (m->opts.open_risks > 0) {
		snprintf(v, sizeof(v), "%.1f%% (%zu open or expired of %lld open risks)", percent(m), outstanding(p),
			 (long long)m->opts.open_risks);
		rc |= html_summary_row(out, "exceptions per open risk", v);
	}
	return rc | secex_buf_puts(out, "</table>\n");
}

static int html_bars(secex_buf *out, const secex_metrics *m)
{
	const secex_metrics_point *p = &m->now;
	secex_chart_bar *bars = calloc(m->npriorities + SECEX_METRICS_NSTATUS + 2, sizeof(*bars));
	secex_chart chart = { "Open by priority", "priority", "exceptions", 0, 0, NULL };
	size_t i, n = 0;
	int rc;

	if (!bars)
		return OOM();
	rc = secex_buf_puts(out, "<h2>Open exceptions</h2>\n<div class=\"charts\">\n");
	for (i = 0; i < m->npriorities; i++, n++) {
		bars[n].label = m->priorities[i];
		bars[n].value = (double)p->by_priority[i];
	}
	rc |= secex_chart_bars(out, &chart, bars, n, COLOR_PRIORITY);
	for (i = 0, n = 0; i < SECEX_METRICS_NSTATUS; i++, n++) {
		bars[n].label = secex_metrics_status_name(i);
		bars[n].value = (double)p->by_status[i];
	}
	chart.title = "Open by status";
	chart.x_label = "status";
	rc |= secex_chart_bars(out, &chart, bars, n, COLOR_STATUS);
	bars[0].label = "extension";
	bars[0].value = (double)p->extension;
	bars[1].label = "acceptance";
	bars[1].value = (double)p->acceptance;
	chart.title = "Extension vs acceptance (open)";
	chart.x_label = "type";
	rc |= secex_chart_bars(out, &chart, bars, 2, COLOR_TYPE);
	free(bars);
	return rc | secex_buf_puts(out, "</div>\n");
}

static int html_series(secex_buf *out, const secex_metrics *m)
{
	const size_t n = m->nseries;
	double *v = calloc(4 * n + 1, sizeof(*v));
	char(*dates)[11] = calloc(n + 1, sizeof(*dates));
	const char **labels = calloc(n + 1, sizeof(*labels));
	secex_chart chart = { "Open, expiring and expired", "date", "exceptions", 0, 0, NULL };
	secex_chart_line lines[3];
	double *xs = calloc(n + 1, sizeof(*xs));
	cell *cells = calloc(max_cells(m), sizeof(*cells));
	size_t i, c, nc;
	int rc = 0;

	if (!v || !dates || !labels || !cells || !xs) {
		rc = OOM();
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		date_of(dates[i], m->series[i].at);
		labels[i] = dates[i];
		xs[i] = (double)m->series[i].at;
		v[i] = (double)m->series[i].open;
		v[n + i] = (double)m->series[i].expiring;
		v[2 * n + i] = (double)m->series[i].expired;
		v[3 * n + i] = m->series[i].reviewed ? m->series[i].review_mean_days : NAN;
	}
	rc |= secex_buf_printf(out, "<h2>Over time, %sly</h2>\n<p class=\"note\">The state at 00:00 UTC of each "
			       "date; the last point is now. The mean time to initial review is over the exceptions "
			       "first reviewed since the previous date (no point where none were).</p>\n"
			       "<div class=\"charts\">\n", interval_name(m));
	chart.x_values = xs;
	lines[0] = (secex_chart_line){ "open", COLOR_OPEN, v };
	lines[1] = (secex_chart_line){ "expiring", COLOR_EXPIRING, v + n };
	lines[2] = (secex_chart_line){ "expired without treatment", COLOR_EXPIRED, v + 2 * n };
	rc |= secex_chart_lines(out, &chart, labels, n, lines, 3);
	chart.title = "Mean time to initial review";
	chart.y_label = "days";
	lines[0] = (secex_chart_line){ "mean days from added to first review", COLOR_REVIEW, v + 3 * n };
	rc |= secex_chart_lines(out, &chart, labels, n, lines, 1);
	rc |= secex_buf_puts(out, "</div>\n<h2>Series</h2>\n<div class=\"wide\">\n<table>\n");
	for (i = 0; i <= n; i++) {
		nc = point_cells(cells, m, i ? &m->series[i - 1] : &m->now, false);
		rc |= secex_buf_puts(out, "<tr>");
		for (c = 0; c < nc; c++) {
			rc |= secex_buf_puts(out, i ? "<td>" : "<th>");
			rc |= secex_buf_put_xml(out, i ? cells[c].value : cells[c].name);
			rc |= secex_buf_puts(out, i ? "</td>" : "</th>");
		}
		rc |= secex_buf_puts(out, "</tr>\n");
	}
	rc |= secex_buf_puts(out, "</table>\n</div>\n");
cleanup:
	free(v);
	free(xs);
	free(dates);
	free(labels);
	free(cells);
	return rc;
}

static int render_html(secex_buf *out, const secex_metrics *m)
{
	char date[11], window[24];
	int rc;

	date_of(date, m->now.at);
	secex_duration_format(window, sizeof(window), m->expiring_within);
	rc = secex_buf_puts(out, html_head);
	rc |= secex_buf_printf(out, "Security exception metrics, %s", date);
	rc |= secex_buf_puts(out, html_style);
	rc |= secex_buf_printf(out, "<h1>Security exception metrics</h1>\n<p class=\"note\">On %s, commit "
			       "<code>%.12s</code>. <em>Open</em>: requested, in-review, needs-info or approved, and "
			       "not past its due date; <em>expiring</em>: open and due within %s; <em>expired without "
			       "treatment</em>: an open status past its due date.</p>\n", date, m->head, window);
	rc |= html_now(out, m);
	rc |= html_bars(out, m);
	if (m->nseries)
		rc |= html_series(out, m);
	return rc | secex_buf_puts(out, "</body>\n</html>\n");
}

int secex_metrics_render(secex_buf *out, const secex_metrics *m, secex_metrics_format format)
{
	int rc;

	switch (format) {
	case SECEX_METRICS_JSON: rc = render_json(out, m); break;
	case SECEX_METRICS_CSV: rc = render_csv(out, m); break;
	case SECEX_METRICS_HTML: rc = render_html(out, m); break;
	default:
		rc = text_now(out, m);
		if (m->nseries)
			rc |= text_series(out, m);
	}
	return rc < 0 ? OOM() : 0;
}
