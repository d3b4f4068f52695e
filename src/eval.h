/*
 * Evaluation of word vectors: word analogies, word-pair similarity and
 * nearest neighbours, as kensho-eval(1) reports them.
 *
 * The semantics follow gensim's KeyedVectors.evaluate_word_analogies and
 * evaluate_word_pairs (with case_insensitive=True), which themselves follow
 * word2vec.c's compute-accuracy, so that the figures agree with both:
 *
 * - Words are compared with ASCII letters folded to one case. A word of a
 *   test set stands for the FIRST row of the vector file whose word folds
 *   to the same bytes (in a file sorted by frequency, the most frequent
 *   spelling). Bytes outside ASCII are compared as they are (gensim folds
 *   them with Unicode's rules; the bundled and public English sets are
 *   ASCII).
 * - "restrict N" keeps the first N rows of the file (0 = all): a question
 *   or pair counts only if all its words are found there, and analogy
 *   answers are searched there. Accuracy is correct / covered questions;
 *   coverage is covered / well-formed questions.
 * - An analogy a:b :: c:? is answered by the row maximising 3CosAdd,
 *   cos(x, b) - cos(x, a) + cos(x, c), or 3CosMul (Levy and Goldberg,
 *   "Linguistic Regularities in Sparse and Explicit Word Representations",
 *   CoNLL 2014): cos'(x, b) cos'(x, c) / (cos'(x, a) + 0.001) with
 *   cos' = (cos + 1) / 2. The rows of a, b and c are never answers, nor is
 *   another spelling of them: as gensim does, the five best other rows are
 *   taken in order and the first whose folded word is not a question word
 *   is the answer (if all five are, the fifth is taken).
 *
 * Vectors are normalised to unit length once; a zero vector stays zero and
 * has cosine 0 with everything. Analogy questions are scored as a matrix
 * product between the distinct question words and blocks of the
 * vocabulary, split over threads; each question then reads three rows of
 * that product. Results do not depend on the number of threads.
 *
 * The library never prints: every function returns a status and fills a
 * result the caller prints.
 */
#ifndef KS_EVAL_H
#define KS_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "vecfile.h"

/* Vectors prepared for evaluation: unit rows and a case-folded index. */
struct ks_eval_vectors;

/*
 * Takes ownership of vs (also on failure), normalises its rows in place and
 * indexes its words. vs must hold at least one vector.
 */
int ks_eval_vectors_create(struct ks_eval_vectors **out, struct ks_vecset *vs, struct ks_err *err);

/* Frees the vectors and the set they own. Accepts NULL. */
void ks_eval_vectors_destroy(struct ks_eval_vectors *ev);

/* The underlying set; its rows now have unit length. */
const struct ks_vecset *ks_eval_vectors_set(const struct ks_eval_vectors *ev);

/*
 * The first row whose word equals word (len bytes) with ASCII letters
 * folded, or -1; with limit > 0, -1 also when that row is not below limit.
 */
long ks_eval_lookup(const struct ks_eval_vectors *ev, const char *word, size_t len, size_t limit);

/* The row holding exactly word, else ks_eval_lookup(ev, word, len, 0). */
long ks_eval_lookup_exact(const struct ks_eval_vectors *ev, const char *word, size_t len);

enum ks_eval_method {
	KS_EVAL_ADD = 0,	/* 3CosAdd */
	KS_EVAL_MUL = 1		/* 3CosMul */
};

/* The epsilon of 3CosMul, as Levy and Goldberg chose it. */
#define KS_EVAL_MUL_EPSILON 0.001f

/* ---- analogies ---- */

struct ks_analogy_section {
	char *name;		/* as in the file; "" for questions before any ": " line */
	size_t first;		/* its questions are first .. first + count - 1 */
	size_t count;
};

/* Questions read from a file; words[4 * q + i] is word i of question q. */
struct ks_analogy_set {
	size_t n_questions;
	char **words;
	size_t *lines;		/* line number of each question */
	size_t n_sections;
	struct ks_analogy_section *sections;
	size_t n_named;		/* sections that came from ": name" lines */
	size_t skipped;		/* lines that were neither sections nor four words */
	size_t first_skipped;	/* line number of the first of them, 0 if none */
	/* private */
	char *pool;
};

/*
 * Reads an analogy set: the Google format (": section" lines, then lines of
 * four words) or the MSR format (lines of four words, no sections). Blank
 * lines are ignored; other lines that are not four words (a column header,
 * a truncated line) and lines holding a NUL byte are skipped and counted. Tabs, runs of spaces, CRLF and
 * a missing final newline are accepted; a leading UTF-8 byte-order mark is
 * skipped; gzip is detected. An empty set is
 * KS_ERR_FORMAT. On success *out is owned by the caller.
 */
int ks_analogy_set_read(struct ks_analogy_set **out, const char *path, struct ks_err *err);

/* Frees a set. Accepts NULL. */
void ks_analogy_set_destroy(struct ks_analogy_set *set);

/*
 * Checks that the test file at path (questions or pairs) exists, is not a
 * directory and may be read, so that a mistyped name is reported before
 * the vectors take their time to load. The file is not opened: a FIFO's
 * writer must not see its reader come and go. "-" (standard input)
 * passes. Returns KS_OK or KS_ERR_OPEN with a message naming the file.
 */
int ks_eval_file_check(const char *path, struct ks_err *err);

struct ks_analogy_opts {
	size_t restrict_n;	/* the first N rows (0 = all); kensho-eval's default 30000 */
	enum ks_eval_method method;
	unsigned threads;	/* 0 = one per online processor */
};

struct ks_analogy_tally {
	size_t questions;	/* well-formed questions */
	size_t covered;		/* questions whose four words are in the restricted rows */
	size_t correct;
};

struct ks_analogy_result {
	size_t n_sections;
	struct ks_analogy_tally *sections;	/* per section of the set */
	struct ks_analogy_tally total;
	int has_split;		/* named sections of both kinds below (Google's file) */
	struct ks_analogy_tally semantic;	/* named sections not starting "gram" */
	struct ks_analogy_tally syntactic;	/* sections named "gram..." (zero without a split) */
	long *answers;		/* per question: the row answered; -1 if not covered,
				 * -2 if covered but the rows ran out */
	size_t restrict_n;	/* the number of rows actually searched */
};

/*
 * Answers every question of set with ev. res is filled (the caller frees it
 * with ks_analogy_result_free, also after a failure). Fails only for lack
 * of memory or threads.
 */
int ks_analogy_eval(const struct ks_eval_vectors *ev, const struct ks_analogy_set *set,
		    const struct ks_analogy_opts *opts, struct ks_analogy_result *res,
		    struct ks_err *err);

/* Frees what ks_analogy_eval put in res. */
void ks_analogy_result_free(struct ks_analogy_result *res);

/* ---- similarity ---- */

/* Word pairs with human scores; pair p is words[2p], words[2p + 1]. */
struct ks_simset {
	size_t n_pairs;
	char **words;
	double *gold;
	size_t *lines;
	size_t skipped;		/* lines that were not `w1 w2 score` */
	size_t first_skipped;	/* line number of the first of them, 0 if none */
	/* private */
	char *pool;
};

/*
 * Reads `w1 w2 score` lines. A line with a tab is split at tabs (as gensim
 * does, so a field may hold spaces), any other at runs of spaces. Lines
 * starting with '#' and blank lines are ignored; other lines without three
 * fields or without a finite number as the third (a column header), and
 * lines holding a NUL byte, are skipped and counted. CRLF and a missing
 * final newline are accepted, a leading UTF-8 byte-order mark is skipped,
 * gzip is detected. An empty set is KS_ERR_FORMAT.
 */
int ks_simset_read(struct ks_simset **out, const char *path, struct ks_err *err);

/* Frees a set. Accepts NULL. */
void ks_simset_destroy(struct ks_simset *set);

struct ks_similarity_result {
	size_t pairs;		/* pairs in the set */
	size_t found;		/* pairs with both words in the restricted rows */
	int defined;		/* at least two pairs found and neither side constant */
	double spearman;	/* rank correlation, ties given their average rank */
	double pearson;		/* linear correlation of the scores */
	double *cosines;	/* per pair: the model's cosine, NaN if not found */
};

/*
 * Scores every pair of set whose words are among the first restrict_n rows
 * (0 = all; kensho-eval's default is 300000, as gensim's) and correlates
 * the cosines with the human scores. res is filled (free it with
 * ks_similarity_result_free, also after a failure).
 */
int ks_similarity_eval(const struct ks_eval_vectors *ev, const struct ks_simset *set,
		       size_t restrict_n, struct ks_similarity_result *res, struct ks_err *err);

/* Frees what ks_similarity_eval put in res. */
void ks_similarity_result_free(struct ks_similarity_result *res);

/*
 * Spearman's rank correlation of x and y (n values each), ranking ties by
 * their average rank; NaN when n < 2 or one side is constant.
 */
double ks_eval_spearman(const double *x, const double *y, size_t n);

/* Pearson's correlation of x and y; NaN when n < 2 or one side is constant. */
double ks_eval_pearson(const double *x, const double *y, size_t n);

/* ---- neighbours ---- */

struct ks_neighbor {
	size_t row;
	double score;		/* cosine, or the 3CosMul value */
};

/*
 * Finds the k best rows among the first restrict_n (0 = all) for a query of
 * n_words words, each looked up with ks_eval_lookup_exact: one word asks for
 * its nearest neighbours by cosine; three words a b c ask for the analogy
 * a:b :: c:? by method; any other number for the neighbours of the sum of
 * their unit vectors. The query's own rows are excluded. out must hold k
 * entries; *n_out receives how many were found, best first (ties by row).
 * A word that is not in the file gives KS_ERR_NOT_FOUND naming it.
 */
int ks_eval_neighbors(const struct ks_eval_vectors *ev, const char *const *words, size_t n_words,
		      enum ks_eval_method method, size_t restrict_n, size_t k,
		      struct ks_neighbor *out, size_t *n_out, struct ks_err *err);

#endif
