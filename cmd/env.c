/* What the program takes from its process: the environment variables secex and git set for
 * it, and the process-wide settings of libgit2 and libcurl. The library reads none of it. */

#include <curl/curl.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "cli.h"
#include "secex/banned.h"

static bool now_fixed;
static int64_t now_value;

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

void cli_process_setup(bool no_owner_check)
{
	git_libgit2_init();
	/* libgit2 caches no tree over 4 KiB by default, so every lookup in a directory of many
	 * exceptions would read and hash its tree again; bound the whole cache instead */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)16 << 20);
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)64 << 20);
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	/* as git does, trust the object database's own checksums rather than hashing every
	 * object again on each read (`git fsck` is the tool for a corrupt repository) */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	/* a walk reads a pack from end to end: map it 8 MiB at a time and keep 32 MiB of it
	 * mapped, not all of it (the pages of a mapped pack count in the resident size; libgit2
	 * maps a pack in windows of 1 GiB up to 8 GiB). More is no faster: 128 MiB cost 60 MB
	 * more at 100,000 commits for the same time */
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)8 << 20);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)32 << 20);
	if (no_owner_check)
		git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
}

int cli_delivery_setup(void)
{
	static bool done;

	if (!done && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return secex_error_set(SECEX_ERROR, "libcurl could not start");
	done = true;
	return 0;
}

void *cli_xalloc(void *ptr)
{
	if (!ptr) {
		fputs("secex: out of memory\n", stderr);
		abort();
	}
	return ptr;
}

int cli_repo_open(secex_repo **out, const char *path)
{
	secex_repo_options ropts = SECEX_REPO_OPTIONS_INIT;

	ropts.index_file = env("GIT_INDEX_FILE");
	ropts.object_dirs[0] = env("GIT_QUARANTINE_PATH");
	ropts.object_dirs[1] = env("GIT_OBJECT_DIRECTORY");
	ropts.object_dirs[2] = env("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	return secex_repo_open(out, path, &ropts);
}

/* The history cache: on, in GIT_COMMON_DIR/secex/history-v1, unless SECEX_CACHE is off (or
 * false, no, 0) or git config secex.cache is false; SECEX_CACHE=DIR (a path with a slash)
 * keeps it in DIR instead (a CI cache directory). */
static void cli_history_cache(secex_history_options *opts, secex_repo *repo)
{
	static const char *const off[] = { "off", "false", "no", "0" };
	secex_buf config = SECEX_BUF_INIT;
	const char *v = env("SECEX_CACHE");
	size_t i;

	opts->cache = true;
	if (v && strchr(v, '/'))
		opts->cache_dir = v;
	if (!v && secex_repo_config_string(&config, repo, "secex.cache") == 0)
		v = secex_buf_cstr(&config);
	secex_error_clear();
	for (i = 0; v && i < sizeof(off) / sizeof(*off); i++)
		opts->cache = opts->cache && strcasecmp(v, off[i]) != 0;
	secex_buf_release(&config);
}

/* SECEX_JOBS=1: the walk reads alone; 2 or more: a second process reads ahead of it (what
 * the walk does by itself on a long history and a machine of two CPUs or more). */
static void cli_history_jobs(secex_history_options *opts)
{
	const char *v = env("SECEX_JOBS");
	char *end;
	unsigned long n = v && *v ? strtoul(v, &end, 10) : 0;

	opts->jobs = v && *v && !*end && n <= 64 ? (unsigned)n : 0;
}

int cli_history_walk(secex_history **out, secex_repo *repo, const secex_history_options *opts, secex_diags *diags)
{
	secex_history_options mine = *opts;

	if (!mine.trust_root || !*mine.trust_root)
		mine.trust_root = env("SECEX_TRUST_ROOT");
	cli_history_cache(&mine, repo);
	cli_history_jobs(&mine);
	return secex_history_walk(out, repo, &mine, diags);
}

int cli_now(int64_t *out)
{
	const char *today = env("SECEX_TODAY");

	if (now_fixed)
		*out = now_value;
	else if (!today)
		*out = (int64_t)time(NULL);
	else if (!secex_date_when_parse(out, today, strlen(today)))
		return secex_error_set(SECEX_EINVALID, "SECEX_TODAY '%s' is not a date; write YYYY-MM-DD "
				       "(or an RFC 3339 date-time)", today);
	return 0;
}

int cli_today_set(const char *today)
{
	int64_t now;

	if (today && !secex_date_when_parse(&now, today, strlen(today))) {
		cli_error("--today '%s' is not a date; write YYYY-MM-DD (or an RFC 3339 date-time)", today);
		return CLI_EXIT_USAGE;
	}
	if (today) { /* every later cli_now of the run sees the same day */
		now_fixed = true;
		now_value = now;
		return 0;
	}
	if (cli_now(&now) < 0) {
		cli_error("%s", secex_error_last());
		return CLI_EXIT_USAGE;
	}
	return 0;
}
