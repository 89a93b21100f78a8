#!/usr/bin/env python3
"""Small readers the end-to-end tests use to look inside feeds, configs and fixture logs.
Python 3 standard library only.

    feedcheck.py titles FILE          non-empty item titles of an RSS/RDF/Atom/JSON Feed file, one
                                      a line (NFC, whitespace collapsed, HTML titles as text)
    feedcheck.py format FILE          rss2.0 | rss1.0 | rss0.9x | atom1.0 | atom0.3 | jsonfeed | ?
    feedcheck.py jsonfeed FILE        exit 0 when FILE is JSON Feed 1.1 with items, else say why
    feedcheck.py sources INI          name TAB type TAB categories TAB url, one source a line
    feedcheck.py categories INI       category slugs, one a line
    feedcheck.py site INI KEY         value of KEY in [site] (empty when absent)
    feedcheck.py parsed FILE FORMAT   check `tidings parse` output: one JSON object, the format,
                                      items, RFC 3339 UTC dates; print its item titles
    feedcheck.py requests LOG PATH    number of logged requests for PATH
    feedcheck.py header LOG PATH N H  header H of the Nth (1-based) logged request for PATH
"""

import json
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

NS_ATOM = "http://www.w3.org/2005/Atom"
NS_ATOM03 = "http://purl.org/atom/ns#"
NS_RSS1 = "http://purl.org/rss/1.0/"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def html_text(s):
    p = _Text()
    p.feed(s)
    p.close()
    return "".join(p.parts)


def norm(s):
    return " ".join(unicodedata.normalize("NFC", s or "").split())


def local(tag):
    return tag.rsplit("}", 1)[-1]


def atom_text(el):
    if el is None:
        return ""
    kind = el.get("type", "text")
    if kind in ("xhtml", "application/xhtml+xml"):
        return "".join(el.itertext())
    if kind in ("html", "text/html") or el.get("mode") == "escaped":
        return html_text(el.text or "")
    return el.text or ""


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return "json", json.loads(stripped.decode("utf-8"))
    return "xml", ET.fromstring(data)


def feed_format(path):
    kind, doc = load(path)
    if kind == "json":
        return "jsonfeed"
    tag = local(doc.tag)
    if tag == "rss":
        v = doc.get("version", "")
        return "rss2.0" if v.startswith("2") else "rss0.9x"
    if tag == "RDF":
        return "rss1.0"
    if tag == "feed":
        return "atom0.3" if doc.tag.startswith("{" + NS_ATOM03) else "atom1.0"
    return "?"


def titles(path):
    kind, doc = load(path)
    out = []
    if kind == "json":
        for it in doc.get("items", []):
            out.append(it.get("title") or "")
        return [norm(t) for t in out]
    tag = local(doc.tag)
    if tag == "feed":
        for e in doc:
            if local(e.tag) == "entry":
                t = [c for c in e if local(c.tag) == "title"]
                out.append(atom_text(t[0]) if t else "")
    else:
        for e in doc.iter():
            if local(e.tag) == "item":
                t = [c for c in e if local(c.tag) == "title"]
                out.append((t[0].text or "") if t else "")
    return [norm(t) for t in out]


def read_ini(path):
    """[(section, name, {key: value})] with ; and # comments (whole-line or after whitespace)."""
    sections = []
    cur = None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line[0] in ";#":
                continue
            if line.startswith("["):
                head = line[1:line.index("]")].strip()
                kind, _, name = head.partition(" ")
                cur = (kind.strip(), name.strip(), {})
                sections.append(cur)
                continue
            key, _, value = line.partition("=")
            value = re.sub(r"\s[;#].*$", "", value).strip()
            if cur is not None:
                cur[2][key.strip()] = value
    return sections


def cmd_jsonfeed(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print("%s: not JSON: %s" % (path, e))
        return 1
    if not isinstance(doc, dict):
        print("%s: not an object" % path)
        return 1
    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        print("%s: version is %r" % (path, doc.get("version")))
        return 1
    if not isinstance(doc.get("items"), list) or not doc["items"]:
        print("%s: no items" % path)
        return 1
    return 0


def cmd_parsed(path, fmt):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        doc = json.loads(text)
    except ValueError as e:
        print("stdout is not one JSON value: %s" % e, file=sys.stderr)
        return 1
    if not isinstance(doc, dict):
        print("stdout is not a JSON object", file=sys.stderr)
        return 1
    if doc.get("format") != fmt:
        print("format is %r, want %r" % (doc.get("format"), fmt), file=sys.stderr)
        return 1
    items = doc.get("items")
    if not isinstance(items, list) or not items:
        print("no items", file=sys.stderr)
        return 1
    dated = 0
    for it in items:
        for key in ("published", "updated"):
            if key not in it:
                print("item lacks %r: %s" % (key, json.dumps(it)[:200]), file=sys.stderr)
                return 1
            v = it[key]
            if v is None:
                continue
            if not isinstance(v, str) or not RFC3339_UTC.match(v):
                print("item %s %r is not RFC 3339 UTC" % (key, v), file=sys.stderr)
                return 1
            dated += 1
    if not dated:
        print("no item carries a date", file=sys.stderr)
        return 1
    if doc.get("updated") is not None and not RFC3339_UTC.match(str(doc["updated"])):
        print("feed updated %r is not RFC 3339 UTC" % doc["updated"], file=sys.stderr)
        return 1
    for it in items:
        print(norm(it.get("title") or ""))
    return 0


def logged(log, path):
    out = []
    with open(log, encoding="utf-8") as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("path") == path:
                out.append(e)
    return out


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "titles":
        for t in titles(argv[2]):
            if t:
                print(t)
    elif cmd == "format":
        print(feed_format(argv[2]))
    elif cmd == "jsonfeed":
        return cmd_jsonfeed(argv[2])
    elif cmd == "sources":
        for kind, name, kv in read_ini(argv[2]):
            if kind == "source":
                cats = ",".join(c.strip() for c in kv.get("category", "").split(",") if c.strip())
                print("\t".join([name, kv.get("type", "auto") or "auto", cats, kv.get("url", "")]))
    elif cmd == "categories":
        for kind, name, _ in read_ini(argv[2]):
            if kind == "category":
                print(name)
    elif cmd == "site":
        for kind, _, kv in read_ini(argv[2]):
            if kind == "site":
                print(kv.get(argv[3], ""))
                break
    elif cmd == "parsed":
        return cmd_parsed(argv[2], argv[3])
    elif cmd == "requests":
        print(len(logged(argv[2], argv[3])))
    elif cmd == "header":
        reqs = logged(argv[2], argv[3])
        n = int(argv[4])
        if n > len(reqs):
            return 1
        want = argv[5].lower()
        for k, v in reqs[n - 1].get("headers", {}).items():
            if k.lower() == want:
                print(v)
                return 0
        return 1
    else:
        print("unknown command %r" % cmd, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OSError, ValueError, ET.ParseError) as e:
        print("feedcheck: %s" % e, file=sys.stderr)
        sys.exit(1)
