/* Findings: the code table, the list, overrides and deterministic order. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secex/diag.h"
#include "secex/util.h"
#include "banned.h"

static const secex_diag_code codes[] = {
	{ "SX101", SECEX_SEV_ERROR, "YAML syntax error" },
	{ "SX102", SECEX_SEV_ERROR, "duplicate key" },
	{ "SX103", SECEX_SEV_ERROR, "anchor or alias" },
	{ "SX104", SECEX_SEV_ERROR, "tag" },
	{ "SX105", SECEX_SEV_ERROR, "more than one document" },
	{ "SX106", SECEX_SEV_ERROR, "invalid UTF-8" },
	{ "SX107", SECEX_SEV_ERROR, "file too large" },
	{ "SX108", SECEX_SEV_ERROR, "nesting too deep" },
	{ "SX109", SECEX_SEV_ERROR, "not a regular file" },
	{ "SX110", SECEX_SEV_ERROR, "schema violation" },
	{ "SX111", SECEX_SEV_WARNING, "tracker row or cell not imported" },
	{ "SX120", SECEX_SEV_ERROR, "duplicate id" },
	{ "SX121", SECEX_SEV_ERROR, "unknown person" },
	{ "SX122", SECEX_SEV_ERROR, "unknown priority level" },
	{ "SX123", SECEX_SEV_ERROR, "date out of order or invalid" },
	{ "SX124", SECEX_SEV_ERROR, "longer than the level's max duration" },
	{ "SX125", SECEX_SEV_ERROR, "extension without its fields" },
	{ "SX126", SECEX_SEV_ERROR, "file name does not match id" },
	{ "SX127", SECEX_SEV_ERROR, "policy or roster inconsistent" },
	{ "SX201", SECEX_SEV_ERROR, "required approval missing" },
	{ "SX202", SECEX_SEV_ERROR, "approval commit unsigned" },
	{ "SX203", SECEX_SEV_ERROR, "signature does not verify" },
	{ "SX204", SECEX_SEV_ERROR, "signed by someone else than the approver" },
	{ "SX205", SECEX_SEV_ERROR, "key unknown or outside its validity" },
	{ "SX206", SECEX_SEV_ERROR, "approver not active" },
	{ "SX207", SECEX_SEV_ERROR, "role does not fill the group" },
	{ "SX208", SECEX_SEV_ERROR, "separation of duties broken" },
	{ "SX209", SECEX_SEV_ERROR, "approval stale: content changed since" },
	{ "SX210", SECEX_SEV_ERROR, "status not supported by decisions" },
	{ "SX211", SECEX_SEV_ERROR, "signature lost to a squash or rebase merge" },
	{ "SX212", SECEX_SEV_NOTE, "extension within threshold: one SME approval suffices" },
	{ "SX301", SECEX_SEV_ERROR, ".secex/ change not signed by an admin" },
	{ "SX302", SECEX_SEV_ERROR, "key or role granted by the person it benefits" },
	{ "SX303", SECEX_SEV_WARNING, "trust root not pinned" },
	{ "SX304", SECEX_SEV_ERROR, "history rewritten since the checkpoint" },
	{ "SX305", SECEX_SEV_ERROR, "shallow repository: cannot audit" },
	{ "SX401", SECEX_SEV_WARNING, "priority lowered" },
	{ "SX402", SECEX_SEV_WARNING, "priority raised" },
	{ "SX403", SECEX_SEV_NOTE, "due date changed" },
	{ "SX404", SECEX_SEV_ERROR, "extended past the threshold without a later approval" },
	{ "SX405", SECEX_SEV_ERROR, "original_due_date rewritten" },
	{ "SX406", SECEX_SEV_ERROR, "status transition outside the workflow" },
	{ "SX407", SECEX_SEV_WARNING, "approved exception edited substantively" },
	{ "SX408", SECEX_SEV_ERROR, "approval entry removed or rewritten" },
	{ "SX409", SECEX_SEV_WARNING, "exception file deleted, not closed" },
	{ "SX410", SECEX_SEV_ERROR, "id reused for another exception" },
	{ "SX501", SECEX_SEV_WARNING, "unassigned" },
	{ "SX502", SECEX_SEV_WARNING, "assignee departed" },
	{ "SX503", SECEX_SEV_WARNING, "risk owner departed" },
	{ "SX504", SECEX_SEV_WARNING, "no due date" },
	{ "SX505", SECEX_SEV_ERROR, "expired" },
	{ "SX506", SECEX_SEV_WARNING, "expiring within the window" },
	{ "SX507", SECEX_SEV_WARNING, "awaiting review past the SLA" },
	{ "SX601", SECEX_SEV_NOTE, "scanner finding accepted by an approved exception" },
	{ "SX602", SECEX_SEV_ERROR, "scanner finding covered only by an exception that no longer covers it" },
	{ "SX603", SECEX_SEV_WARNING, "scanner finding covered only by a request awaiting approval" },
	{ "SX604", SECEX_SEV_ERROR, "scanner finding not covered by any exception" },
	{ "SX605", SECEX_SEV_WARNING, "stale exception: nothing it covers was found" },
	{ "SX606", SECEX_SEV_ERROR, "scanner report unreadable or of an unknown format" },
	{ "SX607", SECEX_SEV_NOTE, "uncovered scanner finding below --fail-on-severity" },
	{ NULL, SECEX_SEV_NOTE, NULL }
};

#define NCODES (sizeof(codes) / sizeof(codes[0]) - 1)

const secex_diag_code *secex_diag_codes(void)
{
	return codes;
}

static long code_index(const char *code)
{
	size_t i;

	for (i = 0; i < NCODES; i++)
		if (strcmp(codes[i].code, code) == 0)
			return (long)i;
	return -1;
}

const secex_diag_code *secex_diag_code_lookup(const char *code)
{
	long i = code_index(code);

	return i < 0 ? NULL : &codes[i];
}

void secex_diags_init(secex_diags *diags)
{
	memset(diags, 0, sizeof(*diags));
}

static void diag_release(secex_diag *d)
{
	free(d->file);
	free(d->exception);
	free(d->commit);
	free(d->message);
}

void secex_diags_release(secex_diags *diags)
{
	size_t i;

	if (!diags)
		return;
	for (i = 0; i < diags->n; i++)
		diag_release(&diags->items[i]);
	free(diags->items);
	free(diags->overrides);
	memset(diags, 0, sizeof(*diags));
}

int secex_diags_override(secex_diags *diags, const char *code, secex_severity severity)
{
	long i = code_index(code);
	size_t j;

	if (i < 0)
		return secex_error_set(SECEX_EINVALID, "unknown finding code '%s'", code);
	if (!diags->overrides) {
		diags->overrides = malloc(NCODES);
		if (!diags->overrides)
			return secex_error_set(SECEX_ENOMEM, "out of memory");
		memset(diags->overrides, -1, NCODES);
	}
	diags->overrides[i] = (signed char)severity;
	for (j = 0; j < diags->n; j++)
		if (strcmp(diags->items[j].code, code) == 0)
			diags->items[j].severity = severity;
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int secex_diags_add(secex_diags *diags, const char *code, const char *file, uint32_t line,
		    uint32_t column, const char *exception, const char *commit, const char *fmt, ...)
{
	secex_buf msg = SECEX_BUF_INIT;
	secex_diag *d;
	long idx = code_index(code);
	va_list ap;
	int rc;

	if (diags->n == diags->cap) {
		size_t cap = diags->cap ? diags->cap * 2 : 16;
		secex_diag *items = realloc(diags->items, cap * sizeof(*items));

		if (!items)
			return secex_error_set(SECEX_ENOMEM, "out of memory");
		diags->items = items;
		diags->cap = cap;
	}
	va_start(ap, fmt);
	rc = secex_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc < 0 || !msg.ptr) {
		secex_buf_release(&msg);
		return secex_error_set(SECEX_ENOMEM, "out of memory");
	}

	d = &diags->items[diags->n];
	memset(d, 0, sizeof(*d));
	snprintf(d->code, sizeof(d->code), "%s", code);
	d->severity = idx < 0 ? SECEX_SEV_ERROR : codes[idx].severity;
	if (idx >= 0 && diags->overrides && diags->overrides[idx] >= 0)
		d->severity = (secex_severity)diags->overrides[idx];
	d->file = dup_or_null(file);
	d->line = line;
	d->column = column;
	d->exception = dup_or_null(exception);
	d->commit = dup_or_null(commit);
	d->message = msg.ptr;
	if ((file && !d->file) || (exception && !d->exception) || (commit && !d->commit)) {
		diag_release(d);
		return secex_error_set(SECEX_ENOMEM, "out of memory");
	}
	diags->n++;
	return 0;
}

static int strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int diag_cmp(const void *pa, const void *pb)
{
	const secex_diag *a = pa, *b = pb;
	int c;

	if ((c = strcmp_null(a->file, b->file)))
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	if ((c = strcmp(a->code, b->code)))
		return c;
	if ((c = strcmp_null(a->exception, b->exception)))
		return c;
	if ((c = strcmp_null(a->commit, b->commit)))
		return c;
	return strcmp(a->message, b->message);
}

void secex_diags_sort(secex_diags *diags)
{
	if (diags->n > 1)
		qsort(diags->items, diags->n, sizeof(*diags->items), diag_cmp);
}

void secex_diags_count(const secex_diags *diags, size_t counts[3])
{
	size_t i;

	counts[0] = counts[1] = counts[2] = 0;
	for (i = 0; i < diags->n; i++)
		counts[diags->items[i].severity]++;
}

static const char *const severity_names[] = { "note", "warning", "error" };

bool secex_severity_parse(secex_severity *out, const char *str)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (strcmp(str, severity_names[i]) == 0) {
			*out = (secex_severity)i;
			return true;
		}
	}
	return false;
}

const char *secex_severity_name(secex_severity severity)
{
	return severity_names[severity <= SECEX_SEV_ERROR ? severity : SECEX_SEV_ERROR];
}
