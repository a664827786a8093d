/* Growable buffers (files are read and written in file.c). */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "secex/util.h"
#include "secex/banned.h"

int secex_buf_grow(secex_buf *buf, size_t extra)
{
	size_t need, asize;
	char *ptr;

	if (extra > SIZE_MAX - buf->size - 1)
		return secex_error_set(SECEX_ENOMEM, "buffer too large");
	need = buf->size + extra + 1;
	if (need <= buf->asize)
		return 0;
	asize = buf->asize ? buf->asize : 64;
	while (asize < need)
		asize = asize > SIZE_MAX / 2 ? need : asize * 2;
	ptr = realloc(buf->ptr, asize);
	SECEX_ERROR_CHECK_ALLOC(ptr);
	ptr[buf->size] = '\0'; /* a grown buffer is a string even before anything is put in it */
	buf->ptr = ptr;
	buf->asize = asize;
	return 0;
}

int secex_buf_put(secex_buf *buf, const char *data, size_t len)
{
	if (secex_buf_grow(buf, len) < 0)
		return SECEX_ENOMEM;
	if (len)
		memcpy(buf->ptr + buf->size, data, len);
	buf->size += len;
	buf->ptr[buf->size] = '\0';
	return 0;
}

int secex_buf_puts(secex_buf *buf, const char *str)
{
	return secex_buf_put(buf, str, strlen(str));
}

int secex_buf_putc(secex_buf *buf, char c)
{
	return secex_buf_put(buf, &c, 1);
}

int secex_buf_vprintf(secex_buf *buf, const char *fmt, va_list ap)
{
	va_list copy;
	int len;

	va_copy(copy, ap);
	len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (len < 0)
		return secex_error_set(SECEX_ERROR, "bad format string");
	if (secex_buf_grow(buf, (size_t)len) < 0)
		return SECEX_ENOMEM;
	vsnprintf(buf->ptr + buf->size, (size_t)len + 1, fmt, ap);
	buf->size += (size_t)len;
	return 0;
}

int secex_buf_printf(secex_buf *buf, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = secex_buf_vprintf(buf, fmt, ap);
	va_end(ap);
	return rc;
}

int secex_buf_put_json_string(secex_buf *buf, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0;
	int rc = 0;

	for (i = 0; i < len && rc == 0; i++) {
		unsigned char c = (unsigned char)str[i];
		char esc[7] = "\\u00";

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		rc = secex_buf_put(buf, str + start, i - start);
		start = i + 1;
		if (rc)
			break;
		switch (c) {
		case '"': rc = secex_buf_puts(buf, "\\\""); break;
		case '\\': rc = secex_buf_puts(buf, "\\\\"); break;
		case '\n': rc = secex_buf_puts(buf, "\\n"); break;
		case '\r': rc = secex_buf_puts(buf, "\\r"); break;
		case '\t': rc = secex_buf_puts(buf, "\\t"); break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			esc[6] = '\0';
			rc = secex_buf_puts(buf, esc);
		}
	}
	if (rc == 0)
		rc = secex_buf_put(buf, str + start, len - start);
	return rc;
}

int secex_buf_put_xml(secex_buf *buf, const char *str)
{
	int rc = 0;

	for (; *str && rc == 0; str++) {
		switch (*str) {
		case '&': rc = secex_buf_puts(buf, "&amp;"); break;
		case '<': rc = secex_buf_puts(buf, "&lt;"); break;
		case '>': rc = secex_buf_puts(buf, "&gt;"); break;
		case '"': rc = secex_buf_puts(buf, "&quot;"); break;
		case '\'': rc = secex_buf_puts(buf, "&#39;"); break;
		default: rc = secex_buf_putc(buf, *str);
		}
	}
	return rc;
}

const char *secex_buf_cstr(const secex_buf *buf)
{
	return buf->ptr ? buf->ptr : "";
}

void secex_buf_clear(secex_buf *buf)
{
	buf->size = 0;
	if (buf->ptr)
		buf->ptr[0] = '\0';
}

void secex_buf_release(secex_buf *buf)
{
	free(buf->ptr);
	buf->ptr = NULL;
	buf->size = buf->asize = 0;
}

char *secex_buf_detach(secex_buf *buf)
{
	char *ptr;

	if (!buf->ptr && secex_buf_grow(buf, 0) < 0)
		return NULL;
	buf->ptr[buf->size] = '\0';
	ptr = buf->ptr;
	buf->ptr = NULL;
	buf->size = buf->asize = 0;
	return ptr;
}
