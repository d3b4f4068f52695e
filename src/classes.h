/*
 * Word classes (-classes K): k-means over the trained word vectors, as
 * word2vec.c's -classes, with k-means++ seeding.
 *
 * The clustering is spherical, as word2vec.c's is: a word belongs to the
 * class whose unit-length centroid has the largest dot product with the
 * word's vector (which does not depend on the word vector's length), and
 * a centroid is the normalised sum of its words' vectors. Seeding follows
 * k-means++ (Arthur and Vassilvitskii, "k-means++: The Advantages of
 * Careful Seeding", SODA 2007) with the cosine distance 1 - cos: the first
 * centre is a uniformly drawn word, each further one a word drawn with
 * probability proportional to its squared distance to the nearest centre
 * so far. Iterations stop when no word changes class, or after
 * KS_CLASSES_MAX_ITER. Assignments are computed by threads over ranges of
 * words and the centroids summed in word order by one thread, so the
 * result depends on the seed only, not on the number of threads.
 */
#ifndef KS_CLASSES_H
#define KS_CLASSES_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define KS_CLASSES_MAX_ITER 30

/* What a clustering did, for the report. */
struct ks_classes_stats {
	size_t iterations;	/* assignment passes after the seeding */
	size_t changed_last;	/* words that changed class in the last pass (0: converged) */
	size_t empty;		/* classes left without a word */
};

/*
 * Clusters the n rows of dim floats at vecs (row i at vecs + i * stride)
 * into k classes (1 <= k <= n), writing each row's class to assign[i]
 * (0 .. k-1). threads >= 1. On failure (KS_ERR_NOMEM, KS_ERR_THREAD,
 * KS_ERR_USAGE for a k out of range) assign is unspecified.
 */
int ks_classes_kmeans(const float *vecs, size_t n, size_t dim, size_t stride, size_t k,
		      uint64_t seed, size_t threads, uint32_t *assign,
		      struct ks_classes_stats *stats, struct ks_err *err);

/*
 * Writes "word class" lines to path, sorted by class and, within a class,
 * in the order of words (most frequent first for a vocabulary), through an
 * outfile: on success *pending (NULL on entry) owns the written file, to
 * be committed or aborted (outfile.h); on failure nothing appears under
 * path.
 */
struct ks_outfile;
int ks_classes_write_pending(struct ks_outfile **pending, const char *path,
			     const char *const *words, const uint32_t *assign, size_t n, size_t k,
			     struct ks_err *err);

#endif
