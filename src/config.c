#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>
#include <libxml/xpath.h>

#include "date.h"
#include "util.h"

#define MAX_CONFIG_SIZE (4u << 20)

enum section { SEC_NONE, SEC_SITE, SEC_CATEGORY, SEC_SOURCE };

struct parser {
	struct config *cfg;
	const char *path;
	int line;
	enum section sec;
	char *err;
	size_t errlen;
	int *src_has_tz;     /* per source: timezone given */
	int *src_has_interval;
	char *dir;           /* absolute folder of the configuration, for relative source paths */
};

static const char *section_label(struct parser *p, char *out, size_t n)
{
	switch (p->sec) {
	case SEC_SITE:
		return "site";
	case SEC_CATEGORY:
		snprintf(out, n, "category \"%s\"", p->cfg->categories[p->cfg->ncategories - 1].slug);
		return out;
	case SEC_SOURCE:
		snprintf(out, n, "source \"%s\"", p->cfg->sources[p->cfg->nsources - 1].name);
		return out;
	default:
		return "(no section)";
	}
}

static void quiet(void *ctx, xmlError *e)
{
	(void)ctx;
	(void)e;
}

/* Whether libxml2 compiles the expression (its own message silenced: ours names the line). */
static int xpath_valid(const char *expr)
{
	xmlSetStructuredErrorFunc(NULL, quiet);
	xmlXPathCompExprPtr c = xmlXPathCompile((const xmlChar *)expr);
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlXPathFreeCompExpr(c);
	return c != NULL;
}

__attribute__((format(printf, 2, 3))) static int fail(struct parser *p, const char *fmt, ...)
{
	char msg[512], label[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	util_errf(p->err, p->errlen, "%s:%d: %s: %s", p->path, p->line,
		  section_label(p, label, sizeof label), msg);
	return -1;
}

/* For errors in a section header, which belongs to no section yet. */
__attribute__((format(printf, 2, 3))) static int header_fail(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	util_errf(p->err, p->errlen, "%s:%d: %s", p->path, p->line, msg);
	return -1;
}

int config_parse_duration(const char *s, int64_t *out)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || v < 0)
		return -1;
	int64_t mult = 1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 7 * 86400;
		break;
	default:
		return -1;
	}
	if (*end && end[1])
		return -1;
	if (v > INT64_MAX / mult / 1000)
		return -1;
	*out = v * mult;
	return 0;
}

int config_parse_size(const char *s, int64_t *out)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || v < 0)
		return -1;
	int64_t mult = 1;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1024;
		break;
	case 'm':
	case 'M':
		mult = 1024 * 1024;
		break;
	case 'g':
	case 'G':
		mult = 1024 * 1024 * 1024;
		break;
	default:
		return -1;
	}
	if (*end && end[1] && !((end[1] == 'b' || end[1] == 'B') && !end[2]))
		return -1;
	if (v > INT64_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

int config_valid_slug(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return 0;
	return 1;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 100)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return 0;
	return 1;
}

static int is_http_url(const char *s)
{
	const char *rest = NULL;
	if (util_strncaseeq(s, "http://", 7))
		rest = s + 7;
	else if (util_strncaseeq(s, "https://", 8))
		rest = s + 8;
	if (!rest || !*rest || *rest == '/')
		return 0;
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == '"' || *c == '<' || *c == '>' || *c == '\\')
			return 0;
	return 1;
}

static const char *const reserved_slugs[] = {"new", "index", "feeds", "archive", "healthz", "metrics"};

static int set_string(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
	return 0;
}

static int parse_int(struct parser *p, const char *key, const char *v, int min, int max, int *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max)
		return fail(p, "%s: expected a whole number from %d to %d, got \"%s\"", key, min, max, v);
	*out = (int)n;
	return 0;
}

static int parse_bool(struct parser *p, const char *key, const char *v, int *out)
{
	if (util_strcaseeq(v, "yes") || util_strcaseeq(v, "true") || util_strcaseeq(v, "on") ||
	    strcmp(v, "1") == 0)
		*out = 1;
	else if (util_strcaseeq(v, "no") || util_strcaseeq(v, "false") || util_strcaseeq(v, "off") ||
		 strcmp(v, "0") == 0)
		*out = 0;
	else
		return fail(p, "%s: expected yes or no, got \"%s\"", key, v);
	return 0;
}

static int parse_dur(struct parser *p, const char *key, const char *v, int64_t *out)
{
	if (config_parse_duration(v, out) < 0)
		return fail(p, "%s: invalid duration \"%s\" (use e.g. 90s, 15m, 2h, 1d)", key, v);
	return 0;
}

static int parse_tz(struct parser *p, const char *key, const char *v, int *out)
{
	if (date_parse_offset(v, out) < 0)
		return fail(p, "%s: invalid time zone \"%s\" (use e.g. +07:00, -05:00, UTC)", key, v);
	return 0;
}

static int valid_listen(const char *v)
{
	if (!*v)
		return 1;
	const char *colon = strrchr(v, ':');
	if (!colon || colon == v)
		return 0;
	char *end;
	errno = 0;
	long port = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port < 0 || port > 65535)
		return 0;
	if (v[0] == '[')
		return colon[-1] == ']';
	for (const char *c = v; c < colon; c++)
		if (!(isalnum((unsigned char)*c) || *c == '.' || *c == '-'))
			return 0;
	return 1;
}

static int site_key(struct parser *p, const char *key, const char *v)
{
	struct config *c = p->cfg;
	if (!strcmp(key, "title"))
		return set_string(&c->title, v);
	if (!strcmp(key, "description"))
		return set_string(&c->description, v);
	if (!strcmp(key, "language"))
		return set_string(&c->language, v);
	if (!strcmp(key, "link")) {
		if (!is_http_url(v))
			return fail(p, "link: expected an http:// or https:// URL, got \"%s\"", v);
		free(c->link);
		size_t n = strlen(v);
		c->link = v[n - 1] == '/' ? xstrdup(v) : xasprintf("%s/", v);
		return 0;
	}
	if (!strcmp(key, "output")) {
		if (!*v)
			return fail(p, "output: must not be empty");
		return set_string(&c->output, v);
	}
	if (!strcmp(key, "database")) {
		if (!*v)
			return fail(p, "database: must not be empty");
		return set_string(&c->database, v);
	}
	if (!strcmp(key, "listen")) {
		if (!valid_listen(v))
			return fail(p, "listen: expected HOST:PORT (or empty), got \"%s\"", v);
		return set_string(&c->listen, v);
	}
	if (!strcmp(key, "user_agent"))
		return set_string(&c->user_agent, v);
	if (!strcmp(key, "hub")) {
		if (*v && !is_http_url(v))
			return fail(p, "hub: expected an http:// or https:// URL, got \"%s\"", v);
		return set_string(&c->hub, v);
	}
	if (!strcmp(key, "poll_interval"))
		return parse_dur(p, key, v, &c->poll_interval);
	if (!strcmp(key, "retention"))
		return parse_dur(p, key, v, &c->retention);
	if (!strcmp(key, "timeout")) {
		if (parse_dur(p, key, v, &c->timeout) < 0)
			return -1;
		if (c->timeout < 1 || c->timeout > 3600)
			return fail(p, "timeout: must be between 1s and 1h, got \"%s\"", v);
		return 0;
	}
	if (!strcmp(key, "max_size")) {
		if (config_parse_size(v, &c->max_size) < 0 || c->max_size < 1024 ||
		    c->max_size > ((int64_t)1 << 30))
			return fail(p, "max_size: expected a size from 1k to 1G (e.g. 512k, 10M), got \"%s\"", v);
		return 0;
	}
	if (!strcmp(key, "items_per_feed"))
		return parse_int(p, key, v, 1, 10000, &c->items_per_feed);
	if (!strcmp(key, "new_items"))
		return parse_int(p, key, v, 1, 10000, &c->new_items);
	if (!strcmp(key, "concurrency"))
		return parse_int(p, key, v, 1, 1000, &c->concurrency);
	if (!strcmp(key, "per_host"))
		return parse_int(p, key, v, 1, 100, &c->per_host);
	if (!strcmp(key, "timezone"))
		return parse_tz(p, key, v, &c->tz_offset);
	return fail(p, "unknown key \"%s\"", key);
}

static int category_key(struct parser *p, const char *key, const char *v)
{
	struct config_category *cat = &p->cfg->categories[p->cfg->ncategories - 1];
	if (!strcmp(key, "title"))
		return set_string(&cat->title, v);
	if (!strcmp(key, "description"))
		return set_string(&cat->description, v);
	return fail(p, "unknown key \"%s\"", key);
}

static void percent_encode_path(struct parser *p, const char *path, char **out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(path);
	char *s = xmalloc(n * 3 + 1), *o = s;
	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		if (isalnum(*c) || strchr("/-._~", *c)) {
			*o++ = (char)*c;
		} else {
			*o++ = '%';
			*o++ = hex[*c >> 4];
			*o++ = hex[*c & 15];
		}
	}
	*o = '\0';
	(void)p;
	*out = s;
}

static int source_url(struct parser *p, struct config_source *s, const char *v)
{
	if (!*v)
		return fail(p, "url: must not be empty");
	free(s->url);
	free(s->fetch_url);
	s->url = xstrdup(v);
	s->fetch_url = NULL;
	if (is_http_url(v) || util_strncaseeq(v, "file://", 7)) {
		s->fetch_url = xstrdup(v);
		return 0;
	}
	const char *colon = strchr(v, ':'), *slash = strchr(v, '/');
	if (colon && (!slash || colon < slash))
		return fail(p, "url: unsupported scheme in \"%s\" (use http://, https://, file:// or a path)", v);
	char *path = v[0] == '/' ? xstrdup(v) : xasprintf("%s/%s", p->dir, v);
	char *enc;
	percent_encode_path(p, path, &enc);
	s->fetch_url = xasprintf("file://%s", enc);
	free(enc);
	free(path);
	return 0;
}

static int source_key(struct parser *p, const char *key, const char *v)
{
	struct config_source *s = &p->cfg->sources[p->cfg->nsources - 1];
	size_t idx = p->cfg->nsources - 1;
	if (!strcmp(key, "url"))
		return source_url(p, s, v);
	if (!strcmp(key, "type")) {
		if (!strcmp(v, "auto"))
			s->type = SOURCE_AUTO;
		else if (!strcmp(v, "feed"))
			s->type = SOURCE_FEED;
		else if (!strcmp(v, "html"))
			s->type = SOURCE_HTML;
		else if (!strcmp(v, "dir"))
			s->type = SOURCE_DIR;
		else
			return fail(p, "type: expected auto, feed, html or dir, got \"%s\"", v);
		return 0;
	}
	if (!strcmp(key, "category")) {
		s->category_line = p->line;
		for (size_t i = 0; i < s->ncategories; i++)
			free(s->categories[i]);
		free(s->categories);
		s->categories = NULL;
		s->ncategories = 0;
		char *copy = xstrdup(v), *save = NULL;
		for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			tok = util_trim(tok);
			if (!config_valid_slug(tok)) {
				fail(p, "category: invalid slug \"%s\"", tok);
				free(copy);
				return -1;
			}
			s->categories = xrealloc(s->categories, (s->ncategories + 1) * sizeof *s->categories);
			s->categories[s->ncategories++] = xstrdup(tok);
		}
		free(copy);
		if (!s->ncategories)
			return fail(p, "category: must name at least one category");
		return 0;
	}
	if (!strcmp(key, "interval")) {
		p->src_has_interval[idx] = 1;
		return parse_dur(p, key, v, &s->interval);
	}
	if (!strcmp(key, "allow_private"))
		return parse_bool(p, key, v, &s->allow_private);
	if (!strcmp(key, "title"))
		return set_string(&s->title, v);
	if (!strcmp(key, "timezone")) {
		p->src_has_tz[idx] = 1;
		return parse_tz(p, key, v, &s->tz_offset);
	}
	if (!strcmp(key, "date_format"))
		return set_string(&s->date_format, v);
	if (!strcmp(key, "max_articles"))
		return parse_int(p, key, v, 1, 1000, &s->max_articles);
	struct {
		const char *key;
		char **field;
	} xpaths[] = {
		{"xpath_links", &s->xpath_links},     {"xpath_title", &s->xpath_title},
		{"xpath_date", &s->xpath_date},       {"xpath_author", &s->xpath_author},
		{"xpath_summary", &s->xpath_summary}, {"xpath_content", &s->xpath_content},
	};
	for (size_t i = 0; i < sizeof xpaths / sizeof xpaths[0]; i++)
		if (!strcmp(key, xpaths[i].key)) {
			if (!*v)
				return fail(p, "%s: must not be empty", key);
			if (!xpath_valid(v))
				return fail(p, "%s: not a valid XPath expression: %s", key, v);
			return set_string(xpaths[i].field, v);
		}
	return fail(p, "unknown key \"%s\"", key);
}

static int open_section(struct parser *p, char *head)
{
	struct config *c = p->cfg;
	char *name = head;
	while (*name && !isspace((unsigned char)*name))
		name++;
	char *kind = head;
	if (*name)
		*name++ = '\0';
	name = util_trim(name);
	if (!strcmp(kind, "site")) {
		if (*name)
			return header_fail(p, "[site] takes no name");
		p->sec = SEC_SITE;
		return 0;
	}
	if (!strcmp(kind, "category")) {
		p->sec = SEC_NONE;
		if (!config_valid_slug(name))
			return header_fail(p, "category \"%s\": invalid slug (use a-z, 0-9 and -)", name);
		for (size_t i = 0; i < sizeof reserved_slugs / sizeof reserved_slugs[0]; i++)
			if (!strcmp(name, reserved_slugs[i]))
				return header_fail(p, "category \"%s\": slug is reserved for tidings' own files", name);
		if (config_category(c, name))
			return header_fail(p, "category \"%s\": defined twice", name);
		c->categories = xrealloc(c->categories, (c->ncategories + 1) * sizeof *c->categories);
		struct config_category *cat = &c->categories[c->ncategories++];
		memset(cat, 0, sizeof *cat);
		cat->slug = xstrdup(name);
		cat->line = p->line;
		p->sec = SEC_CATEGORY;
		return 0;
	}
	if (!strcmp(kind, "source")) {
		p->sec = SEC_NONE;
		if (!valid_name(name))
			return header_fail(p, "source \"%s\": invalid name (use letters, digits, '.', '_' and '-')", name);
		if (config_source(c, name))
			return header_fail(p, "source \"%s\": defined twice", name);
		c->sources = xrealloc(c->sources, (c->nsources + 1) * sizeof *c->sources);
		p->src_has_tz = xrealloc(p->src_has_tz, (c->nsources + 1) * sizeof *p->src_has_tz);
		p->src_has_interval = xrealloc(p->src_has_interval, (c->nsources + 1) * sizeof(int));
		p->src_has_tz[c->nsources] = p->src_has_interval[c->nsources] = 0;
		struct config_source *s = &c->sources[c->nsources++];
		memset(s, 0, sizeof *s);
		s->name = xstrdup(name);
		s->line = p->line;
		s->type = SOURCE_AUTO;
		s->max_articles = 30;
		p->sec = SEC_SOURCE;
		return 0;
	}
	p->sec = SEC_NONE;
	return header_fail(p, "unknown section [%s] (use [site], [category SLUG] or [source NAME])", head);
}

/* Strips a " ; comment" or " # comment" that follows a value. */
static void strip_inline_comment(char *v)
{
	for (char *c = v; *c; c++)
		if ((*c == ';' || *c == '#') && c > v && (c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			return;
		}
}

static int parse_line(struct parser *p, char *line)
{
	char *s = util_trim(line);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *close = strchr(s, ']');
		if (!close)
			return header_fail(p, "section header without ']'");
		char *after = util_trim(close + 1);
		if (*after && *after != '#' && *after != ';')
			return header_fail(p, "text after section header");
		*close = '\0';
		return open_section(p, util_trim(s + 1));
	}
	char *eq = strchr(s, '=');
	if (!eq)
		return fail(p, "expected KEY = VALUE, got \"%.60s\"", s);
	*eq = '\0';
	char *key = util_trim(s);
	char *value = eq + 1;
	strip_inline_comment(value);
	value = util_trim(value);
	if (!*key)
		return fail(p, "missing key before '='");
	switch (p->sec) {
	case SEC_SITE:
		return site_key(p, key, value);
	case SEC_CATEGORY:
		return category_key(p, key, value);
	case SEC_SOURCE:
		return source_key(p, key, value);
	default:
		return fail(p, "key \"%s\" outside a section", key);
	}
}

static void set_defaults(struct config *c)
{
	c->title = xstrdup("tidings");
	c->link = xstrdup("http://127.0.0.1:8080/");
	c->language = xstrdup("en");
	c->output = xstrdup("public");
	c->database = xstrdup("var/tidings.db");
	c->listen = xstrdup("127.0.0.1:8080");
	c->hub = xstrdup("");
	c->poll_interval = 30 * 60;
	c->items_per_feed = 50;
	c->new_items = 100;
	c->retention = 365 * 86400;
	c->tz_offset = 0;
	c->concurrency = 16;
	c->per_host = 2;
	c->timeout = 30;
	c->max_size = 10 * 1024 * 1024;
}

static char *config_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? (slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path)))
			  : xstrdup(".");
	char *abs = realpath(dir, NULL);
	if (abs) {
		char *copy = xstrdup(abs);
		free(abs);
		free(dir);
		return copy;
	}
	return dir;
}

static int finish(struct parser *p)
{
	struct config *c = p->cfg;
	if (!c->user_agent)
		c->user_agent = xasprintf("tidings/%s (+%s)", TIDINGS_VERSION, c->link);
	for (size_t i = 0; i < c->nsources; i++) {
		struct config_source *s = &c->sources[i];
		p->line = s->line;
		p->sec = SEC_NONE;
		char label[200];
		snprintf(label, sizeof label, "source \"%s\"", s->name);
		if (!p->src_has_interval[i])
			s->interval = c->poll_interval;
		if (!p->src_has_tz[i])
			s->tz_offset = c->tz_offset;
		if (!s->url) {
			util_errf(p->err, p->errlen, "%s:%d: %s: missing key \"url\"", p->path, s->line, label);
			return -1;
		}
		if (!s->ncategories) {
			util_errf(p->err, p->errlen, "%s:%d: %s: missing key \"category\"", p->path, s->line,
				  label);
			return -1;
		}
		for (size_t j = 0; j < s->ncategories; j++)
			if (!config_category(c, s->categories[j])) {
				util_errf(p->err, p->errlen,
					  "%s:%d: %s: category: \"%s\" is not defined by a [category %s] section",
					  p->path, s->category_line, label, s->categories[j], s->categories[j]);
				return -1;
			}
	}
	for (size_t i = 0; i < c->ncategories; i++)
		if (!c->categories[i].title)
			c->categories[i].title = xstrdup(c->categories[i].slug);
	return 0;
}

struct config *config_parse(const char *text, size_t len, const char *path, char *err, size_t errlen)
{
	struct parser p = {0};
	p.cfg = xcalloc(1, sizeof *p.cfg);
	p.path = path;
	p.err = err;
	p.errlen = errlen;
	p.dir = config_dir(path);
	p.cfg->path = xstrdup(path);
	set_defaults(p.cfg);
	int rc = 0;
	const char *end = text + len;
	const char *line = text;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		line += 3;
	while (line < end && rc == 0) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		p.line++;
		if (memchr(line, '\0', n)) {
			rc = fail(&p, "NUL byte in line");
			break;
		}
		char *copy = xstrndup(line, n);
		rc = parse_line(&p, copy);
		free(copy);
		line = nl ? nl + 1 : end;
	}
	if (rc == 0)
		rc = finish(&p);
	free(p.src_has_tz);
	free(p.src_has_interval);
	free(p.dir);
	if (rc) {
		config_free(p.cfg);
		return NULL;
	}
	return p.cfg;
}

struct config *config_load(const char *path, char *err, size_t errlen)
{
	size_t len;
	char msg[512];
	char *text = util_read_file(path, MAX_CONFIG_SIZE, &len, msg, sizeof msg);
	if (!text) {
		util_errf(err, errlen, "config: %s", msg);
		return NULL;
	}
	struct config *c = config_parse(text, len, path, err, errlen);
	free(text);
	return c;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->title);
	free(c->link);
	free(c->description);
	free(c->language);
	free(c->output);
	free(c->database);
	free(c->listen);
	free(c->user_agent);
	free(c->hub);
	for (size_t i = 0; i < c->ncategories; i++) {
		free(c->categories[i].slug);
		free(c->categories[i].title);
		free(c->categories[i].description);
	}
	free(c->categories);
	for (size_t i = 0; i < c->nsources; i++) {
		struct config_source *s = &c->sources[i];
		free(s->name);
		free(s->url);
		free(s->fetch_url);
		for (size_t j = 0; j < s->ncategories; j++)
			free(s->categories[j]);
		free(s->categories);
		free(s->title);
		free(s->xpath_links);
		free(s->xpath_title);
		free(s->xpath_date);
		free(s->xpath_author);
		free(s->xpath_summary);
		free(s->xpath_content);
		free(s->date_format);
	}
	free(c->sources);
	free(c);
}

const struct config_category *config_category(const struct config *c, const char *slug)
{
	for (size_t i = 0; i < c->ncategories; i++)
		if (!strcmp(c->categories[i].slug, slug))
			return &c->categories[i];
	return NULL;
}

const struct config_source *config_source(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->nsources; i++)
		if (!strcmp(c->sources[i].name, name))
			return &c->sources[i];
	return NULL;
}

const char *config_type_name(enum source_type t)
{
	switch (t) {
	case SOURCE_FEED:
		return "feed";
	case SOURCE_HTML:
		return "html";
	case SOURCE_DIR:
		return "dir";
	default:
		return "auto";
	}
}

static void print_duration(FILE *out, const char *key, int64_t v)
{
	if (v && v % 86400 == 0)
		fprintf(out, "%s = %lldd\n", key, (long long)(v / 86400));
	else if (v && v % 3600 == 0)
		fprintf(out, "%s = %lldh\n", key, (long long)(v / 3600));
	else if (v && v % 60 == 0)
		fprintf(out, "%s = %lldm\n", key, (long long)(v / 60));
	else
		fprintf(out, "%s = %llds\n", key, (long long)v);
}

static void print_tz(FILE *out, const char *key, int off)
{
	int a = off < 0 ? -off : off;
	fprintf(out, "%s = %c%02d:%02d\n", key, off < 0 ? '-' : '+', a / 60, a % 60);
}

static void print_opt(FILE *out, const char *key, const char *v)
{
	if (v)
		fprintf(out, "%s = %s\n", key, v);
}

void config_print(const struct config *c, FILE *out)
{
	fprintf(out, "# resolved from %s\n[site]\n", c->path);
	print_opt(out, "title", c->title);
	print_opt(out, "link", c->link);
	print_opt(out, "description", c->description);
	print_opt(out, "language", c->language);
	print_opt(out, "output", c->output);
	print_opt(out, "database", c->database);
	print_opt(out, "listen", c->listen);
	print_duration(out, "poll_interval", c->poll_interval);
	fprintf(out, "items_per_feed = %d\nnew_items = %d\n", c->items_per_feed, c->new_items);
	print_duration(out, "retention", c->retention);
	print_tz(out, "timezone", c->tz_offset);
	fprintf(out, "concurrency = %d\nper_host = %d\n", c->concurrency, c->per_host);
	print_duration(out, "timeout", c->timeout);
	fprintf(out, "max_size = %lld\n", (long long)c->max_size);
	print_opt(out, "user_agent", c->user_agent);
	print_opt(out, "hub", c->hub);
	for (size_t i = 0; i < c->ncategories; i++) {
		const struct config_category *cat = &c->categories[i];
		fprintf(out, "\n[category %s]\n", cat->slug);
		print_opt(out, "title", cat->title);
		print_opt(out, "description", cat->description);
	}
	for (size_t i = 0; i < c->nsources; i++) {
		const struct config_source *s = &c->sources[i];
		fprintf(out, "\n[source %s]\n", s->name);
		print_opt(out, "url", s->url);
		fprintf(out, "# fetched as %s\n", s->fetch_url);
		fprintf(out, "type = %s\ncategory = ", config_type_name(s->type));
		for (size_t j = 0; j < s->ncategories; j++)
			fprintf(out, "%s%s", j ? ", " : "", s->categories[j]);
		fputc('\n', out);
		print_duration(out, "interval", s->interval);
		fprintf(out, "allow_private = %s\n", s->allow_private ? "yes" : "no");
		print_opt(out, "title", s->title);
		print_opt(out, "xpath_links", s->xpath_links);
		print_opt(out, "xpath_title", s->xpath_title);
		print_opt(out, "xpath_date", s->xpath_date);
		print_opt(out, "date_format", s->date_format);
		print_tz(out, "timezone", s->tz_offset);
		print_opt(out, "xpath_author", s->xpath_author);
		print_opt(out, "xpath_summary", s->xpath_summary);
		print_opt(out, "xpath_content", s->xpath_content);
		fprintf(out, "max_articles = %d\n", s->max_articles);
	}
}
