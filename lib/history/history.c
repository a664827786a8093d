/* One walk over the history: changed trees only, each blob parsed once, exceptions by id. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>
#include "secex/history.h"
#include "secex/snapshot.h"
#include "history_int.h"
#include "../git/repo_int.h"
#include "secex/path.h"
#include "secex/sig.h"
#include "secex/banned.h"

/* One exception's change between two trees, paired by id across renames. */
typedef struct {
	hist_id *rec;
	secex_facts *old, *new;
	char *old_path, *new_path; /* owned */
	git_oid old_oid, new_oid;
	bool has_old, has_new;
} id_change;

/* The id of the subtree at dir in the commit's tree; false when there is none. */
static bool subtree_id(git_oid *out, const git_commit *commit, const char *dir)
{
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	bool found = false;

	if (git_commit_tree(&tree, commit) < 0)
		return false;
	if (git_tree_entry_bypath(&e, tree, dir) == 0 && git_tree_entry_type(e) == GIT_OBJECT_TREE) {
		git_oid_cpy(out, git_tree_entry_id(e));
		found = true;
	}
	git_tree_entry_free(e);
	git_tree_free(tree);
	return found;
}

bool secex_history_in_range(const secex_history *h, const git_oid *commit)
{
	return !h->opts.since || secex_map_get(&h->range, commit->id, GIT_OID_RAWSZ);
}

/* The facts of a blob: held already, read ahead by the reader process, from the cache or
 * parsed. */
static int facts_for(secex_facts **out, secex_history *h, const git_oid *oid, const char *path)
{
	secex_arena scratch = SECEX_ARENA_INIT, *unused;
	secex_facts *got;
	hist_facts *entry;
	bool fresh = false;
	int rc = 0;

	if ((*out = secex_facts_find(&h->facts, oid)))
		return 0;
	if (!(got = secex_prefetch_facts(h, oid, &fresh)))
		rc = secex_facts_read(&got, &fresh, &h->io, oid, path, &scratch);
	if (rc == 0 && (rc = secex_facts_add(&entry, &unused, &h->facts, oid)) == 0 &&
	    (rc = secex_facts_set(out, entry, got)) == 0 && fresh)
		rc = secex_facts_keep(&h->io, oid, *out);
	secex_arena_release(&scratch);
	return rc;
}

static int id_record(hist_id **out, secex_history *h, const char *id)
{
	if ((*out = secex_map_get(&h->ids, id, strlen(id))))
		return 0;
	if (!(*out = secex_arena_alloc(&h->arena, sizeof(**out))) ||
	    !((*out)->id = secex_arena_strndup(&h->arena, id, strlen(id))))
		return secex_error_nomem();
	return secex_map_put(&h->ids, id, strlen(id), *out);
}

static int report_problem(secex_history *h, const git_oid *blob, const secex_facts *f,
			  const char *path, const git_oid *commit)
{
	char hex[GIT_OID_HEXSZ + 1];

	if (!h->opts.audit || !secex_history_in_range(h, commit) || secex_map_get(&h->reported, blob->id, GIT_OID_RAWSZ))
		return 0;
	if (secex_map_put(&h->reported, blob->id, GIT_OID_RAWSZ, h) < 0)
		return SECEX_ENOMEM;
	git_oid_tostr(hex, sizeof(hex), commit);
	return secex_diag_add(h->diags, f->problem_code, path, f->problem_line, f->problem_column, NULL, hex,
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
		return secex_error_nomem();
	if (!(copy = strdup(tc->path)))
		return secex_error_nomem();
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
static int id_changes(secex_vec *out, secex_history *h, const hist_roots *parent, const hist_roots *mine,
		      const git_oid *commit, bool report)
{
	const git_oid *a = parent && parent->has_exc ? &parent->exc : NULL, *b = mine->has_exc ? &mine->exc : NULL;
	secex_vec files = SECEX_VEC_INIT;
	secex_buf prefix = SECEX_BUF_INIT;
	int rc = 0;

	if (secex_buf_printf(&prefix, "%s/", h->policy->exceptions_dir) < 0)
		return SECEX_ENOMEM;
	if (!secex_prefetch_diff(&files, h, a, b))
		rc = secex_diff_exc_files(&files, &h->io, a, b, prefix.ptr);
	if (rc == 0)
		rc = pair_by_id(out, h, &files, commit, report);
	secex_diff_free(&files);
	secex_buf_release(&prefix);
	return rc;
}

static bool same_version(const id_change *c)
{
	return c->has_old && c->has_new && git_oid_equal(&c->old_oid, &c->new_oid);
}

/* One version of an exception: absent, or a blob (with its facts and path). */
typedef struct {
	bool has;
	git_oid oid;
	secex_facts *facts;
	const char *path;
} version;

static bool same(const version *a, const version *b)
{
	return a->has == b->has && (!a->has || git_oid_equal(&a->oid, &b->oid));
}

static void old_side(version *v, const id_change *c)
{
	v->has = c->has_old;
	v->oid = c->old_oid;
	v->facts = c->old;
	v->path = c->old_path;
}

static void new_side(version *v, const id_change *c)
{
	v->has = c->has_new;
	v->oid = c->new_oid;
	v->facts = c->new;
	v->path = c->new_path;
}

static const id_change *find_change(const secex_vec *list, const hist_id *rec)
{
	size_t k;

	for (k = 0; k < list->n; k++)
		if (((const id_change *)list->items[k])->rec == rec)
			return list->items[k];
	return NULL;
}

/* The version list (the changes from some tree to the commit) implies: its old side when it
 * has a change of rec, else the commit's own. */
static void version_in(version *out, const secex_vec *list, const hist_id *rec, const version *mine)
{
	const id_change *c = find_change(list, rec);

	if (c)
		old_side(out, c);
	else
		*out = *mine;
}

static unsigned count_people(const secex_facts *f, const secex_facts *const *olds, size_t n)
{
	const char *seen[16];
	unsigned count = 0;
	size_t i, k, j;

	for (i = 0; i < f->napprovals; i++) {
		const secex_approval_fact *a = &f->approvals[i];
		bool fresh = true, dup = false;

		for (k = 0; k < n && fresh; k++)
			fresh = !secex_facts_has(olds[k], a->digest);
		for (j = 0; j < count && j < 16; j++)
			dup = dup || (a->by && seen[j] && strcmp(seen[j], a->by) == 0);
		if (fresh && !dup && count < 16)
			seen[count++] = a->by;
	}
	return count;
}

/* The approval entries the commit introduced: in its version, in no parent's (olds). */
static int record_intros(secex_history *h, const git_oid *commit, hist_id *rec, const secex_facts *new,
			 const secex_facts *const *olds, size_t nolds)
{
	unsigned people = count_people(new, olds, nolds);
	size_t i, k;

	for (i = 0; i < new->napprovals; i++) {
		const secex_approval_fact *a = &new->approvals[i];
		hist_intro *in;
		bool fresh = true;

		for (k = 0; k < nolds && fresh; k++)
			fresh = !secex_facts_has(olds[k], a->digest);
		if (!fresh)
			continue;
		if (!(in = secex_arena_alloc(&h->arena, sizeof(*in))))
			return secex_error_nomem();
		memcpy(in->entry, a->digest, SECEX_DIGEST_SIZE);
		git_oid_cpy(&in->commit, commit);
		in->at = new;
		secex_facts_hold(&h->facts, new);
		in->ordinal = h->ordinal;
		in->people = people;
		in->next = rec->intros;
		rec->intros = in;
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

/* The loaded facts of a version: a version that does not parse stands for the last good one. */
static const secex_facts *usable(const version *v, const hist_id *rec)
{
	if (!v->has)
		return NULL;
	return v->facts && v->facts->loaded ? v->facts : rec->last;
}

/* The commit pass 2 visits: its id and time from pass 1, the commit itself read only when a
 * finding or the timeline needs it (in a warm run, most commits are never read twice). */
typedef struct {
	const git_oid *id;
	int64_t time;
	git_commit *obj; /* NULL until read */
} visiting;

static int visiting_commit(git_commit **out, secex_history *h, visiting *v)
{
	if (!v->obj && git_commit_lookup(&v->obj, h->git, v->id) < 0) {
		v->obj = NULL;
		return secex_repo_git_fail(SECEX_EREPO, "cannot read a commit (corrupt object?)");
	}
	*out = v->obj;
	return 0;
}

static bool on_timeline(const secex_history *h, const hist_id *rec)
{
	return h->opts.timeline && strcmp(h->opts.timeline, rec->id) == 0;
}

/* Audits the change from old to mine (the commit's version) when it is in range. */
static int audit_from(secex_history *h, visiting *v, hist_id *rec, const version *old, const version *mine)
{
	hist_change hc = { v->obj, mine->has ? mine->path : old->path, rec, usable(old, rec),
			   mine->has ? mine->facts : NULL, !old->has, v->id };

	if (!h->opts.audit || !secex_history_in_range(h, v->id) || (!hc.old && !hc.new))
		return 0;
	return secex_audit_change(h, &hc); /* it reads the commit only for a finding */
}

/* Judges and records one exception change the commit introduced: against each parent's
 * version that differs from the commit's (olds, n of them; the first is the primary). */
static int apply_change(secex_history *h, visiting *v, hist_id *rec, const version *mine, const version *olds,
			size_t n)
{
	const secex_facts *pf[8];
	hist_change hc = { NULL, mine->has ? mine->path : olds[0].path, rec, usable(&olds[0], rec),
			   mine->has ? mine->facts : NULL, !olds[0].has, v->id };
	size_t i, np = 0;
	int rc = 0;

	if (mine->has && !mine->facts->loaded)
		return 0; /* reported; judged against the last good version once fixed */
	if (secex_history_in_range(h, v->id))
		rec->changed_in_range = true;
	for (i = 0; rc == 0 && i < n; i++)
		if (i == 0 || !same(&olds[i], &olds[0]))
			rc = audit_from(h, v, rec, &olds[i], mine);
	if (rc == 0 && on_timeline(h, rec) && (hc.old || hc.new) && (rc = visiting_commit(&hc.commit, h, v)) == 0)
		rc = secex_timeline_change(h, &hc);
	for (i = 0; i < n && np < 8; i++)
		if (usable(&olds[i], rec))
			pf[np++] = usable(&olds[i], rec);
	if (rc == 0 && mine->has)
		rc = record_intros(h, v->id, rec, mine->facts, pf, np);
	if (mine->has) {
		note_review(rec, mine->facts, hc.old, v->time);
		secex_facts_hold(&h->facts, mine->facts);
		secex_facts_drop(&h->facts, rec->last);
		rec->last = mine->facts;
	}
	rec->seen = true;
	return rc;
}

/* A file moved without a change of content: only the timeline records it. */
static int timeline_move(secex_history *h, visiting *v, const id_change *c)
{
	hist_change hc = { NULL, c->new_path, c->rec, c->old, c->new, false, v->id };
	int rc;

	if (!c->old_path || !c->new_path || strcmp(c->old_path, c->new_path) == 0 || !c->new->loaded)
		return 0;
	return (rc = visiting_commit(&hc.commit, h, v)) < 0 ? rc : secex_timeline_move(h, &hc, c->old_path);
}

static int single_parent(secex_history *h, visiting *v, hist_roots *const *r, size_t n)
{
	secex_vec changes = SECEX_VEC_INIT;
	size_t i;
	int rc = id_changes(&changes, h, n ? r[1] : NULL, r[0], v->id, true);

	for (i = 0; rc == 0 && i < changes.n; i++) {
		id_change *c = changes.items[i];
		version mine, old;

		new_side(&mine, c);
		old_side(&old, c);
		if (same_version(c) && on_timeline(h, c->rec))
			rc = timeline_move(h, v, c);
		else if (!same_version(c))
			rc = apply_change(h, v, c->rec, &mine, &old, 1);
	}
	free_id_changes(&changes);
	return rc;
}

/* The 3-way merge of the parents' versions over the base's; false on a conflict. */
static bool clean_merge(version *out, const version *base, const version *v, size_t n)
{
	size_t i;

	*out = *base;
	for (i = 0; i < n; i++) {
		if (same(&v[i], base) || same(&v[i], out))
			continue;
		if (!same(out, base))
			return false;
		*out = v[i];
	}
	return true;
}

hist_roots *secex_history_merge_base(secex_history *h, const hist_roots *r)
{
	git_oid base;
	int rc = r->nparents == 2 ? git_merge_base(&base, h->git, &r->parents[0], &r->parents[1])
				  : git_merge_base_many(&base, h->git, r->nparents, r->parents);

	if (rc < 0) {
		git_error_clear();
		return NULL;
	}
	return secex_map_get(&h->roots, base.id, GIT_OID_RAWSZ);
}

/* One exception in a merge: what the merge holds that a clean 3-way merge of its parents
 * over their merge base would not hold is the merge's own change, whatever the parent order. */
static int merge_one(secex_history *h, visiting *vis, hist_id *rec, const secex_vec *lists, size_t n,
		     const version *mine)
{
	version v[8], b, clean, olds[8];
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		version_in(&v[i], &lists[i], rec, mine);
	version_in(&b, &lists[n], rec, mine);
	if (clean_merge(&clean, &b, v, n) && same(&clean, mine))
		return 0;
	for (i = 0; i < n; i++)
		if (!same(&v[i], mine))
			olds[k++] = v[i];
	return k ? apply_change(h, vis, rec, mine, olds, k) : 0;
}

static int merge_parents(secex_history *h, visiting *v, hist_roots *const *r, size_t n)
{
	const hist_roots *base = secex_history_merge_base(h, r[0]);
	secex_vec lists[9];
	size_t i, k;
	int rc = 0;

	memset(lists, 0, sizeof(lists));
	for (i = 0; rc == 0 && i < n; i++)
		rc = id_changes(&lists[i], h, r[i + 1], r[0], v->id, i == 0);
	if (rc == 0)
		rc = id_changes(&lists[n], h, base, r[0], v->id, false);
	for (i = 0; rc == 0 && i < n; i++)
		for (k = 0; rc == 0 && k < lists[i].n; k++) {
			const id_change *c = lists[i].items[k];
			version mine;
			size_t j;
			bool done = false;

			for (j = 0; j < i && !done; j++) /* each exception once */
				done = find_change(&lists[j], c->rec) != NULL;
			if (done)
				continue;
			new_side(&mine, c);
			rc = merge_one(h, v, c->rec, lists, n, &mine);
		}
	for (i = 0; i <= n; i++)
		free_id_changes(&lists[i]);
	return rc;
}

static int exceptions_changed(secex_history *h, visiting *v, hist_roots *const *r, size_t n)
{
	return n <= 1 ? single_parent(h, v, r, n) : merge_parents(h, v, r, n > 8 ? 8 : n);
}

static bool same_exc(const hist_roots *a, const hist_roots *b)
{
	return a->has_exc == b->has_exc && (!a->has_exc || git_oid_equal(&a->exc, &b->exc));
}

/* Whether the commit may hold exception changes of its own. A merge holds none when its
 * directory is one parent's and every other parent's is that one or the merge base's (a
 * clean merge at the tree level); otherwise each exception is judged (merge_parents). */
static int introduces(bool *out, secex_history *h, hist_roots *const *r, size_t n)
{
	hist_roots *base = NULL;
	size_t i, k;
	bool looked = false;
	int rc;

	*out = false;
	if (n == 0) {
		*out = r[0]->has_exc;
		return 0;
	}
	for (k = 1; k <= n && !same_exc(r[0], r[k]); k++)
		;
	if (k > n) {
		*out = true;
		return 0;
	}
	for (i = 1; i <= n; i++) {
		if (same_exc(r[i], r[0]))
			continue;
		if (!looked && (base = secex_history_merge_base(h, r[0])) && (rc = secex_rules_roots_exc(h, base)) < 0)
			return rc;
		looked = true;
		if (!base || !same_exc(r[i], base)) {
			*out = true;
			return 0;
		}
	}
	return 0;
}

/* Pass 2: one commit's exception changes. */
static int visit(secex_history *h, const git_oid *oid)
{
	hist_roots *r[9];
	visiting v = { oid, 0, NULL };
	size_t n, i;
	bool changed = false;
	int rc = 0;

	if (!(r[0] = secex_map_get(&h->roots, oid->id, GIT_OID_RAWSZ)))
		return secex_error_set(SECEX_EREPO, "a commit of the walk was lost");
	n = r[0]->nparents > 8 ? 8 : r[0]->nparents;
	for (i = 0; i < n; i++)
		if (!(r[i + 1] = secex_map_get(&h->roots, r[0]->parents[i].id, GIT_OID_RAWSZ)))
			return secex_error_set(SECEX_EREPO, "a parent was not walked before its child");
	for (i = 0; rc == 0 && i <= n; i++)
		rc = secex_rules_roots_exc(h, r[i]);
	if (rc == 0 && r[0]->bad_exc && !(n && r[1]->bad_exc))
		rc = secex_audit_not_dir(h, oid, h->policy->exceptions_dir);
	if (rc == 0 && r[0]->bad_secex && !(n && r[1]->bad_secex))
		rc = secex_audit_not_dir(h, oid, ".secex");
	v.time = r[0]->time;
	if (rc == 0 && (rc = introduces(&changed, h, r, n)) == 0 && changed)
		rc = exceptions_changed(h, &v, r, n);
	git_commit_free(v.obj);
	h->ordinal++;
	secex_facts_sweep(&h->facts);
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
		return secex_repo_git_fail(SECEX_EREPO, "cannot walk the history");
	}
	while (rc == 0 && git_revwalk_next(&oid, walk) == 0)
		rc = secex_map_put(&h->range, oid.id, GIT_OID_RAWSZ, h);
	git_revwalk_free(walk);
	return rc;
}

/* Pass 1: every commit, parents first (order.c: libgit2's topological order), with the rules
 * in force at it. */
static int walk_rules(secex_history *h, const git_oid *head)
{
	secex_vec order = SECEX_VEC_INIT;
	size_t i;
	int rc = secex_order_walk(&order, h, head);

	if (rc == 0)
		rc = secex_rules_mark_trusted(h);
	for (i = 0; rc == 0 && i < order.n; i++) {
		hist_roots *r = secex_map_get(&h->roots, ((git_oid *)order.items[i])->id, GIT_OID_RAWSZ);

		if ((rc = secex_rules_visit(h, order.items[i], r)) == 0)
			rc = secex_vec_push(&h->order, order.items[i]);
	}
	secex_vec_release(&order);
	return rc;
}

/* What the facts of a blob depend on besides it: the fields the policy calls not substantive. */
static int facts_salt(secex_history *h)
{
	const secex_strlist *l = &h->policy->non_substantive;
	secex_buf b = SECEX_BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < l->n; i++)
		rc = secex_buf_put(&b, l->items[i], strlen(l->items[i]) + 1);
	if (rc == 0)
		rc = secex_sig_sha256(h->facts_salt, b.ptr ? b.ptr : "", b.size);
	secex_buf_release(&b);
	return rc;
}

/* The policy in force at the head judges everything after pass 1. */
static int take_rules(secex_history *h, const git_oid *head)
{
	hist_roots *r = secex_map_get(&h->roots, head->id, GIT_OID_RAWSZ);
	int rc;

	if (!r)
		return secex_error_set(SECEX_EREPO, "the head commit was not walked");
	if ((rc = secex_rules_policy_of(&h->policy, h, r->rules)) < 0 || (rc = facts_salt(h)) < 0 ||
	    (rc = secex_rules_roots_exc(h, r)) < 0)
		return rc;
	h->io.policy = h->policy;
	return h->diags ? secex_audit_head(h, r) : 0;
}

static int walk_all(secex_history *h, const git_oid *head)
{
	size_t i;
	int rc;

	if ((rc = walk_rules(h, head)) < 0 || (rc = take_rules(h, head)) < 0 || (rc = secex_prefetch_start(h)) < 0)
		return rc;
	for (i = 0; rc == 0 && i < h->order.n; i++) {
		if ((rc = secex_prefetch_take(h, i)) == 0)
			rc = visit(h, h->order.items[i]);
		secex_prefetch_done(h);
	}
	secex_prefetch_stop(h);
	return rc;
}

static int shallow(secex_history *h)
{
	return secex_diag_add(h->diags, "SX305", NULL, 0, 0, NULL, NULL,
			       "the repository is a shallow clone, so its history cannot be audited; fetch "
			       "all of it with 'git fetch --unshallow' (GitHub Actions: actions/checkout with "
			       "'fetch-depth: 0'; GitLab CI: GIT_DEPTH: 0)");
}

/* The trust root: the caller's, else git config secex.trustRoot (what a server sets for
 * its pre-receive hook). */
static int setup_root(secex_history *h)
{
	const char *rev = h->opts.trust_root;
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
	return secex_diag_add(h->diags, "SX304", NULL, 0, 0, NULL, h->head, "the checkpoint commit %.40s is "
			       "no longer in the history of %.12s: history was rewritten since the last audit; "
			       "find out who force-pushed and why (everything was audited now); the checkpoint "
			       "stays where it was until 'secex audit --checkpoint FILE --accept-rewrite' records "
			       "that the rewrite was looked into", h->opts.checkpoint, h->head);
}

static int start(secex_history *h, git_oid *head)
{
	const char *rev = h->opts.head ? h->opts.head : "HEAD";
	int rc;

	if (git_repository_odb(&h->odb, h->git) < 0)
		return secex_repo_git_fail(SECEX_EREPO, "cannot open the object database");
	h->io.odb = h->odb;
	if (git_repository_head_unborn(h->git) == 1 && !h->opts.head)
		return secex_error_set(SECEX_ENOTFOUND, "the repository has no commits yet; commit the "
				       "exceptions first (secex validate checks uncommitted files)");
	if ((rc = resolve(head, h, rev, "revision")) < 0 || (rc = setup_root(h)) < 0)
		return rc;
	git_oid_tostr(h->head, sizeof(h->head), head);
	git_oid_cpy(&h->head_oid, head);
	if (h->opts.checkpoint && (rc = checkpoint(h, head)) < 0)
		return rc;
	if (h->opts.since && (rc = mark_range(h, head)) < 0)
		return rc;
	return 0;
}

/* The history cache, when the caller asks for it: GIT_COMMON_DIR/secex/history-v1/ unless
 * the caller names a directory. */
static int open_cache(secex_history *h)
{
	secex_buf dir = SECEX_BUF_INIT;
	int rc;

	if (!h->opts.cache)
		return 0;
	if ((rc = h->opts.cache_dir ? secex_buf_puts(&dir, h->opts.cache_dir)
				    : secex_buf_printf(&dir, "%ssecex/history-v1", git_repository_commondir(h->git))) == 0)
		rc = secex_cache_open(&h->cache, dir.ptr);
	h->io.cache = h->cache;
	secex_buf_release(&dir);
	return rc;
}

int secex_history_walk(secex_history **out, secex_repo *repo, const secex_history_options *opts,
		       secex_diags *diags)
{
	secex_history_options defaults = SECEX_HISTORY_OPTIONS_INIT;
	secex_history *h = calloc(1, sizeof(*h));
	git_oid head;
	int rc;

	*out = NULL;
	SECEX_ERROR_CHECK_ALLOC(h);
	h->repo = repo;
	h->git = h->io.git = secex_repo_git(repo);
	h->io.salt = h->facts_salt;
	h->opts = opts ? *opts : defaults;
	h->diags = diags;
	if (git_repository_is_shallow(h->git) == 1) {
		h->shallow = true;
		*out = h;
		return (rc = secex_rules_policy_of(&h->policy, h, secex_rules_at(h, NULL))) < 0 ? rc : shallow(h);
	}
	if ((rc = open_cache(h)) == 0 && (rc = start(h, &head)) == 0 && (rc = walk_all(h, &head)) == 0 &&
	    h->opts.audit)
		rc = secex_audit_finish(h);
	if (rc == 0)
		secex_cache_commit(h->cache);
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

const secex_policy *secex_history_policy(const secex_history *h)
{
	return h->policy;
}

bool secex_history_shallow(const secex_history *h)
{
	return h->shallow;
}

int secex_history_use_rules(secex_history *h, secex_tree *tree)
{
	const hist_rules *r = secex_rules_at(h, h->head[0] ? &h->head_oid : NULL);
	secex_tree_file *files = r->n ? calloc(r->n, sizeof(*files)) : NULL;
	size_t i, n = 0;
	int rc = 0;

	if (r->n && !files)
		return secex_error_nomem();
	for (i = 0; i < r->n; i++)
		if (r->files[i].mode != GIT_FILEMODE_LINK && r->files[i].mode != GIT_FILEMODE_COMMIT) {
			files[n].path = r->files[i].path;
			git_oid_cpy(&files[n++].oid, &r->files[i].blob);
		}
	rc = secex_tree_overlay(tree, ".secex/", files, n);
	free(files);
	return rc;
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

/* The head's first-parent line, newest first, from pass 1's records of the commits. */
static int first_parent_line(secex_history *h)
{
	const hist_roots *r = secex_map_get(&h->roots, h->head_oid.id, GIT_OID_RAWSZ);
	const git_oid *at = &h->head_oid;
	size_t cap = 0;

	while (r) {
		if (h->nline == cap) {
			git_oid *l = realloc(h->line, (cap = cap ? cap * 2 : 64) * sizeof(*l));
			int64_t *t = l ? realloc(h->line_time, cap * sizeof(*t)) : NULL;

			if (l)
				h->line = l;
			if (!l || !t)
				return secex_error_nomem();
			h->line_time = t;
		}
		git_oid_cpy(&h->line[h->nline], at);
		h->line_time[h->nline++] = r->time;
		at = r->nparents ? &r->parents[0] : NULL;
		r = at ? secex_map_get(&h->roots, at->id, GIT_OID_RAWSZ) : NULL;
		if (at && !r)
			return secex_error_set(SECEX_EREPO, "a commit of the walk was lost");
	}
	return 0;
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
	rc = secex_diff_exc_files(&files, &h->io, NULL, &tree, prefix.ptr);
	for (i = 0; rc == 0 && i < files.n; i++) {
		const tree_change *tc = files.items[i];
		secex_facts *f;

		if ((rc = facts_for(&f, h, &tc->new_oid, tc->path)) == 0)
			rc = fn(f, tc->path, payload);
	}
	secex_diff_free(&files);
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
		return secex_repo_git_fail(SECEX_EREPO, "cannot read a commit");
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
			secex_sshsig_key_release(&r->keys[k].ssh);
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
	secex_prefetch_stop(h);
	free_owned(h);
	secex_timeline_free(h);
	free(h->line);
	free(h->line_time);
	secex_diff_release_trees(&h->io);
	for (i = 0; i < h->pending.n; i++) {
		hist_pending *p = h->pending.items[i];

		free(p->path);
		free(p->level);
		free(p->message);
		free(p);
	}
	secex_vec_release(&h->pending);
	secex_facts_table_release(&h->facts);
	secex_cache_free(h->cache);
	secex_map_release(&h->ids);
	secex_map_release(&h->sigs);
	secex_map_release(&h->rosters);
	secex_map_release(&h->roots);
	secex_map_release(&h->flat);
	secex_map_release(&h->trusted);
	secex_map_release(&h->policies);
	for (i = 0; i < h->owned_policies.n; i++)
		secex_policy_free(h->owned_policies.items[i]);
	secex_vec_release(&h->owned_policies);
	secex_vec_release(&h->order);
	secex_map_release(&h->range);
	secex_map_release(&h->reported);
	secex_map_release(&h->keyring_fprs);
	secex_openpgp_keyring_free(h->keyring);
	git_odb_free(h->odb);
	secex_arena_release(&h->arena);
	free(h);
}
