/* secex import: a tracker spreadsheet (CSV) turned into exception files. */

#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "secex/banned.h"

#define MAX_CSV (16 * 1024 * 1024)

static struct {
	const char *dir, *requestor;
	bool dry_run;
	cli_args files;
	cli_report_opts report;
} o = { NULL, NULL, false, { NULL, 0 }, CLI_REPORT_OPTS_INIT };

static const cli_opt opts[] = {
	{ CLI_OPT_FLAG, "dry-run", 'n', &o.dry_run, NULL, "write nothing; print the files it would write" },
	{ CLI_OPT_STRING, "dir", 0, &o.dir, "DIR", "write the files into DIR (default: the policy's exceptions_dir)" },
	{ CLI_OPT_STRING, "requestor", 0, &o.requestor, "ID",
	  "roster id of the requestor of every row (default: its risk owner)" },
	CLI_REPORT_OPT_ROWS(&o.report),
	{ CLI_OPT_ARGS, "FILE.csv", 0, &o.files, NULL, "the tracker spreadsheet, saved as CSV (UTF-8)" },
	CLI_OPT_END
};

const cli_command_help cmd_import_help = {
	"import", "FILE.csv [--dry-run] [--dir DIR] [--requestor ID] [--today DATE]",
	"Turns a tracker spreadsheet into exception files, one per row, numbered after the highest\n"
	"id in use. The header names the columns (any order, any case): Priority, Status, Decision\n"
	"date, Type of request, Description, Risk Owner, Risk Approvers, Exception Link, Notes.\n"
	"People are matched to the roster by id, name or e-mail; several approvers are separated\n"
	"by 'and', ',', '&' or ';'. Dates are M/D/YYYY or YYYY-MM-DD. Each required field the\n"
	"tracker lacks (summary, impact, due date...) is a TODO placeholder to replace.",
	"A row that cannot be mapped, or whose file would not validate, is a finding on\n"
	"FILE:ROW:COL and is not imported; a row whose description is already an exception's title\n"
	"is skipped, so the import can be run again after fixing the spreadsheet. Files are\n"
	"written atomically and never over an existing file. Imported decisions are not signed:\n"
	"they count once given again with 'secex approve'.",
	opts
};

static void show_plan(const secex_import_plan *plan, const char *shown, bool text)
{
	size_t i;

	for (i = 0; i < plan->n; i++) {
		const secex_import_file *f = &plan->files[i];

		fprintf(stderr, "secex: %s %s/%s from row %u (%zu TODO%s to replace)\n",
			o.dry_run ? "would write" : "wrote", shown, f->name, f->row, f->todo, f->todo == 1 ? "" : "s");
		if (o.dry_run && text)
			printf("# %s/%s\n%s\n", shown, f->name, f->text);
	}
}

static int run(secex_diags *diags, const char *path, int64_t now)
{
	secex_import_options iopts = SECEX_IMPORT_OPTIONS_INIT;
	secex_import_plan plan = SECEX_IMPORT_PLAN_INIT;
	secex_diags load = SECEX_DIAGS_INIT;
	secex_buf csv = SECEX_BUF_INIT;
	char *dir = NULL, *shown = NULL;
	size_t written = 0;
	cli_snapshot s;
	int rc;

	memset(&s, 0, sizeof(s));
	if ((rc = secex_file_read(&csv, path, MAX_CSV)) < 0 || (rc = cli_snapshot_open(&s, NULL, &load)) < 0 ||
	    (rc = cli_exceptions_dir(&dir, &shown, &s, o.dir)) < 0)
		goto cleanup;
	iopts.source = path;
	iopts.dir = dir;
	iopts.requestor = o.requestor;
	iopts.now = now;
	if ((rc = secex_import_plan_csv(&plan, s.snap, secex_buf_cstr(&csv), csv.size, &iopts, diags)) < 0)
		goto cleanup;
	if (!o.dry_run && plan.n && (rc = secex_import_write(&written, &plan, &iopts, diags)) < 0)
		goto cleanup;
	show_plan(&plan, shown, o.report.fmt == CLI_FORMAT_TEXT);
	fprintf(stderr, "secex: %zu of %zu row%s %s; %s\n", o.dry_run ? plan.n : written, plan.rows,
		plan.rows == 1 ? "" : "s", o.dry_run ? "would be imported (dry run)" : "imported",
		!plan.n ? "nothing to write" : o.dry_run ? "run without --dry-run to write the files"
		: "replace the TODO placeholders, then run 'secex validate'");
cleanup:
	secex_import_plan_release(&plan);
	cli_snapshot_close(&s);
	secex_diag_release(&load);
	secex_buf_release(&csv);
	free(dir);
	free(shown);
	return rc;
}

int cmd_import(int argc, char **argv)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	int64_t now;
	bool help;
	int rc;

	if ((rc = cli_opt_parse(&cmd_import_help, argc, argv, &help)) || help)
		return rc;
	if ((rc = cli_report_opts_check(&o.report)))
		return rc;
	if (o.files.n != 1) {
		cli_error("import takes one FILE.csv, the tracker saved as CSV; see 'secex import --help'");
		return CLI_EXIT_USAGE;
	}
	if ((rc = cli_now(&now)) < 0 || (rc = run(&diags, o.files.v[0], now)) < 0) {
		rc = cli_fail(rc);
		goto cleanup;
	}
	secex_diag_sort(&diags);
	cli_render_failing(stdout, &diags, o.report.fmt, o.files.v[0], o.report.fail_level);
	rc = cli_exit_for(&diags, o.report.fail_level);
cleanup:
	secex_diag_release(&diags);
	return rc;
}
