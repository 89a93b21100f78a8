#!/bin/sh
# Publishing (issue 6): every generated file checked by an independent consumer.
#   xmllint well-formedness; Atom against tests/data/atom.rng (RFC 4287 appendix B, and proof that
#   the schema rejects a bad file); .gz twins; feedparser (bozo == 0, titles/links/ids/dates equal
#   `tidings parse` of the sources); JSON Feed 1.1 fields; RFC 5005 archive chain without gaps;
#   autodiscovery; <?xml-stylesheet?> + xsltproc; escaping of hostile input; incremental rebuild
#   touching one category only; `build` rewrites nothing; newsboat reading the served feeds.
# Needs /usr/bin/python3 with python3-feedparser, xmllint, xsltproc, newsboat, gzip.
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init

. "$E2E_DIR/pub_lib.sh"
RNG=$TIDINGS_ROOT/tests/data/atom.rng

# need CMD... : fails (once per missing tool) and returns 1 when a tool is missing.
need() {
	for _c in "$@"; do
		if ! command -v "$_c" >/dev/null 2>&1; then
			fail "tool $_c available" "not installed (Debian package: see mk/deps.sh)"
			return 1
		fi
	done
	return 0
}

# tree DIR : one line per file under DIR (recursive): path inode mtime(ns) cksum.
tree() {
	(cd "$1" && find . -type f | LC_ALL=C sort | while IFS= read -r _f; do
		printf '%s %s %s\n' "$_f" "$(stat -c '%i %.9Y' "$_f")" "$(cksum <"$_f" | tr -s ' ' ' ')"
	done)
}

# set_key FILE KEY VALUE : rewrites every "KEY = ..." line of an INI file.
set_key() {
	sed "s|^$2[ 	]*=.*|$2 = $3|" "$1" >"$1.tmp" && mv "$1.tmp" "$1"
}

need xmllint gzip || e2e_done
cp -R "$TIDINGS_ROOT/feeds" "$TIDINGS_ROOT/examples" "$T/" || { fail setup "cannot copy feeds/ and examples/"; e2e_done; }
cd "$T" || exit 1
CONF=feeds/tidings.ini
P=public
set_key "$CONF" items_per_feed 3
set_key "$CONF" poll_interval 0
set_key "$CONF" interval 0
set_key "$CONF" listen 127.0.0.1:0

run_tidings "$T/poll1" -c "$CONF" poll --force
if [ "$RC" -eq 0 ]; then pass "poll --force exits 0"; else fail "poll --force exits 0" "$(describe "$T/poll1")"; fi

cats=$(fc categories "$CONF")
for f in new.rss new.atom new.json index.html feeds.opml feed.xsl; do
	check "public/$f exists" "missing or empty" test -s "$P/$f"
done
for c in $cats; do
	for ext in rss atom json; do check "public/$c.$ext exists" "missing or empty" test -s "$P/$c.$ext"; done
done
narch=$(find "$P/archive" -name '*.atom' 2>/dev/null | wc -l)
check "archive pages exist with items_per_feed = 3" "none under $P/archive" test "$narch" -gt 0

# --- xmllint: every XML file well formed, every Atom file valid against RFC 4287's schema.
find "$P" -type f \( -name '*.rss' -o -name '*.atom' -o -name '*.opml' -o -name '*.xsl' \) | LC_ALL=C sort >"$T/xmlfiles"
while IFS= read -r f; do
	if out=$(xmllint --noout "$f" 2>&1); then pass "xmllint well-formed $f"; else fail "xmllint well-formed $f" "$(echo "$out" | head -n 3 | tr '\n' '|')"; fi
done <"$T/xmlfiles"
grep '\.atom$' "$T/xmlfiles" >"$T/atomfiles"
while IFS= read -r f; do
	if out=$(xmllint --noout --relaxng "$RNG" "$f" 2>&1); then pass "RELAX NG RFC 4287 valid $f"; else fail "RELAX NG RFC 4287 valid $f" "$(echo "$out" | grep -v validates | head -n 3 | tr '\n' '|')"; fi
done <"$T/atomfiles"

# The schema can fail: broken copies of a generated file must be rejected.
A=$P/technology.atom
awk '/<id>/ && !d { d = 1; next } { print }' "$A" >"$T/neg-feed-noid.atom"
awk '/<entry>/ { e = 1 } e && /<id>/ && !d { d = 1; next } { print }' "$A" >"$T/neg-entry-noid.atom"
awk '/<updated>/ && !d { sub(/<updated>[^<]*</, "<updated>2026-13-45T25:61:00Z<"); d = 1 } { print }' "$A" >"$T/neg-baddate.atom"
awk '/<published>/ && !d { sub(/<published>[^<]*</, "<published>Sat, 21 Nov 2026 15:00:00 GMT<"); d = 1 } { print }' "$A" >"$T/neg-rfc822date.atom"
awk '/<generator>/ && !d { print "  <bogus>not an Atom element</bogus>"; d = 1 } { print }' "$A" >"$T/neg-unknown.atom"
for n in feed-noid entry-noid baddate rfc822date unknown; do
	f=$T/neg-$n.atom
	if cmp -s "$f" "$A"; then
		fail "atom.rng rejects $n" "could not make the broken copy"
	elif xmllint --noout "$f" 2>/dev/null && ! xmllint --noout --relaxng "$RNG" "$f" >/dev/null 2>&1; then
		pass "atom.rng rejects $n"
	else
		fail "atom.rng rejects $n" "xmllint --relaxng accepted it (or it is not well formed)"
	fi
done
# ... and accepts what RFC 4287 allows that tidings does not write (xhtml, out-of-line content,
# foreign elements, xml:base), so it is not merely strict.
cat >"$T/pos-rfc.atom" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:x="urn:example:ext" xml:lang="en-US" xml:base="http://example.org/">
  <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A <b>feed</b></div></title>
  <link href="http://example.org/"/>
  <updated>2003-12-13T18:30:02+01:00</updated>
  <author><name>John Doe</name><email>jd@example.org</email><x:extra>e</x:extra></author>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <x:simple>text</x:simple>
  <x:structured a="1"><x:inner/></x:structured>
  <entry>
    <title>Atom-Powered Robots Run Amok</title>
    <link rel="enclosure" type="audio/mpeg" length="1337" href="http://example.org/a.mp3"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2003-12-13T18:30:02.25Z</updated>
    <content type="image/png" src="http://example.org/p.png"/>
    <source><id>tag:example.org,2003:src</id><title>Elsewhere</title></source>
  </entry>
</feed>
EOF
if out=$(xmllint --noout --relaxng "$RNG" "$T/pos-rfc.atom" 2>&1); then pass "atom.rng accepts RFC 4287 constructs tidings does not use"; else fail "atom.rng accepts RFC 4287 constructs tidings does not use" "$(echo "$out" | head -n 3 | tr '\n' '|')"; fi
pc schematron $(cat "$T/atomfiles")

# --- .gz twins: every file but the archive pages (compressed on demand by the server) has one,
# and it decompresses to exactly the file's bytes.
find "$P" -type f ! -name '*.gz' | LC_ALL=C sort >"$T/plainfiles"
while IFS= read -r f; do
	case $f in
	"$P"/archive/*)
		if [ -f "$f.gz" ]; then fail "archive page $f has no gzip twin" "found $f.gz"; else pass "archive page $f has no gzip twin"; fi
		continue ;;
	esac
	if [ ! -f "$f.gz" ]; then
		fail "gzip twin of $f" "no $f.gz"
	elif gzip -dc <"$f.gz" 2>/dev/null | cmp -s - "$f"; then
		pass "gzip twin of $f decompresses to the file"
	else
		fail "gzip twin of $f" "$f.gz does not decompress to the same bytes"
	fi
done <"$T/plainfiles"
orphans=$(find "$P" -type f -name '*.gz' | while IFS= read -r g; do [ -f "${g%.gz}" ] || echo "$g"; done | head -n 3 | tr '\n' ' ')
check "no .gz without its file" "orphans: $orphans" test -z "$orphans"
# Local sources are file:// URLs on the server; their paths must never be published.
leaks=$(grep -rl 'file:' "$P" --include='*.rss' --include='*.atom' --include='*.json' --include='*.html' --include='*.opml' | head -n 3 | tr '\n' ' ')
check "no published file names a local path (file:)" "found in: $leaks" test -z "$leaks"

# --- feedparser, JSON Feed, ids, archives, autodiscovery, stylesheet.
pc items "$CONF" "$P"
pc archives "$CONF" "$P" 3
pc discovery "$CONF" "$P"
pc stylesheet "$P"
if out=$(xmllint --noout --html "$P/index.html" 2>&1 | grep -i error | grep -v 'Tag [A-Za-z0-9]* invalid'); [ -z "$out" ]; then
	pass "index.html parses as HTML"
else
	fail "index.html parses as HTML" "$(echo "$out" | head -n 3 | tr '\n' '|')"
fi
check "feeds.opml is OPML 2.0 listing every category" "$(head -c 300 "$P/feeds.opml" | tr '\n' ' ')" \
	sh -c 'grep -q "<opml version=\"2.0\"" "$1" && for c in $2; do grep -q "xmlUrl=\"[^\"]*$c\." "$1" || exit 1; done' sh "$P/feeds.opml" "$cats"

# --- XSLT: the shipped stylesheet, as named by each feed's <?xml-stylesheet?>, gives an HTML
# page with every item title.
if need xsltproc; then
	for f in "$P/technology.rss" "$P/technology.atom" "$P/new.atom" $(find "$P/archive" -name '1.atom' | head -n 1); do
		[ -f "$f" ] || continue
		# Without a stylesheet argument xsltproc follows the document's <?xml-stylesheet?>.
		if xsltproc -o "$T/xslt.html" "$f" 2>"$T/xslt.err" && grep -qi '<html' "$T/xslt.html"; then
			fc titles "$f" >"$T/xslt.want"
			"$PY3" -c 'import sys, html.parser
class P(html.parser.HTMLParser):
    t = []
    def handle_data(self, d): self.t.append(d)
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
text = " ".join(" ".join(p.t).split())
want = [l.strip() for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
miss = [w for w in want if w not in text]
print("%d titles, missing: %r" % (len(want), miss[:3])); sys.exit(1 if miss or not want else 0)' "$T/xslt.html" "$T/xslt.want" >"$T/xslt.res" 2>&1
			if [ $? -eq 0 ]; then pass "xsltproc $f -> HTML with every item title"; else fail "xsltproc $f -> HTML with every item title" "$(cat "$T/xslt.res")"; fi
		else
			fail "xsltproc $f -> HTML with every item title" "$(head -c 300 "$T/xslt.err" | tr '\n' '|')"
		fi
	done
fi

# --- Escaping: hostile titles and markup come out inert, escaped exactly once.
mkdir -p "$T/esc" && cd "$T/esc" || exit 1
cat >evil.rss <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Evil source</title><link>https://evil.example/</link><description>hostile</description>
<item><title>5 &lt; 6 &amp; "quotes"</title><link>https://evil.example/1</link><guid>https://evil.example/1</guid>
<pubDate>Mon, 16 Nov 2026 10:00:00 GMT</pubDate>
<description><![CDATA[<p onclick="alert(1)">Summary</p><script>alert(1)</script><a href="javascript:alert(1)">x</a>]]></description>
<content:encoded><![CDATA[<div onclick="steal()">Body <script>alert(1)</script><a href="javascript:alert(1)">x</a>
<a href=" JaVaScRiPt:alert(2)">y</a><img src="x.png" onerror="alert(3)" ONCLICK="alert(4)"><iframe src="javascript:alert(5)"></iframe>
<svg><script>alert(6)</script></svg><a href="&#106;avascript:alert(7)">z</a></div>]]></content:encoded>
</item>
<item><title>Second &amp;amp; item</title><link>https://evil.example/2</link><guid>https://evil.example/2</guid>
<pubDate>Tue, 17 Nov 2026 10:00:00 GMT</pubDate><description>&lt;b&gt;bold&lt;/b&gt; &amp;lt;not a tag&amp;gt;</description></item>
</channel></rss>
EOF
printf '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Ctl</title><link>https://ctl.example/</link><description>x</description><item><title>Control\001char\013here end</title><link>https://ctl.example/1</link><guid>https://ctl.example/1</guid><pubDate>Wed, 18 Nov 2026 10:00:00 GMT</pubDate><description>a\002b &#x1; c</description></item></channel></rss>\n' >ctl.rss
cat >esc.ini <<'EOF'
[site]
title = Escape <test> & "co"
link = http://127.0.0.1:9/
output = public
database = var/tidings.db
listen =

[category news]
title = News <i>&</i>

[source evil]
url = evil.rss
type = feed
category = news

[source ctl]
url = ctl.rss
type = feed
category = news
EOF
run_tidings "$T/esc-poll" -c esc.ini poll --force
if [ "$RC" -eq 0 ]; then pass "escaping poll exits 0"; else fail "escaping poll exits 0" "$(describe "$T/esc-poll")"; fi
for f in public/*.rss public/*.atom public/*.opml; do
	if out=$(xmllint --noout "$f" 2>&1); then pass "escaping: xmllint well-formed $f"; else fail "escaping: xmllint well-formed $f" "$(echo "$out" | head -n 2 | tr '\n' '|')"; fi
done
for f in public/*.atom; do
	if xmllint --noout --relaxng "$RNG" "$f" >/dev/null 2>&1; then pass "escaping: RELAX NG valid $f"; else fail "escaping: RELAX NG valid $f" "$(xmllint --noout --relaxng "$RNG" "$f" 2>&1 | head -n 2 | tr '\n' '|')"; fi
done
pc escaping public '5 < 6 & "quotes"'
if command -v xsltproc >/dev/null 2>&1; then
	xsltproc -o "$T/esc.html" public/news.atom 2>/dev/null
	if [ -s "$T/esc.html" ] && ! grep -Eqi '<script|javascript:|onclick' "$T/esc.html"; then
		pass "escaping: the XSLT page of news.atom holds no script"
	else
		fail "escaping: the XSLT page of news.atom holds no script" "$(grep -Eio '.{0,40}(<script|javascript:|onclick).{0,40}' "$T/esc.html" | head -n 2 | tr '\n' '|')"
	fi
fi
cd "$T" || exit 1

# --- Incremental rebuild: one source gains an item; a plain poll (every source due, interval 0)
# rewrites that category's files, its archive, new.* and index.html, and nothing else.
tree "$P" >"$T/tree1"
new_item='<item><title>Incremental rebuild probe</title><link>https://example.com/webplatform/2026/11/incremental-probe</link><guid>https://example.com/webplatform/2026/11/incremental-probe</guid><pubDate>Wed, 25 Nov 2026 08:00:00 GMT</pubDate><description>Added by test_publish.sh.</description></item>'
awk -v n="$new_item" '!d && /<item>/ { print n; d = 1 } { print }' examples/feeds/web-platform.rss >"$T/wp.tmp" && mv "$T/wp.tmp" examples/feeds/web-platform.rss
run_tidings "$T/poll2" -c "$CONF" poll
if [ "$RC" -eq 0 ]; then pass "plain poll after one source changed exits 0"; else fail "plain poll after one source changed exits 0" "$(describe "$T/poll2")"; fi
tree "$P" >"$T/tree2"
changed=$(diff "$T/tree1" "$T/tree2" | sed -n 's/^[<>] \.\/\([^ ]*\) .*/\1/p' | LC_ALL=C sort -u)
echo "$changed" >"$T/changed"
for f in technology.atom technology.rss technology.json new.atom new.rss new.json; do
	check "incremental: $f rewritten" "unchanged; changed files: $(echo $changed)" grep -qx "$f" "$T/changed"
done
check "incremental: technology.atom holds the new item" "title not found" has_title "$P/technology.atom" "Incremental rebuild probe"
check "incremental: new.atom holds the new item" "title not found" has_title "$P/new.atom" "Incremental rebuild probe"
stray=$(grep -Ev '^(technology\.(rss|atom|json)|new\.(rss|atom|json)|index\.html|archive/technology/[0-9]+\.atom)(\.gz)?$' "$T/changed" | grep . | tr '\n' ' ')
check "incremental: only technology.*, its archive, new.* and index.html changed" "also changed: $stray" test -z "$stray"
for c in $cats; do
	[ "$c" = technology ] && continue
	n=$(grep -c -e "^\./$c\." -e "^\./archive/$c/" "$T/tree1")
	if [ "$n" -gt 0 ] && [ -z "$(grep -e "^$c\." -e "^archive/$c/" "$T/changed")" ]; then
		pass "incremental: $c's $n files kept bytes, inode and mtime"
	else
		fail "incremental: $c's files kept bytes, inode and mtime" "changed: $(grep -e "^$c\." -e "^archive/$c/" "$T/changed" | tr '\n' ' ')"
	fi
done
full=$(grep -c '^\./archive/technology/[0-9]*\.atom ' "$T/tree1")
touched=$(grep -c '^archive/technology/[0-9]*\.atom$' "$T/changed")
check "incremental: full archive pages of technology stay byte-stable ($full pages)" "$touched of them rewritten" test "$touched" -eq 0
PC_LABEL="after the incremental poll, "
pc items "$CONF" "$P"
pc archives "$CONF" "$P" 3
PC_LABEL=

# --- Determinism: `build` from the same database writes nothing.
run_tidings "$T/build" -c "$CONF" build
if [ "$RC" -eq 0 ]; then pass "build exits 0"; else fail "build exits 0" "$(describe "$T/build")"; fi
tree "$P" >"$T/tree3"
if cmp -s "$T/tree2" "$T/tree3"; then
	pass "build after poll rewrites no file (bytes, inode, mtime)"
else
	fail "build after poll rewrites no file (bytes, inode, mtime)" "$(diff "$T/tree2" "$T/tree3" | grep '^[<>]' | head -n 4 | tr '\n' '|')"
fi
stray=$(find "$P" -name '.*' -o -name '*.tmp' -o -name '*~' | head -n 3 | tr '\n' ' ')
check "no temporary files left in public/" "found: $stray" test -z "$stray"

# --- newsboat subscribed over HTTP to the served feeds.  newsboat keeps one row per guid in its
# cache, so each feed gets its own cache (the feeds share items).
if need newsboat; then
	if start_daemon "$T/serve" -c "$CONF" serve && wait_listening "$T/serve" 100; then
		U=http://127.0.0.1:$LISTEN_PORT
		i=0
		for f in technology.rss technology.atom kinh-te.rss xay-dung-dang.atom new.rss new.atom archive/technology/1.atom; do
			i=$((i + 1))
			d=$T/nb$i
			mkdir -p "$d"
			echo "$U/$f" >"$d/urls"
			(cd "$d" && HOME=$d XDG_CONFIG_HOME=$d XDG_DATA_HOME=$d \
				tmo 30 newsboat -u urls -c cache.db -C /dev/null -x reload) >"$d/out" 2>&1
			rc=$?
			if [ "$rc" -eq 0 ]; then
				pc newsboat "$d/cache.db" "$P" "$U/$f"
			else
				fail "newsboat -x reload $f" "rc=$rc $(head -c 300 "$d/out" | tr '\n' '|')"
			fi
		done
	else
		fail "serve for newsboat" "$(head -c 300 "$T/serve.err" | tr '\n' '|')"
	fi
fi

e2e_done
