/*
 * Scatter plots of labelled points as self-contained SVG (kensho-eval
 * plot): no script, no external font or style sheet, one file that any
 * browser or SVG renderer shows as it is.
 *
 * The points are scaled into a framed plot area (each axis over the range
 * of its coordinates, with a margin). Each label is placed by a greedy
 * search: the candidate positions around its point (right, left, above,
 * below, the corners, then the same farther out with a leader line) are
 * tried in order and the first whose box overlaps no label placed before,
 * no other point and stays inside the frame is taken; when none is free,
 * the candidate overlapping least. Text boxes are estimated from the
 * number of characters (0.62 em each), which suits sans-serif fonts.
 * Arrows between points (kensho-eval plot -analogies) are lines with an
 * arrowhead marker, drawn under the points and shortened so the head
 * touches the edge of the target point; the label search also avoids
 * them. Arrows of one group share a colour (a question's two arrows), so
 * parallel pairs read as one figure.
 * Labels are escaped for XML; bytes that are not UTF-8 and control
 * characters become U+FFFD, so the file is always well-formed.
 */
#ifndef KS_SVG_H
#define KS_SVG_H

#include <stddef.h>

#include "status.h"

struct ks_svg_point {
	double x, y;		/* data coordinates, finite */
	const char *label;	/* UTF-8; NULL or "" for none */
};

/* An arrow from point from to point to (indices into the points written). */
struct ks_svg_arrow {
	size_t from, to;
	size_t group;		/* arrows of one group share a colour */
};

/* What to write around the points. Zero-initialised means no texts and 800 x 600. */
struct ks_svg_plot {
	const char *title;	/* above the frame, or NULL */
	const char *x_label;	/* below the frame, or NULL */
	const char *y_label;	/* left of the frame, turned, or NULL */
	unsigned width, height;	/* pixels, at least 200 x 150; 0 = 800 x 600 */
	const struct ks_svg_arrow *arrows;	/* n_arrows arrows between the points, or NULL */
	size_t n_arrows;
};

/* The label's size in pixels (font-size) and the point's radius. */
#define KS_SVG_FONT_PX 13
#define KS_SVG_POINT_R 3.5

/*
 * Writes the n points (n >= 1) with their labels, and plot's arrows, to
 * path through an outfile (atomic for regular files, "-" is standard
 * output, gzip when the name ends in ".gz"). Each arrow is a <line
 * class="arrow"> whose <title> holds the two labels joined by U+2192 (an
 * arrow), so a reader or a test can tell which words it joins. Fails with
 * KS_ERR_OPEN or KS_ERR_WRITE naming the file, KS_ERR_NOMEM, or
 * KS_ERR_INTERNAL for a non-finite coordinate, an arrow's index out of
 * range or a size out of range; after a failure nothing new is left
 * under path.
 */
int ks_svg_write_plot(const char *path, const struct ks_svg_plot *plot,
		      const struct ks_svg_point *pts, size_t n, struct ks_err *err);

#endif
