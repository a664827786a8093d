/* Buffers, arena, UTF-8, dates, durations and the findings list. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <secex.h>

static void test_buf(void **state)
{
	secex_buf b = SECEX_BUF_INIT;
	char *s;

	(void)state;
	assert_string_equal(secex_buf_cstr(&b), "");
	assert_int_equal(secex_buf_printf(&b, "%s-%d", "a", 42), 0);
	assert_int_equal(secex_buf_put_json_string(&b, "\"q\"\n\x01", 5), 0);
	assert_string_equal(b.ptr, "a-42\\\"q\\\"\\n\\u0001");
	secex_buf_clear(&b);
	assert_int_equal(secex_buf_put_xml(&b, "<a href='x'>&</a>"), 0);
	assert_string_equal(b.ptr, "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
	s = secex_buf_detach(&b);
	assert_null(b.ptr);
	free(s);
}

/* A buffer only grown, with nothing put in it, is an empty string (issue 11: strchr read past
 * the end of one). */
static void test_buf_grow_terminates(void **state)
{
	secex_buf b = SECEX_BUF_INIT;

	(void)state;
	assert_int_equal(secex_buf_grow(&b, 0), 0);
	assert_non_null(b.ptr);
	assert_int_equal(b.size, 0);
	assert_string_equal(b.ptr, "");
	assert_null(strchr(b.ptr, '#'));
	assert_int_equal(secex_buf_puts(&b, "ab"), 0);
	b.size = 1; /* a caller cutting the string, then growing past the allocation */
	assert_int_equal(secex_buf_grow(&b, 1000), 0);
	assert_string_equal(b.ptr, "a");
	secex_buf_release(&b);
}

static void test_arena(void **state)
{
	secex_arena a = SECEX_ARENA_INIT;
	char *big, *small;
	int i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		small = secex_arena_strndup(&a, "hello", 5);
		assert_string_equal(small, "hello");
		assert_int_equal((uintptr_t)small % 16, 0);
	}
	big = secex_arena_alloc(&a, 1 << 20);
	assert_non_null(big);
	assert_int_equal(big[(1 << 20) - 1], 0);
	small = secex_arena_strndup(&a, "after", 5);
	assert_string_equal(small, "after");
	secex_arena_release(&a);
}

static void test_utf8(void **state)
{
	size_t bad = 99;

	(void)state;
	assert_true(secex_utf8_valid("h\xc3\xa9llo \xf0\x9f\x92\xa9", 11, &bad));
	assert_false(secex_utf8_valid("ab\xe9", 3, &bad));
	assert_int_equal(bad, 2);
	assert_false(secex_utf8_valid("\xc0\xaf", 2, &bad));     /* overlong */
	assert_false(secex_utf8_valid("\xed\xa0\x80", 3, &bad)); /* surrogate */
	assert_false(secex_utf8_valid("\xf4\x90\x80\x80", 4, &bad)); /* past U+10FFFF */
	assert_false(secex_utf8_valid("\xe2\x82", 2, &bad));     /* truncated */
	assert_int_equal(secex_utf8_length("h\xc3\xa9\xf0\x9f\x92\xa9", 7), 3);
}

static void test_dates(void **state)
{
	int64_t d, t;
	char out[11];

	(void)state;
	assert_true(secex_date_parse(&d, "1970-01-01", 10));
	assert_int_equal(d, 0);
	assert_true(secex_date_parse(&d, "2024-02-29", 10));
	secex_date_format(out, d);
	assert_string_equal(out, "2024-02-29");
	assert_false(secex_date_parse(&d, "2023-02-29", 10));
	assert_false(secex_date_parse(&d, "1900-02-29", 10));
	assert_true(secex_date_parse(&d, "2000-02-29", 10));
	assert_false(secex_date_parse(&d, "2024-13-01", 10));
	assert_false(secex_date_parse(&d, "2024-04-31", 10));
	assert_false(secex_date_parse(&d, "2024-1-01", 9));
	assert_false(secex_date_parse(&d, "2024-01-0a", 10));
	assert_true(secex_date_datetime_parse(&t, "1970-01-02T00:00:00Z", 20));
	assert_int_equal(t, 86400);
	assert_true(secex_date_datetime_parse(&t, "1970-01-02T01:30:00+01:30", 25));
	assert_int_equal(t, 86400);
	assert_true(secex_date_datetime_parse(&t, "1998-12-31T23:59:60Z", 20));
	assert_true(secex_date_datetime_parse(&t, "1998-12-31t23:59:60.123z", 24));
	assert_false(secex_date_datetime_parse(&t, "1998-12-31T22:59:60Z", 20));
	assert_false(secex_date_datetime_parse(&t, "2024-01-01T10:00:00", 19));
	assert_false(secex_date_datetime_parse(&t, "2024-01-01T24:00:00Z", 20));
	assert_true(secex_date_when_parse(&t, "2024-01-02", 10));
	assert_int_equal(t, secex_date_days_from_civil(2024, 1, 2) * 86400);
	assert_int_equal(secex_date_days_in_month(2024, 2), 29);
	assert_int_equal(secex_date_days_in_month(2023, 2), 28);
}

static void test_durations(void **state)
{
	int64_t s;
	char out[16];

	(void)state;
	assert_true(secex_duration_parse(&s, "2h", 2));
	assert_int_equal(s, 7200);
	assert_true(secex_duration_parse(&s, "10d", 3));
	assert_int_equal(s, 864000);
	assert_true(secex_duration_parse(&s, "3w", 2));
	assert_int_equal(s, 3 * 7 * 86400);
	assert_false(secex_duration_parse(&s, "0d", 2));
	assert_false(secex_duration_parse(&s, "5m", 2));
	assert_false(secex_duration_parse(&s, "d", 1));
	assert_false(secex_duration_parse(&s, "1.5d", 4));
	secex_duration_format(out, sizeof(out), 14 * 86400);
	assert_string_equal(out, "2w");
	secex_duration_format(out, sizeof(out), 10 * 86400);
	assert_string_equal(out, "10d");
	secex_duration_format(out, sizeof(out), 7200);
	assert_string_equal(out, "2h");
}

static void expect_safe(const char *in, size_t len, unsigned flags, const char *want)
{
	secex_buf b = SECEX_BUF_INIT;

	assert_int_equal(secex_utf8_put_safe(&b, in, len, flags), 0);
	assert_string_equal(secex_buf_cstr(&b), want);
	secex_buf_release(&b);
}

static void test_put_safe(void **state)
{
	(void)state;
	expect_safe("plain \xc3\xa1 text", 13, 0, "plain \xc3\xa1 text");
	expect_safe("a\n::error file=x::y", 19, 0, "a\\n::error file=x::y");
	expect_safe("\r\t\x1b[31m\x01\x7f", 9, 0, "\\r\\t\\e[31m\\x01\\x7F");
	expect_safe("a\xc2\x85" "b\xe2\x80\xa8" "c\xe2\x80\xa9", 11, 0, "a\\u0085b\\u2028c\\u2029");
	expect_safe("\xc2\xa0\xff\xc3", 4, 0, "\xc2\xa0\\xFF\\xC3");
	expect_safe("a\0b", 3, 0, "a\\x00b");
	expect_safe("x\ny\tz\xc2\x9b", 7, SECEX_SAFE_SPACE, "x y z ");
	expect_safe("x\ty", 3, SECEX_SAFE_KEEP_TAB, "x\ty");
}

static void test_diags(void **state)
{
	secex_diags d = SECEX_DIAGS_INIT;
	size_t counts[3];

	(void)state;
	assert_int_equal(secex_diag_add(&d, "SX403", "b.yaml", 3, 1, "EXC-1", NULL, "due %s", "moved"), 0);
	assert_int_equal(secex_diag_add(&d, "SX110", "a.yaml", 9, 2, NULL, NULL, "x"), 0);
	assert_int_equal(secex_diag_add(&d, "SX102", "a.yaml", 2, 5, NULL, NULL, "y"), 0);
	assert_int_equal(d.items[0].severity, SECEX_SEV_NOTE);
	assert_int_equal(secex_diag_override(&d, "SX403", SECEX_SEV_ERROR), 0);
	assert_int_equal(d.items[0].severity, SECEX_SEV_ERROR);
	assert_int_equal(secex_diag_override(&d, "SX999", SECEX_SEV_ERROR), SECEX_EINVALID);
	secex_diag_sort(&d);
	assert_string_equal(d.items[0].code, "SX102");
	assert_string_equal(d.items[1].code, "SX110");
	assert_string_equal(d.items[2].message, "due moved");
	secex_diag_count(&d, counts);
	assert_int_equal(counts[SECEX_SEV_ERROR], 3);
	assert_non_null(secex_diag_code_lookup("SX212"));
	assert_int_equal(secex_diag_code_lookup("SX212")->severity, SECEX_SEV_NOTE);
	secex_diag_release(&d);
}

static void test_suggest(void **state)
{
	secex_suggest near = SECEX_SUGGEST_INIT("aproved");
	secex_suggest none = SECEX_SUGGEST_INIT("zzzz");
	secex_suggest upper = SECEX_SUGGEST_INIT("HGH");
	static const char *const statuses[] = { "requested", "in-review", "approved", "denied" };
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		secex_suggest_consider(&near, statuses[i]);
		secex_suggest_consider(&none, statuses[i]);
	}
	assert_string_equal(near.best, "approved");
	assert_int_equal(near.distance, 1);
	assert_null(none.best);
	secex_suggest_consider(&upper, "high");
	assert_string_equal(upper.best, "high");
	assert_int_equal(secex_suggest_distance("ab", 2, "ba", 2, false), 1); /* a transposition */
	assert_int_equal(secex_suggest_distance("AB", 2, "ab", 2, false), 2);
	assert_int_equal(secex_suggest_distance("AB", 2, "ab", 2, true), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_buf_grow_terminates),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_diags),
		cmocka_unit_test(test_put_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
