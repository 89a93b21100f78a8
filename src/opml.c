#include "opml.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <utf8proc.h>

#include "feed.h"
#include "util.h"

char *opml_slugify(const char *text, const char *fallback)
{
	utf8proc_uint8_t *folded = NULL;
	struct buf b;
	buf_init(&b, 64);
	if (text && utf8proc_map((const utf8proc_uint8_t *)text, 0, &folded,
				 UTF8PROC_NULLTERM | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
					 UTF8PROC_CASEFOLD) >= 0) {
		int dash = 0;
		for (const unsigned char *c = folded; *c; c++) {
			char ch = 0;
			if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'))
				ch = (char)*c;
			else if (c[0] == 0xC4 && c[1] == 0x91) { /* đ has no decomposition */
				ch = 'd';
				c++;
			}
			if (ch) {
				if (dash && b.len && buf_addc(&b, '-') < 0)
					break;
				if (buf_addc(&b, ch) < 0)
					break;
				dash = 0;
			} else {
				dash = 1;
			}
		}
	}
	free(folded);
	if (!b.len) {
		buf_release(&b);
		return xstrdup(fallback);
	}
	return buf_take(&b, NULL);
}

/* Config values are single lines: new lines and comment starters after a space would change them. */
static void put_value(struct buf *out, const char *key, const char *v)
{
	buf_printf(out, "%s = ", key);
	for (const char *c = v; *c; c++)
		buf_addc(out, *c == '\n' || *c == '\r' || *c == '\t' ? ' ' : *c);
	buf_addc(out, '\n');
}

struct names {
	char **v;
	size_t n;
};

static char *unique(struct names *used, char *name)
{
	char *candidate = xstrdup(name);
	for (int k = 2;; k++) {
		int clash = 0;
		for (size_t i = 0; i < used->n && !clash; i++)
			clash = !strcmp(used->v[i], candidate);
		if (!clash)
			break;
		free(candidate);
		candidate = xasprintf("%s-%d", name, k);
	}
	free(name);
	used->v = xrealloc(used->v, (used->n + 1) * sizeof *used->v);
	used->v[used->n++] = xstrdup(candidate);
	return candidate;
}

static void walk(xmlNode *n, const char *category, struct buf *out, struct names *sources,
		 struct names *cats, int *count)
{
	for (xmlNode *o = n->children; o; o = o->next) {
		if (o->type != XML_ELEMENT_NODE || strcmp((const char *)o->name, "outline"))
			continue;
		char *text = xml_prop(o, "title");
		if (!text)
			text = xml_prop(o, "text");
		char *url = xml_prop(o, "xmlUrl");
		if (url && (util_strncaseeq(url, "http://", 7) || util_strncaseeq(url, "https://", 8) ||
			    util_strncaseeq(url, "file://", 7))) {
			char *name = unique(sources, opml_slugify(text, "source"));
			buf_printf(out, "\n[source %s]\n", name);
			put_value(out, "url", url);
			buf_adds(out, "type = auto\n");
			put_value(out, "category", category);
			if (text)
				put_value(out, "title", text);
			free(name);
			(*count)++;
		} else if (o->children) {
			char *slug = opml_slugify(text, "imported");
			int known = 0;
			for (size_t i = 0; i < cats->n && !known; i++)
				known = !strcmp(cats->v[i], slug);
			if (!known) {
				buf_printf(out, "\n[category %s]\n", slug);
				put_value(out, "title", text ? text : slug);
				cats->v = xrealloc(cats->v, (cats->n + 1) * sizeof *cats->v);
				cats->v[cats->n++] = xstrdup(slug);
			}
			walk(o, slug, out, sources, cats, count);
			free(slug);
		}
		free(text);
		free(url);
	}
}

int opml_import(const char *data, size_t len, struct buf *out, char *err, size_t errlen)
{
	xmlDoc *doc = xmlReadMemory(data, (int)len, NULL, NULL,
				    XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
					    XML_PARSE_NOWARNING);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || strcmp((const char *)root->name, "opml")) {
		util_errf(err, errlen, "not an OPML document");
		xmlFreeDoc(doc);
		return -1;
	}
	xmlNode *body = NULL;
	for (xmlNode *c = root->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "body"))
			body = c;
	struct names sources = {NULL, 0}, cats = {NULL, 0};
	int count = 0;
	struct buf top;
	buf_init(&top, 0);
	if (body) {
		/* Top-level feeds land in [category imported], written first when there are any. */
		struct buf rest;
		buf_init(&rest, 0);
		cats.v = xrealloc(cats.v, sizeof *cats.v);
		cats.v[cats.n++] = xstrdup("imported");
		walk(body, "imported", &rest, &sources, &cats, &count);
		if (strstr(buf_str(&rest), "category = imported\n"))
			buf_adds(out, "\n[category imported]\ntitle = Imported\n");
		buf_add(out, buf_str(&rest), rest.len);
		buf_release(&rest);
	}
	buf_release(&top);
	for (size_t i = 0; i < sources.n; i++)
		free(sources.v[i]);
	for (size_t i = 0; i < cats.n; i++)
		free(cats.v[i]);
	free(sources.v);
	free(cats.v);
	xmlFreeDoc(doc);
	if (!count) {
		util_errf(err, errlen, "no outline with an http(s) xmlUrl");
		return -1;
	}
	return count;
}
