/* Unit tests for poll: the schedule of the next poll (interval, backoff, hints, Retry-After,
 * jitter).  poll_run itself needs the network and is covered end to end. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "poll.h"
#include "testutil.h"

#define NOW 1637234100LL /* 2021-11-18T11:15:00Z */
#define DAY 86400LL

/* The delay poll_schedule picks, relative to NOW. */
static int64_t delay(int64_t interval, int errors, int64_t retry_after, int64_t hint, double jitter)
{
	return poll_schedule(NOW, interval, errors, retry_after, hint, jitter) - NOW;
}

static void test_plain_interval(void **state)
{
	(void)state;
	assert_int_equal(delay(1800, 0, 0, -1, 0), 1800);
	assert_int_equal(delay(60, 0, 0, -1, 0), 60);
	assert_int_equal(delay(7 * DAY, 0, 0, -1, 0), 7 * DAY);
	/* the absolute time is now + delay, whatever now is */
	assert_int_equal(poll_schedule(1000, 900, 0, 0, -1, 0), 1900);
}

static void test_jitter(void **state)
{
	(void)state;
	assert_int_equal(delay(1000, 0, 0, -1, 0.0), 1000);  /* no jitter at 0 */
	assert_int_equal(delay(1000, 0, 0, -1, 0.5), 1050);  /* half of a tenth */
	assert_int_equal(delay(2000, 0, 0, -1, 0.25), 2050);
	int64_t most = delay(1000, 0, 0, -1, 0.999999);
	assert_true(most >= 1099 && most <= 1100);           /* never more than a tenth */
	/* jitter applies to the stretched delay too */
	assert_int_equal(delay(1000, 0, 0, 4000, 0.5), 4200);
	/* and to the backoff */
	assert_int_equal(delay(1000, 2, 0, -1, 0.5), 2100);
}

static void test_cron_mode(void **state)
{
	(void)state;
	/* interval 0: due at every poll, so the next poll is now: no jitter, hints ignored */
	assert_int_equal(delay(0, 0, 0, -1, 0), 0);
	assert_int_equal(delay(0, 0, 0, -1, 0.5), 0);
	assert_int_equal(delay(0, 0, 0, -1, 0.99), 0);
	assert_int_equal(delay(0, 0, 0, 3600, 0), 0);
	assert_int_equal(delay(0, 0, 0, 3600, 0.5), 0);
	/* but Retry-After still holds it back */
	assert_int_equal(delay(0, 0, NOW + 120, -1, 0.5), 120);
}

static void test_backoff(void **state)
{
	(void)state;
	assert_int_equal(delay(900, 1, 0, -1, 0), 900);
	assert_int_equal(delay(900, 2, 0, -1, 0), 1800);
	assert_int_equal(delay(900, 3, 0, -1, 0), 3600);
	assert_int_equal(delay(900, 4, 0, -1, 0), 7200);
	/* capped at a day */
	assert_int_equal(delay(900, 7, 0, -1, 0), 57600);
	assert_int_equal(delay(900, 8, 0, -1, 0), DAY);
	assert_int_equal(delay(900, 9, 0, -1, 0), DAY);
	assert_int_equal(delay(900, 1000, 0, -1, 0), DAY);
	assert_int_equal(delay(3600, 30, 0, -1, 0), DAY);
	assert_int_equal(delay(DAY / 2 + 1, 2, 0, -1, 0), DAY);
	/* the base is at least a minute: a cron-mode source (interval 0) and short intervals */
	assert_int_equal(delay(0, 1, 0, -1, 0), 60);
	assert_int_equal(delay(0, 2, 0, -1, 0), 120);
	assert_int_equal(delay(0, 3, 0, -1, 0), 240);
	assert_int_equal(delay(10, 1, 0, -1, 0), 60);
	assert_int_equal(delay(10, 3, 0, -1, 0), 240);
	assert_int_equal(delay(0, 100, 0, -1, 0), DAY);
	/* a failing source ignores cache hints: the backoff decides */
	assert_int_equal(delay(900, 1, 0, 7200, 0), 900);
}

static void test_hint_stretches(void **state)
{
	(void)state;
	assert_int_equal(delay(900, 0, 0, 3600, 0), 3600);
	assert_int_equal(delay(900, 0, 0, DAY - 1, 0), DAY - 1);
	assert_int_equal(delay(900, 0, 0, DAY, 0), DAY);
	/* never beyond a day */
	assert_int_equal(delay(900, 0, 0, DAY + 1, 0), DAY);
	assert_int_equal(delay(900, 0, 0, 30 * DAY, 0), DAY);
	assert_int_equal(delay(900, 0, 0, INT64_MAX / 4, 0), DAY);
	/* unless the interval itself is longer: a hint never shortens it */
	assert_int_equal(delay(2 * DAY, 0, 0, 3 * DAY, 0), 2 * DAY);
	assert_int_equal(delay(7 * DAY, 0, 0, 30 * DAY, 0), 7 * DAY);
}

static void test_hint_never_shortens(void **state)
{
	(void)state;
	assert_int_equal(delay(3600, 0, 0, 60, 0), 3600);
	assert_int_equal(delay(3600, 0, 0, 3599, 0), 3600);
	assert_int_equal(delay(3600, 0, 0, 3600, 0), 3600);
	assert_int_equal(delay(3600, 0, 0, 0, 0), 3600);
	assert_int_equal(delay(3600, 0, 0, -1, 0), 3600);
	assert_int_equal(delay(2 * DAY, 0, 0, DAY, 0), 2 * DAY);
}

static void test_retry_after(void **state)
{
	(void)state;
	/* later than the computed time: it wins, exactly, with no jitter on top */
	assert_int_equal(delay(900, 0, NOW + 7200, -1, 0), 7200);
	assert_int_equal(delay(900, 0, NOW + 7200, -1, 0.5), 7200);
	assert_int_equal(delay(900, 3, NOW + 7200, -1, 0), 7200);
	assert_int_equal(delay(900, 0, NOW + 3 * DAY, -1, 0), 3 * DAY); /* not capped */
	/* earlier: the computed time stays */
	assert_int_equal(delay(900, 0, NOW + 60, -1, 0), 900);
	assert_int_equal(delay(900, 3, NOW + 60, -1, 0), 3600);
	assert_int_equal(delay(900, 0, NOW + 899, -1, 0.5), 945);
	assert_int_equal(delay(900, 0, NOW - 3600, -1, 0), 900); /* in the past */
	assert_int_equal(delay(900, 0, NOW + 3000, 3600, 0), 3600); /* earlier than the hint */
	assert_int_equal(delay(900, 0, NOW + 4000, 3600, 0), 4000);
	/* 0: none */
	assert_int_equal(delay(900, 0, 0, -1, 0), 900);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_interval),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_cron_mode),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_hint_stretches),
		cmocka_unit_test(test_hint_never_shortens),
		cmocka_unit_test(test_retry_after),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
