#ifndef SECEX_OPENPGP_H
#define SECEX_OPENPGP_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_SIGN)
#error "a layer below sign/ may not use it: see Hacking in the README"
#endif

/*
 * OpenPGP, verified natively (no gpg, no gpgv, no files). A keyring holds the keys added to
 * it, parsed once: version 4 keys; RSA of 2048 bits or more, ECDSA on NIST P-256, P-384
 * and P-521, EdDSA Ed25519 (algorithm 22 and RFC 9580's 27). A primary key counts with a
 * valid self-signature over a user id (or a direct-key signature), which gives its key flags
 * and expiry; a subkey signs only with a valid binding from its primary that allows signing
 * and embeds the subkey's back-signature; key and subkey revocations by the primary revoke.
 * Self-signatures may use SHA-1, as gpg allows. DSA keys are kept (their signatures are
 * UNSUPPORTED, with the reason) but never verify. A keyring may not be used by two threads
 * at once.
 *
 * Verification requires exactly one version 4 signature packet, a binary or text document
 * signature, a creation time, no unknown critical subpacket, SHA-256/384/512 or SHA-224
 * (SHA-1 signatures are UNSUPPORTED; MD5 and others too), and names its key by the issuer
 * fingerprint subpacket (or the issuer key id). As gpgv does, expiry and revocation are
 * judged at the time of verification: a signature or key that has expired is EXPIRED, a
 * revoked key REVOKED. The primary key fingerprint comes back in out->fingerprint.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "util.h"
#include "sig.h"

typedef struct secex_openpgp_keyring secex_openpgp_keyring;

/* Makes a keyring from n armoured public keys (keys may be NULL when n is 0); fails with
 * SECEX_EINVALID on the first key that secex_openpgp_keyring_add refuses. */
int secex_openpgp_keyring_new(secex_openpgp_keyring **out, const char *const *keys, size_t n);

/*
 * Adds one armoured public key block (several keys may follow one another). Refused with
 * SECEX_EINVALID and a message: anything but well-formed armour, a bad checksum, secret
 * keys, packets that do not belong in a public key, partial lengths, keys other than
 * version 4. A key that parses but cannot sign (no valid self-signature, DSA) is kept, and
 * a signature by it says why. When fingerprints is not NULL, the primary fingerprint of
 * each key is appended to it, uppercase hex, each followed by "\n".
 */
int secex_openpgp_keyring_add(secex_openpgp_keyring *keyring, const char *armoured, size_t len,
			      secex_buf *fingerprints);

/* Verifies an armoured detached signature over payload. Returns 0 (see out->status), or
 * SECEX_ENOMEM, SECEX_ERROR when OpenSSL fails. */
int secex_openpgp_verify(secex_sig_result *out, secex_openpgp_keyring *keyring,
			 const char *sig, size_t siglen, const char *payload, size_t len);

/*
 * One key, one signature, one payload: a keyring of the armoured key text alone (key need
 * not be NUL-terminated), then secex_openpgp_verify. Safe on any input (bounds-checked,
 * no recursion, linear time): the entry point for fuzzing. Returns 0 (see out->status),
 * SECEX_EINVALID when the key is refused (secex_error_last() says why), SECEX_ENOMEM.
 */
int secex_openpgp_verify_key(secex_sig_result *out, const char *key, size_t keylen,
			     const char *sig, size_t siglen, const char *payload, size_t len);

/* Frees the keyring. Accepts NULL. */
void secex_openpgp_keyring_free(secex_openpgp_keyring *keyring);

#endif
