/*
 * The schedule of data-parallel training (dist.h): which rank trains a
 * chunk and which rows a sync round averages. No engine here.
 */
#include "dist.h"

void
ks_dist_init(struct ks_dist *d, int rank, int size, uint64_t sync_words, size_t sync_rows)
{
	d->rank = rank;
	d->size = size;
	d->sync_words = sync_words > 0 ? sync_words : 1;
	d->sync_rows = sync_rows > 0 ? sync_rows : 1;
	d->round = 0;
	d->next_sync = d->sync_words;
	pthread_mutex_init(&d->lock, NULL);
}

void
ks_dist_free(struct ks_dist *d)
{
	if (d != NULL)
		pthread_mutex_destroy(&d->lock);
}

int
ks_dist_chunk_mine(uint64_t epoch, uint64_t batch, uint64_t chunk, int rank, int size)
{
	if (size <= 1)
		return 1;
	/* Each term reduced first, so the sum cannot wrap. */
	return (epoch % (uint64_t)size + batch % (uint64_t)size + chunk % (uint64_t)size) %
	       (uint64_t)size == (uint64_t)rank;
}

size_t
ks_dist_sync_rows(uint64_t round, size_t base, size_t n_rows)
{
	size_t rows = base;

	while (round > 0 && (round & 1) == 0 && rows < n_rows) {
		rows = rows > n_rows / 2 ? n_rows : rows * 2;
		round >>= 1;
	}
	return rows < n_rows ? rows : n_rows;
}

/* One round: the done flags, then the scheduled rows of each matrix. */
static int
dist_round(struct ks_dist *d, const struct ks_dist_model *m, int done)
{
	size_t rows;
	int all;

	d->round++;
	all = d->all_done(d->ctx, done);
	if (all)
		return 1;
	rows = ks_dist_sync_rows(d->round, d->sync_rows, m->n_rows);
	d->average(d->ctx, m->in_vecs, rows * m->stride);
	d->average(d->ctx, m->out_vecs, rows * m->stride);
	if (m->hs_vecs != NULL && rows == m->n_rows)
		d->average(d->ctx, m->hs_vecs, m->n_hs * m->stride);
	return 0;
}

void
ks_dist_poll(struct ks_dist *d, const struct ks_dist_model *m, uint64_t words)
{
	if (pthread_mutex_trylock(&d->lock) != 0)
		return;
	while (words >= d->next_sync) {
		d->next_sync += d->sync_words;
		(void)dist_round(d, m, 0);
	}
	pthread_mutex_unlock(&d->lock);
}

uint64_t
ks_dist_checksum(uint64_t h, const float *m, size_t cells)
{
	const unsigned char *p = (const unsigned char *)m;
	size_t i, n = cells * sizeof(float);

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

int
ks_dist_finish(struct ks_dist *d, const struct ks_dist_model *m)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int same;

	pthread_mutex_lock(&d->lock);
	while (!dist_round(d, m, 1))
		;
	d->average(d->ctx, m->in_vecs, m->n_rows * m->stride);
	d->average(d->ctx, m->out_vecs, m->n_rows * m->stride);
	if (m->hs_vecs != NULL)
		d->average(d->ctx, m->hs_vecs, m->n_hs * m->stride);
	d->broadcast(d->ctx, m->in_vecs, m->n_rows * m->stride);
	d->broadcast(d->ctx, m->out_vecs, m->n_rows * m->stride);
	if (m->hs_vecs != NULL)
		d->broadcast(d->ctx, m->hs_vecs, m->n_hs * m->stride);
	h = ks_dist_checksum(h, m->in_vecs, m->n_rows * m->stride);
	h = ks_dist_checksum(h, m->out_vecs, m->n_rows * m->stride);
	if (m->hs_vecs != NULL)
		h = ks_dist_checksum(h, m->hs_vecs, m->n_hs * m->stride);
	same = d->agree(d->ctx, h);
	pthread_mutex_unlock(&d->lock);
	return same ? 0 : -1;
}
