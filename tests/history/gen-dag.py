#!/usr/bin/env python3
"""Writes a git fast-import stream of a random history for the walk-order test: N commits
whose parents are drawn from recent and old commits (long-lived branches, criss-cross
merges, octopus merges of up to five parents, unrelated roots merged later), with commit
times that advance, repeat, go backwards (clock skew) and jump. The last commit merges every
head left, as refs/heads/main. usage: gen-dag.py SEED N | git fast-import --quiet"""
import random
import sys

seed, n = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
out = sys.stdout.buffer
time = {}
heads = []
roots = 0


def pick(k):
    """k distinct parents: mostly recent commits, some anywhere before."""
    chosen = []
    while len(chosen) < min(k, len(time)):
        if rng.random() < 0.7 and heads:
            c = rng.choice(heads[-4:])
        else:
            c = rng.randint(1, len(time))
        if c not in chosen:
            chosen.append(c)
    return chosen


def when(parents, i):
    base = max((time[p] for p in parents), default=1700000000)
    r = rng.random()
    if r < 0.2:
        return base              # the same second as a parent
    if r < 0.3:
        return base - rng.randint(1, 5000)  # before its parent: a skewed clock
    if r < 0.35:
        return 1700000000 + rng.randint(0, 10 ** 7)
    return base + rng.randint(1, 120)


def commit(i, parents, ref):
    t = when(parents, i)
    time[i] = t
    msg = b"c%d" % i
    out.write(b"commit %s\nmark :%d\ncommitter T <t@example.com> %d +0000\ndata %d\n%s\n" % (ref, i, t, len(msg), msg))
    if parents:
        out.write(b"from :%d\n" % parents[0])
        for p in parents[1:]:
            out.write(b"merge :%d\n" % p)
    out.write(b"M 100644 inline f%d\ndata %d\n%d\n" % (i % 7, len(str(i)), i))
    for p in parents:
        if p in heads:
            heads.remove(p)
    heads.append(i)


for i in range(1, n + 1):
    r = rng.random()
    if i == 1 or r < 0.03:
        roots += 1
        commit(i, [], b"refs/heads/root%d" % roots)
    elif r < 0.65:
        commit(i, pick(1), b"refs/heads/work")
    elif r < 0.9:
        commit(i, pick(2), b"refs/heads/work")
    else:
        commit(i, pick(rng.randint(3, 5)), b"refs/heads/work")
commit(n + 1, list(heads), b"refs/heads/main")
