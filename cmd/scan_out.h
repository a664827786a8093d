#ifndef SECEX_SCAN_OUT_H
#define SECEX_SCAN_OUT_H

/* secex scan --format sarif: the scanners' results carried through, accepted ones suppressed. */

#include <stdio.h>
#include <secex.h>

/* Writes one SARIF 2.1.0 log: each SARIF report's runs as they came, with a suppression
 * (external, accepted, the justification and the exception) on every accepted result; each
 * other report as a run of its own; and a secex run with the stale exceptions (SX605). */
int scan_out_sarif(FILE *out, secex_scan_report *const *reports, size_t n, const secex_scan_verdict *verdicts,
		   const secex_diags *diags);

#endif
