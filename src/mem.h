/*
 * Allocation helpers that refuse to overflow.
 *
 * Sizes are size_t everywhere; an n * size product that would wrap returns
 * NULL with errno = ENOMEM instead of a short block.
 */
#ifndef KS_MEM_H
#define KS_MEM_H

#include <stddef.h>
#include <stdint.h>

/* Stores a * b in *out and returns 0, or returns -1 if it would overflow. */
int ks_mul_size(size_t a, size_t b, size_t *out);

/* malloc(n * size), NULL on overflow or failure. */
void *ks_malloc_array(size_t n, size_t size);

/* calloc(n, size), NULL on overflow or failure. */
void *ks_calloc_array(size_t n, size_t size);

/* realloc(p, n * size), NULL on overflow or failure (p is then untouched). */
void *ks_realloc_array(void *p, size_t n, size_t size);

/*
 * 64-byte aligned, zeroed n * size bytes for embedding matrices and
 * per-thread state (no false sharing, full SIMD lines). Blocks of 2 MiB
 * or more are aligned to 2 MiB and asked for huge pages before they are
 * zeroed. Free with free().
 */
void *ks_aligned_calloc(size_t n, size_t size);

/*
 * Floats from the start of one row of an embedding matrix to the next, for
 * rows of dim floats in a block from ks_aligned_calloc: dim rounded up to a
 * multiple of 16 (rows on 64-byte lines) if that adds at most dim / 10, else
 * to a multiple of 8 (32-byte boundaries) if that adds at most dim / 16,
 * else dim itself. A row on its own lines shares none with its neighbours,
 * so two threads writing neighbouring rows do not take lines from each
 * other, and no 32-byte SIMD load of a row splits across two lines. The
 * padding is never read or written: at most 1/10 more memory, for 5-9%
 * more words/s at dim 100 (104 floats) on one thread and on two
 * (bench/results/scaling.md), and 4-9% for skip-gram at dim 150 (160
 * floats rather than 152; bench/README.md).
 */
size_t ks_row_stride(size_t dim);

/*
 * Asks for transparent huge pages on the whole 2 MiB pages inside
 * [p, p + bytes), for memory read at random rows: one TLB entry then
 * covers 512 times more of it, and filling it costs 512 times fewer
 * page faults. Pages already touched keep their size. Only a hint:
 * where the system has no huge pages nothing changes.
 */
void ks_advise_huge(void *p, size_t bytes);

/*
 * Reserves address space for a buffer that grows in place up to bytes:
 * nothing is committed until it is written (MAP_NORESERVE), it never
 * moves or copies, and it is asked for huge pages (see ks_advise_huge),
 * so filling it costs one page fault per 2 MiB instead of one per 4 KiB.
 * The block is 2 MiB aligned. Returns NULL where that is not available
 * (no mmap, or not that much address space): grow with realloc then.
 * Give it back with ks_release(p, bytes) and the same bytes.
 */
void *ks_reserve(size_t bytes);

/*
 * Gives back all but the first used bytes (rounded up to 2 MiB) of a
 * block from ks_reserve(bytes), so the address space it held stays free
 * for what comes next; returns the bytes still reserved, to pass to
 * ks_release later.
 */
size_t ks_release_tail(void *p, size_t used, size_t bytes);

/* Gives back a block from ks_reserve(bytes). Accepts NULL. */
void ks_release(void *p, size_t bytes);

/*
 * Returns the pages of freed heap memory to the system, where the C library
 * offers a way (glibc's malloc_trim); elsewhere does nothing. Freed memory
 * otherwise stays resident: glibc keeps the holes that the counting tables
 * of a load leave in the heap, which is megabytes held through training.
 */
void ks_trim_heap(void);

/*
 * The process's peak resident set size so far, in bytes (getrusage), or 0
 * where the system does not tell.
 */
size_t ks_peak_rss(void);

#endif
