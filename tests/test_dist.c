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

/* A one-rank engine that records what the schedule asks of it. */
struct fake_engine {
	size_t averaged[16];	/* cells of each average call */
	size_t n_avg, n_bcast, n_done, n_agree;
};

static void
fake_average(void *ctx, float *m, size_t cells)
{
	struct fake_engine *f = ctx;

	(void)m;
	if (f->n_avg < 16)
		f->averaged[f->n_avg] = cells;
	f->n_avg++;
}

static int
fake_all_done(void *ctx, int done)
{
	((struct fake_engine *)ctx)->n_done++;
	return done;
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

/* Rounds come at multiples of sync_words and average the scheduled rows of both matrices. */
START_TEST(test_dist_poll_schedule)
{
	struct fake_engine f = { { 0 }, 0, 0, 0, 0 };
	struct ks_dist d;
	float in[100 * 4], out[100 * 4];
	struct ks_dist_model m = { in, out, NULL, 100, 0, 4 };

	ks_dist_init(&d, 0, 1, 1000, 10);
	d.ctx = &f;
	d.average = fake_average;
	d.all_done = fake_all_done;
	d.broadcast = fake_broadcast;
	d.agree = fake_agree;
	ks_dist_poll(&d, &m, 999);
	ck_assert_uint_eq(f.n_avg, 0);
	ks_dist_poll(&d, &m, 2500);	/* rounds 1 and 2 */
	ck_assert_uint_eq(d.round, 2);
	ck_assert_uint_eq(f.n_avg, 4);
	ck_assert_uint_eq(f.averaged[0], 10 * 4);
	ck_assert_uint_eq(f.averaged[1], 10 * 4);
	ck_assert_uint_eq(f.averaged[2], 20 * 4);
	ck_assert_uint_eq(f.averaged[3], 20 * 4);
	ks_dist_poll(&d, &m, 2999);	/* round 3 not yet due */
	ck_assert_uint_eq(d.round, 2);
	/* Done: one round finds everyone done, then the whole model is averaged and broadcast. */
	ck_assert_int_eq(ks_dist_finish(&d, &m), 0);
	ck_assert_uint_eq(d.round, 3);
	ck_assert_uint_eq(f.n_avg, 6);
	ck_assert_uint_eq(f.averaged[4], 100 * 4);
	ck_assert_uint_eq(f.averaged[5], 100 * 4);
	ck_assert_uint_eq(f.n_bcast, 2);
	ck_assert_uint_eq(f.n_agree, 1);
	ck_assert_uint_eq(f.n_done, 3);
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
	suite_add_tcase(s, tc);
	return s;
}
