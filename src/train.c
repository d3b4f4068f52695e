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
 */
#include "train.h"

#include <math.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "corpus.h"
#include "kernels.h"
#include "mem.h"
#include "outfile.h"
#include "sampler.h"
#include "stream.h"
#include "vecfile.h"
#include "vocab.h"

#define TRAIN_PUBLISH_WORDS 10000
#define TRAIN_MIN_ALPHA_FRACTION 1e-4
/* The random stream used to initialise the input vectors. */
#define TRAIN_INIT_STREAM 0xffffffffull

struct train;

struct worker {
	alignas(64) struct ks_rng rng;
	struct train *t;
	size_t index;
	float *h, *grad;
	uint32_t *kept;		/* one chunk after subsampling */
	uint32_t *ctx;		/* up to 2 * window context ids */
	uint32_t *neg;		/* negative ids */
	uint64_t unpublished;	/* words not yet added to t->words_done */
	double loss;		/* loss summed over examples, this worker */
	uint64_t examples;
	float alpha;		/* the current rate */
	/* Published for the progress report (bit patterns of doubles). */
	alignas(64) _Atomic uint64_t pub_loss;
	_Atomic uint64_t pub_examples;
	int status;
	struct ks_err err;
	pthread_t thread;
};

struct train {
	const struct ks_config *cfg;
	struct ks_stream *stream;
	const struct ks_vocab *vocab;
	struct ks_alias *alias;
	uint32_t *keep;		/* subsampling thresholds */
	struct ks_sigmoid sigmoid;
	float *in_vecs, *out_vecs;
	size_t n_words, dim;
	uint64_t total_words;	/* words over all epochs */
	float alpha0;
	float in_scale;
	alignas(64) _Atomic uint64_t words_done;
	alignas(64) atomic_int stop;	/* set when a worker fails or diverges */
	int running;		/* workers still running, under lock */
	pthread_mutex_t lock;
	pthread_cond_t done;
};

static double
train_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static float
train_alpha(const struct train *t, uint64_t done)
{
	double frac = 1.0 - (double)done / ((double)t->total_words + 1.0);

	if (frac < TRAIN_MIN_ALPHA_FRACTION)
		frac = TRAIN_MIN_ALPHA_FRACTION;
	return (float)(t->alpha0 * frac);
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
	w->alpha = train_alpha(t, done);
	atomic_store_explicit(&w->pub_loss, double_bits(w->loss), memory_order_relaxed);
	atomic_store_explicit(&w->pub_examples, w->examples, memory_order_relaxed);
	if (!isfinite(w->loss)) {
		w->status = ks_err_set(&w->err, KS_ERR_DIVERGED,
				       "training diverged (the loss is not finite): "
				       "lower -alpha (now %g)", t->cfg->alpha);
		atomic_store(&t->stop, 1);
	}
}

/* Trains on one chunk of at most -max-sentence words. */
static void
worker_sentence(struct worker *w, const uint32_t *ids, size_t n)
{
	struct train *t = w->t;
	const struct ks_config *cfg = t->cfg;
	const struct ks_kernel_ctx kc = {
		t->in_vecs, t->out_vecs, t->dim, &t->sigmoid, w->h, w->grad
	};
	size_t i, k = 0, window = (size_t)cfg->window, negative = (size_t)cfg->negative;

	for (i = 0; i < n; i++) {
		uint32_t id = ids[i], keep = t->keep[id];

		if (keep == UINT32_MAX || (uint32_t)ks_rng_next(&w->rng) < keep)
			w->kept[k++] = id;
	}
	w->unpublished += n;
	for (i = 0; i < k; i++) {
		size_t span = window - ks_rng_below(&w->rng, (uint32_t)window);
		size_t lo = i > span ? i - span : 0;
		size_t hi = i + span < k ? i + span : k - 1;
		size_t j, q, n_ctx = 0;
		float alpha = w->alpha;

		for (j = lo; j <= hi; j++)
			if (j != i)
				w->ctx[n_ctx++] = w->kept[j];
		if (n_ctx == 0)
			continue;
		if (cfg->cbow) {
			for (q = 0; q < negative; q++)
				w->neg[q] = ks_alias_draw(t->alias, &w->rng);
			w->loss += ks_cbow_step(&kc, w->ctx, n_ctx, w->kept[i], w->neg, negative,
						alpha * t->in_scale, alpha, cfg->cbow_update);
			w->examples++;
			continue;
		}
		for (j = 0; j < n_ctx; j++) {
			for (q = 0; q < negative; q++)
				w->neg[q] = ks_alias_draw(t->alias, &w->rng);
			w->loss += ks_sg_step(&kc, w->kept[i], w->ctx[j], w->neg, negative, alpha, alpha);
			w->examples++;
		}
	}
	if (w->unpublished >= TRAIN_PUBLISH_WORDS)
		worker_publish(w);
}

/* Splits a batch into sentences and sentences into -max-sentence chunks. */
static void
worker_batch(struct worker *w, const uint32_t *ids, size_t n)
{
	size_t max = (size_t)w->t->cfg->max_sentence, start = 0, i;

	for (i = 0; i <= n; i++) {
		size_t c;

		if (i < n && ids[i] != KS_EOS)
			continue;
		for (c = start; c < i; c += max)
			worker_sentence(w, ids + c, i - c < max ? i - c : max);
		start = i + 1;
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct train *t = w->t;
	struct ks_batch b;
	int rc = 0;	/* stays 0 when another worker stopped the run first */

	w->alpha = train_alpha(t, atomic_load(&t->words_done));
	while (!atomic_load_explicit(&t->stop, memory_order_relaxed) &&
	       (rc = ks_stream_next(t->stream, &b)) == 1) {
		worker_batch(w, b.ids, b.n);
		ks_stream_release(t->stream, &b);
	}
	if (rc < 0 && w->status == KS_OK)
		w->status = rc;	/* the reader's message comes from ks_stream_stop */
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
	ks_alias_destroy(t->alias);
}

static int
train_setup(struct train *t, const struct ks_config *cfg, struct ks_stream *stream,
	    struct ks_err *err)
{
	struct ks_stream_info info;
	struct ks_rng rng;
	uint64_t *counts;
	size_t i, cells;
	int rc;

	t->cfg = cfg;
	t->stream = stream;
	t->vocab = ks_stream_vocab(stream);
	t->n_words = ks_vocab_size(t->vocab);
	t->dim = (size_t)cfg->size;
	ks_stream_info(stream, &info);
	t->total_words = info.train_words * (uint64_t)cfg->iter;
	t->alpha0 = (float)cfg->alpha;
	t->in_scale = cfg->cbow ? (float)cfg->alpha_in_scale : 1.0f;
	ks_sigmoid_init(&t->sigmoid);
	if (ks_mul_size(t->n_words, t->dim, &cells) != 0)
		return ks_err_set(err, KS_ERR_NOMEM, "the model (%zu x %zu) is too large",
				  t->n_words, t->dim);
	t->in_vecs = ks_aligned_calloc(cells, sizeof(float));
	t->out_vecs = ks_aligned_calloc(cells, sizeof(float));
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
	free(counts);
	if (rc != KS_OK)
		return rc;
	/* word2vec.c's initialisation: uniform in [-0.5/dim, 0.5/dim), zero outputs. */
	ks_rng_seed(&rng, cfg->seed, TRAIN_INIT_STREAM);
	for (i = 0; i < cells; i++) {
		double u = (double)(ks_rng_next(&rng) >> 11) * 0x1.0p-53;

		t->in_vecs[i] = (float)((u - 0.5) / (double)t->dim);
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

/* Waits for the workers, reporting progress about once a second. */
static double
train_watch(struct train *t, struct worker *ws, size_t n, const struct ks_log *log,
	    double start)
{
	double last_t = start, last_loss = 0, interval_loss = NAN;
	uint64_t last_words = 0, last_ex = 0;

	pthread_mutex_lock(&t->lock);
	while (t->running > 0) {
		struct timespec deadline;
		double now, loss, rate;
		uint64_t words, ex;
		char rbuf[32], eta[32];

		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += 1;
		pthread_cond_timedwait(&t->done, &t->lock, &deadline);
		if (t->running == 0)
			break;
		now = train_now();
		words = atomic_load(&t->words_done);
		train_loss_totals(ws, n, &loss, &ex);
		if (ex > last_ex)
			interval_loss = (loss - last_loss) / (double)(ex - last_ex);
		rate = (double)(words - last_words) / (now - last_t);
		train_format_count(rate / (double)n, rbuf, sizeof(rbuf));
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
	{
		double loss;
		uint64_t ex;

		train_loss_totals(ws, n, &loss, &ex);
		if (ex > last_ex)
			interval_loss = (loss - last_loss) / (double)(ex - last_ex);
	}
	return interval_loss;
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
		ks_rng_seed(&w->rng, cfg->seed, i);
		w->h = ks_aligned_calloc(t->dim, sizeof(float));
		w->grad = ks_aligned_calloc(t->dim, sizeof(float));
		w->kept = ks_malloc_array((size_t)cfg->max_sentence, sizeof(uint32_t));
		w->ctx = ks_malloc_array(2 * (size_t)cfg->window, sizeof(uint32_t));
		w->neg = ks_malloc_array((size_t)cfg->negative, sizeof(uint32_t));
		if (!w->h || !w->grad || !w->kept || !w->ctx || !w->neg)
			rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory for worker %zu", i);
	}
	if (rc == KS_OK)
		rc = ks_stream_start(t->stream, (uint64_t)cfg->iter, err);
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->done, NULL);
	start = train_now();
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
		rep->final_loss = train_watch(t, ws, n, log, start);
	for (i = 0; i < started; i++)
		pthread_join(ws[i].thread, NULL);
	rep->train_seconds = train_now() - start;
	rep->words_done = atomic_load(&t->words_done);
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
	for (i = 0; i < n; i++) {
		free(ws[i].h);
		free(ws[i].grad);
		free(ws[i].kept);
		free(ws[i].ctx);
		free(ws[i].neg);
	}
	free(ws);
	pthread_cond_destroy(&t->done);
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

static int
train_write(const struct train *t, struct ks_err *err)
{
	const struct ks_config *cfg = t->cfg;
	enum ks_vecfile_format fmt = cfg->binary ? KS_VECFILE_BINARY : KS_VECFILE_TEXT;
	const char **words;
	size_t i, cells = t->n_words * t->dim;
	int rc;

	if ((rc = train_check_finite(t->in_vecs, cells, "word", err)) != KS_OK ||
	    (cfg->save_context && (rc = train_check_finite(t->out_vecs, cells, "context", err)) != KS_OK))
		return rc;
	words = ks_malloc_array(t->n_words, sizeof(*words));
	if (words == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	for (i = 0; i < t->n_words; i++)
		words[i] = ks_vocab_word(t->vocab, (uint32_t)i);
	rc = KS_OK;
	if (cfg->output)
		rc = ks_vecfile_write(cfg->output, fmt, words, t->in_vecs, t->n_words, t->dim, err);
	if (rc == KS_OK && cfg->save_context)
		rc = ks_vecfile_write(cfg->save_context, fmt, words, t->out_vecs, t->n_words, t->dim, err);
	free(words);
	return rc;
}

static int
train_check_outputs(const struct ks_config *cfg, struct ks_err *err)
{
	const char *paths[3] = { cfg->output, cfg->save_context, cfg->save_vocab };
	size_t i;
	int rc;

	for (i = 0; i < 3; i++)
		if (paths[i] && (rc = ks_outfile_check(paths[i], err)) != KS_OK)
			return rc;
	return KS_OK;
}

int
ks_train(const struct ks_config *cfg, const struct ks_log *log, struct ks_train_report *rep,
	 struct ks_err *err)
{
	struct ks_train_report local;
	struct ks_stream_opts so;
	struct ks_stream_info info;
	struct ks_stream *stream = NULL;
	struct train t;
	double start = train_now();
	int rc;

	if (rep == NULL)
		rep = &local;
	memset(rep, 0, sizeof(*rep));
	memset(&t, 0, sizeof(t));
	if ((rc = train_check_outputs(cfg, err)) != KS_OK)
		return rc;
	memset(&so, 0, sizeof(so));
	so.paths = (const char *const *)cfg->train;
	so.n_paths = cfg->n_train;
	so.cache_bytes = (size_t)cfg->cache_mb << 20;
	so.vocab_bytes = (size_t)cfg->vocab_mb << 20;
	so.min_count = (uint64_t)cfg->min_count;
	so.max_vocab = (uint64_t)cfg->max_vocab;
	so.max_sentence = (size_t)cfg->max_sentence;
	so.read_vocab = cfg->read_vocab;
	if ((rc = ks_stream_load(&stream, &so, log, err)) != KS_OK)
		return rc;
	ks_stream_info(stream, &info);
	rep->corpus_words = info.corpus_words;
	rep->train_words = info.train_words;
	rep->long_tokens = info.long_tokens;
	rep->cached = info.cached;
	rep->vocab_size = ks_vocab_size(ks_stream_vocab(stream));
	rep->load_seconds = train_now() - start;
	ks_log(log, KS_LOG_INFO,
	       "corpus: %llu words, %llu sentences; vocabulary: %zu words (min-count %ld); "
	       "%llu training words per epoch%s (%.1fs)",
	       (unsigned long long)info.corpus_words, (unsigned long long)info.sentences,
	       rep->vocab_size, cfg->min_count, (unsigned long long)info.train_words,
	       info.cached ? ", cached in memory" : ", streamed from disk", rep->load_seconds);
	if (info.long_tokens > 0)
		ks_log(log, KS_LOG_WARN, "skipped %llu tokens longer than %d bytes",
		       (unsigned long long)info.long_tokens, KS_MAX_WORD_BYTES);
	if (cfg->save_vocab && (rc = ks_vocab_save(ks_stream_vocab(stream), cfg->save_vocab, err)) != KS_OK)
		goto out;
	if ((rc = train_setup(&t, cfg, stream, err)) != KS_OK)
		goto out;
	ks_log(log, KS_LOG_INFO, "training %s: %ld dimensions, window %ld, %ld negatives, "
	       "%ld epochs, %ld threads, alpha %g (input vectors x%g)",
	       !cfg->cbow ? "skip-gram" : cfg->cbow_update == KS_CBOW_CORRECTED
	       ? "CBOW (corrected)" : "CBOW (word2vec update)",
	       cfg->size, cfg->window, cfg->negative, cfg->iter, cfg->threads, cfg->alpha,
	       (double)t.in_scale);
	if ((rc = train_run_workers(&t, log, rep, err)) != KS_OK)
		goto out;
	rc = train_write(&t, err);
out:
	train_free(&t);
	ks_stream_destroy(stream);
	rep->total_seconds = train_now() - start;
	if (rc == KS_OK) {
		char total[32], per[32];
		double secs = rep->train_seconds > 0 ? rep->train_seconds : 1e-9;

		train_format_count((double)rep->words_done / secs, total, sizeof(total));
		train_format_count((double)rep->words_done / secs / (double)cfg->threads, per, sizeof(per));
		ks_log(log, KS_LOG_INFO,
		       "done: %llu words in %.1fs of training (%s words/s, %s words/s/thread), "
		       "%.1fs in all; final loss %.4f",
		       (unsigned long long)rep->words_done, rep->train_seconds, total, per,
		       rep->total_seconds, rep->final_loss);
	}
	return rc;
}
