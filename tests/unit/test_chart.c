/* The SVG charts of the metrics page: escaping, y scales, gaps in lines, determinism. */

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <secex.h>
#include "chart.h" /* private to the library: this test is its only other user */

static size_t occurrences(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static void test_bars_escape_and_scale(void **state)
{
	const secex_chart chart = { "Open <by> \"priority\" & 'level'", "priority", "exceptions", 0, 0 };
	const secex_chart_bar bars[] = { { "a<b&c", 2 }, { "high", 1 }, { "medium", 4 } };
	secex_buf a = SECEX_BUF_INIT, b = SECEX_BUF_INIT;

	(void)state;
	assert_int_equal(secex_chart_bars(&a, &chart, bars, 3, "#b03a2e"), 0);
	assert_int_equal(secex_chart_bars(&b, &chart, bars, 3, "#b03a2e"), 0);
	assert_string_equal(a.ptr, b.ptr); /* the same input, the same bytes */
	assert_non_null(strstr(a.ptr, "<title>Open &lt;by&gt; &quot;priority&quot; &amp; &#39;level&#39;</title>"));
	assert_non_null(strstr(a.ptr, ">a&lt;b&amp;c</text>"));
	assert_null(strstr(a.ptr, "a<b"));
	assert_int_equal(occurrences(a.ptr, "fill=\"#b03a2e\""), 3);
	/* whole numbers up to 4: ticks 0, 1, 2, 3, 4 and nothing above */
	assert_non_null(strstr(a.ptr, "text-anchor=\"end\" fill=\"#333333\">4</text>"));
	assert_null(strstr(a.ptr, "text-anchor=\"end\" fill=\"#333333\">5</text>"));
	assert_null(strstr(a.ptr, ">0.5</text>"));
	/* the tallest bar fills the plot (320 - 44 - 64 = 212 px), from y 44 */
	assert_non_null(strstr(a.ptr, "y=\"44.0\" width=\"90.4\" height=\"212.0\""));
	assert_string_equal(a.ptr + a.size - 7, "</svg>\n");
	secex_buf_release(&a);
	secex_buf_release(&b);
}

static void test_bars_empty_and_zero(void **state)
{
	const secex_chart chart = { "Nothing", NULL, NULL, 300, 200 };
	const secex_chart_bar zero[] = { { "none", 0 } };
	secex_buf a = SECEX_BUF_INIT;

	(void)state;
	assert_int_equal(secex_chart_bars(&a, &chart, NULL, 0, "#000000"), 0);
	assert_non_null(strstr(a.ptr, "width=\"300\" height=\"200\""));
	assert_null(strstr(a.ptr, "nan"));
	secex_buf_clear(&a);
	assert_int_equal(secex_chart_bars(&a, &chart, zero, 1, "#000000"), 0);
	assert_null(strstr(a.ptr, "nan"));
	assert_null(strstr(a.ptr, "inf"));
	assert_non_null(strstr(a.ptr, ">1</text>")); /* an all-zero chart still has a unit scale */
	secex_buf_release(&a);
}

static void test_lines_gaps_and_fractions(void **state)
{
	const secex_chart chart = { "Mean time to initial review", "date", "days", 0, 0 };
	const char *const labels[] = { "2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22" };
	const double review[] = { 0.25, NAN, 0.5, 0.7 };
	const double open[] = { 0, 1, 2, 3 };
	secex_chart_line lines[] = { { "review", "#1e8449", review }, { "open & <b>", "#1a5276", open } };
	secex_buf a = SECEX_BUF_INIT;

	(void)state;
	assert_int_equal(secex_chart_lines(&a, &chart, labels, 4, lines, 2), 0);
	/* the gap splits the review line in two; the open line is one */
	assert_int_equal(occurrences(a.ptr, "<polyline"), 3);
	/* a marker per value: 3 for review, 4 for open, and one legend swatch each */
	assert_int_equal(occurrences(a.ptr, "fill=\"#1e8449\""), 3 + 1);
	assert_int_equal(occurrences(a.ptr, "fill=\"#1a5276\""), 4 + 1);
	/* fractional data up to 3: a step of 1 (0.6 raw), ticks without decimals */
	assert_non_null(strstr(a.ptr, ">3</text>"));
	assert_non_null(strstr(a.ptr, ">open &amp; &lt;b&gt;</text>"));
	assert_non_null(strstr(a.ptr, ">2026-06-01</text>"));
	assert_non_null(strstr(a.ptr, ">2026-06-22</text>"));
	assert_null(strstr(a.ptr, "nan"));
	secex_buf_clear(&a);
	/* fractions below 1: ticks of 0.2 with one decimal */
	lines[1].values = review;
	assert_int_equal(secex_chart_lines(&a, &chart, labels, 4, lines, 1), 0);
	assert_non_null(strstr(a.ptr, ">0.8</text>"));
	assert_non_null(strstr(a.ptr, ">0.2</text>"));
	assert_null(strstr(a.ptr, ">1.0</text>"));
	secex_buf_release(&a);
}

static void test_lines_many_labels(void **state)
{
	const secex_chart chart = { "Open", "date", "exceptions", 0, 0 };
	const char *labels[60];
	double values[60];
	char names[60][11];
	secex_buf a = SECEX_BUF_INIT;
	secex_chart_line line = { "open", "#1a5276", values };
	size_t i;

	(void)state;
	for (i = 0; i < 60; i++) {
		secex_date_format(names[i], (int64_t)20600 + 7 * (int64_t)i);
		labels[i] = names[i];
		values[i] = (double)(i % 7);
	}
	assert_int_equal(secex_chart_lines(&a, &chart, labels, 60, &line, 1), 0);
	/* 452 px for 59 steps: one label per 12 points fits 90 px (0, 12, 24, 36), and the last */
	assert_int_equal(occurrences(a.ptr, "y=\"274.0\" text-anchor=\"middle\""), 4 + 1);
	assert_null(strstr(a.ptr, names[48])); /* too close to the last */
	assert_non_null(strstr(a.ptr, names[0]));
	assert_non_null(strstr(a.ptr, names[59]));
	secex_buf_release(&a);
}

/* Points are placed by date: a week's gap is seven times a day's. */
static void test_lines_by_date(void **state)
{
	const double xs[] = { 0, 86400, 8 * 86400 };
	const secex_chart chart = { "Open", "date", "exceptions", 0, 0, xs };
	const char *labels[] = { "2026-11-01", "2026-11-02", "2026-11-09" };
	const double values[] = { 1, 2, 3 };
	secex_chart_line line = { "open", "#1a5276", values };
	secex_buf a = SECEX_BUF_INIT;

	(void)state;
	assert_int_equal(secex_chart_lines(&a, &chart, labels, 3, &line, 1), 0);
	/* the plot runs from x 64 over 452 px: the second point 452/8 px after the first */
	assert_non_null(strstr(a.ptr, "points=\"64.0,"));
	assert_non_null(strstr(a.ptr, " 120.5,"));
	assert_non_null(strstr(a.ptr, " 516.0,"));
	assert_null(strstr(a.ptr, ">2026-11-02<")); /* too close to the first label */
	secex_buf_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bars_escape_and_scale),
		cmocka_unit_test(test_bars_empty_and_zero),
		cmocka_unit_test(test_lines_gaps_and_fractions),
		cmocka_unit_test(test_lines_many_labels),
		cmocka_unit_test(test_lines_by_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
