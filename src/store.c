#include "store.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "buf.h"

/* Forward migrations: schema version N is reached by running migrations[N-1]. */
static const char *const migrations[] = {
	/* 1: initial schema */
	"CREATE TABLE source ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  url TEXT NOT NULL,"             /* as configured */
	"  fetch_url TEXT NOT NULL,"       /* follows permanent redirects */
	"  state TEXT NOT NULL DEFAULT 'new',"
	"  title TEXT, link TEXT,"
	"  etag TEXT, last_modified TEXT, body_hash TEXT,"
	"  http_status INTEGER NOT NULL DEFAULT 0,"
	"  last_fetch INTEGER NOT NULL DEFAULT 0,"
	"  last_success INTEGER NOT NULL DEFAULT 0,"
	"  next_due INTEGER NOT NULL DEFAULT 0,"
	"  errors INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT"
	");"
	"CREATE TABLE category ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL"
	");"
	"CREATE TABLE source_category ("
	"  source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,"
	"  category_id INTEGER NOT NULL REFERENCES category(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (source_id, category_id)"
	") WITHOUT ROWID;"
	/* One row per article of a source; guid is unique per source.  sort_date is the published
	 * date, else the updated date, else first_seen (date_guessed = 1 then). */
	"CREATE TABLE item ("
	"  id INTEGER PRIMARY KEY,"
	"  source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,"
	"  guid TEXT NOT NULL,"
	"  uid TEXT NOT NULL,"
	"  title TEXT, link TEXT, author TEXT, summary TEXT, content TEXT,"
	"  published INTEGER, updated INTEGER,"
	"  first_seen INTEGER NOT NULL,"
	"  sort_date INTEGER NOT NULL,"
	"  date_guessed INTEGER NOT NULL DEFAULT 0,"
	"  hash TEXT NOT NULL,"
	"  UNIQUE (source_id, guid)"
	");"
	"CREATE INDEX item_sort ON item (sort_date DESC, id DESC);"
	"CREATE TABLE item_category ("
	"  item_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,"
	"  category_id INTEGER NOT NULL REFERENCES category(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (category_id, item_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX item_category_item ON item_category (item_id);"
	"CREATE TABLE item_tag ("
	"  item_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,"
	"  pos INTEGER NOT NULL,"
	"  term TEXT NOT NULL,"
	"  PRIMARY KEY (item_id, pos)"
	") WITHOUT ROWID;"
	"CREATE TABLE enclosure ("
	"  item_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,"
	"  pos INTEGER NOT NULL,"
	"  url TEXT NOT NULL,"
	"  type TEXT,"
	"  length INTEGER,"
	"  PRIMARY KEY (item_id, pos)"
	") WITHOUT ROWID;",
	/* 2: category lists read newest first straight from an index; removed sources keep their
	 * items but lose their category links, so every category query reads item_category alone. */
	"ALTER TABLE item_category ADD COLUMN sort_date INTEGER NOT NULL DEFAULT 0;"
	"UPDATE item_category SET sort_date ="
	"  (SELECT sort_date FROM item WHERE item.id = item_category.item_id);"
	"CREATE INDEX item_category_sort ON item_category (category_id, sort_date DESC, item_id DESC);"
	"DELETE FROM item_category WHERE item_id IN"
	"  (SELECT i.id FROM item i JOIN source s ON s.id = i.source_id WHERE s.state = 'removed');"
	"DELETE FROM source_category WHERE source_id IN (SELECT id FROM source WHERE state = 'removed');",
	/* 3: every link of an item to a category gets the category's next arrival number (seq), so
	 * archive pages stay the same when older items are pruned.  last_seq is the counter. */
	"ALTER TABLE item_category ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE category ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;"
	"CREATE TEMP TABLE seqs AS SELECT item_id, category_id,"
	"  ROW_NUMBER() OVER (PARTITION BY category_id ORDER BY item_id) AS rn FROM item_category;"
	"UPDATE item_category SET seq = seqs.rn FROM seqs"
	"  WHERE seqs.item_id = item_category.item_id AND seqs.category_id = item_category.category_id;"
	"DROP TABLE seqs;"
	"UPDATE category SET last_seq ="
	"  COALESCE((SELECT MAX(seq) FROM item_category WHERE category_id = category.id), 0);"
	"CREATE INDEX item_category_seq ON item_category (category_id, seq);"
	"CREATE TRIGGER item_category_number AFTER INSERT ON item_category BEGIN"
	"  UPDATE category SET last_seq = last_seq + 1 WHERE id = NEW.category_id;"
	"  UPDATE item_category SET seq = (SELECT last_seq FROM category WHERE id = NEW.category_id)"
	"    WHERE category_id = NEW.category_id AND item_id = NEW.item_id;"
	"END;",
	/* 4: article pages of a listing that failed: after a few failures a link waits its turn
	 * behind the others, so broken links never hold up new articles. */
	"CREATE TABLE link_failure ("
	"  source_id INTEGER NOT NULL REFERENCES source(id) ON DELETE CASCADE,"
	"  url TEXT NOT NULL,"
	"  failures INTEGER NOT NULL,"
	"  last_try INTEGER NOT NULL,"
	"  PRIMARY KEY (source_id, url)"
	") WITHOUT ROWID;",
	/* 5: the inserts number their rows themselves (seq = last_seq + 1, read in the same
	 * statement), so the trigger only counts: writing each new row twice cost a second update
	 * of the row and of its seq index entry. */
	"DROP TRIGGER item_category_number;"
	"CREATE TRIGGER item_category_count AFTER INSERT ON item_category BEGIN"
	"  UPDATE category SET last_seq = last_seq + 1 WHERE id = NEW.category_id;"
	"END;",
	/* 6: new.* merges the categories' date-ordered links instead of reading an index over every
	 * item by date, whose leaves a first poll of old-dated items rewrote at scattered places in
	 * every transaction; retention finds old items by when they were first seen, an index that
	 * only ever grows at its end. */
	"DROP INDEX item_sort; CREATE INDEX item_seen ON item (first_seen);",
};

enum stmt_id {
	ST_SOURCE_ID,
	ST_ITEM_FIND,
	ST_ITEM_KNOWN,
	ST_ITEM_INSERT,
	ST_ITEM_UPDATE,
	ST_ITEM_CATS,
	ST_ITEM_CATS_DATE,
	ST_TAG_DEL,
	ST_TAG_INS,
	ST_ENC_DEL,
	ST_ENC_INS,
	ST_TAGS_OF,
	ST_ENCS_OF,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_SOURCE_ID] = "SELECT id FROM source WHERE name = ?1",
	[ST_ITEM_FIND] = "SELECT id, hash FROM item WHERE source_id = ?1 AND guid = ?2",
	[ST_ITEM_KNOWN] = "SELECT 1 FROM item JOIN source s ON s.id = item.source_id"
			  " WHERE s.name = ?1 AND item.guid = ?2",
	[ST_ITEM_INSERT] = "INSERT INTO item (source_id, guid, uid, title, link, author, summary, content,"
			   " published, updated, first_seen, sort_date, date_guessed, hash)"
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[ST_ITEM_UPDATE] = "UPDATE item SET title = ?2, link = ?3, author = ?4, summary = ?5, content = ?6,"
			   " published = ?7, updated = ?8,"
			   " sort_date = COALESCE(?7, ?8, first_seen), date_guessed = (?7 IS NULL AND ?8 IS NULL),"
			   " hash = ?9 WHERE id = ?1",
	/* one row per category of the source: each reads its category's counter once */
	[ST_ITEM_CATS] = "INSERT OR IGNORE INTO item_category (item_id, category_id, sort_date, seq)"
			 " SELECT ?1, sc.category_id, ?3, c.last_seq + 1 FROM source_category sc"
			 " JOIN category c ON c.id = sc.category_id WHERE sc.source_id = ?2",
	[ST_ITEM_CATS_DATE] = "UPDATE item_category SET sort_date ="
			      " (SELECT sort_date FROM item WHERE id = ?1) WHERE item_id = ?1",
	[ST_TAG_DEL] = "DELETE FROM item_tag WHERE item_id = ?1",
	[ST_TAG_INS] = "INSERT INTO item_tag (item_id, pos, term) VALUES (?1, ?2, ?3)",
	[ST_ENC_DEL] = "DELETE FROM enclosure WHERE item_id = ?1",
	[ST_ENC_INS] = "INSERT INTO enclosure (item_id, pos, url, type, length) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_TAGS_OF] = "SELECT term FROM item_tag WHERE item_id = ?1 ORDER BY pos",
	[ST_ENCS_OF] = "SELECT url, type, length FROM enclosure WHERE item_id = ?1 ORDER BY pos",
};

#define CACHED_MAX 32

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmts[ST_COUNT];
	/* Statements of run() and cached(), prepared once: keyed by the address of their SQL text,
	 * which is always a string literal. */
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[CACHED_MAX];
	int ncached;
	struct behind *behind; /* background checkpoints, or NULL */
};

/* Checkpoints behind the writer: a thread with a connection of its own copies committed WAL
 * frames into the database file while the writer goes on, so that the writer's own checkpoint at
 * WAL_FRAMES_MAX only copies what came after.  The copying (reading the WAL, writing the pages)
 * is most of a checkpoint. */
#define BEHIND_FRAMES 1000 /* frames committed since the last background checkpoint that start one */
#define WAL_FRAMES_MAX 8000 /* the writer checkpoints itself (and so restarts the WAL) past this */
struct behind {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	sqlite3 *db;
	int frames, done, stop;
};

static void *behind_thread(void *arg)
{
	struct behind *b = arg;
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->stop && b->frames - b->done < BEHIND_FRAMES)
			pthread_cond_wait(&b->cv, &b->mu);
		if (b->stop)
			break;
		b->done = b->frames;
		pthread_mutex_unlock(&b->mu);
		sqlite3_wal_checkpoint_v2(b->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&b->mu);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* The writer's WAL hook, after each commit: n frames are in the WAL. */
static int behind_hook(void *arg, sqlite3 *db, const char *name, int n)
{
	struct behind *b = arg;
	if (n >= WAL_FRAMES_MAX) {
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&b->mu);
		b->frames = b->done = 0;
		pthread_mutex_unlock(&b->mu);
		return SQLITE_OK;
	}
	pthread_mutex_lock(&b->mu);
	if (n < b->frames)
		b->done = 0; /* the WAL was restarted */
	b->frames = n;
	if (n - b->done >= BEHIND_FRAMES)
		pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	return SQLITE_OK;
}

int store_write_behind(struct store *s, int on)
{
	struct behind *b = s->behind;
	if (on && !b) {
		const char *path = sqlite3_db_filename(s->db, "main");
		b = xcalloc(1, sizeof *b);
		if (!path || !*path ||
		    sqlite3_open_v2(path, &b->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
			sqlite3_close(b->db);
			free(b);
			return -1;
		}
		sqlite3_busy_timeout(b->db, 10000);
		/* a first read opens the WAL, which the connection's checkpoints need */
		sqlite3_exec(b->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
		pthread_mutex_init(&b->mu, NULL);
		pthread_cond_init(&b->cv, NULL);
		if (pthread_create(&b->thread, NULL, behind_thread, b) != 0) {
			sqlite3_close(b->db);
			pthread_mutex_destroy(&b->mu);
			pthread_cond_destroy(&b->cv);
			free(b);
			return -1;
		}
		s->behind = b;
		sqlite3_wal_hook(s->db, behind_hook, b);
	} else if (!on && b) {
		sqlite3_wal_autocheckpoint(s->db, WAL_FRAMES_MAX);
		pthread_mutex_lock(&b->mu);
		b->stop = 1;
		pthread_cond_signal(&b->cv);
		pthread_mutex_unlock(&b->mu);
		pthread_join(b->thread, NULL);
		sqlite3_close(b->db);
		pthread_mutex_destroy(&b->mu);
		pthread_cond_destroy(&b->cv);
		free(b);
		s->behind = NULL;
	}
	return 0;
}

static int db_fail(struct store *s, char *err, size_t errlen, const char *what)
{
	util_errf(err, errlen, "store: %s: %s", what, sqlite3_errmsg(s->db));
	return -1;
}

static sqlite3_stmt *stmt(struct store *s, enum stmt_id id)
{
	if (!s->stmts[id] && sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
						&s->stmts[id], NULL) != SQLITE_OK)
		return NULL;
	sqlite3_reset(s->stmts[id]);
	sqlite3_clear_bindings(s->stmts[id]);
	return s->stmts[id];
}

/* The prepared statement of sql (a string literal), reset and unbound; NULL when it cannot be
 * prepared.  The caller resets it after use, so that it holds no read transaction open. */
static sqlite3_stmt *cached(struct store *s, const char *sql)
{
	for (int i = 0; i < s->ncached; i++)
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].st);
			sqlite3_clear_bindings(s->cache[i].st);
			return s->cache[i].st;
		}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	if (s->ncached == CACHED_MAX) { /* more call sites than foreseen: the oldest goes */
		sqlite3_finalize(s->cache[0].st);
		memmove(s->cache, s->cache + 1, (CACHED_MAX - 1) * sizeof *s->cache);
		s->ncached--;
	}
	s->cache[s->ncached].sql = sql;
	s->cache[s->ncached++].st = st;
	return st;
}

static int exec(struct store *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		util_errf(err, errlen, "store: %s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Binds v without a copy: for the large item fields, bound only around step_unbind. */
static void bind_text_ref(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Runs a statement that returns no rows, then drops its bindings, so that nothing bound with
 * bind_text_ref is referred to once the call returns.  Returns sqlite3_step's result. */
static int step_unbind(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* Runs one of the prepared statements whose only parameter is an id: 0, or -1. */
static int step_id(struct store *s, enum stmt_id which, int64_t id)
{
	sqlite3_stmt *st = stmt(s, which);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

static void bind_date(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == DATE_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static int64_t col_date(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? DATE_NONE : sqlite3_column_int64(st, i);
}

static int migrate(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err, errlen, "user_version");
	int version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	int latest = (int)(sizeof migrations / sizeof migrations[0]);
	if (version > latest) {
		util_errf(err, errlen, "store: database schema %d is newer than this tidings (%d)", version,
			  latest);
		return -1;
	}
	for (; version < latest; version++) {
		char sql[64];
		if (exec(s, "BEGIN IMMEDIATE", err, errlen) < 0)
			return -1;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version + 1);
		if (exec(s, migrations[version], err, errlen) < 0 || exec(s, sql, err, errlen) < 0) {
			exec(s, "ROLLBACK", NULL, 0);
			return -1;
		}
		if (exec(s, "COMMIT", err, errlen) < 0)
			return -1;
	}
	return 0;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	struct store *s = xcalloc(1, sizeof *s);
	if (util_mkdir_parents(path, err, errlen) < 0)
		goto fail;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		util_errf(err, errlen, "store: %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 10000);
	if (exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
		    " PRAGMA cache_size = -8000;",
		 err, errlen) < 0)
		goto fail;
	/* A larger WAL between checkpoints: a poll pass commits once per source. */
	sqlite3_wal_autocheckpoint(s->db, WAL_FRAMES_MAX);
	if (migrate(s, err, errlen) < 0)
		goto fail;
	return s;
fail:
	store_close(s);
	return NULL;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	store_write_behind(s, 0);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmts[i]);
	for (int i = 0; i < s->ncached; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	free(s);
}

static int64_t source_id(struct store *s, const char *name)
{
	sqlite3_stmt *st = stmt(s, ST_SOURCE_ID);
	if (!st)
		return -1;
	bind_text(st, 1, name);
	int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return id;
}

/* Runs a one-off statement with text parameters given as a NULL-terminated list. */
static int run(struct store *s, const char *sql, char *err, size_t errlen, ...)
{
	sqlite3_stmt *st = cached(s, sql);
	if (!st)
		return db_fail(s, err, errlen, "prepare");
	va_list ap;
	va_start(ap, errlen);
	for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++)
		bind_text(st, i, va_arg(ap, const char *));
	va_end(ap);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(s, err, errlen, "step");
	return 0;
}

/* The sorted, comma-joined category slugs of a source, as stored. */
static char *stored_categories(struct store *s, int64_t sid)
{
	struct buf b;
	buf_init(&b, 0);
	sqlite3_stmt *st = cached(s, "SELECT c.slug FROM source_category sc JOIN category c ON c.id = sc.category_id"
				     " WHERE sc.source_id = ?1 ORDER BY c.slug");
	if (!st)
		return buf_take(&b, NULL);
	sqlite3_bind_int64(st, 1, sid);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (b.len)
			buf_addc(&b, ',');
		buf_adds(&b, (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_reset(st);
	return buf_take(&b, NULL);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *configured_categories(const struct config_source *src)
{
	char **sorted = xmalloc(src->ncategories * sizeof *sorted);
	memcpy(sorted, src->categories, src->ncategories * sizeof *sorted);
	qsort(sorted, src->ncategories, sizeof *sorted, cmp_str);
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < src->ncategories; i++) {
		if (i && !strcmp(sorted[i], sorted[i - 1]))
			continue;
		if (b.len)
			buf_addc(&b, ',');
		buf_adds(&b, sorted[i]);
	}
	free(sorted);
	return buf_take(&b, NULL);
}

static int sync_source(struct store *s, const struct config_source *src, char *err, size_t errlen)
{
	int rc = -1;
	sqlite3_stmt *st = cached(s, "SELECT id, url FROM source WHERE name = ?1");
	if (!st)
		return db_fail(s, err, errlen, "prepare");
	bind_text(st, 1, src->name);
	int64_t sid = 0;
	char *url = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		sid = sqlite3_column_int64(st, 0);
		url = col_text(st, 1);
	}
	sqlite3_reset(st);
	if (!sid) {
		if (run(s, "INSERT INTO source (name, url, fetch_url) VALUES (?1, ?2, ?3)", err, errlen,
			src->name, src->url, src->fetch_url) < 0)
			goto out;
		sid = sqlite3_last_insert_rowid(s->db);
	} else if (!url || strcmp(url, src->url)) {
		/* A new URL is a new resource: forget validators, redirects and backoff. */
		if (run(s, "UPDATE source SET url = ?2, fetch_url = ?3, state = 'new', etag = NULL,"
			   " last_modified = NULL, body_hash = NULL, errors = 0, next_due = 0 WHERE name = ?1",
			err, errlen, src->name, src->url, src->fetch_url) < 0)
			goto out;
	} else if (run(s, "UPDATE source SET state = 'new' WHERE name = ?1 AND state = 'removed'", err,
		       errlen, src->name) < 0) {
		goto out;
	}
	char *have = stored_categories(s, sid), *want = configured_categories(src);
	int same = !strcmp(have, want);
	free(have);
	free(want);
	if (!same) {
		char sidtext[32];
		snprintf(sidtext, sizeof sidtext, "%lld", (long long)sid);
		if (run(s, "DELETE FROM source_category WHERE source_id = ?1", err, errlen, sidtext) < 0)
			goto out;
		for (size_t i = 0; i < src->ncategories; i++)
			if (run(s, "INSERT OR IGNORE INTO source_category (source_id, category_id)"
				   " SELECT ?1, id FROM category WHERE slug = ?2",
				err, errlen, sidtext, src->categories[i]) < 0)
				goto out;
		if (run(s, "DELETE FROM item_category WHERE item_id IN (SELECT id FROM item WHERE source_id = ?1)",
			err, errlen, sidtext) < 0 ||
		    run(s, "INSERT INTO item_category (item_id, category_id, sort_date, seq)"
			   " SELECT i.id, sc.category_id, i.sort_date,"
			   "  c.last_seq + ROW_NUMBER() OVER (PARTITION BY sc.category_id ORDER BY i.id)"
			   " FROM item i JOIN source_category sc ON sc.source_id = i.source_id"
			   " JOIN category c ON c.id = sc.category_id WHERE i.source_id = ?1",
			err, errlen, sidtext) < 0)
			goto out;
	}
	rc = 0;
out:
	free(url);
	return rc;
}

int store_sync_config(struct store *s, const struct config *cfg, char *err, size_t errlen)
{
	if (exec(s, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < cfg->ncategories; i++)
		if (run(s, "INSERT INTO category (slug, title) VALUES (?1, ?2)"
			   " ON CONFLICT (slug) DO UPDATE SET title = excluded.title",
			err, errlen, cfg->categories[i].slug, cfg->categories[i].title) < 0)
			goto fail;
	if (exec(s, "CREATE TEMP TABLE IF NOT EXISTS configured (name TEXT PRIMARY KEY); DELETE FROM configured;",
		 err, errlen) < 0)
		goto fail;
	for (size_t i = 0; i < cfg->nsources; i++) {
		if (sync_source(s, &cfg->sources[i], err, errlen) < 0 ||
		    run(s, "INSERT OR IGNORE INTO configured (name) VALUES (?1)", err, errlen,
			cfg->sources[i].name) < 0)
			goto fail;
	}
	if (exec(s, "UPDATE source SET state = 'removed' WHERE name NOT IN (SELECT name FROM configured);"
		    "DELETE FROM item_category WHERE item_id IN (SELECT i.id FROM item i"
		    "  JOIN source s ON s.id = i.source_id WHERE s.state = 'removed');"
		    "DELETE FROM source_category WHERE source_id IN"
		    "  (SELECT id FROM source WHERE state = 'removed');",
		 err, errlen) < 0)
		goto fail;
	return exec(s, "COMMIT", err, errlen);
fail:
	exec(s, "ROLLBACK", NULL, 0);
	return -1;
}

#define SOURCE_COLUMNS                                                                              \
	"s.name, s.url, s.fetch_url, s.state, s.title, s.link, s.etag, s.last_modified, s.body_hash,"   \
	" s.last_error, s.http_status, s.errors, s.last_fetch, s.last_success, s.next_due,"            \
	" (SELECT COUNT(*) FROM item i WHERE i.source_id = s.id)"

static void read_source(sqlite3_stmt *st, struct store_source *o)
{
	o->name = col_text(st, 0);
	o->url = col_text(st, 1);
	o->fetch_url = col_text(st, 2);
	o->state = col_text(st, 3);
	o->title = col_text(st, 4);
	o->link = col_text(st, 5);
	o->etag = col_text(st, 6);
	o->last_modified = col_text(st, 7);
	o->body_hash = col_text(st, 8);
	o->last_error = col_text(st, 9);
	o->http_status = sqlite3_column_int(st, 10);
	o->errors = sqlite3_column_int(st, 11);
	o->last_fetch = sqlite3_column_int64(st, 12);
	o->last_success = sqlite3_column_int64(st, 13);
	o->next_due = sqlite3_column_int64(st, 14);
	o->items = sqlite3_column_int64(st, 15);
}

int store_item_known(struct store *s, const char *source, const char *id, char *err, size_t errlen)
{
	sqlite3_stmt *st = stmt(s, ST_ITEM_KNOWN);
	if (!st)
		return db_fail(s, err, errlen, "prepare");
	bind_text(st, 1, source);
	bind_text(st, 2, id);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(s, err, errlen, "item");
}

int store_link_failed(struct store *s, const char *source, const char *url, int64_t now, char *err,
		      size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO link_failure (source_id, url, failures, last_try)"
			       " SELECT id, ?2, 1, ?3 FROM source WHERE name = ?1"
			       " ON CONFLICT (source_id, url) DO UPDATE SET failures = failures + 1, last_try = ?3",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err, errlen, "prepare");
	bind_text(st, 1, source);
	bind_text(st, 2, url);
	sqlite3_bind_int64(st, 3, now);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(s, err, errlen, "link failure");
}

int store_link_failures(struct store *s, const char *source, const char *url, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT f.failures FROM link_failure f JOIN source s ON s.id = f.source_id"
			       " WHERE s.name = ?1 AND f.url = ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err, errlen, "prepare");
	bind_text(st, 1, source);
	bind_text(st, 2, url);
	int rc = sqlite3_step(st);
	int n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : db_fail(s, err, errlen, "link failure");
}

int store_source_get(struct store *s, const char *name, struct store_source *out, char *err,
		     size_t errlen)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = cached(s, "SELECT " SOURCE_COLUMNS " FROM source s WHERE s.name = ?1");
	if (!st)
		return db_fail(s, err, errlen, "prepare");
	bind_text(st, 1, name);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_source(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return db_fail(s, err, errlen, "source");
}

int store_source_list(struct store *s, struct store_source **out, size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT " SOURCE_COLUMNS " FROM source s ORDER BY s.state = 'removed', s.name",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err, errlen, "prepare");
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		read_source(st, &(*out)[(*n)++]);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_source_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return db_fail(s, err, errlen, "sources");
	}
	return 0;
}

void store_source_release(struct store_source *o)
{
	free(o->name);
	free(o->url);
	free(o->fetch_url);
	free(o->state);
	free(o->title);
	free(o->link);
	free(o->etag);
	free(o->last_modified);
	free(o->body_hash);
	free(o->last_error);
	memset(o, 0, sizeof *o);
}

void store_source_list_free(struct store_source *list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		store_source_release(&list[i]);
	free(list);
}

/* The identity published for an item: its own id when that is an absolute URI, otherwise a URN
 * derived from the source and the id, so it never changes across rebuilds. */
static char *item_uid(const char *source, const char *guid)
{
	const char *c = guid;
	if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')) {
		while ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		       *c == '+' || *c == '-' || *c == '.')
			c++;
		if (*c == ':' && c[1] && strlen(guid) < 1024 && !strpbrk(guid, " \t\r\n<>\"{}|\\^`"))
			return xstrdup(guid);
	}
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, source);
	buf_addc(&b, '\0');
	buf_adds(&b, guid);
	char hex[65];
	util_sha256_hex(b.data, b.len, hex);
	buf_release(&b);
	return xasprintf("urn:tidings:%.40s", hex);
}

/* Writes an item's tags and enclosures; fresh = a new item, which has none to delete. */
static int store_item_children(struct store *s, int64_t iid, const struct item *it, int fresh)
{
	sqlite3_stmt *st;
	if (!fresh && (step_id(s, ST_TAG_DEL, iid) < 0 || step_id(s, ST_ENC_DEL, iid) < 0))
		return -1;
	for (size_t i = 0; i < it->ncategories; i++) {
		if (!(st = stmt(s, ST_TAG_INS)))
			return -1;
		sqlite3_bind_int64(st, 1, iid);
		sqlite3_bind_int64(st, 2, (int64_t)i);
		bind_text(st, 3, it->categories[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
	}
	for (size_t i = 0; i < it->nenclosures; i++) {
		const struct enclosure *e = &it->enclosures[i];
		if (!(st = stmt(s, ST_ENC_INS)))
			return -1;
		sqlite3_bind_int64(st, 1, iid);
		sqlite3_bind_int64(st, 2, (int64_t)i);
		bind_text(st, 3, e->url);
		bind_text(st, 4, e->type);
		if (e->length >= 0)
			sqlite3_bind_int64(st, 5, e->length);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
	}
	return 0;
}

/* Binds an item's title, link, author, summary, content, published and updated, in that order,
 * from parameter at on: the insert and the update list them alike. */
static void bind_item_fields(sqlite3_stmt *st, int at, const struct item *it)
{
	bind_text_ref(st, at, it->title);
	bind_text_ref(st, at + 1, it->link);
	bind_text_ref(st, at + 2, it->author);
	bind_text_ref(st, at + 3, it->summary);
	bind_text_ref(st, at + 4, it->content);
	bind_date(st, at + 5, it->published);
	bind_date(st, at + 6, it->updated);
}

/* Inserts a new item and its category links (each with its category's next arrival number):
 * 0 with *iid set, 1 when the source already has an item with this guid, -1 on failure. */
static int insert_item(struct store *s, int64_t sid, const char *source, const struct item *it,
		       const char *hash, int64_t now, int64_t *iid)
{
	sqlite3_stmt *st = stmt(s, ST_ITEM_INSERT);
	if (!st)
		return -1;
	char *uid = item_uid(source, it->id);
	int64_t sort = it->published != DATE_NONE ? it->published : it->updated != DATE_NONE ? it->updated : now;
	sqlite3_bind_int64(st, 1, sid);
	bind_text_ref(st, 2, it->id);
	bind_text_ref(st, 3, uid);
	bind_item_fields(st, 4, it);
	sqlite3_bind_int64(st, 11, now);
	sqlite3_bind_int64(st, 12, sort);
	sqlite3_bind_int(st, 13, it->published == DATE_NONE && it->updated == DATE_NONE);
	bind_text_ref(st, 14, hash);
	int rc = step_unbind(st);
	free(uid);
	if (rc == SQLITE_CONSTRAINT)
		return 1;
	if (rc != SQLITE_DONE)
		return -1;
	*iid = sqlite3_last_insert_rowid(s->db);
	if (!(st = stmt(s, ST_ITEM_CATS)))
		return -1;
	sqlite3_bind_int64(st, 1, *iid);
	sqlite3_bind_int64(st, 2, sid);
	sqlite3_bind_int64(st, 3, sort);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

/* The source's stored item with it->id as guid: *iid (0 for none), and whether its hash is hash. */
static int find_item(struct store *s, int64_t sid, const struct item *it, const char *hash, int64_t *iid,
		     int *same)
{
	sqlite3_stmt *st = stmt(s, ST_ITEM_FIND);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, sid);
	bind_text(st, 2, it->id);
	int rc = sqlite3_step(st);
	*iid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	*same = rc == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 1), hash);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Stores one item of a fetch.  unseen: the source had no items before it, so the item is most
 * likely new and is inserted without a look first (a guid seen twice in one feed then takes the
 * usual way). */
static int store_item(struct store *s, int64_t sid, const char *source, const struct item *it,
		      int64_t now, int unseen, struct store_stats *stats)
{
	char computed[65];
	const char *hash = it->hash[0] ? it->hash : (item_hash(it, computed), computed);
	int64_t iid = 0;
	int same = 0;
	int added = unseen ? insert_item(s, sid, source, it, hash, now, &iid) : 1;
	if (added < 0)
		return -1;
	if (added == 1) { /* not inserted: the source may have an item with this guid */
		if (find_item(s, sid, it, hash, &iid, &same) < 0)
			return -1;
		if (same)
			return 0;
		if (!iid && (added = insert_item(s, sid, source, it, hash, now, &iid)) != 0)
			return -1;
	}
	if (added == 0) {
		stats->new_items++;
		return store_item_children(s, iid, it, 1);
	}
	sqlite3_stmt *st = stmt(s, ST_ITEM_UPDATE);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, iid);
	bind_item_fields(st, 2, it);
	bind_text_ref(st, 9, hash);
	if (step_unbind(st) != SQLITE_DONE || step_id(s, ST_ITEM_CATS_DATE, iid) < 0)
		return -1;
	stats->updated_items++;
	return store_item_children(s, iid, it, 0);
}

static int update_source_row(struct store *s, const char *name, const struct store_fetch *f)
{
	sqlite3_stmt *st;
	const char *sql;
	switch (f->outcome) {
	case STORE_FETCHED:
		sql = "UPDATE source SET state = 'ok', http_status = ?2, etag = ?3, last_modified = ?4,"
		      " body_hash = ?5, last_fetch = ?6, last_success = ?6, next_due = ?7, errors = 0,"
		      " last_error = NULL, title = COALESCE(?8, title), link = COALESCE(?9, link),"
		      " fetch_url = COALESCE(?10, fetch_url) WHERE name = ?1";
		break;
	case STORE_NOT_MODIFIED:
		/* RFC 9111 4.3.4: a 304 updates the stored validators it carries. */
		sql = "UPDATE source SET state = 'ok', http_status = ?2, etag = COALESCE(?3, etag),"
		      " last_modified = COALESCE(?4, last_modified), body_hash = COALESCE(?5, body_hash),"
		      " last_fetch = ?6, last_success = ?6, next_due = ?7, errors = 0, last_error = NULL,"
		      " fetch_url = COALESCE(?10, fetch_url) WHERE name = ?1";
		break;
	case STORE_GONE:
		sql = "UPDATE source SET state = 'gone', http_status = ?2, last_fetch = ?6, next_due = ?7,"
		      " errors = errors + 1, last_error = ?11 WHERE name = ?1";
		break;
	default:
		sql = "UPDATE source SET state = 'error', http_status = ?2, last_fetch = ?6, next_due = ?7,"
		      " errors = errors + 1, last_error = ?11, fetch_url = COALESCE(?10, fetch_url)"
		      " WHERE name = ?1";
		break;
	}
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	bind_text(st, 1, name);
	sqlite3_bind_int(st, 2, f->http_status);
	if (sqlite3_bind_parameter_index(st, "?3")) {
		bind_text(st, 3, f->etag);
		bind_text(st, 4, f->last_modified);
		bind_text(st, 5, f->body_hash);
	}
	sqlite3_bind_int64(st, 6, f->fetched_at);
	sqlite3_bind_int64(st, 7, f->next_due);
	if (sqlite3_bind_parameter_index(st, "?8")) {
		bind_text(st, 8, f->feed ? f->feed->title : NULL);
		bind_text(st, 9, f->feed ? f->feed->link : NULL);
	}
	bind_text(st, 10, f->new_url);
	if (sqlite3_bind_parameter_index(st, "?11"))
		bind_text(st, 11, f->error);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_update_source(struct store *s, const char *name, const struct store_fetch *f,
			struct store_stats *stats, char *err, size_t errlen)
{
	struct store_stats local = {0, 0};
	if (exec(s, "BEGIN IMMEDIATE", err, errlen) < 0)
		return -1;
	int64_t sid = source_id(s, name);
	if (sid <= 0) {
		exec(s, "ROLLBACK", NULL, 0);
		util_errf(err, errlen, "store: %s: no such source", name);
		return -1;
	}
	if (update_source_row(s, name, f) < 0)
		goto fail;
	if (f->outcome == STORE_FETCHED && f->feed && f->feed->nitems) {
		int unseen = 0; /* the source has no items yet (a first fetch) */
		sqlite3_stmt *any = cached(s, "SELECT 1 FROM item WHERE source_id = ?1 LIMIT 1");
		if (any) {
			sqlite3_bind_int64(any, 1, sid);
			unseen = sqlite3_step(any) == SQLITE_DONE;
			sqlite3_reset(any);
		}
		for (size_t i = 0; i < f->feed->nitems; i++)
			if (store_item(s, sid, name, &f->feed->items[i], f->fetched_at, unseen, &local) < 0)
				goto fail;
	}
	if (exec(s, "COMMIT", err, errlen) < 0)
		goto fail;
	if (stats) {
		stats->new_items += local.new_items;
		stats->updated_items += local.updated_items;
	}
	return 0;
fail:
	db_fail(s, err, errlen, name);
	exec(s, "ROLLBACK", NULL, 0);
	return -1;
}

#define ITEM_COLUMNS                                                                                \
	"i.id, i.guid, i.uid, i.title, i.link, i.author, i.summary, i.content, i.published,"          \
	" i.updated, i.first_seen, s.name, COALESCE(s.title, s.name), s.link, s.fetch_url"

/* The identities of the articles taken so far for new.*: published ids and canonical links. */
struct seen {
	char **keys;
	size_t n;
};

/* Returns 1 when (uid, link) names an article already seen, else records it and returns 0. */
static int seen_check(struct seen *sn, const char *uid, const char *raw_link)
{
	char *link = link_canonical(raw_link);
	for (size_t k = 0; k < sn->n; k++)
		if ((uid && !strcmp(sn->keys[k], uid)) || (link && !strcmp(sn->keys[k], link))) {
			free(link);
			return 1;
		}
	sn->keys = xrealloc(sn->keys, (sn->n + 2) * sizeof *sn->keys);
	if (uid)
		sn->keys[sn->n++] = xstrdup(uid);
	if (link)
		sn->keys[sn->n++] = link;
	return 0;
}

static void seen_release(struct seen *sn)
{
	for (size_t k = 0; k < sn->n; k++)
		free(sn->keys[k]);
	free(sn->keys);
}

/* Appends the item of the current row of an ITEM_COLUMNS query to out. */
static void read_row(struct store *s, sqlite3_stmt *st, struct feed *out)
{
	struct item *it = feed_add_item(out);
	int64_t iid = sqlite3_column_int64(st, 0);
	it->id = col_text(st, 1);
	it->uid = col_text(st, 2);
	it->title = col_text(st, 3);
	it->link = col_text(st, 4);
	it->author = col_text(st, 5);
	it->summary = col_text(st, 6);
	it->content = col_text(st, 7);
	it->published = col_date(st, 8);
	it->updated = col_date(st, 9);
	it->first_seen = sqlite3_column_int64(st, 10);
	it->source = col_text(st, 11);
	it->source_title = col_text(st, 12);
	it->source_link = col_text(st, 13);
	it->source_url = col_text(st, 14);
	sqlite3_stmt *t = stmt(s, ST_TAGS_OF);
	if (t) {
		sqlite3_bind_int64(t, 1, iid);
		while (sqlite3_step(t) == SQLITE_ROW)
			item_add_category(it, (const char *)sqlite3_column_text(t, 0));
		sqlite3_reset(t);
	}
	sqlite3_stmt *e = stmt(s, ST_ENCS_OF);
	if (e) {
		sqlite3_bind_int64(e, 1, iid);
		while (sqlite3_step(e) == SQLITE_ROW) {
			struct enclosure *enc = item_add_enclosure(it, (const char *)sqlite3_column_text(e, 0));
			if (!enc->type)
				enc->type = col_text(e, 1);
			enc->length = sqlite3_column_type(e, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(e, 2);
		}
		sqlite3_reset(e);
	}
}

/* Reads up to limit items from a cached ITEM_COLUMNS query, then resets it.  Returns 0, or -1
 * with err filled when a step fails (a feed is never published cut short silently). */
static int read_items(struct store *s, sqlite3_stmt *st, int limit, struct feed *out, char *err, size_t errlen)
{
	int rc = SQLITE_DONE;
	while ((int)out->nitems < limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_row(s, st, out);
	int failed = rc != SQLITE_ROW && rc != SQLITE_DONE;
	if (failed)
		db_fail(s, err, errlen, "items");
	sqlite3_reset(st);
	return failed ? -1 : 0;
}

int store_category_items(struct store *s, const char *slug, int limit, struct feed *out, char *err,
			 size_t errlen)
{
	sqlite3_stmt *st = cached(s, "SELECT " ITEM_COLUMNS " FROM item_category ic"
				     " JOIN item i ON i.id = ic.item_id JOIN source s ON s.id = i.source_id"
				     " WHERE ic.category_id = (SELECT id FROM category WHERE slug = ?1)"
				     " ORDER BY ic.sort_date DESC, ic.item_id DESC LIMIT ?2");
	if (!st)
		return db_fail(s, err, errlen, "prepare");
	bind_text(st, 1, slug);
	sqlite3_bind_int(st, 2, limit);
	return read_items(s, st, limit, out, err, errlen);
}

/* Every item in a category, newest first (sort_date, then id, descending) and each once: a
 * merge of the categories' date-ordered links, one cursor per category. */
struct newest {
	sqlite3_stmt **cur;
	int64_t (*head)[2]; /* each cursor's current (sort_date, item_id); item_id 0 when done */
	size_t n;
	int64_t last;       /* the item returned last */
};

static int newest_advance(struct newest *nw, size_t k)
{
	int rc = sqlite3_step(nw->cur[k]);
	nw->head[k][0] = rc == SQLITE_ROW ? sqlite3_column_int64(nw->cur[k], 0) : 0;
	nw->head[k][1] = rc == SQLITE_ROW ? sqlite3_column_int64(nw->cur[k], 1) : 0;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static void newest_close(struct newest *nw)
{
	for (size_t k = 0; k < nw->n; k++)
		sqlite3_finalize(nw->cur[k]);
	free(nw->cur);
	free(nw->head);
}

static int newest_open(struct store *s, struct newest *nw)
{
	memset(nw, 0, sizeof *nw);
	sqlite3_stmt *cats;
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM category", -1, &cats, NULL) != SQLITE_OK)
		return -1;
	int rc;
	while ((rc = sqlite3_step(cats)) == SQLITE_ROW) {
		nw->cur = xrealloc(nw->cur, (nw->n + 1) * sizeof *nw->cur);
		nw->head = xrealloc(nw->head, (nw->n + 1) * sizeof *nw->head);
		size_t k = nw->n;
		if (sqlite3_prepare_v2(s->db,
				       "SELECT sort_date, item_id FROM item_category WHERE category_id = ?1"
				       " ORDER BY sort_date DESC, item_id DESC",
				       -1, &nw->cur[k], NULL) != SQLITE_OK)
			break;
		nw->n++;
		sqlite3_bind_int64(nw->cur[k], 1, sqlite3_column_int64(cats, 0));
		if (newest_advance(nw, k) < 0)
			break;
	}
	sqlite3_finalize(cats);
	if (rc != SQLITE_DONE) {
		newest_close(nw);
		return -1;
	}
	return 0;
}

/* The next item's id; 0 after the last, -1 when the store fails.  An item in several categories
 * comes from each of their cursors with the same key, one after the other: it is returned once. */
static int64_t newest_next(struct newest *nw)
{
	for (;;) {
		size_t best = nw->n;
		for (size_t k = 0; k < nw->n; k++)
			if (nw->head[k][1] &&
			    (best == nw->n || nw->head[k][0] > nw->head[best][0] ||
			     (nw->head[k][0] == nw->head[best][0] && nw->head[k][1] > nw->head[best][1])))
				best = k;
		if (best == nw->n)
			return 0;
		int64_t id = nw->head[best][1];
		if (newest_advance(nw, best) < 0)
			return -1;
		if (id != nw->last)
			return nw->last = id;
	}
}

int store_new_items(struct store *s, int limit, struct feed *out, char *err, size_t errlen)
{
	struct newest nw;
	if (newest_open(s, &nw) < 0)
		return db_fail(s, err, errlen, "new items");
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT " ITEM_COLUMNS " FROM item i JOIN source s ON s.id = i.source_id"
			       " WHERE i.id = ?1",
			       -1, &st, NULL) != SQLITE_OK) {
		newest_close(&nw);
		return db_fail(s, err, errlen, "prepare");
	}
	struct seen sn = {NULL, 0};
	int64_t id = 0;
	int rc = SQLITE_DONE;
	while ((int)out->nitems < limit && (id = newest_next(&nw)) > 0) {
		sqlite3_bind_int64(st, 1, id);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
		    !seen_check(&sn, (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 4)))
			read_row(s, st, out);
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			break;
	}
	seen_release(&sn);
	newest_close(&nw);
	int failed = id < 0 || (rc != SQLITE_ROW && rc != SQLITE_DONE);
	if (failed)
		db_fail(s, err, errlen, "new items");
	sqlite3_finalize(st);
	return failed ? -1 : 0;
}

int64_t store_category_last_seq(struct store *s, const char *slug, char *err, size_t errlen)
{
	sqlite3_stmt *st = cached(s, "SELECT last_seq FROM category WHERE slug = ?1");
	if (!st)
		return db_fail(s, err, errlen, "prepare");
	bind_text(st, 1, slug);
	int rc = sqlite3_step(st);
	int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : rc == SQLITE_DONE ? 0 : -1;
	if (n < 0)
		db_fail(s, err, errlen, "last_seq");
	sqlite3_reset(st);
	return n;
}

int store_category_range(struct store *s, const char *slug, int64_t first, int64_t last,
			 struct feed *out, char *err, size_t errlen)
{
	sqlite3_stmt *st = cached(s, "SELECT " ITEM_COLUMNS " FROM item_category ic"
				     " JOIN item i ON i.id = ic.item_id JOIN source s ON s.id = i.source_id"
				     " WHERE ic.category_id = (SELECT id FROM category WHERE slug = ?1)"
				     " AND ic.seq BETWEEN ?2 AND ?3 ORDER BY ic.seq");
	if (!st)
		return db_fail(s, err, errlen, "prepare");
	bind_text(st, 1, slug);
	sqlite3_bind_int64(st, 2, first);
	sqlite3_bind_int64(st, 3, last);
	return read_items(s, st, INT32_MAX, out, err, errlen);
}

int store_prune(struct store *s, int64_t cutoff, int per_feed, int new_items, int64_t *deleted,
		char *err, size_t errlen)
{
	*deleted = 0;
	sqlite3_stmt *st;
	/* Cheap test first: most passes have nothing old enough. */
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM item WHERE first_seen < ?1 AND sort_date < ?1 LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err, errlen, "prepare");
	sqlite3_bind_int64(st, 1, cutoff);
	int any = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!any)
		return 0;
	/* Kept whatever its age: the newest per_feed of each category, the items after the last full
	 * archive page (the current documents carry them), and what new.* shows — found the way
	 * new.* finds it, duplicates skipped, so the window can reach further back than new_items. */
	if (exec(s, "BEGIN IMMEDIATE; CREATE TEMP TABLE IF NOT EXISTS keep_new (id INTEGER PRIMARY KEY);"
		    " DELETE FROM keep_new;", err, errlen) < 0)
		return -1;
	struct newest nw;
	sqlite3_stmt *win, *ins;
	if (newest_open(s, &nw) < 0) {
		db_fail(s, err, errlen, "new items");
		exec(s, "ROLLBACK", NULL, 0);
		return -1;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT uid, link FROM item WHERE id = ?1", -1, &win, NULL) != SQLITE_OK) {
		newest_close(&nw);
		db_fail(s, err, errlen, "prepare");
		exec(s, "ROLLBACK", NULL, 0);
		return -1;
	}
	if (sqlite3_prepare_v2(s->db, "INSERT INTO keep_new (id) VALUES (?1)", -1, &ins, NULL) != SQLITE_OK) {
		newest_close(&nw);
		sqlite3_finalize(win);
		db_fail(s, err, errlen, "prepare");
		exec(s, "ROLLBACK", NULL, 0);
		return -1;
	}
	struct seen sn = {NULL, 0};
	int64_t id = 0;
	for (int taken = 0; taken < new_items && (id = newest_next(&nw)) > 0;) {
		sqlite3_bind_int64(win, 1, id);
		if (sqlite3_step(win) == SQLITE_ROW &&
		    !seen_check(&sn, (const char *)sqlite3_column_text(win, 0), (const char *)sqlite3_column_text(win, 1))) {
			sqlite3_bind_int64(ins, 1, id);
			sqlite3_step(ins);
			sqlite3_reset(ins);
			taken++;
		}
		sqlite3_reset(win);
	}
	newest_close(&nw);
	seen_release(&sn);
	sqlite3_finalize(win);
	sqlite3_finalize(ins);
	if (id < 0) {
		db_fail(s, err, errlen, "new items");
		exec(s, "ROLLBACK", NULL, 0);
		return -1;
	}
	if (sqlite3_prepare_v2(s->db,
			       "DELETE FROM item WHERE first_seen < ?1 AND sort_date < ?1 AND id NOT IN ("
			       " SELECT item_id FROM (SELECT item_id, ROW_NUMBER() OVER (PARTITION BY"
			       "  category_id ORDER BY sort_date DESC, item_id DESC) AS rn FROM item_category)"
			       "  WHERE rn <= ?2"
			       " UNION SELECT ic.item_id FROM item_category ic JOIN category c ON c.id = ic.category_id"
			       "  WHERE ic.seq > (c.last_seq / ?2) * ?2"
			       " UNION SELECT id FROM keep_new)",
			       -1, &st, NULL) != SQLITE_OK) {
		db_fail(s, err, errlen, "prepare");
		exec(s, "ROLLBACK", NULL, 0);
		return -1;
	}
	sqlite3_bind_int64(st, 1, cutoff);
	sqlite3_bind_int(st, 2, per_feed);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_fail(s, err, errlen, "prune");
		exec(s, "ROLLBACK", NULL, 0);
		return -1;
	}
	*deleted = sqlite3_changes(s->db);
	return exec(s, "COMMIT", err, errlen);
}

int store_metrics(struct store *s, struct store_metrics *m, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	memset(m, 0, sizeof *m);
	if (sqlite3_prepare_v2(s->db,
			       "SELECT state, COUNT(*), SUM(errors), MAX(last_fetch) FROM source GROUP BY state",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err, errlen, "prepare");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 0);
		int64_t n = sqlite3_column_int64(st, 1);
		if (!strcmp(state, "ok"))
			m->sources_ok = n;
		else if (!strcmp(state, "error"))
			m->sources_error = n;
		else if (!strcmp(state, "removed"))
			m->sources_removed = n;
		else if (!strcmp(state, "gone"))
			m->sources_gone = n;
		else
			m->sources_new += n;
		if (strcmp(state, "removed"))
			m->failing_fetches += sqlite3_column_int64(st, 2);
		if (sqlite3_column_int64(st, 3) > m->last_fetch)
			m->last_fetch = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(s->db, "SELECT COUNT(*) FROM item", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err, errlen, "prepare");
	if (sqlite3_step(st) == SQLITE_ROW)
		m->items = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

int64_t store_next_due(struct store *s)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT MIN(next_due) FROM source WHERE state NOT IN ('removed', 'gone')",
			       -1, &st, NULL) != SQLITE_OK)
		return 0;
	int64_t next = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return next;
}
