#ifndef SECEX_REPO_H
#define SECEX_REPO_H
#if defined(SECEX_LAYERED) && !defined(SECEX_USES_GIT)
#error "a layer below git/ may not use it: see Hacking in the README"
#endif

/* Reading secex files from a working tree, a commit's tree or the index (libgit2). */

#include <stdbool.h>
#include <stdint.h>
#include "common.h"
#include "diag.h"
#include "util.h"
#include "yaml.h"

typedef struct secex_repo secex_repo;

/* What git tells a hook in its environment, which libgit2 does not read itself; the caller
 * fills it (the library reads no environment). */
typedef struct {
	unsigned int version;
	/* the index a hook of 'git commit PATH' or 'git commit -a' sees (GIT_INDEX_FILE), or NULL */
	const char *index_file;
	/* ':'-separated object directories to read too, or NULL each: a pre-receive hook's
	 * quarantine (GIT_QUARANTINE_PATH), GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES */
	const char *object_dirs[3];
} secex_repo_options;

#define SECEX_REPO_OPTIONS_VERSION 1
#define SECEX_REPO_OPTIONS_INIT { SECEX_REPO_OPTIONS_VERSION, NULL, { NULL, NULL, NULL } }

/* Opens the repository containing path (searching upwards); opts may be NULL (none).
 * SECEX_ENOTFOUND when there is none; SECEX_EREPO with a message that says what to do for
 * anything else. */
int secex_repo_open(secex_repo **out, const char *path, const secex_repo_options *opts);
void secex_repo_free(secex_repo *repo);
/* The working directory with a trailing '/', or NULL for a bare repository. */
const char *secex_repo_workdir(const secex_repo *repo);

/*
 * The paths (char *, caller frees) whose staged content differs from HEAD's under any of
 * the n directories dirs (added, modified, renamed; not deleted), sorted. In a repository
 * without commits every staged path counts. With dirs NULL: every staged path, deleted too.
 */
int secex_repo_staged_paths(secex_vec *out, secex_repo *repo, const char *const *dirs, size_t n);

/* A git configuration value as git sees it now (repository, global and system files, read
 * through a snapshot). SECEX_ENOTFOUND when the key is not set. */
int secex_repo_config_string(secex_buf *out, secex_repo *repo, const char *key);

/* Whether path (relative to the working directory) differs from HEAD in the index or the
 * working tree, or is untracked. A path that exists nowhere is unchanged. */
int secex_repo_path_changed(bool *out, secex_repo *repo, const char *path);

/* The file names (*.yaml, *.yml, *.json; char *, caller frees) under dir in the tip of every
 * local and remote-tracking branch: the ids in use on other branches. */
int secex_repo_branch_names(secex_vec *out, secex_repo *repo, const char *dir);

/* The short names ("topic", "origin/topic"; char *, caller frees) of the local and
 * remote-tracking branches, symbolic ones (origin/HEAD) left out, sorted; only those that
 * match the glob pattern (fnmatch) when pattern is not NULL or "". */
int secex_repo_branches(secex_vec *out, secex_repo *repo, const char *pattern);

/* The directory git runs hooks from (core.hooksPath, else GIT_DIR/hooks), with a '/'. */
int secex_repo_hooks_dir(secex_buf *out, secex_repo *repo);

#include "tree.h"

#endif
