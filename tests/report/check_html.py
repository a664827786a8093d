#!/usr/bin/env python3
"""Checks for `secex report --format html` and its screenshot.

usage: check_html.py page FILE.html      well-formed, self-contained HTML5
       check_html.py png FILE.png         a real rendering: not tiny, not one colour
Exits 1 with the reason on the first problem.
"""

import html.parser
import struct
import sys
import zlib

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Checker(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.problems = []
        self.seen = set()
        self.doctype = False

    def handle_decl(self, decl):
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        self.seen.add(tag)
        if tag in ("script", "iframe", "object", "embed", "link", "img", "base"):
            self.problems.append("<%s> in a page that must be self-contained" % tag)
        for name, value in attrs:
            v = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append("event handler attribute %s" % name)
            if name in ("src", "href", "action", "srcset", "poster") and not v.startswith(("mailto:", "#")):
                self.problems.append("external reference %s=%r" % (name, value))
            if name == "style" and "url(" in v:
                self.problems.append("url() in a style attribute")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            self.problems.append("end tag for void element </%s>" % tag)
        elif not self.stack or self.stack[-1] != tag:
            self.problems.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "style" and ("url(" in data or "@import" in data):
            self.problems.append("external resource in the style sheet")


def check_page(path):
    text = open(path, "rb").read().decode("utf-8")
    c = Checker()
    c.feed(text)
    c.close()
    if not c.doctype:
        c.problems.append("no <!DOCTYPE html>")
    if c.stack:
        c.problems.append("unclosed elements: %s" % c.stack)
    for tag in ("html", "head", "meta", "title", "style", "body", "h1"):
        if tag not in c.seen:
            c.problems.append("no <%s>" % tag)
    if 'charset="utf-8"' not in text:
        c.problems.append("no utf-8 charset declaration")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        c.problems.append("control characters in the page")
    return c.problems


def png_pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width, height, ctype, depth = 8, b"", 0, 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    return width, height, depth, ctype, raw, len(data)


def check_png(path):
    width, height, depth, ctype, raw, size = png_pixels(path)
    problems = []
    if size < 20000:
        problems.append("the screenshot is only %d bytes" % size)
    if width < 800 or height < 800:
        problems.append("the screenshot is %dx%d" % (width, height))
    # Distinct byte patterns across the rows (filters aside): a blank page has next to none.
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype, 1) * max(depth // 8, 1)
    stride = width * channels + 1
    colours = set()
    for y in range(0, height, 7):
        row = raw[y * stride + 1:(y + 1) * stride]
        for x in range(0, len(row) - channels, channels * 5):
            colours.add(row[x:x + channels])
            if len(colours) > 64:
                return problems
    problems.append("the screenshot has only %d distinct colours: nothing rendered" % len(colours))
    return problems


def main():
    kind, path = sys.argv[1], sys.argv[2]
    problems = check_page(path) if kind == "page" else check_png(path)
    for p in problems:
        print("%s: %s" % (path, p))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
