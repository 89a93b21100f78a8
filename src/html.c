/* html — article and listing pages to items, with no per-site code.
 *
 * The page is decoded (BOM, HTTP charset, <meta> declarations, sniffing; a Latin label on UTF-8
 * bytes is overruled) and parsed by libxml2's HTML parser.  An article's fields come from, in
 * order of trust: the configured XPath expressions, JSON-LD, OpenGraph and article:* meta,
 * microdata, <time datetime>, and then the page's text — the h1 or the block matching <title>,
 * a timestamp near it, the body block with the most prose and the fewest links (scored as
 * readability does), a short trailing byline.  A page with no dominant text block but many links
 * to article-like pages of the same site is a listing: one item per link. */
#include "extract.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/uri.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "buf.h"
#include "config.h"
#include "date.h"
#include "parse.h"
#include "sanitize.h"
#include "util.h"

#define MAX_DEPTH 200
#define MIN_PARAGRAPH 25

/* ---- decoding ---- */

/* The charset a <meta charset> or <meta http-equiv="Content-Type"> declares in the first 4 KB,
 * copied into out (empty when none). */
static void meta_charset(const char *data, size_t len, char *out, size_t n)
{
	out[0] = '\0';
	size_t lim = len < 4096 ? len : 4096;
	for (size_t i = 0; i + 8 < lim; i++) {
		if (!util_strncaseeq(data + i, "charset", 7))
			continue;
		size_t j = i + 7;
		while (j < lim && isspace((unsigned char)data[j]))
			j++;
		if (j >= lim || data[j] != '=')
			continue;
		j++;
		while (j < lim && (isspace((unsigned char)data[j]) || data[j] == '"' || data[j] == '\''))
			j++;
		size_t k = 0;
		while (j < lim && k + 1 < n && (isalnum((unsigned char)data[j]) || strchr("-_.:", data[j])))
			out[k++] = data[j++];
		out[k] = '\0';
		if (k)
			return;
	}
}

static char *to_utf8(const char *data, size_t len, const char *charset, size_t *outlen)
{
	return charset_to_utf8(data, len, charset, outlen);
}

static int utf16(const char *label)
{
	return util_strncaseeq(label, "utf-16", 6) || util_strncaseeq(label, "utf16", 5) ||
	       util_strncaseeq(label, "utf-32", 6);
}

/* The page as UTF-8: a new buffer, or NULL when the bytes already are (or nothing can be
 * done with them). */
static char *decode_page(const char *data, size_t len, const char *http_charset, size_t *outlen)
{
	const char *label = NULL;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		return NULL;
	if (len >= 2 && (!memcmp(data, "\xFF\xFE", 2) || !memcmp(data, "\xFE\xFF", 2)))
		return to_utf8(data, len, "UTF-16", outlen); /* iconv reads the BOM */
	char meta[48];
	meta_charset(data, len, meta, sizeof meta);
	label = charset_usable(http_charset);
	if (!label && !utf16(meta)) /* a <meta> naming UTF-16 is read as UTF-8 (WHATWG): a page
				       that could be read this far is not UTF-16 */
		label = charset_usable(meta);
	if (!label) /* no usable label: UTF-8, unless the bytes are a single-byte code page's */
		return charset_latin_bytes(data, len) ? to_utf8(data, len, "WINDOWS-1252", outlen) : NULL;
	if (util_strcaseeq(label, "UTF-8"))
		return NULL;
	/* A label on bytes that are valid UTF-8 with multi-byte characters is a lie: a legacy
	 * single-byte text almost never happens to be valid UTF-8. */
	if (!utf16(label) && charset_utf8_in_disguise(data, len))
		return NULL;
	return to_utf8(data, len, label, outlen);
}

/* ---- small DOM helpers ---- */

static int is_el(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static int name_in(const xmlNode *n, const char *list)
{
	if (!n || n->type != XML_ELEMENT_NODE)
		return 0;
	size_t k = strlen((const char *)n->name);
	for (const char *p = list; (p = strstr(p, (const char *)n->name)); p++)
		if (p[-1] == ' ' && p[k] == ' ')
			return 1;
	return 0;
}

/* Never part of an article, and dropped with everything inside. */
static const char *const DROPPED = " script style noscript iframe frame frameset object embed applet"
				   " form button input select option textarea template svg math"
				   " canvas dialog link meta head title nav aside footer label map"
				   " amp-ad amp-embed amp-sticky-ad amp-auto-ads amp-analytics amp-pixel"
				   " amp-consent amp-social-share ";
/* Blocks: text on either side of one of these is a different paragraph. */
static const char *const BLOCKS = " p div td th tr table tbody ul ol li dl dd dt h1 h2 h3 h4 h5 h6"
				  " section article main header footer aside nav blockquote pre"
				  " figure figcaption form br hr center address ";

static int dropped(const xmlNode *n);

static void gather(struct buf *b, const xmlNode *n, int skip_dropped, int depth)
{
	for (; n && depth < MAX_DEPTH && !(b->max && b->len >= b->max); n = n->next) { /* a capped buffer
											    stops the walk when full */
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			buf_adds(b, (const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE) {
			if (skip_dropped && dropped(n))
				continue;
			int block = name_in(n, BLOCKS);
			if (block)
				buf_addc(b, ' ');
			gather(b, n->children, skip_dropped, depth + 1);
			if (block)
				buf_addc(b, ' ');
		}
	}
}

static int over(const xmlNode *n, size_t *left, int raw, int depth);

/* Never part of an article.  A form is, unless it wraps the whole page (ASP.NET sites do). */
static int dropped(const xmlNode *n)
{
	if (!name_in(n, DROPPED))
		return 0;
	size_t left = 1499;
	return !is_el(n, "form") || !over(n->children, &left, 1, 0);
}

/* The text of n (with its children), white space squashed. */
static char *text_of(const xmlNode *n)
{
	struct buf b;
	buf_init(&b, 0);
	if (n->type == XML_ELEMENT_NODE)
		gather(&b, n->children, 1, 0);
	else if (n->content)
		buf_adds(&b, (const char *)n->content);
	char *t = text_squash(buf_str(&b));
	buf_release(&b);
	return t;
}

/* Whether there are more than *left characters of text under n, stopping as soon as there are;
 * what is dropped is not counted, or with raw only scripts and styles. */
static int over(const xmlNode *n, size_t *left, int raw, int depth)
{
	for (; n && depth < MAX_DEPTH; n = n->next) {
		if (n->type == XML_TEXT_NODE) {
			for (const char *p = (const char *)n->content; p && *p; p++)
				if (!isspace((unsigned char)*p) && ((unsigned char)*p & 0xC0) != 0x80 && (*left)-- == 0)
					return 1;
		} else if (n->type == XML_ELEMENT_NODE && !(raw ? name_in(n, " script style ") : dropped(n)) &&
			   over(n->children, left, raw, depth + 1)) {
			return 1;
		}
	}
	return 0;
}

/* Whether the text under n is longer than limit characters. */
static int text_len_over(const xmlNode *n, size_t limit)
{
	size_t left = limit;
	return over(n->children, &left, 0, 0);
}

static int blank_text(const xmlNode *n)
{
	if (n->type != XML_TEXT_NODE)
		return 0;
	for (const char *p = (const char *)n->content; p && *p; p++)
		if (!isspace((unsigned char)*p))
			return 0;
	return 1;
}

/* Length in characters (not bytes) of UTF-8 text. */
static size_t chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* class and id, lower-cased, for matching hints */
static void class_id(const xmlNode *n, char *out, size_t size)
{
	out[0] = '\0';
	char *c = xml_prop(n, "class"), *i = xml_prop(n, "id");
	snprintf(out, size, " %s %s ", c ? c : "", i ? i : "");
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	free(c);
	free(i);
}

static int matches(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strstr(s, *words))
			return 1;
	return 0;
}

/* Boxes that are never the article, whatever else their class says. */
static const char *const BOX_STRONG[] = {
	"comment", "share", "social", "related", "relate", "sidebar", "footer", "breadcrumb", "cookie",
	"newsletter", "subscribe", "advert", "adsbygoogle", "quangcao", "captcha", "menu", "navbar",
	"nav-", "-nav", " nav ", "sharing", "disqus", "popular", "most-read", "mostread", "trending",
	"tinkhac", "tin-khac", "lienquan", "lien-quan", "binhluan", "binh-luan", "docnhieu",
	"doc-nhieu", "tinmoi", "tin-moi", "othernews", "other-news", "more-news", "morenews",
	"read-more", "readmore", "see-also", "login", "signup", "widget", "banner", "sponsor",
	"skyscraper", "promo", "masthead", "toolbar", "pagination", "pager", "paging", "cat-links",
	" ad ", "ad-slot", "adslot", "ad-unit", "adunit", "ad-container", "ad-wrapper", "dfp-", "gpt-ad",
	"taboola", "outbrain",
	"tag-links", "tags", "post-navigation", "nav-links", "author-box", "modal", "popup", NULL};
/* Boxes that are not the article unless their class also says it is. */
static const char *const BOX_WEAK[] = {"header", "extra", "combx", "community", "remark", "rss",
					"print", "rating", "meta", "byline", "date", "hidden", NULL};
static const char *const MAYBE[] = {"article", "body", "content", "entry", "main", "story",
				    "detail", "noidung", "chitiet", NULL};
static const char *const POSITIVE[] = {"article", "body", "content", "entry", "hentry", "main",
				       "post", "text", "blog", "story", "detail", "chitiet",
				       "noidung", "news", NULL};

/* A box by its class or id: 2 certainly not the article, 1 probably not, 0 no opinion. */
static int box_class(const xmlNode *n)
{
	char ci[512];
	class_id(n, ci, sizeof ci);
	if (!strcmp(ci, "   "))
		return 0;
	if (matches(ci, BOX_STRONG))
		return 2;
	if (matches(ci, BOX_WEAK) && !matches(ci, MAYBE))
		return 1;
	return 0;
}

static int hidden(const xmlNode *n)
{
	if (xmlHasProp(n, (const xmlChar *)"hidden"))
		return 1;
	char *style = xml_prop(n, "style");
	int h = 0;
	if (style) {
		for (char *p = style; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		char *q = style, *o = style;
		for (; *q; q++)
			if (!isspace((unsigned char)*q))
				*o++ = *q;
		*o = '\0';
		h = strstr(style, "display:none") || strstr(style, "visibility:hidden");
	}
	free(style);
	return h;
}

/* ---- dates ---- */

/* Local formats tried on page text, longest first so a time is not lost. */
static const char *const TEXT_FORMATS[] = {
	"%H:%M:%S %d/%m/%Y", "%H:%M %d/%m/%Y",  "%H:%M, %d/%m/%Y",  "%H:%M - %d/%m/%Y",
	"%H:%M | %d/%m/%Y",  "%H:%M ngày %d/%m/%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
	"%d/%m/%Y - %H:%M",  "%d/%m/%Y, %H:%M", "%d/%m/%Y | %H:%M", "%d/%m/%Y lúc %H:%M",
	"%d-%m-%Y %H:%M",    "%d.%m.%Y %H:%M",  "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
	"%Y/%m/%d %H:%M",    "%b %d, %Y at %I:%M %p", "%b %d, %Y, %I:%M %p", "%b %d, %Y %I:%M %p",
	"%b %d, %Y %H:%M",   "%d %b %Y %H:%M",  "%d %b %Y, %H:%M",  "%b %d, %Y", "%b %d %Y",
	"%d %b %Y",          "%d/%m/%Y",        "%d-%m-%Y",         "%d.%m.%Y",  "%Y-%m-%d",
	"%Y/%m/%d",          "%Y年%m月%d日 %H時%M分", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日",
	"%Y년 %m월 %d일 %H:%M", "%Y년 %m월 %d일", NULL};

static int plausible(int64_t t)
{
	return t != DATE_NONE && t > 631152000 /* 1990 */ && t < util_now() + 2 * 86400 + 366 * 86400;
}

/* The first date in text: the source's format first, then the common ones, at every word start.
 * *at gets the offset where it starts. */
#define DATE_SCAN 1024 /* a date further into a text is not the text's date */

/* A zone written after a local time: "GMT", "UTC", "Z", "GMT+7", "(GMT+07:00)", "+0700".  Sets
 * *minutes east of UTC and returns 1, or returns 0 when none follows. */
static int zone_after(const char *p, int *minutes)
{
	while (*p == ' ' || *p == '(')
		p++;
	int named = 0;
	if (util_strncaseeq(p, "GMT", 3) || util_strncaseeq(p, "UTC", 3)) {
		p += 3;
		named = 1;
	} else if (*p == 'Z' && !isalnum((unsigned char)p[1])) {
		p++;
		named = 1;
	}
	*minutes = 0;
	int sign = 0;
	if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		p++;
	} else if (!strncmp(p, "\xE2\x88\x92", 3)) { /* U+2212 minus */
		sign = -1;
		p += 3;
	}
	if (!sign)
		return named && !isalnum((unsigned char)*p);
	size_t run = 0;
	while (run < 5 && isdigit((unsigned char)p[run]))
		run++;
	int h, m = 0;
	if (run == 4) { /* +0700 */
		h = (p[0] - '0') * 10 + (p[1] - '0');
		m = (p[2] - '0') * 10 + (p[3] - '0');
	} else if (run == 1 || run == 2) { /* +7, +07, +07:00 */
		h = run == 1 ? p[0] - '0' : (p[0] - '0') * 10 + (p[1] - '0');
		if (p[run] == ':' && isdigit((unsigned char)p[run + 1]) && isdigit((unsigned char)p[run + 2]))
			m = (p[run + 1] - '0') * 10 + (p[run + 2] - '0');
		else if (!named)
			return 0; /* "- 7" in running text is no zone */
	} else {
		return named;
	}
	if (h > 14 || m > 59)
		return named;
	*minutes = sign * (h * 60 + m);
	return 1;
}

static int64_t date_in_text(const char *text, const struct extract_options *opt, size_t *at)
{
	for (const char *p = text; *p && p - text < DATE_SCAN; p++) {
		if (p > text && (isalnum((unsigned char)p[-1]) || (unsigned char)p[-1] >= 0x80))
			continue;
		if (!isalnum((unsigned char)*p))
			continue;
		int64_t t = DATE_NONE;
		const char *end = p;
		if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
		    isdigit((unsigned char)p[3]) && p[4] == '-') { /* ISO 8601 in the text, zone and all */
			size_t n = strcspn(p, " \t\n<,;)\"'");
			char *token = xstrndup(p, n < 64 ? n : 64);
			t = date_parse(token, opt->tz_offset);
			free(token);
			if (plausible(t)) {
				if (at)
					*at = (size_t)(p - text);
				return t;
			}
			t = DATE_NONE;
		}
		if (opt->date_format)
			t = extract_date_end(p, opt->date_format, opt->tz_offset, &end);
		for (int i = 0; TEXT_FORMATS[i] && !plausible(t); i++) {
			if (!!isalpha((unsigned char)*p) != (TEXT_FORMATS[i][1] == 'b'))
				continue;
			t = extract_date_end(p, TEXT_FORMATS[i], opt->tz_offset, &end);
		}
		int zone;
		if (plausible(t) && zone_after(end, &zone)) /* the page says which zone: not ours */
			t += (int64_t)(opt->tz_offset - zone) * 60;
		if (plausible(t)) {
			if (at)
				*at = (size_t)(p - text);
			return t;
		}
	}
	return DATE_NONE;
}

/* A machine-readable date (ISO 8601, RFC 822), else one in the page's local format. */
static int64_t any_date(const char *s, const struct extract_options *opt)
{
	if (!s || !*s || strlen(s) > DATE_SCAN) /* a value that long is no date */
		return DATE_NONE;
	int64_t t = date_parse(s, opt->tz_offset);
	if (!plausible(t))
		t = date_in_text(s, opt, NULL);
	return plausible(t) ? t : DATE_NONE;
}

/* ---- the page ---- */

struct meta {
	char *title, *author, *summary, *link, *body_text;
	int64_t published, updated;
	char **tags;
	size_t ntags;
	int is_article; /* JSON-LD or og:type says so */
};

struct page {
	htmlDocPtr doc;
	char *base;     /* for relative URLs */
	char *url;      /* the page's own */
	const struct extract_options *opt;
	struct meta m;
	xmlNode *title_node;
};

static void meta_release(struct meta *m)
{
	free(m->title);
	free(m->author);
	free(m->summary);
	free(m->link);
	free(m->body_text);
	for (size_t i = 0; i < m->ntags; i++)
		free(m->tags[i]);
	free(m->tags);
}

static void set_str(char **field, const char *v)
{
	if (*field || !v)
		return;
	char *t = text_squash(v);
	if (*t)
		*field = t;
	else
		free(t);
}

static void add_tag(struct meta *m, const char *v)
{
	if (!v)
		return;
	char *t = text_squash(v);
	for (size_t i = 0; i < m->ntags && *t; i++)
		if (!strcmp(m->tags[i], t))
			*t = '\0';
	if (!*t || m->ntags >= 64) {
		free(t);
		return;
	}
	m->tags = xrealloc(m->tags, (m->ntags + 1) * sizeof *m->tags);
	m->tags[m->ntags++] = t;
}

static char *resolve(const struct page *pg, const char *ref)
{
	if (!ref)
		return NULL;
	char *r = text_squash(ref);
	if (!*r) {
		free(r);
		return NULL;
	}
	xmlChar *abs = pg->base ? xmlBuildURI((const xmlChar *)r, (const xmlChar *)pg->base) : NULL;
	if (abs) {
		free(r);
		r = xstrdup((const char *)abs);
		xmlFree(abs);
	}
	return r;
}

static int http_url(const char *u)
{
	return u && (util_strncaseeq(u, "http://", 7) || util_strncaseeq(u, "https://", 8));
}

/* ---- JSON-LD ---- */

static const char *const ARTICLE_TYPES[] = {
	"Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
	"OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "TechArticle",
	"ScholarlyArticle", "LiveBlogPosting", "Report", "SocialMediaPosting", "Posting", NULL};

static int article_type(json_t *type)
{
	if (json_is_array(type)) {
		size_t i;
		json_t *v;
		json_array_foreach(type, i, v) if (article_type(v)) return 1;
		return 0;
	}
	const char *t = json_string_value(type);
	if (!t)
		return 0;
	const char *slash = strrchr(t, '/');
	if (slash)
		t = slash + 1;
	for (int i = 0; ARTICLE_TYPES[i]; i++)
		if (!strcmp(t, ARTICLE_TYPES[i]))
			return 1;
	return 0;
}

static void ld_names(json_t *v, struct buf *b)
{
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) ld_names(e, b);
		return;
	}
	const char *name = json_is_string(v) ? json_string_value(v)
			   : json_is_object(v)   ? json_string_value(json_object_get(v, "name"))
						 : NULL;
	if (name && *name && !http_url(name)) {
		if (b->len)
			buf_adds(b, ", ");
		buf_adds(b, name);
	}
}

static json_t *ld_find_article(json_t *v, int depth)
{
	if (depth > 8)
		return NULL;
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			json_t *a = ld_find_article(e, depth + 1);
			if (a)
				return a;
		}
		return NULL;
	}
	if (!json_is_object(v))
		return NULL;
	if (article_type(json_object_get(v, "@type")))
		return v;
	json_t *a = ld_find_article(json_object_get(v, "@graph"), depth + 1);
	if (!a)
		a = ld_find_article(json_object_get(v, "mainEntity"), depth + 1);
	return a;
}

static void read_json_ld(struct page *pg, const char *text)
{
	json_error_t e;
	json_t *root = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	if (!root)
		return;
	json_t *a = ld_find_article(root, 0);
	if (a) {
		struct meta *m = &pg->m;
		m->is_article = 1;
		const char *h = json_string_value(json_object_get(a, "headline"));
		set_str(&m->title, h ? h : json_string_value(json_object_get(a, "name")));
		if (m->published == DATE_NONE)
			m->published = any_date(json_string_value(json_object_get(a, "datePublished")), pg->opt);
		if (m->updated == DATE_NONE)
			m->updated = any_date(json_string_value(json_object_get(a, "dateModified")), pg->opt);
		struct buf names;
		buf_init(&names, 0);
		ld_names(json_object_get(a, "author"), &names);
		if (names.len)
			set_str(&m->author, buf_str(&names));
		buf_release(&names);
		set_str(&m->summary, json_string_value(json_object_get(a, "description")));
		set_str(&m->body_text, json_string_value(json_object_get(a, "articleBody")));
		const char *u = json_string_value(json_object_get(a, "url"));
		if (http_url(u))
			set_str(&m->link, u);
		json_t *kw = json_object_get(a, "keywords");
		if (json_is_string(kw)) {
			char *all = xstrdup(json_string_value(kw)), *save = NULL;
			for (char *t = strtok_r(all, ",", &save); t; t = strtok_r(NULL, ",", &save))
				add_tag(m, t);
			free(all);
		} else if (json_is_array(kw)) {
			size_t i;
			json_t *k;
			json_array_foreach(kw, i, k) add_tag(m, json_string_value(k));
		}
		add_tag(m, json_string_value(json_object_get(a, "articleSection")));
	}
	json_decref(root);
}

/* ---- meta, microdata, <time> ---- */

static void read_meta(struct page *pg, xmlNode *n)
{
	char *prop = xml_prop(n, "property"), *name = xml_prop(n, "name"), *content = xml_prop(n, "content");
	const char *key = prop ? prop : name;
	struct meta *m = &pg->m;
	if (key && content) {
		char k[64];
		util_strlcpy(k, key, sizeof k);
		for (char *p = k; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!strcmp(k, "og:title") || !strcmp(k, "twitter:title"))
			set_str(&m->title, content);
		else if (!strcmp(k, "og:description") || !strcmp(k, "description") ||
			 !strcmp(k, "twitter:description"))
			set_str(&m->summary, content);
		else if (!strcmp(k, "og:url") && http_url(content))
			set_str(&m->link, content);
		else if (!strcmp(k, "og:type") && !strcmp(content, "article"))
			m->is_article = 1;
		else if (!strcmp(k, "article:published_time") || !strcmp(k, "dc.date") ||
			 !strcmp(k, "dcterms.created") || !strcmp(k, "pubdate") || !strcmp(k, "date") ||
			 !strcmp(k, "publishdate") || !strcmp(k, "article:published"))
			m->published = m->published != DATE_NONE ? m->published : any_date(content, pg->opt);
		else if (!strcmp(k, "article:modified_time") || !strcmp(k, "og:updated_time") ||
			 !strcmp(k, "dcterms.modified"))
			m->updated = m->updated != DATE_NONE ? m->updated : any_date(content, pg->opt);
		else if ((!strcmp(k, "article:author") || !strcmp(k, "author") || !strcmp(k, "dc.creator")) &&
			 !http_url(content))
			set_str(&m->author, content);
		else if (!strcmp(k, "article:tag") || !strcmp(k, "article:section"))
			add_tag(m, content);
	}
	free(prop);
	free(name);
	free(content);
}

/* The value of a microdata property: content/datetime attributes first, then the text. */
static char *itemprop_value(xmlNode *n)
{
	char *v = xml_prop(n, "content");
	if (!v)
		v = xml_prop(n, "datetime");
	if (!v) {
		/* an author given as a Person item: its name */
		for (xmlNode *c = n->children; c; c = c->next) {
			char *ip = c->type == XML_ELEMENT_NODE ? xml_prop(c, "itemprop") : NULL;
			if (ip && !strcmp(ip, "name"))
				v = itemprop_value(c);
			free(ip);
			if (v)
				break;
		}
	}
	if (v)
		return v;
	/* the text, but not of a whole page marked up as one property */
	return text_len_over(n, 4096) ? xstrdup("") : text_of(n);
}

enum meta_phase { PHASE_JSON_LD, PHASE_META, PHASE_MICRODATA };

/* A walk over the whole document for what JSON-LD, then meta tags, then microdata say: each
 * field keeps the first value found, so the order of the walks is the order of trust. */
static void read_metadata(struct page *pg, xmlNode *n, enum meta_phase phase, int depth)
{
	for (; n && depth < MAX_DEPTH; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(n, "meta")) {
			if (phase == PHASE_META)
				read_meta(pg, n);
		} else if (is_el(n, "script")) {
			char *type = xml_prop(n, "type");
			if (phase == PHASE_JSON_LD && type && util_strcaseeq(type, "application/ld+json")) {
				xmlChar *c = xmlNodeGetContent(n);
				if (c)
					read_json_ld(pg, (const char *)c);
				xmlFree(c);
			}
			free(type);
			continue;
		} else if (is_el(n, "link") && phase == PHASE_META) {
			char *rel = xml_prop(n, "rel"), *href = xml_prop(n, "href");
			if (rel && href && util_strcaseeq(rel, "canonical")) {
				char *abs = resolve(pg, href);
				if (http_url(abs))
					set_str(&pg->m.link, abs);
				free(abs);
			}
			free(rel);
			free(href);
		}
		char *ip = phase == PHASE_MICRODATA ? xml_prop(n, "itemprop") : NULL;
		if (ip) {
			struct meta *m = &pg->m;
			char *v = NULL;
			if (!strcmp(ip, "headline") && !m->title)
				set_str(&m->title, v = itemprop_value(n));
			else if (!strcmp(ip, "datePublished") && m->published == DATE_NONE)
				m->published = any_date(v = itemprop_value(n), pg->opt);
			else if (!strcmp(ip, "dateModified") && m->updated == DATE_NONE)
				m->updated = any_date(v = itemprop_value(n), pg->opt);
			else if (!strcmp(ip, "author") && !m->author)
				set_str(&m->author, v = itemprop_value(n));
			else if (!strcmp(ip, "description") && !m->summary)
				set_str(&m->summary, v = itemprop_value(n));
			free(v);
			free(ip);
		}
		read_metadata(pg, n->children, phase, depth + 1);
	}
}

/* ---- scoring the body ---- */

struct score {
	double score;
	int scored;
};

struct scoring {
	struct score *s;
	size_t n, cap;
};

static struct score *score_of(struct scoring *sc, xmlNode *n, int create)
{
	uintptr_t k = (uintptr_t)n->_private;
	if (k)
		return &sc->s[k - 1];
	if (!create)
		return NULL;
	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? 2 * sc->cap : 256;
		sc->s = xrealloc(sc->s, sc->cap * sizeof *sc->s);
	}
	memset(&sc->s[sc->n], 0, sizeof sc->s[0]);
	n->_private = (void *)(uintptr_t)(++sc->n);
	return &sc->s[sc->n - 1];
}

static double class_weight(const xmlNode *n)
{
	char ci[512];
	class_id(n, ci, sizeof ci);
	double w = 0;
	if (matches(ci, BOX_STRONG) || (matches(ci, BOX_WEAK) && !matches(ci, MAYBE)))
		w -= 25;
	if (matches(ci, POSITIVE))
		w += 25;
	return w;
}

static double tag_weight(const xmlNode *n)
{
	if (name_in(n, " div article section main "))
		return 5;
	if (name_in(n, " pre td blockquote "))
		return 3;
	if (name_in(n, " address ol ul dl dd dt li form "))
		return -3;
	if (name_in(n, " h1 h2 h3 h4 h5 h6 th "))
		return -5;
	return 0;
}

static void add_score(struct scoring *sc, xmlNode *n, double s)
{
	if (!n || n->type != XML_ELEMENT_NODE || is_el(n, "body") || is_el(n, "html"))
		return;
	struct score *x = score_of(sc, n, 1);
	if (!x->scored) {
		x->scored = 1;
		x->score = tag_weight(n) + class_weight(n);
	}
	x->score += s;
}

/* Text length and the part of it inside links, skipping what is dropped. */
static void lengths(const xmlNode *n, size_t *all, size_t *linked, int in_link, int depth)
{
	for (; n && depth < MAX_DEPTH; n = n->next) {
		if (n->type == XML_TEXT_NODE) {
			size_t k = 0;
			for (const char *p = (const char *)n->content; p && *p; p++)
				k += !isspace((unsigned char)*p) && ((unsigned char)*p & 0xC0) != 0x80;
			*all += k;
			if (in_link)
				*linked += k;
		} else if (n->type == XML_ELEMENT_NODE && !dropped(n)) {
			lengths(n->children, all, linked, in_link || is_el(n, "a"), depth + 1);
		}
	}
}

static double link_density(const xmlNode *n)
{
	size_t all = 0, linked = 0;
	lengths(n->children, &all, &linked, 0, 0);
	return all ? (double)linked / (double)all : 0;
}

static size_t text_len(const xmlNode *n)
{
	size_t all = 0, linked = 0;
	lengths(n->children, &all, &linked, 0, 0);
	return all;
}

/* Characters of inline text directly in n (not inside its block children). */
static size_t own_text(const xmlNode *n, size_t *commas)
{
	struct buf b;
	buf_init(&b, 4096); /* enough to score a paragraph, whatever lies below it */
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE)
			buf_adds(&b, (const char *)c->content);
		else if (c->type == XML_ELEMENT_NODE && !name_in(c, BLOCKS) && !dropped(c))
			gather(&b, c->children, 1, 0);
	}
	char *t = text_squash(buf_str(&b));
	buf_release(&b);
	size_t k = chars(t);
	for (const char *p = t; *p; p++)
		*commas += *p == ',';
	free(t);
	return k;
}

static void score_paragraph(struct scoring *sc, xmlNode *holder, size_t len, size_t commas)
{
	if (len < MIN_PARAGRAPH)
		return;
	double s = 1 + (double)commas + (len / 100 < 3 ? (double)(len / 100) : 3);
	xmlNode *a = holder;
	for (int level = 0; a && level < 4; level++, a = a->parent)
		add_score(sc, a, level == 0 ? s : level == 1 ? s / 2 : s / (level * 3));
}

static void score_tree(struct scoring *sc, xmlNode *n, int skip_boxes, int depth)
{
	for (; n && depth < MAX_DEPTH; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || dropped(n) || hidden(n))
			continue;
		if (skip_boxes && box_class(n) && !name_in(n, " body html article main "))
			continue;
		if (name_in(n, " p pre blockquote ")) {
			size_t commas = 0;
			char *t = text_of(n);
			for (const char *p = t; *p; p++)
				commas += *p == ',';
			size_t len = chars(t);
			free(t);
			if (len >= MIN_PARAGRAPH && link_density(n) < 0.5)
				score_paragraph(sc, n->parent, len, commas);
			continue;
		}
		if (name_in(n, " div td section article font span center ")) {
			size_t commas = 0, len = own_text(n, &commas);
			if (len >= MIN_PARAGRAPH)
				score_paragraph(sc, n, len, commas); /* its text, as if wrapped in <p> */
		}
		score_tree(sc, n->children, skip_boxes, depth + 1);
	}
}

static void best_candidate(struct scoring *sc, xmlNode *n, xmlNode **best, double *best_score, int depth)
{
	for (; n && depth < MAX_DEPTH; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		struct score *x = score_of(sc, n, 0);
		if (x && x->scored) {
			double f = x->score * (1 - link_density(n));
			x->score = f;
			if (f > *best_score) {
				*best_score = f;
				*best = n;
			}
		}
		best_candidate(sc, n->children, best, best_score, depth + 1);
	}
}

static void clear_private(xmlNode *n, int depth)
{
	for (; n && depth < MAX_DEPTH; n = n->next) {
		n->_private = NULL;
		if (n->type == XML_ELEMENT_NODE)
			clear_private(n->children, depth + 1);
	}
}

/* ---- article links (listings) ---- */

static char *host_of(const char *url)
{
	xmlURIPtr u = url ? xmlParseURI(url) : NULL;
	char *h = NULL;
	if (u && u->server) {
		const char *s = u->server;
		if (util_strncaseeq(s, "www.", 4))
			s += 4;
		h = xstrdup(s);
		for (char *p = h; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	xmlFreeURI(u);
	return h;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && util_strncaseeq(s + n - k, suffix, k);
}

/* Whether an absolute URL looks like one article of the site: a slug, a number of four digits or
 * more, or a page script with an id — and not a section, tag, search, file or the home page. */
static int article_url(const char *url, const char *site)
{
	if (!http_url(url))
		return 0;
	char *h = host_of(url);
	int same = h && site && !strcmp(h, site);
	free(h);
	if (!same)
		return 0;
	const char *path = strstr(url, "://") + 3;
	path += strcspn(path, "/?#");
	size_t plen = strcspn(path, "?#");
	const char *query = path[plen] == '?' ? path + plen + 1 : NULL;
	if (plen <= 1 && !query)
		return 0;
	static const char *const not_articles[] = {
		"/tag/", "/tags/", "/category/", "/categories/", "/author/", "/page/", "/search", "/login",
		"/register", "/feed", "/rss", "/contact", "/about", "/wp-admin", "/wp-login", "/user/",
		"/signin", "/signup", "/account", "/cart", "/lien-he", "/gioi-thieu", NULL};
	for (int i = 0; not_articles[i]; i++) {
		size_t k = strlen(not_articles[i]);
		/* whole segments: "/feed" is not "/feeder-data" */
		for (const char *hit = path; (hit = strstr(hit, not_articles[i])) && hit < path + plen; hit++)
			if (not_articles[i][k - 1] == '/' || strchr("/?.#", hit[k]) || !hit[k])
				return 0;
	}
	static const char *const files[] = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf",
					    ".zip", ".css", ".js", ".xml", ".rss", ".mp3", ".mp4",
					    ".doc", ".docx", ".xls", ".xlsx", NULL};
	for (int i = 0; files[i]; i++)
		if (ends_with(path, plen, files[i]))
			return 0;
	/* the last path segment */
	size_t end = plen;
	while (end > 0 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	int hyphens = 0, digits = 0, run = 0;
	for (size_t i = start; i < end; i++) {
		hyphens += path[i] == '-' || path[i] == '_';
		run = isdigit((unsigned char)path[i]) ? run + 1 : 0;
		if (run > digits)
			digits = run;
	}
	if (hyphens >= 2 || digits >= 4)
		return 1;
	for (size_t i = 0; i < plen; i++) { /* a date or an id earlier in the path */
		run = isdigit((unsigned char)path[i]) ? run + 1 : 0;
		if (run >= 4 && end - start >= 3)
			return 1;
	}
	if (query) {
		run = 0;
		for (const char *q = query; *q && *q != '#'; q++) {
			run = isdigit((unsigned char)*q) ? run + 1 : 0;
			if (run >= 2 && !strstr(query, "page=") && !strstr(query, "p=1"))
				return 1;
		}
	}
	return ends_with(path, end, ".html") || ends_with(path, end, ".htm") ||
	       ends_with(path, end, ".shtml");
}

/* Anchor text that names an article rather than a page of the listing or a command. */
static int headline_text(const char *t)
{
	size_t n = chars(t), words = 0;
	int in = 0;
	for (const char *p = t; *p; p++) {
		if (isspace((unsigned char)*p)) {
			in = 0;
		} else if (!in) {
			in = 1;
			words++;
		}
	}
	return n >= 15 && words >= 3;
}

struct link {
	xmlNode *a;
	char *url, *title;
	int64_t date;
};

struct links {
	struct link *v;
	size_t n, cap;
	size_t *slot;  /* open addressing over v by URL: index + 1, 0 for empty */
	size_t nslot;  /* a power of two, over twice n */
};

static size_t url_hash(const char *s)
{
	size_t h = 14695981039346656037u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot of url: where it is, or the empty one where it goes. */
static size_t *link_slot(struct links *l, const char *url)
{
	size_t mask = l->nslot - 1, i = url_hash(url) & mask;
	while (l->slot[i] && strcmp(l->v[l->slot[i] - 1].url, url))
		i = (i + 1) & mask;
	return &l->slot[i];
}

static void links_release(struct links *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].url);
		free(l->v[i].title);
	}
	free(l->v);
	free(l->slot);
	memset(l, 0, sizeof *l);
}

static char *anchor_title(xmlNode *a)
{
	char *t = text_of(a);
	if (!*t) {
		free(t);
		t = xml_prop(a, "title");
		if (!t) { /* an image link: its alt text */
			for (xmlNode *c = a->children; c && !t; c = c->next)
				if (is_el(c, "img"))
					t = xml_prop(c, "alt");
		}
		if (t) {
			char *s = text_squash(t);
			free(t);
			t = s;
		}
	}
	return t ? t : xstrdup("");
}

/* Whether a link is (or sits in) a heading, or its class or its parent's says it is a title. */
static int under_heading(const xmlNode *a)
{
	const xmlNode *up = a;
	for (int i = 0; up && i < 3 && up->type == XML_ELEMENT_NODE; i++, up = up->parent) {
		if (name_in(up, " h1 h2 h3 h4 h5 h6 "))
			return 1;
		if (i < 2) {
			char ci[512];
			class_id(up, ci, sizeof ci);
			if (strstr(ci, "title") || strstr(ci, "headline") || strstr(ci, "tieude"))
				return 1;
		}
	}
	return 0;
}

static void add_link(struct links *l, xmlNode *a, char *url, char *title)
{
	if (2 * (l->n + 1) > l->nslot) { /* grow and rehash */
		free(l->slot);
		l->nslot = l->nslot ? 2 * l->nslot : 64;
		l->slot = xcalloc(l->nslot, sizeof *l->slot);
		for (size_t i = 0; i < l->n; i++)
			*link_slot(l, l->v[i].url) = i + 1;
	}
	size_t *slot = link_slot(l, url);
	if (*slot) { /* an image link, a headline and a teaser link to one article */
		struct link *k = &l->v[*slot - 1];
		int better = under_heading(a) - under_heading(k->a);
		if (!better && (chars(title) <= 160) != (chars(k->title) <= 160))
			better = chars(title) <= 160 ? 1 : -1; /* a headline is not a paragraph */
		if (better > 0 || (!better && chars(title) > chars(k->title))) {
			free(k->title);
			k->title = title;
			k->a = a;
		} else {
			free(title);
		}
		free(url);
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n] = (struct link){a, url, title, DATE_NONE};
	*slot = ++l->n;
}

/* The article links of a page (outside navigation, menus and footers), in document order. */
static void find_links(struct page *pg, xmlNode *n, const char *site, struct links *out, int depth)
{
	for (; n && depth < MAX_DEPTH; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (name_in(n, " script style noscript nav footer header aside form template ") ||
		    box_class(n) == 2)
			continue;
		if (is_el(n, "a")) {
			char *href = xml_prop(n, "href"), *rel = xml_prop(n, "rel");
			char *url = href && !(rel && (strstr(rel, "next") || strstr(rel, "prev")))
					    ? resolve(pg, href)
					    : NULL;
			free(href);
			free(rel);
			if (url && strchr(url, '#'))
				*strchr(url, '#') = '\0';
			if (url && article_url(url, site) && (!pg->url || strcmp(url, pg->url))) {
				char *title = anchor_title(n);
				if (headline_text(title))
					add_link(out, n, url, title);
				else if (out->n && !strcmp(out->v[out->n - 1].url, url))
					add_link(out, n, url, title);
				else { /* an image or a "more" link: the text link to it decides */
					free(title);
					free(url);
				}
			} else {
				free(url);
			}
			continue;
		}
		find_links(pg, n->children, site, out, depth + 1);
	}
}

/* Whether n's subtree holds a link to an article other than url.  At most *budget elements are
 * looked at: a block that large is no single item of a listing, so running out counts as yes. */
static int other_article(struct page *pg, xmlNode *n, const char *url, const char *site, int *budget,
			 int depth)
{
	for (; n && depth < MAX_DEPTH; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (--*budget < 0)
			return 1;
		if (is_el(n, "a")) {
			char *href = xml_prop(n, "href");
			char *u = href ? resolve(pg, href) : NULL;
			free(href);
			if (u && strchr(u, '#'))
				*strchr(u, '#') = '\0';
			int other = u && strcmp(u, url) && article_url(u, site);
			free(u);
			if (other)
				return 1;
			continue;
		}
		if (other_article(pg, n->children, url, site, budget, depth + 1))
			return 1;
	}
	return 0;
}

/* Whether a <time> is the date of a change (class "updated", "modified"), not of publication. */
static int update_time(const xmlNode *n)
{
	char ci[512];
	class_id(n, ci, sizeof ci);
	return (strstr(ci, "updated") || strstr(ci, "modified")) && !strstr(ci, "published");
}

/* The date a <time> element gives: its datetime attribute, else its text. */
static int64_t time_value(xmlNode *n, const struct extract_options *opt)
{
	char *dt = xml_prop(n, "datetime");
	int64_t t = any_date(dt, opt);
	free(dt);
	if (t == DATE_NONE) {
		char *text = text_of(n);
		t = any_date(text, opt);
		free(text);
	}
	return t;
}

/* The first <time> at or under n and its siblings: a date of publication, or with updated set,
 * of the last change. */
static int64_t time_of(xmlNode *n, const struct extract_options *opt, int updated, int depth)
{
	for (; n && depth < MAX_DEPTH; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(n, "time") && update_time(n) == updated) {
			int64_t t = time_value(n, opt);
			if (t != DATE_NONE)
				return t;
		}
		int64_t t = time_of(n->children, opt, updated, depth + 1);
		if (t != DATE_NONE)
			return t;
	}
	return DATE_NONE;
}

static int64_t time_element(xmlNode *n, const struct extract_options *opt, int depth)
{
	return time_of(n, opt, 0, depth);
}

/* The publication <time> of n itself or inside it, never of its siblings. */
static int64_t time_in(xmlNode *n, const struct extract_options *opt)
{
	if (is_el(n, "time") && !update_time(n)) {
		int64_t t = time_value(n, opt);
		if (t != DATE_NONE)
			return t;
	}
	return time_element(n->children, opt, 0);
}

/* A line break, a block or another link: where the line of a link in a flat list ends. */
static int line_end(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE && (is_el(n, "a") || name_in(n, BLOCKS));
}

static int64_t date_of_node(xmlNode *n, const struct extract_options *opt)
{
	if (n->type == XML_ELEMENT_NODE)
		return time_in(n, opt);
	if (n->type == XML_TEXT_NODE && n->content)
		return date_in_text((const char *)n->content, opt, NULL);
	return DATE_NONE;
}

/* The date on the line of a link that shares its block with others (a flat list:
 * "<time>…</time> <a>…</a><br>" or "<a>…</a> (10:05 03/02/2022)<br>"): a date element right
 * before it, else what follows it up to the end of its line. */
static int64_t date_beside(xmlNode *a, const struct extract_options *opt)
{
	xmlNode *prev = a->prev;
	while (prev && blank_text(prev))
		prev = prev->prev;
	if (prev && is_el(prev, "time")) {
		int64_t t = time_in(prev, opt);
		if (t != DATE_NONE)
			return t;
	}
	int seen = 0;
	for (xmlNode *n = a->next; n && !line_end(n) && seen < 8; n = n->next, seen++) {
		int64_t t = date_of_node(n, opt);
		if (t != DATE_NONE)
			return t;
	}
	return DATE_NONE;
}

/* The date a listing shows next to a link: in the smallest block around it that holds no other
 * article link. */
static int64_t link_date(struct page *pg, struct link *l, const char *site)
{
	xmlNode *box = l->a;
	for (int i = 0; i < 6 && box->parent && box->parent->type == XML_ELEMENT_NODE &&
			!is_el(box->parent, "body");
	     i++) {
		int budget = 400;
		if (other_article(pg, box->parent->children, l->url, site, &budget, 0))
			break;
		box = box->parent;
	}
	int64_t t = time_in(box, pg->opt);
	if (t == DATE_NONE && box != l->a) {
		char *text = text_of(box);
		t = date_in_text(text, pg->opt, NULL);
		free(text);
	}
	if (t == DATE_NONE && box == l->a)
		t = date_beside(l->a, pg->opt);
	return t;
}

/* ---- XPath overrides ---- */

/* The nodes an expression selects (an empty set when it selects nothing or is invalid). */
static xmlXPathObjectPtr xpath(struct page *pg, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(pg->doc);
	if (!ctx)
		return NULL;
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	xmlXPathFreeContext(ctx);
	if (o && o->type == XPATH_NODESET && o->nodesetval) {
		/* Elements, attributes and text only: a namespace node (namespace::*) or the document
		 * node has another layout, and is no field of an article anyway. */
		xmlNodeSetPtr set = o->nodesetval;
		int kept = 0;
		for (int i = 0; i < set->nodeNr; i++) {
			xmlNodePtr n = set->nodeTab[i];
			if (n->type == XML_ELEMENT_NODE || n->type == XML_ATTRIBUTE_NODE || n->type == XML_TEXT_NODE ||
			    n->type == XML_CDATA_SECTION_NODE)
				set->nodeTab[kept++] = n;
			else if (n->type == XML_NAMESPACE_DECL)
				xmlXPathNodeSetFreeNs((xmlNsPtr)n);
		}
		set->nodeNr = kept;
	}
	if (o && (o->type != XPATH_NODESET || !o->nodesetval || !o->nodesetval->nodeNr)) {
		if (o->type == XPATH_STRING && o->stringval && *o->stringval)
			return o;
		xmlXPathFreeObject(o);
		return NULL;
	}
	return o;
}

static char *xpath_text(struct page *pg, const char *expr, int want_date_attr)
{
	if (!expr)
		return NULL;
	xmlXPathObjectPtr o = xpath(pg, expr);
	if (!o)
		return NULL;
	char *t = NULL;
	if (o->type == XPATH_STRING) {
		t = text_squash((const char *)o->stringval);
	} else {
		xmlNode *n = o->nodesetval->nodeTab[0];
		if (n->type == XML_ATTRIBUTE_NODE) {
			xmlChar *v = xmlNodeGetContent(n);
			t = text_squash(v ? (const char *)v : "");
			xmlFree(v);
		} else {
			if (want_date_attr && n->type == XML_ELEMENT_NODE) {
				t = xml_prop(n, "datetime");
				if (!t)
					t = xml_prop(n, "content");
			}
			if (!t)
				t = text_of(n);
		}
	}
	xmlXPathFreeObject(o);
	return t;
}

/* ---- cleaning and serialising the body ---- */


static void drop(xmlNode *n)
{
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

/* Whether n holds an image (not a one-pixel tracker). */
static int has_image(xmlNode *n)
{
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(c, "img") || is_el(c, "amp-img") || is_el(c, "picture")) {
			char *w = xml_prop(c, "width");
			int pixel = w && *w && atoi(w) <= 3;
			free(w);
			if (!pixel)
				return 1;
		}
		if (has_image(c))
			return 1;
	}
	return 0;
}

/* A box of links inside the article's block: "new posts", "related", tag clouds. */
static int link_box(xmlNode *n)
{
	if (!name_in(n, " ul ol div table section p dl center "))
		return 0;
	int links = 0;
	xmlXPathContextPtr ctx = xmlXPathNewContext(n->doc);
	if (!ctx)
		return 0;
	ctx->node = n;
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)".//a", ctx);
	if (o && o->nodesetval)
		links = o->nodesetval->nodeNr;
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return links >= 3 && link_density(n) > 0.5;
}

struct cleaning {
	const char *title;
	const char *author;
	int64_t date;
	const struct extract_options *opt;
	char *found_byline; /* out */
};

static int same_text(xmlNode *n, const char *text)
{
	if (!text)
		return 0;
	char *t = text_of(n);
	int same = !strcmp(t, text);
	free(t);
	return same;
}

/* What may come before an author's name: the length of the one t starts with, or 0.  With
 * by_line, only those that start a "By …" line ("Theo …" names a source, "Author:" a field). */
static size_t name_prefix(const char *t, int by_line)
{
	static const struct {
		const char *text;
		int by_line;
	} prefixes[] = {{"posted by ", 1}, {"post by ", 1},  {"written by ", 1}, {"submitted by ", 1},
			{"published by ", 1}, {"by ", 1},    {"tác giả:", 1},    {"tác giả ", 1},
			{"bởi ", 1},          {"author:", 0}, {"theo ", 0},       {"par ", 1},
			{"von ", 1},          {"por ", 1}};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t k = strlen(prefixes[i].text);
		if ((prefixes[i].by_line || !by_line) && util_strncaseeq(t, prefixes[i].text, k))
			return k;
	}
	return 0;
}

/* "By Jane Roe · 2 December 2025", "Tác giả: Trọng Toàn" → the name. */
static char *strip_by(char *t)
{
	static const char *const cuts[] = {" · ", " | ", " — ", " – ", " - ", ", ", " /", " »", " ›", NULL};
	for (int i = 0; cuts[i]; i++) {
		char *c = strstr(t, cuts[i]);
		if (c)
			*c = '\0';
	}
	size_t k = name_prefix(t, 0);
	if (k) {
		char *n = text_squash(t + k);
		free(t);
		return n;
	}
	return t;
}

/* A line that only names the author ("By Jane Roe", "Trọng Toàn"). */
static int author_line(xmlNode *n, const char *author)
{
	if (!author || text_len(n) > 80)
		return 0;
	char *t = strip_by(text_of(n));
	int same = !strcmp(t, author);
	free(t);
	return same;
}

static void clean(xmlNode *n, struct cleaning *cl, int depth)
{
	xmlNode *next;
	for (; n && depth < MAX_DEPTH; n = next) {
		next = n->next;
		if (n->type == XML_COMMENT_NODE) {
			drop(n);
			continue;
		}
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (dropped(n) || name_in(n, " header ") || hidden(n) || box_class(n) == 2) {
			drop(n);
			continue;
		}
		if (link_box(n)) {
			/* and the heading just before it, which names the box */
			xmlNode *prev = n->prev;
			while (prev && blank_text(prev))
				prev = prev->prev;
			if (prev && prev->type == XML_ELEMENT_NODE && !link_box(prev) && text_len(prev) < 80 &&
			    link_density(prev) == 0 && name_in(prev, " h2 h3 h4 h5 h6 div p strong b span ")) {
				size_t len = text_len(prev);
				if (len > 0 && len < 60)
					drop(prev);
			}
			drop(n);
			continue;
		}
		if ((name_in(n, " h1 h2 ") && same_text(n, cl->title)) ||
		    (name_in(n, " p div span strong b em address small ") && author_line(n, cl->author))) {
			drop(n);
			continue;
		}
		if (is_el(n, "amp-img")) /* an AMP page's image is an image */
			xmlNodeSetName(n, (const xmlChar *)"img");
		if (is_el(n, "img")) {
			char *w = xml_prop(n, "width"), *h = xml_prop(n, "height"), *src = xml_prop(n, "src");
			int pixel = (w && atoi(w) <= 3 && *w) || (h && atoi(h) <= 3 && *h);
			static const char *const lazy[] = {"data-src", "data-original", "data-lazy-src",
							   "data-srcset", "srcset", NULL};
			for (int i = 0; lazy[i] && (!src || !*src || !strncmp(src, "data:", 5)); i++) {
				char *l = xml_prop(n, lazy[i]);
				if (l && strstr(lazy[i], "srcset")) /* "a.jpg 480w, b.jpg 960w": the first */
					l[strcspn(l, " \t\n,")] = '\0';
				if (l && *l) {
					xmlSetProp(n, (const xmlChar *)"src", (const xmlChar *)l);
					free(src);
					src = l;
				} else {
					free(l); /* absent or empty: the next one is tried */
				}
			}
			free(w);
			free(h);
			free(src);
			if (pixel) {
				drop(n);
				continue;
			}
		}
		clean(n->children, cl, depth + 1);
	}
}

/* A short block holding only the date: the timestamp line under a title. */
static int date_line(xmlNode *n, const struct extract_options *opt)
{
	char *t = text_of(n);
	int yes = chars(t) < 80 && *t && date_in_text(t, opt, NULL) != DATE_NONE;
	free(t);
	return yes;
}

/* Removes a leading date line and a trailing byline (returning its text) from the blocks. */
/* "（山田太郎）" → "山田太郎": the brackets some sites put around a byline. */
static char *unbracket(char *t)
{
	size_t n = strlen(t), open = 0, close = 0;
	if (n && t[0] == '(')
		open = 1;
	else if (n >= 3 && !memcmp(t, "\xEF\xBC\x88", 3))
		open = 3;
	if (n > open && t[n - 1] == ')')
		close = 1;
	else if (n >= open + 3 && !memcmp(t + n - 3, "\xEF\xBC\x89", 3))
		close = 3;
	if (!open || !close)
		return t;
	char *u = xstrndup(t + open, n - open - close);
	free(t);
	return u;
}

static void trim_ends(xmlNode *box, struct cleaning *cl)
{
	/* the first block with text */
	for (xmlNode *n = box->children; n; n = n->next) {
		if (blank_text(n))
			continue;
		if (n->type == XML_ELEMENT_NODE && date_line(n, cl->opt))
			drop(n);
		break;
	}
	for (xmlNode *n = box->last; n; n = n->prev) {
		if (blank_text(n))
			continue;
		if (n->type != XML_ELEMENT_NODE)
			break;
		char *t = text_of(n);
		if (!*t) {
			free(t);
			continue;
		}
		if (extract_byline(t) && chars(t) <= 40 && !xmlHasProp(n, (const xmlChar *)"href")) {
			cl->found_byline = unbracket(t);
			drop(n);
		} else {
			free(t);
		}
		break;
	}
}

static void dump_children(struct buf *b, xmlDocPtr doc, xmlNode *n)
{
	xmlBufferPtr xb = xmlBufferCreate();
	for (xmlNode *c = n->children; c; c = c->next)
		htmlNodeDump(xb, doc, c);
	buf_add(b, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
}

static void dump_node(struct buf *b, xmlDocPtr doc, xmlNode *n)
{
	xmlBufferPtr xb = xmlBufferCreate();
	htmlNodeDump(xb, doc, n);
	buf_add(b, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
}

/* ---- title and its neighbourhood ---- */

static xmlNode *first_element(xmlNode *n, const char *name, int depth)
{
	for (; n && depth < MAX_DEPTH; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(n, name))
			return n;
		xmlNode *f = first_element(n->children, name, depth + 1);
		if (f)
			return f;
	}
	return NULL;
}

/* The <title> without the site's name: the longest part between " - ", " | ", " – ", " :: ". */
static char *page_title(htmlDocPtr doc)
{
	xmlNode *t = first_element(xmlDocGetRootElement(doc), "title", 0);
	if (!t)
		return NULL;
	char *all = text_of(t);
	if (!*all) {
		free(all);
		return NULL;
	}
	static const char *const seps[] = {" | ", " - ", " – ", " — ", " :: ", " » ", ": ", NULL};
	char *best = NULL;
	for (int i = 0; seps[i] && !best; i++) {
		if (!strstr(all, seps[i]))
			continue;
		const char *p = all;
		size_t k = strlen(seps[i]);
		while (p) {
			const char *q = strstr(p, seps[i]);
			size_t n = q ? (size_t)(q - p) : strlen(p);
			if (!best || n > strlen(best)) {
				free(best);
				best = xstrndup(p, n);
			}
			p = q ? q + k : NULL;
		}
	}
	if (best) {
		free(all);
		return best;
	}
	return all;
}

/* An h1 that is the site's name: its text all one link to the home page. */
static int site_name(xmlNode *h)
{
	xmlNode *a = first_element(h->children, "a", 0);
	if (!a || link_density(h) < 0.99)
		return 0;
	char *href = xml_prop(a, "href");
	int home = 0;
	if (href) {
		const char *p = strstr(href, "://");
		p = p ? p + 3 + strcspn(p + 3, "/") : href;
		home = !*p || !strcmp(p, "/") || !strncmp(p, "/index", 6);
	}
	free(href);
	return home;
}

struct title_search {
	const char *want; /* <title> without the site name */
	xmlNode *found;
	int score;
};

/* The element holding the article's title: an h1 (the one <title> names when there are
 * several), else the block whose whole text is the <title>'s. */
static void find_title(xmlNode *n, struct title_search *ts, int depth)
{
	for (; n && depth < MAX_DEPTH; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || dropped(n))
			continue;
		int h1 = is_el(n, "h1"), h2 = name_in(n, " h2 h3 ");
		/* a title is short: a larger block is only looked into */
		int cand = (h1 || h2 || name_in(n, " b strong font span td div p a ")) && !text_len_over(n, 300);
		if (cand) {
			char *t = text_of(n);
			size_t len = chars(t);
			int score = 0;
			if (len >= 5 && len <= 300) {
				int in_title = ts->want && strstr(ts->want, t) != NULL && len * 2 >= chars(ts->want);
				int exact = ts->want && !strcmp(ts->want, t);
				int boxed = box_class(n) == 2;
				if (h1)
					score = 4 + (in_title ? 4 : 0) - (boxed ? 3 : 0) - (site_name(n) ? 3 : 0);
				else if (exact)
					score = h2 ? 5 : 3;
				else if (in_title && h2)
					score = 2;
				if (boxed && !h1)
					score = 0;
			}
			free(t);
			if (score > ts->score) {
				ts->score = score;
				ts->found = n;
			}
			if (h1 || h2 || score)
				continue; /* its children are the same text */
		}
		find_title(n->children, ts, depth + 1);
	}
}

/* A title's text without a timestamp in parentheses after it: "Title (18:15 18/11/2021)". */
static char *title_text(xmlNode *n, const struct extract_options *opt)
{
	char *t = text_of(n);
	size_t len = strlen(t);
	char *open = len && t[len - 1] == ')' ? strrchr(t, '(') : NULL;
	if (open && open > t && date_in_text(open + 1, opt, NULL) != DATE_NONE) {
		*open = '\0';
		char *s = text_squash(t);
		free(t);
		t = s;
	}
	return t;
}

static const char *const TITLE_CLASSES[] = {"title", "tieude", "tieu-de", "headline", "heading", NULL};
static const char *const NOT_TITLE_CLASSES[] = {"box", "widget", "section", "site", "logo", "menu",
						"sub", NULL};

/* Whether n reads as an article's title: a heading, a block whose class says title, or a bold
 * line; short, not a sentence, not a box's name. */
static int titleish(xmlNode *n, const struct extract_options *opt)
{
	int heading = name_in(n, " h1 h2 h3 ");
	int bold = name_in(n, " b strong ");
	if (is_el(n, "font")) { /* a bigger font than the text's */
		char *size = xml_prop(n, "size");
		bold = size && (atoi(size) >= 3 || *size == '+');
		free(size);
	}
	char ci[512];
	class_id(n, ci, sizeof ci);
	int named = matches(ci, TITLE_CLASSES) && !matches(ci, NOT_TITLE_CLASSES);
	if (!heading && !bold && !named)
		return 0;
	char *t = title_text(n, opt);
	size_t len = chars(t), tl = strlen(t);
	int ok = len >= 10 && len <= (bold ? 160 : 250) && t[tl - 1] != '.' && t[tl - 1] != ':';
	free(t);
	if (!ok || (!heading && link_density(n) > 0.5))
		return 0;
	if (bold && !heading && !named) { /* a bold line: (nearly) all the text of its block */
		xmlNode *b = n->parent;
		while (b && !name_in(b, BLOCKS))
			b = b->parent;
		if (!b || text_len_over(b, text_len(n) + 30))
			return 0;
	}
	return 1;
}

struct title_walk {
	const struct extract_options *opt;
	xmlNode *best, *found;
	int in_best, done;
};

/* The title-like element nearest before the body's first paragraph, in document order. */
static void title_before(xmlNode *n, struct title_walk *w, int depth)
{
	for (; n && depth < MAX_DEPTH && !w->done; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || dropped(n) || hidden(n) || box_class(n) == 2)
			continue;
		if (w->in_best && name_in(n, " p ") && text_len(n) >= MIN_PARAGRAPH) {
			w->done = 1;
			return;
		}
		/* inside the body, a bold line is more likely a caption or a sub-heading */
		if ((!w->in_best || !name_in(n, " b strong font ")) && titleish(n, w->opt)) {
			w->found = n;
			if (name_in(n, " b strong font "))
				continue;
		}
		int enter = n == w->best;
		if (enter)
			w->in_best = 1;
		title_before(n->children, w, depth + 1);
		if (enter)
			w->done = 1;
	}
}

/* The next node in document order after n's subtree. */
static xmlNode *after(xmlNode *n)
{
	while (n && !n->next)
		n = n->parent;
	return n ? n->next : NULL;
}

/* Up to limit characters of the text that follows n in the document. */
static char *text_after(xmlNode *n, size_t limit)
{
	struct buf b;
	buf_init(&b, 0);
	xmlNode *c = after(n);
	while (c && b.len < limit) {
		if (c->type == XML_TEXT_NODE) {
			buf_adds(&b, (const char *)c->content);
			buf_addc(&b, ' ');
		}
		if (c->type == XML_ELEMENT_NODE && !dropped(c) && c->children) {
			c = c->children;
			continue;
		}
		c = after(c);
	}
	char *t = text_squash(buf_str(&b));
	buf_release(&b);
	return t;
}

/* A <time> after the title, or an element whose class names a date. */
static int64_t date_near(struct page *pg, xmlNode *from)
{
	int seen = 0;
	for (xmlNode *c = from; c && seen < 400; seen++) {
		if (c->type == XML_ELEMENT_NODE) {
			if (dropped(c) || box_class(c) == 2) {
				c = after(c);
				continue;
			}
			if (is_el(c, "time")) {
				int64_t t = time_in(c, pg->opt);
				if (t != DATE_NONE)
					return t;
			}
			if (c->children) {
				c = c->children;
				continue;
			}
		}
		c = after(c);
	}
	return DATE_NONE;
}

/* A date in the short blocks just before the title (a header line with the section and the
 * time above the headline), its own level and the one above. */
static int64_t date_before(xmlNode *title, const struct extract_options *opt)
{
	xmlNode *at = title;
	for (int level = 0; at && level < 2 && at->type == XML_ELEMENT_NODE; level++, at = at->parent) {
		int seen = 0;
		for (xmlNode *n = at->prev; n && seen < 3; n = n->prev) {
			if (n->type != XML_ELEMENT_NODE)
				continue;
			seen++;
			if (dropped(n) || text_len_over(n, 300))
				continue;
			int64_t t = time_in(n, opt);
			if (t == DATE_NONE) {
				char *text = text_of(n);
				t = date_in_text(text, opt, NULL);
				free(text);
			}
			if (t != DATE_NONE)
				return t;
		}
	}
	return DATE_NONE;
}

/* ---- hints by class: byline and lead ---- */

static const char *const AUTHOR_CLASSES[] = {"author", "byline", "tacgia", "tac-gia", "writer",
					     "reporter", "auteur", "autor", NULL};
static const char *const LEAD_CLASSES[] = {"lead", "sapo", "summary", "intro", "excerpt",
					   "standfirst", "teaser", "chapeau", "subtitle", "tomtat",
					   "tom-tat", " dek ", "deck", "description", NULL};

/* A rel=author link, else an element whose class names the author, with short text. */
/* A forum's or a site's user name after "by": one token of letters, digits, '_', '.', '-'. */
static int user_name(const char *t)
{
	size_t n = strlen(t);
	if (n < 3 || n > 32 || !isalpha((unsigned char)t[0]))
		return 0;
	for (const char *p = t; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return 0;
	return 1;
}

/* Whether a short line starts by naming its author: "By …", "Bởi …", "Par …", "Von …". */
static int by_prefix(const char *t)
{
	return name_prefix(t, 1) > 0;
}

struct hints {
	int near;      /* looking around the article: a lead may be found */
	char *author;  /* from rel=author or an author-like class */
	char *lead;    /* from a lead-like class */
	char *by_line; /* from a short "By Name" line, whatever its class */
};

static void find_hints(struct page *pg, xmlNode *n, struct hints *h, int depth)
{
	for (; n && depth < MAX_DEPTH && (!h->author || (h->near && !h->lead)); n = n->next) {
		if (n->type != XML_ELEMENT_NODE || dropped(n) || hidden(n))
			continue;
		char ci[512];
		class_id(n, ci, sizeof ci);
		char *rel = is_el(n, "a") ? xml_prop(n, "rel") : NULL;
		int by_rel = rel && strstr(rel, "author");
		free(rel);
		if (!h->author && (by_rel || (matches(ci, AUTHOR_CLASSES) && !strstr(ci, "author-box") &&
					      !strstr(ci, "authorbox")))) {
			char *t = strip_by(text_of(n));
			size_t len = chars(t);
			if (len >= 2 && len <= 60 && !strpbrk(t, "0123456789")) {
				h->author = t;
				continue;
			}
			free(t);
		}
		if (!h->lead && h->near && matches(ci, LEAD_CLASSES) && box_class(n) != 2 &&
		    !strstr(ci, "site-") && !strstr(ci, "blog-")) {
			char *t = text_of(n);
			if (chars(t) >= 40 && link_density(n) < 0.3) {
				h->lead = t;
				continue;
			}
			free(t);
		}
		if (!h->by_line && name_in(n, " p div span address a small strong b em ") &&
		    !text_len_over(n, 80)) {
			char *t = text_of(n);
			if (by_prefix(t)) {
				t = strip_by(t);
				if (extract_byline(t) || user_name(t)) {
					h->by_line = t;
					continue;
				}
			}
			free(t);
		}
		if (box_class(n) == 2)
			continue;
		find_hints(pg, n->children, h, depth + 1);
	}
}

/* The smallest element holding both a and b, or NULL. */
static xmlNode *common_ancestor(xmlNode *a, xmlNode *b)
{
	if (!a || !b)
		return NULL;
	for (xmlNode *x = a; x; x = x->parent)
		for (xmlNode *y = b; y; y = y->parent)
			if (x == y)
				return x->type == XML_ELEMENT_NODE ? x : NULL;
	return NULL;
}

/* The first paragraph of the body when it reads as prose: the lead of a page without one. */
/* Up to three <p> elements, in document order. */
static void first_paragraphs(xmlNode *n, xmlNode **ps, int *np, int depth)
{
	for (; n && *np < 3 && depth < MAX_DEPTH; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(n, "p"))
			ps[(*np)++] = n;
		else
			first_paragraphs(n->children, ps, np, depth + 1);
	}
}

static char *first_paragraph(const char *html)
{
	htmlDocPtr d = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
				      HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
					      HTML_PARSE_NONET);
	xmlNode *ps[3];
	int np = 0;
	if (d)
		first_paragraphs(xmlDocGetRootElement(d), ps, &np, 0);
	char *t = NULL;
	/* the first of the first three paragraphs that reads as prose (a caption may come first) */
	for (int i = 0; i < np && !t; i++) {
		t = text_of(ps[i]);
		if (chars(t) < 40 || !extract_prose(t)) {
			free(t);
			t = NULL;
		}
	}
	xmlFreeDoc(d);
	return t;
}

/* ---- the extractor ---- */

static void add_paragraphs(struct buf *b, const char *text)
{
	const char *p = text;
	while (*p) {
		size_t n = strcspn(p, "\n");
		char *para = xstrndup(p, n);
		char *t = util_trim(para);
		if (*t) {
			buf_adds(b, "<p>");
			text_html_escape(b, t, 0);
			buf_adds(b, "</p>");
		}
		free(para);
		p += n;
		if (*p)
			p++;
	}
}

static struct feed *listing_feed(struct page *pg, struct links *links)
{
	struct feed *f = feed_new();
	f->format = xstrdup("html");
	f->title = page_title(pg->doc);
	f->link = xstrdup(pg->url);
	for (size_t i = 0; i < links->n; i++) {
		struct item *it = feed_add_item(f);
		it->id = xstrdup(links->v[i].url);
		it->link = xstrdup(links->v[i].url);
		it->title = xstrdup(links->v[i].title);
		it->published = links->v[i].date;
	}
	feed_finish(f);
	return f;
}

/* Links selected by xpath_links: attribute nodes (@href) or elements (an <a>, or the first <a>
 * inside). */
static void xpath_links(struct page *pg, const char *expr, struct links *out)
{
	xmlXPathObjectPtr o = xpath(pg, expr);
	if (!o || o->type != XPATH_NODESET) {
		xmlXPathFreeObject(o);
		return;
	}
	for (int i = 0; i < o->nodesetval->nodeNr; i++) {
		xmlNode *n = o->nodesetval->nodeTab[i];
		xmlNode *a = n->type == XML_ATTRIBUTE_NODE ? n->parent : n;
		if (a && !is_el(a, "a"))
			a = first_element(a->children, "a", 0);
		if (!a)
			continue;
		char *href = NULL;
		if (n->type == XML_ATTRIBUTE_NODE) {
			xmlChar *v = xmlNodeGetContent(n);
			href = v ? xstrdup((const char *)v) : NULL;
			xmlFree(v);
		} else {
			href = xml_prop(a, "href");
		}
		char *url = resolve(pg, href);
		free(href);
		if (url && strchr(url, '#'))
			*strchr(url, '#') = '\0';
		if (!http_url(url)) {
			free(url);
			continue;
		}
		add_link(out, a, url, anchor_title(a));
	}
	xmlXPathFreeObject(o);
}

static struct feed *article_feed(struct page *pg, xmlNode *best, char *err, size_t errlen)
{
	const struct extract_options *opt = pg->opt;
	const struct extract_xpaths *xp = opt->xpath;
	struct meta *m = &pg->m;
	/* title */
	char *title = xp ? xpath_text(pg, xp->title, 0) : NULL;
	if (!title && m->title)
		title = xstrdup(m->title);
	if (!title && pg->title_node)
		title = title_text(pg->title_node, opt);
	if (!title)
		title = page_title(pg->doc);
	/* published */
	int64_t published = DATE_NONE;
	if (xp && xp->date) {
		char *d = xpath_text(pg, xp->date, 1);
		if (d) {
			published = opt->date_format ? extract_date(d, opt->date_format, opt->tz_offset) : DATE_NONE;
			if (published == DATE_NONE)
				published = any_date(d, opt);
		}
		free(d);
	}
	if (published == DATE_NONE)
		published = m->published;
	if (published == DATE_NONE && pg->title_node)
		published = date_near(pg, pg->title_node);
	if (published == DATE_NONE && pg->title_node) {
		char *near = text_after(pg->title_node, 300);
		published = date_in_text(near, opt, NULL);
		free(near);
	}
	xmlNode *around = common_ancestor(pg->title_node, best);
	if (published == DATE_NONE && around) /* a date line above the title */
		published = time_element(around->children, opt, 0);
	if (published == DATE_NONE && pg->title_node)
		published = date_before(pg->title_node, opt);
	int64_t updated = m->updated;
	if (updated == DATE_NONE && around)
		updated = time_of(around->children, opt, 1, 0);
	if (published == DATE_NONE && best) {
		published = date_near(pg, best);
		if (published == DATE_NONE) {
			char *t = text_of(best);
			if (chars(t) > 300)
				t[300] = '\0';
			published = date_in_text(t, opt, NULL);
			free(t);
		}
	}
	/* author, summary */
	char *author = xp ? xpath_text(pg, xp->author, 0) : NULL;
	if (!author && m->author)
		author = xstrdup(m->author);
	char *summary = NULL;
	if (xp && xp->summary) {
		char *s = xpath_text(pg, xp->summary, 0);
		summary = s ? text_to_html(s) : NULL;
		free(s);
	}
	if (!summary && m->summary)
		summary = text_to_html(m->summary);
	struct hints h = {1, NULL, NULL, NULL};
	/* Around the article first (the block holding its title and body), then the page, for
	 * the author only. */
	xmlNode *near = around ? around : best ? best->parent : NULL;
	if (near)
		find_hints(pg, near->children, &h, 0);
	h.near = 0;
	find_hints(pg, xmlDocGetRootElement(pg->doc), &h, 0);
	if (!author) {
		author = h.author ? h.author : h.by_line;
		if (author == h.author)
			free(h.by_line);
		else
			free(h.author);
	} else {
		free(h.author);
		free(h.by_line);
	}
	char *lead = h.lead;
	if (!summary && lead)
		summary = text_to_html(lead);
	free(lead);
	/* content */
	struct buf body;
	buf_init(&body, 0);
	struct cleaning cl = {.title = title, .author = author, .date = published, .opt = opt};
	xmlXPathObjectPtr xo = xp && xp->content ? xpath(pg, xp->content) : NULL;
	if (xo && xo->type == XPATH_NODESET) {
		/* Nodes inside an earlier selected one are part of it: skipped before anything is
		 * cleaned (cleaning frees nodes). */
		int nr = xo->nodesetval->nodeNr;
		char *inner = xcalloc((size_t)nr + 1, 1);
		for (int i = 0; i < nr; i++)
			for (int j = 0; j < nr && !inner[i]; j++)
				for (xmlNode *up = xo->nodesetval->nodeTab[i]->parent; j != i && up; up = up->parent)
					if (up == xo->nodesetval->nodeTab[j]) {
						inner[i] = 1;
						break;
					}
		for (int i = 0; i < nr; i++) {
			xmlNode *n = xo->nodesetval->nodeTab[i];
			if (inner[i] || n->type != XML_ELEMENT_NODE)
				continue;
			clean(n->children, &cl, 0);
			dump_children(&body, pg->doc, n);
		}
		free(inner);
	} else if (best) {
		/* the best block, and those of its siblings that read as part of it */
		xmlNode *parent = best->parent;
		xmlNode *kept[256];
		int nkept = 0;
		int picture = 0;   /* the sibling just before was an image block, not kept (yet) */
		int prev_kept = 0; /* the sibling just before was kept */
		xmlNode *pending = NULL;
		for (xmlNode *s = parent ? parent->children : best; s && nkept < 255; s = s->next) {
			if (s->type != XML_ELEMENT_NODE)
				continue;
			int keep = s == best, image = 0;
			if (!keep && !dropped(s) && !box_class(s) && !hidden(s) && !author_line(s, cl.author)) {
				size_t len = text_len(s);
				double ld = link_density(s);
				if (is_el(s, "p") && ((len > 80 && ld < 0.25) || (len > 0 && len <= 80 && ld == 0)))
					keep = 1;
				else if (name_in(s, " figure ") || (is_el(s, "div") && len > 140 && ld < 0.2))
					keep = 1;
				else if (len < 300 && ld < 0.3 && has_image(s))
					image = 1; /* a picture with its caption: kept next to kept text */
			}
			if (keep) {
				if (picture) /* right before kept text */
					kept[nkept++] = pending;
				kept[nkept++] = s;
			} else if (image && prev_kept) { /* right after kept text */
				kept[nkept++] = s;
				picture = 0;
				continue;
			}
			prev_kept = keep;
			picture = image && !keep;
			pending = picture ? s : NULL;
		}
		/* Only siblings that sit next to the best block or to kept ones count. */
		for (int i = 0; i < nkept; i++) {
			xmlNode *s = kept[i];
			if (s == best) {
				clean(best->children, &cl, 0);
				trim_ends(best, &cl);
				dump_children(&body, pg->doc, best);
			} else {
				clean(s->children, &cl, 0);
				dump_node(&body, pg->doc, s);
			}
		}
	}
	xmlXPathFreeObject(xo);
	if (!author && cl.found_byline) {
		author = cl.found_byline;
		cl.found_byline = NULL;
	}
	free(cl.found_byline);
	char *content = NULL;
	if (body.len)
		content = sanitize_html(buf_str(&body), pg->base);
	buf_release(&body);
	if (content) {
		char *plain = text_from_html(content);
		if (!*plain) {
			free(content);
			content = NULL;
		}
		free(plain);
	}
	if (!content && m->body_text) {
		struct buf b;
		buf_init(&b, 0);
		add_paragraphs(&b, m->body_text);
		content = buf_take(&b, NULL);
	}
	if (!summary && content) {
		char *first = first_paragraph(content);
		summary = first ? text_to_html(first) : NULL;
		free(first);
	}
	if (!content) {
		free(author);
		free(summary);
		free(title);
		util_errf(err, errlen, "an HTML page with no article text and no article links");
		return NULL;
	}
	struct feed *f = feed_new();
	f->format = xstrdup("html");
	struct item *it = feed_add_item(f);
	it->title = title;
	it->published = published;
	it->updated = updated;
	it->author = author;
	it->summary = summary;
	it->content = content;
	it->link = xstrdup(m->link ? m->link : pg->url);
	it->id = xstrdup(opt->id ? opt->id : it->link);
	for (size_t i = 0; i < m->ntags; i++)
		item_add_category(it, m->tags[i]);
	f->title = xstrdup(title);
	f->link = xstrdup(it->link);
	feed_finish(f);
	return f;
}

/* Characters of text (outside links) before the element stop, in document order. */
static size_t text_before(const xmlNode *n, const xmlNode *stop, int *stopped, int depth)
{
	size_t k = 0;
	for (; n && !*stopped && depth < MAX_DEPTH; n = n->next) {
		if (n == stop) {
			*stopped = 1;
			break;
		}
		if (n->type == XML_TEXT_NODE) {
			for (const char *p = (const char *)n->content; p && *p; p++)
				k += !isspace((unsigned char)*p) && ((unsigned char)*p & 0xC0) != 0x80;
		} else if (n->type == XML_ELEMENT_NODE && !dropped(n) && !is_el(n, "a")) {
			k += text_before(n->children, stop, stopped, depth + 1);
		}
	}
	return k;
}

/* Whether a page is an article: one dominant block of prose, not many headline links in it. */
static int dominant_text(struct page *pg, xmlNode *best, const char *site)
{
	if (!best)
		return 0;
	size_t all = 0, linked = 0;
	lengths(best->children, &all, &linked, 0, 0);
	size_t own = all - linked;
	struct links in = {0};
	find_links(pg, best->children, site, &in, 0);
	size_t headlines = in.n;
	/* An article starts with its text; a listing with its first link. */
	size_t before = 0;
	if (headlines) {
		int stop = 0;
		before = text_before(best->children, in.v[0].a, &stop, 0);
	}
	/* A card of a home or section page: a headline link near its top, in a heading, over a
	 * teaser — however long the teaser. */
	int card = headlines && before < 100 && own < 1500 && under_heading(in.v[0].a);
	links_release(&in);
	if (own < 250 || card)
		return 0;
	return headlines < 3 || own >= 400 * headlines || before >= 600;
}

struct hosts {
	char *name[64];
	int count[64];
	int n;
};

static void count_hosts(struct page *pg, xmlNode *n, struct hosts *h, int depth)
{
	for (; n && depth < MAX_DEPTH; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(n, "a")) {
			char *href = xml_prop(n, "href");
			char *url = href ? resolve(pg, href) : NULL;
			char *host = http_url(url) ? host_of(url) : NULL;
			int i = 0;
			while (host && i < h->n && strcmp(h->name[i], host))
				i++;
			if (host && i == h->n && h->n < 64) {
				h->name[h->n] = host;
				h->count[h->n++] = 0;
				host = NULL;
			}
			if (i < h->n)
				h->count[i]++;
			free(host);
			free(href);
			free(url);
		}
		count_hosts(pg, n->children, h, depth + 1);
	}
}

/* The site's host: the page's, else (a saved page) the one it names as its address, else the
 * one most of its links go to. */
static char *site_host(struct page *pg)
{
	char *h = host_of(pg->url);
	if (!h)
		h = host_of(pg->base);
	if (!h && pg->m.link)
		h = host_of(pg->m.link);
	if (h)
		return h;
	struct hosts hs;
	hs.n = 0;
	count_hosts(pg, xmlDocGetRootElement(pg->doc), &hs, 0);
	int best = -1;
	for (int i = 0; i < hs.n; i++)
		if (best < 0 || hs.count[i] > hs.count[best])
			best = i;
	for (int i = 0; i < hs.n; i++)
		if (i != best)
			free(hs.name[i]);
	return best >= 0 ? hs.name[best] : NULL;
}

/* The shape of a URL: its path with numbers as '#' and the last segment as '*', and its query's
 * keys.  Article links of a listing share one; menus and boxes have others. */
static char *url_shape(const char *url)
{
	struct buf b;
	buf_init(&b, 0);
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	p += strcspn(p, "/?#");
	size_t plen = strcspn(p, "?#");
	size_t last = plen;
	while (last > 0 && p[last - 1] == '/')
		last--;
	while (last > 0 && p[last - 1] != '/')
		last--;
	for (size_t i = 0; i < plen; i++) {
		if (i >= last && p[i] != '/' && p[i] != '.') {
			if (!b.len || b.data[b.len - 1] != '*')
				buf_addc(&b, '*');
			continue;
		}
		if (isdigit((unsigned char)p[i])) {
			if (!b.len || b.data[b.len - 1] != '#')
				buf_addc(&b, '#');
			continue;
		}
		buf_addc(&b, p[i]);
	}
	if (p[plen] == '?') { /* the keys, in their order */
		for (const char *q = p + plen + 1; *q && *q != '#';) {
			size_t k = strcspn(q, "=&#");
			buf_addc(&b, '?');
			for (size_t i = 0; i < k; i++)
				buf_addc(&b, (char)tolower((unsigned char)q[i]));
			q += k;
			q += strcspn(q, "&#");
			if (*q == '&')
				q++;
		}
	}
	return buf_take(&b, NULL);
}

struct shaped {
	char *shape;
	size_t index, count;
};

static int by_shape(const void *a, const void *b)
{
	const struct shaped *x = a, *y = b;
	int c = strcmp(x->shape, y->shape);
	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Keeps the links whose shape is shared by at least half as many links as the commonest one
 * (all of them when no shape repeats), in their order.  Shapes are counted by sorting. */
static void keep_common_shape(struct links *l)
{
	free(l->slot); /* the order changes: no more lookups by URL */
	l->slot = NULL;
	l->nslot = 0;
	if (l->n < 3)
		return;
	size_t total = l->n;
	struct shaped *sh = xcalloc(total, sizeof *sh);
	for (size_t i = 0; i < total; i++)
		sh[i] = (struct shaped){url_shape(l->v[i].url), i, 0};
	qsort(sh, l->n, sizeof *sh, by_shape);
	size_t most = 0;
	size_t *count = xcalloc(l->n, sizeof *count); /* by link index */
	for (size_t i = 0, j; i < l->n; i = j) {
		for (j = i; j < l->n && !strcmp(sh[j].shape, sh[i].shape); j++)
			;
		for (size_t k = i; k < j; k++)
			count[sh[k].index] = j - i;
		if (j - i > most)
			most = j - i;
	}
	size_t kept = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (most < 2 || (count[i] * 2 >= most && count[i] >= 2)) {
			l->v[kept++] = l->v[i];
		} else {
			free(l->v[i].url);
			free(l->v[i].title);
		}
	}
	l->n = kept;
	for (size_t i = 0; i < total; i++)
		free(sh[i].shape);
	free(sh);
	free(count);
}

/* Markup near the start: a tag, a comment or a doctype in the first kilobyte. */
static int markup(const char *data, size_t len)
{
	size_t n = len < 1024 ? len : 1024;
	for (size_t i = 0; i + 1 < n; i++)
		if (data[i] == '<' && (isalpha((unsigned char)data[i + 1]) || data[i + 1] == '!'))
			return 1;
	/* UTF-16: '<' then NUL, or NUL then '<' */
	for (size_t i = 0; i + 2 < n; i++)
		if ((data[i] == '<' && !data[i + 1] && isalpha((unsigned char)data[i + 2])) ||
		    (!data[i] && data[i + 1] == '<' && i + 3 < n && isalpha((unsigned char)data[i + 3])))
			return 1;
	return 0;
}

static int feed_type(const char *type)
{
	static const char *const types[] = {"application/rss+xml", "application/atom+xml",
					    "application/feed+json", "application/rdf+xml"};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (util_strcaseeq(type, types[i]))
			return 1;
	return 0;
}

/* The first feed a page advertises (<link rel="alternate" type="application/rss+xml", atom+xml,
 * feed+json or rdf+xml) under n, made absolute against base; NULL when there is none. */
static char *find_feed_link(xmlNode *n, const char *base, int depth)
{
	for (; n && depth < 64; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (util_strcaseeq((const char *)n->name, "link")) {
			xmlChar *rel = xmlGetProp(n, (const xmlChar *)"rel");
			xmlChar *type = xmlGetProp(n, (const xmlChar *)"type");
			xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
			char *found = NULL;
			if (rel && type && href && *href && feed_type((const char *)type)) {
				/* rel is a list of tokens; "alternate" must be one of them */
				char *r = xstrdup((const char *)rel), *save = NULL;
				for (char *tok = strtok_r(r, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
					if (util_strcaseeq(tok, "alternate")) {
						xmlChar *abs = base ? xmlBuildURI(href, (const xmlChar *)base) : NULL;
						found = xstrdup(abs ? (const char *)abs : (const char *)href);
						xmlFree(abs);
						break;
					}
				free(r);
			}
			xmlFree(rel);
			xmlFree(type);
			xmlFree(href);
			if (found)
				return found;
		}
		char *inner = find_feed_link(n->children, base, depth + 1);
		if (inner)
			return inner;
	}
	return NULL;
}

struct feed *extract_html(const char *data, size_t len, const struct extract_options *opt,
			  enum page_kind *kind, char *err, size_t errlen)
{
	if (len > (size_t)INT32_MAX / 2) {
		util_errf(err, errlen, "page larger than 1 GiB");
		return NULL;
	}
	if (!markup(data, len)) {
		util_errf(err, errlen, "not an HTML page: no markup at its start");
		return NULL;
	}
	size_t ulen = len;
	char *utf8 = decode_page(data, len, opt->charset, &ulen);
	const char *src = utf8 ? utf8 : data;
	if (!utf8 && len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
		src += 3;
		ulen -= 3;
	}
	if (ulen > (size_t)INT32_MAX) { /* a legacy page that grew past what libxml2 reads */
		free(utf8);
		util_errf(err, errlen, "page larger than 2 GiB once decoded");
		return NULL;
	}
	htmlDocPtr doc = htmlReadMemory(src, (int)ulen, opt->link, "UTF-8",
					HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
						HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC | HTML_PARSE_NOIMPLIED);
	free(utf8);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root) {
		xmlFreeDoc(doc);
		util_errf(err, errlen, "not an HTML page");
		return NULL;
	}
	if (opt->feed_link && (*opt->feed_link = find_feed_link(doc->children, opt->link, 0))) {
		util_errf(err, errlen, "an HTML page advertising a feed, %s", *opt->feed_link);
		xmlFreeDoc(doc);
		return NULL;
	}
	struct page pg;
	memset(&pg, 0, sizeof pg);
	pg.doc = doc;
	pg.opt = opt;
	pg.m.published = pg.m.updated = DATE_NONE;
	pg.url = http_url(opt->link) ? xstrdup(opt->link) : NULL;
	pg.base = xstrdup(opt->link);
	xmlNode *base_el = first_element(root, "base", 0);
	char *bhref = base_el ? xml_prop(base_el, "href") : NULL;
	if (bhref) {
		char *abs = resolve(&pg, bhref);
		if (http_url(abs) || !http_url(pg.base)) {
			free(pg.base);
			pg.base = abs;
		} else {
			free(abs);
		}
		free(bhref);
	}
	for (int phase = PHASE_JSON_LD; phase <= PHASE_MICRODATA; phase++)
		read_metadata(&pg, root, (enum meta_phase)phase, 0);
	/* A saved page (no http URL of its own) resolves against the address it names. */
	if (!http_url(pg.base) && pg.m.link) {
		free(pg.base);
		pg.base = xstrdup(pg.m.link);
	}
	struct title_search ts = {page_title(doc), NULL, 0};
	if (pg.m.title && !ts.want)
		ts.want = xstrdup(pg.m.title);
	find_title(root, &ts, 0);
	pg.title_node = ts.found;
	free((char *)ts.want);
	ts.want = NULL;
	struct scoring sc = {NULL, 0, 0};
	score_tree(&sc, root, 1, 0);
	xmlNode *best = NULL;
	double best_score = 0;
	best_candidate(&sc, root, &best, &best_score, 0);
	if (!best || text_len(best) < 250) {
		/* Too little: the article may sit in a box whose class misleads (a blog "widget"). */
		clear_private(root, 0);
		sc.n = 0;
		score_tree(&sc, root, 0, 0);
		xmlNode *again = NULL;
		double again_score = 0;
		best_candidate(&sc, root, &again, &again_score, 0);
		if (again && (!best || text_len(again) > text_len(best))) {
			best = again;
			best_score = again_score;
		}
	}
	if (best && (!pg.title_node || ts.score < 4)) {
		/* No h1: the title-like line nearest before the body (portals set <title> to the
		 * site's name). */
		struct title_walk tw = {opt, best, NULL, 0, 0};
		title_before(root, &tw, 0);
		if (tw.found)
			pg.title_node = tw.found;
	}
	char *site = site_host(&pg);
	struct feed *f = NULL;
	const struct extract_xpaths *xp = opt->xpath;
	int listing = 0;
	struct links links = {0};
	if (xp && xp->links && !opt->article_only)
		xpath_links(&pg, xp->links, &links);
	if (links.n) {
		listing = 1; /* what the source says; an expression that selects nothing says nothing */
	} else if (!opt->article_only && !(xp && xp->content) && !pg.m.is_article &&
		   !dominant_text(&pg, best, site)) {
		find_links(&pg, root, site, &links, 0);
		keep_common_shape(&links);
		listing = links.n >= 3;
		if (!listing)
			links_release(&links);
	}
	if (listing) {
		for (size_t i = 0; i < links.n; i++)
			links.v[i].date = link_date(&pg, &links.v[i], site);
		f = listing_feed(&pg, &links);
		links_release(&links);
		*kind = PAGE_LISTING;
	} else {
		size_t tl = best ? text_len(best) : 0;
		if (!best || (tl < 100 && !(xp && xp->content) && !pg.m.body_text)) {
			util_errf(err, errlen, "an HTML page with no article text and no article links");
		} else {
			f = article_feed(&pg, best, err, errlen);
			*kind = PAGE_ARTICLE;
		}
	}
	free(site);
	clear_private(root, 0);
	free(sc.s);
	meta_release(&pg.m);
	free(pg.base);
	free(pg.url);
	xmlFreeDoc(doc);
	return f;
}

const struct extract_xpaths *extract_xpaths_of(const struct config_source *src, struct extract_xpaths *out)
{
	*out = (struct extract_xpaths){src->xpath_links,   src->xpath_title,   src->xpath_date,
				       src->xpath_author,  src->xpath_summary, src->xpath_content};
	int any = out->links || out->title || out->date || out->author || out->summary || out->content;
	return any ? out : NULL;
}
