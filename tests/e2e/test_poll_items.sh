#!/bin/sh
# Issue 5, items and scheduling: a feed whose items change (updated in place, one new, no
# duplicate), the same article through two sources (once in new.*, in each category), the next
# poll time stretched by Cache-Control max-age and RSS <ttl> but never below `interval`, and the
# poll output on a non-terminal (-q, -v, no progress line).
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init
cd "$T" || exit 1
mkdir -p www

now=$(date +%s)

RULES=$T/rules.json
echo '{}' >"$RULES"

if start_fixture fx "$T/www" "$RULES"; then pass "fixture server starts"; else fail "fixture server starts" "no port file"; e2e_done; fi
BASE=http://127.0.0.1:$FX_PORT
LOG=$FX_LOG

# newconf DIR [SITE-LINES...] : $T/DIR/conf.ini with [site]; sets CONF, D.  Categories and
# sources are appended with cat/src.
newconf() {
	site_conf "E2E items" "$@"
}
cat_() { printf '\n[category %s]\ntitle = %s\n' "$1" "$1" >>"$CONF"; }
# src NAME URL CATEGORY [LINES...]
src() {
	{
		printf '\n[source %s]\nurl = %s\ntype = feed\ncategory = %s\nallow_private = yes\n' "$1" "$2" "$3"
		shift 3
		for _l in "$@"; do echo "$_l"; done
	} >>"$CONF"
}
poll() {
	_pp=$1
	shift
	run_tidings "$_pp" -c "$CONF" poll "$@"
}
stline() {
	run_tidings "$D/status" -c "$CONF" status
	awk -v n="$1" '$1 == n' "$D/status.out" | head -n 1
}
f() { echo "$2" | awk -v n="$1" '{ print $n }'; }
epoch() { date -u -d "$1" +%s 2>/dev/null || echo 0; }
delay() { echo $(($(epoch "$(f 6 "$1")") - $(epoch "$(f 3 "$1")"))); }
expect0() { if [ "$RC" -eq 0 ]; then pass "$1"; else fail "$1" "$(describe "$2")"; fi; }
published() { [ -f "$1" ] && has_title "$1" "$2"; }
# count_title FILE TITLE : how many items of FILE carry TITLE.
count_title() { fc titles "$1" 2>/dev/null | grep -Fxc -- "$2"; }
# atom_ids FILE : "id<TAB>title" per entry, in document order.
atom_ids() {
	"$PYTHON" - "$1" <<'EOF'
import sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
for e in ET.parse(sys.argv[1]).getroot().findall(A + "entry"):
    print("%s\t%s" % ((e.findtext(A + "id") or "").strip(), " ".join((e.findtext(A + "title") or "").split())))
EOF
}

# --- 1. A feed whose items change ------------------------------------------------------------
# v1: Alpha, Beta.  v2: Alpha, Beta with a new title and summary, and a new Gamma.
atom() {
	{
		echo '<?xml version="1.0" encoding="utf-8"?>'
		echo '<feed xmlns="http://www.w3.org/2005/Atom"><id>tag:example.org,2026:chg</id>'
		echo '<title>Changing</title><updated>2026-11-20T08:00:00Z</updated><link href="https://example.org/chg/"/>'
		[ "$1" = v2 ] && echo '<entry><id>tag:example.org,2026:chg-3</id><title>Gamma</title><link href="https://example.org/chg/3"/><updated>2026-11-20T08:00:00Z</updated><summary>Third.</summary></entry>'
		if [ "$1" = v2 ]; then
			echo '<entry><id>tag:example.org,2026:chg-2</id><title>Beta revised</title><link href="https://example.org/chg/2"/><published>2026-11-19T08:00:00Z</published><updated>2026-11-20T09:00:00Z</updated><summary>Second, corrected.</summary></entry>'
		else
			echo '<entry><id>tag:example.org,2026:chg-2</id><title>Beta</title><link href="https://example.org/chg/2"/><published>2026-11-19T08:00:00Z</published><updated>2026-11-19T08:00:00Z</updated><summary>Second.</summary></entry>'
		fi
		echo '<entry><id>tag:example.org,2026:chg-1</id><title>Alpha</title><link href="https://example.org/chg/1"/><updated>2026-11-18T08:00:00Z</updated><summary>First.</summary></entry>'
		echo '</feed>'
	} >"$2"
}
atom v1 www/chg-v1.atom
atom v2 www/chg-v2.atom
rule /chg.atom '{"body_file": "chg-v1.atom", "content_type": "application/atom+xml"}'
newconf change
cat_ news
src chg "$BASE/chg.atom" news
poll "$D/p1" --force
expect0 "items change: first poll exits 0" "$D/p1"
line=$(stline chg)
check "items change: status shows 2 items" "line: '$line'" test "$(f 5 "$line")" = 2
atom_ids "$D/public/news.atom" >"$D/ids1"
beta_id=$(awk -F '\t' '$2 == "Beta" { print $1 }' "$D/ids1")
check "items change: Beta published with an Atom id" "entries: $(tr '\n\t' '| ' <"$D/ids1")" test -n "$beta_id"
rule /chg.atom '{"body_file": "chg-v2.atom", "content_type": "application/atom+xml"}'
poll "$D/p2" --force
expect0 "items change: second poll exits 0" "$D/p2"
check "items change: the summary says 1 new, 1 updated" "stderr: $(tr '\n' '|' <"$D/p2.err")" grep -q '1 new items, 1 updated' "$D/p2.err"
line=$(stline chg)
check "items change: status items grow by one (3)" "line: '$line'" test "$(f 5 "$line")" = 3
atom_ids "$D/public/news.atom" >"$D/ids2"
check "items change: the changed title is in news.atom" "entries: $(tr '\n\t' '| ' <"$D/ids2")" grep -q '	Beta revised$' "$D/ids2"
check "items change: the old title is gone from news.atom" "entries: $(tr '\n\t' '| ' <"$D/ids2")" test "$(grep -c '	Beta$' "$D/ids2")" = 0
id2=$(awk -F '\t' '$2 == "Beta revised" { print $1 }' "$D/ids2")
check "items change: the changed item keeps its Atom id" "before '$beta_id', after '$id2'" test -n "$id2" -a "$id2" = "$beta_id"
check "items change: 3 entries, no duplicate" "entries: $(tr '\n\t' '| ' <"$D/ids2")" test "$(wc -l <"$D/ids2")" -eq 3 -a "$(cut -f1 "$D/ids2" | sort -u | wc -l)" -eq 3
order=$(cut -f2 "$D/ids2" | tr '\n' '|')
check "items change: the changed item keeps its position (Gamma, Beta revised, Alpha)" "order: $order" test "$order" = "Gamma|Beta revised|Alpha|"
for fmt in rss json; do
	check "items change: news.$fmt holds Beta revised once" "count $(count_title "$D/public/news.$fmt" "Beta revised")" test "$(count_title "$D/public/news.$fmt" "Beta revised")" = 1
done
check "items change: new.atom holds Beta revised once, no stale Beta" "Beta revised x$(count_title "$D/public/new.atom" "Beta revised"), Beta x$(count_title "$D/public/new.atom" "Beta")" \
	test "$(count_title "$D/public/new.atom" "Beta revised")" = 1 -a "$(count_title "$D/public/new.atom" "Beta")" = 0

# An undated item is filed under its first-seen time; an update must not move it.
undated() {
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo '<rss version="2.0"><channel><title>Undated</title><link>https://example.org/u/</link><description>d</description>'
		echo "<item><title>$1</title><link>https://example.org/u/1</link><guid isPermaLink=\"false\">u-1</guid><description>$2</description></item>"
		echo '</channel></rss>'
	} >www/undated.xml
}
# json_date FILE TITLE : date_published of the JSON Feed item titled TITLE.
json_date() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
for it in json.load(open(sys.argv[1])).get("items", []):
    if it.get("title") == sys.argv[2]:
        print(it.get("date_published") or "")
EOF
}
undated "Undated one" "First text."
newconf firstseen
cat_ news
src undated "$BASE/undated.xml" news
poll "$D/p1" --force
d1=$(json_date "$D/public/news.json" "Undated one")
sleep 1.1
undated "Undated one, corrected" "Second text."
poll "$D/p2" --force
d2=$(json_date "$D/public/news.json" "Undated one, corrected")
check "items change: an updated undated item keeps its first-seen date" "before '$d1', after '$d2'; stderr: $(tr '\n' '|' <"$D/p2.err")" \
	test -n "$d1" -a "$d1" = "$d2"
line=$(stline undated)
check "items change: the undated item is updated in place (status ITEMS 1)" "line: '$line'" test "$(f 5 "$line")" = 1

# --- 2. The same article through two sources --------------------------------------------------------
# one: guid one-1 and guid https://example.org/guid/2; two: guid two-1 (same link as one-1) and the
# same absolute-URL guid with another link.
dup() {
	_p=$1
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<rss version=\"2.0\"><channel><title>$_p</title><link>https://example.org/$_p/</link><description>d</description>"
		echo "<item><title>Shared by link</title><link>https://example.org/same/1</link><guid isPermaLink=\"false\">$_p-1</guid><pubDate>$(rfc822 $((now - 7200)))</pubDate></item>"
		echo "<item><title>Shared by guid</title><link>https://example.org/$_p/2</link><guid isPermaLink=\"false\">https://example.org/guid/2</guid><pubDate>$(rfc822 $((now - 3600)))</pubDate></item>"
		echo "<item><title>Only in $_p</title><link>https://example.org/$_p/3</link><guid isPermaLink=\"false\">$_p-3</guid><pubDate>$(rfc822 $((now - 1800)))</pubDate></item>"
		echo '</channel></rss>'
	} >"www/$_p.xml"
}
dup one
dup two
newconf dedupe
cat_ cat-one
cat_ cat-two
src one "$BASE/one.xml" cat-one
src two "$BASE/two.xml" cat-two
poll "$D/p1" --force
expect0 "same article: poll exits 0" "$D/p1"
for t in "Shared by link" "Shared by guid"; do
	for fmt in atom rss json; do
		n=$(count_title "$D/public/new.$fmt" "$t")
		check "same article: new.$fmt holds '$t' once" "found $n times" test "$n" = 1
	done
	for c in cat-one cat-two; do
		n=$(count_title "$D/public/$c.atom" "$t")
		check "same article: $c.atom holds '$t'" "found $n times" test "$n" = 1
	done
done
# The same link written with another host case and the default port (RFC 3986 6.2.2/6.2.3).
canon() {
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo "<rss version=\"2.0\"><channel><title>$1</title><link>https://example.org/$1/</link><description>d</description>"
		echo "<item><title>Shared by canonical link</title><link>$2</link><guid isPermaLink=\"false\">$1-c</guid><pubDate>$(rfc822 $((now - 5400)))</pubDate></item>"
		echo '</channel></rss>'
	} >"www/$1.xml"
}
canon three 'https://example.org/canon/1'
canon four 'https://EXAMPLE.org:443/canon/1'
{ cat_ cat-three; cat_ cat-four; src three "$BASE/three.xml" cat-three; src four "$BASE/four.xml" cat-four; }
poll "$D/p2" --force
expect0 "same article: poll with two more sources exits 0" "$D/p2"
n=$(count_title "$D/public/new.atom" "Shared by canonical link")
check "same article: links differing only in host case and default port are one item in new.atom" "found $n times" test "$n" = 1
for p in one two; do
	check "same article: new.atom still holds 'Only in $p'" "missing" published "$D/public/new.atom" "Only in $p"
done

# --- 3. Cache-Control max-age and <ttl> against interval = 15m ------------------------------------------
write_rss www/cc.xml cc 1
write_rss www/cclow.xml cclow 1
TTL=120 write_rss www/ttl.xml ttl 1
write_rss www/plain.xml plain 1
rule /cc.xml '{"headers": {"Cache-Control": "public, max-age=7200"}}'
rule /cclow.xml '{"headers": {"Cache-Control": "max-age=60"}}'
write_rss www/exp.xml exp 1
write_rss www/week.xml week 1
rule /exp.xml "{\"headers\": {\"Expires\": \"$(rfc822 $((now + 7200)))\"}}"
rule /week.xml '{"headers": {"Cache-Control": "max-age=604800"}}'
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo '<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>sy</title>'
	echo '<link>https://example.org/sy/</link><description>d</description>'
	echo '<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>1</sy:updateFrequency>'
	echo "<item><title>sy item 1</title><link>https://example.org/sy/1</link><guid>sy-1</guid></item>"
	echo '</channel></rss>'
} >www/sy.xml
newconf sched
cat_ news
for s in cc cclow ttl plain exp week sy; do src "$s" "$BASE/$s.xml" news "interval = 15m"; done
poll "$D/p1" --force
expect0 "schedule: poll exits 0" "$D/p1"
run_tidings "$D/status" -c "$CONF" status
for s in cc ttl; do
	line=$(awk -v n="$s" '$1 == n' "$D/status.out")
	d=$(delay "$line")
	what=$([ "$s" = cc ] && echo "Cache-Control max-age=7200" || echo "<ttl>120</ttl>")
	check "schedule: $what stretches interval 15m to ~2 h (+<=10% jitter)" "next due - last fetch = ${d}s; line: '$line'" \
		test "$d" -ge 7199 -a "$d" -le 7922
done
for s in cclow plain; do
	line=$(awk -v n="$s" '$1 == n' "$D/status.out")
	d=$(delay "$line")
	what=$([ "$s" = cclow ] && echo "max-age=60 never shortens" || echo "no hint keeps")
	check "schedule: $what the 15m interval (900-990 s)" "next due - last fetch = ${d}s; line: '$line'" \
		test "$d" -ge 899 -a "$d" -le 992
done
line=$(awk '$1 == "exp"' "$D/status.out")
d=$(delay "$line")
check "schedule: Expires two hours ahead stretches interval 15m to ~2 h" "next due - last fetch = ${d}s; line: '$line'" test "$d" -ge 7190 -a "$d" -le 7922
line=$(awk '$1 == "sy"' "$D/status.out")
d=$(delay "$line")
check "schedule: sy:updatePeriod hourly stretches interval 15m to ~1 h" "next due - last fetch = ${d}s; line: '$line'" test "$d" -ge 3599 -a "$d" -le 3962
line=$(awk '$1 == "week"' "$D/status.out")
d=$(delay "$line")
check "schedule: a week-long max-age is bounded (at most a day + jitter)" "next due - last fetch = ${d}s; line: '$line'" test "$d" -ge 899 -a "$d" -le 95042
poll "$D/p2"
n=$(grep -c '"path": "/cc.xml",' "$LOG")
check "schedule: a plain poll does not fetch a source inside its max-age" "requests=$n" test "$n" = 1

# --- 4. poll output: no progress line off a terminal, -q silent, -v one debug line per source ---------
write_rss www/o1.xml oa 1
write_rss www/o2.xml ob 1
newconf output
cat_ news
src oa "$BASE/o1.xml" news
src ob "$BASE/o2.xml" news
poll "$D/p1" --force
expect0 "output: poll exits 0" "$D/p1"
if grep -q "$(printf '\r')" "$D/p1.err" "$D/p1.out"; then fail "output: no progress line (\\r) when stderr is not a terminal" "stderr: $(tr '\r\n' '^|' <"$D/p1.err")"; else pass "output: no progress line (\\r) when stderr is not a terminal"; fi
check "output: the summary line is printed" "stderr: $(tr '\n' '|' <"$D/p1.err")" grep -q 'info poll: 2 sources: 2 fetched' "$D/p1.err"
write_rss www/o1.xml oa 1 2
run_tidings "$D/q" -q -c "$CONF" poll --force
expect0 "output: -q poll exits 0" "$D/q"
check "output: -q prints nothing for a successful poll" "stdout: '$(head -c 200 "$D/q.out")' stderr: '$(head -c 300 "$D/q.err" | tr '\n' '|')'" \
	test ! -s "$D/q.out" -a ! -s "$D/q.err"
check "output: the -q poll did its work" "oa item 2 not in news.atom" published "$D/public/news.atom" "oa item 2"
run_tidings "$D/v" -v -c "$CONF" poll --force
expect0 "output: -v poll exits 0" "$D/v"
for s in oa ob; do
	n=$(grep -c " debug poll: $s:" "$D/v.err")
	check "output: -v prints one debug line for source $s" "$n lines; stderr: $(head -c 600 "$D/v.err" | tr '\n' '|')" test "$n" = 1
done
# On a terminal (a pty from util-linux `script`, when there is one) the progress line shows.
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
	tmo 10 script -qec "'$TIDINGS_BIN' -c '$CONF' poll --force" /dev/null >"$D/tty.out" 2>&1
	check "output: on a terminal poll shows a progress line (2/2 done, errors, new items)" \
		"terminal output: $(head -c 400 "$D/tty.out" | tr '\r\n' '^|')" grep -q 'poll: 2/2 done, 0 errors, [0-9]* new items' "$D/tty.out"
fi
bad=$(grep -v '^[0-9-]*T[0-9:]*Z \(error\|warn\|info\|debug\) ' "$D/v.err" | head -n 2 | tr '\n' '|')
check "output: every log line is 'TIME LEVEL message'" "odd lines: $bad" test -z "$bad"

e2e_done
