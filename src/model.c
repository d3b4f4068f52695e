/*
 * Continued training (see model.h).
 */
#include "model.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define PLURAL(n) ((n) == 1 ? "" : "s")

static const char *
model_mode(int64_t cbow)
{
	return cbow ? "CBOW (-cbow 1)" : "skip-gram (-cbow 0)";
}

int
ks_model_open(struct ks_ckpt **out, const struct ks_config *cfg, struct ks_err *err)
{
	const char *path = cfg->init;
	const struct ks_ckpt_settings *s;
	struct ks_ckpt *m;
	int rc;

	*out = NULL;
	if ((rc = ks_ckpt_read(&m, path, err)) != KS_OK)
		return rc;
	s = &m->set;
	if (s->size != cfg->size)
		rc = ks_err_set(err, KS_ERR_USAGE, "-init %s: the model has %lld dimensions, this run "
				"-size %ld; the dimension cannot change: give -size %lld", path,
				(long long)s->size, cfg->size, (long long)s->size);
	else if ((s->cbow != 0) != (cfg->cbow != 0))
		rc = ks_err_set(err, KS_ERR_USAGE, "-init %s: the model is %s, this run %s; the "
				"mode cannot change: give -cbow %d", path, model_mode(s->cbow),
				model_mode(cfg->cbow), s->cbow != 0);
	else if ((s->hs != 0) != (cfg->hs != 0))
		rc = ks_err_set(err, KS_ERR_USAGE, "-init %s: the model was trained with -hs %d, "
				"this run has -hs %d; the output layer cannot change: give -hs %d",
				path, s->hs != 0, cfg->hs != 0, s->hs != 0);
	else if (s->positions != (int32_t)cfg->positions)
		rc = ks_err_set(err, KS_ERR_USAGE, "-init %s: the model has -positions %s, this "
				"run -positions %s; the position weights cannot change: give "
				"-positions %s", path,
				ks_positions_name((enum ks_positions_kind)s->positions),
				ks_positions_name(cfg->positions),
				ks_positions_name((enum ks_positions_kind)s->positions));
	else if (s->positions != KS_POSITIONS_OFF && s->window != cfg->window)
		rc = ks_err_set(err, KS_ERR_USAGE, "-init %s: the model's position weights are "
				"for -window %lld, this run has -window %ld; with -positions the "
				"window cannot change: give -window %lld", path,
				(long long)s->window, cfg->window, (long long)s->window);
	else if (s->hs && m->n_hs + 1 != m->n_words)
		rc = ks_err_set(err, KS_ERR_FORMAT, "%s: corrupt model: -hs 1 with %zu inner "
				"nodes for %zu words", path, m->n_hs, m->n_words);
	if (rc != KS_OK) {
		ks_ckpt_destroy(m);
		return rc;
	}
	*out = m;
	return KS_OK;
}

struct model_tree_counts {
	size_t taken, flipped, zero;
};

/*
 * The new tree's inner-node rows from the model's (see model.h). rep[2n + c]
 * is the most frequent model word (its model id) on side c of new node n.
 */
static int
model_map_tree(const struct ks_ckpt *m, const char *path, const struct ks_model_target *t,
	       struct model_tree_counts *n, struct ks_err *err)
{
	size_t v_new = ks_vocab_size(t->vocab), inner = v_new - 1, i, k;
	struct ks_huffman *old = NULL;
	uint32_t *rep;
	struct ks_err sub;
	int rc;

	ks_err_clear(&sub);
	if ((rc = ks_huffman_create(&old, m->counts, m->n_words, &sub)) != KS_OK)
		return ks_err_set(err, rc == KS_ERR_NOMEM ? rc : KS_ERR_FORMAT,
				  "%s: the model's tree cannot be rebuilt from its counts: %s", path,
				  sub.msg);
	rep = ks_malloc_array(2 * inner, sizeof(*rep));
	if (rep == NULL) {
		ks_huffman_destroy(old);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory mapping the model's tree");
	}
	for (i = 0; i < 2 * inner; i++)
		rep[i] = KS_NO_WORD;
	for (i = 0; i < v_new; i++) {
		uint32_t b = ks_vocab_base_id(t->vocab, (uint32_t)i);
		struct ks_hs_path p;

		if (b == KS_NO_WORD)
			continue;
		p = ks_huffman_path(t->tree, (uint32_t)i);
		for (k = 0; k < p.len; k++)
			if (rep[2 * (size_t)p.nodes[k] + p.codes[k]] == KS_NO_WORD)
				rep[2 * (size_t)p.nodes[k] + p.codes[k]] = b;
	}
	for (i = 0; i < inner; i++) {
		struct ks_hs_path a, b;
		const float *src;
		float *dst = t->hs_vecs + i * t->stride, sign;
		size_t j, len;

		if (rep[2 * i] == KS_NO_WORD || rep[2 * i + 1] == KS_NO_WORD) {
			n->zero++;
			continue;
		}
		a = ks_huffman_path(old, rep[2 * i]);
		b = ks_huffman_path(old, rep[2 * i + 1]);
		len = a.len < b.len ? a.len : b.len;
		/* Two leaves of one tree share the path down to where they part. */
		for (j = 0; j < len && a.codes[j] == b.codes[j]; j++)
			;
		if (j == len) {
			n->zero++;
			continue;
		}
		src = m->hs_vecs + (size_t)a.nodes[j] * m->stride;
		sign = a.codes[j] == 0 ? 1.0f : -1.0f;
		for (k = 0; k < t->dim; k++)
			dst[k] = sign * src[k];
		if (sign < 0)
			n->flipped++;
		else
			n->taken++;
	}
	free(rep);
	ks_huffman_destroy(old);
	return KS_OK;
}

int
ks_model_apply(const struct ks_ckpt *m, const char *path, const struct ks_model_target *t,
	       const struct ks_log *log, struct ks_err *err)
{
	size_t v_new = ks_vocab_size(t->vocab), i, old = 0;
	struct model_tree_counts tc = { 0, 0, 0 };
	char tree[160] = "";
	int rc;

	for (i = 0; i < v_new; i++) {
		uint32_t b = ks_vocab_base_id(t->vocab, (uint32_t)i);

		if (b == KS_NO_WORD)
			continue;
		memcpy(t->in_vecs + i * t->stride, m->in_vecs + (size_t)b * m->stride,
		       t->dim * sizeof(float));
		memcpy(t->out_vecs + i * t->stride, m->out_vecs + (size_t)b * m->stride,
		       t->dim * sizeof(float));
		old++;
	}
	if (t->pos != NULL) {
		if (m->n_pos != t->n_pos)
			return ks_err_set(err, KS_ERR_FORMAT, "%s: the model holds %zu position "
					  "weights, this run needs %zu", path, m->n_pos, t->n_pos);
		memcpy(t->pos, m->pos, t->n_pos * sizeof(float));
	}
	if (t->tree != NULL && m->hs_vecs != NULL) {
		if ((rc = model_map_tree(m, path, t, &tc, err)) != KS_OK)
			return rc;
		snprintf(tree, sizeof(tree), "; tree: %zu inner node%s from the model's, %zu of "
			 "them turned round, %zu from zero", tc.taken + tc.flipped,
			 PLURAL(tc.taken + tc.flipped), tc.flipped, tc.zero);
	}
	ks_log(log, KS_LOG_INFO, "-init %s: %zu word%s from the model, %zu new from the "
	       "corpus%s", path, old, PLURAL(old), v_new - old, tree);
	return KS_OK;
}
