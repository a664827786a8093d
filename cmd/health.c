/* secex health: what needs attention today (SX501 to SX507). */

#include <stdlib.h>
#include "cli.h"
#include "secex/banned.h"

static struct {
	const char *rev, *since;
	cli_report_opts report;
} o = { NULL, NULL, CLI_REPORT_OPTS_INIT };

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "rev", 0, &o.rev, "REV", "check the tree of commit REV instead of the working tree" },
	{ CLI_OPT_STRING, "since", 0, &o.since, "REV",
	  "also report the history findings of 'secex audit' for the commits after REV" },
	CLI_REPORT_OPT_ROWS(&o.report),
	CLI_OPT_END
};

const cli_command_help cmd_health_help = {
	"health", "[--rev REV] [--since REV] [--today DATE] [--format FORMAT]",
	"For daily automation: every open exception (requested, in-review, needs-info, approved)\n"
	"that is unassigned (SX501), whose assignee or risk owner has left (SX502, SX503, naming\n"
	"their manager), has no due date (SX504), has expired (SX505), expires within the\n"
	"policy's expiring_within (SX506), or is still 'requested' past initial_review_sla (SX507).",
	"Files that do not load or validate are reported as by 'secex validate'. With --since,\n"
	"the history findings of 'secex audit --since REV' (up to --rev, or HEAD) are added.",
	opts
};

static int history_findings(const cli_snapshot *s, secex_diags *diags)
{
	secex_history_options hopts = SECEX_HISTORY_OPTIONS_INIT;
	secex_history *history = NULL;
	int rc;

	if (!s->repo)
		return secex_error_set(SECEX_EINVALID, "--since needs a git repository");
	hopts.head = o.rev;
	hopts.since = o.since;
	rc = cli_history_walk(&history, s->repo, &hopts, diags);
	secex_history_free(history);
	return rc;
}

int cmd_health(int argc, char **argv)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	cli_snapshot s;
	int64_t now;
	bool help;
	int rc;

	if ((rc = cli_opt_parse(&cmd_health_help, argc, argv, &help)) || help)
		return rc;
	if ((rc = cli_report_opts_check(&o.report)))
		return rc;
	if ((rc = cli_snapshot_open(&s, o.rev, &diags)) < 0 || (rc = cli_now(&now)) < 0 ||
	    (rc = secex_health_check(s.snap, now, &diags)) < 0 || (o.since && (rc = history_findings(&s, &diags)) < 0)) {
		rc = cli_fail(rc);
		goto cleanup;
	}
	rc = cli_report_findings(&o.report, &diags, "health");
cleanup:
	cli_snapshot_close(&s);
	secex_diag_release(&diags);
	return rc;
}
