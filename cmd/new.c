/* secex new: writes a new exception from options, or by asking on a terminal. */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "cli.h"
#include "secex/banned.h"

static struct {
	const char *title, *type, *priority, *requestor, *risk_owner, *assignee, *due, *original_due;
	const char *summary, *justification, *remediation_plan, *dir, *from_scan;
	cli_list pros, cons, tickets, findings;
	bool dry_run;
	cli_report_opts report;
} o = { .report = CLI_REPORT_OPTS_INIT };

static const cli_opt opts[] = {
	{ CLI_OPT_STRING, "title", 0, &o.title, "TEXT", "one precise line naming the risk and what is asked" },
	{ CLI_OPT_STRING, "type", 0, &o.type, "TYPE", "extension (delay the fix) or acceptance (accept the risk, do not fix)" },
	{ CLI_OPT_STRING, "priority", 0, &o.priority, "LEVEL",
	  "the risk level, a level of the policy: it decides the approvers and the SLA" },
	{ CLI_OPT_STRING, "requestor", 0, &o.requestor, "ID",
	  "roster id of who files the request (default: the person whose e-mail is git's user.email)" },
	{ CLI_OPT_STRING, "risk-owner", 0, &o.risk_owner, "ID", "roster id of who is accountable for the risk" },
	{ CLI_OPT_STRING, "assignee", 0, &o.assignee, "ID", "roster id of who will fix it (optional; health reports it missing)" },
	{ CLI_OPT_STRING, "due", 0, &o.due, "DATE",
	  "fix-by date (extension) or re-review date (acceptance) (default: today + the level's SLA)" },
	{ CLI_OPT_STRING, "original-due", 0, &o.original_due, "DATE",
	  "extensions: the remediation date before this request (default: today)" },
	{ CLI_OPT_STRING, "summary", 0, &o.summary, "TEXT", "the issue and its impact on the company, customers, data, employees" },
	{ CLI_OPT_STRING, "justification", 0, &o.justification, "TEXT", "why the exception is needed" },
	{ CLI_OPT_LIST, "pro", 0, &o.pros, "TEXT", "a benefit of granting the exception, at least one" },
	{ CLI_OPT_LIST, "con", 0, &o.cons, "TEXT", "a cost or risk of granting the exception, at least one" },
	{ CLI_OPT_STRING, "remediation-plan", 0, &o.remediation_plan, "TEXT",
	  "extensions: the path to the fix, with steps, owners and dates" },
	{ CLI_OPT_LIST, "ticket", 0, &o.tickets, "ID", "an id or URL of a vulnerability ticket it covers" },
	{ CLI_OPT_LIST, "finding", 0, &o.findings, "ID[,PACKAGE]",
	  "a scanner finding it covers: a CVE or rule id, and the package (a purl)" },
	{ CLI_OPT_STRING, "from-scan", 0, &o.from_scan, "REPORT",
	  "prefill each --finding from this scanner report: its package, paths, a title, its severity as priority" },
	{ CLI_OPT_STRING, "dir", 0, &o.dir, "DIR", "write into DIR (default: the policy's exceptions_dir)" },
	{ CLI_OPT_FLAG, "dry-run", 'n', &o.dry_run, NULL, "print the file instead of writing it" },
	CLI_REPORT_OPT_ROWS(&o.report),
	CLI_OPT_END
};

const cli_command_help cmd_new_help = {
	"new", "[--title T] [--type extension|acceptance] [--priority LEVEL] [--requestor ID]\n"
	"         [--risk-owner ID] [--assignee ID] [--due DATE] [--original-due DATE] [--summary T]\n"
	"         [--justification T] [--pro T]... [--con T]... [--remediation-plan T] [--ticket T]...\n"
	"         [--finding ID[,PACKAGE]]... [--from-scan REPORT] [--dir DIR] [--dry-run] [--today DATE]",
	"Writes a new exception request, <exceptions_dir>/<ID>.yaml, with the next free id of the\n"
	"policy's id_pattern, status requested and created today. On a terminal, every field not\n"
	"given as an option is asked for, with its default in brackets; elsewhere the missing\n"
	"required options are listed and nothing is written (exit 2).",
	"The file is validated as 'secex validate' would before it is written: on findings nothing\n"
	"is written (exit 1). It is written atomically and never over an existing file. Defaults:\n"
	"due date today plus the level's SLA; original due date (extensions) today; requestor the\n"
	"roster person whose e-mail is git's user.email. Ctrl-D at a question aborts.",
	opts
};

/* ---- the fields, in the order they are asked ---- */

typedef enum { ASK_LINE, ASK_TEXT, ASK_CHOICE, ASK_PERSON, ASK_DATE, ASK_LIST } ask_kind;
typedef enum { NEED_ALWAYS, NEED_EXTENSION, NEED_NEVER } need;

typedef struct {
	const char *key;  /* the YAML field */
	const char *flag; /* its option, whose help says what it means */
	ask_kind kind;
	need need;
	size_t off;       /* of its value in secex_new_fields; ASK_LIST: index in job.lists */
} field;

#define AT(member) offsetof(secex_new_fields, member)

static const field fields[] = {
	{ "title", "title", ASK_LINE, NEED_ALWAYS, AT(title) },
	{ "type", "type", ASK_CHOICE, NEED_ALWAYS, AT(type) },
	{ "priority", "priority", ASK_CHOICE, NEED_ALWAYS, AT(priority) },
	{ "requestor", "requestor", ASK_PERSON, NEED_ALWAYS, AT(requestor) },
	{ "risk_owner", "risk-owner", ASK_PERSON, NEED_ALWAYS, AT(risk_owner) },
	{ "assignee", "assignee", ASK_PERSON, NEED_NEVER, AT(assignee) },
	{ "original_due_date", "original-due", ASK_DATE, NEED_EXTENSION, AT(original_due_date) },
	{ "due_date", "due", ASK_DATE, NEED_ALWAYS, AT(due_date) },
	{ "summary", "summary", ASK_TEXT, NEED_ALWAYS, AT(summary) },
	{ "justification", "justification", ASK_TEXT, NEED_ALWAYS, AT(justification) },
	{ "pros", "pro", ASK_LIST, NEED_ALWAYS, 0 },
	{ "cons", "con", ASK_LIST, NEED_ALWAYS, 1 },
	{ "remediation_plan", "remediation-plan", ASK_TEXT, NEED_EXTENSION, AT(remediation_plan) },
	{ "tickets", "ticket", ASK_LIST, NEED_NEVER, 2 },
	{ "findings", "finding", ASK_LIST, NEED_NEVER, 3 },
};

#define ASKED_TICKETS 2 /* lists[] of the answers, moved into the fields once asked */
#define ASKED_FINDINGS 3

#define NFIELDS (sizeof(fields) / sizeof(*fields))

typedef struct {
	cli_snapshot s;
	secex_new_fields f;
	secex_vec lists[4];           /* pros, cons; tickets, findings as asked (const char *) */
	secex_new_finding *findings;
	secex_vec owned;              /* strings this command allocated */
	const char *by_email;         /* the requestor git's user.email names, or NULL */
	char created[16], due[24];
	int64_t today;                /* days */
	char *dir, *shown;
	secex_buf id, path, text;
	secex_new_ids ids;
	secex_scan_report *scan;      /* --from-scan */
} job;

static const char **slot(job *j, const field *fd)
{
	return (const char **)(void *)((char *)&j->f + fd->off);
}

static bool given(job *j, const field *fd)
{
	if (fd->kind == ASK_LIST && fd->off == ASKED_TICKETS)
		return j->f.ntickets > 0 || j->lists[fd->off].n > 0;
	if (fd->kind == ASK_LIST && fd->off == ASKED_FINDINGS)
		return j->f.nfindings > 0 || j->lists[fd->off].n > 0;
	return fd->kind == ASK_LIST ? j->lists[fd->off].n > 0 : *slot(j, fd) != NULL;
}

static bool is_extension(const job *j)
{
	return j->f.type && strcmp(j->f.type, "extension") == 0;
}

/* Whether the field is needed: NEED_EXTENSION ones also while the type is not known. */
static bool needed(const job *j, const field *fd)
{
	return fd->need == NEED_ALWAYS || (fd->need == NEED_EXTENSION && (!j->f.type || is_extension(j)));
}

static const char *help_of(const char *flag)
{
	const cli_opt *opt;

	for (opt = opts; opt->name; opt++)
		if (strcmp(opt->name, flag) == 0)
			return opt->help;
	return "";
}

/* The default of a field as things stand, or NULL. */
static const char *default_of(job *j, const field *fd)
{
	if (strcmp(fd->key, "requestor") == 0)
		return j->by_email;
	if (strcmp(fd->key, "original_due_date") == 0)
		return is_extension(j) ? j->created : NULL;
	if (strcmp(fd->key, "due_date") == 0)
		return secex_new_default_due(j->due, j->s.snap->policy, j->f.priority, j->today) == 0 ? j->due : NULL;
	return NULL;
}

/* Whether the field will have a default: the due date once the priority is known (it is
 * asked for or listed itself), the original due date always (for extensions). */
static bool has_default(job *j, const field *fd)
{
	if (strcmp(fd->key, "due_date") == 0 && !j->f.priority)
		return true;
	return strcmp(fd->key, "original_due_date") == 0 || default_of(j, fd) != NULL;
}

static const field *field_named(const char *key)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i].key, key) == 0)
			return &fields[i];
	abort();
}

/* str, freed with the job; aborts when out of memory (the CLI's policy). */
static char *keep(job *j, char *str)
{
	if (secex_vec_push(&j->owned, cli_xalloc(str)) < 0)
		abort();
	return str;
}

/* ---- from the options ---- */

static int from_scan(job *j);

static int from_options(job *j)
{
	const cli_list *lists[2] = { &o.pros, &o.cons };
	size_t i, k;

	j->f.title = o.title;
	j->f.type = o.type;
	j->f.priority = o.priority;
	j->f.requestor = o.requestor;
	j->f.risk_owner = o.risk_owner;
	j->f.assignee = o.assignee;
	j->f.due_date = o.due;
	j->f.original_due_date = o.original_due;
	j->f.summary = o.summary;
	j->f.justification = o.justification;
	j->f.remediation_plan = o.remediation_plan;
	for (k = 0; k < 2; k++)
		for (i = 0; i < lists[k]->n; i++)
			if (secex_vec_push(&j->lists[k], (void *)(uintptr_t)lists[k]->v[i]) < 0)
				return SECEX_ENOMEM;
	j->f.tickets = o.tickets.v;
	j->f.ntickets = o.tickets.n;
	if (o.findings.n && !(j->findings = calloc(o.findings.n, sizeof(*j->findings))))
		return secex_error_nomem();
	for (i = 0; i < o.findings.n; i++)
		secex_new_finding_parse(&j->findings[i], keep(j, strdup(o.findings.v[i])));
	j->f.findings = j->findings;
	j->f.nfindings = o.findings.n;
	return o.from_scan ? from_scan(j) : 0;
}

/* ---- --from-scan: a request prefilled from one finding of a report ---- */

static const secex_scan_finding *scan_find(const secex_scan_report *r, const secex_new_finding *want)
{
	secex_buf a = SECEX_BUF_INIT, b = SECEX_BUF_INIT;
	const secex_scan_finding *found = NULL;
	size_t i, k;

	secex_scan_normalise_id(&a, want->id, strlen(want->id));
	for (i = 0; !found && i < r->n; i++)
		for (k = 0; !found && k < r->items[i].nids; k++)
			if (secex_scan_normalise_id(&b, r->items[i].ids[k], strlen(r->items[i].ids[k])) == 0 &&
			    strcmp(secex_buf_cstr(&a), secex_buf_cstr(&b)) == 0 &&
			    (!want->package || (r->items[i].purl && strcmp(r->items[i].purl, want->package) == 0) ||
			     (r->items[i].name && strcmp(r->items[i].name, want->package) == 0)))
				found = &r->items[i];
	secex_buf_release(&a);
	secex_buf_release(&b);
	return found;
}

/* Fills what the options leave out from the finding: package, paths, title, priority. */
static void prefill(job *j, secex_new_finding *nf, const secex_scan_finding *f)
{
	const char *sev = secex_scan_severity_name(f->severity);
	secex_buf b = SECEX_BUF_INIT;

	if (!nf->package && f->purl) {
		nf->package = f->purl;
	} else if (!nf->package && f->name && f->version) {
		secex_buf_printf(&b, "%s@%s", f->name, f->version);
		nf->package = keep(j, secex_buf_detach(&b));
	} else if (!nf->package) {
		nf->package = f->name;
	}
	nf->paths = f->paths;
	nf->npaths = f->npaths;
	if (!j->f.title) {
		secex_buf_clear(&b);
		secex_buf_printf(&b, "Accept %s in %s", f->id, f->name ? f->name : f->npaths ? f->paths[0] : "the scanned code");
		if (f->title)
			secex_buf_printf(&b, ": %.*s", (int)strcspn(f->title, "\r\n"), f->title);
		j->f.title = keep(j, secex_buf_detach(&b));
	}
	if (!j->f.priority && secex_policy_level(j->s.snap->policy, sev))
		j->f.priority = sev;
	secex_buf_release(&b);
}

static int from_scan(job *j)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	size_t i;
	int rc;

	if (!j->f.nfindings)
		return secex_error_set(SECEX_EINVALID, "--from-scan needs the finding to take: add --finding ID");
	if ((rc = secex_scan_read_file(&j->scan, o.from_scan, SECEX_SCAN_AUTO, &diags)) == 0 && diags.n)
		rc = secex_error_set(SECEX_EINVALID, "%s:%u:%u: %s [SX606]", diags.items[0].file, diags.items[0].line,
				     diags.items[0].column, diags.items[0].message);
	for (i = 0; rc == 0 && i < j->f.nfindings; i++) {
		const secex_scan_finding *f = scan_find(j->scan, &j->findings[i]);

		if (!f)
			rc = secex_error_set(SECEX_EINVALID, "no finding '%s' in '%s'; 'secex scan %s' lists them",
					     j->findings[i].id, o.from_scan, o.from_scan);
		else
			prefill(j, &j->findings[i], f);
	}
	secex_diag_release(&diags);
	return rc;
}

/* The active roster person whose e-mail is git's user.email. */
static const char *requestor_by_email(job *j)
{
	secex_buf email = SECEX_BUF_INIT;
	const secex_roster *roster = j->s.snap->roster;
	const char *id = NULL;
	size_t i;

	if (j->s.repo && secex_repo_config_string(&email, j->s.repo, "user.email") == 0)
		for (i = 0; i < roster->n && !id; i++)
			if (roster->people[i].active && roster->people[i].email &&
			    strcasecmp(roster->people[i].email, secex_buf_cstr(&email)) == 0)
				id = roster->people[i].id;
	secex_error_clear();
	secex_buf_release(&email);
	return id;
}

/* Checks every value given as an option. */
static int check_options(job *j, secex_diags *diags)
{
	secex_new_fields f = j->f;
	size_t i, k;
	int rc = 0;

	f.due_date = NULL; /* the due date is checked against the original one once, as itself */
	for (i = 0; i < NFIELDS && rc == 0; i++) {
		const field *fd = &fields[i];

		if (fd->kind == ASK_LIST) /* the tickets and findings below */
			for (k = 0; fd->off < ASKED_TICKETS && k < j->lists[fd->off].n && rc == 0; k++)
				rc = secex_new_check_field(diags, j->s.snap, &j->f, fd->key, j->lists[fd->off].items[k],
							   j->path.ptr);
		else if (*slot(j, fd))
			rc = secex_new_check_field(diags, j->s.snap, strcmp(fd->key, "original_due_date") == 0 ? &f : &j->f,
						   fd->key, *slot(j, fd), j->path.ptr);
	}
	for (i = 0; i < j->f.ntickets && rc == 0; i++)
		rc = secex_new_check_field(diags, j->s.snap, &j->f, "tickets", j->f.tickets[i], j->path.ptr);
	for (i = 0; i < j->f.nfindings && rc == 0; i++)
		rc = secex_new_check_field(diags, j->s.snap, &j->f, "findings", j->f.findings[i].id, j->path.ptr);
	return rc;
}

/* "--title, --priority and --pro", the options of the required fields not given. */
static void missing(secex_buf *out, job *j)
{
	size_t i, n = 0, k = 0;

	for (i = 0; i < NFIELDS; i++)
		n += needed(j, &fields[i]) && !given(j, &fields[i]) && !has_default(j, &fields[i]);
	for (i = 0; i < NFIELDS; i++) {
		const field *fd = &fields[i];

		if (!needed(j, fd) || given(j, fd) || has_default(j, fd))
			continue;
		k++;
		secex_buf_printf(out, "%s--%s%s", k == 1 ? "" : k == n ? " and " : ", ", fd->flag,
				 fd->need == NEED_EXTENSION && !j->f.type ? " (for an extension)" : "");
	}
}

/* ---- asking on the terminal ---- */

/* Reads one answer without its line break and surrounding blanks; false at end of input. */
static bool read_answer(char **line, size_t *cap)
{
	ssize_t n;
	char *s;
	size_t len;

	fflush(stdout);
	if ((n = getline(line, cap, stdin)) < 0 || (*line)[n - 1] != '\n')
		return false; /* Ctrl-D, also after a partial line */
	s = *line + strspn(*line, " \t");
	len = strlen(s);
	while (len && strchr(" \t\r\n", s[len - 1]))
		len--;
	memmove(*line, s, len);
	(*line)[len] = '\0';
	return true;
}

/* After a lone "|": the lines up to an empty one, joined by line breaks, in *line; false
 * at end of input. */
static bool read_lines(char **line, size_t *cap)
{
	secex_buf text = SECEX_BUF_INIT;
	bool ok;

	printf("  (several lines; an empty line ends the text)\n");
	while ((ok = read_answer(line, cap)) && **line)
		secex_buf_printf(&text, "%s%s", text.size ? "\n" : "", *line);
	if (ok) {
		free(*line);
		*line = cli_xalloc(secex_buf_detach(&text));
		*cap = strlen(*line) + 1;
	}
	secex_buf_release(&text);
	return ok;
}

/* The one choice that starts with answer (in any case), or answer itself. */
static const char *expand_choice(job *j, const field *fd, const char *answer)
{
	static const char *const types[] = { "extension", "acceptance" };
	const secex_policy *p = j->s.snap->policy;
	const char *found = NULL;
	size_t i, n = strcmp(fd->key, "type") == 0 ? 2 : p->nlevels, hits = 0;

	for (i = 0; i < n; i++) {
		const char *choice = strcmp(fd->key, "type") == 0 ? types[i] : p->levels[i].name;

		if (strcasecmp(choice, answer) == 0)
			return choice;
		if (strncasecmp(choice, answer, strlen(answer)) == 0) {
			found = choice;
			hits++;
		}
	}
	return hits == 1 ? found : answer;
}

static void describe(job *j, const field *fd)
{
	const secex_policy *p = j->s.snap->policy;
	size_t i;

	printf("\n# %s\n", help_of(fd->flag));
	if (fd->kind == ASK_TEXT)
		printf("# one line, or '|' and then several lines ended by an empty line\n");
	if (fd->kind == ASK_LIST && fd->need == NEED_NEVER)
		printf("# optional: an empty answer skips it\n");
	if (strcmp(fd->key, "type") == 0)
		printf("# choices: extension, acceptance\n");
	if (strcmp(fd->key, "priority") == 0) {
		printf("# choices:");
		for (i = 0; i < p->nlevels; i++) {
			char sla[24];

			secex_duration_format(sla, sizeof(sla), p->levels[i].sla);
			printf("%s %s (SLA %s)", i ? "," : "", p->levels[i].name, sla);
		}
		printf("\n");
	}
}

/* Checks an answer: false (after saying why) when it must be asked again. */
static bool acceptable(job *j, const field *fd, const char *value)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	bool ok = true;
	size_t i;

	if (secex_new_check_field(&diags, j->s.snap, &j->f, fd->key, value, j->path.ptr) < 0) {
		printf("  %s\n", secex_error_last());
		ok = false;
	}
	for (i = 0; i < diags.n; i++) {
		printf("  %s%s\n", diags.items[i].severity == SECEX_SEV_ERROR ? "" : "warning: ", diags.items[i].message);
		ok = ok && diags.items[i].severity != SECEX_SEV_ERROR;
	}
	secex_diag_release(&diags);
	return ok;
}

/* What an answer is checked as: a finding's id without its package. */
static const char *answer_value(job *j, const field *fd, const char *answer)
{
	secex_new_finding f;

	if (fd->off != ASKED_FINDINGS)
		return answer;
	secex_new_finding_parse(&f, keep(j, strdup(answer)));
	return f.id;
}

/* Moves the tickets and findings asked for into the fields. */
static void adopt_asked(job *j)
{
	size_t i, n = j->lists[ASKED_FINDINGS].n;

	if (j->lists[ASKED_TICKETS].n) {
		j->f.tickets = (const char *const *)j->lists[ASKED_TICKETS].items;
		j->f.ntickets = j->lists[ASKED_TICKETS].n;
	}
	if (!n)
		return;
	free(j->findings);
	j->findings = cli_xalloc(calloc(n, sizeof(*j->findings)));
	for (i = 0; i < n; i++)
		secex_new_finding_parse(&j->findings[i], keep(j, strdup(j->lists[ASKED_FINDINGS].items[i])));
	j->f.findings = j->findings;
	j->f.nfindings = n;
}

/* Asks for the items of a list until an empty answer; false when aborted. */
static bool ask_list(job *j, const field *fd, char **line, size_t *cap)
{
	secex_vec *list = &j->lists[fd->off];
	const char *item = fd->flag;

	for (;;) {
		printf("%s %zu%s: ", item, list->n + 1, list->n ? " (empty to finish)" : "");
		if (!read_answer(line, cap))
			return false;
		if (!**line && (list->n || fd->need == NEED_NEVER))
			return true;
		if (!**line)
			printf("  at least one %s is required; %s\n", item, help_of(fd->flag));
		else if (acceptable(j, fd, answer_value(j, fd, *line)) && secex_vec_push(list, keep(j, strdup(*line))) < 0)
			abort();
	}
}

/* Asks for one field until the answer is acceptable; false when aborted. */
static bool ask(job *j, const field *fd, char **line, size_t *cap)
{
	const char *def, *value;

	describe(j, fd);
	if (fd->kind == ASK_LIST)
		return ask_list(j, fd, line, cap);
	def = default_of(j, fd);
	for (;;) {
		printf("%s%s%s%s: ", fd->key, def ? " [" : "", def ? def : "", def ? "]" : "");
		if (!read_answer(line, cap))
			return false;
		if (fd->kind == ASK_TEXT && strcmp(*line, "|") == 0 && !read_lines(line, cap))
			return false;
		value = **line ? *line : def;
		if (!value && fd->need == NEED_NEVER)
			return true;
		if (!value) {
			printf("  %s is required; %s\n", fd->key, help_of(fd->flag));
			continue;
		}
		if (fd->kind == ASK_CHOICE)
			value = expand_choice(j, fd, value);
		if (acceptable(j, fd, value)) {
			*slot(j, fd) = value == def ? def : keep(j, strdup(value));
			return true;
		}
	}
}

/* Asks for every field not given as an option; false when aborted. */
static bool ask_all(job *j)
{
	char *line = NULL;
	size_t i, cap = 0;
	bool ok = true;

	printf("New exception %s, to be written to %s (Ctrl-D aborts and writes nothing).\n", j->id.ptr,
	       j->path.ptr);
	for (i = 0; i < NFIELDS && ok; i++) {
		const field *fd = &fields[i];

		if (!given(j, fd) && (fd->need != NEED_EXTENSION || is_extension(j)))
			ok = ask(j, fd, &line, &cap);
	}
	free(line);
	if (ok) {
		adopt_asked(j);
		printf("\n");
	}
	return ok;
}

/* ---- writing ---- */

/* Ids taken on other branches (local and remote-tracking) count as in use: two requests
 * written on two branches get two ids. */
static int ids_on_branches(job *j)
{
	secex_vec names = SECEX_VEC_INIT;
	size_t i;
	int rc = 0;

	if (!j->s.repo)
		return 0;
	rc = secex_repo_branch_names(&names, j->s.repo, j->s.snap->policy->exceptions_dir);
	for (i = 0; rc == 0 && i < names.n; i++)
		rc = secex_new_ids_consider(&j->ids, names.items[i]);
	for (i = 0; i < names.n; i++)
		free(names.items[i]);
	secex_vec_release(&names);
	return rc;
}

static int set_id(job *j)
{
	int rc;

	secex_buf_clear(&j->path);
	if ((rc = secex_new_ids_next(&j->id, &j->ids, j->dir)) < 0 ||
	    (rc = secex_buf_printf(&j->path, "%s/%s.yaml", j->shown, j->id.ptr)) < 0)
		return rc;
	j->f.id = j->id.ptr;
	return 0;
}

/* The text, checked; findings go to diags. */
static int build(job *j, secex_diags *diags)
{
	int rc;

	j->f.pros = (const char *const *)j->lists[0].items;
	j->f.npros = j->lists[0].n;
	j->f.cons = (const char *const *)j->lists[1].items;
	j->f.ncons = j->lists[1].n;
	secex_buf_clear(&j->text);
	if ((rc = secex_new_text(&j->text, &j->f)) < 0 ||
	    (rc = secex_new_check(diags, j->s.snap, j->path.ptr, j->text.ptr, j->text.size)) < 0)
		return rc;
	return secex_policy_apply_severity(j->s.snap->policy, diags);
}

/* Writes the file under the next free id; a name taken meanwhile moves it to the next one. */
static int write_new(job *j, secex_diags *diags)
{
	secex_buf file = SECEX_BUF_INIT;
	int rc, tries = 0;

	if ((rc = secex_file_mkdirs(j->dir)) < 0)
		return rc;
	for (;;) {
		secex_buf_clear(&file);
		if ((rc = secex_buf_printf(&file, "%s/%s.yaml", j->dir, j->id.ptr)) < 0 ||
		    (rc = secex_file_create(file.ptr, j->text.ptr, j->text.size)) != SECEX_EEXISTS || ++tries > 100)
			break;
		secex_diag_release(diags);
		if ((rc = set_id(j)) < 0 || (rc = build(j, diags)) < 0)
			break;
		if (cli_exit_for(diags, o.report.fail_level)) {
			rc = secex_error_set(SECEX_EINVALID, "'%s' was taken meanwhile, and as %s it would not "
					     "validate; run secex new again", file.ptr, j->id.ptr);
			break;
		}
	}
	if (rc == SECEX_EEXISTS)
		rc = secex_error_set(SECEX_EEXISTS, "every id up to %s is taken in %s; run secex new again", j->id.ptr,
				     j->shown);
	secex_buf_release(&file);
	return rc;
}

/* ---- the command ---- */

static int setup(job *j, int64_t now)
{
	secex_diags load = SECEX_DIAGS_INIT;
	int rc;

	j->today = now >= 0 ? now / 86400 : (now - 86399) / 86400;
	secex_date_format(j->created, j->today);
	if ((rc = cli_snapshot_open(&j->s, NULL, &load)) < 0)
		goto cleanup;
	if (!j->s.snap->policy_ok)
		rc = secex_error_set(SECEX_EINVALID, "%s does not validate; run 'secex validate' and fix it first",
				     SECEX_POLICY_PATH);
	else if (!j->s.snap->roster)
		rc = secex_error_set(SECEX_EINVALID, "%s is missing or does not validate, so people cannot be "
				     "checked; run 'secex validate' and fix it first", SECEX_PEOPLE_PATH);
	if (rc < 0 || (rc = cli_exceptions_dir(&j->dir, &j->shown, &j->s, o.dir)) < 0 ||
	    (rc = secex_new_ids_init(&j->ids, j->s.snap)) < 0 || (rc = ids_on_branches(j)) < 0 ||
	    (rc = set_id(j)) < 0)
		goto cleanup;
	j->f.created = j->created;
	j->by_email = requestor_by_email(j);
	rc = from_options(j);
cleanup:
	secex_diag_release(&load);
	return rc;
}

static void job_release(job *j)
{
	size_t i;

	for (i = 0; i < j->owned.n; i++)
		free(j->owned.items[i]);
	secex_vec_release(&j->owned);
	for (i = 0; i < 4; i++)
		secex_vec_release(&j->lists[i]);
	secex_new_ids_release(&j->ids);
	free(j->findings);
	secex_scan_report_free(j->scan);
	free(j->dir);
	free(j->shown);
	secex_buf_release(&j->id);
	secex_buf_release(&j->path);
	secex_buf_release(&j->text);
	cli_snapshot_close(&j->s);
}

/* Fills in what is missing: by asking on a terminal, else by defaults. Returns 0, or the
 * exit status. */
static int complete(job *j)
{
	secex_buf list = SECEX_BUF_INIT;
	size_t i;
	int rc = 0;

	missing(&list, j);
	if (list.size && isatty(0) && isatty(1)) {
		if (!ask_all(j)) {
			fprintf(stderr, "\nsecex: aborted; nothing written\n");
			rc = CLI_EXIT_USAGE;
		}
	} else if (list.size) {
		cli_error("missing %s; give %s, or run 'secex new' on a terminal to be asked", list.ptr,
			  strchr(list.ptr, ',') || strstr(list.ptr, " and ") ? "them" : "it");
		if (!j->by_email && !given(j, field_named("requestor")))
			fprintf(stderr, "hint: --requestor defaults to the roster person whose e-mail is git's user.email\n");
		rc = CLI_EXIT_USAGE;
	}
	for (i = 0; i < NFIELDS && rc == 0; i++)
		if (fields[i].kind != ASK_LIST && !*slot(j, &fields[i]))
			*slot(j, &fields[i]) = default_of(j, &fields[i]);
	secex_buf_release(&list);
	return rc;
}

static int run(job *j, secex_diags *diags)
{
	int rc;

	if ((rc = check_options(j, diags)) < 0)
		return cli_fail(rc);
	if (cli_exit_for(diags, SECEX_SEV_ERROR))
		goto findings;
	if ((rc = complete(j)))
		return rc;
	if ((rc = build(j, diags)) < 0)
		return cli_fail(rc);
	if (cli_exit_for(diags, o.report.fail_level))
		goto findings;
	if (o.dry_run) {
		fwrite(j->text.ptr, 1, j->text.size, stdout);
		secex_diag_sort(diags);
		cli_render_failing(stderr, diags, o.report.fmt, j->path.ptr, o.report.fail_level);
		fprintf(stderr, "secex: would write %s (%s); run without --dry-run to write it\n", j->path.ptr,
			j->id.ptr);
		return CLI_EXIT_CLEAN;
	}
	if ((rc = write_new(j, diags)) < 0)
		return cli_fail(rc);
	secex_diag_sort(diags);
	cli_render_failing(stdout, diags, o.report.fmt, j->path.ptr, o.report.fail_level);
	printf("created %s (%s)\nnext: commit it on a branch and ask for approvals: secex status %s\n",
	       j->path.ptr, j->id.ptr, j->id.ptr);
	return CLI_EXIT_CLEAN;
findings:
	secex_diag_sort(diags);
	cli_render_failing(stdout, diags, o.report.fmt, j->path.ptr, o.report.fail_level);
	fprintf(stderr, "secex: %s not written; fix the values above and run secex new again\n", j->path.ptr);
	return CLI_EXIT_FINDINGS;
}

int cmd_new(int argc, char **argv)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_new_fields init = SECEX_NEW_FIELDS_INIT;
	int64_t now;
	bool help;
	job j;
	int rc;

	memset(&j, 0, sizeof(j));
	j.f = init;
	if ((rc = cli_opt_parse(&cmd_new_help, argc, argv, &help)) || help || (rc = cli_report_opts_check(&o.report)))
		goto cleanup;
	if ((rc = cli_now(&now)) < 0 || (rc = setup(&j, now)) < 0) {
		rc = cli_fail(rc);
		goto cleanup;
	}
	rc = run(&j, &diags);
cleanup:
	job_release(&j);
	secex_diag_release(&diags);
	cli_list_release(&o.pros);
	cli_list_release(&o.cons);
	cli_list_release(&o.tickets);
	cli_list_release(&o.findings);
	return rc;
}
