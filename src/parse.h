/* parse — feed documents (bytes) to struct feed.  Pure: no network, no database. */
#ifndef TIDINGS_PARSE_H
#define TIDINGS_PARSE_H

#include <stddef.h>

#include "feed.h"

struct parse_options {
	const char *base_url; /* the document's URL, for relative links; may be NULL */
	const char *charset;  /* from the HTTP Content-Type, or NULL */
	int tz_offset;        /* minutes east of UTC for dates without a zone */
	int release_read;     /* the bytes are a read-only file mapping: pages already parsed are
				 given back as the reader moves on (they fault in again if needed) */
	int threads;          /* > 1: a big document's summaries and content are sanitised on
				 threads beside the reader, this many in all (the reader's too) */
};

/* Parses an RSS (0.9x, 1.0, 2.0) or Atom (0.3, 1.0) document, streaming item by item, or a
 * JSON Feed (1.0, 1.1); the format is read from the document itself.
 * Returns NULL with a one-line reason in err when the bytes hold no feed. */
struct feed *parse_feed(const char *data, size_t len, const struct parse_options *opt, char *err,
			size_t errlen);

/* Whether the bytes open like an HTML page (<html or <!doctype html in the first kilobyte): a
 * document parse_feed refuses for that reason goes to the HTML extractor. */
int parse_is_html(const char *data, size_t len);

/* An encoding label iconv and libxml2 can use: common misspellings (utf8, latin-1, cp1258)
 * mapped, unknown labels NULL. */
const char *charset_usable(const char *label);
/* charset_utf8_valid: 1 when the bytes are valid UTF-8 holding a multi-byte character, -1 when
 * they are valid ASCII only, 0 when they are not UTF-8.  charset_utf8_in_disguise: the first
 * case, when a Latin (or any single-byte) label on the bytes is a lie. */
int charset_utf8_valid(const char *data, size_t len);
int charset_utf8_in_disguise(const char *data, size_t len);
/* Bytes with invalid UTF-8 sequences and not one valid multi-byte one: a legacy single-byte text
 * (read as windows-1252).  Valid UTF-8 with a stray bad byte is UTF-8 still. */
int charset_latin_bytes(const char *data, size_t len);
/* len bytes in charset (an iconv name) as UTF-8, a new buffer (its length in outlen); bytes iconv
 * cannot read become U+FFFD.  NULL when iconv does not know the charset. */
char *charset_to_utf8(const char *data, size_t len, const char *charset, size_t *outlen);

/* Calls once at start-up and at exit (libxml2's globals). */
void parse_global_init(void);
void parse_global_cleanup(void);

#endif
