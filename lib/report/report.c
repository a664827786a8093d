/* The weekly digest's model (SPEC §6): per risk owner, what expired, what expires soon, what
 * awaits approval, and the one thing the owner must do about each. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "secex/health.h"
#include "secex/list.h"
#include "secex/report.h"
#include "report_int.h"
#include "secex/banned.h"

#define MAX_GROUPS 32

/* Which requirements are filled, from the judged history or from the file as written. */
typedef struct {
	const secex_level *level;
	bool sme_only, need_owner, owner_done;
	size_t ngroups;
	const char *filled[MAX_GROUPS]; /* who filled group g, or NULL */
} fill_state;

/* One exception for the report, before it is grouped by owner. */
typedef struct {
	const char *owner;
	size_t seq; /* in the order found: the findings of one exception stay in report order */
	secex_report_item item;
} pending_item;

typedef struct {
	secex_report *r;
	const secex_snapshot *snap;
	const secex_report_options *opts;
	secex_vec items; /* pending_item * */
} builder;

static bool same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static const char *field(const secex_exception *e, const char *name)
{
	return secex_node_str(secex_node_get(secex_doc_root(e->doc), name));
}

static const char *name_of(const secex_person *p)
{
	return p->name ? p->name : p->id;
}

static int keep(const char **out, secex_report *r, const secex_buf *b)
{
	*out = secex_arena_strndup(&r->arena, secex_buf_cstr(b), b->size);
	return *out ? 0 : secex_error_nomem();
}

/* ---- which approvals are still missing ---- */

static bool fills(const secex_policy *p, const char *role, const secex_group *g)
{
	size_t i;

	for (i = 0; role && i < g->n; i++)
		if (secex_policy_role_implies(p, role, g->roles[i]))
			return true;
	return false;
}

static secex_group group_of(const secex_policy *p, const fill_state *fs, size_t g)
{
	secex_group sme = { p->sme_roles.items, p->sme_roles.n };

	return fs->sme_only ? sme : fs->level->groups[g];
}

static bool holds_group_role(const secex_policy *p, const secex_person *person, const secex_group *g)
{
	size_t k;

	for (k = 0; k < person->roles.n; k++)
		if (fills(p, person->roles.items[k], g))
			return true;
	return false;
}

/* Whether id fills a group other than g. */
static bool fills_other(const fill_state *fs, size_t g, const char *id)
{
	size_t k;

	for (k = 0; k < fs->ngroups; k++)
		if (k != g && same(fs->filled[k], id))
			return true;
	return false;
}

/* Who could fill group g: active, not the requestor, not already filling another group. */
static int candidates(secex_report *r, secex_report_need *need, const secex_snapshot *snap,
		      const fill_state *fs, size_t g, const char *requestor)
{
	const secex_roster *roster = snap->roster;
	secex_group group = group_of(snap->policy, fs, g);
	size_t i;

	need->who = secex_arena_alloc(&r->arena, sizeof(*need->who) * SECEX_REPORT_MAX_WHO);
	SECEX_ERROR_CHECK_ALLOC(need->who);
	for (i = 0; roster && i < roster->n; i++) {
		const secex_person *p = &roster->people[i];

		if (!p->active || same(p->id, requestor) || !holds_group_role(snap->policy, p, &group) ||
		    (snap->policy->separation_of_duties && fills_other(fs, g, p->id)))
			continue;
		if (need->nwho < SECEX_REPORT_MAX_WHO)
			need->who[need->nwho++] = p;
		else
			need->more++;
	}
	return 0;
}

static int group_need(secex_report *r, secex_report_need *need, const secex_snapshot *snap,
		      const fill_state *fs, size_t g, const char *requestor)
{
	secex_group group = group_of(snap->policy, fs, g);
	secex_buf b = SECEX_BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < group.n; i++)
		rc = secex_buf_printf(&b, "%s%s", i ? ", " : "", group.roles[i]);
	if (rc == 0 && (rc = keep(&need->roles, r, &b)) == 0) {
		secex_buf_clear(&b);
		rc = fs->sme_only ? secex_buf_puts(&b, "SME approval") : secex_buf_printf(&b, "group %zu", g + 1);
	}
	if (rc == 0)
		rc = keep(&need->label, r, &b);
	secex_buf_release(&b);
	return rc ? rc : candidates(r, need, snap, fs, g, requestor);
}

static int owner_need(secex_report *r, secex_report_need *need, const secex_snapshot *snap, const char *owner)
{
	const secex_person *p = secex_roster_find(snap->roster, owner);

	need->label = "risk owner";
	need->who = secex_arena_alloc(&r->arena, sizeof(*need->who));
	SECEX_ERROR_CHECK_ALLOC(need->who);
	if (p && p->active)
		need->who[need->nwho++] = p;
	return 0;
}

static int needs_of(builder *b, secex_report_item *item, const fill_state *fs, const secex_exception *e)
{
	size_t g, n = 0;
	int rc = 0;

	item->needs = secex_arena_alloc(&b->r->arena, sizeof(*item->needs) * (fs->ngroups + 1));
	SECEX_ERROR_CHECK_ALLOC(item->needs);
	for (g = 0; rc == 0 && g < fs->ngroups; g++)
		if (!fs->filled[g])
			rc = group_need(b->r, &item->needs[n++], b->snap, fs, g, field(e, "requestor"));
	if (rc == 0 && fs->need_owner && !fs->owner_done)
		rc = owner_need(b->r, &item->needs[n++], b->snap, field(e, "risk_owner"));
	item->nneeds = n;
	return rc;
}

static bool within_threshold(const secex_level *level, const secex_exception *e)
{
	const char *d = field(e, "due_date"), *o = field(e, "original_due_date");
	int64_t due, orig;

	if (!same(field(e, "type"), "extension") || !d || !o || !secex_date_when_parse(&due, d, strlen(d)) ||
	    !secex_date_when_parse(&orig, o, strlen(o)))
		return false;
	return due - orig <= level->no_escalation;
}

/* One approvals entry taken as written: the roster must give the person that role, and
 * separation of duties holds; signatures and history are not looked at. */
static void fill_from_entry(fill_state *fs, const secex_snapshot *snap, const secex_exception *e,
			    const secex_node *entry)
{
	const char *by = secex_node_str(secex_node_get(entry, "by"));
	const char *decision = secex_node_str(secex_node_get(entry, "decision"));
	const char *role = secex_node_str(secex_node_get(entry, "role"));
	const secex_person *p = secex_roster_find(snap->roster, by);
	bool sod = snap->policy->separation_of_duties;
	size_t g;

	if (!p || !p->active)
		return;
	if (same(by, field(e, "risk_owner")) && (same(decision, "approve") || same(decision, "acknowledge")))
		fs->owner_done = true;
	if (!same(decision, "approve") || !secex_policy_strlist_has(&p->roles, role) ||
	    (sod && (same(by, field(e, "requestor")) || fills_other(fs, MAX_GROUPS, by))))
		return;
	for (g = 0; g < fs->ngroups; g++) {
		secex_group group = group_of(snap->policy, fs, g);

		if (!fs->filled[g] && fills(snap->policy, role, &group)) {
			fs->filled[g] = by;
			return;
		}
	}
}

static void fill_as_written(fill_state *fs, const secex_snapshot *snap, const secex_exception *e)
{
	const secex_node *list = secex_node_get(secex_doc_root(e->doc), "approvals");
	size_t i;

	for (i = 0; list && list->type == SECEX_NODE_ARRAY && i < list->u.array.n; i++)
		if (list->u.array.items[i]->type == SECEX_NODE_OBJECT)
			fill_from_entry(fs, snap, e, list->u.array.items[i]);
}

static int fill_judged(fill_state *fs, builder *b, const secex_exception *e)
{
	secex_approval_state st;
	size_t g;
	int rc = secex_approvals_judge(&st, b->opts->history, b->snap, e, false, NULL);

	if (rc == 0) {
		fs->sme_only = st.sme_only;
		fs->need_owner = st.need_risk_owner;
		fs->owner_done = st.risk_owner_by >= 0;
		fs->ngroups = st.ngroups < MAX_GROUPS ? st.ngroups : MAX_GROUPS;
		for (g = 0; g < fs->ngroups; g++) {
			int v = st.filled_by[g];

			fs->filled[g] = v < 0 ? NULL : st.verdicts[v].entry->by ? st.verdicts[v].entry->by : "?";
		}
	}
	secex_approvals_state_release(&st);
	return rc;
}

static int fill(fill_state *fs, builder *b, const secex_exception *e)
{
	const secex_policy *p = b->snap->policy;

	memset(fs, 0, sizeof(*fs));
	fs->level = field(e, "priority") ? secex_policy_level(p, field(e, "priority")) : NULL;
	if (!fs->level)
		return 0;
	fs->sme_only = within_threshold(fs->level, e);
	fs->ngroups = fs->sme_only ? 1 : fs->level->ngroups < MAX_GROUPS ? fs->level->ngroups : MAX_GROUPS;
	fs->need_owner = secex_policy_risk_owner_required(p, field(e, "type"));
	if (b->opts->history)
		return fill_judged(fs, b, e);
	fill_as_written(fs, b->snap, e);
	return 0;
}

/* ---- what the owner must do ---- */

/* "A", "A or B", "A, B or C", "A, B, C, D, E or 3 others" */
static int put_names(secex_buf *out, const secex_report_need *need)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < need->nwho; i++) {
		bool last = i + 1 == need->nwho && !need->more;

		rc = secex_buf_printf(out, "%s%s", i == 0 ? "" : last ? " or " : ", ", name_of(need->who[i]));
	}
	if (rc == 0 && need->more)
		rc = secex_buf_printf(out, " or %zu other%s", need->more, need->more == 1 ? "" : "s");
	return rc;
}

static bool need_has(const secex_report_need *need, const secex_person *p)
{
	size_t i;

	for (i = 0; p && i < need->nwho; i++)
		if (need->who[i] == p)
			return true;
	return false;
}

/* The groups others must fill: all missing groups but the first the owner can fill. */
static int chase(secex_buf *out, const secex_report_item *it, const secex_person *owner, bool owner_acts)
{
	bool taken = !owner_acts;
	size_t i, n = 0, total = 0;
	int rc = 0;

	for (i = 0; i < it->nneeds; i++)
		total += it->needs[i].roles != NULL;
	for (i = 0; rc == 0 && i < it->nneeds; i++) {
		const secex_report_need *need = &it->needs[i];

		if (!need->roles)
			continue;
		if (!taken && need_has(need, owner)) {
			taken = true;
			total--;
			continue;
		}
		rc = secex_buf_puts(out, n++ ? " and " : "chase ");
		if (rc == 0 && need->nwho)
			rc = put_names(out, need);
		else if (rc == 0)
			rc = secex_buf_printf(out, "a secex admin to add someone in a role of %s to the roster", need->roles);
		if (rc == 0 && total > 1)
			rc = secex_buf_printf(out, " for %s", need->label);
	}
	return rc;
}

static bool owner_can_act(const secex_report_item *it, const secex_person *owner)
{
	size_t i;

	for (i = 0; owner && owner->active && i < it->nneeds; i++)
		if (need_has(&it->needs[i], owner))
			return true;
	return false;
}

static bool needs_owner(const secex_report_item *it)
{
	size_t i;

	for (i = 0; i < it->nneeds; i++)
		if (!it->needs[i].roles)
			return true;
	return false;
}

/* The person who last asked for more information, by the file. */
static const secex_person *last_request(const builder *b, const secex_exception *e)
{
	const secex_node *list = secex_node_get(secex_doc_root(e->doc), "approvals");
	const secex_person *who = NULL;
	size_t i;

	for (i = 0; list && list->type == SECEX_NODE_ARRAY && i < list->u.array.n; i++) {
		const secex_node *entry = list->u.array.items[i];

		if (same(secex_node_str(secex_node_get(entry, "decision")), "request-info"))
			who = secex_roster_find(b->snap->roster, secex_node_str(secex_node_get(entry, "by")));
	}
	return who;
}

/* "a", "a, and b", "a, b, and c" */
static int join(secex_buf *out, secex_buf *parts, size_t n)
{
	size_t i, k = 0;
	int rc = 0;

	for (i = 0; i < n; i++)
		k += parts[i].size != 0;
	for (i = 0; rc == 0 && i < n; i++) {
		if (!parts[i].size)
			continue;
		if (out->size)
			rc = secex_buf_puts(out, --k ? ", " : ", and ");
		else
			k--;
		if (rc == 0)
			rc = secex_buf_put(out, parts[i].ptr, parts[i].size);
	}
	return rc;
}

/* What the recipient (the owner, or a departed owner's manager) must do for a request. */
static int awaiting_action(secex_buf *out, const builder *b, const secex_report_item *it,
			   const secex_exception *e, const secex_person *owner, const secex_person *actor)
{
	bool departed = !owner || !owner->active, acts = owner_can_act(it, actor);
	secex_buf parts[3] = { SECEX_BUF_INIT, SECEX_BUF_INIT, SECEX_BUF_INIT };
	const secex_person *asker;
	int rc = 0;

	if (same(it->status, "needs-info")) {
		asker = last_request(b, e);
		return secex_buf_printf(out, "answer %s%s request for information, then run 'secex review %s' to "
					"put it back in review", asker ? name_of(asker) : "the reviewers'", asker ? "'s" : "",
					it->id);
	}
	if (departed)
		rc = secex_buf_printf(&parts[0], "name a new risk owner%s", needs_owner(it) ? ", who must approve it too" : "");
	if (rc == 0 && acts)
		rc = secex_buf_printf(&parts[1], "approve or deny it with 'secex approve %s'", it->id);
	if (rc == 0 && (rc = chase(&parts[2], it, actor, acts)) == 0)
		rc = join(out, parts, 3);
	if (rc == 0 && out->size == 0)
		rc = secex_buf_printf(out, "every required approval is %s: %s'secex review %s' sets it approved",
				      b->opts->history ? "in" : "written in the file; once 'secex status' confirms they count",
				      same(it->status, "in-review") ? "" : "'secex review' puts it in review, then ", it->id);
	secex_buf_release(&parts[0]);
	secex_buf_release(&parts[1]);
	secex_buf_release(&parts[2]);
	return rc;
}

static int action(secex_buf *out, const builder *b, const secex_report_item *it, const secex_exception *e,
		  bool level_known, const secex_person *actor)
{
	const secex_person *owner = secex_roster_find(b->snap->roster, field(e, "risk_owner"));

	switch (it->kind) {
	case SECEX_REPORT_EXPIRED:
		return same(it->status, "approved")
					   ? secex_buf_printf(out, "extend it with a new due date and a new approval, or "
							      "run 'secex close %s' once fixed", it->id)
					   : secex_buf_printf(out, "its requested due date has passed: set a new due date "
							      "or run 'secex withdraw %s'", it->id);
	case SECEX_REPORT_EXPIRING:
		return secex_buf_puts(out, "fix it before ") || secex_report_date_text(out, it->due_date) ||
		       secex_buf_printf(out, " and run 'secex close %s', or request an extension now", it->id)
			       ? SECEX_ENOMEM : 0;
	case SECEX_REPORT_AWAITING:
		if (!level_known)
			return secex_buf_printf(out, "set 'priority' to a level of the policy ('%s' is none; see "
						"'secex validate'), then ask for approval again", it->priority);
		return awaiting_action(out, b, it, e, owner, actor);
	case SECEX_REPORT_UNCOVERED: /* lapsed_action */
	case SECEX_REPORT_KINDS:
		break;
	}
	return 0;
}

/* ---- collecting and grouping ---- */

/* The person who receives a departed owner's report: the nearest active manager. */
static const secex_person *recipient(const secex_roster *roster, const secex_person *p)
{
	size_t hops;

	for (hops = 0; p && !p->active && roster && hops <= roster->n; hops++)
		p = p->manager ? secex_roster_find(roster, p->manager) : NULL;
	return p && p->active ? p : NULL;
}

/* Whether history proves the exception's `status: approved` (judged as 'secex check'). */
static int proven(bool *out, const builder *b, const secex_exception *e)
{
	secex_approval_state st;
	int rc;

	*out = false;
	if (!b->opts->history)
		return 0;
	if ((rc = secex_approvals_judge(&st, b->opts->history, b->snap, e, false, NULL)) == 0)
		*out = secex_approvals_verified(&st);
	secex_approvals_state_release(&st);
	return rc;
}

/* An exception that only says approved is still awaiting its approvals (*invalid). */
static int classify(bool *out, secex_report_kind *kind, bool *invalid, const builder *b, const secex_exception *e)
{
	const char *status = field(e, "status");
	int64_t due;
	bool has_due = secex_health_due(&due, e), ok = true;
	int rc;

	*out = true;
	*invalid = false;
	if (same(status, "approved") && b->opts->history && (rc = proven(&ok, b, e)) < 0)
		return rc;
	*invalid = !ok;
	if (!secex_list_is_open(status))
		*out = false;
	else if (has_due && due < b->opts->now)
		*kind = SECEX_REPORT_EXPIRED;
	else if (!same(status, "approved") || *invalid)
		*kind = SECEX_REPORT_AWAITING;
	else if (has_due && due - b->opts->now <= b->snap->policy->expiring_within)
		*kind = SECEX_REPORT_EXPIRING;
	else
		*out = false;
	return 0;
}

static int push_item(builder *b, pending_item *pi)
{
	pi->seq = b->items.n;
	return secex_vec_push(&b->items, pi);
}

/* The item's exception fields. */
static secex_report_item *start_item(pending_item *pi, const secex_exception *e, secex_report_kind kind)
{
	secex_report_item *it = &pi->item;

	pi->owner = field(e, "risk_owner");
	it->kind = kind;
	it->id = e->id;
	it->title = field(e, "title");
	it->type = field(e, "type");
	it->priority = field(e, "priority");
	it->status = field(e, "status");
	it->due_date = field(e, "due_date");
	it->file = e->path;
	return it;
}

static int add_item(builder *b, const secex_exception *e, secex_report_kind kind, bool invalid)
{
	pending_item *pi = secex_arena_alloc(&b->r->arena, sizeof(*pi));
	secex_buf act = SECEX_BUF_INIT, pre = SECEX_BUF_INIT;
	const secex_person *actor;
	secex_report_item *it;
	fill_state fs = { 0 };
	int64_t due;
	int rc = 0;

	SECEX_ERROR_CHECK_ALLOC(pi);
	it = start_item(pi, e, kind);
	if (kind == SECEX_REPORT_EXPIRED && secex_health_due(&due, e))
		it->overdue_days = (b->opts->now - due) / 86400;
	it->approval_invalid = invalid;
	if (kind == SECEX_REPORT_AWAITING && (rc = fill(&fs, b, e)) == 0 && fs.level)
		rc = needs_of(b, it, &fs, e);
	actor = recipient(b->snap->roster, secex_roster_find(b->snap->roster, pi->owner));
	if (rc == 0 && invalid)
		rc = secex_buf_printf(&pre, "its status says approved, but history does not prove the approvals "
				      "('secex status %s' says why), so it suppresses nothing until they count: ", e->id);
	if (rc == 0 && (rc = action(&act, b, it, e, fs.level != NULL, actor)) == 0 &&
	    (rc = secex_buf_put(&pre, act.ptr ? act.ptr : "", act.size)) == 0)
		rc = keep(&it->action, b->r, &pre);
	secex_buf_release(&act);
	secex_buf_release(&pre);
	return rc ? rc : push_item(b, pi);
}

static bool wanted(const builder *b, const secex_exception *e)
{
	const char *owner = field(e, "risk_owner");
	const secex_person *to;

	if (!b->opts->owner || same(owner, b->opts->owner))
		return true;
	to = recipient(b->snap->roster, secex_roster_find(b->snap->roster, owner));
	return to && same(to->id, b->opts->owner);
}

/* Whether the exception can be in this report: it loaded, is valid, names its risk owner,
 * and goes to the owner asked for. */
static bool listable(const builder *b, const secex_exception *e)
{
	return e->doc && e->valid && e->id && field(e, "risk_owner") && wanted(b, e);
}

/* ---- findings no longer covered (scanner reports) ---- */

static int keep_str(const char **out, secex_report *r, const char *s)
{
	*out = s ? secex_arena_strndup(&r->arena, s, strlen(s)) : NULL;
	return !s || *out ? 0 : secex_error_nomem();
}

/* What the owner must do about a finding that exception e, lapsed, no longer covers. */
static int lapsed_action(secex_buf *out, const builder *b, const secex_exception *e, const secex_scan_report *rep,
			 const secex_scan_finding *f)
{
	const char *status = field(e, "status");
	int64_t due;

	if (!secex_list_is_open(status))
		return secex_buf_puts(out, "run ") || secex_scan_new_command(out, rep, f) ||
				       secex_buf_puts(out, " to request a new exception, or fix the finding")
			       ? SECEX_ENOMEM : 0;
	if (secex_health_due(&due, e) && due < b->opts->now)
		return same(status, "approved")
			       ? secex_buf_printf(out, "extend %s with a new due date and a new approval, or fix the finding "
						  "and run 'secex close %s'", e->id, e->id)
			       : secex_buf_printf(out, "set a new due date on %s and have it approved, or fix the finding "
						  "and run 'secex withdraw %s'", e->id, e->id);
	return secex_buf_printf(out, "have %s approved again so that history proves it ('secex status %s' says what "
				"is missing), or fix the finding and run 'secex close %s'", e->id, e->id, e->id);
}

static int finding_of(secex_report_finding *out, secex_report *r, const secex_scan_entry *en,
		      const secex_scan_report *rep, const secex_scan_finding *f)
{
	secex_buf pkg = SECEX_BUF_INIT;
	int rc = 0;

	if (!f->purl && f->name)
		rc = secex_buf_printf(&pkg, "%s%s%s", f->name, f->version ? "@" : "", f->version ? f->version : "");
	if (rc == 0 && (rc = keep_str(&out->scanner, r, f->scanner)) == 0 && (rc = keep_str(&out->id, r, f->id)) == 0 &&
	    (rc = keep_str(&out->package, r, f->purl ? f->purl : pkg.size ? pkg.ptr : NULL)) == 0 &&
	    (rc = keep_str(&out->path, r, f->npaths ? f->paths[0] : NULL)) == 0 &&
	    (rc = keep_str(&out->report, r, rep->file)) == 0)
		rc = keep_str(&out->why, r, en->why);
	out->severity = secex_scan_severity_name(f->severity);
	out->line = f->line;
	out->column = f->column;
	secex_buf_release(&pkg);
	return rc;
}

static int add_finding(builder *b, const secex_scan_entry *en, const secex_scan_report *rep,
		       const secex_scan_finding *f)
{
	pending_item *pi = secex_arena_alloc(&b->r->arena, sizeof(*pi));
	secex_report_finding *fi = secex_arena_alloc(&b->r->arena, sizeof(*fi));
	secex_buf act = SECEX_BUF_INIT;
	int rc;

	if (!pi || !fi)
		return secex_error_nomem();
	start_item(pi, en->exception, SECEX_REPORT_UNCOVERED)->finding = fi;
	if ((rc = finding_of(fi, b->r, en, rep, f)) == 0 && (rc = lapsed_action(&act, b, en->exception, rep, f)) == 0)
		rc = keep(&pi->item.action, b->r, &act);
	secex_buf_release(&act);
	return rc ? rc : push_item(b, pi);
}

/* Every finding of the reports matched as 'secex scan' matches it; those covered only by a
 * lapsed exception (SX602) go to its owner, once per exception and distinct finding. */
static int collect_scans(builder *b)
{
	secex_scan_register *reg = NULL;
	secex_map seen = SECEX_MAP_INIT;
	secex_buf key = SECEX_BUF_INIT;
	secex_scan_verdict v;
	size_t i, k;
	int rc;

	if (!b->opts->history)
		return secex_error_set(SECEX_EREPO, "scanner reports are judged against the approvals that the signed "
				       "history proves, and it cannot be read: %s", b->r->unjudged);
	rc = secex_scan_register_judged(&reg, b->snap, b->opts->history, b->opts->now);
	for (i = 0; rc == 0 && i < b->opts->nscans; i++)
		for (k = 0; rc == 0 && k < b->opts->scans[i]->n; k++) {
			const secex_scan_finding *f = &b->opts->scans[i]->items[k];

			if ((rc = secex_scan_match(&v, reg, f)) < 0 || v.kind != SECEX_VERDICT_LAPSED ||
			    !listable(b, v.entry->exception))
				continue;
			if ((rc = secex_scan_finding_key(&key, f)) == 0 && (rc = secex_buf_printf(&key, "\n%s", v.entry->id)) == 0 &&
			    !secex_map_get(&seen, key.ptr, key.size) && (rc = secex_map_put(&seen, key.ptr, key.size, &seen)) == 0)
				rc = add_finding(b, v.entry, b->opts->scans[i], f);
		}
	secex_map_release(&seen);
	secex_buf_release(&key);
	secex_scan_register_free(reg);
	return rc;
}

static int collect(builder *b)
{
	secex_report_kind kind = SECEX_REPORT_AWAITING;
	size_t i;
	bool listed, invalid;
	int rc = 0;

	for (i = 0; rc == 0 && i < b->snap->n; i++) {
		const secex_exception *e = &b->snap->items[i];

		if (!listable(b, e))
			continue;
		if ((rc = classify(&listed, &kind, &invalid, b, e)) == 0 && listed)
			rc = add_item(b, e, kind, invalid);
	}
	for (i = 0; rc == 0 && i < b->opts->nextra; i++) {
		const secex_exception *e = b->opts->extra[i].exc;

		if (!listable(b, e) || !secex_list_is_open(field(e, "status")))
			continue;
		/* awaiting here whatever it says: none of its approvals is in this history */
		if ((rc = add_item(b, e, SECEX_REPORT_AWAITING, false)) == 0)
			((pending_item *)b->items.items[b->items.n - 1])->item.branch = b->opts->extra[i].branch;
	}
	return rc == 0 && b->opts->nscans ? collect_scans(b) : rc;
}

static int by_owner_then_id(const void *a, const void *b)
{
	const pending_item *x = *(pending_item *const *)a, *y = *(pending_item *const *)b;
	int c = strcmp(x->owner, y->owner);

	if (c == 0)
		c = strcmp(x->item.id, y->item.id);
	if (c == 0)
		c = strcmp(x->item.file, y->item.file);
	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int owner_note(secex_report *r, secex_report_owner *o)
{
	secex_buf b = SECEX_BUF_INIT;
	int rc;

	if (!o->owner)
		rc = secex_buf_printf(&b, "'%s' is not in the roster: add them to .secex/people.yaml or name "
				      "another risk owner for each exception below", o->id);
	else if (o->to)
		rc = secex_buf_printf(&b, "%s (%s) has left; this report goes to their manager %s, who must name "
				      "a new risk owner for each exception below", name_of(o->owner), o->id, name_of(o->to));
	else
		rc = secex_buf_printf(&b, "%s (%s) has left and the roster names no active manager; the program "
				      "owner must name a new risk owner for each exception below", name_of(o->owner), o->id);
	if (rc == 0)
		rc = keep(&o->note, r, &b);
	secex_buf_release(&b);
	return rc;
}

static int start_owner(builder *b, secex_report_owner *o, const char *id, secex_report_item *items)
{
	o->id = id;
	o->owner = secex_roster_find(b->snap->roster, id);
	o->to = recipient(b->snap->roster, o->owner);
	o->departed = !o->owner || !o->owner->active;
	o->items = items;
	return o->departed ? owner_note(b->r, o) : 0;
}

static int group(builder *b)
{
	secex_report *r = b->r;
	secex_report_item *items;
	size_t i, n = b->items.n;
	int rc = 0;

	if (n == 0)
		return 0;
	qsort(b->items.items, n, sizeof(void *), by_owner_then_id);
	r->owners = secex_arena_alloc(&r->arena, sizeof(*r->owners) * n);
	items = secex_arena_alloc(&r->arena, sizeof(*items) * n);
	if (!r->owners || !items)
		return secex_error_nomem();
	for (i = 0; rc == 0 && i < n; i++) {
		const pending_item *pi = b->items.items[i];
		secex_report_owner *o = r->n ? &r->owners[r->n - 1] : NULL;

		if (!o || strcmp(o->id, pi->owner) != 0) {
			o = &r->owners[r->n++];
			rc = start_owner(b, o, pi->owner, items + i);
		}
		o->items[o->n++] = pi->item;
		o->count[pi->item.kind]++;
	}
	return rc;
}

/* 64 random bits; without /dev/urandom, the time and the process still differ per run. */
static uint64_t random64(int64_t now)
{
	unsigned char bytes[8] = { 0 };
	FILE *f = fopen("/dev/urandom", "rb");
	size_t i, got = f ? fread(bytes, 1, sizeof(bytes), f) : 0;
	uint64_t v = 0;

	if (f)
		fclose(f);
	for (i = 0; i < got; i++)
		v = v << 8 | bytes[i];
	if (got != sizeof(bytes))
		v ^= (uint64_t)now * 1000003u ^ (uint64_t)clock() << 20 ^ (uint64_t)time(NULL) << 32;
	return v;
}

int secex_report_build(secex_report **out, const secex_snapshot *snap, const secex_report_options *opts)
{
	const char *why = opts->unjudged ? opts->unjudged : "there is no git history";
	builder b = { NULL, snap, opts, SECEX_VEC_INIT };
	int rc = 0;

	*out = NULL;
	if (!(b.r = calloc(1, sizeof(*b.r))))
		return secex_error_nomem();
	b.r->now = opts->now;
	b.r->expiring_within = snap->policy->expiring_within;
	b.r->organization = snap->policy->organization;
	b.r->nonce = random64(opts->now);
	b.r->judged = opts->history != NULL;
	b.r->scanned = opts->nscans > 0;
	secex_date_format(b.r->today, (opts->now >= 0 ? opts->now : opts->now - 86399) / 86400);
	if (!b.r->judged && !(b.r->unjudged = secex_arena_strndup(&b.r->arena, why, strlen(why))))
		rc = secex_error_nomem();
	if (rc == 0 && (rc = collect(&b)) == 0)
		rc = group(&b);
	secex_vec_release(&b.items);
	if (rc < 0) {
		secex_report_free(b.r);
		return rc;
	}
	*out = b.r;
	return 0;
}

void secex_report_free(secex_report *report)
{
	if (!report)
		return;
	secex_arena_release(&report->arena);
	free(report);
}
