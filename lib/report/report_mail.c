/* The weekly digest as one RFC 5322 message per owner: headers with RFC 2047 encoded words
 * where needed, a UTF-8 text body in quoted-printable, CRLF line ends throughout. */

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "secex/report.h"
#include "report_int.h"
#include "secex/banned.h"

#define WRAP 72

static const char *name_of(const secex_person *p)
{
	return p->name ? p->name : p->id;
}

/* ---- addresses ---- */

static bool address_ok(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f || strchr("<>,;\"()\\", s[i]))
			return false;
	return len > 2 && at && at != s && at != s + len - 1;
}

/* Narrows [*s, *s + *len) past leading and trailing characters of `chars`. */
static void trim(const char **s, size_t *len, const char *chars)
{
	while (*len && strchr(chars, **s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && strchr(chars, (*s)[*len - 1]))
		(*len)--;
}

/* The address and display name of "addr" or "Name <addr>". */
static int parse_from(const char **addr, size_t *alen, const char **name, size_t *nlen, const char *from)
{
	const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	*addr = lt ? lt + 1 : from;
	*alen = lt ? (gt ? (size_t)(gt - lt - 1) : 0) : strlen(from);
	trim(addr, alen, " \t");
	*name = from;
	*nlen = lt ? (size_t)(lt - from) : 0;
	trim(name, nlen, " \t\"");
	if ((lt && (!gt || gt[1])) || !address_ok(*addr, *alen))
		return secex_error_set(SECEX_EINVALID, "'%s' is not an e-mail address; use addr@example.com or "
				       "'Name <addr@example.com>'", from);
	return 0;
}

int secex_report_address(secex_buf *out, const char *from)
{
	const char *addr, *name;
	size_t alen, nlen;
	int rc = parse_from(&addr, &alen, &name, &nlen, from);

	return rc ? rc : secex_buf_put(out, addr, alen);
}

/* ---- headers ---- */

static bool header_safe(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return len < 800;
}

/* One byte in RFC 2047 Q encoding, safe in a phrase as well as in unstructured text. */
static int q_byte(secex_buf *out, unsigned char c, size_t *width)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("!*+-/", c)) {
		(*width)++;
		return secex_buf_putc(out, (char)c);
	}
	if (c == ' ') {
		(*width)++;
		return secex_buf_putc(out, '_');
	}
	*width += 3;
	return secex_buf_printf(out, "=%02X", c < 0x20 || c == 0x7f ? ' ' : c);
}

/* RFC 2047 Q encoded words of at most 64 characters, folded onto continuation lines; a
 * UTF-8 sequence is never split between two words. */
static int encoded_words(secex_buf *out, const char *s, size_t len)
{
	size_t i = 0, width = 0, seq, k;
	int rc = secex_buf_puts(out, "=?UTF-8?Q?");

	while (rc == 0 && i < len) {
		unsigned char c = (unsigned char)s[i];

		seq = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		if (width + seq * 3 > 50) {
			rc = secex_buf_puts(out, "?=\r\n =?UTF-8?Q?");
			width = 0;
		}
		for (k = 0; rc == 0 && k < seq && i < len; k++, i++)
			rc = q_byte(out, (unsigned char)s[i], &width);
	}
	return rc ? rc : secex_buf_puts(out, "?=");
}

/* A display name: as it is, quoted when it has specials, or encoded when not ASCII. */
static int phrase(secex_buf *out, const char *s, size_t len)
{
	size_t i;
	int rc = 0;

	if (!header_safe(s, len))
		return encoded_words(out, s, len);
	for (i = 0; i < len && !strchr("()<>[]:;@\\,.\"", s[i]); i++)
		;
	if (i == len)
		return secex_buf_put(out, s, len);
	rc = secex_buf_putc(out, '"');
	for (i = 0; rc == 0 && i < len; i++)
		rc = (s[i] == '"' || s[i] == '\\') ? secex_buf_printf(out, "\\%c", s[i]) : secex_buf_putc(out, s[i]);
	return rc ? rc : secex_buf_putc(out, '"');
}

/* An unstructured header, folded before a space to keep lines within 78 characters. */
static int folded(secex_buf *out, size_t col, const char *value)
{
	int rc = 0;

	while (rc == 0 && *value) {
		size_t len = strcspn(value + 1, " ") + 1;

		if (col + len > 78 && *value == ' ') {
			rc = secex_buf_puts(out, "\r\n");
			col = 0;
		}
		if (rc == 0)
			rc = secex_buf_put(out, value, len);
		col += len;
		value += len;
	}
	return rc;
}

static int text_header(secex_buf *out, const char *name, const char *value)
{
	int rc = secex_buf_printf(out, "%s: ", name);

	if (rc == 0)
		rc = header_safe(value, strlen(value)) ? folded(out, strlen(name) + 2, value)
						       : encoded_words(out, value, strlen(value));
	return rc ? rc : secex_buf_puts(out, "\r\n");
}

static int address_header(secex_buf *out, const char *name, const char *display, size_t dlen, const char *addr,
			  size_t alen)
{
	int rc;

	if (!address_ok(addr, alen))
		return secex_error_set(SECEX_EINVALID, "cannot send to '%.*s': not an e-mail address; fix it in "
				       ".secex/people.yaml", (int)alen, addr);
	if ((rc = secex_buf_printf(out, "%s: ", name)) == 0 && (rc = phrase(out, display, dlen)) == 0)
		rc = secex_buf_printf(out, " <%.*s>\r\n", (int)alen, addr);
	return rc;
}

static int date_header(secex_buf *out, int64_t now)
{
	static const char *const days[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t day = (now >= 0 ? now : now - 86399) / 86400, secs = now - day * 86400;
	unsigned month, mday;
	int year;

	secex_date_civil_from_days(day, &year, &month, &mday);
	return secex_buf_printf(out, "Date: %s, %u %s %d %02d:%02d:%02d +0000\r\n", days[((day % 7) + 7) % 7], mday,
				months[month - 1], year, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* Whether addr[0..alen) ends in "@" and a plain host name; *domain then points at it. */
static bool host_of(const char **domain, size_t *dlen, const char *addr, size_t alen)
{
	const char *at = memchr(addr, '@', alen);
	size_t i;

	if (!at)
		return false;
	*domain = at + 1;
	*dlen = alen - (size_t)(at + 1 - addr);
	for (i = 0; i < *dlen; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", (*domain)[i]))
			return false;
	return *dlen > 0 && *dlen < 120 && memchr(*domain, '.', *dlen);
}

/*
 * The Message-ID's domain: the sender's (--from), else that of the address in the policy's
 * organization, else "secex.invalid" (RFC 2606), never localhost.
 */
static void id_domain(char *out, size_t len, const char *from, const char *organization)
{
	const char *sources[] = { from, organization && strchr(organization, '<') ? organization : NULL };
	const char *addr, *name, *domain = NULL;
	size_t alen, nlen, dlen = 0, i;

	for (i = 0; i < 2 && !domain; i++) {
		if (sources[i] && parse_from(&addr, &alen, &name, &nlen, sources[i]) < 0)
			secex_error_clear(); /* the From header says so; here only the next source applies */
		else if (sources[i] && !host_of(&domain, &dlen, addr, alen))
			domain = NULL;
	}
	snprintf(out, len, "%.*s", domain ? (int)dlen : 13, domain ? domain : "secex.invalid");
}

/* 16 hex digits for owner: the same in one run (the file and the message sent), new in the next. */
static void unique_part(char out[17], uint64_t nonce, const char *owner)
{
	snprintf(out, 17, "%016llx", (unsigned long long)(nonce ^ secex_map_hash(owner, strlen(owner))));
}

/* The owner id as Message-ID text: letters, digits and "-_" kept, anything else as '-'. */
static int id_text(secex_buf *out, const char *id)
{
	int rc = 0;

	for (; *id && rc == 0; id++)
		rc = secex_buf_putc(out, isalnum((unsigned char)*id) || *id == '_' ? *id : '-');
	return rc;
}

/* ---- the body, as text with '\n' line ends ---- */

/* Appends text wrapped at WRAP columns: the first line after `first`, the rest after `rest`. */
static int wrapped(secex_buf *out, const char *first, const char *rest, const char *text)
{
	size_t col = strlen(first), indent = strlen(rest);
	int rc = secex_buf_puts(out, first);

	while (rc == 0 && *text) {
		size_t len = strcspn(text, " "), width = secex_utf8_length(text, len);

		if (len && col > indent && col + 1 + width > WRAP) {
			rc = secex_buf_printf(out, "\n%s", rest);
			col = indent;
		} else if (len && col > indent) {
			rc = secex_buf_putc(out, ' ');
			col++;
		}
		if (rc == 0) /* every body line comes through here: no user data can break one */
			rc = secex_utf8_put_safe(out, text, len, SECEX_SAFE_SPACE);
		col += width;
		text += len + (text[len] == ' ');
	}
	return rc ? rc : secex_buf_putc(out, '\n');
}

/* Flattens control characters (C0, DEL, C1, U+2028/U+2029), so a roster name cannot break a
 * line or a header. */
static int flat(secex_buf *out, const char *s)
{
	return secex_utf8_puts_safe(out, s, SECEX_SAFE_SPACE);
}

/* A finding no longer covered: the finding, where it was reported, its exception and why. */
static int finding_text(secex_buf *out, const secex_report_item *it, secex_buf *tmp)
{
	const secex_report_finding *f = it->finding;
	int rc;

	secex_buf_clear(tmp);
	rc = flat(tmp, f->id);
	if (rc == 0 && f->package && (rc = secex_buf_puts(tmp, " in ")) == 0)
		rc = flat(tmp, f->package);
	if (rc == 0 && f->path && (rc = secex_buf_puts(tmp, " at ")) == 0)
		rc = flat(tmp, f->path);
	if (rc == 0 && (rc = wrapped(out, "* ", "  ", tmp->ptr)) == 0) {
		secex_buf_clear(tmp);
		rc = secex_buf_printf(tmp, "%s, %s, ", f->severity, f->scanner ? f->scanner : "?");
	}
	if (rc == 0 && (rc = flat(tmp, f->report)) == 0 && (rc = secex_buf_printf(tmp, ":%u:%u", f->line, f->column)) == 0 &&
	    (rc = wrapped(out, "  ", "  ", tmp->ptr)) == 0) {
		secex_buf_clear(tmp);
		rc = secex_buf_printf(tmp, "Covered only by %s: ", it->id);
	}
	if (rc == 0 && (rc = flat(tmp, it->title)) == 0 &&
	    (rc = secex_buf_printf(tmp, " (%s %s, %s, due %s), which no longer covers it: ", it->priority, it->type,
				   it->status, it->due_date ? it->due_date : "?")) == 0 &&
	    (rc = flat(tmp, f->why)) == 0)
		rc = wrapped(out, "  ", "  ", tmp->ptr);
	return rc;
}

/* An exception: its title, facts, and the approvals it is missing. */
static int exception_text(secex_buf *out, const secex_report_item *it, secex_buf *tmp)
{
	size_t i, k;
	int rc;

	secex_buf_clear(tmp);
	rc = secex_buf_printf(tmp, "%s: ", it->id);
	if (rc == 0 && (rc = flat(tmp, it->title)) == 0)
		rc = wrapped(out, "* ", "  ", tmp->ptr);
	secex_buf_clear(tmp);
	if (rc == 0 && (rc = secex_buf_printf(tmp, "%s %s, %s, due %s", it->priority, it->type, it->status,
					       it->due_date ? it->due_date : "?")) == 0)
		rc = wrapped(out, "  ", "  ", tmp->ptr);
	for (i = 0; rc == 0 && i < it->nneeds; i++) {
		const secex_report_need *n = &it->needs[i];

		secex_buf_clear(tmp);
		rc = secex_buf_printf(tmp, "Missing: %s%s%s%s: ", n->label, n->roles ? " (" : "", n->roles ? n->roles : "",
				      n->roles ? ")" : "");
		for (k = 0; rc == 0 && k < n->nwho; k++)
			if ((rc = secex_buf_puts(tmp, k == 0 ? "" : k + 1 == n->nwho && !n->more ? " or " : ", ")) == 0)
				rc = flat(tmp, name_of(n->who[k]));
		if (rc == 0 && n->more)
			rc = secex_buf_printf(tmp, " or %zu other%s", n->more, n->more == 1 ? "" : "s");
		if (rc == 0 && !n->nwho)
			rc = secex_buf_puts(tmp, n->roles ? "nobody in the roster can give it" : "the new risk owner, once named");
		if (rc == 0)
			rc = wrapped(out, "  ", "    ", tmp->ptr);
	}
	return rc;
}

static int item_text(secex_buf *out, const secex_report_item *it, secex_buf *tmp)
{
	int rc = it->finding ? finding_text(out, it, tmp) : exception_text(out, it, tmp);

	secex_buf_clear(tmp);
	if (rc == 0 && (rc = secex_buf_printf(tmp, "To do: %s.", it->action)) == 0)
		rc = wrapped(out, "  ", "  ", tmp->ptr);
	return rc ? rc : secex_buf_putc(out, '\n');
}

static int kind_text(secex_buf *out, const secex_report *r, const secex_report_owner *o, secex_report_kind k,
		     secex_buf *tmp)
{
	static const char *const titles[] = { "EXPIRED", "EXPIRING WITHIN", "AWAITING APPROVAL", "FINDINGS NO LONGER COVERED" };
	char w[32];
	size_t i;
	int rc;

	secex_report_window(w, sizeof(w), r);
	for (i = 0; w[i]; i++)
		w[i] = (char)toupper((unsigned char)w[i]);
	rc = secex_buf_printf(out, "%s%s%s (%zu)\n\n", titles[k], k == SECEX_REPORT_EXPIRING ? " " : "",
			      k == SECEX_REPORT_EXPIRING ? w : "", o->count[k]);
	for (i = 0; rc == 0 && i < o->n; i++)
		if (o->items[i].kind == k)
			rc = item_text(out, &o->items[i], tmp);
	return rc;
}

static int intro_text(secex_buf *out, const secex_report *r, const secex_report_owner *o, secex_buf *tmp)
{
	int rc = secex_buf_puts(out, "Hello ");

	if (rc == 0 && (rc = flat(out, name_of(o->to))) == 0)
		rc = secex_buf_puts(out, ",\n\n");
	secex_buf_clear(tmp);
	if (rc == 0 && o->note && (rc = flat(tmp, o->note)) == 0 && (rc = secex_buf_puts(tmp, ".")) == 0 &&
	    (rc = wrapped(out, "", "", tmp->ptr)) == 0)
		rc = secex_buf_putc(out, '\n');
	secex_buf_clear(tmp);
	if (rc == 0)
		rc = secex_buf_printf(tmp, "These security exceptions%s need your attention (secex weekly digest of %s): ",
				      o->departed ? "" : " that you own", r->today);
	if (rc == 0 && (rc = secex_report_counts(tmp, r, o->count)) == 0 && (rc = secex_buf_putc(tmp, '.')) == 0 &&
	    (rc = wrapped(out, "", "", tmp->ptr)) == 0)
		rc = secex_buf_putc(out, '\n');
	return rc;
}

static int body_text(secex_buf *out, const secex_report *r, const secex_report_owner *o)
{
	secex_buf tmp = SECEX_BUF_INIT;
	int rc = intro_text(out, r, o, &tmp), k;

	for (k = 0; rc == 0 && k < SECEX_REPORT_KINDS; k++)
		if (o->count[k])
			rc = kind_text(out, r, o, (secex_report_kind)k, &tmp);
	secex_buf_clear(&tmp);
	if (rc == 0 && !r->judged)
		rc = secex_buf_printf(&tmp, "Approvals could not be judged: %s. The missing approvals above are read "
				      "from the files as written, unverified.", r->unjudged);
	if (rc == 0 && !r->judged && (rc = wrapped(out, "", "", tmp.ptr)) == 0)
		rc = secex_buf_putc(out, '\n');
	if (rc == 0)
		rc = wrapped(out, "", "", "'secex status ID' shows who must approve an exception and why each "
			     "recorded approval counts or not.");
	if (rc == 0)
		rc = secex_buf_puts(out, "\n-- \nsecex: security exceptions kept in git\n");
	secex_buf_release(&tmp);
	return rc;
}

/* ---- quoted-printable (RFC 2045): lines of at most 76 characters, CRLF ---- */

static int qp_line(secex_buf *out, const char *s, size_t len)
{
	size_t i, col = 0;
	int rc = 0;

	for (i = 0; rc == 0 && i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && i + 1 < len);

		if (col == 0 && (c == '.' || (c == 'F' && len - i >= 5 && memcmp(s + i, "From ", 5) == 0)))
			literal = false; /* a lone "." ends SMTP data; "From " breaks mbox */
		if (col + (literal ? 1 : 3) > 75) {
			rc = secex_buf_puts(out, "=\r\n");
			col = 0;
			if (c == '.')
				literal = false;
		}
		if (rc == 0)
			rc = literal ? secex_buf_putc(out, (char)c) : secex_buf_printf(out, "=%02X", c);
		col += literal ? 1 : 3;
	}
	return rc ? rc : secex_buf_puts(out, "\r\n");
}

static int quoted_printable(secex_buf *out, const char *text, size_t len)
{
	size_t start = 0, i;
	int rc = 0;

	for (i = 0; rc == 0 && i < len; i++) {
		if (text[i] == '\n') {
			rc = qp_line(out, text + start, i - start);
			start = i + 1;
		}
	}
	return rc == 0 && start < len ? qp_line(out, text + start, len - start) : rc;
}

/* ---- the message ---- */

static int subject(secex_buf *out, const secex_report *r, const secex_report_owner *o)
{
	int rc = secex_buf_puts(out, "Security exceptions");

	if (rc == 0 && o->departed && (rc = secex_buf_puts(out, " of ")) == 0 &&
	    (rc = flat(out, o->owner ? name_of(o->owner) : o->id)) == 0)
		rc = secex_buf_puts(out, " (left)");
	if (rc == 0)
		rc = secex_buf_puts(out, ": ");
	return rc ? rc : secex_report_counts(out, r, o->count);
}

static int headers(secex_buf *out, const secex_report *r, const secex_report_owner *o, const char *given_from)
{
	const char *addr, *name, *from = given_from ? given_from : "secex@localhost";
	size_t alen, nlen;
	char domain[128], unique[17];
	secex_buf tmp = SECEX_BUF_INIT;
	int rc = parse_from(&addr, &alen, &name, &nlen, from);

	if (rc == 0 && nlen == 0) {
		name = "secex";
		nlen = strlen(name);
	}
	if (rc == 0)
		rc = address_header(out, "From", name, nlen, addr, alen);
	if (rc == 0 && (rc = flat(&tmp, name_of(o->to))) == 0)
		rc = address_header(out, "To", tmp.ptr, tmp.size, o->to->email, strlen(o->to->email));
	secex_buf_clear(&tmp);
	if (rc == 0 && (rc = subject(&tmp, r, o)) == 0)
		rc = text_header(out, "Subject", tmp.ptr);
	if (rc == 0)
		rc = date_header(out, r->now);
	id_domain(domain, sizeof(domain), given_from, r->organization);
	secex_buf_clear(&tmp);
	unique_part(unique, r->nonce, o->id);
	if (rc == 0 && (rc = secex_buf_printf(&tmp, "<secex.%s.", r->today)) == 0 && (rc = id_text(&tmp, o->id)) == 0)
		rc = secex_buf_printf(&tmp, ".%s@%s>", unique, domain);
	if (rc == 0) /* folded before the id when the line would pass 78 characters */
		rc = secex_buf_printf(out, "Message-ID:%s%s\r\nMIME-Version: 1.0\r\n"
				      "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
				      "Auto-Submitted: auto-generated\r\n\r\n", tmp.size > 66 ? "\r\n " : " ", tmp.ptr);
	secex_buf_release(&tmp);
	return rc;
}

int secex_report_email(secex_buf *out, const secex_report *r, size_t i, const char *from)
{
	const secex_report_owner *o = &r->owners[i];
	secex_buf body = SECEX_BUF_INIT;
	int rc;

	if (!o->to || !o->to->email || !address_ok(o->to->email, strlen(o->to->email)))
		return secex_error_set(SECEX_EINVALID, "nobody to send the report for '%s' to: %s", o->id,
				       o->note ? o->note : "the roster gives no usable e-mail address");
	if ((rc = headers(out, r, o, from)) == 0 && (rc = body_text(&body, r, o)) == 0)
		rc = quoted_printable(out, body.ptr, body.size);
	secex_buf_release(&body);
	return rc;
}
