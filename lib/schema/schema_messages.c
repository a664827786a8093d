/* The findings of JSON Schema validation: their locations, values and hints. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema_int.h"
#include "secex/banned.h"

int secex_schema_put_pointer(secex_buf *b, const schema_seg *path, size_t n)
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

/* Adds the finding "'<pointer>': <message> (keyword '<kw>')" at line:col ("top level: ..."
 * for the document itself). */
void secex_schema_report(schema_vctx *c, uint32_t line, uint32_t col, const char *kw, const char *fmt,
		   ...)
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
		rc = rc ? rc : secex_schema_put_pointer(&b, c->path, n);
		rc = rc ? rc : secex_buf_puts(&b, "': ");
	}
	if (rc == 0) {
		va_start(ap, fmt);
		rc = secex_buf_vprintf(&b, fmt, ap);
		va_end(ap);
	}
	rc = rc ? rc : secex_buf_printf(&b, " (keyword '%s')", kw);
	rc = rc ? rc : secex_diag_add(c->diags, "SX110", c->file, line, col, c->exception, NULL,
				       "%s", b.ptr);
	if (rc < 0)
		c->rc = rc;
	secex_buf_release(&b);
}

/* ---- rendering values for messages ---- */

static const char *double_text(schema_text *t, double d)
{
	snprintf(t->s, sizeof(t->s), "%.15g", d);
	if (strtod(t->s, NULL) != d)
		snprintf(t->s, sizeof(t->s), "%.17g", d);
	return t->s;
}

const char *secex_schema_num_text(schema_text *t, const schema_num *n)
{
	if (n->is_int) {
		snprintf(t->s, sizeof(t->s), "%lld", (long long)n->i);
		return t->s;
	}
	return double_text(t, n->d);
}

const char *secex_schema_value_text(schema_text *t, const secex_node *x)
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

const char *secex_schema_type_phrase(unsigned bit)
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
const char *secex_schema_enum_text(schema_text *t, const secex_node *e)
{
	size_t i, used = 0;
	schema_text v;

	t->s[0] = '\0';
	for (i = 0; i < e->u.array.n; i++) {
		const char *sep = i == 0 ? "" : i + 1 == e->u.array.n ? " or " : ", ";
		const char *val = secex_schema_value_text(&v, e->u.array.items[i]);

		if (used + strlen(sep) + strlen(val) + 24 >= sizeof(t->s)) {
			snprintf(t->s + used, sizeof(t->s) - used, ", ... (%zu values)", e->u.array.n);
			break;
		}
		used += (size_t)snprintf(t->s + used, sizeof(t->s) - used, "%s%s", sep, val);
	}
	return t->s;
}

/* "a string, an integer or null" */
const char *secex_schema_types_text(schema_text *t, unsigned types)
{
	size_t left = 0, used = 0;
	unsigned bit;

	t->s[0] = '\0';
	for (bit = 1; bit <= T_OBJ; bit <<= 1) /* the T_* bits in the order of the spec's names */
		left += (types & bit) != 0;
	for (bit = 1; bit <= T_OBJ; bit <<= 1) {
		if (!(types & bit))
			continue;
		left--;
		used += (size_t)snprintf(t->s + used, sizeof(t->s) - used, "%s%s",
					 secex_schema_type_phrase(bit),
					 left > 1 ? ", " : left == 1 ? " or " : "");
	}
	return t->s;
}

const char *secex_schema_pcre_message(schema_text *t, int error)
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

const char *secex_schema_format_name(secex_format format)
{
	size_t i;

	for (i = 0; i < sizeof(format_hints) / sizeof(format_hints[0]); i++)
		if (format_hints[i].format == format)
			return format_hints[i].name;
	return NULL;
}

const char *secex_schema_format_hint(secex_format format)
{
	size_t i;

	for (i = 0; i < sizeof(format_hints) / sizeof(format_hints[0]); i++)
		if (format_hints[i].format == format)
			return format_hints[i].hint;
	return NULL;
}

void secex_schema_report_duplicate(schema_vctx *c, const secex_node *arr, size_t later, size_t first)
{
	secex_schema_push_index(c, later);
	REPORT_AT(c, arr->u.array.items[later], "uniqueItems", "item %zu duplicates item %zu; remove "
		  "one of them", later, first);
	secex_schema_pop(c);
}

static size_t edit_distance(const char *a, size_t n, const char *b, size_t m)
{
	return secex_suggest_distance(a, n, b, m, false);
}

/* The string of the enum e closest to the string x, within an edit distance of 2, or NULL. */
const char *secex_schema_enum_suggest(const secex_node *e, const secex_node *x)
{
	const char *close = NULL;
	size_t best = 3, i;

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
	return close;
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
void secex_schema_report_key(schema_vctx *c, const secex_member *m, const char *kw,
		       const schema_sub *parent)
{
	const char *hint;

	if (strcmp(kw, "additionalProperties") != 0 && strcmp(kw, "unevaluatedProperties") != 0)
		secex_schema_report(c, m->line, m->column, kw, "property '%s' is not allowed; remove it", m->key);
	else if ((hint = suggest(parent, m->key, m->keylen)))
		secex_schema_report(c, m->line, m->column, kw, "unknown property '%s'; did you mean '%s'?",
			      m->key, hint);
	else
		secex_schema_report(c, m->line, m->column, kw, "unknown property '%s'; remove it or correct its name",
		       m->key);
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
			return secex_schema_value_text(t, s->const_node);
		if (s->enum_node && s->nchecks == 1) {
			snprintf(t->s, sizeof(t->s), "one of %s", secex_schema_enum_text(&v, s->enum_node));
			return t->s;
		}
		if (s->pattern && string_only) {
			snprintf(t->s, sizeof(t->s), "a string matching '%s'", s->pattern_src);
			return t->s;
		}
		if (s->types && s->nchecks == 1)
			return secex_schema_types_text(t, s->types);
		return NULL;
	}
	return NULL;
}

/* anyOf or oneOf matched nothing: the errors of the only alternative of the right type, or one
 * finding for the keyword, that names the alternatives when they are simple. */
void secex_schema_report_alternatives(schema_vctx *c, schema_sub *const *list, size_t n,
				const secex_node *x, const char *kw)
{
	const char *how = strcmp(kw, "oneOf") == 0 ? "exactly one" : "one";
	unsigned t = secex_schema_instance_types(x);
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
		secex_schema_v_schema(c, list[which], x, true, kw);
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
			  "2024-05-01T10:00:00Z)", secex_schema_value_text(&a, x));
	else if (i == n && all.size < 300)
		REPORT_AT(c, x, kw, "%s is %s %s; change it to match %s of them", secex_schema_value_text(&a, x),
			  n == 2 ? "neither" : "none of", all.ptr, how);
	else
		REPORT_AT(c, x, kw, "%s matches none of the %zu alternatives; change it to match %s of "
			  "them", secex_schema_value_text(&a, x), n, how);
	secex_buf_release(&all);
}
