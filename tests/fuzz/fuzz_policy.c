/* libFuzzer target: policy and roster loading. The input is "POLICY\0PEOPLE" (YAML); each
 * part is checked against its shipped schema and, when valid, built and cross-checked. */

#include <secex.h>
#include "fuzz.h"

static secex_doc *load(const char *data, size_t len, const char *kind, secex_diags *diags)
{
	const secex_schema *schema = NULL;
	secex_doc *doc = NULL;
	bool valid = false;

	if (secex_yaml_parse(&doc, data, len, kind, diags) == 0 && doc &&
	    secex_snapshot_builtin_schema(&schema, kind) == 0)
		secex_schema_validate(&valid, schema, secex_doc_root(doc), kind, NULL, diags);
	if (valid)
		return doc;
	secex_doc_free(doc);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_policy *policy = NULL;
	secex_roster *roster = NULL;
	secex_doc *doc;
	const char *p, *r;
	size_t plen, rlen;

	fuzz_split(data, size, &p, &plen, &r, &rlen);
	if ((doc = load(p, plen, "policy", &diags)))
		secex_policy_from_doc(&policy, doc, "policy", &diags);
	if ((doc = load(r, rlen, "people", &diags)))
		secex_roster_from_doc(&roster, doc, "people", &diags);
	if (policy && roster)
		secex_roster_check(policy, roster, &diags);
	if (policy)
		secex_policy_apply_severity(policy, &diags);
	secex_roster_free(roster);
	secex_policy_free(policy);
	secex_diag_release(&diags);
	return 0;
}
