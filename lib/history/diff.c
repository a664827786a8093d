/* The exception files two trees differ in: one merge of their sorted entry lists, as git
 * does, descending only into subtrees whose ids differ, with the last trees read kept for the
 * next commit; and the same from the history cache, keyed by both trees' ids. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>
#include "history_int.h"
#include "../git/repo_int.h"
#include "secex/path.h"
#include "secex/banned.h"

static int push_change(secex_vec *out, const char *prefix, const char *name,
		       const git_tree_entry *old, const git_tree_entry *new)
{
	tree_change *c = calloc(1, sizeof(*c));
	secex_buf path = SECEX_BUF_INIT;

	if (!c || secex_buf_printf(&path, "%s%s", prefix, name) < 0) {
		free(c);
		return secex_error_nomem();
	}
	c->path = secex_buf_detach(&path);
	if ((c->has_old = old != NULL))
		git_oid_cpy(&c->old_oid, git_tree_entry_id(old));
	if ((c->has_new = new != NULL))
		git_oid_cpy(&c->new_oid, git_tree_entry_id(new));
	return secex_vec_push(out, c);
}

static bool is_blob(const git_tree_entry *e)
{
	return e && git_tree_entry_type(e) == GIT_OBJECT_BLOB && git_tree_entry_filemode(e) != GIT_FILEMODE_LINK;
}

static bool is_tree(const git_tree_entry *e)
{
	return e && git_tree_entry_type(e) == GIT_OBJECT_TREE;
}

/* The last trees read, kept for the next commit (its parent's trees are this one's): libgit2's
 * own object cache is off, since its eviction costs more than it saves on long histories. */
static int tree_get(git_tree **out, hist_io *io, const git_oid *oid)
{
	size_t slot = (size_t)secex_map_hash(oid->id, GIT_OID_RAWSZ) % HIST_TREE_CACHE;

	if (io->trees[slot] && git_oid_equal(git_tree_id(io->trees[slot]), oid)) {
		*out = io->trees[slot];
		return 0;
	}
	if (git_tree_lookup(out, io->git, oid) < 0)
		return secex_repo_git_missing(io->git, "a tree");
	git_tree_free(io->trees[slot]);
	io->trees[slot] = *out;
	return 0;
}

void secex_diff_release_trees(hist_io *io)
{
	size_t i;

	for (i = 0; i < HIST_TREE_CACHE; i++) {
		git_tree_free(io->trees[i]);
		io->trees[i] = NULL;
	}
}

/* A reference of the caller's own to a cached tree (a nested read may evict the slot). */
static int tree_hold(git_tree **out, hist_io *io, const git_oid *oid)
{
	git_tree *t;
	int rc;

	*out = NULL;
	if (!oid)
		return 0;
	if ((rc = tree_get(&t, io, oid)) < 0)
		return rc;
	return git_tree_dup(out, t) < 0 ? secex_repo_git_fail(SECEX_EREPO, "cannot hold a tree") : 0;
}

static int diff_trees(secex_vec *out, hist_io *io, const git_oid *a, const git_oid *b,
		      const char *prefix, bool all_files, int depth);

static int diff_entry(secex_vec *out, hist_io *io, const git_tree_entry *old,
		      const git_tree_entry *new, const char *prefix, bool all_files, int depth)
{
	const char *name = git_tree_entry_name(new ? new : old);
	secex_buf sub = SECEX_BUF_INIT;
	int rc = 0;

	if (old && new && git_oid_equal(git_tree_entry_id(old), git_tree_entry_id(new)) &&
	    git_tree_entry_filemode(old) == git_tree_entry_filemode(new))
		return 0;
	if (is_tree(old) || is_tree(new)) {
		if (secex_buf_printf(&sub, "%s%s/", prefix, name) < 0)
			return SECEX_ENOMEM;
		rc = diff_trees(out, io, is_tree(old) ? git_tree_entry_id(old) : NULL,
				is_tree(new) ? git_tree_entry_id(new) : NULL, sub.ptr, all_files, depth + 1);
		secex_buf_release(&sub);
	}
	if (rc == 0 && (is_blob(old) || is_blob(new)) &&
	    (all_files || secex_path_is_exception_file(name, strlen(name))))
		rc = push_change(out, prefix, name, is_blob(old) ? old : NULL, is_blob(new) ? new : NULL);
	return rc;
}

/* git's tree order: names compare bytewise, a tree as if its name ended in '/'. */
static int entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *x = git_tree_entry_name(a), *y = git_tree_entry_name(b);
	size_t i = 0;
	unsigned char cx, cy;

	while (x[i] && x[i] == y[i])
		i++;
	cx = x[i] ? (unsigned char)x[i] : is_tree(a) ? '/' : 0;
	cy = y[i] ? (unsigned char)y[i] : is_tree(b) ? '/' : 0;
	if (cx == cy && !x[i] && !y[i])
		return 0;
	return cx < cy ? -1 : cx > cy ? 1 : (x[i] ? 1 : -1);
}

/* The files that differ between trees a and b (either may be NULL: empty), descending only
 * into subtrees whose ids differ: one merge of the two sorted entry lists, as git does. */
static int diff_trees(secex_vec *out, hist_io *io, const git_oid *a, const git_oid *b,
		      const char *prefix, bool all_files, int depth)
{
	git_tree *ta = NULL, *tb = NULL;
	size_t i = 0, k = 0, na, nb;
	int rc = 0;

	if (depth > 64)
		return secex_error_set(SECEX_EREPO, "trees under '%s' nest deeper than 64 levels", prefix);
	if ((rc = tree_hold(&ta, io, a)) < 0 || (rc = tree_hold(&tb, io, b)) < 0) {
		git_tree_free(ta);
		return rc;
	}
	na = ta ? git_tree_entrycount(ta) : 0;
	nb = tb ? git_tree_entrycount(tb) : 0;
	while (rc == 0 && (i < na || k < nb)) {
		const git_tree_entry *ea = i < na ? git_tree_entry_byindex(ta, i) : NULL;
		const git_tree_entry *eb = k < nb ? git_tree_entry_byindex(tb, k) : NULL;
		int cmp = !ea ? 1 : !eb ? -1 : entry_cmp(ea, eb);

		rc = diff_entry(out, io, cmp <= 0 ? ea : NULL, cmp >= 0 ? eb : NULL, prefix, all_files, depth);
		i += cmp <= 0;
		k += cmp >= 0;
	}
	git_tree_free(ta);
	git_tree_free(tb);
	return rc;
}

void secex_diff_free(secex_vec *changes)
{
	size_t i;

	for (i = 0; i < changes->n; i++) {
		free(((tree_change *)changes->items[i])->path);
		free(changes->items[i]);
	}
	secex_vec_release(changes);
}

static int changes_key(unsigned char key[HIST_CACHE_KEY], const git_oid *a, const git_oid *b, const char *prefix)
{
	unsigned char ids[2 * (1 + GIT_OID_RAWSZ)] = { 0 };

	ids[0] = a != NULL;
	ids[1 + GIT_OID_RAWSZ] = b != NULL;
	if (a)
		memcpy(ids + 1, a->id, GIT_OID_RAWSZ);
	if (b)
		memcpy(ids + 2 + GIT_OID_RAWSZ, b->id, GIT_OID_RAWSZ);
	return secex_cache_key(key, 'D', ids, sizeof(ids), prefix, strlen(prefix));
}

static int decode_change(secex_vec *out, hist_reader *r, secex_arena *scratch)
{
	const char *path = secex_cache_getstr(r, scratch);
	unsigned char flags = 0;
	tree_change *c;

	secex_cache_getbytes(r, &flags, 1);
	if (r->bad || !path)
		return 0;
	if (!(c = calloc(1, sizeof(*c))) || !(c->path = strdup(path)) || secex_vec_push(out, c) < 0) {
		free(c ? c->path : NULL);
		free(c);
		return secex_error_nomem();
	}
	c->has_old = flags & 1;
	c->has_new = (flags & 2) != 0;
	secex_cache_getbytes(r, c->old_oid.id, GIT_OID_RAWSZ);
	secex_cache_getbytes(r, c->new_oid.id, GIT_OID_RAWSZ);
	return 0;
}

bool secex_diff_decode(secex_vec *out, const void *value, size_t len)
{
	secex_arena scratch = SECEX_ARENA_INIT;
	hist_reader r = { value, (const unsigned char *)value + len, false, false };
	size_t i, n = secex_cache_get32(&r);
	int rc = 0;

	for (i = 0; rc == 0 && !r.bad && i < n; i++)
		rc = decode_change(out, &r, &scratch);
	secex_arena_release(&scratch);
	if (rc == 0 && !r.bad && r.p == r.end)
		return true;
	secex_diff_free(out);
	*out = (secex_vec)SECEX_VEC_INIT;
	return false;
}

int secex_diff_encode(secex_buf *out, const secex_vec *files)
{
	size_t i;
	int rc = secex_cache_put32(out, (uint32_t)files->n);

	for (i = 0; rc == 0 && i < files->n; i++) {
		const tree_change *c = files->items[i];
		char flags = (char)(c->has_old | c->has_new << 1);

		if ((rc = secex_cache_putstr(out, c->path)) == 0 && (rc = secex_buf_putc(out, flags)) == 0 &&
		    (rc = secex_buf_put(out, (const char *)c->old_oid.id, GIT_OID_RAWSZ)) == 0)
			rc = secex_buf_put(out, (const char *)c->new_oid.id, GIT_OID_RAWSZ);
	}
	return rc;
}

static int keep_changes(hist_io *io, const unsigned char *key, const secex_vec *files)
{
	secex_buf value = SECEX_BUF_INIT;
	int rc = secex_diff_encode(&value, files);

	if (rc == 0)
		rc = secex_cache_io_put(io, key, value.ptr, value.size);
	secex_buf_release(&value);
	return rc;
}

/* The exception files that differ between the exceptions directories a and b (either may be
 * NULL: none), from the cache when it holds them. */
int secex_diff_exc_files(secex_vec *out, hist_io *io, const git_oid *a, const git_oid *b, const char *prefix)
{
	unsigned char key[HIST_CACHE_KEY];
	bool keyed = io->cache && changes_key(key, a, b, prefix) == 0;
	const void *v;
	size_t len;
	int rc;

	if (keyed && (v = secex_cache_get(io->cache, key, &len)) && secex_diff_decode(out, v, len))
		return 0;
	if ((rc = diff_trees(out, io, a, b, prefix, false, 0)) == 0 && keyed)
		rc = keep_changes(io, key, out);
	return rc;
}

