#ifndef SECEX_SNAPSHOT_H
#define SECEX_SNAPSHOT_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_MODEL)
#error "a layer below model/ may not use it: see Hacking in the README"
#endif

/* The policy, roster and exceptions as they stand in one tree, loaded and validated. */

#include <stdbool.h>
#include "common.h"
#include "diag.h"
#include "policy.h"
#include "repo.h"
#include "schema.h"
#include "yaml.h"

typedef struct {
	char *path;      /* relative to the tree's root */
	secex_doc *doc;  /* NULL when the file did not load */
	const char *id;  /* the exception's id, or NULL */
	bool valid;      /* loaded and passed the schema */
} secex_exception;

typedef struct secex_snapshot {
	secex_policy *policy;     /* the repository's, or the default when it has none */
	bool policy_ok;           /* the policy file is absent or valid */
	bool policy_present;
	secex_roster *roster;     /* NULL when absent or invalid */
	secex_doc *reviews;       /* .secex/reviews.yaml; NULL when absent or invalid */
	secex_exception *items;   /* sorted by path */
	size_t n;
	void *internal;
} secex_snapshot;

/* The shipped schemas, compiled once per process. name: "exception", "policy", "people",
 * "reviews". */
int secex_snapshot_builtin_schema(const secex_schema **out, const char *name);
/* The shipped schema's text, or NULL. */
const char *secex_snapshot_builtin_schema_text(const char *name, size_t *len);

/*
 * Loads .secex/policy.yaml, .secex/people.yaml, .secex/reviews.yaml and every exception file of the policy's
 * exceptions directory from tree, validating each against its schema (and the policy's
 * extending schema). Problems are findings; the function fails only when it cannot run.
 */
int secex_snapshot_load(secex_snapshot **out, secex_tree *tree, secex_diags *diags);
/* The same without the exceptions (n is 0): for commands that need only the rules. */
int secex_snapshot_load_policy(secex_snapshot **out, secex_tree *tree, secex_diags *diags);
void secex_snapshot_free(secex_snapshot *snap);
const secex_exception *secex_snapshot_find(const secex_snapshot *snap, const char *id);

/* Validates an exception document (root) against the schema the snapshot checks exception
 * files with: the shipped one, extended by the policy's exception_schema. Sets *valid. */
int secex_snapshot_check_schema(bool *valid, const secex_snapshot *snap, const secex_node *root,
				const char *path, const char *id, secex_diags *diags);

/* The exception files of the snapshot's exceptions directory in tree (sorted paths the
 * caller frees), compiling the shipped schemas first: after it, loading is thread-safe. */
int secex_snapshot_list(secex_vec *out, const secex_snapshot *snap, secex_tree *tree, secex_diags *diags);
/* Loads the exception file e->path of tree into e (doc, id, valid), checked against the
 * snapshot's exception schema. Thread-safe: threads may load files of one tree at once. */
int secex_snapshot_load_exception(secex_exception *e, const secex_snapshot *snap, secex_tree *tree,
				  secex_diags *diags);

/* How secex_validate_tree runs. */
typedef struct {
	unsigned int version;
	unsigned int jobs;            /* threads; 0: one per online CPU */
	const char *const *only;      /* NULL, or the only exception paths checked in full */
	size_t n_only;
} secex_validate_options;

#define SECEX_VALIDATE_OPTIONS_VERSION 1
#define SECEX_VALIDATE_OPTIONS_INIT { SECEX_VALIDATE_OPTIONS_VERSION, 0, NULL, 0 }

/*
 * Loads tree's rules and exceptions and runs every check, the files on opts->jobs threads:
 * the same findings in the same order as secex_snapshot_load then secex_validate_snapshot.
 * With opts->only, the other exception files are read for their id alone (the duplicate-id
 * check): findings about them are incomplete, keep only those on the paths of only.
 * *nfiles (when not NULL): how many exception files the tree holds.
 */
int secex_validate_tree(size_t *nfiles, secex_tree *tree, const secex_validate_options *opts, secex_diags *diags);

/* The semantic checks of SPEC §3 (SX120 to SX127) over a loaded snapshot. */
int secex_validate_snapshot(const secex_snapshot *snap, secex_diags *diags);

/* Validates one exception document's semantics (all but the cross-file SX120). */
int secex_validate_exception(const secex_snapshot *snap, const secex_exception *exc,
			     secex_diags *diags);

#endif
