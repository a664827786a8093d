#ifndef SECEX_SCHEMA_H
#define SECEX_SCHEMA_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_SCHEMA)
#error "a layer below schema/ may not use it: see Hacking in the README"
#endif

/* A JSON Schema 2020-12 validator over secex_node trees; PCRE2 for patterns. */

#include <stdbool.h>
#include "common.h"
#include "diag.h"
#include "yaml.h"

typedef struct secex_schema secex_schema;

/* A schema document known by URI without being fetched (secex never fetches schemas). */
typedef struct {
	const char *uri;         /* its retrieval URI, absolute, without fragment */
	const secex_node *root;  /* must outlive the compiled schema */
} secex_schema_resource;

typedef struct {
	unsigned int version;
	bool format_assertion; /* format as an assertion (secex) or an annotation (the spec default) */
	/* Documents a $ref or $schema may name besides the schema itself; the schema's own
	 * $ids win over a resource of the same URI. */
	const secex_schema_resource *resources;
	size_t nresources;
} secex_schema_options;

#define SECEX_SCHEMA_OPTIONS_VERSION 2
#define SECEX_SCHEMA_OPTIONS_INIT { SECEX_SCHEMA_OPTIONS_VERSION, true, NULL, 0 }

/*
 * Compiles a schema. The tree must outlive the compiled schema. `name` is used in
 * error messages. A schema that cannot be compiled (unknown $ref target, pattern that
 * does not compile, wrong keyword type) fails with SECEX_EINVALID and a message.
 */
int secex_schema_compile(secex_schema **out, const secex_node *root, const char *name,
			 const secex_schema_options *opts);
void secex_schema_free(secex_schema *schema);

/*
 * Validates an instance, adding one SX110 finding per violation to diags, each naming
 * the keyword and the instance location (a JSON pointer) at the node's file:line:col.
 * exception may be NULL. Sets *valid. Returns 0, or a negative code when it could not run.
 */
int secex_schema_validate(bool *valid, const secex_schema *schema, const secex_node *instance,
			  const char *file, const char *exception, secex_diags *diags);

/*
 * secex_schema_validate also accepts diags == NULL: it then only sets *valid, without
 * building any message, which is faster.
 */

/*
 * Finds the first $ref of a schema document whose target is not in the document (a remote
 * schema, or the metaschema), which secex_schema_compile cannot resolve because secex does
 * not fetch schemas. *out is that $ref's string (owned by the tree), or NULL when every
 * $ref resolves. The documents of opts (may be NULL) count as present. Returns 0, or a
 * negative code when it could not run.
 */
int secex_schema_external_ref(const char **out, const secex_node *root,
			      const secex_schema_options *opts);

/* The values of `format` that secex checks; any other format is only an annotation. */
typedef enum {
	SECEX_FORMAT_NONE = 0,
	SECEX_FORMAT_DATE,      /* RFC 3339 full-date */
	SECEX_FORMAT_DATE_TIME, /* RFC 3339 date-time */
	SECEX_FORMAT_TIME,      /* RFC 3339 full-time */
	SECEX_FORMAT_EMAIL      /* RFC 5321 Mailbox */
} secex_format;

/* The format of that name, or SECEX_FORMAT_NONE when secex does not check it. */
secex_format secex_schema_format_lookup(const char *name);
/* Whether str (len bytes) is valid in that format; always true for SECEX_FORMAT_NONE. */
bool secex_schema_format_check(secex_format format, const char *str, size_t len);

#endif
