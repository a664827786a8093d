/* secex: the command table, global options and dispatch. */

#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "secex/banned.h"

cli_globals cli;

typedef struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const cli_command_help *help; /* NULL for help and version */
	unsigned setup;               /* CLI_SETUP_ flags: the shared options the command takes */
	const char *summary;
} command;

static const command commands[] = {
	{ "init", cmd_init, &cmd_init_help, 0, "create .secex/ with a default policy and roster" },
	{ "validate", cmd_validate, &cmd_validate_help, CLI_SETUP_TODAY, "check files against the schemas and the policy" },
	{ "new", cmd_new, &cmd_new_help, CLI_SETUP_TODAY, "write a new exception request from options, or by asking on a terminal" },
	{ "list", cmd_list, &cmd_list_help, CLI_SETUP_TODAY, "list exceptions, filtered by status, priority, owner, expiry" },
	{ "health", cmd_health, &cmd_health_help, CLI_SETUP_TODAY, "what needs attention today: unassigned, departed, expired, ..." },
	{ "status", cmd_status, &cmd_status_help, CLI_SETUP_TODAY, "who must still approve each exception, and why each approval counts" },
	{ "check", cmd_check, &cmd_check_help, CLI_SETUP_TODAY, "the pull-request gate: validation, approvals, audit of the range" },
	{ "show", cmd_show, &cmd_show_help, CLI_SETUP_TODAY, "one exception with its timeline from history and its approvals" },
	{ "report", cmd_report, &cmd_report_help, CLI_SETUP_TODAY, "the weekly digest per risk owner: Markdown, HTML, JSON, e-mail, Slack" },
	{ "metrics", cmd_metrics, &cmd_metrics_help, CLI_SETUP_TODAY, "open, expiring, expired, by status, priority, type; review times; over time" },
	{ "scan", cmd_scan, &cmd_scan_help, CLI_SETUP_TODAY, "judge scanner reports (SARIF, Trivy, Grype, ...) against the exceptions" },
	{ "audit", cmd_audit, &cmd_audit_help, CLI_SETUP_TODAY, "walk the history for edits a program owner must see" },
	{ "approve", cmd_approve, &cmd_approve_help, CLI_SETUP_TODAY, "record your decision on an exception in a signed commit" },
	{ "review", cmd_review, &cmd_review_help, 0, "put a request in review, or record the outcome of its decisions" },
	{ "withdraw", cmd_withdraw, &cmd_withdraw_help, 0, "withdraw a request that is no longer needed" },
	{ "close", cmd_close, &cmd_close_help, 0, "close an approved or denied exception" },
	{ "reopen", cmd_reopen, &cmd_reopen_help, 0, "take an approved exception back into review" },
	{ "review-finding", cmd_review_finding, &cmd_review_finding_help, 0, "record, signed, that you reviewed and accept an audit finding" },
	{ "export", cmd_export, &cmd_export_help, CLI_SETUP_TODAY, "the exceptions as tracker CSV, JSON or scanner suppressions; signers" },
	{ "import", cmd_import, &cmd_import_help, CLI_SETUP_TODAY, "turn a tracker spreadsheet (CSV) into exception files" },
	{ "merge-driver", cmd_merge_driver, &cmd_merge_driver_help, 0, "git's merge driver: approvals appended on both sides merge cleanly" },
	{ "hooks", cmd_hooks, &cmd_hooks_help, 0, "install the pre-commit hook into this repository" },
	{ "help", cmd_help, NULL, 0, "show help for secex or one command" },
	{ "version", cmd_version, NULL, 0, "print the version" },
	{ NULL, NULL, NULL, 0, NULL }
};

static const command *find_command(const char *name)
{
	const command *c;

	for (c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void usage(FILE *out)
{
	const command *c;

	fputs("usage: secex [-C DIR] [--no-owner-check] COMMAND [OPTIONS]\n\n"
	      "secex keeps security exceptions as YAML files in git: schema-checked, approved by\n"
	      "signed commits of the right people, and audited through history.\n\ncommands:\n", out);
	for (c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fputs("\nglobal options:\n"
	      "  -C DIR             run as if started in DIR\n"
	      "  --no-owner-check   open a repository owned by another user (CI containers)\n"
	      "  -h, --help         show this help\n"
	      "  --version          print the version\n\n"
	      "'secex help COMMAND' or 'secex COMMAND --help' shows a command's options;\n"
	      "'secex help codes' lists the finding codes, 'secex help SX209' explains one.\n"
	      "See also secex(1).\n", out);
}

/* `secex help SX209`: what one finding code means and how to clear it. */
static int help_code(const char *name)
{
	char upper[8];
	const secex_diag_code *code;
	const secex_diag_help *help;
	size_t i;

	for (i = 0; name[i] && i + 1 < sizeof(upper); i++)
		upper[i] = name[i] >= 'a' && name[i] <= 'z' ? (char)(name[i] - 'a' + 'A') : name[i];
	upper[i] = '\0';
	if (name[i] || !(code = secex_diag_code_lookup(upper)) || !(help = secex_diag_help_lookup(upper))) {
		cli_error("no finding code '%s'; 'secex help codes' lists them", cli_safe(name));
		return CLI_EXIT_USAGE;
	}
	printf("%s (%s): %s\n\n%s\n\nto fix: %s\n", code->code, secex_diag_severity_name(code->severity), code->title,
	       help->description, help->help);
	return CLI_EXIT_CLEAN;
}

static bool looks_like_code(const char *s)
{
	return (s[0] == 'S' || s[0] == 's') && (s[1] == 'X' || s[1] == 'x') && s[2] >= '0' && s[2] <= '9';
}

int cmd_help(int argc, char **argv)
{
	const command *c;
	const secex_diag_code *code;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: secex help [COMMAND | codes | CODE]\n\n"
		       "Shows secex's commands, one command's options, the list of finding codes\n"
		       "('secex help codes'), or what one code means and how to clear it\n"
		       "('secex help SX209').\n");
		return CLI_EXIT_CLEAN;
	}
	if (argc < 2) {
		usage(stdout);
		return CLI_EXIT_CLEAN;
	}
	if (strcmp(argv[1], "codes") == 0) {
		for (code = secex_diag_codes(); code->code; code++)
			printf("%s  %-7s  %s\n", code->code, secex_diag_severity_name(code->severity), code->title);
		return CLI_EXIT_CLEAN;
	}
	if (looks_like_code(argv[1]))
		return help_code(argv[1]);
	if (!(c = find_command(argv[1]))) {
		cli_error("no command '%s'; 'secex help' lists the commands, 'secex help codes' the finding "
			  "codes", cli_safe(argv[1]));
		return CLI_EXIT_USAGE;
	}
	if (c->help)
		cli_opt_help(stdout, c->help, c->setup);
	else
		printf("usage: secex %s\n\n%s\n", c->name, c->summary);
	return CLI_EXIT_CLEAN;
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("secex %s\n", SECEX_VERSION);
	return CLI_EXIT_CLEAN;
}

int main(int argc, char **argv)
{
	const command *c;
	int i = 1;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-C") == 0 && i + 1 < argc) {
			cli.dir = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "-C", 2) == 0 && argv[i][2]) {
			cli.dir = argv[i] + 2;
			i++;
		} else if (strcmp(argv[i], "--no-owner-check") == 0) {
			cli.no_owner_check = true;
			i++;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return CLI_EXIT_CLEAN;
		} else if (strcmp(argv[i], "--version") == 0) {
			return cmd_version(0, NULL);
		} else {
			cli_error("unknown global option '%s'; see 'secex --help'", argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!(c = find_command(argv[i]))) {
		cli_error("'%s' is not a secex command; 'secex help' lists them", argv[i]);
		return CLI_EXIT_USAGE;
	}
	if (cli.dir && chdir(cli.dir) < 0) {
		cli_error("cannot change to '%s': %s", cli.dir, strerror(errno));
		return CLI_EXIT_USAGE;
	}
	cli_process_setup(cli.no_owner_check);
	cli.setup = c->setup;
	return c->fn(argc - i, argv + i);
}
