#!/usr/bin/env python3
"""Checks secex's JUnit beyond its XSD: the counts GitLab and Jenkins show, and the text.

usage: check_junit.py FILE FAIL_ON [MIN_CASES]
One test case per finding; a case fails exactly when its finding's severity is at or above
FAIL_ON; the failure's text is the finding's full line `file:line:col: severity: message
[CODE]`; tests/failures/errors on testsuites and testsuite count the cases.
"""
import re
import sys
import xml.etree.ElementTree as ET

LEVELS = {"note": 0, "warning": 1, "error": 2}
LINE = re.compile(r"^(?:[^:]+(?::\d+:\d+)?|secex): (note|warning|error): .+ \[(SX\d{3})\](?: \(commit [0-9a-f]+\))?$")


def fail(msg):
    print("check_junit: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    root = ET.parse(sys.argv[1]).getroot()
    fail_on = LEVELS[sys.argv[2]]
    min_cases = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    suites = root.findall("testsuite")
    if root.tag != "testsuites" or len(suites) != 1:
        fail("not one testsuite in testsuites")
    cases = suites[0].findall("testcase")
    failed = 0
    for c in cases:
        problem = c.find("failure")
        text = (problem if problem is not None else c.find("system-out"))
        if text is None:
            if len(cases) == 1 and c.get("name") == "no findings":
                continue
            fail("case %r carries no finding" % c.get("name"))
        m = LINE.match(text.text or "")
        if not m:
            fail("case %r: text %r is not the finding's full line" % (c.get("name"), text.text))
        severity, code = m.group(1), m.group(2)
        if not c.get("name", "").startswith(code + " "):
            fail("case %r is not named by its code %s" % (c.get("name"), code))
        if (problem is not None) != (LEVELS[severity] >= fail_on):
            fail("case %r: a %s %s" % (c.get("name"), severity, "failed" if problem is not None else "did not fail"))
        if problem is not None and problem.get("type") != code:
            fail("case %r: failure type %r is not %s" % (c.get("name"), problem.get("type"), code))
        failed += problem is not None
    if len(cases) < min_cases:
        fail("%d cases, expected at least %d" % (len(cases), min_cases))
    for el in (root, suites[0]):
        want = {"tests": len(cases), "failures": failed, "errors": 0}
        got = {k: int(el.get(k, "-1")) for k in want}
        if got != want:
            fail("%s counts %s, expected %s" % (el.tag, got, want))


main()
