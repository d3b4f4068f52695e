/*
 * The Open MPI engine behind dist.h: the collectives of a sync round over
 * MPI_COMM_WORLD (the deltas and the word counts summed with
 * MPI_Allreduce, rank 0's model broadcast at the end). Only kensho-mpi
 * links it.
 */
#include "dist_mpi.h"

#include <mpi.h>
#include <stdlib.h>

/* MPI counts are int: long matrices go in pieces of at most this many floats. */
#define DIST_MPI_PIECE ((size_t)1 << 28)

static void
dist_mpi_sum(void *ctx, const float *in, float *out, size_t cells)
{
	(void)ctx;
	/* dist.c sends at most KS_DIST_PIECE floats, far below INT_MAX. */
	MPI_Allreduce(in, out, (int)cells, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

static void
dist_mpi_sum_counts(void *ctx, uint64_t *counts, size_t n)
{
	unsigned long long in[4] = { 0 }, out[4] = { 0 };
	size_t i, k = n < 4 ? n : 4;	/* dist.c sends 2 */

	(void)ctx;
	for (i = 0; i < k; i++)
		in[i] = counts[i];
	MPI_Allreduce(in, out, (int)k, MPI_UNSIGNED_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
	for (i = 0; i < k; i++)
		counts[i] = out[i];
}

static void
dist_mpi_broadcast(void *ctx, float *m, size_t cells)
{
	size_t off;

	(void)ctx;
	for (off = 0; off < cells; off += DIST_MPI_PIECE) {
		size_t n = cells - off < DIST_MPI_PIECE ? cells - off : DIST_MPI_PIECE;

		MPI_Bcast(m + off, (int)n, MPI_FLOAT, 0, MPI_COMM_WORLD);
	}
}

static int
dist_mpi_agree(void *ctx, uint64_t hash)
{
	(void)ctx;
	return !ks_dist_mpi_settings_differ(hash);
}

int
ks_dist_mpi_init(struct ks_dist *d, uint64_t sync_words, size_t sync_rows)
{
	int rank = 0, size = 1;

	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	ks_dist_init(d, rank, size, sync_words, sync_rows);
	d->ctx = NULL;
	d->sum = dist_mpi_sum;
	d->sum_counts = dist_mpi_sum_counts;
	d->broadcast = dist_mpi_broadcast;
	d->agree = dist_mpi_agree;
	return 0;
}

void
ks_dist_mpi_free(struct ks_dist *d)
{
	ks_dist_free(d);
}

uint64_t
ks_dist_mpi_settings_differ(uint64_t hash)
{
	unsigned long long mine = hash, lo = 0, hi = 0;

	MPI_Allreduce(&mine, &lo, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
	MPI_Allreduce(&mine, &hi, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
	return lo != hi;
}
