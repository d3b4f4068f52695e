/*
 * Phrases (see phrases.h).
 *
 * Both passes read the corpus in batches of tokens (ks_corpus_next_many),
 * whose bytes stay valid until the next batch; a word that must outlive
 * its batch (the left word of the next pair) is copied.
 *
 * Counting. One ks_vocab table holds the words under their own bytes and
 * the pairs under "a b": a space never occurs inside a token, so the two
 * kinds of key cannot collide. The table's budget and pruning are
 * vocab.c's. Stream ids are not needed, so no stream map is built.
 *
 * Rewriting. A word waits (copied, with its count) until the next token
 * decides whether it joins the pair; only then is it written. So each
 * token costs one lookup of its own and, where both words were kept, one
 * of the pair.
 *
 * Threads. Counting updates one shared table that prunes itself, so
 * splitting it over threads would need per-thread tables merged under one
 * budget; the rewrite must keep the corpus's order. Neither is simple, so
 * the only second thread is the corpus's own read-ahead, which inflates
 * gzip input while this thread counts or rewrites (cfg->read_ahead).
 */
#include "phrases.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "corpus.h"
#include "mem.h"
#include "outfile.h"
#include "paths.h"
#include "vocab.h"

/* Tokens read per batch. */
#define PHRASES_BATCH 4096
/* Bytes of pair keys built before they are counted. */
#define PHRASES_KEY_ARENA (1u << 20)
/* The default budget of the counting table, kensho's -vocab-mb default. */
#define PHRASES_DEFAULT_BUDGET ((size_t)2048 << 20)
/* The separator inside a pair's key: never part of a token. */
#define PHRASES_KEY_SEP ' '

struct phrases_run {
	const struct ks_phrases_config *cfg;
	const struct ks_log *log;
	struct ks_phrases_stats st;
	struct ks_corpus *corpus;
	struct ks_vocab *table;
	int counted;			/* the table was finalized (some entry kept) */
	FILE *spool;			/* the copy of a once-only input, or NULL */
	int spool_fd;			/* its descriptor, -1 if none */
	struct ks_token *toks;		/* a batch from the corpus */
	struct ks_token *adds;		/* words and pair keys to count */
	uint32_t *ids;			/* stream ids ks_vocab_add_many writes */
	char *keys;			/* bytes of the pair keys in adds */
	struct timespec last_progress;
};

void
ks_phrases_defaults(struct ks_phrases_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->min_count = 5;
	cfg->threshold = 100;
	cfg->budget_bytes = PHRASES_DEFAULT_BUDGET;
	cfg->read_ahead = 1;
}

double
ks_phrases_score(uint64_t c_ab, uint64_t c_a, uint64_t c_b, uint64_t n, uint64_t min_count)
{
	return ((double)c_ab - (double)min_count) / (double)c_a / (double)c_b * (double)n;
}

int
ks_phrases_check(const struct ks_phrases_config *cfg, struct ks_err *err)
{
	size_t i, stdin_count = 0;

	if (cfg->n_train == 0)
		return ks_err_set(err, KS_ERR_USAGE, "no input: give -train FILE (- for stdin)");
	for (i = 0; i < cfg->n_train; i++) {
		if (cfg->train[i] == NULL || cfg->train[i][0] == '\0')
			return ks_err_set(err, KS_ERR_USAGE, "option -train: empty file name");
		stdin_count += strcmp(cfg->train[i], "-") == 0;
	}
	if (stdin_count > 1)
		return ks_err_set(err, KS_ERR_USAGE, "-train -: standard input can be given only once");
	if (cfg->output == NULL || cfg->output[0] == '\0')
		return ks_err_set(err, KS_ERR_USAGE, "nothing to write: give -output FILE (- for stdout)");
	if (!isfinite(cfg->threshold) || cfg->threshold < 0)
		return ks_err_set(err, KS_ERR_USAGE,
				  "option -threshold: %g is not a finite number >= 0", cfg->threshold);
	if (cfg->budget_bytes != 0 && cfg->budget_bytes < KS_VOCAB_MIN_BUDGET)
		return ks_err_set(err, KS_ERR_USAGE,
				  "a counting budget of %zu bytes is below the minimum of %d bytes",
				  cfg->budget_bytes, KS_VOCAB_MIN_BUDGET);
	return KS_OK;
}

/* Refuses an output that is one of the inputs, and one that cannot be written. */
static int
phrases_check_paths(const struct ks_phrases_config *cfg, struct ks_err *err)
{
	struct ks_path_use *uses;
	size_t i;
	int rc;

	if ((rc = ks_outfile_check(cfg->output, err)) != KS_OK)
		return rc;
	uses = ks_calloc_array(cfg->n_train + 1, sizeof(*uses));
	if (uses == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	for (i = 0; i < cfg->n_train; i++)
		uses[i] = (struct ks_path_use){ cfg->train[i], "-train", 0, 0 };
	uses[cfg->n_train] = (struct ks_path_use){ cfg->output, "-output", 1, 0 };
	rc = ks_path_check_distinct(uses, cfg->n_train + 1, err);
	free(uses);
	return rc;
}

static double
phrases_seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* Once a second at most: the pass and the words read so far. */
static void
phrases_progress(struct phrases_run *r, int pass)
{
	struct ks_corpus_stats cs;

	if (r->log == NULL || r->log->max_level < KS_LOG_PROGRESS ||
	    phrases_seconds_since(&r->last_progress) < 1.0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &r->last_progress);
	ks_corpus_stats(r->corpus, &cs);
	if (pass == 1)
		ks_log(r->log, KS_LOG_PROGRESS, "pass 1 (counting): %.2fM words", (double)cs.words / 1e6);
	else
		ks_log(r->log, KS_LOG_PROGRESS, "pass 2 (joining): %.2fM of %.2fM words, %" PRIu64
		       " phrases", (double)cs.words / 1e6, (double)r->st.words / 1e6, r->st.joined);
}

static int
phrases_interrupted(const struct phrases_run *r, struct ks_err *err)
{
	if (r->cfg->interrupt != NULL && atomic_load(r->cfg->interrupt))
		return ks_err_set(err, KS_ERR_INTERRUPTED, "interrupted; %s was not written",
				  r->cfg->output);
	return KS_OK;
}

/*
 * Creates the temporary copy of a once-only input: a file in cfg->tmpdir,
 * $TMPDIR or /tmp, unlinked at once, written through r->spool.
 */
static int
phrases_spool_open(struct phrases_run *r, struct ks_err *err)
{
	const char *dir = r->cfg->tmpdir;
	char *path;
	size_t n;
	int fd;

	if (dir == NULL || dir[0] == '\0')
		dir = getenv("TMPDIR");
	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	n = strlen(dir);
	path = malloc(n + sizeof("/kensho-phrases.XXXXXX"));
	if (path == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	memcpy(path, dir, n);
	memcpy(path + n, "/kensho-phrases.XXXXXX", sizeof("/kensho-phrases.XXXXXX"));
	fd = mkstemp(path);
	if (fd < 0) {
		int e = errno;

		ks_err_errno(err, KS_ERR_OPEN, e,
			     "%s: cannot create the temporary copy of standard input (set TMPDIR)",
			     dir);
		free(path);
		return KS_ERR_OPEN;
	}
	unlink(path);
	free(path);
	r->spool = fdopen(fd, "w+");
	if (r->spool == NULL) {
		close(fd);
		return ks_err_errno(err, KS_ERR_OPEN, errno, "%s: temporary copy of standard input",
				    dir);
	}
	r->spool_fd = fd;
	r->st.spooled = 1;
	return KS_OK;
}

/* Appends a batch of tokens to the spool as text that reads back as the same tokens. */
static int
phrases_spool_write(struct phrases_run *r, const struct ks_token *toks, size_t n,
		    struct ks_err *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (toks[i].len == 0)
			putc('\n', r->spool);
		else if (fwrite(toks[i].bytes, 1, toks[i].len, r->spool) != toks[i].len ||
			 putc(' ', r->spool) == EOF)
			break;
	}
	if (ferror(r->spool))
		return ks_err_errno(err, KS_ERR_WRITE, errno,
				    "the temporary copy of standard input (TMPDIR full?)");
	return KS_OK;
}

/* Ends the spool and opens it as the corpus of the second pass. */
static int
phrases_spool_reopen(struct phrases_run *r, struct ks_err *err)
{
	char name[64];
	const char *paths[1];
	int rc;

	if (fflush(r->spool) != 0 || ferror(r->spool))
		return ks_err_errno(err, KS_ERR_WRITE, errno,
				    "the temporary copy of standard input (TMPDIR full?)");
	if (lseek(r->spool_fd, 0, SEEK_SET) != 0)
		return ks_err_errno(err, KS_ERR_READ, errno, "the temporary copy of standard input");
	/* The file has no name any more; /dev/fd/N opens it from the start again. */
	snprintf(name, sizeof(name), "/dev/fd/%d", r->spool_fd);
	paths[0] = name;
	ks_corpus_close(r->corpus);
	r->corpus = NULL;
	rc = ks_corpus_open(&r->corpus, paths, 1, err);
	if (rc != KS_OK) {
		char msg[KS_ERR_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		return ks_err_set(err, rc, "cannot reopen the temporary copy of standard input: %s",
				  msg);
	}
	ks_corpus_read_ahead(r->corpus, r->cfg->read_ahead);
	return KS_OK;
}

/* Counts adds[0 .. n). */
static int
phrases_count(struct phrases_run *r, size_t n, struct ks_err *err)
{
	return n == 0 ? KS_OK : ks_vocab_add_many(r->table, r->adds, n, r->ids, err);
}

/*
 * The first pass: counts words and pairs, copies a once-only input to the
 * spool, and finalizes the table with min_count.
 */
static int
phrases_pass1(struct phrases_run *r, struct ks_err *err)
{
	char prev[KS_MAX_WORD_BYTES];
	size_t prev_len = 0, n, i, n_adds, key_used;
	const char *prev_bytes = NULL;
	struct ks_corpus_stats cs;
	struct ks_vocab_stats vs;
	int rc;

	for (;;) {
		if ((rc = phrases_interrupted(r, err)) != KS_OK)
			return rc;
		rc = ks_corpus_next_many(r->corpus, r->toks, PHRASES_BATCH, &n, err);
		if (rc < 0)
			return rc;
		if (rc == KS_TOK_EOF)
			break;
		if (r->spool != NULL && (rc = phrases_spool_write(r, r->toks, n, err)) != KS_OK)
			return rc;
		n_adds = key_used = 0;
		for (i = 0; i < n; i++) {
			const struct ks_token *t = &r->toks[i];

			if (t->len == 0) {
				prev_bytes = NULL;
				continue;
			}
			r->adds[n_adds++] = *t;
			if (prev_bytes != NULL && prev_len + 1 + t->len <= KS_MAX_WORD_BYTES) {
				char *key;

				if (key_used + prev_len + 1 + t->len > PHRASES_KEY_ARENA) {
					if ((rc = phrases_count(r, n_adds, err)) != KS_OK)
						return rc;
					n_adds = key_used = 0;
				}
				key = r->keys + key_used;
				memcpy(key, prev_bytes, prev_len);
				key[prev_len] = PHRASES_KEY_SEP;
				memcpy(key + prev_len + 1, t->bytes, t->len);
				r->adds[n_adds].bytes = key;
				r->adds[n_adds++].len = prev_len + 1 + t->len;
				key_used += prev_len + 1 + t->len;
			}
			prev_bytes = t->bytes;
			prev_len = t->len;
		}
		if ((rc = phrases_count(r, n_adds, err)) != KS_OK)
			return rc;
		/* The last word's bytes end with the batch: keep a copy for the next pair. */
		if (prev_bytes != NULL) {
			memcpy(prev, prev_bytes, prev_len);
			prev_bytes = prev;
		}
		phrases_progress(r, 1);
	}
	ks_corpus_stats(r->corpus, &cs);
	r->st.words = cs.words;
	r->st.sentences = cs.sentences;
	r->st.long_tokens = cs.long_tokens;
	ks_vocab_stats(r->table, &vs);
	r->st.prunes = vs.prunes;
	r->st.pruned_entries = vs.pruned_words;
	r->st.prune_min_count = vs.prune_min_count;
	if (vs.prunes > 0)
		ks_log(r->log, KS_LOG_WARN,
		       "the counting table reached its budget (-vocab-mb) and was pruned %" PRIu64
		       " time%s: %" PRIu64 " rare words and pairs (seen fewer than %" PRIu64
		       " times when pruned) lost their counts; a larger -vocab-mb counts exactly",
		       vs.prunes, vs.prunes == 1 ? "" : "s", vs.pruned_words, vs.prune_min_count);
	if (cs.long_tokens > 0)
		ks_log(r->log, KS_LOG_WARN, "skipped %" PRIu64 " token%s longer than %d bytes",
		       cs.long_tokens, cs.long_tokens == 1 ? "" : "s", KS_MAX_WORD_BYTES);
	ks_vocab_skip_stream_map(r->table);
	rc = ks_vocab_finalize(r->table, r->cfg->min_count, 0, err);
	if (rc == KS_ERR_EMPTY) {
		/* Nothing reaches min_count: nothing is joined, the text is copied. */
		ks_err_clear(err);
		r->st.entries = 0;
	} else if (rc != KS_OK) {
		return rc;
	} else {
		r->counted = 1;
		r->st.entries = ks_vocab_size(r->table);
	}
	ks_log(r->log, KS_LOG_INFO, "pass 1: %" PRIu64 " words in %" PRIu64 " sentences; %" PRIu64
	       " words and pairs seen at least %" PRIu64 " times", r->st.words, r->st.sentences,
	       r->st.entries, r->cfg->min_count);
	ks_log(r->log, KS_LOG_DEBUG, "counting table: %zu bytes, "
	       "%" PRIu64 " distinct entries before min-count", vs.bytes, vs.distinct);
	return KS_OK;
}

/* The count of a kept word or pair key, 0 if it was not kept. */
static uint64_t
phrases_lookup(const struct phrases_run *r, const char *key, size_t len)
{
	uint32_t id;

	if (!r->counted)
		return 0;
	id = ks_vocab_find(r->table, key, len);
	return id == KS_NO_WORD ? 0 : ks_vocab_count(r->table, id);
}

/* The state of the rewrite: the word waiting for its right neighbour. */
struct phrases_writer {
	FILE *out;
	int line_open;			/* a word was written on this line */
	char left[KS_MAX_WORD_BYTES];	/* the waiting word, if left_len > 0 */
	size_t left_len;
	uint64_t left_count;		/* its count, 0 if it was not kept */
	char key[KS_MAX_WORD_BYTES];	/* scratch for a pair's key */
};

static void
phrases_put(struct phrases_writer *w, const char *bytes, size_t len)
{
	if (w->line_open)
		putc(' ', w->out);
	fwrite(bytes, 1, len, w->out);
	w->line_open = 1;
}

/* Writes the waiting word, if any, and forgets it. */
static void
phrases_flush_left(struct phrases_writer *w)
{
	if (w->left_len > 0)
		phrases_put(w, w->left, w->left_len);
	w->left_len = 0;
}

/* Handles the next word: joins it to the waiting word, or writes that and waits itself. */
static void
phrases_word(struct phrases_run *r, struct phrases_writer *w, const struct ks_token *t)
{
	uint64_t count = phrases_lookup(r, t->bytes, t->len);

	if (w->left_len > 0 && w->left_count > 0 && count > 0 &&
	    w->left_len + 1 + t->len <= KS_MAX_WORD_BYTES) {
		size_t klen = w->left_len + 1 + t->len;
		uint64_t c_ab;

		memcpy(w->key, w->left, w->left_len);
		w->key[w->left_len] = PHRASES_KEY_SEP;
		memcpy(w->key + w->left_len + 1, t->bytes, t->len);
		c_ab = phrases_lookup(r, w->key, klen);
		if (c_ab > 0 && ks_phrases_score(c_ab, w->left_count, count, r->st.words,
						 r->cfg->min_count) > r->cfg->threshold) {
			w->key[w->left_len] = KS_PHRASE_JOINER;
			phrases_put(w, w->key, klen);
			w->left_len = 0;
			r->st.joined++;
			return;
		}
	}
	phrases_flush_left(w);
	memcpy(w->left, t->bytes, t->len);
	w->left_len = t->len;
	w->left_count = count;
}

/* The second pass: rewrites the corpus into out with the phrases joined. */
static int
phrases_pass2(struct phrases_run *r, FILE *out, struct ks_err *err)
{
	struct phrases_writer *w = calloc(1, sizeof(*w));
	size_t n, i;
	int rc;

	if (w == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	w->out = out;
	for (;;) {
		if ((rc = phrases_interrupted(r, err)) != KS_OK)
			break;
		rc = ks_corpus_next_many(r->corpus, r->toks, PHRASES_BATCH, &n, err);
		if (rc < 0)
			break;
		if (rc == KS_TOK_EOF) {
			rc = KS_OK;
			break;
		}
		for (i = 0; i < n; i++) {
			if (r->toks[i].len > 0) {
				phrases_word(r, w, &r->toks[i]);
				continue;
			}
			phrases_flush_left(w);
			putc('\n', out);
			w->line_open = 0;
		}
		if (ferror(out)) {
			rc = ks_err_errno(err, KS_ERR_WRITE, errno, "%s", r->cfg->output);
			break;
		}
		phrases_progress(r, 2);
	}
	/* Every input ends its last sentence, so no word is left waiting. */
	if (rc == KS_OK && (w->left_len > 0 || w->line_open))
		rc = ks_err_set(err, KS_ERR_INTERNAL, "the last sentence of the corpus was not ended");
	free(w);
	return rc;
}

/* Opens the corpus (and the spool for a once-only input) and the buffers. */
static int
phrases_setup(struct phrases_run *r, struct ks_err *err)
{
	int rc;

	rc = ks_corpus_open(&r->corpus, r->cfg->train, r->cfg->n_train, err);
	if (rc != KS_OK)
		return rc;
	ks_corpus_read_ahead(r->corpus, r->cfg->read_ahead);
	if ((rc = ks_vocab_create(&r->table, r->cfg->budget_bytes, err)) != KS_OK)
		return rc;
	r->toks = ks_malloc_array(PHRASES_BATCH, sizeof(*r->toks));
	r->adds = ks_malloc_array(2 * PHRASES_BATCH, sizeof(*r->adds));
	r->ids = ks_malloc_array(2 * PHRASES_BATCH, sizeof(*r->ids));
	r->keys = malloc(PHRASES_KEY_ARENA);
	if (r->toks == NULL || r->adds == NULL || r->ids == NULL || r->keys == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	if (!ks_corpus_rewindable(r->corpus))
		return phrases_spool_open(r, err);
	return KS_OK;
}

static void
phrases_cleanup(struct phrases_run *r)
{
	ks_corpus_close(r->corpus);
	ks_vocab_destroy(r->table);
	if (r->spool != NULL)
		fclose(r->spool);
	free(r->toks);
	free(r->adds);
	free(r->ids);
	free(r->keys);
}

int
ks_phrases_run(const struct ks_phrases_config *cfg, const struct ks_log *log,
	       struct ks_phrases_stats *stats, struct ks_err *err)
{
	struct phrases_run r;
	struct ks_outfile *of = NULL;
	int rc;

	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	r.log = log;
	r.spool_fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &r.last_progress);
	if ((rc = ks_phrases_check(cfg, err)) != KS_OK ||
	    (rc = phrases_check_paths(cfg, err)) != KS_OK ||
	    (rc = phrases_setup(&r, err)) != KS_OK ||
	    (rc = phrases_pass1(&r, err)) != KS_OK)
		goto done;
	if (r.spool != NULL)
		rc = phrases_spool_reopen(&r, err);
	else
		rc = ks_corpus_rewind(r.corpus, err);
	if (rc != KS_OK || (rc = ks_outfile_open(&of, cfg->output, err)) != KS_OK)
		goto done;
	if ((rc = phrases_pass2(&r, ks_outfile_stream(of), err)) != KS_OK)
		goto done;
	rc = ks_outfile_commit(of, err);
	of = NULL;
	if (rc == KS_OK)
		ks_log(log, KS_LOG_INFO, "pass 2: joined %" PRIu64 " pairs into phrases (score above %g)"
		       "; wrote %s", r.st.joined, cfg->threshold, cfg->output);
done:
	ks_outfile_abort(of);
	if (stats != NULL)
		*stats = r.st;
	phrases_cleanup(&r);
	return rc;
}
