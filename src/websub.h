/* websub — WebSub publisher pings (hub.mode=publish) sent from a background thread, retried
 * with backoff, so polling never waits for a hub. */
#ifndef TIDINGS_WEBSUB_H
#define TIDINGS_WEBSUB_H

struct websub;

struct websub *websub_new(const char *hub, const char *user_agent, long timeout);
/* Queues a ping for topic (a feed URL); a topic already queued is not queued twice. */
void websub_publish(struct websub *w, const char *topic);
/* Waits until the queue is empty or max_seconds passed; returns the pings still queued. */
int websub_flush(struct websub *w, int max_seconds);
/* Stops the thread; pings still queued are dropped (and logged). NULL is fine. */
void websub_free(struct websub *w);

#endif
