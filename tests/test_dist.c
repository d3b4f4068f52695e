/* The schedule of data-parallel training (dist.h): sharding and sync sizes. */
#include <check.h>

#include "dist.h"
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

	ck_assert_uint_eq(n, 2);
	counts[0] += f->other_done ? 1 : 0;
	counts[1] += f->other_words;
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

/* Rounds come at multiples of sync_words and exchange the scheduled rows of both matrices. */
START_TEST(test_dist_poll_schedule)
{
	struct fake_engine f = { { 0 }, 0, 0, 0, 0, 0.0f, 0, 1 };
	struct ks_dist d;
	float in[100 * 4] = { 0 }, out[100 * 4] = { 0 };
	struct ks_dist_model m = { in, out, NULL, 100, 0, 4 };

	ks_dist_init(&d, 0, 2, 1000, 10);
	fake_attach(&d, &f);
	ck_assert_int_eq(ks_dist_begin(&d, &m), 0);
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
	struct fake_engine f = { { 0 }, 0, 0, 0, 0, 0.5f, 0, 0 };
	struct ks_dist d;
	float in[8 * 2], out[8 * 2];
	struct ks_dist_model m = { in, out, NULL, 8, 0, 2 };
	size_t i;

	for (i = 0; i < 16; i++) {
		in[i] = (float)i;
		out[i] = -(float)i;
	}
	ks_dist_init(&d, 0, 2, 100, 2);
	fake_attach(&d, &f);
	ck_assert_int_eq(ks_dist_begin(&d, &m), 0);
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

/* The job's words: the last round's sum plus this rank's words since, times the ranks. */
START_TEST(test_dist_job_words)
{
	struct fake_engine f = { { 0 }, 0, 0, 0, 0, 0.0f, 1300, 0 };
	struct ks_dist d;
	float in[4] = { 0 }, out[4] = { 0 };
	struct ks_dist_model m = { in, out, NULL, 2, 0, 2 };

	ks_dist_init(&d, 0, 2, 1000, 1);
	fake_attach(&d, &f);
	ck_assert_int_eq(ks_dist_begin(&d, &m), 0);
	ck_assert_uint_eq(ks_dist_words(&d, 500), 1000);	/* no round yet: own x ranks */
	ks_dist_poll(&d, &m, 1200);	/* the other rank is at 1300 */
	ck_assert_uint_eq(ks_dist_words(&d, 1200), 2500);
	ck_assert_uint_eq(ks_dist_words(&d, 1300), 2700);
	ks_dist_free(&d);
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
	tcase_add_test(tc, test_dist_job_words);
	suite_add_tcase(s, tc);
	return s;
}
