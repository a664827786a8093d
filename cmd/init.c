/* secex init: a working .secex/, with the one running it as the first admin, and an empty
 * exceptions directory. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "secex/banned.h"

static struct {
	const char *dir, *key;
	bool git_init;
} o = { "exceptions", NULL, false };

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "exceptions-dir", 0, &o.dir, "DIR", "where exception files live (default exceptions)" },
	{ CLI_OPT_FLAG, "git-init", 0, &o.git_init, NULL, "outside a git repository, run 'git init' first" },
	{ CLI_OPT_STRING, "key", 0, &o.key, "KEY",
	  "your SSH public key (a line, or a .pub file) instead of user.signingkey's" },
	CLI_OPT_END
};

const cli_command_help cmd_init_help = {
	"init", "[--exceptions-dir DIR] [--git-init] [--key KEY]",
	"Writes .secex/policy.yaml (the default approval table: critical, high, medium, low),\n"
	".secex/people.yaml and the exceptions directory in the repository's top level. The roster\n"
	"holds one person, you (git's user.name and user.email), with the admin role and your SSH\n"
	"signing key (gpg.format ssh and user.signingkey, or --key, or asked for on a terminal), so\n"
	"that the commit adding .secex/ can be the trust root later changes are judged by.",
	"It refuses to overwrite anything: when one of the files exists, nothing is written. Outside\n"
	"a git repository it refuses, unless --git-init. With an OpenPGP key, add your fingerprint\n"
	"and armoured public key by hand (it says how) before the first commit: a trust root whose\n"
	"roster gives no admin a key is SX306.",
	opts
};

/* Who runs init, from git's configuration. */
typedef struct {
	secex_buf name, email, id, key, format, signingkey;
} admin;

#define ADMIN_INIT { SECEX_BUF_INIT, SECEX_BUF_INIT, SECEX_BUF_INIT, SECEX_BUF_INIT, SECEX_BUF_INIT, SECEX_BUF_INIT }

static void admin_release(admin *a)
{
	secex_buf_release(&a->name);
	secex_buf_release(&a->email);
	secex_buf_release(&a->id);
	secex_buf_release(&a->key);
	secex_buf_release(&a->format);
	secex_buf_release(&a->signingkey);
}

/* Creates path holding text (through lib/core/file.c, atomically), never over an existing file. */
static int write_new(const char *path, const char *text)
{
	int rc = secex_file_create(path, text, strlen(text));

	if (rc == SECEX_EEXISTS)
		rc = secex_error_set(rc, "'%s' already exists; secex init writes nothing over existing files "
				     "(remove it first, or edit it by hand)", path);
	return rc;
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

/* The repository here, after 'git init' with --git-init; outside one, a usage error. */
static int open_repo(secex_repo **repo)
{
	const char *argv[] = { "git", "init", "--quiet", NULL };
	secex_run_options ropts = SECEX_RUN_OPTIONS_INIT;
	int status = 0;

	if (cli_repo_open(repo, ".") == 0)
		return 0;
	secex_error_clear();
	if (!o.git_init) {
		cli_error("this is not a git repository, and secex keeps its exceptions in one; run "
			  "'git init' first, or 'secex init --git-init'");
		return CLI_EXIT_USAGE;
	}
	ropts.hint = "install git";
	if (secex_run(&status, argv, &ropts) < 0 || status != 0) {
		cli_error("'git init' did not work; run it yourself, then 'secex init'");
		return CLI_EXIT_INTERNAL;
	}
	printf("initialised a git repository in the current directory\n");
	return cli_repo_open(repo, ".") < 0 ? cli_fail(SECEX_EREPO) : 0;
}

/* A roster id from the e-mail's local part: lowercase letters, digits, '.', '_', '-'. */
static void person_id(secex_buf *out, const char *email)
{
	const char *p;

	for (p = email; *p && *p != '@'; p++) {
		char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;

		if (c && strchr("abcdefghijklmnopqrstuvwxyz0123456789._-", c))
			secex_buf_putc(out, c);
	}
	if (!out->size)
		secex_buf_puts(out, "admin");
}

/* Reads one line from the terminal into out, without its line break. */
static void ask_key(secex_buf *out)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	printf("your SSH public key for signing (a line, or a .pub file; empty to add it later): ");
	fflush(stdout);
	if ((n = getline(&line, &cap, stdin)) > 0) {
		while (n && strchr(" \t\r\n", line[n - 1]))
			n--;
		secex_buf_put(out, line, (size_t)n);
	}
	free(line);
}

/* The SSH key line from --key, git's SSH signing key, or the terminal; empty without one. */
static int admin_key(admin *a)
{
	secex_buf asked = SECEX_BUF_INIT;
	const char *from = o.key;
	int rc = 0;

	if (!from && strcmp(secex_buf_cstr(&a->format), "ssh") == 0 && a->signingkey.size)
		from = a->signingkey.ptr;
	if (!from && !a->signingkey.size && isatty(0) && isatty(1)) {
		ask_key(&asked);
		from = asked.size ? asked.ptr : NULL;
	}
	if (from)
		rc = cli_ssh_key_line(&a->key, from);
	if (rc == 0 && a->key.size && strncmp(a->key.ptr, "ssh-", 4) != 0 && strncmp(a->key.ptr, "ecdsa-", 6) != 0 &&
	    strncmp(a->key.ptr, "sk-", 3) != 0)
		rc = secex_error_set(SECEX_EINVALID, "'%s' is not an SSH public key line; give the .pub file or "
				     "the line itself ('ssh-ed25519 AAAA... you@host')", from);
	secex_buf_release(&asked);
	return rc;
}

static int admin_from_git(admin *a, secex_repo *repo)
{
	int rc;

	if ((rc = cli_config_or(&a->name, repo, "user.name", "")) < 0 ||
	    (rc = cli_config_or(&a->email, repo, "user.email", "")) < 0 ||
	    (rc = cli_config_or(&a->format, repo, "gpg.format", "openpgp")) < 0 ||
	    (rc = cli_config_or(&a->signingkey, repo, "user.signingkey", "")) < 0)
		return cli_fail(rc);
	if (!a->name.size || !a->email.size) {
		fprintf(stderr, "secex: warning: git does not know who you are (user.name, user.email), so the "
			"roster's first admin is a placeholder; put your name, e-mail and key in it, or set both "
			"(git config user.name 'Your Name'; git config user.email you@example.com) and run "
			"'secex init' in a fresh clone\n");
		secex_buf_clear(&a->name);
		secex_buf_clear(&a->email);
		secex_buf_puts(&a->name, "Security Program Owner");
		secex_buf_puts(&a->email, "security@example.com");
		secex_buf_puts(&a->id, "admin");
	} else {
		person_id(&a->id, a->email.ptr);
	}
	return (rc = admin_key(a)) < 0 ? cli_fail(rc) : 0;
}

/* The roster: the template's comments and one person, the admin. */
static char *roster_text(const admin *a)
{
	secex_buf b = SECEX_BUF_INIT;

	secex_buf_puts(&b, "# secex roster: everyone who requests, owns or approves exceptions.\n"
		       "# Add each approver's signing key (an SSH public key line, or an OpenPGP fingerprint with\n"
		       "# its armoured public key); `secex export --allowed-signers` turns them into a git\n"
		       "# allowed_signers file. Every key is documented in schemas/people.schema.json.\n"
		       "version: 1\npeople:\n");
	secex_buf_printf(&b, "  - id: %s\n    name: ", a->id.ptr);
	secex_yamlout_put_value(&b, a->name.ptr, SECEX_YAML_LINE, 10, 6);
	secex_buf_puts(&b, "    email: ");
	secex_yamlout_put_value(&b, a->email.ptr, SECEX_YAML_LINE, 11, 6);
	secex_buf_puts(&b, "    roles: [secex-admin, security-engineer]\n    status: active\n");
	if (a->key.size) {
		secex_buf_puts(&b, "    keys:\n      - ");
		secex_yamlout_put_value(&b, a->key.ptr, SECEX_YAML_LINE, 8, 8);
	} else {
		secex_buf_puts(&b, "    keys: []\n");
	}
	return secex_buf_detach(&b);
}

static void say_next(const admin *a)
{
	printf("created %s, %s and %s/ with %s <%s> as the first admin\n", SECEX_POLICY_PATH, SECEX_PEOPLE_PATH,
	       o.dir, cli_safe(a->id.ptr), cli_safe(a->email.ptr));
	if (!a->key.size && a->signingkey.size)
		printf("add your OpenPGP key to your entry's keys in %s before committing:\n"
		       "  - openpgp: your fingerprint (gpg --with-colons --fingerprint %s, the fpr line)\n"
		       "    public_key: |\n"
		       "      the block that 'gpg --armor --export %s' prints\n",
		       SECEX_PEOPLE_PATH, cli_safe(a->signingkey.ptr), cli_safe(a->signingkey.ptr));
	else if (!a->key.size)
		printf("add your SSH public key line to your entry's keys in %s before committing, or set it\n"
		       "up for git and run init again: git config gpg.format ssh; git config user.signingkey\n"
		       "~/.ssh/id_ed25519.pub (without an admin key no change of .secex/ can ever be approved)\n",
		       SECEX_PEOPLE_PATH);
	printf("next: add your approvers to %s, then commit it signed:\n"
	       "  git add .secex .gitattributes %s && git commit -S -m 'secex init'\n"
	       "and pin that commit as the trust root, here and in CI:\n"
	       "  git config secex.trustRoot $(git rev-parse HEAD)\n"
	       "  CI: secex check --trust-root <that commit> (or SECEX_TRUST_ROOT=<that commit>)\n",
	       SECEX_PEOPLE_PATH, o.dir);
}

int cmd_init(int argc, char **argv)
{
	secex_repo *repo = NULL;
	secex_buf keep = SECEX_BUF_INIT;
	admin who = ADMIN_INIT;
	char *policy = NULL, *roster = NULL;
	const char *targets[3];
	bool help;
	int rc, i;

	if ((rc = cli_opt_parse(&cmd_init_help, argc, argv, &help)) || help)
		return rc;
	if (!dir_ok(o.dir)) {
		cli_error("--exceptions-dir '%s' must be a relative path of letters, digits, '.', '_', '-' and '/'", o.dir);
		return CLI_EXIT_USAGE;
	}
	if ((rc = open_repo(&repo)) != 0)
		goto cleanup;
	if (!secex_repo_workdir(repo) || chdir(secex_repo_workdir(repo)) < 0) {
		cli_error("cannot go to the repository's working tree (a bare repository?); run 'secex init' in a clone");
		rc = CLI_EXIT_USAGE;
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
	if ((rc = admin_from_git(&who, repo)) != 0)
		goto cleanup;
	if (!(policy = policy_text()) || !(roster = roster_text(&who))) {
		rc = cli_fail(secex_error_nomem());
		goto cleanup;
	}
	if ((rc = secex_file_mkdirs(".secex")) < 0 || (rc = secex_file_mkdirs(o.dir)) < 0 ||
	    (rc = write_new(SECEX_POLICY_PATH, policy)) < 0 || (rc = write_new(SECEX_PEOPLE_PATH, roster)) < 0 ||
	    (rc = write_new(keep.ptr, "")) < 0) {
		rc = cli_fail(rc);
		goto cleanup;
	}
	if (cli_merge_driver_install(".", o.dir) < 0) {
		rc = cli_fail(SECEX_EREPO);
		goto cleanup;
	}
	say_next(&who);
cleanup:
	free(policy);
	free(roster);
	admin_release(&who);
	secex_buf_release(&keep);
	secex_repo_free(repo);
	return rc;
}
