/* Exporting the exceptions: tracker CSV, JSON, and scanner suppressions (SPEC §6). */

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secex/export.h"
#include "secex/health.h"
#include "secex/policy.h"
#include "secex/yamlout.h"
#include "tracker.h"
#include "secex/array.h"
#include "secex/banned.h"

#define COUNT(a) (sizeof(a) / sizeof(*(a)))

static const char *const format_names[] = { "csv", "json", "trivyignore", "grype", "snyk", "openvex" };

bool secex_export_format_parse(secex_export_format *out, const char *name)
{
	size_t i;

	for (i = 0; i < COUNT(format_names); i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*out = (secex_export_format)i;
			return true;
		}
	}
	return false;
}

const char *secex_export_format_names(void)
{
	return "csv, json, trivyignore, grype, snyk, openvex";
}

/* ---- JSON: one writer for documents and OpenVEX, two spaces a level ---- */

typedef struct {
	secex_buf *b;
	unsigned depth;
	bool first; /* nothing written yet in the innermost container */
	int rc;
} jw;

static void jw_newline(jw *w)
{
	unsigned i;

	w->rc |= secex_buf_putc(w->b, '\n');
	for (i = 0; i < w->depth; i++)
		w->rc |= secex_buf_puts(w->b, "  ");
}

static void jw_open(jw *w, char c)
{
	w->rc |= secex_buf_putc(w->b, c);
	w->depth++;
	w->first = true;
}

static void jw_close(jw *w, char c)
{
	w->depth--;
	if (!w->first)
		jw_newline(w);
	w->rc |= secex_buf_putc(w->b, c);
	w->first = false;
}

/* Before each array item. */
static void jw_item(jw *w)
{
	if (!w->first)
		w->rc |= secex_buf_putc(w->b, ',');
	jw_newline(w);
	w->first = false;
}

static void jw_strn(jw *w, const char *s, size_t len)
{
	w->rc |= secex_buf_putc(w->b, '"');
	w->rc |= secex_buf_put_json_string(w->b, s, len);
	w->rc |= secex_buf_putc(w->b, '"');
}

static void jw_str(jw *w, const char *s)
{
	jw_strn(w, s, strlen(s));
}

/* Before each object member's value. */
static void jw_keyn(jw *w, const char *key, size_t len)
{
	jw_item(w);
	jw_strn(w, key, len);
	w->rc |= secex_buf_puts(w->b, ": ");
}

static void jw_key(jw *w, const char *key)
{
	jw_keyn(w, key, strlen(key));
}

static void jw_member(jw *w, const char *key, const char *value)
{
	jw_key(w, key);
	jw_str(w, value);
}

/* The shortest %g text that reads back as the same double. */
static void jw_double(jw *w, double d)
{
	char text[40];

	if (!isfinite(d)) {
		w->rc |= secex_buf_puts(w->b, "null");
		return;
	}
	snprintf(text, sizeof(text), "%.15g", d);
	if (strtod(text, NULL) != d)
		snprintf(text, sizeof(text), "%.17g", d);
	w->rc |= secex_buf_puts(w->b, text);
}

static void jw_node(jw *w, const secex_node *n)
{
	size_t i;

	switch (n->type) {
	case SECEX_NODE_NULL: w->rc |= secex_buf_puts(w->b, "null"); break;
	case SECEX_NODE_BOOL: w->rc |= secex_buf_puts(w->b, n->u.boolean ? "true" : "false"); break;
	case SECEX_NODE_INT: w->rc |= secex_buf_printf(w->b, "%lld", (long long)n->u.integer); break;
	case SECEX_NODE_FLOAT: jw_double(w, n->u.number); break;
	case SECEX_NODE_STRING: jw_strn(w, n->u.string.ptr, n->u.string.len); break;
	case SECEX_NODE_ARRAY:
		jw_open(w, '[');
		for (i = 0; i < n->u.array.n; i++) {
			jw_item(w);
			jw_node(w, n->u.array.items[i]);
		}
		jw_close(w, ']');
		break;
	case SECEX_NODE_OBJECT:
		jw_open(w, '{');
		for (i = 0; i < n->u.object.n; i++) {
			jw_keyn(w, n->u.object.members[i].key, n->u.object.members[i].keylen);
			jw_node(w, n->u.object.members[i].value);
		}
		jw_close(w, '}');
		break;
	}
}

int secex_export_node_json(secex_buf *out, const secex_node *node, unsigned depth)
{
	jw w = { out, depth, true, 0 };

	jw_node(&w, node);
	return w.rc < 0 ? secex_error_nomem() : 0;
}

/* ---- what is exported ---- */

typedef struct {
	const secex_snapshot *snap;
	const secex_export_options *opts;
	const secex_exception **items; /* valid exceptions by id */
	size_t n;
	secex_buf *out;
	size_t count;
	int rc;
} exporter;

static const char *field(const secex_exception *e, const char *name)
{
	return secex_node_str(secex_node_get(secex_doc_root(e->doc), name));
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static int cmp_id(const void *a, const void *b)
{
	const secex_exception *x = *(const secex_exception *const *)a, *y = *(const secex_exception *const *)b;
	int c = strcmp(x->id, y->id);

	return c ? c : strcmp(x->path, y->path);
}

static int collect(exporter *x)
{
	size_t i;

	if (!(x->items = calloc(x->snap->n + 1, sizeof(*x->items))))
		return secex_error_nomem();
	for (i = 0; i < x->snap->n; i++)
		if (x->snap->items[i].valid && x->snap->items[i].id)
			x->items[x->n++] = &x->snap->items[i];
	qsort(x->items, x->n, sizeof(*x->items), cmp_id);
	return 0;
}

/* "YYYY-MM-DD" of the UTC day holding t. */
static void day_of(char out[11], int64_t t)
{
	secex_date_format(out, t >= 0 ? t / 86400 : (t - 86399) / 86400);
}

/* "YYYY-MM-DDTHH:MM:SS" + suffix, in UTC. */
static void instant_of(char *out, size_t len, int64_t t, const char *suffix)
{
	int64_t secs = t - (t >= 0 ? t / 86400 : (t - 86399) / 86400) * 86400;
	char day[11];

	day_of(day, t);
	snprintf(out, len, "%sT%02d:%02d:%02d%s", day, (int)(secs / 3600), (int)(secs / 60 % 60),
		 (int)(secs % 60), suffix);
}

/* ---- csv: the tracker's columns ---- */

static void put_priority(exporter *x, const char *priority)
{
	secex_buf word = SECEX_BUF_INIT;

	x->rc |= secex_buf_puts(&word, priority);
	if (word.size)
		word.ptr[0] = (char)toupper((unsigned char)word.ptr[0]);
	x->rc |= secex_csv_put_field(x->out, secex_buf_cstr(&word), true);
	secex_buf_release(&word);
}

static bool is_decision(const secex_node *entry)
{
	const char *d = secex_node_str(secex_node_get(entry, "decision"));

	return d && (strcmp(d, "approve") == 0 || strcmp(d, "deny") == 0);
}

/* The date of the latest approve or deny entry, else the day the request was created. */
static void put_decision_date(exporter *x, const secex_exception *e)
{
	const secex_node *list = secex_node_get(secex_doc_root(e->doc), "approvals");
	int64_t latest = INT64_MIN, when;
	char day[11] = "";
	size_t i;

	for (i = 0; list && list->type == SECEX_NODE_ARRAY && i < list->u.array.n; i++) {
		const char *date = secex_node_str(secex_node_get(list->u.array.items[i], "date"));

		if (is_decision(list->u.array.items[i]) && date && secex_date_when_parse(&when, date, strlen(date)) &&
		    when > latest)
			latest = when;
	}
	if (latest == INT64_MIN && field(e, "created") &&
	    !secex_date_when_parse(&latest, field(e, "created"), strlen(field(e, "created"))))
		latest = INT64_MIN;
	if (latest != INT64_MIN)
		day_of(day, latest);
	x->rc |= secex_csv_put_field(x->out, day, false);
}

static const char *person_name(const exporter *x, const char *id)
{
	const secex_person *p = x->snap->roster && id ? secex_roster_find(x->snap->roster, id) : NULL;

	return p && p->name ? p->name : or_empty(id);
}

/* Appends a name to "A and B" unless it is there already. */
static void add_name(exporter *x, secex_buf *names, secex_vec *seen, const char *id)
{
	size_t i;

	for (i = 0; i < seen->n; i++)
		if (strcmp(seen->items[i], id) == 0)
			return;
	x->rc |= secex_vec_push(seen, (void *)(uintptr_t)id) < 0 ? SECEX_ENOMEM : 0;
	if (names->size)
		x->rc |= secex_buf_puts(names, " and ");
	x->rc |= secex_buf_puts(names, person_name(x, id));
}

/* Who approved or denied; while nobody has, the approvers the tracker named. */
static void put_approvers(exporter *x, const secex_exception *e)
{
	const secex_node *root = secex_doc_root(e->doc);
	const secex_node *list = secex_node_get(root, "approvals");
	secex_buf names = SECEX_BUF_INIT;
	secex_vec seen = SECEX_VEC_INIT;
	size_t i;

	for (i = 0; list && list->type == SECEX_NODE_ARRAY && i < list->u.array.n; i++)
		if (is_decision(list->u.array.items[i]))
			add_name(x, &names, &seen, secex_node_str(secex_node_get(list->u.array.items[i], "by")));
	list = seen.n ? NULL : secex_node_get(root, "stakeholders");
	for (i = 0; list && list->type == SECEX_NODE_ARRAY && i < list->u.array.n; i++) {
		const char *how = secex_node_str(secex_node_get(list->u.array.items[i], "involvement"));

		if (how && strncmp(how, TRACKER_APPROVER_INVOLVEMENT, strlen(TRACKER_APPROVER_INVOLVEMENT)) == 0)
			add_name(x, &names, &seen, secex_node_str(secex_node_get(list->u.array.items[i], "person")));
	}
	x->rc |= secex_csv_put_field(x->out, secex_buf_cstr(&names), false);
	secex_vec_release(&seen);
	secex_buf_release(&names);
}

/* The first line of the justification, without trailing blanks. */
static void put_notes(exporter *x, const secex_exception *e)
{
	const char *text = or_empty(field(e, "justification"));
	size_t len = strcspn(text, "\n");
	char *line;

	while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r'))
		len--;
	if (!(line = secex_util_strndup(text, len))) {
		x->rc |= SECEX_ENOMEM;
		return;
	}
	x->rc |= secex_csv_put_field(x->out, line, false);
	free(line);
}

static void csv_row(exporter *x, const secex_exception *e)
{
	const secex_node *tickets = secex_node_get(secex_doc_root(e->doc), "tickets");
	const char *link = tickets && tickets->type == SECEX_NODE_ARRAY && tickets->u.array.n
				   ? secex_node_str(tickets->u.array.items[0]) : NULL;

	put_priority(x, or_empty(field(e, "priority")));
	x->rc |= secex_csv_put_field(x->out, or_empty(secex_tracker_status_name(field(e, "status"))), false);
	put_decision_date(x, e);
	x->rc |= secex_csv_put_field(x->out, or_empty(secex_tracker_type_name(field(e, "type"))), false);
	x->rc |= secex_csv_put_field(x->out, or_empty(field(e, "title")), false);
	x->rc |= secex_csv_put_field(x->out, person_name(x, field(e, "risk_owner")), false);
	put_approvers(x, e);
	x->rc |= secex_csv_put_field(x->out, link ? link : e->id, false);
	put_notes(x, e);
	x->rc |= secex_csv_end_record(x->out);
}

static void export_csv(exporter *x)
{
	size_t i;

	for (i = 0; i < TRACKER_NCOLUMNS; i++)
		x->rc |= secex_csv_put_field(x->out, secex_tracker_columns[i], i == 0);
	x->rc |= secex_csv_end_record(x->out);
	for (i = 0; i < x->n; i++)
		csv_row(x, x->items[i]);
	x->count = x->n;
}

static void export_json(exporter *x)
{
	jw w = { x->out, 0, true, 0 };
	size_t i;

	jw_open(&w, '{');
	jw_key(&w, "version");
	w.rc |= secex_buf_puts(w.b, "1");
	jw_key(&w, "exceptions");
	jw_open(&w, '[');
	for (i = 0; i < x->n; i++) {
		jw_item(&w);
		jw_node(&w, secex_doc_root(x->items[i]->doc));
	}
	jw_close(&w, ']');
	jw_close(&w, '}');
	w.rc |= secex_buf_putc(w.b, '\n');
	x->rc |= w.rc;
	x->count = x->n;
}

/* ---- suppressions: the findings of approved exceptions not yet due ---- */

static const char *const scanner_names[] = { "Trivy", "Grype", "Snyk", "OpenVEX" };
static const char *const scanner_keys[] = { "trivy", "grype", "snyk", NULL };

typedef struct {
	const secex_exception *exc;
	const char *id;       /* the id this scanner uses for the finding */
	const char *finding;  /* the finding's own id */
	const char *package;  /* or NULL */
	const secex_node *aliases; /* object or NULL */
	secex_vec paths;      /* the file paths this scanner can match (const char *) */
	int64_t due;
	size_t order;
} suppression;

typedef struct {
	suppression *items;
	size_t n, cap;
} suppressions;

static void suppressions_release(suppressions *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		secex_vec_release(&s->items[i].paths);
	free(s->items);
}

static bool suppresses(const exporter *x, const secex_exception *e, int64_t *due)
{
	const char *status = field(e, "status");
	size_t i = (size_t)(e - x->snap->items);

	/* `status: approved` alone suppresses nothing: history must prove it (opts->verified) */
	return status && strcmp(status, "approved") == 0 && x->opts->verified && i < x->snap->n &&
	       x->opts->verified[i] && secex_health_due(due, e) && *due > x->opts->now;
}

/* One line for the caller to show, "EXC-0009: finding 'CKV_AWS_18' ...". */
static void warn(exporter *x, const secex_exception *e, const char *finding, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void warn(exporter *x, const secex_exception *e, const char *finding, const char *fmt, ...)
{
	va_list ap;

	if (!x->opts->warnings)
		return;
	x->rc |= secex_buf_printf(x->opts->warnings, "%s: finding '%s' ", e->id, finding);
	va_start(ap, fmt);
	x->rc |= secex_buf_vprintf(x->opts->warnings, fmt, ap);
	va_end(ap);
	x->rc |= secex_buf_putc(x->opts->warnings, '\n');
}

static bool starts_with_any(const char *id, const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (strncmp(id, *prefixes, strlen(*prefixes)) == 0)
			return true;
	return false;
}

static bool is_vulnerability_id(const char *id)
{
	static const char *const prefixes[] = { "CVE-", "GHSA-", "GO-", "RUSTSEC-", "PYSEC-", "DLA-", "DSA-",
						"USN-", "ALAS", "RHSA-", "ELSA-", "OSV-", NULL };

	return starts_with_any(id, prefixes);
}

/* Trivy's check ids: AVD-AWS-0086, AWS-0086 (v0.69 on), KSV001, KSV-0001, DS002. */
static bool is_trivy_check_id(const char *id)
{
	size_t letters, digits;

	if (strncmp(id, "AVD-", 4) == 0)
		id += 4;
	for (letters = 0; id[letters] >= 'A' && id[letters] <= 'Z'; letters++)
		;
	id += letters;
	id += *id == '-';
	digits = strspn(id, "0123456789");
	return letters >= 2 && letters <= 6 && digits >= 3 && digits <= 5 && !id[digits];
}

/* Whether the scanner reports findings under this id, so an entry keyed by it can match. */
static bool scanner_uses(secex_export_format format, const char *id)
{
	static const char *const grype[] = { "CVE-", "GHSA-", "ALAS", "ELSA-", "RHSA-", NULL };
	static const char *const snyk[] = { "SNYK-", "snyk:lic:", NULL };

	switch (format) {
	case SECEX_EXPORT_TRIVYIGNORE: return is_vulnerability_id(id) || is_trivy_check_id(id);
	case SECEX_EXPORT_GRYPE: return starts_with_any(id, grype);
	case SECEX_EXPORT_SNYK: return starts_with_any(id, snyk);
	default: return true;
	}
}

static const char *scanner_name(secex_export_format format)
{
	return scanner_names[format - SECEX_EXPORT_TRIVYIGNORE];
}

/*
 * A Terraform resource address (aws_s3_bucket.assets, module.cdn.aws_s3_bucket.logs), which
 * no scanner's ignore file matches as a path: no '/', a provider_type before a dot, and no
 * file extension after it.
 */
static bool is_resource_address(const char *path)
{
	static const char *const extensions[] = { "tf", "tfvars", "hcl", "json", "yaml", "yml", "toml", "lock",
						  "xml", "txt", "js", "ts", "py", "go", "mod", "sum", "jar",
						  "cfg", "conf", "ini", "sh", "md", "properties", NULL };
	const char *dot, *last, *type = path;
	size_t i;

	if (strchr(path, '/') || !(dot = strchr(path, '.')))
		return false;
	while (strncmp(type, "module.", 7) == 0 && strchr(type + 7, '.'))
		type = strchr(type + 7, '.') + 1;
	if (strncmp(type, "data.", 5) == 0)
		type += 5;
	dot = strchr(type, '.');
	if (!dot || !memchr(type, '_', (size_t)(dot - type)) || strspn(type, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
	    (size_t)(dot - type))
		return false;
	last = strrchr(path, '.') + 1;
	for (i = 0; extensions[i]; i++)
		if (strcmp(last, extensions[i]) == 0)
			return false;
	return true;
}

/* The finding's paths the scanner can match; false (after a warning) when none is left of many. */
static bool file_paths(exporter *x, suppression *s, const secex_node *paths, secex_export_format format, bool quiet)
{
	size_t i, kept = 0;

	for (i = 0; paths && paths->type == SECEX_NODE_ARRAY && i < paths->u.array.n; i++) {
		const char *p = or_empty(secex_node_str(paths->u.array.items[i]));

		if (format != SECEX_EXPORT_OPENVEX && is_resource_address(p)) {
			if (!quiet)
				warn(x, s->exc, s->finding, "path '%s' is left out of the %s file: it is a resource address, and "
				     "%s matches file paths; give the file that defines it (infra/main.tf)", p,
				     scanner_name(format), scanner_name(format));
			continue;
		}
		x->rc |= secex_vec_push(&s->paths, (void *)(uintptr_t)p) < 0 ? SECEX_ENOMEM : 0;
		kept++;
	}
	if (i && !kept && !quiet)
		warn(x, s->exc, s->finding, "is left out of the %s file: none of its paths is a file path, and "
		     "without paths it would match everywhere", scanner_name(format));
	return !i || kept;
}

static suppression *push(exporter *x, suppressions *all)
{
	suppression *s;

	if (!(s = secex_array_grow(all->items, &all->cap, all->n, sizeof(*s), 16))) {
		x->rc |= SECEX_ENOMEM;
		return NULL;
	}
	all->items = s;
	s = &all->items[all->n++];
	memset(s, 0, sizeof(*s));
	s->order = all->n;
	return s;
}

/* One suppression per id the scanner uses for finding f (its aliases, else its id). */
static void add_finding(exporter *x, suppressions *all, const secex_exception *e, const secex_node *f,
			secex_export_format format, int64_t due)
{
	const secex_node *aliases = secex_node_get(f, "aliases");
	const char *key = scanner_keys[format - SECEX_EXPORT_TRIVYIGNORE];
	const secex_node *alias = key ? secex_node_get(aliases, key) : NULL;
	const char *id = or_empty(secex_node_str(secex_node_get(f, "id")));
	size_t i, n = !alias ? 1 : alias->type == SECEX_NODE_ARRAY ? alias->u.array.n : 1;

	if (!alias && !scanner_uses(format, id)) {
		warn(x, e, id, "is left out of the %s file: %s does not report findings under that id; add the "
		     "id it uses to the finding as 'aliases: {%s: ID}'", scanner_name(format), scanner_name(format), key);
		return;
	}
	for (i = 0; i < n; i++) {
		const secex_node *one = alias && alias->type == SECEX_NODE_ARRAY ? alias->u.array.items[i] : alias;
		suppression *s = push(x, all);

		if (!s)
			return;
		s->exc = e;
		s->finding = id;
		s->id = one ? or_empty(secex_node_str(one)) : id;
		s->package = secex_node_str(secex_node_get(f, "package"));
		s->aliases = aliases;
		s->due = due;
		if (!file_paths(x, s, secex_node_get(f, "paths"), format, i > 0)) {
			secex_vec_release(&s->paths);
			all->n--;
			return;
		}
	}
}

static void collect_suppressions(exporter *x, suppressions *all, secex_export_format format)
{
	size_t i, j;

	for (i = 0; i < x->n; i++) {
		const secex_node *list = secex_node_get(secex_doc_root(x->items[i]->doc), "findings");
		int64_t due;

		if (!suppresses(x, x->items[i], &due) || !list || list->type != SECEX_NODE_ARRAY)
			continue;
		for (j = 0; j < list->u.array.n && x->rc >= 0; j++)
			add_finding(x, all, x->items[i], list->u.array.items[j], format, due);
	}
}

static const char *path_at(const suppression *s, size_t i)
{
	return s->paths.items[i];
}

static void yq(exporter *x, const char *s)
{
	x->rc |= secex_yamlout_put_quoted(x->out, s);
}

/* Appends s with a backslash before each character in special. */
static void escaped(exporter *x, secex_buf *out, const char *s, const char *special)
{
	for (; *s; s++) {
		if (strchr(special, *s))
			x->rc |= secex_buf_putc(out, '\\');
		x->rc |= secex_buf_putc(out, *s);
	}
}

/* Appends s quoted, with the characters in special escaped by a backslash first. */
static void yq_escaped(exporter *x, const char *prefix, const char *s, const char *special)
{
	secex_buf text = SECEX_BUF_INIT;

	x->rc |= secex_buf_puts(&text, prefix);
	escaped(x, &text, s, special);
	yq(x, secex_buf_cstr(&text));
	secex_buf_release(&text);
}

/* The metacharacters of a doublestar glob (Trivy's paths, Grype's package.location). */
#define GLOB_SPECIAL "\\[]*?{}"
/* The metacharacters of Go's regexp (Grype's package.name), as regexp.QuoteMeta escapes them. */
#define REGEX_SPECIAL "\\.+*?()|[]{}^$"

/* "EXC-0001: <title>", the reason every format gives. */
static void put_reason(exporter *x, const char *key, const char *indent, const suppression *s)
{
	secex_buf text = SECEX_BUF_INIT;

	x->rc |= secex_buf_printf(&text, "%s: %s", s->exc->id, or_empty(field(s->exc, "title")));
	x->rc |= secex_buf_printf(x->out, "%s%s: ", indent, key);
	yq(x, secex_buf_cstr(&text));
	x->rc |= secex_buf_putc(x->out, '\n');
	secex_buf_release(&text);
}

/* "# EXC-0001: critical extension, approved, due 2026-12-03T17:00:00Z" */
static void put_comment(exporter *x, const char *indent, const suppression *s)
{
	x->rc |= secex_buf_printf(x->out, "%s# %s: %s %s, approved, due %s\n", indent, s->exc->id,
				  or_empty(field(s->exc, "priority")), or_empty(field(s->exc, "type")),
				  or_empty(field(s->exc, "due_date")));
	if (strcmp(s->id, s->finding) != 0)
		x->rc |= secex_buf_printf(x->out, "%s# (finding %s)\n", indent, s->finding);
}

static bool is_purl(const char *package)
{
	return package && strncmp(package, "pkg:", 4) == 0;
}

static void header(exporter *x, const char *what, const char *format)
{
	char today[11];

	day_of(today, x->opts->now);
	x->rc |= secex_buf_printf(x->out, "# %s, written by 'secex export --format %s' on %s\n"
				  "# from the findings of the approved security exceptions that are not yet due.\n"
				  "# Regenerate it rather than editing it.\n", what, format, today);
}

/* A vulnerability (anything with a package, or an advisory id) rather than a misconfiguration. */
static bool is_vulnerability(const suppression *s)
{
	return s->package || is_vulnerability_id(s->id);
}

static void trivy_entry(exporter *x, const suppression *s)
{
	char day[11];
	size_t i;

	put_comment(x, "  ", s);
	x->rc |= secex_buf_puts(x->out, "  - id: ");
	yq(x, s->id);
	x->rc |= secex_buf_putc(x->out, '\n');
	if (s->paths.n)
		x->rc |= secex_buf_puts(x->out, "    paths:\n");
	for (i = 0; i < s->paths.n; i++) {
		x->rc |= secex_buf_puts(x->out, "      - ");
		yq_escaped(x, "", path_at(s, i), GLOB_SPECIAL);
		x->rc |= secex_buf_putc(x->out, '\n');
	}
	if (is_purl(s->package)) {
		x->rc |= secex_buf_puts(x->out, "    purls:\n      - ");
		yq(x, s->package);
		x->rc |= secex_buf_putc(x->out, '\n');
	}
	put_reason(x, "statement", "    ", s);
	day_of(day, s->due); /* Trivy stops ignoring at the start of that day (UTC) */
	x->rc |= secex_buf_printf(x->out, "    expired_at: %s\n", day);
}

static void trivy_section(exporter *x, const suppressions *all, bool vulnerabilities)
{
	size_t i, written = 0;

	x->rc |= secex_buf_puts(x->out, vulnerabilities ? "vulnerabilities:" : "misconfigurations:");
	for (i = 0; i < all->n; i++) {
		if (is_vulnerability(&all->items[i]) != vulnerabilities)
			continue;
		x->rc |= secex_buf_puts(x->out, written++ ? "" : "\n");
		trivy_entry(x, &all->items[i]);
	}
	x->rc |= secex_buf_puts(x->out, written ? "" : " []\n");
}

static void export_trivyignore(exporter *x, const suppressions *all)
{
	header(x, "Trivy ignore file (trivy --ignorefile .trivyignore.yaml)", "trivyignore");
	trivy_section(x, all, true);
	trivy_section(x, all, false);
}
/* Appends s[0..len) with %XX escapes decoded. */
static void decode(exporter *x, secex_buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		int hi = i + 2 < len && s[i] == '%' ? secex_util_hexval(s[i + 1]) : -1;
		int lo = hi >= 0 ? secex_util_hexval(s[i + 2]) : -1;

		if (lo >= 0) {
			x->rc |= secex_buf_putc(out, (char)(hi * 16 + lo));
			i += 2;
		} else {
			x->rc |= secex_buf_putc(out, s[i]);
		}
	}
}

static const char *last_of(const char *s, const char *end, char c)
{
	const char *found = NULL;

	for (; s < end; s++)
		if (*s == c)
			found = s;
	return found;
}

/*
 * The package name and version Grype matches, from a package URL
 * (pkg:type/namespace/name@version?qualifiers#subpath). Go modules, npm packages and
 * PHP Composer packages are named with their namespace; others by the name alone.
 */
static void purl_parts(exporter *x, const char *purl, secex_buf *name, secex_buf *version)
{
	static const char *const with_namespace[] = { "golang/", "npm/", "composer/" };
	const char *p = purl + 4, *end, *type_end, *slash, *at;
	size_t i;
	bool joined = false;

	while (*p == '/')
		p++;
	end = p + strcspn(p, "?#");
	if (!(type_end = memchr(p, '/', (size_t)(end - p)))) {
		decode(x, name, p, (size_t)(end - p));
		return;
	}
	slash = last_of(type_end, end, '/');
	if ((at = last_of(slash + 1, end, '@')))
		decode(x, version, at + 1, (size_t)(end - at - 1));
	end = at ? at : end;
	for (i = 0; i < COUNT(with_namespace); i++)
		joined |= strncmp(p, with_namespace[i], strlen(with_namespace[i])) == 0;
	if (joined && slash > type_end) {
		decode(x, name, type_end + 1, (size_t)(slash - type_end - 1));
		x->rc |= secex_buf_putc(name, '/');
	}
	decode(x, name, slash + 1, (size_t)(end - slash - 1));
}

/* One Grype rule; location: a path of the finding, or NULL. */
static void grype_rule(exporter *x, const suppression *s, const secex_buf *name, const secex_buf *version,
		       const char *location)
{
	put_comment(x, "  ", s);
	x->rc |= secex_buf_puts(x->out, "  - vulnerability: ");
	yq(x, s->id);
	x->rc |= secex_buf_putc(x->out, '\n');
	put_reason(x, "reason", "    ", s);
	if (name->size || location)
		x->rc |= secex_buf_puts(x->out, "    package:\n");
	if (name->size) {
		x->rc |= secex_buf_puts(x->out, "      name: ");
		yq_escaped(x, "", secex_buf_cstr(name), REGEX_SPECIAL); /* Grype: an anchored regexp */
		x->rc |= secex_buf_putc(x->out, '\n');
	}
	if (name->size && version->size) {
		x->rc |= secex_buf_puts(x->out, "      version: ");
		yq(x, secex_buf_cstr(version));
		x->rc |= secex_buf_putc(x->out, '\n');
	}
	if (location) { /* a doublestar glob over Syft's absolute locations */
		x->rc |= secex_buf_puts(x->out, "      location: ");
		yq_escaped(x, *location == '/' ? "" : "/", location, GLOB_SPECIAL);
		x->rc |= secex_buf_putc(x->out, '\n');
	}
}

/* The rules of one finding: one per path it was found in, else one. */
static void grype_rules(exporter *x, const suppression *s)
{
	secex_buf name = SECEX_BUF_INIT, version = SECEX_BUF_INIT;
	size_t i;

	if (is_purl(s->package))
		purl_parts(x, s->package, &name, &version);
	else if (s->package)
		x->rc |= secex_buf_puts(&name, s->package);
	for (i = 0; i < s->paths.n; i++)
		grype_rule(x, s, &name, &version, path_at(s, i));
	if (!s->paths.n)
		grype_rule(x, s, &name, &version, NULL);
	secex_buf_release(&name);
	secex_buf_release(&version);
}

static void export_grype(exporter *x, const suppressions *all)
{
	size_t i;

	header(x, "Grype ignore rules (.grype.yaml)", "grype");
	x->rc |= secex_buf_puts(x->out, "# Grype has no expiry of its own: regenerate this file before every scan,\n"
				"# so that an exception stops suppressing once it is due.\n");
	x->rc |= secex_buf_puts(x->out, all->n ? "ignore:\n" : "ignore: []\n");
	for (i = 0; i < all->n; i++)
		grype_rules(x, &all->items[i]);
}

static int cmp_finding(const void *a, const void *b)
{
	const suppression *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* One ".snyk" rule: for the whole issue ("*") when the finding names a package (Snyk's own
 * paths are dependency chains) or no path, else for each file path (Snyk IaC). */
static void snyk_rules(exporter *x, const suppression *s)
{
	bool whole = s->package || !s->paths.n;
	size_t i, n = whole ? 1 : s->paths.n;
	char expires[40];

	instant_of(expires, sizeof(expires), s->due, ".000Z");
	put_comment(x, "    ", s);
	for (i = 0; i < n; i++) {
		x->rc |= secex_buf_puts(x->out, "    - ");
		yq(x, whole ? "*" : path_at(s, i));
		x->rc |= secex_buf_puts(x->out, ":\n");
		put_reason(x, "reason", "        ", s);
		x->rc |= secex_buf_printf(x->out, "        expires: %s\n", expires);
	}
}

static void export_snyk(exporter *x, suppressions *all)
{
	suppression *s = all->items;
	size_t i;

	if (all->n)
		qsort(s, all->n, sizeof(*s), cmp_finding);
	header(x, "Snyk policy file (.snyk)", "snyk");
	x->rc |= secex_buf_puts(x->out, all->n ? "version: v1.25.0\nignore:\n" : "version: v1.25.0\nignore: {}\n");
	for (i = 0; i < all->n; i++) {
		if (i == 0 || strcmp(s[i].id, s[i - 1].id) != 0) {
			x->rc |= secex_buf_puts(x->out, "  ");
			yq(x, s[i].id);
			x->rc |= secex_buf_puts(x->out, ":\n");
		}
		snyk_rules(x, &s[i]);
	}
	x->rc |= secex_buf_puts(x->out, "patch: {}\n");
}

/* ---- OpenVEX ---- */

/* The exception, and where the finding was seen, as status notes. */
static void vex_notes(jw *w, exporter *x, const suppression *s)
{
	secex_buf notes = SECEX_BUF_INIT;
	size_t i;

	x->rc |= secex_buf_printf(&notes, "security exception %s (%s %s, approved, due %s)", s->exc->id,
				  or_empty(field(s->exc, "priority")), or_empty(field(s->exc, "type")),
				  or_empty(field(s->exc, "due_date")));
	for (i = 0; i < s->paths.n; i++)
		x->rc |= secex_buf_printf(&notes, "%s%s", i ? ", " : "; found in ", path_at(s, i));
	jw_member(w, "status_notes", secex_buf_cstr(&notes));
	secex_buf_release(&notes);
}

/* A text field on one line (line breaks as spaces), or NULL. */
static char *one_line(const secex_exception *e, const char *name)
{
	const char *text = field(e, name);
	char *line = text && *text ? secex_util_strndup(text, strlen(text)) : NULL, *p;
	size_t len;

	for (p = line; p && *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	for (len = line ? strlen(line) : 0; len && line[len - 1] == ' '; len--)
		line[len - 1] = '\0';
	return line;
}

/* What the exception says will happen: the fix and its date, or the acceptance and its review. */
static void vex_action(jw *w, exporter *x, const suppression *s)
{
	bool accept = strcmp(or_empty(field(s->exc, "type")), "acceptance") == 0;
	char *plan = one_line(s->exc, "remediation_plan");
	secex_buf text = SECEX_BUF_INIT;

	if (accept)
		x->rc |= secex_buf_printf(&text, "Risk accepted without a fix until %s, then reviewed again "
					  "(security exception %s: %s).", or_empty(field(s->exc, "due_date")), s->exc->id,
					  or_empty(field(s->exc, "title")));
	else
		x->rc |= secex_buf_printf(&text, "Fix due by %s (security exception %s: %s).",
					  or_empty(field(s->exc, "due_date")), s->exc->id, or_empty(field(s->exc, "title")));
	if (plan)
		x->rc |= secex_buf_printf(&text, " Plan: %s", plan);
	jw_member(w, "action_statement", secex_buf_cstr(&text));
	free(plan);
	secex_buf_release(&text);
}

/* Every alias of the finding other than the statement's name, for vulnerability.aliases. */
static void vex_aliases(jw *w, const suppression *s)
{
	size_t i, j, n, written = 0;

	for (i = 0; s->aliases && s->aliases->type == SECEX_NODE_OBJECT && i < s->aliases->u.object.n; i++) {
		const secex_node *v = s->aliases->u.object.members[i].value;

		n = v->type == SECEX_NODE_ARRAY ? v->u.array.n : 1;
		for (j = 0; j < n; j++) {
			const char *id = secex_node_str(v->type == SECEX_NODE_ARRAY ? v->u.array.items[j] : v);

			if (!id || strcmp(id, s->id) == 0)
				continue;
			if (!written++) {
				jw_key(w, "aliases");
				jw_open(w, '[');
			}
			jw_item(w);
			jw_str(w, id);
		}
	}
	if (written)
		jw_close(w, ']');
}

static void vex_products(jw *w, exporter *x, const suppression *s)
{
	jw_key(w, "products");
	jw_open(w, '[');
	jw_item(w);
	jw_open(w, '{');
	jw_member(w, "@id", x->opts->product ? x->opts->product : s->package);
	if (x->opts->product) {
		jw_key(w, "subcomponents");
		jw_open(w, '[');
		jw_item(w);
		jw_open(w, '{');
		jw_member(w, "@id", s->package);
		jw_close(w, '}');
		jw_close(w, ']');
	}
	jw_close(w, '}');
	jw_close(w, ']');
}

/*
 * not_affected only with the justification the exception records; otherwise affected, with
 * what the exception plans as action statement: an accepted risk is still a risk.
 */
static void vex_statement(jw *w, exporter *x, const suppression *s)
{
	const char *justification = field(s->exc, "vex_justification");

	jw_item(w);
	jw_open(w, '{');
	jw_key(w, "vulnerability");
	jw_open(w, '{');
	jw_member(w, "name", s->id);
	vex_aliases(w, s);
	jw_close(w, '}');
	vex_products(w, x, s);
	jw_member(w, "status", justification ? "not_affected" : "affected");
	if (justification)
		jw_member(w, "justification", justification);
	else
		vex_action(w, x, s);
	vex_notes(w, x, s);
	jw_close(w, '}');
}

static const char *vex_author(exporter *x)
{
	const char *org = x->snap->policy ? x->snap->policy->organization : NULL;

	if (!org && x->opts->warnings)
		x->rc |= secex_buf_puts(x->opts->warnings, "the policy names no organization, so the OpenVEX author is '"
					SECEX_VEX_UNKNOWN_AUTHOR "'; set 'organization' in " SECEX_POLICY_PATH
					" (Example Corp <security@example.com>)\n");
	return org ? org : SECEX_VEX_UNKNOWN_AUTHOR;
}

static void export_openvex(exporter *x, const suppressions *all)
{
	secex_buf body = SECEX_BUF_INIT;
	jw b = { &body, 1, true, 0 }, w = { x->out, 0, true, 0 };
	const char *author = vex_author(x);
	char now[40], id[40];
	size_t i;

	instant_of(now, sizeof(now), x->opts->now, "Z");
	jw_open(&b, '[');
	for (i = 0; i < all->n; i++)
		vex_statement(&b, x, &all->items[i]);
	jw_close(&b, ']');
	snprintf(id, sizeof(id), "urn:secex:vex:%016llx",
		 (unsigned long long)(secex_map_hash(body.ptr, body.size) ^ secex_map_hash(now, strlen(now)) ^
				      secex_map_hash(author, strlen(author))));
	jw_open(&w, '{');
	jw_member(&w, "@context", "https://openvex.dev/ns/v0.2.0");
	jw_member(&w, "@id", id);
	jw_member(&w, "author", author);
	jw_member(&w, "role", "security exception register");
	jw_member(&w, "timestamp", now);
	jw_key(&w, "version");
	w.rc |= secex_buf_puts(w.b, "1");
	jw_member(&w, "tooling", "secex export --format openvex");
	jw_key(&w, "statements");
	w.rc |= secex_buf_put(w.b, secex_buf_cstr(&body), body.size);
	jw_close(&w, '}');
	w.rc |= secex_buf_putc(w.b, '\n');
	x->rc |= w.rc | b.rc;
	secex_buf_release(&body);
}

/* OpenVEX identifies products by package URL: a finding without one states nothing. */
static void drop_unidentified(exporter *x, suppressions *all)
{
	size_t i, kept = 0;

	for (i = 0; i < all->n; i++) {
		if (is_purl(all->items[i].package)) {
			all->items[kept++] = all->items[i];
			continue;
		}
		warn(x, all->items[i].exc, all->items[i].finding, "is left out of the OpenVEX document: a statement "
		     "needs a product, and the finding has no package URL; set its 'package' (pkg:npm/name@1.2.3)");
		secex_vec_release(&all->items[i].paths);
	}
	all->n = kept;
}

static void export_suppressions(exporter *x, secex_export_format format)
{
	suppressions all = { NULL, 0, 0 };

	collect_suppressions(x, &all, format);
	if (x->rc < 0)
		goto cleanup;
	if (format == SECEX_EXPORT_TRIVYIGNORE)
		export_trivyignore(x, &all);
	else if (format == SECEX_EXPORT_GRYPE)
		export_grype(x, &all);
	else if (format == SECEX_EXPORT_SNYK)
		export_snyk(x, &all);
	else {
		drop_unidentified(x, &all);
		export_openvex(x, &all);
	}
	x->count = all.n;
cleanup:
	suppressions_release(&all);
}
int secex_export_write(secex_buf *out, size_t *count, const secex_snapshot *snap,
		       secex_export_format format, const secex_export_options *opts)
{
	exporter x = { snap, opts, NULL, 0, out, 0, 0 };

	if (!opts || opts->version != SECEX_EXPORT_OPTIONS_VERSION)
		return secex_error_set(SECEX_EINVALID, "secex_export_options: wrong version");
	if ((x.rc = collect(&x)) < 0)
		goto cleanup;
	if (format == SECEX_EXPORT_CSV)
		export_csv(&x);
	else if (format == SECEX_EXPORT_JSON)
		export_json(&x);
	else
		export_suppressions(&x, format);
	if (count)
		*count = x.count;
cleanup:
	free(x.items);
	return x.rc < 0 ? secex_error_nomem() : 0;
}
