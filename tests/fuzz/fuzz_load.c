/* libFuzzer target: the YAML and JSON loaders, then the exception schema, on any bytes. */

#include <stddef.h>
#include <stdint.h>
#include <secex.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load_and_validate(const uint8_t *data, size_t size, const char *name)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	const secex_schema *schema = NULL;
	secex_doc *doc = NULL;
	bool valid;

	if (secex_doc_parse(&doc, (const char *)data, size, name, &diags) == 0 && doc &&
	    secex_schema_builtin(&schema, "exception") == 0)
		secex_schema_validate(&valid, schema, secex_doc_root(doc), name, NULL, &diags);
	secex_doc_free(doc);
	secex_diags_release(&diags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load_and_validate(data, size, "fuzz.yaml");
	load_and_validate(data, size, "fuzz.json");
	return 0;
}
