/* Signed commits: the signature and the payload of a raw commit object, and what they share. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secex/signature.h"
#include "signature_int.h"
#include "banned.h"

void secex_signed_commit_init(secex_signed_commit *commit)
{
	secex_signed_commit zero = SECEX_SIGNED_COMMIT_INIT;

	*commit = zero;
}

void secex_signed_commit_release(secex_signed_commit *commit)
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

void secex_sig_result_init(secex_sig_result *result)
{
	secex_sig_result zero = SECEX_SIG_RESULT_INIT;

	*result = zero;
}

void secex_sig_result_release(secex_sig_result *result)
{
	if (!result)
		return;
	secex_buf_release(&result->message);
	secex_buf_release(&result->key);
	secex_buf_release(&result->fingerprint);
	result->status = SECEX_SIG_OK;
	result->signed_at = 0;
}

void secex_sig_result_reset(secex_sig_result *result)
{
	result->status = SECEX_SIG_OK;
	result->signed_at = 0;
	secex_buf_clear(&result->message);
	secex_buf_clear(&result->key);
	secex_buf_clear(&result->fingerprint);
}

int secex_sig_result_fail(secex_sig_result *result, secex_sig_status status, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	result->status = status;
	secex_buf_clear(&result->message);
	return secex_buf_puts(&result->message, msg);
}

/* Appends at most 64 bytes of attacker-chosen text, printable ASCII only. */
int secex_sig_put_untrusted(secex_buf *out, const void *data, size_t len)
{
	const unsigned char *s = data;
	size_t i;
	int rc = 0;

	for (i = 0; i < len && i < 64 && rc == 0; i++)
		rc = secex_buf_putc(out, s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?');
	if (rc == 0 && len > 64)
		rc = secex_buf_puts(out, "...");
	return rc;
}

const char *secex_sig_status_name(secex_sig_status status)
{
	switch (status) {
	case SECEX_SIG_OK: return "ok";
	case SECEX_SIG_BAD_SIGNATURE: return "bad-signature";
	case SECEX_SIG_WRONG_NAMESPACE: return "wrong-namespace";
	case SECEX_SIG_UNKNOWN_KEY: return "unknown-key";
	case SECEX_SIG_EXPIRED: return "expired";
	case SECEX_SIG_REVOKED: return "revoked";
	case SECEX_SIG_UNSUPPORTED: return "unsupported";
	case SECEX_SIG_MALFORMED: return "malformed";
	}
	return "unknown";
}

static signed char b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (signed char)(c - 'A');
	if (c >= 'a' && c <= 'z')
		return (signed char)(c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (signed char)(c - '0' + 52);
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Strict base64 (RFC 4648 alphabet, no whitespace): the length is a multiple of 4, '='
 * appears only as one or two final padding characters, and the bits padding leaves over are
 * zero, as OpenBSD's b64_pton (used by ssh-keygen) requires. Returns SECEX_EINVALID without a
 * message for bad input, so that callers can say where it was.
 */
int secex_sig_base64_decode(secex_buf *out, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i, pad = 0;
	int rc;

	if (len % 4)
		return SECEX_EINVALID;
	if (len && s[len - 1] == '=')
		pad = len >= 2 && s[len - 2] == '=' ? 2 : 1;
	if ((rc = secex_buf_grow(out, len / 4 * 3)) < 0)
		return rc;
	for (i = 0; i < len; i += 4) {
		signed char v[4];
		unsigned long w;
		int k, n = 4;

		if (i + 4 == len)
			n = 4 - (int)pad;
		for (k = 0; k < 4; k++) {
			v[k] = k < n ? b64_value(s[i + k]) : 0;
			if (v[k] < 0)
				return SECEX_EINVALID;
		}
		if (n < 2)
			return SECEX_EINVALID;
		w = (unsigned long)v[0] << 18 | (unsigned long)v[1] << 12 |
		    (unsigned long)v[2] << 6 | (unsigned long)v[3];
		if ((n == 2 && (w & 0xffff)) || (n == 3 && (w & 0xff)))
			return SECEX_EINVALID; /* non-zero bits after the last byte */
		out->ptr[out->size++] = (char)(w >> 16);
		if (n > 2)
			out->ptr[out->size++] = (char)(w >> 8);
		if (n > 3)
			out->ptr[out->size++] = (char)w;
	}
	out->ptr[out->size] = '\0';
	return 0;
}

int secex_sig_base64_encode(secex_buf *out, const void *data, size_t len, bool pad)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = data;
	size_t i;
	int rc;

	if ((rc = secex_buf_grow(out, (len + 2) / 3 * 4)) < 0)
		return rc;
	for (i = 0; i < len; i += 3) {
		unsigned long w = (unsigned long)s[i] << 16;
		size_t n = len - i < 3 ? len - i : 3;

		if (n > 1)
			w |= (unsigned long)s[i + 1] << 8;
		if (n > 2)
			w |= s[i + 2];
		out->ptr[out->size++] = abc[w >> 18 & 63];
		out->ptr[out->size++] = abc[w >> 12 & 63];
		if (n > 1)
			out->ptr[out->size++] = abc[w >> 6 & 63];
		else if (pad)
			out->ptr[out->size++] = '=';
		if (n > 2)
			out->ptr[out->size++] = abc[w & 63];
		else if (pad)
			out->ptr[out->size++] = '=';
	}
	out->ptr[out->size] = '\0';
	return 0;
}

static bool starts(const char *sig, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(sig, prefix, n) == 0;
}

secex_sigkind secex_signature_detect(const char *sig, size_t len)
{
	if (starts(sig, len, "-----BEGIN SSH SIGNATURE-----"))
		return SECEX_SIGKIND_SSH;
	if (starts(sig, len, "-----BEGIN PGP SIGNATURE-----") ||
	    starts(sig, len, "-----BEGIN PGP MESSAGE-----"))
		return SECEX_SIGKIND_OPENPGP;
	if (starts(sig, len, "-----BEGIN SIGNED MESSAGE-----"))
		return SECEX_SIGKIND_X509;
	return SECEX_SIGKIND_UNKNOWN;
}

int secex_signature_verify(secex_sig_result *out, secex_openpgp_keyring *keyring,
			   const char *sig, size_t siglen, const char *payload, size_t len)
{
	secex_sig_result_reset(out);
	switch (secex_signature_detect(sig, siglen)) {
	case SECEX_SIGKIND_SSH:
		return secex_sshsig_verify(out, sig, siglen, payload, len, "git");
	case SECEX_SIGKIND_OPENPGP:
		if (!keyring)
			return secex_sig_result_fail(out, SECEX_SIG_UNKNOWN_KEY,
				"OpenPGP signature, but the roster has no OpenPGP keys");
		return secex_openpgp_verify(out, keyring, sig, siglen, payload, len);
	case SECEX_SIGKIND_X509:
		return secex_sig_result_fail(out, SECEX_SIG_UNSUPPORTED,
			"X.509 (gpgsm) signatures are not supported; sign with an SSH or OpenPGP key");
	case SECEX_SIGKIND_UNKNOWN:
		break;
	}
	return secex_sig_result_fail(out, SECEX_SIG_MALFORMED,
		"the signature is neither SSH nor OpenPGP (no '-----BEGIN ... SIGNATURE-----' line)");
}
