/*
 * The training curve as a picture (kensho-eval plot-loss): a -loss-log
 * file (losslog.h) read back, and drawn as an SVG chart of two panels
 * over the words processed: the mean loss per example above, the words
 * per second below (svg.h's chart).
 *
 * The reader is strict, because a picture of a half-understood file
 * misleads: the first line that is not a comment must be the column
 * header losslog.h writes, every other line six tab-separated numbers.
 * A malformed line is an error naming the file, the line number and what
 * is wrong. Comment lines ('#') are skipped, except the resume markers
 * "# resumed at word N", which are kept: the chart draws each as a
 * vertical dashed line and breaks the curves there (a run resumed from
 * an older checkpoint goes back in words, which a line must not join).
 * The loss may be nan or infinite (a diverged run); such points are not
 * joined by the line but drawn as red marks along the top of the loss
 * panel, with "diverged (nan)" in the legend, so a divergence cannot be
 * mistaken for a gap in the log. A loss that grows is drawn as it is: the
 * axis spans every finite value.
 */
#ifndef KS_LOSSPLOT_H
#define KS_LOSSPLOT_H

#include <stddef.h>

#include "status.h"

/* The longest line the reader takes; a longer one is not a loss log's. */
#define KS_LOSSPLOT_MAX_LINE 4096

/* A loss log read back: one array per column, n values each. */
struct ks_losscurve {
	size_t n;		/* data lines */
	double *seconds, *words, *epoch, *lr, *loss, *words_s;
	size_t n_resumes;
	double *resume_words;	/* the N of each "# resumed at word N", in file order */
	size_t *resume_at;	/* the index of the first data line after each marker */
	size_t non_finite;	/* data lines whose loss is nan or infinite */
};

/*
 * Reads the loss log at path ("-" is standard input). On success *out
 * owns a new curve (ks_losscurve_destroy) with at least one data line.
 * Fails with KS_ERR_OPEN or KS_ERR_READ naming the file, KS_ERR_FORMAT
 * naming the file and line of a line that is not the header or six
 * numbers (or the file when it holds no data line), KS_ERR_LIMIT for a
 * line over KS_LOSSPLOT_MAX_LINE bytes, or KS_ERR_NOMEM; then *out is
 * NULL.
 */
int ks_losscurve_read(struct ks_losscurve **out, const char *path, struct ks_err *err);

/* Frees a curve. Accepts NULL. */
void ks_losscurve_destroy(struct ks_losscurve *c);

/*
 * Draws c as an SVG chart into svg_path (atomic, see outfile.h), with
 * title above it when not NULL. Fails as ks_svg_write_chart does; after
 * a failure nothing new is left under svg_path.
 */
int ks_lossplot_write(const struct ks_losscurve *c, const char *svg_path, const char *title,
		      struct ks_err *err);

#endif
