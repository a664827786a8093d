/* libFuzzer target: OpenPGP armour, public keys and detached signatures. The input is
 * "PUBLIC-KEY\0SIGNATURE\0PAYLOAD": the key goes into a fresh keyring, then the signature
 * is verified over the payload against it. A missing part is the whole input. */

#include <secex.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	secex_sig_result result = SECEX_SIG_RESULT_INIT;
	secex_openpgp_keyring *keyring = NULL;
	secex_buf fprs = SECEX_BUF_INIT;
	const char *key, *rest, *sig, *payload;
	size_t keylen, restlen, siglen, len;

	fuzz_split(data, size, &key, &keylen, &rest, &restlen);
	fuzz_split((const uint8_t *)rest, restlen, &sig, &siglen, &payload, &len);
	if (secex_openpgp_keyring_new(&keyring, NULL, 0) < 0)
		return 0;
	secex_openpgp_keyring_add(keyring, key, keylen, &fprs);
	secex_signature_verify(&result, keyring, sig, siglen, payload, len);
	secex_openpgp_keyring_free(keyring);
	secex_buf_release(&fprs);
	secex_sig_result_release(&result);
	return 0;
}
