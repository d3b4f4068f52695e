/*
 * The update math: one CBOW example or one skip-gram pair with negative
 * sampling, applied in place to the shared embedding matrices.
 *
 * Pure functions over rows of `dim` floats, `stride` floats apart: in_vecs
 * (the word vectors that are written out) and out_vecs (the context or
 * output vectors). The floats between dim and stride are never touched.
 * Workers call these concurrently without locks (Hogwild); this is the
 * only intended data race in kensho, see kernels.c.
 *
 * Loss and gradient, for an input vector h, the target's output row o+ and
 * the negatives' rows o-:
 *   L = -log sigma(h . o+) - sum over negatives of log sigma(-h . o-)
 * The kernels take one step of size alpha_out along -dL/do for each output
 * row and alpha_in along -dL/d(input) for the input rows. A negative whose
 * word id equals the target's id is skipped (it is not part of L).
 */
#ifndef KS_KERNELS_H
#define KS_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "huffman.h"
#include "status.h"

enum ks_cbow_update {
	/*
	 * The true gradient of the averaged input: h = (1/C) sum of the C
	 * context rows, so each context row receives dL/dh divided by C
	 * (Irsoy, Benton, Stratos, 2021, arXiv 2012.15332).
	 */
	KS_CBOW_CORRECTED = 0,
	/* word2vec.c, gensim and fastText: every context row gets dL/dh whole. */
	KS_CBOW_WORD2VEC = 1
};

/*
 * A read-only table of the logistic function and of log sigma, shared by
 * all workers, read with linear interpolation. Arguments beyond
 * +-KS_SIGMOID_MAX are clamped to it: the gradient is then tiny but never
 * skipped. For the loss, log sigma(x) continues below -KS_SIGMOID_MAX as x
 * (within 3.4e-4), so a badly wrong prediction is not reported as a loss
 * of 8.
 */
#define KS_SIGMOID_MAX 8.0f
#define KS_SIGMOID_STEPS 8192

struct ks_sigmoid {
	float sigma[KS_SIGMOID_STEPS + 1];
	float log_sigma[KS_SIGMOID_STEPS + 1];
};

/* Fills the table. */
void ks_sigmoid_init(struct ks_sigmoid *t);

/* The kernels' view of the model and of one worker's scratch space. */
struct ks_kernel_ctx {
	float *in_vecs;		/* V rows, row-major, 64-byte aligned */
	float *out_vecs;	/* V rows, the same layout */
	size_t dim;
	size_t stride;		/* floats from one row to the next, >= dim */
	const struct ks_sigmoid *sigmoid;
	float *h;		/* dim floats of scratch: the CBOW input */
	float *grad;		/* scratch: -dL/d(input), dim floats (ks_sg_batch_step: more) */
	float *hs_vecs;		/* hierarchical softmax: V - 1 inner-node rows, or NULL */
};

/*
 * Whether the processor has PREFETCHW, the prefetch that fetches a line
 * owned (ready to write) instead of shared: a row another thread wrote
 * last then costs one transfer between cores instead of two.
 */
int ks_cpu_has_prefetchw(void);

/*
 * Asks the processor to start loading a row of dim floats into cache, to
 * be written; with prefetchw (from ks_cpu_has_prefetchw) as PREFETCHW. A
 * hint only, it changes no result.
 */
static inline void
ks_prefetch_row(const float *row, size_t dim, int prefetchw)
{
#if defined(__GNUC__)
	uintptr_t p = (uintptr_t)row & ~(uintptr_t)63, end = (uintptr_t)(row + dim);

#if defined(__x86_64__)
	if (prefetchw) {
		for (; p < end; p += 64)
			__asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
		return;
	}
#endif
	(void)prefetchw;
	for (; p < end; p += 64)
		__builtin_prefetch((const void *)p, 1, 3);
#else
	(void)row;
	(void)dim;
	(void)prefetchw;
#endif
}

/*
 * One CBOW example: the mean of the context rows ctx[0 .. n_ctx) (n_ctx >= 1)
 * predicts target against the negatives neg[0 .. n_neg). Returns the loss L
 * of the example before the update (exact for up to 32 distinct output
 * rows; see kernels.c). A word repeated in ctx is two
 * terms of the mean and its row gets both shares. Uses k->h and k->grad as
 * scratch; nothing is read from them before it is written.
 */
double ks_cbow_step(const struct ks_kernel_ctx *k, const uint32_t *ctx, size_t n_ctx,
		    uint32_t target, const uint32_t *neg, size_t n_neg,
		    float alpha_in, float alpha_out, enum ks_cbow_update mode);

/*
 * Position weights for CBOW (-positions): one row per relative position of
 * a context word, width floats each, stride apart. width is dim (a vector
 * per position, multiplied into the context row elementwise) or 1 (one
 * scalar per position). scratch holds as many rows, written before read.
 */
struct ks_pos_rows {
	float *w;
	float *scratch;
	size_t width;
	size_t stride;
};

/*
 * One position-aware CBOW example (Mikolov et al., "Advances in
 * Pre-Training Distributed Word Representations", LREC 2018): the input is
 * h = (1/C) sum_i w[slot[i]] (.) in_vecs[ctx[i]], with (.) elementwise (or
 * a scalar times the row when width is 1). The slots of one example must
 * be distinct (each relative position occurs once in a window). Each
 * context row and each used position row takes one step along its true
 * gradient, both divided by C in the corrected mode and neither in the
 * word2vec mode, with the step alpha_in; the output rows as in
 * ks_cbow_step. All steps are taken from the gradient at the starting
 * point. Returns the loss before the update.
 */
double ks_cbow_pos_step(const struct ks_kernel_ctx *k, const struct ks_pos_rows *pos,
			const uint32_t *ctx, const uint32_t *slot, size_t n_ctx, uint32_t target,
			const uint32_t *neg, size_t n_neg, float alpha_in, float alpha_out,
			enum ks_cbow_update mode);

/*
 * One skip-gram pair: the row in_vecs[input] (copied into k->h first, so
 * every output step sees the same input) predicts target against the
 * negatives. Returns the loss before the update.
 */
double ks_sg_step(const struct ks_kernel_ctx *k, uint32_t input, uint32_t target,
		  const uint32_t *neg, size_t n_neg, float alpha_in, float alpha_out);

/*
 * Hierarchical softmax (huffman.h): the input h predicts the target by
 * the turns of its path, each inner node's row u_j with the label 1 for
 * code 0 and 0 for code 1 (word2vec.c's convention):
 *   L_hs = -sum over the path of log sigma((1 - 2 code_j) h . u_j).
 * The path's rows are distinct, so the step is exact for any depth. With
 * neg != NULL, negative sampling's loss (as in ks_cbow_step) is added and
 * both output sides step from the same h; with neg == NULL (-negative 0)
 * only L_hs is trained and out_vecs is not touched. The input rows step
 * as in ks_cbow_step (corrected or word2vec) and ks_sg_step. Needs
 * k->hs_vecs. Returns the loss before the update.
 */
double ks_cbow_hs_step(const struct ks_kernel_ctx *k, const uint32_t *ctx, size_t n_ctx,
		       uint32_t target, const uint32_t *neg, size_t n_neg,
		       const struct ks_hs_path *path, float alpha_in, float alpha_out,
		       enum ks_cbow_update mode);
double ks_sg_hs_step(const struct ks_kernel_ctx *k, uint32_t input, uint32_t target,
		     const uint32_t *neg, size_t n_neg, const struct ks_hs_path *path,
		     float alpha_in, float alpha_out);

/* The largest window and negative count ks_sg_batch_step takes. */
#define KS_SG_BATCH_MAX_INPUTS 64
#define KS_SG_BATCH_MAX_OUTPUTS 32

/*
 * One skip-gram window as a small matrix product (HogBatch: Ji et al.,
 * "Parallelizing Word2Vec in Shared and Distributed Memory", 2016): each
 * context row in_vecs[inputs[c]] predicts the centre word target against
 * the same negatives, drawn once for the centre, as word2vec.c's
 * skip-gram does pair by pair. The loss is the sum of the n_inputs pair
 * losses; a negative equal to the target is skipped. All pairs see the
 * rows as they were, so the call is one exact gradient step of the
 * window's loss; the target's and negatives' rows are loaded once for the
 * whole window, and a repeated word gets one set of dot products.
 * Needs n_inputs <= KS_SG_BATCH_MAX_INPUTS, 1 + n_neg <=
 * KS_SG_BATCH_MAX_OUTPUTS and n_inputs * dim floats of scratch at k->grad.
 * Returns the loss before the update.
 */
double ks_sg_batch_step(const struct ks_kernel_ctx *k, const uint32_t *inputs,
			size_t n_inputs, uint32_t target, const uint32_t *neg, size_t n_neg,
			float alpha_in, float alpha_out);

#endif
