/* jsonfeed — JSON Feed 1.0 and 1.1 documents to struct feed (used by parse_feed). */
#ifndef TIDINGS_JSONFEED_H
#define TIDINGS_JSONFEED_H

#include <stddef.h>

#include "feed.h"
#include "parse.h"

/* Returns NULL with a one-line reason in err when the bytes are not a JSON Feed. */
struct feed *jsonfeed_parse(const char *data, size_t len, const struct parse_options *opt, char *err,
			    size_t errlen);

#endif
