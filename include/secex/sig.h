#ifndef SECEX_SIG_H
#define SECEX_SIG_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_SIGN)
#error "a layer below sign/ may not use it: see Hacking in the README"
#endif

/*
 * Signed commits: splitting a raw commit object into signature and signed payload, and
 * verifying SSH signatures (SSHSIG) and OpenPGP signatures (against a keyring built from
 * the roster alone), both natively with OpenSSL.
 *
 * A signature that does not verify is not a failure to run: the verify functions return 0
 * and say why in a secex_sig_result. They return a negative SECEX_E... code only when they
 * cannot do their work (out of memory, OpenSSL failing).
 *
 * A verified signature only says which key signed. The caller must still compare that key
 * with the keys the roster gives the person (secex_sshsig_key_equal for SSH, the uppercase
 * primary fingerprint for OpenPGP) and check the key's validity window.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "util.h"

/* The outcome of verifying one signature. */
typedef enum {
	SECEX_SIG_OK = 0,          /* verifies over the payload; now check who the key belongs to */
	SECEX_SIG_BAD_SIGNATURE,   /* does not verify: the payload or the signature was changed */
	SECEX_SIG_WRONG_NAMESPACE, /* an SSH signature made for something else than git */
	SECEX_SIG_UNKNOWN_KEY,     /* OpenPGP: the key is not in the keyring */
	SECEX_SIG_EXPIRED,         /* OpenPGP: the key or the signature has expired */
	SECEX_SIG_REVOKED,         /* OpenPGP: the key was revoked */
	SECEX_SIG_UNSUPPORTED,     /* a key type or algorithm secex refuses; message says which */
	SECEX_SIG_MALFORMED        /* not a well-formed signature; message says where */
} secex_sig_status;

typedef struct {
	secex_sig_status status;
	secex_buf message;     /* why, when status is not OK; "" when OK */
	secex_buf key;         /* SSH: wire blob of the signer's public key; empty for OpenPGP */
	secex_buf fingerprint; /* SSH: "SHA256:..." of key; OpenPGP: primary key fingerprint,
				  uppercase hex. Filled when known, to be trusted only when OK */
	int64_t signed_at;     /* OpenPGP: signature time the signer claims; 0 for SSH */
} secex_sig_result;

#define SECEX_SIG_RESULT_INIT \
	{ SECEX_SIG_OK, SECEX_BUF_INIT, SECEX_BUF_INIT, SECEX_BUF_INIT, 0 }

void secex_sig_result_init(secex_sig_result *result);
void secex_sig_result_release(secex_sig_result *result);
/* "ok", "bad-signature", "wrong-namespace", ... */
const char *secex_sig_status_name(secex_sig_status status);

#define SECEX_SIG_SHA256_SIZE 32

/* out = SHA-256 of the len bytes at data. Returns 0, or SECEX_ERROR when OpenSSL fails. */
int secex_sig_sha256(unsigned char out[SECEX_SIG_SHA256_SIZE], const void *data, size_t len);

#endif
