/*
 * kensho-eval plot's library side (see plot.h): choose the rows, fit the
 * projection, draw. A byte per vocabulary row marks the rows already
 * chosen, so a word given twice (or as its own neighbour) is drawn once.
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
	if (opts->n_words == 0 && opts->words_file == NULL && opts->neighbors_of == NULL)
		return ks_err_set(err, KS_ERR_USAGE, "no words to plot");
	pk.chosen = calloc(vs->n_words, 1);
	pk.rows = ks_malloc_array(KS_PLOT_MAX_WORDS, sizeof(*pk.rows));
	if (pk.chosen == NULL || pk.rows == NULL) {
		rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < opts->n_words && rc == KS_OK; i++)
		rc = pick_word(&pk, opts->words[i], strlen(opts->words[i]), err);
	if (rc == KS_OK && opts->words_file != NULL)
		rc = pick_file(&pk, opts->words_file, err);
	if (rc == KS_OK && opts->neighbors_of != NULL)
		rc = pick_neighbors(&pk, opts->neighbors_of, opts->k > 0 ? opts->k : 10, err);
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
	rc = ks_svg_write_plot(svg_path, &plot, pts, pk.n, err);
	if (rc == KS_OK && rep != NULL) {
		rep->asked = pk.asked;
		rep->missing = pk.missing;
		rep->drawn = pk.n;
		rep->fitted = n_fit;
		rep->explained[0] = ks_pca_explained(pca, 0);
		rep->explained[1] = ks_pca_explained(pca, 1);
	}
done:
	free(pk.chosen);
	free(pk.rows);
	free(fit_rows);
	free(pts);
	ks_pca_destroy(pca);
	return rc;
}
