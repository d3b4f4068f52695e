/*
 * A map of words (kensho-eval plot): the chosen words' vectors projected
 * to two dimensions by PCA (project.h) and drawn as a labelled SVG
 * scatter plot (svg.h), with the axes labelled by the share of the
 * variance each explains.
 *
 * The words come from the command line, from a file (words separated by
 * white space, lines starting with '#' ignored) and as a word with its k
 * nearest neighbours by cosine, in that order; each is looked up exactly
 * and, failing that, case-insensitively (ks_eval_lookup_exact), and a word
 * whose row is already drawn is drawn once. A word not in the vocabulary
 * is reported through the log and skipped; only when no word is found is
 * it an error. The projection is fitted on the drawn rows or, with
 * fit_rows, on the first fit_rows rows of the file (the most frequent
 * words, in a file sorted by frequency), so that the axes describe the
 * vocabulary rather than the handful of words drawn.
 *
 * Analogy questions (a file of lines "a b c d" in the Google format, ':'
 * section lines, '#' comments and blank lines skipped) draw their four
 * words and two arrows, a -> b and c -> d, in one colour per question: a
 * relation the vectors hold shows as two parallel arrows of about one
 * length (king -> queen beside man -> woman). A question with a word not
 * in the vocabulary is reported through the log, naming its line, and
 * skipped; an arrow drawn already (the same pair in two questions) is
 * drawn once.
 */
#ifndef KS_PLOT_H
#define KS_PLOT_H

#include <stddef.h>

#include "eval.h"
#include "log.h"
#include "status.h"

/* The most words one plot draws: more would be unreadable. */
#define KS_PLOT_MAX_WORDS 10000

struct ks_plot_opts {
	const char *const *words;	/* words to draw, n_words of them */
	size_t n_words;
	const char *words_file;		/* a file of words to draw, "-" for stdin, or NULL */
	const char *neighbors_of;	/* a word to draw with its k nearest, or NULL */
	const char *analogies_file;	/* questions to draw as arrows, "-" for stdin, or NULL */
	size_t k;
	size_t fit_rows;		/* fit on the first N rows of the file; 0 = on the drawn rows */
	const char *title;		/* above the plot, or NULL */
	const struct ks_log *log;	/* receives the words not found; may be NULL */
};

struct ks_plot_report {
	size_t asked;		/* words asked for, neighbours included */
	size_t missing;		/* of them not in the vocabulary */
	size_t drawn;		/* points drawn */
	size_t fitted;		/* rows the projection was fitted on */
	size_t questions;	/* analogy questions read */
	size_t questions_drawn;	/* of them with all four words found */
	size_t arrows;		/* arrows drawn */
	double explained[2];	/* the share of the variance along each axis, 0..1 */
};

/*
 * Draws the words opts names from ev into an SVG file at svg_path
 * (atomic, see outfile.h). rep, when not NULL, is filled in on success.
 * Fails with KS_ERR_NOT_FOUND when none of the words is in the vocabulary
 * (or the word of neighbors_of is not, or no analogy question has all
 * four), KS_ERR_USAGE when no word is asked for, KS_ERR_LIMIT past
 * KS_PLOT_MAX_WORDS, KS_ERR_OPEN or KS_ERR_READ for the words or
 * questions file, KS_ERR_FORMAT naming the file and line of a question
 * line that is not four words or for a file without questions,
 * KS_ERR_OPEN or KS_ERR_WRITE for the SVG,
 * KS_ERR_NOMEM; every message names the file or word at fault, and after
 * a failure nothing new is left under svg_path.
 */
int ks_plot(const struct ks_eval_vectors *ev, const char *svg_path, const struct ks_plot_opts *opts,
	    struct ks_plot_report *rep, struct ks_err *err);

#endif
