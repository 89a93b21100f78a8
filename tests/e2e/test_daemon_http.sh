#!/bin/sh
# Issue 5, the daemon: `run` polls HTTP sources and serves; /metrics counts sources by state; the
# lock keeps a cron `poll` out while it runs; SIGHUP adds (and removes) a source without a restart
# and without losing the state of the others; a broken configuration on SIGHUP is refused;
# SIGTERM exits 0 within 5 s, also while a slow transfer is in flight.
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init
cd "$T" || exit 1
mkdir -p www

now=$(date +%s)
write_rss www/a.xml alpha 1 2
write_rss www/b.xml beta 1
write_rss www/slow.xml slow 1
RULES=$T/rules.json
cat >"$RULES" <<'EOF'
{"/a.xml": {"etag": "\"a1\"", "content_type": "application/rss+xml"},
 "/b.xml": {"etag": "\"b1\""},
 "/slow.xml": {"delay": 5}}
EOF
if start_fixture fx "$T/www" "$RULES"; then pass "fixture server starts"; else fail "fixture server starts" "no port file"; e2e_done; fi
BASE=http://127.0.0.1:$FX_PORT
reqs() { grep -c -F "\"path\": \"$1\"," "$FX_LOG"; }
f() { echo "$2" | awk -v n="$1" '{ print $n }'; }
published() { [ -f "$1" ] && has_title "$1" "$2"; }
not_published() { [ -f "$1" ] && ! has_title "$1" "$2"; }
stline() {
	run_tidings "$T/status" -c "$CONF" status
	awk -v n="$1" '$1 == n' "$T/status.out" | head -n 1
}
# metric_is STATE N : /metrics has tidings_sources{state="STATE"} N
metric_is() {
	curl -s -m 2 "http://127.0.0.1:$LISTEN_PORT/metrics" 2>/dev/null | grep -qx "tidings_sources{state=\"$1\"} $2"
}
site() {
	cat <<EOF
[site]
title = E2E daemon http
link = http://127.0.0.1:9/
output = $T/$1/public
database = $T/$1/var/t.db
listen = 127.0.0.1:0
poll_interval = 1h

[category news]
title = News
EOF
}
src() { printf '\n[source %s]\nurl = %s/%s\ntype = feed\ncategory = news\nallow_private = yes\n' "$1" "$BASE" "$2"; }

# --- 1. run: poll, publish, serve, metrics -------------------------------------------------------
mkdir -p d1
CONF=$T/d1/conf.ini
{ site d1; src alpha a.xml; } >"$CONF"
if ! start_daemon "$T/run" -c "$CONF" run; then fail "run starts" "no pid"; e2e_done; fi
PID1=$DAEMON_PID
if wait_listening "$T/run" 100; then
	pass "run prints 'listening on http://127.0.0.1:PORT/'"
else
	fail "run prints 'listening on http://127.0.0.1:PORT/'" "stderr: $(head -c 400 "$T/run.err" | tr '\n' '|') rc=$(cat "$T/run.rc" 2>/dev/null)"
	e2e_done
fi
PUB=$T/d1/public
check "run publishes alpha item 1" "not in news.atom after 10 s; stderr: $(head -c 300 "$T/run.err" | tr '\n' '|')" \
	wait_for 100 published "$PUB/news.atom" "alpha item 1"
check "/metrics shows tidings_sources{state=\"ok\"} 1" \
	"metrics: $(curl -s -m 2 "http://127.0.0.1:$LISTEN_PORT/metrics" | grep tidings_sources | tr '\n' '|')" wait_for 50 metric_is ok 1
check "/metrics shows tidings_sources{state=\"error\"} 0" "see above" metric_is error 0

# --- 2. the lock: a cron poll while the daemon runs ------------------------------------------------
run_tidings "$T/cron" -c "$CONF" poll --force
check "a poll while the daemon runs exits 1" "$(describe "$T/cron")" test "$RC" = 1
check "its message mentions the lock" "stderr: $(head -c 300 "$T/cron.err" | tr '\n' '|')" grep -qi 'lock' "$T/cron.err"
check "its message says another tidings is running" "stderr: $(head -c 300 "$T/cron.err" | tr '\n' '|')" grep -qi 'another tidings\|already running' "$T/cron.err"
n=$(reqs /a.xml)
check "the refused poll fetched nothing" "requests for /a.xml: $n" test "$n" = 1

# --- 3. SIGHUP adds a source --------------------------------------------------------------------------
before=$(stline alpha)
src beta b.xml >>"$CONF"
kill -HUP "$PID1" 2>/dev/null
check "SIGHUP: the new source is fetched and published" "beta item 1 not in news.atom after 10 s; stderr: $(tail -c 400 "$T/run.err" | tr '\n' '|')" \
	wait_for 100 published "$PUB/news.atom" "beta item 1"
check "SIGHUP: same daemon (PID $PID1) still running" "rc=$(cat "$T/run.rc" 2>/dev/null)" e2e_alive "$PID1"
check "SIGHUP: the reload is logged" "stderr: $(tail -c 400 "$T/run.err" | tr '\n' '|')" grep -q 'configuration reloaded' "$T/run.err"
n=$(reqs /a.xml)
check "SIGHUP: the old source is not fetched again (not due)" "requests for /a.xml: $n" test "$n" = 1
after=$(stline alpha)
check "SIGHUP: the old source keeps its state (status line unchanged)" "before '$before', after '$after'" test -n "$before" -a "$before" = "$after"
check "SIGHUP: the old source's items are still published" "alpha item 2 missing" published "$PUB/news.atom" "alpha item 2"
line=$(stline beta)
check "SIGHUP: status shows the new source ok with 1 item" "line: '$line'" test "$(f 2 "$line")" = ok -a "$(f 5 "$line")" = 1
check "/metrics after SIGHUP shows tidings_sources{state=\"ok\"} 2" \
	"metrics: $(curl -s -m 2 "http://127.0.0.1:$LISTEN_PORT/metrics" | grep tidings_sources | tr '\n' '|')" wait_for 50 metric_is ok 2

# --- 4. SIGHUP with a broken configuration is refused; removing a source --------------------------
cp "$CONF" "$T/good.ini"
printf '\n[source broken\nurl =\n' >>"$CONF"
kill -HUP "$PID1" 2>/dev/null
check "SIGHUP with a broken configuration: the refusal is logged" "stderr: $(tail -c 400 "$T/run.err" | tr '\n' '|')" \
	wait_for 30 _grep_q 'keeping the previous configuration' "$T/run.err"
check "SIGHUP with a broken configuration: still running" "rc=$(cat "$T/run.rc" 2>/dev/null)" e2e_alive "$PID1"
{ site d1; src beta b.xml; } >"$CONF"
kill -HUP "$PID1" 2>/dev/null
check "SIGHUP removing alpha: its items leave news.atom" "alpha item 1 still there after 10 s" \
	wait_for 100 not_published "$PUB/news.atom" "alpha item 1"
check "SIGHUP removing alpha: beta stays published" "beta item 1 missing" published "$PUB/news.atom" "beta item 1"
cp "$T/good.ini" "$CONF"
kill -HUP "$PID1" 2>/dev/null
check "SIGHUP adding alpha back: its items return" "alpha item 1 not back after 10 s" \
	wait_for 100 published "$PUB/news.atom" "alpha item 1"
line=$(stline alpha)
check "SIGHUP adding alpha back: its stored items are kept (status ITEMS 2)" "line: '$line'" test "$(f 5 "$line")" = 2
n=$(reqs /a.xml)
check "SIGHUP adding alpha back: not refetched (its schedule survived)" "requests for /a.xml: $n" test "$n" = 1

kill -TERM "$PID1" 2>/dev/null
if wait_exit "$PID1" 50 && wait_for_file "$T/run.rc" 20; then
	check "SIGTERM: run exits 0 within 5 s" "exit status $(cat "$T/run.rc")" test "$(cat "$T/run.rc")" = 0
else
	fail "SIGTERM: run exits 0 within 5 s" "still running after 5 s"
fi

# --- 5. SIGTERM while a 5 s transfer is in flight ------------------------------------------------------
mkdir -p d2
CONF=$T/d2/conf.ini
{ site d2; src slow slow.xml; } >"$CONF"
if ! start_daemon "$T/run2" -c "$CONF" run; then fail "second run starts" "no pid"; e2e_done; fi
PID2=$DAEMON_PID
if wait_for 50 _grep_q '"path": "/slow.xml",' "$FX_LOG"; then
	pass "SIGTERM during a poll: the slow request is in flight"
else
	fail "SIGTERM during a poll: the slow request is in flight" "no request within 5 s; stderr: $(head -c 300 "$T/run2.err" | tr '\n' '|')"
fi
sleep 0.3
t0=$(date +%s%N | cut -c1-13)
kill -TERM "$PID2" 2>/dev/null
if wait_exit "$PID2" 50 && wait_for_file "$T/run2.rc" 20; then
	took=$(($(date +%s%N | cut -c1-13) - t0))
	check "SIGTERM during a poll: exits 0 within 5 s" "exit status $(cat "$T/run2.rc") after ${took} ms" test "$(cat "$T/run2.rc")" = 0 -a "$took" -le 5000
else
	fail "SIGTERM during a poll: exits 0 within 5 s" "still running after 5 s"
fi
set_rules "$RULES" '{}'
run_tidings "$T/after" -c "$CONF" poll --force
check "after SIGTERM the lock is free: a poll runs and exits 0" "$(describe "$T/after")" test "$RC" = 0
check "after SIGTERM the interrupted source is fetched by the next poll" "slow item 1 not in news.atom" published "$T/d2/public/news.atom" "slow item 1"

e2e_done
