/* Importing the tracker spreadsheet (SPEC §6): each row becomes an exception file. */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "secex/import.h"
#include "secex/new.h"
#include "secex/policy.h"
#include "secex/schema.h"
#include "secex/util.h"
#include "secex/yamlout.h"
#include "tracker.h"
#include "secex/banned.h"

#define TITLE_MAX 200 /* code points, as exception.schema.json says */

typedef struct {
	const secex_snapshot *snap;
	const secex_import_options *opts;
	const char *source;                 /* the CSV's base name, for the files' text */
	secex_diags *diags;
	secex_import_plan *plan;
	size_t column_of[TRACKER_NCOLUMNS]; /* 1-based field number in the CSV; 0 when absent */
	size_t ncolumns;                    /* fields of the header */
	secex_new_ids ids;                  /* the next free ids */
	secex_map titles;                   /* title -> id of the exception that has it */
	int rc;                             /* negative once out of memory */
} importer;

typedef struct {
	const char *cell[TRACKER_NCOLUMNS]; /* "" when the column is absent */
	uint32_t line;
	const secex_level *level;
	const char *status, *type;
	int64_t created;                    /* days */
	const secex_person *owner, *requestor;
	secex_vec approvers;                /* const secex_person * */
	secex_vec tickets;                  /* char *, owned */
	char *title;                        /* owned */
	size_t errors;                      /* error findings on this row */
	size_t todo;
} row;

/* ---- findings ---- */

static void vfinding(importer *im, row *r, uint32_t line, size_t field, const char *code,
		     const char *fmt, va_list ap)
#if defined(__GNUC__)
	__attribute__((format(printf, 6, 0)))
#endif
	;

static void vfinding(importer *im, row *r, uint32_t line, size_t field, const char *code,
		     const char *fmt, va_list ap)
{
	if (secex_diag_vadd(im->diags, code, im->opts->source, line, field ? (uint32_t)field : 1, NULL, NULL, fmt,
			     ap) < 0)
		im->rc = SECEX_ENOMEM;
	else if (r && im->diags->items[im->diags->n - 1].severity == SECEX_SEV_ERROR)
		r->errors++;
}

/* A finding on a cell of the row (column TRACKER_*, or -1 for the whole row). */
static void finding(importer *im, row *r, int column, const char *code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

static void finding(importer *im, row *r, int column, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfinding(im, r, r->line, column >= 0 ? im->column_of[column] : 0, code, fmt, ap);
	va_end(ap);
}

/* A finding at a position of the file, outside any mapped row. */
static void finding_at(importer *im, uint32_t line, size_t field, const char *code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

static void finding_at(importer *im, uint32_t line, size_t field, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfinding(im, NULL, line, field, code, fmt, ap);
	va_end(ap);
}

/* ---- the header ---- */

static int column_named(const char *name)
{
	int i;

	for (i = 0; i < TRACKER_NCOLUMNS; i++)
		if (strcasecmp(name, secex_tracker_columns[i]) == 0)
			return i;
	return -1;
}

static bool read_header(importer *im, const csv_record *rec)
{
	static const int required[] = { TRACKER_PRIORITY, TRACKER_STATUS, TRACKER_TYPE,
					TRACKER_DESCRIPTION, TRACKER_RISK_OWNER };
	size_t i, before = im->diags->n;

	im->ncolumns = rec->fields.n;
	for (i = 0; i < rec->fields.n; i++) {
		const char *name = rec->fields.items[i];
		int c = column_named(name);

		if (c >= 0 && !im->column_of[c])
			im->column_of[c] = i + 1;
		else
			finding_at(im, rec->line, i + 1, "SX111", "column '%s' is %s and is not imported; the "
				   "tracker's columns are Priority, Status, Decision date, Type of request, "
				   "Description, Risk Owner, Risk Approvers, Exception Link, Notes", name,
				   c >= 0 ? "given twice" : "not a tracker column");
	}
	for (i = 0; i < sizeof(required) / sizeof(*required); i++)
		if (!im->column_of[required[i]])
			finding_at(im, rec->line, 0, "SX110", "the header has no '%s' column; add it (the first "
				   "line must name the tracker's columns)", secex_tracker_columns[required[i]]);
	for (i = before; i < im->diags->n; i++)
		if (im->diags->items[i].severity == SECEX_SEV_ERROR)
			return false;
	return true;
}

/* ---- ids ---- */

/* The next free id after the highest in use, in the same form. */
static int next_id(importer *im, secex_buf *out)
{
	return secex_new_ids_next(out, &im->ids, im->opts->dir);
}

/* ---- people ---- */

/* The roster's person whose id, name or e-mail is cell (any case); *n counts matches. */
static const secex_person *match_person(const secex_roster *roster, const char *cell, size_t *n)
{
	const secex_person *found = NULL;
	size_t i;

	*n = 0;
	for (i = 0; i < roster->n; i++) {
		const secex_person *p = &roster->people[i];

		if (strcasecmp(p->id, cell) == 0 || (p->name && strcasecmp(p->name, cell) == 0) ||
		    (p->email && strcasecmp(p->email, cell) == 0)) {
			if (!found)
				found = p;
			(*n)++;
		}
	}
	return found;
}

static const secex_person *person(importer *im, row *r, int column, const char *what, const char *cell)
{
	size_t n;
	const secex_person *p = match_person(im->snap->roster, cell, &n);

	if (n == 1)
		return p;
	if (n > 1)
		finding(im, r, column, "SX121", "%s '%s' matches %zu people of the roster; write the roster id "
			"instead", what, cell, n);
	else
		finding(im, r, column, "SX121", "%s '%s' is not in the roster by id, name or e-mail; add them "
			"to .secex/people.yaml or write their roster id", what, cell);
	return NULL;
}

/* The length of the separator between approver names at s (" and ", ',', '&', ';'), or 0. */
static size_t separator(const char *s)
{
	if (*s == ',' || *s == '&' || *s == ';' || *s == '\n')
		return 1;
	return strncasecmp(s, " and ", 5) == 0 ? 5 : 0;
}

static void map_approvers(importer *im, row *r)
{
	const char *s = r->cell[TRACKER_APPROVERS];

	while (*s) {
		size_t len = 0, sep = 0;
		char *name;

		while (s[len] && !(sep = separator(s + len)))
			len++;
		sep = s[len] ? separator(s + len) : 0;
		if ((name = secex_util_strndup(s, len))) {
			char *start = name + strspn(name, " \t"), *end = start + strlen(start);
			const secex_person *p;

			while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
				*--end = '\0';
			if (*start && (p = person(im, r, TRACKER_APPROVERS, "risk approver", start)))
				im->rc |= secex_vec_push(&r->approvers, (void *)(uintptr_t)p);
		}
		im->rc |= name ? 0 : SECEX_ENOMEM;
		free(name);
		s += len + sep;
	}
}

/* ---- cells ---- */

static const secex_level *level_named(const secex_policy *policy, const char *name)
{
	size_t i;

	for (i = 0; i < policy->nlevels; i++)
		if (strcasecmp(policy->levels[i].name, name) == 0)
			return &policy->levels[i];
	return NULL;
}

static void level_names(const secex_policy *policy, secex_buf *out)
{
	size_t i;

	for (i = 0; i < policy->nlevels; i++)
		secex_buf_printf(out, "%s%s", i ? ", " : "", policy->levels[i].name);
}

static void map_priority(importer *im, row *r)
{
	secex_buf names = SECEX_BUF_INIT;
	const char *cell = r->cell[TRACKER_PRIORITY];

	if ((r->level = level_named(im->snap->policy, cell)))
		return;
	level_names(im->snap->policy, &names);
	if (*cell)
		finding(im, r, TRACKER_PRIORITY, "SX122", "priority '%s' is not a level of the policy; use one "
			"of %s", cell, secex_buf_cstr(&names));
	else
		finding(im, r, TRACKER_PRIORITY, "SX122", "the priority is empty; write one of %s",
			secex_buf_cstr(&names));
	secex_buf_release(&names);
}

static void map_words(importer *im, row *r)
{
	const char *status = r->cell[TRACKER_STATUS], *type = r->cell[TRACKER_TYPE];

	if (!(r->status = secex_tracker_status_parse(status)))
		finding(im, r, TRACKER_STATUS, "SX110", "status '%s' is not one the tracker uses; write "
			"Pending, Approved, Denied, Withdrawn or Closed", status);
	if (!(r->type = secex_tracker_type_parse(type)))
		finding(im, r, TRACKER_TYPE, "SX110", "type of request '%s' is unknown; write 'Risk extension' "
			"(delay the fix) or 'Accept risk without fix'", type);
}

static void map_date(importer *im, row *r)
{
	const char *cell = r->cell[TRACKER_DECISION_DATE];
	bool decided = r->status && (strcmp(r->status, "approved") == 0 || strcmp(r->status, "denied") == 0);

	r->created = (im->opts->now >= 0 ? im->opts->now : im->opts->now - 86399) / 86400;
	if (*cell && !secex_tracker_date_parse(&r->created, cell))
		finding(im, r, TRACKER_DECISION_DATE, "SX123", "decision date '%s' is not a date; write "
			"M/D/YYYY or YYYY-MM-DD", cell);
	else if (!*cell && decided)
		finding(im, r, TRACKER_DECISION_DATE, "SX111", "the decision date is empty, so the recorded "
			"decisions are dated today; correct their dates in the file");
}

/* The title: the description's first line, cut to TITLE_MAX code points. */
static void map_title(importer *im, row *r)
{
	const char *desc = r->cell[TRACKER_DESCRIPTION] + strspn(r->cell[TRACKER_DESCRIPTION], " \t\r\n");
	size_t len = 0, points = 0;

	if (!*desc) {
		finding(im, r, TRACKER_DESCRIPTION, "SX110", "the description is empty; write one line that "
			"names the risk and what is asked");
		return;
	}
	while (desc[len] && desc[len] != '\n' && desc[len] != '\r' && points < TITLE_MAX + 1) {
		len++;
		while (((unsigned char)desc[len] & 0xc0) == 0x80)
			len++;
		points++;
	}
	if (desc[len] || points > TITLE_MAX)
		finding(im, r, TRACKER_DESCRIPTION, "SX111", "the description is longer than a title may be "
			"(one line, %d characters): the title holds its beginning and the summary all of it; "
			"shorten the title", TITLE_MAX);
	if (points > TITLE_MAX) /* back off the last code point */
		while (len && ((unsigned char)desc[--len] & 0xc0) == 0x80)
			;
	while (len && (desc[len - 1] == ' ' || desc[len - 1] == '\t'))
		len--;
	if (!(r->title = secex_util_strndup(desc, len)))
		im->rc = SECEX_ENOMEM;
}

static void map_tickets(importer *im, row *r)
{
	const char *s = r->cell[TRACKER_LINK];

	while (*(s += strspn(s, " \t\n\r"))) {
		size_t len = strcspn(s, " \t\n\r"), i;
		bool seen = false;

		for (i = 0; i < r->tickets.n; i++)
			seen |= strlen(r->tickets.items[i]) == len && strncmp(r->tickets.items[i], s, len) == 0;
		if (!seen) {
			char *ticket = secex_util_strndup(s, len);

			im->rc |= ticket && secex_vec_push(&r->tickets, ticket) == 0 ? 0 : SECEX_ENOMEM;
			if (im->rc < 0)
				free(ticket);
		}
		s += len;
	}
}

static void map_people(importer *im, row *r)
{
	const char *owner = r->cell[TRACKER_RISK_OWNER];

	if (!*owner)
		finding(im, r, TRACKER_RISK_OWNER, "SX121", "the risk owner is empty; write who is accountable "
			"for the risk (roster id, name or e-mail)");
	else
		r->owner = person(im, r, TRACKER_RISK_OWNER, "risk owner", owner);
	r->requestor = im->opts->requestor ? secex_roster_find(im->snap->roster, im->opts->requestor) : r->owner;
	map_approvers(im, r);
	if (r->status && !r->approvers.n && !*r->cell[TRACKER_APPROVERS] &&
	    (strcmp(r->status, "approved") == 0 || strcmp(r->status, "denied") == 0))
		finding(im, r, TRACKER_APPROVERS, "SX111", "the row is %s but names no risk approver, so no "
			"decision is recorded; add who decided", r->status);
}

/* Checks every cell is UTF-8; false (with a finding) when one is not. */
static bool utf8_cells(importer *im, row *r)
{
	size_t i, bad;

	for (i = 0; i < TRACKER_NCOLUMNS; i++)
		if (!secex_utf8_valid(r->cell[i], strlen(r->cell[i]), &bad))
			finding(im, r, (int)i, "SX106", "the %s cell is not valid UTF-8 (byte %zu); save the "
				"spreadsheet as UTF-8 CSV", secex_tracker_columns[i], bad + 1);
	return r->errors == 0;
}

static void map_row(importer *im, row *r)
{
	if (!utf8_cells(im, r))
		return;
	map_priority(im, r);
	map_words(im, r);
	map_date(im, r);
	map_title(im, r);
	map_tickets(im, r);
	map_people(im, r);
}

/* ---- the file ---- */

static void put_q(importer *im, secex_buf *b, const char *s)
{
	im->rc |= secex_yamlout_put_quoted(b, s);
}

/* Whether s reads back as the same string when written plain, in YAML 1.1 and 1.2 alike:
 * a letter, then letters, digits, '.', '_' and '-', and no word YAML reads as null or bool. */
static bool plain_ok(const char *s)
{
	static const char *const words[] = { "null", "true", "false", "yes", "no", "on", "off", "y", "n" };
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	size_t i;

	if (!isalpha((unsigned char)*s) || strspn(s, chars) != strlen(s))
		return false;
	for (i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (strcasecmp(s, words[i]) == 0)
			return false;
	return true;
}

static void put_value(importer *im, secex_buf *b, const char *value)
{
	if (plain_ok(value))
		im->rc |= secex_buf_puts(b, value);
	else
		put_q(im, b, value);
	im->rc |= secex_buf_putc(b, '\n');
}

/* "indent key: value"; key may be "- key" for the first key of a list item. */
static void put_field(importer *im, secex_buf *b, const char *indent, const char *key, const char *value)
{
	im->rc |= secex_buf_printf(b, "%s%s: ", indent, key);
	put_value(im, b, value);
}

/* "indent- value" */
static void put_item(importer *im, secex_buf *b, const char *indent, const char *value)
{
	im->rc |= secex_buf_printf(b, "%s- ", indent);
	put_value(im, b, value);
}

/* key: "TODO: what" (or the list item "- TODO: what" when key is NULL): one placeholder
 * the user must replace. */
static void put_todo(importer *im, row *r, secex_buf *b, const char *indent, const char *key,
		     const char *what)
{
	secex_buf text = SECEX_BUF_INIT;

	im->rc |= secex_buf_printf(&text, "TODO: %s", what);
	if (key)
		put_field(im, b, indent, key, secex_buf_cstr(&text));
	else
		put_item(im, b, indent, secex_buf_cstr(&text));
	secex_buf_release(&text);
	r->todo++;
}

static void put_date(importer *im, secex_buf *b, const char *key, int64_t days, const char *todo)
{
	char date[11];

	secex_date_format(date, days);
	im->rc |= secex_buf_printf(b, "%s: %s%s%s\n", key, date, todo ? "  # TODO: " : "", todo ? todo : "");
}

static void put_head(importer *im, row *r, secex_buf *b, const char *id)
{
	char today[11];

	secex_date_format(today, (im->opts->now >= 0 ? im->opts->now : im->opts->now - 86399) / 86400);
	im->rc |= secex_buf_printf(b, "# Imported by 'secex import' from %s row %u on %s.\n"
				   "# Replace every TODO below: the tracker does not hold those fields.\n",
				   im->source, r->line, today);
	put_field(im, b, "", "id", id);
	put_field(im, b, "", "title", r->title);
	put_field(im, b, "", "type", r->type);
	put_field(im, b, "", "priority", r->level->name);
	put_field(im, b, "", "status", r->status);
	put_field(im, b, "", "requestor", r->requestor->id);
	put_field(im, b, "", "risk_owner", r->owner->id);
}

/* created is the decision date; due_date the level's SLA later (at most its max_duration). */
static void put_dates(importer *im, row *r, secex_buf *b)
{
	int64_t days = r->level->sla / 86400;

	if (r->level->max_duration >= 86400 && days > r->level->max_duration / 86400)
		days = r->level->max_duration / 86400;
	put_date(im, b, "created", r->created, NULL);
	if (strcmp(r->type, "extension") == 0) {
		put_date(im, b, "original_due_date", r->created,
			 "the remediation date before this request; the tracker does not have it");
		r->todo++;
	}
	put_date(im, b, "due_date", r->created + (days > 0 ? days : 1),
		 "the tracker has no due date: this is created plus the level's SLA; set the real one");
	r->todo++;
}

static void put_texts(importer *im, row *r, secex_buf *b)
{
	secex_buf what = SECEX_BUF_INIT;
	size_t i;

	if (r->tickets.n)
		im->rc |= secex_buf_puts(b, "tickets:\n");
	for (i = 0; i < r->tickets.n; i++)
		put_item(im, b, "  ", r->tickets.items[i]);
	im->rc |= secex_buf_printf(&what, "imported from %s row %u; describe the security issue and its "
				   "impact on the company, its customers, their data and its employees. The "
				   "tracker's description: %s", im->source, r->line, r->cell[TRACKER_DESCRIPTION]);
	put_todo(im, r, b, "", "summary", secex_buf_cstr(&what));
	if (*r->cell[TRACKER_NOTES])
		put_field(im, b, "", "justification", r->cell[TRACKER_NOTES]);
	else
		put_todo(im, r, b, "", "justification", "the tracker row has no notes; say why the exception is needed");
	im->rc |= secex_buf_puts(b, "impact:\n  pros:\n");
	put_todo(im, r, b, "    ", NULL, "the benefits of granting this exception");
	im->rc |= secex_buf_puts(b, "  cons:\n");
	put_todo(im, r, b, "    ", NULL, "the costs and risks of granting this exception");
	if (strcmp(r->type, "extension") == 0)
		put_todo(im, r, b, "", "remediation_plan", "the steps, owners and dates of the fix");
	secex_buf_release(&what);
}

/* Approvers of an approved or denied row become their decisions; of any other row, stakeholders. */
static void put_approvers(importer *im, row *r, secex_buf *b)
{
	bool approve = strcmp(r->status, "approved") == 0, deny = strcmp(r->status, "denied") == 0;
	char date[11];
	size_t i;

	if (!r->approvers.n)
		return;
	secex_date_format(date, r->created);
	im->rc |= secex_buf_puts(b, approve || deny ? "approvals:\n" : "stakeholders:\n");
	for (i = 0; i < r->approvers.n; i++) {
		const secex_person *p = r->approvers.items[i];

		if (!approve && !deny) {
			put_field(im, b, "", "  - person", p->id);
			put_field(im, b, "    ", "involvement", TRACKER_APPROVER_INVOLVEMENT "; no decision recorded");
			continue;
		}
		put_field(im, b, "", "  - by", p->id);
		put_field(im, b, "    ", "decision", approve ? "approve" : "deny");
		im->rc |= secex_buf_printf(b, "    date: %s\n    comment: ", date);
		put_q(im, b, "recorded in the tracker before secex and not signed: it counts once given "
		      "again with 'secex approve'");
		im->rc |= secex_buf_putc(b, '\n');
	}
}

static void build_file(importer *im, row *r, secex_buf *b, const char *id)
{
	put_head(im, r, b, id);
	put_dates(im, r, b);
	put_texts(im, r, b);
	put_approvers(im, r, b);
}

/* Loads and validates the planned text as `secex validate` would; problems become findings
 * on the row. */
static int check_file(importer *im, row *r, const char *name, const char *id, const secex_buf *text)
{
	secex_diags found = SECEX_DIAGS_INIT;
	secex_exception exc;
	const secex_schema *schema;
	size_t i;
	int rc;

	memset(&exc, 0, sizeof(exc));
	exc.path = (char *)(uintptr_t)name;
	exc.id = id;
	if ((rc = secex_yaml_parse(&exc.doc, text->ptr, text->size, name, &found)) < 0 ||
	    (rc = secex_snapshot_builtin_schema(&schema, "exception")) < 0)
		goto cleanup;
	if (exc.doc &&
	    (rc = secex_schema_validate(&exc.valid, schema, secex_doc_root(exc.doc), name, id, &found)) < 0)
		goto cleanup;
	if (exc.doc && (rc = secex_validate_exception(im->snap, &exc, &found)) < 0)
		goto cleanup;
	for (i = 0; i < found.n; i++)
		finding(im, r, -1, found.items[i].code, "the file for this row would not validate (%s line %u): "
			"%s", name, found.items[i].line, found.items[i].message);
cleanup:
	secex_doc_free(exc.doc);
	secex_diag_release(&found);
	return rc;
}

static char *file_name(const char *id)
{
	secex_buf b = SECEX_BUF_INIT;

	if (secex_buf_printf(&b, "%s.yaml", id) < 0) {
		secex_buf_release(&b);
		return NULL;
	}
	return secex_buf_detach(&b);
}

static int add_file(importer *im, row *r, const char *id, secex_buf *text)
{
	secex_import_plan *plan = im->plan;
	secex_import_file *f, *files = realloc(plan->files, (plan->n + 1) * sizeof(*files));

	SECEX_ERROR_CHECK_ALLOC(files);
	plan->files = files;
	f = &files[plan->n];
	f->id = secex_util_strndup(id, strlen(id));
	f->name = file_name(id);
	f->text = secex_buf_detach(text);
	f->row = r->line;
	f->todo = r->todo;
	if (!f->id || !f->text || !f->name) {
		free(f->id);
		free(f->text);
		free(f->name);
		return secex_error_nomem();
	}
	plan->n++;
	return secex_map_put(&im->titles, r->title, strlen(r->title), f->id);
}

/* ---- rows ---- */

static void row_release(row *r)
{
	size_t i;

	for (i = 0; i < r->tickets.n; i++)
		free(r->tickets.items[i]);
	secex_vec_release(&r->tickets);
	secex_vec_release(&r->approvers);
	free(r->title);
}

/* Whether the row's title is an exception's already; then it is skipped with a warning. */
static bool imported_before(importer *im, row *r)
{
	const char *id = r->title ? secex_map_get(&im->titles, r->title, strlen(r->title)) : NULL;

	if (id)
		finding(im, r, TRACKER_DESCRIPTION, "SX111", "this row is imported already as %s (same title); "
			"it is skipped", id);
	return id != NULL;
}

/* Allocates the id, writes the text and keeps it when it validates. */
static void plan_row(importer *im, row *r)
{
	secex_buf id = SECEX_BUF_INIT, text = SECEX_BUF_INIT;
	unsigned long long last = im->ids.last;
	size_t errors = r->errors;
	char *name = NULL;
	int rc;

	if ((rc = next_id(im, &id)) < 0 || !(name = file_name(id.ptr))) {
		im->rc = rc < 0 ? rc : SECEX_ENOMEM;
		goto cleanup;
	}
	build_file(im, r, &text, id.ptr);
	if (im->rc < 0 || (rc = check_file(im, r, name, id.ptr, &text)) < 0) {
		im->rc = im->rc < 0 ? im->rc : rc;
		goto cleanup;
	}
	if (r->errors == errors)
		im->rc = add_file(im, r, id.ptr, &text);
	else
		im->ids.last = last; /* the id stays free for the next row */
cleanup:
	free(name);
	secex_buf_release(&text);
	secex_buf_release(&id);
}

static void import_record(importer *im, const csv_record *rec)
{
	size_t i, n = rec->fields.n;
	row r;

	if (n == 1 && !*(const char *)rec->fields.items[0] && !rec->error)
		return; /* a line of blanks */
	memset(&r, 0, sizeof(r));
	r.line = rec->line;
	im->plan->rows++;
	if (rec->error) {
		finding_at(im, rec->error_line, rec->error_field, "SX110", "the row is not imported: %s", rec->error);
		return;
	}
	if (n != im->ncolumns) {
		finding_at(im, rec->line, n > im->ncolumns ? im->ncolumns + 1 : n, "SX110", "the row has %zu "
			   "fields where the header has %zu; quote a field that holds a comma, or add the "
			   "missing fields", n, im->ncolumns);
		return;
	}
	for (i = 0; i < TRACKER_NCOLUMNS; i++)
		r.cell[i] = im->column_of[i] ? secex_csv_unguard((const char *)rec->fields.items[im->column_of[i] - 1]) : "";
	map_row(im, &r);
	if (!r.errors && !imported_before(im, &r))
		plan_row(im, &r);
	row_release(&r);
}

static int check_setup(const secex_snapshot *snap, const secex_import_options *opts)
{
	if (!opts || opts->version != SECEX_IMPORT_OPTIONS_VERSION)
		return secex_error_set(SECEX_EINVALID, "secex_import_options: wrong version");
	if (!snap->policy_ok || !snap->policy || !snap->policy->id_schema)
		return secex_error_set(SECEX_EINVALID, "%s does not validate, so priorities and ids cannot be "
				       "mapped; run 'secex validate' and fix it first", SECEX_POLICY_PATH);
	if (!snap->roster)
		return secex_error_set(SECEX_EINVALID, "%s is missing or does not validate, so people cannot "
				       "be mapped; run 'secex validate' and fix it first", SECEX_PEOPLE_PATH);
	if (opts->requestor && !secex_roster_find(snap->roster, opts->requestor))
		return secex_error_set(SECEX_EINVALID, "requestor '%s' is not a roster id; use an id from %s",
				       opts->requestor, SECEX_PEOPLE_PATH);
	return 0;
}

static void known_titles(importer *im)
{
	size_t i;

	for (i = 0; i < im->snap->n && im->rc == 0; i++) {
		const secex_exception *e = &im->snap->items[i];
		const char *title = e->doc ? secex_node_str(secex_node_get(secex_doc_root(e->doc), "title")) : NULL;

		if (title && e->id)
			im->rc = secex_map_put(&im->titles, title, strlen(title), (void *)(uintptr_t)e->id);
	}
}

int secex_import_plan_csv(secex_import_plan *out, const secex_snapshot *snap, const char *csv,
			  size_t len, const secex_import_options *opts, secex_diags *diags)
{
	importer im;
	csv_reader reader;
	csv_record rec;
	int rc;

	memset(&im, 0, sizeof(im));
	memset(&rec, 0, sizeof(rec));
	memset(out, 0, sizeof(*out));
	if ((rc = check_setup(snap, opts)) < 0)
		return rc;
	im.snap = snap;
	im.opts = opts;
	im.source = strrchr(opts->source, '/') ? strrchr(opts->source, '/') + 1 : opts->source;
	im.diags = diags;
	im.plan = out;
	im.rc = secex_new_ids_init(&im.ids, snap);
	known_titles(&im);
	secex_csv_reader_init(&reader, csv, len);
	if ((rc = secex_csv_next(&rec, &reader)) == 0)
		finding_at(&im, 1, 0, "SX110", "the file is empty; export a tracker with its header line");
	else if (rc > 0 && rec.error)
		finding_at(&im, rec.error_line, rec.error_field, "SX110", "%s in the header line", rec.error);
	else if (rc > 0 && read_header(&im, &rec))
		while (im.rc == 0 && (rc = secex_csv_next(&rec, &reader)) > 0)
			import_record(&im, &rec);
	secex_csv_record_release(&rec);
	secex_new_ids_release(&im.ids);
	secex_map_release(&im.titles);
	rc = rc < 0 ? rc : im.rc < 0 ? secex_error_set(im.rc, "%s", *secex_error_last() ? secex_error_last()
									: "out of memory") : 0;
	if (rc < 0)
		secex_import_plan_release(out);
	return rc;
}

void secex_import_plan_release(secex_import_plan *plan)
{
	size_t i;

	for (i = 0; plan && i < plan->n; i++) {
		free(plan->files[i].name);
		free(plan->files[i].id);
		free(plan->files[i].text);
	}
	if (plan) {
		free(plan->files);
		memset(plan, 0, sizeof(*plan));
	}
}

/* ---- writing ---- */

static int write_new(const char *dir, const secex_import_file *f)
{
	secex_buf path = SECEX_BUF_INIT;
	int rc = secex_buf_printf(&path, "%s/%s", dir, f->name);

	if (rc == 0)
		rc = secex_file_create(path.ptr, f->text, strlen(f->text));
	secex_buf_release(&path);
	return rc;
}

int secex_import_write(size_t *written, const secex_import_plan *plan, const secex_import_options *opts,
		       secex_diags *diags)
{
	size_t i;
	int rc;

	*written = 0;
	if (!opts->dir)
		return secex_error_set(SECEX_EINVALID, "no directory to write the files to");
	if ((rc = secex_file_mkdirs(opts->dir)) < 0)
		return rc;
	for (i = 0; i < plan->n && rc == 0; i++) {
		rc = write_new(opts->dir, &plan->files[i]);
		if (rc == SECEX_EEXISTS)
			rc = secex_diag_add(diags, "SX120", opts->source, plan->files[i].row, 1, NULL, NULL,
					     "%s/%s exists already and is not overwritten; run the import again "
					     "to give this row the next free id", opts->dir, plan->files[i].name);
		else if (rc == 0)
			(*written)++;
	}
	return rc;
}
