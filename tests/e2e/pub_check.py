#!/usr/bin/python3
"""Independent readers of tidings' published output, for tests/e2e/test_publish.sh and
test_websub.sh.  Run it with Debian's /usr/bin/python3: the `items` command needs
python3-feedparser; everything else is the standard library.

Each command prints one line per check, "PASS: name" or "FAIL: name: detail" (names hold no
": "), and exits 0.  Environment: TIDINGS_BIN (the binary, for `tidings parse` of the sources).

    pub_check.py items CONF PUBLIC          feedparser reads every .rss/.atom (archives too) with
                                            bozo == 0; titles, links, dates and ids equal what
                                            `tidings parse` gets from the sources; one id per
                                            item in every format; JSON Feed 1.1 required fields
                                            and the same items as the .atom of the same slug;
                                            new.* holds each item once, Atom entries of new.atom
                                            carry atom:source; RSS guid isPermaLink rule
    pub_check.py archives CONF PUBLIC N     RFC 5005: from <slug>.atom along prev-archive, every
                                            page has fh:archive and rel=current, the chain has
                                            no gap, no loop, no orphan page, and the union of the
                                            entries is every item of the category
    pub_check.py discovery CONF PUBLIC      index.html has <link rel="alternate"> for each feed
    pub_check.py stylesheet PUBLIC          each .rss/.atom has <?xml-stylesheet?> whose href
                                            resolves to an existing .xsl file
    pub_check.py schematron FILE...         the Schematron rules of RFC 4287 appendix B
    pub_check.py escaping PUBLIC TITLE      no <script, javascript: or onclick in any output file,
                                            raw or after one level of decoding; TITLE comes back
                                            exactly (escaped once) in Atom, RSS, JSON, index.html;
                                            no character XML 1.0 forbids
    pub_check.py hubs PUBLIC HUB            every feed advertises the hub (RSS atom:link
                                            rel=hub, Atom link rel=hub, JSON Feed "hubs")
    pub_check.py newsboat DB PUBLIC URL...  newsboat's cache DB holds, for each URL (a feed
                                            served from PUBLIC), every item title of that file
"""

import calendar
import html
import json
import os
import re
import sqlite3
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from datetime import datetime
from html.parser import HTMLParser

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feedcheck import read_ini  # noqa: E402  (the suite's own INI reader)

A = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
JSONFEED_11 = "https://jsonfeed.org/version/1.1"
ABS_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def say(ok, name, detail=""):
    if ok:
        print("PASS: %s" % name)
    else:
        print("FAIL: %s: %s" % (name, str(detail).replace("\n", " | ")[:900]))
    sys.stdout.flush()


def norm(s):
    return " ".join(unicodedata.normalize("NFC", s or "").split())


def rfc3339(s):
    if not s:
        return None
    s = s.strip()
    if s.endswith("Z") or s.endswith("z"):
        s = s[:-1] + "+00:00"
    return int(datetime.fromisoformat(s).timestamp())


def struct_ts(st):
    return calendar.timegm(st) if st else None


def site_link(conf):
    for kind, _, kv in read_ini(conf):
        if kind == "site":
            link = kv.get("link") or "http://127.0.0.1:8080/"
            return link if link.endswith("/") else link + "/"
    return "http://127.0.0.1:8080/"


def site_value(conf, key, default=""):
    for kind, _, kv in read_ini(conf):
        if kind == "site":
            return kv.get(key, default) or default
    return default


def categories(conf):
    return [name for kind, name, _ in read_ini(conf) if kind == "category"]


def sources(conf):
    """[(name, path, [slugs])] for the feed sources whose url is a local file, and for each
    .txt and .html article file of the dir sources."""
    out = []
    base = os.path.dirname(os.path.abspath(conf))
    for kind, name, kv in read_ini(conf):
        if kind != "source":
            continue
        url = kv.get("url", "")
        if url.startswith("file://"):
            path = url[len("file://"):]
        elif re.match(r"^[a-z]+://", url):
            continue
        else:
            path = url if url.startswith("/") else os.path.join(base, url)
        cats = [c.strip() for c in kv.get("category", "").split(",") if c.strip()]
        if kv.get("type", "auto") == "dir" or os.path.isdir(path):
            for f in sorted(os.listdir(path)):
                if f.endswith((".txt", ".html", ".htm")) and not f.startswith("."):
                    out.append((name, os.path.join(path, f), cats))
            continue
        if kv.get("type", "auto") not in ("auto", "feed", ""):
            continue
        out.append((name, path, cats))
    return out


def parse_source(path):
    binary = os.environ.get("TIDINGS_BIN", "build/default/tidings")
    r = subprocess.run([binary, "parse", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=10)
    if r.returncode != 0:
        raise RuntimeError("tidings parse %s: rc=%d %s" % (path, r.returncode, r.stderr[:300]))
    return json.loads(r.stdout.decode("utf-8"))


def source_items(conf):
    """({slug: {link: item}}, {link: item}) from `tidings parse` of each source."""
    per_cat = {c: {} for c in categories(conf)}
    every = {}
    for name, path, cats in sources(conf):
        doc = parse_source(path)
        for it in doc.get("items", []):
            it = dict(it, _source=name)
            # Articles without a link (text files of dir sources) are known by their title.
            key = it.get("link") or "title:" + norm(it.get("title"))
            every[key] = it
            for c in cats:
                per_cat.setdefault(c, {})[key] = it
    return per_cat, every


def output_feeds(public):
    """Relative paths of every .rss/.atom/.json under PUBLIC, sorted."""
    out = []
    for d, _, files in os.walk(public):
        for f in files:
            if f.endswith((".rss", ".atom", ".json")):
                out.append(os.path.relpath(os.path.join(d, f), public))
    return sorted(out)


def slug_of(rel):
    """'technology.atom' -> 'technology'; 'archive/technology/2.atom' -> 'technology'."""
    parts = rel.split(os.sep)
    if parts[0] == "archive" and len(parts) == 3:
        return parts[1]
    return os.path.splitext(parts[-1])[0]


def expected_id(src):
    sid = src.get("id")
    if sid and ABS_URI.match(sid):
        return sid
    return None  # a urn:tidings: hash


def compare_entry(kind, out, src):
    """Differences between an output entry {title, link, id, published, updated} and the source
    item, as a list of strings."""
    bad = []
    if norm(out["title"]) != norm(src.get("title")):
        bad.append("title %r != source %r" % (out["title"], src.get("title")))
    if (out["link"] or "") != (src.get("link") or ""):
        bad.append("link %r != source %r" % (out["link"], src.get("link")))
    want = rfc3339(src.get("published"))
    if want is not None and out["published"] != want:
        bad.append("%s published %s != source %s" % (out["title"][:40], out["published"], src.get("published")))
    if out["published"] is None:
        bad.append("%s has no published date" % out["title"][:40])
    wup = rfc3339(src.get("updated"))
    if kind != "rss" and wup is not None and out["updated"] != wup:
        bad.append("%s updated %s != source %s" % (out["title"][:40], out["updated"], src.get("updated")))
    want_enc = sorted(x.get("url") for x in src.get("enclosures") or [] if x.get("url"))
    if want_enc and out.get("enclosures") != want_enc:
        bad.append("%s enclosures %r != source %r" % (out["title"][:40], out.get("enclosures"), want_enc))
    eid = expected_id(src)
    if not out["id"]:
        bad.append("%s has no id" % out["title"][:40])
    elif eid is not None and out["id"] != eid:
        bad.append("id %r != source guid %r" % (out["id"], eid))
    elif eid is None and not out["id"].startswith("urn:tidings:"):
        bad.append("id %r for a relative guid %r is not urn:tidings:" % (out["id"], src.get("id")))
    return bad


def read_feedparser(path):
    import feedparser  # python3-feedparser

    d = feedparser.parse(path)
    entries = []
    for e in d.entries:
        # feedparser falls back to the id for an entry without a link; tidings' text articles
        # have none, so only a real alternate link counts.
        has_link = any(l.get("rel", "alternate") == "alternate" for l in e.get("links", []))
        entries.append({
            "title": e.get("title", ""),
            "link": e.get("link", "") if has_link else "",
            "id": e.get("id", ""),
            "published": struct_ts(e.get("published_parsed")),
            "updated": struct_ts(e.get("updated_parsed")),
            "enclosures": sorted(x.get("href", "") for x in e.get("enclosures", [])),
        })
    return d, entries


def read_jsonfeed(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    entries = []
    for it in doc.get("items", []) if isinstance(doc, dict) else []:
        entries.append({
            "title": it.get("title", ""),
            "link": it.get("url", ""),
            "id": it.get("id", ""),
            "published": rfc3339(it.get("date_published")),
            "updated": rfc3339(it.get("date_modified")),
            "enclosures": sorted(a.get("url", "") for a in it.get("attachments", []) or [] if isinstance(a, dict)),
        })
    return doc, entries


def jsonfeed_problems(doc):
    bad = []
    if not isinstance(doc, dict):
        return ["not a JSON object"]
    if doc.get("version") != JSONFEED_11:
        bad.append("version %r" % doc.get("version"))
    if not isinstance(doc.get("title"), str) or not doc.get("title"):
        bad.append("no title")
    items = doc.get("items")
    if not isinstance(items, list):
        return bad + ["items is not a list"]
    for i, it in enumerate(items):
        if not isinstance(it, dict):
            bad.append("item %d is not an object" % i)
            continue
        if not isinstance(it.get("id"), str) or not it["id"]:
            bad.append("item %d: id %r" % (i, it.get("id")))
        if not isinstance(it.get("content_html"), str) and not isinstance(it.get("content_text"), str):
            bad.append("item %d: neither content_html nor content_text" % i)
        for k in ("url", "title", "summary", "date_published", "date_modified"):
            if k in it and not isinstance(it[k], str):
                bad.append("item %d: %s is %r" % (i, k, it[k]))
        for k in ("date_published", "date_modified"):
            if isinstance(it.get(k), str):
                try:
                    rfc3339(it[k])
                except ValueError:
                    bad.append("item %d: %s %r is not RFC 3339" % (i, k, it[k]))
        if "authors" in it and not (isinstance(it["authors"], list) and all(isinstance(a, dict) for a in it["authors"])):
            bad.append("item %d: authors %r" % (i, it["authors"]))
        if "tags" in it and not (isinstance(it["tags"], list) and all(isinstance(t, str) for t in it["tags"])):
            bad.append("item %d: tags %r" % (i, it["tags"]))
        for att in it.get("attachments", []) or []:
            if not isinstance(att, dict) or not att.get("url") or not att.get("mime_type"):
                bad.append("item %d: attachment %r lacks url or mime_type" % (i, att))
    for k in ("home_page_url", "feed_url"):
        if k in doc and not isinstance(doc[k], str):
            bad.append("%s is %r" % (k, doc[k]))
    return bad


def cmd_items(conf, public):
    per_cat, every = source_items(conf)
    ids = {}  # link -> {id: [files]}
    atom_items = {}
    json_items = {}
    new_items = int(site_value(conf, "new_items", "100"))
    feeds = output_feeds(public)
    say(bool(feeds), "output has feed files", "no .rss/.atom/.json under %s" % public)
    for rel in feeds:
        path = os.path.join(public, rel)
        slug = slug_of(rel)
        kind = os.path.splitext(rel)[1][1:]
        pool = every if slug == "new" else per_cat.get(slug, {})
        if kind == "json":
            try:
                doc, entries = read_jsonfeed(path)
            except (OSError, ValueError) as e:
                say(False, "JSON Feed 1.1 required fields %s" % rel, e)
                continue
            bad = jsonfeed_problems(doc)
            say(not bad, "JSON Feed 1.1 required fields %s" % rel, "; ".join(bad[:5]))
            json_items[slug] = [(e["id"], e["link"], norm(e["title"])) for e in entries]
        else:
            d, entries = read_feedparser(path)
            say(d.bozo == 0, "feedparser bozo=0 %s" % rel,
                "bozo=%r %r" % (d.bozo, d.get("bozo_exception")))
            want_version = "rss20" if kind == "rss" else "atom10"
            say(d.version == want_version, "feedparser reads %s as %s" % (rel, want_version), "version %r" % d.version)
            if kind == "atom" and not rel.startswith("archive"):
                atom_items[slug] = [(e["id"], e["link"], norm(e["title"])) for e in entries]
        bad = []
        if not entries:
            bad.append("no entries")
        for e in entries:
            src = pool.get(e["link"] or "title:" + norm(e["title"]))
            if src is None:
                bad.append("entry %r (%s) is not an item of the category's sources" % (e["title"][:50], e["link"]))
                continue
            bad += compare_entry(kind, e, src)
            ids.setdefault(e["link"], {}).setdefault(e["id"], []).append(rel)
        say(not bad, "%s %d entries have the sources' titles, links, dates, ids and enclosures" % (rel, len(entries)),
            "; ".join(bad[:4]) + (" (+%d more)" % (len(bad) - 4) if len(bad) > 4 else ""))
        if slug == "new" and entries:
            links = [e["link"] for e in entries]
            eids = [e["id"] for e in entries]
            dup = sorted(set(x for x in links if links.count(x) > 1) | set(x for x in eids if eids.count(x) > 1))
            want = min(new_items, len(every))
            say(not dup and len(entries) == want, "%s holds the newest %d items, each once" % (rel, want),
                "%d entries; duplicates: %s" % (len(entries), dup[:3]))
    # One id per item, in every format and every file.
    split = {link: v for link, v in ids.items() if len(v) > 1}
    say(bool(ids) and not split, "each item has one id in .rss guid, .atom id and .json id (%d items)" % len(ids),
        "; ".join("%s: %s" % (k, {i: f[:2] for i, f in v.items()}) for k, v in list(split.items())[:3]))
    # JSON Feed vs Atom of the same slug.
    for slug in sorted(set(atom_items) | set(json_items)):
        a, j = atom_items.get(slug), json_items.get(slug)
        if a is None or j is None:
            say(False, "%s.json has the same items as %s.atom" % (slug, slug), "one of the two files is missing")
            continue
        diff = [(x, y) for x, y in zip(a, j) if x != y]
        say(a == j, "%s.json has the same ids, urls and titles as %s.atom (%d items)" % (slug, slug, len(a)),
            "atom %d items, json %d; first differences: %s" % (len(a), len(j), diff[:2]))
    check_rss_guids(public)
    check_atom_sources(public)


def check_rss_guids(public):
    for rel in output_feeds(public):
        if not rel.endswith(".rss"):
            continue
        root = ET.parse(os.path.join(public, rel)).getroot()
        bad = []
        for item in root.iter("item"):
            guid = item.find("guid")
            link = (item.findtext("link") or "").strip()
            if guid is None:
                bad.append("item without guid")
                continue
            perma = guid.get("isPermaLink", "true")
            g = (guid.text or "").strip()
            if perma == "true" and g != link:
                bad.append("guid %r isPermaLink but the link is %r" % (g, link))
        say(not bad, "%s guid isPermaLink only when it is the link" % rel, "; ".join(bad[:3]))


def check_atom_sources(public):
    path = os.path.join(public, "new.atom")
    if not os.path.exists(path):
        return
    root = ET.parse(path).getroot()
    bad = []
    n = 0
    for e in root.findall(A + "entry"):
        n += 1
        s = e.find(A + "source")
        if s is None:
            bad.append("entry %r has no atom:source" % e.findtext(A + "title"))
        elif not (s.findtext(A + "title") or s.find(A + "link") is not None):
            bad.append("atom:source of %r names nothing" % e.findtext(A + "title"))
    say(n and not bad, "new.atom every entry has an atom:source (%d entries)" % n, "; ".join(bad[:3]))


def link_href(root, rel):
    for l in root.findall(A + "link"):
        if l.get("rel", "alternate") == rel:
            return l.get("href")
    return None


def entry_key(e):
    """An Atom entry's alternate link, or its title for an article without one."""
    link = e.find(A + "link")
    if link is not None and link.get("href"):
        return link.get("href")
    return "title:" + norm(e.findtext(A + "title"))


def cmd_archives(conf, public, per_feed):
    per_cat, _ = source_items(conf)
    base = site_link(conf)
    per_feed = int(per_feed)
    for slug in categories(conf):
        name = "%s archive chain" % slug
        cur_path = os.path.join(public, slug + ".atom")
        try:
            cur = ET.parse(cur_path).getroot()
        except (OSError, ET.ParseError) as e:
            say(False, name, e)
            continue
        want = per_cat.get(slug, {})
        seen = {}  # entry link -> id
        ids = set()
        bad = []
        for e in cur.findall(A + "entry"):
            seen[entry_key(e)] = e.findtext(A + "id")
            ids.add(e.findtext(A + "id"))
        in_archives = []
        pages = []
        href = link_href(cur, "prev-archive")
        newer_url = None
        cur_url = base + slug + ".atom"
        while href:
            if not href.startswith(base):
                bad.append("prev-archive %r is outside %s" % (href, base))
                break
            rel = href[len(base):]
            if rel in pages:
                bad.append("loop at %s" % rel)
                break
            if len(pages) > 10000:
                bad.append("more than 10000 pages")
                break
            pages.append(rel)
            try:
                page = ET.parse(os.path.join(public, rel)).getroot()
            except (OSError, ET.ParseError) as e:
                bad.append("%s: %s" % (rel, e))
                break
            if page.find(FH + "archive") is None:
                bad.append("%s lacks <fh:archive/>" % rel)
            if link_href(page, "current") != cur_url:
                bad.append("%s: rel=current is %r, want %r" % (rel, link_href(page, "current"), cur_url))
            if link_href(page, "self") != href:
                bad.append("%s: rel=self is %r" % (rel, link_href(page, "self")))
            nxt = link_href(page, "next-archive")
            if newer_url is not None and nxt != newer_url:
                bad.append("%s: next-archive is %r, want %r" % (rel, nxt, newer_url))
            entries = page.findall(A + "entry")
            if len(entries) > per_feed:
                bad.append("%s holds %d entries, more than items_per_feed %d" % (rel, len(entries), per_feed))
            if newer_url is not None and len(entries) != per_feed:
                bad.append("%s (an older page) holds %d entries, not a full %d" % (rel, len(entries), per_feed))
            for e in entries:
                link = entry_key(e)
                eid = e.findtext(A + "id")
                if eid in in_archives:
                    bad.append("%s repeats %s" % (rel, eid))
                in_archives.append(eid)
                if link in seen and seen[link] != eid:
                    bad.append("%s: %s has id %s here, %s elsewhere" % (rel, link, eid, seen[link]))
                seen[link] = eid
                ids.add(eid)
            newer_url = href
            href = link_href(page, "prev-archive")
        # Pages numbered 1..n, newest first along the chain, with no orphan file.
        on_disk = sorted(os.listdir(os.path.join(public, "archive", slug))) if os.path.isdir(
            os.path.join(public, "archive", slug)) else []
        on_disk = ["archive/%s/%s" % (slug, f) for f in on_disk if f.endswith(".atom")]
        if sorted(pages) != sorted(on_disk):
            bad.append("chain %s != files %s" % (pages, on_disk))
        nums = [int(os.path.splitext(os.path.basename(p))[0]) for p in pages if re.match(r".*/\d+\.atom$", p)]
        if nums != list(range(len(nums), 0, -1)):
            bad.append("pages along prev-archive are %s, want n..1" % nums)
        missing = sorted(set(want) - set(seen))
        extra = sorted(set(seen) - set(want))
        if missing:
            bad.append("%d items missing (gap): %s" % (len(missing), missing[:3]))
        if extra:
            bad.append("entries not from the sources: %s" % extra[:3])
        if len(ids) != len(want):
            bad.append("%d distinct ids for %d items" % (len(ids), len(want)))
        say(not bad and len(want) > 0,
            "%s archive chain %s.atom + %d archive pages holds all %d items, no gap" % (slug, slug, len(pages), len(want)),
            "; ".join(bad[:5]))
        if len(want) > per_feed:
            say(len(pages) > 0, "%s has archive pages beyond the %d-item window" % (slug, per_feed),
                "no prev-archive link in %s.atom" % slug)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag == "link":
            self.links.append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


def cmd_discovery(conf, public):
    base = site_link(conf)
    with open(os.path.join(public, "index.html"), encoding="utf-8") as f:
        p = _Links()
        p.feed(f.read())
    types = {".rss": "application/rss+xml", ".atom": "application/atom+xml", ".json": "application/feed+json"}
    names = sorted(f for f in os.listdir(public) if os.path.splitext(f)[1] in types)
    say(bool(names), "public/ has feeds for index.html to announce", "none")
    for name in names:
        hits = [l for l in p.links if "alternate" in (l.get("rel") or "").lower().split()
                and l.get("href") in (base + name, name, "/" + name)]
        ok = bool(hits) and hits[0].get("type") == types[os.path.splitext(name)[1]]
        say(ok, "index.html autodiscovery <link rel=alternate> for %s" % name,
            "found %r" % hits[:1] if hits else "no link to %s" % (base + name))


PI = re.compile(rb'<\?xml-stylesheet\s+([^?]*)\?>')


def cmd_stylesheet(public):
    for rel in output_feeds(public):
        if rel.endswith(".json"):
            continue
        path = os.path.join(public, rel)
        with open(path, "rb") as f:
            head = f.read(4096)
        m = PI.search(head)
        if not m:
            say(False, "%s carries <?xml-stylesheet?>" % rel, "none in the first 4 KB")
            continue
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1).decode("utf-8")))
        href = attrs.get("href", "")
        target = os.path.normpath(os.path.join(os.path.dirname(path), href))
        ok = href.endswith(".xsl") and os.path.isfile(target) and \
            os.path.realpath(target).startswith(os.path.realpath(public) + os.sep)
        say(ok, "%s carries <?xml-stylesheet?> for an existing .xsl" % rel, "href %r -> %s" % (href, target))


def cmd_schematron(files):
    for path in files:
        root = ET.parse(path).getroot()
        bad = []
        entries = root.findall(A + "entry") if root.tag == A + "feed" else [root]
        feed_author = root.tag == A + "feed" and root.find(A + "author") is not None
        if root.tag == A + "feed" and not feed_author and any(e.find(A + "author") is None for e in entries):
            bad.append("feed without atom:author has an entry without one")
        for e in entries:
            t = e.findtext(A + "title")
            if not (any(l.get("rel", "alternate") == "alternate" for l in e.findall(A + "link"))
                    or e.find(A + "content") is not None):
                bad.append("entry %r has neither link rel=alternate nor content" % t)
            if not (e.find(A + "author") is not None or feed_author
                    or e.find(A + "source/" + A + "author") is not None):
                bad.append("entry %r has no author" % t)
        say(not bad, "RFC 4287 Schematron rules %s" % path, "; ".join(bad[:3]))


UNSAFE = re.compile(r"<script|javascript:|onclick", re.I)
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_strings(path):
    """Every text node and attribute value of an XML file (one level of escaping decoded)."""
    out = []
    for el in ET.parse(path).getroot().iter():
        out += [el.text or "", el.tail or ""]
        out += list(el.attrib.values())
    return out


def json_strings(v):
    if isinstance(v, str):
        return [v]
    if isinstance(v, list):
        return [s for x in v for s in json_strings(x)]
    if isinstance(v, dict):
        return [s for x in v.values() for s in json_strings(x)]
    return []


class _Html(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.strings = []

    def handle_starttag(self, tag, attrs):
        self.strings += [v or "" for _, v in attrs]
        self.strings += [k for k, _ in attrs]

    def handle_data(self, data):
        self.strings.append(data)


def cmd_escaping(public, title):
    files = []
    for d, _, fs in os.walk(public):
        files += [os.path.join(d, f) for f in fs if not f.endswith(".gz")]
    for path in sorted(files):
        rel = os.path.relpath(path, public)
        with open(path, "rb") as f:
            raw = f.read().decode("utf-8")
        bad = ["raw: %r" % m.group(0) for m in UNSAFE.finditer(raw)][:2]
        if XML_FORBIDDEN.search(raw):
            bad.append("character XML 1.0 forbids: %r" % XML_FORBIDDEN.search(raw).group(0))
        try:
            if path.endswith((".rss", ".atom", ".opml", ".xsl")):
                strings = xml_strings(path)
            elif path.endswith(".json"):
                strings = json_strings(json.loads(raw))
            elif path.endswith(".html"):
                p = _Html()
                p.feed(raw)
                strings = p.strings
            else:
                strings = []
        except (ValueError, ET.ParseError) as e:
            bad.append("cannot read: %s" % e)
            strings = []
        for s in strings:
            m = UNSAFE.search(s)
            if m:
                bad.append("decoded: %r in %r" % (m.group(0), s[:120]))
                break
        say(not bad, "%s has no <script, javascript: or onclick, raw or decoded" % rel, "; ".join(bad[:3]))
    # The title comes back exactly once-decoded.
    want = title
    for name in ("news.atom", "new.atom"):
        path = os.path.join(public, name)
        got = []
        for e in ET.parse(path).getroot().findall(A + "entry"):
            t = e.find(A + "title")
            kind = t.get("type", "text")
            text = t.text or ""
            got.append(html.unescape(text) if kind == "html" else text)
        say(want in got, "%s title decodes to exactly %r (escaped once)" % (name, want), "titles: %r" % got[:4])
    with open(os.path.join(public, "news.atom"), encoding="utf-8") as f:
        raw = f.read()
    once = re.search(r'<title[^>]*>5 &lt; 6 &amp; (&quot;|")quotes(&quot;|")</title>', raw)
    twice = re.search(r'5 &amp;lt; 6|&amp;amp; (&amp;quot;|")quotes', raw)
    say(once and not twice, "news.atom escapes the title once in its markup",
        "raw title markup: %r" % re.findall(r'<title[^>]*>[^<]*quotes[^<]*</title>', raw)[:2])
    for name in ("news.rss",):
        titles = [(i.findtext("title") or "") for i in ET.parse(os.path.join(public, name)).getroot().iter("item")]
        say(want in titles, "%s <title> text is exactly %r" % (name, want), "titles: %r" % titles[:4])
    with open(os.path.join(public, "news.json"), encoding="utf-8") as f:
        titles = [it.get("title") for it in json.load(f).get("items", [])]
    say(want in titles, "news.json title is exactly %r" % want, "titles: %r" % titles[:4])
    with open(os.path.join(public, "index.html"), encoding="utf-8") as f:
        p = _Html()
        p.feed(f.read())
    say(any(want == s.strip() for s in p.strings), "index.html shows the title as text %r" % want,
        "no text node equal to it")


def cmd_hubs(public, hub):
    for rel in output_feeds(public):
        if rel.startswith("archive"):
            continue
        path = os.path.join(public, rel)
        if rel.endswith(".json"):
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            hubs = doc.get("hubs") or []
            ok = any(isinstance(h, dict) and h.get("url") == hub and h.get("type", "").lower() == "websub"
                     for h in hubs)
            say(ok, "%s has a \"hubs\" entry of type WebSub for the hub" % rel, "hubs %r" % hubs)
            continue
        root = ET.parse(path).getroot()
        links = root.findall("channel/" + A + "link") if rel.endswith(".rss") else root.findall(A + "link")
        hubs = [l.get("href") for l in links if l.get("rel") == "hub"]
        selfs = [l.get("href") for l in links if l.get("rel") == "self"]
        say(hub in hubs and len(selfs) == 1, "%s advertises rel=hub %s and one rel=self" % (rel, hub),
            "hub links %r, self links %r" % (hubs, selfs))


def cmd_newsboat(db, public, urls):
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT feedurl, title, url, guid FROM rss_item").fetchall()
    finally:
        con.close()
    for url in urls:
        name = url.split("/", 3)[3]
        import feedparser

        want = sorted(norm(e.get("title", "")) for e in feedparser.parse(os.path.join(public, name)).entries)
        have = sorted(norm(t) for f, t, _, _ in rows if f == url)
        missing = sorted(set(want) - set(have))
        say(want and not missing and len(have) == len(want),
            "newsboat shows the %d items of %s" % (len(want), name),
            "%d items in newsboat's cache, %d in the file; missing %r" % (len(have), len(want), missing[:3]))


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    try:
        if cmd == "items":
            cmd_items(*args)
        elif cmd == "archives":
            cmd_archives(*args)
        elif cmd == "discovery":
            cmd_discovery(*args)
        elif cmd == "stylesheet":
            cmd_stylesheet(*args)
        elif cmd == "schematron":
            cmd_schematron(args)
        elif cmd == "escaping":
            cmd_escaping(*args)
        elif cmd == "hubs":
            cmd_hubs(*args)
        elif cmd == "newsboat":
            cmd_newsboat(args[0], args[1], args[2:])
        else:
            print("unknown command %r" % cmd, file=sys.stderr)
            return 2
    except Exception as e:  # a crash of the checker is one failed check, never a silent pass
        say(False, "pub_check %s" % cmd, "%s: %s" % (type(e).__name__, e))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
