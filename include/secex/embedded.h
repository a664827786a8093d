#ifndef SECEX_EMBEDDED_H
#define SECEX_EMBEDDED_H

/* The shipped schemas, compiled into the library by scripts/embed.py. */

#include <stddef.h>

typedef struct {
	const char *name; /* "exception.schema.json" */
	const char *data;
	size_t size;
} secex_embedded;

extern const secex_embedded secex_embedded_schemas[];  /* ends with name NULL */
extern const secex_embedded secex_embedded_defaults[]; /* policy.yaml, people.yaml */
extern const secex_embedded secex_embedded_metaschema[]; /* draft 2020-12, by $id */

/* The embedded file of that name, or NULL. */
const secex_embedded *secex_embedded_find(const secex_embedded *table, const char *name);

#endif
