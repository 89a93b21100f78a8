/* poll — one pass over the sources that are due: fetch, parse, store.  Used by `poll` and `run`. */
#ifndef TIDINGS_POLL_H
#define TIDINGS_POLL_H

#include <signal.h>
#include <stdint.h>

#include "config.h"

struct store;

struct poll_options {
	int force;             /* every selected source, ignoring schedule and backoff */
	char **names;          /* only these sources (NULL: all) */
	int nnames;
	int progress;          /* draw a live progress line on stderr */
	int *changed;          /* out, may be NULL: one flag per cfg->categories entry, set when a
				* source of that category gained or changed items (atomically, as the
				* pass goes: another thread may read them while it runs) */
	volatile sig_atomic_t *stop;
};

struct poll_stats {
	int sources, fetched, not_modified, failed;
	int new_items, updated_items;
};

/* Fetches and stores every selected source that is due.  Returns 0, or -1 with err filled when
 * the pass itself could not run (a failing source is not such a failure). */
int poll_run(const struct config *cfg, struct store *store, const struct poll_options *opt,
	     struct poll_stats *stats, char *err, size_t errlen);

/* The earliest next_due of the configured sources (Unix seconds), or 0 when none is known. */
int64_t poll_next_due(struct store *store);

/* When the next poll of a source should happen.  interval is the configured one (0: due at
 * every poll); errors the consecutive failures (exponential backoff from one interval, at least
 * a minute, capped at a day); retry_after an absolute time from Retry-After (or 0); hint the
 * longest delay the server or the feed asks for (max-age, Expires, <ttl>, sy:updatePeriod), or
 * -1: it may stretch the interval up to a day, never shorten it.  jitter in [0, 1) adds up to a
 * tenth of the delay so sources polled together drift apart. */
int64_t poll_schedule(int64_t now, int64_t interval, int errors, int64_t retry_after, int64_t hint,
		      double jitter);

#endif
