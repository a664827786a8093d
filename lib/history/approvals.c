/* Approval resolution (SPEC §4): which recorded approvals count, and what is still missing. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>
#include "secex/history.h"
#include "history_int.h"
#include "../git/repo_int.h"
#include "secex/banned.h"

/* The judgement of one entry against one introducing commit. */
typedef struct {
	const char *code; /* NULL: rules 1 to 4 and 6 hold */
	secex_buf why;
	const secex_person *person;
	bool role_held;   /* the person held the entry's role (rule 4) */
	char commit[GIT_OID_HEXSZ + 1];
} judgement;

typedef struct {
	secex_history *h;
	const secex_policy *policy;
	const secex_facts *head;   /* the exception now */
	const secex_exception *exc;
	const secex_level *level;
	secex_approval_state *st;
	const secex_approval_fact *proposed; /* the entry secex approve is about to record, or NULL */
} judge_ctx;

static int fail(judgement *j, const char *code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
static int reject(secex_verdict *v, const char *code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int fail(judgement *j, const char *code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	j->code = code;
	secex_buf_clear(&j->why);
	va_start(ap, fmt);
	rc = secex_buf_vprintf(&j->why, fmt, ap);
	va_end(ap);
	return rc;
}

/* Why an unsigned commit that added approvals looks like a forge's squash or rebase merge,
 * or NULL when it does not. */
static const char *merge_evidence(const hist_intro *in, const git_commit *c)
{
	if (in->people > 1)
		return "it adds the approvals of several people at once";
	if (secex_trust_looks_merged_by_forge(c))
		return "its committer is not its author, or it is named like a merged pull request";
	return NULL;
}

/* Whether the commit's subject is one secex approve writes ("Approve EXC-1 as ROLE"): an
 * unsigned one lost its signature to a rebase (SX211, as a squash merge). */
static bool made_by_approve(const git_commit *c)
{
	static const char *const verbs[] = { "Approve ", "Deny ", "Request information on ", "Acknowledge " };
	const char *m = git_commit_message(c);
	size_t i, end = m ? strcspn(m, "\n") : 0;

	for (i = 0; m && i < sizeof(verbs) / sizeof(*verbs); i++)
		if (strncmp(m, verbs[i], strlen(verbs[i])) == 0) {
			const char *as = strstr(m, " as ");

			return as && (size_t)(as - m) < end;
		}
	return false;
}

static int judge_signature(judgement *j, const secex_approval_fact *e, const hist_intro *in,
			   const git_commit *c, const hist_sig *sig)
{
	const char *evidence = merge_evidence(in, c);

	if (sig->state == SECEX_COMMIT_SIGNED && sig->status == SECEX_SIG_OK)
		return 0;
	if (evidence && sig->state == SECEX_COMMIT_UNSIGNED)
		return fail(j, "SX211", "the approval by %s arrived in commit %.12s, which is unsigned and looks "
			    "like a squash or rebase merge (%s): such merges drop the approvers' signatures; merge "
			    "with a merge commit (GitHub: 'Create a merge commit', GitLab: merge method 'Merge "
			    "commit') and ask %s to approve again", e->by, j->commit, evidence, e->by);
	if (sig->state == SECEX_COMMIT_UNSIGNED && made_by_approve(c))
		return fail(j, "SX211", "commit %.12s that added the approval by %s is not signed, though secex "
			    "approve signs what it commits: a rebase ('git pull --rebase', 'git rebase') rewrote it "
			    "without its signature; %s must run 'secex approve' again (the lost entry then no longer "
			    "blocks), and pull with 'git pull --no-rebase', which the secex merge driver merges "
			    "cleanly", j->commit, e->by, e->by);
	if (sig->state == SECEX_COMMIT_UNSIGNED)
		return fail(j, "SX202", "commit %.12s that added the approval is not signed; %s must approve "
			    "in a signed commit (secex approve signs it)", j->commit, e->by);
	if (sig->status == SECEX_SIG_UNKNOWN_KEY)
		return fail(j, "SX205", "commit %.12s is signed with an OpenPGP key that is in no roster; add "
			    "%s's public key to .secex/people.yaml (by an admin) and approve again", j->commit, e->by);
	return fail(j, "SX203", "the signature of commit %.12s does not verify: %s; approve again in a "
		    "correctly signed commit", j->commit, sig->message && *sig->message ? sig->message : "malformed");
}

static bool in_window(const secex_key *k, int64_t t)
{
	return t >= k->valid_after && t < k->valid_before;
}

static bool dated_before_parent(const git_commit *c)
{
	unsigned i;
	bool before = false;

	for (i = 0; i < git_commit_parentcount(c); i++) {
		git_commit *p = NULL;

		if (git_commit_parent(&p, c, i) == 0)
			before = before || git_commit_time(c) < git_commit_time(p);
		git_commit_free(p);
	}
	return before;
}

static bool same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Rule 3, and rule 4's "held that role" (the risk owner's role does not matter: their
 * approval fills the risk-owner requirement whatever it is). */
static int judge_key(judgement *j, const secex_approval_fact *e, const hist_roster *r,
		     const git_commit *c, const hist_sig *sig, const char *risk_owner)
{
	const secex_key *key;
	const secex_person *signer = secex_trust_signer(r, sig, &key);
	bool bounded;

	if (!r->roster)
		return fail(j, "SX205", "there was no valid roster before commit %.12s, so no key could sign "
			    "the approval; the roster must exist before approvals are given", j->commit);
	if (!(j->person = secex_roster_find(r->roster, e->by)))
		return fail(j, "SX205", "%s was not in the roster before commit %.12s; an admin adds them "
			    "first, then they approve again", e->by, j->commit);
	if (!signer)
		return fail(j, "SX205", "commit %.12s is signed by key %s, which the roster before the commit "
			    "did not hold (a key added in the same commit does not count); approve again with a "
			    "key in the roster", j->commit, sig->fingerprint);
	if (signer != j->person)
		return fail(j, "SX204", "commit %.12s is signed by %s, not by %s who is named in the entry; "
			    "only %s can give this approval", j->commit, signer->id, e->by, e->by);
	bounded = key->valid_after != INT64_MIN || key->valid_before != INT64_MAX;
	if (!in_window(key, sig->time))
		return fail(j, "SX205", "commit %.12s is dated outside the validity window of %s's key; "
			    "approve again with a current key", j->commit, e->by);
	if (bounded && dated_before_parent(c))
		return fail(j, "SX205", "commit %.12s is dated before its parent, so its date cannot vouch "
			    "for the key's validity window; approve again", j->commit);
	if (!j->person->active)
		return fail(j, "SX206", "%s was not active in the roster when commit %.12s approved; ask "
			    "another approver", e->by, j->commit);
	j->role_held = e->role && secex_policy_strlist_has(&j->person->roles, e->role);
	if (!j->role_held && !same(e->by, risk_owner))
		return fail(j, "SX207", "%s did not hold the role '%s' given in the entry; approve in a role "
			    "they hold", e->by, e->role ? e->role : "(none)");
	return 0;
}

/* Rule 3 against the roster of every parent: a merge's own approval must hold whatever the
 * parent order (the first failure is the verdict). */
static int judge_keys(judgement *j, judge_ctx *x, const secex_approval_fact *e, git_commit *c, const hist_sig *sig)
{
	unsigned k, n = git_commit_parentcount(c);
	int rc = 0;

	for (k = 0; rc == 0 && !j->code && k < (n ? n : 1); k++) {
		git_commit *parent = NULL;
		hist_roster *r = NULL;

		if (n && git_commit_parent(&parent, c, k) < 0)
			return secex_repo_git_fail(SECEX_EREPO, "cannot read a parent of an approval commit");
		if ((rc = secex_trust_roster_at(&r, x->h, parent)) == 0)
			rc = judge_key(j, e, r, c, sig, x->head->value[SECEX_F_RISK_OWNER]);
		git_commit_free(parent);
	}
	return rc;
}

static int load_rosters(judge_ctx *x, git_commit *c)
{
	unsigned k, n = git_commit_parentcount(c);
	int rc = 0;

	for (k = 0; rc == 0 && k < n; k++) {
		git_commit *parent = NULL;
		hist_roster *r;

		if (git_commit_parent(&parent, c, k) < 0)
			return secex_repo_git_fail(SECEX_EREPO, "cannot read a parent of an approval commit");
		rc = secex_trust_roster_at(&r, x->h, parent);
		git_commit_free(parent);
	}
	return rc;
}

/* Rules 2, 3, 4 (role held) and 6 for one introducing commit. */
static int judge_intro(judgement *j, judge_ctx *x, const secex_approval_fact *e, const hist_intro *in)
{
	git_commit *c = NULL;
	hist_sig *sig = NULL;
	int rc;

	git_oid_tostr(j->commit, sizeof(j->commit), &in->commit);
	if (git_commit_lookup(&c, x->h->git, &in->commit) < 0) {
		rc = secex_repo_git_fail(SECEX_EREPO, "cannot read an approval commit");
		goto cleanup;
	}
	j->code = NULL;
	/* the rosters first: they put their OpenPGP keys in the keyring the signature needs */
	if ((rc = load_rosters(x, c)) < 0 || (rc = secex_trust_commit_sig(&sig, x->h, &in->commit)) < 0)
		goto cleanup;
	if ((rc = judge_signature(j, e, in, c, sig)) < 0 || j->code || (rc = judge_keys(j, x, e, c, sig)) < 0 || j->code)
		goto cleanup;
	if (memcmp(in->at->substantive, x->head->substantive, SECEX_DIGEST_SIZE) != 0) {
		rc = fail(j, "SX209", "the exception changed after %s approved it in commit %.12s", e->by, j->commit);
		if (rc == 0 && (rc = secex_buf_puts(&j->why, " (")) == 0 &&
		    (rc = secex_facts_changed_fields(&j->why, in->at, x->head)) == 0)
			rc = secex_buf_printf(&j->why, "); the approval is stale: ask %s to approve again", e->by);
	} else {
		rc = secex_buf_printf(&j->why, "given by %s as %s in commit %.12s, signed with their key%s", e->by,
				      e->role, j->commit, dated_before_parent(c) ? " (note: the commit is dated before "
				      "its parent; its date is the signer's claim)" : "");
	}
cleanup:
	git_commit_free(c);
	return rc;
}

/* Rule 1: the commits that introduced the entry; the latest valid one wins, else the latest. */
static int judge_entry(secex_verdict *v, judge_ctx *x, const hist_id *rec, const secex_approval_fact *e)
{
	judgement best = { 0 }, j = { 0 };
	const hist_intro *in;
	bool any = false;
	int rc = 0;

	for (in = rec ? rec->intros : NULL; rc == 0 && in; in = in->next) {
		if (memcmp(in->entry, e->digest, SECEX_DIGEST_SIZE) != 0)
			continue;
		rc = judge_intro(&j, x, e, in);
		if (rc == 0 && (!any || (!j.code && best.code))) {
			secex_buf_release(&best.why);
			best = j;
			memset(&j, 0, sizeof(j));
		}
		secex_buf_release(&j.why);
		memset(&j, 0, sizeof(j));
		any = true;
	}
	if (rc == 0 && !any)
		rc = fail(&best, "SX202", "this entry is in no commit of the history walked; an approval counts "
			  "only once committed and signed by %s (secex approve does both)", e->by ? e->by : "the approver");
	v->entry = e;
	v->valid = rc == 0 && !best.code;
	v->role_held = best.role_held;
	v->code = best.code;
	v->reason = secex_buf_detach(&best.why);
	snprintf(v->commit, sizeof(v->commit), "%s", best.commit);
	v->fills = SECEX_FILL_NONE;
	v->superseded_by = -1;
	secex_buf_release(&j.why);
	secex_buf_release(&best.why);
	return rc < 0 ? rc : v->reason ? 0 : secex_error_nomem();
}

static bool fills_group(const secex_policy *p, const char *role, const secex_group *g)
{
	size_t i;

	for (i = 0; role && i < g->n; i++)
		if (secex_policy_role_implies(p, role, g->roles[i]))
			return true;
	return false;
}

static bool fills_sme(const secex_policy *p, const char *role)
{
	secex_group g = { p->sme_roles.items, p->sme_roles.n };

	return fills_group(p, role, &g);
}

/* The groups entry v could fill, as a bit mask. */
static uint32_t group_mask(const judge_ctx *x, const secex_verdict *v)
{
	const secex_approval_fact *e = v->entry;
	uint32_t mask = 0;
	size_t g;

	if (!v->valid || !v->role_held || !same(e->decision, "approve"))
		return 0;
	if (x->policy->separation_of_duties && same(e->by, x->head->value[SECEX_F_REQUESTOR]))
		return 0;
	if (x->st->sme_only)
		return fills_sme(x->policy, e->role) ? 1u : 0;
	for (g = 0; x->level && g < x->level->ngroups && g < 32; g++)
		if (fills_group(x->policy, e->role, &x->level->groups[g]))
			mask |= 1u << g;
	return mask;
}

/* One approver unit for matching: a person (separation of duties) or a single entry. */
typedef struct {
	uint32_t mask;
	int entry[32]; /* the unit's entry that fills group g */
} unit;

static bool augment(unit *units, int u, int *match, bool *seen, size_t ngroups)
{
	size_t g;

	for (g = 0; g < ngroups; g++) {
		if (!(units[u].mask & (1u << g)) || seen[g])
			continue;
		seen[g] = true;
		if (match[g] < 0 || augment(units, match[g], match, seen, ngroups)) {
			match[g] = u;
			return true;
		}
	}
	return false;
}

/* The unit of entry i: the first entry by the same person under separation of duties. */
static int unit_of(unit *units, size_t *n, const int *owner, const judge_ctx *x, size_t i)
{
	size_t k;

	if (x->policy->separation_of_duties)
		for (k = 0; k < i; k++)
			if (same(x->st->verdicts[k].entry->by, x->st->verdicts[i].entry->by))
				return owner[k];
	memset(units[*n].entry, 0xff, sizeof(units[*n].entry));
	units[*n].mask = 0;
	return (int)(*n)++;
}

static void match_units(unit *units, size_t nu, int *match, bool *seen, size_t ngroups)
{
	size_t i, g;

	for (g = 0; g < ngroups; g++)
		match[g] = -1;
	for (i = 0; i < nu; i++) {
		memset(seen, 0, (ngroups + 1) * sizeof(*seen));
		augment(units, (int)i, match, seen, ngroups);
	}
}

/* Assigns approvers to groups: one distinct person per group (a bipartite matching). */
static int assign_groups(judge_ctx *x)
{
	secex_approval_state *st = x->st;
	unit *units = calloc(st->n + 1, sizeof(*units));
	int *match = calloc(st->ngroups + 1, sizeof(*match)), *owner = calloc(st->n + 1, sizeof(*owner));
	bool *seen = calloc(st->ngroups + 1, sizeof(*seen));
	size_t i, g, nu = 0;
	int rc = 0;

	if (!units || !match || !owner || !seen) {
		rc = secex_error_nomem();
		goto cleanup;
	}
	for (i = 0; i < st->n; i++) {
		uint32_t mask = group_mask(x, &st->verdicts[i]);
		int u = owner[i] = unit_of(units, &nu, owner, x, i);

		for (g = 0; g < st->ngroups; g++)
			if ((mask & (1u << g)) && !(units[u].mask & (1u << g)))
				units[u].entry[g] = (int)i;
		units[u].mask |= mask;
	}
	match_units(units, nu, match, seen, st->ngroups);
	for (g = 0; g < st->ngroups; g++) {
		st->filled_by[g] = match[g] < 0 ? -1 : units[match[g]].entry[g];
		if (st->filled_by[g] >= 0)
			st->verdicts[st->filled_by[g]].fills = st->sme_only ? SECEX_FILL_SME : (int)g;
	}
cleanup:
	free(units);
	free(match);
	free(owner);
	free(seen);
	return rc;
}

static void assign_risk_owner(judge_ctx *x)
{
	secex_approval_state *st = x->st;
	size_t i;

	st->risk_owner_by = -1;
	for (i = 0; i < st->n && st->need_risk_owner; i++) {
		const secex_verdict *v = &st->verdicts[i];

		if (v->valid && same(v->entry->by, x->head->value[SECEX_F_RISK_OWNER]) &&
		    (same(v->entry->decision, "approve") || same(v->entry->decision, "acknowledge")))
			st->risk_owner_by = (int)i;
	}
	if (st->risk_owner_by >= 0 && st->verdicts[st->risk_owner_by].fills == SECEX_FILL_NONE)
		st->verdicts[st->risk_owner_by].fills = SECEX_FILL_RISK_OWNER;
}

static int reject(secex_verdict *v, const char *code, const char *fmt, ...)
{
	secex_buf why = SECEX_BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = secex_buf_vprintf(&why, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return SECEX_ENOMEM;
	free(v->reason);
	v->reason = secex_buf_detach(&why);
	v->valid = false;
	v->code = code;
	return 0;
}

static bool person_fills_elsewhere(const secex_approval_state *st, const secex_verdict *v)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (&st->verdicts[i] != v && st->verdicts[i].fills >= 0 && same(st->verdicts[i].entry->by, v->entry->by))
			return true;
	return false;
}

/* Rules 4 and 5 for approvals that ended up filling nothing. */
static int explain_unused(judge_ctx *x)
{
	secex_approval_state *st = x->st;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < st->n; i++) {
		secex_verdict *v = &st->verdicts[i];
		const char *by = v->entry->by;

		if (!v->valid || v->fills != SECEX_FILL_NONE || !same(v->entry->decision, "approve"))
			continue;
		if (x->policy->separation_of_duties && same(by, x->head->value[SECEX_F_REQUESTOR]))
			rc = reject(v, "SX208", "%s requested this exception and cannot approve it (separation of "
				    "duties); ask another approver", by);
		else if (!group_mask(x, v))
			rc = reject(v, "SX207", "the role '%s' fills no approver group of this level; it needs an "
				    "approver in one of the roles 'secex status %s' lists", v->entry->role, x->exc->id);
		else if (x->policy->separation_of_duties && person_fills_elsewhere(st, v))
			rc = reject(v, "SX208", "%s already fills another group, and one person fills at most one "
				    "(separation of duties); ask someone else for this group", by);
	}
	return rc;
}

static bool within_threshold(const judge_ctx *x)
{
	int64_t due, orig;
	const char *d = x->head->value[SECEX_F_DUE_DATE], *o = x->head->value[SECEX_F_ORIGINAL_DUE_DATE];

	if (!x->level || !same(x->head->value[SECEX_F_TYPE], "extension") || !d || !o ||
	    !secex_date_when_parse(&due, d, strlen(d)) || !secex_date_when_parse(&orig, o, strlen(o)))
		return false;
	return due - orig <= x->level->no_escalation;
}

static void decide(secex_approval_state *st, const judge_ctx *x)
{
	size_t i, g;

	st->complete = st->level && (!st->need_risk_owner || st->risk_owner_by >= 0);
	for (g = 0; g < st->ngroups; g++)
		st->complete = st->complete && st->filled_by[g] >= 0;
	for (i = 0; i < st->n; i++) {
		const secex_verdict *v = &st->verdicts[i];
		uint32_t mask = 0;
		size_t k;

		if (!v->valid || !same(v->entry->decision, "deny"))
			continue;
		for (k = 0; x->level && k < x->level->ngroups && k < 32; k++)
			if (fills_group(x->policy, v->entry->role, &x->level->groups[k]))
				mask |= 1u << k;
		if (same(v->entry->by, x->head->value[SECEX_F_RISK_OWNER]) ||
		    (mask && v->role_held && !(x->policy->separation_of_duties && same(v->entry->by, x->head->value[SECEX_F_REQUESTOR]))))
			st->valid_deny = true;
	}
}

/* The entry about to be recorded: signed now by its person's roster key on this content. */
static int judge_proposed(secex_verdict *v, const judge_ctx *x, const secex_roster *roster)
{
	const secex_approval_fact *e = x->proposed;
	const secex_person *p = roster && e->by ? secex_roster_find(roster, e->by) : NULL;

	v->entry = e;
	v->role_held = p && e->role && secex_policy_strlist_has(&p->roles, e->role);
	v->valid = p && p->active && (v->role_held || same(e->by, x->head->value[SECEX_F_RISK_OWNER]));
	v->code = v->valid ? NULL : "SX207";
	v->fills = SECEX_FILL_NONE;
	v->superseded_by = -1;
	v->reason = strdup(v->valid ? "the decision being recorded" : "the decision being recorded is not in a "
			   "role its person holds");
	return v->reason ? 0 : secex_error_nomem();
}

/* The findings a later valid entry can make moot: the approver really decided, but the
 * decision was given in a way that cannot count (SPEC §4 rules 4 to 6, or a squash merge). */
static bool supersedable(const char *code)
{
	static const char *const codes[] = { "SX205", "SX206", "SX207", "SX208", "SX209", "SX211" };
	size_t i;

	for (i = 0; code && i < sizeof(codes) / sizeof(*codes); i++)
		if (strcmp(code, codes[i]) == 0)
			return true;
	return false;
}

/* The newest valid entry by the same person after entry i, or -1. */
static int newer_by_same(const secex_approval_state *st, size_t i)
{
	size_t k;
	int found = -1;

	for (k = i + 1; k < st->n; k++)
		if (st->verdicts[k].valid && same(st->verdicts[k].entry->by, st->verdicts[i].entry->by))
			found = (int)k;
	return found;
}

/* The valid entry that met what entry v would have filled (the groups its role fills, the
 * risk owner's requirement for the risk owner; every requirement when it names neither),
 * or -1 while any of it is open. Judged by the valid entries only: v never counts. */
static int met_without(const judge_ctx *x, const secex_verdict *v)
{
	const secex_approval_state *st = x->st;
	bool owner = st->need_risk_owner && same(v->entry->by, x->head->value[SECEX_F_RISK_OWNER]);
	secex_group sme = { x->policy->sme_roles.items, x->policy->sme_roles.n };
	int by = -1;
	size_t g;
	bool any = false;

	for (g = 0; g < st->ngroups; g++) {
		if (!fills_group(x->policy, v->entry->role, st->sme_only ? &sme : &x->level->groups[g]))
			continue;
		any = true;
		if (st->filled_by[g] < 0)
			return -1;
		by = by < 0 ? st->filled_by[g] : by;
	}
	if (owner && st->risk_owner_by < 0)
		return -1;
	if (owner && by < 0)
		by = st->risk_owner_by;
	if (!any && !owner && st->complete)
		by = st->ngroups ? st->filled_by[0] : st->risk_owner_by;
	return by;
}

/* Item 1 of issue 12: an entry that does not count stops blocking once valid entries met
 * what it would have filled, or its person gave a newer valid decision; it still counts
 * for nothing (valid stays false). */
static int supersede(const judge_ctx *x)
{
	secex_approval_state *st = x->st;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < st->n; i++) {
		secex_verdict *v = &st->verdicts[i];
		int by;
		const char *was = v->code;
		char *old;

		if (v->valid || !supersedable(v->code) || x->proposed == v->entry)
			continue;
		if ((by = newer_by_same(st, i)) < 0 && (by = met_without(x, v)) < 0)
			continue;
		old = v->reason;
		v->reason = NULL;
		rc = reject(v, "SX213", "superseded by approval %d (%s by %s), so it no longer blocks; it does not "
			    "count (%s: %s)", by + 1, st->verdicts[by].entry->decision ? st->verdicts[by].entry->decision
			    : "?", st->verdicts[by].entry->by ? st->verdicts[by].entry->by : "?", was, old ? old : "");
		free(old);
		v->superseded_by = by;
		v->was = was;
	}
	return rc;
}

static int judge_all(judge_ctx *x, const secex_roster *roster)
{
	secex_approval_state *st = x->st;
	const hist_id *rec = st->id ? secex_map_get(&x->h->ids, st->id, strlen(st->id)) : NULL;
	size_t i;
	int rc = 0;

	st->n = x->head->napprovals + (x->proposed ? 1 : 0);
	st->ngroups = st->sme_only ? 1 : x->level ? x->level->ngroups : 0;
	if (st->ngroups > 32)
		st->ngroups = 32;
	st->verdicts = calloc(st->n + 1, sizeof(*st->verdicts));
	st->filled_by = calloc(st->ngroups + 1, sizeof(*st->filled_by));
	if (!st->verdicts || !st->filled_by)
		return secex_error_nomem();
	for (i = 0; rc == 0 && i < x->head->napprovals; i++)
		rc = judge_entry(&st->verdicts[i], x, rec, &x->head->approvals[i]);
	if (rc == 0 && x->proposed)
		rc = judge_proposed(&st->verdicts[st->n - 1], x, roster);
	if (rc == 0 && (rc = assign_groups(x)) == 0) {
		assign_risk_owner(x);
		rc = explain_unused(x);
	}
	if (rc == 0) {
		decide(st, x);
		rc = supersede(x);
	}
	return rc;
}

int secex_approvals_group_roles(secex_buf *out, const secex_approval_state *st, size_t g)
{
	const secex_group *group = NULL;
	secex_group sme;
	size_t i;
	int rc = 0;

	if (st->sme_only) {
		sme.roles = st->policy->sme_roles.items;
		sme.n = st->policy->sme_roles.n;
		group = &sme;
	} else if (st->level && g < st->level->ngroups) {
		group = &st->level->groups[g];
	}
	for (i = 0; group && rc == 0 && i < group->n; i++)
		rc = secex_buf_printf(out, "%s%s", i ? ", " : "", group->roles[i]);
	return rc;
}

int secex_approvals_who_can(secex_buf *out, const secex_approval_state *st, const secex_roster *roster,
			   size_t g)
{
	const char *requestor = st->requestor;
	const secex_group *group = st->level && g < st->level->ngroups ? &st->level->groups[g] : NULL;
	secex_group sme = { st->policy->sme_roles.items, st->policy->sme_roles.n };
	size_t i, k, n = 0;
	int rc = 0;

	if (st->sme_only)
		group = &sme;
	for (i = 0; group && roster && rc == 0 && i < roster->n; i++) {
		const secex_person *p = &roster->people[i];
		bool can = false;

		for (k = 0; k < p->roles.n && !can; k++)
			can = fills_group(st->policy, p->roles.items[k], group);
		if (can && p->active && !same(p->id, requestor) && n < 6)
			rc = secex_buf_printf(out, "%s%s", n++ ? ", " : "", p->id);
	}
	return rc ? rc : n ? 0 : secex_buf_puts(out, "nobody in the roster: an admin must add one");
}

static int report_missing(const judge_ctx *x, const secex_snapshot *snap, secex_diags *diags)
{
	const secex_approval_state *st = x->st;
	uint32_t line = x->head->line[SECEX_F_ID];
	secex_buf roles = SECEX_BUF_INIT, who = SECEX_BUF_INIT;
	size_t g;
	int rc = 0;

	for (g = 0; rc == 0 && g < st->ngroups; g++) {
		if (st->filled_by[g] >= 0)
			continue;
		secex_buf_clear(&roles);
		secex_buf_clear(&who);
		if ((rc = secex_approvals_group_roles(&roles, st, g)) == 0 &&
		    (rc = secex_approvals_who_can(&who, st, snap->roster, g)) == 0)
			rc = secex_diag_add(diags, "SX201", st->file, line, 1, st->id, NULL, "this %s exception "
					     "needs an approval from one of the roles %s (who can: %s); they run "
					     "'secex approve %s'", st->level->name, secex_buf_cstr(&roles),
					     secex_buf_cstr(&who), st->id);
	}
	if (rc == 0 && st->need_risk_owner && st->risk_owner_by < 0)
		rc = secex_diag_add(diags, "SX201", st->file, line, 1, st->id, NULL, "needs the approval of its "
				     "risk owner %s (the policy requires it for a%s %s); they run 'secex approve %s'",
				     x->head->value[SECEX_F_RISK_OWNER], same(x->head->value[SECEX_F_TYPE], "acceptance")
				     ? "n" : "", x->head->value[SECEX_F_TYPE], st->id);
	secex_buf_release(&roles);
	secex_buf_release(&who);
	return rc;
}

static bool open_status(const char *s)
{
	return same(s, "requested") || same(s, "in-review") || same(s, "needs-info") || same(s, "approved");
}

static int report_consistency(const judge_ctx *x, const secex_snapshot *snap, secex_diags *diags)
{
	const secex_approval_state *st = x->st;
	const char *status = x->head->value[SECEX_F_STATUS];
	uint32_t line = x->head->line[SECEX_F_STATUS];
	int rc = 0;

	if (!st->level)
		return 0;
	if (open_status(status) && !st->complete)
		rc = report_missing(x, snap, diags);
	if (rc == 0 && same(status, "approved") && !st->complete)
		rc = secex_diag_add(diags, "SX210", st->file, line, 1, st->id, NULL, "status is approved but "
				     "the required approvals are not all there; run 'secex reopen %s' and collect "
				     "them ('secex status %s' shows what is missing)", st->id, st->id);
	if (rc == 0 && same(status, "denied") && !st->valid_deny)
		rc = secex_diag_add(diags, "SX210", st->file, line, 1, st->id, NULL, "status is denied but no "
				     "required approver or the risk owner recorded a valid deny; have one run "
				     "'secex approve %s --deny'", st->id);
	return rc;
}

static int report_verdicts(const judge_ctx *x, secex_diags *diags)
{
	const secex_approval_state *st = x->st;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < st->n; i++) {
		const secex_verdict *v = &st->verdicts[i];

		if (v->code)
			rc = secex_diag_add(diags, v->code, st->file, v->entry->line, v->entry->column, st->id,
					     *v->commit ? v->commit : NULL, "approval %zu by %s: %s", i + 1,
					     v->entry->by ? v->entry->by : "?", v->reason);
	}
	if (rc == 0 && st->sme_only) {
		char limit[32];

		secex_duration_format(limit, sizeof(limit), st->level->no_escalation);
		rc = secex_diag_add(diags, "SX212", st->file, x->head->line[SECEX_F_DUE_DATE], 1, st->id, NULL,
				     "the extension stays within the %s no-escalation threshold of its "
				     "original_due_date, so one SME approval suffices", limit);
	}
	return rc;
}

static int judge(secex_approval_state *out, secex_history *h, const secex_snapshot *snap,
		 const secex_exception *exc, const secex_approval_fact *proposed, bool consistency,
		 secex_diags *diags)
{
	secex_facts *head = NULL;
	const secex_policy *policy = h->policy ? h->policy : snap->policy; /* the rules in force */
	judge_ctx x = { h, policy, NULL, exc, NULL, out, proposed };
	int rc;

	memset(out, 0, sizeof(*out));
	out->risk_owner_by = -1;
	out->policy = policy;
	if (!exc->doc || !exc->valid)
		return 0;
	if ((rc = secex_facts_of(&head, &h->arena, policy, secex_doc_root(exc->doc))) < 0)
		return rc;
	x.head = head;
	out->id = head->value[SECEX_F_ID];
	out->title = head->value[SECEX_F_TITLE];
	out->status = head->value[SECEX_F_STATUS];
	out->requestor = head->value[SECEX_F_REQUESTOR];
	out->risk_owner = head->value[SECEX_F_RISK_OWNER];
	out->file = exc->path;
	out->level = x.level = head->value[SECEX_F_PRIORITY] ? secex_policy_level(policy, head->value[SECEX_F_PRIORITY]) : NULL;
	out->sme_only = within_threshold(&x);
	out->need_risk_owner = secex_policy_risk_owner_required(policy, head->value[SECEX_F_TYPE]);
	if ((rc = judge_all(&x, snap->roster)) < 0)
		return rc;
	/* a closed or withdrawn exception needs no approvals: nothing to report on them */
	if (diags && !secex_approvals_settled(out) && (rc = report_verdicts(&x, diags)) == 0 && consistency)
		rc = report_consistency(&x, snap, diags);
	return rc;
}

int secex_approvals_judge(secex_approval_state *out, secex_history *h, const secex_snapshot *snap,
			  const secex_exception *exc, bool consistency, secex_diags *diags)
{
	return judge(out, h, snap, exc, NULL, consistency, diags);
}

int secex_approvals_forecast(secex_approval_state *out, secex_history *h, const secex_snapshot *snap,
			     const secex_exception *exc, const secex_approval_fact *proposed)
{
	return judge(out, h, snap, exc, proposed, false, NULL);
}

size_t secex_approvals_filled(const secex_approval_state *st)
{
	size_t g, n = st->need_risk_owner && st->risk_owner_by >= 0;

	for (g = 0; st->filled_by && g < st->ngroups; g++)
		n += st->filled_by[g] >= 0;
	return n;
}

/* SPEC §2.1: the workflow. */
static const char *const workflow[][2] = {
	{ "requested", "in-review" }, { "requested", "needs-info" }, { "requested", "withdrawn" },
	{ "needs-info", "requested" }, { "needs-info", "in-review" }, { "needs-info", "withdrawn" },
	{ "in-review", "approved" }, { "in-review", "denied" }, { "in-review", "needs-info" },
	{ "in-review", "requested" }, { "in-review", "withdrawn" },
	{ "approved", "closed" }, { "approved", "in-review" }, { "denied", "closed" },
};

bool secex_approvals_transition_ok(const char *from, const char *to)
{
	size_t i;

	for (i = 0; from && to && i < sizeof(workflow) / sizeof(*workflow); i++)
		if (strcmp(workflow[i][0], from) == 0 && strcmp(workflow[i][1], to) == 0)
			return true;
	return false;
}

int secex_approvals_status_next(secex_buf *out, const char *from)
{
	size_t i, n = 0;
	int rc = 0;

	for (i = 0; from && rc == 0 && i < sizeof(workflow) / sizeof(*workflow); i++)
		if (strcmp(workflow[i][0], from) == 0)
			rc = secex_buf_printf(out, "%s%s", n++ ? ", " : "", workflow[i][1]);
	return rc ? rc : n ? 0 : secex_buf_puts(out, "none (final)");
}

bool secex_approvals_settled(const secex_approval_state *st)
{
	return same(st->status, "closed") || same(st->status, "withdrawn");
}

void secex_approvals_state_release(secex_approval_state *st)
{
	size_t i;

	for (i = 0; st->verdicts && i < st->n; i++)
		free(st->verdicts[i].reason);
	free(st->verdicts);
	free(st->filled_by);
	memset(st, 0, sizeof(*st));
}

bool secex_approvals_verified(const secex_approval_state *st)
{
	return same(st->status, "approved") && st->complete && !st->valid_deny;
}

int secex_approvals_claims(secex_approval_claim **out, secex_history *h, const secex_snapshot *snap)
{
	size_t i;
	int rc = 0;

	if (!(*out = calloc(snap->n + 1, sizeof(**out))))
		return secex_error_nomem();
	for (i = 0; rc == 0 && i < snap->n; i++) {
		const secex_exception *e = &snap->items[i];
		secex_approval_state st;
		const char *status = e->doc ? secex_node_str(secex_node_get(secex_doc_root(e->doc), "status")) : NULL;

		(*out)[i] = SECEX_CLAIM_NONE;
		if (!e->valid || !same(status, "approved"))
			continue;
		if ((rc = secex_approvals_judge(&st, h, snap, e, false, NULL)) == 0)
			(*out)[i] = secex_approvals_verified(&st) ? SECEX_CLAIM_VERIFIED : SECEX_CLAIM_INVALID;
		secex_approvals_state_release(&st);
	}
	if (rc < 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}
