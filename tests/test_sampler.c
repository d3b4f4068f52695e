/*
 * Random numbers, the alias sampler and the subsampling rule.
 *
 * Distribution tests draw with a fixed seed, which they print, and compare
 * the counts with Pearson's chi-square statistic against the 0.999
 * quantile for their degrees of freedom: a correct sampler fails one in a
 * thousand seeds, and the seed is fixed, so the test is deterministic; a
 * wrong distribution (the exponent ignored, a column's share misplaced)
 * gives statistics in the thousands.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sampler.h"
#include "suites.h"

#define ST_SEED UINT64_C(1234567)
#define ST_DRAWS 1000000

/* The 0.999 quantiles of the chi-square distribution. */
#define ST_CHI2_999_DF19 43.820
#define ST_CHI2_999_DF9 27.877
#define ST_CHI2_999_DF2 13.816

/* Pearson's statistic of observed counts against expected weights. */
static double
st_chi_square(const uint64_t *observed, const double *weight, size_t n, uint64_t draws)
{
	double total = 0.0, chi2 = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		total += weight[i];
	for (i = 0; i < n; i++) {
		double expected = (double)draws * weight[i] / total;

		if (expected > 0.0)
			chi2 += ((double)observed[i] - expected) * ((double)observed[i] - expected) /
				expected;
	}
	return chi2;
}

/* Builds a table, draws `draws` times and returns the chi-square statistic. */
static double
st_alias_chi2(const uint64_t *counts, size_t n, double exponent, uint64_t seed, uint64_t *hist)
{
	struct ks_alias *a;
	struct ks_err err;
	struct ks_rng r;
	double weight[64];
	size_t i;

	ck_assert_uint_le(n, 64);
	ck_assert_int_eq(ks_alias_create(&a, counts, n, exponent, &err), KS_OK);
	memset(hist, 0, n * sizeof(*hist));
	ks_rng_seed(&r, seed, 0);
	/* No ck_assert in the loop: each one is a write to Check's pipe. */
	for (i = 0; i < ST_DRAWS; i++) {
		uint32_t w = ks_alias_draw(a, &r);

		if (w >= n)
			break;
		hist[w]++;
	}
	ck_assert_msg(i == ST_DRAWS, "draw %zu out of range, seed %llu", i,
		      (unsigned long long)seed);
	for (i = 0; i < n; i++)
		weight[i] = counts[i] == 0 ? 0.0 : pow((double)counts[i], exponent);
	ks_alias_destroy(a);
	return st_chi_square(hist, weight, n, ST_DRAWS);
}

START_TEST(test_alias_zipf_chi_square)
{
	uint64_t counts[20], hist[20];
	double chi2;
	size_t i;

	for (i = 0; i < 20; i++)
		counts[i] = 1000000 / (i + 1);
	chi2 = st_alias_chi2(counts, 20, 0.75, ST_SEED, hist);
	printf("sampler: Zipf^0.75 over 20 words, seed %llu: chi-square %.2f (19 df, 0.999: %.2f)\n",
	       (unsigned long long)ST_SEED, chi2, ST_CHI2_999_DF19);
	ck_assert_msg(chi2 < ST_CHI2_999_DF19, "chi-square %.2f, seed %llu", chi2,
		      (unsigned long long)ST_SEED);
	/* The exponent matters: the same draws are far from the raw counts. */
	{
		double raw[20];

		for (i = 0; i < 20; i++)
			raw[i] = (double)counts[i];
		ck_assert(st_chi_square(hist, raw, 20, ST_DRAWS) > 1000.0);
	}
}
END_TEST

START_TEST(test_alias_exponent_zero_is_uniform)
{
	uint64_t counts[10] = { 1, 5, 1000, 7, 7, 123456789, 2, 3, 99, 1 }, hist[10];
	struct ks_alias *a;
	struct ks_err err;
	double chi2;
	size_t i;

	chi2 = st_alias_chi2(counts, 10, 0.0, ST_SEED + 10, hist);
	ck_assert_msg(chi2 < ST_CHI2_999_DF9, "chi-square %.2f, seed %llu", chi2,
		      (unsigned long long)(ST_SEED + 10));
	/* Equal weights fill every column exactly: nothing is ever aliased. */
	ck_assert_int_eq(ks_alias_create(&a, counts, 10, 0.0, &err), KS_OK);
	for (i = 0; i < 10; i++) {
		ck_assert_uint_eq(a->col[i].prob, UINT32_MAX);
		ck_assert_uint_eq(a->col[i].alias, i);
	}
	ks_alias_destroy(a);
}
END_TEST

START_TEST(test_alias_zero_count_never_drawn)
{
	/* Zero counts first, last and in the middle; exponent 0 must not revive them. */
	uint64_t counts[12] = { 0, 50, 1, 0, 1000, 0, 7, 300000, 0, 2, 9, 0 }, hist[12];
	double exponents[] = { 0.75, 0.0, 1.0 };
	size_t e, i;

	for (e = 0; e < sizeof(exponents) / sizeof(exponents[0]); e++) {
		double chi2 = st_alias_chi2(counts, 12, exponents[e], ST_SEED + 2 + e, hist);

		for (i = 0; i < 12; i++)
			if (counts[i] == 0)
				ck_assert_msg(hist[i] == 0, "exponent %g: word %zu (count 0) drawn",
					      exponents[e], i);
		/* 7 words with nonzero weight: 6 degrees of freedom, 0.999 quantile 22.458. */
		ck_assert_msg(chi2 < 22.458, "exponent %g: chi-square %.2f, seed %llu",
			      exponents[e], chi2, (unsigned long long)(ST_SEED + 2 + e));
	}
}
END_TEST

START_TEST(test_alias_single_word)
{
	uint64_t count = 3;
	struct ks_alias *a;
	struct ks_err err;
	struct ks_rng r;
	int i;

	ck_assert_int_eq(ks_alias_create(&a, &count, 1, 0.75, &err), KS_OK);
	ks_rng_seed(&r, ST_SEED, 0);
	for (i = 0; i < 1000; i++)
		if (ks_alias_draw(a, &r) != 0)
			break;
	ck_assert_int_eq(i, 1000);
	ks_alias_destroy(a);
}
END_TEST

START_TEST(test_alias_rejects_nothing_to_draw)
{
	uint64_t zeros[3] = { 0, 0, 0 }, one = 1;
	struct ks_alias dummy = { 0, NULL }, *a = &dummy;
	struct ks_err err;

	ks_err_clear(&err);
	ck_assert_int_eq(ks_alias_create(&a, zeros, 0, 0.75, &err), KS_ERR_EMPTY);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(err.status, KS_ERR_EMPTY);
	ck_assert_int_eq(ks_alias_create(&a, zeros, 3, 0.75, &err), KS_ERR_EMPTY);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(ks_alias_create(&a, &one, 1, NAN, &err), KS_ERR_FORMAT);
	ck_assert_ptr_null(a);
	ks_alias_destroy(NULL);
}
END_TEST

START_TEST(test_rng_streams)
{
	struct ks_rng a, b;
	uint64_t first[64 * 64], xa[1000], xb[1000];
	size_t seed, stream, i, j, same = 0;

	/* Same seed and stream: the same sequence. */
	ks_rng_seed(&a, ST_SEED, 3);
	ks_rng_seed(&b, ST_SEED, 3);
	for (i = 0; i < 1000; i++)
		same += ks_rng_next(&a) == ks_rng_next(&b);
	ck_assert_uint_eq(same, 1000);
	/* Neighbouring seeds and streams (threads): different states and outputs. */
	for (seed = 0; seed < 64; seed++)
		for (stream = 0; stream < 64; stream++) {
			ks_rng_seed(&a, seed, stream);
			ck_assert((a.s[0] | a.s[1] | a.s[2] | a.s[3]) != 0);
			first[seed * 64 + stream] = ks_rng_next(&a);
		}
	same = 0;
	for (i = 0; i < 64 * 64; i++)
		for (j = i + 1; j < 64 * 64; j++)
			same += first[i] == first[j];
	ck_assert_msg(same == 0, "%zu collisions among 64 seeds x 64 streams", same);
	/* Two streams of one seed share no output among their first thousand. */
	ks_rng_seed(&a, ST_SEED, 0);
	ks_rng_seed(&b, ST_SEED, 1);
	for (i = 0; i < 1000; i++) {
		xa[i] = ks_rng_next(&a);
		xb[i] = ks_rng_next(&b);
	}
	same = 0;
	for (i = 0; i < 1000; i++)
		for (j = 0; j < 1000; j++)
			same += xa[i] == xb[j];
	ck_assert_uint_eq(same, 0);
}
END_TEST

START_TEST(test_rng_below)
{
	static const uint32_t bounds[] = { 1, 2, 3, 7, 1000, 0x80000001u, UINT32_MAX };
	uint64_t hist[3] = { 0, 0, 0 };
	double weight[3] = { 1.0, 1.0, 1.0 }, chi2;
	struct ks_rng r;
	size_t b, i;

	ks_rng_seed(&r, ST_SEED, 7);
	for (b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++) {
		uint32_t max = 0;

		for (i = 0; i < 100000; i++) {
			uint32_t x = ks_rng_below(&r, bounds[b]);

			max = x > max ? x : max;
		}
		ck_assert_uint_lt(max, bounds[b]);
		/* The top of the range is reached too (for the small bounds). */
		if (bounds[b] <= 1000)
			ck_assert_uint_eq(max, bounds[b] - 1);
	}
	for (i = 0; i < 300000; i++)
		hist[ks_rng_below(&r, 3)]++;
	chi2 = st_chi_square(hist, weight, 3, 300000);
	ck_assert_msg(chi2 < ST_CHI2_999_DF2, "chi-square %.2f, seed %llu", chi2,
		      (unsigned long long)ST_SEED);
}
END_TEST

START_TEST(test_subsample_formula)
{
	/* sample * total = 1000 in all of these: keep = (sqrt(c/1000) + 1) * 1000 / c. */
	ck_assert_double_eq_tol(ks_subsample_keep_prob(100000, 1000000, 1e-3), 0.11, 1e-15);
	ck_assert_double_eq_tol(ks_subsample_keep_prob(4000, 1000000, 1e-3), 0.75, 1e-15);
	ck_assert_double_eq_tol(ks_subsample_keep_prob(10000, 100000000, 1e-5),
				(sqrt(10.0) + 1.0) / 10.0, 1e-15);
	ck_assert_double_eq_tol(ks_subsample_keep_prob(400000, 100000000, 1e-5), 0.0525, 1e-15);
	/* At c = t the rule gives 2, at c = 2.618 t exactly 1: both capped at 1. */
	ck_assert(ks_subsample_keep_prob(1000, 1000000, 1e-3) == 1.0);
	ck_assert(ks_subsample_keep_prob(1, 1000000, 1e-3) == 1.0);
	ck_assert(ks_subsample_keep_prob(2618, 1000000, 1e-3) == 1.0);
	ck_assert(ks_subsample_keep_prob(2619, 1000000, 1e-3) < 1.0);
	/* sample <= 0 keeps everything, however frequent the word. */
	ck_assert(ks_subsample_keep_prob(999999, 1000000, 0.0) == 1.0);
	ck_assert(ks_subsample_keep_prob(999999, 1000000, -1.0) == 1.0);
}
END_TEST

START_TEST(test_subsample_thresholds)
{
	uint64_t counts[6] = { 500000, 100000, 4000, 2619, 1000, 0 };
	uint32_t keep[6];
	size_t i;

	ks_subsample_thresholds(counts, 6, 1000000, 1e-3, keep);
	for (i = 0; i < 6; i++) {
		double p = ks_subsample_keep_prob(counts[i], 1000000, 1e-3);

		if (p >= 1.0)
			ck_assert_uint_eq(keep[i], UINT32_MAX);
		else
			ck_assert_msg(fabs((double)keep[i] - p * 4294967296.0) <= 0.5,
				      "word %zu: keep %u, p %.12g", i, keep[i], p);
	}
	ck_assert_uint_eq(keep[2], 3221225472u);	/* 0.75 * 2^32 exactly */
	ck_assert_uint_eq(keep[4], UINT32_MAX);
	ck_assert_uint_eq(keep[5], UINT32_MAX);
	ks_subsample_thresholds(counts, 6, 1000000, 0.0, keep);
	for (i = 0; i < 6; i++)
		ck_assert_uint_eq(keep[i], UINT32_MAX);
}
END_TEST

Suite *
ks_suite_sampler(void)
{
	Suite *s = suite_create("sampler");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_alias_zipf_chi_square);
	tcase_add_test(tc, test_alias_exponent_zero_is_uniform);
	tcase_add_test(tc, test_alias_zero_count_never_drawn);
	tcase_add_test(tc, test_alias_single_word);
	tcase_add_test(tc, test_alias_rejects_nothing_to_draw);
	tcase_add_test(tc, test_rng_streams);
	tcase_add_test(tc, test_rng_below);
	tcase_add_test(tc, test_subsample_formula);
	tcase_add_test(tc, test_subsample_thresholds);
	suite_add_tcase(s, tc);
	return s;
}
