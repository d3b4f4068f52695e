/*
 * Phrases: joining word pairs that occur together more often than chance.
 *
 * The first pass over the corpus counts every word and every pair of
 * adjacent words within a sentence in one counting table (vocab.h), under
 * a memory budget: past it the rarest entries are pruned, as for kensho's
 * vocabulary. Entries seen fewer than min_count times are then dropped.
 * The second pass reads the corpus again and writes it out, one sentence
 * a line, words separated by single spaces, joining a pair a b into the
 * one token a_b when both words and the pair were kept and
 *
 *     score(a, b) = (c(ab) - min_count) / c(a) / c(b) * N  >  threshold,
 *
 * where c() are the counts and N the number of word tokens in the corpus
 * (Mikolov et al., "Distributed Representations of Words and Phrases and
 * their Compositionality", NIPS 2013, section 4, with min_count as the
 * discount, scaled by N as word2phrase scales it). A joined pair is consumed: in "a b c" with a_b joined,
 * the next pair considered is c and the word after it, so one pass joins
 * at most two words, and a second pass over the output up to four.
 *
 * Input is read as kensho reads it (corpus.h): sentences end at newlines,
 * at "</s>" and at the end of each input, so a pair is never joined across
 * them, and "</s>" appears in the output as a line break; blank lines are
 * dropped; an over-long token is skipped and counted, and the words either
 * side of it are adjacent, as they are for kensho. Pairs are counted under
 * a key that cannot collide with a word (the two words with a space
 * between), so a token "a_b" already in the text does not add to the pair
 * a b. A pair whose joined form would be longer than KS_MAX_WORD_BYTES is
 * never joined, so every output token stays one kensho reads.
 *
 * An input that cannot be read twice (standard input, a pipe) is copied,
 * as the tokens of the first pass, to a temporary file that is unlinked
 * as soon as it is created, so nothing is left behind even by a crash; it
 * needs about as much space as the text of the input.
 */
#ifndef KS_PHRASES_H
#define KS_PHRASES_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "status.h"

/* The character that joins the two words of a phrase. */
#define KS_PHRASE_JOINER '_'

struct ks_phrases_config {
	const char *const *train;	/* inputs, "-" for stdin (at most once) */
	size_t n_train;
	const char *output;		/* "-" for stdout; *.gz is written as gzip */
	uint64_t min_count;		/* words and pairs seen fewer times are not joined */
	double threshold;		/* join where the score is above it; finite, >= 0 */
	size_t budget_bytes;		/* of the counting table; 0: no limit */
	int read_ahead;			/* read and inflate the input in a thread of its own */
	const char *tmpdir;		/* for the copy of stdin; NULL: $TMPDIR, else /tmp */
	const atomic_int *interrupt;	/* when it becomes nonzero, stop (may be NULL) */
};

struct ks_phrases_stats {
	uint64_t words;			/* word tokens of the corpus (N) */
	uint64_t sentences;
	uint64_t long_tokens;		/* skipped for exceeding KS_MAX_WORD_BYTES */
	uint64_t entries;		/* words and pairs kept after min_count */
	uint64_t prunes;		/* times the counting table was pruned */
	uint64_t pruned_entries;	/* entries the pruning removed */
	uint64_t prune_min_count;	/* highest count under which entries were pruned */
	uint64_t joined;		/* pairs written as one phrase */
	int spooled;			/* the input was copied to a temporary file */
};

/* The defaults, word2phrase's: min_count 5, threshold 100, a 2 GiB budget. */
void ks_phrases_defaults(struct ks_phrases_config *cfg);

/*
 * The score of the pair a b (see above) from its count c_ab, the words'
 * counts c_a and c_b (both nonzero) and the corpus's word tokens n.
 * Computed in double, in the order the formula is written.
 */
double ks_phrases_score(uint64_t c_ab, uint64_t c_a, uint64_t c_b, uint64_t n,
			uint64_t min_count);

/*
 * Validates cfg: at least one input and "-" at most once, an output, a
 * finite threshold >= 0, a budget of 0 or at least KS_VOCAB_MIN_BUDGET.
 * Fails with KS_ERR_USAGE and a message naming the option.
 */
int ks_phrases_check(const struct ks_phrases_config *cfg, struct ks_err *err);

/*
 * Runs both passes and writes the output through an outfile, so a failure
 * leaves nothing under cfg->output (and any older file there untouched).
 * Checks the options (ks_phrases_check), that no input is the output, that
 * every input opens and that the output can be written before reading a
 * word. Reports summaries, pruning and progress through log (may be NULL).
 * Errors name the file: KS_ERR_OPEN, KS_ERR_READ, KS_ERR_FORMAT as the
 * corpus reader gives them, KS_ERR_WRITE, KS_ERR_NOMEM, KS_ERR_LIMIT, and
 * KS_ERR_INTERRUPTED when cfg->interrupt was raised. stats (may be NULL)
 * is filled as far as the run got.
 */
int ks_phrases_run(const struct ks_phrases_config *cfg, const struct ks_log *log,
		   struct ks_phrases_stats *stats, struct ks_err *err);

#endif
