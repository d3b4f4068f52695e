/*
 * Position weights: the shared copy, workers' copies and their merge (see
 * positions.h).
 */
#include "positions.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "vecfile.h"

struct ks_positions {
	enum ks_positions_kind kind;
	size_t window, rows, width, floats;
	float *w;		/* rows x width, the merged weights */
	pthread_mutex_t lock;
};

int
ks_positions_create(struct ks_positions **out, enum ks_positions_kind kind, size_t window,
		    size_t dim, struct ks_err *err)
{
	struct ks_positions *p;
	size_t i;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the position weights");
	p->kind = kind;
	p->window = window;
	p->rows = 2 * window;
	p->width = kind == KS_POSITIONS_VECTOR ? dim : 1;
	if (ks_mul_size(p->rows, p->width, &p->floats) != 0 ||
	    (p->w = ks_malloc_array(p->floats, sizeof(float))) == NULL) {
		free(p);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the position weights "
				  "(%zu x %zu)", 2 * window, kind == KS_POSITIONS_VECTOR ? dim : 1);
	}
	for (i = 0; i < p->floats; i++)
		p->w[i] = 1.0f;
	pthread_mutex_init(&p->lock, NULL);
	*out = p;
	return KS_OK;
}

void
ks_positions_destroy(struct ks_positions *p)
{
	if (p == NULL)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p->w);
	free(p);
}

size_t
ks_positions_rows(const struct ks_positions *p)
{
	return p->rows;
}

size_t
ks_positions_width(const struct ks_positions *p)
{
	return p->width;
}

size_t
ks_positions_floats(const struct ks_positions *p)
{
	return p->floats;
}

float *
ks_positions_weights(struct ks_positions *p)
{
	return p->w;
}

int
ks_positions_local_init(struct ks_positions_local *l, struct ks_positions *p, struct ks_err *err)
{
	size_t bytes = p->floats * sizeof(float);

	memset(l, 0, sizeof(*l));
	l->rows.w = ks_malloc_array(p->floats, sizeof(float));
	l->rows.scratch = ks_malloc_array(p->floats, sizeof(float));
	l->base = ks_malloc_array(p->floats, sizeof(float));
	if (l->rows.w == NULL || l->rows.scratch == NULL || l->base == NULL) {
		ks_positions_local_free(l);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the position weights");
	}
	l->rows.width = p->width;
	l->rows.stride = p->width;
	l->floats = p->floats;
	pthread_mutex_lock(&p->lock);
	memcpy(l->rows.w, p->w, bytes);
	pthread_mutex_unlock(&p->lock);
	memcpy(l->base, l->rows.w, bytes);
	return KS_OK;
}

void
ks_positions_local_free(struct ks_positions_local *l)
{
	free(l->rows.w);
	free(l->rows.scratch);
	free(l->base);
	memset(l, 0, sizeof(*l));
}

void
ks_positions_merge(struct ks_positions *p, struct ks_positions_local *l)
{
	size_t i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->floats; i++)
		p->w[i] += l->rows.w[i] - l->base[i];
	memcpy(l->rows.w, p->w, p->floats * sizeof(float));
	pthread_mutex_unlock(&p->lock);
	memcpy(l->base, l->rows.w, p->floats * sizeof(float));
}

int
ks_positions_finite(const struct ks_positions *p)
{
	size_t i;

	for (i = 0; i < p->floats; i++)
		if (!isfinite(p->w[i]))
			return 0;
	return 1;
}

int
ks_positions_write_pending(struct ks_outfile **pending, const struct ks_positions *p,
			   const char *path, struct ks_err *err)
{
	char (*names)[24] = ks_malloc_array(p->rows, sizeof(*names));
	const char **words = ks_malloc_array(p->rows, sizeof(*words));
	size_t i;
	int rc;

	if (names == NULL || words == NULL) {
		free(names);
		free(words);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < p->rows; i++) {
		long off = i < p->window ? (long)i - (long)p->window : (long)(i - p->window) + 1;

		snprintf(names[i], sizeof(names[i]), "%+ld", off);
		words[i] = names[i];
	}
	rc = ks_vecfile_write_pending(pending, path, KS_VECFILE_TEXT, words, p->w, p->rows,
				      p->width, p->width, 1, err);
	free(names);
	free(words);
	return rc;
}

const char *
ks_positions_name(enum ks_positions_kind kind)
{
	return kind == KS_POSITIONS_VECTOR ? "vector" : kind == KS_POSITIONS_SCALAR ? "scalar"
										: "off";
}
