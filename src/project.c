/*
 * PCA by power iteration with deflation (see project.h). The iteration
 * for an axis stops when the direction changes by less than 1e-12 in a
 * step, or after PCA_MAX_STEPS steps: close eigenvalues converge slowly,
 * but any vector of their plane is then as good an axis, and the variance
 * reported is measured along the axis actually found.
 */
#include "project.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define PCA_MAX_STEPS 2000
#define PCA_TOLERANCE 1e-12

/* Subtracts from v its components along the first n axes of p (unit, orthogonal). */
static void
pca_orthogonalize(const struct ks_pca *p, size_t n, double *v)
{
	size_t a, j;

	for (a = 0; a < n; a++) {
		const double *ax = p->axes + a * p->dim;
		double dot = 0;

		for (j = 0; j < p->dim; j++)
			dot += v[j] * ax[j];
		for (j = 0; j < p->dim; j++)
			v[j] -= dot * ax[j];
	}
}

/* Scales v to unit length; returns its former length. */
static double
pca_normalize(double *v, size_t dim)
{
	double norm = 0;
	size_t j;

	for (j = 0; j < dim; j++)
		norm += v[j] * v[j];
	norm = sqrt(norm);
	if (norm > 0)
		for (j = 0; j < dim; j++)
			v[j] /= norm;
	return norm;
}

/*
 * out = C v with C the covariance of the centred rows, computed as
 * X^T (X v) / n without forming C.
 */
static void
pca_apply(const struct ks_pca *p, const float *rows, size_t n, size_t stride, const double *v,
	  double *out)
{
	size_t i, j, dim = p->dim;
	double dot_mean = 0;

	for (j = 0; j < dim; j++) {
		out[j] = 0;
		dot_mean += p->mean[j] * v[j];
	}
	for (i = 0; i < n; i++) {
		const float *row = rows + i * stride;
		double dot = -dot_mean;

		for (j = 0; j < dim; j++)
			dot += (double)row[j] * v[j];
		for (j = 0; j < dim; j++)
			out[j] += dot * ((double)row[j] - p->mean[j]);
	}
	for (j = 0; j < dim; j++)
		out[j] /= (double)n;
}

/*
 * The start vector of axis a: all components alike but slightly tilted by
 * the index (a vector orthogonal to the top eigenvector by accident is
 * then unlikely), orthogonalized against the axes found; the first unit
 * vector that survives the orthogonalization if that one does not.
 */
static void
pca_start(const struct ks_pca *p, size_t a, double *v)
{
	size_t j, e;

	for (j = 0; j < p->dim; j++)
		v[j] = 1.0 + (double)((j * 7 + a * 13) % 17) / 64.0;
	pca_orthogonalize(p, a, v);
	if (pca_normalize(v, p->dim) > 1e-9)
		return;
	for (e = 0; e < p->dim; e++) {
		memset(v, 0, p->dim * sizeof(*v));
		v[e] = 1;
		pca_orthogonalize(p, a, v);
		if (pca_normalize(v, p->dim) > 1e-9)
			return;
	}
}

int
ks_pca_fit(struct ks_pca **out, const float *rows, size_t n, size_t dim, size_t stride,
	   size_t k, struct ks_err *err)
{
	struct ks_pca *p;
	double *v = NULL, *w = NULL;
	size_t i, j, a, step;

	*out = NULL;
	if (n == 0 || dim == 0 || stride < dim || k == 0 || k > KS_PCA_MAX_AXES || k > dim ||
	    dim > SIZE_MAX / sizeof(double) / KS_PCA_MAX_AXES)
		return ks_err_set(err, KS_ERR_INTERNAL, "PCA of %zu rows of %zu dimensions to %zu "
				  "axes is not defined", n, dim, k);
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the PCA");
	p->dim = dim;
	p->k = k;
	p->mean = ks_calloc_array(dim, sizeof(*p->mean));
	p->axes = ks_calloc_array(k, dim * sizeof(*p->axes));
	p->variance = ks_calloc_array(k, sizeof(*p->variance));
	v = ks_malloc_array(dim, sizeof(*v));
	w = ks_malloc_array(dim, sizeof(*w));
	if (p->mean == NULL || p->axes == NULL || p->variance == NULL || v == NULL || w == NULL) {
		free(v);
		free(w);
		ks_pca_destroy(p);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the PCA");
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < dim; j++)
			p->mean[j] += rows[i * stride + j];
	for (j = 0; j < dim; j++)
		p->mean[j] /= (double)n;
	for (i = 0; i < n; i++)
		for (j = 0; j < dim; j++) {
			double d = (double)rows[i * stride + j] - p->mean[j];

			p->total_variance += d * d;
		}
	p->total_variance /= (double)n;
	for (a = 0; a < k; a++) {
		double *axis = p->axes + a * dim, variance = 0, best = 0;
		size_t at = 0;

		pca_start(p, a, v);
		for (step = 0; step < PCA_MAX_STEPS; step++) {
			double change = 0;

			pca_apply(p, rows, n, stride, v, w);
			pca_orthogonalize(p, a, w);
			if (pca_normalize(w, dim) <= 0)
				break;	/* no variance left: keep v */
			for (j = 0; j < dim; j++) {
				change += (w[j] - v[j]) * (w[j] - v[j]);
				v[j] = w[j];
			}
			if (change < PCA_TOLERANCE)
				break;
		}
		/* The variance along the axis found is its Rayleigh quotient v^T C v. */
		pca_apply(p, rows, n, stride, v, w);
		for (j = 0; j < dim; j++)
			variance += v[j] * w[j];
		for (j = 0; j < dim; j++)
			if (fabs(v[j]) > best) {
				best = fabs(v[j]);
				at = j;
			}
		for (j = 0; j < dim; j++)
			axis[j] = v[at] < 0 ? -v[j] : v[j];
		p->variance[a] = variance > 0 ? variance : 0;
	}
	free(v);
	free(w);
	*out = p;
	return KS_OK;
}

void
ks_pca_project(const struct ks_pca *p, const float *row, double *coords)
{
	size_t a, j;

	for (a = 0; a < p->k; a++) {
		const double *axis = p->axes + a * p->dim;
		double c = 0;

		for (j = 0; j < p->dim; j++)
			c += ((double)row[j] - p->mean[j]) * axis[j];
		coords[a] = c;
	}
}

double
ks_pca_explained(const struct ks_pca *p, size_t a)
{
	double share;

	if (a >= p->k || !(p->total_variance > 0))
		return 0;
	share = p->variance[a] / p->total_variance;
	return share < 0 ? 0 : share > 1 ? 1 : share;
}

void
ks_pca_destroy(struct ks_pca *p)
{
	if (p == NULL)
		return;
	free(p->mean);
	free(p->axes);
	free(p->variance);
	free(p);
}
