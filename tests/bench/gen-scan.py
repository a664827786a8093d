#!/usr/bin/env python3
"""Writes a Trivy JSON report of FINDINGS vulnerabilities (about 1 KB each, as Trivy writes
them, indented) and a secex repository of EXCEPTIONS exception files covering every tenth
finding's id. usage: gen-scan.py REPORT REPO FINDINGS EXCEPTIONS"""
import json
import os
import subprocess
import sys

report, repo, nfind, nexc = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sev = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
results = []
per_target = 1000
for t in range(0, nfind, per_target):
    vulns = []
    for i in range(t, min(t + per_target, nfind)):
        pkg = "package-%d" % (i % 5000)
        vulns.append({
            "VulnerabilityID": "CVE-2024-%d" % (10000 + i),
            "PkgID": "%s@1.%d.0" % (pkg, i % 50),
            "PkgName": pkg,
            "PkgIdentifier": {"PURL": "pkg:npm/%s@1.%d.0" % (pkg, i % 50), "UID": "%016x" % i},
            "InstalledVersion": "1.%d.0" % (i % 50),
            "FixedVersion": "1.%d.1" % (i % 50),
            "Status": "fixed",
            "SeveritySource": "ghsa",
            "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-%d" % (10000 + i),
            "DataSource": {"ID": "ghsa", "Name": "GitHub Security Advisory npm",
                           "URL": "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm"},
            "Title": "%s: denial of service through crafted input number %d" % (pkg, i),
            "Description": "A crafted request makes %s spend unbounded time parsing." % pkg,
            "Severity": sev[i % 4],
            "CweIDs": ["CWE-400"],
            "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "V3Score": 7.5}},
            "References": ["https://nvd.nist.gov/vuln/detail/CVE-2024-%d" % (10000 + i)],
            "PublishedDate": "2024-03-01T00:00:00Z",
            "LastModifiedDate": "2024-04-01T00:00:00Z",
        })
    results.append({"Target": "services/svc-%d/package-lock.json" % (t // per_target), "Class": "lang-pkgs",
                    "Type": "npm", "Vulnerabilities": vulns})
doc = {"SchemaVersion": 2, "CreatedAt": "2026-11-20T00:00:00Z", "ArtifactName": ".", "ArtifactType": "repository",
       "Results": results}
with open(report, "w") as f:
    json.dump(doc, f, indent=2)

os.makedirs(os.path.join(repo, "exceptions"), exist_ok=True)
subprocess.run(["git", "init", "-q", repo], check=True)
for k in range(nexc):
    i = k * (nfind // nexc)
    pkg = "package-%d" % (i % 5000)
    with open(os.path.join(repo, "exceptions", "EXC-%05d.yaml" % (k + 1)), "w") as f:
        f.write(f"""id: EXC-{k + 1:05d}
title: Accept the denial of service in {pkg} number {i}
type: acceptance
priority: low
status: requested
requestor: admin
risk_owner: admin
created: 2026-11-02
due_date: 2026-12-20
summary: A crafted request can exhaust the workers of the service.
justification: The service sits behind a rate limiter that bounds the requests.
impact:
  pros: [no emergency upgrade]
  cons: [a denial of service remains possible]
findings:
  - id: CVE-2024-{10000 + i}
    package: pkg:npm/{pkg}
    paths: ["services/**"]
""")
