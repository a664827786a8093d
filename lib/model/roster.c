/* The roster: people, their roles, status and signing keys. */

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "secex/policy.h"
#include "secex/util.h"
#include "secex/embedded.h"
#include "secex/banned.h"

const char *secex_roster_default_text(void)
{
	return secex_embedded_find(secex_embedded_defaults, "people.yaml")->data;
}

static int64_t when_or(const secex_node *node, int64_t fallback)
{
	const char *s = secex_node_str(node);
	int64_t v;

	return s && secex_date_when_parse(&v, s, strlen(s)) ? v : fallback;
}

/* Uppercase copy of a fingerprint, without spaces, in doc's arena. */
static const char *fingerprint_norm(secex_doc *doc, const char *fpr)
{
	size_t i, n = 0, len = strlen(fpr);
	char *out = secex_doc_alloc(doc, len + 1);

	if (!out)
		return NULL;
	for (i = 0; i < len; i++)
		if (!isspace((unsigned char)fpr[i]))
			out[n++] = (char)toupper((unsigned char)fpr[i]);
	out[n] = '\0';
	return out;
}

static bool key_from(secex_key *key, secex_doc *doc, const secex_node *node)
{
	const char *s;

	key->valid_after = INT64_MIN;
	key->valid_before = INT64_MAX;
	if ((s = secex_node_str(node))) {
		key->kind = SECEX_KEY_SSH;
		key->ssh = s;
		return true;
	}
	if (!node || node->type != SECEX_NODE_OBJECT)
		return false;
	key->valid_after = when_or(secex_node_get(node, "valid_after"), INT64_MIN);
	key->valid_before = when_or(secex_node_get(node, "valid_before"), INT64_MAX);
	if ((s = secex_node_str(secex_node_get(node, "ssh")))) {
		key->kind = SECEX_KEY_SSH;
		key->ssh = s;
		return true;
	}
	if ((s = secex_node_str(secex_node_get(node, "openpgp")))) {
		key->kind = SECEX_KEY_OPENPGP;
		key->fingerprint = fingerprint_norm(doc, s);
		key->public_key = secex_node_str(secex_node_get(node, "public_key"));
		return key->fingerprint != NULL;
	}
	return false;
}

static int person_from(secex_person *p, secex_doc *doc, const secex_node *node)
{
	const secex_node *keys = secex_node_get(node, "keys"), *roles = secex_node_get(node, "roles");
	const char *status = secex_node_str(secex_node_get(node, "status"));
	size_t i;

	p->id = secex_node_str(secex_node_get(node, "id"));
	p->name = secex_node_str(secex_node_get(node, "name"));
	p->email = secex_node_str(secex_node_get(node, "email"));
	p->manager = secex_node_str(secex_node_get(node, "manager"));
	p->github = secex_node_str(secex_node_get(node, "github"));
	p->active = !status || strcmp(status, "departed") != 0;
	p->line = node->line;
	p->column = node->column;
	if (roles && roles->type == SECEX_NODE_ARRAY) {
		p->roles.items = secex_doc_alloc(doc, (roles->u.array.n + 1) * sizeof(char *));
		SECEX_ERROR_CHECK_ALLOC(p->roles.items);
		for (i = 0; i < roles->u.array.n; i++)
			if (secex_node_str(roles->u.array.items[i]))
				p->roles.items[p->roles.n++] = secex_node_str(roles->u.array.items[i]);
	}
	if (!keys || keys->type != SECEX_NODE_ARRAY)
		return 0;
	p->keys = secex_doc_alloc(doc, (keys->u.array.n + 1) * sizeof(secex_key));
	SECEX_ERROR_CHECK_ALLOC(p->keys);
	for (i = 0; i < keys->u.array.n; i++)
		if (key_from(&p->keys[p->nkeys], doc, keys->u.array.items[i]))
			p->nkeys++;
	return 0;
}

/* The identifying text of a key: "type base64" of an SSH key line (not its comment), or an
 * OpenPGP fingerprint; its length goes to *len. */
static const char *key_text(const secex_key *k, size_t *len)
{
	const char *s = k->kind == SECEX_KEY_SSH ? k->ssh : k->fingerprint;
	size_t n;

	if (!s)
		return NULL;
	n = strcspn(s, " ");
	if (k->kind == SECEX_KEY_SSH && s[n])
		n += 1 + strcspn(s + n + 1, " ");
	*len = n;
	return s;
}

/* Records what of person i must be unique (key), reporting the person it is already given to. */
static int unique(secex_map *seen, const secex_roster *r, size_t i, const char *what, const char *key,
		  size_t len, secex_diags *diags)
{
	const secex_person *p = &r->people[i], *first;
	uintptr_t at;

	if (!key || !len)
		return 0;
	if (!(at = (uintptr_t)secex_map_get(seen, key, len))) /* index + 1 of the first holder */
		return secex_map_put(seen, key, len, (void *)(i + 1));
	if ((first = &r->people[at - 1]) == p)
		return 0;
	return secex_diag_add(diags, "SX127", r->file, p->line, p->column, NULL, NULL,
			       "%s of '%s' is already given to '%s' (line %u); one person has one entry: "
			       "remove it from one of them", what, p->id, first->id, first->line);
}

/* Ids, e-mails and keys name one person each: otherwise one human could fill two groups. */
static int check_unique(const secex_roster *r, secex_diags *diags)
{
	secex_map ids = SECEX_MAP_INIT, emails = SECEX_MAP_INIT, keys = SECEX_MAP_INIT;
	size_t i, k, len = 0;
	int rc = 0;

	for (i = 0; i < r->n && rc == 0; i++) {
		const secex_person *p = &r->people[i];
		uintptr_t first = (uintptr_t)secex_map_get(&ids, p->id, strlen(p->id));

		if (first)
			rc = secex_diag_add(diags, "SX127", r->file, p->line, p->column, NULL, NULL,
				"person id '%s' is listed twice (first at line %u); "
				"give each person one entry", p->id, r->people[first - 1].line);
		else
			rc = secex_map_put(&ids, p->id, strlen(p->id), (void *)(i + 1));
		if (rc == 0 && p->email)
			rc = unique(&emails, r, i, "the e-mail address", p->email, strlen(p->email), diags);
		for (k = 0; rc == 0 && k < p->nkeys; k++) {
			const char *text = key_text(&p->keys[k], &len);

			rc = unique(&keys, r, i, p->keys[k].kind == SECEX_KEY_SSH ? "an SSH key" : "an OpenPGP key",
				    text, len, diags);
		}
	}
	secex_map_release(&ids);
	secex_map_release(&emails);
	secex_map_release(&keys);
	return rc;
}

static int check_people(const secex_roster *r, secex_diags *diags)
{
	size_t i;
	int rc = check_unique(r, diags);

	for (i = 0; i < r->n && rc == 0; i++) {
		const secex_person *p = &r->people[i];

		const secex_person *near;

		if (!p->manager || secex_roster_find(r, p->manager))
			continue;
		if ((near = secex_roster_similar(r, p->manager)))
			rc = secex_diag_add(diags, "SX127", r->file, p->line, p->column, NULL, NULL,
				"manager '%s' of '%s' is not in the roster; did you mean '%s'?",
				p->manager, p->id, near->id);
		else
			rc = secex_diag_add(diags, "SX127", r->file, p->line, p->column, NULL, NULL,
				"manager '%s' of '%s' is not in the roster; add them or fix the id",
				p->manager, p->id);
	}
	return rc;
}

int secex_roster_from_doc(secex_roster **out, secex_doc *doc, const char *file, secex_diags *diags)
{
	const secex_node *people = secex_node_get(secex_doc_root(doc), "people");
	secex_roster *r = calloc(1, sizeof(*r));
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!r) {
		secex_doc_free(doc);
		return secex_error_nomem();
	}
	r->doc = doc;
	r->file = secex_doc_strndup(doc, file, strlen(file));
	if (people && people->type == SECEX_NODE_ARRAY) {
		r->people = secex_doc_alloc(doc, (people->u.array.n + 1) * sizeof(secex_person));
		if (!r->people || !r->file) {
			rc = secex_error_nomem();
			goto cleanup;
		}
		for (i = 0; i < people->u.array.n; i++) {
			secex_person *p = &r->people[r->n];

			if ((rc = person_from(p, doc, people->u.array.items[i])) < 0)
				goto cleanup;
			if (p->id)
				r->n++;
		}
	}
	if ((rc = check_people(r, diags)) < 0)
		goto cleanup;
	*out = r;
	r = NULL;
cleanup:
	secex_roster_free(r);
	return rc;
}

void secex_roster_free(secex_roster *r)
{
	if (!r)
		return;
	secex_doc_free(r->doc);
	free(r);
}

const secex_person *secex_roster_find(const secex_roster *r, const char *id)
{
	size_t i;

	for (i = 0; r && id && i < r->n; i++)
		if (strcmp(r->people[i].id, id) == 0)
			return &r->people[i];
	return NULL;
}

const secex_person *secex_roster_similar(const secex_roster *r, const char *s)
{
	secex_suggest near = SECEX_SUGGEST_INIT(s);
	size_t i;

	for (i = 0; r && s && i < r->n; i++) {
		const secex_person *p = &r->people[i];

		if ((p->name && strcasecmp(p->name, s) == 0) || (p->email && strcasecmp(p->email, s) == 0))
			return p;
		secex_suggest_consider(&near, p->id);
	}
	for (i = 0; near.best && i < r->n; i++)
		if (r->people[i].id == near.best)
			return &r->people[i];
	return NULL;
}

int secex_roster_check(const secex_policy *policy, const secex_roster *r, secex_diags *diags)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < r->n && rc == 0; i++) {
		const secex_person *p = &r->people[i];

		for (j = 0; j < p->roles.n && rc == 0; j++) {
			const char *role = p->roles.items[j], *near;

			if (secex_policy_knows_role(policy, role))
				continue;
			if ((near = secex_policy_similar_role(policy, role)))
				rc = secex_diag_add(diags, "SX127", r->file, p->line, p->column, NULL, NULL,
					"role '%s' of '%s' is not used anywhere in the policy; did you mean "
					"'%s'?", role, p->id, near);
			else
				rc = secex_diag_add(diags, "SX127", r->file, p->line, p->column, NULL, NULL,
					"role '%s' of '%s' is not used anywhere in the policy; "
					"fix the spelling or add the role to the policy's 'roles'", role, p->id);
		}
	}
	return rc;
}
