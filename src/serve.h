/* serve — the output folder over HTTP (libmicrohttpd), read-only.  Shares nothing with the poller
 * but the files, which render replaces atomically. */
#ifndef TIDINGS_SERVE_H
#define TIDINGS_SERVE_H

#include <stddef.h>

struct server;

/* Starts serving root on listen ("127.0.0.1:8080", "[::1]:0"; port 0 picks a free one) in
 * background threads.  max_age is the Cache-Control max-age in seconds. */
struct server *serve_start(const char *listen, const char *root, long max_age, char *err,
			   size_t errlen);
int serve_port(const struct server *s);
void serve_stop(struct server *s);
/* Replaces the Prometheus text appended to /metrics (the poller's figures); thread-safe. */
void serve_set_metrics(struct server *s, const char *text);

#endif
