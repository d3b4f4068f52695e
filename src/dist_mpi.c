/*
 * The Open MPI engine behind dist.h: the collectives of a sync round over
 * MPI_COMM_WORLD (the deltas and the word counts summed with
 * MPI_Allreduce, rank 0's model broadcast at the end) and the byte
 * strings of the sharded counting (point to point, then a broadcast).
 * Only kensho-mpi links it.
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
	unsigned long long in[4], out[4];	/* a round sends 4 counters, the others fewer */
	size_t off, i, k;

	(void)ctx;
	for (off = 0; off < n; off += k) {
		k = n - off < 4 ? n - off : 4;
		for (i = 0; i < k; i++)
			in[i] = counts[off + i];
		MPI_Allreduce(in, out, (int)k, MPI_UNSIGNED_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
		for (i = 0; i < k; i++)
			counts[off + i] = out[i];
	}
}

/* Byte strings go in pieces of at most this many bytes, after their length. */
#define DIST_MPI_BYTES ((size_t)1 << 30)
#define DIST_MPI_TAG_LEN 1
#define DIST_MPI_TAG_DATA 2

/* What dist_mpi_pieces does with each piece. */
enum dist_mpi_op { DIST_MPI_SEND, DIST_MPI_RECV, DIST_MPI_BCAST };

/*
 * Sends from out, or receives or broadcasts (from rank 0) at in, n elements
 * of type (each size bytes), in pieces of at most piece elements: MPI counts
 * are int. peer is the other rank of a send or receive; the pointer the op
 * does not use may be NULL.
 */
static void
dist_mpi_pieces(const void *out, void *in, size_t n, MPI_Datatype type, size_t size,
		size_t piece, enum dist_mpi_op op, int peer)
{
	size_t off;

	for (off = 0; off < n; off += piece) {
		int k = (int)(n - off < piece ? n - off : piece);

		if (op == DIST_MPI_SEND)
			MPI_Send((const unsigned char *)out + off * size, k, type, peer,
				 DIST_MPI_TAG_DATA, MPI_COMM_WORLD);
		else if (op == DIST_MPI_RECV)
			MPI_Recv((unsigned char *)in + off * size, k, type, peer, DIST_MPI_TAG_DATA,
				 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		else
			MPI_Bcast((unsigned char *)in + off * size, k, type, 0, MPI_COMM_WORLD);
	}
}

static void
dist_mpi_broadcast(void *ctx, float *m, size_t cells)
{
	(void)ctx;
	dist_mpi_pieces(NULL, m, cells, MPI_FLOAT, sizeof(float), DIST_MPI_PIECE, DIST_MPI_BCAST, 0);
}

static int
dist_mpi_send_bytes(void *ctx, int to, const unsigned char *buf, size_t n)
{
	unsigned long long len = n;

	(void)ctx;
	MPI_Send(&len, 1, MPI_UNSIGNED_LONG_LONG, to, DIST_MPI_TAG_LEN, MPI_COMM_WORLD);
	dist_mpi_pieces(buf, NULL, n, MPI_BYTE, 1, DIST_MPI_BYTES, DIST_MPI_SEND, to);
	return 0;
}

/* Receives n bytes into a new buffer: from rank from, or (bcast) rank 0's broadcast. */
static int
dist_mpi_recv_into(int from, unsigned char **buf, size_t n, int bcast)
{
	*buf = malloc(n > 0 ? n : 1);
	if (*buf == NULL)
		return -1;
	dist_mpi_pieces(NULL, *buf, n, MPI_BYTE, 1, DIST_MPI_BYTES,
			bcast ? DIST_MPI_BCAST : DIST_MPI_RECV, from);
	return 0;
}

static int
dist_mpi_recv_bytes(void *ctx, int from, unsigned char **buf, size_t *n)
{
	unsigned long long len = 0;

	(void)ctx;
	MPI_Recv(&len, 1, MPI_UNSIGNED_LONG_LONG, from, DIST_MPI_TAG_LEN, MPI_COMM_WORLD,
		 MPI_STATUS_IGNORE);
	*n = (size_t)len;
	return dist_mpi_recv_into(from, buf, *n, 0);
}

static int
dist_mpi_broadcast_bytes(void *ctx, unsigned char **buf, size_t *n)
{
	unsigned long long len = *n;
	int rank = 0;

	(void)ctx;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Bcast(&len, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
	if (rank != 0) {
		*n = (size_t)len;
		/*
		 * A rank out of memory here returns -1 and its caller aborts the
		 * job (kensho-mpi), so rank 0 is not left waiting in the pieces.
		 */
		return dist_mpi_recv_into(0, buf, *n, 1);
	}
	dist_mpi_pieces(NULL, *buf, *n, MPI_BYTE, 1, DIST_MPI_BYTES, DIST_MPI_BCAST, 0);
	return 0;
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
	d->send_bytes = dist_mpi_send_bytes;
	d->recv_bytes = dist_mpi_recv_bytes;
	d->broadcast_bytes = dist_mpi_broadcast_bytes;
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
