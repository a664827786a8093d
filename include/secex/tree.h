#ifndef SECEX_TREE_H
#define SECEX_TREE_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_GIT)
#error "a layer below git/ may not use it: see Hacking in the README"
#endif

/* A read-only view of the files secex reads: a directory on disk, a commit's tree, or the index. */

#include <stdbool.h>
#include <stdint.h>
#include "common.h"
#include "diag.h"
#include "util.h"
#include "yaml.h"
#include "repo.h"

/* A read-only view of files: a directory on disk, a commit's tree, or the index. */
typedef struct secex_tree secex_tree;

int secex_tree_open_dir(secex_tree **out, const char *root);
int secex_tree_open_rev(secex_tree **out, secex_repo *repo, const char *rev);
int secex_tree_open_index(secex_tree **out, secex_repo *repo);
void secex_tree_free(secex_tree *tree);
/* What the tree is, for messages: "working tree", "commit 1a2b3c4", "index". */
const char *secex_tree_name(const secex_tree *tree);

/* Whether dir and every directory above it are real directories in the tree (or absent):
 * a symbolic link, submodule or file in the place of one is SX109 and sets *ok false. */
int secex_tree_check_dir(bool *ok, secex_tree *tree, const char *dir, secex_diags *diags);

/*
 * Lists the YAML and JSON files (*.yaml, *.yml, *.json) under dir, recursively, sorted, as
 * paths relative to the tree's root that the caller frees (secex_vec of char *). A missing
 * dir lists nothing; a dir that is not a real directory is SX109 and lists nothing. Symbolic
 * links and submodules are reported as SX109 and skipped.
 */
int secex_tree_list(secex_vec *out, secex_tree *tree, const char *dir, secex_diags *diags);

/* Whether path exists in the tree as a file. */
bool secex_tree_exists(secex_tree *tree, const char *path);

/*
 * Reads and parses one file. Problems in the file are findings and leave *out NULL
 * (a file over the size limit is SX107 and is never read). A missing file is SECEX_ENOTFOUND.
 */
int secex_tree_load(secex_doc **out, secex_tree *tree, const char *path, secex_diags *diags);

/* The hex blob id of path in a commit's tree (a listed path) or the index; SECEX_ENOTFOUND
 * for a directory tree or a path it does not have. */
int secex_tree_blob_id(char out[41], secex_tree *tree, const char *path);
/* Where secex keeps the cache `name` of the tree's repository: GIT_COMMON_DIR/secex/name.
 * SECEX_ENOTFOUND for a directory tree. */
int secex_tree_cache_path(secex_buf *out, secex_tree *tree, const char *name);

/* Reads one file's bytes (at most max_size; larger is SECEX_EINVALID). */
int secex_tree_read(secex_buf *out, secex_tree *tree, const char *path, size_t max_size);

#endif
