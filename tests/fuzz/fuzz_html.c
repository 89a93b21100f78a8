/* libFuzzer target: the HTML extractor (decoding, metadata, JSON-LD, scoring, listings, XPath
 * overrides) and the sanitiser it calls, on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "extract.h"
#include "feed.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		parse_global_init();
		ready = 1;
	}
	char err[256];
	enum page_kind kind;
	struct extract_options eo = {.link = "https://example.org/tin/bai.html", .tz_offset = 420};
	feed_free(extract_html((const char *)data, size, &eo, &kind, err, sizeof err));
	/* the same bytes as an article reached from a listing, with overrides and a legacy charset */
	struct extract_xpaths xp = {.title = "//h1", .date = "//time", .content = "//article"};
	struct extract_options eo2 = {.link = "https://example.org/a", .charset = "windows-1258",
				      .date_format = "%H:%M %d/%m/%Y", .xpath = &xp, .article_only = 1};
	feed_free(extract_html((const char *)data, size, &eo2, &kind, err, sizeof err));
	return 0;
}
