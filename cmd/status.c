/* secex status: per exception, each required group, who filled it, and why each approval
 * counts or not. The Markdown form is also the body of `secex check --format markdown`. */

#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "secex/banned.h"

static struct {
	const char *rev, *trust_root, *format;
	int64_t now;
	cli_args ids;
} o = { NULL, NULL, "text", 0, { NULL, 0 } };

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "rev", 0, &o.rev, "REV", "the commit to judge (default HEAD)" },
	{ CLI_OPT_STRING, "format", 0, &o.format, "FORMAT", "text, json or markdown (default text)" },
	{ CLI_OPT_ARGS, "ID", 0, &o.ids, NULL, "only these exceptions" },
	CLI_OPT_END
};

const cli_command_help cmd_status_help = {
	"status", "[--rev REV] [--format text|json|markdown] [ID...]",
	"Shows, for each exception of the commit (default HEAD), the approver groups its priority\n"
	"requires, who filled each one, and for every recorded approval whether it counts and why:\n"
	"introduced by a commit signed by the approver's key in the roster of the time, by an\n"
	"active person in a role that fills a group, without breaking separation of duties, and\n"
	"for the content as it stands now.",
	"Approvals count only once committed: uncommitted edits are not judged. Exit status 1\n"
	"when an open exception still waits for approvals, 0 when none does; a shallow clone\n"
	"cannot be judged (exit 3).",
	opts
};

static const char *who(const secex_approval_state *st, int verdict)
{
	return verdict >= 0 && st->verdicts[verdict].entry->by ? cli_safe(st->verdicts[verdict].entry->by) : NULL;
}

/* User data for text output: escaped, "?" when absent. */
static const char *or_q(const char *s)
{
	return s ? cli_safe(s) : "?";
}

static void text_groups(secex_buf *b, const secex_approval_state *st, const secex_roster *roster)
{
	secex_buf roles = SECEX_BUF_INIT, can = SECEX_BUF_INIT;
	size_t g;

	for (g = 0; g < st->ngroups; g++) {
		secex_buf_clear(&roles);
		secex_buf_clear(&can);
		secex_approvals_group_roles(&roles, st, g);
		if (st->filled_by[g] >= 0) {
			secex_buf_printf(b, "  %s %zu (%s): filled by %s\n", st->sme_only ? "SME" : "group", g + 1,
					 cli_safe(secex_buf_cstr(&roles)), who(st, st->filled_by[g]));
		} else {
			secex_approvals_who_can(&can, st, roster, g);
			secex_buf_printf(b, "  %s %zu (%s): missing; who can approve: %s\n", st->sme_only ? "SME" : "group",
					 g + 1, cli_safe(secex_buf_cstr(&roles)), cli_safe(secex_buf_cstr(&can)));
		}
	}
	if (st->need_risk_owner)
		secex_buf_printf(b, "  risk owner (%s): %s\n", or_q(st->risk_owner),
				 st->risk_owner_by >= 0 ? "approved" : "missing");
	secex_buf_release(&roles);
	secex_buf_release(&can);
}

static void text_verdicts(secex_buf *b, const secex_approval_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		const secex_verdict *v = &st->verdicts[i];

		secex_buf_printf(b, "  approval %zu, %s by %s as %s: %s%s%s%s: %s\n", i + 1, or_q(v->entry->decision),
				 or_q(v->entry->by), or_q(v->entry->role), v->valid ? "counts" : "does not count",
				 v->code ? " [" : "", v->code ? v->code : "", v->code ? "]" : "", or_q(v->reason));
	}
}

/* A decided exception: no groups to fill any more. */
static void text_decided(secex_buf *b, const secex_approval_state *st)
{
	text_verdicts(b, st);
	if (!secex_approvals_settled(st))
		secex_buf_puts(b, st->valid_deny ? "  denied: a required approver or the risk owner recorded a valid deny\n\n"
						 : "  denied, but no valid deny from a required approver or the risk owner\n\n");
	else
		secex_buf_printf(b, "  %s: approvals no longer needed\n\n", st->status);
}

void cli_due_text(secex_buf *b, const secex_exception *e, int64_t now)
{
	const char *due = e->doc ? secex_node_str(secex_node_get(secex_doc_root(e->doc), "due_date")) : NULL;
	const char *status = e->doc ? secex_node_str(secex_node_get(secex_doc_root(e->doc), "status")) : NULL;
	int64_t when, days;

	if (!due || !secex_health_due(&when, e)) {
		secex_buf_puts(b, "no due date");
		return;
	}
	days = (when >= 0 ? when / 86400 : (when - 86399) / 86400) - (now >= 0 ? now / 86400 : (now - 86399) / 86400);
	secex_buf_printf(b, "due %s", cli_safe(due));
	if (!secex_list_is_open(status))
		return;
	if (days > 0)
		secex_buf_printf(b, ", %lld day%s left", (long long)days, days == 1 ? "" : "s");
	else if (days == 0 && when > now)
		secex_buf_puts(b, ", expires today");
	else if (days == 0)
		secex_buf_puts(b, ", expired today");
	else
		secex_buf_printf(b, ", expired %lld day%s ago", (long long)-days, days == -1 ? "" : "s");
}

void cli_status_text(secex_buf *b, const secex_approval_state *st, const secex_roster *roster, const char *due)
{
	secex_buf_printf(b, "%s  %s  %s  %s\n", or_q(st->id), st->level ? or_q(st->level->name) : "?", or_q(st->status),
			 or_q(st->title));
	if (due)
		secex_buf_printf(b, "  %s\n", due);
	if (!st->level) {
		secex_buf_puts(b, "  its priority is not a level of the policy; fix it first (secex validate)\n");
		return;
	}
	if (secex_approvals_settled(st) || (st->status && strcmp(st->status, "denied") == 0)) {
		text_decided(b, st);
		return;
	}
	text_groups(b, st, roster);
	text_verdicts(b, st);
	if (!st->complete)
		secex_buf_printf(b, "  incomplete: approvals are missing; the people named run 'secex approve %s'\n\n",
				 or_q(st->id));
	else if (st->status && strcmp(st->status, "approved") != 0)
		secex_buf_printf(b, "  complete: every required approval is there; 'secex review %s' sets it approved%s\n\n",
				 or_q(st->id), strcmp(st->status, "in-review") == 0 ? "" : " (run it twice: into review first)");
	else
		secex_buf_puts(b, "  complete: every required approval is there\n\n");
}

static void json_groups(secex_buf *b, const secex_approval_state *st)
{
	secex_buf roles = SECEX_BUF_INIT;
	size_t g;

	secex_buf_puts(b, ",\"groups\":[");
	for (g = 0; g < st->ngroups; g++) {
		secex_buf_clear(&roles);
		secex_approvals_group_roles(&roles, st, g);
		secex_buf_puts(b, g ? ",{\"roles\":" : "{\"roles\":");
		cli_json_str(b, secex_buf_cstr(&roles));
		cli_json_member(b, "filled_by", who(st, st->filled_by[g]));
		secex_buf_putc(b, '}');
	}
	secex_buf_printf(b, "],\"risk_owner\":{\"required\":%s,\"person\":", st->need_risk_owner ? "true" : "false");
	cli_json_str(b, st->risk_owner);
	secex_buf_printf(b, ",\"approved\":%s}", st->risk_owner_by >= 0 ? "true" : "false");
	secex_buf_release(&roles);
}

void cli_status_json(secex_buf *b, const secex_approval_state *st, bool first)
{
	size_t i;

	secex_buf_puts(b, first ? "{\"id\":" : ",{\"id\":");
	cli_json_str(b, st->id);
	cli_json_member(b, "file", st->file);
	cli_json_member(b, "status", st->status);
	cli_json_member(b, "priority", st->level ? st->level->name : NULL);
	secex_buf_printf(b, ",\"complete\":%s,\"sme_only\":%s", st->complete ? "true" : "false",
			 st->sme_only ? "true" : "false");
	json_groups(b, st);
	secex_buf_puts(b, ",\"approvals\":[");
	for (i = 0; i < st->n; i++) {
		const secex_verdict *v = &st->verdicts[i];

		secex_buf_puts(b, i ? ",{\"by\":" : "{\"by\":");
		cli_json_str(b, v->entry->by);
		cli_json_member(b, "decision", v->entry->decision);
		cli_json_member(b, "role", v->entry->role);
		secex_buf_printf(b, ",\"counts\":%s,\"code\":", v->valid ? "true" : "false");
		cli_json_str(b, v->code);
		cli_json_member(b, "commit", *v->commit ? v->commit : NULL);
		cli_json_member(b, "reason", v->reason);
		secex_buf_putc(b, '}');
	}
	secex_buf_puts(b, "]}");
}

static void md_text(secex_buf *b, const char *s)
{
	for (s = cli_safe(s); s && *s; s++) {
		if (strchr("|*_`<>[]\\&~!#", *s))
			secex_buf_putc(b, '\\');
		secex_buf_putc(b, *s);
	}
}

void cli_status_markdown(secex_buf *b, const secex_approval_state *st, const secex_roster *roster)
{
	secex_buf roles = SECEX_BUF_INIT, can = SECEX_BUF_INIT;
	size_t g, i;

	secex_buf_printf(b, "### %s: ", st->id);
	md_text(b, st->title ? st->title : "?");
	secex_buf_printf(b, " (%s, %s)\n\n", st->level ? st->level->name : "unknown priority", or_q(st->status));
	if (secex_approvals_settled(st)) {
		secex_buf_printf(b, "The exception is %s: no approvals are needed any more.\n\n", st->status);
		return;
	}
	if (st->status && strcmp(st->status, "denied") == 0) {
		secex_buf_puts(b, st->valid_deny ? "Denied by a required approver or the risk owner.\n\n"
						 : "**Denied without a valid deny** from a required approver or the risk owner.\n\n");
		return;
	}
	secex_buf_puts(b, st->complete ? "All required approvals are in place.\n\n"
				       : "**Still needed** before this exception can be approved:\n\n");
	secex_buf_puts(b, "| requirement | roles | filled by |\n| --- | --- | --- |\n");
	for (g = 0; g < st->ngroups; g++) {
		secex_buf_clear(&roles);
		secex_buf_clear(&can);
		secex_approvals_group_roles(&roles, st, g);
		secex_approvals_who_can(&can, st, roster, g);
		secex_buf_printf(b, "| %s %zu | %s | ", st->sme_only ? "SME approval" : "group", g + 1, roles.ptr);
		if (st->filled_by[g] >= 0)
			secex_buf_printf(b, "%s |\n", who(st, st->filled_by[g]));
		else
			secex_buf_printf(b, "**missing**: one of %s runs `secex approve %s` |\n", can.ptr, st->id);
	}
	if (st->need_risk_owner && st->risk_owner_by >= 0)
		secex_buf_printf(b, "| risk owner | %s | approved |\n", or_q(st->risk_owner));
	else if (st->need_risk_owner)
		secex_buf_printf(b, "| risk owner | %s | **missing**: they run `secex approve %s` |\n",
				 or_q(st->risk_owner), st->id);
	for (i = 0; i < st->n; i++) {
		const secex_verdict *v = &st->verdicts[i];

		secex_buf_printf(b, "%s- %s approval %zu, %s by %s as %s: ", i ? "" : "\nRecorded decisions:\n\n",
				 v->valid ? "counts:" : "**does not count**:", i + 1, or_q(v->entry->decision),
				 or_q(v->entry->by), or_q(v->entry->role));
		md_text(b, v->reason);
		secex_buf_puts(b, v->code ? " (" : "\n");
		if (v->code)
			secex_buf_printf(b, "%s)\n", v->code);
	}
	secex_buf_putc(b, '\n');
	secex_buf_release(&roles);
	secex_buf_release(&can);
}

static bool wanted(const char *id)
{
	int i;

	for (i = 0; i < o.ids.n; i++)
		if (id && strcmp(o.ids.v[i], id) == 0)
			return true;
	return o.ids.n == 0;
}

static void text_with_due(secex_buf *b, const secex_approval_state *st, const secex_roster *roster,
			  const secex_exception *e)
{
	secex_buf due = SECEX_BUF_INIT;

	cli_due_text(&due, e, o.now);
	cli_status_text(b, st, roster, secex_buf_cstr(&due));
	secex_buf_release(&due);
}

/* Whether an open exception still waits for approvals (exit 1). */
static bool waiting(const secex_approval_state *st)
{
	return st->level && !st->complete && !secex_approvals_settled(st) && secex_list_is_open(st->status);
}

static int render_one(secex_buf *b, cli_history *h, const secex_exception *e, bool *first, bool *incomplete)
{
	secex_approval_state st;
	int rc = secex_approvals_judge(&st, h->history, h->s.snap, e, false, NULL);

	if (rc == 0 && st.id) {
		*incomplete |= waiting(&st);
		if (strcmp(o.format, "json") == 0)
			cli_status_json(b, &st, *first);
		else if (strcmp(o.format, "markdown") == 0)
			cli_status_markdown(b, &st, h->s.snap->roster);
		else
			text_with_due(b, &st, h->s.snap->roster, e);
		*first = false;
	}
	secex_approvals_state_release(&st);
	return rc;
}

static int check_ids(const secex_snapshot *snap)
{
	int i;

	for (i = 0; i < o.ids.n; i++)
		if (!secex_snapshot_find(snap, o.ids.v[i]))
			return secex_error_set(SECEX_ENOTFOUND, "no exception '%s' at %s; 'secex list --rev %s' "
					       "shows the ids", o.ids.v[i], o.rev ? o.rev : "HEAD", o.rev ? o.rev : "HEAD");
	return 0;
}

int cmd_status(int argc, char **argv)
{
	secex_history_options hopts = SECEX_HISTORY_OPTIONS_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_buf out = SECEX_BUF_INIT;
	cli_history h = { 0 };
	bool help, first = true, incomplete = false;
	size_t i;
	int rc;

	if ((rc = cli_opt_parse(&cmd_status_help, argc, argv, &help)) || help)
		return rc;
	if ((rc = cli_now(&o.now)) < 0)
		return cli_fail(rc);
	if (strcmp(o.format, "text") != 0 && strcmp(o.format, "json") != 0 && strcmp(o.format, "markdown") != 0) {
		cli_error("unknown format '%s' for status; use text, json or markdown", o.format);
		return CLI_EXIT_USAGE;
	}
	hopts.head = o.rev;
	hopts.audit = false;
	if ((rc = cli_history_open(&h, &hopts, &diags)) < 0 || (rc = cli_history_complete(h.history)) < 0 ||
	    (rc = check_ids(h.s.snap)) < 0)
		goto fail;
	if (strcmp(o.format, "json") == 0)
		secex_buf_puts(&out, "{\"version\":1,\"exceptions\":[");
	for (i = 0; rc == 0 && i < h.s.snap->n; i++)
		if (wanted(h.s.snap->items[i].id))
			rc = render_one(&out, &h, &h.s.snap->items[i], &first, &incomplete);
	if (rc < 0)
		goto fail;
	if (strcmp(o.format, "json") == 0)
		secex_buf_puts(&out, "]}\n");
	fputs(secex_buf_cstr(&out), stdout);
	rc = incomplete ? CLI_EXIT_FINDINGS : CLI_EXIT_CLEAN;
	goto cleanup;
fail:
	rc = cli_fail(rc);
cleanup:
	secex_buf_release(&out);
	cli_history_close(&h);
	secex_diag_release(&diags);
	return rc;
}
