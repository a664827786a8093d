#ifndef SECEX_DURATION_H
#define SECEX_DURATION_H

/* Durations: "Nh", "Nd" or "Nw". */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"

/* Parses a duration "Nh", "Nd" or "Nw" (N a positive decimal) into seconds. */
bool secex_duration_parse(int64_t *out_seconds, const char *str, size_t len);
/* Formats seconds as the shortest of "Nw", "Nd", "Nh" that is exact. */
void secex_duration_format(char *out, size_t outlen, int64_t seconds);

#endif
