/* The last-error message of this thread. */

#include <stdarg.h>
#include <stdio.h>
#include "secex/common.h"
#include "secex/banned.h"

static _Thread_local char last_error[1024];

const char *secex_error_last(void)
{
	return last_error;
}

int secex_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return code;
}

void secex_error_clear(void)
{
	last_error[0] = '\0';
}

int secex_error_nomem(void)
{
	return secex_error_set(SECEX_ENOMEM, "out of memory");
}
