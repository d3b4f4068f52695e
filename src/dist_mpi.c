/*
 * The Open MPI engine behind dist.h: the collectives of a sync round over
 * MPI_COMM_WORLD. Only kensho-mpi links it.
 *
 * An average copies the rows, sums the copies over the ranks
 * (MPI_Allreduce) and adds (sum / size - copy) to the live rows, so an
 * update another worker thread of this rank made during the exchange is
 * kept rather than overwritten (with -threads 1 the worker waits in the
 * round and the rows become the plain average).
 */
#include "dist_mpi.h"

#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

struct dist_mpi {
	float *copy, *sum;
	size_t cap;
	int size;
};

/* MPI counts are int: long matrices go in pieces of at most this many floats. */
#define DIST_MPI_PIECE ((size_t)1 << 28)

static void
dist_mpi_average(void *ctx, float *m, size_t cells)
{
	struct dist_mpi *dm = ctx;
	float scale = 1.0f / (float)dm->size;
	size_t off, i;

	for (off = 0; off < cells; off += DIST_MPI_PIECE) {
		size_t n = cells - off < DIST_MPI_PIECE ? cells - off : DIST_MPI_PIECE;

		if (n > dm->cap) {
			free(dm->copy);
			free(dm->sum);
			dm->copy = ks_malloc_array(n, sizeof(float));
			dm->sum = ks_malloc_array(n, sizeof(float));
			if (dm->copy == NULL || dm->sum == NULL)
				MPI_Abort(MPI_COMM_WORLD, 1);
			dm->cap = n;
		}
		memcpy(dm->copy, m + off, n * sizeof(float));
		MPI_Allreduce(dm->copy, dm->sum, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
		for (i = 0; i < n; i++)
			m[off + i] += dm->sum[i] * scale - dm->copy[i];
	}
}

static int
dist_mpi_all_done(void *ctx, int done)
{
	int all = 0;

	(void)ctx;
	MPI_Allreduce(&done, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	return all != 0;
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
	struct dist_mpi *dm = calloc(1, sizeof(*dm));
	int rank = 0, size = 1;

	if (dm == NULL)
		return -1;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	dm->size = size;
	ks_dist_init(d, rank, size, sync_words, sync_rows);
	d->ctx = dm;
	d->average = dist_mpi_average;
	d->all_done = dist_mpi_all_done;
	d->broadcast = dist_mpi_broadcast;
	d->agree = dist_mpi_agree;
	return 0;
}

void
ks_dist_mpi_free(struct ks_dist *d)
{
	struct dist_mpi *dm = d != NULL ? d->ctx : NULL;

	if (dm != NULL) {
		free(dm->copy);
		free(dm->sum);
		free(dm);
		d->ctx = NULL;
	}
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
