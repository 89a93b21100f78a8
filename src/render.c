#include "render.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/xmlwriter.h>

#include "date.h"
#include "json.h"
#include "store.h"
#include "util.h"

#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_HISTORY "http://purl.org/syndication/history/1.0"
#define GENERATOR "tidings"
#define INDEX_ITEMS 10 /* newest items per category on index.html */

/* The date an item is filed under: published, else updated, else when it was first seen. */
static int64_t item_published(const struct item *it)
{
	if (it->published != DATE_NONE)
		return it->published;
	if (it->updated != DATE_NONE)
		return it->updated;
	return it->first_seen;
}

static int64_t item_updated(const struct item *it)
{
	int64_t p = item_published(it);
	return it->updated != DATE_NONE && it->updated > p ? it->updated : p;
}

/* The newest item date: a stable stand-in for "now", so unchanged input gives identical bytes. */
static int64_t newest(const struct feed *items)
{
	int64_t t = 0;
	for (size_t i = 0; i < items->nitems; i++) {
		int64_t u = item_updated(&items->items[i]);
		if (u > t)
			t = u;
	}
	return t;
}

struct writer {
	xmlBufferPtr xb;
	xmlTextWriterPtr w;
	int rc;
	struct buf esc; /* text() escapes into it */
};

static int writer_open(struct writer *wr)
{
	wr->xb = xmlBufferCreate();
	wr->w = wr->xb ? xmlNewTextWriterMemory(wr->xb, 0) : NULL;
	wr->rc = 0;
	buf_init(&wr->esc, 0);
	if (!wr->w) {
		xmlBufferFree(wr->xb);
		return -1;
	}
	xmlTextWriterSetIndent(wr->w, 1);
	xmlTextWriterSetIndentString(wr->w, BAD_CAST "  ");
	if (xmlTextWriterStartDocument(wr->w, "1.0", "UTF-8", NULL) < 0)
		wr->rc = -1;
	return 0;
}

static int writer_close(struct writer *wr, struct buf *out)
{
	if (xmlTextWriterEndDocument(wr->w) < 0)
		wr->rc = -1;
	xmlFreeTextWriter(wr->w);
	buf_release(&wr->esc);
	if (wr->rc == 0 && buf_add(out, xmlBufferContent(wr->xb), (size_t)xmlBufferLength(wr->xb)) < 0)
		wr->rc = -1;
	xmlBufferFree(wr->xb);
	return wr->rc;
}

static void start(struct writer *wr, const char *name)
{
	if (xmlTextWriterStartElement(wr->w, BAD_CAST name) < 0)
		wr->rc = -1;
}

static void end(struct writer *wr)
{
	if (xmlTextWriterEndElement(wr->w) < 0)
		wr->rc = -1;
}

static void attr(struct writer *wr, const char *name, const char *value)
{
	if (value && xmlTextWriterWriteAttribute(wr->w, BAD_CAST name, BAD_CAST value) < 0)
		wr->rc = -1;
}

/* Element text, escaped as xmlTextWriterWriteString would (text_xml_escape is libxml2's
 * escaping, only faster on long HTML content). */
static void text(struct writer *wr, const char *value)
{
	buf_reset(&wr->esc);
	if (value)
		text_xml_escape(&wr->esc, value, strlen(value));
	if (xmlTextWriterWriteRawLen(wr->w, BAD_CAST buf_str(&wr->esc), (int)wr->esc.len) < 0)
		wr->rc = -1;
}

/* <name>value</name>, nothing when value is NULL. */
static void element(struct writer *wr, const char *name, const char *value)
{
	if (!value)
		return;
	start(wr, name);
	text(wr, value);
	end(wr);
}

static void element_date(struct writer *wr, const char *name, int64_t t, int rfc822)
{
	char s[48];
	if (rfc822)
		date_rfc822(t, s);
	else
		date_rfc3339(t, s);
	element(wr, name, s);
}

static void stylesheet(struct writer *wr, const struct render_channel *ch)
{
	if (!ch->stylesheet)
		return;
	char *pi = xasprintf("type=\"text/xsl\" href=\"%s\"", ch->stylesheet);
	if (xmlTextWriterWritePI(wr->w, BAD_CAST "xml-stylesheet", BAD_CAST pi) < 0)
		wr->rc = -1;
	free(pi);
}

static int web_url(const char *url)
{
	return url && (util_strncaseeq(url, "http://", 7) || util_strncaseeq(url, "https://", 8));
}

static char *feed_url(const struct render_channel *ch, const char *ext)
{
	return xasprintf("%s.%s", ch->self_base, ext);
}

int render_rss(const struct render_channel *ch, const struct feed *items, struct buf *out)
{
	struct writer wr;
	if (writer_open(&wr) < 0)
		return -1;
	char *self = feed_url(ch, "rss");
	stylesheet(&wr, ch);
	start(&wr, "rss");
	attr(&wr, "version", "2.0");
	attr(&wr, "xmlns:atom", NS_ATOM);
	attr(&wr, "xmlns:content", NS_CONTENT);
	attr(&wr, "xmlns:dc", NS_DC);
	start(&wr, "channel");
	element(&wr, "title", ch->title);
	element(&wr, "link", ch->home_url);
	element(&wr, "description", ch->description && *ch->description ? ch->description : ch->title);
	start(&wr, "atom:link");
	attr(&wr, "rel", "self");
	attr(&wr, "type", "application/rss+xml");
	attr(&wr, "href", self);
	end(&wr);
	if (ch->hub && *ch->hub) {
		start(&wr, "atom:link");
		attr(&wr, "rel", "hub");
		attr(&wr, "href", ch->hub);
		end(&wr);
	}
	if (ch->prev_archive) {
		start(&wr, "atom:link");
		attr(&wr, "rel", "prev-archive");
		attr(&wr, "type", "application/atom+xml");
		attr(&wr, "href", ch->prev_archive);
		end(&wr);
	}
	element(&wr, "language", ch->language);
	if (items->nitems)
		element_date(&wr, "lastBuildDate", newest(items), 1);
	element(&wr, "generator", GENERATOR);
	if (ch->ttl > 0) {
		char ttl[16];
		snprintf(ttl, sizeof ttl, "%d", ch->ttl);
		element(&wr, "ttl", ttl);
	}
	for (size_t i = 0; i < items->nitems; i++) {
		const struct item *it = &items->items[i];
		start(&wr, "item");
		element(&wr, "title", it->title ? it->title : "");
		element(&wr, "link", it->link);
		start(&wr, "guid");
		attr(&wr, "isPermaLink", it->link && !strcmp(it->uid, it->link) ? "true" : "false");
		text(&wr, it->uid);
		end(&wr);
		element_date(&wr, "pubDate", item_published(it), 1);
		element(&wr, "description", it->summary ? it->summary : it->content);
		if (it->content)
			element(&wr, "content:encoded", it->content);
		element(&wr, "dc:creator", it->author);
		for (size_t c = 0; c < it->ncategories; c++)
			element(&wr, "category", it->categories[c]);
		for (size_t e = 0; e < it->nenclosures; e++) {
			const struct enclosure *enc = &it->enclosures[e];
			char len[24];
			snprintf(len, sizeof len, "%lld", (long long)(enc->length >= 0 ? enc->length : 0));
			start(&wr, "enclosure");
			attr(&wr, "url", enc->url);
			attr(&wr, "length", len);
			attr(&wr, "type", enc->type ? enc->type : "application/octet-stream");
			end(&wr);
		}
		if (ch->aggregated && web_url(it->source_url)) {
			start(&wr, "source");
			attr(&wr, "url", it->source_url);
			text(&wr, it->source_title ? it->source_title : it->source);
			end(&wr);
		}
		end(&wr);
	}
	end(&wr);
	end(&wr);
	free(self);
	return writer_close(&wr, out);
}

static void atom_link(struct writer *wr, const char *rel, const char *type, const char *href)
{
	if (!href)
		return;
	start(wr, "link");
	attr(wr, "rel", rel);
	attr(wr, "type", type);
	attr(wr, "href", href);
	end(wr);
}

int render_atom(const struct render_channel *ch, const struct feed *items, struct buf *out)
{
	struct writer wr;
	if (writer_open(&wr) < 0)
		return -1;
	char *self = feed_url(ch, "atom");
	stylesheet(&wr, ch);
	start(&wr, "feed");
	attr(&wr, "xmlns", NS_ATOM);
	if (ch->archive || ch->prev_archive)
		attr(&wr, "xmlns:fh", NS_HISTORY);
	attr(&wr, "xml:lang", ch->language);
	element(&wr, "id", self);
	element(&wr, "title", ch->title);
	if (ch->description && *ch->description)
		element(&wr, "subtitle", ch->description);
	element_date(&wr, "updated", newest(items), 0);
	atom_link(&wr, "self", "application/atom+xml", self);
	atom_link(&wr, "alternate", "text/html", ch->home_url);
	if (ch->hub && *ch->hub)
		atom_link(&wr, "hub", NULL, ch->hub);
	atom_link(&wr, "current", "application/atom+xml", ch->current);
	atom_link(&wr, "prev-archive", "application/atom+xml", ch->prev_archive);
	atom_link(&wr, "next-archive", "application/atom+xml", ch->next_archive);
	if (ch->archive) {
		start(&wr, "fh:archive");
		end(&wr);
	}
	start(&wr, "author");
	element(&wr, "name", ch->title);
	end(&wr);
	start(&wr, "generator");
	text(&wr, GENERATOR);
	end(&wr);
	for (size_t i = 0; i < items->nitems; i++) {
		const struct item *it = &items->items[i];
		start(&wr, "entry");
		element(&wr, "id", it->uid);
		start(&wr, "title");
		attr(&wr, "type", "text");
		text(&wr, it->title ? it->title : "");
		end(&wr);
		atom_link(&wr, "alternate", "text/html", it->link);
		element_date(&wr, "published", item_published(it), 0);
		element_date(&wr, "updated", item_updated(it), 0);
		if (it->author) {
			start(&wr, "author");
			element(&wr, "name", it->author);
			end(&wr);
		}
		for (size_t c = 0; c < it->ncategories; c++) {
			start(&wr, "category");
			attr(&wr, "term", it->categories[c]);
			end(&wr);
		}
		for (size_t e = 0; e < it->nenclosures; e++) {
			const struct enclosure *enc = &it->enclosures[e];
			start(&wr, "link");
			attr(&wr, "rel", "enclosure");
			attr(&wr, "type", enc->type);
			attr(&wr, "href", enc->url);
			if (enc->length >= 0) {
				char len[24];
				snprintf(len, sizeof len, "%lld", (long long)enc->length);
				attr(&wr, "length", len);
			}
			end(&wr);
		}
		if (it->summary) {
			start(&wr, "summary");
			attr(&wr, "type", "html");
			text(&wr, it->summary);
			end(&wr);
		}
		if (it->content) {
			start(&wr, "content");
			attr(&wr, "type", "html");
			text(&wr, it->content);
			end(&wr);
		}
		if (ch->aggregated && it->source) {
			start(&wr, "source");
			/* A local source's path stays private: its id is a name, not a file URL. */
			char *sid = web_url(it->source_url) ? xstrdup(it->source_url)
							    : xasprintf("urn:tidings:source:%s", it->source);
			element(&wr, "id", sid);
			free(sid);
			element(&wr, "title", it->source_title ? it->source_title : it->source);
			atom_link(&wr, "alternate", "text/html", it->source_link);
			atom_link(&wr, "self", NULL, web_url(it->source_url) ? it->source_url : NULL);
			end(&wr);
		}
		end(&wr);
	}
	end(&wr);
	free(self);
	return writer_close(&wr, out);
}

int render_json(const struct render_channel *ch, const struct feed *items, struct buf *out)
{
	char *self = feed_url(ch, "json");
	buf_adds(out, "{");
	json_member(out, "version", "https://jsonfeed.org/version/1.1", 1);
	json_member(out, "title", ch->title, 0);
	json_member(out, "home_page_url", ch->home_url, 0);
	json_member(out, "feed_url", self, 0);
	if (ch->description && *ch->description) {
		json_member(out, "description", ch->description, 0);
	}
	if (ch->language) {
		json_member(out, "language", ch->language, 0);
	}
	if (ch->hub && *ch->hub) {
		json_key(out, "hubs", 0);
		buf_adds(out, "[{\"type\":\"WebSub\",\"url\":");
		json_string(out, ch->hub);
		buf_adds(out, "}]");
	}
	json_key(out, "items", 0);
	buf_adds(out, "[\n");
	for (size_t i = 0; i < items->nitems; i++) {
		const struct item *it = &items->items[i];
		if (i)
			buf_adds(out, ",\n");
		buf_adds(out, "{");
		json_member(out, "id", it->uid, 1);
		if (it->link) {
			json_member(out, "url", it->link, 0);
		}
		json_member(out, "title", it->title ? it->title : "", 0);
		json_member(out, "content_html", it->content ? it->content : it->summary ? it->summary : "", 0);
		if (it->summary) {
			char *plain = text_from_html(it->summary);
			json_member(out, "summary", plain, 0);
			free(plain);
		}
		json_key(out, "date_published", 0);
		json_date(out, item_published(it));
		json_key(out, "date_modified", 0);
		json_date(out, item_updated(it));
		if (it->author) {
			json_key(out, "authors", 0);
			buf_adds(out, "[{\"name\":");
			json_string(out, it->author);
			buf_adds(out, "}]");
		}
		if (it->ncategories) {
			json_key(out, "tags", 0);
			json_strings(out, it->categories, it->ncategories);
		}
		if (it->nenclosures) {
			json_key(out, "attachments", 0);
			buf_addc(out, '[');
			for (size_t e = 0; e < it->nenclosures; e++) {
				const struct enclosure *enc = &it->enclosures[e];
				if (e)
					buf_addc(out, ',');
				buf_adds(out, "{\"url\":");
				json_string(out, enc->url);
				buf_adds(out, ",\"mime_type\":");
				json_string(out, enc->type ? enc->type : "application/octet-stream");
				if (enc->length >= 0)
					buf_printf(out, ",\"size_in_bytes\":%lld", (long long)enc->length);
				buf_addc(out, '}');
			}
			buf_addc(out, ']');
		}
		buf_adds(out, "}");
	}
	buf_adds(out, "\n]}\n");
	free(self);
	return 0;
}

static const struct {
	const char *ext, *type, *label;
} formats[] = {
	{"rss", "application/rss+xml", "RSS"},
	{"atom", "application/atom+xml", "Atom"},
	{"json", "application/feed+json", "JSON Feed"},
};

static void index_feed_links(struct buf *b, const struct config *cfg, const char *slug)
{
	for (size_t f = 0; f < 3; f++) {
		buf_adds(b, f ? " · " : "");
		buf_adds(b, "<a href=\"");
		text_html_escape(b, cfg->link, 1);
		text_html_escape(b, slug, 1);
		buf_printf(b, ".%s\">%s</a>", formats[f].ext, formats[f].label);
	}
}

int render_index(const struct config *cfg, struct feed *const *lists, struct buf *b)
{
	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"");
	text_html_escape(b, cfg->language, 1);
	buf_adds(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	text_html_escape(b, cfg->title, 1);
	buf_adds(b, "</title>\n");
	for (size_t c = 0; c <= cfg->ncategories; c++) {
		const char *slug = c < cfg->ncategories ? cfg->categories[c].slug : "new";
		const char *title = c < cfg->ncategories ? cfg->categories[c].title : "New posts";
		for (size_t f = 0; f < 3; f++) {
			buf_printf(b, "<link rel=\"alternate\" type=\"%s\" title=\"", formats[f].type);
			text_html_escape(b, cfg->title, 1);
			buf_adds(b, ": ");
			text_html_escape(b, title, 1);
			buf_printf(b, " (%s)\" href=\"", formats[f].label);
			text_html_escape(b, cfg->link, 1);
			text_html_escape(b, slug, 1);
			buf_printf(b, ".%s\">\n", formats[f].ext);
		}
	}
	buf_adds(b, "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;"
		    "padding:0 1rem;color:#222}h2{margin-top:2rem;border-bottom:1px solid #ddd}"
		    "ul{padding-left:1.2rem}.feeds,.footer{font-size:.9rem}.date{color:#666;font-size:.85rem}"
		    "</style>\n</head>\n<body>\n<h1>");
	text_html_escape(b, cfg->title, 1);
	buf_adds(b, "</h1>\n");
	if (cfg->description) {
		buf_adds(b, "<p>");
		text_html_escape(b, cfg->description, 1);
		buf_adds(b, "</p>\n");
	}
	buf_adds(b, "<p class=\"feeds\">New posts from every category: ");
	index_feed_links(b, cfg, "new");
	buf_adds(b, " · <a href=\"");
	text_html_escape(b, cfg->link, 1);
	buf_adds(b, "feeds.opml\">OPML</a></p>\n");
	for (size_t c = 0; c < cfg->ncategories; c++) {
		const struct config_category *cat = &cfg->categories[c];
		buf_adds(b, "<div class=\"category\">\n<h2 id=\"");
		text_html_escape(b, cat->slug, 1);
		buf_adds(b, "\">");
		text_html_escape(b, cat->title, 1);
		buf_adds(b, "</h2>\n");
		if (cat->description) {
			buf_adds(b, "<p>");
			text_html_escape(b, cat->description, 1);
			buf_adds(b, "</p>\n");
		}
		buf_adds(b, "<p class=\"feeds\">");
		index_feed_links(b, cfg, cat->slug);
		buf_adds(b, "</p>\n<ul>\n");
		const struct feed *items = lists[c];
		for (size_t i = 0; i < items->nitems && i < INDEX_ITEMS; i++) {
			const struct item *it = &items->items[i];
			char when[32];
			date_rfc3339(item_published(it), when);
			buf_adds(b, "<li>");
			if (it->link) {
				buf_adds(b, "<a href=\"");
				text_html_escape(b, it->link, 1);
				buf_adds(b, "\">");
			}
			text_html_escape(b, it->title && *it->title ? it->title : "(untitled)", 1);
			if (it->link)
				buf_adds(b, "</a>");
			buf_printf(b, " <span class=\"date\" title=\"%s\">%.10s</span></li>\n", when, when);
		}
		if (!items->nitems)
			buf_adds(b, "<li>No items yet.</li>\n");
		buf_adds(b, "</ul>\n</div>\n");
	}
	buf_adds(b, "<p class=\"footer\">Published by tidings.</p>\n</body>\n</html>\n");
	return 0;
}

/* Starts an OPML 2.0 document and leaves it inside <body>. */
static int opml_open(struct writer *wr, const char *title)
{
	if (writer_open(wr) < 0)
		return -1;
	start(wr, "opml");
	attr(wr, "version", "2.0");
	start(wr, "head");
	element(wr, "title", title);
	end(wr);
	start(wr, "body");
	return 0;
}

int render_opml(const struct config *cfg, struct buf *out)
{
	struct writer wr;
	if (opml_open(&wr, cfg->title) < 0)
		return -1;
	for (size_t c = 0; c <= cfg->ncategories; c++) {
		const char *slug = c < cfg->ncategories ? cfg->categories[c].slug : "new";
		const char *title = c < cfg->ncategories ? cfg->categories[c].title : "New posts";
		char *url = xasprintf("%s%s.atom", cfg->link, slug);
		char *label = xasprintf("%s: %s", cfg->title, title);
		start(&wr, "outline");
		attr(&wr, "type", "rss");
		attr(&wr, "text", label);
		attr(&wr, "title", label);
		attr(&wr, "xmlUrl", url);
		attr(&wr, "htmlUrl", cfg->link);
		end(&wr);
		free(url);
		free(label);
	}
	end(&wr);
	end(&wr);
	return writer_close(&wr, out);
}

int render_sources_opml(const struct config *cfg, struct buf *out)
{
	struct writer wr;
	if (opml_open(&wr, cfg->title) < 0)
		return -1;
	for (size_t c = 0; c < cfg->ncategories; c++) {
		const struct config_category *cat = &cfg->categories[c];
		start(&wr, "outline");
		attr(&wr, "text", cat->title);
		attr(&wr, "title", cat->title);
		for (size_t i = 0; i < cfg->nsources; i++) {
			const struct config_source *src = &cfg->sources[i];
			int member = 0;
			for (size_t k = 0; k < src->ncategories; k++)
				member |= !strcmp(src->categories[k], cat->slug);
			if (!member)
				continue;
			start(&wr, "outline");
			attr(&wr, "type", src->type == SOURCE_FEED || src->type == SOURCE_AUTO ? "rss" : "link");
			attr(&wr, "text", src->title ? src->title : src->name);
			attr(&wr, "title", src->title ? src->title : src->name);
			attr(&wr, "xmlUrl", src->fetch_url);
			end(&wr);
		}
		end(&wr);
	}
	end(&wr);
	end(&wr);
	return writer_close(&wr, out);
}

/* Writes dir/name, and its gzip twin when the bytes changed (or the twin is missing). */
static int publish_as(const char *dir, const char *name, struct buf *data, int twin,
		      struct render_stats *stats, char *err, size_t errlen)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *gzpath = xasprintf("%s.gz", path);
	int rc = util_mkdir_parents(path, err, errlen);
	if (rc == 0)
		rc = util_write_if_changed(path, buf_str(data), data->len, err, errlen);
	if (rc >= 0 && twin && (rc > 0 || access(gzpath, F_OK) != 0)) {
		size_t gzlen;
		char *gz = util_gzip(buf_str(data), data->len, &gzlen);
		if (!gz || util_write_if_changed(gzpath, gz, gzlen, err, errlen) < 0) {
			if (!gz)
				util_errf(err, errlen, "render: %s: gzip failed", gzpath);
			rc = -1;
		}
		free(gz);
	}
	free(path);
	free(gzpath);
	buf_reset(data);
	if (rc < 0)
		return -1;
	if (rc > 0)
		stats->files_written++;
	else
		stats->files_unchanged++;
	return 0;
}

static int publish(const char *dir, const char *name, struct buf *data, struct render_stats *stats,
		   char *err, size_t errlen)
{
	return publish_as(dir, name, data, 1, stats, err, errlen);
}

static int publish_feed(const char *dir, const char *slug, const struct render_channel *ch,
			const struct feed *items, struct render_stats *stats, char *err, size_t errlen)
{
	static int (*const writers[3])(const struct render_channel *, const struct feed *, struct buf *) = {
		render_rss, render_atom, render_json};
	static const char *const exts[3] = {"rss", "atom", "json"};
	struct buf b;
	buf_init(&b, 0);
	char name[128];
	int rc = -1;
	for (int f = 0; f < 3; f++) {
		snprintf(name, sizeof name, "%s.%s", slug, exts[f]);
		int before = stats->files_written;
		if (writers[f](ch, items, &b) < 0 || publish(dir, name, &b, stats, err, errlen) < 0)
			goto out;
		if (stats->files_written > before && stats->feed_changed) {
			char *url = xasprintf("%s.%s", ch->self_base, exts[f]);
			stats->feed_changed(url, stats->arg);
			free(url);
		}
	}
	rc = 0;
out:
	if (rc < 0 && err && !*err)
		util_errf(err, errlen, "render: %s: cannot write feed", slug);
	buf_release(&b);
	return rc;
}

static int cmp_newest(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int64_t dx = item_published(x), dy = item_published(y);
	if (dx != dy)
		return dx < dy ? 1 : -1;
	return strcmp(y->uid, x->uid);
}

/* Adds the items of extra that items lacks (by uid), then orders items newest first. */
static void merge_items(struct feed *items, struct feed *extra)
{
	for (size_t i = 0; i < extra->nitems; i++) {
		struct item *e = &extra->items[i];
		int have = 0;
		for (size_t k = 0; k < items->nitems && !have; k++)
			have = !strcmp(items->items[k].uid, e->uid);
		if (have)
			continue;
		struct item *slot = feed_add_item(items);
		*slot = *e;
		memset(e, 0, sizeof *e); /* moved */
	}
	qsort(items->items, items->nitems, sizeof *items->items, cmp_newest);
}

/* The archive pages of one category to write. */
struct archive_run {
	const struct config_category *cat;
	struct render_channel base_ch; /* the category's channel; title and current owned here */
	char *title, *current;
	int64_t full;
	int size;
};

/* Every archive page a build writes, of every category, taken one at a time by the building
 * thread and by helper threads (one per further CPU, each with a store connection of its own),
 * which start as soon as a first poll's many pages are queued and write them while the
 * building thread goes on with the categories' current documents. */
struct archive_pool {
	const struct config *cfg;
	struct archive_run **runs;
	size_t nruns;
	struct {
		size_t run;
		int64_t k;
	} *pages;
	size_t npages, cap, next;
	pthread_mutex_t lock;
	pthread_cond_t more;
	int closing, failed;
	char err[512];
	struct archive_helper *helpers;
	int nhelpers;
};

struct archive_helper {
	pthread_t thread;
	struct archive_pool *pool;
	struct render_stats stats;
};

/* The minutes a reader may cache a feed for: the poll interval. */
static int feed_ttl(const struct config *cfg)
{
	return (int)(cfg->poll_interval / 60);
}

/* The channel every document of a category shares; title is the caller's to free. */
static struct render_channel category_channel(const struct config *cfg, const struct config_category *cat,
					      char **title)
{
	*title = xasprintf("%s: %s", cfg->title, cat->title);
	return (struct render_channel){
		.title = *title,
		.description = cat->description ? cat->description : cfg->description,
		.language = cfg->language,
		.home_url = cfg->link,
		.hub = cfg->hub,
		.ttl = feed_ttl(cfg),
	};
}

/* The archive pages of a category whose newest link has arrival number last_seq. */
static struct archive_run *archive_run_new(const struct config *cfg, const struct config_category *cat,
					   int64_t last_seq)
{
	struct archive_run *run = xcalloc(1, sizeof *run);
	run->cat = cat;
	run->size = cfg->items_per_feed;
	run->full = last_seq / run->size;
	run->base_ch = category_channel(cfg, cat, &run->title);
	run->current = xasprintf("%s%s.atom", cfg->link, cat->slug);
	return run;
}

static void archive_run_free(struct archive_run *run)
{
	free(run->title);
	free(run->current);
	free(run);
}

/* Writes archive page k of the run from store. */
static int write_archive_page(const struct config *cfg, const struct archive_run *run, struct store *store,
			      int64_t k, struct render_stats *stats, char *err, size_t errlen)
{
	const char *slug = run->cat->slug;
	char *name = xasprintf("archive/%s/%lld.atom", slug, (long long)k);
	struct feed *page = feed_new();
	char *self = xasprintf("%sarchive/%s/%lld", cfg->link, slug, (long long)k);
	char *prev = k > 1 ? xasprintf("%sarchive/%s/%lld.atom", cfg->link, slug, (long long)k - 1) : NULL;
	char *next = k < run->full ? xasprintf("%sarchive/%s/%lld.atom", cfg->link, slug, (long long)k + 1) : NULL;
	struct render_channel ch = run->base_ch;
	ch.self_base = self;
	ch.stylesheet = "../../feed.xsl";
	ch.archive = 1;
	ch.current = run->current;
	ch.prev_archive = prev;
	ch.next_archive = next;
	struct buf b;
	buf_init(&b, 0);
	int rc = store_category_range(store, slug, (k - 1) * run->size + 1, k * run->size, page, err, errlen);
	if (rc == 0) {
		qsort(page->items, page->nitems, sizeof *page->items, cmp_newest);
		rc = render_atom(&ch, page, &b);
	}
	/* Archive pages are read rarely: the server compresses them on demand. */
	if (rc == 0)
		rc = publish_as(cfg->output, name, &b, 0, stats, err, errlen);
	buf_release(&b);
	feed_free(page);
	free(self);
	free(prev);
	free(next);
	free(name);
	return rc;
}

/* Takes pages from the pool until none is left (with wait: until the pool closes) or one fails. */
static void archive_loop(struct archive_pool *pool, struct store *store, struct render_stats *stats, int wait)
{
	pthread_mutex_lock(&pool->lock);
	for (;;) {
		if (pool->failed)
			break;
		if (pool->next == pool->npages) {
			if (!wait || pool->closing)
				break;
			pthread_cond_wait(&pool->more, &pool->lock);
			continue;
		}
		const struct archive_run *run = pool->runs[pool->pages[pool->next].run];
		int64_t k = pool->pages[pool->next++].k;
		pthread_mutex_unlock(&pool->lock);
		char err[512] = "";
		int rc = write_archive_page(pool->cfg, run, store, k, stats, err, sizeof err);
		pthread_mutex_lock(&pool->lock);
		if (rc < 0 && !pool->failed) {
			snprintf(pool->err, sizeof pool->err, "%s", err);
			pool->failed = 1;
		}
	}
	pthread_mutex_unlock(&pool->lock);
}

/* A helper thread reads the store through a connection of its own. */
static void *archive_thread(void *arg)
{
	struct archive_helper *h = arg;
	char err[512];
	struct store *store = store_open(h->pool->cfg->database, err, sizeof err);
	if (store) {
		archive_loop(h->pool, store, &h->stats, 1);
		store_close(store);
	}
	return NULL;
}

#define ARCHIVE_THREADS 8

static void pool_init(struct archive_pool *pool, const struct config *cfg)
{
	memset(pool, 0, sizeof *pool);
	pool->cfg = cfg;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->more, NULL);
}

/* RFC 5005 archive pages of one category: page k (from 1) holds the items whose arrival numbers
 * are (k-1)*size+1 … k*size.  Only full pages exist, so a page never changes once written (not
 * even when retention prunes its items later), except that the newest one gains its
 * next-archive link when the page after it appears.  The pages to write join the pool. */
static void queue_archives(struct archive_pool *pool, const struct config_category *cat, int64_t last_seq)
{
	const struct config *cfg = pool->cfg;
	struct archive_run *run = archive_run_new(cfg, cat, last_seq);
	pthread_mutex_lock(&pool->lock);
	pool->runs = xrealloc(pool->runs, (pool->nruns + 1) * sizeof *pool->runs);
	size_t r = pool->nruns++;
	pool->runs[r] = run;
	pthread_mutex_unlock(&pool->lock);
	for (int64_t k = 1; k <= run->full; k++) {
		char *path = xasprintf("%s/archive/%s/%lld.atom", cfg->output, cat->slug, (long long)k);
		char *next_path = xasprintf("%s/archive/%s/%lld.atom", cfg->output, cat->slug, (long long)k + 1);
		/* Written pages are final, unless this is the newest written one and a new page follows. */
		int skip = access(path, F_OK) == 0 && (k == run->full || access(next_path, F_OK) == 0);
		free(path);
		free(next_path);
		if (skip)
			continue;
		pthread_mutex_lock(&pool->lock);
		if (pool->npages == pool->cap) {
			pool->cap = pool->cap ? 2 * pool->cap : 64;
			pool->pages = xrealloc(pool->pages, pool->cap * sizeof *pool->pages);
		}
		pool->pages[pool->npages].run = r;
		pool->pages[pool->npages++].k = k;
		pthread_cond_signal(&pool->more);
		pthread_mutex_unlock(&pool->lock);
	}
	/* Many pages (a first poll): helpers, one per further CPU, from now on. */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int want = cpus - 1 < ARCHIVE_THREADS ? (int)cpus - 1 : ARCHIVE_THREADS;
	if (!pool->helpers && want > 0 && pool->npages - pool->next >= 8) {
		pool->helpers = xcalloc((size_t)want, sizeof *pool->helpers);
		for (int i = 0; i < want; i++) {
			pool->helpers[pool->nhelpers] = (struct archive_helper){.pool = pool};
			if (pthread_create(&pool->helpers[pool->nhelpers].thread, NULL, archive_thread,
					   &pool->helpers[pool->nhelpers]) == 0)
				pool->nhelpers++;
		}
	}
}

/* Writes what is left of the pool on this thread too (unless the build has failed: then the
 * helpers only stop), waits for the helpers, and frees it all; -1 with the first failure in err. */
static int pool_finish(struct archive_pool *pool, struct store *store, int abandon, struct render_stats *stats,
		       char *err, size_t errlen)
{
	if (abandon) {
		pthread_mutex_lock(&pool->lock);
		pool->failed = 1;
		pthread_mutex_unlock(&pool->lock);
	}
	archive_loop(pool, store, stats, 0);
	pthread_mutex_lock(&pool->lock);
	pool->closing = 1;
	pthread_cond_broadcast(&pool->more);
	pthread_mutex_unlock(&pool->lock);
	for (int i = 0; i < pool->nhelpers; i++) {
		pthread_join(pool->helpers[i].thread, NULL);
		stats->files_written += pool->helpers[i].stats.files_written;
		stats->files_unchanged += pool->helpers[i].stats.files_unchanged;
	}
	/* every helper failed to open the store: finish here */
	if (!pool->failed)
		archive_loop(pool, store, stats, 0);
	int rc = 0;
	if (pool->failed) {
		if (!abandon)
			util_errf(err, errlen, "%s", pool->err);
		rc = -1;
	}
	for (size_t i = 0; i < pool->nruns; i++)
		archive_run_free(pool->runs[i]);
	free(pool->runs);
	free(pool->pages);
	free(pool->helpers);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->more);
	return rc;
}

/* Writing ahead: a thread beside a poll pass that writes the archive pages which became final
 * (full, with a full page after them) while the pass goes on storing.  A first poll of many
 * sources fills hundreds of pages; the build after the pass then finds them written. */
struct render_ahead {
	const struct config *cfg;
	const int *changed;
	int64_t *written; /* per category: pages 1 … written[c] are final and on disk */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping, pages;
};

#define AHEAD_EVERY_MS 200

static int ahead_stopping(struct render_ahead *ra)
{
	pthread_mutex_lock(&ra->lock);
	int stop = ra->stopping;
	pthread_mutex_unlock(&ra->lock);
	return stop;
}

/* One look at the flagged categories; -1 when the store fails (the build writes the pages). */
static int ahead_step(struct render_ahead *ra, struct store *store)
{
	const struct config *cfg = ra->cfg;
	for (size_t c = 0; c < cfg->ncategories; c++) {
		if (!__atomic_load_n(&ra->changed[c], __ATOMIC_RELAXED))
			continue;
		const struct config_category *cat = &cfg->categories[c];
		char err[512];
		int64_t last_seq = store_category_last_seq(store, cat->slug, err, sizeof err);
		if (last_seq < 0)
			return -1;
		struct archive_run *run = archive_run_new(cfg, cat, last_seq);
		int rc = 0;
		for (int64_t k = ra->written[c] + 1; k < run->full && rc == 0; k++) {
			if (ahead_stopping(ra))
				break;
			/* As the build sees it: a written page followed by another is final. */
			char *path = xasprintf("%s/archive/%s/%lld.atom", cfg->output, cat->slug, (long long)k);
			char *next_path = xasprintf("%s/archive/%s/%lld.atom", cfg->output, cat->slug, (long long)k + 1);
			int final = access(path, F_OK) == 0 && access(next_path, F_OK) == 0;
			free(path);
			free(next_path);
			struct render_stats stats = {0, 0, NULL, NULL};
			if (!final && (rc = write_archive_page(cfg, run, store, k, &stats, err, sizeof err)) == 0)
				ra->pages += stats.files_written;
			if (rc == 0)
				ra->written[c] = k;
		}
		archive_run_free(run);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void *ahead_thread(void *arg)
{
	struct render_ahead *ra = arg;
	struct store *store = NULL;
	/* Spare time only: the pass's storer and parsers come first. */
	util_thread_nicer(19);
	pthread_mutex_lock(&ra->lock);
	int busy = 0; /* the last look wrote pages: more may have become final meanwhile */
	while (!ra->stopping) {
		if (!busy) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += AHEAD_EVERY_MS * 1000000L;
			until.tv_sec += until.tv_nsec / 1000000000L;
			until.tv_nsec %= 1000000000L;
			pthread_cond_timedwait(&ra->wake, &ra->lock, &until);
			if (ra->stopping)
				break;
		}
		int before = ra->pages;
		pthread_mutex_unlock(&ra->lock);
		char err[512];
		if (!store)
			store = store_open(ra->cfg->database, err, sizeof err);
		int rc = store ? ahead_step(ra, store) : -1;
		pthread_mutex_lock(&ra->lock);
		if (rc < 0)
			break; /* the build after the pass writes what is left, and reports */
		busy = ra->pages > before;
	}
	pthread_mutex_unlock(&ra->lock);
	store_close(store);
	return NULL;
}

struct render_ahead *render_ahead_start(const struct config *cfg, const int *changed)
{
	if (!changed || !cfg->ncategories)
		return NULL;
	struct render_ahead *ra = xcalloc(1, sizeof *ra);
	ra->cfg = cfg;
	ra->changed = changed;
	ra->written = xcalloc(cfg->ncategories, sizeof *ra->written);
	pthread_mutex_init(&ra->lock, NULL);
	pthread_cond_init(&ra->wake, NULL);
	if (pthread_create(&ra->thread, NULL, ahead_thread, ra) != 0) {
		ra->stopping = 1;
		render_ahead_stop(ra);
		return NULL;
	}
	return ra;
}

int render_ahead_stop(struct render_ahead *ra)
{
	if (!ra)
		return 0;
	pthread_mutex_lock(&ra->lock);
	int started = !ra->stopping;
	ra->stopping = 1;
	pthread_cond_signal(&ra->wake);
	pthread_mutex_unlock(&ra->lock);
	if (started)
		pthread_join(ra->thread, NULL);
	int pages = ra->pages;
	pthread_mutex_destroy(&ra->lock);
	pthread_cond_destroy(&ra->wake);
	free(ra->written);
	free(ra);
	return pages;
}

static int publish_category(const struct config *cfg, struct store *store,
			    const struct config_category *cat, struct feed *items,
			    struct archive_pool *pool, struct render_stats *stats, char *err, size_t errlen)
{
	int size = cfg->items_per_feed;
	int64_t last_seq = store_category_last_seq(store, cat->slug, err, errlen);
	if (last_seq < 0 || store_category_items(store, cat->slug, size, items, err, errlen) < 0)
		return -1;
	int64_t full = last_seq / size;
	/* Items after the last full archive page must be in the current document even when their
	 * dates put them outside the newest window, or a reader paging back would miss them. */
	if (last_seq > full * size) {
		struct feed *tail = feed_new();
		int rc = store_category_range(store, cat->slug, full * size + 1, last_seq, tail, err, errlen);
		if (rc == 0)
			merge_items(items, tail);
		feed_free(tail);
		if (rc < 0)
			return -1;
	}
	char *base = xasprintf("%s%s", cfg->link, cat->slug);
	char *title;
	char *xsl = xstrdup("feed.xsl"); /* relative: XSLT must come from the feed's own origin */
	char *prev = full ? xasprintf("%sarchive/%s/%lld.atom", cfg->link, cat->slug, (long long)full) : NULL;
	struct render_channel ch = category_channel(cfg, cat, &title);
	ch.self_base = base;
	ch.stylesheet = xsl;
	ch.prev_archive = prev;
	int rc = publish_feed(cfg->output, cat->slug, &ch, items, stats, err, errlen);
	if (rc == 0 && full)
		queue_archives(pool, cat, last_seq);
	free(base);
	free(title);
	free(xsl);
	free(prev);
	return rc;
}

int render_all(const struct config *cfg, struct store *store, const int *changed,
	       struct render_stats *stats, char *err, size_t errlen)
{
	struct render_stats local = {0, 0, NULL, NULL};
	if (!stats)
		stats = &local;
	if (err && errlen)
		*err = '\0';
	if (util_mkdir_p(cfg->output, err, errlen) < 0)
		return -1;
	int rc = -1;
	struct archive_pool pool;
	pool_init(&pool, cfg);
	struct feed **lists = xcalloc(cfg->ncategories + 1, sizeof *lists);
	struct feed *fresh = feed_new();
	int ttl = feed_ttl(cfg);
	for (size_t c = 0; c < cfg->ncategories; c++) {
		const struct config_category *cat = &cfg->categories[c];
		lists[c] = feed_new();
		char *atom = xasprintf("%s/%s.atom", cfg->output, cat->slug);
		int exists = access(atom, F_OK) == 0;
		free(atom);
		if (!changed || changed[c] || !exists) {
			struct feed *items = feed_new();
			int r = publish_category(cfg, store, cat, items, &pool, stats, err, errlen);
			feed_free(items);
			if (r < 0)
				goto out;
		}
		/* index.html shows the same newest items whichever categories were rebuilt. */
		if (store_category_items(store, cat->slug, INDEX_ITEMS, lists[c], err, errlen) < 0)
			goto out;
	}
	if (store_new_items(store, cfg->new_items, fresh, err, errlen) < 0)
		goto out;
	char *base = xasprintf("%snew", cfg->link);
	char *title = xasprintf("%s: new posts", cfg->title);
	char *xsl = xstrdup("feed.xsl");
	struct render_channel ch = {
		.title = title,
		.description = cfg->description,
		.language = cfg->language,
		.home_url = cfg->link,
		.self_base = base,
		.hub = cfg->hub,
		.ttl = ttl,
		.aggregated = 1,
		.stylesheet = xsl,
	};
	int r = publish_feed(cfg->output, "new", &ch, fresh, stats, err, errlen);
	free(base);
	free(title);
	free(xsl);
	if (r < 0)
		goto out;
	struct buf b;
	buf_init(&b, 0);
	render_index(cfg, lists, &b);
	r = publish(cfg->output, "index.html", &b, stats, err, errlen);
	if (r == 0 && render_opml(cfg, &b) == 0)
		r = publish(cfg->output, "feeds.opml", &b, stats, err, errlen);
	if (r == 0 && buf_adds(&b, render_feed_xsl) == 0)
		r = publish(cfg->output, "feed.xsl", &b, stats, err, errlen);
	buf_release(&b);
	if (r < 0)
		goto out;
	rc = 0;
out:
	if (pool_finish(&pool, store, rc < 0, stats, err, errlen) < 0)
		rc = -1;
	for (size_t c = 0; c < cfg->ncategories; c++)
		feed_free(lists[c]);
	free(lists);
	feed_free(fresh);
	return rc;
}
