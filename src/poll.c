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

struct job {
	const struct config_source *src;
	struct store_source state;
	char *discovered;    /* a feed found on the source's HTML page: fetched in a second round */
	int discovered_once; /* that round is running: no discovery again */
};

struct workers;

struct pass {
	const struct config *cfg;
	struct store *store;
	struct poll_stats *stats;
	const struct poll_options *opt;
	int done, total;
	struct workers *workers;
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

/* On a worker: the body's hash, then (unless the bytes are the same as last time) the parse. */
static void parse_task(struct task *t)
{
	util_sha256_hex(t->r.body, t->r.len, t->hash);
	if (t->job->state.body_hash && !strcmp(t->job->state.body_hash, t->hash)) {
		free(t->r.body);
		t->r.body = NULL;
		return; /* no feed and no error: not modified */
	}
	struct parse_options po = {
		.base_url = t->r.final_url,
		.charset = t->r.charset,
		.tz_offset = t->job->src->tz_offset,
	};
	t->feed = parse_feed(t->r.body, t->r.len, &po, t->perr, sizeof t->perr);
	if (!t->feed && t->job->src->type == SOURCE_AUTO && !t->job->discovered_once &&
	    strstr(t->perr, "HTML page"))
		t->discovered = extract_feed_link(t->r.body, t->r.len, t->r.final_url);
	/* The body is no longer needed: free it early to keep memory flat. */
	free(t->r.body);
	t->r.body = NULL;
}

static void *worker(void *arg)
{
	struct workers *w = arg;
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
					p->opt->changed[c] = 1;
	p->stats->new_items += st.new_items;
	p->stats->updated_items += st.updated_items;
	p->done++;
	progress(p);
}

static void store_task(struct pass *p, struct task *t)
{
	struct job *job = t->job;
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
		} else {
			f.outcome = STORE_FETCHED;
			f.feed = t->feed;
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
	t->job = r->user;
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
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".txt"))
			continue; /* .html article files wait for the HTML extractor */
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
		struct extract_options eo = {
			.id = names[i],
			.date_format = src->date_format,
			.tz_offset = src->tz_offset,
		};
		struct feed *one = data ? extract_text(data, len, &eo, err, sizeof err) : NULL;
		if (!one) {
			log_msg(LOG_WARN, "poll: %s: %s: %s", src->name, names[i], err);
		} else {
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
		if (src->type == SOURCE_HTML) { /* recorded below, so it waits its interval */
			dirs = xrealloc(dirs, (ndirs + 1) * sizeof *dirs);
			dirs[ndirs].job = job;
			dirs[ndirs++].path = NULL;
			stats->sources++;
			continue;
		}
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
	struct pass p = {cfg, store, stats, opt, 0, stats->sources, &w};
	/* Local folders (and sources this version cannot read) first, from this thread, before
	 * the workers use the store. */
	for (size_t i = 0; i < ndirs; i++) {
		if (dirs[i].path) {
			poll_dir(&p, dirs[i].job, dirs[i].path);
			free(dirs[i].path);
		} else {
			struct store_fetch f;
			memset(&f, 0, sizeof f);
			f.outcome = STORE_FAILED;
			f.fetched_at = util_now();
			record(&p, dirs[i].job, &f, "type = html sources are not supported by this version",
			       -1, 0, NULL);
		}
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
	}
	free(jobs);
	fetch_free(fetcher);
	return rc;
}

int64_t poll_next_due(struct store *store)
{
	return store_next_due(store);
}
