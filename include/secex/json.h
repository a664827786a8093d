#ifndef SECEX_JSON_H
#define SECEX_JSON_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_DOC)
#error "a layer below doc/ may not use it: see Hacking in the README"
#endif

/* The strict JSON (RFC 8259) loader. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "diag.h"
#include "node.h"

/* Loads strict JSON (RFC 8259) into the same tree, with the same findings. */
int secex_json_parse(secex_doc **out, const char *data, size_t len, const char *file,
		     secex_diags *diags);

/* Limits and leniencies of the JSON loader; secex_json_parse uses the defaults. */
typedef struct {
	unsigned int version;
	size_t max_size;        /* SX107 above this many bytes */
	unsigned int max_depth; /* SX108 when arrays and objects nest deeper */
	bool allow_nul;         /* keep \u0000 in strings (len counts it): for test data only */
} secex_json_options;

#define SECEX_JSON_OPTIONS_VERSION 1
#define SECEX_JSON_OPTIONS_INIT { SECEX_JSON_OPTIONS_VERSION, SECEX_MAX_FILE_SIZE, SECEX_MAX_DEPTH, false }

/* secex_json_parse with explicit options (opts may be NULL for the defaults). */
int secex_json_parse_opts(secex_doc **out, const char *data, size_t len, const char *file,
			  secex_diags *diags, const secex_json_options *opts);

#endif
