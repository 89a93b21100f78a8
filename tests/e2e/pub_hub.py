#!/usr/bin/env python3
"""A tiny WebSub hub for tests/e2e/test_websub.sh (Python 3 standard library only).

    pub_hub.py --port-file FILE --log FILE [--rules FILE]

Listens on 127.0.0.1, port 0, and writes the port to --port-file (temporary file + rename).
Every request appends one JSON line to --log, after the answer is decided:
    {"method": "POST", "path": "/hub", "content_type": "...", "body": "hub.mode=publish&...",
     "form": {"hub.mode": ["publish"], "hub.url": ["http://..."]}, "status": 204, "time": 1.5}
The rules file (JSON, re-read on every request; write it atomically) decides the status of a
POST to /hub:
    {"status": 204,            answer for a POST (default 204)
     "fail_first": 1,          per hub.url, the first N POSTs of this epoch get fail_status
     "fail_status": 500,
     "epoch": "phase-3"}       counts of fail_first restart when the epoch changes
Any other path gets 404; other methods on /hub get 405.
"""

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

try:
    from http.server import ThreadingHTTPServer
except ImportError:  # Python < 3.7
    from socketserver import ThreadingMixIn

    class ThreadingHTTPServer(ThreadingMixIn, HTTPServer):
        daemon_threads = True

LOCK = threading.Lock()
SEEN = {}  # (epoch, hub.url) -> POSTs so far


class Hub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _rules(self):
        try:
            with open(self.server.rules_file, encoding="utf-8") as f:
                r = json.load(f)
            return r if isinstance(r, dict) else {}
        except (OSError, ValueError, TypeError):
            return {}

    def _answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _record(self, body, status):
        text = body.decode("utf-8", "replace")
        entry = {
            "method": self.command,
            "path": self.path,
            "content_type": self.headers.get("Content-Type", ""),
            "user_agent": self.headers.get("User-Agent", ""),
            "body": text,
            "form": parse_qs(text, keep_blank_values=True),
            "status": status,
            "time": time.time(),
        }
        with LOCK:
            with open(self.server.log_file, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        if self.path.partition("?")[0] != "/hub":
            self._record(body, 404)
            self._answer(404, b"no hub here\n")
            return
        rules = self._rules()
        status = int(rules.get("status", 204))
        urls = parse_qs(body.decode("utf-8", "replace")).get("hub.url", [""])
        key = (str(rules.get("epoch", "")), urls[0])
        with LOCK:
            SEEN[key] = SEEN.get(key, 0) + 1
            count = SEEN[key]
        if count <= int(rules.get("fail_first", 0)):
            status = int(rules.get("fail_status", 500))
        self._record(body, status)
        self._answer(status)

    def _other(self):
        self._record(b"", 405)
        self._answer(405)

    do_GET = do_HEAD = do_PUT = do_DELETE = _other


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--rules", default="")
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    server.daemon_threads = True
    server.log_file = args.log
    server.rules_file = args.rules
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
