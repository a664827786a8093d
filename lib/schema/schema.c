/*
 * JSON Schema 2020-12, the public API of secex/schema.h: compile, validate, free. The parts
 * behind it are described in schema_int.h.
 */

#include <stdlib.h>
#include <string.h>
#include "schema_int.h"
#include "secex/banned.h"

void secex_schema_free(secex_schema *schema)
{
	size_t i;

	if (!schema)
		return;
	for (i = 0; i < schema->ncodes; i++)
		pcre2_code_free(schema->codes[i]);
	free(schema->codes);
	free(schema->bases);
	free(schema->dyn);
	if (schema->mctx)
		pcre2_match_context_free(schema->mctx);
	secex_arena_release(&schema->arena);
	free(schema);
}

int secex_schema_compile(secex_schema **out, const secex_node *root, const char *name,
			 const secex_schema_options *opts)
{
	static const secex_schema_options defaults = SECEX_SCHEMA_OPTIONS_INIT;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != SECEX_SCHEMA_OPTIONS_VERSION)
		return secex_error_set(SECEX_EINVALID, "unsupported schema options version %u",
				       opts->version);
	return secex_schema_compile_document(out, root, name, opts);
}

int secex_schema_external_ref(const char **out, const secex_node *root,
			      const secex_schema_options *opts)
{
	return secex_schema_find_external_ref(out, root, opts);
}

int secex_schema_validate(bool *valid_out, const secex_schema *schema, const secex_node *instance,
			  const char *file, const char *exception, secex_diags *diags)
{
	schema_vctx ctx, *c = &ctx;
	bool ok;

	*valid_out = false;
	if (!schema || !schema->root)
		return secex_error_set(SECEX_EINVALID, "no schema to validate against");
	if (!instance) {
		*valid_out = true; /* nothing there: "required" of the parent says so */
		return 0;
	}
	memset(c, 0, offsetof(schema_vctx, path)); /* the path is written before it is read */
	c->S = schema;
	c->file = file;
	c->exception = exception;
	c->diags = diags;
	ok = secex_schema_v_schema(c, schema->root, instance, diags != NULL, "schema");
	if (c->md)
		pcre2_match_data_free(c->md);
	if (c->memo != c->small_memo)
		free(c->memo);
	free(c->scopes);
	*valid_out = c->rc == 0 && ok && !c->aborted;
	return c->rc;
}
