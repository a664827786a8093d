/* secex list: the exceptions, filtered, as a table or JSON. */

#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "secex/banned.h"

static struct {
	const char *rev, *status, *priority, *owner, *format, *branches;
	bool expired, expiring;
} o = { NULL, NULL, NULL, NULL, "text", NULL, false, false };

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "rev", 0, &o.rev, "REV", "list the tree of commit REV instead of the working tree" },
	{ CLI_OPT_STRING, "status", 0, &o.status, "STATUS", "only this status (requested, in-review, ...)" },
	{ CLI_OPT_STRING, "priority", 0, &o.priority, "LEVEL", "only this priority level" },
	{ CLI_OPT_STRING, "owner", 0, &o.owner, "PERSON", "only exceptions this person is risk owner of" },
	{ CLI_OPT_FLAG, "expired", 0, &o.expired, NULL, "only open exceptions past their due date" },
	{ CLI_OPT_FLAG, "expiring", 0, &o.expiring, NULL, "only open exceptions due within the policy's window" },
	{ CLI_OPT_STRING, "format", 0, &o.format, "FORMAT", "text or json (default text)" },
	CLI_BRANCHES_OPT_ROW(&o.branches),
	CLI_OPT_END
};

const cli_command_help cmd_list_help = {
	"list", "[--status S] [--priority P] [--owner ID] [--expired] [--expiring] [--branches[=PATTERN]] [--format text|json]",
	"Lists the exceptions of the working tree (or --rev REV), sorted by id, one line each:\n"
	"id, priority, type, status, due date, risk owner, title. Filters combine; --expired and\n"
	"--expiring together list both.",
	"Files that do not load are left out; 'secex validate' says why. A status 'approved' that\n"
	"the signed history does not prove (as 'secex check' judges it) is shown as 'approved (not\n"
	"proven)', approval_proven false in JSON; a shallow clone cannot be judged (exit 3).\n"
	"With --branches, a request found only on another branch follows, marked with that branch\n"
	"and who must still approve it there; it is never shown as approved here.",
	opts
};

static const char *field(const secex_exception *e, const char *name)
{
	const char *s = secex_node_str(secex_node_get(secex_doc_root(e->doc), name));

	return s ? s : "";
}

static int cmp_id(const void *a, const void *b)
{
	const secex_exception *x = *(const secex_exception *const *)a, *y = *(const secex_exception *const *)b;

	return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

/* What history makes of each exception's `status: approved` (NULL: nothing is proven). */
static const secex_approval_claim *claims;
static const secex_snapshot *listed;

static bool unproven(const secex_exception *e)
{
	const char *status = field(e, "status");

	return status && strcmp(status, "approved") == 0 &&
	       (!claims || claims[e - listed->items] != SECEX_CLAIM_VERIFIED);
}

static void print_json(secex_buf *b, const secex_exception *e, bool first)
{
	static const char *const keys[] = { "id", "title", "type", "priority", "status", "requestor",
					    "risk_owner", "assignee", "created", "due_date" };
	size_t k;

	secex_buf_puts(b, first ? "{" : ",{");
	for (k = 0; k < sizeof(keys) / sizeof(*keys); k++) {
		const char *v = secex_node_str(secex_node_get(secex_doc_root(e->doc), keys[k]));

		secex_buf_printf(b, "%s\"%s\":", k ? "," : "", keys[k]);
		if (v) {
			secex_buf_putc(b, '"');
			secex_buf_put_json_string(b, v, strlen(v));
			secex_buf_putc(b, '"');
		} else {
			secex_buf_puts(b, "null");
		}
	}
	secex_buf_printf(b, ",\"approval_proven\":%s", field(e, "status") && strcmp(field(e, "status"), "approved") == 0
			 ? unproven(e) ? "false" : "true" : "null");
	secex_buf_puts(b, ",\"file\":\"");
	secex_buf_put_json_string(b, e->path, strlen(e->path));
	secex_buf_puts(b, "\"}");
}

static void render(secex_buf *b, const secex_exception **items, size_t n, bool json)
{
	size_t i;

	if (json)
		secex_buf_puts(b, "{\"version\":1,\"exceptions\":[");
	for (i = 0; i < n; i++) {
		const secex_exception *e = items[i];

		if (json)
			print_json(b, e, i == 0);
		else
			secex_buf_printf(b, "%-10s %-8s %-10s %-10s %-25s %-10s %s\n", cli_safe(e->id),
					 cli_safe(field(e, "priority")), cli_safe(field(e, "type")),
					 unproven(e) ? "approved (not proven)" : cli_safe(field(e, "status")),
					 cli_safe(field(e, "due_date")),
					 cli_safe(field(e, "risk_owner")), cli_safe(field(e, "title")));
	}
	if (json)
		secex_buf_puts(b, "]}\n");
}

static void pending_text(secex_buf *b, const cli_pending *p)
{
	const secex_exception *e = p->exc;
	const char *status = field(e, "status");

	secex_buf_printf(b, "%-10s %-8s %-10s %-10s %-25s %-10s %s\n", cli_safe(e->id), cli_safe(field(e, "priority")),
			 cli_safe(field(e, "type")), strcmp(status, "approved") == 0 ? "approved (not here)" : cli_safe(status),
			 cli_safe(field(e, "due_date")), cli_safe(field(e, "risk_owner")), cli_safe(field(e, "title")));
	secex_buf_printf(b, "           on branch %s; %s%s\n", cli_safe(p->branch), *p->waiting ? "waits for " : "",
			 *p->waiting ? cli_safe(p->waiting) : p->proven ? "approved there, not merged" : "nothing missing");
}

static void pending_json(secex_buf *b, const cli_pending *p, bool first)
{
	size_t end;

	print_json(b, p->exc, first);
	end = b->size - 1; /* the closing brace */
	b->size = end;
	cli_json_member(b, "branch", p->branch);
	cli_json_member(b, "waiting_for", p->waiting);
	secex_buf_puts(b, "}");
}

/* The requests of other branches that pass the filter, after the listed ones. */
static void render_pending(secex_buf *b, const cli_pending_list *list, const secex_list_filter *filter,
			   bool json, bool first)
{
	size_t i;

	if (json && b->size >= 3)
		b->size -= 3; /* reopen the array: "]}\n" */
	for (i = 0; i < list->n; i++) {
		if (!secex_list_match(list->items[i].snap, list->items[i].exc, filter))
			continue;
		if (json)
			pending_json(b, &list->items[i], first);
		else
			pending_text(b, &list->items[i]);
		first = false;
	}
	if (json)
		secex_buf_puts(b, "]}\n");
}

int cmd_list(int argc, char **argv)
{
	secex_list_filter filter = SECEX_LIST_FILTER_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	const secex_exception **items = NULL;
	secex_buf out = SECEX_BUF_INIT;
	secex_approval_claim *judged = NULL;
	secex_history *history = NULL;
	cli_pending_list pending = { 0 };
	cli_snapshot s;
	size_t i, n = 0;
	bool help;
	int rc;

	if ((rc = cli_opt_parse(&cmd_list_help, argc, argv, &help)) || help)
		return rc;
	if (strcmp(o.format, "text") != 0 && strcmp(o.format, "json") != 0) {
		cli_error("unknown format '%s' for list; use text or json", o.format);
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_now(&filter.now)) < 0)
		return cli_fail(rc);
	if ((rc = cli_snapshot_open(&s, o.rev, &diags)) < 0) {
		rc = cli_fail(rc);
		goto cleanup;
	}
	if (s.repo && (rc = cli_verify(&judged, &history, &s, o.rev)) < 0) {
		rc = cli_fail(rc);
		goto cleanup;
	}
	claims = judged;
	listed = s.snap;
	filter.status = o.status;
	filter.priority = o.priority;
	filter.owner = o.owner;
	filter.expired = o.expired;
	filter.expiring = o.expiring;
	if (!secex_list_filter_valid(&out, s.snap, &filter)) {
		cli_error("%s", cli_safe(secex_buf_cstr(&out)));
		rc = CLI_EXIT_USAGE;
		goto cleanup;
	}
	items = cli_xalloc(calloc(s.snap->n + 1, sizeof(*items)));
	for (i = 0; i < s.snap->n; i++)
		if (s.snap->items[i].id && secex_list_match(s.snap, &s.snap->items[i], &filter))
			items[n++] = &s.snap->items[i];
	qsort(items, n, sizeof(*items), cmp_id);
	render(&out, items, n, strcmp(o.format, "json") == 0);
	if (o.branches) {
		claims = NULL; /* the branches' exceptions: no claim of this tree applies */
		if ((rc = cli_pending_load(&pending, &s, o.branches)) < 0) {
			rc = cli_fail(rc);
			goto cleanup;
		}
		render_pending(&out, &pending, &filter, strcmp(o.format, "json") == 0, n == 0);
	}
	fputs(secex_buf_cstr(&out), stdout);
	rc = CLI_EXIT_CLEAN;
cleanup:
	free(items);
	cli_pending_release(&pending);
	free(judged);
	secex_history_free(history);
	secex_buf_release(&out);
	cli_snapshot_close(&s);
	secex_diag_release(&diags);
	return rc;
}
