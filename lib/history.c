/* One walk over the history: changed trees only, each blob parsed once, exceptions by id. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>
#include "secex/history.h"
#include "secex/snapshot.h"
#include "history_int.h"
#include "repo_int.h"
#include "banned.h"

/* One changed file between two trees. */
typedef struct {
	char *path;
	git_oid old_oid, new_oid;
	bool has_old, has_new;
} tree_change;

/* One exception's change between two trees, paired by id across renames. */
typedef struct {
	hist_id *rec;
	secex_facts *old, *new;
	char *old_path, *new_path; /* owned */
	git_oid old_oid, new_oid;
	bool has_old, has_new;
} id_change;

static bool data_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

static int push_change(secex_vec *out, const char *prefix, const char *name,
		       const git_tree_entry *old, const git_tree_entry *new)
{
	tree_change *c = calloc(1, sizeof(*c));
	secex_buf path = SECEX_BUF_INIT;

	if (!c || secex_buf_printf(&path, "%s%s", prefix, name) < 0) {
		free(c);
		return secex_error_set(SECEX_ENOMEM, "out of memory");
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
static int tree_get(git_tree **out, secex_history *h, const git_oid *oid)
{
	size_t slot = (size_t)secex_hash(oid->id, GIT_OID_RAWSZ) % HIST_TREE_CACHE;

	if (h->trees[slot] && git_oid_equal(git_tree_id(h->trees[slot]), oid)) {
		*out = h->trees[slot];
		return 0;
	}
	if (git_tree_lookup(out, h->git, oid) < 0)
		return secex_git_missing(h->git, "a tree");
	git_tree_free(h->trees[slot]);
	h->trees[slot] = *out;
	return 0;
}

/* A reference of the caller's own to a cached tree (a nested read may evict the slot). */
static int tree_hold(git_tree **out, secex_history *h, const git_oid *oid)
{
	git_tree *t;
	int rc;

	*out = NULL;
	if (!oid)
		return 0;
	if ((rc = tree_get(&t, h, oid)) < 0)
		return rc;
	return git_tree_dup(out, t) < 0 ? secex_git_fail(SECEX_EREPO, "cannot hold a tree") : 0;
}

static int diff_trees(secex_vec *out, secex_history *h, const git_oid *a, const git_oid *b,
		      const char *prefix, bool all_files, int depth);

static int diff_entry(secex_vec *out, secex_history *h, const git_tree_entry *old,
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
		rc = diff_trees(out, h, is_tree(old) ? git_tree_entry_id(old) : NULL,
				is_tree(new) ? git_tree_entry_id(new) : NULL, sub.ptr, all_files, depth + 1);
		secex_buf_release(&sub);
	}
	if (rc == 0 && (is_blob(old) || is_blob(new)) && (all_files || data_name(name)))
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
static int diff_trees(secex_vec *out, secex_history *h, const git_oid *a, const git_oid *b,
		      const char *prefix, bool all_files, int depth)
{
	git_tree *ta = NULL, *tb = NULL;
	size_t i = 0, k = 0, na, nb;
	int rc = 0;

	if (depth > 64)
		return secex_error_set(SECEX_EREPO, "trees under '%s' nest deeper than 64 levels", prefix);
	if ((rc = tree_hold(&ta, h, a)) < 0 || (rc = tree_hold(&tb, h, b)) < 0) {
		git_tree_free(ta);
		return rc;
	}
	na = ta ? git_tree_entrycount(ta) : 0;
	nb = tb ? git_tree_entrycount(tb) : 0;
	while (rc == 0 && (i < na || k < nb)) {
		const git_tree_entry *ea = i < na ? git_tree_entry_byindex(ta, i) : NULL;
		const git_tree_entry *eb = k < nb ? git_tree_entry_byindex(tb, k) : NULL;
		int cmp = !ea ? 1 : !eb ? -1 : entry_cmp(ea, eb);

		rc = diff_entry(out, h, cmp <= 0 ? ea : NULL, cmp >= 0 ? eb : NULL, prefix, all_files, depth);
		i += cmp <= 0;
		k += cmp >= 0;
	}
	git_tree_free(ta);
	git_tree_free(tb);
	return rc;
}

static void free_changes(secex_vec *changes)
{
	size_t i;

	for (i = 0; i < changes->n; i++) {
		free(((tree_change *)changes->items[i])->path);
		free(changes->items[i]);
	}
	secex_vec_release(changes);
}

/* The id of the subtree at dir in the commit's tree; false when there is none. */
static bool subtree_id(git_oid *out, const git_commit *commit, const char *dir)
{
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	bool found = false;

	if (git_commit_tree(&tree, commit) < 0)
		return false;
	if (git_tree_entry_bypath(&e, tree, dir) == 0 && is_tree(e)) {
		git_oid_cpy(out, git_tree_entry_id(e));
		found = true;
	}
	git_tree_entry_free(e);
	git_tree_free(tree);
	return found;
}

/* The ids of a commit's exceptions directory and .secex/, read once per commit. */
typedef struct {
	git_oid exc, secex;
	bool has_exc, has_secex;
} roots;

static int compute_roots(roots *r, secex_history *h, const git_oid *commit)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (git_commit_lookup(&c, h->git, commit) < 0 || git_commit_tree(&tree, c) < 0) {
		rc = secex_git_fail(SECEX_EREPO, "cannot read a commit or its tree (corrupt object?)");
		goto cleanup;
	}
	if (git_tree_entry_bypath(&e, tree, h->policy->exceptions_dir) == 0 && is_tree(e)) {
		git_oid_cpy(&r->exc, git_tree_entry_id(e));
		r->has_exc = true;
	}
	git_tree_entry_free(e);
	e = NULL;
	if (git_tree_entry_bypath(&e, tree, ".secex") == 0 && is_tree(e)) {
		git_oid_cpy(&r->secex, git_tree_entry_id(e));
		r->has_secex = true;
	}
cleanup:
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

/* The roots of a commit: cached, since every commit is a parent again later. */
static int roots_of(roots *out, secex_history *h, const git_oid *commit)
{
	roots *r = secex_map_get(&h->roots, commit->id, GIT_OID_RAWSZ);
	int rc;

	if (r) {
		*out = *r;
		return 0;
	}
	if ((rc = compute_roots(out, h, commit)) < 0)
		return rc;
	if (!(r = secex_arena_alloc(&h->arena, sizeof(*r))))
		return secex_error_set(SECEX_ENOMEM, "out of memory");
	*r = *out;
	return secex_map_put(&h->roots, commit->id, GIT_OID_RAWSZ, r);
}

bool hist_in_range(const secex_history *h, const git_oid *commit)
{
	return !h->opts.since || secex_map_get(&h->range, commit->id, GIT_OID_RAWSZ);
}

static int facts_for(secex_facts **out, secex_history *h, const git_oid *oid, const char *path)
{
	git_odb_object *obj = NULL;
	git_object_t type;
	size_t size;
	int rc;

	if ((*out = secex_map_get(&h->facts, oid->id, GIT_OID_RAWSZ)))
		return 0;
	if (git_odb_read_header(&size, &type, h->odb, oid) < 0)
		return secex_git_missing(h->git, "an exception file's blob");
	if (size > SECEX_MAX_FILE_SIZE) {
		if (!(*out = secex_arena_alloc(&h->arena, sizeof(**out))))
			return secex_error_set(SECEX_ENOMEM, "out of memory");
		(*out)->problem_code = "SX107";
		(*out)->problem = "file is more than the limit of 1 MiB";
	} else if (git_odb_read(&obj, h->odb, oid) < 0) {
		return secex_git_missing(h->git, "an exception file's blob");
	} else {
		rc = secex_facts_parse(out, &h->arena, h->policy, git_odb_object_data(obj),
				       git_odb_object_size(obj), path);
		git_odb_object_free(obj);
		if (rc < 0)
			return rc;
	}
	return secex_map_put(&h->facts, oid->id, GIT_OID_RAWSZ, *out);
}

static int id_record(hist_id **out, secex_history *h, const char *id)
{
	if ((*out = secex_map_get(&h->ids, id, strlen(id))))
		return 0;
	if (!(*out = secex_arena_alloc(&h->arena, sizeof(**out))) ||
	    !((*out)->id = secex_arena_strndup(&h->arena, id, strlen(id))))
		return secex_error_set(SECEX_ENOMEM, "out of memory");
	return secex_map_put(&h->ids, id, strlen(id), *out);
}

static int report_problem(secex_history *h, const git_oid *blob, const secex_facts *f,
			  const char *path, const git_oid *commit)
{
	char hex[GIT_OID_HEXSZ + 1];

	if (!h->opts.audit || !hist_in_range(h, commit) || secex_map_get(&h->reported, blob->id, GIT_OID_RAWSZ))
		return 0;
	if (secex_map_put(&h->reported, blob->id, GIT_OID_RAWSZ, h) < 0)
		return SECEX_ENOMEM;
	git_oid_tostr(hex, sizeof(hex), commit);
	return secex_diags_add(h->diags, f->problem_code, path, f->problem_line, f->problem_column, NULL, hex,
			       "%s (in commit %.12s; the history is judged around it: fix the file in a new "
			       "commit)", f->problem, hex);
}

/* Finds or makes the id_change for id in list. */
static id_change *change_for(secex_vec *list, hist_id *rec)
{
	id_change *c;
	size_t i;

	for (i = 0; i < list->n; i++)
		if (((id_change *)list->items[i])->rec == rec)
			return list->items[i];
	if (!(c = calloc(1, sizeof(*c))) || secex_vec_push(list, c) < 0) {
		free(c);
		return NULL;
	}
	c->rec = rec;
	return c;
}

static int pair_side(secex_vec *out, secex_history *h, const tree_change *tc, bool new_side,
		     secex_facts *f, secex_facts *other)
{
	const char *id = f->loaded ? f->value[SECEX_F_ID] : NULL;
	char *copy;
	hist_id *rec;
	id_change *c;
	int rc;

	if (!id && other && other->loaded) /* unparsable at one end: the path tells the id */
		id = other->value[SECEX_F_ID];
	if (!id)
		return 0;
	if ((rc = id_record(&rec, h, id)) < 0)
		return rc;
	if (!(c = change_for(out, rec)))
		return secex_error_set(SECEX_ENOMEM, "out of memory");
	if (!(copy = strdup(tc->path)))
		return secex_error_set(SECEX_ENOMEM, "out of memory");
	if (new_side) {
		free(c->new_path);
		c->new_path = copy;
		c->new = f;
		c->new_oid = tc->new_oid;
		c->has_new = true;
	} else {
		free(c->old_path);
		c->old_path = copy;
		c->old = f;
		c->old_oid = tc->old_oid;
		c->has_old = true;
	}
	return 0;
}

/* Turns file changes into exception changes paired by id (renames and moves). */
static int pair_by_id(secex_vec *out, secex_history *h, const secex_vec *changes, const git_oid *commit,
		      bool report)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < changes->n; i++) {
		const tree_change *tc = changes->items[i];
		secex_facts *old = NULL, *new = NULL;

		if (tc->has_old && (rc = facts_for(&old, h, &tc->old_oid, tc->path)) < 0)
			break;
		if (tc->has_new && (rc = facts_for(&new, h, &tc->new_oid, tc->path)) < 0)
			break;
		if (new && !new->loaded && report)
			rc = report_problem(h, &tc->new_oid, new, tc->path, commit);
		if (rc == 0 && old)
			rc = pair_side(out, h, tc, false, old, new);
		if (rc == 0 && new)
			rc = pair_side(out, h, tc, true, new, old);
	}
	return rc;
}

static void free_id_changes(secex_vec *list)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		id_change *c = list->items[i];

		free(c->old_path);
		free(c->new_path);
		free(c);
	}
	secex_vec_release(list);
}

/* The exception changes from parent (NULL: an empty tree) to commit. */
static int id_changes(secex_vec *out, secex_history *h, const roots *parent, const roots *mine,
		      const git_commit *commit, bool report)
{
	const char *dir = h->policy->exceptions_dir;
	secex_vec files = SECEX_VEC_INIT;
	secex_buf prefix = SECEX_BUF_INIT;
	int rc;

	if (secex_buf_printf(&prefix, "%s/", dir) < 0)
		return SECEX_ENOMEM;
	rc = diff_trees(&files, h, parent && parent->has_exc ? &parent->exc : NULL,
			mine->has_exc ? &mine->exc : NULL, prefix.ptr, false, 0);
	if (rc == 0)
		rc = pair_by_id(out, h, &files, git_commit_id(commit), report);
	free_changes(&files);
	secex_buf_release(&prefix);
	return rc;
}

static bool same_version(const id_change *c)
{
	return c->has_old && c->has_new && git_oid_equal(&c->old_oid, &c->new_oid);
}

/* Whether the merge's version of rec equals what some other parent had. */
static bool from_other_parent(const secex_vec *others, size_t nothers, const id_change *c0,
			      const id_change **olds)
{
	size_t i, k;

	for (i = 0; i < nothers; i++) {
		const id_change *ci = NULL;

		for (k = 0; k < others[i].n; k++)
			if (((id_change *)others[i].items[k])->rec == c0->rec)
				ci = others[i].items[k];
		if (!ci || same_version(ci))
			return true;
		olds[i] = ci;
	}
	return false;
}

static unsigned count_people(const secex_facts *f, const secex_facts *old, const id_change **olds, size_t n)
{
	const char *seen[16];
	unsigned count = 0;
	size_t i, k, j;

	for (i = 0; i < f->napprovals; i++) {
		const secex_approval_fact *a = &f->approvals[i];
		bool fresh = !hist_facts_has(old, a->digest), dup = false;

		for (k = 0; k < n && fresh; k++)
			fresh = !(olds[k]->has_old && hist_facts_has(olds[k]->old, a->digest));
		for (j = 0; j < count && j < 16; j++)
			dup = dup || (a->by && seen[j] && strcmp(seen[j], a->by) == 0);
		if (fresh && !dup && count < 16)
			seen[count++] = a->by;
	}
	return count;
}

static int record_intros(secex_history *h, const git_commit *commit, const id_change *c,
			 const secex_facts *old, const id_change **olds, size_t nolds)
{
	unsigned people = count_people(c->new, old, olds, nolds);
	size_t i, k;

	for (i = 0; i < c->new->napprovals; i++) {
		const secex_approval_fact *a = &c->new->approvals[i];
		hist_intro *in;
		bool fresh = !hist_facts_has(old, a->digest);

		for (k = 0; k < nolds && fresh; k++)
			fresh = !(olds[k]->has_old && hist_facts_has(olds[k]->old, a->digest));
		if (!fresh)
			continue;
		if (!(in = secex_arena_alloc(&h->arena, sizeof(*in))))
			return secex_error_set(SECEX_ENOMEM, "out of memory");
		memcpy(in->entry, a->digest, SECEX_DIGEST_SIZE);
		git_oid_cpy(&in->commit, git_commit_id(commit));
		in->at = c->new;
		in->ordinal = h->ordinal;
		in->people = people;
		in->next = c->rec->intros;
		c->rec->intros = in;
	}
	return 0;
}

static bool reviewed_status(const char *s)
{
	return s && (strcmp(s, "in-review") == 0 || strcmp(s, "needs-info") == 0 || strcmp(s, "approved") == 0 ||
		     strcmp(s, "denied") == 0);
}

static void note_review(hist_id *rec, const secex_facts *new, const secex_facts *old, int64_t when)
{
	if (!rec->added)
		rec->added = when;
	if (!rec->reviewed && (reviewed_status(new->value[SECEX_F_STATUS]) ||
			       new->napprovals > (old ? old->napprovals : 0)))
		rec->reviewed = when;
}

/* Judges and records one exception change the commit introduced. */
static int apply_change(secex_history *h, git_commit *commit, id_change *c, const id_change **olds,
			size_t nolds)
{
	secex_facts *old = c->has_old ? c->old : NULL;
	hist_change hc = { commit, c->has_new ? c->new_path : c->old_path, c->rec, NULL, NULL, !c->has_old };
	int rc = 0;

	if (old && !old->loaded)
		old = c->rec->last;
	if (c->has_new && !c->new->loaded)
		return 0; /* reported; judged against the last good version once fixed */
	hc.old = old;
	hc.new = c->has_new ? c->new : NULL;
	if (hist_in_range(h, git_commit_id(commit)))
		c->rec->changed_in_range = true;
	if (h->opts.audit && hist_in_range(h, git_commit_id(commit)) && (hc.old || hc.new))
		rc = hist_audit_change(h, &hc);
	if (rc == 0 && h->opts.timeline && strcmp(h->opts.timeline, c->rec->id) == 0 && (hc.old || hc.new))
		rc = hist_timeline_change(h, &hc);
	if (rc == 0 && c->has_new)
		rc = record_intros(h, commit, c, old, olds, nolds);
	if (c->has_new)
		note_review(c->rec, c->new, hc.old, git_commit_time(commit));
	if (c->has_new)
		c->rec->last = c->new;
	c->rec->seen = true;
	return rc;
}

/* r[0] is the commit's roots, r[1..n] its parents'. */
/* A file moved without a change of content: only the timeline records it. */
static int timeline_move(secex_history *h, git_commit *commit, const id_change *c)
{
	hist_change hc = { commit, c->new_path, c->rec, c->old, c->new, false };

	if (!c->old_path || !c->new_path || strcmp(c->old_path, c->new_path) == 0 || !c->new->loaded)
		return 0;
	return hist_timeline_move(h, &hc, c->old_path);
}

static int exceptions_changed(secex_history *h, git_commit *commit, const roots *r, size_t n)
{
	secex_vec first = SECEX_VEC_INIT, *others = n > 1 ? calloc(n - 1, sizeof(*others)) : NULL;
	const id_change **olds = n > 1 ? calloc(n - 1, sizeof(*olds)) : NULL;
	size_t i;
	int rc;

	if (n > 1 && (!others || !olds)) {
		rc = secex_error_set(SECEX_ENOMEM, "out of memory");
		goto cleanup;
	}
	rc = id_changes(&first, h, n ? &r[1] : NULL, &r[0], commit, true);
	for (i = 1; rc == 0 && i < n; i++)
		rc = id_changes(&others[i - 1], h, &r[i + 1], &r[0], commit, false);
	for (i = 0; rc == 0 && i < first.n; i++) {
		id_change *c = first.items[i];

		if (same_version(c) && n <= 1 && h->opts.timeline && strcmp(h->opts.timeline, c->rec->id) == 0)
			rc = timeline_move(h, commit, c);
		else if (!same_version(c) && !(n > 1 && from_other_parent(others, n - 1, c, olds)))
			rc = apply_change(h, commit, c, olds, n > 1 ? n - 1 : 0);
	}
cleanup:
	for (i = 0; others && i + 1 < n; i++)
		free_id_changes(&others[i]);
	free(others);
	free(olds);
	free_id_changes(&first);
	return rc;
}

/* Whether parent k of commit has path with the given blob (or, with blob NULL, lacks it). */
static bool parent_has(git_commit *commit, unsigned k, const char *path, const git_oid *blob)
{
	git_commit *p = NULL;
	git_tree *t = NULL;
	git_tree_entry *e = NULL;
	bool found = git_commit_parent(&p, commit, k) == 0 && git_commit_tree(&t, p) == 0 &&
		     git_tree_entry_bypath(&e, t, path) == 0;
	bool same = blob ? found && git_oid_equal(git_tree_entry_id(e), blob) : !found;

	git_tree_entry_free(e);
	git_tree_free(t);
	git_commit_free(p);
	return same;
}

/* The .secex/ files a commit introduced that none of its parents had. */
static int secex_changed(secex_history *h, git_commit *commit, const roots *r, size_t n)
{
	secex_vec files = SECEX_VEC_INIT, introduced = SECEX_VEC_INIT;
	size_t i, k;
	int rc;

	rc = diff_trees(&files, h, n && r[1].has_secex ? &r[1].secex : NULL, r[0].has_secex ? &r[0].secex : NULL,
			".secex/", true, 0);
	for (i = 0; rc == 0 && i < files.n; i++) {
		tree_change *tc = files.items[i];
		bool had = false;

		for (k = 1; k < n && !had; k++)
			had = parent_has(commit, (unsigned)k, tc->path, tc->has_new ? &tc->new_oid : NULL);
		if (!had)
			rc = secex_vec_push(&introduced, tc->path);
	}
	if (rc == 0 && !h->root_known && r[0].has_secex) {
		git_oid_cpy(&h->root, git_commit_id(commit));
		h->root_known = true;
	}
	if (rc == 0 && introduced.n && h->opts.audit && hist_in_range(h, git_commit_id(commit)))
		rc = hist_audit_governance(h, commit, &introduced);
	secex_vec_release(&introduced);
	free_changes(&files);
	return rc;
}

/* Whether the commit's subtree (exceptions or .secex) differs from every parent's. */
static bool introduces(const roots *r, size_t n, bool secex)
{
	size_t i;

	for (i = 1; i <= n; i++) {
		bool a = secex ? r[0].has_secex : r[0].has_exc, b = secex ? r[i].has_secex : r[i].has_exc;
		const git_oid *x = secex ? &r[0].secex : &r[0].exc, *y = secex ? &r[i].secex : &r[i].exc;

		if (a == b && (!a || git_oid_equal(x, y)))
			return false;
	}
	return secex ? r[0].has_secex || n : r[0].has_exc || n;
}

static int visit(secex_history *h, git_commit *commit)
{
	size_t n = git_commit_parentcount(commit), i;
	roots *r = calloc(n + 1, sizeof(*r));
	int rc;

	if (!r)
		return secex_error_set(SECEX_ENOMEM, "out of memory");
	rc = roots_of(&r[0], h, git_commit_id(commit));
	for (i = 0; rc == 0 && i < n; i++)
		rc = roots_of(&r[i + 1], h, git_commit_parent_id(commit, (unsigned)i));
	if (rc == 0 && introduces(r, n, false))
		rc = exceptions_changed(h, commit, r, n);
	if (rc == 0 && introduces(r, n, true))
		rc = secex_changed(h, commit, r, n);
	free(r);
	h->ordinal++;
	return rc;
}

static int resolve(git_oid *out, secex_history *h, const char *rev, const char *what)
{
	git_object *obj = NULL;
	git_commit *c = NULL;
	int rc = 0;

	if (git_revparse_single(&obj, h->git, rev) < 0 || git_object_peel((git_object **)&c, obj, GIT_OBJECT_COMMIT) < 0)
		rc = secex_error_set(SECEX_EINVALID, "%s '%s' is not a commit in this repository; "
				     "give a branch, tag or commit id", what, rev);
	else
		git_oid_cpy(out, git_commit_id(c));
	git_commit_free(c);
	git_object_free(obj);
	return rc;
}

/* The commits in head but not in since: the audited range. */
static int mark_range(secex_history *h, const git_oid *head)
{
	git_revwalk *walk = NULL;
	git_oid since, oid;
	int rc;

	if ((rc = resolve(&since, h, h->opts.since, "--since/--base")) < 0)
		return rc;
	if (git_revwalk_new(&walk, h->git) < 0 || git_revwalk_push(walk, head) < 0 || git_revwalk_hide(walk, &since) < 0) {
		git_revwalk_free(walk);
		return secex_git_fail(SECEX_EREPO, "cannot walk the history");
	}
	while (rc == 0 && git_revwalk_next(&oid, walk) == 0)
		rc = secex_map_put(&h->range, oid.id, GIT_OID_RAWSZ, h);
	git_revwalk_free(walk);
	return rc;
}

static int walk_all(secex_history *h, const git_oid *head)
{
	git_revwalk *walk = NULL;
	git_commit *commit = NULL;
	git_oid oid;
	int rc = 0, next;

	if (git_revwalk_new(&walk, h->git) < 0 || git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(walk, head) < 0) {
		git_revwalk_free(walk);
		return secex_git_fail(SECEX_EREPO, "cannot walk the history");
	}
	while (rc == 0 && (next = git_revwalk_next(&oid, walk)) == 0) {
		if (git_commit_lookup(&commit, h->git, &oid) < 0)
			rc = secex_git_fail(SECEX_EREPO, "cannot read a commit (corrupt object?)");
		else
			rc = visit(h, commit);
		git_commit_free(commit);
		commit = NULL;
	}
	if (rc == 0 && next != GIT_ITEROVER)
		rc = secex_git_fail(SECEX_EREPO, "the history walk stopped early (corrupt or missing object)");
	git_revwalk_free(walk);
	return rc;
}

static int shallow(secex_history *h)
{
	return secex_diags_add(h->diags, "SX305", NULL, 0, 0, NULL, NULL,
			       "the repository is a shallow clone, so its history cannot be audited; fetch "
			       "all of it with 'git fetch --unshallow' (GitHub Actions: actions/checkout with "
			       "'fetch-depth: 0'; GitLab CI: GIT_DEPTH: 0)");
}

/* The trust root: --trust-root, else SECEX_TRUST_ROOT, else git config secex.trustRoot
 * (what a server sets for its pre-receive hook). */
static int setup_root(secex_history *h)
{
	const char *rev = h->opts.trust_root ? h->opts.trust_root : getenv("SECEX_TRUST_ROOT");
	secex_buf config = SECEX_BUF_INIT;
	int rc = 0;

	if ((!rev || !*rev) && secex_repo_config_string(&config, h->repo, "secex.trustRoot") == 0)
		rev = secex_buf_cstr(&config);
	secex_error_clear();
	if (rev && *rev && (rc = resolve(&h->root, h, rev, "trust root")) == 0)
		h->root_known = h->root_pinned = true;
	secex_buf_release(&config);
	return rc;
}

static int checkpoint(secex_history *h, const git_oid *head)
{
	git_oid cp;
	git_commit *c = NULL;
	bool ok = git_oid_fromstrn(&cp, h->opts.checkpoint, strlen(h->opts.checkpoint)) == 0 &&
		  strlen(h->opts.checkpoint) == GIT_OID_HEXSZ && git_commit_lookup(&c, h->git, &cp) == 0 &&
		  (git_oid_equal(&cp, head) || git_graph_descendant_of(h->git, head, &cp) == 1);

	git_commit_free(c);
	if (ok) {
		h->opts.since = h->opts.checkpoint;
		return 0;
	}
	h->opts.since = NULL;
	return secex_diags_add(h->diags, "SX304", NULL, 0, 0, NULL, h->head, "the checkpoint commit %.40s is "
			       "no longer in the history of %.12s: history was rewritten since the last audit; "
			       "find out who force-pushed and why, then audit everything (done now) and keep the "
			       "new checkpoint", h->opts.checkpoint, h->head);
}

static int start(secex_history *h, git_oid *head)
{
	const char *rev = h->opts.head ? h->opts.head : "HEAD";
	int rc;

	if (git_repository_odb(&h->odb, h->git) < 0)
		return secex_git_fail(SECEX_EREPO, "cannot open the object database");
	if (git_repository_head_unborn(h->git) == 1 && !h->opts.head)
		return secex_error_set(SECEX_ENOTFOUND, "the repository has no commits yet; commit the "
				       "exceptions first (secex validate checks uncommitted files)");
	if ((rc = resolve(head, h, rev, "revision")) < 0 || (rc = setup_root(h)) < 0)
		return rc;
	git_oid_tostr(h->head, sizeof(h->head), head);
	if (h->opts.checkpoint && (rc = checkpoint(h, head)) < 0)
		return rc;
	if (h->opts.since && (rc = mark_range(h, head)) < 0)
		return rc;
	return 0;
}

int secex_history_walk(secex_history **out, secex_repo *repo, const secex_policy *policy,
		       const secex_history_options *opts, secex_diags *diags)
{
	secex_history_options defaults = SECEX_HISTORY_OPTIONS_INIT;
	secex_history *h = calloc(1, sizeof(*h));
	git_oid head;
	int rc;

	*out = NULL;
	if (!h)
		return secex_error_set(SECEX_ENOMEM, "out of memory");
	h->repo = repo;
	h->git = secex_repo_git(repo);
	h->policy = policy;
	h->opts = opts ? *opts : defaults;
	h->diags = diags;
	if (git_repository_is_shallow(h->git) == 1) {
		*out = h;
		return shallow(h);
	}
	if ((rc = start(h, &head)) == 0 && (rc = walk_all(h, &head)) == 0 && h->opts.audit)
		rc = hist_audit_finish(h);
	if (rc < 0) {
		secex_history_free(h);
		return rc;
	}
	*out = h;
	return 0;
}

const char *secex_history_head(const secex_history *h)
{
	return h->head;
}

bool secex_history_changed(const secex_history *h, const char *id)
{
	const hist_id *rec = secex_map_get(&h->ids, id, strlen(id));

	return rec && rec->changed_in_range;
}

bool secex_history_review_times(const secex_history *h, const char *id, int64_t *added, int64_t *reviewed)
{
	const hist_id *rec = secex_map_get(&h->ids, id, strlen(id));

	*added = rec ? rec->added : 0;
	*reviewed = rec ? rec->reviewed : 0;
	return rec && rec->added;
}

static int first_parent_line(secex_history *h)
{
	git_commit *c = NULL, *next = NULL;
	git_oid head;
	size_t cap = 0;
	int rc = 0;

	if (git_oid_fromstr(&head, h->head) < 0 || git_commit_lookup(&c, h->git, &head) < 0)
		return secex_git_fail(SECEX_EREPO, "cannot read the head commit");
	while (c && rc == 0) {
		if (h->nline == cap) {
			git_oid *l = realloc(h->line, (cap = cap ? cap * 2 : 64) * sizeof(*l));
			int64_t *t = l ? realloc(h->line_time, cap * sizeof(*t)) : NULL;

			if (l)
				h->line = l;
			if (!l || !t)
				rc = secex_error_set(SECEX_ENOMEM, "out of memory");
			else
				h->line_time = t;
		}
		if (rc == 0) {
			git_oid_cpy(&h->line[h->nline], git_commit_id(c));
			h->line_time[h->nline++] = git_commit_time(c);
		}
		next = NULL;
		if (git_commit_parentcount(c) && git_commit_parent(&next, c, 0) < 0)
			rc = secex_git_fail(SECEX_EREPO, "cannot read a parent commit");
		git_commit_free(c);
		c = next;
	}
	git_commit_free(c);
	return rc;
}

static int each_file(secex_history *h, git_commit *commit, secex_facts_fn fn, void *payload)
{
	secex_vec files = SECEX_VEC_INIT;
	secex_buf prefix = SECEX_BUF_INIT;
	git_oid tree;
	size_t i;
	int rc = 0;

	if (!subtree_id(&tree, commit, h->policy->exceptions_dir))
		return 0;
	if (secex_buf_printf(&prefix, "%s/", h->policy->exceptions_dir) < 0)
		return SECEX_ENOMEM;
	rc = diff_trees(&files, h, NULL, &tree, prefix.ptr, false, 0);
	for (i = 0; rc == 0 && i < files.n; i++) {
		const tree_change *tc = files.items[i];
		secex_facts *f;

		if ((rc = facts_for(&f, h, &tc->new_oid, tc->path)) == 0)
			rc = fn(f, tc->path, payload);
	}
	free_changes(&files);
	secex_buf_release(&prefix);
	return rc;
}

int secex_history_each_at(secex_history *h, int64_t t, secex_facts_fn fn, void *payload)
{
	git_commit *c = NULL;
	size_t i;
	int rc;

	if (!*h->head)
		return 0;
	if (!h->nline && (rc = first_parent_line(h)) < 0)
		return rc;
	for (i = 0; i < h->nline && h->line_time[i] > t; i++)
		;
	if (i == h->nline)
		return 0;
	if (git_commit_lookup(&c, h->git, &h->line[i]) < 0)
		return secex_git_fail(SECEX_EREPO, "cannot read a commit");
	rc = each_file(h, c, fn, payload);
	git_commit_free(c);
	return rc;
}

static void free_owned(secex_history *h)
{
	size_t i;

	for (i = 0; i < h->owned.n; i++) {
		hist_roster *r = h->owned.items[i];
		size_t k;

		for (k = 0; k < r->nkeys; k++)
			secex_ssh_key_release(&r->keys[k].ssh);
		free(r->keys);
		secex_roster_free(r->roster);
		free(r);
	}
	secex_vec_release(&h->owned);
	for (i = 0; i < h->sigs.cap; i++)
		if (h->sigs.slots[i].key) {
			secex_buf_release(&((hist_sig *)h->sigs.slots[i].value)->key);
			free(h->sigs.slots[i].value);
		}
}

void secex_history_free(secex_history *h)
{
	size_t i;

	if (!h)
		return;
	free_owned(h);
	hist_timeline_free(h);
	free(h->line);
	free(h->line_time);
	for (i = 0; i < HIST_TREE_CACHE; i++)
		git_tree_free(h->trees[i]);
	for (i = 0; i < h->pending.n; i++) {
		hist_pending *p = h->pending.items[i];

		free(p->path);
		free(p->message);
		free(p);
	}
	secex_vec_release(&h->pending);
	secex_map_release(&h->facts);
	secex_map_release(&h->ids);
	secex_map_release(&h->sigs);
	secex_map_release(&h->rosters);
	secex_map_release(&h->roots);
	secex_map_release(&h->range);
	secex_map_release(&h->reported);
	secex_map_release(&h->keyring_fprs);
	secex_openpgp_keyring_free(h->keyring);
	git_odb_free(h->odb);
	secex_arena_release(&h->arena);
	free(h);
}
