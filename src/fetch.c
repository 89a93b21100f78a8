#include "fetch.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "date.h"
#include "util.h"

struct transfer {
	struct transfer *next;        /* in the pending queue, then in the active list */
	struct transfer *prev_active;
	CURL *easy;
	struct curl_slist *headers;
	struct buf body;
	int too_big;
	int redirects_permanent; /* every 3xx seen so far was 301 or 308 */
	int redirects;
	int allow_private;       /* 1: any address; 0: the first URL may be private, redirects not;
				    FETCH_UNTRUSTED: no private address at all */
	int refused_private;     /* a redirect tried to, and was stopped */
	char *url, *etag, *last_modified;
	void *user;
};

struct fetcher {
	struct fetch_options opt;
	char *user_agent;
	CURLM *multi;
	struct transfer *pending, *pending_tail;
	struct transfer *active_list;
	int active;
};

void fetch_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	if (buf_add(&t->body, data, len) < 0) {
		t->too_big = 1;
		return 0; /* aborts the transfer: never buffer past max_size */
	}
	return len;
}

/* Status lines tell whether every redirect on the way was permanent. */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	if (len > 9 && !memcmp(data, "HTTP/", 5)) {
		const char *sp = memchr(data, ' ', len);
		if (sp && sp + 4 <= data + len) {
			int code = atoi(sp + 1);
			if (code >= 300 && code < 400 && code != 304) {
				t->redirects++;
				if (code != 301 && code != 308)
					t->redirects_permanent = 0;
			}
		}
	}
	return len;
}

/* Loopback, private, link-local, shared, multicast and unspecified addresses: what a redirect
 * from the outside must not reach (SSRF), unless the source allows it. */
static int private_address(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in in;
		memcpy(&in, sa, sizeof in);
		uint32_t a = ntohl(in.sin_addr.s_addr);
		return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || (a >> 16) == 0xA9FE ||
		       (a >> 20) == 0xAC1 || (a >> 16) == 0xC0A8 || (a >> 22) == (100u << 2 | 1) ||
		       (a >> 28) == 0xE || a == 0xFFFFFFFFu;
	}
	if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 in6;
		memcpy(&in6, sa, sizeof in6);
		const unsigned char *b = in6.sin6_addr.s6_addr;
		static const unsigned char zero[16];
		if (!memcmp(b, zero, 15) && (b[15] == 0 || b[15] == 1))
			return 1; /* :: and ::1 */
		if ((b[0] & 0xFE) == 0xFC || (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) || b[0] == 0xFF)
			return 1; /* unique local, link-local, multicast */
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
		if (!memcmp(b, mapped, 12)) {
			struct sockaddr_in v4;
			memset(&v4, 0, sizeof v4);
			v4.sin_family = AF_INET;
			memcpy(&v4.sin_addr, b + 12, 4);
			return private_address((const struct sockaddr *)&v4);
		}
		return 0;
	}
	return 1;
}

static curl_socket_t on_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct transfer *t = arg;
	(void)purpose;
	if ((t->redirects > 0 || t->allow_private < 0) && t->allow_private <= 0 &&
	    private_address(&addr->addr)) {
		t->refused_private = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

/* Runs before every request, on new and reused connections alike. */
static int on_prereq(void *arg, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
	struct transfer *t = arg;
	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if ((t->redirects == 0 && t->allow_private == 0) || t->allow_private > 0)
		return CURL_PREREQFUNC_OK;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, primary_ip, &v4->sin_addr) == 1)
		v4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, primary_ip, &v6->sin6_addr) == 1)
		v6->sin6_family = AF_INET6;
	if (private_address((struct sockaddr *)&ss)) {
		t->refused_private = 1;
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

static void transfer_free(struct transfer *t)
{
	if (!t)
		return;
	if (t->easy)
		curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	buf_release(&t->body);
	free(t->url);
	free(t->etag);
	free(t->last_modified);
	free(t);
}

static struct transfer *transfer_new(const struct fetch_options *opt, const char *url,
				     const char *etag, const char *last_modified, int allow_private,
				     void *user)
{
	struct transfer *t = xcalloc(1, sizeof *t);
	t->allow_private = allow_private;
	t->url = xstrdup(url);
	t->etag = xstrdup(etag);
	t->last_modified = xstrdup(last_modified);
	t->user = user;
	t->redirects_permanent = 1;
	buf_init(&t->body, (size_t)opt->max_size);
	return t;
}

static int transfer_setup(struct transfer *t, const struct fetch_options *opt, const char *ua)
{
	CURL *e = t->easy = curl_easy_init();
	if (!e)
		return -1;
	curl_easy_setopt(e, CURLOPT_URL, t->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
	curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(e, CURLOPT_PREREQDATA, t);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, opt->timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, opt->timeout < 10 ? opt->timeout : 10L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 16L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, opt->timeout < 15 ? opt->timeout : 15L);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)opt->max_size);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding this libcurl decodes */
	curl_easy_setopt(e, CURLOPT_USERAGENT, ua);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	if (t->etag && *t->etag) {
		char *h = xasprintf("If-None-Match: %s", t->etag);
		t->headers = curl_slist_append(t->headers, h);
		free(h);
	}
	if (t->last_modified && *t->last_modified) {
		char *h = xasprintf("If-Modified-Since: %s", t->last_modified);
		t->headers = curl_slist_append(t->headers, h);
		free(h);
	}
	t->headers = curl_slist_append(t->headers, "Accept: application/rss+xml, application/atom+xml, "
						   "application/feed+json, application/xml;q=0.9, "
						   "text/xml;q=0.9, text/html;q=0.8, */*;q=0.5");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	return 0;
}

struct fetcher *fetch_new(const struct fetch_options *opt)
{
	struct fetcher *f = xcalloc(1, sizeof *f);
	f->opt = *opt;
	if (f->opt.concurrency < 1)
		f->opt.concurrency = 1;
	if (f->opt.per_host < 1)
		f->opt.per_host = 1;
	f->user_agent = xstrdup(opt->user_agent ? opt->user_agent : "tidings/" TIDINGS_VERSION);
	f->opt.user_agent = f->user_agent;
	f->multi = curl_multi_init();
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)f->opt.per_host);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)f->opt.concurrency);
	curl_multi_setopt(f->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	return f;
}

static void unlink_active(struct fetcher *f, struct transfer *t)
{
	if (t->prev_active)
		t->prev_active->next = t->next;
	else
		f->active_list = t->next;
	if (t->next)
		t->next->prev_active = t->prev_active;
	t->next = t->prev_active = NULL;
	f->active--;
}

void fetch_free(struct fetcher *f)
{
	if (!f)
		return;
	while (f->pending) {
		struct transfer *t = f->pending;
		f->pending = t->next;
		transfer_free(t);
	}
	while (f->active_list) {
		struct transfer *t = f->active_list;
		curl_multi_remove_handle(f->multi, t->easy);
		unlink_active(f, t);
		transfer_free(t);
	}
	if (f->multi)
		curl_multi_cleanup(f->multi);
	free(f->user_agent);
	free(f);
}

void fetch_add(struct fetcher *f, const char *url, const char *etag, const char *last_modified,
	       int allow_private, void *user)
{
	struct transfer *t = transfer_new(&f->opt, url, etag, last_modified, allow_private, user);
	if (f->pending_tail)
		f->pending_tail->next = t;
	else
		f->pending = t;
	f->pending_tail = t;
}

static char *header(CURL *e, const char *name)
{
	struct curl_header *h;
	if (curl_easy_header(e, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h->value)
		return NULL;
	return xstrdup(h->value);
}

static int64_t retry_after(const char *v)
{
	if (!v)
		return 0;
	while (isspace((unsigned char)*v))
		v++;
	if (isdigit((unsigned char)*v)) {
		long long secs = strtoll(v, NULL, 10);
		if (secs < 0)
			return 0;
		if (secs > 7 * 86400)
			secs = 7 * 86400;
		return util_now() + secs;
	}
	int64_t t = date_parse(v, 0);
	return t == DATE_NONE ? 0 : t;
}

/* Cache-Control max-age (no-cache/no-store: 0), else Expires minus now; -1 when absent. */
static int64_t freshness(CURL *e)
{
	int64_t fresh = -1;
	char *cc = header(e, "Cache-Control");
	if (cc) {
		for (char *p = cc; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		const char *ma = strstr(cc, "max-age=");
		if (strstr(cc, "no-cache") || strstr(cc, "no-store"))
			fresh = 0;
		else if (ma && isdigit((unsigned char)ma[8]))
			fresh = strtoll(ma + 8, NULL, 10);
		free(cc);
		if (fresh >= 0)
			return fresh;
	}
	char *ex = header(e, "Expires");
	if (ex) {
		int64_t t = date_parse(ex, 0);
		free(ex);
		fresh = t == DATE_NONE ? 0 : t > util_now() ? t - util_now() : 0;
	}
	return fresh;
}

static char *charset_of(const char *content_type)
{
	if (!content_type)
		return NULL;
	const char *p = content_type;
	while ((p = strchr(p, ';'))) {
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (util_strncaseeq(p, "charset=", 8)) {
			p += 8;
			if (*p == '"')
				p++;
			size_t n = strcspn(p, "\"; \t");
			return n ? xstrndup(p, n) : NULL;
		}
	}
	return NULL;
}

static void finish(struct transfer *t, CURLcode code, struct fetch_result *r)
{
	memset(r, 0, sizeof *r);
	r->user = t->user;
	r->url = t->url;
	r->fresh_for = -1;
	long status = 0;
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	r->http_status = (int)status;
	char *eff = NULL;
	curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &eff);
	r->final_url = xstrdup(eff ? eff : t->url);
	if (t->redirects && t->redirects_permanent && eff && strcmp(eff, t->url))
		r->permanent_url = xstrdup(eff);
	if (code != CURLE_OK) {
		if (t->too_big || code == CURLE_FILESIZE_EXCEEDED)
			snprintf(r->error, sizeof r->error, "body larger than max_size (%lld bytes)",
				 (long long)t->body.max);
		else if (code == CURLE_TOO_MANY_REDIRECTS)
			snprintf(r->error, sizeof r->error, "more than 5 redirects");
		else if (t->refused_private)
			snprintf(r->error, sizeof r->error,
				 t->allow_private < 0 && !t->redirects
					 ? "a link to a private or loopback address refused (allow_private = no)"
					 : "redirect to a private or loopback address refused (allow_private = no)");
		else if (code == CURLE_UNSUPPORTED_PROTOCOL && t->redirects)
			snprintf(r->error, sizeof r->error, "redirect to a scheme other than http/https refused");
		else
			snprintf(r->error, sizeof r->error, "%s", curl_easy_strerror(code));
		r->http_status = t->redirects && code == CURLE_UNSUPPORTED_PROTOCOL ? r->http_status : 0;
		return;
	}
	r->ok = 1;
	if (r->http_status) {
		r->etag = header(t->easy, "ETag");
		r->last_modified = header(t->easy, "Last-Modified");
		r->content_type = header(t->easy, "Content-Type");
		r->charset = charset_of(r->content_type);
		char *ra = header(t->easy, "Retry-After");
		r->retry_after = retry_after(ra);
		free(ra);
		r->fresh_for = freshness(t->easy);
		if (r->http_status >= 400)
			snprintf(r->error, sizeof r->error, "HTTP %d", r->http_status);
	}
	r->body = buf_take(&t->body, &r->len);
}

void fetch_result_release(struct fetch_result *r)
{
	free(r->body);
	free(r->etag);
	free(r->last_modified);
	free(r->content_type);
	free(r->charset);
	free(r->final_url);
	free(r->permanent_url);
	memset(r, 0, sizeof *r);
}

static void start_pending(struct fetcher *f)
{
	while (f->pending && f->active < f->opt.concurrency) {
		struct transfer *t = f->pending;
		f->pending = t->next;
		if (!f->pending)
			f->pending_tail = NULL;
		t->next = NULL;
		if (transfer_setup(t, &f->opt, f->user_agent) < 0 ||
		    curl_multi_add_handle(f->multi, t->easy) != CURLM_OK) {
			log_msg(LOG_ERROR, "fetch: %s: cannot start transfer", t->url);
			transfer_free(t);
			continue;
		}
		t->next = f->active_list;
		if (f->active_list)
			f->active_list->prev_active = t;
		f->active_list = t;
		f->active++;
	}
}

int fetch_run(struct fetcher *f, fetch_done_fn done, void *ctx, volatile sig_atomic_t *stop)
{
	start_pending(f);
	while (f->active > 0) {
		if (stop && *stop)
			break;
		int running = 0;
		if (curl_multi_perform(f->multi, &running) != CURLM_OK)
			return -1;
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(f->multi, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			CURL *e = msg->easy_handle;
			CURLcode code = msg->data.result;
			struct transfer *t = NULL;
			curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&t);
			curl_multi_remove_handle(f->multi, e);
			unlink_active(f, t);
			struct fetch_result r;
			finish(t, code, &r);
			done(&r, ctx);
			fetch_result_release(&r);
			transfer_free(t);
		}
		start_pending(f);
		if (f->active > 0)
			curl_multi_poll(f->multi, NULL, 0, 200, NULL);
	}
	while (f->active_list) { /* stopped: drop what is still running */
		struct transfer *t = f->active_list;
		curl_multi_remove_handle(f->multi, t->easy);
		unlink_active(f, t);
		transfer_free(t);
	}
	return 0;
}

static void keep_one(struct fetch_result *r, void *ctx)
{
	struct fetch_result *out = ctx;
	*out = *r;
	memset(r, 0, sizeof *r); /* ownership moves to ctx */
}

int fetch_one(const struct fetch_options *opt, const char *url, struct fetch_result *r)
{
	struct fetcher *f = fetch_new(opt);
	memset(r, 0, sizeof *r);
	fetch_add(f, url, NULL, NULL, 0, NULL);
	int rc = fetch_run(f, keep_one, r, NULL);
	fetch_free(f);
	r->url = NULL;
	return rc;
}
