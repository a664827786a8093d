#ifndef SECEX_FILE_H
#define SECEX_FILE_H

/* Whole files read (regular files only) and written atomically; directories made. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "buf.h"

/* Appends the whole file at path to out, refusing more than max_size bytes (SECEX_EINVALID).
 * It opens without blocking and refuses anything but a regular file (a FIFO, a device, a
 * directory) with SECEX_ENOTFILE before reading; a missing file is SECEX_ENOTFOUND. */
int secex_file_read(secex_buf *out, const char *path, size_t max_size);
/* Also refuses a symbolic link (SECEX_ENOTFILE) */
#define SECEX_FILE_NOFOLLOW 1u
/* secex_file_read with flags (SECEX_FILE_*); *size (when not NULL) gets the file's size as
 * fstat saw it, also when it is over max_size. */
int secex_file_read_ext(secex_buf *out, uint64_t *size, const char *path, size_t max_size,
			unsigned flags);
/* Creates path with len bytes of data (mode 0644), atomically (a temporary file in the same
 * directory, then a link) and never over an existing file: SECEX_EEXISTS, without a
 * message, when path exists. */
int secex_file_create(const char *path, const char *data, size_t len);
/* Writes len bytes of data to path through a temporary file in the same directory and a
 * rename, so a reader sees the old or the new file, never a part; a FIFO or a link at path
 * is replaced, never written through. Keeps the mode of a regular file it replaces (0644
 * for a new one). */
int secex_file_replace(const char *path, const char *data, size_t len);
/* Writes all len bytes to fd (again after EINTR and short writes); -1 when it cannot. */
int secex_file_write_all(int fd, const char *data, size_t len);
/* Creates a directory and its missing parents (mkdir -p); SECEX_EIO when one is a file. */
int secex_file_mkdirs(const char *dir);

#endif
