/* secex_path: which names are exception files, which are miscased, which are JSON. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <secex.h>

static bool is_exc(const char *name)
{
	return secex_path_is_exception_file(name, strlen(name));
}

static bool is_miscased(const char *name)
{
	return secex_path_is_miscased_exception_file(name, strlen(name));
}

static bool is_json(const char *name)
{
	return secex_path_is_json(name, strlen(name));
}

static void test_exception_file(void **state)
{
	(void)state;
	assert_true(is_exc("EXC-0001.yaml"));
	assert_true(is_exc("a.yml"));
	assert_true(is_exc("dir/a.json"));
	assert_true(is_exc("x.yaml.yaml"));
	assert_false(is_exc(".yaml"));
	assert_false(is_exc(".yml"));
	assert_false(is_exc(".json"));
	assert_false(is_exc(""));
	assert_false(is_exc("a.YAML"));
	assert_false(is_exc("a.yaml~"));
	assert_false(is_exc("a.yaml.orig"));
	assert_false(is_exc("ayaml"));
	assert_false(is_exc("a.txt"));
	/* only len bytes count: the name need not end in NUL */
	assert_true(secex_path_is_exception_file("a.yaml.orig", 6));
	assert_false(secex_path_is_exception_file("a.yaml", 5));
}

static void test_miscased(void **state)
{
	(void)state;
	assert_true(is_miscased("EXC-0001.YAML"));
	assert_true(is_miscased("a.Yml"));
	assert_true(is_miscased("a.JSON"));
	assert_false(is_miscased("a.yaml"));
	assert_false(is_miscased("a.json"));
	assert_false(is_miscased(".YAML"));
	assert_false(is_miscased("a.TXT"));
	assert_false(is_miscased(""));
}

static void test_json(void **state)
{
	(void)state;
	assert_true(is_json("a.json"));
	assert_true(is_json("exceptions/EXC-1.json"));
	assert_true(is_json(".json")); /* read as JSON, though not an exception file */
	assert_false(is_json("a.JSON"));
	assert_false(is_json("a.yaml"));
	assert_false(is_json("json"));
	assert_false(is_json(""));
}

static void test_exts(void **state)
{
	size_t i;

	(void)state;
	assert_string_equal(secex_path_exception_ext(0), ".yaml");
	assert_string_equal(secex_path_exception_ext(1), ".yml");
	assert_string_equal(secex_path_exception_ext(2), ".json");
	assert_null(secex_path_exception_ext(3));
	for (i = 0; secex_path_exception_ext(i); i++) {
		char name[16];

		snprintf(name, sizeof(name), "x%s", secex_path_exception_ext(i));
		assert_true(is_exc(name));
	}
	assert_int_equal(i, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exception_file),
		cmocka_unit_test(test_miscased),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_exts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
