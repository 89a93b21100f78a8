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
};

/* Regenerates every output file of cfg from the store. */
int render_all(const struct config *cfg, struct store *store, struct render_stats *stats, char *err,
	       size_t errlen);

#endif
