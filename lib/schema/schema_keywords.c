/* The checks of the JSON Schema keywords on one instance value, and the in-place applicators. */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "schema_int.h"
#include "secex/banned.h"

unsigned secex_schema_instance_types(const secex_node *x)
{
	switch (x->type) {
	case SECEX_NODE_NULL: return T_NULL;
	case SECEX_NODE_BOOL: return T_BOOL;
	case SECEX_NODE_INT: return T_INT | T_NUM;
	case SECEX_NODE_FLOAT: return secex_schema_integral(x) ? T_INT | T_NUM : T_NUM;
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
		     secex_schema_value_text(&a, x), secex_schema_num_text(&b, &n[N_MINIMUM]));
	if ((s->nums_set & 1u << N_MAXIMUM) && cmp_num(x, &n[N_MAXIMUM]) > 0)
		FAIL("maximum", "%s is greater than the maximum of %s; use a smaller value",
		     secex_schema_value_text(&a, x), secex_schema_num_text(&b, &n[N_MAXIMUM]));
	if ((s->nums_set & 1u << N_EXMIN) && cmp_num(x, &n[N_EXMIN]) <= 0)
		FAIL("exclusiveMinimum", "%s is not greater than the exclusive minimum of %s; use a "
		     "larger value", secex_schema_value_text(&a, x), secex_schema_num_text(&b, &n[N_EXMIN]));
	if ((s->nums_set & 1u << N_EXMAX) && cmp_num(x, &n[N_EXMAX]) >= 0)
		FAIL("exclusiveMaximum", "%s is not less than the exclusive maximum of %s; use a "
		     "smaller value", secex_schema_value_text(&a, x), secex_schema_num_text(&b, &n[N_EXMAX]));
	if ((s->nums_set & 1u << N_MULTIPLE) && !is_multiple(x, &n[N_MULTIPLE]))
		FAIL("multipleOf", "%s is not a multiple of %s; use a multiple of it",
		     secex_schema_value_text(&a, x), secex_schema_num_text(&b, &n[N_MULTIPLE]));
	return ok;
}

/* ---- strings ---- */

/* 1 when re matches, 0 when not, -1 when a match limit was hit, -2 on another error. The
 * MAX_LIMIT_HITS-th match that hits a limit stops the evaluation, with a finding at line:col. */
int secex_schema_match(schema_vctx *c, const pcre2_code *re, const char *str, size_t len, uint32_t line,
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
		secex_schema_report(c, line, col, "pattern", "patterns too expensive: %d values hit the match limit; "
		       "simplify the patterns of the schema (the rest of this file is not checked)",
		       MAX_LIMIT_HITS);
		c->aborted = true;
	}
	return -1;
}

static bool v_string(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep)
{
	const char *str = x->u.string.ptr, *name;
	size_t len = x->u.string.len;
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
	if (s->pattern && (m = secex_schema_match(c, s->pattern, str, len, x->line, x->column)) != 1) {
		if (m == 0)
			FAIL("pattern", "%s does not match the pattern '%s'; %s", secex_schema_value_text(&a, x),
			     s->pattern_src, s->hint ? s->hint : "change the value to match it");
		else if (m == -1)
			FAIL("pattern", "pattern '%s' is too expensive to match against %s; simplify the "
			     "pattern or shorten the value", s->pattern_src, secex_schema_value_text(&a, x));
		else
			FAIL("pattern", "pattern '%s' cannot be matched against %s (%s); change the value "
			     "or the pattern", s->pattern_src, secex_schema_value_text(&a, x),
			     secex_schema_pcre_message(&b, c->pcre_error));
	}
	if (s->format && c->S->format_assertion && !secex_schema_format_check(s->format, str, len) &&
	    (name = secex_schema_format_name(s->format)))
		FAIL("format", "%s is not a valid %s; %s", secex_schema_value_text(&a, x), name,
		     secex_schema_format_hint(s->format));
	return ok;
}

/* ---- arrays ---- */

bool secex_schema_v_item(schema_vctx *c, const schema_sub *sub, const secex_node *arr, size_t i, bool rep,
		   const char *kw)
{
	const secex_node *item = arr->u.array.items[i];
	bool ok;

	secex_schema_push_index(c, i);
	if (sub->boolean == 0) {
		ok = false;
		if (rep)
			REPORT_AT(c, item, kw, "item %zu is not allowed here; remove it", i);
	} else {
		ok = secex_schema_v_schema(c, sub, item, rep, kw);
	}
	secex_schema_pop(c);
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
					secex_schema_report_duplicate(c, x, j, i);
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
						secex_schema_report_duplicate(c, x, h[j].i, h[i].i);
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
		CHECK(secex_schema_v_item(c, s->prefix[i], x, i, rep, "prefixItems"));
	for (i = s->nprefix; s->items && i < n; i++)
		CHECK(secex_schema_v_item(c, s->items, x, i, rep, "items"));
	if (s->contains) {
		int64_t min = s->counts[C_MINCONTAINS] >= 0 ? s->counts[C_MINCONTAINS] : 1;
		int64_t max = s->counts[C_MAXCONTAINS];

		for (i = 0; i < n && !c->aborted; i++) {
			secex_schema_push_index(c, i);
			count += secex_schema_v_schema(c, s->contains, x->u.array.items[i], false, "contains");
			secex_schema_pop(c);
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

bool secex_schema_v_member(schema_vctx *c, const schema_sub *sub, const secex_member *m, bool rep,
		     const char *kw, const schema_sub *parent)
{
	bool ok;

	if (sub->boolean == 0) {
		if (rep)
			secex_schema_report_key(c, m, kw, parent);
		return false;
	}
	secex_schema_push_key(c, m->key, m->keylen);
	ok = secex_schema_v_schema(c, sub, m->value, rep, kw);
	secex_schema_pop(c);
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
	ok = secex_schema_v_schema(c, s->property_names, &name, false, "propertyNames");
	c->in_name--;
	if (ok)
		return true;
	if (rep)
		secex_schema_report(c, m->line, m->column, "propertyNames", "property name '%s' does not match the "
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
		const schema_named *p = s->nprops ? secex_schema_find_named(s->props, s->nprops, m->key,
								       m->keylen) : NULL;
		bool matched = p != NULL;

		if (p)
			CHECK(secex_schema_v_member(c, p->s, m, rep, "properties", s));
		for (k = 0; k < s->npatprops; k++) {
			int r = secex_schema_match(c, s->patprops[k].re, m->key, m->keylen, m->line, m->column);

			if (r == 1) {
				matched = true;
				CHECK(secex_schema_v_member(c, s->patprops[k].s, m, rep, "patternProperties", s));
			} else if (r < 0) {
				ok = false;
				if (!rep)
					return false;
				secex_schema_report(c, m->line, m->column, "patternProperties",
					      "pattern '%s' %s property name '%s' (%s); simplify the pattern",
					      s->patprops[k].src,
					      r == -1 ? "is too expensive to match against" :
							"cannot be matched against",
					      m->key, secex_schema_pcre_message(&a, c->pcre_error));
			}
		}
		if (!matched && s->additional)
			CHECK(secex_schema_v_member(c, s->additional, m, rep, "additionalProperties", s));
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

		if (!secex_schema_find_member(x, name->u.string.ptr, name->u.string.len))
			FAIL("required", "missing required property '%s'; add it", name->u.string.ptr);
	}
	for (i = 0; i < s->ndepreq; i++) {
		const schema_dependency *d = &s->depreq[i];

		if (!secex_schema_find_member(x, d->key, d->len))
			continue;
		for (k = 0; k < d->names->u.array.n; k++) {
			const secex_node *name = d->names->u.array.items[k];

			if (!secex_schema_find_member(x, name->u.string.ptr, name->u.string.len))
				FAIL("dependentRequired", "property '%s' is required when '%s' is present; add "
				     "it", name->u.string.ptr, d->key);
		}
	}
	if (s->nprops || s->npatprops || s->additional || s->property_names)
		CHECK(v_members(c, s, x, rep));
	for (i = 0; i < s->ndepschemas; i++)
		if (secex_schema_find_member(x, s->depschemas[i].key, s->depschemas[i].len))
			CHECK(secex_schema_v_schema(c, s->depschemas[i].s, x, rep, "dependentSchemas"));
	return ok;
}

static bool v_logic(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep)
{
	size_t i, count = 0, first = 0, second = 0;
	bool ok = true;

	for (i = 0; i < s->nall; i++)
		CHECK(secex_schema_v_schema(c, s->all_of[i], x, rep, "allOf"));
	if (s->nany) {
		for (i = 0; i < s->nany && !count; i++)
			count += secex_schema_v_schema(c, s->any_of[i], x, false, "anyOf");
		if (!count) {
			ok = false;
			if (!rep)
				return false;
			secex_schema_report_alternatives(c, s->any_of, s->nany, x, "anyOf");
		}
	}
	if (s->none) {
		for (i = 0, count = 0; i < s->none && (rep || count < 2); i++) {
			if (secex_schema_v_schema(c, s->one_of[i], x, false, "oneOf")) {
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
			secex_schema_report_alternatives(c, s->one_of, s->none, x, "oneOf");
		} else if (count > 1) {
			FAIL("oneOf", "value matches %zu of the alternatives (%zu and %zu) but must match "
			     "exactly one; change it to match only one", count, first, second);
		}
	}
	if (s->not_ && secex_schema_v_schema(c, s->not_, x, false, "not"))
		FAIL("not", "value matches the 'not' schema, which it must not; change the value");
	if (s->if_) {
		if (secex_schema_v_schema(c, s->if_, x, false, "if")) {
			if (s->then_)
				CHECK(secex_schema_v_schema(c, s->then_, x, rep, "then"));
		} else if (s->else_) {
			CHECK(secex_schema_v_schema(c, s->else_, x, rep, "else"));
		}
	}
	return ok;
}

/* enum: x is one of the values of e, else the closest string of them or all of them. */
static bool v_enum(schema_vctx *c, const secex_node *e, const secex_node *x, bool rep)
{
	const char *close;
	schema_text a, b;
	bool ok = true;
	size_t i;

	for (i = 0; i < e->u.array.n && !secex_node_equal(e->u.array.items[i], x); i++)
		;
	if (i < e->u.array.n)
		return true;
	if ((close = secex_schema_enum_suggest(e, x)))
		FAIL("enum", "%s is not one of the allowed values; did you mean '%s'?",
		     secex_schema_value_text(&a, x), close);
	else
		FAIL("enum", "%s is not one of the allowed values; use one of %s",
		     secex_schema_value_text(&a, x), secex_schema_enum_text(&b, e));
	return ok;
}

/* ---- the evaluation of one schema ---- */

bool secex_schema_v_keywords(schema_vctx *c, const schema_sub *s, const secex_node *x, bool rep)
{
	bool ok = true;
	schema_text a, b;

	if (s->ref)
		CHECK(secex_schema_v_schema(c, s->ref, x, rep, "$ref"));
	if (s->dynref)
		CHECK(secex_schema_v_schema(c, secex_schema_dynamic_target(c, s), x, rep, "$dynamicRef"));
	if (s->types && !(s->types & secex_schema_instance_types(x)))
		FAIL("type", "expected %s, found %s (%s); change the value", secex_schema_types_text(&b, s->types),
		     secex_schema_type_phrase(x->type == SECEX_NODE_INT ? T_INT : x->type == SECEX_NODE_FLOAT ? T_NUM :
				 secex_schema_instance_types(x)), secex_schema_value_text(&a, x));
	if (s->enum_node)
		CHECK(v_enum(c, s->enum_node, x, rep));
	if (s->const_node && !secex_node_equal(s->const_node, x))
		FAIL("const", "%s is not the required value; use %s", secex_schema_value_text(&a, x),
		     secex_schema_value_text(&b, s->const_node));
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
			CHECK(secex_schema_v_unevaluated(c, s, x, rep));
		break;
	case SECEX_NODE_OBJECT:
		CHECK(v_object(c, s, x, rep));
		if (s->uneval_props)
			CHECK(secex_schema_v_unevaluated(c, s, x, rep));
		break;
	default:
		break;
	}
	if (s->nall || s->nany || s->none || s->not_ || s->if_)
		CHECK(v_logic(c, s, x, rep));
	return ok;
}
