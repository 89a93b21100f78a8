/* bench_parse — the feed parser over many files in one process, as `tidings parse` reads each
 * one (whole file, the same options), printing only the totals:
 *   bench_parse FILE...      → "N files, M items" */
#include <stdio.h>
#include <stdlib.h>

#include "feed.h"
#include "parse.h"
#include "util.h"

int main(int argc, char **argv)
{
	parse_global_init();
	size_t items = 0;
	int files = 0;
	for (int i = 1; i < argc; i++) {
		char err[512];
		size_t len;
		char *data = util_read_file(argv[i], (size_t)1 << 30, &len, err, sizeof err);
		if (!data) {
			fprintf(stderr, "bench_parse: %s\n", err);
			return 1;
		}
		struct parse_options opt = {.base_url = NULL, .charset = NULL, .tz_offset = 0};
		struct feed *f = parse_feed(data, len, &opt, err, sizeof err);
		free(data);
		if (!f) {
			fprintf(stderr, "bench_parse: %s: %s\n", argv[i], err);
			return 1;
		}
		items += f->nitems;
		files++;
		feed_free(f);
	}
	printf("%d files, %zu items\n", files, items);
	parse_global_cleanup();
	return 0;
}
