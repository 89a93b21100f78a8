/* Unit tests for date: the liberal parser, offsets, and the formats tidings writes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "date.h"
#include "util.h"
#include "testutil.h"

/* 2021-11-18T11:15:00Z: the seed article's "18:15 18/11/2021" at UTC+07:00. */
#define T 1637234100LL

struct date_case {
	const char *s;
	int default_offset;
	int64_t want;
};

static void check_cases(const struct date_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t got = date_parse(cases[i].s, cases[i].default_offset);
		if (got != cases[i].want) {
			char g[40] = "DATE_NONE", w[40] = "DATE_NONE";
			if (got != DATE_NONE)
				date_rfc3339(got, g);
			if (cases[i].want != DATE_NONE)
				date_rfc3339(cases[i].want, w);
			fail_msg("date_parse(\"%s\", %d) = %s (%lld), want %s (%lld)", cases[i].s,
				 cases[i].default_offset, g, (long long)got, w, (long long)cases[i].want);
		}
	}
}

#define CHECK(cases) check_cases(cases, sizeof cases / sizeof cases[0])

static void test_rfc822_variants(void **state)
{
	(void)state;
	static const struct date_case cases[] = {
		{"Thu, 18 Nov 2021 11:15:00 GMT", 0, T},
		{"Thu, 18 Nov 2021 11:15:00 +0000", 0, T},
		{"Thu, 18 Nov 2021 11:15:00 -0000", 0, T},
		{"18 Nov 2021 11:15:00 GMT", 0, T},          /* no weekday */
		{"Thu, 18 Nov 2021 11:15 GMT", 0, T},        /* no seconds */
		{"18 Nov 2021 11:15 +0000", 0, T},           /* neither */
		{"Thu, 18 Nov 21 11:15:00 GMT", 0, T},       /* two-digit year */
		{"Thu, 18 Nov 99 11:15:00 GMT", 0, 942923700}, /* 1999 */
		{"Thursday, 18 November 2021 11:15:00 GMT", 0, T},
		{"thu, 18 nov 2021 11:15:00 gmt", 0, T},
		{"Thu,18 Nov 2021 11:15:00 GMT", 0, T},
		{"  Thu, 18 Nov 2021 11:15:00 GMT \n", 0, T},
		{"Thu, 8 Nov 2021 11:15:00 GMT", 0, 1636370100},
		{"Thu, 08 Nov 2021 11:15:00 GMT", 0, 1636370100},
		{"Thu, 18 Nov 2021 11:15:00 +0000 (UTC)", 0, T},
		{"18 Nov 2021", 0, T - (11 * 3600 + 15 * 60)},
		/* an explicit zone wins over the default offset */
		{"Thu, 18 Nov 2021 11:15:00 GMT", 420, T},
		/* no zone at all: read at the default offset */
		{"Thu, 18 Nov 2021 18:15:00", 420, T},
	};
	CHECK(cases);
}

static void test_rfc822_named_zones(void **state)
{
	(void)state;
	static const struct date_case cases[] = {
		{"Thu, 18 Nov 2021 11:15:00 UT", 0, T},
		{"Thu, 18 Nov 2021 11:15:00 UTC", 0, T},
		{"Thu, 18 Nov 2021 11:15:00 Z", 0, T},
		{"Thu, 18 Nov 2021 06:15:00 EST", 0, T},
		{"Thu, 18 Nov 2021 07:15:00 EDT", 0, T},
		{"Thu, 18 Nov 2021 05:15:00 CST", 0, T},
		{"Thu, 18 Nov 2021 06:15:00 CDT", 0, T},
		{"Thu, 18 Nov 2021 04:15:00 MST", 0, T},
		{"Thu, 18 Nov 2021 05:15:00 MDT", 0, T},
		{"Thu, 18 Nov 2021 03:15:00 PST", 0, T},
		{"Thu, 18 Nov 2021 04:15:00 PDT", 0, T},
		{"Thu, 18 Nov 2021 12:15:00 CET", 0, T},
		{"Thu, 18 Nov 2021 18:15:00 GMT+7", 0, T},
		{"Thu, 18 Nov 2021 18:15:00 GMT+07:00", 0, T},
		{"Thu, 18 Nov 2021 04:15:00 GMT-7", 0, T},
		{"Thu, 18 Nov 2021 18:15:00 UTC+7", 0, T},
	};
	CHECK(cases);
}

static void test_numeric_offsets(void **state)
{
	(void)state;
	static const struct date_case cases[] = {
		{"Thu, 18 Nov 2021 18:15:00 +0700", 0, T},
		{"Thu, 18 Nov 2021 18:15:00 +07:00", 0, T},
		{"Thu, 18 Nov 2021 05:45:00 -0530", 0, T},
		{"Thu, 18 Nov 2021 05:45:00 -05:30", 0, T},
		{"Thu, 18 Nov 2021 18:15:00 +0700", -300, T}, /* the default does not apply */
		{"2021-11-18T18:15:00+0700", 0, T},
		{"2021-11-18T18:15:00+07", 0, T},
	};
	CHECK(cases);
}

static void test_rfc3339(void **state)
{
	(void)state;
	static const struct date_case cases[] = {
		{"2021-11-18T11:15:00Z", 0, T},
		{"2021-11-18T11:15:00z", 0, T},
		{"2021-11-18t11:15:00Z", 0, T},
		{"2021-11-18T11:15:00+00:00", 0, T},
		{"2021-11-18T18:15:00+07:00", 0, T},
		{"2021-11-18T05:45:00-05:30", 0, T},
		{"2021-11-18T11:15:00.123Z", 0, T},
		{"2021-11-18T18:15:00.123456+07:00", 0, T},
		{"2021-11-18T11:15Z", 0, T},       /* W3CDTF without seconds */
		{"2021-11-18T18:15+07:00", 0, T},
		{"2021-11-18 11:15:00Z", 0, T},    /* space instead of T */
		{"2021-11-18T11:15:00Z", 420, T},  /* Z wins over the default offset */
		{"2020-02-29T00:00:00Z", 0, 1582934400},
		{"2016-12-31T23:59:60Z", 0, 1483228799}, /* leap second: clamped */
		{"1970-01-01T00:00:00Z", 0, 0},
		{"1969-12-31T23:59:59Z", 0, -1},
	};
	CHECK(cases);
}

static void test_partial_and_basic(void **state)
{
	(void)state;
	static const struct date_case cases[] = {
		{"2021", 0, 1609459200},
		{"2021-11", 0, 1635724800},
		{"2021-11-18", 0, 1637193600},
		{"20211118T111500Z", 0, T},
		{"20211118T181500+0700", 0, T},
		{"20211118", 0, 1637193600},
	};
	CHECK(cases);
}

static void test_zoneless_uses_default_offset(void **state)
{
	(void)state;
	static const struct date_case cases[] = {
		{"2021-11-18 18:15:00", 420, T},
		{"2021-11-18T18:15:00", 420, T},
		{"2021-11-18 11:15:00", 0, T},
		{"2021-11-18 05:45:00", -330, T},
		{"20211118T181500", 420, T},
	};
	CHECK(cases);
}

static void test_asctime(void **state)
{
	(void)state;
	static const struct date_case cases[] = {
		{"Thu Nov 18 11:15:00 2021", 0, T},
		{"Mon Nov  8 11:15:00 2021", 0, 1636370100}, /* day padded with a space */
		{"Thu Nov 18 18:15:00 2021", 420, T},
	};
	CHECK(cases);
}

static void test_garbage(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"   ",
		"yesterday",
		"not a date at all",
		"2021-13-01",
		"31 Feb 2021",
		"2021-02-29",                     /* 2021 is not a leap year */
		"2021-11-31",
		"2021-11-18T25:00:00Z",
		"2021-11-18T11:61:00Z",
		"2021-11-18T11:15:00+25:00",
		"2021-11-18T11:15:00 bogus",
		"Thu, 32 Nov 2021 11:15:00 GMT",
		"Thu, 18 Foo 2021 11:15:00 GMT",
		"Thu, 18 Nov 2021 11:15:00 Mars",
		"Nov 2021",
		"12345",
		"0000-01-01",
		"2021-1",
		"Thu, 18 Nov 2021 11:15:00 GMT and then a very long tail of text that goes on",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t got = date_parse(bad[i], 0);
		if (got != DATE_NONE)
			fail_msg("date_parse(\"%s\") = %lld, want DATE_NONE", bad[i], (long long)got);
	}
	assert_true(date_parse(NULL, 0) == DATE_NONE);
}

static void test_parse_offset(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int want;
	} good[] = {
		{"+07:00", 420}, {"+0700", 420}, {"+07", 420},	 {"-05:30", -330}, {"-0530", -330},
		{"Z", 0},	 {"UTC", 0},	 {"GMT", 0},	 {"utc", 0},	   {"+00:00", 0},
		{"-00:00", 0},	 {"EST", -300},	 {" +07:00 ", 420}, {"+14:00", 840}, {"-12:00", -720},
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		int m = 9999;
		if (date_parse_offset(good[i].s, &m) != 0)
			fail_msg("date_parse_offset(\"%s\") failed", good[i].s);
		if (m != good[i].want)
			fail_msg("date_parse_offset(\"%s\") = %d, want %d", good[i].s, m, good[i].want);
	}
	static const char *const bad[] = {"", "07:00", "+25:00", "+07:00x", "Mars", "+7:3",
					  "+0760", "+", "Asia/Ho_Chi_Minh"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int m = 0;
		if (date_parse_offset(bad[i], &m) == 0)
			fail_msg("date_parse_offset(\"%s\") accepted as %d", bad[i], m);
	}
}

static void test_formats(void **state)
{
	(void)state;
	char s[64];
	date_rfc3339(T, s);
	assert_string_equal(s, "2021-11-18T11:15:00Z");
	date_rfc822(T, s);
	assert_string_equal(s, "Thu, 18 Nov 2021 11:15:00 +0000");
	date_http(T, s);
	assert_string_equal(s, "Thu, 18 Nov 2021 11:15:00 GMT");

	date_rfc3339(0, s);
	assert_string_equal(s, "1970-01-01T00:00:00Z");
	date_http(0, s);
	assert_string_equal(s, "Thu, 01 Jan 1970 00:00:00 GMT");
	date_rfc3339(-1, s);
	assert_string_equal(s, "1969-12-31T23:59:59Z");
	date_rfc822(-1, s);
	assert_string_equal(s, "Wed, 31 Dec 1969 23:59:59 +0000");
	date_rfc3339(1582934400 + 43200, s);
	assert_string_equal(s, "2020-02-29T12:00:00Z");
	date_rfc3339(2147483648LL, s); /* past 2038 */
	assert_string_equal(s, "2038-01-19T03:14:08Z");
	date_http(951868800, s);
	assert_string_equal(s, "Wed, 01 Mar 2000 00:00:00 GMT");
}

static void test_weekdays(void **state)
{
	(void)state;
	/* 2021-11-15 was a Monday. */
	static const char *const names[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
	int64_t monday = date_from_civil(2021, 11, 15, 0, 0, 0);
	for (int d = 0; d < 14; d++) {
		char s[64];
		date_rfc822(monday + (int64_t)d * 86400, s);
		if (strncmp(s, names[d % 7], 3) != 0)
			fail_msg("day %d: \"%s\" should start with %s", d, s, names[d % 7]);
	}
}

static void test_round_trips(void **state)
{
	(void)state;
	/* Every format tidings writes is read back to the same second. */
	int64_t t = -86400LL * 365 * 60; /* 1910 */
	int n = 0;
	for (; t < 4102444800LL; t += 86400LL * 37 + 3607 * 5 + 13, n++) {
		char s[64];
		date_rfc3339(t, s);
		if (date_parse(s, 0) != t)
			fail_msg("rfc3339 round trip of %lld via \"%s\" gave %lld", (long long)t, s,
				 (long long)date_parse(s, 0));
		date_rfc822(t, s);
		if (date_parse(s, 300) != t)
			fail_msg("rfc822 round trip of %lld via \"%s\" gave %lld", (long long)t, s,
				 (long long)date_parse(s, 300));
		date_http(t, s);
		if (date_parse(s, -300) != t)
			fail_msg("http round trip of %lld via \"%s\" gave %lld", (long long)t, s,
				 (long long)date_parse(s, -300));
	}
	assert_true(n > 1000);
}

static void test_from_civil(void **state)
{
	(void)state;
	assert_int_equal(date_from_civil(1970, 1, 1, 0, 0, 0), 0);
	assert_int_equal(date_from_civil(2021, 11, 18, 11, 15, 0), T);
	assert_int_equal(date_from_civil(2000, 3, 1, 0, 0, 0), 951868800);
	assert_int_equal(date_from_civil(1969, 12, 31, 23, 59, 59), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc822_variants),
		cmocka_unit_test(test_rfc822_named_zones),
		cmocka_unit_test(test_numeric_offsets),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_partial_and_basic),
		cmocka_unit_test(test_zoneless_uses_default_offset),
		cmocka_unit_test(test_asctime),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_parse_offset),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_weekdays),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_from_civil),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
