/* libFuzzer target: the scanner report readers (detection and every format forced), then
 * the matching of every finding against a register-like findings entry, on any bytes. */

#include <stddef.h>
#include <stdint.h>
#include <secex.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void describe_all(const secex_scan_report *r)
{
	secex_buf b = SECEX_BUF_INIT;
	size_t i, k;

	for (i = 0; i < r->n; i++) {
		secex_buf_clear(&b);
		secex_scan_describe(&b, &r->items[i]);
		for (k = 0; k < r->items[i].nids; k++)
			secex_scan_normalise_id(&b, r->items[i].ids[k], 0);
		for (k = 0; k < r->items[i].npaths; k++)
			if (secex_scan_normalise_path(&b, r->items[i].paths[k]) == 0)
				(void)secex_scan_glob("**/*.json", secex_buf_cstr(&b));
		if (r->items[i].purl) {
			secex_purl p;

			if (secex_scan_purl_parse(&p, r->items[i].purl))
				secex_scan_purl_release(&p);
			else
				secex_scan_purl_release(&p);
		}
	}
	secex_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	secex_scan_format f;

	for (f = SECEX_SCAN_AUTO; f <= SECEX_SCAN_CHECKOV; f++) {
		secex_diags diags = SECEX_DIAGS_INIT;
		secex_scan_report *r = NULL;

		if (secex_scan_read(&r, (const char *)data, size, "fuzz.json", f, &diags) == 0 && r)
			describe_all(r);
		secex_scan_report_free(r);
		secex_diag_release(&diags);
	}
	return 0;
}
