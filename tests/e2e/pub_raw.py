#!/usr/bin/env python3
"""One raw HTTP/1.1 request over a socket, for tests/e2e/test_http.sh (standard library only),
where curl would hide what is on the wire (a body after a HEAD answer, a NUL in the path).

    pub_raw.py PORT METHOD TARGET [HEADER: VALUE]...

TARGET is sent as given, after replacing the escape \\0 by a NUL byte.  Waits at most 5 s.
Prints "STATUS BODYLEN" (STATUS 000 when no answer came), then each response header as
"name: value" with the name in lower case.  BODYLEN counts every byte after the header block.
"""

import socket
import sys


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    port, method, target = int(argv[1]), argv[2], argv[3]
    req = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % (method, target.replace("\\0", "\0"))
    for h in argv[4:]:
        req += h + "\r\n"
    req += "\r\n"
    data = b""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(req.encode("latin-1"))
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
    except OSError:
        pass
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n") if head else []
    status = "000"
    if lines and lines[0].startswith("HTTP/") and " " in lines[0]:
        status = lines[0].split(" ")[1]
    print(status, len(rest))
    for line in lines[1:]:
        k, sep, v = line.partition(":")
        if sep:
            print("%s: %s" % (k.strip().lower(), v.strip()))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except BrokenPipeError:
        sys.exit(0)
