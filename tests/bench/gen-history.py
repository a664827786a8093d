#!/usr/bin/env python3
"""Writes a git repository of C commits (default 100,000) touching N exception files
(default 10,000) into DIR, through one `git fast-import` stream, for the audit benchmark.
The files sit in 100 team directories (exceptions/team-NN/), as a large program files them;
one flat directory of 10,000 files makes every commit write a 400 KB tree, and git itself
then needs minutes for `git log --raw`.

The first commit holds the demo's .secex/; the next N commits each add one exception
(status requested); the rest each edit one exception: mostly its summary, and about one
edit in fifty moves its status along the workflow or its priority, so the audit has real
findings to report. Commit dates advance by one minute from 2025-01-01."""
import os
import random
import subprocess
import sys

out = sys.argv[1]
commits = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "demo", ".secex")
rng = random.Random(7)
people = ["margo", "eugene", "priya", "tomas", "lena", "omar", "dana", "lee"]
levels = ["critical", "high", "medium", "low"]
flow = {"requested": "in-review", "in-review": "approved", "approved": "in-review"}
state = {}


def text(i):
    s = state[i]
    return f"""id: EXC-{i:05d}
title: Exception {i} for package lib{i % 97} in service svc-{i % 31}
type: acceptance
priority: {s['priority']}
status: {s['status']}
requestor: {people[i % 8]}
risk_owner: {people[(i + 3) % 8]}
assignee: {people[(i + 5) % 8]}
created: 2025-01-01
due_date: 2025-03-01
summary: Revision {s['rev']} of the summary of exception {i}, which keeps a library with a known
  vulnerability in service svc-{i % 31} while its replacement is built and rolled out.
justification: The replacement needs a framework upgrade that is planned for next quarter.
impact:
  pros: [no rushed framework upgrade]
  cons: [the vulnerability stays exploitable until the upgrade]
""".encode()


def emit(w, mark, when, msg, files):
    w(b"commit refs/heads/main\n")
    w(b"mark :%d\n" % mark)
    w(b"committer Bench <bench@example.com> %d +0000\n" % when)
    m = msg.encode()
    w(b"data %d\n%s\n" % (len(m), m))
    if mark > 1:
        w(b"from :%d\n" % (mark - 1))
    for path, data in files:
        w(b"M 100644 inline %s\ndata %d\n" % (path.encode(), len(data)))
        w(data + b"\n")


def main():
    subprocess.run(["git", "init", "-q", "-b", "main", out], check=True)
    p = subprocess.Popen(["git", "-C", out, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    w = p.stdin.write
    t = 1735689600
    secex = [(f".secex/{f}", open(os.path.join(src, f), "rb").read()) for f in ("policy.yaml", "people.yaml")]
    emit(w, 1, t, "secex: policy and roster", secex)
    for c in range(2, commits + 1):
        if c - 1 <= n:
            i = c - 1
            state[i] = {"priority": rng.choice(levels), "status": "requested", "rev": 0}
            msg = f"Request EXC-{i:05d}"
        else:
            i = rng.randint(1, n)
            s = state[i]
            s["rev"] += 1
            r = rng.random()
            if r < 0.01:
                s["status"] = flow[s["status"]]
            elif r < 0.02:
                s["priority"] = rng.choice(levels)
            msg = f"Edit EXC-{i:05d}"
        emit(w, c, t + 60 * c, msg, [(f"exceptions/team-{i % 100:02d}/EXC-{i:05d}.yaml", text(i))])
    p.stdin.close()
    if p.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "-C", out, "reset", "-q", "--hard"], check=True)


main()
