#ifndef SECEX_REPORT_INT_H
#define SECEX_REPORT_INT_H

/* What the digest's renderers share (report_render.c, report_mail.c). */

#include "secex/report.h"

/* The policy's expiring_within in words: "2 weeks", "10 days", "1 hour". */
void secex_report_window(char *out, size_t len, const secex_report *report);

/* "1 expired, 2 expiring within 2 weeks, 3 awaiting approval": the kinds with any. */
int secex_report_counts(secex_buf *out, const secex_report *report, const size_t count[SECEX_REPORT_KINDS]);

/* A date or instant as people read it, "3 Dec 2026" or "3 Dec 2026, 17:00 UTC" (the
 * day and time in UTC); a text that is no date as it is. */
int secex_report_date_text(secex_buf *out, const char *text);

#endif
