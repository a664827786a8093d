/* A strict RFC 8259 JSON loader into the document tree, iterative and depth-bounded. */

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secex/json.h"
#include "secex/util.h"
#include "secex/banned.h"

/* An array or object being read: its node and where its children start on the stacks. */
typedef struct {
	secex_node *node;
	size_t start;
} frame;

typedef struct {
	const char *s;
	size_t len, pos;
	const char *file;
	secex_diags *diags;
	const secex_json_options *opts;
	secex_doc *doc;
	/* position tracking: the current line, and a column cache that only moves forward */
	uint32_t line;
	size_t line_start, col_pos;
	uint32_t col;
	/* containers being read, and their pending children */
	frame *frames;
	size_t nframes;
	secex_node **items;
	size_t nitems, capitems;
	secex_member *members;
	size_t nmembers, capmembers;
	uint32_t *table; /* duplicate-key hash set, reused by every object */
	size_t tablecap;
	secex_buf scratch; /* strings with escapes */
	secex_map keys;    /* short keys already copied into the document: stored once */
	bool failed;       /* a finding was added */
	int rc;            /* negative when the parser could not run */
} parser;

/* Line and column (in code points) of pos, which must be on the current line and not before
 * the last position asked for: the parse only moves forward, so this costs O(n) in total. */
static void where(parser *p, size_t pos, uint32_t *line, uint32_t *col)
{
	if (p->col_pos < p->line_start || p->col_pos > pos) {
		p->col_pos = p->line_start;
		p->col = 1;
	}
	for (; p->col_pos < pos; p->col_pos++)
		p->col += ((unsigned char)p->s[p->col_pos] & 0xc0) != 0x80;
	*line = p->line;
	*col = p->col;
}

static void finding_at(parser *p, const char *code, uint32_t line, uint32_t col, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

static void finding_at(parser *p, const char *code, uint32_t line, uint32_t col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (p->failed || p->rc < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->failed = true;
	if (secex_diag_add(p->diags, code, p->file, line, col, NULL, NULL, "%s", msg) < 0)
		p->rc = SECEX_ENOMEM;
}

#define FINDING(p, code, pos, ...)                                                               \
	do {                                                                                     \
		uint32_t line_, col_;                                                            \
		where((p), (pos), &line_, &col_);                                                \
		finding_at((p), (code), line_, col_, __VA_ARGS__);                               \
	} while (0)

static void oom(parser *p)
{
	if (p->rc == 0)
		p->rc = secex_error_nomem();
}

static bool stopped(const parser *p)
{
	return p->failed || p->rc < 0;
}

static void skip_ws(parser *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];

		if (c == ' ' || c == '\t') {
			p->pos++;
		} else if (c == '\n' || c == '\r') {
			p->pos++;
			if (c == '\r' && p->pos < p->len && p->s[p->pos] == '\n')
				p->pos++;
			p->line++;
			p->line_start = p->col_pos = p->pos;
			p->col = 1;
		} else {
			break;
		}
	}
}

/* Describes what is at pos for "found ..." in a message. */
static void describe(const parser *p, size_t pos, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)p->s;
	size_t n = 0;

	if (pos >= p->len) {
		snprintf(out, outlen, "end of input");
		return;
	}
	if (s[pos] == '\'') {
		snprintf(out, outlen, "a single quote");
		return;
	}
	if (s[pos] < 0x20) {
		snprintf(out, outlen, "control character U+%04X", s[pos]);
		return;
	}
	if ((s[pos] >= 'a' && s[pos] <= 'z') || (s[pos] >= 'A' && s[pos] <= 'Z')) {
		while (pos + n < p->len && n < 24 &&
		       ((s[pos + n] >= 'a' && s[pos + n] <= 'z') || (s[pos + n] >= 'A' && s[pos + n] <= 'Z') ||
			(s[pos + n] >= '0' && s[pos + n] <= '9') || s[pos + n] == '_'))
			n++;
	} else {
		n = 1;
		while (pos + n < p->len && (s[pos + n] & 0xc0) == 0x80)
			n++; /* the whole UTF-8 character */
	}
	snprintf(out, outlen, "'%.*s'", (int)n, p->s + pos);
}

static void expected(parser *p, const char *what, const char *hint)
{
	char found[64];

	describe(p, p->pos, found, sizeof(found));
	FINDING(p, "SX101", p->pos, "expected %s, found %s; %s", what, found, hint);
}

static secex_node *new_node(parser *p, secex_node_type type, size_t pos)
{
	secex_node *n = secex_doc_alloc(p->doc, sizeof(*n));

	if (!n) {
		oom(p);
		return NULL;
	}
	n->type = type;
	where(p, pos, &n->line, &n->column);
	return n;
}

/* Reads the four hex digits of a \u escape at pos (after the 'u'), or -1. */
static long hex4(const parser *p, size_t pos)
{
	long v = 0;
	int i;

	if (p->len - pos < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		int h = secex_util_hexval(p->s[pos + (size_t)i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static int put_utf8(secex_buf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return secex_buf_put(b, u, n);
}

/* Decodes the escape at p->pos (a backslash) into the scratch buffer. */
static void read_escape(parser *p)
{
	size_t at = p->pos;
	char c = at + 1 < p->len ? p->s[at + 1] : '\0';
	const char *simple = NULL;
	long cp, lo;

	switch (c) {
	case '"': simple = "\""; break;
	case '\\': simple = "\\"; break;
	case '/': simple = "/"; break;
	case 'b': simple = "\b"; break;
	case 'f': simple = "\f"; break;
	case 'n': simple = "\n"; break;
	case 'r': simple = "\r"; break;
	case 't': simple = "\t"; break;
	case 'u': break;
	default:
		if (at + 1 >= p->len || (unsigned char)c < 0x20)
			FINDING(p, "SX101", at, "unfinished escape '\\' at the end of a string; "
				"write '\\\\' for a backslash");
		else
			FINDING(p, "SX101", at, "invalid escape '\\%c' in string; use one of \\\" \\\\ \\/ "
				"\\b \\f \\n \\r \\t \\uXXXX, or write '\\\\' for a backslash", c);
		return;
	}
	if (simple) {
		if (secex_buf_putc(&p->scratch, simple[0]) < 0)
			oom(p);
		p->pos += 2;
		return;
	}
	cp = hex4(p, at + 2);
	if (cp < 0) {
		FINDING(p, "SX101", at, "invalid escape '\\u%.*s' in string; write \\u followed by four "
			"hex digits", (int)(p->len - at - 2 < 4 ? p->len - at - 2 : 4), p->s + at + 2);
		return;
	}
	p->pos += 6;
	if (cp >= 0xdc00 && cp <= 0xdfff) {
		FINDING(p, "SX101", at, "lone low surrogate '\\u%04lx' in string; a low surrogate must "
			"follow a high one (\\ud800 to \\udbff)", cp);
		return;
	}
	if (cp >= 0xd800 && cp <= 0xdbff) {
		lo = p->pos + 1 < p->len && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u' ?
			     hex4(p, p->pos + 2) : -1;
		if (lo < 0xdc00 || lo > 0xdfff) {
			FINDING(p, "SX101", at, "lone high surrogate '\\u%04lx' in string; follow it with a "
				"low surrogate (\\udc00 to \\udfff) or write the character itself", cp);
			return;
		}
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		p->pos += 6;
	}
	if (cp == 0 && !p->opts->allow_nul) {
		FINDING(p, "SX101", at, "escaped NUL character '\\u0000' in string; remove it, text "
			"values cannot contain NUL");
		return;
	}
	if (put_utf8(&p->scratch, (unsigned long)cp) < 0)
		oom(p);
}

/* Reads the string at p->pos (its opening quote) into the document. */
static bool read_string(parser *p, const char **out, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)p->s;
	size_t open = p->pos, run;
	bool escaped = false;

	p->pos++;
	secex_buf_clear(&p->scratch);
	for (;;) {
		run = p->pos;
		while (p->pos < p->len && s[p->pos] != '"' && s[p->pos] != '\\' && s[p->pos] >= 0x20)
			p->pos++;
		if (p->pos >= p->len) {
			FINDING(p, "SX101", open, "unterminated string; add the closing '\"'");
			return false;
		}
		if (escaped && secex_buf_put(&p->scratch, p->s + run, p->pos - run) < 0) {
			oom(p);
			return false;
		}
		if (s[p->pos] == '"')
			break;
		if (s[p->pos] < 0x20) {
			if (s[p->pos] == 0)
				FINDING(p, "SX101", p->pos, "unexpected NUL byte in string; remove it, text "
					"values cannot contain NUL");
			else if (s[p->pos] == '\n' || s[p->pos] == '\r')
				FINDING(p, "SX101", open, "unterminated string: line break before the closing "
					"'\"'; close the string or write the line break as \\n");
			else
				FINDING(p, "SX101", p->pos, "unescaped control character U+%04X in string; "
					"write it as an escape such as \\t or \\u%04x", s[p->pos], s[p->pos]);
			return false;
		}
		if (!escaped) {
			escaped = true;
			if (secex_buf_put(&p->scratch, p->s + run, p->pos - run) < 0) {
				oom(p);
				return false;
			}
		}
		read_escape(p);
		if (stopped(p))
			return false;
	}
	if (escaped) {
		*outlen = p->scratch.size;
		*out = secex_doc_strndup(p->doc, secex_buf_cstr(&p->scratch), p->scratch.size);
	} else {
		*outlen = p->pos - open - 1;
		*out = secex_doc_strndup(p->doc, p->s + open + 1, *outlen);
	}
	p->pos++; /* the closing quote */
	if (!*out) {
		oom(p);
		return false;
	}
	return true;
}

static bool is_digit(const parser *p, size_t pos)
{
	return pos < p->len && p->s[pos] >= '0' && p->s[pos] <= '9';
}

/* Converts the decimal text of a number with strtod, whatever the locale's decimal point. */
static bool to_double(double *out, const char *text, size_t len)
{
	const char *point = localeconv()->decimal_point;
	char small[64], *buf = small, *end;
	size_t i;
	bool ok;

	if (len + 8 > sizeof(small) && !(buf = malloc(len + 8)))
		return false;
	for (i = 0; i < len; i++)
		buf[i] = text[i];
	buf[len] = '\0';
	if (point && point[0] && strcmp(point, ".") != 0) {
		char *dot = memchr(buf, '.', len);
		size_t plen = strlen(point);

		if (dot && plen < 8) {
			memmove(dot + plen, dot + 1, len - (size_t)(dot - buf));
			memcpy(dot, point, plen);
		}
	}
	errno = 0;
	*out = strtod(buf, &end);
	ok = !(errno == ERANGE && (*out > 1.0 || *out < -1.0));
	if (buf != small)
		free(buf);
	return ok;
}

/* Long on purpose: one pass over RFC 8259's number grammar, each step beside the error it
 * gives, reads better than the grammar cut into pieces. */
static secex_node *read_number(parser *p)
{
	size_t start = p->pos, i = p->pos;
	bool integer = true, neg = false;
	secex_node *n;
	double d;

	if (p->s[i] == '-') {
		neg = true;
		i++;
		if (!is_digit(p, i)) {
			p->pos = i;
			expected(p, "a digit after '-'", "write a number such as -1 or -0.5");
			return NULL;
		}
	}
	if (p->s[i] == '0') {
		i++;
		if (is_digit(p, i)) {
			FINDING(p, "SX101", start, "number '%.*s' has a leading zero; remove it or quote the "
				"value as a string", (int)(i + 1 - start), p->s + start);
			return NULL;
		}
	} else {
		while (is_digit(p, i))
			i++;
	}
	if (i < p->len && p->s[i] == '.') {
		integer = false;
		i++;
		if (!is_digit(p, i)) {
			p->pos = i;
			expected(p, "a digit after the decimal point", "write a number such as 1.0");
			return NULL;
		}
		while (is_digit(p, i))
			i++;
	}
	if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
		integer = false;
		i++;
		if (i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		if (!is_digit(p, i)) {
			p->pos = i;
			expected(p, "a digit in the exponent", "write a number such as 1e10");
			return NULL;
		}
		while (is_digit(p, i))
			i++;
	}
	p->pos = i;
	if (!(n = new_node(p, SECEX_NODE_INT, start)))
		return NULL;
	if (integer) {
		/* accumulate as a negative number so that INT64_MIN fits */
		int64_t v = 0;
		size_t k;

		for (k = start + neg; k < i; k++) {
			int digit = p->s[k] - '0';

			if (v < (INT64_MIN + digit) / 10) {
				integer = false;
				break;
			}
			v = v * 10 - digit;
		}
		if (integer && !neg && v == INT64_MIN)
			integer = false;
		if (integer) {
			n->u.integer = neg ? v : -v;
			return n;
		}
	}
	if (!to_double(&d, p->s + start, i - start)) {
		if (errno == ERANGE)
			FINDING(p, "SX101", start, "number '%.*s' is too large; use a smaller value or "
				"quote it as a string", (int)(i - start > 40 ? 40 : i - start), p->s + start);
		else
			oom(p);
		return NULL;
	}
	n->type = SECEX_NODE_FLOAT;
	n->u.number = d;
	return n;
}

static secex_node *read_literal(parser *p)
{
	static const struct {
		const char *word;
		size_t len;
		secex_node_type type;
		bool value;
	} words[] = {
		{ "true", 4, SECEX_NODE_BOOL, true },
		{ "false", 5, SECEX_NODE_BOOL, false },
		{ "null", 4, SECEX_NODE_NULL, false },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t end = p->pos + words[i].len;
		secex_node *n;
		char c;

		if (p->len - p->pos < words[i].len || memcmp(p->s + p->pos, words[i].word, words[i].len) != 0)
			continue;
		c = end < p->len ? p->s[end] : ' ';
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
			break; /* "nullable" is not null */
		if (!(n = new_node(p, words[i].type, p->pos)))
			return NULL;
		n->u.boolean = words[i].value;
		p->pos = end;
		return n;
	}
	expected(p, "a value", "write a string in double quotes, a number, an object, an array, "
		 "true, false or null");
	return NULL;
}

static bool push_item(parser *p, secex_node *n)
{
	if (p->nitems == p->capitems) {
		size_t cap = p->capitems ? p->capitems * 2 : 64;
		secex_node **items = realloc(p->items, cap * sizeof(*items));

		if (!items) {
			oom(p);
			return false;
		}
		p->items = items;
		p->capitems = cap;
	}
	p->items[p->nitems++] = n;
	return true;
}

static secex_member *push_member(parser *p)
{
	secex_member *m;

	if (p->nmembers == p->capmembers) {
		size_t cap = p->capmembers ? p->capmembers * 2 : 64;
		secex_member *members = realloc(p->members, cap * sizeof(*members));

		if (!members) {
			oom(p);
			return NULL;
		}
		p->members = members;
		p->capmembers = cap;
	}
	m = &p->members[p->nmembers++];
	memset(m, 0, sizeof(*m));
	return m;
}

static bool open_container(parser *p, secex_node_type type)
{
	secex_node *n;

	if (p->nframes >= p->opts->max_depth) {
		FINDING(p, "SX108", p->pos, "%s nested deeper than %u levels; flatten the structure",
			type == SECEX_NODE_ARRAY ? "array" : "object", p->opts->max_depth);
		return false;
	}
	if (!(n = new_node(p, type, p->pos)))
		return false;
	p->frames[p->nframes].node = n;
	p->frames[p->nframes].start = type == SECEX_NODE_ARRAY ? p->nitems : p->nmembers;
	p->nframes++;
	p->pos++;
	return true;
}

/* Reads a key; a short key without escapes is copied into the document once, since
 * reports repeat the same few keys millions of times. */
static bool read_key_string(parser *p, secex_member *m)
{
	const char *start = p->s + p->pos + 1, *end = start, *known;
	size_t n = p->len - p->pos - 1;

	while ((size_t)(end - start) < n && (size_t)(end - start) <= 32 && *end != '"' && *end != '\\' &&
	       (unsigned char)*end >= 0x20)
		end++;
	if ((size_t)(end - start) >= n || *end != '"' || end - start > 32)
		return read_string(p, &m->key, &m->keylen);
	m->keylen = (size_t)(end - start);
	if ((known = secex_map_get(&p->keys, start, m->keylen))) {
		m->key = known;
	} else if (!(m->key = secex_doc_strndup(p->doc, start, m->keylen)) ||
		   secex_map_put(&p->keys, start, m->keylen, (void *)(uintptr_t)m->key) < 0) {
		oom(p);
		return false;
	}
	p->pos += m->keylen + 2;
	return true;
}

/* Reads `"key" :` at p->pos into a new member of the open object. */
static bool read_key(parser *p)
{
	secex_member *m;
	size_t at;

	skip_ws(p);
	if (p->pos >= p->len || p->s[p->pos] != '"') {
		if (p->pos < p->len && p->s[p->pos] == '}')
			expected(p, "a key in double quotes", "remove the trailing ','");
		else if (p->pos < p->len && p->s[p->pos] == '\'')
			expected(p, "a key in double quotes", "JSON needs double quotes around keys");
		else
			expected(p, "a key in double quotes", "write the key as a string, such as \"name\"");
		return false;
	}
	at = p->pos;
	if (!(m = push_member(p)))
		return false;
	where(p, at, &m->line, &m->column);
	if (!read_key_string(p, m))
		return false;
	skip_ws(p);
	if (p->pos >= p->len || p->s[p->pos] != ':') {
		expected(p, "':' after the key", "write ':' between the key and its value");
		return false;
	}
	p->pos++;
	return true;
}

static bool same_key(const secex_member *a, const secex_member *b)
{
	return a->keylen == b->keylen && (a->keylen == 0 || memcmp(a->key, b->key, a->keylen) == 0);
}

static void duplicate(parser *p, const secex_member *first, const secex_member *again)
{
	finding_at(p, "SX102", again->line, again->column, "duplicate key '%s' (first at line %u, "
		   "column %u); remove one of them", again->key, first->line, first->column);
}

/* Finds the first key that repeats an earlier one, in expected linear time. */
static bool check_duplicates(parser *p, const secex_member *m, size_t n)
{
	size_t i, j, cap;

	if (n <= 8) {
		for (i = 1; i < n; i++)
			for (j = 0; j < i; j++)
				if (same_key(&m[i], &m[j])) {
					duplicate(p, &m[j], &m[i]);
					return false;
				}
		return true;
	}
	for (cap = 16; cap < 2 * n; cap *= 2)
		;
	if (cap > p->tablecap) {
		uint32_t *t = realloc(p->table, cap * sizeof(*t));

		if (!t) {
			oom(p);
			return false;
		}
		p->table = t;
		p->tablecap = cap;
	}
	memset(p->table, 0, cap * sizeof(*p->table));
	for (i = 0; i < n; i++) {
		size_t slot = (size_t)secex_map_hash(m[i].key, m[i].keylen) & (cap - 1);

		while (p->table[slot]) {
			const secex_member *other = &m[p->table[slot] - 1];

			if (same_key(other, &m[i])) {
				duplicate(p, other, &m[i]);
				return false;
			}
			slot = (slot + 1) & (cap - 1);
		}
		p->table[slot] = (uint32_t)(i + 1);
	}
	return true;
}

/* Closes the innermost container: moves its pending children into the arena. */
static secex_node *close_container(parser *p)
{
	frame *f = &p->frames[--p->nframes];
	secex_node *n = f->node;
	size_t count;

	p->pos++;
	if (n->type == SECEX_NODE_ARRAY) {
		count = p->nitems - f->start;
		if (count) {
			n->u.array.items = secex_doc_alloc(p->doc, count * sizeof(*n->u.array.items));
			if (!n->u.array.items) {
				oom(p);
				return NULL;
			}
			memcpy(n->u.array.items, p->items + f->start, count * sizeof(*n->u.array.items));
		}
		n->u.array.n = count;
		p->nitems = f->start;
	} else {
		count = p->nmembers - f->start;
		if (count) { /* p->members is NULL until the first member: no arithmetic on it before */
			if (!check_duplicates(p, p->members + f->start, count))
				return NULL;
			n->u.object.members = secex_doc_alloc(p->doc, count * sizeof(*n->u.object.members));
			if (!n->u.object.members) {
				oom(p);
				return NULL;
			}
			memcpy(n->u.object.members, p->members + f->start,
			       count * sizeof(*n->u.object.members));
		}
		n->u.object.n = count;
		p->nmembers = f->start;
	}
	return n;
}

/* Whether the last character before p->pos, apart from whitespace, is ':'. */
static bool after_colon(const parser *p)
{
	size_t i = p->pos;

	while (i > 0 && (p->s[i - 1] == ' ' || p->s[i - 1] == '\t' || p->s[i - 1] == '\n' ||
			 p->s[i - 1] == '\r'))
		i--;
	return i > 0 && p->s[i - 1] == ':';
}

/* Reads one value; containers are opened and their node comes back when they close. Long on
 * purpose: the loop over an explicit stack (no recursion, so no input can exhaust the C
 * stack) keeps every container state in one place. */
static secex_node *parse_document(parser *p)
{
	secex_node *v;
	char c;

	skip_ws(p);
	if (p->pos >= p->len) {
		finding_at(p, "SX101", 1, 1, "empty document; write a JSON value such as {}");
		return NULL;
	}
	for (;;) {
		/* a value starts here */
		skip_ws(p);
		v = NULL;
		c = p->pos < p->len ? p->s[p->pos] : '\0';
		if (p->pos >= p->len) {
			expected(p, "a value", "the document ends too early; complete it");
			return NULL;
		} else if (c == '{' || c == '[') {
			if (!open_container(p, c == '{' ? SECEX_NODE_OBJECT : SECEX_NODE_ARRAY))
				return NULL;
			skip_ws(p);
			if (p->pos < p->len && p->s[p->pos] == (c == '{' ? '}' : ']')) {
				v = close_container(p);
			} else if (c == '{') {
				if (!read_key(p))
					return NULL;
				continue;
			} else {
				continue;
			}
		} else if (c == '"') {
			size_t at = p->pos;
			const char *str;
			size_t len;

			if (read_string(p, &str, &len) && (v = new_node(p, SECEX_NODE_STRING, at))) {
				v->u.string.ptr = str;
				v->u.string.len = len;
			}
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			v = read_number(p);
		} else if ((c == ']' || c == '}') && after_colon(p)) {
			expected(p, "a value", "write a value after ':'");
		} else if (c == ']' || c == '}') {
			expected(p, "a value", "remove the trailing ','");
		} else if (c == '\'') {
			expected(p, "a value", "JSON strings need double quotes");
		} else {
			v = read_literal(p);
		}
		/* attach the finished value v to its parents, closing those that end here */
		for (;;) {
			frame *top;

			if (!v || stopped(p))
				return NULL;
			if (!p->nframes) {
				skip_ws(p);
				if (p->pos < p->len) {
					expected(p, "the end of the document", "remove what follows the value, "
						 "or wrap the values in an array");
					return NULL;
				}
				return v;
			}
			top = &p->frames[p->nframes - 1];
			skip_ws(p);
			if (top->node->type == SECEX_NODE_ARRAY) {
				if (!push_item(p, v))
					return NULL;
				if (p->pos < p->len && p->s[p->pos] == ',') {
					p->pos++;
					break;
				}
				if (p->pos < p->len && p->s[p->pos] == ']') {
					v = close_container(p);
					continue;
				}
				expected(p, "',' or ']' after an array item",
					 p->pos >= p->len ? "close the array with ']'" : "add the missing ','");
				return NULL;
			}
			p->members[p->nmembers - 1].value = v;
			if (p->pos < p->len && p->s[p->pos] == ',') {
				p->pos++;
				if (!read_key(p))
					return NULL;
				break;
			}
			if (p->pos < p->len && p->s[p->pos] == '}') {
				v = close_container(p);
				continue;
			}
			expected(p, "',' or '}' after an object member",
				 p->pos >= p->len ? "close the object with '}'" : "add the missing ','");
			return NULL;
		}
	}
}

/* Line and column of a byte offset, counted from the start (for findings before parsing). */
static void position_of(const char *s, size_t off, uint32_t *line, uint32_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (s[i] == '\n' || (s[i] == '\r' && s[i + 1] != '\n')) {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80 && s[i] != '\r') {
			(*col)++;
		}
	}
}

int secex_json_parse_opts(secex_doc **out, const char *data, size_t len, const char *file,
			  secex_diags *diags, const secex_json_options *opts)
{
	static const secex_json_options defaults = SECEX_JSON_OPTIONS_INIT;
	parser p;
	secex_node *root;
	size_t bad;
	int rc = 0;

	*out = NULL;
	if (opts && opts->version != SECEX_JSON_OPTIONS_VERSION)
		return secex_error_set(SECEX_EINVALID, "unsupported JSON options version %u", opts->version);
	memset(&p, 0, sizeof(p));
	p.s = data;
	p.len = len;
	p.file = file;
	p.diags = diags;
	p.opts = opts ? opts : &defaults;
	p.line = 1;
	p.col = 1;
	if (len > p.opts->max_size) {
		return secex_diag_add(diags, "SX107", file, 1, 1, NULL, NULL, "file '%s' is %zu bytes, "
				       "more than the limit of %zu; split it into smaller files",
				       file ? file : "-", len, p.opts->max_size);
	}
	if (!secex_utf8_valid(data, len, &bad)) {
		uint32_t line, col;

		position_of(data, bad, &line, &col);
		return secex_diag_add(diags, "SX106", file, line, col, NULL, NULL, "invalid UTF-8 byte "
				       "0x%02x; save the file as UTF-8", (unsigned char)data[bad]);
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		p.pos = p.line_start = p.col_pos = 3; /* a byte order mark, which RFC 8259 lets us ignore */
	if ((rc = secex_doc_new(&p.doc)) < 0)
		return rc;
	p.frames = malloc((p.opts->max_depth + 1) * sizeof(*p.frames));
	if (!p.frames) {
		rc = secex_error_nomem();
		goto cleanup;
	}
	root = parse_document(&p);
	if (p.rc < 0) {
		rc = p.rc;
		goto cleanup;
	}
	if (root) {
		secex_doc_set_root(p.doc, root);
		*out = p.doc;
		p.doc = NULL;
	}
cleanup:
	secex_doc_free(p.doc);
	free(p.frames);
	free(p.items);
	free(p.members);
	free(p.table);
	secex_map_release(&p.keys);
	secex_buf_release(&p.scratch);
	return rc;
}

int secex_json_parse(secex_doc **out, const char *data, size_t len, const char *file,
		     secex_diags *diags)
{
	return secex_json_parse_opts(out, data, len, file, diags, NULL);
}
