/* json — the few pieces of JSON writing tidings needs (strings, numbers, dates). */
#ifndef TIDINGS_JSON_H
#define TIDINGS_JSON_H

#include <stdint.h>

#include "buf.h"

/* Appends s as a JSON string (null when s is NULL). */
void json_string(struct buf *b, const char *s);
/* Appends a date as an RFC 3339 UTC string, or null for DATE_NONE. */
void json_date(struct buf *b, int64_t t);
/* Appends "key": (with a leading comma unless first). */
void json_key(struct buf *b, const char *key, int first);

#endif
