#include "feed.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <utf8proc.h>

#include "buf.h"
#include "util.h"

struct feed *feed_new(void)
{
	struct feed *f = xcalloc(1, sizeof *f);
	f->updated = DATE_NONE;
	return f;
}

void item_release(struct item *it)
{
	free(it->id);
	free(it->title);
	free(it->link);
	free(it->author);
	free(it->summary);
	free(it->content);
	for (size_t i = 0; i < it->ncategories; i++)
		free(it->categories[i]);
	free(it->categories);
	for (size_t i = 0; i < it->nenclosures; i++) {
		free(it->enclosures[i].url);
		free(it->enclosures[i].type);
	}
	free(it->enclosures);
	free(it->uid);
	free(it->source);
	free(it->source_title);
	free(it->source_link);
	free(it->source_url);
	memset(it, 0, sizeof *it);
}

void feed_free(struct feed *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nitems; i++)
		item_release(&f->items[i]);
	free(f->items);
	free(f->format);
	free(f->title);
	free(f->link);
	free(f->description);
	free(f->language);
	free(f);
}

struct item *feed_add_item(struct feed *f)
{
	if (f->nitems == f->capacity) {
		f->capacity = f->capacity ? f->capacity * 2 : 16;
		f->items = xrealloc(f->items, f->capacity * sizeof *f->items);
	}
	struct item *it = &f->items[f->nitems++];
	memset(it, 0, sizeof *it);
	it->published = it->updated = DATE_NONE;
	it->first_seen = 0;
	return it;
}

void item_add_category(struct item *it, const char *term)
{
	for (size_t i = 0; i < it->ncategories; i++)
		if (!strcmp(it->categories[i], term))
			return;
	it->categories = xrealloc(it->categories, (it->ncategories + 1) * sizeof *it->categories);
	it->categories[it->ncategories++] = xstrdup(term);
}

struct enclosure *item_add_enclosure(struct item *it, const char *url)
{
	for (size_t i = 0; i < it->nenclosures; i++)
		if (!strcmp(it->enclosures[i].url, url))
			return &it->enclosures[i];
	it->enclosures = xrealloc(it->enclosures, (it->nenclosures + 1) * sizeof *it->enclosures);
	struct enclosure *e = &it->enclosures[it->nenclosures++];
	e->url = xstrdup(url);
	e->type = NULL;
	e->length = -1;
	return e;
}

long text_utf8_slow(const unsigned char *p, size_t n, int32_t *cp)
{
	utf8proc_int32_t c = -1;
	utf8proc_ssize_t k = utf8proc_iterate(p, (utf8proc_ssize_t)(n < 4 ? n : 4), &c);
	*cp = c;
	return (long)k;
}

/* Whether text_clean would give s back unchanged: valid UTF-8 of characters XML allows, none
 * of which NFC could change. */
static int text_is_clean(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t left = (utf8proc_ssize_t)strlen(s);
	while (left > 0) {
		size_t run = util_ascii_run((const char *)p, (size_t)left, 0, 0, 0);
		p += run;
		left -= (utf8proc_ssize_t)run;
		if (!left)
			break;
		int32_t c;
		long n = text_utf8_next(p, (size_t)left, &c);
		if (n < 0 || !text_char_kept(c))
			return 0;
		p += n;
		left -= n;
	}
	return 1;
}

char *text_clean(const char *s)
{
	if (!s)
		return NULL;
	size_t len = strlen(s);
	char *out = xmalloc(len * 3 + 1); /* each bad byte may become U+FFFD (3 bytes) */
	char *o = out;
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t left = (utf8proc_ssize_t)len;
	int stable = 1;
	while (left > 0) {
		if (*p >= 0x20 && *p < 0x80) { /* the common case: a run of printable ASCII */
			size_t run = util_ascii_run((const char *)p, (size_t)left, 0, 0, 0);
			memcpy(o, p, run);
			o += run;
			p += run;
			left -= (utf8proc_ssize_t)run;
			continue;
		}
		int32_t c;
		utf8proc_ssize_t n = text_utf8_next(p, (size_t)left, &c);
		if (n < 0) {
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
			n = 1;
		} else if (text_xml_char(c)) {
			memcpy(o, p, (size_t)n);
			o += n;
			if (stable && !text_nfc_stable(c))
				stable = 0;
		}
		p += n;
		left -= n;
	}
	*o = '\0';
	if (stable)
		return xrealloc(out, (size_t)(o - out) + 1); /* no slack kept */
	utf8proc_uint8_t *nfc = utf8proc_NFC((const utf8proc_uint8_t *)out);
	if (!nfc)
		return out;
	free(out);
	return (char *)nfc;
}

char *xml_prop(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = v ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return s;
}

/* Squashes s into out (which may be s: squashing never lengthens). */
static void squash_into(char *out, const char *s)
{
	char *o = out;
	int space = 0;
	for (const char *c = s; *c; c++) {
		if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r' || *c == '\f' || *c == '\v') {
			space = 1;
			continue;
		}
		if (space && o > out)
			*o++ = ' ';
		space = 0;
		*o++ = *c;
	}
	*o = '\0';
}

char *text_squash(const char *s)
{
	if (!s)
		return NULL;
	char *out = xmalloc(strlen(s) + 1);
	squash_into(out, s);
	return out;
}

static void clean_field(char **field)
{
	if (!*field || text_is_clean(*field))
		return;
	char *c = text_clean(*field);
	free(*field);
	*field = c;
}

static void clean_line(char **field)
{
	clean_field(field);
	if (!*field)
		return;
	squash_into(*field, *field); /* in place: a feed's items have thousands of lines */
	if (!**field) {
		free(*field);
		*field = NULL;
	}
}

struct id_pos {
	const char *id;
	size_t pos;
};

static int cmp_id_pos(const void *a, const void *b)
{
	return strcmp(((const struct id_pos *)a)->id, ((const struct id_pos *)b)->id);
}

/* An HTML field that is empty (or white space only), as written or once sanitised, is absent. */
static void clean_html_field(char **field, int known_clean)
{
	if (!known_clean)
		clean_field(field);
	if (!*field)
		return;
	for (const char *c = *field; *c; c++)
		if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r')
			return;
	free(*field);
	*field = NULL;
}

void feed_finish(struct feed *f)
{
	clean_line(&f->title);
	clean_line(&f->link);
	clean_field(&f->description);
	clean_line(&f->language);
	for (size_t i = 0; i < f->nitems; i++) {
		struct item *it = &f->items[i];
		clean_line(&it->id);
		clean_line(&it->title);
		clean_line(&it->link);
		clean_line(&it->author);
		clean_html_field(&it->summary, it->clean & ITEM_CLEAN_SUMMARY);
		clean_html_field(&it->content, it->clean & ITEM_CLEAN_CONTENT);
		for (size_t j = 0; j < it->ncategories; j++)
			clean_line(&it->categories[j]);
		size_t keep = 0;
		for (size_t j = 0; j < it->ncategories; j++)
			if (it->categories[j])
				it->categories[keep++] = it->categories[j];
		it->ncategories = keep;
		if (!it->id && it->link)
			it->id = xstrdup(it->link);
		if (!it->id) {
			struct buf b;
			buf_init(&b, 0);
			buf_printf(&b, "%s\n%lld\n%lld\n%s\n%s", it->title ? it->title : "",
				   (long long)it->published, (long long)it->updated,
				   it->summary ? it->summary : "", it->content ? it->content : "");
			char hex[65];
			util_sha256_hex(b.data, b.len, hex);
			buf_release(&b);
			it->id = xasprintf("urn:tidings:%.32s", hex);
		}
	}
	/* Some CMSs give every item the same guid; then the link tells them apart, or failing that
	 * the position. */
	if (f->nitems > 1) {
		int all_same = 1;
		for (size_t i = 1; i < f->nitems && all_same; i++)
			all_same = !strcmp(f->items[i].id, f->items[0].id);
		if (all_same) {
			for (size_t i = 0; i < f->nitems; i++) {
				struct item *it = &f->items[i];
				if (it->link && strcmp(it->link, it->id)) {
					free(it->id);
					it->id = xstrdup(it->link);
				}
			}
			/* Every item whose id is still shared is numbered, the last one too: the
			 * duplicates are found before any is renamed. */
			unsigned char *dup = xcalloc(f->nitems, 1);
			struct id_pos *ids = xmalloc(f->nitems * sizeof *ids);
			for (size_t i = 0; i < f->nitems; i++)
				ids[i] = (struct id_pos){f->items[i].id, i};
			qsort(ids, f->nitems, sizeof *ids, cmp_id_pos);
			for (size_t i = 1; i < f->nitems; i++)
				if (!strcmp(ids[i].id, ids[i - 1].id))
					dup[ids[i].pos] = dup[ids[i - 1].pos] = 1;
			free(ids);
			for (size_t i = 0; i < f->nitems; i++) {
				struct item *it = &f->items[i];
				if (dup[i]) {
					char *id = xasprintf("%s#%zu", it->id, i + 1);
					free(it->id);
					it->id = id;
				}
			}
			free(dup);
		}
	}
}

/* Elements whose boundaries separate words. */
static int block_element(const char *name)
{
	static const char *const blocks[] = {"address", "article", "aside", "blockquote", "br", "dd",
					     "div", "dl", "dt", "figcaption", "figure", "footer",
					     "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
					     "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"};
	for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
		if (!strcmp(name, blocks[i]))
			return 1;
	return 0;
}

static void gather_text(struct buf *b, const xmlNode *n)
{
	for (; n; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content)
				buf_adds(b, (const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE) {
			int block = block_element((const char *)n->name);
			if (block)
				buf_addc(b, ' ');
			if (strcmp((const char *)n->name, "script") && strcmp((const char *)n->name, "style"))
				gather_text(b, n->children);
			if (block)
				buf_addc(b, ' ');
		}
	}
}

char *text_from_html(const char *html)
{
	if (!html)
		return NULL;
	if (!strchr(html, '<') && !strchr(html, '&'))
		return text_squash(html);
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "<html><body>");
	buf_adds(&b, html);
	htmlDocPtr doc = htmlReadMemory(b.data, (int)b.len, NULL, "UTF-8",
					HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
						HTML_PARSE_NONET);
	buf_release(&b);
	if (!doc)
		return text_squash(html);
	struct buf t;
	buf_init(&t, 0);
	gather_text(&t, doc->children);
	xmlFreeDoc(doc);
	char *s = text_squash(buf_str(&t));
	buf_release(&t);
	return s;
}

/* The elements feedparser accepts in HTML content; a tag outside them means the text is not HTML. */
static int html_element(const char *name, size_t n)
{
	static const char *const known =
		" a abbr acronym address area article aside audio b bdi bdo big blockquote br button"
		" canvas caption center cite code col colgroup command datagrid datalist dd del details"
		" dfn dialog dir div dl dt em event-source fieldset figcaption figure font footer form"
		" h1 h2 h3 h4 h5 h6 header hr i img input ins kbd keygen label legend li m main map"
		" mark menu meter multicol nav nextid noscript ol optgroup option output p pre progress"
		" q rp rt ruby s samp section select small sound source spacer span strike strong sub"
		" summary sup table tbody td textarea tfoot th thead time tr tt u ul var video wbr ";
	char name_lc[24];
	if (n == 0 || n + 2 >= sizeof name_lc)
		return 0;
	name_lc[0] = ' ';
	for (size_t i = 0; i < n; i++)
		name_lc[i + 1] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	name_lc[n + 1] = ' ';
	name_lc[n + 2] = '\0';
	return strstr(known, name_lc) != NULL;
}

static int word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       (unsigned char)c >= 0x80;
}

int text_looks_like_html(const char *s)
{
	if (!s)
		return 0;
	int evidence = 0; /* a close tag */
	for (const char *p = s; *p; p++) {
		if (*p == '<') {
			const char *q = p + 1 + (p[1] == '/');
			const char *name = q;
			while (word_char(*q))
				q++;
			if (q == name)
				continue; /* "a < b": not a tag */
			if (!html_element(name, (size_t)(q - name)))
				return 0;
			if (p[1] == '/' && *q == '>')
				evidence = 1;
		} else if (*p == '&') {
			const char *q = p + 1 + (p[1] == '#');
			const char *name = q;
			while (word_char(*q))
				q++;
			if (q == name || *q != ';')
				continue; /* "AT&T": a bare ampersand */
			if (p[1] != '#') {
				char ent[33];
				size_t n = (size_t)(q - name);
				if (n >= sizeof ent)
					return 0;
				memcpy(ent, name, n);
				ent[n] = '\0';
				if (!htmlEntityLookup((const xmlChar *)ent))
					return 0;
			}
		}
	}
	return evidence;
}

char *text_plain(char *s)
{
	if (!s || !text_looks_like_html(s))
		return s;
	char *t = text_from_html(s);
	free(s);
	return t;
}

char *link_canonical(const char *link)
{
	if (!link)
		return NULL;
	const char *sep = strstr(link, "://");
	if (!sep)
		return xstrdup(link);
	struct buf b;
	buf_init(&b, 0);
	for (const char *c = link; c < sep; c++)
		buf_addc(&b, (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c));
	buf_adds(&b, "://");
	const char *host = sep + 3, *end = host + strcspn(host, "/?#");
	const char *at = memchr(host, '@', (size_t)(end - host));
	if (at) {
		buf_add(&b, host, (size_t)(at + 1 - host));
		host = at + 1;
	}
	/* The port's colon: the last one, and after the ']' of an IPv6 literal. */
	const char *colon = NULL, *bracket = host[0] == '[' ? memchr(host, ']', (size_t)(end - host)) : NULL;
	for (const char *c = bracket ? bracket : host; c < end; c++)
		if (*c == ':')
			colon = c;
	const char *host_end = colon ? colon : end;
	for (const char *c = host; c < host_end; c++)
		buf_addc(&b, (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c));
	if (colon) {
		size_t plen = (size_t)(end - colon - 1);
		int dflt = (plen == 2 && !strncmp(colon + 1, "80", 2) && !strncmp(b.data, "http:", 5)) ||
			   (plen == 3 && !strncmp(colon + 1, "443", 3) && !strncmp(b.data, "https:", 6)) ||
			   plen == 0;
		if (!dflt)
			buf_add(&b, colon, (size_t)(end - colon));
	}
	size_t rest = strcspn(end, "#");
	if (*end != '/')
		buf_addc(&b, '/');
	buf_add(&b, end, rest);
	return buf_take(&b, NULL);
}

static void hash_field(struct buf *b, const char *v)
{
	buf_adds(b, v ? v : "\x01");
	buf_addc(b, '\0');
}

void feed_hash_items(struct feed *f)
{
	for (size_t i = 0; i < f->nitems; i++)
		item_hash(&f->items[i], f->items[i].hash);
}

void item_hash(const struct item *it, char out[65])
{
	struct buf b;
	buf_init(&b, 0);
	hash_field(&b, it->title);
	hash_field(&b, it->link);
	hash_field(&b, it->author);
	hash_field(&b, it->summary);
	hash_field(&b, it->content);
	buf_printf(&b, "%lld %lld", (long long)it->published, (long long)it->updated);
	buf_addc(&b, '\0');
	for (size_t i = 0; i < it->ncategories; i++)
		hash_field(&b, it->categories[i]);
	buf_addc(&b, '\0');
	for (size_t i = 0; i < it->nenclosures; i++) {
		hash_field(&b, it->enclosures[i].url);
		hash_field(&b, it->enclosures[i].type);
		buf_printf(&b, "%lld", (long long)it->enclosures[i].length);
	}
	util_sha256_hex(b.data, b.len, out);
	buf_release(&b);
}


void text_html_escape_n(struct buf *b, const char *s, size_t n, int quotes)
{
	const char *run = s, *end = s + n;
	for (; s < end; s++) {
		const char *esc = NULL;
		switch (*s) {
		case '&': esc = "&amp;"; break;
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '"': esc = quotes ? "&quot;" : NULL; break;
		case '\'': esc = quotes ? "&#39;" : NULL; break;
		}
		if (esc) {
			buf_add(b, run, (size_t)(s - run));
			buf_adds(b, esc);
			run = s + 1;
		}
	}
	buf_add(b, run, (size_t)(end - run));
}

void text_html_escape(struct buf *b, const char *s, int quotes)
{
	if (s)
		text_html_escape_n(b, s, strlen(s), quotes);
}

void text_xml_escape(struct buf *b, const char *s, size_t n)
{
	const char *run = s, *end = s + n;
	while (s < end) {
		s += util_word_run(s, (size_t)(end - s), "<>&\"", 4);
		/* the word that ended the run (or the last bytes), one byte at a time */
		const char *stop = end - s > 8 ? s + 8 : end;
		for (; s < stop; s++) {
			const char *esc = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;"
					  : *s == '"' ? "&quot;" : *s == '\r' ? "&#13;" : NULL;
			if (esc) {
				buf_add(b, run, (size_t)(s - run));
				buf_adds(b, esc);
				run = s + 1;
			}
		}
	}
	buf_add(b, run, (size_t)(end - run));
}

char *text_to_html(const char *text)
{
	struct buf b;
	buf_init(&b, 0);
	text_html_escape(&b, text, 0);
	return buf_take(&b, NULL);
}
