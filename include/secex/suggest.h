#ifndef SECEX_SUGGEST_H
#define SECEX_SUGGEST_H

/* "Did you mean": the closest of several candidates to a word. */

#include <stdbool.h>
#include <stddef.h>

/* Optimal string alignment distance between a[0..n) and b[0..m), ASCII case folded when
 * fold; SIZE_MAX when either is longer than SECEX_SUGGEST_MAX_LEN. */
#define SECEX_SUGGEST_MAX_LEN 64
size_t secex_suggest_distance(const char *a, size_t n, const char *b, size_t m, bool fold);

/* The closest of several candidates to a word, for "did you mean": call
 * secex_suggest_consider with each candidate; best is the closest within an edit distance of
 * 2 (ignoring case) and less than half the longer word, or NULL. */
typedef struct {
	const char *word;
	const char *best;
	size_t distance;
} secex_suggest;

#define SECEX_SUGGEST_INIT(w) { (w), NULL, 3 }
void secex_suggest_consider(secex_suggest *s, const char *candidate);

#endif
