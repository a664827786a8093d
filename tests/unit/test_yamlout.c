/* The YAML writer: every string reads back as itself, quoted only when needed. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <secex.h>

/* Writes "k: <value>" (or a list item under "l:") and reads it back with secex's loader;
 * returns the text written, which the caller frees. */
static char *round_trip(const char *value, secex_yaml_kind kind, bool item)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_buf text = SECEX_BUF_INIT;
	secex_doc *doc = NULL;
	const secex_node *node;

	if (item) {
		assert_int_equal(secex_buf_puts(&text, "impact:\n  pros:\n    - "), 0);
		assert_int_equal(secex_yamlout_put_value(&text, value, kind, 6, 6), 0);
	} else {
		assert_int_equal(secex_buf_puts(&text, "summary: "), 0);
		assert_int_equal(secex_yamlout_put_value(&text, value, kind, 9, 2), 0);
	}
	assert_int_equal(secex_buf_puts(&text, "after: end\n"), 0);
	assert_int_equal(secex_doc_parse(&doc, text.ptr, text.size, "t.yaml", &diags), 0);
	if (!doc || diags.n)
		fail_msg("does not parse (%s):\n%s", diags.n ? diags.items[0].message : "", text.ptr);
	node = item ? secex_node_get(secex_node_get(secex_doc_root(doc), "impact"), "pros") : secex_doc_root(doc);
	if (item) {
		assert_int_equal(node->type, SECEX_NODE_ARRAY);
		node = node->u.array.items[0];
	} else {
		node = secex_node_get(node, "summary");
	}
	if (!node || node->type != SECEX_NODE_STRING || node->u.string.len != strlen(value) ||
	    memcmp(node->u.string.ptr, value, strlen(value)) != 0)
		fail_msg("'%s' does not read back from:\n%s", value, text.ptr);
	assert_string_equal(secex_node_str(secex_node_get(secex_doc_root(doc), "after")), "end");
	secex_doc_free(doc);
	secex_diag_release(&diags);
	return secex_buf_detach(&text);
}

static void expect(const char *value, secex_yaml_kind kind, const char *want)
{
	char *got = round_trip(value, kind, false);

	assert_string_equal(got, want);
	free(got);
}

static const char *const tricky[] = {
	"plain words", "yes", "No", "ON", "off", "y", "n", "true", "False", "null", "~", "NULL",
	"0", "42", "-1", "+1", "0x1f", "0o17", "1e3", "1_000", "1:20", ".5", "-.5", ".inf", "-.Inf",
	".nan", "2026-11-22", "2026-11-22T10:00:00Z", "2001-12-14 21:59:43.10 -5", "<<", "=",
	"- dash", "-", "? q", ":", "a: b", "a:b", "ends:", "a #b", "a#b", "#c", "& anchor", "*alias",
	"!tag", "|", ">", "'q'", "\"dq\"", "%dir", "@at", "`bt", "[1]", "{a: 1}", ",", " lead",
	"trail ", "tab\there", "line\nbreak", "cr\rhere", "nul-free \x01 control", "del \x7f",
	"c1 \xc2\x85 next-line", "ls \xe2\x80\xa8 sep", "bom \xef\xbb\xbf", "back\\slash",
	"caf\xc3\xa9", "pkg:npm/follow-redirects@1.15.4", "https://example.com/a?b=c#frag",
	"---", "...", "a, b", "", " ", "\n", "two\n\nparagraphs", "ends with break\n",
	"ends with two\n\n", "\nleading break", "  indented\nlines", "x\n  more indented\nback",
	"trailing space \nnext", "tab\tinside\nlines", "\tfirst tab\nx",
};

static void test_round_trips(void **state)
{
	char long_text[600], *out;
	size_t i, k, shift;

	(void)state;
	for (i = 0; i < sizeof(tricky) / sizeof(*tricky); i++)
		for (k = 0; k < 4; k++)
			free(round_trip(tricky[i], k & 1 ? SECEX_YAML_TEXT : SECEX_YAML_LINE, k & 2));
	/* long text with every kind of spacing, folded or not, each shift putting other spaces
	 * where a line would end */
	for (shift = 0; shift < 19; shift++) {
		for (i = 0; i < sizeof(long_text) - 1; i++)
			long_text[i] = "word  a b\tc #: d-e "[(i + shift) % 19];
		long_text[sizeof(long_text) - 1] = '\0';
		long_text[0] = 'x';
		long_text[sizeof(long_text) - 2] = 'z';
		for (k = 0; k < 4; k++)
			free(round_trip(long_text, k & 1 ? SECEX_YAML_TEXT : SECEX_YAML_LINE, k & 2));
	}
	memset(long_text, 'a', sizeof(long_text) - 1); /* one word: nowhere to fold */
	out = round_trip(long_text, SECEX_YAML_TEXT, false);
	assert_null(strchr(out, '>'));
	free(out);
}

static void test_styles(void **state)
{
	static const char para[] = "The vendor S3 source connector that feeds partner settlement files into "
				   "ledger-ingest bundles Apache Avro 1.11.3, whose schema parser can be made to run "
				   "arbitrary code.";
	static const char folded[] = "summary: >-\n"
				     "  The vendor S3 source connector that feeds partner settlement files into ledger-ingest\n"
				     "  bundles Apache Avro 1.11.3, whose schema parser can be made to run arbitrary code.\n"
				     "after: end\n";
	char *out;

	(void)state;
	expect("Delay the upgrade", SECEX_YAML_LINE, "summary: Delay the upgrade\nafter: end\n");
	expect("yes", SECEX_YAML_LINE, "summary: \"yes\"\nafter: end\n");
	expect("2026-11-22", SECEX_YAML_TEXT, "summary: \"2026-11-22\"\nafter: end\n");
	expect("a: b", SECEX_YAML_TEXT, "summary: \"a: b\"\nafter: end\n");
	expect("say \"hi\"\\", SECEX_YAML_LINE, "summary: say \"hi\"\\\nafter: end\n");
	expect("\"hi\"", SECEX_YAML_LINE, "summary: \"\\\"hi\\\"\"\nafter: end\n");
	expect("ls \xe2\x80\xa8 x\x7f", SECEX_YAML_LINE, "summary: \"ls \\u2028 x\\x7F\"\nafter: end\n");
	expect("1. one\n2. two", SECEX_YAML_TEXT, "summary: |-\n  1. one\n  2. two\nafter: end\n");
	expect("a\n\nb\n", SECEX_YAML_TEXT, "summary: |\n  a\n\n  b\nafter: end\n");
	expect("1. one\n2. two", SECEX_YAML_LINE, "summary: \"1. one\\n2. two\"\nafter: end\n");
	expect(para, SECEX_YAML_TEXT, folded);
	out = round_trip(para, SECEX_YAML_TEXT, true);
	assert_non_null(strstr(out, "    - >-\n      The vendor"));
	free(out);
	assert_true(secex_yamlout_plain_safe("pkg:golang/golang.org/x/net@v0.15.0"));
	assert_true(secex_yamlout_plain_safe("3 weeks"));
	assert_false(secex_yamlout_plain_safe("3.0"));
	assert_false(secex_yamlout_plain_safe("Off"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_styles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
