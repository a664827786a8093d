/* SARIF 2.1.0 from any tool into findings: rule ids and their deprecatedIds, the package
 * where the tool names one (Grype's `<vuln>-<package>` rule ids and purls, Trivy's and
 * OSV-Scanner's messages), locations, and the severity mapped onto four levels. */

#include <stdlib.h>
#include <string.h>
#include "secex/scan.h"
#include "scan_int.h"
#include "secex/banned.h"

typedef struct {
	const secex_node *rules; /* driver.rules */
	secex_map by_id;         /* rule id -> rule, driver and extensions */
	const char *scanner;
} run_ctx;

static bool starts_ci(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (!*s || (*s | 0x20) != (*prefix | 0x20))
			return false;
	return true;
}

/* The key of `aliases` for the tool that wrote the run. */
static const char *scanner_of(const char *tool)
{
	static const struct {
		const char *prefix, *key;
	} tools[] = { { "trivy", "trivy" }, { "grype", "grype" }, { "osv-scanner", "osv" }, { "semgrep", "semgrep" },
		      { "codeql", "codeql" }, { "lgtm", "codeql" }, { "checkov", "checkov" }, { "snyk", "snyk" },
		      { "npm", "npm" }, { "pip-audit", "pip-audit" } };
	size_t i;

	for (i = 0; tool && i < sizeof(tools) / sizeof(tools[0]); i++)
		if (starts_ci(tool, tools[i].prefix))
			return tools[i].key;
	return tool ? tool : "sarif";
}

static int index_rules(run_ctx *rc, const secex_node *rules)
{
	size_t i;
	int err = 0;

	for (i = 0; err == 0 && i < secex_scan_len(rules); i++) {
		const char *id = secex_scan_str(secex_scan_item(rules, i), "id");

		if (id && !secex_map_get(&rc->by_id, id, strlen(id)))
			err = secex_map_put(&rc->by_id, id, strlen(id), (void *)(uintptr_t)secex_scan_item(rules, i));
	}
	return err;
}

static int run_open(run_ctx *rc, const secex_node *run)
{
	const secex_node *tool = secex_scan_get(run, "tool"), *driver = secex_scan_get(tool, "driver");
	const secex_node *ext = secex_scan_array(tool, "extensions");
	size_t i;
	int err;

	memset(rc, 0, sizeof(*rc));
	rc->rules = secex_scan_array(driver, "rules");
	rc->scanner = scanner_of(secex_scan_str(driver, "name"));
	err = index_rules(rc, rc->rules);
	for (i = 0; err == 0 && i < secex_scan_len(ext); i++)
		err = index_rules(rc, secex_scan_array(secex_scan_item(ext, i), "rules"));
	return err;
}

static const secex_node *rule_of(const run_ctx *rc, const secex_node *result, const char **rule_id)
{
	const secex_node *ref = secex_scan_get(result, "rule"), *index = secex_scan_get(result, "ruleIndex");
	const secex_node *rule = NULL;

	*rule_id = secex_scan_str(result, "ruleId") ? secex_scan_str(result, "ruleId") : secex_scan_str(ref, "id");
	if (!index)
		index = secex_scan_get(ref, "index");
	if (index && index->type == SECEX_NODE_INT && index->u.integer >= 0 &&
	    (uint64_t)index->u.integer < secex_scan_len(rc->rules))
		rule = secex_scan_item(rc->rules, (size_t)index->u.integer);
	if (rule && *rule_id && secex_scan_str(rule, "id") && strcmp(secex_scan_str(rule, "id"), *rule_id) != 0)
		rule = NULL; /* an index that disagrees with the id: trust the id */
	if (!rule && *rule_id)
		rule = secex_map_get(&rc->by_id, *rule_id, strlen(*rule_id));
	if (!*rule_id)
		*rule_id = secex_scan_str(rule, "id");
	return rule;
}

/* The text after "\nLABEL" (or at the start) up to the end of its line. */
static const char *line_after(scan_reader *x, const char *text, const char *label)
{
	const char *s = text, *end;
	size_t len = strlen(label);

	while (s && *s) {
		if (strncmp(s, label, len) == 0) {
			s += len;
			end = strchr(s, '\n');
			return end > s || (!end && *s) ? secex_scan_strndup(x, s, end ? (size_t)(end - s) : strlen(s)) : NULL;
		}
		s = strchr(s, '\n');
		s = s ? s + 1 : NULL;
	}
	return NULL;
}

/* Grype's rule id is "<vulnerability>-<package>": the vulnerability is the id its help
 * text names ("Vulnerability CVE-1999-0001"), the rest the package. */
static void grype_split(scan_reader *x, const char *rule_id, const secex_node *rule)
{
	const char *help = secex_scan_str(secex_scan_get(rule, "help"), "text");
	const char *vuln = help ? line_after(x, help, "Vulnerability ") : NULL;
	size_t len = vuln ? strlen(vuln) : 0;

	if (vuln && strncmp(rule_id, vuln, len) == 0 && rule_id[len] == '-' && rule_id[len + 1]) {
		secex_scan_id(x, vuln);
		x->cur.name = rule_id + len + 1;
		x->cur.version = line_after(x, help, "Version: ");
	}
}

/* OSV-Scanner: "Package 'ansi-html@0.0.1' is vulnerable to ..." */
static void osv_message(scan_reader *x, const char *text)
{
	const char *s = text ? strstr(text, "Package '") : NULL, *end, *at;

	if (!s)
		return;
	s += 9;
	if (!(end = strchr(s, '\'')) || end == s)
		return;
	at = end;
	while (at > s + 1 && at[-1] != '@')
		at--;
	if (at > s + 1 && at[-1] == '@') {
		x->cur.name = secex_scan_strndup(x, s, (size_t)(at - 1 - s));
		x->cur.version = secex_scan_strndup(x, at, (size_t)(end - at));
	} else {
		x->cur.name = secex_scan_strndup(x, s, (size_t)(end - s));
	}
}

static void package_of(scan_reader *x, const secex_node *result, const secex_node *rule, const char *msg)
{
	const secex_node *purls = secex_scan_array(secex_scan_get(result, "properties"), "purls");

	if (!purls)
		purls = secex_scan_array(secex_scan_get(rule, "properties"), "purls");
	if (secex_scan_len(purls))
		x->cur.purl = secex_node_str(secex_scan_item(purls, 0));
	if (x->cur.name || !msg)
		return;
	if ((x->cur.name = line_after(x, msg, "Package: ")))
		x->cur.version = line_after(x, msg, "Installed Version: ");
	else
		osv_message(x, msg);
}

static secex_scan_severity severity_of(const secex_node *result, const secex_node *rule)
{
	const secex_node *rp = secex_scan_get(rule, "properties"), *resp = secex_scan_get(result, "properties");
	const char *level = secex_scan_str(result, "level");
	double score;

	if (secex_scan_score(&score, secex_scan_get(resp, "security-severity")) ||
	    secex_scan_score(&score, secex_scan_get(rp, "security-severity")))
		return secex_scan_severity_score(score);
	if (secex_scan_severity_word(secex_scan_str(secex_scan_get(rp, "problem"), "severity")))
		return secex_scan_severity_word(secex_scan_str(secex_scan_get(rp, "problem"), "severity"));
	if (secex_scan_severity_word(secex_scan_str(rp, "problem.severity")))
		return secex_scan_severity_word(secex_scan_str(rp, "problem.severity"));
	if (!level)
		level = secex_scan_str(secex_scan_get(rule, "defaultConfiguration"), "level");
	if (level && strcmp(level, "none") == 0)
		return SECEX_SCAN_SEV_LOW;
	return level ? secex_scan_severity_word(level) : SECEX_SCAN_SEV_MEDIUM;
}

static void locations_of(scan_reader *x, const secex_node *result)
{
	const secex_node *locs = secex_scan_array(result, "locations");
	size_t i, k;

	for (i = 0; i < secex_scan_len(locs); i++) {
		const secex_node *loc = secex_scan_item(locs, i), *logical = secex_scan_array(loc, "logicalLocations");

		secex_scan_path(x, secex_scan_str(secex_scan_get(secex_scan_get(loc, "physicalLocation"), "artifactLocation"), "uri"));
		for (k = 0; k < secex_scan_len(logical); k++)
			secex_scan_path(x, secex_scan_str(secex_scan_item(logical, k), "name"));
	}
}

static void sarif_result(scan_reader *x, const run_ctx *rc, const secex_node *result, size_t run)
{
	const char *kind = secex_scan_str(result, "kind"), *rule_id = NULL;
	const secex_node *rule = rule_of(rc, result, &rule_id), *dep = secex_scan_array(rule, "deprecatedIds");
	const char *msg = secex_scan_str(secex_scan_get(result, "message"), "text");
	size_t i;

	if (kind && (strcmp(kind, "pass") == 0 || strcmp(kind, "notApplicable") == 0))
		return; /* not a finding */
	secex_scan_begin(x, result, rc->scanner);
	x->cur.run = run;
	if (rule_id && strcmp(rc->scanner, "grype") == 0)
		grype_split(x, rule_id, rule);
	secex_scan_id(x, rule_id);
	for (i = 0; i < secex_scan_len(dep); i++)
		secex_scan_id(x, secex_node_str(secex_scan_item(dep, i)));
	package_of(x, result, rule, msg);
	x->cur.severity = severity_of(result, rule);
	x->cur.title = secex_scan_str(secex_scan_get(rule, "shortDescription"), "text");
	if (!x->cur.title)
		x->cur.title = msg;
	locations_of(x, result);
	secex_scan_finish(x);
}

const char *secex_scan_read_sarif(scan_reader *x, const secex_node *root)
{
	const secex_node *runs = secex_scan_array(root, "runs");
	const char *version = secex_scan_str(root, "version");
	size_t i, k;

	if (!runs || (version && strcmp(version, "2.1.0") != 0))
		return "a SARIF 2.1.0 log: an object with \"version\": \"2.1.0\" and a 'runs' array";
	for (i = 0; x->rc == 0 && i < secex_scan_len(runs); i++) {
		const secex_node *run = secex_scan_item(runs, i), *results = secex_scan_array(run, "results");
		run_ctx rc;

		if (run->type != SECEX_NODE_OBJECT)
			return "runs that are objects";
		if (run_open(&rc, run) < 0)
			x->rc = SECEX_ENOMEM;
		for (k = 0; x->rc == 0 && k < secex_scan_len(results); k++)
			if (secex_scan_item(results, k)->type == SECEX_NODE_OBJECT)
				sarif_result(x, &rc, secex_scan_item(results, k), i);
		secex_map_release(&rc.by_id);
	}
	return NULL;
}
