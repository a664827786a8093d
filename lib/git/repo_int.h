#ifndef SECEX_REPO_INT_H
#define SECEX_REPO_INT_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_GIT)
#error "a layer below git/ may not use it: see Hacking in the README"
#endif

/* For the library's other libgit2 users (history): the repository handle behind secex_repo. */

#include <git2.h>
#include "secex/repo.h"

git_repository *secex_repo_git(secex_repo *repo);

/* Sets the message from libgit2's last error ("what: message") and returns code. */
int secex_repo_git_fail(int code, const char *what);

/* The error for an object that cannot be read: says whether the repository is a partial
 * clone (clone it again without --filter) or damaged (git fsck). */
int secex_repo_git_missing(git_repository *repo, const char *what);

/* One file of an overlay: a path below its prefix and the blob it reads. */
typedef struct {
	const char *path;
	git_oid oid;
} secex_tree_file;

/* Makes every path of a commit's tree below prefix (".secex/") read from files instead (a
 * path not among them does not exist): the rules in force replace the tree's own. */
int secex_tree_overlay(secex_tree *tree, const char *prefix, const secex_tree_file *files, size_t n);

#endif
