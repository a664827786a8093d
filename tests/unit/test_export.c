/* The export module: JSON of a tree, the tracker's CSV and vocabulary, what suppresses when. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
	secex_diag_release(&diags);
}

/* Writes one field and reads it back as the only field of a record. */
static void round_trip(const char *field, const char *written)
{
	secex_buf out = SECEX_BUF_INIT;
	csv_record rec;
	csv_reader r;

	memset(&rec, 0, sizeof(rec));
	assert_int_equal(secex_csv_put_field(&out, field, true), 0);
	assert_string_equal(secex_buf_cstr(&out), written);
	assert_int_equal(secex_csv_end_record(&out), 0);
	secex_csv_reader_init(&r, out.ptr, out.size);
	assert_int_equal(secex_csv_next(&rec, &r), 1);
	assert_null(rec.error);
	assert_int_equal(rec.fields.n, 1);
	assert_string_equal(secex_csv_unguard(rec.fields.items[0]), field);
	assert_int_equal(secex_csv_next(&rec, &r), 0);
	secex_csv_record_release(&rec);
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
	secex_csv_reader_init(&r, text, strlen(text));
	assert_int_equal(secex_csv_next(&rec, &r), 1); /* BOM dropped, blanks around ", " trimmed */
	assert_int_equal(rec.line, 1);
	assert_int_equal(rec.fields.n, 3);
	assert_string_equal(rec.fields.items[0], "Priority");
	assert_string_equal(rec.fields.items[1], "Status");
	assert_string_equal(rec.fields.items[2], "Notes");
	assert_int_equal(secex_csv_next(&rec, &r), 1); /* the blank line is no record */
	assert_int_equal(rec.line, 3);
	assert_string_equal(rec.fields.items[1], "a \"b\",\nc"); /* CRLF in a field becomes LF */
	assert_string_equal(rec.fields.items[2], "x");
	assert_int_equal(secex_csv_next(&rec, &r), 1);
	assert_int_equal(rec.line, 5); /* a lone CR ends a line too */
	assert_string_equal(rec.fields.items[0], "Low");
	assert_int_equal(secex_csv_next(&rec, &r), 1);
	assert_non_null(rec.error);
	assert_int_equal(rec.error_line, 6);
	assert_int_equal(rec.error_field, 2);
	assert_int_equal(secex_csv_next(&rec, &r), 1);
	assert_non_null(strstr(rec.error, "never ends"));
	assert_int_equal(rec.error_line, 7);
	assert_int_equal(rec.error_field, 2);
	assert_int_equal(secex_csv_next(&rec, &r), 0);
	secex_csv_record_release(&rec);
}

static void test_vocabulary(void **state)
{
	int64_t days;

	(void)state;
	assert_true(secex_tracker_date_parse(&days, "1/1/2000"));
	assert_int_equal(days, secex_date_days_from_civil(2000, 1, 1));
	assert_true(secex_tracker_date_parse(&days, "12/31/1999"));
	assert_int_equal(days, secex_date_days_from_civil(1999, 12, 31));
	assert_true(secex_tracker_date_parse(&days, "2024-02-29"));
	assert_false(secex_tracker_date_parse(&days, "2/30/2000"));
	assert_false(secex_tracker_date_parse(&days, "13/1/2000"));
	assert_false(secex_tracker_date_parse(&days, "1/1/99"));
	assert_false(secex_tracker_date_parse(&days, "1/1/2000x"));
	assert_false(secex_tracker_date_parse(&days, ""));
	assert_string_equal(secex_tracker_status_parse("Pending"), "requested");
	assert_string_equal(secex_tracker_status_parse("in review"), "in-review");
	assert_string_equal(secex_tracker_status_parse("APPROVED"), "approved");
	assert_null(secex_tracker_status_parse("Expired"));
	assert_string_equal(secex_tracker_status_name("needs-info"), "Pending");
	assert_string_equal(secex_tracker_type_parse("accept risk without fix"), "acceptance");
	assert_string_equal(secex_tracker_type_parse("Extension"), "extension");
	assert_null(secex_tracker_type_parse("Risk sharing"));
	assert_string_equal(secex_tracker_type_name("extension"), "Risk extension");
}

/* The suppressions written when every approval verifies (history judges that elsewhere). */
static size_t suppressions(secex_snapshot *snap, secex_export_format format, const char *when)
{
	secex_export_options opts = SECEX_EXPORT_OPTIONS_INIT;
	secex_buf out = SECEX_BUF_INIT;
	bool *verified = calloc(snap->n + 1, sizeof(*verified));
	size_t i, count = 0, unverified = 0;

	assert_non_null(verified);
	assert_true(secex_date_when_parse(&opts.now, when, strlen(when)));
	assert_int_equal(secex_export_write(&out, &unverified, snap, format, &opts), 0);
	if (format != SECEX_EXPORT_CSV && format != SECEX_EXPORT_JSON)
		assert_int_equal(unverified, 0); /* without the verdicts nothing is suppressed */
	secex_buf_clear(&out);
	for (i = 0; i < snap->n; i++)
		verified[i] = true;
	opts.verified = verified;
	assert_int_equal(secex_export_write(&out, &count, snap, format, &opts), 0);
	secex_buf_release(&out);
	free(verified);
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
	secex_diag_release(&diags);
}

/* ---- scanner files, checked with each scanner's matching rule ---- */

static const char scanner_findings[] =
	"findings:\n"
	"  - id: CVE-2023-44487\n"
	"    package: pkg:golang/golang.org/x/net@v0.15.0\n"
	"    paths: ['services/[legacy] gw/*.mod']\n"
	"  - id: CVE-2024-0001\n"
	"    package: pkg:deb/debian/libsigc%2B%2B-2.0-0v5@2.12.0-1\n"
	"    paths: ['lib/{a,b}?.so']\n"
	"  - id: CKV_AWS_18\n"
	"    paths: [infra/s3.tf]\n"
	"  - id: AVD-AWS-0086\n"
	"    paths: [aws_s3_bucket.assets]\n"
	"  - id: AVD-AWS-0089\n"
	"    paths: [infra/s3_buckets.tf]\n"
	"summary: >-\n";

typedef struct {
	char root[64];
	secex_tree *tree;
	secex_snapshot *snap;
	secex_diags diags;
} scanner_fixture;

static void copy_file(const char *from, const char *to)
{
	secex_buf data = SECEX_BUF_INIT;

	assert_int_equal(secex_file_read(&data, from, 1 << 20), 0);
	assert_int_equal(secex_file_create(to, data.ptr, data.size), 0);
	secex_buf_release(&data);
}

/* The demo's policy and roster, and its EXC-0004 with the findings above. */
static int scanner_setup(void **state)
{
	scanner_fixture *fx = calloc(1, sizeof(*fx));
	secex_buf a = SECEX_BUF_INIT, b = SECEX_BUF_INIT, text = SECEX_BUF_INIT;
	const char *root = getenv("SECEX_SOURCE_ROOT");
	const char *from, *to;

	assert_non_null(fx);
	assert_non_null(root);
	snprintf(fx->root, sizeof(fx->root), "/tmp/secex-export-XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	secex_buf_printf(&a, "%s/.secex", fx->root);
	assert_int_equal(secex_file_mkdirs(a.ptr), 0);
	secex_buf_clear(&a);
	secex_buf_printf(&a, "%s/exceptions", fx->root);
	assert_int_equal(secex_file_mkdirs(a.ptr), 0);
	for (from = "policy.yaml"; from; from = strcmp(from, "policy.yaml") == 0 ? "people.yaml" : NULL) {
		secex_buf_clear(&a);
		secex_buf_clear(&b);
		secex_buf_printf(&a, "%s/examples/demo/.secex/%s", root, from);
		secex_buf_printf(&b, "%s/.secex/%s", fx->root, from);
		copy_file(a.ptr, b.ptr);
	}
	secex_buf_clear(&a);
	secex_buf_printf(&a, "%s/examples/demo/exceptions/EXC-0004.yaml", root);
	assert_int_equal(secex_file_read(&text, a.ptr, 1 << 20), 0);
	from = strstr(secex_buf_cstr(&text), "findings:\n");
	to = strstr(secex_buf_cstr(&text), "summary: >-\n");
	assert_non_null(from);
	assert_non_null(to);
	secex_buf_clear(&b);
	secex_buf_put(&b, text.ptr, (size_t)(from - text.ptr));
	secex_buf_puts(&b, scanner_findings);
	secex_buf_puts(&b, to + strlen("summary: >-\n"));
	secex_buf_clear(&a);
	secex_buf_printf(&a, "%s/exceptions/EXC-0004.yaml", fx->root);
	assert_int_equal(secex_file_create(a.ptr, b.ptr, b.size), 0);
	assert_int_equal(secex_tree_open_dir(&fx->tree, fx->root), 0);
	assert_int_equal(secex_snapshot_load(&fx->snap, fx->tree, &fx->diags), 0);
	assert_int_equal(fx->diags.n, 0);
	secex_buf_release(&a);
	secex_buf_release(&b);
	secex_buf_release(&text);
	*state = fx;
	return 0;
}

static int scanner_teardown(void **state)
{
	scanner_fixture *fx = *state;
	char cmd[96];

	secex_snapshot_free(fx->snap);
	secex_tree_free(fx->tree);
	secex_diag_release(&fx->diags);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->root);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* The file of that format as every approval verified, parsed back with secex's YAML reader. */
static secex_doc *scanner_export(scanner_fixture *fx, secex_export_format format, secex_buf *warnings)
{
	secex_export_options opts = SECEX_EXPORT_OPTIONS_INIT;
	secex_buf out = SECEX_BUF_INIT;
	secex_doc *doc = NULL;
	bool verified[2] = { true, true };

	assert_int_equal(fx->snap->n, 1);
	assert_true(secex_date_when_parse(&opts.now, "2026-12-01", 10));
	opts.verified = verified;
	opts.warnings = warnings;
	assert_int_equal(secex_export_write(&out, NULL, fx->snap, format, &opts), 0);
	assert_int_equal(secex_yaml_parse(&doc, out.ptr, out.size, "export.yaml", &fx->diags), 0);
	assert_non_null(doc);
	assert_int_equal(fx->diags.n, 0);
	secex_buf_release(&out);
	return doc;
}

static const char *at(const secex_node *n, size_t i, const char *key)
{
	assert_non_null(n);
	assert_int_equal(n->type, SECEX_NODE_ARRAY);
	assert_true(i < n->u.array.n);
	return secex_node_str(secex_node_get(n->u.array.items[i], key));
}

/* Grype: an ignore rule's package name is an anchored Go regular expression. Its quoting
 * uses only `\` before a metacharacter, which POSIX extended expressions read the same way. */
static bool grype_matches(const char *pattern, const char *name)
{
	secex_buf anchored = SECEX_BUF_INIT;
	regex_t re;
	bool match;

	secex_buf_printf(&anchored, "^(%s)$", pattern);
	assert_int_equal(regcomp(&re, anchored.ptr, REG_EXTENDED | REG_NOSUB), 0);
	match = regexec(&re, name, 0, NULL, 0) == 0;
	regfree(&re);
	secex_buf_release(&anchored);
	return match;
}

static void test_grype_names(void **state)
{
	scanner_fixture *fx = *state;
	secex_doc *doc = scanner_export(fx, SECEX_EXPORT_GRYPE, NULL);
	const secex_node *rules = secex_node_get(secex_doc_root(doc), "ignore");
	const char *net, *sigc;

	assert_string_equal(at(rules, 0, "vulnerability"), "CVE-2023-44487");
	net = secex_node_str(secex_node_get(secex_node_get(rules->u.array.items[0], "package"), "name"));
	sigc = secex_node_str(secex_node_get(secex_node_get(rules->u.array.items[1], "package"), "name"));
	assert_non_null(net);
	assert_non_null(sigc);
	assert_true(grype_matches(net, "golang.org/x/net"));
	assert_false(grype_matches(net, "golangXorg/x/net"));
	assert_false(grype_matches(net, "golang.org/x/netx"));
	assert_true(grype_matches(sigc, "libsigc++-2.0-0v5"));
	assert_false(grype_matches(sigc, "libsigcc-2.0-0v5"));
	assert_false(grype_matches(sigc, "libsigc++-2.0-0v5x"));
	secex_doc_free(doc);
}

/* Trivy: paths are doublestar globs. fnmatch(FNM_PATHNAME) shares their `*`, `?`, `[...]`
 * and `\` escape; doublestar alone reads `{a,b}` as alternatives, so no unescaped brace may
 * remain. */
static bool trivy_matches(const char *glob, const char *path)
{
	const char *p;

	for (p = glob; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else
			assert_true(*p != '{' && *p != '}');
	}
	return fnmatch(glob, path, FNM_PATHNAME) == 0;
}

static void test_trivy_paths(void **state)
{
	scanner_fixture *fx = *state;
	secex_buf warnings = SECEX_BUF_INIT;
	secex_doc *doc = scanner_export(fx, SECEX_EXPORT_TRIVYIGNORE, &warnings);
	const secex_node *vulns = secex_node_get(secex_doc_root(doc), "vulnerabilities");
	const secex_node *misconf = secex_node_get(secex_doc_root(doc), "misconfigurations");
	const char *g0, *g1;

	g0 = secex_node_str(secex_node_get(vulns->u.array.items[0], "paths")->u.array.items[0]);
	g1 = secex_node_str(secex_node_get(vulns->u.array.items[1], "paths")->u.array.items[0]);
	assert_true(trivy_matches(g0, "services/[legacy] gw/*.mod"));
	assert_false(trivy_matches(g0, "services/l gw/go.mod"));
	assert_false(trivy_matches(g0, "services/[legacy] gw/go.mod"));
	assert_true(trivy_matches(g1, "lib/{a,b}?.so"));
	assert_false(trivy_matches(g1, "lib/a1.so"));
	/* CKV_AWS_18 (a Checkov id) and aws_s3_bucket.assets (an address) can never match */
	assert_int_equal(misconf->u.array.n, 1);
	assert_string_equal(at(misconf, 0, "id"), "AVD-AWS-0089");
	assert_non_null(strstr(secex_buf_cstr(&warnings), "EXC-0004: finding 'CKV_AWS_18'"));
	assert_non_null(strstr(secex_buf_cstr(&warnings), "EXC-0004: finding 'AVD-AWS-0086'"));
	assert_null(strstr(secex_buf_cstr(&warnings), "AVD-AWS-0089"));
	secex_buf_release(&warnings);
	secex_doc_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_json),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_reading),
		cmocka_unit_test(test_vocabulary),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test_setup_teardown(test_grype_names, scanner_setup, scanner_teardown),
		cmocka_unit_test_setup_teardown(test_trivy_paths, scanner_setup, scanner_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
