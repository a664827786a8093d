#ifndef SECEX_SIG_INT_H
#define SECEX_SIG_INT_H

/* Helpers shared by signature.c, sshsig.c and openpgp.c (defined in sig.c). */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include "secex/sig.h"

int secex_sig_base64_decode(secex_buf *out, const char *in, size_t len);
int secex_sig_base64_encode(secex_buf *out, const void *data, size_t len, bool pad);
void secex_sig_result_reset(secex_sig_result *result);
int secex_sig_result_fail(secex_sig_result *result, secex_sig_status status,
			  const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
int secex_sig_result_vfail(secex_sig_result *result, secex_sig_status status,
			   const char *fmt, va_list ap)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 0)))
#endif
	;
int secex_sig_put_untrusted(secex_buf *out, const void *data, size_t len);

#endif
