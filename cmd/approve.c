/* secex approve: records a decision on an exception in a commit signed as `git commit -S`. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "secex/banned.h"

static struct {
	bool deny, request_info, acknowledge, force;
	const char *comment;
	cli_args args;
} o;

static const cli_opt opts[] = {
	{ CLI_OPT_FLAG, "deny", 0, &o.deny, NULL, "record a denial instead of an approval" },
	{ CLI_OPT_FLAG, "request-info", 0, &o.request_info, NULL, "send the request back for more information" },
	{ CLI_OPT_FLAG, "acknowledge", 0, &o.acknowledge, NULL, "record that you reviewed it, without deciding" },
	{ CLI_OPT_STRING, "comment", 'm', &o.comment, "TEXT", "why: conditions, the reason for a denial, what is missing" },
	{ CLI_OPT_FLAG, "force", 0, &o.force, NULL, "record a decision that cannot count anyway, for the record (it never counts)" },
	{ CLI_OPT_ARGS, "ID", 0, &o.args, NULL, "the id of the exception" },
	CLI_OPT_END
};

const cli_command_help cmd_approve_help = {
	"approve", "ID [--deny | --request-info | --acknowledge] [--comment TEXT] [--today DATE] [--force]",
	"Records your decision on exception ID: adds an entry to its approvals list, dated today\n"
	"(--today), with who you are and the role you act in taken from your signing key and the\n"
	"roster, and commits that file alone, signed as 'git commit -S' signs with your git\n"
	"configuration (gpg.format, user.signingkey, gpg.program, gpg.ssh.program). The file's\n"
	"formatting and comments are kept.\n"
	"The status follows the decision: a decision puts a request in review, a request for\n"
	"information sets needs-info, and the decision that completes the requirements (or a deny\n"
	"that counts) sets approved (or denied), in a second signed commit when it was not yet in\n"
	"review.",
	"Nothing is written while the index has staged changes, while the exception, the policy or\n"
	"the roster has uncommitted changes, or when your key is not in .secex/people.yaml; when\n"
	"the commit fails, the file is put back as it was. A decision that cannot count is refused\n"
	"(exit 1): by the requestor, in roles that fill no open requirement, for a requirement you\n"
	"already fill, an acknowledgement by someone neither the risk owner nor a security SME, or\n"
	"with a key the roster does not give you at this time; --force records it anyway, with a\n"
	"warning.\n"
	"Signing with SSH:     git config gpg.format ssh\n"
	"                      git config user.signingkey ~/.ssh/id_ed25519.pub\n"
	"Signing with OpenPGP: git config user.signingkey FINGERPRINT",
	opts
};

typedef struct {
	const char *name;    /* the entry's decision */
	const char *subject; /* commit subject: "<subject> ID as ROLE" */
	const char *done;    /* printed: "<done> ID as ROLE in commit SHA" */
} decision;

static const decision decisions[] = {
	{ "approve", "Approve", "approved" },
	{ "deny", "Deny", "denied" },
	{ "request-info", "Request information on", "requested information on" },
	{ "acknowledge", "Acknowledge", "acknowledged" },
};

static bool same_str(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* The entry written into the file. */
typedef struct {
	const char *by, *decision, *role, *date, *comment;
} entry;

typedef struct {
	cli_snapshot s;
	const secex_exception *exc;
	const secex_person *person;
	const secex_key *key;
	const char *role;
	const decision *decision;
	char date[32];
	const char *status;  /* the exception's status now */
	const char *to;      /* the status the entry's commit sets, or NULL */
	const char *then;    /* the status a second commit sets, or NULL */
	secex_buf file;      /* the exception on disk */
	secex_buf before;    /* its text */
	secex_buf after;     /* its text with the entry */
	secex_buf subject;   /* of the next commit */
	secex_buf body;      /* its second paragraph, or empty */
	secex_buf sha;       /* the new commit, abbreviated */
} job;

/* A refusal already printed: secex approve exits 1 (nothing written). */
#define REFUSED 1

/* ---- running git and gpg ---- */

/*
 * Runs argv without a shell, as system() would (the terminal's interrupt goes to the child),
 * in the user's environment (git, gpg and ssh-keygen need their agents) and without a
 * timeout (a passphrase may be typed). Its standard output goes to out when out is not
 * NULL, else to our standard error, so that ours holds only the result; quiet sends its
 * standard input and error to /dev/null. Returns its exit status (127: it could not be
 * run; 128 + N: killed by signal N), or SECEX_EIO.
 */
static int run(secex_buf *out, bool quiet, const char *const *argv)
{
	secex_run_options ropts = SECEX_RUN_OPTIONS_INIT;
	int status, rc;

	ropts.out = out;
	ropts.quiet = quiet;
	ropts.interactive = true;
	if ((rc = secex_run(&status, argv, &ropts)) == SECEX_ENOTFOUND) {
		if (!quiet)
			cli_error("%s", secex_error_last());
		return 127;
	}
	return rc < 0 ? rc : status;
}

/* ---- who is signing ---- */

static bool match_ssh(const secex_person **person, const secex_key **key, const secex_roster *roster,
		      const secex_ssh_key *k)
{
	secex_ssh_key theirs = SECEX_SSH_KEY_INIT;
	bool found = false;
	size_t i, j;

	for (i = 0; i < roster->n && !found; i++)
		for (j = 0; j < roster->people[i].nkeys && !found; j++) {
			const secex_key *rk = &roster->people[i].keys[j];

			if (rk->kind != SECEX_KEY_SSH || secex_sshsig_key_parse(&theirs, rk->ssh, strlen(rk->ssh)) < 0)
				continue;
			if ((found = secex_sshsig_key_equal(&theirs, &k->blob))) {
				*person = &roster->people[i];
				*key = rk;
			}
		}
	secex_sshsig_key_release(&theirs);
	secex_error_clear();
	return found;
}

static int ssh_signer(const secex_person **person, const secex_key **key, const secex_roster *roster,
		      const char *value)
{
	secex_buf line = SECEX_BUF_INIT, fpr = SECEX_BUF_INIT;
	secex_ssh_key k = SECEX_SSH_KEY_INIT;
	char why[512];
	int rc;

	if ((rc = cli_ssh_key_line(&line, value)) < 0)
		goto cleanup;
	if ((rc = secex_sshsig_key_parse(&k, secex_buf_cstr(&line), line.size)) < 0) {
		snprintf(why, sizeof(why), "%s", secex_error_last());
		rc = secex_error_set(SECEX_EINVALID, "user.signingkey '%s' is not an SSH key secex can use: %s",
				     value, why);
		goto cleanup;
	}
	if (match_ssh(person, key, roster, &k))
		goto cleanup;
	secex_sshsig_fingerprint(&fpr, k.blob.ptr, k.blob.size);
	rc = secex_error_set(SECEX_EINVALID, "your SSH signing key %s (user.signingkey) is not in the roster %s; "
			     "ask a secex admin to add it to your entry there", secex_buf_cstr(&fpr), roster->file);
cleanup:
	secex_sshsig_key_release(&k);
	secex_buf_release(&line);
	secex_buf_release(&fpr);
	return rc;
}

/* The roster's OpenPGP key whose fingerprint ends with hex (uppercase), if any. */
static bool match_openpgp(const secex_person **person, const secex_key **key, const secex_roster *roster,
			  const char *hex, size_t len)
{
	size_t i, j, flen;

	for (i = 0; i < roster->n; i++)
		for (j = 0; j < roster->people[i].nkeys; j++) {
			const secex_key *rk = &roster->people[i].keys[j];

			if (rk->kind != SECEX_KEY_OPENPGP || !rk->fingerprint || (flen = strlen(rk->fingerprint)) < len ||
			    strcmp(rk->fingerprint + flen - len, hex) != 0)
				continue;
			*person = &roster->people[i];
			*key = rk;
			return true;
		}
	return false;
}

/* user.signingkey as uppercase hex ("0x" and a trailing "!" and spaces dropped), or "". */
static void key_hex(secex_buf *out, const char *value)
{
	const char *p = strncmp(value, "0x", 2) == 0 || strncmp(value, "0X", 2) == 0 ? value + 2 : value;

	for (; *p && *p != '!'; p++) {
		if (*p == ' ')
			continue;
		if (secex_util_hexval(*p) < 0) {
			secex_buf_clear(out);
			return;
		}
		secex_buf_putc(out, (char)(*p >= 'a' ? *p - 'a' + 'A' : *p));
	}
	if (*p == '!' && p[1])
		secex_buf_clear(out);
}

/* Appends field n (0-based) of a colon-separated gpg record and a newline. */
static void colon_field(secex_buf *out, const char *rec, size_t len, int n)
{
	const char *end = rec + len, *f = rec, *stop;

	while (n-- > 0 && f < end && (f = memchr(f, ':', (size_t)(end - f))))
		f++;
	if (!f || f >= end)
		return;
	stop = memchr(f, ':', (size_t)(end - f));
	secex_buf_printf(out, "%.*s\n", (int)((stop ? stop : end) - f), f);
}

/* The primary key fingerprints of gpg's --with-colons listing, one per line. */
static void primary_fingerprints(secex_buf *out, const char *listing)
{
	bool primary = false;
	size_t len;

	for (; *listing; listing += len + (listing[len] == '\n')) {
		len = strcspn(listing, "\n");
		if (strncmp(listing, "pub:", 4) == 0 || strncmp(listing, "sec:", 4) == 0) {
			primary = true;
		} else if (primary && strncmp(listing, "fpr:", 4) == 0) {
			primary = false;
			colon_field(out, listing, len, 9);
		}
	}
}

/* The primary fingerprints gpg (gpg.program) gives for key, one per line. */
static int gpg_fingerprints(secex_buf *out, secex_repo *repo, const char *key)
{
	secex_buf prog = SECEX_BUF_INIT, listing = SECEX_BUF_INIT;
	const char *argv[] = { NULL, "--batch", "--with-colons", "--fingerprint", "--", key, NULL };
	int rc;

	if ((rc = cli_config_or(&prog, repo, "gpg.openpgp.program", "")) < 0 ||
	    (!prog.size && (rc = cli_config_or(&prog, repo, "gpg.program", "gpg")) < 0))
		goto cleanup;
	argv[0] = prog.ptr;
	if ((rc = run(&listing, true, argv)) == 127)
		rc = secex_error_set(SECEX_EINVALID, "cannot run '%s' to find the OpenPGP key '%s'; install gpg "
				     "or set gpg.program", prog.ptr, key);
	if (rc >= 0) {
		primary_fingerprints(out, secex_buf_cstr(&listing));
		rc = 0;
	}
cleanup:
	secex_buf_release(&prog);
	secex_buf_release(&listing);
	return rc;
}

static int openpgp_signer(const secex_person **person, const secex_key **key, secex_repo *repo,
			  const secex_roster *roster, const char *value)
{
	secex_buf hex = SECEX_BUF_INIT, fprs = SECEX_BUF_INIT;
	const char *line;
	size_t len;
	int rc = 0;

	key_hex(&hex, value);
	if (hex.size >= 16 && match_openpgp(person, key, roster, hex.ptr, hex.size))
		goto cleanup;
	if ((rc = gpg_fingerprints(&fprs, repo, value)) < 0)
		goto cleanup;
	for (line = secex_buf_cstr(&fprs); *line; line += len + (line[len] == '\n')) {
		char fpr[41];

		if ((len = strcspn(line, "\n")) != 40)
			continue;
		memcpy(fpr, line, 40);
		fpr[40] = '\0';
		if (match_openpgp(person, key, roster, fpr, 40))
			goto cleanup;
	}
	if (!fprs.size)
		rc = secex_error_set(SECEX_EINVALID, "gpg has no key '%s' (user.signingkey); check "
				     "'gpg --list-secret-keys' and 'git config user.signingkey'", value);
	else
		rc = secex_error_set(SECEX_EINVALID, "your OpenPGP key %.*s (user.signingkey) is not in the roster %s; "
				     "ask a secex admin to add its fingerprint and public key to your entry there",
				     (int)strcspn(fprs.ptr, "\n"), fprs.ptr, roster->file);
cleanup:
	secex_buf_release(&hex);
	secex_buf_release(&fprs);
	return rc;
}

static int check_person(const secex_person *p, const secex_key *k, const secex_roster *roster)
{
	int64_t now = (int64_t)time(NULL); /* the commit's time, which secex checks the key against */
	char from[16] = "the start", until[16] = "now";

	if (!p->active)
		return secex_error_set(SECEX_EINVALID, "the signing key belongs to '%s', who is departed in %s; "
				       "departed people cannot approve", p->id, roster->file);
	if (now >= k->valid_after && now < k->valid_before)
		return 0;
	if (k->valid_after != INT64_MIN)
		secex_date_format(from, k->valid_after / 86400);
	if (k->valid_before != INT64_MAX)
		secex_date_format(until, k->valid_before / 86400);
	return secex_error_set(SECEX_EINVALID, "your signing key is valid in %s only from %s until %s; "
			       "ask a secex admin to add your current key to your entry '%s'",
			       roster->file, from, until, p->id);
}

/* The roster's person whose key user.signingkey (with gpg.format) names, and that key. */
static int find_signer(const secex_person **out, const secex_key **k, secex_repo *repo, const secex_roster *roster)
{
	secex_buf format = SECEX_BUF_INIT, key = SECEX_BUF_INIT;
	const char *fmt;
	int rc;

	*out = NULL;
	if ((rc = cli_config_or(&format, repo, "gpg.format", "openpgp")) < 0 ||
	    (rc = cli_config_or(&key, repo, "user.signingkey", "")) < 0)
		goto cleanup;
	fmt = secex_buf_cstr(&format);
	if (!key.size)
		rc = secex_error_set(SECEX_EINVALID, "no signing key is configured; for SSH run 'git config gpg.format "
				     "ssh' and 'git config user.signingkey ~/.ssh/id_ed25519.pub', for OpenPGP "
				     "'git config user.signingkey FINGERPRINT'");
	else if (strcmp(fmt, "ssh") == 0)
		rc = ssh_signer(out, k, roster, key.ptr);
	else if (strcmp(fmt, "openpgp") == 0)
		rc = openpgp_signer(out, k, repo, roster, key.ptr);
	else
		rc = secex_error_set(SECEX_EINVALID, "gpg.format '%s' is not supported by secex; use ssh or openpgp", fmt);
cleanup:
	secex_buf_release(&format);
	secex_buf_release(&key);
	return rc;
}

/* ---- the role ---- */

static bool fills_group(const secex_policy *policy, const secex_level *level, const char *held)
{
	size_t g, r;

	for (g = 0; g < level->ngroups; g++)
		for (r = 0; r < level->groups[g].n; r++)
			if (secex_policy_role_implies(policy, held, level->groups[g].roles[r]))
				return true;
	return false;
}

static bool implies_any(const secex_policy *policy, const char *held, const secex_strlist *roles)
{
	size_t i;

	for (i = 0; i < roles->n; i++)
		if (secex_policy_role_implies(policy, held, roles->items[i]))
			return true;
	return false;
}

static void describe_groups(secex_buf *out, const secex_level *level)
{
	size_t g, r;

	for (g = 0; g < level->ngroups; g++) {
		secex_buf_puts(out, g ? "; and one of " : "one of ");
		for (r = 0; r < level->groups[g].n; r++)
			secex_buf_printf(out, "%s%s", r ? ", " : "", level->groups[g].roles[r]);
	}
}

/*
 * The role the person acts in: their first role that fills a required group of the level;
 * else, for the exception's risk owner, their first role ("risk-owner" when they have none);
 * else their first SME role (an SME may approve a short extension alone, or acknowledge).
 */
static int pick_role(const char **out, const secex_policy *policy, const secex_exception *e,
		     const secex_person *p)
{
	const char *priority = secex_node_str(secex_node_get(secex_doc_root(e->doc), "priority"));
	const char *owner = secex_node_str(secex_node_get(secex_doc_root(e->doc), "risk_owner"));
	const secex_level *level = secex_policy_level(policy, priority ? priority : "");
	secex_buf need = SECEX_BUF_INIT;
	size_t i;
	int rc;

	if (!level)
		return secex_error_set(SECEX_EINVALID, "'%s' has priority '%s', which is not a level of the policy; "
				       "run 'secex validate' and fix it", e->path, priority ? priority : "");
	for (i = 0; i < p->roles.n; i++)
		if (fills_group(policy, level, p->roles.items[i])) {
			*out = p->roles.items[i];
			return 0;
		}
	if (owner && strcmp(owner, p->id) == 0) {
		*out = p->roles.n ? p->roles.items[0] : "risk-owner";
		return 0;
	}
	for (i = 0; i < p->roles.n; i++)
		if (implies_any(policy, p->roles.items[i], &policy->sme_roles)) {
			*out = p->roles.items[i];
			return 0;
		}
	describe_groups(&need, level);
	rc = secex_error_set(SECEX_EINVALID, "'%s' holds no role that can decide on %s: priority '%s' needs %s "
			     "(or the risk owner); a secex admin can add the role in %s", p->id, e->id, level->name,
			     secex_buf_cstr(&need), SECEX_PEOPLE_PATH);
	secex_buf_release(&need);
	return rc;
}

/* ---- the exception and the repository's state ---- */

static int find_exception(job *j, const char *id, const secex_diags *diags)
{
	const secex_snapshot *snap = j->s.snap;
	size_t i, n = 0;

	if (!j->s.repo || !secex_repo_workdir(j->s.repo))
		return secex_error_set(SECEX_EINVALID, "secex approve records decisions in signed commits; run it "
				       "in a clone, with a working tree, of the repository that holds .secex/");
	if (!snap->policy_ok)
		return secex_error_set(SECEX_EINVALID, "%s does not validate; run 'secex validate' and fix it first",
				       SECEX_POLICY_PATH);
	if (!snap->roster)
		return secex_error_set(SECEX_EINVALID, "%s is missing or does not validate; run 'secex validate' "
				       "and fix it first", SECEX_PEOPLE_PATH);
	for (i = 0; i < snap->n; i++)
		n += snap->items[i].id && strcmp(snap->items[i].id, id) == 0;
	if (!(j->exc = secex_snapshot_find(snap, id)))
		return secex_error_set(SECEX_EINVALID, "no exception has id '%s' in %s/%s; 'secex list' shows the ids",
				       id, snap->policy->exceptions_dir, diags->n ? " (some files do not load: see "
				       "'secex validate')" : "");
	if (n > 1)
		return secex_error_set(SECEX_EINVALID, "%zu files have id '%s'; run 'secex validate' and give each "
				       "its own id", n, id);
	if (!j->exc->valid)
		return secex_error_set(SECEX_EINVALID, "'%s' does not validate; run 'secex validate %s', fix it, "
				       "then approve", j->exc->path, j->exc->path);
	if (secex_path_is_json(j->exc->path, strlen(j->exc->path)))
		return secex_error_set(SECEX_EINVALID, "'%s' is JSON; secex approve edits YAML files only, so add "
				       "the entry by hand", j->exc->path);
	return secex_buf_printf(&j->file, "%s%s%s", j->s.root,
				j->s.root[strlen(j->s.root) - 1] == '/' ? "" : "/", j->exc->path);
}

/* Whether a file of the secex tree (root-relative) differs from HEAD. */
static int changed(bool *out, const job *j, const char *path)
{
	const char *wd = secex_repo_workdir(j->s.repo);
	secex_buf full = SECEX_BUF_INIT;
	int rc;

	secex_buf_printf(&full, "%s%s%s", j->s.root, j->s.root[strlen(j->s.root) - 1] == '/' ? "" : "/", path);
	if (!full.ptr || strncmp(full.ptr, wd, strlen(wd)) != 0)
		rc = secex_error_set(SECEX_EREPO, "'%s' is not inside the repository's working tree '%s'",
				     secex_buf_cstr(&full), wd);
	else
		rc = secex_repo_path_changed(out, j->s.repo, full.ptr + strlen(wd));
	secex_buf_release(&full);
	return rc;
}

/* Refuses when the commit would carry more than the new entry. */
static int check_clean(const job *j)
{
	const char *files[] = { j->exc->path, SECEX_PEOPLE_PATH, SECEX_POLICY_PATH };
	secex_vec staged = SECEX_VEC_INIT;
	bool dirty = false;
	size_t i;
	int rc;

	if ((rc = secex_repo_staged_paths(&staged, j->s.repo, NULL, 0)) == 0 && staged.n)
		rc = secex_error_set(SECEX_EINVALID, "the index has staged changes ('%s'%s); commit or unstage them "
				     "first ('git restore --staged PATH'), then approve", (char *)staged.items[0],
				     staged.n > 1 ? " and more" : "");
	for (i = 0; rc == 0 && i < sizeof(files) / sizeof(*files) && !dirty; i++)
		if ((rc = changed(&dirty, j, files[i])) == 0 && dirty)
			rc = secex_error_set(SECEX_EINVALID, "'%s' has changes that are not committed; commit or "
					     "discard them first: a decision is recorded on committed files", files[i]);
	for (i = 0; i < staged.n; i++)
		free(staged.items[i]);
	secex_vec_release(&staged);
	return rc;
}

/* ---- adding the entry to the text ---- */

static void put_field(secex_buf *b, size_t indent, const char *key, const char *value, const char *nl)
{
	secex_buf_printf(b, "%*s%s: ", (int)indent, "", key);
	if (strcmp(key, "date") == 0 || (secex_yamlout_plain_safe(value) && strcmp(key, "comment") != 0))
		secex_buf_puts(b, value);
	else
		secex_yamlout_put_quoted(b, value);
	secex_buf_puts(b, nl);
}

/* "- by: ..." at column dash, the other keys gap columns further in. */
static void put_entry(secex_buf *b, const entry *e, size_t dash, size_t gap, const char *nl)
{
	secex_buf_printf(b, "%*s-%*s", (int)dash, "", (int)(gap - 1), "");
	put_field(b, 0, "by", e->by, nl);
	put_field(b, dash + gap, "decision", e->decision, nl);
	put_field(b, dash + gap, "role", e->role, nl);
	put_field(b, dash + gap, "date", e->date, nl);
	if (e->comment)
		put_field(b, dash + gap, "comment", e->comment, nl);
}

/* The offset of the start of a 1-based line. */
static size_t line_offset(const char *text, size_t len, uint32_t line)
{
	size_t off = 0;
	const char *nl;

	while (--line > 0 && off < len && (nl = memchr(text + off, '\n', len - off)))
		off = (size_t)(nl - text) + 1;
	return off;
}

/* The offset just after the line holding off (after its '\n', or the end of the text). */
static size_t line_end(const char *text, size_t len, size_t off)
{
	const char *nl = off < len ? memchr(text + off, '\n', len - off) : NULL;

	return nl ? (size_t)(nl - text) + 1 : len;
}

/*
 * The end of the block sequence whose lines start at offset from and whose key is indented
 * indent: just after its last line of content. Blank lines and comments not indented
 * further than the key do not extend it; items may sit at the key's own indentation.
 */
static size_t block_end(const char *text, size_t len, size_t from, size_t indent)
{
	size_t at = from, off, end, ind;
	char c, next;

	for (off = from; off < len; off = end) {
		end = line_end(text, len, off);
		ind = strspn(text + off, " ");
		c = off + ind < end ? text[off + ind] : '\n';
		next = off + ind + 1 < end ? text[off + ind + 1] : '\n';
		if (off + strspn(text + off, " \t\r") >= end - (text[end - 1] == '\n') || (c == '#' && ind <= indent))
			continue; /* blank, or a comment outside the list */
		if (ind < indent || (ind == indent && !(c == '-' && strchr(" \t\r\n", next))))
			break;
		at = end;
	}
	return at;
}

/* Where the entry goes, and what it replaces. */
typedef struct {
	size_t cut_from, cut_to; /* text removed: the "[]" of an empty flow list */
	size_t at;               /* where the entry is inserted */
	size_t dash, gap;        /* the entry's indentation, and the width of "- " */
	bool with_key;           /* write "approvals:" first, indented key */
	size_t key;
} spot;

static int flow_list(spot *out, const char *text, size_t len, const secex_member *m, size_t voff,
		     const char *path)
{
	size_t close = voff + 1;

	close += strspn(text + close, " \t\r\n");
	if (m->value->u.array.n || close >= len || text[close] != ']')
		return secex_error_set(SECEX_EINVALID, "the approvals of '%s' are a flow list ([...]); write them as "
				       "a block list ('- by: ...' lines), commit, then approve", path);
	out->cut_from = voff;
	while (out->cut_from > 0 && text[out->cut_from - 1] == ' ')
		out->cut_from--;
	out->cut_to = close + 1;
	out->at = line_end(text, len, close);
	out->dash = m->column - 1 + 2;
	out->gap = 2;
	return 0;
}

static int find_spot(spot *out, const char *text, size_t len, const secex_node *root, const char *path)
{
	const secex_member *m = secex_node_member(root, "approvals");
	const secex_node *v, *first;
	size_t voff;

	memset(out, 0, sizeof(*out));
	if (root->type != SECEX_NODE_OBJECT || !root->u.object.n ||
	    text[line_offset(text, len, root->line) + root->column - 1] == '{')
		return secex_error_set(SECEX_EINVALID, "'%s' is written as a flow mapping ({...}); secex approve "
				       "edits block YAML only, so add the entry by hand", path);
	if (!m) {
		out->at = len;
		out->with_key = true;
		out->key = root->u.object.members[0].column - 1;
		out->dash = out->key + 2;
		out->gap = 2;
		return 0;
	}
	v = m->value;
	voff = line_offset(text, len, v->line) + v->column - 1;
	if (v->type == SECEX_NODE_ARRAY && voff < len && text[voff] == '[')
		return flow_list(out, text, len, m, voff, path);
	if (v->type != SECEX_NODE_ARRAY || !v->u.array.n || voff >= len || text[voff] != '-')
		return secex_error_set(SECEX_EINVALID, "cannot find the approvals list of '%s' in its text; add the "
				       "entry by hand", path);
	first = v->u.array.items[0];
	out->dash = v->column - 1;
	out->gap = first->line == v->line && first->column > v->column ? first->column - v->column : 2;
	out->at = block_end(text, len, line_end(text, len, line_offset(text, len, m->line)), m->column - 1);
	return 0;
}

/* The text with the entry added to its approvals list. */
static int insert_entry(secex_buf *out, const secex_buf *before, const secex_node *root, const entry *e,
			const char *path)
{
	const char *text = secex_buf_cstr(before), *nl = strstr(text, "\r\n") ? "\r\n" : "\n";
	spot sp;
	int rc;

	if ((rc = find_spot(&sp, text, before->size, root, path)) < 0)
		return rc;
	secex_buf_put(out, text, sp.cut_from);
	secex_buf_put(out, text + sp.cut_to, sp.at - sp.cut_to);
	if (sp.at > 0 && text[sp.at - 1] != '\n')
		secex_buf_puts(out, nl);
	if (sp.with_key)
		secex_buf_printf(out, "%*sapprovals:%s", (int)sp.key, "", nl);
	put_entry(out, e, sp.dash, sp.gap, nl);
	return secex_buf_put(out, text + sp.at, before->size - sp.at);
}

/* ---- checking the edit ---- */



static bool entry_matches(const secex_node *n, const entry *e)
{
	const char *const want[][2] = { { "by", e->by }, { "decision", e->decision }, { "role", e->role },
					{ "date", e->date }, { "comment", e->comment } };
	size_t i, count = 0;

	if (!n || n->type != SECEX_NODE_OBJECT)
		return false;
	for (i = 0; i < sizeof(want) / sizeof(*want); i++) {
		const char *got = secex_node_str(secex_node_get(n, want[i][0]));

		if (want[i][1] && (!got || strcmp(got, want[i][1]) != 0))
			return false;
		count += want[i][1] != NULL;
	}
	return n->u.object.n == count;
}

/* Whether every top-level member of after but `skip` is in before, with the same value. */
static bool same_but(const secex_node *before, const secex_node *after, const char *skip)
{
	size_t i;

	for (i = 0; i < after->u.object.n; i++) {
		const secex_member *m = &after->u.object.members[i];
		const secex_node *old = secex_node_get(before, m->key);

		if (strcmp(m->key, skip) != 0 && (!old || !secex_node_equal(old, m->value)))
			return false;
	}
	return true;
}

/* Whether after says what before says, plus the entry at the end of its approvals. */
static bool same_but_entry(const secex_node *before, const secex_node *after, const entry *e)
{
	const secex_node *was = secex_node_get(before, "approvals"), *now = secex_node_get(after, "approvals");
	size_t i, n = was ? was->u.array.n : 0;

	if (after->type != SECEX_NODE_OBJECT || !now || now->type != SECEX_NODE_ARRAY ||
	    now->u.array.n != n + 1 || after->u.object.n != before->u.object.n + (was ? 0 : 1) ||
	    !entry_matches(now->u.array.items[n], e))
		return false;
	for (i = 0; i < n; i++)
		if (!secex_node_equal(was->u.array.items[i], now->u.array.items[i]))
			return false;
	return same_but(before, after, "approvals");
}

/* Validates the edited document against the exception schema the snapshot checks files with:
 * the shipped one, extended by the policy's exception_schema. */
static int validate_edit(const secex_snapshot *snap, const secex_doc *doc, const char *path, secex_diags *diags)
{
	const secex_node *root = secex_doc_root(doc);
	bool valid = false;
	int rc;

	rc = secex_snapshot_check_schema(&valid, snap, root, path, secex_node_str(secex_node_get(root, "id")), diags);
	if (rc == 0 && !valid)
		rc = secex_error_set(SECEX_EINVALID, "the new entry would not validate (%s); '%s' is unchanged",
				     diags->n ? diags->items[diags->n - 1].message : "", path);
	return rc;
}

/* ---- changing the status in the text ---- */

/* The end of the scalar starting at off: a quoted one's closing quote, else the line's
 * content before a comment. */
static size_t scalar_end(const char *t, size_t len, size_t off)
{
	size_t end = line_end(t, len, off), i;

	if (off < len && (t[off] == '"' || t[off] == '\'')) {
		for (i = off + 1; i < end; i++) {
			if (t[off] == '"' && t[i] == '\\')
				i++;
			else if (t[i] == t[off] && !(t[off] == '\'' && i + 1 < end && t[i + 1] == '\''))
				return i + 1;
			else if (t[i] == '\'' && t[off] == '\'')
				i++;
		}
		return end;
	}
	for (i = off; i < end && t[i] != '\n' && t[i] != '\r' && !(t[i] == '#' && i > off && t[i - 1] == ' '); i++)
		;
	while (i > off && (t[i - 1] == ' ' || t[i - 1] == '\t'))
		i--;
	return i;
}

/* Whether after says what before says, but for its status, which is `to`. */
static bool same_but_status(const secex_node *before, const secex_node *after, const char *to)
{
	return after->type == SECEX_NODE_OBJECT && after->u.object.n == before->u.object.n &&
	       same_str(secex_node_str(secex_node_get(after, "status")), to) && same_but(before, after, "status");
}

/* text with the value of its top-level status replaced by `to`, checked by reading it back. */
static int replace_status(secex_buf *out, const secex_buf *text, const char *path, const char *to)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_doc *doc = NULL, *after = NULL;
	const char *t = secex_buf_cstr(text);
	const secex_node *v;
	size_t off, end;
	int rc;

	secex_buf_clear(out);
	if ((rc = secex_doc_parse(&doc, t, text->size, path, &diags)) < 0)
		goto cleanup;
	v = doc ? secex_node_get(secex_doc_root(doc), "status") : NULL;
	if (!v || v->type != SECEX_NODE_STRING || !v->line) {
		rc = secex_error_set(SECEX_EINVALID, "cannot find the status of '%s' in its text; run 'secex validate "
				     "%s' and fix it first", path, path);
		goto cleanup;
	}
	off = line_offset(t, text->size, v->line) + v->column - 1;
	end = scalar_end(t, text->size, off);
	if ((rc = secex_buf_put(out, t, off)) < 0 || (rc = secex_buf_puts(out, to)) < 0 ||
	    (rc = secex_buf_put(out, t + end, text->size - end)) < 0 ||
	    (rc = secex_doc_parse(&after, secex_buf_cstr(out), out->size, path, &diags)) < 0)
		goto cleanup;
	if (!after || !same_but_status(secex_doc_root(doc), secex_doc_root(after), to))
		rc = secex_error_set(SECEX_EINVALID, "cannot set the status of '%s' to %s without changing the rest "
				     "of it; write its status on one line ('status: %s'), commit, and run this again",
				     path, to, secex_node_str(v));
cleanup:
	secex_doc_free(doc);
	secex_doc_free(after);
	secex_diag_release(&diags);
	return rc;
}

/* Reads the file, adds the entry, and checks the result reads back as intended. */
static int edit(job *j, const entry *e)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_doc *before = NULL, *after = NULL;
	const char *path = j->exc->path;
	int rc;

	if ((rc = secex_file_read(&j->before, j->file.ptr, SECEX_MAX_FILE_SIZE)) < 0 ||
	    (rc = secex_doc_parse(&before, secex_buf_cstr(&j->before), j->before.size, path, &diags)) < 0)
		goto cleanup;
	if (!before) {
		rc = secex_error_set(SECEX_EINVALID, "'%s' changed while secex read it; run secex approve again", path);
		goto cleanup;
	}
	if ((rc = insert_entry(&j->after, &j->before, secex_doc_root(before), e, path)) < 0 ||
	    (rc = secex_doc_parse(&after, secex_buf_cstr(&j->after), j->after.size, path, &diags)) < 0)
		goto cleanup;
	if (!after || !same_but_entry(secex_doc_root(before), secex_doc_root(after), e))
		rc = secex_error_set(SECEX_EINVALID, "cannot add the entry to '%s' without changing the rest of "
				     "it%s%s; add it by hand", path, diags.n ? ": " : "", diags.n ? diags.items[0].message : "");
	else
		rc = validate_edit(j->s.snap, after, path, &diags);
	if (rc == 0 && j->to) {
		secex_buf with_entry = j->after, empty = SECEX_BUF_INIT;

		j->after = empty;
		rc = replace_status(&j->after, &with_entry, path, j->to);
		secex_buf_release(&with_entry);
	}
cleanup:
	secex_doc_free(before);
	secex_doc_free(after);
	secex_diag_release(&diags);
	return rc;
}

/* ---- writing and committing ---- */

/* Puts the file and its index entry back after a failed commit. */
static int restore(const job *j)
{
	const char *reset[] = { "git", "-C", j->s.root, "reset", "-q", "--", j->exc->path, NULL };
	char why[512];
	int rc = secex_file_replace(j->file.ptr, secex_buf_cstr(&j->before), j->before.size);

	run(NULL, false, reset);
	if (rc == 0)
		return secex_error_set(SECEX_EINVALID, "git could not make the signed commit (see its message above); "
				       "'%s' is back as it was and nothing was committed", j->exc->path);
	snprintf(why, sizeof(why), "%s", secex_error_last());
	return secex_error_set(SECEX_EIO, "git could not make the signed commit, and putting back '%s' failed "
			       "(%s); 'git checkout HEAD -- %s' restores it", j->exc->path, why, j->exc->path);
}

/* Commits j->after as the exception, signed, with j->subject (and j->body). */
static int commit(job *j)
{
	const char *add[] = { "git", "-C", j->s.root, "add", "--", j->exc->path, NULL };
	const char *ci[] = { "git", "-C", j->s.root, "commit", "-q", "-S", "-m", NULL, "-m", NULL, "--", j->exc->path, NULL };
	const char *head[] = { "git", "-C", j->s.root, "rev-parse", "--short", "HEAD", NULL };
	int rc;

	ci[7] = secex_buf_cstr(&j->subject);
	ci[9] = secex_buf_cstr(&j->body);
	if (!j->body.size)
		memmove(&ci[8], &ci[10], 3 * sizeof(*ci)); /* no second paragraph */
	secex_buf_clear(&j->sha);
	if ((rc = secex_file_replace(j->file.ptr, secex_buf_cstr(&j->after), j->after.size)) < 0)
		goto cleanup;
	if (run(NULL, false, add) != 0 || run(NULL, false, ci) != 0) {
		rc = restore(j);
		goto cleanup;
	}
	if (run(&j->sha, true, head) != 0 || !j->sha.size)
		rc = secex_error_set(SECEX_EREPO, "the commit was made, but 'git rev-parse HEAD' failed; "
				     "check it with 'git log -1 --show-signature'");
	while (j->sha.size && (j->sha.ptr[j->sha.size - 1] == '\n' || j->sha.ptr[j->sha.size - 1] == '\r'))
		j->sha.ptr[--j->sha.size] = '\0';
cleanup:
	return rc;
}

/* A second signed commit that moves the committed file's status on to `to`. */
static int commit_status(job *j, const char *to, const char *why)
{
	int rc;

	secex_buf_clear(&j->before);
	if ((rc = secex_buf_put(&j->before, secex_buf_cstr(&j->after), j->after.size)) < 0 ||
	    (rc = replace_status(&j->after, &j->before, j->exc->path, to)) < 0)
		return rc;
	secex_buf_clear(&j->subject);
	secex_buf_clear(&j->body);
	secex_buf_printf(&j->subject, "Set %s %s: %s", j->exc->id, to, why);
	return commit(j);
}

/* ---- whether the decision can count, and what it does to the status ---- */

/* The history walked back from HEAD: what judges the decisions already recorded. */
static int open_history(secex_history **out, const job *j)
{
	secex_history_options hopts = SECEX_HISTORY_OPTIONS_INIT;
	secex_diags scratch = SECEX_DIAGS_INIT;
	int rc;

	hopts.audit = false;
	if ((rc = cli_history_walk(out, j->s.repo, &hopts, &scratch)) == 0 && secex_history_shallow(*out))
		rc = secex_error_set(SECEX_EREPO, "the repository is a shallow clone, so secex cannot tell what the "
				     "decisions recorded so far count for; run 'git fetch --unshallow' and try again");
	secex_diag_release(&scratch);
	return rc;
}

static bool fills_now(const secex_approval_state *st, const char *by, size_t *which)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (st->verdicts[i].fills != SECEX_FILL_NONE && same_str(st->verdicts[i].entry->by, by)) {
			*which = i + 1;
			return true;
		}
	return false;
}

/* Why an approval by j's person cannot count, into why (left empty when it counts). */
static int why_not_approve(secex_buf *why, const job *j, const secex_approval_state *now,
			   const secex_approval_state *next)
{
	const char *by = j->person->id, *id = j->exc->id;
	size_t which;

	if (secex_approvals_filled(next) > secex_approvals_filled(now))
		return 0;
	if (now->policy->separation_of_duties && same_str(by, now->requestor))
		return secex_buf_printf(why, "you (%s) requested %s and cannot approve it (separation of duties); "
					"ask one of the approvers 'secex status %s' names", by, id, id);
	if (fills_now(now, by, &which))
		return secex_buf_printf(why, "you already fill a requirement of %s with approval %zu; a second "
					"approval by you would count for nothing ('secex status %s' shows who fills "
					"what)", id, which, id);
	if (now->complete)
		return secex_buf_printf(why, "every requirement of %s is met already; nothing is left to approve "
					"('secex review %s' records the outcome)", id, id);
	return secex_buf_printf(why, "your role '%s' fills no open requirement of %s; 'secex status %s' names "
				"the roles still missing and who holds them", j->role, id, id);
}

/* Whether the person holds a role the policy's sme_roles name (or one that implies it). */
static bool is_sme(const secex_policy *policy, const secex_person *p)
{
	size_t i;

	for (i = 0; i < p->roles.n; i++)
		if (implies_any(policy, p->roles.items[i], &policy->sme_roles))
			return true;
	return false;
}

/* Why j's decision cannot count, into why (left empty when it can). */
static int why_not(secex_buf *why, const job *j, const secex_approval_state *now, const secex_approval_state *next)
{
	const char *name = j->decision->name, *id = j->exc->id;

	if (strcmp(name, "request-info") == 0)
		return 0;
	if (strcmp(name, "acknowledge") == 0)
		return same_str(j->person->id, now->risk_owner) || is_sme(now->policy, j->person) ? 0 :
		       secex_buf_printf(why, "only the risk owner of %s (%s) or a security subject-matter expert "
					"can acknowledge it; approve or deny it instead, or ask %s", id,
					now->risk_owner ? now->risk_owner : "?", now->risk_owner ? now->risk_owner : "them");
	if (strcmp(name, "deny") != 0)
		return why_not_approve(why, j, now, next);
	if (now->valid_deny)
		return secex_buf_printf(why, "a deny that counts is recorded on %s already; 'secex review %s' sets it "
					"denied", id, id);
	return next->valid_deny ? 0 : secex_buf_printf(why, "a deny by you would not count: only an approver "
		"in a role of its groups or its risk owner (%s) can deny %s, and not its requestor", now->risk_owner
		? now->risk_owner : "?", id);
}

/* The status the entry's commit sets (j->to) and the one a second commit sets (j->then). */
static void plan_status(job *j, const secex_approval_state *next)
{
	const char *s = j->status, *outcome = next->valid_deny ? "denied" : next->complete ? "approved" : NULL;

	j->to = j->then = NULL;
	if (strcmp(j->decision->name, "request-info") == 0) {
		if (same_str(s, "requested") || same_str(s, "in-review"))
			j->to = "needs-info";
	} else if (same_str(s, "requested") || same_str(s, "needs-info")) {
		j->to = "in-review";
		j->then = outcome;
	} else if (same_str(s, "in-review")) {
		j->to = outcome;
	} else if (same_str(s, "approved") && (next->valid_deny || !next->complete)) {
		j->to = "in-review"; /* a re-review: approvals went stale, or a deny counts */
		j->then = next->valid_deny ? "denied" : NULL;
	}
}

/* Judges the decision before anything is written: refused (printed, REFUSED) when it cannot
 * count, unless --force; plans the status change. */
static int judge_decision(job *j)
{
	secex_approval_fact proposed = { j->person->id, j->decision->name, j->role, j->date, { 0 }, 0, 0 };
	secex_approval_state now, next;
	secex_history *h = NULL;
	secex_buf why = SECEX_BUF_INIT;
	int rc;

	memset(&now, 0, sizeof(now));
	memset(&next, 0, sizeof(next));
	if ((rc = open_history(&h, j)) < 0 || (rc = secex_approvals_judge(&now, h, j->s.snap, j->exc, false, NULL)) < 0 ||
	    (rc = secex_approvals_forecast(&next, h, j->s.snap, j->exc, &proposed)) < 0 ||
	    (rc = why_not(&why, j, &now, &next)) < 0)
		goto cleanup;
	if (why.size && !o.force) {
		cli_error("%s; nothing was written (--force records it anyway, where it never counts)", why.ptr);
		rc = REFUSED;
		goto cleanup;
	}
	if (why.size)
		fprintf(stderr, "secex: warning: recorded anyway (--force), and it will never count: %s; 'secex check' "
			"reports it until valid decisions meet what it would have filled, then as a note (SX213)\n",
			why.ptr);
	plan_status(j, &next);
cleanup:
	secex_buf_release(&why);
	secex_approvals_state_release(&now);
	secex_approvals_state_release(&next);
	secex_history_free(h);
	return rc;
}

/* ---- the command ---- */

static int check_options(job *j)
{
	int64_t now;
	size_t bad;
	int rc;

	if (o.args.n != 1) {
		cli_error("name one exception: secex approve ID; 'secex list' shows the ids");
		return CLI_EXIT_USAGE;
	}
	if (o.deny + o.request_info + o.acknowledge > 1) {
		cli_error("--deny, --request-info and --acknowledge exclude each other; give one of them");
		return CLI_EXIT_USAGE;
	}
	j->decision = &decisions[o.deny ? 1 : o.request_info ? 2 : o.acknowledge ? 3 : 0];
	if (o.comment && (strspn(o.comment, " \t\r\n\f\v") == strlen(o.comment) ||
			  !secex_utf8_valid(o.comment, strlen(o.comment), &bad))) {
		cli_error("--comment needs some text, in UTF-8");
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_now(&now)) < 0)
		return cli_fail(rc);
	secex_date_format(j->date, now >= 0 ? now / 86400 : (now - 86399) / 86400);
	return 0;
}

static void job_release(job *j)
{
	cli_snapshot_close(&j->s);
	secex_buf_release(&j->file);
	secex_buf_release(&j->before);
	secex_buf_release(&j->after);
	secex_buf_release(&j->subject);
	secex_buf_release(&j->body);
	secex_buf_release(&j->sha);
}

/* The exception, the signer and a clean tree: what every recording command starts from.
 * The signer's key must be valid now unless force (then a warning). */
static int open_job(job *j, const char *id, bool force, secex_diags *diags)
{
	int rc;

	if ((rc = cli_snapshot_open(&j->s, NULL, diags)) < 0 || (rc = find_exception(j, id, diags)) < 0)
		return rc;
	if ((rc = find_signer(&j->person, &j->key, j->s.repo, j->s.snap->roster)) < 0) {
		cli_error("%s; nothing was written", secex_error_last());
		return REFUSED;
	}
	if ((rc = check_person(j->person, j->key, j->s.snap->roster)) < 0 && !force) {
		cli_error("%s; nothing was written", secex_error_last());
		return REFUSED;
	}
	if (rc < 0)
		fprintf(stderr, "secex: warning: recorded anyway (--force), and it will never count: %s\n",
			secex_error_last());
	secex_error_clear();
	j->status = secex_node_str(secex_node_get(secex_doc_root(j->exc->doc), "status"));
	if (same_str(j->status, "closed") || same_str(j->status, "withdrawn")) {
		cli_error("%s is %s, which is final; nothing was written: a new request takes a new id (secex new)",
			  j->exc->id, j->status);
		return REFUSED;
	}
	return check_clean(j);
}

static bool entry_recorded(const job *j, const entry *e)
{
	const secex_node *list = secex_node_get(secex_doc_root(j->exc->doc), "approvals");
	size_t i;

	for (i = 0; list && list->type == SECEX_NODE_ARRAY && i < list->u.array.n; i++)
		if (entry_matches(list->u.array.items[i], e))
			return true;
	return false;
}

/* An entry identical to one recorded already (the same person deciding again on the same
 * day) would share its digest, and so its signed commit: give it the time of day too, and
 * when even the second is taken (a decision made twice within it), wait for the next. */
static void distinct_date(job *j, entry *e)
{
	int tries;

	for (tries = 0; tries < 3 && entry_recorded(j, e); tries++) {
		time_t now = time(NULL);

		if (tries)
			sleep(1), now = time(NULL);
		snprintf(j->date + 10, sizeof(j->date) - 10, "T%02d:%02d:%02dZ", (int)(now % 86400 / 3600),
			 (int)(now % 3600 / 60), (int)(now % 60));
		e->date = j->date;
	}
}

static void print_done(const job *j, const char *first)
{
	printf("%s%s%s%s%s%s\n", first, j->to ? " (status " : "", j->to ? j->status : "", j->to ? " -> " : "",
	       j->to ? j->to : "", j->to ? ")" : "");
}

int cmd_approve(int argc, char **argv)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_buf done = SECEX_BUF_INIT;
	entry e;
	job j;
	bool help;
	int rc;

	memset(&j, 0, sizeof(j));
	if ((rc = cli_opt_parse(&cmd_approve_help, argc, argv, &help)) || help || (rc = check_options(&j)))
		return rc;
	if ((rc = open_job(&j, o.args.v[0], o.force, &diags)) != 0 ||
	    (rc = pick_role(&j.role, j.s.snap->policy, j.exc, j.person)) < 0 || (rc = judge_decision(&j)) != 0)
		goto fail;
	e = (entry){ j.person->id, j.decision->name, j.role, j.date, o.comment };
	distinct_date(&j, &e);
	secex_buf_printf(&j.subject, "%s %s as %s", j.decision->subject, j.exc->id, j.role);
	if (j.to)
		secex_buf_printf(&j.body, "Status: %s -> %s.", j.status, j.to);
	if ((rc = edit(&j, &e)) < 0 || (rc = commit(&j)) < 0)
		goto fail;
	secex_buf_printf(&done, "%s %s as %s in commit %s", j.decision->done, j.exc->id, j.role, j.sha.ptr);
	print_done(&j, done.ptr);
	if (j.then && (rc = commit_status(&j, j.then, strcmp(j.then, "approved") == 0 ? "its approvals are complete"
					  : "a deny that counts is recorded")) < 0)
		goto fail;
	if (j.then)
		printf("set %s %s in commit %s (status in-review -> %s)\n", j.exc->id, j.then, j.sha.ptr, j.then);
	rc = CLI_EXIT_CLEAN;
	goto cleanup;
fail:
	rc = rc == REFUSED ? CLI_EXIT_FINDINGS : cli_fail(rc);
cleanup:
	secex_buf_release(&done);
	job_release(&j);
	secex_diag_release(&diags);
	return rc;
}

/* ---- status commands: secex review, withdraw, close, reopen ---- */

/* The command that makes the step from -> to. */
static const char *command_for(const char *from, const char *to)
{
	static const char *const map[][2] = {
		{ "in-review", "secex review" }, { "approved", "secex approve, once the approvals are complete" },
		{ "denied", "secex approve --deny" }, { "needs-info", "secex approve --request-info" },
		{ "withdrawn", "secex withdraw" }, { "closed", "secex close" },
		{ "requested", "no command: the request is asked for again" },
	};
	size_t i;

	if (strcmp(to, "in-review") == 0 && same_str(from, "approved"))
		return "secex reopen";
	for (i = 0; i < sizeof(map) / sizeof(*map); i++)
		if (strcmp(map[i][0], to) == 0)
			return map[i][1];
	return "?";
}

static int refuse_step(const job *j, const char *verb, const char *to)
{
	static const char *const statuses[] = { "requested", "in-review", "needs-info", "approved", "denied",
						"withdrawn", "closed" };
	secex_buf how = SECEX_BUF_INIT;
	const char *s = j->status ? j->status : "?";
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(*statuses); i++)
		if (secex_approvals_transition_ok(s, statuses[i]))
			secex_buf_printf(&how, "%s%s (%s)", how.size ? ", " : "", statuses[i], command_for(s, statuses[i]));
	cli_error("%s is %s, so 'secex %s' (-> %s) does not apply%s; from %s the workflow allows %s; nothing was "
		  "written", j->exc->id, s, verb, to, secex_approvals_transition_ok(s, to) ? "" : ": the workflow does "
		  "not allow that step", s, how.size ? how.ptr : "nothing: it is final");
	secex_buf_release(&how);
	return REFUSED;
}

/* secex review's step: into review, or the outcome of the decisions of one in review. */
static int review_step(const char **to, job *j)
{
	secex_approval_state st;
	secex_history *h = NULL;
	int rc;

	*to = "in-review";
	if (same_str(j->status, "approved"))
		return refuse_step(j, "review", "in-review");
	if (!same_str(j->status, "in-review"))
		return 0;
	memset(&st, 0, sizeof(st));
	if ((rc = open_history(&h, j)) == 0 && (rc = secex_approvals_judge(&st, h, j->s.snap, j->exc, false, NULL)) == 0) {
		*to = st.valid_deny ? "denied" : st.complete ? "approved" : NULL;
		if (!*to) {
			cli_error("%s is in review and its approvals are not complete; 'secex status %s' shows what is "
				  "missing and who can approve (secex approve sets it approved once they are in); "
				  "nothing was written", j->exc->id, j->exc->id);
			rc = REFUSED;
		}
	}
	secex_approvals_state_release(&st);
	secex_history_free(h);
	return rc;
}

int cli_record_status(const char *verb, const char *id, const char *to, const char *comment)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	job j;
	int rc;

	memset(&j, 0, sizeof(j));
	if ((rc = open_job(&j, id, false, &diags)) != 0 || (!to && (rc = review_step(&to, &j)) != 0))
		goto fail;
	/* each command makes its own step: reopen re-reviews an approved exception only */
	if (!secex_approvals_transition_ok(j.status, to) || (strcmp(verb, "reopen") == 0 && !same_str(j.status, "approved"))) {
		rc = refuse_step(&j, verb, to);
		goto fail;
	}
	secex_buf_printf(&j.subject, "Set %s %s (was %s) by %s", j.exc->id, to, j.status, j.person->id);
	if (comment)
		secex_buf_puts(&j.body, comment);
	if ((rc = secex_file_read(&j.before, j.file.ptr, SECEX_MAX_FILE_SIZE)) < 0 ||
	    (rc = replace_status(&j.after, &j.before, j.exc->path, to)) < 0 || (rc = commit(&j)) < 0)
		goto fail;
	printf("set %s %s in commit %s (status %s -> %s)\n", j.exc->id, to, j.sha.ptr, j.status, to);
	rc = CLI_EXIT_CLEAN;
	goto cleanup;
fail:
	rc = rc == REFUSED ? CLI_EXIT_FINDINGS : cli_fail(rc);
cleanup:
	job_release(&j);
	secex_diag_release(&diags);
	return rc;
}

int cli_find_signer(const secex_person **out, const secex_key **key, secex_repo *repo, const secex_roster *roster)
{
	return find_signer(out, key, repo, roster);
}
