/* Rendering findings: text, json, sarif, github, junit, markdown; exit codes. */

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "secex/banned.h"

static const char *const format_names[] = { "text", "json", "sarif", "github", "junit", "markdown" };

bool cli_format_parse(cli_format *out, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(*format_names); i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*out = (cli_format)i;
			return true;
		}
	}
	return false;
}

int cli_report_opts_check(cli_report_opts *r)
{
	if (!cli_format_parse(&r->fmt, r->format)) {
		cli_error("unknown format '%s'; use text, json, sarif, github, junit or markdown", r->format);
		return CLI_EXIT_USAGE;
	}
	if (!secex_diag_severity_parse(&r->fail_level, r->fail_on)) {
		cli_error("unknown severity '%s' for --fail-on; use error, warning or note", r->fail_on);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

void cli_error(const char *fmt, ...)
{
	secex_buf msg = SECEX_BUF_INIT, safe = SECEX_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	secex_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	/* messages quote paths, ids and values from the user: one line, inert in a CI log */
	secex_utf8_put_safe(&safe, msg.ptr ? msg.ptr : "out of memory", msg.ptr ? msg.size : 13, 0);
	fprintf(stderr, "secex: error: %s\n", secex_buf_cstr(&safe));
	secex_buf_release(&msg);
	secex_buf_release(&safe);
}

static secex_arena safe_strings = SECEX_ARENA_INIT;

static void release_safe_strings(void)
{
	secex_arena_release(&safe_strings);
}

const char *cli_safe(const char *s)
{
	static bool registered;
	secex_buf b = SECEX_BUF_INIT;
	const char *out = s;

	if (!s || secex_utf8_puts_safe(&b, s, 0) < 0)
		return s ? "(out of memory)" : NULL;
	if (b.size != strlen(s)) { /* something was escaped: an escape is longer than it */
		if (!registered)
			registered = atexit(release_safe_strings) == 0;
		out = secex_arena_strndup(&safe_strings, b.ptr, b.size);
	}
	secex_buf_release(&b);
	return out ? out : "(out of memory)";
}

int cli_fail(int rc)
{
	if (rc == SECEX_ENOTFILE) /* a FIFO or device named where a file belongs: a finding's code too */
		cli_error("%s [SX109]", secex_error_last());
	else
		cli_error("%s", *secex_error_last() ? secex_error_last() : "internal error");
	if (rc == SECEX_EINVALID || rc == SECEX_ENOTFOUND || rc == SECEX_EEXISTS || rc == SECEX_ENOTFILE)
		return CLI_EXIT_USAGE;
	return CLI_EXIT_INTERNAL;
}

int cli_report_findings(const cli_report_opts *r, secex_diags *diags, const char *subject)
{
	secex_diag_sort(diags);
	if (cli_render_failing(stdout, diags, r->fmt, subject, r->fail_level) < 0)
		return CLI_EXIT_INTERNAL;
	return cli_exit_for(diags, r->fail_level);
}

void cli_report_clean(const cli_report_opts *r, const secex_diags *diags, const char *what)
{
	if (diags->n == 0 && r->fmt == CLI_FORMAT_TEXT)
		fprintf(stderr, "%s: no findings\n", what);
}

int cli_exit_for(const secex_diags *diags, secex_severity fail_level)
{
	size_t i;

	for (i = 0; i < diags->n; i++)
		if (diags->items[i].severity >= fail_level)
			return CLI_EXIT_FINDINGS;
	return CLI_EXIT_CLEAN;
}

static bool use_color(FILE *out)
{
	const char *no = getenv("NO_COLOR");

	return (!no || !*no) && isatty(fileno(out)) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
}

/* Whether the message already names the finding's commit (as the audit's messages do). */
static bool mentions_commit(const secex_diag *d)
{
	char shortid[13];

	snprintf(shortid, sizeof(shortid), "%.12s", d->commit);
	return strstr(d->message, shortid) != NULL;
}

static void render_text(secex_buf *b, const secex_diags *diags, bool color)
{
	static const char *const colors[] = { "\033[36m", "\033[33m", "\033[31m" };
	size_t i;

	for (i = 0; i < diags->n; i++) {
		const secex_diag *d = &diags->items[i];

		/* file names and messages carry user data: escaped, so they cannot start a line */
		secex_utf8_puts_safe(b, d->file ? d->file : "secex", 0);
		if (d->file && d->line)
			secex_buf_printf(b, ":%u:%u", d->line, d->column);
		secex_buf_printf(b, ": %s%s%s: ", color ? colors[d->severity] : "",
				 secex_diag_severity_name(d->severity), color ? "\033[0m" : "");
		secex_utf8_puts_safe(b, d->message, 0);
		secex_buf_printf(b, " [%s]", d->code);
		if (d->commit && !mentions_commit(d))
			secex_buf_printf(b, " (commit %.12s)", d->commit);
		secex_buf_putc(b, '\n');
	}
}

void cli_json_str(secex_buf *b, const char *s)
{
	if (!s) {
		secex_buf_puts(b, "null");
		return;
	}
	secex_buf_putc(b, '"');
	secex_buf_put_json_string(b, s, strlen(s));
	secex_buf_putc(b, '"');
}

void cli_json_member(secex_buf *b, const char *name, const char *s)
{
	secex_buf_printf(b, ",\"%s\":", name);
	cli_json_str(b, s);
}

static void json_pos(secex_buf *b, uint32_t v)
{
	if (v)
		secex_buf_printf(b, "%u", v);
	else
		secex_buf_puts(b, "null");
}

static void render_json(secex_buf *b, const secex_diags *diags)
{
	size_t i, counts[3];

	secex_buf_puts(b, "{\"version\":1,\"findings\":[");
	for (i = 0; i < diags->n; i++) {
		const secex_diag *d = &diags->items[i];

		secex_buf_puts(b, i ? ",{\"code\":" : "{\"code\":");
		cli_json_str(b, d->code);
		cli_json_member(b, "severity", secex_diag_severity_name(d->severity));
		cli_json_member(b, "message", d->message);
		cli_json_member(b, "file", d->file);
		secex_buf_puts(b, ",\"line\":");
		json_pos(b, d->line);
		secex_buf_puts(b, ",\"column\":");
		json_pos(b, d->column);
		cli_json_member(b, "exception", d->exception);
		cli_json_member(b, "commit", d->commit);
		secex_buf_putc(b, '}');
	}
	secex_diag_count(diags, counts);
	secex_buf_printf(b, "],\"summary\":{\"error\":%zu,\"warning\":%zu,\"note\":%zu}}\n",
			 counts[SECEX_SEV_ERROR], counts[SECEX_SEV_WARNING], counts[SECEX_SEV_NOTE]);
}

static const char *sarif_level(secex_severity s)
{
	return s == SECEX_SEV_ERROR ? "error" : s == SECEX_SEV_WARNING ? "warning" : "note";
}

/* A repository-relative path as a URI reference: each segment percent-encoded (RFC 3986),
 * keeping only unreserved characters and the '/' between segments. */
static void sarif_uri(secex_buf *b, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p))
			secex_buf_putc(b, (char)*p);
		else
			secex_buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

static void put_field(secex_buf *b, const char *s)
{
	if (s)
		secex_buf_puts(b, s);
	secex_buf_putc(b, '\0');
}

/* A finding's identity without its line: code, file, exception, commit and message, so an
 * alert survives edits above it and two findings on one line stay two alerts. */
static uint64_t finding_hash(const secex_diag *d)
{
	secex_buf key = SECEX_BUF_INIT;
	uint64_t h;

	put_field(&key, d->code);
	put_field(&key, d->file);
	put_field(&key, d->exception);
	put_field(&key, d->commit);
	put_field(&key, d->message);
	h = secex_map_hash(key.ptr ? key.ptr : "", key.size);
	secex_buf_release(&key);
	return h;
}

/* Where a finding is: its file, or for a repository-level finding the policy's first line. */
static void sarif_location(secex_buf *b, const secex_diag *d)
{
	secex_buf_puts(b, ",\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"");
	sarif_uri(b, d->file ? d->file : ".secex/policy.yaml");
	secex_buf_printf(b, "\"},\"region\":{\"startLine\":%u,\"startColumn\":%u}}}]", d->file && d->line ? d->line : 1,
			 d->file && d->line && d->column ? d->column : 1);
}

/* primaryLocationLineHash "HASH:N": N counts the findings before this one with the same
 * hash, which only identical findings share; findings are sorted, so N is stable. */
static void sarif_fingerprint(secex_buf *b, secex_map *seen, const secex_diag *d)
{
	uint64_t h = finding_hash(d);
	uintptr_t n = (uintptr_t)secex_map_get(seen, &h, sizeof(h)) + 1;

	if (secex_map_put(seen, &h, sizeof(h), (void *)n) < 0)
		cli_xalloc(NULL);
	secex_buf_printf(b, ",\"partialFingerprints\":{\"primaryLocationLineHash\":\"%016llx:%zu\"}",
			 (unsigned long long)h, (size_t)n);
}

static void sarif_rules(secex_buf *b)
{
	const secex_diag_code *c;

	for (c = secex_diag_codes(); c->code; c++) {
		const secex_diag_help *h = secex_diag_help_lookup(c->code);

		secex_buf_printf(b, "%s{\"id\":\"%s\",\"shortDescription\":{\"text\":", c == secex_diag_codes() ? "" : ",",
				 c->code);
		cli_json_str(b, c->title);
		secex_buf_puts(b, "},\"fullDescription\":{\"text\":");
		cli_json_str(b, h ? h->description : c->title);
		secex_buf_puts(b, "},\"help\":{\"text\":");
		cli_json_str(b, h ? h->help : c->title);
		secex_buf_printf(b, "},\"defaultConfiguration\":{\"level\":\"%s\"}}", sarif_level(c->severity));
	}
}

static void render_sarif(secex_buf *b, const secex_diags *diags)
{
	secex_map seen = SECEX_MAP_INIT;
	size_t i;

	secex_buf_puts(b, "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\","
			  "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"secex\",\"version\":\"" SECEX_VERSION "\",\"rules\":[");
	sarif_rules(b);
	secex_buf_puts(b, "]}},\"results\":[");
	for (i = 0; i < diags->n; i++) {
		const secex_diag *d = &diags->items[i];

		secex_buf_printf(b, "%s{\"ruleId\":\"%s\",\"level\":\"%s\",\"message\":{\"text\":", i ? "," : "",
				 d->code, sarif_level(d->severity));
		cli_json_str(b, d->message);
		secex_buf_putc(b, '}');
		sarif_location(b, d);
		sarif_fingerprint(b, &seen, d);
		if (d->exception || d->commit) {
			secex_buf_puts(b, ",\"properties\":{\"exception\":");
			cli_json_str(b, d->exception);
			cli_json_member(b, "commit", d->commit);
			secex_buf_putc(b, '}');
		}
		secex_buf_putc(b, '}');
	}
	secex_buf_puts(b, "]}]}\n");
	secex_map_release(&seen);
}

/* GitHub workflow commands escape %, CR and LF in data, and also : and , in properties; the
 * other control characters are escaped as in text, so the log shows them inert. */
static void github_escape(secex_buf *b, const char *s, bool property)
{
	const char *special = property ? "%\r\n:," : "%\r\n";

	while (s && *s) {
		size_t run = strcspn(s, special);

		secex_utf8_put_safe(b, s, run, 0);
		s += run;
		if (*s)
			secex_buf_printf(b, "%%%02X", (unsigned char)*s++);
	}
}

static void render_github(secex_buf *b, const secex_diags *diags)
{
	size_t i;

	for (i = 0; i < diags->n; i++) {
		const secex_diag *d = &diags->items[i];

		secex_buf_printf(b, "::%s ", d->severity == SECEX_SEV_NOTE ? "notice" : sarif_level(d->severity));
		if (d->file) {
			secex_buf_puts(b, "file=");
			github_escape(b, d->file, true);
			if (d->line)
				secex_buf_printf(b, ",line=%u,col=%u", d->line, d->column);
			secex_buf_putc(b, ',');
		}
		secex_buf_printf(b, "title=%s::", d->code);
		github_escape(b, d->message, false);
		secex_buf_putc(b, '\n');
	}
}

/* One finding as the text format's line, without colour and without the newline. */
static void finding_line(secex_buf *b, const secex_diag *d)
{
	secex_diag copy = *d;
	secex_diags one = SECEX_DIAGS_INIT;
	size_t start = b->size;

	one.items = &copy;
	one.n = 1;
	render_text(b, &one, false);
	if (b->size > start && b->ptr[b->size - 1] == '\n')
		b->ptr[--b->size] = '\0';
}

/* A test case per finding, named by code and place; it fails when the finding fails the run
 * (severity at or above --fail-on), else it passes and carries the finding in system-out. */
static bool junit_case(secex_buf *b, const secex_diag *d, secex_severity fail_level)
{
	bool failed = d->severity >= fail_level;
	secex_buf line = SECEX_BUF_INIT;

	secex_buf_printf(b, "    <testcase classname=\"secex\" name=\"%s ", d->code);
	secex_buf_put_xml(b, d->file ? d->file : d->exception ? d->exception : "repository");
	if (d->file && d->line)
		secex_buf_printf(b, ":%u:%u", d->line, d->column);
	secex_buf_puts(b, "\" time=\"0\">\n      ");
	if (failed) {
		secex_buf_printf(b, "<failure type=\"%s\" message=\"", d->code);
		secex_buf_put_xml(b, d->message);
		secex_buf_puts(b, "\">");
	} else {
		secex_buf_puts(b, "<system-out>");
	}
	finding_line(&line, d);
	secex_buf_put_xml(b, secex_buf_cstr(&line));
	secex_buf_release(&line);
	secex_buf_puts(b, failed ? "</failure>\n    </testcase>\n" : "</system-out>\n    </testcase>\n");
	return failed;
}

static void render_junit(secex_buf *b, const secex_diags *diags, const char *subject, secex_severity fail_level)
{
	size_t i, failures = 0;
	secex_buf body = SECEX_BUF_INIT;

	for (i = 0; i < diags->n; i++)
		failures += junit_case(&body, &diags->items[i], fail_level);
	if (!diags->n)
		secex_buf_puts(&body, "    <testcase classname=\"secex\" name=\"no findings\" time=\"0\"/>\n");
	secex_buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			    "<testsuites tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"0\">\n  <testsuite name=\"",
			 diags->n ? diags->n : 1, failures);
	secex_buf_put_xml(b, subject);
	secex_buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
			 diags->n ? diags->n : 1, failures);
	secex_buf_put(b, body.ptr, body.size);
	secex_buf_puts(b, "  </testsuite>\n</testsuites>\n");
	secex_buf_release(&body);
}

/* User data as markdown text in a table cell: control characters escaped as in text, and
 * every character that could open a tag, a link, a code span, emphasis or a new cell
 * backslash-escaped. */
static void md_cell(secex_buf *b, const char *s)
{
	secex_buf t = SECEX_BUF_INIT;
	size_t i;

	secex_utf8_puts_safe(&t, s, 0);
	for (i = 0; i < t.size; i++) {
		if (strchr("\\`*_[]<>|&~!#", t.ptr[i]))
			secex_buf_putc(b, '\\');
		secex_buf_putc(b, t.ptr[i]);
	}
	secex_buf_release(&t);
}

/* User data as a code span in a table cell: fenced by more backticks than it holds, so a
 * backtick cannot close it; only | needs its backslash (the table splits cells first). */
static void md_code(secex_buf *b, const char *s, uint32_t line)
{
	secex_buf t = SECEX_BUF_INIT;
	size_t i, run = 0, longest = 0;

	secex_utf8_puts_safe(&t, s, 0);
	if (line)
		secex_buf_printf(&t, ":%u", line);
	for (i = 0; i < t.size; i++) {
		run = t.ptr[i] == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	for (i = 0; i <= longest; i++)
		secex_buf_putc(b, '`');
	if (longest)
		secex_buf_putc(b, ' ');
	for (i = 0; i < t.size; i++) {
		if (t.ptr[i] == '|')
			secex_buf_putc(b, '\\');
		secex_buf_putc(b, t.ptr[i]);
	}
	if (longest)
		secex_buf_putc(b, ' ');
	for (i = 0; i <= longest; i++)
		secex_buf_putc(b, '`');
	secex_buf_release(&t);
}

static void render_markdown(secex_buf *b, const secex_diags *diags, const char *subject)
{
	size_t i, counts[3];

	secex_diag_count(diags, counts);
	secex_buf_puts(b, "### secex: ");
	md_cell(b, subject);
	secex_buf_puts(b, "\n\n");
	if (!diags->n) {
		secex_buf_puts(b, "No findings.\n");
		return;
	}
	secex_buf_printf(b, "%zu error(s), %zu warning(s), %zu note(s).\n\n"
			    "| severity | code | where | finding |\n|---|---|---|---|\n",
			 counts[SECEX_SEV_ERROR], counts[SECEX_SEV_WARNING], counts[SECEX_SEV_NOTE]);
	for (i = 0; i < diags->n; i++) {
		const secex_diag *d = &diags->items[i];

		secex_buf_printf(b, "| %s | %s | ", secex_diag_severity_name(d->severity), d->code);
		if (d->file)
			md_code(b, d->file, d->line);
		secex_buf_puts(b, " | ");
		md_cell(b, d->message);
		secex_buf_puts(b, " |\n");
	}
}

int cli_render(FILE *out, const secex_diags *diags, cli_format fmt, const char *subject)
{
	return cli_render_failing(out, diags, fmt, subject, SECEX_SEV_ERROR);
}

int cli_render_failing(FILE *out, const secex_diags *diags, cli_format fmt, const char *subject,
		       secex_severity fail_level)
{
	secex_buf b = SECEX_BUF_INIT;
	int rc = 0;

	switch (fmt) {
	case CLI_FORMAT_TEXT: render_text(&b, diags, use_color(out)); break;
	case CLI_FORMAT_JSON: render_json(&b, diags); break;
	case CLI_FORMAT_SARIF: render_sarif(&b, diags); break;
	case CLI_FORMAT_GITHUB: render_github(&b, diags); break;
	case CLI_FORMAT_JUNIT: render_junit(&b, diags, subject, fail_level); break;
	case CLI_FORMAT_MARKDOWN: render_markdown(&b, diags, subject); break;
	}
	if (b.size && fwrite(b.ptr, 1, b.size, out) != b.size)
		rc = -1;
	if (fflush(out) != 0)
		rc = -1;
	secex_buf_release(&b);
	return rc;
}
