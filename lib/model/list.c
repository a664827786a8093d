/* What `secex list` shows: which exceptions are open, and the filters over them. */

#include <stdio.h>
#include <string.h>
#include "secex/list.h"
#include "secex/health.h"
#include "secex/util.h"
#include "secex/banned.h"

bool secex_list_is_open(const char *status)
{
	static const char *const open[] = { "requested", "in-review", "needs-info", "approved" };
	size_t i;

	for (i = 0; status && i < sizeof(open) / sizeof(*open); i++)
		if (strcmp(status, open[i]) == 0)
			return true;
	return false;
}

static const char *field(const secex_exception *exc, const char *name)
{
	return secex_node_str(secex_node_get(secex_doc_root(exc->doc), name));
}

static bool equals(const char *a, const char *b)
{
	return !b || (a && strcmp(a, b) == 0);
}

bool secex_list_match(const secex_snapshot *snap, const secex_exception *exc, const secex_list_filter *f)
{
	const char *status = exc->doc ? field(exc, "status") : NULL;
	int64_t due;

	if (!exc->doc || secex_doc_root(exc->doc)->type != SECEX_NODE_OBJECT)
		return false;
	if (!equals(status, f->status) || !equals(field(exc, "priority"), f->priority) ||
	    !equals(field(exc, "risk_owner"), f->owner))
		return false;
	if (!f->expired && !f->expiring)
		return true;
	if (!secex_list_is_open(status) || !secex_health_due(&due, exc))
		return false;
	return (f->expired && due < f->now) ||
	       (f->expiring && due >= f->now && due - f->now <= snap->policy->expiring_within);
}

static bool known_status(secex_buf *problem, const char *status)
{
	static const char *const all[] = { "requested", "in-review", "needs-info", "approved",
					   "denied", "withdrawn", "closed" };
	secex_suggest near = SECEX_SUGGEST_INIT(status);
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(*all); i++) {
		if (strcmp(all[i], status) == 0)
			return true;
		secex_suggest_consider(&near, all[i]);
	}
	secex_buf_printf(problem, "no status '%s'", status);
	if (near.best)
		secex_buf_printf(problem, "; did you mean '%s'?", near.best);
	else
		secex_buf_puts(problem, "; use requested, in-review, needs-info, approved, denied, withdrawn or closed");
	return false;
}

static bool known_level(secex_buf *problem, const secex_policy *policy, const char *name)
{
	secex_suggest near = SECEX_SUGGEST_INIT(name);
	size_t i;

	if (!policy || secex_policy_level(policy, name))
		return true;
	for (i = 0; i < policy->nlevels; i++)
		secex_suggest_consider(&near, policy->levels[i].name);
	secex_buf_printf(problem, "no priority level '%s' in the policy (%s)", name, SECEX_POLICY_PATH);
	if (near.best)
		return secex_buf_printf(problem, "; did you mean '%s'?", near.best), false;
	secex_buf_puts(problem, "; use one of");
	for (i = 0; i < policy->nlevels; i++)
		secex_buf_printf(problem, "%s %s", i ? "," : "", policy->levels[i].name);
	return false;
}

static bool known_person(secex_buf *problem, const secex_roster *roster, const char *id)
{
	const secex_person *p;

	if (!roster || secex_roster_find(roster, id))
		return true;
	secex_buf_printf(problem, "no person '%s' in the roster (%s)", id, SECEX_PEOPLE_PATH);
	if ((p = secex_roster_similar(roster, id)))
		secex_buf_printf(problem, "; did you mean '%s'?", p->id);
	else
		secex_buf_puts(problem, "; use a person's id from there");
	return false;
}

bool secex_list_filter_valid(secex_buf *problem, const secex_snapshot *snap, const secex_list_filter *f)
{
	return (!f->status || known_status(problem, f->status)) &&
	       (!f->priority || known_level(problem, snap->policy_ok ? snap->policy : NULL, f->priority)) &&
	       (!f->owner || known_person(problem, snap->roster, f->owner));
}
