/* What every verifier shares: the result of one verification, base64, SHA-256. */

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "secex/sig.h"
#include "sig_int.h"
#include "secex/banned.h"

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
	int rc;

	va_start(ap, fmt);
	rc = secex_sig_result_vfail(result, status, fmt, ap);
	va_end(ap);
	return rc;
}

/* The message is cut at 511 bytes: it may quote what an attacker wrote. */
int secex_sig_result_vfail(secex_sig_result *result, secex_sig_status status, const char *fmt,
			   va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
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

static EVP_MD *sha256_md;

static void fetch_sha256(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* EVP_sha256() makes OpenSSL 3 look the implementation up on every digest (a third of the
 * time of a short one): fetched once instead, and kept for the life of the process. */
int secex_sig_sha256(unsigned char out[SECEX_SIG_SHA256_SIZE], const void *data, size_t len)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	unsigned int n = SECEX_SIG_SHA256_SIZE;

	pthread_once(&once, fetch_sha256);
	if (!sha256_md || !EVP_Digest(len ? data : "", len, out, &n, sha256_md, NULL))
		return secex_error_set(SECEX_ERROR, "SHA-256 failed");
	return 0;
}
