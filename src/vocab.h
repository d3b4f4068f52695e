/*
 * The vocabulary: counting, pruning, ordering, saving and reading.
 *
 * Counting happens in a growable open-addressing hash table. Every distinct
 * word gets a "stream id" when first seen; stream ids are never reused, so
 * a token stream recorded during counting can be mapped to final word ids
 * after ks_vocab_finalize (ks_vocab_stream_map). When the table's memory
 * passes its budget, the rarest words are pruned (as word2vec.c and
 * fastText do): their counts are lost, their stream ids map to KS_NO_WORD,
 * and a later occurrence starts a new entry with a new stream id.
 *
 * ks_vocab_finalize drops words under min_count, sorts the rest by count,
 * most frequent first, ties broken by comparing the bytes (so the order is
 * deterministic), keeps at most max_vocab, and assigns final ids 0..V-1.
 * After that ks_vocab_find looks up final ids and ks_vocab_add must not be
 * called.
 */
#ifndef KS_VOCAB_H
#define KS_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "corpus.h"
#include "status.h"

#define KS_NO_WORD UINT32_MAX

struct ks_vocab_stats {
	uint64_t tokens;	/* occurrences counted by ks_vocab_add */
	uint64_t distinct;	/* distinct words currently held */
	uint64_t prunes;	/* times the table was pruned */
	uint64_t pruned_words;	/* entries removed by pruning, in total */
	uint64_t prune_min_count; /* highest count threshold used by pruning */
	uint64_t dropped_min_count; /* words dropped by finalize for min_count */
	uint64_t dropped_max_vocab; /* words dropped by finalize for max_vocab */
	size_t bytes;		/* memory held by the table now */
};

struct ks_vocab;

/* The smallest nonzero counting budget ks_vocab_create accepts. */
#define KS_VOCAB_MIN_BUDGET 65536

/*
 * Creates an empty vocabulary whose counting table prunes rare words when
 * it would hold more than budget_bytes (0 means no limit). A nonzero budget
 * under KS_VOCAB_MIN_BUDGET is refused with KS_ERR_USAGE. On success *out
 * is owned by the caller (ks_vocab_destroy).
 */
int ks_vocab_create(struct ks_vocab **out, size_t budget_bytes, struct ks_err *err);

/* Frees v. Accepts NULL. */
void ks_vocab_destroy(struct ks_vocab *v);

/*
 * Counts one occurrence of word[0 .. len) (1 <= len <= KS_MAX_WORD_BYTES,
 * no NUL or whitespace expected) and stores its stream id in *stream_id.
 * May prune. Fails only for lack of memory (KS_ERR_NOMEM, the table left
 * consistent) or, after 2^32 - 2 stream ids, with KS_ERR_LIMIT.
 */
int ks_vocab_add(struct ks_vocab *v, const char *word, size_t len, uint32_t *stream_id,
		 struct ks_err *err);

/*
 * As ks_vocab_add for each of toks[0 .. n) in order, storing the stream ids
 * in stream_ids[0 .. n); tokens of length 0 (sentence ends) are skipped and
 * their ids left as they were. The result is the same as n calls, but the
 * table's memory is fetched several tokens ahead, which is what counting
 * a corpus of many distinct words is bound by. On failure the tokens
 * before the failing one have been counted.
 */
int ks_vocab_add_many(struct ks_vocab *v, const struct ks_token *toks, size_t n,
		      uint32_t *stream_ids, struct ks_err *err);

/* Number of stream ids handed out so far (the size of the stream map). */
uint32_t ks_vocab_stream_ids(const struct ks_vocab *v);

/*
 * Drops, sorts and numbers the words (see above). Returns KS_ERR_EMPTY with
 * a message if no word reaches min_count. max_vocab 0 means no cap. On
 * failure v is unchanged and still counting. Call it once.
 */
int ks_vocab_finalize(struct ks_vocab *v, uint64_t min_count, uint64_t max_vocab,
		      struct ks_err *err);

/*
 * Before finalize, after the corpus is counted: merges a base vocabulary,
 * the n words and counts of a model that training continues from (-init).
 * finalize then keeps every base word, whatever its count in the corpus,
 * with the base's count added to the corpus's, and sorts by the sums; the
 * corpus's other words are kept when grow is set and they reach
 * min_count on their own, dropped otherwise. max_vocab counts the base's
 * words and leaves the rest of the cap to new ones, most frequent first.
 * Base words the corpus lacks are added whatever the counting budget. An
 * empty or over-long word, a word given twice or a count that overflows
 * is KS_ERR_FORMAT (the base is then not set). Call it at most once.
 */
int ks_vocab_set_base(struct ks_vocab *v, const char *const *words, const uint64_t *counts,
		      size_t n, int grow, struct ks_err *err);

/*
 * Counting split over several processes (dist_vocab.c). Before finalize,
 * ks_vocab_export writes the table's words counted at least min_count
 * times (and at least once) as records for ks_vocab_merge and
 * ks_vocab_replace: per word a 4-byte length, an 8-byte count and the
 * bytes, in the machine's byte order (the processes of one job run on one
 * kind of machine). On success *buf (malloc'd, owned by the caller) holds
 * *len bytes. KS_ERR_NOMEM otherwise, with *buf NULL.
 */
int ks_vocab_export(const struct ks_vocab *v, uint64_t min_count, unsigned char **buf,
		    size_t *len, struct ks_err *err);

/*
 * Before finalize: adds the counts of the records in buf[0 .. len) to the
 * table's, inserting the words it lacks as counting does (so within the
 * budget, pruning if need be). A truncated record, an empty or over-long
 * word or a count that overflows is KS_ERR_FORMAT; the records before it
 * have been merged.
 */
int ks_vocab_merge(struct ks_vocab *v, const unsigned char *buf, size_t len,
		   struct ks_err *err);

/*
 * Before finalize: the table's counts become those of the records,
 * exactly: a word the records lack keeps its stream id with a count of 0,
 * which finalize drops whatever min_count; a word the table lacks is added
 * whatever the budget (pruning it would make processes differ). Called
 * with the same records, tables of different corpora finalize to the same
 * vocabulary. Errors as ks_vocab_merge, the table then unusable.
 */
int ks_vocab_replace(struct ks_vocab *v, const unsigned char *buf, size_t len,
		     struct ks_err *err);

/* After finalize: the index in the base of word id, or KS_NO_WORD for a word new to it. */
uint32_t ks_vocab_base_id(const struct ks_vocab *v, uint32_t id);

/*
 * After finalize: the sum of the kept words' counts in the corpus alone,
 * without the base's (ks_vocab_total with no base).
 */
uint64_t ks_vocab_corpus_total(const struct ks_vocab *v);

/*
 * Tells v the stream map is not needed: a later ks_vocab_finalize builds
 * none, and one already built is freed; ks_vocab_stream_map then returns
 * NULL. The map holds 4 bytes for every stream id ever handed out, pruned
 * words included, which is outside the counting budget and grows with the
 * corpus: a caller that kept no stream ids (a token cache that was
 * dropped), or has already remapped them, has no use for it.
 */
void ks_vocab_skip_stream_map(struct ks_vocab *v);

/*
 * After finalize: map[stream_id] is the final id or KS_NO_WORD, for every
 * stream id below ks_vocab_stream_ids(); NULL after ks_vocab_skip_stream_map.
 * Owned by v, and valid until ks_vocab_skip_stream_map or ks_vocab_destroy.
 */
const uint32_t *ks_vocab_stream_map(const struct ks_vocab *v);

/*
 * After finalize: frees the hash index behind ks_vocab_find (16 bytes per
 * slot, about 2 MiB for 70k words), for a caller that has already mapped
 * its whole corpus to final ids. Words, counts and ids are kept; from then
 * on ks_vocab_find finds nothing (KS_NO_WORD). Does nothing before finalize.
 */
void ks_vocab_drop_index(struct ks_vocab *v);

/* After finalize: the number of words V. */
size_t ks_vocab_size(const struct ks_vocab *v);

/* After finalize: the NUL-terminated word with final id id < V. */
const char *ks_vocab_word(const struct ks_vocab *v, uint32_t id);

/* After finalize: the byte length of word id. */
size_t ks_vocab_word_len(const struct ks_vocab *v, uint32_t id);

/* After finalize: the count of word id. */
uint64_t ks_vocab_count(const struct ks_vocab *v, uint32_t id);

/* After finalize: the sum of all counts of the kept words. */
uint64_t ks_vocab_total(const struct ks_vocab *v);

/*
 * After finalize: the final id of word[0 .. len), or KS_NO_WORD. Before
 * finalize, and after ks_vocab_drop_index, every word is KS_NO_WORD.
 */
uint32_t ks_vocab_find(const struct ks_vocab *v, const char *word, size_t len);

/*
 * Copies the statistics. After ks_vocab_read, tokens is the sum of the
 * counts read.
 */
void ks_vocab_stats(const struct ks_vocab *v, struct ks_vocab_stats *stats);

/*
 * Writes the finalized vocabulary as `word count` lines, most frequent
 * first, through an outfile: a failed write is KS_ERR_WRITE and leaves no
 * partial file under path. When the first word starts with the bytes of a
 * UTF-8 byte-order mark, a mark is written before it, so that
 * ks_vocab_read, which skips one, reads the word back whole.
 */
int ks_vocab_save(const struct ks_vocab *v, const char *path, struct ks_err *err);

/*
 * Reads `word count` lines (space or tab separated, CRLF accepted, blank
 * lines skipped) from path ("-" for standard input; plain or gzip, a
 * leading UTF-8 byte-order mark skipped, as a corpus input) and finalizes
 * with min_count and max_vocab. A line for "</s>", which word2vec.c writes
 * first, is checked and skipped (see KS_SENTENCE_END_TOKEN). A malformed
 * line (missing or non-numeric count, extra fields, a duplicate word, a
 * word over KS_MAX_WORD_BYTES) is rejected with KS_ERR_FORMAT and a message
 * "PATH:LINE: what is wrong". Any whitespace but a newline separates the
 * fields. A missing file is KS_ERR_OPEN; no word left after min_count is
 * KS_ERR_EMPTY; a read error or corrupt gzip is reported as the corpus
 * reader reports it. Messages name "standard input" for "-". On success
 * *out owns a finalized vocabulary whose stream ids number the lines'
 * words in file order.
 */
int ks_vocab_read(struct ks_vocab **out, const char *path, uint64_t min_count,
		  uint64_t max_vocab, struct ks_err *err);

#endif
