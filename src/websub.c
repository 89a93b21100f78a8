#include "websub.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "util.h"

#define MAX_ATTEMPTS 6

struct ping {
	struct ping *next;
	char *topic;
	int attempts;
	int64_t due;
};

struct websub {
	char *hub, *user_agent;
	long timeout;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct ping *queue;
	int busy; /* a ping is being sent */
	int stop;
};

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

/* Returns the HTTP status, or 0 after a transport error (reason in err). */
static long send_ping(struct websub *w, const char *topic, char *err, size_t errlen)
{
	CURL *e = curl_easy_init();
	if (!e) {
		util_errf(err, errlen, "cannot start a transfer");
		return 0;
	}
	char *t = curl_easy_escape(e, topic, 0);
	char *body = xasprintf("hub.mode=publish&hub.url=%s", t ? t : "");
	curl_free(t);
	curl_easy_setopt(e, CURLOPT_URL, w->hub);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_USERAGENT, w->user_agent);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, w->timeout);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	CURLcode rc = curl_easy_perform(e);
	long status = 0;
	if (rc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	else
		util_errf(err, errlen, "%s", curl_easy_strerror(rc));
	curl_easy_cleanup(e);
	free(body);
	return status;
}

static void *run(void *arg)
{
	struct websub *w = arg;
	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		int64_t now = util_now();
		struct ping **pp = &w->queue, *p = NULL;
		int64_t next = 0;
		for (; *pp; pp = &(*pp)->next)
			if ((*pp)->due <= now) {
				p = *pp;
				*pp = p->next;
				break;
			} else if (!next || (*pp)->due < next) {
				next = (*pp)->due;
			}
		if (!p) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += next ? (time_t)(next - now) : 3600;
			pthread_cond_timedwait(&w->wake, &w->lock, &ts);
			continue;
		}
		w->busy = 1;
		pthread_mutex_unlock(&w->lock);
		char err[256] = "";
		long status = send_ping(w, p->topic, err, sizeof err);
		pthread_mutex_lock(&w->lock);
		w->busy = 0;
		if (status >= 200 && status < 300) {
			log_msg(LOG_DEBUG, "websub: %s: hub answered %ld", p->topic, status);
			free(p->topic);
			free(p);
		} else if (++p->attempts >= MAX_ATTEMPTS) {
			log_msg(LOG_WARN, "websub: %s: giving up after %d attempts (%s)", p->topic, p->attempts,
				status ? "HTTP error" : err);
			free(p->topic);
			free(p);
		} else {
			p->due = util_now() + ((int64_t)1 << p->attempts); /* 2, 4, 8 … seconds */
			log_msg(LOG_INFO, "websub: %s: %s%s%ld, retrying", p->topic, status ? "HTTP " : err,
				status ? "" : " ", status);
			p->next = w->queue;
			w->queue = p;
		}
		pthread_cond_broadcast(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct websub *websub_new(const char *hub, const char *user_agent, long timeout)
{
	struct websub *w = xcalloc(1, sizeof *w);
	w->hub = xstrdup(hub);
	w->user_agent = xstrdup(user_agent);
	w->timeout = timeout > 0 ? timeout : 30;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (pthread_create(&w->thread, NULL, run, w) != 0) {
		log_msg(LOG_ERROR, "websub: cannot start its thread; pings are off");
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->wake);
		free(w->hub);
		free(w->user_agent);
		free(w);
		return NULL;
	}
	return w;
}

void websub_publish(struct websub *w, const char *topic)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	int queued = 0;
	for (struct ping *p = w->queue; p && !queued; p = p->next)
		queued = !strcmp(p->topic, topic);
	if (!queued) {
		struct ping *p = xcalloc(1, sizeof *p);
		p->topic = xstrdup(topic);
		p->due = 0;
		p->next = w->queue;
		w->queue = p;
		pthread_cond_broadcast(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
}

int websub_flush(struct websub *w, int max_seconds)
{
	if (!w)
		return 0;
	int64_t until = util_now() + max_seconds;
	int left = 0;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		left = w->busy;
		for (struct ping *p = w->queue; p; p = p->next)
			left++;
		if (!left || util_now() >= until)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&w->wake, &w->lock, &ts);
	}
	pthread_mutex_unlock(&w->lock);
	return left;
}

void websub_free(struct websub *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	int dropped = 0;
	while (w->queue) {
		struct ping *p = w->queue;
		w->queue = p->next;
		free(p->topic);
		free(p);
		dropped++;
	}
	if (dropped)
		log_msg(LOG_WARN, "websub: %d pings not sent", dropped);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	free(w->hub);
	free(w->user_agent);
	free(w);
}
