/* Files from a directory, a commit's tree or the index, behind one interface. */

#include <dirent.h>
#include <fnmatch.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <git2.h>
#include <git2/sys/repository.h>
#include "secex/tree.h"
#include "repo_int.h"
#include "secex/path.h"
#include "secex/banned.h"

typedef enum { TREE_DIR, TREE_GIT, TREE_INDEX } tree_kind;

struct secex_tree {
	tree_kind kind;
	char *root;          /* TREE_DIR: directory with trailing '/' */
	secex_repo *repo;    /* TREE_GIT, TREE_INDEX: borrowed */
	git_tree *tree;      /* TREE_GIT */
	git_index *index;    /* TREE_INDEX */
	secex_map listed;    /* TREE_GIT: path -> git_oid of each file listed, so loading it
				needs no second lookup through the trees */
	char *overlay;       /* TREE_GIT: paths below this prefix read from overlaid */
	secex_map overlaid;  /* path below the prefix -> git_oid */
	char name[64];
};

int secex_tree_open_dir(secex_tree **out, const char *root)
{
	secex_tree *t = calloc(1, sizeof(*t));
	size_t len = strlen(root);

	*out = NULL;
	if (!t || !(t->root = malloc(len + 2))) {
		free(t);
		return secex_error_nomem();
	}
	memcpy(t->root, root, len + 1);
	if (len == 0 || root[len - 1] != '/')
		memcpy(t->root + len, "/", 2);
	t->kind = TREE_DIR;
	snprintf(t->name, sizeof(t->name), "working tree");
	*out = t;
	return 0;
}

int secex_tree_open_rev(secex_tree **out, secex_repo *repo, const char *rev)
{
	git_object *obj = NULL;
	secex_tree *t = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	*out = NULL;
	if (git_revparse_single(&obj, secex_repo_git(repo), rev) < 0)
		return secex_error_set(SECEX_ENOTFOUND, "revision '%s' not found; give a branch, tag "
				       "or commit that exists (git rev-parse '%s')", rev, rev);
	if (!(t = calloc(1, sizeof(*t)))) {
		rc = secex_error_nomem();
		goto cleanup;
	}
	if (git_object_peel((git_object **)&t->tree, obj, GIT_OBJECT_TREE) < 0) {
		rc = secex_repo_git_fail(SECEX_EREPO, "cannot read the tree of that revision");
		goto cleanup;
	}
	t->kind = TREE_GIT;
	t->repo = repo;
	git_oid_tostr(hex, 8, git_object_id(obj));
	snprintf(t->name, sizeof(t->name), "revision %s", hex);
	*out = t;
	t = NULL;
	rc = 0;
cleanup:
	secex_tree_free(t);
	git_object_free(obj);
	return rc;
}

int secex_tree_open_index(secex_tree **out, secex_repo *repo)
{
	secex_tree *t = calloc(1, sizeof(*t));

	*out = NULL;
	SECEX_ERROR_CHECK_ALLOC(t);
	if (git_repository_index(&t->index, secex_repo_git(repo)) < 0) {
		free(t);
		return secex_repo_git_fail(SECEX_EREPO, "cannot read the index");
	}
	t->kind = TREE_INDEX;
	t->repo = repo;
	snprintf(t->name, sizeof(t->name), "index");
	*out = t;
	return 0;
}

void secex_tree_free(secex_tree *t)
{
	if (!t)
		return;
	free(t->root);
	git_tree_free(t->tree);
	git_index_free(t->index);
	secex_map_release(&t->listed);
	secex_map_release(&t->overlaid);
	free(t->overlay);
	free(t);
}

const char *secex_tree_name(const secex_tree *t)
{
	return t->name;
}

static bool wanted_name(const char *name)
{
	return secex_path_is_exception_file(name, strlen(name));
}

/* A name secex would read but for the case of its extension ("EXC-0001.YAML"). */
static bool wanted_but_case(const char *name)
{
	return secex_path_is_miscased_exception_file(name, strlen(name));
}

/* dir/name, or name when dir is "" (no printf: a listing joins every path it keeps). */
static int join(secex_buf *out, const char *dir, const char *name)
{
	if (secex_buf_grow(out, strlen(dir) + strlen(name) + 2) < 0 || secex_buf_puts(out, dir) < 0 ||
	    (*dir && secex_buf_putc(out, '/') < 0) || secex_buf_puts(out, name) < 0)
		return SECEX_ENOMEM;
	return 0;
}

static int ignored_case(secex_diags *diags, const char *dir, const char *name)
{
	secex_buf path = SECEX_BUF_INIT;
	int rc;

	if (join(&path, dir, name) < 0) {
		secex_buf_release(&path);
		return SECEX_ENOMEM;
	}
	rc = secex_diag_add(diags, "SX112", path.ptr, 0, 0, NULL, NULL,
			     "'%s' is not read: secex reads files ending in .yaml, .yml or .json, in lowercase; "
			     "rename it (git mv) with a lowercase extension", path.ptr);
	secex_buf_release(&path);
	return rc;
}

static int push_path(secex_vec *out, const char *dir, const char *name)
{
	secex_buf path = SECEX_BUF_INIT;

	if (join(&path, dir, name) < 0 || secex_vec_push(out, path.ptr) < 0) {
		secex_buf_release(&path);
		return SECEX_ENOMEM;
	}
	return 0;
}

static int not_regular(secex_diags *diags, const char *dir, const char *name, const char *what)
{
	secex_buf path = SECEX_BUF_INIT;
	int rc;

	if (secex_buf_printf(&path, "%s/%s", dir, name) < 0)
		return SECEX_ENOMEM;
	rc = secex_diag_add(diags, "SX109", path.ptr, 0, 0, NULL, NULL,
			     "'%s' is a %s; secex reads regular files only, replace it with the file itself",
			     path.ptr, what);
	secex_buf_release(&path);
	return rc;
}

static int list_dir(secex_vec *out, const char *root, const char *dir, secex_diags *diags, int depth)
{
	secex_buf full = SECEX_BUF_INIT;
	DIR *d = NULL;
	struct dirent *de;
	int rc = 0;

	if (depth > 32)
		return 0;
	if (secex_buf_printf(&full, "%s%s", root, dir) < 0)
		return SECEX_ENOMEM;
	if (!(d = opendir(full.ptr))) {
		rc = errno == ENOENT || errno == ENOTDIR ? 0 :
		     secex_error_set(SECEX_EIO, "cannot read directory '%s': %s", full.ptr, strerror(errno));
		goto cleanup;
	}
	while (rc == 0 && (de = readdir(d))) {
		secex_buf child = SECEX_BUF_INIT;
		struct stat st;

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (secex_buf_printf(&child, "%s/%s", full.ptr, de->d_name) < 0) {
			rc = SECEX_ENOMEM;
			break;
		}
		/* d_type spares an lstat per file; DT_UNKNOWN (some file systems) falls back to it */
		if (de->d_type == DT_REG)
			st.st_mode = S_IFREG;
		else if (de->d_type == DT_DIR)
			st.st_mode = S_IFDIR;
		if ((de->d_type == DT_REG || de->d_type == DT_DIR) || lstat(child.ptr, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				secex_buf sub = SECEX_BUF_INIT;

				rc = secex_buf_printf(&sub, "%s/%s", dir, de->d_name);
				if (rc == 0)
					rc = list_dir(out, root, sub.ptr, diags, depth + 1);
				secex_buf_release(&sub);
			} else if (wanted_but_case(de->d_name)) {
				rc = ignored_case(diags, dir, de->d_name);
			} else if (wanted_name(de->d_name)) {
				rc = S_ISREG(st.st_mode) ? push_path(out, dir, de->d_name)
							 : not_regular(diags, dir, de->d_name, S_ISLNK(st.st_mode) ? "symbolic link" :
									 "FIFO, device or socket");
			}
		}
		secex_buf_release(&child);
	}
cleanup:
	if (d)
		closedir(d);
	secex_buf_release(&full);
	return rc;
}

typedef struct {
	secex_vec *out;
	const char *dir;
	secex_diags *diags;
	int rc;
	secex_tree *tree;
} walk_ctx;

/* Keeps the blob id of a listed path for secex_tree_load. */
static int remember(secex_tree *t, const char *path, const git_oid *oid)
{
	git_oid *copy = secex_arena_alloc(&t->listed.keys, sizeof(*copy));

	SECEX_ERROR_CHECK_ALLOC(copy);
	git_oid_cpy(copy, oid);
	return secex_map_put(&t->listed, path, strlen(path), copy);
}

static int walk_cb(const char *root, const git_tree_entry *entry, void *payload)
{
	walk_ctx *ctx = payload;
	git_filemode_t mode = git_tree_entry_filemode(entry);
	const char *name = git_tree_entry_name(entry);
	secex_buf dir = SECEX_BUF_INIT;

	if (mode == GIT_FILEMODE_TREE)
		return 0;
	if (secex_buf_printf(&dir, "%s%s%.*s", ctx->dir, *root ? "/" : "", (int)(strlen(root) ? strlen(root) - 1 : 0), root) < 0) {
		ctx->rc = SECEX_ENOMEM;
		return -1;
	}
	if (mode == GIT_FILEMODE_COMMIT)
		ctx->rc = not_regular(ctx->diags, dir.ptr, name, "submodule");
	else if (wanted_but_case(name))
		ctx->rc = ignored_case(ctx->diags, dir.ptr, name);
	else if (wanted_name(name) && mode == GIT_FILEMODE_LINK)
		ctx->rc = not_regular(ctx->diags, dir.ptr, name, "symbolic link");
	else if (wanted_name(name) && (ctx->rc = push_path(ctx->out, dir.ptr, name)) == 0)
		ctx->rc = remember(ctx->tree, ctx->out->items[ctx->out->n - 1], git_tree_entry_id(entry));
	secex_buf_release(&dir);
	return ctx->rc < 0 ? -1 : 0;
}

static int list_git(secex_vec *out, secex_tree *t, const char *dir, secex_diags *diags)
{
	git_tree_entry *entry = NULL;
	git_tree *sub = NULL;
	walk_ctx ctx = { out, dir, diags, 0, t };
	int rc = 0;

	if (git_tree_entry_bypath(&entry, t->tree, dir) < 0)
		return 0;
	if (git_tree_entry_type(entry) != GIT_OBJECT_TREE)
		goto cleanup;
	if (git_tree_lookup(&sub, git_tree_owner(t->tree), git_tree_entry_id(entry)) < 0) {
		rc = secex_repo_git_fail(SECEX_EREPO, "cannot read a tree");
		goto cleanup;
	}
	if (git_tree_walk(sub, GIT_TREEWALK_PRE, walk_cb, &ctx) < 0 && ctx.rc == 0)
		rc = secex_repo_git_fail(SECEX_EREPO, "cannot walk a tree");
	else
		rc = ctx.rc;
cleanup:
	git_tree_free(sub);
	git_tree_entry_free(entry);
	return rc;
}

static int list_index(secex_vec *out, secex_tree *t, const char *dir, secex_diags *diags)
{
	size_t i, n = git_index_entrycount(t->index), dlen = strlen(dir);
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const git_index_entry *e = git_index_get_byindex(t->index, i);
		const char *slash;

		if (strncmp(e->path, dir, dlen) != 0 || e->path[dlen] != '/' || git_index_entry_stage(e) != 0)
			continue;
		slash = strrchr(e->path, '/');
		if (wanted_but_case(slash + 1)) {
			rc = ignored_case(diags, "", e->path);
			continue;
		}
		if (!wanted_name(slash + 1) && e->mode != GIT_FILEMODE_COMMIT)
			continue;
		if (e->mode == GIT_FILEMODE_LINK || e->mode == GIT_FILEMODE_COMMIT) {
			secex_buf d = SECEX_BUF_INIT;

			rc = secex_buf_put(&d, e->path, (size_t)(slash - e->path));
			if (rc == 0)
				rc = not_regular(diags, d.ptr, slash + 1,
						 e->mode == GIT_FILEMODE_LINK ? "symbolic link" : "submodule");
			secex_buf_release(&d);
		} else {
			rc = push_path(out, "", e->path);
		}
	}
	return rc;
}

static int cmp_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The index lists its paths in this order already: one pass spares the sort. */
static bool sorted(const secex_vec *v)
{
	size_t i;

	for (i = 1; i < v->n; i++)
		if (strcmp(v->items[i - 1], v->items[i]) > 0)
			return false;
	return true;
}

/* What is at path in the tree: nothing, a directory, or something else (a symbolic link,
 * submodule or file). Nothing is followed. */
typedef enum { AT_NOTHING, AT_DIR, AT_OTHER } at_kind;

static at_kind kind_at(secex_tree *t, const char *path)
{
	secex_buf full = SECEX_BUF_INIT;
	git_tree_entry *e = NULL;
	struct stat st;
	at_kind k = AT_NOTHING;

	if (t->kind == TREE_DIR) {
		if (secex_buf_printf(&full, "%s%s", t->root, path) == 0 && lstat(full.ptr, &st) == 0)
			k = S_ISDIR(st.st_mode) ? AT_DIR : AT_OTHER;
		secex_buf_release(&full);
	} else if (t->kind == TREE_GIT) {
		if (git_tree_entry_bypath(&e, t->tree, path) == 0)
			k = git_tree_entry_type(e) == GIT_OBJECT_TREE ? AT_DIR : AT_OTHER;
		git_tree_entry_free(e);
		git_error_clear();
	} else {
		k = git_index_get_bypath(t->index, path, 0) ? AT_OTHER : AT_NOTHING;
	}
	return k;
}

int secex_tree_check_dir(bool *ok, secex_tree *t, const char *dir, secex_diags *diags)
{
	secex_buf prefix = SECEX_BUF_INIT;
	const char *p = dir;
	int rc = 0;

	*ok = true;
	while (rc == 0 && *ok && *p) {
		size_t n = strcspn(p, "/");

		if ((rc = secex_buf_put(&prefix, p, n)) < 0)
			break;
		if (kind_at(t, prefix.ptr) == AT_OTHER) {
			*ok = false;
			rc = secex_diag_add(diags, "SX109", prefix.ptr, 0, 0, NULL, NULL, "'%s' is a symbolic link, "
					     "submodule or file in the %s, where secex reads the directory '%s'; "
					     "replace it with a real directory", prefix.ptr, t->name, dir);
		}
		p += n + (p[n] == '/');
		if (*p)
			rc = rc ? rc : secex_buf_puts(&prefix, "/");
	}
	secex_buf_release(&prefix);
	return rc;
}

int secex_tree_list(secex_vec *out, secex_tree *t, const char *dir, secex_diags *diags)
{
	bool real;
	int rc;

	if ((rc = secex_tree_check_dir(&real, t, dir, diags)) < 0 || !real)
		return rc;
	switch (t->kind) {
	case TREE_DIR: rc = list_dir(out, t->root, dir, diags, 0); break;
	case TREE_GIT: rc = list_git(out, t, dir, diags); break;
	default: rc = list_index(out, t, dir, diags); break;
	}
	if (rc == 0 && !sorted(out))
		qsort(out->items, out->n, sizeof(*out->items), cmp_paths);
	return rc;
}

/* Finds the blob id and size of path in a git tree or the index. */
static int git_locate(git_oid *oid, uint64_t *size, secex_tree *t, const char *path)
{
	git_odb *odb = NULL;
	git_object_t type;
	size_t len;
	int rc;

	if (t->kind == TREE_GIT && t->overlay && strncmp(path, t->overlay, strlen(t->overlay)) == 0) {
		const git_oid *o = secex_map_get(&t->overlaid, path + strlen(t->overlay),
						 strlen(path + strlen(t->overlay)));

		if (!o)
			return SECEX_ENOTFOUND;
		git_oid_cpy(oid, o);
		rc = 0;
	} else if (t->kind == TREE_GIT && secex_map_get(&t->listed, path, strlen(path))) {
		git_oid_cpy(oid, secex_map_get(&t->listed, path, strlen(path)));
		rc = 0;
	} else if (t->kind == TREE_GIT) {
		git_tree_entry *entry = NULL;

		if (git_tree_entry_bypath(&entry, t->tree, path) < 0)
			return SECEX_ENOTFOUND;
		rc = git_tree_entry_type(entry) == GIT_OBJECT_BLOB &&
		     git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK ? 0 : SECEX_ENOTFOUND;
		git_oid_cpy(oid, git_tree_entry_id(entry));
		git_tree_entry_free(entry);
	} else {
		const git_index_entry *e = git_index_get_bypath(t->index, path, 0);

		if (!e || e->mode == GIT_FILEMODE_LINK)
			return SECEX_ENOTFOUND;
		git_oid_cpy(oid, &e->id);
		rc = 0;
	}
	if (rc < 0)
		return rc;
	if (git_repository_odb(&odb, secex_repo_git(t->repo)) < 0)
		return secex_repo_git_fail(SECEX_EREPO, "cannot open the object database");
	rc = git_odb_read_header(&len, &type, odb, oid);
	git_odb_free(odb);
	if (rc < 0)
		return secex_repo_git_missing(secex_repo_git(t->repo), "an object");
	*size = len;
	return 0;
}

int secex_tree_overlay(secex_tree *t, const char *prefix, const secex_tree_file *files, size_t n)
{
	size_t i;
	int rc = 0;

	if (t->kind != TREE_GIT)
		return secex_error_set(SECEX_EINVALID, "only a commit's tree can take the rules in force");
	free(t->overlay);
	secex_map_release(&t->overlaid);
	if (!(t->overlay = secex_util_strndup(prefix, strlen(prefix))))
		return secex_error_nomem();
	for (i = 0; rc == 0 && i < n; i++) {
		git_oid *copy = secex_arena_alloc(&t->overlaid.keys, sizeof(*copy));

		SECEX_ERROR_CHECK_ALLOC(copy);
		git_oid_cpy(copy, &files[i].oid);
		rc = secex_map_put(&t->overlaid, files[i].path, strlen(files[i].path), copy);
	}
	return rc;
}

static int stat_file(uint64_t *size, secex_tree *t, const char *path)
{
	secex_buf full = SECEX_BUF_INIT;
	struct stat st;
	int rc;

	if (secex_buf_printf(&full, "%s%s", t->root, path) < 0)
		return SECEX_ENOMEM;
	rc = lstat(full.ptr, &st);
	secex_buf_release(&full);
	if (rc < 0)
		return SECEX_ENOTFOUND;
	/* a FIFO, device or link in a file's place exists: loading it reports SX109 */
	*size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	return 0;
}

bool secex_tree_exists(secex_tree *t, const char *path)
{
	git_oid oid;
	uint64_t size;

	return (t->kind == TREE_DIR ? stat_file(&size, t, path) : git_locate(&oid, &size, t, path)) == 0;
}

int secex_tree_read(secex_buf *out, secex_tree *t, const char *path, size_t max_size)
{
	git_blob *blob = NULL;
	git_oid oid;
	uint64_t size;
	int rc;

	if (t->kind == TREE_DIR) {
		secex_buf full = SECEX_BUF_INIT;

		if (secex_buf_printf(&full, "%s%s", t->root, path) < 0)
			return SECEX_ENOMEM;
		rc = secex_file_read_ext(out, NULL, full.ptr, max_size, SECEX_FILE_NOFOLLOW);
		secex_buf_release(&full);
		return rc;
	}
	if ((rc = git_locate(&oid, &size, t, path)) < 0)
		return rc == SECEX_ENOTFOUND ? secex_error_set(rc, "'%s' not found in the %s", path, t->name) : rc;
	if (size > max_size)
		return secex_error_set(SECEX_EINVALID, "'%s' is %llu bytes, more than the limit of %zu",
				       path, (unsigned long long)size, max_size);
	if (git_blob_lookup(&blob, secex_repo_git(t->repo), &oid) < 0)
		return secex_repo_git_fail(SECEX_EREPO, "cannot read a blob");
	rc = secex_buf_put(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	git_blob_free(blob);
	return rc;
}

int secex_tree_blob_id(char out[41], secex_tree *t, const char *path)
{
	const git_oid *oid = NULL;
	const git_index_entry *e;

	if (t->kind == TREE_GIT && !t->overlay)
		oid = secex_map_get(&t->listed, path, strlen(path));
	else if (t->kind == TREE_INDEX && (e = git_index_get_bypath(t->index, path, 0)) &&
		 e->mode != GIT_FILEMODE_LINK && e->mode != GIT_FILEMODE_COMMIT)
		oid = &e->id;
	if (!oid)
		return SECEX_ENOTFOUND;
	git_oid_tostr(out, 41, oid);
	return 0;
}

int secex_tree_cache_path(secex_buf *out, secex_tree *t, const char *name)
{
	if (t->kind == TREE_DIR)
		return SECEX_ENOTFOUND;
	return secex_buf_printf(out, "%ssecex/%s", git_repository_commondir(secex_repo_git(t->repo)), name);
}

static pthread_mutex_t git_read_lock = PTHREAD_MUTEX_INITIALIZER;

/* A file of a directory tree: one open, fstat and read, refusing what is not regular. */
static int load_file(secex_doc **out, secex_tree *t, const char *path, secex_diags *diags)
{
	secex_buf full = SECEX_BUF_INIT;
	int rc;

	if (secex_buf_printf(&full, "%s%s", t->root, path) < 0)
		return SECEX_ENOMEM;
	rc = secex_doc_load_file_ext(out, full.ptr, path, SECEX_FILE_NOFOLLOW, diags);
	secex_buf_release(&full);
	if (rc == SECEX_ENOTFOUND)
		secex_error_set(rc, "'%s' not found in the %s", path, t->name);
	return rc;
}

int secex_tree_load(secex_doc **out, secex_tree *t, const char *path, secex_diags *diags)
{
	secex_buf data = SECEX_BUF_INIT;
	git_oid oid;
	uint64_t size = 0;
	int rc;

	*out = NULL;
	if (t->kind == TREE_DIR)
		return load_file(out, t, path, diags);
	/* libgit2's index and trees are not thread-safe: threads loading files of one tree
	 * read their blobs one at a time, and parse them at once */
	pthread_mutex_lock(&git_read_lock);
	rc = git_locate(&oid, &size, t, path);
	if (rc == 0 && size <= SECEX_MAX_FILE_SIZE)
		rc = secex_tree_read(&data, t, path, SECEX_MAX_FILE_SIZE);
	pthread_mutex_unlock(&git_read_lock);
	if (rc == SECEX_ENOTFOUND && size == 0)
		return secex_error_set(rc, "'%s' not found in the %s", path, t->name);
	if (rc == 0 && size > SECEX_MAX_FILE_SIZE)
		return secex_diag_add(diags, "SX107", path, 1, 1, NULL, NULL,
				       "file is %llu bytes, more than the limit of 1 MiB; split it or remove it",
				       (unsigned long long)size);
	if (rc == SECEX_EINVALID) /* grew between stat and read */
		rc = secex_diag_add(diags, "SX107", path, 1, 1, NULL, NULL,
				     "file is more than the limit of 1 MiB; split it or remove it");
	else if (rc == 0)
		rc = secex_doc_parse(out, data.ptr ? data.ptr : "", data.size, path, diags);
	secex_buf_release(&data);
	return rc;
}
