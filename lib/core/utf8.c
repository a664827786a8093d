/* UTF-8: well-formedness, length, and user text made safe for line-based outputs. */

#include <stdio.h>
#include <string.h>
#include "secex/utf8.h"
#include "secex/banned.h"

/* Length of the UTF-8 sequence at s, or 0 when it is not well-formed. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return avail >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

		return avail >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

		return avail >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
		       (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

bool secex_utf8_valid(const char *data, size_t len, size_t *bad_offset)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0;

	while (i < len) {
		uint64_t word;
		size_t n;

		if (i + 8 <= len && (memcpy(&word, s + i, 8), (word & 0x8080808080808080ULL) == 0)) {
			i += 8; /* eight ASCII bytes at once */
			continue;
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq(s + i, len - i);
		if (!n) {
			if (bad_offset)
				*bad_offset = i;
			return false;
		}
		i += n;
	}
	return true;
}

/* Whether the character at s (*len bytes) is one that a terminal, a log or a line-based
 * consumer would act on: C0 but for a kept TAB, DEL, C1, U+2028, U+2029, or a byte that is
 * not UTF-8 (*cp = 0x100 | byte). */
static bool unsafe_char(const unsigned char *s, size_t avail, bool keep_tab, unsigned *cp, size_t *len)
{
	size_t n = s[0] < 0x80 ? 1 : utf8_seq(s, avail);

	*len = n ? n : 1;
	if (n == 1) {
		*cp = s[0];
		return (s[0] < 0x20 && !(keep_tab && s[0] == '\t')) || s[0] == 0x7f;
	}
	if (n == 0)
		*cp = 0x100u | s[0];
	else if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		*cp = s[1];
	else if (n == 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9))
		*cp = 0x2000u | (s[2] - 0x80u);
	else
		return false;
	return true;
}

static int put_escaped(secex_buf *buf, unsigned cp)
{
	switch (cp) {
	case '\n': return secex_buf_puts(buf, "\\n");
	case '\r': return secex_buf_puts(buf, "\\r");
	case '\t': return secex_buf_puts(buf, "\\t");
	case 0x1b: return secex_buf_puts(buf, "\\e");
	default:
		if (cp > 0x1ff)
			return secex_buf_printf(buf, "\\u%04X", cp);
		return secex_buf_printf(buf, cp >= 0x80 && cp < 0x100 ? "\\u%04X" : "\\x%02X", cp & 0xff);
	}
}

int secex_utf8_put_safe(secex_buf *buf, const char *str, size_t len, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, start = 0, n;
	unsigned cp;
	int rc = 0;

	while (i < len && rc == 0) {
		if (s[i] >= 0x20 && s[i] < 0x7f) { /* the common case, copied in runs */
			i++;
			continue;
		}
		if (!unsafe_char(s + i, len - i, flags & SECEX_SAFE_KEEP_TAB, &cp, &n)) {
			i += n;
			continue;
		}
		if ((rc = secex_buf_put(buf, str + start, i - start)) == 0)
			rc = flags & SECEX_SAFE_SPACE ? secex_buf_putc(buf, ' ') : put_escaped(buf, cp);
		i += n;
		start = i;
	}
	return rc ? rc : secex_buf_put(buf, str + start, len - start);
}

int secex_utf8_puts_safe(secex_buf *buf, const char *str, unsigned flags)
{
	return str ? secex_utf8_put_safe(buf, str, strlen(str), flags) : 0;
}

size_t secex_utf8_length(const char *data, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)data[i] & 0xc0) != 0x80;
	return n;
}
