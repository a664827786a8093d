#ifndef SECEX_UTIL_H
#define SECEX_UTIL_H

/* Growable buffers, an arena allocator, pointer vectors, dates and durations. */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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
/* Creates a directory and its missing parents (mkdir -p); SECEX_EIO when one is a file. */
int secex_dir_create(const char *dir);

/* An arena: many small allocations freed at once. */
typedef struct secex_arena_block secex_arena_block;
typedef struct {
	secex_arena_block *head;
} secex_arena;

#define SECEX_ARENA_INIT { NULL }

void *secex_arena_alloc(secex_arena *arena, size_t size); /* zeroed, 16-byte aligned; NULL if out of memory */
char *secex_arena_strndup(secex_arena *arena, const char *str, size_t len);
void secex_arena_release(secex_arena *arena);

/* A vector of pointers; the vector does not own what they point at. */
typedef struct {
	void **items;
	size_t n;
	size_t cap;
} secex_vec;

#define SECEX_VEC_INIT { NULL, 0, 0 }

int secex_vec_push(secex_vec *vec, void *item);
void secex_vec_release(secex_vec *vec);

/* The 64-bit FNV-1a hash of len bytes. */
uint64_t secex_hash(const void *data, size_t len);

/* A hash map from byte-string keys (copied) to pointers. Iterate over slots[0..cap) whose
 * key is not NULL. */
typedef struct {
	const void *key;
	size_t len;
	void *value;
} secex_map_slot;

typedef struct {
	secex_map_slot *slots;
	size_t cap;
	size_t n;
	secex_arena keys;
} secex_map;

#define SECEX_MAP_INIT { NULL, 0, 0, SECEX_ARENA_INIT }
/* The value for key; NULL when absent (so store non-NULL values). */
void *secex_map_get(const secex_map *map, const void *key, size_t len);
/* Sets the value for key, replacing any. Returns 0 or SECEX_ENOMEM. */
int secex_map_put(secex_map *map, const void *key, size_t len, void *value);
void secex_map_release(secex_map *map);

char *secex_strndup(const char *str, size_t len);
/* The value of a hexadecimal digit, or -1. */
int secex_hexval(char c);

/* Optimal string alignment distance between a[0..n) and b[0..m), ASCII case folded when
 * fold; SIZE_MAX when either is longer than SECEX_SUGGEST_MAX_LEN. */
#define SECEX_SUGGEST_MAX_LEN 64
size_t secex_edit_distance(const char *a, size_t n, const char *b, size_t m, bool fold);

/* The closest of several candidates to a word, for "did you mean": call
 * secex_suggest_consider with each candidate; best is the closest within an edit distance of
 * 2 (ignoring case) and less than half the longer word, or NULL. */
typedef struct {
	const char *word;
	const char *best;
	size_t distance;
} secex_suggest;

#define SECEX_SUGGEST_INIT(w) { (w), NULL, 3 }
void secex_suggest_consider(secex_suggest *s, const char *candidate);

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
int secex_buf_put_safe(secex_buf *buf, const char *str, size_t len, unsigned flags);
int secex_buf_puts_safe(secex_buf *buf, const char *str, unsigned flags); /* NULL: nothing */

/* Dates are counted in days since 1970-01-01, times in seconds since the epoch (UTC). */
int64_t secex_days_from_civil(int year, unsigned month, unsigned day);
void secex_civil_from_days(int64_t days, int *year, unsigned *month, unsigned *day);
bool secex_leap_year(int year);
unsigned secex_days_in_month(int year, unsigned month);

/* Parses exactly "YYYY-MM-DD" (RFC 3339 full-date). */
bool secex_date_parse(int64_t *out_days, const char *str, size_t len);
/* Parses an RFC 3339 full-time ("10:00:00Z", "23:59:60.5+01:00") into seconds from the
 * start of its day in UTC (may fall outside 0..86399 with an offset); a leap second only
 * at 23:59:60 UTC. */
bool secex_time_parse(int64_t *out_seconds, const char *str, size_t len);
/* Parses an RFC 3339 date-time ("2024-05-01T10:00:00Z", offsets, fractions). */
bool secex_datetime_parse(int64_t *out_seconds, const char *str, size_t len);
/* Parses either form; a bare date means 00:00:00 UTC of that day. */
bool secex_when_parse(int64_t *out_seconds, const char *str, size_t len);
/* Writes "YYYY-MM-DD" into out (at least 11 bytes). */
void secex_date_format(char *out, int64_t days);

/* Parses a duration "Nh", "Nd" or "Nw" (N a positive decimal) into seconds. */
bool secex_duration_parse(int64_t *out_seconds, const char *str, size_t len);
/* Formats seconds as the shortest of "Nw", "Nd", "Nh" that is exact. */
void secex_duration_format(char *out, size_t outlen, int64_t seconds);


#endif
