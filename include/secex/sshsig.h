#ifndef SECEX_SSHSIG_H
#define SECEX_SSHSIG_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_SIGN)
#error "a layer below sign/ may not use it: see Hacking in the README"
#endif

/*
 * SSH public keys and SSH signatures (SSHSIG), verified with OpenSSL.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "util.h"
#include "sig.h"

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

void secex_sshsig_key_init(secex_ssh_key *key);
void secex_sshsig_key_release(secex_ssh_key *key);

/*
 * Parses an SSH public key line, "ssh-ed25519 AAAA... comment" (no options before the
 * type), and checks the key inside: its type must match the line's, ECDSA points must lie
 * on their curve, RSA moduli must have 2048 bits or more. Security-key (sk-*) keys,
 * certificates and DSA keys are refused. Returns 0 or SECEX_EINVALID with the reason in
 * secex_error_last(), or SECEX_ENOMEM.
 */
int secex_sshsig_key_parse(secex_ssh_key *out, const char *line, size_t len);

/* Whether blob (from a secex_sig_result) is exactly this key. */
bool secex_sshsig_key_equal(const secex_ssh_key *key, const secex_buf *blob);

/* Appends "SHA256:<base64>" of a wire-format key, as ssh-keygen -l prints it. */
int secex_sshsig_fingerprint(secex_buf *out, const void *blob, size_t len);

/*
 * Verifies an armoured SSH signature (-----BEGIN SSH SIGNATURE----- ...) over payload.
 * ns is the namespace it must have been made for (NULL means "git"). Accepts ssh-ed25519,
 * ecdsa-sha2-nistp256/384/521 and RSA keys of 2048 bits or more with rsa-sha2-256/512
 * signatures, and the sha256/sha512 message hashes. On return out->key holds the signer's
 * key blob whenever the signature parsed. Returns 0 (see out->status) or SECEX_ENOMEM.
 */
int secex_sshsig_verify(secex_sig_result *out, const char *sig, size_t siglen,
			const char *payload, size_t len, const char *ns);

#endif
