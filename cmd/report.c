/* secex report: the weekly digest per risk owner, written out or delivered (Slack, SMTP). */

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "secex/banned.h"

#define DELIVERY_TIMEOUT 10L /* seconds per message */

static struct {
	const char *rev, *owner, *format, *out, *slack_webhook, *smtp, *from, *branches, *input_format;
	bool smtp_insecure;
	cli_list scan;
} o;

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "rev", 0, &o.rev, "REV",
	  "report on the tree of commit REV, judging approvals from its history" },
	{ CLI_OPT_STRING, "owner", 0, &o.owner, "ID",
	  "only this risk owner, or the owners whose report goes to this person" },
	CLI_BRANCHES_OPT_ROW(&o.branches),
	{ CLI_OPT_LIST, "scan", 0, &o.scan, "REPORT",
	  "also list, per owner, the findings of this scanner report that their exceptions no longer cover" },
	{ CLI_OPT_STRING, "input-format", 0, &o.input_format, "FORMAT",
	  "read every --scan report as sarif, trivy, grype, osv, snyk, npm, pip-audit or checkov (default: detected)" },
	{ CLI_OPT_STRING, "format", 0, &o.format, "FORMAT", "markdown (default), html, json, email or slack" },
	{ CLI_OPT_STRING, "out", 'o', &o.out, "DIR",
	  "write into DIR: report.md, report.html, report.json, or one OWNER.eml or OWNER.json each" },
	{ CLI_OPT_STRING, "slack-webhook", 0, &o.slack_webhook, "URL",
	  "post each owner's Slack message to this incoming webhook" },
	{ CLI_OPT_STRING, "smtp", 0, &o.smtp, "URL", "send each owner's e-mail through smtp://HOST[:PORT] or smtps://" },
	{ CLI_OPT_FLAG, "smtp-insecure", 0, &o.smtp_insecure, NULL,
	  "with smtp://, send in clear when the server offers no STARTTLS (trusted networks only)" },
	{ CLI_OPT_STRING, "from", 0, &o.from, "ADDR",
	  "sender of the e-mails, 'addr' or 'Name <addr>' (default secex@localhost; needed with --smtp)" },
	CLI_OPT_END
};

const cli_command_help cmd_report_help = {
	"report",
	"[--rev REV] [--today DATE] [--owner ID] [--branches[=PATTERN]] [--scan REPORT]... [--input-format FORMAT]\n"
	"       [--format markdown|html|json|email|slack] [--out DIR] [--slack-webhook URL]\n"
	"       [--smtp URL --from ADDR [--smtp-insecure]]",
	"The weekly digest: for each risk owner, their open exceptions that have expired, that\n"
	"expire within the policy's expiring_within, and that await approval (requested, in-review,\n"
	"needs-info) with who must still approve, each with what the owner must do. With --scan,\n"
	"also the findings of scanner reports (the formats of 'secex scan') that only an exception\n"
	"of theirs covers which no longer covers them (expired, denied, withdrawn, closed, or its\n"
	"approvals do not verify: SX602), with why and what to do. A departed owner's report goes\n"
	"to their nearest active manager. Owners with nothing to do are left out.\n"
	"  markdown  one document (standard output, or DIR/report.md)\n"
	"  html      one self-contained page (DIR/report.html)\n"
	"  json      {\"version\":1,\"today\":...,\"owners\":[...]} (DIR/report.json)\n"
	"  email     one RFC 5322 message per owner, DIR/OWNER.eml, ready for 'sendmail -t'\n"
	"  slack     one Slack message per owner, DIR/OWNER.json (standard output: a JSON array)",
	"Approvals are judged from the signed history of HEAD (or REV) when the secex files sit at\n"
	"the top of a git repository; otherwise the report says so and reads the approvals written\n"
	"in the files, unverified. --slack-webhook and --smtp deliver every owner's message (each\n"
	"try gives up after 10 seconds); a failed delivery is reported and the others go on, and\n"
	"the exit status is then 3. SMTP credentials come from the URL or ~/.netrc; smtp:// must\n"
	"offer STARTTLS unless --smtp-insecure. Without --format, delivering writes nothing else.\n"
	"--scan needs that history; a report that cannot be read is SX606 and exit 2, with nothing\n"
	"written or sent.",
	opts
};

static const char *const formats[] = { "markdown", "html", "json", "email", "slack" };

static bool delivering(void)
{
	return o.slack_webhook || o.smtp;
}

static int check_from(void)
{
	secex_buf addr = SECEX_BUF_INIT;
	int rc = o.from ? secex_report_address(&addr, o.from) : 0;

	secex_buf_release(&addr);
	if (rc < 0) {
		cli_error("--from: %s", secex_error_last());
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static int check_opts(void)
{
	size_t i;

	for (i = 0; o.format && i < sizeof(formats) / sizeof(*formats) && strcmp(o.format, formats[i]) != 0; i++)
		;
	if (o.format && i == sizeof(formats) / sizeof(*formats)) {
		cli_error("unknown format '%s' for report; use markdown, html, json, email or slack", o.format);
		return CLI_EXIT_USAGE;
	}
	if (o.input_format && !o.scan.n) {
		cli_error("--input-format says how to read the --scan reports; give them with --scan REPORT, or drop it");
		return CLI_EXIT_USAGE;
	}
	if (o.smtp && !o.from) {
		cli_error("--smtp needs --from ADDR: the sender address the mail server accepts");
		return CLI_EXIT_USAGE;
	}
	return check_from();
}

static bool same_dir(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	return realpath(a, ra) && realpath(b, rb) && strcmp(ra, rb) == 0;
}

/* Why approvals cannot be judged here, or NULL when the history can be walked. */
static const char *no_history(const cli_snapshot *s)
{
	secex_tree *head = NULL;
	bool born;

	if (!s->repo)
		return "there is no git repository here (run the report in a clone of the exceptions repository)";
	if (o.rev)
		return NULL;
	if (!s->root || !secex_repo_workdir(s->repo) || !same_dir(s->root, secex_repo_workdir(s->repo)))
		return "the secex files are not at the top level of a git repository";
	born = secex_tree_open_rev(&head, s->repo, "HEAD") == 0;
	secex_tree_free(head);
	secex_error_clear();
	return born ? NULL : "the repository has no commits yet";
}

static bool shallow(const secex_diags *diags)
{
	size_t i;

	for (i = 0; i < diags->n; i++)
		if (strcmp(diags->items[i].code, "SX305") == 0)
			return true;
	return false;
}

static int open_history(secex_history **out, const char **why, const cli_snapshot *s)
{
	secex_history_options hopts = SECEX_HISTORY_OPTIONS_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	int rc;

	*out = NULL;
	if ((*why = no_history(s)))
		return 0;
	hopts.head = o.rev;
	hopts.audit = false;
	rc = cli_history_walk(out, s->repo, &hopts, &diags);
	if (rc == 0 && shallow(&diags)) {
		secex_history_free(*out);
		*out = NULL;
		*why = "the repository is a shallow clone; 'git fetch --unshallow' fetches the history";
	}
	secex_diag_release(&diags);
	return rc;
}

static void warn_skipped(const cli_snapshot *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->snap->n; i++)
		n += !s->snap->items[i].valid;
	if (n)
		fprintf(stderr, "secex: warning: %zu exception file%s did not load or validate and %s left out; "
			"'secex validate' says why\n", n, n == 1 ? "" : "s", n == 1 ? "is" : "are");
	if (!s->snap->roster)
		fprintf(stderr, "secex: warning: the roster (.secex/people.yaml) did not load: owners are shown by "
			"id and nobody can be mailed; 'secex validate' says why\n");
}

static int check_owner(const cli_snapshot *s)
{
	if (!o.owner || secex_roster_find(s->snap->roster, o.owner))
		return 0;
	cli_error("no person '%s' in the roster (.secex/people.yaml); 'secex list' shows the risk owners", o.owner);
	return CLI_EXIT_USAGE;
}

/* ---- writing ---- */

static int write_file(const char *name, const secex_buf *b)
{
	secex_buf path = SECEX_BUF_INIT;
	int rc;

	if (mkdir(o.out, 0777) < 0 && errno != EEXIST)
		return secex_error_set(SECEX_EIO, "cannot create '%s': %s", o.out, strerror(errno));
	if ((rc = secex_buf_printf(&path, "%s/%s", o.out, name)) == 0)
		rc = secex_file_replace(path.ptr, secex_buf_cstr(b), b->size);
	secex_buf_release(&path);
	return rc;
}

static int emit(const char *name, const secex_buf *b)
{
	if (o.out)
		return write_file(name, b);
	fwrite(secex_buf_cstr(b), 1, b->size, stdout);
	return 0;
}

/* The formats that make one document for every owner. */
static const struct {
	const char *format, *file;
	int (*render)(secex_buf *out, const secex_report *report);
} whole[] = {
	{ "markdown", "report.md", secex_report_markdown },
	{ "html", "report.html", secex_report_html },
	{ "json", "report.json", secex_report_json },
};

static int render_whole(const secex_report *r, const char *format)
{
	secex_buf b = SECEX_BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(whole) / sizeof(*whole); i++)
		if (strcmp(format, whole[i].format) == 0 && (rc = whole[i].render(&b, r)) == 0)
			rc = emit(whole[i].file, &b);
	secex_buf_release(&b);
	return rc;
}

/* Owner i's message as a file, or on standard output (email: alone; slack: in an array). */
static int put_one(const secex_report *r, size_t i, bool email, secex_buf *b)
{
	secex_buf name = SECEX_BUF_INIT;
	int rc = email ? secex_report_email(b, r, i, o.from) : secex_report_slack(b, r, i);

	if (rc == 0 && !email && o.out)
		rc = secex_buf_putc(b, '\n');
	if (rc == 0 && (o.out || email) && (rc = secex_buf_printf(&name, "%s.%s", r->owners[i].id, email ? "eml" : "json")) == 0)
		rc = emit(name.ptr, b);
	else if (rc == 0)
		printf("%s%s", i ? ",\n" : "", secex_buf_cstr(b));
	secex_buf_release(&name);
	return rc;
}

/* One message per owner; an owner nobody can be mailed for is reported and the others go on. */
static int render_each(const secex_report *r, bool email, int *failures)
{
	secex_buf b = SECEX_BUF_INIT;
	size_t i;
	int rc = 0;

	if (email && !o.out && r->n > 1)
		return secex_error_set(SECEX_EINVALID, "--format email writes one message per owner (%zu here); give "
				       "--out DIR, or --owner ID for one message on standard output", r->n);
	if (!email && !o.out)
		fputs("[", stdout);
	for (i = 0; rc == 0 && i < r->n; i++) {
		secex_buf_clear(&b);
		if ((rc = put_one(r, i, email, &b)) == SECEX_EINVALID) {
			cli_error("%s", secex_error_last());
			(*failures)++;
			rc = 0;
		}
	}
	if (rc == 0 && !email && !o.out)
		fputs("]\n", stdout);
	secex_buf_release(&b);
	return rc;
}

/* ---- delivering ---- */

static void deliver_slack(const secex_report *r, size_t i, int *failures)
{
	secex_buf b = SECEX_BUF_INIT;
	const char *id = r->owners[i].id;

	/* the body is byte for byte what --out writes to OWNER.json */
	if (secex_report_slack(&b, r, i) < 0 || secex_buf_putc(&b, '\n') < 0 ||
	    secex_report_post_json(o.slack_webhook, b.ptr, b.size, DELIVERY_TIMEOUT) < 0) {
		cli_error("slack: the report for '%s' was not delivered: %s", id, secex_error_last());
		(*failures)++;
	} else {
		fprintf(stderr, "secex: slack: posted the report for '%s'\n", id);
	}
	secex_buf_release(&b);
}

static void deliver_mail(const secex_report *r, size_t i, const char *from_addr, int *failures)
{
	secex_buf b = SECEX_BUF_INIT;
	const secex_report_owner *ow = &r->owners[i];

	if (secex_report_email(&b, r, i, o.from) < 0 ||
	    secex_report_send_mail(o.smtp, from_addr, ow->to->email, b.ptr, b.size, DELIVERY_TIMEOUT,
				   o.smtp_insecure) < 0) {
		cli_error("smtp: the report for '%s' was not delivered: %s", ow->id, secex_error_last());
		(*failures)++;
	} else {
		fprintf(stderr, "secex: smtp: sent the report for '%s' to %s\n", ow->id, ow->to->email);
	}
	secex_buf_release(&b);
}

static int deliver(const secex_report *r, int *failures)
{
	secex_buf from = SECEX_BUF_INIT;
	size_t i;
	int rc = (o.slack_webhook || o.smtp) && r->n ? cli_delivery_setup() : 0;

	if (rc == 0 && o.smtp)
		rc = secex_report_address(&from, o.from);
	for (i = 0; rc == 0 && i < r->n; i++) {
		if (o.slack_webhook)
			deliver_slack(r, i, failures);
		if (o.smtp)
			deliver_mail(r, i, from.ptr, failures);
	}
	secex_buf_release(&from);
	return rc;
}

static int produce(const secex_report *r, int *failures)
{
	const char *format = o.format ? o.format : "markdown";
	int rc = 0;

	if (o.format || !delivering()) {
		if (strcmp(format, "email") == 0 || strcmp(format, "slack") == 0)
			rc = render_each(r, strcmp(format, "email") == 0, failures);
		else
			rc = render_whole(r, format);
	}
	if (rc == 0 && delivering())
		rc = deliver(r, failures);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	secex_report_options ropts = SECEX_REPORT_OPTIONS_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_history *history = NULL;
	secex_report *report = NULL;
	secex_report_extra *extra = NULL;
	secex_scan_report **scans = NULL;
	cli_pending_list pending = { 0 };
	cli_snapshot s = { 0 };
	size_t i;
	int failures = 0, rc;
	bool help;

	if ((rc = cli_opt_parse(&cmd_report_help, argc, argv, &help)) || help || (rc = check_opts()) ||
	    (o.scan.n && (rc = cli_scan_reports(&scans, o.input_format, o.scan.v, o.scan.n))))
		goto cleanup;
	if ((rc = cli_now(&ropts.now)) < 0 || (rc = cli_snapshot_open(&s, o.rev, &diags)) < 0)
		goto fail;
	if ((rc = check_owner(&s)))
		goto cleanup;
	if ((rc = open_history(&history, &ropts.unjudged, &s)) < 0)
		goto fail;
	warn_skipped(&s);
	ropts.owner = o.owner;
	ropts.history = history;
	if (o.branches && (rc = cli_pending_load(&pending, &s, o.branches)) < 0)
		goto fail;
	extra = cli_xalloc(calloc(pending.n + 1, sizeof(*extra)));
	for (i = 0; i < pending.n; i++) {
		extra[i].branch = pending.items[i].branch;
		extra[i].exc = pending.items[i].exc;
	}
	ropts.extra = extra;
	ropts.nextra = pending.n;
	ropts.scans = scans;
	ropts.nscans = o.scan.n;
	if ((rc = secex_report_build(&report, s.snap, &ropts)) < 0 || (rc = produce(report, &failures)) < 0)
		goto fail;
	rc = failures ? CLI_EXIT_INTERNAL : CLI_EXIT_CLEAN;
	goto cleanup;
fail:
	rc = cli_fail(rc);
cleanup:
	fflush(stdout);
	secex_report_free(report);
	secex_scan_reports_free(scans, o.scan.n);
	cli_list_release(&o.scan);
	free(extra);
	cli_pending_release(&pending);
	secex_history_free(history);
	cli_snapshot_close(&s);
	secex_diag_release(&diags);
	return rc;
}
