/* store — persistent state: sources, their fetch state, items, categories, enclosures.
 * The only module that knows the database engine; everything else sees this interface. */
#ifndef TIDINGS_STORE_H
#define TIDINGS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "feed.h"

struct store;

/* Opens (creating it and its folder when needed) and migrates the database at path. */
struct store *store_open(const char *path, char *err, size_t errlen);
void store_close(struct store *s);
/* While on, committed writes are copied into the database file by a thread of the store's own,
 * behind the writer (a poll pass); 0, or -1 when that thread cannot start. */
int store_write_behind(struct store *s, int on);

/* Makes the stored sources and categories match cfg: new ones are added, changed URLs reset the
 * fetch state, sources no longer configured are marked "removed" (their items are kept but no
 * longer published), and items follow their source's categories. */
int store_sync_config(struct store *s, const struct config *cfg, char *err, size_t errlen);

struct store_source {
	char *name;
	char *url;           /* as configured */
	char *fetch_url;     /* where the next fetch goes (a permanent redirect's target) */
	char *state;         /* "ok", "error", "new", "gone" (410), "removed" (not configured) */
	char *title, *link;  /* the source's own, from its last parse */
	char *etag, *last_modified, *body_hash; /* validators exactly as received */
	char *last_error;
	int http_status;     /* 0 before the first fetch or after a transport error */
	int errors;          /* consecutive failures */
	int64_t last_fetch, last_success, next_due; /* Unix seconds; 0 = never */
	int64_t items;
};

/* Fills out for the source called name.  Returns 0, 1 when there is no such source, -1 on error. */
int store_source_get(struct store *s, const char *name, struct store_source *out, char *err,
		     size_t errlen);
/* Every source (removed ones last), ordered by name. */
int store_source_list(struct store *s, struct store_source **out, size_t *n, char *err, size_t errlen);
void store_source_release(struct store_source *src);
void store_source_list_free(struct store_source *list, size_t n);

enum store_outcome {
	STORE_FETCHED,      /* a body was fetched and parsed into feed */
	STORE_NOT_MODIFIED, /* 304, or a body identical to the last one */
	STORE_FAILED,       /* transport, HTTP or parse failure */
	STORE_GONE,         /* 410: the source is disabled until its URL changes or it is named */
};

struct store_fetch {
	enum store_outcome outcome;
	int http_status;
	const char *etag, *last_modified; /* NULL keeps the stored ones on 304, clears them on 200 */
	const char *body_hash;
	const char *error;                /* for STORE_FAILED */
	const char *new_url;              /* a permanent redirect's target, or NULL */
	const struct feed *feed;          /* for STORE_FETCHED */
	int64_t fetched_at, next_due;
};

struct store_stats {
	int new_items, updated_items;
};

/* Whether the source called source already holds an item with this id: 1, 0, or -1 on error. */
int store_item_known(struct store *s, const char *source, const char *id, char *err, size_t errlen);

/* Article links of a listing page that failed (fetch or extraction): store_link_failed counts one
 * more failure of url; store_link_failures says how many there were (0 for none), or -1. */
int store_link_failed(struct store *s, const char *source, const char *url, int64_t now, char *err,
		      size_t errlen);
int store_link_failures(struct store *s, const char *source, const char *url, char *err, size_t errlen);

/* Records one fetch of the source called name and its items, in one transaction. */
int store_update_source(struct store *s, const char *name, const struct store_fetch *f,
			struct store_stats *stats, char *err, size_t errlen);

/* The newest limit items of a category, newest first, with uid, source and first_seen set. */
int store_category_items(struct store *s, const char *slug, int limit, struct feed *out, char *err,
			 size_t errlen);
/* Every link of an item to a category has an arrival number (seq) 1, 2, 3 … in that category,
 * never reused, so ranges of them page archives stably.  Returns the newest number (0 when the
 * category never had items), or -1 on error. */
int64_t store_category_last_seq(struct store *s, const char *slug, char *err, size_t errlen);
/* The items of a category whose arrival numbers lie in first…last, oldest first. */
int store_category_range(struct store *s, const char *slug, int64_t first, int64_t last,
			 struct feed *out, char *err, size_t errlen);
/* Retention: deletes items dated and first seen before cutoff, except those still published:
 * the newest per_feed of each category, those after a category's last full archive page of
 * per_feed items, and the newest new_items overall.  *deleted gets the count. */
int store_prune(struct store *s, int64_t cutoff, int per_feed, int new_items, int64_t *deleted,
		char *err, size_t errlen);
/* The newest limit items of every category, each article once (same link, or the same
 * published identity: an absolute-URI guid shared by two sources). */
int store_new_items(struct store *s, int limit, struct feed *out, char *err, size_t errlen);

/* The earliest next poll time of the sources still polled (not removed, not gone), or 0. */
int64_t store_next_due(struct store *s);

struct store_metrics {
	int64_t sources_ok, sources_error, sources_new, sources_gone, sources_removed;
	int64_t items;
	int64_t failing_fetches;   /* sum of consecutive errors over the sources */
	int64_t last_fetch;        /* newest fetch time, 0 = never */
};

int store_metrics(struct store *s, struct store_metrics *m, char *err, size_t errlen);

#endif
