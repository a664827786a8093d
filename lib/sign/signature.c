/* Signed commits: the signature and the payload of a raw commit object, and what they share. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secex/signature.h"
#include "sig_int.h"
#include "secex/banned.h"

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
