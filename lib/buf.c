/* Growable buffers, whole-file reads, and files created atomically. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "secex/util.h"
#include "banned.h"

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
	if (!ptr)
		return secex_error_set(SECEX_ENOMEM, "out of memory");
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

int secex_file_read(secex_buf *out, const char *path, size_t max_size)
{
	FILE *f = NULL;
	struct stat st;
	size_t got;
	int rc = 0;

	f = fopen(path, "rb");
	if (!f)
		return secex_error_set(errno == ENOENT ? SECEX_ENOTFOUND : SECEX_EIO,
				       "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = secex_error_set(SECEX_EIO, "'%s' is not a regular file", path);
		goto cleanup;
	}
	if ((uint64_t)st.st_size > max_size) {
		rc = secex_error_set(SECEX_EINVALID, "'%s' is %lld bytes, more than the limit of %zu",
				     path, (long long)st.st_size, max_size);
		goto cleanup;
	}
	if ((rc = secex_buf_grow(out, (size_t)st.st_size + 1)) < 0)
		goto cleanup;
	/* read one byte more than stat said, in case the file grew */
	got = fread(out->ptr + out->size, 1, (size_t)st.st_size + 1, f);
	if (ferror(f)) {
		rc = secex_error_set(SECEX_EIO, "cannot read '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	if (got > max_size) {
		rc = secex_error_set(SECEX_EINVALID, "'%s' is more than the limit of %zu bytes",
				     path, max_size);
		goto cleanup;
	}
	out->size += got;
	out->ptr[out->size] = '\0';
cleanup:
	fclose(f);
	return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int secex_file_create(const char *path, const char *data, size_t len)
{
	const char *slash = strrchr(path, '/');
	secex_buf tmp = SECEX_BUF_INIT;
	int fd = -1, rc = 0, err = 0;

	if (secex_buf_printf(&tmp, "%.*s.%s.secex-XXXXXX", slash ? (int)(slash - path + 1) : 0, path,
			     slash ? slash + 1 : path) < 0)
		return SECEX_ENOMEM;
	if ((fd = mkstemp(tmp.ptr)) < 0) {
		rc = secex_error_set(SECEX_EIO, "cannot write next to '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	(void)fchmod(fd, 0644);
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && link(tmp.ptr, path) < 0)
		err = errno;
	unlink(tmp.ptr);
	if (err == EEXIST)
		rc = SECEX_EEXISTS;
	else if (err)
		rc = secex_error_set(SECEX_EIO, "cannot write '%s': %s", path, strerror(err));
cleanup:
	secex_buf_release(&tmp);
	return rc;
}

int secex_dir_create(const char *dir)
{
	char *copy = secex_strndup(dir, strlen(dir)), *p;
	struct stat st;
	int rc = 0;

	if (!copy)
		return secex_error_set(SECEX_ENOMEM, "out of memory");
	for (p = copy + 1; rc == 0 && *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			rc = secex_error_set(SECEX_EIO, "cannot create '%s': %s", copy, strerror(errno));
		*p = '/';
	}
	if (rc == 0 && mkdir(copy, 0755) < 0 && errno != EEXIST)
		rc = secex_error_set(SECEX_EIO, "cannot create '%s': %s", copy, strerror(errno));
	if (rc == 0 && (stat(copy, &st) < 0 || !S_ISDIR(st.st_mode)))
		rc = secex_error_set(SECEX_EIO, "'%s' is not a directory; pass a directory for the files", copy);
	free(copy);
	return rc;
}
