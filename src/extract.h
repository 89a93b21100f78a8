/* extract — articles from pages that are not feeds: HTML article and listing pages (html.c),
 * and plain-text article files in the shape news portals export (the seed article): a title line
 * ending in a local timestamp, the lead, the body paragraphs, a short author line, then site
 * boxes and forms that are dropped. */
#ifndef TIDINGS_EXTRACT_H
#define TIDINGS_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "feed.h"

/* XPath expressions that override the heuristics for one source (NULL: not set). */
struct extract_xpaths {
	const char *links, *title, *date, *author, *summary, *content;
};

struct extract_options {
	const char *id;          /* the item's id (e.g. the file name); NULL: derived */
	const char *link;        /* the article's URL (for HTML, the page's: relative links resolve
				    against it), or NULL */
	const char *charset;     /* HTML: the HTTP charset, or NULL */
	const struct extract_xpaths *xpath; /* HTML: overrides, or NULL */
	int article_only;        /* HTML: a page reached from a listing is never read as one */
	const char *date_format; /* strptime-like, for the timestamp after the title; NULL: the
				    "%H:%M %d/%m/%Y" of Vietnamese portals, then date_parse */
	int tz_offset;           /* minutes east of UTC the timestamp is read in */
	char **feed_link;        /* HTML: when set, a page that advertises a feed (<link
				    rel="alternate"> of RSS, Atom or JSON Feed) is not read: *feed_link
				    gets the feed's absolute URL and extract_html returns NULL */
};

/* Returns a feed of format "text" with one item, or NULL with a one-line reason in err when the
 * bytes are not text in that shape (binary data, or fewer than two paragraphs). */
struct feed *extract_text(const char *data, size_t len, const struct extract_options *opt, char *err,
			  size_t errlen);

struct config_source;
/* The source's XPath settings in out; NULL when it sets none. */
const struct extract_xpaths *extract_xpaths_of(const struct config_source *src, struct extract_xpaths *out);

enum page_kind { PAGE_ARTICLE, PAGE_LISTING };

/* An HTML page to a feed of format "html": one item for an article page; for a listing page one
 * item per article link (id and link the absolute URL, title the anchor text, published the date
 * shown beside it or DATE_NONE), without fetching anything.  *kind says which.  NULL with a
 * one-line reason in err when the page holds neither. */
struct feed *extract_html(const char *data, size_t len, const struct extract_options *opt,
			  enum page_kind *kind, char *err, size_t errlen);

/* A paragraph of an article: twelve words or more, or a finished sentence of four or more. */
int extract_prose(const char *s);
size_t extract_words(const char *s);
/* A byline: one to five words, each starting with an upper-case letter, no digits or colons. */
int extract_byline(const char *s);

/* Parses s with a strptime-like format (%d %m %Y %y %H %M %S %b %p and literal text) read at
 * tz_offset minutes east of UTC.  Returns DATE_NONE when s does not match. */
int64_t extract_date(const char *s, const char *format, int tz_offset);
/* The same, with *end set to the first character after the date. */
int64_t extract_date_end(const char *s, const char *format, int tz_offset, const char **end);

#endif
