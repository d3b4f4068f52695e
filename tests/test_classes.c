/*
 * Word classes (classes.c): planted clusters are found, the result depends
 * on the seed and not on the threads, and the file is sorted by class.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classes.h"
#include "outfile.h"
#include "sampler.h"
#include "suites.h"

#define CT_GROUPS 4
#define CT_PER 50
#define CT_N (CT_GROUPS * CT_PER)
#define CT_DIM 12
#define CT_STRIDE 16	/* padded rows, as the trainer's */

/*
 * Row i belongs to group i % CT_GROUPS: a distinct direction (axis 3g),
 * times a length from 0.5 to 5 (spherical k-means must not care), plus
 * noise well below the angle between groups.
 */
static float *
ct_planted(void)
{
	float *v = calloc(CT_N * CT_STRIDE, sizeof(float));
	struct ks_rng r;
	size_t i, d;

	ck_assert_ptr_nonnull(v);
	ks_rng_seed(&r, 99, 0);
	for (i = 0; i < CT_N; i++) {
		double len = 0.5 + 4.5 * (double)(ks_rng_next(&r) >> 11) * 0x1.0p-53;

		for (d = 0; d < CT_DIM; d++)
			v[i * CT_STRIDE + d] = (float)(len * 0.15 *
				((double)(ks_rng_next(&r) >> 11) * 0x1.0p-53 - 0.5));
		v[i * CT_STRIDE + 3 * (i % CT_GROUPS)] += (float)len;
		for (d = CT_DIM; d < CT_STRIDE; d++)
			v[i * CT_STRIDE + d] = NAN;	/* padding is never read */
	}
	return v;
}

START_TEST(test_planted_groups)
{
	float *v = ct_planted();
	uint32_t a[CT_N];
	struct ks_classes_stats st;
	struct ks_err err;
	size_t i, g, seen[CT_GROUPS] = { 0 };

	ck_assert_int_eq(ks_classes_kmeans(v, CT_N, CT_DIM, CT_STRIDE, CT_GROUPS, 7, 2, a, &st,
					   &err), KS_OK);
	/* Every group is one class, and the classes differ. */
	for (i = 0; i < CT_N; i++) {
		ck_assert_uint_lt(a[i], CT_GROUPS);
		ck_assert_msg(a[i] == a[i % CT_GROUPS], "row %zu: class %u, its group's %u", i,
			      a[i], a[i % CT_GROUPS]);
	}
	for (g = 0; g < CT_GROUPS; g++)
		seen[a[g]]++;
	for (g = 0; g < CT_GROUPS; g++)
		ck_assert_uint_eq(seen[g], 1);
	ck_assert_uint_eq(st.changed_last, 0);
	ck_assert_uint_eq(st.empty, 0);
	ck_assert_uint_ge(st.iterations, 1);
	free(v);
}
END_TEST

START_TEST(test_threads_do_not_matter)
{
	float *v = ct_planted();
	uint32_t a[CT_N], b[CT_N], c[CT_N];
	struct ks_classes_stats st;
	struct ks_err err;

	/* More classes than groups, so the split inside groups must agree too. */
	ck_assert_int_eq(ks_classes_kmeans(v, CT_N, CT_DIM, CT_STRIDE, 11, 3, 1, a, &st, &err), KS_OK);
	ck_assert_int_eq(ks_classes_kmeans(v, CT_N, CT_DIM, CT_STRIDE, 11, 3, 3, b, &st, &err), KS_OK);
	ck_assert(memcmp(a, b, sizeof(a)) == 0);
	ck_assert_int_eq(ks_classes_kmeans(v, CT_N, CT_DIM, CT_STRIDE, 11, 4, 3, c, &st, &err), KS_OK);
	ck_assert_msg(memcmp(a, c, sizeof(a)) != 0, "another seed gave the same classes");
	free(v);
}
END_TEST

START_TEST(test_limits)
{
	float *v = ct_planted();
	uint32_t a[CT_N];
	struct ks_classes_stats st;
	struct ks_err err;
	size_t i;

	ck_assert_int_eq(ks_classes_kmeans(v, CT_N, CT_DIM, CT_STRIDE, 0, 1, 1, a, &st, &err),
			 KS_ERR_USAGE);
	ck_assert_int_eq(ks_classes_kmeans(v, CT_N, CT_DIM, CT_STRIDE, CT_N + 1, 1, 1, a, &st, &err),
			 KS_ERR_USAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "-classes"));
	/* One class holds everything; as many classes as rows gives each its own. */
	ck_assert_int_eq(ks_classes_kmeans(v, CT_N, CT_DIM, CT_STRIDE, 1, 1, 2, a, &st, &err), KS_OK);
	for (i = 0; i < CT_N; i++)
		ck_assert_uint_eq(a[i], 0);
	ck_assert_int_eq(ks_classes_kmeans(v, 9, CT_DIM, CT_STRIDE, 9, 1, 2, a, &st, &err), KS_OK);
	for (i = 0; i < 9; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			ck_assert_uint_ne(a[i], a[j]);
	}
	free(v);
}
END_TEST

START_TEST(test_write_sorted_by_class)
{
	const char *words[5] = { "the", "cat", "sat", "on", "mat" };
	const uint32_t assign[5] = { 2, 0, 2, 1, 0 };
	struct ks_outfile *f = NULL;
	struct ks_err err;
	char path[4096], *text;
	size_t len;

	snprintf(path, sizeof(path), "%s/classes.txt", ks_test_tmpdir());
	ck_assert_int_eq(ks_classes_write_pending(&f, path, words, assign, 5, 3, &err), KS_OK);
	ck_assert_int_eq(ks_outfile_commit(f, &err), KS_OK);
	text = ks_test_slurp(path, &len);
	ck_assert_str_eq(text, "cat 0\nmat 0\non 1\nthe 2\nsat 2\n");
	free(text);
}
END_TEST

Suite *
ks_suite_classes(void)
{
	Suite *s = suite_create("classes");
	TCase *tc = tcase_create("kmeans");

	tcase_add_test(tc, test_planted_groups);
	tcase_add_test(tc, test_threads_do_not_matter);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_write_sorted_by_class);
	suite_add_tcase(s, tc);
	return s;
}
