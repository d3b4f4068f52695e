/*
 * kensho-eval plot's library side (see plot.h): choose the rows, fit the
 * projection, draw. A byte per vocabulary row marks the rows already
 * chosen, so a word given twice (or as its own neighbour) is drawn once.
 * An arrow joins two drawn points by their places in the list of rows;
 * the place of a row is found by a linear search, which the limit of
 * KS_PLOT_MAX_WORDS points keeps cheap for the few arrows of a picture.
 */
#include "plot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "project.h"
#include "svg.h"

struct pick {
	const struct ks_eval_vectors *ev;
	const struct ks_log *log;
	unsigned char *chosen;	/* per vocabulary row */
	size_t *rows;		/* the rows to draw, in order, KS_PLOT_MAX_WORDS at most */
	size_t n;
	size_t asked, missing;
	struct ks_svg_arrow *arrows;	/* KS_PLOT_MAX_WORDS at most */
	size_t n_arrows;
	size_t questions, questions_drawn;
};

/* Adds row to the rows to draw unless it is there already. */
static int
pick_row(struct pick *pk, size_t row, struct ks_err *err)
{
	if (pk->chosen[row])
		return KS_OK;
	if (pk->n == KS_PLOT_MAX_WORDS)
		return ks_err_set(err, KS_ERR_LIMIT, "more than %d words to plot", KS_PLOT_MAX_WORDS);
	pk->chosen[row] = 1;
	pk->rows[pk->n++] = row;
	return KS_OK;
}

/* Looks up word (len bytes) and adds its row; a word not found is reported and skipped. */
static int
pick_word(struct pick *pk, const char *word, size_t len, struct ks_err *err)
{
	long row = ks_eval_lookup_exact(pk->ev, word, len);

	pk->asked++;
	if (row < 0) {
		pk->missing++;
		ks_log(pk->log, KS_LOG_WARN, "'%.*s' is not in the vocabulary",
		       (int)(len > 200 ? 200 : len), word);
		return KS_OK;
	}
	return pick_row(pk, (size_t)row, err);
}

static int
is_white(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Adds the words of a file (white-space separated; '#' lines are comments). */
static int
pick_file(struct pick *pk, const char *path, struct ks_err *err)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	int rc = KS_OK;

	if (f == NULL)
		return ks_err_errno(err, KS_ERR_OPEN, errno, "%s", path);
	while (rc == KS_OK && (got = getline(&line, &cap, f)) >= 0) {
		size_t i = 0, len = (size_t)got;

		if (len > 0 && line[0] == '#')
			continue;
		while (rc == KS_OK && i < len) {
			size_t start;

			while (i < len && is_white(line[i]))
				i++;
			start = i;
			while (i < len && !is_white(line[i]) && line[i] != '\0')
				i++;
			if (i > start)
				rc = pick_word(pk, line + start, i - start, err);
			else if (i < len && line[i] == '\0')
				i++;
		}
	}
	if (rc == KS_OK && ferror(f))
		rc = ks_err_errno(err, KS_ERR_READ, errno ? errno : EIO, "%s", path);
	free(line);
	if (!is_stdin)
		fclose(f);
	return rc;
}

/* The place of a chosen row among the points to draw. */
static size_t
pick_place(const struct pick *pk, size_t row)
{
	size_t i;

	for (i = 0; i < pk->n && pk->rows[i] != row; i++)
		;
	return i;
}

/* Adds the arrow between two chosen rows unless it is there already or joins a point to itself. */
static int
pick_arrow(struct pick *pk, size_t from_row, size_t to_row, size_t group, struct ks_err *err)
{
	size_t from = pick_place(pk, from_row), to = pick_place(pk, to_row), i;

	if (from == to)
		return KS_OK;
	for (i = 0; i < pk->n_arrows; i++)
		if (pk->arrows[i].from == from && pk->arrows[i].to == to)
			return KS_OK;
	if (pk->n_arrows == KS_PLOT_MAX_WORDS)
		return ks_err_set(err, KS_ERR_LIMIT, "more than %d arrows to draw", KS_PLOT_MAX_WORDS);
	pk->arrows[pk->n_arrows].from = from;
	pk->arrows[pk->n_arrows].to = to;
	pk->arrows[pk->n_arrows].group = group;
	pk->n_arrows++;
	return KS_OK;
}

/*
 * Adds the question of line (a b c d at path:line_no, the words at
 * word[0..4) with their lengths) when all four words are known: the words
 * and the arrows a -> b and c -> d. A question with an unknown word is
 * reported and skipped.
 */
static int
pick_question(struct pick *pk, const char *path, size_t line_no, char *const *word,
	      const size_t *len, struct ks_err *err)
{
	long row[4];
	size_t i;
	int rc = KS_OK;

	pk->questions++;
	for (i = 0; i < 4; i++)
		row[i] = ks_eval_lookup_exact(pk->ev, word[i], len[i]);
	for (i = 0; i < 4; i++)
		if (row[i] < 0) {
			ks_log(pk->log, KS_LOG_WARN, "%s:%zu: '%.*s' is not in the vocabulary; the "
			       "question %.*s %.*s %.*s %.*s is skipped", path, line_no,
			       (int)(len[i] > 200 ? 200 : len[i]), word[i],
			       (int)(len[0] > 200 ? 200 : len[0]), word[0],
			       (int)(len[1] > 200 ? 200 : len[1]), word[1],
			       (int)(len[2] > 200 ? 200 : len[2]), word[2],
			       (int)(len[3] > 200 ? 200 : len[3]), word[3]);
			return KS_OK;
		}
	pk->questions_drawn++;
	for (i = 0; i < 4 && rc == KS_OK; i++) {
		pk->asked++;
		rc = pick_row(pk, (size_t)row[i], err);
	}
	if (rc == KS_OK)
		rc = pick_arrow(pk, (size_t)row[0], (size_t)row[1], pk->questions_drawn - 1, err);
	if (rc == KS_OK)
		rc = pick_arrow(pk, (size_t)row[2], (size_t)row[3], pk->questions_drawn - 1, err);
	return rc;
}

/*
 * Adds the analogy questions of a file (see plot.h): lines of four words;
 * ':' section lines, '#' comments and blank lines are skipped; any other
 * line is an error naming the file and line.
 */
static int
pick_questions(struct pick *pk, const char *path, struct ks_err *err)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	const char *name = is_stdin ? "standard input" : path;
	char *line = NULL;
	size_t cap = 0, line_no = 0;
	ssize_t got;
	int rc = KS_OK;

	if (f == NULL)
		return ks_err_errno(err, KS_ERR_OPEN, errno, "%s", path);
	while (rc == KS_OK && (got = getline(&line, &cap, f)) >= 0) {
		size_t i = 0, len = (size_t)got, n = 0, word_len[4];
		char *word[4];

		line_no++;
		while (i < len && is_white(line[i]))
			i++;
		if (i == len || line[i] == ':' || line[i] == '#')
			continue;
		while (i < len) {
			size_t start = i;

			while (i < len && !is_white(line[i]) && line[i] != '\0')
				i++;
			if (i < len && line[i] == '\0') {
				rc = ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: a NUL byte in a question",
						name, line_no);
				break;
			}
			if (n < 4) {
				word[n] = line + start;
				word_len[n] = i - start;
			}
			n++;
			while (i < len && is_white(line[i]))
				i++;
		}
		if (rc != KS_OK)
			break;
		if (n != 4) {
			rc = ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: a question is four words a b c d "
					"(a is to b as c is to d), this line has %zu", name, line_no, n);
			break;
		}
		rc = pick_question(pk, name, line_no, word, word_len, err);
	}
	if (rc == KS_OK && ferror(f))
		rc = ks_err_errno(err, KS_ERR_READ, errno ? errno : EIO, "%s", name);
	if (rc == KS_OK && pk->questions == 0)
		rc = ks_err_set(err, KS_ERR_FORMAT, "%s: no analogy questions (lines a b c d)", name);
	else if (rc == KS_OK && pk->questions_drawn == 0)
		rc = ks_err_set(err, KS_ERR_NOT_FOUND, "%s: none of the %zu question%s has all four "
				"words in the vocabulary", name, pk->questions,
				pk->questions == 1 ? "" : "s");
	free(line);
	if (!is_stdin)
		fclose(f);
	return rc;
}

/* Adds word and its k nearest neighbours by cosine. */
static int
pick_neighbors(struct pick *pk, const char *word, size_t k, struct ks_err *err)
{
	struct ks_neighbor *nb = ks_calloc_array(k, sizeof(*nb));
	size_t found = 0, i;
	int rc;

	if (nb == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for %zu neighbours", k);
	rc = ks_eval_neighbors(pk->ev, &word, 1, KS_EVAL_ADD, 0, k, nb, &found, err);
	if (rc == KS_OK) {
		rc = pick_word(pk, word, strlen(word), err);
		for (i = 0; i < found && rc == KS_OK; i++) {
			pk->asked++;
			rc = pick_row(pk, nb[i].row, err);
		}
	}
	free(nb);
	return rc;
}

int
ks_plot(const struct ks_eval_vectors *ev, const char *svg_path, const struct ks_plot_opts *opts,
	struct ks_plot_report *rep, struct ks_err *err)
{
	const struct ks_vecset *vs = ks_eval_vectors_set(ev);
	struct ks_svg_point *pts = NULL;
	struct ks_pca *pca = NULL;
	struct ks_svg_plot plot;
	struct pick pk;
	float *fit_rows = NULL;
	char x_label[128], y_label[128];
	size_t i, n_fit;
	int rc = KS_OK;

	memset(&pk, 0, sizeof(pk));
	pk.ev = ev;
	pk.log = opts->log;
	if (opts->n_words == 0 && opts->words_file == NULL && opts->neighbors_of == NULL &&
	    opts->analogies_file == NULL)
		return ks_err_set(err, KS_ERR_USAGE, "no words to plot");
	pk.chosen = calloc(vs->n_words, 1);
	pk.rows = ks_malloc_array(KS_PLOT_MAX_WORDS, sizeof(*pk.rows));
	pk.arrows = opts->analogies_file != NULL
		? ks_malloc_array(KS_PLOT_MAX_WORDS, sizeof(*pk.arrows)) : NULL;
	if (pk.chosen == NULL || pk.rows == NULL || (opts->analogies_file != NULL && pk.arrows == NULL)) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < opts->n_words && rc == KS_OK; i++)
		rc = pick_word(&pk, opts->words[i], strlen(opts->words[i]), err);
	if (rc == KS_OK && opts->words_file != NULL)
		rc = pick_file(&pk, opts->words_file, err);
	if (rc == KS_OK && opts->neighbors_of != NULL)
		rc = pick_neighbors(&pk, opts->neighbors_of, opts->k > 0 ? opts->k : 10, err);
	if (rc == KS_OK && opts->analogies_file != NULL)
		rc = pick_questions(&pk, opts->analogies_file, err);
	if (rc != KS_OK)
		goto done;
	if (pk.n == 0) {
		rc = pk.asked == 0 ? ks_err_set(err, KS_ERR_USAGE, "no words to plot")
			: ks_err_set(err, KS_ERR_NOT_FOUND, "none of the %zu word%s to plot is in the "
				     "vocabulary", pk.asked, pk.asked == 1 ? "" : "s");
		goto done;
	}
	if (opts->fit_rows > 0) {
		n_fit = opts->fit_rows < vs->n_words ? opts->fit_rows : vs->n_words;
		rc = ks_pca_fit(&pca, vs->vecs, n_fit, vs->dim, vs->dim, vs->dim >= 2 ? 2 : 1, err);
	} else {
		n_fit = pk.n;
		fit_rows = ks_malloc_array(pk.n, vs->dim * sizeof(*fit_rows));
		if (fit_rows == NULL) {
			rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
			goto done;
		}
		for (i = 0; i < pk.n; i++)
			memcpy(fit_rows + i * vs->dim, vs->vecs + pk.rows[i] * vs->dim,
			       vs->dim * sizeof(*fit_rows));
		rc = ks_pca_fit(&pca, fit_rows, pk.n, vs->dim, vs->dim, vs->dim >= 2 ? 2 : 1, err);
	}
	if (rc != KS_OK)
		goto done;
	pts = ks_calloc_array(pk.n, sizeof(*pts));
	if (pts == NULL) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < pk.n; i++) {
		double c[2] = { 0, 0 };

		ks_pca_project(pca, vs->vecs + pk.rows[i] * vs->dim, c);
		pts[i].x = c[0];
		pts[i].y = c[1];
		pts[i].label = vs->words[pk.rows[i]];
	}
	snprintf(x_label, sizeof(x_label), "PC1: %.1f%% of the variance", 100 * ks_pca_explained(pca, 0));
	snprintf(y_label, sizeof(y_label), "PC2: %.1f%% of the variance", 100 * ks_pca_explained(pca, 1));
	memset(&plot, 0, sizeof(plot));
	plot.title = opts->title;
	plot.x_label = x_label;
	plot.y_label = y_label;
	plot.arrows = pk.arrows;
	plot.n_arrows = pk.n_arrows;
	rc = ks_svg_write_plot(svg_path, &plot, pts, pk.n, err);
	if (rc == KS_OK && rep != NULL) {
		rep->asked = pk.asked;
		rep->missing = pk.missing;
		rep->drawn = pk.n;
		rep->fitted = n_fit;
		rep->explained[0] = ks_pca_explained(pca, 0);
		rep->explained[1] = ks_pca_explained(pca, 1);
		rep->questions = pk.questions;
		rep->questions_drawn = pk.questions_drawn;
		rep->arrows = pk.n_arrows;
	}
done:
	free(pk.chosen);
	free(pk.rows);
	free(pk.arrows);
	free(fit_rows);
	free(pts);
	ks_pca_destroy(pca);
	return rc;
}
