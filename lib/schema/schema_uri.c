/* URIs (RFC 3986) for JSON Schema: enough to resolve $id and $ref against a base. */

#include <string.h>
#include "schema_int.h"
#include "secex/banned.h"

typedef struct {
	const char *p;
	size_t n;
	bool has;
} span;

typedef struct {
	span scheme, auth, path, query, frag;
} uri_parts;

static bool is_scheme_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void uri_split(uri_parts *u, const char *s)
{
	size_t n = strlen(s), i = 0, j;

	memset(u, 0, sizeof(*u));
	if (n && is_scheme_start(s[0])) {
		for (j = 1; j < n && (is_scheme_start(s[j]) || (s[j] >= '0' && s[j] <= '9') ||
				      s[j] == '+' || s[j] == '-' || s[j] == '.'); j++)
			;
		if (j < n && s[j] == ':') {
			u->scheme = (span){ s, j, true };
			i = j + 1;
		}
	}
	if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		i += 2;
		for (j = i; j < n && s[j] != '/' && s[j] != '?' && s[j] != '#'; j++)
			;
		u->auth = (span){ s + i, j - i, true };
		i = j;
	}
	for (j = i; j < n && s[j] != '?' && s[j] != '#'; j++)
		;
	u->path = (span){ s + i, j - i, true };
	i = j;
	if (i < n && s[i] == '?') {
		for (j = i + 1; j < n && s[j] != '#'; j++)
			;
		u->query = (span){ s + i + 1, j - i - 1, true };
		i = j;
	}
	if (i < n && s[i] == '#')
		u->frag = (span){ s + i + 1, n - i - 1, true };
}

/* RFC 3986 5.2.4 remove_dot_segments, appending the result to out. */
static int remove_dots(secex_buf *out, const char *path, size_t n)
{
	size_t start = out->size, floor_, i = 0;
	bool normal_last = false;
	int rc = 0;

	if (n && path[0] == '/') {
		rc = secex_buf_putc(out, '/');
		i = 1;
	}
	floor_ = out->size;
	while (rc == 0) {
		size_t j = i;

		while (j < n && path[j] != '/')
			j++;
		if (j - i == 1 && path[i] == '.') {
			normal_last = false;
		} else if (j - i == 2 && path[i] == '.' && path[i + 1] == '.') {
			if (out->size > floor_) {
				size_t k = out->size - 1; /* the '/' after the last segment */

				while (k > floor_ && out->ptr[k - 1] != '/')
					k--;
				out->size = k;
				out->ptr[k] = '\0';
			}
			normal_last = false;
		} else {
			rc = secex_buf_put(out, path + i, j - i);
			rc = rc ? rc : secex_buf_putc(out, '/');
			normal_last = true;
		}
		if (j >= n)
			break;
		i = j + 1;
	}
	if (rc == 0 && normal_last && out->size > start) {
		out->size--; /* the '/' appended after the last segment */
		out->ptr[out->size] = '\0';
	}
	return rc;
}

/* Resolves ref against base (RFC 3986 5.2.2) into out. */
int secex_schema_uri_resolve(secex_buf *out, const char *ref, const char *base)
{
	uri_parts r, b;
	const span *auth, *query;
	int rc = 0;

	uri_split(&r, ref);
	uri_split(&b, base);
	secex_buf_clear(out);
	if (r.scheme.has) {
		rc = secex_buf_put(out, r.scheme.p, r.scheme.n);
		rc = rc ? rc : secex_buf_putc(out, ':');
		auth = &r.auth; /* everything comes from the reference */
		query = &r.query;
	} else {
		if (b.scheme.has) {
			rc = secex_buf_put(out, b.scheme.p, b.scheme.n);
			rc = rc ? rc : secex_buf_putc(out, ':');
		}
		auth = r.auth.has ? &r.auth : &b.auth;
		query = r.auth.has || r.path.n ? &r.query : (r.query.has ? &r.query : &b.query);
	}
	if (rc == 0 && auth->has) {
		rc = secex_buf_puts(out, "//");
		rc = rc ? rc : secex_buf_put(out, auth->p, auth->n);
	}
	if (rc == 0) {
		if (r.scheme.has || r.auth.has || (r.path.n && r.path.p[0] == '/')) {
			rc = remove_dots(out, r.path.p, r.path.n);
		} else if (r.path.n == 0) {
			rc = secex_buf_put(out, b.path.p, b.path.n);
		} else {
			secex_buf merged = SECEX_BUF_INIT;

			if (b.auth.has && b.path.n == 0) {
				rc = secex_buf_putc(&merged, '/');
			} else {
				size_t k = b.path.n;

				while (k > 0 && b.path.p[k - 1] != '/')
					k--;
				rc = secex_buf_put(&merged, b.path.p, k);
			}
			rc = rc ? rc : secex_buf_put(&merged, r.path.p, r.path.n);
			rc = rc ? rc : remove_dots(out, secex_buf_cstr(&merged), merged.size);
			secex_buf_release(&merged);
		}
	}
	if (rc == 0 && query->has) {
		rc = secex_buf_putc(out, '?');
		rc = rc ? rc : secex_buf_put(out, query->p, query->n);
	}
	if (rc == 0 && r.frag.has) {
		rc = secex_buf_putc(out, '#');
		rc = rc ? rc : secex_buf_put(out, r.frag.p, r.frag.n);
	}
	if (rc == 0 && !out->ptr)
		rc = secex_buf_grow(out, 0);
	return rc;
}

int secex_schema_percent_decode(secex_buf *out, const char *s, size_t n)
{
	size_t i;
	int rc = 0;

	secex_buf_clear(out);
	for (i = 0; i < n && rc == 0; i++) {
		if (s[i] == '%' && i + 2 < n && secex_util_hexval(s[i + 1]) >= 0 && secex_util_hexval(s[i + 2]) >= 0) {
			rc = secex_buf_putc(out, (char)(secex_util_hexval(s[i + 1]) * 16 + secex_util_hexval(s[i + 2])));
			i += 2;
		} else {
			rc = secex_buf_putc(out, s[i]);
		}
	}
	if (rc == 0 && !out->ptr)
		rc = secex_buf_grow(out, 0);
	return rc;
}
