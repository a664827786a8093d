#ifndef SECEX_PATH_H
#define SECEX_PATH_H

/*
 * The one rule for which files are exception files: a name ending in .yaml, .yml or .json,
 * the extension in lowercase and something before it ("EXC-0001.yaml", not ".yaml").
 * name need not be NUL-terminated; len is its length in bytes.
 */

#include <stdbool.h>
#include <stddef.h>

/* The i-th extension secex reads (".yaml", ".yml", ".json", with the dot); NULL past the last. */
const char *secex_path_exception_ext(size_t i);

/* Whether secex reads name as an exception file. */
bool secex_path_is_exception_file(const char *name, size_t len);

/* Whether name would be an exception file but for the case of its extension ("EXC-0001.YAML"). */
bool secex_path_is_miscased_exception_file(const char *name, size_t len);

/* Whether name ends in ".json", which secex reads as JSON (every other name as YAML). */
bool secex_path_is_json(const char *name, size_t len);

#endif
