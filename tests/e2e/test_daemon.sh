#!/bin/sh
# `tidings run`: polls an HTTP fixture source at start, publishes, serves, survives SIGHUP and
# stops cleanly on SIGTERM.
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init
cd "$T" || exit 1
mkdir -p www

cat >www/feed.atom <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>tag:example.org,2026:daemon</id>
  <title>Daemon fixture</title>
  <updated>2026-11-20T08:00:00Z</updated>
  <link href="https://example.org/d/"/>
  <entry><id>tag:example.org,2026:d1</id><title>Daemon item one</title>
    <link href="https://example.org/d/1"/><updated>2026-11-19T08:00:00Z</updated>
    <summary>One.</summary></entry>
  <entry><id>tag:example.org,2026:d2</id><title>Daemon item two</title>
    <link href="https://example.org/d/2"/><updated>2026-11-20T08:00:00Z</updated>
    <summary>Two.</summary></entry>
</feed>
EOF
RULES=$T/rules.json
set_rules "$RULES" '{"/feed.atom": {"etag": "\"d1\"", "content_type": "application/atom+xml"}}'
if start_fixture fx "$T/www" "$RULES"; then pass "fixture server starts"; else fail "fixture server starts" "no port file"; e2e_done; fi

cat >conf.ini <<EOF
[site]
title = E2E daemon
link = http://127.0.0.1:9/
output = public
database = var/tidings.db
listen = 127.0.0.1:0
poll_interval = 1h

[category news]
title = News

[source fx]
url = http://127.0.0.1:$FX_PORT/feed.atom
type = feed
category = news
allow_private = yes
EOF

if ! start_daemon "$T/run" -c conf.ini run; then
	fail "run starts" "no pid"
	e2e_done
fi
if wait_listening "$T/run" 100; then
	pass "run prints 'listening on http://127.0.0.1:PORT/'"
else
	fail "run prints 'listening on http://127.0.0.1:PORT/'" "stderr: $(head -c 400 "$T/run.err" | tr '\n' '|') rc=$(cat "$T/run.rc" 2>/dev/null)"
	e2e_done
fi
if wait_for_file public/new.atom 100; then pass "run publishes public/new.atom"; else fail "run publishes public/new.atom" "not there after 10 s; stderr: $(head -c 300 "$T/run.err" | tr '\n' '|')"; fi
n=$(fc requests "$FX_LOG" /feed.atom)
check "run fetched the source" "requests=$n" test "$n" -ge 1

U=http://127.0.0.1:$LISTEN_PORT
http "$T/h" "$U/new.atom"
check "GET /new.atom -> 200" "HTTP $HTTP_CODE" test "$HTTP_CODE" = 200
check "served new.atom holds Daemon item two" "body: $(head -c 200 "$T/h.b" | tr '\n' ' ')" has_title "$T/h.b" "Daemon item two"
http "$T/h" "$U/healthz"
check "GET /healthz -> 200" "HTTP $HTTP_CODE" test "$HTTP_CODE" = 200
http "$T/h" "$U/metrics"
check "GET /metrics -> 200" "HTTP $HTTP_CODE" test "$HTTP_CODE" = 200

# SIGHUP reloads the configuration; the daemon keeps running and serving.
kill -HUP "$DAEMON_PID" 2>/dev/null
sleep 0.5
if e2e_alive "$DAEMON_PID"; then pass "run survives SIGHUP"; else fail "run survives SIGHUP" "exited, rc=$(cat "$T/run.rc" 2>/dev/null)"; fi
wait_for 20 sh -c "curl -s -m 2 -o /dev/null -w '%{http_code}' '$U/healthz' | grep -q 200"
http "$T/h" "$U/healthz"
check "GET /healthz after SIGHUP -> 200" "HTTP $HTTP_CODE" test "$HTTP_CODE" = 200

# A poll interval of 1h: no second fetch in the meantime.
n=$(fc requests "$FX_LOG" /feed.atom)
check "no extra fetch before the source is due" "requests=$n" test "$n" -le 2

kill -TERM "$DAEMON_PID" 2>/dev/null
if wait_exit "$DAEMON_PID" 50 && wait_for_file "$T/run.rc" 20; then
	rc=$(cat "$T/run.rc")
	check "run exits 0 within 5 s of SIGTERM" "exit status $rc" test "$rc" = 0
else
	fail "run exits 0 within 5 s of SIGTERM" "still running after 5 s"
fi

e2e_done
