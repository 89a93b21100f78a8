/* extract — articles from pages that are not feeds.  So far: plain-text article files in the
 * shape news portals export (the seed article): a title line ending in a local timestamp, the
 * lead, the body paragraphs, a short author line, then site boxes and forms that are dropped. */
#ifndef TIDINGS_EXTRACT_H
#define TIDINGS_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "feed.h"

struct extract_options {
	const char *id;          /* the item's id (e.g. the file name); NULL: derived */
	const char *link;        /* the article's URL, or NULL */
	const char *date_format; /* strptime-like, for the timestamp after the title; NULL: the
				    "%H:%M %d/%m/%Y" of Vietnamese portals, then date_parse */
	int tz_offset;           /* minutes east of UTC the timestamp is read in */
};

/* Returns a feed of format "text" with one item, or NULL with a one-line reason in err when the
 * bytes are not text in that shape (binary data, or fewer than two paragraphs). */
struct feed *extract_text(const char *data, size_t len, const struct extract_options *opt, char *err,
			  size_t errlen);

/* Parses s with a strptime-like format (%d %m %Y %y %H %M %S %b %p and literal text) read at
 * tz_offset minutes east of UTC.  Returns DATE_NONE when s does not match. */
int64_t extract_date(const char *s, const char *format, int tz_offset);

/* The first feed an HTML page advertises (<link rel="alternate" type="application/rss+xml",
 * atom+xml or feed+json), made absolute against base; NULL when there is none. */
char *extract_feed_link(const char *html, size_t len, const char *base);

#endif
