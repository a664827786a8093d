/* Who signed a commit: signatures verified once, rosters as of a commit, keys matched. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>
#include "secex/snapshot.h"
#include "history_int.h"
#include "../git/repo_int.h"
#include "secex/banned.h"

static int ensure_keyring(secex_history *h)
{
	return h->keyring ? 0 : secex_openpgp_keyring_new(&h->keyring, NULL, 0);
}

/* Adds the roster's OpenPGP keys to the one keyring every verification uses. */
static int add_pgp_keys(secex_history *h, const secex_roster *r)
{
	size_t i, k;
	int rc = 0;

	for (i = 0; rc == 0 && i < r->n; i++)
		for (k = 0; rc == 0 && k < r->people[i].nkeys; k++) {
			const secex_key *key = &r->people[i].keys[k];

			if (key->kind != SECEX_KEY_OPENPGP || !key->public_key ||
			    secex_map_get(&h->keyring_fprs, key->fingerprint, strlen(key->fingerprint)))
				continue;
			if ((rc = ensure_keyring(h)) < 0)
				break;
			rc = secex_openpgp_keyring_add(h->keyring, key->public_key, strlen(key->public_key), NULL);
			if (rc == SECEX_EINVALID) /* a bad key verifies nothing; validate reports it */
				rc = 0;
			if (rc == 0)
				rc = secex_map_put(&h->keyring_fprs, key->fingerprint, strlen(key->fingerprint), h);
			h->keyring_gen++;
		}
	return rc;
}

static int index_keys(hist_roster *hr)
{
	const secex_roster *r = hr->roster;
	size_t i, k, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->people[i].nkeys;
	if (n && !(hr->keys = calloc(n, sizeof(*hr->keys))))
		return secex_error_nomem();
	for (i = 0; i < r->n; i++)
		for (k = 0; k < r->people[i].nkeys; k++) {
			hist_key *hk = &hr->keys[hr->nkeys++];

			hk->person = &r->people[i];
			hk->key = &r->people[i].keys[k];
			if (hk->key->kind == SECEX_KEY_SSH && hk->key->ssh &&
			    secex_sshsig_key_parse(&hk->ssh, hk->key->ssh, strlen(hk->key->ssh)) < 0)
				hk->ssh.type = 0;
		}
	return 0;
}

static int load_roster(hist_roster *hr, secex_history *h, const git_oid *blob)
{
	secex_diags scratch = SECEX_DIAGS_INIT;
	const secex_schema *schema;
	git_blob *b = NULL;
	secex_doc *doc = NULL;
	bool valid = false;
	int rc;

	if (git_blob_lookup(&b, h->git, blob) < 0)
		return secex_repo_git_missing(h->git, "a roster blob");
	rc = secex_snapshot_builtin_schema(&schema, "people");
	if (rc == 0 && git_blob_rawsize(b) <= SECEX_MAX_FILE_SIZE)
		rc = secex_doc_parse(&doc, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), SECEX_PEOPLE_PATH,
				     &scratch);
	if (rc == 0 && doc)
		rc = secex_schema_validate(&valid, schema, secex_doc_root(doc), SECEX_PEOPLE_PATH, NULL, NULL);
	if (rc == 0 && doc && valid) {
		rc = secex_roster_from_doc(&hr->roster, doc, SECEX_PEOPLE_PATH, &scratch);
		doc = NULL;
	}
	if (rc == 0 && hr->roster && (rc = index_keys(hr)) == 0)
		rc = add_pgp_keys(h, hr->roster);
	secex_doc_free(doc);
	git_blob_free(b);
	secex_diag_release(&scratch);
	return rc;
}

static hist_roster no_roster;

int secex_trust_roster_of(hist_roster **out, secex_history *h, const hist_rules *rules)
{
	const git_oid *blob = secex_rules_blob(rules, SECEX_PEOPLE_PATH);
	hist_roster *hr;
	int rc;

	*out = &no_roster;
	if (!blob)
		return 0;
	if ((hr = secex_map_get(&h->rosters, blob->id, GIT_OID_RAWSZ))) {
		*out = hr;
		return 0;
	}
	if (!(hr = calloc(1, sizeof(*hr))) || secex_vec_push(&h->owned, hr) < 0) {
		free(hr);
		return secex_error_nomem();
	}
	if ((rc = load_roster(hr, h, blob)) == 0 && (rc = secex_map_put(&h->rosters, blob->id, GIT_OID_RAWSZ, hr)) == 0)
		*out = hr;
	return rc;
}

int secex_trust_roster_at(hist_roster **out, secex_history *h, const git_commit *commit)
{
	return secex_trust_roster_of(out, h, secex_rules_at(h, commit ? git_commit_id(commit) : NULL));
}

static int verify(hist_sig *s, secex_history *h, const secex_signed_commit *sc)
{
	secex_sig_result res = SECEX_SIG_RESULT_INIT;
	int rc;

	s->kind = secex_signature_detect(sc->signature.ptr, sc->signature.size);
	if (s->kind == SECEX_SIGKIND_OPENPGP && (rc = ensure_keyring(h)) < 0)
		return rc;
	rc = secex_signature_verify(&res, h->keyring, sc->signature.ptr, sc->signature.size, sc->payload.ptr,
				    sc->payload.size);
	if (rc == 0) {
		s->status = res.status;
		s->keyring_gen = h->keyring_gen;
		s->message = res.message.size ? secex_arena_strndup(&h->arena, res.message.ptr, res.message.size) : "";
		snprintf(s->fingerprint, sizeof(s->fingerprint), "%s", secex_buf_cstr(&res.fingerprint));
		secex_buf_clear(&s->key);
		rc = secex_buf_put(&s->key, res.key.ptr ? res.key.ptr : "", res.key.size);
	}
	secex_sig_result_release(&res);
	return rc;
}

static int read_sig(hist_sig *s, secex_history *h, const git_oid *commit)
{
	secex_signed_commit sc = SECEX_SIGNED_COMMIT_INIT;
	git_odb_object *obj = NULL;
	int rc;

	if (git_odb_read(&obj, h->odb, commit) < 0)
		return secex_repo_git_fail(SECEX_EREPO, "cannot read a commit object");
	rc = secex_commit_split(&sc, git_odb_object_data(obj), git_odb_object_size(obj));
	git_odb_object_free(obj);
	if (rc == 0) {
		s->state = sc.state;
		s->time = sc.time;
		if (sc.state == SECEX_COMMIT_MALFORMED)
			s->message = secex_arena_strndup(&h->arena, secex_buf_cstr(&sc.message), sc.message.size);
		else if (sc.state == SECEX_COMMIT_SIGNED)
			rc = verify(s, h, &sc);
	}
	secex_commit_release(&sc);
	return rc;
}

int secex_trust_commit_sig(hist_sig **out, secex_history *h, const git_oid *commit)
{
	hist_sig *s = secex_map_get(&h->sigs, commit->id, GIT_OID_RAWSZ);

	if (s && !(s->state == SECEX_COMMIT_SIGNED && s->status == SECEX_SIG_UNKNOWN_KEY &&
		   s->keyring_gen != h->keyring_gen)) {
		*out = s;
		return 0;
	}
	if (!s && (!(s = calloc(1, sizeof(*s))) || secex_map_put(&h->sigs, commit->id, GIT_OID_RAWSZ, s) < 0)) {
		free(s);
		return secex_error_nomem();
	}
	*out = s;
	return read_sig(s, h, commit);
}

const secex_person *secex_trust_signer(const hist_roster *r, const hist_sig *sig, const secex_key **key)
{
	size_t i;

	const secex_person *found = NULL;

	*key = NULL;
	if (sig->state != SECEX_COMMIT_SIGNED || sig->status != SECEX_SIG_OK)
		return NULL;
	for (i = 0; i < r->nkeys; i++) {
		const hist_key *k = &r->keys[i];
		bool match = sig->kind == SECEX_SIGKIND_SSH ? k->ssh.type && secex_sshsig_key_equal(&k->ssh, &sig->key)
			     : k->key->kind == SECEX_KEY_OPENPGP && k->key->fingerprint &&
				       strcmp(k->key->fingerprint, sig->fingerprint) == 0;

		if (!match)
			continue;
		if (found && found != k->person) { /* one key, two people (SX127): it proves no one */
			*key = NULL;
			return NULL;
		}
		found = k->person;
		*key = k->key;
	}
	return found;
}

bool secex_trust_looks_merged_by_forge(const git_commit *commit)
{
	const git_signature *a = git_commit_author(commit), *c = git_commit_committer(commit);
	const char *msg = git_commit_message(commit);
	size_t first = msg ? strcspn(msg, "\n") : 0;
	const char *p = msg ? strstr(msg, "(#") : NULL;

	if (p && (size_t)(p - msg) > first)
		p = NULL;

	if (c && c->email && (strstr(c->email, "noreply@github.com") || strstr(c->email, "@gitlab")))
		return true;
	if (p && p[2] >= '0' && p[2] <= '9')
		return true;
	return a && c && a->email && c->email && strcmp(a->email, c->email) != 0;
}

int secex_trust_describe_signer(secex_buf *out, secex_history *h, git_commit *commit)
{
	git_commit *parent = NULL;
	hist_roster *r = NULL;
	hist_sig *sig = NULL;
	const secex_key *key;
	const secex_person *p;
	int rc = 0;

	/* the roster first: it puts its OpenPGP keys in the keyring */
	if (git_commit_parentcount(commit) && git_commit_parent(&parent, commit, 0) < 0)
		return secex_repo_git_fail(SECEX_EREPO, "cannot read a parent commit");
	if ((rc = secex_trust_roster_at(&r, h, parent)) == 0)
		rc = secex_trust_commit_sig(&sig, h, git_commit_id(commit));
	git_commit_free(parent);
	if (rc < 0)
		return rc;
	if (sig->state == SECEX_COMMIT_UNSIGNED)
		return secex_buf_puts(out, "unsigned");
	if (sig->state == SECEX_COMMIT_MALFORMED || sig->status != SECEX_SIG_OK)
		return secex_buf_puts(out, "with a signature that does not verify");
	p = secex_trust_signer(r, sig, &key);
	return p ? secex_buf_printf(out, "signed by %s", p->id)
		 : secex_buf_printf(out, "signed by key %s, not in the roster", sig->fingerprint);
}
