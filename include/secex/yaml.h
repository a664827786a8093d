#ifndef SECEX_YAML_H
#define SECEX_YAML_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_DOC)
#error "a layer below doc/ may not use it: see Hacking in the README"
#endif

/* The strict YAML loader (libyaml); the header also brings in the document tree and the
 * JSON loader, which every reader of files uses with it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "diag.h"
#include "node.h"
#include "json.h"

/*
 * Loads YAML (or JSON, which is YAML) from data. Problems in the text become findings in
 * diags (SX101 to SX108) against `file`, and *out is NULL; the function still returns 0.
 * A negative return means it could not run (out of memory).
 */
int secex_yaml_parse(secex_doc **out, const char *data, size_t len, const char *file,
		     secex_diags *diags);

#endif
