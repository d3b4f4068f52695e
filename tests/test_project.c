/*
 * PCA (project.h): planted data whose principal axes and variances are
 * known, the sign and ordering conventions, determinism, padded rows,
 * degenerate data (all rows alike, one row), and bad arguments.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "project.h"
#include "suites.h"

/*
 * 400 rows in 5 dimensions: +-3 along u = (1, 1, 0, 0, 0) / sqrt 2, +-1
 * along w = (0, 0, 1, 0, 0), +-0.5 along e5, independent patterns, plus
 * an offset (7, -2, 1, 0, 4) that centring must remove. The variances are
 * 9, 1 and 0.25 (total 10.25).
 */
static float *
planted(size_t n, size_t stride)
{
	float *rows = calloc(n * stride, sizeof(*rows));
	const double r = sqrt(0.5);
	size_t i;

	ck_assert_ptr_nonnull(rows);
	for (i = 0; i < n; i++) {
		double a = (i % 2) ? 3 : -3, b = (i / 2 % 2) ? 1 : -1, c = (i / 4 % 2) ? 0.5 : -0.5;
		float *row = rows + i * stride;

		row[0] = (float)(7 + a * r);
		row[1] = (float)(-2 + a * r);
		row[2] = (float)(1 + b);
		row[3] = 0;
		row[4] = (float)(4 + c);
	}
	return rows;
}

START_TEST(test_pca_planted_axes)
{
	const size_t n = 400, dim = 5;
	float *rows = planted(n, dim);
	struct ks_pca *p, *q;
	struct ks_err err;
	double coords[2];
	size_t j;

	ck_assert_int_eq(ks_pca_fit(&p, rows, n, dim, dim, 2, &err), KS_OK);
	ck_assert_msg(fabs(p->total_variance - 10.25) < 1e-4, "total %g", p->total_variance);
	ck_assert_msg(fabs(p->variance[0] - 9) < 1e-4, "variance 1: %g", p->variance[0]);
	ck_assert_msg(fabs(p->variance[1] - 1) < 1e-4, "variance 2: %g", p->variance[1]);
	ck_assert_msg(fabs(ks_pca_explained(p, 0) - 9 / 10.25) < 1e-5, "%g", ks_pca_explained(p, 0));
	ck_assert_msg(fabs(ks_pca_explained(p, 1) - 1 / 10.25) < 1e-5, "%g", ks_pca_explained(p, 1));
	/* Axis 1 is u, axis 2 is w, each with its largest component positive. */
	ck_assert_msg(fabs(p->axes[0] - sqrt(0.5)) < 1e-4 && fabs(p->axes[1] - sqrt(0.5)) < 1e-4,
		      "axis 1: %g %g %g %g %g", p->axes[0], p->axes[1], p->axes[2], p->axes[3],
		      p->axes[4]);
	ck_assert_msg(fabs(p->axes[dim + 2] - 1) < 1e-4, "axis 2: %g", p->axes[dim + 2]);
	for (j = 0; j < dim; j++)
		ck_assert_msg(fabs(p->axes[j] * p->axes[dim + j]) < 1e-4, "axes not orthogonal");
	ck_assert_msg(fabs(p->mean[0] - 7) < 1e-5 && fabs(p->mean[4] - 4) < 1e-5, "mean");
	/* Row 1 is +3 along u and -1 along w. */
	ks_pca_project(p, rows + dim, coords);
	ck_assert_msg(fabs(coords[0] - 3) < 1e-4 && fabs(coords[1] + 1) < 1e-4, "row 1 at %g %g",
		      coords[0], coords[1]);
	/* The same rows 8 floats apart give the same bytes. */
	{
		float *padded = planted(n, 8);

		ck_assert_int_eq(ks_pca_fit(&q, padded, n, dim, 8, 2, &err), KS_OK);
		ck_assert(memcmp(p->axes, q->axes, 2 * dim * sizeof(double)) == 0);
		ck_assert(memcmp(p->variance, q->variance, 2 * sizeof(double)) == 0);
		ks_pca_destroy(q);
		free(padded);
	}
	ks_pca_destroy(p);
	free(rows);
}
END_TEST

START_TEST(test_pca_degenerate)
{
	static const size_t counts[] = { 3, 1 };
	float rows[3 * 4] = { 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4 };
	struct ks_pca *p;
	struct ks_err err;
	double coords[2], dot = 0, n0 = 0, n1 = 0;
	size_t j, c;

	/* Three equal rows, then a single row: no variance, unit orthogonal axes, all at 0. */
	for (c = 0; c < 2; c++) {
		ck_assert_int_eq(ks_pca_fit(&p, rows, counts[c], 4, 4, 2, &err), KS_OK);
		ck_assert(p->total_variance == 0);
		ck_assert(ks_pca_explained(p, 0) == 0 && ks_pca_explained(p, 1) == 0);
		dot = n0 = n1 = 0;
		for (j = 0; j < 4; j++) {
			dot += p->axes[j] * p->axes[4 + j];
			n0 += p->axes[j] * p->axes[j];
			n1 += p->axes[4 + j] * p->axes[4 + j];
		}
		ck_assert_msg(fabs(dot) < 1e-9 && fabs(n0 - 1) < 1e-9 && fabs(n1 - 1) < 1e-9,
			      "dot %g, norms %g %g", dot, n0, n1);
		ks_pca_project(p, rows, coords);
		ck_assert(fabs(coords[0]) < 1e-9 && fabs(coords[1]) < 1e-9);
		ks_pca_destroy(p);
	}
	ck_assert_int_eq(ks_pca_fit(&p, rows, 0, 4, 4, 2, &err), KS_ERR_INTERNAL);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(ks_pca_fit(&p, rows, 3, 4, 4, 5, &err), KS_ERR_INTERNAL);
	ck_assert_int_eq(ks_pca_fit(&p, rows, 3, 4, 3, 2, &err), KS_ERR_INTERNAL);
	ks_pca_destroy(NULL);
}
END_TEST

Suite *
ks_suite_project(void)
{
	Suite *s = suite_create("project");
	TCase *tc = tcase_create("pca");

	tcase_add_test(tc, test_pca_planted_axes);
	tcase_add_test(tc, test_pca_degenerate);
	suite_add_tcase(s, tc);
	return s;
}
