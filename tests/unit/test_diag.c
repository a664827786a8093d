/* The diag module: every code has its description and help, in the code table's order. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <secex.h>

/* One sentence or more: a capital first letter, a full stop at the end. */
static void assert_sentence(const char *s)
{
	size_t n;

	assert_non_null(s);
	n = strlen(s);
	assert_true(n > 10);
	assert_true(s[0] >= 'A' && s[0] <= 'Z');
	assert_int_equal(s[n - 1], '.');
}

static void test_help_table(void **state)
{
	const secex_diag_code *c = secex_diag_codes();
	const secex_diag_help *h = secex_diag_helps();
	size_t i;

	(void)state;
	for (i = 0; c[i].code; i++) {
		assert_non_null(h[i].code);
		assert_string_equal(h[i].code, c[i].code);
		assert_ptr_equal(secex_diag_help_lookup(c[i].code), &h[i]);
		assert_sentence(h[i].description);
		assert_sentence(h[i].help);
		assert_string_not_equal(h[i].description, h[i].help);
	}
	assert_null(h[i].code);
	assert_null(secex_diag_help_lookup("SX999"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
