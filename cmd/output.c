/* Rendering findings: text, json, sarif, github, junit, markdown; exit codes. */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "banned.h"

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
	int64_t now;

	if (!cli_format_parse(&r->fmt, r->format)) {
		cli_error("unknown format '%s'; use text, json, sarif, github, junit or markdown", r->format);
		return CLI_EXIT_USAGE;
	}
	if (!secex_severity_parse(&r->fail_level, r->fail_on)) {
		cli_error("unknown severity '%s' for --fail-on; use error, warning or note", r->fail_on);
		return CLI_EXIT_USAGE;
	}
	if (r->today) {
		if (!secex_when_parse(&now, r->today, strlen(r->today))) {
			cli_error("--today '%s' is not a date; use YYYY-MM-DD", r->today);
			return CLI_EXIT_USAGE;
		}
		setenv("SECEX_TODAY", r->today, 1);
	}
	if (secex_now(&now) < 0) {
		cli_error("%s", secex_error_last());
		return CLI_EXIT_USAGE;
	}
	return 0;
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("secex: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_fail(int rc)
{
	cli_error("%s", *secex_error_last() ? secex_error_last() : "internal error");
	if (rc == SECEX_EINVALID || rc == SECEX_ENOTFOUND || rc == SECEX_EEXISTS)
		return CLI_EXIT_USAGE;
	return CLI_EXIT_INTERNAL;
}

int cli_report_findings(const cli_report_opts *r, secex_diags *diags, const char *subject)
{
	secex_diags_sort(diags);
	if (cli_render_failing(stdout, diags, r->fmt, subject, r->fail_level) < 0)
		return CLI_EXIT_INTERNAL;
	return cli_exit_for(diags, r->fail_level);
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

		if (d->file && d->line)
			secex_buf_printf(b, "%s:%u:%u: ", d->file, d->line, d->column);
		else if (d->file)
			secex_buf_printf(b, "%s: ", d->file);
		else
			secex_buf_puts(b, "secex: ");
		secex_buf_printf(b, "%s%s%s: %s [%s]", color ? colors[d->severity] : "",
				 secex_severity_name(d->severity), color ? "\033[0m" : "", d->message, d->code);
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
		secex_buf_puts(b, ",\"severity\":");
		cli_json_str(b, secex_severity_name(d->severity));
		secex_buf_puts(b, ",\"message\":");
		cli_json_str(b, d->message);
		secex_buf_puts(b, ",\"file\":");
		cli_json_str(b, d->file);
		secex_buf_puts(b, ",\"line\":");
		json_pos(b, d->line);
		secex_buf_puts(b, ",\"column\":");
		json_pos(b, d->column);
		secex_buf_puts(b, ",\"exception\":");
		cli_json_str(b, d->exception);
		secex_buf_puts(b, ",\"commit\":");
		cli_json_str(b, d->commit);
		secex_buf_putc(b, '}');
	}
	secex_diags_count(diags, counts);
	secex_buf_printf(b, "],\"summary\":{\"error\":%zu,\"warning\":%zu,\"note\":%zu}}\n",
			 counts[SECEX_SEV_ERROR], counts[SECEX_SEV_WARNING], counts[SECEX_SEV_NOTE]);
}

static const char *sarif_level(secex_severity s)
{
	return s == SECEX_SEV_ERROR ? "error" : s == SECEX_SEV_WARNING ? "warning" : "note";
}

/* A repository path as a URI reference: each segment percent-encoded (RFC 3986), '/' kept. */
static void sarif_uri(secex_buf *b, const char *path)
{
	static const char unreserved[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/";

	for (; *path; path++) {
		if (strchr(unreserved, *path))
			secex_buf_putc(b, *path);
		else
			secex_buf_printf(b, "%%%02X", (unsigned char)*path);
	}
}

static void sarif_text(secex_buf *b, const char *key, const char *text)
{
	secex_buf_printf(b, ",\"%s\":{\"text\":", key);
	cli_json_str(b, text);
	secex_buf_putc(b, '}');
}

static void sarif_rules(secex_buf *b)
{
	const secex_diag_code *c;
	const char *description, *help;

	for (c = secex_diag_codes(); c->code; c++) {
		if (!secex_diag_code_help(&description, &help, c->code)) {
			description = c->title;
			help = "Run 'secex help codes' for the list of codes and README.md for what each checks.";
		}
		secex_buf_printf(b, "%s{\"id\":\"%s\"", c == secex_diag_codes() ? "" : ",", c->code);
		sarif_text(b, "shortDescription", c->title);
		sarif_text(b, "fullDescription", description);
		sarif_text(b, "help", help);
		secex_buf_printf(b, ",\"defaultConfiguration\":{\"level\":\"%s\"}}", sarif_level(c->severity));
	}
}

/* What identifies a finding from one run to the next: everything but its line and column. */
static uint64_t finding_hash(const secex_diag *d)
{
	secex_buf key = SECEX_BUF_INIT;
	uint64_t h;

	secex_buf_printf(&key, "%s%c%s%c%s%c%s%c%s", d->code, 0, d->file ? d->file : "", 0,
			 d->exception ? d->exception : "", 0, d->commit ? d->commit : "", 0, d->message);
	h = secex_hash(secex_buf_cstr(&key), key.size);
	secex_buf_release(&key);
	return h;
}

typedef struct {
	uint64_t hash;
	size_t index;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
	const keyed *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* Each finding's hash and its occurrence among findings of that hash (1, 2, ...), in order. */
static int fingerprints(uint64_t *hashes, size_t *nth, const secex_diags *diags)
{
	keyed *k = calloc(diags->n, sizeof(*k));
	size_t i;

	if (!k)
		return -1;
	for (i = 0; i < diags->n; i++) {
		k[i].hash = hashes[i] = finding_hash(&diags->items[i]);
		k[i].index = i;
	}
	qsort(k, diags->n, sizeof(*k), cmp_keyed);
	for (i = 0; i < diags->n; i++)
		nth[k[i].index] = i && k[i - 1].hash == k[i].hash ? nth[k[i - 1].index] + 1 : 1;
	free(k);
	return 0;
}

/* The finding's place, or the policy file for a repository-wide finding (GitHub needs one). */
static void sarif_location(secex_buf *b, const secex_diag *d)
{
	secex_buf_puts(b, ",\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"");
	sarif_uri(b, d->file ? d->file : SECEX_POLICY_PATH);
	secex_buf_printf(b, "\"},\"region\":{\"startLine\":%u,\"startColumn\":%u}}}]", d->line ? d->line : 1,
			 d->line && d->column ? d->column : 1);
}

static void sarif_result(secex_buf *b, const secex_diag *d, uint64_t hash, size_t nth)
{
	secex_buf_printf(b, "{\"ruleId\":\"%s\",\"level\":\"%s\",\"message\":{\"text\":", d->code, sarif_level(d->severity));
	cli_json_str(b, d->message);
	secex_buf_putc(b, '}');
	sarif_location(b, d);
	secex_buf_printf(b, ",\"partialFingerprints\":{\"primaryLocationLineHash\":\"%016llx:%zu\"}",
			 (unsigned long long)hash, nth);
	if (d->exception || d->commit) {
		secex_buf_puts(b, ",\"properties\":{\"exception\":");
		cli_json_str(b, d->exception);
		secex_buf_puts(b, ",\"commit\":");
		cli_json_str(b, d->commit);
		secex_buf_putc(b, '}');
	}
	secex_buf_putc(b, '}');
}

static int render_sarif(secex_buf *b, const secex_diags *diags)
{
	uint64_t *hashes = calloc(diags->n + 1, sizeof(*hashes));
	size_t i, *nth = calloc(diags->n + 1, sizeof(*nth));
	int rc = -1;

	if (!hashes || !nth || (diags->n && fingerprints(hashes, nth, diags) < 0))
		goto cleanup;
	secex_buf_puts(b, "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\","
			  "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"secex\",\"version\":\"" SECEX_VERSION "\",\"rules\":[");
	sarif_rules(b);
	secex_buf_puts(b, "]}},\"results\":[");
	for (i = 0; i < diags->n; i++) {
		secex_buf_puts(b, i ? "," : "");
		sarif_result(b, &diags->items[i], hashes[i], nth[i]);
	}
	secex_buf_puts(b, "]}]}\n");
	rc = 0;
cleanup:
	free(hashes);
	free(nth);
	return rc;
}

/* GitHub workflow commands escape %, CR and LF in data, and also : and , in properties. */
static void github_escape(secex_buf *b, const char *s, bool property)
{
	for (; s && *s; s++) {
		if (*s == '%')
			secex_buf_puts(b, "%25");
		else if (*s == '\r')
			secex_buf_puts(b, "%0D");
		else if (*s == '\n')
			secex_buf_puts(b, "%0A");
		else if (property && *s == ':')
			secex_buf_puts(b, "%3A");
		else if (property && *s == ',')
			secex_buf_puts(b, "%2C");
		else
			secex_buf_putc(b, *s);
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

/* "SX201 exceptions/EXC-0001.yaml:12:3", "SX305 EXC-0001" or "SX305": the code and place. */
static void junit_case_name(secex_buf *b, const secex_diag *d)
{
	secex_buf name = SECEX_BUF_INIT;

	secex_buf_puts(&name, d->code);
	if (d->file && d->line)
		secex_buf_printf(&name, " %s:%u:%u", d->file, d->line, d->column);
	else if (d->file || d->exception)
		secex_buf_printf(&name, " %s", d->file ? d->file : d->exception);
	secex_buf_put_xml(b, secex_buf_cstr(&name));
	secex_buf_release(&name);
}

/*
 * One test case per finding; those at or above fail_level fail with the whole text line
 * (what CI servers show), the others pass with that line as their output.
 */
static void junit_case(secex_buf *b, const secex_diag *d, bool failed)
{
	secex_diag copy = *d;
	secex_diags one = { &copy, 1, 1, NULL };
	secex_buf line = SECEX_BUF_INIT;

	render_text(&line, &one, false);
	if (line.size)
		line.ptr[--line.size] = '\0'; /* the newline */
	secex_buf_puts(b, "    <testcase classname=\"secex\" name=\"");
	junit_case_name(b, d);
	secex_buf_puts(b, "\" time=\"0\">\n");
	if (failed) {
		secex_buf_printf(b, "      <failure type=\"%s\" message=\"", d->code);
		secex_buf_put_xml(b, d->message);
		secex_buf_puts(b, "\">");
	} else {
		secex_buf_puts(b, "      <system-out>");
	}
	secex_buf_put_xml(b, secex_buf_cstr(&line));
	secex_buf_puts(b, failed ? "</failure>\n    </testcase>\n" : "</system-out>\n    </testcase>\n");
	secex_buf_release(&line);
}

static void render_junit(secex_buf *b, const secex_diags *diags, const char *subject, secex_severity fail_level)
{
	size_t i, failures = 0;

	for (i = 0; i < diags->n; i++)
		failures += diags->items[i].severity >= fail_level;
	secex_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"");
	secex_buf_put_xml(b, subject);
	secex_buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
			 diags->n ? diags->n : 1, failures);
	for (i = 0; i < diags->n; i++)
		junit_case(b, &diags->items[i], diags->items[i].severity >= fail_level);
	if (!diags->n)
		secex_buf_puts(b, "    <testcase classname=\"secex\" name=\"no findings\" time=\"0\"/>\n");
	secex_buf_puts(b, "  </testsuite>\n</testsuites>\n");
}

static void md_cell(secex_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			secex_buf_puts(b, "\\|");
		else if (*s == '\n')
			secex_buf_putc(b, ' ');
		else
			secex_buf_putc(b, *s);
	}
}

static void render_markdown(secex_buf *b, const secex_diags *diags, const char *subject)
{
	size_t i, counts[3];

	secex_diags_count(diags, counts);
	secex_buf_printf(b, "### secex: %s\n\n", subject);
	if (!diags->n) {
		secex_buf_puts(b, "No findings.\n");
		return;
	}
	secex_buf_printf(b, "%zu error(s), %zu warning(s), %zu note(s).\n\n"
			    "| severity | code | where | finding |\n|---|---|---|---|\n",
			 counts[SECEX_SEV_ERROR], counts[SECEX_SEV_WARNING], counts[SECEX_SEV_NOTE]);
	for (i = 0; i < diags->n; i++) {
		const secex_diag *d = &diags->items[i];

		secex_buf_printf(b, "| %s | %s | ", secex_severity_name(d->severity), d->code);
		if (d->file) {
			secex_buf_putc(b, '`');
			md_cell(b, d->file);
			if (d->line)
				secex_buf_printf(b, ":%u", d->line);
			secex_buf_putc(b, '`');
		}
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
	case CLI_FORMAT_SARIF: rc = render_sarif(&b, diags); break;
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
