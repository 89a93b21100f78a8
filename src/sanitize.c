#include "sanitize.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/uri.h>

#include "buf.h"
#include "feed.h"
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
	" script style iframe frame frameset object applet form button select option"
	" optgroup textarea noscript noembed noframes template svg math title head"
	" canvas dialog portal xml ";
/* Dropped alone: void in HTML, so what libxml2 nests inside them is the page's text. */
static const char *const dropped_void =
	" embed input meta base link param keygen area track ";
/* Prefixes of namespaced elements dropped with their content (the rest are unwrapped). */
static const char *const dropped_prefixes = " svg math xlink xsl xml ";

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

/* Returns a new absolute http(s)/mailto URL, a relative one when there is no web base, or NULL
 * when the URL must go.  Browsers ignore ASCII white space and control characters inside a
 * scheme ("java\tscript:"), so they are removed before the scheme is looked at. */
static char *safe_url(const char *raw, const char *base)
{
	static const char hex[] = "0123456789ABCDEF";
	/* Browsers trim leading and trailing white space and control characters and drop tabs and
	 * new lines anywhere, so "java\tscript:" is a scheme; they read '\' as '/'.  Other bytes a
	 * URL may not hold are percent-encoded, so the URL parser accepts what browsers accept. */
	while (*raw && (unsigned char)*raw <= 0x20)
		raw++;
	size_t n = strlen(raw);
	while (n && (unsigned char)raw[n - 1] <= 0x20)
		n--;
	struct buf b;
	buf_init(&b, 8192);
	int bad = 0;
	for (size_t i = 0; i < n && !bad; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == '\\')
			bad = buf_addc(&b, '/');
		else if (c <= 0x20 || c == 0x7f || c >= 0x80 || strchr("\"<>{}|^`", c) ||
			 (c == '%' && !(i + 2 < n && isxdigit((unsigned char)raw[i + 1]) &&
					isxdigit((unsigned char)raw[i + 2]))))
			bad = buf_printf(&b, "%%%c%c", hex[c >> 4], hex[c & 15]);
		else
			bad = buf_addc(&b, (char)c);
	}
	if (bad || !b.len) {
		buf_release(&b);
		return NULL;
	}
	char *url = buf_take(&b, NULL);
	/* A scheme is letters, digits, '+', '-', '.' before the first ':' that comes before any
	 * '/', '?' or '#'. */
	size_t sl = strcspn(url, ":/?#");
	if (url[sl] == ':') {
		int ok = (sl == 4 && util_strncaseeq(url, "http", 4)) ||
			 (sl == 5 && util_strncaseeq(url, "https", 5)) ||
			 (sl == 6 && util_strncaseeq(url, "mailto", 6));
		if (!ok) {
			free(url);
			return NULL;
		}
		return url;
	}
	if (base && (util_strncaseeq(base, "http://", 7) || util_strncaseeq(base, "https://", 8))) {
		xmlChar *abs = xmlBuildURI((const xmlChar *)url, (const xmlChar *)base);
		char *out = NULL;
		if (abs && (util_strncaseeq((const char *)abs, "http://", 7) ||
			    util_strncaseeq((const char *)abs, "https://", 8)))
			out = xstrdup((const char *)abs);
		xmlFree(abs);
		free(url);
		return out; /* NULL when even the encoded form does not resolve: the URL goes */
	}
	return url;
}

/* The sanitiser runs on libxml2's HTML parser in SAX mode: the parser repairs the markup
 * (implied end tags, misnesting) and no tree is built. */
#define MAX_DEPTH 256

struct sax {
	struct buf out;
	const char *base;
	int depth;           /* elements open */
	int skip;            /* > 0: inside a dropped element, at this depth */
	int wrapper;         /* depth of our own <div> wrapper, 0 before it opens */
	signed char stack[MAX_DEPTH]; /* per open element: allowed[] index, or -1 (not written) */
};

/* Lower-cases a tag or attribute name into out; a name too long for out becomes "" (nothing
 * tidings keeps has such a name). */
static void lower_name(const xmlChar *in, char *out, size_t n)
{
	size_t i = 0;
	for (; in[i]; i++) {
		if (i + 1 >= n) {
			out[0] = '\0';
			return;
		}
		out[i] = (char)tolower(in[i]);
	}
	out[i] = '\0';
}

static void on_start(void *ctx, const xmlChar *tag, const xmlChar **atts)
{
	struct sax *x = ctx;
	int depth = x->depth++;
	if (depth < MAX_DEPTH)
		x->stack[depth] = -1;
	if (x->skip)
		return;
	char name[64];
	lower_name(tag, name, sizeof name);
	if (!x->wrapper && !strcmp(name, "div")) {
		x->wrapper = depth + 1;
		return;
	}
	char *colon = strchr(name, ':');
	if (colon) {
		*colon = '\0';
		int drop = in_list(dropped_prefixes, name);
		*colon = ':';
		if (drop)
			x->skip = depth + 1;
		return; /* other namespaced elements (Word's st1:place …) are unwrapped */
	}
	if (in_list(dropped, name)) {
		x->skip = depth + 1;
		return;
	}
	int idx = name[0] && !in_list(dropped_void, name) ? find_allowed(name) : -1;
	if (idx < 0 || depth >= MAX_DEPTH) /* unknown (or too deep): keep what is inside */
		return;
	x->stack[depth] = (signed char)idx;
	buf_addc(&x->out, '<');
	buf_adds(&x->out, name);
	for (const xmlChar **a = atts; a && a[0]; a += 2) {
		char an[32];
		lower_name(a[0], an, sizeof an);
		if (!an[0] || (!in_list(global_attrs, an) && !in_list(allowed[idx].attrs, an)))
			continue;
		const char *value = a[1] ? (const char *)a[1] : "";
		char *keep = in_list(url_attrs, an) ? safe_url(value, x->base) : xstrdup(value);
		if (!keep)
			continue;
		buf_printf(&x->out, " %s=\"", an);
		text_html_escape(&x->out, keep, 1);
		buf_addc(&x->out, '"');
		free(keep);
	}
	buf_addc(&x->out, '>');
}

static void on_end(void *ctx, const xmlChar *tag)
{
	struct sax *x = ctx;
	(void)tag;
	if (x->depth == 0)
		return;
	int depth = --x->depth;
	if (x->skip == depth + 1) {
		x->skip = 0;
		return;
	}
	if (depth >= MAX_DEPTH || x->skip)
		return;
	int idx = x->stack[depth];
	if (idx >= 0 && !allowed[idx].empty)
		buf_printf(&x->out, "</%s>", allowed[idx].name);
}

static void on_text(void *ctx, const xmlChar *text, int len)
{
	struct sax *x = ctx;
	if (x->skip || !x->wrapper)
		return;
	text_html_escape_n(&x->out, (const char *)text, (size_t)len, 0);
}

static void on_error(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

char *sanitize_html(const char *html, const char *base)
{
	if (!html)
		return NULL;
	if (!strpbrk(html, "<>&")) { /* plain text is its own sanitised HTML */
		char *s = xstrdup(html), *t = util_trim(s);
		if (t != s)
			memmove(s, t, strlen(t) + 1);
		return s;
	}
	struct sax *x = xcalloc(1, sizeof *x);
	buf_init(&x->out, 0);
	x->base = base;
	htmlSAXHandler sax;
	memset(&sax, 0, sizeof sax);
	sax.startElement = on_start;
	sax.endElement = on_end;
	sax.characters = on_text;
	sax.cdataBlock = on_text; /* only script and style deliver it, and those are dropped */
	sax.warning = on_error;
	sax.error = on_error;
	sax.fatalError = on_error;
	struct buf in;
	buf_init(&in, 0);
	/* The wrapper keeps leading text inside an element, where the parser leaves it as it is. */
	buf_adds(&in, "<div>");
	buf_adds(&in, html);
	htmlParserCtxtPtr ctxt = htmlCreatePushParserCtxt(&sax, x, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
	if (ctxt) {
		htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
						 HTML_PARSE_NONET);
		htmlParseChunk(ctxt, in.data, (int)in.len, 1);
		htmlFreeParserCtxt(ctxt);
	}
	buf_release(&in);
	char *s = buf_take(&x->out, NULL);
	free(x);
	char *t = util_trim(s);
	if (t != s)
		memmove(s, t, strlen(t) + 1);
	return s;
}
