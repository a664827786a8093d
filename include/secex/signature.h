#ifndef SECEX_SIGNATURE_H
#define SECEX_SIGNATURE_H

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
 * with the keys the roster gives the person (secex_ssh_key_equal for SSH, the uppercase
 * primary fingerprint for OpenPGP) and check the key's validity window.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "util.h"

/* What secex_commit_split found in a commit object. */
typedef enum {
	SECEX_COMMIT_UNSIGNED = 0, /* no gpgsig header (a signature in the message does not count) */
	SECEX_COMMIT_SIGNED,       /* one gpgsig header: signature and payload are filled */
	SECEX_COMMIT_MALFORMED     /* see message: cannot be trusted either way */
} secex_commit_state;

typedef struct {
	secex_commit_state state;
	secex_buf signature; /* the gpgsig value, continuation lines joined, ending in "\n" */
	secex_buf payload;   /* the object without its gpgsig header: the signed bytes */
	secex_buf message;   /* why the commit is malformed; "" otherwise */
	int64_t time;        /* committer time, seconds since the epoch: a claim of the signer */
	int tz_offset;       /* committer time zone, minutes east of UTC */
} secex_signed_commit;

#define SECEX_SIGNED_COMMIT_INIT \
	{ SECEX_COMMIT_UNSIGNED, SECEX_BUF_INIT, SECEX_BUF_INIT, SECEX_BUF_INIT, 0, 0 }

void secex_signed_commit_init(secex_signed_commit *commit);
void secex_signed_commit_release(secex_signed_commit *commit);

/*
 * Parses the headers of a raw commit object (data need not be NUL-terminated) the way git's
 * parse_buffer_signed_by_header does, but stricter: more than one gpgsig header, any other
 * gpgsig* header (gpgsig-sha256), a NUL in the headers, headers not ended by an empty line,
 * or a missing or unreadable committer line make the commit MALFORMED. The payload is filled
 * only for SIGNED commits. `out` may be reused: it is cleared first. Returns 0, or
 * SECEX_ENOMEM.
 */
int secex_commit_split(secex_signed_commit *out, const char *data, size_t len);

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

/* The kind of a signature, from its armour line (as git's gpg-interface decides). */
typedef enum {
	SECEX_SIGKIND_UNKNOWN = 0,
	SECEX_SIGKIND_OPENPGP, /* -----BEGIN PGP SIGNATURE----- or PGP MESSAGE */
	SECEX_SIGKIND_X509,    /* -----BEGIN SIGNED MESSAGE----- (gpgsm): not supported */
	SECEX_SIGKIND_SSH      /* -----BEGIN SSH SIGNATURE----- */
} secex_sigkind;

secex_sigkind secex_signature_detect(const char *sig, size_t len);

typedef struct secex_openpgp_keyring secex_openpgp_keyring;

/*
 * Verifies a commit signature of any supported kind: SSH with namespace "git", OpenPGP
 * against keyring (NULL: every OpenPGP signature is UNKNOWN_KEY). X.509 and unknown
 * kinds are UNSUPPORTED results.
 */
int secex_signature_verify(secex_sig_result *out, secex_openpgp_keyring *keyring,
			   const char *sig, size_t siglen, const char *payload, size_t len);

/* SSH public keys. */
typedef enum {
	SECEX_SSH_ED25519 = 1,
	SECEX_SSH_ECDSA_P256,
	SECEX_SSH_ECDSA_P384,
	SECEX_SSH_ECDSA_P521,
	SECEX_SSH_RSA
} secex_ssh_keytype;

typedef struct {
	secex_ssh_keytype type;
	const char *type_name; /* static: "ssh-ed25519" */
	unsigned bits;
	secex_buf blob;        /* the wire-format key, as SSHSIG embeds it */
} secex_ssh_key;

#define SECEX_SSH_KEY_INIT { (secex_ssh_keytype)0, NULL, 0, SECEX_BUF_INIT }

void secex_ssh_key_init(secex_ssh_key *key);
void secex_ssh_key_release(secex_ssh_key *key);

/*
 * Parses an SSH public key line, "ssh-ed25519 AAAA... comment" (no options before the
 * type), and checks the key inside: its type must match the line's, ECDSA points must lie
 * on their curve, RSA moduli must have 2048 bits or more. Security-key (sk-*) keys,
 * certificates and DSA keys are refused. Returns 0 or SECEX_EINVALID with the reason in
 * secex_error_last(), or SECEX_ENOMEM.
 */
int secex_ssh_key_parse(secex_ssh_key *out, const char *line, size_t len);

/* Whether blob (from a secex_sig_result) is exactly this key. */
bool secex_ssh_key_equal(const secex_ssh_key *key, const secex_buf *blob);

/* Appends "SHA256:<base64>" of a wire-format key, as ssh-keygen -l prints it. */
int secex_ssh_fingerprint(secex_buf *out, const void *blob, size_t len);

/*
 * Verifies an armoured SSH signature (-----BEGIN SSH SIGNATURE----- ...) over payload.
 * ns is the namespace it must have been made for (NULL means "git"). Accepts ssh-ed25519,
 * ecdsa-sha2-nistp256/384/521 and RSA keys of 2048 bits or more with rsa-sha2-256/512
 * signatures, and the sha256/sha512 message hashes. On return out->key holds the signer's
 * key blob whenever the signature parsed. Returns 0 (see out->status) or SECEX_ENOMEM.
 */
int secex_sshsig_verify(secex_sig_result *out, const char *sig, size_t siglen,
			const char *payload, size_t len, const char *ns);

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
