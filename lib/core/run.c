/* The one fork/exec of secex: no shell, a closed set of descriptors, an optional clean
 * environment and a timeout after which the child is killed. */

#define _GNU_SOURCE /* execvpe, close_range */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "secex/run.h"
#include "secex/banned.h"

extern char **environ;

typedef struct {
	const char *const *argv;
	const secex_run_options *opts;
	char *const *envp;
	int devnull, out, err; /* err: where an exec failure's errno goes (close-on-exec) */
} child_setup;

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the forked child: descriptors 0-2 and 3 (the exec error pipe), nothing else. */
_Noreturn static void child(const child_setup *c)
{
	char *const *argv;
	int err;

	memcpy(&argv, &c->argv, sizeof(argv)); /* exec's prototype predates const */
	if (c->opts->interactive) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
	}
	if (dup2(c->out >= 0 ? c->out : 2, 1) < 0 ||
	    (c->opts->quiet && (dup2(c->devnull, 0) < 0 || dup2(c->devnull, 2) < 0)) || dup2(c->err, 3) < 0 ||
	    fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
		_exit(126);
	close_range(4, ~0U, 0);
	execvpe(argv[0], argv, c->envp);
	err = errno;
	while (write(3, &err, sizeof(err)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* Reads the child's output until it closes it or the deadline (0: none) passes. */
static int read_output(secex_buf *out, size_t max, int fd, long deadline)
{
	char chunk[4096];
	int rc = 0;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long left = deadline ? deadline - now_ms() : -1;
		ssize_t n;

		if (deadline && left <= 0)
			return SECEX_EIO;
		if (poll(&p, 1, deadline ? (int)left : -1) < 0 && errno != EINTR)
			return secex_error_set(SECEX_EIO, "cannot read from a program: %s", strerror(errno));
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if ((n = read(fd, chunk, sizeof(chunk))) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return rc;
		if (rc == 0 && out->size < max)
			rc = secex_buf_put(out, chunk, (size_t)n < max - out->size ? (size_t)n : max - out->size);
	}
}

/* Waits for pid until the deadline (0: none); false when it passed. */
static bool wait_child(pid_t pid, int *wst, long deadline)
{
	for (;;) {
		pid_t got = waitpid(pid, wst, deadline ? WNOHANG : 0);

		if (got == pid || (got < 0 && errno != EINTR))
			return true;
		if (got == 0 && now_ms() >= deadline)
			return false;
		if (got == 0) {
			struct timespec ts = { 0, 5 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
}

static int exec_failed(const child_setup *c, int err)
{
	const char *hint = c->opts->hint;

	return secex_error_set(SECEX_ENOTFOUND, "cannot run '%s': %s%s%s", c->argv[0], strerror(err),
			       hint ? "; " : "", hint ? hint : "");
}

/* Starts the child and collects it; pipes: out (when capturing) and the exec error pipe. */
static int run_child(int *status, child_setup *c, int outp[2], int errp[2])
{
	const secex_run_options *opts = c->opts;
	long deadline = opts->timeout_ms > 0 ? now_ms() + opts->timeout_ms : 0;
	int err = 0, wst = 0, rc = 0;
	pid_t pid;
	ssize_t n;

	c->out = outp[1];
	c->err = errp[1];
	fflush(NULL);
	if ((pid = fork()) < 0)
		return secex_error_set(SECEX_EIO, "cannot run '%s': %s", c->argv[0], strerror(errno));
	if (pid == 0)
		child(c);
	close_fd(&outp[1]);
	close_fd(&errp[1]);
	while ((n = read(errp[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(err))
		rc = exec_failed(c, err);
	if (rc == 0 && outp[0] >= 0)
		rc = read_output(opts->out, opts->max_out, outp[0], deadline);
	if (!wait_child(pid, &wst, rc == SECEX_EIO ? 1 : deadline)) {
		kill(pid, SIGKILL);
		wait_child(pid, &wst, 0);
		rc = SECEX_EIO;
	}
	if (rc == SECEX_EIO && deadline && now_ms() >= deadline)
		return secex_error_set(SECEX_EIO, "'%s' did not finish within %ld s and was stopped; "
				       "check that it runs without asking for input", c->argv[0], (opts->timeout_ms + 999) / 1000);
	*status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + (WIFSIGNALED(wst) ? WTERMSIG(wst) : 0);
	return rc;
}

int secex_run(int *status, const char *const *argv, const secex_run_options *opts)
{
	struct sigaction ign, old_int, old_quit;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, rc;
	secex_buf path = SECEX_BUF_INIT;
	char *clean[2] = { NULL, NULL };
	child_setup c = { argv, opts, environ, -1, -1, -1 };

	*status = -1;
	if (opts->clean_env) {
		const char *p = opts->path;

		if (secex_buf_printf(&path, "PATH=%s", p && *p ? p : "/usr/bin:/bin") < 0)
			return SECEX_ENOMEM;
		clean[0] = path.ptr;
		c.envp = clean;
	}
	if ((c.devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    (opts->out && pipe2(outp, O_CLOEXEC) < 0)) {
		rc = secex_error_set(SECEX_EIO, "cannot run '%s': %s", argv[0], strerror(errno));
		goto cleanup;
	}
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	if (opts->interactive) {
		sigaction(SIGINT, &ign, &old_int);
		sigaction(SIGQUIT, &ign, &old_quit);
	}
	rc = run_child(status, &c, outp, errp);
	if (opts->interactive) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
	}
cleanup:
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	close_fd(&c.devnull);
	secex_buf_release(&path);
	return rc;
}
