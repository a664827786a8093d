#ifndef SECEX_SCAN_INT_H
#define SECEX_SCAN_INT_H

/* What the report readers share (scan_read.c, scan_sarif.c). */

#include "secex/scan.h"

/* A report being read: the finding being built and its ids and paths so far. */
typedef struct {
	secex_scan_report *r;
	size_t cap;
	secex_scan_finding cur;
	secex_vec ids, paths;
	int rc;
} scan_reader;

void secex_scan_begin(scan_reader *x, const secex_node *node, const char *scanner);
/* Adds an id or a path (NULL and "" are ignored, repeats dropped). */
void secex_scan_id(scan_reader *x, const char *id);
void secex_scan_path(scan_reader *x, const char *path);
/* Adds the finding built since secex_scan_begin, when it has an id. */
void secex_scan_finish(scan_reader *x);
const char *secex_scan_strndup(scan_reader *x, const char *s, size_t len);

const secex_node *secex_scan_get(const secex_node *n, const char *key);
const char *secex_scan_str(const secex_node *n, const char *key);
/* n[key] when it is an array (key NULL: n itself), else NULL. */
const secex_node *secex_scan_array(const secex_node *n, const char *key);
size_t secex_scan_len(const secex_node *array);
const secex_node *secex_scan_item(const secex_node *array, size_t i);

secex_scan_severity secex_scan_severity_word(const char *s);
secex_scan_severity secex_scan_severity_score(double score);
bool secex_scan_score(double *out, const secex_node *n);

/* SARIF 2.1.0: NULL when read, else what was expected. */
const char *secex_scan_read_sarif(scan_reader *x, const secex_node *root);

#endif
