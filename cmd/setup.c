/* Setup the commands share: finding the secex files and loading them once. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "secex/banned.h"

/* The nearest directory from the current one upwards that holds .secex/, not above stop
 * (the repository's top level, with a trailing '/'); NULL when there is none. */
static char *find_secex_root(const char *stop)
{
	char *dir = getcwd(NULL, 0);
	struct stat st;

	while (dir) {
		secex_buf probe = SECEX_BUF_INIT;
		char *slash;
		bool found;

		secex_buf_printf(&probe, "%s/.secex", dir);
		found = probe.ptr && stat(probe.ptr, &st) == 0 && S_ISDIR(st.st_mode);
		secex_buf_release(&probe);
		if (found)
			return dir;
		slash = strrchr(dir, '/');
		if (!slash || slash == dir || (stop && strlen(dir) + 1 <= strlen(stop)))
			break;
		*slash = '\0';
	}
	free(dir);
	return NULL;
}

/* The files to check: a commit's tree with --rev; otherwise the nearest directory holding
 * .secex/ within the repository (a repository may keep its secex files in a subdirectory),
 * else the repository's top level, else the current directory. */
int cli_open_tree(secex_repo **repo, secex_tree **tree, char **root, const char *rev)
{
	int rc = cli_repo_open(repo, ".");

	if (rc < 0 && (rc != SECEX_ENOTFOUND || rev))
		return rc;
	secex_error_clear();
	if (rev)
		return secex_tree_open_rev(tree, *repo, rev);
	*root = find_secex_root(*repo ? secex_repo_workdir(*repo) : NULL);
	if (!*root && *repo && !secex_repo_workdir(*repo))
		return secex_error_set(SECEX_EINVALID, "this is a bare repository; pass --rev REV to validate a commit");
	if (!*root)
		*root = strdup(*repo ? secex_repo_workdir(*repo) : ".");
	return *root ? secex_tree_open_dir(tree, *root) : secex_error_nomem();
}

static int snapshot_open(cli_snapshot *out, const char *rev, bool exceptions, secex_diags *diags)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = cli_open_tree(&out->repo, &out->tree, &out->root, rev)) < 0)
		return rc;
	if (!rev && !secex_tree_exists(out->tree, SECEX_POLICY_PATH) &&
	    !secex_tree_exists(out->tree, SECEX_PEOPLE_PATH))
		return secex_error_set(SECEX_EINVALID, "no .secex/policy.yaml or .secex/people.yaml here; "
				       "run 'secex init' to create them, or use -C DIR to point at a secex repository");
	return exceptions ? secex_snapshot_load(&out->snap, out->tree, diags)
			  : secex_snapshot_load_policy(&out->snap, out->tree, diags);
}

int cli_snapshot_open(cli_snapshot *out, const char *rev, secex_diags *diags)
{
	return snapshot_open(out, rev, true, diags);
}

void cli_snapshot_close(cli_snapshot *s)
{
	secex_snapshot_free(s->snap);
	secex_tree_free(s->tree);
	secex_repo_free(s->repo);
	free(s->root);
	memset(s, 0, sizeof(*s));
}

int cli_exceptions_dir(char **dir, char **shown, const cli_snapshot *s, const char *override)
{
	secex_buf b = SECEX_BUF_INIT;
	char *cwd = getcwd(NULL, 0);
	size_t len = strlen(s->root);

	while (len > 1 && s->root[len - 1] == '/')
		len--;
	if (override) {
		*dir = strdup(override);
		*shown = strdup(override);
	} else {
		secex_buf_printf(&b, "%.*s/%s", (int)len, s->root, s->snap->policy->exceptions_dir);
		*shown = strdup(cwd && strlen(cwd) == len && strncmp(cwd, s->root, len) == 0
					? s->snap->policy->exceptions_dir : secex_buf_cstr(&b));
		*dir = secex_buf_detach(&b);
	}
	free(cwd);
	return *dir && *shown ? 0 : secex_error_nomem();
}

/* The history first: its rules in force at the head, not the head's own .secex/, judge. */
static int history_open(cli_history *out, const secex_history_options *opts, bool exceptions,
			secex_diags *diags)
{
	const char *head = opts->head ? opts->head : "HEAD";
	cli_snapshot *s = &out->s;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = cli_open_tree(&s->repo, &s->tree, &s->root, head)) < 0 ||
	    (rc = cli_history_walk(&out->history, s->repo, opts, diags)) < 0)
		return rc;
	if (!secex_history_shallow(out->history) && (rc = secex_history_use_rules(out->history, s->tree)) < 0)
		return rc;
	return exceptions ? secex_snapshot_load(&s->snap, s->tree, diags) : secex_snapshot_load_policy(&s->snap, s->tree, diags);
}

int cli_history_open(cli_history *out, const secex_history_options *opts, secex_diags *diags)
{
	return history_open(out, opts, true, diags);
}

int cli_history_open_rules(cli_history *out, const secex_history_options *opts, secex_diags *diags)
{
	return history_open(out, opts, false, diags);
}

void cli_history_close(cli_history *h)
{
	secex_history_free(h->history);
	cli_snapshot_close(&h->s);
}

bool cli_history_shallow(const secex_diags *diags)
{
	size_t i;

	for (i = 0; i < diags->n; i++)
		if (strcmp(diags->items[i].code, "SX305") == 0) {
			cli_error("%s", diags->items[i].message);
			return true;
		}
	return false;
}

int cli_history_complete(const secex_history *history)
{
	if (!secex_history_shallow(history))
		return 0;
	return secex_error_set(SECEX_EREPO, "the repository is a shallow clone, so no approval can be "
			       "verified; fetch all of it with 'git fetch --unshallow' (GitHub Actions: "
			       "actions/checkout with 'fetch-depth: 0'; GitLab CI: GIT_DEPTH: 0)");
}

int cli_verify(secex_approval_claim **claims, secex_history **history, const cli_snapshot *s, const char *rev)
{
	secex_history_options hopts = SECEX_HISTORY_OPTIONS_INIT;
	secex_diags scratch = SECEX_DIAGS_INIT;
	int rc;

	*claims = NULL;
	*history = NULL;
	if (!s->repo)
		return secex_error_set(SECEX_EREPO, "this is not a git repository, so no approval can be verified; "
				       "run secex in the repository that holds the exceptions' history");
	hopts.head = rev;
	hopts.audit = false;
	if ((rc = cli_history_walk(history, s->repo, &hopts, &scratch)) == 0)
		rc = cli_history_complete(*history);
	if (rc == 0)
		rc = secex_approvals_claims(claims, *history, s->snap);
	secex_diag_release(&scratch);
	if (rc < 0) {
		secex_history_free(*history);
		*history = NULL;
	}
	return rc;
}

void cli_warn_unverified(const cli_snapshot *s, const secex_approval_claim *claims, const char *what)
{
	size_t i;

	for (i = 0; i < s->snap->n; i++)
		if (claims[i] == SECEX_CLAIM_INVALID)
			fprintf(stderr, "secex: warning: %s says approved but its approvals do not verify in the "
				"history, so it is %s; 'secex status %s' says what is missing\n", s->snap->items[i].id,
				what, s->snap->items[i].id);
}

int cli_config_or(secex_buf *out, secex_repo *repo, const char *key, const char *fallback)
{
	int rc = secex_repo_config_string(out, repo, key);

	if (rc == SECEX_ENOTFOUND) {
		secex_error_clear();
		return secex_buf_puts(out, fallback);
	}
	return rc;
}

int cli_ssh_key_line(secex_buf *out, const char *value)
{
	secex_buf path = SECEX_BUF_INIT, pub = SECEX_BUF_INIT, text = SECEX_BUF_INIT;
	const char *home = getenv("HOME");
	int rc;

	if (strncmp(value, "key::", 5) == 0 || strncmp(value, "ssh-", 4) == 0) /* as git tells keys from paths */
		return secex_buf_puts(out, strncmp(value, "key::", 5) == 0 ? value + 5 : value);
	if (strncmp(value, "~/", 2) == 0 && home)
		secex_buf_printf(&path, "%s/%s", home, value + 2);
	else
		secex_buf_puts(&path, value);
	secex_buf_printf(&pub, "%s.pub", secex_buf_cstr(&path));
	if ((rc = secex_file_read(&text, access(pub.ptr, R_OK) == 0 ? pub.ptr : path.ptr, 64 * 1024)) < 0)
		rc = secex_error_set(SECEX_EINVALID, "cannot read the SSH key '%s' named by user.signingkey; "
				     "set it to your public key file: git config user.signingkey ~/.ssh/id_ed25519.pub",
				     secex_buf_cstr(&path));
	else if (strncmp(secex_buf_cstr(&text), "-----BEGIN", 10) == 0)
		rc = secex_error_set(SECEX_EINVALID, "'%s' (user.signingkey) is a private key and '%s' does not "
				     "exist; put the public key there, or set user.signingkey to the public key file",
				     path.ptr, pub.ptr);
	else
		rc = secex_buf_put(out, secex_buf_cstr(&text), strcspn(secex_buf_cstr(&text), "\r\n"));
	secex_buf_release(&path);
	secex_buf_release(&pub);
	secex_buf_release(&text);
	return rc;
}
