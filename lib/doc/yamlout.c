/* Writing YAML scalars that read back as the strings written. */

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include "secex/yamlout.h"
#include "secex/banned.h"

/* At p, a character to escape though printable in UTF-8 (a C1 control, or one libyaml takes
 * as a line break, U+2028, U+2029, or U+FEFF, U+FFFE, U+FFFF): its length, and *cp. */
static size_t escaped_char(const unsigned char *p, unsigned *cp)
{
	if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
		*cp = p[1];
		return 2;
	}
	if ((p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) ||
	    (p[0] == 0xef && ((p[1] == 0xbb && p[2] == 0xbf) || (p[1] == 0xbf && p[2] >= 0xbe)))) {
		*cp = (unsigned)(p[0] & 0x0f) << 12 | (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		return 3;
	}
	return 0;
}

/* Whether s holds a character only a double-quoted scalar can carry: a control character
 * other than tab and line feed (so also '\r'), DEL, or one escaped_char names. */
static bool needs_escape(const char *s)
{
	const unsigned char *p;
	unsigned cp;

	for (p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f || escaped_char(p, &cp))
			return true;
	return false;
}

int secex_yamlout_put_quoted(secex_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	size_t n;
	int rc = secex_buf_putc(b, '"');

	while (*p && rc == 0) {
		if ((n = escaped_char(p, &cp))) {
			rc = secex_buf_printf(b, "\\u%04X", cp);
			p += n;
			continue;
		}
		if (*p == '"' || *p == '\\')
			rc = secex_buf_printf(b, "\\%c", *p);
		else if (*p == '\n' || *p == '\t' || *p == '\r')
			rc = secex_buf_printf(b, "\\%c", *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r');
		else if (*p < 0x20 || *p == 0x7f)
			rc = secex_buf_printf(b, "\\x%02X", *p);
		else
			rc = secex_buf_putc(b, (char)*p);
		p++;
	}
	return rc ? rc : secex_buf_putc(b, '"');
}

/* Whether a YAML 1.1 or 1.2 reader may take s for a number or a timestamp: a digit first
 * (after a sign and a point), and nothing but what numbers, sexagesimals and timestamps
 * are made of. */
static bool number_like(const char *s)
{
	const char *p = s + (*s == '+' || *s == '-');

	p += *p == '.';
	return isdigit((unsigned char)*p) &&
	       strspn(s, "0123456789abcdefABCDEFxXoOtTzZ+-._: ") == strlen(s);
}

bool secex_yamlout_plain_safe(const char *s)
{
	static const char *const words[] = { "null", "~", "true", "false", "yes", "no", "on", "off",
					     "y", "n", ".inf", "+.inf", "-.inf", ".nan", "<<", "=" };
	size_t len = strlen(s), i;

	if (!len || strchr(" \t-?:,[]{}#&*!|>'\"%@`", s[0]) || s[len - 1] == ' ' || s[len - 1] == ':' ||
	    strpbrk(s, "\t\n") || strstr(s, ": ") || strstr(s, " #") || needs_escape(s) || number_like(s))
		return false;
	for (i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (strcasecmp(s, words[i]) == 0)
			return false;
	return true;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Whether s reads back whole from a literal block: a first line that does not start with
 * white space (no indentation indicator is written), no trailing white space on any line,
 * and at most one final line break. */
static bool literal_ok(const char *s)
{
	size_t len = strlen(s);
	const char *p;

	if (!len || blank(s[0]) || s[0] == '\n' || needs_escape(s) || (len >= 2 && strcmp(s + len - 2, "\n\n") == 0))
		return false;
	for (p = s; *p; p++)
		if (blank(*p) && (p[1] == '\n' || p[1] == '\0'))
			return false;
	return true;
}

static int put_literal(secex_buf *b, const char *s, size_t indent)
{
	size_t len = strlen(s), n;
	int rc = secex_buf_puts(b, s[len - 1] == '\n' ? "|\n" : "|-\n");

	while (*s && rc == 0) {
		n = strcspn(s, "\n");
		if (n)
			rc = secex_buf_printf(b, "%*s%.*s", (int)indent, "", (int)n, s);
		rc |= secex_buf_putc(b, '\n');
		s += n + (s[n] == '\n');
	}
	return rc;
}

/* Whether s[i] is a space a folded block may turn into a line break: one space between two
 * characters that are not white space (a line break folds back into exactly one space). */
static bool break_at(const char *s, size_t i)
{
	return s[i] == ' ' && i > 0 && !blank(s[i - 1]) && s[i + 1] && !blank(s[i + 1]);
}

/* The space to break the rest of s (from start) at, to fit in avail bytes: the last one
 * that fits, else the first after; 0 when there is none. */
static size_t fold_point(const char *s, size_t start, size_t len, size_t avail)
{
	size_t i, last = 0;

	for (i = start + 1; i < len && (i - start <= avail || !last); i++)
		if (break_at(s, i))
			last = i;
	return last;
}

/* Whether s can be a folded block: one line, no white space at its ends, no escapes, and
 * somewhere to break it. */
static bool folded_ok(const char *s)
{
	size_t len = strlen(s), i;

	if (!len || strchr(s, '\n') || blank(s[0]) || blank(s[len - 1]) || needs_escape(s))
		return false;
	for (i = 1; i < len; i++)
		if (break_at(s, i))
			return true;
	return false;
}

static int put_folded(secex_buf *b, const char *s, size_t indent)
{
	size_t len = strlen(s), start = 0, cut;
	size_t avail = SECEX_YAML_WIDTH > indent + 20 ? SECEX_YAML_WIDTH - indent : 20;
	int rc = secex_buf_puts(b, ">-\n");

	while (start < len && rc == 0) {
		cut = len - start <= avail ? 0 : fold_point(s, start, len, avail);
		if (!cut)
			cut = len;
		rc = secex_buf_printf(b, "%*s%.*s\n", (int)indent, "", (int)(cut - start), s + start);
		start = cut + (cut < len);
	}
	return rc;
}

int secex_yamlout_put_value(secex_buf *b, const char *s, secex_yaml_kind kind, size_t column, size_t indent)
{
	int rc;

	if (kind == SECEX_YAML_TEXT && strchr(s, '\n') && literal_ok(s))
		return put_literal(b, s, indent);
	if (kind == SECEX_YAML_TEXT && column + strlen(s) > SECEX_YAML_WIDTH && indent + strlen(s) > SECEX_YAML_WIDTH &&
	    folded_ok(s))
		return put_folded(b, s, indent); /* only when it takes more than one line there too */
	rc = secex_yamlout_plain_safe(s) ? secex_buf_puts(b, s) : secex_yamlout_put_quoted(b, s);
	return rc ? rc : secex_buf_putc(b, '\n');
}
