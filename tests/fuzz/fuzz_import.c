/* libFuzzer target: the tracker CSV import, planned against the demo repository's policy
 * and roster (examples/demo, loaded once). Nothing is written. */

#include <stdlib.h>
#include <secex.h>
#include "fuzz.h"

#ifndef FUZZ_DEMO_DIR
#error "FUZZ_DEMO_DIR must name examples/demo"
#endif

static secex_snapshot *snap;

static void load_demo(void)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_tree *tree = NULL;

	if (secex_tree_open_dir(&tree, FUZZ_DEMO_DIR) < 0 ||
	    secex_snapshot_load_policy(&snap, tree, &diags) < 0 || !snap->roster)
		abort(); /* the demo must load: a fuzzer without a roster tests nothing */
	secex_tree_free(tree);
	secex_diag_release(&diags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	secex_import_options opts = SECEX_IMPORT_OPTIONS_INIT;
	secex_import_plan plan = SECEX_IMPORT_PLAN_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;

	if (!snap)
		load_demo();
	opts.now = 1795000000; /* 2026-11-18 */
	secex_import_plan_csv(&plan, snap, (const char *)data, size, &opts, &diags);
	secex_import_plan_release(&plan);
	secex_diag_release(&diags);
	return 0;
}
