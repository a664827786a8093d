/* The rules in force at each commit: .secex/ as the last authorised change left it.
 *
 * A .secex/ state is the flat list of its files. The state of a commit's tree is its "own";
 * the state secex judges by is its "rules". A commit inherits the rules of its parent (of a
 * merge: the 3-way merge of its parents' rules over their merge base, a conflict keeping
 * the base's version); the paths it changes itself (against its parent, or of a merge
 * against the 3-way merge of its parents' trees) enter the rules only when the change is
 * authorised by the rules of every parent (audit.c). The trust root and its ancestors are
 * taken as they are. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>
#include "secex/snapshot.h"
#include "history_int.h"
#include "../git/repo_int.h"
#include "secex/banned.h"

#define CONFLICT_MODE 0xffffffffu /* a path both sides changed: equal to nothing */

static const hist_rules no_rules;

/* The vectors and maps hold void *: what they hold here is read only. */
static void *held(const void *p)
{
	return (void *)(uintptr_t)p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const hist_file *)a)->path, ((const hist_file *)b)->path);
}

static const hist_file *file_at(const hist_rules *r, const char *path)
{
	hist_file key = { path, { { 0 } }, 0 };

	return r->n ? bsearch(&key, r->files, r->n, sizeof(*r->files), cmp_file) : NULL;
}

static bool same_file(const hist_file *a, const hist_file *b)
{
	if (!a || !b)
		return a == b;
	return a->mode == b->mode && a->mode != CONFLICT_MODE && git_oid_equal(&a->blob, &b->blob);
}

bool secex_rules_equal(const hist_rules *a, const hist_rules *b)
{
	size_t i;

	if (a == b)
		return true;
	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->files[i].path, b->files[i].path) != 0 || !same_file(&a->files[i], &b->files[i]))
			return false;
	return true;
}

const git_oid *secex_rules_blob(const hist_rules *r, const char *path)
{
	const hist_file *f = strncmp(path, ".secex/", 7) == 0 ? file_at(r, path + 7) : NULL;

	return f && f->mode != CONFLICT_MODE && f->mode != GIT_FILEMODE_LINK && f->mode != GIT_FILEMODE_COMMIT
		       ? &f->blob : NULL;
}

typedef struct {
	secex_history *h;
	secex_vec files; /* hist_file *, arena-owned */
	int rc;
} flat_ctx;

static int flat_cb(const char *root, const git_tree_entry *e, void *payload)
{
	flat_ctx *x = payload;
	hist_file *f;
	size_t lr = strlen(root), ln = strlen(git_tree_entry_name(e));
	char *path;

	if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
		return 0;
	if (!(f = secex_arena_alloc(&x->h->arena, sizeof(*f))) || !(path = secex_arena_alloc(&x->h->arena, lr + ln + 1))) {
		x->rc = secex_error_nomem();
		return -1;
	}
	memcpy(path, root, lr);
	memcpy(path + lr, git_tree_entry_name(e), ln + 1);
	f->path = path;
	git_oid_cpy(&f->blob, git_tree_entry_id(e));
	f->mode = (uint32_t)git_tree_entry_filemode(e);
	if ((x->rc = secex_vec_push(&x->files, f)) < 0)
		return -1;
	return 0;
}

static int rules_from(const hist_rules **out, secex_history *h, secex_vec *files, const git_oid *from)
{
	hist_rules *r = secex_arena_alloc(&h->arena, sizeof(*r));
	size_t i;

	if (!r || (files->n && !(r->files = secex_arena_alloc(&h->arena, files->n * sizeof(*r->files)))))
		return secex_error_nomem();
	for (i = 0; i < files->n; i++)
		r->files[i] = *(hist_file *)files->items[i];
	r->n = files->n;
	qsort(r->files, r->n, sizeof(*r->files), cmp_file);
	if (from)
		git_oid_cpy(&r->from, from);
	*out = r;
	return 0;
}

/* The files of a .secex tree, cached by the tree's id. */
static int flatten(const hist_rules **out, secex_history *h, const git_oid *tree_id, const git_oid *commit)
{
	flat_ctx x = { h, SECEX_VEC_INIT, 0 };
	git_tree *tree = NULL;
	int rc;

	if ((*out = secex_map_get(&h->flat, tree_id->id, GIT_OID_RAWSZ)))
		return 0;
	if (git_tree_lookup(&tree, h->git, tree_id) < 0)
		return secex_repo_git_missing(h->git, "the tree of .secex/");
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, flat_cb, &x) < 0 && x.rc == 0)
		x.rc = secex_repo_git_fail(SECEX_EREPO, "cannot walk the tree of .secex/");
	git_tree_free(tree);
	rc = x.rc ? x.rc : rules_from(out, h, &x.files, commit);
	secex_vec_release(&x.files);
	return rc ? rc : secex_map_put(&h->flat, tree_id->id, GIT_OID_RAWSZ, held(*out));
}

/* Every path of the n states, sorted, once each. */
static int union_paths(secex_vec *out, const hist_rules *const *s, size_t n)
{
	size_t i, k, w = 0;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i++)
		for (k = 0; rc == 0 && k < s[i]->n; k++)
			rc = secex_vec_push(out, held(s[i]->files[k].path));
	if (rc < 0)
		return rc;
	if (out->n > 1)
		qsort(out->items, out->n, sizeof(*out->items), cmp_str);
	for (i = 0; i < out->n; i++)
		if (!w || strcmp(out->items[w - 1], out->items[i]) != 0)
			out->items[w++] = out->items[i];
	out->n = w;
	return 0;
}

/* The 3-way merge of the sides over base: a path takes the side that changed it; when
 * several did, differently, keep_base takes the base's version, else it is a conflict. */
static int merge3(const hist_rules **out, secex_history *h, const hist_rules *base,
		  const hist_rules *const *sides, size_t n, bool keep_base, const git_oid *from)
{
	const hist_rules *all[9];
	secex_vec paths = SECEX_VEC_INIT, files = SECEX_VEC_INIT;
	size_t i, k;
	int rc;

	if (n > 8)
		n = 8; /* an octopus of more than 8: the first 8 parents speak for it */
	all[0] = base;
	memcpy(all + 1, sides, n * sizeof(*sides));
	rc = union_paths(&paths, all, n + 1);
	for (i = 0; rc == 0 && i < paths.n; i++) {
		const hist_file *b = file_at(base, paths.items[i]), *pick = b, *conflict = NULL;

		for (k = 0; k < n; k++) {
			const hist_file *s = file_at(sides[k], paths.items[i]);

			if (same_file(s, b) || same_file(s, pick))
				continue;
			if (same_file(pick, b))
				pick = s;
			else
				conflict = s ? s : pick;
		}
		if (conflict && keep_base)
			conflict = NULL, pick = b;
		if (conflict) {
			hist_file *c = secex_arena_alloc(&h->arena, sizeof(*c));

			if (!c)
				rc = secex_error_nomem();
			else
				*c = *conflict, c->mode = CONFLICT_MODE, rc = secex_vec_push(&files, c);
		} else if (pick) {
			rc = secex_vec_push(&files, held(pick));
		}
	}
	if (rc == 0)
		rc = rules_from(out, h, &files, from);
	secex_vec_release(&paths);
	secex_vec_release(&files);
	return rc;
}

/* The paths where a and b differ, into out (char *, owned by the states). */
static int differ(secex_vec *out, const hist_rules *a, const hist_rules *b)
{
	const hist_rules *both[2] = { a, b };
	secex_vec paths = SECEX_VEC_INIT;
	size_t i;
	int rc = union_paths(&paths, both, 2);

	for (i = 0; rc == 0 && i < paths.n; i++)
		if (!same_file(file_at(a, paths.items[i]), file_at(b, paths.items[i])))
			rc = secex_vec_push(out, paths.items[i]);
	secex_vec_release(&paths);
	return rc;
}

/* base with the given paths taken from own. */
static int with_paths(const hist_rules **out, secex_history *h, const hist_rules *base, const hist_rules *own,
		      const secex_vec *paths, const git_oid *commit)
{
	secex_vec files = SECEX_VEC_INIT;
	size_t i, k;
	int rc = 0;

	for (i = 0; rc == 0 && i < base->n; i++) {
		bool taken = false;

		for (k = 0; k < paths->n && !taken; k++)
			taken = strcmp(paths->items[k], base->files[i].path) == 0;
		if (!taken)
			rc = secex_vec_push(&files, &base->files[i]);
	}
	for (k = 0; rc == 0 && k < paths->n; k++) {
		const hist_file *f = file_at(own, paths->items[k]);

		if (f)
			rc = secex_vec_push(&files, held(f));
	}
	if (rc == 0)
		rc = rules_from(out, h, &files, commit);
	secex_vec_release(&files);
	return rc;
}

static bool parents_agree(const hist_roots *const *p, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (!secex_rules_equal(p[i]->own, p[0]->own) || !secex_rules_equal(p[i]->rules, p[0]->rules))
			return false;
	return true;
}

/* What the commit inherits (*inherited) and what a clean merge of its parents' trees would
 * hold (*expected). */
static int inherit(const hist_rules **inherited, const hist_rules **expected, secex_history *h,
		   const hist_roots *r, const hist_roots *const *p, const git_oid *commit)
{
	const hist_rules *own[8], *rules[8];
	const hist_roots *base;
	size_t i, n = r->nparents > 8 ? 8 : r->nparents;
	int rc;

	if (n == 0) {
		*inherited = *expected = &no_rules;
		return 0;
	}
	if (n == 1 || parents_agree(p, n)) {
		*inherited = p[0]->rules;
		*expected = p[0]->own;
		return 0;
	}
	base = secex_history_merge_base(h, r);
	for (i = 0; i < n; i++) {
		own[i] = p[i]->own;
		rules[i] = p[i]->rules;
	}
	if ((rc = merge3(inherited, h, base ? base->rules : &no_rules, rules, n, true, commit)) < 0)
		return rc;
	return merge3(expected, h, base ? base->own : &no_rules, own, n, false, commit);
}

/* Whether the commit is the trust root or one of its ancestors: taken as it is. */
static bool trusted(secex_history *h, const git_oid *commit, const hist_roots *r)
{
	if (h->root_pinned)
		return secex_map_get(&h->trusted, commit->id, GIT_OID_RAWSZ) != NULL;
	if (!h->root_known && r->own->n) {
		git_oid_cpy(&h->root, commit);
		h->root_known = true;
	}
	return !h->root_known || git_oid_equal(&h->root, commit);
}

/* secex_audit_governance for the commit (read only now: most commits change no .secex/). */
static int governance(secex_history *h, const git_oid *oid, const hist_roots *const *p, size_t n,
		      const secex_vec *paths, bool *ok)
{
	git_commit *commit = NULL;
	int rc;

	if (git_commit_lookup(&commit, h->git, oid) < 0)
		return secex_repo_git_fail(SECEX_EREPO, "cannot read a commit (corrupt object?)");
	rc = secex_audit_governance(h, commit, p, n, paths, ok);
	git_commit_free(commit);
	return rc;
}

int secex_rules_visit(secex_history *h, const git_oid *commit, hist_roots *r)
{
	const hist_roots *p[8];
	const hist_rules *inherited, *expected;
	secex_vec changed = SECEX_VEC_INIT;
	size_t i;
	bool ok = false;
	int rc = 0;

	/* the files of its .secex/, read parents first (a state names the first commit that had it) */
	if (r->has_secex && (rc = flatten(&r->own, h, &r->secex, commit)) < 0)
		return rc;
	for (i = 0; i < r->nparents && i < 8; i++)
		if (!(p[i] = secex_map_get(&h->roots, r->parents[i].id, GIT_OID_RAWSZ)))
			return secex_error_set(SECEX_EREPO, "a parent was not walked before its child");
	if (trusted(h, commit, r)) {
		r->rules = r->own;
		return 0;
	}
	if ((rc = inherit(&inherited, &expected, h, r, p, commit)) < 0 ||
	    (rc = differ(&changed, r->own, expected)) < 0)
		goto cleanup;
	r->rules = inherited;
	if (!changed.n)
		goto cleanup;
	if ((rc = governance(h, commit, p, r->nparents > 8 ? 8 : r->nparents, &changed, &ok)) == 0 && ok)
		rc = with_paths(&r->rules, h, inherited, r->own, &changed, commit);
cleanup:
	if (rc == 0 && secex_rules_equal(r->rules, r->own))
		r->rules = r->own;
	secex_vec_release(&changed);
	return rc;
}

/* The entry at path of a commit's tree: its id when it is a tree; *bad when it is anything
 * else (a symbolic link, a submodule, a file). */
static bool subtree(git_oid *out, bool *bad, git_tree *tree, const char *path)
{
	git_tree_entry *e = NULL;
	bool found = false;

	*bad = false;
	if (git_tree_entry_bypath(&e, tree, path) < 0) {
		git_error_clear();
		return false;
	}
	if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		git_oid_cpy(out, git_tree_entry_id(e));
		found = true;
	} else {
		*bad = true;
	}
	git_tree_entry_free(e);
	return found;
}

/* What is at a path of a tree, as one byte of a cache value: 1 a tree, 2 something else. */
static unsigned char entry_byte(bool found, bool bad)
{
	return (unsigned char)(found | bad << 1);
}

static bool entry_of_byte(unsigned char v, bool *found, bool *bad)
{
	if (v >= 4)
		return false;
	*found = v & 1;
	*bad = (v & 2) != 0;
	return true;
}

/* The cache key of the entry at path of a tree: false when there is no cache. */
static bool entry_key(unsigned char key[HIST_CACHE_KEY], const hist_io *io, const git_oid *tree_id, const char *path)
{
	return io->cache && secex_cache_key(key, 'T', tree_id->id, GIT_OID_RAWSZ, path, strlen(path)) == 0;
}

/* The entry at path of a tree kept in the history cache, by the tree's id and the path:
 * true when the cache holds it (key gets the key when keyed). */
static bool cached_entry(bool *found, git_oid *out, bool *bad, bool *keyed, unsigned char key[HIST_CACHE_KEY],
			 hist_io *io, const git_oid *tree_id, const char *path)
{
	const unsigned char *v;
	size_t len;

	*keyed = entry_key(key, io, tree_id, path);
	if (!*keyed || !(v = secex_cache_get(io->cache, key, &len)) || len != 1 + GIT_OID_RAWSZ ||
	    !entry_of_byte(v[0], found, bad))
		return false;
	memcpy(out->id, v + 1, GIT_OID_RAWSZ);
	return true;
}

/* The entry at path of the tree, as subtree() finds it, into the cache when keyed. */
static int entry_in(bool *found, git_oid *out, bool *bad, hist_io *io, git_tree *tree, const char *path,
		    bool keyed, const unsigned char *key)
{
	unsigned char value[1 + GIT_OID_RAWSZ];

	memset(out, 0, sizeof(*out));
	*found = subtree(out, bad, tree, path);
	value[0] = entry_byte(*found, *bad);
	memcpy(value + 1, out->id, GIT_OID_RAWSZ);
	return keyed ? secex_cache_io_put(io, key, value, sizeof(value)) : 0;
}

int secex_rules_entry_at(bool *found, git_oid *out, bool *bad, hist_io *io, const git_oid *tree_id,
			 const char *path)
{
	unsigned char key[HIST_CACHE_KEY];
	git_tree *tree = NULL;
	bool keyed;
	int rc;

	if (cached_entry(found, out, bad, &keyed, key, io, tree_id, path))
		return 0;
	if (git_tree_lookup(&tree, io->git, tree_id) < 0)
		return secex_repo_git_missing(io->git, "a commit's tree");
	rc = entry_in(found, out, bad, io, tree, path, keyed, key);
	git_tree_free(tree);
	return rc;
}

/* A commit's .secex entry and, from the same read of its tree, the entry of the exceptions
 * directory most policies name: pass 2 takes it when the head's policy names that one too,
 * and reads no tree again. */
static int entries_of(hist_roots *r, secex_history *h)
{
	unsigned char key[HIST_CACHE_KEY], exc_key[HIST_CACHE_KEY];
	git_tree *tree = NULL;
	bool keyed, exc_keyed;
	int rc;

	if (cached_entry(&r->has_secex, &r->secex, &r->bad_secex, &keyed, key, &h->io, &r->tree, ".secex"))
		return 0;
	exc_keyed = entry_key(exc_key, &h->io, &r->tree, SECEX_EXCEPTIONS_DIR_DEFAULT);
	if (git_tree_lookup(&tree, h->git, &r->tree) < 0)
		return secex_repo_git_missing(h->git, "a commit's tree");
	if ((rc = entry_in(&r->has_secex, &r->secex, &r->bad_secex, &h->io, tree, ".secex", keyed, key)) == 0 &&
	    (rc = entry_in(&r->has_exc, &r->exc, &r->bad_exc, &h->io, tree, SECEX_EXCEPTIONS_DIR_DEFAULT, exc_keyed,
			   exc_key)) == 0)
		r->exc_usual = true;
	git_tree_free(tree);
	return rc;
}

bool secex_rules_exc_usual(const secex_history *h, const hist_roots *r)
{
	return r->exc_usual && strcmp(h->policy->exceptions_dir, SECEX_EXCEPTIONS_DIR_DEFAULT) == 0;
}

int secex_rules_roots_exc(secex_history *h, hist_roots *r)
{
	int rc;

	if (r->exc_known)
		return 0;
	if (secex_rules_exc_usual(h, r) || secex_prefetch_exc(h, r)) {
		r->exc_known = true;
		return 0;
	}
	if ((rc = secex_rules_entry_at(&r->has_exc, &r->exc, &r->bad_exc, &h->io, &r->tree,
				       h->policy->exceptions_dir)) < 0)
		return rc;
	r->exc_known = true;
	return 0;
}

static int set_parents(hist_roots *r, secex_history *h, const git_oid *parents, unsigned n)
{
	if (n && !(r->parents = secex_arena_alloc(&h->arena, n * sizeof(*r->parents))))
		return secex_error_nomem();
	if (n)
		memcpy(r->parents, parents, n * sizeof(*r->parents));
	r->nparents = n;
	return 0;
}

/* A commit's tree, time, .secex/ and parents, kept in the history cache by the commit's id:
 * tree[20], committer time (8, little-endian), what .secex is (1: a tree, 2: something
 * else) and its id[20], parents[20 each]. */
static int commit_of(hist_roots *r, secex_history *h, const git_oid *oid)
{
	enum { TIME = GIT_OID_RAWSZ, FLAGS = TIME + 8, FIXED = FLAGS + 1 + GIT_OID_RAWSZ };
	unsigned char key[HIST_CACHE_KEY], fixed[FIXED];
	bool keyed = h->io.cache && secex_cache_key(key, 'C', oid->id, GIT_OID_RAWSZ, NULL, 0) == 0;
	const unsigned char *v;
	secex_buf value = SECEX_BUF_INIT;
	git_commit *commit = NULL;
	uint64_t t = 0;
	unsigned i, n;
	size_t len;
	int rc;

	if (keyed && (v = secex_cache_get(h->io.cache, key, &len)) && len >= FIXED && (len - FIXED) % GIT_OID_RAWSZ == 0 &&
	    entry_of_byte(v[FLAGS], &r->has_secex, &r->bad_secex)) {
		memcpy(r->tree.id, v, GIT_OID_RAWSZ);
		for (i = 8; i-- > 0;)
			t = t << 8 | v[TIME + i];
		r->time = (int64_t)t;
		memcpy(r->secex.id, v + FLAGS + 1, GIT_OID_RAWSZ);
		return set_parents(r, h, (const git_oid *)(v + FIXED), (unsigned)((len - FIXED) / GIT_OID_RAWSZ));
	}
	if (git_commit_lookup(&commit, h->git, oid) < 0)
		return secex_repo_git_fail(SECEX_EREPO, "cannot read a commit (corrupt object?)");
	n = git_commit_parentcount(commit);
	git_oid_cpy(&r->tree, git_commit_tree_id(commit));
	r->time = git_commit_time(commit);
	rc = entries_of(r, h);
	memcpy(fixed, r->tree.id, GIT_OID_RAWSZ);
	for (i = 0, t = (uint64_t)r->time; i < 8; i++, t >>= 8)
		fixed[TIME + i] = (unsigned char)t;
	fixed[FLAGS] = entry_byte(r->has_secex, r->bad_secex);
	memcpy(fixed + FLAGS + 1, r->secex.id, GIT_OID_RAWSZ);
	if (rc == 0)
		rc = secex_buf_put(&value, (const char *)fixed, FIXED);
	for (i = 0; rc == 0 && i < n; i++)
		rc = secex_buf_put(&value, (const char *)git_commit_parent_id(commit, i)->id, GIT_OID_RAWSZ);
	git_commit_free(commit);
	if (rc == 0)
		rc = set_parents(r, h, (const git_oid *)(value.ptr + FIXED), n);
	if (rc == 0 && keyed)
		rc = secex_cache_io_put(&h->io, key, value.ptr, value.size);
	secex_buf_release(&value);
	return rc;
}

int secex_rules_roots_new(hist_roots **out, secex_history *h, const git_oid *commit)
{
	hist_roots *r = secex_arena_alloc(&h->arena, sizeof(*r));
	int rc;

	*out = r;
	if (!r)
		return secex_error_nomem();
	r->own = &no_rules;
	git_oid_cpy(&r->id, commit);
	if ((rc = commit_of(r, h, commit)) < 0)
		return rc;
	return secex_map_put_kept(&h->roots, r->id.id, GIT_OID_RAWSZ, r);
}

const hist_rules *secex_rules_at(secex_history *h, const git_oid *commit)
{
	const hist_roots *r = commit ? secex_map_get(&h->roots, commit->id, GIT_OID_RAWSZ) : NULL;

	return r ? r->rules : &no_rules;
}

/* The trust root's ancestors, itself included: taken as they are. */
/* The ancestors of a trust root outside the walk, read from git. */
static int mark_by_revwalk(secex_history *h)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	int rc = 0;

	if (git_revwalk_new(&walk, h->git) < 0 || git_revwalk_push(walk, &h->root) < 0) {
		git_revwalk_free(walk);
		return secex_repo_git_fail(SECEX_EREPO, "cannot walk the history of the trust root");
	}
	while (rc == 0 && git_revwalk_next(&oid, walk) == 0)
		rc = secex_map_put(&h->trusted, oid.id, GIT_OID_RAWSZ, h);
	git_revwalk_free(walk);
	return rc;
}

int secex_rules_mark_trusted(secex_history *h)
{
	secex_vec stack = SECEX_VEC_INIT;
	int rc;

	if (!h->root_pinned)
		return 0;
	if (!secex_map_get(&h->roots, h->root.id, GIT_OID_RAWSZ))
		return mark_by_revwalk(h);
	/* in the walk: its ancestors are, with their parents in pass 1's records */
	rc = secex_vec_push(&stack, &h->root);
	while (rc == 0 && stack.n) {
		const git_oid *oid = stack.items[--stack.n];
		const hist_roots *r = secex_map_get(&h->roots, oid->id, GIT_OID_RAWSZ);
		unsigned i;

		if (secex_map_get(&h->trusted, oid->id, GIT_OID_RAWSZ))
			continue;
		if (!r) {
			rc = secex_error_set(SECEX_EREPO, "an ancestor of the trust root was not walked");
			break;
		}
		rc = secex_map_put(&h->trusted, oid->id, GIT_OID_RAWSZ, h);
		for (i = 0; rc == 0 && i < r->nparents; i++)
			rc = secex_vec_push(&stack, held(&r->parents[i]));
	}
	secex_vec_release(&stack);
	return rc;
}

/* Loads a .secex/ file of the rules (parsed, checked against its schema); NULL when absent
 * or invalid. */
static int load_doc(secex_doc **out, secex_history *h, const hist_rules *r, const char *path, const char *schema_name)
{
	secex_diags scratch = SECEX_DIAGS_INIT;
	const secex_schema *schema;
	const git_oid *oid = secex_rules_blob(r, path);
	git_blob *b = NULL;
	bool valid = false;
	int rc;

	*out = NULL;
	if (!oid)
		return 0;
	if (git_blob_lookup(&b, h->git, oid) < 0)
		return secex_repo_git_missing(h->git, path);
	rc = secex_snapshot_builtin_schema(&schema, schema_name);
	if (rc == 0 && git_blob_rawsize(b) <= SECEX_MAX_FILE_SIZE)
		rc = secex_doc_parse(out, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), path, &scratch);
	if (rc == 0 && *out)
		rc = secex_schema_validate(&valid, schema, secex_doc_root(*out), path, NULL, NULL);
	if (rc < 0 || !valid) {
		secex_doc_free(*out);
		*out = NULL;
	}
	git_blob_free(b);
	secex_diag_release(&scratch);
	return rc;
}

/* The policy of the rules, cached by blob; the default when absent or invalid. */
int secex_rules_policy_of(const secex_policy **out, secex_history *h, const hist_rules *r)
{
	const git_oid *oid = secex_rules_blob(r, SECEX_POLICY_PATH);
	static const git_oid none;
	secex_diags scratch = SECEX_DIAGS_INIT;
	secex_policy *p = NULL;
	secex_doc *doc = NULL;
	int rc;

	if (!oid)
		oid = &none;
	if ((*out = secex_map_get(&h->policies, oid->id, GIT_OID_RAWSZ)))
		return 0;
	if ((rc = load_doc(&doc, h, r, SECEX_POLICY_PATH, "policy")) == 0 && doc) {
		rc = secex_policy_from_doc(&p, doc, SECEX_POLICY_PATH, &scratch);
		if (rc == 0 && scratch.n) {
			secex_policy_free(p);
			p = NULL;
		}
	}
	if (rc == 0 && !p)
		rc = secex_policy_default(&p);
	secex_diag_release(&scratch);
	if (rc == 0 && (rc = secex_vec_push(&h->owned_policies, p)) < 0)
		secex_policy_free(p);
	if (rc < 0)
		return rc;
	*out = p;
	return secex_map_put(&h->policies, oid->id, GIT_OID_RAWSZ, p);
}
