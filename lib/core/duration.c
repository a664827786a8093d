/* Durations written as a number and h, d or w. */

#include <stdio.h>
#include <string.h>
#include "secex/duration.h"
#include "secex/banned.h"

bool secex_duration_parse(int64_t *out_seconds, const char *s, size_t len)
{
	int64_t n = 0, unit;
	size_t i;

	if (len < 2 || len > 8)
		return false;
	for (i = 0; i + 1 < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		n = n * 10 + (s[i] - '0');
	}
	switch (s[len - 1]) {
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 7 * 86400; break;
	default: return false;
	}
	if (n == 0)
		return false;
	*out_seconds = n * unit;
	return true;
}

void secex_duration_format(char *out, size_t outlen, int64_t seconds)
{
	if (seconds > 0 && seconds % (7 * 86400) == 0)
		snprintf(out, outlen, "%lldw", (long long)(seconds / (7 * 86400)));
	else if (seconds > 0 && seconds % 86400 == 0)
		snprintf(out, outlen, "%lldd", (long long)(seconds / 86400));
	else
		snprintf(out, outlen, "%lldh", (long long)(seconds / 3600));
}
