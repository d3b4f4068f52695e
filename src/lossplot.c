/*
 * kensho-eval plot-loss's library side (see lossplot.h): the loss log
 * read line by line into growable column arrays (doubled when full,
 * checked for overflow), then handed to svg.c's chart as two panels.
 */
#include "lossplot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "svg.h"

#define LOSSPLOT_COLUMNS 6

static const char *const lossplot_names[LOSSPLOT_COLUMNS] = {
	"seconds", "words", "epoch", "lr", "loss", "words_s",
};

/* The reader's state: the curve being filled and the capacity of its arrays. */
struct reader {
	struct ks_losscurve *c;
	size_t cap, resume_cap;
	int have_header;
};

void
ks_losscurve_destroy(struct ks_losscurve *c)
{
	if (c == NULL)
		return;
	free(c->seconds);
	free(c->words);
	free(c->epoch);
	free(c->lr);
	free(c->loss);
	free(c->words_s);
	free(c->resume_words);
	free(c->resume_at);
	free(c);
}

/* Grows *p to hold n values of size bytes; returns 0 or -1 (then *p is unchanged). */
static int
lossplot_grow(void **p, size_t n, size_t size)
{
	void *q = ks_realloc_array(*p, n, size);

	if (q == NULL)
		return -1;
	*p = q;
	return 0;
}

/* Makes room for one more data line. */
static int
reader_room(struct reader *r, struct ks_err *err)
{
	struct ks_losscurve *c = r->c;
	size_t cap = r->cap ? 2 * r->cap : 256;

	if (c->n < r->cap)
		return KS_OK;
	if (cap < r->cap || lossplot_grow((void **)&c->seconds, cap, sizeof(double)) != 0 ||
	    lossplot_grow((void **)&c->words, cap, sizeof(double)) != 0 ||
	    lossplot_grow((void **)&c->epoch, cap, sizeof(double)) != 0 ||
	    lossplot_grow((void **)&c->lr, cap, sizeof(double)) != 0 ||
	    lossplot_grow((void **)&c->loss, cap, sizeof(double)) != 0 ||
	    lossplot_grow((void **)&c->words_s, cap, sizeof(double)) != 0)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for %zu lines of a loss log", cap);
	r->cap = cap;
	return KS_OK;
}

/* Parses a whole field as a number; returns 0 or -1. */
static int
lossplot_number(const char *s, double *out)
{
	char *end;

	if (*s == '\0' || *s == ' ')
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	return *end == '\0' && errno != ERANGE ? 0 : -1;
}

/* Reads a "# resumed at word N" marker; other comments are skipped. */
static int
reader_comment(struct reader *r, const char *line, const char *name, size_t line_no,
	       struct ks_err *err)
{
	static const char marker[] = "# resumed at word ";
	struct ks_losscurve *c = r->c;
	double words;

	if (strncmp(line, marker, sizeof(marker) - 1) != 0)
		return KS_OK;
	if (lossplot_number(line + sizeof(marker) - 1, &words) != 0 || !(words >= 0) ||
	    !isfinite(words))
		return ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: a resume marker without a word count "
				  "(expected '# resumed at word N')", name, line_no);
	if (c->n_resumes == r->resume_cap) {
		size_t cap = r->resume_cap ? 2 * r->resume_cap : 8;

		if (lossplot_grow((void **)&c->resume_words, cap, sizeof(double)) != 0 ||
		    lossplot_grow((void **)&c->resume_at, cap, sizeof(size_t)) != 0)
			return ks_err_set(err, KS_ERR_NOMEM, "out of memory for a loss log's resumes");
		r->resume_cap = cap;
	}
	c->resume_words[c->n_resumes] = words;
	c->resume_at[c->n_resumes] = c->n;
	c->n_resumes++;
	return KS_OK;
}

/* Reads one line that is not a comment: the column header or six numbers. */
static int
reader_line(struct reader *r, char *line, const char *name, size_t line_no, struct ks_err *err)
{
	struct ks_losscurve *c = r->c;
	char *field[LOSSPLOT_COLUMNS], *p = line;
	double v[LOSSPLOT_COLUMNS];
	size_t n = 0, i;
	int rc;

	for (;;) {
		char *tab = strchr(p, '\t');

		if (n < LOSSPLOT_COLUMNS)
			field[n] = p;
		n++;
		if (tab == NULL)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	for (i = 0; n == LOSSPLOT_COLUMNS && i < LOSSPLOT_COLUMNS &&
	     strcmp(field[i], lossplot_names[i]) == 0; i++)
		;
	if (i == LOSSPLOT_COLUMNS) {
		r->have_header = 1;
		return KS_OK;
	}
	if (!r->have_header)
		return ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: not a loss log: the first line that is "
				  "not a comment must be the column header seconds words epoch lr "
				  "loss words_s, tab-separated", name, line_no);
	if (n != LOSSPLOT_COLUMNS)
		return ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: %zu tab-separated field%s, a loss log's "
				  "lines have %d (seconds words epoch lr loss words_s)", name, line_no,
				  n, n == 1 ? "" : "s", LOSSPLOT_COLUMNS);
	for (i = 0; i < LOSSPLOT_COLUMNS; i++) {
		if (lossplot_number(field[i], &v[i]) != 0)
			return ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: %s '%.40s' is not a number",
					  name, line_no, lossplot_names[i], field[i]);
		/* Only the loss may be nan or infinite: that is what a diverged run logs. */
		if (i != 4 && (!isfinite(v[i]) || (i != 3 && v[i] < 0)))
			return ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: %s '%.40s' is not a finite "
					  "number%s", name, line_no, lossplot_names[i], field[i],
					  i != 3 ? " >= 0" : "");
	}
	rc = reader_room(r, err);
	if (rc != KS_OK)
		return rc;
	c->seconds[c->n] = v[0];
	c->words[c->n] = v[1];
	c->epoch[c->n] = v[2];
	c->lr[c->n] = v[3];
	c->loss[c->n] = v[4];
	c->words_s[c->n] = v[5];
	c->non_finite += !isfinite(v[4]);
	c->n++;
	return KS_OK;
}

int
ks_losscurve_read(struct ks_losscurve **out, const char *path, struct ks_err *err)
{
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "standard input" : path;
	struct reader r;
	char *line = NULL;
	size_t cap = 0, line_no = 0;
	ssize_t got;
	FILE *f;
	int rc = KS_OK;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.c = calloc(1, sizeof(*r.c));
	if (r.c == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	f = is_stdin ? stdin : fopen(path, "r");
	if (f == NULL) {
		ks_losscurve_destroy(r.c);
		return ks_err_errno(err, KS_ERR_OPEN, errno, "%s", path);
	}
	errno = 0;
	while (rc == KS_OK && (got = getline(&line, &cap, f)) >= 0) {
		size_t len = (size_t)got;

		line_no++;
		if (len > KS_LOSSPLOT_MAX_LINE) {
			rc = ks_err_set(err, KS_ERR_LIMIT, "%s:%zu: a line of %zu bytes, over the %d "
					"a loss log's line can have", name, line_no, len,
					KS_LOSSPLOT_MAX_LINE);
			break;
		}
		if (memchr(line, '\0', len) != NULL) {
			rc = ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: a NUL byte: not a loss log", name,
					line_no);
			break;
		}
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (line[0] == '#')
			rc = reader_comment(&r, line, name, line_no, err);
		else
			rc = reader_line(&r, line, name, line_no, err);
	}
	if (rc == KS_OK && ferror(f))
		rc = ks_err_errno(err, KS_ERR_READ, errno ? errno : EIO, "%s", name);
	if (rc == KS_OK && r.c->n == 0)
		rc = ks_err_set(err, KS_ERR_FORMAT, "%s: no data lines: not a loss log, or one "
				"written before the first progress interval", name);
	free(line);
	if (!is_stdin)
		fclose(f);
	if (rc != KS_OK) {
		ks_losscurve_destroy(r.c);
		return rc;
	}
	*out = r.c;
	return KS_OK;
}

int
ks_lossplot_write(const struct ks_losscurve *c, const char *svg_path, const char *title,
		  struct ks_err *err)
{
	struct ks_svg_series loss, speed;
	struct ks_svg_panel panels[2];
	struct ks_svg_chart chart;

	memset(&loss, 0, sizeof(loss));
	loss.name = "mean loss per example";
	loss.colour = "#1f5fa8";
	loss.x = c->words;
	loss.y = c->loss;
	loss.n = c->n;
	loss.breaks = c->resume_at;
	loss.n_breaks = c->n_resumes;
	speed = loss;
	speed.name = "words/s";
	speed.colour = "#2a9d4b";
	speed.y = c->words_s;
	memset(panels, 0, sizeof(panels));
	panels[0].y_label = "mean loss";
	panels[0].series = &loss;
	panels[0].n_series = 1;
	panels[0].weight = 2;
	panels[1].y_label = "words/s";
	panels[1].series = &speed;
	panels[1].n_series = 1;
	panels[1].from_zero = 1;
	panels[1].weight = 1;
	memset(&chart, 0, sizeof(chart));
	chart.title = title;
	chart.x_label = "words processed";
	chart.panels = panels;
	chart.n_panels = 2;
	chart.marks = c->resume_words;
	chart.n_marks = c->n_resumes;
	chart.mark_label = "resumed";
	return ks_svg_write_chart(svg_path, &chart, err);
}
