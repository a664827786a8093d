/* The `format` values secex checks: RFC 3339 date, date-time and time; RFC 5321 email. */

#include <string.h>
#include "secex/schema.h"
#include "secex/util.h"
#include "secex/banned.h"

secex_format secex_schema_format_lookup(const char *name)
{
	static const struct {
		const char *name;
		secex_format format;
	} formats[] = {
		{ "date", SECEX_FORMAT_DATE },
		{ "date-time", SECEX_FORMAT_DATE_TIME },
		{ "time", SECEX_FORMAT_TIME },
		{ "email", SECEX_FORMAT_EMAIL },
	};
	size_t i;

	for (i = 0; name && i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(name, formats[i].name) == 0)
			return formats[i].format;
	return SECEX_FORMAT_NONE;
}

/* RFC 3339 full-time: partial-time time-offset, with a leap second only at 23:59:60 UTC. */
static bool full_time(const char *s, size_t len)
{
	int64_t seconds;

	return secex_date_time_parse(&seconds, s, len);
}

static bool date_time(const char *s, size_t len)
{
	int64_t days;

	return len > 11 && (s[10] == 'T' || s[10] == 't') && secex_date_parse(&days, s, 10) &&
	       full_time(s + 11, len - 11);
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 5321 atext (RFC 5322 3.2.3). */
static bool is_atext(char c)
{
	return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Dot-string = Atom *("." Atom) */
static bool dot_string(const char *s, size_t len)
{
	size_t i, atom = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (atom == 0)
				return false;
			atom = 0;
		} else if (is_atext(s[i])) {
			atom++;
		} else {
			return false;
		}
	}
	return atom > 0;
}

/* Quoted-string = DQUOTE *QcontentSMTP DQUOTE */
static bool quoted_string(const char *s, size_t len)
{
	size_t i;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return false;
	for (i = 1; i + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			i++;
			if (i + 1 >= len || (unsigned char)s[i] < 32 || (unsigned char)s[i] > 126)
				return false;
		} else if (c < 32 || c > 126 || c == '"') {
			return false;
		}
	}
	return true;
}

/* Domain = sub-domain *("." sub-domain), sub-domain = Let-dig [Ldh-str] (RFC 1035 lengths) */
static bool domain(const char *s, size_t len)
{
	size_t i, label = 0;

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (is_alpha(s[i]) || is_digit(s[i]) || (s[i] == '-' && label > 0)) {
			label++;
		} else {
			return false;
		}
	}
	return true;
}

/* IPv4-address-literal = Snum 3("." Snum), Snum = 1*3DIGIT from 0 to 255 */
static bool ipv4(const char *s, size_t len)
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		if (part > 0) {
			if (i >= len || s[i] != '.')
				return false;
			i++;
		}
		while (i < len && is_digit(s[i]) && digits < 3) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (digits == 0 || v > 255)
			return false;
	}
	return i == len;
}

/* RFC 5321 IPv6-addr: full, compressed (one "::"), and both with an IPv4 tail. */
static bool ipv6(const char *s, size_t len)
{
	size_t i = 0, groups = 0;
	bool compressed = false;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		compressed = true;
		i = 2;
	} else if (len > 0 && s[0] == ':') {
		return false;
	}
	while (i < len) {
		size_t start = i, digits = 0;

		while (i < len && secex_util_hexval(s[i]) >= 0 && digits < 5) {
			i++;
			digits++;
		}
		if (i < len && s[i] == '.') {
			/* an IPv4 tail counts as two groups and ends the address */
			if (!ipv4(s + start, len - start))
				return false;
			groups += 2;
			i = len;
			break;
		}
		if (digits == 0 || digits > 4)
			return false;
		groups++;
		if (i == len)
			break;
		if (s[i] != ':')
			return false;
		i++;
		if (i < len && s[i] == ':') {
			if (compressed)
				return false;
			compressed = true;
			i++;
		} else if (i == len) {
			return false; /* a single trailing ':' */
		}
	}
	return compressed ? groups <= 7 : groups == 8;
}

/* address-literal = "[" ( IPv4-address-literal / IPv6-address-literal ) "]" */
static bool address_literal(const char *s, size_t len)
{
	if (len < 3 || s[0] != '[' || s[len - 1] != ']')
		return false;
	s++;
	len -= 2;
	if (len > 5 && memcmp(s, "IPv6:", 5) == 0)
		return ipv6(s + 5, len - 5);
	return ipv4(s, len);
}

/* RFC 5321 Mailbox = Local-part "@" ( Domain / address-literal ), ASCII only. */
static bool email(const char *s, size_t len)
{
	const char *at = NULL;
	size_t i, local;

	if (len > 254)
		return false;
	if (len > 0 && s[0] == '"') {
		/* the local part is a quoted string, which may contain '@' */
		for (i = 1; i < len && s[i] != '"'; i++)
			if (s[i] == '\\')
				i++;
		if (i + 1 < len && s[i + 1] == '@')
			at = s + i + 1;
	} else {
		at = memchr(s, '@', len);
	}
	if (!at)
		return false;
	local = (size_t)(at - s);
	if (local == 0 || local > 64)
		return false;
	if (!(s[0] == '"' ? quoted_string(s, local) : dot_string(s, local)))
		return false;
	s = at + 1;
	len -= local + 1;
	return len > 0 && s[0] == '[' ? address_literal(s, len) : domain(s, len);
}

bool secex_schema_format_check(secex_format format, const char *str, size_t len)
{
	int64_t days;

	switch (format) {
	case SECEX_FORMAT_DATE:
		return secex_date_parse(&days, str, len);
	case SECEX_FORMAT_DATE_TIME:
		return date_time(str, len);
	case SECEX_FORMAT_TIME:
		return full_time(str, len);
	case SECEX_FORMAT_EMAIL:
		return email(str, len);
	case SECEX_FORMAT_NONE:
	default:
		return true;
	}
}
