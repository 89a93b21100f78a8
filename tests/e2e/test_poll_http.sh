#!/bin/sh
# Issue 5, fetching: conditional GET (validators sent back verbatim, 304 with and without them,
# an ETag renewed by a 304, a byte-identical 200), 301/308 persisted and 302/307 not, 410, 429
# and 503 with Retry-After, 500 backoff, slow drip, max_size (plain and gzip), gzip,
# redirect to file://, redirect loop, connection reset, redirects to private addresses, and the
# request headers.  Each behaviour has its own configuration and database, all against one
# fixture server (plus a second one for the private-address redirect).
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

# newconf DIR [SITE-LINES...] : $T/DIR/conf.ini with [site] and [category news]; sets CONF, D.
newconf() {
	site_conf "E2E poll" "$@"
	printf '\n[category news]\ntitle = News\n' >>"$CONF"
}
# src NAME URL [LINES...] : appends a feed source (allow_private = yes unless PRIV is set empty).
src() {
	{
		printf '\n[source %s]\nurl = %s\ntype = feed\ncategory = news\n' "$1" "$2"
		[ -n "${PRIV-x}" ] && echo "allow_private = yes"
		shift 2
		for _l in "$@"; do echo "$_l"; done
	} >>"$CONF"
}
# poll PREFIX ARGS... : tidings -c $CONF poll ARGS
poll() {
	_pp=$1
	shift
	run_tidings "$_pp" -c "$CONF" poll "$@"
}
# stline NAME : the `status` line of source NAME (runs status on $CONF).
stline() {
	run_tidings "$D/status" -c "$CONF" status
	awk -v n="$1" '$1 == n' "$D/status.out" | head -n 1
}
# f N LINE : Nth white-space field of LINE (1 name, 2 state, 3 last fetch, 4 http, 5 items,
# 6 next due, 7... last error).
f() { echo "$2" | awk -v n="$1" '{ print $n }'; }
epoch() { date -u -d "$1" +%s 2>/dev/null || echo 0; }
# delay LINE : seconds from LAST FETCH to NEXT DUE.
delay() { echo $(($(epoch "$(f 6 "$1")") - $(epoch "$(f 3 "$1")"))); }
# reqs PATH [LOG] : requests logged for PATH (a grep: quicker than feedcheck.py requests).
reqs() { grep -c -F "\"path\": \"$1\"," "${2:-$LOG}"; }
hdr() { fc header "$LOG" "$1" "$2" "$3"; }
ms() { date +%s%N | cut -c1-13; }
expect0() { if [ "$RC" -eq 0 ]; then pass "$1"; else fail "$1" "$(describe "$2")"; fi; }
# expect_line NAME LINE PATTERN : LINE matches the shell case PATTERN.
expect_line() {
	case $2 in
	$3) pass "$1" ;;
	*) fail "$1" "status line: '$2'" ;;
	esac
}
# published FILE TITLE : like has_title, FILE must exist.
published() { [ -f "$1" ] && has_title "$1" "$2"; }

# --- 1. Conditional GET: validators stored and sent back byte for byte -------------------------
ETAG1='W/"cg-1 ;'"'x'"'"'
LM1='Thu, 18 Nov 2021 11:15:00 GMT'
ETAG2='cg2-unquoted.v1'
LM2='18 Nov 2021 11:15 +0700'
write_rss www/cg.xml cg 1 2
write_rss www/cg2.xml cgb 1 2
rule /cg.xml "$("$PYTHON" -c 'import json,sys; print(json.dumps({"etag": sys.argv[1], "last_modified": sys.argv[2], "content_type": "application/rss+xml"}))' "$ETAG1" "$LM1")"
rule /cg2.xml "$("$PYTHON" -c 'import json,sys; print(json.dumps({"etag": sys.argv[1], "last_modified": sys.argv[2]}))' "$ETAG2" "$LM2")"
newconf cg
src cg "$BASE/cg.xml"
src cg2 "$BASE/cg2.xml"
poll "$D/p1" --force
expect0 "conditional: first poll exits 0" "$D/p1"
check "conditional: first poll publishes cg item 1" "not in news.atom" published "$D/public/news.atom" "cg item 1"
inm=$(hdr /cg.xml 1 If-None-Match)
ims=$(hdr /cg.xml 1 If-Modified-Since)
check "conditional: first request has no If-None-Match / If-Modified-Since" "INM='$inm' IMS='$ims'" test -z "$inm$ims"
ua=$(hdr /cg.xml 1 User-Agent)
case $ua in tidings/*) pass "request: User-Agent starts with tidings/" ;; *) fail "request: User-Agent starts with tidings/" "got '$ua'" ;; esac
ae=$(hdr /cg.xml 1 Accept-Encoding)
case $ae in *gzip*) pass "request: Accept-Encoding includes gzip" ;; *) fail "request: Accept-Encoding includes gzip" "got '$ae'" ;; esac
snapshot "$D/public" >"$D/snap1"
poll "$D/p2" --force
expect0 "conditional: second poll exits 0" "$D/p2"
inm=$(hdr /cg.xml 2 If-None-Match)
check "conditional: If-None-Match is the stored weak ETag verbatim" "sent '$inm', want '$ETAG1'" test "$inm" = "$ETAG1"
ims=$(hdr /cg.xml 2 If-Modified-Since)
check "conditional: If-Modified-Since is the stored Last-Modified verbatim" "sent '$ims', want '$LM1'" test "$ims" = "$LM1"
inm=$(hdr /cg2.xml 2 If-None-Match)
check "conditional: an unquoted ETag is sent back verbatim" "sent '$inm', want '$ETAG2'" test "$inm" = "$ETAG2"
ims=$(hdr /cg2.xml 2 If-Modified-Since)
check "conditional: a non-standard Last-Modified is sent back verbatim" "sent '$ims', want '$LM2'" test "$ims" = "$LM2"
line=$(stline cg)
check "conditional: status shows HTTP 304" "line: '$line'" test "$(f 4 "$line")" = 304
check "conditional: 304 keeps the items (status ITEMS 2)" "line: '$line'" test "$(f 5 "$line")" = 2
expect_line "conditional: 304 leaves the source ok" "$line" "* ok *"
snapshot "$D/public" >"$D/snap2"
if [ -s "$D/snap1" ] && cmp -s "$D/snap1" "$D/snap2"; then pass "conditional: 304 rewrites no output file"; else fail "conditional: 304 rewrites no output file" "$(diff "$D/snap1" "$D/snap2" | grep '^[<>]' | head -n 4 | tr '\n' '|')"; fi
check "conditional: summary counts 2 not modified" "stderr: $(tr '\n' '|' <"$D/p2.err")" grep -q '0 fetched, 2 not modified' "$D/p2.err"

# --- 2. No validators at all: identical body, then a bare 304 ----------------------------------
write_rss www/nv.xml nv 1 2
newconf nv
src nv "$BASE/nv.xml"
poll "$D/p1" --force
snapshot "$D/public" >"$D/snap1"
poll "$D/p2" --force
expect0 "no validators: second poll exits 0" "$D/p2"
inm=$(hdr /nv.xml 2 If-None-Match)
ims=$(hdr /nv.xml 2 If-Modified-Since)
n=$(reqs /nv.xml)
check "no validators: no conditional header is invented" "requests=$n INM='$inm' IMS='$ims'" test "$n" = 2 -a -z "$inm$ims"
check "no validators: identical 200 body counted not modified" "stderr: $(tr '\n' '|' <"$D/p2.err")" grep -q '0 fetched, 1 not modified' "$D/p2.err"
snapshot "$D/public" >"$D/snap2"
if [ -s "$D/snap1" ] && cmp -s "$D/snap1" "$D/snap2"; then pass "no validators: identical body rewrites no output file"; else fail "no validators: identical body rewrites no output file" "$(diff "$D/snap1" "$D/snap2" | grep '^[<>]' | head -n 4 | tr '\n' '|')"; fi
rule /nv.xml '{"status": 304, "body": ""}'
poll "$D/p3" --force
expect0 "no validators: poll answered by a bare 304 exits 0" "$D/p3"
line=$(stline nv)
check "no validators: bare 304 shown as 304 with the items kept" "line: '$line'" test "$(f 4 "$line")" = 304 -a "$(f 5 "$line")" = 2
expect_line "no validators: bare 304 leaves the source ok" "$line" "* ok *"
snapshot "$D/public" >"$D/snap3"
if [ -s "$D/snap1" ] && cmp -s "$D/snap1" "$D/snap3"; then pass "no validators: bare 304 rewrites no output file"; else fail "no validators: bare 304 rewrites no output file" "$(diff "$D/snap1" "$D/snap3" | grep '^[<>]' | head -n 4 | tr '\n' '|')"; fi

# --- 3. A 304 carrying a new ETag (RFC 9111 4.3.4) ----------------------------------------------
write_rss www/e4.xml e4 1
rule /e4.xml '{"etag": "\"v1\""}'
newconf e4
src e4 "$BASE/e4.xml"
poll "$D/p1" --force
rule /e4.xml '{"etag": "\"v2\"", "not_modified_etags": ["\"v1\""]}'
poll "$D/p2" --force
line=$(stline e4)
check "etag on 304: the v1 request is answered 304" "line: '$line'" test "$(f 4 "$line")" = 304
poll "$D/p3" --force
inm=$(hdr /e4.xml 3 If-None-Match)
check "etag on 304: next request sends the ETag the 304 carried (\"v2\")" "sent '$inm'" test "$inm" = '"v2"'
ims=$(hdr /e4.xml 2 If-Modified-Since)
check "etag only: no If-Modified-Since is invented" "sent If-Modified-Since '$ims'" test -z "$ims"

# --- 4. A 200 whose body is byte-identical (new ETag) --------------------------------------------
write_rss www/same.xml same 1 2
rule /same.xml '{"etag": "\"s1\""}'
newconf same
src same "$BASE/same.xml"
poll "$D/p1" --force
snapshot "$D/public" >"$D/snap1"
rule /same.xml '{"etag": "\"s2\""}'
poll "$D/p2" --force
check "identical 200: counted not modified" "stderr: $(tr '\n' '|' <"$D/p2.err")" grep -q '0 fetched, 1 not modified' "$D/p2.err"
snapshot "$D/public" >"$D/snap2"
if [ -s "$D/snap1" ] && cmp -s "$D/snap1" "$D/snap2"; then pass "identical 200: no output file rewritten"; else fail "identical 200: no output file rewritten" "$(diff "$D/snap1" "$D/snap2" | grep '^[<>]' | head -n 4 | tr '\n' '|')"; fi
poll "$D/p3" --force
inm=$(hdr /same.xml 3 If-None-Match)
check "identical 200: its new ETag is stored and sent next" "sent '$inm'" test "$inm" = '"s2"'

# --- 5. Redirects: 301/308 persisted, 302/307 not -------------------------------------------------
newconf redir
for c in 301 302 307 308; do
	write_rss "www/r$c-new.xml" "r$c" 1 2
	rule "/r$c.xml" "{\"status\": $c, \"redirect\": \"/r$c-new.xml\"}"
	src "r$c" "$BASE/r$c.xml"
done
poll "$D/p1" --force
expect0 "redirects: first poll exits 0" "$D/p1"
for c in 301 302 307 308; do
	check "redirects: $c followed, r$c item 1 published" "not in news.atom" published "$D/public/news.atom" "r$c item 1"
done
poll "$D/p2" --force
run_tidings "$D/status" -c "$CONF" status
for c in 301 308; do
	n=$(reqs "/r$c.xml")
	m=$(reqs "/r$c-new.xml")
	check "redirects: after a $c the next poll requests the new URL directly" "old path $n requests, new path $m" test "$n" = 1 -a "$m" = 2
	line=$(awk -v n="r$c" '$1 == n' "$D/status.out")
	expect_line "redirects: status shows r$c [moved to the new URL]" "$line" "*\[moved to $BASE/r$c-new.xml\]*"
done
for c in 301 308; do
	n1=$(grep -c "r$c.*moved permanently\|moved permanently.*r$c" "$D/p1.err")
	n2=$(grep -c "r$c.*moved permanently\|moved permanently.*r$c" "$D/p2.err")
	check "redirects: the $c move is logged once" "first poll $n1 lines, second poll $n2 lines" test "$n1" = 1 -a "$n2" = 0
done
for c in 302 307; do
	n=$(reqs "/r$c.xml")
	check "redirects: a $c is not persisted (old URL requested again)" "old path $n requests" test "$n" = 2
	line=$(awk -v n="r$c" '$1 == n' "$D/status.out")
	case $line in *moved*) fail "redirects: status shows no move for r$c (no 'moved')" "line: '$line'" ;; *) pass "redirects: status shows no move for r$c (no 'moved')" ;; esac
done

# --- 6. 410 Gone --------------------------------------------------------------------------------
write_rss www/live.xml live 1
rule /g410.xml '{"status": 410, "body": "gone"}'
newconf gone
src g410 "$BASE/g410.xml"
src live "$BASE/live.xml"
poll "$D/p1" --force
expect0 "410: poll exits 0" "$D/p1"
line=$(stline g410)
check "410: status state is gone" "line: '$line'" test "$(f 2 "$line")" = gone
check "410: status shows HTTP 410" "line: '$line'" test "$(f 4 "$line")" = 410
poll "$D/p2" --force
n=$(reqs /g410.xml)
check "410: poll --force does not fetch a gone source" "requests=$n" test "$n" = 1
check "410: poll --force still fetches the others" "live requests=$(reqs /live.xml)" test "$(reqs /live.xml)" = 2
poll "$D/p3" g410
expect0 "410: poll NAME exits 0" "$D/p3"
n=$(reqs /g410.xml)
check "410: poll NAME fetches a gone source again" "requests=$n" test "$n" = 2

# --- 7. 429 and 503 with Retry-After: 120 -------------------------------------------------------
newconf retry
for c in 429 503; do
	rule "/ra$c.xml" "{\"status\": $c, \"body\": \"busy\", \"headers\": {\"Retry-After\": \"120\"}}"
	src "ra$c" "$BASE/ra$c.xml" "interval = 1m"
done
poll "$D/p1" --force
expect0 "retry-after: poll exits 0" "$D/p1"
run_tidings "$D/status" -c "$CONF" status
for c in 429 503; do
	line=$(awk -v n="ra$c" '$1 == n' "$D/status.out")
	check "retry-after: $c shown as an error with HTTP $c" "line: '$line'" test "$(f 2 "$line")" = error -a "$(f 4 "$line")" = "$c"
	nd=$(f 6 "$line")
	case $nd in
	[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z) pass "retry-after: $c NEXT DUE is RFC 3339 UTC" ;;
	*) fail "retry-after: $c NEXT DUE is RFC 3339 UTC" "got '$nd'" ;;
	esac
	d=$(delay "$line")
	check "retry-after: $c next due >= 120 s after the fetch" "next due - last fetch = ${d}s; line: '$line'" test "$d" -ge 119
done
ra_at=$((now + 600))
rule /radate.xml "{\"status\": 503, \"body\": \"busy\", \"headers\": {\"Retry-After\": \"$(rfc822 $ra_at)\"}}"
src radate "$BASE/radate.xml" "interval = 1m"
poll "$D/p1b" --force radate
line=$(stline radate)
due=$(epoch "$(f 6 "$line")")
check "retry-after: an HTTP-date Retry-After is honoured too" "next due $(f 6 "$line"), Retry-After $(rfc822 $ra_at)" test "$due" -ge $((ra_at - 1))
poll "$D/p2"
check "retry-after: a plain poll right after fetches neither" "429: $(reqs /ra429.xml), 503: $(reqs /ra503.xml) requests" \
	test "$(reqs /ra429.xml)" = 1 -a "$(reqs /ra503.xml)" = 1
poll "$D/p3" --force
check "retry-after: poll --force fetches both" "429: $(reqs /ra429.xml), 503: $(reqs /ra503.xml) requests" \
	test "$(reqs /ra429.xml)" = 2 -a "$(reqs /ra503.xml)" = 2

# --- 8. 500: exponential backoff, reset by a success ---------------------------------------------
rule /e500.xml '{"status": 500, "body": "internal error"}'
newconf backoff
src e500 "$BASE/e500.xml" "interval = 1m"
prev=0
for i in 1 2 3; do
	poll "$D/p$i" --force
	line=$(stline e500)
	d=$(delay "$line")
	check "backoff: error $i shown with HTTP 500" "line: '$line'" test "$(f 2 "$line")" = error -a "$(f 4 "$line")" = 500
	check "backoff: next due grows after error $i (${d}s > ${prev}s)" "line: '$line'" test "$d" -gt "$prev"
	if [ "$i" -gt 1 ]; then
		expect_line "backoff: status shows ($i in a row)" "$line" "*($i in a row)*"
	else
		case $line in *"in a row"*) fail "backoff: one error shows no '(N in a row)'" "line: '$line'" ;; *) pass "backoff: one error shows no '(N in a row)'" ;; esac
	fi
	prev=$d
done
poll "$D/p4"
check "backoff: a plain poll during backoff does not fetch" "requests=$(reqs /e500.xml)" test "$(reqs /e500.xml)" = 3
write_rss www/e500.xml e500 1
rule /e500.xml '{}'
poll "$D/p5" --force
line=$(stline e500)
d=$(delay "$line")
check "backoff: a success resets the state to ok" "line: '$line'" test "$(f 2 "$line")" = ok
case $line in *"in a row"*) fail "backoff: a success resets the error count" "line: '$line'" ;; *) pass "backoff: a success resets the error count" ;; esac
check "backoff: after the success the next due is the interval again (60-66 s)" "${d}s; line: '$line'" test "$d" -ge 59 -a "$d" -le 67

# --- 9. Slow drip against timeout = 2s ------------------------------------------------------------
write_rss www/drip.xml drip 1 2
write_rss www/quick.xml quick 1
rule /drip.xml '{"drip": 0.5}'
newconf drip "timeout = 2s"
src drip "$BASE/drip.xml"
src quick "$BASE/quick.xml"
t0=$(ms)
poll "$D/p1" --force
took=$(($(ms) - t0))
expect0 "drip: poll exits 0" "$D/p1"
check "drip: aborted within 3.5 s (timeout = 2s)" "took ${took} ms" test "$took" -le 3500
line=$(stline drip)
check "drip: status reports the error" "line: '$line'" test "$(f 2 "$line")" = error -a -n "$(f 7 "$line")" -a "$(f 7 "$line")" != "-"
check "drip: the other source is published" "not in news.atom" published "$D/public/news.atom" "quick item 1"

# --- 10. max_size = 1k: a big body, a small gzip body that inflates past the cap -------------------
write_rss www/big.xml big 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16
write_rss www/bomb.xml bomb 1
"$PYTHON" - www/bomb.xml <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
pad = "<!-- " + "x" * 60000 + " -->\n"
open(p, "w").write(s.replace("<channel>", "<channel>" + pad, 1))
EOF
write_rss www/tiny.xml tiny 1
rule /bomb.xml '{"gzip": true}'
zlen=$("$PYTHON" -c 'import gzip,sys; print(len(gzip.compress(open(sys.argv[1],"rb").read())))' www/bomb.xml)
check "max_size: fixture's gzip body is under 1k compressed, over 1k inflated" "compressed $zlen bytes" test "$zlen" -lt 1024 -a "$(wc -c <www/bomb.xml)" -gt 1024
newconf maxsize "max_size = 1k"
src big "$BASE/big.xml"
src bomb "$BASE/bomb.xml"
src tiny "$BASE/tiny.xml"
poll "$D/p1" --force
expect0 "max_size: poll exits 0" "$D/p1"
run_tidings "$D/status" -c "$CONF" status
for s in big bomb; do
	line=$(awk -v n="$s" '$1 == n' "$D/status.out")
	expect_line "max_size: $s aborted with a message naming max_size" "$line" "$s *error*max_size*"
done
ae=$(hdr /bomb.xml 1 Accept-Encoding)
case $ae in *gzip*) pass "max_size: the request accepted gzip (so the body came compressed)" ;; *) fail "max_size: the request accepted gzip (so the body came compressed)" "Accept-Encoding '$ae'" ;; esac
check "max_size: a small source is still published" "not in news.atom" published "$D/public/news.atom" "tiny item 1"
if grep -q 'big item\|bomb item' "$D/public/news.atom" 2>/dev/null; then fail "max_size: nothing of the oversized bodies published" "found in news.atom"; else pass "max_size: nothing of the oversized bodies published"; fi

# --- 11. gzip-encoded feed decoded ------------------------------------------------------------------
write_rss www/gz.xml gz 1 2
rule /gz.xml '{"gzip": true, "content_type": "application/rss+xml"}'
newconf gzip
src gz "$BASE/gz.xml"
poll "$D/p1" --force
expect0 "gzip: poll exits 0" "$D/p1"
check "gzip: gz item 2 published" "not in news.atom" published "$D/public/news.atom" "gz item 2"
line=$(stline gz)
check "gzip: status ok with 2 items" "line: '$line'" test "$(f 2 "$line")" = ok -a "$(f 5 "$line")" = 2

# --- 12. Redirect to file:///etc/passwd refused ----------------------------------------------------
rule /tofile.xml '{"status": 302, "redirect": "file:///etc/passwd"}'
write_rss www/ok12.xml okf 1
newconf tofile
src tofile "$BASE/tofile.xml"
src okf "$BASE/ok12.xml"
poll "$D/p1" --force
expect0 "file redirect: poll exits 0" "$D/p1"
line=$(stline tofile)
check "file redirect: status shows an error with a reason" "line: '$line'" test "$(f 2 "$line")" = error -a "$(f 7 "$line")" != "-" -a -n "$(f 7 "$line")"
expect_line "file redirect: the reason names the refused redirect" "$line" "*[Rr]edirect*"
check "file redirect: no items from it" "line: '$line'" test "$(f 5 "$line")" = 0
if grep -rq 'root:' "$D/public" 2>/dev/null; then fail "file redirect: nothing of /etc/passwd published" "found 'root:' in public/"; else pass "file redirect: nothing of /etc/passwd published"; fi

# --- 13. Redirect loop ---------------------------------------------------------------------------------
rule /la.xml '{"status": 302, "redirect": "/lb.xml"}'
rule /lb.xml '{"status": 302, "redirect": "/la.xml"}'
newconf loop
src loop "$BASE/la.xml"
poll "$D/p1" --force
expect0 "redirect loop: poll exits 0" "$D/p1"
line=$(stline loop)
expect_line "redirect loop: status says 'more than 5 redirects'" "$line" "loop *error*more than 5 redirects*"
n=$(($(reqs /la.xml) + $(reqs /lb.xml)))
check "redirect loop: at most 6 requests followed" "requests=$n" test "$n" -le 6

# --- 14. Connection reset --------------------------------------------------------------------------------
rule /reset.xml '{"reset": true}'
write_rss www/ok14.xml survivor 1
newconf reset
src rst "$BASE/reset.xml"
src survivor "$BASE/ok14.xml"
poll "$D/p1" --force
expect0 "reset: poll exits 0" "$D/p1"
line=$(stline rst)
check "reset: status shows an error" "line: '$line'" test "$(f 2 "$line")" = error -a "$(f 7 "$line")" != "-"
check "reset: the other source is published" "not in news.atom" published "$D/public/news.atom" "survivor item 1"

# --- 15. Politeness: per_host and concurrency caps, connection reuse ---------------------------
# overlap PREFIX : "MAX CONNS REQS" for the logged requests whose path starts with PREFIX: the
# most requests that arrived within 0.3 s of one another (each is answered after 0.5 s, so
# that is how many ran at once), the distinct client connections, and the request count.
overlap() {
	"$PYTHON" - "$LOG" "$1" <<'EOF'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rs = [r for r in rs if r.get("path", "").startswith(sys.argv[2])]
ts = sorted(r["time"] for r in rs)
most = max([sum(1 for u in ts if t <= u < t + 0.3) for t in ts] or [0])
print(most, len(set(r.get("client_port") for r in rs)), len(rs))
EOF
}
newconf perhost "per_host = 2"
for i in 1 2 3 4 5 6; do
	write_rss "www/ph$i.xml" "ph$i" 1
	rule "/ph$i.xml" '{"delay": 0.5}'
	src "ph$i" "$BASE/ph$i.xml"
done
poll "$D/p1" --force
expect0 "per_host = 2: poll of 6 sources on one host exits 0" "$D/p1"
set -- $(overlap /ph)
check "per_host = 2: at most 2 requests at once to the host" "most at once $1 (connections $2, requests $3)" test "$1" -le 2 -a "$3" = 6
check "per_host = 2: connections are reused (6 requests over at most 2 connections)" "connections $2, requests $3" test "$2" -le 2
newconf conc1 "concurrency = 1"
for i in 1 2 3; do
	write_rss "www/c1-$i.xml" "c1x$i" 1
	rule "/c1-$i.xml" '{"delay": 0.5}'
	src "c1x$i" "$BASE/c1-$i.xml"
done
poll "$D/p1" --force
set -- $(overlap /c1-)
check "concurrency = 1: one request at a time" "most at once $1, requests $3" test "$1" = 1 -a "$3" = 3
newconf perhost6 "per_host = 6"
for i in 1 2 3 4; do
	write_rss "www/p6-$i.xml" "p6x$i" 1
	rule "/p6-$i.xml" '{"delay": 0.5}'
	src "p6x$i" "$BASE/p6-$i.xml"
done
poll "$D/p1" --force
set -- $(overlap /p6-)
check "per_host = 6: 4 sources on one host are fetched in parallel (the measure works)" "most at once $1, requests $3" test "$1" = 4

# --- 16. Redirects to private addresses -------------------------------------------------------------------
mkdir -p www2
write_rss www2/target.xml target 1
write_rss www/pd.xml direct 1
RULES2=$T/rules2.json
if start_fixture fx2 "$T/www2" "$RULES2"; then pass "second fixture server starts"; else fail "second fixture server starts" "no port file"; fi
LOG2=$FX_LOG
reqs_log2() { reqs "$1" "$LOG2"; }
rule /pr.xml "{\"status\": 302, \"redirect\": \"http://127.0.0.1:$FX_PORT/target.xml\"}"
newconf private
PRIV=
src pdirect "$BASE/pd.xml"
src predir "$BASE/pr.xml"
unset PRIV
poll "$D/p1" --force
expect0 "private: poll exits 0" "$D/p1"
check "private: a 127.0.0.1 source URL chosen by the operator is fetched" "not in news.atom" published "$D/public/news.atom" "direct item 1"
line=$(stline predir)
expect_line "private: redirect to another loopback port refused" "$line" "predir *error*redirect to a private or loopback address refused*"
n=$(reqs_log2 /target.xml)
check "private: the second server was not contacted" "requests=$n" test "$n" = 0
newconf private-yes
src predir "$BASE/pr.xml"
poll "$D/p1" --force
n=$(reqs_log2 /target.xml)
check "private: with allow_private = yes the redirect is followed" "requests=$n" test "$n" = 1
check "private: with allow_private = yes its items are published" "not in news.atom" published "$D/public/news.atom" "target item 1"
# The guard must hold when the redirect lands on a connection that another source (one with
# allow_private = yes) left open: "inside" is fetched first, "outside" redirects there 0.5 s later.
write_rss www2/inside.xml inside 1
write_rss www2/admin.xml admin 1
rule /pr2.xml "{\"delay\": 0.5, \"status\": 302, \"redirect\": \"http://127.0.0.1:$FX_PORT/admin.xml\"}"
newconf private-reuse
src inside "http://127.0.0.1:$FX_PORT/inside.xml"
PRIV=
src outside "$BASE/pr2.xml"
unset PRIV
poll "$D/p1" --force
check "private: the allow_private = yes source next to it is fetched" "not in news.atom" published "$D/public/news.atom" "inside item 1"
n=$(reqs_log2 /admin.xml)
line=$(stline outside)
check "private: a redirect is refused even onto a connection another source left open" \
	"the second server got $n request(s) for /admin.xml; status: '$line'" test "$n" = 0
if published "$D/public/news.atom" "admin item 1"; then fail "private: nothing from the refused redirect is published" "'admin item 1' is in news.atom"; else pass "private: nothing from the refused redirect is published"; fi

e2e_done
