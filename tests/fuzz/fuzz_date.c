/* libFuzzer target: the date parsers on arbitrary strings. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	int64_t t = date_parse(s, 420);
	if (t != INT64_MIN) {
		char out[48];
		date_rfc3339(t, out);
		date_rfc822(t, out);
	}
	int off;
	date_parse_offset(s, &off);
	/* the first line is a format, the rest the text */
	char *nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		extract_date(nl + 1, s, 0);
	}
	free(s);
	return 0;
}
