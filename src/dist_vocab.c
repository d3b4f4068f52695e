/*
 * The counting of sharded files summed over the ranks (dist_vocab.h),
 * through the engine's byte callbacks (dist.h).
 */
#include "dist_vocab.h"

#include <stdlib.h>

int
ks_dist_merge_vocab(struct ks_dist *d, struct ks_vocab *v, uint64_t keep_min,
		    struct ks_err *err)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int step, rc = KS_OK;
	struct ks_err sub;

	ks_err_clear(&sub);
	for (step = 1; step < d->size && rc == KS_OK; step <<= 1) {
		if (d->rank & step) {
			if ((rc = ks_vocab_export(v, 1, &buf, &len, err)) != KS_OK)
				return rc;
			if (d->send_bytes(d->ctx, d->rank - step, buf, len) != 0)
				rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory sending the "
						"word counts to rank %d", d->rank - step);
			free(buf);
			buf = NULL;
			break;
		}
		if (d->rank + step >= d->size)
			continue;
		if (d->recv_bytes(d->ctx, d->rank + step, &buf, &len) != 0)
			return ks_err_set(err, KS_ERR_NOMEM, "out of memory receiving the word "
					  "counts of rank %d", d->rank + step);
		rc = ks_vocab_merge(v, buf, len, &sub);
		if (rc != KS_OK)
			rc = ks_err_set(err, rc, "merging the word counts of rank %d: %s",
					d->rank + step, sub.msg);
		free(buf);
		buf = NULL;
	}
	if (rc != KS_OK)
		return rc;
	/* Rank 0 holds the job's counts: every rank takes the words kept. */
	if (d->rank == 0 && (rc = ks_vocab_export(v, keep_min > 0 ? keep_min : 1, &buf, &len,
						  err)) != KS_OK)
		return rc;
	if (d->broadcast_bytes(d->ctx, &buf, &len) != 0) {
		free(buf);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory receiving the job's word "
				  "counts from rank 0");
	}
	rc = ks_vocab_replace(v, buf, len, &sub);
	if (rc != KS_OK)
		rc = ks_err_set(err, rc, "taking the job's word counts from rank 0: %s", sub.msg);
	free(buf);
	return rc;
}
