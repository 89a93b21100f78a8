/* render — items to RSS 2.0, Atom 1.0, JSON Feed 1.1, index.html and feeds.opml.
 * The format writers are pure (items → bytes); render_all reads the store and publishes files
 * atomically, rewriting a file only when its bytes change. */
#ifndef TIDINGS_RENDER_H
#define TIDINGS_RENDER_H

#include "buf.h"
#include "config.h"
#include "feed.h"

struct store;

struct render_channel {
	const char *title;
	const char *description;
	const char *language;
	const char *home_url;  /* the human page this feed belongs to */
	const char *self_base; /* URL of the feed without its extension: ".rss"/".atom"/".json" follow */
	const char *hub;       /* WebSub hub or NULL/"" */
	int ttl;               /* minutes */
	int aggregated;        /* items come from several sources: Atom entries carry atom:source */
	const char *stylesheet;   /* XSLT URL for browsers, or NULL */
	/* RFC 5005 archives: links of this document (NULL when absent); archive marks an archive
	 * document, whose self link is self_base + ".atom" like any other. */
	const char *prev_archive, *next_archive, *current;
	int archive;
};

int render_rss(const struct render_channel *ch, const struct feed *items, struct buf *out);
int render_atom(const struct render_channel *ch, const struct feed *items, struct buf *out);
int render_json(const struct render_channel *ch, const struct feed *items, struct buf *out);
/* lists[i] holds the newest items of cfg->categories[i]. */
int render_index(const struct config *cfg, struct feed *const *lists, struct buf *out);
int render_opml(const struct config *cfg, struct buf *out);
/* The configured sources as an OPML 2.0 subscription list, grouped by category. */
int render_sources_opml(const struct config *cfg, struct buf *out);

struct render_stats {
	int files_written;   /* files whose bytes changed */
	int files_unchanged;
	/* Called, when set, with the URL of each current feed (not archive) whose bytes changed. */
	void (*feed_changed)(const char *url, void *arg);
	void *arg;
};

/* Regenerates the output files of cfg from the store: every category when changed is NULL,
 * otherwise those whose flag is set in changed (one per cfg->categories entry), plus new.*,
 * index.html and feeds.opml.  Full archive pages are stable and written once; the newest one is
 * rewritten when a page after it appears.  Every file gets a gzip twin (NAME.gz). */
int render_all(const struct config *cfg, struct store *store, const int *changed,
	       struct render_stats *stats, char *err, size_t errlen);

/* Archive pages written ahead of render_all while a poll pass runs: a thread that, every 200 ms
 * (and at once again after a look that wrote pages), writes the pages of the categories flagged
 * in changed (read atomically as the pass sets them) that have become final: full, with a full
 * page after them.  A first poll of many sources fills hundreds, which the build after the pass
 * then finds written.  NULL when changed is NULL.  render_ahead_stop ends the thread within a
 * page and returns the number of pages written. */
struct render_ahead;
struct render_ahead *render_ahead_start(const struct config *cfg, const int *changed);
int render_ahead_stop(struct render_ahead *ra);

/* The XSLT stylesheet published as feed.xsl. */
extern const char render_feed_xsl[];

#endif
