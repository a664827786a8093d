#ifndef SECEX_UTIL_H
#define SECEX_UTIL_H

/* Small string helpers; the header also brings in the core modules most code uses (buf,
 * file, arena, vec, map, suggest, utf8, date, duration), so one include serves. */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "buf.h"
#include "file.h"
#include "arena.h"
#include "array.h"
#include "vec.h"
#include "map.h"
#include "suggest.h"
#include "utf8.h"
#include "date.h"
#include "duration.h"

char *secex_util_strndup(const char *str, size_t len);
/* The value of a hexadecimal digit, or -1. */
int secex_util_hexval(char c);

#endif
