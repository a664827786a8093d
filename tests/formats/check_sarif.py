#!/usr/bin/env python3
"""A strict structural check of secex's SARIF against what GitHub code scanning ingests.

usage: check_sarif.py FILE [--same-line N]
Every result has a location whose uri is a valid URI reference (RFC 3986, each segment
percent-encoded), every rule has fullDescription and help, no informationUri or helpUri
that is not a real URL, and the fingerprints are unique. --same-line N also asks that at
least N results share a rule, file and line (GitHub would fold them without fingerprints).
"""
import collections
import json
import re
import sys

PCHAR = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$")


def fail(msg):
    print("check_sarif: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    path = sys.argv[1]
    same_line = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--same-line" else 0
    d = json.load(open(path, encoding="utf-8"))
    if d.get("version") != "2.1.0" or len(d.get("runs", [])) != 1:
        fail("not one SARIF 2.1.0 run")
    driver = d["runs"][0]["tool"]["driver"]
    for key in ("informationUri", "helpUri"):
        if key in driver and not driver[key].startswith("https://"):
            fail("driver %s is not a real URL" % key)
    rules = {}
    for r in driver["rules"]:
        for key in ("shortDescription", "fullDescription", "help"):
            text = r.get(key, {}).get("text", "")
            if not text.strip():
                fail("rule %s has no %s" % (r.get("id"), key))
        if r.get("name") == r["id"]:
            fail("rule %s has its id as name (SARIF1001)" % r["id"])
        if "helpUri" in r:
            fail("rule %s has a helpUri with no documentation behind it" % r["id"])
        rules[r["id"]] = r
    prints = set()
    places = collections.Counter()
    for res in d["runs"][0]["results"]:
        if res["ruleId"] not in rules:
            fail("result names unknown rule %s" % res["ruleId"])
        locs = res.get("locations") or []
        if len(locs) != 1:
            fail("result %s has %d locations, not 1" % (res["ruleId"], len(locs)))
        phys = locs[0]["physicalLocation"]
        uri = phys["artifactLocation"]["uri"]
        if not uri or not PCHAR.match(uri) or ":" in uri.split("/")[0]:
            fail("uri %r is not a relative URI reference" % uri)
        if phys["region"]["startLine"] < 1 or phys["region"]["startColumn"] < 1:
            fail("result %s has a region before line 1" % res["ruleId"])
        fp = res.get("partialFingerprints", {}).get("primaryLocationLineHash")
        if not fp or not re.match(r"^[0-9a-f]{16}:[1-9][0-9]*$", fp):
            fail("result %s lacks a primaryLocationLineHash" % res["ruleId"])
        if fp in prints:
            fail("fingerprint %s is not unique" % fp)
        prints.add(fp)
        places[(res["ruleId"], uri, phys["region"]["startLine"])] += 1
    if same_line and max(places.values(), default=0) < same_line:
        fail("no %d results share a rule and line, the case fingerprints exist for" % same_line)


main()
