/* The weekly digest rendered: Markdown, one self-contained HTML page, JSON, Slack message
 * JSON and RFC 5322 e-mail messages. Every string from the files is escaped for its format. */

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "secex/report.h"
#include "report_int.h"
#include "secex/banned.h"

typedef int (*escape_fn)(secex_buf *out, const char *str);

static const char *const kind_keys[SECEX_REPORT_KINDS] = { "expired", "expiring", "awaiting_approval",
							   "findings_no_longer_covered" };

static const char *or_q(const char *s)
{
	return s ? s : "?";
}

static const char *name_of(const secex_person *p)
{
	return p->name ? p->name : p->id;
}

static const char *owner_name(const secex_report_owner *o)
{
	return o->owner ? name_of(o->owner) : o->id;
}

/* Control characters (C0, DEL, C1, U+2028/U+2029) would break every format's structure:
 * they become spaces. */
static int put_plain(secex_buf *out, const char *s)
{
	return secex_utf8_puts_safe(out, s, SECEX_SAFE_SPACE);
}

/* Appends s with the characters of `special` passed to esc one at a time, the runs between
 * them flattened by put_plain's rule. */
static int put_runs(secex_buf *out, const char *s, const char *special, bool quotes,
		    int (*esc)(secex_buf *, char, bool))
{
	int rc = 0;

	while (s && *s && rc == 0) {
		size_t run = strcspn(s, special);

		if ((rc = secex_utf8_put_safe(out, s, run, SECEX_SAFE_SPACE)) == 0 && s[run])
			rc = esc(out, s[run++], quotes);
		s += run;
	}
	return rc;
}

static int md_escape(secex_buf *out, char c, bool quotes)
{
	int rc = secex_buf_putc(out, '\\');

	return rc ? rc : secex_buf_putc(out, c);
}

static int put_markdown(secex_buf *out, const char *s)
{
	return put_runs(out, s, "\\`*_[]<>|#&~!", false, md_escape);
}

static int entity(secex_buf *out, char c, bool quotes)
{
	switch (c) {
	case '&': return secex_buf_puts(out, "&amp;");
	case '<': return secex_buf_puts(out, "&lt;");
	case '>': return secex_buf_puts(out, "&gt;");
	case '"': return secex_buf_puts(out, quotes ? "&quot;" : "\"");
	default: return secex_buf_puts(out, quotes ? "&#39;" : "'");
	}
}

/* Escapes &, < and > as entities (quotes too, for HTML attributes); control characters
 * become spaces. */
static int put_entities(secex_buf *out, const char *s, bool quotes)
{
	return put_runs(out, s, "&<>\"'", quotes, entity);
}

static int put_html(secex_buf *out, const char *s)
{
	return put_entities(out, s, true);
}

/* Slack mrkdwn: only &, < and > are special. */
static int put_mrkdwn(secex_buf *out, const char *s)
{
	return put_entities(out, s, false);
}

static int put_json(secex_buf *out, const char *s)
{
	int rc;

	if (!s)
		return secex_buf_puts(out, "null");
	if ((rc = secex_buf_putc(out, '"')) == 0 && (rc = secex_buf_put_json_string(out, s, strlen(s))) == 0)
		rc = secex_buf_putc(out, '"');
	return rc;
}

/* ---- shared phrases ---- */

void secex_report_window(char *out, size_t len, const secex_report *r)
{
	static const struct { int64_t secs; const char *unit; } units[] = {
		{ 7 * 86400, "week" }, { 86400, "day" }, { 3600, "hour" }
	};
	int64_t w = r->expiring_within;
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(*units); i++) {
		if (w > 0 && w % units[i].secs == 0) {
			snprintf(out, len, "%lld %s%s", (long long)(w / units[i].secs), units[i].unit,
				 w == units[i].secs ? "" : "s");
			return;
		}
	}
	snprintf(out, len, "%lld seconds", (long long)w);
}

static void window(char *out, size_t len, const secex_report *r)
{
	secex_report_window(out, len, r);
}

static int kind_title(secex_buf *out, const secex_report *r, secex_report_kind kind)
{
	char w[32];

	window(w, sizeof(w), r);
	switch (kind) {
	case SECEX_REPORT_EXPIRED: return secex_buf_puts(out, "Expired");
	case SECEX_REPORT_EXPIRING: return secex_buf_printf(out, "Expiring within %s", w);
	case SECEX_REPORT_UNCOVERED: return secex_buf_puts(out, "Findings no longer covered");
	default: return secex_buf_puts(out, "Awaiting approval");
	}
}

int secex_report_counts(secex_buf *out, const secex_report *r, const size_t count[SECEX_REPORT_KINDS])
{
	static const char *const words[SECEX_REPORT_KINDS] = { "expired", "expiring within", "awaiting approval",
							       "findings no longer covered" };
	char w[32];
	size_t k;
	int rc = 0;
	bool any = false;

	window(w, sizeof(w), r);
	for (k = 0; rc == 0 && k < SECEX_REPORT_KINDS; k++) {
		if (!count[k])
			continue;
		rc = secex_buf_printf(out, "%s%zu %s%s%s", any ? ", " : "", count[k],
				      k == SECEX_REPORT_UNCOVERED && count[k] == 1 ? "finding no longer covered" : words[k],
				      k == SECEX_REPORT_EXPIRING ? " " : "", k == SECEX_REPORT_EXPIRING ? w : "");
		any = true;
	}
	return rc;
}

static int counts(secex_buf *out, const secex_report *r, const size_t count[SECEX_REPORT_KINDS])
{
	return secex_report_counts(out, r, count);
}

static void totals(const secex_report *r, size_t count[SECEX_REPORT_KINDS])
{
	size_t i, k;

	for (k = 0; k < SECEX_REPORT_KINDS; k++)
		count[k] = 0;
	for (i = 0; i < r->n; i++)
		for (k = 0; k < SECEX_REPORT_KINDS; k++)
			count[k] += r->owners[i].count[k];
}

/* "2 risk owners, 6 exceptions: 1 expired, ..." or the all-clear. */
static int overview(secex_buf *out, const secex_report *r)
{
	size_t count[SECEX_REPORT_KINDS];
	char w[32];
	int rc;

	size_t nexc;

	totals(r, count);
	nexc = count[0] + count[1] + count[2];
	window(w, sizeof(w), r);
	if (r->n == 0)
		return secex_buf_printf(out, "Nothing needs a risk owner's attention: no open exception has expired, "
					"expires within %s or awaits approval%s.", w,
					r->scanned ? ", and no finding of the scanner reports is covered only by an "
						     "exception that no longer covers it" : "");
	rc = secex_buf_printf(out, "%zu risk owner%s", r->n, r->n == 1 ? "" : "s");
	if (rc == 0 && nexc)
		rc = secex_buf_printf(out, ", %zu exception%s", nexc, nexc == 1 ? "" : "s");
	if (rc == 0)
		rc = secex_buf_puts(out, ": ");
	if (rc == 0)
		rc = counts(out, r, count);
	return rc ? rc : secex_buf_putc(out, '.');
}

static int judged_note(secex_buf *out, const secex_report *r, escape_fn esc)
{
	int rc;

	if (r->judged)
		return secex_buf_puts(out, "Approvals were judged from the signed commits in git history.");
	rc = secex_buf_puts(out, "Approvals could not be judged: ");
	if (rc == 0 && (rc = esc(out, r->unjudged)) == 0)
		rc = secex_buf_puts(out, ". The missing approvals shown are read from the files as written, "
				    "unverified.");
	return rc;
}

/* "high extension, approved, due 2026-11-06" ("re-review by" for an acceptance), and
 * ", 3 days overdue" once expired */
static int facts(secex_buf *out, const secex_report_item *it, escape_fn esc)
{
	bool acceptance = it->type && strcmp(it->type, "acceptance") == 0;
	int rc = esc(out, or_q(it->priority));

	if (rc == 0 && (rc = secex_buf_putc(out, ' ')) == 0 && (rc = esc(out, or_q(it->type))) == 0 &&
	    (rc = secex_buf_puts(out, ", ")) == 0 && (rc = esc(out, or_q(it->status))) == 0 &&
	    (rc = secex_buf_puts(out, acceptance ? ", re-review by " : ", due ")) == 0)
		rc = esc(out, or_q(it->due_date));
	if (rc == 0 && it->branch && (rc = secex_buf_puts(out, ", only on branch ")) == 0)
		rc = esc(out, it->branch);
	if (rc == 0 && it->overdue_days > 0)
		rc = secex_buf_printf(out, ", %lld day%s overdue", (long long)it->overdue_days,
				      it->overdue_days == 1 ? "" : "s");
	return rc;
}

static int who_list(secex_buf *out, const secex_report_need *need, escape_fn esc)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < need->nwho; i++) {
		bool last = i + 1 == need->nwho && !need->more;

		if ((rc = secex_buf_puts(out, i == 0 ? "" : last ? " or " : ", ")) == 0)
			rc = esc(out, name_of(need->who[i]));
	}
	if (rc == 0 && need->more)
		rc = secex_buf_printf(out, " or %zu other%s", need->more, need->more == 1 ? "" : "s");
	return rc;
}

/* "group 2 (vp-security, ciso): Margo Ruiz or Priya Raman" */
static int need_text(secex_buf *out, const secex_report_need *need, escape_fn esc)
{
	int rc = esc(out, need->label);

	if (rc == 0 && need->roles && (rc = secex_buf_puts(out, " (")) == 0 && (rc = esc(out, need->roles)) == 0)
		rc = secex_buf_putc(out, ')');
	if (rc == 0)
		rc = secex_buf_puts(out, ": ");
	if (rc == 0 && need->nwho)
		rc = who_list(out, need, esc);
	else if (rc == 0)
		rc = secex_buf_puts(out, need->roles ? "nobody in the roster can give it" : "the new risk owner, once named");
	return rc;
}

static int needs_text(secex_buf *out, const secex_report_item *it, escape_fn esc)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < it->nneeds; i++)
		if ((rc = secex_buf_puts(out, i ? "; " : "")) == 0)
			rc = need_text(out, &it->needs[i], esc);
	return rc;
}

/* "CVE-2019-1549 in pkg:apk/alpine/libssl1.1@1.1.1c-r0 at lib/apk/db/installed" */
static int finding_name(secex_buf *out, const secex_report_finding *f, escape_fn esc)
{
	int rc = esc(out, f->id);

	if (rc == 0 && f->package && (rc = secex_buf_puts(out, " in ")) == 0)
		rc = esc(out, f->package);
	if (rc == 0 && f->path && (rc = secex_buf_puts(out, " at ")) == 0)
		rc = esc(out, f->path);
	return rc;
}

/* "high, trivy, report.json:12:5" */
static int finding_source(secex_buf *out, const secex_report_finding *f, escape_fn esc)
{
	int rc = esc(out, f->severity);

	if (rc == 0 && (rc = secex_buf_puts(out, ", ")) == 0 && (rc = esc(out, or_q(f->scanner))) == 0 &&
	    (rc = secex_buf_puts(out, ", ")) == 0 && (rc = esc(out, f->report)) == 0)
		rc = secex_buf_printf(out, ":%u:%u", f->line, f->column);
	return rc;
}

/* "EXC-0003: Title (high extension, approved, due 2026-11-06), which no longer covers it:
 * it expired on 2026-11-06" */
static int finding_lapse(secex_buf *out, const secex_report_item *it, escape_fn esc, const char *id_on,
			 const char *id_off)
{
	int rc = secex_buf_puts(out, id_on);

	if (rc == 0 && (rc = esc(out, it->id)) == 0 && (rc = secex_buf_puts(out, id_off)) == 0 &&
	    (rc = secex_buf_puts(out, ": ")) == 0 && (rc = esc(out, it->title)) == 0 &&
	    (rc = secex_buf_puts(out, " (")) == 0 && (rc = facts(out, it, esc)) == 0 &&
	    (rc = secex_buf_puts(out, "), which no longer covers it: ")) == 0)
		rc = esc(out, it->finding->why);
	return rc;
}

/* ---- Markdown ---- */

static int md_finding(secex_buf *out, const secex_report_item *it)
{
	int rc = secex_buf_puts(out, "- **");

	if (rc == 0 && (rc = finding_name(out, it->finding, put_markdown)) == 0 && (rc = secex_buf_puts(out, "** (")) == 0 &&
	    (rc = finding_source(out, it->finding, put_markdown)) == 0 && (rc = secex_buf_puts(out, ")\n  - Covered only by ")) == 0 &&
	    (rc = finding_lapse(out, it, put_markdown, "**", "**")) == 0)
		rc = secex_buf_putc(out, '\n');
	if (rc == 0 && (rc = secex_buf_puts(out, "  - **To do:** ")) == 0 && (rc = put_markdown(out, it->action)) == 0)
		rc = secex_buf_puts(out, ".\n");
	return rc;
}

static int md_item(secex_buf *out, const secex_report_item *it)
{
	int rc;

	if (it->finding)
		return md_finding(out, it);
	rc = secex_buf_printf(out, "- **%s**: ", it->id);

	if (rc == 0 && (rc = put_markdown(out, it->title)) == 0 && (rc = secex_buf_puts(out, " (")) == 0 &&
	    (rc = facts(out, it, put_markdown)) == 0)
		rc = secex_buf_puts(out, ")\n");
	if (rc == 0 && it->nneeds && (rc = secex_buf_puts(out, "  - Missing: ")) == 0 &&
	    (rc = needs_text(out, it, put_markdown)) == 0)
		rc = secex_buf_putc(out, '\n');
	if (rc == 0 && (rc = secex_buf_puts(out, "  - **To do:** ")) == 0 && (rc = put_markdown(out, it->action)) == 0)
		rc = secex_buf_puts(out, ".\n");
	return rc;
}

static int md_owner(secex_buf *out, const secex_report *r, const secex_report_owner *o)
{
	size_t i;
	int rc = secex_buf_puts(out, "## "), k;

	if (rc == 0 && (rc = put_markdown(out, owner_name(o))) == 0)
		rc = secex_buf_printf(out, " (%s)\n\n", o->id);
	if (rc == 0 && (rc = counts(out, r, o->count)) == 0)
		rc = secex_buf_puts(out, ".\n\n");
	if (rc == 0 && o->note && (rc = secex_buf_puts(out, "**")) == 0 && (rc = put_markdown(out, o->note)) == 0)
		rc = secex_buf_puts(out, ".**\n\n");
	for (k = 0; rc == 0 && k < SECEX_REPORT_KINDS; k++) {
		if (!o->count[k])
			continue;
		if ((rc = secex_buf_puts(out, "### ")) == 0 && (rc = kind_title(out, r, (secex_report_kind)k)) == 0)
			rc = secex_buf_puts(out, "\n\n");
		for (i = 0; rc == 0 && i < o->n; i++)
			if (o->items[i].kind == (secex_report_kind)k)
				rc = md_item(out, &o->items[i]);
		if (rc == 0)
			rc = secex_buf_putc(out, '\n');
	}
	return rc;
}

int secex_report_markdown(secex_buf *out, const secex_report *r)
{
	size_t i;
	int rc = secex_buf_printf(out, "# Security exceptions that need attention, %s\n\n", r->today);

	if (rc == 0 && (rc = overview(out, r)) == 0)
		rc = secex_buf_puts(out, "\n\n");
	if (rc == 0 && r->n && (rc = secex_buf_puts(out, r->judged ? "" : "> ")) == 0 &&
	    (rc = judged_note(out, r, put_markdown)) == 0)
		rc = secex_buf_puts(out, "\n\n");
	for (i = 0; rc == 0 && i < r->n; i++)
		rc = md_owner(out, r, &r->owners[i]);
	return rc;
}

/* ---- HTML ---- */

static const char html_style[] =
	"body{margin:0;background:#f6f7f9;color:#1d2330;font:15px/1.5 system-ui,-apple-system,'Segoe UI',"
	"Roboto,'Helvetica Neue',Arial,sans-serif}\n"
	"main{max-width:72rem;margin:0 auto;padding:2rem 1.5rem}\n"
	"h1{font-size:1.6rem;margin:0 0 .25rem}\n"
	"h2{font-size:1.25rem;margin:0 0 .5rem}\n"
	"h3{font-size:1rem;margin:1.25rem 0 .5rem;text-transform:uppercase;letter-spacing:.04em}\n"
	".lead{font-size:1.05rem;margin:.25rem 0 1rem}\n"
	".note{border-left:4px solid #b58900;background:#fff8e1;padding:.6rem 1rem;margin:1rem 0}\n"
	".ok{border-left:4px solid #2e7d32;background:#e8f5e9;padding:.6rem 1rem;margin:1rem 0}\n"
	"section.owner{background:#fff;border:1px solid #d8dce3;border-radius:8px;padding:1.25rem 1.5rem;"
	"margin:1.5rem 0;box-shadow:0 1px 2px rgba(0,0,0,.04)}\n"
	".who{color:#5a6375;font-weight:normal;font-size:.95rem}\n"
	".departed{color:#8a1c1c;font-weight:600}\n"
	"table{border-collapse:collapse;width:100%;table-layout:fixed}\n"
	"th.c-id{width:7rem}th.c-title{width:34%}th.c-facts{width:19%}\n"
	"th,td{text-align:left;vertical-align:top;padding:.45rem .6rem;border-bottom:1px solid #e3e6eb}\n"
	"th{font-size:.8rem;color:#5a6375;text-transform:uppercase;letter-spacing:.04em}\n"
	"td.id{white-space:nowrap;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\n"
	"td.todo{font-weight:600}td.todo::first-letter{text-transform:uppercase}\n"
	"ul.missing{margin:.35rem 0 0;padding-left:1.1rem;font-weight:normal;color:#3b4252}\n"
	"h3.expired{color:#b71c1c}h3.expiring{color:#a15c00}h3.awaiting_approval{color:#1a4f9c}\n"
	"tr.expired td.id{border-left:4px solid #d32f2f}tr.expiring td.id{border-left:4px solid #f0a202}"
	"tr.awaiting_approval td.id{border-left:4px solid #3f7fd8}\n"
	"footer{color:#5a6375;font-size:.85rem;margin-top:2rem}\n"
	"a{color:#1a4f9c}\n"
	"td,h2,p{overflow-wrap:anywhere}time{white-space:nowrap}\n"
	/* a phone: each exception a block of its own, its cells one under the other */
	"@media (max-width:44rem){main{padding:1rem .75rem}section.owner{padding:.9rem 1rem}\n"
	"table,tbody,tr,td{display:block;width:auto}thead{display:none}\n"
	"tr{border-bottom:1px solid #e3e6eb;padding:.5rem 0}td{border:0;padding:.15rem 0}\n"
	"tr.expired td.id,tr.expiring td.id,tr.awaiting_approval td.id{padding-left:.5rem}}\n";

/* Only in a report with scanner reports: the page of one without stays as it was. */
static const char html_scan_style[] =
	"h3.findings_no_longer_covered{color:#6a1b9a}\n"
	"tr.findings_no_longer_covered td.finding{border-left:4px solid #8e24aa}\n"
	"td.finding code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:600}\n"
	".source{display:block;color:#5a6375;font-size:.85rem}\n"
	"@media (max-width:44rem){tr.findings_no_longer_covered td.finding{padding-left:.5rem}}\n";

static int html_date(secex_buf *out, const char *text);

static int html_head(secex_buf *out, const secex_report *r)
{
	int rc = secex_buf_printf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
				  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
				  "<title>Security exceptions that need attention, %s</title>\n<style>\n%s%s</style>\n"
				  "</head>\n<body>\n<main>\n<h1>Security exceptions that need attention</h1>\n"
				  "<p class=\"lead\">Weekly digest of ", r->today, html_style, r->scanned ? html_scan_style : "");

	if (rc == 0 && (rc = html_date(out, r->today)) == 0)
		rc = secex_buf_puts(out, ".</p>\n");
	return rc;
}

static int html_needs(secex_buf *out, const secex_report_item *it)
{
	size_t i;
	int rc = secex_buf_puts(out, "<ul class=\"missing\">");

	for (i = 0; rc == 0 && i < it->nneeds; i++)
		if ((rc = secex_buf_puts(out, "<li>Missing: ")) == 0 && (rc = need_text(out, &it->needs[i], put_html)) == 0)
			rc = secex_buf_puts(out, "</li>");
	return rc ? rc : secex_buf_puts(out, "</ul>");
}

int secex_report_date_text(secex_buf *out, const char *text)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t t, day, secs;
	unsigned month, mday;
	int year, rc;

	if (!text || !secex_date_when_parse(&t, text, strlen(text)))
		return secex_buf_puts(out, text ? text : "");
	day = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	secs = t - day * 86400;
	secex_date_civil_from_days(day, &year, &month, &mday);
	rc = secex_buf_printf(out, "%u %s %d", mday, months[month - 1], year);
	if (rc == 0 && strchr(text, 'T'))
		rc = secex_buf_printf(out, ", %02d:%02d UTC", (int)(secs / 3600), (int)(secs / 60 % 60));
	return rc;
}

/* A date or instant as people read it, with the machine's form in datetime; a text that is
 * no date as it is. */
static int html_date(secex_buf *out, const char *text)
{
	int64_t t;
	int rc;

	if (!text || !secex_date_when_parse(&t, text, strlen(text)))
		return put_html(out, or_q(text));
	if ((rc = secex_buf_puts(out, "<time datetime=\"")) == 0 && (rc = put_html(out, text)) == 0 &&
	    (rc = secex_buf_puts(out, "\">")) == 0)
		rc = secex_report_date_text(out, text);
	return rc ? rc : secex_buf_puts(out, "</time>");
}

static int html_facts(secex_buf *out, const secex_report_item *it)
{
	int rc = put_html(out, or_q(it->priority));

	if (rc == 0 && (rc = secex_buf_putc(out, ' ')) == 0 && (rc = put_html(out, or_q(it->type))) == 0 &&
	    (rc = secex_buf_puts(out, ", ")) == 0 && (rc = put_html(out, or_q(it->status))) == 0 &&
	    (rc = secex_buf_puts(out, ", due ")) == 0)
		rc = html_date(out, it->due_date);
	return rc;
}

/* A finding no longer covered: the finding, its exception, why, what to do. */
static int html_finding(secex_buf *out, const secex_report_item *it)
{
	int rc = secex_buf_printf(out, "<tr class=\"%s\"><td class=\"finding\"><code>", kind_keys[it->kind]);

	if (rc == 0 && (rc = put_html(out, it->finding->id)) == 0 && (rc = secex_buf_puts(out, "</code>")) == 0 &&
	    it->finding->package && (rc = secex_buf_puts(out, " in ")) == 0)
		rc = put_html(out, it->finding->package);
	if (rc == 0 && it->finding->path && (rc = secex_buf_puts(out, " at ")) == 0)
		rc = put_html(out, it->finding->path);
	if (rc == 0 && (rc = secex_buf_puts(out, "<span class=\"source\">")) == 0 &&
	    (rc = finding_source(out, it->finding, put_html)) == 0 && (rc = secex_buf_puts(out, "</span></td><td class=\"id\" title=\"")) == 0 &&
	    (rc = put_html(out, it->title)) == 0 && (rc = secex_buf_puts(out, "\">")) == 0 && (rc = put_html(out, it->id)) == 0 &&
	    (rc = secex_buf_puts(out, "</td><td>")) == 0 && (rc = html_facts(out, it)) == 0 &&
	    (rc = secex_buf_puts(out, ": ")) == 0 && (rc = put_html(out, it->finding->why)) == 0 &&
	    (rc = secex_buf_puts(out, "</td><td class=\"todo\">")) == 0 && (rc = put_html(out, it->action)) == 0)
		rc = secex_buf_puts(out, ".</td></tr>\n");
	return rc;
}

static int html_item(secex_buf *out, const secex_report_item *it)
{
	int rc;

	if (it->finding)
		return html_finding(out, it);
	rc = secex_buf_printf(out, "<tr class=\"%s\"><td class=\"id\">", kind_keys[it->kind]);

	if (rc == 0 && (rc = put_html(out, it->id)) == 0 && (rc = secex_buf_puts(out, "</td><td>")) == 0 &&
	    (rc = put_html(out, it->title)) == 0 && (rc = secex_buf_puts(out, "</td><td>")) == 0 &&
	    (rc = html_facts(out, it)) == 0 && (rc = secex_buf_puts(out, "</td><td class=\"todo\">")) == 0 &&
	    (rc = put_html(out, it->action)) == 0 && (rc = secex_buf_putc(out, '.')) == 0 && it->nneeds)
		rc = html_needs(out, it);
	return rc ? rc : secex_buf_puts(out, "</td></tr>\n");
}

static int html_kind(secex_buf *out, const secex_report *r, const secex_report_owner *o, secex_report_kind k)
{
	size_t i;
	int rc = secex_buf_printf(out, "<h3 class=\"%s\">", kind_keys[k]);

	if (rc == 0 && (rc = kind_title(out, r, k)) == 0 && k == SECEX_REPORT_UNCOVERED)
		rc = secex_buf_printf(out, " (%zu)</h3>\n<table>\n<thead><tr><th class=\"c-title\">Finding</th>"
				      "<th class=\"c-id\">Exception</th><th class=\"c-facts\">Why it no longer covers it</th>"
				      "<th>What to do</th></tr></thead>\n<tbody>\n", o->count[k]);
	else if (rc == 0)
		rc = secex_buf_printf(out, " (%zu)</h3>\n<table>\n<thead><tr><th class=\"c-id\">Exception</th>"
				      "<th class=\"c-title\">Title</th><th class=\"c-facts\">Priority, status, due</th>"
				      "<th>What to do</th></tr></thead>\n<tbody>\n", o->count[k]);
	for (i = 0; rc == 0 && i < o->n; i++)
		if (o->items[i].kind == k)
			rc = html_item(out, &o->items[i]);
	return rc ? rc : secex_buf_puts(out, "</tbody>\n</table>\n");
}

static int html_contact(secex_buf *out, const secex_report_owner *o)
{
	const secex_person *p = o->to;
	int rc;

	if (!p || !p->email)
		return 0;
	if ((rc = secex_buf_puts(out, " <a href=\"mailto:")) == 0 && (rc = put_html(out, p->email)) == 0 &&
	    (rc = secex_buf_puts(out, "\">")) == 0 && (rc = put_html(out, p->email)) == 0)
		rc = secex_buf_puts(out, "</a>");
	return rc;
}

static int html_owner(secex_buf *out, const secex_report *r, const secex_report_owner *o)
{
	int rc = secex_buf_printf(out, "<section class=\"owner\" id=\"owner-%s\">\n<h2>", o->id), k;

	if (rc == 0 && (rc = put_html(out, owner_name(o))) == 0 && (rc = secex_buf_printf(out, " <span class=\"who\">%s", o->id)) == 0 &&
	    (rc = html_contact(out, o)) == 0)
		rc = secex_buf_puts(out, "</span></h2>\n<p>");
	if (rc == 0 && (rc = counts(out, r, o->count)) == 0)
		rc = secex_buf_puts(out, ".</p>\n");
	if (rc == 0 && o->note && (rc = secex_buf_puts(out, "<p class=\"departed\">")) == 0 &&
	    (rc = put_html(out, o->note)) == 0)
		rc = secex_buf_puts(out, ".</p>\n");
	for (k = 0; rc == 0 && k < SECEX_REPORT_KINDS; k++)
		if (o->count[k])
			rc = html_kind(out, r, o, (secex_report_kind)k);
	return rc ? rc : secex_buf_puts(out, "</section>\n");
}

int secex_report_html(secex_buf *out, const secex_report *r)
{
	size_t i;
	int rc = html_head(out, r);

	if (rc == 0 && (rc = secex_buf_puts(out, r->n ? "<p class=\"lead\">" : "<p class=\"ok\">")) == 0 &&
	    (rc = overview(out, r)) == 0)
		rc = secex_buf_puts(out, "</p>\n");
	if (rc == 0 && r->n && (rc = secex_buf_puts(out, r->judged ? "<p>" : "<p class=\"note\">")) == 0 &&
	    (rc = judged_note(out, r, put_html)) == 0)
		rc = secex_buf_puts(out, "</p>\n");
	for (i = 0; rc == 0 && i < r->n; i++)
		rc = html_owner(out, r, &r->owners[i]);
	if (rc == 0)
		rc = secex_buf_puts(out, "<footer>Made by secex report. 'secex status ID' shows who must approve an "
				    "exception and why each recorded approval counts or not.</footer>\n"
				    "</main>\n</body>\n</html>\n");
	return rc;
}

/* ---- JSON ---- */

static int json_person(secex_buf *out, const secex_person *p)
{
	int rc;

	if (!p)
		return secex_buf_puts(out, "null");
	if ((rc = secex_buf_puts(out, "{\"id\":")) == 0 && (rc = put_json(out, p->id)) == 0 &&
	    (rc = secex_buf_puts(out, ",\"name\":")) == 0 && (rc = put_json(out, p->name)) == 0 &&
	    (rc = secex_buf_puts(out, ",\"email\":")) == 0 && (rc = put_json(out, p->email)) == 0)
		rc = secex_buf_putc(out, '}');
	return rc;
}

/* "a, b" as ["a","b"] */
static int json_roles(secex_buf *out, const char *roles)
{
	const char *s = roles, *comma;
	int rc = secex_buf_putc(out, '[');

	while (rc == 0 && s && *s) {
		comma = strstr(s, ", ");
		rc = secex_buf_putc(out, '"');
		if (rc == 0)
			rc = secex_buf_put_json_string(out, s, comma ? (size_t)(comma - s) : strlen(s));
		if (rc == 0)
			rc = secex_buf_puts(out, comma ? "\"," : "\"");
		s = comma ? comma + 2 : NULL;
	}
	return rc ? rc : secex_buf_putc(out, ']');
}

static int json_need(secex_buf *out, const secex_report_need *need, bool first)
{
	size_t i;
	int rc = secex_buf_puts(out, first ? "{\"requirement\":" : ",{\"requirement\":");

	if (rc == 0 && (rc = put_json(out, need->label)) == 0 && (rc = secex_buf_puts(out, ",\"roles\":")) == 0)
		rc = need->roles ? json_roles(out, need->roles) : secex_buf_puts(out, "null");
	if (rc == 0)
		rc = secex_buf_puts(out, ",\"who_can\":[");
	for (i = 0; rc == 0 && i < need->nwho; i++)
		if ((rc = secex_buf_puts(out, i ? "," : "")) == 0)
			rc = put_json(out, need->who[i]->id);
	return rc ? rc : secex_buf_printf(out, "],\"more\":%zu}", need->more);
}

/* "finding":{...} of a finding no longer covered */
static int json_finding(secex_buf *out, const secex_report_finding *f)
{
	int rc = secex_buf_puts(out, ",\"finding\":{\"scanner\":");

	if (rc == 0 && (rc = put_json(out, f->scanner)) == 0 && (rc = secex_buf_puts(out, ",\"id\":")) == 0 &&
	    (rc = put_json(out, f->id)) == 0 && (rc = secex_buf_puts(out, ",\"package\":")) == 0 &&
	    (rc = put_json(out, f->package)) == 0 && (rc = secex_buf_puts(out, ",\"path\":")) == 0 &&
	    (rc = put_json(out, f->path)) == 0 && (rc = secex_buf_puts(out, ",\"severity\":")) == 0 &&
	    (rc = put_json(out, f->severity)) == 0 && (rc = secex_buf_puts(out, ",\"report\":")) == 0 &&
	    (rc = put_json(out, f->report)) == 0 &&
	    (rc = secex_buf_printf(out, ",\"line\":%u,\"column\":%u,\"why\":", f->line, f->column)) == 0 &&
	    (rc = put_json(out, f->why)) == 0)
		rc = secex_buf_putc(out, '}');
	return rc;
}

static int json_item(secex_buf *out, const secex_report_item *it, bool first)
{
	size_t i;
	int rc = secex_buf_puts(out, first ? "{\"id\":" : ",{\"id\":");

	if (rc == 0 && (rc = put_json(out, it->id)) == 0 && (rc = secex_buf_printf(out, ",\"kind\":\"%s\",\"title\":",
										 kind_keys[it->kind])) == 0 &&
	    (rc = put_json(out, it->title)) == 0 && (rc = secex_buf_puts(out, ",\"priority\":")) == 0 &&
	    (rc = put_json(out, it->priority)) == 0 && (rc = secex_buf_puts(out, ",\"type\":")) == 0 &&
	    (rc = put_json(out, it->type)) == 0 && (rc = secex_buf_puts(out, ",\"status\":")) == 0 &&
	    (rc = put_json(out, it->status)) == 0 && (rc = secex_buf_puts(out, ",\"branch\":")) == 0 &&
	    (rc = put_json(out, it->branch)) == 0 && (rc = secex_buf_puts(out, ",\"due_date\":")) == 0 &&
	    (rc = put_json(out, it->due_date)) == 0 && (rc = secex_buf_puts(out, ",\"file\":")) == 0 &&
	    (rc = put_json(out, it->file)) == 0 && (rc = secex_buf_puts(out, ",\"action\":")) == 0 &&
	    (rc = put_json(out, it->action)) == 0 &&
	    (rc = secex_buf_printf(out, ",\"approval_invalid\":%s", it->approval_invalid ? "true" : "false")) == 0)
		rc = secex_buf_puts(out, ",\"missing\":[");
	for (i = 0; rc == 0 && i < it->nneeds; i++)
		rc = json_need(out, &it->needs[i], i == 0);
	if (rc == 0 && (rc = secex_buf_putc(out, ']')) == 0 && it->finding)
		rc = json_finding(out, it->finding);
	return rc ? rc : secex_buf_putc(out, '}');
}

static int json_owner(secex_buf *out, const secex_report *r, const secex_report_owner *o, bool first)
{
	size_t i;
	int rc = secex_buf_puts(out, first ? "{\"owner\":" : ",{\"owner\":");

	if (rc == 0 && (rc = put_json(out, o->id)) == 0 && (rc = secex_buf_puts(out, ",\"name\":")) == 0 &&
	    (rc = put_json(out, o->owner ? o->owner->name : NULL)) == 0 &&
	    (rc = secex_buf_printf(out, ",\"departed\":%s,\"recipient\":", o->departed ? "true" : "false")) == 0 &&
	    (rc = json_person(out, o->to)) == 0 && (rc = secex_buf_puts(out, ",\"note\":")) == 0 &&
	    (rc = put_json(out, o->note)) == 0)
		rc = secex_buf_printf(out, ",\"counts\":{\"expired\":%zu,\"expiring\":%zu,\"awaiting_approval\":%zu",
				      o->count[0], o->count[1], o->count[2]);
	if (rc == 0 && r->scanned)
		rc = secex_buf_printf(out, ",\"findings_no_longer_covered\":%zu", o->count[SECEX_REPORT_UNCOVERED]);
	if (rc == 0)
		rc = secex_buf_puts(out, "},\"items\":[");
	for (i = 0; rc == 0 && i < o->n; i++)
		rc = json_item(out, &o->items[i], i == 0);
	return rc ? rc : secex_buf_puts(out, "]}");
}

int secex_report_json(secex_buf *out, const secex_report *r)
{
	char w[32];
	size_t i;
	int rc;

	secex_duration_format(w, sizeof(w), r->expiring_within);
	rc = secex_buf_printf(out, "{\"version\":1,\"today\":\"%s\",\"expiring_within\":\"%s\",\"approvals_judged\":%s,"
			      "\"approvals_note\":", r->today, w, r->judged ? "true" : "false");
	if (rc == 0 && (rc = put_json(out, r->unjudged)) == 0)
		rc = secex_buf_puts(out, ",\"owners\":[");
	for (i = 0; rc == 0 && i < r->n; i++)
		rc = json_owner(out, r, &r->owners[i], i == 0);
	return rc ? rc : secex_buf_puts(out, "]}\n");
}

/* ---- Slack ---- */

#define SLACK_MAX_ITEMS 40 /* a message holds at most 50 blocks */

/* Cuts text to at most max bytes, never inside a UTF-8 sequence. */
static void cut(secex_buf *t, size_t max)
{
	size_t n = max;

	if (t->size <= max)
		return;
	while (n && ((unsigned char)t->ptr[n] & 0xc0) == 0x80)
		n--;
	t->size = n;
	t->ptr[n] = '\0';
}

/* Appends text (a finished mrkdwn or plain string) as a JSON string. */
static int json_buf(secex_buf *out, const secex_buf *text)
{
	int rc = secex_buf_putc(out, '"');

	if (rc == 0 && (rc = secex_buf_put_json_string(out, secex_buf_cstr(text), text->size)) == 0)
		rc = secex_buf_putc(out, '"');
	return rc;
}

static int slack_block(secex_buf *out, const char *type, const secex_buf *text)
{
	int rc = secex_buf_printf(out, ",{\"type\":\"section\",\"text\":{\"type\":\"%s\",\"text\":", type);

	if (rc == 0 && (rc = json_buf(out, text)) == 0)
		rc = secex_buf_puts(out, "}}");
	return rc;
}

/* The first lines of a finding no longer covered: the finding, then its exception and why. */
static int slack_finding(secex_buf *t, const secex_report_item *it)
{
	int rc = secex_buf_puts(t, "*");

	if (rc == 0 && (rc = finding_name(t, it->finding, put_mrkdwn)) == 0 && (rc = secex_buf_puts(t, "* (")) == 0 &&
	    (rc = finding_source(t, it->finding, put_mrkdwn)) == 0 && (rc = secex_buf_puts(t, ")\n_Covered only by ")) == 0 &&
	    (rc = finding_lapse(t, it, put_mrkdwn, "", "")) == 0)
		rc = secex_buf_puts(t, "_\n");
	return rc;
}

static int slack_item(secex_buf *out, const secex_report_item *it)
{
	secex_buf t = SECEX_BUF_INIT;
	int rc = it->finding ? slack_finding(&t, it) : secex_buf_puts(&t, "*");

	if (rc == 0 && !it->finding && (rc = put_mrkdwn(&t, it->id)) == 0 && (rc = secex_buf_puts(&t, "* ")) == 0 &&
	    (rc = put_mrkdwn(&t, it->title)) == 0 && (rc = secex_buf_puts(&t, "\n_")) == 0 &&
	    (rc = facts(&t, it, put_mrkdwn)) == 0)
		rc = secex_buf_puts(&t, "_\n");
	if (rc == 0 && it->nneeds && (rc = secex_buf_puts(&t, "Missing: ")) == 0 &&
	    (rc = needs_text(&t, it, put_mrkdwn)) == 0)
		rc = secex_buf_putc(&t, '\n');
	if (rc == 0 && (rc = secex_buf_puts(&t, "*To do:* ")) == 0 && (rc = put_mrkdwn(&t, it->action)) == 0)
		rc = secex_buf_putc(&t, '.');
	if (rc == 0) {
		cut(&t, 2900); /* a section's text holds 3000 characters */
		rc = slack_block(out, "mrkdwn", &t);
	}
	secex_buf_release(&t);
	return rc;
}

static int slack_kind(secex_buf *out, const secex_report *r, const secex_report_owner *o, secex_report_kind k,
		      size_t *shown)
{
	secex_buf t = SECEX_BUF_INIT;
	size_t i;
	int rc = secex_buf_puts(&t, "*");

	if (rc == 0 && (rc = kind_title(&t, r, k)) == 0 && (rc = secex_buf_printf(&t, "* (%zu)", o->count[k])) == 0)
		rc = slack_block(out, "mrkdwn", &t);
	for (i = 0; rc == 0 && i < o->n; i++)
		if (o->items[i].kind == k && (*shown)++ < SLACK_MAX_ITEMS)
			rc = slack_item(out, &o->items[i]);
	secex_buf_release(&t);
	return rc;
}

static int slack_fallback(secex_buf *t, const secex_report *r, const secex_report_owner *o)
{
	int rc = secex_buf_puts(t, "Security exceptions for ");

	if (rc == 0 && (rc = put_mrkdwn(t, owner_name(o))) == 0 && (rc = secex_buf_printf(t, " (%s), %s: ", o->id, r->today)) == 0)
		rc = counts(t, r, o->count);
	return rc;
}

static int slack_header(secex_buf *out, const secex_report *r, const secex_report_owner *o)
{
	secex_buf t = SECEX_BUF_INIT;
	int rc = slack_fallback(&t, r, o);

	if (rc == 0 && (rc = secex_buf_puts(out, "{\"text\":")) == 0 && (rc = json_buf(out, &t)) == 0)
		rc = secex_buf_puts(out, ",\"blocks\":[{\"type\":\"header\",\"text\":{\"type\":\"plain_text\",\"text\":");
	secex_buf_clear(&t);
	if (rc == 0 && (rc = secex_buf_puts(&t, "Security exceptions: ")) == 0 && (rc = put_plain(&t, owner_name(o))) == 0)
		cut(&t, 140); /* a header holds 150 characters */
	if (rc == 0 && (rc = json_buf(out, &t)) == 0)
		rc = secex_buf_puts(out, "}}");
	secex_buf_release(&t);
	return rc;
}

static int slack_intro(secex_buf *out, const secex_report *r, const secex_report_owner *o)
{
	secex_buf t = SECEX_BUF_INIT;
	int rc = secex_buf_printf(&t, "Weekly digest of %s: ", r->today);

	if (rc == 0)
		rc = counts(&t, r, o->count);
	if (rc == 0 && o->note && (rc = secex_buf_puts(&t, ".\n*")) == 0 && (rc = put_mrkdwn(&t, o->note)) == 0)
		rc = secex_buf_putc(&t, '*');
	if (rc == 0 && (rc = secex_buf_putc(&t, '.')) == 0)
		rc = slack_block(out, "mrkdwn", &t);
	secex_buf_release(&t);
	return rc;
}

static int slack_footer(secex_buf *out, const secex_report *r, size_t hidden)
{
	secex_buf t = SECEX_BUF_INIT;
	int rc = 0;

	if (hidden)
		rc = secex_buf_printf(&t, "%zu more not shown: run 'secex report' for the full list. ", hidden);
	if (rc == 0)
		rc = judged_note(&t, r, put_mrkdwn);
	if (rc == 0 && (rc = secex_buf_puts(out, ",{\"type\":\"context\",\"elements\":[{\"type\":\"mrkdwn\",\"text\":")) == 0 &&
	    (rc = json_buf(out, &t)) == 0)
		rc = secex_buf_puts(out, "}]}");
	secex_buf_release(&t);
	return rc;
}

int secex_report_slack(secex_buf *out, const secex_report *r, size_t i)
{
	const secex_report_owner *o = &r->owners[i];
	size_t shown = 0;
	int rc = slack_header(out, r, o), k;

	if (rc == 0)
		rc = slack_intro(out, r, o);
	for (k = 0; rc == 0 && k < SECEX_REPORT_KINDS; k++)
		if (o->count[k] && (rc = secex_buf_puts(out, ",{\"type\":\"divider\"}")) == 0)
			rc = slack_kind(out, r, o, (secex_report_kind)k, &shown);
	if (rc == 0)
		rc = slack_footer(out, r, shown > SLACK_MAX_ITEMS ? shown - SLACK_MAX_ITEMS : 0);
	return rc ? rc : secex_buf_puts(out, "]}");
}
