#include "sanitize.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/uri.h>

#include "buf.h"
#include "util.h"

/* Elements kept, with the attributes each may keep (besides the global ones). */
static const struct {
	const char *name;
	const char *attrs; /* space-separated, with leading and trailing space */
	int empty;         /* void element: no end tag */
} allowed[] = {
	{"a", " href title ", 0},        {"abbr", " title ", 0},      {"acronym", " title ", 0},
	{"address", "", 0},              {"audio", " src controls ", 0},
	{"b", "", 0},                    {"bdi", "", 0},              {"bdo", " dir ", 0},
	{"big", "", 0},                  {"blockquote", " cite ", 0}, {"br", "", 1},
	{"caption", "", 0},              {"cite", "", 0},             {"code", "", 0},
	{"col", " span ", 1},            {"colgroup", " span ", 0},   {"dd", "", 0},
	{"del", " cite datetime ", 0},   {"details", " open ", 0},    {"dfn", "", 0},
	{"div", "", 0},                  {"dl", "", 0},               {"dt", "", 0},
	{"em", "", 0},                   {"figcaption", "", 0},       {"figure", "", 0},
	{"h1", "", 0},                   {"h2", "", 0},               {"h3", "", 0},
	{"h4", "", 0},                   {"h5", "", 0},               {"h6", "", 0},
	{"hr", "", 1},                   {"i", "", 0},                {"img", " src alt width height ", 1},
	{"ins", " cite datetime ", 0},   {"kbd", "", 0},              {"li", " value ", 0},
	{"mark", "", 0},                 {"ol", " start type reversed ", 0},
	{"p", "", 0},                    {"pre", "", 0},              {"q", " cite ", 0},
	{"rp", "", 0},                   {"rt", "", 0},               {"ruby", "", 0},
	{"s", "", 0},                    {"samp", "", 0},             {"small", "", 0},
	{"source", " src type ", 1},     {"span", "", 0},             {"strike", "", 0},
	{"strong", "", 0},               {"sub", "", 0},              {"summary", "", 0},
	{"sup", "", 0},                  {"table", " summary ", 0},   {"tbody", "", 0},
	{"td", " colspan rowspan headers ", 0},
	{"tfoot", "", 0},                {"th", " colspan rowspan scope headers ", 0},
	{"thead", "", 0},                {"time", " datetime ", 0},   {"tr", "", 0},
	{"tt", "", 0},                   {"u", "", 0},                {"ul", "", 0},
	{"var", "", 0},                  {"video", " src controls poster width height ", 0},
	{"wbr", "", 1},
};

static const char *const global_attrs = " title lang dir ";
static const char *const url_attrs = " href src cite poster ";

/* Dropped together with everything inside them. */
static const char *const dropped =
	" script style iframe frame frameset object embed applet form input button select option"
	" optgroup textarea meta base link noscript noembed noframes template svg math title head"
	" param canvas dialog portal xml ";

static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	if (!n || n > 32)
		return 0;
	for (const char *p = strstr(list, name); p; p = strstr(p + 1, name))
		if (p[-1] == ' ' && p[n] == ' ')
			return 1;
	return 0;
}

static int find_allowed(const char *name)
{
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
		if (!strcmp(allowed[i].name, name))
			return (int)i;
	return -1;
}

static void escape(struct buf *b, const char *s, int attr)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '"':
			if (attr)
				buf_adds(b, "&quot;");
			else
				buf_addc(b, '"');
			break;
		default:
			buf_addc(b, *s);
		}
	}
}

/* Returns a new absolute http(s)/mailto URL, a relative one when there is no web base, or NULL
 * when the URL must go.  Browsers ignore ASCII white space and control characters inside a
 * scheme ("java\tscript:"), so they are removed before the scheme is looked at. */
static char *safe_url(const char *raw, const char *base)
{
	struct buf b;
	buf_init(&b, 8192);
	for (const unsigned char *c = (const unsigned char *)raw; *c; c++)
		if (*c > 0x20 && *c != 0x7f && buf_addc(&b, (char)*c) < 0) {
			buf_release(&b);
			return NULL;
		}
	char *url = buf_take(&b, NULL);
	if (!*url) {
		free(url);
		return NULL;
	}
	/* A scheme is letters, digits, '+', '-', '.' before the first ':' that comes before any
	 * '/', '?' or '#'. */
	size_t n = strcspn(url, ":/?#");
	if (url[n] == ':') {
		int ok = 0;
		if (n == 4 && util_strncaseeq(url, "http", 4))
			ok = 1;
		else if (n == 5 && util_strncaseeq(url, "https", 5))
			ok = 1;
		else if (n == 6 && util_strncaseeq(url, "mailto", 6))
			ok = 1;
		if (!ok) {
			free(url);
			return NULL;
		}
		return url;
	}
	if (base && (util_strncaseeq(base, "http://", 7) || util_strncaseeq(base, "https://", 8))) {
		xmlChar *abs = xmlBuildURI((const xmlChar *)url, (const xmlChar *)base);
		if (abs) {
			char *out = NULL;
			if (util_strncaseeq((const char *)abs, "http://", 7) ||
			    util_strncaseeq((const char *)abs, "https://", 8))
				out = xstrdup((const char *)abs);
			xmlFree(abs);
			free(url);
			return out;
		}
	}
	return url;
}

static void walk(struct buf *out, xmlNode *n, const char *base, int depth)
{
	for (; n; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content)
				escape(out, (const char *)n->content, 0);
			continue;
		}
		if (n->type != XML_ELEMENT_NODE || !n->name)
			continue; /* comments, processing instructions, DTD nodes */
		char name[40];
		size_t len = strlen((const char *)n->name);
		if (len >= sizeof name)
			continue;
		for (size_t i = 0; i <= len; i++)
			name[i] = (char)tolower((unsigned char)n->name[i]);
		if (strchr(name, ':') || in_list(dropped, name))
			continue;
		int idx = find_allowed(name);
		if (idx < 0 || depth > 100) { /* unknown element: keep what is inside */
			walk(out, n->children, base, depth + 1);
			continue;
		}
		buf_addc(out, '<');
		buf_adds(out, name);
		for (xmlAttr *a = n->properties; a; a = a->next) {
			char an[32];
			size_t al = strlen((const char *)a->name);
			if (al >= sizeof an)
				continue;
			for (size_t i = 0; i <= al; i++)
				an[i] = (char)tolower((unsigned char)a->name[i]);
			if (!in_list(global_attrs, an) && !in_list(allowed[idx].attrs, an))
				continue;
			xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
			const char *value = v ? (const char *)v : "";
			char *keep = NULL;
			if (in_list(url_attrs, an))
				keep = safe_url(value, base);
			else
				keep = xstrdup(value);
			xmlFree(v);
			if (!keep)
				continue;
			buf_printf(out, " %s=\"", an);
			escape(out, keep, 1);
			buf_addc(out, '"');
			free(keep);
		}
		buf_addc(out, '>');
		if (allowed[idx].empty)
			continue;
		walk(out, n->children, base, depth + 1);
		buf_printf(out, "</%s>", name);
	}
}

char *sanitize_html(const char *html, const char *base)
{
	if (!html)
		return NULL;
	struct buf in;
	buf_init(&in, 0);
	/* The wrapper fixes the encoding and keeps leading text inside <body>. */
	buf_adds(&in, "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
		      "</head><body><div>");
	buf_adds(&in, html);
	buf_adds(&in, "</div></body></html>");
	htmlDocPtr doc = htmlReadMemory(in.data, (int)in.len, NULL, "UTF-8",
					HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
						HTML_PARSE_NONET | HTML_PARSE_NOBLANKS * 0);
	buf_release(&in);
	struct buf out;
	buf_init(&out, 0);
	if (doc) {
		xmlNode *root = xmlDocGetRootElement(doc);
		xmlNode *body = NULL;
		for (xmlNode *c = root ? root->children : NULL; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "body"))
				body = c;
		/* Our own <div> wrapper is the body's first child; what the parser moved after it
		 * (text after a stray </div>) is kept as well. */
		for (xmlNode *c = body ? body->children : NULL; c; c = c->next) {
			if (c == body->children && c->type == XML_ELEMENT_NODE &&
			    !strcmp((const char *)c->name, "div"))
				walk(&out, c->children, base, 0);
			else {
				xmlNode *next = c->next;
				c->next = NULL;
				walk(&out, c, base, 0);
				c->next = next;
			}
		}
		xmlFreeDoc(doc);
	}
	char *s = buf_take(&out, NULL);
	char *t = util_trim(s);
	if (t != s)
		memmove(s, t, strlen(t) + 1);
	return s;
}
