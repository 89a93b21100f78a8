#!/bin/sh
# type = html sources over HTTP: a listing page whose article pages are fetched and extracted,
# a second poll after one article is added (only the new one is fetched), max_articles leaving
# links for the next poll, article links refused when they reach a private address, and
# type = auto on an article page with no feed.
. "${TIDINGS_ROOT:=$(pwd)}/tests/e2e/lib.sh"
e2e_init
cd "$T" || exit 1
mkdir -p www/tin www/more

# article N TITLE STAMP: an article page of a portal; STAMP (may be empty) is its local time.
article() {
	{
		cat <<EOF
<!DOCTYPE html><html><head><meta charset="utf-8"><title>$2 - Cổng thông tin</title></head>
<body><div id="menu"><a href="/">Trang chủ</a> <a href="/tin/">Tin tức</a> <a href="/lien-he">Liên hệ</a></div>
<table width="100%"><tr><td class="left"><a href="/tin/">Tin tức</a><br><a href="/tin/?page=2">Thời sự</a></td>
<td class="main"><h1>$2</h1>
EOF
		[ -n "$3" ] && echo "<div class=\"time\">($3)</div>"
		cat <<EOF
<p>HNP - Bài viết số $1 kể về công việc của thành phố trong tuần qua, với nhiều hoạt động đáng chú ý ở các quận huyện.</p>
<p>Các cơ quan đã triển khai kế hoạch, kiểm tra tiến độ và báo cáo kết quả, đồng thời đề xuất những giải pháp cho thời gian tới.</p>
<p>Người dân phấn khởi trước những thay đổi tích cực, nhiều ý kiến mong muốn các chương trình được duy trì lâu dài.</p>
<p align="right"><b>Minh An</b></p>
<div class="tinkhac"><b>Các bài mới đăng</b><ul>
<li><a href="/tin/2026/bai-khac-mot-tieu-de-dai.html">Một bài khác có tiêu đề khá dài ở đây</a></li>
<li><a href="/tin/2026/bai-khac-hai-tieu-de-dai.html">Hai bài khác có tiêu đề khá dài ở đây</a></li>
<li><a href="/tin/2026/bai-khac-ba-tieu-de-dai.html">Ba bài khác có tiêu đề khá dài ở đây</a></li></ul></div>
<form action="/comment"><b>Viết bình luận</b> Họ tên <input name="n"> Mã xác nhận <input name="c"></form>
</td></tr></table></body></html>
EOF
	} >"www/tin/2026/bai-viet-so-$1.html"
}
mkdir -p www/tin/2026
article 1 "Thành phố khởi công dự án nâng cấp đường ven sông" "08:00 01/03/2026"
article 2 "Hội nghị bàn về chuyển đổi số trong cơ quan nhà nước" "09:30 02/03/2026"
article 3 "Lễ hội hoa xuân thu hút hàng nghìn du khách" ""
article 4 "Trường học mở thêm lớp học bơi miễn phí cho học sinh" "16:45 04/03/2026"
article 5 "Thư viện thành phố kéo dài giờ mở cửa vào cuối tuần" "20:10 05/03/2026"

# listing N...: the category page linking articles N... with the dates it shows.
listing() {
	{
		echo '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Tin tức - Cổng thông tin</title></head><body>'
		echo '<div id="menu"><a href="/">Trang chủ</a> <a href="/tin/">Tin tức</a> <a href="/lien-he">Liên hệ</a></div>'
		echo '<div class="list">'
		for n in "$@"; do
			t=$(sed -n 's:.*<h1>\(.*\)</h1>.*:\1:p' "www/tin/2026/bai-viet-so-$n.html")
			echo "<div class=\"item\"><a href=\"/tin/2026/bai-viet-so-$n.html\">$t</a> <span>(07:00 0$n/03/2026)</span>"
			echo "<p>Tóm tắt bài số $n.</p></div>"
		done
		echo '<a href="file:///etc/passwd">Một liên kết tới tệp cục bộ không bao giờ được mở</a>'
		echo '</div><div class="paging"><a href="/tin/?page=2">2</a> <a href="/tin/?page=2">Trang sau »</a></div>'
		echo '</body></html>'
	} >www/tin/index.html
}
listing 3 2 1

if start_fixture fx "$T/www" "$T/rules.json"; then pass "fixture server starts"; else fail "fixture server starts" "no port file"; e2e_done; fi
BASE=http://127.0.0.1:$FX_PORT
set_rules "$T/rules.json" '{"/tin/": {"body_file": "tin/index.html", "content_type": "text/html; charset=utf-8"},
 "/more/": {"body_file": "more/index.html", "content_type": "text/html"}}'

cat >conf.ini <<EOF
[site]
title = E2E HTML
link = http://127.0.0.1:9/
output = public
database = var/tidings.db
listen =
timezone = +07:00

[category tin]
title = Tin tức

[category trang]
title = Trang

[source portal]
url = $BASE/tin/
type = html
category = tin
allow_private = yes
date_format = %H:%M %d/%m/%Y

[source page]
url = $BASE/tin/2026/bai-viet-so-5.html
type = auto
category = trang
allow_private = yes
EOF

# item_dates FILE: "title<TAB>date_published" for each item of a JSON Feed.
item_dates() {
	"$PYTHON" - "$1" <<'PY'
import json, sys
for it in json.load(open(sys.argv[1], encoding="utf-8"))["items"]:
    print("%s\t%s" % (it.get("title"), it.get("date_published")))
PY
}
reqs() { fc requests "$FX_LOG" "$1"; }

# 1. The first poll fetches the listing and its three articles.
run_tidings "$T/p1" -c conf.ini poll --force
check "poll 1 exits 0" "$(describe "$T/p1")" test "$RC" -eq 0
item_dates public/tin.json >dates1.txt 2>&1
check "tin.json holds 3 items" "$(cat dates1.txt)" test "$(wc -l <dates1.txt)" -eq 3
check "article 1 dated by its page (08:00 +07:00)" "$(cat dates1.txt)" \
	grep -qxF "$(printf 'Thành phố khởi công dự án nâng cấp đường ven sông\t2026-03-01T01:00:00Z')" dates1.txt
check "article 2 dated by its page (09:30 +07:00)" "$(cat dates1.txt)" \
	grep -qxF "$(printf 'Hội nghị bàn về chuyển đổi số trong cơ quan nhà nước\t2026-03-02T02:30:00Z')" dates1.txt
check "article 3 without a date takes the listing's (07:00 +07:00)" "$(cat dates1.txt)" \
	grep -qxF "$(printf 'Lễ hội hoa xuân thu hút hàng nghìn du khách\t2026-03-03T00:00:00Z')" dates1.txt
for n in 1 2 3; do
	check "article $n fetched once" "requests: $(reqs /tin/2026/bai-viet-so-$n.html)" \
		test "$(reqs /tin/2026/bai-viet-so-$n.html)" -eq 1
done
check "boxes of other articles are not followed" "requests: $(reqs /tin/2026/bai-khac-mot-tieu-de-dai.html)" \
	test "$(reqs /tin/2026/bai-khac-mot-tieu-de-dai.html)" -eq 0
check "pagination is not followed" "requests: $(reqs /tin/)" test "$(reqs /tin/)" -eq 1
"$PYTHON" - public/tin.json >content1.txt <<'PY'
import json, sys
it = [i for i in json.load(open(sys.argv[1], encoding="utf-8"))["items"] if "ven sông" in i["title"]][0]
print(it.get("content_html", ""))
print("AUTHOR=%s" % (it.get("authors") or [{}])[0].get("name"))
PY
check "article content holds its body" "$(cat content1.txt)" grep -q 'Người dân phấn khởi' content1.txt
for boiler in "Các bài mới đăng" "Viết bình luận" "Mã xác nhận" "Trang chủ"; do
	check "article content lacks '$boiler'" "$(cat content1.txt)" sh -c "! grep -qF '$boiler' content1.txt"
done
check "article author is the trailing byline" "$(cat content1.txt)" grep -qx 'AUTHOR=Minh An' content1.txt
item_dates public/trang.json >page1.txt 2>&1
check "type = auto on an article page gives that article" "$(cat page1.txt)" \
	grep -qxF "$(printf 'Thư viện thành phố kéo dài giờ mở cửa vào cuối tuần\t2026-03-05T13:10:00Z')" page1.txt

# 2. One article added to the listing: only it is fetched.
listing 4 3 2 1
run_tidings "$T/p2" -c conf.ini poll --force
check "poll 2 exits 0" "$(describe "$T/p2")" test "$RC" -eq 0
item_dates public/tin.json >dates2.txt 2>&1
check "tin.json holds 4 items" "$(cat dates2.txt)" test "$(wc -l <dates2.txt)" -eq 4
check "the new article is in with its date" "$(cat dates2.txt)" \
	grep -qxF "$(printf 'Trường học mở thêm lớp học bơi miễn phí cho học sinh\t2026-03-04T09:45:00Z')" dates2.txt
check "the new article was fetched" "requests: $(reqs /tin/2026/bai-viet-so-4.html)" \
	test "$(reqs /tin/2026/bai-viet-so-4.html)" -eq 1
for n in 1 2 3; do
	check "article $n not fetched again" "requests: $(reqs /tin/2026/bai-viet-so-$n.html)" \
		test "$(reqs /tin/2026/bai-viet-so-$n.html)" -eq 1
done

# 3. max_articles = 2 with three new links: two now, the third at the next poll even though the
#    listing did not change.  Links to private addresses are refused without allow_private.
cp www/tin/index.html www/more/index.html
cat >>conf.ini <<EOF

[source more]
url = $BASE/more/
type = html
category = trang
allow_private = yes
max_articles = 2

[source closed]
url = $BASE/tin/
type = html
category = trang
EOF
run_tidings "$T/p3" -c conf.ini poll more
n3=$(grep -c 'bai-viet-so' "$FX_LOG")
run_tidings "$T/p3b" -c conf.ini status
check "max_articles: 2 of 4 stored by the first poll" "$(cat "$T/p3b.out")" \
	sh -c "grep -E '^more ' '$T/p3b.out' | grep -qw 2"
run_tidings "$T/p4" -c conf.ini poll --force more
run_tidings "$T/p4b" -c conf.ini status
check "max_articles: the rest stored by the next poll" "$(cat "$T/p4b.out")" \
	sh -c "grep -E '^more ' '$T/p4b.out' | grep -qw 4"
n4=$(grep -c 'bai-viet-so' "$FX_LOG")
check "max_articles: the next poll fetched only the two left" "before $n3, after $n4" test $((n4 - n3)) -eq 2
before=$(grep -c 'bai-viet-so' "$FX_LOG")
run_tidings "$T/p5" -c conf.ini -v poll closed
after=$(grep -c 'bai-viet-so' "$FX_LOG")
check "article links to a private address are refused (allow_private = no)" \
	"requests before $before, after $after; $(cat "$T/p5.err")" test "$before" -eq "$after"
check "the refusal is logged" "$(cat "$T/p5.err")" grep -q 'private or loopback address refused' "$T/p5.err"

# 5. An article link that keeps failing (404) is tried LINK_GIVE_UP = 5 times, then no more, and
#    never holds up the listing's other articles.
mkdir -p www/gone
{
	echo '<html><body><div class="list">'
	echo "<div><a href=\"/tin/2026/bai-viet-so-1.html\">$(sed -n 's:.*<h1>\(.*\)</h1>.*:\1:p' www/tin/2026/bai-viet-so-1.html)</a></div>"
	echo '<div><a href="/tin/2026/bai-da-bi-xoa-khoi-trang.html">Bài viết đã bị xóa khỏi trang web này</a></div>'
	echo '<div><a href="/tin/2026/bai-viet-so-2.html">Hội nghị bàn về chuyển đổi số trong cơ quan nhà nước</a></div>'
	echo '</div></body></html>'
} >www/gone/index.html
set_rules "$T/rules.json" '{"/tin/": {"body_file": "tin/index.html", "content_type": "text/html; charset=utf-8"},
 "/more/": {"body_file": "more/index.html", "content_type": "text/html"},
 "/gone/": {"body_file": "gone/index.html", "content_type": "text/html"}}'
cat >>conf.ini <<EOF

[source gone]
url = $BASE/gone/
type = html
category = trang
allow_private = yes
EOF
for i in 1 2 3 4 5 6 7; do run_tidings "$T/g$i" -c conf.ini poll --force gone; done
check "a failing article link is tried 5 times, then left alone" "requests: $(reqs /tin/2026/bai-da-bi-xoa-khoi-trang.html)" \
	test "$(reqs /tin/2026/bai-da-bi-xoa-khoi-trang.html)" -eq 5
run_tidings "$T/gs" -c conf.ini status
check "the listing's other articles are stored" "$(cat "$T/gs.out")" sh -c "grep -E '^gone ' '$T/gs.out' | grep -qw 2"

# 4. parse on a listing URL prints its links without fetching an article; on an article URL, the
#    article, read with the configured source's date_format and time zone.
before=$(grep -c 'bai-viet-so' "$FX_LOG")
run_tidings "$T/pl" -c conf.ini parse "$BASE/tin/"
"$PYTHON" - "$T/pl.out" >"$T/pl.txt" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
print(d["format"], len(d["items"]))
for it in d["items"]:
    print(it["link"].rsplit("/", 1)[-1], it["published"])
PY
check "parse LISTING: format html, 4 links" "$(cat "$T/pl.txt")" grep -qx 'html 4' "$T/pl.txt"
check "parse LISTING: a link with the date the listing shows" "$(cat "$T/pl.txt")" \
	grep -qx 'bai-viet-so-2.html 2026-03-02T00:00:00Z' "$T/pl.txt"
check "parse LISTING: no article fetched" "requests before $before, after $(grep -c 'bai-viet-so' "$FX_LOG")" \
	test "$(grep -c 'bai-viet-so' "$FX_LOG")" -eq "$before"
run_tidings "$T/pa" -c conf.ini parse "$BASE/tin/2026/bai-viet-so-2.html"
check "parse ARTICLE URL: one item with its own date" "$(cat "$T/pa.out" "$T/pa.err")" \
	grep -q '"published":"2026-03-02T02:30:00Z"' "$T/pa.out"

check "no file:// link was read" "$(cat "$T"/p*.err)" sh -c "! grep -q 'passwd' '$T/p1.err' '$T/p2.err'"
e2e_done
