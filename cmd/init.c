/* secex init: a working .secex/ and an empty exceptions directory. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "banned.h"

static struct {
	const char *dir;
} o = { "exceptions" };

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "exceptions-dir", 0, &o.dir, "DIR", "where exception files live (default exceptions)" },
	CLI_OPT_END
};

const cli_command_help cmd_init_help = {
	"init", "[--exceptions-dir DIR]",
	"Writes .secex/policy.yaml (the default approval table: critical, high, medium, low),\n"
	".secex/people.yaml (a one-person roster to edit) and the exceptions directory, in the\n"
	"repository's top level (or the current directory outside a repository).",
	"It refuses to overwrite anything: when one of the files exists, nothing is written.",
	opts
};

static int write_new(const char *path, const char *text)
{
	size_t len = strlen(text), done = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			unlink(path);
			return -1;
		}
		done += (size_t)n;
	}
	return close(fd);
}

/* The default policy with exceptions_dir replaced. */
static char *policy_text(void)
{
	secex_buf b = SECEX_BUF_INIT;
	const char *text = secex_policy_default_text();
	const char *at = strstr(text, "exceptions_dir: exceptions\n");

	if (!at)
		return NULL;
	secex_buf_put(&b, text, (size_t)(at - text));
	secex_buf_printf(&b, "exceptions_dir: %s\n", o.dir);
	secex_buf_puts(&b, at + strlen("exceptions_dir: exceptions\n"));
	return secex_buf_detach(&b);
}

static bool dir_ok(const char *dir)
{
	const char *p;

	if (!*dir || dir[0] == '/' || strstr(dir, ".."))
		return false;
	for (p = dir; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/", *p))
			return false;
	return true;
}

static int make_dirs(const char *path)
{
	char buf[4096];
	char *p;

	if (strlen(path) >= sizeof(buf))
		return -1;
	memcpy(buf, path, strlen(path) + 1);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int cmd_init(int argc, char **argv)
{
	secex_repo *repo = NULL;
	secex_buf keep = SECEX_BUF_INIT;
	char *policy = NULL;
	const char *targets[3];
	bool help;
	int rc, i;

	if ((rc = cli_opt_parse(&cmd_init_help, argc, argv, &help)) || help)
		return rc;
	if (!dir_ok(o.dir)) {
		cli_error("--exceptions-dir '%s' must be a relative path of letters, digits, '.', '_', '-' and '/'", o.dir);
		return CLI_EXIT_USAGE;
	}
	if (secex_repo_open(&repo, ".") == 0 && secex_repo_workdir(repo) && chdir(secex_repo_workdir(repo)) < 0) {
		cli_error("cannot change to the repository's top level: %s", strerror(errno));
		rc = CLI_EXIT_INTERNAL;
		goto cleanup;
	}
	secex_buf_printf(&keep, "%s/.gitkeep", o.dir);
	targets[0] = SECEX_POLICY_PATH;
	targets[1] = SECEX_PEOPLE_PATH;
	targets[2] = keep.ptr;
	for (i = 0; i < 3; i++) {
		if (access(targets[i], F_OK) == 0) {
			cli_error("'%s' already exists; secex init writes nothing over existing files "
				  "(remove it first, or edit it by hand)", targets[i]);
			rc = CLI_EXIT_USAGE;
			goto cleanup;
		}
	}
	if (!(policy = policy_text()) || make_dirs(".secex") < 0 || make_dirs(o.dir) < 0 ||
	    write_new(SECEX_POLICY_PATH, policy) < 0 ||
	    write_new(SECEX_PEOPLE_PATH, secex_roster_default_text()) < 0 || write_new(keep.ptr, "") < 0) {
		cli_error("cannot write the files: %s", strerror(errno));
		rc = CLI_EXIT_INTERNAL;
		goto cleanup;
	}
	printf("created %s, %s and %s/\n"
	       "next: add your approvers and their signing keys to %s, then 'secex validate'\n",
	       SECEX_POLICY_PATH, SECEX_PEOPLE_PATH, o.dir, SECEX_PEOPLE_PATH);
	if (repo && secex_repo_workdir(repo) && cli_merge_driver_install(".", o.dir) < 0)
		rc = cli_fail(SECEX_EREPO);
cleanup:
	free(policy);
	secex_buf_release(&keep);
	secex_repo_free(repo);
	return rc;
}
