#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

int log_verbosity = LOG_WARN;

static void oom(void)
{
	fputs("tidings: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	char *p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	if ((int)level > log_verbosity)
		return;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* One write per line so lines from threads never interleave. */
	fprintf(stderr, "%s %s %s\n", stamp, names[level], line);
}

void util_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	static const char hex[] = "0123456789abcdef";
	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
		oom();
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void util_errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

char *util_strlcpy(char *dst, const char *src, size_t n)
{
	if (n) {
		size_t l = strlen(src);
		if (l >= n)
			l = n - 1;
		memcpy(dst, src, l);
		dst[l] = '\0';
	}
	return dst;
}

char *util_read_file(const char *path, size_t cap, size_t *len, char *err, size_t errlen)
{
	char *data = NULL;
	size_t have = 0, size = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		util_errf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= cap) {
		size = (size_t)st.st_size + 4096; /* one read, no copies; more if the file grows */
		data = xmalloc(size + 1);
	}
	for (;;) {
		if (size - have < 4096) {
			size = size ? size * 2 : 65536;
			data = xrealloc(data, size + 1);
		}
		ssize_t n = read(fd, data + have, size - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			util_errf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (have > cap) {
			util_errf(err, errlen, "%s: larger than %zu bytes", path, cap);
			goto fail;
		}
	}
	close(fd);
	if (!data)
		data = xmalloc(1);
	data[have] = '\0';
	if (len)
		*len = have;
	return data;
fail:
	close(fd);
	free(data);
	return NULL;
}

static int same_contents(const char *path, const void *data, size_t len)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != len)
		return 0;
	size_t have;
	char *old = util_read_file(path, len, &have, NULL, 0);
	int same = old && have == len && memcmp(old, data, len) == 0;
	free(old);
	return same;
}

int util_write_if_changed(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	if (same_contents(path, data, len))
		return 0;
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int rc = -1;
	FILE *f = fopen(tmp, "wb");
	if (!f) {
		util_errf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	size_t w = len ? fwrite(data, 1, len, f) : 0;
	int bad = w != len || fflush(f) != 0 || ferror(f);
	int saved = errno;
	if (fclose(f) != 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	if (bad) {
		util_errf(err, errlen, "%s: write failed: %s", tmp, strerror(saved));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		util_errf(err, errlen, "%s: rename: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 1;
out:
	free(tmp);
	return rc;
}

int util_mkdir_p(const char *dir, char *err, size_t errlen)
{
	char *p = xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) != 0 && errno != EEXIST) {
				util_errf(err, errlen, "%s: %s", p, strerror(errno));
				rc = -1;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return rc;
}

int util_mkdir_parents(const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	char *dir = xstrndup(path, (size_t)(slash - path));
	int rc = util_mkdir_p(dir, err, errlen);
	free(dir);
	return rc;
}

int64_t util_now(void)
{
	return (int64_t)time(NULL);
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int util_strcaseeq(const char *a, const char *b)
{
	while (*a && lower((unsigned char)*a) == lower((unsigned char)*b))
		a++, b++;
	return *a == '\0' && *b == '\0';
}

int util_strncaseeq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
		if (!a[i])
			return 1;
	}
	return 1;
}

char *util_trim(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\f' || *s == '\v')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n' ||
		     s[n - 1] == '\f' || s[n - 1] == '\v'))
		s[--n] = '\0';
	return s;
}

char *util_gzip(const void *data, size_t len, size_t *outlen)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	uLong cap = deflateBound(&z, (uLong)len);
	char *out = xmalloc(cap);
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	return out;
}

void util_thread_nicer(int by)
{
	id_t tid = (id_t)syscall(SYS_gettid);
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, tid);
	if (errno == 0)
		setpriority(PRIO_PROCESS, tid, nice + by);
}
