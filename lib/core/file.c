/* Whole files: the one reader every file secex reads by name goes through, and the writers
 * that create or replace a file atomically. */

#define _GNU_SOURCE /* mkostemp */
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "secex/util.h"
#include "secex/banned.h"

static const char *kind_of(mode_t mode)
{
	if (S_ISDIR(mode))
		return "directory";
	if (S_ISFIFO(mode))
		return "FIFO";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "device";
	if (S_ISSOCK(mode))
		return "socket";
	if (S_ISLNK(mode))
		return "symbolic link";
	return "special file";
}

static int not_file(const char *path, const char *what)
{
	return secex_error_set(SECEX_ENOTFILE, "'%s' is a %s; secex reads regular files only, "
			       "replace it with the file itself", path, what);
}

/* Opens path without blocking (a FIFO or a device must not stall the run) and makes sure it
 * is a regular file before anything reads from it. */
static int open_regular(int *fd, uint64_t *size, const char *path, unsigned flags)
{
	struct stat st;
	int oflags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;

	if (flags & SECEX_FILE_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	if ((*fd = open(path, oflags)) < 0) {
		if (errno == ELOOP && (flags & SECEX_FILE_NOFOLLOW))
			return not_file(path, "symbolic link");
		return secex_error_set(errno == ENOENT || errno == ENOTDIR ? SECEX_ENOTFOUND : SECEX_EIO,
				       "cannot open '%s': %s; check the path", path, strerror(errno));
	}
	if (fstat(*fd, &st) < 0)
		return secex_error_set(SECEX_EIO, "cannot read '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return not_file(path, kind_of(st.st_mode));
	*size = (uint64_t)st.st_size;
	return 0;
}

/* Reads to the end even if the file grew since fstat, but never past max_size; a short read
 * of a regular file is its end, so a file that fits takes one read. */
static int read_all(secex_buf *out, int fd, const char *path, uint64_t size, size_t max_size)
{
	size_t start = out->size, got = 0;
	int rc;

	for (;;) {
		size_t want;
		ssize_t n;

		if (out->asize <= start + got + 1 &&
		    (rc = secex_buf_grow(out, got ? got : (size_t)size + 1)) < 0)
			return rc;
		want = out->asize - 1 - start - got;
		n = read(fd, out->ptr + start + got, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return secex_error_set(SECEX_EIO, "cannot read '%s': %s", path, strerror(errno));
		got += (size_t)n;
		out->size = start + got;
		if (n == 0 || (size_t)n < want || got > max_size)
			break;
	}
	out->ptr[out->size] = '\0';
	if (got > max_size)
		return secex_error_set(SECEX_EINVALID, "'%s' grew past the limit of %zu bytes while being read",
				       path, max_size);
	return 0;
}

int secex_file_read_ext(secex_buf *out, uint64_t *size, const char *path, size_t max_size, unsigned flags)
{
	uint64_t st_size = 0;
	int fd = -1, rc;

	if ((rc = open_regular(&fd, &st_size, path, flags)) < 0)
		goto cleanup;
	if (size)
		*size = st_size;
	if (st_size > max_size) {
		rc = secex_error_set(SECEX_EINVALID, "'%s' is %llu bytes, more than the limit of %zu",
				     path, (unsigned long long)st_size, max_size);
		goto cleanup;
	}
	rc = read_all(out, fd, path, st_size, max_size);
cleanup:
	if (fd >= 0)
		close(fd);
	return rc;
}

int secex_file_read(secex_buf *out, const char *path, size_t max_size)
{
	return secex_file_read_ext(out, NULL, path, max_size, 0);
}

int secex_file_write_all(int fd, const char *data, size_t len)
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
	if ((fd = mkostemp(tmp.ptr, O_CLOEXEC)) < 0) {
		rc = secex_error_set(SECEX_EIO, "cannot write next to '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	(void)fchmod(fd, 0644);
	if (secex_file_write_all(fd, data, len) < 0 || fsync(fd) < 0)
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

int secex_file_replace(const char *path, const char *data, size_t len)
{
	secex_buf tmp = SECEX_BUF_INIT;
	struct stat st;
	int fd = -1, rc = 0, err = 0;

	if (secex_buf_printf(&tmp, "%s.secex-XXXXXX", path) < 0)
		return SECEX_ENOMEM;
	if ((fd = mkostemp(tmp.ptr, O_CLOEXEC)) < 0) {
		rc = secex_error_set(SECEX_EIO, "cannot write next to '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	/* keep the mode of a file it replaces; lstat, as the rename replaces a link itself */
	(void)fchmod(fd, lstat(path, &st) == 0 && S_ISREG(st.st_mode) ? st.st_mode & 07777 : 0644);
	if (secex_file_write_all(fd, data, len) < 0 || fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && rename(tmp.ptr, path) < 0)
		err = errno;
	if (err) {
		unlink(tmp.ptr);
		rc = secex_error_set(SECEX_EIO, "cannot write '%s': %s", path, strerror(err));
	}
cleanup:
	secex_buf_release(&tmp);
	return rc;
}

int secex_file_mkdirs(const char *dir)
{
	char *copy = secex_util_strndup(dir, strlen(dir)), *p;
	struct stat st;
	int rc = 0;

	SECEX_ERROR_CHECK_ALLOC(copy);
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
