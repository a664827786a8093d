#!/usr/bin/env python3
"""Checks secex's JSON findings: findings.py FILE ASSERTION...

+CODE[:ID][@COMMIT][~TEXT]  a finding with this code (for this exception, at this commit
                     prefix, whose message contains TEXT)
-CODE[:ID]           no such finding
=N                   exactly N findings of severity error
"""
import json
import sys


def matches(f, code, exc, commit, text):
    return (f["code"] == code and (exc is None or f.get("exception") == exc)
            and (commit is None or (f.get("commit") or "").startswith(commit))
            and (text is None or text in f["message"]))


def parse(spec):
    commit = text = None
    if "~" in spec:
        spec, text = spec.split("~", 1)
    if "@" in spec:
        spec, commit = spec.split("@", 1)
    code, _, exc = spec.partition(":")
    return code, exc or None, commit, text


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        text = fh.read()
    try:
        findings = json.loads(text)["findings"]
    except (ValueError, KeyError) as e:
        print(f"not secex JSON ({e}): {text[:300]}")
        return 1
    problems = []
    for a in sys.argv[2:]:
        if a.startswith("="):
            n = sum(1 for f in findings if f["severity"] == "error")
            if n != int(a[1:]):
                problems.append(f"expected {a[1:]} errors, got {n}")
            continue
        code, exc, commit, text = parse(a[1:])
        hit = [f for f in findings if matches(f, code, exc, commit, text)]
        if a[0] == "+" and not hit:
            problems.append(f"missing {a[1:]}")
        if a[0] == "-" and hit:
            problems.append(f"unexpected {a[1:]}: {hit[0]['message']}")
    if problems:
        print("; ".join(problems))
        print("findings: " + "; ".join(f"{f['code']} {f.get('exception')}: {f['message']}" for f in findings))
        return 1
    return 0


sys.exit(main())
