/* Unit tests for config: INI text → struct config, defaults, validation and its messages. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "testutil.h"

static char err[1024];

static struct config *parse_as(const char *text, const char *path)
{
	err[0] = '\0';
	return config_parse(text, strlen(text), path, err, sizeof err);
}

static struct config *parse(const char *text)
{
	return parse_as(text, "t.ini");
}

/* Parses text that must be valid; fails the test with the message otherwise. */
static struct config *parse_ok(const char *text)
{
	struct config *c = parse(text);
	if (!c)
		fail_msg("config_parse failed: %s", err);
	return c;
}

/* Parses text that must be rejected; returns the message. */
static const char *parse_fails(const char *text)
{
	struct config *c = parse(text);
	if (c) {
		config_free(c);
		fail_msg("config_parse accepted invalid text:\n%s", text);
	}
	assert_true(err[0] != '\0');
	return err;
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static void test_defaults_when_site_empty(void **state)
{
	(void)state;
	struct config *c = parse_ok("[site]\n");
	assert_string_equal(c->path, "t.ini");
	assert_string_equal(c->title, "tidings");
	assert_string_equal(c->link, "http://127.0.0.1:8080/");
	assert_string_equal(c->output, "public");
	assert_string_equal(c->database, "var/tidings.db");
	assert_string_equal(c->listen, "127.0.0.1:8080");
	assert_int_equal(c->poll_interval, 30 * 60);
	assert_int_equal(c->items_per_feed, 50);
	assert_int_equal(c->new_items, 100);
	assert_int_equal(c->retention, 365 * 86400);
	assert_int_equal(c->tz_offset, 0);
	assert_int_equal(c->concurrency, 16);
	assert_int_equal(c->per_host, 2);
	assert_int_equal(c->timeout, 30);
	assert_int_equal(c->max_size, 10 * 1024 * 1024);
	assert_true(c->hub == NULL || c->hub[0] == '\0');
	assert_non_null(c->user_agent);
	assert_true(strncmp(c->user_agent, "tidings/", 8) == 0);
	assert_contains(c->user_agent, "http://127.0.0.1:8080/");
	assert_int_equal(c->ncategories, 0);
	assert_int_equal(c->nsources, 0);
	config_free(c);

	/* An empty file is a valid (if useless) configuration with the same defaults. */
	c = parse_ok("");
	assert_string_equal(c->link, "http://127.0.0.1:8080/");
	assert_int_equal(c->poll_interval, 1800);
	config_free(c);
}

static void test_site_every_key(void **state)
{
	(void)state;
	struct config *c = parse_ok("[site]\n"
				    "title = Example News\n"
				    "link = http://news.example.org/feeds\n"
				    "description = All the news\n"
				    "language = vi\n"
				    "output = out/public\n"
				    "database = db/t.db\n"
				    "listen = 0.0.0.0:9090\n"
				    "poll_interval = 15m\n"
				    "items_per_feed = 20\n"
				    "new_items = 200\n"
				    "retention = 1d\n"
				    "timezone = +07:00\n"
				    "concurrency = 4\n"
				    "per_host = 1\n"
				    "timeout = 90s\n"
				    "max_size = 512k\n"
				    "user_agent = bot/1.0\n"
				    "hub = https://hub.example.org/\n");
	assert_string_equal(c->title, "Example News");
	/* link always ends in '/' so "<link><slug>.rss" works */
	assert_string_equal(c->link, "http://news.example.org/feeds/");
	assert_string_equal(c->description, "All the news");
	assert_string_equal(c->language, "vi");
	assert_string_equal(c->output, "out/public");
	assert_string_equal(c->database, "db/t.db");
	assert_string_equal(c->listen, "0.0.0.0:9090");
	assert_int_equal(c->poll_interval, 900);
	assert_int_equal(c->items_per_feed, 20);
	assert_int_equal(c->new_items, 200);
	assert_int_equal(c->retention, 86400);
	assert_int_equal(c->tz_offset, 420);
	assert_int_equal(c->concurrency, 4);
	assert_int_equal(c->per_host, 1);
	assert_int_equal(c->timeout, 90);
	assert_int_equal(c->max_size, 512 * 1024);
	assert_string_equal(c->user_agent, "bot/1.0");
	assert_string_equal(c->hub, "https://hub.example.org/");
	config_free(c);

	c = parse_ok("[site]\npoll_interval = 2h\nretention = 1d\nmax_size = 10M\ntimezone = -05:30\n"
		     "link = https://example.org/\nlisten =\n");
	assert_int_equal(c->poll_interval, 7200);
	assert_int_equal(c->retention, 86400);
	assert_int_equal(c->max_size, 10 * 1024 * 1024);
	assert_int_equal(c->tz_offset, -330);
	assert_string_equal(c->link, "https://example.org/"); /* already slashed: unchanged */
	assert_string_equal(c->listen, "");                   /* empty: do not serve */
	config_free(c);

	/* poll_interval = 0 is allowed: due at every poll */
	c = parse_ok("[site]\npoll_interval = 0\n");
	assert_int_equal(c->poll_interval, 0);
	config_free(c);
}

static void test_site_bad_values(void **state)
{
	(void)state;
	const char *e = parse_fails("[site]\nlink = ftp://example.org/\n");
	assert_contains(e, "t.ini:2:");
	assert_contains(e, "link");
	e = parse_fails("[site]\n\nlisten = localhost\n");
	assert_contains(e, "t.ini:3:");
	assert_contains(e, "listen");
	e = parse_fails("[site]\ntimezone = Mars/Olympus\n");
	assert_contains(e, "t.ini:2:");
	assert_contains(e, "timezone");
	e = parse_fails("[site]\nitems_per_feed = many\n");
	assert_contains(e, "t.ini:2:");
	assert_contains(e, "items_per_feed");
	e = parse_fails("[site]\nitems_per_feed = 0\n");
	assert_contains(e, "items_per_feed");
	e = parse_fails("[site]\ncolour = blue\n");
	assert_contains(e, "t.ini:2:");
	assert_contains(e, "colour");
}

static const char *const full_source =
	"[site]\n"
	"poll_interval = 2h\n"
	"timezone = +07:00\n"
	"[category a]\n"
	"title = Category A\n"
	"description = About A\n"
	"[category b]\n"
	"[source hnp]\n"
	"url = https://example.org/xay-dung-dang/\n"
	"type = html\n"
	"category = a, b\n"
	"interval = 15m\n"
	"allow_private = yes\n"
	"title = HNP\n"
	"xpath_links = //div[@class='list']//a/@href\n"
	"xpath_title = //h1\n"
	"xpath_date = //span[@class='date']\n"
	"date_format = %H:%M %d/%m/%Y\n"
	"timezone = -05:30\n"
	"xpath_author = //p[@align='right']/b\n"
	"xpath_summary = //p[@class='lead']\n"
	"xpath_content = //div[@id='content']\n"
	"max_articles = 7\n"
	"[source plain]\n"
	"url = http://example.com/feed.xml\n"
	"category = b\n"
	"allow_private = no\n";

static void test_source_every_key(void **state)
{
	(void)state;
	struct config *c = parse_ok(full_source);
	assert_int_equal(c->ncategories, 2);
	assert_string_equal(c->categories[0].slug, "a");
	assert_string_equal(c->categories[0].title, "Category A");
	assert_string_equal(c->categories[0].description, "About A");
	assert_string_equal(c->categories[1].slug, "b");
	assert_string_equal(c->categories[1].title, "b"); /* title defaults to the slug */
	assert_null(c->categories[1].description);
	assert_ptr_equal(config_category(c, "b"), &c->categories[1]);
	assert_null(config_category(c, "c"));

	assert_int_equal(c->nsources, 2);
	const struct config_source *s = config_source(c, "hnp");
	assert_non_null(s);
	assert_string_equal(s->name, "hnp");
	assert_string_equal(s->url, "https://example.org/xay-dung-dang/");
	assert_string_equal(s->fetch_url, "https://example.org/xay-dung-dang/");
	assert_int_equal(s->type, SOURCE_HTML);
	assert_int_equal(s->ncategories, 2);
	assert_string_equal(s->categories[0], "a");
	assert_string_equal(s->categories[1], "b");
	assert_int_equal(s->interval, 900);
	assert_int_equal(s->allow_private, 1);
	assert_string_equal(s->title, "HNP");
	assert_string_equal(s->xpath_links, "//div[@class='list']//a/@href");
	assert_string_equal(s->xpath_title, "//h1");
	assert_string_equal(s->xpath_date, "//span[@class='date']");
	assert_string_equal(s->date_format, "%H:%M %d/%m/%Y");
	assert_int_equal(s->tz_offset, -330);
	assert_string_equal(s->xpath_author, "//p[@align='right']/b");
	assert_string_equal(s->xpath_summary, "//p[@class='lead']");
	assert_string_equal(s->xpath_content, "//div[@id='content']");
	assert_int_equal(s->max_articles, 7);
	assert_int_equal(s->line, 8);

	/* Defaults of a source that sets almost nothing. */
	s = config_source(c, "plain");
	assert_non_null(s);
	assert_int_equal(s->type, SOURCE_AUTO);
	assert_int_equal(s->interval, 7200); /* the site poll_interval */
	assert_int_equal(s->tz_offset, 420); /* the site timezone */
	assert_int_equal(s->allow_private, 0);
	assert_null(s->title);
	assert_null(s->xpath_links);
	assert_null(s->date_format);
	assert_true(s->max_articles > 0);
	assert_string_equal(s->fetch_url, "http://example.com/feed.xml");
	assert_null(config_source(c, "nope"));
	config_free(c);
}

static void test_source_types(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum source_type type;
	} types[] = {{"auto", SOURCE_AUTO}, {"feed", SOURCE_FEED}, {"html", SOURCE_HTML}, {"dir", SOURCE_DIR}};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		char text[256];
		snprintf(text, sizeof text, "[category a]\n[source s]\nurl = http://e.org/\ncategory = a\ntype = %s\n",
			 types[i].name);
		struct config *c = parse_ok(text);
		assert_int_equal(c->sources[0].type, types[i].type);
		assert_string_equal(config_type_name(types[i].type), types[i].name);
		config_free(c);
	}
	const char *e = parse_fails("[category a]\n[source s]\nurl = http://e.org/\ncategory = a\ntype = rss\n");
	assert_contains(e, "t.ini:5:");
	assert_contains(e, "type");
	e = parse_fails("[category a]\n[source s]\nurl = http://e.org/\ncategory = a\nallow_private = maybe\n");
	assert_contains(e, "t.ini:5:");
	assert_contains(e, "allow_private");
}

static void test_source_interval_defaults_to_site_set_later(void **state)
{
	(void)state;
	/* The default is resolved after the whole file is read, whatever the section order. */
	struct config *c = parse_ok("[category a]\n[source s]\nurl = http://e.org/\ncategory = a\n"
				    "[site]\npoll_interval = 1d\ntimezone = +07:00\n");
	assert_int_equal(c->sources[0].interval, 86400);
	assert_int_equal(c->sources[0].tz_offset, 420);
	config_free(c);
}

static void test_inline_comments(void **state)
{
	(void)state;
	struct config *c = parse_ok("# a comment\n"
				    "; another\n"
				    "[site]   ; trailing comment on a header\n"
				    "title = Example News              ; feed and index titles\n"
				    "link = http://127.0.0.1:8080/     ; public base URL\n"
				    "description = a;b#c\n"
				    "poll_interval = 30m # hash comment\n"
				    "  language = vi  \n");
	assert_string_equal(c->title, "Example News");
	assert_string_equal(c->link, "http://127.0.0.1:8080/");
	/* ';' or '#' not preceded by white space is part of the value */
	assert_string_equal(c->description, "a;b#c");
	assert_int_equal(c->poll_interval, 1800);
	assert_string_equal(c->language, "vi");
	config_free(c);
}

static void test_crlf_and_bom(void **state)
{
	(void)state;
	struct config *c = parse_ok("\xEF\xBB\xBF[site]\r\ntitle = Windows\r\npoll_interval = 2h\r\n");
	assert_string_equal(c->title, "Windows");
	assert_int_equal(c->poll_interval, 7200);
	config_free(c);
}

static void test_relative_url_becomes_file_url(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	assert_non_null(dir);
	char *real = realpath(dir, NULL);
	assert_non_null(real);
	char *ini = tu_path(dir, "tidings.ini");
	struct config *c = parse_as("[category a]\n"
				    "[source rel]\nurl = examples/feed.xml\ncategory = a\n"
				    "[source dot]\nurl = ./my dir/page.html\ncategory = a\n"
				    "[source abs]\nurl = /srv/articles\ncategory = a\n"
				    "[source file]\nurl = file:///srv/x.xml\ncategory = a\n"
				    "[source web]\nurl = https://example.org/rss?x=1&y=2\ncategory = a\n",
				    ini);
	if (!c)
		fail_msg("config_parse: %s", err);
	char want[PATH_MAX + 64];
	const struct config_source *s = config_source(c, "rel");
	assert_string_equal(s->url, "examples/feed.xml");
	snprintf(want, sizeof want, "file://%s/examples/feed.xml", real);
	assert_string_equal(s->fetch_url, want);

	s = config_source(c, "dot");
	assert_true(strncmp(s->fetch_url, "file:///", 8) == 0);
	assert_non_null(strstr(s->fetch_url, "my%20dir/page.html"));
	assert_null(strchr(s->fetch_url, ' '));

	assert_string_equal(config_source(c, "abs")->fetch_url, "file:///srv/articles");
	assert_string_equal(config_source(c, "file")->fetch_url, "file:///srv/x.xml");
	assert_string_equal(config_source(c, "web")->fetch_url, "https://example.org/rss?x=1&y=2");
	config_free(c);

	/* Unsupported schemes are refused rather than read as a relative path. */
	const char *e = parse_fails("[category a]\n[source s]\nurl = gopher://example.org/\ncategory = a\n");
	assert_contains(e, "t.ini:3:");
	assert_contains(e, "url");

	free(ini);
	free(real);
	assert_int_equal(tu_rmrf(dir), 0);
	free(dir);
}

static void test_unknown_key_exact_message(void **state)
{
	(void)state;
	const char *e = parse_fails("[source x]\nurl = http://example.org/\nintervall = 5m\n");
	assert_string_equal(e, "t.ini:3: source \"x\": unknown key \"intervall\"");
}

static void test_error_bad_duration(void **state)
{
	(void)state;
	const char *e = parse_fails("[site]\npoll_interval = 5 minutes\n");
	assert_contains(e, "t.ini:2:");
	assert_contains(e, "poll_interval");
	e = parse_fails("[category a]\n[source s]\nurl = http://e.org/\ncategory = a\ninterval = soon\n");
	assert_contains(e, "t.ini:5:");
	assert_contains(e, "interval");
	assert_contains(e, "source \"s\"");
	e = parse_fails("[site]\ntimeout = 0s\n");
	assert_contains(e, "timeout");
}

static void test_error_bad_size(void **state)
{
	(void)state;
	const char *e = parse_fails("[site]\ntitle = x\nmax_size = 10X\n");
	assert_contains(e, "t.ini:3:");
	assert_contains(e, "max_size");
	e = parse_fails("[site]\nmax_size = lots\n");
	assert_contains(e, "t.ini:2:");
	assert_contains(e, "max_size");
}

static void test_error_bad_slug(void **state)
{
	(void)state;
	const char *e = parse_fails("[site]\n[category Bad_Slug]\n");
	assert_contains(e, "t.ini:2:");
	assert_contains(e, "Bad_Slug");
	e = parse_fails("[category -a]\n");
	assert_contains(e, "t.ini:1:");
	assert_contains(e, "-a");
	/* a source may only list valid slugs */
	e = parse_fails("[category a]\n[source s]\nurl = http://e.org/\ncategory = a, Not Valid\n");
	assert_contains(e, "t.ini:4:");
	assert_contains(e, "category");
}

static void test_error_reserved_slug(void **state)
{
	(void)state;
	const char *e = parse_fails("[site]\ntitle = x\n[category new]\n");
	assert_contains(e, "t.ini:3:");
	assert_contains(e, "new");
	assert_contains(e, "reserved");
	e = parse_fails("[category index]\n");
	assert_contains(e, "t.ini:1:");
}

static void test_error_duplicate_section(void **state)
{
	(void)state;
	const char *e = parse_fails("[category a]\ntitle = A\n[category a]\n");
	assert_contains(e, "t.ini:3:");
	assert_contains(e, "\"a\"");
	e = parse_fails("[category a]\n[source s]\nurl = http://e.org/\ncategory = a\n[source s]\n");
	assert_contains(e, "t.ini:5:");
	assert_contains(e, "\"s\"");
}

static void test_error_unknown_section(void **state)
{
	(void)state;
	const char *e = parse_fails("[site]\n[sauce x]\n");
	assert_contains(e, "t.ini:2:");
	assert_contains(e, "sauce");
	e = parse_fails("[site\ntitle = x\n");
	assert_contains(e, "t.ini:1:");
}

static void test_error_key_outside_section(void **state)
{
	(void)state;
	const char *e = parse_fails("# header comment\ntitle = Example\n[site]\n");
	assert_contains(e, "t.ini:2:");
	assert_contains(e, "title");
	e = parse_fails("[site]\njust some words\n");
	assert_contains(e, "t.ini:2:");
}

static void test_error_undefined_category(void **state)
{
	(void)state;
	const char *e = parse_fails("[category a]\n\n[source s]\nurl = http://e.org/\ncategory = a, nope\n");
	assert_contains(e, "t.ini:5:"); /* the line that names the category */
	assert_contains(e, "source \"s\"");
	assert_contains(e, "nope");
	assert_contains(e, "category");
}

static void test_error_missing_url(void **state)
{
	(void)state;
	const char *e = parse_fails("[category a]\n[source s]\ncategory = a\n");
	assert_contains(e, "t.ini:2:");
	assert_contains(e, "source \"s\"");
	assert_contains(e, "url");
	e = parse_fails("[category a]\n[source s]\nurl = http://e.org/\n");
	assert_contains(e, "t.ini:2:");
	assert_contains(e, "category");
}

static void test_error_names_the_given_path(void **state)
{
	(void)state;
	struct config *c = parse_as("[site]\nbogus = 1\n", "feeds/other.ini");
	assert_null(c);
	assert_contains(err, "feeds/other.ini:2:");
}

static void test_parse_duration(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int64_t v;
	} good[] = {
		{"0", 0},	{"90", 90},	  {"90s", 90},	    {"15m", 900},  {"2h", 7200},
		{"1d", 86400}, {"1w", 604800}, {"365d", 31536000}, {"0m", 0},
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		int64_t v = -1;
		if (config_parse_duration(good[i].s, &v) != 0)
			fail_msg("duration \"%s\" rejected", good[i].s);
		assert_int_equal(v, good[i].v);
	}
	static const char *const bad[] = {"",   "m",   "-5m", "5x",  "5mm", "1.5h", " 5m", "5 m",
					  "h2", "99999999999999999999", "9223372036854775807d"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v = 12345;
		if (config_parse_duration(bad[i], &v) == 0)
			fail_msg("duration \"%s\" accepted as %lld", bad[i], (long long)v);
		assert_int_equal(v, 12345); /* untouched on failure */
	}
}

static void test_parse_size(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int64_t v;
	} good[] = {
		{"0", 0},
		{"512", 512},
		{"512k", 512 * 1024},
		{"512K", 512 * 1024},
		{"10M", 10 * 1024 * 1024},
		{"10m", 10 * 1024 * 1024},
		{"1G", (int64_t)1 << 30},
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		int64_t v = -1;
		if (config_parse_size(good[i].s, &v) != 0)
			fail_msg("size \"%s\" rejected", good[i].s);
		assert_int_equal(v, good[i].v);
	}
	static const char *const bad[] = {"", "k", "-1k", "10X", "10kk", "1.5M", " 1k", "10 M",
					  "99999999999999999999", "9999999999999G"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v = 12345;
		if (config_parse_size(bad[i], &v) == 0)
			fail_msg("size \"%s\" accepted as %lld", bad[i], (long long)v);
		assert_int_equal(v, 12345);
	}
}

static void test_valid_slug(void **state)
{
	(void)state;
	assert_true(config_valid_slug("xay-dung-dang"));
	assert_true(config_valid_slug("a"));
	assert_true(config_valid_slug("2021"));
	assert_true(config_valid_slug("a-"));
	char slug[80];
	memset(slug, 'a', 64);
	slug[64] = '\0';
	assert_true(config_valid_slug(slug));
	slug[64] = 'a';
	slug[65] = '\0';
	assert_false(config_valid_slug(slug));
	assert_false(config_valid_slug(""));
	assert_false(config_valid_slug("-a"));
	assert_false(config_valid_slug("A"));
	assert_false(config_valid_slug("a_b"));
	assert_false(config_valid_slug("a b"));
	assert_false(config_valid_slug("a/b"));
	assert_false(config_valid_slug("../x"));
	assert_false(config_valid_slug("x\xc3\xa2y")); /* non-ASCII */
}

static void test_config_load(void **state)
{
	(void)state;
	char *dir = tu_mkdtemp();
	assert_non_null(dir);
	char *ini = tu_path(dir, "t.ini");
	assert_int_equal(tu_write_file(ini, "[site]\ntitle = From disk\n[category a]\n[source s]\n"
					    "url = feed.xml\ncategory = a\n"),
			 0);
	char msg[512] = "";
	struct config *c = config_load(ini, msg, sizeof msg);
	if (!c)
		fail_msg("config_load: %s", msg);
	assert_string_equal(c->title, "From disk");
	assert_string_equal(c->path, ini);
	/* relative source paths are anchored at the configuration's folder, not the cwd */
	char *real = realpath(dir, NULL);
	char want[PATH_MAX + 64];
	snprintf(want, sizeof want, "file://%s/feed.xml", real);
	assert_string_equal(c->sources[0].fetch_url, want);
	config_free(c);
	free(real);

	char *missing = tu_path(dir, "missing.ini");
	msg[0] = '\0';
	assert_null(config_load(missing, msg, sizeof msg));
	assert_contains(msg, "missing.ini");
	free(missing);
	free(ini);
	assert_int_equal(tu_rmrf(dir), 0);
	free(dir);
}

static void test_config_free_null(void **state)
{
	(void)state;
	config_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_when_site_empty),
		cmocka_unit_test(test_site_every_key),
		cmocka_unit_test(test_site_bad_values),
		cmocka_unit_test(test_source_every_key),
		cmocka_unit_test(test_source_types),
		cmocka_unit_test(test_source_interval_defaults_to_site_set_later),
		cmocka_unit_test(test_inline_comments),
		cmocka_unit_test(test_crlf_and_bom),
		cmocka_unit_test(test_relative_url_becomes_file_url),
		cmocka_unit_test(test_unknown_key_exact_message),
		cmocka_unit_test(test_error_bad_duration),
		cmocka_unit_test(test_error_bad_size),
		cmocka_unit_test(test_error_bad_slug),
		cmocka_unit_test(test_error_reserved_slug),
		cmocka_unit_test(test_error_duplicate_section),
		cmocka_unit_test(test_error_unknown_section),
		cmocka_unit_test(test_error_key_outside_section),
		cmocka_unit_test(test_error_undefined_category),
		cmocka_unit_test(test_error_missing_url),
		cmocka_unit_test(test_error_names_the_given_path),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_valid_slug),
		cmocka_unit_test(test_config_load),
		cmocka_unit_test(test_config_free_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
