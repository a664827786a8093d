#!/usr/bin/env python3
"""The consumers' own rules, for the outputs of secex (tests/outputs/run-outputs).

usage: consumers.py grype .grype.yaml               Grype's matcher on the fixture's packages
       consumers.py trivy .trivyignore.yaml         Trivy's id and doublestar path matching
       consumers.py snyk .snyk                      snyk-policy's exact id matching
       consumers.py openvex VEX.json [PRODUCT]      OpenVEX statements and what Grype matches
Prints the problems and exits 1 when there are any.
"""

import datetime
import json
import re
import sys
import urllib.parse

import yaml

problems = []


def need(cond, what):
    if not cond:
        problems.append(what)


# ---- doublestar (github.com/bmatcuk/doublestar), the glob of Trivy's paths and Grype's location ----

def glob_regex(pattern):
    """A regular expression for a doublestar pattern: ** any path, * and ? within a segment,
    [...] a class, {a,b} alternatives, a backslash escapes the next character."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pattern.index("]", i + 1)
            body = pattern[i + 1:j]
            out.append("[" + ("^" + body[1:] if body.startswith(("!", "^")) else body) + "]")
            i = j
        elif c == "{":
            j = pattern.index("}", i)
            out.append("(?:" + "|".join(glob_regex(p) for p in pattern[i + 1:j].split(",")) + ")")
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def glob_match(pattern, path):
    return re.fullmatch(glob_regex(pattern), path) is not None


# ---- Go's regexp, the subset secex writes: literals and backslash-escaped metacharacters ----

GO_META = set("\\.+*?()|[]{}^$")


def go_regex_ok(name):
    """Python's re agrees with Go's RE2 on this subset; refuse anything outside it."""
    i = 0
    while i < len(name):
        if name[i] == "\\":
            need(i + 1 < len(name) and name[i + 1] in GO_META, "escape outside Go's metacharacters in %r" % name)
            i += 2
        else:
            need(name[i] not in GO_META, "unescaped metacharacter %r in Grype name %r" % (name[i], name))
            i += 1


def grype_name_matches(rule_name, package_name):
    go_regex_ok(rule_name)
    pattern = rule_name if rule_name[0] == "$" and rule_name[-1] == "^" else "^" + rule_name + "$"
    return re.fullmatch(pattern, package_name) is not None


# ---- the checks ----

def load_yaml(path):
    return yaml.safe_load(open(path))


# The fixture's packages as the scanners name them, with where they are.
PACKAGES = [("libsigc++-2.0-0v5", "2.10.4-2", "/usr/lib/x86_64-linux-gnu/libsigc-2.0.so.0"),
            ("golang.org/x/net", "v0.15.0", "/services/api/go.mod"),
            ("golang.org/x/net", "v0.15.0", "/services/other/go.mod")]


def grype(path):
    rules = load_yaml(path)["ignore"]
    by_vuln = {r["vulnerability"]: r for r in rules}
    need("CKV_AWS_18" not in by_vuln and "AVD-AWS-0089" not in by_vuln, "a misconfiguration id in Grype's rules")
    sigc = by_vuln["CVE-2024-0001"]["package"]["name"]
    need(grype_name_matches(sigc, "libsigc++-2.0-0v5"), "Grype rule %r does not match libsigc++-2.0-0v5" % sigc)
    need(not grype_name_matches(sigc, "libsigcxx-2.0-0v5"), "Grype rule %r matches libsigcxx-2.0-0v5" % sigc)
    net = [r for r in rules if r["vulnerability"] == "CVE-2023-44487"]
    need(len(net) == 1, "one Grype rule per path of CVE-2023-44487, got %d" % len(net))
    name = net[0]["package"]["name"]
    need(grype_name_matches(name, "golang.org/x/net"), "Grype rule %r does not match golang.org/x/net" % name)
    need(not grype_name_matches(name, "golangXorg/x/net"), "Grype rule %r also matches golangXorg/x/net" % name)
    loc = net[0]["package"]["location"]
    need(glob_match(loc, "/services/api/go.mod"), "location %r does not match /services/api/go.mod" % loc)
    need(not glob_match(loc, "/services/other/go.mod"), "location %r matches another go.mod" % loc)
    odd = by_vuln["CVE-2024-0002"]["package"]["location"]
    need(glob_match(odd, "/app/lib [v1]/*.jar"), "location %r does not match its literal path" % odd)
    need(not glob_match(odd, "/app/lib v/x.jar"), "location %r matches other files" % odd)


def trivy(path):
    doc = load_yaml(path)
    vulns = {v["id"]: v for v in doc["vulnerabilities"] or []}
    mis = {v["id"]: v for v in doc["misconfigurations"] or []}
    need("CKV_AWS_18" not in mis and "CKV_AWS_18" not in vulns, "Checkov's id in Trivy's file")
    need("AVD-AWS-0089" in mis, "the Trivy alias AVD-AWS-0089 is missing")
    need(mis.get("AVD-AWS-0089", {}).get("paths") == ["infra/s3.tf"], "resource address kept as a Trivy path: %r" % mis.get("AVD-AWS-0089"))
    need("CKV_AWS_20" not in mis and "AVD-AWS-0092" not in mis, "a finding with only a resource address as path is in Trivy's file")
    for entry in list(vulns.values()) + list(mis.values()):
        need(isinstance(entry["expired_at"], datetime.date), "expired_at %r is not a date for yaml" % entry["expired_at"])
    odd = vulns["CVE-2024-0002"]["paths"][0]
    need(glob_match(odd, "app/lib [v1]/*.jar"), "Trivy path %r does not match its literal path" % odd)
    need(not glob_match(odd, "app/lib v/x.jar") and not glob_match(odd, "app/lib 1/a.jar"), "Trivy path %r matches other files" % odd)


def snyk(path):
    doc = load_yaml(path)
    ids = set(doc["ignore"])
    need(ids == {"SNYK-CC-TF-45", "SNYK-GOLANG-GOLANGORGXNETHTTP2-5953327", "SNYK-GOLANG-GOLANGORGXNET-5953330"},
         "Snyk ids (matched exactly by snyk-policy): %s" % sorted(ids))
    for rules in doc["ignore"].values():
        for rule in rules:
            for where, body in rule.items():
                need(not re.fullmatch(r"[a-z0-9_]+\.[A-Za-z0-9_-]+", where), "a resource address as Snyk path: %r" % where)
                need(isinstance(body["expires"], datetime.datetime), "expires %r is not a date" % body["expires"])


def openvex(path, product=None):
    doc = json.load(open(path))
    need(doc["author"] == "Example Corp Security <security@example.com>", "author %r" % doc["author"])
    names = [s["vulnerability"]["name"] for s in doc["statements"]]
    need("CKV_AWS_18" not in names, "a statement without a product")
    for s in doc["statements"]:
        need(s.get("products"), "statement for %s has no product" % s["vulnerability"]["name"])
        if s["status"] == "not_affected":
            need(s.get("justification") in ("component_not_present", "vulnerable_code_not_present",
                                            "vulnerable_code_not_in_execute_path",
                                            "vulnerable_code_cannot_be_controlled_by_adversary",
                                            "inline_mitigations_already_exist"), "not_affected without justification")
        else:
            need(s["status"] == "affected" and s.get("action_statement"), "affected without action_statement")
        for p in s["products"]:
            if product:
                # Grype: the scanned image is the product, the package a subcomponent by purl
                need(p["@id"] == product and [c["@id"] for c in p["subcomponents"]][0].startswith("pkg:"),
                     "Grype needs the image as product and the package as subcomponent: %r" % p)
            else:
                need(p["@id"].startswith("pkg:") and "subcomponents" not in p, "Trivy needs the package purl as product: %r" % p)
    by = {s["vulnerability"]["name"]: s for s in doc["statements"]}
    need(by["CVE-2024-0001"]["status"] == "not_affected", "the recorded justification did not give not_affected")
    need(by["CVE-2023-44487"]["status"] == "affected", "an acceptance without justification is not affected")


def main():
    kind, args = sys.argv[1], sys.argv[2:]
    {"grype": grype, "trivy": trivy, "snyk": snyk, "openvex": openvex}[kind](*args)
    for p in problems:
        print("%s: %s" % (kind, p))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
