/* The history audit (SPEC §5): each change an exception or .secex/ went through, judged. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>
#include "secex/history.h"
#include "history_int.h"
#include "../git/repo_int.h"
#include "secex/banned.h"

/* Where a finding happened, as every audit message ends: commit, author, signer, date. */
typedef struct {
	secex_history *h;
	git_commit *commit; /* NULL until a finding needs it (secex_audit_change) */
	const git_oid *id;
	git_commit *owned;  /* read here */
	char hex[GIT_OID_HEXSZ + 1];
	secex_buf said;
} audit_ctx;

static void ctx_init(audit_ctx *c, secex_history *h, git_commit *commit, const git_oid *id)
{
	c->h = h;
	c->commit = commit;
	c->id = commit ? git_commit_id(commit) : id;
	c->owned = NULL;
	memset(&c->said, 0, sizeof(c->said));
	git_oid_tostr(c->hex, sizeof(c->hex), c->id);
}

static void ctx_release(audit_ctx *c)
{
	secex_buf_release(&c->said);
	git_commit_free(c->owned);
}

/* "in commit 1a2b3c by Name <email> on DATE, signed by X": made only for a finding. */
static const char *said(audit_ctx *c)
{
	const git_signature *a;
	int64_t t;
	char date[11];

	if (c->said.size)
		return c->said.ptr;
	if (!c->commit && git_commit_lookup(&c->owned, c->h->git, c->id) == 0)
		c->commit = c->owned;
	if (!c->commit) {
		git_error_clear();
		return "(the commit could not be read)";
	}
	a = git_commit_author(c->commit);
	t = git_commit_time(c->commit) + git_commit_time_offset(c->commit) * 60;
	secex_date_format(date, t / 86400 - (t % 86400 < 0));
	if (secex_buf_printf(&c->said, "in commit %.12s by %s <%s> on %s, ", c->hex, a && a->name ? a->name : "?",
			     a && a->email ? a->email : "?", date) < 0 ||
	    secex_trust_describe_signer(&c->said, c->h, c->commit) < 0)
		secex_buf_puts(&c->said, "(signer unknown: the commit could not be read)");
	return secex_buf_cstr(&c->said);
}

static const char *val(const secex_facts *f, secex_field field)
{
	return f && f->value[field] ? f->value[field] : "(none)";
}

static bool differs(const secex_facts *a, const secex_facts *b, secex_field field)
{
	const char *x = a->value[field], *y = b->value[field];

	return (x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0);
}

#define ADD(c, code, path, line, id, ...) \
	secex_diag_add((c)->h->diags, code, path, line, (line) ? 1 : 0, id, (c)->hex, __VA_ARGS__)

static int64_t rank_of(const secex_policy *p, const char *level)
{
	const secex_level *l = level ? secex_policy_level(p, level) : NULL;

	return l ? l->rank : -1;
}

/* Records a finding that an approval given later (in a descendant commit, still present
 * at the end) settles; the message is built from fmt. */
static int pend(audit_ctx *c, const hist_change *ch, const char *code, const char *level, uint32_t line,
		const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 6, 7)))
#endif
	;

/* level: the approval that settles it must come from an approver of this level's groups. */
static int pend(audit_ctx *c, const hist_change *ch, const char *code, const char *level, uint32_t line,
		const char *fmt, ...)
{
	hist_pending *p = calloc(1, sizeof(*p));
	secex_buf msg = SECEX_BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = secex_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (!p || rc < 0 || !(p->path = secex_util_strndup(ch->path, strlen(ch->path))) ||
	    (level && !(p->level = secex_util_strndup(level, strlen(level))))) {
		if (p)
			free(p->path);
		free(p);
		secex_buf_release(&msg);
		return secex_error_nomem();
	}
	p->code = code;
	p->rec = ch->rec;
	git_oid_cpy(&p->commit, c->id);
	p->line = line;
	p->message = secex_buf_detach(&msg);
	return secex_vec_push(&c->h->pending, p);
}

static int audit_priority(audit_ctx *c, const hist_change *ch)
{
	int64_t a = rank_of(c->h->policy, ch->old->value[SECEX_F_PRIORITY]);
	int64_t b = rank_of(c->h->policy, ch->new->value[SECEX_F_PRIORITY]);
	uint32_t line = ch->new->line[SECEX_F_PRIORITY];

	if (!differs(ch->old, ch->new, SECEX_F_PRIORITY) || a < 0 || b < 0 || a == b)
		return 0;
	if (b < a)
		return pend(c, ch, "SX401", ch->old->value[SECEX_F_PRIORITY], line, "priority lowered from %s to "
			    "%s %s; a lower priority needs fewer approvers and a longer SLA: an approver of the "
			    "old level (%s) must review the re-rating and approve it (secex approve %s)",
			    val(ch->old, SECEX_F_PRIORITY), val(ch->new, SECEX_F_PRIORITY), said(c),
			    val(ch->old, SECEX_F_PRIORITY), ch->rec->id);
	return pend(c, ch, "SX402", ch->new->value[SECEX_F_PRIORITY], line, "priority raised from %s to %s %s; check whether this is an "
		    "incident and whether the shorter SLA is already missed, then have it approved again at "
		    "the new level", val(ch->old, SECEX_F_PRIORITY), val(ch->new, SECEX_F_PRIORITY), said(c));
}

/* A new risk owner after decisions were recorded: an insider could name one who agrees. */
static int audit_risk_owner(audit_ctx *c, const hist_change *ch)
{
	if (!differs(ch->old, ch->new, SECEX_F_RISK_OWNER) || !ch->old->napprovals)
		return 0;
	return pend(c, ch, "SX411", ch->old->value[SECEX_F_PRIORITY],
		    ch->new->line[SECEX_F_RISK_OWNER] ? ch->new->line[SECEX_F_RISK_OWNER] : ch->new->line[SECEX_F_ID],
		    "risk owner changed from %s to %s %s, after decisions were recorded; an approver of the "
		    "%s level must review the change and approve it (secex approve %s)",
		    val(ch->old, SECEX_F_RISK_OWNER), val(ch->new, SECEX_F_RISK_OWNER), said(c),
		    val(ch->old, SECEX_F_PRIORITY), ch->rec->id);
}

static bool when_of(int64_t *out, const char *s)
{
	return s && secex_date_when_parse(out, s, strlen(s));
}

static int pend_extension(audit_ctx *c, const hist_change *ch, int64_t over)
{
	const secex_level *l = secex_policy_level(c->h->policy, ch->new->value[SECEX_F_PRIORITY]);
	char limit[32];

	secex_duration_format(limit, sizeof(limit), l->no_escalation);
	return pend(c, ch, "SX404", l->name, ch->new->line[SECEX_F_DUE_DATE], "due date extended from %s to %s %s, "
		    "%lld day(s) past the %s no-escalation threshold of a %s exception, and no approval was "
		    "given after the change; have the level's approvers approve it (secex approve %s)",
		    val(ch->old, SECEX_F_DUE_DATE), val(ch->new, SECEX_F_DUE_DATE), said(c),
		    (long long)((over + 86399) / 86400), limit, l->name, ch->rec->id);
}

static int audit_due(audit_ctx *c, const hist_change *ch)
{
	const secex_level *l = secex_policy_level(c->h->policy, val(ch->new, SECEX_F_PRIORITY));
	int64_t old, new, base;
	int rc = 0;

	if (differs(ch->old, ch->new, SECEX_F_DUE_DATE))
		rc = ADD(c, "SX403", ch->path, ch->new->line[SECEX_F_DUE_DATE], ch->rec->id,
			 "due date changed from %s to %s %s", val(ch->old, SECEX_F_DUE_DATE),
			 val(ch->new, SECEX_F_DUE_DATE), said(c));
	if (rc || !l || !when_of(&old, ch->old->value[SECEX_F_DUE_DATE]) ||
	    !when_of(&new, ch->new->value[SECEX_F_DUE_DATE]) || new <= old)
		return rc;
	if (!when_of(&base, ch->new->value[SECEX_F_ORIGINAL_DUE_DATE]))
		base = old;
	return new - base > l->no_escalation ? pend_extension(c, ch, new - base - l->no_escalation) : 0;
}

static int audit_original(audit_ctx *c, const hist_change *ch)
{
	const secex_facts *n = ch->new;

	if (!ch->old->value[SECEX_F_ORIGINAL_DUE_DATE] || !differs(ch->old, n, SECEX_F_ORIGINAL_DUE_DATE))
		return 0;
	return ADD(c, "SX405", ch->path, n->line[SECEX_F_ORIGINAL_DUE_DATE] ? n->line[SECEX_F_ORIGINAL_DUE_DATE]
		   : n->line[SECEX_F_ID], ch->rec->id, "original_due_date rewritten from %s to %s %s; it records "
		   "the remediation date before the request and must not change: restore it",
		   val(ch->old, SECEX_F_ORIGINAL_DUE_DATE), val(n, SECEX_F_ORIGINAL_DUE_DATE), said(c));
}

static int audit_status(audit_ctx *c, const hist_change *ch)
{
	const char *from = ch->old->value[SECEX_F_STATUS], *to = ch->new->value[SECEX_F_STATUS];
	bool final = from && (strcmp(from, "closed") == 0 || strcmp(from, "withdrawn") == 0);

	if (!from || !to || strcmp(from, to) == 0 || secex_approvals_transition_ok(from, to))
		return 0;
	if (final)
		return ADD(c, "SX406", ch->path, ch->new->line[SECEX_F_STATUS], ch->rec->id, "status changed from %s "
			   "to %s %s, which the workflow does not allow: a closed or withdrawn exception is final; "
			   "drop the commit from the branch ('git rebase -i') and open a new request with a new id "
			   "(secex new)", from, to, said(c));
	return ADD(c, "SX406", ch->path, ch->new->line[SECEX_F_STATUS], ch->rec->id, "status changed from %s to "
		   "%s %s, which the workflow does not allow; setting it back does not undo the commit: drop or "
		   "fix it on the unmerged branch ('git rebase -i'), then change the status with the command "
		   "for the step (secex review, approve, withdraw, close, reopen), which follow the workflow",
		   from, to, said(c));
}

static int audit_edit(audit_ctx *c, const hist_change *ch)
{
	const char *from = ch->old->value[SECEX_F_STATUS], *to = ch->new->value[SECEX_F_STATUS];

	if (!from || !to || strcmp(from, "approved") != 0 || strcmp(to, "approved") != 0 ||
	    memcmp(ch->old->substantive, ch->new->substantive, SECEX_DIGEST_SIZE) == 0)
		return 0;
	return ADD(c, "SX407", ch->path, ch->new->line[SECEX_F_ID], ch->rec->id, "approved exception edited "
		   "substantively %s; its approvals are now stale: run 'secex reopen %s' and have it "
		   "approved again", said(c), ch->rec->id);
}

static int audit_approvals(audit_ctx *c, const hist_change *ch)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < ch->old->napprovals; i++) {
		const secex_approval_fact *a = &ch->old->approvals[i];
		bool rewritten = i < ch->new->napprovals && !secex_facts_has(ch->old, ch->new->approvals[i].digest);

		if (secex_facts_has(ch->new, a->digest))
			continue;
		rc = ADD(c, "SX408", ch->path, rewritten ? ch->new->approvals[i].line : ch->new->line[SECEX_F_ID],
			 ch->rec->id, "approval entry %zu (%s by %s) %s %s; recorded decisions are never edited or "
			 "removed: restore it, and record a new decision instead", i + 1,
			 a->decision ? a->decision : "?", a->by ? a->by : "?", rewritten ? "rewritten" : "removed",
			 said(c));
	}
	return rc;
}

static int audit_added(audit_ctx *c, const hist_change *ch)
{
	const secex_facts *n = ch->new, *last = ch->rec->last;
	const char *status = n->value[SECEX_F_STATUS];
	int rc = 0;

	if (last && ch->rec->seen && (differs(last, n, SECEX_F_CREATED) || differs(last, n, SECEX_F_TITLE)))
		rc = ADD(c, "SX410", ch->path, n->line[SECEX_F_ID], ch->rec->id, "id %s reused %s: it named "
			 "'%s' (created %s) before; give the new exception the next free id", ch->rec->id,
			 said(c), val(last, SECEX_F_TITLE), val(last, SECEX_F_CREATED));
	if (rc == 0 && status && strcmp(status, "requested") != 0)
		rc = ADD(c, "SX406", ch->path, n->line[SECEX_F_STATUS], ch->rec->id, "new exception starts as "
			 "%s %s; a new exception starts as requested and is reviewed before any decision", status,
			 said(c));
	return rc;
}

static int audit_deleted(audit_ctx *c, const hist_change *ch)
{
	const char *status = ch->old->value[SECEX_F_STATUS];

	if (status && (strcmp(status, "closed") == 0 || strcmp(status, "withdrawn") == 0))
		return 0;
	return ADD(c, "SX409", ch->path, 0, ch->rec->id, "exception file deleted while %s %s; the record "
		   "must stay: restore it ('git checkout %.12s^ -- %s') and run 'secex close %s' (or 'secex "
		   "withdraw %s') instead", val(ch->old, SECEX_F_STATUS), said(c), c->hex, ch->path, ch->rec->id,
		   ch->rec->id);
}

int secex_audit_change(secex_history *h, const hist_change *ch)
{
	audit_ctx c;
	int rc;

	ctx_init(&c, h, ch->commit, ch->id);
	if (!ch->old)
		rc = audit_added(&c, ch);
	else if (!ch->new)
		rc = audit_deleted(&c, ch);
	else if ((rc = audit_priority(&c, ch)) == 0 && (rc = audit_risk_owner(&c, ch)) == 0 &&
		 (rc = audit_due(&c, ch)) == 0 &&
		 (rc = audit_original(&c, ch)) == 0 && (rc = audit_status(&c, ch)) == 0 &&
		 (rc = audit_edit(&c, ch)) == 0)
		rc = audit_approvals(&c, ch);
	ctx_release(&c);
	return rc;
}

static bool is_admin(const secex_policy *p, const secex_person *person)
{
	size_t i, k;

	for (i = 0; person && i < person->roles.n; i++)
		for (k = 0; k < p->admin_roles.n; k++)
			if (secex_policy_role_implies(p, person->roles.items[i], p->admin_roles.items[k]))
				return true;
	return false;
}

static int list_paths(secex_buf *out, const secex_vec *paths)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < paths->n; i++)
		rc = secex_buf_printf(out, "%s.secex/%s", i ? ", " : "", (const char *)paths->items[i]);
	return rc;
}

static int not_admin(audit_ctx *c, const secex_vec *paths, const secex_policy *p, const secex_person *signer,
		     const hist_sig *sig, bool merge)
{
	secex_buf files = SECEX_BUF_INIT;
	char roles[128];
	bool lost = sig->state == SECEX_COMMIT_UNSIGNED && secex_trust_looks_merged_by_forge(c->commit);
	int rc;

	snprintf(roles, sizeof(roles), "%s", p->admin_roles.n ? p->admin_roles.items[0] : "secex-admin");
	if ((rc = list_paths(&files, paths)) == 0)
		rc = ADD(c, "SX301", ".secex", 0, NULL, "%s changed %s%s%s%s; changes to .secex/ must be "
			 "signed by a person with an admin role (%s) in the roster before the change: revert it, "
			 "or have an admin make it in a signed commit; until then secex keeps judging by the "
			 ".secex/ that was last changed with authority", files.ptr, said(c),
			 signer ? ", who holds no admin role" : "", merge ? " (a merge's own change must be "
			 "authorised by the rules of every parent)" : "", lost ? " (this looks like a squash or "
			 "rebase merge, which drops signatures: merge with a merge commit instead)" : "", roles);
	secex_buf_release(&files);
	return rc;
}

/* The length of "type base64" in an SSH key line: the comment does not make another key. */
static size_t key_text_len(const char *s)
{
	size_t n = strcspn(s, " ");

	return s[n] ? n + 1 + strcspn(s + n + 1, " ") : n;
}

static bool key_same(const secex_key *a, const secex_key *b)
{
	const char *x = a->kind == SECEX_KEY_SSH ? a->ssh : a->fingerprint;
	const char *y = b->kind == SECEX_KEY_SSH ? b->ssh : b->fingerprint;

	if (a->kind != b->kind || !x || !y)
		return false;
	return key_text_len(x) == key_text_len(y) && strncmp(x, y, key_text_len(x)) == 0;
}

static const char *granted(const secex_person *before, const secex_person *after, char *what, size_t len)
{
	size_t i, k;

	for (i = 0; i < after->roles.n; i++)
		if (!before || !secex_policy_strlist_has(&before->roles, after->roles.items[i])) {
			snprintf(what, len, "role %s", after->roles.items[i]);
			return what;
		}
	for (i = 0; i < after->nkeys; i++) {
		bool had = false;

		for (k = 0; before && k < before->nkeys && !had; k++)
			had = key_same(&before->keys[k], &after->keys[i]);
		if (!had) {
			snprintf(what, len, "a signing key");
			return what;
		}
	}
	return NULL;
}

static const char *granter_id(audit_ctx *c, const secex_person *signer, const hist_roster *after)
{
	const git_signature *a = git_commit_author(c->commit);
	size_t i;

	if (signer)
		return signer->id;
	for (i = 0; after->roster && a && a->email && i < after->roster->n; i++)
		if (after->roster->people[i].email && strcmp(after->roster->people[i].email, a->email) == 0)
			return after->roster->people[i].id;
	return NULL;
}

static int self_granted(audit_ctx *c, const hist_roster *before, const secex_person *signer)
{
	const hist_roots *r = secex_map_get(&c->h->roots, git_commit_id(c->commit)->id, GIT_OID_RAWSZ);
	hist_roster *after;
	const secex_person *mine, *old;
	const char *who;
	char what[160];
	int rc;

	if (!r)
		return 0;
	if ((rc = secex_trust_roster_of(&after, c->h, r->own)) < 0 || !after->roster ||
	    !(who = granter_id(c, signer, after)) || !(mine = secex_roster_find(after->roster, who)))
		return rc;
	old = before->roster ? secex_roster_find(before->roster, who) : NULL;
	if (!granted(old, mine, what, sizeof(what)))
		return 0;
	return ADD(c, "SX302", SECEX_PEOPLE_PATH, mine->line, NULL, "%s granted %s to themselves %s; keys and "
		   "roles must be granted by another admin: revert the change and ask one", who, what, said(c));
}

/* Whether the signer holds an admin role in the rules of parent p; *signer gets who it is. */
static int admin_in(bool *out, const secex_person **signer, const secex_policy **policy, secex_history *h,
		    const hist_roots *p, const hist_sig *sig)
{
	hist_roster *roster;
	const secex_key *key;
	int rc;

	*out = false;
	if ((rc = secex_rules_policy_of(policy, h, p->rules)) < 0 || (rc = secex_trust_roster_of(&roster, h, p->rules)) < 0)
		return rc;
	*signer = secex_trust_signer(roster, sig, &key);
	*out = is_admin(*policy, *signer);
	return 0;
}

static bool changes_people(const secex_vec *paths)
{
	size_t i;

	for (i = 0; i < paths->n; i++)
		if (strcmp(paths->items[i], &SECEX_PEOPLE_PATH[7]) == 0) /* below .secex/ */
			return true;
	return false;
}

int secex_audit_governance(secex_history *h, git_commit *commit, const hist_roots *const *p, size_t n,
			  const secex_vec *paths, bool *authorised)
{
	const secex_person *signer = NULL, *first = NULL;
	const secex_policy *policy = NULL, *first_policy = NULL;
	hist_roster *before = NULL;
	hist_sig *sig = NULL;
	audit_ctx c = { 0 };
	bool report = h->opts.audit && secex_history_in_range(h, git_commit_id(commit)), admin = n > 0;
	size_t i;
	int rc;

	*authorised = false;
	if ((rc = secex_trust_commit_sig(&sig, h, git_commit_id(commit))) < 0 ||
	    (rc = secex_rules_policy_of(&first_policy, h, secex_rules_at(h, NULL))) < 0)
		return rc;
	for (i = 0; rc == 0 && i < n && admin; i++) {
		rc = admin_in(&admin, &signer, &policy, h, p[i], sig);
		if (rc == 0 && i == 0)
			first = signer, first_policy = policy;
	}
	if (rc < 0)
		return rc;
	*authorised = admin;
	if (!report)
		return 0;
	ctx_init(&c, h, commit, git_commit_id(commit));
	if (!admin)
		rc = not_admin(&c, paths, first_policy, first, sig, n > 1);
	if (rc == 0 && n && changes_people(paths) && (rc = secex_trust_roster_of(&before, h, p[0]->rules)) == 0)
		rc = self_granted(&c, before, first);
	ctx_release(&c);
	return rc;
}

/* The person who validly signed the intro's commit as by, in the rules of every parent. */
static int signer_of(const secex_person **out, secex_history *h, const hist_intro *in, const char *by)
{
	git_commit *c = NULL;
	hist_sig *sig = NULL;
	unsigned k, n;
	int rc = 0;

	*out = NULL;
	if (git_commit_lookup(&c, h->git, &in->commit) < 0)
		return secex_repo_git_fail(SECEX_EREPO, "cannot read an approval commit");
	n = git_commit_parentcount(c);
	for (k = 0; rc == 0 && k < n; k++) { /* rosters first: they fill the OpenPGP keyring */
		git_commit *parent = NULL;
		hist_roster *r;

		if (git_commit_parent(&parent, c, k) < 0)
			rc = secex_repo_git_fail(SECEX_EREPO, "cannot read a parent commit");
		else
			rc = secex_trust_roster_at(&r, h, parent);
		git_commit_free(parent);
	}
	if (rc == 0 && n)
		rc = secex_trust_commit_sig(&sig, h, &in->commit);
	for (k = 0; rc == 0 && sig && k < n; k++) {
		git_commit *parent = NULL;
		hist_roster *r;
		const secex_key *key;
		const secex_person *p;

		if (git_commit_parent(&parent, c, k) < 0 || (rc = secex_trust_roster_at(&r, h, parent)) < 0) {
			git_commit_free(parent);
			break;
		}
		p = secex_trust_signer(r, sig, &key);
		git_commit_free(parent);
		if (!p || !p->active || !by || strcmp(p->id, by) != 0) {
			*out = NULL;
			break;
		}
		if (k == 0)
			*out = p;
	}
	git_commit_free(c);
	return rc;
}

static bool approves_level(const secex_policy *policy, const secex_person *who, const char *level_name)
{
	const secex_level *l = level_name ? secex_policy_level(policy, level_name) : NULL;
	size_t g, r, k;

	if (!level_name)
		return true;
	for (g = 0; l && g < l->ngroups; g++)
		for (r = 0; r < l->groups[g].n; r++)
			for (k = 0; k < who->roles.n; k++)
				if (secex_policy_role_implies(policy, who->roles.items[k], l->groups[g].roles[r]))
					return true;
	return false;
}

/* Whether a valid approval, given in the finding's commit or after it and still recorded,
 * settles the finding: signed by its approver, who fills a group of the pending level. */
static int approved_after(bool *out, secex_history *h, const hist_pending *p)
{
	const hist_intro *in;
	size_t i;
	int rc = 0;

	*out = false;
	for (in = p->rec->intros; rc == 0 && in && !*out; in = in->next)
		for (i = 0; rc == 0 && p->rec->last && i < p->rec->last->napprovals && !*out; i++) {
			const secex_approval_fact *a = &p->rec->last->approvals[i];
			const secex_person *who;

			if (memcmp(a->digest, in->entry, SECEX_DIGEST_SIZE) != 0 || !a->decision ||
			    strcmp(a->decision, "approve") != 0)
				continue;
			if (!git_oid_equal(&in->commit, &p->commit) &&
			    git_graph_descendant_of(h->git, &in->commit, &p->commit) != 1)
				continue;
			if ((rc = signer_of(&who, h, in, a->by)) == 0 && who)
				*out = approves_level(h->policy, who, p->level);
		}
	return rc;
}

/* Whether someone active who holds an admin role of policy has a key in r. */
static bool admin_with_key(const secex_policy *policy, const hist_roster *r)
{
	size_t i, a, k;

	for (i = 0; i < r->nkeys; i++) {
		const secex_person *p = r->keys[i].person;

		for (a = 0; p->active && a < policy->admin_roles.n; a++)
			for (k = 0; k < p->roles.n; k++)
				if (secex_policy_role_implies(policy, p->roles.items[k], policy->admin_roles.items[a]))
					return true;
	}
	return false;
}

/* SX306: a trust root whose roster gives no admin a key, after which nothing in .secex/ can
 * ever be changed with authority. */
static int root_without_admin_key(secex_history *h)
{
	const hist_rules *rules = secex_rules_at(h, &h->root);
	const secex_policy *policy = NULL;
	hist_roster *r = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	if ((rc = secex_rules_policy_of(&policy, h, rules)) < 0 || (rc = secex_trust_roster_of(&r, h, rules)) < 0)
		return rc;
	if (!policy || !r || !r->roster || admin_with_key(policy, r))
		return 0;
	git_oid_tostr(hex, sizeof(hex), &h->root);
	return secex_diag_add(h->diags, "SX306", SECEX_PEOPLE_PATH, 0, 0, NULL, hex,
			       "the roster of the trust root %.12s gives no active admin a signing key, so no "
			       "later change of .secex/ can be authorised (SX301); add your public key to your "
			       "entry (keys:) in %s, commit that, and pin that commit: "
			       "git config secex.trustRoot $(git rev-parse HEAD) (in CI: --trust-root or "
			       "SECEX_TRUST_ROOT)", hex, SECEX_PEOPLE_PATH);
}

int secex_audit_finish(secex_history *h)
{
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;
	int rc = 0;

	if (h->root_known && (rc = root_without_admin_key(h)) < 0)
		return rc;

	if (h->root_known && !h->root_pinned) {
		git_oid_tostr(hex, sizeof(hex), &h->root);
		rc = secex_diag_add(h->diags, "SX303", NULL, 0, 0, NULL, hex, "the trust root is not pinned, so "
				     "commit %.12s (the first with .secex/) is trusted as it is; pin it with "
				     "--trust-root %s, SECEX_TRUST_ROOT or 'git config secex.trustRoot %s'", hex, hex, hex);
	}
	for (i = 0; rc == 0 && i < h->pending.n; i++) {
		const hist_pending *p = h->pending.items[i];
		bool settled;

		if ((rc = approved_after(&settled, h, p)) < 0)
			break;
		if (settled)
			continue;
		git_oid_tostr(hex, sizeof(hex), &p->commit);
		rc = secex_diag_add(h->diags, p->code, p->path, p->line, p->line ? 1 : 0, p->rec->id, hex, "%s",
				     p->message);
	}
	return rc;
}

/* The .secex/ paths where the head's tree and the rules in force differ, into out. */
static int unauthorised_paths(secex_buf *out, const hist_roots *head)
{
	const hist_rules *both[2] = { head->own, head->rules };
	char full[512];
	size_t i, k;
	int rc = 0;

	for (i = 0; rc == 0 && i < 2; i++)
		for (k = 0; rc == 0 && k < both[i]->n; k++) {
			const git_oid *a, *b;

			snprintf(full, sizeof(full), ".secex/%s", both[i]->files[k].path);
			a = secex_rules_blob(head->own, full);
			b = secex_rules_blob(head->rules, full);
			if ((a && b && git_oid_equal(a, b)) || (i == 0 && !a) || (i == 1 && (a || !b)))
				continue;
			rc = secex_buf_printf(out, "%s%s", out->size ? ", " : "", full);
		}
	return rc;
}

static int head_unauthorised(secex_history *h, const hist_roots *head)
{
	secex_buf files = SECEX_BUF_INIT;
	char from[GIT_OID_HEXSZ + 1] = "";
	int rc;

	if (!git_oid_is_zero(&head->rules->from))
		git_oid_tostr(from, sizeof(from), &head->rules->from);
	rc = unauthorised_paths(&files, head);
	if (rc == 0 && !files.size)
		rc = secex_buf_puts(&files, ".secex/");
	if (rc == 0)
		rc = secex_diag_add(h->diags, "SX301", ".secex", 0, 0, NULL, h->head, "%s at %.12s differs from "
				     "what authorised changes made of .secex/: a change since the trust root was "
				     "not signed by an admin (the SX301 findings of 'secex audit' name it); secex "
				     "judges by the authorised version%s%.12s until an admin makes the change in a "
				     "signed commit or it is reverted", files.ptr, h->head, *from ? " of commit " : "",
				     from);
	secex_buf_release(&files);
	return rc;
}

/* A symbolic link, submodule or file put in the place of dir by this commit (in range). */
int secex_audit_not_dir(secex_history *h, const git_oid *commit, const char *dir)
{
	char hex[GIT_OID_HEXSZ + 1];

	if (!h->opts.audit || !secex_history_in_range(h, commit))
		return 0;
	git_oid_tostr(hex, sizeof(hex), commit);
	return secex_diag_add(h->diags, "SX109", dir, 0, 0, NULL, hex, "commit %.12s put a symbolic link, "
			       "submodule or file in the place of the directory '%s'; secex reads only a real "
			       "directory there (nothing under it counts now): replace it with the directory "
			       "itself", hex, dir);
}

int secex_audit_head(secex_history *h, const hist_roots *head)
{
	return secex_rules_equal(head->own, head->rules) ? 0 : head_unauthorised(h, head);
}
