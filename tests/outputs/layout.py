#!/usr/bin/env python3
"""Lays a page out in headless Chromium at one width and checks that it reads there.

usage: layout.py CHROMIUM PAGE.html WIDTH report|metrics WORKDIR
The page is laid out in an iframe that wide; a script beside it measures the boxes and
writes them into the DOM, which `chromium --dump-dom` prints; a screenshot of the same goes
to WORKDIR/PAGE.html-WIDTH.png. Checks: the page is no wider than the
window; at the report, every table cell is wide enough for a few words and no two cells of
a row overlap; the screenshot is painted within WIDTH and not beyond; at the metrics page, the series table fits the window at 1280 px and scrolls
inside its own box (never the page) when narrower, and every chart fits the window.
Exits 1 with the reasons, 77 when Chromium cannot lay the page out.
"""

import json
import os
import re
import struct
import subprocess
import sys
import zlib

# The page goes into an iframe of the width asked for (Chromium's window is at least 500 px
# wide); srcdoc keeps it same-origin, so the wrapper's script can measure its boxes.
WRAPPER = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0}iframe{border:0;display:block}</style>
</head><body><iframe id="page" width="%d" height="1400" srcdoc="%s"></iframe><script>
document.getElementById('page').addEventListener('load', function () {
  var w = this.contentWindow, d = this.contentDocument;
  function box(e) { var r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }
  var out = {inner: w.innerWidth, scroll: d.documentElement.scrollWidth, rows: [], wide: [], svgs: []};
  d.querySelectorAll('tr').forEach(function (tr) {
    var cells = [];
    tr.querySelectorAll('td').forEach(function (td) { cells.push({box: box(td), text: td.textContent.length}); });
    if (cells.length) out.rows.push(cells);
  });
  d.querySelectorAll('.wide').forEach(function (e) {
    out.wide.push({client: e.clientWidth, scroll: e.scrollWidth, box: box(e)});
  });
  d.querySelectorAll('svg').forEach(function (s) { out.svgs.push(box(s)); });
  var pre = document.createElement('pre');
  pre.id = 'layout';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script></body></html>"""


def chromium_args(chromium, work, name):
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--user-data-dir=" + os.path.join(work, "chromium-" + name), "--virtual-time-budget=3000"]


def wrap(page, width, work):
    text = open(page, encoding="utf-8").read()
    srcdoc = text.replace("&", "&amp;").replace('"', "&quot;")
    copy = os.path.join(work, "layout-%s-%d.html" % (os.path.basename(page), width))
    open(copy, "w", encoding="utf-8").write(WRAPPER % (width, srcdoc))
    return copy


def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.TimeoutExpired) as e:
        print("SKIP: chromium did not run: %s" % e)
        sys.exit(77)


def measure(chromium, page, width, work):
    copy = wrap(page, width, work)
    dom = run(chromium_args(chromium, work, "dom") + ["--window-size=%d,1400" % max(width, 500), "--dump-dom",
                                                      "file://" + os.path.abspath(copy)])
    m = re.search(r'<pre id="layout">(.*?)</pre>', dom, re.S)
    if not m:
        print("SKIP: chromium gave no layout (%d bytes of DOM)" % len(dom))
        sys.exit(77)
    shot = os.path.join(work, "%s-%d.png" % (os.path.basename(page), width))
    run(chromium_args(chromium, work, "png") + ["--window-size=%d,1400" % width if width >= 500 else
                                                "--window-size=500,1400", "--screenshot=" + shot,
                                                "file://" + os.path.abspath(copy)])
    return json.loads(m.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def pixels(path):
    """(width, height, rows of RGB bytes) of an 8-bit RGB or RGBA PNG."""
    data = open(path, "rb").read()
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", data[pos + 8:pos + 8 + n])
        elif kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    w, h, depth, ctype = ihdr[0], ihdr[1], ihdr[2], ihdr[3]
    bpp = 4 if ctype == 6 else 3
    raw, stride, rows, prev, i = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([bytes(line[x:x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return w, h, rows


def check_shot(path, width):
    """The page painted within its width: many colours there, nothing to the right of it."""
    problems = []
    if not os.path.exists(path):
        return ["no screenshot"]
    w, h, rows = pixels(path)
    inside = {rows[y][x] for y in range(0, h, 9) for x in range(0, min(width, w), 5)}
    if len(inside) < 16:
        problems.append("the screenshot has only %d colours within %d px: nothing rendered" % (len(inside), width))
    outside = {rows[y][x] for y in range(h) for x in range(width + 2, w)}
    if len(outside) > 1:
        problems.append("the screenshot has paint right of %d px" % width)
    return problems


def overlap(a, b):
    return min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1


def check(kind, width, got):
    problems = []
    if got["inner"] != width:
        problems.append("the window is %d px wide, not %d" % (got["inner"], width))
    if got["scroll"] > got["inner"] + 1:
        problems.append("the page is %d px wide in a %d px window: it scrolls sideways" % (got["scroll"], got["inner"]))
    if kind == "report":
        for cells in got["rows"]:
            for i, c in enumerate(cells):
                w = c["box"][2] - c["box"][0]
                if c["text"] > 12 and w < min(160, 0.4 * width):
                    problems.append("a cell of %d characters is only %.0f px wide" % (c["text"], w))
                for d in cells[i + 1:]:
                    if overlap(c["box"], d["box"]):
                        problems.append("two cells of a row overlap: %s and %s" % (c["box"], d["box"]))
        if not got["rows"]:
            problems.append("no table rows: nothing was measured")
    else:
        for w in got["wide"]:
            if w["box"][2] > width + 1:
                problems.append("the series box ends at %.0f px, past the window" % w["box"][2])
            if width >= 1280 and w["scroll"] > w["client"] + 1:
                problems.append("the series table needs %d px at %d: it should fit" % (w["scroll"], width))
        for s in got["svgs"]:
            if s[2] > width + 1:
                problems.append("a chart ends at %.0f px, past the window" % s[2])
        if not got["wide"]:
            problems.append("no series table: nothing was measured")
    return sorted(set(problems))


def main():
    chromium, page, width, kind, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
    problems = check(kind, width, measure(chromium, page, width, work))
    problems += check_shot(os.path.join(work, "%s-%d.png" % (os.path.basename(page), width)), width)
    for p in problems:
        print("%s at %d px: %s" % (os.path.basename(page), width, p))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
