/*
 * Compiling a JSON Schema document: discovery of $id and $anchor, then one `schema_sub` per
 * schema object (keyword values checked, patterns compiled, numbers parsed), then $refs.
 */

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "schema_int.h"
#include "secex/array.h"
#include "secex/banned.h"

#define MAX_COMPILE_DEPTH 128  /* nesting of the schema document */
#define MATCH_LIMIT 100000     /* PCRE2 backtracking steps per match */
#define HEAP_LIMIT_KIB 10240   /* PCRE2 heap per match */

static const struct {
	const char *name;
	unsigned bit;
} type_names[] = {
	{ "null", T_NULL }, { "boolean", T_BOOL }, { "integer", T_INT }, { "number", T_NUM },
	{ "string", T_STR }, { "array", T_ARR }, { "object", T_OBJ },
};

const secex_member *secex_schema_find_member(const secex_node *obj, const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < obj->u.object.n; i++) {
		const secex_member *m = &obj->u.object.members[i];

		if (m->keylen == len && (len == 0 || memcmp(m->key, key, len) == 0))
			return m;
	}
	return NULL;
}

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return alen ? memcmp(a, b, alen) : 0; /* an empty key may have no bytes at all */
}

static int named_cmp(const void *pa, const void *pb)
{
	const schema_named *a = pa, *b = pb;

	return key_cmp(a->key, a->len, b->key, b->len);
}

const schema_named *secex_schema_find_named(const schema_named *arr, size_t n, const char *key,
				      size_t len)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(arr[mid].key, arr[mid].len, key, len);

		if (c == 0)
			return &arr[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}


/* ---------------------------------------------------------------------------------------
 * Compiling: discovery of $id and $anchor, then one `schema_sub` per schema object, then $refs
 */

typedef enum {
	K_UNKNOWN, K_ID, K_ANCHOR, K_REF, K_DYNREF, K_DEFS, K_TYPE, K_ENUM, K_CONST, K_REQUIRED,
	K_PROPERTIES, K_ADDITIONAL, K_PATTERNPROPS, K_PROPNAMES, K_ITEMS, K_PREFIX, K_CONTAINS,
	K_MINCONTAINS, K_MAXCONTAINS, K_MINITEMS, K_MAXITEMS, K_UNIQUE, K_MINLEN, K_MAXLEN,
	K_PATTERN, K_MINIMUM, K_MAXIMUM, K_EXMIN, K_EXMAX, K_MULTIPLE, K_MINPROPS, K_MAXPROPS,
	K_DEPREQ, K_DEPSCHEMAS, K_ALLOF, K_ANYOF, K_ONEOF, K_NOT, K_IF, K_THEN, K_ELSE, K_FORMAT,
	K_UNEVALPROPS, K_UNEVALITEMS, K_ANNOTATION_SCHEMA
} keyword;

enum { SUB_NONE, SUB_ONE, SUB_MAP, SUB_LIST };

/* The draft 2020-12 vocabularies; core is always on. */
enum {
	V_CORE = 0, V_APPLICATOR = 1u << 0, V_UNEVALUATED = 1u << 1, V_VALIDATION = 1u << 2,
	V_FORMAT = 1u << 3, V_CONTENT = 1u << 4, V_ALL = 0x1fu
};

static const struct {
	const char *name;
	keyword kw;
	int sub; /* where the keyword's value holds subschemas */
} keywords[] = {
	{ "$id", K_ID, SUB_NONE },
	{ "$anchor", K_ANCHOR, SUB_NONE },
	{ "$dynamicAnchor", K_ANCHOR, SUB_NONE },
	{ "$ref", K_REF, SUB_NONE },
	{ "$dynamicRef", K_DYNREF, SUB_NONE },
	{ "$defs", K_DEFS, SUB_MAP },
	{ "type", K_TYPE, SUB_NONE },
	{ "enum", K_ENUM, SUB_NONE },
	{ "const", K_CONST, SUB_NONE },
	{ "required", K_REQUIRED, SUB_NONE },
	{ "properties", K_PROPERTIES, SUB_MAP },
	{ "additionalProperties", K_ADDITIONAL, SUB_ONE },
	{ "patternProperties", K_PATTERNPROPS, SUB_MAP },
	{ "propertyNames", K_PROPNAMES, SUB_ONE },
	{ "items", K_ITEMS, SUB_ONE },
	{ "prefixItems", K_PREFIX, SUB_LIST },
	{ "contains", K_CONTAINS, SUB_ONE },
	{ "minContains", K_MINCONTAINS, SUB_NONE },
	{ "maxContains", K_MAXCONTAINS, SUB_NONE },
	{ "minItems", K_MINITEMS, SUB_NONE },
	{ "maxItems", K_MAXITEMS, SUB_NONE },
	{ "uniqueItems", K_UNIQUE, SUB_NONE },
	{ "minLength", K_MINLEN, SUB_NONE },
	{ "maxLength", K_MAXLEN, SUB_NONE },
	{ "pattern", K_PATTERN, SUB_NONE },
	{ "minimum", K_MINIMUM, SUB_NONE },
	{ "maximum", K_MAXIMUM, SUB_NONE },
	{ "exclusiveMinimum", K_EXMIN, SUB_NONE },
	{ "exclusiveMaximum", K_EXMAX, SUB_NONE },
	{ "multipleOf", K_MULTIPLE, SUB_NONE },
	{ "minProperties", K_MINPROPS, SUB_NONE },
	{ "maxProperties", K_MAXPROPS, SUB_NONE },
	{ "dependentRequired", K_DEPREQ, SUB_NONE },
	{ "dependentSchemas", K_DEPSCHEMAS, SUB_MAP },
	{ "allOf", K_ALLOF, SUB_LIST },
	{ "anyOf", K_ANYOF, SUB_LIST },
	{ "oneOf", K_ONEOF, SUB_LIST },
	{ "not", K_NOT, SUB_ONE },
	{ "if", K_IF, SUB_ONE },
	{ "then", K_THEN, SUB_ONE },
	{ "else", K_ELSE, SUB_ONE },
	{ "format", K_FORMAT, SUB_NONE },
	{ "unevaluatedProperties", K_UNEVALPROPS, SUB_ONE },
	{ "unevaluatedItems", K_UNEVALITEMS, SUB_ONE },
	{ "contentSchema", K_ANNOTATION_SCHEMA, SUB_ONE },
};

/* The vocabulary a keyword belongs to. */
static unsigned keyword_vocab(keyword kw)
{
	switch (kw) {
	case K_UNKNOWN: case K_ID: case K_ANCHOR: case K_REF: case K_DYNREF: case K_DEFS:
		return V_CORE;
	case K_PROPERTIES: case K_ADDITIONAL: case K_PATTERNPROPS: case K_PROPNAMES: case K_ITEMS:
	case K_PREFIX: case K_CONTAINS: case K_DEPSCHEMAS: case K_ALLOF: case K_ANYOF: case K_ONEOF:
	case K_NOT: case K_IF: case K_THEN: case K_ELSE:
		return V_APPLICATOR;
	case K_UNEVALPROPS: case K_UNEVALITEMS:
		return V_UNEVALUATED;
	case K_FORMAT:
		return V_FORMAT;
	case K_ANNOTATION_SCHEMA:
		return V_CONTENT;
	default:
		return V_VALIDATION;
	}
}

static int keyword_index(const secex_member *m)
{
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i].name) == m->keylen && memcmp(keywords[i].name, m->key, m->keylen) == 0)
			return (int)i;
	return -1;
}

typedef struct {
	const char *uri;         /* without fragment; "#name" appended for an anchor */
	const secex_node *node;
	const char *parent_base; /* the base URI where the node sits, before its own $id */
} resource;

typedef struct {
	schema_sub *from;
	const char *uri;   /* resolved */
	const char *ref;   /* as written */
	const char *where; /* schema location of the $ref, for messages */
	bool dynamic;      /* $dynamicRef */
} pending;

typedef struct {
	const void *key;
	schema_sub *val;
} slot;

typedef struct {
	secex_schema *out;
	const char *name;
	secex_arena tmp;
	slot *memo;
	size_t memocap, memon;
	resource *res, *anchors;
	size_t nres, capres, nanchors, capanchors;
	pending *pend, *refs;
	size_t npend, cappend, nrefs, caprefs;
	schema_seg loc[2 * MAX_COMPILE_DEPTH + 8];
	size_t nloc;
	const char *loc_prefix;
	pcre2_compile_context *pcc;
	const char *last_base; /* resource_id's last answer */
	unsigned last_res;
	size_t nrootrefs; /* refs[0..nrootrefs) are the schema's own, the rest its resources' */
	unsigned vocab;   /* V_* bits: the vocabularies the schema's $schema enables */
	int rc;
} cctx;

static void loc_push(cctx *cc, const char *key, size_t len)
{
	if (cc->nloc < sizeof(cc->loc) / sizeof(cc->loc[0]))
		cc->loc[cc->nloc] = (schema_seg){ key, len, 0 };
	cc->nloc++;
}

static void loc_push_index(cctx *cc, size_t index)
{
	if (cc->nloc < sizeof(cc->loc) / sizeof(cc->loc[0]))
		cc->loc[cc->nloc] = (schema_seg){ NULL, 0, index };
	cc->nloc++;
}

static void loc_pop(cctx *cc)
{
	cc->nloc--;
}

static int put_location(secex_buf *b, const cctx *cc)
{
	size_t n = cc->nloc < sizeof(cc->loc) / sizeof(cc->loc[0]) ? cc->nloc :
		   sizeof(cc->loc) / sizeof(cc->loc[0]);
	int rc = secex_buf_puts(b, cc->loc_prefix);

	return rc ? rc : secex_schema_put_pointer(b, cc->loc, n);
}

static int cfail(cctx *cc, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Records why the schema does not compile: "schema 'NAME' at 'LOCATION': ...". */
static int cfail(cctx *cc, const char *fmt, ...)
{
	secex_buf b = SECEX_BUF_INIT;
	va_list ap;
	int rc;

	if (cc->rc)
		return cc->rc;
	rc = secex_buf_printf(&b, "schema '%s' at '", cc->name);
	rc = rc ? rc : put_location(&b, cc);
	rc = rc ? rc : secex_buf_puts(&b, "': ");
	if (rc == 0) {
		va_start(ap, fmt);
		rc = secex_buf_vprintf(&b, fmt, ap);
		va_end(ap);
	}
	cc->rc = rc ? rc : secex_error_set(SECEX_EINVALID, "%s", secex_buf_cstr(&b));
	secex_buf_release(&b);
	return cc->rc;
}

static int nomem(cctx *cc)
{
	if (!cc->rc)
		cc->rc = secex_error_nomem();
	return cc->rc;
}

static const char *tmp_str(cctx *cc, const char *s, size_t len)
{
	const char *p = secex_arena_strndup(&cc->tmp, s, len);

	if (!p)
		nomem(cc);
	return p;
}


static schema_sub *memo_get(const cctx *cc, const void *key)
{
	size_t i;

	if (!cc->memocap)
		return NULL;
	for (i = secex_schema_ptr_hash(key) & (cc->memocap - 1); cc->memo[i].key; i = (i + 1) & (cc->memocap - 1))
		if (cc->memo[i].key == key)
			return cc->memo[i].val;
	return NULL;
}

static int memo_put(cctx *cc, const void *key, schema_sub *val)
{
	size_t i;

	if (2 * (cc->memon + 1) > cc->memocap) {
		size_t cap = cc->memocap ? cc->memocap * 2 : 64, k;
		slot *t = calloc(cap, sizeof(*t));

		if (!t)
			return nomem(cc);
		for (k = 0; k < cc->memocap; k++) {
			if (!cc->memo[k].key)
				continue;
			for (i = secex_schema_ptr_hash(cc->memo[k].key) & (cap - 1); t[i].key; i = (i + 1) & (cap - 1))
				;
			t[i] = cc->memo[k];
		}
		free(cc->memo);
		cc->memo = t;
		cc->memocap = cap;
	}
	for (i = secex_schema_ptr_hash(key) & (cc->memocap - 1); cc->memo[i].key; i = (i + 1) & (cc->memocap - 1))
		;
	cc->memo[i].key = key;
	cc->memo[i].val = val;
	cc->memon++;
	return 0;
}

/* Resolves ref against base, without the fragment when strip is set, into the tmp arena. */
static const char *resolve(cctx *cc, const char *ref, const char *base, bool strip)
{
	secex_buf b = SECEX_BUF_INIT;
	const char *out = NULL;
	char *hash;

	if (secex_schema_uri_resolve(&b, ref, base) < 0) {
		nomem(cc);
	} else {
		if (strip && (hash = strchr(b.ptr, '#')))
			b.size = (size_t)(hash - b.ptr);
		out = tmp_str(cc, b.ptr, b.size);
	}
	secex_buf_release(&b);
	return out;
}

static int add_resource(cctx *cc, resource **arr, size_t *n, size_t *cap, const char *uri,
			const secex_node *node, const char *parent_base)
{
	resource *grown;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*arr)[i].uri, uri) == 0)
			return 0; /* the first one wins */
	if (!(grown = secex_array_grow(*arr, cap, *n, sizeof(**arr), 16)))
		return nomem(cc);
	*arr = grown;
	(*arr)[(*n)++] = (resource){ uri, node, parent_base };
	return 0;
}

static const secex_node *get(const secex_node *obj, const char *key)
{
	const secex_member *m = secex_schema_find_member(obj, key, strlen(key));

	return m ? m->value : NULL;
}

/* The base URI inside node: its $id resolved against parent_base, or parent_base. */
static const char *base_of(cctx *cc, const secex_node *node, const char *parent_base)
{
	const secex_node *id = node->type == SECEX_NODE_OBJECT ? get(node, "$id") : NULL;
	const char *hash;

	if (!id || id->type != SECEX_NODE_STRING)
		return parent_base;
	hash = strchr(id->u.string.ptr, '#');
	if (hash && hash[1])
		return parent_base; /* not a valid 2020-12 $id: compile() says so */
	return resolve(cc, id->u.string.ptr, parent_base, true);
}

/* Finds every $id, $anchor and $ref where a schema may be, under node. */
static int discover(cctx *cc, const secex_node *node, const char *parent_base, unsigned depth)
{
	const secex_node *v;
	const char *base;
	size_t i, k;
	int idx;

	if (node->type != SECEX_NODE_OBJECT || cc->rc)
		return cc->rc;
	if (depth > MAX_COMPILE_DEPTH)
		return cfail(cc, "schema nested deeper than %d levels; flatten it", MAX_COMPILE_DEPTH);
	if (!(base = base_of(cc, node, parent_base)))
		return cc->rc;
	if (base != parent_base &&
	    add_resource(cc, &cc->res, &cc->nres, &cc->capres, base, node, parent_base) < 0)
		return cc->rc;
	for (i = 0; i < node->u.object.n && !cc->rc; i++) {
		const secex_member *m = &node->u.object.members[i];

		if ((idx = keyword_index(m)) < 0)
			continue;
		v = m->value;
		if (keywords[idx].kw == K_ANCHOR && v->type == SECEX_NODE_STRING) {
			secex_buf b = SECEX_BUF_INIT;

			if (secex_buf_printf(&b, "%s#%s", base, v->u.string.ptr) < 0) {
				nomem(cc);
			} else {
				const char *uri = tmp_str(cc, b.ptr, b.size);

				if (uri)
					add_resource(cc, &cc->anchors, &cc->nanchors, &cc->capanchors, uri, node,
						     parent_base);
			}
			secex_buf_release(&b);
		} else if ((keywords[idx].kw == K_REF || keywords[idx].kw == K_DYNREF) &&
			   v->type == SECEX_NODE_STRING) {
			const char *uri = resolve(cc, v->u.string.ptr, base, false);
			pending *grown = uri ? secex_array_grow(cc->refs, &cc->caprefs, cc->nrefs, sizeof(*cc->refs), 16) : NULL;

			if (grown) {
				cc->refs = grown;
				cc->refs[cc->nrefs++] = (pending){ NULL, uri, v->u.string.ptr, NULL, false };
			} else if (uri) {
				nomem(cc);
			}
		} else if (keywords[idx].sub == SUB_ONE) {
			discover(cc, v, base, depth + 1);
		} else if (keywords[idx].sub == SUB_MAP && v->type == SECEX_NODE_OBJECT) {
			for (k = 0; k < v->u.object.n; k++)
				discover(cc, v->u.object.members[k].value, base, depth + 1);
		} else if (keywords[idx].sub == SUB_LIST && v->type == SECEX_NODE_ARRAY) {
			for (k = 0; k < v->u.array.n; k++)
				discover(cc, v->u.array.items[k], base, depth + 1);
		}
	}
	return cc->rc;
}

/* Follows a JSON pointer (already percent-decoded) from a resource. */
static const secex_node *walk_pointer(cctx *cc, const resource *r, const char *ptr, size_t len,
				      const char **parent_base)
{
	const secex_node *node = r->node;
	const char *base = r->uri;
	secex_buf tok = SECEX_BUF_INIT;
	size_t i = 1;

	while (node && i <= len) {
		size_t j = i;
		const secex_node *child = NULL;

		secex_buf_clear(&tok);
		for (; j < len && ptr[j] != '/'; j++) {
			char c = ptr[j];

			if (c == '~' && j + 1 < len && (ptr[j + 1] == '0' || ptr[j + 1] == '1'))
				c = ptr[++j] == '0' ? '~' : '/';
			if (secex_buf_putc(&tok, c) < 0) {
				nomem(cc);
				node = NULL;
				break;
			}
		}
		if (!node)
			break;
		if (node->type == SECEX_NODE_OBJECT) {
			const secex_member *m = secex_schema_find_member(node, secex_buf_cstr(&tok), tok.size);

			child = m ? m->value : NULL;
		} else if (node->type == SECEX_NODE_ARRAY && tok.size > 0 && tok.size < 19 &&
			   strspn(tok.ptr, "0123456789") == tok.size && (tok.size == 1 || tok.ptr[0] != '0')) {
			size_t index = (size_t)strtoull(tok.ptr, NULL, 10);

			child = index < node->u.array.n ? node->u.array.items[index] : NULL;
		}
		if (child && j < len && !(base = base_of(cc, child, base)))
			child = NULL;
		node = child;
		i = j + 1;
	}
	secex_buf_release(&tok);
	if (node)
		*parent_base = base;
	return node;
}

/* Registers one document under its retrieval URI and finds its $ids and anchors. */
static int add_document(cctx *cc, const secex_node *root, const char *uri)
{
	const secex_node *id = root->type == SECEX_NODE_OBJECT ? get(root, "$id") : NULL;

	if ((!id || id->type != SECEX_NODE_STRING || *uri) &&
	    add_resource(cc, &cc->res, &cc->nres, &cc->capres, uri, root, uri) < 0)
		return cc->rc;
	return discover(cc, root, uri, 0);
}

static const resource *resource_named(const cctx *cc, const char *uri, size_t ulen)
{
	size_t i;

	for (i = 0; i < cc->nres; i++)
		if (strlen(cc->res[i].uri) == ulen && memcmp(cc->res[i].uri, uri, ulen) == 0)
			return &cc->res[i];
	return NULL;
}

/* The resource of that URI; a document of the built-in metaschema joins the compilation
 * the first time something names it (the schema's and the caller's documents come first). */
static const resource *find_resource(cctx *cc, const char *uri, size_t ulen)
{
	const secex_schema_resource *meta;
	const resource *r = resource_named(cc, uri, ulen);
	size_t i, n;

	meta = r ? NULL : secex_schema_meta_resources(&n);
	for (i = 0; meta && i < n; i++)
		if (strlen(meta[i].uri) == ulen && memcmp(meta[i].uri, uri, ulen) == 0)
			return add_document(cc, meta[i].root, meta[i].uri) < 0 ? NULL
				: resource_named(cc, uri, ulen);
	return r;
}

/* The node a resolved URI names in this document, or NULL. */
static const secex_node *lookup(cctx *cc, const char *uri, const char **parent_base)
{
	const char *hash = strchr(uri, '#');
	size_t ulen = hash ? (size_t)(hash - uri) : strlen(uri), i;
	secex_buf frag = SECEX_BUF_INIT, key = SECEX_BUF_INIT;
	const secex_node *node = NULL;
	const resource *r;

	if (!(r = find_resource(cc, uri, ulen)))
		return NULL;
	if (secex_schema_percent_decode(&frag, hash ? hash + 1 : "", hash ? strlen(hash + 1) : 0) < 0) {
		nomem(cc);
	} else if (frag.size == 0) {
		node = r->node;
		*parent_base = r->parent_base;
	} else if (frag.ptr[0] == '/') {
		node = walk_pointer(cc, r, frag.ptr, frag.size, parent_base);
	} else if (secex_buf_put(&key, uri, ulen) < 0 || secex_buf_putc(&key, '#') < 0 ||
		   secex_buf_put(&key, frag.ptr, frag.size) < 0) {
		nomem(cc);
	} else {
		for (i = 0; i < cc->nanchors && !node; i++) {
			if (strcmp(cc->anchors[i].uri, key.ptr) == 0) {
				node = cc->anchors[i].node;
				*parent_base = cc->anchors[i].parent_base;
			}
		}
	}
	secex_buf_release(&frag);
	secex_buf_release(&key);
	return node;
}

static int cctx_start(cctx *cc, const secex_node *root, const char *name,
		      const secex_schema_options *opts)
{
	size_t i;

	memset(cc, 0, sizeof(*cc));
	cc->name = name ? name : "schema";
	cc->loc_prefix = "#";
	cc->vocab = V_ALL;
	if (!root)
		return secex_error_set(SECEX_EINVALID, "schema '%s' is empty", cc->name);
	if (add_document(cc, root, "") < 0)
		return cc->rc;
	cc->nrootrefs = cc->nrefs;
	for (i = 0; opts && i < opts->nresources && !cc->rc; i++)
		if (opts->resources[i].root && opts->resources[i].uri)
			add_document(cc, opts->resources[i].root, opts->resources[i].uri);
	return cc->rc;
}

static void cctx_release(cctx *cc)
{
	secex_arena_release(&cc->tmp);
	free(cc->memo);
	free(cc->res);
	free(cc->anchors);
	free(cc->pend);
	free(cc->refs);
	if (cc->pcc)
		pcre2_compile_context_free(cc->pcc);
}

int secex_schema_find_external_ref(const char **out, const secex_node *root,
			const secex_schema_options *opts)
{
	const char *base;
	cctx cc;
	size_t i;
	int rc;

	*out = NULL;
	rc = cctx_start(&cc, root, NULL, opts);
	for (i = 0; rc == 0 && i < cc.nrootrefs && !*out; i++) {
		if (!lookup(&cc, cc.refs[i].uri, &base))
			*out = cc.refs[i].ref;
		rc = cc.rc;
	}
	cctx_release(&cc);
	return rc;
}

/* ---- keyword values ---- */

static bool is_schema_node(const secex_node *n)
{
	return n->type == SECEX_NODE_OBJECT || n->type == SECEX_NODE_BOOL;
}

bool secex_schema_integral(const secex_node *n)
{
	return n->type == SECEX_NODE_INT ||
	       (n->type == SECEX_NODE_FLOAT && isfinite(n->u.number) && n->u.number == floor(n->u.number));
}

static int get_count(cctx *cc, const secex_member *m, int64_t *out)
{
	const secex_node *v = m->value;

	if (!secex_schema_integral(v) || secex_node_number(v) < 0)
		return cfail(cc, "'%s' must be a non-negative integer; fix the schema", m->key);
	if (v->type == SECEX_NODE_INT)
		*out = v->u.integer;
	else
		*out = v->u.number >= 9.2e18 ? INT64_MAX : (int64_t)v->u.number;
	return 0;
}

static int get_num(cctx *cc, const secex_member *m, schema_num *out)
{
	const secex_node *v = m->value;

	if (!secex_node_is_number(v))
		return cfail(cc, "'%s' must be a number; fix the schema", m->key);
	out->is_int = v->type == SECEX_NODE_INT;
	out->i = out->is_int ? v->u.integer : 0;
	out->d = secex_node_number(v);
	return 0;
}

static bool string_array(const secex_node *v)
{
	size_t i;

	if (v->type != SECEX_NODE_ARRAY)
		return false;
	for (i = 0; i < v->u.array.n; i++)
		if (v->u.array.items[i]->type != SECEX_NODE_STRING)
			return false;
	return true;
}

static int get_types(cctx *cc, const secex_member *m, unsigned *out)
{
	const secex_node *v = m->value;
	size_t i, k, n = v->type == SECEX_NODE_ARRAY ? v->u.array.n : 1;

	*out = 0;
	if (v->type != SECEX_NODE_STRING && (!string_array(v) || n == 0))
		return cfail(cc, "'type' must be a type name or a non-empty array of them; fix the schema");
	for (i = 0; i < n; i++) {
		const secex_node *t = v->type == SECEX_NODE_ARRAY ? v->u.array.items[i] : v;
		unsigned bit = 0;

		for (k = 0; k < sizeof(type_names) / sizeof(type_names[0]); k++)
			if (strcmp(t->u.string.ptr, type_names[k].name) == 0)
				bit = type_names[k].bit;
		if (!bit)
			return cfail(cc, "unknown type '%s'; use null, boolean, integer, number, string, "
				     "array or object", t->u.string.ptr);
		*out |= bit;
	}
	return 0;
}

/* ECMA-262 General_Category names that PCRE2 10.42 only knows by their short form. */
static const struct {
	const char *name, *pcre;
} categories[] = {
	{ "Cased_Letter", "L&" }, { "LC", "L&" }, { "Close_Punctuation", "Pe" },
	{ "Connector_Punctuation", "Pc" }, { "Control", "Cc" }, { "cntrl", "Cc" },
	{ "Currency_Symbol", "Sc" }, { "Dash_Punctuation", "Pd" }, { "Decimal_Number", "Nd" },
	{ "digit", "Nd" }, { "Enclosing_Mark", "Me" }, { "Final_Punctuation", "Pf" },
	{ "Format", "Cf" }, { "Initial_Punctuation", "Pi" }, { "Letter", "L" },
	{ "Letter_Number", "Nl" }, { "Line_Separator", "Zl" }, { "Lowercase_Letter", "Ll" },
	{ "Mark", "M" }, { "Combining_Mark", "M" }, { "Math_Symbol", "Sm" },
	{ "Modifier_Letter", "Lm" }, { "Modifier_Symbol", "Sk" }, { "Nonspacing_Mark", "Mn" },
	{ "Number", "N" }, { "Open_Punctuation", "Ps" }, { "Other", "C" }, { "Other_Letter", "Lo" },
	{ "Other_Number", "No" }, { "Other_Punctuation", "Po" }, { "Other_Symbol", "So" },
	{ "Paragraph_Separator", "Zp" }, { "Private_Use", "Co" }, { "Punctuation", "P" },
	{ "punct", "P" }, { "Separator", "Z" }, { "Space_Separator", "Zs" }, { "Spacing_Mark", "Mc" },
	{ "Surrogate", "Cs" }, { "Symbol", "S" }, { "Titlecase_Letter", "Lt" },
	{ "Unassigned", "Cn" }, { "Uppercase_Letter", "Lu" },
};

/* Rewrites what ECMA-262 writes differently from PCRE2: \p{Letter}, \p{gc=Letter}. */
static int translate_pattern(secex_buf *out, const char *src, size_t len)
{
	size_t i, k;
	int rc = 0;

	for (i = 0; i < len && rc == 0; i++) {
		const char *name, *close;
		size_t nlen;

		if (src[i] != '\\' || i + 1 >= len) {
			rc = secex_buf_putc(out, src[i]);
			continue;
		}
		if ((src[i + 1] != 'p' && src[i + 1] != 'P') || i + 2 >= len || src[i + 2] != '{' ||
		    !(close = memchr(src + i + 3, '}', len - i - 3))) {
			rc = secex_buf_put(out, src + i, 2); /* an escape, copied whole */
			i++;
			continue;
		}
		name = src + i + 3;
		nlen = (size_t)(close - name);
		if (nlen > 3 && memcmp(name, "gc=", 3) == 0) {
			name += 3;
			nlen -= 3;
		} else if (nlen > 17 && memcmp(name, "General_Category=", 17) == 0) {
			name += 17;
			nlen -= 17;
		}
		for (k = 0; k < sizeof(categories) / sizeof(categories[0]); k++) {
			if (strlen(categories[k].name) == nlen && memcmp(categories[k].name, name, nlen) == 0) {
				name = categories[k].pcre;
				nlen = strlen(name);
				break;
			}
		}
		rc = secex_buf_put(out, src + i, 3);
		rc = rc ? rc : secex_buf_put(out, name, nlen);
		rc = rc ? rc : secex_buf_putc(out, '}');
		i = (size_t)(close - src);
	}
	return rc ? rc : secex_buf_grow(out, 0);
}

static pcre2_code *compile_pattern(cctx *cc, const char *src, size_t len)
{
	secex_schema *S = cc->out;
	secex_buf ecma = SECEX_BUF_INIT;
	pcre2_code *re, **codes;
	PCRE2_SIZE offset;
	int err;

	if (!cc->pcc) {
		if (!(cc->pcc = pcre2_compile_context_create(NULL))) {
			nomem(cc);
			return NULL;
		}
		pcre2_set_compile_extra_options(cc->pcc, PCRE2_EXTRA_ALT_BSUX);
	}
	if (translate_pattern(&ecma, src, len) < 0) {
		secex_buf_release(&ecma);
		nomem(cc);
		return NULL;
	}
	re = pcre2_compile((PCRE2_SPTR)ecma.ptr, ecma.size, PCRE2_UTF | PCRE2_DOLLAR_ENDONLY |
			   PCRE2_ALLOW_EMPTY_CLASS | PCRE2_MATCH_UNSET_BACKREF | PCRE2_NEVER_BACKSLASH_C,
			   &err, &offset, cc->pcc);
	secex_buf_release(&ecma);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(err, msg, sizeof(msg));
		cfail(cc, "pattern '%s' does not compile (%s at offset %zu); fix the regular expression",
		      src, (const char *)msg, (size_t)offset);
		return NULL;
	}
	if (!(codes = secex_array_grow(S->codes, &S->capcodes, S->ncodes, sizeof(*S->codes), 16))) {
		pcre2_code_free(re);
		nomem(cc);
		return NULL;
	}
	S->codes = codes;
	S->codes[S->ncodes++] = re;
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* when JIT is not available, PCRE2 interprets */
	return re;
}

static schema_sub *compile(cctx *cc, const secex_node *node, const char *parent_base,
			   unsigned depth);

static schema_sub **compile_list(cctx *cc, const secex_member *m, const char *base, unsigned depth,
			  size_t *n)
{
	const secex_node *v = m->value;
	schema_sub **list;
	size_t i;

	if (v->type != SECEX_NODE_ARRAY || v->u.array.n == 0) {
		cfail(cc, "'%s' must be a non-empty array of schemas; fix the schema", m->key);
		return NULL;
	}
	if (!(list = secex_arena_alloc(&cc->out->arena, v->u.array.n * sizeof(*list)))) {
		nomem(cc);
		return NULL;
	}
	for (i = 0; i < v->u.array.n && !cc->rc; i++) {
		loc_push_index(cc, i);
		list[i] = compile(cc, v->u.array.items[i], base, depth + 1);
		loc_pop(cc);
	}
	*n = v->u.array.n;
	return cc->rc ? NULL : list;
}

/* properties, dependentSchemas, $defs: an object of schemas, sorted by key. */
static schema_named *compile_map(cctx *cc, const secex_member *m, const char *base, unsigned depth,
			  size_t *n)
{
	const secex_node *v = m->value;
	schema_named *map;
	size_t i;

	if (v->type != SECEX_NODE_OBJECT) {
		cfail(cc, "'%s' must be an object of schemas; fix the schema", m->key);
		return NULL;
	}
	*n = v->u.object.n;
	if (!(map = secex_arena_alloc(&cc->out->arena, (*n ? *n : 1) * sizeof(*map)))) {
		nomem(cc);
		return NULL;
	}
	for (i = 0; i < *n && !cc->rc; i++) {
		const secex_member *p = &v->u.object.members[i];

		loc_push(cc, p->key, p->keylen);
		map[i] = (schema_named){ p->key, p->keylen, compile(cc, p->value, base, depth + 1) };
		loc_pop(cc);
	}
	qsort(map, *n, sizeof(*map), named_cmp);
	return cc->rc ? NULL : map;
}

static schema_patterned *compile_patprops(cctx *cc, const secex_member *m, const char *base,
				   unsigned depth, size_t *n)
{
	const secex_node *v = m->value;
	schema_patterned *list;
	size_t i;

	if (v->type != SECEX_NODE_OBJECT) {
		cfail(cc, "'patternProperties' must be an object of schemas; fix the schema");
		return NULL;
	}
	*n = v->u.object.n;
	if (!(list = secex_arena_alloc(&cc->out->arena, (*n ? *n : 1) * sizeof(*list)))) {
		nomem(cc);
		return NULL;
	}
	for (i = 0; i < *n && !cc->rc; i++) {
		const secex_member *p = &v->u.object.members[i];

		loc_push(cc, p->key, p->keylen);
		list[i].src = p->key;
		list[i].re = compile_pattern(cc, p->key, p->keylen);
		list[i].s = cc->rc ? NULL : compile(cc, p->value, base, depth + 1);
		loc_pop(cc);
	}
	return cc->rc ? NULL : list;
}

static schema_dependency *compile_depreq(cctx *cc, const secex_member *m, size_t *n)
{
	const secex_node *v = m->value;
	schema_dependency *list;
	size_t i;

	if (v->type != SECEX_NODE_OBJECT) {
		cfail(cc, "'dependentRequired' must be an object of arrays of property names; fix the schema");
		return NULL;
	}
	*n = v->u.object.n;
	if (!(list = secex_arena_alloc(&cc->out->arena, (*n ? *n : 1) * sizeof(*list)))) {
		nomem(cc);
		return NULL;
	}
	for (i = 0; i < *n; i++) {
		const secex_member *p = &v->u.object.members[i];

		if (!string_array(p->value)) {
			loc_push(cc, p->key, p->keylen);
			cfail(cc, "'dependentRequired' values must be arrays of property names; fix the schema");
			loc_pop(cc);
			return NULL;
		}
		list[i] = (schema_dependency){ p->key, p->keylen, p->value };
	}
	return list;
}

static schema_sub *compile_one(cctx *cc, const secex_member *m, const char *base, unsigned depth)
{
	if (!is_schema_node(m->value)) {
		cfail(cc, "'%s' must be a schema (an object or a boolean); fix the schema", m->key);
		return NULL;
	}
	return compile(cc, m->value, base, depth + 1);
}

static int add_pending(cctx *cc, schema_sub *s, const char *ref, const char *base, bool dynamic)
{
	secex_buf where = SECEX_BUF_INIT;
	const char *uri = resolve(cc, ref, base, false), *w;
	pending *grown;

	if (!uri)
		return cc->rc;
	if (put_location(&where, cc) < 0 || !(w = tmp_str(cc, secex_buf_cstr(&where), where.size))) {
		secex_buf_release(&where);
		return nomem(cc);
	}
	secex_buf_release(&where);
	if (!(grown = secex_array_grow(cc->pend, &cc->cappend, cc->npend, sizeof(*cc->pend), 16)))
		return nomem(cc);
	cc->pend = grown;
	cc->pend[cc->npend++] = (pending){ s, uri, ref, w, dynamic };
	return 0;
}

/* minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf. */
static void compile_number(cctx *cc, schema_sub *s, const secex_member *m, keyword kw)
{
	int which = kw == K_MINIMUM ? N_MINIMUM : kw == K_MAXIMUM ? N_MAXIMUM :
		    kw == K_EXMIN ? N_EXMIN : kw == K_EXMAX ? N_EXMAX : N_MULTIPLE;
	schema_num *n = &s->nums[which];

	if (get_num(cc, m, n) == 0) {
		s->nums_set |= 1u << which;
		if (kw == K_MULTIPLE && !(n->d > 0))
			cfail(cc, "'multipleOf' must be greater than 0; fix the schema");
	}
}

/* Compiles one keyword of an object schema that asserts on the value itself (validation and
 * format vocabularies). */
static void compile_assertion(cctx *cc, schema_sub *s, const secex_member *m, keyword kw)
{
	const secex_node *v = m->value;

	switch (kw) {
	case K_TYPE:
		get_types(cc, m, &s->types);
		break;
	case K_ENUM:
		if (v->type != SECEX_NODE_ARRAY)
			cfail(cc, "'enum' must be an array of values; fix the schema");
		s->enum_node = v;
		break;
	case K_CONST:
		s->const_node = v;
		break;
	case K_REQUIRED:
		if (!string_array(v))
			cfail(cc, "'required' must be an array of property names; fix the schema");
		s->required = v;
		break;
	case K_MINCONTAINS: get_count(cc, m, &s->counts[C_MINCONTAINS]); break;
	case K_MAXCONTAINS: get_count(cc, m, &s->counts[C_MAXCONTAINS]); break;
	case K_MINITEMS: get_count(cc, m, &s->counts[C_MINITEMS]); break;
	case K_MAXITEMS: get_count(cc, m, &s->counts[C_MAXITEMS]); break;
	case K_MINLEN: get_count(cc, m, &s->counts[C_MINLEN]); break;
	case K_MAXLEN: get_count(cc, m, &s->counts[C_MAXLEN]); break;
	case K_MINPROPS: get_count(cc, m, &s->counts[C_MINPROPS]); break;
	case K_MAXPROPS: get_count(cc, m, &s->counts[C_MAXPROPS]); break;
	case K_UNIQUE:
		if (v->type != SECEX_NODE_BOOL)
			cfail(cc, "'uniqueItems' must be true or false; fix the schema");
		else
			s->unique = v->u.boolean;
		break;
	case K_PATTERN:
		if (v->type != SECEX_NODE_STRING) {
			cfail(cc, "'pattern' must be a regular expression string; fix the schema");
		} else {
			s->pattern = compile_pattern(cc, v->u.string.ptr, v->u.string.len);
			s->pattern_src = v->u.string.ptr;
		}
		break;
	case K_MINIMUM:
	case K_MAXIMUM:
	case K_EXMIN:
	case K_EXMAX:
	case K_MULTIPLE:
		compile_number(cc, s, m, kw);
		break;
	case K_DEPREQ:
		s->depreq = compile_depreq(cc, m, &s->ndepreq);
		break;
	case K_FORMAT:
		if (v->type != SECEX_NODE_STRING)
			cfail(cc, "'format' must be a string; fix the schema");
		else
			s->format = secex_schema_format_lookup(v->u.string.ptr);
		break;
	case K_ANNOTATION_SCHEMA:
	case K_UNKNOWN:
	default:
		break;
	}
}

/* Compiles one keyword of an object schema that holds no subschema. */
static void compile_value(cctx *cc, schema_sub *s, const secex_member *m, keyword kw,
			  const char *base)
{
	const secex_node *v = m->value;

	switch (kw) {
	case K_ID:
		if (v->type != SECEX_NODE_STRING)
			cfail(cc, "'$id' must be a URI string; fix the schema");
		else if (strchr(v->u.string.ptr, '#') && strchr(v->u.string.ptr, '#')[1])
			cfail(cc, "'$id' '%s' has a fragment; use '$anchor' to name a schema", v->u.string.ptr);
		break;
	case K_ANCHOR:
		if (v->type != SECEX_NODE_STRING)
			cfail(cc, "'%s' must be a string; fix the schema", m->key);
		break;
	case K_REF:
	case K_DYNREF:
		if (v->type != SECEX_NODE_STRING)
			cfail(cc, "'%s' must be a URI reference string; fix the schema", m->key);
		else
			add_pending(cc, s, v->u.string.ptr, base, kw == K_DYNREF);
		break;
	default:
		compile_assertion(cc, s, m, kw);
		break;
	}
}

/* Compiles one keyword of an object schema: here those whose value holds subschemas. */
static void compile_keyword(cctx *cc, schema_sub *s, const secex_member *m, keyword kw,
			    const char *base, unsigned depth)
{
	const secex_node *v = m->value;

	switch (kw) {
	case K_DEFS: {
		size_t count;

		compile_map(cc, m, base, depth, &count);
		break;
	}
	case K_PROPERTIES:
		s->props = compile_map(cc, m, base, depth, &s->nprops);
		s->props_node = v;
		break;
	case K_ADDITIONAL:
		s->additional = compile_one(cc, m, base, depth);
		break;
	case K_PATTERNPROPS:
		s->patprops = compile_patprops(cc, m, base, depth, &s->npatprops);
		break;
	case K_PROPNAMES:
		s->property_names = compile_one(cc, m, base, depth);
		break;
	case K_ITEMS:
		if (v->type == SECEX_NODE_ARRAY)
			cfail(cc, "'items' must be a schema; use 'prefixItems' for a list of schemas");
		else
			s->items = compile_one(cc, m, base, depth);
		break;
	case K_PREFIX:
		s->prefix = compile_list(cc, m, base, depth, &s->nprefix);
		break;
	case K_CONTAINS:
		s->contains = compile_one(cc, m, base, depth);
		break;
	case K_DEPSCHEMAS:
		s->depschemas = compile_map(cc, m, base, depth, &s->ndepschemas);
		break;
	case K_ALLOF:
		s->all_of = compile_list(cc, m, base, depth, &s->nall);
		break;
	case K_ANYOF:
		s->any_of = compile_list(cc, m, base, depth, &s->nany);
		break;
	case K_ONEOF:
		s->one_of = compile_list(cc, m, base, depth, &s->none);
		break;
	case K_NOT:
		s->not_ = compile_one(cc, m, base, depth);
		break;
	case K_IF:
		s->if_ = compile_one(cc, m, base, depth);
		break;
	case K_THEN:
		s->then_ = compile_one(cc, m, base, depth);
		break;
	case K_ELSE:
		s->else_ = compile_one(cc, m, base, depth);
		break;
	case K_UNEVALPROPS:
		s->uneval_props = compile_one(cc, m, base, depth);
		break;
	case K_UNEVALITEMS:
		s->uneval_items = compile_one(cc, m, base, depth);
		break;
	default:
		compile_value(cc, s, m, kw, base);
		break;
	}
}

/* The index of the resource whose base URI is base, added to the schema's list if new. */
static unsigned resource_id(cctx *cc, const char *base)
{
	secex_schema *S = cc->out;
	const char **grown, *copy;
	size_t i;

	if (base == cc->last_base && S->nbases)
		return cc->last_res;
	for (i = 0; i < S->nbases && strcmp(S->bases[i], base) != 0; i++)
		;
	if (i == S->nbases) {
		if (!(copy = secex_arena_strndup(&S->arena, base, strlen(base))) ||
		    !(grown = secex_array_grow(S->bases, &S->capbases, S->nbases, sizeof(*S->bases), 16))) {
			nomem(cc);
			return 0;
		}
		S->bases = grown;
		S->bases[S->nbases++] = copy;
	}
	cc->last_base = base;
	cc->last_res = (unsigned)i;
	return cc->last_res;
}

static void add_dyn_anchor(cctx *cc, schema_sub *s, const secex_node *name)
{
	secex_schema *S = cc->out;
	schema_dyn_anchor *grown;

	if (!(grown = secex_array_grow(S->dyn, &S->capdyn, S->ndyn, sizeof(*S->dyn), 16))) {
		nomem(cc);
		return;
	}
	S->dyn = grown;
	S->dyn[S->ndyn++] = (schema_dyn_anchor){ s->res, name->u.string.ptr, s };
}

/* unevaluatedProperties and unevaluatedItems evaluate the in-place subschemas of their schema
 * a second time (to collect what they evaluated): keep those results, so that nesting them is
 * not exponential. */
static void mark_reevaluated(schema_sub *s)
{
	size_t i;

	if (!s->uneval_props && !s->uneval_items)
		return;
	for (i = 0; i < s->nall; i++)
		s->all_of[i]->memo = true;
	for (i = 0; i < s->nany; i++)
		s->any_of[i]->memo = true;
	for (i = 0; i < s->none; i++)
		s->one_of[i]->memo = true;
	for (i = 0; i < s->ndepschemas; i++)
		s->depschemas[i].s->memo = true;
	if (s->if_)
		s->if_->memo = true;
	if (s->then_)
		s->then_->memo = true;
	if (s->else_)
		s->else_->memo = true;
}

static schema_sub *compile(cctx *cc, const secex_node *node, const char *parent_base,
			   unsigned depth)
{
	const char *base;
	schema_sub *s;
	size_t i;
	int k;

	if ((s = memo_get(cc, node)) || cc->rc)
		return s;
	if (depth > MAX_COMPILE_DEPTH) {
		cfail(cc, "schema nested deeper than %d levels; flatten it", MAX_COMPILE_DEPTH);
		return NULL;
	}
	if (!(s = secex_arena_alloc(&cc->out->arena, sizeof(*s)))) {
		nomem(cc);
		return NULL;
	}
	s->boolean = -1;
	for (k = 0; k < C_COUNT; k++)
		s->counts[k] = -1;
	if (memo_put(cc, node, s) < 0)
		return NULL;
	if (node->type == SECEX_NODE_BOOL) {
		s->boolean = node->u.boolean;
		return s;
	}
	if (node->type != SECEX_NODE_OBJECT) {
		cfail(cc, "a schema must be an object or a boolean, not %s; fix the schema",
		      secex_node_type_name(node->type));
		return NULL;
	}
	if (!(base = base_of(cc, node, parent_base)))
		return NULL;
	s->res = resource_id(cc, base);
	for (i = 0; i < node->u.object.n && !cc->rc; i++) {
		const secex_member *m = &node->u.object.members[i];

		if ((k = keyword_index(m)) < 0) {
			/* an annotation, or a keyword secex does not know */
			if (strcmp(m->key, "x-secex-hint") == 0 && m->value->type == SECEX_NODE_STRING)
				s->hint = m->value->u.string.ptr;
			continue;
		}
		if (keyword_vocab(keywords[k].kw) != V_CORE && !(keyword_vocab(keywords[k].kw) & cc->vocab))
			continue; /* its vocabulary is off: only an annotation */
		loc_push(cc, m->key, m->keylen);
		compile_keyword(cc, s, m, keywords[k].kw, base, depth);
		loc_pop(cc);
		if (keywords[k].kw == K_ANCHOR && m->value->type == SECEX_NODE_STRING &&
		    strcmp(m->key, "$dynamicAnchor") == 0)
			add_dyn_anchor(cc, s, m->value);
		switch (keywords[k].kw) {
		case K_ID: case K_ANCHOR: case K_DEFS: case K_ANNOTATION_SCHEMA: case K_UNKNOWN:
			break;
		default:
			s->nchecks++;
		}
	}
	if (!cc->rc)
		mark_reevaluated(s);
	return cc->rc ? NULL : s;
}

/* Whether a $dynamicRef to uri, which resolved to target, looks in the dynamic scope: its
 * fragment is a plain name, and the target declares a $dynamicAnchor of that name. */
static bool is_dynamic(const secex_node *target, const char *uri)
{
	const char *hash = strchr(uri, '#');
	const secex_node *anchor = target->type == SECEX_NODE_OBJECT ? get(target, "$dynamicAnchor") : NULL;

	return hash && hash[1] && hash[1] != '/' && anchor && anchor->type == SECEX_NODE_STRING &&
	       strcmp(anchor->u.string.ptr, hash + 1) == 0;
}

static int resolve_pending(cctx *cc)
{
	size_t i;

	for (i = 0; i < cc->npend && !cc->rc; i++) {
		pending p = cc->pend[i];
		const char *parent_base = "";
		const secex_node *target = lookup(cc, p.uri, &parent_base);
		schema_sub *t;

		if (cc->rc)
			break;
		if (!target) {
			cc->loc_prefix = p.where;
			cc->nloc = 0;
			return cfail(cc, "$ref '%s' is not in this document; secex does not fetch remote "
				     "schemas: copy the target under '$defs' and refer to it there", p.ref);
		}
		cc->loc_prefix = p.uri;
		cc->nloc = 0;
		if (!(t = compile(cc, target, parent_base, 0)))
			break;
		t->memo = true; /* a target may be reached by many paths: evaluate it once per node */
		if (!p.dynamic) {
			p.from->ref = t;
			continue;
		}
		p.from->dynref = t;
		if (is_dynamic(target, p.uri)) {
			const char *name = strchr(p.uri, '#') + 1;

			if (!(p.from->dyn_name = secex_arena_strndup(&cc->out->arena, name, strlen(name))))
				return nomem(cc);
			cc->out->dynamic = true;
		}
	}
	return cc->rc;
}

/* The vocabulary a 2020-12 vocabulary URI names (V_CORE for core and meta-data), or -1. */
static int vocab_by_uri(const char *uri)
{
	static const struct { const char *name; int bit; } vocabs[] = {
		{ "core", V_CORE }, { "applicator", V_APPLICATOR }, { "unevaluated", V_UNEVALUATED },
		{ "validation", V_VALIDATION }, { "meta-data", V_CORE }, { "format-annotation", V_FORMAT },
		{ "format-assertion", V_FORMAT }, { "content", V_CONTENT },
	};
	static const char prefix[] = "https://json-schema.org/draft/2020-12/vocab/";
	size_t i;

	if (strncmp(uri, prefix, sizeof(prefix) - 1) != 0)
		return -1;
	for (i = 0; i < sizeof(vocabs) / sizeof(vocabs[0]); i++)
		if (strcmp(uri + sizeof(prefix) - 1, vocabs[i].name) == 0)
			return vocabs[i].bit;
	return -1;
}

/*
 * Honours the $vocabulary of the metaschema the root's $schema names, when that metaschema
 * is one of the resources the caller gave (secex never fetches one, and a schema cannot
 * turn its own validation off with a metaschema of its own making): keywords of a vocabulary it does
 * not list are only annotations. The standard metaschema, or one not known, enables all.
 * It applies to the whole compilation, resources reached by $ref included.
 */
static int set_vocabularies(cctx *cc, const secex_node *root, const secex_schema_options *opts)
{
	const secex_node *ms = root->type == SECEX_NODE_OBJECT ? get(root, "$schema") : NULL;
	const secex_node *meta = NULL, *vocab;
	size_t i, len;

	if (!ms || ms->type != SECEX_NODE_STRING)
		return 0;
	len = strcspn(ms->u.string.ptr, "#");
	for (i = 0; i < opts->nresources && !meta; i++) /* never the schema's own documents */
		if (opts->resources[i].uri && strlen(opts->resources[i].uri) == len &&
		    memcmp(opts->resources[i].uri, ms->u.string.ptr, len) == 0)
			meta = opts->resources[i].root;
	if (!meta || meta->type != SECEX_NODE_OBJECT || !(vocab = get(meta, "$vocabulary")) ||
	    vocab->type != SECEX_NODE_OBJECT)
		return 0;
	cc->vocab = 0;
	for (i = 0; i < vocab->u.object.n; i++) {
		const secex_member *m = &vocab->u.object.members[i];
		int bit = vocab_by_uri(m->key);

		if (bit >= 0)
			cc->vocab |= (unsigned)bit;
		else if (m->value->type == SECEX_NODE_BOOL && m->value->u.boolean)
			return cfail(cc, "metaschema '%s' requires vocabulary '%s', which secex does not "
				     "implement; mark it false there or use the standard metaschema",
				     ms->u.string.ptr, m->key);
	}
	return 0;
}

int secex_schema_compile_document(secex_schema **out, const secex_node *root, const char *name,
			    const secex_schema_options *opts)
{
	secex_schema *S = NULL;
	cctx cc;
	int rc;

	*out = NULL;
	if ((rc = cctx_start(&cc, root, name, opts)) < 0 || (rc = set_vocabularies(&cc, root, opts)) < 0)
		goto cleanup;
	if (!(S = calloc(1, sizeof(*S)))) {
		rc = nomem(&cc);
		goto cleanup;
	}
	cc.out = S;
	S->format_assertion = opts->format_assertion;
	if (!(S->mctx = pcre2_match_context_create(NULL))) {
		rc = nomem(&cc);
		goto cleanup;
	}
	pcre2_set_match_limit(S->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(S->mctx, MATCH_LIMIT);
	pcre2_set_heap_limit(S->mctx, HEAP_LIMIT_KIB);
	S->root = compile(&cc, root, "", 0);
	if ((rc = cc.rc) < 0 || (rc = resolve_pending(&cc)) < 0)
		goto cleanup;
	*out = S;
	S = NULL;
cleanup:
	secex_schema_free(S);
	cctx_release(&cc);
	return rc;
}
