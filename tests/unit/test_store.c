/* Unit tests for store: schema, config sync, fetch bookkeeping, items, uids, category lists. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "config.h"
#include "feed.h"
#include "store.h"
#include "util.h"
#include "testutil.h"

#define T0 1637234100LL /* 2021-11-18T11:15:00Z */

static const char *const base_config = "[site]\n"
				       "[category a]\ntitle = Cat A\n"
				       "[category b]\n"
				       "[source s1]\nurl = http://s1.example/feed\ncategory = a\n"
				       "[source s2]\nurl = http://s2.example/feed\ncategory = a, b\n";

struct fx {
	char *dir;
	char *db;
	struct config *cfg;
	struct store *st;
	char err[512];
};

static struct config *make_config(const char *text)
{
	char err[512] = "";
	struct config *c = config_parse(text, strlen(text), "t.ini", err, sizeof err);
	if (!c)
		fail_msg("config_parse: %s", err);
	return c;
}

static void sync_config(struct fx *f, const char *text)
{
	config_free(f->cfg);
	f->cfg = make_config(text);
	if (store_sync_config(f->st, f->cfg, f->err, sizeof f->err) != 0)
		fail_msg("store_sync_config: %s", f->err);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	f->dir = tu_mkdtemp();
	if (!f->dir)
		return -1;
	f->db = tu_path(f->dir, "var/sub/t.db");
	f->st = store_open(f->db, f->err, sizeof f->err);
	if (!f->st) {
		fprintf(stderr, "store_open: %s\n", f->err);
		return -1;
	}
	f->cfg = make_config(base_config);
	if (store_sync_config(f->st, f->cfg, f->err, sizeof f->err) != 0) {
		fprintf(stderr, "store_sync_config: %s\n", f->err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (!f)
		return 0;
	store_close(f->st);
	config_free(f->cfg);
	int rc = f->dir ? tu_rmrf(f->dir) : 0;
	free(f->dir);
	free(f->db);
	free(f);
	return rc;
}

static struct item *add_item(struct feed *fd, const char *id, const char *title, const char *link,
			     int64_t published)
{
	struct item *it = feed_add_item(fd);
	it->id = xstrdup(id);
	it->title = xstrdup(title);
	it->link = xstrdup(link);
	it->published = published;
	return it;
}

static struct store_stats update(struct fx *f, const char *name, enum store_outcome outcome,
				 const struct feed *fd, const char *etag, int64_t at)
{
	struct store_fetch fe = {
		.outcome = outcome,
		.http_status = outcome == STORE_FETCHED ? 200 : outcome == STORE_NOT_MODIFIED ? 304 : 500,
		.etag = etag,
		.feed = fd,
		.error = outcome == STORE_FAILED ? "HTTP 500" : NULL,
		.fetched_at = at,
		.next_due = at + 900,
	};
	struct store_stats stats = {0, 0};
	if (store_update_source(f->st, name, &fe, &stats, f->err, sizeof f->err) != 0)
		fail_msg("store_update_source(%s): %s", name, f->err);
	return stats;
}

static struct feed *category(struct fx *f, const char *slug, int limit)
{
	struct feed *out = feed_new();
	if (store_category_items(f->st, slug, limit, out, f->err, sizeof f->err) != 0)
		fail_msg("store_category_items(%s): %s", slug, f->err);
	return out;
}

static struct feed *fresh(struct fx *f, int limit)
{
	struct feed *out = feed_new();
	if (store_new_items(f->st, limit, out, f->err, sizeof f->err) != 0)
		fail_msg("store_new_items: %s", f->err);
	return out;
}

static void get_source(struct fx *f, const char *name, struct store_source *out)
{
	int rc = store_source_get(f->st, name, out, f->err, sizeof f->err);
	if (rc != 0)
		fail_msg("store_source_get(%s) = %d: %s", name, rc, f->err);
}

/* Three items of s1, handed over oldest in the middle so ordering is the store's work. */
static struct feed *s1_feed(void)
{
	struct feed *fd = feed_new();
	fd->title = xstrdup("Source One");
	fd->link = xstrdup("http://s1.example/");
	add_item(fd, "http://s1.example/2", "Two", "http://s1.example/2", T0 - 3600);
	struct item *it = add_item(fd, "http://s1.example/1", "One", "http://s1.example/1", T0 - 7200);
	item_add_category(it, "politics");
	item_add_category(it, "local");
	struct enclosure *e = item_add_enclosure(it, "http://s1.example/1.mp3");
	e->type = xstrdup("audio/mpeg");
	e->length = 12345;
	item_add_enclosure(it, "http://s1.example/1.jpg");
	it->author = xstrdup("Trọng Toàn");
	it->summary = xstrdup("<p>lead</p>");
	it->content = xstrdup("<p>body</p>");
	it->updated = T0 - 60;
	add_item(fd, "http://s1.example/3", "Three", "http://s1.example/3", T0);
	return fd;
}

static void test_open_creates_schema(void **state)
{
	struct fx *f = *state;
	struct stat sb;
	assert_int_equal(stat(f->db, &sb), 0); /* folder and file created */

	struct feed *fd = s1_feed();
	update(f, "s1", STORE_FETCHED, fd, NULL, T0);
	feed_free(fd);
	store_close(f->st);

	/* Reopening runs the migrations again: nothing breaks, nothing is lost. */
	f->st = store_open(f->db, f->err, sizeof f->err);
	if (!f->st)
		fail_msg("store_open again: %s", f->err);
	store_close(f->st);
	f->st = store_open(f->db, f->err, sizeof f->err);
	if (!f->st)
		fail_msg("store_open a third time: %s", f->err);
	sync_config(f, base_config);
	struct feed *a = category(f, "a", 10);
	assert_int_equal(a->nitems, 3);
	feed_free(a);
	struct store_source src;
	get_source(f, "s1", &src);
	assert_string_equal(src.state, "ok");
	assert_int_equal(src.items, 3);
	store_source_release(&src);
}

static void test_open_fails_cleanly(void **state)
{
	struct fx *f = *state;
	char *file = tu_path(f->dir, "plain-file");
	assert_int_equal(tu_write_file(file, "not a folder\n"), 0);
	char *bad = tu_path(file, "t.db");
	char err[512] = "";
	assert_null(store_open(bad, err, sizeof err));
	assert_true(err[0] != '\0');

	/* a file that is not a database */
	char *junk = tu_path(f->dir, "junk.db");
	assert_int_equal(tu_write_file(junk, "this is certainly not an SQLite database, just text that is long "
					     "enough to fill a header page of the format at least partly...\n"),
			 0);
	err[0] = '\0';
	assert_null(store_open(junk, err, sizeof err));
	assert_true(err[0] != '\0');
	free(junk);
	free(bad);
	free(file);
}

static void test_sync_config(void **state)
{
	struct fx *f = *state;
	struct store_source *list;
	size_t n;
	assert_int_equal(store_source_list(f->st, &list, &n, f->err, sizeof f->err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "s1");
	assert_string_equal(list[0].url, "http://s1.example/feed");
	assert_string_equal(list[0].fetch_url, "http://s1.example/feed");
	assert_string_equal(list[0].state, "new");
	assert_int_equal(list[0].errors, 0);
	assert_int_equal(list[0].last_fetch, 0);
	assert_int_equal(list[0].items, 0);
	assert_string_equal(list[1].name, "s2");
	store_source_list_free(list, n);

	struct store_source src;
	assert_int_equal(store_source_get(f->st, "nope", &src, f->err, sizeof f->err), 1);
	store_source_release(&src);

	/* syncing the same configuration again changes nothing */
	sync_config(f, base_config);
	get_source(f, "s2", &src);
	assert_string_equal(src.state, "new");
	store_source_release(&src);
}

static void test_fetched_inserts_items(void **state)
{
	struct fx *f = *state;
	struct feed *fd = s1_feed();
	struct store_fetch fe = {
		.outcome = STORE_FETCHED,
		.http_status = 200,
		.etag = "\"v1\"",
		.last_modified = "Thu, 18 Nov 2021 11:15:00 GMT",
		.body_hash = "abc",
		.feed = fd,
		.fetched_at = T0 + 100,
		.next_due = T0 + 1000,
	};
	struct store_stats stats = {0, 0};
	assert_int_equal(store_update_source(f->st, "s1", &fe, &stats, f->err, sizeof f->err), 0);
	assert_int_equal(stats.new_items, 3);
	assert_int_equal(stats.updated_items, 0);
	feed_free(fd);

	struct feed *a = category(f, "a", 50);
	assert_int_equal(a->nitems, 3);
	/* newest first */
	assert_string_equal(a->items[0].title, "Three");
	assert_string_equal(a->items[1].title, "Two");
	assert_string_equal(a->items[2].title, "One");
	for (size_t i = 0; i < a->nitems; i++) {
		const struct item *it = &a->items[i];
		assert_non_null(it->uid);
		assert_string_equal(it->uid, it->id); /* URL guids are their own uid */
		assert_non_null(it->source);
		assert_string_equal(it->source, "s1");
		assert_int_equal(it->first_seen, T0 + 100);
	}
	assert_int_equal(a->items[0].published, T0);
	assert_true(a->items[0].updated == DATE_NONE);
	const struct item *one = &a->items[2];
	assert_string_equal(one->link, "http://s1.example/1");
	assert_string_equal(one->author, "Trọng Toàn");
	assert_string_equal(one->summary, "<p>lead</p>");
	assert_string_equal(one->content, "<p>body</p>");
	assert_int_equal(one->updated, T0 - 60);
	assert_int_equal(one->ncategories, 2);
	assert_string_equal(one->categories[0], "politics");
	assert_string_equal(one->categories[1], "local");
	assert_int_equal(one->nenclosures, 2);
	assert_string_equal(one->enclosures[0].url, "http://s1.example/1.mp3");
	assert_string_equal(one->enclosures[0].type, "audio/mpeg");
	assert_int_equal(one->enclosures[0].length, 12345);
	assert_string_equal(one->enclosures[1].url, "http://s1.example/1.jpg");
	assert_null(one->enclosures[1].type);
	assert_int_equal(one->enclosures[1].length, -1);
	assert_string_equal(one->source_title, "Source One");
	feed_free(a);

	/* the limit keeps the newest */
	a = category(f, "a", 2);
	assert_int_equal(a->nitems, 2);
	assert_string_equal(a->items[0].title, "Three");
	assert_string_equal(a->items[1].title, "Two");
	feed_free(a);

	/* s1 is not in category b */
	struct feed *b = category(f, "b", 50);
	assert_int_equal(b->nitems, 0);
	feed_free(b);

	struct store_source src;
	get_source(f, "s1", &src);
	assert_string_equal(src.state, "ok");
	assert_int_equal(src.http_status, 200);
	assert_string_equal(src.etag, "\"v1\"");
	assert_string_equal(src.last_modified, "Thu, 18 Nov 2021 11:15:00 GMT");
	assert_string_equal(src.body_hash, "abc");
	assert_string_equal(src.title, "Source One");
	assert_string_equal(src.link, "http://s1.example/");
	assert_int_equal(src.last_fetch, T0 + 100);
	assert_int_equal(src.last_success, T0 + 100);
	assert_int_equal(src.next_due, T0 + 1000);
	assert_int_equal(src.items, 3);
	assert_int_equal(src.errors, 0);
	assert_null(src.last_error);
	store_source_release(&src);
}

static void test_same_items_report_nothing_new(void **state)
{
	struct fx *f = *state;
	struct feed *fd = s1_feed();
	struct store_stats st = update(f, "s1", STORE_FETCHED, fd, NULL, T0);
	assert_int_equal(st.new_items, 3);
	st = update(f, "s1", STORE_FETCHED, fd, NULL, T0 + 900);
	assert_int_equal(st.new_items, 0);
	assert_int_equal(st.updated_items, 0);
	feed_free(fd);
	struct feed *a = category(f, "a", 50);
	assert_int_equal(a->nitems, 3);
	feed_free(a);
}

static void test_changed_item_is_updated(void **state)
{
	struct fx *f = *state;
	struct feed *fd = s1_feed();
	update(f, "s1", STORE_FETCHED, fd, NULL, T0 + 10);
	free(fd->items[0].title);
	fd->items[0].title = xstrdup("Two, corrected");
	struct store_stats st = update(f, "s1", STORE_FETCHED, fd, NULL, T0 + 5000);
	assert_int_equal(st.new_items, 0);
	assert_int_equal(st.updated_items, 1);
	feed_free(fd);

	struct feed *a = category(f, "a", 50);
	assert_int_equal(a->nitems, 3);
	assert_string_equal(a->items[1].id, "http://s1.example/2");
	assert_string_equal(a->items[1].title, "Two, corrected");
	assert_int_equal(a->items[1].first_seen, T0 + 10); /* kept */
	assert_string_equal(a->items[1].uid, "http://s1.example/2");
	feed_free(a);

	/* a change of categories or enclosures is a change too, and is stored */
	fd = s1_feed();
	free(fd->items[0].title);
	fd->items[0].title = xstrdup("Two, corrected");
	item_add_category(&fd->items[0], "new-tag");
	st = update(f, "s1", STORE_FETCHED, fd, NULL, T0 + 6000);
	assert_int_equal(st.updated_items, 1);
	feed_free(fd);
	a = category(f, "a", 50);
	assert_int_equal(a->items[1].ncategories, 1);
	assert_string_equal(a->items[1].categories[0], "new-tag");
	feed_free(a);
}

static void test_etag_bookkeeping(void **state)
{
	struct fx *f = *state;
	struct feed *fd = s1_feed();
	update(f, "s1", STORE_FETCHED, fd, "\"v1\"", T0);
	struct store_source src;

	/* a 304 without validators keeps the stored ones */
	struct store_stats st = update(f, "s1", STORE_NOT_MODIFIED, NULL, NULL, T0 + 900);
	assert_int_equal(st.new_items, 0);
	get_source(f, "s1", &src);
	assert_string_equal(src.etag, "\"v1\"");
	assert_string_equal(src.state, "ok");
	assert_int_equal(src.http_status, 304);
	assert_int_equal(src.last_fetch, T0 + 900);
	assert_int_equal(src.next_due, T0 + 1800);
	assert_int_equal(src.items, 3);
	store_source_release(&src);

	/* a 304 with a new one replaces it */
	update(f, "s1", STORE_NOT_MODIFIED, NULL, "\"v2\"", T0 + 1800);
	get_source(f, "s1", &src);
	assert_string_equal(src.etag, "\"v2\"");
	store_source_release(&src);

	/* a 200 without one clears it */
	update(f, "s1", STORE_FETCHED, fd, NULL, T0 + 2700);
	get_source(f, "s1", &src);
	assert_null(src.etag);
	store_source_release(&src);
	feed_free(fd);
}

static void test_failure_counts_and_resets(void **state)
{
	struct fx *f = *state;
	struct store_source src;
	update(f, "s2", STORE_FAILED, NULL, NULL, T0);
	get_source(f, "s2", &src);
	assert_string_equal(src.state, "error");
	assert_int_equal(src.errors, 1);
	assert_string_equal(src.last_error, "HTTP 500");
	assert_int_equal(src.http_status, 500);
	assert_int_equal(src.last_fetch, T0);
	assert_int_equal(src.last_success, 0);
	store_source_release(&src);

	update(f, "s2", STORE_FAILED, NULL, NULL, T0 + 60);
	get_source(f, "s2", &src);
	assert_int_equal(src.errors, 2);
	store_source_release(&src);

	struct feed *fd = feed_new();
	add_item(fd, "http://s2.example/x", "X", "http://s2.example/x", T0);
	update(f, "s2", STORE_FETCHED, fd, NULL, T0 + 120);
	feed_free(fd);
	get_source(f, "s2", &src);
	assert_string_equal(src.state, "ok");
	assert_int_equal(src.errors, 0);
	assert_null(src.last_error);
	assert_int_equal(src.last_success, T0 + 120);
	store_source_release(&src);

	/* a failure after a 304 success counts from 1 again, and a 304 also resets */
	update(f, "s2", STORE_FAILED, NULL, NULL, T0 + 180);
	update(f, "s2", STORE_NOT_MODIFIED, NULL, NULL, T0 + 240);
	get_source(f, "s2", &src);
	assert_int_equal(src.errors, 0);
	assert_string_equal(src.state, "ok");
	store_source_release(&src);
}

static void test_unknown_source(void **state)
{
	struct fx *f = *state;
	struct store_fetch fe = {.outcome = STORE_FAILED, .error = "x", .fetched_at = T0};
	f->err[0] = '\0';
	assert_int_equal(store_update_source(f->st, "nope", &fe, NULL, f->err, sizeof f->err), -1);
	assert_non_null(strstr(f->err, "nope"));
}

static void test_new_items_dedupes_links(void **state)
{
	struct fx *f = *state;
	struct feed *one = feed_new();
	add_item(one, "s1-guid-shared", "Shared via s1", "http://news.example/shared", T0);
	add_item(one, "s1-only", "Only s1", "http://news.example/s1", T0 - 100);
	update(f, "s1", STORE_FETCHED, one, NULL, T0);
	feed_free(one);
	struct feed *two = feed_new();
	add_item(two, "s2-guid-shared", "Shared via s2", "http://news.example/shared", T0 - 10);
	add_item(two, "s2-only", "Only s2", "http://news.example/s2", T0 - 200);
	update(f, "s2", STORE_FETCHED, two, NULL, T0);
	feed_free(two);

	/* category lists keep both copies (they come from different sources) */
	struct feed *a = category(f, "a", 50);
	assert_int_equal(a->nitems, 4);
	feed_free(a);

	/* s2 is in a and b, but each article appears once in new, newest first */
	struct feed *n = fresh(f, 50);
	assert_int_equal(n->nitems, 3);
	assert_string_equal(n->items[0].link, "http://news.example/shared");
	assert_string_equal(n->items[0].title, "Shared via s1"); /* the newest copy wins */
	assert_string_equal(n->items[1].link, "http://news.example/s1");
	assert_string_equal(n->items[2].link, "http://news.example/s2");
	size_t shared = 0;
	for (size_t i = 0; i < n->nitems; i++)
		shared += !strcmp(n->items[i].link, "http://news.example/shared");
	assert_int_equal(shared, 1);
	feed_free(n);

	n = fresh(f, 2);
	assert_int_equal(n->nitems, 2);
	feed_free(n);
}

static void test_new_items_same_guid_different_sources(void **state)
{
	struct fx *f = *state;
	/* Plain guids are only unique within their source: "1" of s1 and "1" of s2 are two
	 * different articles (different links, different uids) and both belong in new.*. */
	struct feed *one = feed_new();
	add_item(one, "1", "First of s1", "http://s1.example/a", T0);
	update(f, "s1", STORE_FETCHED, one, NULL, T0);
	feed_free(one);
	struct feed *two = feed_new();
	add_item(two, "1", "First of s2", "http://s2.example/b", T0 - 60);
	update(f, "s2", STORE_FETCHED, two, NULL, T0);
	feed_free(two);

	struct feed *a = category(f, "a", 50);
	assert_int_equal(a->nitems, 2);
	assert_string_not_equal(a->items[0].uid, a->items[1].uid);
	feed_free(a);

	struct feed *n = fresh(f, 50);
	size_t got = n->nitems;
	feed_free(n);
	assert_int_equal(got, 2);
}

static void test_removed_source(void **state)
{
	struct fx *f = *state;
	struct feed *one = feed_new();
	add_item(one, "http://s1.example/a", "From s1", "http://s1.example/a", T0);
	update(f, "s1", STORE_FETCHED, one, NULL, T0);
	feed_free(one);
	struct feed *two = feed_new();
	add_item(two, "http://s2.example/b", "From s2", "http://s2.example/b", T0 - 60);
	update(f, "s2", STORE_FETCHED, two, NULL, T0);
	feed_free(two);

	sync_config(f, "[category a]\n[category b]\n"
		       "[source s2]\nurl = http://s2.example/feed\ncategory = a, b\n");
	struct store_source src;
	get_source(f, "s1", &src);
	assert_string_equal(src.state, "removed");
	assert_int_equal(src.items, 1); /* kept, just not published */
	store_source_release(&src);

	struct store_source *list;
	size_t n;
	assert_int_equal(store_source_list(f->st, &list, &n, f->err, sizeof f->err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "s2");
	assert_string_equal(list[1].name, "s1"); /* removed ones last */
	store_source_list_free(list, n);

	struct feed *a = category(f, "a", 50);
	assert_int_equal(a->nitems, 1);
	assert_string_equal(a->items[0].source, "s2");
	feed_free(a);
	struct feed *nw = fresh(f, 50);
	assert_int_equal(nw->nitems, 1);
	assert_string_equal(nw->items[0].source, "s2");
	feed_free(nw);

	/* configured again: published again */
	sync_config(f, base_config);
	get_source(f, "s1", &src);
	assert_string_not_equal(src.state, "removed");
	store_source_release(&src);
	a = category(f, "a", 50);
	assert_int_equal(a->nitems, 2);
	feed_free(a);
}

static void test_items_follow_source_categories(void **state)
{
	struct fx *f = *state;
	struct feed *one = feed_new();
	add_item(one, "http://s1.example/a", "From s1", "http://s1.example/a", T0);
	update(f, "s1", STORE_FETCHED, one, NULL, T0);
	feed_free(one);

	sync_config(f, "[category a]\n[category b]\n"
		       "[source s1]\nurl = http://s1.example/feed\ncategory = b\n"
		       "[source s2]\nurl = http://s2.example/feed\ncategory = a, b\n");
	struct feed *a = category(f, "a", 50), *b = category(f, "b", 50);
	assert_int_equal(a->nitems, 0);
	assert_int_equal(b->nitems, 1);
	assert_string_equal(b->items[0].title, "From s1");
	feed_free(a);
	feed_free(b);
}

static void test_url_change_resets_fetch_state(void **state)
{
	struct fx *f = *state;
	struct feed *one = feed_new();
	add_item(one, "http://s1.example/a", "From s1", "http://s1.example/a", T0);
	update(f, "s1", STORE_FETCHED, one, "\"v1\"", T0);
	update(f, "s1", STORE_FAILED, NULL, NULL, T0 + 60);
	feed_free(one);

	sync_config(f, "[category a]\n[category b]\n"
		       "[source s1]\nurl = http://moved.example/feed\ncategory = a\n"
		       "[source s2]\nurl = http://s2.example/feed\ncategory = a, b\n");
	struct store_source src;
	get_source(f, "s1", &src);
	assert_string_equal(src.url, "http://moved.example/feed");
	assert_string_equal(src.fetch_url, "http://moved.example/feed");
	assert_null(src.etag);
	assert_int_equal(src.errors, 0);
	assert_int_equal(src.next_due, 0);
	store_source_release(&src);
}

static void test_permanent_redirect(void **state)
{
	struct fx *f = *state;
	struct store_fetch fe = {
		.outcome = STORE_NOT_MODIFIED,
		.http_status = 304,
		.new_url = "https://s1.example/new-feed",
		.fetched_at = T0,
		.next_due = T0 + 60,
	};
	assert_int_equal(store_update_source(f->st, "s1", &fe, NULL, f->err, sizeof f->err), 0);
	struct store_source src;
	get_source(f, "s1", &src);
	assert_string_equal(src.url, "http://s1.example/feed"); /* as configured */
	assert_string_equal(src.fetch_url, "https://s1.example/new-feed");
	store_source_release(&src);

	/* resyncing the unchanged configuration keeps the redirect */
	sync_config(f, base_config);
	get_source(f, "s1", &src);
	assert_string_equal(src.fetch_url, "https://s1.example/new-feed");
	store_source_release(&src);
}

static void test_uids(void **state)
{
	struct fx *f = *state;
	struct feed *fd = feed_new();
	add_item(fd, "http://s1.example/post/1", "URL guid", "http://s1.example/post/1", T0);
	add_item(fd, "post-1", "Plain guid", "http://s1.example/post/2", T0 - 1);
	add_item(fd, "tag:s1.example,2021:3", "Tag URI", "http://s1.example/post/3", T0 - 2);
	add_item(fd, "42", "Number", "http://s1.example/post/4", T0 - 3);
	update(f, "s1", STORE_FETCHED, fd, NULL, T0);
	struct feed *fd2 = feed_new();
	add_item(fd2, "post-1", "Plain guid elsewhere", "http://s2.example/post/1", T0 - 10);
	update(f, "s2", STORE_FETCHED, fd2, NULL, T0);

	struct feed *a = category(f, "a", 50);
	assert_int_equal(a->nitems, 5);
	assert_string_equal(a->items[0].uid, "http://s1.example/post/1");
	const char *plain = a->items[1].uid;
	assert_true(strncmp(plain, "urn:tidings:", 12) == 0);
	assert_true(strlen(plain) > 12 + 16);
	assert_string_equal(a->items[2].uid, "tag:s1.example,2021:3");
	assert_true(strncmp(a->items[3].uid, "urn:tidings:", 12) == 0);
	assert_string_not_equal(a->items[3].uid, plain);
	/* the same plain guid in another source is another article */
	assert_string_equal(a->items[4].source, "s2");
	assert_true(strncmp(a->items[4].uid, "urn:tidings:", 12) == 0);
	assert_string_not_equal(a->items[4].uid, plain);

	/* Stable: a second database fed the same items derives the same uids. */
	char *db2 = tu_path(f->dir, "second.db");
	char err[512] = "";
	struct store *st2 = store_open(db2, err, sizeof err);
	if (!st2)
		fail_msg("store_open: %s", err);
	assert_int_equal(store_sync_config(st2, f->cfg, err, sizeof err), 0);
	struct store_fetch fe = {.outcome = STORE_FETCHED, .http_status = 200, .feed = fd, .fetched_at = T0 + 999};
	assert_int_equal(store_update_source(st2, "s1", &fe, NULL, err, sizeof err), 0);
	struct feed *again = feed_new();
	assert_int_equal(store_category_items(st2, "a", 50, again, err, sizeof err), 0);
	assert_int_equal(again->nitems, 4);
	for (size_t i = 0; i < again->nitems; i++)
		assert_string_equal(again->items[i].uid, a->items[i].uid);
	feed_free(again);
	store_close(st2);
	free(db2);

	/* and an update of the item does not change it */
	free(fd->items[1].title);
	fd->items[1].title = xstrdup("Plain guid, edited");
	update(f, "s1", STORE_FETCHED, fd, NULL, T0 + 60);
	struct feed *b = category(f, "a", 50);
	assert_string_equal(b->items[1].title, "Plain guid, edited");
	assert_string_equal(b->items[1].uid, plain);
	feed_free(b);

	feed_free(a);
	feed_free(fd);
	feed_free(fd2);
}

static void test_undated_item_uses_first_seen(void **state)
{
	struct fx *f = *state;
	struct feed *fd = feed_new();
	add_item(fd, "http://s1.example/old", "Dated old", "http://s1.example/old", T0 - 86400);
	add_item(fd, "http://s1.example/undated", "Undated", "http://s1.example/undated", DATE_NONE);
	add_item(fd, "http://s1.example/future", "Dated new", "http://s1.example/future", T0 + 86400);
	update(f, "s1", STORE_FETCHED, fd, NULL, T0);
	feed_free(fd);
	struct feed *a = category(f, "a", 50);
	assert_int_equal(a->nitems, 3);
	assert_string_equal(a->items[0].title, "Dated new");
	assert_string_equal(a->items[1].title, "Undated"); /* filed at first_seen = T0 */
	assert_true(a->items[1].published == DATE_NONE);
	assert_true(a->items[1].updated == DATE_NONE);
	assert_int_equal(a->items[1].first_seen, T0);
	assert_string_equal(a->items[2].title, "Dated old");
	feed_free(a);
}

#define DAY 86400LL
#define OLD (T0 - 400 * DAY) /* well outside a 365-day retention */
#define CUTOFF (T0 - 365 * DAY)

static struct feed *range(struct fx *f, const char *slug, int64_t first, int64_t last)
{
	struct feed *out = feed_new();
	if (store_category_range(f->st, slug, first, last, out, f->err, sizeof f->err) != 0)
		fail_msg("store_category_range(%s): %s", slug, f->err);
	return out;
}

static int64_t last_seq(struct fx *f, const char *slug)
{
	int64_t n = store_category_last_seq(f->st, slug, f->err, sizeof f->err);
	if (n < 0)
		fail_msg("store_category_last_seq(%s): %s", slug, f->err);
	return n;
}

static int64_t prune(struct fx *f, int64_t cutoff, int per_feed, int new_items)
{
	int64_t deleted = -1;
	if (store_prune(f->st, cutoff, per_feed, new_items, &deleted, f->err, sizeof f->err) != 0)
		fail_msg("store_prune: %s", f->err);
	return deleted;
}

/* The titles of a feed's items joined by ',' (a static buffer). */
static const char *titles(const struct feed *fd)
{
	static char out[1024];
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < fd->nitems && n < sizeof out; i++)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", i ? "," : "",
				      fd->items[i].title ? fd->items[i].title : "(null)");
	return out;
}

/* Frees fd, then fails (naming the caller's line) when its titles are not want. */
static void expect_titles_at(struct feed *fd, const char *want, int line)
{
	const char *got = titles(fd);
	feed_free(fd);
	if (strcmp(got, want))
		fail_msg("line %d: titles \"%s\", want \"%s\"", line, got, want);
}

#define expect_titles(fd, want) expect_titles_at(fd, want, __LINE__)

static int64_t count_items(struct fx *f)
{
	struct store_metrics m;
	assert_int_equal(store_metrics(f->st, &m, f->err, sizeof f->err), 0);
	return m.items;
}

/* Two categories with their own sources: a (s1) and b (s2). */
static const char *const split_config = "[category a]\n[category b]\n"
					"[source s1]\nurl = http://s1.example/feed\ncategory = a\n"
					"[source s2]\nurl = http://s2.example/feed\ncategory = b\n";

/* Category a: a1…a8 arrive in that order (seq 1…8), a1 the newest by date.  Category b: b1…b6
 * (seq 1…6), all dated between a4 and a5.  Everything was fetched and dated 400 days ago. */
static void old_items(struct fx *f)
{
	sync_config(f, split_config);
	struct feed *fa = feed_new();
	for (int i = 1; i <= 8; i++) {
		char id[32], title[16];
		snprintf(id, sizeof id, "http://s1.example/%d", i);
		snprintf(title, sizeof title, "a%d", i);
		add_item(fa, id, title, id, OLD - i * 3600);
	}
	update(f, "s1", STORE_FETCHED, fa, NULL, OLD);
	feed_free(fa);
	struct feed *fb = feed_new();
	for (int j = 1; j <= 6; j++) {
		char id[32], title[16];
		snprintf(id, sizeof id, "http://s2.example/%d", j);
		snprintf(title, sizeof title, "b%d", j);
		add_item(fb, id, title, id, OLD - 4 * 3600 - j * 60);
	}
	update(f, "s2", STORE_FETCHED, fb, NULL, OLD);
	feed_free(fb);
}

static void test_prune_keeps_published(void **state)
{
	struct fx *f = *state;
	old_items(f);
	assert_int_equal(count_items(f), 14);
	assert_int_equal(last_seq(f, "a"), 8);
	assert_int_equal(last_seq(f, "b"), 6);

	/* per_feed 3, new_items 5.  Kept in a: a1 a2 a3 (its newest 3), a4 (newest 5 overall:
	 * a1 a2 a3 a4 b1), a7 a8 (after the last full archive page: seq > (8/3)*3 = 6).
	 * Kept in b: b1 b2 b3 (its newest 3; 6 is a full page, nothing after it). */
	assert_int_equal(prune(f, CUTOFF, 3, 5), 5);
	assert_int_equal(count_items(f), 9);
	expect_titles(range(f, "a", 1, 8), "a1,a2,a3,a4,a7,a8");
	expect_titles(range(f, "b", 1, 6), "b1,b2,b3");
	expect_titles(category(f, "a", 50), "a1,a2,a3,a4,a7,a8");

	/* arrival numbers do not move: the same ranges, the survivors at their old numbers */
	assert_int_equal(last_seq(f, "a"), 8);
	assert_int_equal(last_seq(f, "b"), 6);
	expect_titles(range(f, "a", 5, 6), "");
	expect_titles(range(f, "a", 4, 4), "a4");
	expect_titles(range(f, "a", 7, 8), "a7,a8");
	expect_titles(range(f, "b", 4, 6), "");

	/* a second pass with the same limits finds nothing more to delete */
	assert_int_equal(prune(f, CUTOFF, 3, 5), 0);
	assert_int_equal(count_items(f), 9);

	/* new items continue after the last number, never reusing a pruned one */
	struct feed *fa = feed_new();
	add_item(fa, "http://s1.example/9", "a9", "http://s1.example/9", T0);
	update(f, "s1", STORE_FETCHED, fa, NULL, T0);
	feed_free(fa);
	assert_int_equal(last_seq(f, "a"), 9);
	expect_titles(range(f, "a", 9, 9), "a9");
	expect_titles(range(f, "a", 1, 100), "a1,a2,a3,a4,a7,a8,a9");
	assert_int_equal(last_seq(f, "b"), 6);
}

static void test_prune_each_rule_matters(void **state)
{
	struct fx *f = *state;
	old_items(f);
	/* per_feed 1, new_items 1: a1 (newest of a and overall), b1 (newest of b); tails: a has
	 * 8 = 8 full pages of 1, b 6: nothing after them.  Everything else goes. */
	assert_int_equal(prune(f, CUTOFF, 1, 1), 12);
	expect_titles(range(f, "a", 1, 8), "a1");
	expect_titles(range(f, "b", 1, 6), "b1");
}

static void test_prune_tail_only(void **state)
{
	struct fx *f = *state;
	old_items(f);
	/* per_feed 5: a's newest 5 are a1…a5, its last full page ends at 5, so a6…a8 are the
	 * current documents' tail; b's newest 5 are b1…b5, tail b6 (6 > 5). */
	assert_int_equal(prune(f, CUTOFF, 5, 1), 0);
	/* per_feed 4: a keeps a1…a4, tail none (8 = 2 pages); b keeps b1…b4 and b5 b6 (> 4). */
	assert_int_equal(prune(f, CUTOFF, 4, 1), 4);
	expect_titles(range(f, "a", 1, 8), "a1,a2,a3,a4");
	expect_titles(range(f, "b", 1, 6), "b1,b2,b3,b4,b5,b6");
}

static void test_prune_nothing_old(void **state)
{
	struct fx *f = *state;
	old_items(f);
	/* a cutoff before every date and every first sighting: nothing to do */
	assert_int_equal(prune(f, OLD - 10 * DAY, 1, 1), 0);
	assert_int_equal(count_items(f), 14);
	expect_titles(range(f, "a", 1, 8), "a1,a2,a3,a4,a5,a6,a7,a8");
	/* the cutoff is exclusive: dated and first seen exactly at it is not older */
	struct feed *fd = feed_new();
	add_item(fd, "http://s1.example/edge", "edge", "http://s1.example/edge", OLD - 20 * DAY);
	update(f, "s1", STORE_FETCHED, fd, NULL, OLD - 20 * DAY);
	feed_free(fd);
	assert_int_equal(prune(f, OLD - 20 * DAY, 1, 1), 0);
	assert_int_equal(count_items(f), 15);
}

static void test_prune_age_needs_both_dates(void **state)
{
	struct fx *f = *state;
	sync_config(f, split_config);
	/* first seen 400 days ago: p dated recently (kept), q dated old (pruned), r undated (its
	 * date is its first sighting: pruned) */
	struct feed *one = feed_new();
	add_item(one, "http://s1.example/p", "p", "http://s1.example/p", T0 - 10 * DAY);
	add_item(one, "http://s1.example/q", "q", "http://s1.example/q", OLD - 100);
	add_item(one, "http://s1.example/r", "r", "http://s1.example/r", DATE_NONE);
	update(f, "s1", STORE_FETCHED, one, NULL, OLD);
	feed_free(one);
	/* first seen now: s dated old (kept: seen recently), t the newest */
	struct feed *two = feed_new();
	add_item(two, "http://s1.example/s", "s", "http://s1.example/s", OLD - 50);
	add_item(two, "http://s1.example/t", "t", "http://s1.example/t", T0);
	update(f, "s1", STORE_FETCHED, two, NULL, T0);
	feed_free(two);
	assert_int_equal(last_seq(f, "a"), 5);
	assert_int_equal(prune(f, CUTOFF, 1, 1), 2);
	expect_titles(range(f, "a", 1, 5), "p,s,t");
	struct store_source src;
	get_source(f, "s1", &src);
	assert_int_equal(src.items, 3);
	store_source_release(&src);
}

/* new.* shows the newest new_items articles, each once: when two sources carry the same article
 * the feed reaches further back, and what it shows is still published, so it stays. */
static void test_prune_keeps_what_new_feed_shows(void **state)
{
	struct fx *f = *state;
	sync_config(f, "[category a]\n"
		       "[source s1]\nurl = http://s1.example/feed\ncategory = a\n"
		       "[source s2]\nurl = http://s2.example/feed\ncategory = a\n");
	struct feed *fd = feed_new();
	add_item(fd, "http://s2.example/y", "Y", "http://news.example/y", OLD + 10);
	update(f, "s2", STORE_FETCHED, fd, NULL, OLD);
	feed_free(fd);
	fd = feed_new();
	add_item(fd, "http://s1.example/x", "X", "http://news.example/x", OLD + 100);
	update(f, "s1", STORE_FETCHED, fd, NULL, OLD);
	feed_free(fd);
	fd = feed_new();
	add_item(fd, "http://s2.example/x", "X again", "http://news.example/x", OLD + 90);
	update(f, "s2", STORE_FETCHED, fd, NULL, OLD + 1);
	feed_free(fd);
	expect_titles(fresh(f, 2), "X,Y");
	prune(f, CUTOFF, 2, 2);
	expect_titles(fresh(f, 2), "X,Y");
}

static void test_arrival_numbers(void **state)
{
	struct fx *f = *state;
	assert_int_equal(last_seq(f, "a"), 0);
	assert_int_equal(last_seq(f, "b"), 0);
	assert_int_equal(last_seq(f, "no-such-category"), 0);
	expect_titles(range(f, "a", 1, 100), "");

	/* s1 is in a; s2 in a and b.  Numbers follow arrival, not dates. */
	struct feed *one = feed_new();
	add_item(one, "http://s1.example/1", "one", "http://s1.example/1", T0 - 100);
	add_item(one, "http://s1.example/2", "two", "http://s1.example/2", T0 - 500);
	update(f, "s1", STORE_FETCHED, one, NULL, T0);
	struct feed *two = feed_new();
	add_item(two, "http://s2.example/3", "three", "http://s2.example/3", T0 - 900);
	add_item(two, "http://s2.example/4", "four", "http://s2.example/4", T0);
	update(f, "s2", STORE_FETCHED, two, NULL, T0 + 60);
	assert_int_equal(last_seq(f, "a"), 4);
	assert_int_equal(last_seq(f, "b"), 2);
	expect_titles(range(f, "a", 1, 4), "one,two,three,four");
	expect_titles(range(f, "a", 2, 3), "two,three");
	expect_titles(range(f, "a", 4, 4), "four");
	expect_titles(range(f, "a", 5, 10), "");
	expect_titles(range(f, "a", 3, 2), "");
	expect_titles(range(f, "b", 1, 2), "three,four");
	expect_titles(range(f, "b", 1, 1), "three");

	/* the range carries what publishing needs */
	struct feed *r = range(f, "b", 2, 2);
	assert_int_equal(r->nitems, 1);
	assert_string_equal(r->items[0].uid, "http://s2.example/4");
	assert_string_equal(r->items[0].source, "s2");
	assert_int_equal(r->items[0].first_seen, T0 + 60);
	feed_free(r);

	/* the same items again, or an updated one: no new numbers */
	update(f, "s1", STORE_FETCHED, one, NULL, T0 + 120);
	free(two->items[0].title);
	two->items[0].title = xstrdup("three, edited");
	struct store_stats st = update(f, "s2", STORE_FETCHED, two, NULL, T0 + 180);
	assert_int_equal(st.updated_items, 1);
	assert_int_equal(st.new_items, 0);
	assert_int_equal(last_seq(f, "a"), 4);
	assert_int_equal(last_seq(f, "b"), 2);
	expect_titles(range(f, "a", 1, 4), "one,two,three, edited,four");

	/* a new item continues the numbering in each of its categories */
	add_item(two, "http://s2.example/5", "five", "http://s2.example/5", T0 - 99999);
	update(f, "s2", STORE_FETCHED, two, NULL, T0 + 240);
	assert_int_equal(last_seq(f, "a"), 5);
	assert_int_equal(last_seq(f, "b"), 3);
	expect_titles(range(f, "a", 5, 5), "five");
	expect_titles(range(f, "b", 3, 3), "five");
	feed_free(one);
	feed_free(two);

	/* numbers survive closing and reopening the database */
	store_close(f->st);
	f->st = store_open(f->db, f->err, sizeof f->err);
	if (!f->st)
		fail_msg("store_open again: %s", f->err);
	assert_int_equal(last_seq(f, "a"), 5);
	expect_titles(range(f, "a", 1, 5), "one,two,three, edited,four,five");

	/* s1 joins b: its items continue b's numbering, in the order they arrived */
	sync_config(f, "[category a]\n[category b]\n"
		       "[source s1]\nurl = http://s1.example/feed\ncategory = a, b\n"
		       "[source s2]\nurl = http://s2.example/feed\ncategory = a, b\n");
	assert_int_equal(last_seq(f, "b"), 5);
	expect_titles(range(f, "b", 1, 5), "three, edited,four,five,one,two");
	expect_titles(range(f, "b", 4, 4), "one"); /* one number each */
	expect_titles(range(f, "b", 5, 5), "two");
	assert_int_equal(last_seq(f, "a"), 7); /* s1's links to a were made again: numbers 6 and 7 */
	expect_titles(range(f, "a", 6, 6), "one");
	expect_titles(range(f, "a", 7, 7), "two");
	expect_titles(range(f, "a", 1, 7), "three, edited,four,five,one,two");
}

/* A database from before schema 5 (its trigger numbered each new link with a second update of
 * the row) is migrated: the counting trigger replaces it, and the numbering goes on. */
static void test_migrates_numbering_trigger(void **state)
{
	struct fx *f = *state;
	struct feed *one = feed_new();
	add_item(one, "http://s1.example/1", "one", "http://s1.example/1", T0);
	update(f, "s1", STORE_FETCHED, one, NULL, T0);
	store_close(f->st);
	f->st = NULL;

	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "DROP TRIGGER item_category_count;"
				      "CREATE TRIGGER item_category_number AFTER INSERT ON item_category BEGIN"
				      "  UPDATE category SET last_seq = last_seq + 1 WHERE id = NEW.category_id;"
				      "  UPDATE item_category SET seq = (SELECT last_seq FROM category WHERE id = NEW.category_id)"
				      "    WHERE category_id = NEW.category_id AND item_id = NEW.item_id;"
				      "END;"
				      "DROP INDEX item_seen;"
				      "CREATE INDEX item_sort ON item (sort_date DESC, id DESC);"
				      "PRAGMA user_version = 4;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);

	f->st = store_open(f->db, f->err, sizeof f->err);
	if (!f->st)
		fail_msg("store_open of a schema 4 database: %s", f->err);
	add_item(one, "http://s1.example/2", "two", "http://s1.example/2", T0 - 60);
	update(f, "s1", STORE_FETCHED, one, NULL, T0 + 60);
	feed_free(one);
	assert_int_equal(last_seq(f, "a"), 2);
	expect_titles(range(f, "a", 1, 1), "one");
	expect_titles(range(f, "a", 2, 2), "two");

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(name) FROM sqlite_master WHERE type = 'trigger'",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "item_category_count");
	sqlite3_finalize(st);
	/* schema 6: no index over every item by date; one by first sight for retention */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(name) FROM sqlite_master"
					    " WHERE type = 'index' AND tbl_name = 'item' AND sql IS NOT NULL",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "item_seen");
	sqlite3_finalize(st);
	sqlite3_close(db);
	struct feed *n = fresh(f, 10);
	expect_titles(n, "one,two");
}

/* new.* merges the categories' date-ordered links: every categorised item once, in the order of
 * one query over all items by (sort_date, id), whatever the interleaving, ties and overlaps. */
static void test_new_items_merge_order(void **state)
{
	struct fx *f = *state;
	sync_config(f, "[category a]\n[category b]\n[category c]\n"
		       "[source s1]\nurl = http://s1.example/feed\ncategory = a\n"
		       "[source s2]\nurl = http://s2.example/feed\ncategory = a, b\n"
		       "[source s3]\nurl = http://s3.example/feed\ncategory = c\n"
		       "[source s4]\nurl = http://s4.example/feed\ncategory = b, c\n"
		       "[source s5]\nurl = http://s5.example/feed\ncategory = a\n");
	static const char *const names[] = {"s1", "s2", "s3", "s4", "s5"};
	uint32_t x = 12345;
	for (int round = 0; round < 3; round++)
		for (int k = 0; k < 5; k++) {
			struct feed *fd = feed_new();
			for (int i = 0; i < 40; i++) {
				x = x * 1103515245u + 12345u;
				char id[64];
				snprintf(id, sizeof id, "http://%s.example/%d/%d", names[k], round, i);
				/* few distinct dates, so that many items tie on the date */
				add_item(fd, id, id, id, T0 - (int64_t)(x >> 16) % 37 * 600);
			}
			update(f, names[k], STORE_FETCHED, fd, NULL, T0 + round);
			feed_free(fd);
		}
	/* s5 leaves: its items lose their categories and drop out of new.* */
	sync_config(f, "[category a]\n[category b]\n[category c]\n"
		       "[source s1]\nurl = http://s1.example/feed\ncategory = a\n"
		       "[source s2]\nurl = http://s2.example/feed\ncategory = a, b\n"
		       "[source s3]\nurl = http://s3.example/feed\ncategory = c\n"
		       "[source s4]\nurl = http://s4.example/feed\ncategory = b, c\n");

	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT i.uid FROM item i WHERE EXISTS (SELECT 1 FROM item_category ic"
					    " WHERE ic.item_id = i.id) ORDER BY i.sort_date DESC, i.id DESC",
					    -1, &st, NULL),
			 SQLITE_OK);
	struct feed *n = fresh(f, 1000);
	size_t i = 0;
	for (; sqlite3_step(st) == SQLITE_ROW; i++) {
		if (i >= n->nitems)
			fail_msg("new.* ends after %zu items", i);
		assert_string_equal(n->items[i].uid, (const char *)sqlite3_column_text(st, 0));
	}
	assert_int_equal(i, 4 * 3 * 40);
	assert_int_equal(n->nitems, i);
	feed_free(n);
	n = fresh(f, 7);
	assert_int_equal(n->nitems, 7);
	feed_free(n);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_gone(void **state)
{
	struct fx *f = *state;
	struct store_fetch fe = {
		.outcome = STORE_GONE,
		.http_status = 410,
		.error = "HTTP 410",
		.fetched_at = T0,
		.next_due = T0 + 365 * DAY,
	};
	assert_int_equal(store_update_source(f->st, "s1", &fe, NULL, f->err, sizeof f->err), 0);
	struct store_source src;
	get_source(f, "s1", &src);
	assert_string_equal(src.state, "gone");
	assert_int_equal(src.http_status, 410);
	assert_int_equal(src.last_fetch, T0);
	assert_int_equal(src.next_due, T0 + 365 * DAY);
	assert_string_equal(src.last_error, "HTTP 410");
	assert_int_equal(src.last_success, 0);
	store_source_release(&src);
	get_source(f, "s2", &src);
	assert_string_equal(src.state, "new"); /* the other source is untouched */
	store_source_release(&src);

	/* resyncing the same configuration keeps it gone */
	sync_config(f, base_config);
	get_source(f, "s1", &src);
	assert_string_equal(src.state, "gone");
	store_source_release(&src);

	/* a successful fetch (poll NAME) brings it back */
	struct feed *fd = feed_new();
	add_item(fd, "http://s1.example/1", "back", "http://s1.example/1", T0);
	update(f, "s1", STORE_FETCHED, fd, NULL, T0 + 60);
	feed_free(fd);
	get_source(f, "s1", &src);
	assert_string_equal(src.state, "ok");
	assert_int_equal(src.errors, 0);
	store_source_release(&src);
}

static void get_metrics(struct fx *f, struct store_metrics *m)
{
	if (store_metrics(f->st, m, f->err, sizeof f->err) != 0)
		fail_msg("store_metrics: %s", f->err);
}

static void test_metrics(void **state)
{
	struct fx *f = *state;
	struct store_metrics m;
	get_metrics(f, &m);
	assert_int_equal(m.sources_new, 2);
	assert_int_equal(m.sources_ok, 0);
	assert_int_equal(m.sources_error, 0);
	assert_int_equal(m.sources_removed, 0);
	assert_int_equal(m.items, 0);
	assert_int_equal(m.failing_fetches, 0);
	assert_int_equal(m.last_fetch, 0);

	struct feed *fd = s1_feed();
	update(f, "s1", STORE_FETCHED, fd, NULL, T0);
	feed_free(fd);
	update(f, "s2", STORE_FAILED, NULL, NULL, T0 + 30);
	update(f, "s2", STORE_FAILED, NULL, NULL, T0 + 90);
	get_metrics(f, &m);
	assert_int_equal(m.sources_ok, 1);
	assert_int_equal(m.sources_error, 1);
	assert_int_equal(m.sources_new, 0);
	assert_int_equal(m.items, 3);
	assert_int_equal(m.failing_fetches, 2);
	assert_int_equal(m.last_fetch, T0 + 90);

	/* a removed source: counted as removed, its items still stored */
	sync_config(f, "[category a]\n[category b]\n"
		       "[source s2]\nurl = http://s2.example/feed\ncategory = a, b\n");
	get_metrics(f, &m);
	assert_int_equal(m.sources_removed, 1);
	assert_int_equal(m.sources_ok, 0);
	assert_int_equal(m.sources_error, 1);
	assert_int_equal(m.items, 3);
}

/* A source answering 410 is gone, not new: /metrics must not report it as never fetched. */
static void test_metrics_gone_is_not_new(void **state)
{
	struct fx *f = *state;
	struct store_fetch fe = {.outcome = STORE_GONE, .http_status = 410, .error = "HTTP 410",
				 .fetched_at = T0, .next_due = T0 + DAY};
	assert_int_equal(store_update_source(f->st, "s1", &fe, NULL, f->err, sizeof f->err), 0);
	struct store_metrics m;
	get_metrics(f, &m);
	assert_int_equal(m.sources_ok, 0);
	assert_int_equal(m.sources_error, 0);
	assert_int_equal(m.sources_new, 1); /* s2 only */
	assert_int_equal(m.last_fetch, T0);
}

/* A first fetch inserts without looking first; a guid given twice in it still makes one item,
 * updated by the second, as in any later fetch. */
static void test_first_fetch_duplicate_guid(void **state)
{
	struct fx *f = *state;
	struct feed *fd = feed_new();
	add_item(fd, "http://s1.example/a", "A first", "http://s1.example/a", T0 - 60);
	add_item(fd, "http://s1.example/b", "B", "http://s1.example/b", T0 - 30);
	add_item(fd, "http://s1.example/a", "A again", "http://s1.example/a", T0 - 60);
	add_item(fd, "http://s1.example/b", "B", "http://s1.example/b", T0 - 30); /* the same again */
	struct store_stats st = update(f, "s1", STORE_FETCHED, fd, NULL, T0);
	assert_int_equal(st.new_items, 2);
	assert_int_equal(st.updated_items, 1);
	feed_free(fd);
	struct feed *out = category(f, "a", 10);
	assert_int_equal(out->nitems, 2);
	assert_string_equal(out->items[0].title, "B");
	assert_string_equal(out->items[1].title, "A again");
	feed_free(out);
	/* a later fetch of the same items changes nothing */
	fd = feed_new();
	add_item(fd, "http://s1.example/a", "A again", "http://s1.example/a", T0 - 60);
	add_item(fd, "http://s1.example/c", "C", "http://s1.example/c", T0);
	st = update(f, "s1", STORE_FETCHED, fd, NULL, T0 + 60);
	assert_int_equal(st.new_items, 1);
	assert_int_equal(st.updated_items, 0);
	feed_free(fd);
}

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* count fetches of s1, each with 20 new items of 4 KB, so that each takes some 30 WAL frames. */
static void write_batches(struct fx *f, int first, int count)
{
	char *body = malloc(4001);
	assert_non_null(body);
	memset(body, 'x', 4000);
	body[4000] = '\0';
	for (int k = first; k < first + count; k++) {
		struct feed *fd = feed_new();
		for (int i = 0; i < 20; i++) {
			char id[64];
			snprintf(id, sizeof id, "http://s1.example/%d/%d", k, i);
			add_item(fd, id, "T", id, T0 - k * 60 - i)->content = xstrdup(body);
		}
		update(f, "s1", STORE_FETCHED, fd, NULL, T0 + k);
		feed_free(fd);
	}
	free(body);
}

/* Write-behind copies committed pages into the database file while the writer goes on; without
 * it, nothing reaches the file before the writer's own checkpoint at 8,000 frames. */
static void test_write_behind(void **state)
{
	struct fx *f = *state;
	long long start = file_size(f->db);
	write_batches(f, 0, 60);
	assert_int_equal(file_size(f->db), start);

	assert_int_equal(store_write_behind(f->st, 1), 0);
	assert_int_equal(store_write_behind(f->st, 1), 0); /* already on */
	write_batches(f, 60, 60);
	long long grown = file_size(f->db);
	for (int i = 0; i < 500 && grown < start + 60 * 20 * 4096; i++) {
		tu_sleep_ms(10);
		grown = file_size(f->db);
	}
	assert_true(grown >= start + 60 * 20 * 4096);
	assert_int_equal(store_write_behind(f->st, 0), 0);
	assert_int_equal(store_write_behind(f->st, 0), 0); /* already off */

	store_close(f->st);
	f->st = store_open(f->db, f->err, sizeof f->err);
	assert_non_null(f->st);
	struct feed *out = category(f, "a", 5000);
	assert_int_equal(out->nitems, 120 * 20);
	feed_free(out);
}

static void test_close_null(void **state)
{
	(void)state;
	store_close(NULL);
}

#define FX(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

/* Failed article links of a listing are counted per source and link; known items answer too. */
static void test_link_failures(void **state)
{
	struct fx *f = *state;
	const char *url = "https://example.org/a/broken-1234.html";
	assert_int_equal(store_link_failures(f->st, "s1", url, f->err, sizeof f->err), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(store_link_failed(f->st, "s1", url, T0 + i, f->err, sizeof f->err), 0);
	assert_int_equal(store_link_failures(f->st, "s1", url, f->err, sizeof f->err), 3);
	assert_int_equal(store_link_failures(f->st, "s2", url, f->err, sizeof f->err), 0);
	assert_int_equal(store_item_known(f->st, "s1", url, f->err, sizeof f->err), 0);
	struct feed *fd = s1_feed();
	update(f, "s1", STORE_FETCHED, fd, NULL, T0);
	int known = store_item_known(f->st, "s1", fd->items[0].id, f->err, sizeof f->err);
	feed_free(fd);
	assert_int_equal(known, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX(test_link_failures),
		FX(test_open_creates_schema),
		FX(test_open_fails_cleanly),
		FX(test_sync_config),
		FX(test_fetched_inserts_items),
		FX(test_same_items_report_nothing_new),
		FX(test_changed_item_is_updated),
		FX(test_etag_bookkeeping),
		FX(test_failure_counts_and_resets),
		FX(test_unknown_source),
		FX(test_new_items_dedupes_links),
		FX(test_new_items_same_guid_different_sources),
		FX(test_removed_source),
		FX(test_items_follow_source_categories),
		FX(test_url_change_resets_fetch_state),
		FX(test_permanent_redirect),
		FX(test_uids),
		FX(test_undated_item_uses_first_seen),
		FX(test_prune_keeps_published),
		FX(test_prune_each_rule_matters),
		FX(test_prune_tail_only),
		FX(test_prune_nothing_old),
		FX(test_prune_age_needs_both_dates),
		FX(test_prune_keeps_what_new_feed_shows),
		FX(test_arrival_numbers),
		FX(test_migrates_numbering_trigger),
		FX(test_new_items_merge_order),
		FX(test_gone),
		FX(test_metrics),
		FX(test_metrics_gone_is_not_new),
		FX(test_write_behind),
		FX(test_first_fetch_duplicate_guid),
		cmocka_unit_test(test_close_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
