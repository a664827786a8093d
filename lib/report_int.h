#ifndef SECEX_REPORT_INT_H
#define SECEX_REPORT_INT_H

/* What the digest's renderers share (report_render.c, report_mail.c). */

#include "secex/report.h"

/* The policy's expiring_within in words: "2 weeks", "10 days", "1 hour". */
void secex_report_window(char *out, size_t len, const secex_report *report);

/* "1 expired, 2 expiring within 2 weeks, 3 awaiting approval": the kinds with any. */
int secex_report_counts(secex_buf *out, const secex_report *report, const size_t count[SECEX_REPORT_KINDS]);

#endif
