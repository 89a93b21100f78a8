/* Unit tests for parse: RSS and Atom documents (bytes) → struct feed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "buf.h"
#include "feed.h"
#include "parse.h"
#include "util.h"
#include "testutil.h"

#define T0 1637234100LL /* 2021-11-18T11:15:00Z */

static char err[512];

static struct feed *parse_with(const char *doc, size_t len, const char *base, int tz)
{
	struct parse_options opt = {.base_url = base, .charset = NULL, .tz_offset = tz};
	err[0] = '\0';
	return parse_feed(doc, len, &opt, err, sizeof err);
}

static struct feed *parse_ok(const char *doc, const char *base)
{
	struct feed *f = parse_with(doc, strlen(doc), base, 0);
	if (!f)
		fail_msg("parse_feed failed: %s", err);
	return f;
}

static void assert_str(const char *got, const char *want, const char *what)
{
	if (!got && !want)
		return;
	if (!got || !want || strcmp(got, want))
		fail_msg("%s = %s%s%s, want %s%s%s", what, got ? "\"" : "", got ? got : "NULL", got ? "\"" : "",
			 want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
}

static const char rss2[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n"
	"     xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
	"<channel>\n"
	" <title>Example &amp; Co</title>\n"
	" <link>http://example.org/</link>\n"
	" <description>What we write about</description>\n"
	" <language>vi</language>\n"
	" <lastBuildDate>Thu, 18 Nov 2021 11:15:00 GMT</lastBuildDate>\n"
	" <ttl>60</ttl>\n"
	" <item>\n"
	"  <title>First &lt;post&gt;</title>\n"
	"  <link>http://example.org/1</link>\n"
	"  <guid isPermaLink=\"true\">http://example.org/1</guid>\n"
	"  <pubDate>Thu, 18 Nov 2021 18:15:00 +0700</pubDate>\n"
	"  <description>&lt;p&gt;Lead&lt;/p&gt;</description>\n"
	"  <content:encoded><![CDATA[<p>Body <b>bold</b></p>]]></content:encoded>\n"
	"  <dc:creator>Trọng Toàn</dc:creator>\n"
	"  <category>Politics</category>\n"
	"  <category>Local</category>\n"
	"  <enclosure url=\"http://example.org/a.mp3\" length=\"1234\" type=\"audio/mpeg\"/>\n"
	" </item>\n"
	" <item>\n"
	"  <title>Second</title>\n"
	"  <guid isPermaLink=\"false\">post-2</guid>\n"
	"  <link>/2</link>\n"
	"  <author>a@b.c (Name)</author>\n"
	"  <enclosure url=\"media/2.jpg\" type=\"image/jpeg\"/>\n"
	" </item>\n"
	" <item>\n"
	"  <title>Third</title>\n"
	"  <guid>http://example.org/3</guid>\n"
	" </item>\n"
	" <item>\n"
	"  <title>\n    Fourth   with\tspaces \n  </title>\n"
	"  <link>http://example.org/4</link>\n"
	"  <pubDate>2021-11-18 18:15:00</pubDate>\n"
	" </item>\n"
	" <item>\n"
	"  <title>Fifth</title>\n"
	"  <guid isPermaLink=\"false\">http://example.org/5</guid>\n"
	" </item>\n"
	"</channel>\n"
	"</rss>\n";

static void test_rss2(void **state)
{
	(void)state;
	struct feed *f = parse_with(rss2, strlen(rss2), "http://example.org/feed.xml", 420);
	if (!f)
		fail_msg("parse_feed: %s", err);
	assert_str(f->format, "rss2.0", "format");
	assert_str(f->title, "Example & Co", "feed title");
	assert_str(f->link, "http://example.org/", "feed link");
	assert_str(f->description, "What we write about", "description");
	assert_str(f->language, "vi", "language");
	assert_int_equal(f->updated, T0);
	assert_int_equal(f->ttl, 60);
	assert_int_equal(f->nitems, 5);

	const struct item *it = &f->items[0];
	assert_str(it->id, "http://example.org/1", "id");
	assert_str(it->title, "First <post>", "title");
	assert_str(it->link, "http://example.org/1", "link");
	assert_int_equal(it->published, T0);
	assert_true(it->updated == DATE_NONE);
	assert_str(it->summary, "<p>Lead</p>", "summary");
	assert_str(it->content, "<p>Body <b>bold</b></p>", "content");
	assert_str(it->author, "Trọng Toàn", "dc:creator");
	assert_int_equal(it->ncategories, 2);
	assert_str(it->categories[0], "Politics", "category 1");
	assert_str(it->categories[1], "Local", "category 2");
	assert_int_equal(it->nenclosures, 1);
	assert_str(it->enclosures[0].url, "http://example.org/a.mp3", "enclosure url");
	assert_str(it->enclosures[0].type, "audio/mpeg", "enclosure type");
	assert_int_equal(it->enclosures[0].length, 1234);
	assert_null(it->uid);    /* the store sets these */
	assert_null(it->source);

	it = &f->items[1];
	assert_str(it->id, "post-2", "id of a non-permalink guid");
	assert_str(it->link, "http://example.org/2", "relative link resolved against base_url");
	assert_str(it->author, "Name", "author \"a@b.c (Name)\"");
	assert_true(it->published == DATE_NONE);
	assert_int_equal(it->nenclosures, 1);
	assert_str(it->enclosures[0].url, "http://example.org/media/2.jpg", "relative enclosure");
	assert_int_equal(it->enclosures[0].length, -1);

	it = &f->items[2];
	assert_str(it->id, "http://example.org/3", "guid");
	assert_str(it->link, "http://example.org/3", "a permalink guid stands in for the link");

	it = &f->items[3];
	assert_str(it->title, "Fourth with spaces", "squashed title");
	assert_str(it->id, "http://example.org/4", "no guid: the link is the id");
	assert_int_equal(it->published, T0); /* a zoneless date read at tz_offset +07:00 */

	it = &f->items[4];
	assert_str(it->id, "http://example.org/5", "guid");
	assert_null(it->link); /* isPermaLink="false": not a link */
	feed_free(f);
}

static const char atom1[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\" xml:base=\"http://atom.example/blog/\">\n"
	" <title>Atom &amp; Feed</title>\n"
	" <subtitle>Sub</subtitle>\n"
	" <link rel=\"self\" href=\"http://atom.example/feed.atom\"/>\n"
	" <link rel=\"alternate\" type=\"text/html\" href=\"http://atom.example/\"/>\n"
	" <updated>2021-11-18T11:15:00Z</updated>\n"
	" <id>urn:uuid:60a76c80-d399-11d9-b93c-0003939e0af6</id>\n"
	" <entry>\n"
	"  <id>tag:atom.example,2021:1</id>\n"
	"  <title type=\"html\">Hello &lt;em&gt;world&lt;/em&gt; &amp;amp; co</title>\n"
	"  <link rel=\"related\" href=\"http://elsewhere.example/\"/>\n"
	"  <link rel=\"alternate\" type=\"text/html\" href=\"posts/1\"/>\n"
	"  <link rel=\"enclosure\" type=\"audio/mpeg\" length=\"999\" href=\"/media/1.mp3\"/>\n"
	"  <published>2021-11-18T18:15:00+07:00</published>\n"
	"  <updated>2021-11-19T00:00:00Z</updated>\n"
	"  <author><name>Jane Doe</name><email>jane@example.org</email></author>\n"
	"  <category term=\"tech\" label=\"Technology\"/>\n"
	"  <category term=\"misc\"/>\n"
	"  <summary type=\"text\">1 &lt; 2 &amp; 3 &gt; 0</summary>\n"
	"  <content type=\"html\">&lt;p&gt;Body &amp;amp; soul&lt;/p&gt;</content>\n"
	" </entry>\n"
	" <entry>\n"
	"  <id>tag:atom.example,2021:2</id>\n"
	"  <title>Second</title>\n"
	"  <link href=\"http://atom.example/2\"/>\n"
	"  <updated>2021-11-18T11:15:00Z</updated>\n"
	"  <summary>plain &amp; simple</summary>\n"
	"  <content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Hi <b>there</b></p></div></content>\n"
	" </entry>\n"
	" <entry xml:base=\"http://other.example/x/\">\n"
	"  <id>tag:atom.example,2021:3</id>\n"
	"  <title type=\"text\">Third &lt;tag&gt;</title>\n"
	"  <link rel=\"alternate\" href=\"y\"/>\n"
	"  <updated>2021-11-18T11:15:00Z</updated>\n"
	" </entry>\n"
	"</feed>\n";

static void test_atom1(void **state)
{
	(void)state;
	struct feed *f = parse_ok(atom1, "http://atom.example/feed.atom");
	assert_str(f->format, "atom1.0", "format");
	assert_str(f->title, "Atom & Feed", "feed title");
	assert_str(f->link, "http://atom.example/", "feed link (alternate, not self)");
	assert_str(f->description, "Sub", "subtitle");
	assert_str(f->language, "vi", "xml:lang");
	assert_int_equal(f->updated, T0);
	assert_int_equal(f->nitems, 3);

	const struct item *it = &f->items[0];
	assert_str(it->id, "tag:atom.example,2021:1", "id");
	assert_str(it->title, "Hello world & co", "type=html title as plain text");
	assert_str(it->link, "http://atom.example/blog/posts/1", "alternate link against xml:base");
	assert_int_equal(it->published, T0);
	assert_int_equal(it->updated, T0 - 11 * 3600 - 15 * 60 + 86400);
	assert_str(it->author, "Jane Doe", "author name");
	assert_int_equal(it->ncategories, 2);
	assert_str(it->categories[0], "Technology", "category label");
	assert_str(it->categories[1], "misc", "category term");
	assert_str(it->summary, "1 &lt; 2 &amp; 3 &gt; 0", "type=text summary escaped into HTML");
	assert_str(it->content, "<p>Body &amp; soul</p>", "type=html content");
	assert_int_equal(it->nenclosures, 1);
	assert_str(it->enclosures[0].url, "http://atom.example/media/1.mp3", "enclosure");
	assert_str(it->enclosures[0].type, "audio/mpeg", "enclosure type");
	assert_int_equal(it->enclosures[0].length, 999);

	it = &f->items[1];
	assert_str(it->link, "http://atom.example/2", "link without rel");
	assert_true(it->published == DATE_NONE);
	assert_int_equal(it->updated, T0);
	assert_str(it->summary, "plain &amp; simple", "summary without type");
	assert_str(it->content, "<p>Hi <b>there</b></p>", "xhtml content with its div unwrapped");

	it = &f->items[2];
	assert_str(it->title, "Third <tag>", "type=text title");
	assert_str(it->link, "http://other.example/x/y", "link against the entry's xml:base");
	feed_free(f);
}

static void test_item_without_guid_uses_link(void **state)
{
	(void)state;
	static const char doc[] = "<rss version=\"2.0\"><channel><title>t</title>"
				  "<item><title>a</title><link>http://e.org/a</link></item>"
				  "<item><title>b</title><link>http://e.org/b</link></item>"
				  "<item><title>no link, no guid</title><description>x</description></item>"
				  "</channel></rss>";
	struct feed *f = parse_ok(doc, NULL);
	assert_int_equal(f->nitems, 3);
	assert_str(f->items[0].id, "http://e.org/a", "id");
	assert_str(f->items[1].id, "http://e.org/b", "id");
	/* without either, an id is still made up, and it is stable */
	assert_non_null(f->items[2].id);
	assert_true(strlen(f->items[2].id) > 0);
	struct feed *g = parse_ok(doc, NULL);
	assert_str(g->items[2].id, f->items[2].id, "hashed id is stable");
	feed_free(g);
	feed_free(f);
}

static void test_shared_guid_disambiguated(void **state)
{
	(void)state;
	static const char doc[] = "<rss version=\"2.0\"><channel><title>t</title>"
				  "<item><guid>same</guid><link>http://e.org/a</link></item>"
				  "<item><guid>same</guid><link>http://e.org/b</link></item>"
				  "</channel></rss>";
	struct feed *f = parse_ok(doc, NULL);
	assert_int_equal(f->nitems, 2);
	assert_string_not_equal(f->items[0].id, f->items[1].id);
	feed_free(f);
}

static void test_relative_links_resolved(void **state)
{
	(void)state;
	static const char doc[] = "<rss version=\"2.0\"><channel><title>t</title>"
				  "<link>../</link>"
				  "<item><title>a</title><link>a.html</link></item>"
				  "<item><title>b</title><link>//cdn.example/b</link></item>"
				  "<item><title>c</title><link>?page=2</link></item>"
				  "<item><title>d</title><link>https://abs.example/d</link></item>"
				  "</channel></rss>";
	struct feed *f = parse_ok(doc, "https://example.org/news/feed.xml");
	assert_str(f->link, "https://example.org/", "channel link");
	assert_str(f->items[0].link, "https://example.org/news/a.html", "relative");
	assert_str(f->items[1].link, "https://cdn.example/b", "scheme-relative");
	assert_str(f->items[2].link, "https://example.org/news/feed.xml?page=2", "query");
	assert_str(f->items[3].link, "https://abs.example/d", "absolute");
	feed_free(f);

	/* xml:base on an RSS channel applies too */
	static const char based[] = "<rss version=\"2.0\"><channel xml:base=\"http://base.example/dir/\">"
				    "<title>t</title><item><title>a</title><link>a.html</link></item>"
				    "</channel></rss>";
	f = parse_ok(based, "http://example.org/feed.xml");
	assert_str(f->items[0].link, "http://base.example/dir/a.html", "xml:base");
	feed_free(f);
}

static void check_html_rejected(const char *const *pages, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct feed *f = parse_with(pages[i], strlen(pages[i]), "http://example.org/", 0);
		if (f) {
			feed_free(f);
			fail_msg("an HTML page parsed as a feed: %s", pages[i]);
		}
		if (!strstr(err, "HTML"))
			fail_msg("error does not mention HTML: \"%s\" for:\n%s", err, pages[i]);
	}
}

static void test_html_document_rejected(void **state)
{
	(void)state;
	/* HTML that happens to be well-formed XML */
	static const char *const pages[] = {
		"<!DOCTYPE html>\n<html lang=\"vi\"><head><title>Page</title></head><body><p>Hi</p></body></html>\n",
		"\n  <html><head><title>x</title></head><body><p>no doctype</p></body></html>",
		"<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
		"\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">"
		"<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>",
	};
	check_html_rejected(pages, sizeof pages / sizeof pages[0]);
}

static void test_real_world_html_named(void **state)
{
	(void)state;
	/* What a web server really sends for a page: void elements left open, HTML entities,
	 * a lower-case doctype.  The reason must still say it is an HTML page, not a feed. */
	static const char *const pages[] = {
		"<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Page</title></head>"
		"<body><p>Hello<br>world</p></body></html>\n",
		"<!DOCTYPE html>\n<html><body><p>x &copy; y</p></body></html>\n",
		"<!doctype html><HTML><BODY>shouting</BODY></HTML>",
	};
	check_html_rejected(pages, sizeof pages / sizeof pages[0]);
}

static void test_garbage_rejected(void **state)
{
	(void)state;
	static const char *const junk[] = {
		"",
		"   \n\t ",
		"hello world, this is not XML",
		"[1, 2, 3]", /* JSON, but no JSON Feed */
		"<?xml version=\"1.0\"?><note><to>you</to></note>",
		"\x01\x02\x03\xff\xfe binary",
	};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		struct feed *f = parse_with(junk[i], strlen(junk[i]), NULL, 0);
		if (f) {
			feed_free(f);
			fail_msg("garbage #%zu parsed as a feed", i);
		}
		if (!err[0])
			fail_msg("garbage #%zu: no reason given", i);
		assert_null(strchr(err, '\n')); /* one line */
	}
	/* a NUL inside the bytes does not read past len */
	static const char nul[] = "\0<rss version=\"2.0\"><channel><item><title>x</title></item></channel></rss>";
	struct feed *f = parse_with(nul, 1, NULL, 0);
	assert_null(f);
}

static void test_recovers_from_broken_markup(void **state)
{
	(void)state;
	/* Real feeds break XML in small ways; the parser runs in recover mode so one stray byte
	 * does not lose the whole feed. */
	static const struct {
		const char *what, *doc;
	} cases[] = {
		{"undefined HTML entity",
		 "<rss version=\"2.0\"><channel><title>A &nbsp; B</title>"
		 "<item><title>one &eacute;</title><link>http://e.org/1</link></item>"
		 "<item><title>two</title><link>http://e.org/2</link></item></channel></rss>"},
		{"invalid UTF-8",
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>bad \xff byte</title>"
		 "<item><title>one \xc3</title><link>http://e.org/1</link></item>"
		 "<item><title>two</title><link>http://e.org/2</link></item></channel></rss>"},
		{"unclosed element in an item",
		 "<rss version=\"2.0\"><channel><title>A</title>"
		 "<item><title>one</title><link>http://e.org/1</link></item>"
		 "<item><title>two <b>bold</title><link>http://e.org/2</link></item></channel></rss>"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct feed *f = parse_with(cases[i].doc, strlen(cases[i].doc), NULL, 0);
		if (!f)
			fail_msg("%s: whole feed rejected: %s", cases[i].what, err);
		if (f->nitems < 1 || !f->items[0].link || strcmp(f->items[0].link, "http://e.org/1")) {
			size_t n = f->nitems;
			feed_free(f);
			fail_msg("%s: first item lost (%zu items)", cases[i].what, n);
		}
		feed_free(f);
	}
}

static void test_error_midway_does_not_truncate(void **state)
{
	(void)state;
	/* One bad entity in item 1500 of 2000 must not silently drop the items after it. */
	size_t cap = 1 << 20, n = 0;
	char *doc = malloc(cap);
	assert_non_null(doc);
	n += (size_t)snprintf(doc + n, cap - n, "<rss version=\"2.0\"><channel><title>big</title>");
	for (int i = 0; i < 2000; i++)
		n += (size_t)snprintf(doc + n, cap - n,
				      "<item><title>item %d%s</title><link>http://e.org/%d</link></item>", i,
				      i == 1500 ? " &nbsp;" : "", i);
	n += (size_t)snprintf(doc + n, cap - n, "</channel></rss>");
	assert_true(n < cap);
	struct feed *f = parse_with(doc, n, NULL, 0);
	free(doc);
	if (!f)
		fail_msg("parse_feed: %s", err);
	size_t got = f->nitems;
	feed_free(f);
	if (got != 2000)
		fail_msg("%zu of 2000 items parsed, err \"%s\"", got, err);
}

static const char small_rss[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				"<rss version=\"2.0\"><channel><title>Small</title>"
				"<item><title>Only</title><link>http://e.org/only</link></item>"
				"</channel></rss>\n";

static void check_small(const char *doc, size_t len, const char *what)
{
	struct feed *f = parse_with(doc, len, NULL, 0);
	if (!f)
		fail_msg("%s: parse_feed failed: %s", what, err);
	assert_str(f->title, "Small", what);
	assert_int_equal(f->nitems, 1);
	assert_str(f->items[0].title, "Only", what);
	feed_free(f);
}

static void test_leading_whitespace_and_bom(void **state)
{
	(void)state;
	char doc[1024];
	check_small(small_rss, strlen(small_rss), "plain");
	snprintf(doc, sizeof doc, "\n\n   \t%s", small_rss);
	check_small(doc, strlen(doc), "leading white space");
	snprintf(doc, sizeof doc, "\xEF\xBB\xBF%s", small_rss);
	check_small(doc, strlen(doc), "BOM");
	snprintf(doc, sizeof doc, "\xEF\xBB\xBF\r\n  %s", small_rss);
	check_small(doc, strlen(doc), "BOM then white space");
	/* length is honoured: trailing bytes after len are not read */
	snprintf(doc, sizeof doc, "%sTRAILING GARBAGE <<<", small_rss);
	check_small(doc, strlen(small_rss), "explicit length");
}

static void test_declared_charset(void **state)
{
	(void)state;
	static const char latin1[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
				     "<rss version=\"2.0\"><channel><title>Caf\xe9</title>"
				     "<item><title>na\xefve</title><link>http://e.org/1</link></item>"
				     "</channel></rss>";
	struct feed *f = parse_ok(latin1, NULL);
	assert_str(f->title, "Caf\xc3\xa9", "latin-1 title as UTF-8");
	assert_str(f->items[0].title, "na\xc3\xafve", "latin-1 item title as UTF-8");
	feed_free(f);

	/* text comes out NFC: e + combining acute becomes é */
	static const char nfd[] = "<rss version=\"2.0\"><channel><title>Cafe\xcc\x81</title>"
				  "<item><title>x</title><link>http://e.org/1</link></item></channel></rss>";
	f = parse_ok(nfd, NULL);
	assert_str(f->title, "Caf\xc3\xa9", "NFC title");
	feed_free(f);
}

static void test_other_dialects(void **state)
{
	(void)state;
	static const char rdf[] =
		"<?xml version=\"1.0\"?>"
		"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\""
		" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
		"<channel rdf:about=\"http://rdf.example/\"><title>RDF</title><link>http://rdf.example/</link></channel>"
		"<item rdf:about=\"http://rdf.example/1\"><title>One</title><link>http://rdf.example/1</link>"
		"<dc:date>2021-11-18T18:15:00+07:00</dc:date><dc:creator>Ann</dc:creator></item>"
		"</rdf:RDF>";
	struct feed *f = parse_ok(rdf, NULL);
	assert_str(f->format, "rss1.0", "format");
	assert_str(f->title, "RDF", "title");
	assert_int_equal(f->nitems, 1);
	assert_str(f->items[0].link, "http://rdf.example/1", "link");
	assert_int_equal(f->items[0].published, T0);
	assert_str(f->items[0].author, "Ann", "dc:creator");
	feed_free(f);

	static const char rss091[] = "<rss version=\"0.91\"><channel><title>Old</title>"
				     "<item><title>a</title><link>http://old.example/a</link></item>"
				     "</channel></rss>";
	f = parse_ok(rss091, NULL);
	assert_str(f->format, "rss0.9x", "format");
	assert_int_equal(f->nitems, 1);
	feed_free(f);

	static const char atom03[] = "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><title>Old Atom</title>"
				     "<entry><id>tag:a</id><title>e</title>"
				     "<link rel=\"alternate\" type=\"text/html\" href=\"http://a03.example/e\"/>"
				     "<issued>2021-11-18T11:15:00Z</issued></entry></feed>";
	f = parse_ok(atom03, NULL);
	assert_str(f->format, "atom0.3", "format");
	assert_int_equal(f->nitems, 1);
	assert_str(f->items[0].link, "http://a03.example/e", "link");
	assert_int_equal(f->items[0].published, T0);
	feed_free(f);
}

static void test_many_items_in_order(void **state)
{
	(void)state;
	size_t cap = 1 << 20, n = 0;
	char *doc = malloc(cap);
	assert_non_null(doc);
	n += (size_t)snprintf(doc + n, cap - n, "<rss version=\"2.0\"><channel><title>big</title>");
	for (int i = 0; i < 2000; i++)
		n += (size_t)snprintf(doc + n, cap - n,
				      "<item><title>item %d</title><link>http://e.org/%d</link></item>", i, i);
	n += (size_t)snprintf(doc + n, cap - n, "</channel></rss>");
	assert_true(n < cap);
	struct feed *f = parse_with(doc, n, NULL, 0);
	free(doc);
	if (!f)
		fail_msg("parse_feed: %s", err);
	assert_int_equal(f->nitems, 2000);
	assert_str(f->items[0].title, "item 0", "first");
	assert_str(f->items[1999].link, "http://e.org/1999", "last");
	feed_free(f);
}


static void test_jsonfeed11(void **state)
{
	(void)state;
	static const char doc[] =
		"  {\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"Tin <JSON>\","
		" \"home_page_url\": \"https://example.org/\", \"language\": \"vi\","
		" \"description\": \"Mô tả\","
		" \"items\": ["
		"  {\"id\": \"a1\", \"url\": \"/bai/1\", \"title\": \"Bài một\","
		"   \"content_html\": \"<p onclick=\\\"x()\\\">Xin chào <img src=\\\"i.png\\\"></p><script>x</script>\","
		"   \"summary\": \"Tóm tắt & thêm\","
		"   \"date_published\": \"2021-11-18T18:15:00+07:00\", \"date_modified\": \"2021-11-19T00:00:00Z\","
		"   \"authors\": [{\"name\": \"Trọng Toàn\"}, {\"name\": \"B\"}],"
		"   \"tags\": [\"xây dựng\", \"đảng\", 7],"
		"   \"attachments\": [{\"url\": \"/a.mp3\", \"mime_type\": \"audio/mpeg\", \"size_in_bytes\": 1234}]},"
		"  {\"id\": \"a2\", \"external_url\": \"https://other.example/x\", \"content_text\": \"1 < 2 & 3\"}"
		" ]}";
	struct feed *f = parse_ok(doc, "https://example.org/feed.json");
	assert_str(f->format, "jsonfeed", "format");
	assert_str(f->title, "Tin <JSON>", "title");
	assert_str(f->link, "https://example.org/", "link");
	assert_str(f->language, "vi", "language");
	assert_int_equal(f->nitems, 2);
	struct item *a = &f->items[0], *b = &f->items[1];
	assert_str(a->id, "a1", "id");
	assert_str(a->link, "https://example.org/bai/1", "relative url resolved");
	assert_str(a->content, "<p>Xin chào <img src=\"https://example.org/i.png\"></p>", "content sanitised");
	assert_str(a->summary, "Tóm tắt &amp; thêm", "summary is text, escaped into HTML");
	assert_true(a->published == T0);
	assert_true(a->updated == 1637280000LL);
	assert_str(a->author, "Trọng Toàn, B", "authors");
	assert_int_equal(a->ncategories, 2);
	assert_str(a->categories[0], "xây dựng", "tag");
	assert_int_equal(a->nenclosures, 1);
	assert_str(a->enclosures[0].url, "https://example.org/a.mp3", "attachment url");
	assert_str(a->enclosures[0].type, "audio/mpeg", "attachment type");
	assert_true(a->enclosures[0].length == 1234);
	assert_str(b->link, "https://other.example/x", "external_url as the link");
	assert_str(b->content, "1 &lt; 2 &amp; 3", "content_text escaped");
	assert_true(b->published == DATE_NONE);
	feed_free(f);
}

static void test_jsonfeed10(void **state)
{
	(void)state;
	static const char doc[] =
		"{\"version\": \"https://jsonfeed.org/version/1\", \"title\": \"Old\","
		" \"items\": [{\"id\": 42, \"title\": \"Numbered\", \"author\": {\"name\": \"Ann\"},"
		" \"content_text\": \"t\"}]}";
	struct feed *f = parse_ok(doc, NULL);
	assert_str(f->format, "jsonfeed", "format");
	assert_int_equal(f->nitems, 1);
	assert_str(f->items[0].id, "42", "numeric id");
	assert_str(f->items[0].author, "Ann", "1.0 author");
	feed_free(f);
}

static void test_jsonfeed_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"{\"title\": \"no version\", \"items\": []}",
		"{\"version\": \"https://example.org/other\", \"items\": []}",
		"{\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": [",
		"{ not json",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct feed *f = parse_with(bad[i], strlen(bad[i]), NULL, 0);
		if (f)
			fail_msg("case %zu parsed as a feed", i);
		assert_true(err[0] != '\0');
	}
}

static struct feed *parse_cs(const char *doc, size_t len, const char *charset)
{
	struct parse_options opt = {.base_url = NULL, .charset = charset, .tz_offset = 0};
	err[0] = '\0';
	struct feed *f = parse_feed(doc, len, &opt, err, sizeof err);
	if (!f)
		fail_msg("parse_feed failed: %s", err);
	return f;
}

#define RSS_TITLE(decl, title)                                                                     \
	"<?xml version=\"1.0\" encoding=\"" decl "\"?><rss version=\"2.0\"><channel><title>" title      \
	"</title><item><title>x</title><link>http://e.org/1</link></item></channel></rss>"

static void test_encodings(void **state)
{
	(void)state;
	/* windows-1258 sends Vietnamese decomposed: e + U+0323 (\xf2 in cp1258) + U+0302 ... */
	static const char w1258[] = RSS_TITLE("windows-1258", "Vi\xea\xf2t Nam");
	struct feed *f = parse_cs(w1258, sizeof w1258 - 1, NULL);
	assert_str(f->title, "Việt Nam", "windows-1258, composed to NFC");
	feed_free(f);
	/* the declaration lies: UTF-8 bytes labelled ISO-8859-1 */
	static const char lie[] = RSS_TITLE("ISO-8859-1", "Ti\xe1\xba\xbfng Vi\xe1\xbb\x87t caf\xc3\xa9");
	f = parse_cs(lie, sizeof lie - 1, NULL);
	assert_str(f->title, "Tiếng Việt café", "Latin-1 label on UTF-8 bytes");
	feed_free(f);
	/* a real Latin-1 document stays Latin-1 */
	static const char latin[] = RSS_TITLE("ISO-8859-1", "caf\xe9 cr\xe8me");
	f = parse_cs(latin, sizeof latin - 1, NULL);
	assert_str(f->title, "café crème", "real Latin-1");
	feed_free(f);
	/* the HTTP charset outranks the declaration */
	static const char http[] = RSS_TITLE("UTF-8", "\x93quoted\x94");
	f = parse_cs(http, sizeof http - 1, "windows-1252");
	assert_str(f->title, "\xe2\x80\x9cquoted\xe2\x80\x9d", "HTTP charset windows-1252");
	feed_free(f);
	/* bogus and unknown labels */
	static const char utf[] = RSS_TITLE("utf8", "caf\xc3\xa9");
	f = parse_cs(utf, sizeof utf - 1, "utf8");
	assert_str(f->title, "café", "HTTP label utf8");
	feed_free(f);
	f = parse_cs(utf, sizeof utf - 1, "x-no-such-charset");
	assert_str(f->title, "café", "unknown HTTP label ignored");
	feed_free(f);
	static const char l1[] = RSS_TITLE("latin-1", "caf\xe9");
	f = parse_cs(l1, sizeof l1 - 1, NULL);
	assert_str(f->title, "café", "declared latin-1");
	feed_free(f);
	/* UTF-16 with a BOM */
	static const char u8doc[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel>"
				    "<title>Hà Nội</title><item><title>x</title></item></channel></rss>";
	char *u16 = xmalloc(2 * sizeof u8doc + 2);
	size_t n = 0;
	u16[n++] = '\xff';
	u16[n++] = '\xfe';
	for (const unsigned char *p = (const unsigned char *)u8doc; *p;) {
		unsigned c = *p++;
		if (c >= 0xE0) {
			c = (c & 0x0F) << 12 | (p[0] & 0x3F) << 6 | (p[1] & 0x3F);
			p += 2;
		} else if (c >= 0xC0) {
			c = (c & 0x1F) << 6 | (p[0] & 0x3F);
			p += 1;
		}
		u16[n++] = (char)(c & 0xFF);
		u16[n++] = (char)(c >> 8);
	}
	f = parse_cs(u16, n, NULL);
	assert_str(f->title, "Hà Nội", "UTF-16LE with BOM");
	feed_free(f);
	free(u16);
}

/* UTF-16 with bytes that look like '&' to a byte-level pass */
static char *to_utf16(const char *u8, int be, int bom, size_t *n)
{
	char *out = xmalloc(2 * strlen(u8) + 2);
	size_t k = 0;
	if (bom) {
		out[k++] = be ? '\xfe' : '\xff';
		out[k++] = be ? '\xff' : '\xfe';
	}
	for (const unsigned char *p = (const unsigned char *)u8; *p;) {
		unsigned c = *p++;
		if (c >= 0xE0) {
			c = (c & 0x0F) << 12 | (p[0] & 0x3F) << 6 | (p[1] & 0x3F);
			p += 2;
		} else if (c >= 0xC0) {
			c = (c & 0x1F) << 6 | (p[0] & 0x3F);
			p += 1;
		}
		out[k++] = (char)(be ? c >> 8 : c & 0xFF);
		out[k++] = (char)(be ? c & 0xFF : c >> 8);
	}
	*n = k;
	return out;
}

static void test_encoding_detection(void **state)
{
	(void)state;
	/* UTF-16 code units holding 0x26 (U+2603, U+0426) are not '&'; entities still work */
	static const char u8doc[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel>"
				    "<title>Snow \xe2\x98\x83</title><item><title>\xd0\xa6&nbsp;x</title></item>"
				    "</channel></rss>";
	for (int be = 0; be <= 1; be++)
		for (int bom = 0; bom <= 1; bom++) {
			size_t n;
			char *u16 = to_utf16(u8doc, be, bom, &n);
			struct feed *f = parse_cs(u16, n, NULL);
			assert_str(f->title, "Snow \xe2\x98\x83", "UTF-16 title with byte 0x26");
			assert_str(f->items[0].title, "\xd0\xa6\xc2\xa0x", "UTF-16 entity mapped after decoding");
			feed_free(f);
			free(u16);
		}
	/* a UTF-8 BOM outranks the declaration */
	static const char bom[] = "\xef\xbb\xbf" RSS_TITLE("ISO-8859-1", "Z\xc3\xbcrich");
	struct feed *f = parse_cs(bom, sizeof bom - 1, NULL);
	assert_str(f->title, "Z\xc3\xbcrich", "BOM beats declaration");
	feed_free(f);
	/* an encoding nobody knows is ignored: UTF-8 when the bytes are */
	static const char unknown[] = RSS_TITLE("x-made-up-charset", "Z\xc3\xbcrich");
	f = parse_cs(unknown, sizeof unknown - 1, NULL);
	assert_str(f->title, "Z\xc3\xbcrich", "unknown declared label");
	feed_free(f);
	/* ... and windows-1252 when they are not */
	static const char unknown_latin[] = RSS_TITLE("x-made-up-charset", "Z\xfcrich");
	f = parse_cs(unknown_latin, sizeof unknown_latin - 1, NULL);
	assert_str(f->title, "Z\xc3\xbcrich", "unknown declared label, Latin bytes");
	feed_free(f);
	/* declared UTF-8 with no valid multi-byte character but invalid bytes: windows-1252 */
	static const char lying[] = RSS_TITLE("utf-8", "Cr\xe8me \x93x\x94");
	f = parse_cs(lying, sizeof lying - 1, NULL);
	assert_str(f->title, "Cr\xc3\xa8me \xe2\x80\x9cx\xe2\x80\x9d", "lying UTF-8 label");
	feed_free(f);
	/* mostly valid UTF-8 with one bad byte stays UTF-8 (the bad byte becomes U+FFFD) */
	static const char mixed[] = RSS_TITLE("utf-8", "caf\xc3\xa9 \xe9");
	f = parse_cs(mixed, sizeof mixed - 1, NULL);
	assert_str(f->title, "caf\xc3\xa9 \xef\xbf\xbd", "UTF-8 with one bad byte");
	feed_free(f);
	/* The answer is the same wherever the first telling byte stands, although the entity pass
	 * stops decoding once it is settled: a long valid UTF-8 title and then a bad byte in the
	 * item, under a Latin-1 label (bytes that are not UTF-8 after all) and under none. */
	static const char late_bad[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel>"
				       "<title>caf\xc3\xa9 caf\xc3\xa9</title><item><title>x\xe9</title>"
				       "<description><![CDATA[d\xe9]]></description></item></channel></rss>";
	f = parse_cs(late_bad, sizeof late_bad - 1, NULL);
	assert_str(f->title, "caf\xc3\x83\xc2\xa9 caf\xc3\x83\xc2\xa9", "Latin-1 label, a bad byte late");
	assert_str(f->items[0].title, "x\xc3\xa9", "Latin-1 label, the bad byte itself");
	feed_free(f);
	static const char late_bad_cdata[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel>"
					     "<title>caf\xc3\xa9</title><item><title>t</title>"
					     "<description><![CDATA[d\xe9]]></description></item></channel></rss>";
	f = parse_cs(late_bad_cdata, sizeof late_bad_cdata - 1, NULL);
	assert_str(f->title, "caf\xc3\x83\xc2\xa9", "Latin-1 label, a bad byte late in CDATA");
	feed_free(f);
	static const char late_good[] = "<rss version=\"2.0\"><channel><title>\x93quoted\x94</title><item>"
					"<title>caf\xc3\xa9</title></item></channel></rss>";
	f = parse_cs(late_good, sizeof late_good - 1, NULL);
	assert_str(f->items[0].title, "caf\xc3\xa9", "no label, bad bytes then valid UTF-8");
	feed_free(f);
	/* ISO-8859-1 is read as windows-1252 (WHATWG) */
	static const char c1[] = RSS_TITLE("ISO-8859-1", "\x93hi\x94 \x96 caf\xe9");
	f = parse_cs(c1, sizeof c1 - 1, NULL);
	assert_str(f->title, "\xe2\x80\x9chi\xe2\x80\x9d \xe2\x80\x93 caf\xc3\xa9", "Latin-1 label as windows-1252");
	feed_free(f);
	/* a NUL (like the other C0 controls) is dropped, not the end of the document */
	static const char nul[] = "<rss version=\"2.0\"><channel><title>t</title><item><title>Nul\0l</title>"
				  "<guid>g</guid><description>after</description></item></channel></rss>";
	f = parse_cs(nul, sizeof nul - 1, NULL);
	assert_int_equal(f->nitems, 1);
	assert_str(f->items[0].title, "Null", "NUL dropped");
	assert_str(f->items[0].id, "g", "text after NUL kept");
	assert_str(f->items[0].summary, "after", "text after NUL kept");
	feed_free(f);
}

/* Atom: the feed's authors apply to entries without one (wherever the feed's <author> stands),
 * then <source>'s; several authors are joined.  JSON Feed: the top-level authors apply. */
static void test_authors_inherited(void **state)
{
	(void)state;
	static const char atom[] =
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><id>urn:f</id>"
		"<entry><id>urn:1</id><title>a</title></entry>"
		"<entry><id>urn:2</id><title>b</title><author><name>Own</name></author></entry>"
		"<entry><id>urn:3</id><title>c</title><source><author><name>Src</name></author></source></entry>"
		"<entry><id>urn:4</id><title>d</title><author><name>One</name></author>"
		"<author><email>two@example.org</email></author></entry>"
		"<author><name>Feed Author</name></author></feed>";
	struct feed *f = parse_ok(atom, NULL);
	assert_int_equal(f->nitems, 4);
	assert_str(f->items[0].author, "Feed Author", "feed author inherited");
	assert_str(f->items[1].author, "Own", "own author kept");
	assert_str(f->items[2].author, "Src", "source author");
	assert_str(f->items[3].author, "One, two@example.org", "two authors joined");
	feed_free(f);
	static const char json[] = "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"J\","
				   " \"authors\": [{\"name\": \"A\"}, {\"name\": \"B\"}], \"items\": ["
				   "{\"id\": \"1\", \"content_text\": \"x\"},"
				   "{\"id\": \"2\", \"content_text\": \"y\", \"authors\": [{\"name\": \"C\"}]}]}";
	f = parse_ok(json, NULL);
	assert_str(f->items[0].author, "A, B", "JSON Feed top-level authors");
	assert_str(f->items[1].author, "C", "JSON Feed item authors");
	feed_free(f);
}

/* The feed's updated: <lastBuildDate> wherever it stands, else the first other date. */
static void test_feed_updated_last_build_date(void **state)
{
	(void)state;
	static const char doc[] = "<rss version=\"2.0\"><channel><title>t</title>"
				  "<pubDate>Mon, 02 Mar 2026 08:30:00 GMT</pubDate>"
				  "<lastBuildDate>Wed, 04 Mar 2026 08:30:00 GMT</lastBuildDate>"
				  "<item><title>x</title></item></channel></rss>";
	struct feed *f = parse_ok(doc, NULL);
	assert_int_equal(f->updated, 1772613000LL);
	feed_free(f);
	static const char pub[] = "<rss version=\"2.0\"><channel><title>t</title>"
				  "<pubDate>Mon, 02 Mar 2026 08:30:00 GMT</pubDate>"
				  "<lastBuildDate>not a date</lastBuildDate>"
				  "<item><title>x</title></item></channel></rss>";
	f = parse_ok(pub, NULL);
	assert_int_equal(f->updated, 1772440200LL);
	feed_free(f);
}

/* Repairs made before libxml2 reads the bytes: a '<' that starts no markup is text, a CDATA
 * section left open runs to the end, and internal-subset entities with plain-text values are
 * expanded (bounded: nested or markup-holding ones are not, and no DTD is ever loaded). */
static void test_text_level_repairs(void **state)
{
	(void)state;
	static const char lt[] = "<rss version=\"2.0\"><channel><title>1 <2 & a<=b</title>"
				 "<item><title>x</title><guid>g</guid><description>if a < b then</description>"
				 "<category>x < y</category></item></channel></rss>";
	struct feed *f = parse_ok(lt, NULL);
	assert_str(f->title, "1 <2 & a<=b", "bare < in a title");
	assert_str(f->items[0].summary, "if a &lt; b then", "bare < in a description");
	assert_str(f->items[0].categories[0], "x < y", "bare < in a category");
	feed_free(f);
	static const char cdata[] = "<rss version=\"2.0\"><channel><title>t</title>"
				    "<item><title>a</title><guid>g1</guid></item>"
				    "<item><title>b</title><guid>g2</guid><description><![CDATA[<p>open</p>"
				    "</description></item></channel></rss>";
	f = parse_ok(cdata, NULL);
	assert_int_equal(f->nitems, 2);
	assert_str(f->items[1].summary, "<p>open</p>", "unterminated CDATA");
	feed_free(f);
	static const char dtd[] =
		"<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY custom \"Custom 'text'\">"
		"<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\"><!ENTITY ext SYSTEM \"file:///etc/passwd\">"
		"<!ENTITY nbsp \"&#160;\">]>"
		"<rss version=\"2.0\"><channel><title>&custom; &amp; &eacute;</title>"
		"<item><title>&lol2; &ext;&nbsp;x</title><guid>g</guid></item></channel></rss>";
	f = parse_ok(dtd, NULL);
	assert_str(f->title, "Custom 'text' & \xc3\xa9", "internal entity expanded");
	assert_str(f->items[0].title, "&lol2; &ext;\xc2\xa0x", "nested and external entities left alone");
	feed_free(f);
}

/* HTML content keeps its markup: unescaped elements in a description, and XHTML content whatever
 * prefix its namespace is bound to. */
static void test_content_markup_kept(void **state)
{
	(void)state;
	static const char rss[] = "<rss version=\"2.0\"><channel><title>t</title><item><title>x</title>"
				  "<description><p>Raw <b>markup</b> &amp;lt;i&amp;gt; <a href=\"http://e.org/l\">here</a>"
				  "<br/></p></description></item></channel></rss>";
	struct feed *f = parse_ok(rss, NULL);
	assert_str(f->items[0].summary, "<p>Raw <b>markup</b> &lt;i&gt; <a href=\"http://e.org/l\">here</a><br></p>",
		   "unescaped description markup");
	feed_free(f);
	static const char atom[] =
		"<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:h=\"http://www.w3.org/1999/xhtml\"><title>t</title>"
		"<entry><id>urn:1</id><title>x</title><content type=\"xhtml\"><h:div><h:p>Prefixed <h:b>xhtml</h:b>"
		" 1 &lt; 2</h:p></h:div></content></entry></feed>";
	f = parse_ok(atom, NULL);
	assert_str(f->items[0].content, "<p>Prefixed <b>xhtml</b> 1 &lt; 2</p>", "prefixed XHTML content");
	feed_free(f);
}

/* An unclosed <item> (or one the recovering parser leaves open after an unclosed inline tag) does
 * not swallow the items after it. */
static void test_unclosed_items(void **state)
{
	(void)state;
	static const char item[] = "<rss version=\"2.0\"><channel><title>t</title>"
				   "<item><title>one</title><guid>g1</guid>"
				   "<item><title>two</title><guid>g2</guid></item>"
				   "<item><title>three</title><guid>g3</guid></item></channel></rss>";
	struct feed *f = parse_ok(item, NULL);
	assert_int_equal(f->nitems, 3);
	assert_str(f->items[0].title, "one", "first item");
	assert_str(f->items[1].title, "two", "nested item");
	assert_str(f->items[2].title, "three", "next item");
	feed_free(f);
	static const char inline_tag[] = "<rss version=\"2.0\"><channel><title>t</title>"
					 "<item><title>x</title><guid>g1</guid><description>open <b>bold</description></item>"
					 "<item><title>y</title><guid>g2</guid></item></channel></rss>";
	f = parse_ok(inline_tag, NULL);
	assert_int_equal(f->nitems, 2);
	assert_str(f->items[0].summary, "open <b>bold</b>", "unclosed inline tag");
	assert_str(f->items[1].id, "g2", "item after it");
	feed_free(f);
}

static void test_html_entities(void **state)
{
	(void)state;
	static const char doc[] =
		"<rss version=\"2.0\"><channel><title>A&nbsp;B &rsquo;q&rsquo; Q&A &amp; &copy; &bogus; &#8220;x&#x201D;</title>"
		"<item><title>Tom & Jerry&hellip;</title><link>http://e.org/?a=1&b=2</link>"
		"<description><![CDATA[<p>&nbsp;kept &amp; CDATA</p>]]></description></item></channel></rss>";
	struct feed *f = parse_ok(doc, NULL);
	assert_str(f->title, "A\xc2\xa0" "B \xe2\x80\x99q\xe2\x80\x99 Q&A & \xc2\xa9 &bogus; \xe2\x80\x9cx\xe2\x80\x9d",
		   "HTML entities in a title");
	assert_str(f->items[0].title, "Tom & Jerry\xe2\x80\xa6", "bare & and &hellip;");
	assert_str(f->items[0].link, "http://e.org/?a=1&b=2", "bare & in a link");
	assert_str(f->items[0].summary, "<p>\xc2\xa0kept &amp; CDATA</p>", "CDATA untouched");
	feed_free(f);
}

/* A feed of n items, each with a paragraph of content; broken adds a well-formedness error near
 * the end (a mismatched end tag), which sends the parser to its tree fallback. */
static char *big_feed(int n, int broken, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Big</title>");
	for (int i = 0; i < n; i++) {
		buf_printf(&b, "<item><title>Item %d</title><guid>g%d</guid><description><![CDATA[<p>", i, i);
		for (int k = 0; k < 20; k++)
			buf_adds(&b, "Some words of the article body, repeated to make the item a few kilobytes. ");
		buf_adds(&b, "</p>]]></description></item>");
		if (broken && i == n - 3)
			buf_adds(&b, "<item><title>Broken</titl><guid>gb</guid></item>");
	}
	buf_adds(&b, "</channel></rss>\n");
	return buf_take(&b, len);
}

/* Parses the same len bytes at a (with oa) and at b (with ob) and asserts that the two readings
 * are the same, item for item: ids, every field (through the item hash), the clean flags, and
 * summaries that are the sanitised text, not a placeholder. */
static void assert_same_reading(const char *a_doc, const struct parse_options *oa, const char *b_doc,
				const struct parse_options *ob, size_t len, size_t min_items)
{
	char msg[256];
	struct feed *a = parse_feed(a_doc, len, oa, msg, sizeof msg);
	struct feed *b = parse_feed(b_doc, len, ob, msg, sizeof msg);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a->nitems >= min_items);
	assert_int_equal(a->nitems, b->nitems);
	feed_hash_items(a); /* the hash covers every field of an item */
	feed_hash_items(b);
	for (size_t i = 0; i < a->nitems; i++) {
		assert_string_equal(a->items[i].id, b->items[i].id);
		assert_string_equal(a->items[i].hash, b->items[i].hash);
		assert_int_equal(a->items[i].clean, b->items[i].clean);
		if (a->items[i].summary) {
			assert_non_null(b->items[i].summary);
			assert_string_equal(a->items[i].summary, b->items[i].summary);
			assert_true(strlen(b->items[i].summary) > 100);
		} else {
			assert_null(b->items[i].summary);
		}
	}
	feed_free(a);
	feed_free(b);
}

/* The kilobytes of the mapping at p that are resident in this process (its smaps entry). */
static long mapping_rss_kb(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	assert_non_null(f);
	char line[512];
	long rss = -1;
	int in = 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, ' ') == line + strcspn(line, " ")) {
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
			continue;
		}
		if (in && sscanf(line, "Rss: %ld kB", &rss) == 1)
			break;
	}
	fclose(f);
	assert_true(rss >= 0);
	return rss;
}

/* A mapped file whose parsed pages are given back parses exactly as read into memory, also when
 * a late error makes the parser read the whole document again, and with helper threads giving
 * the CDATA sections back; and the mapping is not left resident: the reader, or the helpers
 * giving the sections back, give it back behind them. */
static void test_release_read(void **state)
{
	(void)state;
	for (int variant = 0; variant <= 3; variant++) {
		int broken = variant == 1;
		size_t len;
		char *doc = big_feed(variant >= 2 ? 12000 : 3000, broken, &len); /* about 5 MB, or 19 MB */
		char path[] = "/tmp/tidings-test-parse-XXXXXX";
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, doc, len), (ssize_t)len);
		char *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		assert_true(map != MAP_FAILED);
		close(fd);
		unlink(path);
		struct parse_options plain = {.base_url = "https://example.org/"};
		struct parse_options rel = plain;
		rel.release_read = 1;
		rel.threads = variant == 3 ? 2 : 0;
		assert_same_reading(doc, &plain, map, &rel, len, 3000);
		if (!broken) { /* the tree fallback reads the whole mapping again, and keeps it */
			long rss = mapping_rss_kb(map);
			if (rss > (long)(len / 1024 / 4))
				fail_msg("%ld of %zu kB of the mapping resident after the parse", rss, len / 1024);
		}
		munmap(map, len);
		free(doc);
	}
}

/* Parses doc as it is, and with a processing instruction naming U+E000 by reference (which keeps
 * every CDATA section in the document for libxml2 to read, and adds no byte that the encoding
 * decision counts) after its XML declaration, with the same charset; the two readings must be
 * the same.  Returns the first for more checks. */
static struct feed *same_with_sections_kept(const char *doc, const char *charset)
{
	const char *decl_end = strncmp(doc, "<?xml", 5) ? NULL : strstr(doc, "?>");
	size_t at = decl_end ? (size_t)(decl_end + 2 - doc) : 0;
	char *kept = xasprintf("%.*s<?x &#xE000;?>%s", (int)at, doc, doc + at);
	struct parse_options opt = {.base_url = "https://example.org/", .charset = charset};
	char msg[256] = "";
	struct feed *a = parse_feed(doc, strlen(doc), &opt, msg, sizeof msg);
	if (!a)
		fail_msg("parse_feed: %s", msg);
	struct feed *b = parse_feed(kept, strlen(kept), &opt, msg, sizeof msg);
	if (!b)
		fail_msg("parse_feed with the sections kept: %s", msg);
	free(kept);
	assert_str(a->title, b->title, "feed title");
	assert_str(a->description, b->description, "feed description");
	assert_int_equal(a->nitems, b->nitems);
	feed_hash_items(a);
	feed_hash_items(b);
	for (size_t i = 0; i < a->nitems; i++) {
		assert_str(a->items[i].summary, b->items[i].summary, "summary");
		assert_str(a->items[i].content, b->items[i].content, "content");
		assert_str(a->items[i].title, b->items[i].title, "title");
		assert_string_equal(a->items[i].hash, b->items[i].hash);
	}
	feed_free(b);
	return a;
}

/* CDATA sections that go around libxml2 read exactly as those that go through it: mixed with
 * text, several in one element, in Atom HTML and XHTML content, under a Latin-1 label on UTF-8
 * bytes, after a well-formedness error (the tree fallback); and those that cannot (a carriage
 * return, bad UTF-8, another encoding, no end, U+E000 in the text) stay in the document. */
static void test_cdata_sections(void **state)
{
	(void)state;
#define LONG_HTML "<p>Một đoạn <b>khá dài</b> &amp; có dấu, <a href='/x'>liên kết</a></p>"
	static const char *const docs[] = {
		"<rss version=\"2.0\"><channel><title><![CDATA[Kênh <tin> tức & thời sự]]></title>"
		"<item><guid>a</guid><description>trước <![CDATA[" LONG_HTML "]]> sau</description></item>"
		"<item><guid>b</guid><description><![CDATA[" LONG_HTML "]]><![CDATA[" LONG_HTML "]]></description>"
		"<content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><![CDATA["
		LONG_HTML "]]></content:encoded></item></channel></rss>",
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><entry><id>urn:a</id>"
		"<title type=\"html\"><![CDATA[<b>bold</b> title that is long]]></title>"
		"<content type=\"html\"><![CDATA[" LONG_HTML "]]></content></entry><entry><id>urn:b</id>"
		"<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p><![CDATA[<not markup> in xhtml, long enough]]></p></div></content>"
		"</entry></feed>",
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>t</title>"
		"<item><guid>a</guid><description><![CDATA[" LONG_HTML "]]></description></item></channel></rss>",
		"<?xml version=\"1.0\" encoding=\"windows-1258\"?><rss version=\"2.0\"><channel><title>t</title>"
		"<item><guid>a</guid><description><![CDATA[caf\xe9 \xd2 in windows-1258, long enough]]></description></item></channel></rss>",
		"<rss version=\"2.0\"><channel><title>t</title><item><guid>a</guid><description><![CDATA["
		LONG_HTML "]]></description></item><item><guid>b</guid><title>x</x></title>"
		"<description><![CDATA[" LONG_HTML "]]></description></item></channel></rss>",
		"<rss version=\"2.0\"><channel><title>t</title><item><guid>a</guid><description><![CDATA[line one\r\nline two, long enough]]></description></item>"
		"<item><guid>b</guid><description><![CDATA[bad \xff byte in a long enough section]]></description></item>"
		"<item><guid>c</guid><description><![CDATA[" LONG_HTML "]]></description></item>"
		"<item><guid>d</guid><description><![CDATA[no end to this section, long enough",
		"<rss version=\"2.0\"><channel><title>t</title><item><guid>a</guid><description><![CDATA["
		LONG_HTML "]]></description><title>&#xE000; and &#57344;</title></item></channel></rss>",
		"<rss version=\"2.0\"><channel><title>t</title><item><guid>a</guid><description><![CDATA["
		"a control \x01 here, long enough to count]]></description></item><item><guid>b</guid><description>"
		"<![CDATA[tab\tand DEL \x7f and a long enough text]]></description></item><item><guid>c</guid>"
		"<description><![CDATA[U+FFFE \xef\xbf\xbe in a long enough section]]></description></item></channel></rss>",
	};
	for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
		struct feed *f = same_with_sections_kept(docs[i], NULL);
		assert_true(f->nitems > 0);
		feed_free(f);
	}
	/* the HTTP charset, too */
	feed_free(same_with_sections_kept(docs[2], "utf-8"));
	/* what the sections hold is there, whichever way they went */
	struct feed *f = same_with_sections_kept(docs[0], NULL);
	assert_str(f->title, "Kênh <tin> tức & thời sự", "CDATA title");
	assert_non_null(strstr(f->items[0].summary, "trước "));
	assert_non_null(strstr(f->items[0].summary, "khá dài"));
	assert_non_null(strstr(f->items[0].summary, " sau"));
	feed_free(f);
	f = same_with_sections_kept(docs[6], NULL);
	assert_str(f->items[0].title, "\xEE\x80\x80 and \xEE\x80\x80", "U+E000 by reference");
	assert_non_null(strstr(f->items[0].summary, "liên kết"));
	feed_free(f);
#undef LONG_HTML
}

/* Once a document's encoding decision is settled (here by its title), the entity pass no longer
 * checks the sections it lifts out: each is checked where it is given back, and one that is not
 * clean (what libxml2 would not read as it is) makes the document read again with its sections
 * in place.  Each such section, in a title (given back on the reader's thread), in a
 * description, and in a big document's content (given back by a helper thread), reads as it
 * does when the sections stay in the document. */
static void test_cdata_unchecked_sections(void **state)
{
	(void)state;
	static const char *const bad[] = {"line one\r\nline two", "bad \xff byte",	    "a control \x01 here",
					  "U+FFFE \xef\xbf\xbe here", "cut \xe1\xba short", "surrogate \xed\xa0\x80 here",
					  "all clean, đúng vậy"};
	static const char *const where[] = {"title", "description"};
	for (size_t b = 0; b < sizeof bad / sizeof *bad; b++)
		for (size_t w = 0; w < 2; w++) {
			char *doc = xasprintf("<rss version=\"2.0\"><channel><title>Tin tức</title>"
					      "<item><guid>a</guid><description><![CDATA[<p>Một đoạn khá dài</p>]]></description></item>"
					      "<item><guid>b</guid><%s><![CDATA[<p>%s, long enough</p>]]></%s></item></channel></rss>",
					      where[w], bad[b], where[w]);
			feed_free(same_with_sections_kept(doc, NULL));
			free(doc);
		}
	for (size_t b = 0; b < sizeof bad / sizeof *bad; b++) {
		struct buf d, k;
		buf_init(&d, 0);
		buf_adds(&d, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Tin tức</title>");
		for (int i = 0; i < 600; i++) {
			buf_printf(&d, "<item><guid>g%d</guid><content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><![CDATA[<p>", i);
			for (int r = 0; r < 30; r++)
				buf_adds(&d, i == 590 && r == 15 ? bad[b] : "Một đoạn văn khá dài của bài viết, lặp lại. ");
			buf_adds(&d, "</p>]]></content:encoded></item>");
		}
		buf_adds(&d, "</channel></rss>");
		assert_true(d.len > ((size_t)1 << 20)); /* big enough for the helper threads */
		buf_init(&k, 0);
		buf_add(&k, d.data, 38); /* the XML declaration */
		buf_adds(&k, "<?x &#xE000;?>");
		buf_adds(&k, d.data + 38);
		struct parse_options opt = {.base_url = "https://example.org/", .threads = 2};
		char msg[256];
		struct feed *a = parse_feed(d.data, d.len, &opt, msg, sizeof msg);
		struct feed *c = parse_feed(k.data, k.len, &opt, msg, sizeof msg);
		assert_non_null(a);
		assert_non_null(c);
		assert_int_equal(a->nitems, 600);
		assert_int_equal(a->nitems, c->nitems);
		feed_hash_items(a);
		feed_hash_items(c);
		for (size_t i = 0; i < a->nitems; i++) {
			assert_str(a->items[i].content, c->items[i].content, "content");
			assert_string_equal(a->items[i].hash, c->items[i].hash);
		}
		feed_free(a);
		feed_free(c);
		buf_release(&d);
		buf_release(&k);
	}
}

/* Attribute values without quotes are repaired, not dropped with their element, in RSS and Atom,
 * and quoted values around them keep their content. */
static void test_unquoted_attributes(void **state)
{
	(void)state;
	static const char rss[] = "<rss version=\"2.0\"><channel><title>t</title>"
				  "<item><guid>a</guid><enclosure url=http://e.org/a.mp3 type='audio/mpeg' length=12/></item>"
				  "<item><guid>b</guid><title>after</title></item></channel></rss>";
	struct feed *f = parse_ok(rss, NULL);
	assert_int_equal(f->nitems, 2);
	assert_int_equal(f->items[0].nenclosures, 1);
	assert_str(f->items[0].enclosures[0].url, "http://e.org/a.mp3", "unquoted url");
	assert_str(f->items[0].enclosures[0].type, "audio/mpeg", "quoted type");
	assert_int_equal(f->items[0].enclosures[0].length, 12);
	assert_str(f->items[1].title, "after", "the next item");
	feed_free(f);
	static const char atom[] = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>"
				   "<entry><id>urn:1</id><title>x</title><link rel=alternate href=http://e.org/x?a=1&amp;b=2/>"
				   "<summary>s &lt;b&gt;</summary></entry></feed>";
	f = parse_ok(atom, NULL);
	assert_int_equal(f->nitems, 1);
	assert_str(f->items[0].link, "http://e.org/x?a=1&b=2", "unquoted href");
	feed_free(f);
}

/* Sanitising on helper threads beside the reader gives the reading of one thread: for a clean
 * document, one with a late error (the tree fallback drops what the helpers did), and one with
 * markup the sanitiser's fast path hands to libxml2's HTML parser. */
static void test_helper_threads(void **state)
{
	(void)state;
	for (int variant = 0; variant < 3; variant++) {
		size_t len;
		char *doc = big_feed(1500, variant == 1, &len); /* about 2.5 MB */
		if (variant == 2) { /* every tenth description opens <i> and closes </p>: misnested */
			char *p = doc;
			for (int k = 0; (p = strstr(p, "<![CDATA[<p>")); k++, p++)
				if (k % 10 == 0)
					memcpy(p + 9, "<i>", 3);
		}
		struct parse_options one = {.base_url = "https://example.org/"};
		struct parse_options three = one;
		three.threads = 3;
		assert_same_reading(doc, &one, doc, &three, len, 1500);
		free(doc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss2),
		cmocka_unit_test(test_release_read),
		cmocka_unit_test(test_cdata_sections),
		cmocka_unit_test(test_cdata_unchecked_sections),
		cmocka_unit_test(test_unquoted_attributes),
		cmocka_unit_test(test_atom1),
		cmocka_unit_test(test_item_without_guid_uses_link),
		cmocka_unit_test(test_shared_guid_disambiguated),
		cmocka_unit_test(test_relative_links_resolved),
		cmocka_unit_test(test_html_document_rejected),
		cmocka_unit_test(test_real_world_html_named),
		cmocka_unit_test(test_garbage_rejected),
		cmocka_unit_test(test_recovers_from_broken_markup),
		cmocka_unit_test(test_error_midway_does_not_truncate),
		cmocka_unit_test(test_leading_whitespace_and_bom),
		cmocka_unit_test(test_declared_charset),
		cmocka_unit_test(test_other_dialects),
		cmocka_unit_test(test_many_items_in_order),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_encoding_detection),
		cmocka_unit_test(test_html_entities),
		cmocka_unit_test(test_content_markup_kept),
		cmocka_unit_test(test_unclosed_items),
		cmocka_unit_test(test_text_level_repairs),
		cmocka_unit_test(test_feed_updated_last_build_date),
		cmocka_unit_test(test_authors_inherited),
		cmocka_unit_test(test_jsonfeed11),
		cmocka_unit_test(test_jsonfeed10),
		cmocka_unit_test(test_jsonfeed_rejects),
		cmocka_unit_test(test_helper_threads),
	};
	parse_global_init();
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	parse_global_cleanup();
	return rc;
}
