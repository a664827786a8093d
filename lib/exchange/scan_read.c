/* Scanner reports into one list of findings: format detection and the JSON readers (Trivy,
 * Grype, OSV-Scanner, Snyk, npm audit, pip-audit, Checkov). SARIF is read in scan_sarif.c. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secex/scan.h"
#include "scan_int.h"
#include "secex/array.h"
#include "secex/banned.h"

static const char *const format_names[] = { "auto", "sarif", "trivy", "grype", "osv", "snyk", "npm",
					    "pip-audit", "checkov" };
static const char *const format_titles[] = { "any", "SARIF 2.1.0", "Trivy JSON", "Grype JSON",
					     "OSV-Scanner JSON", "Snyk CLI JSON", "npm audit JSON",
					     "pip-audit JSON", "Checkov JSON" };

bool secex_scan_format_parse(secex_scan_format *out, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(name, format_names[i]) == 0) {
			*out = (secex_scan_format)i;
			return true;
		}
	return false;
}

const char *secex_scan_format_name(secex_scan_format format)
{
	return (size_t)format < sizeof(format_names) / sizeof(format_names[0]) ? format_names[format] : "?";
}

const char *secex_scan_format_list(void)
{
	return "SARIF 2.1.0 (any tool), Trivy JSON, Grype JSON, OSV-Scanner JSON, Snyk CLI JSON, "
	       "npm audit JSON (v1, v2), pip-audit JSON, Checkov JSON";
}

/* ---- the finding being built ---- */

void secex_scan_begin(scan_reader *x, const secex_node *node, const char *scanner)
{
	memset(&x->cur, 0, sizeof(x->cur));
	x->cur.node = node;
	x->cur.line = node ? node->line : 0;
	x->cur.column = node ? node->column : 0;
	x->cur.scanner = scanner;
	x->ids.n = x->paths.n = 0;
}

static void push_unique(scan_reader *x, secex_vec *v, const char *s)
{
	size_t i;

	if (!s || !*s)
		return;
	for (i = 0; i < v->n; i++)
		if (strcmp(v->items[i], s) == 0)
			return;
	if (secex_vec_push(v, (void *)(uintptr_t)s) < 0)
		x->rc = SECEX_ENOMEM;
}

void secex_scan_id(scan_reader *x, const char *id)
{
	push_unique(x, &x->ids, id);
}

void secex_scan_path(scan_reader *x, const char *path)
{
	push_unique(x, &x->paths, path);
}

const char *secex_scan_strndup(scan_reader *x, const char *s, size_t len)
{
	const char *p = secex_arena_strndup(&x->r->arena, s, len);

	if (!p)
		x->rc = SECEX_ENOMEM;
	return p;
}

static const char **copy_list(scan_reader *x, const secex_vec *v)
{
	const char **list;

	if (!v->n)
		return NULL;
	if (!(list = secex_arena_alloc(&x->r->arena, v->n * sizeof(*list)))) {
		x->rc = SECEX_ENOMEM;
		return NULL;
	}
	memcpy(list, v->items, v->n * sizeof(*list));
	return list;
}

void secex_scan_finish(scan_reader *x)
{
	secex_scan_report *r = x->r;
	secex_scan_finding *f = &x->cur, *items;

	if (x->rc < 0 || !x->ids.n)
		return; /* a finding without any id cannot be matched: the reader skips it */
	if (!(items = secex_array_grow(r->items, &x->cap, r->n, sizeof(*items), 64))) {
		x->rc = SECEX_ENOMEM;
		return;
	}
	r->items = items;
	f->ids = copy_list(x, &x->ids);
	f->nids = x->ids.n;
	f->id = f->ids ? f->ids[0] : NULL;
	f->paths = copy_list(x, &x->paths);
	f->npaths = x->paths.n;
	if (x->rc == 0)
		r->items[r->n++] = *f;
}

/* ---- small readers of the tree ---- */

const secex_node *secex_scan_get(const secex_node *n, const char *key)
{
	return secex_node_get(n, key);
}

const char *secex_scan_str(const secex_node *n, const char *key)
{
	const char *s = secex_node_str(secex_node_get(n, key));

	return s && *s ? s : NULL; /* an empty string says as much as none */
}

const secex_node *secex_scan_array(const secex_node *n, const char *key)
{
	const secex_node *a = key ? secex_node_get(n, key) : n;

	return a && a->type == SECEX_NODE_ARRAY ? a : NULL;
}

size_t secex_scan_len(const secex_node *array)
{
	return array && array->type == SECEX_NODE_ARRAY ? array->u.array.n : 0;
}

const secex_node *secex_scan_item(const secex_node *array, size_t i)
{
	return array->u.array.items[i];
}

static bool word_is(const char *s, const char *word)
{
	size_t i;

	for (i = 0; s[i] && word[i]; i++)
		if ((s[i] | 0x20) != word[i])
			return false;
	return !s[i] && !word[i];
}

secex_scan_severity secex_scan_severity_word(const char *s)
{
	if (!s)
		return SECEX_SCAN_SEV_UNKNOWN;
	if (word_is(s, "critical"))
		return SECEX_SCAN_SEV_CRITICAL;
	if (word_is(s, "high") || word_is(s, "error"))
		return SECEX_SCAN_SEV_HIGH;
	if (word_is(s, "medium") || word_is(s, "moderate") || word_is(s, "warning"))
		return SECEX_SCAN_SEV_MEDIUM;
	if (word_is(s, "low") || word_is(s, "negligible") || word_is(s, "info") || word_is(s, "informational") ||
	    word_is(s, "note"))
		return SECEX_SCAN_SEV_LOW;
	return SECEX_SCAN_SEV_UNKNOWN;
}

secex_scan_severity secex_scan_severity_score(double score)
{
	return score >= 9.0 ? SECEX_SCAN_SEV_CRITICAL : score >= 7.0 ? SECEX_SCAN_SEV_HIGH
		: score >= 4.0 ? SECEX_SCAN_SEV_MEDIUM : score > 0.0 ? SECEX_SCAN_SEV_LOW : SECEX_SCAN_SEV_UNKNOWN;
}

/* A CVSS-like score given as a number or a numeric string ("7.5"); false otherwise. */
bool secex_scan_score(double *out, const secex_node *n)
{
	const char *s = secex_node_str(n);
	char *end;

	if (secex_node_is_number(n)) {
		*out = secex_node_number(n);
		return true;
	}
	if (!s || !*s)
		return false;
	*out = strtod(s, &end);
	return *end == '\0' && *out >= 0.0 && *out <= 10.0;
}

const char *secex_scan_severity_name(secex_scan_severity severity)
{
	static const char *const names[] = { "unknown", "low", "medium", "high", "critical" };

	return (size_t)severity < 5 ? names[severity] : "unknown";
}

bool secex_scan_severity_parse(secex_scan_severity *out, const char *name)
{
	static const char *const names[] = { "low", "medium", "high", "critical" };
	size_t i;

	for (i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (secex_scan_severity)(i + 1);
			return true;
		}
	return false;
}

/* ---- Trivy JSON ---- */

/* Trivy names an OS-package target "image (alpine 3.10.2)": the path is the image. */
static void trivy_target(scan_reader *x, const secex_node *result)
{
	const char *t = secex_scan_str(result, "Target"), *cls = secex_scan_str(result, "Class"), *colon;
	size_t len;

	if (!t)
		return;
	len = strlen(t);
	if (cls && strcmp(cls, "os-pkgs") == 0 && len && t[len - 1] == ')' && strstr(t, " ("))
		secex_scan_path(x, secex_scan_strndup(x, t, (size_t)(strstr(t, " (") - t)));
	else
		secex_scan_path(x, t);
	/* a file inside an archive: "chart.tgz:templates/pod.yaml" */
	if ((colon = strchr(t, ':')) && colon > t && colon[1] && !strstr(t, "://"))
		secex_scan_path(x, colon + 1);
}

static void trivy_vulns(scan_reader *x, const secex_node *result)
{
	const secex_node *list = secex_scan_array(result, "Vulnerabilities");
	size_t i, k;

	for (i = 0; x->rc == 0 && i < secex_scan_len(list); i++) {
		const secex_node *v = secex_scan_item(list, i), *vendor = secex_scan_array(v, "VendorIDs");

		secex_scan_begin(x, v, "trivy");
		secex_scan_id(x, secex_scan_str(v, "VulnerabilityID"));
		for (k = 0; k < secex_scan_len(vendor); k++)
			secex_scan_id(x, secex_node_str(secex_scan_item(vendor, k)));
		x->cur.purl = secex_scan_str(secex_scan_get(v, "PkgIdentifier"), "PURL");
		x->cur.ecosystem = secex_scan_str(result, "Type");
		x->cur.name = secex_scan_str(v, "PkgName");
		x->cur.version = secex_scan_str(v, "InstalledVersion");
		x->cur.title = secex_scan_str(v, "Title");
		x->cur.severity = secex_scan_severity_word(secex_scan_str(v, "Severity"));
		secex_scan_path(x, secex_scan_str(v, "PkgPath"));
		trivy_target(x, result);
		secex_scan_finish(x);
	}
}

static void trivy_misconfigs(scan_reader *x, const secex_node *result)
{
	const secex_node *list = secex_scan_array(result, "Misconfigurations");
	size_t i;

	for (i = 0; x->rc == 0 && i < secex_scan_len(list); i++) {
		const secex_node *m = secex_scan_item(list, i);
		const char *status = secex_scan_str(m, "Status");

		if (status && strcmp(status, "FAIL") != 0)
			continue; /* PASS and EXCEPTION results are not findings */
		secex_scan_begin(x, m, "trivy");
		secex_scan_id(x, secex_scan_str(m, "ID"));
		secex_scan_id(x, secex_scan_str(m, "AVDID"));
		x->cur.title = secex_scan_str(m, "Title");
		x->cur.severity = secex_scan_severity_word(secex_scan_str(m, "Severity"));
		trivy_target(x, result);
		secex_scan_finish(x);
	}
}

static void trivy_secrets(scan_reader *x, const secex_node *result)
{
	const secex_node *list = secex_scan_array(result, "Secrets");
	size_t i;

	for (i = 0; x->rc == 0 && i < secex_scan_len(list); i++) {
		const secex_node *s = secex_scan_item(list, i);

		secex_scan_begin(x, s, "trivy");
		secex_scan_id(x, secex_scan_str(s, "RuleID"));
		x->cur.title = secex_scan_str(s, "Title");
		x->cur.severity = secex_scan_severity_word(secex_scan_str(s, "Severity"));
		trivy_target(x, result);
		secex_scan_finish(x);
	}
}

static const char *read_trivy(scan_reader *x, const secex_node *root)
{
	const secex_node *results = secex_scan_array(root, "Results");
	size_t i;

	if (!secex_node_get(root, "SchemaVersion") || (!results && secex_node_get(root, "Results")))
		return "an object with 'SchemaVersion' and a 'Results' array";
	for (i = 0; x->rc == 0 && i < secex_scan_len(results); i++) {
		trivy_vulns(x, secex_scan_item(results, i));
		trivy_misconfigs(x, secex_scan_item(results, i));
		trivy_secrets(x, secex_scan_item(results, i));
	}
	return NULL;
}

/* ---- Grype JSON ---- */

static const char *read_grype(scan_reader *x, const secex_node *root)
{
	const secex_node *matches = secex_scan_array(root, "matches");
	size_t i, k;

	if (!matches)
		return "an object with a 'matches' array";
	for (i = 0; x->rc == 0 && i < secex_scan_len(matches); i++) {
		const secex_node *m = secex_scan_item(matches, i), *v = secex_scan_get(m, "vulnerability");
		const secex_node *a = secex_scan_get(m, "artifact"), *rel = secex_scan_array(m, "relatedVulnerabilities");
		const secex_node *locs = secex_scan_array(a, "locations");

		secex_scan_begin(x, m, "grype");
		secex_scan_id(x, secex_scan_str(v, "id"));
		for (k = 0; k < secex_scan_len(rel); k++)
			secex_scan_id(x, secex_scan_str(secex_scan_item(rel, k), "id"));
		x->cur.purl = secex_scan_str(a, "purl");
		x->cur.ecosystem = secex_scan_str(a, "type");
		x->cur.name = secex_scan_str(a, "name");
		x->cur.version = secex_scan_str(a, "version");
		x->cur.title = secex_scan_str(v, "description");
		x->cur.severity = secex_scan_severity_word(secex_scan_str(v, "severity"));
		for (k = 0; k < secex_scan_len(locs); k++)
			secex_scan_path(x, secex_scan_str(secex_scan_item(locs, k), "path"));
		secex_scan_finish(x);
	}
	return NULL;
}

/* ---- OSV-Scanner JSON ---- */

/* The group's max_severity (a CVSS score) for this id, else database_specific.severity. */
static secex_scan_severity osv_severity(const secex_node *pkg, const secex_node *v)
{
	const secex_node *groups = secex_scan_array(pkg, "groups");
	const char *id = secex_scan_str(v, "id");
	size_t g, k;
	double score;

	for (g = 0; id && g < secex_scan_len(groups); g++) {
		const secex_node *ids = secex_scan_array(secex_scan_item(groups, g), "ids");

		for (k = 0; k < secex_scan_len(ids); k++)
			if (secex_node_str(secex_scan_item(ids, k)) && strcmp(secex_node_str(secex_scan_item(ids, k)), id) == 0 &&
			    secex_scan_score(&score, secex_scan_get(secex_scan_item(groups, g), "max_severity")))
				return secex_scan_severity_score(score);
	}
	return secex_scan_severity_word(secex_scan_str(secex_scan_get(v, "database_specific"), "severity"));
}

static void osv_package(scan_reader *x, const secex_node *source, const secex_node *pkg)
{
	const secex_node *vulns = secex_scan_array(pkg, "vulnerabilities"), *p = secex_scan_get(pkg, "package");
	size_t i, k;

	for (i = 0; x->rc == 0 && i < secex_scan_len(vulns); i++) {
		const secex_node *v = secex_scan_item(vulns, i), *aliases = secex_scan_array(v, "aliases");

		secex_scan_begin(x, v, "osv");
		secex_scan_id(x, secex_scan_str(v, "id"));
		for (k = 0; k < secex_scan_len(aliases); k++)
			secex_scan_id(x, secex_node_str(secex_scan_item(aliases, k)));
		x->cur.purl = secex_scan_str(p, "purl");
		x->cur.ecosystem = secex_scan_str(p, "ecosystem");
		x->cur.name = secex_scan_str(p, "name");
		x->cur.version = secex_scan_str(p, "version");
		x->cur.title = secex_scan_str(v, "summary");
		x->cur.severity = osv_severity(pkg, v);
		secex_scan_path(x, secex_scan_str(source, "path"));
		secex_scan_finish(x);
	}
}

static const char *read_osv(scan_reader *x, const secex_node *root)
{
	const secex_node *results = secex_scan_array(root, "results");
	size_t i, k;

	if (!results)
		return "an object with a 'results' array of sources and packages";
	for (i = 0; x->rc == 0 && i < secex_scan_len(results); i++) {
		const secex_node *res = secex_scan_item(results, i), *pkgs = secex_scan_array(res, "packages");

		for (k = 0; x->rc == 0 && k < secex_scan_len(pkgs); k++)
			osv_package(x, secex_scan_get(res, "source"), secex_scan_item(pkgs, k));
	}
	return NULL;
}

/* ---- Snyk CLI JSON (open source, container, IaC) ---- */

/* identifiers: {"CVE": [...], "GHSA": [...], "ALTERNATIVE": [...], "CWE": [...]}; a CWE
 * names a weakness class, not this finding, and numeric ids (NSP) are not ids secex writes. */
static void snyk_identifiers(scan_reader *x, const secex_node *idents)
{
	size_t m, k;

	if (!idents || idents->type != SECEX_NODE_OBJECT)
		return;
	for (m = 0; m < idents->u.object.n; m++) {
		const secex_member *mem = &idents->u.object.members[m];

		if (strcmp(mem->key, "CWE") == 0)
			continue;
		for (k = 0; k < secex_scan_len(mem->value); k++)
			secex_scan_id(x, secex_node_str(secex_scan_item(mem->value, k)));
	}
}

static void snyk_project(scan_reader *x, const secex_node *proj)
{
	const secex_node *vulns = secex_scan_array(proj, "vulnerabilities");
	const char *target = secex_scan_str(proj, "displayTargetFile");
	size_t i;

	if (!target)
		target = secex_scan_str(proj, "targetFile");
	for (i = 0; x->rc == 0 && i < secex_scan_len(vulns); i++) {
		const secex_node *v = secex_scan_item(vulns, i);

		secex_scan_begin(x, v, "snyk");
		secex_scan_id(x, secex_scan_str(v, "id"));
		snyk_identifiers(x, secex_scan_get(v, "identifiers"));
		x->cur.ecosystem = secex_scan_str(v, "packageManager") ? secex_scan_str(v, "packageManager") : secex_scan_str(proj, "packageManager");
		x->cur.name = secex_scan_str(v, "packageName") ? secex_scan_str(v, "packageName") : secex_scan_str(v, "moduleName");
		x->cur.version = secex_scan_str(v, "version");
		x->cur.title = secex_scan_str(v, "title");
		x->cur.severity = secex_scan_severity_word(secex_scan_str(v, "severity"));
		secex_scan_path(x, target);
		secex_scan_finish(x);
	}
}

static void snyk_iac(scan_reader *x, const secex_node *proj)
{
	const secex_node *issues = secex_scan_array(proj, "infrastructureAsCodeIssues");
	const char *target = secex_scan_str(proj, "targetFile");
	size_t i;

	for (i = 0; x->rc == 0 && i < secex_scan_len(issues); i++) {
		const secex_node *v = secex_scan_item(issues, i);

		secex_scan_begin(x, v, "snyk");
		secex_scan_id(x, secex_scan_str(v, "publicId"));
		secex_scan_id(x, secex_scan_str(v, "id"));
		x->cur.title = secex_scan_str(v, "title");
		x->cur.severity = secex_scan_severity_word(secex_scan_str(v, "severity"));
		secex_scan_path(x, target);
		secex_scan_finish(x);
	}
}

static bool snyk_shaped(const secex_node *n)
{
	return secex_scan_array(n, "infrastructureAsCodeIssues") ||
	       (secex_scan_array(n, "vulnerabilities") && (secex_node_get(n, "packageManager") || secex_node_get(n, "ok")));
}

static const char *read_snyk(scan_reader *x, const secex_node *root)
{
	size_t i, n = root->type == SECEX_NODE_ARRAY ? root->u.array.n : 1;

	for (i = 0; x->rc == 0 && i < n; i++) {
		const secex_node *proj = root->type == SECEX_NODE_ARRAY ? secex_scan_item(root, i) : root;

		if (!snyk_shaped(proj))
			return "an object (or array of objects) with 'vulnerabilities' and 'packageManager', "
			       "or 'infrastructureAsCodeIssues'";
		snyk_project(x, proj);
		snyk_iac(x, proj);
	}
	return NULL;
}

/* ---- npm audit JSON ---- */

/* "https://github.com/advisories/GHSA-..." -> "GHSA-..." */
static const char *ghsa_of(const char *url)
{
	const char *s = url ? strrchr(url, '/') : NULL;

	return s && strncmp(s + 1, "GHSA-", 5) == 0 ? s + 1 : NULL;
}

static const char *number_id(scan_reader *x, const secex_node *n)
{
	char num[32];

	if (n && n->type == SECEX_NODE_INT) {
		snprintf(num, sizeof(num), "%lld", (long long)n->u.integer);
		return secex_scan_strndup(x, num, strlen(num));
	}
	return secex_node_str(n);
}

/* auditReportVersion 2: a finding per package and advisory it is directly affected by
 * (entries only "via" other packages inherit their risk and are not findings of their own). */
static void npm_v2(scan_reader *x, const secex_node *vulns)
{
	size_t i, k;

	for (i = 0; x->rc == 0 && i < vulns->u.object.n; i++) {
		const secex_node *pkg = vulns->u.object.members[i].value, *via = secex_scan_array(pkg, "via");
		const secex_node *nodes = secex_scan_array(pkg, "nodes");

		for (k = 0; x->rc == 0 && k < secex_scan_len(via); k++) {
			const secex_node *adv = secex_scan_item(via, k);
			size_t p;

			if (adv->type != SECEX_NODE_OBJECT)
				continue;
			secex_scan_begin(x, adv, "npm");
			secex_scan_id(x, ghsa_of(secex_scan_str(adv, "url")));
			secex_scan_id(x, number_id(x, secex_scan_get(adv, "source")));
			x->cur.ecosystem = "npm";
			x->cur.name = secex_scan_str(adv, "name") ? secex_scan_str(adv, "name") : vulns->u.object.members[i].key;
			x->cur.title = secex_scan_str(adv, "title");
			x->cur.severity = secex_scan_severity_word(secex_scan_str(adv, "severity"));
			for (p = 0; p < secex_scan_len(nodes); p++)
				secex_scan_path(x, secex_node_str(secex_scan_item(nodes, p)));
			secex_scan_finish(x);
		}
	}
}

/* npm 6 (v1): a finding per advisory. */
static void npm_v1(scan_reader *x, const secex_node *advisories)
{
	size_t i, k;

	for (i = 0; x->rc == 0 && i < advisories->u.object.n; i++) {
		const secex_node *a = advisories->u.object.members[i].value, *cves = secex_scan_array(a, "cves");
		const secex_node *found = secex_scan_array(a, "findings");

		secex_scan_begin(x, a, "npm");
		secex_scan_id(x, secex_scan_str(a, "github_advisory_id"));
		secex_scan_id(x, ghsa_of(secex_scan_str(a, "url")));
		for (k = 0; k < secex_scan_len(cves); k++)
			secex_scan_id(x, secex_node_str(secex_scan_item(cves, k)));
		secex_scan_id(x, number_id(x, secex_scan_get(a, "id")));
		x->cur.ecosystem = "npm";
		x->cur.name = secex_scan_str(a, "module_name");
		x->cur.version = secex_scan_len(found) ? secex_scan_str(secex_scan_item(found, 0), "version") : NULL;
		x->cur.title = secex_scan_str(a, "title");
		x->cur.severity = secex_scan_severity_word(secex_scan_str(a, "severity"));
		secex_scan_finish(x);
	}
}

static const char *read_npm(scan_reader *x, const secex_node *root)
{
	const secex_node *v2 = secex_scan_get(root, "vulnerabilities"), *v1 = secex_scan_get(root, "advisories");

	if (secex_node_get(root, "auditReportVersion") && v2 && v2->type == SECEX_NODE_OBJECT)
		npm_v2(x, v2);
	else if (v1 && v1->type == SECEX_NODE_OBJECT && secex_node_get(root, "metadata"))
		npm_v1(x, v1);
	else
		return "an object with 'auditReportVersion' and 'vulnerabilities' (npm 7+), or 'advisories' and "
		       "'metadata' (npm 6)";
	return NULL;
}

/* ---- pip-audit JSON ---- */

static bool pip_dependency(const secex_node *d)
{
	return d->type == SECEX_NODE_OBJECT && secex_scan_str(d, "name") &&
	       (secex_scan_array(d, "vulns") || secex_node_get(d, "skip_reason"));
}

static const char *read_pip(scan_reader *x, const secex_node *root)
{
	const secex_node *deps = root->type == SECEX_NODE_ARRAY ? root : secex_scan_array(root, "dependencies");
	size_t i, k, a;

	if (!deps)
		return "a list of dependencies, or an object with a 'dependencies' list";
	for (i = 0; x->rc == 0 && i < secex_scan_len(deps); i++) {
		const secex_node *d = secex_scan_item(deps, i), *vulns = secex_scan_array(d, "vulns");

		if (!pip_dependency(d))
			return "dependencies with 'name' and 'vulns'";
		for (k = 0; x->rc == 0 && k < secex_scan_len(vulns); k++) {
			const secex_node *v = secex_scan_item(vulns, k), *aliases = secex_scan_array(v, "aliases");

			secex_scan_begin(x, v, "pip-audit");
			secex_scan_id(x, secex_scan_str(v, "id"));
			for (a = 0; a < secex_scan_len(aliases); a++)
				secex_scan_id(x, secex_node_str(secex_scan_item(aliases, a)));
			x->cur.ecosystem = "pypi";
			x->cur.name = secex_scan_str(d, "name");
			x->cur.version = secex_scan_str(d, "version");
			x->cur.title = secex_scan_str(v, "description");
			secex_scan_finish(x);
		}
	}
	return NULL;
}

/* ---- Checkov JSON ---- */

static void checkov_check(scan_reader *x, const secex_node *c)
{
	const secex_node *vd = secex_scan_get(c, "vulnerability_details");
	const char *path = secex_scan_str(c, "repo_file_path");

	secex_scan_begin(x, c, "checkov");
	secex_scan_id(x, secex_scan_str(vd, "id"));
	secex_scan_id(x, secex_scan_str(c, "check_id"));
	secex_scan_id(x, secex_scan_str(c, "bc_check_id"));
	x->cur.name = secex_scan_str(vd, "package_name");
	x->cur.version = secex_scan_str(vd, "package_version");
	x->cur.title = secex_scan_str(c, "check_name");
	x->cur.severity = secex_scan_severity_word(secex_scan_str(c, "severity") ? secex_scan_str(c, "severity") : secex_scan_str(vd, "severity"));
	secex_scan_path(x, path ? path : secex_scan_str(c, "file_path"));
	secex_scan_path(x, secex_scan_str(c, "resource"));
	secex_scan_finish(x);
}

static const char *read_checkov(scan_reader *x, const secex_node *root)
{
	size_t i, k, n = root->type == SECEX_NODE_ARRAY ? root->u.array.n : 1;

	for (i = 0; x->rc == 0 && i < n; i++) {
		const secex_node *rep = root->type == SECEX_NODE_ARRAY ? secex_scan_item(root, i) : root;
		const secex_node *failed = secex_scan_array(secex_scan_get(rep, "results"), "failed_checks");

		if (!secex_node_get(rep, "check_type") || !secex_scan_get(rep, "results"))
			return "an object (or array of objects) with 'check_type' and 'results'";
		for (k = 0; x->rc == 0 && k < secex_scan_len(failed); k++)
			checkov_check(x, secex_scan_item(failed, k));
	}
	return NULL;
}

/* ---- detection and dispatch ---- */

static bool is_sarif(const secex_node *root)
{
	const char *version = secex_scan_str(root, "version"), *schema = secex_scan_str(root, "$schema");

	return secex_scan_array(root, "runs") && ((version && strcmp(version, "2.1.0") == 0) || (schema && strstr(schema, "sarif")));
}

static secex_scan_format detect_object(const secex_node *root)
{
	if (is_sarif(root))
		return SECEX_SCAN_SARIF;
	if (secex_node_get(root, "SchemaVersion") && (secex_node_get(root, "Results") || secex_node_get(root, "ArtifactName")))
		return SECEX_SCAN_TRIVY;
	if (secex_scan_array(root, "matches"))
		return SECEX_SCAN_GRYPE;
	if (secex_scan_array(root, "results"))
		return SECEX_SCAN_OSV;
	if (snyk_shaped(root))
		return SECEX_SCAN_SNYK;
	if (secex_node_get(root, "auditReportVersion") || (secex_node_get(root, "advisories") && secex_node_get(root, "metadata")))
		return SECEX_SCAN_NPM;
	if (secex_scan_array(root, "dependencies"))
		return SECEX_SCAN_PIP_AUDIT;
	if (secex_node_get(root, "check_type") && secex_node_get(root, "results"))
		return SECEX_SCAN_CHECKOV;
	return SECEX_SCAN_AUTO;
}

static secex_scan_format detect(const secex_node *root)
{
	const secex_node *first;

	if (root->type == SECEX_NODE_OBJECT)
		return detect_object(root);
	if (root->type != SECEX_NODE_ARRAY)
		return SECEX_SCAN_AUTO;
	if (!root->u.array.n)
		return SECEX_SCAN_PIP_AUDIT; /* pip-audit's legacy layout with no dependencies */
	first = root->u.array.items[0];
	if (first->type != SECEX_NODE_OBJECT)
		return SECEX_SCAN_AUTO;
	if (pip_dependency(first))
		return SECEX_SCAN_PIP_AUDIT;
	if (snyk_shaped(first))
		return SECEX_SCAN_SNYK;
	if (secex_node_get(first, "check_type"))
		return SECEX_SCAN_CHECKOV;
	return SECEX_SCAN_AUTO;
}

typedef const char *(*reader_fn)(scan_reader *x, const secex_node *root);

static const char *read_as(scan_reader *x, secex_scan_format format, const secex_node *root)
{
	static const reader_fn readers[] = { NULL, secex_scan_read_sarif, read_trivy, read_grype, read_osv, read_snyk,
					     read_npm, read_pip, read_checkov };
	bool array_ok = format == SECEX_SCAN_SNYK || format == SECEX_SCAN_PIP_AUDIT || format == SECEX_SCAN_CHECKOV;

	if (root->type != SECEX_NODE_OBJECT && !(array_ok && root->type == SECEX_NODE_ARRAY))
		return array_ok ? "a JSON object or array" : "a JSON object";
	return readers[format](x, root);
}

/* The JSON parser's finding, as the report's SX606. */
static int unreadable(secex_diags *diags, const secex_diags *parse, const char *file)
{
	const secex_diag *d = parse->n ? &parse->items[0] : NULL;

	return secex_diag_add(diags, "SX606", file, d ? d->line : 1, d ? d->column : 1, NULL, NULL,
			       "cannot read scanner report '%s' as JSON: %s; give the complete report as the scanner "
			       "wrote it (%s)", file, d ? d->message : "not JSON", secex_scan_format_list());
}

static int wrong_format(secex_diags *diags, const char *file, const secex_node *root, secex_scan_format format,
			const char *expected)
{
	if (format == SECEX_SCAN_AUTO)
		return secex_diag_add(diags, "SX606", file, root->line, root->column, NULL, NULL,
				       "'%s' is not a scanner report secex knows; the formats are %s (a truncated "
				       "or foreign file is not one of them)", file, secex_scan_format_list());
	return secex_diag_add(diags, "SX606", file, root->line, root->column, NULL, NULL,
			       "'%s' is not a %s report: expected %s; check the file or the --input-format", file,
			       format_titles[format], expected);
}

static int parse_tree(secex_doc **doc, const char *data, size_t len, const char *file, secex_diags *diags)
{
	secex_json_options jo = SECEX_JSON_OPTIONS_INIT;
	secex_diags parse = SECEX_DIAGS_INIT;
	int rc;

	jo.max_size = SECEX_SCAN_MAX_SIZE;
	jo.max_depth = 128;
	rc = secex_json_parse_opts(doc, data, len, file, &parse, &jo);
	if (rc == 0 && !*doc)
		rc = unreadable(diags, &parse, file);
	secex_diag_release(&parse);
	return rc;
}

int secex_scan_read(secex_scan_report **out, const char *data, size_t len, const char *file,
		    secex_scan_format format, secex_diags *diags)
{
	scan_reader x;
	secex_scan_report *r = NULL;
	const secex_node *root;
	const char *expected = NULL;
	int rc;

	*out = NULL;
	memset(&x, 0, sizeof(x));
	if (!(r = calloc(1, sizeof(*r))) || !(r->file = strdup(file)))
		goto oom;
	x.r = r;
	if ((rc = parse_tree(&r->doc, data, len, file, diags)) < 0 || !r->doc)
		goto cleanup;
	root = secex_doc_root(r->doc);
	r->format = format == SECEX_SCAN_AUTO ? detect(root) : format;
	expected = r->format == SECEX_SCAN_AUTO ? "" : read_as(&x, r->format, root);
	if ((rc = x.rc) < 0)
		goto cleanup;
	if (expected) {
		rc = wrong_format(diags, file, root, r->format, expected);
		goto cleanup;
	}
	*out = r;
	r = NULL;
	goto cleanup;
oom:
	rc = secex_error_nomem();
cleanup:
	if (rc == SECEX_ENOMEM)
		secex_error_nomem();
	secex_vec_release(&x.ids);
	secex_vec_release(&x.paths);
	secex_scan_report_free(r);
	return rc;
}

int secex_scan_read_file(secex_scan_report **out, const char *path, secex_scan_format format,
			 secex_diags *diags)
{
	secex_buf text = SECEX_BUF_INIT;
	int rc = secex_file_read(&text, path, SECEX_SCAN_MAX_SIZE);

	*out = NULL;
	if (rc < 0 && rc != SECEX_ENOMEM) {
		const char *why = secex_error_last();
		size_t n = strlen(why), advice = strlen("; check the path");
		bool advised = n >= advice && strcmp(why + n - advice, "; check the path") == 0;

		rc = secex_diag_add(diags, "SX606", path, 0, 0, NULL, NULL, "cannot read scanner report '%s': %s%s", path,
				     why, advised ? "" : "; check the path");
		secex_error_clear();
	} else if (rc == 0) {
		rc = secex_scan_read(out, secex_buf_cstr(&text), text.size, path, format, diags);
	}
	secex_buf_release(&text);
	return rc;
}

void secex_scan_report_free(secex_scan_report *r)
{
	if (!r)
		return;
	free(r->file);
	free(r->items);
	secex_doc_free(r->doc);
	secex_arena_release(&r->arena);
	free(r);
}

int secex_scan_read_files(secex_scan_report ***out, const char *const *paths, size_t n, secex_scan_format format,
			  secex_diags *diags)
{
	secex_scan_report **r = calloc(n + 1, sizeof(*r));
	size_t i;
	int rc = 0;

	*out = r;
	SECEX_ERROR_CHECK_ALLOC(r);
	for (i = 0; rc == 0 && i < n; i++)
		rc = secex_scan_read_file(&r[i], paths[i], format, diags);
	return rc;
}

void secex_scan_reports_free(secex_scan_report **reports, size_t n)
{
	size_t i;

	for (i = 0; reports && i < n; i++)
		secex_scan_report_free(reports[i]);
	free(reports);
}
