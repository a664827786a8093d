/* libFuzzer target: the YAML and JSON loaders, then the exception schema and the facts the
 * history keeps of each file version (digests, approvals), on any bytes. */

#include <stddef.h>
#include <stdint.h>
#include <secex.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static secex_policy *policy;

static void facts(const secex_doc *doc)
{
	secex_arena arena = SECEX_ARENA_INIT;
	secex_buf changed = SECEX_BUF_INIT;
	secex_facts *f = NULL;

	if (!policy && secex_policy_default(&policy) < 0)
		return;
	if (secex_facts_of(&f, &arena, policy, secex_doc_root(doc)) == 0 && f)
		secex_facts_changed_fields(&changed, f, f);
	secex_buf_release(&changed);
	secex_arena_release(&arena);
}

static void load_and_validate(const uint8_t *data, size_t size, const char *name)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	const secex_schema *schema = NULL;
	secex_doc *doc = NULL;
	bool valid;

	if (secex_doc_parse(&doc, (const char *)data, size, name, &diags) == 0 && doc &&
	    secex_snapshot_builtin_schema(&schema, "exception") == 0)
		secex_schema_validate(&valid, schema, secex_doc_root(doc), name, NULL, &diags);
	if (doc)
		facts(doc);
	secex_doc_free(doc);
	secex_diag_release(&diags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load_and_validate(data, size, "fuzz.yaml");
	load_and_validate(data, size, "fuzz.json");
	return 0;
}
