/* Small string helpers with no better home. */

#include <stdlib.h>
#include <string.h>
#include "secex/util.h"
#include "secex/banned.h"

char *secex_util_strndup(const char *str, size_t len)
{
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, str, len);
		p[len] = '\0';
	}
	return p;
}

int secex_util_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
