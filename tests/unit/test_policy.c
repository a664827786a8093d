/* The policy and roster, and the semantic checks over a snapshot of a directory. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <secex.h>

static secex_policy *policy_from(const char *text, secex_diags *diags)
{
	secex_doc *doc = NULL;
	secex_policy *p = NULL;

	assert_int_equal(secex_yaml_parse(&doc, text, strlen(text), "policy.yaml", diags), 0);
	assert_non_null(doc);
	assert_int_equal(secex_policy_from_doc(&p, doc, "policy.yaml", diags), 0);
	return p;
}

static void test_default_policy(void **state)
{
	secex_policy *p = NULL;
	const secex_level *l;

	(void)state;
	assert_int_equal(secex_policy_default(&p), 0);
	assert_int_equal(p->nlevels, 4);
	l = secex_policy_level(p, "critical");
	assert_non_null(l);
	assert_int_equal(l->rank, 4);
	assert_int_equal(l->sla, 7 * 86400);
	assert_int_equal(l->no_escalation, 2 * 3600);
	assert_int_equal(l->ngroups, 2);
	assert_int_equal(l->groups[0].n, 6);
	assert_string_equal(l->groups[1].roles[1], "ciso");
	assert_null(secex_policy_level(p, "urgent"));
	assert_true(secex_policy_role_implies(p, "ciso", "security-engineer"));
	assert_true(secex_policy_role_implies(p, "ceo", "engineering-manager"));
	assert_false(secex_policy_role_implies(p, "security-engineer", "ciso"));
	assert_false(secex_policy_role_implies(p, "cto", "security-director"));
	assert_true(secex_policy_is_substantive(p, "due_date"));
	assert_false(secex_policy_is_substantive(p, "approvals"));
	assert_true(secex_policy_strlist_has(&p->admin_roles, "secex-admin"));
	assert_int_equal(p->expiring_within, 14 * 86400);
	assert_int_equal(p->risk_owner_must_approve, SECEX_RISK_OWNER_ACCEPTANCE);
	secex_policy_free(p);
}

static void test_role_cycle(void **state)
{
	secex_diags d = SECEX_DIAGS_INIT;
	secex_policy *p;

	(void)state;
	p = policy_from("version: 1\nlevels:\n  low:\n    rank: 1\n    sla: 1d\n    no_escalation: 1h\n"
			"    max_duration: 10d\n    approvers: [[a]]\nroles:\n  a: [b]\n  b: [c]\n  c: [a]\n", &d);
	assert_non_null(p);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.items[0].code, "SX127");
	assert_non_null(strstr(d.items[0].message, "cycle"));
	/* a cycle must not hang the hierarchy walk */
	assert_true(secex_policy_role_implies(p, "a", "c"));
	assert_false(secex_policy_role_implies(p, "a", "z"));
	secex_policy_free(p);
	secex_diag_release(&d);
}

static void test_unknown_group_role(void **state)
{
	secex_diags d = SECEX_DIAGS_INIT;
	secex_policy *p;

	(void)state;
	p = policy_from("version: 1\nlevels:\n  low:\n    rank: 1\n    sla: 1d\n    no_escalation: 1h\n"
			"    max_duration: 10d\n    approvers: [[security-enginer]]\nroles:\n"
			"  security-manager: [security-engineer]\nseverity:\n  SX999: note\n", &d);
	assert_non_null(p);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.items[0].code, "SX127");
	assert_non_null(strstr(d.items[0].message, "'security-enginer'"));
	assert_int_equal(d.items[0].line, 8);
	assert_non_null(strstr(d.items[1].message, "SX999"));
	secex_policy_free(p);
	secex_diag_release(&d);
}

static void test_bad_id_pattern(void **state)
{
	secex_diags d = SECEX_DIAGS_INIT;
	secex_policy *p;

	(void)state;
	p = policy_from("version: 1\nid_pattern: '^EXC-[0-9'\nlevels:\n  low:\n    rank: 1\n    sla: 1d\n"
			"    no_escalation: 1h\n    max_duration: 10d\n    approvers: [[a]]\n", &d);
	assert_non_null(p);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.items[0].code, "SX127");
	assert_int_equal(d.items[0].line, 2);
	assert_null(p->id_schema);
	secex_policy_free(p);
	secex_diag_release(&d);
}

static void test_roster(void **state)
{
	const char *text = "people:\n  - id: ana\n    name: Ana\n    email: ana@example.com\n    roles: [ciso]\n"
			   "    status: active\n    manager: bob\n    keys:\n      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOf x\n"
			   "      - openpgp: 0123456789abcdef0123456789abcdef01234567\n        public_key: x\n"
			   "        valid_before: 2026-01-01\n"
			   "  - id: ana\n    name: Ana 2\n    email: a2@example.com\n    roles: []\n    status: departed\n";
	secex_diags d = SECEX_DIAGS_INIT;
	secex_doc *doc = NULL;
	secex_roster *r = NULL;
	const secex_person *ana;

	(void)state;
	assert_int_equal(secex_yaml_parse(&doc, text, strlen(text), "people.yaml", &d), 0);
	assert_int_equal(secex_roster_from_doc(&r, doc, "people.yaml", &d), 0);
	assert_int_equal(r->n, 2);
	ana = secex_roster_find(r, "ana");
	assert_true(ana->active);
	assert_int_equal(ana->nkeys, 2);
	assert_int_equal(ana->keys[0].kind, SECEX_KEY_SSH);
	assert_int_equal(ana->keys[1].kind, SECEX_KEY_OPENPGP);
	assert_string_equal(ana->keys[1].fingerprint, "0123456789ABCDEF0123456789ABCDEF01234567");
	assert_int_equal(ana->keys[1].valid_before, secex_date_days_from_civil(2026, 1, 1) * 86400);
	assert_int_equal(ana->keys[1].valid_after, INT64_MIN);
	assert_int_equal(d.n, 2); /* unknown manager, duplicate id */
	assert_string_equal(d.items[0].code, "SX127");
	assert_string_equal(d.items[1].code, "SX127");
	secex_roster_free(r);
	secex_diag_release(&d);
}

/* A temporary secex repository on disk. */
static char root[64];

static void put(const char *path, const char *text)
{
	char full[256], dir[256];
	char *slash;
	FILE *f;

	snprintf(full, sizeof(full), "%s/%s", root, path);
	snprintf(dir, sizeof(dir), "%s", full);
	for (slash = strchr(dir + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	f = fopen(full, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *people =
	"people:\n"
	"  - {id: ana, name: Ana, email: ana@example.com, roles: [security-engineer], status: active}\n"
	"  - {id: bob, name: Bob, email: bob@example.com, roles: [engineering-manager], status: active}\n";

#define EXCEPTION_FMT \
	"id: %s\ntitle: Old TLS on the legacy gateway\ntype: %s\npriority: %s\nstatus: requested\n" \
	"requestor: %s\nrisk_owner: bob\ncreated: 2026-11-01\ndue_date: %s\n%s" \
	"summary: TLS 1.0 is still enabled\njustification: Two customers need it until March\n" \
	"impact:\n  pros: [customers keep working]\n  cons: [downgrade attacks stay possible]\n"

static void put_exception(const char *path, const char *id, const char *type, const char *priority,
			  const char *requestor, const char *due, const char *extra)
{
	char text[2048];

	snprintf(text, sizeof(text), EXCEPTION_FMT, id, type, priority, requestor, due, extra);
	put(path, text);
}

static int setup_repo(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/secex-policy-XXXXXX");
	assert_non_null(mkdtemp(root));
	put(".secex/policy.yaml", secex_policy_default_text());
	put(".secex/people.yaml", people);
	return 0;
}

static int teardown_repo(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static bool has(const secex_diags *d, const char *code, const char *file, uint32_t line)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->items[i].code, code) == 0 && strcmp(d->items[i].file, file) == 0 &&
		    (line == 0 || d->items[i].line == line))
			return true;
	return false;
}

static void test_semantic_checks(void **state)
{
	secex_diags d = SECEX_DIAGS_INIT;
	secex_snapshot *snap = NULL;
	secex_tree *tree = NULL;
	size_t i;

	(void)state;
	put_exception("exceptions/EXC-0001.yaml", "EXC-0001", "acceptance", "low", "ana", "2026-12-01", "");
	put_exception("exceptions/EXC-0002.yaml", "EXC-0001", "acceptance", "low", "ana", "2026-12-01", "");
	put_exception("exceptions/EXC-0003.yaml", "EXC-0003", "acceptance", "low", "zed", "2026-12-01", "");
	put_exception("exceptions/EXC-0004.yaml", "EXC-0004", "acceptance", "urgent", "ana", "2026-12-01", "");
	put_exception("exceptions/EXC-0005.yaml", "EXC-0005", "acceptance", "low", "ana", "2026-10-01", "");
	put_exception("exceptions/EXC-0006.yaml", "EXC-0006", "acceptance", "low", "ana", "2028-12-01", "");
	put_exception("exceptions/EXC-0007.yaml", "EXC-0007", "extension", "low", "ana", "2026-12-01", "");
	put_exception("exceptions/EXC-0008.yaml", "EXC-0008", "extension", "medium", "ana", "2026-12-01",
		      "original_due_date: 2026-11-20\nremediation_plan: upgrade\n");
	put_exception("exceptions/sub/X-1.yaml", "X-1", "acceptance", "low", "ana", "2026-12-01", "");
	assert_int_equal(secex_tree_open_dir(&tree, root), 0);
	assert_int_equal(secex_snapshot_load(&snap, tree, &d), 0);
	assert_int_equal(snap->n, 9);
	assert_true(snap->policy_ok);
	for (i = 0; i < d.n; i++)
		print_message("load: %s:%u: %s %s\n", d.items[i].file, d.items[i].line, d.items[i].code, d.items[i].message);
	assert_int_equal(d.n, 0);
	assert_int_equal(secex_validate_snapshot(snap, &d), 0);
	secex_diag_sort(&d);
	for (i = 0; i < d.n; i++)
		print_message("%s:%u: %s %s\n", d.items[i].file, d.items[i].line, d.items[i].code, d.items[i].message);
	assert_true(has(&d, "SX126", "exceptions/EXC-0002.yaml", 1));
	assert_true(has(&d, "SX120", "exceptions/EXC-0002.yaml", 1));
	assert_true(has(&d, "SX121", "exceptions/EXC-0003.yaml", 6));
	assert_true(has(&d, "SX122", "exceptions/EXC-0004.yaml", 4));
	assert_true(has(&d, "SX123", "exceptions/EXC-0005.yaml", 9));
	assert_true(has(&d, "SX124", "exceptions/EXC-0006.yaml", 9));
	assert_true(has(&d, "SX125", "exceptions/EXC-0007.yaml", 3));
	assert_true(has(&d, "SX110", "exceptions/sub/X-1.yaml", 1)); /* id_pattern */
	/* a valid extension produces nothing */
	for (i = 0; i < d.n; i++)
		assert_string_not_equal(d.items[i].file, "exceptions/EXC-0008.yaml");
	assert_int_equal(d.n, 9); /* EXC-0007 lacks two fields */
	secex_snapshot_free(snap);
	secex_tree_free(tree);
	secex_diag_release(&d);
}

static void test_invalid_policy_keeps_going(void **state)
{
	secex_diags d = SECEX_DIAGS_INIT;
	secex_snapshot *snap = NULL;
	secex_tree *tree = NULL;

	(void)state;
	put(".secex/policy.yaml", "version: 1\nexceptions_dir: exceptions\nlevelz: {}\n");
	put_exception("exceptions/EXC-0001.yaml", "EXC-0001", "acceptance", "urgent", "ana", "2026-12-01", "");
	assert_int_equal(secex_tree_open_dir(&tree, root), 0);
	assert_int_equal(secex_snapshot_load(&snap, tree, &d), 0);
	assert_false(snap->policy_ok);
	assert_int_equal(snap->n, 1);
	assert_true(d.n >= 1);
	assert_string_equal(d.items[0].code, "SX110");
	assert_string_equal(d.items[0].file, ".secex/policy.yaml");
	assert_int_equal(secex_validate_snapshot(snap, &d), 0);
	/* the unknown priority is not judged against a policy that did not load */
	assert_false(has(&d, "SX122", "exceptions/EXC-0001.yaml", 0));
	secex_snapshot_free(snap);
	secex_tree_free(tree);
	secex_diag_release(&d);
}

static void test_extension_schema(void **state)
{
	secex_diags d = SECEX_DIAGS_INIT;
	secex_snapshot *snap = NULL;
	secex_tree *tree = NULL;
	char policy[4096];

	(void)state;
	snprintf(policy, sizeof(policy), "%sexception_schema: .secex/local.schema.json\n",
		 secex_policy_default_text());
	put(".secex/policy.yaml", policy);
	put(".secex/local.schema.json", "{\"properties\": {\"cost_center\": {\"type\": \"string\", "
	    "\"pattern\": \"^CC-[0-9]+$\"}}, \"required\": [\"cost_center\"]}");
	put_exception("exceptions/EXC-0001.yaml", "EXC-0001", "acceptance", "low", "ana", "2026-12-01",
		      "cost_center: CC-42\n");
	put_exception("exceptions/EXC-0002.yaml", "EXC-0002", "acceptance", "low", "ana", "2026-12-01", "");
	put_exception("exceptions/EXC-0003.yaml", "EXC-0003", "acceptance", "low", "ana", "2026-12-01",
		      "cost_center: 42\ncost_centre: CC-1\n");
	assert_int_equal(secex_tree_open_dir(&tree, root), 0);
	assert_int_equal(secex_snapshot_load(&snap, tree, &d), 0);
	assert_true(snap->policy_ok);
	secex_diag_sort(&d);
	assert_false(has(&d, "SX110", "exceptions/EXC-0001.yaml", 0));
	assert_true(has(&d, "SX110", "exceptions/EXC-0002.yaml", 1));  /* required by the extension */
	assert_true(has(&d, "SX110", "exceptions/EXC-0003.yaml", 10)); /* wrong type */
	assert_true(has(&d, "SX110", "exceptions/EXC-0003.yaml", 11)); /* still an unknown key */
	assert_int_equal(d.n, 3);
	secex_snapshot_free(snap);
	secex_tree_free(tree);
	secex_diag_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_policy),
		cmocka_unit_test(test_role_cycle),
		cmocka_unit_test(test_unknown_group_role),
		cmocka_unit_test(test_bad_id_pattern),
		cmocka_unit_test(test_roster),
		cmocka_unit_test_setup_teardown(test_semantic_checks, setup_repo, teardown_repo),
		cmocka_unit_test_setup_teardown(test_invalid_policy_keeps_going, setup_repo, teardown_repo),
		cmocka_unit_test_setup_teardown(test_extension_schema, setup_repo, teardown_repo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
