#include "json.h"

#include <string.h>

#include "date.h"
#include "util.h"

void json_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	if (!s) {
		buf_adds(b, "null");
		return;
	}
	/* bytes that may need escaping: controls, '"', '\\', DEL, and 0xE2 (U+2028/U+2029) */
	static const unsigned char special[256] = {
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		['"'] = 1, ['\\'] = 1, [0x7f] = 1, [0xE2] = 1};
	buf_addc(b, '"');
	const char *run = s;
	const unsigned char *end = (const unsigned char *)s + strlen(s);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		/* whole words with nothing to escape: no control, '"', '\\', DEL or 0xE2 */
		c += util_word_run((const char *)c, (size_t)(end - c), "\"\\\x7f\xe2", 4);
		while (!special[*c])
			c++;
		if (!*c)
			break;
		const char *esc = NULL;
		char u[7];
		if (*c == '"')
			esc = "\\\"";
		else if (*c == '\\')
			esc = "\\\\";
		else if (*c == '\n')
			esc = "\\n";
		else if (*c == '\r')
			esc = "\\r";
		else if (*c == '\t')
			esc = "\\t";
		else if (*c < 0x20 || *c == 0x7f) {
			u[0] = '\\', u[1] = 'u', u[2] = '0', u[3] = '0', u[4] = hex[*c >> 4], u[5] = hex[*c & 15];
			u[6] = '\0';
			esc = u;
		} else if (*c == 0xE2 && c[1] == 0x80 && (c[2] == 0xA8 || c[2] == 0xA9)) {
			/* U+2028/U+2029 break JavaScript string literals. */
			esc = c[2] == 0xA8 ? "\\u2028" : "\\u2029";
		}
		if (esc) {
			buf_add(b, run, (size_t)((const char *)c - run));
			buf_adds(b, esc);
			if (*c == 0xE2)
				c += 2;
			run = (const char *)c + 1;
		}
	}
	buf_adds(b, run);
	buf_addc(b, '"');
}

void json_strings(struct buf *b, char *const *s, size_t n)
{
	buf_addc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		json_string(b, s[i]);
	}
	buf_addc(b, ']');
}

void json_date(struct buf *b, int64_t t)
{
	if (t == DATE_NONE) {
		buf_adds(b, "null");
		return;
	}
	char s[32];
	date_rfc3339(t, s);
	buf_addc(b, '"');
	buf_adds(b, s);
	buf_addc(b, '"');
}

void json_key(struct buf *b, const char *key, int first)
{
	if (!first)
		buf_addc(b, ',');
	json_string(b, key);
	buf_addc(b, ':');
}

void json_member(struct buf *b, const char *key, const char *value, int first)
{
	json_key(b, key, first);
	json_string(b, value);
}
