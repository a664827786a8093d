#ifndef SECEX_EXPORT_H
#define SECEX_EXPORT_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_EXCHANGE)
#error "a layer below exchange/ may not use it: see Hacking in the README"
#endif

/*
 * The exceptions in other tools' formats (SPEC §6): the tracker spreadsheet (CSV), every
 * document as JSON, and the scanner suppressions of approved, unexpired exceptions for
 * Trivy (.trivyignore.yaml), Grype (.grype.yaml), Snyk (.snyk) and OpenVEX.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "snapshot.h"
#include "util.h"
#include "yaml.h"

typedef enum {
	SECEX_EXPORT_CSV,
	SECEX_EXPORT_JSON,
	SECEX_EXPORT_TRIVYIGNORE,
	SECEX_EXPORT_GRYPE,
	SECEX_EXPORT_SNYK,
	SECEX_EXPORT_OPENVEX
} secex_export_format;

typedef struct {
	unsigned int version;
	int64_t now; /* seconds: what is expired, and the OpenVEX timestamp */
	/* per snapshot item: whether history proves its approval (secex_approvals_claims);
	   NULL: none does, and the scanner formats suppress nothing */
	const bool *verified;
	/* OpenVEX: the scanned artifact's identifier (an image's package URL or reference) as
	 * each statement's product, with the finding's package as subcomponent; NULL: the
	 * package itself is the product */
	const char *product;
	/* where a finding is left out of a scanner's file, one line each, "EXC-0009: finding
	 * 'CKV_AWS_18' is left out ..." (NULL: not said) */
	secex_buf *warnings;
} secex_export_options;

#define SECEX_EXPORT_OPTIONS_VERSION 1
#define SECEX_EXPORT_OPTIONS_INIT { SECEX_EXPORT_OPTIONS_VERSION, 0, NULL, NULL, NULL }

/* The OpenVEX author when the policy names no organization (what vexctl writes then). */
#define SECEX_VEX_UNKNOWN_AUTHOR "Unknown Author"

/* The format of that name ("csv", "json", "trivyignore", "grype", "snyk", "openvex"). */
bool secex_export_format_parse(secex_export_format *out, const char *name);
/* The names of every format, comma-separated, for messages. */
const char *secex_export_format_names(void);

/*
 * Appends the snapshot's exceptions in that format to out. Only exceptions that loaded and
 * passed the schema are written, sorted by id. *count (may be NULL) is the number of rows,
 * documents or suppressions written.
 */
int secex_export_write(secex_buf *out, size_t *count, const secex_snapshot *snap,
		       secex_export_format format, const secex_export_options *opts);

/* Appends a node as JSON, indented by two spaces a level (depth: the starting level). */
int secex_export_node_json(secex_buf *out, const secex_node *node, unsigned depth);

#endif
