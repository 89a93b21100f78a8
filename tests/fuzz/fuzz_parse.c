/* libFuzzer target: the feed parser (RSS, Atom, JSON Feed), the sanitiser it calls, and the
 * text article extractor, on arbitrary bytes. */
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
	struct parse_options opt = {.base_url = "https://example.org/feed/", .charset = NULL, .tz_offset = 420};
	feed_free(parse_feed((const char *)data, size, &opt, err, sizeof err));
	struct extract_options eo = {.id = "fuzz.txt", .tz_offset = 420};
	feed_free(extract_text((const char *)data, size, &eo, err, sizeof err));
	return 0;
}
