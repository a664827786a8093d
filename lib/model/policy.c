/* The policy and the roster, built from their validated documents. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "secex/policy.h"
#include "secex/util.h"
#include "secex/embedded.h"
#include "secex/banned.h"

const char *secex_policy_default_text(void)
{
	return secex_embedded_find(secex_embedded_defaults, "policy.yaml")->data;
}

bool secex_policy_strlist_has(const secex_strlist *list, const char *str)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (strcmp(list->items[i], str) == 0)
			return true;
	return false;
}

/* A string array node as a list in doc's arena; non-strings are skipped. */
static int strlist_from(secex_strlist *out, secex_doc *doc, const secex_node *node)
{
	size_t i;

	out->n = 0;
	out->items = NULL;
	if (!node || node->type != SECEX_NODE_ARRAY)
		return 0;
	out->items = secex_doc_alloc(doc, (node->u.array.n + 1) * sizeof(char *));
	SECEX_ERROR_CHECK_ALLOC(out->items);
	for (i = 0; i < node->u.array.n; i++) {
		const char *s = secex_node_str(node->u.array.items[i]);

		if (s)
			out->items[out->n++] = s;
	}
	return 0;
}

static int64_t duration_or(const secex_node *node, int64_t fallback)
{
	const char *s = secex_node_str(node);
	int64_t v;

	return s && secex_duration_parse(&v, s, strlen(s)) ? v : fallback;
}

static const char *str_or(const secex_node *node, const char *fallback)
{
	const char *s = secex_node_str(node);

	return s ? s : fallback;
}

static int level_from(secex_level *level, secex_doc *doc, const secex_member *m)
{
	const secex_node *v = m->value, *groups = secex_node_get(v, "approvers");
	const secex_node *rank = secex_node_get(v, "rank");
	size_t i;

	level->name = m->key;
	level->rank = rank && rank->type == SECEX_NODE_INT ? rank->u.integer : 0;
	level->sla = duration_or(secex_node_get(v, "sla"), 0);
	level->no_escalation = duration_or(secex_node_get(v, "no_escalation"), 0);
	level->max_duration = duration_or(secex_node_get(v, "max_duration"), INT64_MAX);
	if (!groups || groups->type != SECEX_NODE_ARRAY)
		return 0;
	level->groups = secex_doc_alloc(doc, (groups->u.array.n + 1) * sizeof(secex_group));
	SECEX_ERROR_CHECK_ALLOC(level->groups);
	for (i = 0; i < groups->u.array.n; i++) {
		secex_strlist roles;

		if (strlist_from(&roles, doc, groups->u.array.items[i]) < 0)
			return SECEX_ENOMEM;
		if (roles.n == 0)
			continue;
		level->groups[level->ngroups].roles = roles.items;
		level->groups[level->ngroups++].n = roles.n;
	}
	return 0;
}

static int levels_from(secex_policy *p, const secex_node *levels)
{
	size_t i;

	if (!levels || levels->type != SECEX_NODE_OBJECT)
		return 0;
	p->levels = secex_doc_alloc(p->doc, (levels->u.object.n + 1) * sizeof(secex_level));
	SECEX_ERROR_CHECK_ALLOC(p->levels);
	for (i = 0; i < levels->u.object.n; i++)
		if (level_from(&p->levels[p->nlevels++], p->doc, &levels->u.object.members[i]) < 0)
			return SECEX_ENOMEM;
	return 0;
}

static int roles_from(secex_policy *p, const secex_node *roles)
{
	size_t i;

	if (!roles || roles->type != SECEX_NODE_OBJECT)
		return 0;
	p->roles = secex_doc_alloc(p->doc, (roles->u.object.n + 1) * sizeof(secex_role));
	SECEX_ERROR_CHECK_ALLOC(p->roles);
	for (i = 0; i < roles->u.object.n; i++) {
		const secex_member *m = &roles->u.object.members[i];
		secex_role *r = &p->roles[p->nroles++];

		r->role = m->key;
		r->line = m->line;
		r->column = m->column;
		if (strlist_from(&r->implies, p->doc, m->value) < 0)
			return SECEX_ENOMEM;
	}
	return 0;
}

static const secex_role *role_find(const secex_policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nroles; i++)
		if (strcmp(p->roles[i].role, name) == 0)
			return &p->roles[i];
	return NULL;
}

/* Depth-first search for a cycle through role r; state: 0 new, 1 on stack, 2 done. */
static const secex_role *role_cycle(const secex_policy *p, size_t r, unsigned char *state)
{
	const secex_role *role = &p->roles[r];
	size_t i;

	if (state[r] == 1)
		return role;
	if (state[r] == 2)
		return NULL;
	state[r] = 1;
	for (i = 0; i < role->implies.n; i++) {
		const secex_role *next = role_find(p, role->implies.items[i]);
		const secex_role *hit;

		if (next && (hit = role_cycle(p, (size_t)(next - p->roles), state)))
			return hit;
	}
	state[r] = 2;
	return NULL;
}

static int check_role_cycles(const secex_policy *p, secex_diags *diags)
{
	unsigned char *state = calloc(p->nroles + 1, 1);
	size_t i;
	int rc = 0;

	SECEX_ERROR_CHECK_ALLOC(state);
	for (i = 0; i < p->nroles && rc == 0; i++) {
		const secex_role *hit = state[i] ? NULL : role_cycle(p, i, state);

		if (hit)
			rc = secex_diag_add(diags, "SX127", p->file, hit->line, hit->column, NULL, NULL,
				"role hierarchy has a cycle through '%s'; a role must not imply itself, "
				"remove one of the links", hit->role);
	}
	free(state);
	return rc;
}

static bool role_in_hierarchy(const secex_policy *p, const char *role)
{
	size_t i;

	if (role_find(p, role))
		return true;
	for (i = 0; i < p->nroles; i++)
		if (secex_policy_strlist_has(&p->roles[i].implies, role))
			return true;
	return false;
}

static bool role_in_groups(const secex_policy *p, const char *role)
{
	size_t i, g, r;

	for (i = 0; i < p->nlevels; i++)
		for (g = 0; g < p->levels[i].ngroups; g++)
			for (r = 0; r < p->levels[i].groups[g].n; r++)
				if (strcmp(p->levels[i].groups[g].roles[r], role) == 0)
					return true;
	return false;
}

const char *secex_policy_similar_level(const secex_policy *p, const char *s)
{
	secex_suggest near = SECEX_SUGGEST_INIT(s);
	size_t i;

	for (i = 0; p && i < p->nlevels; i++)
		secex_suggest_consider(&near, p->levels[i].name);
	return near.best;
}

static void consider_list(secex_suggest *near, const secex_strlist *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		secex_suggest_consider(near, list->items[i]);
}

const char *secex_policy_similar_role(const secex_policy *p, const char *s)
{
	secex_suggest near = SECEX_SUGGEST_INIT(s);
	size_t i, g;

	for (i = 0; p && i < p->nroles; i++) {
		secex_suggest_consider(&near, p->roles[i].role);
		consider_list(&near, &p->roles[i].implies);
	}
	for (i = 0; p && i < p->nlevels; i++)
		for (g = 0; g < p->levels[i].ngroups; g++)
			consider_list(&near, &(secex_strlist){ p->levels[i].groups[g].roles, p->levels[i].groups[g].n });
	if (p) {
		consider_list(&near, &p->sme_roles);
		consider_list(&near, &p->admin_roles);
	}
	return near.best;
}

bool secex_policy_knows_role(const secex_policy *p, const char *role)
{
	return role_in_hierarchy(p, role) || role_in_groups(p, role) ||
	       secex_policy_strlist_has(&p->sme_roles, role) || secex_policy_strlist_has(&p->admin_roles, role) ||
	       secex_policy_strlist_has(&p->reviewer_roles, role);
}

/* A string node in doc. */
static secex_node *string_node(secex_doc *doc, const char *str)
{
	secex_node *n = secex_doc_alloc(doc, sizeof(*n));

	if (n) {
		n->type = SECEX_NODE_STRING;
		n->u.string.ptr = str;
		n->u.string.len = strlen(str);
	}
	return n;
}

/* Compiles id_pattern as the schema {"type": "string", "pattern": id_pattern}. */
static int compile_id_pattern(secex_policy *p, secex_diags *diags)
{
	secex_schema_options opts = SECEX_SCHEMA_OPTIONS_INIT;
	const secex_member *at = secex_node_member(secex_doc_root(p->doc), "id_pattern");
	secex_node *root;
	secex_member *m;
	int rc;

	if ((rc = secex_doc_new(&p->id_schema_doc)) < 0)
		return rc;
	root = secex_doc_alloc(p->id_schema_doc, sizeof(*root));
	m = secex_doc_alloc(p->id_schema_doc, 2 * sizeof(*m));
	if (!root || !m || !(m[0].value = string_node(p->id_schema_doc, "string")) ||
	    !(m[1].value = string_node(p->id_schema_doc, p->id_pattern)))
		return secex_error_nomem();
	m[0].key = "type";
	m[0].keylen = 4;
	m[1].key = "pattern";
	m[1].keylen = 7;
	root->type = SECEX_NODE_OBJECT;
	root->u.object.members = m;
	root->u.object.n = 2;
	if (secex_schema_compile(&p->id_schema, root, "id_pattern", &opts) == 0)
		return 0;
	return secex_diag_add(diags, "SX127", p->file, at ? at->value->line : 1, at ? at->value->column : 1,
			       NULL, NULL, "id_pattern '%s' is not a valid regular expression (%s); "
			       "fix it or remove it to use '^EXC-[0-9]{4,}$'", p->id_pattern, secex_error_last());
}

static secex_risk_owner_rule risk_owner_rule(const char *s)
{
	if (!s || strcmp(s, "acceptance") == 0)
		return SECEX_RISK_OWNER_ACCEPTANCE;
	if (strcmp(s, "always") == 0)
		return SECEX_RISK_OWNER_ALWAYS;
	if (strcmp(s, "extension") == 0)
		return SECEX_RISK_OWNER_EXTENSION;
	return SECEX_RISK_OWNER_NEVER;
}

static int default_list(secex_strlist *out, secex_doc *doc, const char *const *items, size_t n)
{
	out->items = secex_doc_alloc(doc, (n + 1) * sizeof(char *));
	SECEX_ERROR_CHECK_ALLOC(out->items);
	memcpy(out->items, items, n * sizeof(char *));
	out->n = n;
	return 0;
}

static int lists_from(secex_policy *p, const secex_node *root)
{
	static const char *const admin[] = { "secex-admin" };
	static const char *const fields[] = { "status", "approvals", "assignee",
					      "stakeholders", "tickets", "references" };
	const secex_node *n;
	int rc;

	if ((rc = strlist_from(&p->sme_roles, p->doc, secex_node_get(root, "sme_roles"))) < 0)
		return rc;
	n = secex_node_get(root, "admin_roles");
	rc = n ? strlist_from(&p->admin_roles, p->doc, n) : default_list(&p->admin_roles, p->doc, admin, 1);
	if (rc < 0)
		return rc;
	n = secex_node_get(root, "reviewer_roles");
	rc = n ? strlist_from(&p->reviewer_roles, p->doc, n) : default_list(&p->reviewer_roles, p->doc, admin, 1);
	if (rc < 0)
		return rc;
	n = secex_node_get(root, "non_substantive_fields");
	return n ? strlist_from(&p->non_substantive, p->doc, n)
		 : default_list(&p->non_substantive, p->doc, fields, sizeof(fields) / sizeof(*fields));
}

bool secex_policy_trust_code(const char *code)
{
	static const char *const trust[] = { "SX202", "SX203", "SX204", "SX205", "SX206", "SX207", "SX208",
					     "SX211", "SX301", "SX302", "SX303", "SX304", "SX305", "SX306" };
	size_t i;

	for (i = 0; code && i < sizeof(trust) / sizeof(*trust); i++)
		if (strcmp(code, trust[i]) == 0)
			return true;
	return false;
}

static int check_severity(const secex_policy *p, secex_diags *diags)
{
	size_t i;
	int rc = 0;

	if (!p->severity || p->severity->type != SECEX_NODE_OBJECT)
		return 0;
	for (i = 0; i < p->severity->u.object.n && rc == 0; i++) {
		const secex_member *m = &p->severity->u.object.members[i];
		secex_severity sev;

		if (!secex_diag_code_lookup(m->key))
			rc = secex_diag_add(diags, "SX127", p->file, m->line, m->column, NULL, NULL,
					     "severity override for unknown finding code '%s'; "
					     "use a code listed in 'secex help codes'", m->key);
		else if (secex_policy_trust_code(m->key) && secex_node_str(m->value) &&
			 secex_diag_severity_parse(&sev, secex_node_str(m->value)) && sev != SECEX_SEV_ERROR)
			rc = secex_diag_add(diags, "SX127", p->file, m->line, m->column, NULL, NULL,
					     "severity override for '%s' is ignored: trust findings (SX202-SX208, "
					     "SX211, SX301-SX305) are always errors; remove the line", m->key);
	}
	return rc;
}

static const char *hierarchy_similar(const secex_policy *p, const char *role)
{
	secex_suggest near = SECEX_SUGGEST_INIT(role);
	size_t i;

	for (i = 0; i < p->nroles; i++) {
		secex_suggest_consider(&near, p->roles[i].role);
		consider_list(&near, &p->roles[i].implies);
	}
	return near.best;
}

static int check_groups(const secex_policy *p, secex_diags *diags)
{
	const secex_node *levels = secex_node_get(secex_doc_root(p->doc), "levels");
	size_t i, g, r;
	int rc = 0;

	for (i = 0; i < p->nlevels && rc == 0; i++) {
		const secex_level *level = &p->levels[i];
		const secex_node *groups = secex_node_get(secex_node_get(levels, level->name), "approvers");

		for (g = 0; g < level->ngroups && rc == 0; g++) {
			for (r = 0; r < level->groups[g].n && rc == 0; r++) {
				const char *role = level->groups[g].roles[r];
				const secex_node *at = groups && g < groups->u.array.n ? groups->u.array.items[g] : levels;

				const char *near;

				if (p->nroles == 0 || role_in_hierarchy(p, role))
					continue;
				near = hierarchy_similar(p, role);
				rc = secex_diag_add(diags, "SX127", p->file, at->line, at->column, NULL, NULL,
					"level '%s' names role '%s', which the role hierarchy does not know; "
					"%s%s%s", level->name, role, near ? "did you mean '" : "fix the spelling or add it under 'roles'",
					near ? near : "", near ? "'?" : "");
			}
		}
	}
	return rc;
}

int secex_policy_from_doc(secex_policy **out, secex_doc *doc, const char *file, secex_diags *diags)
{
	secex_policy *p = calloc(1, sizeof(*p));
	const secex_node *root = secex_doc_root(doc);
	int rc = 0;

	*out = NULL;
	if (!p) {
		secex_doc_free(doc);
		return secex_error_nomem();
	}
	p->doc = doc;
	p->file = secex_doc_strndup(doc, file, strlen(file));
	p->exceptions_dir = str_or(secex_node_get(root, "exceptions_dir"), SECEX_EXCEPTIONS_DIR_DEFAULT);
	p->id_pattern = str_or(secex_node_get(root, "id_pattern"), "^EXC-[0-9]{4,}$");
	p->risk_owner_must_approve = risk_owner_rule(secex_node_str(secex_node_get(root, "risk_owner_must_approve")));
	p->separation_of_duties = !(secex_node_get(root, "separation_of_duties") &&
				    secex_node_get(root, "separation_of_duties")->type == SECEX_NODE_BOOL &&
				    !secex_node_get(root, "separation_of_duties")->u.boolean);
	p->expiring_within = duration_or(secex_node_get(root, "expiring_within"), 14 * 86400);
	p->initial_review_sla = duration_or(secex_node_get(root, "initial_review_sla"), 5 * 86400);
	p->exception_schema = secex_node_str(secex_node_get(root, "exception_schema"));
	p->organization = secex_node_str(secex_node_get(root, "organization"));
	p->severity = secex_node_get(root, "severity");
	if (!p->file || (rc = levels_from(p, secex_node_get(root, "levels"))) < 0 ||
	    (rc = roles_from(p, secex_node_get(root, "roles"))) < 0 || (rc = lists_from(p, root)) < 0)
		goto cleanup;
	if ((rc = check_role_cycles(p, diags)) < 0 || (rc = check_groups(p, diags)) < 0 ||
	    (rc = compile_id_pattern(p, diags)) < 0 || (rc = check_severity(p, diags)) < 0)
		goto cleanup;
	*out = p;
	p = NULL;
cleanup:
	secex_policy_free(p);
	return rc < 0 ? rc : 0;
}

int secex_policy_default(secex_policy **out)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	const char *text = secex_policy_default_text();
	secex_doc *doc = NULL;
	int rc;

	*out = NULL;
	rc = secex_yaml_parse(&doc, text, strlen(text), "(default policy)", &diags);
	if (rc == 0 && doc)
		rc = secex_policy_from_doc(out, doc, "(default policy)", &diags);
	if (rc == 0 && (!*out || diags.n))
		rc = secex_error_set(SECEX_ERROR, "the built-in default policy does not load");
	secex_diag_release(&diags);
	return rc;
}

void secex_policy_free(secex_policy *p)
{
	if (!p)
		return;
	secex_schema_free(p->id_schema);
	secex_doc_free(p->id_schema_doc);
	secex_doc_free(p->doc);
	free(p);
}

const secex_level *secex_policy_level(const secex_policy *p, const char *name)
{
	size_t i;

	for (i = 0; name && i < p->nlevels; i++)
		if (strcmp(p->levels[i].name, name) == 0)
			return &p->levels[i];
	return NULL;
}

/* Breadth-first over the hierarchy; bounded by the number of roles, so cycles end. */
bool secex_policy_role_implies(const secex_policy *p, const char *held, const char *required)
{
	const char **queue;
	size_t head = 0, tail = 0, cap = 2, i;
	bool found = false;

	if (strcmp(held, required) == 0)
		return true;
	for (i = 0; i < p->nroles; i++)
		cap += p->roles[i].implies.n;
	queue = malloc(cap * sizeof(*queue));
	if (!queue)
		return false;
	queue[tail++] = held;
	while (head < tail && !found) {
		const secex_role *r = role_find(p, queue[head++]);

		for (i = 0; r && i < r->implies.n && !found; i++) {
			size_t k;
			bool seen = false;

			found = strcmp(r->implies.items[i], required) == 0;
			for (k = 0; k < tail && !seen; k++)
				seen = strcmp(queue[k], r->implies.items[i]) == 0;
			if (!seen && tail < cap)
				queue[tail++] = r->implies.items[i];
		}
	}
	free(queue);
	return found;
}

bool secex_policy_is_substantive(const secex_policy *p, const char *field)
{
	return !secex_policy_strlist_has(&p->non_substantive, field);
}

bool secex_policy_risk_owner_required(const secex_policy *p, const char *type)
{
	switch (p->risk_owner_must_approve) {
	case SECEX_RISK_OWNER_ALWAYS:
		return true;
	case SECEX_RISK_OWNER_ACCEPTANCE:
		return type && strcmp(type, "acceptance") == 0;
	case SECEX_RISK_OWNER_EXTENSION:
		return type && strcmp(type, "extension") == 0;
	case SECEX_RISK_OWNER_NEVER:
		break;
	}
	return false;
}

int secex_policy_apply_severity(const secex_policy *p, secex_diags *diags)
{
	size_t i;

	if (!p->severity || p->severity->type != SECEX_NODE_OBJECT)
		return 0;
	for (i = 0; i < p->severity->u.object.n; i++) {
		const secex_member *m = &p->severity->u.object.members[i];
		secex_severity sev;

		if (!secex_node_str(m->value) || !secex_diag_severity_parse(&sev, secex_node_str(m->value)) ||
		    (secex_policy_trust_code(m->key) && sev != SECEX_SEV_ERROR))
			continue;
		if (secex_diag_override(diags, m->key, sev) < 0)
			secex_error_clear(); /* an unknown code is reported by check_severity */
	}
	return 0;
}
