#!/usr/bin/env python3
"""Fixture HTTP server for the tidings end-to-end tests (Python 3 standard library only).

    fixture_server.py --root DIR --port-file FILE [--rules FILE] [--log FILE] [--host ADDR]

Listens on ADDR (default 127.0.0.1), port 0, and writes the chosen port to --port-file
(atomically: temporary file + rename, so a reader never sees a partial number).  Runs until
killed.

Every request first appends one JSON line to --log:
    {"method": "GET", "path": "/feed.xml", "query": "", "headers": {"User-Agent": "..."},
     "time": 1700000000.5, "client_port": 41234}
(header names as sent; a repeated header keeps its last value; "time" when the request arrived;
"client_port" tells connections apart, so a test can see reuse).

Then the rules file (JSON, re-read on every request so a test may rewrite it mid-test; write it
atomically) decides the answer for the request path (without the query string):
    {"/feed.xml": {
        "status": 200,                 default 200 (404 when there is no body)
        "etag": "\\"v1\\"",            sent as ETag; If-None-Match equal to it -> 304
        "last_modified": "Thu, 18 Nov 2021 11:15:00 GMT",
                                       sent as Last-Modified; If-Modified-Since equal to it
                                       (and no If-None-Match) -> 304
        "delay": 0.5,                  seconds to wait before answering
        "content_type": "application/rss+xml",
        "headers": {"Retry-After": "120"},
        "body_file": "feed-v1.xml",    relative to --root (default: the request path under --root)
        "body": "inline text",         used instead of a file
        "redirect": "/other.xml",      answer with Location (status defaults to 302)
        "gzip": true,                  send the body gzip-encoded when the client accepts it
        "not_modified_etags": ["\\"v1\\""],
                                       more If-None-Match values answered with 304 (the 304
                                       still carries "etag", so a 304 can hand out a new one)
        "drip": 0.5,                   send the body one byte at a time, this many seconds apart
                                       (Content-Length announces the whole body)
        "reset": true                  answer nothing: close the connection with a TCP reset
    }}
All keys are optional; a rule without the later ones behaves as before they existed.
A path without a rule is served from --root when the file exists, else 404.  HEAD answers like
GET without the body; any other method gets 405.
"""

import argparse
import gzip
import json
import os
import socket
import struct
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, HTTPServer

try:
    from http.server import ThreadingHTTPServer
except ImportError:  # Python < 3.7
    from socketserver import ThreadingMixIn

    class ThreadingHTTPServer(ThreadingMixIn, HTTPServer):
        daemon_threads = True

TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".opml": "text/x-opml",
}

LOG_LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tidings-fixture/1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def _log(self):
        if not self.server.log_file:
            return
        path, _, query = self.path.partition("?")
        entry = {
            "method": self.command,
            "path": path,
            "query": query,
            "headers": {k: v for k, v in self.headers.items()},
            "time": time.time(),
            "client_port": self.client_address[1],
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with LOG_LOCK:
            with open(self.server.log_file, "a", encoding="utf-8") as f:
                f.write(line)
                f.flush()

    def _rules(self):
        if not self.server.rules_file:
            return {}
        try:
            with open(self.server.rules_file, encoding="utf-8") as f:
                data = json.load(f)
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _send(self, status, headers, body, head_only):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head_only and body:
            self.wfile.write(body)

    def _handle(self, head_only):
        self._log()
        path = self.path.partition("?")[0]
        rule = self._rules().get(path, {})
        if not isinstance(rule, dict):
            rule = {}
        if rule.get("reset"):
            self._reset()
            return
        delay = float(rule.get("delay", 0) or 0)
        if delay > 0:
            time.sleep(delay)

        headers = []
        etag = rule.get("etag")
        last_modified = rule.get("last_modified")
        if etag:
            headers.append(("ETag", etag))
        if last_modified:
            headers.append(("Last-Modified", last_modified))
        for k, v in (rule.get("headers") or {}).items():
            headers.append((k, str(v)))

        if rule.get("redirect"):
            headers.append(("Location", rule["redirect"]))
            self._send(int(rule.get("status", 302)), headers, b"", head_only)
            return

        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        accepted = [etag] if etag else []
        accepted += [str(e) for e in (rule.get("not_modified_etags") or [])]
        if (accepted and inm is not None and any(t.strip() in accepted for t in inm.split(","))) or (
            last_modified and inm is None and ims is not None and ims.strip() == last_modified
        ):
            self._send(304, headers, b"", True)
            return

        body = None
        name = None
        if "body" in rule:
            body = rule["body"].encode("utf-8")
        else:
            rel = rule.get("body_file") or path.lstrip("/")
            full = os.path.realpath(os.path.join(self.server.root, rel))
            if (full == self.server.root or full.startswith(self.server.root + os.sep)) and os.path.isfile(full):
                with open(full, "rb") as f:
                    body = f.read()
                name = full
        status = int(rule.get("status", 200 if body is not None else 404))
        if body is None:
            body = b"not found\n" if status == 404 else b""

        ctype = rule.get("content_type")
        if not ctype and name:
            ctype = TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")
        if ctype and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", ctype))
        if not any(k.lower() == "date" for k, _ in headers):
            headers.append(("Date", formatdate(usegmt=True)))
        if rule.get("gzip") and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        drip = float(rule.get("drip", 0) or 0)
        if drip > 0 and not head_only:
            self._drip(status, headers, body, drip)
            return
        self._send(status, headers, body, head_only)

    def _drip(self, status, headers, body, gap):
        """Headers at once, then the body one byte every GAP seconds until the client leaves."""
        self.close_connection = True
        try:
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(gap)
        except OSError:
            pass

    def _reset(self):
        """Close the socket without a word; SO_LINGER 0 makes the close a TCP reset."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def do_GET(self):
        self._handle(False)

    def do_HEAD(self):
        self._handle(True)

    def _not_allowed(self):
        self._log()
        self._send(405, [("Allow", "GET, HEAD")], b"", False)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--rules")
    ap.add_argument("--log")
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args()

    server = ThreadingHTTPServer((args.host, 0), Handler)
    server.daemon_threads = True
    server.root = os.path.realpath(args.root)
    server.rules_file = args.rules
    server.log_file = args.log
    port = server.server_address[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
