/* The checks a schema cannot express (SPEC §3): SX120 to SX126. */

#include <stdlib.h>
#include <string.h>
#include "secex/snapshot.h"
#include "secex/util.h"
#include "banned.h"

typedef struct {
	const secex_snapshot *snap;
	const secex_exception *exc;
	const secex_node *root;
	secex_diags *diags;
} ctx;

/* A finding about the exception in c, at node `at` (may be NULL). */
#define ADD(c, code, at, ...)                                                                    \
	secex_diags_add((c)->diags, code, (c)->exc->path, (at) ? (at)->line : 0,                  \
			(at) ? (at)->column : 0, (c)->exc->id, NULL, __VA_ARGS__)

static int check_file_name(ctx *c)
{
	const char *base = strrchr(c->exc->path, '/');
	const char *dot;
	size_t len;

	base = base ? base + 1 : c->exc->path;
	dot = strrchr(base, '.');
	len = dot ? (size_t)(dot - base) : strlen(base);
	if (strlen(c->exc->id) == len && strncmp(base, c->exc->id, len) == 0)
		return 0;
	return ADD(c, "SX126", secex_node_get(c->root, "id"),
		   "file name '%s' does not match id '%s'; rename the file to the id followed by .yaml",
		   base, c->exc->id);
}

static int check_id_pattern(ctx *c)
{
	const secex_node *id = secex_node_get(c->root, "id");
	bool valid = true;
	int rc;

	if (!c->snap->policy->id_schema)
		return 0; /* a pattern that does not compile is SX127 on the policy */
	rc = secex_schema_validate(&valid, c->snap->policy->id_schema, id, c->exc->path, c->exc->id, NULL);
	if (rc < 0 || valid)
		return rc;
	return ADD(c, "SX110", id, "id '%s' does not match the policy's id_pattern '%s'; choose an id "
		   "of that form and rename the file to match", c->exc->id, c->snap->policy->id_pattern);
}

static int check_person(ctx *c, const secex_node *node, const char *field)
{
	const char *id = secex_node_str(node);
	const secex_person *near;

	if (!id || !c->snap->roster || secex_roster_find(c->snap->roster, id))
		return 0;
	if (strcmp(field, "assignee") == 0 && strcmp(id, "unassigned") == 0)
		return 0;
	if ((near = secex_roster_similar(c->snap->roster, id)))
		return ADD(c, "SX121", node, "%s '%s' is not in the roster (.secex/people.yaml); "
			   "did you mean '%s'?", field, id, near->id);
	return ADD(c, "SX121", node, "%s '%s' is not in the roster (.secex/people.yaml); "
		   "fix the id or add the person", field, id);
}

static int check_people(ctx *c)
{
	static const char *const fields[] = { "requestor", "risk_owner", "assignee" };
	const secex_node *list;
	size_t i;
	int rc = 0;

	for (i = 0; i < 3 && rc == 0; i++)
		rc = check_person(c, secex_node_get(c->root, fields[i]), fields[i]);
	list = secex_node_get(c->root, "stakeholders");
	for (i = 0; rc == 0 && list && list->type == SECEX_NODE_ARRAY && i < list->u.array.n; i++)
		rc = check_person(c, secex_node_get(list->u.array.items[i], "person"), "stakeholder");
	list = secex_node_get(c->root, "approvals");
	for (i = 0; rc == 0 && list && list->type == SECEX_NODE_ARRAY && i < list->u.array.n; i++)
		rc = check_person(c, secex_node_get(list->u.array.items[i], "by"), "approver");
	return rc;
}

static bool when_of(int64_t *out, const secex_node *node)
{
	const char *s = secex_node_str(node);

	return s && secex_when_parse(out, s, strlen(s));
}

static int check_approval_dates(ctx *c, int64_t created)
{
	const secex_node *list = secex_node_get(c->root, "approvals");
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && list && list->type == SECEX_NODE_ARRAY && i < list->u.array.n; i++) {
		const secex_node *date = secex_node_get(list->u.array.items[i], "date");
		int64_t when;

		if (when_of(&when, date) && when < created)
			rc = ADD(c, "SX123", date, "approval date '%s' is before the exception was created "
				 "('%s'); an approval cannot predate its request", secex_node_str(date),
				 secex_node_str(secex_node_get(c->root, "created")));
	}
	return rc;
}

static int check_dates(ctx *c, const secex_level *level)
{
	const secex_node *created_n = secex_node_get(c->root, "created");
	const secex_node *due_n = secex_node_get(c->root, "due_date");
	const secex_node *orig_n = secex_node_get(c->root, "original_due_date");
	int64_t created, due, orig;
	char limit[24];
	int rc = 0;

	if (!when_of(&created, created_n) || !when_of(&due, due_n))
		return 0; /* the schema reported the format */
	if (due <= created)
		return ADD(c, "SX123", due_n, "due_date '%s' is not after created '%s'; "
			   "set a due date later than the creation date", secex_node_str(due_n),
			   secex_node_str(created_n));
	if (orig_n && when_of(&orig, orig_n) && due <= orig &&
	    strcmp(secex_node_str(secex_node_get(c->root, "type")), "extension") == 0)
		rc = ADD(c, "SX123", due_n, "due_date '%s' is not after original_due_date '%s'; "
			 "an extension must move the date later", secex_node_str(due_n), secex_node_str(orig_n));
	if (rc == 0 && level && due - created > level->max_duration) {
		secex_duration_format(limit, sizeof(limit), level->max_duration);
		rc = ADD(c, "SX124", due_n, "due_date '%s' is more than %s after created, the longest a '%s' "
			 "exception may last; choose an earlier date or split the work", secex_node_str(due_n),
			 limit, level->name);
	}
	if (rc == 0)
		rc = check_approval_dates(c, created);
	return rc;
}

static int check_extension(ctx *c)
{
	static const char *const fields[] = { "original_due_date", "remediation_plan" };
	const secex_node *type = secex_node_get(c->root, "type");
	size_t i;
	int rc = 0;

	if (!secex_node_str(type) || strcmp(secex_node_str(type), "extension") != 0)
		return 0;
	for (i = 0; i < 2 && rc == 0; i++)
		if (!secex_node_get(c->root, fields[i]))
			rc = ADD(c, "SX125", type, "an extension needs '%s'%s; add it, or make the type "
				 "'acceptance' if the risk will not be fixed", fields[i],
				 i == 0 ? " (the remediation date before this request)" : " (the path to the fix)");
	return rc;
}

static int unknown_level(ctx *c, const secex_node *priority)
{
	const char *near = secex_policy_similar_level(c->snap->policy, secex_node_str(priority));

	if (near)
		return ADD(c, "SX122", priority, "priority '%s' is not a level of the policy; did you mean "
			   "'%s'?", secex_node_str(priority), near);
	return ADD(c, "SX122", priority, "priority '%s' is not a level of the policy; use one of "
		   "the levels in .secex/policy.yaml", secex_node_str(priority));
}

int secex_validate_exception(const secex_snapshot *snap, const secex_exception *exc, secex_diags *diags)
{
	ctx c = { snap, exc, secex_doc_root(exc->doc), diags };
	const secex_node *priority = secex_node_get(c.root, "priority");
	const secex_level *level = NULL;
	int rc = 0;

	if (!exc->doc || !exc->id)
		return 0;
	if ((rc = check_file_name(&c)) < 0)
		return rc;
	if (exc->valid && snap->policy_ok && (rc = check_id_pattern(&c)) < 0)
		return rc;
	/* people and the level are checked even when the schema found problems, so that one run
	 * shows them all; the rest needs a file of the schema's shape */
	if (snap->policy_ok && secex_node_str(priority) &&
	    !(level = secex_policy_level(snap->policy, secex_node_str(priority))))
		rc = unknown_level(&c, priority);
	if (rc == 0)
		rc = check_people(&c);
	if (rc < 0 || !exc->valid)
		return rc;
	if (rc == 0)
		rc = check_dates(&c, level);
	if (rc == 0)
		rc = check_extension(&c);
	return rc;
}

static int cmp_by_id(const void *a, const void *b)
{
	const secex_exception *x = *(const secex_exception *const *)a, *y = *(const secex_exception *const *)b;
	int c = strcmp(x->id, y->id);

	return c ? c : strcmp(x->path, y->path);
}

static int check_unique_ids(const secex_snapshot *snap, secex_diags *diags)
{
	const secex_exception **by_id = calloc(snap->n + 1, sizeof(*by_id));
	size_t i, n = 0;
	int rc = 0;

	if (!by_id)
		return secex_error_set(SECEX_ENOMEM, "out of memory");
	for (i = 0; i < snap->n; i++)
		if (snap->items[i].id)
			by_id[n++] = &snap->items[i];
	qsort(by_id, n, sizeof(*by_id), cmp_by_id);
	for (i = 1; i < n && rc == 0; i++) {
		const secex_node *at;

		if (strcmp(by_id[i]->id, by_id[i - 1]->id) != 0)
			continue;
		at = secex_node_get(secex_doc_root(by_id[i]->doc), "id");
		rc = secex_diags_add(diags, "SX120", by_id[i]->path, at->line, at->column, by_id[i]->id, NULL,
				     "id '%s' is also used by '%s'; give each exception its own id",
				     by_id[i]->id, by_id[i - 1]->path);
	}
	free(by_id);
	return rc;
}

/* Says why people go unchecked: after the roster's own findings (same place, a later code), or
 * at the top of the file when there is none, which is when the file is missing. */
static int no_roster(secex_diags *diags)
{
	const secex_diag *last = NULL;
	size_t i;

	for (i = 0; i < diags->n; i++)
		if (diags->items[i].file && strcmp(diags->items[i].file, SECEX_PEOPLE_PATH) == 0 &&
		    (!last || diags->items[i].line > last->line ||
		     (diags->items[i].line == last->line && diags->items[i].column >= last->column)))
			last = &diags->items[i];
	if (last)
		return secex_diags_add(diags, "SX127", SECEX_PEOPLE_PATH, last->line, last->column, NULL, NULL,
				       "the roster does not load, so no person can be checked; fix the "
				       "findings on %s above", SECEX_PEOPLE_PATH);
	return secex_diags_add(diags, "SX127", SECEX_PEOPLE_PATH, 0, 0, NULL, NULL,
			       "there is no roster (%s), so no person can be checked; create it ('secex "
			       "init' writes one) or restore it from git", SECEX_PEOPLE_PATH);
}

int secex_validate_snapshot(const secex_snapshot *snap, secex_diags *diags)
{
	size_t i;
	int rc = 0;

	if (snap->n && !snap->roster)
		rc = no_roster(diags);
	for (i = 0; i < snap->n && rc == 0; i++)
		rc = secex_validate_exception(snap, &snap->items[i], diags);
	if (rc == 0)
		rc = check_unique_ids(snap, diags);
	return rc;
}
