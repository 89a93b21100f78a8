#!/bin/sh
# An HTTP feed source: conditional requests (If-None-Match / If-Modified-Since), no rewrite on
# 304, a changed feed picked up, and a failing source (HTTP 500, timeout) that does not stop the
# poll or the other source's items.
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init
cd "$T" || exit 1
mkdir -p www

now=$(date +%s)
LM1=$(rfc822 $((now - 7200)))
LM2=$(rfc822 $((now - 3600)))
LM3=$(rfc822 $((now - 1800)))

# write_feed FILE ITEM-NUMBERS... : RSS 2.0 with items "Fixture item N" dated N hours ago.
write_feed() {
	_f=$1
	shift
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo '<rss version="2.0"><channel><title>Fixture feed</title>'
		echo '<link>https://example.org/fx/</link><description>e2e fixture</description>'
		for _n in "$@"; do
			echo "<item><title>Fixture item $_n</title><link>https://example.org/fx/$_n</link>"
			echo "<guid isPermaLink=\"false\">fx-$_n</guid><pubDate>$(rfc822 $((now - 86400 + _n * 600)))</pubDate>"
			echo "<description>Body of fixture item $_n.</description></item>"
		done
		echo '</channel></rss>'
	} >"$_f"
}
write_feed www/feed-v1.xml 2 1
write_feed www/feed-v2.xml 3 2 1
write_feed www/feed-v3.xml 4 3 2 1
# other sources of step 4: one served gzip-encoded, one reached through a redirect
sed 's/Fixture item/Gzip item/g; s/fx-/gz-/g; s|/fx/|/gz/|g' www/feed-v1.xml >www/gz.xml
sed 's/Fixture item/Moved item/g; s/fx-/mv-/g; s|/fx/|/mv/|g' www/feed-v1.xml >www/moved.xml

RULES=$T/rules.json
set_rules "$RULES" "{\"/feed.xml\": {\"etag\": \"\\\"v1\\\"\", \"last_modified\": \"$LM1\", \"body_file\": \"feed-v1.xml\", \"content_type\": \"application/rss+xml\"}}"
if start_fixture fx "$T/www" "$RULES"; then pass "fixture server starts"; else fail "fixture server starts" "no port file"; e2e_done; fi
BASE=http://127.0.0.1:$FX_PORT

site() {
	cat <<EOF
[site]
title = E2E HTTP
link = http://127.0.0.1:9/
output = public
database = var/tidings.db
listen =
timeout = ${1:-10s}

[category news]
title = News

[source fx]
url = $BASE/feed.xml
type = feed
category = news
allow_private = yes
EOF
}
site >conf.ini

# 1. First poll publishes the items.
run_tidings "$T/poll1" -c conf.ini poll --force
if [ "$RC" -eq 0 ]; then pass "poll --force exits 0"; else fail "poll --force exits 0" "$(describe "$T/poll1")"; fi
for n in 1 2; do
	check "news.atom holds Fixture item $n" "not in public/news.atom" has_title public/news.atom "Fixture item $n"
done
check "new.atom holds Fixture item 1" "not in public/new.atom" has_title public/new.atom "Fixture item 1"
ua=$(fc header "$FX_LOG" /feed.xml 1 User-Agent)
case $ua in tidings/*) pass "User-Agent is tidings/..." ;; *) fail "User-Agent is tidings/..." "got '$ua'" ;; esac
inm=$(fc header "$FX_LOG" /feed.xml 1 If-None-Match)
ims=$(fc header "$FX_LOG" /feed.xml 1 If-Modified-Since)
nreq=$(fc requests "$FX_LOG" /feed.xml)
check "first request is unconditional" "requests=$nreq If-None-Match: '$inm' If-Modified-Since: '$ims'" \
	test "$nreq" -ge 1 -a -z "$inm$ims"

# 2. Second poll: conditional request, 304, nothing rewritten.
snapshot public >"$T/snap1"
run_tidings "$T/poll2" -c conf.ini poll --force
if [ "$RC" -eq 0 ]; then pass "second poll exits 0"; else fail "second poll exits 0" "$(describe "$T/poll2")"; fi
nreq=$(fc requests "$FX_LOG" /feed.xml)
check "second poll fetched /feed.xml again" "requests=$nreq" test "$nreq" -eq 2
inm=$(fc header "$FX_LOG" /feed.xml 2 If-None-Match)
check "second request carries If-None-Match: \"v1\"" "got '$inm'" test "$inm" = '"v1"'
ims=$(fc header "$FX_LOG" /feed.xml 2 If-Modified-Since)
check "second request carries If-Modified-Since: $LM1" "got '$ims'" test "$ims" = "$LM1"
snapshot public >"$T/snap2"
if [ ! -s "$T/snap1" ]; then fail "304 rewrites no output file" "public/ is empty or missing"
elif cmp -s "$T/snap1" "$T/snap2"; then pass "304 rewrites no output file"; else fail "304 rewrites no output file" "$(diff "$T/snap1" "$T/snap2" | grep '^[<>]' | head -n 4 | tr '\n' '|')"; fi

# 3. The feed changes (new item, ETag "v2").
set_rules "$RULES" "{\"/feed.xml\": {\"etag\": \"\\\"v2\\\"\", \"last_modified\": \"$LM2\", \"body_file\": \"feed-v2.xml\", \"content_type\": \"application/rss+xml\"}}"
run_tidings "$T/poll3" -c conf.ini poll --force
if [ "$RC" -eq 0 ]; then pass "poll after change exits 0"; else fail "poll after change exits 0" "$(describe "$T/poll3")"; fi
inm=$(fc header "$FX_LOG" /feed.xml 3 If-None-Match)
check "third request still sends the old validator" "got '$inm'" test "$inm" = '"v1"'
for f in news.atom news.rss news.json new.atom; do
	check "$f holds the new Fixture item 3" "not in public/$f" has_title "public/$f" "Fixture item 3"
done
check "news.atom still holds Fixture item 1" "missing" has_title public/news.atom "Fixture item 1"
run_tidings "$T/poll3b" -c conf.ini poll --force
inm=$(fc header "$FX_LOG" /feed.xml 4 If-None-Match)
check "next request sends If-None-Match: \"v2\"" "got '$inm'" test "$inm" = '"v2"'

# 4. A source answering 500 and one too slow for the timeout, while fx gains an item; also a
#    gzip-encoded source and one behind a 301.
set_rules "$RULES" "{\"/feed.xml\": {\"etag\": \"\\\"v3\\\"\", \"last_modified\": \"$LM3\", \"body_file\": \"feed-v3.xml\", \"content_type\": \"application/rss+xml\"},
 \"/broken.xml\": {\"status\": 500, \"body\": \"internal error\"},
 \"/slow.xml\": {\"delay\": 4, \"body_file\": \"feed-v1.xml\"},
 \"/gz.xml\": {\"gzip\": true, \"content_type\": \"application/rss+xml\"},
 \"/old.xml\": {\"status\": 301, \"redirect\": \"/moved.xml\"}}"
{
	site 1s
	cat <<EOF

[source broken]
url = $BASE/broken.xml
type = feed
category = news
allow_private = yes

[source slow]
url = $BASE/slow.xml
type = feed
category = news
allow_private = yes

[source gz]
url = $BASE/gz.xml
type = feed
category = news
allow_private = yes

[source moved]
url = $BASE/old.xml
type = feed
category = news
allow_private = yes
EOF
} >conf.ini
start=$(date +%s)
run_tidings "$T/poll4" -c conf.ini poll --force
took=$(($(date +%s) - start))
if [ "$RC" -eq 0 ]; then pass "poll with a failing source exits 0"; else fail "poll with a failing source exits 0" "$(describe "$T/poll4")"; fi
check "poll with a slow source obeys timeout = 1s" "took ${took}s, rc=$RC" test "$took" -le 4 -a "$RC" -ne 124
check "failing sources do not block fx: Fixture item 4 published" "not in public/news.atom" has_title public/news.atom "Fixture item 4"
check "new.atom holds Fixture item 4" "not in public/new.atom" has_title public/new.atom "Fixture item 4"
check "gzip-encoded source is read: Gzip item 1 published" "not in public/news.atom" has_title public/news.atom "Gzip item 1"
check "redirected source is followed: Moved item 1 published" "not in public/news.atom" has_title public/news.atom "Moved item 1"
n=$(fc requests "$FX_LOG" /broken.xml)
check "broken source was requested" "requests=$n" test "$n" -ge 1

run_tidings "$T/status" -c conf.ini status
if [ "$RC" -eq 0 ]; then pass "status exits 0"; else fail "status exits 0" "$(describe "$T/status")"; fi
line=$(grep -w broken "$T/status.out" | head -n 1)
case $line in
*500*) pass "status shows HTTP 500 for broken" ;;
*) fail "status shows HTTP 500 for broken" "line: '$line'; stdout: $(head -c 400 "$T/status.out" | tr '\n' '|')" ;;
esac
line=$(grep -w fx "$T/status.out" | head -n 1)
check "status has a line for fx" "stdout: $(head -c 300 "$T/status.out" | tr '\n' '|')" test -n "$line"
line=$(grep -w slow "$T/status.out" | head -n 1)
case $line in
*[Tt]ime*) pass "status shows the timeout for slow" ;;
*) fail "status shows the timeout for slow" "line: '$line'" ;;
esac

e2e_done
