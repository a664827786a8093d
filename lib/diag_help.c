/* What each finding code means and how to fix it: the long texts of SARIF rules. */

#include <string.h>
#include "secex/diag.h"
#include "banned.h"

static const struct {
	const char *code, *description, *help;
} texts[] = {
	{ "SX101", "The file is not well-formed YAML (or JSON): libyaml stopped at the position given.",
	  "Fix the syntax at the line and column named: an unclosed quote or bracket, a tab used for indentation, "
	  "or a key without ': '. 'secex validate FILE' shows the position again." },
	{ "SX102", "A mapping has the same key twice; YAML parsers disagree about which value wins.",
	  "Keep one of the two keys and delete the other; merge their values if both were meant." },
	{ "SX103", "The file uses a YAML anchor (&name) or alias (*name), which secex refuses: aliases can "
	  "hide content from a reviewer and expand exponentially.",
	  "Write the value out in full where the alias stands and remove the anchor." },
	{ "SX104", "The file uses a YAML tag (!tag or !!type); exception files are plain data.",
	  "Remove the tag and write the value as a plain or quoted scalar." },
	{ "SX105", "The file holds more than one YAML document ('---' separators); secex reads one document a file.",
	  "Split the documents into one file each, or remove the extra '---' lines." },
	{ "SX106", "The file is not valid UTF-8 (or holds a NUL byte).",
	  "Save the file as UTF-8; the position names the first bad byte." },
	{ "SX107", "The file is larger than 1 MiB and was not read.",
	  "Keep long material (scan reports, logs) out of the exception and link it under 'references'." },
	{ "SX108", "Collections are nested more than 64 levels deep and the file was not read further.",
	  "Flatten the structure; no field of the schema nests that deep." },
	{ "SX109", "A symbolic link, submodule or other non-regular entry stands where a file or directory is expected.",
	  "Replace the link or submodule with a real file or directory in the repository." },
	{ "SX110", "The document does not conform to its JSON Schema; the message names the keyword that failed.",
	  "Correct the value at the position given; 'did you mean' suggests the nearest known key. The schemas are "
	  "in schemas/*.schema.json, with a description on every property." },
	{ "SX111", "A row or cell of the tracker spreadsheet was not imported (an unknown column, a row already "
	  "imported, an approved row without approvers).",
	  "Check the named row of the CSV file; the warning says what was left out and why." },
	{ "SX120", "Two exception files use the same id.",
	  "Give the later file the next free id (and rename it to match)." },
	{ "SX121", "A person id is not in the roster (.secex/people.yaml).",
	  "Use a roster id ('secex list' and the roster show them), or add the person to the roster in a commit "
	  "signed by an admin." },
	{ "SX122", "The priority is not one of the levels of the policy (.secex/policy.yaml).",
	  "Use one of the policy's level names, for example critical, high, medium or low." },
	{ "SX123", "A date is invalid or out of order (due_date not after created or original_due_date, an approval "
	  "dated before the request was created).",
	  "Write dates as YYYY-MM-DD or RFC 3339, due_date after created (and after original_due_date), "
	  "approvals dated on or after created." },
	{ "SX124", "The exception runs longer than the maximum duration its level allows.",
	  "Move due_date within the level's max_duration, or ask for a new exception when that time is up." },
	{ "SX125", "An extension lacks a field that extensions need (original_due_date, remediation_plan).",
	  "Add the missing fields, or make the request an acceptance if the issue will not be fixed." },
	{ "SX126", "The file name does not match the exception's id.",
	  "Rename the file to ID.yaml (git mv) or correct the id." },
	{ "SX127", "The policy or roster is inconsistent in a way the schema cannot check (a cycle in the role "
	  "hierarchy, a group naming a role nobody holds, an id_pattern that does not compile).",
	  "Fix .secex/policy.yaml or .secex/people.yaml as the message says, in a commit signed by an admin." },
	{ "SX201", "An approval the exception's level requires has not been given (or does not count).",
	  "Ask a person of the named group to run 'secex approve ID' and push the signed commit; 'secex status ID' "
	  "shows who can approve." },
	{ "SX202", "The commit that adds the approval entry is not signed, so nothing shows the approver gave it.",
	  "Have the approver give the approval again with 'secex approve ID', which makes a signed commit." },
	{ "SX203", "The approval commit carries a signature that does not verify against its content.",
	  "Have the approver sign the approval again ('secex approve ID'); a tampered or corrupt commit counts for nothing." },
	{ "SX204", "The approval commit is signed with the key of someone other than the person named in 'by'.",
	  "Each approver signs their own approval: the named approver must run 'secex approve ID' with their key." },
	{ "SX205", "The signing key is not in the roster, or the commit is dated outside the key's validity window.",
	  "Add the key to the approver's roster entry (signed by an admin) or sign with a listed, valid key." },
	{ "SX206", "The approver was not active in the roster when the approval was given.",
	  "Ask an active member of the group to approve instead." },
	{ "SX207", "The approver's role does not fill the approver group named in the entry.",
	  "Ask a person whose role (or a senior role) fills that group to approve." },
	{ "SX208", "Separation of duties is broken: the requestor filled an approver group, or one person filled two groups.",
	  "Ask another member of the group, who did not request the exception and fills no other group, to approve." },
	{ "SX209", "The exception's substantive content changed after the approval was given.",
	  "Ask the approver to review the changes and approve again ('secex approve ID')." },
	{ "SX210", "The status says approved (or denied) while the recorded decisions do not support it.",
	  "Set the status back to what the approvals support, or collect the missing approvals first." },
	{ "SX211", "The approval's signature was lost when the pull request was squashed or rebased.",
	  "Merge approval branches with a merge commit, or have the approvers approve again on the main branch." },
	{ "SX212", "An extension within the level's no-escalation threshold needs one SME approval only.",
	  "Nothing to fix: this note says why fewer approvals are required." },
	{ "SX301", "A change to .secex/ (policy, roster, keys) was not made in a commit signed by an admin; "
	  "secex ignores the change.",
	  "Have an admin make the change again in a signed commit, or revert it." },
	{ "SX302", "A key or role was granted in a commit by the person who benefits from it.",
	  "Have another admin grant the key or role in their own signed commit." },
	{ "SX303", "No trust root is pinned: the first commit that added .secex/ is trusted as it is.",
	  "Pin the trust root with --trust-root REV or SECEX_TRUST_ROOT (a commit you have checked)." },
	{ "SX304", "The commit in the checkpoint file is no longer in the history: the history was rewritten.",
	  "Find out who force-pushed and why; audit the new history and write a new checkpoint." },
	{ "SX305", "The repository is a shallow clone, so its history cannot be audited.",
	  "Fetch the whole history first: 'git fetch --unshallow', or 'fetch-depth: 0' in GitHub Actions." },
	{ "SX401", "The priority of the exception was lowered and no approval was given after the change.",
	  "Have the level's approvers approve the exception again at its new priority." },
	{ "SX402", "The priority of the exception was raised and no approval was given after the change.",
	  "Have the new level's approvers approve the exception." },
	{ "SX403", "The due date was changed.", "Nothing to fix: this note records the change for the audit." },
	{ "SX404", "The due date was extended past the level's no-escalation threshold without a later approval.",
	  "Have the level's approvers approve the extended exception." },
	{ "SX405", "original_due_date was rewritten; it records the remediation date before the first extension.",
	  "Restore the original value; extend by changing due_date instead." },
	{ "SX406", "The status changed in a way the workflow does not allow, or a new file did not start as requested.",
	  "Follow the workflow (requested, in-review, approved or denied, closed or withdrawn); start new files as requested." },
	{ "SX407", "An approved exception was edited substantively while staying approved.",
	  "Set the status back to in-review and collect the approvals again." },
	{ "SX408", "An approval entry was removed or rewritten; approvals are append-only.",
	  "Restore the entry as it was; record a new decision as a new entry." },
	{ "SX409", "An exception file was deleted while it was not closed or withdrawn.",
	  "Restore the file and set its status to closed or withdrawn instead of deleting it." },
	{ "SX410", "An id was reused for a different exception (another title or creation date).",
	  "Give the new exception the next free id and restore the old one's id." },
	{ "SX501", "The open exception has no assignee.", "Name the person who will fix it in 'assignee'." },
	{ "SX502", "The assignee has left (departed in the roster).",
	  "Name a new assignee; the message names the departed person's manager." },
	{ "SX503", "The risk owner has left (departed in the roster).",
	  "Name a new risk owner, who must approve the exception again." },
	{ "SX504", "The open exception has no due date.", "Set due_date within the level's maximum duration." },
	{ "SX505", "The exception is past its due date and no longer covers its findings.",
	  "Fix the finding and close the exception, or request an extension that is approved." },
	{ "SX506", "The exception reaches its due date within the policy's expiring_within window.",
	  "Plan the fix now, or request an extension in time for it to be approved." },
	{ "SX507", "The request has waited for review longer than the policy's initial_review_sla.",
	  "Ask the approvers named by 'secex status ID' to review it." },
};

bool secex_diag_code_help(const char **description, const char **help, const char *code)
{
	size_t i;

	for (i = 0; code && i < sizeof(texts) / sizeof(*texts); i++) {
		if (strcmp(texts[i].code, code) == 0) {
			*description = texts[i].description;
			*help = texts[i].help;
			return true;
		}
	}
	return false;
}
