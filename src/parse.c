#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/uri.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlsave.h>

#include "buf.h"
#include "date.h"
#include "jsonfeed.h"
#include "sanitize.h"

/* Namespaces are matched by URI; undeclared well-known prefixes are mapped the same way. */
enum ns { NS_NONE, NS_RSS090, NS_RSS10, NS_ATOM, NS_ATOM03, NS_DC, NS_DCTERMS, NS_CONTENT,
	  NS_MEDIA, NS_ITUNES, NS_RDF, NS_XHTML, NS_SY, NS_OTHER };

static const struct {
	const char *uri;
	const char *prefix;
	enum ns ns;
} namespaces[] = {
	{"http://my.netscape.com/rdf/simple/0.9/", NULL, NS_RSS090},
	{"http://purl.org/rss/1.0/", NULL, NS_RSS10},
	{"http://www.w3.org/2005/Atom", "atom", NS_ATOM},
	{"http://purl.org/atom/ns#", NULL, NS_ATOM03},
	{"http://purl.org/dc/elements/1.1/", "dc", NS_DC},
	{"http://purl.org/dc/terms/", "dcterms", NS_DCTERMS},
	{"http://purl.org/rss/1.0/modules/content/", "content", NS_CONTENT},
	{"http://search.yahoo.com/mrss/", "media", NS_MEDIA},
	{"http://search.yahoo.com/mrss", NULL, NS_MEDIA},
	{"http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes", NS_ITUNES},
	{"http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf", NS_RDF},
	{"http://www.w3.org/1999/xhtml", "xhtml", NS_XHTML},
	{"http://purl.org/rss/1.0/modules/syndication/", "sy", NS_SY},
};

enum format { FMT_UNKNOWN, FMT_RSS2, FMT_RSS09X, FMT_RSS1, FMT_ATOM1, FMT_ATOM03 };

static const char *format_name(enum format f)
{
	switch (f) {
	case FMT_RSS2:
		return "rss2.0";
	case FMT_RSS09X:
		return "rss0.9x";
	case FMT_RSS1:
		return "rss1.0";
	case FMT_ATOM1:
		return "atom1.0";
	case FMT_ATOM03:
		return "atom0.3";
	default:
		return "unknown";
	}
}

struct helpers;

struct ctx {
	struct helpers *helpers; /* threads sanitising HTML beside the reader, or NULL */
	const struct parse_options *opt;
	enum format format;
	struct feed *feed;
	int64_t sy_period;
	int sy_frequency;
	char *feed_author; /* Atom: the feed's authors, which are its entries' when they name none */
	int last_build;    /* the feed's updated came from <lastBuildDate> */
};

/* CDATA sections passed around libxml2: its push parser, which the reader runs on, reads a
 * CDATA section's content several times over (looking for its end, checking its characters,
 * growing the node a block at a time), and content:encoded is most of a typical feed.  The
 * entity pass replaces the content of each clean section (valid UTF-8, no control character
 * but tab and line feed, so exactly what libxml2 would hand over) with a token, U+E000, the
 * section's number, U+E001.  Text is given the content back where it is read (node_text,
 * markup_of), and a summary's or content's HTML by the helper thread that sanitises it, so
 * that the reader's thread never copies the bulk of the feed.  Once the encoding decision is
 * settled, the entity pass lifts sections out without checking them: they are checked where
 * given back (mostly by the sanitiser's own scan), and one that is not clean has the document
 * read again with its sections in place.  A document that holds U+E000 itself, or an internal
 * DTD, has its sections left alone. */
struct cdata {
	struct cdata_span {
		const char *p;
		size_t len;
		int checked; /* found clean by the entity pass (else checked where given back) */
	} *v;
	size_t n, cap;
	int off;          /* sections are left in the document */
	int unclean;      /* a section given back was not clean: the document is read again with
			   * its sections in place (main thread; helpers report theirs at the end) */
	const char *base; /* the document the sections are in */
	int release;      /* base is a file mapping whose pages are given back once read */
	size_t filled;    /* sections given back so far (they are in document order) */
};

#define CDATA_OPEN "\xEE\x80\x80"
#define CDATA_CLOSE "\xEE\x80\x81"

/* The CDATA sections whose tokens the text of n's document holds, or NULL: the readers hang
 * them on the document (doc->_private). */
static struct cdata *doc_cdata(const xmlNode *n)
{
	struct cdata *cd = n->doc ? n->doc->_private : NULL;
	return cd && cd->n ? cd : NULL;
}

static enum ns ns_of(const xmlNode *n, const char **local)
{
	const char *name = (const char *)n->name;
	*local = name;
	if (n->ns && n->ns->href) {
		for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++)
			if (!strcmp((const char *)n->ns->href, namespaces[i].uri))
				return namespaces[i].ns;
		return NS_OTHER;
	}
	const char *colon = strchr(name, ':');
	if (colon) { /* an undeclared prefix kept in the name by recover mode */
		size_t plen = (size_t)(colon - name);
		*local = colon + 1;
		for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++)
			if (namespaces[i].prefix && strlen(namespaces[i].prefix) == plen &&
			    !strncmp(name, namespaces[i].prefix, plen))
				return namespaces[i].ns;
		return NS_OTHER;
	}
	return NS_NONE;
}

/* The element's own vocabulary: RSS elements have no namespace (or RSS 0.90/1.0's). */
static int is_rss(enum ns ns)
{
	return ns == NS_NONE || ns == NS_RSS090 || ns == NS_RSS10;
}

static int is_atom(enum ns ns)
{
	return ns == NS_ATOM || ns == NS_ATOM03;
}

static void text_expand(struct buf *b, const char *s, const xmlNode *n);

/* The text of n when it is one text node (the usual case), else NULL. */
static const char *sole_text(const xmlNode *n)
{
	const xmlNode *only = n->children;
	if (!only || only->next || (only->type != XML_TEXT_NODE && only->type != XML_CDATA_SECTION_NODE))
		return NULL;
	return only->content ? (const char *)only->content : "";
}

/* The text of n, CDATA sections given back. */
static char *node_text(const xmlNode *n)
{
	xmlChar *c = NULL;
	const char *s = sole_text(n);
	if (!s)
		s = (const char *)(c = xmlNodeGetContent(n));
	if (!s || !doc_cdata(n) || !strstr(s, CDATA_OPEN)) { /* the usual case: one copy, of its size */
		char *t = xstrdup(s ? s : "");
		xmlFree(c);
		return t;
	}
	struct buf b;
	buf_init(&b, 0);
	text_expand(&b, s, n);
	xmlFree(c);
	return buf_take(&b, NULL);
}

/* Resolves a reference against the element's xml:base chain and the document's URL. */
static char *resolve(const xmlNode *n, const char *ref, const struct parse_options *opt)
{
	if (!ref)
		return NULL;
	char *trimmed = text_squash(ref);
	if (!*trimmed)
		return trimmed;
	xmlChar *base = xmlNodeGetBase(n->doc, n);
	xmlChar *abs = NULL;
	if (base) {
		abs = xmlBuildURI((const xmlChar *)trimmed, base);
		if (abs && opt->base_url && !strstr((const char *)abs, "://")) {
			xmlChar *again = xmlBuildURI(abs, (const xmlChar *)opt->base_url);
			xmlFree(abs);
			abs = again;
		}
	} else if (opt->base_url) {
		abs = xmlBuildURI((const xmlChar *)trimmed, (const xmlChar *)opt->base_url);
	}
	xmlFree(base);
	if (abs) {
		free(trimmed);
		trimmed = xstrdup((const char *)abs);
		xmlFree(abs);
	}
	return trimmed;
}

/* The effective base URL of an element: xml:base chain, then the document's URL. */
static char *base_of(const xmlNode *n, const struct parse_options *opt)
{
	xmlChar *base = xmlNodeGetBase(n->doc, n);
	char *out = NULL;
	if (base && opt->base_url) {
		xmlChar *abs = xmlBuildURI(base, (const xmlChar *)opt->base_url);
		out = xstrdup(abs ? (const char *)abs : (const char *)base);
		xmlFree(abs);
	} else if (base) {
		out = xstrdup((const char *)base);
	} else {
		out = xstrdup(opt->base_url);
	}
	xmlFree(base);
	return out;
}


static char *sanitize_tokens(const char *html, struct cdata *cd, const char *base, int *clean, size_t *upto,
			     int *unclean);
static void release_parsed(const char *data, long consumed, size_t *released);

/* A big document's summaries and content are sanitised by helper threads while the reader goes
 * on: each job is one field of one item, its result put in place once the reader is done (the
 * item array moves as it grows, so the helpers never touch it). */
struct job {
	struct feed *feed; /* the reading it belongs to (a fallback reading makes a new feed) */
	size_t item;
	unsigned which;    /* ITEM_CLEAN_SUMMARY or ITEM_CLEAN_CONTENT */
	char *html, *base; /* in */
	struct cdata *cd;  /* html holds tokens for these CDATA sections */
	char *out;         /* out */
	int clean;
	int done;          /* out is set: html and base can go (the reader's thread frees them, as
			    * it allocated them: a free here would contend for its malloc arena) */
};

#define MAX_HELPERS 8
#define HELPERS_FROM ((size_t)1 << 20) /* documents smaller than this are read on one thread */

struct helpers {
	pthread_t threads[MAX_HELPERS];
	int n;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct job **jobs;
	size_t njobs, cap, next;
	size_t collected; /* jobs before this one are done and have had their inputs freed */
	struct job *pending[16]; /* the reader's jobs not yet handed over (without the lock) */
	size_t npending;
	int handed;      /* jobs give CDATA sections back (the helpers then release the mapping) */
	size_t sections; /* of those, given back so far */
	size_t released; /* of the document's mapping, given back by the helpers (release_parsed) */
	int unclean;     /* a section a job gave back was not clean (cdata.unclean) */
	int closing, waiting; /* waiting: helpers asleep for want of jobs */
};

/* Jobs queued before a sleeping helper is woken: one wake-up per job (a system call each, and a
 * switch on the helper's core) cost more than the helper's lag.  The lock is taken once for
 * the reader's pending jobs (sizeof pending), and once for up to HELPERS_TAKE a helper takes. */
#define HELPERS_BATCH 32
#define HELPERS_TAKE 8

/* Takes up to HELPERS_TAKE jobs and does them (the lock held on entry and on return, dropped
 * meanwhile); 0 when there was none. */
static int helpers_work(struct helpers *h)
{
	if (h->next == h->njobs)
		return 0;
	struct job *take[HELPERS_TAKE];
	size_t n = 0;
	while (n < HELPERS_TAKE && h->next < h->njobs)
		take[n++] = h->jobs[h->next++];
	pthread_mutex_unlock(&h->lock);
	size_t upto = 0;
	int unclean = 0;
	struct cdata *cd = NULL;
	for (size_t i = 0; i < n; i++) {
		struct job *j = take[i];
		j->out = sanitize_tokens(j->html, j->cd, j->base, &j->clean, &upto, &unclean);
		cd = j->cd ? j->cd : cd;
	}
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < n; i++)
		take[i]->done = 1;
	h->unclean |= unclean;
	/* The reader is past every section before these jobs': their pages of the mapping can go. */
	if (upto > h->sections) {
		h->sections = upto;
		if (cd->release)
			release_parsed(cd->base, cd->v[upto - 1].p - cd->base, &h->released);
	}
	return 1;
}

static void *helper_thread(void *arg)
{
	struct helpers *h = arg;
	pthread_mutex_lock(&h->lock);
	while (!h->closing || h->next < h->njobs) {
		if (!helpers_work(h)) {
			h->waiting++;
			pthread_cond_wait(&h->more, &h->lock);
			h->waiting--;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* Hands the reader's pending jobs to the helpers, and frees the inputs of those done. */
static void helpers_hand(struct helpers *h)
{
	if (!h->npending)
		return;
	pthread_mutex_lock(&h->lock);
	size_t from = h->collected;
	while (h->collected < h->next && h->jobs[h->collected]->done)
		h->collected++;
	size_t to = h->collected;
	if (h->njobs + h->npending > h->cap) {
		h->cap = h->cap ? 2 * h->cap : 256;
		h->jobs = xrealloc(h->jobs, h->cap * sizeof *h->jobs);
	}
	memcpy(h->jobs + h->njobs, h->pending, h->npending * sizeof *h->pending);
	h->njobs += h->npending;
	h->npending = 0;
	if (h->waiting && (h->njobs - h->next >= HELPERS_BATCH || h->closing))
		pthread_cond_signal(&h->more);
	struct job **jobs = h->jobs; /* moves only here, on this thread */
	pthread_mutex_unlock(&h->lock);
	for (size_t i = from; i < to; i++) {
		free(jobs[i]->html);
		free(jobs[i]->base);
		jobs[i]->html = jobs[i]->base = NULL;
	}
}

/* Helpers for a document of len bytes when the options ask for threads and it is big enough. */
static struct helpers *helpers_start(const struct parse_options *opt, size_t len)
{
	if (opt->threads < 2 || len < HELPERS_FROM)
		return NULL;
	struct helpers *h = xcalloc(1, sizeof *h);
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->more, NULL);
	int want = opt->threads - 1 < MAX_HELPERS ? opt->threads - 1 : MAX_HELPERS;
	for (int i = 0; i < want; i++)
		if (pthread_create(&h->threads[h->n], NULL, helper_thread, h) == 0)
			h->n++;
	if (!h->n) {
		pthread_mutex_destroy(&h->lock);
		pthread_cond_destroy(&h->more);
		free(h);
		return NULL;
	}
	return h;
}

/* The reading the jobs so far belong to is dropped: their results will be too. */
static void helpers_drop(struct helpers *h)
{
	if (!h)
		return;
	helpers_hand(h);
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < h->njobs; i++)
		h->jobs[i]->feed = NULL;
	pthread_mutex_unlock(&h->lock);
}

/* Waits for every job, then puts the results of feed f's in place (jobs of an abandoned reading
 * are dropped); returns whether a job found a section not clean. */
static int helpers_finish(struct helpers *h, struct feed *f)
{
	if (!h)
		return 0;
	helpers_hand(h);
	pthread_mutex_lock(&h->lock);
	h->closing = 1;
	pthread_cond_broadcast(&h->more);
	while (helpers_work(h)) /* the reader is done: it does jobs too */
		;
	pthread_mutex_unlock(&h->lock);
	for (int i = 0; i < h->n; i++)
		pthread_join(h->threads[i], NULL);
	for (size_t i = 0; i < h->njobs; i++) {
		struct job *j = h->jobs[i];
		if (f && j->feed == f && j->item < f->nitems) {
			struct item *it = &f->items[j->item];
			char **field = j->which == ITEM_CLEAN_SUMMARY ? &it->summary : &it->content;
			free(*field);
			*field = j->out;
			if (j->clean)
				it->clean |= j->which;
		} else {
			free(j->out);
		}
		free(j->html);
		free(j->base);
		free(j);
	}
	free(h->jobs);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->more);
	int unclean = h->unclean;
	free(h);
	return unclean;
}

static char *rss_html(xmlNode *n, int *tokens);
static char *atom_html(xmlNode *n, int *tokens);

/* Summary or content (which = ITEM_CLEAN_SUMMARY or ITEM_CLEAN_CONTENT) from the RSS or Atom
 * (atom) element n, unless the item has one: its HTML after the sanitiser, with relative URLs
 * resolved at the element.  With helpers, the sanitiser's thread also gives the HTML its CDATA
 * sections back, so that the reader's thread never copies them. */
static void set_html(struct ctx *c, struct item *it, unsigned which, xmlNode *n, int atom)
{
	char **field = which == ITEM_CLEAN_SUMMARY ? &it->summary : &it->content;
	if (*field)
		return;
	int tokens;
	char *html = atom ? atom_html(n, &tokens) : rss_html(n, &tokens);
	if (!html)
		return;
	struct cdata *cd = tokens ? doc_cdata(n) : NULL;
	char *base = base_of(n, c->opt);
	struct helpers *h = c->helpers;
	if (h) { /* a placeholder now (the field is taken), the sanitised text at the end */
		h->handed |= cd != NULL;
		struct job *j = xcalloc(1, sizeof *j);
		*j = (struct job){.feed = c->feed, .item = (size_t)(it - c->feed->items), .which = which,
				  .html = html, .base = base, .cd = cd};
		*field = xstrdup("");
		h->pending[h->npending++] = j;
		if (h->npending == sizeof h->pending / sizeof *h->pending)
			helpers_hand(h);
		return;
	}
	int clean, unclean = 0;
	size_t upto = 0;
	*field = sanitize_tokens(html, cd, base, &clean, &upto, &unclean);
	if (cd) {
		cd->filled = upto > cd->filled ? upto : cd->filled;
		cd->unclean |= unclean;
	}
	if (clean)
		it->clean |= which;
	free(base);
	free(html);
}

static void set_once(char **field, char *value)
{
	if (!value)
		return;
	if (*field || !*value) {
		free(value);
		return;
	}
	*field = value;
}

static void set_date(int64_t *field, const xmlNode *n, const struct ctx *c)
{
	if (*field != DATE_NONE)
		return;
	char *s = node_text(n);
	*field = date_parse(s, c->opt->tz_offset);
	free(s);
}

static int void_element(const char *name)
{
	static const char *const names[] = {"area", "base", "br", "col", "embed", "hr", "img", "input",
					    "link", "meta", "param", "source", "track", "wbr"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (util_strcaseeq(name, names[i]))
			return 1;
	return 0;
}

static enum ns ns_of(const xmlNode *n, const char **local);

/* How markup_of writes text nodes: escaped (XHTML content), or as the HTML source they are (an
 * RSS description mixing escaped HTML with unescaped elements), with CDATA sections given back
 * or (TEXT_TOKENS) left as tokens for the sanitiser's thread to give back. */
enum text_mode { TEXT_ESCAPED, TEXT_SOURCE, TEXT_TOKENS };

/* Appends the children of n as HTML.  Elements of the XHTML namespace are written by their local
 * name whatever their prefix (h:p is <p>); others keep their qualified name. */
static void markup_of(struct buf *b, const xmlNode *n, enum text_mode mode)
{
	for (const xmlNode *ch = n->children; ch; ch = ch->next) {
		if (ch->type == XML_TEXT_NODE || ch->type == XML_CDATA_SECTION_NODE) {
			if (!ch->content)
				continue;
			if (mode == TEXT_TOKENS) {
				buf_adds(b, (const char *)ch->content);
			} else if (mode == TEXT_SOURCE) {
				text_expand(b, (const char *)ch->content, ch);
			} else {
				struct buf t;
				buf_init(&t, 0);
				text_expand(&t, (const char *)ch->content, ch);
				text_html_escape(b, buf_str(&t), 0);
				buf_release(&t);
			}
			continue;
		}
		if (ch->type != XML_ELEMENT_NODE)
			continue;
		const char *local;
		enum ns ns = ns_of(ch, &local);
		struct buf name;
		buf_init(&name, 0);
		if (ns == NS_XHTML)
			buf_adds(&name, local);
		else if (ch->ns && ch->ns->prefix)
			buf_printf(&name, "%s:%s", (const char *)ch->ns->prefix, (const char *)ch->name);
		else
			buf_adds(&name, (const char *)ch->name);
		buf_addc(b, '<');
		buf_adds(b, buf_str(&name));
		for (const xmlAttr *a = ch->properties; a; a = a->next) {
			xmlChar *v = xmlNodeGetContent((const xmlNode *)a);
			buf_addc(b, ' ');
			if (a->ns && a->ns->prefix)
				buf_printf(b, "%s:", (const char *)a->ns->prefix);
			buf_adds(b, (const char *)a->name);
			buf_adds(b, "=\"");
			text_html_escape(b, v ? (const char *)v : "", 1);
			buf_addc(b, '"');
			xmlFree(v);
		}
		buf_addc(b, '>');
		if (ch->children || !void_element(buf_str(&name))) {
			markup_of(b, ch, mode);
			buf_adds(b, "</");
			buf_adds(b, buf_str(&name));
			buf_addc(b, '>');
		}
		buf_release(&name);
	}
}

static char *inner_markup(xmlNode *n, enum text_mode mode)
{
	struct buf b;
	buf_init(&b, 0);
	markup_of(&b, n, mode);
	return buf_take(&b, NULL);
}

/* An RSS description or content:encoded: HTML, escaped or in CDATA, and sometimes written as
 * unescaped elements, whose markup is kept too.  *tokens: CDATA sections are left as tokens
 * (when the document has any). */
static char *rss_html(xmlNode *n, int *tokens)
{
	*tokens = doc_cdata(n) != NULL;
	for (xmlNode *ch = n->children; ch; ch = ch->next)
		if (ch->type == XML_ELEMENT_NODE)
			return inner_markup(n, *tokens ? TEXT_TOKENS : TEXT_SOURCE);
	if (!*tokens)
		return node_text(n);
	const char *s = sole_text(n); /* the usual case */
	return s ? xstrdup(s) : inner_markup(n, TEXT_TOKENS);
}

enum text_kind { TEXT_PLAIN, TEXT_HTML, TEXT_XHTML };

static enum text_kind atom_text_kind(const xmlNode *n)
{
	char *type = xml_prop(n, "type");
	char *mode = xml_prop(n, "mode");
	enum text_kind k = TEXT_PLAIN;
	if (type) {
		if (!strcmp(type, "html") || !strcmp(type, "text/html"))
			k = TEXT_HTML;
		else if (!strcmp(type, "xhtml") || !strcmp(type, "application/xhtml+xml"))
			k = TEXT_XHTML;
	}
	if (mode && !strcmp(mode, "escaped") && k == TEXT_PLAIN && type && strcmp(type, "text/plain"))
		k = TEXT_HTML;
	if (mode && !strcmp(mode, "xml") && k != TEXT_PLAIN)
		k = TEXT_XHTML;
	free(type);
	free(mode);
	return k;
}

static xmlNode *first_element(xmlNode *n)
{
	for (xmlNode *ch = n->children; ch; ch = ch->next)
		if (ch->type == XML_ELEMENT_NODE)
			return ch;
	return NULL;
}

/* An Atom text construct as HTML (summary, content); *tokens as for rss_html. */
static char *atom_html(xmlNode *n, int *tokens)
{
	*tokens = 0;
	switch (atom_text_kind(n)) {
	case TEXT_HTML: {
		const char *s = doc_cdata(n) ? sole_text(n) : NULL; /* the usual case */
		*tokens = s != NULL;
		return s ? xstrdup(s) : node_text(n);
	}
	case TEXT_XHTML: {
		xmlNode *div = first_element(n);
		const char *local;
		if (div && ns_of(div, &local) == NS_XHTML && !strcmp(local, "div"))
			return inner_markup(div, TEXT_ESCAPED);
		return inner_markup(n, TEXT_ESCAPED);
	}
	default: {
		char *t = node_text(n), *h = text_to_html(t);
		free(t);
		return h;
	}
	}
}

/* An Atom text construct as plain text (title). */
static char *atom_plain(xmlNode *n)
{
	char *t = node_text(n);
	if (atom_text_kind(n) == TEXT_HTML) {
		char *p = text_from_html(t);
		free(t);
		return p;
	}
	return t;
}

/* RSS author: "email (Name)" → "Name"; "Name <email>" and plain names stay readable. */
static char *rss_author(const char *s)
{
	const char *open = strchr(s, '('), *close = strrchr(s, ')');
	if (open && close && close > open + 1 && strchr(s, '@') && strchr(s, '@') < open)
		return xstrndup(open + 1, (size_t)(close - open - 1));
	return xstrdup(s);
}

static int64_t parse_length(const char *s)
{
	if (!s)
		return -1;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (end == s || v < 0)
		return -1;
	return v;
}

static void add_enclosure(struct item *it, xmlNode *n, const struct ctx *c, const char *url_attr,
			  const char *type_attr, const char *length_attr)
{
	char *raw = xml_prop(n, url_attr);
	char *url = resolve(n, raw, c->opt);
	free(raw);
	if (url && *url) {
		struct enclosure *e = item_add_enclosure(it, url);
		char *type = xml_prop(n, type_attr);
		char *len = xml_prop(n, length_attr);
		if (type && *type && !e->type)
			e->type = type;
		else
			free(type);
		if (e->length < 0)
			e->length = parse_length(len);
		free(len);
	}
	free(url);
}

/* An Atom person (author): its name, else its email, added to *out (several joined with ", "). */
static void atom_author(xmlNode *n, char **out)
{
	char *name = NULL, *email = NULL;
	for (xmlNode *ch = n->children; ch; ch = ch->next) {
		const char *local;
		if (ch->type != XML_ELEMENT_NODE || !is_atom(ns_of(ch, &local)))
			continue;
		if (!strcmp(local, "name"))
			set_once(&name, node_text(ch));
		else if (!strcmp(local, "email"))
			set_once(&email, node_text(ch));
	}
	char *sq = name ? text_squash(name) : NULL;
	const char *who = sq && *sq ? sq : email;
	if (who && *who) {
		char *joined = *out ? xasprintf("%s, %s", *out, who) : xstrdup(who);
		free(*out);
		*out = joined;
	}
	free(sq);
	free(name);
	free(email);
}

static void atom_link(xmlNode *n, const struct ctx *c, char **link, struct item *it)
{
	char *rel = xml_prop(n, "rel");
	if (!rel || !strcmp(rel, "alternate") || !strcmp(rel, "http://www.iana.org/assignments/relation/alternate")) {
		char *href = xml_prop(n, "href");
		set_once(link, resolve(n, href, c->opt));
		free(href);
	} else if (it && !strcmp(rel, "enclosure")) {
		add_enclosure(it, n, c, "href", "type", "length");
	}
	free(rel);
}

static void media_element(struct item *it, xmlNode *n, const char *local, const struct ctx *c)
{
	if (!strcmp(local, "content")) {
		add_enclosure(it, n, c, "url", "type", "fileSize");
	} else if (!strcmp(local, "group")) {
		for (xmlNode *ch = n->children; ch; ch = ch->next) {
			const char *l;
			if (ch->type == XML_ELEMENT_NODE && ns_of(ch, &l) == NS_MEDIA && !strcmp(l, "content"))
				add_enclosure(it, ch, c, "url", "type", "fileSize");
		}
	}
}

/* Dublin Core (elements and terms) in an item or entry of any dialect. */
static void dublin_core(struct item *it, xmlNode *n, enum ns ns, const char *local, struct ctx *c)
{
	if (ns == NS_DCTERMS) {
		if (!strcmp(local, "issued") || !strcmp(local, "created"))
			set_date(&it->published, n, c);
		else if (!strcmp(local, "modified"))
			set_date(&it->updated, n, c);
		return;
	}
	if (!strcmp(local, "creator")) {
		set_once(&it->author, text_plain(node_text(n)));
	} else if (!strcmp(local, "date")) {
		set_date(&it->published, n, c);
	} else if (!strcmp(local, "subject")) {
		char *t = text_plain(node_text(n)), *sq = text_squash(t);
		if (*sq)
			item_add_category(it, sq);
		free(sq);
		free(t);
	} else if (!strcmp(local, "title")) {
		set_once(&it->title, text_plain(node_text(n)));
	} else if (!strcmp(local, "identifier")) {
		set_once(&it->id, node_text(n));
	}
}

static int is_item(xmlNode *n, enum format f);

static void rss_item(xmlNode *node, struct ctx *c)
{
	struct item *it = feed_add_item(c->feed);
	char *guid_link = NULL;
	char *itunes_author = NULL;
	for (xmlNode *n = node->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		const char *local;
		enum ns ns = ns_of(n, &local);
		if (is_rss(ns)) {
			if (!strcmp(local, "title")) {
				set_once(&it->title, text_plain(node_text(n)));
			} else if (!strcmp(local, "link")) {
				char *t = node_text(n);
				set_once(&it->link, resolve(n, t, c->opt));
				free(t);
			} else if (!strcmp(local, "guid")) {
				char *t = node_text(n), *perma = xml_prop(n, "isPermaLink");
				char *sq = text_squash(t);
				if (*sq && (!perma || util_strcaseeq(perma, "true")) &&
				    (util_strncaseeq(sq, "http://", 7) || util_strncaseeq(sq, "https://", 8)))
					set_once(&guid_link, resolve(n, sq, c->opt));
				set_once(&it->id, sq);
				free(t);
				free(perma);
			} else if (!strcmp(local, "description")) {
				set_html(c, it, ITEM_CLEAN_SUMMARY, n, 0);
			} else if (!strcmp(local, "pubDate")) {
				set_date(&it->published, n, c);
			} else if (!strcmp(local, "author")) {
				char *t = text_plain(node_text(n));
				set_once(&it->author, rss_author(t));
				free(t);
			} else if (!strcmp(local, "category")) {
				char *t = text_plain(node_text(n)), *sq = text_squash(t);
				if (*sq)
					item_add_category(it, sq);
				free(sq);
				free(t);
			} else if (!strcmp(local, "enclosure")) {
				add_enclosure(it, n, c, "url", "type", "length");
			}
		} else if (ns == NS_CONTENT && !strcmp(local, "encoded")) {
			set_html(c, it, ITEM_CLEAN_CONTENT, n, 0);
		} else if (ns == NS_DC || ns == NS_DCTERMS) {
			dublin_core(it, n, ns, local, c);
		} else if (ns == NS_ATOM) {
			if (!strcmp(local, "updated"))
				set_date(&it->updated, n, c);
			else if (!strcmp(local, "published"))
				set_date(&it->published, n, c);
			else if (!strcmp(local, "link"))
				atom_link(n, c, &it->link, it);
		} else if (ns == NS_MEDIA) {
			media_element(it, n, local, c);
		} else if (ns == NS_ITUNES && !strcmp(local, "author")) {
			set_once(&itunes_author, text_plain(node_text(n)));
		}
	}
	if (!it->link && guid_link) {
		it->link = guid_link;
		guid_link = NULL;
	}
	/* RDF items name their URL in rdf:about. */
	if (!it->id || !it->link) {
		xmlChar *about = xmlGetNsProp(node, (const xmlChar *)"about",
					      (const xmlChar *)"http://www.w3.org/1999/02/22-rdf-syntax-ns#");
		if (about) {
			set_once(&it->link, resolve(node, (const char *)about, c->opt));
			set_once(&it->id, xstrdup((const char *)about));
			xmlFree(about);
		}
	}
	if (!it->author && itunes_author) {
		it->author = itunes_author;
		itunes_author = NULL;
	}
	free(itunes_author);
	free(guid_link);
	/* An <item> left unclosed: the recovering parser nests the next ones inside it, but an item
	 * start means the previous item ended. */
	for (xmlNode *n = node->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && is_item(n, c->format))
			rss_item(n, c);
}

static void atom_entry(xmlNode *node, struct ctx *c)
{
	struct item *it = feed_add_item(c->feed);
	char *source_author = NULL;
	for (xmlNode *n = node->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		const char *local;
		enum ns ns = ns_of(n, &local);
		if (is_atom(ns)) {
			if (!strcmp(local, "id")) {
				set_once(&it->id, node_text(n));
			} else if (!strcmp(local, "title")) {
				set_once(&it->title, atom_plain(n));
			} else if (!strcmp(local, "link")) {
				atom_link(n, c, &it->link, it);
			} else if (!strcmp(local, "published") || !strcmp(local, "issued") ||
				   !strcmp(local, "created")) {
				set_date(&it->published, n, c);
			} else if (!strcmp(local, "updated") || !strcmp(local, "modified")) {
				set_date(&it->updated, n, c);
			} else if (!strcmp(local, "author")) {
				atom_author(n, &it->author);
			} else if (!strcmp(local, "source")) {
				/* RFC 4287 4.2.1: the source feed's authors, when the entry names none */
				for (xmlNode *m = n->children; m; m = m->next) {
					const char *l;
					if (m->type == XML_ELEMENT_NODE && is_atom(ns_of(m, &l)) && !strcmp(l, "author"))
						atom_author(m, &source_author);
				}
			} else if (!strcmp(local, "category")) {
				char *label = xml_prop(n, "label"), *term = xml_prop(n, "term");
				char *t = label && *label ? label : term;
				if (t) {
					char *sq = text_squash(t);
					if (*sq)
						item_add_category(it, sq);
					free(sq);
				}
				free(label);
				free(term);
			} else if (!strcmp(local, "summary")) {
				set_html(c, it, ITEM_CLEAN_SUMMARY, n, 1);
			} else if (!strcmp(local, "content")) {
				char *src = xml_prop(n, "src");
				if (src)
					free(src);
				else
					set_html(c, it, ITEM_CLEAN_CONTENT, n, 1);
			}
		} else if (ns == NS_MEDIA) {
			media_element(it, n, local, c);
		} else if (ns == NS_DC || ns == NS_DCTERMS) {
			/* Atom 0.3 feeds (Blogger's) carried their labels in dc:subject. */
			dublin_core(it, n, ns, local, c);
		}
	}
	if (!it->author && source_author) {
		it->author = source_author;
		source_author = NULL;
	}
	free(source_author);
	for (xmlNode *n = node->children; n; n = n->next) /* an unclosed <entry> before these */
		if (n->type == XML_ELEMENT_NODE && is_item(n, c->format))
			atom_entry(n, c);
}

static void channel_field(xmlNode *n, struct ctx *c)
{
	const char *local;
	enum ns ns = ns_of(n, &local);
	struct feed *f = c->feed;
	if ((c->format == FMT_ATOM1 || c->format == FMT_ATOM03) ? is_atom(ns) : is_rss(ns)) {
		if (!strcmp(local, "title")) {
			set_once(&f->title, is_atom(ns) ? atom_plain(n) : text_plain(node_text(n)));
		} else if (!strcmp(local, "link")) {
			if (is_atom(ns)) {
				atom_link(n, c, &f->link, NULL);
			} else {
				char *t = node_text(n);
				set_once(&f->link, resolve(n, t, c->opt));
				free(t);
			}
		} else if (!strcmp(local, "description") || !strcmp(local, "subtitle") ||
			   !strcmp(local, "tagline")) {
			set_once(&f->description, node_text(n));
		} else if (!strcmp(local, "language")) {
			set_once(&f->language, node_text(n));
		} else if (!strcmp(local, "author") && is_atom(ns)) {
			atom_author(n, &c->feed_author);
		} else if (!strcmp(local, "lastBuildDate") && !c->last_build) {
			/* the date the channel last changed outranks its publication date */
			char *t = node_text(n);
			int64_t d = date_parse(t, c->opt->tz_offset);
			free(t);
			if (d != DATE_NONE) {
				f->updated = d;
				c->last_build = 1;
			}
		} else if (!strcmp(local, "pubDate") || !strcmp(local, "updated") || !strcmp(local, "modified")) {
			set_date(&f->updated, n, c);
		} else if (!strcmp(local, "ttl")) {
			char *t = node_text(n);
			int v = atoi(t);
			if (v > 0 && v < 100000)
				f->ttl = v;
			free(t);
		}
	} else if (ns == NS_DC) {
		if (!strcmp(local, "language"))
			set_once(&f->language, node_text(n));
		else if (!strcmp(local, "date"))
			set_date(&f->updated, n, c);
	} else if (ns == NS_ATOM && !strcmp(local, "link") && !f->link) {
		atom_link(n, c, &f->link, NULL);
	} else if (ns == NS_SY && (!strcmp(local, "updatePeriod") || !strcmp(local, "updateFrequency"))) {
		/* sy:updatePeriod (hourly…yearly) divided by sy:updateFrequency (default 1). */
		char *t = node_text(n), *v = text_squash(t);
		if (!strcmp(local, "updatePeriod")) {
			static const struct {
				const char *name;
				int64_t secs;
			} periods[] = {{"hourly", 3600},        {"daily", 86400},       {"weekly", 7 * 86400},
				       {"monthly", 30 * 86400}, {"yearly", 365 * 86400}};
			for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++)
				if (!strcmp(v, periods[i].name))
					c->sy_period = periods[i].secs;
		} else {
			int freq = atoi(v);
			if (freq > 0 && freq < 100000)
				c->sy_frequency = freq;
		}
		free(t);
		free(v);
		if (c->sy_period)
			f->update_period = c->sy_period / (c->sy_frequency ? c->sy_frequency : 1);
	}
}

static enum format detect(xmlNode *root, char *err, size_t errlen)
{
	const char *local;
	enum ns ns = ns_of(root, &local);
	if (!strcmp(local, "rss") && is_rss(ns)) {
		char *v = xml_prop(root, "version");
		enum format f = v && !strncmp(v, "0.9", 3) ? FMT_RSS09X : FMT_RSS2;
		free(v);
		return f;
	}
	if (!strcmp(local, "RDF") && (ns == NS_RDF || ns == NS_OTHER || ns == NS_NONE))
		return FMT_RSS1;
	if (!strcmp(local, "feed") && ns == NS_ATOM)
		return FMT_ATOM1;
	if (!strcmp(local, "feed") && (ns == NS_ATOM03 || ns == NS_NONE))
		return FMT_ATOM03;
	if (!strcmp(local, "channel") && is_rss(ns))
		return FMT_RSS09X;
	if (util_strcaseeq(local, "html"))
		util_errf(err, errlen, "an HTML page, not a feed (HTML pages are read by type = html sources)");
	else
		util_errf(err, errlen, "not a feed: unknown root element <%s>", local);
	return FMT_UNKNOWN;
}

/* What the entity pass saw of the bytes read as UTF-8: valid multi-byte characters, and bytes
 * that start no valid sequence.  The encoding decision asks one question of them, need: once
 * its answer can no longer change, the pass stops decoding and lets bytes >= 0x80 through. */
enum utf8_need {
	UTF8_NEED_NOTHING,
	UTF8_NEED_LATIN, /* bad bytes and no valid multi-byte character: settled by one of those */
	UTF8_NEED_UTF8,  /* valid multi-byte characters and no bad byte: settled by a bad byte */
};

struct utf8_stats {
	size_t multi, bad;
	enum utf8_need need;
};

static int utf8_settled(const struct utf8_stats *st)
{
	return st->need == UTF8_NEED_NOTHING || (st->need == UTF8_NEED_LATIN && st->multi) ||
	       (st->need == UTF8_NEED_UTF8 && st->bad);
}

/* The length of the valid UTF-8 sequence at p (a byte >= 0x80), or 0 when there is none. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	size_t k;
	if (*p >= 0xC2 && *p <= 0xDF)
		k = 1;
	else if (*p >= 0xE0 && *p <= 0xEF)
		k = 2;
	else if (*p >= 0xF0 && *p <= 0xF4)
		k = 3;
	else
		return 0;
	if ((size_t)(end - p) <= k)
		return 0;
	for (size_t i = 1; i <= k; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return k + 1;
}

/* Byte classes for the entity pass: 0 plain, 1 '&', 2 '<', 3 a C0 control XML forbids, 4 >= 0x80. */
static const unsigned char byte_class[256] = {
	3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 3, 3, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

/* Counts UTF-8 characters and drops forbidden C0 controls in [p, end) (inside CDATA or a
 * comment): appends to b from *run when something is dropped. */
static void raw_span(struct buf *b, const char **run, const char *p, const char *end, struct utf8_stats *st,
		     int *changed)
{
	while (p < end) {
		int settled = utf8_settled(st);
		p += settled ? util_text_run(p, (size_t)(end - p), 0, 0) : util_ascii_run(p, (size_t)(end - p), 0, 0, 0);
		if (p == end)
			break;
		unsigned char c = (unsigned char)*p;
		if (byte_class[c] == 3) {
			buf_add(b, *run, (size_t)(p - *run));
			*run = ++p;
			*changed = 1;
		} else if (c >= 0x80) {
			size_t k = utf8_seq((const unsigned char *)p, (const unsigned char *)end);
			if (k) {
				st->multi++;
				p += k;
			} else {
				st->bad++;
				p++;
			}
		} else {
			p++;
		}
	}
}

/* The first occurrence of the 3 bytes s in [p, end), or NULL. */
static const char *find3(const char *p, const char *end, const char *s)
{
	while (end - p >= 3) {
		const char *q = memchr(p, s[0], (size_t)(end - p - 2));
		if (!q)
			return NULL;
		if (q[1] == s[1] && q[2] == s[2])
			return q;
		p = q + 1;
	}
	return NULL;
}

/* Whether c may follow '<' in markup: a name, an end tag, a declaration or a processing instruction. */
static int tag_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c == '/' ||
	       c == '!' || c == '?' || (unsigned char)c >= 0x80;
}

/* General entities of a document's internal DTD subset whose values are plain text (no references,
 * no markup): at most ENTITY_MAX of them, each value at most ENTITY_VALUE_MAX bytes, and all their
 * expansions together at most ENTITY_EXPANSION_MAX bytes more than the document, so that nested
 * or repeated references ("billion laughs") cannot blow up.  Others are left unexpanded. */
#define ENTITY_MAX 64
#define ENTITY_VALUE_MAX 1024
#define ENTITY_EXPANSION_MAX ((size_t)1 << 20)

struct dtd_entities {
	int checked;
	size_t n;
	char name[ENTITY_MAX][33];
	char *value[ENTITY_MAX];
};

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Reads the <!ENTITY name "value"> declarations of the internal subset after "<!DOCTYPE". */
static void internal_entities(struct dtd_entities *d, const char *p, const char *end)
{
	d->checked = 1;
	while (p < end && *p != '[' && *p != '>')
		p++;
	if (p >= end || *p != '[')
		return;
	const char *stop = memchr(p, ']', (size_t)(end - p));
	if (!stop)
		return;
	for (p++; p < stop && d->n < ENTITY_MAX; p++) {
		if (*p != '<' || stop - p < 9 || memcmp(p, "<!ENTITY", 8))
			continue;
		const char *q = skip_space(p + 8, stop);
		if (q == p + 8 || q >= stop || *q == '%')
			continue; /* a parameter entity */
		const char *name = q;
		while (q < stop && (isalnum((unsigned char)*q) || *q == '_' || *q == '-' || *q == '.'))
			q++;
		size_t nlen = (size_t)(q - name);
		const char *v = skip_space(q, stop);
		if (!nlen || nlen > 32 || v == q || v >= stop || (*v != '"' && *v != '\''))
			continue; /* SYSTEM or PUBLIC: external, never read */
		const char *vend = memchr(v + 1, *v, (size_t)(stop - v - 1));
		if (!vend || (size_t)(vend - v - 1) > ENTITY_VALUE_MAX)
			continue;
		struct buf val;
		buf_init(&val, 0);
		int plain = 1;
		for (const char *c = v + 1; c < vend && plain; c++) {
			if (*c == '&' || *c == '<' || *c == '%')
				plain = 0;
			else if (*c == '"')
				buf_adds(&val, "&#34;");
			else if (*c == '\'')
				buf_adds(&val, "&#39;");
			else
				buf_addc(&val, *c);
		}
		if (!plain) {
			buf_release(&val);
			continue;
		}
		memcpy(d->name[d->n], name, nlen);
		d->name[d->n][nlen] = '\0';
		d->value[d->n++] = buf_take(&val, NULL);
		p = vend;
	}
}

static const char *entity_value(const struct dtd_entities *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->name[i], name))
			return d->value[i];
	return NULL;
}


/* Whether [p, end) can bypass libxml2: characters its CDATA check accepts (valid UTF-8 of XML
 * characters, U+FFFE and U+FFFF not among them) without C0 controls but tab and line feed (a
 * carriage return would be normalised); counts its multi-byte characters into *multi. */
static int cdata_clean(const char *p, const char *end, size_t *multi)
{
	const unsigned char *u = (const unsigned char *)p, *e = (const unsigned char *)end;
	size_t m = 0;
	while (u < e) {
		u += util_ascii_run((const char *)u, (size_t)(e - u), 0, 0, 0);
		if (u == e)
			break;
		unsigned char c = *u;
		if (c == '\t' || c == '\n') {
			u++;
			continue;
		}
		int32_t cp;
		long k = c < 0x80 ? -1 : text_utf8_next(u, (size_t)(e - u), &cp);
		if (k <= 0 || cp == 0xFFFE || cp == 0xFFFF)
			return 0;
		m++;
		u += k;
	}
	*multi = m;
	return 1;
}

/* The number of the token at p (after its U+E000) and its end, or -1. */
static long cdata_token(const char *p, const char *end, const char **after)
{
	long k = 0;
	const char *q = p;
	while (q < end && *q >= '0' && *q <= '9' && k < (1L << 40))
		k = k * 10 + (*q++ - '0');
	if (q == p || end - q < 3 || memcmp(q, CDATA_CLOSE, 3))
		return -1;
	*after = q + 3;
	return k;
}

/* Appends [p, end) to b with every token replaced by its section's content; *upto becomes at
 * least the number of the last section given back plus one.  Sections the entity pass did not
 * check: with unchecked, *unchecked is set (the caller checks them); without, they are checked
 * here (the reader's thread), and one that is not clean sets cd->unclean. */
static void cdata_expand(struct buf *b, const char *p, const char *end, struct cdata *cd, size_t *upto,
			 int *unchecked)
{
	while (p < end) {
		const char *t = find3(p, end, CDATA_OPEN), *after;
		long k = t ? cdata_token(t + 3, end, &after) : -1;
		if (!t) {
			buf_add(b, p, (size_t)(end - p));
			return;
		}
		if (k < 0 || (size_t)k >= cd->n) { /* not a token: kept as it is */
			buf_add(b, p, (size_t)(t + 3 - p));
			p = t + 3;
			continue;
		}
		buf_reserve(b, (size_t)(t - p) + cd->v[k].len + (size_t)(end - after));
		buf_add(b, p, (size_t)(t - p));
		buf_add(b, cd->v[k].p, cd->v[k].len);
		if (!cd->v[k].checked) {
			size_t multi;
			if (unchecked)
				*unchecked = 1;
			else if (!cdata_clean(cd->v[k].p, cd->v[k].p + cd->v[k].len, &multi))
				cd->unclean = 1;
		}
		if ((size_t)k >= *upto)
			*upto = (size_t)k + 1;
		p = after;
	}
}

/* Appends the text s of a node of n's document to b, each token replaced by its section's
 * content: text is given its sections back only where it is read, in one copy. */
static void text_expand(struct buf *b, const char *s, const xmlNode *n)
{
	struct cdata *cd = doc_cdata(n);
	size_t len = strlen(s);
	if (cd)
		cdata_expand(b, s, s + len, cd, &cd->filled, NULL);
	else
		buf_add(b, s, len);
}

/* Whether every section s holds a token for is clean. */
static int cdata_tokens_clean(const char *s, const struct cdata *cd)
{
	const char *end = s + strlen(s), *after;
	for (const char *t = s; (t = find3(t, end, CDATA_OPEN)); t += 3) {
		long k = cdata_token(t + 3, end, &after);
		size_t multi;
		if (k >= 0 && (size_t)k < cd->n && !cd->v[k].checked &&
		    !cdata_clean(cd->v[k].p, cd->v[k].p + cd->v[k].len, &multi))
			return 0;
	}
	return 1;
}

/* html after the sanitiser, its tokens (for cd's sections, when cd) given back first; *upto as
 * for cdata_expand.  A section the entity pass did not check is checked by the sanitiser's own
 * scan, or else here: one that is not clean sets *unclean.  For a helper thread too (cd is only
 * read, *upto and *unclean are the caller's). */
static char *sanitize_tokens(const char *html, struct cdata *cd, const char *base, int *clean, size_t *upto,
			     int *unclean)
{
	if (!cd)
		return sanitize_html_clean(html, base, clean);
	struct buf b;
	buf_init(&b, 0);
	int unchecked = 0, checked;
	cdata_expand(&b, html, html + strlen(html), cd, upto, &unchecked);
	char *out = sanitize_html_n(buf_str(&b), b.len, base, clean, &checked);
	if (unchecked && !checked && !cdata_tokens_clean(html, cd))
		*unclean = 1;
	buf_release(&b);
	return out;
}

static void cdata_release(struct cdata *cd)
{
	free(cd->v);
	memset(cd, 0, sizeof *cd);
}

/* Puts the sections back into the document at *data (the entity pass's buffer *mapped), for a
 * document that is not read as UTF-8 after all, or that turned out to hold U+E000. */
static void cdata_undo(const char **data, size_t *len, char **mapped, struct cdata *cd)
{
	if (!cd->n)
		return;
	struct buf b;
	buf_init(&b, 0);
	int unchecked; /* libxml2 reads them */
	cdata_expand(&b, *data, *data + *len, cd, &cd->filled, &unchecked);
	free(*mapped);
	*mapped = buf_take(&b, len);
	*data = *mapped;
	cdata_release(cd);
	cd->off = 1;
}

/* Gives the pages of a file mapping that the reader (or the helpers giving CDATA sections back)
 * has left behind back to the kernel, a megabyte at a time and a megabyte behind, so a big
 * document is not left resident.  The mapping stays valid: a page read again (the tree
 * fallback) faults in anew. */
static void release_parsed(const char *data, long consumed, size_t *released)
{
	const size_t step = (size_t)1 << 20;
	long page = sysconf(_SC_PAGESIZE);
	if (consumed <= 0 || page <= 0)
		return;
	uintptr_t start = ((uintptr_t)data + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	uintptr_t upto = (uintptr_t)data + (size_t)consumed;
	if (upto < start + *released + 2 * step)
		return;
	uintptr_t end = (upto - step) & ~((uintptr_t)page - 1);
	if (end > start + *released && madvise((void *)(start + *released), end - start - *released, MADV_DONTNEED) == 0)
		*released = end - start;
}

/* Feeds use HTML's named entities (&nbsp;, &rsquo;…) without declaring them, and bare '&'s;
 * libxml2 in recover mode silently drops both along with the text after them.  Outside CDATA
 * sections and comments, a known HTML entity becomes a numeric reference (valid in any
 * encoding), and an '&' that starts no reference becomes "&amp;"; C0 controls XML forbids (a NUL
 * would end the document) are dropped everywhere.  The bytes must be in an ASCII-compatible
 * encoding.  The same pass counts what the bytes look like as UTF-8 (st).  Returns a new
 * buffer, or NULL when nothing needs changing. */
static char *map_entities(const char *data, size_t len, size_t *outlen, struct utf8_stats *st, struct cdata *cd)
{
	struct buf b;
	buf_init(&b, 0);
	buf_reserve(&b, len); /* pages are only touched as written, and the rest given back at the end */
	const char *end = data + len, *run = data;
	int changed = 0, unclosed_cdata = 0;
	struct dtd_entities dtd = {0};
	size_t expanded = 0;
	st->multi = st->bad = 0;
	for (const char *p = data; p < end; p++) {
		if (utf8_settled(st)) {
			p += util_text_run(p, (size_t)(end - p), '&', '<');
			if (p == end)
				break;
			if (!byte_class[(unsigned char)*p])
				continue; /* tab, line feed, carriage return */
		} else {
			p += util_ascii_run(p, (size_t)(end - p), '&', '<', 0);
			while (p < end && !byte_class[(unsigned char)*p])
				p++;
			if (p == end)
				break;
		}
		switch (byte_class[(unsigned char)*p]) {
		case 4: {
			size_t k = utf8_seq((const unsigned char *)p, (const unsigned char *)end);
			if (k) {
				st->multi++;
				p += k - 1;
			} else {
				st->bad++;
			}
			continue;
		}
		case 3:
			buf_add(&b, run, (size_t)(p - run));
			run = p + 1;
			changed = 1;
			continue;
		case 2: {
			const char *close = NULL;
			size_t open = 0;
			if (end - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
				open = 9;
				close = "]]>";
			} else if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
				open = 4;
				close = "-->";
			} else if (p + 1 < end && tag_start(p[1])) {
				if (!dtd.checked && p[1] == '!' && end - p >= 9 && !memcmp(p, "<!DOCTYPE", 9))
					internal_entities(&dtd, p + 9, end);
				continue;
			} else { /* a '<' that starts no markup: text, like a bare '&' */
				buf_add(&b, run, (size_t)(p - run));
				buf_adds(&b, "&lt;");
				run = p + 1;
				changed = 1;
				continue;
			}
			const char *q = find3(p + open, end, close);
			const char *stop = q ? q + 3 : end;
			size_t multi = 0;
			/* Once the encoding decision is settled, a section's bytes no longer count: it is
			 * checked where it is given back (by the sanitiser's own scan, mostly), not here. */
			int settled = utf8_settled(st);
			if (open == 9 && q && !cd->off && q - (p + open) > 16 &&
			    (settled || cdata_clean(p + open, q, &multi))) {
				st->multi += multi;
				if (cd->n == cd->cap) {
					cd->cap = cd->cap ? 2 * cd->cap : 64;
					cd->v = xrealloc(cd->v, cd->cap * sizeof *cd->v);
				}
				cd->v[cd->n] = (struct cdata_span){p + open, (size_t)(q - (p + open)), !settled};
				buf_add(&b, run, (size_t)(p + open - run));
				buf_printf(&b, CDATA_OPEN "%zu" CDATA_CLOSE, cd->n++);
				run = q;
				changed = 1;
				p = stop - 1;
				continue;
			}
			raw_span(&b, &run, p + open, q ? q : end, st, &changed);
			if (!q && open == 9) /* a CDATA section left open runs to the end of the document */
				unclosed_cdata = changed = 1;
			p = stop - 1;
			continue;
		}
		default:
			break;
		}
		const char *q = p + 1;
		if (q < end && *q == '#') {
			const char *r = q + 1;
			int hex = r < end && (*r == 'x' || *r == 'X');
			if (hex)
				r++;
			const char *digits = r;
			while (r < end && (hex ? isxdigit((unsigned char)*r) : isdigit((unsigned char)*r)))
				r++;
			if (r > digits && r < end && *r == ';') {
				if (strtol(digits, NULL, hex ? 16 : 10) == 0xE000)
					cd->off = 1; /* U+E000 in the text: no tokens */
				continue; /* a character reference */
			}
		} else {
			const char *r = q;
			while (r < end && r - q < 32 && isalnum((unsigned char)*r))
				r++;
			if (r > q && r < end && *r == ';') {
				char name[33];
				memcpy(name, q, (size_t)(r - q));
				name[r - q] = '\0';
				if (!strcmp(name, "amp") || !strcmp(name, "lt") || !strcmp(name, "gt") ||
				    !strcmp(name, "quot") || !strcmp(name, "apos"))
					continue;
				const char *value = dtd.n ? entity_value(&dtd, name) : NULL;
				if (value && expanded + strlen(value) <= len + ENTITY_EXPANSION_MAX) {
					/* declared in the internal subset: its (plain text) value, expanded here
					 * so that libxml2 never expands entities */
					buf_add(&b, run, (size_t)(p - run));
					buf_adds(&b, value);
					expanded += strlen(value);
					run = r + 1;
					p = r;
					changed = 1;
					continue;
				}
				const htmlEntityDesc *e = htmlEntityLookup((const xmlChar *)name);
				if (e) {
					buf_add(&b, run, (size_t)(p - run));
					buf_printf(&b, "&#%u;", e->value);
					run = r + 1;
					p = r;
					changed = 1;
					continue;
				}
			}
		}
		buf_add(&b, run, (size_t)(p - run)); /* a bare '&' */
		buf_adds(&b, "&amp;");
		run = p + 1;
		changed = 1;
	}
	if (dtd.n)
		cd->off = 1; /* entity values could hold U+E000 */
	for (size_t i = 0; i < dtd.n; i++)
		free(dtd.value[i]);
	if (!changed) {
		buf_release(&b);
		return NULL;
	}
	buf_add(&b, run, (size_t)(end - run));
	if (unclosed_cdata)
		buf_adds(&b, "]]>");
	return buf_take(&b, outlen);
}

/* windows-1252's 0x80-0x9F; the five bytes it leaves unassigned are the C1 controls (WHATWG). */
static const unsigned short cp1252_high[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
	0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

/* windows-1252 bytes as UTF-8 (every byte has a meaning, so nothing fails). */
static char *cp1252_to_utf8(const char *data, size_t len, size_t *outlen)
{
	char *out = xmalloc(len * 3 + 1), *o = out;
	for (size_t i = 0; i < len; i++) {
		unsigned c = (unsigned char)data[i];
		if (c < 0x80) {
			*o++ = (char)c;
			continue;
		}
		if (c < 0xA0)
			c = cp1252_high[c - 0x80];
		if (c < 0x800) {
			*o++ = (char)(0xC0 | c >> 6);
		} else {
			*o++ = (char)(0xE0 | c >> 12);
			*o++ = (char)(0x80 | ((c >> 6) & 0x3F));
		}
		*o++ = (char)(0x80 | (c & 0x3F));
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
}

char *charset_to_utf8(const char *data, size_t len, const char *charset, size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1)
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	char chunk[8192];
	char *in = (char *)data;
	size_t left = len;
	while (left > 0) {
		char *o = chunk;
		size_t room = sizeof chunk;
		size_t r = iconv(cd, &in, &left, &o, &room);
		buf_add(&b, chunk, (size_t)(o - chunk));
		if (r == (size_t)-1 && errno != E2BIG) {
			buf_adds(&b, "\xEF\xBF\xBD"); /* an unreadable byte */
			in++;
			left--;
			iconv(cd, NULL, NULL, NULL, NULL);
		}
	}
	char *o = chunk;
	size_t room = sizeof chunk;
	iconv(cd, NULL, NULL, &o, &room);
	buf_add(&b, chunk, (size_t)(o - chunk));
	iconv_close(cd);
	return buf_take(&b, outlen);
}

/* The UTF-16 or UTF-32 form the document starts in (a BOM, or "<" as its first character),
 * for iconv; NULL for ASCII-compatible bytes. */
static const char *wide_encoding(const unsigned char *d, size_t len)
{
	if (len >= 4 && !memcmp(d, "\xFF\xFE\0\0", 4))
		return "UTF-32";
	if (len >= 4 && !memcmp(d, "\0\0\xFE\xFF", 4))
		return "UTF-32";
	if (len >= 2 && (!memcmp(d, "\xFF\xFE", 2) || !memcmp(d, "\xFE\xFF", 2)))
		return "UTF-16";
	if (len >= 4 && !memcmp(d, "<\0\0\0", 4))
		return "UTF-32LE";
	if (len >= 4 && !memcmp(d, "\0\0\0<", 4))
		return "UTF-32BE";
	if (len >= 4 && d[0] == '<' && !d[1] && d[2] && !d[3])
		return "UTF-16LE";
	if (len >= 4 && !d[0] && d[1] == '<' && !d[2] && d[3])
		return "UTF-16BE";
	return NULL;
}

/* The encoding an XML declaration names, copied into out (empty when there is none). */
static void declared_encoding(const char *data, size_t len, char *out, size_t n)
{
	out[0] = '\0';
	if (len < 6 || memcmp(data, "<?xml", 5))
		return;
	const char *end = memchr(data, '>', len < 512 ? len : 512);
	if (!end)
		return;
	for (const char *p = data; p + 9 < end; p++)
		if (!memcmp(p, "encoding", 8)) {
			p += 8;
			while (p < end && (*p == ' ' || *p == '='))
				p++;
			if (p < end && (*p == '"' || *p == '\'')) {
				char q = *p++;
				size_t k = 0;
				while (p < end && *p != q && k + 1 < n)
					out[k++] = *p++;
				out[k] = '\0';
			}
			return;
		}
}

/* Whether the bytes are valid UTF-8 holding at least one multi-byte character: then a Latin-1
 * (or windows-1252, or ASCII) label on them is a lie, a common one, and UTF-8 is the truth. */
int charset_utf8_in_disguise(const char *data, size_t len)
{
	return charset_utf8_valid(data, len) > 0;
}

/* Counts the valid multi-byte UTF-8 sequences and the bytes that start none. */
static void utf8_count(const char *data, size_t len, size_t *multi, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)data, *end = p + len;
	*multi = *bad = 0;
	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		size_t k = utf8_seq(p, end);
		if (k) {
			++*multi;
			p += k;
		} else {
			++*bad;
			p++;
		}
	}
}

int charset_utf8_valid(const char *data, size_t len)
{
	size_t multi, bad;
	utf8_count(data, len, &multi, &bad);
	return bad ? 0 : multi ? 1 : -1;
}

int charset_latin_bytes(const char *data, size_t len)
{
	size_t multi, bad;
	utf8_count(data, len, &multi, &bad);
	return bad && !multi;
}

/* An encoding label libxml2 can use: common misspellings mapped, unknown labels dropped (the
 * document's own declaration then decides). */
const char *charset_usable(const char *label)
{
	static const struct {
		const char *bogus, *name;
	} fixes[] = {{"utf8", "UTF-8"},        {"utf-8", "UTF-8"},       {"latin-1", "ISO-8859-1"},
		     {"latin1", "ISO-8859-1"}, {"iso8859-1", "ISO-8859-1"}, {"iso-latin-1", "ISO-8859-1"},
		     {"win-1252", "windows-1252"}, {"cp1258", "windows-1258"}, {"win-1258", "windows-1258"}};
	if (!label || !*label)
		return NULL;
	for (size_t i = 0; i < sizeof fixes / sizeof fixes[0]; i++)
		if (util_strcaseeq(label, fixes[i].bogus))
			return fixes[i].name;
	xmlCharEncodingHandlerPtr h = xmlFindCharEncodingHandler(label);
	if (!h)
		return NULL;
	xmlCharEncCloseFunc(h);
	return label;
}

static int latin_label(const char *label)
{
	static const char *const names[] = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1",
					    "windows-1252", "cp1252", "us-ascii", "ascii", "iso-8859-15"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (util_strcaseeq(label, names[i]))
			return 1;
	return 0;
}

int parse_is_html(const char *data, size_t len)
{
	size_t n = len < 1024 ? len : 1024;
	for (size_t i = 0; i + 5 <= n; i++)
		if (data[i] == '<' && (util_strncaseeq(data + i, "<html", 5) ||
				       (i + 14 <= n && util_strncaseeq(data + i, "<!doctype html", 14))))
			return 1;
	return 0;
}

/* The reader's errors are not shown; one kind is remembered: an attribute value without quotes,
 * which libxml2 drops with its element and which quote_attributes can repair. */
static void silent_errors(void *arg, const char *msg, xmlParserSeverities sev, xmlTextReaderLocatorPtr loc)
{
	int *unquoted = arg;
	(void)sev;
	(void)loc;
	if (msg && strstr(msg, "AttValue: \" or ' expected"))
		*unquoted = 1;
}

/* Copies the region from p up to and including the terminator term (or to the end). */
static const char *copy_through(struct buf *b, const char *p, const char *end, const char *term)
{
	size_t k = strlen(term);
	const char *q = p;
	while (q + k <= end && memcmp(q, term, k))
		q++;
	q = q + k <= end ? q + k : end;
	buf_add(b, p, (size_t)(q - p));
	return q;
}

/* The document with quotes put around attribute values written without them
 * (<enclosure url=http://x/a.mp3 …>), outside comments and CDATA sections. */
static char *quote_attributes(const char *data, size_t len, size_t *outlen)
{
	struct buf b;
	buf_init(&b, 0);
	const char *p = data, *end = data + len;
	while (p < end) {
		if (end - p >= 4 && !memcmp(p, "<!--", 4)) {
			p = copy_through(&b, p, end, "-->");
			continue;
		}
		if (end - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
			p = copy_through(&b, p, end, "]]>");
			continue;
		}
		if (*p != '<' || p + 1 >= end || !(isalpha((unsigned char)p[1]) || p[1] == '_')) {
			buf_addc(&b, *p++);
			continue;
		}
		/* a start tag: its name, then attributes up to '>' */
		while (p < end && *p != '>') {
			if (*p == '"' || *p == '\'') {
				char q[2] = {*p, '\0'};
				buf_addc(&b, *p++);
				p = copy_through(&b, p, end, q);
				continue;
			}
			if (*p != '=') {
				buf_addc(&b, *p++);
				continue;
			}
			buf_addc(&b, *p++);
			while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
				buf_addc(&b, *p++);
			if (p >= end || *p == '"' || *p == '\'' || *p == '>')
				continue;
			buf_addc(&b, '"');
			while (p < end && !isspace((unsigned char)*p) && *p != '>' &&
			       !(*p == '/' && p + 1 < end && p[1] == '>')) {
				if (*p == '"')
					buf_adds(&b, "&quot;");
				else if (*p == '<')
					buf_adds(&b, "&lt;");
				else
					buf_addc(&b, *p);
				p++;
			}
			buf_addc(&b, '"');
		}
	}
	return buf_take(&b, outlen);
}

static int is_item(xmlNode *n, enum format f)
{
	const char *local;
	enum ns ns = ns_of(n, &local);
	if (f == FMT_ATOM1 || f == FMT_ATOM03)
		return is_atom(ns) && !strcmp(local, "entry");
	return is_rss(ns) && !strcmp(local, "item");
}

static int is_channel(xmlNode *n, enum format f)
{
	const char *local;
	enum ns ns = ns_of(n, &local);
	return f != FMT_ATOM1 && f != FMT_ATOM03 && is_rss(ns) && !strcmp(local, "channel");
}

static void start_feed(struct ctx *c, xmlNode *root)
{
	c->feed = feed_new();
	if (c->format == FMT_ATOM1 || c->format == FMT_ATOM03) {
		xmlChar *lang = xmlNodeGetLang(root);
		if (lang) {
			c->feed->language = xstrdup((const char *)lang);
			xmlFree(lang);
		}
	}
}

static void item_or_field(xmlNode *n, struct ctx *c, int channel_level)
{
	if (is_item(n, c->format)) {
		if (c->format == FMT_ATOM1 || c->format == FMT_ATOM03)
			atom_entry(n, c);
		else
			rss_item(n, c);
	} else if (channel_level) {
		channel_field(n, c);
	}
}

/* The tree walk used when the streaming reader meets an error: libxml2's recover mode keeps
 * going in the tree builder, where the reader stops at the first well-formedness error. */
static struct feed *parse_dom(struct ctx *cp, const char *data, size_t len, const struct parse_options *opt,
			      struct cdata *cd, int options, char *err, size_t errlen)
{
	struct ctx c = {.opt = opt, .format = FMT_UNKNOWN, .feed = NULL};
	xmlDocPtr doc = xmlReadMemory(data, (int)len, opt->base_url, opt->charset, options);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (doc)
		doc->_private = cd;
	if (!root) {
		xmlFreeDoc(doc);
		util_errf(err, errlen, "not an XML document");
		return NULL;
	}
	c.format = detect(root, err, errlen);
	if (c.format == FMT_UNKNOWN) {
		xmlFreeDoc(doc);
		return NULL;
	}
	start_feed(&c, root);
	/* Atom and RSS 0.9x <channel> roots hold the feed's fields directly. */
	int root_is_channel = c.format == FMT_ATOM1 || c.format == FMT_ATOM03 || is_channel(root, c.format);
	for (xmlNode *n = root->children; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!root_is_channel && is_channel(n, c.format)) {
			for (xmlNode *m = n->children; m; m = m->next)
				if (m->type == XML_ELEMENT_NODE)
					item_or_field(m, &c, 1);
		} else {
			item_or_field(n, &c, root_is_channel);
		}
	}
	xmlFreeDoc(doc);
	c.feed->format = xstrdup(format_name(c.format));
	*cp = c;
	return c.feed;
}

static struct feed *parse_xml(const char *data, size_t len, const struct parse_options *opt,
			      struct cdata *cd, char *err, size_t errlen);
static struct feed *read_xml(const char *data, size_t len, const struct parse_options *opt, int utf8_forced,
			     int decoded, int kept, int *unclean, char *err, size_t errlen);

/* Labels whose documents are read as windows-1252, as the WHATWG Encoding Standard does: what
 * is sent as Latin-1 or ASCII is windows-1252 (its 0x80-0x9F are never meant as C1 controls). */
static int cp1252_label(const char *label)
{
	static const char *const names[] = {"iso-8859-1", "iso8859-1", "iso_8859-1", "iso88591", "latin1",
					    "latin-1", "l1", "windows-1252", "cp1252", "x-cp1252",
					    "us-ascii", "ascii", "iso-ir-100", "ibm819", "cp819",
					    "csisolatin1", "iso_8859-1:1987"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (util_strcaseeq(label, names[i]))
			return 1;
	return 0;
}

static int utf8_label(const char *label)
{
	return util_strcaseeq(label, "utf-8") || util_strcaseeq(label, "utf8");
}

struct feed *parse_feed(const char *data, size_t len, const struct parse_options *opt, char *err,
			size_t errlen)
{
	if (len > (size_t)1 << 30) {
		util_errf(err, errlen, "document larger than 1 GiB");
		return NULL;
	}
	/* UTF-16 and UTF-32 documents are decoded first, so that the byte-level passes below (and
	 * the entity rewriting) only ever see ASCII-compatible text. */
	char *decoded = NULL;
	int utf8_forced = 0;
	const char *wide = wide_encoding((const unsigned char *)data, len);
	if (wide) {
		size_t dlen = 0;
		decoded = charset_to_utf8(data, len, wide, &dlen);
		if (decoded) {
			data = decoded;
			len = dlen;
			utf8_forced = 1;
		}
	}
	/* Skip what real servers put before the document: a BOM, then white space.  A UTF-8 BOM
	 * outranks every label (RFC 7303). */
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
		data += 3;
		len -= 3;
		utf8_forced = 1;
	}
	while (len && isspace((unsigned char)*data)) {
		data++;
		len--;
	}
	if (len == 0) {
		free(decoded);
		util_errf(err, errlen, "empty document");
		return NULL;
	}
	if (data[0] == '{') { /* JSON Feed: told apart by the document, not its name or type */
		struct feed *f = jsonfeed_parse(data, len, opt, err, errlen);
		free(decoded);
		return f;
	}
	int unclean = 0;
	struct feed *f = read_xml(data, len, opt, utf8_forced, decoded != NULL, 0, &unclean, err, errlen);
	if (unclean) {
		/* A CDATA section the entity pass left unchecked holds what libxml2 would not read as
		 * it is (bad UTF-8, a control character): read again, the sections in the document. */
		feed_free(f);
		if (err && errlen)
			*err = '\0';
		f = read_xml(data, len, opt, utf8_forced, decoded != NULL, 1, &unclean, err, errlen);
	}
	free(decoded);
	return f;
}

/* The XML document of parse_feed (ASCII-compatible bytes, a BOM and leading space skipped):
 * the encoding decided, entities mapped, CDATA sections lifted out unless kept, and read.
 * *unclean: a section lifted out unchecked was not clean, and the reading is to be redone with
 * the sections kept. */
static struct feed *read_xml(const char *data, size_t len, const struct parse_options *opt, int utf8_forced,
			     int decoded, int kept, int *unclean, char *err, size_t errlen)
{
	/* RFC 7303 order: a BOM, then the HTTP charset, then the declaration; unknown labels are
	 * ignored.  A single-byte label on valid UTF-8 holding multi-byte characters is a lie, and
	 * so is a UTF-8 label (or none) on bytes with no valid multi-byte character but invalid
	 * ones: those are windows-1252, decoded here. */
	struct parse_options eff = *opt;
	char declared[40];
	declared_encoding(data, len, declared, sizeof declared);
	const char *label = utf8_forced ? "UTF-8" : charset_usable(opt->charset);
	if (!label && *declared)
		label = charset_usable(declared);
	struct utf8_stats st = {.need = utf8_forced				       ? UTF8_NEED_NOTHING
					: !label || utf8_label(label)		       ? UTF8_NEED_LATIN
					: cp1252_label(label) || latin_label(label) ? UTF8_NEED_UTF8
										     : UTF8_NEED_NOTHING};
	size_t mapped_len = 0;
	/* A file mapping is given back behind the reading of its sections (by the reader, or by
	 * the helpers when they give the sections back). */
	struct cdata cd = {.off = kept || find3(data, data + len, CDATA_OPEN) != NULL, .base = data,
			   .release = opt->release_read && !decoded};
	char *mapped = map_entities(data, len, &mapped_len, &st, &cd);
	if (mapped) {
		data = mapped;
		len = mapped_len;
	}
	if (cd.off)
		cdata_undo(&data, &len, &mapped, &cd);
	int utf8_bytes = st.multi && !st.bad, latin_bytes = st.bad && !st.multi;
	char *latin = NULL;
	if (utf8_forced) {
		eff.charset = "UTF-8";
	} else if (!label || utf8_label(label) || cp1252_label(label)) {
		if (label && cp1252_label(label) ? !utf8_bytes : latin_bytes) {
			cdata_undo(&data, &len, &mapped, &cd);
			size_t llen = 0;
			latin = cp1252_to_utf8(data, len, &llen);
			data = latin;
			len = llen;
			eff.charset = "UTF-8";
		} else if (label || *declared) {
			/* UTF-8, also when the document names an encoding nobody knows */
			eff.charset = "UTF-8";
		} else {
			eff.charset = NULL;
		}
	} else if (latin_label(label) && utf8_bytes) {
		eff.charset = "UTF-8";
	} else {
		cdata_undo(&data, &len, &mapped, &cd); /* another encoding: libxml2 converts it all */
		eff.charset = label;
	}
	/* Only the caller's own bytes are a file mapping; a rewritten copy is not, but the sections
	 * its tokens stand for are read from the mapping, in order. */
	eff.release_read = opt->release_read && !latin && (!mapped || cd.n) && !decoded;
	struct feed *f = parse_xml(data, len, &eff, &cd, err, errlen);
	*unclean = cd.unclean;
	cdata_release(&cd);
	free(latin);
	free(mapped);
	return f;
}

static struct feed *parse_xml(const char *data, size_t len, const struct parse_options *opt,
			      struct cdata *cd, char *err, size_t errlen)
{
	struct helpers *helpers = helpers_start(opt, len);
	struct ctx c = {.helpers = helpers, .opt = opt, .format = FMT_UNKNOWN, .feed = NULL};
	int options = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR |
		      XML_PARSE_COMPACT | XML_PARSE_NOCDATA;
	if (opt->charset && *opt->charset)
		options |= XML_PARSE_IGNORE_ENC; /* the HTTP charset (or a correction) outranks the declaration */
	xmlTextReaderPtr r = xmlReaderForMemory(data, (int)len, opt->base_url, opt->charset, options);
	if (!r) {
		helpers_finish(helpers, NULL);
		util_errf(err, errlen, "cannot start the XML reader");
		return NULL;
	}
	int unquoted = 0;
	xmlTextReaderSetErrorHandler(r, silent_errors, &unquoted);
	int root_seen = 0, channel_depth = -1;
	size_t released = 0;
	int ret = xmlTextReaderRead(r);
	while (ret == 1) {
		if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT) {
			ret = xmlTextReaderRead(r);
			continue;
		}
		int depth = xmlTextReaderDepth(r);
		xmlNode *n = xmlTextReaderCurrentNode(r);
		if (!root_seen) {
			root_seen = 1;
			c.format = detect(n, err, errlen);
			if (c.format == FMT_UNKNOWN)
				break;
			start_feed(&c, n);
			if (c.format == FMT_ATOM1 || c.format == FMT_ATOM03 || is_channel(n, c.format))
				channel_depth = 0;
			ret = xmlTextReaderRead(r);
			continue;
		}
		if (is_channel(n, c.format) && channel_depth < 0) {
			channel_depth = depth;
			ret = xmlTextReaderRead(r);
			continue;
		}
		if (is_item(n, c.format) || (channel_depth >= 0 && depth == channel_depth + 1) ||
		    depth == 1) {
			/* One item (or one channel field) at a time as a small tree. */
			xmlNode *full = xmlTextReaderExpand(r);
			if (!full) {
				ret = -1;
				break;
			}
			if (full->doc)
				full->doc->_private = cd;
			item_or_field(full, &c, channel_depth >= 0 && depth == channel_depth + 1);
			if (opt->release_read && !cd->n)
				release_parsed(data, xmlTextReaderByteConsumed(r), &released);
			else if (cd->release && cd->filled && !(helpers && helpers->handed))
				release_parsed(cd->base, cd->v[cd->filled - 1].p - cd->base, &released);
			ret = xmlTextReaderNext(r);
			continue;
		}
		ret = xmlTextReaderRead(r);
	}
	xmlFreeTextReader(r);
	/* Attribute values without quotes lose their elements: the tree fallback reads a repaired
	 * copy, and is taken for them even when the reader went on. */
	size_t qlen = 0;
	char *quoted = unquoted ? quote_attributes(data, len, &qlen) : NULL;
	const char *tree = quoted ? quoted : data;
	size_t tree_len = quoted ? qlen : len;
	if ((ret < 0 || quoted) && c.format != FMT_UNKNOWN) {
		/* A well-formedness error: start again in recover mode on the whole tree. */
		struct feed *old = c.feed;
		char *old_author = c.feed_author;
		c.feed = NULL;
		c.feed_author = NULL;
		if (parse_dom(&c, tree, tree_len, opt, cd, options, err, errlen)) { /* c is the new reading */
			helpers_drop(helpers);
			feed_free(old);
			free(old_author);
		} else if (quoted) {
			c.feed = old; /* what the reader had is better than nothing */
			c.feed_author = old_author;
		} else {
			helpers_drop(helpers);
			feed_free(old);
			free(old_author);
		}
	} else if (!root_seen || (ret < 0 && c.format == FMT_UNKNOWN && !c.feed)) {
		if (!root_seen || !err || !*err) {
			c.feed = parse_dom(&c, tree, tree_len, opt, cd, options, err, errlen);
			if (!c.feed && parse_is_html(data, len))
				util_errf(err, errlen, "an HTML page, not a feed (HTML pages are read by type = html sources)");
		}
	}
	free(quoted);
	if (helpers_finish(helpers, c.feed)) /* the tree fallback, if taken, sanitised on its own */
		cd->unclean = 1;
	if (!c.feed) {
		free(c.feed_author);
		return NULL;
	}
	if (!c.feed->format)
		c.feed->format = xstrdup(format_name(c.format));
	if (c.feed_author) {
		for (size_t i = 0; i < c.feed->nitems; i++)
			if (!c.feed->items[i].author)
				c.feed->items[i].author = xstrdup(c.feed_author);
		free(c.feed_author);
	}
	feed_finish(c.feed);
	return c.feed;
}

void parse_global_init(void)
{
	xmlInitParser();
}

void parse_global_cleanup(void)
{
	xmlCleanupParser();
}
