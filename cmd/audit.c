/* secex audit: every change in the history a program owner must see (SPEC §5). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "secex/banned.h"

static struct {
	const char *since, *head, *trust_root, *checkpoint;
	bool accept_rewrite;
	cli_report_opts report;
} o = { NULL, NULL, NULL, NULL, false, CLI_REPORT_OPTS_INIT };

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "since", 0, &o.since, "REV", "audit only the commits after REV (not reachable from it)" },
	{ CLI_OPT_STRING, "head", 0, &o.head, "REV", "audit the history of REV instead of HEAD" },
	CLI_TRUST_ROOT_OPT_ROW(&o.trust_root),
	{ CLI_OPT_STRING, "checkpoint", 0, &o.checkpoint, "FILE",
	  "read the last audited commit from FILE, audit from there, write the new one when done" },
	{ CLI_OPT_FLAG, "accept-rewrite", 0, &o.accept_rewrite, NULL,
	  "move the checkpoint past a history rewrite (SX304) once it has been looked into" },
	CLI_REPORT_OPT_ROWS(&o.report),
	CLI_OPT_END
};

const cli_command_help cmd_audit_help = {
	"audit", "[--since REV] [--head REV] [--trust-root REV] [--checkpoint FILE [--accept-rewrite]] [--format FORMAT]",
	"Walks the history and reports, with commit, author, signer, date and old -> new value:\n"
	"priority lowered (SX401) or raised (SX402); due date changed (SX403) or extended past the\n"
	"level's no-escalation threshold without a later approval (SX404); original_due_date\n"
	"rewritten (SX405); status changes outside the workflow (SX406); approved exceptions edited\n"
	"(SX407); approval entries removed or rewritten (SX408); files deleted instead of closed\n"
	"(SX409); ids reused (SX410); .secex/ changes not signed by an admin (SX301); keys or roles\n"
	"granted to oneself (SX302); an unpinned trust root (SX303); history rewritten since the\n"
	"checkpoint (SX304); a shallow clone (SX305).",
	"Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage error, 3 repository error.\n"
	"The checkpoint file is written only after a complete audit, and never past a history\n"
	"rewrite: while the checkpoint commit is no longer in the history, every run reports SX304\n"
	"and keeps the file, until --accept-rewrite records that the rewrite was looked into.",
	opts
};

/* Whether the audit found the checkpoint rewritten away (SX304). */
static bool rewritten(const secex_diags *diags)
{
	size_t i;

	for (i = 0; i < diags->n; i++)
		if (strcmp(diags->items[i].code, "SX304") == 0)
			return true;
	return false;
}

static int read_checkpoint(char *out, size_t len)
{
	secex_buf text = SECEX_BUF_INIT;
	int rc = secex_file_read(&text, o.checkpoint, 4096);

	out[0] = '\0';
	if (rc == SECEX_ENOTFOUND)
		rc = 0;
	else if (rc == 0)
		snprintf(out, len, "%.*s", (int)strcspn(secex_buf_cstr(&text), " \r\n"), secex_buf_cstr(&text));
	secex_buf_release(&text);
	return rc;
}

static int write_checkpoint(const char *head)
{
	secex_buf line = SECEX_BUF_INIT;
	int rc;

	if ((rc = secex_buf_printf(&line, "%s\n", head)) == 0)
		rc = secex_file_replace(o.checkpoint, line.ptr, line.size);
	secex_buf_release(&line);
	return rc;
}

int cmd_audit(int argc, char **argv)
{
	secex_history_options hopts = SECEX_HISTORY_OPTIONS_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	cli_history h = { 0 };
	char cp[128];
	bool help;
	int rc;

	if ((rc = cli_opt_parse(&cmd_audit_help, argc, argv, &help)) || help)
		return rc;
	if ((rc = cli_report_opts_check(&o.report)))
		return rc;
	hopts.head = o.head;
	hopts.since = o.since;
	hopts.trust_root = o.trust_root;
	if (o.checkpoint && (rc = read_checkpoint(cp, sizeof(cp))) < 0)
		return cli_fail(rc);
	hopts.checkpoint = o.checkpoint && *cp ? cp : NULL;
	if ((rc = cli_history_open_rules(&h, &hopts, &diags)) < 0 ||
	    (rc = secex_policy_apply_severity(h.s.snap->policy, &diags)) < 0 ||
	    (rc = secex_reviews_apply(h.history, h.s.snap, &diags)) < 0 ||
	    (o.checkpoint && h.history && *secex_history_head(h.history) && (o.accept_rewrite || !rewritten(&diags)) &&
	     (rc = write_checkpoint(secex_history_head(h.history))) < 0)) {
		rc = cli_fail(rc);
		goto cleanup;
	}
	rc = cli_report_findings(&o.report, &diags, "audit");
	if (rc == CLI_EXIT_CLEAN)
		cli_report_clean(&o.report, &diags, "history audited");
cleanup:
	cli_history_close(&h);
	secex_diag_release(&diags);
	return rc;
}
