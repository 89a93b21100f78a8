#!/bin/sh
# `tidings serve`: content types, validators, conditional requests, HEAD, gzip, 404/405, no
# path traversal, /healthz, clean SIGTERM.
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init
cd "$T" || exit 1
mkdir -p src

cat >src/feed.rss <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Serve fixture</title><link>https://example.org/s/</link>
<description>serve test</description>
<item><title>Served item one</title><link>https://example.org/s/1</link><guid>s-1</guid>
<pubDate>Mon, 16 Nov 2026 10:00:00 GMT</pubDate><description>One.</description></item>
<item><title>Served item two</title><link>https://example.org/s/2</link><guid>s-2</guid>
<pubDate>Tue, 17 Nov 2026 10:00:00 GMT</pubDate><description>Two.</description></item>
</channel></rss>
EOF
cat >conf.ini <<'EOF'
[site]
title = E2E serve
link = http://127.0.0.1:9/
output = public
database = var/tidings.db
listen = 127.0.0.1:0

[category news]
title = News

[source local]
url = src/feed.rss
type = feed
category = news
EOF

run_tidings "$T/poll" -c conf.ini poll --force
if [ "$RC" -eq 0 ] && [ -s public/new.atom ]; then pass "poll publishes before serve"; else fail "poll publishes before serve" "$(describe "$T/poll")"; fi

if ! start_daemon "$T/serve" -c conf.ini serve; then
	fail "serve starts" "no pid"
	e2e_done
fi
if wait_listening "$T/serve" 100; then
	pass "serve prints 'listening on http://127.0.0.1:PORT/'"
else
	fail "serve prints 'listening on http://127.0.0.1:PORT/'" "stderr: $(head -c 400 "$T/serve.err" | tr '\n' '|') rc=$(cat "$T/serve.rc" 2>/dev/null)"
	e2e_done
fi
U=http://127.0.0.1:$LISTEN_PORT
H=$T/h

# expect_code NAME WANT CURL-ARGS...
expect_code() {
	_n=$1
	_w=$2
	shift 2
	http "$H" "$@"
	case " $_w " in
	*" $HTTP_CODE "*) pass "$_n" ;;
	*) fail "$_n" "HTTP $HTTP_CODE, want $_w" ;;
	esac
}

# GET /new.atom
expect_code "GET /new.atom -> 200" 200 "$U/new.atom"
ct=$(header "$H" Content-Type)
check "new.atom Content-Type" "got '$ct'" test "$ct" = "application/atom+xml; charset=utf-8"
etag=$(header "$H" ETag)
lm=$(header "$H" Last-Modified)
check "new.atom has ETag" "none" test -n "$etag"
check "new.atom has Last-Modified" "none" test -n "$lm"
cc=$(header "$H" Cache-Control)
check "new.atom has Cache-Control" "none" test -n "$cc"
check "GET body equals public/new.atom" "differs" cmp -s "$H.b" public/new.atom
cl=$(header "$H" Content-Length)
size=$(wc -c <public/new.atom | tr -d ' ')

expect_code "If-None-Match: <etag> -> 304" 304 -H "If-None-Match: $etag" "$U/new.atom"
check "304 carries the ETag" "got '$(header "$H" ETag)'" test "$(header "$H" ETag)" = "$etag"
check "304 has no body" "$(wc -c <"$H.b") bytes" test ! -s "$H.b"
expect_code "If-None-Match: other -> 200" 200 -H 'If-None-Match: "nope"' "$U/new.atom"
expect_code "If-Modified-Since: <Last-Modified> -> 304" 304 -H "If-Modified-Since: $lm" "$U/new.atom"
expect_code "If-Modified-Since: 1990 -> 200" 200 -H "If-Modified-Since: Mon, 01 Jan 1990 00:00:00 GMT" "$U/new.atom"

# HEAD, read raw so a body sent after the headers would show.
"$PYTHON" - "$LISTEN_PORT" >"$T/head.out" 2>&1 <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"HEAD /new.atom HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
data = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except socket.timeout:
    pass
head, sep, rest = data.partition(b"\r\n\r\n")
status = head.split(b"\r\n", 1)[0].decode("latin-1")
cl = [l.split(b":", 1)[1].strip().decode() for l in head.split(b"\r\n")[1:] if l.lower().startswith(b"content-length:")]
print(status.split(" ")[1] if " " in status else "?", len(rest), cl[0] if cl else "-")
EOF
read -r hcode hbody hcl <"$T/head.out"
check "HEAD /new.atom -> 200" "got: $(cat "$T/head.out")" test "$hcode" = 200
check "HEAD sends no body" "$hbody bytes after the headers" test "$hbody" = 0
check "HEAD Content-Length matches the file" "Content-Length $hcl, file $size" test "$hcl" = "$size" -o "$hcl" = -

# gzip
http "$H.gz" -H 'Accept-Encoding: gzip' "$U/new.atom"
ce=$(header "$H.gz" Content-Encoding)
if [ "$HTTP_CODE" = 200 ] && [ "$ce" = gzip ] && gzip -dc <"$H.gz.b" 2>/dev/null | cmp -s - public/new.atom; then
	pass "Accept-Encoding: gzip -> gzip body of new.atom"
else
	fail "Accept-Encoding: gzip -> gzip body of new.atom" "HTTP $HTTP_CODE Content-Encoding '$ce'"
fi
check "plain GET Content-Length matches the file" "Content-Length '$cl', file $size" test "$cl" = "$size"

# Other types.
expect_code "GET /news.rss -> 200" 200 "$U/news.rss"
ct=$(header "$H" Content-Type)
check "news.rss Content-Type" "got '$ct'" test "$ct" = "application/rss+xml; charset=utf-8"
expect_code "GET /news.json -> 200" 200 "$U/news.json"
ct=$(header "$H" Content-Type)
check "news.json Content-Type" "got '$ct'" test "$ct" = "application/feed+json; charset=utf-8"
expect_code "GET / -> 200" 200 "$U/"
ct=$(header "$H" Content-Type)
case $ct in text/html*) pass "/ Content-Type text/html" ;; *) fail "/ Content-Type text/html" "got '$ct'" ;; esac
check "/ serves index.html" "body differs from public/index.html" cmp -s "$H.b" public/index.html
expect_code "GET /feeds.opml -> 200" 200 "$U/feeds.opml"
ct=$(header "$H" Content-Type)
case $ct in text/x-opml*) pass "feeds.opml Content-Type text/x-opml" ;; *) fail "feeds.opml Content-Type text/x-opml" "got '$ct'" ;; esac

# Errors and traversal.
expect_code "GET /nope -> 404" 404 "$U/nope"
echo secret >"$T/secret.txt"
expect_code "GET /../etc/passwd -> 404|400" "400 404" --path-as-is "$U/../etc/passwd"
check "/../etc/passwd leaks nothing" "body has passwd content" sh -c "! grep -q 'root:' '$H.b'"
expect_code "GET /%2e%2e/etc/passwd -> 404|400" "400 404" --path-as-is "$U/%2e%2e/etc/passwd"
expect_code "GET /..%2fsecret.txt -> 404|400" "400 404" --path-as-is "$U/..%2fsecret.txt"
expect_code "GET /%2e%2e%2fsecret.txt -> 404|400" "400 404" --path-as-is "$U/%2e%2e%2fsecret.txt"
check "secret.txt next to public/ not leaked" "body has it" sh -c "! grep -q secret '$H.b'"
expect_code "GET //etc/passwd -> 404|400" "400 404" --path-as-is "$U//etc/passwd"
expect_code "POST /new.atom -> 405" 405 -X POST -d x "$U/new.atom"
expect_code "GET /healthz -> 200" 200 "$U/healthz"

# SIGTERM stops it cleanly.
kill -TERM "$DAEMON_PID" 2>/dev/null
if wait_exit "$DAEMON_PID" 50 && wait_for_file "$T/serve.rc" 20; then
	rc=$(cat "$T/serve.rc")
	check "serve exits 0 on SIGTERM" "exit status $rc" test "$rc" = 0
else
	fail "serve exits 0 on SIGTERM" "still running after 5 s"
fi

e2e_done
