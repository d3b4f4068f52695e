/*
 * Position weights for CBOW (-positions): their shared copy, each worker's
 * private copy, the periodic merge of the two, and the file they are
 * written to.
 *
 * Every CBOW example reads and writes the weights of all its context
 * positions, so a single shared copy updated Hogwild-style would be the
 * most contended cache line in the program. Instead each worker trains its
 * own copy and, once per batch of the token stream, adds what it changed
 * since the last merge to the shared copy (under a mutex) and takes the
 * result back. With one worker the merged value is what it trained; with
 * several, the shared copy moves by the sum of their steps, as Hogwild
 * would, only later.
 *
 * Rows: relative offsets -W .. -1 then +1 .. +W of a window of half-width W
 * are slots 0 .. 2W-1 (ks_positions_slot). A row is dim floats (a vector
 * per position) or one float (a scalar). All weights start at 1, so the
 * first step is the one plain CBOW takes.
 */
#ifndef KS_POSITIONS_H
#define KS_POSITIONS_H

#include <stddef.h>
#include <stdint.h>

#include "kernels.h"
#include "outfile.h"
#include "status.h"

enum ks_positions_kind {
	KS_POSITIONS_OFF = 0,
	KS_POSITIONS_VECTOR = 1,	/* a vector per position, elementwise */
	KS_POSITIONS_SCALAR = 2		/* a scalar per position */
};

struct ks_positions;

/* A worker's private copy of the weights and its scratch rows. */
struct ks_positions_local {
	struct ks_pos_rows rows;	/* what the kernel trains (rows.w, rows.scratch) */
	float *base;			/* the shared weights as of the last merge */
	size_t floats;			/* floats in each of w, scratch and base */
};

/* The slot of relative offset off (-window <= off <= window, off != 0). */
static inline uint32_t
ks_positions_slot(long window, long off)
{
	return (uint32_t)(off < 0 ? off + window : off + window - 1);
}

/*
 * Creates the shared weights for a window of half-width window and dim
 * dimensions, all 1. kind must not be KS_POSITIONS_OFF. On success *out
 * owns them (ks_positions_destroy).
 */
int ks_positions_create(struct ks_positions **out, enum ks_positions_kind kind, size_t window,
			size_t dim, struct ks_err *err);

/* Frees the weights. Accepts NULL. */
void ks_positions_destroy(struct ks_positions *p);

/* Rows (2 x window), floats per row (dim or 1) and total floats (rows x width). */
size_t ks_positions_rows(const struct ks_positions *p);
size_t ks_positions_width(const struct ks_positions *p);
size_t ks_positions_floats(const struct ks_positions *p);

/*
 * The shared weights, rows x width floats row after row, with no padding:
 * for a checkpoint (read only while no worker merges) or to restore one
 * (before any worker has its copy).
 */
float *ks_positions_weights(struct ks_positions *p);

/*
 * Gives a worker its copy of the shared weights. On failure (KS_ERR_NOMEM)
 * l holds nothing to free; otherwise free it with ks_positions_local_free.
 */
int ks_positions_local_init(struct ks_positions_local *l, struct ks_positions *p,
			    struct ks_err *err);

/* Frees a worker's copy. Accepts one that was zeroed or freed already. */
void ks_positions_local_free(struct ks_positions_local *l);

/*
 * Adds the worker's change since its last merge to the shared weights and
 * takes the result as its new copy. Thread-safe.
 */
void ks_positions_merge(struct ks_positions *p, struct ks_positions_local *l);

/*
 * Whether every weight is finite (a diverged training is not written).
 */
int ks_positions_finite(const struct ks_positions *p);

/*
 * Writes the weights to path in word2vec's text format (kensho-eval and
 * gensim read it): a header "2W width", then one line per relative offset,
 * "-W" .. "-1" then "+1" .. "+W", with its weights. As
 * ks_vecfile_write_pending: on success *pending (NULL on entry) owns the
 * written file, to be committed or aborted (outfile.h); on failure nothing
 * appears under path.
 */
int ks_positions_write_pending(struct ks_outfile **pending, const struct ks_positions *p,
			       const char *path, struct ks_err *err);

/* The kind's name on the command line: "off", "vector" or "scalar". */
const char *ks_positions_name(enum ks_positions_kind kind);

#endif
