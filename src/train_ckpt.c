/*
 * The trainer's checkpoints (checkpoint.h holds the format): the workers'
 * stops and periodic pauses, writing a checkpoint (under dist, this rank's
 * part of the job's), and checking and restoring one to resume.
 *
 * Workers look at two flags between batches (train_ckpt_poll),
 * never inside one. "interrupted" (raised by cfg->interrupt, the test hook
 * cfg->stop_after_words, and never lowered) makes each worker save what it
 * carries to the next batch and leave; the main thread then writes the
 * checkpoint (train_ckpt_stopped). "pause" (raised by the main
 * thread every -checkpoint-every minutes) parks every worker at a barrier
 * while the main thread writes a checkpoint, then releases them, so even
 * with several threads a periodic checkpoint is a consistent state and not
 * a picture of rows that Hogwild updates are still changing. With one
 * thread neither changes what is trained, so an interrupted and resumed
 * run ends with the same bytes as an uninterrupted one. Under dist
 * (kensho-mpi) a signal only asks: the sync round that sees the request
 * raises the stop or the pause on every rank (dist.h), and each rank
 * writes its part of the job's checkpoint.
 */
#include "train.h"
#include "train_impl.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "paths.h"
#include "vocab.h"

static int train_ckpt_write_job(struct train *t, struct ks_ckpt *c, struct ks_err *err);


void
train_ckpt_snapshot(struct worker *w)
{
	w->snap.rng = w->rng;
	w->snap.unpublished = w->unpublished;
	w->snap.alpha = w->alpha;
	w->snap.loss = w->loss;
	w->snap.examples = w->examples;
	w->snap.last_loss = w->last_loss;
	w->snap.last_examples = w->last_examples;
}

/* Parks the worker while the main thread writes a periodic checkpoint. */
static void
train_ckpt_pause(struct worker *w)
{
	struct train *t = w->t;

	pthread_mutex_lock(&t->lock);
	if (atomic_load(&t->pause)) {
		train_ckpt_snapshot(w);
		t->paused++;
		pthread_cond_signal(&t->done);
		while (atomic_load(&t->pause))
			pthread_cond_wait(&t->unpause, &t->lock);
		t->paused--;
	}
	pthread_mutex_unlock(&t->lock);
}

int
train_ckpt_poll(struct worker *w)
{
	struct train *t = w->t;
	const struct ks_config *cfg = t->cfg;

	if ((cfg->interrupt != NULL && atomic_load_explicit(cfg->interrupt, memory_order_relaxed)) ||
	    (cfg->stop_after_words > 0 &&
	     atomic_load(&t->words_done) + w->unpublished >= cfg->stop_after_words))
		/* Under dist the job stops together, at the round that sees the request. */
		atomic_store(cfg->dist != NULL ? &cfg->dist->want_stop : &t->interrupted, 1);
	if (cfg->dist != NULL) {
		if (atomic_load(&cfg->dist->stopping))
			atomic_store(&t->interrupted, 1);
		else if (atomic_load(&cfg->dist->ckpt_due))
			atomic_store(&t->pause, 1);	/* train_watch writes this rank's part */
	}
	if (atomic_load_explicit(&t->interrupted, memory_order_relaxed)) {
		train_ckpt_snapshot(w);
		return 1;
	}
	if (atomic_load_explicit(&t->pause, memory_order_relaxed))
		train_ckpt_pause(w);
	return 0;
}

/*
 * Writes the checkpoint from the workers' snapshots. published is the
 * word count the learning-rate schedule had seen at the snapshot.
 */
/*
 * Fills c with the training's state but the progress and the workers:
 * settings, vocabulary (c->words and c->counts allocated, for the caller
 * to free), matrices, position weights and inner-node rows (borrowed).
 */
static int
train_ckpt_fill(const struct train *t, struct ks_ckpt *c, struct ks_err *err)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->set = t->ckpt_set;
	c->batches_per_epoch = ks_stream_batches(t->stream);
	c->train_words = t->train_words;
	c->n_words = t->n_words;
	c->dim = t->dim;
	c->stride = t->stride;
	c->in_vecs = t->in_vecs;
	c->out_vecs = t->out_vecs;
	if (t->pos != NULL) {
		c->n_pos = ks_positions_floats(t->pos);
		c->pos = ks_positions_weights(t->pos);
	}
	if (t->hs_vecs != NULL) {
		c->n_hs = t->n_words - 1;
		c->hs_vecs = t->hs_vecs;
	}
	c->words = ks_malloc_array(t->n_words, sizeof(*c->words));
	c->counts = ks_malloc_array(t->n_words, sizeof(*c->counts));
	if (c->words == NULL || c->counts == NULL) {
		free(c->words);
		free(c->counts);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the checkpoint");
	}
	for (i = 0; i < t->n_words; i++) {
		c->words[i] = ks_vocab_word(t->vocab, (uint32_t)i);
		c->counts[i] = ks_vocab_count(t->vocab, (uint32_t)i);
	}
	return KS_OK;
}

/*
 * Writes the checkpoint from the workers' snapshots. published is the
 * word count the learning-rate schedule had seen at the snapshot.
 */
static int
train_ckpt_write(struct train *t, const struct worker *ws, size_t n, uint64_t published,
		       const struct ks_stream_pos *pos, struct ks_err *err)
{
	struct ks_ckpt c;
	size_t i;
	int rc;

	if ((rc = train_ckpt_fill(t, &c, err)) != KS_OK)
		return rc;
	c.epoch = pos->epoch;
	c.batch = pos->batch;
	c.words_done = published;
	c.n_workers = n;
	c.workers = ks_malloc_array(n, sizeof(*c.workers));
	if (c.workers == NULL) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory for the checkpoint");
		goto out;
	}
	for (i = 0; i < n; i++)
		c.workers[i] = ws[i].snap;
	rc = t->cfg->dist != NULL ? train_ckpt_write_job(t, &c, err)
				  : ks_ckpt_write(t->ckpt_path, &c, err);
out:
	free(c.workers);
	free(c.words);
	free(c.counts);
	return rc;
}

/*
 * dist.h: this rank's part of the job's checkpoint, c with the job section
 * added, put in place only when every rank has written its own. Every
 * rank calls it at the same point.
 */
static int
train_ckpt_write_job(struct train *t, struct ks_ckpt *c, struct ks_err *err)
{
	struct ks_dist *d = t->cfg->dist;
	struct ks_dist_state st;
	struct ks_outfile *of = NULL;
	int rc;

	ks_dist_get_state(d, &st);
	c->job = (struct ks_ckpt_job){
		.ranks = (uint32_t)d->size, .rank = (uint32_t)d->rank,
		.split_files = d->split_files != 0, .sync_words = d->sync_words,
		.sync_rows = d->sync_rows, .sync_damping = d->damping, .round = st.round,
		.next_sync = st.next_sync,
		.words_offset = st.words_offset, .base_in = st.base[0], .base_out = st.base[1],
		.base_hs = st.base[2],
	};
	rc = ks_ckpt_write_pending(&of, t->ckpt_path, c, err);
	if (ks_dist_commit(d, rc == KS_OK ? of : NULL, err) != KS_OK && rc == KS_OK)
		rc = err->status;
	return rc;
}

int
train_ckpt_model_pending(const struct train *t, struct ks_outfile **out, struct ks_err *err)
{
	struct ks_ckpt c;
	int rc;

	if ((rc = train_ckpt_fill(t, &c, err)) != KS_OK)
		return rc;
	c.epoch = (uint64_t)t->cfg->iter;
	c.words_done = atomic_load(&t->words_done);
	rc = ks_ckpt_write_pending(out, t->cfg->save_model, &c, err);
	free(c.words);
	free(c.counts);
	return rc;
}

static double
train_ckpt_percent(const struct train *t, uint64_t words)
{
	return 100.0 * (double)words / (double)(t->total_words ? t->total_words : 1);
}

void
train_ckpt_deadline(const struct train *t, struct timespec *deadline)
{
	double wait = 1.0;

	if (t->ckpt_every > 0 && t->next_ckpt - train_now() < wait)
		wait = t->next_ckpt > train_now() ? t->next_ckpt - train_now() : 0;
	deadline->tv_nsec += (long)((wait - (double)(long)wait) * 1e9);
	deadline->tv_sec += (time_t)wait + deadline->tv_nsec / 1000000000L;
	deadline->tv_nsec %= 1000000000L;
}

void
train_ckpt_periodic(struct train *t, struct worker *ws, size_t n, const struct ks_log *log)
{
	struct ks_dist *d = t->cfg->dist;

	atomic_store(&t->pause, 1);
	while (t->paused < t->running)
		pthread_cond_wait(&t->done, &t->lock);
	if (d != NULL) {
		/* Every rank writes its part, one whose share is trained too (its workers left). */
		struct ks_stream_pos pos;
		struct ks_err err;
		uint64_t words = atomic_load(&t->words_done);

		ks_stream_position(t->stream, &pos);
		if (atomic_load(&t->stop))
			;	/* a worker failed: the job ends with its message */
		else if (train_ckpt_write(t, ws, n, words, &pos, &err) == KS_OK)
			ks_log(log, KS_LOG_INFO, "checkpoint of the job at %.1f%% written to %s.rank0 "
			       "to .rank%d", train_ckpt_percent(t, train_job_words(t, words)), d->ckpt_name,
			       d->size - 1);
		else
			ks_log(log, KS_LOG_WARN, "no checkpoint this time (training goes on): %s",
			       err.msg);
		ks_dist_ckpt_done(d);
	} else if (t->running == (int)n && !atomic_load(&t->interrupted) &&
		   !atomic_load(&t->stop)) {
		/* A worker that has left has no more batches: the end is too near to bother. */
		struct ks_stream_pos pos;
		struct ks_err err;
		uint64_t words = atomic_load(&t->words_done);

		ks_stream_position(t->stream, &pos);
		/* Every batch handed out and trained, as train_ckpt_stopped
		 * finds too: such a checkpoint has nothing to resume, and
		 * ks_ckpt_read rightly refuses one that has workers. */
		if (pos.epoch >= (uint64_t)t->cfg->iter)
			ks_log(log, KS_LOG_DEBUG, "no checkpoint: the last batch is trained");
		else if (train_ckpt_write(t, ws, n, words, &pos, &err) == KS_OK)
			ks_log(log, KS_LOG_INFO, "checkpoint at %.1f%% written to %s",
			       train_ckpt_percent(t, words), t->ckpt_path);
		else
			ks_log(log, KS_LOG_WARN, "no checkpoint this time (training goes on): %s",
			       err.msg);
	}
	atomic_store(&t->pause, 0);
	pthread_cond_broadcast(&t->unpause);
}

void
train_ckpt_joined(struct train *t)
{
	if (!atomic_load(&t->interrupted))
		return;
	ks_stream_position(t->stream, &t->stop_pos);
	ks_stream_cancel(t->stream);
}

int
train_ckpt_stopped(struct train *t, struct worker *ws, size_t n, const struct ks_log *log,
			 struct ks_err *err)
{
	struct ks_stream_pos pos = t->stop_pos;
	struct ks_err werr;
	uint64_t published = atomic_load(&t->words_done);
	size_t i;

	/* Under dist some rank has batches left, or the rounds would have finished the job. */
	if (pos.epoch >= (uint64_t)t->cfg->iter && t->cfg->dist == NULL) {
		ks_log(log, KS_LOG_INFO, "interrupted after the last batch: finishing");
		return KS_OK;
	}
	/* Each worker published its snapshot's words on leaving; take them back. */
	for (i = 0; i < n; i++)
		published -= ws[i].snap.unpublished;
	if (train_ckpt_write(t, ws, n, published, &pos, &werr) != KS_OK)
		return ks_err_set(err, werr.status,
				  "interrupted, and the checkpoint could not be written: %s",
				  werr.msg);
	if (t->cfg->dist != NULL)
		return ks_err_set(err, KS_ERR_INTERRUPTED,
				  "interrupted at %.1f%%: the job's checkpoint is written to "
				  "%s.rank0 to .rank%d; to continue, run the job again with the same "
				  "options, ranks and -resume %s",
				  train_ckpt_percent(t, train_job_words(t, published)), t->cfg->dist->ckpt_name,
				  t->cfg->dist->size - 1, t->cfg->dist->ckpt_name);
	return ks_err_set(err, KS_ERR_INTERRUPTED,
			  "interrupted at %.1f%% (epoch %llu of %ld): checkpoint written to %s; "
			  "to continue, run again with the same options and -resume %s",
			  train_ckpt_percent(t, published), (unsigned long long)pos.epoch + 1,
			  t->cfg->iter, t->ckpt_path, t->ckpt_path);
}

/* The checkpoint lands beside the file the vectors replace (train.h). */
int
ks_train_checkpoint_path(const struct ks_config *cfg, char **out, struct ks_err *err)
{
	const char *outs[4] = { cfg->output, cfg->save_context, cfg->save_vocab, cfg->save_model };
	size_t i;

	*out = NULL;
	if (cfg->checkpoint != NULL || cfg->resume != NULL) {
		*out = strdup(cfg->checkpoint != NULL ? cfg->checkpoint : cfg->resume);
		return *out != NULL ? KS_OK : ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < 4 && *out == NULL; i++) {
		struct ks_target tg;
		size_t n;
		int rc, regular;

		if (outs[i] == NULL)
			continue;
		if ((rc = ks_path_target(&tg, outs[i], err)) != KS_OK)
			return rc;
		regular = tg.kind == KS_TARGET_REPLACE;
		n = regular ? strlen(tg.path) : 0;
		if (regular && (*out = malloc(n + sizeof(".ckpt"))) != NULL) {
			memcpy(*out, tg.path, n);
			memcpy(*out + n, ".ckpt", sizeof(".ckpt"));
		}
		ks_target_free(&tg);
		if (regular && *out == NULL)
			return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	}
	if (*out == NULL)
		*out = strdup("kensho.ckpt");
	return *out != NULL ? KS_OK : ks_err_set(err, KS_ERR_NOMEM, "out of memory");
}

/*
 * -resume: a kensho-mpi job's checkpoint only under a job of the same
 * ranks and schedule (dist.h), and every rank's file from the same round;
 * a plain training's only outside one.
 */
static int
train_ckpt_check_job(const struct ks_ckpt *c, const struct ks_config *cfg,
			   struct ks_err *err)
{
	const struct ks_ckpt_job *j = &c->job;
	const struct ks_dist *d = cfg->dist;
	const char *path = cfg->resume;

	if (d == NULL && j->ranks == 0)
		return KS_OK;
	if (d == NULL)
		return ks_err_set(err, KS_ERR_USAGE, "-resume %s: it holds rank %u's part of a "
				  "kensho-mpi job of %u ranks; resume the job with mpirun -np %u "
				  "kensho-mpi", path, j->rank, j->ranks, j->ranks);
	if (j->ranks == 0)
		return ks_err_set(err, KS_ERR_USAGE, "-resume %s: a checkpoint of a training by "
				  "kensho, not of a kensho-mpi job; resume it with kensho", path);
	if (j->ranks != (uint32_t)d->size)
		return ks_err_set(err, KS_ERR_USAGE, "-resume %s: the checkpoint is of a job of %u "
				  "ranks, this job has %d; run it with mpirun -np %u", path, j->ranks,
				  d->size, j->ranks);
	if (j->rank != (uint32_t)d->rank)
		return ks_err_set(err, KS_ERR_USAGE, "-resume %s: it holds rank %u's part of the "
				  "job, not rank %d's", path, j->rank, d->rank);
	if (j->sync_words != d->sync_words || j->sync_rows != d->sync_rows)
		return ks_err_set(err, KS_ERR_USAGE, "-resume %s: the job ran with -sync-words %llu "
				  "-sync-rows %llu, this one with %llu and %zu: resume with the "
				  "options of the interrupted job", path,
				  (unsigned long long)j->sync_words, (unsigned long long)j->sync_rows,
				  (unsigned long long)d->sync_words, d->sync_rows);
	if (j->sync_damping != d->damping)
		return ks_err_set(err, KS_ERR_USAGE, "-resume %s: the job ran with -sync-damping %g, "
				  "this one with %g: resume with the options of the interrupted job",
				  path, j->sync_damping, d->damping);
	if (j->split_files != (uint32_t)(d->split_files != 0))
		return ks_err_set(err, KS_ERR_USAGE, "-resume %s: the job's corpus was shared out "
				  "%s, this one's %s: resume with the -shard of the interrupted job",
				  path, j->split_files ? "by files" : "by chunks",
				  d->split_files ? "by files" : "by chunks");
	/* A collective: a rank that failed above has ended the job instead. */
	if (!ks_dist_same(cfg->dist, j->round))
		return ks_err_set(err, KS_ERR_USAGE, "-resume %s: the ranks' checkpoint files are "
				  "from different rounds (this one from round %llu): a job ended "
				  "while they were put in place; they cannot be resumed together",
				  path, (unsigned long long)j->round);
	return KS_OK;
}

int
train_ckpt_begin(struct train *t, const struct ks_config *cfg, const struct ks_log *log,
		       struct ks_err *err)
{
	int rc;

	t->cfg = cfg;
	t->ckpt_every = cfg->checkpoint_every * 60.0;
	if ((cfg->checkpoint != NULL || t->ckpt_every > 0) &&
	    (rc = ks_outfile_check(t->ckpt_path, err)) != KS_OK)
		return rc;
	if ((rc = ks_ckpt_settings_init(&t->ckpt_set, cfg, 0, err)) != KS_OK)
		return rc;
	if (cfg->resume == NULL)
		return KS_OK;
	if ((rc = ks_ckpt_read(&t->resume, cfg->resume, err)) != KS_OK)
		return rc;
	if (ks_ckpt_finished(t->resume))
		return ks_err_set(err, KS_ERR_USAGE,
				  "-resume %s: it holds a finished training (a -save-model file), "
				  "with nothing left to resume; to train it further, give -init %s",
				  cfg->resume, cfg->resume);
	if ((rc = ks_ckpt_check(t->resume, cfg->resume, &t->ckpt_set, err)) != KS_OK ||
	    (rc = train_ckpt_check_job(t->resume, cfg, err)) != KS_OK)
		return rc;
	ks_log(log, KS_LOG_DEBUG, "read checkpoint %s", cfg->resume);
	return KS_OK;
}

int
train_ckpt_match(struct train *t, const struct ks_stream *stream,
		       const struct ks_stream_info *info, const struct ks_log *log,
		       struct ks_err *err)
{
	const struct ks_vocab *v = ks_stream_vocab(stream);
	const struct ks_ckpt *c = t->resume;
	const char *path = t->cfg->resume;
	size_t i, n = ks_vocab_size(v);
	int rc;

	t->ckpt_set.cached = info->cached;
	t->train_words = info->train_words;
	if (c == NULL)
		return KS_OK;
	if ((rc = ks_ckpt_check_cached(c, path, info->cached, err)) != KS_OK)
		return rc;
	if (c->n_words != n)
		return ks_err_set(err, KS_ERR_USAGE,
				  "-resume %s: the checkpoint's vocabulary has %zu words, the "
				  "corpus now gives %zu: the training input changed", path,
				  c->n_words, n);
	for (i = 0; i < n; i++)
		if (strcmp(c->words[i], ks_vocab_word(v, (uint32_t)i)) != 0 ||
		    c->counts[i] != ks_vocab_count(v, (uint32_t)i))
			return ks_err_set(err, KS_ERR_USAGE,
					  "-resume %s: word %zu of the vocabulary is '%s' (%llu) in "
					  "the checkpoint and '%s' (%llu) now: the training input "
					  "changed", path, i + 1, c->words[i],
					  (unsigned long long)c->counts[i], ks_vocab_word(v, (uint32_t)i),
					  (unsigned long long)ks_vocab_count(v, (uint32_t)i));
	if (c->train_words != info->train_words ||
	    c->batches_per_epoch != ks_stream_batches(stream))
		return ks_err_set(err, KS_ERR_USAGE,
				  "-resume %s: the corpus gives another token stream than when the "
				  "checkpoint was taken: the training input changed", path);
	atomic_store(&t->words_done, c->words_done);
	if (t->cfg->dist != NULL) {
		struct ks_dist_state st = {
			c->job.round, c->job.next_sync, c->job.words_offset,
			{ c->job.base_in, c->job.base_out, c->job.base_hs }
		};

		ks_dist_set_state(t->cfg->dist, &st);	/* adopts the bases */
		t->resume->job.base_in = t->resume->job.base_out = t->resume->job.base_hs = NULL;
	}
	/* train_words > 0 here: ks_stream_load refuses an empty stream. */
	ks_log(log, KS_LOG_INFO, "resuming from %s at %.1f%% (epoch %llu of %ld)",
	       t->cfg->dist != NULL ? t->cfg->dist->ckpt_name : path,
	       100.0 * (double)train_job_words(t, c->words_done) /
		       ((double)info->train_words * (double)t->cfg->iter),
	       (unsigned long long)(c->epoch < (uint64_t)t->cfg->iter ? c->epoch + 1 : c->epoch),
	       t->cfg->iter);
	return KS_OK;
}
