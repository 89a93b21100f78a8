#!/bin/sh
# HTTP of `tidings serve` (issue 6): conditional GET (ETag lists, W/, If-Modified-Since), HEAD,
# gzip, CORS, Cache-Control, traversal attempts (/../, %2e%2e, %2f, NUL, backslash, hidden files),
# no directory listing, 404/405, a huge header, /healthz, /metrics, archive pages, and a file
# replaced on disk served fresh.
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init

cp -R "$TIDINGS_ROOT/feeds" "$TIDINGS_ROOT/examples" "$T/" || { fail setup "cannot copy feeds/ and examples/"; e2e_done; }
cd "$T" || exit 1
CONF=feeds/tidings.ini
P=public
sed -e 's|^items_per_feed[ 	]*=.*|items_per_feed = 3|' -e 's|^listen[ 	]*=.*|listen = 127.0.0.1:0|' \
	"$CONF" >"$CONF.tmp" && mv "$CONF.tmp" "$CONF"

run_tidings "$T/poll" -c "$CONF" poll --force
if [ "$RC" -eq 0 ] && [ -s "$P/technology.atom" ]; then pass "poll --force publishes"; else fail "poll --force publishes" "$(describe "$T/poll")"; fi
# Bait outside the output folder and a hidden file inside it.
echo "SECRET-OUTSIDE" >"$T/secret.txt"
echo "SECRET-OUTSIDE" >"$T/secret.atom"
echo "SECRET-HIDDEN" >"$P/.hidden.atom"

if ! start_daemon "$T/serve" -c "$CONF" serve || ! wait_listening "$T/serve" 100; then
	fail "serve starts and prints its port" "$(head -c 400 "$T/serve.err" | tr '\n' '|')"
	e2e_done
fi
pass "serve starts and prints its port"
U=http://127.0.0.1:$LISTEN_PORT
H=$T/h

# code_is NAME WANT... : the last http call answered one of WANT.
code_is() {
	_n=$1
	shift
	case " $* " in
	*" $HTTP_CODE "*) pass "$_n" ;;
	*) fail "$_n" "HTTP $HTTP_CODE, want $*" ;;
	esac
}
hdr_is() { # NAME HEADER WANT
	_v=$(header "$H" "$2")
	check "$1" "$2 is '$_v', want '$3'" test "$_v" = "$3"
}
raw() { "$PYTHON" "$E2E_DIR/pub_raw.py" "$LISTEN_PORT" "$@"; }

# --- A feed: validators, type, CORS, Cache-Control, body.
F=technology.atom
cp "$P/$F" "$T/orig.atom"
http "$H" "$U/$F"
code_is "GET /$F -> 200" 200
etag=$(header "$H" ETag)
lm=$(header "$H" Last-Modified)
case $etag in '"'*'"') pass "ETag is strong and quoted ($etag)" ;; *) fail "ETag is strong and quoted" "got '$etag'" ;; esac
check "Last-Modified present" "none" test -n "$lm"
check "GET body equals public/$F" "differs" cmp -s "$H.b" "$P/$F"
hdr_is "Content-Type of .atom" Content-Type "application/atom+xml; charset=utf-8"
hdr_is "Access-Control-Allow-Origin on .atom" Access-Control-Allow-Origin "*"
cc=$(header "$H" Cache-Control)
age=$(echo "$cc" | sed -n 's/.*max-age=\([0-9][0-9]*\).*/\1/p')
# poll_interval = 30m in the shipped configuration: a cache may keep a feed at most that long.
if [ -n "$age" ] && [ "$age" -gt 0 ] && [ "$age" -le 1800 ]; then pass "Cache-Control max-age from the poll interval ($cc)"; else fail "Cache-Control max-age from the poll interval" "got '$cc'"; fi
for f in technology.rss:application/rss+xml technology.json:application/feed+json feeds.opml:text/x-opml; do
	name=${f%%:*}
	http "$H" "$U/$name"
	ct=$(header "$H" Content-Type)
	case $HTTP_CODE:$ct in 200:"${f#*:}"*) pass "GET /$name -> 200 ${f#*:}" ;; *) fail "GET /$name -> 200 ${f#*:}" "HTTP $HTTP_CODE Content-Type '$ct'" ;; esac
	case $name in *.opml) ;; *) hdr_is "Access-Control-Allow-Origin on $name" Access-Control-Allow-Origin "*" ;; esac
	check "GET /$name body equals the file" "differs" cmp -s "$H.b" "$P/$name"
done
http "$H" "$U/"
ct=$(header "$H" Content-Type)
case $HTTP_CODE:$ct in 200:text/html*) pass "GET / -> index.html as text/html" ;; *) fail "GET / -> index.html as text/html" "HTTP $HTTP_CODE '$ct'" ;; esac
http "$H" "$U/archive/technology/1.atom"
code_is "GET /archive/technology/1.atom -> 200" 200
check "archive page body equals the file" "differs" cmp -s "$H.b" "$P/archive/technology/1.atom"
hdr_is "archive page Content-Type" Content-Type "application/atom+xml; charset=utf-8"

# --- Conditional GET.
http "$H" -H "If-None-Match: $etag" "$U/$F"
code_is "If-None-Match: <etag> -> 304" 304
check "304 has no body" "$(wc -c <"$H.b") bytes" test ! -s "$H.b"
hdr_is "304 repeats the ETag" ETag "$etag"
check "304 keeps Cache-Control" "none" test -n "$(header "$H" Cache-Control)"
http "$H" -H "If-None-Match: \"aaa\", $etag, \"bbb\"" "$U/$F"
code_is "If-None-Match: list holding the etag -> 304" 304
http "$H" -H "If-None-Match: \"aaa\",W/$etag" "$U/$F"
code_is "If-None-Match: W/<etag> in a list -> 304 (weak comparison)" 304
http "$H" -H 'If-None-Match: "aaa", W/"bbb"' "$U/$F"
code_is "If-None-Match: list without the etag -> 200" 200
check "If-None-Match miss sends the body" "differs" cmp -s "$H.b" "$P/$F"
http "$H" -H 'If-None-Match: *' "$U/$F"
code_is "If-None-Match: * -> 304" 304
http "$H" -H "If-Modified-Since: $lm" "$U/$F"
code_is "If-Modified-Since: <Last-Modified> -> 304" 304
http "$H" -H "If-Modified-Since: Mon, 01 Jan 1990 00:00:00 GMT" "$U/$F"
code_is "If-Modified-Since: older date -> 200" 200
check "If-Modified-Since older sends the body" "differs" cmp -s "$H.b" "$P/$F"
http "$H" -H "If-Modified-Since: not a date" "$U/$F"
code_is "If-Modified-Since: garbage -> 200" 200
http "$H" -H 'If-None-Match: "aaa"' -H "If-Modified-Since: $lm" "$U/$F"
code_is "If-None-Match miss wins over a matching If-Modified-Since -> 200" 200

# --- HEAD: same headers, no body on the wire.
raw HEAD "/$F" >"$T/head.out"
read -r hcode hbody <"$T/head.out"
check "HEAD /$F -> 200" "got $(head -n 1 "$T/head.out")" test "$hcode" = 200
check "HEAD sends no body" "$hbody bytes after the headers" test "$hbody" = 0
raw GET "/$F" >"$T/get.out"
for k in etag last-modified content-type content-length cache-control access-control-allow-origin vary; do
	hv=$(sed -n "s/^$k: //p" "$T/head.out")
	gv=$(sed -n "s/^$k: //p" "$T/get.out")
	check "HEAD $k equals GET's" "HEAD '$hv', GET '$gv'" test "$hv" = "$gv"
done
raw HEAD "/$F" "If-None-Match: $etag" >"$T/head304.out"
check "HEAD with If-None-Match -> 304" "got $(head -n 1 "$T/head304.out")" test "$(cut -d' ' -f1 "$T/head304.out" | head -n 1)" = 304

# --- gzip.
http "$H.gz" -H 'Accept-Encoding: gzip' "$U/$F"
ce=$(header "$H.gz" Content-Encoding)
getag=$(header "$H.gz" ETag)
check "Accept-Encoding: gzip -> Content-Encoding: gzip" "HTTP $HTTP_CODE Content-Encoding '$ce'" test "$HTTP_CODE:$ce" = "200:gzip"
check "gzip body decompresses to the file" "differs" sh -c 'gzip -dc <"$1" 2>/dev/null | cmp -s - "$2"' sh "$H.gz.b" "$P/$F"
check "gzip response has Vary: Accept-Encoding" "got '$(header "$H.gz" Vary)'" sh -c 'echo "$1" | grep -qi accept-encoding' sh "$(header "$H.gz" Vary)"
http "$H" "$U/$F"
check "identity response has Vary: Accept-Encoding" "got '$(header "$H" Vary)'" sh -c 'echo "$1" | grep -qi accept-encoding' sh "$(header "$H" Vary)"
check "gzip ETag differs from the identity ETag" "both '$getag'" test -n "$getag" -a "$getag" != "$etag"
http "$H" -H 'Accept-Encoding: gzip' -H "If-None-Match: $getag" "$U/$F"
code_is "gzip If-None-Match: <gzip etag> -> 304" 304
http "$H" -H 'Accept-Encoding: gzip;q=0' "$U/$F"
check "Accept-Encoding: gzip;q=0 -> identity" "Content-Encoding '$(header "$H" Content-Encoding)'" test -z "$(header "$H" Content-Encoding)"
check "gzip;q=0 body is the file" "differs" cmp -s "$H.b" "$P/$F"
http "$H" -H 'Accept-Encoding: br' "$U/$F"
check "Accept-Encoding: br -> identity" "Content-Encoding '$(header "$H" Content-Encoding)'" test -z "$(header "$H" Content-Encoding)"

# --- Nothing outside the output folder, no hidden file, no listing.
leak() { grep -q 'SECRET' "$H.b" 2>/dev/null || grep -q 'root:' "$H.b" 2>/dev/null; }
for p in '/../etc/passwd' '/../secret.atom' '/%2e%2e/secret.atom' '/%2E%2E/secret.atom' '/..%2fsecret.atom' \
	'/%2e%2e%2fsecret.atom' '/archive/..%2f..%2fsecret.atom' '/archive/technology/%2e%2e/%2e%2e/%2e%2e/secret.atom' \
	'/..%5csecret.atom' '/..\secret.atom' '/.hidden.atom' '/%2ehidden.atom' '//etc/passwd' '/%2fetc%2fpasswd' \
	'/archive/' '/archive/technology/' '/archive' '/new.atom/' '/%00' '/new.atom%00' '/new.atom%00.html' \
	'/secret.atom%00' '/..%00/secret.atom'; do
	http "$H" --path-as-is "$U$p"
	if leak; then
		fail "GET $p leaks nothing" "body holds the bait"
	else
		code_is "GET $p -> 400|404" 400 404
	fi
done
# A raw NUL byte in the request line: libmicrohttpd (0.9.75) cuts the target at the NUL before
# tidings sees it, so "/new.atom<NUL>.html" may be answered as "/new.atom"; what must hold is that
# no such request reaches anything else.
raw GET '/new.atom\0.html' >"$T/nul.out"
c=$(head -n 1 "$T/nul.out" | cut -d' ' -f1)
nb=$(head -n 1 "$T/nul.out" | cut -d' ' -f2)
size=$(wc -c <"$P/new.atom" | tr -d ' ')
check "raw NUL in the path -> 400|404, or at most the file before the NUL" "got $(head -n 1 "$T/nul.out") (new.atom is $size bytes)" \
	sh -c 'case $1 in 400|404|000) exit 0;; 200) [ "$2" = "$3" ] && exit 0;; esac; exit 1' sh "$c" "$nb" "$size"
for p in '/..\0/secret.atom' '/secret.atom\0' '/%2e%2e\0/secret.atom' '/archive/\0/../../secret.atom'; do
	raw GET "$p" >"$T/nul.out"
	c=$(head -n 1 "$T/nul.out" | cut -d' ' -f1)
	check "raw NUL path $p -> 400|404" "got $(head -n 1 "$T/nul.out")" sh -c 'case $1 in 400|404|000) exit 0;; esac; exit 1' sh "$c"
done

# --- Unknown path, other methods.
http "$H" "$U/no-such-feed.atom"
code_is "GET /no-such-feed.atom -> 404" 404
len=$(wc -c <"$H.b" | tr -d ' ')
check "404 body is short" "$len bytes" test "$len" -le 512
check "404 is not cacheable for long" "Cache-Control '$(header "$H" Cache-Control)'" sh -c 'case $1 in *no-store*|*no-cache*|*max-age=0*|"") exit 0;; esac; exit 1' sh "$(header "$H" Cache-Control)"
for m in POST PUT DELETE PATCH; do
	http "$H" -X "$m" -d 'x=1' "$U/$F"
	code_is "$m /$F -> 405" 405
	allow=$(header "$H" Allow)
	check "$m 405 names Allow: GET, HEAD" "Allow '$allow'" sh -c 'echo "$1" | grep -q GET && echo "$1" | grep -q HEAD' sh "$allow"
done
check "$F unchanged on disk after the write methods" "changed" cmp -s "$P/$F" "$T/orig.atom"

# --- Huge requests: rejected, server still alive.
"$PYTHON" -c 'print("X-Big: " + "a" * 100000)' >"$T/bighdr"
http "$H" -H @"$T/bighdr" "$U/$F"
code_is "100 KB header -> 4xx" 400 413 431
big=$("$PYTHON" -c 'print("/" + "a" * 100000 + ".atom")')
http "$H" "$U$big"
code_is "100 KB request target -> 4xx" 400 404 414 431
http "$H" "$U/healthz"
code_is "GET /healthz -> 200 (alive after the huge requests)" 200

# --- /metrics.
http "$H" "$U/metrics"
code_is "GET /metrics -> 200" 200
ct=$(header "$H" Content-Type)
case $ct in text/plain*) pass "/metrics Content-Type text/plain ($ct)" ;; *) fail "/metrics Content-Type text/plain" "got '$ct'" ;; esac
n1=$(sed -n 's/^tidings_http_requests_total \([0-9][0-9]*\)$/\1/p' "$H.b")
check "/metrics has 'tidings_http_requests_total N'" "body: $(head -c 300 "$H.b" | tr '\n' '|')" test -n "$n1"
check "tidings_http_requests_total is positive" "N=$n1" test "${n1:-0}" -gt 0
nm1=$(sed -n 's/^tidings_http_not_modified_total \([0-9][0-9]*\)$/\1/p' "$H.b")
nf1=$(sed -n 's/^tidings_http_not_found_total \([0-9][0-9]*\)$/\1/p' "$H.b")
check "/metrics counts 304s and 404s" "not_modified '$nm1' not_found '$nf1'" test "${nm1:-0}" -ge 5 -a "${nf1:-0}" -ge 5
bad=$(grep -v '^#' "$H.b" | grep -v '^$' | grep -Ev '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? (-?[0-9.]+([eE][-+]?[0-9]+)?|[-+]Inf|NaN)( -?[0-9]+)?$' | head -n 2 | tr '\n' '|')
check "/metrics lines are Prometheus text format" "bad lines: $bad" test -z "$bad"
# Exactly five requests between two scrapes: two 200, one HEAD, one 304, one 404.
http "$H" "$U/$F"
http "$H" "$U/technology.rss"
raw HEAD "/$F" >/dev/null
http "$H" -H "If-None-Match: $etag" "$U/$F"
http "$H" "$U/nope.atom"
http "$H" "$U/metrics"
n2=$(sed -n 's/^tidings_http_requests_total \([0-9][0-9]*\)$/\1/p' "$H.b")
nm2=$(sed -n 's/^tidings_http_not_modified_total \([0-9][0-9]*\)$/\1/p' "$H.b")
nf2=$(sed -n 's/^tidings_http_not_found_total \([0-9][0-9]*\)$/\1/p' "$H.b")
check "tidings_http_requests_total grows by the 5 requests + 1 scrape" "$n1 then $n2" test "$((${n2:-0} - ${n1:-0}))" -eq 6
check "tidings_http_not_modified_total grows by 1" "$nm1 then $nm2" test "$((${nm2:-0} - ${nm1:-0}))" -eq 1
check "tidings_http_not_found_total grows by 1" "$nf1 then $nf2" test "$((${nf2:-0} - ${nf1:-0}))" -eq 1

# --- A file replaced on disk is served fresh (the memory cache revalidates).
sleep 0.05
cp "$P/kinh-te.atom" "$T/repl.tmp" && mv "$T/repl.tmp" "$P/$F"
http "$H" "$U/$F"
netag=$(header "$H" ETag)
check "replaced file: GET returns the new bytes" "old body" cmp -s "$H.b" "$P/$F"
check "replaced file: new ETag" "still '$netag'" test -n "$netag" -a "$netag" != "$etag"
http "$H" -H "If-None-Match: $etag" "$U/$F"
code_is "replaced file: old ETag -> 200" 200
http "$H.gz" -H 'Accept-Encoding: gzip' "$U/$F"
check "replaced file: gzip body is the new file" "decompresses to other bytes" sh -c 'gzip -dc <"$1" 2>/dev/null | cmp -s - "$2"' sh "$H.gz.b" "$P/$F"
# Replaced by a copy that keeps an older mtime (cp -p, rsync -t, tar x): the .gz twin beside it is
# now newer than the file but holds the old content.
cp -p "$P/xay-dung-dang.atom" "$T/old.tmp" && touch -d '2020-01-01 00:00:00' "$T/old.tmp" && mv "$T/old.tmp" "$P/new.atom"
http "$H" "$U/new.atom"
check "replaced by an older-mtime file: GET returns the new bytes" "old body" cmp -s "$H.b" "$P/new.atom"
http "$H.gz" -H 'Accept-Encoding: gzip' "$U/new.atom"
check "replaced by an older-mtime file: gzip body is the new file" \
	"ETag $(header "$H.gz" ETag) but the body decompresses to the old file (stale new.atom.gz served)" \
	sh -c 'gzip -dc <"$1" 2>/dev/null | cmp -s - "$2"' sh "$H.gz.b" "$P/new.atom"
rm -f "$P/$F"
http "$H" "$U/$F"
code_is "deleted file -> 404" 404

e2e_done
