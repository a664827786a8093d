/* secex check: the pull-request gate (validation, approvals, audit of the range). */

#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "secex/banned.h"

static struct {
	const char *base, *head, *trust_root;
	bool allow_pending;
	cli_report_opts report;
} o = { NULL, NULL, NULL, false, CLI_REPORT_OPTS_INIT };

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "base", 0, &o.base, "REV",
	  "the target branch: judge the exceptions changed since REV and audit those commits" },
	{ CLI_OPT_STRING, "head", 0, &o.head, "REV", "the pull request's head (default HEAD)" },
	CLI_TRUST_ROOT_OPT_ROW(&o.trust_root),
	{ CLI_OPT_FLAG, "allow-pending", 0, &o.allow_pending, NULL,
	  "approvals still missing (SX201) are notes: a request branch may wait for its approvers" },
	CLI_REPORT_OPT_ROWS(&o.report),
	CLI_OPT_END
};

const cli_command_help cmd_check_help = {
	"check", "[--base REV] [--head REV] [--trust-root REV] [--allow-pending] [--format FORMAT]",
	"The pull-request gate. Validates the head's files (as 'secex validate --rev'), judges the\n"
	"approvals of every exception changed since --base (every exception without it): a\n"
	"changed exception that is open (requested, in-review, needs-info, approved) still missing\n"
	"approvals is SX201, a status its decisions do not support SX210; and audits the commits\n"
	"of the range (as 'secex audit --since BASE'), including who changed .secex/.",
	"--format markdown writes a pull-request comment: per exception, who still must approve\n"
	"and why each recorded approval counts or not, then the findings.\n"
	"Exit status: 0 pass, 1 findings at or above --fail-on, 2 usage error, 3 repository error.",
	opts
};

static bool judged(const cli_history *h, const secex_exception *e)
{
	return e->id && e->valid && (!o.base || secex_history_changed(h->history, e->id));
}

static int judge_all(cli_history *h, secex_diags *diags, secex_buf *md)
{
	size_t i, n = 0;
	int rc = 0;

	for (i = 0; rc == 0 && i < h->s.snap->n; i++) {
		const secex_exception *e = &h->s.snap->items[i];
		secex_approval_state st;

		if (!judged(h, e))
			continue;
		rc = secex_approvals_judge(&st, h->history, h->s.snap, e, true, diags);
		if (rc == 0 && md && st.id) {
			cli_status_markdown(md, &st, h->s.snap->roster);
			n++;
		}
		secex_approvals_state_release(&st);
	}
	if (rc == 0 && md && !n)
		rc = secex_buf_puts(md, o.base ? "No exception changed in this range.\n\n" : "No exceptions.\n\n");
	return rc;
}

static int render(const secex_diags *diags, const secex_buf *md)
{
	size_t counts[3];

	if (o.report.fmt != CLI_FORMAT_MARKDOWN)
		return cli_render_failing(stdout, diags, o.report.fmt, "check", o.report.fail_level);
	secex_diag_count(diags, counts);
	printf("## secex check: %s\n\n", counts[SECEX_SEV_ERROR] ? "changes needed" : "passed");
	fputs(secex_buf_cstr(md), stdout);
	return cli_render(stdout, diags, CLI_FORMAT_MARKDOWN, "findings");
}

static void summarise(const secex_snapshot *snap, const secex_diags *diags)
{
	secex_buf what = SECEX_BUF_INIT;

	secex_buf_printf(&what, "%zu exception%s checked", snap->n, snap->n == 1 ? "" : "s");
	cli_report_clean(&o.report, diags, secex_buf_cstr(&what));
	secex_buf_release(&what);
}

int cmd_check(int argc, char **argv)
{
	secex_history_options hopts = SECEX_HISTORY_OPTIONS_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_buf md = SECEX_BUF_INIT;
	cli_history h = { 0 };
	bool help;
	int rc;

	if ((rc = cli_opt_parse(&cmd_check_help, argc, argv, &help)) || help)
		return rc;
	if ((rc = cli_report_opts_check(&o.report)))
		return rc;
	hopts.head = o.head;
	hopts.since = o.base;
	hopts.trust_root = o.trust_root;
	if ((rc = cli_history_open(&h, &hopts, &diags)) < 0 || (rc = secex_validate_snapshot(h.s.snap, &diags)) < 0 ||
	    (rc = judge_all(&h, &diags, o.report.fmt == CLI_FORMAT_MARKDOWN ? &md : NULL)) < 0 ||
	    (rc = secex_policy_apply_severity(h.s.snap->policy, &diags)) < 0 ||
	    (rc = secex_reviews_apply(h.history, h.s.snap, &diags)) < 0 ||
	    (o.allow_pending && (rc = secex_diag_override(&diags, "SX201", SECEX_SEV_NOTE)) < 0)) {
		rc = cli_fail(rc);
		goto cleanup;
	}
	secex_diag_sort(&diags);
	rc = render(&diags, &md) < 0 ? CLI_EXIT_INTERNAL : cli_exit_for(&diags, o.report.fail_level);
	if (rc == CLI_EXIT_CLEAN)
		summarise(h.s.snap, &diags);
cleanup:
	secex_buf_release(&md);
	cli_history_close(&h);
	secex_diag_release(&diags);
	return rc;
}
