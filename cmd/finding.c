/* secex review-finding: records, in a signed commit, that a person with a reviewer role
 * looked at one audit finding and accepts it (.secex/reviews.yaml). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "cli.h"
#include "secex/banned.h"

#define REFUSED 1

static struct {
	const char *exception, *commit, *comment;
	cli_args args;
} o;

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "exception", 0, &o.exception, "ID", "the exception the finding is about" },
	{ CLI_OPT_STRING, "commit", 0, &o.commit, "REV", "the commit the finding names" },
	{ CLI_OPT_STRING, "comment", 'm', &o.comment, "TEXT", "why the finding is accepted (required)" },
	{ CLI_OPT_ARGS, "CODE", 0, &o.args, NULL, "the finding's code: SX401, SX402, SX404, SX406, SX407, SX409 or SX211" },
	CLI_OPT_END
};

const cli_command_help cmd_review_finding_help = {
	"review-finding", "CODE --exception ID --commit REV --comment TEXT",
	"Records that you looked at one audit finding and accept it: appends an entry to\n"
	".secex/reviews.yaml and commits it alone, signed as 'git commit -S' signs. From then on\n"
	"check and audit show that finding as a note naming you and your comment.",
	"The review counts only when you hold one of the policy's reviewer_roles (default\n"
	"secex-admin) in the roster before your commit, and neither authored nor signed the\n"
	"commit of the finding; the commit changes .secex/, so it needs an admin role too.\n"
	"Reviewable: SX401, SX402, SX404, SX406, SX407, SX409, SX211; the trust findings are not.\n"
	"A finding that does not exist, or is reviewed already, is refused (exit 1) and nothing\n"
	"is written.",
	opts
};

typedef struct {
	cli_snapshot ws;   /* the working tree: where the file is written, who signs */
	cli_history hist;  /* HEAD and its history: the finding */
	const secex_person *person;
	char sha[41];
	secex_buf file, before, after;
} job;

static int git(secex_buf *out, const char *const *argv)
{
	secex_run_options ropts = SECEX_RUN_OPTIONS_INIT;
	int status, rc;

	ropts.out = out;
	ropts.quiet = out != NULL;
	ropts.interactive = out == NULL;
	if ((rc = secex_run(&status, argv, &ropts)) < 0)
		return rc;
	return status;
}

static bool has_role(const secex_policy *p, const secex_person *person, const secex_strlist *roles)
{
	size_t i, k;

	for (i = 0; person && i < person->roles.n; i++)
		for (k = 0; k < roles->n; k++)
			if (secex_policy_role_implies(p, person->roles.items[i], roles->items[k]))
				return true;
	return false;
}

/* The full id of --commit, into j->sha. */
static int resolve(job *j)
{
	secex_buf out = SECEX_BUF_INIT;
	secex_buf spec = SECEX_BUF_INIT;
	const char *argv[] = { "git", "-C", j->ws.root, "rev-parse", "-q", "--verify", NULL, NULL };
	int rc;

	secex_buf_printf(&spec, "%s^{commit}", o.commit);
	argv[6] = secex_buf_cstr(&spec);
	rc = git(&out, argv);
	if (rc == 0 && out.size >= 40) {
		memcpy(j->sha, out.ptr, 40);
		j->sha[40] = '\0';
	} else if (rc >= 0) {
		cli_error("'%s' names no commit of this repository; pass the commit the finding names "
			  "(secex check or secex audit shows it)", o.commit);
		rc = REFUSED;
	}
	secex_buf_release(&out);
	secex_buf_release(&spec);
	return rc;
}

/* The findings history gives now: the audit of every commit, and the approvals of the
 * exception (SX211). */
static int findings(job *j, secex_diags *diags)
{
	secex_history_options hopts = SECEX_HISTORY_OPTIONS_INIT;
	const secex_exception *e;
	secex_approval_state st;
	int rc;

	if ((rc = cli_history_open(&j->hist, &hopts, diags)) < 0)
		return rc;
	e = secex_snapshot_find(j->hist.s.snap, o.exception);
	if (e && e->valid) {
		if ((rc = secex_approvals_judge(&st, j->hist.history, j->hist.s.snap, e, false, diags)) < 0)
			return rc;
		secex_approvals_state_release(&st);
	}
	if ((rc = secex_policy_apply_severity(j->hist.s.snap->policy, diags)) < 0)
		return rc;
	return secex_reviews_apply(j->hist.history, j->hist.s.snap, diags);
}

/* Refuses a review of a finding that does not exist or is reviewed already. */
static int check_finding(job *j, const char *code)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	size_t i;
	int rc, found = 0;

	if ((rc = findings(j, &diags)) < 0)
		goto cleanup;
	for (i = 0; i < diags.n; i++) {
		const secex_diag *d = &diags.items[i];

		if (strcmp(d->code, code) == 0 && d->exception && strcmp(d->exception, o.exception) == 0 &&
		    d->commit && strcmp(d->commit, j->sha) == 0)
			found = d->severity == SECEX_SEV_NOTE && strncmp(d->message, "reviewed by ", 12) == 0 ? 2 : 1;
	}
	if (found == 2)
		cli_error("%s about %s in commit %.12s is reviewed already; nothing was written", code, o.exception,
			  j->sha);
	else if (!found)
		cli_error("history gives no finding %s about %s in commit %.12s; nothing was written; 'secex audit' "
			  "lists the findings with their commits", code, o.exception, j->sha);
	rc = found == 1 ? 0 : REFUSED;
cleanup:
	secex_diag_release(&diags);
	return rc;
}

/* Refuses a reviewer the rules would not count, before anything is written. */
static int check_person(job *j)
{
	const secex_policy *p = j->ws.snap->policy;
	const secex_key *key;
	int rc;

	if ((rc = cli_find_signer(&j->person, &key, j->ws.repo, j->ws.snap->roster)) < 0) {
		cli_error("%s; nothing was written", secex_error_last());
		return REFUSED;
	}
	if (!has_role(p, j->person, &p->reviewer_roles)) {
		cli_error("you (%s) hold no reviewer role (reviewer_roles: %s) in %s, so your review would not "
			  "count; nothing was written; ask a person who holds one to review it", j->person->id,
			  p->reviewer_roles.n ? p->reviewer_roles.items[0] : "secex-admin", SECEX_PEOPLE_PATH);
		return REFUSED;
	}
	if (!has_role(p, j->person, &p->admin_roles)) {
		cli_error("you (%s) hold no admin role (admin_roles: %s), and reviews.yaml is part of .secex/, "
			  "which only an admin changes (SX301); nothing was written; ask an admin who holds a "
			  "reviewer role to review it", j->person->id, p->admin_roles.n ? p->admin_roles.items[0] : "secex-admin");
		return REFUSED;
	}
	return 0;
}

/* Refuses the author of the finding's commit: the review would not count. */
static int check_author(job *j)
{
	const char *argv[] = { "git", "-C", j->ws.root, "log", "-1", "--format=%ae%n%ce", j->sha, NULL };
	secex_buf out = SECEX_BUF_INIT;
	const char *email = j->person->email;
	size_t len = email ? strlen(email) : 0;
	int rc = git(&out, argv);

	if (rc > 0)
		rc = 0; /* resolved already: git cannot fail here but for reasons shown elsewhere */
	if (rc == 0 && len && out.ptr && strncasecmp(out.ptr, email, len) == 0 && out.ptr[len] == '\n') {
		cli_error("you (%s) authored commit %.12s, which caused the finding, so your review would not "
			  "count; nothing was written; ask another person with a reviewer role", j->person->id, j->sha);
		rc = REFUSED;
	}
	secex_buf_release(&out);
	return rc;
}

static void put_field(secex_buf *b, const char *key, const char *value, bool first)
{
	secex_buf_printf(b, "  %s %s: ", first ? "-" : " ", key);
	if (secex_yamlout_plain_safe(value) && strcmp(key, "comment") != 0)
		secex_buf_puts(b, value);
	else
		secex_yamlout_put_quoted(b, value);
	secex_buf_putc(b, '\n');
}

/* The file with the new entry appended (created when absent). */
static int edit(job *j, const char *code)
{
	static const char *const header = "# Reviews of audit findings, written by 'secex review-finding' (see\n"
					  "# schemas/reviews.schema.json). Entries are only appended.\n";
	char date[16];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	secex_buf_printf(&j->file, "%s/%s", j->ws.root, SECEX_REVIEWS_PATH);
	rc = secex_file_read(&j->before, secex_buf_cstr(&j->file), SECEX_MAX_FILE_SIZE);
	if (rc == SECEX_ENOTFOUND) {
		secex_error_clear();
		rc = secex_buf_printf(&j->after, "%sreviews:\n", header);
	} else if (rc == 0 && strstr(secex_buf_cstr(&j->before), "reviews: []")) {
		const char *t = secex_buf_cstr(&j->before), *at = strstr(t, "reviews: []");

		rc = secex_buf_printf(&j->after, "%.*sreviews:%s", (int)(at - t), t, at + 11);
	} else if (rc == 0) {
		rc = secex_buf_put(&j->after, secex_buf_cstr(&j->before), j->before.size);
	}
	if (rc < 0)
		return rc;
	if (j->after.size && j->after.ptr[j->after.size - 1] != '\n')
		secex_buf_putc(&j->after, '\n');
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	put_field(&j->after, "code", code, true);
	put_field(&j->after, "exception", o.exception, false);
	put_field(&j->after, "commit", j->sha, false);
	put_field(&j->after, "by", j->person->id, false);
	put_field(&j->after, "date", date, false);
	put_field(&j->after, "comment", o.comment, false);
	return j->after.ptr ? 0 : secex_error_nomem();
}

/* The new text must pass the schema with one entry more, or nothing is written. */
static int validate_edit(job *j)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	const secex_schema *schema;
	secex_doc *doc = NULL;
	bool valid = false;
	int rc;

	if ((rc = secex_snapshot_builtin_schema(&schema, "reviews")) == 0 &&
	    (rc = secex_doc_parse(&doc, j->after.ptr, j->after.size, SECEX_REVIEWS_PATH, &diags)) == 0 && doc)
		rc = secex_schema_validate(&valid, schema, secex_doc_root(doc), SECEX_REVIEWS_PATH, NULL, &diags);
	if (rc == 0 && !valid) {
		cli_error("%s would not be valid with the new entry (%s); fix the file first (secex validate), "
			  "nothing was written", SECEX_REVIEWS_PATH, diags.n ? diags.items[0].message : "it does not parse");
		rc = REFUSED;
	}
	secex_doc_free(doc);
	secex_diag_release(&diags);
	return rc;
}

static int check_clean(job *j)
{
	secex_vec staged = SECEX_VEC_INIT;
	bool dirty = false;
	size_t i;
	int rc;

	if ((rc = secex_repo_staged_paths(&staged, j->ws.repo, NULL, 0)) == 0 && staged.n) {
		cli_error("the index has staged changes ('%s'); commit or unstage them first ('git restore --staged "
			  "PATH'); nothing was written", (char *)staged.items[0]);
		rc = REFUSED;
	}
	if (rc == 0 && (rc = secex_repo_path_changed(&dirty, j->ws.repo, SECEX_REVIEWS_PATH)) == 0 && dirty) {
		cli_error("'%s' has changes that are not committed; commit or discard them first; nothing was "
			  "written", SECEX_REVIEWS_PATH);
		rc = REFUSED;
	}
	for (i = 0; i < staged.n; i++)
		free(staged.items[i]);
	secex_vec_release(&staged);
	return rc;
}

static int commit(job *j, const char *code)
{
	const char *add[] = { "git", "-C", j->ws.root, "add", "--", SECEX_REVIEWS_PATH, NULL };
	const char *ci[] = { "git", "-C", j->ws.root, "commit", "-q", "-S", "-m", NULL, "-m", o.comment,
			     "--", SECEX_REVIEWS_PATH, NULL };
	const char *reset[] = { "git", "-C", j->ws.root, "reset", "-q", "--", SECEX_REVIEWS_PATH, NULL };
	secex_buf subject = SECEX_BUF_INIT;
	int rc;

	secex_buf_printf(&subject, "Review %s of %s in commit %.12s", code, o.exception, j->sha);
	ci[7] = secex_buf_cstr(&subject);
	if ((rc = secex_file_replace(secex_buf_cstr(&j->file), j->after.ptr, j->after.size)) < 0)
		goto cleanup;
	if (git(NULL, add) != 0 || git(NULL, ci) != 0) {
		git(NULL, reset);
		if (j->before.size)
			rc = secex_file_replace(secex_buf_cstr(&j->file), j->before.ptr, j->before.size);
		else
			rc = remove(secex_buf_cstr(&j->file)) == 0 ? 0 : SECEX_EIO;
		cli_error("git could not make the signed commit (see its message above); %s is back as it "
			  "was and nothing was committed", SECEX_REVIEWS_PATH);
		rc = REFUSED;
	}
cleanup:
	secex_buf_release(&subject);
	return rc;
}

static int usage(void)
{
	if (o.args.n != 1) {
		cli_error("name one finding code: secex review-finding CODE --exception ID --commit REV --comment TEXT");
		return CLI_EXIT_USAGE;
	}
	if (!o.exception || !o.commit) {
		cli_error("--exception ID and --commit REV name the finding; 'secex audit' shows both");
		return CLI_EXIT_USAGE;
	}
	if (!o.comment || strspn(o.comment, " \t\r\n") == strlen(o.comment)) {
		cli_error("--comment TEXT says why the finding is accepted; it is required");
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static int refuse_code(const char *code)
{
	if (secex_reviews_code_ok(code))
		return 0;
	cli_error("%s cannot be reviewed: only SX401, SX402, SX404, SX406, SX407, SX409 and SX211 can; %s", code,
		  secex_policy_trust_code(code) ? "a trust finding stays until its cause is fixed, as its message says"
						: "fix what its message says");
	return REFUSED;
}

static void job_release(job *j)
{
	cli_snapshot_close(&j->ws);
	cli_history_close(&j->hist);
	secex_buf_release(&j->file);
	secex_buf_release(&j->before);
	secex_buf_release(&j->after);
}

int cmd_review_finding(int argc, char **argv)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	const char *code;
	bool help;
	job j;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&j, 0, sizeof(j));
	if ((rc = cli_opt_parse(&cmd_review_finding_help, argc, argv, &help)) || help || (rc = usage()))
		return rc;
	code = o.args.v[0];
	if ((rc = refuse_code(code)) == 0 && (rc = cli_snapshot_open(&j.ws, NULL, &diags)) == 0 &&
	    (rc = check_person(&j)) == 0 && (rc = resolve(&j)) == 0 && (rc = check_author(&j)) == 0 &&
	    (rc = check_clean(&j)) == 0 && (rc = check_finding(&j, code)) == 0 && (rc = edit(&j, code)) == 0 &&
	    (rc = validate_edit(&j)) == 0 && (rc = commit(&j, code)) == 0)
		printf("reviewed %s of %s in commit %.12s: recorded in %s\n", code, o.exception, j.sha, SECEX_REVIEWS_PATH);
	rc = rc == REFUSED ? CLI_EXIT_FINDINGS : rc < 0 ? cli_fail(rc) : CLI_EXIT_CLEAN;
	job_release(&j);
	secex_diag_release(&diags);
	return rc;
}
