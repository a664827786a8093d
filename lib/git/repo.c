/* The git repository: opening it (with the caller's index and quarantine), its configuration, staged paths and branches. */

#include <dirent.h>
#include <fnmatch.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <git2.h>
#include <git2/sys/repository.h>
#include "secex/repo.h"
#include "repo_int.h"
#include "secex/path.h"
#include "secex/banned.h"

struct secex_repo {
	git_repository *repo;
	char *workdir;
};


int secex_repo_git_fail(int code, const char *what)
{
	const git_error *e = git_error_last();

	return secex_error_set(code, "%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
}

static int git_fail(int code, const char *what)
{
	return secex_repo_git_fail(code, what);
}

/* Whether a remote of the repository is a promisor: a partial clone (git clone --filter). */
static bool partial_clone(git_repository *repo)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *e;
	bool partial = false;

	/* a plain iterator: libgit2 1.5 leaks the regex match data of a glob iterator */
	if (git_repository_config_snapshot(&cfg, repo) == 0 && git_config_iterator_new(&it, cfg) == 0)
		while (!partial && git_config_next(&e, it) == 0) {
			size_t n = strlen(e->name);

			partial = strncmp(e->name, "remote.", 7) == 0 && n > 16 &&
				  strcmp(e->name + n - 9, ".promisor") == 0 && e->value && strcmp(e->value, "true") == 0;
		}
	git_config_iterator_free(it);
	git_config_free(cfg);
	return partial;
}

int secex_repo_git_missing(git_repository *repo, const char *what)
{
	if (partial_clone(repo))
		return secex_error_set(SECEX_EREPO, "cannot read %s: this is a partial clone (git clone "
				       "--filter), whose missing objects secex cannot fetch; clone the repository "
				       "again without --filter", what);
	return secex_error_set(SECEX_EREPO, "cannot read %s: the object is missing or corrupt; 'git fsck' "
			       "says which and why", what);
}

git_repository *secex_repo_git(secex_repo *r)
{
	return r->repo;
}

/* git commit with paths, or -a, runs hooks on a temporary index named by GIT_INDEX_FILE;
 * libgit2 does not read that variable itself. */
static int use_index_file(secex_repo *r, const char *file)
{
	git_index *index = NULL;
	int rc;

	if (!file || !*file)
		return 0;
	if (git_index_open(&index, file) < 0)
		return git_fail(SECEX_EREPO, "cannot read the index named by GIT_INDEX_FILE");
	rc = git_repository_set_index(r->repo, index);
	git_index_free(index);
	return rc < 0 ? git_fail(SECEX_EREPO, "cannot use the index named by GIT_INDEX_FILE") : 0;
}

/* A pre-receive hook sees the pushed objects only in git's quarantine directory, which
 * git names in the environment; libgit2 reads none of it on its own. */
static int use_object_dirs(secex_repo *r, const char *const *dirs, size_t ndirs)
{
	git_odb *odb = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < ndirs; i++) {
		const char *v = dirs[i];

		while (rc == 0 && v && *v) {
			size_t n = strcspn(v, ":");
			char *dir = secex_util_strndup(v, n);

			if (!odb && git_repository_odb(&odb, r->repo) < 0)
				rc = git_fail(SECEX_EREPO, "cannot open the object database");
			else if (!dir)
				rc = secex_error_nomem();
			else if (git_odb_add_disk_alternate(odb, dir) < 0)
				rc = git_fail(SECEX_EREPO, "cannot read the objects named by the environment");
			free(dir);
			v += n + (v[n] == ':');
		}
	}
	git_odb_free(odb);
	return rc;
}

int secex_repo_open(secex_repo **out, const char *path, const secex_repo_options *opts)
{
	secex_repo *r = calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	SECEX_ERROR_CHECK_ALLOC(r);
	git_libgit2_init();
	rc = git_repository_open_ext(&r->repo, path, 0, NULL);
	if (rc == GIT_ENOTFOUND) {
		rc = secex_error_set(SECEX_ENOTFOUND, "'%s' is not inside a git repository; "
				     "run secex in one, or pass -C DIR", path);
		goto fail;
	}
	if (rc == GIT_EOWNER) {
		rc = secex_error_set(SECEX_EREPO, "the repository at '%s' belongs to another user; "
				     "if you trust it (a CI container), pass --no-owner-check", path);
		goto fail;
	}
	if (rc < 0) {
		const git_error *e = git_error_last();

		if (e && e->message && strstr(e->message, "extension"))
			rc = secex_error_set(SECEX_EREPO, "cannot open '%s': %s (SHA-256 repositories "
					     "are not supported by this libgit2)", path, e->message);
		else
			rc = git_fail(SECEX_EREPO, "cannot open the repository");
		goto fail;
	}
	if (opts && ((rc = use_index_file(r, opts->index_file)) < 0 ||
		     (rc = use_object_dirs(r, opts->object_dirs, sizeof(opts->object_dirs) / sizeof(*opts->object_dirs))) < 0))
		goto fail;
	if (git_repository_workdir(r->repo) && !(r->workdir = strdup(git_repository_workdir(r->repo)))) {
		rc = secex_error_nomem();
		goto fail;
	}
	*out = r;
	return 0;
fail:
	secex_repo_free(r);
	return rc;
}

void secex_repo_free(secex_repo *r)
{
	if (!r)
		return;
	git_repository_free(r->repo);
	free(r->workdir);
	free(r);
	git_libgit2_shutdown();
}

const char *secex_repo_workdir(const secex_repo *r)
{
	return r->workdir;
}

static bool under_any(const char *path, const char *const *dirs, size_t n)
{
	size_t i, len;

	for (i = 0; i < n; i++) {
		len = strlen(dirs[i]);
		if (strncmp(path, dirs[i], len) == 0 && (path[len] == '/' || !path[len]))
			return true;
	}
	return false;
}

int secex_repo_staged_paths(secex_vec *out, secex_repo *repo, const char *const *dirs, size_t n)
{
	git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
	git_object *head = NULL;
	git_tree *tree = NULL;
	git_index *index = NULL;
	git_diff *diff = NULL;
	size_t i;
	int rc = 0;

	if (git_revparse_single(&head, repo->repo, "HEAD^{tree}") == 0)
		tree = (git_tree *)head;
	if (git_repository_index(&index, repo->repo) < 0 ||
	    git_diff_tree_to_index(&diff, repo->repo, tree, index, &opts) < 0) {
		rc = git_fail(SECEX_EREPO, "cannot compare the index with HEAD");
		goto cleanup;
	}
	for (i = 0; i < git_diff_num_deltas(diff) && rc == 0; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		char *path;

		if (dirs && (d->status == GIT_DELTA_DELETED || !under_any(d->new_file.path, dirs, n)))
			continue;
		if (!(path = strdup(d->new_file.path)) || secex_vec_push(out, path) < 0) {
			free(path);
			rc = secex_error_nomem();
		}
	}
cleanup:
	git_diff_free(diff);
	git_index_free(index);
	git_object_free(head);
	return rc;
}

int secex_repo_hooks_dir(secex_buf *out, secex_repo *repo)
{
	git_config *cfg = NULL;
	git_buf path = GIT_BUF_INIT;
	int rc;

	if (git_repository_config_snapshot(&cfg, repo->repo) == 0 &&
	    git_config_get_path(&path, cfg, "core.hooksPath") == 0) {
		const char *wd = repo->workdir && path.ptr[0] != '/' ? repo->workdir : "";

		rc = secex_buf_printf(out, "%s%s/", wd, path.ptr);
	} else {
		rc = secex_buf_printf(out, "%shooks/", git_repository_path(repo->repo));
	}
	git_buf_dispose(&path);
	git_config_free(cfg);
	return rc;
}

int secex_repo_config_string(secex_buf *out, secex_repo *repo, const char *key)
{
	git_config *cfg = NULL;
	git_buf value = GIT_BUF_INIT;
	int rc;

	if (git_repository_config_snapshot(&cfg, repo->repo) < 0)
		return git_fail(SECEX_EREPO, "cannot read the git configuration");
	rc = git_config_get_string_buf(&value, cfg, key);
	if (rc == GIT_ENOTFOUND)
		rc = secex_error_set(SECEX_ENOTFOUND, "'%s' is not set in the git configuration", key);
	else if (rc < 0)
		rc = git_fail(SECEX_EREPO, "cannot read the git configuration");
	else
		rc = secex_buf_puts(out, value.ptr);
	git_buf_dispose(&value);
	git_config_free(cfg);
	return rc;
}

int secex_repo_path_changed(bool *out, secex_repo *repo, const char *path)
{
	unsigned int flags = 0;
	int rc = git_status_file(&flags, repo->repo, path);

	*out = false;
	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return git_fail(SECEX_EREPO, "cannot compare a file with HEAD");
	*out = flags != GIT_STATUS_CURRENT;
	return 0;
}

typedef struct {
	secex_vec *out;
	int rc;
} names_ctx;

static int name_cb(const char *root, const git_tree_entry *e, void *payload)
{
	names_ctx *x = payload;
	char *copy;

	(void)root;
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB || !secex_path_is_exception_file(git_tree_entry_name(e), strlen(git_tree_entry_name(e))))
		return 0;
	if (!(copy = secex_util_strndup(git_tree_entry_name(e), strlen(git_tree_entry_name(e)))) ||
	    secex_vec_push(x->out, copy) < 0) {
		free(copy);
		x->rc = secex_error_nomem();
		return -1;
	}
	return 0;
}

/* The file names under dir in the tree of the commit ref points at (nothing when none). */
static int names_at(secex_vec *out, git_repository *repo, git_reference *ref, const char *dir)
{
	git_object *obj = NULL;
	git_tree *tree = NULL, *sub = NULL;
	git_tree_entry *e = NULL;
	names_ctx x = { out, 0 };

	if (git_reference_peel(&obj, ref, GIT_OBJECT_TREE) == 0 &&
	    git_tree_entry_bypath(&e, (git_tree *)obj, dir) == 0 && git_tree_entry_type(e) == GIT_OBJECT_TREE &&
	    git_tree_lookup(&sub, repo, git_tree_entry_id(e)) == 0)
		git_tree_walk(sub, GIT_TREEWALK_PRE, name_cb, &x);
	git_error_clear();
	git_tree_free(sub);
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_object_free(obj);
	return x.rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Calls fn for every local and remote-tracking branch, until it returns non-zero. */
static int each_branch(secex_repo *repo, int (*fn)(git_reference *ref, void *payload), void *payload)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	int rc = 0;

	if (git_reference_iterator_new(&it, repo->repo) < 0)
		return git_fail(SECEX_EREPO, "cannot list the branches");
	while (rc == 0 && git_reference_next(&ref, it) == 0) {
		if (git_reference_is_branch(ref) || git_reference_is_remote(ref))
			rc = fn(ref, payload);
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	git_error_clear();
	return rc;
}

typedef struct {
	secex_vec *out;
	const char *pattern;
	git_repository *repo;
	const char *dir;
} branch_ctx;

static int push_branch(git_reference *ref, void *payload)
{
	branch_ctx *x = payload;
	const char *name = git_reference_shorthand(ref);
	char *copy;

	if (git_reference_type(ref) != GIT_REFERENCE_DIRECT ||
	    (x->pattern && *x->pattern && fnmatch(x->pattern, name, 0) != 0))
		return 0;
	if (!(copy = secex_util_strndup(name, strlen(name))) || secex_vec_push(x->out, copy) < 0) {
		free(copy);
		return secex_error_nomem();
	}
	return 0;
}

int secex_repo_branches(secex_vec *out, secex_repo *repo, const char *pattern)
{
	branch_ctx x = { out, pattern, NULL, NULL };
	int rc = each_branch(repo, push_branch, &x);

	if (rc == 0 && out->n)
		qsort(out->items, out->n, sizeof(*out->items), cmp_names);
	return rc;
}

static int branch_names(git_reference *ref, void *payload)
{
	branch_ctx *x = payload;

	return names_at(x->out, x->repo, ref, x->dir);
}

int secex_repo_branch_names(secex_vec *out, secex_repo *repo, const char *dir)
{
	branch_ctx x = { out, NULL, repo->repo, dir };

	return each_branch(repo, branch_names, &x);
}
