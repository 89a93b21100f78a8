#include "date.h"

#include <ctype.h>
#include <string.h>

#include "util.h"

static const char *const month_names[12] = {"jan", "feb", "mar", "apr", "may", "jun",
					   "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const month_caps[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const day_caps[7] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};

/* Named zones of RFC 822 plus the ones feeds use in practice; minutes east of UTC. */
static const struct {
	const char *name;
	int offset;
} zones[] = {
	{"ut", 0},	  {"utc", 0},	   {"gmt", 0},	   {"z", 0},	    {"wet", 0},
	{"bst", 60},	  {"cet", 60},	   {"cest", 120},  {"met", 60},	    {"mest", 120},
	{"eet", 120},	  {"eest", 180},   {"msk", 180},   {"ist", 330},    {"ict", 420},
	{"wib", 420},	  {"hkt", 480},	   {"sgt", 480},   {"awst", 480},   {"jst", 540},
	{"kst", 540},	  {"aest", 600},   {"aedt", 660},  {"nzst", 720},   {"nzdt", 780},
	{"est", -300},	  {"edt", -240},   {"cst", -360},  {"cdt", -300},   {"mst", -420},
	{"mdt", -360},	  {"pst", -480},   {"pdt", -420},  {"akst", -540},  {"akdt", -480},
	{"hst", -600},	  {"ast", -240},   {"adt", -180},  {"nst", -210},   {"ndt", -150},
};

int64_t date_from_civil(int y, int m, int d, int hh, int mm, int ss)
{
	/* Days from 1970-01-01 (Howard Hinnant's days_from_civil). */
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return days * 86400 + (int64_t)hh * 3600 + mm * 60 + ss;
}

static void civil_from_unix(int64_t t, int *y, int *m, int *d, int *hh, int *mm, int *ss, int *wd)
{
	int64_t days = t / 86400, rem = t % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	*hh = (int)(rem / 3600);
	*mm = (int)(rem / 60 % 60);
	*ss = (int)(rem % 60);
	*wd = (int)(((days % 7) + 7) % 7); /* 0 = Thursday */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int valid(int y, int mo, int d, int hh, int mi, int ss)
{
	return y >= 1 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo) &&
	       hh >= 0 && hh <= 24 && mi >= 0 && mi <= 59 && ss >= 0 && ss <= 60 &&
	       !(hh == 24 && (mi || ss));
}

static int digits(const char **p, int min, int max, int *out)
{
	const char *s = *p;
	int n = 0, v = 0;
	while (n < max && isdigit((unsigned char)s[n]))
		v = v * 10 + (s[n++] - '0');
	if (n < min)
		return -1;
	*out = v;
	*p = s + n;
	return n;
}

/* Numeric offset: "+07:00", "+0700", "+07", "-7", "+7:30".  Returns 0 and advances on success. */
static int numeric_offset(const char **p, int *minutes)
{
	const char *s = *p;
	if (*s != '+' && *s != '-' && (unsigned char)*s != 0xe2)
		return -1;
	int sign = 1;
	if ((unsigned char)*s == 0xe2) { /* U+2212 MINUS SIGN */
		if ((unsigned char)s[1] != 0x88 || (unsigned char)s[2] != 0x92)
			return -1;
		sign = -1;
		s += 3;
	} else {
		sign = *s == '-' ? -1 : 1;
		s++;
	}
	int h = 0, m = 0, n;
	const char *start = s;
	n = digits(&s, 1, 4, &h);
	if (n < 0)
		return -1;
	if (n == 4) {
		m = h % 100;
		h /= 100;
	} else if (n == 3) {
		m = h % 100;
		h /= 100;
	} else if (*s == ':' && isdigit((unsigned char)s[1])) {
		s++;
		if (digits(&s, 2, 2, &m) < 0)
			return -1;
	}
	(void)start;
	if (h > 14 || m > 59)
		return -1;
	*minutes = sign * (h * 60 + m);
	*p = s;
	return 0;
}

int date_parse_offset(const char *s, int *minutes)
{
	while (isspace((unsigned char)*s))
		s++;
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		size_t n = strlen(zones[i].name);
		if (util_strncaseeq(s, zones[i].name, n) && !isalpha((unsigned char)s[n])) {
			s += n;
			*minutes = zones[i].offset;
			if (*s == '+' || *s == '-') {
				int extra;
				if (numeric_offset(&s, &extra) < 0)
					return -1;
				*minutes += extra;
			}
			goto end;
		}
	}
	if (numeric_offset(&s, minutes) < 0)
		return -1;
end:
	while (isspace((unsigned char)*s))
		s++;
	return *s ? -1 : 0;
}

/* ISO 8601 / RFC 3339 / W3CDTF, extended or basic form, partial dates allowed. */
static int64_t parse_iso(const char *s, int default_offset)
{
	int y, mo = 1, d = 1, hh = 0, mi = 0, ss = 0;
	int basic = 0;
	if (digits(&s, 4, 4, &y) < 0)
		return DATE_NONE;
	if (*s == '-') {
		s++;
		if (digits(&s, 2, 2, &mo) < 0) {
			return DATE_NONE;
		}
		if (*s == '-') {
			s++;
			if (digits(&s, 1, 2, &d) < 0)
				return DATE_NONE;
		}
	} else if (isdigit((unsigned char)*s)) {
		basic = 1;
		if (digits(&s, 2, 2, &mo) < 0 || digits(&s, 2, 2, &d) < 0)
			return DATE_NONE;
	}
	int offset = default_offset;
	int have_time = 0;
	if ((*s == 'T' || *s == 't' || *s == ' ') && isdigit((unsigned char)s[1])) {
		s++;
		have_time = 1;
		if (digits(&s, 2, 2, &hh) < 0)
			return DATE_NONE;
		if (*s == ':') {
			s++;
			if (digits(&s, 2, 2, &mi) < 0)
				return DATE_NONE;
			if (*s == ':') {
				s++;
				if (digits(&s, 2, 2, &ss) < 0)
					return DATE_NONE;
			}
		} else if (isdigit((unsigned char)*s) && (basic || 1)) {
			if (digits(&s, 2, 2, &mi) < 0)
				return DATE_NONE;
			if (isdigit((unsigned char)*s) && digits(&s, 2, 2, &ss) < 0)
				return DATE_NONE;
		}
		if ((*s == '.' || *s == ',') && isdigit((unsigned char)s[1])) {
			s++;
			while (isdigit((unsigned char)*s))
				s++;
		}
	}
	while (*s == ' ')
		s++;
	if (*s == 'Z' || *s == 'z') {
		offset = 0;
		s++;
	} else if (*s == '+' || *s == '-') {
		if (numeric_offset(&s, &offset) < 0)
			return DATE_NONE;
	} else if (*s && have_time) {
		int o;
		if (date_parse_offset(s, &o) == 0) {
			offset = o;
			s += strlen(s);
		}
	} else if (!have_time) {
		/* A bare date names a day; read it at midnight UTC the way feedparser does. */
		offset = 0;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s)
		return DATE_NONE;
	if (!valid(y, mo, d, hh, mi, ss))
		return DATE_NONE;
	if (ss == 60)
		ss = 59;
	return date_from_civil(y, mo, d, hh, mi, ss) - (int64_t)offset * 60;
}

static int month_of(const char *w, size_t n)
{
	if (n < 3)
		return 0;
	for (int i = 0; i < 12; i++)
		if (util_strncaseeq(w, month_names[i], 3))
			return i + 1;
	return 0;
}

static int is_weekday(const char *w, size_t n)
{
	static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	if (n < 2)
		return 0;
	for (int i = 0; i < 7; i++)
		if (util_strncaseeq(w, days[i], n < 3 ? n : 3))
			return 1;
	return 0;
}

/* RFC 822 and everything that looks like it: tokens in any reasonable order. */
static int64_t parse_rfc822ish(const char *s, int default_offset)
{
	int y = -1, mo = 0, d = -1, hh = -1, mi = 0, ss = 0, offset = default_offset;
	int have_zone = 0, pm = -1, year_digits = 0;
	while (*s) {
		unsigned char c = (unsigned char)*s;
		if (isspace(c) || c == ',' || c == '.' || c == '/' || c == '(' || c == ')') {
			s++;
			continue;
		}
		if (isalpha(c)) {
			const char *w = s;
			while (isalpha((unsigned char)*s))
				s++;
			size_t n = (size_t)(s - w);
			int m = month_of(w, n);
			if (m && !mo) {
				mo = m;
				continue;
			}
			if (is_weekday(w, n))
				continue;
			if ((n == 2) && (util_strncaseeq(w, "am", 2) || util_strncaseeq(w, "pm", 2))) {
				pm = util_strncaseeq(w, "pm", 2);
				continue;
			}
			if (n == 1 && (*w == 'T' || *w == 't'))
				continue;
			/* A zone name, maybe followed by an offset: "GMT+7", "UTC+07:00". */
			char name[8];
			if (n >= sizeof name)
				return DATE_NONE;
			memcpy(name, w, n);
			name[n] = '\0';
			const char *rest = s;
			int off;
			if (date_parse_offset(name, &off) == 0) {
				if (*rest == '+' || *rest == '-') {
					int extra;
					if (numeric_offset(&rest, &extra) == 0) {
						off += extra;
						s = rest;
					}
				}
				offset = off;
				have_zone = 1;
				continue;
			}
			if (n == 1) { /* military zones other than Z: ambiguous in practice; read as UTC */
				offset = 0;
				have_zone = 1;
				continue;
			}
			return DATE_NONE;
		}
		if ((c == '+' || c == '-') && hh >= 0 && !have_zone) {
			if (numeric_offset(&s, &offset) < 0)
				return DATE_NONE;
			have_zone = 1;
			continue;
		}
		if (c == '-' ) {
			s++;
			continue;
		}
		if (isdigit(c)) {
			int v = 0;
			const char *start = s;
			int n = digits(&s, 1, 9, &v);
			if (*s == ':') {
				if (hh >= 0 || n > 2)
					return DATE_NONE;
				hh = v;
				s++;
				if (digits(&s, 1, 2, &mi) < 0)
					return DATE_NONE;
				if (*s == ':') {
					s++;
					if (digits(&s, 1, 2, &ss) < 0)
						return DATE_NONE;
				}
				if (*s == '.' && isdigit((unsigned char)s[1])) {
					s++;
					while (isdigit((unsigned char)*s))
						s++;
				}
				continue;
			}
			(void)start;
			if (n <= 2 && d < 0 && y < 0 && v >= 1 && v <= 31) {
				d = v;
			} else if (y < 0 && (n == 4 || n == 2 || n == 3)) {
				y = v;
				year_digits = n;
			} else if (n <= 2 && d < 0 && v >= 1 && v <= 31) {
				d = v;
			} else {
				return DATE_NONE;
			}
			continue;
		}
		return DATE_NONE;
	}
	if (y < 0 || !mo || d < 0)
		return DATE_NONE;
	if (year_digits <= 2)
		y += y < 50 ? 2000 : 1900;
	else if (year_digits == 3)
		y += 1900;
	if (hh < 0)
		hh = 0;
	if (pm == 1 && hh < 12)
		hh += 12;
	else if (pm == 0 && hh == 12)
		hh = 0;
	if (!valid(y, mo, d, hh, mi, ss))
		return DATE_NONE;
	if (ss == 60)
		ss = 59;
	return date_from_civil(y, mo, d, hh, mi, ss) - (int64_t)offset * 60;
}

int64_t date_parse(const char *s, int default_offset)
{
	if (!s)
		return DATE_NONE;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s || strlen(s) > 64)
		return DATE_NONE;
	if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) &&
	    (s[4] == '-' || isdigit((unsigned char)s[4]) || s[4] == '\0' || s[4] == 'T'))
		return parse_iso(s, default_offset);
	return parse_rfc822ish(s, default_offset);
}

void date_rfc3339(int64_t t, char *out)
{
	int y, m, d, hh, mm, ss, wd;
	civil_from_unix(t, &y, &m, &d, &hh, &mm, &ss, &wd);
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, hh, mm, ss);
}

static void rfc822_zone(int64_t t, char *out, const char *zone)
{
	int y, m, d, hh, mm, ss, wd;
	civil_from_unix(t, &y, &m, &d, &hh, &mm, &ss, &wd);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d %s", day_caps[wd], d, month_caps[m - 1], y,
		 hh, mm, ss, zone);
}

void date_rfc822(int64_t t, char *out)
{
	rfc822_zone(t, out, "+0000");
}

void date_http(int64_t t, char *out)
{
	rfc822_zone(t, out, "GMT");
}
