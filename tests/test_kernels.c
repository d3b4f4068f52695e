/*
 * The update math, checked against an independent double-precision loss.
 *
 * For a model with parameters theta and loss L(theta), one kernel call with
 * step alpha moves theta by -alpha dL/dtheta. The tests build small random
 * matrices, run the kernel on a copy, and compare (new - old) / alpha for
 * every entry of both matrices with -dL/dtheta from central differences of
 * the loss written below in double (step 1e-4; its truncation and rounding
 * errors are below 1e-8 here). For the corrected CBOW update the input
 * step alpha_in is what the caller passes, and each context row's true
 * gradient is (1/C) dL/dh, so the comparison is the same as for skip-gram.
 *
 * Tolerance: |estimate - fd| <= 1e-7 / alpha + 1e-3 |fd|. The absolute
 * part covers the rounding of each updated float (entries below 1 carry
 * at most 3e-8 of rounding per addition, two additions for a repeated
 * context word), which (new - old) / alpha magnifies by 1 / alpha. The
 * relative part covers float arithmetic and the interpolated sigmoid
 * table (both near 1e-6 relative). Because the kernels step from the
 * gradient at the starting point and combine a row that is several outputs
 * (a negative drawn twice, a target repeated in a skip-gram window) into
 * one step, there is no O(alpha) term, so every case uses alpha = 1e-2,
 * which keeps the rounding part small (1e-5) and would show an output row
 * read after it moved (an error of about alpha g^2 |h|, 3e-4 here, a few
 * times more with a window's weights). The returned loss must match the double
 * loss within 1e-5 (1 + L).
 *
 * These tests were checked to fail on deliberately broken kernels: without
 * the 1/C; without skipping a negative equal to the target; with the
 * gradient taken from an output row after it moved; with the sum of the
 * context rows instead of their mean; with a dot product that drops its
 * tail or one of its blocks; with sigma saturated to 0 or 1 beyond the
 * table (word2vec.c); without interpolation; with the loss clamped at 8;
 * with the outputs after the first 32 dropped; with the loss read after
 * the rows moved; with a wrong sign; with stale scratch. The skip-gram
 * window cases were checked to fail with the output rows moved before the
 * inputs' gradients were taken.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "sampler.h"
#include "suites.h"

/* Enough rows for 45 distinct negatives; most rows stay untouched (and must). */
#define KT_V 48
/*
 * 31 = for the dot product one 16-float block, one 8-float block, a half
 * block of 4 and 3 single floats; for the row loops (KERNELS_ROW) one turn
 * of two 8-float blocks, the one more block, a half block and 3 single
 * floats: every path of both.
 */
#define KT_DIM 31
#define KT_FD_STEP 1e-4
#define KT_REL_TOL 1e-3
#define KT_SEED UINT64_C(20210101)

/* Matrices, scratch and table for one kernel call. */
struct kt_model {
	size_t dim;
	float in[KT_V * KT_DIM];
	float out[KT_V * KT_DIM];
	float hs[KT_V * KT_DIM];	/* inner-node rows of hierarchical softmax */
	float h[KT_DIM];
	float grad[8 * KT_DIM];	/* a skip-gram window needs a row per input */
	struct ks_sigmoid sigmoid;
};

/* One example: CBOW if n_ctx > 0, else the skip-gram pair input -> target. */
struct kt_case {
	const char *name;
	uint32_t ctx[8];
	size_t n_ctx;
	uint32_t input;
	uint32_t target;
	uint32_t neg[48];
	size_t n_neg;
	float alpha;
	/* n_inputs > 0: a skip-gram window, each of inputs -> target (shared negatives). */
	uint32_t inputs[8];
	size_t n_inputs;
	/* path_len > 0: hierarchical softmax along this path (and no_ns: without negatives). */
	uint32_t path_nodes[8];
	uint8_t path_codes[8];
	size_t path_len;
	int no_ns;
};

static struct kt_model *
kt_model_new(uint64_t seed, float scale)
{
	struct kt_model *m = calloc(1, sizeof(*m));
	struct ks_rng r;
	size_t i;

	ck_assert_ptr_nonnull(m);
	m->dim = KT_DIM;
	ks_sigmoid_init(&m->sigmoid);
	ks_rng_seed(&r, seed, 0);
	for (i = 0; i < KT_V * KT_DIM; i++) {
		m->in[i] = scale * (float)(2.0 * (double)(ks_rng_next(&r) >> 11) * 0x1.0p-53 - 1.0);
		m->out[i] = scale * (float)(2.0 * (double)(ks_rng_next(&r) >> 11) * 0x1.0p-53 - 1.0);
		m->hs[i] = scale * (float)(2.0 * (double)(ks_rng_next(&r) >> 11) * 0x1.0p-53 - 1.0);
	}
	/* The kernels must not read their scratch before writing it. */
	for (i = 0; i < KT_DIM; i++)
		m->h[i] = NAN;
	for (i = 0; i < 8 * KT_DIM; i++)
		m->grad[i] = NAN;
	return m;
}

static struct ks_kernel_ctx
kt_ctx(struct kt_model *m)
{
	struct ks_kernel_ctx k = { m->in, m->out, m->dim, m->dim, &m->sigmoid, m->h, m->grad,
				   m->hs };

	return k;
}

/* log sigma(x) in double, exact for both signs. */
static double
kt_log_sigma(double x)
{
	return x >= 0.0 ? -log1p(exp(-x)) : x - log1p(exp(x));
}

/* -log sigma(h . o_target) - sum over negatives != target of log sigma(-h . o_neg). */
/* The doubles of the hierarchical-softmax rows, when a case uses them (kt_loss's third matrix). */
static const double *kt_hs_rows;

static double
kt_pair_loss(const struct kt_case *c, const double *h, const double *out, size_t dim)
{
	double x = 0.0, loss = 0.0;
	size_t i, d;

	for (i = 0; i < c->path_len; i++) {
		x = 0.0;
		for (d = 0; d < dim; d++)
			x += h[d] * kt_hs_rows[c->path_nodes[i] * dim + d];
		loss -= kt_log_sigma(c->path_codes[i] ? -x : x);
	}
	if (c->no_ns)
		return loss;
	x = 0.0;
	for (d = 0; d < dim; d++)
		x += h[d] * out[c->target * dim + d];
	loss -= kt_log_sigma(x);
	for (i = 0; i < c->n_neg; i++) {
		if (c->neg[i] == c->target)
			continue;
		x = 0.0;
		for (d = 0; d < dim; d++)
			x += h[d] * out[c->neg[i] * dim + d];
		loss -= kt_log_sigma(-x);
	}
	return loss;
}

/*
 * The loss of one example, written independently of the kernels: the input
 * is the mean of the context rows (one row for skip-gram), the target has
 * label 1, and every negative whose word id differs from the target's has
 * label 0. A skip-gram window is the sum of the losses of its inputs, all
 * with the same target and negatives.
 */
static double
kt_loss(const struct kt_case *c, const double *in, const double *out, size_t dim)
{
	const uint32_t *rows = c->n_ctx > 0 ? c->ctx : &c->input;
	size_t n_rows = c->n_ctx > 0 ? c->n_ctx : 1, i, d;
	double h[KT_DIM], loss = 0.0;

	if (c->n_inputs > 0) {
		for (i = 0; i < c->n_inputs; i++) {
			for (d = 0; d < dim; d++)
				h[d] = in[c->inputs[i] * dim + d];
			loss += kt_pair_loss(c, h, out, dim);
		}
		return loss;
	}
	for (d = 0; d < dim; d++) {
		h[d] = 0.0;
		for (i = 0; i < n_rows; i++)
			h[d] += in[rows[i] * dim + d];
		h[d] /= (double)n_rows;
	}
	return kt_pair_loss(c, h, out, dim);
}

static double
kt_run(const struct kt_case *c, struct kt_model *m, enum ks_cbow_update mode)
{
	struct ks_kernel_ctx k = kt_ctx(m);
	struct ks_hs_path path = { c->path_nodes, c->path_codes, c->path_len };

	if (c->path_len > 0 && c->n_ctx > 0)
		return ks_cbow_hs_step(&k, c->ctx, c->n_ctx, c->target, c->no_ns ? NULL : c->neg,
				       c->n_neg, &path, c->alpha, c->alpha, mode);
	if (c->path_len > 0)
		return ks_sg_hs_step(&k, c->input, c->target, c->no_ns ? NULL : c->neg, c->n_neg,
				     &path, c->alpha, c->alpha);
	if (c->n_ctx > 0)
		return ks_cbow_step(&k, c->ctx, c->n_ctx, c->target, c->neg, c->n_neg,
				    c->alpha, c->alpha, mode);
	if (c->n_inputs > 0)
		return ks_sg_batch_step(&k, c->inputs, c->n_inputs, c->target, c->neg,
					c->n_neg, c->alpha, c->alpha);
	return ks_sg_step(&k, c->input, c->target, c->neg, c->n_neg, c->alpha, c->alpha);
}

/* Compares one matrix's step with -alpha times its central-difference gradient. */
static void
kt_check_matrix(const struct kt_case *c, const char *which, const float *before,
		const float *after, double *din, double *dout, double *param, size_t dim)
{
	double abs_tol = 1e-7 / c->alpha;
	size_t i;

	for (i = 0; i < KT_V * dim; i++) {
		double keep = param[i], lp, lm, fd, est;

		param[i] = keep + KT_FD_STEP;
		lp = kt_loss(c, din, dout, dim);
		param[i] = keep - KT_FD_STEP;
		lm = kt_loss(c, din, dout, dim);
		param[i] = keep;
		fd = -(lp - lm) / (2.0 * KT_FD_STEP);
		est = ((double)after[i] - (double)before[i]) / c->alpha;
		ck_assert_msg(fabs(est - fd) <= abs_tol + KT_REL_TOL * fabs(fd),
			      "%s: %s row %zu dim %zu: step/alpha %.9g, -dL/dtheta %.9g (seed %llu)",
			      c->name, which, i / dim, i % dim, est, fd,
			      (unsigned long long)KT_SEED);
		if (fd == 0.0)
			ck_assert_msg(after[i] == before[i], "%s: %s row %zu moved but is not in L",
				      c->name, which, i / dim);
	}
}

/* Runs one case and checks every entry of both matrices and the loss. */
static void
kt_gradient_check(const struct kt_case *c)
{
	struct kt_model *m = kt_model_new(KT_SEED, 0.3f);
	struct kt_model *before = malloc(sizeof(*before));
	static double dhs[KT_V * KT_DIM];
	double din[KT_V * KT_DIM], dout[KT_V * KT_DIM], loss, ref;
	size_t i;

	ck_assert_ptr_nonnull(before);
	memcpy(before, m, sizeof(*m));
	for (i = 0; i < KT_V * KT_DIM; i++) {
		din[i] = m->in[i];
		dout[i] = m->out[i];
		dhs[i] = m->hs[i];
	}
	kt_hs_rows = dhs;
	loss = kt_run(c, m, KS_CBOW_CORRECTED);
	ref = kt_loss(c, din, dout, KT_DIM);
	ck_assert_msg(fabs(loss - ref) <= 1e-5 * (1.0 + ref),
		      "%s: kernel loss %.9g, double loss %.9g", c->name, loss, ref);
	kt_check_matrix(c, "in_vecs", before->in, m->in, din, dout, din, KT_DIM);
	kt_check_matrix(c, "out_vecs", before->out, m->out, din, dout, dout, KT_DIM);
	kt_check_matrix(c, "hs_vecs", before->hs, m->hs, din, dout, dhs, KT_DIM);
	free(before);
	free(m);
}

START_TEST(test_cbow_one_context)
{
	const struct kt_case c = { "cbow C=1", { 3 }, 1, 0, 5, { 1, 7, 2, 8, 0 }, 5, 1e-2f };

	kt_gradient_check(&c);
}
END_TEST

START_TEST(test_cbow_three_contexts)
{
	const struct kt_case c = { "cbow C=3", { 0, 4, 9 }, 3, 0, 2, { 6, 1, 8 }, 3, 1e-2f };

	kt_gradient_check(&c);
}
END_TEST

START_TEST(test_cbow_six_contexts_repeated)
{
	/* Word 1 occurs twice in the window: two terms of the mean, two additions. */
	const struct kt_case c = {
		"cbow C=6 repeated", { 1, 4, 1, 6, 8, 3 }, 6, 0, 7, { 0, 2, 5, 9, 3 }, 5, 1e-2f
	};

	kt_gradient_check(&c);
}
END_TEST

START_TEST(test_sg_pair)
{
	const struct kt_case c = { "sg", { 0 }, 0, 4, 6, { 2, 9, 0, 7, 5 }, 5, 1e-2f };

	kt_gradient_check(&c);
}
END_TEST

START_TEST(test_negative_equal_to_target_skipped)
{
	const struct kt_case cbow = {
		"cbow neg == target", { 1, 2, 3 }, 3, 0, 5, { 5, 0, 5, 8 }, 4, 1e-2f
	};
	const struct kt_case sg = { "sg neg == target", { 0 }, 0, 2, 5, { 5, 9, 1, 5 }, 4, 1e-2f };
	const struct kt_case all = { "sg every neg == target", { 0 }, 0, 2, 5, { 5, 5 }, 2, 1e-2f };

	kt_gradient_check(&cbow);
	kt_gradient_check(&sg);
	kt_gradient_check(&all);
}
END_TEST

START_TEST(test_negative_drawn_twice)
{
	/*
	 * Row 3 is two terms of the loss: one dot product, one combined step,
	 * so the call is still exactly one gradient step.
	 */
	const struct kt_case cbow = {
		"cbow neg twice", { 0, 6 }, 2, 0, 8, { 3, 3, 4 }, 3, 1e-2f
	};
	const struct kt_case sg = { "sg neg twice", { 0 }, 0, 1, 8, { 3, 4, 3 }, 3, 1e-2f };

	kt_gradient_check(&cbow);
	kt_gradient_check(&sg);
}
END_TEST

START_TEST(test_many_negatives)
{
	/*
	 * 42 distinct negatives and the target drawn 3 times among them: more
	 * outputs than one chunk of dot products (32), so the second chunk's
	 * products must still see its rows unmoved and the gradient must keep
	 * every term.
	 */
	struct kt_case cbow = { "cbow 45 negatives", { 0, 6 }, 2, 0, 8, { 0 }, 45, 1e-2f };
	struct kt_case sg = { "sg 45 negatives", { 0 }, 0, 1, 8, { 0 }, 45, 1e-2f };
	uint32_t id = 0;
	size_t i;

	for (i = 0; i < 45; i++) {
		if (i % 15 == 7) {
			cbow.neg[i] = sg.neg[i] = 8;
			continue;
		}
		if (id == 8)
			id++;
		cbow.neg[i] = sg.neg[i] = (id * 13) % KT_V;	/* distinct: 13 and KT_V are coprime */
		id++;
	}
	kt_gradient_check(&cbow);
	kt_gradient_check(&sg);
}
END_TEST

START_TEST(test_sg_window)
{
	/*
	 * A window of context rows against one target: repeated inputs (3 and
	 * 7 twice), a negative equal to the target (skipped for every pair),
	 * a negative drawn twice (9), a negative that is also an input word
	 * (different matrices, so unrelated rows), and 8 inputs with 31
	 * negatives. Every row must move by the sum of its terms.
	 */
	const struct kt_case one = {
		"sg window of 1", { 0 }, 0, 0, 6, { 2, 9, 0, 7, 5 }, 5, 1e-2f, { 4 }, 1
	};
	const struct kt_case win = {
		"sg window", { 0 }, 0, 0, 6, { 2, 6, 9, 0, 9 }, 5, 1e-2f,
		{ 3, 7, 1, 7, 8, 3 }, 6
	};
	struct kt_case many = { "sg window 31 negatives", { 0 }, 0, 0, 8, { 0 }, 31, 1e-2f,
				{ 1, 2, 3, 4, 5, 6, 7, 9 }, 8 };
	size_t i;

	for (i = 0; i < 31; i++)
		many.neg[i] = (uint32_t)((i * 13 + 2) % KT_V);	/* distinct; 8 is among them */
	kt_gradient_check(&one);
	kt_gradient_check(&win);
	kt_gradient_check(&many);
}
END_TEST

/* Floats from one padded row to the next in test_padded_rows: rows not on 64-byte lines. */
#define KT_STRIDE 36

/*
 * With rows stride floats apart (ks_row_stride's padding) every kernel
 * computes the same bits as with packed rows, and never reads or writes the
 * padding: it holds NaNs that would spread through any sum they entered,
 * and must keep its bits.
 */
START_TEST(test_padded_rows)
{
	const struct kt_case cases[] = {
		{ "cbow", { 3, 7, 3, 1, 9, 7 }, 6, 0, 5, { 2, 5, 9, 9, 4 }, 5, 1e-2f, { 0 }, 0 },
		{ "sg pair", { 0 }, 0, 4, 6, { 2, 6, 9, 0, 9 }, 5, 1e-2f, { 0 }, 0 },
		{ "sg window", { 0 }, 0, 0, 6, { 2, 6, 9, 0, 9 }, 5, 1e-2f, { 3, 7, 1, 7, 8, 3 }, 6 },
	};
	static float in[KT_V * KT_STRIDE], out[KT_V * KT_STRIDE];
	const float pad = nanf("0x5a5a");
	size_t c, r, d;
	int mode;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		for (mode = 0; mode < 2; mode++) {
			struct kt_model *m = kt_model_new(KT_SEED + c, 0.3f);
			struct ks_kernel_ctx k;
			double packed, padded;

			for (r = 0; r < KT_V; r++)
				for (d = 0; d < KT_STRIDE; d++) {
					in[r * KT_STRIDE + d] = d < KT_DIM ? m->in[r * KT_DIM + d] : pad;
					out[r * KT_STRIDE + d] = d < KT_DIM ? m->out[r * KT_DIM + d] : pad;
				}
			packed = kt_run(&cases[c], m, (enum ks_cbow_update)mode);
			k = kt_ctx(m);
			k.in_vecs = in;
			k.out_vecs = out;
			k.stride = KT_STRIDE;
			if (cases[c].n_ctx > 0)
				padded = ks_cbow_step(&k, cases[c].ctx, cases[c].n_ctx, cases[c].target,
						      cases[c].neg, cases[c].n_neg, cases[c].alpha,
						      cases[c].alpha, (enum ks_cbow_update)mode);
			else if (cases[c].n_inputs > 0)
				padded = ks_sg_batch_step(&k, cases[c].inputs, cases[c].n_inputs,
							  cases[c].target, cases[c].neg, cases[c].n_neg,
							  cases[c].alpha, cases[c].alpha);
			else
				padded = ks_sg_step(&k, cases[c].input, cases[c].target, cases[c].neg,
						    cases[c].n_neg, cases[c].alpha, cases[c].alpha);
			ck_assert_msg(memcmp(&packed, &padded, sizeof(packed)) == 0,
				      "%s: loss %.17g packed, %.17g padded", cases[c].name, packed, padded);
			for (r = 0; r < KT_V; r++) {
				ck_assert_msg(memcmp(in + r * KT_STRIDE, m->in + r * KT_DIM,
						     KT_DIM * sizeof(float)) == 0 &&
					      memcmp(out + r * KT_STRIDE, m->out + r * KT_DIM,
						     KT_DIM * sizeof(float)) == 0,
					      "%s, mode %d: row %zu differs from the packed run",
					      cases[c].name, mode, r);
				for (d = KT_DIM; d < KT_STRIDE; d++)
					ck_assert_msg(memcmp(in + r * KT_STRIDE + d, &pad, sizeof(pad)) == 0 &&
						      memcmp(out + r * KT_STRIDE + d, &pad, sizeof(pad)) == 0,
						      "%s: the padding of row %zu was written", cases[c].name, r);
			}
			free(m);
		}
}
END_TEST

/* A window of one context row is exactly the pair kernel with that row as input. */
START_TEST(test_sg_window_of_one_is_pair)
{
	struct kt_model *a = kt_model_new(KT_SEED + 2, 0.3f);
	struct kt_model *b = malloc(sizeof(*b));
	const uint32_t neg[] = { 2, 6, 0, 7, 6 }, input = 4;
	struct ks_kernel_ctx ka, kb;
	double la, lb;

	ck_assert_ptr_nonnull(b);
	memcpy(b, a, sizeof(*a));
	ka = kt_ctx(a);
	kb = kt_ctx(b);
	la = ks_sg_step(&ka, input, 6, neg, 5, 0.05f, 0.05f);
	lb = ks_sg_batch_step(&kb, &input, 1, 6, neg, 5, 0.05f, 0.05f);
	ck_assert_msg(fabs(la - lb) <= 1e-6 * (1.0 + fabs(la)), "loss %.9g vs %.9g", la, lb);
	for (size_t i = 0; i < KT_V * KT_DIM; i++) {
		ck_assert_msg(fabsf(a->in[i] - b->in[i]) <= 1e-6f, "in entry %zu", i);
		ck_assert_msg(fabsf(a->out[i] - b->out[i]) <= 1e-6f, "out entry %zu", i);
	}
	free(b);
	free(a);
}
END_TEST

/*
 * KS_CBOW_WORD2VEC moves the context rows n_ctx times as far as the
 * corrected update and the output rows exactly as far.
 */
static void
kt_compare_modes(const struct kt_case *c)
{
	struct kt_model *fixed = kt_model_new(KT_SEED + 1, 0.3f);
	struct kt_model *old = malloc(sizeof(*old));
	struct kt_model *start = malloc(sizeof(*start));
	double loss_fixed, loss_old, n = (double)c->n_ctx;
	size_t i;

	ck_assert_ptr_nonnull(old);
	ck_assert_ptr_nonnull(start);
	memcpy(old, fixed, sizeof(*fixed));
	memcpy(start, fixed, sizeof(*fixed));
	loss_fixed = kt_run(c, fixed, KS_CBOW_CORRECTED);
	loss_old = kt_run(c, old, KS_CBOW_WORD2VEC);
	ck_assert(loss_fixed == loss_old);
	ck_assert_msg(memcmp(fixed->out, old->out, sizeof(fixed->out)) == 0,
		      "%s: the output rows must not depend on the mode", c->name);
	for (i = 0; i < KT_V * KT_DIM; i++) {
		double d_fixed = (double)fixed->in[i] - (double)start->in[i];
		double d_old = (double)old->in[i] - (double)start->in[i];

		/* Each delta carries up to 2 x 3e-8 of rounding (entries below 1). */
		ck_assert_msg(fabs(d_old - n * d_fixed) <= 6e-8 * (n + 1.0) + 1e-6 * fabs(d_old),
			      "%s: row %zu dim %zu: word2vec step %.9g, corrected step %.9g",
			      c->name, i / KT_DIM, i % KT_DIM, d_old, d_fixed);
	}
	free(start);
	free(old);
	free(fixed);
}

START_TEST(test_word2vec_mode_is_c_times_corrected)
{
	const struct kt_case c3 = { "modes C=3", { 0, 4, 9 }, 3, 0, 2, { 6, 1, 8 }, 3, 0.1f };
	const struct kt_case c6 = {
		"modes C=6", { 1, 4, 1, 6, 8, 3 }, 6, 0, 7, { 0, 2, 5, 9, 3 }, 5, 0.1f
	};

	kt_compare_modes(&c3);
	kt_compare_modes(&c6);
}
END_TEST

/*
 * The table across its range, one dimension at a time: with h = 1 and the
 * target's output value x, the loss is -log sigma(x) and the input row moves
 * by alpha (1 - sigma(x)) x.
 */
START_TEST(test_sigmoid_table_accuracy)
{
	struct kt_model *m = kt_model_new(KT_SEED, 0.0f);
	struct ks_kernel_ctx k;
	uint32_t ctx = 0;
	double worst_loss = 0.0, worst_step = 0.0;
	int i;

	m->dim = 1;
	k = kt_ctx(m);
	for (i = -7999; i <= 7999; i += 7) {
		double x = i / 1000.0, loss, step, ref_step;

		m->in[0] = 1.0f;
		m->out[1] = (float)x;
		loss = ks_cbow_step(&k, &ctx, 1, 1, NULL, 0, 1.0f, 0.0f, KS_CBOW_CORRECTED);
		step = (double)m->in[0] - 1.0;
		x = (double)(float)x;
		ref_step = (1.0 - 1.0 / (1.0 + exp(-x))) * x;
		worst_loss = fmax(worst_loss, fabs(loss + kt_log_sigma(x)) / (1.0 - kt_log_sigma(x)));
		worst_step = fmax(worst_step, fabs(step - ref_step) / (1.0 + fabs(ref_step)));
	}
	/* Float entries near 8 carry 5e-7 of rounding; interpolation adds 1e-7. */
	ck_assert_msg(worst_loss < 1e-6, "log sigma off by %g (relative to 1 + loss)", worst_loss);
	ck_assert_msg(worst_step < 1e-6, "sigma off by %g (relative to 1 + step)", worst_step);
	free(m);
}
END_TEST

/*
 * Far outside the table the gradient is clamped, not skipped: the step is
 * tiny but nonzero and finite, and the loss stays finite and close to the
 * truth.
 */
START_TEST(test_sigmoid_clamp)
{
	static const struct {
		float o;		/* every entry of the output row; x = 8 * 2.5 * o */
		int negative;		/* the row is a negative, not the target */
		double loss;		/* the true loss */
		int tiny;		/* the true |dL/dx| is below e^-8 */
	} cases[] = {
		{ 2.5f, 0, 0.0, 1 },	/* x = 50, label 1: right and confident */
		{ -2.5f, 1, 0.0, 1 },	/* x = -50, label 0: right and confident */
		{ -2.5f, 0, 50.0, 0 },	/* x = -50, label 1: confidently wrong */
		{ 2.5f, 1, 50.0, 0 },	/* x = 50, label 0: confidently wrong */
	};
	size_t i, d;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kt_model *m = kt_model_new(KT_SEED, 0.0f);
		struct ks_kernel_ctx k;
		uint32_t ctx = 0, neg = 2;
		float alpha = 0.1f;
		double loss;

		m->dim = 8;
		k = kt_ctx(m);
		for (d = 0; d < 8; d++) {
			m->in[d] = 2.5f;
			/* The target (row 1) is neutral when the negative is under test. */
			m->out[(cases[i].negative ? 2 : 1) * 8 + d] = cases[i].o;
		}
		loss = ks_cbow_step(&k, &ctx, 1, 1, &neg, cases[i].negative ? 1 : 0, alpha, alpha,
				    KS_CBOW_CORRECTED);
		if (cases[i].negative)
			loss -= log(2.0);	/* the neutral target's share: x = 0 */
		ck_assert_msg(isfinite(loss) && fabs(loss - cases[i].loss) < 1e-3,
			      "case %zu: loss %.9g, true %.9g", i, loss, cases[i].loss);
		for (d = 0; d < 8; d++) {
			double step = fabs((double)m->in[d] - 2.5);
			double out_step = fabs((double)m->out[(cases[i].negative ? 2 : 1) * 8 + d] -
					       (double)cases[i].o);

			ck_assert_msg(isfinite(m->in[d]) && isfinite(m->out[8 + d]) &&
				      isfinite(m->out[16 + d]), "case %zu: not finite", i);
			ck_assert_msg(step > 0.0 && out_step > 0.0,
				      "case %zu: the update was skipped", i);
			if (cases[i].tiny)
				ck_assert_msg(step < alpha * 2.5 * 4e-4 && out_step < alpha * 2.5 * 4e-4,
					      "case %zu: step %g is not tiny", i, step);
			else
				ck_assert_msg(step > alpha * 2.5 * 0.99, "case %zu: step %g", i, step);
		}
		free(m);
	}
}
END_TEST

/* Hierarchical softmax alone and beside negatives, CBOW and skip-gram. */
START_TEST(test_hs_gradient)
{
	struct kt_case cases[] = {
		{ "cbow hs", { 0, 4, 9 }, 3, 0, 2, { 6, 1, 8 }, 3, 1e-2f, { 0 }, 0,
		  { 11, 3, 7, 0 }, { 1, 0, 1, 1 }, 4, 1 },
		{ "cbow hs+ns repeated", { 1, 4, 1, 6 }, 4, 0, 7, { 0, 7, 5, 5 }, 4, 1e-2f, { 0 }, 0,
		  { 2, 9, 14, 5, 6 }, { 0, 0, 1, 0, 1 }, 5, 0 },
		{ "sg hs", { 0 }, 0, 3, 5, { 1 }, 1, 1e-2f, { 0 }, 0, { 4, 8 }, { 1, 0 }, 2, 1 },
		{ "sg hs+ns", { 0 }, 0, 3, 5, { 1, 5, 2 }, 3, 1e-2f, { 0 }, 0,
		  { 4, 8, 12 }, { 0, 1, 0 }, 3, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		kt_gradient_check(&cases[i]);
}
END_TEST

/* Without negatives the output vectors are not touched at all. */
START_TEST(test_hs_alone_leaves_outputs)
{
	const struct kt_case c = { "cbow hs only", { 0, 4 }, 2, 0, 2, { 6 }, 1, 0.1f, { 0 }, 0,
				   { 1, 2 }, { 0, 1 }, 2, 1 };
	struct kt_model *m = kt_model_new(KT_SEED, 0.3f);
	float out[KT_V * KT_DIM];

	memcpy(out, m->out, sizeof(out));
	kt_run(&c, m, KS_CBOW_CORRECTED);
	ck_assert(memcmp(out, m->out, sizeof(out)) == 0);
	free(m);
}
END_TEST

Suite *
ks_suite_kernels(void)
{
	Suite *s = suite_create("kernels");
	TCase *tc = tcase_create("gradient");

	tcase_add_test(tc, test_cbow_one_context);
	tcase_add_test(tc, test_cbow_three_contexts);
	tcase_add_test(tc, test_cbow_six_contexts_repeated);
	tcase_add_test(tc, test_sg_pair);
	tcase_add_test(tc, test_negative_equal_to_target_skipped);
	tcase_add_test(tc, test_negative_drawn_twice);
	tcase_add_test(tc, test_many_negatives);
	tcase_add_test(tc, test_sg_window);
	tcase_add_test(tc, test_sg_window_of_one_is_pair);
	tcase_add_test(tc, test_padded_rows);
	tcase_add_test(tc, test_word2vec_mode_is_c_times_corrected);
	tcase_add_test(tc, test_sigmoid_table_accuracy);
	tcase_add_test(tc, test_sigmoid_clamp);
	tcase_add_test(tc, test_hs_gradient);
	tcase_add_test(tc, test_hs_alone_leaves_outputs);
	suite_add_tcase(s, tc);
	return s;
}
