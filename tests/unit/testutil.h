/* testutil — helpers shared by the unit tests: temporary folders, files, substring counts.
 * Header-only (static inline) so each test stays one standalone program. */
#ifndef TIDINGS_TESTUTIL_H
#define TIDINGS_TESTUTIL_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Creates a fresh folder "$TMPDIR/tidings-unit-XXXXXX" (or under /tmp); the caller frees the
 * returned path and removes the folder with tu_rmrf.  Returns NULL on failure. */
static inline char *tu_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	size_t n = strlen(tmp) + sizeof "/tidings-unit-XXXXXX";
	char *path = malloc(n);
	if (!path)
		return NULL;
	snprintf(path, n, "%s/tidings-unit-XXXXXX", tmp);
	if (!mkdtemp(path)) {
		free(path);
		return NULL;
	}
	return path;
}

/* Sleeps ms milliseconds (for tests that wait, within a bound, for another thread's work). */
static inline void tu_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* rm -rf path (does not follow symbolic links).  Returns 0 on success. */
static inline int tu_rmrf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		size_t n = strlen(path) + strlen(e->d_name) + 2;
		char *child = malloc(n);
		if (!child) {
			rc = -1;
			break;
		}
		snprintf(child, n, "%s/%s", path, e->d_name);
		if (tu_rmrf(child) < 0)
			rc = -1;
		free(child);
	}
	closedir(d);
	if (rmdir(path) < 0)
		rc = -1;
	return rc;
}

/* The whole file, NUL-terminated; NULL when it cannot be read.  *len (if given) gets its size. */
static inline char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *data = malloc(cap);
	size_t got;
	while (data && (got = fread(data + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 == cap) {
			char *bigger = realloc(data, cap * 2);
			if (!bigger) {
				free(data);
				data = NULL;
				break;
			}
			data = bigger;
			cap *= 2;
		}
	}
	if (data && ferror(f)) {
		free(data);
		data = NULL;
	}
	fclose(f);
	if (!data)
		return NULL;
	data[n] = '\0';
	if (len)
		*len = n;
	return data;
}

/* Writes text to path; returns 0 on success. */
static inline int tu_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t n = strlen(text);
	int rc = fwrite(text, 1, n, f) == n ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* A new string "dir/name"; the caller frees it. */
static inline char *tu_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* How many times needle occurs in haystack (non-overlapping). */
static inline size_t tu_count(const char *haystack, const char *needle)
{
	size_t n = 0, len = strlen(needle);
	if (!haystack || !len)
		return 0;
	for (const char *p = strstr(haystack, needle); p; p = strstr(p + len, needle))
		n++;
	return n;
}

#endif
