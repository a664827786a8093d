/* Creating an exception: ids, defaults, field checks, and a text that reads back as given. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <secex.h>

static char root[64];

static void put(const char *path, const char *text)
{
	char full[512], *slash;
	FILE *f;

	snprintf(full, sizeof(full), "%s/%s", root, path);
	for (slash = strchr(full + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(full, 0755);
		*slash = '/';
	}
	assert_non_null(f = fopen(full, "w"));
	fputs(text, f);
	fclose(f);
}

static const char people[] =
	"people:\n"
	"  - {id: dana, name: Dana Reyes, email: dana@example.com, roles: [engineering-manager], status: active}\n"
	"  - {id: omar, name: Omar, email: omar@example.com, roles: [engineering-director], status: active}\n"
	"  - {id: gone, name: Gone, email: gone@example.com, roles: [], status: departed, manager: omar}\n";

static const char exc7[] =
	"id: EXC-0007\ntitle: Old TLS\ntype: acceptance\npriority: low\nstatus: requested\n"
	"requestor: dana\nrisk_owner: omar\ncreated: 2026-11-01\ndue_date: 2026-12-01\n"
	"summary: s\njustification: j\nimpact:\n  pros: [p]\n  cons: [c]\n";

/* The default policy with its id_pattern line replaced (NULL: as shipped). */
static void put_policy(const char *pattern)
{
	const char *text = secex_policy_default_text(), *at = strstr(text, "id_pattern:");
	char buf[8192];

	assert_non_null(at);
	if (!pattern) {
		put(".secex/policy.yaml", text);
		return;
	}
	snprintf(buf, sizeof(buf), "%.*sid_pattern: '%s'%s", (int)(at - text), text, pattern, strchr(at, '\n'));
	put(".secex/policy.yaml", buf);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/secex-newexc-XXXXXX");
	assert_non_null(mkdtemp(root));
	put_policy(NULL);
	put(".secex/people.yaml", people);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

typedef struct {
	secex_tree *tree;
	secex_snapshot *snap;
	secex_diags diags;
} loaded;

static void load(loaded *l)
{
	memset(l, 0, sizeof(*l));
	assert_int_equal(secex_tree_open_dir(&l->tree, root), 0);
	assert_int_equal(secex_snapshot_load(&l->snap, l->tree, &l->diags), 0);
	assert_true(l->snap->policy_ok);
}

static void unload(loaded *l)
{
	secex_snapshot_free(l->snap);
	secex_tree_free(l->tree);
	secex_diag_release(&l->diags);
}

/* The next two ids with this policy pattern, after the files there; `late` is a file
 * created after the snapshot was loaded (NULL: none). */
static void expect_next(const char *pattern, const char *late, const char *want, const char *want2)
{
	secex_new_ids ids;
	secex_buf id = SECEX_BUF_INIT;
	char dir[128];
	loaded l;

	put_policy(pattern);
	load(&l);
	snprintf(dir, sizeof(dir), "%s/exceptions", root);
	assert_int_equal(secex_new_ids_init(&ids, l.snap), 0);
	if (late)
		put(late, "# written by someone else meanwhile\n");
	assert_int_equal(secex_new_ids_next(&id, &ids, dir), 0);
	assert_string_equal(id.ptr, want);
	assert_int_equal(secex_new_ids_next(&id, &ids, dir), 0);
	assert_string_equal(id.ptr, want2);
	secex_new_ids_release(&ids);
	secex_buf_release(&id);
	unload(&l);
}

static void test_ids(void **state)
{
	(void)state;
	expect_next(NULL, NULL, "EXC-0001", "EXC-0002");
	put("exceptions/EXC-0007.yaml", exc7);
	expect_next(NULL, NULL, "EXC-0008", "EXC-0009");
	expect_next(NULL, "exceptions/EXC-0009.json", "EXC-0008", "EXC-0010"); /* a name taken meanwhile */
	put("exceptions/EXC-0012.yml", "# a file name counts, even without an exception in it\n");
	expect_next(NULL, NULL, "EXC-0013", "EXC-0014");
	expect_next("^EXC-\\d{6,}$", NULL, "EXC-000001", "EXC-000002"); /* EXC-0007 does not match */
	expect_next("^SEC\\.[0-9]+$", NULL, "SEC.1", "SEC.2");
	expect_next("^(EXC|X)-[0-9]{4}$", NULL, "EXC-0013", "EXC-0014"); /* not of the simple form: the highest's */
}

static void test_default_due(void **state)
{
	char out[24];
	int64_t day;
	loaded l;

	(void)state;
	assert_true(secex_date_parse(&day, "2026-11-22", 10));
	load(&l);
	assert_int_equal(secex_new_default_due(out, l.snap->policy, "high", day), 0);
	assert_string_equal(out, "2026-12-22");
	assert_int_equal(secex_new_default_due(out, l.snap->policy, "critical", day), 0);
	assert_string_equal(out, "2026-11-29");
	assert_int_equal(secex_new_default_due(out, l.snap->policy, "urgent", day), SECEX_ENOTFOUND);
	assert_int_equal(secex_new_default_due(out, l.snap->policy, NULL, day), SECEX_ENOTFOUND);
	unload(&l);
	put(".secex/policy.yaml", "version: 1\nlevels:\n  only:\n    rank: 1\n    sla: 36h\n"
	    "    no_escalation: 1h\n    max_duration: 30d\n    approvers: [[security-engineer]]\n"
	    "roles: {}\nsme_roles: [security-engineer]\n");
	load(&l);
	assert_int_equal(secex_new_default_due(out, l.snap->policy, "only", day), 0);
	assert_string_equal(out, "2026-11-23T12:00:00Z");
	unload(&l);
}

/* The first finding's code and message of checking one value, or NULL when it passes. */
static char *check_one(const loaded *l, const secex_new_fields *f, const char *field, const char *value,
		       const char *code)
{
	secex_diags d = SECEX_DIAGS_INIT;
	char *msg = NULL;

	assert_int_equal(secex_new_check_field(&d, l->snap, f, field, value, "exceptions/EXC-0001.yaml"), 0);
	if (d.n) {
		assert_string_equal(d.items[0].code, code);
		assert_string_equal(d.items[0].file, "exceptions/EXC-0001.yaml");
		msg = secex_util_strndup(d.items[0].message, strlen(d.items[0].message));
	} else {
		assert_null(code);
	}
	secex_diag_release(&d);
	return msg;
}

static void field_is(const loaded *l, const secex_new_fields *f, const char *field, const char *value,
			 const char *code, const char *message)
{
	char *msg = check_one(l, f, field, value, code);

	if (message)
		assert_string_equal(msg, message);
	free(msg);
}

static void test_field_checks(void **state)
{
	secex_new_fields f = SECEX_NEW_FIELDS_INIT;
	loaded l;

	(void)state;
	load(&l);
	f.id = "EXC-0001";
	f.created = "2026-11-22";
	f.type = "extension";
	f.priority = "low";
	field_is(&l, &f, "title", "Delay the upgrade", NULL, NULL);
	field_is(&l, &f, "title", " lead", "SX110", "the title starts with white space; remove it");
	field_is(&l, &f, "title", "two\nlines", "SX110", NULL);
	field_is(&l, &f, "type", "extension", NULL, NULL);
	field_is(&l, &f, "type", "delay", "SX110", NULL);
	field_is(&l, &f, "priority", "urgent", "SX122",
		     "priority 'urgent' is not a level of the policy; use one of critical, high, medium, low");
	field_is(&l, &f, "risk_owner", "omar", NULL, NULL);
	field_is(&l, &f, "risk_owner", "Dana Reyes", "SX121", "risk owner 'Dana Reyes' is not a roster id; did you mean 'dana'?");
	field_is(&l, &f, "requestor", "nobody", "SX121", NULL);
	field_is(&l, &f, "assignee", "unassigned", NULL, NULL);
	field_is(&l, &f, "assignee", "gone", "SX502", NULL);
	field_is(&l, &f, "requestor", "gone", NULL, NULL);
	field_is(&l, &f, "due_date", "2026-12-01", NULL, NULL);
	field_is(&l, &f, "due_date", "2026-11-22", "SX123",
		     "due_date '2026-11-22' is not after created '2026-11-22' (today); set a later date");
	field_is(&l, &f, "due_date", "2028-01-01", "SX124", NULL);
	field_is(&l, &f, "due_date", "next week", "SX123", NULL);
	f.original_due_date = "2026-12-05";
	field_is(&l, &f, "due_date", "2026-12-01", "SX123", NULL);
	f.due_date = "2026-12-01";
	field_is(&l, &f, "original_due_date", "2026-12-05", "SX123", NULL);
	field_is(&l, &f, "summary", " \n", "SX110", NULL);
	field_is(&l, &f, "pros", "\xff", "SX106", NULL);
	field_is(&l, &f, "tickets", "SEC 1", "SX110", NULL);
	field_is(&l, &f, "findings", "CVE-2024-1", NULL, NULL);
	assert_int_equal(secex_new_check_field(&l.diags, l.snap, &f, "status", "x", "p"), SECEX_EINVALID);
	unload(&l);
}

static void test_finding_parse(void **state)
{
	char a[] = "CVE-2024-1", b[] = "CVE-2024-2,pkg:rpm/x@1?checksums=sha1:1,sha256:2";
	secex_new_finding f;

	(void)state;
	secex_new_finding_parse(&f, a);
	assert_string_equal(f.id, "CVE-2024-1");
	assert_null(f.package);
	secex_new_finding_parse(&f, b);
	assert_string_equal(f.id, "CVE-2024-2");
	assert_string_equal(f.package, "pkg:rpm/x@1?checksums=sha1:1,sha256:2");
}

static void expect_str(const secex_node *n, const char *want)
{
	assert_non_null(n);
	assert_int_equal(n->type, SECEX_NODE_STRING);
	assert_string_equal(secex_node_str(n), want);
}

static void expect_list(const secex_node *n, const char *const *want, size_t count)
{
	size_t i;

	assert_non_null(n);
	assert_int_equal(n->type, SECEX_NODE_ARRAY);
	assert_int_equal(n->u.array.n, count);
	for (i = 0; i < count; i++)
		expect_str(n->u.array.items[i], want[i]);
}

/* The text reads back as exactly the values given, tricky ones included, and validates. */
static void test_text_round_trip(void **state)
{
	static const char *const pros[] = { "yes", "No unplanned outage: the partners' runs keep going", "3.0" };
	static const char *const cons[] = { "A remote code execution path stays present for sixteen more days, "
					    "reachable by anyone who can write a schema to the registry #risk" };
	static const char *const tickets[] = { "SEC-2291", "https://jira.example.com/browse/SEC-2292#c1" };
	static const secex_new_finding findings[] = { { "CVE-2024-47561", "pkg:maven/org.apache.avro/avro@1.11.3" },
						      { "CKV_AWS_18", NULL } };
	static const char *const keys[] = { "id", "title", "type", "priority", "status", "requestor",
					    "risk_owner", "assignee", "created", "original_due_date", "due_date",
					    "tickets", "findings", "summary", "justification", "impact",
					    "remediation_plan" };
	secex_new_fields f = SECEX_NEW_FIELDS_INIT;
	secex_diags d = SECEX_DIAGS_INIT;
	secex_buf text = SECEX_BUF_INIT;
	secex_doc *doc = NULL;
	const secex_node *top, *fs;
	size_t i;
	loaded l;

	(void)state;
	put("exceptions/EXC-0007.yaml", exc7);
	load(&l);
	f.id = "EXC-0008";
	f.title = "Delay the Avro 1.11.4 upgrade: ledger-ingest's S3 connector";
	f.type = "extension";
	f.priority = "high";
	f.requestor = "dana";
	f.risk_owner = "omar";
	f.assignee = "dana";
	f.created = "2026-11-22";
	f.original_due_date = "2026-11-25T17:00:00Z";
	f.due_date = "2026-12-03T17:00:00Z";
	f.summary = "The vendor S3 source connector that feeds partner settlement files into ledger-ingest "
		    "bundles Apache Avro 1.11.3, whose schema parser can be made to run arbitrary code by a "
		    "crafted schema.  Two spaces, a tab\there, and \"quotes\" stay as they are.";
	f.justification = "null";
	f.remediation_plan = "1. 2026-11-26: upgrade staging (dana).\n2. 2026-12-02: production.\n";
	f.pros = pros;
	f.npros = 3;
	f.cons = cons;
	f.ncons = 1;
	f.tickets = tickets;
	f.ntickets = 2;
	f.findings = findings;
	f.nfindings = 2;
	assert_int_equal(secex_new_text(&text, &f), 0);
	assert_int_equal(secex_doc_parse(&doc, text.ptr, text.size, "EXC-0008.yaml", &d), 0);
	assert_non_null(doc);
	assert_int_equal(d.n, 0);
	top = secex_doc_root(doc);
	assert_int_equal(top->u.object.n, sizeof(keys) / sizeof(*keys));
	for (i = 0; i < top->u.object.n; i++) /* in the order of hand-written files */
		assert_string_equal(top->u.object.members[i].key, keys[i]);
	expect_str(secex_node_get(top, "id"), f.id);
	expect_str(secex_node_get(top, "title"), f.title);
	expect_str(secex_node_get(top, "status"), "requested");
	expect_str(secex_node_get(top, "created"), "2026-11-22");
	expect_str(secex_node_get(top, "original_due_date"), f.original_due_date);
	expect_str(secex_node_get(top, "due_date"), f.due_date);
	expect_str(secex_node_get(top, "summary"), f.summary);
	expect_str(secex_node_get(top, "justification"), "null");
	expect_str(secex_node_get(top, "remediation_plan"), f.remediation_plan);
	expect_list(secex_node_get(secex_node_get(top, "impact"), "pros"), pros, 3);
	expect_list(secex_node_get(secex_node_get(top, "impact"), "cons"), cons, 1);
	expect_list(secex_node_get(top, "tickets"), tickets, 2);
	fs = secex_node_get(top, "findings");
	assert_int_equal(fs->u.array.n, 2);
	expect_str(secex_node_get(fs->u.array.items[0], "package"), findings[0].package);
	expect_str(secex_node_get(fs->u.array.items[1], "id"), "CKV_AWS_18");
	assert_null(secex_node_get(fs->u.array.items[1], "package"));
	assert_non_null(strstr(text.ptr, "\nsummary: >-\n  The vendor S3"));
	assert_non_null(strstr(text.ptr, "\nremediation_plan: |\n  1. 2026-11-26"));
	assert_non_null(strstr(text.ptr, "\njustification: \"null\"\n"));
	assert_non_null(strstr(text.ptr, "\ndue_date: 2026-12-03T17:00:00Z\n"));

	/* it validates; the same id again is a duplicate */
	assert_int_equal(secex_new_check(&d, l.snap, "exceptions/EXC-0008.yaml", text.ptr, text.size), 0);
	for (i = 0; i < d.n; i++)
		fail_msg("unexpected finding %s: %s", d.items[i].code, d.items[i].message);
	secex_buf_clear(&text);
	f.id = "EXC-0007";
	f.priority = "urgent";
	assert_int_equal(secex_new_text(&text, &f), 0);
	assert_int_equal(secex_new_check(&d, l.snap, "exceptions/EXC-0007.yaml", text.ptr, text.size), 0);
	secex_diag_sort(&d);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.items[0].code, "SX120");
	assert_string_equal(d.items[1].code, "SX122");
	secex_doc_free(doc);
	secex_buf_release(&text);
	secex_diag_release(&d);
	unload(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_due, setup, teardown),
		cmocka_unit_test_setup_teardown(test_field_checks, setup, teardown),
		cmocka_unit_test(test_finding_parse),
		cmocka_unit_test_setup_teardown(test_text_round_trip, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
