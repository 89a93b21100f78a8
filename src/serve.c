#include "serve.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <microhttpd.h>
#include <zlib.h>

#include "date.h"
#include "util.h"

#define MAX_FILE (64u << 20)
#define CACHE_SLOTS 256

/* One cached file version; replaced as a whole when the file's identity (inode, size, mtime)
 * changes.  Readers hold a reference while they copy it into a response. */
struct cached {
	char *path;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char *data, *gz;
	size_t len, gzlen;
	char etag[72], etag_gz[80];
	char last_modified[40];
	int refs;
};

struct server {
	struct MHD_Daemon *daemon;
	char *root;
	long max_age;
	int port;
	pthread_mutex_t lock;
	struct cached *cache[CACHE_SLOTS];
	unsigned long requests, not_modified, not_found, errors;
	char *extra_metrics; /* from serve_set_metrics */
};

static const struct {
	const char *ext, *type;
	int cors;
} types[] = {
	{".rss", "application/rss+xml; charset=utf-8", 1},
	{".atom", "application/atom+xml; charset=utf-8", 1},
	{".json", "application/feed+json; charset=utf-8", 1},
	{".opml", "text/x-opml; charset=utf-8", 1},
	{".html", "text/html; charset=utf-8", 0},
	{".xsl", "application/xslt+xml; charset=utf-8", 0},
	{".xml", "application/xml; charset=utf-8", 0},
	{".css", "text/css; charset=utf-8", 0},
	{".txt", "text/plain; charset=utf-8", 0},
};

static void cached_ref(struct cached *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
}

/* The last reference frees: the cache's own, or a response still sending the bytes. */
static void cached_unref(struct cached *c)
{
	if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free(c->path);
	free(c->data);
	free(c->gz);
	free(c);
}

static unsigned slot_of(const char *path)
{
	unsigned h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % CACHE_SLOTS;
}

/* Whether gz decompresses to exactly data. */
static int gzip_holds(const char *gz, size_t gzlen, const char *data, size_t len)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return 0;
	char *out = xmalloc(len + 1);
	z.next_in = (Bytef *)gz;
	z.avail_in = (uInt)gzlen;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)(len + 1);
	int rc = inflate(&z, Z_FINISH);
	int same = rc == Z_STREAM_END && z.total_out == len && memcmp(out, data, len) == 0;
	inflateEnd(&z);
	free(out);
	return same;
}

/* Returns a referenced cache entry for path, loading it when the file changed. */
static struct cached *lookup(struct server *s, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > MAX_FILE)
		return NULL;
	unsigned slot = slot_of(path);
	pthread_mutex_lock(&s->lock);
	struct cached *c = s->cache[slot];
	if (c && !strcmp(c->path, path) && c->ino == st.st_ino && c->size == st.st_size &&
	    c->mtime.tv_sec == st.st_mtim.tv_sec && c->mtime.tv_nsec == st.st_mtim.tv_nsec) {
		cached_ref(c);
		pthread_mutex_unlock(&s->lock);
		return c;
	}
	pthread_mutex_unlock(&s->lock);

	size_t len;
	char *data = util_read_file(path, MAX_FILE, &len, NULL, 0);
	if (!data)
		return NULL;
	c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	c->ino = st.st_ino;
	c->size = st.st_size;
	c->mtime = st.st_mtim;
	c->data = data;
	c->len = len;
	c->refs = 1;
	char hex[65];
	util_sha256_hex(data, len, hex);
	snprintf(c->etag, sizeof c->etag, "\"%.32s\"", hex);
	snprintf(c->etag_gz, sizeof c->etag_gz, "\"%.32s-gz\"", hex);
	date_http((int64_t)st.st_mtim.tv_sec, c->last_modified);
	/* The gzip twin render wrote beside the file, when it decompresses to exactly these bytes;
	 * otherwise compress here. */
	char *gzpath = xasprintf("%s.gz", path);
	c->gz = util_read_file(gzpath, MAX_FILE, &c->gzlen, NULL, 0);
	if (c->gz && !gzip_holds(c->gz, c->gzlen, data, len)) {
		free(c->gz);
		c->gz = NULL;
	}
	free(gzpath);
	if (!c->gz && len > 256)
		c->gz = util_gzip(data, len, &c->gzlen);

	pthread_mutex_lock(&s->lock);
	struct cached *old = s->cache[slot];
	s->cache[slot] = c;
	cached_ref(c); /* the cache's own reference */
	cached_unref(old);
	pthread_mutex_unlock(&s->lock);
	return c;
}

static void response_done(void *cls)
{
	cached_unref(cls);
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code, const char *type,
			     const char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
								 MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result rc = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return rc;
}

/* A request path names a file inside the output folder only when every segment is a plain name:
 * letters, digits, '-', '_', '.', not starting with '.', no "..", no empty segments. */
static int safe_path(const char *url)
{
	if (url[0] != '/')
		return 0;
	const char *seg = url + 1;
	for (;;) {
		size_t n = strcspn(seg, "/");
		if (n == 0 || seg[0] == '.')
			return seg[n] == '\0' && n == 0 && seg == url + 1; /* only "/" itself */
		for (size_t i = 0; i < n; i++) {
			char c = seg[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			      c == '-' || c == '_' || c == '.'))
				return 0;
		}
		if (seg[n] == '\0')
			return 1;
		seg += n + 1;
	}
}

static int etag_matches(const char *header, const char *etag)
{
	/* Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored. */
	const char *p = header;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		const char *q = p;
		if (*q == '"') {
			q = strchr(q + 1, '"');
			if (!q)
				return 0;
			q++;
		} else {
			q += strcspn(q, ", \t");
		}
		if ((size_t)(q - p) == strlen(etag) && !memcmp(p, etag, (size_t)(q - p)))
			return 1;
		if (q == p)
			break;
		p = q;
	}
	return 0;
}

static int accepts_gzip(const char *ae)
{
	if (!ae)
		return 0;
	const char *g = strstr(ae, "gzip");
	if (!g)
		return 0;
	const char *q = g + 4;
	while (*q == ' ')
		q++;
	if (*q == ';') { /* gzip;q=0 refuses it */
		const char *eq = strchr(q, '=');
		if (eq && strtod(eq + 1, NULL) <= 0.0)
			return 0;
	}
	return 1;
}

static enum MHD_Result serve_metrics(struct server *s, struct MHD_Connection *conn)
{
	char head[1024];
	pthread_mutex_lock(&s->lock);
	snprintf(head, sizeof head,
		 "# HELP tidings_http_requests_total HTTP requests answered.\n"
		 "# TYPE tidings_http_requests_total counter\n"
		 "tidings_http_requests_total %lu\n"
		 "# HELP tidings_http_not_modified_total Requests answered with 304.\n"
		 "# TYPE tidings_http_not_modified_total counter\n"
		 "tidings_http_not_modified_total %lu\n"
		 "# HELP tidings_http_not_found_total Requests answered with 404.\n"
		 "# TYPE tidings_http_not_found_total counter\n"
		 "tidings_http_not_found_total %lu\n",
		 s->requests, s->not_modified, s->not_found);
	char *body = xasprintf("%s%s", head, s->extra_metrics ? s->extra_metrics : "");
	pthread_mutex_unlock(&s->lock);
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return rc;
}

static void count(struct server *s, unsigned long *field)
{
	pthread_mutex_lock(&s->lock);
	s->requests++;
	if (field)
		(*field)++;
	pthread_mutex_unlock(&s->lock);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **req_cls)
{
	struct server *s = cls;
	(void)version;
	(void)upload_data;
	if (!*req_cls) { /* first call: headers only; answer once the request is complete */
		*req_cls = (void *)1;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	int head = !strcmp(method, MHD_HTTP_METHOD_HEAD);
	if (!head && strcmp(method, MHD_HTTP_METHOD_GET)) {
		count(s, NULL);
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
			     "method not allowed\n");
	}
	if (!strcmp(url, "/healthz")) {
		count(s, NULL);
		return reply(conn, MHD_HTTP_OK, "text/plain; charset=utf-8", "ok\n");
	}
	if (!strcmp(url, "/metrics")) {
		count(s, NULL);
		return serve_metrics(s, conn);
	}
	if (!safe_path(url)) {
		count(s, &s->not_found);
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", "not found\n");
	}
	const char *name = strcmp(url, "/") ? url + 1 : "index.html";
	const char *dot = strrchr(name, '.');
	const char *type = NULL;
	int cors = 0;
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(dot, types[i].ext)) {
			type = types[i].type;
			cors = types[i].cors;
		}
	char *path = type ? xasprintf("%s/%s", s->root, name) : NULL;
	struct cached *c = path ? lookup(s, path) : NULL;
	free(path);
	if (!c) {
		count(s, &s->not_found);
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", "not found\n");
	}
	int gz = c->gz && accepts_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								   MHD_HTTP_HEADER_ACCEPT_ENCODING));
	const char *etag = gz ? c->etag_gz : c->etag;
	const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *ims = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	int not_modified = 0;
	if (inm)
		not_modified = etag_matches(inm, etag) || etag_matches(inm, c->etag);
	else if (ims) {
		int64_t t = date_parse(ims, 0);
		not_modified = t != DATE_NONE && (int64_t)c->mtime.tv_sec <= t;
	}
	struct MHD_Response *r;
	unsigned code;
	if (not_modified) {
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		code = MHD_HTTP_NOT_MODIFIED;
		count(s, &s->not_modified);
	} else {
		/* No copy: the response holds a reference to the cached bytes until they are sent. */
		cached_ref(c);
		r = MHD_create_response_from_buffer_with_free_callback_cls(
			gz ? c->gzlen : c->len, gz ? c->gz : c->data, response_done, c);
		code = MHD_HTTP_OK;
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
		if (gz)
			MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
		count(s, NULL);
	}
	char cache_control[64];
	snprintf(cache_control, sizeof cache_control, "max-age=%ld", s->max_age);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, c->last_modified);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);
	if (c->gz)
		MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	if (cors)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
	cached_unref(c);
	enum MHD_Result rc = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return rc;
}

/* Percent-decoding of request paths: like libmicrohttpd's own, except that an encoded NUL
 * becomes a byte safe_path refuses, so "/new.atom%00.html" cannot name "/new.atom". */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	char *w = s;
	for (const char *r = s; *r; r++) {
		if (r[0] == '%' && isxdigit((unsigned char)r[1]) && isxdigit((unsigned char)r[2])) {
			char hex[3] = {r[1], r[2], 0};
			char c = (char)strtol(hex, NULL, 16);
			*w++ = c ? c : '\x01';
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
	const char *colon = strrchr(listen, ':');
	if (!colon)
		return -1;
	char *host = xstrndup(listen, (size_t)(colon - listen));
	int port = atoi(colon + 1);
	int rc = -1;
	memset(ss, 0, sizeof *ss);
	if (host[0] == '[') {
		size_t n = strlen(host);
		if (n > 2 && host[n - 1] == ']') {
			host[n - 1] = '\0';
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
			if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) == 1) {
				a->sin6_family = AF_INET6;
				a->sin6_port = htons((uint16_t)port);
				*len = sizeof *a;
				rc = 0;
			}
		}
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		const char *h = !strcmp(host, "localhost") ? "127.0.0.1" : host;
		if (inet_pton(AF_INET, h, &a->sin_addr) == 1) {
			a->sin_family = AF_INET;
			a->sin_port = htons((uint16_t)port);
			*len = sizeof *a;
			rc = 0;
		}
	}
	free(host);
	return rc;
}

struct server *serve_start(const char *listen, const char *root, long max_age, char *err,
			   size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	if (parse_listen(listen, &ss, &sslen) < 0) {
		util_errf(err, errlen, "serve: listen: cannot use address \"%s\" (use an IP and a port)", listen);
		return NULL;
	}
	struct server *s = xcalloc(1, sizeof *s);
	s->root = xstrdup(root);
	s->max_age = max_age;
	pthread_mutex_init(&s->lock, NULL);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)2,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
				     MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
				     MHD_OPTION_END);
	if (!s->daemon) {
		util_errf(err, errlen, "serve: cannot listen on %s: %s", listen, strerror(errno));
		serve_stop(s);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	return s;
}

int serve_port(const struct server *s)
{
	return s->port;
}

void serve_set_metrics(struct server *s, const char *text)
{
	if (!s)
		return;
	char *copy = xstrdup(text);
	pthread_mutex_lock(&s->lock);
	char *old = s->extra_metrics;
	s->extra_metrics = copy;
	pthread_mutex_unlock(&s->lock);
	free(old);
}

void serve_stop(struct server *s)
{
	if (!s)
		return;
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	for (int i = 0; i < CACHE_SLOTS; i++)
		cached_unref(s->cache[i]);
	pthread_mutex_destroy(&s->lock);
	free(s->extra_metrics);
	free(s->root);
	free(s);
}
