/* Arena, vectors, UTF-8, dates and durations. */

#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>
#include "secex/util.h"
#include "banned.h"

struct secex_arena_block {
	secex_arena_block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

#define ARENA_FIRST_BLOCK (4096 - 64)
#define ARENA_MAX_BLOCK (64 * 1024 - 64)

/* Blocks start small (most documents are a few kilobytes) and double up to 64 KiB. */
void *secex_arena_alloc(secex_arena *arena, size_t size)
{
	secex_arena_block *b = arena->head;
	size_t want = (size + 15) & ~(size_t)15;
	void *p;

	if (size > SIZE_MAX / 2)
		return NULL;
	if (!b || b->size - b->used < want) {
		size_t next = b ? (b->size * 2 > ARENA_MAX_BLOCK ? ARENA_MAX_BLOCK : b->size * 2) : ARENA_FIRST_BLOCK;
		size_t bsize = want > next / 4 ? want : next;

		b = malloc(sizeof(*b) + bsize);
		if (!b)
			return NULL;
		b->size = bsize;
		b->used = 0;
		if (arena->head && bsize == want) {
			/* a large one-off goes behind the current block, which keeps filling */
			b->next = arena->head->next;
			arena->head->next = b;
			b->used = want;
			memset(b->data, 0, want);
			return b->data;
		}
		b->next = arena->head;
		arena->head = b;
	}
	p = b->data + b->used;
	b->used += want;
	memset(p, 0, want);
	return p;
}

char *secex_arena_strndup(secex_arena *arena, const char *str, size_t len)
{
	char *p = secex_arena_alloc(arena, len + 1);

	if (p) {
		memcpy(p, str, len);
		p[len] = '\0';
	}
	return p;
}

void secex_arena_release(secex_arena *arena)
{
	secex_arena_block *b = arena->head, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	arena->head = NULL;
}

int secex_vec_push(secex_vec *vec, void *item)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 8;
		void **items = realloc(vec->items, cap * sizeof(*items));

		SECEX_ERROR_CHECK_ALLOC(items);
		vec->items = items;
		vec->cap = cap;
	}
	vec->items[vec->n++] = item;
	return 0;
}

void secex_vec_release(secex_vec *vec)
{
	free(vec->items);
	vec->items = NULL;
	vec->n = vec->cap = 0;
}

uint64_t secex_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static secex_map_slot *map_slot(secex_map_slot *slots, size_t cap, const void *key, size_t len)
{
	size_t i = (size_t)secex_hash(key, len) & (cap - 1);

	while (slots[i].key && (slots[i].len != len || memcmp(slots[i].key, key, len) != 0))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

void *secex_map_get(const secex_map *map, const void *key, size_t len)
{
	secex_map_slot *s;

	if (!map->cap)
		return NULL;
	s = map_slot(map->slots, map->cap, key, len);
	return s->key ? s->value : NULL;
}

static int map_grow(secex_map *map)
{
	size_t cap = map->cap ? map->cap * 2 : 64, i;
	secex_map_slot *slots = calloc(cap, sizeof(*slots));

	SECEX_ERROR_CHECK_ALLOC(slots);
	for (i = 0; i < map->cap; i++)
		if (map->slots[i].key)
			*map_slot(slots, cap, map->slots[i].key, map->slots[i].len) = map->slots[i];
	free(map->slots);
	map->slots = slots;
	map->cap = cap;
	return 0;
}

int secex_map_put(secex_map *map, const void *key, size_t len, void *value)
{
	secex_map_slot *s;
	void *copy;

	if ((map->n + 1) * 4 > map->cap * 3 && map_grow(map) < 0)
		return SECEX_ENOMEM;
	s = map_slot(map->slots, map->cap, key, len);
	if (!s->key) {
		if (!(copy = secex_arena_alloc(&map->keys, len ? len : 1)))
			return secex_error_nomem();
		memcpy(copy, key, len);
		s->key = copy;
		s->len = len;
		map->n++;
	}
	s->value = value;
	return 0;
}

void secex_map_release(secex_map *map)
{
	free(map->slots);
	secex_arena_release(&map->keys);
	map->slots = NULL;
	map->cap = map->n = 0;
}

char *secex_strndup(const char *str, size_t len)
{
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, str, len);
		p[len] = '\0';
	}
	return p;
}

int secex_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Length of the UTF-8 sequence at s, or 0 when it is not well-formed. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return avail >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

		return avail >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

		return avail >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
		       (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

bool secex_utf8_valid(const char *data, size_t len, size_t *bad_offset)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t i = 0;

	while (i < len) {
		uint64_t word;
		size_t n;

		if (i + 8 <= len && (memcpy(&word, s + i, 8), (word & 0x8080808080808080ULL) == 0)) {
			i += 8; /* eight ASCII bytes at once */
			continue;
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq(s + i, len - i);
		if (!n) {
			if (bad_offset)
				*bad_offset = i;
			return false;
		}
		i += n;
	}
	return true;
}

/* Whether the character at s (*len bytes) is one that a terminal, a log or a line-based
 * consumer would act on: C0 but for a kept TAB, DEL, C1, U+2028, U+2029, or a byte that is
 * not UTF-8 (*cp = 0x100 | byte). */
static bool unsafe_char(const unsigned char *s, size_t avail, bool keep_tab, unsigned *cp, size_t *len)
{
	size_t n = s[0] < 0x80 ? 1 : utf8_seq(s, avail);

	*len = n ? n : 1;
	if (n == 1) {
		*cp = s[0];
		return (s[0] < 0x20 && !(keep_tab && s[0] == '\t')) || s[0] == 0x7f;
	}
	if (n == 0)
		*cp = 0x100u | s[0];
	else if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		*cp = s[1];
	else if (n == 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9))
		*cp = 0x2000u | (s[2] - 0x80u);
	else
		return false;
	return true;
}

static int put_escaped(secex_buf *buf, unsigned cp)
{
	switch (cp) {
	case '\n': return secex_buf_puts(buf, "\\n");
	case '\r': return secex_buf_puts(buf, "\\r");
	case '\t': return secex_buf_puts(buf, "\\t");
	case 0x1b: return secex_buf_puts(buf, "\\e");
	default:
		if (cp > 0x1ff)
			return secex_buf_printf(buf, "\\u%04X", cp);
		return secex_buf_printf(buf, cp >= 0x80 && cp < 0x100 ? "\\u%04X" : "\\x%02X", cp & 0xff);
	}
}

int secex_buf_put_safe(secex_buf *buf, const char *str, size_t len, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, start = 0, n;
	unsigned cp;
	int rc = 0;

	while (i < len && rc == 0) {
		if (s[i] >= 0x20 && s[i] < 0x7f) { /* the common case, copied in runs */
			i++;
			continue;
		}
		if (!unsafe_char(s + i, len - i, flags & SECEX_SAFE_KEEP_TAB, &cp, &n)) {
			i += n;
			continue;
		}
		if ((rc = secex_buf_put(buf, str + start, i - start)) == 0)
			rc = flags & SECEX_SAFE_SPACE ? secex_buf_putc(buf, ' ') : put_escaped(buf, cp);
		i += n;
		start = i;
	}
	return rc ? rc : secex_buf_put(buf, str + start, len - start);
}

int secex_buf_puts_safe(secex_buf *buf, const char *str, unsigned flags)
{
	return str ? secex_buf_put_safe(buf, str, strlen(str), flags) : 0;
}

size_t secex_utf8_length(const char *data, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)data[i] & 0xc0) != 0x80;
	return n;
}

/* Howard Hinnant's days_from_civil. */
int64_t secex_days_from_civil(int year, unsigned month, unsigned day)
{
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (month + (month > 2 ? (unsigned)-3 : 9)) + 2) / 5 + day - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

void secex_civil_from_days(int64_t z, int *year, unsigned *month, unsigned *day)
{
	int64_t era, y;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = (int)(y + (*month <= 2));
}

bool secex_leap_year(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned secex_days_in_month(int year, unsigned month)
{
	static const unsigned days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	return month == 2 && secex_leap_year(year) ? 29 : days[month - 1];
}

/* Reads exactly n ASCII digits. */
static bool digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

bool secex_date_parse(int64_t *out_days, const char *s, size_t len)
{
	unsigned y, m, d;

	if (len != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
	    !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
		return false;
	if (m < 1 || m > 12 || d < 1 || d > secex_days_in_month((int)y, m))
		return false;
	*out_days = secex_days_from_civil((int)y, m, d);
	return true;
}

bool secex_time_parse(int64_t *out_seconds, const char *s, size_t len)
{
	unsigned hh, mm, ss, oh = 0, om = 0;
	size_t i = 8;
	long offset = 0;

	if (len < 9 || s[2] != ':' || s[5] != ':' || !digits(s, 2, &hh) || !digits(s + 3, 2, &mm) ||
	    !digits(s + 6, 2, &ss) || hh > 23 || mm > 59 || ss > 60)
		return false;
	if (s[i] == '.') {
		size_t start = ++i;

		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start)
			return false;
	}
	if (i + 1 == len && (s[i] == 'Z' || s[i] == 'z')) {
		offset = 0;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' &&
		   digits(s + i + 1, 2, &oh) && digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59) {
		offset = (long)(oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
	} else {
		return false;
	}
	if (ss == 60) {
		/* a leap second is only valid at 23:59:60 UTC */
		long utc = ((long)hh * 3600 + (long)mm * 60 + 59 - offset) % 86400;

		if (utc < 0)
			utc += 86400;
		if (utc != 86399)
			return false;
		ss = 59;
	}
	*out_seconds = (int64_t)hh * 3600 + (int64_t)mm * 60 + ss - offset;
	return true;
}

bool secex_datetime_parse(int64_t *out_seconds, const char *s, size_t len)
{
	int64_t days, time;

	if (len < 20 || !secex_date_parse(&days, s, 10) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !secex_time_parse(&time, s + 11, len - 11))
		return false;
	*out_seconds = days * 86400 + time;
	return true;
}

bool secex_when_parse(int64_t *out_seconds, const char *s, size_t len)
{
	int64_t days;

	if (len == 10) {
		if (!secex_date_parse(&days, s, len))
			return false;
		*out_seconds = days * 86400;
		return true;
	}
	return secex_datetime_parse(out_seconds, s, len);
}

void secex_date_format(char *out, int64_t days)
{
	int y;
	unsigned m, d;

	secex_civil_from_days(days, &y, &m, &d);
	snprintf(out, 11, "%04d-%02u-%02u", (y % 10000 + 10000) % 10000, m % 13, d % 32);
}

bool secex_duration_parse(int64_t *out_seconds, const char *s, size_t len)
{
	int64_t n = 0, unit;
	size_t i;

	if (len < 2 || len > 8)
		return false;
	for (i = 0; i + 1 < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		n = n * 10 + (s[i] - '0');
	}
	switch (s[len - 1]) {
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 7 * 86400; break;
	default: return false;
	}
	if (n == 0)
		return false;
	*out_seconds = n * unit;
	return true;
}

void secex_duration_format(char *out, size_t outlen, int64_t seconds)
{
	if (seconds > 0 && seconds % (7 * 86400) == 0)
		snprintf(out, outlen, "%lldw", (long long)(seconds / (7 * 86400)));
	else if (seconds > 0 && seconds % 86400 == 0)
		snprintf(out, outlen, "%lldd", (long long)(seconds / 86400));
	else
		snprintf(out, outlen, "%lldh", (long long)(seconds / 3600));
}

static int fold_char(char c, bool fold)
{
	return fold && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : (unsigned char)c;
}

size_t secex_edit_distance(const char *a, size_t n, const char *b, size_t m, bool fold)
{
	size_t rows[3][SECEX_SUGGEST_MAX_LEN + 1], i, j;
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;

	if (n > SECEX_SUGGEST_MAX_LEN || m > SECEX_SUGGEST_MAX_LEN)
		return SIZE_MAX;
	for (j = 0; j <= m; j++)
		prev[j] = j;
	for (i = 1; i <= n; i++) {
		cur[0] = i;
		for (j = 1; j <= m; j++) {
			size_t cost = fold_char(a[i - 1], fold) != fold_char(b[j - 1], fold);
			size_t best = prev[j - 1] + cost;

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && fold_char(a[i - 1], fold) == fold_char(b[j - 2], fold) &&
			    fold_char(a[i - 2], fold) == fold_char(b[j - 1], fold) && prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[m];
}

void secex_suggest_consider(secex_suggest *s, const char *candidate)
{
	size_t n, m, d;

	if (!s->word || !candidate)
		return;
	n = strlen(s->word);
	m = strlen(candidate);
	d = secex_edit_distance(s->word, n, candidate, m, true);
	if (d < s->distance && 2 * d < (n > m ? n : m)) {
		s->best = candidate;
		s->distance = d;
	}
}
