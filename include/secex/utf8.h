#ifndef SECEX_UTF8_H
#define SECEX_UTF8_H

/* UTF-8 checks, and user text made safe for text-like outputs. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "buf.h"

/* Whether data is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
 * On failure *bad_offset is the offset of the first bad byte. */
bool secex_utf8_valid(const char *data, size_t len, size_t *bad_offset);
/* Number of code points in well-formed UTF-8. */
size_t secex_utf8_length(const char *data, size_t len);

/* Appends len bytes of str (user data going into a text-like output) with every character
 * that a terminal, a CI log or a line-based reader would act on written out as an escape:
 * C0 controls (\n, \r, \t, \e, \xHH), DEL (\x7F), C1 controls and U+2028/U+2029
 * (\uHHHH) and bytes that are not UTF-8 (\xHH). With SECEX_SAFE_SPACE each becomes one
 * space instead; with SECEX_SAFE_KEEP_TAB a TAB stays. */
#define SECEX_SAFE_SPACE 1u
#define SECEX_SAFE_KEEP_TAB 2u
int secex_utf8_put_safe(secex_buf *buf, const char *str, size_t len, unsigned flags);
int secex_utf8_puts_safe(secex_buf *buf, const char *str, unsigned flags); /* NULL: nothing */

#endif
