#!/bin/sh
# The shipped configuration (feeds/tidings.ini over the offline examples/) publishes every
# category and the aggregated feeds, all well formed; a second forced poll rewrites nothing.
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init

cp -R "$TIDINGS_ROOT/feeds" "$TIDINGS_ROOT/examples" "$T/" || { fail setup "cannot copy feeds/ and examples/"; e2e_done; }
cd "$T" || exit 1
CONF=feeds/tidings.ini
P=public

run_tidings "$T/poll1" -c "$CONF" poll --force
if [ "$RC" -eq 0 ]; then pass "poll --force exits 0"; else fail "poll --force exits 0" "$(describe "$T/poll1")"; fi

# Files: three named categories plus any other the config defines.
cats="xay-dung-dang kinh-te technology"
for c in $(fc categories "$CONF"); do
	case " $cats " in *" $c "*) ;; *) cats="$cats $c" ;; esac
done
files="new.rss new.atom new.json index.html feeds.opml"
for c in $cats; do files="$files $c.rss $c.atom $c.json"; done
for f in $files; do
	check "public/$f exists" "missing or empty" test -s "$P/$f"
done

# Well-formedness.
for f in "$P"/*.rss "$P"/*.atom "$P"/*.opml; do
	[ -f "$f" ] || continue
	if out=$(xmllint --noout "$f" 2>&1); then pass "xmllint $f"; else fail "xmllint $f" "$(echo "$out" | head -n 3 | tr '\n' '|')"; fi
done
if [ -f "$P/index.html" ]; then
	out=$(xmllint --html --noout "$P/index.html" 2>&1)
	rc=$?
	# libxml2's HTML 4 parser calls HTML5 elements invalid; anything else is a real error.
	bad=$(printf '%s\n' "$out" | grep 'error' | grep -v 'Tag [A-Za-z0-9]* invalid')
	if [ $rc -eq 0 ] && [ -z "$bad" ]; then pass "xmllint --html index.html"; else fail "xmllint --html index.html" "rc=$rc $(echo "$bad" | head -n 3 | tr '\n' '|')"; fi
	for c in $cats; do
		check "index.html links $c.atom" "no href to $c.atom" grep -q "$c\.atom" "$P/index.html"
	done
	check "index.html has feed autodiscovery" "no <link rel=alternate> for a feed" \
		grep -Eqi '<link[^>]*rel="?alternate' "$P/index.html"
fi
for f in "$P"/*.json; do
	[ -f "$f" ] || continue
	if out=$(fc jsonfeed "$f" 2>&1); then pass "JSON Feed 1.1 with items: $f"; else fail "JSON Feed 1.1 with items: $f" "$out"; fi
done

# Each feed source's example items appear in its categories' feeds (all three formats).
fc sources "$CONF" >"$T/sources.tsv" 2>"$T/sources.err"
if [ ! -s "$T/sources.tsv" ]; then
	fail "config lists sources" "$(cat "$T/sources.err")"
fi
checked=0
tab=$(printf '\t')
while IFS="$tab" read -r name type scats url; do
	case $url in
	file://*) path=${url#file://} ;;
	http://* | https://*) continue ;;
	/*) path=$url ;;
	*) path=$(dirname "$CONF")/$url ;;
	esac
	[ -f "$path" ] || continue
	case $type in auto | feed) ;; *) continue ;; esac
	case $path in *.rss | *.atom | *.xml | *.rdf | *.json) ;; *) continue ;; esac
	fc titles "$path" >"$T/want.$name" 2>/dev/null || continue
	[ -s "$T/want.$name" ] || continue
	for c in $(echo "$scats" | tr ',' ' '); do
		for ext in rss atom json; do
			[ -f "$P/$c.$ext" ] || continue
			fc titles "$P/$c.$ext" >"$T/have.$c.$ext" 2>&1
			missing=$(grep -Fxv -f "$T/have.$c.$ext" "$T/want.$name" | head -n 3 | tr '\n' '|')
			if [ -z "$missing" ]; then
				pass "$c.$ext holds the items of $name"
			else
				fail "$c.$ext holds the items of $name" "missing titles: $missing"
			fi
			checked=$((checked + 1))
		done
	done
done <"$T/sources.tsv"
if [ $checked -gt 0 ]; then pass "example titles compared ($checked feeds)"; else fail "example titles compared" "no feed source with an example file found in $CONF"; fi

# Each dir source's article files (.txt and .html) are items of its categories, titled as
# `tidings parse FILE` reads them, with an absolute link when the page names its address.
dirs=0
while IFS="$tab" read -r name type scats url; do
	[ "$type" = dir ] || continue
	case $url in /*) path=$url ;; *) path=$(dirname "$CONF")/$url ;; esac
	for f in "$path"/*.txt "$path"/*.html; do
		[ -f "$f" ] || continue
		run_tidings "$T/pf" -c "$CONF" parse "$f"
		title=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["items"][0]["title"])' "$T/pf.out" 2>/dev/null)
		for c in $(echo "$scats" | tr ',' ' '); do
			if [ -n "$title" ] && fc titles "$P/$c.atom" 2>/dev/null | grep -Fxq -- "$title"; then
				pass "$c.atom holds $(basename "$f") of $name"
			else
				fail "$c.atom holds $(basename "$f") of $name" "title '$title' not in $c.atom"
			fi
		done
		dirs=$((dirs + 1))
	done
done <"$T/sources.tsv"
check "article files compared" "no dir source with article files in $CONF" test "$dirs" -ge 5
"$PYTHON" - "$P/trang-tin.json" >"$T/pages.txt" 2>&1 <<'PY'
import json, sys
for it in json.load(open(sys.argv[1], encoding="utf-8"))["items"]:
    print(it.get("url", ""), it.get("date_published", ""), (it.get("authors") or [{}])[0].get("name", ""))
PY
check "trang-tin.json: 4 pages, each with an https link, a date and an author" "$(cat "$T/pages.txt")" \
	test "$(grep -cE '^https://[^ ]+ 2026-10-[0-9]{2}T[0-9:]{8}Z .+' "$T/pages.txt")" -eq 4

# new.atom holds items of every category.
if [ -f "$P/new.atom" ]; then
	fc titles "$P/new.atom" >"$T/new.titles" 2>&1
	for c in $cats; do
		[ -f "$P/$c.atom" ] || continue
		fc titles "$P/$c.atom" >"$T/cat.titles" 2>/dev/null
		if grep -Fxq -f "$T/cat.titles" "$T/new.titles"; then pass "new.atom holds items of $c"; else fail "new.atom holds items of $c" "no title of $c.atom in new.atom"; fi
	done
fi

# A second forced poll over unchanged sources rewrites nothing.
snapshot "$P" >"$T/snap1"
sleep 1.1
run_tidings "$T/poll2" -c "$CONF" poll --force
if [ "$RC" -eq 0 ]; then pass "second poll --force exits 0"; else fail "second poll --force exits 0" "$(describe "$T/poll2")"; fi
snapshot "$P" >"$T/snap2"
if [ ! -s "$T/snap1" ]; then
	fail "second poll rewrites no output file" "public/ is empty or missing"
elif cmp -s "$T/snap1" "$T/snap2"; then
	pass "second poll rewrites no output file"
else
	fail "second poll rewrites no output file" "changed (name inode mtime cksum): $(diff "$T/snap1" "$T/snap2" | grep '^[<>]' | head -n 6 | tr '\n' '|')"
fi
if [ -d "$P" ]; then
	stray=$(ls -A "$P" | grep -Ei '^\.|tmp|~$|\.part$' | head -n 3 | tr '\n' ' ')
	check "no temporary files left in public/" "found: $stray" test -z "$stray"
fi

# status: one line per source.
run_tidings "$T/status" -c "$CONF" status
if [ "$RC" -eq 0 ]; then pass "status exits 0"; else fail "status exits 0" "$(describe "$T/status")"; fi
while IFS="$tab" read -r name type scats url; do
	n=$(awk -v s="$name" '{ for (i = 1; i <= NF; i++) { f = $i; sub(/[:,]$/, "", f); if (f == s) { c++; break } } } END { print c + 0 }' "$T/status.out")
	if [ "$n" -eq 1 ]; then pass "status has one line for $name"; else fail "status has one line for $name" "$n lines; stdout: $(head -c 400 "$T/status.out" | tr '\n' '|')"; fi
done <"$T/sources.tsv"

e2e_done
