/* The tracker spreadsheet: its columns, vocabulary and dates. */

#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include "tracker.h"
#include "secex/banned.h"

const char *const secex_tracker_columns[TRACKER_NCOLUMNS] = {
	"Priority", "Status", "Decision date", "Type of request", "Description",
	"Risk Owner", "Risk Approvers", "Exception Link", "Notes"
};

static const struct {
	const char *status, *word;
} statuses[] = {
	{ "requested", "Pending" }, { "in-review", "Pending" }, { "needs-info", "Pending" },
	{ "approved", "Approved" }, { "denied", "Denied" },     { "withdrawn", "Withdrawn" },
	{ "closed", "Closed" },
};

static const struct {
	const char *type, *word;
} types[] = {
	{ "extension", "Risk extension" },
	{ "acceptance", "Accept risk without fix" },
};

#define COUNT(a) (sizeof(a) / sizeof(*(a)))

const char *secex_tracker_status_name(const char *status)
{
	size_t i;

	for (i = 0; status && i < COUNT(statuses); i++)
		if (strcmp(statuses[i].status, status) == 0)
			return statuses[i].word;
	return status;
}

/* Compares ignoring case and treating ' ' and '-' alike ("In review" = "in-review"). */
static bool same_word(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		int x = *a == ' ' ? '-' : tolower((unsigned char)*a);
		int y = *b == ' ' ? '-' : tolower((unsigned char)*b);

		if (x != y)
			return false;
	}
	return !*a && !*b;
}

const char *secex_tracker_status_parse(const char *word)
{
	size_t i;

	if (same_word(word, "pending"))
		return "requested";
	for (i = 0; i < COUNT(statuses); i++)
		if (same_word(word, statuses[i].status) || same_word(word, statuses[i].word))
			return statuses[i].status;
	return NULL;
}

const char *secex_tracker_type_name(const char *type)
{
	size_t i;

	for (i = 0; type && i < COUNT(types); i++)
		if (strcmp(types[i].type, type) == 0)
			return types[i].word;
	return type;
}

const char *secex_tracker_type_parse(const char *word)
{
	size_t i;

	for (i = 0; i < COUNT(types); i++)
		if (same_word(word, types[i].type) || same_word(word, types[i].word))
			return types[i].type;
	return NULL;
}

/* Reads 1 to max digits at *s; advances *s. */
static bool number(const char **s, size_t max, unsigned *out)
{
	size_t n = 0;

	*out = 0;
	while (n < max && **s >= '0' && **s <= '9') {
		*out = *out * 10 + (unsigned)(**s - '0');
		(*s)++;
		n++;
	}
	return n > 0;
}

bool secex_tracker_date_parse(int64_t *out_days, const char *str)
{
	unsigned m, d, y;
	const char *s = str;

	if (secex_date_parse(out_days, str, strlen(str)))
		return true;
	if (!number(&s, 2, &m) || *s++ != '/' || !number(&s, 2, &d) || *s++ != '/')
		return false;
	if (strlen(s) != 4 || !number(&s, 4, &y) || *s)
		return false;
	if (m < 1 || m > 12 || d < 1 || d > secex_date_days_in_month((int)y, m))
		return false;
	*out_days = secex_date_days_from_civil((int)y, m, d);
	return true;
}
