/*
 * Runs the JSON Schema Test Suite (draft 2020-12) against secex's validator:
 *   jsts SUITE_ROOT
 * Every case of the draft2020-12 directory's files with format as an annotation, and
 * draft2020-12/optional/format/{date,date-time,time,email}.json with format as an assertion.
 * Each test is validated twice, reporting findings and silently, and both must agree.
 * The documents of the suite's remotes/ directory, when the copy has one, are given to the
 * compiler as resources under http://localhost:1234/, where the suite serves them.
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <secex.h>

/* Whole files that need documents the suite keeps in its remotes/ directory (served at
 * http://localhost:1234/): skipped only when the copy has no remotes/. */
static const struct {
	const char *file;
	const char *reason;
} skipped_files[] = {
	{ "refRemote.json", "every case needs a remote document of the suite's remotes/, absent from this copy" },
	{ "vocabulary.json", "both cases name a metaschema of the suite's remotes/ in $schema, absent from this copy" },
	/* content.json may be skipped too, but passes: its keywords are annotations */
};

#define REMOTE_BASE "http://localhost:1234/"
#define MAX_REMOTES 256

/* The suite's remotes/ documents, parsed once. */
static struct {
	secex_schema_resource res[MAX_REMOTES];
	secex_doc *docs[MAX_REMOTES];
	char *uris[MAX_REMOTES];
	size_t n;
} remotes;

static const char *const format_files[] = { "date.json", "date-time.json", "time.json", "email.json" };

typedef struct {
	size_t passed, failed, skipped_files, skipped_cases;
} totals;

static const char *str_of(const secex_node *n)
{
	const char *s = secex_node_str(n);

	return s ? s : "(no description)";
}

static void run_case(totals *t, const char *label, const secex_node *c, bool format_assertion)
{
	secex_schema_options opts = SECEX_SCHEMA_OPTIONS_INIT;
	const secex_node *schema = secex_node_get(c, "schema");
	const secex_node *tests = secex_node_get(c, "tests");
	const char *desc = str_of(secex_node_get(c, "description"));
	const char *external = NULL;
	secex_schema *compiled = NULL;
	size_t i, k;
	int rc;

	if (!schema || !tests || tests->type != SECEX_NODE_ARRAY) {
		printf("FAIL %s: %s: malformed case\n", label, desc);
		t->failed++;
		return;
	}
	opts.resources = remotes.res;
	opts.nresources = remotes.n;
	if (secex_schema_external_ref(&external, schema, &opts) < 0) {
		printf("FAIL %s: %s: %s\n", label, desc, secex_error_last());
		t->failed += tests->u.array.n;
		return;
	}
	if (external) {
		printf("skip case %s: %s: $ref '%s' is a remote document of the suite's remotes/, "
		       "absent from this copy\n", label, desc, external);
		t->skipped_cases++;
		return;
	}
	opts.format_assertion = format_assertion;
	if ((rc = secex_schema_compile(&compiled, schema, label, &opts)) < 0) {
		printf("FAIL %s: %s: schema does not compile: %s\n", label, desc, secex_error_last());
		t->failed += tests->u.array.n;
		return;
	}
	for (i = 0; i < tests->u.array.n; i++) {
		const secex_node *test = tests->u.array.items[i];
		const secex_node *want = secex_node_get(test, "valid");
		const char *tdesc = str_of(secex_node_get(test, "description"));
		secex_diags diags = SECEX_DIAGS_INIT;
		bool loud = false, quiet = false, expected;
		int rc1, rc2;

		if (!want || want->type != SECEX_NODE_BOOL || !secex_node_get(test, "data")) {
			printf("FAIL %s: %s: %s: malformed test\n", label, desc, tdesc);
			t->failed++;
			continue;
		}
		expected = want->u.boolean;
		rc1 = secex_schema_validate(&loud, compiled, secex_node_get(test, "data"), label, NULL, &diags);
		rc2 = secex_schema_validate(&quiet, compiled, secex_node_get(test, "data"), label, NULL, NULL);
		if (rc1 < 0 || rc2 < 0) {
			printf("FAIL %s: %s: %s: validation could not run: %s\n", label, desc, tdesc,
			       secex_error_last());
			t->failed++;
		} else if (loud != expected || quiet != expected) {
			printf("FAIL %s: %s: %s: expected %s, got %s (silent: %s)\n", label, desc, tdesc,
			       expected ? "valid" : "invalid", loud ? "valid" : "invalid",
			       quiet ? "valid" : "invalid");
			for (k = 0; k < diags.n; k++)
				printf("    %u:%u: %s\n", diags.items[k].line, diags.items[k].column,
				       diags.items[k].message);
			t->failed++;
		} else if (loud == (diags.n > 0)) {
			printf("FAIL %s: %s: %s: %s with %zu findings\n", label, desc, tdesc,
			       loud ? "valid" : "invalid", diags.n);
			t->failed++;
		} else {
			t->passed++;
		}
		secex_diag_release(&diags);
	}
	secex_schema_free(compiled);
}

/* Parses a JSON file of the suite; NULL (and a FAIL line) when it cannot. */
static secex_doc *load_json(const char *path, const char *label)
{
	secex_json_options jopts = SECEX_JSON_OPTIONS_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_buf text = SECEX_BUF_INIT;
	secex_doc *doc = NULL;

	jopts.max_size = 16 * 1024 * 1024;
	jopts.allow_nul = true; /* enum.json, const.json and date.json test "\u0000" */
	if (secex_file_read(&text, path, jopts.max_size) < 0 ||
	    secex_json_parse_opts(&doc, secex_buf_cstr(&text), text.size, label, &diags, &jopts) < 0)
		printf("FAIL %s: cannot read: %s\n", label, secex_error_last());
	else if (!doc)
		printf("FAIL %s:%u:%u: %s [%s]\n", label, diags.items[0].line, diags.items[0].column,
		       diags.items[0].message, diags.items[0].code);
	secex_diag_release(&diags);
	secex_buf_release(&text);
	return doc;
}

static void run_file(totals *t, const char *path, const char *label, bool format_assertion)
{
	secex_doc *doc = load_json(path, label);
	const secex_node *root;
	size_t i;

	if (!doc) {
		t->failed++;
		return;
	}
	root = secex_doc_root(doc);
	if (root->type != SECEX_NODE_ARRAY) {
		printf("FAIL %s: not an array of cases\n", label);
		t->failed++;
		goto cleanup;
	}
	for (i = 0; i < root->u.array.n; i++)
		run_case(t, label, root->u.array.items[i], format_assertion);
cleanup:
	secex_doc_free(doc);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of the .json files in dir, or NULL. */
static char **list_json(const char *dir, size_t *n)
{
	struct dirent *e;
	char **names = NULL, **grown;
	size_t cap = 0;
	DIR *d = opendir(dir);

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(grown = realloc(names, cap * sizeof(*names))))
				break;
			names = grown;
		}
		if (!(names[*n] = strdup(e->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	if (names)
		qsort(names, *n, sizeof(*names), name_cmp);
	return names;
}

/* Loads every .json under dir (rel: its path below remotes/) as a remote document. */
static int load_remotes(totals *t, const char *dir, const char *rel)
{
	char path[4096], sub[2048], uri[4096];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(sub, sizeof(sub), "%s%s", rel, e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
			snprintf(uri, sizeof(uri), REMOTE_BASE "%s", sub);
			if (remotes.n == MAX_REMOTES) {
				printf("FAIL remotes/: more than %d documents; raise MAX_REMOTES\n", MAX_REMOTES);
				t->failed++;
				break;
			}
			if (!(remotes.docs[remotes.n] = load_json(path, sub))) {
				t->failed++;
				continue;
			}
			remotes.uris[remotes.n] = strdup(uri);
			remotes.res[remotes.n].uri = remotes.uris[remotes.n];
			remotes.res[remotes.n].root = secex_doc_root(remotes.docs[remotes.n]);
			remotes.n++;
		} else {
			snprintf(sub + strlen(sub), sizeof(sub) - strlen(sub), "/");
			load_remotes(t, path, sub);
		}
	}
	closedir(d);
	return 0;
}

static void free_remotes(void)
{
	size_t i;

	for (i = 0; i < remotes.n; i++) {
		secex_doc_free(remotes.docs[i]);
		free(remotes.uris[i]);
	}
}

int main(int argc, char **argv)
{
	totals t = { 0, 0, 0, 0 };
	char dir[2048], path[4096], label[512];
	char **names;
	size_t n, i, k;

	if (argc != 2) {
		fprintf(stderr, "usage: jsts JSON-SCHEMA-TEST-SUITE-ROOT\n");
		return 2;
	}
	if (access(argv[1], F_OK) != 0) {
		printf("skip: the JSON Schema Test Suite is missing: no '%s' (the shared test data "
		       "beside the clone, or meson -Dshared=DIR)\n", argv[1]);
		return 77;
	}
	snprintf(dir, sizeof(dir), "%s/tests/draft2020-12", argv[1]);
	if (!(names = list_json(dir, &n))) {
		snprintf(dir, sizeof(dir), "%s/draft2020-12", argv[1]);
		names = list_json(dir, &n);
	}
	if (!names || n == 0) {
		fprintf(stderr, "jsts: no draft2020-12/*.json under '%s'\n", argv[1]);
		free(names);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/remotes", argv[1]);
	load_remotes(&t, path, "");
	if (remotes.n)
		printf("jsts: %zu remote documents from %s\n", remotes.n, path);
	for (i = 0; i < n; i++) {
		bool skip = false;

		for (k = 0; k < sizeof(skipped_files) / sizeof(skipped_files[0]) && !remotes.n; k++) {
			if (strcmp(names[i], skipped_files[k].file) == 0) {
				printf("skip file draft2020-12/%s: %s\n", names[i], skipped_files[k].reason);
				t.skipped_files++;
				skip = true;
			}
		}
		if (!skip) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			snprintf(label, sizeof(label), "draft2020-12/%s", names[i]);
			run_file(&t, path, label, false);
		}
		free(names[i]);
	}
	free(names);
	for (k = 0; k < sizeof(format_files) / sizeof(format_files[0]); k++) {
		snprintf(path, sizeof(path), "%s/optional/format/%s", dir, format_files[k]);
		snprintf(label, sizeof(label), "draft2020-12/optional/format/%s", format_files[k]);
		run_file(&t, path, label, true);
	}
	free_remotes();
	printf("jsts: %zu passed, %zu failed, %zu skipped (files), %zu skipped (cases)\n", t.passed,
	       t.failed, t.skipped_files, t.skipped_cases);
	return t.failed ? 1 : 0;
}
