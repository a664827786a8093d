#ifndef SECEX_SCHEMA_INT_H
#define SECEX_SCHEMA_INT_H

/*
 * What the parts of the JSON Schema 2020-12 validator share (private to lib/): the compiled
 * form, made by schema_compile.c (with schema_uri.c for $id and $ref), and the state of a
 * validation, run by schema_evaluate.c with the checks of schema_keywords.c and the findings
 * of schema_messages.c. schema.c holds the public API of secex/schema.h.
 *
 * A schema is compiled once (references resolved, patterns compiled, numbers parsed) into a
 * graph of `schema_sub` nodes, then validates many instances. Validation allocates nothing
 * unless it reports a finding: the instance location is a stack of path segments, formatted
 * as a JSON pointer only for a message.
 */

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "secex/schema.h"
#include "secex/util.h"

#define MAX_EVAL_DEPTH 512     /* nested subschema evaluations: a $ref loop ends here */
#define MAX_EVAL_STEPS 10000000 /* subschema evaluations per instance: README "Speed" */
#define MAX_LIMIT_HITS 64      /* matches that hit a PCRE2 limit, per instance */
#define MAX_MEMO_SLOTS (1u << 21) /* kept results per instance (48 MiB); past it, none kept */

/* The JSON types as bits, for "type"; integer is a number too. */
enum {
	T_NULL = 1, T_BOOL = 2, T_INT = 4, T_NUM = 8, T_STR = 16, T_ARR = 32, T_OBJ = 64,
	T_ALL = 127
};

typedef struct {
	bool is_int;
	int64_t i;
	double d;
} schema_num;

/* The numeric keywords (schema_sub.nums) and the counting ones (schema_sub.counts). */
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


/* A path segment: an object key, or an array index when key is NULL. */
typedef struct {
	const char *key;
	size_t len;
	size_t index;
} schema_seg;


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

/* The state of one validation (secex_schema_validate). */
typedef struct {
	const secex_schema *S;
	const char *file, *exception;
	secex_diags *diags;        /* NULL: only the verdict is wanted */
	size_t depth;              /* of the instance path */
	unsigned eval;             /* nested subschema evaluations */
	size_t steps;              /* subschema evaluations so far, against MAX_EVAL_STEPS */
	unsigned limit_hits;       /* matches that hit a PCRE2 limit, against MAX_LIMIT_HITS */
	unsigned in_name;          /* > 0 under propertyNames, whose instance is on the stack */
	schema_mslot *memo;        /* open addressing; small_memo until it fills */
	size_t memocap, memon;
	size_t nscope;             /* with S->dynamic: the resources entered, outermost first */
	schema_scope_slot *scopes; /* every dynamic scope met, for their numbers */
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

/* The instance path: a segment is pushed on the way into a member or an item. */
static inline void secex_schema_push_key(schema_vctx *c, const char *key, size_t len)
{
	if (c->depth < sizeof(c->path) / sizeof(c->path[0]))
		c->path[c->depth] = (schema_seg){ key, len, 0 };
	c->depth++;
}

static inline void secex_schema_push_index(schema_vctx *c, size_t index)
{
	if (c->depth < sizeof(c->path) / sizeof(c->path[0]))
		c->path[c->depth] = (schema_seg){ NULL, 0, index };
	c->depth++;
}

static inline void secex_schema_pop(schema_vctx *c)
{
	c->depth--;
}

#define REPORT_AT(c, node, ...) secex_schema_report((c), (node)->line, (node)->column, __VA_ARGS__)

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

/* Room to render one value for a message. */
typedef struct {
	char s[128];
} schema_text;

static inline size_t secex_schema_ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

/* ---- schema_meta.c ---- */

/* The built-in draft 2020-12 metaschema documents, parsed once per process. */
const secex_schema_resource *secex_schema_meta_resources(size_t *n);

/* ---- schema_uri.c ---- */

/* Resolves ref against base (RFC 3986 5.2.2) into out. */
int secex_schema_uri_resolve(secex_buf *out, const char *ref, const char *base);
/* Percent-decodes s (n bytes) into out. */
int secex_schema_percent_decode(secex_buf *out, const char *s, size_t n);

/* ---- schema_compile.c ---- */

/* secex_schema_compile once its options are known good. */
int secex_schema_compile_document(secex_schema **out, const secex_node *root, const char *name,
			    const secex_schema_options *opts);
/* secex_schema_external_ref. */
int secex_schema_find_external_ref(const char **out, const secex_node *root,
			const secex_schema_options *opts);
/* The member of obj of that key (len bytes), or NULL. */
const secex_member *secex_schema_find_member(const secex_node *obj, const char *key, size_t len);
/* The entry of that key in arr, sorted as compiling sorts properties, or NULL. */
const schema_named *secex_schema_find_named(const schema_named *arr, size_t n, const char *key,
				      size_t len);
/* Whether n is a number with no fractional part. */
bool secex_schema_integral(const secex_node *n);

/* ---- schema_evaluate.c ---- */

/* Evaluates s on x; with rep, adds a finding for each violation, naming keyword kw for a
 * false schema. */
bool secex_schema_v_schema(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep,
		     const char *kw);
/* What the $dynamicRef of s means in the current dynamic scope. */
const schema_sub *secex_schema_dynamic_target(schema_vctx *c, const schema_sub *s);
/* unevaluatedProperties or unevaluatedItems of s, on the object or array x. */
bool secex_schema_v_unevaluated(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep);

/* ---- schema_keywords.c ---- */

/* The keywords of the object schema s, on x. */
bool secex_schema_v_keywords(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep);
/* The T_* bits of the types x is an instance of. */
unsigned secex_schema_instance_types(const secex_node *x);
int secex_schema_match(schema_vctx *c, const pcre2_code *re, const char *str, size_t len,
		 uint32_t line, uint32_t col);
/* Item i of arr against sub, for keyword kw. */
bool secex_schema_v_item(schema_vctx *c, const schema_sub *sub, const secex_node *arr, size_t i,
		   bool rep, const char *kw);
/* Member m against sub, for keyword kw of the schema parent. */
bool secex_schema_v_member(schema_vctx *c, const schema_sub *sub, const secex_member *m, bool rep,
		     const char *kw, const schema_sub *parent);

/* ---- schema_messages.c ---- */

/* Appends the JSON pointer of path (n segments) to b. */
int secex_schema_put_pointer(secex_buf *b, const schema_seg *path, size_t n);
void secex_schema_report(schema_vctx *c, uint32_t line, uint32_t col, const char *kw,
		   const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;
const char *secex_schema_num_text(schema_text *t, const schema_num *n);
const char *secex_schema_value_text(schema_text *t, const secex_node *x);
const char *secex_schema_type_phrase(unsigned bit);
const char *secex_schema_enum_text(schema_text *t, const secex_node *e);
const char *secex_schema_types_text(schema_text *t, unsigned types);
const char *secex_schema_pcre_message(schema_text *t, int error);
/* How a value of that format is named in messages ("date"), and what to write instead. */
const char *secex_schema_format_name(secex_format format);
const char *secex_schema_format_hint(secex_format format);
/* The value of the enum e closest to the string x, or NULL. */
const char *secex_schema_enum_suggest(const secex_node *e, const secex_node *x);
void secex_schema_report_duplicate(schema_vctx *c, const secex_node *arr, size_t later, size_t first);
void secex_schema_report_key(schema_vctx *c, const secex_member *m, const char *kw,
		       const schema_sub *parent);
void secex_schema_report_alternatives(schema_vctx *c, schema_sub *const *list, size_t n,
				const secex_node *x, const char *kw);

#endif
