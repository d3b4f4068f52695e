/*
 * Fuzzes the corpus reader and tokenizer (src/corpus.c), plain and gzip,
 * through both ways of reading tokens: one at a time (ks_corpus_next) and
 * in batches (ks_corpus_next_many), the latter with or without the
 * read-ahead thread (ks_corpus_read_ahead).
 *
 * The first input byte chooses how the rest (the payload) reaches the
 * reader: bits 0-1 select the plain bytes, one gzip member, two gzip
 * members (multi-member file) or a gzip member followed by the payload again
 * as trailing garbage; bit 2 opens the file twice as two inputs; bit 3
 * rewinds and reads everything again, which must give the same tokens.
 * Raw gzip seeds (mode 0 with a gzip payload) reach the corrupt-gzip paths.
 * Bits 4-6 choose the batch size of the second reading (batch_sizes
 * below) and bit 7 turns read-ahead on for it; seeds written before these
 * bits existed leave them 0, so they read in batches of 1 in the caller's
 * thread.
 *
 * Checked: every word is 1..KS_MAX_WORD_BYTES bytes of neither whitespace
 * nor NUL and is not </s>, no two ends of sentence in a row, the statistics
 * agree with the tokens, the end or error is sticky. The same inputs are
 * then opened a second time and read in batches, which must give the same
 * words and sentence ends (a sentence end is a token of length 0 with no
 * bytes), the same end or error (status and message) and the same
 * statistics, and must keep the end or error sticky for both calls; with
 * bit 3 that corpus is rewound and read again in batches too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Batch sizes for ks_corpus_next_many, indexed by bits 4-6 of the first
 * byte: 1 is next_many's degenerate case, small odd sizes end batches in
 * the middle of sentences, 1024 lets one batch drain the text window.
 */
static const size_t batch_sizes[8] = { 1, 2, 3, 4, 7, 16, 64, 1024 };

/* What reading a corpus to its end gave, and the running checks' state. */
struct outcome {
	int rc;			/* KS_TOK_EOF or a negative status */
	struct ks_err err;	/* the error when rc < 0 */
	int prev;		/* kind of the last token, for the empty-sentence check */
	uint64_t words, sentences, digest;
	struct ks_corpus_stats stats;
};

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	       c == '\0';
}

static void
outcome_start(struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->prev = KS_TOK_EOS;
}

/* Checks one token of kind KS_TOK_WORD or KS_TOK_EOS and adds it to the digest. */
static void
outcome_add(struct outcome *o, int kind, const struct ks_token *tok)
{
	size_t i;

	if (kind == KS_TOK_WORD) {
		if (tok->len == 0 || tok->len > KS_MAX_WORD_BYTES)
			fuzz_fail("word length out of range");
		for (i = 0; i < tok->len; i++) {
			if (is_space((unsigned char)tok->bytes[i]))
				fuzz_fail("whitespace or NUL inside a word");
			o->digest = o->digest * 31 + (unsigned char)tok->bytes[i];
		}
		if (tok->len == 4 && memcmp(tok->bytes, KS_SENTENCE_END_TOKEN, 4) == 0)
			fuzz_fail("</s> returned as a word");
		o->digest = o->digest * 131 + tok->len;
		o->words++;
	} else {
		if (o->prev == KS_TOK_EOS)
			fuzz_fail("empty sentence reported");
		o->sentences++;
		o->digest = o->digest * 7 + 1;
	}
	o->prev = kind;
}

/* Records the end or error rc and the statistics, which must match the tokens. */
static void
outcome_finish(struct outcome *o, struct ks_corpus *c, int rc, const struct ks_err *err)
{
	if (rc != KS_TOK_EOF && rc >= 0)
		fuzz_fail("unexpected token kind");
	o->rc = rc;
	if (rc < 0)
		o->err = *err;
	ks_corpus_stats(c, &o->stats);
	if (o->stats.words != o->words || o->stats.sentences != o->sentences)
		fuzz_fail("statistics disagree with the tokens");
}

/* Fails with what unless a and b are the same tokens, end or error, and statistics. */
static void
outcome_compare(const struct outcome *a, const struct outcome *b, const char *what)
{
	if (a->rc != b->rc || a->words != b->words || a->sentences != b->sentences ||
	    a->digest != b->digest)
		fuzz_fail(what);
	if (a->rc < 0 && (a->err.status != b->err.status || strcmp(a->err.msg, b->err.msg) != 0))
		fuzz_fail(what);
	if (a->stats.words != b->stats.words || a->stats.sentences != b->stats.sentences ||
	    a->stats.long_tokens != b->stats.long_tokens || a->stats.bytes != b->stats.bytes)
		fuzz_fail(what);
}

/* Reads c to its end one token at a time. */
static void
read_one_by_one(struct ks_corpus *c, struct outcome *o)
{
	struct ks_token tok;
	struct ks_err err;
	int rc;

	outcome_start(o);
	ks_err_clear(&err);
	while ((rc = ks_corpus_next(c, &tok, &err)) == KS_TOK_WORD || rc == KS_TOK_EOS)
		outcome_add(o, rc, &tok);
	outcome_finish(o, c, rc, &err);
	/* Both ends are sticky. */
	if (ks_corpus_next(c, &tok, &err) != rc)
		fuzz_fail("end of input or error not sticky");
}

/*
 * Reads c to its end in batches of up to max tokens. The tokens of a batch
 * are looked at only once the call has returned, as a caller working on
 * many at once would, so a token whose bytes moved would change the digest.
 */
static void
read_in_batches(struct ks_corpus *c, size_t max, struct outcome *o)
{
	/* Exactly max tokens, so that a write past them is an ASan finding. */
	struct ks_token *toks = malloc(max * sizeof(*toks)), tok;
	struct ks_err err;
	size_t n, i;
	int rc;

	if (toks == NULL)
		fuzz_fail("out of memory");
	outcome_start(o);
	ks_err_clear(&err);
	while ((rc = ks_corpus_next_many(c, toks, max, &n, &err)) == KS_TOK_WORD) {
		if (n == 0 || n > max)
			fuzz_fail("batch size out of range");
		for (i = 0; i < n; i++) {
			if (toks[i].len == 0 && toks[i].bytes != NULL)
				fuzz_fail("sentence end with bytes in a batch");
			outcome_add(o, toks[i].len == 0 ? KS_TOK_EOS : KS_TOK_WORD, &toks[i]);
		}
	}
	if (rc == KS_TOK_EOF && n != 0)
		fuzz_fail("tokens returned with the end of input");
	outcome_finish(o, c, rc, &err);
	/* Both ends are sticky, for either call. */
	if (ks_corpus_next_many(c, toks, max, &n, &err) != rc || (rc == KS_TOK_EOF && n != 0))
		fuzz_fail("end of input or error not sticky in batches");
	if (rc < 0 && err.status != rc)
		fuzz_fail("sticky error in batches reports another status");
	if (ks_corpus_next(c, &tok, &err) != rc)
		fuzz_fail("end of input or error of batches not sticky for ks_corpus_next");
	free(toks);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *payload = data + 1;
	size_t n = size - 1, half, batch;
	uint8_t mode, *buf = NULL;
	size_t len = 0, n_paths;
	const char *paths[2];
	struct ks_corpus *c;
	struct ks_err err;
	struct outcome first, again;
	int ahead;

	if (size < 1)
		return 0;
	mode = data[0];
	switch (mode & 3) {
	case 0:
		fuzz_write_file(payload, n);
		break;
	case 1:
		fuzz_write_maybe_gzip(payload, n, 1);
		break;
	case 2:
		half = n / 2;
		fuzz_gzip_append(&buf, &len, payload, half);
		fuzz_gzip_append(&buf, &len, payload + half, n - half);
		fuzz_write_file(buf, len);
		break;
	default:
		fuzz_gzip_append(&buf, &len, payload, n);
		buf = realloc(buf, len + n + 1);
		if (buf == NULL)
			fuzz_fail("out of memory");
		if (n > 0)
			memcpy(buf + len, payload, n);
		fuzz_write_file(buf, len + n);
		break;
	}
	free(buf);
	batch = batch_sizes[(mode >> 4) & 7];
	ahead = (mode & 0x80) != 0;

	paths[0] = paths[1] = fuzz_path();
	n_paths = (mode & 4) ? 2 : 1;
	if (ks_corpus_open(&c, paths, n_paths, &err) != KS_OK)
		fuzz_fail("cannot open a regular file");
	read_one_by_one(c, &first);
	if (mode & 8) {
		if (!ks_corpus_rewindable(c))
			fuzz_fail("a regular file is not rewindable");
		if (ks_corpus_rewind(c, &err) != KS_OK)
			fuzz_fail("rewind failed");
		read_one_by_one(c, &again);
		outcome_compare(&first, &again, "a second read gives other tokens");
	}
	ks_corpus_close(c);

	if (ks_corpus_open(&c, paths, n_paths, &err) != KS_OK)
		fuzz_fail("cannot open a regular file a second time");
	ks_corpus_read_ahead(c, ahead);
	read_in_batches(c, batch, &again);
	outcome_compare(&first, &again, "reading in batches gives other tokens, end or statistics");
	if (mode & 8) {
		if (ks_corpus_rewind(c, &err) != KS_OK)
			fuzz_fail("rewind failed after reading in batches");
		read_in_batches(c, batch, &again);
		outcome_compare(&first, &again,
				"a second read in batches gives other tokens, end or statistics");
	}
	ks_corpus_close(c);
	return 0;
}
