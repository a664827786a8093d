/* RFC 4180 CSV: fields written with a guard against formulas, records read back. */

#include <stdlib.h>
#include <string.h>
#include "csv.h"
#include "secex/banned.h"

/* The characters that make a spreadsheet read a cell as a formula (OWASP CSV injection). */
static bool formula_start(const char *s)
{
	while (*s == '\'')
		s++;
	return *s && strchr("=+-@\t\r", *s) != NULL;
}

/* Whether the field must be guarded: it starts a formula, possibly behind apostrophes. */
static bool guarded(const char *s)
{
	return *s && (strchr("=+-@\t\r", *s) || (*s == '\'' && formula_start(s)));
}

const char *secex_csv_unguard(const char *field)
{
	return field[0] == '\'' && guarded(field + 1) ? field + 1 : field;
}

static bool needs_quotes(const char *s)
{
	size_t len = strlen(s);

	return strpbrk(s, ",\"\r\n") || (len && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
						  s[len - 1] == '\t'));
}

int secex_csv_put_field(secex_buf *out, const char *str, bool first)
{
	bool quote = needs_quotes(str);
	int rc = 0;

	if (!first)
		rc |= secex_buf_putc(out, ',');
	if (quote)
		rc |= secex_buf_putc(out, '"');
	if (guarded(str))
		rc |= secex_buf_putc(out, '\'');
	for (; *str; str++)
		rc |= *str == '"' ? secex_buf_puts(out, "\"\"") : secex_buf_putc(out, *str);
	if (quote)
		rc |= secex_buf_putc(out, '"');
	return rc < 0 ? SECEX_ENOMEM : 0;
}

int secex_csv_end_record(secex_buf *out)
{
	return secex_buf_puts(out, "\r\n");
}

void secex_csv_reader_init(csv_reader *r, const char *data, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->data = data;
	r->len = len;
	r->line = 1;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) /* a spreadsheet's BOM */
		r->pos = 3;
}

void secex_csv_record_release(csv_record *rec)
{
	size_t i;

	for (i = 0; i < rec->fields.n; i++)
		free(rec->fields.items[i]);
	secex_vec_release(&rec->fields);
	memset(rec, 0, sizeof(*rec));
}

static int push_field(csv_record *rec, secex_buf *field)
{
	char *copy = secex_buf_detach(field);

	SECEX_ERROR_CHECK_ALLOC(copy);
	if (secex_vec_push(&rec->fields, copy) < 0) {
		free(copy);
		return SECEX_ENOMEM;
	}
	return 0;
}

static void fail(csv_record *rec, uint32_t line, const char *why)
{
	if (rec->error)
		return;
	rec->error = why;
	rec->error_line = line;
	rec->error_field = rec->fields.n + 1;
}

static int peek(const csv_reader *r)
{
	return r->pos < r->len ? (unsigned char)r->data[r->pos] : -1;
}

/* Consumes a line end at pos (LF, CRLF or CR); true when there was one. */
static bool line_end(csv_reader *r)
{
	if (peek(r) == '\r') {
		r->pos++;
		if (peek(r) == '\n')
			r->pos++;
	} else if (peek(r) == '\n') {
		r->pos++;
	} else {
		return false;
	}
	r->line++;
	return true;
}

static void skip_blanks(csv_reader *r)
{
	while (peek(r) == ' ' || peek(r) == '\t')
		r->pos++;
}

/* The inside of a quoted field, after its opening quote; line ends become LF. */
static int read_quoted(secex_buf *field, csv_record *rec, csv_reader *r)
{
	uint32_t start = r->line;
	int rc = 0;

	for (;;) {
		int c = peek(r);

		if (c < 0) {
			fail(rec, start, "the quoted field that starts here never ends, so the rest of the "
			     "file is read as its text; add the closing '\"'");
			return rc;
		}
		if (c == '"' && r->pos + 1 < r->len && r->data[r->pos + 1] == '"') {
			rc |= secex_buf_putc(field, '"');
			r->pos += 2;
		} else if (c == '"') {
			r->pos++;
			return rc;
		} else if (line_end(r)) {
			rc |= secex_buf_putc(field, '\n');
		} else {
			if (c == 0)
				fail(rec, r->line, "the field holds a NUL byte; remove it");
			rc |= secex_buf_putc(field, (char)c);
			r->pos++;
		}
	}
}

/* An unquoted field up to the next comma or line end, without its outer blanks. */
static int read_plain(secex_buf *field, csv_record *rec, csv_reader *r)
{
	int c, rc = 0;

	while ((c = peek(r)) >= 0 && c != ',' && c != '\r' && c != '\n') {
		if (c == '"')
			fail(rec, r->line, "a '\"' inside an unquoted field; put the whole field in quotes and double the '\"'");
		else if (c == 0)
			fail(rec, r->line, "the field holds a NUL byte; remove it");
		rc |= secex_buf_putc(field, (char)c);
		r->pos++;
	}
	while (field->size && (field->ptr[field->size - 1] == ' ' || field->ptr[field->size - 1] == '\t'))
		field->ptr[--field->size] = '\0';
	return rc;
}

static int read_field(secex_buf *field, csv_record *rec, csv_reader *r)
{
	int rc;

	skip_blanks(r);
	if (peek(r) != '"')
		return read_plain(field, rec, r);
	r->pos++;
	rc = read_quoted(field, rec, r);
	skip_blanks(r);
	if (peek(r) >= 0 && peek(r) != ',' && peek(r) != '\r' && peek(r) != '\n') {
		fail(rec, r->line, "text follows the closing '\"'; put the whole field in quotes and "
		     "double any '\"' inside");
		rc |= read_plain(field, rec, r);
	}
	return rc;
}

int secex_csv_next(csv_record *rec, csv_reader *r)
{
	secex_buf field = SECEX_BUF_INIT;
	int rc = 0;

	secex_csv_record_release(rec);
	while (r->pos < r->len && line_end(r))
		; /* blank lines are no records */
	if (r->pos >= r->len)
		return 0;
	rec->line = r->line;
	for (;;) {
		rc |= read_field(&field, rec, r);
		if (rc < 0 || (rc = push_field(rec, &field)) < 0)
			break;
		if (peek(r) != ',')
			break;
		r->pos++;
	}
	line_end(r);
	secex_buf_release(&field);
	return rc < 0 ? secex_error_nomem() : 1;
}
