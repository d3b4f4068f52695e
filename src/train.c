/*
 * Training: the schedule, the worker threads and progress reports.
 *
 * The calling thread loads the stream, starts cfg->threads workers and
 * then wakes once a second to report progress until they finish. Each
 * worker owns its random generator (seeded from -seed and its index),
 * scratch rows, counters and status; the main thread checks every status
 * after joining. Workers publish their word counts to one atomic counter in
 * batches of about TRAIN_PUBLISH_WORDS words and derive the learning rate
 * from the global count, so the rate decays linearly from -alpha to
 * alpha * 1e-4 over all epochs whatever the number of threads. The
 * embedding rows themselves are updated without locks (kernels.c).
 * Checkpoints (stops, pauses, writing and resuming) are train_ckpt.c's;
 * the state both files share is train_impl.h's.
 */
#include "train.h"
#include "train_impl.h"

#include <math.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpoint.h"
#include "classes.h"
#include "corpus.h"
#include "dist.h"
#include "dist_vocab.h"
#include "huffman.h"
#include "kernels.h"
#include "losslog.h"
#include "mem.h"
#include "model.h"
#include "outfile.h"
#include "paths.h"
#include "positions.h"
#include "sampler.h"
#include "stream.h"
#include "vecfile.h"
#include "vocab.h"

#define TRAIN_PUBLISH_WORDS 10000
/*
 * How many examples ahead of use their random choices are drawn and their
 * rows prefetched: two trained CBOW 2-34% faster than one on two threads
 * (six paired runs on wiki100m), three no faster than two.
 */
#define TRAIN_AHEAD 2
#define TRAIN_MIN_ALPHA_FRACTION 1e-4
/* The random stream used to initialise the input vectors. */
#define TRAIN_INIT_STREAM 0xffffffffull
/* The plural ending for a count of n. */
#define PLURAL(n) ((n) == 1 ? "" : "s")

double
train_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The words the whole job has trained: this process's, or under dist all ranks'. */
uint64_t
train_job_words(const struct train *t, uint64_t own)
{
	return t->cfg->dist != NULL ? ks_dist_words(t->cfg->dist, own) : own;
}

static float
train_alpha(const struct train *t, uint64_t done)
{
	double frac = 1.0 - (double)done / ((double)t->total_words + 1.0);

	if (frac < TRAIN_MIN_ALPHA_FRACTION)
		frac = TRAIN_MIN_ALPHA_FRACTION;
	return (float)(t->alpha0 * frac);
}

/* dist.h: the rate after job_words of the whole job. */
static float
train_dist_alpha(const void *ctx, uint64_t job_words)
{
	return train_alpha(ctx, job_words);
}

static uint64_t
double_bits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static double
bits_double(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

/* Adds the worker's counts to the shared ones and refreshes its rate. */
static void
worker_publish(struct worker *w)
{
	struct train *t = w->t;
	uint64_t done = atomic_fetch_add_explicit(&t->words_done, w->unpublished,
						  memory_order_relaxed) + w->unpublished;

	w->unpublished = 0;
	w->alpha = train_alpha(t, train_job_words(t, done));
	atomic_store_explicit(&w->pub_loss, double_bits(w->loss), memory_order_relaxed);
	atomic_store_explicit(&w->pub_examples, w->examples, memory_order_relaxed);
	if (!isfinite(w->loss)) {
		w->status = ks_err_set(&w->err, KS_ERR_DIVERGED,
				       "training diverged (the loss is not finite): "
				       "lower -alpha (now %g)", t->cfg->alpha);
		atomic_store(&t->stop, 1);
	}
}

/*
 * Whether skip-gram trains a window at a time (ks_sg_batch_step): with
 * -kernel fast, when the window and negatives fit the kernel's bounds;
 * otherwise pair by pair.
 */
static int
train_sg_batch(const struct ks_config *cfg)
{
	return !cfg->cbow && cfg->kernel == KS_KERNEL_FAST && !cfg->hs && cfg->negative > 0 &&
	       2 * cfg->window <= KS_SG_BATCH_MAX_INPUTS &&
	       cfg->negative + 1 <= KS_SG_BATCH_MAX_OUTPUTS;
}

/* The half-width of one example's window, uniform in 1 .. -window (word2vec.c's rule). */
static size_t
worker_span(struct worker *w)
{
	uint32_t window = (uint32_t)w->t->cfg->window;

	return window - ks_rng_below(&w->rng, window);
}

/*
 * The random choices of one example: its window span and, when it has any
 * context, its negatives. Drawn TRAIN_AHEAD examples ahead of use, in the
 * same order as if drawn just in time (span, then negatives, example after
 * example), so the results do not depend on it; knowing a later example's
 * rows early lets their cache misses overlap the current examples' work.
 */
static size_t
worker_draw(struct worker *w, size_t k, uint32_t *neg)
{
	struct train *t = w->t;
	size_t negative = (size_t)t->cfg->negative, q;
	size_t span = worker_span(w);

	if (k > 1)
		for (q = 0; q < negative; q++)
			neg[q] = ks_alias_draw(t->alias, &w->rng);
	return span;
}

/* Asks for the rows example i will read first: its new context row and its outputs. */
static void
worker_prefetch(const struct worker *w, size_t i, size_t k, size_t span, const uint32_t *neg)
{
	const struct train *t = w->t;
	size_t dim = t->dim, stride = t->stride, q, negative = (size_t)t->cfg->negative;

	if (k < 2)
		return;
	/* Both read the context words' input rows (one is new) and the centre's output row. */
	if (i + span < k)
		ks_prefetch_row(t->in_vecs + (size_t)w->kept[i + span] * stride, dim, t->prefetchw);
	ks_prefetch_row(t->out_vecs + (size_t)w->kept[i] * stride, dim, t->prefetchw);
	for (q = 0; q < negative; q++)
		ks_prefetch_row(t->out_vecs + (size_t)neg[q] * stride, dim, t->prefetchw);
}

/* Trains on one chunk of at most -max-sentence words. */
static void
worker_sentence(struct worker *w, const uint32_t *ids, size_t n)
{
	struct train *t = w->t;
	const struct ks_config *cfg = t->cfg;
	const struct ks_kernel_ctx kc = {
		t->in_vecs, t->out_vecs, t->dim, t->stride, &t->sigmoid, w->h, w->grad, t->hs_vecs
	};
	size_t i, k = 0, negative = (size_t)cfg->negative, span, q;
	size_t spans[TRAIN_AHEAD + 1];
	int batch = train_sg_batch(cfg), ahead = cfg->cbow || batch;
	uint32_t *neg;

	for (i = 0; i < n; i++) {
		uint32_t id = ids[i], keep = t->keep[id];

		if (keep == UINT32_MAX || (uint32_t)ks_rng_next(&w->rng) < keep)
			w->kept[k++] = id;
	}
	w->unpublished += n;
	/* Examples 0 .. TRAIN_AHEAD-1 drawn before the first is trained. */
	for (q = 0; ahead && q < TRAIN_AHEAD && q < k; q++) {
		spans[q] = worker_draw(w, k, w->neg + q * negative);
		worker_prefetch(w, q, k, spans[q], w->neg + q * negative);
	}
	for (i = 0; i < k; i++) {
		size_t lo, hi, j, n_ctx = 0;
		float alpha = w->alpha;
		struct ks_hs_path path;

		if (ahead) {
			size_t slot = i % (TRAIN_AHEAD + 1), later = (i + TRAIN_AHEAD) % (TRAIN_AHEAD + 1);

			span = spans[slot];
			neg = w->neg + slot * negative;
			if (i + TRAIN_AHEAD < k) {
				spans[later] = worker_draw(w, k, w->neg + later * negative);
				worker_prefetch(w, i + TRAIN_AHEAD, k, spans[later],
						w->neg + later * negative);
			}
		} else {
			span = worker_span(w);
			neg = w->neg;
		}
		lo = i > span ? i - span : 0;
		hi = i + span < k ? i + span : k - 1;
		for (j = lo; j <= hi; j++)
			if (j != i) {
				if (t->pos != NULL)
					w->slots[n_ctx] = ks_positions_slot(cfg->window,
									    (long)j - (long)i);
				w->ctx[n_ctx++] = w->kept[j];
			}
		if (n_ctx == 0)
			continue;
		/* Hierarchical softmax predicts the centre's path, in both modes. */
		if (t->tree != NULL)
			path = ks_huffman_path(t->tree, w->kept[i]);
		if (t->tree != NULL && cfg->cbow) {
			w->loss += ks_cbow_hs_step(&kc, w->ctx, n_ctx, w->kept[i],
						   negative > 0 ? neg : NULL, negative, &path,
						   alpha * t->in_scale, alpha, cfg->cbow_update);
			w->examples++;
			continue;
		}
		if (t->pos != NULL) {
			w->loss += ks_cbow_pos_step(&kc, &w->pos.rows, w->ctx, w->slots, n_ctx,
						    w->kept[i], neg, negative, alpha * t->in_scale,
						    alpha, cfg->cbow_update);
			w->examples++;
			continue;
		}
		if (cfg->cbow) {
			w->loss += ks_cbow_step(&kc, w->ctx, n_ctx, w->kept[i], neg, negative,
						alpha * t->in_scale, alpha, cfg->cbow_update);
			w->examples++;
			continue;
		}
		if (batch) {
			w->loss += ks_sg_batch_step(&kc, w->ctx, n_ctx, w->kept[i], neg, negative,
						    alpha, alpha);
			w->examples += n_ctx;
			continue;
		}
		for (j = 0; j < n_ctx; j++) {
			for (q = 0; q < negative; q++)
				neg[q] = ks_alias_draw(t->alias, &w->rng);
			if (t->tree != NULL) {
				/*
				 * word2vec.c's direction: each context row is the input,
				 * so one path serves the whole window.
				 */
				w->loss += ks_sg_hs_step(&kc, w->ctx[j], w->kept[i],
							 negative > 0 ? neg : NULL, negative, &path,
							 alpha, alpha);
			} else {
				w->loss += ks_sg_step(&kc, w->kept[i], w->ctx[j], neg, negative, alpha,
						      alpha);
			}
			w->examples++;
		}
	}
	if (w->unpublished >= TRAIN_PUBLISH_WORDS)
		worker_publish(w);
}

/*
 * Splits a batch into sentences and sentences into -max-sentence chunks;
 * under cfg->dist sharded by chunks only this rank's are trained (dist.h).
 */
static void
worker_batch(struct worker *w, const struct ks_batch *b)
{
	const uint32_t *ids = b->ids;
	size_t n = b->n, max = (size_t)w->t->cfg->max_sentence, start = 0, i;
	const struct ks_dist *d = w->t->cfg->dist;
	uint64_t chunk = 0;

	for (i = 0; i <= n; i++) {
		size_t c;

		if (i < n && ids[i] != KS_EOS)
			continue;
		for (c = start; c < i; c += max)
			if (d == NULL || d->split_files ||
			    ks_dist_chunk_mine(b->epoch, b->index, chunk++, d->rank, d->size))
				worker_sentence(w, ids + c, i - c < max ? i - c : max);
		start = i + 1;
	}
}

/*
 * Takes the next batch. Under dist, first the rounds that a checkpoint cut
 * short (a round that makes one due or stops the job ends a poll's run of
 * rounds) or that the resumed run had left due, so that they come before
 * the batch, as they would have without the checkpoint; otherwise there
 * are none here, since every batch ends with a poll.
 */
static int
worker_take(struct worker *w, struct ks_batch *b)
{
	struct train *t = w->t;

	if (t->cfg->dist != NULL)
		ks_dist_poll(t->cfg->dist, &t->dist_model, atomic_load(&t->words_done));
	return ks_stream_next(t->stream, b);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct train *t = w->t;
	struct ks_batch b;
	int rc = 0;	/* stays 0 when another worker stopped the run first */

	/* w->alpha is set before the thread starts (train_run_workers). */
	while (!atomic_load_explicit(&t->stop, memory_order_relaxed) &&
	       !train_ckpt_poll(w) &&
	       (rc = worker_take(w, &b)) == 1) {
		double loss = w->loss;
		uint64_t examples = w->examples;

		worker_batch(w, &b);
		/* At every batch boundary, so a checkpoint stop finds the weights merged. */
		if (t->pos != NULL)
			ks_positions_merge(t->pos, &w->pos);
		if (b.epoch + 1 == (uint64_t)t->cfg->iter) {
			w->last_loss += w->loss - loss;
			w->last_examples += w->examples - examples;
		}
		ks_stream_release(t->stream, &b);
		if (t->cfg->dist != NULL) {	/* dist.h: a sync round when due */
			/* A rank trains 1/size of a batch: count it now, not every
			 * TRAIN_PUBLISH_WORDS, or the rounds come that far apart. */
			if (w->unpublished > 0)
				worker_publish(w);
			ks_dist_poll(t->cfg->dist, &t->dist_model, atomic_load(&t->words_done));
		}
	}
	if (rc < 0 && w->status == KS_OK)
		w->status = rc;	/* the reader's message comes from ks_stream_stop */
	/* A rank's share can end before the job: its checkpoints hold this worker as it left. */
	if (t->cfg->dist != NULL)
		train_ckpt_snapshot(w);
	worker_publish(w);
	if (w->status < 0) {
		atomic_store(&t->stop, 1);
		ks_stream_cancel(t->stream);
	}
	pthread_mutex_lock(&t->lock);
	t->running--;
	pthread_cond_signal(&t->done);
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static void
train_free(struct train *t)
{
	free(t->in_vecs);
	free(t->out_vecs);
	free(t->keep);
	free(t->dist_rates);
	ks_alias_destroy(t->alias);
	ks_positions_destroy(t->pos);
	ks_huffman_destroy(t->tree);
	ks_vecset_destroy(t->init);
	ks_ckpt_destroy(t->model);
	free(t->hs_vecs);
	ks_ckpt_destroy(t->resume);
	ks_ckpt_settings_free(&t->ckpt_set);
	free(t->ckpt_path);
}

/*
 * Hierarchical softmax: the tree from the counts and the inner-node rows,
 * zero as word2vec.c starts them, or the checkpoint's.
 */
static int
train_hs_setup(struct train *t, const uint64_t *counts, struct ks_err *err)
{
	size_t cells = (t->n_words - 1) * t->stride;
	int rc;

	if ((rc = ks_huffman_create(&t->tree, counts, t->n_words, err)) != KS_OK)
		return rc;
	if (t->resume != NULL) {
		if (t->resume->hs_vecs == NULL || t->resume->n_hs != t->n_words - 1)
			return ks_err_set(err, KS_ERR_FORMAT, "-resume %s: the checkpoint holds no "
					  "tree of %zu inner nodes", t->cfg->resume, t->n_words - 1);
		t->hs_vecs = t->resume->hs_vecs;
		t->resume->hs_vecs = NULL;
		return KS_OK;
	}
	t->hs_vecs = ks_aligned_calloc(cells ? cells : 1, sizeof(float));
	if (t->hs_vecs == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the tree's %zu inner-node "
				  "vectors", t->n_words - 1);
	return KS_OK;
}

/* The position weights: all 1, or the checkpoint's (whose settings were checked). */
static int
train_positions_setup(struct train *t, const struct ks_config *cfg, struct ks_err *err)
{
	int rc = ks_positions_create(&t->pos, cfg->positions, (size_t)cfg->window, t->dim, err);

	if (rc != KS_OK || t->resume == NULL)
		return rc;
	if (t->resume->n_pos != ks_positions_floats(t->pos))
		return ks_err_set(err, KS_ERR_FORMAT,
				  "-resume %s: the checkpoint holds %zu position weights, this run "
				  "needs %zu", cfg->resume, t->resume->n_pos,
				  ks_positions_floats(t->pos));
	memcpy(ks_positions_weights(t->pos), t->resume->pos, t->resume->n_pos * sizeof(float));
	return KS_OK;
}

/*
 * -init-vectors: reads the file before the corpus, so a wrong file fails
 * fast. A dimension other than -size is refused, naming both.
 */
static int
train_init_read(struct train *t, const struct ks_config *cfg, struct ks_err *err)
{
	struct ks_vecfile_read_opts o;
	int rc;

	/* Resuming too, since the vocabulary is the model's merged with the corpus's. */
	if (cfg->init != NULL)
		return ks_model_open(&t->model, cfg, err);
	if (cfg->init_vectors == NULL || cfg->resume != NULL)
		return KS_OK;
	memset(&o, 0, sizeof(o));
	o.reject_duplicates = 1;
	if ((rc = ks_vecfile_read_opts(&t->init, cfg->init_vectors, &o, NULL, err)) != KS_OK)
		return rc;
	if (t->init->dim != (size_t)cfg->size)
		return ks_err_set(err, KS_ERR_USAGE, "-init-vectors %s: the vectors have %zu "
				  "dimensions, but -size is %ld", cfg->init_vectors, t->init->dim,
				  cfg->size);
	return KS_OK;
}

/*
 * Copies the rows of the -init-vectors file over the random start of the
 * vocabulary words it holds; its other words are dropped, the output
 * vectors start from zero as always.
 */
static void
train_init_vectors(struct train *t, const struct ks_log *log)
{
	size_t i, taken = 0;

	for (i = 0; i < t->n_words; i++) {
		const char *w = ks_vocab_word(t->vocab, (uint32_t)i);
		long row = ks_vecset_find(t->init, w, strlen(w));

		if (row < 0)
			continue;
		memcpy(t->in_vecs + i * t->stride, t->init->vecs + (size_t)row * t->dim,
		       t->dim * sizeof(float));
		taken++;
	}
	ks_log(log, KS_LOG_INFO, "-init-vectors %s: %zu of its %zu vectors taken; %zu vocabulary "
	       "word%s start%s at random", t->cfg->init_vectors, taken, t->init->n_words,
	       t->n_words - taken, PLURAL(t->n_words - taken), t->n_words - taken == 1 ? "s" : "");
	ks_vecset_destroy(t->init);
	t->init = NULL;
}

static int
train_setup(struct train *t, const struct ks_config *cfg, struct ks_stream *stream,
	    const struct ks_stream_info *info, const struct ks_log *log, struct ks_err *err)
{
	struct ks_rng rng;
	uint64_t *counts;
	size_t i, j, cells;
	int rc;

	t->cfg = cfg;
	t->stream = stream;
	t->vocab = ks_stream_vocab(stream);
	t->n_words = ks_vocab_size(t->vocab);
	t->dim = (size_t)cfg->size;
	t->stride = ks_row_stride(t->dim);
	t->total_words = info->train_words * (uint64_t)cfg->iter;
	t->alpha0 = (float)cfg->alpha;
	t->in_scale = cfg->cbow ? (float)cfg->alpha_in_scale : 1.0f;
	ks_sigmoid_init(&t->sigmoid);
	t->prefetchw = ks_cpu_has_prefetchw();
	if (ks_mul_size(t->n_words, t->stride, &cells) != 0)
		return ks_err_set(err, KS_ERR_NOMEM, "the model (%zu x %zu) is too large",
				  t->n_words, t->dim);
	if (t->resume != NULL) {
		/* Adopt the checkpoint's matrices (their shape was checked). */
		t->in_vecs = t->resume->in_vecs;
		t->out_vecs = t->resume->out_vecs;
		t->resume->in_vecs = t->resume->out_vecs = NULL;
	} else {
		t->in_vecs = ks_aligned_calloc(cells, sizeof(float));
		t->out_vecs = ks_aligned_calloc(cells, sizeof(float));
	}
	t->keep = ks_malloc_array(t->n_words, sizeof(*t->keep));
	counts = ks_malloc_array(t->n_words, sizeof(*counts));
	if (t->in_vecs == NULL || t->out_vecs == NULL || t->keep == NULL || counts == NULL) {
		free(counts);
		return ks_err_set(err, KS_ERR_NOMEM,
				  "out of memory for the model (2 x %zu words x %zu dimensions)",
				  t->n_words, t->dim);
	}
	for (i = 0; i < t->n_words; i++)
		counts[i] = ks_vocab_count(t->vocab, (uint32_t)i);
	ks_subsample_thresholds(counts, t->n_words, ks_vocab_total(t->vocab), cfg->sample, t->keep);
	rc = ks_alias_create(&t->alias, counts, t->n_words, cfg->ns_exponent, err);
	if (rc == KS_OK && cfg->hs)
		rc = train_hs_setup(t, counts, err);
	if (rc == KS_OK && cfg->dist != NULL && cfg->dist->size > 2 && cfg->dist->damping > 0) {
		t->dist_rates = ks_malloc_array(t->n_words, 2 * sizeof(float));
		if (t->dist_rates == NULL)
			rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory for the sync rates");
		else
			ks_dist_rates(counts, t->n_words, ks_vocab_total(t->vocab), cfg->sample,
				      cfg->ns_exponent, cfg->negative, cfg->window, cfg->cbow,
				      t->dist_rates, t->dist_rates + t->n_words);
	}
	free(counts);
	if (rc == KS_OK && cfg->positions != KS_POSITIONS_OFF)
		rc = train_positions_setup(t, cfg, err);
	if (cfg->dist != NULL) {
		/* dist.h: total_words stays the job's; each rank trains about 1/size of it. */
		t->dist_model = (struct ks_dist_model){ t->in_vecs, t->out_vecs, t->hs_vecs,
							t->n_words, t->tree != NULL ? t->n_words - 1 : 0,
							t->stride, NULL, NULL, train_dist_alpha, t };
		if (t->dist_rates != NULL) {
			t->dist_model.rate_in = t->dist_rates;
			t->dist_model.rate_out = t->dist_rates + t->n_words;
		}
	}
	if (rc != KS_OK || t->resume != NULL)
		return rc;
	/*
	 * word2vec.c's initialisation: uniform in [-0.5/dim, 0.5/dim), zero
	 * outputs. The padding after each row stays zero.
	 */
	ks_rng_seed(&rng, cfg->seed, TRAIN_INIT_STREAM);
	for (i = 0; i < t->n_words; i++)
		for (j = 0; j < t->dim; j++) {
			double u = (double)(ks_rng_next(&rng) >> 11) * 0x1.0p-53;

			t->in_vecs[i * t->stride + j] = (float)((u - 0.5) / (double)t->dim);
		}
	if (t->init != NULL)
		train_init_vectors(t, log);
	if (t->model != NULL) {
		struct ks_model_target mt;

		memset(&mt, 0, sizeof(mt));
		mt.vocab = t->vocab;
		mt.dim = t->dim;
		mt.stride = t->stride;
		mt.in_vecs = t->in_vecs;
		mt.out_vecs = t->out_vecs;
		mt.tree = t->tree;
		mt.hs_vecs = t->hs_vecs;
		if (t->pos != NULL) {
			mt.pos = ks_positions_weights(t->pos);
			mt.n_pos = ks_positions_floats(t->pos);
		}
		return ks_model_apply(t->model, cfg->init, &mt, log, err);
	}
	return KS_OK;
}

static void
train_format_count(double x, char *buf, size_t cap)
{
	if (x >= 1e9)
		snprintf(buf, cap, "%.2fG", x / 1e9);
	else if (x >= 1e6)
		snprintf(buf, cap, "%.2fM", x / 1e6);
	else if (x >= 1e3)
		snprintf(buf, cap, "%.1fk", x / 1e3);
	else
		snprintf(buf, cap, "%.0f", x);
}

static void
train_format_time(double s, char *buf, size_t cap)
{
	long v = s > 0 && s < 1e9 ? (long)(s + 0.5) : 0;

	if (v >= 3600)
		snprintf(buf, cap, "%ldh%02ldm%02lds", v / 3600, v / 60 % 60, v % 60);
	else if (v >= 60)
		snprintf(buf, cap, "%ldm%02lds", v / 60, v % 60);
	else
		snprintf(buf, cap, "%lds", v);
}

/* Sums the published loss and example counts of all workers. */
static void
train_loss_totals(struct worker *ws, size_t n, double *loss, uint64_t *examples)
{
	size_t i;

	*loss = 0;
	*examples = 0;
	for (i = 0; i < n; i++) {
		*loss += bits_double(atomic_load_explicit(&ws[i].pub_loss, memory_order_relaxed));
		*examples += atomic_load_explicit(&ws[i].pub_examples, memory_order_relaxed);
	}
}

/* The epoch, from 1, that a count of words done falls in. */
static uint64_t
train_epoch_of(const struct train *t, uint64_t words)
{
	uint64_t e = t->train_words > 0 ? words / t->train_words + 1 : 1;

	return e > (uint64_t)t->cfg->iter ? (uint64_t)t->cfg->iter : e;
}

/*
 * Waits for the workers, reporting progress about once a second, and
 * writes the same intervals to the loss log; the last, shorter interval
 * after the workers end goes to the log too.
 */
static void
train_watch(struct train *t, struct worker *ws, size_t n, const struct ks_log *log,
	    double start)
{
	double last_t = start, last_loss = 0, interval_loss = NAN;
	uint64_t last_words = t->resume != NULL ? train_job_words(t, t->resume->words_done) : 0;
	uint64_t last_ex = 0;
	uint64_t epochs_logged = t->train_words > 0 ? last_words / t->train_words : 0;
	size_t i;
	int ended = 0;

	for (i = 0; t->resume != NULL && i < n; i++) {
		last_loss += t->resume->workers[i].loss;
		last_ex += t->resume->workers[i].examples;
	}

	pthread_mutex_lock(&t->lock);
	while (!ended) {
		struct timespec deadline;
		double now, loss, rate;
		uint64_t words, ex;
		char rbuf[32], eta[32];

		clock_gettime(CLOCK_REALTIME, &deadline);
		train_ckpt_deadline(t, &deadline);
		if (t->running > 0)
			pthread_cond_timedwait(&t->done, &t->lock, &deadline);
		ended = t->running == 0;
		if (!ended && t->ckpt_every > 0 && train_now() >= t->next_ckpt) {
			/* Under dist rank 0's clock asks; the rounds make it due everywhere. */
			if (t->cfg->dist == NULL)
				train_ckpt_periodic(t, ws, n, log);
			else if (t->cfg->dist->rank == 0)
				atomic_store(&t->cfg->dist->want_ckpt, 1);
			t->next_ckpt = train_now() + t->ckpt_every;
		}
		if (!ended && t->cfg->dist != NULL && atomic_load(&t->cfg->dist->ckpt_due))
			train_ckpt_periodic(t, ws, n, log);
		now = train_now();
		if (!ended && now - last_t < 0.9)
			continue;	/* woken early for a checkpoint */
		words = train_job_words(t, atomic_load(&t->words_done));
		if (ended && (words == last_words || t->loss_log == NULL))
			break;
		if (t->train_words > 0 && words / t->train_words > epochs_logged) {
			epochs_logged = words / t->train_words;
			ks_log(log, KS_LOG_DEBUG, "epoch %llu of %ld done after %.1fs",
			       (unsigned long long)epochs_logged, t->cfg->iter, now - start);
		}
		train_loss_totals(ws, n, &loss, &ex);
		if (ex > last_ex)
			interval_loss = (loss - last_loss) / (double)(ex - last_ex);
		rate = now > last_t ? (double)(words - last_words) / (now - last_t) : 0;
		/* The log says nan for an interval without examples, not the last value. */
		ks_losslog_line(t->loss_log, now - start, words, train_epoch_of(t, words),
				train_alpha(t, words), ex > last_ex ? interval_loss : NAN, rate);
		if (ended)
			break;
		train_format_count(rate / (double)n / (t->cfg->dist != NULL ? t->cfg->dist->size : 1),
				   rbuf, sizeof(rbuf));
		train_format_time(rate > 0 ? (double)(t->total_words - (words < t->total_words ? words : t->total_words)) / rate : 0,
				  eta, sizeof(eta));
		ks_log(log, KS_LOG_PROGRESS,
		       "progress %5.1f%%  words/s/thread %7s  lr %.6f  loss %.4f  eta %s",
		       100.0 * (double)words / (double)(t->total_words ? t->total_words : 1),
		       rbuf, train_alpha(t, words), interval_loss, eta);
		last_t = now;
		last_words = words;
		last_loss = loss;
		last_ex = ex;
	}
	pthread_mutex_unlock(&t->lock);
}

/*
 * The loss reported at the end: the mean over the last epoch's examples,
 * which depends only on what was trained (with -threads 1, only on the
 * settings and the corpus), unlike the progress lines' interval means.
 * An interrupted run that never reached the last epoch reports the mean
 * over all its examples. Called after the workers are joined.
 */
static void
train_loss_final(const struct worker *ws, size_t n, struct ks_train_report *rep)
{
	double loss = 0, last_loss = 0;
	uint64_t examples = 0, last_examples = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		loss += ws[i].loss;
		examples += ws[i].examples;
		last_loss += ws[i].last_loss;
		last_examples += ws[i].last_examples;
	}
	rep->examples = examples;
	if (last_examples > 0)
		rep->final_loss = last_loss / (double)last_examples;
	else
		rep->final_loss = examples > 0 ? loss / (double)examples : NAN;
}

/*
 * dist.h: once this rank's workers are joined, the rounds until every rank
 * is done, writing this rank's part of each checkpoint they make due; a
 * stop they agree on marks the training interrupted, for
 * train_ckpt_stopped.
 */
static int
train_dist_finish(struct train *t, struct worker *ws, size_t n, const struct ks_log *log,
		  struct ks_err *err)
{
	int r;

	while ((r = ks_dist_finish(t->cfg->dist, &t->dist_model, atomic_load(&t->words_done))) ==
	       KS_DIST_CHECKPOINT) {
		pthread_mutex_lock(&t->lock);
		train_ckpt_periodic(t, ws, n, log);
		pthread_mutex_unlock(&t->lock);
	}
	if (r == KS_DIST_STOPPED)
		atomic_store(&t->interrupted, 1);
	return r < 0 ? ks_err_set(err, KS_ERR_INTERNAL, "the ranks ended with different models")
		     : KS_OK;
}

static int
train_run_workers(struct train *t, const struct ks_log *log, struct ks_train_report *rep,
		  struct ks_err *err)
{
	const struct ks_config *cfg = t->cfg;
	size_t n = (size_t)cfg->threads, i, started = 0;
	struct worker *ws;
	double start;
	int rc = KS_OK;

	ws = ks_aligned_calloc(n, sizeof(*ws));
	if (ws == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for %zu workers", n);
	for (i = 0; i < n && rc == KS_OK; i++) {
		struct worker *w = &ws[i];

		w->t = t;
		w->index = i;
		/* Under dist every rank draws its own streams. */
		ks_rng_seed(&w->rng, cfg->seed, cfg->dist != NULL ? (uint64_t)cfg->dist->rank * n + i : i);
		w->alpha = train_alpha(t, atomic_load(&t->words_done));
		if (t->resume != NULL) {
			const struct ks_ckpt_worker *k = &t->resume->workers[i];

			w->rng = k->rng;
			w->unpublished = k->unpublished;
			w->alpha = k->alpha;
			w->loss = k->loss;
			w->examples = k->examples;
			w->last_loss = k->last_loss;
			w->last_examples = k->last_examples;
			atomic_store(&w->pub_loss, double_bits(w->loss));
			atomic_store(&w->pub_examples, w->examples);
		}
		w->h = ks_aligned_calloc(t->dim, sizeof(float));
		/* A skip-gram window needs a gradient row per context word. */
		w->grad = ks_aligned_calloc(train_sg_batch(cfg) ? 2 * (size_t)cfg->window * t->dim
					    : t->dim, sizeof(float));
		w->kept = ks_malloc_array((size_t)cfg->max_sentence, sizeof(uint32_t));
		w->ctx = ks_malloc_array(2 * (size_t)cfg->window, sizeof(uint32_t));
		w->slots = ks_malloc_array(2 * (size_t)cfg->window, sizeof(uint32_t));
		if (t->pos != NULL && rc == KS_OK)
			rc = ks_positions_local_init(&w->pos, t->pos, err);
		/* At least one slot: -hs 1 -negative 0 draws none. */
		w->neg = ks_malloc_array((TRAIN_AHEAD + 1) * (size_t)(cfg->negative ? cfg->negative : 1),
					 sizeof(uint32_t));
		if (rc == KS_OK && (!w->h || !w->grad || !w->kept || !w->ctx || !w->slots || !w->neg))
			rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory for worker %zu", i);
	}
	if (rc == KS_OK) {
		struct ks_stream_pos from = { 0, 0 };

		if (t->resume != NULL) {
			from.epoch = t->resume->epoch;
			from.batch = t->resume->batch;
		}
		rc = ks_stream_start_at(t->stream, (uint64_t)cfg->iter, &from, err);
	}
	/* dist.h: the bases are the model as every rank starts it. */
	if (rc == KS_OK && cfg->dist != NULL && ks_dist_begin(cfg->dist, &t->dist_model) != 0)
		rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory for the copy of the model "
				"that the ranks' sync rounds need");
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->done, NULL);
	pthread_cond_init(&t->unpause, NULL);
	start = train_now();
	t->next_ckpt = start + t->ckpt_every;
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < n && rc == KS_OK; i++) {
		t->running++;
		if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]) != 0) {
			t->running--;
			rc = ks_err_set(err, KS_ERR_THREAD, "cannot start worker thread %zu of %zu",
					i + 1, n);
			atomic_store(&t->stop, 1);
			ks_stream_cancel(t->stream);
			break;
		}
		started++;
	}
	pthread_mutex_unlock(&t->lock);
	if (started > 0)
		train_watch(t, ws, n, log, start);
	for (i = 0; i < started; i++)
		pthread_join(ws[i].thread, NULL);
	if (cfg->dist != NULL && rc == KS_OK && !atomic_load(&t->interrupted))
		rc = train_dist_finish(t, ws, n, log, err);
	train_loss_final(ws, started, rep);
	train_ckpt_joined(t);
	rep->train_seconds = train_now() - start;
	rep->words_done = train_job_words(t, atomic_load(&t->words_done));
	{
		struct ks_err reader_err;
		int reader_rc = ks_stream_stop(t->stream, &reader_err);

		if (rc == KS_OK && reader_rc < 0) {
			*err = reader_err;
			rc = reader_rc;
		}
	}
	for (i = 0; i < started && rc == KS_OK; i++)
		if (ws[i].status < 0) {
			*err = ws[i].err;
			rc = ws[i].status;
		}
	if (rc == KS_OK && started == n && atomic_load(&t->interrupted))
		rc = train_ckpt_stopped(t, ws, n, log, err);
	for (i = 0; i < n; i++) {
		free(ws[i].h);
		free(ws[i].grad);
		free(ws[i].kept);
		free(ws[i].ctx);
		free(ws[i].slots);
		ks_positions_local_free(&ws[i].pos);
		free(ws[i].neg);
	}
	free(ws);
	pthread_cond_destroy(&t->done);
	pthread_cond_destroy(&t->unpause);
	pthread_mutex_destroy(&t->lock);
	return rc;
}

/* Refuses to write vectors holding NaN or infinities. */
static int
train_check_finite(const float *m, size_t cells, const char *what, struct ks_err *err)
{
	size_t i;

	for (i = 0; i < cells; i++)
		if (!isfinite(m[i]))
			return ks_err_set(err, KS_ERR_DIVERGED,
					  "training diverged: the %s vectors hold non-finite values; "
					  "nothing was written; lower -alpha", what);
	return KS_OK;
}

/*
 * -classes: clusters the word vectors and leaves the classes file pending
 * in *out (see ks_classes_write_pending).
 */
static int
train_write_classes(const struct train *t, const float *vecs, struct ks_outfile **out,
		    const char *const *words, const struct ks_log *log, struct ks_err *err)
{
	const struct ks_config *cfg = t->cfg;
	struct ks_classes_stats st;
	uint32_t *assign;
	double start = train_now();
	int rc;

	assign = ks_malloc_array(t->n_words, sizeof(*assign));
	if (assign == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the classes");
	rc = ks_classes_kmeans(vecs, t->n_words, t->dim, t->stride, (size_t)cfg->classes,
			       cfg->seed, (size_t)cfg->threads, assign, &st, err);
	if (rc == KS_OK) {
		ks_log(log, KS_LOG_INFO, "classes: %ld k-means class%s of %zu words, %zu pass%s%s "
		       "(%.1fs)%s", cfg->classes, cfg->classes == 1 ? "" : "es", t->n_words,
		       st.iterations, st.iterations == 1 ? "" : "es",
		       st.changed_last == 0 ? ", converged" : ", stopped at the pass limit",
		       train_now() - start, st.empty > 0 ? "; some classes ended empty" : "");
		rc = ks_classes_write_pending(out, cfg->output, words, assign, t->n_words,
					      (size_t)cfg->classes, err);
	}
	free(assign);
	return rc;
}

/*
 * What -output holds (-output-vectors): the word vectors, the context
 * vectors, or their mean, which is computed in place of the word vectors
 * once every other file that reads them has been written.
 */
static const float *
train_output_vecs(struct train *t)
{
	size_t i, cells = t->n_words * t->stride;

	switch (t->cfg->output_vectors) {
	case KS_OUTPUT_CONTEXT:
		return t->out_vecs;
	case KS_OUTPUT_MEAN:
		for (i = 0; i < cells; i++)
			t->in_vecs[i] = 0.5f * (t->in_vecs[i] + t->out_vecs[i]);
		return t->in_vecs;
	default:
		return t->in_vecs;
	}
}

static int
train_write(struct train *t, const struct ks_log *log, struct ks_err *err)
{
	const struct ks_config *cfg = t->cfg;
	enum ks_vecfile_format fmt = cfg->binary ? KS_VECFILE_BINARY : KS_VECFILE_TEXT;
	struct ks_outfile *out = NULL, *ctx = NULL, *pos = NULL, *model = NULL;
	const float *vecs;
	const char **words;
	size_t i, cells = t->n_words * t->stride;
	int rc;

	if ((rc = train_check_finite(t->in_vecs, cells, "word", err)) != KS_OK ||
	    ((cfg->save_context || cfg->save_model ||
	      (cfg->output && cfg->output_vectors != KS_OUTPUT_WORD)) &&
	     (rc = train_check_finite(t->out_vecs, cells, "context", err)) != KS_OK) ||
	    (cfg->save_model && t->hs_vecs != NULL &&
	     (rc = train_check_finite(t->hs_vecs, (t->n_words - 1) * t->stride, "inner-node",
				      err)) != KS_OK))
		return rc;
	if (cfg->save_positions && !ks_positions_finite(t->pos))
		return ks_err_set(err, KS_ERR_DIVERGED,
				  "training diverged: the position weights hold non-finite values; "
				  "nothing was written; lower -alpha");
	words = ks_malloc_array(t->n_words, sizeof(*words));
	if (words == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	for (i = 0; i < t->n_words; i++)
		words[i] = ks_vocab_word(t->vocab, (uint32_t)i);
	/*
	 * All files are written, flushed and synced before any replaces an
	 * older one, so a failure on the context vectors leaves the old word
	 * vectors in place too; only a failing rename remains between them.
	 * -output goes last: its mean overwrites the word vectors.
	 */
	rc = KS_OK;
	if (cfg->save_context)
		rc = ks_vecfile_write_pending(&ctx, cfg->save_context, fmt, words, t->out_vecs,
					      t->n_words, t->dim, t->stride,
					      (size_t)cfg->threads, err);
	if (rc == KS_OK && cfg->save_positions)
		rc = ks_positions_write_pending(&pos, t->pos, cfg->save_positions, err);
	if (rc == KS_OK && cfg->save_model)
		rc = train_ckpt_model_pending(t, &model, err);
	if (rc == KS_OK && cfg->output) {
		vecs = train_output_vecs(t);
		if (cfg->classes > 0)
			rc = train_write_classes(t, vecs, &out, words, log, err);
		else
			rc = ks_vecfile_write_pending(&out, cfg->output, fmt, words, vecs,
						      t->n_words, t->dim, t->stride,
						      (size_t)cfg->threads, err);
	}
	if (rc == KS_OK && out != NULL)
		rc = ks_outfile_finish(out, err);
	if (rc == KS_OK && ctx != NULL)
		rc = ks_outfile_finish(ctx, err);
	if (rc == KS_OK && pos != NULL)
		rc = ks_outfile_finish(pos, err);
	if (rc == KS_OK && out != NULL) {
		rc = ks_outfile_commit(out, err);
		out = NULL;
	}
	if (rc == KS_OK && ctx != NULL) {
		rc = ks_outfile_commit(ctx, err);
		ctx = NULL;
	}
	if (rc == KS_OK && pos != NULL) {
		rc = ks_outfile_commit(pos, err);
		pos = NULL;
	}
	if (rc == KS_OK && model != NULL) {
		rc = ks_outfile_commit(model, err);
		model = NULL;
	}
	ks_outfile_abort(out);
	ks_outfile_abort(ctx);
	ks_outfile_abort(pos);
	ks_outfile_abort(model);
	free(words);
	return rc;
}

/* The stream's merge under sharding by files: the job's counts (dist_vocab.h). */
struct train_merge {
	struct ks_dist *dist;
	uint64_t keep_min;
};

static int
train_merge_vocab(void *ctx, struct ks_vocab *v, struct ks_err *err)
{
	const struct train_merge *m = ctx;

	return ks_dist_merge_vocab(m->dist, v, m->keep_min, err);
}

/*
 * Under sharding by files, makes info the job's: the corpus counts summed
 * over the ranks and, as the words per epoch, the vocabulary's corpus
 * total, which holds the job's counts (a rank's own stream knows only its
 * part). Collective: every rank calls it once its stream is loaded.
 */
static int
train_job_info(const struct ks_config *cfg, const struct ks_stream *stream,
	       struct ks_stream_info *info, struct ks_err *err)
{
	uint64_t c[3];

	c[0] = info->corpus_words;
	c[1] = info->sentences;
	c[2] = info->long_tokens;
	cfg->dist->sum_counts(cfg->dist->ctx, c, 3);
	info->corpus_words = c[0];
	info->sentences = c[1];
	info->long_tokens = c[2];
	info->train_words = ks_vocab_corpus_total(ks_stream_vocab(stream));
	if (info->corpus_words == 0)
		return ks_err_set(err, KS_ERR_EMPTY, "%s%s: the corpus holds no words",
				  cfg->train[0], cfg->n_train > 1 ? " (and the other inputs)" : "");
	if (info->train_words == 0)
		return ks_err_set(err, KS_ERR_EMPTY, "no word of the corpus is in the vocabulary%s",
				  cfg->read_vocab ? " read from the -read-vocab file" : "");
	return KS_OK;
}

/* Warns of the tokens the corpus reader skipped for their length, if any. */
static void
train_log_long_tokens(const struct ks_log *log, const struct ks_stream_info *info)
{
	if (info->long_tokens > 0)
		ks_log(log, KS_LOG_WARN, "skipped %llu token%s longer than %d bytes",
		       (unsigned long long)info->long_tokens, PLURAL(info->long_tokens),
		       KS_MAX_WORD_BYTES);
}

/* -debug 3: the settings and figures behind the summary lines. */
static void
train_log_details(const struct train *t, const struct ks_config *cfg, const struct ks_log *log)
{
	double kept = 0, total = 0, mib;
	size_t i, last = t->n_words - 1;

	if (log == NULL || log->max_level < KS_LOG_DEBUG)
		return;
	ks_log(log, KS_LOG_DEBUG,
	       "settings: sample %g, ns-exponent %g, min-count %ld, max-vocab %ld, "
	       "max-sentence %ld, seed %llu, kernel %s, cache-mb %ld, vocab-mb %ld, "
	       "learning rate %g decaying to %g, output-vectors %s", cfg->sample,
	       cfg->ns_exponent, cfg->min_count, cfg->max_vocab, cfg->max_sentence,
	       (unsigned long long)cfg->seed, cfg->kernel == KS_KERNEL_FAST ? "fast" : "reference",
	       cfg->cache_mb, cfg->vocab_mb, cfg->alpha, cfg->alpha * TRAIN_MIN_ALPHA_FRACTION,
	       ks_config_output_vectors_name(cfg->output_vectors));
	mib = 2.0 * (double)t->n_words * (double)t->stride * sizeof(float) / 1048576.0;
	ks_log(log, KS_LOG_DEBUG, "model: 2 matrices of %zu x %zu floats (rows padded to %zu), "
	       "%.1f MiB", t->n_words, t->dim, t->stride, mib);
	for (i = 0; i < t->n_words; i++) {
		double c = (double)ks_vocab_count(t->vocab, (uint32_t)i);

		total += c;
		kept += t->keep[i] == UINT32_MAX ? c : c * (double)t->keep[i] * 0x1.0p-32;
	}
	ks_log(log, KS_LOG_DEBUG,
	       "vocabulary: most frequent '%s' (%llu), least frequent '%s' (%llu); "
	       "subsampling keeps about %.1f%% of the training words",
	       ks_vocab_word(t->vocab, 0), (unsigned long long)ks_vocab_count(t->vocab, 0),
	       ks_vocab_word(t->vocab, (uint32_t)last),
	       (unsigned long long)ks_vocab_count(t->vocab, (uint32_t)last),
	       total > 0 ? 100.0 * kept / total : 0.0);
	if (t->ckpt_every > 0)
		ks_log(log, KS_LOG_DEBUG, "checkpoints: %s, every %g minutes and when stopped",
		       t->ckpt_path, cfg->checkpoint_every);
	else
		ks_log(log, KS_LOG_DEBUG, "checkpoints: %s, when stopped", t->ckpt_path);
}

/*
 * Before anything is read or written: every output must be writable, and
 * no output may be an input or another output, whatever their spelling
 * (paths.h). The checkpoint may be the file it resumes from.
 */
static int
train_check_outputs(const struct ks_config *cfg, const char *ckpt_path, struct ks_err *err)
{
	const char *paths[KS_CONFIG_OUTPUTS], *names[KS_CONFIG_OUTPUTS];
	struct ks_path_use *uses;
	size_t i, n = 0;
	int rc = KS_OK;

	ks_config_outputs(cfg, paths, names);

	for (i = 0; i < KS_CONFIG_OUTPUTS; i++)
		if (paths[i] && (rc = ks_outfile_check(paths[i], err)) != KS_OK)
			return rc;
	uses = ks_calloc_array(cfg->n_train + 11, sizeof(*uses));
	if (uses == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	for (i = 0; i < cfg->n_train; i++)
		uses[n++] = (struct ks_path_use){ cfg->train[i], "-train", 0, 0 };
	if (cfg->read_vocab)
		uses[n++] = (struct ks_path_use){ cfg->read_vocab, "-read-vocab", 0, 0 };
	if (cfg->init_vectors)
		uses[n++] = (struct ks_path_use){ cfg->init_vectors, "-init-vectors", 0, 0 };
	if (cfg->resume)
		uses[n++] = (struct ks_path_use){ cfg->resume, "-resume", 0, 1 };
	if (cfg->init)
		uses[n++] = (struct ks_path_use){ cfg->init, "-init", 0, 0 };
	for (i = 0; i < KS_CONFIG_OUTPUTS; i++)
		if (paths[i])
			uses[n++] = (struct ks_path_use){ paths[i], names[i], 1, 0 };
	uses[n++] = (struct ks_path_use){ ckpt_path,
					  cfg->checkpoint ? "-checkpoint" : "the checkpoint", 1, 1 };
	rc = ks_path_check_distinct(uses, n, err);
	free(uses);
	return rc;
}

int
ks_train(const struct ks_config *cfg, const struct ks_log *log, struct ks_train_report *rep,
	 struct ks_err *err)
{
	struct ks_train_report local;
	struct ks_stream_opts so;
	struct ks_stream_info info;
	struct ks_stream *stream = NULL;
	struct train_merge merge;
	struct train t;
	double start = train_now();
	uint64_t resumed_words = 0;
	int rc;

	if (rep == NULL)
		rep = &local;
	memset(rep, 0, sizeof(*rep));
	memset(&t, 0, sizeof(t));
	if ((rc = ks_train_checkpoint_path(cfg, &t.ckpt_path, err)) != KS_OK)
		return rc;
	if ((rc = train_check_outputs(cfg, t.ckpt_path, err)) != KS_OK)
		goto out;
	if ((rc = train_ckpt_begin(&t, cfg, log, err)) != KS_OK ||
	    (rc = train_init_read(&t, cfg, err)) != KS_OK)
		goto out;
	memset(&so, 0, sizeof(so));
	so.paths = (const char *const *)cfg->train;
	so.n_paths = cfg->n_train;
	so.cache_bytes = (size_t)cfg->cache_mb << 20;
	so.vocab_bytes = (size_t)cfg->vocab_mb << 20;
	so.min_count = (uint64_t)cfg->min_count;
	so.max_vocab = (uint64_t)cfg->max_vocab;
	so.max_sentence = (size_t)cfg->max_sentence;
	so.read_vocab = cfg->read_vocab;
	so.epochs = (uint64_t)cfg->iter;
	so.stop = cfg->interrupt;
	if (t.model != NULL) {
		so.base_words = t.model->words;
		so.base_counts = t.model->counts;
		so.n_base = t.model->n_words;
		so.base_grow = cfg->vocab_grow;
		so.base_name = cfg->init;
	}
	/* The training threads have not started yet, so one of their cores is free. */
	so.read_ahead = cfg->threads > 1;
	if (cfg->dist != NULL && cfg->dist->split_files) {
		merge.dist = cfg->dist;
		/* A base keeps its words whatever their count: pass on every count. */
		merge.keep_min = so.n_base > 0 ? 1 : (uint64_t)cfg->min_count;
		so.part_of_job = 1;
		so.merge = train_merge_vocab;
		so.merge_ctx = &merge;
	}
	if ((rc = ks_stream_load(&stream, &so, log, err)) != KS_OK)
		goto out;
	ks_stream_info(stream, &info);
	if (so.part_of_job && (rc = train_job_info(cfg, stream, &info, err)) != KS_OK)
		goto out;
	rep->corpus_words = info.corpus_words;
	rep->train_words = info.train_words;
	rep->long_tokens = info.long_tokens;
	rep->cached = info.cached;
	rep->vocab_size = ks_vocab_size(ks_stream_vocab(stream));
	rep->load_seconds = train_now() - start;
	if (info.one_pass) {
		ks_log(log, KS_LOG_INFO, "vocabulary: %zu word%s (min-count %ld), %llu training "
		       "word%s by its counts; the corpus is read once, while training (%.1fs)",
		       rep->vocab_size, PLURAL(rep->vocab_size), cfg->min_count,
		       (unsigned long long)info.train_words, PLURAL(info.train_words),
		       rep->load_seconds);
	} else {
		struct ks_vocab_stats vs;
		char cap[96] = "";

		ks_vocab_stats(ks_stream_vocab(stream), &vs);
		if (cfg->max_vocab > 0)
			snprintf(cap, sizeof(cap), ", max-vocab %ld: %llu more word%s dropped",
				 cfg->max_vocab, (unsigned long long)vs.dropped_max_vocab,
				 PLURAL(vs.dropped_max_vocab));
		ks_log(log, KS_LOG_INFO,
		       "corpus: %llu word%s, %llu sentence%s; vocabulary: %zu word%s "
		       "(min-count %ld%s); %llu training word%s per epoch%s (%.1fs)",
		       (unsigned long long)info.corpus_words, PLURAL(info.corpus_words),
		       (unsigned long long)info.sentences, PLURAL(info.sentences),
		       rep->vocab_size, PLURAL(rep->vocab_size), cfg->min_count, cap,
		       (unsigned long long)info.train_words, PLURAL(info.train_words),
		       info.cached ? ", cached in memory" : ", streamed from disk",
		       rep->load_seconds);
	}
	train_log_long_tokens(log, &info);
	if (cfg->sg_ignored != NULL)
		ks_log(log, KS_LOG_WARN, "%s %s no effect on skip-gram (-cbow 0): ignored",
		       cfg->sg_ignored, strchr(cfg->sg_ignored, ' ') ? "have" : "has");
	if (cfg->output_vectors_ignored)
		ks_log(log, KS_LOG_WARN, "-output-vectors %s has no effect without -output "
		       "(-save-model keeps the word vectors, -save-context the context vectors): "
		       "ignored", ks_config_output_vectors_name(cfg->output_vectors));
	if ((rc = train_ckpt_match(&t, stream, &info, log, err)) != KS_OK)
		goto out;
	if ((size_t)cfg->classes > rep->vocab_size) {
		rc = ks_err_set(err, KS_ERR_USAGE, "-classes %ld: more classes than the %zu words "
				"of the vocabulary; nothing was trained or written", cfg->classes,
				rep->vocab_size);
		goto out;
	}
	resumed_words = train_job_words(&t, atomic_load(&t.words_done));
	if (cfg->save_vocab && (rc = ks_vocab_save(ks_stream_vocab(stream), cfg->save_vocab, err)) != KS_OK)
		goto out;
	if ((rc = train_setup(&t, cfg, stream, &info, log, err)) != KS_OK)
		goto out;
	{
		char scale[96] = "";

		if (cfg->cbow)
			snprintf(scale, sizeof(scale), " (input vectors x%g)%s%s", (double)t.in_scale,
				 t.pos != NULL ? ", position weights: " : "",
				 t.pos != NULL ? ks_positions_name(cfg->positions) : "");
		ks_log(log, KS_LOG_INFO, "training %s%s: %ld dimension%s, window %ld, "
		       "%ld negative%s, %ld epoch%s, %ld thread%s, alpha %g%s",
		       !cfg->cbow ? (train_sg_batch(cfg) ? "skip-gram (a window at a time)"
				     : "skip-gram (pair by pair)")
		       : cfg->cbow_update == KS_CBOW_CORRECTED
		       ? "CBOW (corrected)" : "CBOW (word2vec update)",
		       cfg->hs ? " with hierarchical softmax" : "", cfg->size, PLURAL(cfg->size), cfg->window, cfg->negative,
		       PLURAL(cfg->negative), cfg->iter, PLURAL(cfg->iter), cfg->threads,
		       PLURAL(cfg->threads), cfg->alpha, scale);
	}
	train_log_details(&t, cfg, log);
	if (cfg->loss_log != NULL &&
	    (rc = ks_losslog_open(&t.loss_log, cfg->loss_log, resumed_words, err)) != KS_OK)
		goto out;
	/* -iter 0 (with -init): the model's vectors as they are, in the new vocabulary. */
	rc = cfg->iter > 0 ? train_run_workers(&t, log, rep, err) : KS_OK;
	{
		struct ks_err lerr;

		/* The vectors do not depend on the log: a failed log is a warning. */
		if (ks_losslog_close(t.loss_log, &lerr) != KS_OK)
			ks_log(log, KS_LOG_WARN, "%s; the log is incomplete", lerr.msg);
		t.loss_log = NULL;
	}
	if (rc != KS_OK)
		goto out;
	if (info.one_pass) {
		/* Read while training: only now are the corpus's counts known. */
		ks_stream_info(stream, &info);
		rep->corpus_words = info.corpus_words;
		rep->long_tokens = info.long_tokens;
		ks_log(log, KS_LOG_INFO, "corpus: %llu word%s, %llu sentence%s",
		       (unsigned long long)info.corpus_words, PLURAL(info.corpus_words),
		       (unsigned long long)info.sentences, PLURAL(info.sentences));
		train_log_long_tokens(log, &info);
	}
	if (cfg->dist != NULL && cfg->iter > 0) {
		/* The job's examples: sharded by files, a rank's own may be none. */
		uint64_t ex = rep->examples;

		cfg->dist->sum_counts(cfg->dist->ctx, &ex, 1);
		rep->examples = ex;
	}
	if (rep->examples == 0 && cfg->iter > 0) {
		rc = ks_err_set(err, KS_ERR_EMPTY,
				"nothing to train on: no kept word has another word of its sentence "
				"within the window (sentences of one word, as in a corpus of one "
				"token per line, -max-sentence 1 or a -max-vocab too small leave "
				"none; on a tiny corpus -sample may drop every word: try -sample 0); "
				"nothing was written");
		goto out;
	}
	if (rep->examples < rep->vocab_size && cfg->iter > 0)
		ks_log(log, KS_LOG_WARN,
		       "only %llu training example%s for %zu words: most vectors stay near "
		       "their random start", (unsigned long long)rep->examples,
		       PLURAL(rep->examples), rep->vocab_size);
	rc = train_write(&t, log, err);
out:
	train_free(&t);
	ks_stream_destroy(stream);
	rep->total_seconds = train_now() - start;
	if (rc == KS_OK) {
		char total[32], per[32], peak[48] = "", all[64] = "";
		double secs = rep->train_seconds > 0 ? rep->train_seconds : 1e-9;
		double words = (double)(rep->words_done - resumed_words);

		train_format_count(words / secs, total, sizeof(total));
		train_format_count(words / secs / (double)cfg->threads /
				   (cfg->dist != NULL ? cfg->dist->size : 1), per, sizeof(per));
		rep->peak_rss = ks_peak_rss();
		if (rep->peak_rss > 0)
			snprintf(peak, sizeof(peak), "; peak memory %.1f MiB",
				 (double)rep->peak_rss / 1048576.0);
		if (resumed_words > 0)
			snprintf(all, sizeof(all), " (%llu with the runs resumed from)",
				 (unsigned long long)rep->words_done);
		ks_log(log, KS_LOG_INFO,
		       "done: %.0f word%s%s in %.1fs of training (%s words/s, %s words/s/thread), "
		       "%.1fs in all; final loss %.4f (mean over the last epoch)%s",
		       words, PLURAL(words), all, rep->train_seconds, total, per,
		       rep->total_seconds, rep->final_loss, peak);
	}
	return rc;
}
