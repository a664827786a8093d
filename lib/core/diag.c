/* Findings: the code table, the list, overrides and deterministic order. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secex/diag.h"
#include "secex/util.h"
#include "secex/array.h"
#include "secex/banned.h"

static const secex_diag_code codes[] = {
	{ "SX101", SECEX_SEV_ERROR, "YAML syntax error" },
	{ "SX102", SECEX_SEV_ERROR, "duplicate key" },
	{ "SX103", SECEX_SEV_ERROR, "anchor or alias" },
	{ "SX104", SECEX_SEV_ERROR, "tag" },
	{ "SX105", SECEX_SEV_ERROR, "more than one document" },
	{ "SX106", SECEX_SEV_ERROR, "invalid UTF-8" },
	{ "SX107", SECEX_SEV_ERROR, "file too large" },
	{ "SX108", SECEX_SEV_ERROR, "nesting too deep" },
	{ "SX109", SECEX_SEV_ERROR, "not a regular file" },
	{ "SX110", SECEX_SEV_ERROR, "schema violation" },
	{ "SX111", SECEX_SEV_WARNING, "tracker row or cell not imported" },
	{ "SX112", SECEX_SEV_WARNING, "file not read: extension not in lowercase" },
	{ "SX120", SECEX_SEV_ERROR, "duplicate id" },
	{ "SX121", SECEX_SEV_ERROR, "unknown person" },
	{ "SX122", SECEX_SEV_ERROR, "unknown priority level" },
	{ "SX123", SECEX_SEV_ERROR, "date out of order or invalid" },
	{ "SX124", SECEX_SEV_ERROR, "longer than the level's max duration" },
	{ "SX125", SECEX_SEV_ERROR, "extension without its fields" },
	{ "SX126", SECEX_SEV_ERROR, "file name does not match id" },
	{ "SX127", SECEX_SEV_ERROR, "policy or roster inconsistent" },
	{ "SX201", SECEX_SEV_ERROR, "required approval missing" },
	{ "SX202", SECEX_SEV_ERROR, "approval commit unsigned" },
	{ "SX203", SECEX_SEV_ERROR, "signature does not verify" },
	{ "SX204", SECEX_SEV_ERROR, "signed by someone else than the approver" },
	{ "SX205", SECEX_SEV_ERROR, "key unknown or outside its validity" },
	{ "SX206", SECEX_SEV_ERROR, "approver not active" },
	{ "SX207", SECEX_SEV_ERROR, "role does not fill the group" },
	{ "SX208", SECEX_SEV_ERROR, "separation of duties broken" },
	{ "SX209", SECEX_SEV_ERROR, "approval stale: content changed since" },
	{ "SX210", SECEX_SEV_ERROR, "status not supported by decisions" },
	{ "SX211", SECEX_SEV_ERROR, "signature lost to a squash or rebase merge" },
	{ "SX212", SECEX_SEV_NOTE, "extension within threshold: one SME approval suffices" },
	{ "SX213", SECEX_SEV_NOTE, "decision superseded: does not count, no longer blocks" },
	{ "SX301", SECEX_SEV_ERROR, ".secex/ change not signed by an admin" },
	{ "SX302", SECEX_SEV_ERROR, "key or role granted by the person it benefits" },
	{ "SX303", SECEX_SEV_WARNING, "trust root not pinned" },
	{ "SX304", SECEX_SEV_ERROR, "history rewritten since the checkpoint" },
	{ "SX305", SECEX_SEV_ERROR, "shallow repository: cannot audit" },
	{ "SX306", SECEX_SEV_ERROR, "trust root gives no admin a key" },
	{ "SX401", SECEX_SEV_ERROR, "priority lowered" },
	{ "SX402", SECEX_SEV_WARNING, "priority raised" },
	{ "SX403", SECEX_SEV_NOTE, "due date changed" },
	{ "SX404", SECEX_SEV_ERROR, "extended past the threshold without a later approval" },
	{ "SX405", SECEX_SEV_ERROR, "original_due_date rewritten" },
	{ "SX406", SECEX_SEV_ERROR, "status transition outside the workflow" },
	{ "SX407", SECEX_SEV_WARNING, "approved exception edited substantively" },
	{ "SX408", SECEX_SEV_ERROR, "approval entry removed or rewritten" },
	{ "SX409", SECEX_SEV_WARNING, "exception file deleted, not closed" },
	{ "SX410", SECEX_SEV_ERROR, "id reused for another exception" },
	{ "SX411", SECEX_SEV_ERROR, "risk owner changed after approvals, not reviewed again" },
	{ "SX412", SECEX_SEV_WARNING, "review of an audit finding does not count" },
	{ "SX501", SECEX_SEV_WARNING, "unassigned" },
	{ "SX502", SECEX_SEV_WARNING, "assignee departed" },
	{ "SX503", SECEX_SEV_WARNING, "risk owner departed" },
	{ "SX504", SECEX_SEV_WARNING, "no due date" },
	{ "SX505", SECEX_SEV_ERROR, "expired" },
	{ "SX506", SECEX_SEV_WARNING, "expiring within the window" },
	{ "SX507", SECEX_SEV_WARNING, "awaiting review past the SLA" },
	{ "SX601", SECEX_SEV_NOTE, "scanner finding accepted by an approved exception" },
	{ "SX602", SECEX_SEV_ERROR, "scanner finding covered only by an exception that no longer covers it" },
	{ "SX603", SECEX_SEV_WARNING, "scanner finding covered only by a request awaiting approval" },
	{ "SX604", SECEX_SEV_ERROR, "scanner finding not covered by any exception" },
	{ "SX605", SECEX_SEV_WARNING, "stale exception: nothing it covers was found" },
	{ "SX606", SECEX_SEV_ERROR, "scanner report unreadable or of an unknown format" },
	{ "SX607", SECEX_SEV_NOTE, "uncovered scanner finding below --fail-on-severity" },
	{ NULL, SECEX_SEV_NOTE, NULL }
};

/* What each code means and how to fix it, in the order of codes[] (SARIF fullDescription and
 * help; tests/unit/test_diag.c checks the order). */
static const secex_diag_help help[] = {
	{ "SX101", "The file is not well-formed YAML, so none of its fields can be read.",
	  "Fix the syntax at the position shown (an unclosed quote or bracket, a bad indent) and run secex validate again." },
	{ "SX102", "A mapping names the same key twice; YAML parsers disagree on which value wins.",
	  "Keep one of the two keys and delete the other." },
	{ "SX103", "The file uses a YAML anchor or alias, which secex refuses because aliases can hide or multiply content.",
	  "Write the value out in full where the alias stands and remove the anchor." },
	{ "SX104", "The file uses an explicit YAML tag, which secex refuses so that every value has one plain meaning.",
	  "Remove the tag (the text starting with '!') and write the value as a plain scalar, list or mapping." },
	{ "SX105", "The file holds more than one YAML document; an exception file must hold exactly one.",
	  "Remove the '---' separator and move the second document to a file of its own." },
	{ "SX106", "The file contains bytes that are not valid UTF-8.",
	  "Re-save the file as UTF-8 and replace the character at the position shown." },
	{ "SX107", "The file is larger than the limit secex reads.",
	  "Shorten the file: keep long evidence in the ticket or a linked document and reference it." },
	{ "SX108", "The YAML nests deeper than secex allows.",
	  "Flatten the structure; no exception field needs that many levels." },
	{ "SX109", "The path is not a regular file or directory (a symbolic link, submodule or special file stands in its place).",
	  "Replace it with a regular file or directory committed to the repository." },
	{ "SX110", "A field breaks the schema: an unknown key, a wrong type, a missing required field or a value outside its pattern.",
	  "Change the field as the message says; schemas/exception.schema.json lists every field." },
	{ "SX111", "A row or cell of the imported tracker could not be turned into an exception field, so it was left out.",
	  "Fix the cell in the tracker (the message names the row and column) and import again." },
	{ "SX112", "A file in the exceptions directory ends in .YAML, .YML or .JSON (not lowercase), so secex does not read it.",
	  "Rename it with a lowercase extension (git mv EXC-0001.YAML EXC-0001.yaml)." },
	{ "SX120", "Two exception files use the same id.",
	  "Give the newer exception a fresh id and rename its file to match." },
	{ "SX121", "A person named in the exception is not in the roster (.secex/people.yaml).",
	  "Fix the id, or add the person to the roster in a commit signed by an admin." },
	{ "SX122", "The priority is not one of the levels the policy defines.",
	  "Use one of the levels in .secex/policy.yaml." },
	{ "SX123", "A date is invalid or out of order (for example a due date before the creation date).",
	  "Correct the date so that created, approved, due and extended dates follow one another." },
	{ "SX124", "The exception lasts longer than its priority level's maximum duration.",
	  "Bring the due date within the level's maximum, or record an extension with its approvals." },
	{ "SX125", "An extension lacks the fields the policy requires (the new plan, the reason or the original due date).",
	  "Add the missing extension fields the message names." },
	{ "SX126", "The file name does not match the exception's id.",
	  "Rename the file to <id>.yaml or fix the id inside it." },
	{ "SX127", "The policy or the roster contradicts itself (a group with no members, a role nobody holds, a duplicate person).",
	  "Fix .secex/policy.yaml or .secex/people.yaml as the message says, in a commit signed by an admin." },
	{ "SX201", "An approval the policy requires for this exception is missing.",
	  "Ask a member of the named group to approve with secex approve, in a signed commit." },
	{ "SX202", "The commit that adds an approval is not signed, so it proves nothing about who approved.",
	  "Have the approver make the approval again in a commit signed with their registered key." },
	{ "SX203", "The signature on the approval commit does not verify against its content.",
	  "Have the approver sign the approval again; check that the commit was not altered after signing." },
	{ "SX204", "The approval commit is signed by someone other than the person named in the approval.",
	  "The named approver must sign their own approval; remove this entry and let them approve." },
	{ "SX205", "The signing key is not in the roster, or the commit was signed outside the key's validity dates.",
	  "Register the key in .secex/people.yaml (signed by an admin) or approve again with a valid key." },
	{ "SX206", "The approver is not active in the roster at the time of the approval.",
	  "Ask an active member of the group to approve instead." },
	{ "SX207", "The approver's role does not belong to the group whose approval is required.",
	  "Ask someone holding one of the group's roles to approve." },
	{ "SX208", "One person fills two duties the policy keeps apart (for example requester and approver).",
	  "Ask a different person to give the approval." },
	{ "SX209", "The exception's content changed after the approval was given, so the approval no longer covers it.",
	  "Ask the approvers to review the current content and approve again; once their new decisions meet the requirements, the stale entry is a note (SX213)." },
	{ "SX210", "The exception's status claims more than its recorded decisions support (for example approved without the approvals).",
	  "Collect the approvals the status needs (secex status ID names them; secex approve sets approved itself once they are in), or move the status with secex reopen ID." },
	{ "SX211", "An approval's signed commit was lost when the branch was squashed or rebased, so its signature cannot be found.",
	  "Merge approval branches with a merge commit, or have the approvers approve again on the target branch." },
	{ "SX212", "The extension stays within the policy's threshold, so one subject-matter expert's approval suffices.",
	  "Nothing to fix; this note records why fewer approvals were needed." },
	{ "SX213", "A recorded decision that cannot count (stale, lost to a squash merge, in a role that fills nothing, a self-approval or a duplicate) no longer blocks: valid decisions met what it would have filled, or its person decided again since. It is kept, as entries are never removed, and still counts for nothing.",
	  "Nothing to fix; the note names the decision that superseded it." },
	{ "SX301", "A change to .secex/ (policy, roster or keys) is not signed by an admin, so secex ignores it.",
	  "Have an admin make or re-sign the change in a signed commit." },
	{ "SX302", "A key or role was granted in a commit signed by the person who benefits from it.",
	  "Have another admin make the grant." },
	{ "SX303", "The trust root (the first admin keys) is not pinned, so anyone rewriting history could replace it.",
	  "Name the trust root's commit with --trust-root, SECEX_TRUST_ROOT or git config secex.trustRoot." },
	{ "SX304", "History was rewritten since the recorded checkpoint, so earlier signatures cannot be trusted.",
	  "Restore the original history, or have an admin record a new checkpoint after review." },
	{ "SX305", "The repository is a shallow clone, so the history secex must audit is missing.",
	  "Fetch the full history (git fetch --unshallow, or fetch-depth: 0 in CI) and run again." },
	{ "SX306", "The roster at the trust root gives no active admin a signing key, so no later change of .secex/ can ever be signed by an admin.",
	  "Add your public key to your entry in .secex/people.yaml, commit it, and pin that commit as the trust root (git config secex.trustRoot)." },
	{ "SX401", "The exception's priority was lowered, which shortens no deadline but weakens the required review.",
	  "Revert the priority, or have the change approved as the policy requires." },
	{ "SX402", "The exception's priority was raised.",
	  "Check that the new priority is intended; the stricter approvals now apply." },
	{ "SX403", "The exception's due date changed.",
	  "Check that the change is an approved extension; record it as one if it is." },
	{ "SX404", "The exception was extended past the threshold without an approval given after the extension.",
	  "Collect the approvals the policy requires for extensions past the threshold." },
	{ "SX405", "The original_due_date field was rewritten; it must keep the first due date.",
	  "Restore original_due_date to its first value." },
	{ "SX406", "The status changed in a way the workflow does not allow.",
	  "A later commit setting it back does not undo the one that broke the workflow: drop or fix that commit on the unmerged branch (git rebase -i), then change the status with secex review, approve, withdraw, close or reopen, which only make allowed steps." },
	{ "SX407", "An approved exception was edited in a substantive field.",
	  "Run secex reopen ID (approved to in-review) and have the approvers run secex approve ID again; secex approve sets it approved once the approvals are complete." },
	{ "SX408", "An approval entry was removed or rewritten after it was given.",
	  "Restore the approval entry as it was; approvals are only ever added." },
	{ "SX409", "An exception file was deleted instead of being closed.",
	  "Restore the file and set its status to closed so the record stays." },
	{ "SX410", "An id was reused for a different exception after the first one was removed.",
	  "Give the new exception a fresh id." },
	{ "SX411", "The risk owner changed after approvals were given, and the approvers did not review it again.",
	  "Ask the approvers to approve again with the new risk owner." },
	{ "SX412", "An entry of .secex/reviews.yaml names a finding, but does not count: its commit is not validly signed by the reviewer it names, the reviewer holds no reviewer role in the roster before it, authored or signed the commit of the finding, or the finding is a trust finding, which no review accepts.",
	  "Have a person with one of the policy's reviewer_roles, who neither authored nor signed the commit of the finding, record the review with 'secex review-finding' in a signed commit; for a trust finding, fix its cause." },
	{ "SX501", "The exception has no assignee.",
	  "Set an assignee who will carry out the remediation plan." },
	{ "SX502", "The assignee has left; the message names their manager.",
	  "Assign the exception to someone active, for example the manager named." },
	{ "SX503", "The risk owner has left.",
	  "Name an active risk owner and have the change approved." },
	{ "SX504", "The exception has no due date.",
	  "Set a due date within the priority level's maximum duration." },
	{ "SX505", "The exception is past its due date.",
	  "Fix the issue and close the exception, or request an extension with its approvals." },
	{ "SX506", "The exception falls due within the warning window.",
	  "Finish the remediation or request an extension before the due date." },
	{ "SX507", "The exception has waited for review longer than the policy's SLA.",
	  "Ask the required approvers to review it." },
	{ "SX601", "A scanner finding is covered by an exception whose approvals history proves and that is not past its due date.",
	  "Nothing to do before the due date; fix the issue and close the exception by then." },
	{ "SX602", "A scanner finding is covered only by an exception that is expired, denied, withdrawn, closed or whose approvals do not verify.",
	  "Fix the finding, or request an extension or a new exception and have it approved." },
	{ "SX603", "A scanner finding is covered only by a request that still awaits its approvals.",
	  "Have the required approvers approve the request (secex status names them)." },
	{ "SX604", "A scanner finding is covered by no exception.",
	  "Fix it, or start a request with the secex new command the message gives." },
	{ "SX605", "An approved exception covers nothing the complete reports found.",
	  "Confirm the fix and close the exception." },
	{ "SX606", "A scanner report could not be read or is of a format secex does not know.",
	  "Give a complete report in one of the formats secex scan lists, or force one with --input-format." },
	{ "SX607", "A scanner finding is covered by no exception but is below --fail-on-severity.",
	  "Fix it in time, or start a request for it." },
	{ NULL, NULL, NULL }
};

#define NCODES (sizeof(codes) / sizeof(codes[0]) - 1)

const secex_diag_code *secex_diag_codes(void)
{
	return codes;
}

static long code_index(const char *code)
{
	size_t i;

	for (i = 0; i < NCODES; i++)
		if (strcmp(codes[i].code, code) == 0)
			return (long)i;
	return -1;
}

const secex_diag_code *secex_diag_code_lookup(const char *code)
{
	long i = code_index(code);

	return i < 0 ? NULL : &codes[i];
}

const secex_diag_help *secex_diag_helps(void)
{
	return help;
}

const secex_diag_help *secex_diag_help_lookup(const char *code)
{
	long i = code_index(code);

	return i < 0 || strcmp(help[i].code, code) != 0 ? NULL : &help[i];
}

void secex_diag_init(secex_diags *diags)
{
	memset(diags, 0, sizeof(*diags));
}

static void diag_release(secex_diag *d)
{
	free(d->file);
	free(d->exception);
	free(d->commit);
	free(d->message);
}

void secex_diag_release(secex_diags *diags)
{
	size_t i;

	if (!diags)
		return;
	for (i = 0; i < diags->n; i++)
		diag_release(&diags->items[i]);
	free(diags->items);
	free(diags->overrides);
	memset(diags, 0, sizeof(*diags));
}

int secex_diag_override(secex_diags *diags, const char *code, secex_severity severity)
{
	long i = code_index(code);
	size_t j;

	if (i < 0)
		return secex_error_set(SECEX_EINVALID, "unknown finding code '%s'", code);
	if (!diags->overrides) {
		diags->overrides = malloc(NCODES);
		SECEX_ERROR_CHECK_ALLOC(diags->overrides);
		memset(diags->overrides, -1, NCODES);
	}
	diags->overrides[i] = (signed char)severity;
	for (j = 0; j < diags->n; j++)
		if (strcmp(diags->items[j].code, code) == 0)
			diags->items[j].severity = severity;
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int secex_diag_vadd(secex_diags *diags, const char *code, const char *file, uint32_t line,
		     uint32_t column, const char *exception, const char *commit, const char *fmt, va_list ap)
{
	secex_buf msg = SECEX_BUF_INIT;
	secex_diag *d;
	long idx = code_index(code);
	int rc;

	SECEX_ERROR_CHECK_ALLOC(d = secex_array_grow(diags->items, &diags->cap, diags->n, sizeof(*d), 16));
	diags->items = d;
	rc = secex_buf_vprintf(&msg, fmt, ap);
	if (rc < 0 || !msg.ptr) {
		secex_buf_release(&msg);
		return secex_error_nomem();
	}

	d = &diags->items[diags->n];
	memset(d, 0, sizeof(*d));
	snprintf(d->code, sizeof(d->code), "%s", code);
	d->severity = idx < 0 ? SECEX_SEV_ERROR : codes[idx].severity;
	if (idx >= 0 && diags->overrides && diags->overrides[idx] >= 0)
		d->severity = (secex_severity)diags->overrides[idx];
	d->file = dup_or_null(file);
	d->line = line;
	d->column = column;
	d->exception = dup_or_null(exception);
	d->commit = dup_or_null(commit);
	d->message = msg.ptr;
	if ((file && !d->file) || (exception && !d->exception) || (commit && !d->commit)) {
		diag_release(d);
		return secex_error_nomem();
	}
	diags->n++;
	return 0;
}

int secex_diag_add(secex_diags *diags, const char *code, const char *file, uint32_t line,
		    uint32_t column, const char *exception, const char *commit, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = secex_diag_vadd(diags, code, file, line, column, exception, commit, fmt, ap);
	va_end(ap);
	return rc;
}

static int strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int diag_cmp(const void *pa, const void *pb)
{
	const secex_diag *a = pa, *b = pb;
	int c;

	if ((c = strcmp_null(a->file, b->file)))
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	if ((c = strcmp(a->code, b->code)))
		return c;
	if ((c = strcmp_null(a->exception, b->exception)))
		return c;
	if ((c = strcmp_null(a->commit, b->commit)))
		return c;
	return strcmp(a->message, b->message);
}

void secex_diag_sort(secex_diags *diags)
{
	if (diags->n > 1)
		qsort(diags->items, diags->n, sizeof(*diags->items), diag_cmp);
}

void secex_diag_count(const secex_diags *diags, size_t counts[3])
{
	size_t i;

	counts[0] = counts[1] = counts[2] = 0;
	for (i = 0; i < diags->n; i++)
		counts[diags->items[i].severity]++;
}

static const char *const severity_names[] = { "note", "warning", "error" };

bool secex_diag_severity_parse(secex_severity *out, const char *str)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (strcmp(str, severity_names[i]) == 0) {
			*out = (secex_severity)i;
			return true;
		}
	}
	return false;
}

const char *secex_diag_severity_name(secex_severity severity)
{
	return severity_names[severity <= SECEX_SEV_ERROR ? severity : SECEX_SEV_ERROR];
}
