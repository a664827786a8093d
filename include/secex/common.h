#ifndef SECEX_COMMON_H
#define SECEX_COMMON_H

/* Return codes and the last-error message shared by every module. */

#include <stddef.h>

/* Functions that fail to run return one of these (negative); 0 is success. */
enum {
	SECEX_OK = 0,
	SECEX_ERROR = -1,     /* generic failure; see secex_error_last() */
	SECEX_ENOMEM = -2,    /* out of memory */
	SECEX_EIO = -3,       /* reading or writing a file failed */
	SECEX_ENOTFOUND = -4, /* a file, object or revision does not exist */
	SECEX_EINVALID = -5,  /* invalid argument or configuration */
	SECEX_EREPO = -6,     /* the git repository cannot be used */
	SECEX_EEXISTS = -7,   /* refusing to overwrite something */
	SECEX_ENOTFILE = -8   /* a FIFO, device, directory or link where a regular file is expected */
};

/* The message of the most recent failure in this thread, or "" if none. */
const char *secex_error_last(void);

/* Records a failure message and returns code, so callers can `return secex_error_set(...)`. */
int secex_error_set(int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

void secex_error_clear(void);

/* Records "out of memory" and returns SECEX_ENOMEM: every allocation failure says it one way. */
int secex_error_nomem(void);

/* In a function returning an int code: returns SECEX_ENOMEM (message set) when ptr is NULL. */
#define SECEX_ERROR_CHECK_ALLOC(ptr)                                                           \
	do {                                                                                   \
		if (!(ptr))                                                                    \
			return secex_error_nomem();                                            \
	} while (0)

#endif
