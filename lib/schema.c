/*
 * JSON Schema 2020-12: a schema is compiled once (references resolved, patterns compiled,
 * numbers parsed) into a graph of `schema_sub` nodes, then validates many instances. Validation
 * allocates nothing unless it reports a finding: the instance location is a stack of path
 * segments, formatted as a JSON pointer only for a message.
 */

#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secex/schema.h"
#include "secex/util.h"
#include "banned.h"

#define MAX_EVAL_DEPTH 512     /* nested subschema evaluations: a $ref loop ends here */
#define MAX_EVAL_STEPS 10000000 /* subschema evaluations per instance: README "Speed" */
#define MAX_COMPILE_DEPTH 128  /* nesting of the schema document */
#define MATCH_LIMIT 100000     /* PCRE2 backtracking steps per match */
#define MAX_LIMIT_HITS 64      /* matches that hit a PCRE2 limit, per instance */
#define MAX_MEMO_SLOTS (1u << 21) /* kept results per instance (48 MiB); past it, none kept */
#define HEAP_LIMIT_KIB 10240   /* PCRE2 heap per match */

enum {
	T_NULL = 1, T_BOOL = 2, T_INT = 4, T_NUM = 8, T_STR = 16, T_ARR = 32, T_OBJ = 64,
	T_ALL = 127
};

static const struct {
	const char *name;
	unsigned bit;
} type_names[] = {
	{ "null", T_NULL }, { "boolean", T_BOOL }, { "integer", T_INT }, { "number", T_NUM },
	{ "string", T_STR }, { "array", T_ARR }, { "object", T_OBJ },
};

typedef struct {
	bool is_int;
	int64_t i;
	double d;
} schema_num;

enum { N_MINIMUM, N_MAXIMUM, N_EXMIN, N_EXMAX, N_MULTIPLE, N_COUNT };
enum {
	C_MINLEN, C_MAXLEN, C_MINITEMS, C_MAXITEMS, C_MINPROPS, C_MAXPROPS, C_MINCONTAINS,
	C_MAXCONTAINS, C_COUNT
};

typedef struct schema_sub schema_sub;

typedef struct {
	const char *key;
	size_t len;
	schema_sub *s;
} schema_named;

typedef struct {
	pcre2_code *re;
	const char *src;
	schema_sub *s;
} schema_patterned;

typedef struct {
	const char *key;
	size_t len;
	const secex_node *names; /* array of strings */
} schema_dependency;

/* One compiled schema object (or boolean schema). */
struct schema_sub {
	signed char boolean; /* -1: an object schema; 0: false; 1: true */
	bool unique;
	bool memo;           /* results are kept per instance node: shared, or evaluated twice */
	unsigned res;        /* the schema resource it is in (an index of secex_schema.bases) */
	unsigned nchecks;    /* keywords that assert or apply subschemas, for messages */
	unsigned types;      /* T_* bits; 0 when there is no "type" */
	unsigned nums_set;   /* 1 << N_* */
	schema_num nums[N_COUNT];
	int64_t counts[C_COUNT]; /* -1 when absent */
	const secex_node *enum_node, *const_node, *required;
	pcre2_code *pattern;
	const char *pattern_src;
	const char *hint;    /* "x-secex-hint": what to write when the pattern does not match */
	secex_format format;
	schema_named *props; /* sorted by length, then bytes */
	size_t nprops;
	const secex_node *props_node; /* in document order, for suggestions */
	schema_patterned *patprops;
	size_t npatprops;
	schema_sub *additional, *property_names, *items, *contains, *not_, *if_, *then_, *else_;
	schema_sub *uneval_props, *uneval_items, *ref;
	schema_sub *dynref;          /* the target of $dynamicRef, as a $ref would resolve it */
	const char *dyn_name; /* the anchor $dynamicRef looks up in the dynamic scope, or NULL */
	schema_dependency *depreq;
	size_t ndepreq;
	schema_named *depschemas;
	size_t ndepschemas;
	schema_sub **prefix, **all_of, **any_of, **one_of;
	size_t nprefix, nall, nany, none;
};

/* A $dynamicAnchor: its name in its resource, and the schema that declares it. */
typedef struct {
	unsigned res;
	const char *name;
	const schema_sub *s;
} schema_dyn_anchor;

struct secex_schema {
	secex_arena arena;
	schema_sub *root;
	bool format_assertion;
	bool dynamic; /* a $dynamicRef that depends on the dynamic scope, which is then tracked */
	const char **bases; /* the base URI of each schema resource */
	size_t nbases, capbases;
	schema_dyn_anchor *dyn;
	size_t ndyn, capdyn;
	pcre2_code **codes;
	size_t ncodes, capcodes;
	pcre2_match_context *mctx;
};

/* ---------------------------------------------------------------------------------------
 * Small helpers
 */

/* Makes room for element n of arr: the array, maybe moved, or NULL (arr is still valid). */
static void *grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 16;
	if ((p = realloc(arr, ncap * elem)))
		*cap = ncap;
	return p;
}

static const secex_member *schema_find_member(const secex_node *obj, const char *key, size_t len)
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

static const schema_named *schema_find_named(const schema_named *arr, size_t n, const char *key, size_t len)
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

/* A path segment: an object key, or an array index when key is NULL. */
typedef struct {
	const char *key;
	size_t len;
	size_t index;
} schema_seg;

static int schema_put_pointer(secex_buf *b, const schema_seg *path, size_t n)
{
	size_t i, k;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		rc = secex_buf_putc(b, '/');
		if (!path[i].key) {
			rc = rc ? rc : secex_buf_printf(b, "%zu", path[i].index);
			continue;
		}
		for (k = 0; k < path[i].len && rc == 0; k++) {
			if (path[i].key[k] == '~')
				rc = secex_buf_puts(b, "~0");
			else if (path[i].key[k] == '/')
				rc = secex_buf_puts(b, "~1");
			else
				rc = secex_buf_putc(b, path[i].key[k]);
		}
	}
	return rc;
}

/* ---------------------------------------------------------------------------------------
 * URIs (RFC 3986): enough to resolve $id and $ref against a base
 */

typedef struct {
	const char *p;
	size_t n;
	bool has;
} span;

typedef struct {
	span scheme, auth, path, query, frag;
} uri_parts;

static bool is_scheme_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void uri_split(uri_parts *u, const char *s)
{
	size_t n = strlen(s), i = 0, j;

	memset(u, 0, sizeof(*u));
	if (n && is_scheme_start(s[0])) {
		for (j = 1; j < n && (is_scheme_start(s[j]) || (s[j] >= '0' && s[j] <= '9') ||
				      s[j] == '+' || s[j] == '-' || s[j] == '.'); j++)
			;
		if (j < n && s[j] == ':') {
			u->scheme = (span){ s, j, true };
			i = j + 1;
		}
	}
	if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		i += 2;
		for (j = i; j < n && s[j] != '/' && s[j] != '?' && s[j] != '#'; j++)
			;
		u->auth = (span){ s + i, j - i, true };
		i = j;
	}
	for (j = i; j < n && s[j] != '?' && s[j] != '#'; j++)
		;
	u->path = (span){ s + i, j - i, true };
	i = j;
	if (i < n && s[i] == '?') {
		for (j = i + 1; j < n && s[j] != '#'; j++)
			;
		u->query = (span){ s + i + 1, j - i - 1, true };
		i = j;
	}
	if (i < n && s[i] == '#')
		u->frag = (span){ s + i + 1, n - i - 1, true };
}

/* RFC 3986 5.2.4 remove_dot_segments, appending the result to out. */
static int remove_dots(secex_buf *out, const char *path, size_t n)
{
	size_t start = out->size, floor_, i = 0;
	bool normal_last = false;
	int rc = 0;

	if (n && path[0] == '/') {
		rc = secex_buf_putc(out, '/');
		i = 1;
	}
	floor_ = out->size;
	while (rc == 0) {
		size_t j = i;

		while (j < n && path[j] != '/')
			j++;
		if (j - i == 1 && path[i] == '.') {
			normal_last = false;
		} else if (j - i == 2 && path[i] == '.' && path[i + 1] == '.') {
			if (out->size > floor_) {
				size_t k = out->size - 1; /* the '/' after the last segment */

				while (k > floor_ && out->ptr[k - 1] != '/')
					k--;
				out->size = k;
				out->ptr[k] = '\0';
			}
			normal_last = false;
		} else {
			rc = secex_buf_put(out, path + i, j - i);
			rc = rc ? rc : secex_buf_putc(out, '/');
			normal_last = true;
		}
		if (j >= n)
			break;
		i = j + 1;
	}
	if (rc == 0 && normal_last && out->size > start) {
		out->size--; /* the '/' appended after the last segment */
		out->ptr[out->size] = '\0';
	}
	return rc;
}

/* Resolves ref against base (RFC 3986 5.2.2) into out. */
static int schema_uri_resolve(secex_buf *out, const char *ref, const char *base)
{
	uri_parts r, b;
	const span *auth, *query;
	int rc = 0;

	uri_split(&r, ref);
	uri_split(&b, base);
	secex_buf_clear(out);
	if (r.scheme.has) {
		rc = secex_buf_put(out, r.scheme.p, r.scheme.n);
		rc = rc ? rc : secex_buf_putc(out, ':');
		auth = &r.auth; /* everything comes from the reference */
		query = &r.query;
	} else {
		if (b.scheme.has) {
			rc = secex_buf_put(out, b.scheme.p, b.scheme.n);
			rc = rc ? rc : secex_buf_putc(out, ':');
		}
		auth = r.auth.has ? &r.auth : &b.auth;
		query = r.auth.has || r.path.n ? &r.query : (r.query.has ? &r.query : &b.query);
	}
	if (rc == 0 && auth->has) {
		rc = secex_buf_puts(out, "//");
		rc = rc ? rc : secex_buf_put(out, auth->p, auth->n);
	}
	if (rc == 0) {
		if (r.scheme.has || r.auth.has || (r.path.n && r.path.p[0] == '/')) {
			rc = remove_dots(out, r.path.p, r.path.n);
		} else if (r.path.n == 0) {
			rc = secex_buf_put(out, b.path.p, b.path.n);
		} else {
			secex_buf merged = SECEX_BUF_INIT;

			if (b.auth.has && b.path.n == 0) {
				rc = secex_buf_putc(&merged, '/');
			} else {
				size_t k = b.path.n;

				while (k > 0 && b.path.p[k - 1] != '/')
					k--;
				rc = secex_buf_put(&merged, b.path.p, k);
			}
			rc = rc ? rc : secex_buf_put(&merged, r.path.p, r.path.n);
			rc = rc ? rc : remove_dots(out, secex_buf_cstr(&merged), merged.size);
			secex_buf_release(&merged);
		}
	}
	if (rc == 0 && query->has) {
		rc = secex_buf_putc(out, '?');
		rc = rc ? rc : secex_buf_put(out, query->p, query->n);
	}
	if (rc == 0 && r.frag.has) {
		rc = secex_buf_putc(out, '#');
		rc = rc ? rc : secex_buf_put(out, r.frag.p, r.frag.n);
	}
	if (rc == 0 && !out->ptr)
		rc = secex_buf_grow(out, 0);
	return rc;
}

static int schema_percent_decode(secex_buf *out, const char *s, size_t n)
{
	size_t i;
	int rc = 0;

	secex_buf_clear(out);
	for (i = 0; i < n && rc == 0; i++) {
		if (s[i] == '%' && i + 2 < n && secex_hexval(s[i + 1]) >= 0 && secex_hexval(s[i + 2]) >= 0) {
			rc = secex_buf_putc(out, (char)(secex_hexval(s[i + 1]) * 16 + secex_hexval(s[i + 2])));
			i += 2;
		} else {
			rc = secex_buf_putc(out, s[i]);
		}
	}
	if (rc == 0 && !out->ptr)
		rc = secex_buf_grow(out, 0);
	return rc;
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

	return rc ? rc : schema_put_pointer(b, cc->loc, n);
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

static size_t schema_ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

static schema_sub *memo_get(const cctx *cc, const void *key)
{
	size_t i;

	if (!cc->memocap)
		return NULL;
	for (i = schema_ptr_hash(key) & (cc->memocap - 1); cc->memo[i].key; i = (i + 1) & (cc->memocap - 1))
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
			for (i = schema_ptr_hash(cc->memo[k].key) & (cap - 1); t[i].key; i = (i + 1) & (cap - 1))
				;
			t[i] = cc->memo[k];
		}
		free(cc->memo);
		cc->memo = t;
		cc->memocap = cap;
	}
	for (i = schema_ptr_hash(key) & (cc->memocap - 1); cc->memo[i].key; i = (i + 1) & (cc->memocap - 1))
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

	if (schema_uri_resolve(&b, ref, base) < 0) {
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
	if (!(grown = grow(*arr, cap, *n, sizeof(**arr))))
		return nomem(cc);
	*arr = grown;
	(*arr)[(*n)++] = (resource){ uri, node, parent_base };
	return 0;
}

static const secex_node *get(const secex_node *obj, const char *key)
{
	const secex_member *m = schema_find_member(obj, key, strlen(key));

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
			pending *grown = uri ? grow(cc->refs, &cc->caprefs, cc->nrefs, sizeof(*cc->refs)) : NULL;

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
			const secex_member *m = schema_find_member(node, secex_buf_cstr(&tok), tok.size);

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

/* The node a resolved URI names in this document, or NULL. */
static const secex_node *lookup(cctx *cc, const char *uri, const char **parent_base)
{
	const char *hash = strchr(uri, '#');
	size_t ulen = hash ? (size_t)(hash - uri) : strlen(uri), i;
	secex_buf frag = SECEX_BUF_INIT, key = SECEX_BUF_INIT;
	const secex_node *node = NULL;
	const resource *r = NULL;

	for (i = 0; i < cc->nres && !r; i++)
		if (strlen(cc->res[i].uri) == ulen && memcmp(cc->res[i].uri, uri, ulen) == 0)
			r = &cc->res[i];
	if (!r)
		return NULL;
	if (schema_percent_decode(&frag, hash ? hash + 1 : "", hash ? strlen(hash + 1) : 0) < 0) {
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

/* Registers one document under its retrieval URI and finds its $ids and anchors. */
static int add_document(cctx *cc, const secex_node *root, const char *uri)
{
	const secex_node *id = root->type == SECEX_NODE_OBJECT ? get(root, "$id") : NULL;

	if ((!id || id->type != SECEX_NODE_STRING || *uri) &&
	    add_resource(cc, &cc->res, &cc->nres, &cc->capres, uri, root, uri) < 0)
		return cc->rc;
	return discover(cc, root, uri, 0);
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

int secex_schema_external_ref(const char **out, const secex_node *root,
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

static bool schema_integral(const secex_node *n)
{
	return n->type == SECEX_NODE_INT ||
	       (n->type == SECEX_NODE_FLOAT && isfinite(n->u.number) && n->u.number == floor(n->u.number));
}

static int get_count(cctx *cc, const secex_member *m, int64_t *out)
{
	const secex_node *v = m->value;

	if (!schema_integral(v) || secex_node_number(v) < 0)
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
	if (!(codes = grow(S->codes, &S->capcodes, S->ncodes, sizeof(*S->codes)))) {
		pcre2_code_free(re);
		nomem(cc);
		return NULL;
	}
	S->codes = codes;
	S->codes[S->ncodes++] = re;
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* when JIT is not available, PCRE2 interprets */
	return re;
}

static schema_sub *compile(cctx *cc, const secex_node *node, const char *parent_base, unsigned depth);

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
	if (!(grown = grow(cc->pend, &cc->cappend, cc->npend, sizeof(*cc->pend))))
		return nomem(cc);
	cc->pend = grown;
	cc->pend[cc->npend++] = (pending){ s, uri, ref, w, dynamic };
	return 0;
}

/* Compiles one keyword of an object schema. */
static void compile_keyword(cctx *cc, schema_sub *s, const secex_member *m, keyword kw, const char *base,
			    unsigned depth)
{
	const secex_node *v = m->value;
	schema_num *n;

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
	case K_DEFS: {
		size_t count;

		compile_map(cc, m, base, depth, &count);
		break;
	}
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
	case K_MULTIPLE: {
		int which = kw == K_MINIMUM ? N_MINIMUM : kw == K_MAXIMUM ? N_MAXIMUM :
			    kw == K_EXMIN ? N_EXMIN : kw == K_EXMAX ? N_EXMAX : N_MULTIPLE;

		n = &s->nums[which];
		if (get_num(cc, m, n) == 0) {
			s->nums_set |= 1u << which;
			if (kw == K_MULTIPLE && !(n->d > 0))
				cfail(cc, "'multipleOf' must be greater than 0; fix the schema");
		}
		break;
	}
	case K_DEPREQ:
		s->depreq = compile_depreq(cc, m, &s->ndepreq);
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
	case K_FORMAT:
		if (v->type != SECEX_NODE_STRING)
			cfail(cc, "'format' must be a string; fix the schema");
		else
			s->format = secex_format_lookup(v->u.string.ptr);
		break;
	case K_UNEVALPROPS:
		s->uneval_props = compile_one(cc, m, base, depth);
		break;
	case K_UNEVALITEMS:
		s->uneval_items = compile_one(cc, m, base, depth);
		break;
	case K_ANNOTATION_SCHEMA:
	case K_UNKNOWN:
	default:
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
		    !(grown = grow(S->bases, &S->capbases, S->nbases, sizeof(*S->bases)))) {
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

	if (!(grown = grow(S->dyn, &S->capdyn, S->ndyn, sizeof(*S->dyn)))) {
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

static schema_sub *compile(cctx *cc, const secex_node *node, const char *parent_base, unsigned depth)
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

void secex_schema_free(secex_schema *schema)
{
	size_t i;

	if (!schema)
		return;
	for (i = 0; i < schema->ncodes; i++)
		pcre2_code_free(schema->codes[i]);
	free(schema->codes);
	free(schema->bases);
	free(schema->dyn);
	if (schema->mctx)
		pcre2_match_context_free(schema->mctx);
	secex_arena_release(&schema->arena);
	free(schema);
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

int secex_schema_compile(secex_schema **out, const secex_node *root, const char *name,
			 const secex_schema_options *opts)
{
	static const secex_schema_options defaults = SECEX_SCHEMA_OPTIONS_INIT;
	secex_schema *S = NULL;
	cctx cc;
	int rc;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != SECEX_SCHEMA_OPTIONS_VERSION)
		return secex_error_set(SECEX_EINVALID, "unsupported schema options version %u",
				       opts->version);
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

/* ---------------------------------------------------------------------------------------
 * Validating
 */

/* What is known of one (subschema, instance node) pair. */
enum { M_BUSY = 1, M_VALID, M_INVALID, M_REPORTED };

typedef struct {
	const schema_sub *s;
	const secex_node *x;
	uint32_t scope;      /* the dynamic scope it was evaluated in (0 without $dynamicRef) */
	unsigned char state; /* M_*; 0: a free slot */
} schema_mslot;

/* A dynamic scope, numbered: the scope `parent` with resource `res` entered last. */
typedef struct {
	uint32_t parent, res, id; /* id 0: a free slot */
} schema_scope_slot;

#define SMALL_MEMO 64

typedef struct {
	const secex_schema *S;
	const char *file, *exception;
	secex_diags *diags;        /* NULL: only the verdict is wanted */
	size_t depth;              /* of the instance path */
	unsigned eval;             /* nested subschema evaluations */
	size_t steps;              /* subschema evaluations so far, against MAX_EVAL_STEPS */
	unsigned limit_hits;       /* matches that hit a PCRE2 limit, against MAX_LIMIT_HITS */
	unsigned in_name;          /* > 0 under propertyNames, whose instance is on the stack */
	schema_mslot *memo;               /* open addressing; small_memo until it fills */
	size_t memocap, memon;
	size_t nscope;             /* with S->dynamic: the resources entered, outermost first */
	schema_scope_slot *scopes;        /* every dynamic scope met, for their numbers */
	size_t scopecap, nscopes;
	pcre2_match_data *md;      /* made on the first pattern match */
	int pcre_error;            /* of the last failed match */
	int rc;
	bool aborted, loop_reported;
	schema_seg path[MAX_EVAL_DEPTH + 8]; /* each segment is pushed on the way into a subschema */
	unsigned scope[MAX_EVAL_DEPTH + 8];
	uint32_t scope_id[MAX_EVAL_DEPTH + 8]; /* the number of the scope up to each entry */
	schema_mslot small_memo[SMALL_MEMO];
} schema_vctx;

static bool schema_v_schema(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep, const char *kw);

static void schema_push_key(schema_vctx *c, const char *key, size_t len)
{
	if (c->depth < sizeof(c->path) / sizeof(c->path[0]))
		c->path[c->depth] = (schema_seg){ key, len, 0 };
	c->depth++;
}

static void schema_push_index(schema_vctx *c, size_t index)
{
	if (c->depth < sizeof(c->path) / sizeof(c->path[0]))
		c->path[c->depth] = (schema_seg){ NULL, 0, index };
	c->depth++;
}

static void schema_pop(schema_vctx *c)
{
	c->depth--;
}

static void schema_report(schema_vctx *c, uint32_t line, uint32_t col, const char *kw, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* Adds the finding "'<pointer>': <message> (keyword '<kw>')" at line:col ("top level: ..."
 * for the document itself). */
static void schema_report(schema_vctx *c, uint32_t line, uint32_t col, const char *kw, const char *fmt, ...)
{
	size_t n = c->depth < sizeof(c->path) / sizeof(c->path[0]) ? c->depth :
		   sizeof(c->path) / sizeof(c->path[0]);
	secex_buf b = SECEX_BUF_INIT;
	va_list ap;
	int rc;

	if (!c->diags || c->rc < 0)
		return;
	if (n == 0) {
		rc = secex_buf_puts(&b, "top level: ");
	} else {
		rc = secex_buf_putc(&b, '\'');
		rc = rc ? rc : schema_put_pointer(&b, c->path, n);
		rc = rc ? rc : secex_buf_puts(&b, "': ");
	}
	if (rc == 0) {
		va_start(ap, fmt);
		rc = secex_buf_vprintf(&b, fmt, ap);
		va_end(ap);
	}
	rc = rc ? rc : secex_buf_printf(&b, " (keyword '%s')", kw);
	rc = rc ? rc : secex_diags_add(c->diags, "SX110", c->file, line, col, c->exception, NULL,
				       "%s", b.ptr);
	if (rc < 0)
		c->rc = rc;
	secex_buf_release(&b);
}

#define REPORT_AT(c, node, ...) schema_report((c), (node)->line, (node)->column, __VA_ARGS__)

/* A failed check: in silent mode stop at once, else report and go on with the others. */
#define FAIL(...)                                                                                \
	do {                                                                                     \
		ok = false;                                                                      \
		if (!rep)                                                                        \
			return false;                                                            \
		REPORT_AT(c, x, __VA_ARGS__);                                                    \
	} while (0)

#define CHECK(expr)                                                                              \
	do {                                                                                     \
		if (!(expr)) {                                                                   \
			ok = false;                                                              \
			if (!rep)                                                                \
				return false;                                                    \
		}                                                                                \
	} while (0)

/* ---- rendering values for messages ---- */

typedef struct {
	char s[128];
} schema_text;

static const char *double_text(schema_text *t, double d)
{
	snprintf(t->s, sizeof(t->s), "%.15g", d);
	if (strtod(t->s, NULL) != d)
		snprintf(t->s, sizeof(t->s), "%.17g", d);
	return t->s;
}

static const char *schema_num_text(schema_text *t, const schema_num *n)
{
	if (n->is_int) {
		snprintf(t->s, sizeof(t->s), "%lld", (long long)n->i);
		return t->s;
	}
	return double_text(t, n->d);
}

static const char *schema_value_text(schema_text *t, const secex_node *x)
{
	size_t len;

	switch (x->type) {
	case SECEX_NODE_NULL:
		return "null";
	case SECEX_NODE_BOOL:
		return x->u.boolean ? "true" : "false";
	case SECEX_NODE_INT:
		snprintf(t->s, sizeof(t->s), "%lld", (long long)x->u.integer);
		return t->s;
	case SECEX_NODE_FLOAT:
		return double_text(t, x->u.number);
	case SECEX_NODE_STRING:
		len = x->u.string.len;
		if (len <= 60) {
			snprintf(t->s, sizeof(t->s), "'%.*s'", (int)len, x->u.string.ptr);
			return t->s;
		}
		len = 48;
		while (len > 0 && ((unsigned char)x->u.string.ptr[len] & 0xc0) == 0x80)
			len--; /* cut before a whole character */
		snprintf(t->s, sizeof(t->s), "'%.*s...'", (int)len, x->u.string.ptr);
		return t->s;
	case SECEX_NODE_ARRAY:
		return "an array";
	case SECEX_NODE_OBJECT:
	default:
		return "an object";
	}
}

static const char *schema_type_phrase(unsigned bit)
{
	switch (bit) {
	case T_NULL: return "null";
	case T_BOOL: return "a boolean";
	case T_INT: return "an integer";
	case T_NUM: return "a number";
	case T_STR: return "a string";
	case T_ARR: return "an array";
	default: return "an object";
	}
}

/* "'a', 'b' or 'c'" for the values of an enum, shortened when long. */
static const char *schema_enum_text(schema_text *t, const secex_node *e)
{
	size_t i, used = 0;
	schema_text v;

	t->s[0] = '\0';
	for (i = 0; i < e->u.array.n; i++) {
		const char *sep = i == 0 ? "" : i + 1 == e->u.array.n ? " or " : ", ";
		const char *val = schema_value_text(&v, e->u.array.items[i]);

		if (used + strlen(sep) + strlen(val) + 24 >= sizeof(t->s)) {
			snprintf(t->s + used, sizeof(t->s) - used, ", ... (%zu values)", e->u.array.n);
			break;
		}
		used += (size_t)snprintf(t->s + used, sizeof(t->s) - used, "%s%s", sep, val);
	}
	return t->s;
}

/* "a string, an integer or null" */
static const char *schema_types_text(schema_text *t, unsigned types)
{
	size_t k, left = 0, used = 0;

	t->s[0] = '\0';
	for (k = 0; k < sizeof(type_names) / sizeof(type_names[0]); k++)
		left += (types & type_names[k].bit) != 0;
	for (k = 0; k < sizeof(type_names) / sizeof(type_names[0]); k++) {
		if (!(types & type_names[k].bit))
			continue;
		left--;
		used += (size_t)snprintf(t->s + used, sizeof(t->s) - used, "%s%s",
					 schema_type_phrase(type_names[k].bit),
					 left > 1 ? ", " : left == 1 ? " or " : "");
	}
	return t->s;
}

static unsigned schema_instance_types(const secex_node *x)
{
	switch (x->type) {
	case SECEX_NODE_NULL: return T_NULL;
	case SECEX_NODE_BOOL: return T_BOOL;
	case SECEX_NODE_INT: return T_INT | T_NUM;
	case SECEX_NODE_FLOAT: return schema_integral(x) ? T_INT | T_NUM : T_NUM;
	case SECEX_NODE_STRING: return T_STR;
	case SECEX_NODE_ARRAY: return T_ARR;
	default: return T_OBJ;
	}
}

/* ---- numbers ---- */

/* Compares an integer with a double exactly. */
static int cmp_int_double(int64_t i, double d)
{
	double f;
	int64_t fi;

	if (isnan(d))
		return 0;
	if (d >= 9223372036854775808.0)
		return -1;
	if (d < -9223372036854775808.0)
		return 1;
	f = floor(d);
	fi = (int64_t)f;
	if (i != fi)
		return i < fi ? -1 : 1;
	return f == d ? 0 : -1;
}

static int cmp_num(const secex_node *x, const schema_num *n)
{
	double d;

	if (x->type == SECEX_NODE_INT && n->is_int)
		return x->u.integer < n->i ? -1 : x->u.integer > n->i;
	if (x->type == SECEX_NODE_INT)
		return cmp_int_double(x->u.integer, n->d);
	if (n->is_int)
		return -cmp_int_double(n->i, x->u.number);
	d = x->u.number;
	return d < n->d ? -1 : d > n->d;
}

/* Whether x is a multiple of n, tolerant of binary fractions (0.0075 of 0.0001). */
static bool is_multiple(const secex_node *x, const schema_num *n)
{
	double v, q;

	if (x->type == SECEX_NODE_INT && n->is_int)
		return x->u.integer % n->i == 0;
	v = secex_node_number(x);
	if (!isfinite(v))
		return false;
	q = v / n->d;
	if (!isfinite(q))
		return fmod(v, n->d) == 0.0; /* exact, where the quotient overflows */
	return fabs(q - nearbyint(q)) <= fabs(q) * 1e-12;
}

static bool v_number(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep)
{
	const schema_num *n = s->nums;
	schema_text a, b;
	bool ok = true;

	if ((s->nums_set & 1u << N_MINIMUM) && cmp_num(x, &n[N_MINIMUM]) < 0)
		FAIL("minimum", "%s is less than the minimum of %s; use a larger value",
		     schema_value_text(&a, x), schema_num_text(&b, &n[N_MINIMUM]));
	if ((s->nums_set & 1u << N_MAXIMUM) && cmp_num(x, &n[N_MAXIMUM]) > 0)
		FAIL("maximum", "%s is greater than the maximum of %s; use a smaller value",
		     schema_value_text(&a, x), schema_num_text(&b, &n[N_MAXIMUM]));
	if ((s->nums_set & 1u << N_EXMIN) && cmp_num(x, &n[N_EXMIN]) <= 0)
		FAIL("exclusiveMinimum", "%s is not greater than the exclusive minimum of %s; use a "
		     "larger value", schema_value_text(&a, x), schema_num_text(&b, &n[N_EXMIN]));
	if ((s->nums_set & 1u << N_EXMAX) && cmp_num(x, &n[N_EXMAX]) >= 0)
		FAIL("exclusiveMaximum", "%s is not less than the exclusive maximum of %s; use a "
		     "smaller value", schema_value_text(&a, x), schema_num_text(&b, &n[N_EXMAX]));
	if ((s->nums_set & 1u << N_MULTIPLE) && !is_multiple(x, &n[N_MULTIPLE]))
		FAIL("multipleOf", "%s is not a multiple of %s; use a multiple of it",
		     schema_value_text(&a, x), schema_num_text(&b, &n[N_MULTIPLE]));
	return ok;
}

/* ---- strings ---- */

/* 1 when re matches, 0 when not, -1 when a match limit was hit, -2 on another error. The
 * MAX_LIMIT_HITS-th match that hits a limit stops the evaluation, with a finding at line:col. */
static int schema_match(schema_vctx *c, const pcre2_code *re, const char *str, size_t len, uint32_t line,
		 uint32_t col)
{
	int rc;

	if (!c->md && !(c->md = pcre2_match_data_create(1, NULL))) {
		c->rc = secex_error_nomem();
		c->aborted = true;
		return -2;
	}
	rc = pcre2_match(re, (PCRE2_SPTR)str, len, 0, 0, c->md, c->S->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	c->pcre_error = rc;
	if (rc != PCRE2_ERROR_MATCHLIMIT && rc != PCRE2_ERROR_HEAPLIMIT && rc != PCRE2_ERROR_DEPTHLIMIT &&
	    rc != PCRE2_ERROR_JIT_STACKLIMIT && rc != PCRE2_ERROR_NOMEMORY)
		return -2;
	if (++c->limit_hits == MAX_LIMIT_HITS) {
		schema_report(c, line, col, "pattern", "patterns too expensive: %d values hit the match limit; "
		       "simplify the patterns of the schema (the rest of this file is not checked)",
		       MAX_LIMIT_HITS);
		c->aborted = true;
	}
	return -1;
}

static const char *schema_pcre_message(schema_text *t, int error)
{
	PCRE2_UCHAR msg[sizeof(t->s)];

	if (pcre2_get_error_message(error, msg, sizeof(msg)) < 0)
		snprintf(t->s, sizeof(t->s), "error %d", error);
	else
		snprintf(t->s, sizeof(t->s), "%s", (const char *)msg);
	return t->s;
}

static const struct {
	secex_format format;
	const char *name, *hint;
} format_hints[] = {
	{ SECEX_FORMAT_DATE, "date", "write YYYY-MM-DD, such as 2024-05-01" },
	{ SECEX_FORMAT_DATE_TIME, "date-time", "use an RFC 3339 date-time such as 2024-05-01T10:00:00Z" },
	{ SECEX_FORMAT_TIME, "time", "use an RFC 3339 time such as 10:00:00Z" },
	{ SECEX_FORMAT_EMAIL, "email address", "use an address such as name@example.com" },
};

static bool v_string(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep)
{
	const char *str = x->u.string.ptr;
	size_t len = x->u.string.len, i;
	bool ok = true;
	schema_text a, b;
	int m;

	/* a string of len bytes has between len / 4 and len characters: count only when that
	 * range does not settle both bounds */
	if ((s->counts[C_MINLEN] >= 0 && (uint64_t)len / 4 < (uint64_t)s->counts[C_MINLEN]) ||
	    (s->counts[C_MAXLEN] >= 0 && (uint64_t)len > (uint64_t)s->counts[C_MAXLEN])) {
		size_t chars = secex_utf8_length(str, len);

		if (s->counts[C_MINLEN] >= 0 && (uint64_t)chars < (uint64_t)s->counts[C_MINLEN])
			FAIL("minLength", "string is %zu characters long, shorter than the minimum of %lld; "
			     "lengthen it", chars, (long long)s->counts[C_MINLEN]);
		if (s->counts[C_MAXLEN] >= 0 && (uint64_t)chars > (uint64_t)s->counts[C_MAXLEN])
			FAIL("maxLength", "string is %zu characters long, longer than the maximum of %lld; "
			     "shorten it", chars, (long long)s->counts[C_MAXLEN]);
	}
	if (s->pattern && (m = schema_match(c, s->pattern, str, len, x->line, x->column)) != 1) {
		if (m == 0)
			FAIL("pattern", "%s does not match the pattern '%s'; %s", schema_value_text(&a, x),
			     s->pattern_src, s->hint ? s->hint : "change the value to match it");
		else if (m == -1)
			FAIL("pattern", "pattern '%s' is too expensive to match against %s; simplify the "
			     "pattern or shorten the value", s->pattern_src, schema_value_text(&a, x));
		else
			FAIL("pattern", "pattern '%s' cannot be matched against %s (%s); change the value "
			     "or the pattern", s->pattern_src, schema_value_text(&a, x), schema_pcre_message(&b, c->pcre_error));
	}
	if (s->format && c->S->format_assertion && !secex_format_check(s->format, str, len)) {
		for (i = 0; i < sizeof(format_hints) / sizeof(format_hints[0]); i++)
			if (format_hints[i].format == s->format)
				FAIL("format", "%s is not a valid %s; %s", schema_value_text(&a, x),
				     format_hints[i].name, format_hints[i].hint);
	}
	return ok;
}

/* ---- arrays ---- */

static bool schema_v_item(schema_vctx *c, const schema_sub *sub, const secex_node *arr, size_t i, bool rep, const char *kw)
{
	const secex_node *item = arr->u.array.items[i];
	bool ok;

	schema_push_index(c, i);
	if (sub->boolean == 0) {
		ok = false;
		if (rep)
			REPORT_AT(c, item, kw, "item %zu is not allowed here; remove it", i);
	} else {
		ok = schema_v_schema(c, sub, item, rep, kw);
	}
	schema_pop(c);
	return ok;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dULL;
	return x ^ (x >> 33);
}

static uint64_t bytes_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* A hash that agrees with secex_node_equal: 1 and 1.0 hash alike, key order does not count. */
static uint64_t node_hash(const secex_node *n, unsigned depth)
{
	uint64_t h;
	size_t i;
	double d;

	if (depth > SECEX_MAX_DEPTH)
		return 1;
	switch (n->type) {
	case SECEX_NODE_NULL:
		return 2;
	case SECEX_NODE_BOOL:
		return n->u.boolean ? 3 : 4;
	case SECEX_NODE_INT:
	case SECEX_NODE_FLOAT:
		d = secex_node_number(n);
		if (d == 0)
			d = 0; /* -0.0 equals 0 */
		memcpy(&h, &d, sizeof(h));
		return mix(h ^ 5);
	case SECEX_NODE_STRING:
		return mix(bytes_hash(n->u.string.ptr, n->u.string.len) ^ 6);
	case SECEX_NODE_ARRAY:
		h = 7;
		for (i = 0; i < n->u.array.n; i++)
			h = mix(h * 31 + node_hash(n->u.array.items[i], depth + 1));
		return h;
	case SECEX_NODE_OBJECT:
	default:
		h = 8;
		for (i = 0; i < n->u.object.n; i++) {
			const secex_member *m = &n->u.object.members[i];

			h += mix(bytes_hash(m->key, m->keylen) ^ node_hash(m->value, depth + 1));
		}
		return mix(h);
	}
}

typedef struct {
	uint64_t h;
	size_t i;
} hashed;

static int hashed_cmp(const void *pa, const void *pb)
{
	const hashed *a = pa, *b = pb;

	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

static void schema_report_duplicate(schema_vctx *c, const secex_node *arr, size_t later, size_t first)
{
	schema_push_index(c, later);
	REPORT_AT(c, arr->u.array.items[later], "uniqueItems", "item %zu duplicates item %zu; remove "
		  "one of them", later, first);
	schema_pop(c);
}

static bool v_unique(schema_vctx *c, const secex_node *x, bool rep)
{
	secex_node *const *items = x->u.array.items;
	size_t n = x->u.array.n, i, j, k, run;
	hashed *h;
	bool ok = true;

	if (n <= 16) {
		for (j = 1; j < n; j++) {
			for (i = 0; i < j; i++) {
				if (secex_node_equal(items[i], items[j])) {
					ok = false;
					if (!rep)
						return false;
					schema_report_duplicate(c, x, j, i);
					break;
				}
			}
		}
		return ok;
	}
	if (!(h = malloc(n * sizeof(*h)))) {
		c->rc = secex_error_nomem();
		c->aborted = true;
		return false;
	}
	for (i = 0; i < n; i++)
		h[i] = (hashed){ node_hash(items[i], 0), i };
	qsort(h, n, sizeof(*h), hashed_cmp);
	for (run = 0; run < n && (ok || rep); run = k) {
		for (k = run + 1; k < n && h[k].h == h[run].h; k++)
			;
		for (j = run + 1; j < k && (ok || rep); j++) {
			for (i = run; i < j; i++) {
				if (secex_node_equal(items[h[i].i], items[h[j].i])) {
					ok = false;
					if (rep)
						schema_report_duplicate(c, x, h[j].i, h[i].i);
					break;
				}
			}
		}
	}
	free(h);
	return ok;
}

static bool v_array(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep)
{
	size_t n = x->u.array.n, i, count = 0;
	bool ok = true;

	if (s->counts[C_MINITEMS] >= 0 && (uint64_t)n < (uint64_t)s->counts[C_MINITEMS])
		FAIL("minItems", "array has %zu item%s, fewer than the minimum of %lld; add items", n,
		     n == 1 ? "" : "s", (long long)s->counts[C_MINITEMS]);
	if (s->counts[C_MAXITEMS] >= 0 && (uint64_t)n > (uint64_t)s->counts[C_MAXITEMS])
		FAIL("maxItems", "array has %zu item%s, more than the maximum of %lld; remove items", n,
		     n == 1 ? "" : "s", (long long)s->counts[C_MAXITEMS]);
	for (i = 0; i < n && i < s->nprefix; i++)
		CHECK(schema_v_item(c, s->prefix[i], x, i, rep, "prefixItems"));
	for (i = s->nprefix; s->items && i < n; i++)
		CHECK(schema_v_item(c, s->items, x, i, rep, "items"));
	if (s->contains) {
		int64_t min = s->counts[C_MINCONTAINS] >= 0 ? s->counts[C_MINCONTAINS] : 1;
		int64_t max = s->counts[C_MAXCONTAINS];

		for (i = 0; i < n && !c->aborted; i++) {
			schema_push_index(c, i);
			count += schema_v_schema(c, s->contains, x->u.array.items[i], false, "contains");
			schema_pop(c);
			if (!rep && max < 0 && (int64_t)count >= min)
				break;
		}
		if ((int64_t)count < min && s->counts[C_MINCONTAINS] < 0)
			FAIL("contains", "no item matches the 'contains' schema; add a matching item");
		else if ((int64_t)count < min)
			FAIL("minContains", "%zu item%s match%s the 'contains' schema, fewer than the minimum "
			     "of %lld; add matching items", count, count == 1 ? "" : "s",
			     count == 1 ? "es" : "", (long long)min);
		if (max >= 0 && (int64_t)count > max)
			FAIL("maxContains", "%zu items match the 'contains' schema, more than the maximum of "
			     "%lld; remove matching items", count, (long long)max);
	}
	if (s->unique)
		CHECK(v_unique(c, x, rep));
	return ok;
}

/* ---- objects ---- */

static size_t edit_distance(const char *a, size_t n, const char *b, size_t m)
{
	return secex_edit_distance(a, n, b, m, false);
}

/* The allowed property closest to key, within an edit distance of 2, or NULL. */
static const char *suggest(const schema_sub *s, const char *key, size_t len)
{
	const char *best = NULL;
	size_t best_d = 3, i;

	for (i = 0; s && s->props_node && i < s->props_node->u.object.n; i++) {
		const secex_member *p = &s->props_node->u.object.members[i];
		size_t d = edit_distance(key, len, p->key, p->keylen);
		size_t longer = len > p->keylen ? len : p->keylen;

		if (d < best_d && 2 * d < longer) {
			best = p->key;
			best_d = d;
		}
	}
	return best;
}

/* A property whose schema is false: point at its key. */
static void schema_report_key(schema_vctx *c, const secex_member *m, const char *kw, const schema_sub *parent)
{
	const char *hint;

	if (strcmp(kw, "additionalProperties") != 0 && strcmp(kw, "unevaluatedProperties") != 0)
		schema_report(c, m->line, m->column, kw, "property '%s' is not allowed; remove it", m->key);
	else if ((hint = suggest(parent, m->key, m->keylen)))
		schema_report(c, m->line, m->column, kw, "unknown property '%s'; did you mean '%s'?", m->key, hint);
	else
		schema_report(c, m->line, m->column, kw, "unknown property '%s'; remove it or correct its name",
		       m->key);
}

static bool schema_v_member(schema_vctx *c, const schema_sub *sub, const secex_member *m, bool rep, const char *kw,
		     const schema_sub *parent)
{
	bool ok;

	if (sub->boolean == 0) {
		if (rep)
			schema_report_key(c, m, kw, parent);
		return false;
	}
	schema_push_key(c, m->key, m->keylen);
	ok = schema_v_schema(c, sub, m->value, rep, kw);
	schema_pop(c);
	return ok;
}

static bool v_property_name(schema_vctx *c, const schema_sub *s, const secex_member *m, bool rep)
{
	secex_node name;
	bool ok;

	memset(&name, 0, sizeof(name));
	name.type = SECEX_NODE_STRING;
	name.line = m->line;
	name.column = m->column;
	name.u.string.ptr = m->key;
	name.u.string.len = m->keylen;
	c->in_name++;
	ok = schema_v_schema(c, s->property_names, &name, false, "propertyNames");
	c->in_name--;
	if (ok)
		return true;
	if (rep)
		schema_report(c, m->line, m->column, "propertyNames", "property name '%s' does not match the "
		       "'propertyNames' schema; rename the property", m->key);
	return false;
}

static bool v_members(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep)
{
	size_t i, k;
	bool ok = true;
	schema_text a;

	for (i = 0; i < x->u.object.n; i++) {
		const secex_member *m = &x->u.object.members[i];
		const schema_named *p = s->nprops ? schema_find_named(s->props, s->nprops, m->key, m->keylen) : NULL;
		bool matched = p != NULL;

		if (p)
			CHECK(schema_v_member(c, p->s, m, rep, "properties", s));
		for (k = 0; k < s->npatprops; k++) {
			int r = schema_match(c, s->patprops[k].re, m->key, m->keylen, m->line, m->column);

			if (r == 1) {
				matched = true;
				CHECK(schema_v_member(c, s->patprops[k].s, m, rep, "patternProperties", s));
			} else if (r < 0) {
				ok = false;
				if (!rep)
					return false;
				schema_report(c, m->line, m->column, "patternProperties", "pattern '%s' %s property name "
				       "'%s' (%s); simplify the pattern", s->patprops[k].src,
				       r == -1 ? "is too expensive to match against" : "cannot be matched against",
				       m->key, schema_pcre_message(&a, c->pcre_error));
			}
		}
		if (!matched && s->additional)
			CHECK(schema_v_member(c, s->additional, m, rep, "additionalProperties", s));
		if (s->property_names)
			CHECK(v_property_name(c, s, m, rep));
	}
	return ok;
}

static bool v_object(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep)
{
	size_t n = x->u.object.n, i, k;
	bool ok = true;

	if (s->counts[C_MINPROPS] >= 0 && (uint64_t)n < (uint64_t)s->counts[C_MINPROPS])
		FAIL("minProperties", "object has %zu propert%s, fewer than the minimum of %lld; add "
		     "properties", n, n == 1 ? "y" : "ies", (long long)s->counts[C_MINPROPS]);
	if (s->counts[C_MAXPROPS] >= 0 && (uint64_t)n > (uint64_t)s->counts[C_MAXPROPS])
		FAIL("maxProperties", "object has %zu propert%s, more than the maximum of %lld; remove "
		     "properties", n, n == 1 ? "y" : "ies", (long long)s->counts[C_MAXPROPS]);
	for (i = 0; s->required && i < s->required->u.array.n; i++) {
		const secex_node *name = s->required->u.array.items[i];

		if (!schema_find_member(x, name->u.string.ptr, name->u.string.len))
			FAIL("required", "missing required property '%s'; add it", name->u.string.ptr);
	}
	for (i = 0; i < s->ndepreq; i++) {
		const schema_dependency *d = &s->depreq[i];

		if (!schema_find_member(x, d->key, d->len))
			continue;
		for (k = 0; k < d->names->u.array.n; k++) {
			const secex_node *name = d->names->u.array.items[k];

			if (!schema_find_member(x, name->u.string.ptr, name->u.string.len))
				FAIL("dependentRequired", "property '%s' is required when '%s' is present; add "
				     "it", name->u.string.ptr, d->key);
		}
	}
	if (s->nprops || s->npatprops || s->additional || s->property_names)
		CHECK(v_members(c, s, x, rep));
	for (i = 0; i < s->ndepschemas; i++)
		if (schema_find_member(x, s->depschemas[i].key, s->depschemas[i].len))
			CHECK(schema_v_schema(c, s->depschemas[i].s, x, rep, "dependentSchemas"));
	return ok;
}

/* ---- applicators in place ---- */

/* The types a schema can accept at most, looking through $ref: for anyOf and oneOf messages. */
static unsigned accepted_types(const schema_sub *s)
{
	int hops;

	for (hops = 0; s && hops < 16; hops++) {
		if (s->boolean >= 0)
			return s->boolean ? T_ALL : 0;
		if (s->types)
			return s->types;
		s = s->ref;
	}
	return T_ALL;
}

/* What a simple alternative asks for ("a date", "one of 'a' or 'b'"), or NULL. */
static const char *describe(schema_text *t, const schema_vctx *c, const schema_sub *s)
{
	schema_text v;
	size_t i;
	int hops;

	for (hops = 0; s && hops < 8; hops++) {
		bool string_only = s->nchecks == 1 || (s->nchecks == 2 && s->types == T_STR);

		if (s->boolean >= 0)
			return NULL;
		if (s->ref && s->nchecks == 1) {
			s = s->ref;
			continue;
		}
		if (s->format && c->S->format_assertion && string_only) {
			for (i = 0; i < sizeof(format_hints) / sizeof(format_hints[0]); i++)
				if (format_hints[i].format == s->format)
					snprintf(t->s, sizeof(t->s), "a %s", format_hints[i].name);
			return t->s;
		}
		if (s->const_node && s->nchecks == 1)
			return schema_value_text(t, s->const_node);
		if (s->enum_node && s->nchecks == 1) {
			snprintf(t->s, sizeof(t->s), "one of %s", schema_enum_text(&v, s->enum_node));
			return t->s;
		}
		if (s->pattern && string_only) {
			snprintf(t->s, sizeof(t->s), "a string matching '%s'", s->pattern_src);
			return t->s;
		}
		if (s->types && s->nchecks == 1)
			return schema_types_text(t, s->types);
		return NULL;
	}
	return NULL;
}

/* anyOf or oneOf matched nothing: the errors of the only alternative of the right type, or one
 * finding for the keyword, that names the alternatives when they are simple. */
static void schema_report_alternatives(schema_vctx *c, schema_sub *const *list, size_t n, const secex_node *x,
				const char *kw)
{
	const char *how = strcmp(kw, "oneOf") == 0 ? "exactly one" : "one";
	unsigned t = schema_instance_types(x);
	size_t i, fitting = 0, which = 0;
	secex_buf all = SECEX_BUF_INIT;
	schema_text a, d;

	for (i = 0; i < n; i++) {
		if (accepted_types(list[i]) & t) {
			fitting++;
			which = i;
		}
	}
	if (fitting == 1) {
		schema_v_schema(c, list[which], x, true, kw);
		return;
	}
	for (i = 0; i < n && all.size < 300; i++) {
		const char *what = describe(&d, c, list[i]);

		if (!what || secex_buf_printf(&all, "%s%s", i == 0 ? "" : n == 2 ? " nor " :
					      i + 1 == n ? " or " : ", ", what) < 0)
			break;
	}
	if (i == n && strcmp(secex_buf_cstr(&all), "a date nor a date-time") == 0)
		REPORT_AT(c, x, kw, "%s is not a date; write YYYY-MM-DD (or an RFC 3339 date-time, such as "
			  "2024-05-01T10:00:00Z)", schema_value_text(&a, x));
	else if (i == n && all.size < 300)
		REPORT_AT(c, x, kw, "%s is %s %s; change it to match %s of them", schema_value_text(&a, x),
			  n == 2 ? "neither" : "none of", all.ptr, how);
	else
		REPORT_AT(c, x, kw, "%s matches none of the %zu alternatives; change it to match %s of "
			  "them", schema_value_text(&a, x), n, how);
	secex_buf_release(&all);
}

static bool v_logic(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep)
{
	size_t i, count = 0, first = 0, second = 0;
	bool ok = true;

	for (i = 0; i < s->nall; i++)
		CHECK(schema_v_schema(c, s->all_of[i], x, rep, "allOf"));
	if (s->nany) {
		for (i = 0; i < s->nany && !count; i++)
			count += schema_v_schema(c, s->any_of[i], x, false, "anyOf");
		if (!count) {
			ok = false;
			if (!rep)
				return false;
			schema_report_alternatives(c, s->any_of, s->nany, x, "anyOf");
		}
	}
	if (s->none) {
		for (i = 0, count = 0; i < s->none && (rep || count < 2); i++) {
			if (schema_v_schema(c, s->one_of[i], x, false, "oneOf")) {
				if (count++ == 0)
					first = i;
				else if (count == 2)
					second = i;
			}
		}
		if (count == 0) {
			ok = false;
			if (!rep)
				return false;
			schema_report_alternatives(c, s->one_of, s->none, x, "oneOf");
		} else if (count > 1) {
			FAIL("oneOf", "value matches %zu of the alternatives (%zu and %zu) but must match "
			     "exactly one; change it to match only one", count, first, second);
		}
	}
	if (s->not_ && schema_v_schema(c, s->not_, x, false, "not"))
		FAIL("not", "value matches the 'not' schema, which it must not; change the value");
	if (s->if_) {
		if (schema_v_schema(c, s->if_, x, false, "if")) {
			if (s->then_)
				CHECK(schema_v_schema(c, s->then_, x, rep, "then"));
		} else if (s->else_) {
			CHECK(schema_v_schema(c, s->else_, x, rep, "else"));
		}
	}
	return ok;
}

/* ---- unevaluatedProperties and unevaluatedItems ---- */

static bool valid(schema_vctx *c, const schema_sub *s, const secex_node *x)
{
	return schema_v_schema(c, s, x, false, "unevaluated");
}

static void mark_props(schema_vctx *c, const schema_sub *s, const secex_node *x, unsigned char *seen, bool self,
		       unsigned depth);
static void mark_items(schema_vctx *c, const schema_sub *s, const secex_node *x, unsigned char *seen, bool self,
		       unsigned depth);
static const schema_sub *schema_dynamic_target(schema_vctx *c, const schema_sub *s);

/* Marks the members of x that s evaluates, with its valid in-place subschemas; `self` is the
 * schema that holds unevaluatedProperties, whose own keyword does not count. */
static void mark_props_here(schema_vctx *c, const schema_sub *s, const secex_node *x, unsigned char *seen,
			    bool self, unsigned depth)
{
	const schema_sub *t;
	size_t n = x->u.object.n, i, k;

	if (s->boolean >= 0 || depth > MAX_EVAL_DEPTH / 4 || c->aborted)
		return;
	if (s->additional || (!self && s->uneval_props)) {
		memset(seen, 1, n);
		return;
	}
	for (i = 0; i < n; i++) {
		const secex_member *m = &x->u.object.members[i];

		if (seen[i])
			continue;
		if (s->nprops && schema_find_named(s->props, s->nprops, m->key, m->keylen))
			seen[i] = 1;
		for (k = 0; !seen[i] && k < s->npatprops; k++)
			seen[i] = schema_match(c, s->patprops[k].re, m->key, m->keylen, m->line, m->column) == 1;
	}
	if (s->ref && valid(c, s->ref, x))
		mark_props(c, s->ref, x, seen, false, depth + 1);
	if (s->dynref && valid(c, (t = schema_dynamic_target(c, s)), x))
		mark_props(c, t, x, seen, false, depth + 1);
	for (i = 0; i < s->nall; i++)
		if (valid(c, s->all_of[i], x))
			mark_props(c, s->all_of[i], x, seen, false, depth + 1);
	for (i = 0; i < s->nany; i++)
		if (valid(c, s->any_of[i], x))
			mark_props(c, s->any_of[i], x, seen, false, depth + 1);
	for (i = 0; i < s->none; i++)
		if (valid(c, s->one_of[i], x))
			mark_props(c, s->one_of[i], x, seen, false, depth + 1);
	if (s->if_ && valid(c, s->if_, x)) {
		mark_props(c, s->if_, x, seen, false, depth + 1);
		if (s->then_ && valid(c, s->then_, x))
			mark_props(c, s->then_, x, seen, false, depth + 1);
	} else if (s->if_ && s->else_ && valid(c, s->else_, x)) {
		mark_props(c, s->else_, x, seen, false, depth + 1);
	}
	for (i = 0; i < s->ndepschemas; i++)
		if (schema_find_member(x, s->depschemas[i].key, s->depschemas[i].len) &&
		    valid(c, s->depschemas[i].s, x))
			mark_props(c, s->depschemas[i].s, x, seen, false, depth + 1);
}

static void mark_items_here(schema_vctx *c, const schema_sub *s, const secex_node *x, unsigned char *seen,
			    bool self, unsigned depth)
{
	size_t n = x->u.array.n, i;
	const schema_sub *t;

	if (s->boolean >= 0 || depth > MAX_EVAL_DEPTH / 4 || c->aborted)
		return;
	if (s->items || (!self && s->uneval_items)) {
		memset(seen, 1, n);
		return;
	}
	for (i = 0; i < n && i < s->nprefix; i++)
		seen[i] = 1;
	for (i = 0; s->contains && i < n; i++)
		if (!seen[i] && valid(c, s->contains, x->u.array.items[i]))
			seen[i] = 1;
	if (s->ref && valid(c, s->ref, x))
		mark_items(c, s->ref, x, seen, false, depth + 1);
	if (s->dynref && valid(c, (t = schema_dynamic_target(c, s)), x))
		mark_items(c, t, x, seen, false, depth + 1);
	for (i = 0; i < s->nall; i++)
		if (valid(c, s->all_of[i], x))
			mark_items(c, s->all_of[i], x, seen, false, depth + 1);
	for (i = 0; i < s->nany; i++)
		if (valid(c, s->any_of[i], x))
			mark_items(c, s->any_of[i], x, seen, false, depth + 1);
	for (i = 0; i < s->none; i++)
		if (valid(c, s->one_of[i], x))
			mark_items(c, s->one_of[i], x, seen, false, depth + 1);
	if (s->if_ && valid(c, s->if_, x)) {
		mark_items(c, s->if_, x, seen, false, depth + 1);
		if (s->then_ && valid(c, s->then_, x))
			mark_items(c, s->then_, x, seen, false, depth + 1);
	} else if (s->if_ && s->else_ && valid(c, s->else_, x)) {
		mark_items(c, s->else_, x, seen, false, depth + 1);
	}
}

static size_t scope_enter(schema_vctx *c, const schema_sub *s);

/* mark_props_here and mark_items_here in the dynamic scope of s, counted as a step each. */
static void mark_props(schema_vctx *c, const schema_sub *s, const secex_node *x, unsigned char *seen, bool self,
		       unsigned depth)
{
	size_t scoped = scope_enter(c, s);

	c->steps++;
	mark_props_here(c, s, x, seen, self, depth);
	c->nscope -= scoped;
}

static void mark_items(schema_vctx *c, const schema_sub *s, const secex_node *x, unsigned char *seen, bool self,
		       unsigned depth)
{
	size_t scoped = scope_enter(c, s);

	c->steps++;
	mark_items_here(c, s, x, seen, self, depth);
	c->nscope -= scoped;
}

static bool schema_v_unevaluated(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep)
{
	bool object = x->type == SECEX_NODE_OBJECT, ok = true;
	size_t n = object ? x->u.object.n : x->u.array.n, i;
	unsigned char small[256], *seen = n <= sizeof(small) ? small : malloc(n);

	if (!seen) {
		c->rc = secex_error_nomem();
		c->aborted = true;
		return false;
	}
	memset(seen, 0, n);
	if (object)
		mark_props(c, s, x, seen, true, 0);
	else
		mark_items(c, s, x, seen, true, 0);
	for (i = 0; i < n && (ok || rep) && !c->aborted; i++) {
		if (seen[i])
			continue;
		if (object)
			ok = schema_v_member(c, s->uneval_props, &x->u.object.members[i], rep,
				      "unevaluatedProperties", s) && ok;
		else
			ok = schema_v_item(c, s->uneval_items, x, i, rep, "unevaluatedItems") && ok;
	}
	if (seen != small)
		free(seen);
	return ok;
}

/* ---- the evaluation of one schema ---- */

static bool schema_v_keywords(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep)
{
	bool ok = true;
	schema_text a, b;
	size_t i;

	if (s->ref)
		CHECK(schema_v_schema(c, s->ref, x, rep, "$ref"));
	if (s->dynref)
		CHECK(schema_v_schema(c, schema_dynamic_target(c, s), x, rep, "$dynamicRef"));
	if (s->types && !(s->types & schema_instance_types(x)))
		FAIL("type", "expected %s, found %s (%s); change the value", schema_types_text(&b, s->types),
		     schema_type_phrase(x->type == SECEX_NODE_INT ? T_INT : x->type == SECEX_NODE_FLOAT ? T_NUM :
				 schema_instance_types(x)), schema_value_text(&a, x));
	if (s->enum_node) {
		const secex_node *e = s->enum_node;

		for (i = 0; i < e->u.array.n && !secex_node_equal(e->u.array.items[i], x); i++)
			;
		if (i == e->u.array.n) {
			const char *close = NULL;
			size_t best = 3;

			for (i = 0; x->type == SECEX_NODE_STRING && i < e->u.array.n; i++) {
				const secex_node *v = e->u.array.items[i];
				size_t d = v->type == SECEX_NODE_STRING ?
						   edit_distance(x->u.string.ptr, x->u.string.len, v->u.string.ptr,
								 v->u.string.len) : SIZE_MAX;

				if (d < best && 2 * d < (x->u.string.len > v->u.string.len ? x->u.string.len :
							    v->u.string.len)) {
					best = d;
					close = v->u.string.ptr;
				}
			}
			if (close)
				FAIL("enum", "%s is not one of the allowed values; did you mean '%s'?",
				     schema_value_text(&a, x), close);
			else
				FAIL("enum", "%s is not one of the allowed values; use one of %s",
				     schema_value_text(&a, x), schema_enum_text(&b, e));
		}
	}
	if (s->const_node && !secex_node_equal(s->const_node, x))
		FAIL("const", "%s is not the required value; use %s", schema_value_text(&a, x),
		     schema_value_text(&b, s->const_node));
	switch (x->type) {
	case SECEX_NODE_INT:
	case SECEX_NODE_FLOAT:
		if (s->nums_set)
			CHECK(v_number(c, s, x, rep));
		break;
	case SECEX_NODE_STRING:
		CHECK(v_string(c, s, x, rep));
		break;
	case SECEX_NODE_ARRAY:
		CHECK(v_array(c, s, x, rep));
		if (s->uneval_items)
			CHECK(schema_v_unevaluated(c, s, x, rep));
		break;
	case SECEX_NODE_OBJECT:
		CHECK(v_object(c, s, x, rep));
		if (s->uneval_props)
			CHECK(schema_v_unevaluated(c, s, x, rep));
		break;
	default:
		break;
	}
	if (s->nall || s->nany || s->none || s->not_ || s->if_)
		CHECK(v_logic(c, s, x, rep));
	return ok;
}

/* A $ref cycle that comes back to the same value: found at once when the schema on it is being
 * evaluated already (same), else when evaluation nests MAX_EVAL_DEPTH deep. */
static void loop_found(schema_vctx *c, const secex_node *x, bool same)
{
	c->aborted = true;
	if (c->loop_reported)
		return;
	c->loop_reported = true;
	if (same)
		REPORT_AT(c, x, "$ref", "schema applies itself again to the same value, a $ref loop; fix "
			  "the schema so that each $ref cycle goes through a property or an item");
	else
		REPORT_AT(c, x, "$ref", "schema evaluation nested deeper than %d levels, a $ref loop; fix "
			  "the schema so that each $ref cycle goes through a property or an item",
			  MAX_EVAL_DEPTH);
}

static void too_complex(schema_vctx *c, const secex_node *x, const char *kw)
{
	c->aborted = true;
	REPORT_AT(c, x, kw, "schema too complex: more than %d evaluation steps for one file; simplify "
		  "the schema (fewer subschemas applied to the same value) or split the file",
		  MAX_EVAL_STEPS);
}

/* ---- results kept per (subschema, instance node) ---- */

static size_t pair_hash(const schema_sub *s, const secex_node *x, uint32_t scope)
{
	return schema_ptr_hash(s) ^ (schema_ptr_hash(x) * 0x9e3779b97f4a7c15ULL) ^ schema_ptr_hash((void *)(uintptr_t)scope);
}

static uint32_t current_scope(const schema_vctx *c)
{
	return c->nscope ? c->scope_id[c->nscope - 1] : 0;
}

static schema_mslot *memo_find(schema_vctx *c, const schema_sub *s, const secex_node *x)
{
	uint32_t scope = current_scope(c);
	size_t i;

	if (!c->memocap)
		return NULL;
	for (i = pair_hash(s, x, scope) & (c->memocap - 1); c->memo[i].state;
	     i = (i + 1) & (c->memocap - 1))
		if (c->memo[i].s == s && c->memo[i].x == x && c->memo[i].scope == scope)
			return &c->memo[i];
	return NULL;
}

/* Keeps the pair, marked busy: 1, or 0 when the table is full (it is then evaluated each time,
 * within MAX_EVAL_STEPS), or -1 when out of memory (evaluation stops). */
static int memo_add(schema_vctx *c, const schema_sub *s, const secex_node *x)
{
	size_t i, k;

	if (!c->memocap) {
		memset(c->small_memo, 0, sizeof(c->small_memo));
		c->memo = c->small_memo;
		c->memocap = SMALL_MEMO;
	}
	if (2 * (c->memon + 1) > c->memocap) {
		schema_mslot *t = c->memocap < MAX_MEMO_SLOTS ? calloc(2 * c->memocap, sizeof(*t)) : NULL;

		if (!t && c->memocap >= MAX_MEMO_SLOTS)
			return 0;
		if (!t) {
			c->rc = secex_error_nomem();
			c->aborted = true;
			return -1;
		}
		for (k = 0; k < c->memocap; k++) {
			if (!c->memo[k].state)
				continue;
			for (i = pair_hash(c->memo[k].s, c->memo[k].x, c->memo[k].scope) &
				 (2 * c->memocap - 1); t[i].state;
			     i = (i + 1) & (2 * c->memocap - 1))
				;
			t[i] = c->memo[k];
		}
		if (c->memo != c->small_memo)
			free(c->memo);
		c->memo = t;
		c->memocap *= 2;
	}
	for (i = pair_hash(s, x, current_scope(c)) & (c->memocap - 1); c->memo[i].state;
	     i = (i + 1) & (c->memocap - 1))
		;
	c->memo[i] = (schema_mslot){ s, x, current_scope(c), M_BUSY };
	c->memon++;
	return 1;
}

/* ---- the dynamic scope, kept only for a schema with a dynamic $dynamicRef ---- */

static size_t scope_hash(uint32_t parent, uint32_t res)
{
	return schema_ptr_hash((void *)(uintptr_t)(((uint64_t)parent << 32) | res));
}

/* The number of the scope `parent` followed by `res`, the same each time: memoised results
 * are kept per scope. 0 when out of memory (evaluation stops). */
static uint32_t scope_number(schema_vctx *c, uint32_t parent, uint32_t res)
{
	size_t i, k, cap;
	schema_scope_slot *t;

	if (2 * (c->nscopes + 1) > c->scopecap) {
		cap = c->scopecap ? 2 * c->scopecap : 64;
		if (!(t = calloc(cap, sizeof(*t))) || c->nscopes >= UINT32_MAX - 1) {
			free(t);
			c->rc = secex_error_nomem();
			c->aborted = true;
			return 0;
		}
		for (k = 0; k < c->scopecap; k++) {
			if (!c->scopes[k].id)
				continue;
			for (i = scope_hash(c->scopes[k].parent, c->scopes[k].res) & (cap - 1); t[i].id;
			     i = (i + 1) & (cap - 1))
				;
			t[i] = c->scopes[k];
		}
		free(c->scopes);
		c->scopes = t;
		c->scopecap = cap;
	}
	for (i = scope_hash(parent, res) & (c->scopecap - 1); c->scopes[i].id;
	     i = (i + 1) & (c->scopecap - 1))
		if (c->scopes[i].parent == parent && c->scopes[i].res == res)
			return c->scopes[i].id;
	c->scopes[i] = (schema_scope_slot){ parent, res, (uint32_t)++c->nscopes };
	return c->scopes[i].id;
}

/* Enters the resource of s: 1 when it was pushed, 0 when it is already the innermost. */
static size_t scope_enter(schema_vctx *c, const schema_sub *s)
{
	uint32_t id;

	if (!c->S->dynamic || s->boolean >= 0 || (c->nscope && c->scope[c->nscope - 1] == s->res) ||
	    c->nscope >= sizeof(c->scope) / sizeof(c->scope[0]))
		return 0;
	if (!(id = scope_number(c, current_scope(c), s->res)))
		return 0;
	c->scope[c->nscope] = s->res;
	c->scope_id[c->nscope++] = id;
	return 1;
}

/* What the $dynamicRef of s means here: the outermost resource in the dynamic scope with a
 * $dynamicAnchor of its name, else its target as a $ref would resolve it. */
static const schema_sub *schema_dynamic_target(schema_vctx *c, const schema_sub *s)
{
	const secex_schema *S = c->S;
	size_t i, k;

	for (i = 0; s->dyn_name && i < c->nscope; i++) {
		c->steps += S->ndyn;
		for (k = 0; k < S->ndyn; k++)
			if (S->dyn[k].res == c->scope[i] && strcmp(S->dyn[k].name, s->dyn_name) == 0)
				return S->dyn[k].s;
	}
	return s->dynref;
}

/* Evaluates s on x, keeping the result when s->memo says that it may come back: a result
 * already known is returned, or reported once when it is wanted with findings. */
static bool schema_v_schema(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep, const char *kw)
{
	bool ok = true, keep = s->memo && !c->in_name;
	schema_mslot *m = NULL;
	size_t scoped;
	int k;

	if (c->aborted)
		return false;
	if (c->eval >= MAX_EVAL_DEPTH) {
		loop_found(c, x, false);
		return false;
	}
	if (++c->steps > MAX_EVAL_STEPS) {
		too_complex(c, x, kw);
		return false;
	}
	if (keep && (m = memo_find(c, s, x))) {
		if (m->state == M_BUSY) {
			loop_found(c, x, true);
			return false;
		}
		if (!rep || m->state != M_INVALID)
			return m->state == M_VALID;
		m->state = M_BUSY; /* known invalid, now wanted with its findings */
	} else if (keep && (k = memo_add(c, s, x)) <= 0) {
		if (k < 0)
			return false;
		keep = false;
	}
	scoped = scope_enter(c, s);
	c->eval++;
	if (s->boolean == 0) {
		ok = false;
		if (rep)
			REPORT_AT(c, x, kw, "no value is allowed here (the schema is false); remove it");
	} else if (s->boolean < 0) {
		ok = schema_v_keywords(c, s, x, rep);
	}
	c->eval--;
	c->nscope -= scoped;
	ok = ok && !c->aborted;
	if (keep && !c->aborted && (m = memo_find(c, s, x)))
		m->state = ok ? M_VALID : rep ? M_REPORTED : M_INVALID;
	return ok;
}

int secex_schema_validate(bool *valid_out, const secex_schema *schema, const secex_node *instance,
			  const char *file, const char *exception, secex_diags *diags)
{
	schema_vctx ctx, *c = &ctx;
	bool ok;

	*valid_out = false;
	if (!schema || !schema->root)
		return secex_error_set(SECEX_EINVALID, "no schema to validate against");
	if (!instance) {
		*valid_out = true; /* nothing there: "required" of the parent says so */
		return 0;
	}
	memset(c, 0, offsetof(schema_vctx, path)); /* the path is written before it is read */
	c->S = schema;
	c->file = file;
	c->exception = exception;
	c->diags = diags;
	ok = schema_v_schema(c, schema->root, instance, diags != NULL, "schema");
	if (c->md)
		pcre2_match_data_free(c->md);
	if (c->memo != c->small_memo)
		free(c->memo);
	free(c->scopes);
	*valid_out = c->rc == 0 && ok && !c->aborted;
	return c->rc;
}
