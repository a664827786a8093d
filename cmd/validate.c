/* secex validate: files against the schemas, then the policy's semantic checks. */

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "secex/banned.h"

static struct {
	const char *rev;
	const char *schema;
	const char *jobs;
	bool staged;
	cli_args files;
	cli_report_opts report;
} o = { NULL, NULL, NULL, false, { NULL, 0 }, CLI_REPORT_OPTS_INIT };

/* How many files were checked, for the summary of a clean run (-1: none, nothing to say). */
static long checked = -1;

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "rev", 0, &o.rev, "REV", "validate the tree of commit REV instead of the working tree" },
	{ CLI_OPT_FLAG, "staged", 0, &o.staged, NULL,
	  "validate the index, when secex files are staged (pre-commit)" },
	{ CLI_OPT_STRING, "schema", 0, &o.schema, "SCHEMA", "validate FILE... against this JSON Schema instead" },
	{ CLI_OPT_STRING, "jobs", 'j', &o.jobs, "N",
	  "check the files on N threads (default: one per online CPU)" },
	CLI_REPORT_OPT_ROWS(&o.report),
	{ CLI_OPT_ARGS, "[FILE...]", 0, &o.files, NULL, "only report on these files (or, with --schema, validate them)" },
	CLI_OPT_END
};

const cli_command_help cmd_validate_help = {
	"validate", "[--rev REV | --staged] [-j N] [--format FORMAT] [FILE...]\n       secex validate --schema SCHEMA FILE...",
	"Checks the policy (.secex/policy.yaml), the roster (.secex/people.yaml) and every exception\n"
	"file against the shipped JSON Schemas, then runs the checks a schema cannot express:\n"
	"unique ids, known people and priorities, dates in order and within the level's\n"
	"max_duration, extension fields, file names matching ids (SX101 to SX127).",
	"With --schema, any YAML or JSON files are validated against any JSON Schema 2020-12.\n"
	"Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage or configuration error,\n"
	"3 repository or internal error.",
	opts
};

static int validate_with_schema(secex_diags *diags)
{
	secex_schema_options sopts = SECEX_SCHEMA_OPTIONS_INIT;
	secex_doc *schema_doc = NULL;
	secex_schema *schema = NULL;
	int i, rc;

	if (o.files.n == 0) {
		cli_error("--schema needs at least one FILE to validate");
		return CLI_EXIT_USAGE;
	}
	rc = secex_doc_load_file(&schema_doc, o.schema, o.schema, diags);
	if (rc < 0 || !schema_doc) {
		if (rc < 0)
			return cli_fail(rc);
		cli_render(stdout, diags, o.report.fmt, o.schema);
		cli_error("the schema '%s' does not load; fix the findings above", o.schema);
		return CLI_EXIT_USAGE;
	}
	if ((rc = secex_schema_compile(&schema, secex_doc_root(schema_doc), o.schema, &sopts)) < 0) {
		secex_doc_free(schema_doc);
		cli_error("cannot use '%s' as a schema: %s", o.schema, secex_error_last());
		return CLI_EXIT_USAGE;
	}
	checked = o.files.n;
	for (i = 0; i < o.files.n && rc == 0; i++) {
		secex_doc *doc = NULL;
		bool valid;

		rc = secex_doc_load_file(&doc, o.files.v[i], o.files.v[i], diags);
		if (rc == SECEX_ENOTFOUND || rc == SECEX_EIO) {
			/* a missing or unreadable file is a finding on it, and the run goes on */
			rc = secex_diag_add(diags, "SX101", o.files.v[i], 0, 0, NULL, NULL, "%s", secex_error_last());
		} else if (rc == 0 && doc) {
			rc = secex_schema_validate(&valid, schema, secex_doc_root(doc), o.files.v[i], NULL, diags);
		}
		secex_doc_free(doc);
	}
	secex_schema_free(schema);
	secex_doc_free(schema_doc);
	return rc < 0 ? cli_fail(rc) : 0;
}

/* name as a path relative to root (an absolute directory without trailing '/'). */
static char *relative_to(const char *root, const char *name)
{
	secex_buf abs = SECEX_BUF_INIT;
	char *cwd = name[0] == '/' ? NULL : getcwd(NULL, 0);
	const char *p;
	char *rel;
	size_t rlen = strlen(root);

	secex_buf_printf(&abs, "%s%s%s", cwd ? cwd : "", cwd ? "/" : "", name);
	free(cwd);
	p = secex_buf_cstr(&abs);
	if (strncmp(p, root, rlen) == 0 && p[rlen] == '/')
		p += rlen + 1;
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	rel = strdup(p);
	secex_buf_release(&abs);
	return rel;
}

/* Keeps only findings on these repository-relative paths and findings without a file. */
static void keep_paths(secex_diags *diags, char *const *paths, size_t n)
{
	size_t i, f, kept = 0;

	for (i = 0; i < diags->n; i++) {
		secex_diag *d = &diags->items[i];
		bool keep = !d->file;

		for (f = 0; f < n && !keep; f++)
			keep = strcmp(paths[f], d->file) == 0;
		if (keep) {
			diags->items[kept++] = *d;
			continue;
		}
		free(d->file);
		free(d->exception);
		free(d->commit);
		free(d->message);
	}
	diags->n = kept;
}

/* Keeps only findings on the FILE... arguments, named relative to the current directory. */
static void keep_named(secex_diags *diags, const char *root)
{
	int f;

	for (f = 0; f < o.files.n; f++)
		o.files.v[f] = cli_xalloc(relative_to(root ? root : "", o.files.v[f]));
	keep_paths(diags, o.files.v, (size_t)o.files.n);
	for (f = 0; f < o.files.n; f++)
		free(o.files.v[f]);
}

/* The exceptions directory the staged policy names (read without validating it). */
static char *staged_exceptions_dir(secex_tree *tree)
{
	secex_diags ignored = SECEX_DIAGS_INIT;
	secex_doc *doc = NULL;
	const char *dir = NULL;
	char *out;

	if (secex_tree_load(&doc, tree, SECEX_POLICY_PATH, &ignored) == 0 && doc)
		dir = secex_node_str(secex_node_get(secex_doc_root(doc), "exceptions_dir"));
	out = strdup(dir ? dir : "exceptions");
	secex_doc_free(doc);
	secex_diag_release(&ignored);
	secex_error_clear();
	return out;
}

/* --staged: the index, when it changes secex files; *skip when it does not. */
static int open_staged(secex_repo **repo, secex_tree **tree, secex_vec *changed, bool *skip)
{
	const char *dirs[2] = { ".secex", NULL };
	char *dir = NULL;
	int rc;

	*skip = false;
	if ((rc = cli_repo_open(repo, ".")) < 0 || (rc = secex_tree_open_index(tree, *repo)) < 0)
		return rc;
	if (!(dir = staged_exceptions_dir(*tree)))
		return secex_error_nomem();
	dirs[1] = dir;
	rc = secex_repo_staged_paths(changed, *repo, dirs, 2);
	free(dir);
	*skip = rc == 0 && changed->n == 0;
	return rc;
}

static int validate_tree(secex_diags *diags, unsigned jobs)
{
	secex_validate_options vopts = SECEX_VALIDATE_OPTIONS_INIT;
	secex_vec changed = SECEX_VEC_INIT;
	secex_repo *repo = NULL;
	secex_tree *tree = NULL;
	char *root = NULL;
	bool skip = false;
	size_t i, nfiles = 0;
	int rc;

	vopts.jobs = jobs;
	rc = o.staged ? open_staged(&repo, &tree, &changed, &skip) : cli_open_tree(&repo, &tree, &root, o.rev);
	if (rc < 0 || skip)
		goto cleanup;
	if (!o.rev && !o.staged && !secex_tree_exists(tree, SECEX_POLICY_PATH) &&
	    !secex_tree_exists(tree, SECEX_PEOPLE_PATH)) {
		rc = secex_error_set(SECEX_EINVALID, "no .secex/policy.yaml or .secex/people.yaml here; "
				     "run 'secex init' to create them, or use -C DIR to point at a secex repository");
		goto cleanup;
	}
	if (o.staged) { /* the other files are read for their ids only */
		vopts.only = (const char *const *)changed.items;
		vopts.n_only = changed.n;
	}
	if ((rc = secex_validate_tree(&nfiles, tree, &vopts, diags)) < 0)
		goto cleanup;
	checked = o.staged ? (long)changed.n : o.files.n ? (long)o.files.n : (long)nfiles;
	if (o.staged)
		keep_paths(diags, (char *const *)changed.items, changed.n);
	else if (o.files.n)
		keep_named(diags, root);
cleanup:
	for (i = 0; i < changed.n; i++)
		free(changed.items[i]);
	secex_vec_release(&changed);
	free(root);
	secex_tree_free(tree);
	secex_repo_free(repo);
	return rc < 0 ? cli_fail(rc) : 0;
}

static void summarise(const secex_diags *diags)
{
	secex_buf what = SECEX_BUF_INIT;
	bool files = o.schema || o.files.n || o.staged;

	secex_buf_printf(&what, "%ld %s%s checked", checked, files ? "file" : "exception", checked == 1 ? "" : "s");
	cli_report_clean(&o.report, diags, secex_buf_cstr(&what));
	secex_buf_release(&what);
}

/* -j N: a number of threads from 1 to 64. */
static int parse_jobs(unsigned *out)
{
	char *end = NULL;
	long n;

	if (!o.jobs)
		return 0;
	n = strtol(o.jobs, &end, 10);
	if (!*o.jobs || *end || n < 1 || n > 64) {
		cli_error("-j '%s' is not a number of threads from 1 to 64; give one, e.g. -j 2", o.jobs);
		return CLI_EXIT_USAGE;
	}
	*out = (unsigned)n;
	return 0;
}

int cmd_validate(int argc, char **argv)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	unsigned jobs = 0;
	bool help;
	int rc;

	if ((rc = cli_opt_parse(&cmd_validate_help, argc, argv, &help)) || help)
		return rc;
	if ((rc = cli_report_opts_check(&o.report)) || (rc = parse_jobs(&jobs)))
		return rc;
	rc = o.schema ? validate_with_schema(&diags) : validate_tree(&diags, jobs);
	if (rc == 0 && (rc = cli_report_findings(&o.report, &diags, o.schema ? o.schema : "validate")) ==
		       CLI_EXIT_INTERNAL)
		cli_error("cannot write the output");
	if (rc == 0 && checked >= 0)
		summarise(&diags);
	secex_diag_release(&diags);
	return rc;
}
