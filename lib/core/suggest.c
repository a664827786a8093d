/* "Did you mean": edit distance and the closest candidate. */

#include <stdint.h>
#include <string.h>
#include "secex/suggest.h"
#include "secex/banned.h"

static int fold_char(char c, bool fold)
{
	return fold && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : (unsigned char)c;
}

size_t secex_suggest_distance(const char *a, size_t n, const char *b, size_t m, bool fold)
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
	d = secex_suggest_distance(s->word, n, candidate, m, true);
	if (d < s->distance && 2 * d < (n > m ? n : m)) {
		s->best = candidate;
		s->distance = d;
	}
}
