#ifndef SECEX_SIGNATURE_H
#define SECEX_SIGNATURE_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_SIGN)
#error "a layer below sign/ may not use it: see Hacking in the README"
#endif

/*
 * A commit signature of any kind secex supports, verified by the verifier for its kind.
 * The header also brings in the modules a verifier of signed commits uses: commit, sig,
 * sshsig and openpgp.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "util.h"
#include "commit.h"
#include "sig.h"
#include "sshsig.h"
#include "openpgp.h"

/* The kind of a signature, from its armour line (as git's gpg-interface decides). */
typedef enum {
	SECEX_SIGKIND_UNKNOWN = 0,
	SECEX_SIGKIND_OPENPGP, /* -----BEGIN PGP SIGNATURE----- or PGP MESSAGE */
	SECEX_SIGKIND_X509,    /* -----BEGIN SIGNED MESSAGE----- (gpgsm): not supported */
	SECEX_SIGKIND_SSH      /* -----BEGIN SSH SIGNATURE----- */
} secex_sigkind;

secex_sigkind secex_signature_detect(const char *sig, size_t len);

/*
 * Verifies a commit signature of any supported kind: SSH with namespace "git", OpenPGP
 * against keyring (NULL: every OpenPGP signature is UNKNOWN_KEY). X.509 and unknown
 * kinds are UNSUPPORTED results.
 */
int secex_signature_verify(secex_sig_result *out, secex_openpgp_keyring *keyring,
			   const char *sig, size_t siglen, const char *payload, size_t len);

#endif
