/* The document tree: allocation in one arena per document, lookups, equality. */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "secex/node.h"
#include "secex/json.h"
#include "secex/yaml.h"
#include "secex/util.h"
#include "secex/path.h"
#include "secex/banned.h"

struct secex_doc {
	secex_arena arena;
	secex_node *root;
};

int secex_doc_new(secex_doc **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : secex_error_nomem();
}

void secex_doc_free(secex_doc *doc)
{
	if (!doc)
		return;
	secex_arena_release(&doc->arena);
	free(doc);
}

secex_node *secex_doc_root(const secex_doc *doc)
{
	return doc ? doc->root : NULL;
}

void secex_doc_set_root(secex_doc *doc, secex_node *root)
{
	doc->root = root;
}

void *secex_doc_alloc(secex_doc *doc, size_t size)
{
	return secex_arena_alloc(&doc->arena, size);
}

const char *secex_doc_strndup(secex_doc *doc, const char *str, size_t len)
{
	return secex_arena_strndup(&doc->arena, str, len);
}

const secex_member *secex_node_member(const secex_node *object, const char *key)
{
	size_t i, len;

	if (!object || object->type != SECEX_NODE_OBJECT)
		return NULL;
	len = strlen(key);
	for (i = 0; i < object->u.object.n; i++) {
		const secex_member *m = &object->u.object.members[i];

		if (m->keylen == len && (len == 0 || memcmp(m->key, key, len) == 0))
			return m;
	}
	return NULL;
}

const secex_node *secex_node_get(const secex_node *object, const char *key)
{
	const secex_member *m = secex_node_member(object, key);

	return m ? m->value : NULL;
}

const char *secex_node_str(const secex_node *node)
{
	return node && node->type == SECEX_NODE_STRING ? node->u.string.ptr : NULL;
}

bool secex_node_is_number(const secex_node *node)
{
	return node && (node->type == SECEX_NODE_INT || node->type == SECEX_NODE_FLOAT);
}

double secex_node_number(const secex_node *node)
{
	return node->type == SECEX_NODE_INT ? (double)node->u.integer : node->u.number;
}

static bool numbers_equal(const secex_node *a, const secex_node *b)
{
	if (a->type == SECEX_NODE_INT && b->type == SECEX_NODE_INT)
		return a->u.integer == b->u.integer;
	return secex_node_number(a) == secex_node_number(b);
}

static int key_cmp(const secex_member *a, const secex_member *b)
{
	if (a->keylen != b->keylen)
		return a->keylen < b->keylen ? -1 : 1;
	return a->keylen ? memcmp(a->key, b->key, a->keylen) : 0; /* "" may have no bytes */
}

static int member_cmp(const void *pa, const void *pb)
{
	return key_cmp(*(const secex_member *const *)pa, *(const secex_member *const *)pb);
}

/* The members of obj in key order, or NULL when out of memory. */
static const secex_member **sorted_members(const secex_node *obj)
{
	const secex_member **v = malloc(obj->u.object.n * sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	for (i = 0; i < obj->u.object.n; i++)
		v[i] = &obj->u.object.members[i];
	qsort(v, obj->u.object.n, sizeof(*v), member_cmp);
	return v;
}

static bool objects_equal_scan(const secex_node *a, const secex_node *b)
{
	size_t i, j;

	for (i = 0; i < a->u.object.n; i++) {
		const secex_member *m = &a->u.object.members[i];

		for (j = 0; j < b->u.object.n && key_cmp(m, &b->u.object.members[j]) != 0; j++)
			;
		if (j == b->u.object.n || !secex_node_equal(m->value, b->u.object.members[j].value))
			return false;
	}
	return true;
}

/* Key order does not count: small objects by a scan, others by sorting both (O(n log n)). */
static bool objects_equal(const secex_node *a, const secex_node *b)
{
	const secex_member **x = NULL, **y = NULL;
	size_t i, n = a->u.object.n;
	bool eq = true;

	if (n != b->u.object.n)
		return false;
	if (n <= 8)
		return objects_equal_scan(a, b);
	if (!(x = sorted_members(a)) || !(y = sorted_members(b))) {
		eq = objects_equal_scan(a, b); /* out of memory: slower, still right */
		goto cleanup;
	}
	for (i = 0; i < n && eq; i++)
		eq = key_cmp(x[i], y[i]) == 0 && secex_node_equal(x[i]->value, y[i]->value);
cleanup:
	free(x);
	free(y);
	return eq;
}

bool secex_node_equal(const secex_node *a, const secex_node *b)
{
	size_t i;

	if (secex_node_is_number(a) && secex_node_is_number(b))
		return numbers_equal(a, b);
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case SECEX_NODE_NULL:
		return true;
	case SECEX_NODE_BOOL:
		return a->u.boolean == b->u.boolean;
	case SECEX_NODE_STRING:
		return a->u.string.len == b->u.string.len &&
		       (a->u.string.len == 0 || memcmp(a->u.string.ptr, b->u.string.ptr, a->u.string.len) == 0);
	case SECEX_NODE_ARRAY:
		if (a->u.array.n != b->u.array.n)
			return false;
		for (i = 0; i < a->u.array.n; i++)
			if (!secex_node_equal(a->u.array.items[i], b->u.array.items[i]))
				return false;
		return true;
	case SECEX_NODE_OBJECT:
		return objects_equal(a, b);
	default:
		return false;
	}
}

const char *secex_node_type_name(secex_node_type type)
{
	static const char *const names[] = { "null", "boolean", "integer", "number",
					     "string", "array", "object" };

	return type <= SECEX_NODE_OBJECT ? names[type] : "unknown";
}

/* Loading a document: JSON by its name, YAML otherwise. */

int secex_doc_parse(secex_doc **out, const char *data, size_t len, const char *file, secex_diags *diags)
{
	if (secex_path_is_json(file, strlen(file)))
		return secex_json_parse(out, data, len, file, diags);
	return secex_yaml_parse(out, data, len, file, diags);
}

int secex_doc_load_file(secex_doc **out, const char *path, const char *display_name, secex_diags *diags)
{
	return secex_doc_load_file_ext(out, path, display_name, 0, diags);
}

int secex_doc_load_file_ext(secex_doc **out, const char *path, const char *display_name, unsigned flags,
			    secex_diags *diags)
{
	secex_buf data = SECEX_BUF_INIT;
	uint64_t size = 0;
	int rc;

	*out = NULL;
	rc = secex_file_read_ext(&data, &size, path, SECEX_MAX_FILE_SIZE, flags);
	if (rc == SECEX_ENOTFILE)
		rc = secex_diag_add(diags, "SX109", display_name, 0, 0, NULL, NULL, "%s", secex_error_last());
	else if (rc == SECEX_EINVALID && size > SECEX_MAX_FILE_SIZE)
		rc = secex_diag_add(diags, "SX107", display_name, 1, 1, NULL, NULL, "file is %llu bytes, more "
				     "than the limit of 1 MiB; split it or remove it", (unsigned long long)size);
	else if (rc == SECEX_EINVALID)
		rc = secex_diag_add(diags, "SX107", display_name, 1, 1, NULL, NULL,
				     "file grew past the limit of 1 MiB while being read; split it or remove it");
	else if (rc == 0)
		rc = secex_doc_parse(out, data.ptr, data.size, display_name, diags);
	secex_buf_release(&data);
	return rc;
}
