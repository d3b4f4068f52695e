/*
 * Data-parallel training (dist.h): sharding, sync sizes, the exchange,
 * stops and checkpoints agreed in the rounds and put in place together,
 * and the counting of sharded files (dist_vocab.h) with threads as ranks.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "dist_vocab.h"
#include "outfile.h"
#include "status.h"
#include "suites.h"

/* Every chunk of every batch and epoch belongs to exactly one rank. */
START_TEST(test_dist_each_chunk_one_rank)
{
	int size, rank;
	uint64_t e, b, k;

	for (size = 1; size <= 5; size++)
		for (e = 0; e < 3; e++)
			for (b = 0; b < 7; b++)
				for (k = 0; k < 11; k++) {
					int owners = 0;

					for (rank = 0; rank < size; rank++)
						owners += ks_dist_chunk_mine(e, b, k, rank, size);
					ck_assert_int_eq(owners, 1);
				}
	/* Large indices do not wrap. */
	ck_assert_int_eq(ks_dist_chunk_mine(UINT64_MAX, UINT64_MAX, UINT64_MAX, 0, 3) +
			 ks_dist_chunk_mine(UINT64_MAX, UINT64_MAX, UINT64_MAX, 1, 3) +
			 ks_dist_chunk_mine(UINT64_MAX, UINT64_MAX, UINT64_MAX, 2, 3), 1);
}
END_TEST

/* Consecutive chunks go to different ranks: a batch is shared evenly. */
START_TEST(test_dist_chunks_balanced)
{
	int counts[4] = { 0 }, r;
	uint64_t k;

	for (k = 0; k < 400; k++)
		for (r = 0; r < 4; r++)
			counts[r] += ks_dist_chunk_mine(1, 2, k, r, 4);
	for (r = 0; r < 4; r++)
		ck_assert_int_eq(counts[r], 100);
}
END_TEST

/* The sync size doubles with the trailing zeros of the round, capped at V. */
START_TEST(test_dist_sync_rows)
{
	ck_assert_uint_eq(ks_dist_sync_rows(1, 100, 1000), 100);
	ck_assert_uint_eq(ks_dist_sync_rows(2, 100, 1000), 200);
	ck_assert_uint_eq(ks_dist_sync_rows(3, 100, 1000), 100);
	ck_assert_uint_eq(ks_dist_sync_rows(4, 100, 1000), 400);
	ck_assert_uint_eq(ks_dist_sync_rows(8, 100, 1000), 800);
	ck_assert_uint_eq(ks_dist_sync_rows(16, 100, 1000), 1000);
	ck_assert_uint_eq(ks_dist_sync_rows(1u << 20, 100, 1000), 1000);
	ck_assert_uint_eq(ks_dist_sync_rows(1, 5000, 1000), 1000);
	ck_assert_uint_eq(ks_dist_sync_rows(6, 100, 1000), 200);
}
END_TEST

/*
 * An engine that plays rank 0 of size ranks and records what the schedule
 * asks of it: the other ranks' deltas are all other_delta per cell, their
 * words other_words in all, and they are done when other_done is set.
 */
struct fake_engine {
	size_t summed[16];	/* cells of each sum call */
	size_t n_sum, n_bcast, n_counts, n_agree;
	float other_delta;
	uint64_t other_words;
	int other_done;
	int other_stop, other_ckpt;	/* the other ranks ask for a stop, a checkpoint */
	int other_failed;	/* rank 1 failed to write its checkpoint file */
};

static void
fake_sum(void *ctx, const float *in, float *out, size_t cells)
{
	struct fake_engine *f = ctx;
	size_t i;

	ck_assert_uint_le(cells, KS_DIST_PIECE);
	for (i = 0; i < cells; i++)
		out[i] = in[i] + f->other_delta;
	if (f->n_sum < 16)
		f->summed[f->n_sum] = cells;
	f->n_sum++;
}

static void
fake_sum_counts(void *ctx, uint64_t *counts, size_t n)
{
	struct fake_engine *f = ctx;

	if (n == 2) {	/* ks_dist_commit's: failures, and the failed ranks plus one */
		counts[0] += f->other_failed != 0;
		counts[1] += f->other_failed != 0 ? 2 : 0;
		return;
	}
	ck_assert_uint_eq(n, 4);	/* a round's: done, words, stop and checkpoint asked */
	counts[0] += f->other_done ? 1 : 0;
	counts[1] += f->other_words;
	counts[2] += f->other_stop != 0;
	counts[3] += f->other_ckpt != 0;
	f->n_counts++;
}

static void
fake_broadcast(void *ctx, float *m, size_t cells)
{
	(void)m;
	(void)cells;
	((struct fake_engine *)ctx)->n_bcast++;
}

static int
fake_agree(void *ctx, uint64_t hash)
{
	(void)hash;
	((struct fake_engine *)ctx)->n_agree++;
	return 1;
}

static void
fake_attach(struct ks_dist *d, struct fake_engine *f)
{
	d->ctx = f;
	d->sum = fake_sum;
	d->sum_counts = fake_sum_counts;
	d->broadcast = fake_broadcast;
	d->agree = fake_agree;
}

/* Sets d up as rank 0 of 2 on engine f, with its bases taken from m. */
static void
fake_begin(struct ks_dist *d, struct fake_engine *f, const struct ks_dist_model *m,
	   uint64_t sync_words, size_t sync_rows)
{
	ks_dist_init(d, 0, 2, sync_words, sync_rows);
	fake_attach(d, f);
	ck_assert_int_eq(ks_dist_begin(d, m), 0);
}

/* Rounds come at multiples of sync_words and exchange the scheduled rows of both matrices. */
START_TEST(test_dist_poll_schedule)
{
	struct fake_engine f = { { 0 }, 0, 0, 0, 0, 0.0f, 0, 1, 0, 0, 0 };
	struct ks_dist d;
	float in[100 * 4] = { 0 }, out[100 * 4] = { 0 };
	struct ks_dist_model m = { in, out, NULL, 100, 0, 4 };

	fake_begin(&d, &f, &m, 1000, 10);
	ks_dist_poll(&d, &m, 999);
	ck_assert_uint_eq(f.n_sum, 0);
	ks_dist_poll(&d, &m, 2500);	/* rounds 1 and 2 */
	ck_assert_uint_eq(d.round, 2);
	ck_assert_uint_eq(f.n_sum, 4);
	ck_assert_uint_eq(f.summed[0], 10 * 4);
	ck_assert_uint_eq(f.summed[1], 10 * 4);
	ck_assert_uint_eq(f.summed[2], 20 * 4);
	ck_assert_uint_eq(f.summed[3], 20 * 4);
	ks_dist_poll(&d, &m, 2999);	/* round 3 not yet due */
	ck_assert_uint_eq(d.round, 2);
	/* Done: one round finds everyone done, then every row is exchanged and broadcast. */
	ck_assert_int_eq(ks_dist_finish(&d, &m, 3000), 0);
	ck_assert_uint_eq(d.round, 3);
	ck_assert_uint_eq(f.n_sum, 6);
	ck_assert_uint_eq(f.summed[4], 100 * 4);
	ck_assert_uint_eq(f.summed[5], 100 * 4);
	ck_assert_uint_eq(f.n_bcast, 2);
	ck_assert_uint_eq(f.n_agree, 1);
	ck_assert_uint_eq(f.n_counts, 3);
	ks_dist_free(&d);
}
END_TEST

/*
 * A round adds every rank's change since the last exchange, at full size
 * (no averaging), to the live rows and to the base; rows past the round's
 * count wait for a later round, and the final exchange leaves them too.
 */
START_TEST(test_dist_exchange_sums_deltas)
{
	struct fake_engine f = { { 0 }, 0, 0, 0, 0, 0.5f, 0, 0, 0, 0, 0 };
	struct ks_dist d;
	float in[8 * 2], out[8 * 2];
	struct ks_dist_model m = { in, out, NULL, 8, 0, 2 };
	size_t i;

	for (i = 0; i < 16; i++) {
		in[i] = (float)i;
		out[i] = -(float)i;
	}
	fake_begin(&d, &f, &m, 100, 2);
	in[0] += 1.0f;		/* this rank's updates: row 0 and row 5 */
	in[10] += 2.0f;
	ks_dist_poll(&d, &m, 100);	/* round 1: rows 0 and 1 */
	ck_assert_float_eq(in[0], 0.0f + 1.0f + 0.5f);
	ck_assert_float_eq(in[1], 1.0f + 0.5f);
	ck_assert_float_eq(in[3], 3.0f + 0.5f);
	ck_assert_float_eq(out[2], -2.0f + 0.5f);
	ck_assert_float_eq(in[4], 4.0f);		/* row 2: not this round */
	ck_assert_float_eq(in[10], 10.0f + 2.0f);	/* row 5: its own update only */
	ck_assert_float_eq(d.base[0][0], in[0]);
	ck_assert_float_eq(d.base[0][10], 10.0f);
	/* Nothing changed since: the next exchange of row 0 adds only the other rank's. */
	f.other_done = 1;
	ck_assert_int_eq(ks_dist_finish(&d, &m, 100), 0);
	ck_assert_float_eq(in[0], 0.0f + 1.0f + 0.5f + 0.5f);
	ck_assert_float_eq(in[10], 10.0f + 2.0f + 0.5f);
	ck_assert_float_eq(in[4], 4.0f + 0.5f);
	ck_assert_float_eq(out[15], -15.0f + 0.5f);
	for (i = 0; i < 16; i++) {
		ck_assert_float_eq(d.base[0][i], in[i]);
		ck_assert_float_eq(d.base[1][i], out[i]);
	}
	ks_dist_free(&d);
}
END_TEST

/*
 * The damping factor: 1 where the sum cannot overshoot (2 ranks or fewer,
 * no contraction, no updates), near 1 for few updates, 1 / n for rows
 * every rank moved all the way, never rising with the updates in between,
 * and the formula's value in the middle.
 */
START_TEST(test_dist_damp)
{
	double k, last = 1;
	int n;

	for (n = 1; n <= 2; n++)
		ck_assert_double_eq(ks_dist_damp(0.5, 1e6, n), 1);
	ck_assert_double_eq(ks_dist_damp(0, 1e6, 8), 1);
	ck_assert_double_eq(ks_dist_damp(0.01, 0, 8), 1);
	ck_assert_double_eq_tol(ks_dist_damp(1e-9, 1, 8), 1, 1e-8);
	ck_assert_double_eq_tol(ks_dist_damp(0.5, 1e4, 8), 0.125, 1e-12);
	ck_assert_double_eq_tol(ks_dist_damp(0.5, 1e4, 64), 1.0 / 64, 1e-12);
	/* (1 - 0.99^400) / (4 (1 - 0.99^100)) */
	ck_assert_double_eq_tol(ks_dist_damp(0.01, 100, 4), 0.387263228, 1e-8);
	for (k = 1; k < 1e5; k *= 1.5) {
		double f = ks_dist_damp(1e-3, k, 8);

		ck_assert(f <= last + 1e-12);
		ck_assert(f >= 0.125 - 1e-12);
		last = f;
	}
	ck_assert_double_lt(last, 0.1251);
}
END_TEST

/*
 * The expected updates per word: trained occurrences for CBOW's input
 * rows, plus the share of the negatives for output rows, times window + 1
 * for skip-gram.
 */
START_TEST(test_dist_rates)
{
	const uint64_t counts[3] = { 6, 3, 1 };
	float in[3], out[3];

	ks_dist_rates(counts, 3, 10, 0, 1.0, 2, 4, 1, in, out);
	ck_assert_float_eq_tol(in[0], 0.6f, 1e-6f);
	ck_assert_float_eq_tol(in[2], 0.1f, 1e-6f);
	ck_assert_float_eq_tol(out[0], 0.6f + 2 * 0.6f, 1e-6f);
	ck_assert_float_eq_tol(out[1], 0.3f + 2 * 0.3f, 1e-6f);
	ks_dist_rates(counts, 3, 10, 0, 0.0, 2, 4, 0, in, out);
	ck_assert_float_eq_tol(in[1], 5 * 0.3f, 1e-6f);
	/* Exponent 0: every word a third of the negatives. */
	ck_assert_float_eq_tol(out[2], 5 * (0.1f + 2.0f / 3), 1e-5f);
	/* Subsampling: a frequent word's trained share falls, and P with it. */
	ks_dist_rates(counts, 3, 10, 0.01, 1.0, 2, 4, 1, in, out);
	ck_assert_float_lt(in[0], 0.6f);
	ck_assert_float_lt(out[2], 0.1f + 2 * 0.1f);
}
END_TEST

static float
fake_alpha(const void *ctx, uint64_t job_words)
{
	(void)ctx;
	(void)job_words;
	return 0.1f;
}

/*
 * With damping, a round scales each row's sum by ks_dist_damp of its
 * updates: a hot row's by less than 1, a row no update reaches not at
 * all; rows exchanged every other round count two rounds of updates; and
 * the rows' common move is averaged over the ranks, not summed. Without
 * damping (0) every row gets its whole sum.
 */
START_TEST(test_dist_damped_exchange)
{
	struct fake_engine f = { { 0 }, 0, 0, 0, 0, 0.5f, 0, 0, 0, 0, 0 };
	const float rate_in[4] = { 5e-2f, 0, 5e-2f, 0 }, rate_out[4] = { 0, 5e-2f, 0, 0 };
	float in[4 * 2] = { 0 }, out[4 * 2] = { 0 };
	struct ks_dist_model m = { in, out, NULL, 4, 0, 2, rate_in, rate_out, fake_alpha, NULL };
	struct ks_dist d;
	double f1 = ks_dist_damp(0.1 * 0.5, 5e-2 * 1 * 1000, 4);
	double f2 = ks_dist_damp(0.1 * 0.5, 5e-2 * 2 * 1000, 4);
	int damped;

	ck_assert_double_lt(f1, 1);
	ck_assert_double_lt(f2, f1);
	for (damped = 0; damped <= 1; damped++) {
		memset(in, 0, sizeof(in));
		memset(out, 0, sizeof(out));
		ks_dist_init(&d, 0, 4, 1000, 2);
		d.damping = damped ? 0.5 : 0;
		fake_attach(&d, &f);
		ck_assert_int_eq(ks_dist_begin(&d, &m), 0);
		in[0] = 1.0f;	/* this rank moved row 0 of in by 1 */
		ks_dist_poll(&d, &m, 1000);	/* round 1: rows 0 and 1 */
		/*
		 * Each row's sum times its factor, less the common move: the
		 * mean damped sum of the round's rows times 3/4 (the fake's
		 * other ranks add 0.5 to every sum, the mean's too).
		 */
		ck_assert_float_eq_tol(in[0] - in[2], (float)(damped ? 1.5 * f1 - 0.5 : 1), 1e-6f);
		ck_assert_float_eq_tol(in[1] - in[3], (float)(damped ? 0.5 * f1 - 0.5 : 0), 1e-6f);
		ck_assert_float_eq_tol(in[3], damped ? 0.5f - 0.375f : 0.5f, 1e-6f);
		ck_assert_float_eq_tol(in[2], (float)(damped ? 0.5 - 0.75 * (f1 / 2 + 0.5) : 0.5),
				       1e-6f);
		ck_assert_float_eq_tol(out[0], damped ? 0.5f - 0.375f : 0.5f, 1e-6f);
		ck_assert_float_eq_tol(out[0] - out[2], (float)(damped ? 0.5 - 0.5 * f1 : 0), 1e-6f);
		ck_assert_float_eq(d.base[0][0], in[0]);
		ks_dist_poll(&d, &m, 2000);	/* round 2: all 4 rows; rows 2 and 3 every 2 rounds */
		ck_assert_float_eq_tol(in[4] - in[6], (float)(damped ? 0.5 * f2 - 0.5 : 0), 1e-6f);
		ck_assert_float_eq_tol(in[6], damped ? 0.5f - 0.375f : 0.5f, 1e-6f);
		ks_dist_free(&d);
	}
}
END_TEST

/* The job's words: the last round's sum plus this rank's words since, times the ranks. */
START_TEST(test_dist_job_words)
{
	struct fake_engine f = { { 0 }, 0, 0, 0, 0, 0.0f, 1300, 0, 0, 0, 0 };
	struct ks_dist d;
	float in[4] = { 0 }, out[4] = { 0 };
	struct ks_dist_model m = { in, out, NULL, 2, 0, 2 };

	fake_begin(&d, &f, &m, 1000, 1);
	ck_assert_uint_eq(ks_dist_words(&d, 500), 1000);	/* no round yet: own x ranks */
	ks_dist_poll(&d, &m, 1200);	/* the other rank is at 1300 */
	ck_assert_uint_eq(ks_dist_words(&d, 1200), 2500);
	ck_assert_uint_eq(ks_dist_words(&d, 1300), 2700);
	ks_dist_free(&d);
}
END_TEST

/*
 * A stop asked by any rank is agreed in the next round: every rank then
 * enters no more rounds, and ks_dist_finish reports the stop instead of
 * finishing. A stop asked when every rank is done is moot.
 */
START_TEST(test_dist_stop_agreed)
{
	struct fake_engine f = { { 0 }, 0, 0, 0, 0, 0.0f, 0, 0, 0, 0, 0 };
	struct ks_dist d;
	float in[8] = { 0 }, out[8] = { 0 };
	struct ks_dist_model m = { in, out, NULL, 4, 0, 2 };

	fake_begin(&d, &f, &m, 100, 1);
	ks_dist_poll(&d, &m, 100);
	ck_assert_int_eq(atomic_load(&d.stopping), 0);
	f.other_stop = 1;	/* the other rank got a signal */
	f.other_ckpt = 1;	/* and its clock asked for a checkpoint: the stop's will do */
	ks_dist_poll(&d, &m, 450);	/* rounds 2 to 4 were due: the stop ends the run after 2 */
	ck_assert_uint_eq(d.round, 2);
	ck_assert_int_eq(atomic_load(&d.stopping), 1);
	ck_assert_int_eq(atomic_load(&d.ckpt_due), 0);
	ks_dist_poll(&d, &m, 1000);
	ck_assert_uint_eq(d.round, 2);
	ck_assert_int_eq(ks_dist_finish(&d, &m, 1000), KS_DIST_STOPPED);
	ck_assert_uint_eq(f.n_bcast, 0);
	ks_dist_free(&d);

	/* Asked by this rank, when the other is done: the same. */
	memset(&f, 0, sizeof(f));
	f.other_done = 1;
	fake_begin(&d, &f, &m, 100, 1);
	atomic_store(&d.want_stop, 1);
	ks_dist_poll(&d, &m, 100);
	ck_assert_int_eq(atomic_load(&d.stopping), 1);
	ks_dist_free(&d);

	/* Every rank done: the job finishes, the stop is moot. */
	memset(&f, 0, sizeof(f));
	f.other_done = 1;
	f.other_stop = 1;
	fake_begin(&d, &f, &m, 100, 1);
	ck_assert_int_eq(ks_dist_finish(&d, &m, 50), KS_DIST_FINISHED);
	ck_assert_int_eq(atomic_load(&d.stopping), 0);
	ck_assert_uint_eq(f.n_bcast, 2);
	ks_dist_free(&d);
}
END_TEST

/*
 * A checkpoint asked by any rank is due on every rank after the next
 * round: no round is entered until ks_dist_ckpt_done, ks_dist_finish
 * hands it to its caller, and the rounds go on afterwards.
 */
START_TEST(test_dist_checkpoint_due)
{
	struct fake_engine f = { { 0 }, 0, 0, 0, 0, 0.0f, 0, 0, 0, 0, 0 };
	struct ks_dist d;
	float in[8] = { 0 }, out[8] = { 0 };
	struct ks_dist_model m = { in, out, NULL, 4, 0, 2 };

	fake_begin(&d, &f, &m, 100, 1);
	atomic_store(&d.want_ckpt, 1);	/* rank 0's clock */
	ks_dist_poll(&d, &m, 300);
	ck_assert_uint_eq(d.round, 1);
	ck_assert_int_eq(atomic_load(&d.ckpt_due), 1);
	ck_assert_int_eq(atomic_load(&d.want_ckpt), 0);
	ks_dist_poll(&d, &m, 300);
	ck_assert_uint_eq(d.round, 1);
	ks_dist_ckpt_done(&d);
	ks_dist_poll(&d, &m, 300);	/* the rounds it held back */
	ck_assert_uint_eq(d.round, 3);
	f.other_ckpt = 1;	/* asked while this rank's share is done, the other's not */
	ck_assert_int_eq(ks_dist_finish(&d, &m, 300), KS_DIST_CHECKPOINT);
	ck_assert_uint_eq(d.round, 4);
	f.other_ckpt = 0;
	f.other_done = 1;
	ks_dist_ckpt_done(&d);
	ck_assert_int_eq(ks_dist_finish(&d, &m, 300), KS_DIST_FINISHED);
	ck_assert_uint_eq(d.round, 5);
	ks_dist_free(&d);
}
END_TEST

/* A rank's state goes out and comes back: the schedule, and bases that ks_dist_begin keeps. */
START_TEST(test_dist_state_round_trip)
{
	struct fake_engine f = { { 0 }, 0, 0, 0, 0, 0.0f, 0, 0, 0, 0, 0 };
	struct ks_dist d, e;
	float in[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, out[8] = { 0 };
	struct ks_dist_model m = { in, out, NULL, 4, 0, 2 };
	struct ks_dist_state st;
	float *b_in = malloc(sizeof(in)), *b_out = malloc(sizeof(out));

	ck_assert_ptr_nonnull(b_in);
	ck_assert_ptr_nonnull(b_out);
	fake_begin(&d, &f, &m, 100, 1);
	f.other_words = 130;
	ks_dist_poll(&d, &m, 250);
	ks_dist_get_state(&d, &st);
	ck_assert_uint_eq(st.round, 2);
	ck_assert_uint_eq(st.next_sync, 300);
	ck_assert(st.words_offset == 130 - 250);
	ck_assert_ptr_eq(st.base[0], d.base[0]);
	memcpy(b_in, st.base[0], sizeof(in));
	memcpy(b_out, st.base[1], sizeof(out));
	b_in[3] = 99.0f;	/* the base differs from the live rows now */
	ks_dist_init(&e, 0, 2, 100, 1);
	fake_attach(&e, &f);
	st.base[0] = b_in;
	st.base[1] = b_out;
	st.base[2] = NULL;
	ks_dist_set_state(&e, &st);
	ck_assert_int_eq(ks_dist_begin(&e, &m), 0);
	ck_assert_ptr_eq(e.base[0], b_in);	/* adopted, not copied from m */
	ck_assert_float_eq(e.base[0][3], 99.0f);
	ck_assert_uint_eq(e.round, 2);
	ck_assert_uint_eq(ks_dist_words(&e, 250), 380);	/* 250 + the other's 130 */
	ks_dist_poll(&e, &m, 299);
	ck_assert_uint_eq(e.round, 2);
	ks_dist_poll(&e, &m, 300);
	ck_assert_uint_eq(e.round, 3);
	ks_dist_free(&e);
	ks_dist_free(&d);
}
END_TEST

/*
 * A checkpoint is put in place only when every rank wrote its file: one
 * rank's failure leaves every rank's previous file, and says which rank.
 */
START_TEST(test_dist_commit)
{
	struct fake_engine f = { { 0 }, 0, 0, 0, 0, 0.0f, 0, 0, 0, 0, 0 };
	struct ks_dist d;
	struct ks_outfile *of;
	struct ks_err err;
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/part.rank0", ks_test_tmpdir());
	ks_dist_init(&d, 0, 2, 100, 1);
	fake_attach(&d, &f);
	ck_assert_int_eq(ks_outfile_open_plain(&of, path, &err), KS_OK);
	fputs("first\n", ks_outfile_stream(of));
	ck_assert_int_eq(ks_outfile_finish(of, &err), KS_OK);
	ck_assert_int_eq(ks_dist_commit(&d, of, &err), KS_OK);
	ck_assert_int_eq(d.checkpointed, 1);
	/* Rank 1 failed: this rank's new file is dropped, the first one stays. */
	f.other_failed = 1;
	ck_assert_int_eq(ks_outfile_open_plain(&of, path, &err), KS_OK);
	fputs("second\n", ks_outfile_stream(of));
	ck_assert_int_eq(ks_outfile_finish(of, &err), KS_OK);
	ck_assert_int_eq(ks_dist_commit(&d, of, &err), KS_ERR_WRITE);
	ck_assert_int_eq(d.checkpointed, 0);
	ck_assert_msg(strstr(err.msg, "rank 1 could not write") != NULL, "%s", err.msg);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	{
		char line[16] = "";

		ck_assert_ptr_nonnull(fgets(line, sizeof(line), fp));
		ck_assert_str_eq(line, "first\n");
	}
	fclose(fp);
	/* This rank failed (no file): an error too, with the caller's message. */
	f.other_failed = 0;
	ck_assert_int_eq(ks_dist_commit(&d, NULL, &err), KS_ERR_WRITE);
	ck_assert_int_eq(d.checkpointed, 0);
	ks_dist_free(&d);
}
END_TEST

/* Files dealt out largest first to the lightest rank: every rank gets one, shares stay close. */
START_TEST(test_dist_assign_files)
{
	static const uint64_t bytes[] = { 10, 70, 30, 30, 0, 50, 20, 0 };
	static const int want[] = { 3, 0, 2, 3, 3, 1, 2, 3 };
	uint64_t load[4] = { 0 }, zeros[5] = { 0 };
	int owner[8], files[4] = { 0 }, i;
	double spread = -1;

	ck_assert_int_eq(ks_dist_assign_files(bytes, 8, 4, owner, &spread), 0);
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(owner[i], want[i]);
		load[owner[i]] += bytes[i];
		files[owner[i]]++;
	}
	/* 70 | 50 | 30 + 20 | 30 + 10 + 0 + 0: the largest share over the mean of 52.5. */
	ck_assert_uint_eq(load[0], 70);
	ck_assert_uint_eq(load[2], 50);
	ck_assert_uint_eq(load[3], 40);
	ck_assert_double_eq_tol(spread, 70.0 / 52.5, 1e-12);
	for (i = 0; i < 4; i++)
		ck_assert_int_ge(files[i], 1);
	/* Empty files still go one to each rank before any rank gets two. */
	ck_assert_int_eq(ks_dist_assign_files(zeros, 5, 4, owner, &spread), 0);
	ck_assert_int_eq(owner[0], 0);
	ck_assert_int_eq(owner[1], 1);
	ck_assert_int_eq(owner[2], 2);
	ck_assert_int_eq(owner[3], 3);
	ck_assert_int_eq(owner[4], 0);
	ck_assert_double_eq(spread, 0);
}
END_TEST

/*
 * A post office for threads playing ranks: a box per (sender, receiver)
 * and one broadcast slot, each holding a copy of what was sent.
 */
#define PO_RANKS 5
struct post_office {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned char *box[PO_RANKS][PO_RANKS];
	size_t len[PO_RANKS][PO_RANKS];
	unsigned char *bcast;
	size_t bcast_len;
	int bcast_set;
};

struct po_rank {
	struct post_office *po;
	int rank, size;
	const char *text;	/* this rank's part of the corpus */
	uint64_t min_count;
	struct ks_vocab *vocab;
	int rc;
	char msg[KS_ERR_MSG_MAX];
};

static unsigned char *
po_copy(const unsigned char *buf, size_t n)
{
	unsigned char *c = malloc(n > 0 ? n : 1);

	if (c != NULL && n > 0)
		memcpy(c, buf, n);
	return c;
}

static int
po_send(void *ctx, int to, const unsigned char *buf, size_t n)
{
	struct po_rank *r = ctx;
	struct post_office *po = r->po;

	pthread_mutex_lock(&po->lock);
	po->box[r->rank][to] = po_copy(buf, n);
	po->len[r->rank][to] = n;
	pthread_cond_broadcast(&po->cond);
	pthread_mutex_unlock(&po->lock);
	return 0;
}

static int
po_recv(void *ctx, int from, unsigned char **buf, size_t *n)
{
	struct po_rank *r = ctx;
	struct post_office *po = r->po;

	pthread_mutex_lock(&po->lock);
	while (po->box[from][r->rank] == NULL)
		pthread_cond_wait(&po->cond, &po->lock);
	*buf = po->box[from][r->rank];
	*n = po->len[from][r->rank];
	po->box[from][r->rank] = NULL;
	pthread_mutex_unlock(&po->lock);
	return 0;
}

static int
po_broadcast(void *ctx, unsigned char **buf, size_t *n)
{
	struct po_rank *r = ctx;
	struct post_office *po = r->po;

	pthread_mutex_lock(&po->lock);
	if (r->rank == 0) {
		po->bcast = po_copy(*buf, *n);
		po->bcast_len = *n;
		po->bcast_set = 1;
		pthread_cond_broadcast(&po->cond);
	} else {
		while (!po->bcast_set)
			pthread_cond_wait(&po->cond, &po->lock);
		*buf = po_copy(po->bcast, po->bcast_len);
		*n = po->bcast_len;
	}
	pthread_mutex_unlock(&po->lock);
	return 0;
}

/* Counts the space-separated words of text into v; KS_OK or the first failure. */
static int
count_text(struct ks_vocab *v, const char *text, struct ks_err *err)
{
	const char *p = text;
	uint32_t sid;
	int rc = KS_OK;

	while (*p != '\0' && rc == KS_OK) {
		size_t n = strcspn(p, " ");

		if (n > 0)
			rc = ks_vocab_add(v, p, n, &sid, err);
		p += n;
		p += *p == ' ';
	}
	return rc;
}

/* One rank: counts its part, merges with the others, finalizes. */
static void *
po_rank_main(void *arg)
{
	struct po_rank *r = arg;
	struct ks_dist d;
	struct ks_err err;

	ks_err_clear(&err);
	ks_dist_init(&d, r->rank, r->size, 1000, 1);
	d.ctx = r;
	d.send_bytes = po_send;
	d.recv_bytes = po_recv;
	d.broadcast_bytes = po_broadcast;
	d.split_files = 1;
	r->rc = ks_vocab_create(&r->vocab, 0, &err);
	if (r->rc == KS_OK)
		r->rc = count_text(r->vocab, r->text, &err);
	if (r->rc == KS_OK)
		r->rc = ks_dist_merge_vocab(&d, r->vocab, r->min_count, &err);
	if (r->rc == KS_OK)
		r->rc = ks_vocab_finalize(r->vocab, r->min_count, 0, &err);
	snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
	ks_dist_free(&d);
	return NULL;
}

/*
 * Ranks that count different parts (2, 3 and 5 of them: the tree's odd
 * shapes) all end with the vocabulary of the whole corpus counted at once,
 * words seen on one rank only and words under min-count on every rank but
 * over it in all included.
 */
START_TEST(test_dist_merge_vocab)
{
	static const char *const lines[] = {
		"the cat sat on the mat", "a dog and the cat", "on a hill the dog sat",
		"rare1 the the a", "a mat and a hat", "hat cat dog rare2",
		"the end", "and and and on", "sat sat cat"
	};
	enum { N_LINES = sizeof(lines) / sizeof(lines[0]) };
	static const int sizes[] = { 2, 3, 5 };
	char text[PO_RANKS][512], whole_text[1024] = "";
	struct ks_vocab *whole;
	struct ks_err err;
	size_t si, i;
	int r;

	for (i = 0; i < N_LINES; i++) {
		strcat(whole_text, lines[i]);
		strcat(whole_text, " ");
	}
	ck_assert_int_eq(ks_vocab_create(&whole, 0, &err), KS_OK);
	ck_assert_int_eq(count_text(whole, whole_text, &err), KS_OK);
	ck_assert_int_eq(ks_vocab_finalize(whole, 2, 0, &err), KS_OK);
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		struct post_office po;
		struct po_rank ranks[PO_RANKS];
		pthread_t th[PO_RANKS];
		int size = sizes[si];

		memset(&po, 0, sizeof(po));
		pthread_mutex_init(&po.lock, NULL);
		pthread_cond_init(&po.cond, NULL);
		for (r = 0; r < size; r++) {
			text[r][0] = '\0';
			for (i = (size_t)r; i < N_LINES; i += (size_t)size) {
				strcat(text[r], lines[i]);
				strcat(text[r], " ");
			}
			ranks[r] = (struct po_rank){ &po, r, size, text[r], 2, NULL, 0, "" };
			ck_assert_int_eq(pthread_create(&th[r], NULL, po_rank_main, &ranks[r]), 0);
		}
		for (r = 0; r < size; r++)
			ck_assert_int_eq(pthread_join(th[r], NULL), 0);
		for (r = 0; r < size; r++) {
			uint32_t id;

			ck_assert_msg(ranks[r].rc == KS_OK, "%d ranks, rank %d: %s", size, r,
				      ranks[r].msg);
			ck_assert_uint_eq(ks_vocab_size(ranks[r].vocab), ks_vocab_size(whole));
			for (id = 0; id < ks_vocab_size(whole); id++) {
				ck_assert_str_eq(ks_vocab_word(ranks[r].vocab, id),
						 ks_vocab_word(whole, id));
				ck_assert_uint_eq(ks_vocab_count(ranks[r].vocab, id),
						  ks_vocab_count(whole, id));
			}
			ck_assert_uint_eq(ks_vocab_corpus_total(ranks[r].vocab),
					  ks_vocab_total(whole));
			ks_vocab_destroy(ranks[r].vocab);
		}
		for (r = 0; r < PO_RANKS; r++)
			for (i = 0; i < PO_RANKS; i++)
				ck_assert_ptr_null(po.box[r][i]);
		free(po.bcast);
		pthread_cond_destroy(&po.cond);
		pthread_mutex_destroy(&po.lock);
	}
	/* "rare1" and "rare2" never reach min-count 2; "hat" does only summed. */
	ck_assert_uint_eq(ks_vocab_find(whole, "rare1", 5), KS_NO_WORD);
	ck_assert_uint_ne(ks_vocab_find(whole, "hat", 3), KS_NO_WORD);
	ks_vocab_destroy(whole);
}
END_TEST

Suite *
ks_suite_dist(void)
{
	Suite *s = suite_create("dist");
	TCase *tc = tcase_create("schedule");

	tcase_add_test(tc, test_dist_each_chunk_one_rank);
	tcase_add_test(tc, test_dist_chunks_balanced);
	tcase_add_test(tc, test_dist_sync_rows);
	tcase_add_test(tc, test_dist_poll_schedule);
	tcase_add_test(tc, test_dist_exchange_sums_deltas);
	tcase_add_test(tc, test_dist_damp);
	tcase_add_test(tc, test_dist_rates);
	tcase_add_test(tc, test_dist_damped_exchange);
	tcase_add_test(tc, test_dist_job_words);
	tcase_add_test(tc, test_dist_stop_agreed);
	tcase_add_test(tc, test_dist_checkpoint_due);
	tcase_add_test(tc, test_dist_state_round_trip);
	tcase_add_test(tc, test_dist_commit);
	tcase_add_test(tc, test_dist_assign_files);
	tcase_add_test(tc, test_dist_merge_vocab);
	suite_add_tcase(s, tc);
	return s;
}
