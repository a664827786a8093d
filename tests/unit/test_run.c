/* secex_run: output, exit status, a clean environment, closed descriptors, the timeout. */

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <secex.h>

static int run(secex_buf *out, int *status, const secex_run_options *base, const char *const *argv)
{
	secex_run_options opts = *base;

	opts.out = out;
	opts.quiet = true;
	return secex_run(status, argv, &opts);
}

static void test_output_and_status(void **state)
{
	secex_run_options opts = SECEX_RUN_OPTIONS_INIT;
	const char *echo[] = { "printf", "%s|", "a b", "c", NULL };
	const char *fail[] = { "sh", "-c", "exit 3", NULL };
	secex_buf out = SECEX_BUF_INIT;
	int status;

	(void)state;
	assert_int_equal(run(&out, &status, &opts, echo), 0);
	assert_int_equal(status, 0);
	assert_string_equal(secex_buf_cstr(&out), "a b|c|");
	assert_int_equal(run(&out, &status, &opts, fail), 0);
	assert_int_equal(status, 3);
	opts.max_out = 2;
	secex_buf_clear(&out);
	assert_int_equal(run(&out, &status, &opts, echo), 0);
	assert_string_equal(secex_buf_cstr(&out), "a ");
	secex_buf_release(&out);
}

static void test_clean_env_and_fds(void **state)
{
	secex_run_options opts = SECEX_RUN_OPTIONS_INIT;
	const char *env[] = { "env", NULL };
	const char *fds[] = { "sh", "-c", "ls /proc/$$/fd", NULL };
	secex_buf out = SECEX_BUF_INIT;
	int status, leaked = open("/dev/null", O_RDONLY); /* not close-on-exec */

	(void)state;
	setenv("GNUPGHOME", "/tmp/leak", 1);
	opts.clean_env = true;
	assert_int_equal(run(&out, &status, &opts, env), 0);
	assert_non_null(strstr(secex_buf_cstr(&out), "PATH="));
	assert_null(strstr(secex_buf_cstr(&out), "GNUPGHOME"));
	assert_null(strchr(strchr(secex_buf_cstr(&out), '\n') + 1, '=')); /* one variable */
	secex_buf_clear(&out);
	assert_int_equal(run(&out, &status, &opts, fds), 0);
	assert_string_equal(secex_buf_cstr(&out), "0\n1\n2\n");
	close(leaked);
	unsetenv("GNUPGHOME");
	secex_buf_release(&out);
}

static void test_not_found(void **state)
{
	secex_run_options opts = SECEX_RUN_OPTIONS_INIT;
	const char *argv[] = { "secex-no-such-program", NULL };
	secex_buf out = SECEX_BUF_INIT;
	int status;

	(void)state;
	opts.hint = "install it";
	assert_int_equal(run(&out, &status, &opts, argv), SECEX_ENOTFOUND);
	assert_non_null(strstr(secex_error_last(), "cannot run 'secex-no-such-program'"));
	assert_non_null(strstr(secex_error_last(), "; install it"));
	secex_buf_release(&out);
}

/* A child that hangs, with or without output read, is killed at the timeout. */
static void test_timeout(void **state)
{
	secex_run_options opts = SECEX_RUN_OPTIONS_INIT;
	const char *argv[] = { "sleep", "30", NULL };
	secex_buf out = SECEX_BUF_INIT;
	time_t start = time(NULL);
	int status;

	(void)state;
	opts.timeout_ms = 300;
	assert_int_equal(run(&out, &status, &opts, argv), SECEX_EIO);
	assert_non_null(strstr(secex_error_last(), "'sleep' did not finish within 1 s and was stopped"));
	opts.out = NULL;
	assert_int_equal(secex_run(&status, argv, &opts), SECEX_EIO);
	assert_true(time(NULL) - start < 5);
	secex_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_and_status),
		cmocka_unit_test(test_clean_env_and_fds),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
