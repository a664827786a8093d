/* secex merge-driver: git's merge driver for exception files. Two sides that each appended
 * approvals (and moved the status along the workflow) from the same base merge cleanly;
 * anything else is left to git's own conflict. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "secex/banned.h"

static struct {
	cli_args args;
} o;

static const cli_opt opts[] = {
	{ CLI_OPT_ARGS, "BASE OURS THEIRS [PATH]", 0, &o.args, NULL, "the files git passes (%O %A %B %P)" },
	CLI_OPT_END
};

const cli_command_help cmd_merge_driver_help = {
	"merge-driver", "BASE OURS THEIRS [PATH]",
	"git's merge driver for exception files (installed by 'secex init' and 'secex hooks\n"
	"install' as merge.secex.driver, with a line in .gitattributes). When both sides changed\n"
	"the file from BASE only by appending approval entries, and at most one of them moved the\n"
	"status (or both to the same status) along the workflow, OURS becomes ours with their new\n"
	"entries after our own, and the exit status is 0: two approvers approving from the same\n"
	"tip merge cleanly, and each approval keeps its own signed commit.",
	"Anything else (another field changed, an entry rewritten, two different statuses, a file\n"
	"that does not parse) is merged by 'git merge-file', which leaves git's conflict markers\n"
	"in OURS, and the exit status is 1.",
	opts
};

typedef struct {
	secex_buf text;
	secex_doc *doc;
	const secex_node *root, *approvals;
	const char *status;
	size_t n; /* approval entries */
} side;

/* Parses s->text. */
static int parse(side *s, const char *path)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	int rc = secex_doc_parse(&s->doc, secex_buf_cstr(&s->text), s->text.size, path, &diags);

	secex_diag_release(&diags);
	if (rc < 0 || !s->doc || secex_doc_root(s->doc)->type != SECEX_NODE_OBJECT)
		return -1;
	s->root = secex_doc_root(s->doc);
	s->approvals = secex_node_get(s->root, "approvals");
	s->status = secex_node_str(secex_node_get(s->root, "status"));
	if (s->approvals && s->approvals->type != SECEX_NODE_ARRAY)
		return -1;
	s->n = s->approvals ? s->approvals->u.array.n : 0;
	return 0;
}

static int load(side *s, const char *path)
{
	return secex_file_read(&s->text, path, SECEX_MAX_FILE_SIZE) < 0 ? -1 : parse(s, path);
}

static void release(side *s)
{
	secex_buf_release(&s->text);
	secex_doc_free(s->doc);
}

static bool same_str(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* Whether s equals base but for approvals appended and the status. */
static bool only_appended(const side *base, const side *s)
{
	size_t i;

	if (s->n < base->n || s->root->u.object.n != base->root->u.object.n + (!base->approvals && s->approvals))
		return false;
	for (i = 0; i < s->root->u.object.n; i++) {
		const secex_member *m = &s->root->u.object.members[i];
		const secex_node *b = secex_node_get(base->root, m->key);

		if (strcmp(m->key, "approvals") == 0 || strcmp(m->key, "status") == 0)
			continue;
		if (!b || !secex_node_equal(b, m->value))
			return false;
	}
	for (i = 0; i < base->n; i++)
		if (!secex_node_equal(base->approvals->u.array.items[i], s->approvals->u.array.items[i]))
			return false;
	return s->status && (same_str(s->status, base->status) || secex_approvals_transition_ok(base->status, s->status));
}

/* The status the merge takes, or NULL when the sides moved it differently. */
static const char *merged_status(const side *base, const side *a, const side *b)
{
	if (same_str(a->status, b->status) || same_str(b->status, base->status))
		return a->status;
	return same_str(a->status, base->status) ? b->status : NULL;
}

/* The offset of the start of a 1-based line. */
static size_t line_start(const secex_buf *t, uint32_t line)
{
	size_t off = 0;

	while (--line > 0 && off < t->size) {
		const char *nl = memchr(t->ptr + off, '\n', t->size - off);

		off = nl ? (size_t)(nl - t->ptr) + 1 : t->size;
	}
	return off;
}

/* Where the block of the top-level key ends: the line of the next key, or the end. */
static size_t block_end(const side *s, const char *key)
{
	const secex_member *m = secex_node_member(s->root, key);
	size_t i;
	uint32_t next = 0;

	for (i = 0; m && i < s->root->u.object.n; i++) {
		const secex_member *k = &s->root->u.object.members[i];

		if (k->line > m->line && (!next || k->line < next))
			next = k->line;
	}
	return next ? line_start(&s->text, next) : s->text.size;
}

/* Our text with the status set to `to` (a plain scalar) and their new entries appended. */
static int build(secex_buf *out, const side *base, const side *a, const side *b, const char *to)
{
	const secex_node *st = secex_node_get(a->root, "status");
	size_t at = a->approvals ? block_end(a, "approvals") : a->text.size, from, to_end, s_off;
	int rc = 0;

	if (b->n > base->n) {
		from = line_start(&b->text, b->approvals->u.array.items[base->n]->line);
		if (!a->approvals)
			from = line_start(&b->text, secex_node_member(b->root, "approvals")->line);
		to_end = block_end(b, "approvals");
	} else {
		from = to_end = 0;
	}
	s_off = line_start(&a->text, st->line) + st->column - 1;
	if (!same_str(to, a->status)) {
		if (strncmp(a->text.ptr + s_off, a->status, strlen(a->status)) != 0 || s_off > at)
			return -1;
		rc = secex_buf_put(out, a->text.ptr, s_off);
		rc = rc ? rc : secex_buf_puts(out, to);
		rc = rc ? rc : secex_buf_put(out, a->text.ptr + s_off + strlen(a->status), at - s_off - strlen(a->status));
	} else {
		rc = secex_buf_put(out, a->text.ptr, at);
	}
	if (rc == 0 && out->size && out->ptr[out->size - 1] != '\n')
		rc = secex_buf_putc(out, '\n');
	if (rc == 0)
		rc = secex_buf_put(out, b->text.ptr + from, to_end - from);
	if (rc == 0 && to_end - from && b->text.ptr[to_end - 1] != '\n')
		rc = secex_buf_putc(out, '\n');
	return rc ? rc : secex_buf_put(out, a->text.ptr + at, a->text.size - at);
}

/* Whether the merged text says what the merge means: ours, their new entries after ours,
 * the merged status. */
static bool says(const secex_buf *text, const side *a, const side *b, size_t nbase, const char *to)
{
	side m = { SECEX_BUF_INIT, NULL, NULL, NULL, NULL, 0 };
	size_t i;
	bool ok = secex_buf_put(&m.text, text->ptr, text->size) == 0 && parse(&m, "merged") == 0 &&
		  m.n == a->n + b->n - nbase && same_str(m.status, to);

	for (i = 0; ok && i < m.root->u.object.n; i++) {
		const secex_member *k = &m.root->u.object.members[i];
		const secex_node *mine = secex_node_get(a->root, k->key);

		if (strcmp(k->key, "status") && strcmp(k->key, "approvals"))
			ok = mine && secex_node_equal(mine, k->value);
	}
	for (i = 0; ok && i < m.n; i++)
		ok = secex_node_equal(m.approvals->u.array.items[i], i < a->n ? a->approvals->u.array.items[i]
							   : b->approvals->u.array.items[nbase + i - a->n]);
	release(&m);
	return ok;
}

/* The clean merge into *out; -1 when it is not one. */
static int merge(secex_buf *out, const char *const *files)
{
	side base = { SECEX_BUF_INIT, NULL, NULL, NULL, NULL, 0 }, a = base, b = base;
	const char *to;
	int rc = -1;

	if (load(&base, files[0]) < 0 || load(&a, files[1]) < 0 || load(&b, files[2]) < 0 ||
	    !only_appended(&base, &a) || !only_appended(&base, &b) || !(to = merged_status(&base, &a, &b)))
		goto cleanup;
	if (b.n == base.n && same_str(to, a.status))
		rc = secex_buf_put(out, a.text.ptr, a.text.size);
	else if (build(out, &base, &a, &b, to) == 0 && says(out, &a, &b, base.n, to))
		rc = 0;
cleanup:
	release(&base);
	release(&a);
	release(&b);
	secex_error_clear();
	return rc;
}

/* git's own three-way merge with conflict markers in ours. */
static int conflict(const char *const *files, const char *path)
{
	secex_run_options ropts = SECEX_RUN_OPTIONS_INIT;
	const char *argv[] = { "git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs", files[1], files[0],
			       files[2], NULL };
	int status = 0;

	ropts.quiet = true;
	if (secex_run(&status, argv, &ropts) < 0 || status == 0)
		return status == 0 ? 0 : CLI_EXIT_FINDINGS;
	fprintf(stderr, "secex: %s: both sides changed more than approvals and the status; resolve the "
		"conflict by hand, then have the approvals given again if the content changed\n",
		path ? path : files[1]);
	return CLI_EXIT_FINDINGS;
}

int cmd_merge_driver(int argc, char **argv)
{
	secex_buf merged = SECEX_BUF_INIT;
	const char *files[3];
	bool help;
	int rc;

	memset(&o, 0, sizeof(o));
	if ((rc = cli_opt_parse(&cmd_merge_driver_help, argc, argv, &help)) || help)
		return rc;
	if (o.args.n < 3 || o.args.n > 4) {
		cli_error("git passes BASE OURS THEIRS [PATH]: set it up with 'secex hooks install'");
		return CLI_EXIT_USAGE;
	}
	files[0] = o.args.v[0];
	files[1] = o.args.v[1];
	files[2] = o.args.v[2];
	if (merge(&merged, files) == 0)
		rc = secex_file_replace(files[1], merged.ptr, merged.size) < 0 ? cli_fail(SECEX_EIO) : CLI_EXIT_CLEAN;
	else
		rc = conflict(files, o.args.n == 4 ? o.args.v[3] : NULL);
	secex_buf_release(&merged);
	return rc;
}

/* Installs the driver: merge.secex.driver in the repository's config, and a line of
 * .gitattributes at the root for the exceptions directory. */
int cli_merge_driver_install(const char *root, const char *exceptions_dir)
{
	secex_run_options ropts = SECEX_RUN_OPTIONS_INIT;
	secex_buf cmd = SECEX_BUF_INIT, path = SECEX_BUF_INIT, attrs = SECEX_BUF_INIT, line = SECEX_BUF_INIT;
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *name[] = { "git", "-C", root, "config", "merge.secex.name", "secex: approvals appended on both sides", NULL };
	const char *drv[] = { "git", "-C", root, "config", "merge.secex.driver", NULL, NULL };
	int status = 0, rc;

	self[n > 0 ? n : 0] = '\0';
	secex_buf_printf(&cmd, "'%s' merge-driver %%O %%A %%B %%P", n > 0 ? self : "secex");
	drv[5] = secex_buf_cstr(&cmd);
	ropts.quiet = true;
	if ((rc = secex_run(&status, name, &ropts)) == 0 && status == 0)
		rc = secex_run(&status, drv, &ropts);
	if (rc == 0 && status != 0)
		rc = secex_error_set(SECEX_EREPO, "'git config merge.secex.driver' failed in '%s'", root);
	secex_buf_printf(&path, "%s/.gitattributes", root);
	secex_buf_printf(&line, "/%s/**/*.yaml merge=secex\n", exceptions_dir);
	if (rc == 0 && (rc = secex_file_read(&attrs, secex_buf_cstr(&path), 1 << 20)) == SECEX_ENOTFOUND)
		secex_error_clear(), rc = 0;
	if (rc == 0 && !strstr(secex_buf_cstr(&attrs), secex_buf_cstr(&line))) {
		if (attrs.size && attrs.ptr[attrs.size - 1] != '\n')
			secex_buf_putc(&attrs, '\n');
		secex_buf_puts(&attrs, secex_buf_cstr(&line));
		rc = secex_file_replace(secex_buf_cstr(&path), attrs.ptr, attrs.size);
	}
	if (rc == 0)
		printf("installed the merge driver for %s/ (git config merge.secex.driver, .gitattributes: commit it)\n",
		       exceptions_dir);
	secex_buf_release(&cmd);
	secex_buf_release(&path);
	secex_buf_release(&attrs);
	secex_buf_release(&line);
	return rc;
}
