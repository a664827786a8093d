/* The strict JSON loader: tree, positions, numbers, strings, and every rejection. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <secex.h>

/* Parses text (strlen) and returns the document, or NULL with the findings in *diags. */
static secex_doc *parse_len(const char *text, size_t len, secex_diags *diags)
{
	secex_doc *doc = NULL;

	assert_int_equal(secex_json_parse(&doc, text, len, "t.json", diags), 0);
	return doc;
}

static secex_doc *parse(const char *text, secex_diags *diags)
{
	return parse_len(text, strlen(text), diags);
}

/* The message style of STYLE.md: lowercase first word, no trailing period. */
static void assert_message_style(const char *msg)
{
	size_t len = strlen(msg);

	assert_true(len > 0);
	assert_false(msg[0] >= 'A' && msg[0] <= 'Z');
	assert_true(msg[len - 1] != '.');
	assert_non_null(strchr(msg, ';')); /* then what to do */
}

/* Asserts that text is rejected with one finding: code at line:col. */
static void reject_len(const char *text, size_t len, const char *code, uint32_t line, uint32_t col)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_doc *doc = parse_len(text, len, &diags);

	if (doc || diags.n != 1)
		fail_msg("'%s': expected one %s finding, got %zu (doc %p)", text, code, diags.n, (void *)doc);
	assert_string_equal(diags.items[0].code, code);
	if (diags.items[0].line != line || diags.items[0].column != col)
		fail_msg("'%s': expected %s at %u:%u, got %u:%u: %s", text, code, line, col,
			 diags.items[0].line, diags.items[0].column, diags.items[0].message);
	assert_string_equal(diags.items[0].file, "t.json");
	assert_message_style(diags.items[0].message);
	secex_diag_release(&diags);
}

static void reject(const char *text, const char *code, uint32_t line, uint32_t col)
{
	reject_len(text, strlen(text), code, line, col);
}

static void test_tree_and_positions(void **state)
{
	const char *text = "{\n  \"name\": \"x\",\n  \"list\": [1, true, null, {\"k\": -2.5}],\n"
			   "  \"\xc3\xa9t\xc3\xa9\": \"caf\xc3\xa9\", \"z\": false\n}\n";
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_doc *doc = parse(text, &diags);
	const secex_node *root, *list, *obj;
	const secex_member *m;

	(void)state;
	assert_non_null(doc);
	assert_int_equal(diags.n, 0);
	root = secex_doc_root(doc);
	assert_int_equal(root->type, SECEX_NODE_OBJECT);
	assert_int_equal(root->line, 1);
	assert_int_equal(root->column, 1);
	assert_int_equal(root->u.object.n, 4);
	m = &root->u.object.members[0];
	assert_string_equal(m->key, "name");
	assert_int_equal(m->line, 2);
	assert_int_equal(m->column, 3);
	assert_int_equal(m->value->line, 2);
	assert_int_equal(m->value->column, 11);
	list = secex_node_get(root, "list");
	assert_int_equal(list->type, SECEX_NODE_ARRAY);
	assert_int_equal(list->u.array.n, 4);
	assert_int_equal(list->line, 3);
	assert_int_equal(list->column, 11);
	assert_int_equal(list->u.array.items[1]->type, SECEX_NODE_BOOL);
	assert_true(list->u.array.items[1]->u.boolean);
	assert_int_equal(list->u.array.items[1]->column, 15);
	assert_int_equal(list->u.array.items[2]->type, SECEX_NODE_NULL);
	obj = list->u.array.items[3];
	assert_int_equal(obj->column, 27);
	assert_int_equal(obj->u.object.members[0].column, 28);
	assert_int_equal(secex_node_get(obj, "k")->type, SECEX_NODE_FLOAT);
	assert_true(secex_node_get(obj, "k")->u.number == -2.5);
	/* columns count characters, not bytes */
	m = &root->u.object.members[2];
	assert_string_equal(m->key, "\xc3\xa9t\xc3\xa9");
	assert_int_equal(m->line, 4);
	assert_int_equal(m->column, 3);
	assert_int_equal(m->value->column, 10);
	m = &root->u.object.members[3];
	assert_int_equal(m->column, 18);
	assert_int_equal(m->value->column, 23);
	secex_doc_free(doc);
}

static void test_crlf_and_bom(void **state)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_doc *doc = parse("\xef\xbb\xbf{\r\n\"a\":\r\n  1}", &diags);

	(void)state;
	assert_non_null(doc);
	assert_int_equal(secex_doc_root(doc)->line, 1);
	assert_int_equal(secex_doc_root(doc)->column, 1);
	assert_int_equal(secex_doc_root(doc)->u.object.members[0].line, 2);
	assert_int_equal(secex_node_get(secex_doc_root(doc), "a")->line, 3);
	assert_int_equal(secex_node_get(secex_doc_root(doc), "a")->column, 3);
	secex_doc_free(doc);
	reject("[\r\n1,\r\n]", "SX101", 3, 1);
	reject("[\r1,\r]", "SX101", 3, 1);
}

static void test_numbers(void **state)
{
	static const struct {
		const char *text;
		secex_node_type type;
		int64_t integer;
		double number;
	} cases[] = {
		{ "0", SECEX_NODE_INT, 0, 0 },
		{ "-0", SECEX_NODE_INT, 0, 0 },
		{ "42", SECEX_NODE_INT, 42, 0 },
		{ "9223372036854775807", SECEX_NODE_INT, INT64_MAX, 0 },
		{ "-9223372036854775808", SECEX_NODE_INT, INT64_MIN, 0 },
		{ "9223372036854775808", SECEX_NODE_FLOAT, 0, 9223372036854775808.0 },
		{ "-9223372036854775809", SECEX_NODE_FLOAT, 0, -9223372036854775808.0 },
		{ "123456789012345678901234567890", SECEX_NODE_FLOAT, 0, 1.2345678901234568e29 },
		{ "1.0", SECEX_NODE_FLOAT, 0, 1.0 },
		{ "1e2", SECEX_NODE_FLOAT, 0, 100.0 },
		{ "-1.5E-3", SECEX_NODE_FLOAT, 0, -0.0015 },
		{ "0.1", SECEX_NODE_FLOAT, 0, 0.1 },
		{ "1e-400", SECEX_NODE_FLOAT, 0, 0.0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		secex_diags diags = SECEX_DIAGS_INIT;
		secex_doc *doc = parse(cases[i].text, &diags);
		const secex_node *n;

		assert_non_null(doc);
		n = secex_doc_root(doc);
		if (n->type != cases[i].type)
			fail_msg("'%s': type %s", cases[i].text, secex_node_type_name(n->type));
		if (n->type == SECEX_NODE_INT)
			assert_true(n->u.integer == cases[i].integer);
		else
			assert_true(n->u.number == cases[i].number);
		secex_doc_free(doc);
	}
	reject("01", "SX101", 1, 1);
	reject("[1, -01]", "SX101", 1, 5);
	reject("-", "SX101", 1, 2);
	reject("1.", "SX101", 1, 3);
	reject("1.e5", "SX101", 1, 3);
	reject(".5", "SX101", 1, 1);
	reject("1e", "SX101", 1, 3);
	reject("1e+", "SX101", 1, 4);
	reject("+1", "SX101", 1, 1);
	reject("0x10", "SX101", 1, 2);
	reject("1e400", "SX101", 1, 1);
	reject("[-1e999]", "SX101", 1, 2);
	reject("NaN", "SX101", 1, 1);
	reject("Infinity", "SX101", 1, 1);
}

static void assert_string_node(const char *text, const char *bytes, size_t len)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_doc *doc = parse(text, &diags);
	const secex_node *n;

	if (!doc)
		fail_msg("'%s' rejected: %s", text, diags.items[0].message);
	n = secex_doc_root(doc);
	assert_int_equal(n->type, SECEX_NODE_STRING);
	assert_int_equal(n->u.string.len, len);
	assert_memory_equal(n->u.string.ptr, bytes, len);
	assert_int_equal(n->u.string.ptr[len], '\0');
	secex_doc_free(doc);
}

static void test_strings(void **state)
{
	(void)state;
	assert_string_node("\"\"", "", 0);
	assert_string_node("\"plain\"", "plain", 5);
	assert_string_node("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
	assert_string_node("\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", 6);
	/* a surrogate pair is one code point, four UTF-8 bytes */
	assert_string_node("\"\\ud83d\\udca9\"", "\xf0\x9f\x92\xa9", 4);
	assert_string_node("\"a\\uD834\\uDD1Eb\"", "a\xf0\x9d\x84\x9e" "b", 6);
	assert_string_node("\"\xf0\x9f\x92\xa9\"", "\xf0\x9f\x92\xa9", 4);
	assert_string_node("\"\\u007f\"", "\x7f", 1);

	reject("\"\\ud83d\"", "SX101", 1, 2);            /* lone high surrogate */
	reject("\"x\\ud83dx\"", "SX101", 1, 3);
	reject("\"\\ud83d\\u0041\"", "SX101", 1, 2);     /* high then not low */
	reject("\"\\udca9\\ud83d\"", "SX101", 1, 2);     /* low first */
	reject("\"\\u0000\"", "SX101", 1, 2);            /* escaped NUL */
	reject_len("\"a\0b\"", 5, "SX101", 1, 3);        /* raw NUL */
	reject("\"a\tb\"", "SX101", 1, 3);               /* raw control character */
	reject("\"a\x1f\"", "SX101", 1, 3);
	reject("[\"abc\n\"]", "SX101", 1, 2);            /* line break: unterminated */
	reject("\"abc", "SX101", 1, 1);
	reject("\"\\q\"", "SX101", 1, 2);
	reject("\"\\u12G4\"", "SX101", 1, 2);
	reject("\"\\u12\"", "SX101", 1, 2);
	reject("\"\\", "SX101", 1, 2);
	reject("'single'", "SX101", 1, 1);
}

static void test_allow_nul(void **state)
{
	secex_json_options opts = SECEX_JSON_OPTIONS_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_doc *doc = NULL;
	const char *text = "[\"a\\u0000b\"]";

	(void)state;
	opts.allow_nul = true;
	assert_int_equal(secex_json_parse_opts(&doc, text, strlen(text), "t.json", &diags, &opts), 0);
	assert_non_null(doc);
	assert_int_equal(secex_doc_root(doc)->u.array.items[0]->u.string.len, 3);
	assert_memory_equal(secex_doc_root(doc)->u.array.items[0]->u.string.ptr, "a\0b", 4);
	secex_doc_free(doc);
	/* the default stays strict */
	assert_int_equal(secex_json_parse_opts(&doc, text, strlen(text), "t.json", &diags, NULL), 0);
	assert_null(doc);
	assert_int_equal(diags.n, 1);
	secex_diag_release(&diags);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	reject("", "SX101", 1, 1);
	reject(" \n\t ", "SX101", 1, 1);
	reject("[1,]", "SX101", 1, 4);
	reject("{\"a\":1,}", "SX101", 1, 8);
	reject("[1 2]", "SX101", 1, 4);
	reject("{\"a\":1 \"b\":2}", "SX101", 1, 8);
	reject("{\"a\" 1}", "SX101", 1, 6);
	reject("{\"a\":}", "SX101", 1, 6);
	reject("{a:1}", "SX101", 1, 2);
	reject("{1:1}", "SX101", 1, 2);
	reject("[1", "SX101", 1, 3);
	reject("{\"a\":1", "SX101", 1, 7);
	reject("[", "SX101", 1, 2);
	reject("]", "SX101", 1, 1);
	reject("{\"a\":1}}", "SX101", 1, 8);
	reject("1 2", "SX101", 1, 3);
	reject("tru", "SX101", 1, 1);
	reject("nul", "SX101", 1, 1);
	reject("True", "SX101", 1, 1);
	reject("nullx", "SX101", 1, 1);
	reject("[true false]", "SX101", 1, 7);
	reject("{\n  \"a\": [\n    1,\n    x\n  ]\n}", "SX101", 4, 5);
	reject("// comment\n{}", "SX101", 1, 1);
	reject("{\"a\":1,\"b\":[1,2,]}", "SX101", 1, 17);
}

static void test_messages(void **state)
{
	secex_diags diags = SECEX_DIAGS_INIT;

	(void)state;
	assert_null(parse("[1 2]", &diags));
	assert_string_equal(diags.items[0].message,
			    "expected ',' or ']' after an array item, found '2'; add the missing ','");
	secex_diag_release(&diags);
	assert_null(parse("{\"a\":1,}", &diags));
	assert_string_equal(diags.items[0].message,
			    "expected a key in double quotes, found '}'; remove the trailing ','");
	secex_diag_release(&diags);
	assert_null(parse("{\"x\": 1, \"x\": 2}", &diags));
	assert_string_equal(diags.items[0].message,
			    "duplicate key 'x' (first at line 1, column 2); remove one of them");
	secex_diag_release(&diags);
}

static void test_duplicates(void **state)
{
	secex_buf big = SECEX_BUF_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_doc *doc;
	int i;

	(void)state;
	reject("{\"a\":1,\n \"a\":2}", "SX102", 2, 2);
	reject("{\"a\":{\"b\":1,\"c\":2,\"b\":3}}", "SX102", 1, 19);
	/* "a\u0062" is "ab": keys compare after unescaping */
	reject("{\"ab\":1,\"a\\u0062\":2}", "SX102", 1, 9);
	/* the same key in different objects is fine */
	doc = parse("[{\"a\":1},{\"a\":2}]", &diags);
	assert_non_null(doc);
	secex_doc_free(doc);
	/* many keys: the hashed path, with the duplicate found at its second place */
	assert_int_equal(secex_buf_putc(&big, '{'), 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(secex_buf_printf(&big, "\"k%d\":%d,", i, i), 0);
	assert_int_equal(secex_buf_puts(&big, "\"k500\":0}"), 0);
	assert_null(parse(big.ptr, &diags));
	assert_int_equal(diags.n, 1);
	assert_string_equal(diags.items[0].code, "SX102");
	assert_int_equal(diags.items[0].column, big.size - 8);
	secex_diag_release(&diags);
	/* and without one */
	big.size -= 9;
	big.ptr[big.size - 1] = '}';
	big.ptr[big.size] = '\0';
	doc = parse(big.ptr, &diags);
	assert_non_null(doc);
	assert_int_equal(secex_doc_root(doc)->u.object.n, 1000);
	assert_string_equal(secex_doc_root(doc)->u.object.members[999].key, "k999");
	secex_doc_free(doc);
	secex_buf_release(&big);
}

static void test_utf8(void **state)
{
	(void)state;
	reject("\"ab\xe9\"", "SX106", 1, 4);
	reject("[1,\n \"\xc3\xa9\xff\"]", "SX106", 2, 4);
	reject("\"\xed\xa0\x80\"", "SX106", 1, 2); /* an encoded surrogate */
	reject("\"\xc0\xaf\"", "SX106", 1, 2);     /* overlong */
}

static void test_size_limit(void **state)
{
	size_t len = SECEX_MAX_FILE_SIZE + 1;
	char *text = malloc(len);
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_doc *doc;

	(void)state;
	assert_non_null(text);
	memset(text, ' ', len);
	text[0] = '[';
	text[len - 1] = ']';
	reject_len(text, len, "SX107", 1, 1);
	/* exactly at the limit is fine */
	text[len - 2] = ']';
	doc = parse_len(text, len - 1, &diags);
	assert_non_null(doc);
	secex_doc_free(doc);
	free(text);
}

/* {"a": followed by n nested arrays */
static void nested(secex_buf *b, int arrays)
{
	int i;

	secex_buf_clear(b);
	assert_int_equal(secex_buf_puts(b, "{\"a\":"), 0);
	for (i = 0; i < arrays; i++)
		assert_int_equal(secex_buf_putc(b, '['), 0);
	for (i = 0; i < arrays; i++)
		assert_int_equal(secex_buf_putc(b, ']'), 0);
	assert_int_equal(secex_buf_putc(b, '}'), 0);
}

static void test_depth_limit(void **state)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_buf b = SECEX_BUF_INIT;
	secex_doc *doc;

	(void)state;
	nested(&b, SECEX_MAX_DEPTH - 1); /* 64 levels with the object */
	doc = parse(b.ptr, &diags);
	assert_non_null(doc);
	secex_doc_free(doc);
	nested(&b, SECEX_MAX_DEPTH); /* 65: the last '[' is one too many */
	reject(b.ptr, "SX108", 1, 5 + SECEX_MAX_DEPTH);
	secex_buf_release(&b);
}

static void test_deep_input_is_quick(void **state)
{
	size_t n = SECEX_MAX_FILE_SIZE + 1, i;
	char *text = malloc(n + 1);
	clock_t start = clock();

	(void)state;
	assert_non_null(text);
	for (i = 0; i < n; i++)
		text[i] = '[';
	text[n] = '\0';
	/* over the size limit: SX107 before anything else */
	reject(text, "SX107", 1, 1);
	text[SECEX_MAX_FILE_SIZE - 1] = '\0';
	reject(text, "SX108", 1, SECEX_MAX_DEPTH + 1);
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 1.0);
	free(text);
}

static void test_large_flat(void **state)
{
	secex_buf b = SECEX_BUF_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_doc *doc;
	int i;

	(void)state;
	assert_int_equal(secex_buf_putc(&b, '['), 0);
	for (i = 0; i < 50000; i++)
		assert_int_equal(secex_buf_printf(&b, "%s{\"i\":%d}", i ? "," : "", i), 0);
	assert_int_equal(secex_buf_putc(&b, ']'), 0);
	doc = parse(b.ptr, &diags);
	assert_non_null(doc);
	assert_int_equal(secex_doc_root(doc)->u.array.n, 50000);
	assert_int_equal(secex_node_get(secex_doc_root(doc)->u.array.items[49999], "i")->u.integer, 49999);
	assert_int_equal(secex_doc_root(doc)->u.array.items[49999]->column, b.size - 11);
	secex_doc_free(doc);
	secex_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_and_positions),
		cmocka_unit_test(test_crlf_and_bom),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_allow_nul),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_deep_input_is_quick),
		cmocka_unit_test(test_large_flat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
