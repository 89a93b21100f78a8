#!/bin/sh
# type = auto on an HTML page that advertises its feed: the feed is polled instead, from the
# same poll on, and the page is not fetched again.
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init
mkdir -p "$T/www/news" "$T/conf"
cat >"$T/www/news/index.html" <<'EOF2'
<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Tin tức</title>
<link rel="stylesheet" href="/s.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="feed.xml">
</head><body><h1>Tin tức</h1><p>Trang chủ &copy; 2026</p></body></html>
EOF2
cat >"$T/www/news/feed.xml" <<'EOF2'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Tin tức</title><link>http://example.org/news/</link>
<item><title>Bài được tìm qua trang HTML</title><link>http://example.org/news/1</link><guid>http://example.org/news/1</guid>
<pubDate>Thu, 18 Nov 2021 18:15:00 +0700</pubDate></item></channel></rss>
EOF2
cat >"$T/www/plain.html" <<'EOF2'
<!DOCTYPE html><html><head><title>No feed here</title></head><body><p>Nothing.</p></body></html>
EOF2
start_fixture fx "$T/www" "$T/rules.json" || { fail "fixture" "did not start"; e2e_done; }
cat >"$T/conf/t.ini" <<EOF2
[site]
title = Discovery
output = $T/public
database = $T/var/t.db
listen =
poll_interval = 0

[category news]

[source page]
url = http://127.0.0.1:$FX_PORT/news/index.html
type = auto
category = news
allow_private = yes

[source nofeed]
url = http://127.0.0.1:$FX_PORT/plain.html
type = auto
category = news
allow_private = yes
EOF2
run_tidings "$T/p1" -c "$T/conf/t.ini" poll
check "discovery: poll exits 0" "$(describe "$T/p1")" test "$RC" -eq 0
check "discovery: the advertised feed's item is published" "not in news.atom" has_title "$T/public/news.atom" "Bài được tìm qua trang HTML"
check "discovery: the feed was fetched in the same poll" "$(cat "$FX_LOG" | tr '\n' ' ' | head -c 400)" grep -q '"/news/feed.xml"' "$FX_LOG"
run_tidings "$T/st" -c "$T/conf/t.ini" status
check "discovery: status shows the source ok, moved to the feed" "$(cat "$T/st.out")" grep -Eq '^page +ok .*moved to http://127.0.0.1:[0-9]+/news/feed.xml' "$T/st.out"
check "discovery: a page without a feed is an error naming HTML" "$(cat "$T/st.out")" grep -Eq '^nofeed +error .*HTML' "$T/st.out"
pages=$(grep -c '"/news/index.html"' "$FX_LOG")
run_tidings "$T/p2" -c "$T/conf/t.ini" poll
check "discovery: the second poll exits 0" "$(describe "$T/p2")" test "$RC" -eq 0
pages2=$(grep -c '"/news/index.html"' "$FX_LOG")
check "discovery: the page is not fetched again" "page requests: $pages then $pages2" test "$pages2" -eq "$pages"
feeds=$(grep -c '"/news/feed.xml"' "$FX_LOG")
check "discovery: the feed is polled directly" "feed requests: $feeds" test "$feeds" -ge 2
e2e_done
