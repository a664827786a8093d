#!/usr/bin/env python3
"""Test servers for `secex report` delivery, on 127.0.0.1 only.

usage: servers.py DIR [LIFETIME_SECONDS]

Starts, each on a free port of 127.0.0.1:
  http-ok     records every POST body as DIR/http-ok-N.body (and its headers as .headers), 200
  http-fail   records the same way as http-fail-N, answers 500 with a short text
  http-hang   reads the request and never answers (secex must give up after its timeout)
  smtp        a minimal SMTP responder (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that
              records each message as DIR/smtp-N.eml (dot-stuffing undone) and its envelope as
              DIR/smtp-N.env ("MAIL FROM:<...>" and "RCPT TO:<...>" lines); it refuses any
              recipient whose address starts with "refused" with 550
Writes "NAME PORT" lines to DIR/ports when all listen, then serves until LIFETIME_SECONDS
(default 120) have passed or it receives SIGTERM. Nothing here talks to any other address.
"""

import http.server
import os
import signal
import socketserver
import sys
import threading
import time

OUT = sys.argv[1]
LIFETIME = float(sys.argv[2]) if len(sys.argv) > 2 else 120.0
counters = {}
lock = threading.Lock()


def record(prefix, suffix, data):
    with lock:
        n = counters.get(prefix, 0) + 1
        counters[prefix] = n
    path = os.path.join(OUT, "%s-%d.%s" % (prefix, n, suffix))
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.rename(path + ".tmp", path)
    return n


class Recording(http.server.BaseHTTPRequestHandler):
    status = 200
    prefix = "http-ok"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        head = "".join("%s: %s\n" % (k, v) for k, v in self.headers.items()).encode()
        with lock:
            n = counters.get(self.prefix, 0) + 1
            counters[self.prefix] = n
        base = os.path.join(OUT, "%s-%d" % (self.prefix, n))
        with open(base + ".headers", "wb") as f:
            f.write(("%s %s\n" % (self.command, self.path)).encode() + head)
        with open(base + ".body", "wb") as f:
            f.write(body)
        reply = b"ok" if self.status == 200 else b"invalid_token"
        self.send_response(self.status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


class Failing(Recording):
    status = 500
    prefix = "http-fail"


class Hanging(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        time.sleep(LIFETIME)

    def log_message(self, *args):
        pass


class Smtp(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def data(self):
        lines = []
        while True:
            line = self.rfile.readline()
            if not line or line == b".\r\n":
                break
            lines.append(line[1:] if line.startswith(b".") else line)
        return b"".join(lines)

    def handle(self):
        env = []
        self.reply("220 127.0.0.1 secex test SMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode("ascii", "replace").strip()
            verb = cmd[:4].upper()
            if verb == "EHLO":
                self.reply("250-127.0.0.1 hello")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 127.0.0.1")
            elif verb == "MAIL":
                env = [cmd]
                self.reply("250 OK")
            elif verb == "RCPT":
                if cmd.upper().startswith("RCPT TO:<REFUSED"):
                    self.reply("550 5.1.1 no such mailbox")
                else:
                    env.append(cmd)
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                n = record("smtp", "eml", self.data())
                with open(os.path.join(OUT, "smtp-%d.env" % n), "w") as f:
                    f.write("\n".join(env) + "\n")
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 command not implemented")


class Threaded(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


class ThreadedTCP(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    servers = {
        "http-ok": Threaded(("127.0.0.1", 0), Recording),
        "http-fail": Threaded(("127.0.0.1", 0), Failing),
        "http-hang": Threaded(("127.0.0.1", 0), Hanging),
        "smtp": ThreadedTCP(("127.0.0.1", 0), Smtp),
    }
    for s in servers.values():
        threading.Thread(target=s.serve_forever, daemon=True).start()
    with open(os.path.join(OUT, "ports.tmp"), "w") as f:
        for name, s in servers.items():
            f.write("%s %d\n" % (name, s.server_address[1]))
    os.rename(os.path.join(OUT, "ports.tmp"), os.path.join(OUT, "ports"))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    stop.wait(LIFETIME)
    for s in servers.values():
        s.shutdown()


if __name__ == "__main__":
    main()
