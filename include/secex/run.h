#ifndef SECEX_RUN_H
#define SECEX_RUN_H

/* Running another program (git, gpg, gpgv, ssh-keygen): the one fork/exec of secex. */

#include <stdbool.h>
#include <stddef.h>
#include "common.h"
#include "util.h"

typedef struct {
	unsigned int version;
	/* The child's standard output, of which at most max_out bytes are kept; with NULL it
	 * goes to our standard error, so that our standard output holds only our result. */
	secex_buf *out;
	size_t max_out;
	bool quiet;       /* standard input and error on /dev/null (else inherited) */
	bool clean_env;   /* an environment of PATH alone (else ours, for the user's agents) */
	const char *path; /* with clean_env, that PATH (NULL: /usr/bin:/bin) */
	bool interactive; /* as system(): the terminal's interrupt goes to the child alone */
	long timeout_ms;  /* stopped with SIGKILL after this long; 0 waits for ever */
	const char *hint; /* appended to "cannot run 'X': ..." when X is not found */
} secex_run_options;

#define SECEX_RUN_OPTIONS_VERSION 1
#define SECEX_RUN_OPTIONS_INIT { SECEX_RUN_OPTIONS_VERSION, NULL, (1024 * 1024), false, false, false, NULL, 0, NULL }

/*
 * Runs argv[0] (searched in PATH, no shell) with argv, every other descriptor closed.
 * *status receives its exit status, 128 + N when a signal N ended it. SECEX_ENOTFOUND when
 * argv[0] cannot be run; SECEX_EIO when it outlived the timeout (it is then killed) or
 * cannot be started; both with a message.
 */
int secex_run(int *status, const char *const *argv, const secex_run_options *opts);

#endif
