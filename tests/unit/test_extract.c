/* Unit tests for extract: plain-text article files and strptime-like dates. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "extract.h"
#include "feed.h"
#include "util.h"
#include "testutil.h"

#define SEED "examples/articles/hnp-article.txt"

static char *read_seed(size_t *len)
{
	char err[256];
	/* the tests run from the repository root (tests/run.sh) */
	char *data = util_read_file(SEED, 1 << 20, len, err, sizeof err);
	if (!data)
		fail_msg("%s", err);
	return data;
}

static void test_seed_article(void **state)
{
	(void)state;
	size_t len;
	char *data = read_seed(&len);
	struct extract_options opt = {.id = "hnp-article.txt", .tz_offset = 7 * 60};
	char err[256] = "";
	struct feed *f = extract_text(data, len, &opt, err, sizeof err);
	if (!f)
		fail_msg("extract_text: %s", err);
	assert_string_equal(f->format, "text");
	assert_int_equal(f->nitems, 1);
	struct item *it = &f->items[0];
	assert_string_equal(it->title,
			    "Tổ chức thực hiện thật hiệu quả các văn bản mới về công tác xây dựng Đảng");
	char when[32];
	date_rfc3339(it->published, when);
	assert_string_equal(when, "2021-11-18T11:15:00Z");
	assert_string_equal(it->author, "Trọng Toàn");
	assert_string_equal(it->id, "hnp-article.txt");
	/* the lead as the source has it (a no-break space after "HNP -") */
	assert_true(!strncmp(it->summary, "<p>HNP -", 8));
	assert_non_null(strstr(it->summary, "Kết luận và chỉ đạo tại Hội nghị quán triệt"));
	assert_null(strstr(it->summary, "Bí thư Thành ủy yêu cầu"));
	/* every body paragraph, from the first to the last */
	assert_non_null(strstr(it->content, "Bí thư Thành ủy yêu cầu, ngay sau hội nghị"));
	assert_non_null(strstr(it->content, "Đáng chú ý, đối với Quy định số 37-QĐ/TW"));
	assert_non_null(strstr(it->content, "nhiệm kỳ 2020-2025."));
	static const char *const boxes[] = {"Các bài mới đăng", "Các bài đã đăng", "Bài viết Xem",
					    "Viết bình luận", "Họ tên", "Mã xác nhận", "Trọng Toàn"};
	for (size_t i = 0; i < sizeof boxes / sizeof boxes[0]; i++)
		if (strstr(it->content, boxes[i]))
			fail_msg("content holds %s", boxes[i]);
	feed_free(f);
	free(data);
}

static void test_shapes(void **state)
{
	(void)state;
	char err[256];
	struct extract_options opt = {.tz_offset = 0, .date_format = "%d.%m.%Y %H:%M"};
	static const char doc[] = "A title (05.03.2024 08:30)\n\nThe lead paragraph says what happened today in town.\n"
				  "Then the body goes on with more words about it than a caption has.\n\n"
				  "Jane Doe\n\nRelated posts\nLeave a comment\n";
	struct feed *f = extract_text(doc, strlen(doc), &opt, err, sizeof err);
	if (!f)
		fail_msg("%s", err);
	struct item *it = &f->items[0];
	assert_string_equal(it->title, "A title");
	assert_true(it->published == date_from_civil(2024, 3, 5, 8, 30, 0));
	assert_string_equal(it->author, "Jane Doe");
	assert_null(strstr(it->content, "Related posts"));
	assert_null(strstr(it->content, "Leave a comment"));
	assert_non_null(it->id); /* derived when not given */
	feed_free(f);

	/* no timestamp: the whole first line is the title and the date is unknown */
	static const char nodate[] = "Just a title\n\nA first paragraph of the article, long enough to be prose.\n";
	f = extract_text(nodate, strlen(nodate), &opt, err, sizeof err);
	assert_non_null(f);
	assert_string_equal(f->items[0].title, "Just a title");
	assert_true(f->items[0].published == DATE_NONE);
	assert_null(f->items[0].author);
	feed_free(f);

	/* text is escaped into the HTML fields */
	static const char amp[] = "T <b>\n\nFish & chips < 5 pounds, said the sign outside the shop today.\n";
	f = extract_text(amp, strlen(amp), &opt, err, sizeof err);
	assert_non_null(f);
	assert_non_null(strstr(f->items[0].content, "Fish &amp; chips &lt; 5"));
	assert_string_equal(f->items[0].title, "T <b>");
	feed_free(f);
}

static void test_rejects(void **state)
{
	(void)state;
	char err[256];
	struct extract_options opt = {0};
	static const char *const bad[] = {"", "one line only", "title\n\nshort\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		struct feed *f = extract_text(bad[i], strlen(bad[i]), &opt, err, sizeof err);
		if (f)
			fail_msg("case %zu extracted", i);
		assert_true(err[0] != '\0');
	}
	static const char bin[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04";
	struct feed *f = extract_text(bin, sizeof bin - 1, &opt, err, sizeof err);
	assert_null(f);
}

static void test_dates(void **state)
{
	(void)state;
	assert_true(extract_date("18:15 18/11/2021", "%H:%M %d/%m/%Y", 420) == 1637234100LL);
	assert_true(extract_date("18/11/21 6:15 pm", "%d/%m/%y %I:%M %p", 420) == 1637234100LL);
	assert_true(extract_date("18 Nov 2021, 11:15", "%d %b %Y, %H:%M", 0) == 1637234100LL);
	assert_true(extract_date("2021-11-18", "%Y-%m-%d", 0) == date_from_civil(2021, 11, 18, 0, 0, 0));
	assert_true(extract_date("18/11/2021", "%H:%M %d/%m/%Y", 0) == DATE_NONE);
	assert_true(extract_date("32/11/2021", "%d/%m/%Y", 0) == DATE_NONE);
	assert_true(extract_date("18-11-2021", "%d/%m/%Y", 0) == DATE_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_article),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
