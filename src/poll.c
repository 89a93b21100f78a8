#include "poll.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract.h"
#include "fetch.h"
#include "buf.h"
#include "parse.h"
#include "store.h"
#include "util.h"

#define BACKOFF_CAP (24 * 3600)

struct article;

/* A listing page whose new article links are fetched in the last round of the pass: the
 * listing's response waits here until they are all in, then everything is stored at once. */
struct listing {
	struct feed *links;      /* one item per article link: id, link, title, date */
	struct article *wanted;  /* the new ones, at most max_articles */
	size_t nwanted;
	struct feed *articles;   /* what the article pages gave */
	int partial;             /* links left for the next poll, or an article failed */
	char *etag, *last_modified, *permanent_url;
	char hash[65];
	int http_status;
	int64_t fetched_at, hint, retry_after;
};

struct job {
	const struct config_source *src;
	struct store_source state;
	char *discovered;    /* a feed found on the source's HTML page: fetched in a second round */
	int discovered_once; /* that round is running: no discovery again */
	struct listing *listing;
};

/* One article page to fetch for a listing (the user pointer of its transfer). */
struct article {
	struct job *job;
	const struct item *link; /* in job->listing->links */
};

struct workers;

struct pass {
	const struct config *cfg;
	struct store *store;
	struct poll_stats *stats;
	const struct poll_options *opt;
	int done, total;
	struct workers *workers;
	int articles;          /* the round fetching article pages of listings */
};

#define HINT_CAP (24 * 3600)

int64_t poll_schedule(int64_t now, int64_t interval, int errors, int64_t retry_after, int64_t hint,
		      double jitter)
{
	int64_t delay = interval;
	if (errors > 0) {
		int64_t base = interval > 60 ? interval : 60;
		delay = base;
		for (int i = 1; i < errors && delay < BACKOFF_CAP; i++)
			delay *= 2;
		if (delay > BACKOFF_CAP)
			delay = BACKOFF_CAP;
	} else if (interval > 0 && hint > interval) {
		delay = hint < HINT_CAP ? hint : interval > HINT_CAP ? interval : HINT_CAP;
	}
	if (interval > 0 && jitter > 0 && jitter < 1)
		delay += (int64_t)(jitter * (double)delay / 10);
	int64_t due = now + delay;
	if (retry_after > due)
		due = retry_after;
	return due;
}

/* A small generator for jitter: quality does not matter, independence from libc's rand does. */
static double next_jitter(void)
{
	static uint64_t x;
	if (!x)
		x = (uint64_t)util_now() * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid();
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (double)(x >> 11) / 9007199254740992.0;
}

static void progress(struct pass *p)
{
	if (!p->opt->progress)
		return;
	fprintf(stderr, "\rpoll: %d/%d done, %d errors, %d new items ", p->done, p->total,
		p->stats->failed, p->stats->new_items);
	fflush(stderr);
}

/* One fetched response on its way to the store.  Parsing, the costly part, runs on worker
 * threads while the main thread keeps fetching and storing; the store is written from the main
 * thread only. */
struct task {
	struct task *next;
	struct job *job;
	struct article *article; /* an article page of a listing, or NULL */
	enum page_kind kind;
	struct fetch_result r; /* moved out of the fetcher */
	int64_t fetched_at;
	char hash[65];
	struct feed *feed;     /* set by a worker */
	char perr[256];
	char *discovered;      /* type = auto: the feed an HTML page advertises */
};

struct queue {
	struct task *head, *tail;
	int len;
};

#define MAX_WORKERS 8
#define WORKER_NICE 5 /* added to the niceness of parsing threads */

/* Threads of a pass: the caller's thread drives libcurl; n workers parse; one thread stores (the
 * store is used from that thread alone while the pass runs). */
struct workers {
	pthread_t threads[MAX_WORKERS], storer;
	int n, storing;
	pthread_mutex_t lock;
	pthread_cond_t work, done, space;
	struct queue todo, parsed;
	int busy, closing;
	struct pass *pass;
};

static void push(struct queue *q, struct task *t)
{
	t->next = NULL;
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
	q->len++;
}

static struct task *pop(struct queue *q)
{
	struct task *t = q->head;
	if (t) {
		q->head = t->next;
		if (!q->head)
			q->tail = NULL;
		q->len--;
	}
	return t;
}

/* An HTML page of the source: an article, or (unless it was reached from a listing) a listing;
 * with feed_link, a page advertising a feed gives that feed's URL instead. */
static void extract_task(struct task *t, char **feed_link)
{
	const struct config_source *src = t->job->src;
	struct extract_xpaths xp;
	struct extract_options eo = {
		.id = t->article ? t->article->link->id : NULL,
		.link = t->r.final_url,
		.charset = t->r.charset,
		.date_format = src->date_format,
		.tz_offset = src->tz_offset,
		.xpath = extract_xpaths_of(src, &xp),
		.article_only = t->article != NULL,
		.feed_link = feed_link,
	};
	t->feed = extract_html(t->r.body, t->r.len, &eo, &t->kind, t->perr, sizeof t->perr);
}

/* The body's hash, then (unless the bytes are the same as last time) the parse. */
static void parse_body(struct task *t)
{
	if (t->article) {
		extract_task(t, NULL);
		free(t->r.body);
		t->r.body = NULL;
		return;
	}
	util_sha256_hex(t->r.body, t->r.len, t->hash);
	if (t->job->state.body_hash && !strcmp(t->job->state.body_hash, t->hash)) {
		free(t->r.body);
		t->r.body = NULL;
		return; /* no feed and no error: not modified */
	}
	enum source_type type = t->job->src->type;
	if (type == SOURCE_HTML) {
		extract_task(t, NULL);
		free(t->r.body);
		t->r.body = NULL;
		return;
	}
	struct parse_options po = {
		.base_url = t->r.final_url,
		.charset = t->r.charset,
		.tz_offset = t->job->src->tz_offset,
	};
	t->feed = parse_feed(t->r.body, t->r.len, &po, t->perr, sizeof t->perr);
	if (!t->feed && type == SOURCE_AUTO && parse_is_html(t->r.body, t->r.len))
		extract_task(t, t->job->discovered_once ? NULL : &t->discovered); /* one parse for both */
	/* The body is no longer needed: free it early to keep memory flat. */
	free(t->r.body);
	t->r.body = NULL;
}

/* On a worker: the parse, and the items' hashes, so that the storer need not compute them. */
static void parse_task(struct task *t)
{
	parse_body(t);
	if (t->feed)
		feed_hash_items(t->feed);
}

static void *worker(void *arg)
{
	struct workers *w = arg;
	/* The storer is the one serial stage of a pass: parsing, which only feeds it, yields. */
	util_thread_nicer(WORKER_NICE);
	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct task *t = pop(&w->todo);
		if (!t) {
			if (w->closing)
				break;
			pthread_cond_wait(&w->work, &w->lock);
			continue;
		}
		w->busy++;
		pthread_mutex_unlock(&w->lock);
		parse_task(t);
		pthread_mutex_lock(&w->lock);
		w->busy--;
		push(&w->parsed, t);
		pthread_cond_broadcast(&w->done);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Stores one outcome of a source, schedules its next poll and keeps the pass's figures. */
static void record(struct pass *p, struct job *job, struct store_fetch *f, const char *why, int64_t hint,
		   int64_t retry_after, const char *moved_to)
{
	const struct config_source *src = job->src;
	int errors = f->outcome == STORE_FAILED ? job->state.errors + 1 : 0;
	f->next_due = poll_schedule(f->fetched_at, src->interval, errors, retry_after, hint, next_jitter());
	if (f->outcome == STORE_GONE)
		f->next_due = INT64_MAX / 2;
	f->error = why;
	if (moved_to)
		log_msg(LOG_INFO, "poll: %s: moved permanently to %s", src->name, moved_to);
	struct store_stats st = {0, 0};
	char err[512];
	if (store_update_source(p->store, src->name, f, &st, err, sizeof err) < 0) {
		log_msg(LOG_ERROR, "poll: %s: %s", src->name, err);
		p->stats->failed++;
	} else if (f->outcome == STORE_FAILED && job->discovered && !job->discovered_once) {
		log_msg(LOG_INFO, "poll: %s: %s", src->name, why); /* fetched in the second round */
		p->done--;
	} else if (f->outcome == STORE_FAILED || f->outcome == STORE_GONE) {
		log_msg(LOG_WARN, "poll: %s: %s", src->name, why);
		p->stats->failed++;
	} else if (f->outcome == STORE_NOT_MODIFIED) {
		log_msg(LOG_DEBUG, "poll: %s: not modified", src->name);
		p->stats->not_modified++;
	} else {
		log_msg(LOG_DEBUG, "poll: %s: %zu items, %d new, %d updated", src->name, f->feed->nitems,
			st.new_items, st.updated_items);
		p->stats->fetched++;
	}
	if ((st.new_items || st.updated_items) && p->opt->changed)
		for (size_t k = 0; k < src->ncategories; k++)
			for (size_t c = 0; c < p->cfg->ncategories; c++)
				if (!strcmp(p->cfg->categories[c].slug, src->categories[k]))
					__atomic_store_n(&p->opt->changed[c], 1, __ATOMIC_RELAXED); /* read by a writer ahead */
	p->stats->new_items += st.new_items;
	p->stats->updated_items += st.updated_items;
	p->done++;
	progress(p);
}

static void listing_free(struct listing *l)
{
	if (!l)
		return;
	feed_free(l->links);
	feed_free(l->articles);
	free(l->wanted);
	free(l->etag);
	free(l->last_modified);
	free(l->permanent_url);
	free(l);
}

/* On the storer: one article page of a listing, kept until the listing is stored. */
static void store_article(struct pass *p, struct task *t)
{
	struct article *a = t->article;
	struct listing *l = a->job->listing;
	if (!t->r.ok || t->r.http_status >= 300 || !t->feed) {
		const char *why = t->r.ok && t->r.http_status < 300 ? t->perr
				  : t->r.error[0]			 ? t->r.error
									 : "HTTP error";
		log_msg(LOG_WARN, "poll: %s: %s: %s", a->job->src->name, a->link->link, why);
		char err[256];
		if (store_link_failed(p->store, a->job->src->name, a->link->id, t->fetched_at, err, sizeof err) < 0)
			log_msg(LOG_ERROR, "poll: %s: %s", a->job->src->name, err);
		l->partial = 1; /* tried again at the next poll */
		return;
	}
	struct item *it = feed_add_item(l->articles);
	*it = t->feed->items[0];
	t->feed->nitems = 0; /* the item moved */
	/* What the listing showed stands in for what the page does not say. */
	if (!it->title && a->link->title)
		it->title = xstrdup(a->link->title);
	if (it->published == DATE_NONE && a->link->published != DATE_NONE) {
		it->published = a->link->published;
		item_hash(it, it->hash);
	}
}

#define LINK_GIVE_UP 5 /* failures after which an article link is no longer fetched */

/* On the storer: a listing page.  Its new article links (those no item of the source has as its
 * id), at most max_articles, wait for the article round: links that never failed first, then
 * those that failed fewer than LINK_GIVE_UP times.  Returns 0 when there is none. */
static int take_listing(struct pass *p, struct task *t, int64_t hint)
{
	struct job *job = t->job;
	struct listing *l = xcalloc(1, sizeof *l);
	const char *name = job->src->name;
	int *failures = xcalloc(t->feed->nitems + 1, sizeof *failures);
	for (size_t i = 0; i < t->feed->nitems; i++) {
		char err[256];
		const char *id = t->feed->items[i].id;
		int known = store_item_known(p->store, name, id, err, sizeof err);
		failures[i] = known ? -1 : store_link_failures(p->store, name, id, err, sizeof err);
		if (known < 0 || (!known && failures[i] < 0)) {
			log_msg(LOG_ERROR, "poll: %s: %s", name, err);
			failures[i] = -1; /* the store cannot say: not this time */
		}
	}
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < t->feed->nitems; i++) {
			int f = failures[i];
			if (f < 0 || f >= LINK_GIVE_UP || (round == 0) != (f == 0))
				continue;
			if (l->nwanted == (size_t)job->src->max_articles) {
				l->partial = 1;
				break;
			}
			l->wanted = xrealloc(l->wanted, (l->nwanted + 1) * sizeof *l->wanted);
			l->wanted[l->nwanted++] = (struct article){job, &t->feed->items[i]};
		}
	free(failures);
	if (!l->nwanted) {
		listing_free(l);
		return 0;
	}
	l->links = t->feed;
	t->feed = NULL;
	l->articles = feed_new();
	l->articles->format = xstrdup("html");
	l->articles->title = xstrdup(l->links->title);
	l->articles->link = xstrdup(l->links->link);
	l->etag = xstrdup(t->r.etag);
	l->last_modified = xstrdup(t->r.last_modified);
	l->permanent_url = xstrdup(t->r.permanent_url);
	memcpy(l->hash, t->hash, sizeof l->hash);
	l->http_status = t->r.http_status;
	l->fetched_at = t->fetched_at;
	l->hint = hint;
	l->retry_after = t->r.retry_after;
	job->listing = l;
	log_msg(LOG_DEBUG, "poll: %s: a listing page with %zu links, %zu new to fetch", job->src->name,
		l->links->nitems, l->nwanted);
	return 1;
}

/* After the article round: the listing's articles stored in one transaction.  When links were
 * left over or an article failed, the validators are not kept, so the next poll reads the
 * listing again and fetches the rest. */
static void finish_listing(struct pass *p, struct job *job, int stopped)
{
	struct listing *l = job->listing;
	struct store_fetch f;
	memset(&f, 0, sizeof f);
	f.outcome = STORE_FETCHED;
	f.fetched_at = l->fetched_at;
	f.http_status = l->http_status;
	f.new_url = l->permanent_url;
	if (!l->partial && !stopped) {
		f.etag = l->etag;
		f.last_modified = l->last_modified;
		f.body_hash = l->hash;
	}
	feed_finish(l->articles);
	f.feed = l->articles;
	record(p, job, &f, "", l->hint, l->retry_after, l->permanent_url);
	listing_free(l);
	job->listing = NULL;
}

static void store_task(struct pass *p, struct task *t)
{
	struct job *job = t->job;
	if (t->article) {
		store_article(p, t);
		feed_free(t->feed);
		fetch_result_release(&t->r);
		free(t);
		return;
	}
	struct fetch_result *r = &t->r;
	struct store_fetch f;
	memset(&f, 0, sizeof f);
	f.fetched_at = t->fetched_at;
	f.http_status = r->http_status;
	f.new_url = r->permanent_url;
	char why[512] = "";
	int64_t hint = r->fresh_for;
	if (r->ok && r->http_status == 410) {
		f.outcome = STORE_GONE;
		snprintf(why, sizeof why, "HTTP 410 Gone: disabled until its url changes or it is polled by name");
	} else if (!r->ok || r->http_status >= 400 || (r->http_status >= 300 && r->http_status != 304)) {
		f.outcome = STORE_FAILED;
		snprintf(why, sizeof why, "%s", r->error[0] ? r->error : "HTTP error");
		if (r->ok && r->http_status >= 300 && r->http_status < 400 && r->http_status != 304)
			snprintf(why, sizeof why, "HTTP %d without a usable Location", r->http_status);
	} else if (r->http_status == 304) {
		f.outcome = STORE_NOT_MODIFIED;
		f.etag = r->etag;
		f.last_modified = r->last_modified;
	} else {
		f.etag = r->etag;
		f.last_modified = r->last_modified;
		f.body_hash = t->hash;
		if (!t->feed && !t->perr[0]) {
			f.outcome = STORE_NOT_MODIFIED; /* same bytes as last time: nothing changes */
		} else if (!t->feed && t->discovered && (util_strncaseeq(t->discovered, "http://", 7) ||
							  util_strncaseeq(t->discovered, "https://", 8))) {
			/* An HTML page advertising its feed: from now on the feed is the source. */
			f.outcome = STORE_FAILED;
			f.body_hash = NULL;
			f.new_url = t->discovered;
			snprintf(why, sizeof why, "an HTML page; polling the feed it advertises, %s", t->discovered);
			free(job->discovered);
			job->discovered = xstrdup(t->discovered);
		} else if (!t->feed) {
			f.outcome = STORE_FAILED;
			f.body_hash = NULL;
			snprintf(why, sizeof why, "parse: %s", t->perr);
		} else if (t->kind == PAGE_LISTING && take_listing(p, t, hint)) {
			free(t->discovered); /* stored with its articles after the article round */
			fetch_result_release(&t->r);
			free(t);
			return;
		} else {
			f.outcome = STORE_FETCHED;
			f.feed = t->feed;
			if (t->kind == PAGE_LISTING) { /* every article already stored */
				for (size_t i = 0; i < t->feed->nitems; i++)
					item_release(&t->feed->items[i]);
				t->feed->nitems = 0;
			}
			if (t->feed->ttl > 0 && (int64_t)t->feed->ttl * 60 > hint)
				hint = (int64_t)t->feed->ttl * 60;
			if (t->feed->update_period > hint)
				hint = t->feed->update_period;
		}
	}
	record(p, job, &f, why, hint, r->retry_after, r->permanent_url);
	free(t->discovered);
	feed_free(t->feed);
	fetch_result_release(&t->r);
	free(t);
}

static void *storer(void *arg)
{
	struct workers *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct task *t = pop(&w->parsed);
		if (!t) {
			if (w->closing && !w->todo.len && !w->busy)
				break;
			pthread_cond_wait(&w->done, &w->lock);
			continue;
		}
		pthread_cond_broadcast(&w->space);
		pthread_mutex_unlock(&w->lock);
		store_task(w->pass, t);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void on_done(struct fetch_result *r, void *ctx)
{
	struct pass *p = ctx;
	struct task *t = xcalloc(1, sizeof *t);
	if (p->articles) {
		t->article = r->user;
		t->job = t->article->job;
	} else {
		t->job = r->user;
	}
	t->r = *r;
	t->r.url = NULL; /* belongs to the fetcher */
	memset(r, 0, sizeof *r);
	t->fetched_at = util_now();
	int parse = t->r.ok && t->r.http_status != 304 && t->r.http_status < 300;
	struct workers *w = p->workers;
	if (!w->n || !w->storing) { /* no threads: do it all here */
		if (parse)
			parse_task(t);
		store_task(p, t);
		return;
	}
	pthread_mutex_lock(&w->lock);
	/* Bounded: only a few bodies and parsed feeds wait at any time. */
	while (w->todo.len + w->parsed.len >= 4 * w->n)
		pthread_cond_wait(&w->space, &w->lock);
	if (parse) {
		push(&w->todo, t);
		pthread_cond_signal(&w->work);
	} else {
		push(&w->parsed, t);
		pthread_cond_broadcast(&w->done);
	}
	pthread_mutex_unlock(&w->lock);
}

static void workers_start(struct workers *w, struct pass *p)
{
	memset(w, 0, sizeof *w);
	w->pass = p;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	pthread_cond_init(&w->space, NULL);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int want = cpus < 1 ? 1 : cpus > MAX_WORKERS ? MAX_WORKERS : (int)cpus;
	for (int i = 0; i < want; i++)
		if (pthread_create(&w->threads[w->n], NULL, worker, w) == 0)
			w->n++;
	w->storing = pthread_create(&w->storer, NULL, storer, w) == 0;
}

/* Waits until every queued task is parsed and stored, then stops the threads. */
static void workers_finish(struct workers *w)
{
	pthread_mutex_lock(&w->lock);
	w->closing = 1;
	pthread_cond_broadcast(&w->work);
	pthread_cond_broadcast(&w->done);
	pthread_mutex_unlock(&w->lock);
	for (int i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	pthread_mutex_lock(&w->lock);
	pthread_cond_broadcast(&w->done); /* the workers are gone: the storer may finish */
	pthread_mutex_unlock(&w->lock);
	if (w->storing)
		pthread_join(w->storer, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->space);
}

/* The local path of a file:// URL (percent-decoded), or NULL. */
static char *file_path(const char *url)
{
	if (!util_strncaseeq(url, "file://", 7))
		return NULL;
	const char *p = url + 7;
	char *out = xmalloc(strlen(p) + 1), *o = out;
	for (; *p; p++) {
		if (p[0] == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
			char hex[3] = {p[1], p[2], 0};
			*o++ = (char)strtol(hex, NULL, 16);
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

/* 1 for a plain-text article file, 2 for an HTML one, 0 for anything else. */
static int article_file(const char *name)
{
	size_t n = strlen(name);
	if (n > 4 && !strcmp(name + n - 4, ".txt"))
		return 1;
	if ((n > 5 && !strcmp(name + n - 5, ".html")) || (n > 4 && !strcmp(name + n - 4, ".htm")))
		return 2;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A dir source: every article file in the folder is one item, its id the file name.  New and
 * changed files are picked up on each poll; a removed file's item stays in the store. */
static void poll_dir(struct pass *p, struct job *job, const char *dir)
{
	const struct config_source *src = job->src;
	struct store_fetch f;
	memset(&f, 0, sizeof f);
	f.fetched_at = util_now();
	char why[512] = "";
	DIR *d = opendir(dir);
	if (!d) {
		f.outcome = STORE_FAILED;
		snprintf(why, sizeof why, "%s: %s", dir, strerror(errno));
		record(p, job, &f, why, -1, 0, NULL);
		return;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 100000) {
		if (e->d_name[0] == '.' || !article_file(e->d_name))
			continue;
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	struct feed *feed = feed_new();
	struct buf all;
	buf_init(&all, 0);
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		char err[256] = "";
		size_t len;
		char *data = util_read_file(path, (size_t)p->cfg->max_size, &len, err, sizeof err);
		char *url = xasprintf("file://%s", path);
		struct extract_xpaths xp;
		int html = article_file(names[i]) == 2;
		struct extract_options eo = {
			.id = names[i],
			.link = html ? url : NULL, /* relative links in a page; never an item's link */
			.date_format = src->date_format,
			.tz_offset = src->tz_offset,
			.xpath = extract_xpaths_of(src, &xp),
			.article_only = 1,
		};
		enum page_kind kind;
		struct feed *one = !data			       ? NULL
				   : html ? extract_html(data, len, &eo, &kind, err, sizeof err)
					  : extract_text(data, len, &eo, err, sizeof err);
		free(url);
		if (!one) {
			log_msg(LOG_WARN, "poll: %s: %s: %s", src->name, names[i], err);
		} else {
			feed_hash_items(one); /* the folder's hash is made of its items' */
			struct item *it = feed_add_item(feed);
			*it = one->items[0];
			one->nitems = 0; /* the item moved */
			buf_add(&all, it->hash, strlen(it->hash));
			buf_adds(&all, names[i]);
		}
		feed_free(one);
		free(data);
		free(path);
		free(names[i]);
	}
	free(names);
	char hash[65];
	util_sha256_hex(buf_str(&all), all.len, hash);
	buf_release(&all);
	f.body_hash = hash;
	if (job->state.body_hash && !strcmp(job->state.body_hash, hash)) {
		f.outcome = STORE_NOT_MODIFIED;
	} else {
		f.outcome = STORE_FETCHED;
		feed->format = xstrdup("text");
		f.feed = feed;
	}
	record(p, job, &f, why, -1, 0, NULL);
	feed_free(feed);
}

static int selected(const struct poll_options *opt, const char *name)
{
	if (!opt->nnames)
		return 1;
	for (int i = 0; i < opt->nnames; i++)
		if (!strcmp(opt->names[i], name))
			return 1;
	return 0;
}

int poll_run(const struct config *cfg, struct store *store, const struct poll_options *opt,
	     struct poll_stats *stats, char *err, size_t errlen)
{
	memset(stats, 0, sizeof *stats);
	for (int i = 0; i < opt->nnames; i++)
		if (!config_source(cfg, opt->names[i])) {
			util_errf(err, errlen, "poll: no source called \"%s\" in %s", opt->names[i], cfg->path);
			return -1;
		}
	struct fetch_options fo = {
		.concurrency = cfg->concurrency,
		.per_host = cfg->per_host,
		.timeout = (long)cfg->timeout,
		.max_size = cfg->max_size,
		.user_agent = cfg->user_agent,
	};
	struct fetcher *fetcher = fetch_new(&fo);
	struct job *jobs = xcalloc(cfg->nsources ? cfg->nsources : 1, sizeof *jobs);
	size_t njobs = 0;
	int64_t now = util_now();
	int rc = -1;
	struct {
		struct job *job;
		char *path;
	} *dirs = NULL;
	size_t ndirs = 0;
	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct config_source *src = &cfg->sources[i];
		if (!selected(opt, src->name))
			continue;
		struct job *job = &jobs[njobs];
		job->src = src;
		int found = store_source_get(store, src->name, &job->state, err, errlen);
		if (found < 0)
			goto out;
		if (found > 0) {
			util_errf(err, errlen, "poll: %s: not in the database", src->name);
			goto out;
		}
		njobs++;
		/* A source that answered 410 is polled again only when named. */
		int gone = !strcmp(job->state.state, "gone");
		if (gone && !opt->nnames)
			continue;
		if (!gone && !opt->force && job->state.next_due > now)
			continue;
		char *dir = file_path(job->state.fetch_url);
		struct stat st;
		if (dir && (src->type == SOURCE_DIR ||
			    (src->type == SOURCE_AUTO && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))) {
			dirs = xrealloc(dirs, (ndirs + 1) * sizeof *dirs);
			dirs[ndirs].job = job;
			dirs[ndirs++].path = dir;
			stats->sources++;
			continue;
		}
		free(dir);
		if (src->type == SOURCE_DIR) {
			log_msg(LOG_WARN, "poll: %s: type = dir needs a local folder, not %s", src->name,
				job->state.fetch_url);
			continue;
		}
		fetch_add(fetcher, job->state.fetch_url, job->state.etag, job->state.last_modified,
			  src->allow_private, job);
		stats->sources++;
	}
	struct workers w;
	struct pass p = {cfg, store, stats, opt, 0, stats->sources, &w, 0};
	/* Local folders first, from this thread, before the workers use the store. */
	for (size_t i = 0; i < ndirs; i++) {
		poll_dir(&p, dirs[i].job, dirs[i].path);
		free(dirs[i].path);
	}
	free(dirs);
	dirs = NULL;
	ndirs = 0;
	workers_start(&w, &p);
	progress(&p);
	int frc = fetch_run(fetcher, on_done, &p, opt->stop);
	workers_finish(&w);
	/* Second round: the feeds that sources of type = auto turned out to advertise. */
	int again = 0;
	for (size_t i = 0; frc == 0 && i < njobs; i++) {
		struct job *job = &jobs[i];
		if (!job->discovered || job->discovered_once || (opt->stop && *opt->stop))
			continue;
		job->discovered_once = 1;
		free(job->state.fetch_url);
		free(job->state.etag);
		free(job->state.last_modified);
		free(job->state.body_hash);
		job->state.fetch_url = xstrdup(job->discovered);
		job->state.etag = job->state.last_modified = job->state.body_hash = NULL;
		job->state.errors = 0;
		fetch_add(fetcher, job->state.fetch_url, NULL, NULL, job->src->allow_private, job);
		again++;
	}
	if (again) {
		p.total += again;
		workers_start(&w, &p);
		frc = fetch_run(fetcher, on_done, &p, opt->stop);
		workers_finish(&w);
	}
	/* Last round: the new article pages of listings. */
	size_t articles = 0;
	for (size_t i = 0; frc == 0 && i < njobs; i++) {
		struct listing *l = jobs[i].listing;
		for (size_t k = 0; l && k < l->nwanted; k++) {
			fetch_add(fetcher, l->wanted[k].link->link, NULL, NULL,
				  jobs[i].src->allow_private ? 1 : FETCH_UNTRUSTED, &l->wanted[k]);
			articles++;
		}
	}
	if (articles) {
		p.articles = 1;
		workers_start(&w, &p);
		frc = fetch_run(fetcher, on_done, &p, opt->stop);
		workers_finish(&w);
		p.articles = 0;
	}
	for (size_t i = 0; i < njobs; i++)
		if (jobs[i].listing)
			finish_listing(&p, &jobs[i], frc != 0 || (opt->stop && *opt->stop));
	if (frc < 0) {
		util_errf(err, errlen, "poll: the transfer loop failed");
		goto out;
	}
	if (opt->progress)
		fputc('\n', stderr);
	rc = 0;
out:
	for (size_t i = 0; i < ndirs; i++)
		free(dirs[i].path);
	free(dirs);
	for (size_t i = 0; i < njobs; i++) {
		store_source_release(&jobs[i].state);
		free(jobs[i].discovered);
		listing_free(jobs[i].listing);
	}
	free(jobs);
	fetch_free(fetcher);
	return rc;
}

int64_t poll_next_due(struct store *store)
{
	return store_next_due(store);
}
