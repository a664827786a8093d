/* Creating an exception: ids, defaults, field checks, the file's text and its validation. */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "secex/new.h"
#include "secex/policy.h"
#include "secex/schema.h"
#include "secex/yamlout.h"
#include "secex/path.h"
#include "secex/banned.h"

#define TITLE_MAX 200 /* code points, as exception.schema.json says */

/* ---- ids ---- */

static bool id_allowed(const secex_new_ids *ids, const char *id)
{
	secex_node n;
	bool valid = false;

	memset(&n, 0, sizeof(n));
	n.type = SECEX_NODE_STRING;
	n.u.string.ptr = id;
	n.u.string.len = strlen(id);
	return secex_schema_validate(&valid, ids->snap->policy->id_schema, &n, "", NULL, NULL) == 0 && valid;
}

/* Reads a pattern of the form ^PREFIX[0-9]{N,}$ into the prefix and N; false for any other. */
static bool pattern_form(secex_new_ids *ids, const char *p)
{
	unsigned long width = 1;
	int rc = 0;

	if (*p++ != '^')
		return false;
	while (*p && strncmp(p, "[0-9]", 5) != 0 && strncmp(p, "\\d", 2) != 0) {
		if (*p == '\\' && p[1] && strchr(".-_/:#", p[1]))
			p++;
		else if (!isalnum((unsigned char)*p) && !strchr("-_/:#", *p))
			return false;
		rc |= secex_buf_putc(&ids->prefix, *p++);
	}
	if (!*p || rc)
		return false;
	p += *p == '[' ? 5 : 2;
	if (*p == '{') {
		char *end;

		width = strtoul(p + 1, &end, 10);
		p = end;
		if (*p == ',')
			p += 1 + strspn(p + 1, "0123456789");
		if (*p++ != '}')
			return false;
	} else if (*p == '+' || *p == '*') {
		p++;
	}
	if (strcmp(p, "$") != 0 || width > 18)
		return false;
	ids->width = width ? (int)width : 1;
	return true;
}

static bool pattern_form_known(const secex_new_ids *ids)
{
	return ids->form_known;
}

/* Keeps the number of an id (or file name without extension) that matches the pattern, when
 * it is the highest so far; with an unknown pattern form, the form of that id too. */
static int consider(secex_new_ids *ids, bool form_known, const char *id, size_t len)
{
	char *copy = secex_util_strndup(id, len);
	size_t digits = 0, plen = ids->prefix.size;
	unsigned long long num;
	int rc = 0;

	SECEX_ERROR_CHECK_ALLOC(copy);
	while (digits < len && isdigit((unsigned char)id[len - 1 - digits]))
		digits++;
	if (digits && digits <= 18 && id_allowed(ids, copy) &&
	    (!form_known || (len - digits == plen && strncmp(id, secex_buf_cstr(&ids->prefix), plen) == 0)) &&
	    (num = strtoull(copy + len - digits, NULL, 10)) >= ids->last) {
		ids->last = num;
		if (!form_known) {
			ids->width = (int)digits;
			secex_buf_clear(&ids->prefix);
			rc = secex_buf_put(&ids->prefix, id, len - digits);
		}
	}
	free(copy);
	return rc;
}

int secex_new_ids_init(secex_new_ids *ids, const secex_snapshot *snap)
{
	bool form_known;
	size_t i;
	int rc = 0;

	memset(ids, 0, sizeof(*ids));
	ids->snap = snap;
	if (!snap->policy_ok || !snap->policy->id_schema)
		return secex_error_set(SECEX_EINVALID, "%s does not validate, so no id can be chosen; run "
				       "'secex validate' and fix it first", SECEX_POLICY_PATH);
	if (!(form_known = ids->form_known = pattern_form(ids, snap->policy->id_pattern))) {
		secex_buf_clear(&ids->prefix);
		rc = secex_buf_puts(&ids->prefix, "EXC-");
		ids->width = 4;
	}
	for (i = 0; i < snap->n && rc == 0; i++) {
		const secex_exception *e = &snap->items[i];
		const char *base = strrchr(e->path, '/');

		base = base ? base + 1 : e->path;
		rc = consider(ids, form_known, base, strcspn(base, "."));
		if (rc == 0 && e->id)
			rc = consider(ids, form_known, e->id, strlen(e->id));
	}
	return rc;
}

int secex_new_ids_consider(secex_new_ids *ids, const char *name)
{
	const char *base = strrchr(name, '/');

	base = base ? base + 1 : name;
	return consider(ids, pattern_form_known(ids), base, strcspn(base, "."));
}

static bool name_taken(const char *dir, const char *id)
{
	secex_buf path = SECEX_BUF_INIT;
	struct stat st;
	bool taken = false;
	const char *ext;
	size_t i;

	for (i = 0; (ext = secex_path_exception_ext(i)) && !taken && dir; i++) {
		secex_buf_clear(&path);
		if (secex_buf_printf(&path, "%s/%s%s", dir, id, ext) == 0)
			taken = lstat(path.ptr, &st) == 0;
	}
	secex_buf_release(&path);
	return taken;
}

int secex_new_ids_next(secex_buf *out, secex_new_ids *ids, const char *dir)
{
	for (;;) {
		secex_buf_clear(out);
		if (secex_buf_printf(out, "%s%0*llu", secex_buf_cstr(&ids->prefix), ids->width, ++ids->last) < 0)
			return SECEX_ENOMEM;
		if (!id_allowed(ids, out->ptr))
			return secex_error_set(SECEX_EINVALID, "cannot choose an id: '%s' does not match the "
					       "policy's id_pattern '%s'; create the first exception by hand, and "
					       "the next ones are numbered after it", out->ptr,
					       ids->snap->policy->id_pattern);
		if (!name_taken(dir, out->ptr))
			return 0;
	}
}

void secex_new_ids_release(secex_new_ids *ids)
{
	secex_buf_release(&ids->prefix);
}

/* ---- defaults ---- */

int secex_new_default_due(char *out, const secex_policy *policy, const char *priority, int64_t created)
{
	const secex_level *level = priority ? secex_policy_level(policy, priority) : NULL;
	int64_t sla, due;

	if (!level)
		return SECEX_ENOTFOUND;
	sla = level->sla > 0 ? level->sla : 86400;
	if (level->max_duration > 0 && sla > level->max_duration)
		sla = level->max_duration;
	due = created * 86400 + sla;
	secex_date_format(out, due / 86400);
	if (due % 86400)
		snprintf(out + 10, 14, "T%02d:%02d:00Z", (int)(due % 86400 / 3600), (int)(due % 3600 / 60));
	return 0;
}

void secex_new_finding_parse(secex_new_finding *out, char *text)
{
	char *comma = strchr(text, ',');

	out->id = text;
	out->package = NULL;
	out->paths = NULL;
	out->npaths = 0;
	if (comma) {
		*comma = '\0';
		out->package = comma + 1;
	}
}

/* ---- checking one field ---- */

typedef struct {
	secex_diags *diags;
	const secex_snapshot *snap;
	const secex_new_fields *f;
	const char *field, *value, *path;
} check;

static int problem(const check *c, const char *code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int problem(const check *c, const char *code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = secex_diag_vadd(c->diags, code, c->path, 0, 0, c->f->id, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

static bool blank_text(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

static int check_title(const check *c)
{
	size_t points = secex_utf8_length(c->value, strlen(c->value));

	if (blank_text(c->value))
		return problem(c, "SX110", "the title is empty; write one precise line naming the risk and what is asked");
	if (strpbrk(c->value, "\r\n"))
		return problem(c, "SX110", "the title must be one line; put the detail in the summary");
	if (isspace((unsigned char)c->value[0]))
		return problem(c, "SX110", "the title starts with white space; remove it");
	if (points > TITLE_MAX)
		return problem(c, "SX110", "the title is %zu characters long, more than %d; shorten it and put "
			       "the detail in the summary", points, TITLE_MAX);
	return 0;
}

static int check_type(const check *c)
{
	if (strcmp(c->value, "extension") == 0 || strcmp(c->value, "acceptance") == 0)
		return 0;
	return problem(c, "SX110", "type '%s' is not extension or acceptance; use extension to delay the fix, "
		       "acceptance to accept the risk without a fix", c->value);
}

static int check_priority(const check *c)
{
	const secex_policy *p = c->snap->policy;
	secex_buf names = SECEX_BUF_INIT;
	size_t i;
	int rc = 0;

	if (secex_policy_level(p, c->value))
		return 0;
	for (i = 0; i < p->nlevels && rc == 0; i++)
		rc = secex_buf_printf(&names, "%s%s", i ? ", " : "", p->levels[i].name);
	if (rc == 0)
		rc = problem(c, "SX122", "priority '%s' is not a level of the policy; use one of %s", c->value,
			     secex_buf_cstr(&names));
	secex_buf_release(&names);
	return rc;
}

/* One person field: in the roster and active (a requestor may have left), with a did-you-mean. */
static int check_person(const check *c)
{
	const char *what = strcmp(c->field, "risk_owner") == 0 ? "risk owner" : c->field;
	const secex_roster *roster = c->snap->roster;
	const secex_person *p;

	if (strcmp(c->field, "assignee") == 0 && strcmp(c->value, "unassigned") == 0)
		return 0;
	if (!roster)
		return problem(c, "SX121", "there is no usable roster (%s) to find %s '%s' in; run 'secex "
			       "validate' and fix it", SECEX_PEOPLE_PATH, what, c->value);
	if ((p = secex_roster_find(roster, c->value))) {
		if (p->active || strcmp(c->field, "requestor") == 0)
			return 0;
		return problem(c, strcmp(c->field, "assignee") == 0 ? "SX502" : "SX503",
			       "%s '%s' has departed (%s)%s%s; secex health will report it", what, c->value,
			       SECEX_PEOPLE_PATH, p->manager ? ": their manager is " : "", p->manager ? p->manager : "");
	}
	if ((p = secex_roster_similar(roster, c->value)))
		return problem(c, "SX121", "%s '%s' is not a roster id; did you mean '%s'?", what, c->value, p->id);
	return problem(c, "SX121", "%s '%s' is not in the roster (%s); use a person's id from there, or "
		       "ask a secex admin to add them", what, c->value, SECEX_PEOPLE_PATH);
}

static bool when_of(int64_t *out, const char *s)
{
	return s && secex_date_when_parse(out, s, strlen(s));
}

/* due_date against created (order and the level's max_duration) and, for an extension,
 * original_due_date. */
static int check_due(const check *c, const char *due_s)
{
	const secex_new_fields *f = c->f;
	const secex_level *level = f->priority ? secex_policy_level(c->snap->policy, f->priority) : NULL;
	int64_t due, created, orig;
	char limit[24];

	if (!when_of(&due, due_s) || !when_of(&created, f->created))
		return 0;
	if (due <= created)
		return problem(c, "SX123", "due_date '%s' is not after created '%s' (today); set a later date",
			       due_s, f->created);
	if (level && due - created > level->max_duration) {
		secex_duration_format(limit, sizeof(limit), level->max_duration);
		return problem(c, "SX124", "due_date '%s' is more than %s after created '%s', the longest a '%s' "
			       "exception may last; choose an earlier date or split the work", due_s, limit,
			       f->created, level->name);
	}
	if (f->type && strcmp(f->type, "extension") == 0 && when_of(&orig, f->original_due_date) && due <= orig)
		return problem(c, "SX123", "due_date '%s' is not after original_due_date '%s'; an extension "
			       "must move the date later", due_s, f->original_due_date);
	return 0;
}

static int check_date(const check *c)
{
	int64_t when;

	if (!when_of(&when, c->value))
		return problem(c, "SX123", "%s '%s' is not a date; write YYYY-MM-DD or an RFC 3339 date-time "
			       "(2026-12-20T17:00:00Z)", c->field, c->value);
	if (strcmp(c->field, "due_date") == 0)
		return check_due(c, c->value);
	return c->f->due_date ? check_due(c, c->f->due_date) : 0;
}

static int check_text(const check *c)
{
	if (!blank_text(c->value))
		return 0;
	return problem(c, "SX110", "%s is empty; write %s", c->field,
		       strcmp(c->field, "pros") == 0 ? "a benefit of granting the exception" :
		       strcmp(c->field, "cons") == 0 ? "a cost or risk of granting the exception" : "some text");
}

static int check_word(const check *c)
{
	const char *what = strcmp(c->field, "tickets") == 0 ? "ticket" : "finding id";

	if (*c->value && !c->value[strcspn(c->value, " \t\r\n")])
		return 0;
	return problem(c, "SX110", "%s '%s' is empty or holds white space; give an id or a URL, no spaces",
		       what, c->value);
}

static const struct {
	const char *field;
	int (*fn)(const check *c);
} checks[] = {
	{ "title", check_title },
	{ "type", check_type },
	{ "priority", check_priority },
	{ "requestor", check_person },
	{ "risk_owner", check_person },
	{ "assignee", check_person },
	{ "original_due_date", check_date },
	{ "due_date", check_date },
	{ "summary", check_text },
	{ "justification", check_text },
	{ "pros", check_text },
	{ "cons", check_text },
	{ "remediation_plan", check_text },
	{ "tickets", check_word },
	{ "findings", check_word },
};

int secex_new_check_field(secex_diags *diags, const secex_snapshot *snap, const secex_new_fields *f,
			  const char *field, const char *value, const char *path)
{
	check c = { diags, snap, f, field, value, path };
	size_t i, bad;

	for (i = 0; i < sizeof(checks) / sizeof(*checks); i++) {
		if (strcmp(checks[i].field, field) != 0)
			continue;
		if (!secex_utf8_valid(value, strlen(value), &bad))
			return problem(&c, "SX106", "%s is not valid UTF-8 (byte %zu); write it in UTF-8", field, bad + 1);
		return checks[i].fn(&c);
	}
	return secex_error_set(SECEX_EINVALID, "no field '%s' to check", field);
}

/* ---- the text ---- */

/* "key: value" at indent; nothing for a NULL value. */
static int put_key(secex_buf *b, size_t indent, const char *key, const char *value, secex_yaml_kind kind)
{
	int rc;

	if (!value)
		return 0;
	if ((rc = secex_buf_printf(b, "%*s%s: ", (int)indent, "", key)) < 0)
		return rc;
	return secex_yamlout_put_value(b, value, kind, indent + strlen(key) + 2, indent + 2);
}

/* Dates plain, as people write them (secex reads them as strings); anything else as a LINE. */
static int put_date(secex_buf *b, const char *key, const char *value)
{
	int64_t when;

	if (value && when_of(&when, value) && !strpbrk(value, " \t\r\n#"))
		return secex_buf_printf(b, "%s: %s\n", key, value);
	return put_key(b, 0, key, value, SECEX_YAML_LINE);
}

/* "key:" and a block list of the items, the dashes indent + 2 in. */
static int put_list(secex_buf *b, size_t indent, const char *key, const char *const *items, size_t n,
		    secex_yaml_kind kind)
{
	size_t i;
	int rc = n ? secex_buf_printf(b, "%*s%s:\n", (int)indent, "", key) : 0;

	for (i = 0; i < n && rc == 0; i++)
		if ((rc = secex_buf_printf(b, "%*s- ", (int)indent + 2, "")) == 0)
			rc = secex_yamlout_put_value(b, items[i], kind, indent + 4, indent + 4);
	return rc;
}

static int put_findings(secex_buf *b, const secex_new_finding *findings, size_t n)
{
	size_t i;
	int rc = n ? secex_buf_puts(b, "findings:\n") : 0;

	for (i = 0; i < n && rc == 0; i++)
		if ((rc = secex_buf_puts(b, "  - ")) == 0 && (rc = put_key(b, 0, "id", findings[i].id, SECEX_YAML_LINE)) == 0 &&
		    (rc = put_key(b, 4, "package", findings[i].package, SECEX_YAML_LINE)) == 0)
			rc = put_list(b, 4, "paths", findings[i].paths, findings[i].npaths, SECEX_YAML_LINE);
	return rc;
}

int secex_new_text(secex_buf *b, const secex_new_fields *f)
{
	int rc = 0;

	if (!f || f->version != SECEX_NEW_FIELDS_VERSION)
		return secex_error_set(SECEX_EINVALID, "secex_new_fields: wrong version");
	rc |= put_key(b, 0, "id", f->id, SECEX_YAML_LINE);
	rc |= put_key(b, 0, "title", f->title, SECEX_YAML_LINE);
	rc |= put_key(b, 0, "type", f->type, SECEX_YAML_LINE);
	rc |= put_key(b, 0, "priority", f->priority, SECEX_YAML_LINE);
	rc |= put_key(b, 0, "status", "requested", SECEX_YAML_LINE);
	rc |= put_key(b, 0, "requestor", f->requestor, SECEX_YAML_LINE);
	rc |= put_key(b, 0, "risk_owner", f->risk_owner, SECEX_YAML_LINE);
	rc |= put_key(b, 0, "assignee", f->assignee, SECEX_YAML_LINE);
	rc |= put_date(b, "created", f->created);
	rc |= put_date(b, "original_due_date", f->original_due_date);
	rc |= put_date(b, "due_date", f->due_date);
	rc |= put_list(b, 0, "tickets", f->tickets, f->ntickets, SECEX_YAML_LINE);
	rc |= put_findings(b, f->findings, f->nfindings);
	rc |= put_key(b, 0, "summary", f->summary, SECEX_YAML_TEXT);
	rc |= put_key(b, 0, "justification", f->justification, SECEX_YAML_TEXT);
	if (f->npros || f->ncons)
		rc |= secex_buf_puts(b, "impact:\n");
	rc |= put_list(b, 2, "pros", f->pros, f->npros, SECEX_YAML_TEXT);
	rc |= put_list(b, 2, "cons", f->cons, f->ncons, SECEX_YAML_TEXT);
	rc |= put_key(b, 0, "remediation_plan", f->remediation_plan, SECEX_YAML_TEXT);
	return rc ? secex_error_nomem() : 0;
}

/* ---- validating the file ---- */

int secex_new_check(secex_diags *diags, const secex_snapshot *snap, const char *path, const char *text,
		    size_t len)
{
	secex_diags found = SECEX_DIAGS_INIT;
	secex_exception *items = calloc(snap->n + 1, sizeof(*items)), *e;
	secex_snapshot view = *snap;
	size_t i;
	int rc = 0;

	SECEX_ERROR_CHECK_ALLOC(items);
	if (snap->n)
		memcpy(items, snap->items, snap->n * sizeof(*items));
	e = &items[snap->n];
	e->path = (char *)(uintptr_t)path;
	if ((rc = secex_yaml_parse(&e->doc, text, len, path, &found)) < 0 || !e->doc)
		goto cleanup;
	e->id = secex_node_str(secex_node_get(secex_doc_root(e->doc), "id"));
	if ((rc = secex_snapshot_check_schema(&e->valid, snap, secex_doc_root(e->doc), path, e->id, &found)) < 0)
		goto cleanup;
	view.items = items;
	view.n = snap->n + 1;
	rc = secex_validate_snapshot(&view, &found);
cleanup:
	for (i = 0; i < found.n && rc == 0; i++) {
		const secex_diag *d = &found.items[i];

		if ((d->file && strcmp(d->file, path) == 0) || (d->exception && e->id && strcmp(d->exception, e->id) == 0))
			rc = secex_diag_add(diags, d->code, d->file, d->line, d->column, d->exception, d->commit,
					     "%s", d->message);
	}
	secex_doc_free(e->doc);
	free(items);
	secex_diag_release(&found);
	return rc;
}
