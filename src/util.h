/* util — allocation that ends the process on exhaustion, logging, hashing, files. */
#ifndef TIDINGS_UTIL_H
#define TIDINGS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h> /* x86-64's baseline: the byte scans below go sixteen bytes at a time */
#endif

#define DATE_NONE INT64_MIN /* an absent or unparsable date */

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);          /* NULL stays NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
extern int log_verbosity; /* messages above this level are dropped; default LOG_WARN */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes the lower-case hex SHA-256 of data into out (65 bytes with the NUL). */
void util_sha256_hex(const void *data, size_t len, char out[65]);

/* Reads a whole file, at most cap bytes (larger files fail).  The result is NUL-terminated. */
char *util_read_file(const char *path, size_t cap, size_t *len, char *err, size_t errlen);

/* Replaces path with data atomically (temporary file in the same folder, fsync-free rename)
 * unless the file already holds exactly these bytes.  Returns 1 when written, 0 when the file was
 * already identical, -1 on error with err filled. */
int util_write_if_changed(const char *path, const void *data, size_t len, char *err, size_t errlen);

/* mkdir -p for the folder part of path (everything before the last '/'). */
int util_mkdir_parents(const char *path, char *err, size_t errlen);
int util_mkdir_p(const char *dir, char *err, size_t errlen);
/* Lowers the calling thread's scheduling priority: its niceness goes up by `by` (Linux keeps
 * niceness per thread; the kernel caps it at 19). */
void util_thread_nicer(int by);

int64_t util_now(void);

/* gzip (RFC 1952) of data at level 1 (nginx's default: fast, most of the gain), deterministic (no name, no time stamp).
 * Returns a new buffer, or NULL when zlib fails. */
char *util_gzip(const void *data, size_t len, size_t *outlen);

/* Copies src into dst of size n, always NUL-terminating; returns dst. */
char *util_strlcpy(char *dst, const char *src, size_t n);
void util_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ASCII case-insensitive comparison helpers that ignore the locale. */
int util_strcaseeq(const char *a, const char *b);
int util_strncaseeq(const char *a, const char *b, size_t n);
char *util_trim(char *s); /* trims ASCII white space in place, returns the new start */
/* The length of the run of printable ASCII (0x20-0x7E and DEL) at p, at most n bytes, that holds
 * none of the bytes a, b, c (0 for none), for the byte-level passes over documents: byte by
 * byte while runs are short (text between non-ASCII letters), then sixteen bytes at a time
 * (SSE2), then eight.  Inline, so that the stop bytes are constants where it is used. */
static inline size_t util_ascii_run(const char *p, size_t n, char a, char b, char c)
{
	size_t i = 0;
	for (; i < n && i < 8; i++) {
		unsigned char x = (unsigned char)p[i];
		if (x < 0x20 || x >= 0x80 || x == (unsigned char)a || x == (unsigned char)b || x == (unsigned char)c)
			return i;
	}
#ifdef __SSE2__
	{
		/* a signed compare: bytes from 0x80 up are negative, so below 0x20 too */
		const __m128i low = _mm_set1_epi8(0x20), va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b),
			      vc = _mm_set1_epi8(c);
		for (; i + 16 <= n; i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, low), _mm_cmpeq_epi8(v, va)),
						   _mm_or_si128(_mm_cmpeq_epi8(v, vb), _mm_cmpeq_epi8(v, vc)));
			unsigned m = (unsigned)_mm_movemask_epi8(hit);
			if (m)
				return i + (size_t)__builtin_ctz(m);
		}
	}
#endif
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	const uint64_t wa = ones * (unsigned char)a, wb = ones * (unsigned char)b, wc = ones * (unsigned char)c;
	/* The subtractions set the high bit of the first byte below 0x20 or equal to a, b or c (and
	 * perhaps of bytes after it, which only ends the word loop early). */
	while (i + 8 <= n) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if (((w - ones * 0x20) | w | ((w ^ wa) - ones) | ((w ^ wb) - ones) | ((w ^ wc) - ones)) & highs)
			break;
		i += 8;
	}
	for (; i < n; i++) {
		unsigned char x = (unsigned char)p[i];
		if (x < 0x20 || x >= 0x80 || x == (unsigned char)a || x == (unsigned char)b || x == (unsigned char)c)
			break;
	}
	return i;
}

/* A length at p (at most n bytes) holding no C0 control (below 0x20) and none of the nstops
 * bytes in stops: the fast part of a scan whose byte loop then finds the exact stop.  It goes
 * sixteen bytes at a time (SSE2), stopping at the first such byte, then by whole words of eight.
 * Inline with constant stops, so that the tests unroll.  The word tests are exact: a byte below
 * 0x20 ((w - 0x20) borrows where the byte's high bit is clear), and a zero byte in w ^ stop. */
static inline size_t util_word_run(const char *p, size_t n, const char *stops, int nstops)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	size_t i = 0;
#ifdef __SSE2__
	{
		const __m128i high3 = _mm_set1_epi8((char)0xE0), zero = _mm_setzero_si128();
		for (; i + 16 <= n; i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			__m128i hit = _mm_cmpeq_epi8(_mm_and_si128(v, high3), zero); /* below 0x20 */
			for (int k = 0; k < nstops; k++)
				hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8(stops[k])));
			unsigned m = (unsigned)_mm_movemask_epi8(hit);
			if (m)
				return i + (size_t)__builtin_ctz(m);
		}
	}
#endif
	while (i + 8 <= n) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		uint64_t hit = (w - ones * 0x20) & ~w;
		for (int k = 0; k < nstops; k++) {
			uint64_t v = w ^ (ones * (unsigned char)stops[k]);
			hit |= (v - ones) & ~v;
		}
		if (hit & highs)
			break;
		i += 8;
	}
	return i;
}

/* The length of the run at p, at most n bytes, that holds no C0 control (below 0x20) and none
 * of the bytes a and b: util_ascii_run for passes that let bytes >= 0x80 through. */
static inline size_t util_text_run(const char *p, size_t n, char a, char b)
{
	size_t i = 0;
	for (; i < n && i < 8; i++) {
		unsigned char x = (unsigned char)p[i];
		if (x < 0x20 || x == (unsigned char)a || x == (unsigned char)b)
			return i;
	}
	const char stops[2] = {a, b};
	i += util_word_run(p + i, n - i, stops, 2);
	for (; i < n; i++) {
		unsigned char x = (unsigned char)p[i];
		if (x < 0x20 || x == (unsigned char)a || x == (unsigned char)b)
			break;
	}
	return i;
}

#endif
