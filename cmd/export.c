/* secex export: the exceptions and the roster in other tools' formats. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "secex/banned.h"

static struct {
	const char *format, *out, *rev, *product;
	bool allowed_signers;
	int64_t now;
} o;

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "format", 0, &o.format, "FORMAT",
	  "csv, json, trivyignore, grype, snyk, openvex or allowed-signers" },
	{ CLI_OPT_FLAG, "allowed-signers", 0, &o.allowed_signers, NULL, "same as --format allowed-signers" },
	{ CLI_OPT_STRING, "out", 'o', &o.out, "FILE", "write FILE (replaced whole) instead of standard output" },
	{ CLI_OPT_STRING, "rev", 0, &o.rev, "REV", "export the tree of commit REV instead of the working tree" },
	{ CLI_OPT_STRING, "product", 0, &o.product, "PURL",
	  "openvex: the scanned image (pkg:oci/NAME@sha256:DIGEST or NAME:TAG) as product, packages as its "
	  "subcomponents, which is what Grype matches" },
	CLI_OPT_END
};

const cli_command_help cmd_export_help = {
	"export", "--format FORMAT [--out FILE] [--rev REV] [--today DATE] [--product PURL]",
	"Writes the exceptions, or the roster's keys, in another tool's format:\n"
	"  csv              the tracker spreadsheet (RFC 4180, CRLF): Priority, Status, Decision date,\n"
	"                   Type of request, Description, Risk Owner, Risk Approvers, Exception Link,\n"
	"                   Notes; one row per exception, by id ('secex import' reads it back)\n"
	"  json             every exception document: {\"version\":1,\"exceptions\":[...]}\n"
	"  trivyignore      Trivy's .trivyignore.yaml, with expired_at\n"
	"  grype            Grype's .grype.yaml ignore rules (Grype has no expiry: regenerate it)\n"
	"  snyk             a .snyk policy, with expires\n"
	"  openvex          an OpenVEX 0.2.0 document\n"
	"  allowed-signers  a git allowed_signers file of the roster's SSH keys (ssh-keygen(1))\n"
	"The four scanner formats hold the findings of approved exceptions whose due_date is\n"
	"still ahead (--today), so an expired, denied or closed exception stops suppressing.\n"
	"Each uses the finding's alias for its scanner (aliases: {trivy: ID, snyk: ID}) or its id\n"
	"when that scanner uses such ids; a finding no entry could match is left out, with a warning.",
	"Only exception files that load and pass the schema are exported; a warning counts the\n"
	"others ('secex validate' says why). For allowed-signers, departed people get no lines,\n"
	"keys secex refuses are left out with a warning, and OpenPGP keys are not part of the\n"
	"format; 'git config gpg.ssh.allowedSignersFile FILE' makes git agree with secex.",
	opts
};

typedef int (*export_fn)(secex_buf *out, const cli_snapshot *s);

/* Appends a validity bound in UTC as ssh-keygen reads it: YYYYMMDDZ or YYYYMMDDHHMMSSZ. */
static void put_bound(secex_buf *b, const char *name, int64_t t)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400, secs = t - days * 86400;
	unsigned month, day;
	int year;

	secex_date_civil_from_days(days, &year, &month, &day);
	secex_buf_printf(b, ",%s=\"%04d%02u%02u", name, year, month, day);
	if (secs)
		secex_buf_printf(b, "%02d%02d%02d", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
	secex_buf_puts(b, "Z\"");
}

/* The principal for a person: the email when it is a plain address, else the id. */
static const char *principal(const secex_person *p)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@_%+-";

	if (p->email && *p->email && strspn(p->email, ok) == strlen(p->email) && strchr(p->email, '@'))
		return p->email;
	return p->id;
}

/* One allowed_signers line for an SSH key of p, or a warning when secex refuses the key. */
static void put_key(secex_buf *b, const secex_person *p, const secex_key *k, size_t n, const char *file)
{
	secex_ssh_key parsed = SECEX_SSH_KEY_INIT;
	const char *line = k->ssh + strspn(k->ssh, " \t"), *key;
	size_t type = strcspn(line, " \t");

	if (secex_sshsig_key_parse(&parsed, k->ssh, strlen(k->ssh)) < 0) {
		fprintf(stderr, "secex: warning: left out key %zu of '%s' in %s: %s\n", n, p->id, file,
			secex_error_last());
		secex_error_clear();
		return;
	}
	key = line + type + strspn(line + type, " \t");
	secex_buf_printf(b, "%s namespaces=\"git\"", principal(p));
	if (k->valid_after != INT64_MIN)
		put_bound(b, "valid-after", k->valid_after);
	if (k->valid_before != INT64_MAX) /* secex: before this instant; ssh-keygen: at or before */
		put_bound(b, "valid-before", k->valid_before - 1);
	secex_buf_printf(b, " %.*s %.*s\n", (int)type, line, (int)strcspn(key, " \t\r\n"), key);
	secex_sshsig_key_release(&parsed);
}

static int export_allowed_signers(secex_buf *out, const cli_snapshot *s)
{
	const secex_roster *roster = s->snap->roster;
	size_t i, j;

	if (!roster)
		return secex_error_set(SECEX_EINVALID, "%s is missing or does not validate in the %s; run "
				       "'secex validate' and fix it first", SECEX_PEOPLE_PATH, secex_tree_name(s->tree));
	secex_buf_printf(out, "# git allowed_signers from %s (%s), written by 'secex export --allowed-signers'.\n"
			 "# Regenerate it rather than editing it.\n", roster->file, secex_tree_name(s->tree));
	for (i = 0; i < roster->n; i++) {
		const secex_person *p = &roster->people[i];
		bool named = false;

		for (j = 0; p->active && j < p->nkeys; j++) {
			if (p->keys[j].kind != SECEX_KEY_SSH)
				continue;
			if (!named)
				secex_buf_printf(out, "# %s\n", p->id);
			named = true;
			put_key(out, p, &p->keys[j], j + 1, roster->file);
		}
	}
	return 0;
}

/* Each line of the library's warnings, as a warning. */
static void print_warnings(const secex_buf *warnings)
{
	const char *p = secex_buf_cstr(warnings), *nl;

	for (; (nl = strchr(p, '\n')); p = nl + 1)
		fprintf(stderr, "secex: warning: %.*s\n", (int)(nl - p), p);
}

/* The exceptions in one of the library's formats, with a warning for what is left out. */
static int export_exceptions(secex_buf *out, const cli_snapshot *s)
{
	secex_export_options eopts = SECEX_EXPORT_OPTIONS_INIT;
	secex_export_format format = SECEX_EXPORT_CSV;
	secex_approval_claim *claims = NULL;
	secex_history *history = NULL;
	secex_buf warnings = SECEX_BUF_INIT;
	bool *verified = NULL;
	size_t i, left_out = 0, count = 0;
	int rc;

	(void)secex_export_format_parse(&format, o.format);
	eopts.now = o.now;
	eopts.product = o.product;
	eopts.warnings = &warnings;
	if (format != SECEX_EXPORT_CSV && format != SECEX_EXPORT_JSON) {
		if ((rc = cli_verify(&claims, &history, s, o.rev)) < 0)
			return rc;
		if (!(verified = calloc(s->snap->n + 1, sizeof(*verified)))) {
			rc = secex_error_nomem();
			goto cleanup;
		}
		for (i = 0; i < s->snap->n; i++)
			verified[i] = claims[i] == SECEX_CLAIM_VERIFIED;
		cli_warn_unverified(s, claims, "left out of the suppressions");
		eopts.verified = verified;
	}
	for (i = 0; i < s->snap->n; i++)
		left_out += !s->snap->items[i].valid || !s->snap->items[i].id;
	if (left_out)
		fprintf(stderr, "secex: warning: %zu exception file%s in %s do%s not load or validate and %s "
			"left out; run 'secex validate'\n", left_out, left_out == 1 ? "" : "s",
			secex_tree_name(s->tree), left_out == 1 ? "es" : "", left_out == 1 ? "is" : "are");
	rc = secex_export_write(out, &count, s->snap, format, &eopts);
	print_warnings(&warnings);
	if (rc == 0 && count == 0 && format != SECEX_EXPORT_CSV && format != SECEX_EXPORT_JSON)
		fprintf(stderr, "secex: warning: no approved exception with findings is still ahead of its "
			"due date; the %s output suppresses nothing\n", o.format);
cleanup:
	secex_buf_release(&warnings);
	free(verified);
	free(claims);
	secex_history_free(history);
	return rc;
}

static const struct {
	const char *name;
	export_fn fn;
} formats[] = {
	{ "allowed-signers", export_allowed_signers },
	{ "csv", export_exceptions },
	{ "json", export_exceptions },
	{ "trivyignore", export_exceptions },
	{ "grype", export_exceptions },
	{ "snyk", export_exceptions },
	{ "openvex", export_exceptions },
};

/* The exporter for the options given, or NULL after printing why (exit 2). */
static export_fn pick_format(void)
{
	const char *name = o.format ? o.format : o.allowed_signers ? "allowed-signers" : NULL;
	size_t i;

	if (!name) {
		cli_error("say what to export: secex export --format FORMAT, FORMAT one of %s, "
			  "allowed-signers", secex_export_format_names());
		return NULL;
	}
	if (o.allowed_signers && strcmp(name, "allowed-signers") != 0) {
		cli_error("--allowed-signers and --format %s ask for two formats; give one", name);
		return NULL;
	}
	for (i = 0; i < sizeof(formats) / sizeof(*formats); i++)
		if (strcmp(formats[i].name, name) == 0)
			return formats[i].fn;
	cli_error("unknown export format '%s'; use one of %s, allowed-signers", name, secex_export_format_names());
	return NULL;
}

int cmd_export(int argc, char **argv)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_buf text = SECEX_BUF_INIT;
	export_fn fn;
	cli_snapshot s;
	bool help;
	int rc;

	memset(&s, 0, sizeof(s));
	if ((rc = cli_opt_parse(&cmd_export_help, argc, argv, &help)) || help)
		return rc;
	if (!(fn = pick_format()))
		return CLI_EXIT_USAGE;
	if (o.product && (!o.format || strcmp(o.format, "openvex") != 0 || !*o.product)) {
		cli_error("--product names the product of OpenVEX statements; use it with --format openvex and a "
			  "package URL or image reference");
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_now(&o.now)) < 0)
		return cli_fail(rc);
	if ((rc = cli_snapshot_open(&s, o.rev, &diags)) < 0 || (rc = fn(&text, &s)) < 0 ||
	    (o.out && (rc = secex_file_replace(o.out, secex_buf_cstr(&text), text.size)) < 0)) {
		rc = cli_fail(rc);
		goto cleanup;
	}
	if (!o.out)
		fputs(secex_buf_cstr(&text), stdout);
	rc = CLI_EXIT_CLEAN;
cleanup:
	secex_buf_release(&text);
	cli_snapshot_close(&s);
	secex_diag_release(&diags);
	return rc;
}
