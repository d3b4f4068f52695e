/*
 * Corpus input: byte sources and the tokenizer.
 *
 * A corpus is one or more inputs read one after another as a single token
 * stream. Each input is a file path or "-" for standard input; gzip is
 * recognised by its magic bytes (1f 8b), never by the file name, and
 * multi-member gzip files (`cat a.gz b.gz`) are read whole. A UTF-8
 * byte-order mark (EF BB BF) at the start of an input's text, plain or
 * inflated, is skipped. Plain, gzip and stdin copies of the same text, with
 * or without the mark, yield the same tokens.
 *
 * Tokens are maximal runs of bytes other than ASCII whitespace (space, tab,
 * CR, LF, VT, FF) and NUL, so "a\0b" is the two words a and b (a word with
 * a NUL inside could not be written to a vocabulary or vector file and read
 * back). A newline ends a sentence, and so does the end of each input;
 * empty sentences are never reported. The token "</s>" is no word but a
 * sentence end, as in word2vec.c and fastText, which read a newline as that
 * token: so it never enters a vocabulary, and vocabulary files that
 * word2vec.c wrote (which start with it) read the same as kensho's. A
 * token longer than KS_MAX_WORD_BYTES bytes is skipped whole (never cut, so
 * never split inside a UTF-8 character) and counted in the statistics.
 *
 * Sentence length limits (-max-sentence) are applied later, on word ids,
 * by the trainer; the corpus reports sentences as they are in the text.
 */
#ifndef KS_CORPUS_H
#define KS_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* The token that ends a sentence as a newline does (word2vec.c's marker). */
#define KS_SENTENCE_END_TOKEN "</s>"

/* The longest token kept, in bytes; longer ones are skipped and counted. */
#define KS_MAX_WORD_BYTES 1000

enum ks_token_kind {
	KS_TOK_EOF = 0,		/* no more input */
	KS_TOK_WORD = 1,	/* tok->bytes[0 .. tok->len) is a word */
	KS_TOK_EOS = 2		/* end of a non-empty sentence */
};

struct ks_token {
	const char *bytes;	/* valid until the next call on the corpus */
	size_t len;
};

struct ks_corpus_stats {
	uint64_t words;		/* tokens returned as KS_TOK_WORD */
	uint64_t sentences;	/* KS_TOK_EOS returned */
	uint64_t long_tokens;	/* tokens skipped for exceeding the limit */
	uint64_t bytes;		/* uncompressed bytes read, byte-order marks not counted */
};

struct ks_corpus;

/*
 * Opens the inputs paths[0 .. n_paths) (copied; "-" is stdin, at most once).
 * Every file is opened and checked here, so a missing file, a directory or
 * an unreadable file is reported (KS_ERR_OPEN, "PATH: reason") before any
 * work is done; no inputs or "-" twice is KS_ERR_USAGE. On failure *out is
 * NULL. Standard input is not read until the first ks_corpus_next.
 */
int ks_corpus_open(struct ks_corpus **out, const char *const *paths, size_t n_paths,
		   struct ks_err *err);

/*
 * Reads the next token. Returns KS_TOK_WORD, KS_TOK_EOS or KS_TOK_EOF, or a
 * negative status (KS_ERR_READ for a read error; KS_ERR_FORMAT for corrupt
 * or truncated gzip or trailing garbage after it) with a message naming the
 * file. Both ends are sticky: after KS_TOK_EOF or an error every call
 * returns the same again until ks_corpus_rewind.
 */
int ks_corpus_next(struct ks_corpus *c, struct ks_token *tok, struct ks_err *err);

/*
 * Reads up to max (at least 1) tokens into toks: words, and sentence ends
 * as tokens of length 0 (bytes NULL). Unlike a single token's, their bytes
 * all stay valid until the next call on the corpus, so a caller can work
 * on many at once. Returns KS_TOK_WORD with *n > 0 (fewer than max where
 * the text read so far ends), KS_TOK_EOF with *n == 0 at the end, or a
 * negative status as ks_corpus_next does; the two calls may be mixed.
 */
int ks_corpus_next_many(struct ks_corpus *c, struct ks_token *toks, size_t max, size_t *n,
			struct ks_err *err);

/*
 * Whether to read and decompress the inputs in a thread of the corpus's
 * own, a few blocks ahead of the tokenizer (on), or in the caller's
 * thread (off, the default). Tokens, statistics and errors are the same
 * either way; reading ahead only lets inflating overlap the caller's work,
 * at the cost of a second busy core. Takes effect at once if nothing was
 * read since the open or the last rewind, else at the next rewind. If the
 * thread cannot be started the corpus reads in the caller's thread.
 */
void ks_corpus_read_ahead(struct ks_corpus *c, int on);

/*
 * Whether ks_corpus_rewind can work: false when an input is stdin or
 * another file that is not a regular file (a pipe or a device), since
 * those can be read only once.
 */
int ks_corpus_rewindable(const struct ks_corpus *c);

/*
 * Starts again from the first input; statistics start again too. When
 * !ks_corpus_rewindable(c) it fails with KS_ERR_USAGE and changes nothing.
 */
int ks_corpus_rewind(struct ks_corpus *c, struct ks_err *err);

/* Statistics since the corpus was opened or last rewound. */
void ks_corpus_stats(const struct ks_corpus *c, struct ks_corpus_stats *stats);

/* Closes all inputs and frees c. Accepts NULL. */
void ks_corpus_close(struct ks_corpus *c);

/*
 * One input read as bytes rather than tokens, for the other text files
 * that the trainer takes in (the -read-vocab file): a path or "-" for
 * standard input, plain or gzip by magic bytes, multi-member gzip, zero
 * padding, a leading byte-order mark skipped, and the same errors naming
 * the file as a corpus input gives.
 */
struct ks_input;

/*
 * Opens path ("-" is standard input, named "standard input" in messages)
 * and checks it as ks_corpus_open does (KS_ERR_OPEN, "PATH: reason"). On
 * failure *out is NULL. Standard input is not read until ks_input_read.
 */
int ks_input_open(struct ks_input **out, const char *path, struct ks_err *err);

/*
 * Reads up to cap bytes (cap at least 3) of text into buf; *got is 0 only
 * at the end, which is sticky. Errors are those of ks_corpus_next and are
 * sticky too.
 */
int ks_input_read(struct ks_input *in, void *buf, size_t cap, size_t *got, struct ks_err *err);

/* The name used in messages: the path, or "standard input" for "-". */
const char *ks_input_name(const struct ks_input *in);

/* Closes the input (never standard input itself) and frees in. Accepts NULL. */
void ks_input_close(struct ks_input *in);

#endif
