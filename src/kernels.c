/*
 * The update math (see kernels.h).
 *
 * Hogwild. Worker threads call these kernels at the same time on the same
 * two matrices without any lock: two workers may read and write one row at
 * once, so a read may see a half-updated row and one of two concurrent
 * additions may be lost. This is the only intended data race in kensho
 * (Recht, Re, Wright, Niu: "Hogwild!: A lock-free approach to parallelizing
 * stochastic gradient descent", NIPS 2011). It is acceptable because each
 * example touches a handful of rows out of tens of thousands, so collisions
 * are rare, and a collision costs a slightly stale or lost step of size
 * alpha, which SGD absorbs like any other gradient noise; a lock per row
 * would cost more than all the arithmetic here. Floats are written whole
 * on every platform kensho targets, so a reader never sees a torn value.
 * Strictly, C11 calls this undefined behaviour; the workers only ever do
 * plain loads and stores of floats, and ThreadSanitizer reports from here
 * are expected (do not "fix" them with atomics: that would serialise the
 * hot loop).
 *
 * The corrected CBOW gradient. CBOW's input is the mean of the C context
 * rows, h = (1/C) sum_i in_vecs[ctx[i]], so by the chain rule
 * dL/d in_vecs[ctx[i]] = (1/C) dL/dh. word2vec.c, gensim and fastText add
 * the whole dL/dh to every context row, a step C times too long for the
 * input rows (and only for them). Irsoy, Benton and Stratos ("Corrected
 * CBOW Performs as well as Skip-gram", Insights from Negative Results in
 * NLP 2021, arXiv 2012.15332) show that with the division CBOW trains as
 * well as skip-gram. KS_CBOW_CORRECTED divides; KS_CBOW_WORD2VEC keeps the
 * old step so the two can be compared. A word that occurs twice in the
 * context is two terms of the mean and so receives two additions: that is
 * the true gradient, not a bug.
 *
 * Order of operations. The dot products of all the output rows (the
 * target, or a skip-gram window's targets, and the negatives) are taken
 * before any output row moves, and a word that is an output more than once
 * (a negative drawn twice, a target repeated in a window) gets one dot
 * product and one step with the sum of its terms. So for up to
 * KERNELS_CHUNK distinct output rows the call is exactly one step of
 * -alpha times the gradient at the starting point, and the returned loss
 * is the loss there. More rows go in chunks, and a later chunk sees the
 * rows an earlier one moved, a deviation of order alpha, as in every
 * word2vec-style trainer (which all move a negative drawn twice twice).
 * The input rows move last.
 *
 * The sigmoid. sigma and log sigma are read from a table with linear
 * interpolation: with 1/512 between points the interpolation error is
 * below 1e-7, the precision of the float entries. Beyond +-KS_SIGMOID_MAX
 * sigma is clamped to its value at the edge, so the update is tiny but
 * still taken in the right direction. word2vec.c instead sets sigma to
 * exactly 0 or 1 beyond |x| > 6 with negative sampling, so a confidently
 * right example gets no update at all (and with hierarchical softmax it
 * skips such nodes whatever the label). For the loss, log sigma(x) is
 * continued below -KS_SIGMOID_MAX by its asymptote x + c (error below
 * e^-8 = 3.4e-4), so the reported loss of a badly wrong prediction grows
 * as it should instead of saturating at 8. A NaN argument stays NaN, so a
 * diverging model shows up in the loss.
 *
 * Speed. The row loops are written in blocks of KERNELS_BLOCK floats with
 * a fixed inner trip count and restrict-qualified pointers: that is the
 * shape gcc -O2 vectorizes (its default cost model refuses a loop that
 * would need a scalar epilogue, but vectorizes a fixed-count inner loop
 * and leaves the short tail to a scalar loop). The dot product keeps 16
 * partial sums in two blocks, so it vectorizes without -ffast-math and is
 * not bound by the latency of a single chain of additions. The lanes are
 * fixed by the code, not by the vector width, so under -std=c11 (which
 * implies -ffp-contract=off: no fused multiply-adds) the results are the
 * same bits at -O1, -O2 and -O2 -march=native. The CBOW mean reads each context row once
 * and writes h once, and the target's update writes the gradient instead
 * of adding to a zeroed one. Each call costs about 25 passes over rows of
 * dim floats; with large vocabularies the time goes mostly to cache misses
 * on the randomly placed rows, which the independent dot products let the
 * processor overlap (explicit prefetching measured no faster).
 */
#include "kernels.h"

#include <math.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#endif

/*
 * Runtime dispatch: gcc compiles each public kernel (with the helpers
 * inlined into it) for AVX-512, AVX2 and baseline x86-64, and the loader
 * picks the widest the processor has, so one binary runs anywhere and uses
 * wide vectors where they exist. The lanes are fixed by the code and
 * -std=c11 forbids contracting into fused multiply-adds, so every version
 * computes the same bits. Not with clang: clang 14 names the dispatcher
 * differently and the sanitizer builds (--enable-fuzzing) failed to link,
 * so clang builds get the baseline kernels. --enable-tsan defines
 * KS_NO_DISPATCH: the resolvers run before ThreadSanitizer's runtime is
 * set up, and every training crashed.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__ELF__) && \
	!defined(KS_NO_DISPATCH)
#define KERNELS_DISPATCH __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define KERNELS_DISPATCH
#endif

/* The helpers are compiled into each version of the kernels, not called from the baseline. */
#if defined(__GNUC__)
#define KERNELS_INLINE static inline __attribute__((always_inline))
#else
#define KERNELS_INLINE static inline
#endif

#define KERNELS_BLOCK 8
/* The half block that the row loops take before their last 0-3 floats (KERNELS_ROW). */
#define KERNELS_HALF (KERNELS_BLOCK / 2)
/* Output rows whose dot products are all taken before any of them moves. */
#define KERNELS_CHUNK 32

/* Table points per unit of x. */
#define KERNELS_SIGMOID_SCALE ((float)KS_SIGMOID_STEPS / (2.0f * KS_SIGMOID_MAX))

int
ks_cpu_has_prefetchw(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	unsigned a, b, c, d;

	/* CPUID 0x80000001, ECX bit 8: 3DNowPrefetch, which is PREFETCH and PREFETCHW. */
	return __get_cpuid(0x80000001u, &a, &b, &c, &d) && (c & (1u << 8)) != 0;
#else
	return 0;
#endif
}

void
ks_sigmoid_init(struct ks_sigmoid *t)
{
	size_t i;

	for (i = 0; i <= KS_SIGMOID_STEPS; i++) {
		double x = -(double)KS_SIGMOID_MAX +
			   2.0 * (double)KS_SIGMOID_MAX * (double)i / KS_SIGMOID_STEPS;

		t->sigma[i] = (float)(1.0 / (1.0 + exp(-x)));
		/* log sigma(x) = -log(1 + e^-x), written to stay exact for both signs. */
		t->log_sigma[i] = (float)(x >= 0.0 ? -log1p(exp(-x)) : x - log1p(exp(x)));
	}
}

/*
 * Linear interpolation in table at x, which must lie in
 * [-KS_SIGMOID_MAX, KS_SIGMOID_MAX].
 */
KERNELS_INLINE float
kernels_table_at(const float *table, float x)
{
	float f = (x + KS_SIGMOID_MAX) * KERNELS_SIGMOID_SCALE;
	size_t i = (size_t)f;
	float frac;

	if (i >= KS_SIGMOID_STEPS)
		i = KS_SIGMOID_STEPS - 1;
	frac = f - (float)i;
	return table[i] + frac * (table[i + 1] - table[i]);
}

/* sigma(x), clamped beyond the table; NaN stays NaN. */
KERNELS_INLINE float
kernels_sigma(const struct ks_sigmoid *t, float x)
{
	if (x <= -KS_SIGMOID_MAX)
		return t->sigma[0];
	if (x >= KS_SIGMOID_MAX)
		return t->sigma[KS_SIGMOID_STEPS];
	if (x != x)
		return x;
	return kernels_table_at(t->sigma, x);
}

/* log sigma(x): continued by its asymptote below the table, clamped above. */
KERNELS_INLINE float
kernels_log_sigma(const struct ks_sigmoid *t, float x)
{
	if (x <= -KS_SIGMOID_MAX)
		return x + (t->log_sigma[0] + KS_SIGMOID_MAX);
	if (x >= KS_SIGMOID_MAX)
		return t->log_sigma[KS_SIGMOID_STEPS];
	if (x != x)
		return x;
	return kernels_table_at(t->log_sigma, x);
}

/* a . b over n floats, in 16 partial sums added pairwise at the end. */
KERNELS_INLINE float
kernels_dot(const float *restrict a, const float *restrict b, size_t n)
{
	float lo[KERNELS_BLOCK] = { 0.0f }, hi[KERNELS_BLOCK] = { 0.0f };
	float sum;
	size_t i = 0, j;

	for (; i + 2 * KERNELS_BLOCK <= n; i += 2 * KERNELS_BLOCK) {
		for (j = 0; j < KERNELS_BLOCK; j++)
			lo[j] += a[i + j] * b[i + j];
		for (j = 0; j < KERNELS_BLOCK; j++)
			hi[j] += a[i + KERNELS_BLOCK + j] * b[i + KERNELS_BLOCK + j];
	}
	for (; i + KERNELS_BLOCK <= n; i += KERNELS_BLOCK)
		for (j = 0; j < KERNELS_BLOCK; j++)
			lo[j] += a[i + j] * b[i + j];
	for (j = 0; j < KERNELS_BLOCK; j++)
		lo[j] += hi[j];
	/* Written out so the partial sums stay in registers (KERNELS_BLOCK is 8). */
	sum = ((lo[0] + lo[4]) + (lo[1] + lo[5])) + ((lo[2] + lo[6]) + (lo[3] + lo[7]));
	/* A half block's products together, added one by one as single floats are. */
	if (i + KERNELS_HALF <= n) {
		float p[KERNELS_HALF];

		for (j = 0; j < KERNELS_HALF; j++)
			p[j] = a[i + j] * b[i + j];
		for (j = 0; j < KERNELS_HALF; j++)
			sum += p[j];
		i += KERNELS_HALF;
	}
	for (; i < n; i++)
		sum += a[i] * b[i];
	return sum;
}

/*
 * The elementwise row loops below go two blocks of KERNELS_BLOCK floats
 * at a time, then one more block if it fits, then one block of
 * KERNELS_HALF, then the last 0-3 one by one. Two blocks a turn halve
 * the loop's own instructions (the counter, the compare and the branch
 * cost as much as one block's arithmetic); d=100 and d=300 leave 4 after
 * the blocks, which one by one cost a third of an axpy's instructions.
 * RUN(at, len) is the loop body for len floats from offset at; the block
 * calls have a constant len, so gcc vectorizes them. Every element is
 * computed alone, so the split does not change the bits.
 */
#define KERNELS_ROW(n, i, RUN)                                                      \
	do {                                                                        \
		for ((i) = 0; (i) + 2 * KERNELS_BLOCK <= (n); (i) += 2 * KERNELS_BLOCK) { \
			RUN((i), KERNELS_BLOCK);                                    \
			RUN((i) + KERNELS_BLOCK, KERNELS_BLOCK);                    \
		}                                                                   \
		if ((i) + KERNELS_BLOCK <= (n)) {                                   \
			RUN((i), KERNELS_BLOCK);                                    \
			(i) += KERNELS_BLOCK;                                       \
		}                                                                   \
		if ((i) + KERNELS_HALF <= (n)) {                                    \
			RUN((i), KERNELS_HALF);                                     \
			(i) += KERNELS_HALF;                                        \
		}                                                                   \
		RUN((i), (n) - (i));                                                \
	} while (0)

/* y[0 .. len) += a * x[0 .. len). */
KERNELS_INLINE void
kernels_axpy_run(float *restrict y, float a, const float *restrict x, size_t len)
{
	size_t j;

	for (j = 0; j < len; j++)
		y[j] += a * x[j];
}

/* y += a * x over n floats. */
KERNELS_INLINE void
kernels_axpy(float *restrict y, float a, const float *restrict x, size_t n)
{
	size_t i;

#define AXPY(at, len) kernels_axpy_run(y + (at), a, x + (at), len)
	KERNELS_ROW(n, i, AXPY);
#undef AXPY
}

/* h[0 .. len) = the mean of the rows base + ids[r] * stride + i, r < n_rows. */
KERNELS_INLINE void
kernels_mean_run(float *restrict h, const float *restrict base, size_t stride, size_t i,
		 const uint32_t *ids, size_t n_rows, float inv, size_t len)
{
	const float *row = base + (size_t)ids[0] * stride + i;
	float acc[KERNELS_BLOCK];
	size_t j, r;

	for (j = 0; j < len; j++)
		acc[j] = row[j];
	for (r = 1; r < n_rows; r++) {
		row = base + (size_t)ids[r] * stride + i;
		for (j = 0; j < len; j++)
			acc[j] += row[j];
	}
	for (j = 0; j < len; j++)
		h[j] = acc[j] * inv;
}

/*
 * h = the mean of the rows base[ids[r] * stride], r < n_rows, a block of
 * dimensions at a time, so each row is read once and h written once.
 */
KERNELS_INLINE void
kernels_mean(float *restrict h, const float *restrict base, size_t dim, size_t stride,
	     const uint32_t *ids, size_t n_rows)
{
	float inv = 1.0f / (float)n_rows;
	size_t i;

#define MEAN(at, len) kernels_mean_run(h + (at), base, stride, (at), ids, n_rows, inv, len)
	KERNELS_ROW(dim, i, MEAN);
#undef MEAN
}

/*
 * One output row's share of the step on len floats: grad = g * o (first)
 * or grad += g * o, with o as it was, then o += ag * h.
 */
KERNELS_INLINE void
kernels_output_run(float *restrict grad, float *restrict o, float g, float ag,
		   const float *restrict h, int first, size_t len)
{
	size_t j;

	for (j = 0; j < len; j++) {
		float oj = o[j];

		grad[j] = first ? g * oj : grad[j] + g * oj;
		o[j] = oj + ag * h[j];
	}
}

/*
 * One output row's share of the step over n floats (see kernels_output_run);
 * first is a constant at each call, so each inlined copy has no test in it.
 */
KERNELS_INLINE void
kernels_output(float *restrict grad, float *restrict o, float g, float ag,
	       const float *restrict h, int first, size_t n)
{
	size_t i;

#define OUTPUT(at, len) kernels_output_run(grad + (at), o + (at), g, ag, h + (at), first, len)
	KERNELS_ROW(n, i, OUTPUT);
#undef OUTPUT
}

/*
 * How many of the targets t[0 .. n_t) a negative drawn as word id w is a
 * negative for: every pair whose target differs from w (a negative equal
 * to its pair's target is not part of that pair's loss).
 */
KERNELS_INLINE size_t
kernels_negative_weight(uint32_t w, const uint32_t *t, size_t n_t)
{
	size_t m = n_t, i;

	for (i = 0; i < n_t; i++)
		m -= t[i] == w;
	return m;
}

/*
 * Where row lies among rows[0 .. n), or n: a word that is an output twice
 * in one chunk (a target repeated in a window, a negative drawn twice or
 * equal to another pair's target) gets one dot product and one combined
 * step.
 */
KERNELS_INLINE size_t
kernels_find_row(float *const *rows, size_t n, const float *row)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (rows[j] == row)
			return j;
	return n;
}

/*
 * The output side shared by all kernels: the targets tgt[0 .. n_tgt) (label
 * 1 each) and the negatives (label 0, each weighted by the number of
 * targets it differs from: see kernels_negative_weight) against the one
 * input h. Overwrites k->grad with -dL/dh, moves the output rows, and
 * returns the loss before the step.
 *
 * Outputs go in chunks of KERNELS_CHUNK distinct rows: first every dot
 * product of the chunk (independent of each other, so the cache misses on
 * the randomly placed rows overlap, and every x sees the rows as they
 * were), then the fused gradient and row updates.
 *
 * The kernels pass one target. The loop stays written for a list because
 * this form trained CBOW on wiki100m 2.2x faster (one thread, gcc 12 -O2)
 * than the same loop specialised to one target, which computed the same
 * bits; the cause was not found, so measure before simplifying it.
 */
KERNELS_INLINE double
kernels_outputs(const struct ks_kernel_ctx *k, const float *restrict h, const uint32_t *tgt,
		size_t n_tgt, const uint32_t *neg, size_t n_neg, float alpha_out)
{
	const struct ks_sigmoid *t = k->sigmoid;
	size_t dim = k->dim, stride = k->stride, next_tgt = 0, next_neg = 0, n, j;
	float *rows[KERNELS_CHUNK];
	float g[KERNELS_CHUNK], xs[KERNELS_CHUNK];
	double loss = 0.0;
	int first_row = 1;

	/*
	 * g = the sum over the row's outputs of weight * (label - sigma(x)) =
	 * -dL/dx; the row's step is alpha_out * g * h.
	 */
	for (;;) {
		n = 0;
		for (; next_tgt < n_tgt; next_tgt++) {
			float *row = k->out_vecs + (size_t)tgt[next_tgt] * stride;

			j = kernels_find_row(rows, n, row);
			if (j == n) {
				if (n == KERNELS_CHUNK)
					break;
				rows[n] = row;
				xs[n] = kernels_dot(h, row, dim);
				g[n++] = 0.0f;
			}
			g[j] += 1.0f - kernels_sigma(t, xs[j]);
			loss -= (double)kernels_log_sigma(t, xs[j]);
		}
		for (; next_neg < n_neg; next_neg++) {
			size_t m = kernels_negative_weight(neg[next_neg], tgt, n_tgt);
			float *row = k->out_vecs + (size_t)neg[next_neg] * stride;

			if (m == 0)
				continue;
			j = kernels_find_row(rows, n, row);
			if (j == n) {
				if (n == KERNELS_CHUNK)
					break;
				rows[n] = row;
				xs[n] = kernels_dot(h, row, dim);
				g[n++] = 0.0f;
			}
			g[j] -= (float)m * kernels_sigma(t, xs[j]);
			loss -= (double)m * (double)kernels_log_sigma(t, -xs[j]);
		}
		j = 0;
		if (first_row && n > 0) {
			kernels_output(k->grad, rows[0], g[0], alpha_out * g[0], h, 1, dim);
			j = 1;
			first_row = 0;
		}
		for (; j < n; j++)
			kernels_output(k->grad, rows[j], g[j], alpha_out * g[j], h, 0, dim);
		if (next_tgt >= n_tgt && next_neg >= n_neg)
			break;
	}
	if (first_row)
		memset(k->grad, 0, dim * sizeof(*k->grad));
	return loss;
}

/*
 * Hierarchical softmax's output side (kernels.h): the dot products of a
 * chunk of the path's rows first, then the fused gradient and row
 * updates. The rows are distinct, so every x sees the rows as they were.
 * With first, k->grad is overwritten with -dL_hs/dh; otherwise the
 * negative-sampling part wrote it and -dL_hs/dh is added.
 */
KERNELS_INLINE double
kernels_hs_outputs(const struct ks_kernel_ctx *k, const float *restrict h,
		   const struct ks_hs_path *p, float alpha_out, int first)
{
	const struct ks_sigmoid *t = k->sigmoid;
	size_t dim = k->dim, stride = k->stride, at, n, j;
	float *rows[KERNELS_CHUNK];
	float g[KERNELS_CHUNK];
	double loss = 0.0;

	for (at = 0; at < p->len; at += n) {
		n = p->len - at < KERNELS_CHUNK ? p->len - at : KERNELS_CHUNK;
		for (j = 0; j < n; j++) {
			float x;

			rows[j] = k->hs_vecs + (size_t)p->nodes[at + j] * stride;
			x = kernels_dot(h, rows[j], dim);
			if (p->codes[at + j]) {
				g[j] = -kernels_sigma(t, x);
				loss -= (double)kernels_log_sigma(t, -x);
			} else {
				g[j] = 1.0f - kernels_sigma(t, x);
				loss -= (double)kernels_log_sigma(t, x);
			}
		}
		j = 0;
		if (first && n > 0) {
			kernels_output(k->grad, rows[0], g[0], alpha_out * g[0], h, 1, dim);
			j = 1;
			first = 0;
		}
		for (; j < n; j++)
			kernels_output(k->grad, rows[j], g[j], alpha_out * g[j], h, 0, dim);
	}
	if (first)
		memset(k->grad, 0, dim * sizeof(*k->grad));
	return loss;
}

/* Both output sides of one input h: negative sampling (unless neg is NULL), then the path. */
KERNELS_INLINE double
kernels_hs_both(const struct ks_kernel_ctx *k, const float *restrict h, uint32_t target,
		const uint32_t *neg, size_t n_neg, const struct ks_hs_path *path, float alpha_out)
{
	double loss = 0.0;

	if (neg != NULL)
		loss = kernels_outputs(k, h, &target, 1, neg, n_neg, alpha_out);
	return loss + kernels_hs_outputs(k, h, path, alpha_out, neg == NULL);
}

/*
 * One CBOW example with either output side: negative sampling alone
 * (path NULL) or hierarchical softmax, with negatives unless neg is NULL.
 * The public kernels pass path as a constant, so each inlined copy keeps
 * only its own branch.
 */
KERNELS_INLINE double
kernels_cbow(const struct ks_kernel_ctx *k, const uint32_t *ctx, size_t n_ctx, uint32_t target,
	     const uint32_t *neg, size_t n_neg, const struct ks_hs_path *path, float alpha_in,
	     float alpha_out, enum ks_cbow_update mode)
{
	size_t dim = k->dim, stride = k->stride, i;
	float step;
	double loss;

	kernels_mean(k->h, k->in_vecs, dim, stride, ctx, n_ctx);
	loss = path != NULL ? kernels_hs_both(k, k->h, target, neg, n_neg, path, alpha_out)
			    : kernels_outputs(k, k->h, &target, 1, neg, n_neg, alpha_out);
	/* The correction (see the top of this file): dL/d ctx row = dL/dh / C. */
	step = mode == KS_CBOW_WORD2VEC ? alpha_in : alpha_in / (float)n_ctx;
	for (i = 0; i < n_ctx; i++)
		kernels_axpy(k->in_vecs + (size_t)ctx[i] * stride, step, k->grad, dim);
	return loss;
}

KERNELS_DISPATCH double
ks_cbow_step(const struct ks_kernel_ctx *k, const uint32_t *ctx, size_t n_ctx,
	     uint32_t target, const uint32_t *neg, size_t n_neg,
	     float alpha_in, float alpha_out, enum ks_cbow_update mode)
{
	return kernels_cbow(k, ctx, n_ctx, target, neg, n_neg, NULL, alpha_in, alpha_out, mode);
}

KERNELS_DISPATCH double
ks_cbow_hs_step(const struct ks_kernel_ctx *k, const uint32_t *ctx, size_t n_ctx,
		uint32_t target, const uint32_t *neg, size_t n_neg,
		const struct ks_hs_path *path, float alpha_in, float alpha_out,
		enum ks_cbow_update mode)
{
	return kernels_cbow(k, ctx, n_ctx, target, neg, n_neg, path, alpha_in, alpha_out, mode);
}

/*
 * h[0 .. len) = (1/C) sum over r of w_r (.) row_r, from offset i of each
 * row, where w_r is the position row of slot[r] (vec) or its one scalar
 * (!vec). vec is a constant at each call, so each copy has no test in it.
 */
KERNELS_INLINE void
kernels_pos_mean_run(float *restrict h, const float *restrict base, size_t stride, size_t i,
		     const uint32_t *ids, const float *restrict pw, size_t pstride, int vec,
		     const uint32_t *slot, size_t n_rows, float inv, size_t len)
{
	float acc[KERNELS_BLOCK];
	size_t j, r;

	for (j = 0; j < len; j++)
		acc[j] = 0.0f;
	for (r = 0; r < n_rows; r++) {
		const float *row = base + (size_t)ids[r] * stride + i;
		const float *w = pw + (size_t)slot[r] * pstride;

		if (vec) {
			for (j = 0; j < len; j++)
				acc[j] += w[i + j] * row[j];
		} else {
			float c = w[0];

			for (j = 0; j < len; j++)
				acc[j] += c * row[j];
		}
	}
	for (j = 0; j < len; j++)
		h[j] = acc[j] * inv;
}

/* d[0 .. len) = a * b, elementwise. */
KERNELS_INLINE void
kernels_mul_run(float *restrict d, const float *restrict a, const float *restrict b, size_t len)
{
	size_t j;

	for (j = 0; j < len; j++)
		d[j] = a[j] * b[j];
}

/* y[0 .. len) += s * (a * b), elementwise. */
KERNELS_INLINE void
kernels_axpy_mul_run(float *restrict y, float s, const float *restrict a,
		     const float *restrict b, size_t len)
{
	size_t j;

	for (j = 0; j < len; j++)
		y[j] += s * (a[j] * b[j]);
}

/*
 * The position-aware CBOW step (kernels.h). With g = -dL/dh, the context
 * row of slot p moves by step * w_p (.) g and w_p by step * v (.) g (for
 * a scalar weight: step * s_p * g and step * v . g), step = alpha_in / C
 * when corrected. Both read the other's value before the update: the
 * weights' gradients are taken into the scratch rows first (a word
 * repeated in the window is read before either of its steps), then the
 * context rows move with the old weights, then the weights move.
 */
KERNELS_DISPATCH double
ks_cbow_pos_step(const struct ks_kernel_ctx *k, const struct ks_pos_rows *pos,
		 const uint32_t *ctx, const uint32_t *slot, size_t n_ctx, uint32_t target,
		 const uint32_t *neg, size_t n_neg, float alpha_in, float alpha_out,
		 enum ks_cbow_update mode)
{
	size_t dim = k->dim, stride = k->stride, ps = pos->stride, i, r;
	float inv = 1.0f / (float)n_ctx, step;
	const float *g = k->grad;
	double loss;

	if (pos->width == 1) {
#define PMEAN(at, len) kernels_pos_mean_run(k->h + (at), k->in_vecs, stride, (at), ctx, \
					    pos->w, ps, 0, slot, n_ctx, inv, len)
		KERNELS_ROW(dim, i, PMEAN);
#undef PMEAN
	} else {
#define PMEAN(at, len) kernels_pos_mean_run(k->h + (at), k->in_vecs, stride, (at), ctx, \
					    pos->w, ps, 1, slot, n_ctx, inv, len)
		KERNELS_ROW(dim, i, PMEAN);
#undef PMEAN
	}
	loss = kernels_outputs(k, k->h, &target, 1, neg, n_neg, alpha_out);
	/* The correction, as in ks_cbow_step: each term of the mean gets 1/C of dL/dh. */
	step = mode == KS_CBOW_WORD2VEC ? alpha_in : alpha_in / (float)n_ctx;
	for (r = 0; r < n_ctx; r++) {
		const float *v = k->in_vecs + (size_t)ctx[r] * stride;
		float *d = pos->scratch + (size_t)slot[r] * ps;

		if (pos->width == 1) {
			d[0] = kernels_dot(v, g, dim);
		} else {
#define MUL(at, len) kernels_mul_run(d + (at), v + (at), g + (at), len)
			KERNELS_ROW(dim, i, MUL);
#undef MUL
		}
	}
	for (r = 0; r < n_ctx; r++) {
		float *v = k->in_vecs + (size_t)ctx[r] * stride;
		const float *w = pos->w + (size_t)slot[r] * ps;

		if (pos->width == 1) {
			kernels_axpy(v, step * w[0], g, dim);
		} else {
#define AXMUL(at, len) kernels_axpy_mul_run(v + (at), step, w + (at), g + (at), len)
			KERNELS_ROW(dim, i, AXMUL);
#undef AXMUL
		}
	}
	for (r = 0; r < n_ctx; r++) {
		float *w = pos->w + (size_t)slot[r] * ps;
		const float *d = pos->scratch + (size_t)slot[r] * ps;

		if (pos->width == 1)
			w[0] += step * d[0];
		else
			kernels_axpy(w, step, d, dim);
	}
	return loss;
}

/* One skip-gram pair with either output side, as kernels_cbow. */
KERNELS_INLINE double
kernels_sg(const struct ks_kernel_ctx *k, uint32_t input, uint32_t target, const uint32_t *neg,
	   size_t n_neg, const struct ks_hs_path *path, float alpha_in, float alpha_out)
{
	size_t dim = k->dim;
	float *in = k->in_vecs + (size_t)input * k->stride;
	double loss;

	/* A private copy: every output step sees the same input, whatever other threads do. */
	memcpy(k->h, in, dim * sizeof(*k->h));
	loss = path != NULL ? kernels_hs_both(k, k->h, target, neg, n_neg, path, alpha_out)
			    : kernels_outputs(k, k->h, &target, 1, neg, n_neg, alpha_out);
	kernels_axpy(in, alpha_in, k->grad, dim);
	return loss;
}

KERNELS_DISPATCH double
ks_sg_step(const struct ks_kernel_ctx *k, uint32_t input, uint32_t target,
	   const uint32_t *neg, size_t n_neg, float alpha_in, float alpha_out)
{
	return kernels_sg(k, input, target, neg, n_neg, NULL, alpha_in, alpha_out);
}

KERNELS_DISPATCH double
ks_sg_hs_step(const struct ks_kernel_ctx *k, uint32_t input, uint32_t target,
	      const uint32_t *neg, size_t n_neg, const struct ks_hs_path *path,
	      float alpha_in, float alpha_out)
{
	return kernels_sg(k, input, target, neg, n_neg, path, alpha_in, alpha_out);
}

/* grad[0 .. len) = g * row[0 .. len). */
KERNELS_INLINE void
kernels_scale_run(float *restrict grad, float g, const float *restrict row, size_t len)
{
	size_t j;

	for (j = 0; j < len; j++)
		grad[j] = g * row[j];
}

/* grad = g * row over n floats (the first term of a sum). */
KERNELS_INLINE void
kernels_scale(float *restrict grad, float g, const float *restrict row, size_t n)
{
	size_t i;

#define SCALE(at, len) kernels_scale_run(grad + (at), g, row + (at), len)
	KERNELS_ROW(n, i, SCALE);
#undef SCALE
}

KERNELS_DISPATCH double
ks_sg_batch_step(const struct ks_kernel_ctx *k, const uint32_t *inputs, size_t n_inputs,
		 uint32_t target, const uint32_t *neg, size_t n_neg, float alpha_in,
		 float alpha_out)
{
	const struct ks_sigmoid *t = k->sigmoid;
	size_t dim = k->dim, stride = k->stride, n_in = 0, n_out = 1, c, o, q;
	float *in_rows[KS_SG_BATCH_MAX_INPUTS], *out_rows[KS_SG_BATCH_MAX_OUTPUTS];
	float in_count[KS_SG_BATCH_MAX_INPUTS], out_count[KS_SG_BATCH_MAX_OUTPUTS];
	float g[KS_SG_BATCH_MAX_INPUTS][KS_SG_BATCH_MAX_OUTPUTS];
	double loss = 0.0;

	/* Distinct input rows with their multiplicities; the same for the outputs. */
	for (c = 0; c < n_inputs; c++) {
		float *row = k->in_vecs + (size_t)inputs[c] * stride;

		for (q = 0; q < n_in && in_rows[q] != row; q++)
			;
		if (q == n_in) {
			in_rows[n_in] = row;
			in_count[n_in++] = 0.0f;
		}
		in_count[q] += 1.0f;
	}
	out_rows[0] = k->out_vecs + (size_t)target * stride;
	out_count[0] = 1.0f;
	for (c = 0; c < n_neg; c++) {
		float *row = k->out_vecs + (size_t)neg[c] * stride;

		if (neg[c] == target)
			continue;
		for (q = 1; q < n_out && out_rows[q] != row; q++)
			;
		if (q == n_out) {
			out_rows[n_out] = row;
			out_count[n_out++] = 0.0f;
		}
		out_count[q] += 1.0f;
	}
	/* g[c][o] = -dL/dx for input c and output o, all at the starting point. */
	for (c = 0; c < n_in; c++) {
		float x = kernels_dot(in_rows[c], out_rows[0], dim);

		g[c][0] = in_count[c] * (1.0f - kernels_sigma(t, x));
		loss -= (double)in_count[c] * (double)kernels_log_sigma(t, x);
		for (o = 1; o < n_out; o++) {
			float w = in_count[c] * out_count[o];

			x = kernels_dot(in_rows[c], out_rows[o], dim);
			g[c][o] = -w * kernels_sigma(t, x);
			loss -= (double)w * (double)kernels_log_sigma(t, -x);
		}
	}
	/* -dL/d(input c) from the output rows as they were, into the scratch rows. */
	for (c = 0; c < n_in; c++) {
		float *grad = k->grad + c * dim;

		kernels_scale(grad, g[c][0], out_rows[0], dim);
		for (o = 1; o < n_out; o++)
			kernels_axpy(grad, g[c][o], out_rows[o], dim);
	}
	/* The output rows move along -dL/do, which reads the inputs as they were. */
	for (o = 0; o < n_out; o++)
		for (c = 0; c < n_in; c++)
			kernels_axpy(out_rows[o], alpha_out * g[c][o], in_rows[c], dim);
	for (c = 0; c < n_in; c++)
		kernels_axpy(in_rows[c], alpha_in, k->grad + c * dim, dim);
	return loss;
}
