/* Which file names are exception files, and which of them are JSON: the rule in one place. */

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include "secex/path.h"
#include "secex/banned.h"

static const char *const exts[] = { ".yaml", ".yml", ".json" };
#define N_EXTS (sizeof(exts) / sizeof(exts[0]))

const char *secex_path_exception_ext(size_t i)
{
	return i < N_EXTS ? exts[i] : NULL;
}

/* Whether name has ext after at least one other byte, compared as is or ignoring ASCII case. */
static bool has_ext(const char *name, size_t len, const char *ext, bool any_case)
{
	size_t n = strlen(ext);

	if (len <= n)
		return false;
	return any_case ? strncasecmp(name + len - n, ext, n) == 0 : memcmp(name + len - n, ext, n) == 0;
}

static bool has_any_ext(const char *name, size_t len, bool any_case)
{
	size_t i;

	for (i = 0; i < N_EXTS; i++)
		if (has_ext(name, len, exts[i], any_case))
			return true;
	return false;
}

bool secex_path_is_exception_file(const char *name, size_t len)
{
	return has_any_ext(name, len, false);
}

bool secex_path_is_miscased_exception_file(const char *name, size_t len)
{
	return !has_any_ext(name, len, false) && has_any_ext(name, len, true);
}

bool secex_path_is_json(const char *name, size_t len)
{
	return len >= 5 && memcmp(name + len - 5, ".json", 5) == 0;
}
