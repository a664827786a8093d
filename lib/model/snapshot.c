/* Loading a tree's policy, roster and exceptions, each checked against its schema. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secex/snapshot.h"
#include "secex/util.h"
#include "secex/embedded.h"
#include "secex/banned.h"

typedef struct {
	secex_doc *merged_doc;        /* exception schema with the policy's extra fields */
	secex_schema *merged;
	secex_doc *extension_doc;     /* the policy's extending schema */
	secex_schema *extension;
} snapshot_internal;

static struct builtin {
	const char *name;
	secex_doc *doc;
	secex_schema *schema;
} builtins[] = { { "exception", NULL, NULL }, { "policy", NULL, NULL }, { "people", NULL, NULL },
		    { "reviews", NULL, NULL } };

const char *secex_snapshot_builtin_schema_text(const char *name, size_t *len)
{
	char file[64];
	const secex_embedded *e;

	snprintf(file, sizeof(file), "%s.schema.json", name);
	e = secex_embedded_find(secex_embedded_schemas, file);
	if (e && len)
		*len = e->size;
	return e ? e->data : NULL;
}

int secex_snapshot_builtin_schema(const secex_schema **out, const char *name)
{
	secex_schema_options opts = SECEX_SCHEMA_OPTIONS_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	struct builtin *b = NULL;
	const char *text;
	size_t i, len = 0;
	int rc = 0;

	for (i = 0; i < sizeof(builtins) / sizeof(*builtins); i++)
		if (strcmp(builtins[i].name, name) == 0)
			b = &builtins[i];
	if (!b || !(text = secex_snapshot_builtin_schema_text(name, &len)))
		return secex_error_set(SECEX_ENOTFOUND, "no built-in schema '%s'", name);
	if (!b->schema) {
		rc = secex_json_parse(&b->doc, text, len, name, &diags);
		if (rc == 0 && !b->doc)
			rc = secex_error_set(SECEX_ERROR, "built-in schema '%s' does not parse: %s", name,
					     diags.n ? diags.items[0].message : "");
		if (rc == 0)
			rc = secex_schema_compile(&b->schema, secex_doc_root(b->doc), name, &opts);
		secex_diag_release(&diags);
	}
	*out = b->schema;
	return rc;
}

/* Loads path and validates it against schema; *out is NULL unless it loaded. */
static int load_checked(secex_doc **out, bool *valid, secex_tree *tree, const char *path,
			const secex_schema *schema, const secex_schema *extra, secex_diags *diags)
{
	const char *id;
	bool ok = true;
	int rc;

	*valid = false;
	if ((rc = secex_tree_load(out, tree, path, diags)) < 0 || !*out)
		return rc;
	if (secex_doc_root(*out)->type == SECEX_NODE_NULL) {
		secex_doc_free(*out);
		*out = NULL;
		return secex_diag_add(diags, "SX110", path, 1, 1, NULL, NULL, "the file is empty; write its "
				       "fields (see secex help validate and the shipped schemas) or remove it");
	}
	id = secex_node_str(secex_node_get(secex_doc_root(*out), "id"));
	rc = secex_schema_validate(valid, schema, secex_doc_root(*out), path, id, diags);
	if (rc == 0 && extra) {
		rc = secex_schema_validate(&ok, extra, secex_doc_root(*out), path, id, diags);
		*valid = *valid && ok;
	}
	return rc;
}

/* Loads path and validates it against the shipped schema name; *out is NULL unless it loaded. */
static int load_shipped(secex_doc **out, bool *valid, secex_tree *tree, const char *path, const char *name,
			secex_diags *diags)
{
	const secex_schema *schema;
	int rc;

	*out = NULL;
	*valid = false;
	if ((rc = secex_snapshot_builtin_schema(&schema, name)) < 0)
		return rc;
	return load_checked(out, valid, tree, path, schema, NULL, diags);
}

static int load_policy(secex_snapshot *s, secex_tree *tree, secex_diags *diags)
{
	secex_doc *doc = NULL;
	bool valid;
	int rc;

	s->policy_ok = true;
	if (!secex_tree_exists(tree, SECEX_POLICY_PATH))
		return secex_policy_default(&s->policy);
	s->policy_present = true;
	if ((rc = load_shipped(&doc, &valid, tree, SECEX_POLICY_PATH, "policy", diags)) < 0)
		goto cleanup;
	if (doc && valid) {
		size_t before = diags->n;

		rc = secex_policy_from_doc(&s->policy, doc, SECEX_POLICY_PATH, diags);
		doc = NULL;
		s->policy_ok = rc == 0 && diags->n == before;
		if (rc < 0 || s->policy)
			goto cleanup;
	}
	s->policy_ok = false;
	/* a policy that failed validation decides nothing, not even where the exceptions are */
	rc = secex_policy_default(&s->policy);
cleanup:
	secex_doc_free(doc);
	return rc;
}

static int load_roster(secex_snapshot *s, secex_tree *tree, secex_diags *diags)
{
	secex_doc *doc = NULL;
	bool valid;
	int rc;

	if (!secex_tree_exists(tree, SECEX_PEOPLE_PATH))
		return 0;
	if ((rc = load_shipped(&doc, &valid, tree, SECEX_PEOPLE_PATH, "people", diags)) < 0)
		goto cleanup;
	if (doc && valid) {
		rc = secex_roster_from_doc(&s->roster, doc, SECEX_PEOPLE_PATH, diags);
		doc = NULL;
	}
	if (rc == 0 && s->roster && s->policy_ok)
		rc = secex_roster_check(s->policy, s->roster, diags);
cleanup:
	secex_doc_free(doc);
	return rc;
}

/* The shipped exception schema with `true` for every extra property the extension names. */
static int merge_schema(snapshot_internal *in, const secex_node *base, const secex_node *ext)
{
	const secex_node *ext_props = secex_node_get(ext, "properties");
	const secex_node *props = secex_node_get(base, "properties");
	secex_node *root, *merged;
	size_t i, n = 0;
	int rc;

	if ((rc = secex_doc_new(&in->merged_doc)) < 0)
		return rc;
	root = secex_doc_alloc(in->merged_doc, sizeof(*root));
	merged = secex_doc_alloc(in->merged_doc, sizeof(*merged));
	if (!root || !merged || !props || props->type != SECEX_NODE_OBJECT)
		return secex_error_nomem();
	*root = *base;
	*merged = *props;
	n = props->u.object.n + (ext_props && ext_props->type == SECEX_NODE_OBJECT ? ext_props->u.object.n : 0);
	merged->u.object.members = secex_doc_alloc(in->merged_doc, (n + 1) * sizeof(secex_member));
	root->u.object.members = secex_doc_alloc(in->merged_doc, (base->u.object.n + 1) * sizeof(secex_member));
	if (!merged->u.object.members || !root->u.object.members)
		return secex_error_nomem();
	memcpy(merged->u.object.members, props->u.object.members, props->u.object.n * sizeof(secex_member));
	for (i = 0; ext_props && ext_props->type == SECEX_NODE_OBJECT && i < ext_props->u.object.n; i++) {
		secex_member *m = &merged->u.object.members[merged->u.object.n];

		if (secex_node_member(props, ext_props->u.object.members[i].key))
			continue;
		*m = ext_props->u.object.members[i];
		if (!(m->value = secex_doc_alloc(in->merged_doc, sizeof(secex_node))))
			return secex_error_nomem();
		m->value->type = SECEX_NODE_BOOL;
		m->value->u.boolean = true;
		merged->u.object.n++;
	}
	memcpy(root->u.object.members, base->u.object.members, base->u.object.n * sizeof(secex_member));
	for (i = 0; i < root->u.object.n; i++)
		if (strcmp(root->u.object.members[i].key, "properties") == 0)
			root->u.object.members[i].value = merged;
	secex_doc_set_root(in->merged_doc, root);
	return 0;
}

static int load_extension(secex_snapshot *s, snapshot_internal *in, secex_tree *tree, secex_diags *diags)
{
	secex_schema_options opts = SECEX_SCHEMA_OPTIONS_INIT;
	const secex_schema *base;
	const char *path = s->policy->exception_schema;
	size_t before = diags->n;
	int rc;

	if (!s->policy_ok || !path)
		return 0;
	if ((rc = secex_tree_load(&in->extension_doc, tree, path, diags)) == SECEX_ENOTFOUND)
		return secex_diag_add(diags, "SX127", SECEX_POLICY_PATH, 0, 0, NULL, NULL,
				       "exception_schema '%s' does not exist; add the file or remove the key", path);
	if (rc < 0 || !in->extension_doc || diags->n != before)
		return rc;
	if ((rc = secex_schema_compile(&in->extension, secex_doc_root(in->extension_doc), path, &opts)) < 0)
		return secex_diag_add(diags, "SX127", path, 1, 1, NULL, NULL,
				       "cannot use this schema: %s", secex_error_last());
	if ((rc = secex_snapshot_builtin_schema(&base, "exception")) < 0)
		return rc;
	(void)base;
	if ((rc = merge_schema(in, builtins[0].doc ? secex_doc_root(builtins[0].doc) : NULL,
			       secex_doc_root(in->extension_doc))) < 0)
		return rc;
	return secex_schema_compile(&in->merged, secex_doc_root(in->merged_doc), "exception (extended)", &opts);
}

int secex_snapshot_load_exception(secex_exception *e, const secex_snapshot *s, secex_tree *tree,
				  secex_diags *diags)
{
	const snapshot_internal *in = s->internal;
	const secex_schema *schema;
	int rc;

	if ((rc = secex_snapshot_builtin_schema(&schema, "exception")) < 0)
		return rc;
	if (in && in->merged)
		schema = in->merged;
	rc = load_checked(&e->doc, &e->valid, tree, e->path, schema, in ? in->extension : NULL, diags);
	if (rc == SECEX_ENOTFOUND) /* listed but gone: a race with the user's editor */
		rc = 0;
	if (e->doc)
		e->id = secex_node_str(secex_node_get(secex_doc_root(e->doc), "id"));
	return rc;
}

int secex_snapshot_list(secex_vec *out, const secex_snapshot *s, secex_tree *tree, secex_diags *diags)
{
	const secex_schema *schema;
	int rc;

	/* the shipped schemas are compiled once, here, before any thread loads a file */
	if ((rc = secex_snapshot_builtin_schema(&schema, "exception")) < 0)
		return rc;
	return secex_tree_list(out, tree, s->policy->exceptions_dir, diags);
}

static int load_exceptions(secex_snapshot *s, secex_tree *tree, secex_diags *diags)
{
	secex_vec paths = SECEX_VEC_INIT;
	size_t i;
	int rc;

	if ((rc = secex_snapshot_list(&paths, s, tree, diags)) < 0)
		goto cleanup;
	if (!(s->items = calloc(paths.n + 1, sizeof(*s->items)))) {
		rc = secex_error_nomem();
		goto cleanup;
	}
	for (i = 0; i < paths.n && rc == 0; i++) {
		secex_exception *e = &s->items[s->n++];

		e->path = paths.items[i];
		paths.items[i] = NULL;
		rc = secex_snapshot_load_exception(e, s, tree, diags);
	}
cleanup:
	for (i = 0; i < paths.n; i++)
		free(paths.items[i]);
	secex_vec_release(&paths);
	return rc;
}

/* The reviews of audit findings, when they pass their schema (secex_reviews_apply judges
 * them). */
static int load_reviews(secex_snapshot *s, secex_tree *tree, secex_diags *diags)
{
	secex_doc *doc = NULL;
	bool valid;
	int rc;

	if (!secex_tree_exists(tree, SECEX_REVIEWS_PATH))
		return 0;
	if ((rc = load_shipped(&doc, &valid, tree, SECEX_REVIEWS_PATH, "reviews", diags)) < 0 || !valid) {
		secex_doc_free(doc);
		return rc;
	}
	s->reviews = doc;
	return 0;
}

/* The policy, roster and extending schema; only the defaults when .secex/ is not a real
 * directory (nothing is read through a link). */
static int load_rules(secex_snapshot *s, snapshot_internal *in, secex_tree *tree, secex_diags *diags)
{
	bool real;
	int rc;

	if ((rc = secex_tree_check_dir(&real, tree, ".secex", diags)) < 0)
		return rc;
	if (!real) {
		s->policy_ok = false;
		return secex_policy_default(&s->policy);
	}
	if ((rc = load_policy(s, tree, diags)) < 0 || (rc = load_roster(s, tree, diags)) < 0 ||
	    (rc = load_reviews(s, tree, diags)) < 0)
		return rc;
	return load_extension(s, in, tree, diags);
}

static int load(secex_snapshot **out, secex_tree *tree, bool exceptions, secex_diags *diags)
{
	secex_snapshot *s = calloc(1, sizeof(*s));
	snapshot_internal *in = calloc(1, sizeof(*in));
	int rc;

	*out = NULL;
	if (!s || !in) {
		free(s);
		free(in);
		return secex_error_nomem();
	}
	s->internal = in;
	if ((rc = load_rules(s, in, tree, diags)) < 0 || (exceptions && (rc = load_exceptions(s, tree, diags)) < 0)) {
		secex_snapshot_free(s);
		return rc;
	}
	if (s->policy_ok && s->policy_present)
		secex_policy_apply_severity(s->policy, diags);
	*out = s;
	return 0;
}

int secex_snapshot_load(secex_snapshot **out, secex_tree *tree, secex_diags *diags)
{
	return load(out, tree, true, diags);
}

int secex_snapshot_load_policy(secex_snapshot **out, secex_tree *tree, secex_diags *diags)
{
	return load(out, tree, false, diags);
}

void secex_snapshot_free(secex_snapshot *s)
{
	snapshot_internal *in;
	size_t i;

	if (!s)
		return;
	in = s->internal;
	for (i = 0; i < s->n; i++) {
		free(s->items[i].path);
		secex_doc_free(s->items[i].doc);
	}
	free(s->items);
	secex_policy_free(s->policy);
	secex_roster_free(s->roster);
	secex_doc_free(s->reviews);
	if (in) {
		secex_schema_free(in->merged);
		secex_doc_free(in->merged_doc);
		secex_schema_free(in->extension);
		secex_doc_free(in->extension_doc);
		free(in);
	}
	free(s);
}

int secex_snapshot_check_schema(bool *valid, const secex_snapshot *s, const secex_node *root,
				const char *path, const char *id, secex_diags *diags)
{
	const snapshot_internal *in = s->internal;
	const secex_schema *schema;
	bool ok = true;
	int rc;

	*valid = false;
	if ((rc = secex_snapshot_builtin_schema(&schema, "exception")) < 0)
		return rc;
	if (in && in->merged)
		schema = in->merged;
	rc = secex_schema_validate(valid, schema, root, path, id, diags);
	if (rc == 0 && in && in->extension) {
		rc = secex_schema_validate(&ok, in->extension, root, path, id, diags);
		*valid = *valid && ok;
	}
	return rc;
}

const secex_exception *secex_snapshot_find(const secex_snapshot *s, const char *id)
{
	size_t i;

	for (i = 0; id && i < s->n; i++)
		if (s->items[i].id && strcmp(s->items[i].id, id) == 0)
			return &s->items[i];
	return NULL;
}
