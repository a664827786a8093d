/* Option tables: parsing and the --help generated from the same table. */

#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "secex/banned.h"

/* The options the command table's setup flags give a command, in place of a row of its own. */
static const char *today_value;

static const cli_opt today_opt[] = {
	{ CLI_OPT_STRING, "today", 0, &today_value, "DATE",
	  "treat DATE (YYYY-MM-DD) as today, for reproducible runs (or SECEX_TODAY)" },
	CLI_OPT_END
};

static const cli_opt *find_long_in(const cli_opt *opts, const char *name, size_t len)
{
	for (; opts->name; opts++)
		if (opts->type != CLI_OPT_ARGS && strlen(opts->name) == len &&
		    strncmp(opts->name, name, len) == 0)
			return opts;
	return NULL;
}

static const cli_opt *find_long(const cli_opt *opts, const char *name, size_t len)
{
	const cli_opt *opt = find_long_in(opts, name, len);

	if (!opt && (cli.setup & CLI_SETUP_TODAY))
		opt = find_long_in(today_opt, name, len);
	return opt;
}

static const cli_opt *find_short(const cli_opt *opts, char c)
{
	for (; opts->name; opts++)
		if (opts->alias == c && opts->type != CLI_OPT_ARGS)
			return opts;
	return NULL;
}

static const cli_opt *find_args(const cli_opt *opts)
{
	for (; opts->name; opts++)
		if (opts->type == CLI_OPT_ARGS)
			return opts;
	return NULL;
}

static int usage_error(const cli_command_help *cmd, const char *what, const char *arg)
{
	fprintf(stderr, "secex %s: %s '%s'\nusage: secex %s %s\ntry 'secex %s --help'\n",
		cmd->name, what, arg, cmd->name, cmd->usage, cmd->name);
	return CLI_EXIT_USAGE;
}

/* Stores a value for opt; `inline_value` is the text after '=' or NULL. */
static int take(const cli_command_help *cmd, const cli_opt *opt, const char *inline_value,
		int argc, char **argv, int *i)
{
	if (opt->type == CLI_OPT_OPTIONAL) {
		*(const char **)opt->value = inline_value ? inline_value : "";
		return 0;
	}
	if (opt->type == CLI_OPT_FLAG) {
		if (inline_value)
			return usage_error(cmd, "option takes no value:", opt->name);
		*(bool *)opt->value = true;
		return 0;
	}
	if (!inline_value) {
		if (*i + 1 >= argc)
			return usage_error(cmd, "option needs a value:", opt->name);
		inline_value = argv[++*i];
	}
	if (opt->type == CLI_OPT_LIST) {
		cli_list *list = opt->value;
		const char **v = realloc(list->v, (list->n + 1) * sizeof(*v));

		if (!v) {
			cli_error("out of memory");
			return CLI_EXIT_INTERNAL;
		}
		list->v = v;
		list->v[list->n++] = inline_value;
		return 0;
	}
	*(const char **)opt->value = inline_value;
	return 0;
}

void cli_list_release(cli_list *list)
{
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

static int push_arg(const cli_command_help *cmd, cli_args *args, const cli_opt *spec, char *arg)
{
	if (!spec)
		return usage_error(cmd, "unexpected argument", arg);
	args->v[args->n++] = arg;
	return 0;
}

int cli_opt_parse(const cli_command_help *cmd, int argc, char **argv, bool *help_shown)
{
	const cli_opt *args_spec = find_args(cmd->opts);
	cli_args *args = args_spec ? args_spec->value : NULL;
	bool only_args = false;
	int i, rc = 0;

	*help_shown = false;
	today_value = NULL;
	if (args) {
		args->n = 0;
		args->v = argv; /* positionals are compacted into argv's own storage */
	}
	for (i = 1; i < argc && rc == 0; i++) {
		char *a = argv[i];
		const cli_opt *opt;

		if (only_args || a[0] != '-' || a[1] == '\0') {
			rc = push_arg(cmd, args, args_spec, a);
		} else if (strcmp(a, "--") == 0) {
			only_args = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cli_opt_help(stdout, cmd, cli.setup);
			*help_shown = true;
			return 0;
		} else if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			if (!(opt = find_long(cmd->opts, a + 2, len)))
				return usage_error(cmd, "unknown option", a);
			rc = take(cmd, opt, eq ? eq + 1 : NULL, argc, argv, &i);
		} else {
			if (!(opt = find_short(cmd->opts, a[1])))
				return usage_error(cmd, "unknown option", a);
			rc = take(cmd, opt, a[2] ? a + 2 : NULL, argc, argv, &i);
		}
	}
	if (rc == 0 && (cli.setup & CLI_SETUP_TODAY))
		rc = cli_today_set(today_value);
	return rc;
}

static void help_row(FILE *out, const cli_opt *o)
{
	char left[64], alias[8] = "    ";

	if (o->alias)
		snprintf(alias, sizeof(alias), "-%c, ", o->alias);
	if (o->type == CLI_OPT_ARGS)
		snprintf(left, sizeof(left), "%s", o->name);
	else
		snprintf(left, sizeof(left), "%s--%s%s%s%s", alias, o->name,
			 o->type == CLI_OPT_OPTIONAL ? "[=" : o->type != CLI_OPT_FLAG ? " " : "",
			 o->type != CLI_OPT_FLAG ? o->value_name : "", o->type == CLI_OPT_OPTIONAL ? "]" : "");
	fprintf(out, "  %-28s %s%s\n", left, o->help, o->type == CLI_OPT_LIST ? " (repeatable)" : "");
}

void cli_opt_help(FILE *out, const cli_command_help *cmd, unsigned setup)
{
	const cli_opt *o;
	bool shared = false; /* the setup's options: after the command's own, before its arguments */

	fprintf(out, "usage: secex %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
	fprintf(out, "\noptions:\n");
	for (o = cmd->opts;; o++) {
		if (!shared && (!o->name || o->type == CLI_OPT_ARGS)) {
			if (setup & CLI_SETUP_TODAY)
				help_row(out, today_opt);
			shared = true;
		}
		if (!o->name)
			break;
		help_row(out, o);
	}
	fprintf(out, "  %-28s %s\n", "-h, --help", "show this help");
	if (cmd->details)
		fprintf(out, "\n%s\n", cmd->details);
}
