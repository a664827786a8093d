#!/usr/bin/env python3
"""Writes a secex repository of N valid exception files (default 10,000) into DIR,
from the demo's policy and roster, for the validate benchmark."""
import os
import random
import shutil
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "demo")
rng = random.Random(42)
os.makedirs(os.path.join(out, "exceptions"), exist_ok=True)
shutil.copytree(os.path.join(src, ".secex"), os.path.join(out, ".secex"), dirs_exist_ok=True)
people = ["margo", "eugene", "priya", "tomas", "lena", "omar", "dana", "lee"]
levels = [("critical", 60), ("high", 120), ("medium", 300), ("low", 300)]
for i in range(1, n + 1):
    level, span = rng.choice(levels)
    kind = rng.choice(["extension", "acceptance"])
    month = rng.randint(1, 9)
    day = rng.randint(1, 28)
    due_month = month + rng.randint(1, span // 31)
    body = f"""id: EXC-{i:05d}
title: Exception {i} for package lib{i % 97} in service svc-{i % 31}
type: {kind}
priority: {level}
status: {rng.choice(["requested", "in-review", "approved", "closed"])}
requestor: {rng.choice(people)}
risk_owner: {rng.choice(people)}
assignee: {rng.choice(people)}
created: 2026-{month:02d}-{day:02d}
due_date: 2026-{min(due_month, 12):02d}-{day:02d}
tickets: [SEC-{i}, SEC-{i + 1}]
findings:
  - id: CVE-2026-{10000 + i}
    package: lib{i % 97}
    paths: [services/svc-{i % 31}/go.mod]
summary: >-
  A vulnerable version of lib{i % 97} is used by svc-{i % 31}; an attacker who can send
  crafted input could read memory of the process. Customer data is processed there.
justification: >-
  The upgrade needs a major version change of the framework that will ship next quarter.
impact:
  pros:
    - The release train is not blocked
  cons:
    - The vulnerability stays exploitable until the fix ships
compensating_controls: WAF rule 4{i % 10} blocks the known exploit pattern.
"""
    if kind == "extension":
        body += f"original_due_date: 2026-{month:02d}-{day:02d}\nremediation_plan: Upgrade lib{i % 97} with the framework.\n"
    with open(os.path.join(out, "exceptions", f"EXC-{i:05d}.yaml"), "w") as f:
        f.write(body)
print(f"wrote {n} exceptions to {out}/exceptions")
