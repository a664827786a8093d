/* The export module: JSON of a tree, the tracker's CSV and vocabulary, what suppresses when. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <secex.h>
#include "tracker.h" /* private to lib/, shared by export and import */

static void test_node_json(void **state)
{
	static const char yaml[] = "a: [1, 2.5, 0.1, true, null, \"q\\\"uote\\n\\u00e9\"]\n"
				   "b: {}\nc: []\nd: {e: -7}\n";
	static const char want[] = "{\n  \"a\": [\n    1,\n    2.5,\n    0.1,\n    true,\n    null,\n"
				   "    \"q\\\"uote\\n\xc3\xa9\"\n  ],\n  \"b\": {},\n  \"c\": [],\n"
				   "  \"d\": {\n    \"e\": -7\n  }\n}";
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_buf out = SECEX_BUF_INIT;
	secex_doc *doc = NULL;

	(void)state;
	assert_int_equal(secex_yaml_parse(&doc, yaml, strlen(yaml), "t.yaml", &diags), 0);
	assert_non_null(doc);
	assert_int_equal(secex_export_node_json(&out, secex_doc_root(doc), 0), 0);
	assert_string_equal(secex_buf_cstr(&out), want);
	secex_buf_release(&out);
	secex_doc_free(doc);
	secex_diags_release(&diags);
}

/* Writes one field and reads it back as the only field of a record. */
static void round_trip(const char *field, const char *written)
{
	secex_buf out = SECEX_BUF_INIT;
	csv_record rec;
	csv_reader r;

	memset(&rec, 0, sizeof(rec));
	assert_int_equal(csv_put_field(&out, field, true), 0);
	assert_string_equal(secex_buf_cstr(&out), written);
	assert_int_equal(csv_end_record(&out), 0);
	csv_reader_init(&r, out.ptr, out.size);
	assert_int_equal(csv_next(&rec, &r), 1);
	assert_null(rec.error);
	assert_int_equal(rec.fields.n, 1);
	assert_string_equal(csv_unguard(rec.fields.items[0]), field);
	assert_int_equal(csv_next(&rec, &r), 0);
	csv_record_release(&rec);
	secex_buf_release(&out);
}

static void test_csv_quoting(void **state)
{
	(void)state;
	round_trip("plain", "plain");
	round_trip("a, b", "\"a, b\"");
	round_trip("say \"hi\"", "\"say \"\"hi\"\"\"");
	round_trip("two\nlines", "\"two\nlines\"");
	round_trip(" padded ", "\" padded \"");
	/* a spreadsheet must not run a cell as a formula; the guard is undone on import */
	round_trip("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");
	round_trip("-1", "'-1");
	round_trip("'=x", "''=x");
	round_trip("'plain", "'plain");
	round_trip("''x", "''x");
}

static void test_csv_reading(void **state)
{
	static const char text[] = "\xEF\xBB\xBFPriority, Status , \"Notes\"\r\n\r\n"
				   "High,\"a \"\"b\"\",\r\nc\" ,  x  \n"
				   "Low\r"
				   "bad,\"open\" tail,z\n"
				   "last,\"never closed\n";
	csv_record rec;
	csv_reader r;

	(void)state;
	memset(&rec, 0, sizeof(rec));
	csv_reader_init(&r, text, strlen(text));
	assert_int_equal(csv_next(&rec, &r), 1); /* BOM dropped, blanks around ", " trimmed */
	assert_int_equal(rec.line, 1);
	assert_int_equal(rec.fields.n, 3);
	assert_string_equal(rec.fields.items[0], "Priority");
	assert_string_equal(rec.fields.items[1], "Status");
	assert_string_equal(rec.fields.items[2], "Notes");
	assert_int_equal(csv_next(&rec, &r), 1); /* the blank line is no record */
	assert_int_equal(rec.line, 3);
	assert_string_equal(rec.fields.items[1], "a \"b\",\nc"); /* CRLF in a field becomes LF */
	assert_string_equal(rec.fields.items[2], "x");
	assert_int_equal(csv_next(&rec, &r), 1);
	assert_int_equal(rec.line, 5); /* a lone CR ends a line too */
	assert_string_equal(rec.fields.items[0], "Low");
	assert_int_equal(csv_next(&rec, &r), 1);
	assert_non_null(rec.error);
	assert_int_equal(rec.error_line, 6);
	assert_int_equal(rec.error_field, 2);
	assert_int_equal(csv_next(&rec, &r), 1);
	assert_non_null(strstr(rec.error, "never ends"));
	assert_int_equal(rec.error_line, 7);
	assert_int_equal(rec.error_field, 2);
	assert_int_equal(csv_next(&rec, &r), 0);
	csv_record_release(&rec);
}

static void test_vocabulary(void **state)
{
	int64_t days;

	(void)state;
	assert_true(tracker_date_parse(&days, "1/1/2000"));
	assert_int_equal(days, secex_days_from_civil(2000, 1, 1));
	assert_true(tracker_date_parse(&days, "12/31/1999"));
	assert_int_equal(days, secex_days_from_civil(1999, 12, 31));
	assert_true(tracker_date_parse(&days, "2024-02-29"));
	assert_false(tracker_date_parse(&days, "2/30/2000"));
	assert_false(tracker_date_parse(&days, "13/1/2000"));
	assert_false(tracker_date_parse(&days, "1/1/99"));
	assert_false(tracker_date_parse(&days, "1/1/2000x"));
	assert_false(tracker_date_parse(&days, ""));
	assert_string_equal(tracker_status_parse("Pending"), "requested");
	assert_string_equal(tracker_status_parse("in review"), "in-review");
	assert_string_equal(tracker_status_parse("APPROVED"), "approved");
	assert_null(tracker_status_parse("Expired"));
	assert_string_equal(tracker_status_name("needs-info"), "Pending");
	assert_string_equal(tracker_type_parse("accept risk without fix"), "acceptance");
	assert_string_equal(tracker_type_parse("Extension"), "extension");
	assert_null(tracker_type_parse("Risk sharing"));
	assert_string_equal(tracker_type_name("extension"), "Risk extension");
}

static size_t suppressions(secex_snapshot *snap, secex_export_format format, const char *when)
{
	secex_export_options opts = SECEX_EXPORT_OPTIONS_INIT;
	secex_buf out = SECEX_BUF_INIT;
	size_t count = 0;

	assert_true(secex_when_parse(&opts.now, when, strlen(when)));
	assert_int_equal(secex_export_write(&out, &count, snap, format, &opts), 0);
	secex_buf_release(&out);
	return count;
}

/* An exception suppresses until the instant of its due_date, not a moment longer. */
static void test_expiry(void **state)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_snapshot *snap = NULL;
	secex_tree *tree = NULL;
	secex_buf dir = SECEX_BUF_INIT;
	const char *root = getenv("SECEX_SOURCE_ROOT");

	(void)state;
	assert_non_null(root);
	secex_buf_printf(&dir, "%s/examples/demo", root);
	assert_int_equal(secex_tree_open_dir(&tree, dir.ptr), 0);
	assert_int_equal(secex_snapshot_load(&snap, tree, &diags), 0);
	assert_int_equal(suppressions(snap, SECEX_EXPORT_CSV, "2026-11-22"), 12);
	/* EXC-0006 is due 2026-12-02; EXC-0009's CKV_AWS_18 is no Trivy id and has no package */
	assert_int_equal(suppressions(snap, SECEX_EXPORT_TRIVYIGNORE, "2026-12-01T23:59:59Z"), 4);
	assert_int_equal(suppressions(snap, SECEX_EXPORT_OPENVEX, "2026-12-02"), 3);
	assert_int_equal(suppressions(snap, SECEX_EXPORT_SNYK, "2030-01-01"), 0);
	secex_snapshot_free(snap);
	secex_tree_free(tree);
	secex_buf_release(&dir);
	secex_diags_release(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_json),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_reading),
		cmocka_unit_test(test_vocabulary),
		cmocka_unit_test(test_expiry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
