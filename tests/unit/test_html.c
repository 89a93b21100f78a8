/* Unit tests for html: the HTML article and listing extractor (extract_html, extract_xpaths_of). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "date.h"
#include "extract.h"
#include "feed.h"
#include "util.h"
#include "testutil.h"

/* Three paragraphs of prose: an article's body, well over the extractor's minimum. */
#define PROSE1 "<p>The city council met on Thursday evening to discuss the new budget, and members agreed " \
	       "that the plan for roads, schools and parks should go ahead without further delay.</p>"
#define PROSE2 "<p>Residents who attended the meeting asked about the cost of the new bridge, the timing " \
	       "of the repairs, and whether the library would keep its longer opening hours.</p>"
#define PROSE3 "<p>The mayor said that the work would start in the spring, that the contracts had been " \
	       "signed, and that the city would publish a report on the progress every month.</p>"
#define BODY PROSE1 PROSE2 PROSE3

#define BASE "https://news.example.org/tin-tuc/"

/* 18:15 on 18 November 2021 at UTC+07:00 */
#define T_2021_11_18 1637234100LL

static struct feed *run(const char *html, const struct extract_options *opt, enum page_kind *kind, char *err,
			size_t errlen)
{
	err[0] = '\0';
	return extract_html(html, strlen(html), opt, kind, err, errlen);
}

/* An article page: must come back as one item. */
static struct feed *article(const char *html, const struct extract_options *opt)
{
	char err[256];
	enum page_kind kind = PAGE_LISTING;
	struct feed *f = run(html, opt, &kind, err, sizeof err);
	if (!f)
		fail_msg("extract_html: %s", err);
	assert_int_equal(kind, PAGE_ARTICLE);
	assert_int_equal(f->nitems, 1);
	assert_string_equal(f->format, "html");
	return f;
}

/* A listing page: must come back as one. */
static struct feed *listing(const char *html, const struct extract_options *opt)
{
	char err[256];
	enum page_kind kind = PAGE_ARTICLE;
	struct feed *f = run(html, opt, &kind, err, sizeof err);
	if (!f)
		fail_msg("extract_html: %s", err);
	assert_int_equal(kind, PAGE_LISTING);
	return f;
}

static void assert_date(int64_t got, const char *want)
{
	char s[32];
	if (got == DATE_NONE)
		fail_msg("no date, wanted %s", want);
	date_rfc3339(got, s);
	assert_string_equal(s, want);
}

/* Whether html holds an attribute named on… (an event handler). */
static int has_handler(const char *html)
{
	for (const char *p = html; (p = strstr(p, " on")); p++) {
		const char *q = p + 3;
		while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))
			q++;
		if (q > p + 3 && *q == '=')
			return 1;
	}
	return 0;
}

/* ---- XPath overrides ---- */

static void test_xpath_title(void **state)
{
	(void)state;
	static const char page[] = "<html><head><title>Site name</title></head><body><div class='art'>"
				   "<h1>The heading the heuristics would pick</h1>"
				   "<div class='tt'>  The configured   title </div>" BODY "</div></body></html>";
	struct extract_xpaths xp = {.title = "//div[@class='tt']"};
	struct extract_options opt = {.link = BASE "a-1.html", .xpath = &xp};
	struct feed *f = article(page, &opt);
	assert_string_equal(f->items[0].title, "The configured title");
	feed_free(f);
}

static void test_xpath_date(void **state)
{
	(void)state;
	/* the page also carries a misleading <time> that the XPath must outrank */
	static const char page[] = "<html><body><div class='art'><h1>Budget passes after a long debate</h1>"
				   "<time datetime='2020-01-01T00:00:00Z'>1 January 2020</time>"
				   "<span class='d'>18:15 18/11/2021</span>" BODY "</div></body></html>";
	struct extract_xpaths xp = {.date = "//span[@class='d']"};
	struct extract_options opt = {
		.link = BASE "a-1.html", .xpath = &xp, .date_format = "%H:%M %d/%m/%Y", .tz_offset = 420};
	struct feed *f = article(page, &opt);
	assert_date(f->items[0].published, "2021-11-18T11:15:00Z");
	assert_true(f->items[0].published == T_2021_11_18);
	feed_free(f);
}

static void test_xpath_author_summary(void **state)
{
	(void)state;
	static const char page[] = "<html><body><div class='art'><h1>Budget passes after a long debate</h1>"
				   "<p class='lead'>The lead says what happened &amp; why it matters to you.</p>"
				   BODY "<p align='right'><b>Nguy\xE1\xBB\x85n V\xC4\x83n An</b></p>"
				   "<span class='author'>Somebody Else</span></div></body></html>";
	struct extract_xpaths xp = {.author = "//p[@align='right']/b", .summary = "//p[@class='lead']"};
	struct extract_options opt = {.link = BASE "a-1.html", .xpath = &xp};
	struct feed *f = article(page, &opt);
	assert_string_equal(f->items[0].author, "Nguy\xE1\xBB\x85n V\xC4\x83n An");
	assert_non_null(f->items[0].summary);
	/* the summary is HTML: the text escaped */
	assert_non_null(strstr(f->items[0].summary, "what happened &amp; why it matters"));
	assert_null(strstr(f->items[0].summary, "city council"));
	feed_free(f);
}

static void test_xpath_content(void **state)
{
	(void)state;
	static const char page[] =
		"<html><body><div class='other'>" PROSE1 PROSE2 PROSE3 PROSE1 "</div>"
		"<div id='content'><p>Only this paragraph is the article, chosen by the source.</p>"
		"<script>alert('x')</script><p onclick='steal()'>A second one with "
		"<a href='javascript:alert(1)'>a bad link</a> and <a href='/ok-page.html'>a good one</a>.</p>"
		"<iframe src='https://ads.example.net/'></iframe></div></body></html>";
	struct extract_xpaths xp = {.content = "//div[@id='content']"};
	struct extract_options opt = {.link = BASE "a-1.html", .xpath = &xp};
	struct feed *f = article(page, &opt);
	const char *c = f->items[0].content;
	assert_non_null(c);
	assert_non_null(strstr(c, "Only this paragraph is the article"));
	assert_non_null(strstr(c, "A second one with"));
	assert_null(strstr(c, "city council")); /* the bigger block the heuristics would take */
	assert_null(strstr(c, "<script"));
	assert_null(strstr(c, "alert"));
	assert_null(strstr(c, "onclick"));
	assert_null(strstr(c, "javascript:"));
	assert_null(strstr(c, "<iframe"));
	/* a path from the root resolves against the page's host */
	assert_non_null(strstr(c, "href=\"https://news.example.org/ok-page.html\""));
	feed_free(f);
}

static void test_xpath_links_attribute(void **state)
{
	(void)state;
	static const char page[] =
		"<html><body><div class='list'>"
		"<a href='/tin-tuc/mot.html'>One</a>"
		"<a href='hai.html'>Two</a>"
		"<a href='https://other.example.com/ba'>Three</a>"
		"<a href='file:///etc/passwd'>Four</a>"
		"<a href='javascript:void(0)'>Five</a>"
		"<a href='bon.html#comments'>Six</a>"
		"</div><a href='/outside-the-list.html'>Outside</a></body></html>";
	struct extract_xpaths xp = {.links = "//div[@class='list']//a/@href"};
	struct extract_options opt = {.link = BASE "index.html", .xpath = &xp};
	struct feed *f = listing(page, &opt);
	assert_int_equal(f->nitems, 4);
	assert_string_equal(f->items[0].link, "https://news.example.org/tin-tuc/mot.html");
	assert_string_equal(f->items[0].title, "One");
	assert_string_equal(f->items[1].link, "https://news.example.org/tin-tuc/hai.html");
	assert_string_equal(f->items[2].link, "https://other.example.com/ba");
	assert_string_equal(f->items[3].link, "https://news.example.org/tin-tuc/bon.html");
	assert_string_equal(f->items[3].title, "Six");
	for (size_t i = 0; i < f->nitems; i++) {
		assert_string_equal(f->items[i].id, f->items[i].link);
		assert_true(f->items[i].published == DATE_NONE);
	}
	feed_free(f);
}

static void test_xpath_links_element(void **state)
{
	(void)state;
	/* elements: an <a> itself, or a block whose first <a> is the link */
	static const char page[] = "<html><body><ul>"
				   "<li class='it'><span>x</span><a href='/p/1-first-story'>First story</a></li>"
				   "<li class='it'><a href='../p/2-second-story'>Second story</a>"
				   "<a href='/p/ignored'>Ignored</a></li>"
				   "<li class='it'><a href='javascript:go()'>Script</a></li>"
				   "<li class='it'>no link at all</li>"
				   "</ul></body></html>";
	struct extract_xpaths xp = {.links = "//li[@class='it']"};
	struct extract_options opt = {.link = BASE "index.html", .xpath = &xp};
	struct feed *f = listing(page, &opt);
	assert_int_equal(f->nitems, 2);
	assert_string_equal(f->items[0].link, "https://news.example.org/p/1-first-story");
	assert_string_equal(f->items[0].title, "First story");
	assert_string_equal(f->items[1].link, "https://news.example.org/p/2-second-story");
	assert_string_equal(f->items[1].title, "Second story");
	feed_free(f);
}

static void test_xpath_no_match_falls_back(void **state)
{
	(void)state;
	static const char page[] = "<html><head><title>Budget passes - City News</title></head><body>"
				   "<div class='art'><h1>Budget passes</h1>"
				   "<p>Posted by <a rel='author' href='/u/jane'>Jane Roe</a></p>" BODY
				   "</div></body></html>";
	struct extract_xpaths xp = {.title = "//h5[@id='nothing']",
				    .date = "//span[@class='none']",
				    .author = "//b[@class='none']",
				    .summary = "//p[@class='none']",
				    .content = "//div[@id='none']"};
	struct extract_options opt = {.link = BASE "a-1.html", .xpath = &xp, .date_format = "%H:%M %d/%m/%Y"};
	struct feed *f = article(page, &opt);
	struct item *it = &f->items[0];
	assert_string_equal(it->title, "Budget passes");
	assert_string_equal(it->author, "Jane Roe");
	assert_true(it->published == DATE_NONE);
	assert_non_null(it->content);
	assert_non_null(strstr(it->content, "city council met on Thursday"));
	assert_non_null(strstr(it->content, "publish a report on the progress"));
	feed_free(f);
}

/* ---- trust order ---- */

static void test_jsonld_beats_og_beats_h1(void **state)
{
	(void)state;
	static const char ld[] = "<html><head><title>T</title>"
				 "<script type='application/ld+json'>{\"@context\":\"https://schema.org\","
				 "\"@type\":\"NewsArticle\",\"headline\":\"The JSON-LD headline\"}</script>"
				 "<meta property='og:title' content='The OpenGraph title'></head><body>"
				 "<div class='art'><h1>The h1 heading text</h1>" BODY "</div></body></html>";
	struct extract_options opt = {.link = BASE "a-1.html"};
	struct feed *f = article(ld, &opt);
	assert_string_equal(f->items[0].title, "The JSON-LD headline");
	feed_free(f);

	static const char og[] = "<html><head><title>T</title>"
				 "<meta property='og:title' content='The OpenGraph title'></head><body>"
				 "<div class='art'><h1>The h1 heading text</h1>" BODY "</div></body></html>";
	f = article(og, &opt);
	assert_string_equal(f->items[0].title, "The OpenGraph title");
	feed_free(f);

	static const char h1[] = "<html><head><title>T</title></head><body>"
				 "<div class='art'><h1>The h1 heading text</h1>" BODY "</div></body></html>";
	f = article(h1, &opt);
	assert_string_equal(f->items[0].title, "The h1 heading text");
	feed_free(f);
}

static void test_jsonld_date_beats_time(void **state)
{
	(void)state;
	static const char page[] = "<html><head><script type='application/ld+json'>"
				   "[{\"@type\":\"WebSite\",\"name\":\"x\"},{\"@graph\":[{\"@type\":\"BlogPosting\","
				   "\"headline\":\"Budget passes\",\"datePublished\":\"2021-11-18T18:15:00+07:00\","
				   "\"dateModified\":\"2021-11-19T08:00:00+07:00\","
				   "\"author\":[{\"@type\":\"Person\",\"name\":\"Jane Roe\"}]}]}]</script></head>"
				   "<body><div class='art'><h1>Budget passes</h1>"
				   "<time datetime='2020-05-05T10:00:00Z'>5 May 2020</time>" BODY
				   "</div></body></html>";
	struct extract_options opt = {.link = BASE "a-1.html"};
	struct feed *f = article(page, &opt);
	assert_date(f->items[0].published, "2021-11-18T11:15:00Z");
	assert_date(f->items[0].updated, "2021-11-19T01:00:00Z");
	assert_string_equal(f->items[0].author, "Jane Roe");
	feed_free(f);

	/* without JSON-LD the <time> is the date */
	static const char plain[] = "<html><body><div class='art'><h1>Budget passes</h1>"
				    "<time datetime='2020-05-05T10:00:00Z'>5 May 2020</time>" BODY
				    "</div></body></html>";
	f = article(plain, &opt);
	assert_date(f->items[0].published, "2020-05-05T10:00:00Z");
	feed_free(f);
}

static void test_microdata(void **state)
{
	(void)state;
	static const char page[] =
		"<html><head><title>Site</title></head><body>"
		"<div itemscope itemtype='https://schema.org/NewsArticle'>"
		"<h2 itemprop='headline'>Microdata headline of the story</h2>"
		"<meta itemprop='datePublished' content='2021-11-18T11:15:00Z'>"
		"<span itemprop='author' itemscope itemtype='https://schema.org/Person'>"
		"<span itemprop='name'>Trọng Toàn</span></span>"
		"<div itemprop='articleBody'>" BODY "</div></div></body></html>";
	struct extract_options opt = {.link = BASE "a-1.html"};
	struct feed *f = article(page, &opt);
	assert_string_equal(f->items[0].title, "Microdata headline of the story");
	assert_true(f->items[0].published == T_2021_11_18);
	assert_string_equal(f->items[0].author, "Trọng Toàn");
	feed_free(f);
}

/* A page with a short text and five article links: a listing unless og:type says article. */
#define LINKS5 "<ul class='list'>"                                                  \
	       "<li><a href='/tin-tuc/first-news-story-1001.html'>First news story of the day</a></li>" \
	       "<li><a href='/tin-tuc/second-news-story-1002.html'>Second news story of the day</a></li>" \
	       "<li><a href='/tin-tuc/third-news-story-1003.html'>Third news story of the day</a></li>" \
	       "<li><a href='/tin-tuc/fourth-news-story-1004.html'>Fourth news story of the day</a></li>" \
	       "<li><a href='/tin-tuc/fifth-news-story-1005.html'>Fifth news story of the day</a></li></ul>"

static void test_og_type_article(void **state)
{
	(void)state;
	static const char page[] = "<html><head><title>News</title></head><body><div class='main'>"
				   "<h1>A short piece on the budget</h1>" PROSE1 PROSE2 LINKS5
				   "</div></body></html>";
	static const char art[] = "<html><head><title>News</title>"
				  "<meta property='og:type' content='article'></head><body><div class='main'>"
				  "<h1>A short piece on the budget</h1>" PROSE1 PROSE2 LINKS5 "</div></body></html>";
	struct extract_options opt = {.link = BASE "short-piece-on-the-budget.html"};
	struct feed *f = listing(page, &opt); /* the control: the same page without og:type */
	assert_int_equal(f->nitems, 5);
	feed_free(f);
	f = article(art, &opt);
	assert_string_equal(f->items[0].title, "A short piece on the budget");
	assert_non_null(strstr(f->items[0].content, "city council met"));
	feed_free(f);
}

static void test_canonical_link_and_byline(void **state)
{
	(void)state;
	/* the item's link is the canonical one (relative, resolved); a short last line is the byline */
	static const char page[] = "<html><head><link rel='canonical' href='/tin-tuc/budget-passes-1999.html'>"
				   "<title>Budget passes - City News</title></head><body><div class='art'>"
				   "<h1>Budget passes</h1>" BODY "<p><b>Tr\xE1\xBB\x8Dng To\xC3\xA0n</b></p>"
				   "</div></body></html>";
	struct extract_options opt = {.link = BASE "budget-passes-1999.html?utm_source=x"};
	struct feed *f = article(page, &opt);
	struct item *it = &f->items[0];
	assert_string_equal(it->link, "https://news.example.org/tin-tuc/budget-passes-1999.html");
	assert_string_equal(it->id, it->link);
	assert_string_equal(it->author, "Tr\xE1\xBB\x8Dng To\xC3\xA0n");
	assert_null(strstr(it->content, "Tr\xE1\xBB\x8Dng To\xC3\xA0n"));
	assert_non_null(strstr(it->content, "publish a report on the progress"));
	feed_free(f);

	/* opt.id, when given, is the id */
	opt.id = "my-id";
	f = article(page, &opt);
	assert_string_equal(f->items[0].id, "my-id");
	feed_free(f);
}

/* ---- dates in the text ---- */

static void test_date_in_title_parentheses(void **state)
{
	(void)state;
	static const char page[] = "<html><body><div class='art'>"
				   "<h1>T\xE1\xBB\x95 ch\xE1\xBB\xA9\x63 th\xE1\xBB\xB1\x63 hi\xE1\xBB\x87n (18:15 18/11/2021)</h1>"
				   BODY "</div></body></html>";
	struct extract_options opt = {.link = BASE "a-1.html", .tz_offset = 420};
	struct feed *f = article(page, &opt);
	assert_string_equal(f->items[0].title, "T\xE1\xBB\x95 ch\xE1\xBB\xA9\x63 th\xE1\xBB\xB1\x63 hi\xE1\xBB\x87n");
	assert_true(f->items[0].published == T_2021_11_18);
	feed_free(f);
}

static void test_date_formats_near_title(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		int tz;
		const char *want;
	} cases[] = {
		{"18/11/2021 18:15", 420, "2021-11-18T11:15:00Z"},
		{"Th\xE1\xBB\xA9 N\xC4\x83m, 18/11/2021 - 18:15", 420, "2021-11-18T11:15:00Z"},
		{"March 4, 2026 at 8:30 am", -300, "2026-03-04T13:30:00Z"},
		{"Posted 18:15, 18/11/2021 by the desk", 0, "2021-11-18T18:15:00Z"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b;
		buf_init(&b, 0);
		buf_adds(&b, "<html><body><div class='art'><h1>Budget passes after a long debate</h1>"
			     "<div class='meta'>");
		buf_adds(&b, cases[i].line);
		buf_adds(&b, "</div>" BODY "</div></body></html>");
		struct extract_options opt = {.link = BASE "a-1.html", .tz_offset = cases[i].tz};
		struct feed *f = article(buf_str(&b), &opt);
		char got[32] = "none";
		if (f->items[0].published != DATE_NONE)
			date_rfc3339(f->items[0].published, got);
		if (strcmp(got, cases[i].want))
			fail_msg("case %zu \"%s\": %s, wanted %s", i, cases[i].line, got, cases[i].want);
		/* the date line is not part of the content */
		assert_null(strstr(f->items[0].content, cases[i].line));
		feed_free(f);
		buf_release(&b);
	}
}

static void test_no_date_is_none(void **state)
{
	(void)state;
	static const char page[] = "<html><head><title>Budget passes</title></head><body><div class='art'>"
				   "<h1>Budget passes</h1>" BODY "</div></body></html>";
	struct extract_options opt = {.link = BASE "a-1.html", .tz_offset = 420};
	struct feed *f = article(page, &opt);
	assert_true(f->items[0].published == DATE_NONE);
	assert_true(f->items[0].updated == DATE_NONE);
	feed_free(f);
}

/* ---- encodings ---- */

static void test_windows_1258(void **state)
{
	(void)state;
	/* cp1258: ê is 0xEA, ô 0xF4, and the tone marks are combining characters: 0xF2 the dot
	 * below (U+0323), 0xD2 the hook above (U+0309).  "Việt" is "Vi\xEA\xF2t", "Tiểu" "Ti\xEA\xD2u". */
	static const char page[] = "<html><head><title>Tin</title></head><body><div class='art'>"
				   "<h1>Tin Vi\xEA\xF2t Nam h\xF4m nay, Ti\xEA\xD2u mu\xF2" "c</h1>" BODY
				   "</div></body></html>";
	struct extract_options opt = {.link = BASE "a-1.html", .charset = "windows-1258"};
	struct feed *f = article(page, &opt);
	/* NFC UTF-8: ệ is U+1EC7 (E1 BB 87), ể U+1EC3 (E1 BB 83), not a letter and a combining mark */
	assert_string_equal(f->items[0].title,
			    "Tin Vi\xE1\xBB\x87t Nam h\xC3\xB4m nay, Ti\xE1\xBB\x83u m\xE1\xBB\xA5\x63");
	feed_free(f);

	/* UTF-8 in decomposed form (e, U+0302, U+0323) comes out composed too */
	static const char nfd[] = "<html><body><div class='art'><h1>Tin Vie\xCC\x82\xCC\xA3t Nam h\xC3\xB4m nay</h1>"
				  BODY "</div></body></html>";
	opt.charset = NULL;
	f = article(nfd, &opt);
	assert_string_equal(f->items[0].title, "Tin Vi\xE1\xBB\x87t Nam h\xC3\xB4m nay");
	feed_free(f);
}

static void test_latin_label_on_utf8(void **state)
{
	(void)state;
	static const char page[] = "<html><head><meta charset=\"iso-8859-1\"><title>x</title></head><body>"
				   "<div class='art'><h1>Le caf\xC3\xA9 du coin rouvre</h1>" BODY
				   "</div></body></html>";
	struct extract_options opt = {.link = BASE "a-1.html"};
	struct feed *f = article(page, &opt);
	assert_string_equal(f->items[0].title, "Le caf\xC3\xA9 du coin rouvre");
	feed_free(f);
}

static void test_real_latin1(void **state)
{
	(void)state;
	static const char page[] = "<html><head><meta charset=\"iso-8859-1\"><title>x</title></head><body>"
				   "<div class='art'><h1>Le caf\xE9 du coin rouvre</h1>" BODY
				   "<p>Une derni\xE8re phrase, \xE0 la fin de l'article, pour finir.</p>"
				   "</div></body></html>";
	struct extract_options opt = {.link = BASE "a-1.html"};
	struct feed *f = article(page, &opt);
	assert_string_equal(f->items[0].title, "Le caf\xC3\xA9 du coin rouvre");
	assert_non_null(strstr(f->items[0].content, "Une derni\xC3\xA8re phrase, \xC3\xA0 la fin"));
	feed_free(f);

	/* no label at all, and bytes that are not UTF-8: the web's default, windows-1252 */
	static const char nolabel[] = "<html><body><div class='art'><h1>Le caf\xE9 du coin \x96 rouvre</h1>" BODY
				      "</div></body></html>";
	f = article(nolabel, &opt);
	assert_string_equal(f->items[0].title, "Le caf\xC3\xA9 du coin \xE2\x80\x93 rouvre");
	feed_free(f);
}

/* UTF-8 (BMP only) to UTF-16LE with a BOM. */
static char *to_utf16le(const char *s, size_t *len)
{
	size_t n = strlen(s);
	char *out = malloc(2 * n + 2);
	size_t k = 0;
	out[k++] = '\xFF';
	out[k++] = '\xFE';
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c;
		if (*p < 0x80)
			c = *p++;
		else if ((*p & 0xE0) == 0xC0)
			c = (unsigned)(*p & 0x1F) << 6 | (p[1] & 0x3F), p += 2;
		else
			c = (unsigned)(*p & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F), p += 3;
		out[k++] = (char)(c & 0xFF);
		out[k++] = (char)(c >> 8);
	}
	*len = k;
	return out;
}

static void test_utf16le_bom(void **state)
{
	(void)state;
	size_t len;
	char *page = to_utf16le("<html><head><meta charset='iso-8859-1'><title>x</title></head><body>"
				"<div class='art'><h1>Le caf\xC3\xA9 \xE1\xBB\x9F H\xC3\xA0 N\xE1\xBB\x99i</h1>" BODY
				"</div></body></html>",
				&len);
	struct extract_options opt = {.link = BASE "a-1.html"};
	char err[256] = "";
	enum page_kind kind = PAGE_LISTING;
	struct feed *f = extract_html(page, len, &opt, &kind, err, sizeof err);
	free(page);
	if (!f)
		fail_msg("extract_html: %s", err);
	assert_int_equal(kind, PAGE_ARTICLE);
	assert_string_equal(f->items[0].title, "Le caf\xC3\xA9 \xE1\xBB\x9F H\xC3\xA0 N\xE1\xBB\x99i");
	assert_non_null(strstr(f->items[0].content, "city council met"));
	feed_free(f);
}

static void test_http_charset_outranks_meta(void **state)
{
	(void)state;
	/* "Москва" in windows-1251; read as the <meta>'s Latin-1 it would be "Ìîñêâà" */
	static const char page[] = "<html><head><meta charset=\"iso-8859-1\"><title>x</title></head><body>"
				   "<div class='art'><h1>News from \xCC\xEE\xF1\xEA\xE2\xE0 today</h1>" BODY
				   "</div></body></html>";
	struct extract_options opt = {.link = BASE "a-1.html", .charset = "windows-1251"};
	struct feed *f = article(page, &opt);
	assert_string_equal(f->items[0].title,
			    "News from \xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0 today");
	feed_free(f);
}

/* ---- listing or article ---- */

static void test_listing(void **state)
{
	(void)state;
	static const char page[] =
		"<html><head><title>Tin t\xE1\xBB\xA9\x63 - Example News</title></head><body>"
		"<div id='top'><a href='/'>Trang ch\xE1\xBB\xA7</a> <a href='/kinh-te/'>Kinh t\xE1\xBA\xBF</a>"
		"<ul class='menu'><li><a href='/the-thao/bong-da-viet-nam-2021.html'>B\xC3\xB3ng \xC4\x91\xC3\xA1 "
		"Vi\xE1\xBB\x87t Nam h\xC3\xB4m nay</a></li></ul></div>"
		"<div class='list'>"
		"<div class='item'><h3><a href='/tin-tuc/ngan-sach-duoc-thong-qua-10001.html'>Ng\xC3\xA2n s\xC3\xA1\x63h "
		"th\xC3\xA0nh ph\xE1\xBB\x91 \xC4\x91\xC6\xB0\xE1\xBB\xA3\x63 th\xC3\xB4ng qua</a></h3>"
		"<span class='time'>18:15 18/11/2021</span></div>"
		"<div class='item'><a href='/tin-tuc/cau-moi-khoi-cong-10002.html'><img src='/i/2.jpg' alt=''></a>"
		"<h3><a href='/tin-tuc/cau-moi-khoi-cong-10002.html'>C\xE1\xBA\xA7u m\xE1\xBB\x9Bi \xC4\x91\xC6\xB0\xE1\xBB\xA3\x63 "
		"kh\xE1\xBB\x9Fi c\xC3\xB4ng</a></h3><span class='time'>09:00 17/11/2021</span></div>"
		"<div class='item'><h3><a href='tu-lieu-thu-vien-mo-cua-10003.html'>Th\xC6\xB0 vi\xE1\xBB\x87n m\xE1\xBB\x9F "
		"c\xE1\xBB\xAD\x61 mu\xE1\xBB\x99n h\xC6\xA1n</a></h3></div>"
		"<div class='item'><h3><a href='https://news.example.org/tin-tuc/hop-hoi-dong-10004.html'>H\xE1\xBB\x8Dp "
		"h\xE1\xBB\x99i \xC4\x91\xE1\xBB\x93ng th\xC3\xA0nh ph\xE1\xBB\x91 cu\xE1\xBB\x91i n\xC4\x83m</a></h3></div>"
		"<div class='item'><h3><a href='/tin-tuc/bao-cao-tien-do-10005.html#top'>B\xC3\xA1o c\xC3\xA1o "
		"ti\xE1\xBA\xBFn \xC4\x91\xE1\xBB\x99 h\xC3\xA0ng th\xC3\xA1ng</a></h3></div>"
		"</div>"
		"<div class='pages'><a href='/tin-tuc/trang-2.html'>2</a> "
		"<a href='/tin-tuc/trang-2-cua-chuyen-muc.html' rel='next'>Trang sau c\xE1\xBB\xA7\x61 chuy\xC3\xAAn m\xE1\xBB\xA5\x63 n\xC3\xA0y</a>"
		"</div><footer><a href='/tin-tuc/gioi-thieu-ve-chung-toi-2020.html'>Gi\xE1\xBB\x9Bi thi\xE1\xBB\x87u "
		"v\xE1\xBB\x81 ch\xC3\xBAng t\xC3\xB4i</a></footer></body></html>";
	struct extract_options opt = {.link = BASE, .tz_offset = 420};
	struct feed *f = listing(page, &opt);
	assert_string_equal(f->format, "html");
	static const char *const want[] = {
		"https://news.example.org/tin-tuc/ngan-sach-duoc-thong-qua-10001.html",
		"https://news.example.org/tin-tuc/cau-moi-khoi-cong-10002.html",
		"https://news.example.org/tin-tuc/tu-lieu-thu-vien-mo-cua-10003.html",
		"https://news.example.org/tin-tuc/hop-hoi-dong-10004.html",
		"https://news.example.org/tin-tuc/bao-cao-tien-do-10005.html",
	};
	for (size_t i = 0; i < f->nitems && i < 5; i++)
		if (strcmp(f->items[i].link, want[i]))
			fail_msg("item %zu: %s, wanted %s", i, f->items[i].link, want[i]);
	assert_int_equal(f->nitems, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(f->items[i].id, want[i]);
	assert_string_equal(f->items[0].title, "Ng\xC3\xA2n s\xC3\xA1\x63h th\xC3\xA0nh ph\xE1\xBB\x91 "
					       "\xC4\x91\xC6\xB0\xE1\xBB\xA3\x63 th\xC3\xB4ng qua");
	/* the image link and the text link to one article make one item, titled by the text */
	assert_string_equal(f->items[1].title, "C\xE1\xBA\xA7u m\xE1\xBB\x9Bi \xC4\x91\xC6\xB0\xE1\xBB\xA3\x63 "
					       "kh\xE1\xBB\x9Fi c\xC3\xB4ng");
	/* each item's date is the one shown beside its link */
	assert_true(f->items[0].published == T_2021_11_18);
	assert_date(f->items[1].published, "2021-11-17T02:00:00Z");
	assert_true(f->items[2].published == DATE_NONE);
	feed_free(f);
}

static void test_related_box_stays_article(void **state)
{
	(void)state;
	static const char page[] =
		"<html><head><title>Budget passes - City News</title></head><body><div class='art'>"
		"<h1>Budget passes after a long debate</h1>" BODY PROSE1
		"<div class='related'><h3>Related stories</h3><ul>"
		"<li><a href='/tin-tuc/related-one-story-2001.html'>Related story number one here</a></li>"
		"<li><a href='/tin-tuc/related-two-story-2002.html'>Related story number two here</a></li>"
		"<li><a href='/tin-tuc/related-three-story-2003.html'>Related story number three here</a></li>"
		"<li><a href='/tin-tuc/related-four-story-2004.html'>Related story number four here</a></li>"
		"<li><a href='/tin-tuc/related-five-story-2005.html'>Related story number five here</a></li>"
		"<li><a href='/tin-tuc/related-six-story-2006.html'>Related story number six here</a></li>"
		"<li><a href='/tin-tuc/related-seven-story-2007.html'>Related story number seven here</a></li>"
		"<li><a href='/tin-tuc/related-eight-story-2008.html'>Related story number eight here</a></li>"
		"</ul></div></div></body></html>";
	struct extract_options opt = {.link = BASE "budget-passes-after-debate-1999.html"};
	struct feed *f = article(page, &opt);
	const char *c = f->items[0].content;
	assert_non_null(strstr(c, "city council met"));
	assert_null(strstr(c, "Related story"));
	assert_null(strstr(c, "Related stories"));
	assert_string_equal(f->items[0].title, "Budget passes after a long debate");
	assert_null(strstr(c, "Budget passes after a long debate")); /* the title is not repeated */
	feed_free(f);
}

static void test_article_only(void **state)
{
	(void)state;
	static const char page[] = "<html><head><title>News</title></head><body><div class='main'>"
				   "<h1>A short piece on the budget</h1>" PROSE1 PROSE2 LINKS5
				   "</div></body></html>";
	struct extract_options opt = {.link = BASE "short-piece-on-the-budget.html"};
	struct feed *f = listing(page, &opt); /* the control */
	feed_free(f);
	char err[256];
	enum page_kind kind;
	opt.article_only = 1;
	f = article(page, &opt);
	assert_non_null(strstr(f->items[0].content, "city council met"));
	assert_string_equal(f->items[0].link, BASE "short-piece-on-the-budget.html");
	feed_free(f);

	/* a page that is nothing but links: no listing, and no article either */
	static const char links[] = "<html><body>" LINKS5 "</body></html>";
	kind = PAGE_LISTING;
	f = run(links, &opt, &kind, err, sizeof err);
	if (f) {
		assert_int_equal(kind, PAGE_ARTICLE);
		assert_int_equal(f->nitems, 1);
		feed_free(f);
	} else {
		assert_non_null(strstr(err, "no article"));
	}
	/* even with xpath_links set */
	struct extract_xpaths xp = {.links = "//ul[@class='list']//a/@href"};
	opt.xpath = &xp;
	f = run(page, &opt, &kind, err, sizeof err);
	if (!f)
		fail_msg("extract_html: %s", err);
	assert_int_equal(kind, PAGE_ARTICLE);
	assert_int_equal(f->nitems, 1);
	feed_free(f);
}

/* ---- safety ---- */

static void test_content_is_sanitised(void **state)
{
	(void)state;
	static const char page[] =
		"<html><body><div class='art'><h1>Budget passes after a long debate</h1>" PROSE1
		"<script>document.write('x')</script>"
		"<p onmouseover=\"steal()\">The mayor <a href=\"javascript:alert(1)\" onclick=\"evil()\">said</a> "
		"that the work would start, and that <b onload='x()'>everyone</b> would be told in good time.</p>"
		"<iframe src=\"https://ads.example.net/frame\"></iframe>"
		"<img src=\"https://track.example.net/p.gif\" width=\"1\" height=\"1\">"
		"<img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\" data-src=\"/img/lazy.jpg\" alt=\"lazy\">"
		"<img src=\"../img/relative.jpg\" alt=\"rel\">" PROSE2 PROSE3 "</div></body></html>";
	struct extract_options opt = {.link = BASE "a-1.html"};
	struct feed *f = article(page, &opt);
	const char *c = f->items[0].content;
	assert_non_null(strstr(c, "city council met"));
	assert_non_null(strstr(c, "everyone"));
	assert_null(strstr(c, "<script"));
	assert_null(strstr(c, "document.write"));
	assert_false(has_handler(c)); /* no onmouseover, onclick, onload */
	assert_null(strstr(c, "javascript:"));
	assert_null(strstr(c, "<iframe"));
	assert_null(strstr(c, "ads.example.net"));
	assert_null(strstr(c, "track.example.net")); /* the tracking pixel */
	assert_non_null(strstr(c, "src=\"https://news.example.org/img/lazy.jpg\""));
	assert_null(strstr(c, "data:"));
	assert_non_null(strstr(c, "src=\"https://news.example.org/img/relative.jpg\""));
	feed_free(f);
}

static void test_no_text(void **state)
{
	(void)state;
	static const char page[] = "<html><head><title>Empty</title></head><body><div><img src='/a.png'>"
				   "<a href='/'>Home</a></div></body></html>";
	struct extract_options opt = {.link = BASE};
	char err[256];
	enum page_kind kind;
	struct feed *f = run(page, &opt, &kind, err, sizeof err);
	assert_null(f);
	assert_non_null(strstr(err, "no article"));
}

static void test_not_html(void **state)
{
	(void)state;
	static const char text[] = "Just a plain text file.\n\nIt has no markup at all, only words and "
				   "sentences that go on for a while, which is what a text file is.\n";
	struct extract_options opt = {0};
	char err[256];
	enum page_kind kind;
	struct feed *f = run(text, &opt, &kind, err, sizeof err);
	assert_null(f);
	assert_non_null(strstr(err, "not an HTML page"));

	f = extract_html("", 0, &opt, &kind, err, sizeof err);
	assert_null(f);
	assert_true(err[0] != '\0');

	/* a lone "<" followed by a non-letter is not markup either */
	static const char lt[] = "1 < 2 and 3 > 2";
	f = run(lt, &opt, &kind, err, sizeof err);
	assert_null(f);
	assert_non_null(strstr(err, "not an HTML page"));
}

static void test_deep_nesting(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "<html><body>");
	for (int i = 0; i < 10000; i++)
		buf_adds(&b, "<div class='x'>");
	while (b.len < 2 * 1024 * 1024 - 200000)
		buf_adds(&b, PROSE1);
	for (int i = 0; i < 10000; i++)
		buf_adds(&b, "</div>");
	buf_adds(&b, "</body></html>");
	assert_true(b.len > 1900000);
	struct extract_options opt = {.link = BASE "deep.html"};
	char err[256] = "";
	enum page_kind kind;
	struct feed *f = extract_html(buf_str(&b), b.len, &opt, &kind, err, sizeof err);
	feed_free(f); /* NULL or not: it returned */
	buf_release(&b);
}

static void test_many_links(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "<html><body><ul>");
	char line[160];
	for (int i = 0; i < 5000; i++) {
		snprintf(line, sizeof line, "<li><a href='/tin-tuc/bai-viet-so-%d-hom-nay.html'>B\xC3\xA0i vi\xE1\xBA\xBFt "
					    "s\xE1\xBB\x91 %d h\xC3\xB4m nay</a></li>",
			 i + 1, i + 1);
		buf_adds(&b, line);
	}
	buf_adds(&b, "</ul></body></html>");
	struct extract_options opt = {.link = BASE};
	char err[256] = "";
	enum page_kind kind = PAGE_ARTICLE;
	struct feed *f = extract_html(buf_str(&b), b.len, &opt, &kind, err, sizeof err);
	buf_release(&b);
	if (!f)
		fail_msg("extract_html: %s", err);
	assert_int_equal(kind, PAGE_LISTING);
	assert_int_equal(f->nitems, 5000);
	assert_string_equal(f->items[0].link, "https://news.example.org/tin-tuc/bai-viet-so-1-hom-nay.html");
	assert_string_equal(f->items[4999].link, "https://news.example.org/tin-tuc/bai-viet-so-5000-hom-nay.html");
	feed_free(f);
}

/* ---- extract_xpaths_of ---- */

static void test_xpaths_of(void **state)
{
	(void)state;
	struct config_source src;
	memset(&src, 0, sizeof src);
	struct extract_xpaths out;
	memset(&out, 0xAB, sizeof out);
	assert_null(extract_xpaths_of(&src, &out));

	src.xpath_links = "//div[@class='list']//a/@href";
	src.xpath_content = "//div[@id='content']";
	const struct extract_xpaths *xp = extract_xpaths_of(&src, &out);
	assert_ptr_equal(xp, &out);
	assert_string_equal(xp->links, "//div[@class='list']//a/@href");
	assert_string_equal(xp->content, "//div[@id='content']");
	assert_null(xp->title);
	assert_null(xp->date);
	assert_null(xp->author);
	assert_null(xp->summary);

	memset(&src, 0, sizeof src);
	src.xpath_author = "//b";
	xp = extract_xpaths_of(&src, &out);
	assert_non_null(xp);
	assert_string_equal(xp->author, "//b");
	assert_null(xp->links);
}

/* ---- regressions ---- */

/* JSON-LD outranks OpenGraph even when the meta tags come first in the page. */
static void test_json_ld_after_meta(void **state)
{
	(void)state;
	const char *html = "<html><head><title>T</title><meta property='og:title' content='The OpenGraph title'>"
			   "<meta property='article:published_time' content='2020-01-01T00:00:00Z'>"
			   "<script type='application/ld+json'>{\"@type\":\"NewsArticle\",\"headline\":"
			   "\"The JSON-LD headline\",\"datePublished\":\"2021-11-18T18:15:00+07:00\"}</script>"
			   "</head><body><div class='art'><h1>The h1 heading text</h1>" BODY "</div></body></html>";
	struct extract_options opt = {.link = BASE "a.html"};
	struct feed *f = article(html, &opt);
	assert_string_equal(f->items[0].title, "The JSON-LD headline");
	assert_date(f->items[0].published, "2021-11-18T11:15:00Z");
	feed_free(f);
}

/* An xpath_links that selects nothing leaves the decision to the heuristics. */
static void test_xpath_links_nothing(void **state)
{
	(void)state;
	const char *html = "<html><head><title>Budget passes - City News</title></head><body><div class='art'>"
			   "<h1>Budget passes</h1>" BODY "</div></body></html>";
	struct extract_xpaths xp = {.links = "//div[@class='nothing']//a/@href"};
	struct extract_options opt = {.link = BASE "budget-passes-1999.html", .xpath = &xp};
	struct feed *f = article(html, &opt);
	assert_string_equal(f->items[0].title, "Budget passes");
	feed_free(f);
}

/* A box of related headlines without a telling class, after a long body, stays a box. */
static void test_unlabelled_related_box(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "<html><head><title>Budget passes - City News</title></head><body><div class='art'>"
		     "<h1>Budget passes after a long debate</h1>" BODY BODY BODY BODY BODY BODY
		     "<div class='box'><h3>Tin c\xC3\xB9ng chuy\xC3\xAAn m\xE1\xBB\xA5\x63</h3><ul>");
	for (int i = 1; i <= 8; i++)
		buf_printf(&b, "<li><a href='/tin-tuc/other-story-number-%d-200%d.html'>Other story number %d of the day "
			       "here</a></li>", i, i, i);
	buf_adds(&b, "</ul></div></div></body></html>");
	struct extract_options opt = {.link = BASE "budget-passes-1999.html"};
	struct feed *f = article(buf_str(&b), &opt);
	assert_null(strstr(f->items[0].content, "Other story number"));
	feed_free(f);
	buf_release(&b);
}

/* Inputs that once crashed the fuzz target (tests/fuzz/corpus/html/crash-*), run the way it runs
 * them; under AddressSanitizer any use after free is a failure. */
static void test_fuzz_crashes(void **state)
{
	(void)state;
	const char *dir = "tests/fuzz/corpus/html";
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "crash-", 6))
			continue;
		char path[512], err[256];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		size_t len;
		char *data = util_read_file(path, 1 << 20, &len, err, sizeof err);
		assert_non_null(data);
		enum page_kind kind;
		struct extract_options eo = {.link = "https://example.org/tin/bai.html", .tz_offset = 420};
		feed_free(extract_html(data, len, &eo, &kind, err, sizeof err));
		struct extract_xpaths xp = {.title = "//h1", .date = "//time", .content = "//article"};
		struct extract_options eo2 = {.link = "https://example.org/a", .charset = "windows-1258",
					      .date_format = "%H:%M %d/%m/%Y", .xpath = &xp, .article_only = 1};
		feed_free(extract_html(data, len, &eo2, &kind, err, sizeof err));
		free(data);
		n++;
	}
	closedir(d);
	assert_true(n >= 2);
}

/* A flat list (dates and links side by side in one block): each link gets the date on its own
 * line, not the next one's. */
static void test_flat_list_dates(void **state)
{
	(void)state;
	const char *html = "<html><head><title>News</title></head><body><div class='list'>"
			   "<time datetime='2024-01-01T10:00:00Z'>1 Jan</time> <a href='/news/first-story-here-1001'>The first story headline here</a><br>"
			   "<time datetime='2024-02-02T10:00:00Z'>2 Feb</time> <a href='/news/second-story-here-1002'>The second story headline here</a><br>"
			   "<a href='/news/third-story-here-1003'>The third story headline here</a> (10:05 03/02/2022)<br>"
			   "<a href='/news/fourth-story-here-1004'>The fourth story headline, undated</a><br>"
			   "</div></body></html>";
	struct extract_options opt = {.link = "https://example.com/news/", .tz_offset = 420};
	char err[256];
	enum page_kind kind;
	struct feed *f = run(html, &opt, &kind, err, sizeof err);
	assert_non_null(f);
	assert_int_equal(kind, PAGE_LISTING);
	assert_int_equal(f->nitems, 4);
	assert_date(f->items[0].published, "2024-01-01T10:00:00Z");
	assert_date(f->items[1].published, "2024-02-02T10:00:00Z");
	assert_date(f->items[2].published, "2022-02-03T03:05:00Z");
	assert_true(f->items[3].published == DATE_NONE);
	feed_free(f);
}

/* XPath expressions selecting namespace or document nodes select nothing usable: the heuristics
 * decide (and nothing is read through the wrong layout). */
static void test_xpath_odd_nodes(void **state)
{
	(void)state;
	const char *html = "<html><head><title>Budget passes - City News</title></head><body><div class='art'>"
			   "<h1>Budget passes</h1>" BODY "</div></body></html>";
	static const char *const exprs[] = {"//h1/namespace::*", "/", "//body/namespace::*"};
	for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
		struct extract_xpaths xp = {.title = exprs[i], .links = i == 2 ? exprs[i] : NULL,
					    .content = i == 1 ? exprs[i] : NULL};
		struct extract_options opt = {.link = BASE "budget-passes-1999.html", .xpath = &xp};
		struct feed *f = article(html, &opt);
		assert_string_equal(f->items[0].title, "Budget passes");
		assert_non_null(strstr(f->items[0].content, "city council met"));
		feed_free(f);
	}
}

/* A <meta charset="utf-16"> on a page that is not UTF-16 is read as UTF-8, and a whole page
 * marked up as one datePublished gives no date rather than a scan of all its text. */
static void test_odd_declarations(void **state)
{
	(void)state;
	const char *html = "<html><head><meta charset='utf-16'><title>Caf\xC3\xA9 opens - News</title></head><body>"
			   "<div class='art' itemprop='datePublished'><h1>Caf\xC3\xA9 opens</h1>" BODY BODY "</div></body></html>";
	struct extract_options opt = {.link = BASE "cafe-opens-2024.html"};
	struct feed *f = article(html, &opt);
	assert_string_equal(f->items[0].title, "Caf\xC3\xA9 opens");
	assert_true(f->items[0].published == DATE_NONE);
	feed_free(f);
}

/* A UTF-8 page without a label and with one stray byte (mojibake already in the page) stays
 * UTF-8: its Vietnamese text is not made worse by reading it all as windows-1252. */
static void test_stray_byte_stays_utf8(void **state)
{
	(void)state;
	const char *html = "<html><head><title>Vi\xE1\xBB\x87t Nam - News</title></head><body><div class='art'>"
			   "<h1>Vi\xE1\xBB\x87t Nam</h1>" BODY "<p>L\xFFy l\xFFi m\xC3\xA3 b\xFFo m\xFFt</p></div></body></html>";
	struct extract_options opt = {.link = BASE "viet-nam-2024.html"};
	struct feed *f = article(html, &opt);
	assert_string_equal(f->items[0].title, "Vi\xE1\xBB\x87t Nam");
	feed_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xpath_title),
		cmocka_unit_test(test_xpath_date),
		cmocka_unit_test(test_xpath_author_summary),
		cmocka_unit_test(test_xpath_content),
		cmocka_unit_test(test_xpath_links_attribute),
		cmocka_unit_test(test_xpath_links_element),
		cmocka_unit_test(test_xpath_no_match_falls_back),
		cmocka_unit_test(test_jsonld_beats_og_beats_h1),
		cmocka_unit_test(test_jsonld_date_beats_time),
		cmocka_unit_test(test_microdata),
		cmocka_unit_test(test_og_type_article),
		cmocka_unit_test(test_canonical_link_and_byline),
		cmocka_unit_test(test_date_in_title_parentheses),
		cmocka_unit_test(test_date_formats_near_title),
		cmocka_unit_test(test_no_date_is_none),
		cmocka_unit_test(test_windows_1258),
		cmocka_unit_test(test_latin_label_on_utf8),
		cmocka_unit_test(test_real_latin1),
		cmocka_unit_test(test_utf16le_bom),
		cmocka_unit_test(test_http_charset_outranks_meta),
		cmocka_unit_test(test_listing),
		cmocka_unit_test(test_related_box_stays_article),
		cmocka_unit_test(test_article_only),
		cmocka_unit_test(test_content_is_sanitised),
		cmocka_unit_test(test_no_text),
		cmocka_unit_test(test_not_html),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_many_links),
		cmocka_unit_test(test_xpaths_of),
		cmocka_unit_test(test_json_ld_after_meta),
		cmocka_unit_test(test_xpath_links_nothing),
		cmocka_unit_test(test_unlabelled_related_box),
		cmocka_unit_test(test_fuzz_crashes),
		cmocka_unit_test(test_flat_list_dates),
		cmocka_unit_test(test_xpath_odd_nodes),
		cmocka_unit_test(test_odd_declarations),
		cmocka_unit_test(test_stray_byte_stays_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
