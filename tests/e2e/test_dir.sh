#!/bin/sh
# Text articles: `tidings parse` of the seed-shaped article file, and a `type = dir` source whose
# folder gains, changes and loses article files between polls.
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init
cd "$T" || exit 1

# --- parse: the seed article (the copy shipped in examples/articles/)
run_tidings "$T/seed" -c "$TIDINGS_ROOT/feeds/tidings.ini" parse "$TIDINGS_ROOT/examples/articles/hnp-article.txt"
check "parse of the seed article exits 0" "$(describe "$T/seed")" test "$RC" -eq 0
"$PYTHON" - "$T/seed.out" >"$T/seed.check" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
it = d["items"][0] if d.get("items") else {}
def say(ok, name, detail=""):
    print(("PASS: " if ok else "FAIL: ") + name + ("" if ok else ": " + str(detail)[:300]))
say(d.get("format") == "text", "seed: format text", d.get("format"))
say(len(d.get("items", [])) == 1, "seed: one item", len(d.get("items", [])))
say(it.get("title") == "Tổ chức thực hiện thật hiệu quả các văn bản mới về công tác xây dựng Đảng", "seed: title", it.get("title"))
say(it.get("published") == "2021-11-18T11:15:00Z", "seed: published 2021-11-18T11:15:00Z (18:15 at +07:00)", it.get("published"))
say(it.get("author") == "Trọng Toàn", "seed: author", it.get("author"))
say((it.get("summary") or "").replace("\u00a0", " ").startswith("<p>HNP - Kết luận và chỉ đạo"), "seed: summary is the HNP lead", (it.get("summary") or "")[:80])
c = it.get("content") or ""
say(c.count("<p>") >= 12 and "nhiệm kỳ 2020-2025." in c, "seed: content holds every body paragraph", c.count("<p>"))
for box in ["Các bài mới đăng", "Các bài đã đăng", "Bài viết Xem", "Viết bình luận", "Họ tên", "Mã xác nhận"]:
    say(box not in c and box not in (it.get("summary") or ""), "seed: no '%s' in the article" % box)
PY
cat "$T/seed.check"
grep -q '^FAIL' "$T/seed.check" && E2E_FAILED=1

# --- a dir source
mkdir -p "$T/articles" "$T/conf"
cp "$TIDINGS_ROOT/examples/articles/hnp-article.txt" "$T/articles/"
cat >"$T/conf/t.ini" <<EOF2
[site]
title = Dir test
output = $T/public
database = $T/var/t.db
listen =
poll_interval = 0
timezone = +07:00

[category tin]
title = Tin

[source bai]
url = ../articles/
type = dir
category = tin
EOF2
run_tidings "$T/p1" -c "$T/conf/t.ini" poll
check "dir: first poll exits 0" "$(describe "$T/p1")" test "$RC" -eq 0
check "dir: the seed article is published" "not in tin.atom" has_title "$T/public/tin.atom" "Tổ chức thực hiện thật hiệu quả các văn bản mới về công tác xây dựng Đảng"
check "dir: tin.atom is well-formed" "xmllint" xmllint --noout "$T/public/tin.atom"

printf 'Hà Nội khánh thành cầu mới (07:30 20/11/2021)\n\nHNP - Sáng 20/11, thành phố khánh thành cây cầu thứ tám bắc qua sông Hồng, rút ngắn thời gian đi lại cho người dân.\n\nCây cầu dài 1,2 km với sáu làn xe, được xây dựng trong ba năm.\n\nMinh Anh\n\nCác bài mới đăng\n' >"$T/articles/cau-moi.txt"
printf 'not an article\n' >"$T/articles/notes.txt"
run_tidings "$T/p2" -c "$T/conf/t.ini" poll
check "dir: second poll exits 0" "$(describe "$T/p2")" test "$RC" -eq 0
check "dir: a new file is picked up" "not in tin.atom" has_title "$T/public/tin.atom" "Hà Nội khánh thành cầu mới"
check "dir: the new article's date is read at the site's time zone" "$(grep -o '<published>[^<]*' "$T/public/tin.atom" | head -3 | tr '\n' ' ')" grep -q '<published>2021-11-20T00:30:00Z' "$T/public/tin.atom"
check "dir: a file that is no article is reported" "$(head -c 300 "$T/p2.err")" grep -q 'notes.txt' "$T/p2.err"

sed 's/Hà Nội khánh thành cầu mới/Hà Nội khánh thành cầu mới thứ tám/' "$T/articles/cau-moi.txt" >"$T/x" && mv "$T/x" "$T/articles/cau-moi.txt"
run_tidings "$T/p3" -c "$T/conf/t.ini" poll
check "dir: a changed file updates its item" "not in tin.atom" has_title "$T/public/tin.atom" "Hà Nội khánh thành cầu mới thứ tám"
n=$(grep -c '<entry>' "$T/public/tin.atom")
check "dir: the changed article is still one item" "entries: $n" test "$n" -eq 2

rm "$T/articles/hnp-article.txt"
run_tidings "$T/p4" -c "$T/conf/t.ini" poll
check "dir: a removed file's item stays" "gone from tin.atom" has_title "$T/public/tin.atom" "Tổ chức thực hiện thật hiệu quả các văn bản mới về công tác xây dựng Đảng"
run_tidings "$T/st" -c "$T/conf/t.ini" status
check "dir: status shows the source ok with 2 items" "$(cat "$T/st.out")" grep -Eq '^bai +ok .* 2 ' "$T/st.out"

# --- an html source whose file is no HTML page is an error that waits its interval instead of
#     being retried at once
cat >"$T/conf/h.ini" <<EOF2
[site]
output = $T/hpublic
database = $T/var/h.db
listen =
poll_interval = 30m

[category tin]

[source page]
url = ../articles/cau-moi.txt
type = html
category = tin
EOF2
run_tidings "$T/h1" -c "$T/conf/h.ini" poll
check "html: poll exits 0" "$(describe "$T/h1")" test "$RC" -eq 0
run_tidings "$T/hs" -c "$T/conf/h.ini" status
check "html: status shows the source failing: not an HTML page" "$(cat "$T/hs.out")" grep -Eq '^page +error .*not an HTML page' "$T/hs.out"
check "html: its next poll is an interval away" "$(cat "$T/hs.out")" sh -c "! grep -Eq '^page .* now ' '$T/hs.out'"
run_tidings "$T/h2" -c "$T/conf/h.ini" poll
check "html: a second poll does not try it again" "$(cat "$T/h2.err")" sh -c "! grep -q 'not an HTML page' '$T/h2.err'"

e2e_done
