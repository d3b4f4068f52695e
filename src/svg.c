/*
 * The SVG scatter plot writer (see svg.h). Layout first (scales, then the
 * label boxes), then one pass of printing into an outfile; the outfile's
 * commit checks every write, so the printing itself need not.
 */
#include "svg.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "outfile.h"

/* Room around the plot area: left (y label), right, top (title), bottom (x label). */
#define SVG_MARGIN_L 56.0
#define SVG_MARGIN_R 24.0
#define SVG_MARGIN_T 44.0
#define SVG_MARGIN_B 56.0
/* Space between the frame and the outermost points. */
#define SVG_PAD 24.0
/* The gap between a point and its label. */
#define SVG_GAP 6.0

/*
 * The colours of the arrow groups, in turn (Okabe and Ito's palette for
 * colour-blind readers, without its yellow, which is too pale on white).
 */
static const char *const svg_arrow_colours[] = {
	"#d55e00", "#009e73", "#cc79a7", "#e69f00", "#0072b2", "#56b4e9",
};
#define SVG_N_ARROW_COLOURS (sizeof(svg_arrow_colours) / sizeof(svg_arrow_colours[0]))

struct box {
	double x0, y0, x1, y1;
};

struct placed {
	double x, y;		/* the text's anchor point (baseline) */
	const char *anchor;	/* "start", "middle" or "end" */
	int leader;		/* draw a line from the point to the label */
	struct box box;
};

/* The number of characters of a UTF-8 label, for its estimated width. */
static size_t
svg_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static double
svg_overlap(const struct box *a, const struct box *b)
{
	double w = fmin(a->x1, b->x1) - fmax(a->x0, b->x0);
	double h = fmin(a->y1, b->y1) - fmax(a->y0, b->y0);

	return w > 0 && h > 0 ? w * h : 0;
}

/*
 * The length of the segment (x0, y0) - (x1, y1) inside box b (Liang and
 * Barsky's clipping: the segment's parameter range is narrowed by each of
 * the four sides in turn).
 */
static double
svg_segment_in_box(const double *seg, const struct box *b)
{
	double dx = seg[2] - seg[0], dy = seg[3] - seg[1], t0 = 0, t1 = 1;
	double p[4] = { -dx, dx, -dy, dy };
	double q[4] = { seg[0] - b->x0, b->x1 - seg[0], seg[1] - b->y0, b->y1 - seg[1] };
	size_t k;

	for (k = 0; k < 4; k++) {
		if (p[k] == 0) {
			if (q[k] < 0)
				return 0;
			continue;
		}
		if (p[k] < 0)
			t0 = fmax(t0, q[k] / p[k]);
		else
			t1 = fmin(t1, q[k] / p[k]);
		if (t0 >= t1)
			return 0;
	}
	return (t1 - t0) * sqrt(dx * dx + dy * dy);
}

/*
 * Places label i of width w beside its point (px, py) as svg.h describes.
 * placed[0 .. i) are the labels placed so far; pts_px holds every point in
 * pixels; segs the n_segs arrows as x0 y0 x1 y1; frame is the plot area.
 */
static void
svg_place(struct placed *out, const struct placed *placed, size_t i, const double *pts_px,
	  size_t n, const double *segs, size_t n_segs, double w, const struct box *frame)
{
	/* Unit directions: right, left, above, below, then the four corners. */
	static const double dirs[][2] = {
		{ 1, 0 }, { -1, 0 }, { 0, -1 }, { 0, 1 }, { 1, -1 }, { 1, 1 }, { -1, -1 }, { -1, 1 },
	};
	const double h = KS_SVG_FONT_PX, px = pts_px[2 * i], py = pts_px[2 * i + 1];
	double best_score = INFINITY;
	size_t d, ring, j;

	for (ring = 1; ring <= 4; ring++) {
		for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
			double dist = SVG_GAP + (double)(ring - 1) * (h + 2), cx, cy, score = 0;
			struct placed c;

			/* The box's centre sits dist beyond the point's edge in the direction. */
			cx = px + dirs[d][0] * (dist + w / 2);
			cy = py + dirs[d][1] * (dist + h / 2);
			c.box.x0 = cx - w / 2;
			c.box.x1 = cx + w / 2;
			c.box.y0 = cy - h / 2;
			c.box.y1 = cy + h / 2;
			/* Anchored on the side facing the point, so the gap holds for any font. */
			c.x = dirs[d][0] > 0 ? c.box.x0 : dirs[d][0] < 0 ? c.box.x1 : cx;
			c.anchor = dirs[d][0] > 0 ? "start" : dirs[d][0] < 0 ? "end" : "middle";
			c.y = c.box.y1 - 0.22 * h;	/* baseline above the descenders */
			c.leader = ring > 1;
			if (c.box.x0 < frame->x0 || c.box.x1 > frame->x1 || c.box.y0 < frame->y0 ||
			    c.box.y1 > frame->y1)
				score += 1e9;
			for (j = 0; j < i; j++)
				score += svg_overlap(&c.box, &placed[j].box);
			for (j = 0; j < n; j++) {
				struct box pb = { pts_px[2 * j] - KS_SVG_POINT_R - 1,
						  pts_px[2 * j + 1] - KS_SVG_POINT_R - 1,
						  pts_px[2 * j] + KS_SVG_POINT_R + 1,
						  pts_px[2 * j + 1] + KS_SVG_POINT_R + 1 };

				score += svg_overlap(&c.box, &pb);
			}
			/* A line through a label costs as much as a point-sized overlap per pixel. */
			for (j = 0; j < n_segs; j++)
				score += 4 * svg_segment_in_box(segs + 4 * j, &c.box);
			/* Farther rings cost a little, so a free near place wins over a free far one. */
			score += (double)(ring - 1) * 0.5;
			if (score < best_score) {
				best_score = score;
				*out = c;
			}
			if (score == 0)
				return;
		}
		if (best_score < 1)
			return;
	}
}

/* Prints s as XML character data: escaped, with U+FFFD for bytes XML cannot hold. */
static void
svg_text(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned char ch = *p;
		size_t n = ch < 0x80 ? 1 : (ch & 0xe0) == 0xc0 ? 2 : (ch & 0xf0) == 0xe0 ? 3
			: (ch & 0xf8) == 0xf0 ? 4 : 0, i;
		unsigned long cp;

		if (ch == '&' || ch == '<' || ch == '>' || ch == '"' || ch == '\'') {
			fputs(ch == '&' ? "&amp;" : ch == '<' ? "&lt;" : ch == '>' ? "&gt;"
			      : ch == '"' ? "&quot;" : "&apos;", out);
			p++;
			continue;
		}
		if (ch < 0x20 || ch == 0x7f) {
			fputs(ch == '\t' ? " " : "\xef\xbf\xbd", out);
			p++;
			continue;
		}
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				break;
		if (n == 0 || i < n) {
			fputs("\xef\xbf\xbd", out);
			p++;
			continue;
		}
		cp = n == 1 ? ch : n == 2 ? ch & 0x1fu : n == 3 ? ch & 0x0fu : ch & 0x07u;
		for (i = 1; i < n; i++)
			cp = (cp << 6) | (p[i] & 0x3fu);
		/* Overlong forms, surrogates, beyond U+10FFFF and XML's two non-characters. */
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || cp == 0xfffe || cp == 0xffff ||
		    (cp >= 0x80 && cp < 0xa0)) {
			fputs("\xef\xbf\xbd", out);
			p++;
			continue;
		}
		fwrite(p, 1, n, out);
		p += n;
	}
}

/* The pixel scale of one axis: data lo .. hi onto pixels a .. b (b < a for y). */
struct scale {
	double lo, hi, a, b;
};

static double
svg_map(const struct scale *s, double v)
{
	return s->a + (v - s->lo) / (s->hi - s->lo) * (s->b - s->a);
}

/* Widens a degenerate range so that a lone value sits in the middle. */
static void
svg_range(double *lo, double *hi)
{
	if (*hi - *lo < 1e-12 * fmax(1.0, fmax(fabs(*lo), fabs(*hi)))) {
		double mid = (*lo + *hi) / 2, half = fmax(1e-6, fabs(mid) * 0.1);

		*lo = mid - half;
		*hi = mid + half;
	}
}

int
ks_svg_write_plot(const char *path, const struct ks_svg_plot *plot,
		  const struct ks_svg_point *pts, size_t n, struct ks_err *err)
{
	static const struct ks_svg_plot defaults;
	struct placed *labels = NULL;
	struct ks_outfile *f = NULL;
	struct scale sx, sy;
	struct box frame;
	double *px = NULL, *segs = NULL, xlo, xhi, ylo, yhi, width, height;
	size_t i, n_arrows;
	FILE *out;
	int rc;

	if (plot == NULL)
		plot = &defaults;
	width = plot->width ? plot->width : 800;
	height = plot->height ? plot->height : 600;
	if (n == 0 || width < 200 || height < 150 || width > 100000 || height > 100000)
		return ks_err_set(err, KS_ERR_INTERNAL, "%s: cannot plot %zu points on %.0f x %.0f "
				  "pixels", path, n, width, height);
	xlo = xhi = pts[0].x;
	ylo = yhi = pts[0].y;
	for (i = 0; i < n; i++) {
		if (!isfinite(pts[i].x) || !isfinite(pts[i].y))
			return ks_err_set(err, KS_ERR_INTERNAL, "%s: point %zu has no finite "
					  "coordinates", path, i + 1);
		xlo = fmin(xlo, pts[i].x);
		xhi = fmax(xhi, pts[i].x);
		ylo = fmin(ylo, pts[i].y);
		yhi = fmax(yhi, pts[i].y);
	}
	n_arrows = plot->arrows != NULL ? plot->n_arrows : 0;
	for (i = 0; i < n_arrows; i++)
		if (plot->arrows[i].from >= n || plot->arrows[i].to >= n)
			return ks_err_set(err, KS_ERR_INTERNAL, "%s: arrow %zu joins points %zu and %zu "
					  "of %zu", path, i + 1, plot->arrows[i].from + 1,
					  plot->arrows[i].to + 1, n);
	svg_range(&xlo, &xhi);
	svg_range(&ylo, &yhi);
	frame.x0 = SVG_MARGIN_L;
	frame.x1 = width - SVG_MARGIN_R;
	frame.y0 = SVG_MARGIN_T;
	frame.y1 = height - SVG_MARGIN_B;
	sx = (struct scale){ xlo, xhi, frame.x0 + SVG_PAD, frame.x1 - SVG_PAD };
	sy = (struct scale){ ylo, yhi, frame.y1 - SVG_PAD, frame.y0 + SVG_PAD };
	px = ks_malloc_array(n, 2 * sizeof(*px));
	labels = ks_calloc_array(n, sizeof(*labels));
	segs = n_arrows > 0 ? ks_malloc_array(n_arrows, 4 * sizeof(*segs)) : NULL;
	if (px == NULL || labels == NULL || (n_arrows > 0 && segs == NULL)) {
		free(px);
		free(labels);
		free(segs);
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory for %zu points", path, n);
	}
	for (i = 0; i < n; i++) {
		px[2 * i] = svg_map(&sx, pts[i].x);
		px[2 * i + 1] = svg_map(&sy, pts[i].y);
	}
	/* Each arrow runs from the edge of its first point to the edge of its second. */
	for (i = 0; i < n_arrows; i++) {
		const double *a = px + 2 * plot->arrows[i].from, *b = px + 2 * plot->arrows[i].to;
		double dx = b[0] - a[0], dy = b[1] - a[1], len = sqrt(dx * dx + dy * dy);
		double s0 = KS_SVG_POINT_R + 1, s1 = KS_SVG_POINT_R + 1.5;

		if (len <= s0 + s1 + 1) {
			s0 = s1 = 0;
		} else {
			dx /= len;
			dy /= len;
		}
		segs[4 * i] = a[0] + dx * s0;
		segs[4 * i + 1] = a[1] + dy * s0;
		segs[4 * i + 2] = b[0] - dx * s1;
		segs[4 * i + 3] = b[1] - dy * s1;
	}
	for (i = 0; i < n; i++)
		if (pts[i].label != NULL && pts[i].label[0] != '\0')
			svg_place(&labels[i], labels, i, px, n, segs, n_arrows,
				  0.62 * KS_SVG_FONT_PX * (double)svg_chars(pts[i].label), &frame);
		else
			labels[i].box = (struct box){ 0, 0, 0, 0 };

	rc = ks_outfile_open(&f, path, err);
	if (rc != KS_OK)
		goto done;
	out = ks_outfile_stream(f);
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" "
		"height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n", width, height, width, height);
	fputs("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n", out);
	if (n_arrows > 0) {
		/* One arrowhead per colour: SVG 1.1 markers do not take the line's colour. */
		fputs("<defs>\n", out);
		for (i = 0; i < SVG_N_ARROW_COLOURS; i++)
			fprintf(out, "<marker id=\"ks-arrowhead-%zu\" viewBox=\"0 0 10 10\" refX=\"9\" "
				"refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto\">"
				"<path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>\n", i,
				svg_arrow_colours[i]);
		fputs("</defs>\n", out);
	}
	fprintf(out, "<rect class=\"frame\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
		"fill=\"none\" stroke=\"#444444\" stroke-width=\"1\"/>\n", frame.x0, frame.y0,
		frame.x1 - frame.x0, frame.y1 - frame.y0);
	/* The zero lines, where the range holds them (the mean, for a PCA). */
	if (xlo < 0 && xhi > 0)
		fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#bbbbbb\" "
			"stroke-dasharray=\"4 4\"/>\n", svg_map(&sx, 0), frame.y0, svg_map(&sx, 0),
			frame.y1);
	if (ylo < 0 && yhi > 0)
		fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#bbbbbb\" "
			"stroke-dasharray=\"4 4\"/>\n", frame.x0, svg_map(&sy, 0), frame.x1,
			svg_map(&sy, 0));
	fputs("<g font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" fill=\"#222222\">\n", out);
	if (plot->title != NULL) {
		fprintf(out, "<text class=\"title\" x=\"%.2f\" y=\"%.2f\" font-size=\"16\" "
			"text-anchor=\"middle\">", width / 2, SVG_MARGIN_T - 16);
		svg_text(out, plot->title);
		fputs("</text>\n", out);
	}
	if (plot->x_label != NULL) {
		fprintf(out, "<text class=\"axis\" x=\"%.2f\" y=\"%.2f\" font-size=\"14\" "
			"text-anchor=\"middle\">", (frame.x0 + frame.x1) / 2, height - SVG_MARGIN_B / 2 + 6);
		svg_text(out, plot->x_label);
		fputs("</text>\n", out);
	}
	if (plot->y_label != NULL) {
		double x = SVG_MARGIN_L / 2, y = (frame.y0 + frame.y1) / 2;

		fprintf(out, "<text class=\"axis\" x=\"%.2f\" y=\"%.2f\" font-size=\"14\" "
			"text-anchor=\"middle\" transform=\"rotate(-90 %.2f %.2f)\">", x, y, x, y);
		svg_text(out, plot->y_label);
		fputs("</text>\n", out);
	}
	fputs("</g>\n<g class=\"leaders\" stroke=\"#999999\" stroke-width=\"0.8\">\n", out);
	for (i = 0; i < n; i++)
		if (labels[i].leader)
			fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n",
				px[2 * i], px[2 * i + 1], labels[i].x,
				(labels[i].box.y0 + labels[i].box.y1) / 2);
	fputs("</g>\n", out);
	if (n_arrows > 0) {
		fputs("<g class=\"arrows\" stroke-width=\"1.6\">\n", out);
		for (i = 0; i < n_arrows; i++) {
			size_t colour = plot->arrows[i].group % SVG_N_ARROW_COLOURS;

			fprintf(out, "<line class=\"arrow\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" "
				"y2=\"%.2f\" stroke=\"%s\" marker-end=\"url(#ks-arrowhead-%zu)\"><title>",
				segs[4 * i], segs[4 * i + 1], segs[4 * i + 2], segs[4 * i + 3],
				svg_arrow_colours[colour], colour);
			svg_text(out, pts[plot->arrows[i].from].label ? pts[plot->arrows[i].from].label : "");
			fputs(" \xe2\x86\x92 ", out);
			svg_text(out, pts[plot->arrows[i].to].label ? pts[plot->arrows[i].to].label : "");
			fputs("</title></line>\n", out);
		}
		fputs("</g>\n", out);
	}
	fputs("<g class=\"points\" fill=\"#1f5fa8\">\n", out);
	for (i = 0; i < n; i++)
		fprintf(out, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.1f\"/>\n", px[2 * i], px[2 * i + 1],
			KS_SVG_POINT_R);
	fprintf(out, "</g>\n<g class=\"labels\" font-family=\"DejaVu Sans, Helvetica, Arial, "
		"sans-serif\" font-size=\"%d\" fill=\"#111111\">\n", KS_SVG_FONT_PX);
	for (i = 0; i < n; i++) {
		if (pts[i].label == NULL || pts[i].label[0] == '\0')
			continue;
		fprintf(out, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\">", labels[i].x,
			labels[i].y, labels[i].anchor);
		svg_text(out, pts[i].label);
		fputs("</text>\n", out);
	}
	fputs("</g>\n</svg>\n", out);
	rc = ks_outfile_commit(f, err);
done:
	free(px);
	free(labels);
	free(segs);
	return rc;
}

/* Room around the panels of a chart: left (ticks and y label), right, top (title, legend), bottom. */
#define CHART_MARGIN_L 78.0
#define CHART_MARGIN_R 24.0
#define CHART_MARGIN_T 70.0
#define CHART_MARGIN_B 58.0
/* The space between two panels, and the tick labels' size. */
#define CHART_GAP 22.0
#define CHART_TICK_PX 12
/* The colour of the marks of points whose y is not finite. */
#define CHART_NAN_COLOUR "#d62728"

/*
 * Round tick positions over lo .. hi: about target of them, 1, 2 or 5
 * times a power of ten apart, the first at *first. Returns how many
 * (counted, not stepped to, so that rounding cannot make the loop
 * endless), at most 2 * target + 2.
 */
static size_t
chart_ticks(double lo, double hi, int target, double *first, double *step)
{
	double raw = (hi - lo) / target, p = pow(10, floor(log10(raw))), m = raw / p, n;

	*step = (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
	*first = ceil(lo / *step - 1e-9) * *step;
	n = floor((hi - *first) / *step + 1e-9) + 1;
	return !(n >= 1) ? 0 : n > 2.0 * target + 2 ? (size_t)(2 * target + 2) : (size_t)n;
}

/*
 * Formats tick value v of an axis whose largest magnitude is top and
 * whose ticks are step apart: with k, M or G past 10^4, 10^6 and 10^9,
 * and as many decimals as the step needs.
 */
static void
chart_tick_label(char *buf, size_t size, double v, double step, double top)
{
	double scale = top >= 1e9 ? 1e9 : top >= 1e6 ? 1e6 : top >= 1e4 ? 1e3 : 1;
	const char *suffix = top >= 1e9 ? "G" : top >= 1e6 ? "M" : top >= 1e4 ? "k" : "";
	int decimals = (int)ceil(-log10(step / scale) - 1e-9);

	if (decimals < 0)
		decimals = 0;
	if (fabs(v) < step * 1e-6)
		snprintf(buf, size, "0");
	else
		snprintf(buf, size, "%.*f%s", decimals, v / scale, suffix);
}

/* Whether index i is among the ascending breaks. */
static int
chart_is_break(const struct ks_svg_series *s, size_t i)
{
	size_t lo = 0, hi = s->n_breaks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->breaks[mid] == i)
			return 1;
		if (s->breaks[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* An upward red triangle centred at x, y: the mark of a point whose y is not finite. */
static void
chart_nan_mark(FILE *out, const char *cls, double x, double y)
{
	fprintf(out, "<path class=\"%s\" d=\"M%.2f,%.2f L%.2f,%.2f L%.2f,%.2f z\" fill=\"%s\"/>\n",
		cls, x, y - 5, x + 4.5, y + 3.5, x - 4.5, y + 3.5, CHART_NAN_COLOUR);
}

/* One legend entry: its swatch (a line, dashed or not, or a nan mark) and its text; returns its width. */
static double
chart_legend_entry(FILE *out, double x, double y, const char *colour, int dashed, int nan,
		   const char *text)
{
	if (nan)
		chart_nan_mark(out, "nan-key", x + 11, y - 4);
	else
		fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
			"stroke-width=\"%s\"%s/>\n", x, y - 4, x + 22, y - 4, colour, dashed ? "1.2" : "2",
			dashed ? " stroke-dasharray=\"5 4\"" : "");
	fprintf(out, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%d\">", x + 28, y, CHART_TICK_PX);
	svg_text(out, text);
	fputs("</text>\n", out);
	return 28 + 0.62 * CHART_TICK_PX * (double)svg_chars(text) + 18;
}

int
ks_svg_write_chart(const char *path, const struct ks_svg_chart *chart, struct ks_err *err)
{
	struct box frames[KS_SVG_MAX_PANELS];
	struct scale sx, sy[KS_SVG_MAX_PANELS];
	int finite_y[KS_SVG_MAX_PANELS];
	struct ks_outfile *f = NULL;
	double width, height, xlo = 0, xhi = 0, total_weight = 0, y, first, step, v, legend_w, lx;
	size_t p, s, i, t, n_ticks, points = 0, non_finite = 0;
	int have_x = 0, rc;
	FILE *out;

	width = chart->width ? chart->width : 800;
	height = chart->height ? chart->height : 600;
	if (chart->n_panels == 0 || chart->n_panels > KS_SVG_MAX_PANELS || width < 300 ||
	    height < 200 || width > 100000 || height > 100000)
		return ks_err_set(err, KS_ERR_INTERNAL, "%s: cannot chart %zu panels on %.0f x %.0f "
				  "pixels", path, chart->n_panels, width, height);
	/* The x range: every x and every mark. */
	for (p = 0; p < chart->n_panels; p++) {
		const struct ks_svg_panel *pn = &chart->panels[p];

		total_weight += pn->weight > 0 ? pn->weight : 1;
		for (s = 0; s < pn->n_series; s++)
			for (i = 0; i < pn->series[s].n; i++) {
				v = pn->series[s].x[i];
				if (!isfinite(v))
					return ks_err_set(err, KS_ERR_INTERNAL, "%s: point %zu of a series "
							  "has no finite x", path, i + 1);
				xlo = have_x ? fmin(xlo, v) : v;
				xhi = have_x ? fmax(xhi, v) : v;
				have_x = 1;
				points++;
				non_finite += !isfinite(pn->series[s].y[i]);
			}
	}
	if (points == 0)
		return ks_err_set(err, KS_ERR_INTERNAL, "%s: a chart without points", path);
	for (i = 0; i < chart->n_marks; i++) {
		if (!isfinite(chart->marks[i]))
			return ks_err_set(err, KS_ERR_INTERNAL, "%s: mark %zu is not finite", path, i + 1);
		xlo = fmin(xlo, chart->marks[i]);
		xhi = fmax(xhi, chart->marks[i]);
	}
	if (xlo >= 0)
		xlo = 0;
	svg_range(&xlo, &xhi);
	/* A little room on the right, so that the last point does not sit on the frame. */
	xhi += 0.02 * (xhi - xlo);
	sx = (struct scale){ xlo, xhi, CHART_MARGIN_L, width - CHART_MARGIN_R };
	/* The panels' frames, top to bottom, and each one's y range over its finite values. */
	y = CHART_MARGIN_T;
	for (p = 0; p < chart->n_panels; p++) {
		const struct ks_svg_panel *pn = &chart->panels[p];
		double share = (pn->weight > 0 ? pn->weight : 1) / total_weight;
		double avail = height - CHART_MARGIN_T - CHART_MARGIN_B -
			CHART_GAP * (double)(chart->n_panels - 1);
		double ylo = 0, yhi = 1, range;
		int have_y = 0;

		frames[p] = (struct box){ CHART_MARGIN_L, y, width - CHART_MARGIN_R, y + avail * share };
		y = frames[p].y1 + CHART_GAP;
		for (s = 0; s < pn->n_series; s++)
			for (i = 0; i < pn->series[s].n; i++) {
				v = pn->series[s].y[i];
				if (!isfinite(v))
					continue;
				ylo = have_y ? fmin(ylo, v) : v;
				yhi = have_y ? fmax(yhi, v) : v;
				have_y = 1;
			}
		finite_y[p] = have_y;
		if (!have_y) {
			ylo = 0;
			yhi = 1;
		}
		if (pn->from_zero && ylo >= 0)
			ylo = 0;
		svg_range(&ylo, &yhi);
		range = yhi - ylo;
		/* Room at the top for the nan marks, and a little below unless the axis starts at 0. */
		yhi += 0.10 * range;
		if (!(pn->from_zero && ylo == 0))
			ylo -= 0.05 * range;
		sy[p] = (struct scale){ ylo, yhi, frames[p].y1, frames[p].y0 };
	}

	rc = ks_outfile_open(&f, path, err);
	if (rc != KS_OK)
		return rc;
	out = ks_outfile_stream(f);
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" "
		"height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n", width, height, width, height);
	fputs("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n", out);
	fputs("<g font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" fill=\"#222222\">\n", out);
	if (chart->title != NULL) {
		fprintf(out, "<text class=\"title\" x=\"%.2f\" y=\"24\" font-size=\"16\" "
			"text-anchor=\"middle\">", width / 2);
		svg_text(out, chart->title);
		fputs("</text>\n", out);
	}
	/* Grid lines and ticks: x through every panel, labelled under the lowest; y per panel. */
	n_ticks = chart_ticks(xlo, xhi, 6, &first, &step);
	for (t = 0; t < n_ticks; t++) {
		char label[32];
		double x;

		v = first + (double)t * step;
		x = svg_map(&sx, v);

		for (p = 0; p < chart->n_panels; p++)
			fprintf(out, "<line class=\"grid\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
				"stroke=\"#e4e4e4\"/>\n", x, frames[p].y0, x, frames[p].y1);
		chart_tick_label(label, sizeof(label), v, step, fmax(fabs(xlo), fabs(xhi)));
		fprintf(out, "<text class=\"tick\" x=\"%.2f\" y=\"%.2f\" font-size=\"%d\" "
			"text-anchor=\"middle\">%s</text>\n", x, frames[chart->n_panels - 1].y1 + 16,
			CHART_TICK_PX, label);
	}
	for (p = 0; p < chart->n_panels; p++) {
		const struct ks_svg_panel *pn = &chart->panels[p];
		double top = fmax(fabs(sy[p].lo), fabs(sy[p].hi));

		/* A panel without a finite value gets no y scale, which would mean nothing, but a note. */
		if (!finite_y[p])
			fprintf(out, "<text class=\"note\" x=\"%.2f\" y=\"%.2f\" font-size=\"14\" "
				"text-anchor=\"middle\" fill=\"%s\">no finite value</text>\n",
				(frames[p].x0 + frames[p].x1) / 2, (frames[p].y0 + frames[p].y1) / 2,
				CHART_NAN_COLOUR);
		n_ticks = finite_y[p] ? chart_ticks(sy[p].lo, sy[p].hi, 4, &first, &step) : 0;
		for (t = 0; t < n_ticks; t++) {
			char label[32];
			double yy;

			v = first + (double)t * step;
			yy = svg_map(&sy[p], v);

			fprintf(out, "<line class=\"grid\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
				"stroke=\"#e4e4e4\"/>\n", frames[p].x0, yy, frames[p].x1, yy);
			chart_tick_label(label, sizeof(label), v, step, top);
			fprintf(out, "<text class=\"tick\" x=\"%.2f\" y=\"%.2f\" font-size=\"%d\" "
				"text-anchor=\"end\">%s</text>\n", frames[p].x0 - 6, yy + 4, CHART_TICK_PX,
				label);
		}
		fprintf(out, "<rect class=\"frame\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
			"fill=\"none\" stroke=\"#444444\" stroke-width=\"1\"/>\n", frames[p].x0,
			frames[p].y0, frames[p].x1 - frames[p].x0, frames[p].y1 - frames[p].y0);
		if (pn->y_label != NULL) {
			double x = 18, yy = (frames[p].y0 + frames[p].y1) / 2;

			fprintf(out, "<text class=\"axis\" x=\"%.2f\" y=\"%.2f\" font-size=\"14\" "
				"text-anchor=\"middle\" transform=\"rotate(-90 %.2f %.2f)\">", x, yy, x, yy);
			svg_text(out, pn->y_label);
			fputs("</text>\n", out);
		}
	}
	if (chart->x_label != NULL) {
		fprintf(out, "<text class=\"axis\" x=\"%.2f\" y=\"%.2f\" font-size=\"14\" "
			"text-anchor=\"middle\">", (CHART_MARGIN_L + width - CHART_MARGIN_R) / 2,
			height - 12);
		svg_text(out, chart->x_label);
		fputs("</text>\n", out);
	}
	fputs("</g>\n", out);
	for (i = 0; i < chart->n_marks; i++) {
		double x = svg_map(&sx, chart->marks[i]);

		fprintf(out, "<line class=\"mark\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
			"stroke=\"#555555\" stroke-width=\"1.2\" stroke-dasharray=\"5 4\"/>\n", x,
			frames[0].y0, x, frames[chart->n_panels - 1].y1);
	}
	/* The series: a polyline per run of finite points, a dot for a run of one, nan marks. */
	for (p = 0; p < chart->n_panels; p++) {
		const struct ks_svg_panel *pn = &chart->panels[p];

		for (s = 0; s < pn->n_series; s++) {
			const struct ks_svg_series *se = &pn->series[s];
			size_t end, k;

			for (i = 0; i < se->n; i = end) {
				if (!isfinite(se->y[i])) {
					chart_nan_mark(out, "nan", svg_map(&sx, se->x[i]), frames[p].y0 + 8);
					end = i + 1;
					continue;
				}
				for (end = i + 1; end < se->n && isfinite(se->y[end]) &&
				     !chart_is_break(se, end); end++)
					;
				if (end == i + 1) {
					fprintf(out, "<circle class=\"dot\" cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" "
						"fill=\"%s\"/>\n", svg_map(&sx, se->x[i]), svg_map(&sy[p], se->y[i]),
						se->colour);
					continue;
				}
				fprintf(out, "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" "
					"stroke-width=\"1.6\" stroke-linejoin=\"round\" points=\"", se->colour);
				for (k = i; k < end; k++)
					fprintf(out, "%s%.2f,%.2f", k == i ? "" : " ", svg_map(&sx, se->x[k]),
						svg_map(&sy[p], se->y[k]));
				fputs("\"/>\n", out);
			}
		}
	}
	/* The legend, right-aligned above the top panel: measured first, then drawn. */
	legend_w = 0;
	for (p = 0; p < chart->n_panels; p++)
		for (s = 0; s < chart->panels[p].n_series; s++)
			if (chart->panels[p].series[s].name != NULL)
				legend_w += 28 + 0.62 * CHART_TICK_PX *
					(double)svg_chars(chart->panels[p].series[s].name) + 18;
	if (chart->n_marks > 0 && chart->mark_label != NULL)
		legend_w += 28 + 0.62 * CHART_TICK_PX * (double)svg_chars(chart->mark_label) + 18;
	if (non_finite > 0)
		legend_w += 28 + 0.62 * CHART_TICK_PX * (double)svg_chars("diverged (nan)") + 18;
	lx = fmax(CHART_MARGIN_L, width - CHART_MARGIN_R - legend_w + 18);
	fputs("<g class=\"legend\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
	      "fill=\"#222222\">\n", out);
	for (p = 0; p < chart->n_panels; p++)
		for (s = 0; s < chart->panels[p].n_series; s++)
			if (chart->panels[p].series[s].name != NULL)
				lx += chart_legend_entry(out, lx, CHART_MARGIN_T - 14,
							 chart->panels[p].series[s].colour, 0, 0,
							 chart->panels[p].series[s].name);
	if (chart->n_marks > 0 && chart->mark_label != NULL)
		lx += chart_legend_entry(out, lx, CHART_MARGIN_T - 14, "#555555", 1, 0, chart->mark_label);
	if (non_finite > 0)
		chart_legend_entry(out, lx, CHART_MARGIN_T - 14, CHART_NAN_COLOUR, 0, 1, "diverged (nan)");
	fputs("</g>\n</svg>\n", out);
	return ks_outfile_commit(f, err);
}
