/*
 * Linear projections of word vectors to a few dimensions, for pictures
 * (kensho-eval plot): principal component analysis (PCA).
 *
 * The axes are the leading eigenvectors of the covariance matrix of the
 * fitted rows (centred on their mean), found by power iteration with
 * deflation: each axis is iterated from a fixed start vector and kept
 * orthogonal to the axes before it (Gram-Schmidt), which for a symmetric
 * matrix is the same as iterating on the matrix with the earlier
 * components removed. The covariance matrix is never formed: one step
 * multiplies by X^T X through two passes over the rows, 4 n dim flops, so
 * a fit on 10,000 rows of 300 dimensions stays small in memory. Every
 * axis has unit length and the sign that makes its largest component
 * positive, so a fit is deterministic: the same rows give the same bytes.
 * Sums are in double.
 */
#ifndef KS_PROJECT_H
#define KS_PROJECT_H

#include <stddef.h>

#include "status.h"

/* A fitted projection; all fields are read-only for the caller. */
struct ks_pca {
	size_t dim;		/* of the input rows */
	size_t k;		/* axes */
	double *mean;		/* dim values: the mean of the fitted rows */
	double *axes;		/* k * dim values: axis a at axes[a * dim ..] */
	double *variance;	/* k values: the variance of the fitted rows along each axis */
	double total_variance;	/* the variance summed over all dim directions */
};

/* The most axes ks_pca_fit finds. */
#define KS_PCA_MAX_AXES 16

/*
 * Fits k axes (1 <= k <= KS_PCA_MAX_AXES, k <= dim) to the n rows of dim
 * floats rows[i * stride ..] (stride >= dim), n >= 1. Rows that are all
 * alike give axes along which the variance is zero (still unit and
 * orthogonal). On success *out owns a new projection, freed with
 * ks_pca_destroy. Fails with KS_ERR_NOMEM or, for bad arguments,
 * KS_ERR_INTERNAL.
 */
int ks_pca_fit(struct ks_pca **out, const float *rows, size_t n, size_t dim, size_t stride,
	       size_t k, struct ks_err *err);

/* Writes the k coordinates of row (dim floats) along the axes into coords. */
void ks_pca_project(const struct ks_pca *p, const float *row, double *coords);

/* The share of the total variance along axis a, in [0, 1]; 0 when there is none. */
double ks_pca_explained(const struct ks_pca *p, size_t a);

/* Frees a projection. Accepts NULL. */
void ks_pca_destroy(struct ks_pca *p);

#endif
