#!/bin/sh
# Command line: --version, --help, exit statuses, configuration errors naming file:line and key,
# `check`, `parse`, `export-opml`.
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init
cp -R "$TIDINGS_ROOT/feeds" "$TIDINGS_ROOT/examples" "$T/" || { fail setup "cannot copy feeds/ and examples/"; e2e_done; }
cd "$T" || exit 1

# expect_rc NAME WANT PREFIX
expect_rc() {
	if [ "$RC" -eq "$2" ]; then pass "$1"; else fail "$1" "want exit $2, $(describe "$3")"; fi
}

# --version / --help / unknown command
version=$(cat "$TIDINGS_ROOT/VERSION" 2>/dev/null)
run_tidings "$T/ver" --version
expect_rc "--version exits 0" 0 "$T/ver"
first=$(head -n 1 "$T/ver.out")
case $first in
"tidings $version" | "tidings $version "*) pass "--version prints 'tidings $version'" ;;
*) fail "--version prints 'tidings $version'" "stdout: '$first'" ;;
esac

run_tidings "$T/help" --help
expect_rc "--help exits 0" 0 "$T/help"
for c in run poll build serve status parse check import-opml export-opml; do
	check "--help mentions $c" "not on stdout" grep -Eq "(^|[^a-z-])$c([^a-z-]|\$)" "$T/help.out"
done
check "--help mentions --force" "not on stdout" grep -q -- '--force' "$T/help.out"

run_tidings "$T/unk" -c feeds/tidings.ini frobnicate
expect_rc "unknown command exits 2" 2 "$T/unk"
check "unknown command says so on stderr" "stderr empty" test -s "$T/unk.err"
run_tidings "$T/unkopt" --no-such-option
expect_rc "unknown option exits 2" 2 "$T/unkopt"
run_tidings "$T/noarg" -c feeds/tidings.ini parse
expect_rc "parse without FILE exits 2" 2 "$T/noarg"

# Configuration errors.
mkdir -p sub
base='[site]
title = E2E cli
output = public
database = var/tidings.db
listen =

[category news]
title = News
'
{
	printf '%s\n' "$base"
	printf '%s\n' '[source x]' 'url = feed.xml' 'category = news' 'intervall = 5m'
} >sub/bad-key.ini
n=$(grep -n '^intervall' sub/bad-key.ini | cut -d: -f1)
run_tidings "$T/badkey" -c sub/bad-key.ini check
expect_rc "unknown key exits 2" 2 "$T/badkey"
want="sub/bad-key.ini:$n: source \"x\": unknown key \"intervall\""
check "unknown key message is '$want'" "stderr: $(head -c 300 "$T/badkey.err" | tr '\n' '|')" grep -Fq -- "$want" "$T/badkey.err"
run_tidings "$T/badkey2" -c sub/bad-key.ini poll
expect_rc "unknown key: poll exits 2 too" 2 "$T/badkey2"

printf '%s\n' '[site]' 'title = E2E cli' 'output = public' 'poll_interval = 5 parsecs' 'listen =' '' \
	'[category news]' 'title = News' >sub/bad-dur.ini
n=$(grep -n '^poll_interval' sub/bad-dur.ini | cut -d: -f1)
run_tidings "$T/baddur" -c sub/bad-dur.ini check
expect_rc "bad duration exits 2" 2 "$T/baddur"
check "bad duration names sub/bad-dur.ini:$n and poll_interval" "stderr: $(head -c 300 "$T/baddur.err" | tr '\n' '|')" \
	sh -c "grep -F -- 'sub/bad-dur.ini:$n:' '$T/baddur.err' | grep -q poll_interval"

{
	printf '%s\n' "$base"
	printf '%s\n' '[source y]' 'url = feed.xml' 'category = nosuch'
} >sub/bad-cat.ini
n=$(grep -n '^category = nosuch' sub/bad-cat.ini | cut -d: -f1)
run_tidings "$T/badcat" -c sub/bad-cat.ini check
expect_rc "undefined category exits 2" 2 "$T/badcat"
check "undefined category names sub/bad-cat.ini and 'nosuch'" "stderr: $(head -c 300 "$T/badcat.err" | tr '\n' '|')" \
	sh -c "grep -F -- 'sub/bad-cat.ini' '$T/badcat.err' | grep -q nosuch"
check "undefined category names line $n" "stderr: $(head -c 300 "$T/badcat.err" | tr '\n' '|')" \
	grep -Fq -- "sub/bad-cat.ini:$n:" "$T/badcat.err"

printf '%s\n' "$base" '[source z]' 'category = news' >sub/no-url.ini
run_tidings "$T/nourl" -c sub/no-url.ini check
expect_rc "source without url exits 2" 2 "$T/nourl"

# check on the shipped configuration.
run_tidings "$T/check" -c feeds/tidings.ini check
expect_rc "check feeds/tidings.ini exits 0" 0 "$T/check"
check "check prints the site output (public)" "stdout: $(head -c 300 "$T/check.out" | tr '\n' '|')" grep -q 'public' "$T/check.out"
fc sources feeds/tidings.ini >"$T/sources.tsv"
tab=$(printf '\t')
while IFS="$tab" read -r name rest; do
	check "check prints source $name" "not in stdout" grep -Fq -- "$name" "$T/check.out"
done <"$T/sources.tsv"

# parse
run_tidings "$T/pa" parse examples/feeds/kinh-te.atom
expect_rc "parse kinh-te.atom exits 0" 0 "$T/pa"
if fc parsed "$T/pa.out" atom1.0 >"$T/pa.titles" 2>"$T/pa.why"; then
	pass "parse kinh-te.atom: one JSON object, atom1.0, RFC 3339 UTC dates"
else
	fail "parse kinh-te.atom: one JSON object, atom1.0, RFC 3339 UTC dates" "$(cat "$T/pa.why")"
fi
fc titles examples/feeds/kinh-te.atom >"$T/pa.want"
check "parse kinh-te.atom: item titles as in the file" "$(diff "$T/pa.want" "$T/pa.titles" | head -n 4 | tr '\n' '|')" cmp -s "$T/pa.want" "$T/pa.titles"

for f in examples/feeds/*; do
	[ -f "$f" ] || continue
	fmt=$(fc format "$f" 2>/dev/null)
	case $fmt in "" | "?") continue ;; esac
	b=$(basename "$f")
	run_tidings "$T/p.$b" parse "$f"
	if [ "$RC" -eq 0 ] && fc parsed "$T/p.$b.out" "$fmt" >/dev/null 2>"$T/p.$b.why"; then
		pass "parse $b gives $fmt"
	else
		fail "parse $b gives $fmt" "$(describe "$T/p.$b") $(cat "$T/p.$b.why" 2>/dev/null)"
	fi
	[ "$fmt" = rss2.0 ] && seen_rss=1
done
check "examples/feeds has an RSS 2.0 file" "none found" test -n "${seen_rss:-}"

: >empty.xml
printf 'GIF89a\001\000\001\000\000\000\000\000\000' >notfeed.gif
printf '{"hello": "world"}\n' >notfeed.json
for f in empty.xml notfeed.gif notfeed.json; do
	run_tidings "$T/pn.$f" parse "$f"
	lines=$(wc -l <"$T/pn.$f.err" | tr -d ' ')
	# a last line without newline still counts as one
	[ -s "$T/pn.$f.err" ] && [ "$lines" -eq 0 ] && lines=1
	if [ "$RC" -eq 1 ] && [ "$lines" -eq 1 ]; then
		pass "parse $f exits 1 with one line on stderr"
	else
		fail "parse $f exits 1 with one line on stderr" "rc=$RC, $lines stderr lines: $(head -c 300 "$T/pn.$f.err" | tr '\n' '|') stdout: $(head -c 100 "$T/pn.$f.out")"
	fi
done
run_tidings "$T/pmiss" parse does-not-exist.xml
expect_rc "parse of a missing file exits 1" 1 "$T/pmiss"

# parse FILE...: the documents one after another in the order given (read on several threads),
# each as `parse FILE` prints it; a failing input is one line on stderr and makes the exit 1.
set --
: >"$T/pm.want"
for round in 1 2 3 4 5 6; do
	for f in examples/feeds/* examples/articles/*.txt; do
		set -- "$@" "$f"
		"$TIDINGS_BIN" parse "$f" >>"$T/pm.want" 2>/dev/null
	done
	[ "$round" = 3 ] && set -- "$@" does-not-exist.xml
done
run_tidings "$T/pm" parse "$@"
expect_rc "parse of $# inputs, one missing, exits 1" 1 "$T/pm"
check "parse of $# inputs prints each document in order, as parse of each alone" \
	"$(cmp "$T/pm.want" "$T/pm.out" 2>&1 | head -c 200)" cmp -s "$T/pm.want" "$T/pm.out"
lines=$(wc -l <"$T/pm.err" | tr -d ' ')
check "parse of $# inputs names the missing one on one stderr line" "$lines lines: $(head -c 200 "$T/pm.err")" \
	sh -c "test $lines = 1 && grep -q 'does-not-exist.xml' '$T/pm.err'"
run_tidings "$T/pok" parse examples/feeds/kinh-te.atom examples/feeds/doanh-nghiep.rss
expect_rc "parse of two good inputs exits 0" 0 "$T/pok"

# A big feed alone is read with helper threads (sanitising, giving CDATA sections back) and its
# JSON formatted on several threads; read twice in one run, each copy is read and formatted on one
# thread.  Both ways print the same document.
python3 "$TIDINGS_ROOT/bench/gen_feeds.py" --big "$T/big.xml" 3
run_tidings "$T/pbig" parse "$T/big.xml"
expect_rc "parse of a 3 MB feed exits 0" 0 "$T/pbig"
run_tidings "$T/pbig2" parse "$T/big.xml" "$T/big.xml"
cat "$T/pbig.out" "$T/pbig.out" >"$T/pbig.want"
n=$(grep -c '"id":' "$T/pbig.out")
check "a 3 MB feed ($n items) parses alone on helper threads as on one thread" \
	"$(cmp "$T/pbig.want" "$T/pbig2.out" 2>&1 | head -c 200)" sh -c "test $n -gt 1000 && cmp -s '$T/pbig.want' '$T/pbig2.out'"

# export-opml lists every source as OPML 2.0.
run_tidings "$T/opml" -c feeds/tidings.ini export-opml
expect_rc "export-opml exits 0" 0 "$T/opml"
if xmllint --noout "$T/opml.out" 2>/dev/null && grep -q '<opml[^>]*version="2.0"' "$T/opml.out"; then
	pass "export-opml prints well-formed OPML 2.0"
else
	fail "export-opml prints well-formed OPML 2.0" "$(head -c 200 "$T/opml.out" | tr '\n' '|')"
fi
n=$(xmllint --xpath 'count(//outline[@xmlUrl])' "$T/opml.out" 2>/dev/null)
want=$(wc -l <"$T/sources.tsv" | tr -d ' ')
check "export-opml has one xmlUrl outline per source" "$n outlines, $want sources" test "$n" = "$want"

e2e_done
