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

Suite *
ks_suite_dist(void)
{
	Suite *s = suite_create("dist");
	TCase *tc = tcase_create("schedule");

	tcase_add_test(tc, test_dist_each_chunk_one_rank);
	tcase_add_test(tc, test_dist_chunks_balanced);
	tcase_add_test(tc, test_dist_sync_rows);
	suite_add_tcase(s, tc);
	return s;
}
