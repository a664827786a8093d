/* What one exception blob says: the followed fields, content digests and approvals. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>
#include "secex/history.h"
#include "secex/util.h"
#include "history_int.h"
#include "../git/repo_int.h"
#include "secex/banned.h"

static const char *const field_names[SECEX_F_COUNT] = {
	"id", "title", "type", "priority", "status", "requestor", "risk_owner", "created",
	"due_date", "original_due_date"
};

const char *secex_facts_field_name(secex_field field)
{
	return (unsigned)field < SECEX_F_COUNT ? field_names[field] : "?";
}

static int cmp_members(const void *a, const void *b)
{
	const secex_member *x = *(const secex_member *const *)a, *y = *(const secex_member *const *)b;
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(x->key, y->key, n);

	return c ? c : (x->keylen > y->keylen) - (x->keylen < y->keylen);
}

static int canon(secex_buf *out, const secex_node *node, const secex_policy *skip_for);

static int canon_object(secex_buf *out, const secex_node *node, const secex_policy *skip_for)
{
	const secex_member **m = calloc(node->u.object.n + 1, sizeof(*m));
	size_t i, k = 0;
	int rc = 0;

	SECEX_ERROR_CHECK_ALLOC(m);
	for (i = 0; i < node->u.object.n; i++)
		if (!skip_for || secex_policy_is_substantive(skip_for, node->u.object.members[i].key))
			m[k++] = &node->u.object.members[i];
	qsort(m, k, sizeof(*m), cmp_members);
	rc = secex_buf_putc(out, '{');
	for (i = 0; rc == 0 && i < k; i++) {
		rc = secex_buf_puts(out, i ? ",\"" : "\"");
		if (rc == 0)
			rc = secex_buf_put_json_string(out, m[i]->key, m[i]->keylen);
		if (rc == 0)
			rc = secex_buf_puts(out, "\":");
		if (rc == 0)
			rc = canon(out, m[i]->value, NULL);
	}
	free(m);
	return rc ? rc : secex_buf_putc(out, '}');
}

/* Canonical JSON: keys sorted, no spaces; skip_for drops the fields that policy calls
 * not substantive (at the top level only). */
static int canon(secex_buf *out, const secex_node *node, const secex_policy *skip_for)
{
	size_t i;
	int rc = 0;

	switch (node->type) {
	case SECEX_NODE_NULL:
		return secex_buf_puts(out, "null");
	case SECEX_NODE_BOOL:
		return secex_buf_puts(out, node->u.boolean ? "true" : "false");
	case SECEX_NODE_INT:
		return secex_buf_printf(out, "%lld", (long long)node->u.integer);
	case SECEX_NODE_FLOAT:
		return secex_buf_printf(out, "%.17g", node->u.number);
	case SECEX_NODE_STRING:
		if ((rc = secex_buf_putc(out, '"')) == 0)
			rc = secex_buf_put_json_string(out, node->u.string.ptr, node->u.string.len);
		return rc ? rc : secex_buf_putc(out, '"');
	case SECEX_NODE_ARRAY:
		rc = secex_buf_putc(out, '[');
		for (i = 0; rc == 0 && i < node->u.array.n; i++) {
			if (i)
				rc = secex_buf_putc(out, ',');
			if (rc == 0)
				rc = canon(out, node->u.array.items[i], NULL);
		}
		return rc ? rc : secex_buf_putc(out, ']');
	case SECEX_NODE_OBJECT:
		return canon_object(out, node, skip_for);
	}
	return 0;
}

static int sha256(unsigned char out[SECEX_DIGEST_SIZE], const secex_buf *b)
{
	return secex_sig_sha256(out, b->ptr ? b->ptr : "", b->size);
}

int secex_facts_digest(unsigned char out[SECEX_DIGEST_SIZE], const secex_node *node,
		      const secex_policy *substantive_only)
{
	secex_buf b = SECEX_BUF_INIT;
	int rc = canon(&b, node, substantive_only);

	if (rc == 0)
		rc = sha256(out, &b);
	secex_buf_release(&b);
	return rc;
}

/* One pass over the substantive fields in name order: a hash of each, and the SHA-256 of
 * them all ("name\0value\0" in canonical JSON, per field). */
static int substantive_of(secex_facts *f, secex_arena *arena, const secex_policy *policy,
			  const secex_node *root)
{
	const secex_member **m = calloc(root->u.object.n + 1, sizeof(*m));
	secex_buf all = SECEX_BUF_INIT, one = SECEX_BUF_INIT;
	size_t i, k = 0;
	int rc = 0;

	f->fields = secex_arena_alloc(arena, (root->u.object.n + 1) * sizeof(*f->fields));
	if (!m || !f->fields) {
		free(m);
		return secex_error_nomem();
	}
	for (i = 0; i < root->u.object.n; i++)
		if (secex_policy_is_substantive(policy, root->u.object.members[i].key))
			m[k++] = &root->u.object.members[i];
	qsort(m, k, sizeof(*m), cmp_members);
	for (i = 0; rc == 0 && i < k; i++) {
		secex_buf_clear(&one);
		if ((rc = canon(&one, m[i]->value, NULL)) < 0 || (rc = secex_buf_put(&all, m[i]->key, m[i]->keylen + 1)) < 0 ||
		    (rc = secex_buf_put(&all, one.ptr, one.size + 1)) < 0)
			break;
		f->fields[i].name = secex_arena_strndup(arena, m[i]->key, m[i]->keylen);
		f->fields[i].hash = secex_map_hash(one.ptr, one.size);
		f->nfields++;
	}
	if (rc == 0)
		rc = sha256(f->substantive, &all);
	free(m);
	secex_buf_release(&all);
	secex_buf_release(&one);
	return rc;
}

bool secex_facts_has(const secex_facts *f, const unsigned char *digest)
{
	size_t i;

	for (i = 0; f && i < f->napprovals; i++)
		if (memcmp(f->approvals[i].digest, digest, SECEX_DIGEST_SIZE) == 0)
			return true;
	return false;
}

int secex_facts_changed_fields(secex_buf *out, const secex_facts *a, const secex_facts *b)
{
	size_t i = 0, k = 0, n = 0;
	int rc = 0;

	while (rc == 0 && (i < a->nfields || k < b->nfields)) {
		int c = i == a->nfields ? 1 : k == b->nfields ? -1 : strcmp(a->fields[i].name, b->fields[k].name);
		const char *name = c <= 0 ? a->fields[i].name : b->fields[k].name;

		if (c != 0 || a->fields[i].hash != b->fields[k].hash)
			rc = secex_buf_printf(out, "%s%s", n++ ? ", " : "", name);
		i += c <= 0;
		k += c >= 0;
	}
	return rc;
}

static const char *dup_str(secex_arena *arena, const secex_node *node)
{
	if (!node || node->type != SECEX_NODE_STRING)
		return NULL;
	return secex_arena_strndup(arena, node->u.string.ptr, node->u.string.len);
}

static int approval_of(secex_approval_fact *a, secex_arena *arena, const secex_node *node)
{
	a->line = node->line;
	a->column = node->column;
	if (node->type == SECEX_NODE_OBJECT) {
		a->by = dup_str(arena, secex_node_get(node, "by"));
		a->decision = dup_str(arena, secex_node_get(node, "decision"));
		a->role = dup_str(arena, secex_node_get(node, "role"));
		a->date = dup_str(arena, secex_node_get(node, "date"));
	}
	return secex_facts_digest(a->digest, node, NULL);
}

static int approvals_of(secex_facts *f, secex_arena *arena, const secex_node *list)
{
	size_t i;
	int rc = 0;

	if (!list || list->type != SECEX_NODE_ARRAY || !list->u.array.n)
		return 0;
	f->approvals = secex_arena_alloc(arena, list->u.array.n * sizeof(*f->approvals));
	SECEX_ERROR_CHECK_ALLOC(f->approvals);
	for (i = 0; rc == 0 && i < list->u.array.n; i++)
		rc = approval_of(&f->approvals[f->napprovals++], arena, list->u.array.items[i]);
	return rc;
}

int secex_facts_of(secex_facts **out, secex_arena *arena, const secex_policy *policy,
		   const secex_node *root)
{
	secex_facts *f = secex_arena_alloc(arena, sizeof(*f));
	int i, rc;

	*out = f;
	SECEX_ERROR_CHECK_ALLOC(f);
	if (root->type != SECEX_NODE_OBJECT) {
		f->problem_code = "SX110";
		f->problem = "the file is not a mapping of exception fields";
		return 0;
	}
	f->loaded = true;
	for (i = 0; i < SECEX_F_COUNT; i++) {
		const secex_member *m = secex_node_member(root, field_names[i]);

		if (m) {
			f->value[i] = dup_str(arena, m->value);
			f->line[i] = m->line;
		}
	}
	if ((rc = substantive_of(f, arena, policy, root)) < 0)
		return rc;
	return approvals_of(f, arena, secex_node_get(root, "approvals"));
}

int secex_facts_parse(secex_facts **out, secex_arena *arena, const secex_policy *policy,
		      const char *data, size_t len, const char *path)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_doc *doc = NULL;
	secex_facts *f;
	int rc = secex_doc_parse(&doc, data, len, path, &diags);

	if (rc == 0 && doc)
		rc = secex_facts_of(out, arena, policy, secex_doc_root(doc));
	else if (rc == 0 && !(f = *out = secex_arena_alloc(arena, sizeof(*f))))
		rc = secex_error_nomem();
	else if (rc == 0) {
		f->problem_code = diags.n ? secex_arena_strndup(arena, diags.items[0].code, 5) : "SX101";
		f->problem = secex_arena_strndup(arena, diags.n ? diags.items[0].message : "does not parse",
						 strlen(diags.n ? diags.items[0].message : "does not parse"));
		f->problem_line = diags.n ? diags.items[0].line : 0;
		f->problem_column = diags.n ? diags.items[0].column : 0;
	}
	secex_doc_free(doc);
	secex_diag_release(&diags);
	return rc;
}

struct hist_facts {
	secex_facts facts; /* first: a secex_facts pointer is its entry's */
	secex_arena arena; /* what the parse allocates, until secex_facts_set copies it */
	char *mem;         /* the facts' strings and arrays, one block */
	git_oid blob;
	unsigned refs;
	bool idle;
	hist_facts *next; /* in its bucket */
};

static size_t bucket_of(const hist_facts_table *t, const git_oid *blob)
{
	uint64_t x;

	memcpy(&x, blob->id, sizeof(x));
	return (size_t)(x % t->cap);
}

secex_facts *secex_facts_find(hist_facts_table *t, const git_oid *blob)
{
	hist_facts *e;

	for (e = t->cap ? t->buckets[bucket_of(t, blob)] : NULL; e; e = e->next)
		if (git_oid_equal(&e->blob, blob))
			return &e->facts;
	return NULL;
}

static int table_grow(hist_facts_table *t)
{
	hist_facts_table bigger = *t;
	size_t i;

	bigger.cap = t->cap ? t->cap * 2 : 1024;
	if (!(bigger.buckets = calloc(bigger.cap, sizeof(*bigger.buckets))))
		return secex_error_nomem();
	for (i = 0; i < t->cap; i++)
		while (t->buckets[i]) {
			hist_facts *e = t->buckets[i];
			size_t b = bucket_of(&bigger, &e->blob);

			t->buckets[i] = e->next;
			e->next = bigger.buckets[b];
			bigger.buckets[b] = e;
		}
	free(t->buckets);
	*t = bigger;
	return 0;
}

/* Queues an entry nobody holds for the next sweep. */
static int make_idle(hist_facts_table *t, hist_facts *e)
{
	if (e->idle)
		return 0;
	e->idle = true;
	return secex_vec_push(&t->idle, e);
}

int secex_facts_add(hist_facts **out, secex_arena **arena, hist_facts_table *t, const git_oid *blob)
{
	hist_facts *e;
	size_t b;

	if (t->n >= t->cap && table_grow(t) < 0)
		return SECEX_ENOMEM;
	if (!(e = calloc(1, sizeof(*e))))
		return secex_error_nomem();
	if (make_idle(t, e) < 0) {
		free(e);
		return secex_error_nomem();
	}
	git_oid_cpy(&e->blob, blob);
	b = bucket_of(t, blob);
	e->next = t->buckets[b];
	t->buckets[b] = e;
	t->n++;
	*out = e;
	*arena = &e->arena;
	return 0;
}

/* A compact copy: every string and array of the facts in one block of the exact size. */
typedef struct {
	char *at;
	size_t need;
} compact;

static const char *keep(compact *c, const char *str)
{
	size_t n = str ? strlen(str) + 1 : 0;
	char *p = c->at;

	c->need += n;
	if (!str || !p)
		return str;
	memcpy(p, str, n);
	c->at += n;
	return p;
}

static void *keep_array(compact *c, const void *items, size_t size)
{
	size_t n = (size + 15) & ~(size_t)15;
	char *p = c->at;

	c->need += n;
	if (!items || !p)
		return (void *)(uintptr_t)items;
	memcpy(p, items, size);
	c->at += n;
	return p;
}

static void copy_facts(compact *c, secex_facts *f)
{
	size_t i;

	f->fields = keep_array(c, f->fields, f->nfields * sizeof(*f->fields));
	f->approvals = keep_array(c, f->approvals, f->napprovals * sizeof(*f->approvals));
	for (i = 0; i < f->nfields; i++)
		f->fields[i].name = keep(c, f->fields[i].name);
	for (i = 0; i < f->napprovals; i++) {
		secex_approval_fact *a = &f->approvals[i];

		a->by = keep(c, a->by), a->decision = keep(c, a->decision);
		a->role = keep(c, a->role), a->date = keep(c, a->date);
	}
	for (i = 0; i < SECEX_F_COUNT; i++)
		f->value[i] = keep(c, f->value[i]);
	f->problem_code = keep(c, f->problem_code);
	f->problem = keep(c, f->problem);
}

int secex_facts_set(secex_facts **out, hist_facts *e, const secex_facts *parsed)
{
	compact size = { NULL, 0 }, into = { NULL, 0 };
	secex_facts probe = *parsed;

	copy_facts(&size, &probe); /* only counts */
	if (!(e->mem = into.at = malloc(size.need ? size.need : 1)))
		return secex_error_nomem();
	e->facts = *parsed;
	copy_facts(&into, &e->facts);
	secex_arena_release(&e->arena);
	*out = &e->facts;
	return 0;
}

/* The entry of facts the table gave out (its first member). */
static hist_facts *entry_of(const secex_facts *f)
{
	return (hist_facts *)(uintptr_t)f;
}

void secex_facts_hold(hist_facts_table *t, const secex_facts *f)
{
	(void)t;
	if (f)
		entry_of(f)->refs++;
}

void secex_facts_drop(hist_facts_table *t, const secex_facts *f)
{
	hist_facts *e = entry_of(f);

	if (e && --e->refs == 0 && make_idle(t, e) < 0)
		e->refs = 1; /* out of memory to queue it: kept, which is only a leak until the end */
}

static void unlink_entry(hist_facts_table *t, hist_facts *e)
{
	hist_facts **p = &t->buckets[bucket_of(t, &e->blob)];

	while (*p != e)
		p = &(*p)->next;
	*p = e->next;
	t->n--;
	secex_arena_release(&e->arena);
	free(e->mem);
	free(e);
}

void secex_facts_sweep(hist_facts_table *t)
{
	size_t i;

	for (i = 0; i < t->idle.n; i++) {
		hist_facts *e = t->idle.items[i];

		e->idle = false;
		if (!e->refs)
			unlink_entry(t, e);
	}
	t->idle.n = 0;
}

void secex_facts_table_release(hist_facts_table *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		while (t->buckets[i]) {
			hist_facts *e = t->buckets[i];

			t->buckets[i] = e->next;
			secex_arena_release(&e->arena);
			free(e->mem);
			free(e);
		}
	free(t->buckets);
	secex_vec_release(&t->idle);
	memset(t, 0, sizeof(*t));
}

static int encode_approval(secex_buf *out, const secex_approval_fact *a)
{
	int rc;

	if ((rc = secex_cache_putstr(out, a->by)) < 0 || (rc = secex_cache_putstr(out, a->decision)) < 0 ||
	    (rc = secex_cache_putstr(out, a->role)) < 0 || (rc = secex_cache_putstr(out, a->date)) < 0 ||
	    (rc = secex_buf_put(out, (const char *)a->digest, SECEX_DIGEST_SIZE)) < 0 ||
	    (rc = secex_cache_put32(out, a->line)) < 0)
		return rc;
	return secex_cache_put32(out, a->column);
}

int secex_facts_encode(secex_buf *out, const secex_facts *f)
{
	size_t i;
	int rc;

	if ((rc = secex_cache_put32(out, f->loaded)) < 0 || (rc = secex_cache_putstr(out, f->problem_code)) < 0 ||
	    (rc = secex_cache_putstr(out, f->problem)) < 0 || (rc = secex_cache_put32(out, f->problem_line)) < 0 ||
	    (rc = secex_cache_put32(out, f->problem_column)) < 0)
		return rc;
	for (i = 0; rc == 0 && i < SECEX_F_COUNT; i++)
		if ((rc = secex_cache_putstr(out, f->value[i])) == 0)
			rc = secex_cache_put32(out, f->line[i]);
	if (rc < 0 || (rc = secex_buf_put(out, (const char *)f->substantive, SECEX_DIGEST_SIZE)) < 0 ||
	    (rc = secex_cache_put32(out, (uint32_t)f->nfields)) < 0)
		return rc;
	for (i = 0; rc == 0 && i < f->nfields; i++)
		if ((rc = secex_cache_putstr(out, f->fields[i].name)) == 0)
			rc = secex_cache_put64(out, f->fields[i].hash);
	if (rc == 0)
		rc = secex_cache_put32(out, (uint32_t)f->napprovals);
	for (i = 0; rc == 0 && i < f->napprovals; i++)
		rc = encode_approval(out, &f->approvals[i]);
	return rc;
}

/* A count of items of at least min bytes each that the rest of the value can hold. */
static size_t get_count(hist_reader *r, size_t min)
{
	uint32_t n = secex_cache_get32(r);

	if (r->bad || n > (size_t)(r->end - r->p) / min) {
		r->bad = true;
		return 0;
	}
	return n;
}

static void decode_approval(hist_reader *r, secex_arena *arena, secex_approval_fact *a)
{
	a->by = secex_cache_getstr(r, arena);
	a->decision = secex_cache_getstr(r, arena);
	a->role = secex_cache_getstr(r, arena);
	a->date = secex_cache_getstr(r, arena);
	secex_cache_getbytes(r, a->digest, SECEX_DIGEST_SIZE);
	a->line = secex_cache_get32(r);
	a->column = secex_cache_get32(r);
}

bool secex_facts_decode(secex_facts **out, secex_arena *arena, const void *value, size_t len)
{
	hist_reader r = { value, (const unsigned char *)value + len, false, false };
	secex_facts *f = *out = secex_arena_alloc(arena, sizeof(*f));
	size_t i;

	if (!f)
		return false;
	f->loaded = secex_cache_get32(&r) == 1;
	f->problem_code = secex_cache_getstr(&r, arena);
	f->problem = secex_cache_getstr(&r, arena);
	f->problem_line = secex_cache_get32(&r);
	f->problem_column = secex_cache_get32(&r);
	for (i = 0; i < SECEX_F_COUNT; i++) {
		f->value[i] = secex_cache_getstr(&r, arena);
		f->line[i] = secex_cache_get32(&r);
	}
	secex_cache_getbytes(&r, f->substantive, SECEX_DIGEST_SIZE);
	f->nfields = get_count(&r, 12);
	if (f->nfields && !(f->fields = secex_arena_alloc(arena, f->nfields * sizeof(*f->fields))))
		return false;
	for (i = 0; i < f->nfields; i++) {
		f->fields[i].name = secex_cache_getstr(&r, arena);
		f->fields[i].hash = secex_cache_get64(&r);
		r.bad = r.bad || !f->fields[i].name;
	}
	f->napprovals = get_count(&r, 4 * 4 + SECEX_DIGEST_SIZE + 8);
	if (f->napprovals && !(f->approvals = secex_arena_alloc(arena, f->napprovals * sizeof(*f->approvals))))
		return false;
	for (i = 0; i < f->napprovals; i++)
		decode_approval(&r, arena, &f->approvals[i]);
	return !r.bad && r.p == r.end && (f->loaded || f->problem_code);
}

static int facts_key(unsigned char key[HIST_CACHE_KEY], const hist_io *io, const git_oid *blob)
{
	return secex_cache_key(key, 'F', io->salt, 32, blob->id, GIT_OID_RAWSZ);
}

/* The facts stored for blob: 1 when found, 0 when not (or not whole: parse again). */
static int cached(secex_facts **out, hist_io *io, const git_oid *blob, secex_arena *arena)
{
	unsigned char key[HIST_CACHE_KEY];
	const void *value;
	size_t len;

	if (!io->cache || facts_key(key, io, blob) < 0 || !(value = secex_cache_get(io->cache, key, &len)))
		return 0;
	return secex_facts_decode(out, arena, value, len) ? 1 : 0;
}

static int too_big(secex_facts **out, secex_arena *arena)
{
	if (!(*out = secex_arena_alloc(arena, sizeof(**out))))
		return secex_error_nomem();
	(*out)->problem_code = "SX107";
	(*out)->problem = "file is more than the limit of 1 MiB";
	return 0;
}

int secex_facts_read(secex_facts **out, bool *fresh, hist_io *io, const git_oid *blob, const char *path,
		     secex_arena *arena)
{
	git_odb_object *obj = NULL;
	git_object_t type;
	size_t size;
	int rc;

	*fresh = false;
	if ((rc = cached(out, io, blob, arena)) != 0)
		return rc < 0 ? rc : 0;
	if (git_odb_read_header(&size, &type, io->odb, blob) < 0)
		return secex_repo_git_missing(io->git, "an exception file's blob");
	if (size > SECEX_MAX_FILE_SIZE)
		rc = too_big(out, arena);
	else if (git_odb_read(&obj, io->odb, blob) < 0)
		return secex_repo_git_missing(io->git, "an exception file's blob");
	else
		rc = secex_facts_parse(out, arena, io->policy, git_odb_object_data(obj), git_odb_object_size(obj), path);
	git_odb_object_free(obj);
	*fresh = rc == 0;
	return rc;
}

int secex_facts_keep(hist_io *io, const git_oid *blob, const secex_facts *f)
{
	unsigned char key[HIST_CACHE_KEY];
	secex_buf value = SECEX_BUF_INIT;
	int rc;

	if (!io->cache)
		return 0;
	if ((rc = facts_key(key, io, blob)) == 0 && (rc = secex_facts_encode(&value, f)) == 0)
		rc = secex_cache_io_put(io, key, value.ptr, value.size);
	secex_buf_release(&value);
	return rc;
}
