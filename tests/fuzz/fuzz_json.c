/* libFuzzer target: the JSON loader on any bytes. */

#include <secex.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_doc *doc = NULL;

	secex_json_parse(&doc, (const char *)data, size, "fuzz.json", &diags);
	secex_doc_free(doc);
	secex_diag_release(&diags);
	return 0;
}
