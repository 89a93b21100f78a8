/* Unit tests for store: schema, config sync, fetch bookkeeping, items, uids, category lists. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static void test_close_null(void **state)
{
	(void)state;
	store_close(NULL);
}

#define FX(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
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
		cmocka_unit_test(test_close_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
