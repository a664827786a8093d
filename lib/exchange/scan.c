/* Matching scanner findings with the exceptions' findings: normalised ids and aliases in one
 * hash index, Package URLs, path globs; the verdict of each finding. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secex/scan.h"
#include "secex/banned.h"

/* ---- ids ---- */

/* Id schemes that are case-insensitive (advisory databases, Trivy, Checkov and Snyk rules). */
static const char *const schemes[] = {
	"CVE", "GHSA", "GO", "PYSEC", "RUSTSEC", "OSV", "SNYK", "GMS", "MAL", "DSA", "DLA", "DTSA", "RHSA",
	"RHBA", "RHEA", "ALAS", "ALAS2", "ALAS2022", "ALAS2023", "ELSA", "USN", "NSWG", "BIT", "CGA", "TEMP",
	"MGASA", "SUSE", "OPENSUSE", "PHSA", "MSRC", "AVD", "CKV", "CKV2", "BC", "NPM", "GSD", "UVI", "HSEC",
	"PSF", "OESA", "ROOT", "ECHO", "MINI", "CURL", "LBSEC", "DRUPAL", "JLSEC", NULL
};

/* Trivy's check families: "KSV001" and "KSV-0001", "AVD-AWS-0086" and "AWS-0086" are one. */
static const char *const trivy_families[] = {
	"AWS", "AZU", "GCP", "DIG", "GIT", "NIF", "OCI", "OPNSTK", "CLDSTK", "KSV", "KCV", "DS", "CLOUDSTACK",
	NULL
};

static bool in_list(const char *const *list, const char *s, size_t len)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (strlen(list[i]) == len && strncmp(list[i], s, len) == 0)
			return true;
	return false;
}

/* Letters at the start of s. */
static size_t alpha(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z')))
		n++;
	return n;
}

/* The scheme word: letters and digits, starting with a letter, up to '-' or '_'. */
static size_t word(const char *s, size_t len)
{
	size_t n = alpha(s, len);

	while (n && n < len && s[n] >= '0' && s[n] <= '9')
		n++;
	return n < len && (s[n] == '-' || s[n] == '_') ? n : 0;
}

/* FAMILY then digits, with or without '-', as "FAMILY-%04d" into tmp. */
static bool trivy_form(char *tmp, size_t tmplen, const char *s, size_t len)
{
	size_t n = alpha(s, len), d, i;
	unsigned long num = 0;

	if (!n || !in_list(trivy_families, s, n))
		return false;
	d = n < len && s[n] == '-' ? n + 1 : n;
	if (d >= len || len - d > 6)
		return false;
	for (i = d; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		num = num * 10 + (unsigned long)(s[i] - '0');
	}
	snprintf(tmp, tmplen, "%.*s-%04lu", (int)n, s, num);
	return true;
}

int secex_scan_normalise_id(secex_buf *out, const char *id, size_t len)
{
	char tmp[48];
	const char *s;
	size_t i, l = len, skip = 0;
	bool avd;

	secex_buf_clear(out);
	if (secex_buf_put(out, id, len) < 0)
		return SECEX_ENOMEM;
	for (i = 0; i < len; i++)
		out->ptr[i] = out->ptr[i] >= 'a' && out->ptr[i] <= 'z' ? (char)(out->ptr[i] - 32) : out->ptr[i];
	s = out->ptr;
	avd = len > 4 && strncmp(s, "AVD-", 4) == 0 && alpha(s + 4, len - 4);
	if (avd) {
		skip = 4; /* Trivy's old prefix */
		l -= 4;
	}
	if (trivy_form(tmp, sizeof(tmp), s + skip, l)) {
		secex_buf_clear(out);
		return secex_buf_puts(out, tmp);
	}
	if (avd || in_list(schemes, s, word(s, len))) {
		memmove(out->ptr, s + skip, l);
		out->size = l;
		out->ptr[l] = '\0';
		return 0;
	}
	secex_buf_clear(out); /* a scheme secex does not know: exactly as written */
	return secex_buf_put(out, id, len);
}

/* ---- paths ---- */

static void percent_decode(secex_buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		int hi = s[i] == '%' && i + 2 < len ? secex_util_hexval(s[i + 1]) : -1;
		int lo = hi >= 0 ? secex_util_hexval(s[i + 2]) : -1;

		if (hi >= 0 && lo >= 0) {
			secex_buf_putc(out, (char)(hi * 16 + lo));
			i += 2;
		} else {
			secex_buf_putc(out, s[i]);
		}
	}
}

int secex_scan_normalise_path(secex_buf *out, const char *path)
{
	secex_buf tmp = SECEX_BUF_INIT;
	const char *s = path;
	size_t i;
	int rc = 0;

	secex_buf_clear(out);
	if (strncmp(s, "file://", 7) == 0) {
		s += 7;
		if (strncmp(s, "localhost/", 10) == 0)
			s += 9;
	}
	percent_decode(&tmp, s, strlen(s));
	s = secex_buf_cstr(&tmp);
	for (i = 0; s[i]; i++) {
		char c = s[i] == '\\' ? '/' : s[i];

		if (c == '/' && (out->size == 0 || out->ptr[out->size - 1] == '/'))
			continue; /* leading and doubled slashes */
		if (c == '.' && (out->size == 0 || out->ptr[out->size - 1] == '/') && (s[i + 1] == '/' || s[i + 1] == '\\')) {
			i++; /* "./" */
			continue;
		}
		rc |= secex_buf_putc(out, c);
	}
	if (!out->ptr)
		rc |= secex_buf_puts(out, "");
	secex_buf_release(&tmp);
	return rc < 0 ? secex_error_nomem() : 0;
}

/* A glob as tokens: a literal byte, '?', '*' (within a segment), '**' (across) and '**' + '/'
 * (zero or more whole segments). */
enum { G_LIT, G_ONE, G_STAR, G_DSTAR, G_DSTAR_SLASH };

typedef struct {
	unsigned char kind;
	char c;
} gtok;

static size_t glob_compile(gtok *t, const char *p)
{
	size_t n = 0, i;

	for (i = 0; p[i]; i++) {
		if (p[i] == '*' && p[i + 1] == '*') {
			size_t j = i;
			bool seg;

			while (p[j] == '*')
				j++;
			seg = (i == 0 || p[i - 1] == '/') && p[j] == '/';
			t[n++].kind = seg ? G_DSTAR_SLASH : G_DSTAR;
			i = seg ? j : j - 1;
		} else if (p[i] == '*') {
			t[n++].kind = G_STAR;
		} else if (p[i] == '?') {
			t[n++].kind = G_ONE;
		} else {
			t[n].kind = G_LIT;
			t[n++].c = p[i];
		}
	}
	return n;
}

/* The states reachable without reading a byte, at path position pos. */
static void glob_closure(bool *st, const gtok *t, size_t n, const char *path, size_t pos)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (st[i] && (t[i].kind == G_STAR || t[i].kind == G_DSTAR ||
			      (t[i].kind == G_DSTAR_SLASH && (pos == 0 || path[pos - 1] == '/'))))
			st[i + 1] = true;
}

/* A simulation of the pattern's automaton: O(pattern x path), no backtracking. */
bool secex_scan_glob(const char *pattern, const char *path)
{
	size_t plen = strlen(pattern), n, i, pos;
	gtok *t = malloc((plen + 1) * sizeof(*t));
	bool *cur = calloc(plen + 2, 1), *next = calloc(plen + 2, 1), ok = false;

	if (!t || !cur || !next)
		goto cleanup;
	n = glob_compile(t, pattern);
	cur[0] = true;
	glob_closure(cur, t, n, path, 0);
	for (pos = 0; path[pos]; pos++) {
		char c = path[pos];
		bool any = false;

		memset(next, 0, n + 1);
		for (i = 0; i < n; i++) {
			if (!cur[i])
				continue;
			switch (t[i].kind) {
			case G_LIT: next[i + 1] |= t[i].c == c; break;
			case G_ONE: next[i + 1] |= c != '/'; break;
			case G_STAR: next[i] |= c != '/'; break;
			case G_DSTAR: next[i] = true; break;
			default: next[i] = true; next[i + 1] |= c == '/'; break;
			}
		}
		glob_closure(next, t, n, path, pos + 1);
		for (i = 0; i <= n; i++)
			any |= next[i];
		memcpy(cur, next, n + 1);
		if (!any)
			goto cleanup;
	}
	ok = cur[n];
cleanup:
	free(t);
	free(cur);
	free(next);
	return ok;
}

/* ---- Package URLs ---- */

static bool lower_name(const char *type)
{
	static const char *const types[] = { "npm", "pypi", "github", "bitbucket", "composer", "hex", "golang-lower", NULL };
	size_t i;

	for (i = 0; types[i]; i++)
		if (strcmp(type, types[i]) == 0)
			return true;
	return false;
}

/* Lowercases, and for pypi makes runs of '-', '_' and '.' one '-' (PEP 503). */
static void fold(char *s, bool pypi)
{
	char *w = s;

	for (; *s; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? (char)(*s + 32) : *s;

		if (pypi && (c == '_' || c == '.' || c == '-')) {
			if (w == s || w[-1] != '-')
				*w++ = '-';
			continue;
		}
		*w++ = c;
	}
	*w = '\0';
}

/* A leading "v" before a digit is not part of a version: "v1.3.1" is "1.3.1". */
static const char *bare_version(const char *v)
{
	return v && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' ? v + 1 : v;
}

/* Appends the decoded part and a NUL; returns its offset. */
static size_t put_part(secex_buf *b, const char *s, size_t len)
{
	size_t at = b->size;

	percent_decode(b, s, len);
	secex_buf_putc(b, '\0');
	return at;
}

bool secex_scan_purl_parse(secex_purl *out, const char *purl)
{
	const char *s, *end, *slash, *at, *name;
	size_t t, ns = 0, nm, ver = 0;
	bool has_ns, has_ver;

	memset(out, 0, sizeof(*out));
	if (!purl || strncmp(purl, "pkg:", 4) != 0)
		return false;
	s = purl + 4;
	while (*s == '/')
		s++;
	end = s + strcspn(s, "?#");
	if (!(slash = memchr(s, '/', (size_t)(end - s))) || slash == s)
		return false;
	t = put_part(&out->buf, s, (size_t)(slash - s));
	s = slash + 1;
	for (at = end; at > s && at[-1] != '@' && at[-1] != '/'; at--)
		;
	has_ver = at > s && at[-1] == '@' && at - 1 > s;
	if (!has_ver)
		at = end + 1;
	for (name = at - 1; name > s && name[-1] != '/'; name--)
		;
	has_ns = name > s;
	if (has_ns)
		ns = put_part(&out->buf, s, (size_t)(name - 1 - s));
	nm = put_part(&out->buf, name, (size_t)(at - 1 - name));
	if (has_ver)
		ver = put_part(&out->buf, at, (size_t)(end - at));
	if (!out->buf.ptr || !out->buf.ptr[nm])
		return false;
	out->type = out->buf.ptr + t;
	fold(out->buf.ptr + t, false);
	out->namespace_ = has_ns ? out->buf.ptr + ns : NULL;
	out->name = out->buf.ptr + nm;
	out->version = has_ver ? out->buf.ptr + ver : NULL;
	if (lower_name(out->type)) {
		fold(out->buf.ptr + nm, strcmp(out->type, "pypi") == 0);
		if (has_ns)
			fold(out->buf.ptr + ns, false);
	}
	return true;
}

void secex_scan_purl_release(secex_purl *purl)
{
	secex_buf_release(&purl->buf);
	memset(purl, 0, sizeof(*purl));
}

/* The purl type for a report's ecosystem name, or NULL when unknown. */
static const char *purl_type_of(const char *eco)
{
	static const struct {
		const char *eco, *type;
	} map[] = {
		{ "npm", "npm" }, { "yarn", "npm" }, { "pnpm", "npm" }, { "node-pkg", "npm" }, { "bun", "npm" },
		{ "pypi", "pypi" }, { "pip", "pypi" }, { "python", "pypi" }, { "python-pkg", "pypi" }, { "poetry", "pypi" },
		{ "pipenv", "pypi" }, { "uv", "pypi" }, { "go", "golang" }, { "gomod", "golang" }, { "gobinary", "golang" },
		{ "go-module", "golang" }, { "golang", "golang" }, { "crates.io", "cargo" }, { "cargo", "cargo" },
		{ "rust-crate", "cargo" }, { "rust-binary", "cargo" }, { "maven", "maven" }, { "jar", "maven" },
		{ "pom", "maven" }, { "gradle", "maven" }, { "sbt", "maven" }, { "java-archive", "maven" },
		{ "rubygems", "gem" }, { "gem", "gem" }, { "bundler", "gem" }, { "gemspec", "gem" }, { "nuget", "nuget" },
		{ "dotnet-core", "nuget" }, { "packagist", "composer" }, { "composer", "composer" },
		{ "php-composer", "composer" }, { "debian", "deb" }, { "deb", "deb" }, { "ubuntu", "deb" },
		{ "alpine", "apk" }, { "apk", "apk" }, { "wolfi", "apk" }, { "chainguard", "apk" }, { "rpm", "rpm" },
		{ "redhat", "rpm" }, { "centos", "rpm" }, { "rocky", "rpm" }, { "alma", "rpm" }, { "amazon", "rpm" },
		{ "oracle", "rpm" }, { "photon", "rpm" }, { "suse", "rpm" }, { "opensuse", "rpm" },
		{ "cbl-mariner", "rpm" }, { "hex", "hex" }, { "pub", "pub" }, { "cocoapods", "cocoapods" },
		{ "swift", "swift" }, { "conan", "conan" }, { "hackage", "hackage" }, { "cran", "cran" },
	};
	char low[32];
	size_t i;

	if (!eco || strlen(eco) >= sizeof(low))
		return NULL;
	for (i = 0; eco[i]; i++)
		low[i] = eco[i] >= 'A' && eco[i] <= 'Z' ? (char)(eco[i] + 32) : eco[i];
	low[i] = '\0';
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(low, map[i].eco) == 0)
			return map[i].type;
	return NULL;
}

static bool same_version(const char *want, const char *have)
{
	secex_buf a = SECEX_BUF_INIT, b = SECEX_BUF_INIT;
	bool same;

	if (!want)
		return true;
	if (!have)
		return false;
	percent_decode(&a, want, strlen(want));
	percent_decode(&b, have, strlen(have));
	same = a.ptr && b.ptr && strcmp(bare_version(a.ptr), bare_version(b.ptr)) == 0;
	secex_buf_release(&a);
	secex_buf_release(&b);
	return same;
}

/* "namespace/name" of a purl, or a report's package name, folded as the type says; maven
 * "group:artifact" is "group/artifact". */
static void full_name(secex_buf *out, const char *ns, const char *name, const char *type)
{
	size_t i;

	secex_buf_clear(out);
	if (ns)
		secex_buf_printf(out, "%s/", ns);
	secex_buf_puts(out, name);
	for (i = 0; out->ptr && type && strcmp(type, "maven") == 0 && i < out->size; i++)
		if (out->ptr[i] == ':')
			out->ptr[i] = '/';
	if (out->ptr && type && lower_name(type))
		fold(out->ptr, strcmp(type, "pypi") == 0);
}

static bool purl_covers(const secex_purl *want, const secex_scan_finding *f)
{
	secex_buf a = SECEX_BUF_INIT, b = SECEX_BUF_INIT;
	secex_purl have;
	const char *type;
	bool ok = false;

	if (f->purl && secex_scan_purl_parse(&have, f->purl)) {
		full_name(&a, want->namespace_, want->name, want->type);
		full_name(&b, have.namespace_, have.name, have.type);
		ok = strcmp(want->type, have.type) == 0 && strcmp(secex_buf_cstr(&a), secex_buf_cstr(&b)) == 0 &&
		     same_version(want->version, have.version ? have.version : f->version);
		secex_scan_purl_release(&have);
	} else if (f->name) {
		type = purl_type_of(f->ecosystem);
		full_name(&a, want->namespace_, want->name, want->type);
		full_name(&b, NULL, f->name, want->type);
		/* without an ecosystem, the name alone (a SARIF message names only that) */
		ok = (!type || strcmp(type, want->type) == 0) &&
		     (strcmp(secex_buf_cstr(&a), secex_buf_cstr(&b)) == 0 ||
		      (!f->ecosystem && strcmp(want->name, secex_buf_cstr(&b)) == 0)) &&
		     same_version(want->version, f->version);
	}
	secex_buf_release(&a);
	secex_buf_release(&b);
	return ok;
}

static bool same_ci(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if ((*a >= 'A' && *a <= 'Z' ? *a + 32 : *a) != (*b >= 'A' && *b <= 'Z' ? *b + 32 : *b))
			return false;
	return !*a && !*b;
}

/* A package given by name ("openssl", "jquery@3.3.9", "@scope/pkg@1.0"). */
static bool name_covers(const char *want, const secex_scan_finding *f)
{
	const char *at = strrchr(want, '@');
	secex_buf name = SECEX_BUF_INIT;
	secex_purl have;
	bool ok = false, purl = f->purl && secex_scan_purl_parse(&have, f->purl);
	const char *fname = f->name, *fver = f->version;

	if (at == want)
		at = NULL;
	secex_buf_put(&name, want, at ? (size_t)(at - want) : strlen(want));
	if (purl) {
		if (!fname)
			fname = have.name;
		if (!fver)
			fver = have.version;
	}
	if (fname && name.ptr)
		ok = (same_ci(name.ptr, fname) || (purl && same_ci(name.ptr, have.name))) &&
		     same_version(at ? at + 1 : NULL, fver);
	if (purl)
		secex_scan_purl_release(&have);
	secex_buf_release(&name);
	return ok;
}

static bool package_covers(const char *package, const secex_scan_finding *f)
{
	secex_purl want;
	bool ok;

	if (strncmp(package, "pkg:", 4) != 0)
		return name_covers(package, f);
	if (!secex_scan_purl_parse(&want, package))
		return false;
	ok = purl_covers(&want, f);
	secex_scan_purl_release(&want);
	return ok;
}

static bool paths_cover(const secex_node *paths, const secex_scan_finding *f)
{
	secex_buf pat = SECEX_BUF_INIT, path = SECEX_BUF_INIT;
	size_t i, k;
	bool ok = false;

	for (i = 0; !ok && i < paths->u.array.n; i++) {
		const char *g = secex_node_str(paths->u.array.items[i]);

		if (!g || secex_scan_normalise_path(&pat, g) < 0)
			continue;
		for (k = 0; !ok && k < f->npaths; k++)
			ok = secex_scan_normalise_path(&path, f->paths[k]) == 0 &&
			     secex_scan_glob(secex_buf_cstr(&pat), secex_buf_cstr(&path));
	}
	secex_buf_release(&pat);
	secex_buf_release(&path);
	return ok;
}

/* The package and paths of an entry whose id already matched. */
static bool rest_covers(const secex_node *entry, const secex_scan_finding *f)
{
	const char *package = secex_node_str(secex_node_get(entry, "package"));
	const secex_node *paths = secex_node_get(entry, "paths");

	if (package && !package_covers(package, f))
		return false;
	return !paths || paths->type != SECEX_NODE_ARRAY || paths_cover(paths, f);
}

/* Calls fn for the entry's id and every alias value. */
static int each_entry_id(const secex_node *entry, int (*fn)(const char *id, void *payload), void *payload)
{
	const secex_node *aliases = secex_node_get(entry, "aliases");
	size_t i, k;
	int rc = 0;

	if (secex_node_str(secex_node_get(entry, "id")))
		rc = fn(secex_node_str(secex_node_get(entry, "id")), payload);
	for (i = 0; rc == 0 && aliases && aliases->type == SECEX_NODE_OBJECT && i < aliases->u.object.n; i++) {
		const secex_node *v = aliases->u.object.members[i].value;

		if (v->type == SECEX_NODE_STRING)
			rc = fn(v->u.string.ptr, payload);
		for (k = 0; rc == 0 && v->type == SECEX_NODE_ARRAY && k < v->u.array.n; k++)
			if (secex_node_str(v->u.array.items[k]))
				rc = fn(secex_node_str(v->u.array.items[k]), payload);
	}
	return rc;
}

typedef struct {
	const secex_scan_finding *f;
	secex_buf a, b;
} id_probe;

static int probe_id(const char *id, void *payload)
{
	id_probe *p = payload;
	size_t i;

	if (secex_scan_normalise_id(&p->a, id, strlen(id)) < 0)
		return -1;
	for (i = 0; i < p->f->nids; i++)
		if (secex_scan_normalise_id(&p->b, p->f->ids[i], strlen(p->f->ids[i])) == 0 &&
		    strcmp(secex_buf_cstr(&p->a), secex_buf_cstr(&p->b)) == 0)
			return 1;
	return 0;
}

bool secex_scan_entry_covers(const secex_node *entry, const secex_scan_finding *f)
{
	id_probe p = { f, SECEX_BUF_INIT, SECEX_BUF_INIT };
	bool ok = entry && entry->type == SECEX_NODE_OBJECT && each_entry_id(entry, probe_id, &p) == 1 &&
		  rest_covers(entry, f);

	secex_buf_release(&p.a);
	secex_buf_release(&p.b);
	return ok;
}

/* ---- the register ---- */

/* One `findings` entry under one of its normalised ids. */
typedef struct posting {
	size_t entry;              /* index into the register's entries */
	const secex_node *finding; /* the entry of `findings` */
	struct posting *next;
} posting;

struct secex_scan_register {
	secex_scan_entry *items;
	size_t n;
	secex_map index; /* normalised id -> posting list */
	secex_arena arena;
	secex_buf key;
};

typedef struct {
	secex_scan_register *reg;
	size_t entry;
	const secex_node *finding;
} indexer;

static int index_id(const char *id, void *payload)
{
	indexer *x = payload;
	secex_scan_register *reg = x->reg;
	posting *p, *head;

	if (secex_scan_normalise_id(&reg->key, id, strlen(id)) < 0)
		return SECEX_ENOMEM;
	head = secex_map_get(&reg->index, reg->key.ptr, reg->key.size);
	for (p = head; p; p = p->next)
		if (p->finding == x->finding)
			return 0; /* the same entry under an alias equal to its id */
	if (!(p = secex_arena_alloc(&reg->arena, sizeof(*p))))
		return secex_error_nomem();
	p->entry = x->entry;
	p->finding = x->finding;
	p->next = head;
	return secex_map_put(&reg->index, reg->key.ptr, reg->key.size, p);
}

static const char *field(const secex_node *root, const char *key)
{
	return secex_node_str(secex_node_get(root, key));
}

static int add_exception(secex_scan_register *reg, const secex_exception *e, secex_scan_state_fn state_of,
			 void *payload)
{
	const secex_node *root = secex_doc_root(e->doc), *list = secex_node_get(root, "findings");
	secex_scan_entry *en = &reg->items[reg->n];
	indexer x = { reg, reg->n, NULL };
	size_t i;
	int rc;

	memset(en, 0, sizeof(*en));
	en->exception = e;
	en->id = e->id;
	en->title = field(root, "title");
	en->justification = field(root, "justification");
	en->due_date = field(root, "due_date");
	en->risk_owner = field(root, "risk_owner");
	if ((rc = state_of(en, payload)) < 0)
		return rc;
	reg->n++;
	for (i = 0; rc == 0 && i < list->u.array.n; i++) {
		x.finding = list->u.array.items[i];
		if (x.finding->type == SECEX_NODE_OBJECT)
			rc = each_entry_id(x.finding, index_id, &x);
	}
	return rc;
}

int secex_scan_register_new(secex_scan_register **out, const secex_snapshot *snap,
			    secex_scan_state_fn state_of, void *payload)
{
	secex_scan_register *reg = calloc(1, sizeof(*reg));
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!reg || (snap->n && !(reg->items = calloc(snap->n, sizeof(*reg->items))))) {
		secex_scan_register_free(reg);
		return secex_error_nomem();
	}
	for (i = 0; rc == 0 && i < snap->n; i++) {
		const secex_exception *e = &snap->items[i];
		const secex_node *list = e->valid ? secex_node_get(secex_doc_root(e->doc), "findings") : NULL;

		if (e->id && list && list->type == SECEX_NODE_ARRAY && list->u.array.n)
			rc = add_exception(reg, e, state_of, payload);
	}
	if (rc < 0) {
		secex_scan_register_free(reg);
		return rc;
	}
	*out = reg;
	return 0;
}

void secex_scan_register_free(secex_scan_register *reg)
{
	if (!reg)
		return;
	free(reg->items);
	secex_map_release(&reg->index);
	secex_arena_release(&reg->arena);
	secex_buf_release(&reg->key);
	free(reg);
}

size_t secex_scan_register_count(const secex_scan_register *reg)
{
	return reg->n;
}

secex_scan_entry *secex_scan_register_entry(secex_scan_register *reg, size_t i)
{
	return i < reg->n ? &reg->items[i] : NULL;
}

/* Accepted over pending over lapsed; among equals, the first exception in the register. */
static int rank(secex_scan_state s)
{
	return s == SECEX_SCAN_ACCEPTED ? 3 : s == SECEX_SCAN_PENDING ? 2 : 1;
}

int secex_scan_match(secex_scan_verdict *out, secex_scan_register *reg, const secex_scan_finding *f)
{
	secex_scan_entry *best = NULL;
	size_t i;

	out->kind = SECEX_VERDICT_UNCOVERED;
	out->entry = NULL;
	for (i = 0; i < f->nids; i++) {
		const posting *p;

		if (secex_scan_normalise_id(&reg->key, f->ids[i], strlen(f->ids[i])) < 0)
			return SECEX_ENOMEM;
		for (p = secex_map_get(&reg->index, reg->key.ptr, reg->key.size); p; p = p->next) {
			secex_scan_entry *en = &reg->items[p->entry];

			if (!rest_covers(p->finding, f))
				continue;
			en->found = true;
			if (!best || rank(en->state) > rank(best->state) ||
			    (rank(en->state) == rank(best->state) && en < best))
				best = en;
		}
	}
	if (best) {
		out->entry = best;
		out->kind = best->state == SECEX_SCAN_ACCEPTED ? SECEX_VERDICT_ACCEPTED
			    : best->state == SECEX_SCAN_PENDING ? SECEX_VERDICT_PENDING : SECEX_VERDICT_LAPSED;
	}
	return 0;
}
