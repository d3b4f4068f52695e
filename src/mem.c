/* Overflow-checked allocation (see mem.h). */
#include "mem.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

/* The size of a transparent huge page on x86-64 and most arm64 kernels. */
#define MEM_HUGE ((size_t)2 << 20)

int
ks_mul_size(size_t a, size_t b, size_t *out)
{
	if (b != 0 && a > SIZE_MAX / b)
		return -1;
	*out = a * b;
	return 0;
}

void *
ks_malloc_array(size_t n, size_t size)
{
	size_t bytes;

	if (ks_mul_size(n, size, &bytes) != 0) {
		errno = ENOMEM;
		return NULL;
	}
	return malloc(bytes ? bytes : 1);
}

void *
ks_calloc_array(size_t n, size_t size)
{
	size_t bytes;

	if (ks_mul_size(n, size, &bytes) != 0) {
		errno = ENOMEM;
		return NULL;
	}
	return calloc(n ? n : 1, size ? size : 1);
}

void *
ks_realloc_array(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (ks_mul_size(n, size, &bytes) != 0) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, bytes ? bytes : 1);
}

void *
ks_aligned_calloc(size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (ks_mul_size(n, size, &bytes) != 0 || bytes > SIZE_MAX - 64) {
		errno = ENOMEM;
		return NULL;
	}
	bytes = (bytes + 63) & ~(size_t)63;
	if (bytes == 0)
		bytes = 64;
	if (posix_memalign(&p, bytes >= MEM_HUGE ? MEM_HUGE : 64, bytes) != 0) {
		errno = ENOMEM;
		return NULL;
	}
	ks_advise_huge(p, bytes);
	memset(p, 0, bytes);
	return p;
}

size_t
ks_row_stride(size_t dim)
{
	size_t line = (dim + 15) & ~(size_t)15, half = (dim + 7) & ~(size_t)7;

	if (line >= dim && (line - dim) * 10 <= dim)
		return line;
	if (half >= dim && (half - dim) * 16 <= dim)
		return half;
	return dim;
}

void
ks_advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
	uintptr_t start = ((uintptr_t)p + MEM_HUGE - 1) & ~(uintptr_t)(MEM_HUGE - 1);
	uintptr_t end = ((uintptr_t)p + bytes) & ~(uintptr_t)(MEM_HUGE - 1);

	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)p;
	(void)bytes;
#endif
}

/* bytes rounded up to whole huge pages, or 0 when that would overflow. */
static size_t
mem_huge_round(size_t bytes)
{
	if (bytes > SIZE_MAX - MEM_HUGE)
		return 0;
	return (bytes + MEM_HUGE - 1) & ~(MEM_HUGE - 1);
}

void *
ks_reserve(size_t bytes)
{
#if defined(MAP_NORESERVE) && defined(MAP_ANONYMOUS)
	size_t size = mem_huge_round(bytes ? bytes : 1), head;
	uintptr_t raw, start;
	void *p;

	/* One huge page more than needed, so a 2 MiB aligned start fits. */
	if (size == 0 || size > SIZE_MAX - MEM_HUGE)
		return NULL;
	p = mmap(NULL, size + MEM_HUGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	raw = (uintptr_t)p;
	start = (raw + MEM_HUGE - 1) & ~(uintptr_t)(MEM_HUGE - 1);
	head = (size_t)(start - raw);
	if (head > 0)
		(void)munmap(p, head);
	(void)munmap((void *)(start + size), MEM_HUGE - head);
	ks_advise_huge((void *)start, size);
	return (void *)start;
#else
	(void)bytes;
	return NULL;
#endif
}

size_t
ks_release_tail(void *p, size_t used, size_t bytes)
{
	size_t size = mem_huge_round(bytes ? bytes : 1), keep = mem_huge_round(used ? used : 1);

	if (keep < size)
		(void)munmap((char *)p + keep, size - keep);
	return keep < size ? keep : bytes;
}

void
ks_release(void *p, size_t bytes)
{
	if (p != NULL)
		(void)munmap(p, mem_huge_round(bytes ? bytes : 1));
}

void
ks_trim_heap(void)
{
#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
}

size_t
ks_peak_rss(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0 || ru.ru_maxrss <= 0)
		return 0;
#if defined(__APPLE__)
	return (size_t)ru.ru_maxrss;	/* bytes there */
#else
	return (size_t)ru.ru_maxrss * 1024;	/* KiB on Linux and the BSDs */
#endif
}
