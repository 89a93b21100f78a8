/* json — the few pieces of JSON writing tidings needs (strings, numbers, dates). */
#ifndef TIDINGS_JSON_H
#define TIDINGS_JSON_H

#include <stdint.h>

#include "buf.h"

/* Appends s as a JSON string (null when s is NULL). */
void json_string(struct buf *b, const char *s);
/* Appends a date as an RFC 3339 UTC string, or null for DATE_NONE. */
void json_date(struct buf *b, int64_t t);
/* Appends the n strings at s as a JSON array. */
void json_strings(struct buf *b, char *const *s, size_t n);
/* Appends "key": (with a leading comma unless first). */
void json_key(struct buf *b, const char *key, int first);
/* Appends "key":"value" (value null when NULL; a leading comma unless first). */
void json_member(struct buf *b, const char *key, const char *value, int first);

#endif
