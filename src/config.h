/* config — the INI configuration of SPEC.md, parsed, defaulted and validated. */
#ifndef TIDINGS_CONFIG_H
#define TIDINGS_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum source_type { SOURCE_AUTO, SOURCE_FEED, SOURCE_HTML, SOURCE_DIR };

struct config_category {
	char *slug;
	char *title;       /* defaults to the slug */
	char *description; /* may be NULL */
	int line;
};

struct config_source {
	char *name;
	char *url;          /* as written */
	char *fetch_url;    /* http(s):// or file:// URL to fetch (relative paths resolved) */
	enum source_type type;
	char **categories;  /* slugs, each one defined in the configuration */
	size_t ncategories;
	int64_t interval;   /* seconds; the site poll_interval unless set */
	int allow_private;
	char *title;        /* display name; NULL: the source's own title */
	char *xpath_links, *xpath_title, *xpath_date, *xpath_author, *xpath_summary, *xpath_content;
	char *date_format;
	int tz_offset;      /* minutes east of UTC; the site timezone unless set */
	int max_articles;
	int line;           /* of the [source] header */
	int category_line;  /* of the category key */
};

struct config {
	char *path;         /* the file as named on the command line */
	char *title, *link, *description, *language;
	char *output, *database, *listen, *user_agent, *hub;
	int64_t poll_interval, retention, timeout, max_size;
	int items_per_feed, new_items, tz_offset, concurrency, per_host;
	struct config_category *categories;
	size_t ncategories;
	struct config_source *sources;
	size_t nsources;
};

/* Loads and validates path.  On error returns NULL and writes "FILE:LINE: section: message". */
struct config *config_load(const char *path, char *err, size_t errlen);
/* The same from text in memory; path names the file in messages and anchors relative URLs. */
struct config *config_parse(const char *text, size_t len, const char *path, char *err, size_t errlen);
void config_free(struct config *cfg);

/* Writes the resolved settings as INI. */
void config_print(const struct config *cfg, FILE *out);

const struct config_category *config_category(const struct config *cfg, const char *slug);
const struct config_source *config_source(const struct config *cfg, const char *name);
const char *config_type_name(enum source_type type);

/* "90s", "15m", "2h", "1d", "1w", plain seconds → seconds.  0 on success, -1 otherwise. */
int config_parse_duration(const char *s, int64_t *out);
/* "512", "512k", "10M", "1G" (binary multiples) → bytes.  0 on success, -1 otherwise. */
int config_parse_size(const char *s, int64_t *out);
/* Lower-case letters, digits and '-', starting with a letter or digit, at most 64 bytes. */
int config_valid_slug(const char *s);

#endif
