#include "sanitize.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/uri.h>
#include <utf8proc.h>

#include "buf.h"
#include "feed.h"
#include "util.h"

/* How the fast path (below) reads an element; F_NO sends the fragment to the parser. */
enum fast {
	F_NO,
	F_PHRASE, /* text-level: anywhere but directly in a list */
	F_VOID,   /* text-level, no end tag (br, img) */
	F_BLOCK,  /* holds text-level content only (p, h1-h6, figcaption) */
	F_FLOW,   /* holds blocks too (div, blockquote, figure) */
	F_LIST,   /* holds list items only */
	F_ITEM,   /* li: holds blocks, only in a list */
	F_RULE,   /* hr: a void block */
};

/* Elements kept, with the attributes each may keep (besides the global ones); sorted by name. */
static const struct allowed {
	const char *name;
	const char *attrs; /* space-separated, with leading and trailing space */
	int empty;         /* void element: no end tag */
	enum fast fast;
} allowed[] = {
	{"a", " href title ", 0, F_PHRASE},        {"abbr", " title ", 0, F_PHRASE},
	{"acronym", " title ", 0, F_PHRASE},       {"address", "", 0, F_NO},
	{"audio", " src controls ", 0, F_NO},      {"b", "", 0, F_PHRASE},
	{"bdi", "", 0, F_NO},                      {"bdo", " dir ", 0, F_NO},
	{"big", "", 0, F_PHRASE},                  {"blockquote", " cite ", 0, F_FLOW},
	{"br", "", 1, F_VOID},                     {"caption", "", 0, F_NO},
	{"cite", "", 0, F_PHRASE},                 {"code", "", 0, F_PHRASE},
	{"col", " span ", 1, F_NO},                {"colgroup", " span ", 0, F_NO},
	{"dd", "", 0, F_NO},                       {"del", " cite datetime ", 0, F_PHRASE},
	{"details", " open ", 0, F_NO},            {"dfn", "", 0, F_PHRASE},
	{"div", "", 0, F_FLOW},                    {"dl", "", 0, F_NO},
	{"dt", "", 0, F_NO},                       {"em", "", 0, F_PHRASE},
	{"figcaption", "", 0, F_BLOCK},            {"figure", "", 0, F_FLOW},
	{"h1", "", 0, F_BLOCK},                    {"h2", "", 0, F_BLOCK},
	{"h3", "", 0, F_BLOCK},                    {"h4", "", 0, F_BLOCK},
	{"h5", "", 0, F_BLOCK},                    {"h6", "", 0, F_BLOCK},
	{"hr", "", 1, F_RULE},                     {"i", "", 0, F_PHRASE},
	{"img", " src alt width height ", 1, F_VOID},
	{"ins", " cite datetime ", 0, F_PHRASE},   {"kbd", "", 0, F_PHRASE},
	{"li", " value ", 0, F_ITEM},              {"mark", "", 0, F_PHRASE},
	{"ol", " start type reversed ", 0, F_LIST},
	{"p", "", 0, F_BLOCK},                     {"pre", "", 0, F_NO},
	{"q", " cite ", 0, F_PHRASE},              {"rp", "", 0, F_NO},
	{"rt", "", 0, F_NO},                       {"ruby", "", 0, F_NO},
	{"s", "", 0, F_PHRASE},                    {"samp", "", 0, F_PHRASE},
	{"small", "", 0, F_PHRASE},                {"source", " src type ", 1, F_NO},
	{"span", "", 0, F_PHRASE},                 {"strike", "", 0, F_PHRASE},
	{"strong", "", 0, F_PHRASE},               {"sub", "", 0, F_PHRASE},
	{"summary", "", 0, F_NO},                  {"sup", "", 0, F_PHRASE},
	{"table", " summary ", 0, F_NO},           {"tbody", "", 0, F_NO},
	{"td", " colspan rowspan headers ", 0, F_NO},
	{"tfoot", "", 0, F_NO},                    {"th", " colspan rowspan scope headers ", 0, F_NO},
	{"thead", "", 0, F_NO},                    {"time", " datetime ", 0, F_PHRASE},
	{"tr", "", 0, F_NO},                       {"tt", "", 0, F_PHRASE},
	{"u", "", 0, F_PHRASE},                    {"ul", "", 0, F_LIST},
	{"var", "", 0, F_PHRASE},                  {"video", " src controls poster width height ", 0, F_NO},
	{"wbr", "", 1, F_NO},
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

static int by_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct allowed *)elem)->name);
}

static int find_allowed(const char *name)
{
	const struct allowed *a = bsearch(name, allowed, sizeof allowed / sizeof allowed[0], sizeof allowed[0], by_name);
	return a ? (int)(a - allowed) : -1;
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

/* Writes the attribute an="value" of allowed element idx when it is kept: an (lower case) is
 * allowed there, and a URL survives safe_url. */
static void write_attr(struct buf *out, int idx, const char *an, const char *value, const char *base)
{
	if (!an[0] || (!in_list(global_attrs, an) && !in_list(allowed[idx].attrs, an)))
		return;
	char *keep = in_list(url_attrs, an) ? safe_url(value, base) : xstrdup(value);
	if (!keep)
		return;
	buf_addc(out, ' ');
	buf_adds(out, an);
	buf_adds(out, "=\"");
	text_html_escape(out, keep, 1);
	buf_addc(out, '"');
	free(keep);
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
		write_attr(&x->out, idx, an, a[1] ? (const char *)a[1] : "", x->base);
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

/* Trims s in place and returns it. */
static char *trimmed(char *s)
{
	char *t = util_trim(s);
	if (t != s)
		memmove(s, t, strlen(t) + 1);
	return s;
}

char *sanitize_html_parser(const char *html, const char *base)
{
	if (!html)
		return NULL;
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
	return trimmed(s);
}

/* The fast path.  Most feed content is markup as plain as <p>text <a href="...">link</a></p>:
 * allowlisted elements nested where libxml2's HTML parser closes nothing on its own, quoted
 * attributes, a few entities, valid UTF-8.  A strict scanner writes such markup out itself, the
 * bytes the parser path writes for it; anything else (a comment, a script, an unknown or
 * misnested element, an entity outside the table, a stray '<', a character the parser would
 * drop) sends the whole fragment to the parser.  test_sanitize and fuzz_sanitize hold the two
 * paths to the same output. */
#define FAST_DEPTH 64

/* Whether an element of class cls (allowed[] index idx) may open inside one of class top (index
 * top_idx) without the parser closing anything first. */
static int fast_fits(enum fast cls, int idx, enum fast top, int top_idx)
{
	switch (cls) {
	case F_ITEM:
		return top == F_LIST;
	case F_BLOCK:
	case F_FLOW:
	case F_LIST:
	case F_RULE:
		return top == F_FLOW || top == F_ITEM;
	case F_PHRASE:
	case F_VOID:
		/* <a> closes an open <a> */
		return top != F_LIST && !(idx == top_idx && !strcmp(allowed[idx].name, "a"));
	default:
		return 0;
	}
}

/* Reads the character reference or entity at p ('&') into out (UTF-8, at least 5 bytes);
 * returns its length in the input, or 0 when the parser had better read it.  *changed is set
 * when text_clean would change the character. */
static size_t fast_entity(const char *p, char *out, int *changed)
{
	static const struct {
		const char *ref, *text;
	} named[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&nbsp;", "\xC2\xA0"}};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		size_t n = strlen(named[i].ref);
		if (!strncmp(p, named[i].ref, n)) {
			strcpy(out, named[i].text);
			return n;
		}
	}
	if (p[1] != '#')
		return 0;
	int hex = p[2] == 'x';
	const char *d = p + 2 + hex;
	long v = 0;
	size_t nd = 0;
	for (; nd < 6 && (hex ? isxdigit((unsigned char)d[nd]) : isdigit((unsigned char)d[nd])); nd++)
		v = v * (hex ? 16 : 10) + (isdigit((unsigned char)d[nd]) ? d[nd] - '0' : (tolower((unsigned char)d[nd]) - 'a' + 10));
	/* printable characters only: the parser drops or rewrites the rest */
	if (!nd || d[nd] != ';' || v < 0x20 || (v >= 0x7F && v <= 0x9F) || (v >= 0xD800 && v <= 0xDFFF) ||
	    v == 0xFFFE || v == 0xFFFF || v > 0x10FFFF)
		return 0;
	if (!text_char_kept((int32_t)v))
		*changed = 1;
	out[utf8proc_encode_char((utf8proc_int32_t)v, (utf8proc_uint8_t *)out)] = '\0';
	return (size_t)(d + nd + 1 - p);
}

#ifdef __SSE2__
/* The bytes of an SSE2 register in [lo, hi] (unsigned), as a mask. */
static inline unsigned byte_range(__m128i v, unsigned char lo, unsigned char hi)
{
	__m128i in = _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8((char)lo)), v),
				   _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8((char)hi)), v));
	return (unsigned)_mm_movemask_epi8(in);
}

/* How many of the 16 bytes at s fast_text passes whole without looking closer: printable ASCII
 * but '<', '&' and quote, tab and line feed, and complete characters of the ranges NFC leaves
 * alone that it decodes inline (two bytes led by C2-CB, three led by E1 B8-BB).  The count
 * ends before the first other byte and before a character the block cuts, so always at the
 * start of a character. */
static inline size_t fast_block(const unsigned char *s, char quote)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')), _mm_cmpeq_epi8(v, _mm_set1_epi8('&'))),
				    _mm_cmpeq_epi8(v, _mm_set1_epi8(quote)));
	/* a signed compare: 0x20-0x7F are above 0x1F, bytes from 0x80 up are negative */
	__m128i ascii = _mm_andnot_si128(stop, _mm_cmpgt_epi8(v, _mm_set1_epi8(0x1F)));
	ascii = _mm_or_si128(ascii, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))));
	unsigned pass = (unsigned)_mm_movemask_epi8(ascii);
	unsigned lead2 = byte_range(v, 0xC2, 0xCB), lead3 = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xE1)));
	unsigned cont = byte_range(v, 0x80, 0xBF), second = byte_range(v, 0xB8, 0xBB);
	/* a lead whose bytes are not all there (or not all in this block) is not passed */
	unsigned bad2 = lead2 & ~(cont >> 1), bad3 = lead3 & ~((second >> 1) & (cont >> 2));
	unsigned inside = (lead2 << 1) | (lead3 << 1) | (lead3 << 2);
	unsigned bad = (~(pass | lead2 | lead3 | (cont & inside)) & 0xFFFFu) | bad2 | bad3;
	return bad ? (size_t)__builtin_ctz(bad) : 16;
}
#endif

/* The length of the text run at p: bytes up to '<', '&', quote (when not 0) or the end (the NUL
 * at end), all of them characters the parser passes through unchanged; *stop is set when the
 * run ends at a byte it does not, *changed when text_clean would change a character in it. */
static size_t fast_text(const char *p, const char *end, char quote, int *stop, int *changed)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, n = (size_t)(end - p);
	*stop = 0;
	for (;;) {
#ifdef __SSE2__
		for (size_t k = 16; k == 16 && i + 16 <= n; i += k)
			k = fast_block(s + i, quote);
#endif
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x80 && c != '<' && c != '&' && c != (unsigned char)quote) {
			i += util_ascii_run(p + i, n - i, '<', '&', quote);
		} else if (c == '\t' || c == '\n') {
			i++;
		} else if (c >= 0xC2 && c <= 0xCB && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
			i += 2; /* U+0080-U+02FF: XML characters NFC leaves alone */
		} else if (c == 0xE1 && i + 2 < n && s[i + 1] >= 0xB8 && s[i + 1] <= 0xBB && (s[i + 2] & 0xC0) == 0x80) {
			i += 3; /* U+1E00-U+1EFF, Vietnamese and other precomposed Latin letters: the same */
		} else if (c >= 0x80) {
			int32_t cp;
			long k = text_utf8_next(s + i, n - i, &cp);
			if (k <= 0 || cp == 0xFFFE || cp == 0xFFFF) {
				*stop = 1;
				return i;
			}
			if (!text_char_kept(cp))
				*changed = 1;
			i += (size_t)k;
		} else {
			*stop = c != '<' && c != '&' && c != '\0' && c != (unsigned char)quote;
			return i;
		}
	}
}

/* Reads an element or attribute name at *pp ([A-Za-z][A-Za-z0-9]*, or with '-' inside for an
 * attribute) into out in lower case; 0 when there is none or it does not fit. */
static int fast_name(const char **pp, char *out, size_t n, int attr)
{
	const char *p = *pp;
	size_t i = 0;
	if (!isalpha((unsigned char)*p))
		return 0;
	while (isalnum((unsigned char)p[i]) || (attr && p[i] == '-' && i)) {
		if (i + 1 >= n)
			return 0;
		out[i] = (char)tolower((unsigned char)p[i]);
		i++;
	}
	out[i] = '\0';
	*pp = p + i;
	return 1;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* A start tag at p (just past '<'): writes it when kept, pushes it on the stack; returns the
 * position after '>', or NULL for the parser. */
static const char *fast_start(const char *p, const char *end, struct buf *out, signed char *stack,
			      int *depth, struct buf *val, const char *base, int *changed)
{
	char name[16];
	if (!fast_name(&p, name, sizeof name, 0))
		return NULL;
	int idx = find_allowed(name);
	if (idx < 0 || allowed[idx].fast == F_NO)
		return NULL;
	int top_idx = *depth ? stack[*depth - 1] : -1;
	enum fast top = top_idx >= 0 ? allowed[top_idx].fast : F_FLOW;
	if (!fast_fits(allowed[idx].fast, idx, top, top_idx))
		return NULL;
	size_t tag_at = out->len;
	buf_addc(out, '<');
	buf_adds(out, name);
	char seen[8][16];
	int nseen = 0;
	for (;;) {
		int blank = 0;
		while (is_blank(*p)) {
			p++;
			blank = 1;
		}
		if (*p == '>' || (p[0] == '/' && p[1] == '>' && allowed[idx].empty))
			break;
		char an[16];
		if (!blank || nseen == 8 || !fast_name(&p, an, sizeof an, 1) || (*p != '=' && !is_blank(*p) && *p != '>'))
			goto parser;
		for (int i = 0; i < nseen; i++)
			if (!strcmp(seen[i], an))
				goto parser; /* the parser keeps the first of two */
		strcpy(seen[nseen++], an);
		buf_reset(val);
		if (*p == '=') {
			char q = *++p;
			if (q != '"' && q != '\'')
				goto parser;
			for (p++; *p != q;) {
				int stop;
				size_t n = fast_text(p, end, q, &stop, changed);
				if (!n && !*p)
					goto parser;
				if (n) {
					buf_add(val, p, n);
					p += n;
					continue;
				}
				if (stop || *p == '<')
					goto parser;
				char ch[8];
				size_t k = fast_entity(p, ch, changed);
				if (!k)
					goto parser;
				buf_adds(val, ch);
				p += k;
			}
			p++;
			if (!is_blank(*p) && *p != '>' && *p != '/')
				goto parser;
		}
		write_attr(out, idx, an, buf_str(val), base);
	}
	buf_addc(out, '>');
	if (!allowed[idx].empty) {
		if (*depth == FAST_DEPTH)
			goto parser;
		stack[(*depth)++] = (signed char)idx;
	}
	return p + (*p == '/' ? 2 : 1);
parser:
	out->len = tag_at;
	return NULL;
}

/* Writes the sanitised form of html to out when the fast path can read all of it; returns 0
 * (out then holds a partial result) when the parser must. */
static int sanitize_fast(const char *html, size_t len, const char *base, struct buf *out, int *changed)
{
	const char *end = html + len;
	signed char stack[FAST_DEPTH];
	int depth = 0;
	struct buf val;
	buf_init(&val, 0);
	const char *p = html;
	int ok = 0;
	for (;;) {
		int stop;
		size_t n = fast_text(p, end, 0, &stop, changed);
		/* the run holds no '<' or '&': only '>' is escaped */
		for (const char *gt; n && (gt = memchr(p, '>', n)); n -= (size_t)(gt + 1 - p), p = gt + 1) {
			buf_add(out, p, (size_t)(gt - p));
			buf_adds(out, "&gt;");
		}
		buf_add(out, p, n);
		p += n;
		if (stop)
			break;
		if (!*p) {
			/* the parser would close what is open: close nothing here; a NUL before the
			 * end is not text */
			ok = depth == 0 && p == end;
			break;
		}
		if (*p == '&') {
			char ch[8];
			size_t k = fast_entity(p, ch, changed);
			if (!k)
				break;
			text_html_escape(out, ch, 0);
			p += k;
		} else if (p[1] == '/') {
			char name[16];
			const char *q = p + 2;
			if (!depth || !fast_name(&q, name, sizeof name, 0) || *q != '>' ||
			    strcmp(name, allowed[stack[depth - 1]].name))
				break;
			buf_printf(out, "</%s>", name);
			depth--;
			p = q + 1;
		} else if (!(p = fast_start(p + 1, end, out, stack, &depth, &val, base, changed))) {
			break;
		}
	}
	buf_release(&val);
	return ok;
}

char *sanitize_html_n(const char *html, size_t len, const char *base, int *clean, int *checked)
{
	*clean = *checked = 0;
	if (!html)
		return NULL;
	struct buf out;
	buf_init(&out, 0);
	buf_reserve(&out, len + len / 8 + 64); /* room for the usual escapes and absolute URLs */
	int changed = 0;
	if (!sanitize_fast(html, len, base, &out, &changed)) {
		buf_release(&out);
		return sanitize_html_parser(html, base);
	}
	*clean = !changed;
	*checked = 1;
	return trimmed(buf_take(&out, NULL));
}

char *sanitize_html_clean(const char *html, const char *base, int *clean)
{
	int checked;
	return sanitize_html_n(html, html ? strlen(html) : 0, base, clean, &checked);
}

char *sanitize_html(const char *html, const char *base)
{
	int clean;
	return sanitize_html_clean(html, base, &clean);
}
