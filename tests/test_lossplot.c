/*
 * The loss log reader and chart (lossplot.h): a good file with comments,
 * a resume marker, nan losses, and malformed lines whose messages must
 * name the file and line; then the chart's nan marks, resume mark and
 * legend note, present only where they belong.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lossplot.h"
#include "suites.h"

#define HEADER "# kensho loss log\nseconds\twords\tepoch\tlr\tloss\twords_s\n"

/* Writes text to dir/name and returns the path in buf. */
static const char *
write_log(char *buf, size_t size, const char *dir, const char *name, const char *text)
{
	snprintf(buf, size, "%s/%s", dir, name);
	ks_test_write_file(buf, text, strlen(text));
	return buf;
}

/* How often needle occurs in the file at path. */
static size_t
count_in_file(const char *path, const char *needle)
{
	size_t len, n = 0;
	char *data = ks_test_slurp(path, &len), *p = data;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	free(data);
	return n;
}

START_TEST(test_lossplot_good)
{
	const char *dir = ks_test_tmpdir();
	struct ks_losscurve *c;
	struct ks_err err;
	char path[512];

	write_log(path, sizeof(path), dir, "good.tsv", HEADER
		  "1.000\t1000\t1\t0.05\t2.5\t1000\n"
		  "# a comment\n\n"
		  "2.000\t2000\t1\t0.04\t2.25\t1500\r\n"
		  "3.000\t3000\t2\t0.03\t2.0\t2000");
	ks_err_clear(&err);
	ck_assert_int_eq(ks_losscurve_read(&c, path, &err), KS_OK);
	ck_assert_uint_eq(c->n, 3);
	ck_assert(c->words[0] == 1000 && c->words[1] == 2000 && c->words[2] == 3000);
	ck_assert(c->loss[0] == 2.5 && c->loss[1] == 2.25 && c->loss[2] == 2.0);
	ck_assert(c->words_s[1] == 1500 && c->epoch[2] == 2 && c->lr[1] == 0.04 && c->seconds[2] == 3);
	ck_assert_uint_eq(c->n_resumes, 0);
	ck_assert_uint_eq(c->non_finite, 0);
	snprintf(path, sizeof(path), "%s/good.svg", dir);
	ck_assert_int_eq(ks_lossplot_write(c, path, "good", &err), KS_OK);
	ck_assert_uint_eq(count_in_file(path, "class=\"series\""), 2);
	ck_assert_uint_eq(count_in_file(path, "class=\"nan\""), 0);
	ck_assert_uint_eq(count_in_file(path, "diverged (nan)"), 0);
	ck_assert_uint_eq(count_in_file(path, "class=\"mark\""), 0);
	ks_losscurve_destroy(c);
	ks_losscurve_destroy(NULL);
}
END_TEST

START_TEST(test_lossplot_resume_and_nan)
{
	const char *dir = ks_test_tmpdir();
	struct ks_losscurve *c;
	struct ks_err err;
	char path[512];

	write_log(path, sizeof(path), dir, "resumed.tsv", HEADER
		  "1.0\t1000\t1\t0.05\t2.5\t1000\n"
		  "2.0\t2000\t1\t0.04\t2.4\t1000\n"
		  "# resumed at word 1500\n"
		  "0.5\t2500\t1\t0.04\t2.3\t1000\n"
		  "1.5\t3500\t1\t0.03\t3.5\t1000\n"
		  "2.5\t4500\t1\t0.03\tnan\t1000\n"
		  "3.5\t5500\t1\t0.02\t-nan\t1000\n"
		  "4.5\t6500\t1\t0.02\tinf\t1000\n");
	ks_err_clear(&err);
	ck_assert_int_eq(ks_losscurve_read(&c, path, &err), KS_OK);
	ck_assert_uint_eq(c->n, 7);
	ck_assert_uint_eq(c->n_resumes, 1);
	ck_assert(c->resume_words[0] == 1500);
	ck_assert_uint_eq(c->resume_at[0], 2);
	ck_assert_uint_eq(c->non_finite, 3);
	ck_assert(isnan(c->loss[4]) && isnan(c->loss[5]) && isinf(c->loss[6]));
	ck_assert(c->loss[3] == 3.5);
	snprintf(path, sizeof(path), "%s/resumed.svg", dir);
	ck_assert_int_eq(ks_lossplot_write(c, path, NULL, &err), KS_OK);
	/* Loss and words/s: a line before the resume and one after it each, the nans left out. */
	ck_assert_uint_eq(count_in_file(path, "class=\"series\""), 4);
	ck_assert_uint_eq(count_in_file(path, "class=\"dot\""), 0);
	ck_assert_uint_eq(count_in_file(path, "class=\"nan\""), 3);
	ck_assert_uint_eq(count_in_file(path, "diverged (nan)"), 1);
	ck_assert_uint_eq(count_in_file(path, "class=\"mark\""), 1);
	ks_losscurve_destroy(c);
}
END_TEST

/* Reading text must fail with status, and a message holding want. */
static void
expect_bad(const char *dir, const char *name, const char *text, int status, const char *want)
{
	struct ks_losscurve *c = (struct ks_losscurve *)1;
	struct ks_err err;
	char path[512];

	write_log(path, sizeof(path), dir, name, text);
	ks_err_clear(&err);
	ck_assert_int_eq(ks_losscurve_read(&c, path, &err), status);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err.msg, want) != NULL, "%s: message '%s' lacks '%s'", name, err.msg, want);
}

START_TEST(test_lossplot_malformed)
{
	const char *dir = ks_test_tmpdir();
	char want[600];
	struct ks_losscurve *c;
	struct ks_err err;

	snprintf(want, sizeof(want), "%s/fields.tsv:4: 5 tab-separated fields", dir);
	expect_bad(dir, "fields.tsv", HEADER "1\t1000\t1\t0.05\t2.5\t1000\n1\t2\t3\t4\t5\n",
		   KS_ERR_FORMAT, want);
	snprintf(want, sizeof(want), "%s/number.tsv:3: words 'many' is not a number", dir);
	expect_bad(dir, "number.tsv", HEADER "1\tmany\t1\t0.05\t2.5\t1000\n", KS_ERR_FORMAT, want);
	snprintf(want, sizeof(want), "%s/speed.tsv:3: words_s 'nan' is not a finite number", dir);
	expect_bad(dir, "speed.tsv", HEADER "1\t10\t1\t0.05\t2.5\tnan\n", KS_ERR_FORMAT, want);
	snprintf(want, sizeof(want), "%s/noheader.tsv:1: not a loss log", dir);
	expect_bad(dir, "noheader.tsv", "1\t10\t1\t0.05\t2.5\t100\n", KS_ERR_FORMAT, want);
	snprintf(want, sizeof(want), "%s/spaces.tsv:2: not a loss log", dir);
	expect_bad(dir, "spaces.tsv", "# kensho loss log\nseconds words epoch lr loss words_s\n",
		   KS_ERR_FORMAT, want);
	snprintf(want, sizeof(want), "%s/marker.tsv:3: a resume marker without a word count", dir);
	expect_bad(dir, "marker.tsv", HEADER "# resumed at word many\n", KS_ERR_FORMAT, want);
	snprintf(want, sizeof(want), "%s/empty.tsv: no data lines", dir);
	expect_bad(dir, "empty.tsv", HEADER, KS_ERR_FORMAT, want);
	snprintf(want, sizeof(want), "%s/missing.tsv", dir);
	ck_assert_int_eq(ks_losscurve_read(&c, want, &err), KS_ERR_OPEN);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err.msg, want) != NULL, "message '%s'", err.msg);
}
END_TEST

Suite *
ks_suite_lossplot(void)
{
	Suite *s = suite_create("lossplot");
	TCase *tc = tcase_create("read");

	tcase_add_test(tc, test_lossplot_good);
	tcase_add_test(tc, test_lossplot_resume_and_nan);
	tcase_add_test(tc, test_lossplot_malformed);
	suite_add_tcase(s, tc);
	return s;
}
