#ifndef SECEX_BUF_H
#define SECEX_BUF_H

/* A growable byte string. */

#include <stdarg.h>
#include <stddef.h>
#include "common.h"

/* A growable byte string, NUL-terminated from its first allocation on (secex_buf_grow too). */
typedef struct {
	char *ptr;
	size_t size;  /* bytes used, without the terminating NUL */
	size_t asize; /* bytes allocated */
} secex_buf;

#define SECEX_BUF_INIT { NULL, 0, 0 }

int secex_buf_grow(secex_buf *buf, size_t extra);
int secex_buf_put(secex_buf *buf, const char *data, size_t len);
int secex_buf_puts(secex_buf *buf, const char *str);
int secex_buf_putc(secex_buf *buf, char c);
int secex_buf_printf(secex_buf *buf, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
int secex_buf_vprintf(secex_buf *buf, const char *fmt, va_list ap)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 0)))
#endif
	;
/* Appends str escaped as the inside of a JSON string (no quotes). */
int secex_buf_put_json_string(secex_buf *buf, const char *str, size_t len);
/* Appends str with &, <, >, " and ' escaped for HTML and XML. */
int secex_buf_put_xml(secex_buf *buf, const char *str);
const char *secex_buf_cstr(const secex_buf *buf); /* "" when empty */
void secex_buf_clear(secex_buf *buf);
void secex_buf_release(secex_buf *buf);
char *secex_buf_detach(secex_buf *buf); /* caller frees; never NULL unless out of memory */

#endif
