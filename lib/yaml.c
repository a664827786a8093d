/* The strict YAML loader: libyaml events into secex's own tree (the only user of libyaml). */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include "secex/yaml.h"
#include "secex/util.h"
#include "secex/path.h"
#include "banned.h"

/* One open collection while the events stream in. */
typedef struct {
	secex_node *node;
	secex_vec items;   /* ARRAY: secex_node *; OBJECT: secex_member * (temporary) */
	secex_member *key; /* OBJECT: the member whose value comes next, or NULL */
} frame;

typedef struct {
	secex_doc *doc;
	const char *file;
	secex_diags *diags;
	frame stack[SECEX_MAX_DEPTH + 1];
	int depth;
	secex_node *root;
	int documents;
	bool failed; /* a finding was added */
	bool anchors; /* SX103 was reported: one is enough to fix the whole file */
	bool stop;   /* a finding that ends the parse */
} loader;

/* Records that a finding was added; stop ends the parse. Returns l for the macro below. */
static loader *failing(loader *l, bool stop)
{
	l->failed = true;
	l->stop = l->stop || stop;
	return l;
}

/* Adds a finding at a libyaml mark (0-based) for the loader's file. */
#define FINDING(l, code, mark, stop, ...)                                                      \
	secex_diags_add(failing((l), (stop))->diags, code, (l)->file, (uint32_t)(mark).line + 1, \
			(uint32_t)(mark).column + 1, NULL, NULL, __VA_ARGS__)

static bool is_null(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '~') ||
	       (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

static int is_bool(const char *s, size_t n)
{
	if (n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4)))
		return 1;
	if (n == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5)))
		return 0;
	return -1;
}

static bool all_in(const char *s, size_t n, const char *set)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!strchr(set, s[i]))
			return false;
	return true;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_float(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < n && s[i] == '.') {
		size_t frac = 0;

		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, frac++;
		if (!digits && !frac)
			return false;
	} else if (!digits) {
		return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp = 0;

		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, exp++;
		if (!exp)
			return false;
	}
	return i == n;
}

/* Integers of the core schema; false when s is not one. Too large for int64: *big. */
static bool parse_int(int64_t *out, bool *big, const char *s, size_t n)
{
	const char *digits = s;
	size_t len = n;
	unsigned base = 10;
	bool neg = false;
	uint64_t v = 0, limit;
	size_t i;

	*big = false;
	if (n > 2 && s[0] == '0' && s[1] == 'o' && all_in(s + 2, n - 2, "01234567")) {
		base = 8, digits = s + 2, len = n - 2;
	} else if (n > 2 && s[0] == '0' && s[1] == 'x' && all_in(s + 2, n - 2, "0123456789abcdefABCDEF")) {
		base = 16, digits = s + 2, len = n - 2;
	} else {
		if (n && (s[0] == '-' || s[0] == '+')) {
			neg = s[0] == '-';
			digits = s + 1, len = n - 1;
		}
		if (!all_in(digits, len, "0123456789"))
			return false;
	}
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (i = 0; i < len; i++) {
		unsigned d = digits[i] <= '9' ? (unsigned)(digits[i] - '0') : (unsigned)((digits[i] | 32) - 'a' + 10);

		if (v > (limit - d) / base) {
			*big = true;
			return true;
		}
		v = v * base + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* Resolves a plain scalar by the YAML 1.2 core schema. */
static void resolve_plain(secex_node *node, const char *s, size_t n)
{
	int64_t i;
	bool big;
	int b;

	if (is_null(s, n)) {
		node->type = SECEX_NODE_NULL;
	} else if ((b = is_bool(s, n)) >= 0) {
		node->type = SECEX_NODE_BOOL;
		node->u.boolean = b;
	} else if (parse_int(&i, &big, s, n)) {
		node->type = big ? SECEX_NODE_FLOAT : SECEX_NODE_INT;
		if (big)
			node->u.number = strtod(s, NULL);
		else
			node->u.integer = i;
	} else if (is_float(s, n)) {
		node->type = SECEX_NODE_FLOAT;
		node->u.number = strtod(s, NULL);
	} else if ((n == 4 || n == 5) && (s[n - 4] == '.') &&
		   (!strcmp(s + n - 4, ".inf") || !strcmp(s + n - 4, ".Inf") || !strcmp(s + n - 4, ".INF")) &&
		   (n == 4 || s[0] == '-' || s[0] == '+')) {
		node->type = SECEX_NODE_FLOAT;
		node->u.number = s[0] == '-' ? -INFINITY : INFINITY;
	} else if (n == 4 && (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))) {
		node->type = SECEX_NODE_FLOAT;
		node->u.number = NAN;
	}
}

static secex_node *new_node(loader *l, yaml_mark_t mark)
{
	secex_node *n = secex_doc_alloc(l->doc, sizeof(*n));

	if (n) {
		n->line = (uint32_t)mark.line + 1;
		n->column = (uint32_t)mark.column + 1;
	}
	return n;
}

/* Places a finished node: as the root, an array item, or the value of the pending key. */
static int place(loader *l, secex_node *node)
{
	frame *f;

	if (l->depth == 0) {
		l->root = node;
		return 0;
	}
	f = &l->stack[l->depth - 1];
	if (f->node->type == SECEX_NODE_ARRAY)
		return secex_vec_push(&f->items, node);
	if (!f->key) {
		/* only an alias (already reported) gets here in key position: keep the shape */
		secex_member *m = secex_doc_alloc(l->doc, sizeof(*m));

		SECEX_ERROR_CHECK_ALLOC(m);
		m->key = "";
		m->line = node->line;
		m->column = node->column;
		f->key = m;
		return secex_vec_push(&f->items, m);
	}
	f->key->value = node;
	f->key = NULL;
	return 0;
}

static int on_scalar(loader *l, yaml_event_t *e)
{
	const char *value = (const char *)e->data.scalar.value;
	size_t len = e->data.scalar.length;
	frame *f = l->depth ? &l->stack[l->depth - 1] : NULL;
	secex_node *node;

	if (memchr(value, '\0', len))
		return FINDING(l, "SX101", e->start_mark, false,
			       "text contains a NUL character; remove it");
	if (f && f->node->type == SECEX_NODE_OBJECT && !f->key) {
		secex_member *m = secex_doc_alloc(l->doc, sizeof(*m));

		if (!m || !(m->key = secex_doc_strndup(l->doc, value, len)))
			return secex_error_nomem();
		m->keylen = len;
		m->line = (uint32_t)e->start_mark.line + 1;
		m->column = (uint32_t)e->start_mark.column + 1;
		f->key = m;
		return secex_vec_push(&f->items, m);
	}
	if (!(node = new_node(l, e->start_mark)))
		return secex_error_nomem();
	node->type = SECEX_NODE_STRING;
	if (!(node->u.string.ptr = secex_doc_strndup(l->doc, value, len)))
		return secex_error_nomem();
	node->u.string.len = len;
	if (e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		resolve_plain(node, node->u.string.ptr, len);
	return place(l, node);
}

static int on_start(loader *l, yaml_event_t *e, secex_node_type type)
{
	frame *f = l->depth ? &l->stack[l->depth - 1] : NULL;
	secex_node *node;

	if (f && f->node->type == SECEX_NODE_OBJECT && !f->key)
		return FINDING(l, "SX101", e->start_mark, true, "a mapping key must be plain text, not a %s; "
			       "write the key as a string", type == SECEX_NODE_ARRAY ? "list" : "mapping");
	if (l->depth >= SECEX_MAX_DEPTH)
		return FINDING(l, "SX108", e->start_mark, true, "nesting deeper than 64 levels; "
			       "flatten the structure");
	if (!(node = new_node(l, e->start_mark)))
		return secex_error_nomem();
	node->type = type;
	f = &l->stack[l->depth++];
	memset(f, 0, sizeof(*f));
	f->node = node;
	return 0;
}

static int cmp_members(const void *a, const void *b)
{
	const secex_member *x = a, *y = b;
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	return x->line != y->line ? (x->line < y->line ? -1 : 1) : (x->column < y->column ? -1 : 1);
}

/* Reports every key that appears twice, at its later occurrence, in O(n log n). */
static int check_duplicates(loader *l, const secex_node *obj)
{
	secex_member *sorted;
	size_t i, n = obj->u.object.n;
	int rc = 0;

	if (n < 2)
		return 0;
	if (!(sorted = malloc(n * sizeof(*sorted))))
		return secex_error_nomem();
	memcpy(sorted, obj->u.object.members, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_members);
	for (i = 1; i < n && rc == 0; i++) {
		size_t first = i - 1;
		yaml_mark_t mark = { 0, sorted[i].line - 1, sorted[i].column - 1 };

		if (sorted[i].keylen != sorted[first].keylen || memcmp(sorted[i].key, sorted[first].key, sorted[i].keylen))
			continue;
		while (first > 0 && sorted[first - 1].keylen == sorted[i].keylen &&
		       !memcmp(sorted[first - 1].key, sorted[i].key, sorted[i].keylen))
			first--;
		rc = FINDING(l, "SX102", mark, false, "duplicate key '%s' (first at line %u); remove one of them",
			     sorted[i].key, sorted[first].line);
	}
	free(sorted);
	return rc;
}

static int on_end(loader *l)
{
	frame *f = &l->stack[--l->depth];
	secex_node *node = f->node;
	size_t i;
	int rc = 0;

	if (node->type == SECEX_NODE_ARRAY) {
		node->u.array.items = secex_doc_alloc(l->doc, (f->items.n + 1) * sizeof(secex_node *));
		if (!node->u.array.items)
			rc = secex_error_nomem();
		else if (f->items.n)
			memcpy(node->u.array.items, f->items.items, f->items.n * sizeof(secex_node *));
		node->u.array.n = f->items.n;
	} else {
		node->u.object.members = secex_doc_alloc(l->doc, (f->items.n + 1) * sizeof(secex_member));
		if (!node->u.object.members)
			rc = secex_error_nomem();
		for (i = 0; rc == 0 && i < f->items.n; i++)
			node->u.object.members[node->u.object.n++] = *(secex_member *)f->items.items[i];
		if (rc == 0)
			rc = check_duplicates(l, node);
	}
	secex_vec_release(&f->items);
	return rc < 0 ? rc : place(l, node);
}

static const char *anchor_of(const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_SCALAR_EVENT: return (const char *)e->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT: return (const char *)e->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT: return (const char *)e->data.mapping_start.anchor;
	default: return NULL;
	}
}

static const char *tag_of(const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_SCALAR_EVENT: return (const char *)e->data.scalar.tag;
	case YAML_SEQUENCE_START_EVENT: return (const char *)e->data.sequence_start.tag;
	case YAML_MAPPING_START_EVENT: return (const char *)e->data.mapping_start.tag;
	default: return NULL;
	}
}

static int on_event(loader *l, yaml_event_t *e)
{
	const char *anchor = anchor_of(e), *tag = tag_of(e);
	int rc = 0;

	if (anchor && !l->anchors && (rc = FINDING(l, "SX103", e->start_mark, false, "anchor '&%s' is "
				    "not allowed; write every value out in full, without anchors or aliases",
				    anchor)) < 0)
		return rc;
	l->anchors = l->anchors || anchor;
	if (tag && (rc = FINDING(l, "SX104", e->start_mark, false, "tag '%s' is not allowed; "
				 "remove it (secex reads plain YAML values)", tag)) < 0)
		return rc;
	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++l->documents > 1)
			return FINDING(l, "SX105", e->start_mark, true, "a second YAML document starts here; "
				       "keep one exception per file");
		return 0;
	case YAML_ALIAS_EVENT:
		if (!l->anchors)
			rc = FINDING(l, "SX103", e->start_mark, false, "alias '*%s' is not allowed; write "
				     "every value out in full, without anchors or aliases",
				     (const char *)e->data.alias.anchor);
		l->anchors = true;
		if (rc == 0) {
			secex_node *n = new_node(l, e->start_mark);

			rc = n ? place(l, n) : secex_error_nomem();
		}
		return rc;
	case YAML_SCALAR_EVENT: return on_scalar(l, e);
	case YAML_SEQUENCE_START_EVENT: return on_start(l, e, SECEX_NODE_ARRAY);
	case YAML_MAPPING_START_EVENT: return on_start(l, e, SECEX_NODE_OBJECT);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: return on_end(l);
	default: return 0;
	}
}

/* Line and column (1-based, in characters) of byte offset off. */
static void position_of(const char *data, size_t off, yaml_mark_t *mark)
{
	size_t i;

	mark->line = 0;
	mark->column = 0;
	for (i = 0; i < off; i++) {
		if (data[i] == '\n') {
			mark->line++;
			mark->column = 0;
		} else if (((unsigned char)data[i] & 0xc0) != 0x80) {
			mark->column++;
		}
	}
}

/* Refuses what is not UTF-8 text: other encodings, NUL bytes, malformed sequences. */
static int check_encoding(loader *l, const char *data, size_t len)
{
	const unsigned char *u = (const unsigned char *)data;
	yaml_mark_t mark = { 0, 0, 0 };
	const char *nul;
	size_t bad;

	if ((len >= 2 && ((u[0] == 0xfe && u[1] == 0xff) || (u[0] == 0xff && u[1] == 0xfe))) ||
	    (len >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xfe && u[3] == 0xff))
		return FINDING(l, "SX106", mark, true, "file is UTF-16 or UTF-32; save it as UTF-8");
	if (!secex_utf8_valid(data, len, &bad)) {
		char byte[8];

		position_of(data, bad, &mark);
		snprintf(byte, sizeof(byte), "0x%02x", u[bad]);
		return FINDING(l, "SX106", mark, true, "invalid UTF-8 (byte %s); save the file as UTF-8", byte);
	}
	if ((nul = memchr(data, '\0', len))) {
		position_of(data, (size_t)(nul - data), &mark);
		return FINDING(l, "SX106", mark, true, "file contains a NUL byte; secex reads UTF-8 text, not binary files");
	}
	return 0;
}

static int syntax_error(loader *l, const yaml_parser_t *p, const char *data, size_t len)
{
	char what[512];

	if ((p->problem_mark.index < len && data[p->problem_mark.index] == '\t') ||
	    (p->problem && strstr(p->problem, "tab")))
		return FINDING(l, "SX101", p->problem_mark, true, "syntax error: a tab character here; YAML "
			       "indents with spaces only: replace the tab with spaces");

	snprintf(what, sizeof(what), "%s%s%s", p->problem ? p->problem : "invalid YAML",
		 p->context ? " " : "", p->context ? p->context : "");
	return FINDING(l, "SX101", p->problem_mark, true, "syntax error: %s; check the indentation, "
		       "quoting and colons around here", what);
}

static void release_stack(loader *l)
{
	while (l->depth > 0)
		secex_vec_release(&l->stack[--l->depth].items);
}

int secex_yaml_parse(secex_doc **out, const char *data, size_t len, const char *file, secex_diags *diags)
{
	loader l;
	yaml_parser_t parser;
	yaml_event_t event;
	bool parser_ready = false, done = false;
	yaml_mark_t start = { 0, 0, 0 };
	int rc;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	l.file = file;
	l.diags = diags;
	if (len > SECEX_MAX_FILE_SIZE)
		return FINDING(&l, "SX107", start, true, "file is larger than 1 MiB; split it or remove it");
	if ((rc = check_encoding(&l, data, len)) < 0 || l.failed)
		return rc;
	if ((rc = secex_doc_new(&l.doc)) < 0)
		return rc;
	if (!yaml_parser_initialize(&parser)) {
		rc = secex_error_nomem();
		goto cleanup;
	}
	parser_ready = true;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done && !l.stop && rc == 0) {
		if (!yaml_parser_parse(&parser, &event)) {
			rc = parser.error == YAML_MEMORY_ERROR ? secex_error_nomem()
							       : syntax_error(&l, &parser, data, len);
			break;
		}
		done = event.type == YAML_STREAM_END_EVENT;
		rc = on_event(&l, &event);
		yaml_event_delete(&event);
	}
	if (rc == 0 && !l.failed) {
		if (!l.root && !(l.root = secex_doc_alloc(l.doc, sizeof(secex_node)))) {
			rc = secex_error_nomem();
			goto cleanup;
		}
		if (l.root->line == 0)
			l.root->line = l.root->column = 1;
		secex_doc_set_root(l.doc, l.root);
		*out = l.doc;
		l.doc = NULL;
	}
cleanup:
	release_stack(&l);
	if (parser_ready)
		yaml_parser_delete(&parser);
	secex_doc_free(l.doc);
	return rc < 0 ? rc : 0;
}

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
		rc = secex_diags_add(diags, "SX109", display_name, 0, 0, NULL, NULL, "%s", secex_error_last());
	else if (rc == SECEX_EINVALID && size > SECEX_MAX_FILE_SIZE)
		rc = secex_diags_add(diags, "SX107", display_name, 1, 1, NULL, NULL, "file is %llu bytes, more "
				     "than the limit of 1 MiB; split it or remove it", (unsigned long long)size);
	else if (rc == SECEX_EINVALID)
		rc = secex_diags_add(diags, "SX107", display_name, 1, 1, NULL, NULL,
				     "file grew past the limit of 1 MiB while being read; split it or remove it");
	else if (rc == 0)
		rc = secex_doc_parse(out, data.ptr, data.size, display_name, diags);
	secex_buf_release(&data);
	return rc;
}
