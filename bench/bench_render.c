/* bench_render — rebuild timing on a large store.
 *   bench_render gen CONFIG CATEGORIES ITEMS_PER_CATEGORY   fill the store of CONFIG
 *   bench_render time CONFIG                                  full rebuild, then one category
 * CONFIG must already name CATEGORIES categories and one source per category (bench/run.sh
 * writes it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "feed.h"
#include "parse.h"
#include "render.h"
#include "store.h"
#include "util.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int gen(struct config *cfg, struct store *st, int per)
{
	char err[512];
	static const char body[] =
		"<p>Hội nghị quán triệt, triển khai các văn bản mới về công tác xây dựng Đảng; "
		"đại biểu thảo luận về tổ chức thực hiện, kiểm tra, giám sát ở cơ sở.</p>"
		"<p>The meeting reviewed the new regulations and the plan for the coming quarter, "
		"with reports from every district and a discussion of the budget.</p>";
	int64_t base = 1700000000;
	for (size_t s = 0; s < cfg->nsources; s++) {
		struct feed *f = feed_new();
		for (int i = 0; i < per; i++) {
			struct item *it = feed_add_item(f);
			it->id = xasprintf("https://example.org/%s/%d", cfg->sources[s].name, i);
			it->link = xstrdup(it->id);
			it->title = xasprintf("Bài viết số %d của nguồn %s: tin tức trong ngày", i, cfg->sources[s].name);
			it->author = xstrdup("Trọng Toàn");
			it->summary = xasprintf("Tóm tắt bài %d: nội dung chính của bài viết.", i);
			it->content = xstrdup(body);
			it->published = base + (int64_t)i * 600 + (int64_t)s;
			item_add_category(it, "Tin tức");
		}
		struct store_fetch fe;
		memset(&fe, 0, sizeof fe);
		fe.outcome = STORE_FETCHED;
		fe.http_status = 200;
		fe.feed = f;
		fe.fetched_at = base + (int64_t)per * 600;
		fe.next_due = fe.fetched_at + 1800;
		struct store_stats stats = {0, 0};
		if (store_update_source(st, cfg->sources[s].name, &fe, &stats, err, sizeof err) < 0) {
			fprintf(stderr, "bench: %s\n", err);
			feed_free(f);
			return 1;
		}
		feed_free(f);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_render gen|time CONFIG [ITEMS_PER_CATEGORY]\n");
		return 2;
	}
	char err[1024];
	parse_global_init();
	struct config *cfg = config_load(argv[2], err, sizeof err);
	if (!cfg) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	struct store *st = store_open(cfg->database, err, sizeof err);
	if (!st || store_sync_config(st, cfg, err, sizeof err) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	int rc = 0;
	if (!strcmp(argv[1], "gen")) {
		rc = gen(cfg, st, argc > 3 ? atoi(argv[3]) : 10000);
	} else {
		struct render_stats rs = {0, 0, NULL, NULL};
		double t0 = now_ms();
		if (render_all(cfg, st, NULL, &rs, err, sizeof err) < 0) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
		double full = now_ms() - t0;
		int *changed = xcalloc(cfg->ncategories, sizeof *changed);
		changed[cfg->ncategories / 2] = 1;
		t0 = now_ms();
		if (render_all(cfg, st, changed, &rs, err, sizeof err) < 0) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
		double one = now_ms() - t0;
		free(changed);
		printf("full_ms %.1f\none_category_ms %.1f\n", full, one);
	}
	store_close(st);
	config_free(cfg);
	parse_global_cleanup();
	return rc;
}
