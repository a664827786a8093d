/* secex review, withdraw, close, reopen: the status steps of the workflow (SPEC §2.1), each a
 * signed commit of the exception file alone, as secex approve makes. */

#include <string.h>
#include "cli.h"
#include "secex/banned.h"

static struct {
	const char *comment;
	cli_args args;
} o;

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "comment", 'm', &o.comment, "TEXT", "why, in the commit message" },
	{ CLI_OPT_ARGS, "ID", 0, &o.args, NULL, "the id of the exception" },
	CLI_OPT_END
};

#define STEP_DETAILS                                                                             \
	"The commit is signed as 'git commit -S' signs, with a key the roster gives you, and holds\n" \
	"the exception file alone; a step the workflow does not allow from the status now is\n"      \
	"refused (exit 1) with the steps it allows, and nothing is written."

const cli_command_help cmd_review_help = {
	"review", "ID [--comment TEXT]",
	"Puts a request in review (requested or needs-info -> in-review). On an exception in\n"
	"review whose decisions are all in, records their outcome: approved when the approvals\n"
	"meet every requirement, denied when a deny counts.",
	STEP_DETAILS, opts
};

const cli_command_help cmd_withdraw_help = {
	"withdraw", "ID [--comment TEXT]",
	"Withdraws a request that is no longer needed (requested, needs-info or in-review ->\n"
	"withdrawn). Withdrawn is final: a new request takes a new id.",
	STEP_DETAILS, opts
};

const cli_command_help cmd_close_help = {
	"close", "ID [--comment TEXT]",
	"Closes an approved or denied exception (-> closed), for example once the fix shipped; the\n"
	"comment says why. Closed is final, and the file stays as the record.",
	STEP_DETAILS, opts
};

const cli_command_help cmd_reopen_help = {
	"reopen", "ID [--comment TEXT]",
	"Takes an approved exception back into review (approved -> in-review), for a re-review:\n"
	"after a content or due-date change made its approvals stale. secex approve sets it\n"
	"approved again once the new approvals meet the requirements.",
	STEP_DETAILS, opts
};

static int step(const cli_command_help *help, const char *to, int argc, char **argv)
{
	bool shown;
	int rc;

	memset(&o, 0, sizeof(o));
	if ((rc = cli_opt_parse(help, argc, argv, &shown)) || shown)
		return rc;
	if (o.args.n != 1) {
		cli_error("name one exception: secex %s ID; 'secex list' shows the ids", help->name);
		return CLI_EXIT_USAGE;
	}
	if (o.comment && strspn(o.comment, " \t\r\n") == strlen(o.comment)) {
		cli_error("--comment needs some text");
		return CLI_EXIT_USAGE;
	}
	return cli_record_status(help->name, o.args.v[0], to, o.comment);
}

int cmd_review(int argc, char **argv)
{
	return step(&cmd_review_help, NULL, argc, argv);
}

int cmd_withdraw(int argc, char **argv)
{
	return step(&cmd_withdraw_help, "withdrawn", argc, argv);
}

int cmd_close(int argc, char **argv)
{
	return step(&cmd_close_help, "closed", argc, argv);
}

int cmd_reopen(int argc, char **argv)
{
	return step(&cmd_reopen_help, "in-review", argc, argv);
}
