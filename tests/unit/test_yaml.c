/* The strict YAML loader: each rejection with its code and position, each scalar rule. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <secex.h>

static secex_diags diags;

static int reset(void **state)
{
	(void)state;
	secex_diag_release(&diags);
	secex_diag_init(&diags);
	return 0;
}

static secex_doc *load(const char *text)
{
	secex_doc *doc = NULL;

	assert_int_equal(secex_yaml_parse(&doc, text, strlen(text), "t.yaml", &diags), 0);
	return doc;
}

/* Loads text, expecting exactly one finding with this code at line:col. */
static void rejects(const char *text, size_t len, const char *code, uint32_t line, uint32_t col)
{
	secex_doc *doc = NULL;

	reset(NULL);
	assert_int_equal(secex_yaml_parse(&doc, text, len, "t.yaml", &diags), 0);
	assert_null(doc);
	assert_int_equal(diags.n, 1);
	assert_string_equal(diags.items[0].code, code);
	assert_string_equal(diags.items[0].file, "t.yaml");
	assert_int_equal(diags.items[0].line, line);
	assert_int_equal(diags.items[0].column, col);
}

static const secex_node *value(const secex_doc *doc, const char *key)
{
	const secex_node *n = secex_node_get(secex_doc_root(doc), key);

	assert_non_null(n);
	return n;
}

static void test_scalars(void **state)
{
	secex_doc *doc = load("a: yes\nb: no\nc: on\nd: off\ne: 0x1F\nf: 0o17\ng: 1e3\nh: .inf\ni: -.inf\n"
			      "j: .nan\nk: null\nl: ~\nm:\nn: \"true\"\no: 1.0\np: 99999999999999999999\n"
			      "q: 2024-05-01\nr: true\ns: FALSE\nt: -42\nu: 1_000\nv: 0b101\nw: 'null'\n"
			      "x: +7\ny: .5\nz: 12e\n");

	(void)state;
	assert_non_null(doc);
	assert_string_equal(secex_node_str(value(doc, "a")), "yes");
	assert_string_equal(secex_node_str(value(doc, "b")), "no");
	assert_string_equal(secex_node_str(value(doc, "c")), "on");
	assert_string_equal(secex_node_str(value(doc, "d")), "off");
	assert_int_equal(value(doc, "e")->type, SECEX_NODE_INT);
	assert_int_equal(value(doc, "e")->u.integer, 31);
	assert_int_equal(value(doc, "f")->u.integer, 15);
	assert_int_equal(value(doc, "g")->type, SECEX_NODE_FLOAT);
	assert_true(value(doc, "g")->u.number == 1000.0);
	assert_true(value(doc, "h")->u.number > 1e308);
	assert_true(value(doc, "i")->u.number < -1e308);
	assert_true(value(doc, "j")->u.number != value(doc, "j")->u.number);
	assert_int_equal(value(doc, "k")->type, SECEX_NODE_NULL);
	assert_int_equal(value(doc, "l")->type, SECEX_NODE_NULL);
	assert_int_equal(value(doc, "m")->type, SECEX_NODE_NULL);
	assert_string_equal(secex_node_str(value(doc, "n")), "true");
	assert_int_equal(value(doc, "o")->type, SECEX_NODE_FLOAT);
	assert_int_equal(value(doc, "p")->type, SECEX_NODE_FLOAT);
	assert_string_equal(secex_node_str(value(doc, "q")), "2024-05-01");
	assert_int_equal(value(doc, "r")->type, SECEX_NODE_BOOL);
	assert_true(value(doc, "r")->u.boolean);
	assert_false(value(doc, "s")->u.boolean);
	assert_int_equal(value(doc, "t")->u.integer, -42);
	assert_string_equal(secex_node_str(value(doc, "u")), "1_000");
	assert_string_equal(secex_node_str(value(doc, "v")), "0b101");
	assert_string_equal(secex_node_str(value(doc, "w")), "null");
	assert_int_equal(value(doc, "x")->u.integer, 7);
	assert_true(value(doc, "y")->u.number == 0.5);
	assert_string_equal(secex_node_str(value(doc, "z")), "12e");
	assert_int_equal(diags.n, 0);
	secex_doc_free(doc);
}

static void test_positions(void **state)
{
	secex_doc *doc = load("# comment\nid: EXC-1\nimpact:\n  pros:\n    - fast\n    - cheap\nlist: [a, {b: c}]\n");
	const secex_node *root, *pros, *list;
	const secex_member *m;

	(void)state;
	root = secex_doc_root(doc);
	assert_int_equal(root->type, SECEX_NODE_OBJECT);
	assert_int_equal(root->line, 2);
	m = secex_node_member(root, "impact");
	assert_int_equal(m->line, 3);
	assert_int_equal(m->column, 1);
	pros = secex_node_get(m->value, "pros");
	assert_int_equal(pros->u.array.n, 2);
	assert_int_equal(pros->u.array.items[1]->line, 6);
	assert_int_equal(pros->u.array.items[1]->column, 7);
	list = value(doc, "list");
	assert_int_equal(list->u.array.items[1]->type, SECEX_NODE_OBJECT);
	assert_int_equal(list->u.array.items[1]->column, 11);
	assert_string_equal(secex_node_str(secex_node_get(list->u.array.items[1], "b")), "c");
	secex_doc_free(doc);
}

static void test_rejections(void **state)
{
	const char nul[] = "a: b\nc: d\0e\n";
	char *deep;
	size_t i;

	(void)state;
	rejects("a: b\n c: d\n", 11, "SX101", 2, 3);
	rejects("a: 1\nb: 2\na: 3\n", 15, "SX102", 3, 1);
	assert_non_null(strstr(diags.items[0].message, "first at line 1"));
	rejects("a: &x 1\n", 8, "SX103", 1, 4);
	rejects("a: *x\n", 6, "SX103", 1, 4);
	rejects("*x : b\n", 7, "SX103", 1, 1); /* an alias as a key (found by the fuzzer) */
	rejects("a: {*x : b}\n", 12, "SX103", 1, 5);
	rejects("a: !!str 1\n", 11, "SX104", 1, 4);
	rejects("a: !custom 1\n", 13, "SX104", 1, 4);
	rejects("a: 1\n---\nb: 2\n", 14, "SX105", 2, 1);
	rejects("a: caf\xe9\n", 8, "SX106", 1, 7);
	rejects("\xff\xfe" "a\0:\0", 6, "SX106", 1, 1);
	rejects(nul, sizeof(nul) - 1, "SX106", 2, 5);
	deep = malloc(SECEX_MAX_FILE_SIZE + 2);
	memset(deep, 'a', SECEX_MAX_FILE_SIZE + 1);
	rejects(deep, SECEX_MAX_FILE_SIZE + 1, "SX107", 1, 1);
	/* 64 levels load, 65 do not */
	for (i = 0; i < 64; i++)
		deep[i] = '[';
	for (i = 0; i < 64; i++)
		deep[64 + i] = ']';
	reset(NULL);
	{
		secex_doc *doc = NULL;

		assert_int_equal(secex_yaml_parse(&doc, deep, 128, "t.yaml", &diags), 0);
		assert_non_null(doc);
		secex_doc_free(doc);
	}
	memmove(deep + 1, deep, 128);
	deep[0] = '[';
	deep[129] = ']';
	rejects(deep, 130, "SX108", 1, 65);
	free(deep);
	rejects("? [a]\n: b\n", 10, "SX101", 1, 3);
}

static void test_several_findings(void **state)
{
	secex_doc *doc = NULL;
	const char *text = "a: 1\nb: 2\na: 3\nb: 4\nc: !!str x\n";

	(void)state;
	reset(NULL);
	assert_int_equal(secex_yaml_parse(&doc, text, strlen(text), "t.yaml", &diags), 0);
	assert_null(doc);
	assert_int_equal(diags.n, 3);
	secex_diag_sort(&diags);
	assert_string_equal(diags.items[0].code, "SX102");
	assert_int_equal(diags.items[0].line, 3);
	assert_string_equal(diags.items[1].code, "SX102");
	assert_int_equal(diags.items[1].line, 4);
	assert_string_equal(diags.items[2].code, "SX104");
}

static void test_hostile_is_fast(void **state)
{
	const size_t n = 10000;
	char *text = malloc(2 * n + 1);
	const char *laughs;
	clock_t start = clock();
	size_t i;

	(void)state;
	memset(text, '[', n);
	memset(text + n, ']', n);
	rejects(text, 2 * n, "SX108", 1, 65);
	for (i = 0; i < 2 * n; i++)
		text[i] = (char)(i * 7919 % 251 + 1); /* binary garbage */
	reset(NULL);
	{
		secex_doc *doc = NULL;

		assert_int_equal(secex_yaml_parse(&doc, text, 2 * n, "t.yaml", &diags), 0);
		assert_null(doc);
		assert_true(diags.n >= 1);
	}
	laughs = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n";
	rejects(laughs, strlen(laughs), "SX103", 1, 4);
	free(text);
	/* generous: linear work on 20 KB takes microseconds; a quadratic walk would not */
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 2.0);
}

static void test_empty_and_comments(void **state)
{
	secex_doc *doc;

	(void)state;
	reset(NULL);
	doc = load("");
	assert_non_null(doc);
	assert_int_equal(secex_doc_root(doc)->type, SECEX_NODE_NULL);
	assert_int_equal(secex_doc_root(doc)->line, 1);
	secex_doc_free(doc);
	doc = load("# only a comment\n");
	assert_int_equal(secex_doc_root(doc)->type, SECEX_NODE_NULL);
	secex_doc_free(doc);
	doc = load("\xef\xbb\xbf" "a: 1\n"); /* a UTF-8 BOM is fine */
	assert_int_equal(value(doc, "a")->u.integer, 1);
	secex_doc_free(doc);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/secex-yaml-XXXXXX";
	secex_doc *doc = NULL;
	FILE *f;
	int fd = mkstemp(path);
	long i;

	(void)state;
	reset(NULL);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	for (i = 0; i < SECEX_MAX_FILE_SIZE / 8 + 1; i++)
		fputs("# xxxxx\n", f);
	fclose(f);
	assert_int_equal(secex_doc_load_file(&doc, path, "big.yaml", &diags), 0);
	assert_null(doc);
	assert_int_equal(diags.n, 1);
	assert_string_equal(diags.items[0].code, "SX107");
	assert_string_equal(diags.items[0].file, "big.yaml");
	unlink(path);
	assert_int_equal(secex_doc_load_file(&doc, "/tmp", "tmp", &diags), 0);
	assert_null(doc);
	assert_int_equal(diags.n, 2);
	assert_string_equal(diags.items[1].code, "SX109");
	assert_non_null(strstr(diags.items[1].message, "is a directory"));
	assert_int_equal(secex_doc_load_file(&doc, "/nonexistent/x.yaml", "x", &diags), SECEX_ENOTFOUND);
	assert_int_equal(diags.n, 2);
}

static void test_json_dispatch(void **state)
{
	secex_doc *doc = NULL;
	const char *text = "{\"a\": \"\\ud83d\\udca9\", \"b\": 1.0}";

	(void)state;
	reset(NULL);
	assert_int_equal(secex_doc_parse(&doc, text, strlen(text), "x.json", &diags), 0);
	assert_non_null(doc);
	assert_string_equal(secex_node_str(value(doc, "a")), "\xf0\x9f\x92\xa9");
	assert_int_equal(value(doc, "b")->type, SECEX_NODE_FLOAT);
	secex_doc_free(doc);
}

static int teardown(void **state)
{
	(void)state;
	secex_diag_release(&diags);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_scalars, reset),
		cmocka_unit_test_setup(test_positions, reset),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_several_findings),
		cmocka_unit_test(test_hostile_is_fast),
		cmocka_unit_test(test_empty_and_comments),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_json_dispatch),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
