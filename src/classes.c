/*
 * Word classes by spherical k-means (see classes.h).
 */
#include "classes.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "outfile.h"
#include "sampler.h"

/* The random stream of the seeding, apart from the trainer's. */
#define CLASSES_STREAM 0x636c61737365ull
#define CLASSES_LANES 8

struct kmeans {
	const float *vecs;
	size_t n, dim, stride, k;
	float *cent;		/* k x dim, unit length */
	float *inv_norm;	/* 1 / |v_i|, 0 for a zero vector */
	double *d2;		/* seeding: squared distance to the nearest centre */
	uint32_t *assign;
	size_t new_centre;	/* seeding: the centre the pass compares with */
};

/* One thread's share of a pass: words [lo, hi). */
struct kmeans_task {
	struct kmeans *km;
	size_t lo, hi;
	size_t changed;
	int seeding;		/* 1: update d2 against new_centre; 0: assign */
	pthread_t thread;
};

/* a . b over n floats, in CLASSES_LANES partial sums (vectorizes without -ffast-math). */
static float
classes_dot(const float *restrict a, const float *restrict b, size_t n)
{
	float acc[CLASSES_LANES] = { 0.0f };
	float sum = 0.0f;
	size_t i = 0, j;

	for (; i + CLASSES_LANES <= n; i += CLASSES_LANES)
		for (j = 0; j < CLASSES_LANES; j++)
			acc[j] += a[i + j] * b[i + j];
	for (j = 0; j < CLASSES_LANES; j++)
		sum += acc[j];
	for (; i < n; i++)
		sum += a[i] * b[i];
	return sum;
}

static void *
classes_task_main(void *arg)
{
	struct kmeans_task *t = arg;
	struct kmeans *km = t->km;
	size_t i, c;

	for (i = t->lo; i < t->hi; i++) {
		const float *v = km->vecs + i * km->stride;

		if (t->seeding) {
			double d = 1.0 - (double)classes_dot(v, km->cent + km->new_centre * km->dim,
							     km->dim) * km->inv_norm[i];

			if (d < 0.0)
				d = 0.0;
			if (d * d < km->d2[i])
				km->d2[i] = d * d;
		} else {
			uint32_t best = 0;
			float best_x = -INFINITY;

			for (c = 0; c < km->k; c++) {
				float x = classes_dot(v, km->cent + c * km->dim, km->dim);

				if (x > best_x) {
					best_x = x;
					best = (uint32_t)c;
				}
			}
			if (km->assign[i] != best) {
				km->assign[i] = best;
				t->changed++;
			}
		}
	}
	return NULL;
}

/* Runs one pass over all words on threads threads; returns the words that changed class. */
static int
classes_pass(struct kmeans *km, struct kmeans_task *tasks, size_t threads, int seeding,
	     size_t *changed, struct ks_err *err)
{
	size_t i, started = 0, per = (km->n + threads - 1) / threads;
	int rc = KS_OK;

	for (i = 0; i < threads; i++) {
		tasks[i].km = km;
		tasks[i].lo = i * per < km->n ? i * per : km->n;
		tasks[i].hi = (i + 1) * per < km->n ? (i + 1) * per : km->n;
		tasks[i].changed = 0;
		tasks[i].seeding = seeding;
	}
	for (i = 1; i < threads; i++) {
		if (pthread_create(&tasks[i].thread, NULL, classes_task_main, &tasks[i]) != 0) {
			rc = ks_err_set(err, KS_ERR_THREAD, "cannot start a k-means thread");
			break;
		}
		started++;
	}
	classes_task_main(&tasks[0]);
	for (i = 1; i <= started; i++)
		pthread_join(tasks[i].thread, NULL);
	*changed = 0;
	for (i = 0; i < threads; i++)
		*changed += tasks[i].changed;
	return rc;
}

/* Centre c = word w's vector, normalised (a zero vector gives a zero centre). */
static void
classes_set_centre(struct kmeans *km, size_t c, size_t w)
{
	const float *v = km->vecs + w * km->stride;
	float *dst = km->cent + c * km->dim;
	size_t d;

	for (d = 0; d < km->dim; d++)
		dst[d] = v[d] * km->inv_norm[w];
}

/* k-means++ with the cosine distance: centres drawn by squared distance. */
static int
classes_seed(struct kmeans *km, struct kmeans_task *tasks, size_t threads, uint64_t seed,
	     struct ks_err *err)
{
	struct ks_rng rng;
	size_t c, i, changed;
	int rc;

	ks_rng_seed(&rng, seed, CLASSES_STREAM);
	for (i = 0; i < km->n; i++)
		km->d2[i] = INFINITY;
	classes_set_centre(km, 0, ks_rng_below(&rng, (uint32_t)km->n));
	for (c = 1; c < km->k; c++) {
		double total = 0.0, r;
		size_t pick = km->n - 1;

		km->new_centre = c - 1;
		if ((rc = classes_pass(km, tasks, threads, 1, &changed, err)) != KS_OK)
			return rc;
		for (i = 0; i < km->n; i++)
			total += km->d2[i];
		r = (double)(ks_rng_next(&rng) >> 11) * 0x1.0p-53 * total;
		if (total > 0.0) {
			for (i = 0; i < km->n; i++) {
				r -= km->d2[i];
				if (r < 0.0) {
					pick = i;
					break;
				}
			}
		} else {
			pick = ks_rng_below(&rng, (uint32_t)km->n);
		}
		classes_set_centre(km, c, pick);
	}
	return KS_OK;
}

/* Centroids: the normalised sum of each class's vectors; an empty class keeps its centre. */
static size_t
classes_update(struct kmeans *km, double *sum, size_t *count)
{
	size_t i, c, d, empty = 0;

	memset(sum, 0, km->k * km->dim * sizeof(*sum));
	memset(count, 0, km->k * sizeof(*count));
	for (i = 0; i < km->n; i++) {
		const float *v = km->vecs + i * km->stride;
		double *s = sum + (size_t)km->assign[i] * km->dim;

		for (d = 0; d < km->dim; d++)
			s[d] += (double)v[d];
		count[km->assign[i]]++;
	}
	for (c = 0; c < km->k; c++) {
		double norm = 0.0, *s = sum + c * km->dim;

		if (count[c] == 0) {
			empty++;
			continue;
		}
		for (d = 0; d < km->dim; d++)
			norm += s[d] * s[d];
		norm = norm > 0.0 ? 1.0 / sqrt(norm) : 0.0;
		for (d = 0; d < km->dim; d++)
			km->cent[c * km->dim + d] = (float)(s[d] * norm);
	}
	return empty;
}

int
ks_classes_kmeans(const float *vecs, size_t n, size_t dim, size_t stride, size_t k,
		  uint64_t seed, size_t threads, uint32_t *assign,
		  struct ks_classes_stats *stats, struct ks_err *err)
{
	struct kmeans km;
	struct kmeans_task *tasks = NULL;
	double *sum = NULL;
	size_t *count = NULL, i, iter, changed = 0;
	int rc = KS_OK;

	memset(stats, 0, sizeof(*stats));
	if (k < 1 || k > n || n > UINT32_MAX)
		return ks_err_set(err, KS_ERR_USAGE, "-classes %zu: must be between 1 and the "
				  "vocabulary size, %zu", k, n);
	if (threads < 1)
		threads = 1;
	if (threads > n)
		threads = n;
	memset(&km, 0, sizeof(km));
	km.vecs = vecs;
	km.n = n;
	km.dim = dim;
	km.stride = stride;
	km.k = k;
	km.assign = assign;
	km.cent = ks_malloc_array(k, dim * sizeof(float));
	km.inv_norm = ks_malloc_array(n, sizeof(float));
	km.d2 = ks_malloc_array(n, sizeof(double));
	sum = ks_malloc_array(k, dim * sizeof(double));
	count = ks_malloc_array(k, sizeof(size_t));
	tasks = ks_calloc_array(threads, sizeof(*tasks));
	if (km.cent == NULL || km.inv_norm == NULL || km.d2 == NULL || sum == NULL ||
	    count == NULL || tasks == NULL) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory for %zu classes of %zu words",
				k, n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		double x = (double)classes_dot(vecs + i * stride, vecs + i * stride, dim);

		km.inv_norm[i] = x > 0.0 ? (float)(1.0 / sqrt(x)) : 0.0f;
		assign[i] = UINT32_MAX;
	}
	if ((rc = classes_seed(&km, tasks, threads, seed, err)) != KS_OK)
		goto out;
	for (iter = 0; iter < KS_CLASSES_MAX_ITER; iter++) {
		if ((rc = classes_pass(&km, tasks, threads, 0, &changed, err)) != KS_OK)
			goto out;
		stats->iterations = iter + 1;
		stats->empty = classes_update(&km, sum, count);
		if (changed == 0)
			break;
	}
	stats->changed_last = changed;
out:
	free(km.cent);
	free(km.inv_norm);
	free(km.d2);
	free(sum);
	free(count);
	free(tasks);
	return rc;
}

int
ks_classes_write_pending(struct ks_outfile **pending, const char *path,
			 const char *const *words, const uint32_t *assign, size_t n, size_t k,
			 struct ks_err *err)
{
	struct ks_outfile *f;
	size_t *start = ks_calloc_array(k + 1, sizeof(size_t)), *order = NULL, i;
	FILE *out;
	int rc;

	order = ks_malloc_array(n ? n : 1, sizeof(size_t));
	if (start == NULL || order == NULL) {
		free(start);
		free(order);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	}
	/* A counting sort by class keeps the words' order within a class. */
	for (i = 0; i < n; i++)
		start[assign[i] + 1]++;
	for (i = 0; i < k; i++)
		start[i + 1] += start[i];
	for (i = 0; i < n; i++)
		order[start[assign[i]]++] = i;
	free(start);
	if ((rc = ks_outfile_open(&f, path, err)) != KS_OK) {
		free(order);
		return rc;
	}
	out = ks_outfile_stream(f);
	for (i = 0; i < n; i++)
		fprintf(out, "%s %u\n", words[order[i]], (unsigned)assign[order[i]]);
	free(order);
	if ((rc = ks_outfile_finish(f, err)) != KS_OK) {
		ks_outfile_abort(f);
		return rc;
	}
	*pending = f;
	return KS_OK;
}
