#!/bin/sh
# WebSub publisher (issue 6): with `hub` set, a poll that changes feeds POSTs
# hub.mode=publish&hub.url=<feed URL> (form-encoded) for each changed feed; the feeds advertise the
# hub; a poll without changes pings nothing; a hub answering 500 is retried with backoff until it
# answers 2xx; an unreachable hub never fails the poll.  The hub is tests/e2e/pub_hub.py.
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init
cd "$T" || exit 1

. "$E2E_DIR/pub_lib.sh"

# start_hub NAME : starts pub_hub.py with rules $T/NAME.rules; sets HUB_PORT, HUB_PID, HUB_LOG.
start_hub() {
	HUB_LOG=$T/$1.log
	: >"$HUB_LOG"
	echo '{}' >"$T/$1.rules"
	rm -f "$T/$1.port"
	"$PYTHON" "$E2E_DIR/pub_hub.py" --port-file "$T/$1.port" --log "$HUB_LOG" --rules "$T/$1.rules" 2>"$T/$1.stderr" &
	HUB_PID=$!
	E2E_PIDS="$E2E_PIDS $HUB_PID"
	wait_for_file "$T/$1.port" 50 || return 1
	HUB_PORT=$(cat "$T/$1.port")
}

# posts FROM : the hub's log lines after line FROM, as "status TAB time TAB hub.url TAB mode TAB
# content-type TAB keys", one per POST to /hub.
posts() {
	tail -n +"$(($1 + 1))" "$HUB_LOG" | "$PYTHON" -c 'import json, sys
for line in sys.stdin:
    e = json.loads(line)
    if e["method"] != "POST" or e["path"] != "/hub":
        continue
    f = e["form"]
    print("\t".join([str(e["status"]), "%.3f" % e["time"], ",".join(f.get("hub.url", [])),
                     ",".join(f.get("hub.mode", [])), e["content_type"], ",".join(sorted(f))]))'
}
loglines() { wc -l <"$HUB_LOG" | tr -d ' '; }

add_item() { # FILE N : prepends item N to an RSS file
	awk -v n="$2" '!d && /<item>/ { printf "<item><title>Added item %s</title><link>https://a.example/added-%s</link><guid>https://a.example/added-%s</guid><pubDate>Fri, 20 Nov 2026 1%s:00:00 GMT</pubDate><description>x</description></item>\n", n, n, n, n; d = 1 } { print }' "$1" >"$1.tmp" && mv "$1.tmp" "$1"
}

if ! start_hub hub; then
	fail "hub starts" "$(cat "$T/hub.stderr")"
	e2e_done
fi
HUB=http://127.0.0.1:$HUB_PORT/hub
SITE=http://127.0.0.1:9/

mkdir -p src
for s in a b; do
	cat >src/$s.rss <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Source $s</title><link>https://$s.example/</link><description>$s</description>
<item><title>Item $s one</title><link>https://$s.example/1</link><guid>https://$s.example/1</guid><pubDate>Mon, 16 Nov 2026 10:00:00 GMT</pubDate><description>one</description></item>
<item><title>Item $s two</title><link>https://$s.example/2</link><guid>https://$s.example/2</guid><pubDate>Tue, 17 Nov 2026 10:00:00 GMT</pubDate><description>two</description></item>
</channel></rss>
EOF
done
# conf HUB TIMEOUT : writes conf.ini
conf() {
	cat >conf.ini <<EOF
[site]
title = WebSub test
link = $SITE
output = public
database = var/tidings.db
listen =
poll_interval = 0
timeout = $2
hub = $1

[category news]
title = News

[category other]
title = Other

[source a]
url = src/a.rss
type = feed
category = news

[source b]
url = src/b.rss
type = feed
category = other
EOF
}
conf "$HUB" 10s

# --- 1. First poll: every feed is new, each is pinged once.
start=$(loglines)
run_tidings "$T/poll1" -c conf.ini poll --force
if [ "$RC" -eq 0 ]; then pass "poll with a hub exits 0"; else fail "poll with a hub exits 0" "$(describe "$T/poll1")"; fi
wait_for 30 sh -c '[ "$(grep -c "\"POST\"" "$1")" -ge 9 ]' sh "$HUB_LOG"
posts "$start" >"$T/p1"
for f in news.rss news.atom news.json other.rss other.atom other.json new.rss new.atom new.json; do
	n=$(awk -F '\t' -v u="$SITE$f" '$3 == u' "$T/p1" | wc -l | tr -d ' ')
	check "hub got hub.mode=publish for $f" "$n POSTs for $SITE$f; hub saw: $(cut -f3 "$T/p1" | tr '\n' ' ')" test "$n" -ge 1
	check "one ping for $f per change" "$n POSTs" test "$n" -le 1
done
bad=$(awk -F '\t' '$4 != "publish" || $6 != "hub.mode,hub.url"' "$T/p1" | head -n 2 | tr '\n' '|')
check "every POST body is exactly hub.mode=publish&hub.url=..." "$bad" test -z "$bad" -a -s "$T/p1"
bad=$(awk -F '\t' '$5 !~ /^application\/x-www-form-urlencoded/' "$T/p1" | head -n 2 | tr '\n' '|')
check "POSTs are application/x-www-form-urlencoded" "$bad" test -z "$bad" -a -s "$T/p1"
bad=$(cut -f3 "$T/p1" | while IFS= read -r u; do [ -f "public/${u#"$SITE"}" ] || echo "$u"; done | head -n 3 | tr '\n' ' ')
check "every pinged hub.url is a published file under the site link" "not published: $bad" test -z "$bad"
check "the hub's raw body percent-encodes hub.url" "$(grep -m1 POST "$HUB_LOG" | head -c 300)" grep -q '"body": "hub.mode=publish&hub.url=http%3A%2F%2F127.0.0.1%3A9%2F' "$HUB_LOG"
pc hubs public "$HUB"

# --- 2. A poll with no change pings nothing.
start=$(loglines)
run_tidings "$T/poll2" -c conf.ini poll
if [ "$RC" -eq 0 ]; then pass "second poll exits 0"; else fail "second poll exits 0" "$(describe "$T/poll2")"; fi
sleep 1
posts "$start" >"$T/p2"
check "a poll without changes sends no ping" "$(wc -l <"$T/p2") POSTs: $(cut -f3 "$T/p2" | tr '\n' ' ')" test ! -s "$T/p2"

# --- 3. The hub fails the first POST of each URL with 500: retried (with backoff) until 204,
# and only the changed category and new.* are pinged.
set_rules "$T/hub.rules" '{"status": 204, "fail_first": 1, "fail_status": 500, "epoch": "p3"}'
add_item src/a.rss 3
start=$(loglines)
t0=$(date +%s)
run_tidings "$T/poll3" -c conf.ini poll
t1=$(date +%s)
if [ "$RC" -eq 0 ]; then pass "poll with a failing hub exits 0"; else fail "poll with a failing hub exits 0" "$(describe "$T/poll3")"; fi
check "poll with a failing hub returns within 10 s" "$((t1 - t0)) s" test $((t1 - t0)) -le 10
# Each of the six URLs needs a 500 and a 204; wait (bounded, 10 s) for the retries.
wait_for 100 sh -c '[ "$(tail -n +$(($2 + 1)) "$1" | grep -c "\"status\": 204")" -ge 6 ]' sh "$HUB_LOG" "$start"
posts "$start" >"$T/p3"
for f in news.rss news.atom news.json new.rss new.atom new.json; do
	awk -F '\t' -v u="$SITE$f" '$3 == u' "$T/p3" >"$T/p3.$f"
	first=$(head -n 1 "$T/p3.$f" | cut -f1)
	ok=$(awk -F '\t' '$1 ~ /^2/' "$T/p3.$f" | head -n 1 | cut -f2)
	bad=$(head -n 1 "$T/p3.$f" | cut -f2)
	if [ "$first" = 500 ] && [ -n "$ok" ]; then
		pass "$f ping retried after the hub's 500 until 2xx"
		gap=$(awk -v a="$bad" -v b="$ok" 'BEGIN { print (b - a >= 1.0) ? "yes" : "no" }')
		check "$f retry waits (backoff >= 1 s)" "retried $(awk -v a="$bad" -v b="$ok" 'BEGIN { printf "%.2f", b - a }') s later" test "$gap" = yes
	else
		fail "$f ping retried after the hub's 500 until 2xx" "statuses: $(cut -f1 "$T/p3.$f" | tr '\n' ' ')"
	fi
done
n=$(grep -c -e "${SITE}other\." "$T/p3")
check "unchanged category other.* is not pinged" "$n POSTs for other.*" test "$n" -eq 0

# --- 4. An unreachable hub: the poll still publishes and exits 0 in bounded time.
e2e_stop_pid "$HUB_PID"
conf "http://127.0.0.1:$HUB_PORT/hub" 2s
add_item src/a.rss 4
t0=$(date +%s)
run_tidings "$T/poll4" -c conf.ini poll
t1=$(date +%s)
if [ "$RC" -eq 0 ]; then pass "poll with an unreachable hub exits 0"; else fail "poll with an unreachable hub exits 0" "$(describe "$T/poll4")"; fi
check "poll with an unreachable hub returns within 8 s" "$((t1 - t0)) s" test $((t1 - t0)) -le 8
check "poll with an unreachable hub still publishes" "Added item 4 not in news.atom" has_title public/news.atom "Added item 4"

e2e_done
