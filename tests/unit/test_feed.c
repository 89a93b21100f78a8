/* Unit tests for feed: canonical links, text cleaning (UTF-8, XML characters, NFC), white space,
 * HTML to plain text, and the final pass over parsed items (ids, hashes). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#include <libxml/entities.h>
#include "buf.h"

#include "feed.h"
#include "util.h"
#include "testutil.h"

struct str_case {
	const char *in, *want;
};

/* s with every byte outside printable ASCII as \xHH, in a static buffer (for messages). */
static const char *esc(const char *s, int slot)
{
	static char out[2][2048];
	char *o = out[slot & 1];
	size_t n = 0;
	if (!s)
		return "(null)";
	for (const unsigned char *c = (const unsigned char *)s; *c && n + 5 < sizeof out[0]; c++)
		if (*c >= 0x20 && *c < 0x7f && *c != '\\')
			o[n++] = (char)*c;
		else
			n += (size_t)snprintf(o + n, 5, "\\x%02X", *c);
	o[n] = '\0';
	return o;
}

/* Runs fn once per case and reports every mismatch before failing. */
static void check_strings(const char *what, char *(*fn)(const char *), const struct str_case *cases,
			  size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		char *got = fn(cases[i].in);
		if (!got || strcmp(got, cases[i].want)) {
			print_error("%s case %zu: \"%s\"\n", what, i, esc(cases[i].in, 0));
			print_error("    got  \"%s\"\n    want \"%s\"\n", esc(got, 0), esc(cases[i].want, 1));
			bad++;
		}
		free(got);
	}
	if (bad)
		fail_msg("%s: %d of %zu cases differ", what, bad, n);
}

#define CHECK(fn, cases) check_strings(#fn, fn, cases, sizeof cases / sizeof cases[0])

static void test_link_canonical(void **state)
{
	(void)state;
	static const struct str_case cases[] = {
		/* scheme and host lower-cased, path and query case kept, fragment dropped */
		{"HTTP://Example.COM/Path/To?Q=A#Frag", "http://example.com/Path/To?Q=A"},
		{"HTTPS://WWW.EXAMPLE.COM/A", "https://www.example.com/A"},
		/* default ports dropped, others kept */
		{"http://example.com:80/a", "http://example.com/a"},
		{"https://example.com:443/a", "https://example.com/a"},
		{"HTTPS://EXAMPLE.COM:443", "https://example.com/"},
		{"http://example.com:8080/a", "http://example.com:8080/a"},
		{"http://example.com:443/a", "http://example.com:443/a"},
		{"https://example.com:80/a", "https://example.com:80/a"},
		{"https://example.com:8443/a", "https://example.com:8443/a"},
		{"http://example.com:/a", "http://example.com/a"}, /* empty port */
		/* empty path */
		{"https://example.com", "https://example.com/"},
		{"https://example.com#top", "https://example.com/"},
		{"https://example.com?q=1", "https://example.com/?q=1"},
		{"https://example.com:443?q=1#f", "https://example.com/?q=1"},
		/* fragment handling */
		{"https://example.com/a/#", "https://example.com/a/"},
		{"http://example.com/a?b=c#d?e", "http://example.com/a?b=c"},
		{"http://example.com/a?b=C&D=e", "http://example.com/a?b=C&D=e"},
		/* IPv6 literals */
		{"http://[2001:DB8::1]/x", "http://[2001:db8::1]/x"},
		{"http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"},
		{"http://[2001:db8::1]:8080", "http://[2001:db8::1]:8080/"},
		{"https://[::1]:443", "https://[::1]/"},
		{"https://[::1]", "https://[::1]/"},
		/* userinfo kept as it is; only the host after it is lower-cased */
		{"http://User:Pass@Example.COM:80/x", "http://User:Pass@example.com/x"},
		{"https://user@EXAMPLE.com:8443/", "https://user@example.com:8443/"},
		{"http://example.com/mail@Example.COM", "http://example.com/mail@Example.COM"},
		/* not URLs: unchanged */
		{"urn:uuid:6E8BC430-9C3A-11D9-9669-0800200C9A66", "urn:uuid:6E8BC430-9C3A-11D9-9669-0800200C9A66"},
		{"mailto:Someone@Example.COM", "mailto:Someone@Example.COM"},
		{"tag:Example.com,2021:Post#1", "tag:Example.com,2021:Post#1"},
		{"not a URL at all", "not a URL at all"},
		{"Example.COM/path#frag", "Example.COM/path#frag"},
		{"/relative/Path?x#y", "/relative/Path?x#y"},
		{"", ""},
	};
	CHECK(link_canonical, cases);
	assert_null(link_canonical(NULL));

	/* the canonical form is its own canonical form */
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *again = link_canonical(cases[i].want);
		assert_string_equal(again, cases[i].want);
		free(again);
	}
}

static void test_text_clean_utf8(void **state)
{
	(void)state;
	static const struct str_case cases[] = {
		{"plain ASCII", "plain ASCII"},
		{"caf\xC3\xA9 \xF0\x9F\x98\x80", "caf\xC3\xA9 \xF0\x9F\x98\x80"}, /* é, an emoji */
		/* every invalid byte becomes U+FFFD */
		{"a\xFF" "b", "a\xEF\xBF\xBD" "b"},
		{"a\x80\x80" "b", "a\xEF\xBF\xBD\xEF\xBF\xBD" "b"},
		{"end\xC3", "end\xEF\xBF\xBD"},                        /* truncated sequence */
		{"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},               /* overlong '/' */
		{"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* a UTF-16 surrogate */
		{"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* > U+10FFFF */
		{"Vi\xE1\xBB" "t", "Vi\xEF\xBF\xBD\xEF\xBF\xBD" "t"},     /* cut inside a letter */
		/* characters XML 1.0 forbids are removed; tab, newline, carriage return stay */
		{"a\x01" "b\x0B" "c\x1F" "d", "abcd"},
		{"x\xEF\xBF\xBEy\xEF\xBF\xBFz", "xyz"},                  /* U+FFFE, U+FFFF */
		{"a\tb\nc\rd", "a\tb\nc\rd"},
		{"\x01\x02\x03", ""},
	};
	CHECK(text_clean, cases);
	assert_null(text_clean(NULL));
}

static void test_text_clean_nfc(void **state)
{
	(void)state;
	static const struct str_case cases[] = {
		/* decomposed Vietnamese: e + COMBINING CIRCUMFLEX + COMBINING ACUTE = U+1EBF ế */
		{"e\xCC\x82\xCC\x81", "\xE1\xBA\xBF"},
		{"Ti\xE1\xBA\xBF" "ng Vi\xE1\xBB\x87t", "Ti\xE1\xBA\xBF" "ng Vi\xE1\xBB\x87t"}, /* already NFC */
		{"Tie\xCC\x82\xCC\x81ng Vie\xCC\xA3\xCC\x82t", "Ti\xE1\xBA\xBF" "ng Vi\xE1\xBB\x87t"},
		{"Tr\xE1\xBB\x8Dng To\xC3\xA0n", "Tr\xE1\xBB\x8Dng To\xC3\xA0n"},
		/* ANGSTROM SIGN U+212B and OHM SIGN U+2126 are singletons: NFC replaces them */
		{"\xE2\x84\xAB", "\xC3\x85"},
		{"10 \xE2\x84\xA6", "10 \xCE\xA9"},
		{"A\xCC\x8A", "\xC3\x85"},
		/* canonical reordering: dot below (ccc 220) before circumflex (ccc 230) */
		{"e\xCC\x82\xCC\xA3", "\xE1\xBB\x87"},
		/* an invalid byte next to a decomposed letter: both repaired */
		{"\xFF" "e\xCC\x82\xCC\x81", "\xEF\xBF\xBD\xE1\xBA\xBF"},
		/* Hangul jamo compose */
		{"\xE1\x84\x80\xE1\x85\xA1", "\xEA\xB0\x80"},
	};
	CHECK(text_clean, cases);
}

/* Singletons inside the ranges text_clean treats as NFC-stable: EN QUAD U+2000 is NFC U+2002,
 * LEFT-POINTING ANGLE BRACKET U+2329 is NFC U+3008, and combining marks for symbols reorder. */
static void test_text_clean_nfc_fast_ranges(void **state)
{
	(void)state;
	static const struct str_case cases[] = {
		{"a\xE2\x80\x80" "b", "a\xE2\x80\x82" "b"},
		{"\xE2\x8C\xA9x\xE2\x8C\xAA", "\xE3\x80\x88x\xE3\x80\x89"},
		{"a\xE2\x83\x90\xE2\x83\x92", "a\xE2\x83\x92\xE2\x83\x90"}, /* U+20D0 (230), U+20D2 (1) */
	};
	CHECK(text_clean, cases);
}

static void test_text_squash(void **state)
{
	(void)state;
	static const struct str_case cases[] = {
		{"  a \t b\n\nc  ", "a b c"},
		{"one", "one"},
		{"", ""},
		{" \t\r\n\f\v ", ""},
		{"a\r\nb", "a b"},
		{"a\xC2\xA0" "b", "a\xC2\xA0" "b"}, /* NO-BREAK SPACE is content */
		{"Tr\xE1\xBB\x8Dng   To\xC3\xA0n", "Tr\xE1\xBB\x8Dng To\xC3\xA0n"},
	};
	CHECK(text_squash, cases);
	assert_null(text_squash(NULL));
}

static void test_text_from_html(void **state)
{
	(void)state;
	static const struct str_case cases[] = {
		{"Tom &amp; Jerry", "Tom & Jerry"},
		{"<b>bold</b> and <i>italic</i>", "bold and italic"},
		{"&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"},
		{"caf&eacute; &#8211; &#x1EBF; &quot;q&quot; &#39;s&#39;",
		 "caf\xC3\xA9 \xE2\x80\x93 \xE1\xBA\xBF \"q\" 's'"},
		{"  plain \n  text  ", "plain text"},
		{"<p>\n  One.\n</p>\n<p>Two.</p>", "One. Two."},
		{"<a href=\"http://x.example/\">link</a> text", "link text"},
		{"<p>Nested <span><em>deep</em></span> text</p>", "Nested deep text"},
		{"unclosed <b>tag", "unclosed tag"},
		{"1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"},
		{"Vi&#7879;t Nam", "Vi\xE1\xBB\x87t Nam"},
		{"", ""},
	};
	CHECK(text_from_html, cases);
	assert_null(text_from_html(NULL));
}

static char *plain_copy(const char *s)
{
	return text_plain(xstrdup(s));
}

/* Plain-text fields holding HTML markup lose the tags; text that merely has '<' or '&' stays. */
static void test_text_plain(void **state)
{
	(void)state;
	static const struct str_case cases[] = {
		{"<b>Bold</b> and <i>italic</i>", "Bold and italic"},
		{"<em>Breaking</em>: news", "Breaking: news"},
		{"<a href=\"http://example.org/u\">Ann</a>", "Ann"},
		{"<B>Caps</B> &amp; more", "Caps & more"},
		{"AT&T", "AT&T"},
		{"a < b", "a < b"},
		{"a <b", "a <b"},
		{"x<y and y>z", "x<y and y>z"},
		{"Q&amp;A &quot;session&quot;", "Q&amp;A &quot;session&quot;"},
		{"Use <vector> and </vector>", "Use <vector> and </vector>"},
		{"<b>x</b> &custom;", "<b>x</b> &custom;"},
		{"plain", "plain"},
	};
	CHECK(plain_copy, cases);
	assert_null(text_plain(NULL));
	assert_true(text_looks_like_html("<p>x</p>"));
	assert_false(text_looks_like_html("<br>")); /* no close tag: not enough to call it HTML */
}

/* Block boundaries separate words in the plain text (a JSON Feed summary, an HTML title). */
static void test_text_from_html_block_boundaries(void **state)
{
	(void)state;
	static const struct str_case cases[] = {
		{"<p>One.</p><p>Two.</p>", "One. Two."},
		{"line<br>break", "line break"},
		{"<ul><li>a</li><li>b</li></ul>", "a b"},
	};
	CHECK(text_from_html, cases);
}

static struct item *add(struct feed *f, const char *id, const char *title, const char *link)
{
	struct item *it = feed_add_item(f);
	it->id = xstrdup(id);
	it->title = xstrdup(title);
	it->link = xstrdup(link);
	return it;
}

static int is_hex64(const char *h)
{
	if (strlen(h) != 64)
		return 0;
	for (const char *c = h; *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
			return 0;
	return 1;
}

static void test_finish_id_fallback(void **state)
{
	(void)state;
	struct feed *f = feed_new();
	add(f, "guid-1", "Has an id", "http://x.example/1");
	add(f, NULL, "Only a link", "http://x.example/2");
	add(f, NULL, "Neither", NULL);
	add(f, "  ", "Blank id", "http://x.example/4");  /* blank is absent */
	struct item *it = add(f, NULL, "Neither, other", NULL);
	it->published = 1637234100;
	feed_finish(f);
	assert_string_equal(f->items[0].id, "guid-1");
	assert_string_equal(f->items[1].id, "http://x.example/2");
	const char *h = f->items[2].id;
	assert_int_equal(strncmp(h, "urn:tidings:", 12), 0);
	assert_int_equal(strlen(h), 12 + 32);
	assert_string_equal(f->items[3].id, "http://x.example/4");
	assert_int_equal(strncmp(f->items[4].id, "urn:tidings:", 12), 0);
	assert_string_not_equal(f->items[4].id, h);

	/* the hash id is stable: the same item gives the same id */
	struct feed *g = feed_new();
	add(g, NULL, "Neither", NULL);
	add(g, NULL, "Something else", NULL);
	feed_finish(g);
	assert_string_equal(g->items[0].id, h);
	assert_string_not_equal(g->items[1].id, h);
	feed_free(g);
	feed_free(f);
}

static void test_finish_cleans_fields(void **state)
{
	(void)state;
	struct feed *f = feed_new();
	f->title = xstrdup("  Feed \n title ");
	struct item *it = add(f, " guid\n", "  A\t\ttitle\n", " http://x.example/a ");
	it->author = xstrdup("   ");
	it->summary = xstrdup("<p>ok\x01\xFF</p>");
	item_add_category(it, " news ");
	item_add_category(it, "   ");
	item_add_category(it, "e\xCC\x82\xCC\x81");
	feed_finish(f);
	assert_string_equal(f->title, "Feed title");
	assert_string_equal(it->id, "guid");
	assert_string_equal(it->title, "A title");
	assert_string_equal(it->link, "http://x.example/a");
	assert_null(it->author);
	assert_string_equal(it->summary, "<p>ok\xEF\xBF\xBD</p>");
	assert_int_equal(it->ncategories, 2);
	assert_string_equal(it->categories[0], "news");
	assert_string_equal(it->categories[1], "\xE1\xBA\xBF");
	feed_free(f);
}

/* Frees f, then fails when two of its items share an id. */
static void assert_ids_distinct_free(struct feed *f)
{
	char msg[256] = "";
	for (size_t i = 0; i < f->nitems && !msg[0]; i++)
		for (size_t j = i + 1; j < f->nitems && !msg[0]; j++)
			if (!f->items[i].id || !f->items[j].id || !strcmp(f->items[i].id, f->items[j].id))
				snprintf(msg, sizeof msg, "items %zu and %zu share the id \"%s\"", i, j,
					 f->items[i].id ? f->items[i].id : "(null)");
	feed_free(f);
	if (msg[0])
		fail_msg("%s", msg);
}

/* An empty summary or content (as written, or white space only) is absent, like an empty title. */
static void test_finish_empty_html_is_null(void **state)
{
	(void)state;
	struct feed *f = feed_new();
	struct item *a = add(f, "a", "A", NULL);
	a->summary = xstrdup("");
	a->content = xstrdup(" \n\t ");
	struct item *b = add(f, "b", "B", NULL);
	b->summary = xstrdup("<p>kept</p>");
	b->content = xstrdup("\x01");
	feed_finish(f);
	assert_null(f->items[0].summary);
	assert_null(f->items[0].content);
	assert_string_equal(f->items[1].summary, "<p>kept</p>");
	assert_null(f->items[1].content);
	feed_free(f);
}

static void test_finish_shared_guid(void **state)
{
	(void)state;
	/* every item has the same guid: the links tell them apart */
	struct feed *f = feed_new();
	add(f, "http://cms.example/", "One", "http://cms.example/1");
	add(f, "http://cms.example/", "Two", "http://cms.example/2");
	add(f, "http://cms.example/", "Three", "http://cms.example/3");
	feed_finish(f);
	assert_string_equal(f->items[0].id, "http://cms.example/1");
	assert_string_equal(f->items[2].id, "http://cms.example/3");
	assert_ids_distinct_free(f);

	/* the same guid and no links, or a link that is the guid: still distinct */
	f = feed_new();
	add(f, "same", "One", NULL);
	add(f, "same", "Two", NULL);
	add(f, "same", "Three", NULL);
	feed_finish(f);
	/* every one numbered by its position, the last one too */
	assert_string_equal(f->items[0].id, "same#1");
	assert_string_equal(f->items[1].id, "same#2");
	assert_string_equal(f->items[2].id, "same#3");
	assert_ids_distinct_free(f);

	f = feed_new();
	add(f, "http://cms.example/", "One", "http://cms.example/");
	add(f, "http://cms.example/", "Two", "http://cms.example/two");
	feed_finish(f);
	assert_ids_distinct_free(f);

	/* only some items share an id: nothing to disambiguate */
	f = feed_new();
	add(f, "same", "One", NULL);
	add(f, "same", "Two", NULL);
	add(f, "http://cms.example/", "Three", NULL);
	feed_finish(f);
	assert_string_equal(f->items[0].id, "same");
	assert_string_equal(f->items[2].id, "http://cms.example/");
	feed_free(f);

	f = feed_new();
	add(f, "a", "One", "http://x.example/1");
	add(f, "a", "Two", "http://x.example/2");
	add(f, "b", "Three", "http://x.example/3");
	feed_finish(f);
	assert_string_equal(f->items[0].id, "a");
	assert_string_equal(f->items[1].id, "a");
	assert_string_equal(f->items[2].id, "b");
	feed_free(f);

	/* a single item keeps its id */
	f = feed_new();
	add(f, "only", "One", "http://x.example/1");
	feed_finish(f);
	assert_string_equal(f->items[0].id, "only");
	feed_free(f);
}

/* A CMS that gives every item the same guid and the same link (its home page): the items are
 * still different articles and need different ids, or the store merges them into one. */
static void test_finish_shared_guid_and_link(void **state)
{
	(void)state;
	struct feed *f = feed_new();
	add(f, "1", "One", "http://cms.example/");
	add(f, "1", "Two", "http://cms.example/");
	add(f, "1", "Three", "http://cms.example/");
	feed_finish(f);
	assert_ids_distinct_free(f);
}

static void test_finish_hash(void **state)
{
	(void)state;
	struct feed *f = feed_new();
	struct item *it = add(f, "g", "Title", "http://x.example/1");
	it->published = 1637234100;
	feed_finish(f);
	assert_false(is_hex64(f->items[0].hash)); /* left to feed_hash_items */
	feed_hash_items(f);
	assert_true(is_hex64(f->items[0].hash));
	char again[65];
	item_hash(&f->items[0], again);
	assert_string_equal(again, f->items[0].hash);
	char first[65];
	memcpy(first, f->items[0].hash, sizeof first);

	/* the same item parsed again: the same hash */
	struct feed *g = feed_new();
	it = add(g, "g", "Title", "http://x.example/1");
	it->published = 1637234100;
	feed_finish(g);
	feed_hash_items(g);
	assert_string_equal(g->items[0].hash, first);
	feed_free(g);

	/* a changed title, date, summary or category changes it */
	g = feed_new();
	it = add(g, "g", "Title, edited", "http://x.example/1");
	it->published = 1637234100;
	feed_finish(g);
	feed_hash_items(g);
	assert_string_not_equal(g->items[0].hash, first);
	feed_free(g);

	g = feed_new();
	it = add(g, "g", "Title", "http://x.example/1");
	it->published = 1637234101;
	feed_finish(g);
	feed_hash_items(g);
	assert_string_not_equal(g->items[0].hash, first);
	feed_free(g);

	g = feed_new();
	it = add(g, "g", "Title", "http://x.example/1");
	it->published = 1637234100;
	it->summary = xstrdup("<p>new lead</p>");
	feed_finish(g);
	feed_hash_items(g);
	assert_string_not_equal(g->items[0].hash, first);
	feed_free(g);

	g = feed_new();
	it = add(g, "g", "Title", "http://x.example/1");
	it->published = 1637234100;
	item_add_category(it, "news");
	feed_finish(g);
	feed_hash_items(g);
	assert_string_not_equal(g->items[0].hash, first);
	feed_free(g);

	/* an absent field and an empty one differ */
	struct item a = {0}, b = {0};
	a.published = b.published = a.updated = b.updated = DATE_NONE;
	b.author = (char *)"";
	char ha[65], hb[65];
	item_hash(&a, ha);
	item_hash(&b, hb);
	assert_string_not_equal(ha, hb);
	feed_free(f);
}

static void test_add_category_and_enclosure(void **state)
{
	(void)state;
	struct feed *f = feed_new();
	struct item *it = feed_add_item(f);
	assert_true(it->published == DATE_NONE && it->updated == DATE_NONE);
	item_add_category(it, "news");
	item_add_category(it, "sport");
	item_add_category(it, "news");
	item_add_category(it, "News"); /* terms are case-sensitive */
	item_add_category(it, "sport");
	assert_int_equal(it->ncategories, 3);
	assert_string_equal(it->categories[0], "news");
	assert_string_equal(it->categories[1], "sport");
	assert_string_equal(it->categories[2], "News");

	struct enclosure *e = item_add_enclosure(it, "http://x.example/a.mp3");
	assert_int_equal(e->length, -1);
	assert_null(e->type);
	e->length = 42;
	e = item_add_enclosure(it, "http://x.example/a.mp3");
	assert_int_equal(it->nenclosures, 1);
	assert_int_equal(e->length, 42);
	item_add_enclosure(it, "http://x.example/b.mp3");
	assert_int_equal(it->nenclosures, 2);
	feed_free(f);
	feed_free(NULL);
}

static void test_many_items(void **state)
{
	(void)state;
	/* items move when the array grows: the returned pointer is only valid until the next add */
	struct feed *f = feed_new();
	for (int i = 0; i < 100; i++) {
		char id[16];
		snprintf(id, sizeof id, "id-%d", i);
		add(f, id, "t", NULL);
	}
	feed_finish(f);
	assert_int_equal(f->nitems, 100);
	assert_string_equal(f->items[0].id, "id-0");
	assert_string_equal(f->items[99].id, "id-99");
	assert_ids_distinct_free(f);
}

/* The inline UTF-8 decoder gives utf8proc's answer for every sequence of up to three bytes (and
 * the lead bytes of four-byte ones), including each way of cutting one short. */
static void test_utf8_next_matches_utf8proc(void **state)
{
	(void)state;
	long bad = 0;
	for (unsigned a = 0x80; a <= 0xFF; a++)
		for (unsigned b = 0; b <= 0xFF; b++)
			for (unsigned c = 0; c <= 0xFF; c += (a >= 0xE0 ? 1 : 0x11)) {
				unsigned char seq[4] = {(unsigned char)a, (unsigned char)b, (unsigned char)c, 0x80};
				for (size_t n = 1; n <= 4; n++) {
					int32_t mine = -2;
					utf8proc_int32_t theirs = -2;
					long k = text_utf8_next(seq, n, &mine);
					utf8proc_ssize_t t = utf8proc_iterate(seq, (utf8proc_ssize_t)n, &theirs);
					if ((k < 0) != (t < 0) || (k >= 0 && (k != t || mine != theirs))) {
						if (bad++ < 5)
							print_error("%02X %02X %02X (n=%zu): %ld U+%04X, utf8proc %ld U+%04X\n", a,
								    b, c, n, k, (unsigned)mine, (long)t, (unsigned)theirs);
					}
				}
			}
	assert_int_equal(bad, 0);
}

/* The byte-run scanners stop exactly where a byte-by-byte loop does: every byte value at every
 * position of the first 56 (the short loop, the sixteen-byte and word loops and the tail), after ASCII or
 * non-ASCII filler, with and without stop bytes. */
static void test_byte_runs(void **state)
{
	(void)state;
	static const char stops[][2] = {{'&', '<'}, {0, 0}, {'"', '<'}};
	static const unsigned char fillers[] = {'a', 0xC3, 0x7F};
	long bad = 0;
	for (size_t f = 0; f < sizeof fillers; f++)
		for (size_t s = 0; s < sizeof stops / sizeof stops[0]; s++)
			for (unsigned v = 0; v <= 0xFF; v++)
				for (size_t at = 0; at < 56; at++) /* the byte, word and SSE2 loops */
					for (size_t n = at; n <= 56; n += 3) {
						char buf[64];
						memset(buf, fillers[f], sizeof buf);
						buf[at] = (char)v;
						char a = stops[s][0], b = stops[s][1];
						size_t want_text = 0, want_ascii = 0;
						while (want_text < n) {
							unsigned char x = (unsigned char)buf[want_text];
							if (x < 0x20 || x == (unsigned char)a || x == (unsigned char)b)
								break;
							want_text++;
						}
						while (want_ascii < n) {
							unsigned char x = (unsigned char)buf[want_ascii];
							if (x < 0x20 || x >= 0x80 || x == (unsigned char)a || x == (unsigned char)b)
								break;
							want_ascii++;
						}
						size_t got_text = util_text_run(buf, n, a, b);
						size_t got_ascii = util_ascii_run(buf, n, a, b, 0);
						if ((got_text != want_text || got_ascii != want_ascii) && bad++ < 5)
							print_error("filler %02X stops %d byte %02X at %zu n %zu: text %zu/%zu ascii %zu/%zu\n",
								    fillers[f], (int)s, v, at, n, got_text, want_text, got_ascii, want_ascii);
					}
	assert_int_equal(bad, 0);
}

/* text_xml_escape writes exactly what libxml2's xmlEncodeSpecialChars does, for every byte value
 * at every position around the eight-byte words it skips, and for pseudo-random text. */
static void test_xml_escape_matches_libxml2(void **state)
{
	(void)state;
	uint32_t x = 2463534242u;
	for (int round = 0; round < 3000; round++) {
		char in[40];
		size_t n = (size_t)round % 39 + 1;
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			/* mostly plain letters, sometimes a byte that needs escaping or any other byte */
			unsigned r = x % 16;
			in[i] = r < 10 ? (char)('a' + r) : r == 10 ? "<>&\"\r\n\t'"[x / 16 % 8] : (char)(x / 16 % 255 + 1);
		}
		in[n] = '\0';
		if (round < 24 * 8) { /* the structured part: one special byte at each position */
			memset(in, 'a', 24);
			in[24] = '\0';
			n = 24;
			in[round / 8] = "<>&\"\r\n\t\x80"[round % 8];
		}
		xmlChar *want = xmlEncodeSpecialChars(NULL, (const xmlChar *)in);
		struct buf got;
		buf_init(&got, 0);
		text_xml_escape(&got, in, n);
		if (strcmp(buf_str(&got), (const char *)want))
			fail_msg("round %d: \"%s\" gives \"%s\", libxml2 \"%s\"", round, in, buf_str(&got), (const char *)want);
		buf_release(&got);
		xmlFree(want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_canonical),
		cmocka_unit_test(test_byte_runs),
		cmocka_unit_test(test_xml_escape_matches_libxml2),
		cmocka_unit_test(test_text_clean_utf8),
		cmocka_unit_test(test_text_clean_nfc),
		cmocka_unit_test(test_text_clean_nfc_fast_ranges),
		cmocka_unit_test(test_text_squash),
		cmocka_unit_test(test_text_from_html),
		cmocka_unit_test(test_text_plain),
		cmocka_unit_test(test_text_from_html_block_boundaries),
		cmocka_unit_test(test_finish_id_fallback),
		cmocka_unit_test(test_finish_cleans_fields),
		cmocka_unit_test(test_finish_empty_html_is_null),
		cmocka_unit_test(test_finish_shared_guid),
		cmocka_unit_test(test_finish_shared_guid_and_link),
		cmocka_unit_test(test_finish_hash),
		cmocka_unit_test(test_add_category_and_enclosure),
		cmocka_unit_test(test_many_items),
		cmocka_unit_test(test_utf8_next_matches_utf8proc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
