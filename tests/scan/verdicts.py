"""Prints one line per finding of `secex scan --format json`: CODE EXCEPTION WHAT, in report
order (line, column), WHAT being the finding as the message describes it (id, package, path)."""
import json
import sys

doc = json.load(open(sys.argv[1]))
rows = []
for f in doc["findings"]:
    what = f["message"].split(" (")[0]
    rows.append((f["file"] or "", f["line"] or 0, f["column"] or 0, f["code"], f["exception"] or "-", what))
for r in sorted(rows):
    print(r[3], r[4], r[5])
