/* libFuzzer target: the sanitiser on arbitrary bytes, through its fast path and through
 * libxml2's HTML parser alone.  The two must write the same output; a difference aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *html = xmalloc(size + 1);
	memcpy(html, data, size);
	html[size] = '\0';
	const char *base = size && data[0] & 1 ? "https://example.org/dir/page.html" : NULL;
	char *fast = sanitize_html(html, base), *parsed = sanitize_html_parser(html, base);
	if (strcmp(fast, parsed)) {
		fprintf(stderr, "fast path:   %s\nparser path: %s\n", fast, parsed);
		abort();
	}
	free(fast);
	free(parsed);
	free(html);
	return 0;
}
