/* fetch — bounded parallel transfers over http(s):// and file:// with conditional GET and limits. */
#ifndef TIDINGS_FETCH_H
#define TIDINGS_FETCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct fetch_options {
	int concurrency;     /* transfers at once in total */
	int per_host;        /* transfers at once to one host */
	long timeout;        /* seconds for a whole transfer */
	int64_t max_size;    /* largest body accepted, counted after decompression */
	const char *user_agent;
};

struct fetch_result {
	void *user;          /* as given to fetch_add */
	const char *url;     /* the URL asked for */
	int ok;              /* a complete response arrived (of any HTTP status) */
	int http_status;     /* 0 for file:// and transport errors */
	char *body;          /* NUL-terminated; NULL unless ok */
	size_t len;
	char *etag, *last_modified, *content_type, *charset; /* of the final response, as received */
	char *final_url;     /* after redirects */
	char *permanent_url; /* set when every redirect on the way was permanent (301/308) */
	int64_t retry_after; /* absolute Unix time from Retry-After, or 0 */
	int64_t fresh_for;   /* seconds the response stays fresh (Cache-Control max-age, else
				Expires), or -1 when the server says nothing */
	char error[256];     /* when !ok, or for HTTP errors: a one-line reason */
};

struct fetcher;

void fetch_global_init(void);
void fetch_global_cleanup(void);

struct fetcher *fetch_new(const struct fetch_options *opt);
void fetch_free(struct fetcher *f);
/* allow_private for a URL not chosen by the operator (a link found on a page): unless the
 * source allows private addresses, even the first connection must not reach one. */
#define FETCH_UNTRUSTED (-1)

/* Queues a transfer; etag and last_modified (may be NULL) are sent back verbatim.  Unless
 * allow_private is set, redirects never connect to private, loopback or link-local addresses
 * (the first URL, chosen by the operator, may, unless allow_private is FETCH_UNTRUSTED). */
void fetch_add(struct fetcher *f, const char *url, const char *etag, const char *last_modified,
	       int allow_private, void *user);
typedef void (*fetch_done_fn)(struct fetch_result *r, void *ctx);
/* Runs every queued transfer, calling done as each one ends (the result is released after the
 * call).  Returns early, dropping unfinished transfers, when *stop becomes non-zero. */
int fetch_run(struct fetcher *f, fetch_done_fn done, void *ctx, volatile sig_atomic_t *stop);

/* One transfer, synchronously (for `tidings parse URL`).  The caller releases r. */
int fetch_one(const struct fetch_options *opt, const char *url, struct fetch_result *r);
void fetch_result_release(struct fetch_result *r);

#endif
