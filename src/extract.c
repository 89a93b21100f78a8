#include "extract.h"

#include <ctype.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <utf8proc.h>

#include "buf.h"
#include "date.h"
#include "util.h"

#define MAX_LINES 20000

int64_t extract_date_end(const char *s, const char *format, int tz_offset, const char **end)
{
	static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
					     "jul", "aug", "sep", "oct", "nov", "dec"};
	int y = -1, mo = 1, d = 1, hh = 0, mi = 0, ss = 0, pm = -1;
	const char *f = format;
	while (*f) {
		if (*f == '%' && f[1]) {
			char conv = f[1];
			f += 2;
			if (conv == 'b' || conv == 'B') {
				int found = 0;
				for (int i = 0; i < 12 && !found; i++)
					if (util_strncaseeq(s, months[i], 3)) {
						mo = i + 1;
						found = 1;
					}
				if (!found)
					return DATE_NONE;
				while (isalpha((unsigned char)*s))
					s++;
				continue;
			}
			if (conv == 'p') {
				if (util_strncaseeq(s, "am", 2))
					pm = 0;
				else if (util_strncaseeq(s, "pm", 2))
					pm = 1;
				else
					return DATE_NONE;
				s += 2;
				continue;
			}
			int maxd = conv == 'Y' ? 4 : 2, v = 0, n = 0;
			while (n < maxd && isdigit((unsigned char)*s))
				v = v * 10 + (*s++ - '0'), n++;
			if (!n)
				return DATE_NONE;
			switch (conv) {
			case 'd': d = v; break;
			case 'm': mo = v; break;
			case 'Y': y = v; break;
			case 'y': y = v < 70 ? 2000 + v : 1900 + v; break;
			case 'H': case 'I': hh = v; break;
			case 'M': mi = v; break;
			case 'S': ss = v; break;
			default: return DATE_NONE;
			}
		} else if (isspace((unsigned char)*f)) {
			while (isspace((unsigned char)*s))
				s++;
			f++;
		} else if (*s == *f) {
			s++;
			f++;
		} else {
			return DATE_NONE;
		}
	}
	if (pm == 1 && hh < 12)
		hh += 12;
	else if (pm == 0 && hh == 12)
		hh = 0;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 || ss > 60)
		return DATE_NONE;
	if (end)
		*end = s;
	return date_from_civil(y, mo, d, hh, mi, ss) - (int64_t)tz_offset * 60;
}

int64_t extract_date(const char *s, const char *format, int tz_offset)
{
	return extract_date_end(s, format, tz_offset, NULL);
}

/* A line is blank when it holds only white space, no-break spaces included. */
static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0)
			i++;
		else if (!isspace(c))
			return 0;
	}
	return 1;
}

static char *trimmed(const char *s, size_t n)
{
	char *t = xstrndup(s, n);
	/* no-break spaces at either end count as white space */
	char *p = t;
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0)
			p += 2;
		else
			break;
	}
	size_t len = strlen(p);
	for (;;) {
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (len >= 2 && (unsigned char)p[len - 2] == 0xC2 && (unsigned char)p[len - 1] == 0xA0)
			len -= 2;
		else
			break;
	}
	char *out = xstrndup(p, len);
	free(t);
	return out;
}

size_t extract_words(const char *s)
{
	size_t n = 0;
	int in = 0;
	for (; *s; s++) {
		if (isspace((unsigned char)*s))
			in = 0;
		else if (!in) {
			in = 1;
			n++;
		}
	}
	return n;
}

/* A paragraph of the article: several words, or a finished sentence. */
int extract_prose(const char *s)
{
	/* a sentence of a script written without spaces ends in an ideographic full stop */
	size_t len = strlen(s);
	if (len >= 30 && len > 3 && !memcmp(s + len - 3, "\xE3\x80\x82", 3))
		return 1;
	size_t n = strlen(s);
	if (extract_words(s) >= 12)
		return 1;
	if (!n)
		return 0;
	const char *end = s + n - 1;
	/* a closing quote mark (ASCII or U+201D) after the sentence */
	if (*end == '"')
		end--;
	else if (n >= 3 && !memcmp(s + n - 3, "\xE2\x80\x9D", 3))
		end -= 3;
	return end >= s && (*end == '.' || *end == '!' || *end == '?') && extract_words(s) >= 4;
}

/* A name in a script without letter case (CJK, Thai…): two to ten such letters, maybe in
 * brackets: "（山田太郎）". */
static int caseless_name(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	int letters = 0, open = 0;
	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &c);
		if (k < 1)
			return 0;
		p += k;
		if ((c == '(' || c == 0xFF08) && !letters && !open)
			open = 1;
		else if ((c == ')' || c == 0xFF09) && open && !*p)
			open = 0;
		else if (utf8proc_category(c) == UTF8PROC_CATEGORY_LO)
			letters++;
		else
			return 0;
	}
	return !open && letters >= 2 && letters <= 10;
}

int extract_byline(const char *s)
{
	if (caseless_name(s))
		return 1;
	size_t n = extract_words(s);
	if (n < 1 || n > 5 || strpbrk(s, "0123456789:()*.,;!?"))
		return 0;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	int start = 1;
	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(p, -1, &c);
		if (k < 1)
			return 0;
		if (c == ' ') {
			start = 1;
		} else if (start) {
			if (utf8proc_category(c) != UTF8PROC_CATEGORY_LU)
				return 0;
			start = 0;
		}
		p += k;
	}
	return 1;
}

static void paragraph(struct buf *b, const char *text)
{
	buf_adds(b, "<p>");
	text_html_escape(b, text, 0);
	buf_adds(b, "</p>");
}

/* Splits "Title (18:15 18/11/2021)" into title and date when the parenthesis holds one. */
static void title_and_date(const char *line, const struct extract_options *opt, char **title,
			   int64_t *date)
{
	size_t n = strlen(line);
	*date = DATE_NONE;
	const char *open = n && line[n - 1] == ')' ? strrchr(line, '(') : NULL;
	if (open) {
		char *inside = xstrndup(open + 1, (size_t)(line + n - 1 - open - 1));
		char *t = util_trim(inside);
		if (opt->date_format)
			*date = extract_date(t, opt->date_format, opt->tz_offset);
		if (*date == DATE_NONE)
			*date = extract_date(t, "%H:%M %d/%m/%Y", opt->tz_offset);
		if (*date == DATE_NONE)
			*date = extract_date(t, "%d/%m/%Y %H:%M", opt->tz_offset);
		if (*date == DATE_NONE)
			*date = date_parse(t, opt->tz_offset);
		free(inside);
	}
	*title = *date != DATE_NONE ? trimmed(line, (size_t)(open - line)) : xstrdup(line);
}

/* Text, not binary: no NUL byte, and at most one invalid UTF-8 sequence in a hundred bytes. */
static int looks_like_text(const char *data, size_t len)
{
	if (memchr(data, '\0', len))
		return 0;
	size_t n = len < 65536 ? len : 65536, bad = 0;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)data;
	for (size_t i = 0; i < n;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &c);
		if (k < 1 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
			bad++;
			k = 1;
		}
		i += (size_t)k;
	}
	return bad * 100 <= n;
}

struct feed *extract_text(const char *data, size_t len, const struct extract_options *opt, char *err,
			  size_t errlen)
{
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
		data += 3;
		len -= 3;
	}
	if (!looks_like_text(data, len)) {
		util_errf(err, errlen, "not a text article: binary data");
		return NULL;
	}
	char **paras = NULL;
	size_t np = 0;
	const char *p = data, *end = data + len;
	while (p < end && np < MAX_LINES) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (!blank(p, n)) {
			paras = xrealloc(paras, (np + 1) * sizeof *paras);
			paras[np++] = trimmed(p, n);
		}
		p = nl ? nl + 1 : end;
	}
	struct feed *f = NULL;
	if (np < 2) {
		util_errf(err, errlen, "not a text article: fewer than two paragraphs");
		goto out;
	}
	/* The body ends at the last paragraph of prose; a byline right after it is the author;
	 * whatever follows (site boxes, comment forms) is not the article. */
	size_t last = 0;
	for (size_t i = 1; i < np; i++)
		if (extract_prose(paras[i]))
			last = i;
	if (!last) {
		util_errf(err, errlen, "not a text article: no paragraph of prose after the title");
		goto out;
	}
	f = feed_new();
	f->format = xstrdup("text");
	struct item *it = feed_add_item(f);
	title_and_date(paras[0], opt, &it->title, &it->published);
	if (last + 1 < np && extract_byline(paras[last + 1]))
		it->author = xstrdup(paras[last + 1]);
	struct buf lead, body;
	buf_init(&lead, 0);
	buf_init(&body, 0);
	paragraph(&lead, paras[1]);
	for (size_t i = 1; i <= last; i++)
		paragraph(&body, paras[i]);
	it->summary = buf_take(&lead, NULL);
	it->content = buf_take(&body, NULL);
	it->id = xstrdup(opt->id);
	it->link = xstrdup(opt->link);
	f->title = xstrdup(it->title);
	feed_finish(f);
out:
	for (size_t i = 0; i < np; i++)
		free(paras[i]);
	free(paras);
	return f;
}
