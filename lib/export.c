/* Exporting the exceptions: tracker CSV, JSON, and scanner suppressions (SPEC §6). */

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secex/export.h"
#include "secex/health.h"
#include "secex/policy.h"
#include "secex/yamlout.h"
#include "tracker.h"
#include "banned.h"

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
	return w.rc < 0 ? secex_error_set(SECEX_ENOMEM, "out of memory") : 0;
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
		return secex_error_set(SECEX_ENOMEM, "out of memory");
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
	x->rc |= csv_put_field(x->out, secex_buf_cstr(&word), true);
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

		if (is_decision(list->u.array.items[i]) && date && secex_when_parse(&when, date, strlen(date)) &&
		    when > latest)
			latest = when;
	}
	if (latest == INT64_MIN && field(e, "created") &&
	    !secex_when_parse(&latest, field(e, "created"), strlen(field(e, "created"))))
		latest = INT64_MIN;
	if (latest != INT64_MIN)
		day_of(day, latest);
	x->rc |= csv_put_field(x->out, day, false);
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
	x->rc |= csv_put_field(x->out, secex_buf_cstr(&names), false);
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
	if (!(line = secex_strndup(text, len))) {
		x->rc |= SECEX_ENOMEM;
		return;
	}
	x->rc |= csv_put_field(x->out, line, false);
	free(line);
}

static void csv_row(exporter *x, const secex_exception *e)
{
	const secex_node *tickets = secex_node_get(secex_doc_root(e->doc), "tickets");
	const char *link = tickets && tickets->type == SECEX_NODE_ARRAY && tickets->u.array.n
				   ? secex_node_str(tickets->u.array.items[0]) : NULL;

	put_priority(x, or_empty(field(e, "priority")));
	x->rc |= csv_put_field(x->out, or_empty(tracker_status_name(field(e, "status"))), false);
	put_decision_date(x, e);
	x->rc |= csv_put_field(x->out, or_empty(tracker_type_name(field(e, "type"))), false);
	x->rc |= csv_put_field(x->out, or_empty(field(e, "title")), false);
	x->rc |= csv_put_field(x->out, person_name(x, field(e, "risk_owner")), false);
	put_approvers(x, e);
	x->rc |= csv_put_field(x->out, link ? link : e->id, false);
	put_notes(x, e);
	x->rc |= csv_end_record(x->out);
}

static void export_csv(exporter *x)
{
	size_t i;

	for (i = 0; i < TRACKER_NCOLUMNS; i++)
		x->rc |= csv_put_field(x->out, tracker_columns[i], i == 0);
	x->rc |= csv_end_record(x->out);
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

typedef struct {
	const secex_exception *exc;
	const char *id;         /* the finding's vulnerability or rule id */
	const char *package;    /* or NULL */
	const secex_node *paths; /* array or NULL */
	int64_t due;
	size_t order;
} suppression;

static bool suppresses(const exporter *x, const secex_exception *e, int64_t *due)
{
	const char *status = field(e, "status");
	size_t i = (size_t)(e - x->snap->items);

	/* `status: approved` alone suppresses nothing: history must prove it (opts->verified) */
	return status && strcmp(status, "approved") == 0 && x->opts->verified && i < x->snap->n &&
	       x->opts->verified[i] && secex_exception_due(due, e) && *due > x->opts->now;
}

static int collect_suppressions(exporter *x, suppression **out, size_t *n)
{
	size_t i, j, cap = 0;

	*out = NULL;
	*n = 0;
	for (i = 0; i < x->n; i++) {
		const secex_node *list = secex_node_get(secex_doc_root(x->items[i]->doc), "findings");
		int64_t due;

		if (!suppresses(x, x->items[i], &due) || !list || list->type != SECEX_NODE_ARRAY)
			continue;
		for (j = 0; j < list->u.array.n; j++) {
			const secex_node *f = list->u.array.items[j];
			suppression *s;

			if (*n == cap) {
				cap = cap ? cap * 2 : 16;
				if (!(s = realloc(*out, cap * sizeof(*s))))
					return secex_error_set(SECEX_ENOMEM, "out of memory");
				*out = s;
			}
			s = &(*out)[(*n)++];
			s->exc = x->items[i];
			s->id = secex_node_str(secex_node_get(f, "id"));
			s->package = secex_node_str(secex_node_get(f, "package"));
			s->paths = secex_node_get(f, "paths");
			s->due = due;
			s->order = *n;
		}
	}
	return 0;
}

static void yq(exporter *x, const char *s)
{
	x->rc |= secex_yaml_put_quoted(x->out, s);
}

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

/* A vulnerability (CVE, GHSA, or anything with a package) rather than a misconfiguration. */
static bool is_vulnerability(const suppression *s)
{
	return s->package || strncmp(s->id, "CVE-", 4) == 0 || strncmp(s->id, "GHSA-", 5) == 0;
}

/* Appends s with a backslash before each of the characters in `special`. */
static void put_escaped(exporter *x, secex_buf *out, const char *s, const char *special)
{
	for (; *s; s++) {
		if (strchr(special, *s))
			x->rc |= secex_buf_putc(out, '\\');
		x->rc |= secex_buf_putc(out, *s);
	}
}

/* A literal path as a doublestar glob, the form Trivy matches `paths` with. */
static void put_glob_list(exporter *x, const char *indent, const secex_node *list)
{
	secex_buf glob = SECEX_BUF_INIT;
	size_t i;

	if (!list || list->type != SECEX_NODE_ARRAY || !list->u.array.n)
		return;
	x->rc |= secex_buf_printf(x->out, "%spaths:\n", indent);
	for (i = 0; i < list->u.array.n; i++) {
		secex_buf_clear(&glob);
		put_escaped(x, &glob, or_empty(secex_node_str(list->u.array.items[i])), "\\[]*?{}");
		x->rc |= secex_buf_printf(x->out, "%s  - ", indent);
		yq(x, secex_buf_cstr(&glob));
		x->rc |= secex_buf_putc(x->out, '\n');
	}
	secex_buf_release(&glob);
}

static bool is_label(const char *s, size_t len, bool underscore)
{
	size_t i;
	bool seen = false;

	for (i = 0; i < len; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (i && s[i] >= '0' && s[i] <= '9') || (i && s[i] == '_')))
			return false;
		seen |= s[i] == '_';
	}
	return len && (seen || !underscore);
}

/*
 * A Terraform resource address rather than a file: no '/', at least two dot-separated labels,
 * the first `module`, `data` or a resource type (lowercase, with an '_': aws_s3_bucket), and
 * the last not an extension of the files Trivy scans for misconfigurations.
 */
static bool is_resource_address(const char *path)
{
	static const char *const extensions[] = { "tf", "tfvars", "json", "yaml", "yml", "hcl", "toml" };
	const char *dot = strchr(path, '.'), *last = strrchr(path, '.');
	size_t i, first;

	if (!dot || strchr(path, '/'))
		return false;
	first = (size_t)(dot - path);
	if (!((first == 6 && strncmp(path, "module", 6) == 0) || (first == 4 && strncmp(path, "data", 4) == 0) ||
	      is_label(path, first, true)))
		return false;
	for (i = 0; i < COUNT(extensions); i++)
		if (strcmp(last + 1, extensions[i]) == 0)
			return false;
	return true;
}

/* Appends "EXC-0001 finding 'ID' ...: why" to the warnings and returns true when the finding
 * cannot match in Trivy: a Checkov id, or a resource address given as a path. */
static bool trivy_unmatchable(exporter *x, const suppression *s)
{
	const char *why = NULL;
	size_t i;

	if (strncmp(s->id, "CKV_", 4) == 0 || strncmp(s->id, "CKV2_", 5) == 0)
		why = "is a Checkov id, which Trivy does not use; give the finding Trivy's id (AVD-...)";
	for (i = 0; !why && s->paths && s->paths->type == SECEX_NODE_ARRAY && i < s->paths->u.array.n; i++)
		if (is_resource_address(or_empty(secex_node_str(s->paths->u.array.items[i]))))
			why = "has a resource address as a path, which Trivy matches as a file path; give the file "
			      "that declares the resource";
	if (why && x->opts->warnings)
		x->rc |= secex_buf_printf(x->opts->warnings, "left out of the trivyignore file: %s finding '%s' %s\n",
					  s->exc->id, s->id, why);
	return why != NULL;
}

static void trivy_section(exporter *x, const suppression *s, size_t n, bool vulnerabilities)
{
	size_t i, written = 0;
	char day[11];

	x->rc |= secex_buf_puts(x->out, vulnerabilities ? "vulnerabilities:" : "misconfigurations:");
	for (i = 0; i < n; i++) {
		if (is_vulnerability(&s[i]) != vulnerabilities || trivy_unmatchable(x, &s[i]))
			continue;
		x->rc |= secex_buf_puts(x->out, written++ ? "" : "\n");
		x->count++;
		put_comment(x, "  ", &s[i]);
		x->rc |= secex_buf_puts(x->out, "  - id: ");
		yq(x, s[i].id);
		x->rc |= secex_buf_putc(x->out, '\n');
		put_glob_list(x, "    ", s[i].paths);
		if (is_purl(s[i].package)) {
			x->rc |= secex_buf_puts(x->out, "    purls:\n      - ");
			yq(x, s[i].package);
			x->rc |= secex_buf_putc(x->out, '\n');
		}
		put_reason(x, "statement", "    ", &s[i]);
		day_of(day, s[i].due); /* Trivy stops ignoring at the start of that day (UTC) */
		x->rc |= secex_buf_printf(x->out, "    expired_at: %s\n", day);
	}
	x->rc |= secex_buf_puts(x->out, written ? "" : " []\n");
}

static void export_trivyignore(exporter *x, const suppression *s, size_t n)
{
	header(x, "Trivy ignore file (trivy --ignorefile .trivyignore.yaml)", "trivyignore");
	trivy_section(x, s, n, true);
	trivy_section(x, s, n, false);
}

/* Appends s[0..len) with %XX escapes decoded. */
static void decode(exporter *x, secex_buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		int hi = i + 2 < len && s[i] == '%' ? secex_hexval(s[i + 1]) : -1;
		int lo = hi >= 0 ? secex_hexval(s[i + 2]) : -1;

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

static void grype_rule(exporter *x, const suppression *s)
{
	secex_buf name = SECEX_BUF_INIT, version = SECEX_BUF_INIT, quoted = SECEX_BUF_INIT;

	put_comment(x, "  ", s);
	x->rc |= secex_buf_puts(x->out, "  - vulnerability: ");
	yq(x, s->id);
	x->rc |= secex_buf_putc(x->out, '\n');
	put_reason(x, "reason", "    ", s);
	if (is_purl(s->package))
		purl_parts(x, s->package, &name, &version);
	else if (s->package)
		x->rc |= secex_buf_puts(&name, s->package);
	if (name.size) { /* Grype matches the name as an anchored Go regular expression */
		put_escaped(x, &quoted, secex_buf_cstr(&name), "\\.+*?()|[]{}^$");
		x->rc |= secex_buf_puts(x->out, "    package:\n      name: ");
		yq(x, secex_buf_cstr(&quoted));
		x->rc |= secex_buf_putc(x->out, '\n');
	}
	if (name.size && version.size) {
		x->rc |= secex_buf_puts(x->out, "      version: ");
		yq(x, secex_buf_cstr(&version));
		x->rc |= secex_buf_putc(x->out, '\n');
	}
	secex_buf_release(&name);
	secex_buf_release(&version);
	secex_buf_release(&quoted);
}

static void export_grype(exporter *x, const suppression *s, size_t n)
{
	size_t i;

	header(x, "Grype ignore rules (.grype.yaml)", "grype");
	x->rc |= secex_buf_puts(x->out, "# Grype has no expiry of its own: regenerate this file before every scan,\n"
				"# so that an exception stops suppressing once it is due.\n");
	x->rc |= secex_buf_puts(x->out, n ? "ignore:\n" : "ignore: []\n");
	for (i = 0; i < n; i++)
		grype_rule(x, &s[i]);
}

static int cmp_finding(const void *a, const void *b)
{
	const suppression *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* One ".snyk" rule: for the whole issue ("*") when the finding names a package (Snyk's own
 * paths are dependency chains), else for each file path (Snyk IaC). */
static void snyk_rules(exporter *x, const suppression *s)
{
	bool whole = s->package || !s->paths || !s->paths->u.array.n;
	size_t i, n = whole ? 1 : s->paths->u.array.n;
	char expires[40];

	instant_of(expires, sizeof(expires), s->due, ".000Z");
	put_comment(x, "    ", s);
	for (i = 0; i < n; i++) {
		x->rc |= secex_buf_puts(x->out, "    - ");
		yq(x, whole ? "*" : or_empty(secex_node_str(s->paths->u.array.items[i])));
		x->rc |= secex_buf_puts(x->out, ":\n");
		put_reason(x, "reason", "        ", s);
		x->rc |= secex_buf_printf(x->out, "        expires: %s\n", expires);
	}
}

static void export_snyk(exporter *x, suppression *s, size_t n)
{
	size_t i;

	if (n)
		qsort(s, n, sizeof(*s), cmp_finding);
	header(x, "Snyk policy file (.snyk)", "snyk");
	x->rc |= secex_buf_puts(x->out, n ? "version: v1.25.0\nignore:\n" : "version: v1.25.0\nignore: {}\n");
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(s[i].id, s[i - 1].id) != 0) {
			x->rc |= secex_buf_puts(x->out, "  ");
			yq(x, s[i].id);
			x->rc |= secex_buf_puts(x->out, ":\n");
		}
		snyk_rules(x, &s[i]);
	}
	x->rc |= secex_buf_puts(x->out, "patch: {}\n");
}

/* Where the finding was seen, and a package that is no package URL, as status notes. */
static void vex_notes(jw *w, exporter *x, const suppression *s)
{
	secex_buf notes = SECEX_BUF_INIT;
	size_t i;

	if (s->package && !is_purl(s->package))
		x->rc |= secex_buf_printf(&notes, "package %s", s->package);
	for (i = 0; s->paths && i < s->paths->u.array.n; i++)
		x->rc |= secex_buf_printf(&notes, "%s%s", i ? ", " : notes.size ? "; found in " : "found in ",
					  or_empty(secex_node_str(s->paths->u.array.items[i])));
	if (notes.size)
		jw_member(w, "status_notes", secex_buf_cstr(&notes));
	secex_buf_release(&notes);
}

/*
 * An accepted risk is not a "not affected" fact: an exception is `affected` with its plan or
 * acceptance as action statement, and `not_affected` only when it records one of OpenVEX's
 * justifications (vex_justification). A finding without a package URL names no product and
 * is left out, with a warning.
 */
static void vex_statement(jw *w, exporter *x, const suppression *s)
{
	const char *why = field(s->exc, "vex_justification");
	bool accept = strcmp(or_empty(field(s->exc, "type")), "acceptance") == 0;
	secex_buf text = SECEX_BUF_INIT;

	if (!is_purl(s->package)) { /* a statement must name its product */
		if (x->opts->warnings)
			x->rc |= secex_buf_printf(x->opts->warnings, "left out of the OpenVEX document: %s finding '%s' "
						  "names no package URL, and a VEX statement must name its product; give "
						  "the finding a package such as pkg:npm/name@version\n", s->exc->id, s->id);
		return;
	}
	jw_item(w);
	jw_open(w, '{');
	jw_key(w, "vulnerability");
	jw_open(w, '{');
	jw_member(w, "name", s->id);
	jw_close(w, '}');
	jw_key(w, "products");
	jw_open(w, '[');
	jw_item(w);
	jw_open(w, '{');
	jw_member(w, "@id", s->package);
	jw_close(w, '}');
	jw_close(w, ']');
	jw_member(w, "status", why && *why ? "not_affected" : "affected");
	x->rc |= secex_buf_printf(&text, "%s %s in security exception %s: %s",
				  accept ? "Risk accepted until" : "Fix due by", or_empty(field(s->exc, "due_date")),
				  s->exc->id, or_empty(field(s->exc, "title")));
	if (why && *why) {
		jw_member(w, "justification", why);
		jw_member(w, "impact_statement", secex_buf_cstr(&text));
	} else {
		jw_member(w, "action_statement", secex_buf_cstr(&text));
	}
	vex_notes(w, x, s);
	jw_close(w, '}');
	secex_buf_release(&text);
}

static void export_openvex(exporter *x, const suppression *s, size_t n)
{
	secex_buf body = SECEX_BUF_INIT;
	jw b = { &body, 1, true, 0 }, w = { x->out, 0, true, 0 };
	char now[40], id[40];
	size_t i;

	instant_of(now, sizeof(now), x->opts->now, "Z");
	jw_open(&b, '[');
	for (i = 0; i < n; i++)
		vex_statement(&b, x, &s[i]);
	jw_close(&b, ']');
	snprintf(id, sizeof(id), "urn:secex:vex:%016llx",
		 (unsigned long long)(secex_hash(body.ptr, body.size) ^ secex_hash(now, strlen(now))));
	jw_open(&w, '{');
	jw_member(&w, "@context", "https://openvex.dev/ns/v0.2.0");
	jw_member(&w, "@id", id);
	jw_member(&w, "author", x->snap->policy->organization ? x->snap->policy->organization
			       : "unknown organization (set organization in .secex/policy.yaml)");
	if (!x->snap->policy->organization && x->opts->warnings)
		x->rc |= secex_buf_puts(x->opts->warnings, "the OpenVEX author must be a person or organisation: "
					"set 'organization' in .secex/policy.yaml\n");
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

static void export_suppressions(exporter *x, secex_export_format format)
{
	suppression *s = NULL;
	size_t n = 0;

	if ((x->rc = collect_suppressions(x, &s, &n)) < 0)
		goto cleanup;
	if (format == SECEX_EXPORT_TRIVYIGNORE)
		export_trivyignore(x, s, n);
	else if (format == SECEX_EXPORT_GRYPE)
		export_grype(x, s, n);
	else if (format == SECEX_EXPORT_SNYK)
		export_snyk(x, s, n);
	else
		export_openvex(x, s, n);
	if (format != SECEX_EXPORT_TRIVYIGNORE)
		x->count = n;
cleanup:
	free(s);
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
	return x.rc < 0 ? secex_error_set(SECEX_ENOMEM, "out of memory") : 0;
}
