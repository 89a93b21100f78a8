#include "jsonfeed.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/uri.h>

#include "buf.h"
#include "date.h"
#include "sanitize.h"
#include "util.h"

static const char *str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static char *dup_str(json_t *obj, const char *key)
{
	const char *v = str(obj, key);
	return v && *v ? xstrdup(v) : NULL;
}

static char *resolve(const char *ref, const char *base)
{
	if (!ref || !*ref)
		return NULL;
	if (!base)
		return xstrdup(ref);
	xmlChar *abs = xmlBuildURI((const xmlChar *)ref, (const xmlChar *)base);
	char *out = xstrdup(abs ? (const char *)abs : ref);
	xmlFree(abs);
	return out;
}

static int64_t date_of(json_t *obj, const char *key, int tz)
{
	const char *v = str(obj, key);
	return v ? date_parse(v, tz) : DATE_NONE;
}

/* 1.1 "authors": [{name}], 1.0 "author": {name}; names joined with ", ". */
static char *authors(json_t *obj)
{
	struct buf b;
	buf_init(&b, 4096);
	json_t *list = json_object_get(obj, "authors");
	size_t i;
	json_t *a;
	if (json_is_array(list)) {
		json_array_foreach(list, i, a) {
			const char *name = json_is_object(a) ? str(a, "name") : NULL;
			if (name && *name) {
				if (b.len)
					buf_adds(&b, ", ");
				buf_adds(&b, name);
			}
		}
	}
	if (!b.len) {
		json_t *one = json_object_get(obj, "author");
		const char *name = json_is_object(one) ? str(one, "name") : NULL;
		if (name && *name)
			buf_adds(&b, name);
	}
	if (!b.len) {
		buf_release(&b);
		return NULL;
	}
	return buf_take(&b, NULL);
}

/* feed_author: the top-level authors, which are the item's when it names none (1.1; 1.0's top-level
 * author likewise). */
static void item_of(struct feed *f, json_t *o, const char *base, const char *feed_author,
		    const struct parse_options *opt)
{
	struct item *it = feed_add_item(f);
	json_t *id = json_object_get(o, "id");
	if (json_is_string(id) && *json_string_value(id))
		it->id = xstrdup(json_string_value(id));
	else if (json_is_integer(id)) /* 1.0 feeds in the wild number their items */
		it->id = xasprintf("%lld", (long long)json_integer_value(id));
	it->link = resolve(str(o, "url"), base);
	if (!it->link)
		it->link = resolve(str(o, "external_url"), base);
	it->title = dup_str(o, "title");
	const char *html = str(o, "content_html"), *text = str(o, "content_text");
	if (html && *html)
		it->content = sanitize_html(html, base);
	else if (text && *text) {
		char *h = text_to_html(text);
		it->content = sanitize_html(h, base);
		free(h);
	}
	const char *summary = str(o, "summary");
	if (summary && *summary) /* plain text in JSON Feed */
		it->summary = text_to_html(summary);
	it->published = date_of(o, "date_published", opt->tz_offset);
	it->updated = date_of(o, "date_modified", opt->tz_offset);
	it->author = authors(o);
	if (!it->author && feed_author)
		it->author = xstrdup(feed_author);
	json_t *tags = json_object_get(o, "tags"), *t;
	size_t i;
	if (json_is_array(tags))
		json_array_foreach(tags, i, t)
			if (json_is_string(t) && *json_string_value(t))
				item_add_category(it, json_string_value(t));
	json_t *atts = json_object_get(o, "attachments"), *a;
	if (json_is_array(atts))
		json_array_foreach(atts, i, a) {
			char *url = json_is_object(a) ? resolve(str(a, "url"), base) : NULL;
			if (!url)
				continue;
			struct enclosure *e = item_add_enclosure(it, url);
			free(url);
			if (!e->type)
				e->type = dup_str(a, "mime_type");
			json_t *size = json_object_get(a, "size_in_bytes");
			if (json_is_integer(size) && json_integer_value(size) >= 0)
				e->length = json_integer_value(size);
		}
}

struct feed *jsonfeed_parse(const char *data, size_t len, const struct parse_options *opt, char *err,
			    size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loadb(data, len, JSON_DISABLE_EOF_CHECK, &jerr);
	if (!root) {
		util_errf(err, errlen, "not valid JSON: line %d: %s", jerr.line, jerr.text);
		return NULL;
	}
	const char *version = json_is_object(root) ? str(root, "version") : NULL;
	if (!version || strncmp(version, "https://jsonfeed.org/version/1", 30)) {
		util_errf(err, errlen, "JSON, but not a JSON Feed (no https://jsonfeed.org/version/1 version)");
		json_decref(root);
		return NULL;
	}
	struct feed *f = feed_new();
	f->format = xstrdup("jsonfeed");
	f->link = resolve(str(root, "home_page_url"), opt->base_url);
	f->title = dup_str(root, "title");
	f->description = dup_str(root, "description");
	f->language = dup_str(root, "language");
	/* Relative item URLs resolve against the feed's own URL, else its home page. */
	const char *base = opt->base_url ? opt->base_url : f->link;
	char *feed_author = authors(root);
	json_t *items = json_object_get(root, "items"), *o;
	size_t i;
	if (json_is_array(items))
		json_array_foreach(items, i, o)
			if (json_is_object(o))
				item_of(f, o, base, feed_author, opt);
	free(feed_author);
	json_decref(root);
	feed_finish(f);
	return f;
}
