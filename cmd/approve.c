/* secex approve: records a decision on an exception in a commit signed as `git commit -S`. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "banned.h"

static struct {
	bool deny, request_info, acknowledge;
	const char *comment, *today;
	cli_args args;
} o;

static const cli_opt opts[] = {
	{ CLI_OPT_FLAG, "deny", 0, &o.deny, NULL, "record a denial instead of an approval" },
	{ CLI_OPT_FLAG, "request-info", 0, &o.request_info, NULL, "send the request back for more information" },
	{ CLI_OPT_FLAG, "acknowledge", 0, &o.acknowledge, NULL, "record that you reviewed it, without deciding" },
	{ CLI_OPT_STRING, "comment", 'm', &o.comment, "TEXT", "why: conditions, the reason for a denial, what is missing" },
	{ CLI_OPT_STRING, "today", 0, &o.today, "DATE", "the date to record (YYYY-MM-DD; or SECEX_TODAY); default today" },
	{ CLI_OPT_ARGS, "ID", 0, &o.args, NULL, "the id of the exception" },
	CLI_OPT_END
};

const cli_command_help cmd_approve_help = {
	"approve", "ID [--deny | --request-info | --acknowledge] [--comment TEXT] [--today DATE]",
	"Records your decision on exception ID: adds an entry to its approvals list, with who you\n"
	"are and the role you act in taken from your signing key and the roster, and commits that\n"
	"file alone, signed as 'git commit -S' signs with your git configuration (gpg.format,\n"
	"user.signingkey, gpg.program, gpg.ssh.program). The file's formatting and comments are kept.",
	"Nothing is written while the index has staged changes, while the exception, the policy or\n"
	"the roster has uncommitted changes, or when your key is not in .secex/people.yaml; when\n"
	"the commit fails, the file is put back as it was.\n"
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

/* The entry written into the file. */
typedef struct {
	const char *by, *decision, *role, *date, *comment;
} entry;

typedef struct {
	cli_snapshot s;
	const secex_exception *exc;
	const secex_person *person;
	const char *role;
	const decision *decision;
	char date[16];
	secex_buf file;   /* the exception on disk */
	secex_buf before; /* its text */
	secex_buf after;  /* its text with the entry */
	secex_buf sha;    /* the new commit, abbreviated */
} job;

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

			if (rk->kind != SECEX_KEY_SSH || secex_ssh_key_parse(&theirs, rk->ssh, strlen(rk->ssh)) < 0)
				continue;
			if ((found = secex_ssh_key_equal(&theirs, &k->blob))) {
				*person = &roster->people[i];
				*key = rk;
			}
		}
	secex_ssh_key_release(&theirs);
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
	if ((rc = secex_ssh_key_parse(&k, secex_buf_cstr(&line), line.size)) < 0) {
		snprintf(why, sizeof(why), "%s", secex_error_last());
		rc = secex_error_set(SECEX_EINVALID, "user.signingkey '%s' is not an SSH key secex can use: %s",
				     value, why);
		goto cleanup;
	}
	if (match_ssh(person, key, roster, &k))
		goto cleanup;
	secex_ssh_fingerprint(&fpr, k.blob.ptr, k.blob.size);
	rc = secex_error_set(SECEX_EINVALID, "your SSH signing key %s (user.signingkey) is not in the roster %s; "
			     "ask a secex admin to add it to your entry there", secex_buf_cstr(&fpr), roster->file);
cleanup:
	secex_ssh_key_release(&k);
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
		if (secex_hexval(*p) < 0) {
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

/* The roster's person whose key user.signingkey (with gpg.format) names. */
static int find_signer(const secex_person **out, secex_repo *repo, const secex_roster *roster)
{
	secex_buf format = SECEX_BUF_INIT, key = SECEX_BUF_INIT;
	const secex_key *k = NULL;
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
		rc = ssh_signer(out, &k, roster, key.ptr);
	else if (strcmp(fmt, "openpgp") == 0)
		rc = openpgp_signer(out, &k, repo, roster, key.ptr);
	else
		rc = secex_error_set(SECEX_EINVALID, "gpg.format '%s' is not supported by secex; use ssh or openpgp", fmt);
	if (rc == 0)
		rc = check_person(*out, k, roster);
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
	if (strlen(j->exc->path) > 5 && strcmp(j->exc->path + strlen(j->exc->path) - 5, ".json") == 0)
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
	if (strcmp(key, "date") == 0 || (secex_yaml_plain_safe(value) && strcmp(key, "comment") != 0))
		secex_buf_puts(b, value);
	else
		secex_yaml_put_quoted(b, value);
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
	for (i = 0; i < after->u.object.n; i++) {
		const secex_member *m = &after->u.object.members[i];
		const secex_node *old = secex_node_get(before, m->key);

		if (strcmp(m->key, "approvals") != 0 && (!old || !secex_node_equal(old, m->value)))
			return false;
	}
	return true;
}

/* Validates the edited document against the shipped exception schema, leaving out the
 * fields a policy's extending schema adds (unchanged, and valid before). */
static int validate_edit(const secex_doc *doc, const char *path, secex_diags *diags)
{
	const secex_node *root = secex_doc_root(doc), *props;
	const secex_schema *schema;
	secex_doc *shipped = NULL, *view = NULL;
	secex_node *top;
	size_t i, len = 0;
	const char *text = secex_schema_builtin_text("exception", &len);
	bool valid = false;
	int rc;

	if ((rc = secex_schema_builtin(&schema, "exception")) < 0 ||
	    (rc = secex_json_parse(&shipped, text, len, "exception.schema.json", diags)) < 0 || !shipped ||
	    (rc = secex_doc_new(&view)) < 0)
		goto cleanup;
	props = secex_node_get(secex_doc_root(shipped), "properties");
	top = secex_xalloc_check(secex_doc_alloc(view, sizeof(*top)));
	*top = *root;
	top->u.object.n = 0;
	top->u.object.members = secex_xalloc_check(secex_doc_alloc(view, (root->u.object.n + 1) * sizeof(secex_member)));
	for (i = 0; i < root->u.object.n; i++)
		if (secex_node_get(props, root->u.object.members[i].key))
			top->u.object.members[top->u.object.n++] = root->u.object.members[i];
	rc = secex_schema_validate(&valid, schema, top, path, secex_node_str(secex_node_get(root, "id")), diags);
	if (rc == 0 && !valid)
		rc = secex_error_set(SECEX_EINVALID, "the new entry would not validate (%s); '%s' is unchanged",
				     diags->n ? diags->items[diags->n - 1].message : "", path);
cleanup:
	secex_doc_free(shipped);
	secex_doc_free(view);
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
		rc = validate_edit(after, path, &diags);
cleanup:
	secex_doc_free(before);
	secex_doc_free(after);
	secex_diags_release(&diags);
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

static int commit(job *j)
{
	secex_buf subject = SECEX_BUF_INIT;
	const char *add[] = { "git", "-C", j->s.root, "add", "--", j->exc->path, NULL };
	const char *ci[] = { "git", "-C", j->s.root, "commit", "-q", "-S", "-m", NULL, "--", j->exc->path, NULL };
	const char *head[] = { "git", "-C", j->s.root, "rev-parse", "--short", "HEAD", NULL };
	int rc;

	secex_buf_printf(&subject, "%s %s as %s", j->decision->subject, j->exc->id, j->role);
	ci[7] = secex_buf_cstr(&subject);
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
	secex_buf_release(&subject);
	return rc;
}

/* ---- the command ---- */

static int check_options(job *j)
{
	int64_t now;
	size_t bad;

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
	if (cli_today(&now, o.today) != 0)
		return CLI_EXIT_USAGE;
	secex_date_format(j->date, now >= 0 ? now / 86400 : (now - 86399) / 86400);
	return 0;
}

static void job_release(job *j)
{
	cli_snapshot_close(&j->s);
	secex_buf_release(&j->file);
	secex_buf_release(&j->before);
	secex_buf_release(&j->after);
	secex_buf_release(&j->sha);
}

int cmd_approve(int argc, char **argv)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	entry e;
	job j;
	bool help;
	int rc;

	memset(&j, 0, sizeof(j));
	if ((rc = cli_opt_parse(&cmd_approve_help, argc, argv, &help)) || help || (rc = check_options(&j)))
		return rc;
	if ((rc = cli_snapshot_open(&j.s, NULL, &diags)) < 0 || (rc = find_exception(&j, o.args.v[0], &diags)) < 0 ||
	    (rc = find_signer(&j.person, j.s.repo, j.s.snap->roster)) < 0 ||
	    (rc = pick_role(&j.role, j.s.snap->policy, j.exc, j.person)) < 0 || (rc = check_clean(&j)) < 0)
		goto fail;
	e = (entry){ j.person->id, j.decision->name, j.role, j.date, o.comment };
	if ((rc = edit(&j, &e)) < 0 || (rc = commit(&j)) < 0)
		goto fail;
	printf("%s %s as %s in commit %s\n", j.decision->done, j.exc->id, j.role, j.sha.ptr);
	rc = CLI_EXIT_CLEAN;
	goto cleanup;
fail:
	rc = cli_fail(rc);
cleanup:
	job_release(&j);
	secex_diags_release(&diags);
	return rc;
}
