/* The order of the walk: the commits reachable from the head, parents first, exactly as
 * libgit2's revwalk gives them with GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE, but from pass 1's
 * records of each commit (its parents and committer time, from the history cache when it
 * holds them) instead of reading every commit again. The verdicts depend on this order where
 * branches interleave, so it must stay libgit2's to the commit: tests/history/run-order
 * compares the two on generated histories of every shape.
 *
 * libgit2 (revwalk.c, 1.5): a walk from the head collects every reachable commit (the
 * "limited" list); then counts each commit's children among them, queues the commits no one
 * points to, and repeatedly takes the last of the queue, queueing a parent (in parent order)
 * once its last child is taken; the walk is that output, reversed. From one head there is
 * one commit no one points to, so the order follows from the parents alone. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "history_int.h"
#include "../git/repo_int.h"
#include "secex/banned.h"

typedef hist_roots node; /* a commit of the walk: pass 1's record carries the sort's marks */

typedef struct {
	secex_history *h;
	secex_vec limited, queue;
	secex_vec up; /* node *: the parents of each node of limited, from node->up on */
} sorter;

static node *up(const sorter *s, const node *n, unsigned k)
{
	return s->up.items[n->up + k];
}

static int node_of(node **out, sorter *s, const git_oid *oid)
{
	node *n;
	int rc;

	if ((*out = secex_map_get(&s->h->roots, oid->id, GIT_OID_RAWSZ)))
		return 0;
	if ((rc = secex_rules_roots_new(&n, s->h, oid)) < 0)
		return rc;
	*out = n;
	return 0;
}

/* Every commit reachable from head, each once (libgit2's limit_list). libgit2 keeps its list
 * newest first, which decides only the order of the sort's starting commits; from one head
 * there is one, so a plain stack serves, and no history makes this more than linear. */
static int limit(sorter *s, node *head)
{
	secex_vec stack = SECEX_VEC_INIT;
	unsigned i;
	int rc;

	head->seen = true;
	rc = secex_vec_push(&stack, head);
	while (rc == 0 && stack.n) {
		node *n = stack.items[--stack.n], *p;

		if (s->up.n > UINT32_MAX - n->nparents)
			rc = secex_error_set(SECEX_EREPO, "the history has more parent links than secex can sort");
		n->up = (unsigned)s->up.n;
		for (i = 0; rc == 0 && i < n->nparents; i++)
			if ((rc = node_of(&p, s, &n->parents[i])) == 0 && (rc = secex_vec_push(&s->up, p)) == 0 && !p->seen) {
				p->seen = true;
				rc = secex_vec_push(&stack, p);
			}
		if (rc == 0)
			rc = secex_vec_push(&s->limited, n);
	}
	secex_vec_release(&stack);
	return rc;
}

/* sort_in_topological_order, then reversed into out (git_oid *, parents first). */
static int sort_topo(sorter *s, secex_vec *out)
{
	size_t i, k, count = 0;
	node **emitted = s->limited.n ? calloc(s->limited.n, sizeof(*emitted)) : NULL;
	int rc = 0;

	if (s->limited.n && !emitted)
		return secex_error_nomem();
	for (i = 0; i < s->limited.n; i++)
		((node *)s->limited.items[i])->in_degree = 1;
	for (i = 0; i < s->limited.n; i++) {
		node *n = s->limited.items[i];

		for (k = 0; k < n->nparents; k++)
			if (up(s, n, k)->in_degree)
				up(s, n, k)->in_degree++;
	}
	for (i = s->limited.n; rc == 0 && i-- > 0;) /* queued, then reversed: taken from the end */
		if (((node *)s->limited.items[i])->in_degree == 1)
			rc = secex_vec_push(&s->queue, s->limited.items[i]);
	while (rc == 0 && s->queue.n) {
		node *n = s->queue.items[--s->queue.n];

		for (k = 0; rc == 0 && k < n->nparents; k++)
			if (up(s, n, k)->in_degree && --up(s, n, k)->in_degree == 1)
				rc = secex_vec_push(&s->queue, up(s, n, k));
		n->in_degree = 0;
		emitted[count++] = n;
	}
	for (i = count; rc == 0 && i-- > 0;)
		rc = secex_vec_push(out, &emitted[i]->id);
	free(emitted);
	return rc;
}

int secex_order_walk(secex_vec *out, secex_history *h, const git_oid *head)
{
	sorter s = { h, SECEX_VEC_INIT, SECEX_VEC_INIT, SECEX_VEC_INIT };
	node *top;
	int rc;

	if ((rc = node_of(&top, &s, head)) == 0 && (rc = limit(&s, top)) == 0)
		rc = sort_topo(&s, out);
	secex_vec_release(&s.limited);
	secex_vec_release(&s.queue);
	secex_vec_release(&s.up);
	return rc;
}

int secex_order_list(secex_buf *out, secex_repo *repo, const char *rev)
{
	secex_history *h = calloc(1, sizeof(*h));
	secex_vec order = SECEX_VEC_INIT;
	git_object *obj = NULL;
	char hex[GIT_OID_HEXSZ + 2];
	size_t i;
	int rc;

	SECEX_ERROR_CHECK_ALLOC(h);
	h->repo = repo;
	h->git = h->io.git = secex_repo_git(repo);
	if (git_revparse_single(&obj, h->git, rev) < 0)
		rc = secex_error_set(SECEX_EINVALID, "'%s' is not a commit in this repository", rev);
	else
		rc = secex_order_walk(&order, h, git_object_id(obj));
	for (i = 0; rc == 0 && i < order.n; i++) {
		git_oid_tostr(hex, sizeof(hex), order.items[i]);
		rc = secex_buf_printf(out, "%s\n", hex);
	}
	git_object_free(obj);
	secex_vec_release(&order);
	secex_history_free(h);
	return rc;
}
