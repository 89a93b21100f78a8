#!/bin/sh
# HTML pages without a feed (articles and listings) through `tidings parse`: every page in
# tests/data/html/ has NAME.html.expected.json (a partial expectation, see that folder's README) or
# NAME.html.expected.err (it must exit 1 with one stderr line containing that text).  The pages are
# parsed with a configuration whose [site] timezone is +07:00, so page-local times are UTC+07:00.
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init
cd "$T" || exit 1
dir=$TIDINGS_ROOT/tests/data/html

printf '[site]\ntimezone = +07:00\n' >"$T/tz.ini"
run_tidings "$T/check" -c "$T/tz.ini" check
if [ "$RC" -ne 0 ]; then
	fail "html setup: tidings check of the +07:00 configuration" "$(describe "$T/check")"
	e2e_done
fi

found=0
for input in "$dir"/*.html; do
	[ -f "$input" ] || continue
	found=$((found + 1))
	name=$(basename "$input")
	run_tidings "$T/out" -c "$T/tz.ini" parse "$input"
	expected_case "html $name" "$input" "$T/out" || continue
	if detail=$("$PYTHON" - "$input.expected.json" "$T/out.out" <<'PY'
import json, re, sys
from html.parser import HTMLParser

# Elements whose edges separate words in the text of an HTML field; inline ones (a, em, span...)
# do not, so "<a>page</a>." reads "page.".
BLOCK = set("""address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4
h5 h6 header hr img li main nav ol p pre section table tbody td tfoot th thead tr ul""".split())


class Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in BLOCK:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def squash(s):
    return re.sub(r"\s+", " ", s).strip()


def text(html):
    p = Text()
    p.feed(html)
    p.close()
    return squash("".join(p.parts))


def short(v, n=160):
    r = json.dumps(v, ensure_ascii=False)
    return r if len(r) <= n else r[:n] + "...\"" if isinstance(v, str) else r[:n] + "..."


want = json.load(open(sys.argv[1], encoding="utf-8"))
try:
    got = json.load(open(sys.argv[2], encoding="utf-8"))
except ValueError as e:
    print("output is not JSON (%s): %s" % (e, short(open(sys.argv[2], encoding="utf-8", errors="replace").read(300), 300)))
    sys.exit(1)
if not isinstance(got, dict):
    print("output is not a JSON object: %s" % short(got))
    sys.exit(1)

problems = []
for k in want:
    if k != "items" and got.get(k, "<absent>") != want[k]:
        problems.append("%s: got %s, want %s" % (k, short(got.get(k, "<absent>")), short(want[k])))

witems = want.get("items", [])
gitems = got.get("items")
if not isinstance(gitems, list):
    problems.append("items: got %s, want a list of %d" % (short(gitems), len(witems)))
elif len(gitems) != len(witems):
    titles = [it.get("title") if isinstance(it, dict) else it for it in gitems[:12]]
    problems.append("items: got %d, want %d; got titles %s%s" % (
        len(gitems), len(witems), short(titles, 600), " ..." if len(gitems) > 12 else ""))
else:
    for i, (w, g) in enumerate(zip(witems, gitems)):
        at = "items[%d]" % i
        if not isinstance(g, dict):
            problems.append("%s: got %s, want an object" % (at, short(g)))
            continue
        for k, v in w.items():
            if k.endswith("_html_has"):
                field, mode = k[:-len("_html_has")], "html_has"
            elif k.endswith("_has"):
                field, mode = k[:-len("_has")], "has"
            elif k.endswith("_lacks"):
                field, mode = k[:-len("_lacks")], "lacks"
            else:
                if g.get(k, "<absent>") != v:
                    problems.append("%s.%s: got %s, want %s" % (at, k, short(g.get(k, "<absent>")), short(v)))
                continue
            raw = g.get(field)
            if raw is not None and not isinstance(raw, str):
                problems.append("%s.%s: got %s, want a string" % (at, field, short(raw)))
                continue
            if raw is None:
                if mode != "lacks":
                    problems.append("%s.%s: got %s, want it to contain %s" % (
                        at, field, "<absent>" if field not in g else "null", short(v[0])))
                continue
            txt = text(raw)
            for s in v:
                if mode == "has" and squash(s) not in txt:
                    problems.append("%s.%s text lacks %s; text is %s" % (at, field, short(s), short(txt, 240)))
                elif mode == "html_has" and s not in raw:
                    problems.append("%s.%s HTML lacks %s; HTML is %s" % (at, field, short(s), short(raw, 240)))
                elif mode == "lacks" and (squash(s) in txt or s in raw):
                    where = "text" if squash(s) in txt else "HTML"
                    problems.append("%s.%s %s has %s, which must not be there" % (at, field, where, short(s)))

if problems:
    out = "; ".join(problems)
    print(out if len(out) <= 2000 else out[:2000] + " ... (%d problems)" % len(problems))
    sys.exit(1)
PY
	); then
		pass "html $name"
	else
		fail "html $name" "$detail"
	fi
done
[ "$found" -gt 0 ] || fail "html pages" "no *.html in $dir"
e2e_done
