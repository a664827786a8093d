/* secex hooks install: puts secex's git hooks into the repository. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "secex/embedded.h"
#include "secex/banned.h"

extern const secex_embedded secex_embedded_hooks[];

static struct {
	bool force;
	cli_args args;
} o;

static const cli_opt opts[] = {
	{ CLI_OPT_FLAG, "force", 'f', &o.force, NULL, "replace a hook that secex did not install" },
	{ CLI_OPT_ARGS, "install", 0, &o.args, NULL, "the action: install" },
	CLI_OPT_END
};

const cli_command_help cmd_hooks_help = {
	"hooks", "install [--force]",
	"Installs secex's pre-commit hook into this repository's hooks directory (core.hooksPath,\n"
	"or .git/hooks): every commit that stages exception or .secex/ files is validated first,\n"
	"from the index, with the same diagnostics as 'secex validate'. Also installs the merge\n"
	"driver for exception files (see 'secex merge-driver'): git config merge.secex.driver and a\n"
	"line in .gitattributes, to commit.",
	"A hook secex did not write is never replaced unless --force is given.\n"
	"The pre-receive hook for git servers is in the source tree, hooks/pre-receive.",
	opts
};

/* The hook text with @SECEX@ replaced by this program's absolute path. */
static char *hook_text(const secex_embedded *hook)
{
	secex_buf b = SECEX_BUF_INIT;
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *at = strstr(hook->data, "@SECEX@");

	self[n > 0 ? n : 0] = '\0';
	if (!at)
		return strdup(hook->data);
	secex_buf_put(&b, hook->data, (size_t)(at - hook->data));
	secex_buf_puts(&b, n > 0 ? self : "secex");
	secex_buf_puts(&b, at + 7);
	return secex_buf_detach(&b);
}

static bool ours(const char *path)
{
	secex_buf text = SECEX_BUF_INIT;
	bool yes = secex_file_read(&text, path, 1 << 20) == 0 && strstr(secex_buf_cstr(&text), "# secex-hook:");

	secex_buf_release(&text);
	secex_error_clear();
	return yes;
}

static int install(const secex_embedded *hook, const char *dir)
{
	secex_buf path = SECEX_BUF_INIT;
	char *text = hook_text(hook);
	int rc = CLI_EXIT_INTERNAL;

	secex_buf_printf(&path, "%s%s", dir, hook->name);
	if (!text || !path.ptr)
		goto cleanup;
	if (access(path.ptr, F_OK) == 0 && !ours(path.ptr) && !o.force) {
		cli_error("'%s' exists and was not written by secex; keep it, or pass --force to replace it",
			  path.ptr);
		rc = CLI_EXIT_USAGE;
		goto cleanup;
	}
	mkdir(dir, 0755);
	if (secex_file_replace(path.ptr, text, strlen(text)) < 0) {
		cli_error("%s", secex_error_last());
		goto cleanup;
	}
	if (chmod(path.ptr, 0755) < 0) {
		cli_error("cannot make '%s' executable: %s", path.ptr, strerror(errno));
		goto cleanup;
	}
	printf("installed %s\n", path.ptr);
	rc = 0;
cleanup:
	free(text);
	secex_buf_release(&path);
	return rc;
}

/* The merge driver for the exceptions directory of the policy in the working tree. */
static int driver(secex_repo *repo)
{
	secex_diags scratch = SECEX_DIAGS_INIT;
	cli_snapshot s;
	int rc;

	rc = cli_snapshot_open(&s, NULL, &scratch);
	rc = cli_merge_driver_install(secex_repo_workdir(repo), rc == 0 && s.snap ? s.snap->policy->exceptions_dir
											: "exceptions");
	cli_snapshot_close(&s);
	secex_diag_release(&scratch);
	return rc < 0 ? cli_fail(rc) : 0;
}

int cmd_hooks(int argc, char **argv)
{
	secex_buf dir = SECEX_BUF_INIT;
	secex_repo *repo = NULL;
	bool help;
	int rc;

	if ((rc = cli_opt_parse(&cmd_hooks_help, argc, argv, &help)) || help)
		return rc;
	if (o.args.n != 1 || strcmp(o.args.v[0], "install") != 0) {
		cli_error("say what to do: 'secex hooks install'");
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_repo_open(&repo, ".")) < 0)
		return cli_fail(rc);
	if (secex_repo_hooks_dir(&dir, repo) < 0)
		rc = cli_fail(SECEX_ENOMEM);
	else
		rc = install(secex_embedded_find(secex_embedded_hooks, "pre-commit"), dir.ptr);
	if (rc == 0 && secex_repo_workdir(repo))
		rc = driver(repo);
	secex_buf_release(&dir);
	secex_repo_free(repo);
	return rc;
}
