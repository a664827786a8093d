/* Reviews of audit findings (.secex/reviews.yaml), judged by history and applied to the
 * findings after the walk. */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>
#include "secex/reviews.h"
#include "history_int.h"
#include "../git/repo_int.h"
#include "secex/banned.h"

/* One entry of the reviews in force, and the commit that added it. */
typedef struct {
	const secex_node *node;
	const char *code, *exception, *commit, *by, *comment;
	unsigned char digest[SECEX_DIGEST_SIZE];
	git_oid intro;
	bool found;
} review;

typedef struct {
	secex_history *h;
	review *items;
	size_t n;
	secex_map loaded;  /* blob oid -> itself: its entries are in present */
	secex_map present; /* blob oid + entry digest -> itself */
} reviews_ctx;

bool secex_reviews_code_ok(const char *code)
{
	static const char *const ok[] = { "SX401", "SX402", "SX404", "SX406", "SX407", "SX409", "SX211" };
	size_t i;

	for (i = 0; code && i < sizeof(ok) / sizeof(*ok); i++)
		if (strcmp(code, ok[i]) == 0)
			return true;
	return false;
}

static const char *field(const secex_node *entry, const char *key)
{
	return secex_node_str(secex_node_get(entry, key));
}

static int collect(reviews_ctx *c, const secex_node *root)
{
	const secex_node *list = secex_node_get(root, "reviews");
	size_t i;
	int rc = 0;

	if (!list || list->type != SECEX_NODE_ARRAY || !list->u.array.n)
		return 0;
	if (!(c->items = calloc(list->u.array.n, sizeof(*c->items))))
		return secex_error_nomem();
	for (i = 0; rc == 0 && i < list->u.array.n; i++) {
		review *r = &c->items[c->n++];

		r->node = list->u.array.items[i];
		r->code = field(r->node, "code");
		r->exception = field(r->node, "exception");
		r->commit = field(r->node, "commit");
		r->by = field(r->node, "by");
		r->comment = field(r->node, "comment");
		rc = secex_facts_digest(r->digest, r->node, NULL);
	}
	return rc;
}

/* Records the digest of every entry of the reviews blob, once per blob. */
static int load_blob(reviews_ctx *c, const git_oid *blob)
{
	unsigned char key[GIT_OID_RAWSZ + SECEX_DIGEST_SIZE], digest[SECEX_DIGEST_SIZE];
	secex_diags scratch = SECEX_DIAGS_INIT;
	const secex_node *list;
	secex_doc *doc = NULL;
	git_blob *b = NULL;
	size_t i;
	int rc = 0;

	if (secex_map_get(&c->loaded, blob->id, GIT_OID_RAWSZ))
		return 0;
	if (git_blob_lookup(&b, c->h->git, blob) < 0)
		return secex_repo_git_missing(c->h->git, SECEX_REVIEWS_PATH);
	if (git_blob_rawsize(b) <= SECEX_MAX_FILE_SIZE)
		rc = secex_doc_parse(&doc, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), SECEX_REVIEWS_PATH,
				     &scratch);
	list = rc == 0 && doc ? secex_node_get(secex_doc_root(doc), "reviews") : NULL;
	for (i = 0; rc == 0 && list && list->type == SECEX_NODE_ARRAY && i < list->u.array.n; i++) {
		if ((rc = secex_facts_digest(digest, list->u.array.items[i], NULL)) < 0)
			break;
		memcpy(key, blob->id, GIT_OID_RAWSZ);
		memcpy(key + GIT_OID_RAWSZ, digest, SECEX_DIGEST_SIZE);
		rc = secex_map_put(&c->present, key, sizeof(key), c);
	}
	if (rc == 0)
		rc = secex_map_put(&c->loaded, blob->id, GIT_OID_RAWSZ, c);
	secex_doc_free(doc);
	git_blob_free(b);
	secex_diag_release(&scratch);
	return rc;
}

static bool has(const reviews_ctx *c, const git_oid *blob, const unsigned char *digest)
{
	unsigned char key[GIT_OID_RAWSZ + SECEX_DIGEST_SIZE];

	if (!blob)
		return false;
	memcpy(key, blob->id, GIT_OID_RAWSZ);
	memcpy(key + GIT_OID_RAWSZ, digest, SECEX_DIGEST_SIZE);
	return secex_map_get(&c->present, key, sizeof(key)) != NULL;
}

/* The reviews blob of a commit's rules in force, or NULL. */
static const git_oid *blob_at(secex_history *h, const git_oid *commit)
{
	return secex_rules_blob(secex_rules_at(h, commit), SECEX_REVIEWS_PATH);
}

/* A commit whose rules hold reviews its parents' rules do not: each entry new in it was
 * added there (the newest such commit wins). */
static int visit(reviews_ctx *c, const git_oid *commit)
{
	const hist_roots *r = secex_map_get(&c->h->roots, commit->id, GIT_OID_RAWSZ);
	const git_oid *mine = blob_at(c->h, commit), *theirs;
	size_t i, k;
	bool fresh;
	int rc;

	if (!r || !mine)
		return 0;
	for (k = 0; k < r->nparents; k++)
		if ((theirs = blob_at(c->h, &r->parents[k])) && git_oid_equal(theirs, mine))
			return 0;
	if ((rc = load_blob(c, mine)) < 0)
		return rc;
	for (k = 0; k < r->nparents; k++)
		if ((theirs = blob_at(c->h, &r->parents[k])) && (rc = load_blob(c, theirs)) < 0)
			return rc;
	for (i = 0; i < c->n; i++) {
		if (!has(c, mine, c->items[i].digest))
			continue;
		for (fresh = true, k = 0; k < r->nparents && fresh; k++)
			fresh = !has(c, blob_at(c->h, &r->parents[k]), c->items[i].digest);
		if (fresh) {
			git_oid_cpy(&c->items[i].intro, commit);
			c->items[i].found = true;
		}
	}
	return 0;
}

static bool reviewer(const secex_policy *p, const secex_person *person)
{
	size_t i, k;

	for (i = 0; person && i < person->roles.n; i++)
		for (k = 0; k < p->reviewer_roles.n; k++)
			if (secex_policy_role_implies(p, person->roles.items[i], p->reviewer_roles.items[k]))
				return true;
	return false;
}

static bool same_email(const char *a, const char *b)
{
	for (; a && b && *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return a && b && *a == *b;
}

/* Why the person cannot review the finding of commit hex: they authored or signed it. */
static int own_finding(secex_buf *why, secex_history *h, const hist_roster *roster, const secex_person *p,
		       const char *hex)
{
	const git_signature *author;
	const secex_person *signer;
	const secex_key *key;
	git_commit *commit = NULL;
	hist_sig *sig = NULL;
	git_oid oid;
	int rc = 0;

	if (git_oid_fromstrn(&oid, hex, strlen(hex)) < 0 || git_commit_lookup(&commit, h->git, &oid) < 0) {
		git_error_clear();
		return secex_buf_printf(why, "commit %.12s of the finding cannot be read", hex);
	}
	author = git_commit_author(commit);
	if (author && same_email(author->email, p->email))
		rc = secex_buf_printf(why, "%s authored commit %.12s, which caused the finding", p->id, hex);
	else if ((rc = secex_trust_commit_sig(&sig, h, &oid)) == 0 && (signer = secex_trust_signer(roster, sig, &key)) == p)
		rc = secex_buf_printf(why, "%s signed commit %.12s, which caused the finding", p->id, hex);
	git_commit_free(commit);
	return rc;
}

/* Why the signer of sig is not a reviewer of the finding by the rules of parent p ("" when
 * they are). */
static int judge_in(secex_buf *why, secex_history *h, const review *rv, const hist_sig *sig, const git_oid *p)
{
	const hist_rules *rules = secex_rules_at(h, p);
	const secex_policy *policy;
	const secex_person *signer;
	const secex_key *key;
	hist_roster *roster;
	int rc;

	if ((rc = secex_rules_policy_of(&policy, h, rules)) < 0 || (rc = secex_trust_roster_of(&roster, h, rules)) < 0)
		return rc;
	signer = secex_trust_signer(roster, sig, &key);
	if (!signer)
		return secex_buf_printf(why, "commit %.12s that added it is signed by a key that is in no roster "
					"before it", git_oid_tostr_s(&rv->intro));
	if (!rv->by || strcmp(signer->id, rv->by) != 0)
		return secex_buf_printf(why, "commit %.12s that added it is signed by %s, not by %s whom it names",
					git_oid_tostr_s(&rv->intro), signer->id, rv->by ? rv->by : "(nobody)");
	if (!signer->active)
		return secex_buf_printf(why, "%s is departed in the roster before commit %.12s", signer->id,
					git_oid_tostr_s(&rv->intro));
	if (sig->time < key->valid_after || sig->time >= key->valid_before)
		return secex_buf_printf(why, "%s's key was outside its validity when commit %.12s was signed",
					signer->id, git_oid_tostr_s(&rv->intro));
	if (!reviewer(policy, signer))
		return secex_buf_printf(why, "%s holds no reviewer role (reviewer_roles: %s) in the roster before "
					"commit %.12s", signer->id, policy->reviewer_roles.n ?
					policy->reviewer_roles.items[0] : "secex-admin", git_oid_tostr_s(&rv->intro));
	return own_finding(why, h, roster, signer, rv->commit);
}

/* Why the review does not count, into why (empty when it counts). */
static int judge(secex_buf *why, secex_history *h, const review *rv)
{
	const hist_roots *r;
	hist_sig *sig = NULL;
	size_t k;
	int rc;

	if (!secex_reviews_code_ok(rv->code))
		return secex_buf_printf(why, "%s is a trust finding, which no review can accept; fix its cause as "
					"its message says", rv->code);
	r = rv->found ? secex_map_get(&h->roots, rv->intro.id, GIT_OID_RAWSZ) : NULL;
	if (!r || !r->nparents)
		return secex_buf_puts(why, "no commit after the trust root added it, so no roster shows who made it");
	if ((rc = secex_trust_commit_sig(&sig, h, &rv->intro)) < 0)
		return rc;
	if (sig->state != SECEX_COMMIT_SIGNED)
		return secex_buf_printf(why, "commit %.12s that added it is not signed", git_oid_tostr_s(&rv->intro));
	if (sig->status != SECEX_SIG_OK)
		return secex_buf_printf(why, "the signature of commit %.12s that added it does not verify: %s",
					git_oid_tostr_s(&rv->intro), sig->message ? sig->message : "malformed");
	for (k = 0; rc == 0 && k < r->nparents && !why->size; k++)
		rc = judge_in(why, h, rv, sig, &r->parents[k]);
	return rc;
}

static bool names(const review *rv, const secex_diag *d)
{
	return rv->code && rv->exception && rv->commit && d->exception && d->commit &&
	       strcmp(d->code, rv->code) == 0 && strcmp(d->exception, rv->exception) == 0 &&
	       strcmp(d->commit, rv->commit) == 0;
}

static int accept(secex_diag *d, const review *rv)
{
	secex_buf msg = SECEX_BUF_INIT;
	int rc = secex_buf_printf(&msg, "reviewed by %s in commit %.12s: \"%s\"; the finding was: %s", rv->by,
				  git_oid_tostr_s(&rv->intro), rv->comment, d->message);

	if (rc == 0) {
		free(d->message);
		d->message = secex_buf_detach(&msg);
		d->severity = SECEX_SEV_NOTE;
	}
	secex_buf_release(&msg);
	return rc;
}

static int refuse(secex_diags *diags, const review *rv, const char *why)
{
	return secex_diag_add(diags, "SX412", SECEX_REVIEWS_PATH, rv->node->line, rv->node->column, rv->exception,
			       rv->commit, "the review of %s by %s does not count: %s; the finding stays; have a "
			       "person with a reviewer role who neither authored nor signed that commit review it "
			       "('secex review-finding %s --exception %s --commit %.12s --comment WHY', signed)",
			       rv->code, rv->by ? rv->by : "(nobody)", why, rv->code, rv->exception, rv->commit);
}

/* Applies one review to the findings it names. */
static int apply_one(reviews_ctx *c, secex_diags *diags, const review *rv)
{
	secex_buf why = SECEX_BUF_INIT;
	size_t i, n = diags->n;
	bool judged = false;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		if (!names(rv, &diags->items[i]))
			continue;
		if (!judged && (rc = judge(&why, c->h, rv)) < 0)
			break;
		judged = true;
		rc = why.size ? 0 : accept(&diags->items[i], rv);
	}
	if (rc == 0 && judged && why.size)
		rc = refuse(diags, rv, secex_buf_cstr(&why));
	secex_buf_release(&why);
	return rc;
}

int secex_reviews_apply(secex_history *h, const secex_snapshot *snap, secex_diags *diags)
{
	reviews_ctx c = { h, NULL, 0, SECEX_MAP_INIT, SECEX_MAP_INIT };
	size_t i;
	int rc;

	if (!h || !snap || !snap->reviews || secex_history_shallow(h))
		return 0;
	if ((rc = collect(&c, secex_doc_root(snap->reviews))) < 0 || !c.n)
		goto cleanup;
	for (i = 0; rc == 0 && i < h->order.n; i++)
		rc = visit(&c, h->order.items[i]);
	for (i = 0; rc == 0 && i < c.n; i++)
		rc = apply_one(&c, diags, &c.items[i]);
cleanup:
	free(c.items);
	secex_map_release(&c.loaded);
	secex_map_release(&c.present);
	return rc;
}
