#ifndef SECEX_CLI_H
#define SECEX_CLI_H

/* What the commands share: options, output of findings, exit codes, global flags. */

#include <stdbool.h>
#include <stdio.h>
#include <secex.h>

/* Exit status (SPEC §7). */
enum {
	CLI_EXIT_CLEAN = 0,
	CLI_EXIT_FINDINGS = 1,
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_INTERNAL = 3
};

typedef enum {
	CLI_OPT_FLAG,   /* bool */
	CLI_OPT_STRING, /* const char * */
	CLI_OPT_ARGS,   /* cli_args: the remaining arguments */
	CLI_OPT_LIST    /* cli_list: every value of a repeatable option, in order */
} cli_opt_type;

typedef struct {
	char **v;
	int n;
} cli_args;

typedef struct {
	const char **v; /* points into argv; the array is the list's own */
	size_t n;
} cli_list;

void cli_list_release(cli_list *list);

typedef struct {
	cli_opt_type type;
	const char *name;       /* long name without "--", or the placeholder for ARGS */
	char alias;             /* short letter or 0 */
	void *value;
	const char *value_name; /* shown in --help: "REV" */
	const char *help;
} cli_opt;

#define CLI_OPT_END { CLI_OPT_FLAG, NULL, 0, NULL, NULL, NULL }

/* A command's description, shared by its --help and `secex help`. */
typedef struct {
	const char *name;
	const char *usage;    /* "[--rev REV] [FILE...]" */
	const char *summary;  /* one line */
	const char *details;  /* paragraphs shown under the options, or NULL */
	const cli_opt *opts;
} cli_command_help;

/* Parses argv[1..] (argv[0] is the command name). Returns 0, or CLI_EXIT_USAGE after printing
 * the problem; *help_shown is set (and help printed) for -h/--help. */
int cli_opt_parse(const cli_command_help *cmd, int argc, char **argv, bool *help_shown);
void cli_opt_help(FILE *out, const cli_command_help *cmd);

/* Output formats for findings. */
typedef enum {
	CLI_FORMAT_TEXT,
	CLI_FORMAT_JSON,
	CLI_FORMAT_SARIF,
	CLI_FORMAT_GITHUB,
	CLI_FORMAT_JUNIT,
	CLI_FORMAT_MARKDOWN
} cli_format;

bool cli_format_parse(cli_format *out, const char *name);

/* The options every findings command takes, with their parsed values. */
typedef struct {
	const char *format;
	const char *fail_on;
	const char *today;
	cli_format fmt;
	secex_severity fail_level;
} cli_report_opts;

#define CLI_REPORT_OPTS_INIT { "text", "error", NULL, CLI_FORMAT_TEXT, SECEX_SEV_ERROR }

#define CLI_REPORT_OPT_ROWS(r)                                                                       \
	{ CLI_OPT_STRING, "format", 0, &(r)->format, "FORMAT",                                        \
	  "text, json, sarif, github, junit or markdown (default text)" },                          \
	{ CLI_OPT_STRING, "fail-on", 0, &(r)->fail_on, "SEVERITY",                                    \
	  "exit 1 on findings at or above error, warning or note (default error)" },                \
	{ CLI_OPT_STRING, "today", 0, &(r)->today, "DATE",                                            \
	  "treat DATE (YYYY-MM-DD) as today, for reproducible runs (or SECEX_TODAY)" }

/* Checks the parsed report options; prints the problem and returns CLI_EXIT_USAGE if bad. */
int cli_report_opts_check(cli_report_opts *r);

/* Writes the findings in the chosen format to out; `subject` names what was checked. */
int cli_render(FILE *out, const secex_diags *diags, cli_format fmt, const char *subject);
/* The same, where findings at or above fail_level fail the job (JUnit failures); cli_render
 * takes errors. */
int cli_render_failing(FILE *out, const secex_diags *diags, cli_format fmt, const char *subject,
		       secex_severity fail_level);
/* Sorts the findings, writes them to stdout in r's format, and returns the exit status
 * (CLI_EXIT_INTERNAL when they cannot be written). */
int cli_report_findings(const cli_report_opts *r, secex_diags *diags, const char *subject);
/* The exit status for these findings. */
int cli_exit_for(const secex_diags *diags, secex_severity fail_level);

/* Prints "secex: error: <message>" from secex_error_last() and returns the exit status for rc. */
int cli_fail(int rc);
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/*
 * The files to check: a commit's tree with rev; otherwise the nearest directory from the
 * current one up that holds .secex/ (within the repository, if any), else the repository's
 * top level, else the current directory. *root is that directory (NULL with rev).
 */
int cli_open_tree(secex_repo **repo, secex_tree **tree, char **root, const char *rev);

/* A loaded snapshot with what holds it open. */
typedef struct {
	secex_repo *repo;
	secex_tree *tree;
	secex_snapshot *snap;
	char *root;
} cli_snapshot;

/* Opens the tree (as cli_open_tree) and loads its snapshot; load findings go to diags. */
int cli_snapshot_open(cli_snapshot *out, const char *rev, secex_diags *diags);
void cli_snapshot_close(cli_snapshot *snapshot);
/* Where new exception files go: override, else the policy's exceptions_dir under the
 * snapshot's root (a working tree, not a rev); *shown names it for messages, relative when
 * the root is the current directory. Both are the caller's to free. */
int cli_exceptions_dir(char **dir, char **shown, const cli_snapshot *s, const char *override);

/* A commit's snapshot and the history walked back from it. */
typedef struct {
	cli_snapshot s;
	secex_history *history;
} cli_history;

/* Loads the snapshot at opts->head (default HEAD) and walks the history; findings of both
 * go to diags. */
int cli_history_open(cli_history *out, const secex_history_options *opts, secex_diags *diags);
/* The same with only the policy and roster of the head (s.snap->n is 0): for the audit. */
int cli_history_open_rules(cli_history *out, const secex_history_options *opts, secex_diags *diags);
void cli_history_close(cli_history *h);

/* Global flags, set by main before the command runs. */
typedef struct {
	const char *dir; /* -C DIR, or NULL */
	bool no_owner_check;
} cli_globals;

extern cli_globals cli;

/* Commands. */
int cmd_init(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_hooks(int argc, char **argv);
int cmd_health(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_approve(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_new(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);

extern const cli_command_help cmd_init_help;
extern const cli_command_help cmd_validate_help;
extern const cli_command_help cmd_hooks_help;
extern const cli_command_help cmd_health_help;
extern const cli_command_help cmd_list_help;
extern const cli_command_help cmd_approve_help;
extern const cli_command_help cmd_export_help;
extern const cli_command_help cmd_import_help;
extern const cli_command_help cmd_new_help;
extern const cli_command_help cmd_status_help;
extern const cli_command_help cmd_check_help;
extern const cli_command_help cmd_audit_help;
extern const cli_command_help cmd_show_help;
extern const cli_command_help cmd_metrics_help;
extern const cli_command_help cmd_report_help;

/* One exception's approval state as Markdown, text or a JSON object (status, check, show). */
void cli_status_markdown(secex_buf *out, const secex_approval_state *state, const secex_roster *roster);
void cli_status_text(secex_buf *out, const secex_approval_state *state, const secex_roster *roster);
void cli_status_json(secex_buf *out, const secex_approval_state *state, bool first);
/* A JSON string, or null for NULL. */
void cli_json_str(secex_buf *out, const char *str);

#endif
