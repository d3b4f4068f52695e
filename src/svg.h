/*
 * Scatter plots of labelled points and line charts as self-contained SVG
 * (kensho-eval plot and plot-loss): no script, no external font or style
 * sheet, one file that any browser or SVG renderer shows as it is.
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

/*
 * Line charts (kensho-eval plot-loss): panels stacked one above the other
 * over one shared x axis, each with its own y axis, ticks at round
 * numbers (1, 2 or 5 times a power of ten; large values as 20M, 1.5k),
 * grid lines and a legend. A series is a polyline through its points in
 * order, broken before each index of its breaks and around every point
 * whose y is not finite; such a point is drawn instead as a red mark
 * (class "nan") along the top of its panel at its x, and the legend then
 * says "diverged (nan)". A run of one finite point is drawn as a dot.
 * Marks are vertical dashed lines (class "mark") across every panel at
 * the given x values, named in the legend by mark_label. A panel without
 * any finite y has no y ticks but the note "no finite value".
 */
struct ks_svg_series {
	const char *name;	/* for the legend, or NULL */
	const char *colour;	/* an SVG colour, "#rrggbb" */
	const double *x, *y;	/* n values each; x finite, y may be nan or infinite */
	size_t n;
	const size_t *breaks;	/* n_breaks indices, ascending: no line into these points */
	size_t n_breaks;
};

struct ks_svg_panel {
	const char *y_label;	/* left of the panel, turned, or NULL */
	const struct ks_svg_series *series;
	size_t n_series;
	int from_zero;		/* the y axis starts at 0 (when every finite y is >= 0) */
	double weight;		/* the panel's share of the height, relative to the others; 0 = 1 */
};

/* The most panels one chart holds. */
#define KS_SVG_MAX_PANELS 4

struct ks_svg_chart {
	const char *title;	/* above the chart, or NULL */
	const char *x_label;	/* below the lowest panel, or NULL */
	unsigned width, height;	/* pixels, at least 300 x 200; 0 = 800 x 600 */
	const struct ks_svg_panel *panels;	/* 1 .. KS_SVG_MAX_PANELS */
	size_t n_panels;
	const double *marks;	/* n_marks x values, finite */
	size_t n_marks;
	const char *mark_label;	/* for the legend when n_marks > 0, or NULL */
};

/*
 * Writes the chart to path as ks_svg_write_plot writes its plot (atomic,
 * "-" is standard output, gzip for ".gz"). The x axis spans every x of
 * every series and every mark, from 0 when all are >= 0. Fails with
 * KS_ERR_OPEN or KS_ERR_WRITE naming the file, KS_ERR_NOMEM, or
 * KS_ERR_INTERNAL for a chart without panels or points, a non-finite x or
 * mark, or a size out of range; after a failure nothing new is left under
 * path.
 */
int ks_svg_write_chart(const char *path, const struct ks_svg_chart *chart, struct ks_err *err);

#endif
