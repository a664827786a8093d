/* libFuzzer target: a fuzzed JSON Schema compiled, then a fuzzed instance validated against
 * it. The input is "SCHEMA\0INSTANCE" (both JSON); without a NUL the schema validates itself. */

#include <secex.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	secex_schema_options opts = SECEX_SCHEMA_OPTIONS_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_doc *sdoc = NULL, *idoc = NULL;
	secex_schema *schema = NULL;
	const char *s, *i;
	size_t slen, ilen;
	bool valid;

	fuzz_split(data, size, &s, &slen, &i, &ilen);
	opts.format_assertion = size > 0 && data[size - 1] & 1;
	if (secex_json_parse(&sdoc, s, slen, "schema.json", &diags) == 0 && sdoc &&
	    secex_json_parse(&idoc, i, ilen, "instance.json", &diags) == 0 && idoc &&
	    secex_schema_compile(&schema, secex_doc_root(sdoc), "schema.json", &opts) == 0) {
		secex_schema_validate(&valid, schema, secex_doc_root(idoc), "instance.json", NULL,
				      &diags);
		secex_schema_validate(&valid, schema, secex_doc_root(idoc), "instance.json", NULL,
				      NULL);
	}
	secex_schema_free(schema);
	secex_doc_free(idoc);
	secex_doc_free(sdoc);
	secex_diag_release(&diags);
	return 0;
}
