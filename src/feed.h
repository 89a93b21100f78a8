/* feed — the item model every stage shares: parsers fill it, the store keeps it, render writes it.
 * A feed owns its items and every string in them (UTF-8, NFC, NUL-terminated, or NULL). */
#ifndef TIDINGS_FEED_H
#define TIDINGS_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "util.h" /* DATE_NONE */

struct enclosure {
	char *url;
	char *type;     /* NULL when unknown */
	int64_t length; /* -1 when unknown */
};

struct item {
	char *id;        /* the source's identifier (guid, atom:id, …) after the fallback chain */
	char *title;     /* plain text */
	char *link;      /* absolute */
	char *author;    /* plain text */
	char *summary;   /* HTML */
	char *content;   /* HTML */
	int64_t published, updated; /* Unix seconds or DATE_NONE */
	char **categories;
	size_t ncategories;
	struct enclosure *enclosures;
	size_t nenclosures;
	/* Set by the store when items are read back for publishing; NULL/0 from parsers. */
	char *uid;          /* identity in every published format, stable across rebuilds */
	char *source;       /* source name */
	char *source_title;
	char *source_link;
	char *source_url;
	int64_t first_seen;
	char hash[65];      /* item_hash, filled by feed_hash_items; "" when not computed */
	/* ITEM_CLEAN_* bits: the field is already what text_clean would make of it (set by the
	 * parser when its sanitiser could tell, so that feed_finish need not look again). */
	unsigned clean;
};
#define ITEM_CLEAN_SUMMARY 1u
#define ITEM_CLEAN_CONTENT 2u

struct feed {
	char *format;   /* "rss2.0", "atom1.0", … */
	char *title, *link, *description, *language;
	int64_t updated;
	int ttl;        /* minutes, 0 when absent (RSS <ttl>) */
	int64_t update_period; /* seconds between updates the feed announces (sy:), 0 when absent */
	struct item *items;
	size_t nitems, capacity;
};

struct feed *feed_new(void);
void feed_free(struct feed *f);
/* Appends a zeroed item (dates DATE_NONE) and returns it; valid until the next append. */
struct item *feed_add_item(struct feed *f);
void item_release(struct item *it);
void item_add_category(struct item *it, const char *term);
struct enclosure *item_add_enclosure(struct item *it, const char *url);

/* Final pass after parsing: cleans every text field (text_clean), fills missing ids from the
 * fallback chain (link, then a hash of title+dates+content), and disambiguates ids that every
 * item shares. */
void feed_finish(struct feed *f);

/* SHA-256 (hex) over the fields a change of which is an update of the item. */
void item_hash(const struct item *it, char out[65]);
/* Fills every item's hash (after feed_finish): done by the polling workers, so that the store,
 * which computes a missing one itself, need not. */
void feed_hash_items(struct feed *f);

/* Returns a new string: s as valid UTF-8 (invalid bytes become U+FFFD) in NFC, without the
 * characters XML 1.0 forbids.  NULL stays NULL. */
char *text_clean(const char *s);

/* XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF] */
static inline int text_xml_char(int32_t c)
{
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
	       (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* Whether NFC leaves a code point alone whatever surrounds it, for the ranges news text lives in:
 * Latin (with Vietnamese precomposed letters), general punctuation and symbols, CJK ideographs.
 * Anything else (combining marks, Hangul jamo, singletons such as U+212B) takes the full path. */
static inline int text_nfc_stable(int32_t c)
{
	/* Left out on purpose: U+2000/2001, U+2329/232A (singletons), U+2ADC (excluded from
	 * composition), U+20D0… and U+302A… (combining marks). */
	return c < 0x300 || (c >= 0x1E00 && c <= 0x1EFF) || (c >= 0x2010 && c <= 0x20CF) ||
	       (c >= 0x2150 && c <= 0x2328) || (c >= 0x232B && c <= 0x2ADB) || (c >= 0x2ADD && c <= 0x2BFF) ||
	       (c >= 0x3000 && c <= 0x3029) || (c >= 0x4E00 && c <= 0x9FFF);
}

/* Decodes the UTF-8 sequence at p (n >= 1 bytes there) into *cp and returns its length, or a
 * negative number when it is not valid UTF-8: utf8proc_iterate's answer, with the two- and
 * three-byte forms of most text decoded inline. */
long text_utf8_slow(const unsigned char *p, size_t n, int32_t *cp);
static inline long text_utf8_next(const unsigned char *p, size_t n, int32_t *cp)
{
	unsigned char c = p[0];
	if (c >= 0xC2 && c <= 0xDF && n >= 2 && (p[1] & 0xC0) == 0x80) {
		*cp = (int32_t)((c & 0x1F) << 6 | (p[1] & 0x3F));
		return 2;
	}
	if (c >= 0xE0 && c <= 0xEF && n >= 3 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
		int32_t v = (int32_t)((c & 0x0F) << 12 | (p[1] & 0x3F) << 6 | (p[2] & 0x3F));
		if (v >= 0x800 && (v < 0xD800 || v > 0xDFFF)) { /* not overlong, not a surrogate */
			*cp = v;
			return 3;
		}
	}
	return text_utf8_slow(p, n, cp);
}

/* Whether text_clean keeps a (validly encoded) code point as it is, wherever it stands. */
static inline int text_char_kept(int32_t c)
{
	return text_xml_char(c) && text_nfc_stable(c);
}
/* The plain text of an HTML fragment, entities decoded, white space squashed; a new string. */
char *text_from_html(const char *html);
/* Whether text in a plain-text field (an RSS title, author or category) is really HTML markup:
 * it holds a close tag, every tag names a known HTML element and every named reference is a
 * known HTML entity (feedparser's test, with references alone not counted as markup, so a
 * double-escaped "Q&amp;A" stays as written).  "AT&T" and "a < b" are not HTML. */
int text_looks_like_html(const char *s);
/* Takes s and returns it, or its plain text (text_from_html) when it looks like HTML. */
char *text_plain(char *s);
/* The form of a link used to recognise the same article: scheme and host lower-cased, default
 * port and fragment dropped, an empty path made "/".  A new string. */
char *link_canonical(const char *link);
struct buf;
/* Appends text to b escaped for HTML: & < > always, and " ' too when quotes is set (attribute
 * values).  NULL appends nothing; the _n form takes n bytes. */
void text_html_escape(struct buf *b, const char *text, int quotes);
void text_html_escape_n(struct buf *b, const char *text, size_t n, int quotes);
/* Appends n bytes of text to b escaped for XML element content the way libxml2's
 * xmlEncodeSpecialChars does: < > & " and carriage return become references, byte for byte the
 * same, eight bytes at a time where there is nothing to escape. */
void text_xml_escape(struct buf *b, const char *text, size_t n);
/* Returns text as a new HTML string (escaped, no markup). */
char *text_to_html(const char *text);
struct _xmlNode;
/* The value of an attribute of a libxml2 element as a new string, or NULL when it has none. */
char *xml_prop(const struct _xmlNode *n, const char *name);

/* Collapses runs of white space into one space and trims; returns a new string. */
char *text_squash(const char *s);

#endif
