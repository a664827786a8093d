/* libFuzzer target: SSH public key lines and armoured SSH signatures. The input is
 * "KEY-OR-SIGNATURE\0PAYLOAD"; the first part is read both as a key and as a signature
 * over the payload, and a key that parses is compared with the signature's signer. */

#include <secex.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	secex_sig_result result = SECEX_SIG_RESULT_INIT;
	secex_ssh_key key = SECEX_SSH_KEY_INIT;
	secex_buf fpr = SECEX_BUF_INIT;
	const char *a, *b;
	size_t alen, blen;

	fuzz_split(data, size, &a, &alen, &b, &blen);
	secex_sshsig_verify(&result, a, alen, b, blen, NULL);
	if (secex_sshsig_key_parse(&key, a, alen) == 0) {
		(void)secex_sshsig_key_equal(&key, &result.key);
		secex_sshsig_fingerprint(&fpr, key.blob.ptr, key.blob.size);
	}
	secex_signature_verify(&result, NULL, a, alen, b, blen);
	secex_buf_release(&fpr);
	secex_sshsig_key_release(&key);
	secex_sig_result_release(&result);
	return 0;
}
