#!/usr/bin/env python3
"""Writes N RSS 2.0 feeds of about 200 KB (62 items each) for the polling benchmark.

usage: gen_feeds.py DIR N  |  gen_feeds.py --big FILE MEGABYTES
Each feed looks like a news site's: Vietnamese and English text, HTML content, categories,
authors, RFC 822 dates.  Output is deterministic for a given N."""
import os
import random
import sys
from email.utils import formatdate

WORDS_VI = ("hội nghị quán triệt triển khai văn bản công tác xây dựng Đảng thành phố cán bộ "
            "đảng viên kiểm tra giám sát kinh tế doanh nghiệp thị trường đầu tư phát triển "
            "nhân dân chính quyền cơ sở nhiệm vụ giải pháp").split()
WORDS_EN = ("the council reviewed new regulations for the city budget and the transport plan "
            "while residents asked about schools housing water and the next elections").split()


def sentence(rng, words, n):
    s = " ".join(rng.choice(words) for _ in range(n))
    return s[0].upper() + s[1:] + "."


def feed(i, rng):
    items = []
    base = 1794000000 - i * 37
    for k in range(62):
        words = WORDS_VI if (i + k) % 2 else WORDS_EN
        title = sentence(rng, words, 10)[:-1]
        paras = "".join("<p>%s %s %s</p>\n" % (sentence(rng, words, 14), sentence(rng, words, 12),
                                                 sentence(rng, words, 16)) for _ in range(9))
        link = "https://news%d.example.org/articles/%d/%d.html" % (i, i, k)
        items.append(
            "<item>\n<title>%s</title>\n<link>%s</link>\n<guid>%s</guid>\n"
            "<pubDate>%s</pubDate>\n<dc:creator>Tác giả %d</dc:creator>\n"
            "<category>Chuyên mục %d</category>\n<description>%s</description>\n"
            "<content:encoded><![CDATA[%s<p><img src=\"/img/%d.jpg\" alt=\"ảnh\"> "
            "<a href=\"/tag/%d\">liên quan</a></p>]]></content:encoded>\n</item>\n"
            % (title, link, link, formatdate(base - k * 3600, usegmt=True), k % 7, k % 5,
               sentence(rng, words, 20), paras, k, k))
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" "
            "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
            "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n"
            "<title>Báo điện tử số %d</title>\n<link>https://news%d.example.org/</link>\n"
            "<description>Tin tức tổng hợp</description>\n<language>vi</language>\n%s"
            "</channel>\n</rss>\n" % (i, i, "".join(items)))


def big(path, megabytes):
    """One RSS 2.0 feed of about `megabytes` MB: the same kind of items, many of them."""
    rng = random.Random(7)
    with open(path, "w", encoding="utf-8") as f:
        head = feed(0, rng)
        start = head.index("<item>")
        end = head.rindex("</item>") + len("</item>\n")
        f.write(head[:start])
        written, i = 0, 0
        while written < megabytes * 1024 * 1024:
            chunk = feed(i, random.Random(i))
            items = chunk[chunk.index("<item>"):chunk.rindex("</item>") + len("</item>\n")]
            f.write(items)
            written += len(items.encode("utf-8"))
            i += 1
        f.write(head[end:])


def main():
    if sys.argv[1] == "--big":
        big(sys.argv[2], int(sys.argv[3]))
        return
    out, n = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        rng = random.Random(i)
        with open(os.path.join(out, "%d.xml" % i), "w", encoding="utf-8") as f:
            f.write(feed(i, rng))


if __name__ == "__main__":
    main()
