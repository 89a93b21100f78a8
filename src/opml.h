/* opml — subscription lists in: an OPML file becomes [category]/[source] sections. */
#ifndef TIDINGS_OPML_H
#define TIDINGS_OPML_H

#include <stddef.h>

#include "buf.h"

/* Appends configuration sections for every outline with an xmlUrl in the OPML document.
 * Nested outlines name the category (their text, made a slug); top-level feeds go to "imported".
 * Returns the number of sources, or -1 with err filled. */
int opml_import(const char *data, size_t len, struct buf *out, char *err, size_t errlen);

/* A slug from any text: ASCII lower-case letters and digits joined by '-', diacritics removed
 * ("Xây dựng Đảng" → "xay-dung-dang").  Never empty: falls back to fallback. */
char *opml_slugify(const char *text, const char *fallback);

#endif
