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
	CLI_OPT_LIST,   /* cli_list: every value of a repeatable option, in order */
	CLI_OPT_OPTIONAL /* const char *: "" for --name alone, VALUE for --name=VALUE */
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

/* What a command asks of the shared setup, in its row of the command table (cmd/main.c). */
enum {
	CLI_SETUP_TODAY = 1 << 0 /* --today DATE: the parser takes and checks it, cli_now reads it */
};

/* A command's description, shared by its --help and `secex help`. */
typedef struct {
	const char *name;
	const char *usage;    /* "[--rev REV] [FILE...]" */
	const char *summary;  /* one line */
	const char *details;  /* paragraphs shown under the options, or NULL */
	const cli_opt *opts;
} cli_command_help;

/* Parses argv[1..] (argv[0] is the command name), with the shared options of the running
 * command's setup flags (cli.setup). Returns 0, or CLI_EXIT_USAGE after printing the problem;
 * *help_shown is set (and help printed) for -h/--help. */
int cli_opt_parse(const cli_command_help *cmd, int argc, char **argv, bool *help_shown);
/* The --help of cmd, with the lines of the shared options of setup (CLI_SETUP_ flags). */
void cli_opt_help(FILE *out, const cli_command_help *cmd, unsigned setup);

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
	cli_format fmt;
	secex_severity fail_level;
} cli_report_opts;

#define CLI_REPORT_OPTS_INIT { "text", "error", CLI_FORMAT_TEXT, SECEX_SEV_ERROR }

#define CLI_REPORT_OPT_ROWS(r)                                                                       \
	{ CLI_OPT_STRING, "format", 0, &(r)->format, "FORMAT",                                        \
	  "text, json, sarif, github, junit or markdown (default text)" },                          \
	{ CLI_OPT_STRING, "fail-on", 0, &(r)->fail_on, "SEVERITY",                                    \
	  "exit 1 on findings at or above error, warning or note (default error)" }

/* --trust-root REV, for the commands whose history walk takes it (cli_history_walk). */
#define CLI_TRUST_ROOT_OPT_ROW(p)                                                                    \
	{ CLI_OPT_STRING, "trust-root", 0, (p), "REV",                                               \
	  "the commit whose .secex/ is trusted as it is (or SECEX_TRUST_ROOT)" }

/* --branches[=PATTERN], for the commands that add the requests of other branches
 * (cli_pending_load). */
#define CLI_BRANCHES_OPT_ROW(p)                                                                      \
	{ CLI_OPT_OPTIONAL, "branches", 0, (p), "PATTERN",                                           \
	  "also requests that exist only on other branches (local and remote-tracking; a glob)" }

/* The process, which the program owns (cmd/env.c): libgit2's settings, set once in main. */
void cli_process_setup(bool no_owner_check);
/* ptr, or the process ends with "out of memory" (the program's choice, never the library's). */
void *cli_xalloc(void *ptr);
/* libcurl's global start, before the first delivery. */
int cli_delivery_setup(void);
/* Opens the repository with what git tells a hook in the environment (GIT_INDEX_FILE, the
 * quarantine and object directories). */
int cli_repo_open(secex_repo **out, const char *path);
/* secex_history_walk with the trust root of --trust-root (opts->trust_root), else of
 * SECEX_TRUST_ROOT, else the library's choice (git config secex.trustRoot). */
int cli_history_walk(secex_history **out, secex_repo *repo, const secex_history_options *opts, secex_diags *diags);
/* "Now", the one way every command reads it: the day --today fixed (cli_today_set), else
 * SECEX_TODAY, else the clock. */
int cli_now(int64_t *out);
/* The parser's step for a command with CLI_SETUP_TODAY: fixes --today's value (NULL: none
 * given) as every later cli_now of the run, or checks SECEX_TODAY. A bad value is printed
 * and returns CLI_EXIT_USAGE; 0 otherwise. */
int cli_today_set(const char *today);

/* Checks the parsed report options; prints the problem and returns CLI_EXIT_USAGE if bad. */
int cli_report_opts_check(cli_report_opts *r);

/* Writes the findings in the chosen format to out; `subject` names what was checked. */
int cli_render(FILE *out, const secex_diags *diags, cli_format fmt, const char *subject);
/* cli_render, where junit fails the test case of each finding at or above fail_level. */
int cli_render_failing(FILE *out, const secex_diags *diags, cli_format fmt, const char *subject,
		       secex_severity fail_level);
/* Sorts the findings, writes them to stdout in r's format, and returns the exit status
 * (CLI_EXIT_INTERNAL when they cannot be written). */
int cli_report_findings(const cli_report_opts *r, secex_diags *diags, const char *subject);
/* With no findings and text output, one line on stderr: "<what>: no findings" ("12
 * exceptions checked"), so that a clean run says what it did. */
void cli_report_clean(const cli_report_opts *r, const secex_diags *diags, const char *what);
/* The exit status for these findings. */
int cli_exit_for(const secex_diags *diags, secex_severity fail_level);

/* s with the control characters a terminal or CI log would act on escaped (see
 * secex_utf8_put_safe), for user data in text output; s itself when nothing needs it. The
 * copies live until the program exits. NULL stays NULL. */
const char *cli_safe(const char *s);

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
/* Whether the walk that gave diags could not read history (a shallow clone, SX305); then
 * its message, which says how to fix it, is printed as the error. */
bool cli_history_shallow(const secex_diags *diags);
/* SECEX_EREPO with the fix when the history is a shallow clone's (no approval can be
 * verified there), else 0. */
int cli_history_complete(const secex_history *history);

/* What history makes of each `status: approved` of s (the commit rev, default HEAD, and the
 * rules in force there judge); a tree without a repository or with a shallow history cannot
 * be judged: SECEX_EREPO (exit 3), never a guess. The caller frees both. */
int cli_verify(secex_approval_claim **claims, secex_history **history, const cli_snapshot *s, const char *rev);
/* Names on stderr each exception whose approvals do not verify, and what that makes it. */
void cli_warn_unverified(const cli_snapshot *s, const secex_approval_claim *claims, const char *what);

/* Records a status change of exception id in a commit signed as secex approve signs (secex
 * review, withdraw, close, reopen; verb names the command in messages). to must follow the
 * workflow from the status now (NULL: the review step: requested or needs-info to in-review,
 * in-review to the outcome of its decisions); comment, when given, is the commit message's
 * second paragraph. Returns the exit status; a refused step writes nothing and exits 1. */
int cli_record_status(const char *verb, const char *id, const char *to, const char *comment);
/* A git configuration value, or fallback when it is not set. */
int cli_config_or(secex_buf *out, secex_repo *repo, const char *key, const char *fallback);
/* The SSH public key line that user.signingkey's value names, as git reads it: a literal key
 * ("key::..." or "ssh-..."), or the first line of a public key file (path.pub when given the
 * private key's path; "~/" is the home directory). */
int cli_ssh_key_line(secex_buf *out, const char *value);
/* The roster's person whose key git will sign with (gpg.format, user.signingkey), and that
 * key; SECEX_EINVALID with the fix when there is none. */
int cli_find_signer(const secex_person **out, const secex_key **key, secex_repo *repo, const secex_roster *roster);

/* Global flags, set by main before the command runs. */
typedef struct {
	const char *dir; /* -C DIR, or NULL */
	bool no_owner_check;
	unsigned setup; /* the running command's CLI_SETUP_ flags, from the command table */
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
int cmd_scan(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_withdraw(int argc, char **argv);
int cmd_close(int argc, char **argv);
int cmd_reopen(int argc, char **argv);
int cmd_review_finding(int argc, char **argv);
int cmd_merge_driver(int argc, char **argv);
/* Sets git config merge.secex.driver in the repository at root and adds the exceptions
 * directory's line to root/.gitattributes (once). */
int cli_merge_driver_install(const char *root, const char *exceptions_dir);
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
extern const cli_command_help cmd_scan_help;
extern const cli_command_help cmd_review_help;
extern const cli_command_help cmd_withdraw_help;
extern const cli_command_help cmd_close_help;
extern const cli_command_help cmd_reopen_help;
extern const cli_command_help cmd_review_finding_help;
extern const cli_command_help cmd_merge_driver_help;

/* Reads scanner reports as 'secex scan' does (input_format: --input-format's value, NULL: detected
 * from the content). An unknown format, or a report that cannot be read (each an SX606 line
 * "FILE:LINE:COL: message [SX606]"), is printed and returns CLI_EXIT_USAGE; a failure to run
 * returns cli_fail's status. *out (for secex_scan_reports_free) holds n reports on 0. */
int cli_scan_reports(secex_scan_report ***out, const char *input_format, const char *const *paths, size_t n);

/* Requests that exist only on other branches (--branches): each with the branch it is on
 * and, as that branch's history judges it, who must still approve. */
typedef struct {
	char *branch;
	const secex_exception *exc; /* in snap */
	secex_snapshot *snap;       /* the branch's, shared by its requests; freed with the list */
	char *waiting;              /* "group 1 (roles): who, ...; risk owner (id)"; "" when none */
	bool proven;                /* its approvals count on that branch */
} cli_pending;

typedef struct {
	cli_pending *items;
	size_t n;
	secex_vec histories; /* cli_history *: what the items point into */
} cli_pending_list;

/* The requests of the branches matching pattern ("": all) whose id the snapshot here does
 * not hold; the first branch (by name) that holds an id wins. */
int cli_pending_load(cli_pending_list *out, const cli_snapshot *here, const char *pattern);
void cli_pending_release(cli_pending_list *list);

/* One exception's approval state as Markdown, text or a JSON object (status, check, show). */
void cli_status_markdown(secex_buf *out, const secex_approval_state *state, const secex_roster *roster);
/* due: a line under the heading (NULL: none), such as cli_due_text's */
void cli_status_text(secex_buf *out, const secex_approval_state *state, const secex_roster *roster,
		     const char *due);
/* "due DATE, N days left" (or "today", "expired N days ago"; the date alone once closed). */
void cli_due_text(secex_buf *out, const secex_exception *e, int64_t now);
void cli_status_json(secex_buf *out, const secex_approval_state *state, bool first);
/* A JSON string, or null for NULL. */
void cli_json_str(secex_buf *out, const char *str);
/* Appends ,"name":str (str a JSON string, or null when NULL); name is a plain key. */
void cli_json_member(secex_buf *out, const char *name, const char *str);

#endif
