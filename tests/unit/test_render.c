/* Unit tests for render: RSS 2.0, Atom 1.0, JSON Feed 1.1, index.html and OPML writers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "buf.h"
#include "config.h"
#include "date.h"
#include "feed.h"
#include "json.h"
#include "render.h"
#include "store.h"
#include "util.h"
#include "testutil.h"

#define T0 1637234100LL /* 2021-11-18T11:15:00Z */

#define TITLE0 "Tom & Jerry <b>\"quoted\"</b>"
#define CONTENT0 "<p>Hello <b>world</b> &amp; more</p>"
#define UID1 "urn:tidings:0123456789abcdef0123456789abcdef01234567"

static const struct render_channel channel = {
	.title = "Example: Cat <A>",
	.description = "News & views",
	.language = "vi",
	.home_url = "http://127.0.0.1:8080/",
	.self_base = "http://127.0.0.1:8080/cat-a",
	.hub = NULL,
	.ttl = 30,
	.aggregated = 0,
};

static struct feed *sample(void)
{
	struct feed *f = feed_new();
	struct item *it = feed_add_item(f);
	it->id = xstrdup("http://ex.org/1");
	it->uid = xstrdup("http://ex.org/1");
	it->link = xstrdup("http://ex.org/1");
	it->title = xstrdup(TITLE0);
	it->summary = xstrdup("<p>lead &amp; more</p>");
	it->content = xstrdup(CONTENT0);
	it->author = xstrdup("Trọng Toàn");
	it->published = T0;
	it->updated = T0 + 60;
	it->first_seen = T0 + 120;
	it->source = xstrdup("s1");
	it->source_title = xstrdup("Source & One");
	it->source_link = xstrdup("http://ex.org/");
	it->source_url = xstrdup("http://ex.org/feed.xml");
	item_add_category(it, "politics");
	item_add_category(it, "a&b");
	struct enclosure *e = item_add_enclosure(it, "http://ex.org/1.mp3");
	e->type = xstrdup("audio/mpeg");
	e->length = 123;

	it = feed_add_item(f);
	it->id = xstrdup("2");
	it->uid = xstrdup(UID1);
	it->link = xstrdup("http://ex.org/2");
	it->title = xstrdup("Second");
	it->content = xstrdup("<p>only content</p>");
	it->first_seen = T0 - 3600; /* no published, no updated */
	it->source = xstrdup("s1");
	it->source_url = xstrdup("http://ex.org/feed.xml");

	it = feed_add_item(f);
	it->id = xstrdup("tag:ex.org,2021:3");
	it->uid = xstrdup("tag:ex.org,2021:3");
	it->link = xstrdup("http://ex.org/3?a=1&b=2");
	it->title = xstrdup("Xây dựng Đảng\nline two");
	it->summary = xstrdup("<p>summary only</p>");
	it->published = T0 - 7200;
	it->first_seen = T0;
	it->source = xstrdup("s2");
	it->source_url = xstrdup("file:///srv/s2.xml");
	item_add_enclosure(it, "http://ex.org/3.bin");
	return f;
}

/* libxml2 reports every error (namespace errors too) here while a test parses output. */
static int xml_errors;

static void count_errors(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	if (e && e->level >= XML_ERR_ERROR) {
		xml_errors++;
		print_message("libxml2: line %d: %s", e->line, e->message ? e->message : "?\n");
	}
}

/* Parses out strictly: no recovery, no network; any error fails the test. */
static xmlDocPtr parse_xml(const struct buf *out)
{
	xml_errors = 0;
	xmlSetStructuredErrorFunc(NULL, count_errors);
	xmlDocPtr doc = xmlReadMemory(buf_str(out), (int)out->len, "out.xml", NULL, XML_PARSE_NONET);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (!doc || xml_errors) {
		xmlFreeDoc(doc);
		fail_msg("output is not well-formed XML (%d errors):\n%s", xml_errors, buf_str(out));
	}
	return doc;
}

static xmlXPathObjectPtr eval(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	assert_non_null(ctx);
	xmlXPathRegisterNs(ctx, BAD_CAST "atom", BAD_CAST "http://www.w3.org/2005/Atom");
	xmlXPathRegisterNs(ctx, BAD_CAST "content", BAD_CAST "http://purl.org/rss/1.0/modules/content/");
	xmlXPathRegisterNs(ctx, BAD_CAST "dc", BAD_CAST "http://purl.org/dc/elements/1.1/");
	xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	xmlXPathFreeContext(ctx);
	if (!r)
		fail_msg("bad XPath %s", expr);
	return r;
}

/* string(expr), as a new string. */
static char *xs(xmlDocPtr doc, const char *expr)
{
	char full[512];
	snprintf(full, sizeof full, "string(%s)", expr);
	xmlXPathObjectPtr r = eval(doc, full);
	char *s = xstrdup(r->stringval ? (const char *)r->stringval : "");
	xmlXPathFreeObject(r);
	return s;
}

static int xn(xmlDocPtr doc, const char *expr)
{
	char full[512];
	snprintf(full, sizeof full, "count(%s)", expr);
	xmlXPathObjectPtr r = eval(doc, full);
	int n = (int)r->floatval;
	xmlXPathFreeObject(r);
	return n;
}

static void assert_xs(xmlDocPtr doc, const char *expr, const char *want)
{
	char *got = xs(doc, expr);
	if (strcmp(got, want)) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s = \"%s\", want \"%s\"", expr, got, want);
		free(got);
		fail_msg("%s", msg);
	}
	free(got);
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("output does not contain \"%s\":\n%s", needle, haystack);
}

static void assert_lacks(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle))
		fail_msg("output contains \"%s\":\n%s", needle, haystack);
}

typedef int (*render_fn)(const struct render_channel *, const struct feed *, struct buf *);

static void render(render_fn fn, const struct render_channel *ch, const struct feed *f, struct buf *out)
{
	buf_init(out, 0);
	assert_int_equal(fn(ch, f, out), 0);
	assert_true(out->len > 0);
}

static void test_rss(void **state)
{
	(void)state;
	struct feed *f = sample();
	struct buf out;
	render(render_rss, &channel, f, &out);
	xmlDocPtr doc = parse_xml(&out);
	const char *raw = buf_str(&out);

	assert_xs(doc, "/rss/@version", "2.0");
	assert_xs(doc, "/rss/channel/title", "Example: Cat <A>");
	assert_xs(doc, "/rss/channel/link", "http://127.0.0.1:8080/");
	assert_xs(doc, "/rss/channel/description", "News & views");
	assert_xs(doc, "/rss/channel/language", "vi");
	assert_xs(doc, "/rss/channel/ttl", "30");
	assert_xs(doc, "/rss/channel/atom:link[@rel='self']/@href", "http://127.0.0.1:8080/cat-a.rss");
	assert_int_equal(xn(doc, "/rss/channel/item"), 3);

	/* titles are escaped exactly once */
	assert_xs(doc, "/rss/channel/item[1]/title", TITLE0);
	assert_contains(raw, "Tom &amp; Jerry &lt;b&gt;");
	assert_lacks(raw, "&amp;lt;");
	assert_lacks(raw, "Tom &amp;amp;");
	assert_xs(doc, "/rss/channel/item[1]/link", "http://ex.org/1");
	assert_xs(doc, "/rss/channel/item[1]/description", "<p>lead &amp; more</p>");
	assert_xs(doc, "/rss/channel/item[1]/content:encoded", CONTENT0);
	assert_xs(doc, "/rss/channel/item[1]/dc:creator", "Trọng Toàn");
	assert_xs(doc, "/rss/channel/item[1]/pubDate", "Thu, 18 Nov 2021 11:15:00 +0000");
	assert_int_equal(xn(doc, "/rss/channel/item[1]/category"), 2);
	assert_xs(doc, "/rss/channel/item[1]/category[2]", "a&b");
	assert_xs(doc, "/rss/channel/item[1]/enclosure/@url", "http://ex.org/1.mp3");
	assert_xs(doc, "/rss/channel/item[1]/enclosure/@type", "audio/mpeg");
	assert_xs(doc, "/rss/channel/item[1]/enclosure/@length", "123");

	/* guid: a permalink only when the uid is the link */
	assert_xs(doc, "/rss/channel/item[1]/guid", "http://ex.org/1");
	assert_xs(doc, "/rss/channel/item[1]/guid/@isPermaLink", "true");
	assert_xs(doc, "/rss/channel/item[2]/guid", UID1);
	assert_xs(doc, "/rss/channel/item[2]/guid/@isPermaLink", "false");
	assert_xs(doc, "/rss/channel/item[3]/guid/@isPermaLink", "false");

	/* an item without dates is filed at first_seen; RSS requires enclosure length and type */
	assert_xs(doc, "/rss/channel/item[2]/pubDate", "Thu, 18 Nov 2021 10:15:00 +0000");
	assert_xs(doc, "/rss/channel/item[2]/content:encoded", "<p>only content</p>");
	assert_int_equal(xn(doc, "/rss/channel/item[2]/description"), 1);
	assert_xs(doc, "/rss/channel/item[3]/link", "http://ex.org/3?a=1&b=2");
	assert_true(xn(doc, "/rss/channel/item[3]/enclosure[@length and @type]") == 1);
	assert_int_equal(xn(doc, "/rss/channel/item/source"), 0); /* not aggregated */

	xmlFreeDoc(doc);
	buf_release(&out);
	feed_free(f);
}

static void test_atom(void **state)
{
	(void)state;
	struct feed *f = sample();
	struct buf out;
	render(render_atom, &channel, f, &out);
	xmlDocPtr doc = parse_xml(&out);
	const char *raw = buf_str(&out);

	assert_int_equal(xn(doc, "/atom:feed"), 1);
	assert_xs(doc, "/atom:feed/atom:title", "Example: Cat <A>");
	assert_xs(doc, "/atom:feed/atom:link[@rel='self']/@href", "http://127.0.0.1:8080/cat-a.atom");
	assert_xs(doc, "/atom:feed/atom:link[@rel='alternate']/@href", "http://127.0.0.1:8080/");
	assert_int_equal(xn(doc, "/atom:feed/atom:id"), 1);
	/* the feed's updated is its newest item date (not the wall clock) */
	assert_xs(doc, "/atom:feed/atom:updated", "2021-11-18T11:16:00Z");
	assert_int_equal(xn(doc, "/atom:feed/atom:entry"), 3);
	/* every entry has the elements Atom requires */
	assert_int_equal(xn(doc, "/atom:feed/atom:entry[atom:id and atom:title and atom:updated]"), 3);

	assert_xs(doc, "/atom:feed/atom:entry[1]/atom:id", "http://ex.org/1");
	assert_xs(doc, "/atom:feed/atom:entry[1]/atom:title", TITLE0);
	assert_contains(raw, "&lt;b&gt;");
	assert_lacks(raw, "&amp;lt;");
	assert_xs(doc, "/atom:feed/atom:entry[1]/atom:link[@rel='alternate']/@href", "http://ex.org/1");
	assert_xs(doc, "/atom:feed/atom:entry[1]/atom:published", "2021-11-18T11:15:00Z");
	assert_xs(doc, "/atom:feed/atom:entry[1]/atom:updated", "2021-11-18T11:16:00Z");
	assert_xs(doc, "/atom:feed/atom:entry[1]/atom:author/atom:name", "Trọng Toàn");
	assert_xs(doc, "/atom:feed/atom:entry[1]/atom:category[2]/@term", "a&b");
	assert_xs(doc, "/atom:feed/atom:entry[1]/atom:content/@type", "html");
	assert_xs(doc, "/atom:feed/atom:entry[1]/atom:content", CONTENT0);
	assert_xs(doc, "/atom:feed/atom:entry[1]/atom:summary", "<p>lead &amp; more</p>");
	assert_xs(doc, "/atom:feed/atom:entry[1]/atom:link[@rel='enclosure']/@href", "http://ex.org/1.mp3");
	assert_xs(doc, "/atom:feed/atom:entry[1]/atom:link[@rel='enclosure']/@length", "123");

	assert_xs(doc, "/atom:feed/atom:entry[2]/atom:id", UID1);
	assert_xs(doc, "/atom:feed/atom:entry[2]/atom:published", "2021-11-18T10:15:00Z");
	assert_xs(doc, "/atom:feed/atom:entry[2]/atom:updated", "2021-11-18T10:15:00Z");
	assert_xs(doc, "/atom:feed/atom:entry[3]/atom:id", "tag:ex.org,2021:3");
	assert_xs(doc, "/atom:feed/atom:entry[3]/atom:link[@rel='alternate']/@href", "http://ex.org/3?a=1&b=2");
	assert_int_equal(xn(doc, "//atom:source"), 0);

	xmlFreeDoc(doc);
	buf_release(&out);
	feed_free(f);
}

static void test_atom_aggregated_sources(void **state)
{
	(void)state;
	struct feed *f = sample();
	struct render_channel ch = channel;
	ch.aggregated = 1;
	ch.self_base = "http://127.0.0.1:8080/new";
	ch.hub = "https://hub.example.org/";
	struct buf out;
	render(render_atom, &ch, f, &out);
	xmlDocPtr doc = parse_xml(&out);
	assert_xs(doc, "/atom:feed/atom:link[@rel='self']/@href", "http://127.0.0.1:8080/new.atom");
	assert_xs(doc, "/atom:feed/atom:link[@rel='hub']/@href", "https://hub.example.org/");
	assert_int_equal(xn(doc, "/atom:feed/atom:entry/atom:source"), 3);
	assert_xs(doc, "/atom:feed/atom:entry[1]/atom:source/atom:title", "Source & One");
	assert_xs(doc, "/atom:feed/atom:entry[1]/atom:source/atom:id", "http://ex.org/feed.xml");
	xmlFreeDoc(doc);
	buf_release(&out);

	render(render_rss, &ch, f, &out);
	doc = parse_xml(&out);
	assert_xs(doc, "/rss/channel/item[1]/source/@url", "http://ex.org/feed.xml");
	assert_xs(doc, "/rss/channel/item[1]/source", "Source & One");
	assert_xs(doc, "/rss/channel/atom:link[@rel='hub']/@href", "https://hub.example.org/");
	xmlFreeDoc(doc);
	buf_release(&out);
	feed_free(f);
}

/* A small strict JSON checker (RFC 8259): returns the position after one value, or NULL. */
static const char *json_value(const char *p, int depth);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *json_str(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (;;) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return NULL;
				p += 5;
				continue;
			}
			if (!strchr("\"\\/bfnrt", *p) || !*p)
				return NULL;
		}
		p++;
	}
}

static const char *json_value(const char *p, int depth)
{
	if (depth > 64)
		return NULL;
	p = json_ws(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		int object = *p == '{';
		p = json_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (object) {
				p = json_str(json_ws(p));
				if (!p)
					return NULL;
				p = json_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = json_value(p, depth + 1);
			if (!p)
				return NULL;
			p = json_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '"')
		return json_str(p);
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!strncmp(p, "null", 4))
		return p + 4;
	const char *start = p;
	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return NULL;
	if (*p == '0' && isdigit((unsigned char)p[1]))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return p > start ? p : NULL;
}

static void assert_valid_json(const char *s)
{
	const char *end = json_value(s, 0);
	if (!end || *json_ws(end))
		fail_msg("not valid JSON near byte %ld:\n%s", end ? (long)(end - s) : -1L, s);
}

static void test_json_checker_rejects(void **state)
{
	(void)state;
	/* the checker itself must be able to fail */
	assert_null(json_value("{\"a\":\"x\ny\"}", 0));
	assert_null(json_value("{\"a\" 1}", 0));
	assert_null(json_value("[1,]", 0));
	assert_null(json_value("\"\\q\"", 0));
	assert_non_null(json_value("{\"a\":[1,-2.5e3,true,null,\"\\u00e9\\n\"]}", 0));
}

static void test_json(void **state)
{
	(void)state;
	struct feed *f = sample();
	struct buf out;
	render(render_json, &channel, f, &out);
	const char *raw = buf_str(&out);
	assert_valid_json(raw);
	assert_contains(raw, "\"version\":\"https://jsonfeed.org/version/1.1\"");
	assert_contains(raw, "\"feed_url\":\"http://127.0.0.1:8080/cat-a.json\"");
	assert_contains(raw, "\"home_page_url\":\"http://127.0.0.1:8080/\"");
	assert_contains(raw, "\"title\":\"Example: Cat <A>\"");
	assert_contains(raw, "\"language\":\"vi\"");
	/* strings are JSON-escaped, not HTML-escaped */
	assert_contains(raw, "\"title\":\"Tom & Jerry <b>\\\"quoted\\\"</b>\"");
	assert_lacks(raw, "&lt;");
	assert_contains(raw, "\"id\":\"http://ex.org/1\"");
	assert_contains(raw, "\"url\":\"http://ex.org/1\"");
	assert_contains(raw, "\"content_html\":\"<p>Hello <b>world</b> &amp; more</p>\"");
	assert_contains(raw, "\"date_published\":\"2021-11-18T11:15:00Z\"");
	assert_contains(raw, "\"date_modified\":\"2021-11-18T11:16:00Z\"");
	assert_contains(raw, "\"authors\":[{\"name\":\"Trọng Toàn\"}]");
	assert_contains(raw, "\"tags\":[\"politics\",\"a&b\"]");
	assert_contains(raw, "\"url\":\"http://ex.org/1.mp3\"");
	assert_contains(raw, "\"mime_type\":\"audio/mpeg\"");
	assert_contains(raw, "\"size_in_bytes\":123");
	/* the undated item is filed at first_seen */
	assert_contains(raw, "\"id\":\"" UID1 "\"");
	assert_contains(raw, "\"date_published\":\"2021-11-18T10:15:00Z\"");
	/* the newline in a title is escaped */
	assert_contains(raw, "\"title\":\"Xây dựng Đảng\\nline two\"");
	assert_int_equal(tu_count(raw, "\"id\":"), 3);
	buf_release(&out);

	/* hub and empty feeds */
	struct render_channel ch = channel;
	ch.hub = "https://hub.example.org/";
	struct feed *empty = feed_new();
	render(render_json, &ch, empty, &out);
	assert_valid_json(buf_str(&out));
	assert_contains(buf_str(&out), "\"items\":[");
	assert_contains(buf_str(&out), "https://hub.example.org/");
	buf_release(&out);
	feed_free(empty);
	feed_free(f);
}

static void test_empty_feeds_are_valid(void **state)
{
	(void)state;
	struct feed *empty = feed_new();
	struct buf out;
	render(render_rss, &channel, empty, &out);
	xmlDocPtr doc = parse_xml(&out);
	assert_int_equal(xn(doc, "/rss/channel/item"), 0);
	assert_int_equal(xn(doc, "/rss/channel/title"), 1);
	xmlFreeDoc(doc);
	buf_release(&out);
	render(render_atom, &channel, empty, &out);
	doc = parse_xml(&out);
	assert_int_equal(xn(doc, "/atom:feed/atom:updated"), 1);
	assert_int_equal(xn(doc, "/atom:feed/atom:entry"), 0);
	xmlFreeDoc(doc);
	buf_release(&out);
	feed_free(empty);
}

static void test_deterministic(void **state)
{
	(void)state;
	static const render_fn fns[] = {render_rss, render_atom, render_json};
	for (size_t i = 0; i < 3; i++) {
		struct feed *f1 = sample(), *f2 = sample();
		struct buf a, b;
		render(fns[i], &channel, f1, &a);
		render(fns[i], &channel, f2, &b);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
		/* and rendering into a buffer that already holds data appends */
		size_t first = a.len;
		assert_int_equal(fns[i](&channel, f1, &a), 0);
		assert_int_equal(a.len, 2 * first);
		assert_memory_equal(a.data + first, b.data, first);
		buf_release(&a);
		buf_release(&b);
		feed_free(f1);
		feed_free(f2);
	}
}

static struct config *make_config(const char *text)
{
	char err[512] = "";
	struct config *c = config_parse(text, strlen(text), "t.ini", err, sizeof err);
	if (!c)
		fail_msg("config_parse: %s", err);
	return c;
}

static const char *const site_config = "[site]\n"
				       "title = News & <Views>\n"
				       "link = http://127.0.0.1:8080/\n"
				       "description = All the \"news\"\n"
				       "language = vi\n"
				       "[category evil]\n"
				       "title = <script>alert(1)</script>\n"
				       "description = a & b\n"
				       "[category xay-dung-dang]\n"
				       "title = Xây dựng Đảng\n";

static void test_index_escapes(void **state)
{
	(void)state;
	struct config *cfg = make_config(site_config);
	struct feed *lists[2] = {feed_new(), feed_new()};
	struct item *it = feed_add_item(lists[0]);
	it->uid = xstrdup("http://ex.org/x");
	it->link = xstrdup("http://ex.org/x?a=1&b=\"2\"");
	it->title = xstrdup("<img src=x onerror=alert(2)>");
	it->published = T0;
	struct buf out;
	buf_init(&out, 0);
	assert_int_equal(render_index(cfg, lists, &out), 0);
	const char *raw = buf_str(&out);
	assert_lacks(raw, "<script>");
	assert_lacks(raw, "<img");
	assert_contains(raw, "&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_contains(raw, "&lt;img src=x onerror=alert(2)&gt;");
	assert_contains(raw, "News &amp; &lt;Views&gt;");
	assert_lacks(raw, "a=1&b"); /* the attribute value is escaped too */
	assert_contains(raw, "Xây dựng Đảng");
	/* autodiscovery and links for every category and for new */
	assert_contains(raw, "href=\"http://127.0.0.1:8080/evil.rss\"");
	assert_contains(raw, "href=\"http://127.0.0.1:8080/xay-dung-dang.atom\"");
	assert_contains(raw, "href=\"http://127.0.0.1:8080/new.json\"");
	assert_contains(raw, "type=\"application/atom+xml\"");
	assert_true(tu_count(raw, "rel=\"alternate\"") >= 9);
	assert_contains(raw, "feeds.opml");
	buf_release(&out);
	feed_free(lists[0]);
	feed_free(lists[1]);
	config_free(cfg);
}

static void test_opml(void **state)
{
	(void)state;
	struct config *cfg = make_config(site_config);
	struct buf out;
	buf_init(&out, 0);
	assert_int_equal(render_opml(cfg, &out), 0);
	xmlDocPtr doc = parse_xml(&out);
	assert_xs(doc, "/opml/@version", "2.0");
	assert_xs(doc, "/opml/head/title", "News & <Views>");
	assert_int_equal(xn(doc, "/opml/body//outline[@xmlUrl]"), 3);
	assert_int_equal(xn(doc, "/opml/body//outline[@xmlUrl='http://127.0.0.1:8080/evil.atom']"), 1);
	assert_int_equal(xn(doc, "/opml/body//outline[@xmlUrl='http://127.0.0.1:8080/xay-dung-dang.atom']"), 1);
	assert_int_equal(xn(doc, "/opml/body//outline[@xmlUrl='http://127.0.0.1:8080/new.atom']"), 1);
	assert_int_equal(xn(doc, "/opml/body//outline[contains(@text, '<script>')]"), 1);
	xmlFreeDoc(doc);
	buf_release(&out);
	config_free(cfg);
}

static void test_sources_opml(void **state)
{
	(void)state;
	struct config *cfg = make_config("[site]\ntitle = T\n[category a]\ntitle = A & Co\n[category b]\n"
					 "[source one]\nurl = http://one.example/feed?x=1&y=2\ncategory = a, b\n"
					 "title = One <1>\n"
					 "[source two]\nurl = https://two.example/\ncategory = b\ntype = html\n");
	struct buf out;
	buf_init(&out, 0);
	assert_int_equal(render_sources_opml(cfg, &out), 0);
	xmlDocPtr doc = parse_xml(&out);
	assert_int_equal(xn(doc, "/opml/body/outline"), 2);
	assert_xs(doc, "/opml/body/outline[1]/@text", "A & Co");
	assert_int_equal(xn(doc, "/opml/body/outline[1]/outline"), 1);
	assert_xs(doc, "/opml/body/outline[1]/outline/@xmlUrl", "http://one.example/feed?x=1&y=2");
	assert_xs(doc, "/opml/body/outline[1]/outline/@text", "One <1>");
	assert_int_equal(xn(doc, "/opml/body/outline[2]/outline"), 2);
	assert_xs(doc, "/opml/body/outline[2]/outline[2]/@xmlUrl", "https://two.example/");
	xmlFreeDoc(doc);
	buf_release(&out);
	config_free(cfg);
}

/* json_string escapes what a byte-at-a-time reading says, wherever the special byte stands
 * (before, inside and after the eight-byte words its scan skips). */
static void test_json_string_escapes(void **state)
{
	(void)state;
	static const char *const specials[] = {"\x01", "\n", "\t", "\"", "\\", "\x7f", "\xe2\x80\xa8",
					       "\xe2\x80\xa9", "\xe2\x82\xac", "\xe1\xba\xbf", "\x1f"};
	static const char *const escaped[] = {"\\u0001", "\\n", "\\t", "\\\"", "\\\\", "\\u007f",
					      "\\u2028", "\\u2029", "\xe2\x82\xac", "\xe1\xba\xbf", "\\u001f"};
	static const char *const fillers[] = {"a", "\xe1\xba\xbf"};
	for (size_t f = 0; f < 2; f++)
		for (size_t k = 0; k < sizeof specials / sizeof *specials; k++)
			for (int at = 0; at < 40; at++) { /* past two of the sixteen-byte blocks */
				struct buf in, want, got;
				buf_init(&in, 0);
				buf_init(&want, 0);
				buf_init(&got, 0);
				buf_addc(&want, '"');
				for (int i = 0; i < 40; i++) {
					const char *piece = i == at ? specials[k] : fillers[f];
					buf_adds(&in, piece);
					buf_adds(&want, i == at ? escaped[k] : fillers[f]);
				}
				buf_addc(&want, '"');
				json_string(&got, buf_str(&in));
				if (strcmp(buf_str(&got), buf_str(&want)))
					fail_msg("special %zu at %d, filler %zu: %s, want %s", k, at, f, buf_str(&got),
						 buf_str(&want));
				buf_release(&in);
				buf_release(&want);
				buf_release(&got);
			}
}

/* A store whose category a holds 9 items: with 2 per page, archive pages 1 to 4 are full, and
 * 1 to 3 are final (a full page follows each). */
static struct store *store_of_nine(const struct config *cfg)
{
	char err[512] = "";
	struct store *st = store_open(cfg->database, err, sizeof err);
	if (!st || store_sync_config(st, cfg, err, sizeof err) < 0)
		fail_msg("store: %s", err);
	struct feed *fd = feed_new();
	for (int i = 0; i < 9; i++) {
		struct item *it = feed_add_item(fd);
		it->id = xasprintf("http://s1.example/%d", i);
		it->link = xstrdup(it->id);
		it->title = xasprintf("Item %d", i);
		it->published = T0 - i * 3600;
	}
	struct store_fetch fe = {.outcome = STORE_FETCHED, .http_status = 200, .feed = fd, .fetched_at = T0};
	if (store_update_source(st, "s1", &fe, NULL, err, sizeof err) < 0)
		fail_msg("store_update_source: %s", err);
	feed_free(fd);
	return st;
}

static struct config *ahead_config(const char *dir, const char *out)
{
	char *text = xasprintf("[site]\nlink = http://127.0.0.1:8080/\noutput = %s/%s\ndatabase = %s/t.db\n"
			       "items_per_feed = 2\n[category a]\n[source s1]\nurl = http://s1.example/feed\n"
			       "category = a\n",
			       dir, out, dir);
	struct config *cfg = make_config(text);
	free(text);
	return cfg;
}

static int exists(const char *dir, const char *name)
{
	char *path = tu_path(dir, name);
	int ok = access(path, F_OK) == 0;
	free(path);
	return ok;
}

/* Pages written ahead during a poll are the final ones only, and byte for byte what a build
 * alone writes; a category not flagged as changed is left alone. */
static void test_render_ahead(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	struct config *cfg = ahead_config(dir, "a"), *alone = ahead_config(dir, "b");
	struct store *st = store_of_nine(cfg);

	int unchanged[1] = {0};
	struct render_ahead *ra = render_ahead_start(cfg, unchanged);
	assert_non_null(ra);
	usleep(500 * 1000);
	assert_int_equal(render_ahead_stop(ra), 0);
	assert_false(exists(dir, "a/archive/a/1.atom"));

	int changed[1] = {1};
	ra = render_ahead_start(cfg, changed);
	for (int i = 0; i < 500 && !exists(dir, "a/archive/a/3.atom"); i++)
		usleep(10 * 1000);
	usleep(300 * 1000); /* a later look writes nothing more */
	assert_int_equal(render_ahead_stop(ra), 3);
	assert_true(exists(dir, "a/archive/a/3.atom"));
	assert_false(exists(dir, "a/archive/a/4.atom")); /* full, but its next link is not known yet */
	assert_null(render_ahead_start(cfg, NULL));

	char err[512] = "";
	if (render_all(cfg, st, NULL, NULL, err, sizeof err) < 0 || render_all(alone, st, NULL, NULL, err, sizeof err) < 0)
		fail_msg("render_all: %s", err);
	for (int k = 1; k <= 4; k++) {
		char *a = xasprintf("a/archive/a/%d.atom", k), *b = xasprintf("b/archive/a/%d.atom", k);
		char *pa = tu_path(dir, a), *pb = tu_path(dir, b);
		size_t la = 0, lb = 0;
		char *da = tu_read_file(pa, &la), *db = tu_read_file(pb, &lb);
		assert_non_null(da);
		assert_non_null(db);
		if (la != lb || memcmp(da, db, la))
			fail_msg("%s differs from the page a build alone writes", a);
		free(da);
		free(db);
		free(pa);
		free(pb);
		free(a);
		free(b);
	}
	store_close(st);
	config_free(cfg);
	config_free(alone);
	tu_rmrf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss),
		cmocka_unit_test(test_atom),
		cmocka_unit_test(test_atom_aggregated_sources),
		cmocka_unit_test(test_json_checker_rejects),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_empty_feeds_are_valid),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_index_escapes),
		cmocka_unit_test(test_opml),
		cmocka_unit_test(test_sources_opml),
		cmocka_unit_test(test_render_ahead),
		cmocka_unit_test(test_json_string_escapes),
	};
	xmlInitParser();
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return rc;
}
