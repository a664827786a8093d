/* secex scan: scanner reports judged against the exceptions, one gate for every scanner. */

#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "scan_out.h"
#include "secex/banned.h"

static struct {
	const char *input_format, *fail_on_severity, *rev, *trust_root;
	bool strict, complete;
	cli_args reports;
	cli_report_opts report;
} o = { NULL, NULL, NULL, NULL, false, false, { NULL, 0 }, CLI_REPORT_OPTS_INIT };

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "input-format", 0, &o.input_format, "FORMAT",
	  "read every report as sarif, trivy, grype, osv, snyk, npm, pip-audit or checkov (default: detected)" },
	{ CLI_OPT_STRING, "fail-on-severity", 0, &o.fail_on_severity, "LEVEL",
	  "uncovered findings are errors from LEVEL up (critical, high, medium, low; default: every severity)" },
	{ CLI_OPT_FLAG, "strict", 0, &o.strict, NULL, "a finding covered only by a request awaiting approval is an error" },
	{ CLI_OPT_FLAG, "complete", 0, &o.complete, NULL,
	  "the reports cover everything the exceptions are about: report approved exceptions that match nothing (SX605)" },
	{ CLI_OPT_STRING, "rev", 0, &o.rev, "REV", "judge the exceptions of this commit (default HEAD)" },
	CLI_TRUST_ROOT_OPT_ROW(&o.trust_root),
	CLI_REPORT_OPT_ROWS(&o.report),
	{ CLI_OPT_ARGS, "REPORT", 0, &o.reports, NULL, "scanner reports (JSON or SARIF files)" },
	CLI_OPT_END
};

const cli_command_help cmd_scan_help = {
	"scan", "[--input-format FORMAT] [--fail-on-severity LEVEL] [--strict] [--complete] [--format FORMAT] REPORT...",
	"Reads scanner reports (SARIF 2.1.0 from any tool, Trivy, Grype, OSV-Scanner, Snyk, npm audit,\n"
	"pip-audit and Checkov JSON; the format is detected from the content) and gives every finding\n"
	"one verdict against the exceptions of HEAD, their approvals judged from the signed history as\n"
	"'secex check' judges them: accepted by an approved, unexpired exception (SX601, a note);\n"
	"covered only by an exception expired, denied, withdrawn, closed or whose approvals do not\n"
	"verify (SX602, an error); covered only by a request awaiting approval (SX603, a warning; an\n"
	"error with --strict); not covered (SX604, an error, SX607 a note below --fail-on-severity).",
	"--format sarif writes the scanners' own results back, with a SARIF suppression (external,\n"
	"accepted, the justification and the exception) on each accepted one, for code scanning.\n"
	"A report that does not parse or is of no known format is SX606 and exit 2.\n"
	"Exit status: 0 pass, 1 findings at or above --fail-on, 2 usage or report error, 3 repository error.",
	opts
};

/* A report that cannot be read stops the run: exit 2, every problem on its own line. */
static bool unreadable(const secex_diags *diags)
{
	size_t i;
	bool any = false;

	for (i = 0; i < diags->n; i++) {
		const secex_diag *d = &diags->items[i];

		if (strcmp(d->code, "SX606") != 0)
			continue;
		if (d->line)
			cli_error("%s:%u:%u: %s [SX606]", d->file, d->line, d->column, d->message);
		else
			cli_error("%s: %s [SX606]", d->file, d->message);
		any = true;
	}
	return any;
}

int cli_scan_reports(secex_scan_report ***out, const char *input_format, const char *const *paths, size_t n)
{
	secex_scan_format fmt = SECEX_SCAN_AUTO;
	secex_diags diags = SECEX_DIAGS_INIT;
	int rc;

	*out = NULL;
	if (input_format && !secex_scan_format_parse(&fmt, input_format)) {
		cli_error("unknown --input-format '%s'; use sarif, trivy, grype, osv, snyk, npm, pip-audit or checkov",
			  input_format);
		return CLI_EXIT_USAGE;
	}
	if ((rc = secex_scan_read_files(out, paths, n, fmt, &diags)) < 0)
		rc = cli_fail(rc);
	else if (unreadable(&diags))
		rc = CLI_EXIT_USAGE;
	if (rc) {
		secex_scan_reports_free(*out, n);
		*out = NULL;
	}
	secex_diag_release(&diags);
	return rc;
}

static int parse_options(secex_scan_options *so)
{
	int rc;

	if ((rc = cli_report_opts_check(&o.report)))
		return rc;
	if (o.fail_on_severity && !secex_scan_severity_parse(&so->fail_severity, o.fail_on_severity)) {
		cli_error("unknown --fail-on-severity '%s'; use critical, high, medium or low", o.fail_on_severity);
		return CLI_EXIT_USAGE;
	}
	if (!o.reports.n) {
		cli_error("no report given; run a scanner with JSON or SARIF output and pass its file: secex scan REPORT");
		return CLI_EXIT_USAGE;
	}
	so->strict = o.strict;
	so->complete = o.complete;
	return 0;
}

static size_t total_findings(secex_scan_report **r)
{
	size_t n = 0;
	int i;

	for (i = 0; i < o.reports.n; i++)
		n += r[i]->n;
	return n;
}

/* Judges the reports against the history's exceptions; findings to diags, verdicts out. */
static int judge(cli_history *h, secex_scan_report **reports, const secex_scan_options *so, secex_scan_verdict **verdicts,
		 secex_diags *diags)
{
	secex_scan_register *reg = NULL;
	int64_t now;
	int rc;

	if ((rc = cli_now(&now)) < 0 || (rc = secex_scan_register_judged(&reg, h->s.snap, h->history, now)) < 0)
		goto cleanup;
	if (!(*verdicts = calloc(total_findings(reports) + 1, sizeof(**verdicts))))
		rc = secex_error_nomem();
	else
		rc = secex_scan_judge(*verdicts, reports, (size_t)o.reports.n, reg, so, diags);
	if (rc == 0 && o.report.fmt == CLI_FORMAT_SARIF)
		rc = scan_out_sarif(stdout, reports, (size_t)o.reports.n, *verdicts, diags);
cleanup:
	secex_scan_register_free(reg);
	return rc;
}

int cmd_scan(int argc, char **argv)
{
	secex_history_options hopts = SECEX_HISTORY_OPTIONS_INIT;
	secex_scan_options so = SECEX_SCAN_OPTIONS_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_scan_report **reports = NULL;
	secex_scan_verdict *verdicts = NULL;
	cli_history h = { { NULL, NULL, NULL, NULL }, NULL };
	bool help;
	int rc;

	if ((rc = cli_opt_parse(&cmd_scan_help, argc, argv, &help)) || help)
		return rc;
	if ((rc = parse_options(&so)) ||
	    (rc = cli_scan_reports(&reports, o.input_format, (const char *const *)o.reports.v, (size_t)o.reports.n)))
		return rc;
	hopts.head = o.rev;
	hopts.trust_root = o.trust_root;
	hopts.audit = false;
	if ((rc = cli_history_open(&h, &hopts, &diags)) < 0)
		goto fail;
	if (cli_history_shallow(&diags)) {
		rc = CLI_EXIT_INTERNAL;
		goto cleanup;
	}
	if ((rc = secex_policy_apply_severity(h.s.snap->policy, &diags)) < 0 ||
	    (rc = judge(&h, reports, &so, &verdicts, &diags)) < 0)
		goto fail;
	secex_diag_sort(&diags);
	if (o.report.fmt != CLI_FORMAT_SARIF && cli_render(stdout, &diags, o.report.fmt, "scan") < 0)
		rc = CLI_EXIT_INTERNAL;
	else
		rc = cli_exit_for(&diags, o.report.fail_level);
	goto cleanup;
fail:
	rc = cli_fail(rc);
cleanup:
	free(verdicts);
	secex_scan_reports_free(reports, (size_t)o.reports.n);
	cli_history_close(&h);
	secex_diag_release(&diags);
	return rc;
}
