#!/usr/bin/env python3
"""Deterministic corpus of small, varied feeds for the differential test against feedparser.

    gen_corpus.py OUTDIR [N] [--seed S]

Writes N documents (default 300) named NNNN-FORMAT[-broken].{xml,json} into OUTDIR.  Same seed,
same N -> byte-identical files.  Stdlib only.

Formats: RSS 0.91, 0.92, 2.0; RSS 1.0 (RDF, dc/content modules); Atom 0.3 and 1.0; JSON Feed
1.0/1.1 (*.json: Debian's feedparser 6.0 cannot read JSON Feed, compare.py skips them).
About 5% of the XML documents carry realistic breakage (a bare '&', an undeclared HTML entity):
their names end in "-broken".
"""
import datetime as dt
import json
import os
import random
import sys

NS_DC = "http://purl.org/dc/elements/1.1/"
NS_CONTENT = "http://purl.org/rss/1.0/modules/content/"
NS_ATOM = "http://www.w3.org/2005/Atom"
NS_MEDIA = "http://search.yahoo.com/mrss/"
NS_ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_RSS1 = "http://purl.org/rss/1.0/"
NS_ATOM03 = "http://purl.org/atom/ns#"

VI_TITLES = [
    "Chỉ số giá tiêu dùng tháng 11 tăng nhẹ",
    "Xuất khẩu nông sản vượt 52 tỷ USD",
    "Hà Nội: khách quốc tế tăng 15%",
    "Ngân hàng giữ ổn định lãi suất huy động",
    "Giải ngân vốn đầu tư công đạt 68% kế hoạch",
    "Thương mại điện tử & người bán nhỏ",
    "Đường sắt tốc độ cao Bắc – Nam: bước tiếp theo",
    "Mùa lúa mới ở Đồng bằng sông Cửu Long",
]
EN_TITLES = [
    "Release notes for version 2.4",
    "Why we moved to SQLite",
    "Parsing dates is hard",
    "A tour of the new scheduler",
    "Q&A: feeds, caching & you",
    "Benchmarks <updated>",
    "The \"quoted\" title",
    "It's a 5 > 3 kind of day",
]
VI_WORDS = "kinh tế thị trường giá gạo tăng nhẹ người dân doanh nghiệp xuất khẩu đầu tư công nghệ".split()
EN_WORDS = "the quick brown fox jumps over lazy dog feed parser release cache server update".split()
NAMES = ["Nguyễn Hoài Nam", "Trần Minh Khôi", "Lê Thị Bích Ngọc", "Jane Doe", "John Smith",
         "Phạm Gia Hưng", "Ann O'Neil"]
CATS = ["Vĩ mô", "Tài chính - Ngân hàng", "Technology", "Open Source", "Podcast", "Đầu tư",
        "News & Events", "C99"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
NAMED_ZONES = {"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8,
               "PDT": -7}


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_attr(s):
    return esc(s).replace('"', "&quot;")


class Gen:
    def __init__(self, rng):
        self.r = rng

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    # -- text ------------------------------------------------------------------------------
    def title(self, vi):
        return self.pick(VI_TITLES if vi else EN_TITLES) + " " + str(self.r.randrange(1000))

    def sentence(self, vi):
        words = VI_WORDS if vi else EN_WORDS
        n = self.r.randrange(5, 12)
        return " ".join(self.pick(words) for _ in range(n)).capitalize() + "."

    def html(self, vi, base_rel):
        parts = ["<p>%s</p>" % self.sentence(vi)]
        if self.chance(0.4):
            parts.append("<p>%s&nbsp;&rsquo;%s&rsquo; &amp; &lt;more&gt;</p>"
                         % (self.sentence(vi), self.pick(EN_WORDS)))
        if self.chance(0.3):
            href = "/a/%d.html" % self.r.randrange(100) if base_rel else \
                "https://example.org/a/%d.html" % self.r.randrange(100)
            parts.append('<p><a href="%s">link</a> <em>x</em></p>' % href)
        if self.chance(0.2):
            parts.append('<p><img src="https://example.org/i/%d.jpg" alt="ảnh"></p>'
                         % self.r.randrange(100))
        return "\n".join(parts)

    # -- dates -----------------------------------------------------------------------------
    def instant(self):
        base = dt.datetime(1999, 1, 1, tzinfo=dt.timezone.utc)
        return base + dt.timedelta(seconds=self.r.randrange(0, 32 * 365 * 86400))

    def rfc822(self, when):
        """(text, true UTC instant or None when the form is deliberately zone-less/odd)."""
        kind = self.r.randrange(12)
        offh = self.pick([0, 7, -5, 9, 5.5, -3, 1, 0])
        if kind in (6,):  # named US zone
            zname = self.pick(sorted(NAMED_ZONES))
            offh = NAMED_ZONES[zname]
        local = when + dt.timedelta(hours=offh)
        local = local.replace(second=0) if kind == 3 else local
        utc = local - dt.timedelta(hours=offh)
        wd = DAYS[local.weekday()] + ", "
        mon = MONTHS[local.month - 1]
        sign = "+" if offh >= 0 else "-"
        a = abs(offh)
        num = "%s%02d%02d" % (sign, int(a), int(round((a - int(a)) * 60)))
        day2 = "%02d" % local.day
        hms = local.strftime("%H:%M:%S")
        y = "%d" % local.year
        if kind == 0:
            s = "%s%s %s %s %s %s" % (wd, day2, mon, y, hms, num)
        elif kind == 1:
            s = "%s%s %s %s %s GMT" % (wd, day2, mon, y, (when).strftime("%H:%M:%S"))
            utc = when
            local = when
            s = "%s%02d %s %d %s GMT" % (DAYS[when.weekday()] + ", ", when.day,
                                        MONTHS[when.month - 1], when.year, when.strftime("%H:%M:%S"))
        elif kind == 2:  # no weekday
            s = "%s %s %s %s %s" % (day2, mon, y, hms, num)
        elif kind == 3:  # no seconds
            s = "%s%s %s %s %s %s" % (wd, day2, mon, y, local.strftime("%H:%M"), num)
        elif kind == 4:  # single-digit day
            s = "%s%d %s %s %s %s" % (wd, local.day, mon, y, hms, num)
        elif kind == 5:  # "UT" / "Z"
            s = "%s%02d %s %d %s %s" % (DAYS[when.weekday()] + ", ", when.day,
                                       MONTHS[when.month - 1], when.year,
                                       when.strftime("%H:%M:%S"), self.pick(["UT", "Z"]))
            utc = when
        elif kind == 6:
            s = "%s%s %s %s %s %s" % (wd, day2, mon, y, hms, zname)
        elif kind == 7:  # 2-digit year (only for years in 2000..2030, unambiguous)
            s = "%s%s %s %02d %s %s" % (wd, day2, mon, local.year % 100, hms, num)
        elif kind == 8:  # offset written with a colon (common mistake)
            s = "%s%s %s %s %s %s:%s" % (wd, day2, mon, y, hms, num[:3], num[3:])
        elif kind == 9:  # GMT+7 style
            if offh == int(offh) and offh != 0:
                s = "%s%s %s %s %s GMT%+d" % (wd, day2, mon, y, hms, int(offh))
            else:
                s = "%s%s %s %s %s %s" % (wd, day2, mon, y, hms, num)
        elif kind == 10:  # lowercase/odd spacing
            s = "%s%s  %s %s %s %s" % (wd, day2, mon, y, hms, num)
        else:  # full month name
            s = "%s%s %s %s %s %s" % (wd, day2, local.strftime("%B"), y, hms, num)
        return s, utc

    def w3c(self, when, allow_partial=True):
        kind = self.r.randrange(9 if allow_partial else 6)
        offm = self.pick([0, 420, -300, 330, 60, -180, 0, 540])
        local = when + dt.timedelta(minutes=offm)
        sign = "+" if offm >= 0 else "-"
        tz = "Z" if offm == 0 and self.chance(0.7) else "%s%02d:%02d" % (sign, abs(offm) // 60,
                                                                      abs(offm) % 60)
        utc = when
        if kind == 0:
            s = local.strftime("%Y-%m-%dT%H:%M:%S") + tz
        elif kind == 1:  # fractional seconds
            s = local.strftime("%Y-%m-%dT%H:%M:%S") + ".%03d" % self.r.randrange(1000) + tz
        elif kind == 2:  # no seconds
            local = local.replace(second=0)
            utc = local - dt.timedelta(minutes=offm)
            s = local.strftime("%Y-%m-%dT%H:%M") + tz
        elif kind == 3:
            s = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif kind == 4:
            s = local.strftime("%Y-%m-%dT%H:%M:%S") + "%s%02d:%02d" % (sign, abs(offm) // 60,
                                                                      abs(offm) % 60)
        elif kind == 5:  # ISO 8601 basic form
            s = when.strftime("%Y%m%dT%H%M%SZ")
        elif kind == 6:  # date only
            d = when.date()
            s = d.isoformat()
            utc = dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc)
        elif kind == 7:  # year-month
            s = when.strftime("%Y-%m")
            utc = dt.datetime(when.year, when.month, 1, tzinfo=dt.timezone.utc)
        else:  # space instead of T, with zone
            s = local.strftime("%Y-%m-%d %H:%M:%S") + tz
        return s, utc

    def date(self, style):
        when = self.instant()
        if when.year < 2000 and style == "822":
            when = when.replace(year=2000 + when.year % 10)
        return (self.rfc822 if style == "822" else self.w3c)(when)

    # -- item model ------------------------------------------------------------------------
    def item(self, vi, idx, has_base):
        it = {}
        it["title"] = None if self.chance(0.03) else self.title(vi)
        lk = self.r.random()
        slug = "post-%d-%d" % (idx, self.r.randrange(10 ** 6))
        if lk < 0.12:
            it["link"] = None
        elif lk < 0.30 and has_base:
            it["link"] = self.pick(["%s.html", "posts/%s", "/news/%s"]) % slug
        else:
            it["link"] = "https://example.org/news/%s.html" % slug
        g = self.r.random()
        if g < 0.25:
            it["guid"] = None
        elif g < 0.5:
            it["guid"] = ("https://example.org/p/%d" % self.r.randrange(10 ** 6), None)
        elif g < 0.7:
            it["guid"] = ("https://example.org/p/%d" % self.r.randrange(10 ** 6), "true")
        else:
            it["guid"] = ("tag:example.org,2024:%d" % self.r.randrange(10 ** 6), "false")
        it["date"] = None if self.chance(0.1) else True
        it["updated"] = self.chance(0.4)
        a = self.r.random()
        name = self.pick(NAMES)
        email = "%s@example.org" % self.pick(["editor", "jane", "nam", "news"])
        it["author"] = None if a < 0.2 else (name, email if self.chance(0.5) else None)
        it["cats"] = [self.pick(CATS) for _ in range(self.r.randrange(0, 3))]
        it["cats"] = sorted(set(it["cats"]), key=it["cats"].index)
        it["summary"] = None if self.chance(0.15) else self.sentence(vi)
        it["content"] = self.html(vi, has_base) if self.chance(0.6) else None
        it["enc"] = []
        for _ in range(self.r.choice([0, 0, 0, 1, 1, 2])):
            ext, typ = self.pick([("mp3", "audio/mpeg"), ("mp4", "video/mp4"),
                                  ("jpg", "image/jpeg"), ("ogg", "audio/ogg")])
            it["enc"].append(("https://cdn.example.org/m/%d.%s" % (self.r.randrange(10 ** 6), ext),
                              typ if self.chance(0.85) else None,
                              str(self.r.randrange(1000, 10 ** 8)) if self.chance(0.8) else None))
        return it

    def title_xml(self, t):
        """Title text as element content: escaped, CDATA, or char references."""
        k = self.r.randrange(6)
        if k == 0 and "]]>" not in t:
            return "<![CDATA[%s]]>" % t
        if k == 1:
            return "".join("&#%d;" % ord(c) if ord(c) > 127 and self.chance(0.5) else esc(c)
                           for c in t)
        return esc(t)

    # -- serialisers -----------------------------------------------------------------------
    def prefixes(self):
        return {"dc": self.pick(["dc", "dc", "dcel", "d"]),
                "content": self.pick(["content", "content", "c", "ct"]),
                "atom": self.pick(["atom", "atom", "a10", "at"]),
                "media": self.pick(["media", "media", "m"])}

    def rss(self, version, n_items):
        vi = self.chance(0.5)
        has_base = self.chance(0.3)
        p = self.prefixes()
        undeclared = self.chance(0.15)  # use dc:/content:/media: without declaring them
        if undeclared:
            p = {"dc": "dc", "content": "content", "atom": "atom", "media": "media"}
        decl = ""
        if version == "2.0" and not undeclared:
            decl = ' xmlns:%s="%s" xmlns:%s="%s" xmlns:%s="%s" xmlns:%s="%s"' % (
                p["dc"], NS_DC, p["content"], NS_CONTENT, p["atom"], NS_ATOM, p["media"], NS_MEDIA)
        modern = version == "2.0"
        base_attr = ' xml:base="https://example.org/site/"' if has_base else ""
        out = ['<?xml version="1.0" encoding="UTF-8"?>']
        if version == "0.91" and self.chance(0.5):
            out.append('<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                       '"http://my.netscape.com/publish/formats/rss-0.91.dtd">')
        out.append('<rss version="%s"%s%s>' % (version, decl, base_attr))
        out.append("<channel>")
        ftitle = ("Tin tức " if vi else "News from ") + self.pick(["Hà Nội", "Example & Co", "the lab"])
        out.append("<title>%s</title>" % self.title_xml(ftitle))
        if not self.chance(0.05):
            out.append("<link>https://example.org/site/</link>")
        out.append("<description>%s</description>" % esc(self.sentence(vi)))
        out.append("<language>%s</language>" % ("vi" if vi else "en-us"))
        if modern and self.chance(0.3):
            out.append('<%s:link href="https://example.org/feed.xml" rel="self" '
                       'type="application/rss+xml"/>' % p["atom"])
        for i in range(n_items):
            it = self.item(vi, i, has_base)
            out.append("<item>")
            if it["title"] is not None:
                out.append("<title>%s</title>" % self.title_xml(it["title"]))
            if it["link"] is not None:
                out.append("<link>%s</link>" % esc(it["link"]))
            if modern and it["guid"] is not None:
                v, perma = it["guid"]
                attr = "" if perma is None else ' isPermaLink="%s"' % perma
                out.append("<guid%s>%s</guid>" % (attr, esc(v)))
            if modern and it["date"]:
                if self.chance(0.8):
                    s, _ = self.date("822")
                    out.append("<pubDate>%s</pubDate>" % s)
                else:
                    s, _ = self.date("w3c")
                    out.append("<%s:date>%s</%s:date>" % (p["dc"], s, p["dc"]))
            if modern and it["author"] is not None:
                name, email = it["author"]
                k = self.r.randrange(3)
                if k == 0 and email:
                    out.append("<author>%s (%s)</author>" % (email, esc(name)))
                elif k == 1 and email:
                    out.append("<author>%s</author>" % email)
                else:
                    out.append("<%s:creator>%s</%s:creator>" % (p["dc"], esc(name), p["dc"]))
            if version != "0.91":
                for c in it["cats"]:
                    if modern and self.chance(0.3):
                        out.append("<%s:subject>%s</%s:subject>" % (p["dc"], esc(c), p["dc"]))
                    elif self.chance(0.3):
                        out.append('<category domain="https://example.org/tags">%s</category>' % esc(c))
                    else:
                        out.append("<category>%s</category>" % esc(c))
            desc = it["summary"]
            content = it["content"]
            if desc is not None or content is not None:
                if content is not None and (not modern or self.chance(0.4)):
                    desc = content  # HTML in description
                    content = None
                if desc is not None:
                    if desc.startswith("<") and self.chance(0.5):
                        out.append("<description><![CDATA[%s]]></description>" % desc)
                    else:
                        out.append("<description>%s</description>" % esc(desc))
                if modern and content is not None:
                    out.append("<%s:encoded><![CDATA[%s]]></%s:encoded>" % (p["content"], content,
                                                                        p["content"]))
            if version != "0.91":
                for j, (u, t, ln) in enumerate(it["enc"]):
                    if version == "0.92" and j > 0:
                        break
                    if modern and j > 0 and self.chance(0.5):
                        attrs = ' url="%s"' % u + (' type="%s"' % t if t else "")
                        out.append("<%s:content%s/>" % (p["media"], attrs))
                        continue
                    attrs = ' url="%s"' % u
                    if ln:
                        attrs += ' length="%s"' % ln
                    if t:
                        attrs += ' type="%s"' % t
                    out.append("<enclosure%s/>" % attrs)
            out.append("</item>")
        out.append("</channel>")
        out.append("</rss>")
        return "\n".join(out) + "\n"

    def rdf(self, n_items):
        vi = self.chance(0.5)
        p = self.prefixes()
        out = ['<?xml version="1.0" encoding="UTF-8"?>',
               '<rdf:RDF xmlns:rdf="%s" xmlns="%s" xmlns:%s="%s" xmlns:%s="%s">'
               % (NS_RDF, NS_RSS1, p["dc"], NS_DC, p["content"], NS_CONTENT)]
        ftitle = ("Tạp chí " if vi else "Journal of ") + self.pick(["Kinh tế", "Feeds & Things"])
        out.append('<channel rdf:about="https://example.org/rdf">')
        out.append("<title>%s</title>" % esc(ftitle))
        out.append("<link>https://example.org/rdf/</link>")
        out.append("<description>%s</description>" % esc(self.sentence(vi)))
        out.append("<%s:language>%s</%s:language>" % (p["dc"], "vi" if vi else "en", p["dc"]))
        items = [self.item(vi, i, False) for i in range(n_items)]
        for it in items:
            if it["link"] is None:
                it["link"] = "https://example.org/rdf/%d" % self.r.randrange(10 ** 6)
        out.append("<items><rdf:Seq>")
        for it in items:
            out.append('<rdf:li rdf:resource="%s"/>' % esc_attr(it["link"]))
        out.append("</rdf:Seq></items>")
        out.append("</channel>")
        for it in items:
            out.append('<item rdf:about="%s">' % esc_attr(it["link"]))
            out.append("<title>%s</title>" % esc(it["title"] or "Untitled"))
            out.append("<link>%s</link>" % esc(it["link"]))
            if it["date"]:
                s, _ = self.date("w3c")
                out.append("<%s:date>%s</%s:date>" % (p["dc"], s, p["dc"]))
            if it["author"]:
                out.append("<%s:creator>%s</%s:creator>" % (p["dc"], esc(it["author"][0]), p["dc"]))
            for c in it["cats"]:
                out.append("<%s:subject>%s</%s:subject>" % (p["dc"], esc(c), p["dc"]))
            if it["summary"]:
                out.append("<description>%s</description>" % esc(it["summary"]))
            if it["content"]:
                out.append("<%s:encoded><![CDATA[%s]]></%s:encoded>" % (p["content"], it["content"],
                                                                    p["content"]))
            out.append("</item>")
        out.append("</rdf:RDF>")
        return "\n".join(out) + "\n"

    def atom_text(self, tag, text, html_ok):
        """An Atom text construct (text, html or xhtml)."""
        if not html_ok:
            return "<%s>%s</%s>" % (tag, esc(text), tag)
        k = self.pick(["text", "html", "html-cdata", "xhtml"])
        if k == "text":
            return '<%s type="text">%s</%s>' % (tag, esc(text), tag)
        if k == "html":
            return '<%s type="html">%s</%s>' % (tag, esc(text), tag)
        if k == "html-cdata":
            return '<%s type="html"><![CDATA[%s]]></%s>' % (tag, text, tag)
        x = (text.replace("&nbsp;", "&#160;").replace("&rsquo;", "&#8217;")
             .replace('alt="ảnh">', 'alt="ảnh"/>'))
        return ('<%s type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">%s</div></%s>'
                % (tag, x, tag))

    def atom(self, version, n_items):
        vi = self.chance(0.5)
        has_base = self.chance(0.35)
        a03 = version == "0.3"
        p = self.prefixes()
        pre = self.chance(0.2) and not a03  # atom elements under a prefix
        A = (p["atom"] + ":") if pre else ""
        nsuri = NS_ATOM03 if a03 else NS_ATOM
        ns = ('xmlns:%s="%s"' % (p["atom"], nsuri)) if pre else 'xmlns="%s"' % nsuri
        base = ' xml:base="https://example.org/blog/"' if has_base else ""
        out = ['<?xml version="1.0" encoding="utf-8"?>',
               '<%sfeed %s%s%s xmlns:%s="%s" xml:lang="%s">'
               % (A, ns, ' version="0.3"' if a03 else "", base, p["media"], NS_MEDIA,
                  "vi" if vi else "en")]
        ftitle = ("Blog " if vi else "Weblog of ") + self.pick(["Nguyễn Văn A", "Smith & Sons", "R<D"])
        out.append("<%stitle>%s</%stitle>" % (A, esc(ftitle), A))
        if not self.chance(0.05):
            out.append('<%slink rel="alternate" type="text/html" href="%s"/>'
                       % (A, "./" if has_base and self.chance(0.5) else "https://example.org/blog/"))
        out.append('<%slink rel="self" href="https://example.org/blog/feed.atom"/>' % A)
        if not a03:
            out.append("<%sid>urn:uuid:%08x-0000-4000-8000-%012x</%sid>"
                       % (A, self.r.getrandbits(32), self.r.getrandbits(48), A))
        s, _ = self.date("w3c")
        out.append("<%s%s>%s</%s%s>" % (A, "modified" if a03 else "updated", self.w3c(self.instant(), False)[0], A, "modified" if a03 else "updated"))
        for i in range(n_items):
            it = self.item(vi, i, has_base)
            ebase = ""
            if has_base and self.chance(0.2):
                ebase = ' xml:base="https://example.org/blog/2024/"'
            out.append("<%sentry%s>" % (A, ebase))
            if it["title"] is not None:
                out.append("<%stitle%s>%s</%stitle>" % (
                    A, ' type="text"' if self.chance(0.3) and not a03 else "",
                    self.title_xml(it["title"]), A))
            if it["link"] is not None:
                rel = self.pick(['', ' rel="alternate"', ' rel="alternate" type="text/html"'])
                out.append('<%slink%s href="%s"/>' % (A, rel, esc_attr(it["link"])))
            if it["guid"] is not None:
                out.append("<%sid>%s</%sid>" % (A, esc(it["guid"][0]), A))
            if it["date"]:
                if a03:
                    s1, _ = self.date("w3c")
                    out.append("<issued>%s</issued>" % s1)
                    if it["updated"]:
                        out.append("<modified>%s</modified>" % self.w3c(self.instant(), False)[0])
                    if self.chance(0.2):
                        out.append("<created>%s</created>" % self.w3c(self.instant(), False)[0])
                else:
                    if self.chance(0.7):
                        out.append("<%spublished>%s</%spublished>" % (A, self.w3c(self.instant(), False)[0], A))
                    if it["updated"] or self.chance(0.5):
                        out.append("<%supdated>%s</%supdated>" % (A, self.w3c(self.instant(), False)[0], A))
            if it["author"]:
                name, email = it["author"]
                out.append("<%sauthor><%sname>%s</%sname>%s</%sauthor>" % (
                    A, A, esc(name), A, ("<%semail>%s</%semail>" % (A, email, A)) if email else "", A))
            for c in it["cats"]:
                if a03:
                    out.append("<dc:subject xmlns:dc=\"%s\">%s</dc:subject>" % (NS_DC, esc(c)))
                elif self.chance(0.3):
                    out.append('<%scategory term="%s" label="%s"/>'
                               % (A, esc_attr(c.lower().replace(" ", "-")), esc_attr(c)))
                else:
                    out.append('<%scategory term="%s"/>' % (A, esc_attr(c)))
            if it["summary"]:
                out.append(self.atom_text(A + "summary", it["summary"], False) if a03
                           else self.atom_text(A + "summary", it["summary"], True))
            if it["content"]:
                if a03:
                    out.append('<content type="text/html" mode="escaped">%s</content>'
                               % esc(it["content"]))
                else:
                    out.append(self.atom_text(A + "content", it["content"], True))
            for j, (u, t, ln) in enumerate(it["enc"]):
                if a03:
                    break
                if j > 0 and self.chance(0.4):
                    out.append('<%s:content url="%s"%s/>' % (p["media"], u,
                                                           ' type="%s"' % t if t else ""))
                    continue
                attrs = ' rel="enclosure" href="%s"' % u
                if t:
                    attrs += ' type="%s"' % t
                if ln:
                    attrs += ' length="%s"' % ln
                out.append("<%slink%s/>" % (A, attrs))
            out.append("</%sentry>" % A)
        out.append("</%sfeed>" % A)
        return "\n".join(out) + "\n"

    def jsonfeed(self, version, n_items):
        vi = self.chance(0.5)
        items = []
        for i in range(n_items):
            it = self.item(vi, i, False)
            o = {"id": it["guid"][0] if it["guid"] else str(i)}
            if it["title"]:
                o["title"] = it["title"]
            if it["link"]:
                o["url"] = it["link"]
            if it["content"]:
                o["content_html"] = it["content"]
            else:
                o["content_text"] = it["summary"] or ""
            if it["date"]:
                o["date_published"] = self.w3c(self.instant(), False)[0]
            if it["author"]:
                if version == "1":
                    o["author"] = {"name": it["author"][0]}
                else:
                    o["authors"] = [{"name": it["author"][0]}]
            if it["cats"]:
                o["tags"] = it["cats"]
            if it["enc"]:
                o["attachments"] = [dict({"url": u, "mime_type": t or "application/octet-stream"},
                                         **({"size_in_bytes": int(ln)} if ln else {}))
                                    for u, t, ln in it["enc"]]
            items.append(o)
        doc = {"version": "https://jsonfeed.org/version/%s" % version,
               "title": "JSON " + self.title(vi), "home_page_url": "https://example.org/",
               "items": items}
        return json.dumps(doc, ensure_ascii=self.chance(0.3), indent=1) + "\n"

    def breakage(self, text):
        """Realistic damage: a bare '&' or an undeclared HTML entity in a title or description."""
        k = self.r.randrange(3)
        if k == 0:
            return text.replace("</title>", " Tom & Jerry</title>", 2), "bare-amp"
        if k == 1:
            return text.replace("</title>", " &ndash; caf&eacute;&nbsp;x</title>", 2), "entity"
        return text.replace("</description>", " &copy; 2024 &mdash; AT&T</description>", 2), \
            "entity-amp"


def main(argv):
    args = [a for a in argv[1:]]
    seed = 20260101
    if "--seed" in args:
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i:i + 2]
    if not args:
        sys.stderr.write(__doc__)
        return 2
    outdir = args[0]
    n = int(args[1]) if len(args) > 1 else 300
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(seed)
    g = Gen(rng)
    kinds = [("rss2.0", 34), ("rss0.91", 6), ("rss0.92", 6), ("rss1.0", 16), ("atom1.0", 24),
             ("atom0.3", 8), ("jsonfeed1", 3), ("jsonfeed1.1", 3)]
    names, weights = zip(*kinds)
    for i in range(n):
        kind = rng.choices(names, weights)[0]
        n_items = rng.randrange(1, 6)
        ext = "xml"
        if kind.startswith("rss2") or kind.startswith("rss0"):
            text = g.rss(kind[3:], n_items)
        elif kind == "rss1.0":
            text = g.rdf(n_items)
        elif kind.startswith("atom"):
            text = g.atom(kind[4:], n_items)
        else:
            text = g.jsonfeed(kind[8:], n_items)
            ext = "json"
        suffix = ""
        if ext == "xml" and rng.random() < 0.055:
            text, how = g.breakage(text)
            suffix = "-broken"
        with open(os.path.join(outdir, "%04d-%s%s.%s" % (i, kind, suffix, ext)), "w",
                  encoding="utf-8", newline="\n") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
