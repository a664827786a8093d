/* secex show ID: one exception, its timeline from history, and which approvals count now. */

#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "secex/banned.h"

static struct {
	const char *rev, *format;
	int64_t now;
	cli_args id;
} o = { NULL, "text", 0, { NULL, 0 } };

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "rev", 0, &o.rev, "REV", "show the exception as of commit REV (default HEAD)" },
	{ CLI_OPT_STRING, "format", 0, &o.format, "FORMAT", "text or json (default text)" },
	{ CLI_OPT_ARGS, "ID", 0, &o.id, NULL, "the exception" },
	CLI_OPT_END
};

const cli_command_help cmd_show_help = {
	"show", "[--rev REV] [--format text|json] ID",
	"Prints one exception: its main fields, its timeline from history (every commit that\n"
	"changed it, oldest first: author, signer, date and what changed, followed across renames)\n"
	"and, as 'secex status' does, which approvals count now and what is missing.",
	NULL,
	opts
};

static const char *field(const secex_exception *e, const char *name)
{
	const char *s = secex_node_str(secex_node_get(secex_doc_root(e->doc), name));

	return s ? cli_safe(s) : "(none)";
}

static void text_header(secex_buf *b, const secex_exception *e)
{
	secex_buf_printf(b, "%s: %s\n", cli_safe(e->id), field(e, "title"));
	secex_buf_printf(b, "  type %s, priority %s, status %s\n", field(e, "type"), field(e, "priority"),
			 field(e, "status"));
	secex_buf_printf(b, "  requestor %s, risk owner %s, assignee %s\n", field(e, "requestor"),
			 field(e, "risk_owner"), field(e, "assignee"));
	secex_buf_printf(b, "  created %s, ", field(e, "created"));
	cli_due_text(b, e, o.now);
	secex_buf_printf(b, ", original due %s\n  file %s\n\ntimeline:\n", field(e, "original_due_date"),
			 cli_safe(e->path));
}

static void text_timeline(secex_buf *b, const secex_timeline_event *const *ev, size_t n)
{
	char date[11];
	size_t i;

	for (i = 0; i < n; i++) {
		secex_date_format(date, ev[i]->time / 86400 - (ev[i]->time % 86400 < 0));
		secex_buf_printf(b, "  %s  %.12s  %s, %s\n      %s:%u: %s\n", date, ev[i]->commit, cli_safe(ev[i]->author),
				 cli_safe(ev[i]->signer), cli_safe(ev[i]->path), ev[i]->line, cli_safe(ev[i]->what));
	}
	if (!n)
		secex_buf_puts(b, "  (no commit has this exception yet)\n");
	secex_buf_puts(b, "\napprovals now:\n");
}

static void json_timeline(secex_buf *b, const secex_timeline_event *const *ev, size_t n)
{
	size_t i;

	secex_buf_puts(b, ",\"timeline\":[");
	for (i = 0; i < n; i++) {
		secex_buf_printf(b, "%s{\"commit\":\"%s\",\"time\":%lld,\"author\":", i ? "," : "", ev[i]->commit,
				 (long long)ev[i]->time);
		cli_json_str(b, ev[i]->author);
		cli_json_member(b, "signer", ev[i]->signer);
		cli_json_member(b, "file", ev[i]->path);
		secex_buf_printf(b, ",\"line\":%u", ev[i]->line);
		cli_json_member(b, "change", ev[i]->what);
		secex_buf_putc(b, '}');
	}
	secex_buf_puts(b, "],\"approvals\":");
}

static int render(secex_buf *b, cli_history *h, const secex_exception *e, bool json)
{
	const secex_timeline_event *const *ev;
	secex_approval_state st;
	size_t n;
	int rc;

	ev = secex_timeline_build(h->history, &n);
	if ((rc = secex_approvals_judge(&st, h->history, h->s.snap, e, false, NULL)) < 0)
		return rc;
	if (json) {
		secex_buf_puts(b, "{\"id\":");
		cli_json_str(b, e->id);
		json_timeline(b, ev, n);
		cli_status_json(b, &st, true);
		secex_buf_puts(b, "}\n");
	} else {
		text_header(b, e);
		text_timeline(b, ev, n);
		cli_status_text(b, &st, h->s.snap->roster, NULL);
	}
	secex_approvals_state_release(&st);
	return 0;
}

int cmd_show(int argc, char **argv)
{
	secex_history_options hopts = SECEX_HISTORY_OPTIONS_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_buf out = SECEX_BUF_INIT;
	const secex_exception *e;
	cli_history h = { 0 };
	bool help;
	int rc;

	if ((rc = cli_opt_parse(&cmd_show_help, argc, argv, &help)) || help)
		return rc;
	if ((rc = cli_now(&o.now)) < 0)
		return cli_fail(rc);
	if (o.id.n != 1 || (strcmp(o.format, "text") != 0 && strcmp(o.format, "json") != 0)) {
		cli_error(o.id.n != 1 ? "give exactly one exception id; 'secex list' shows them"
				      : "unknown format for show; use text or json");
		return CLI_EXIT_USAGE;
	}
	hopts.head = o.rev;
	hopts.audit = false;
	hopts.timeline = o.id.v[0];
	if ((rc = cli_history_open(&h, &hopts, &diags)) < 0)
		goto fail;
	if (!(e = secex_snapshot_find(h.s.snap, o.id.v[0])) || !e->doc) {
		rc = secex_error_set(SECEX_ENOTFOUND, "no exception '%s' that loads at %s; 'secex list' shows the "
				     "ids, 'secex validate' the files that do not load", o.id.v[0], o.rev ? o.rev : "HEAD");
		goto fail;
	}
	if ((rc = render(&out, &h, e, strcmp(o.format, "json") == 0)) < 0)
		goto fail;
	fputs(secex_buf_cstr(&out), stdout);
	rc = CLI_EXIT_CLEAN;
	goto cleanup;
fail:
	rc = cli_fail(rc);
cleanup:
	secex_buf_release(&out);
	cli_history_close(&h);
	secex_diag_release(&diags);
	return rc;
}
