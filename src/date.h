/* date — liberal parsing of the dates feeds carry, and the formats tidings writes.
 * Times are Unix seconds in UTC; DATE_NONE (util.h) marks an absent or unparsable date. */
#ifndef TIDINGS_DATE_H
#define TIDINGS_DATE_H

#include <stdint.h>

/* Parses RFC 822/1123 and their real-world variants (two-digit years, no weekday, no seconds,
 * named and US zones, "UT", "GMT+7", offsets without a colon), asctime, RFC 3339 / W3CDTF
 * (partial dates too), ISO 8601 basic form and "YYYY-MM-DD HH:MM:SS".  A date without a zone is
 * read at default_offset minutes east of UTC.  Returns DATE_NONE when nothing sensible is found. */
int64_t date_parse(const char *s, int default_offset);

/* "+07:00", "-0530", "Z", "UTC" → minutes east of UTC.  Returns 0 on success, -1 otherwise. */
int date_parse_offset(const char *s, int *minutes);

/* Formats t as "2021-11-18T11:15:00Z" (out holds at least 32 bytes). */
void date_rfc3339(int64_t t, char *out);
/* Formats t as "Thu, 18 Nov 2021 11:15:00 +0000" (out holds at least 40 bytes). */
void date_rfc822(int64_t t, char *out);
/* Formats t as an HTTP date "Thu, 18 Nov 2021 11:15:00 GMT" (out holds at least 40 bytes). */
void date_http(int64_t t, char *out);

/* Unix seconds of a UTC civil time; fields are not range-checked. */
int64_t date_from_civil(int year, int month, int day, int hour, int min, int sec);

#endif
