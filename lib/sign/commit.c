/* Splitting a raw commit object into its signature and the signed payload. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secex/commit.h"
#include "secex/banned.h"

void secex_commit_init(secex_signed_commit *commit)
{
	secex_signed_commit zero = SECEX_SIGNED_COMMIT_INIT;

	*commit = zero;
}

void secex_commit_release(secex_signed_commit *commit)
{
	if (!commit)
		return;
	secex_buf_release(&commit->signature);
	secex_buf_release(&commit->payload);
	secex_buf_release(&commit->message);
	commit->state = SECEX_COMMIT_UNSIGNED;
	commit->time = 0;
	commit->tz_offset = 0;
}

static int malformed(secex_signed_commit *out, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static int malformed(secex_signed_commit *out, const char *fmt, ...)
{
	va_list ap;
	char msg[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	out->state = SECEX_COMMIT_MALFORMED;
	secex_buf_clear(&out->signature);
	secex_buf_clear(&out->payload);
	return secex_buf_puts(&out->message, msg);
}

static bool has_prefix(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(line, prefix, n) == 0;
}

/* Parses "<ident> <seconds> <+|-HHMM>" after the last '>' of a committer line, as git's
 * split_ident_line finds the date. */
static bool parse_committer(const char *line, size_t len, int64_t *time, int *tz)
{
	const char *end = line + len, *p = end;
	int64_t t = 0;
	int digits = 0, off;

	while (p > line && p[-1] != '>')
		p--;
	if (p == line || p == end || *p++ != ' ')
		return false;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (++digits > 18)
			return false;
		t = t * 10 + (*p - '0');
	}
	if (!digits || end - p != 6 || p[0] != ' ' || (p[1] != '+' && p[1] != '-'))
		return false;
	for (p += 2; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
	}
	off = ((end[-4] - '0') * 10 + (end[-3] - '0')) * 60 + (end[-2] - '0') * 10 + (end[-1] - '0');
	*time = t;
	*tz = end[-5] == '-' ? -off : off;
	return true;
}

int secex_commit_split(secex_signed_commit *out, const char *data, size_t len)
{
	size_t pos = 0, sig_start = 0, sig_end = 0, nsig = 0, ncommitter = 0, lineno = 0;
	bool in_sig = false, ended = false;
	int rc;

	out->state = SECEX_COMMIT_UNSIGNED;
	out->time = 0;
	out->tz_offset = 0;
	secex_buf_clear(&out->signature);
	secex_buf_clear(&out->payload);
	secex_buf_clear(&out->message);

	while (pos < len) {
		const char *line = data + pos;
		const char *eol = memchr(line, '\n', len - pos);
		size_t linelen, next;

		lineno++;
		if (!eol)
			return malformed(out, "commit headers end without an empty line "
					 "(truncated object?)");
		linelen = (size_t)(eol - line);
		next = pos + linelen + 1;
		if (memchr(line, '\0', linelen))
			return malformed(out, "commit header line %zu contains a NUL byte", lineno);
		if (linelen == 0) {
			ended = true;
			break;
		}
		if (line[0] == ' ') {
			/* a continuation line: part of the signature only right after gpgsig */
			if (in_sig) {
				if ((rc = secex_buf_put(&out->signature, line + 1, linelen)) < 0)
					return rc;
				sig_end = next;
			}
			pos = next;
			continue;
		}
		in_sig = false;
		if (has_prefix(line, linelen, "gpgsig ")) {
			if (++nsig > 1)
				return malformed(out, "commit has more than one 'gpgsig' header; git "
						 "would join them into one signature, secex refuses it");
			sig_start = pos;
			sig_end = next;
			in_sig = true;
			if ((rc = secex_buf_put(&out->signature, line + 7, linelen - 7 + 1)) < 0)
				return rc;
		} else if (has_prefix(line, linelen, "gpgsig")) {
			char name[41];
			size_t i;

			for (i = 0; i < linelen && i < sizeof(name) - 1 && line[i] != ' '; i++)
				name[i] = line[i] > 0x20 && line[i] < 0x7f ? line[i] : '?';
			name[i] = '\0';
			return malformed(out, "commit has a '%s' header; secex verifies the 'gpgsig' "
					 "signatures of SHA-1 repositories only", name);
		} else if (has_prefix(line, linelen, "committer ")) {
			if (++ncommitter > 1)
				return malformed(out, "commit has more than one 'committer' header");
			if (!parse_committer(line, linelen, &out->time, &out->tz_offset))
				return malformed(out, "commit header line %zu: cannot read the committer "
						 "date", lineno);
		}
		pos = next;
	}
	if (!ended)
		return malformed(out, "commit headers end without an empty line (truncated object?)");
	if (!ncommitter)
		return malformed(out, "commit has no 'committer' header");
	if (!nsig) {
		secex_buf_clear(&out->signature);
		return 0;
	}
	out->state = SECEX_COMMIT_SIGNED;
	if ((rc = secex_buf_grow(&out->payload, len - (sig_end - sig_start))) < 0 ||
	    (rc = secex_buf_put(&out->payload, data, sig_start)) < 0 ||
	    (rc = secex_buf_put(&out->payload, data + sig_end, len - sig_end)) < 0)
		return rc;
	return 0;
}
