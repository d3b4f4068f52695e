/*
 * Position-aware CBOW (kernels.c's ks_cbow_pos_step) and the position
 * weights' shared state (positions.c).
 *
 * The gradient check is the one of test_kernels.c, with a third set of
 * parameters: for every entry of the input rows, the output rows and the
 * position weights, the kernel's step divided by alpha must equal minus
 * the central-difference gradient of a loss written here in double:
 *   h = (1/C) sum_i w[slot_i] (.) in[ctx_i]   (a scalar w for width 1)
 *   L = -log sigma(h . out[target]) - sum over negatives != target of
 *       log sigma(-h . out[neg]).
 * Tolerance as there: |step/alpha - fd| <= 1e-7 / alpha + 1e-3 |fd|.
 * These tests were checked to fail with the 1/C left out of the weights'
 * step, with the weights updated before the context rows read them, with
 * the context rows' gradient taken without the weights, and with a
 * repeated context word's second term read after its first step.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "positions.h"
#include "sampler.h"
#include "suites.h"

#define PT_V 16
#define PT_DIM 31	/* every path of the row loops, as in test_kernels.c */
#define PT_WINDOW 4
#define PT_SLOTS (2 * PT_WINDOW)
#define PT_FD_STEP 1e-4
#define PT_REL_TOL 1e-3
#define PT_SEED UINT64_C(20180501)

struct pt_model {
	float in[PT_V * PT_DIM];
	float out[PT_V * PT_DIM];
	float pos[PT_SLOTS * PT_DIM];
	float scratch[PT_SLOTS * PT_DIM];
	float h[PT_DIM];
	float grad[PT_DIM];
	size_t width;
	struct ks_sigmoid sigmoid;
};

struct pt_case {
	const char *name;
	uint32_t ctx[8];
	uint32_t slot[8];
	size_t n_ctx;
	uint32_t target;
	uint32_t neg[8];
	size_t n_neg;
	size_t width;		/* PT_DIM or 1 */
	float alpha;
};

static double
pt_uniform(struct ks_rng *r)
{
	return (double)(ks_rng_next(r) >> 11) * 0x1.0p-53;
}

static struct pt_model *
pt_model_new(size_t width)
{
	struct pt_model *m = calloc(1, sizeof(*m));
	struct ks_rng r;
	size_t i;

	ck_assert_ptr_nonnull(m);
	m->width = width;
	ks_sigmoid_init(&m->sigmoid);
	ks_rng_seed(&r, PT_SEED, 0);
	for (i = 0; i < PT_V * PT_DIM; i++) {
		m->in[i] = (float)(0.6 * pt_uniform(&r) - 0.3);
		m->out[i] = (float)(0.6 * pt_uniform(&r) - 0.3);
	}
	/* Weights away from 1, so a step that ignores them shows. */
	for (i = 0; i < PT_SLOTS * width; i++)
		m->pos[i] = (float)(0.5 + pt_uniform(&r));
	for (i = 0; i < PT_SLOTS * PT_DIM; i++)
		m->scratch[i] = NAN;
	for (i = 0; i < PT_DIM; i++)
		m->h[i] = m->grad[i] = NAN;
	return m;
}

static double
pt_log_sigma(double x)
{
	return x >= 0.0 ? -log1p(exp(-x)) : x - log1p(exp(x));
}

static double
pt_loss(const struct pt_case *c, const double *in, const double *out, const double *pos)
{
	double h[PT_DIM], x, loss;
	size_t i, d;

	for (d = 0; d < PT_DIM; d++) {
		h[d] = 0.0;
		for (i = 0; i < c->n_ctx; i++)
			h[d] += pos[c->slot[i] * c->width + (c->width == 1 ? 0 : d)] *
				in[c->ctx[i] * PT_DIM + d];
		h[d] /= (double)c->n_ctx;
	}
	x = 0.0;
	for (d = 0; d < PT_DIM; d++)
		x += h[d] * out[c->target * PT_DIM + d];
	loss = -pt_log_sigma(x);
	for (i = 0; i < c->n_neg; i++) {
		if (c->neg[i] == c->target)
			continue;
		x = 0.0;
		for (d = 0; d < PT_DIM; d++)
			x += h[d] * out[c->neg[i] * PT_DIM + d];
		loss -= pt_log_sigma(-x);
	}
	return loss;
}

static double
pt_run(const struct pt_case *c, struct pt_model *m, enum ks_cbow_update mode)
{
	struct ks_kernel_ctx k = { m->in, m->out, PT_DIM, PT_DIM, &m->sigmoid, m->h, m->grad };
	struct ks_pos_rows rows = { m->pos, m->scratch, c->width, c->width };

	return ks_cbow_pos_step(&k, &rows, c->ctx, c->slot, c->n_ctx, c->target, c->neg,
				c->n_neg, c->alpha, c->alpha, mode);
}

/* Compares n parameters' steps with -alpha times their central-difference gradient. */
static void
pt_check(const struct pt_case *c, const char *which, const float *before, const float *after,
	 size_t n, double *param, const double *in, const double *out, const double *pos)
{
	double abs_tol = 1e-7 / c->alpha;
	size_t i;

	for (i = 0; i < n; i++) {
		double keep = param[i], lp, lm, fd, est;

		param[i] = keep + PT_FD_STEP;
		lp = pt_loss(c, in, out, pos);
		param[i] = keep - PT_FD_STEP;
		lm = pt_loss(c, in, out, pos);
		param[i] = keep;
		fd = -(lp - lm) / (2.0 * PT_FD_STEP);
		est = ((double)after[i] - (double)before[i]) / c->alpha;
		ck_assert_msg(fabs(est - fd) <= abs_tol + PT_REL_TOL * fabs(fd),
			      "%s: %s entry %zu: step/alpha %.9g, -dL/dtheta %.9g (seed %llu)",
			      c->name, which, i, est, fd, (unsigned long long)PT_SEED);
		if (fd == 0.0)
			ck_assert_msg(after[i] == before[i], "%s: %s entry %zu moved but is not in L",
				      c->name, which, i);
	}
}

static void
pt_gradient_check(const struct pt_case *c)
{
	struct pt_model *m = pt_model_new(c->width);
	struct pt_model *before = malloc(sizeof(*before));
	static double din[PT_V * PT_DIM], dout[PT_V * PT_DIM], dpos[PT_SLOTS * PT_DIM];
	double loss, ref;
	size_t i;

	ck_assert_ptr_nonnull(before);
	memcpy(before, m, sizeof(*m));
	for (i = 0; i < PT_V * PT_DIM; i++) {
		din[i] = m->in[i];
		dout[i] = m->out[i];
	}
	for (i = 0; i < PT_SLOTS * c->width; i++)
		dpos[i] = m->pos[i];
	loss = pt_run(c, m, KS_CBOW_CORRECTED);
	ref = pt_loss(c, din, dout, dpos);
	ck_assert_msg(fabs(loss - ref) <= 1e-5 * (1.0 + ref),
		      "%s: kernel loss %.9g, double loss %.9g", c->name, loss, ref);
	pt_check(c, "in_vecs", before->in, m->in, PT_V * PT_DIM, din, din, dout, dpos);
	pt_check(c, "out_vecs", before->out, m->out, PT_V * PT_DIM, dout, din, dout, dpos);
	pt_check(c, "positions", before->pos, m->pos, PT_SLOTS * c->width, dpos, din, dout, dpos);
	free(before);
	free(m);
}

/* C = 3 at slots -1, +1, +2. */
static const struct pt_case pt_three = {
	"C=3", { 0, 4, 9 }, { 3, 4, 5 }, 3, 2, { 6, 1, 8 }, 3, PT_DIM, 1e-2f
};
/* Word 1 at two positions, a negative equal to the target, one drawn twice. */
static const struct pt_case pt_repeated = {
	"C=6 repeated", { 1, 4, 1, 6, 8, 3 }, { 0, 2, 3, 4, 6, 7 }, 6, 7, { 7, 2, 5, 2, 3 }, 5,
	PT_DIM, 1e-2f
};

START_TEST(test_vector_gradient)
{
	pt_gradient_check(&pt_three);
	pt_gradient_check(&pt_repeated);
}
END_TEST

START_TEST(test_scalar_gradient)
{
	struct pt_case a = pt_three, b = pt_repeated;

	a.width = b.width = 1;
	a.name = "scalar C=3";
	b.name = "scalar C=6 repeated";
	pt_gradient_check(&a);
	pt_gradient_check(&b);
}
END_TEST

/*
 * The word2vec mode takes C times the corrected step on the context rows
 * and on the weights, and the same step on the output rows.
 */
START_TEST(test_word2vec_mode)
{
	size_t widths[2] = { PT_DIM, 1 }, w, i;

	for (w = 0; w < 2; w++) {
		struct pt_case c = pt_repeated;
		struct pt_model *a = pt_model_new(widths[w]);
		struct pt_model *b = malloc(sizeof(*b)), *start = malloc(sizeof(*start));
		double n = (double)c.n_ctx;

		ck_assert_ptr_nonnull(b);
		ck_assert_ptr_nonnull(start);
		c.width = widths[w];
		c.alpha = 0.05f;
		memcpy(b, a, sizeof(*a));
		memcpy(start, a, sizeof(*a));
		ck_assert(pt_run(&c, a, KS_CBOW_CORRECTED) == pt_run(&c, b, KS_CBOW_WORD2VEC));
		ck_assert(memcmp(a->out, b->out, sizeof(a->out)) == 0);
		for (i = 0; i < PT_V * PT_DIM; i++) {
			double da = (double)a->in[i] - start->in[i], db = (double)b->in[i] - start->in[i];

			ck_assert_msg(fabs(db - n * da) <= 6e-8 * (n + 1.0) + 1e-5 * fabs(db),
				      "width %zu in entry %zu: %.9g vs %g x %.9g", widths[w], i, db, n, da);
		}
		for (i = 0; i < PT_SLOTS * widths[w]; i++) {
			double da = (double)a->pos[i] - start->pos[i];
			double db = (double)b->pos[i] - start->pos[i];

			ck_assert_msg(fabs(db - n * da) <= 2e-7 * (n + 1.0) + 1e-5 * fabs(db),
				      "width %zu weight %zu: %.9g vs %g x %.9g", widths[w], i, db, n, da);
		}
		free(start);
		free(b);
		free(a);
	}
}
END_TEST

/* Vector weights of 1 are plain CBOW: the same bits in both matrices. */
START_TEST(test_unit_weights_are_plain_cbow)
{
	struct pt_model *a = pt_model_new(PT_DIM), *b = malloc(sizeof(*b));
	struct ks_kernel_ctx kb;
	double la, lb;
	size_t i;

	ck_assert_ptr_nonnull(b);
	for (i = 0; i < PT_SLOTS * PT_DIM; i++)
		a->pos[i] = 1.0f;
	memcpy(b, a, sizeof(*a));
	kb = (struct ks_kernel_ctx){ b->in, b->out, PT_DIM, PT_DIM, &b->sigmoid, b->h, b->grad };
	la = pt_run(&pt_repeated, a, KS_CBOW_CORRECTED);
	lb = ks_cbow_step(&kb, pt_repeated.ctx, pt_repeated.n_ctx, pt_repeated.target,
			  pt_repeated.neg, pt_repeated.n_neg, pt_repeated.alpha, pt_repeated.alpha,
			  KS_CBOW_CORRECTED);
	ck_assert(la == lb);
	ck_assert(memcmp(a->in, b->in, sizeof(a->in)) == 0);
	ck_assert(memcmp(a->out, b->out, sizeof(a->out)) == 0);
	free(b);
	free(a);
}
END_TEST

START_TEST(test_slots)
{
	ck_assert_uint_eq(ks_positions_slot(4, -4), 0);
	ck_assert_uint_eq(ks_positions_slot(4, -1), 3);
	ck_assert_uint_eq(ks_positions_slot(4, 1), 4);
	ck_assert_uint_eq(ks_positions_slot(4, 4), 7);
}
END_TEST

/*
 * Two workers' changes both reach the shared weights, and each worker
 * then trains from the sum.
 */
START_TEST(test_merge_adds_both_workers)
{
	struct ks_positions *p;
	struct ks_positions_local a, b;
	struct ks_err err;
	float *w;

	ck_assert_int_eq(ks_positions_create(&p, KS_POSITIONS_SCALAR, 2, 10, &err), KS_OK);
	ck_assert_uint_eq(ks_positions_rows(p), 4);
	ck_assert_uint_eq(ks_positions_width(p), 1);
	ck_assert_uint_eq(ks_positions_floats(p), 4);
	w = ks_positions_weights(p);
	ck_assert(w[0] == 1.0f && w[3] == 1.0f);
	ck_assert_int_eq(ks_positions_local_init(&a, p, &err), KS_OK);
	ck_assert_int_eq(ks_positions_local_init(&b, p, &err), KS_OK);
	a.rows.w[0] += 0.5f;
	b.rows.w[0] += 0.25f;
	b.rows.w[2] -= 0.5f;
	ks_positions_merge(p, &a);
	ck_assert(w[0] == 1.5f && a.rows.w[0] == 1.5f);
	ks_positions_merge(p, &b);
	ck_assert(w[0] == 1.75f && w[2] == 0.5f && w[1] == 1.0f);
	ck_assert(b.rows.w[0] == 1.75f && b.rows.w[2] == 0.5f);
	/* a has not merged since: its next merge adds nothing of its own. */
	ks_positions_merge(p, &a);
	ck_assert(a.rows.w[0] == 1.75f && a.rows.w[2] == 0.5f && w[0] == 1.75f);
	ck_assert(ks_positions_finite(p));
	w[1] = NAN;
	ck_assert(!ks_positions_finite(p));
	ks_positions_local_free(&a);
	ks_positions_local_free(&b);
	ks_positions_local_free(&b);
	ks_positions_destroy(p);
	ks_positions_destroy(NULL);
}
END_TEST

/* The file: word2vec text, offsets -W .. -1, +1 .. +W, the weights' values. */
START_TEST(test_write)
{
	struct ks_positions *p;
	struct ks_outfile *pending = NULL;
	struct ks_err err;
	char path[4096], *text;
	size_t len, i;
	float *w;

	ck_assert_int_eq(ks_positions_create(&p, KS_POSITIONS_VECTOR, 2, 3, &err), KS_OK);
	w = ks_positions_weights(p);
	for (i = 0; i < 12; i++)
		w[i] = (float)i * 0.5f;
	snprintf(path, sizeof(path), "%s/pos.txt", ks_test_tmpdir());
	ck_assert_int_eq(ks_positions_write_pending(&pending, p, path, &err), KS_OK);
	ck_assert_ptr_nonnull(pending);
	ck_assert_int_eq(ks_outfile_commit(pending, &err), KS_OK);
	text = ks_test_slurp(path, &len);
	ck_assert_str_eq(text, "4 3\n-2 0 0.5 1\n-1 1.5 2 2.5\n+1 3 3.5 4\n+2 4.5 5 5.5\n");
	free(text);
	ks_positions_destroy(p);
}
END_TEST

Suite *
ks_suite_positions(void)
{
	Suite *s = suite_create("positions");
	TCase *tc = tcase_create("positions");

	tcase_add_test(tc, test_vector_gradient);
	tcase_add_test(tc, test_scalar_gradient);
	tcase_add_test(tc, test_word2vec_mode);
	tcase_add_test(tc, test_unit_weights_are_plain_cbow);
	tcase_add_test(tc, test_slots);
	tcase_add_test(tc, test_merge_adds_both_workers);
	tcase_add_test(tc, test_write);
	suite_add_tcase(s, tc);
	return s;
}
