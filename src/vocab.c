/*
 * The vocabulary (see vocab.h).
 *
 * Counting is the hot path of the first corpus pass, so the table is laid
 * out for it. Three arrays hold everything:
 *
 *   slots    an open-addressing table (linear probing, power-of-two
 *            capacity, at most 5/8 full) of {64-bit hash, entry index + 1,
 *            length}. A probe compares the stored hash before it touches
 *            the word's bytes, so a miss on a long probe chain costs no
 *            extra cache lines; with 64-bit hashes a byte comparison almost
 *            always confirms a hit.
 *   entries  one record per distinct word, in order of first appearance:
 *            its hash (kept so growing or rebuilding the slots never hashes
 *            a word again), count, arena offset, length and stream id.
 *   arena    the words' bytes, each copy NUL-terminated so ks_vocab_word
 *            can hand out a C string, appended in entry order.
 *
 * Linear probing with no deletions (pruning rebuilds the slots from the
 * entries) needs no tombstones, and a short probe sequence walks adjacent
 * slots, which is what makes it faster than chaining here.
 *
 * The hash reads the word in 8-byte chunks, folds each in with a
 * multiply and an xor-shift, reads the last 1..8 bytes as two overlapping
 * 4-byte loads (or three single bytes for 1..3 bytes), and ends with the
 * splitmix64 finalizer (Steele, Lea, Flood: "Fast splittable pseudorandom
 * number generators", OOPSLA 2014) so that the low bits used as the slot
 * index depend on every input bit. The hash only decides where words sit
 * in the table, never the order of the output, so its values may differ
 * between machines of different byte order.
 *
 * Memory budget. The bytes held are the capacities of the three arrays.
 * When adding a new word would need more than the budget, the table is
 * pruned: entries with a count below a threshold t are removed, where t is
 * the smallest value from 2 upwards (exactly up to 1024, then by powers of
 * two) for which the remaining words, plus the one being added, fit in
 * half the budget. One pass builds a histogram of the counts, so choosing
 * t costs O(entries) whatever its value. The survivors are compacted in
 * place (entries and arena keep their order), the arrays are shrunk to fit
 * and the slots rebuilt from the stored hashes. Pruning to half the budget
 * leaves room to grow, so prunes are O(1) amortized per new word, like the
 * rare-word reduction of word2vec.c and fastText. A pruned word loses its
 * count; its stream id maps to KS_NO_WORD, and a later occurrence starts a
 * new entry with a new stream id. The budget bounds the table between
 * calls; while a prune or a growth runs, the old and new slot arrays
 * briefly coexist.
 *
 * Finalizing sorts the kept words and rebuilds all three arrays in final
 * id order, so after it the entry index of a word is its final id and the
 * same probe serves ks_vocab_find.
 */
#include "vocab.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "corpus.h"
#include "mem.h"
#include "outfile.h"

#define VOCAB_MIN_SLOTS 16
#define VOCAB_MIN_ENTRIES 16
#define VOCAB_MIN_ARENA 4096
/* Counts below this get one histogram bucket each when choosing a prune threshold. */
#define VOCAB_PRUNE_EXACT 1024
/* Longest line ks_vocab_read accepts: a longest word, a count and some blanks. */
#define VOCAB_LINE_MAX (KS_MAX_WORD_BYTES + 256)
#define VOCAB_READ_CHUNK 65536
/* Tokens between two stages of ks_vocab_add_many's fetch pipeline. */
#define VOCAB_AHEAD 8
/* Bytes of a word quoted in an error message. */
#define VOCAB_QUOTE_MAX 64

#define VOCAB_K1 0x9e3779b97f4a7c15ULL
#define VOCAB_K2 0xbf58476d1ce4e5b9ULL
#define VOCAB_K3 0x94d049bb133111ebULL

struct vocab_slot {
	uint64_t hash;
	uint32_t entry;		/* entry index + 1; 0 marks an empty slot */
	uint32_t len;
};

struct vocab_entry {
	uint64_t hash;
	uint64_t count;
	size_t offset;		/* of the word's bytes in the arena */
	uint32_t len;
	uint32_t stream_id;
};

struct ks_vocab {
	struct vocab_slot *slots;
	size_t slot_cap;	/* a power of two */
	struct vocab_entry *entries;
	size_t n_entries;
	size_t entry_cap;
	char *arena;
	size_t arena_len;
	size_t arena_cap;
	size_t budget;		/* 0: no limit */
	uint32_t next_stream_id;
	int finalized;
	uint32_t *stream_map;	/* after finalize: next_stream_id entries */
	int skip_stream_map;	/* finalize builds no stream_map */
	uint64_t total;		/* after finalize: sum of the kept counts */
	uint64_t corpus_total;	/* the same without the base's counts */
	/*
	 * A base vocabulary (ks_vocab_set_base): before finalize, base_id[e]
	 * and base_count[e] per entry e (KS_NO_WORD and 0 for corpus-only
	 * words); after it, base_id per final id. NULL without a base.
	 */
	uint32_t *base_id;
	uint64_t *base_count;
	int base_grow;		/* keep corpus words outside the base too */
	size_t n_base;
	int replaced;		/* ks_vocab_replace ran: a count of 0 is never kept */
	struct ks_vocab_stats stats;
};

/* Unaligned loads in the machine's byte order (the hash need not be portable). */
static inline uint64_t
vocab_load64(const unsigned char *p)
{
	uint64_t x;

	memcpy(&x, p, sizeof(x));
	return x;
}

static inline uint64_t
vocab_load32(const unsigned char *p)
{
	uint32_t x;

	memcpy(&x, p, sizeof(x));
	return x;
}

/* Mixes one 8-byte chunk into the running hash: an xor, a multiply, a shift. */
static inline uint64_t
vocab_fold(uint64_t h, uint64_t chunk)
{
	h = (h ^ chunk) * VOCAB_K2;
	return h ^ (h >> 32);
}

/* A 64-bit hash of word[0 .. len) (see the file comment). */
static inline uint64_t
vocab_hash(const char *word, size_t len)
{
	const unsigned char *p = (const unsigned char *)word;
	uint64_t h = VOCAB_K1 ^ ((uint64_t)len * VOCAB_K3);
	uint64_t tail = 0;
	size_t n = len;

	while (n > 8) {
		h = vocab_fold(h, vocab_load64(p));
		p += 8;
		n -= 8;
	}
	/* The tail reads cover all n bytes; with len in h, they identify them. */
	if (n >= 4)
		tail = vocab_load32(p) | (vocab_load32(p + n - 4) << 32);
	else if (n > 0)
		tail = (uint64_t)p[0] | ((uint64_t)p[n / 2] << 8) | ((uint64_t)p[n - 1] << 16);
	h = vocab_fold(h, tail);
	h ^= h >> 30;
	h *= VOCAB_K2;
	h ^= h >> 27;
	h *= VOCAB_K3;
	h ^= h >> 31;
	return h;
}

/* a + b, or SIZE_MAX if that overflows (a size that no budget admits). */
static size_t
vocab_add_size(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* a * b, or SIZE_MAX if that overflows. */
static size_t
vocab_mul_size(size_t a, size_t b)
{
	size_t r;

	return ks_mul_size(a, b, &r) == 0 ? r : SIZE_MAX;
}

/* Bytes held by arrays of the given capacities. */
static size_t
vocab_bytes_for(size_t slot_cap, size_t entry_cap, size_t arena_cap)
{
	return vocab_add_size(vocab_add_size(vocab_mul_size(slot_cap, sizeof(struct vocab_slot)),
					     vocab_mul_size(entry_cap, sizeof(struct vocab_entry))),
			      arena_cap);
}

/* Refreshes the statistics that describe the arrays. */
static void
vocab_update_bytes(struct ks_vocab *v)
{
	v->stats.bytes = vocab_bytes_for(v->slot_cap, v->entry_cap, v->arena_cap);
	if (v->stream_map != NULL)
		v->stats.bytes = vocab_add_size(v->stats.bytes,
						vocab_mul_size(v->next_stream_id, sizeof(uint32_t)));
	v->stats.distinct = v->n_entries;
}

/* Whether n entries overfill a table of cap slots (load above 5/8). */
static inline int
vocab_overfull(size_t n, size_t cap)
{
	return (uint64_t)n * 8 > (uint64_t)cap * 5;
}

/* The smallest slot capacity that holds n entries. */
static size_t
vocab_slots_for(size_t n)
{
	size_t cap = VOCAB_MIN_SLOTS;

	while (vocab_overfull(n, cap) && cap <= SIZE_MAX / 2)
		cap *= 2;
	return cap;
}

/*
 * Whether a[0 .. len) equals b[0 .. len). Words are short, and a call to
 * memcmp costs more than the comparison; this reads each side with
 * overlapping loads, never outside the len bytes.
 */
static inline int
vocab_equal(const char *a, const char *b, size_t len)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	if (len >= 8) {
		while (len > 8) {
			if (vocab_load64(p) != vocab_load64(q))
				return 0;
			p += 8;
			q += 8;
			len -= 8;
		}
		return vocab_load64(p + len - 8) == vocab_load64(q + len - 8);
	}
	if (len >= 4)
		return vocab_load32(p) == vocab_load32(q) &&
		       vocab_load32(p + len - 4) == vocab_load32(q + len - 4);
	return len == 0 || (p[0] == q[0] && p[len / 2] == q[len / 2] && p[len - 1] == q[len - 1]);
}

/*
 * The entry holding word[0 .. len) with hash h, or NULL; in that case
 * *empty is the free slot where the probe ended.
 */
static inline struct vocab_entry *
vocab_probe(const struct ks_vocab *v, const char *word, size_t len, uint64_t h, size_t *empty)
{
	size_t mask = v->slot_cap - 1;
	size_t i = (size_t)h & mask;

	for (;;) {
		const struct vocab_slot *s = &v->slots[i];

		if (s->entry == 0) {
			*empty = i;
			return NULL;
		}
		if (s->hash == h && s->len == len) {
			struct vocab_entry *e = &v->entries[s->entry - 1];

			if (vocab_equal(v->arena + e->offset, word, len))
				return e;
		}
		i = (i + 1) & mask;
	}
}

/* Puts entry index idx with hash h into slots, which must have room. */
static void
vocab_slot_put(struct vocab_slot *slots, size_t cap, uint64_t h, size_t idx, uint32_t len)
{
	size_t mask = cap - 1;
	size_t i = (size_t)h & mask;

	while (slots[i].entry != 0)
		i = (i + 1) & mask;
	slots[i].hash = h;
	slots[i].entry = (uint32_t)(idx + 1);
	slots[i].len = len;
}

/* Replaces the slots by cap fresh ones filled from the entries. */
static int
vocab_rebuild_slots(struct ks_vocab *v, size_t cap)
{
	struct vocab_slot *slots = ks_aligned_calloc(cap, sizeof(*slots));
	size_t i;

	if (slots == NULL)
		return -1;
	for (i = 0; i < v->n_entries; i++)
		vocab_slot_put(slots, cap, v->entries[i].hash, i, v->entries[i].len);
	free(v->slots);
	v->slots = slots;
	v->slot_cap = cap;
	return 0;
}

int
ks_vocab_create(struct ks_vocab **out, size_t budget_bytes, struct ks_err *err)
{
	struct ks_vocab *v;

	*out = NULL;
	if (budget_bytes != 0 && budget_bytes < KS_VOCAB_MIN_BUDGET)
		return ks_err_set(err, KS_ERR_USAGE,
				  "a vocabulary budget of %zu bytes is below the minimum of %d bytes",
				  budget_bytes, KS_VOCAB_MIN_BUDGET);
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the vocabulary");
	v->budget = budget_bytes;
	v->slot_cap = VOCAB_MIN_SLOTS;
	v->entry_cap = VOCAB_MIN_ENTRIES;
	v->arena_cap = VOCAB_MIN_ARENA;
	v->slots = ks_calloc_array(v->slot_cap, sizeof(*v->slots));
	v->entries = ks_malloc_array(v->entry_cap, sizeof(*v->entries));
	v->arena = malloc(v->arena_cap);
	if (v->slots == NULL || v->entries == NULL || v->arena == NULL) {
		ks_vocab_destroy(v);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the vocabulary");
	}
	vocab_update_bytes(v);
	*out = v;
	return KS_OK;
}

void
ks_vocab_destroy(struct ks_vocab *v)
{
	if (v == NULL)
		return;
	free(v->slots);
	free(v->entries);
	free(v->arena);
	free(v->stream_map);
	free(v->base_id);
	free(v->base_count);
	free(v);
}

/*
 * The capacities needed to add one more word of len bytes: the current
 * ones, or grown ones (entries and arena by half, slots doubled).
 */
static void
vocab_plan(const struct ks_vocab *v, size_t len, size_t *slot_cap, size_t *entry_cap,
	   size_t *arena_cap)
{
	size_t need_arena = vocab_add_size(v->arena_len, len + 1);

	*slot_cap = v->slot_cap;
	if (vocab_overfull(v->n_entries + 1, v->slot_cap))
		*slot_cap = v->slot_cap > SIZE_MAX / 2 ? SIZE_MAX : v->slot_cap * 2;
	*entry_cap = v->entry_cap;
	if (v->n_entries + 1 > v->entry_cap)
		*entry_cap = vocab_add_size(v->entry_cap, v->entry_cap / 2 + 1);
	*arena_cap = v->arena_cap;
	if (need_arena > v->arena_cap) {
		*arena_cap = vocab_add_size(v->arena_cap, v->arena_cap / 2);
		if (*arena_cap < need_arena)
			*arena_cap = need_arena;
	}
}

/*
 * Removes every entry counted fewer times than the smallest threshold that
 * brings the table, with room for one more word of len bytes, within half
 * the budget (see the file comment), and sizes the arrays for exactly that.
 * On failure the table is unchanged, or (only if resizing an array fails)
 * pruned but still consistent.
 */
static int
vocab_prune(struct ks_vocab *v, size_t len, struct ks_err *err)
{
	/* Buckets 0 .. EXACT-1 hold one count each, then one per power of two. */
	enum { BUCKETS = VOCAB_PRUNE_EXACT + 64 };
	uint64_t hist_n[BUCKETS], hist_b[BUCKETS];
	uint64_t threshold = 0, max_count = 0;
	size_t kept_n = v->n_entries, kept_b = v->arena_len, slot_cap = 0, i, out, pos;
	size_t entry_cap = 0, arena_cap = 0;
	struct vocab_slot *slots;
	int b, resize_failed = 0;

	memset(hist_n, 0, sizeof(hist_n));
	memset(hist_b, 0, sizeof(hist_b));
	for (i = 0; i < v->n_entries; i++) {
		uint64_t c = v->entries[i].count;

		if (c < VOCAB_PRUNE_EXACT) {
			b = (int)c;
		} else {
			b = VOCAB_PRUNE_EXACT;
			while ((c >> 1) >= VOCAB_PRUNE_EXACT) {
				c >>= 1;
				b++;
			}
		}
		hist_n[b]++;
		hist_b[b] += (uint64_t)v->entries[i].len + 1;
		if (v->entries[i].count > max_count)
			max_count = v->entries[i].count;
	}
	/*
	 * Raising the threshold past bucket b's counts removes that bucket.
	 * Buckets 0 and 1 always go: a prune removes at least the words seen
	 * once (and the zero counts only ks_vocab_read can store).
	 */
	for (b = 0; b < BUCKETS; b++) {
		uint64_t next;

		kept_n -= (size_t)hist_n[b];
		kept_b -= (size_t)hist_b[b];
		if (b < VOCAB_PRUNE_EXACT)
			next = (uint64_t)b + 1;
		else if (b - VOCAB_PRUNE_EXACT + 11 < 64)
			next = (uint64_t)VOCAB_PRUNE_EXACT << (b - VOCAB_PRUNE_EXACT + 1);
		else
			next = UINT64_MAX;
		if (b < 1)
			continue;
		slot_cap = vocab_slots_for(kept_n + 1);
		entry_cap = kept_n + 1 < VOCAB_MIN_ENTRIES ? VOCAB_MIN_ENTRIES : kept_n + 1;
		arena_cap = vocab_add_size(kept_b, len + 1);
		if (arena_cap < VOCAB_MIN_ARENA)
			arena_cap = VOCAB_MIN_ARENA;
		if (kept_n == 0 || vocab_bytes_for(slot_cap, entry_cap, arena_cap) <= v->budget / 2) {
			threshold = next;
			break;
		}
	}
	if (kept_n == 0 && threshold > max_count && max_count < UINT64_MAX)
		threshold = max_count + 1;
	slots = ks_aligned_calloc(slot_cap, sizeof(*slots));
	if (slots == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory while pruning the vocabulary");
	/* Entries and their bytes are in the same order, so compaction never overlaps ahead. */
	for (i = 0, out = 0, pos = 0; i < v->n_entries; i++) {
		struct vocab_entry e = v->entries[i];

		if (e.count < threshold)
			continue;
		memmove(v->arena + pos, v->arena + e.offset, (size_t)e.len + 1);
		e.offset = pos;
		pos += (size_t)e.len + 1;
		vocab_slot_put(slots, slot_cap, e.hash, out, e.len);
		v->entries[out++] = e;
	}
	assert(out == kept_n && pos == kept_b);
	v->stats.prunes++;
	v->stats.pruned_words += v->n_entries - out;
	if (threshold > v->stats.prune_min_count)
		v->stats.prune_min_count = threshold;
	free(v->slots);
	v->slots = slots;
	v->slot_cap = slot_cap;
	v->n_entries = out;
	v->arena_len = pos;
	/* Sized for the coming word too, so vocab_make_room need not grow them. */
	if (entry_cap != v->entry_cap) {
		struct vocab_entry *e = ks_realloc_array(v->entries, entry_cap, sizeof(*e));

		if (e != NULL) {
			v->entries = e;
			v->entry_cap = entry_cap;
		} else {
			resize_failed = 1;
		}
	}
	if (arena_cap != v->arena_cap) {
		char *a = realloc(v->arena, arena_cap);

		if (a != NULL) {
			v->arena = a;
			v->arena_cap = arena_cap;
		} else {
			resize_failed = 1;
		}
	}
	vocab_update_bytes(v);
	if (resize_failed)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory while pruning the vocabulary");
	return KS_OK;
}

/*
 * Makes room for one more word of len bytes, growing the arrays and, if
 * the budget forbids the growth, pruning first. The table is unchanged on
 * failure (see vocab_prune for the one exception).
 */
static int
vocab_make_room(struct ks_vocab *v, size_t len, struct ks_err *err)
{
	size_t slot_cap, entry_cap, arena_cap;
	int rc;

	vocab_plan(v, len, &slot_cap, &entry_cap, &arena_cap);
	if (v->budget != 0 && vocab_bytes_for(slot_cap, entry_cap, arena_cap) > v->budget) {
		if ((rc = vocab_prune(v, len, err)) != KS_OK)
			return rc;
		vocab_plan(v, len, &slot_cap, &entry_cap, &arena_cap);
		/* The minimum budget guarantees this; it guards the arithmetic. */
		if (vocab_bytes_for(slot_cap, entry_cap, arena_cap) > v->budget)
			return ks_err_set(err, KS_ERR_LIMIT,
					  "the vocabulary budget of %zu bytes cannot hold one word",
					  v->budget);
	}
	if (entry_cap != v->entry_cap) {
		struct vocab_entry *e = ks_realloc_array(v->entries, entry_cap, sizeof(*e));

		if (e == NULL)
			goto nomem;
		v->entries = e;
		v->entry_cap = entry_cap;
	}
	if (arena_cap != v->arena_cap) {
		char *a = realloc(v->arena, arena_cap);

		if (a == NULL)
			goto nomem;
		v->arena = a;
		v->arena_cap = arena_cap;
	}
	if (slot_cap != v->slot_cap && (slot_cap == SIZE_MAX || vocab_rebuild_slots(v, slot_cap) != 0))
		goto nomem;
	vocab_update_bytes(v);
	return KS_OK;
nomem:
	vocab_update_bytes(v);
	return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the vocabulary (%zu distinct words)",
			  v->n_entries);
}

/* Adds word[0 .. len) with hash h, known to be absent, with count. */
static int
vocab_insert(struct ks_vocab *v, const char *word, size_t len, uint64_t h, uint64_t count,
	     uint32_t *stream_id, struct ks_err *err)
{
	struct vocab_entry *e;
	size_t slot = 0;
	int rc;

	/* KS_NO_WORD is not an id, and entry indexes (+ 1) must fit a slot's uint32. */
	if (v->next_stream_id >= KS_NO_WORD - 1)
		return ks_err_set(err, KS_ERR_LIMIT,
				  "more than %" PRIu32 " distinct words (stream ids) in one vocabulary",
				  KS_NO_WORD - 1);
	if ((rc = vocab_make_room(v, len, err)) != KS_OK)
		return rc;
	(void)vocab_probe(v, word, len, h, &slot);
	e = &v->entries[v->n_entries];
	e->hash = h;
	e->count = count;
	e->offset = v->arena_len;
	e->len = (uint32_t)len;
	e->stream_id = v->next_stream_id++;
	memcpy(v->arena + v->arena_len, word, len);
	v->arena[v->arena_len + len] = '\0';
	v->arena_len += len + 1;
	v->slots[slot].hash = h;
	v->slots[slot].entry = (uint32_t)(v->n_entries + 1);
	v->slots[slot].len = (uint32_t)len;
	v->n_entries++;
	v->stats.distinct = v->n_entries;
	*stream_id = e->stream_id;
	return KS_OK;
}

/* Counts word[0 .. len) with hash h: ks_vocab_add after the hash. */
static inline int
vocab_count(struct ks_vocab *v, const char *word, size_t len, uint64_t h, uint32_t *stream_id,
	    struct ks_err *err)
{
	struct vocab_entry *e;
	size_t slot;
	int rc;

	if (len == 0 || len > KS_MAX_WORD_BYTES)
		return ks_err_set(err, KS_ERR_INTERNAL, "a word of %zu bytes passed to ks_vocab_add",
				  len);
	e = vocab_probe(v, word, len, h, &slot);
	if (e != NULL) {
		e->count++;
		v->stats.tokens++;
		*stream_id = e->stream_id;
		return KS_OK;
	}
	if ((rc = vocab_insert(v, word, len, h, 1, stream_id, err)) != KS_OK)
		return rc;
	v->stats.tokens++;
	return KS_OK;
}

int
ks_vocab_add(struct ks_vocab *v, const char *word, size_t len, uint32_t *stream_id,
	     struct ks_err *err)
{
	if (v->finalized)
		return ks_err_set(err, KS_ERR_INTERNAL, "ks_vocab_add called after ks_vocab_finalize");
	return vocab_count(v, word, len, vocab_hash(word, len), stream_id, err);
}

/*
 * The entry index + 1 that a probe for hash h would look at first (0 if
 * none): a guess for prefetching, which a colliding hash only misleads.
 */
static inline uint32_t
vocab_guess(const struct ks_vocab *v, uint64_t h)
{
	size_t mask = v->slot_cap - 1, i = (size_t)h & mask;

	while (v->slots[i].entry != 0 && v->slots[i].hash != h)
		i = (i + 1) & mask;
	return v->slots[i].entry;
}

int
ks_vocab_add_many(struct ks_vocab *v, const struct ks_token *toks, size_t n,
		  uint32_t *stream_ids, struct ks_err *err)
{
	uint64_t hash[4 * VOCAB_AHEAD];
	uint32_t guess[4 * VOCAB_AHEAD];
	size_t i, j, r = 4 * VOCAB_AHEAD;
	int rc;

	if (v->finalized)
		return ks_err_set(err, KS_ERR_INTERNAL, "ks_vocab_add called after ks_vocab_finalize");
	/*
	 * Token i is hashed and its slot fetched, then token i - VOCAB_AHEAD's
	 * entry, then token i - 2 * VOCAB_AHEAD's bytes, then token
	 * i - 3 * VOCAB_AHEAD is counted. Each stage re-reads the table as it
	 * is then (an insert may have grown or pruned it meanwhile), so the
	 * early stages only decide what is fetched, never what is counted.
	 */
	for (i = 0; i < n + 3 * VOCAB_AHEAD; i++) {
		if (i < n && toks[i].len > 0) {
			hash[i % r] = vocab_hash(toks[i].bytes, toks[i].len);
			__builtin_prefetch(&v->slots[hash[i % r] & (v->slot_cap - 1)]);
		}
		if ((j = i - VOCAB_AHEAD) < n && i >= VOCAB_AHEAD && toks[j].len > 0) {
			guess[j % r] = vocab_guess(v, hash[j % r]);
			if (guess[j % r] != 0 && guess[j % r] <= v->n_entries)
				__builtin_prefetch(&v->entries[guess[j % r] - 1], 1);
		}
		if ((j = i - 2 * VOCAB_AHEAD) < n && i >= 2 * VOCAB_AHEAD && toks[j].len > 0 &&
		    guess[j % r] != 0 && guess[j % r] <= v->n_entries)
			__builtin_prefetch(v->arena + v->entries[guess[j % r] - 1].offset);
		if ((j = i - 3 * VOCAB_AHEAD) < n && i >= 3 * VOCAB_AHEAD && toks[j].len > 0 &&
		    (rc = vocab_count(v, toks[j].bytes, toks[j].len, hash[j % r], &stream_ids[j],
				      err)) != KS_OK)
			return rc;
	}
	return KS_OK;
}

uint32_t
ks_vocab_stream_ids(const struct ks_vocab *v)
{
	return v->next_stream_id;
}

/* What finalize sorts: one record per kept word. */
struct vocab_rank {
	uint64_t count;
	const char *word;
	uint32_t len;
	uint32_t entry;
};

/* Most frequent first; equal counts in byte order, a prefix before its extensions. */
static int
vocab_rank_cmp(const void *pa, const void *pb)
{
	const struct vocab_rank *a = pa, *b = pb;
	size_t n = a->len < b->len ? a->len : b->len;
	int c;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if ((c = memcmp(a->word, b->word, n)) != 0)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

static int vocab_quote_len(const char *word, size_t len);

/* Whether finalize keeps entry i: a base word always, a corpus word by its count. */
static int
vocab_kept(const struct ks_vocab *v, size_t i, uint64_t min_count)
{
	if (v->base_id != NULL && v->base_id[i] != KS_NO_WORD)
		return 1;
	if (v->base_id != NULL && !v->base_grow)
		return 0;
	if (v->replaced && v->entries[i].count == 0)
		return 0;
	return v->entries[i].count >= min_count;
}

/*
 * Applies max_vocab to the sorted ranks and returns how many stay. With a
 * base, its words all stay and count towards the cap; the corpus's new
 * words fill what is left, most frequent first, and the ranks are
 * compacted in order.
 */
static size_t
vocab_cap(const struct ks_vocab *v, struct vocab_rank *rank, size_t n, uint64_t max_vocab)
{
	size_t i, kept = 0, new_words = 0, room;

	if (max_vocab == 0 || max_vocab >= n)
		return n;
	if (v->base_id == NULL)
		return (size_t)max_vocab;
	room = max_vocab > v->n_base ? (size_t)max_vocab - v->n_base : 0;
	for (i = 0; i < n; i++) {
		int base = v->base_id[rank[i].entry] != KS_NO_WORD;

		if (!base && new_words >= room)
			continue;
		new_words += !base;
		rank[kept++] = rank[i];
	}
	return kept;
}

int
ks_vocab_set_base(struct ks_vocab *v, const char *const *words, const uint64_t *counts,
		  size_t n, int grow, struct ks_err *err)
{
	size_t i, budget = v->budget, cap = v->n_entries + n, slot;
	int rc = KS_OK;

	if (v->finalized || v->base_id != NULL)
		return ks_err_set(err, KS_ERR_INTERNAL, "ks_vocab_set_base called twice or too late");
	/* Room for every base word, even if none of them is in the table yet. */
	v->base_id = ks_malloc_array(cap ? cap : 1, sizeof(*v->base_id));
	v->base_count = ks_calloc_array(cap ? cap : 1, sizeof(*v->base_count));
	if (v->base_id == NULL || v->base_count == NULL)
		rc = ks_err_set(err, KS_ERR_NOMEM, "out of memory for the base vocabulary");
	for (i = 0; rc == KS_OK && i < cap; i++)
		v->base_id[i] = KS_NO_WORD;
	/* The base's words are added whatever the budget: pruning them would lose them. */
	v->budget = 0;
	for (i = 0; i < n && rc == KS_OK; i++) {
		size_t len = strlen(words[i]), idx;
		uint64_t h = vocab_hash(words[i], len);
		const struct vocab_entry *e;
		uint32_t sid;

		if (len == 0 || len > KS_MAX_WORD_BYTES) {
			rc = ks_err_set(err, KS_ERR_FORMAT, "word %zu of the base vocabulary is %s",
					i + 1, len == 0 ? "empty" : "too long");
			break;
		}
		e = vocab_probe(v, words[i], len, h, &slot);
		if (e == NULL && (rc = vocab_insert(v, words[i], len, h, 0, &sid, err)) != KS_OK)
			break;
		idx = e != NULL ? (size_t)(e - v->entries) : v->n_entries - 1;
		if (v->base_id[idx] != KS_NO_WORD)
			rc = ks_err_set(err, KS_ERR_FORMAT, "the base vocabulary holds \"%.*s\" twice",
					vocab_quote_len(words[i], len), words[i]);
		else if (counts[i] > UINT64_MAX - v->entries[idx].count)
			rc = ks_err_set(err, KS_ERR_FORMAT, "the count of \"%.*s\" overflows",
					vocab_quote_len(words[i], len), words[i]);
		v->base_id[idx] = (uint32_t)i;
		v->base_count[idx] = counts[i];
	}
	v->budget = budget;
	if (rc != KS_OK) {
		free(v->base_id);
		free(v->base_count);
		v->base_id = NULL;
		v->base_count = NULL;
		return rc;
	}
	v->base_grow = grow;
	v->n_base = n;
	return KS_OK;
}

/* Bytes of a record of ks_vocab_export before the word's. */
#define VOCAB_RECORD_HEAD (sizeof(uint32_t) + sizeof(uint64_t))

int
ks_vocab_export(const struct ks_vocab *v, uint64_t min_count, unsigned char **buf,
		size_t *len, struct ks_err *err)
{
	size_t i, n = 0, pos = 0;
	unsigned char *out;

	*buf = NULL;
	*len = 0;
	for (i = 0; i < v->n_entries; i++)
		if (v->entries[i].count > 0 && v->entries[i].count >= min_count)
			n += VOCAB_RECORD_HEAD + v->entries[i].len;
	out = malloc(n > 0 ? n : 1);
	if (out == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory for the %zu distinct words "
				  "to send", v->n_entries);
	for (i = 0; i < v->n_entries; i++) {
		const struct vocab_entry *e = &v->entries[i];

		if (e->count == 0 || e->count < min_count)
			continue;
		memcpy(out + pos, &e->len, sizeof(e->len));
		memcpy(out + pos + sizeof(e->len), &e->count, sizeof(e->count));
		memcpy(out + pos + VOCAB_RECORD_HEAD, v->arena + e->offset, e->len);
		pos += VOCAB_RECORD_HEAD + e->len;
	}
	*buf = out;
	*len = pos;
	return KS_OK;
}

/*
 * Reads the record at buf[*pos .. len) into *word, *wlen and *count and
 * moves *pos past it; KS_ERR_FORMAT if it is cut short or its word is
 * empty or too long.
 */
static int
vocab_next_record(const unsigned char *buf, size_t len, size_t *pos, const char **word,
		  size_t *wlen, uint64_t *count, struct ks_err *err)
{
	uint32_t l;

	if (len - *pos < VOCAB_RECORD_HEAD)
		return ks_err_set(err, KS_ERR_FORMAT, "a word count record is cut short at "
				  "byte %zu of %zu", *pos, len);
	memcpy(&l, buf + *pos, sizeof(l));
	memcpy(count, buf + *pos + sizeof(l), sizeof(*count));
	if (l == 0 || l > KS_MAX_WORD_BYTES || len - *pos - VOCAB_RECORD_HEAD < l)
		return ks_err_set(err, KS_ERR_FORMAT, "a word count record at byte %zu of %zu "
				  "holds a word of %" PRIu32 " bytes", *pos, len, l);
	*word = (const char *)buf + *pos + VOCAB_RECORD_HEAD;
	*wlen = l;
	*pos += VOCAB_RECORD_HEAD + l;
	return KS_OK;
}

/* Adds (replace 0) or sets (replace 1) the records' counts; see vocab.h. */
static int
vocab_take_records(struct ks_vocab *v, const unsigned char *buf, size_t len, int replace,
		   struct ks_err *err)
{
	size_t pos = 0, slot, wlen = 0;
	const char *word = NULL;
	uint64_t count = 0;
	uint32_t sid;
	int rc = KS_OK;

	if (v->finalized)
		return ks_err_set(err, KS_ERR_INTERNAL, "word counts merged after finalize");
	while (pos < len) {
		struct vocab_entry *e;
		uint64_t h;

		if ((rc = vocab_next_record(buf, len, &pos, &word, &wlen, &count, err)) != KS_OK)
			break;
		h = vocab_hash(word, wlen);
		e = vocab_probe(v, word, wlen, h, &slot);
		if (e == NULL) {
			if ((rc = vocab_insert(v, word, wlen, h, count, &sid, err)) != KS_OK)
				break;
		} else if (replace) {
			e->count = count;
		} else if (count > UINT64_MAX - e->count) {
			rc = ks_err_set(err, KS_ERR_FORMAT, "the count of \"%.*s\" overflows",
					vocab_quote_len(word, wlen), word);
			break;
		} else {
			e->count += count;
		}
	}
	return rc;
}

int
ks_vocab_merge(struct ks_vocab *v, const unsigned char *buf, size_t len, struct ks_err *err)
{
	return vocab_take_records(v, buf, len, 0, err);
}

int
ks_vocab_replace(struct ks_vocab *v, const unsigned char *buf, size_t len, struct ks_err *err)
{
	size_t i, budget = v->budget;
	int rc;

	for (i = 0; i < v->n_entries; i++)
		v->entries[i].count = 0;
	v->replaced = 1;
	/* Every process must keep every word of the records: no pruning. */
	v->budget = 0;
	rc = vocab_take_records(v, buf, len, 1, err);
	v->budget = budget;
	return rc;
}

uint32_t
ks_vocab_base_id(const struct ks_vocab *v, uint32_t id)
{
	assert(v->finalized && id < v->n_entries);
	return v->base_id != NULL ? v->base_id[id] : KS_NO_WORD;
}

uint64_t
ks_vocab_corpus_total(const struct ks_vocab *v)
{
	return v->corpus_total;
}

int
ks_vocab_finalize(struct ks_vocab *v, uint64_t min_count, uint64_t max_vocab,
		  struct ks_err *err)
{
	struct vocab_rank *rank;
	struct vocab_entry *entries = NULL;
	struct vocab_slot *slots = NULL;
	uint32_t *map = NULL, *base_ids = NULL;
	char *arena = NULL;
	size_t n_kept = 0, n_final, arena_len = 0, slot_cap, i, pos;
	uint64_t max_count = 0, total = 0, corpus_total = 0;

	if (v->finalized)
		return ks_err_set(err, KS_ERR_INTERNAL, "the vocabulary is already finalized");
	for (i = 0; i < v->n_entries; i++) {
		if (vocab_kept(v, i, min_count))
			n_kept++;
		if (v->entries[i].count > max_count)
			max_count = v->entries[i].count;
	}
	if (n_kept == 0) {
		if (v->n_entries == 0)
			return ks_err_set(err, KS_ERR_EMPTY, "no words to build a vocabulary from");
		return ks_err_set(err, KS_ERR_EMPTY,
				  "no word reaches min-count %" PRIu64 ": of the %zu distinct words "
				  "held%s, the most frequent occurs %" PRIu64 " times",
				  min_count, v->n_entries,
				  v->stats.prunes > 0 ? " after pruning rare ones" : "", max_count);
	}
	rank = ks_malloc_array(n_kept, sizeof(*rank));
	if (rank == NULL)
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory sorting the vocabulary");
	for (i = 0, pos = 0; i < v->n_entries; i++) {
		const struct vocab_entry *e = &v->entries[i];

		if (!vocab_kept(v, i, min_count))
			continue;
		rank[pos].count = e->count + (v->base_count != NULL ? v->base_count[i] : 0);
		rank[pos].word = v->arena + e->offset;
		rank[pos].len = e->len;
		rank[pos].entry = (uint32_t)i;
		pos++;
	}
	qsort(rank, n_kept, sizeof(*rank), vocab_rank_cmp);
	n_final = vocab_cap(v, rank, n_kept, max_vocab);
	if (v->base_id != NULL && (base_ids = ks_malloc_array(n_final ? n_final : 1,
							     sizeof(*base_ids))) == NULL) {
		free(rank);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory numbering the vocabulary");
	}
	for (i = 0; i < n_final; i++)
		arena_len += (size_t)rank[i].len + 1;
	slot_cap = vocab_slots_for(n_final);
	entries = ks_malloc_array(n_final, sizeof(*entries));
	arena = malloc(arena_len);
	slots = ks_aligned_calloc(slot_cap, sizeof(*slots));
	if (!v->skip_stream_map)
		map = ks_malloc_array(v->next_stream_id, sizeof(*map));
	if (entries == NULL || arena == NULL || slots == NULL ||
	    (map == NULL && !v->skip_stream_map)) {
		free(rank);
		free(entries);
		free(arena);
		free(slots);
		free(map);
		free(base_ids);
		return ks_err_set(err, KS_ERR_NOMEM, "out of memory numbering the vocabulary");
	}
	for (i = 0; map != NULL && i < v->next_stream_id; i++)
		map[i] = KS_NO_WORD;
	for (i = 0, pos = 0; i < n_final; i++) {
		struct vocab_entry e = v->entries[rank[i].entry];

		corpus_total += e.count;
		if (base_ids != NULL)
			base_ids[i] = v->base_id[rank[i].entry];
		e.count = rank[i].count;
		memcpy(arena + pos, rank[i].word, (size_t)e.len + 1);
		e.offset = pos;
		pos += (size_t)e.len + 1;
		if (map != NULL)
			map[e.stream_id] = (uint32_t)i;
		vocab_slot_put(slots, slot_cap, e.hash, i, e.len);
		entries[i] = e;
		total += e.count;
	}
	free(rank);
	free(v->entries);
	free(v->arena);
	free(v->slots);
	v->stats.dropped_min_count = v->n_entries - n_kept;
	v->stats.dropped_max_vocab = n_kept - n_final;
	v->entries = entries;
	v->n_entries = v->entry_cap = n_final;
	v->arena = arena;
	v->arena_len = v->arena_cap = arena_len;
	v->slots = slots;
	v->slot_cap = slot_cap;
	v->stream_map = map;
	v->total = total;
	v->corpus_total = corpus_total;
	free(v->base_id);
	free(v->base_count);
	v->base_id = base_ids;
	v->base_count = NULL;
	v->finalized = 1;
	vocab_update_bytes(v);
	return KS_OK;
}

void
ks_vocab_skip_stream_map(struct ks_vocab *v)
{
	v->skip_stream_map = 1;
	free(v->stream_map);
	v->stream_map = NULL;
	vocab_update_bytes(v);
}

void
ks_vocab_drop_index(struct ks_vocab *v)
{
	if (!v->finalized)
		return;
	free(v->slots);
	v->slots = NULL;
	v->slot_cap = 0;
	vocab_update_bytes(v);
}

const uint32_t *
ks_vocab_stream_map(const struct ks_vocab *v)
{
	return v->stream_map;
}

size_t
ks_vocab_size(const struct ks_vocab *v)
{
	return v->finalized ? v->n_entries : 0;
}

const char *
ks_vocab_word(const struct ks_vocab *v, uint32_t id)
{
	assert(v->finalized && id < v->n_entries);
	return v->arena + v->entries[id].offset;
}

size_t
ks_vocab_word_len(const struct ks_vocab *v, uint32_t id)
{
	assert(v->finalized && id < v->n_entries);
	return v->entries[id].len;
}

uint64_t
ks_vocab_count(const struct ks_vocab *v, uint32_t id)
{
	assert(v->finalized && id < v->n_entries);
	return v->entries[id].count;
}

uint64_t
ks_vocab_total(const struct ks_vocab *v)
{
	return v->total;
}

uint32_t
ks_vocab_find(const struct ks_vocab *v, const char *word, size_t len)
{
	const struct vocab_entry *e;
	size_t slot;

	if (!v->finalized || v->slots == NULL || len > KS_MAX_WORD_BYTES)
		return KS_NO_WORD;
	e = vocab_probe(v, word, len, vocab_hash(word, len), &slot);
	return e == NULL ? KS_NO_WORD : (uint32_t)(e - v->entries);
}

void
ks_vocab_stats(const struct ks_vocab *v, struct ks_vocab_stats *stats)
{
	*stats = v->stats;
}

int
ks_vocab_save(const struct ks_vocab *v, const char *path, struct ks_err *err)
{
	struct ks_outfile *f;
	FILE *stream;
	size_t i;
	int rc;

	if (!v->finalized)
		return ks_err_set(err, KS_ERR_INTERNAL, "%s: the vocabulary is not finalized", path);
	if ((rc = ks_outfile_open(&f, path, err)) != KS_OK)
		return rc;
	stream = ks_outfile_stream(f);
	errno = 0;
	/*
	 * ks_vocab_read skips a byte-order mark that opens the file, so a first
	 * word that starts with those bytes (the tokenizer keeps them anywhere
	 * but at the start of an input) gets a mark of its own to lose.
	 */
	if (v->n_entries > 0 && v->entries[0].len >= 3 &&
	    memcmp(v->arena + v->entries[0].offset, "\xef\xbb\xbf", 3) == 0 &&
	    fwrite("\xef\xbb\xbf", 1, 3, stream) != 3) {
		int errnum = errno ? errno : EIO;

		ks_outfile_abort(f);
		return ks_err_errno(err, KS_ERR_WRITE, errnum, "%s: cannot write", path);
	}
	for (i = 0; i < v->n_entries; i++) {
		const struct vocab_entry *e = &v->entries[i];

		if (fwrite(v->arena + e->offset, 1, e->len, stream) != e->len ||
		    fprintf(stream, " %" PRIu64 "\n", e->count) < 0) {
			int errnum = errno ? errno : EIO;

			ks_outfile_abort(f);
			return ks_err_errno(err, KS_ERR_WRITE, errnum, "%s: cannot write", path);
		}
	}
	return ks_outfile_commit(f, err);
}

/* Buffered reading of lines of at most VOCAB_LINE_MAX bytes. */
struct vocab_reader {
	struct ks_input *input;
	char buf[VOCAB_READ_CHUNK];
	size_t pos;
	size_t len;
	int eof;
};

/*
 * Reads the next line, without its '\n', into line (VOCAB_LINE_MAX bytes
 * plus a NUL). A longer line is cut there and *too_long set. Returns 1 for
 * a line, 0 at the end of the file, or the status of a read error (err
 * names the file).
 */
static int
vocab_read_line(struct vocab_reader *r, char *line, size_t *len, int *too_long,
		struct ks_err *err)
{
	int rc;
	int got = 0;

	*len = 0;
	*too_long = 0;
	for (;;) {
		const char *start, *nl;
		size_t n, room;

		if (r->pos == r->len) {
			if (r->eof)
				break;
			r->pos = 0;
			if ((rc = ks_input_read(r->input, r->buf, sizeof(r->buf), &r->len,
						err)) != KS_OK)
				return rc;
			if (r->len == 0) {
				r->eof = 1;
				break;
			}
		}
		got = 1;
		start = r->buf + r->pos;
		nl = memchr(start, '\n', r->len - r->pos);
		n = nl != NULL ? (size_t)(nl - start) : r->len - r->pos;
		room = VOCAB_LINE_MAX - *len;
		if (n > room)
			*too_long = 1;
		memcpy(line + *len, start, n < room ? n : room);
		*len += n < room ? n : room;
		r->pos += n + (nl != NULL);
		if (nl != NULL)
			break;
	}
	line[*len] = '\0';
	return got;
}

/* The blanks that separate fields: the tokenizer's whitespace, less '\n'. */
static inline int
vocab_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * How many bytes of word[0 .. len) to quote in a message: all, or at most
 * VOCAB_QUOTE_MAX without cutting a UTF-8 sequence.
 */
static int
vocab_quote_len(const char *word, size_t len)
{
	size_t n = len;

	if (n > VOCAB_QUOTE_MAX) {
		n = VOCAB_QUOTE_MAX;
		while (n > 0 && ((unsigned char)word[n] & 0xC0) == 0x80)
			n--;
	}
	return (int)n;
}

/*
 * Parses one line into word and count, or reports why it cannot:
 * returns 1 for an entry, 0 for a blank line, or a status.
 */
static int
vocab_parse_line(char *line, size_t len, int too_long, const char *path, size_t lineno,
		 const char **word, size_t *word_len, uint64_t *count, struct ks_err *err)
{
	char *p = line, *end = line + len, *w, *c, *stop;
	size_t wl, cl;
	unsigned long long value;

	if (memchr(line, '\0', len) != NULL)
		return ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: NUL byte in the line", path, lineno);
	while (p < end && vocab_is_blank(*p))
		p++;
	if (p == end && !too_long)
		return 0;
	w = p;
	while (p < end && !vocab_is_blank(*p))
		p++;
	wl = (size_t)(p - w);
	if (wl > KS_MAX_WORD_BYTES)
		return ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: word longer than %d bytes",
				  path, lineno, KS_MAX_WORD_BYTES);
	if (too_long)
		return ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: line longer than %d bytes",
				  path, lineno, VOCAB_LINE_MAX);
	while (p < end && vocab_is_blank(*p))
		p++;
	if (p == end)
		return ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: missing count after \"%.*s\"",
				  path, lineno, vocab_quote_len(w, wl), w);
	c = p;
	while (p < end && !vocab_is_blank(*p))
		p++;
	cl = (size_t)(p - c);
	while (p < end && vocab_is_blank(*p))
		p++;
	if (p != end) {
		const char *x = p;

		while (p < end && !vocab_is_blank(*p))
			p++;
		return ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: extra field \"%.*s\" after the count",
				  path, lineno, vocab_quote_len(x, (size_t)(p - x)), x);
	}
	c[cl] = '\0';
	if (c[0] == '-')
		return ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: negative count \"%.*s\"",
				  path, lineno, vocab_quote_len(c, cl), c);
	/* strtoull alone would accept blanks, a sign, "0x" and trailing junk. */
	for (p = c; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return ks_err_set(err, KS_ERR_FORMAT,
					  "%s:%zu: count \"%.*s\" is not a non-negative integer",
					  path, lineno, vocab_quote_len(c, cl), c);
	errno = 0;
	value = strtoull(c, &stop, 10);
	if (errno == ERANGE)
		return ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: count \"%.*s\" is larger than %" PRIu64,
				  path, lineno, vocab_quote_len(c, cl), c, UINT64_MAX);
	if (errno != 0 || stop != c + cl)
		return ks_err_set(err, KS_ERR_FORMAT,
				  "%s:%zu: count \"%.*s\" is not a non-negative integer",
				  path, lineno, vocab_quote_len(c, cl), c);
	w[wl] = '\0';
	*word = w;
	*word_len = wl;
	*count = (uint64_t)value;
	return 1;
}

/*
 * Fills v from the lines of r. A word is any run of non-blank bytes, but
 * for "</s>": word2vec.c's -save-vocab writes its sentence marker first
 * (counted once per line), and kensho's tokenizer reads that token as a
 * sentence end (corpus.h), so it is no word. Its line is checked like any
 * other and then skipped: kept, it would be written out untrained and drawn
 * as a negative.
 */
static int
vocab_read_lines(struct ks_vocab *v, struct vocab_reader *r, const char *path,
		 struct ks_err *err)
{
	char line[VOCAB_LINE_MAX + 1];
	size_t len, lineno = 0;
	int too_long, rc;

	while ((rc = vocab_read_line(r, line, &len, &too_long, err)) > 0) {
		const char *word = NULL;
		size_t word_len = 0, slot;
		uint64_t count = 0, h;
		uint32_t sid;

		lineno++;
		rc = vocab_parse_line(line, len, too_long, path, lineno, &word, &word_len, &count, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		if (word_len == 4 && memcmp(word, KS_SENTENCE_END_TOKEN, 4) == 0)
			continue;
		h = vocab_hash(word, word_len);
		if (vocab_probe(v, word, word_len, h, &slot) != NULL)
			return ks_err_set(err, KS_ERR_FORMAT, "%s:%zu: duplicate word \"%.*s\"",
					  path, lineno, vocab_quote_len(word, word_len), word);
		if (count > UINT64_MAX - v->stats.tokens)
			return ks_err_set(err, KS_ERR_FORMAT,
					  "%s:%zu: the counts add up to more than %" PRIu64,
					  path, lineno, UINT64_MAX);
		if ((rc = vocab_insert(v, word, word_len, h, count, &sid, err)) != KS_OK)
			return rc;
		v->stats.tokens += count;
	}
	return rc < 0 ? rc : KS_OK;
}

int
ks_vocab_read(struct ks_vocab **out, const char *path, uint64_t min_count,
	      uint64_t max_vocab, struct ks_err *err)
{
	struct vocab_reader *r;
	struct ks_vocab *v;
	struct ks_err sub;
	const char *name;
	int rc;

	*out = NULL;
	if ((rc = ks_vocab_create(&v, 0, err)) != KS_OK)
		return rc;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		ks_vocab_destroy(v);
		return ks_err_set(err, KS_ERR_NOMEM, "%s: out of memory", path);
	}
	if ((rc = ks_input_open(&r->input, path, err)) != KS_OK)
		goto done;
	name = ks_input_name(r->input);
	if ((rc = vocab_read_lines(v, r, name, err)) != KS_OK)
		goto done;
	ks_err_clear(&sub);
	if ((rc = ks_vocab_finalize(v, min_count, max_vocab, &sub)) != KS_OK) {
		rc = ks_err_set(err, rc, "%s: %s", name, sub.msg);
		goto done;
	}
done:
	ks_input_close(r->input);
	free(r);
	if (rc != KS_OK) {
		ks_vocab_destroy(v);
		return rc;
	}
	*out = v;
	return KS_OK;
}
