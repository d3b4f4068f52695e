/*
 * The schedule of data-parallel training (dist.h): which rank trains a
 * chunk, which rows a sync round exchanges, and the exchange itself (the
 * deltas against the bases, summed by the engine). No engine here.
 */
#include "dist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "outfile.h"
#include "sampler.h"
#include "status.h"

void
ks_dist_init(struct ks_dist *d, int rank, int size, uint64_t sync_words, size_t sync_rows)
{
	/* The engine's callbacks start NULL: the engine sets those it has. */
	*d = (struct ks_dist){
		.rank = rank,
		.size = size,
		.sync_words = sync_words > 0 ? sync_words : 1,
		.sync_rows = sync_rows > 0 ? sync_rows : 1,
	};
	d->next_sync = d->sync_words;
	atomic_init(&d->words_offset, 0);
	atomic_init(&d->want_stop, 0);
	atomic_init(&d->want_ckpt, 0);
	atomic_init(&d->stopping, 0);
	atomic_init(&d->ckpt_due, 0);
	pthread_mutex_init(&d->lock, NULL);
}

void
ks_dist_free(struct ks_dist *d)
{
	if (d == NULL)
		return;
	free(d->base[0]);
	free(d->base[1]);
	free(d->base[2]);
	free(d->delta);
	free(d->total);
	free(d->common);
	free(d->common_acc);
	free(d->factor);
	d->base[0] = d->base[1] = d->base[2] = d->delta = d->total = d->common = NULL;
	d->factor = NULL;
	d->common_acc = NULL;
	pthread_mutex_destroy(&d->lock);
}

/* A copy of cells floats of m, or NULL out of memory. */
static float *
dist_copy(const float *m, size_t cells)
{
	float *c = ks_malloc_array(cells > 0 ? cells : 1, sizeof(float));

	if (c != NULL && cells > 0)
		memcpy(c, m, cells * sizeof(float));
	return c;
}

/* Whether the rounds damp m's sums: 3 or more ranks, damping > 0 and the rates given. */
static int
dist_damps(const struct ks_dist *d, const struct ks_dist_model *m)
{
	return d->size > 2 && d->damping > 0 && m->rate_in != NULL && m->rate_out != NULL;
}

int
ks_dist_begin(struct ks_dist *d, const struct ks_dist_model *m)
{
	size_t cells = m->n_rows * m->stride;

	/* Resumed (ks_dist_set_state): the bases are the checkpoint's. */
	if (d->base[0] == NULL)
		d->base[0] = dist_copy(m->in_vecs, cells);
	if (d->base[1] == NULL)
		d->base[1] = dist_copy(m->out_vecs, cells);
	if (m->hs_vecs != NULL && d->base[2] == NULL)
		d->base[2] = dist_copy(m->hs_vecs, m->n_hs * m->stride);
	d->delta = ks_malloc_array(KS_DIST_PIECE, sizeof(float));
	d->total = ks_malloc_array(KS_DIST_PIECE, sizeof(float));
	d->common = ks_malloc_array(m->stride, sizeof(float));
	d->common_acc = ks_malloc_array(m->stride, sizeof(double));
	if (m->stride > KS_DIST_PIECE || d->common == NULL || d->common_acc == NULL)
		return -1;
	if (dist_damps(d, m) && (d->factor = ks_malloc_array(m->n_rows, sizeof(float))) == NULL)
		return -1;
	if (d->base[0] == NULL || d->base[1] == NULL || d->delta == NULL || d->total == NULL ||
	    (m->hs_vecs != NULL && d->base[2] == NULL))
		return -1;
	return 0;
}

uint64_t
ks_dist_words(struct ks_dist *d, uint64_t own)
{
	int64_t words = (int64_t)(own * (uint64_t)d->size) +
			atomic_load_explicit(&d->words_offset, memory_order_relaxed);

	return words > 0 ? (uint64_t)words : 0;
}

/* qsort order of ks_dist_assign_files: larger first, then earlier. */
struct dist_file {
	uint64_t bytes;
	size_t index;
};

static int
dist_file_cmp(const void *pa, const void *pb)
{
	const struct dist_file *a = pa, *b = pb;

	if (a->bytes != b->bytes)
		return a->bytes < b->bytes ? 1 : -1;
	return (a->index > b->index) - (a->index < b->index);
}

int
ks_dist_assign_files(const uint64_t *bytes, size_t n, int size, int *owner, double *spread)
{
	struct dist_file *order = ks_malloc_array(n > 0 ? n : 1, sizeof(*order));
	uint64_t *load = ks_calloc_array(size > 0 ? (size_t)size : 1, sizeof(*load));
	size_t *files = ks_calloc_array(size > 0 ? (size_t)size : 1, sizeof(*files));
	uint64_t total = 0, most = 0;
	size_t i;
	int r;

	if (order == NULL || load == NULL || files == NULL) {
		free(order);
		free(load);
		free(files);
		return -1;
	}
	for (i = 0; i < n; i++)
		order[i] = (struct dist_file){ bytes[i], i };
	qsort(order, n, sizeof(*order), dist_file_cmp);
	for (i = 0; i < n; i++) {
		int best = 0;

		/* Ties on bytes go to the rank with fewer files: each gets one while it can. */
		for (r = 1; r < size; r++)
			if (load[r] < load[best] || (load[r] == load[best] && files[r] < files[best]))
				best = r;
		owner[order[i].index] = best;
		load[best] += order[i].bytes;
		files[best]++;
		total += order[i].bytes;
	}
	for (r = 0; r < size; r++)
		if (load[r] > most)
			most = load[r];
	free(order);
	free(load);
	free(files);
	*spread = total > 0 ? (double)most * (double)size / (double)total : 0;
	return 0;
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

double
ks_dist_damp(double c, double k, int n)
{
	double l, f;

	if (n <= 2 || !(c > 0) || !(k > 0))
		return 1;
	l = log1p(-(c < 0.999 ? c : 0.999));
	/* -expm1(x * l) is 1 - (1 - c)^x without the cancellation for small c * x. */
	f = -expm1((double)n * k * l) / ((double)n * -expm1(k * l));
	return f < 1 ? f : 1;
}

void
ks_dist_rates(const uint64_t *counts, size_t n, uint64_t total, double sample,
	      double exponent, long negative, long window, int cbow, float *rate_in,
	      float *rate_out)
{
	double q_sum = 0, trained = 0, pairs = cbow ? 1 : (double)window + 1;
	size_t i;

	for (i = 0; i < n; i++) {
		q_sum += pow((double)counts[i], exponent);
		trained += (double)counts[i] / (double)total *
			   ks_subsample_keep_prob(counts[i], total, sample);
	}
	for (i = 0; i < n; i++) {
		double f = (double)counts[i] / (double)total *
			   ks_subsample_keep_prob(counts[i], total, sample);
		double q = q_sum > 0 ? pow((double)counts[i], exponent) / q_sum : 0;

		rate_in[i] = (float)(pairs * f);
		rate_out[i] = (float)(pairs * (f + (double)negative * q * trained));
	}
}

/* Rounds between two exchanges of a row: 1 for the first sync_rows, doubling after. */
static uint64_t
dist_row_period(const struct ks_dist *d, size_t row)
{
	uint64_t period = 1;
	size_t rows = d->sync_rows;

	while (row >= rows && rows < SIZE_MAX / 2) {
		rows *= 2;
		period *= 2;
	}
	return period;
}

/* A row's damping factor: its rate times the words a rank trained since its exchange. */
static float
dist_row_factor(const struct ks_dist *d, const float *rate, size_t row)
{
	double k = (double)rate[row] * (double)dist_row_period(d, row) * (double)d->sync_words;

	return (float)ks_dist_damp(d->alpha_now * d->damping, k, d->size);
}

/*
 * Scales the sum total of cells first..first+n of a matrix with stride
 * floats a row by each row's factor, as dist_common left them.
 */
static void
dist_damp(struct ks_dist *d, size_t stride, size_t first, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t row = (first + i) / stride, end = (row + 1) * stride - first;
		float f = d->factor[row];

		if (end > n)
			end = n;
		if (f < 1)
			for (; i < end; i++)
				d->total[i] *= f;
		i = end;
	}
}

/*
 * The first rows rows' factors, from rate, into d->factor (dist_damp's),
 * and their common move, averaged over the ranks instead of summed: the
 * mean over those rows of the damped sums, which every rank gets as the
 * sum over the ranks of its own mean of damped changes (the damping is
 * linear and the same on every rank), times (N - 1) / N, into d->common:
 * dist_exchange takes it off every row's sum.
 */
static void
dist_common(struct ks_dist *d, const float *m, const float *base, size_t rows, size_t stride,
	    const float *rate)
{
	double *acc = d->common_acc;
	size_t r, j;

	for (j = 0; j < stride; j++)
		acc[j] = 0;
	for (r = 0; r < rows; r++) {
		double f = d->factor[r] = dist_row_factor(d, rate, r);
		const float *lv = m + r * stride, *bv = base + r * stride;

		for (j = 0; j < stride; j++)
			acc[j] += f * (double)(lv[j] - bv[j]);
	}
	for (j = 0; j < stride; j++)
		d->delta[j] = rows > 0 ? (float)(acc[j] / (double)rows) : 0;
	d->sum(d->ctx, d->delta, d->common, stride);
	for (j = 0; j < stride; j++)
		d->common[j] *= (float)(d->size - 1) / (float)d->size;
}

/*
 * Exchanges the first cells floats of the live rows m against their base:
 * each rank's delta (m - base) is summed over the ranks, the sum added to
 * the base, and the other ranks' part of it (sum - own delta) to the live
 * rows, so an update another worker thread of this rank made during the
 * exchange is kept for the next round. Once the workers are joined
 * (joined != 0) the live rows become the new base exactly.
 */
static void
dist_exchange(struct ks_dist *d, float *m, float *base, size_t cells, const float *rate,
	      size_t stride, int joined)
{
	size_t off, i;

	if (rate != NULL)
		dist_common(d, m, base, cells / stride, stride, rate);
	for (off = 0; off < cells; off += KS_DIST_PIECE) {
		size_t n = cells - off < KS_DIST_PIECE ? cells - off : KS_DIST_PIECE;
		float *live = m + off, *b = base + off;

		for (i = 0; i < n; i++)
			d->delta[i] = live[i] - b[i];
		d->sum(d->ctx, d->delta, d->total, n);
		if (rate != NULL) {
			dist_damp(d, stride, off, n);
			for (i = 0; i < n; i++)
				d->total[i] -= d->common[(off + i) % stride];
		}
		for (i = 0; i < n; i++) {
			b[i] += d->total[i];
			live[i] = joined ? b[i] : live[i] + (d->total[i] - d->delta[i]);
		}
	}
}

/* Exchanges the first rows rows of both matrices, and the inner nodes with all rows. */
static void
dist_exchange_rows(struct ks_dist *d, const struct ks_dist_model *m, size_t rows, int joined)
{
	int damp = dist_damps(d, m);

	dist_exchange(d, m->in_vecs, d->base[0], rows * m->stride, damp ? m->rate_in : NULL,
		      m->stride, joined);
	dist_exchange(d, m->out_vecs, d->base[1], rows * m->stride, damp ? m->rate_out : NULL,
		      m->stride, joined);
	if (m->hs_vecs != NULL && rows == m->n_rows)
		dist_exchange(d, m->hs_vecs, d->base[2], m->n_hs * m->stride, NULL, m->stride,
			      joined);
}

/*
 * One round: the done flags, word counts and requests, then the scheduled
 * rows. Returns 1 when every rank was done (and exchanges nothing: a stop
 * asked then is moot, the job ends anyway).
 */
static int
dist_round(struct ks_dist *d, const struct ks_dist_model *m, int done, uint64_t words)
{
	uint64_t counts[4] = { done != 0, words, atomic_load(&d->want_stop) != 0,
			       atomic_load(&d->want_ckpt) != 0 };

	d->round++;
	d->sum_counts(d->ctx, counts, 4);
	atomic_store_explicit(&d->words_offset,
			      (int64_t)counts[1] - (int64_t)(words * (uint64_t)d->size),
			      memory_order_relaxed);
	if (counts[0] == (uint64_t)d->size)
		return 1;
	/* The job's count is the same on every rank, so is the rate and every factor. */
	d->alpha_now = m->alpha != NULL ? (double)m->alpha(m->alpha_ctx, counts[1]) : 0;
	/* A stop writes a checkpoint anyway: one asked beside it waits for the resumed job. */
	if (counts[2] > 0)
		atomic_store(&d->stopping, 1);
	else if (counts[3] > 0) {
		atomic_store(&d->want_ckpt, 0);
		atomic_store(&d->ckpt_due, 1);
	}
	dist_exchange_rows(d, m, ks_dist_sync_rows(d->round, d->sync_rows, m->n_rows), 0);
	return 0;
}

void
ks_dist_poll(struct ks_dist *d, const struct ks_dist_model *m, uint64_t words)
{
	if (pthread_mutex_trylock(&d->lock) != 0)
		return;
	/* After a stop or while a checkpoint is due, no rank enters another round. */
	while (words >= d->next_sync && !atomic_load(&d->stopping) && !atomic_load(&d->ckpt_due)) {
		d->next_sync += d->sync_words;
		(void)dist_round(d, m, 0, words);
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
ks_dist_finish(struct ks_dist *d, const struct ks_dist_model *m, uint64_t words)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int same;

	pthread_mutex_lock(&d->lock);
	/* No poll enters a round from now on, not even one of a run resumed from here. */
	d->next_sync = UINT64_MAX;
	for (;;) {
		if (atomic_load(&d->stopping) || atomic_load(&d->ckpt_due)) {
			int why = atomic_load(&d->stopping) ? KS_DIST_STOPPED : KS_DIST_CHECKPOINT;

			pthread_mutex_unlock(&d->lock);
			return why;
		}
		if (dist_round(d, m, 1, words))
			break;
	}
	dist_exchange_rows(d, m, m->n_rows, 1);
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
	return same ? KS_DIST_FINISHED : -1;
}

void
ks_dist_get_state(struct ks_dist *d, struct ks_dist_state *s)
{
	pthread_mutex_lock(&d->lock);
	s->round = d->round;
	s->next_sync = d->next_sync;
	s->words_offset = atomic_load(&d->words_offset);
	s->base[0] = d->base[0];
	s->base[1] = d->base[1];
	s->base[2] = d->base[2];
	pthread_mutex_unlock(&d->lock);
}

void
ks_dist_set_state(struct ks_dist *d, const struct ks_dist_state *s)
{
	int i;

	pthread_mutex_lock(&d->lock);
	d->round = s->round;
	d->next_sync = s->next_sync;
	atomic_store(&d->words_offset, s->words_offset);
	for (i = 0; i < 3; i++) {
		free(d->base[i]);
		d->base[i] = s->base[i];
	}
	pthread_mutex_unlock(&d->lock);
}

int
ks_dist_same(struct ks_dist *d, uint64_t value)
{
	int same;

	pthread_mutex_lock(&d->lock);
	same = d->agree(d->ctx, value);
	pthread_mutex_unlock(&d->lock);
	return same;
}

/*
 * Sums a flag over the ranks (this rank's is failed) and names in who the
 * rank that raised it ("rank 3") or how many did ("2 ranks"). Returns how
 * many did.
 */
static uint64_t
dist_failed_ranks(struct ks_dist *d, int failed, char *who, size_t size)
{
	uint64_t counts[2] = { failed != 0, failed != 0 ? (uint64_t)d->rank + 1 : 0 };

	pthread_mutex_lock(&d->lock);
	d->sum_counts(d->ctx, counts, 2);
	pthread_mutex_unlock(&d->lock);
	if (counts[0] == 1)
		snprintf(who, size, "rank %llu", (unsigned long long)counts[1] - 1);
	else
		snprintf(who, size, "%llu ranks", (unsigned long long)counts[0]);
	return counts[0];
}

int
ks_dist_commit(struct ks_dist *d, struct ks_outfile *of, struct ks_err *err)
{
	struct ks_err cerr;
	char who[48];
	uint64_t failed;

	d->checkpointed = 0;
	/* Nothing is renamed until every rank has its file written and synced. */
	failed = dist_failed_ranks(d, of == NULL, who, sizeof(who));
	if (of == NULL)
		return KS_ERR_WRITE;	/* the caller's message says why */
	if (failed > 0) {
		ks_outfile_abort(of);
		return ks_err_set(err, KS_ERR_WRITE, "%s could not write %s checkpoint file, so no "
				  "rank replaced its previous one", who, failed > 1 ? "their" : "its");
	}
	ks_err_clear(&cerr);
	failed = dist_failed_ranks(d, ks_outfile_commit(of, &cerr) != KS_OK, who, sizeof(who));
	if (cerr.status != KS_OK) {
		*err = cerr;
		return cerr.status;
	}
	if (failed > 0)
		return ks_err_set(err, KS_ERR_WRITE, "%s could not put %s checkpoint file in place: "
				  "the ranks' files are from different points now", who,
				  failed > 1 ? "their" : "its");
	d->checkpointed = 1;
	return KS_OK;
}

void
ks_dist_ckpt_done(struct ks_dist *d)
{
	atomic_store(&d->ckpt_due, 0);
}
