/* Ticket health (SPEC §6): what needs a person's attention today. */

#include <stdio.h>
#include <string.h>
#include "secex/health.h"
#include "secex/list.h"
#include "secex/util.h"
#include "secex/banned.h"

static const char *field(const secex_exception *exc, const char *name)
{
	return secex_node_str(secex_node_get(secex_doc_root(exc->doc), name));
}

static bool when_field(int64_t *out, const secex_exception *exc, const char *name)
{
	const char *s = field(exc, name);

	return s && secex_date_when_parse(out, s, strlen(s));
}

bool secex_health_due(int64_t *out, const secex_exception *exc)
{
	return exc->doc && when_field(out, exc, "due_date");
}

#define ADD(diags, exc, code, at, ...)                                                          \
	secex_diag_add((diags), code, (exc)->path, (at) ? (at)->line : 1, (at) ? (at)->column : 1, \
			(exc)->id, NULL, __VA_ARGS__)

static const secex_node *node(const secex_exception *exc, const char *name)
{
	return secex_node_get(secex_doc_root(exc->doc), name);
}

/* "their manager 'x'", the first active manager up the chain ("'y', their manager's
 * manager"), or "the program owner", for who must act when someone left. The walk stops
 * after as many steps as the roster has people, so a cycle ends. */
static const char *successor(char *out, size_t len, const secex_roster *roster, const secex_person *p)
{
	const secex_person *m = p;
	size_t up;

	for (up = 1; up <= roster->n && m->manager; up++) {
		if (!(m = secex_roster_find(roster, m->manager)))
			break;
		if (!m->active)
			continue;
		if (up == 1)
			snprintf(out, len, "their manager '%s'", m->id);
		else
			snprintf(out, len, "'%s', the first active manager above them", m->id);
		return out;
	}
	snprintf(out, len, "the program owner");
	return out;
}

static int check_people(const secex_snapshot *snap, const secex_exception *exc, secex_diags *diags)
{
	const char *assignee = field(exc, "assignee"), *owner = field(exc, "risk_owner");
	const secex_person *p;
	char who[128];
	int rc = 0;

	if (!assignee || strcmp(assignee, "unassigned") == 0)
		rc = ADD(diags, exc, "SX501", node(exc, "assignee"), "nobody is assigned to fix this; "
			 "set 'assignee' to the person who owns the remediation");
	else if ((p = secex_roster_find(snap->roster, assignee)) && !p->active)
		rc = ADD(diags, exc, "SX502", node(exc, "assignee"), "assignee '%s' has left; %s must "
			 "reassign it", assignee, successor(who, sizeof(who), snap->roster, p));
	if (rc == 0 && owner && (p = secex_roster_find(snap->roster, owner)) && !p->active)
		rc = ADD(diags, exc, "SX503", node(exc, "risk_owner"), "risk owner '%s' has left; %s must "
			 "name a new risk owner", owner, successor(who, sizeof(who), snap->roster, p));
	return rc;
}

static int check_dates(const secex_snapshot *snap, const secex_exception *exc, int64_t now, secex_diags *diags)
{
	const secex_node *due_n = node(exc, "due_date");
	int64_t due, created;
	char window[24], sla[24];
	const char *status = secex_node_str(node(exc, "status"));
	bool approved = status && strcmp(status, "approved") == 0;
	int rc = 0;

	if (!due_n)
		return ADD(diags, exc, "SX504", secex_doc_root(exc->doc), "no due date; set 'due_date' to "
			   "the fix-by date (extension) or the re-review date (acceptance)");
	if (when_field(&due, exc, "due_date")) {
		secex_duration_format(window, sizeof(window), snap->policy->expiring_within);
		if (due < now)
			rc = ADD(diags, exc, "SX505", due_n, "expired on %s; fix it and run 'secex %s %s', or "
				 "request an extension that the right people approve", secex_node_str(due_n),
				 approved ? "close" : "withdraw", exc->id);
		else if (due - now <= snap->policy->expiring_within)
			rc = ADD(diags, exc, "SX506", due_n, "expires on %s, within %s; plan the fix or "
				 "request an extension now", secex_node_str(due_n), window);
	}
	if (rc == 0 && strcmp(field(exc, "status") ? field(exc, "status") : "", "requested") == 0 &&
	    when_field(&created, exc, "created") && now - created > snap->policy->initial_review_sla) {
		secex_duration_format(sla, sizeof(sla), snap->policy->initial_review_sla);
		rc = ADD(diags, exc, "SX507", node(exc, "status"), "requested on %s and still not reviewed, "
			 "past the %s review SLA; a security reviewer must take it up", field(exc, "created"), sla);
	}
	return rc;
}

int secex_health_check(const secex_snapshot *snap, int64_t now, secex_diags *diags)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < snap->n && rc == 0; i++) {
		const secex_exception *exc = &snap->items[i];

		if (!exc->doc || secex_doc_root(exc->doc)->type != SECEX_NODE_OBJECT ||
		    !secex_list_is_open(field(exc, "status")))
			continue;
		rc = check_people(snap, exc, diags);
		if (rc == 0)
			rc = check_dates(snap, exc, now, diags);
	}
	return rc;
}
