/* secex metrics: the program's numbers now and over history, as text, JSON, CSV or HTML. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "secex/banned.h"

static struct {
	const char *rev, *open_risks, *interval, *since, *format, *branches;
	cli_list scan;
} o = { NULL, NULL, NULL, NULL, "text", NULL, { NULL, 0 } };

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "rev", 0, &o.rev, "REV", "measure the history up to commit REV (default HEAD)" },
	{ CLI_OPT_STRING, "open-risks", 0, &o.open_risks, "N",
	  "the organisation's open risks, for exceptions as a percentage of them" },
	{ CLI_OPT_LIST, "scan", 0, &o.scan, "REPORT",
	  "count the open risks from scanner reports instead: their distinct findings (repeatable)" },
	{ CLI_OPT_STRING, "interval", 0, &o.interval, "INTERVAL",
	  "week or month: also each metric as a time series (html: default week)" },
	{ CLI_OPT_STRING, "since", 0, &o.since, "DATE",
	  "start the series in the interval holding DATE (default: the first exception added)" },
	{ CLI_OPT_STRING, "format", 0, &o.format, "FORMAT", "text, json, csv or html (default text)" },
	{ CLI_OPT_OPTIONAL, "branches", 0, &o.branches, "PATTERN",
	  "text and json: also the requests that exist only on other branches, awaiting approval" },
	CLI_OPT_END
};

const cli_command_help cmd_metrics_help = {
	"metrics",
	"[--rev REV] [--today DATE] [--open-risks N | --scan REPORT...] [--interval week|month] [--since DATE]\n"
	"       [--branches[=PATTERN]] [--format text|json|csv|html]",
	"The program's metrics on the exceptions of HEAD (or --rev) at --today: open (status\n"
	"requested, in-review, needs-info or approved, and not past due_date), expiring (open and\n"
	"due within the policy's expiring_within), expired without treatment (open status, past\n"
	"due_date), awaiting initial review, open by status, by priority and by type, the mean\n"
	"and median days from the commit adding an exception to its first review (in-review,\n"
	"needs-info, approved, denied or any decision recorded), and, with --open-risks N, open\n"
	"and expired exceptions as a percentage of N (or of the distinct findings of --scan reports).",
	"With --interval, the same metrics at 00:00 UTC of every Monday (week) or 1st (month)\n"
	"from the start of the interval holding the first exception added (or --since) to\n"
	"--today, read from the first-parent history; a point's review times are over the\n"
	"exceptions first reviewed since the previous point. --format html writes one\n"
	"self-contained page of SVG charts, with no scripts and nothing fetched.",
	opts
};

static int parse_options(secex_metrics_options *mo, secex_metrics_format *fmt)
{
	char *end = NULL;
	int rc;

	if (!secex_metrics_format_parse(fmt, o.format)) {
		cli_error("unknown format '%s' for metrics; use text, json, csv or html", o.format);
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_now(&mo->now)) < 0)
		return cli_fail(rc);
	if (o.since && !secex_date_when_parse(&mo->since, o.since, strlen(o.since))) {
		cli_error("--since '%s' is not a date; use YYYY-MM-DD", o.since);
		return CLI_EXIT_USAGE;
	}
	mo->has_since = o.since != NULL;
	if (!o.interval)
		mo->interval = *fmt == SECEX_METRICS_HTML ? SECEX_METRICS_WEEK : SECEX_METRICS_NONE;
	else if (strcmp(o.interval, "week") == 0)
		mo->interval = SECEX_METRICS_WEEK;
	else if (strcmp(o.interval, "month") == 0)
		mo->interval = SECEX_METRICS_MONTH;
	else {
		cli_error("unknown interval '%s'; use week or month", o.interval);
		return CLI_EXIT_USAGE;
	}
	if (o.open_risks) {
		errno = 0;
		mo->open_risks = strtoll(o.open_risks, &end, 10);
		if (errno || end == o.open_risks || *end || mo->open_risks <= 0 || mo->open_risks > 1000000000000LL) {
			cli_error("--open-risks '%s' is not a positive whole number", o.open_risks);
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

/* --scan REPORT...: the open risks are the reports' distinct findings. A report that cannot
 * be read is the same SX606 error as in 'secex scan' (exit 2). */
static int open_risks_from_scans(secex_metrics_options *mo)
{
	secex_scan_report **r = calloc(o.scan.n + 1, sizeof(*r));
	secex_diags diags = SECEX_DIAGS_INIT;
	size_t i, n = 0;
	int rc = r ? 0 : secex_error_nomem();

	for (i = 0; rc == 0 && i < o.scan.n; i++)
		rc = secex_scan_read_file(&r[i], o.scan.v[i], SECEX_SCAN_AUTO, &diags);
	for (i = 0; rc == 0 && i < diags.n; i++)
		cli_error("%s:%u:%u: %s [%s]", diags.items[i].file, diags.items[i].line, diags.items[i].column,
			  diags.items[i].message, diags.items[i].code);
	if (rc == 0 && diags.n)
		rc = CLI_EXIT_USAGE;
	else if (rc == 0 && (rc = secex_scan_open_risks(&n, r, o.scan.n)) == 0)
		mo->open_risks = (int64_t)n;
	if (rc < 0)
		rc = cli_fail(rc);
	else if (rc == 0 && n == 0) {
		cli_error("the reports hold no findings, so there are no open risks to compare with; "
			  "give --open-risks N instead");
		rc = CLI_EXIT_USAGE;
	}
	for (i = 0; r && i < o.scan.n; i++)
		secex_scan_report_free(r[i]);
	free(r);
	secex_diag_release(&diags);
	return rc;
}

/* Files that did not load are not counted: say so, without failing. */
static void warn_unloaded(const secex_snapshot *snap)
{
	size_t i, n = 0;

	for (i = 0; i < snap->n; i++)
		n += !snap->items[i].doc;
	if (n)
		fprintf(stderr, "secex: warning: %zu exception file%s did not load and %s not counted; "
			"'secex validate --rev %s' says why\n", n, n == 1 ? "" : "s", n == 1 ? "is" : "are",
			o.rev ? o.rev : "HEAD");
}

/* --branches: the requests of other branches after the metrics, which count none of them. */
static void put_pending(secex_buf *out, const cli_pending_list *list, bool json)
{
	size_t i;

	if (json && out->size >= 2 && out->ptr[out->size - 2] == '}')
		out->size -= 2; /* reopen the object: "}\n" */
	if (json)
		secex_buf_puts(out, ",\"branches\":[");
	else
		secex_buf_printf(out, "\nawaiting approval on other branches (not counted above): %zu\n", list->n);
	for (i = 0; i < list->n; i++) {
		const cli_pending *p = &list->items[i];

		if (json) {
			secex_buf_puts(out, i ? ",{\"id\":" : "{\"id\":");
			cli_json_str(out, p->exc->id);
			cli_json_member(out, "branch", p->branch);
			cli_json_member(out, "waiting_for", p->waiting);
			secex_buf_puts(out, "}");
		} else {
			secex_buf_printf(out, "  %s on branch %s; %s%s\n", cli_safe(p->exc->id), cli_safe(p->branch),
					 *p->waiting ? "waits for " : "", *p->waiting ? cli_safe(p->waiting) : "nothing missing there");
		}
	}
	if (json)
		secex_buf_puts(out, "]}\n");
}

int cmd_metrics(int argc, char **argv)
{
	secex_history_options hopts = SECEX_HISTORY_OPTIONS_INIT;
	secex_metrics_options mo = SECEX_METRICS_OPTIONS_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_metrics *metrics = NULL;
	secex_buf out = SECEX_BUF_INIT;
	secex_metrics_format fmt;
	cli_history h = { { NULL, NULL, NULL, NULL }, NULL };
	cli_pending_list pending = { 0 };
	bool help;
	int rc;

	if ((rc = cli_opt_parse(&cmd_metrics_help, argc, argv, &help)) || help)
		return rc;
	if ((rc = parse_options(&mo, &fmt)))
		return rc;
	if (o.scan.n && o.open_risks) {
		cli_error("--open-risks and --scan both give the open risks; use one of them");
		return CLI_EXIT_USAGE;
	}
	if (o.scan.n && (rc = open_risks_from_scans(&mo)))
		return rc;
	if (o.branches && strcmp(o.format, "text") != 0 && strcmp(o.format, "json") != 0) {
		cli_error("--branches adds to the text and json formats; use --format text or json with it");
		return CLI_EXIT_USAGE;
	}
	hopts.head = o.rev;
	hopts.audit = false;
	if ((rc = cli_history_open(&h, &hopts, &diags)) < 0) {
		rc = cli_fail(rc);
		goto cleanup;
	}
	if (cli_history_shallow(&diags)) {
		rc = CLI_EXIT_INTERNAL;
		goto cleanup;
	}
	if ((rc = secex_metrics_compute(&metrics, h.history, h.s.snap, &mo)) < 0 ||
	    (rc = secex_metrics_render(&out, metrics, fmt)) < 0) {
		rc = cli_fail(rc);
		goto cleanup;
	}
	if (o.branches && (rc = cli_pending_load(&pending, &h.s, o.branches)) < 0) {
		rc = cli_fail(rc);
		goto cleanup;
	}
	if (o.branches)
		put_pending(&out, &pending, strcmp(o.format, "json") == 0);
	warn_unloaded(h.s.snap);
	fwrite(out.ptr, 1, out.size, stdout);
	rc = fflush(stdout) == 0 ? CLI_EXIT_CLEAN : CLI_EXIT_INTERNAL;
cleanup:
	cli_list_release(&o.scan);
	cli_pending_release(&pending);
	secex_buf_release(&out);
	secex_metrics_free(metrics);
	cli_history_close(&h);
	secex_diag_release(&diags);
	return rc;
}
