/*
 * The token stream (see stream.h).
 *
 * Loading reads the corpus exactly once. In counting mode each token is
 * added to the vocabulary and its stream id appended to the cache; after
 * the vocabulary is final the cache is remapped in place to final ids,
 * dropping words under -min-count (and pruned ones) and the sentence ends
 * that would close empty sentences. Because remapping only ever removes
 * entries, no second buffer is needed.
 *
 * Cached streams are served as precomputed slices of about
 * STREAM_BATCH_WORDS words taken with one atomic increment, for every
 * epoch in turn. Uncached streams are parsed again each epoch by one reader
 * thread that fills a small pool of batch buffers; workers take full ones
 * and give them back.
 */
#include "stream.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corpus.h"
#include "mem.h"

#define STREAM_BATCH_WORDS 10000
#define STREAM_POOL_BUFFERS 16
/* Tokens read and counted at a time while loading. */
#define STREAM_READ_TOKENS 1024
/* Tokens read between two looks at the stop flag while loading. */
#define STREAM_STOP_POLL 65536

struct stream_buf {
	uint32_t *ids;
	size_t n;
	struct ks_stream_pos pos;	/* where this batch is in the stream */
	int last;		/* the last batch of its epoch */
	struct stream_buf *next;
};

struct ks_stream {
	struct ks_stream_opts opts;
	struct ks_corpus *corpus;
	struct ks_vocab *vocab;
	struct ks_stream_info info;

	/* The cache and its slices. */
	uint32_t *cache;
	size_t cache_len;
	size_t cache_reserved;	/* bytes from ks_reserve, or 0: the cache is malloc'd */
	size_t *slices;		/* n_slices + 1 offsets into the cache */
	size_t n_slices;
	uint64_t epochs;
	atomic_uint_fast64_t next_slice;

	/* The reader thread, for uncached streams. */
	pthread_t reader;
	int reader_started;
	pthread_mutex_t lock;
	pthread_cond_t ready_cond;	/* a buffer became ready, or the reader ended */
	pthread_cond_t free_cond;	/* a buffer was given back, or cancel */
	struct stream_buf pool[STREAM_POOL_BUFFERS];
	struct stream_buf *free_list;
	struct stream_buf *ready_head, *ready_tail;
	int reader_done;
	int cancelled;
	int reader_status;
	struct ks_err reader_err;
	struct ks_stream_pos from;	/* where serving started */
	struct ks_stream_pos served;	/* uncached: the batch after the last one served */
	uint64_t found_words;	/* words a lookup pass found in the vocabulary */
};

/* Tracks where a batch may be cut: after a sentence end or a full chunk. */
struct stream_cutter {
	size_t sent_len;
	size_t max_sentence;
	int after_eos;
};

static void
cutter_push(struct stream_cutter *c, uint32_t id)
{
	if (id == KS_EOS) {
		c->sent_len = 0;
		c->after_eos = 1;
	} else {
		c->sent_len++;
		c->after_eos = 0;
	}
}

static int
cutter_can_cut(const struct stream_cutter *c)
{
	return c->after_eos || (c->sent_len > 0 && c->sent_len % c->max_sentence == 0);
}

/*
 * Appends id to the cache; returns 0, or -1 past the budget. The cache is
 * the whole budget of address space, reserved on the first push and
 * filled in place (ks_reserve); where that cannot be had, it doubles by
 * realloc up to the budget. Either way it is full at the same id.
 */
static int
stream_cache_push(struct ks_stream *s, size_t *cap, uint32_t id)
{
	if (s->cache_len == *cap) {
		size_t max_ids = s->opts.cache_bytes / sizeof(uint32_t);
		size_t grown = *cap ? *cap * 2 : (size_t)1 << 20;
		uint32_t *p;

		if (*cap >= max_ids)
			return -1;
		if (*cap == 0 && (p = ks_reserve(max_ids * sizeof(*p))) != NULL) {
			s->cache = p;
			s->cache_reserved = max_ids * sizeof(*p);
			*cap = max_ids;
		} else {
			if (grown > max_ids)
				grown = max_ids;
			p = ks_realloc_array(s->cache, grown, sizeof(*p));
			if (p == NULL)
				return -1;
			s->cache = p;
			*cap = grown;
		}
	}
	s->cache[s->cache_len++] = id;
	return 0;
}

/* Gives back the address space a reserved cache holds beyond its ids. */
static void
stream_trim_cache(struct ks_stream *s)
{
	if (s->cache_reserved > 0)
		s->cache_reserved = ks_release_tail(s->cache, s->cache_len * sizeof(*s->cache),
						    s->cache_reserved);
}

static void
stream_drop_cache(struct ks_stream *s)
{
	if (s->cache_reserved > 0)
		ks_release(s->cache, s->cache_reserved);
	else
		free(s->cache);
	s->cache = NULL;
	s->cache_len = 0;
	s->cache_reserved = 0;
}

/* Remaps stream ids to final ids in place, dropping unknown words. */
static void
stream_remap(struct ks_stream *s)
{
	const uint32_t *map = ks_vocab_stream_map(s->vocab);
	size_t i, out = 0;
	int open = 0;

	for (i = 0; i < s->cache_len; i++) {
		uint32_t sid = s->cache[i];

		if (sid == KS_EOS) {
			if (open)
				s->cache[out++] = KS_EOS;
			open = 0;
		} else if (map[sid] != KS_NO_WORD) {
			s->cache[out++] = map[sid];
			open = 1;
		}
	}
	s->cache_len = out;
}

static int
stream_make_slices(struct ks_stream *s, struct ks_err *err)
{
	struct stream_cutter cut = { 0, s->opts.max_sentence, 1 };
	size_t i, start = 0, n = 0, cap = s->cache_len / STREAM_BATCH_WORDS + 2;
	uint64_t words = 0;

	s->slices = ks_malloc_array(cap, sizeof(*s->slices));
	if (s->slices == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the token cache's slices");
	s->slices[n++] = 0;
	for (i = 0; i < s->cache_len; i++) {
		cutter_push(&cut, s->cache[i]);
		words += s->cache[i] != KS_EOS;
		if (i + 1 - start >= STREAM_BATCH_WORDS && cutter_can_cut(&cut)) {
			if (n == cap) {
				size_t *p = ks_realloc_array(s->slices, cap * 2, sizeof(*p));

				if (p == NULL)
					return ks_err_set(err, KS_ERR_NOMEM, "out of memory for slices");
				s->slices = p;
				cap *= 2;
			}
			s->slices[n++] = i + 1;
			start = i + 1;
		}
	}
	if (start < s->cache_len) {
		if (n == cap) {
			size_t *p = ks_realloc_array(s->slices, cap + 1, sizeof(*p));

			if (p == NULL)
				return ks_err_set(err, KS_ERR_NOMEM, "out of memory for slices");
			s->slices = p;
		}
		s->slices[n++] = s->cache_len;
	}
	s->n_slices = n - 1;
	s->info.train_words = words;
	return KS_OK;
}

static int
stream_cache_overflow(struct ks_stream *s, struct ks_err *err)
{
	const char *hint = "";

	stream_drop_cache(s);
	if (ks_corpus_rewindable(s->corpus))
		return KS_OK;
	/* One epoch with a vocabulary read needs one pass (see ks_stream_load). */
	if (s->opts.epochs == 1)
		hint = s->opts.read_vocab != NULL
		       ? "; or, since -iter is 1, give -cache-mb 0 to train as the corpus is read"
		       : "; or, since -iter is 1, give -read-vocab and -cache-mb 0 to read it only once";
	return ks_err_set(err, KS_ERR_LIMIT,
			  "the corpus does not fit the token cache (-cache-mb %zu) and "
			  "an input is standard input or a pipe, which cannot be read "
			  "again for each epoch: raise -cache-mb or train from a file%s",
			  s->opts.cache_bytes >> 20, hint);
}

/*
 * Reads the corpus once, counting words (counting) or looking them up in
 * the final vocabulary, into the cache while it fits. A lookup pass counts
 * the words it finds in s->found_words; with whole it reads on to the end
 * when the cache overflows, so that count is the epoch's true length,
 * else it stops there (the epochs will read the corpus anyway).
 */
static int
stream_read_all(struct ks_stream *s, const struct ks_log *log, int counting, int whole,
		struct ks_err *err)
{
	int caching = s->opts.cache_bytes >= sizeof(uint32_t);
	size_t cap = 0, polled = 0, n, i;
	struct ks_token toks[STREAM_READ_TOKENS];
	uint32_t ids[STREAM_READ_TOKENS];
	int kind, open = 0, rc;

	if (!caching && (rc = stream_cache_overflow(s, err)) != KS_OK)
		return rc;
	while ((kind = ks_corpus_next_many(s->corpus, toks, STREAM_READ_TOKENS, &n, err)) > 0) {
		if ((polled += n) >= STREAM_STOP_POLL) {
			polled = 0;
			if (s->opts.stop != NULL && atomic_load(s->opts.stop))
				return ks_err_set(err, KS_ERR_INTERRUPTED,
						  "interrupted while reading the corpus, before "
						  "training: nothing to save");
		}
		if (counting) {
			if ((rc = ks_vocab_add_many(s->vocab, toks, n, ids, err)) != KS_OK)
				return rc;
		} else {
			for (i = 0; i < n; i++)
				if (toks[i].len > 0) {
					ids[i] = ks_vocab_find(s->vocab, toks[i].bytes, toks[i].len);
					s->found_words += ids[i] != KS_NO_WORD;
				}
		}
		if (!caching)
			continue;
		for (i = 0; i < n; i++) {
			if (toks[i].len == 0) {
				if (open && stream_cache_push(s, &cap, KS_EOS) != 0)
					break;
				open = 0;
			} else if (ids[i] != KS_NO_WORD) {
				if (stream_cache_push(s, &cap, ids[i]) != 0)
					break;
				open = 1;
			}
		}
		if (i == n)
			continue;
		caching = 0;
		if ((rc = stream_cache_overflow(s, err)) != KS_OK)
			return rc;
		ks_log(log, KS_LOG_WARN,
		       "the corpus does not fit the token cache (-cache-mb %zu): "
		       "it will be read again for each epoch", s->opts.cache_bytes >> 20);
		if (!counting && !whole)
			return KS_OK;
	}
	if (kind < 0)
		return kind;
	if (caching && open && stream_cache_push(s, &cap, KS_EOS) != 0) {
		caching = 0;
		if ((rc = stream_cache_overflow(s, err)) != KS_OK)
			return rc;
	}
	/*
	 * Remapping the cache needs a map of 4 bytes per stream id (pruned
	 * words included, so it can approach the cache's own size on a corpus
	 * of mostly distinct tokens): both must fit -cache-mb together.
	 */
	if (caching && counting &&
	    (s->cache_len + ks_vocab_stream_ids(s->vocab)) > s->opts.cache_bytes / sizeof(uint32_t)) {
		caching = 0;
		if ((rc = stream_cache_overflow(s, err)) != KS_OK)
			return rc;
		ks_log(log, KS_LOG_WARN,
		       "the corpus and its map of %lu distinct words do not fit the token cache "
		       "(-cache-mb %zu): it will be read again for each epoch",
		       (unsigned long)ks_vocab_stream_ids(s->vocab), s->opts.cache_bytes >> 20);
	}
	s->info.cached = caching;
	return KS_OK;
}

/* stat(2) of an input path, "-" being standard input; 0 on success. */
static int
stream_stat_input(const char *path, struct stat *st)
{
	return strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, st) : stat(path, st);
}

/*
 * Refuses a vocabulary that is one of the corpus inputs when that input is
 * a pipe or a device, which can be read only once: whoever read it first
 * would leave nothing for the other (-train - -read-vocab /dev/stdin).
 * config.c refuses the plain spelling, "-" for both.
 */
static int
stream_check_vocab_source(const struct ks_stream_opts *opts, struct ks_err *err)
{
	struct stat vs, cs;
	size_t i;

	if (stream_stat_input(opts->read_vocab, &vs) != 0 || S_ISREG(vs.st_mode) ||
	    S_ISDIR(vs.st_mode))
		return KS_OK;
	for (i = 0; i < opts->n_paths; i++)
		if (stream_stat_input(opts->paths[i], &cs) == 0 && cs.st_dev == vs.st_dev &&
		    cs.st_ino == vs.st_ino)
			return ks_err_set(err, KS_ERR_USAGE,
					  "-read-vocab %s and -train %s are one pipe or device, which "
					  "can be read only once: give one of them as a file",
					  opts->read_vocab, opts->paths[i]);
	return KS_OK;
}

int
ks_stream_load(struct ks_stream **out, const struct ks_stream_opts *opts,
	       const struct ks_log *log, struct ks_err *err)
{
	struct ks_stream *s;
	struct ks_corpus_stats cs;
	int rc, recounted = 0;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	s->opts = *opts;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->ready_cond, NULL);
	pthread_cond_init(&s->free_cond, NULL);
	if ((rc = ks_corpus_open(&s->corpus, opts->paths, opts->n_paths, err)) != KS_OK)
		goto fail;
	if (opts->read_vocab != NULL && (rc = stream_check_vocab_source(opts, err)) != KS_OK)
		goto fail;
	if (opts->read_vocab != NULL)
		rc = ks_vocab_read(&s->vocab, opts->read_vocab, opts->min_count, opts->max_vocab, err);
	else
		rc = ks_vocab_create(&s->vocab, opts->vocab_bytes, err);
	if (rc != KS_OK)
		goto fail;
	if (opts->read_vocab != NULL && opts->epochs == 1 && opts->cache_bytes < sizeof(uint32_t) &&
	    !ks_corpus_rewindable(s->corpus)) {
		/*
		 * With the vocabulary read and no cache, loading would read the
		 * corpus only for its counts, and an input that cannot be read
		 * twice would then have nothing left for the one epoch: that
		 * epoch is the only pass (see stream.h).
		 */
		s->info.one_pass = 1;
		s->info.train_words = ks_vocab_total(s->vocab);
		if (s->info.train_words == 0) {
			rc = ks_err_set(err, KS_ERR_EMPTY, "%s: the words of the -read-vocab file "
					"add up to no occurrence", opts->read_vocab);
			goto fail;
		}
		*out = s;
		return KS_OK;
	}
	ks_corpus_read_ahead(s->corpus, opts->read_ahead);
	rc = stream_read_all(s, log, opts->read_vocab == NULL, 0, err);
	/* Epochs read from disk are read beside the workers: no extra thread. */
	ks_corpus_read_ahead(s->corpus, 0);
	if (rc != KS_OK)
		goto fail;
	ks_corpus_stats(s->corpus, &cs);
	s->info.corpus_words = cs.words;
	s->info.long_tokens = cs.long_tokens;
	s->info.sentences = cs.sentences;
	if (cs.words == 0 && !opts->part_of_job) {
		rc = ks_err_set(err, KS_ERR_EMPTY, "%s%s: the corpus holds no words",
				opts->paths[0], opts->n_paths > 1 ? " (and the other inputs)" : "");
		goto fail;
	}
	if (opts->read_vocab == NULL) {
		struct ks_vocab_stats vs;

		/* Without the cache the map would only hold memory outside any budget. */
		if (!s->info.cached)
			ks_vocab_skip_stream_map(s->vocab);
		if (opts->merge != NULL && (rc = opts->merge(opts->merge_ctx, s->vocab, err)) != KS_OK)
			goto fail;
		if (opts->n_base > 0) {
			struct ks_err sub;

			ks_err_clear(&sub);
			rc = ks_vocab_set_base(s->vocab, opts->base_words, opts->base_counts,
					       opts->n_base, opts->base_grow, &sub);
			if (rc != KS_OK) {
				rc = ks_err_set(err, rc, "%s: %s",
						opts->base_name ? opts->base_name : "the model",
						sub.msg);
				goto fail;
			}
		}
		if ((rc = ks_vocab_finalize(s->vocab, opts->min_count, opts->max_vocab, err)) != KS_OK)
			goto fail;
		ks_vocab_stats(s->vocab, &vs);
		if (vs.prunes > 0)
			ks_log(log, KS_LOG_WARN,
			       "the vocabulary outgrew -vocab-mb %zu: %llu rare words were pruned "
			       "(counts below %llu at the time); their counts are approximate",
			       opts->vocab_bytes >> 20, (unsigned long long)vs.pruned_words,
			       (unsigned long long)vs.prune_min_count);
		if (vs.prunes > 0 && ks_corpus_rewindable(s->corpus)) {
			/*
			 * A word pruned and seen again got a new stream id, so its
			 * earlier occurrences in the cache map to nothing, and the
			 * vocabulary's counts fall short of the words the epochs
			 * will read: a second pass looks every token up in the
			 * final vocabulary, so the cached and streamed epochs hold
			 * the same words and the schedule counts them exactly.
			 */
			int was_cached = s->info.cached;

			ks_vocab_skip_stream_map(s->vocab);
			stream_drop_cache(s);
			ks_corpus_read_ahead(s->corpus, opts->read_ahead);
			rc = ks_corpus_rewind(s->corpus, err);
			/* An overflow of the cache was reported by the first pass. */
			if (rc == KS_OK)
				rc = stream_read_all(s, was_cached ? log : NULL, 0, 1, err);
			ks_corpus_read_ahead(s->corpus, 0);
			if (rc != KS_OK)
				goto fail;
			recounted = 1;
			ks_log(log, KS_LOG_INFO, "read the corpus a second time to look its words "
			       "up in the pruned vocabulary");
		} else if (vs.prunes > 0) {
			ks_log(log, KS_LOG_WARN,
			       "standard input or a pipe cannot be read twice: occurrences of "
			       "kept words from before their last pruning are not trained; "
			       "raise -vocab-mb or train from a file");
		}
		if (s->info.cached && !recounted) {
			stream_remap(s);
			/* Training never looks at stream ids again. */
			ks_vocab_skip_stream_map(s->vocab);
		}
	}
	if (s->info.cached) {
		/* After the remap, which drops the words left out of the vocabulary. */
		stream_trim_cache(s);
		if ((rc = stream_make_slices(s, err)) != KS_OK)
			goto fail;
		/*
		 * Every epoch is served from the cache: the corpus (its files,
		 * read-ahead blocks and inflate state) and the vocabulary's lookup
		 * index are never used again, and the holes they and the counting
		 * table leave in the heap would stay resident through training.
		 */
		ks_corpus_close(s->corpus);
		s->corpus = NULL;
		ks_vocab_drop_index(s->vocab);
		ks_trim_heap();
	} else {
		s->info.train_words = recounted ? s->found_words : ks_vocab_corpus_total(s->vocab);
	}
	if (s->info.train_words == 0 && !opts->part_of_job) {
		rc = ks_err_set(err, KS_ERR_EMPTY, "no word of the corpus is in the vocabulary%s",
				opts->read_vocab ? " read from the -read-vocab file" : "");
		goto fail;
	}
	*out = s;
	return KS_OK;
fail:
	ks_stream_destroy(s);
	return rc;
}

const struct ks_vocab *
ks_stream_vocab(const struct ks_stream *s)
{
	return s->vocab;
}

void
ks_stream_info(const struct ks_stream *s, struct ks_stream_info *info)
{
	*info = s->info;
}

/* Queues a filled buffer for the workers. */
static void
stream_put_ready(struct ks_stream *s, struct stream_buf *b)
{
	pthread_mutex_lock(&s->lock);
	b->next = NULL;
	if (s->ready_tail)
		s->ready_tail->next = b;
	else
		s->ready_head = b;
	s->ready_tail = b;
	pthread_cond_signal(&s->ready_cond);
	pthread_mutex_unlock(&s->lock);
}

/* Waits for an empty buffer; NULL if cancelled. */
static struct stream_buf *
stream_get_free(struct ks_stream *s)
{
	struct stream_buf *b;

	pthread_mutex_lock(&s->lock);
	while (s->free_list == NULL && !s->cancelled)
		pthread_cond_wait(&s->free_cond, &s->lock);
	b = s->cancelled ? NULL : s->free_list;
	if (b)
		s->free_list = b->next;
	pthread_mutex_unlock(&s->lock);
	if (b)
		b->n = 0;
	return b;
}

/*
 * One epoch parsed from the corpus into batches; the first skip batches
 * are parsed but not served (resuming in the middle of the epoch).
 */
static int
stream_read_epoch(struct ks_stream *s, uint64_t epoch, uint64_t skip, struct ks_err *err)
{
	struct stream_cutter cut = { 0, s->opts.max_sentence, 1 };
	struct stream_buf *b = stream_get_free(s);
	struct ks_token tok;
	uint64_t index = 0;
	int kind, open = 0;

	if (b == NULL)
		return KS_OK;
	b->pos.epoch = epoch;
	b->pos.batch = index;
	b->last = 0;
	while ((kind = ks_corpus_next(s->corpus, &tok, err)) > 0) {
		uint32_t id;

		if (kind == KS_TOK_EOS) {
			if (!open)
				continue;
			id = KS_EOS;
			open = 0;
		} else {
			id = ks_vocab_find(s->vocab, tok.bytes, tok.len);
			if (id == KS_NO_WORD)
				continue;
			open = 1;
		}
		b->ids[b->n++] = id;
		cutter_push(&cut, id);
		if (b->n >= STREAM_BATCH_WORDS && cutter_can_cut(&cut)) {
			if (index++ < skip) {
				b->n = 0;
			} else {
				stream_put_ready(s, b);
				if ((b = stream_get_free(s)) == NULL)
					return KS_OK;
			}
			b->pos.epoch = epoch;
			b->pos.batch = index;
			b->last = 0;
		}
	}
	if (kind < 0) {
		stream_put_ready(s, b);
		return kind;
	}
	if (open)
		b->ids[b->n++] = KS_EOS;
	if (index < skip)
		b->n = 0;	/* the position was past this epoch's end: serve nothing of it */
	b->last = 1;
	stream_put_ready(s, b);
	return KS_OK;
}

static void *
stream_reader_main(void *arg)
{
	struct ks_stream *s = arg;
	uint64_t e;
	int rc = KS_OK;

	for (e = s->from.epoch; e < s->epochs && rc == KS_OK; e++) {
		/*
		 * Loading consumed the corpus, so every epoch starts with a
		 * rewind, but for the first of a one-pass stream: nothing read it.
		 */
		if (!s->info.one_pass || e > 0)
			rc = ks_corpus_rewind(s->corpus, &s->reader_err);
		if (rc == KS_OK)
			rc = stream_read_epoch(s, e, e == s->from.epoch ? s->from.batch : 0,
					       &s->reader_err);
		pthread_mutex_lock(&s->lock);
		if (s->cancelled)
			e = s->epochs;
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_lock(&s->lock);
	s->reader_status = rc;
	s->reader_done = 1;
	pthread_cond_broadcast(&s->ready_cond);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int
ks_stream_start(struct ks_stream *s, uint64_t epochs, struct ks_err *err)
{
	const struct ks_stream_pos zero = { 0, 0 };

	return ks_stream_start_at(s, epochs, &zero, err);
}

int
ks_stream_start_at(struct ks_stream *s, uint64_t epochs, const struct ks_stream_pos *from,
		   struct ks_err *err)
{
	size_t i;

	s->epochs = epochs;
	s->from = *from;
	s->served = *from;
	if (s->info.cached) {
		if (from->epoch > epochs || (from->epoch == epochs && from->batch > 0) ||
		    from->batch >= s->n_slices)
			return ks_err_set(err, KS_ERR_FORMAT,
					  "position (epoch %llu, batch %llu) is outside the stream "
					  "(%llu epochs of %zu batches)",
					  (unsigned long long)from->epoch,
					  (unsigned long long)from->batch,
					  (unsigned long long)epochs, s->n_slices);
		atomic_store(&s->next_slice, from->epoch * s->n_slices + from->batch);
		return KS_OK;
	}
	for (i = 0; i < STREAM_POOL_BUFFERS; i++) {
		/* Room for a full batch, a cut point up to max_sentence later, and an EOS. */
		size_t cap = STREAM_BATCH_WORDS + s->opts.max_sentence + 2;

		s->pool[i].ids = ks_malloc_array(cap, sizeof(uint32_t));
		if (s->pool[i].ids == NULL)
			return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the reader's buffers");
		s->pool[i].next = s->free_list;
		s->free_list = &s->pool[i];
	}
	if (pthread_create(&s->reader, NULL, stream_reader_main, s) != 0)
		return ks_err_set(err, KS_ERR_THREAD, "cannot start the reader thread");
	s->reader_started = 1;
	return KS_OK;
}

int
ks_stream_next(struct ks_stream *s, struct ks_batch *b)
{
	if (s->info.cached) {
		uint64_t idx = atomic_fetch_add(&s->next_slice, 1);
		size_t k;

		if (s->n_slices == 0 || idx >= s->epochs * s->n_slices)
			return 0;
		k = (size_t)(idx % s->n_slices);
		b->ids = s->cache + s->slices[k];
		b->n = s->slices[k + 1] - s->slices[k];
		b->epoch = idx / s->n_slices;
		b->index = idx % s->n_slices;	/* dist.h: which rank trains it */
		b->owner = NULL;
		return 1;
	}
	pthread_mutex_lock(&s->lock);
	while (s->ready_head == NULL && !s->reader_done)
		pthread_cond_wait(&s->ready_cond, &s->lock);
	if (s->ready_head != NULL) {
		struct stream_buf *buf = s->ready_head;

		s->ready_head = buf->next;
		if (s->ready_head == NULL)
			s->ready_tail = NULL;
		s->served.epoch = buf->pos.epoch + (uint64_t)buf->last;
		s->served.batch = buf->last ? 0 : buf->pos.batch + 1;
		pthread_mutex_unlock(&s->lock);
		b->ids = buf->ids;
		b->n = buf->n;
		b->epoch = buf->pos.epoch;
		b->index = buf->pos.batch;	/* dist.h: which rank trains it */
		b->owner = buf;
		return 1;
	}
	pthread_mutex_unlock(&s->lock);
	return s->reader_status < 0 ? s->reader_status : 0;
}

void
ks_stream_position(struct ks_stream *s, struct ks_stream_pos *pos)
{
	if (s->info.cached) {
		uint64_t idx = atomic_load(&s->next_slice), end = s->epochs * s->n_slices;

		if (idx > end)
			idx = end;
		pos->epoch = idx / s->n_slices;
		pos->batch = idx % s->n_slices;
		return;
	}
	pthread_mutex_lock(&s->lock);
	*pos = s->served;
	pthread_mutex_unlock(&s->lock);
}

uint64_t
ks_stream_batches(const struct ks_stream *s)
{
	return s->info.cached ? s->n_slices : 0;
}

void
ks_stream_release(struct ks_stream *s, struct ks_batch *b)
{
	struct stream_buf *buf = b->owner;

	if (buf == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	buf->next = s->free_list;
	s->free_list = buf;
	pthread_cond_signal(&s->free_cond);
	pthread_mutex_unlock(&s->lock);
	b->owner = NULL;
}

void
ks_stream_cancel(struct ks_stream *s)
{
	if (s->info.cached) {
		atomic_store(&s->next_slice, UINT64_MAX / 2);
		return;
	}
	pthread_mutex_lock(&s->lock);
	s->cancelled = 1;
	pthread_cond_broadcast(&s->free_cond);
	pthread_mutex_unlock(&s->lock);
}

int
ks_stream_stop(struct ks_stream *s, struct ks_err *err)
{
	if (!s->reader_started)
		return KS_OK;
	pthread_join(s->reader, NULL);
	s->reader_started = 0;
	if (s->info.one_pass) {
		struct ks_corpus_stats cs;

		ks_corpus_stats(s->corpus, &cs);
		s->info.corpus_words = cs.words;
		s->info.sentences = cs.sentences;
		s->info.long_tokens = cs.long_tokens;
	}
	if (s->reader_status < 0 && err != NULL)
		*err = s->reader_err;
	return s->reader_status;
}

void
ks_stream_destroy(struct ks_stream *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->reader_started) {
		ks_stream_cancel(s);
		ks_stream_stop(s, NULL);
	}
	for (i = 0; i < STREAM_POOL_BUFFERS; i++)
		free(s->pool[i].ids);
	free(s->slices);
	stream_drop_cache(s);
	ks_corpus_close(s->corpus);
	ks_vocab_destroy(s->vocab);
	pthread_cond_destroy(&s->ready_cond);
	pthread_cond_destroy(&s->free_cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
