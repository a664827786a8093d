/* The JSON Schema validator: every keyword, references, findings, limits and formats. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <secex.h>

static secex_doc *json(const char *text)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_doc *doc = NULL;

	assert_int_equal(secex_json_parse(&doc, text, strlen(text), "i.json", &diags), 0);
	if (!doc)
		fail_msg("%u:%u: %s, in '%.80s'", diags.items[0].line, diags.items[0].column,
			 diags.items[0].message, text);
	return doc;
}

static secex_schema *compile_text(secex_doc **doc, const char *text, bool format_assertion)
{
	secex_schema_options opts = SECEX_SCHEMA_OPTIONS_INIT;
	secex_schema *schema = NULL;

	opts.format_assertion = format_assertion;
	*doc = json(text);
	if (secex_schema_compile(&schema, secex_doc_root(*doc), "test", &opts) < 0)
		fail_msg("schema '%s' does not compile: %s", text, secex_error_last());
	return schema;
}

/* Validates instance against schema, reporting into diags (appended), and checks that the
 * silent run agrees and that findings come exactly with invalidity. */
static bool check_fmt(const char *schema_text, const char *instance, secex_diags *diags, bool format)
{
	secex_doc *sdoc, *idoc = json(instance);
	secex_schema *schema = compile_text(&sdoc, schema_text, format);
	size_t before = diags->n, i;
	bool loud, quiet;

	assert_int_equal(secex_schema_validate(&loud, schema, secex_doc_root(idoc), "i.json", "EXC-7", diags), 0);
	assert_int_equal(secex_schema_validate(&quiet, schema, secex_doc_root(idoc), "i.json", NULL, NULL), 0);
	assert_int_equal(loud, quiet);
	assert_int_equal(loud, diags->n == before);
	for (i = before; i < diags->n; i++) {
		const char *msg = diags->items[i].message;

		assert_string_equal(diags->items[i].code, "SX110");
		assert_string_equal(diags->items[i].file, "i.json");
		assert_string_equal(diags->items[i].exception, "EXC-7");
		assert_true(msg[0] == '\'' || strncmp(msg, "top level: ", 11) == 0);
		assert_non_null(strstr(msg, " (keyword '"));
		assert_int_equal(msg[strlen(msg) - 1], ')');
	}
	secex_schema_free(schema);
	secex_doc_free(sdoc);
	secex_doc_free(idoc);
	return loud;
}

static bool check(const char *schema_text, const char *instance, secex_diags *diags)
{
	return check_fmt(schema_text, instance, diags, true);
}

static bool any_message(const secex_diags *diags, const char *needle)
{
	size_t i;

	for (i = 0; i < diags->n; i++)
		if (strstr(diags->items[i].message, needle))
			return true;
	return false;
}

static void print_diags(const secex_diags *diags)
{
	size_t i;

	for (i = 0; i < diags->n; i++)
		print_message("  %u:%u: %s\n", diags->items[i].line, diags->items[i].column,
			      diags->items[i].message);
}

static const struct {
	const char *schema, *instance;
	bool valid;
	const char *keyword; /* of the finding when invalid */
} keyword_cases[] = {
	{ "{\"type\":\"string\"}", "\"x\"", true, NULL },
	{ "{\"type\":\"string\"}", "1", false, "type" },
	{ "{\"type\":\"integer\"}", "1.0", true, NULL },
	{ "{\"type\":\"integer\"}", "1.5", false, "type" },
	{ "{\"type\":\"number\"}", "1", true, NULL },
	{ "{\"type\":[\"null\",\"boolean\"]}", "false", true, NULL },
	{ "{\"type\":[\"null\",\"boolean\"]}", "0", false, "type" },
	{ "{\"type\":\"object\"}", "[]", false, "type" },
	{ "{\"type\":\"array\"}", "{}", false, "type" },
	{ "{\"enum\":[1,\"a\",null,{\"k\":[1]}]}", "1.0", true, NULL },
	{ "{\"enum\":[1,\"a\",null,{\"k\":[1]}]}", "{\"k\":[1]}", true, NULL },
	{ "{\"enum\":[1,\"a\",null]}", "false", false, "enum" },
	{ "{\"enum\":[false]}", "0", false, "enum" },
	{ "{\"const\":{\"a\":1,\"b\":2}}", "{\"b\":2,\"a\":1.0}", true, NULL },
	{ "{\"const\":\"x\"}", "\"y\"", false, "const" },
	{ "{\"const\":null}", "null", true, NULL },
	{ "{\"const\":null}", "0", false, "const" },
	{ "{\"required\":[\"a\"]}", "{\"a\":1}", true, NULL },
	{ "{\"required\":[\"a\"]}", "{\"b\":1}", false, "required" },
	{ "{\"required\":[\"a\"]}", "[]", true, NULL },
	{ "{\"properties\":{\"a\":{\"type\":\"string\"}}}", "{\"a\":\"x\",\"b\":1}", true, NULL },
	{ "{\"properties\":{\"a\":{\"type\":\"string\"}}}", "{\"a\":1}", false, "type" },
	{ "{\"properties\":{\"a\":false}}", "{\"a\":1}", false, "properties" },
	{ "{\"additionalProperties\":false,\"properties\":{\"a\":true}}", "{\"a\":1}", true, NULL },
	{ "{\"additionalProperties\":false,\"properties\":{\"a\":true}}", "{\"b\":1}", false, "additionalProperties" },
	{ "{\"additionalProperties\":{\"type\":\"integer\"}}", "{\"b\":\"x\"}", false, "type" },
	{ "{\"patternProperties\":{\"^x-\":{\"type\":\"string\"}},\"additionalProperties\":false}",
	  "{\"x-a\":\"s\"}", true, NULL },
	{ "{\"patternProperties\":{\"^x-\":{\"type\":\"string\"}},\"additionalProperties\":false}",
	  "{\"x-a\":1}", false, "type" },
	{ "{\"patternProperties\":{\"^x-\":{\"type\":\"string\"}},\"additionalProperties\":false}",
	  "{\"y\":1}", false, "additionalProperties" },
	{ "{\"propertyNames\":{\"maxLength\":3}}", "{\"abc\":1}", true, NULL },
	{ "{\"propertyNames\":{\"maxLength\":3}}", "{\"abcd\":1}", false, "propertyNames" },
	{ "{\"items\":{\"type\":\"integer\"}}", "[1,2]", true, NULL },
	{ "{\"items\":{\"type\":\"integer\"}}", "[1,\"x\"]", false, "type" },
	{ "{\"prefixItems\":[{\"type\":\"string\"}],\"items\":false}", "[\"a\"]", true, NULL },
	{ "{\"prefixItems\":[{\"type\":\"string\"}],\"items\":false}", "[\"a\",1]", false, "items" },
	{ "{\"prefixItems\":[{\"type\":\"string\"}]}", "[1]", false, "type" },
	{ "{\"contains\":{\"const\":2}}", "[1,2]", true, NULL },
	{ "{\"contains\":{\"const\":2}}", "[1,3]", false, "contains" },
	{ "{\"contains\":{\"const\":2},\"minContains\":2}", "[2,1,2]", true, NULL },
	{ "{\"contains\":{\"const\":2},\"minContains\":2}", "[2,1]", false, "minContains" },
	{ "{\"contains\":{\"const\":2},\"maxContains\":1}", "[2,2]", false, "maxContains" },
	{ "{\"contains\":{\"const\":2},\"minContains\":0}", "[]", true, NULL },
	{ "{\"minItems\":2}", "[1,2]", true, NULL },
	{ "{\"minItems\":2}", "[1]", false, "minItems" },
	{ "{\"maxItems\":1}", "[1,2]", false, "maxItems" },
	{ "{\"uniqueItems\":true}", "[1,\"1\",[1],{\"a\":1}]", true, NULL },
	{ "{\"uniqueItems\":true}", "[1,2,1.0]", false, "uniqueItems" },
	{ "{\"uniqueItems\":true}", "[{\"a\":1,\"b\":2},{\"b\":2,\"a\":1}]", false, "uniqueItems" },
	{ "{\"uniqueItems\":true}", "[false,0]", true, NULL },
	{ "{\"minLength\":2}", "\"\xc3\xa9\xc3\xa9\"", true, NULL },
	{ "{\"minLength\":3}", "\"\xc3\xa9\xc3\xa9\"", false, "minLength" },
	{ "{\"maxLength\":2}", "\"\xf0\x9f\x92\xa9\xf0\x9f\x92\xa9\"", true, NULL },
	{ "{\"maxLength\":2.0}", "\"abc\"", false, "maxLength" },
	{ "{\"minLength\":5}", "5", true, NULL },
	{ "{\"pattern\":\"^a+$\"}", "\"aaa\"", true, NULL },
	{ "{\"pattern\":\"b\"}", "\"abc\"", true, NULL },
	{ "{\"pattern\":\"^a+$\"}", "\"ab\"", false, "pattern" },
	{ "{\"pattern\":\"^\\\\p{Letter}+$\"}", "\"\xc3\xa9t\xc3\xa9\"", true, NULL },
	{ "{\"pattern\":\"^\\\\d+$\"}", "\"\xd9\xa3\"", false, "pattern" }, /* \d is ASCII */
	{ "{\"pattern\":\"^a$\"}", "\"a\\n\"", false, "pattern" },          /* $ is the very end */
	{ "{\"minimum\":1}", "1", true, NULL },
	{ "{\"minimum\":1}", "0.9", false, "minimum" },
	{ "{\"minimum\":1.5}", "1", false, "minimum" },
	{ "{\"maximum\":3}", "3.0", true, NULL },
	{ "{\"maximum\":3}", "4", false, "maximum" },
	{ "{\"maximum\":9007199254740992}", "9007199254740993", false, "maximum" },
	{ "{\"exclusiveMinimum\":1}", "1", false, "exclusiveMinimum" },
	{ "{\"exclusiveMinimum\":1}", "1.0001", true, NULL },
	{ "{\"exclusiveMaximum\":1}", "1", false, "exclusiveMaximum" },
	{ "{\"exclusiveMaximum\":1}", "0", true, NULL },
	{ "{\"multipleOf\":2}", "10", true, NULL },
	{ "{\"multipleOf\":2}", "7", false, "multipleOf" },
	{ "{\"multipleOf\":0.0001}", "0.0075", true, NULL },
	{ "{\"multipleOf\":0.0001}", "0.00751", false, "multipleOf" },
	{ "{\"multipleOf\":0.01}", "19.99", true, NULL },
	{ "{\"multipleOf\":0.1}", "0.3", true, NULL },
	{ "{\"multipleOf\":1.5}", "4.5", true, NULL },
	{ "{\"multipleOf\":1.5}", "35", false, "multipleOf" },
	{ "{\"multipleOf\":0.5}", "1e308", true, NULL },
	{ "{\"multipleOf\":0.123456789}", "1e308", false, "multipleOf" },
	{ "{\"multipleOf\":1}", "1e-20", false, "multipleOf" },
	{ "{\"multipleOf\":3}", "-9223372036854775807", false, "multipleOf" },
	{ "{\"minProperties\":1}", "{}", false, "minProperties" },
	{ "{\"maxProperties\":1}", "{\"a\":1,\"b\":2}", false, "maxProperties" },
	{ "{\"dependentRequired\":{\"a\":[\"b\"]}}", "{\"a\":1,\"b\":2}", true, NULL },
	{ "{\"dependentRequired\":{\"a\":[\"b\"]}}", "{\"b\":2}", true, NULL },
	{ "{\"dependentRequired\":{\"a\":[\"b\"]}}", "{\"a\":1}", false, "dependentRequired" },
	{ "{\"dependentSchemas\":{\"a\":{\"required\":[\"b\"]}}}", "{\"a\":1}", false, "required" },
	{ "{\"allOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "3", true, NULL },
	{ "{\"allOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "1", false, "minimum" },
	{ "{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"string\"}]}", "\"x\"", true, NULL },
	{ "{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"string\"}]}", "null", false, "anyOf" },
	{ "{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "1", true, NULL },
	{ "{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "3", false, "oneOf" },
	/* only the second alternative accepts a number: its error */
	{ "{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "1.5", false, "minimum" },
	{ "{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "\"x\"", true, NULL },
	{ "{\"not\":{\"type\":\"integer\"}}", "\"x\"", true, NULL },
	{ "{\"not\":{\"type\":\"integer\"}}", "1", false, "not" },
	{ "{\"if\":{\"type\":\"integer\"},\"then\":{\"minimum\":2},\"else\":{\"maxLength\":1}}", "3", true, NULL },
	{ "{\"if\":{\"type\":\"integer\"},\"then\":{\"minimum\":2},\"else\":{\"maxLength\":1}}", "1", false, "minimum" },
	{ "{\"if\":{\"type\":\"integer\"},\"then\":{\"minimum\":2},\"else\":{\"maxLength\":1}}", "\"ab\"", false, "maxLength" },
	{ "{\"then\":false}", "1", true, NULL },
	{ "true", "{\"anything\":[1]}", true, NULL },
	{ "false", "null", false, "schema" },
	{ "{\"$defs\":{\"n\":{\"type\":\"integer\"}},\"$ref\":\"#/$defs/n\"}", "1", true, NULL },
	{ "{\"$defs\":{\"n\":{\"type\":\"integer\"}},\"$ref\":\"#/$defs/n\"}", "\"1\"", false, "type" },
	{ "{\"$defs\":{\"n\":{\"type\":\"integer\"}},\"$ref\":\"#/$defs/n\",\"minimum\":5}", "3", false, "minimum" },
	{ "{\"unevaluatedProperties\":false,\"allOf\":[{\"properties\":{\"a\":true}}]}", "{\"a\":1}", true, NULL },
	{ "{\"unevaluatedProperties\":false,\"allOf\":[{\"properties\":{\"a\":true}}]}", "{\"b\":1}", false,
	  "unevaluatedProperties" },
	{ "{\"prefixItems\":[true],\"unevaluatedItems\":false}", "[1,2]", false, "unevaluatedItems" },
	{ "{\"format\":\"date\"}", "\"2024-02-29\"", true, NULL },
	{ "{\"format\":\"date\"}", "\"2023-02-29\"", false, "format" },
	{ "{\"format\":\"date\"}", "20230228", true, NULL },
	{ "{\"format\":\"uri\"}", "\"not a uri\"", true, NULL }, /* not checked by secex */
	{ "{\"title\":\"t\",\"x-unknown\":{\"type\":\"string\"}}", "1", true, NULL },
};

static void test_keywords(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keyword_cases) / sizeof(keyword_cases[0]); i++) {
		secex_diags diags = SECEX_DIAGS_INIT;
		char want[64];
		bool valid = check(keyword_cases[i].schema, keyword_cases[i].instance, &diags);

		if (valid != keyword_cases[i].valid) {
			print_diags(&diags);
			fail_msg("%s against %s: expected %s", keyword_cases[i].instance, keyword_cases[i].schema,
				 keyword_cases[i].valid ? "valid" : "invalid");
		}
		if (!valid) {
			snprintf(want, sizeof(want), "(keyword '%s')", keyword_cases[i].keyword);
			if (!any_message(&diags, want)) {
				print_diags(&diags);
				fail_msg("%s against %s: no finding for %s", keyword_cases[i].instance,
					 keyword_cases[i].schema, want);
			}
		}
		secex_diag_release(&diags);
	}
}

static void test_all_errors_reported(void **state)
{
	secex_diags diags = SECEX_DIAGS_INIT;

	(void)state;
	assert_false(check("{\"required\":[\"a\",\"b\"],\"properties\":{\"x\":{\"type\":\"integer\"},"
			   "\"y\":{\"type\":\"string\",\"minLength\":3}},\"additionalProperties\":false}",
			   "{\"x\":\"s\",\"y\":1,\"z\":[1],\"w\":2}", &diags));
	assert_int_equal(diags.n, 6);
	assert_true(any_message(&diags, "missing required property 'a'"));
	assert_true(any_message(&diags, "missing required property 'b'"));
	assert_true(any_message(&diags, "'/x': expected an integer, found a string ('s')"));
	assert_true(any_message(&diags, "'/y': expected a string, found an integer (1)"));
	assert_true(any_message(&diags, "unknown property 'z'"));
	assert_true(any_message(&diags, "unknown property 'w'"));
	secex_diag_release(&diags);
}

static void test_pointer_and_position(void **state)
{
	const char *schema = "{\"properties\":{\"approvals\":{\"type\":\"array\",\"items\":"
			     "{\"$ref\":\"#/$defs/approval\"}}},\"$defs\":{\"approval\":{\"type\":\"object\","
			     "\"required\":[\"date\"],\"properties\":{\"a/b~c\":{\"type\":\"string\"}}}}}";
	secex_diags diags = SECEX_DIAGS_INIT;

	(void)state;
	assert_false(check(schema, "{\n  \"approvals\": [\n    {\"date\": 1},\n    {\"by\": \"x\"},\n"
			   "    {\"date\": 2, \"a/b~c\": 3}\n  ]\n}", &diags));
	assert_int_equal(diags.n, 2);
	secex_diag_sort(&diags);
	assert_string_equal(diags.items[0].message, "'/approvals/1': missing required property "
			    "'date'; add it (keyword 'required')");
	assert_int_equal(diags.items[0].line, 4);
	assert_int_equal(diags.items[0].column, 5);
	assert_string_equal(diags.items[1].message, "'/approvals/2/a~1b~0c': expected a string, found "
			    "an integer (3); change the value (keyword 'type')");
	assert_int_equal(diags.items[1].line, 5);
	assert_int_equal(diags.items[1].column, 26);
	secex_diag_release(&diags);
	/* the root is the empty pointer */
	assert_false(check("{\"type\":\"object\"}", "[]", &diags));
	assert_string_equal(diags.items[0].message, "top level: expected an object, found an array (an array); "
			    "change the value (keyword 'type')");
	secex_diag_release(&diags);
}

static void test_did_you_mean(void **state)
{
	const char *schema = "{\"additionalProperties\":false,\"properties\":{\"due_date\":{},"
			     "\"title\":{},\"id\":{}}}";
	secex_diags diags = SECEX_DIAGS_INIT;

	(void)state;
	assert_false(check(schema, "{\"title\": \"t\",\n \"due_dat\": \"2024-01-01\"}", &diags));
	assert_int_equal(diags.n, 1);
	assert_string_equal(diags.items[0].message, "top level: unknown property 'due_dat'; did you mean "
			    "'due_date'? (keyword 'additionalProperties')");
	/* at the key, not at its value */
	assert_int_equal(diags.items[0].line, 2);
	assert_int_equal(diags.items[0].column, 2);
	secex_diag_release(&diags);
	assert_false(check(schema, "{\"tilte\": 1}", &diags));
	assert_true(any_message(&diags, "did you mean 'title'?"));
	secex_diag_release(&diags);
	assert_false(check(schema, "{\"owner\": 1}", &diags));
	assert_string_equal(diags.items[0].message, "top level: unknown property 'owner'; remove it or "
			    "correct its name (keyword 'additionalProperties')");
	secex_diag_release(&diags);
	assert_false(check(schema, "{\"x\": 1}", &diags)); /* "x" is not close to "id" */
	assert_false(any_message(&diags, "did you mean"));
	secex_diag_release(&diags);
	/* enum values get the same help */
	assert_false(check("{\"enum\":[\"approved\",\"denied\"]}", "\"aproved\"", &diags));
	assert_string_equal(diags.items[0].message, "top level: 'aproved' is not one of the allowed values; "
			    "did you mean 'approved'? (keyword 'enum')");
	secex_diag_release(&diags);
	assert_false(check("{\"enum\":[\"approved\",\"denied\"]}", "\"open\"", &diags));
	assert_string_equal(diags.items[0].message, "top level: 'open' is not one of the allowed values; use "
			    "one of 'approved' or 'denied' (keyword 'enum')");
	secex_diag_release(&diags);
}

static void test_pattern_limit(void **state)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	clock_t start = clock();
	double seconds;

	(void)state;
	assert_false(check("{\"pattern\":\"^(a+)+$\"}", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\"", &diags));
	seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
	assert_true(seconds < 1.0);
	assert_int_equal(diags.n, 1);
	assert_string_equal(diags.items[0].message, "top level: pattern '^(a+)+$' is too expensive to match "
			    "against 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'; simplify the pattern or shorten the "
			    "value (keyword 'pattern')");
	secex_diag_release(&diags);
	/* the same in patternProperties, on the key */
	assert_false(check("{\"patternProperties\":{\"^(a|a)+$\":true}}",
			   "{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\":1}", &diags));
	assert_true(any_message(&diags, "is too expensive to match"));
	assert_int_equal(diags.items[0].column, 2);
	secex_diag_release(&diags);
	/* and silently */
	assert_true(check("{\"not\":{\"pattern\":\"^(a+)+$\"}}", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\"",
			  &diags));
	secex_diag_release(&diags);
}

static void test_format_assertion(void **state)
{
	static const char *const bad[] = {
		"{\"format\":\"date\"}", "\"2024-13-01\"",
		"{\"format\":\"date-time\"}", "\"2024-01-01 10:00:00Z\"",
		"{\"format\":\"time\"}", "\"10:00:00\"",
		"{\"format\":\"email\"}", "\"a@b@c\"",
	};
	secex_diags diags = SECEX_DIAGS_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i += 2) {
		assert_false(check_fmt(bad[i], bad[i + 1], &diags, true));
		assert_true(any_message(&diags, "(keyword 'format')"));
		secex_diag_release(&diags);
		assert_true(check_fmt(bad[i], bad[i + 1], &diags, false));
	}
	assert_false(check("{\"format\":\"date\"}", "\"2024-02-30\"", &diags));
	assert_string_equal(diags.items[0].message, "top level: '2024-02-30' is not a valid date; write "
			    "YYYY-MM-DD, such as 2024-05-01 (keyword 'format')");
	secex_diag_release(&diags);
	/* a date or a date-time, as the exception schema writes it */
	assert_false(check("{\"type\":\"string\",\"anyOf\":[{\"format\":\"date\"},{\"format\":\"date-time\"}]}",
			   "\"2024-13-01\"", &diags));
	assert_string_equal(diags.items[0].message, "top level: '2024-13-01' is not a date; write YYYY-MM-DD "
			    "(or an RFC 3339 date-time, such as 2024-05-01T10:00:00Z) (keyword 'anyOf')");
	secex_diag_release(&diags);
	/* a pattern with an x-secex-hint says what to write instead of the pattern's advice */
	assert_false(check("{\"pattern\":\"^[1-9][0-9]*[hdw]$\",\"x-secex-hint\":\"write a number and h, d or w (e.g. 60d)\"}",
			   "\"60days\"", &diags));
	assert_string_equal(diags.items[0].message, "top level: '60days' does not match the pattern '^[1-9][0-9]*[hdw]$'; "
			    "write a number and h, d or w (e.g. 60d) (keyword 'pattern')");
	secex_diag_release(&diags);
}

static void test_formats(void **state)
{
	(void)state;
	assert_int_equal(secex_schema_format_lookup("date"), SECEX_FORMAT_DATE);
	assert_int_equal(secex_schema_format_lookup("date-time"), SECEX_FORMAT_DATE_TIME);
	assert_int_equal(secex_schema_format_lookup("time"), SECEX_FORMAT_TIME);
	assert_int_equal(secex_schema_format_lookup("email"), SECEX_FORMAT_EMAIL);
	assert_int_equal(secex_schema_format_lookup("uri"), SECEX_FORMAT_NONE);
	assert_true(secex_schema_format_check(SECEX_FORMAT_NONE, "anything", 8));
#define OK(f, s) assert_true(secex_schema_format_check(f, s, strlen(s)))
#define BAD(f, s) assert_false(secex_schema_format_check(f, s, strlen(s)))
	OK(SECEX_FORMAT_DATE, "2000-02-29");
	BAD(SECEX_FORMAT_DATE, "1900-02-29");
	BAD(SECEX_FORMAT_DATE, "2024-1-01");
	BAD(SECEX_FORMAT_DATE, "2024-01-01T00:00:00Z");
	OK(SECEX_FORMAT_DATE_TIME, "1963-06-19t08:30:06.283185z");
	OK(SECEX_FORMAT_DATE_TIME, "1998-12-31T15:59:60.123-08:00");
	BAD(SECEX_FORMAT_DATE_TIME, "1998-12-31T22:59:60Z");
	BAD(SECEX_FORMAT_DATE_TIME, "1990-12-31T15:59:59-24:00");
	BAD(SECEX_FORMAT_DATE_TIME, "1985-04-12T23:20:50+01");
	BAD(SECEX_FORMAT_DATE_TIME, "2024-01-01");
	OK(SECEX_FORMAT_TIME, "23:59:60Z");
	OK(SECEX_FORMAT_TIME, "00:29:60-23:30");
	OK(SECEX_FORMAT_TIME, "12:34:56-00:00");
	BAD(SECEX_FORMAT_TIME, "23:59:60+01:00");
	BAD(SECEX_FORMAT_TIME, "12:00:00");
	BAD(SECEX_FORMAT_TIME, "24:00:00Z");
	BAD(SECEX_FORMAT_TIME, "01:02:03Z+00:30");
	OK(SECEX_FORMAT_EMAIL, "joe.bloggs@example.com");
	OK(SECEX_FORMAT_EMAIL, "\"joe@bloggs\"@example.com");
	OK(SECEX_FORMAT_EMAIL, "a@[127.0.0.1]");
	OK(SECEX_FORMAT_EMAIL, "a@[IPv6:::1]");
	OK(SECEX_FORMAT_EMAIL, "te~st@example.com");
	BAD(SECEX_FORMAT_EMAIL, "te..st@example.com");
	BAD(SECEX_FORMAT_EMAIL, ".test@example.com");
	BAD(SECEX_FORMAT_EMAIL, "a@[127.0.0.300]");
	BAD(SECEX_FORMAT_EMAIL, "a@invalid=domain.com");
	BAD(SECEX_FORMAT_EMAIL, "a@-example.com");
	BAD(SECEX_FORMAT_EMAIL, "@example.com");
	BAD(SECEX_FORMAT_EMAIL, "joe bloggs@example.com");
	BAD(SECEX_FORMAT_EMAIL, "a@b.com, c@d.com");
#undef OK
#undef BAD
}

static void test_alternatives(void **state)
{
	const char *any = "{\"anyOf\":[{\"type\":\"string\",\"minLength\":5},{\"type\":\"integer\"}]}";
	secex_diags diags = SECEX_DIAGS_INIT;

	(void)state;
	/* one alternative has the instance's type: its errors, not the combinator's */
	assert_false(check(any, "\"abc\"", &diags));
	assert_int_equal(diags.n, 1);
	assert_true(any_message(&diags, "(keyword 'minLength')"));
	secex_diag_release(&diags);
	/* none or several: one finding for the combinator */
	assert_false(check(any, "true", &diags));
	assert_int_equal(diags.n, 1);
	assert_string_equal(diags.items[0].message, "top level: true matches none of the 2 alternatives; "
			    "change it to match one of them (keyword 'anyOf')");
	secex_diag_release(&diags);
	assert_false(check("{\"oneOf\":[{\"required\":[\"a\"]},{\"required\":[\"b\"]}]}", "{}", &diags));
	assert_int_equal(diags.n, 1);
	assert_true(any_message(&diags, "(keyword 'oneOf')"));
	secex_diag_release(&diags);
	assert_false(check("{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":0},{\"maximum\":9}]}", "5", &diags));
	assert_string_equal(diags.items[0].message, "top level: value matches 3 of the alternatives (0 and 1) "
			    "but must match exactly one; change it to match only one (keyword 'oneOf')");
	secex_diag_release(&diags);
	assert_false(check("{\"anyOf\":[{\"const\":\"a\"},{\"enum\":[1,2]},{\"type\":\"null\"}]}", "3", &diags));
	assert_string_equal(diags.items[0].message, "top level: 3 is none of 'a', one of 1 or 2 or null; change "
			    "it to match one of them (keyword 'anyOf')");
	secex_diag_release(&diags);
}

static void test_silent_subschemas(void **state)
{
	secex_diags diags = SECEX_DIAGS_INIT;

	(void)state;
	/* failures inside not, if, contains and passing anyOf do not leak */
	assert_true(check("{\"not\":{\"type\":\"string\",\"minLength\":100}}", "5", &diags));
	assert_true(check("{\"if\":{\"type\":\"string\",\"minLength\":3},\"else\":true}", "\"a\"", &diags));
	assert_true(check("{\"contains\":{\"type\":\"string\"}}", "[1,2,\"x\",3]", &diags));
	assert_true(check("{\"anyOf\":[{\"required\":[\"zz\"]},{\"type\":\"object\"}]}", "{}", &diags));
	assert_int_equal(diags.n, 0);
	/* a failed contains is one finding, not one per item */
	assert_false(check("{\"contains\":{\"type\":\"string\"}}", "[1,2,3]", &diags));
	assert_int_equal(diags.n, 1);
	secex_diag_release(&diags);
}

static void test_refs(void **state)
{
	static const struct {
		const char *schema, *good, *bad;
	} cases[] = {
		{ "{\"$defs\":{\"a~b/c%d\":{\"type\":\"integer\"}},\"$ref\":\"#/$defs/a~0b~1c%25d\"}", "1", "\"1\"" },
		{ "{\"$defs\":{\"x\":{\"$anchor\":\"num\",\"type\":\"number\"}},\"$ref\":\"#num\"}", "1", "\"1\"" },
		{ "{\"$id\":\"https://x.test/root.json\",\"$defs\":{\"s\":{\"$id\":\"sub/s.json\",\"type\":\"string\"}},"
		  "\"$ref\":\"sub/s.json\"}", "\"s\"", "1" },
		{ "{\"$id\":\"https://x.test/a/root.json\",\"$defs\":{\"s\":{\"$id\":\"https://x.test/b/s.json\","
		  "\"$defs\":{\"i\":{\"type\":\"integer\"}},\"$ref\":\"#/$defs/i\"}},"
		  "\"$ref\":\"https://x.test/b/s.json\"}", "1", "\"1\"" },
		{ "{\"$id\":\"https://x.test/root.json\",\"$ref\":\"https://x.test/root.json#/$defs/i\","
		  "\"$defs\":{\"i\":{\"type\":\"integer\"}}}", "1", "\"1\"" },
		{ "{\"prefixItems\":[{\"type\":\"integer\"},{\"$ref\":\"#/prefixItems/0\"}]}", "[1,2]", "[1,\"2\"]" },
		/* a tree: recursion through properties ends with the instance */
		{ "{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"integer\"},\"kids\":{\"type\":\"array\","
		  "\"items\":{\"$ref\":\"#\"}}}}", "{\"v\":1,\"kids\":[{\"v\":2,\"kids\":[{\"v\":3}]}]}",
		  "{\"v\":1,\"kids\":[{\"v\":2,\"kids\":[{\"v\":\"3\"}]}]}" },
	};
	secex_diags diags = SECEX_DIAGS_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!check(cases[i].schema, cases[i].good, &diags))
			fail_msg("case %zu: %s should be valid", i, cases[i].good);
		if (check(cases[i].schema, cases[i].bad, &diags))
			fail_msg("case %zu: %s should be invalid", i, cases[i].bad);
		secex_diag_release(&diags);
	}
	assert_false(check(cases[6].schema, cases[6].bad, &diags));
	assert_true(any_message(&diags, "'/kids/0/kids/0/v': expected an integer"));
	secex_diag_release(&diags);
}

static void test_deep_recursion_is_not_a_loop(void **state)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_buf b = SECEX_BUF_INIT;
	int i;

	(void)state;
	/* 64 levels of containers (the loaders' limit), each object through anyOf, allOf and $ref */
	for (i = 0; i < SECEX_MAX_DEPTH / 2; i++)
		assert_int_equal(secex_buf_puts(&b, "{\"k\":["), 0);
	assert_int_equal(secex_buf_puts(&b, "1"), 0);
	for (i = 0; i < SECEX_MAX_DEPTH / 2; i++)
		assert_int_equal(secex_buf_puts(&b, "]}"), 0);
	assert_true(check("{\"$defs\":{\"node\":{\"anyOf\":[{\"type\":\"integer\"},{\"allOf\":"
			  "[{\"$ref\":\"#/$defs/obj\"}]}]},\"obj\":{\"type\":\"object\",\"properties\":"
			  "{\"k\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/node\"}}}}},"
			  "\"$ref\":\"#/$defs/node\"}", b.ptr, &diags));
	secex_buf_release(&b);
}

static void test_ref_loop(void **state)
{
	static const char *const loops[] = {
		"{\"$ref\":\"#\"}",
		"{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/b\"},\"b\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}",
		"{\"not\":{\"$ref\":\"#\"}}",
		"{\"anyOf\":[{\"$ref\":\"#\"}]}",
		"{\"$id\":\"urn:a\",\"$ref\":\"urn:b\",\"$defs\":{\"b\":{\"$id\":\"urn:b\",\"$ref\":\"urn:a\"}}}",
		"{\"unevaluatedProperties\":false,\"allOf\":[{\"$ref\":\"#\"}]}",
		"{\"$dynamicAnchor\":\"a\",\"$dynamicRef\":\"#a\"}",
		("{\"$id\":\"urn:a\",\"$dynamicAnchor\":\"a\",\"$ref\":\"urn:b\",\"$defs\":{\"b\":{\"$id\":"
		 "\"urn:b\",\"$dynamicAnchor\":\"a\",\"$dynamicRef\":\"urn:a#a\"}}}"),
	};
	secex_diags diags = SECEX_DIAGS_INIT;
	clock_t start = clock();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(loops) / sizeof(loops[0]); i++) {
		assert_false(check(loops[i], "{\"a\":1}", &diags));
		assert_int_equal(diags.n, 1);
		assert_true(any_message(&diags, "a $ref loop"));
		assert_true(any_message(&diags, "(keyword '$ref')"));
		secex_diag_release(&diags);
	}
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 1.0);
}

/* allOf of two $refs to the next level, 40 levels deep: 2^40 paths to the last schema, each
 * (subschema, value) pair evaluated once (issue 11: 28 levels took 13 s). */
static void test_shared_refs_dag(void **state)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_buf b = SECEX_BUF_INIT;
	clock_t start = clock();
	int i;

	(void)state;
	assert_int_equal(secex_buf_puts(&b, "{\"$ref\":\"#/$defs/d0\",\"$defs\":{"), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(secex_buf_printf(&b, "\"d%d\":{\"allOf\":[{\"$ref\":\"#/$defs/d%d\"},"
						  "{\"$ref\":\"#/$defs/d%d\"}]},", i, i + 1, i + 1), 0);
	assert_int_equal(secex_buf_puts(&b, "\"d40\":{\"properties\":{\"n\":{\"type\":\"integer\"}}}}}"), 0);
	assert_true(check(b.ptr, "{\"n\":1}", &diags));
	assert_false(check(b.ptr, "{\"n\":\"one\"}", &diags));
	assert_int_equal(diags.n, 1); /* reported once, not once per path */
	assert_string_equal(diags.items[0].message, "'/n': expected an integer, found a string ('one'); "
			    "change the value (keyword 'type')");
	secex_diag_release(&diags);
	secex_buf_release(&b);
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 1.0);
}

/* unevaluatedProperties nested 30 deep through allOf (the JSON parser's depth limit): each level evaluates its subschemas
 * again for their annotations, which doubled per level. */
static void test_nested_unevaluated(void **state)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_buf b = SECEX_BUF_INIT;
	clock_t start = clock();
	int i;

	(void)state;
	for (i = 0; i < 30; i++)
		assert_int_equal(secex_buf_puts(&b, "{\"unevaluatedProperties\":false,\"allOf\":["), 0);
	assert_int_equal(secex_buf_puts(&b, "{\"properties\":{\"a\":true}}"), 0);
	for (i = 0; i < 30; i++)
		assert_int_equal(secex_buf_puts(&b, "]}"), 0);
	assert_true(check(b.ptr, "{\"a\":1}", &diags));
	assert_false(check(b.ptr, "{\"a\":1,\"b\":2}", &diags));
	assert_true(any_message(&diags, "unknown property 'b'"));
	secex_diag_release(&diags);
	secex_buf_release(&b);
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 1.0);
}

/* More than MAX_EVAL_STEPS subschema evaluations: one clear finding, and invalid silently. */
static void test_too_complex(void **state)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_buf s = SECEX_BUF_INIT, x = SECEX_BUF_INIT;
	clock_t start = clock();
	int i;

	(void)state;
	assert_int_equal(secex_buf_puts(&s, "{\"items\":{\"anyOf\":["), 0);
	for (i = 0; i < 2000; i++)
		assert_int_equal(secex_buf_printf(&s, "%s{\"const\":%d}", i ? "," : "", i), 0);
	assert_int_equal(secex_buf_puts(&s, "]}}"), 0);
	assert_int_equal(secex_buf_putc(&x, '['), 0);
	for (i = 0; i < 6000; i++)
		assert_int_equal(secex_buf_printf(&x, "%s-1", i ? "," : ""), 0);
	assert_int_equal(secex_buf_putc(&x, ']'), 0);
	assert_false(check(s.ptr, x.ptr, &diags));
	assert_true(any_message(&diags, "schema too complex: more than 10000000 evaluation steps for "
				"one file; simplify the schema"));
	assert_string_equal(diags.items[diags.n - 1].message + strlen(diags.items[diags.n - 1].message) -
			    strlen("(keyword 'anyOf')"), "(keyword 'anyOf')");
	secex_diag_release(&diags);
	x.size = 1 + 3 * 3000; /* "[" and 3000 items of "-1,": they fit in the budget */
	x.ptr[x.size - 1] = ']';
	x.ptr[x.size] = '\0';
	assert_false(check(s.ptr, x.ptr, &diags));
	assert_false(any_message(&diags, "too complex"));
	assert_int_equal(diags.n, 3000);
	secex_diag_release(&diags);
	secex_buf_release(&s);
	secex_buf_release(&x);
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 5.0);
}

static void assert_compile_fails(const char *text, const char *needle)
{
	secex_schema_options opts = SECEX_SCHEMA_OPTIONS_INIT;
	secex_schema *schema = (secex_schema *)1;
	secex_doc *doc = json(text);

	assert_int_equal(secex_schema_compile(&schema, secex_doc_root(doc), "s.json", &opts), SECEX_EINVALID);
	assert_null(schema);
	if (!strstr(secex_error_last(), needle))
		fail_msg("'%s': message '%s' lacks '%s'", text, secex_error_last(), needle);
	secex_doc_free(doc);
}

static void test_compile_errors(void **state)
{
	(void)state;
	assert_compile_fails("{\"properties\":{\"id\":{\"pattern\":\"^(EXC\"}}}",
			     "schema 's.json' at '#/properties/id/pattern': pattern '^(EXC' does not compile");
	assert_compile_fails("{\"patternProperties\":{\"[a-\":true}}",
			     "at '#/patternProperties/[a-': pattern '[a-' does not compile");
	assert_compile_fails("{\"items\":{\"$ref\":\"#/$defs/missing\"}}",
			     "at '#/items/$ref': $ref '#/$defs/missing' is not in this document");
	assert_compile_fails("{\"$ref\":\"https://example.com/other.json\"}", "secex does not fetch");
	assert_compile_fails("{\"minLength\":\"3\"}", "'minLength' must be a non-negative integer");
	assert_compile_fails("{\"maxItems\":-1}", "'maxItems' must be a non-negative integer");
	assert_compile_fails("{\"type\":\"text\"}", "unknown type 'text'");
	assert_compile_fails("{\"items\":[{}]}", "use 'prefixItems'");
	assert_compile_fails("{\"required\":\"a\"}", "'required' must be an array");
	assert_compile_fails("{\"multipleOf\":0}", "'multipleOf' must be greater than 0");
	assert_compile_fails("{\"allOf\":[]}", "'allOf' must be a non-empty array");
	assert_compile_fails("{\"properties\":{\"a\":3}}", "at '#/properties/a': a schema must be an object");
	assert_compile_fails("[]", "a schema must be an object or a boolean");
}

static void test_external_ref(void **state)
{
	secex_doc *doc;
	const char *ref;

	(void)state;
	doc = json("{\"$defs\":{\"a\":{}},\"properties\":{\"x\":{\"$ref\":\"#/$defs/a\"},"
		   "\"y\":{\"$ref\":\"http://localhost:1234/draft2020-12/integer.json\"}}}");
	assert_int_equal(secex_schema_external_ref(&ref, secex_doc_root(doc), NULL), 0);
	assert_string_equal(ref, "http://localhost:1234/draft2020-12/integer.json");
	secex_doc_free(doc);
	doc = json("{\"$id\":\"urn:x\",\"$defs\":{\"a\":{\"$anchor\":\"n\"}},\"$ref\":\"urn:x#n\"}");
	assert_int_equal(secex_schema_external_ref(&ref, secex_doc_root(doc), NULL), 0);
	assert_null(ref);
	secex_doc_free(doc);
}

/* Validates instance against a schema compiled with one resource document. */
static bool valid_with(const char *schema_text, const char *uri, const char *res_text, const char *instance)
{
	secex_schema_options opts = SECEX_SCHEMA_OPTIONS_INIT;
	secex_doc *sdoc = json(schema_text), *rdoc = json(res_text), *idoc = json(instance);
	secex_schema_resource res;
	secex_schema *schema = NULL;
	bool valid = false;

	res.uri = uri;
	res.root = secex_doc_root(rdoc);
	opts.resources = &res;
	opts.nresources = 1;
	if (secex_schema_compile(&schema, secex_doc_root(sdoc), "test", &opts) < 0)
		fail_msg("schema '%s' does not compile: %s", schema_text, secex_error_last());
	assert_int_equal(secex_schema_validate(&valid, schema, secex_doc_root(idoc), "i.json", NULL, NULL), 0);
	secex_schema_free(schema);
	secex_doc_free(sdoc);
	secex_doc_free(rdoc);
	secex_doc_free(idoc);
	return valid;
}

/* Documents given as resources: $ref into them, and their $vocabulary through $schema. */
static void test_resources(void **state)
{
	static const char no_validation[] =
		"{\"$vocabulary\":{\"https://json-schema.org/draft/2020-12/vocab/core\":true,"
		"\"https://json-schema.org/draft/2020-12/vocab/applicator\":true}}";
	secex_schema_options opts = SECEX_SCHEMA_OPTIONS_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_schema_resource res;
	secex_schema *schema = NULL;
	secex_doc *sdoc, *rdoc;
	const char *ref;

	(void)state;
	assert_true(valid_with("{\"$ref\":\"http://x.test/int.json\"}", "http://x.test/int.json",
			       "{\"type\":\"integer\"}", "3"));
	assert_false(valid_with("{\"$ref\":\"http://x.test/int.json\"}", "http://x.test/int.json",
				"{\"type\":\"integer\"}", "\"a\""));
	/* the schema's own $id wins over a resource of the same URI */
	assert_true(valid_with("{\"$defs\":{\"a\":{\"$id\":\"http://x.test/int.json\"}},"
			       "\"$ref\":\"http://x.test/int.json\"}", "http://x.test/int.json",
			       "{\"type\":\"integer\"}", "\"a\""));
	/* a metaschema without the validation vocabulary: minimum is only an annotation */
	assert_true(valid_with("{\"$schema\":\"http://x.test/meta\",\"minimum\":10,"
			       "\"properties\":{\"a\":false}}", "http://x.test/meta", no_validation, "1"));
	assert_false(valid_with("{\"$schema\":\"http://x.test/meta\",\"minimum\":10,"
				"\"properties\":{\"a\":false}}", "http://x.test/meta", no_validation, "{\"a\":1}"));
	/* a metaschema of the schema's own making turns nothing off */
	assert_false(check("{\"$schema\":\"http://x.test/meta\",\"minimum\":10,\"$defs\":{\"m\":"
			   "{\"$id\":\"http://x.test/meta\",\"$vocabulary\":{\"https://json-schema.org/"
			   "draft/2020-12/vocab/core\":true}}}}", "1", &diags));
	secex_diag_release(&diags);
	/* a vocabulary required but unknown: the schema does not compile, and says why */
	sdoc = json("{\"$schema\":\"http://x.test/meta\"}");
	rdoc = json("{\"$vocabulary\":{\"http://x.test/vocab/mine\":true}}");
	res.uri = "http://x.test/meta";
	res.root = secex_doc_root(rdoc);
	opts.resources = &res;
	opts.nresources = 1;
	assert_int_equal(secex_schema_compile(&schema, secex_doc_root(sdoc), "test", &opts), SECEX_EINVALID);
	assert_non_null(strstr(secex_error_last(), "requires vocabulary 'http://x.test/vocab/mine'"));
	assert_int_equal(secex_schema_external_ref(&ref, secex_doc_root(sdoc), &opts), 0);
	assert_null(ref);
	secex_doc_free(sdoc);
	secex_doc_free(rdoc);
}

/* $id values that resolve to an empty URI (issue 11: a heap over-read under ASan). */
static void test_id_resolves_empty(void **state)
{
	static const char *const schemas[] = {
		"{\"$id\":\"..\",\"type\":\"object\"}",
		"{\"$id\":\"../..\",\"type\":\"object\"}",
		"{\"$id\":\".\",\"type\":\"object\"}",
		"{\"$id\":\"\",\"type\":\"object\"}",
		"{\"$id\":\"#\",\"type\":\"object\"}",
		"{\"$defs\":{\"a\":{\"$id\":\"..\",\"type\":\"object\"}},\"$ref\":\"#/$defs/a\"}",
	};
	secex_diags diags = SECEX_DIAGS_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
		assert_true(check(schemas[i], "{\"a\":1}", &diags));
		assert_false(check(schemas[i], "[1]", &diags));
		assert_true(any_message(&diags, "expected an object"));
		secex_diag_release(&diags);
	}
}

static void test_unique_many(void **state)
{
	secex_buf b = SECEX_BUF_INIT;
	secex_diags diags = SECEX_DIAGS_INIT;
	int i;

	(void)state;
	assert_int_equal(secex_buf_putc(&b, '['), 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(secex_buf_printf(&b, "{\"a\":%d,\"b\":[%d]},", i, i), 0);
	assert_int_equal(secex_buf_puts(&b, "{\"b\":[7.0],\"a\":7}]"), 0);
	assert_false(check("{\"uniqueItems\":true}", b.ptr, &diags));
	assert_int_equal(diags.n, 1);
	assert_string_equal(diags.items[0].message, "'/1000': item 1000 duplicates item 7; remove one "
			    "of them (keyword 'uniqueItems')");
	secex_diag_release(&diags);
	b.ptr[b.size - 19] = ']';
	b.ptr[b.size - 18] = '\0';
	assert_true(check("{\"uniqueItems\":true}", b.ptr, &diags));
	secex_buf_release(&b);
}

/* Objects of many keys, in another order: equal in O(n log n) (issue 11: a key scan per key
 * took 2.2 s on a 1 MiB file); JSON Schema equality: 1 == 1.0, false != 0. */
static void test_unique_big_objects(void **state)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_buf b = SECEX_BUF_INIT;
	clock_t start = clock();
	int i;

	(void)state;
	assert_int_equal(secex_buf_puts(&b, "[{"), 0);
	for (i = 0; i < 30000; i++)
		assert_int_equal(secex_buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i, i), 0);
	assert_int_equal(secex_buf_puts(&b, "},{"), 0);
	for (i = 30000; i-- > 0;)
		assert_int_equal(secex_buf_printf(&b, "\"k%d\":%d.0%s", i, i, i ? "," : ""), 0);
	assert_int_equal(secex_buf_puts(&b, "}]"), 0);
	assert_false(check("{\"uniqueItems\":true}", b.ptr, &diags));
	assert_true(any_message(&diags, "item 1 duplicates item 0"));
	secex_diag_release(&diags);
	b.ptr[b.size - 3] = '1'; /* the last value: 0.0 becomes 0.1 */
	assert_true(check("{\"uniqueItems\":true}", b.ptr, &diags));
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 2.0);
	assert_true(check("{\"uniqueItems\":true}", "[0,false,{\"a\":0},{\"a\":false},[0],[false]]", &diags));
	assert_false(check("{\"uniqueItems\":true}", "[{\"a\":1,\"b\":[1]},{\"b\":[1.0],\"a\":1.0}]", &diags));
	assert_true(check("{\"const\":{\"b\":1,\"a\":{\"y\":2,\"x\":1}}}", "{\"a\":{\"x\":1.0,\"y\":2},\"b\":1}", &diags));
	assert_false(check("{\"enum\":[{\"a\":0}]}", "{\"a\":false}", &diags));
	secex_diag_release(&diags);
	secex_buf_release(&b);
}

static void test_null_instance_and_reuse(void **state)
{
	secex_diags diags = SECEX_DIAGS_INIT;
	secex_schema *schema;
	secex_doc *sdoc, *idoc;
	bool valid = false;
	clock_t start;
	int i;

	(void)state;
	schema = compile_text(&sdoc, "{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":"
			      "{\"type\":\"string\",\"pattern\":\"^EXC-[0-9]{4,}$\"},\"due\":{\"format\":\"date\"}},"
			      "\"additionalProperties\":false}", true);
	assert_int_equal(secex_schema_validate(&valid, schema, NULL, "f", NULL, &diags), 0);
	assert_true(valid);
	idoc = json("{\"id\":\"EXC-0042\",\"due\":\"2024-05-01\"}");
	start = clock();
	for (i = 0; i < 10000; i++) {
		assert_int_equal(secex_schema_validate(&valid, schema, secex_doc_root(idoc), "f", NULL, &diags), 0);
		assert_true(valid);
	}
	assert_int_equal(diags.n, 0);
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 2.0);
	secex_doc_free(idoc);
	secex_schema_free(schema);
	secex_doc_free(sdoc);
	secex_schema_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_pointer_and_position),
		cmocka_unit_test(test_did_you_mean),
		cmocka_unit_test(test_pattern_limit),
		cmocka_unit_test(test_format_assertion),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_silent_subschemas),
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_deep_recursion_is_not_a_loop),
		cmocka_unit_test(test_ref_loop),
		cmocka_unit_test(test_shared_refs_dag),
		cmocka_unit_test(test_nested_unevaluated),
		cmocka_unit_test(test_too_complex),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_external_ref),
		cmocka_unit_test(test_id_resolves_empty),
		cmocka_unit_test(test_resources),
		cmocka_unit_test(test_unique_many),
		cmocka_unit_test(test_unique_big_objects),
		cmocka_unit_test(test_null_instance_and_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
