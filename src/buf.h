/* buf — a growable byte buffer with a size cap, always NUL-terminated. */
#ifndef TIDINGS_BUF_H
#define TIDINGS_BUF_H

#include <stddef.h>

struct buf {
	char *data;  /* NUL-terminated once anything was added; NULL before */
	size_t len;
	size_t size;
	size_t max;  /* adds that would pass this length fail; 0 = no cap */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
/* Makes room for n more bytes, so that adds up to that much move nothing. */
void buf_reserve(struct buf *b, size_t n);
/* Each add returns 0, or -1 (adding nothing) when the cap would be passed. */
int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the data (never NULL) to the caller and empties the buffer. */
char *buf_take(struct buf *b, size_t *len);
const char *buf_str(const struct buf *b); /* "" when empty */

#endif
